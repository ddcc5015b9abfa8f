#!/usr/bin/env bash
# Quickstart: build staxhook, start a loopback receiver, add a webhook in a throwaway config,
# send real signed events to it, verify one, and show the delivery history.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked --quiet
staxhook="$PWD/target/release/staxhook"

work=$(mktemp -d)
receiver_pid=""
cleanup() {
  [ -n "$receiver_pid" ] && kill "$receiver_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Everything stays in the temporary folder: your own config and history are not touched.
export STAXHOOK_CONFIG="$work/config.toml" STAXHOOK_HISTORY="$work/history.db"
STAXHOOK_SECRET="whsec_$(python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')"
export STAXHOOK_SECRET

python3 examples/receiver.py 0 >"$work/received.log" 2>"$work/receiver.err" &
receiver_pid=$!
for _ in $(seq 50); do
  grep -q listening "$work/receiver.err" 2>/dev/null && break
  sleep 0.1
done
url="$(sed -n 's/^listening on //p' "$work/receiver.err")/hook"
echo "== receiver listening at $url"

echo "== staxhook webhook add local --url $url --secret-env STAXHOOK_SECRET"
"$staxhook" webhook add local --url "$url" --secret-env STAXHOOK_SECRET
"$staxhook" webhook list

echo "== staxhook emit scan_complete"
"$staxhook" emit scan_complete --repo example/app \
  --set scan_id=quickstart-1 --set status=passed \
  --set summary='{"critical":0,"high":1,"medium":3,"low":7,"unknown":0}'

echo "== staxhook emit critical_vulnerability --data ..."
"$staxhook" emit critical-vulnerability --repo example/app --data '{
  "cve_id": "CVE-2021-44228",
  "package": {"name": "org.apache.logging.log4j:log4j-core", "version": "2.14.1"},
  "cvss_score": 10.0, "fixed_version": "2.17.1"}'

echo "== staxhook send-test local --event kev_found"
"$staxhook" send-test local --event kev_found

echo "== staxhook emit sla_breach --dry-run (printed, not sent)"
"$staxhook" emit sla_breach --repo example/app --dry-run \
  --set cve_id=CVE-2023-44487 --set package.name=golang.org/x/net --set due_at=2026-02-04T09:00:00Z

echo "== staxhook log"
"$staxhook" log

echo "== what the receiver got"
sleep 0.2
grep '^received' "$work/received.log"
