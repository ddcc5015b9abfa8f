#!/usr/bin/env bash
# The staxhook benchmark (docs/reference.md §7): every target measured against a reference tool in the
# same run, on loopback only, and printed as one table.
#
#   bash bench/run.sh            # ~1.5 min after the release build (a cold build is 4-5 min on 2 cores)
#   BENCH_QUICK=1 bash bench/run.sh   # fewer runs, for trying the script itself
#   BENCH_KEEP=1 bash bench/run.sh    # keep the work folder (histories, 1 GiB body, raw JSON)
#   BENCH_IO_STRESS=1 bash bench/run.sh   # section 1 under disk contention (a dd+fsync loop)
#
# Installs what it needs (hyperfine, GNU time, sqlite3 from Debian; idempotent), builds
# `cargo build --release --locked`, starts Python loopback endpoints on 127.0.0.1 (stopped
# on exit), and writes the table and the raw hyperfine JSON to target/bench/.
# Nothing outside a temporary folder and target/bench/ is written: your own staxhook
# config and history are never read (XDG_* and STAXHOOK_* point into the temp folder).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QUICK=${BENCH_QUICK:-0}
OUT="$ROOT/target/bench"
SECRET="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
REPO="myorg/backend-api"

# Runs per measurement. Rounds alternate which command goes first, so a noisy moment
# hits both sides; the ratio is taken per round and the median of rounds is reported.
if [ "$QUICK" = 1 ]; then
    SINGLE_ROUNDS=2 SINGLE_RUNS=15 FANOUT_RUNS=2 VERIFY_ROUNDS=1 VERIFY_RUNS=2 LOG_RUNS=10
    LOG_ROWS=200000 PROFILE_ROUNDS=2 PROFILE_RUNS=10 VERIFY_MIB=256
else
    SINGLE_ROUNDS=6 SINGLE_RUNS=50 FANOUT_RUNS=5 VERIFY_ROUNDS=2 VERIFY_RUNS=3 LOG_RUNS=30
    LOG_ROWS=1000000 PROFILE_ROUNDS=6 PROFILE_RUNS=15 VERIFY_MIB=1024
fi

say() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# --- tools ----------------------------------------------------------------------------
missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
[ -x /usr/bin/time ] || missing+=(time)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
command -v curl >/dev/null || missing+=(curl)
command -v openssl >/dev/null || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} (apt-get)"
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
fi
command -v python3 >/dev/null || die "python3 is needed for the loopback endpoint"

say "building (cargo build --release --locked)"
(cd "$ROOT" && cargo build --release --locked >&2)
BIN="$ROOT/target/release/staxhook"
[ -x "$BIN" ] || die "no binary at $BIN"

