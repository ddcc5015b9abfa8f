#!/usr/bin/env bash
# The PostgreSQL history benchmark (docs/reference.md §10): against a throw-away local server,
# in the same run as the SQLite figures it is compared with.
#
#   bash bench/postgres.sh          # ~3 min after the release build
#
# 1. `emit` of one event to one loopback endpoint, history on PostgreSQL vs on SQLite
#    (target: ≤ 2×), rounds rotating which goes first, median of the per-round ratios; the
#    server reached as a runner elsewhere would (TCP, scram-sha-256 password) and as a client
#    on the same machine would (its Unix socket, peer authentication: Debian's defaults);
# 2. `log --limit 50` with filters on a 1,000,000-row PostgreSQL history (≤ 100 ms);
# 3. 8 processes × 100 `emit`s into one PostgreSQL history (800 rows, no error);
# 4. a 50,000-finding report reconciled on PostgreSQL (≤ 3 s), first and second run.
# Starts its own server (initdb + pg_ctl on a free loopback port, as the `postgres` user when
# run as root) and a Python loopback endpoint; stops both and removes everything on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECRET="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
say() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
[ -x /usr/bin/time ] || missing+=(time)
command -v psql >/dev/null || missing+=(postgresql-client)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi
PGBIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)")
[ -x "$PGBIN/initdb" ] || PGBIN=$(dirname "$(command -v initdb)")

say "building (cargo build --release --locked)"
(cd "$ROOT" && cargo build --release --locked >&2)
BIN="$ROOT/target/release/staxhook"

WORK=$(mktemp -d)
chmod 755 "$WORK"
cleanup() {
    [ -f "$WORK/pids" ] && xargs -r kill 2>/dev/null <"$WORK/pids" || true
    as_postgres "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
export XDG_DATA_HOME="$WORK/data" XDG_CONFIG_HOME="$WORK/config" NO_COLOR=1
unset STAXHOOK_CONFIG STAXHOOK_HISTORY STAXHOOK_NOW

# The server refuses to run as root.
as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

say "starting PostgreSQL ($PGBIN)"
mkdir -p "$WORK/pg"
[ "$(id -u)" = 0 ] && chown postgres "$WORK/pg"
PASSWORD="bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$PASSWORD" >"$WORK/pg/pwfile"
[ "$(id -u)" = 0 ] && chown postgres "$WORK/pg/pwfile"
# Debian's and Ubuntu's defaults: peer for the socket, a scram-sha-256 password over TCP.
as_postgres "$PGBIN/initdb" -D "$WORK/pg/data" -U staxhook --auth-local=peer --auth-host=scram-sha-256 \
    --pwfile="$WORK/pg/pwfile" >"$WORK/initdb.log" 2>&1 || die "initdb failed: $(cat "$WORK/initdb.log")"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_postgres "$PGBIN/pg_ctl" -D "$WORK/pg/data" -w -l "$WORK/pg/log" \
    -o "-p $PORT -k $WORK/pg -c listen_addresses=127.0.0.1" start >/dev/null
export PGPASSWORD="$PASSWORD"
sql() { psql -X -q -t -A -h 127.0.0.1 -p "$PORT" -U staxhook -d "${DB:-postgres}" -c "$1"; }
sql "CREATE DATABASE bench" >/dev/null
URL="postgres://staxhook@127.0.0.1:$PORT/bench"
# Peer authentication lets in the operating-system user as the role of the same name.
ME=$(id -un)
sql "CREATE ROLE \"$ME\" LOGIN" >/dev/null
sql "CREATE DATABASE bench_socket OWNER \"$ME\"" >/dev/null
SOCKET_URL="postgres://$ME@$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$WORK/pg"):$PORT/bench_socket"
PGVERSION=$(sql "SHOW server_version")

say "starting the loopback endpoint"
python3 "$ROOT/bench/server.py" --port-file "$WORK/endpoint.port" --delay-ms 0 \
    >"$WORK/endpoint.log" 2>&1 </dev/null &
echo $! >>"$WORK/pids"
for _ in $(seq 200); do [ -s "$WORK/endpoint.port" ] && break; sleep 0.05; done
[ -s "$WORK/endpoint.port" ] || die "endpoint did not start: $(cat "$WORK/endpoint.log")"
ENDPOINT=$(cat "$WORK/endpoint.port")

