#!/usr/bin/env python3
"""Slack incoming-webhook bodies, checked by Slack's own SDK (PyPI `slack-sdk`) plus the
Block Kit limits that the SDK does not enforce.

For the top-level `blocks` and the `blocks` of every `attachments` entry:
  * `slack_sdk.models.blocks.Block.parse_all(blocks)`: an unknown block type (parsed as None)
    or an unknown key (the SDK warns) is a failure;
  * `block.validate_json()` on every block (the SDK's own @JsonValidator limits: header text
    150, section text 3000, 10 section fields, 10 context elements, 25 actions, block_id 255,
    …) and `block.to_dict()`, which runs the same validators on every nested element (button
    text 75, button url 3000, …);
plus, on the raw JSON: at most 50 blocks in the message, section field text at most 2000,
section text at most 3000, header text at most 150 and plain_text, at most 10 fields per
section, at most 10 context elements, no empty text object, and a non-empty top-level `text`
(the notification fallback). Lengths are counted in characters (code points), as the SDK does.

Usage: validate_slack.py BODY.json...   (prints `ok LABEL` / `FAIL LABEL: reason` per file)
"""

import logging
import re
import sys
import warnings

from common import describe, main

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

MAX_BLOCKS = 50
HEADER_TEXT = 150
SECTION_TEXT = 3000
FIELD_TEXT = 2000
SECTION_FIELDS = 10
CONTEXT_ELEMENTS = 10
PARSE_ERRORS = (SlackObjectFormationError, TypeError, KeyError, AttributeError, ValueError)
COLOR = re.compile(r"^(#?[0-9A-Fa-f]{6}|good|warning|danger)$")


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def text_of(obj):
    """The string inside a text object, or None."""
    return obj.get("text") if isinstance(obj, dict) else None


def raw_limits(block, path, reasons):
    kind = block.get("type")
    if kind == "header":
        text = block.get("text")
        if not isinstance(text, dict) or text.get("type") != "plain_text":
            reasons.append(f"{path}.text: a header's text must be a plain_text object")
        value = text_of(text)
        if isinstance(value, str):
            if len(value) > HEADER_TEXT:
                reasons.append(f"{path}.text.text: header text over {HEADER_TEXT} ({describe(value)})")
            if not value.strip():
                reasons.append(f"{path}.text.text: empty header text")
    elif kind == "section":
        if "text" not in block and "fields" not in block:
            reasons.append(f"{path}: a section needs text or fields")
        if "text" in block:
            value = text_of(block["text"])
            if not isinstance(value, str) or not value.strip():
                reasons.append(f"{path}.text.text: empty section text")
            elif len(value) > SECTION_TEXT:
                reasons.append(f"{path}.text.text: section text over {SECTION_TEXT} ({describe(value)})")
        fields = block.get("fields")
        if fields is not None:
            if not isinstance(fields, list) or not fields:
                reasons.append(f"{path}.fields: must be a non-empty list")
                fields = []
            if len(fields) > SECTION_FIELDS:
                reasons.append(f"{path}.fields: {len(fields)} fields, over {SECTION_FIELDS}")
            for index, field in enumerate(fields):
                value = text_of(field)
                if not isinstance(value, str) or not value.strip():
                    reasons.append(f"{path}.fields[{index}].text: empty field text")
                elif len(value) > FIELD_TEXT:
                    reasons.append(f"{path}.fields[{index}].text: field text over {FIELD_TEXT} ({describe(value)})")
    elif kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            reasons.append(f"{path}.elements: a context needs 1 to {CONTEXT_ELEMENTS} elements")
        elif len(elements) > CONTEXT_ELEMENTS:
            reasons.append(f"{path}.elements: {len(elements)} elements, over {CONTEXT_ELEMENTS}")
        else:
            for index, element in enumerate(elements):
                if element.get("type") in ("mrkdwn", "plain_text"):
                    value = text_of(element)
                    if not isinstance(value, str) or not value.strip():
                        reasons.append(f"{path}.elements[{index}].text: empty text")


def sdk_check(blocks, path, reasons):
    """Block.parse_all, then validate_json() and to_dict() on each block."""
    handler = _Collect()
    logger = logging.getLogger("slack_sdk")  # every slack_sdk logger propagates to it
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                parsed = Block.parse_all(blocks)
            except PARSE_ERRORS as error:
                # Find which block it was: parse_all is Block.parse over the list.
                for index, block in enumerate(blocks):
                    try:
                        Block.parse(block)
                    except PARSE_ERRORS as block_error:
                        error = block_error
                        path = f"{path}[{index}]"
                        break
                reasons.append(f"{path}: Block.parse_all raised {type(error).__name__}: {error}")
                return
            for index, block in enumerate(parsed):
                where = f"{path}[{index}]"
                if block is None:
                    kind = blocks[index].get("type") if isinstance(blocks[index], dict) else None
                    reasons.append(f"{where}: slack-sdk does not know block type {kind!r}")
                    continue
                for step in ("validate_json", "to_dict"):
                    try:
                        getattr(block, step)()
                    except PARSE_ERRORS as error:
                        reasons.append(f"{where} ({block.type}): {step}() raised: {error}")
                        break
        for warning in caught:
            reasons.append(f"{path}: slack-sdk warned: {warning.message}")
    finally:
        logger.removeHandler(handler)
    for message in handler.messages:
        if not message.startswith("Unknown block detected"):  # already reported, with its path
            reasons.append(f"{path}: slack-sdk logged: {message[:160]}")


def check(body):
    reasons = []
    if not isinstance(body, dict):
        return [f"$: body is a {type(body).__name__}, not a JSON object"]
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        reasons.append("$.text: the top-level notification text is missing or empty")

    groups = []  # (json path, blocks)
    if "blocks" in body:
        groups.append(("$.blocks", body["blocks"]))
    attachments = body.get("attachments")
    if attachments is not None:
        if not isinstance(attachments, list):
            reasons.append("$.attachments: must be a list")
            attachments = []
        for index, attachment in enumerate(attachments):
            where = f"$.attachments[{index}]"
            if not isinstance(attachment, dict):
                reasons.append(f"{where}: must be an object")
                continue
            color = attachment.get("color")
            if color is not None and not (isinstance(color, str) and COLOR.match(color)):
                reasons.append(f"{where}.color: {color!r} is not a hex colour or good/warning/danger")
            if "blocks" in attachment:
                groups.append((f"{where}.blocks", attachment["blocks"]))
    if not groups:
        reasons.append("$: no `blocks` at the top level or in attachments[0]")

    total = 0
    for path, blocks in groups:
        if not isinstance(blocks, list) or not blocks:
            reasons.append(f"{path}: must be a non-empty list")
            continue
        total += len(blocks)
        for index, block in enumerate(blocks):
            if not isinstance(block, dict):
                reasons.append(f"{path}[{index}]: a block must be an object")
            else:
                raw_limits(block, f"{path}[{index}]", reasons)
        if all(isinstance(block, dict) for block in blocks):
            sdk_check(blocks, path, reasons)
    if total > MAX_BLOCKS:
        reasons.append(f"$: {total} blocks, over Slack's {MAX_BLOCKS}")
    return reasons


if __name__ == "__main__":
    sys.exit(main(check))
