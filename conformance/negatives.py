#!/usr/bin/env python3
"""The validators' own test: for each channel, one valid sample message (hand-written to
docs/reference.md §4) and copies of it each broken in exactly one way. run.sh feeds them to the channel's
validator and expects `ok` for every sample and `FAIL` for every broken copy, so a validator
that accepts everything (or rejects everything) cannot pass unnoticed.

Writes OUT/CHANNEL/sample__CHANNEL__base.json and OUT/CHANNEL/neg__CHANNEL__NAME.json.

Usage: negatives.py OUT
"""

import copy
import json
import pathlib
import sys

SLACK = {
    "text": "Known exploited vulnerability CVE-2021-44228 in log4j-core 2.14.1 (myorg/backend-api)",
    "attachments": [
        {
            "color": "#B60205",
            "fallback": "Known exploited vulnerability CVE-2021-44228 in log4j-core 2.14.1",
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": "Known exploited vulnerability CVE-2021-44228", "emoji": True}},
                {"type": "section", "text": {"type": "mrkdwn", "text": "Apache Log4j2 Remote Code Execution Vulnerability"}},
                {
                    "type": "section",
                    "fields": [
                        {"type": "mrkdwn", "text": "*Repository*\nmyorg/backend-api"},
                        {"type": "mrkdwn", "text": "*Package*\nlog4j-core 2.14.1"},
                    ],
                },
                {
                    "type": "actions",
                    "elements": [
                        {"type": "button", "text": {"type": "plain_text", "text": "View details"}, "url": "https://nvd.nist.gov/vuln/detail/CVE-2021-44228"}
                    ],
                },
                {"type": "context", "elements": [{"type": "mrkdwn", "text": "staxhook · kev_found · 2026-03-22T10:30:00Z"}]},
            ],
        }
    ],
}

TEAMS = {
    "type": "message",
    "attachments": [
        {
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": None,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                # Teams' own extension: the validator must strip it before the schema check.
                "msteams": {"width": "Full"},
                "body": [
                    {"type": "TextBlock", "text": "Known exploited vulnerability CVE-2021-44228", "weight": "Bolder", "size": "Medium", "wrap": True, "color": "Attention"},
                    {"type": "FactSet", "facts": [{"title": "Repository", "value": "myorg/backend-api"}, {"title": "Package", "value": "log4j-core 2.14.1"}]},
                ],
                "actions": [{"type": "Action.OpenUrl", "title": "View details", "url": "https://nvd.nist.gov/vuln/detail/CVE-2021-44228"}],
            },
        }
    ],
}

DISCORD = {
    "username": "CodeStax",
    "embeds": [
        {
            "title": "Known exploited vulnerability CVE-2021-44228 in log4j-core 2.14.1",
            "description": "Apache Log4j2 Remote Code Execution Vulnerability",
            "url": "https://nvd.nist.gov/vuln/detail/CVE-2021-44228",
            "color": 0xB60205,
            "timestamp": "2026-03-22T10:30:00Z",
            "fields": [
                {"name": "Repository", "value": "myorg/backend-api", "inline": True},
                {"name": "Package", "value": "log4j-core 2.14.1", "inline": True},
            ],
            "footer": {"text": "staxhook · kev_found"},
            "author": {"name": "staxhook"},
        }
    ],
}

PAGERDUTY = {
    "routing_key": "[redacted]",
    "event_action": "trigger",
    "dedup_key": "staxhook:kev_found:3f2a9c0e5b7d1a4f",
    "client": "staxhook",
    "payload": {
        "summary": "Known exploited vulnerability CVE-2021-44228 in log4j-core 2.14.1 (myorg/backend-api)",
        "source": "myorg/backend-api",
        "severity": "critical",
        "timestamp": "2026-03-22T10:30:00Z",
        "component": "log4j-core",
        "group": "myorg/backend-api",
        "class": "kev_found",
        "custom_details": {"cve_id": "CVE-2021-44228", "package": {"name": "log4j-core"}},
    },
    "links": [{"href": "https://nvd.nist.gov/vuln/detail/CVE-2021-44228", "text": "View details"}],
}


def blocks(body):
    return body["attachments"][0]["blocks"]


def card(body):
    return body["attachments"][0]["content"]


def embed(body):
    return body["embeds"][0]


def setter(getter, key, value):
    def apply(body):
        getter(body)[key] = value
    return apply


def set_field_text(index, text):
    def apply(body):
        blocks(body)[2]["fields"][index]["text"] = text
    return apply