# --- a private world -------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/staxhook-bench.XXXXXX")
RAW="$WORK/raw"
mkdir -p "$RAW" "$WORK/capture"
cleanup() {
    if [ -f "$WORK/pids" ]; then
        while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$WORK/pids"
    fi
    if [ -f "$WORK/cleanup-dirs" ]; then
        while read -r _ dir; do rm -rf "$dir"; done <"$WORK/cleanup-dirs"
    fi
    if [ -d "$RAW" ]; then
        rm -rf "$OUT/raw"
        mkdir -p "$OUT"
        cp -r "$RAW" "$OUT/raw" 2>/dev/null || true
    fi
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        printf 'bench: work folder kept: %s\n' "$WORK" >&2
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export XDG_CONFIG_HOME="$WORK/xdg-config" XDG_DATA_HOME="$WORK/xdg-data" NO_COLOR=1
unset STAXHOOK_CONFIG STAXHOOK_HISTORY GITHUB_REPOSITORY CI_PROJECT_PATH \
    BITBUCKET_REPO_FULL_NAME BUILD_REPOSITORY_NAME
cd "$WORK"

# start_server NAME DELAY_MS [--save-dir DIR] -> prints the port
start_server() {
    local name=$1 delay=$2
    shift 2
    python3 "$ROOT/bench/server.py" --port-file "$WORK/$name.port" --delay-ms "$delay" "$@" \
        >"$WORK/$name.log" 2>&1 </dev/null &
    echo $! >>"$WORK/pids"
    for _ in $(seq 200); do
        [ -s "$WORK/$name.port" ] && break
        sleep 0.05
    done
    [ -s "$WORK/$name.port" ] || die "endpoint $name did not start: $(cat "$WORK/$name.log")"
    cat "$WORK/$name.port"
}

# write_config FILE HISTORY PORT HOOKS [HOST]
write_config() {
    local file=$1 history=$2 port=$3 hooks=$4 host=${5:-127.0.0.1}
    {
        printf '[defaults]\nhistory = "%s"\n' "$history"
        if [ "$hooks" = 1 ]; then
            printf '\n[webhooks.bench]\nurl = "http://%s:%s/hook"\nsecret = "%s"\n' "$host" "$port" "$SECRET"
        else
            for i in $(seq 0 $((hooks - 1))); do
                printf '\n[webhooks.hook%02d]\nurl = "http://%s:%s/hook/%02d"\nsecret = "%s"\n' \
                    "$i" "$host" "$port" "$i" "$SECRET"
            done
        fi
    } >"$file"
    chmod 600 "$file"
}

# hf NAME ARGS... : hyperfine without a shell, quiet, JSON into raw/NAME.json
hf() {
    local name=$1
    shift
    hyperfine -N --style basic --export-json "$RAW/$name.json" "$@" >"$RAW/$name.txt" 2>&1 ||
        { cat "$RAW/$name.txt" >&2; die "hyperfine $name failed"; }
}

peak_rss_kb() { # prints the max RSS (KiB) of one run of the command
    /usr/bin/time -f '%M' -o "$WORK/rss.tmp" "$@" >/dev/null 2>"$WORK/rss.err" ||
        { cat "$WORK/rss.err" >&2; die "failed: $*"; }
    tail -n1 "$WORK/rss.tmp"
}

# --- the machine -----------------------------------------------------------------------
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (+ uncommitted changes)')"
    echo "uname: $(uname -a)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "nproc: $(nproc)"
    echo "memory: $(free -h | awk '/^Mem:/ {print $2 " total, " $7 " available"}')"
    echo "tools: $(hyperfine --version), $(curl --version | head -n1 | cut -d' ' -f1-2), $(openssl version | cut -d' ' -f1-2), sqlite3 $(sqlite3 --version | cut -d' ' -f1), $(python3 --version)"
    echo "staxhook: $("$BIN" --version)"
    echo "mode: $([ "$QUICK" = 1 ] && echo 'QUICK (fewer runs, smaller data)' || echo full)"
    echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$RAW/machine.txt"
cat "$RAW/machine.txt" >&2

# --- 1. one emit vs curl ------------------------------------------------------------------
say "1. emit of one event to one loopback endpoint vs curl"
FAST=$(start_server fast 0 --save-dir "$WORK/capture")
write_config "$WORK/single.toml" "$WORK/single.db" "$FAST" 1
export STAXHOOK_CONFIG="$WORK/single.toml"
EMIT="$BIN emit scan_complete --repo $REPO --set scan_id=bench-0001"
$EMIT >/dev/null || die "emit to the loopback endpoint failed"

# The reference posts the very body staxhook sent, with the same headers, signed by openssl.
BODY="$WORK/capture/last_body"
header() {
    python3 -c 'import json, sys
h = {k.lower(): v for k, v in json.load(open(sys.argv[1]))}
print(h[sys.argv[2]])' "$WORK/capture/last_headers.json" "$1"
}
DELIVERY=$(header x-codestax-delivery)
STAMP=$(header webhook-timestamp)
SIG_CODESTAX="sha256=$(openssl dgst -sha256 -hmac "$SECRET" -r "$BODY" | cut -d' ' -f1)"
KEY_HEX=$(printf '%s' "${SECRET#whsec_}" | base64 -d | od -An -v -tx1 | tr -d ' \n')
SIG_STANDARD="v1,$({ printf '%s.%s.' "$DELIVERY" "$STAMP"; cat "$BODY"; } |
    openssl dgst -sha256 -mac HMAC -macopt "hexkey:$KEY_HEX" -binary | base64)"
[ "$SIG_CODESTAX" = "$(header x-codestax-signature)" ] ||
    die "openssl's X-CodeStax-Signature differs from staxhook's"
[ "$SIG_STANDARD" = "$(header webhook-signature)" ] ||
    die "openssl's webhook-signature differs from staxhook's"
