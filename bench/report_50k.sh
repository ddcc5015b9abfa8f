#!/usr/bin/env bash
# docs/reference.md §9 speed: a 50,000-finding report read, normalised and reconciled in under 2 s
# and 200 MB, whatever its format. Generates a Trivy JSON report and a SARIF report (Trivy's
# SARIF layout: 5,000 rules, 50,000 results with the package in the message), then times
# `emit --report` (release build, no webhooks, a fresh history per report) for a first run
# (all findings new), a second run (all known) and a third run of a report without them
# (all 50,000 fixed, listed worst first in scan_complete), with peak memory from /usr/bin/time.
# Prints one table.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release --locked --quiet
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/staxhook"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 bench/big_trivy_report.py "$work/big.json"

python3 - "$work/big.sarif" <<'PY'
import json, sys
severities = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"]
rules = []
for r in range(5_000):
    rules.append({
        "id": f"CVE-2024-{100000 + r}",
        "name": "LanguageSpecificPackageVulnerability",
        "shortDescription": {"text": f"Generated vulnerability {r} with a title of ordinary length"},
        "fullDescription": {"text": "A longer description of the problem that scanners usually include, a sentence or two."},
        "helpUri": f"https://avd.aquasec.com/nvd/cve-2024-{100000 + r}",
        "properties": {"tags": ["vulnerability", "security", severities[r % 5]],
                       "security-severity": f"{5.0 + (r % 50) / 10:.1f}", "precision": "very-high"},
    })
results = []
for n in range(50_000):
    r = n % 5_000
    results.append({
        "ruleId": f"CVE-2024-{100000 + r}",
        "ruleIndex": r,
        "level": "error",
        "message": {"text": f"Package: package-{n}\nInstalled Version: 1.{n % 13}.{n % 7}\nVulnerability CVE-2024-{100000 + r}\nSeverity: {severities[r % 5]}\nFixed Version: 1.{n % 13}.{n % 7 + 1}\nLink: [CVE-2024-{100000 + r}](https://avd.aquasec.com/nvd/cve-2024-{100000 + r})"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": f"app/target-{n % 5}/package-lock.json", "uriBaseId": "ROOTPATH"},
                                            "region": {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1}}}],
    })
json.dump({"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0-rtm.5.json",
           "runs": [{"tool": {"driver": {"name": "Trivy", "fullName": "Trivy Vulnerability Scanner", "version": "0.58.1", "rules": rules}},
                     "results": results}]}, open(sys.argv[1], "w"))
PY

echo '{"SchemaVersion": 2, "ArtifactName": "bench", "Results": [{"Target": "app/target-0/package-lock.json", "Type": "npm", "Vulnerabilities": []}]}' > "$work/empty.json"

: > "$work/config.toml"
chmod 600 "$work/config.toml"
export STAXHOOK_CONFIG="$work/config.toml" XDG_DATA_HOME="$work/data"
# measure LABEL REPORT HISTORY
measure() {
    STAXHOOK_HISTORY="$3" /usr/bin/time -f "%e %M" -o "$work/time" "$bin" -q emit --report "$2" --repo bench/big >/dev/null 2>&1 || true
    read -r seconds kilobytes < "$work/time"
    printf '| %-44s | %6.2f s | %6.0f MB |\n' "$1" "$seconds" "$(awk "BEGIN{print $kilobytes/1024}")"
}
echo "| emit --report, 50,000 findings | time | peak RSS |"
echo "|---|---|---|"
for report in big.json big.sarif; do
    size=$(du -m "$work/$report" | cut -f1)
    measure "$report (${size} MB), first run (all new)" "$work/$report" "$work/$report.db"
    measure "$report (${size} MB), second run (all known)" "$work/$report" "$work/$report.db"
    measure "an empty report after $report (all fixed)" "$work/empty.json" "$work/$report.db"
done
echo "target: < 2 s and < 200 MB (docs/reference.md §9)"
