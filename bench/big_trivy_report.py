"""Writes the 50,000-finding Trivy report the benchmarks reconcile (docs/reference.md §9).

    python3 bench/big_trivy_report.py OUT.json

Five targets of 10,000 findings each, every severity, CVSS scores and fixed versions, shared
by bench/report_50k.sh and bench/postgres.sh so both time the same report.
"""
import json
import sys

results = []
for target in range(5):
    vulns = []
    for i in range(10_000):
        n = target * 10_000 + i
        vulns.append({
            "VulnerabilityID": f"CVE-2024-{100000 + n}",
            "PkgName": f"package-{n % 7000}",
            "InstalledVersion": f"1.{n % 13}.{n % 7}",
            "FixedVersion": f"1.{n % 13}.{n % 7 + 1}",
            "Severity": ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"][n % 5],
            "Title": f"Generated finding {n} with a title of ordinary length",
            "PrimaryURL": f"https://avd.aquasec.com/nvd/cve-2024-{100000 + n}",
            "CVSS": {"nvd": {"V3Score": 5.0 + (n % 50) / 10, "V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}},
        })
    results.append({"Target": f"app/target-{target}/package-lock.json", "Type": "npm", "Vulnerabilities": vulns})
with open(sys.argv[1], "w") as out:
    json.dump({"SchemaVersion": 2, "ArtifactName": "bench", "Results": results}, out)
