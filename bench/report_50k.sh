#!/usr/bin/env bash
# docs/reference.md §9 speed: a 50,000-finding Trivy report read, normalised and reconciled in under 2 s
# and 200 MB. Generates the report, then times `emit --report` (release build, no webhooks,
# a fresh history) for a first run (all findings new) and a second run (all known), with
# peak memory from /usr/bin/time. Prints one table.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release --locked --quiet
bin="$PWD/target/release/staxhook"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work/big.json" <<'PY'
import json, sys
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
json.dump({"SchemaVersion": 2, "ArtifactName": "bench", "Results": results}, open(sys.argv[1], "w"))
PY

: > "$work/config.toml"
chmod 600 "$work/config.toml"
export STAXHOOK_CONFIG="$work/config.toml" STAXHOOK_HISTORY="$work/history.db" XDG_DATA_HOME="$work/data"
measure() {
    /usr/bin/time -f "%e %M" -o "$work/time" "$bin" -q emit --report "$work/big.json" --repo bench/big >/dev/null 2>&1 || true
    read -r seconds kilobytes < "$work/time"
    printf '| %-34s | %6.2f s | %6.0f MB |\n' "$1" "$seconds" "$(awk "BEGIN{print $kilobytes/1024}")"
}
size=$(du -m "$work/big.json" | cut -f1)
echo "| emit --report, 50,000 findings (${size} MB) | time | peak RSS |"
echo "|---|---|---|"
measure "first run (all new)"
measure "second run (all known)"
echo "target: < 2 s and < 200 MB (docs/reference.md §9)"