CURL_HEADERS="-H 'Content-Type: application/json' -H 'User-Agent: $(header user-agent)' \
-H 'X-CodeStax-Event: scan_complete' -H 'X-CodeStax-Delivery: $DELIVERY' \
-H 'X-CodeStax-Signature: $SIG_CODESTAX' -H 'webhook-id: $DELIVERY' \
-H 'webhook-timestamp: $STAMP' -H 'webhook-signature: $SIG_STANDARD'"
CURL="curl -sS --fail -o /dev/null $CURL_HEADERS --data-binary @$BODY http://127.0.0.1:$FAST/hook"
eval "$CURL" || die "curl to the loopback endpoint failed"
echo "$CURL" >"$RAW/curl_command.txt"

# Diagnostic only (not the target): the same emit with its history on tmpfs, where fsync
# costs nothing, to tell the history's fsyncs apart from everything else.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    SHM=$(mktemp -d /dev/shm/staxhook-bench.XXXXXX)
    echo "shm $SHM" >>"$WORK/cleanup-dirs"
else
    SHM="$WORK/shm-unavailable"
    mkdir -p "$SHM"
fi
write_config "$WORK/single-tmpfs.toml" "$SHM/single.db" "$FAST" 1
EMIT_TMPFS="$BIN --config $WORK/single-tmpfs.toml emit scan_complete --repo $REPO --set scan_id=bench-0001"
# BENCH_IO_STRESS=1: during this section only, another process keeps writing and fsyncing
# 32 MiB at a time (as a parallel build on a shared CI machine does), to show how emit's
# fsyncs fare under disk contention. Bounded to 3 minutes; stopped after the section.
if [ "${BENCH_IO_STRESS:-0}" = 1 ]; then
    echo "io stress: on during section 1 (dd 32 MiB conv=fsync in a loop)" >>"$RAW/machine.txt"
    (
        end=$((SECONDS + 180))
        while [ $SECONDS -lt $end ] && [ ! -e "$WORK/stress.stop" ]; do
            dd if=/dev/zero of="$WORK/stress.bin" bs=1M count=32 conv=fsync status=none
        done
        rm -f "$WORK/stress.bin"
    ) &
    echo $! >>"$WORK/pids"
