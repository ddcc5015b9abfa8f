#!/usr/bin/env bash
# Standard Webhooks check: real staxhook requests, sent by the real binary over loopback HTTP,
# verified by the Standard Webhooks reference library (PyPI `standardwebhooks`, pinned in
# requirements.txt) in conformance/standard_webhooks_receiver.py. A receiver that uses that
# library, or a port of it in any language, accepts what staxhook sends.
#
# Cases, one line each (`ok …` or `FAIL …: why`), then `standard-webhooks: N passed, N failed`:
#   emit EVENT          every event with small data → exit 0, the receiver verified it (204)
#   send-test           → exit 0, verified
#   rotate-secret       `webhook rotate-secret --grace 1h`; a receiver that still has only the
#                       OLD secret verifies the next emit (both signatures are sent), and so
#                       does one that has only the NEW secret
#   wrong secret        a receiver with another secret answers 401 → emit exits 1
# Exits 1 if any case failed. Takes a few seconds.
#
#   bash conformance/standard_webhooks.sh            # installs the venv and builds if needed
#   bash conformance/standard_webhooks.sh BINARY     # as run.sh calls it (venv already set up)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
export PYTHONDONTWRITEBYTECODE=1
started=$SECONDS

if [[ $# -ge 1 ]]; then
    bin="$1"
else
    bash "$here/setup.sh" >/dev/null
    (cd "$root" && cargo build --locked --quiet)
    bin="${CARGO_TARGET_DIR:-$root/target}/debug/staxhook"
fi
py="$root/.tools/venv/bin/python"
library_version="$("$py" -c 'import standardwebhooks; print(standardwebhooks.__version__)')"

# The receiver's known secret: base64 of "staxhook standard webhooks check" (32 bytes, the
# size staxhook generates). WRONG_SECRET is any other key.
SECRET="whsec_c3RheGhvb2sgc3RhbmRhcmQgd2ViaG9va3MgY2hlY2s="
WRONG_SECRET="whsec_bm90IHRoZSBzZWNyZXQgc3RheGhvb2sgc2lnbnMgd2l0aA=="
HOOK="standard-webhooks"
REPO="acme/standard-webhooks"

work="$(mktemp -d "${TMPDIR:-/tmp}/staxhook-standard-webhooks.XXXXXX")"
receiver_pid=""
receiver_log=""
receivers=0
port=0

stop_receiver() {
    if [[ -n "$receiver_pid" ]]; then
        kill "$receiver_pid" 2>/dev/null || true
        wait "$receiver_pid" 2>/dev/null || true
        receiver_pid=""
    fi
}
cleanup() {
    stop_receiver
    rm -rf "$work"
}
trap cleanup EXIT

# start_receiver SECRET PORT: sets receiver_pid, receiver_log and port (PORT 0: a free one).
start_receiver() {
    receivers=$((receivers + 1))
    receiver_log="$work/receiver.$receivers.log"
    STANDARD_WEBHOOKS_SECRET="$1" "$py" "$here/standard_webhooks_receiver.py" "$2" \
        >"$receiver_log" 2>&1 </dev/null &
    receiver_pid=$!
    local line
    for _ in $(seq 100); do
        if line="$(grep -m1 '^port=' "$receiver_log")"; then
            port="${line#port=}"
            return 0
        fi
        kill -0 "$receiver_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "FAIL receiver did not start:" >&2
    sed 's/^/    /' "$receiver_log" >&2
    exit 1
}

# A throw-away config, history and home; nothing of the caller's environment leaks in.
unset GITHUB_REPOSITORY CI_PROJECT_PATH BITBUCKET_REPO_FULL_NAME BUILD_REPOSITORY_NAME
mkdir -p "$work/home"
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"
export STAXHOOK_CONFIG="$work/staxhook.toml" STAXHOOK_HISTORY="$work/history.db" NO_COLOR=1
export NO_PROXY="127.0.0.1,localhost" no_proxy="127.0.0.1,localhost"
cd "$work"   # no git checkout here, so send-test's repository is not the caller's

start_receiver "$SECRET" 0
cat >"$STAXHOOK_CONFIG" <<EOF
# staxhook Standard Webhooks check (written by conformance/standard_webhooks.sh)
[webhooks.$HOOK]
channel = "generic"
url = "http://127.0.0.1:$port/hooks/standard-webhooks"
secret = "$SECRET"
max_attempts = 1
timeout = "5s"
EOF
chmod 600 "$STAXHOOK_CONFIG"

passed=0
failed=0
# case_run LABEL EXPECTED_EXIT RECEIVER_LINE_REGEX COMMAND...: runs staxhook; the case passes
# when it exits EXPECTED_EXIT and the receiver logged exactly one new line, matching the regex.
case_run() {
    local label="$1" want_rc="$2" want_line="$3" rc=0
    shift 3
    local before
    before="$(grep -cE '^(valid|invalid) ' "$receiver_log" || true)"
    timeout 20 "$bin" "$@" >"$work/out" 2>"$work/err" </dev/null || rc=$?
    local lines new
    lines="$(grep -E '^(valid|invalid) ' "$receiver_log" || true)"
    new="$(printf '%s\n' "$lines" | tail -n +$((before + 1)) | sed '/^$/d')"
    local count
    count="$(printf '%s' "$new" | grep -c . || true)"
    local problems=()
    [[ "$rc" == "$want_rc" ]] || problems+=("staxhook exited $rc, expected $want_rc")
    if [[ "$count" != 1 ]]; then
        problems+=("receiver logged $count requests, expected 1")
    elif ! grep -qE "$want_line" <<<"$new"; then
        problems+=("receiver: $new")
    fi
    if [[ ${#problems[@]} -eq 0 ]]; then
        echo "ok $label (exit $rc; receiver: $new)"
        passed=$((passed + 1))
    else
        local joined
        joined="$(printf '%s; ' "${problems[@]}")"
        echo "FAIL $label: ${joined%; }"
        [[ -n "$new" && "$count" != 1 ]] && sed 's/^/    receiver: /' <<<"$new"
        sed 's/^/    staxhook: /' "$work/err" | tail -n 5
        failed=$((failed + 1))
    fi
}

declare -A DATA=(
    [scan_complete]='{"scan_id":"scan_swh_1","branch":"feature/ünïcode-✓","summary":{"critical":1,"high":2,"medium":0,"low":3}}'
    [critical_vulnerability]='{"cve_id":"CVE-2024-3094","severity":"critical","cvss_score":10.0,"package":{"name":"xz","version":"5.6.0","ecosystem":"deb"},"fixed_version":"5.6.2"}'
    [kev_found]='{"cve_id":"CVE-2021-44228","package":{"name":"log4j-core","version":"2.14.1"},"kev":{"due_date":"2021-12-24"}}'
    [policy_violation]='{"policy":"no-critical-vulnerabilities","result":"fail","violations":2}'
    [sla_breach]='{"cve_id":"CVE-2024-3094","package":{"name":"xz"},"due_at":"2026-01-01T00:00:00Z"}'
)
EVENTS=(scan_complete critical_vulnerability kev_found policy_violation sla_breach)

echo "(standardwebhooks $library_version, receiver on 127.0.0.1:$port)"
# (a) every event
for event in "${EVENTS[@]}"; do
    case_run "emit $event" 0 "^valid .* event=$event signatures=1\$" \
        emit "$event" --webhook "$HOOK" --repo "$REPO" --data "${DATA[$event]}"
done

# (b) send-test
case_run "send-test" 0 "^valid .* event=scan_complete signatures=1\$" send-test "$HOOK"

# (c) rotation: the old-secret receiver keeps accepting during the grace period, and a
# receiver that already has the new secret accepts too.
rc=0
new_secret="$(timeout 20 "$bin" webhook rotate-secret "$HOOK" --grace 1h 2>"$work/err" </dev/null)" || rc=$?
if [[ "$rc" == 0 && "$new_secret" == whsec_* && "$new_secret" != "$SECRET" ]]; then
    echo "ok webhook rotate-secret --grace 1h (a new whsec_ secret)"
    passed=$((passed + 1))
else
    echo "FAIL webhook rotate-secret --grace 1h: exit $rc, printed ${#new_secret} characters"
    sed 's/^/    staxhook: /' "$work/err" | tail -n 5
    failed=$((failed + 1))
    new_secret="$WRONG_SECRET"   # the cases below then fail and say why
fi
case_run "rotated: receiver with only the OLD secret accepts" 0 \
    "^valid .* event=kev_found signatures=2\$" \
    emit kev_found --webhook "$HOOK" --repo "$REPO" --data "${DATA[kev_found]}"
stop_receiver
start_receiver "$new_secret" "$port"
case_run "rotated: receiver with only the NEW secret accepts" 0 \
    "^valid .* event=kev_found signatures=2\$" \
    emit kev_found --webhook "$HOOK" --repo "$REPO" --data "${DATA[kev_found]}"

# (d) a receiver with the wrong secret must refuse, and staxhook must report the failure.
stop_receiver
start_receiver "$WRONG_SECRET" "$port"
case_run "wrong secret: receiver refuses (401), emit exits 1" 1 \
    "^invalid .* event=scan_complete signatures=2: No matching signature found\$" \
    emit scan_complete --webhook "$HOOK" --repo "$REPO" --data "${DATA[scan_complete]}"

echo "standard-webhooks: $passed passed, $failed failed"
echo "standard webhooks check took $((SECONDS - started)) s"
[[ "$failed" == 0 ]]
