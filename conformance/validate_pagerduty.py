#!/usr/bin/env python3
"""PagerDuty Events API v2 bodies, as `staxhook emit --dry-run` prints them (routing key
redacted), checked against the Events API v2 rules:

  * only the Events API v2 top-level keys (routing_key, event_action, dedup_key, payload,
    client, client_url, links, images);
  * routing_key is "[redacted]" (the dry-run must never print the real key);
  * event_action is "trigger";
  * dedup_key is a non-empty string of at most 255 characters;
  * payload.summary non-empty, at most 1024 characters; payload.source non-empty;
    payload.severity one of critical / error / warning / info; payload.timestamp ISO 8601;
    component / group / class strings when present; custom_details an object;
  * links[]: each an object with a non-empty `href` (http or https) and a `text` string;
    images[]: each with a `src`;
  * client is "staxhook";
  * the whole body, with a real 32-character routing key in place of "[redacted]", at most
    512 KB (524,288 bytes; PagerDuty's payload limit).

Usage: validate_pagerduty.py BODY.json...   (prints `ok LABEL` / `FAIL LABEL: reason` per file)
"""

import datetime
import re
import sys

from common import describe, main, wire_size

TOP_KEYS = {"routing_key", "event_action", "dedup_key", "payload", "client", "client_url", "links", "images"}
PAYLOAD_KEYS = {"summary", "source", "severity", "timestamp", "component", "group", "class", "custom_details"}
SEVERITIES = {"critical", "error", "warning", "info"}
SUMMARY_LIMIT = 1024
DEDUP_LIMIT = 255
BODY_LIMIT = 512 * 1024
REDACTED = "[redacted]"
ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$")


def is_iso_8601(value) -> bool:
    if not isinstance(value, str) or not ISO_8601.match(value):
        return False
    try:
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def non_empty(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def check(body):
    reasons = []
    if not isinstance(body, dict):
        return [f"$: body is a {type(body).__name__}, not a JSON object"]
    for key in sorted(set(body) - TOP_KEYS):
        reasons.append(f"$.{key}: not an Events API v2 key")

    if body.get("routing_key") != REDACTED:
        shown = "missing" if "routing_key" not in body else f"{len(str(body['routing_key']))} chars, not {REDACTED!r}"
        reasons.append(f"$.routing_key: {shown} (the dry-run must show it redacted)")
    if body.get("event_action") != "trigger":
        reasons.append(f"$.event_action: {body.get('event_action')!r}, expected 'trigger'")
    dedup = body.get("dedup_key")
    if not non_empty(dedup):
        reasons.append("$.dedup_key: missing or empty")
    elif len(dedup) > DEDUP_LIMIT:
        reasons.append(f"$.dedup_key: over {DEDUP_LIMIT} ({describe(dedup)})")
    if body.get("client") != "staxhook":
        reasons.append(f"$.client: {body.get('client')!r}, expected 'staxhook'")
    if "client_url" in body and not non_empty(body["client_url"]):
        reasons.append("$.client_url: must be a non-empty string")

    payload = body.get("payload")
    if not isinstance(payload, dict):
        reasons.append("$.payload: missing or not an object")
    else:
        for key in sorted(set(payload) - PAYLOAD_KEYS):
            reasons.append(f"$.payload.{key}: not an Events API v2 payload key")
        summary = payload.get("summary")
        if not non_empty(summary):
            reasons.append("$.payload.summary: missing or empty")
        elif len(summary) > SUMMARY_LIMIT:
            reasons.append(f"$.payload.summary: over {SUMMARY_LIMIT} ({describe(summary)})")
        if not non_empty(payload.get("source")):
            reasons.append("$.payload.source: missing or empty")
        if payload.get("severity") not in SEVERITIES:
            reasons.append(f"$.payload.severity: {payload.get('severity')!r} is not one of {sorted(SEVERITIES)}")
        if "timestamp" in payload and not is_iso_8601(payload["timestamp"]):
            reasons.append(f"$.payload.timestamp: {payload['timestamp']!r} is not ISO 8601")
        for key in ("component", "group", "class"):
            if key in payload and not isinstance(payload[key], str):
                reasons.append(f"$.payload.{key}: must be a string")
        if not isinstance(payload.get("custom_details"), dict):
            reasons.append("$.payload.custom_details: missing or not an object")

    links = body.get("links", [])
    if not isinstance(links, list):
        reasons.append("$.links: must be a list")
        links = []
    for index, link in enumerate(links):
        where = f"$.links[{index}]"
        if not isinstance(link, dict):
            reasons.append(f"{where}: must be an object")
            continue
        href = link.get("href")
        if not non_empty(href):
            reasons.append(f"{where}.href: missing or empty")
        elif not href.startswith(("https://", "http://")):
            reasons.append(f"{where}.href: not an http(s) URL ({describe(href)})")
        if not isinstance(link.get("text"), str):
            reasons.append(f"{where}.text: missing or not a string")
    images = body.get("images", [])
    if not isinstance(images, list) or not all(isinstance(i, dict) and non_empty(i.get("src")) for i in images):
        reasons.append("$.images: each image needs a `src`")

    real = dict(body, routing_key="R" * 32) if "routing_key" in body else body
    size = wire_size(real)
    if size > BODY_LIMIT:
        reasons.append(f"$: body is {size} bytes, over PagerDuty's {BODY_LIMIT} (512 KB)")
    return reasons


if __name__ == "__main__":
    sys.exit(main(check))