BROKEN = {
    "slack": (SLACK, {
        "header-151": lambda b: blocks(b)[0]["text"].__setitem__("text", "H" * 151),
        "section-text-3001": lambda b: blocks(b)[1]["text"].__setitem__("text", "s" * 3001),
        "field-2001": set_field_text(0, "*Repository*\n" + "f" * 1988),
        "fields-11": lambda b: blocks(b)[2].__setitem__("fields", [{"type": "mrkdwn", "text": f"*F{i}*\nv"} for i in range(11)]),
        "context-11": lambda b: blocks(b)[4].__setitem__("elements", [{"type": "mrkdwn", "text": f"c{i}"} for i in range(11)]),
        "blocks-51": lambda b: blocks(b).extend({"type": "divider"} for _ in range(46)),
        "text-empty": setter(lambda b: b, "text", ""),
        "block-type-unknown": lambda b: blocks(b)[1].__setitem__("type", "sektion"),
        "block-key-unknown": lambda b: blocks(b)[0]["text"].__setitem__("bogus", True),
        "button-text-76": lambda b: blocks(b)[3]["elements"][0]["text"].__setitem__("text", "B" * 76),
        "field-empty": set_field_text(1, ""),
    }),
    "teams": (TEAMS, {
        "element-type-wrong": lambda b: card(b)["body"][0].__setitem__("type", "TextBlok"),
        "element-key-unknown": lambda b: card(b)["body"][0].__setitem__("colour", "Attention"),
        "fact-without-value": lambda b: card(b)["body"][1]["facts"][0].pop("value"),
        "openurl-url-invalid": lambda b: card(b)["actions"][0].__setitem__("url", "https://exa mple.com/<x>"),
        "table-in-1.4-card": lambda b: card(b)["body"].append({
            "type": "Table", "columns": [{"width": 1}],
            "rows": [{"type": "TableRow", "cells": [{"type": "TableCell", "items": [{"type": "TextBlock", "text": "x"}]}]}],
        }),
        "body-over-28KB": lambda b: card(b)["body"].append({"type": "TextBlock", "text": "x" * 28_700, "wrap": True}),
        "content-type-wrong": lambda b: b["attachments"][0].__setitem__("contentType", "application/json"),
        "content-url-missing": lambda b: b["attachments"][0].pop("contentUrl"),
        "version-1.5": setter(card, "version", "1.5"),
        "schema-missing": lambda b: card(b).pop("$schema"),
        "no-factset": lambda b: card(b)["body"].pop(1),
    }),
    "discord": (DISCORD, {
        "title-300": setter(embed, "title", "T" * 300),
        "title-129-emoji": setter(embed, "title", "🦀" * 129),  # 129 code points, 258 UTF-16 units
        "description-4097": setter(embed, "description", "d" * 4097),
        "fields-26": setter(embed, "fields", [{"name": f"F{i}", "value": "v"} for i in range(26)]),
        "field-value-1025": lambda b: embed(b)["fields"][0].__setitem__("value", "v" * 1025),
        "field-name-empty": lambda b: embed(b)["fields"][0].__setitem__("name", ""),
        "footer-2049": setter(embed, "footer", {"text": "f" * 2049}),
        "author-257": setter(embed, "author", {"name": "a" * 257}),
        "total-over-6000": lambda b: b.__setitem__("embeds", [dict(embed(b), description="d" * 3000) for _ in range(2)]),
        "embeds-11": lambda b: b.__setitem__("embeds", [copy.deepcopy(embed(b)) for _ in range(11)]),
        "color-string": setter(embed, "color", "#B60205"),
        "url-not-http": setter(embed, "url", "javascript:alert(1)"),
        "timestamp-invalid": setter(embed, "timestamp", "22/03/2026 10:30"),
        "username-missing": lambda b: b.pop("username"),
        "embed-key-unknown": setter(embed, "colour", 0xB60205),
    }),
    "pagerduty": (PAGERDUTY, {
        "summary-2000": lambda b: b["payload"].__setitem__("summary", "S" * 2000),
        "summary-empty": lambda b: b["payload"].__setitem__("summary", ""),
        "source-missing": lambda b: b["payload"].pop("source"),
        "severity-high": lambda b: b["payload"].__setitem__("severity", "high"),
        "timestamp-invalid": lambda b: b["payload"].__setitem__("timestamp", "yesterday"),
        "custom-details-string": lambda b: b["payload"].__setitem__("custom_details", "cve"),
        "dedup-256": setter(lambda b: b, "dedup_key", "k" * 256),
        "event-action-alert": setter(lambda b: b, "event_action", "alert"),
        "client-missing": lambda b: b.pop("client"),
        "routing-key-shown": setter(lambda b: b, "routing_key", "0123456789abcdef0123456789abcdef"),
        "link-without-href": setter(lambda b: b, "links", [{"text": "View details"}]),
        "key-unknown": setter(lambda b: b, "severity", "critical"),
        "body-over-512KB": lambda b: b["payload"]["custom_details"].__setitem__("blob", "x" * (512 * 1024)),
    }),
}


def main(out):
    out = pathlib.Path(out)
    for channel, (sample, mutations) in BROKEN.items():
        folder = out / channel
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"sample__{channel}__base.json").write_text(json.dumps(sample, ensure_ascii=False), encoding="utf-8")
        for name, mutate in mutations.items():
            body = copy.deepcopy(sample)
            mutate(body)
            (folder / f"neg__{channel}__{name}.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
