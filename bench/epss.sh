#!/usr/bin/env bash
# docs/reference.md §11 speed: loading 300,000 EPSS rows costs ≤ 300 ms and ≤ 60 MB.
# Generates an EPSS file as FIRST publishes it (gzip-compressed CSV: the comment line, the
# header, 300,000 rows of CVE ids from 1999 to 2025 with scores of five decimals, the small
# ones in scientific notation), a Trivy report of 200 findings, then runs the release binary's
# `emit --report … --dry-run` (no webhooks, a fresh history) with `--epss FILE`, with the same
# file uncompressed, and without any EPSS file. The cost of loading is the difference in wall
# time (median of ROUNDS runs each, interleaved) and in peak RSS (/usr/bin/time). Prints one
# table, with the load average at both ends.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-15}"
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release --locked --quiet
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/staxhook"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work" <<'PY'
import gzip, json, random, sys
work = sys.argv[1]
random.seed(7)
rows = []
per_year = 300_000 // 27
for year in range(1999, 2026):
    for number in range(1, per_year + 1):
        rows.append(f"CVE-{year}-{number:04d}" if number < 10_000 else f"CVE-{year}-{number}")
rows = rows[:300_000]
while len(rows) < 300_000:
    rows.append(f"CVE-2025-{100_000 + len(rows)}")
lines = ["#model_version:v2025.03.14,score_date:2026-03-01T12:55:00Z", "cve,epss,percentile"]
for cve in rows:
    score = random.random() ** 6
    text = f"{score:.2e}" if score < 0.001 else f"{score:.5f}"
    lines.append(f"{cve},{text},{random.random():.5f}")
text = ("\n".join(lines) + "\n").encode()
open(f"{work}/epss.csv", "wb").write(text)
with gzip.open(f"{work}/epss.csv.gz", "wb", compresslevel=9) as out:
    out.write(text)
vulns = [{
    "VulnerabilityID": f"CVE-{1999 + n % 27}-{1000 + n}",
    "PkgName": f"package-{n}",
    "InstalledVersion": "1.0.0",
    "FixedVersion": "1.0.1",
    "Severity": ["CRITICAL", "HIGH", "MEDIUM", "LOW"][n % 4],
    "CVSS": {"nvd": {"V3Score": 5.0 + n % 50 / 10}},
} for n in range(200)]
json.dump({"SchemaVersion": 2, "ArtifactName": "bench",
           "Results": [{"Target": "package-lock.json", "Type": "npm", "Vulnerabilities": vulns}]},
          open(f"{work}/report.json", "w"))
PY

: > "$work/config.toml"
chmod 600 "$work/config.toml"
export STAXHOOK_CONFIG="$work/config.toml" XDG_DATA_HOME="$work/data" STAXHOOK_HISTORY="$work/history.db"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# run VARIANT: one `emit --report --dry-run`; prints "seconds kilobytes".
run() {
    local extra=()
    case "$1" in
        gzip) extra=(--epss "$work/epss.csv.gz") ;;
        plain) extra=(--epss "$work/epss.csv") ;;
        none) ;;
    esac
    /usr/bin/time -f "%e %M" -o "$work/time" "$bin" -q emit --report "$work/report.json" \
        --repo bench/epss --dry-run "${extra[@]}" >/dev/null 2>"$work/stderr" || {
        cat "$work/stderr" >&2
        exit 1
    }
    # %e has 10 ms steps; the wall time is taken around the process instead.
    cat "$work/time"
}
for variant in none gzip plain; do run "$variant" >/dev/null; done # warm the page cache
declare -A times rss
for round in $(seq "$ROUNDS"); do
    for variant in none gzip plain; do
        start=$(date +%s%N)
        read -r _ kilobytes < <(run "$variant")
        end=$(date +%s%N)
        times[$variant]+="$(( (end - start) / 1000 )) "
        rss[$variant]+="$kilobytes "
    done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
maximum() { tr ' ' '\n' | grep -v '^$' | sort -n | tail -1; }
base_time=$(echo "${times[none]}" | median)
base_rss=$(echo "${rss[none]}" | maximum)
gz_size=$(du -k "$work/epss.csv.gz" | cut -f1)
csv_size=$(du -k "$work/epss.csv" | cut -f1)
echo "| emit --report (200 findings) --dry-run | wall time (median of $ROUNDS) | cost of EPSS | peak RSS (max) | cost of EPSS |"
echo "|---|---|---|---|---|"
for variant in none gzip plain; do
    t=$(echo "${times[$variant]}" | median)
    m=$(echo "${rss[$variant]}" | maximum)
    case "$variant" in
        none) label="without EPSS" ;;
        gzip) label="--epss, 300,000 rows gzip (${gz_size} KB)" ;;
        plain) label="--epss, 300,000 rows plain CSV (${csv_size} KB)" ;;
    esac
    awk -v label="$label" -v t="$t" -v bt="$base_time" -v m="$m" -v bm="$base_rss" 'BEGIN {
        printf "| %s | %.1f ms | %+.1f ms | %.1f MB | %+.1f MB |\n", label, t / 1000, (t - bt) / 1000, m / 1024, (m - bm) / 1024
    }'
done
echo "target: loading 300,000 EPSS rows ≤ 300 ms and ≤ 60 MB (docs/reference.md §11)"
echo "load average: start $load_start, end $load_end; $(nproc) CPUs"
