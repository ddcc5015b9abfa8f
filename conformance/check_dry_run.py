#!/usr/bin/env python3
"""Reads what `staxhook emit … --dry-run --json` printed for each case, checks what holds for
every channel, and writes each body to its own file for the channel's validator.

For every case (files CASE.rc, CASE.out, CASE.err in --runs; CASE is CHANNEL__EVENT__SIZE):
  * staxhook exited 0 (a channel this build cannot format yet fails here, with its error);
  * stdout is one JSON array holding one request {"webhook","channel","url","headers","body"}
    for the named webhook and channel, with Content-Type application/json and the event in
    X-CodeStax-Event;
  * the body is valid JSON: a JSON object (a body that is not JSON shows up as a string);
  * no secret appears anywhere in stdout or stderr: not the PagerDuty routing key (the
    PD_KEY value), not a full credential webhook URL (the dry-run URL must be masked);
  * docs/reference.md §3/§4 facts a schema cannot know: generic is the envelope {event, timestamp (RFC 3339
    UTC, Z), repository, data} with `data` exactly the input; PagerDuty routing_key is
    "[redacted]", severity follows the event (critical_vulnerability, kev_found → critical;
    sla_breach → error; policy_violation → error when action is fail else warning;
    scan_complete → info), source is the repository (or a truncation of it ending in "…"),
    custom_details is the data (unless the data cannot fit PagerDuty's 512 KB),
    and the dedup_key is the same when the same event is emitted again (CASE.again.out);
    Discord's username is "CodeStax".
Prints `ok CASE-LABEL` / `FAIL CASE-LABEL: reason` per case (label: `__` read as a space) and
writes CASE.json into --bodies/CHANNEL/ for every case whose body is a JSON object.

Usage: check_dry_run.py --runs DIR --bodies DIR --data DIR --secret S... CASE...
"""

import argparse
import json
import pathlib
import re
import sys

from common import clip, verdict, wire_size

RFC3339_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
PD_SEVERITY = {
    "critical_vulnerability": "critical",
    "kev_found": "critical",
    "sla_breach": "error",
    "scan_complete": "info",
}
PD_BODY_LIMIT = 512 * 1024


def pd_severity(event, data):
    if event == "policy_violation":
        return "error" if data.get("action") == "fail" else "warning"
    return PD_SEVERITY[event]


def spec_checks(channel, event, body, data, repository, again, reasons):
    if channel == "generic":
        for key, expected in (("event", event), ("repository", repository), ("data", data)):
            if body.get(key) != expected:
                reasons.append(f"$.{key}: not the input {key} ({clip(repr(body.get(key)), 80)})")
        if not (isinstance(body.get("timestamp"), str) and RFC3339_Z.match(body["timestamp"])):
            reasons.append(f"$.timestamp: {body.get('timestamp')!r} is not RFC 3339 UTC with Z")
        extra = set(body) - {"event", "timestamp", "repository", "data"}
        if extra:
            reasons.append(f"$: unexpected envelope keys {sorted(extra)}")
    elif channel == "pagerduty":
        payload = body.get("payload") if isinstance(body.get("payload"), dict) else {}
        if body.get("routing_key") != "[redacted]":
            reasons.append("$.routing_key: not \"[redacted]\" in the dry-run output")
        expected = pd_severity(event, data)
        if payload.get("severity") != expected:
            reasons.append(f"$.payload.severity: {payload.get('severity')!r}, docs/reference.md §4 says {expected!r} for {event}")
        source = payload.get("source")
        if not isinstance(source, str) or not (
            source == repository or (source.endswith("…") and repository.startswith(source[:-1]))
        ):
            reasons.append(f"$.payload.source: {clip(repr(source), 80)} is not the repository")
        details = payload.get("custom_details")
        if details != data:
            full = dict(body, payload=dict(payload, custom_details=data), routing_key="R" * 32)
            if wire_size(full) <= PD_BODY_LIMIT:
                reasons.append("$.payload.custom_details: not the event data (and the data would fit)")
        if again is not None and again.get("dedup_key") != body.get("dedup_key"):
            reasons.append(
                f"$.dedup_key: not stable: {clip(repr(body.get('dedup_key')), 60)} then "
                f"{clip(repr(again.get('dedup_key')), 60)} for the same event"
            )
    elif channel == "discord":
        if body.get("username") != "CodeStax":
            reasons.append(f"$.username: {body.get('username')!r}, docs/reference.md §4 says 'CodeStax'")