# write_config FILE HISTORY
write_config() {
    printf '[defaults]\nhistory = "%s"\n\n[webhooks.bench]\nurl = "http://127.0.0.1:%s/hook"\nsecret = "%s"\n' \
        "$2" "$ENDPOINT" "$SECRET" >"$1"
    chmod 600 "$1"
}
write_config "$WORK/sqlite.toml" "$WORK/history.db"
write_config "$WORK/postgres.toml" "$URL"
write_config "$WORK/socket.toml" "$SOCKET_URL"
EMIT=(emit scan_complete --repo myorg/backend-api --set scan_id=bench)
# Both histories exist before timing starts (schema created, migrations done).
"$BIN" --config "$WORK/sqlite.toml" -q "${EMIT[@]}" >/dev/null
"$BIN" --config "$WORK/postgres.toml" -q "${EMIT[@]}" >/dev/null
"$BIN" --config "$WORK/socket.toml" -q "${EMIT[@]}" >/dev/null

# --- 1 ------------------------------------------------------------------------------------
say "1. emit with the history on PostgreSQL vs on SQLite"
for round in 1 2 3 4 5 6; do
    commands=()
    for name in sqlite postgres socket; do
        commands+=("$BIN --config $WORK/$name.toml -q ${EMIT[*]}")
    done
    # Each round starts with a different one of the three.
    shift_by=$((round % 3))
    order=("${commands[@]:$shift_by}" "${commands[@]:0:$shift_by}")
    hyperfine -N --warmup 3 --runs 40 --export-json "$WORK/emit-$round.json" "${order[@]}" >/dev/null 2>&1
done
# One table row per way of reaching the server: its median, SQLite's, the median of the
# per-round ratios and their range.
emit_line() {
    python3 - "$1" "$WORK" <<'PY'
import json, statistics, sys
name, work = sys.argv[1], sys.argv[2]
rows = []
for round in range(1, 7):
    medians = {}
    for result in json.load(open(f"{work}/emit-{round}.json"))["results"]:
        for candidate in ("sqlite", "postgres", "socket"):
            if f"/{candidate}.toml" in result["command"]:
                medians[candidate] = result["median"]
    rows.append((medians[name] * 1000, medians["sqlite"] * 1000, medians[name] / medians["sqlite"]))
pg = statistics.median(r[0] for r in rows); lite = statistics.median(r[1] for r in rows)
ratio = statistics.median(r[2] for r in rows)
print(f"{pg:.1f} ms | {lite:.1f} ms | **{ratio:.2f}×** (rounds {min(r[2] for r in rows):.2f}–{max(r[2] for r in rows):.2f}×, 6 rounds × 40 runs)")
PY
}
EMIT_LINE=$(emit_line postgres)
SOCKET_LINE=$(emit_line socket)

# --- 2 ------------------------------------------------------------------------------------
say "2. log --limit 50 on 1,000,000 rows in PostgreSQL"
DB=bench sql "
INSERT INTO staxhook.deliveries (delivery_id, created_at, webhook, channel, event, repository, test,
    status, http_status, attempts, duration_ms, error, request_url, request_headers, request_body)
SELECT
    lpad(to_hex(i), 8, '0') || '-0000-4000-8000-' || lpad(i::text, 12, '0'),
    (extract(epoch FROM now()) * 1000)::bigint - 2583360000 + (i::bigint * 2583360000) / 1000000,
    'hook' || lpad((i % 50)::text, 2, '0'),
    'generic',
    (ARRAY['scan_complete','critical_vulnerability','kev_found','policy_violation','sla_breach'])[(i / 50) % 5 + 1],
    'org' || (i % 20) || '/repo' || (i % 200),
    false,
    CASE WHEN (i / 250) % 100 = 0 THEN 'pending' WHEN (i / 250) % 20 = 1 THEN 'failed' ELSE 'delivered' END,
    CASE WHEN (i / 250) % 100 = 0 THEN NULL WHEN (i / 250) % 20 = 1 THEN 503 ELSE 200 END,
    CASE WHEN (i / 250) % 100 = 0 THEN 0 WHEN (i / 250) % 20 = 1 THEN 5 ELSE 1 END,
    40 + i % 300,
    CASE WHEN (i / 250) % 20 = 1 THEN 'gave up after 5 attempts: HTTP 503' END,
    'https://siem.example.com/hooks/h' || lpad((i % 50)::text, 2, '0'),
    '[[\"Content-Type\",\"application/json\"],[\"User-Agent\",\"staxhook/0.1.0\"]]',
    '{\"event\":\"scan_complete\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"repository\":\"org/repo\",\"data\":{\"scan_id\":\"scan-' || i || '\"}}'
