#!/usr/bin/env bash
# Conformance check: every channel × event × {normal, oversized} body that staxhook produces is
# fed to that service's own validator (see conformance/README.md). Prints one line per case,
# `ok slack kev_found oversized` or `FAIL …: reason`, then the validators' self-test (each must
# accept a valid sample and reject deliberately broken bodies), then
# `conformance: N passed, N failed`. Exits non-zero if anything failed.
#
#   bash conformance/run.sh            # from anywhere; installs the validators on first use
#   KEEP=1 bash conformance/run.sh     # keep the work folder (bodies, raw outputs) and print it
#   STAXHOOK_BIN=path bash conformance/run.sh   # check that binary instead of building target/debug
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
started=$SECONDS
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ in the checkout

EVENTS=(scan_complete critical_vulnerability kev_found policy_violation sla_breach)
SIZES=(normal oversized)
CHANNELS=(slack teams discord pagerduty generic)

# --- validators and binary --------------------------------------------------------------------
bash "$here/setup.sh"
py="$root/.tools/venv/bin/python"

"$py" "$here/data/generate.py" --check

if [[ -n "${STAXHOOK_BIN:-}" ]]; then  # another binary (a release build, or a stand-in to test this script)
    bin="$STAXHOOK_BIN"
    echo "--- using $bin"
else
    echo "--- cargo build --locked"
    cargo build --locked --quiet
    bin="${CARGO_TARGET_DIR:-$root/target}/debug/staxhook"
fi

# --- a throw-away config, history and environment --------------------------------------------
work="$(mktemp -d "${TMPDIR:-/tmp}/staxhook-conformance.XXXXXX")"
if [[ -n "${KEEP:-}" ]]; then
    trap 'echo "work folder kept: $work"' EXIT
else
    trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work/runs" "$work/bodies" "$work/results" "$work/home"

SLACK_URL="https://hooks.slack.com/services/T000/B000/XXXX"
TEAMS_URL="https://example.webhook.office.com/webhookb2/x"
DISCORD_URL="https://discord.com/api/webhooks/1/abc"
GENERIC_URL="https://siem.example.com/hooks/codestax"
# A dummy 32-character Events API v2 integration key; it must never be printed.
export PD_KEY="c0ffee00c0ffee00c0ffee00c0ffee00"

config="$work/staxhook.toml"
cat > "$config" <<EOF
# staxhook conformance: one webhook per channel (written by conformance/run.sh)
[webhooks.slack]
channel = "slack"
url = "$SLACK_URL"

[webhooks.teams]
channel = "teams"
url = "$TEAMS_URL"

[webhooks.discord]
channel = "discord"
url = "$DISCORD_URL"

[webhooks.pagerduty]
channel = "pagerduty"
routing_key = "\${PD_KEY}"

[webhooks.generic]
channel = "generic"
url = "$GENERIC_URL"
EOF
chmod 600 "$config"   # it holds literal credential URLs; staxhook warns otherwise

# Nothing of the user's or CI's environment leaks in: no repository variables, a private
# home, history and config.
unset GITHUB_REPOSITORY CI_PROJECT_PATH BITBUCKET_REPO_FULL_NAME BUILD_REPOSITORY_NAME
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"
export STAXHOOK_CONFIG="$config" STAXHOOK_HISTORY="$work/history.db" NO_COLOR=1

# --- emit --dry-run every case -----------------------------------------------------------------
# (`send-test NAME --event EVENT` sends for real and has no --dry-run, so it is not covered.)
echo "--- staxhook emit --dry-run: ${#CHANNELS[@]} channels × ${#EVENTS[@]} events × ${#SIZES[@]} sizes"
emit() { # CASE-FILE-STEM EVENT SIZE CHANNEL
    local stem="$1" event="$2" size="$3" channel="$4" rc=0
    "$bin" emit "$event" --repo "$(cat "$here/data/repo.$size.txt")" --data "@$here/data/$event.$size.json" \
        --webhook "$channel" --dry-run --json >"$work/runs/$stem.out" 2>"$work/runs/$stem.err" </dev/null || rc=$?
    echo "$rc" >"$work/runs/$stem.rc"
}
cases=()
labels=()
for channel in "${CHANNELS[@]}"; do
    for event in "${EVENTS[@]}"; do
        for size in "${SIZES[@]}"; do
            case="${channel}__${event}__${size}"
            emit "$case" "$event" "$size" "$channel"
            if [[ "$channel" == pagerduty ]]; then  # again, to see that the dedup_key is stable
                emit "$case.again" "$event" "$size" "$channel"
            fi
            cases+=("$case")
            labels+=(--case "$channel $event $size")
        done
    done
done

"$py" "$here/check_dry_run.py" --runs "$work/runs" --bodies "$work/bodies" --data "$here/data" \
    --secret "$PD_KEY" --secret "$SLACK_URL" --secret "$TEAMS_URL" --secret "$DISCORD_URL" \
    "${cases[@]}" >"$work/results/dry_run.txt" || true

# --- the services' validators, plus their self-test ------------------------------------------
"$py" "$here/negatives.py" "$work/selftest"
validate() { # CHANNEL COMMAND...
    local channel="$1"; shift
    local files=("$work/bodies/$channel"/*.json "$work/selftest/$channel"/*.json)
    local existing=()
    for file in "${files[@]}"; do [[ -f "$file" ]] && existing+=("$file"); done
    local rc=0
    "$@" "${existing[@]}" >"$work/results/$channel.txt" 2>"$work/results/$channel.err" || rc=$?
    if [[ $rc -gt 1 ]]; then  # 0 all ok, 1 some FAIL; anything else means it did not run
        echo "FAIL validator for $channel crashed (exit $rc):" >&2
        tail -n 20 "$work/results/$channel.err" >&2
    fi
}
echo "--- validators"
validate slack "$py" "$here/validate_slack.py"
validate teams "$py" "$here/validate_teams.py"
validate discord node "$here/validate_discord.mjs"
validate pagerduty "$py" "$here/validate_pagerduty.py"
# generic has no service validator: check_dry_run.py's envelope check is its validator.
for label in "${labels[@]}"; do
    [[ "$label" == "generic "* ]] && echo "ok $label" >>"$work/results/generic.txt"
done

cat "$work/results"/*.err | grep -h '^note:' || true   # e.g. a Teams body between 28,000 and 28,672 bytes

echo "--- results"
status=0
"$py" "$here/report.py" --results "$work/results"/*.txt "${labels[@]}" || status=$?
echo "--- Standard Webhooks: the reference library (PyPI standardwebhooks) verifies real requests"
bash "$here/standard_webhooks.sh" "$bin" || status=1
echo "conformance run took $((SECONDS - started)) s"
exit "$status"