def parse_output(path, channel, event, reasons):
    """The one dry-run request in CASE.out, or None."""
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        requests = json.loads(text)
    except json.JSONDecodeError as error:
        reasons.append(f"stdout is not one JSON document: {error}")
        return None
    if not isinstance(requests, list) or len(requests) != 1 or not isinstance(requests[0], dict):
        reasons.append(f"stdout is not a JSON array of one request: {clip(text, 120)}")
        return None
    request = requests[0]
    missing = {"webhook", "channel", "url", "headers", "body"} - set(request)
    if missing:
        reasons.append(f"dry-run request lacks {sorted(missing)}")
    if request.get("channel") != channel:
        reasons.append(f"dry-run channel is {request.get('channel')!r}, expected {channel!r}")
    headers = request.get("headers") if isinstance(request.get("headers"), dict) else {}
    if headers.get("Content-Type") != "application/json":
        reasons.append(f"Content-Type header is {headers.get('Content-Type')!r}")
    if headers.get("X-CodeStax-Event") != event:
        reasons.append(f"X-CodeStax-Event header is {headers.get('X-CodeStax-Event')!r}")
    return request


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", required=True, type=pathlib.Path)
    parser.add_argument("--bodies", required=True, type=pathlib.Path)
    parser.add_argument("--data", required=True, type=pathlib.Path)
    parser.add_argument("--secret", action="append", default=[])
    parser.add_argument("cases", nargs="+")
    args = parser.parse_args()

    all_ok = True
    for case in args.cases:
        channel, event, size = case.split("__")
        reasons = []
        rc = (args.runs / f"{case}.rc").read_text().strip()
        out = args.runs / f"{case}.out"
        err = (args.runs / f"{case}.err").read_text(encoding="utf-8", errors="replace")
        printed = out.read_text(encoding="utf-8", errors="replace") + err
        for extra in (f"{case}.again.out", f"{case}.again.err"):
            if (args.runs / extra).is_file():
                printed += (args.runs / extra).read_text(encoding="utf-8", errors="replace")
        for secret in args.secret:
            if secret and secret in printed:
                reasons.append(f"a secret ({secret[:4]}…, {len(secret)} chars) appears in the dry-run output")
        if rc != "0":
            last = [line for line in err.splitlines() if line.strip()]
            reasons.append(f"staxhook emit exited {rc}: {clip(last[-1] if last else '(no stderr)', 300)}")
            all_ok &= verdict(case.replace("__", " "), reasons)
            continue
        request = parse_output(out, channel, event, reasons)
        body = request.get("body") if request else None
        if request is not None and not isinstance(body, dict):
            kind = "a string (the formatter's body is not valid JSON)" if isinstance(body, str) else type(body).__name__
            reasons.append(f"body is {kind}: {clip(repr(body), 120)}")
        if isinstance(body, dict):
            folder = args.bodies / channel
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{case}.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
            data = json.loads((args.data / f"{event}.{size}.json").read_text(encoding="utf-8"))
            repository = (args.data / f"repo.{size}.txt").read_text(encoding="utf-8").strip()
            again = None
            again_out = args.runs / f"{case}.again.out"
            if again_out.is_file():
                again_reasons = []
                again_request = parse_output(again_out, channel, event, again_reasons)
                again = (again_request or {}).get("body") if not again_reasons else None
                if again is None:
                    reasons.append("the second emit of the same event printed no usable body")
                    again = {}
            spec_checks(channel, event, body, data, repository, again, reasons)
        all_ok &= verdict(case.replace("__", " "), reasons)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