FROM generate_series(0, 999999) AS i;
ANALYZE staxhook.deliveries;" >/dev/null
ROWS=$(DB=bench sql "SELECT count(*) FROM staxhook.deliveries")
LOG_LINES=()
for filters in "--webhook hook07 --event kev_found" "" "--webhook hook07" "--event kev_found" \
    "--status failed" "--since 1d" "--webhook hook07 --status pending" \
    "--webhook hook07 --event kev_found --status failed"; do
    # shellcheck disable=SC2086
    hyperfine -N --warmup 3 --runs 30 --export-json "$WORK/log.json" \
        "$BIN --config $WORK/postgres.toml log --limit 50 $filters" >/dev/null 2>&1
    median=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f" % (r["median"] * 1000))' "$WORK/log.json")
    LOG_LINES+=("| \`log --limit 50 $filters\` | $median ms |")
    [ -n "${LOG_FIRST:-}" ] || LOG_FIRST=$median
done

# --- 3 ------------------------------------------------------------------------------------
say "3. 8 processes × 100 emits into one PostgreSQL history"
DB=bench sql "TRUNCATE staxhook.deliveries CASCADE" >/dev/null 2>&1
started=$(date +%s.%N)
runners=()
for runner in $(seq 8); do
    (
        for n in $(seq 100); do
            "$BIN" --config "$WORK/postgres.toml" -q emit scan_complete --repo "myorg/runner$runner" \
                --set "scan_id=r$runner-$n" >/dev/null || echo "emit failed: runner $runner, emit $n"
        done
    ) >"$WORK/runner-$runner.out" 2>&1 &
    runners+=($!)
done
# Only the runners: a bare `wait` would also wait for the endpoint, which never ends.
wait "${runners[@]}"
elapsed=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$started" "$(date +%s.%N)")
RUNNER_ROWS=$(DB=bench sql "SELECT count(*) FROM staxhook.deliveries")
RUNNER_DELIVERED=$(DB=bench sql "SELECT count(*) FROM staxhook.deliveries WHERE status = 'delivered'")
RUNNER_DISTINCT=$(DB=bench sql "SELECT count(DISTINCT request_body) FROM staxhook.deliveries")
RUNNER_ERRORS=$(cat "$WORK"/runner-*.out | wc -l)

# --- 4 ------------------------------------------------------------------------------------
say "4. a 50,000-finding report reconciled on PostgreSQL"
python3 "$ROOT/bench/big_trivy_report.py" "$WORK/big.json"
printf '[defaults]\nhistory = "%s"\n' "$URL" >"$WORK/report.toml"
chmod 600 "$WORK/report.toml"
report_run() {
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$BIN" --config "$WORK/report.toml" -q \
        emit --report "$WORK/big.json" --repo bench/big >/dev/null 2>"$WORK/report.err" || true
    read -r seconds kilobytes <"$WORK/time"
    printf '%.2f s, %.0f MB' "$seconds" "$(awk "BEGIN{print $kilobytes/1024}")"
}
REPORT_FIRST=$(report_run)
REPORT_SECOND=$(report_run)
FINDINGS=$(DB=bench sql "SELECT count(*) FROM staxhook.findings")

# --- the table ----------------------------------------------------------------------------
cat <<EOF
## PostgreSQL history benchmark

\`\`\`
date: $(date -u '+%Y-%m-%d %H:%M UTC')
commit: $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
nproc: $(nproc); load at end: $(cut -d' ' -f1-3 /proc/loadavg)
PostgreSQL: $PGVERSION, default settings (fsync on), on 127.0.0.1 (scram-sha-256) and its socket (peer); SQLite: the bundled one
\`\`\`

| measurement | PostgreSQL | SQLite (same run) | result | target |
|---|---|---|---|---|
| 1. \`emit\` 1 event → 1 loopback endpoint, whole process; PostgreSQL over TCP, scram-sha-256 password | $EMIT_LINE | ≤ 2× |
| 1′. the same, PostgreSQL through its Unix socket, peer authentication | $SOCKET_LINE | ≤ 2× |
| 2. \`log --limit 50 --webhook hook07 --event kev_found\` on $ROWS rows | $LOG_FIRST ms (median of 30) | | | ≤ 100 ms |
| 3. 8 processes × 100 \`emit\`s into one history | $RUNNER_ROWS rows ($RUNNER_DELIVERED delivered, $RUNNER_DISTINCT distinct), $RUNNER_ERRORS error lines, ${elapsed} s | | | 800 rows, no error |
| 4. 50,000-finding report, first run (all new) | $REPORT_FIRST ($FINDINGS findings stored) | | | ≤ 3 s |
| 4. 50,000-finding report, second run (all known) | $REPORT_SECOND | | | ≤ 3 s |

\`log\` with other filters on the same $ROWS rows (median of 30):

| command | median |
|---|---|
$(printf '%s\n' "${LOG_LINES[@]}")
EOF