fi
for round in $(seq "$SINGLE_ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then
        hf "single_$round" --warmup 5 --runs "$SINGLE_RUNS" -n staxhook -n curl -n staxhook_tmpfs \
            "$EMIT" "$CURL" "$EMIT_TMPFS"
    else
        hf "single_$round" --warmup 5 --runs "$SINGLE_RUNS" -n staxhook_tmpfs -n curl -n staxhook \
            "$EMIT_TMPFS" "$CURL" "$EMIT"
    fi
done

touch "$WORK/stress.stop"
wait_for_stress=0
while [ -e "$WORK/stress.bin" ] && [ $wait_for_stress -lt 100 ]; do
    sleep 0.1
    wait_for_stress=$((wait_for_stress + 1))
done

# --- 2. fan-out to 50 slow webhooks ---------------------------------------------------------
say "2. emit to 50 webhooks that each answer after 200 ms"
SLOW=$(start_server slow 200)
write_config "$WORK/fanout.toml" "$WORK/fanout.db" "$SLOW" 50
EMIT50="$BIN --config $WORK/fanout.toml emit scan_complete --repo $REPO --set scan_id=bench-0001"
{
    for i in $(seq 0 49); do
        printf 'url = "http://127.0.0.1:%s/hook/%02d"\noutput = "/dev/null"\n' "$SLOW" "$i"
    done
} >"$WORK/curl50.cfg"
CURL50_8="curl -sS --fail -Z --parallel-immediate --parallel-max 8 $CURL_HEADERS --data-binary @$BODY -K $WORK/curl50.cfg"
CURL50_50="curl -sS --fail -Z --parallel-immediate --parallel-max 50 $CURL_HEADERS --data-binary @$BODY -K $WORK/curl50.cfg"
hf fanout --warmup 1 --runs "$FANOUT_RUNS" -n staxhook -n curl8 -n curl50 "$EMIT50" "$CURL50_8" "$CURL50_50"
rows=$(sqlite3 "$WORK/fanout.db" "SELECT count(*) FROM deliveries WHERE status = 'delivered'")
expected=$((50 * (FANOUT_RUNS + 1)))
[ "$rows" = "$expected" ] || die "fan-out: $rows delivered rows, expected $expected"

# --- 3. peak memory --------------------------------------------------------------------------
say "3. peak memory"
{
    for _ in $(seq 5); do echo "emit1 $(peak_rss_kb $EMIT)"; done
    for _ in $(seq 2); do echo "emit50 $(peak_rss_kb $EMIT50)"; done
    for _ in $(seq 5); do echo "dryrun $(peak_rss_kb $EMIT --dry-run)"; done
    # curl through bash -c because its command line holds quoted headers.
    for _ in $(seq 5); do echo "curl1 $(peak_rss_kb bash -c "$CURL")"; done
    for _ in $(seq 2); do echo "curl50 $(peak_rss_kb bash -c "$CURL50_8")"; done
} >"$RAW/rss.txt"

# --- 4. verify of a 1 GiB body ------------------------------------------------------------
say "4. verify of a ${VERIFY_MIB} MiB body vs openssl dgst -sha256 -hmac"
BIG="$WORK/body.json"
python3 - "$BIG" "$VERIFY_MIB" <<'EOF'
# An envelope whose data holds ~10 million findings: a JSON body of exactly MIB MiB.
import sys
path, total = sys.argv[1], int(sys.argv[2]) * 1024 * 1024
head = b'{"event":"scan_complete","timestamp":"2026-01-01T00:00:00Z","repository":"myorg/backend-api","data":{"findings":['
item = b'{"cve_id":"CVE-2021-44228","package":{"name":"log4j-core","version":"2.14.1"},"severity":"critical"},'
tail = b'{}]}}\n'
fill = total - len(head) - len(tail)
block = item * (1024 * 1024 // len(item))
with open(path, "wb") as out:
    out.write(head)
    while fill >= len(block):
        out.write(block)
        fill -= len(block)
    out.write(item * (fill // len(item)) + b" " * (fill % len(item)))
    out.write(tail)
EOF
BIG_BYTES=$(stat -c %s "$BIG")
BIG_SIG="sha256=$(openssl dgst -sha256 -hmac "$SECRET" -r "$BIG" | cut -d' ' -f1)" # also warms the page cache
VERIFY="$BIN verify --secret $SECRET --signature $BIG_SIG $BIG"
OPENSSL="openssl dgst -sha256 -hmac $SECRET $BIG"
[ "$($VERIFY)" = valid ] || die "verify did not accept the body openssl signed"
for round in $(seq "$VERIFY_ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then
        hf "verify_$round" --warmup 1 --runs "$VERIFY_RUNS" -n staxhook -n openssl "$VERIFY" "$OPENSSL"
    else
        hf "verify_$round" --warmup 1 --runs "$VERIFY_RUNS" -n openssl -n staxhook "$OPENSSL" "$VERIFY"
    fi
done
{
    echo "bytes $BIG_BYTES"
    echo "verify $(peak_rss_kb $VERIFY)"
    echo "openssl $(peak_rss_kb $OPENSSL)"
} >"$RAW/verify_rss.txt"
rm -f "$BIG"

# --- 5. log on a 1,000,000-row history -------------------------------------------------------
say "5. log --limit 50 with filters on a ${LOG_ROWS}-row history"
write_config "$WORK/log.toml" "$WORK/log.db" "$FAST" 1
# staxhook creates the file (its own schema, indexes and version) with one real emit ...
"$BIN" --config "$WORK/log.toml" emit scan_complete --repo "$REPO" --set scan_id=seed >/dev/null
# ... and the rows are bulk-inserted with the same columns.
python3 "$ROOT/bench/gen_history.py" "$WORK/log.db" "$LOG_ROWS" 2>"$RAW/log_generation.txt"
LOG="$BIN --config $WORK/log.toml log --limit 50"
hf log --warmup 3 --runs "$LOG_RUNS" \
    -n "log --limit 50 --webhook hook07 --event kev_found" \
    -n "log --limit 50" \
    -n "log --limit 50 --webhook hook07" \
    -n "log --limit 50 --event kev_found" \
    -n "log --limit 50 --status failed" \
    -n "log --limit 50 --since 1d" \
    -n "log --limit 50 --webhook hook07 --status pending" \
    -n "log --limit 50 --webhook hook07 --event kev_found --status failed" \
    -n "log --limit 50 --repo org7/repo27" \
    -n "log --json --limit 50 --webhook hook07 --event kev_found" \
    "$LOG --webhook hook07 --event kev_found" \
    "$LOG" \
    "$LOG --webhook hook07" \
    "$LOG --event kev_found" \
    "$LOG --status failed" \
    "$LOG --since 1d" \
    "$LOG --webhook hook07 --status pending" \
    "$LOG --webhook hook07 --event kev_found --status failed" \
    "$LOG --repo org7/repo27" \
    "$BIN --config $WORK/log.toml --json log --limit 50 --webhook hook07 --event kev_found"
# The reference: the sqlite3 shell running the same query (as built in src/history/query.rs).
COLUMNS_SQL="id, delivery_id, created_at, webhook, channel, event, repository, test, status, http_status, attempts, duration_ms, error"
hf log_reference --warmup 3 --runs "$LOG_RUNS" -n sqlite3 \
    "sqlite3 $WORK/log.db \"SELECT $COLUMNS_SQL FROM deliveries WHERE webhook = 'hook07' AND event = 'kev_found' ORDER BY created_at DESC, id DESC LIMIT 50\""
echo "log $(peak_rss_kb $LOG --webhook hook07 --event kev_found)" >"$RAW/log_rss.txt"
# Query plans of every filter combination `log` can build (mirrors list_statement).
python3 - "$WORK/log.db" "$COLUMNS_SQL" >"$RAW/log_plans.json" <<'EOF'
import itertools, json, sqlite3, sys
db, columns = sys.argv[1], sys.argv[2]
filters = [("webhook", "webhook = ?", "hook07"), ("event", "event = ?", "kev_found"),
           ("status", "status = ?", "failed"), ("repository", "repository = ?", "org7/repo27"),
           ("since", "created_at >= ?", 0)]
connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
plans = []
for n in range(len(filters) + 1):
    for combo in itertools.combinations(filters, n):
        where = " AND ".join(f[1] for f in combo)
        sql = f"SELECT {columns} FROM deliveries" + (f" WHERE {where}" if where else "") + \
              " ORDER BY created_at DESC, id DESC LIMIT ?"
        rows = connection.execute("EXPLAIN QUERY PLAN " + sql, [f[2] for f in combo] + [50]).fetchall()
        detail = [r[-1] for r in rows]
        full_scan = any(d.startswith("SCAN deliveries") and "USING" not in d for d in detail)
        sorts = any("TEMP B-TREE" in d for d in detail)
        plans.append({"filters": [f[0] for f in combo] or ["(none)"], "plan": detail,
                      "full_scan": full_scan, "temp_sort": sorts})
print(json.dumps(plans, indent=1))
EOF
rm -f "$WORK"/log.db*

# --- 6. 8 processes x 100 emits into one history ---------------------------------------------
say "6. 8 processes x 100 emits into one history"
write_config "$WORK/shared.toml" "$WORK/shared.db" "$FAST" 1
run_parallel() { # KIND(staxhook|curl) -> writes raw/parallel_KIND.txt
    local kind=$1 start end
    rm -f "$WORK"/par.*
    start=$(date +%s%N)
    for p in $(seq 8); do
        (
            failures=0
            for i in $(seq 100); do
                if [ "$kind" = staxhook ]; then
                    "$BIN" --config "$WORK/shared.toml" emit scan_complete --repo "$REPO" \
                        --set "scan_id=p$p-$i" >/dev/null 2>>"$WORK/par.err.$p" || failures=$((failures + 1))
                else
                    eval "$CURL" 2>>"$WORK/par.err.$p" || failures=$((failures + 1))
                fi
            done
            echo "$failures" >"$WORK/par.fail.$p"
        ) &
    done
    wait
    end=$(date +%s%N)
    {
        echo "elapsed_ns $((end - start))"
        echo "failures $(cat "$WORK"/par.fail.* | awk '{s += $1} END {print s}')"
        echo "stderr_lines $(cat "$WORK"/par.err.* | wc -l)"
        if [ "$kind" = staxhook ]; then
            echo "rows $(sqlite3 "$WORK/shared.db" "SELECT count(*) FROM deliveries")"
            echo "delivered $(sqlite3 "$WORK/shared.db" "SELECT count(*) FROM deliveries WHERE status = 'delivered'")"
            echo "distinct_scan_ids $(sqlite3 "$WORK/shared.db" "SELECT count(DISTINCT json_extract(request_body, '\$.data.scan_id')) FROM deliveries")"
            echo "attempts $(sqlite3 "$WORK/shared.db" "SELECT count(*) FROM attempts")"
            echo "integrity $(sqlite3 "$WORK/shared.db" "PRAGMA integrity_check")"
        fi
    } >"$RAW/parallel_$kind.txt"
    cat "$WORK"/par.err.* >"$RAW/parallel_${kind}_stderr.txt" 2>/dev/null || true
}
run_parallel staxhook
run_parallel curl

# --- 7. where the time of one delivery goes ---------------------------------------------------
say "7. the single-delivery path, step by step"
write_config "$WORK/localhost.toml" "$WORK/single.db" "$FAST" 1 localhost
write_config "$WORK/fresh.toml" "$WORK/fresh.db" "$FAST" 1
# A retention beyond the calendar makes emit skip its prune (the cutoff cannot be computed):
# the difference to a plain emit is what a prune costs when an emit runs one (one in 16).
write_config "$WORK/noprune.toml" "$WORK/single.db" "$FAST" 1
sed -i 's/^\[defaults\]$/[defaults]\nretention = "10000000d"/' "$WORK/noprune.toml"
EMIT_ARGS="emit scan_complete --repo $REPO --set scan_id=bench-0001"
# Several short rounds, the order rotated each round, so a burst of load from elsewhere
# lands on a few runs of every step rather than on all runs of one step.
STEP_NAMES=(
    "staxhook --version (process start)"
    "staxhook webhook list (+ config parse)"
    "emit --dry-run (+ format, sign, print)"
    "emit to http://127.0.0.1 (+ client, SQLite, HTTP)"
    "emit, prune skipped"
    "emit to http://localhost (+ DNS lookup)"
    "curl (reference)"
)
STEP_COMMANDS=(
    "$BIN --version"
    "$BIN webhook list"
    "$EMIT --dry-run"
    "$EMIT"
    "$BIN --config $WORK/noprune.toml $EMIT_ARGS"
    "$BIN --config $WORK/localhost.toml $EMIT_ARGS"
    "$CURL"
)
steps=${#STEP_NAMES[@]}
for round in $(seq "$PROFILE_ROUNDS"); do
    args=()
    for k in $(seq 0 $((steps - 1))); do
        j=$(((k + round) % steps))
        args+=(-n "${STEP_NAMES[$j]}")
    done
    for k in $(seq 0 $((steps - 1))); do
        j=$(((k + round) % steps))
        args+=("${STEP_COMMANDS[$j]}")
    done
    hf "profile_$round" --warmup 3 --runs "$PROFILE_RUNS" "${args[@]}"
done
if command -v strace >/dev/null; then
    strace -f -c -o "$RAW/strace_emit.txt" $EMIT >/dev/null 2>&1 || true
fi
hf profile_fresh --warmup 3 --runs "$PROFILE_RUNS" \
    --prepare "rm -f $WORK/fresh.db $WORK/fresh.db-wal $WORK/fresh.db-shm" \
    -n "emit into a new history file (+ create, migrate)" \
    "$BIN --config $WORK/fresh.toml $EMIT_ARGS"
# While another process has the history open, the emit closing it is not the last
# connection, so it neither checkpoints the WAL into the database nor deletes the -wal and
# -shm files, and the next emit need not re-create them nor rebuild the WAL index: an upper
# bound of what a persistent WAL could save (benches/wal_close.rs measures the real options).
# Paired rounds: a plain emit block, then the same with the history held open.
for round in $(seq "$PROFILE_ROUNDS"); do
    hf "plain_$round" --warmup 3 --runs "$PROFILE_RUNS" -n "emit (plain, paired)" "$EMIT"
    rm -f "$WORK/holder.ready"
    python3 -c 'import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1])
c.execute("SELECT count(*) FROM deliveries").fetchall()
open(sys.argv[2], "w").write("ready")
time.sleep(3600)' "$WORK/single.db" "$WORK/holder.ready" </dev/null >/dev/null 2>&1 &
    HOLDER=$!
    echo "$HOLDER" >>"$WORK/pids"
    for _ in $(seq 100); do [ -s "$WORK/holder.ready" ] && break; sleep 0.05; done
    hf "held_$round" --warmup 3 --runs "$PROFILE_RUNS" \
        -n "emit, history held open elsewhere (no checkpoint, no WAL re-create)" "$EMIT"
    kill "$HOLDER" 2>/dev/null || true
    wait "$HOLDER" 2>/dev/null || true
done

# --- the table ----------------------------------------------------------------------------------
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$RAW/machine.txt"
mkdir -p "$OUT"
python3 "$ROOT/bench/report.py" "$RAW" | tee "$OUT/results.md"
printf '\nbench: table in %s, raw data in %s\n' "$OUT/results.md" "$OUT/raw" >&2
