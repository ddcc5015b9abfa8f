"""Shared by the Python validators: reading body files, naming cases, printing verdicts.

Every validator takes body files (one JSON message body each) and prints one line per file:
    ok LABEL
    FAIL LABEL: reason; reason; …
where LABEL is the file name without `.json`, `__` read as a space
(`slack__kev_found__oversized.json` → `slack kev_found oversized`). It exits 1 if any file
failed, 2 if it could not run at all.
"""

import json
import pathlib
import sys

MAX_REASONS = 6


def label_of(path) -> str:
    return pathlib.Path(path).name.removesuffix(".json").replace("__", " ")


def load(path):
    """The parsed body, or raises ValueError with the parse error."""
    raw = pathlib.Path(path).read_bytes()
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"body is not valid JSON: {error}") from None


def wire_size(body) -> int:
    """Bytes of the body as staxhook sends it (serde_json's compact form, UTF-8)."""
    return len(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def clip(text, limit=160) -> str:
    text = str(text).replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(value) -> str:
    """A short description of a string for a reason: its length and its start."""
    if isinstance(value, str):
        return f"{len(value)} chars: {clip(repr(value), 60)}"
    return clip(repr(value), 60)


def verdict(label, reasons) -> bool:
    if reasons:
        shown = reasons[:MAX_REASONS]
        more = f"; (and {len(reasons) - MAX_REASONS} more)" if len(reasons) > MAX_REASONS else ""
        print(f"FAIL {label}: " + "; ".join(shown) + more, flush=True)
        return False
    print(f"ok {label}", flush=True)
    return True


def main(check, argv=None):
    """Runs `check(body) -> list[str]` on every file named on the command line."""
    paths = (argv if argv is not None else sys.argv)[1:]
    if not paths:
        print(f"usage: {pathlib.Path(sys.argv[0]).name} BODY.json...", file=sys.stderr)
        return 2
    all_ok = True
    for path in paths:
        try:
            body = load(path)
            reasons = check(body)
        except ValueError as error:
            reasons = [str(error)]
        all_ok &= verdict(label_of(path), reasons)
    return 0 if all_ok else 1
