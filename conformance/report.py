#!/usr/bin/env python3
"""Merges the stage results of run.sh into one verdict line per case.

Reads `ok LABEL` / `FAIL LABEL: reason` lines (from check_dry_run.py and the validators) from
the files given with --results, and prints, in the order given:
  * for every case label (`--case "slack kev_found oversized"`): `ok LABEL` when every stage
    said ok and at least the validator saw it, else `FAIL LABEL: reasons…`;
  * for the validators' self-test (labels `sample CHANNEL NAME`, expected ok, and
    `neg CHANNEL NAME`, a deliberately broken body, expected FAIL): `ok validator …` when
    the validator judged it as expected, else `FAIL validator …`;
then `conformance: N passed, N failed`, and exits 1 if anything failed.
"""

import argparse
import sys

from common import clip


def read(paths):
    stages = {}
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                line = line.rstrip("\n")
                if line.startswith("ok "):
                    stages.setdefault(line[3:].strip(), []).append(None)
                elif line.startswith("FAIL "):
                    label, _, reason = line[5:].partition(": ")
                    stages.setdefault(label.strip(), []).append(reason or "failed")
    return stages


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", nargs="+", required=True)
    parser.add_argument("--case", action="append", default=[])
    parser.add_argument("--min-stages", type=int, default=2, help="stages every passing case must have passed")
    args = parser.parse_args()
    stages = read(args.results)
    passed = failed = 0

    for label in args.case:
        results = stages.pop(label, [])
        reasons = [reason for reason in results if reason is not None]
        if not reasons and len(results) < args.min_stages:
            reasons = [f"only {len(results)} of {args.min_stages} checks reported (a validator did not run?)"]
        if reasons:
            failed += 1
            print(f"FAIL {label}: " + "; ".join(reasons), flush=True)
        else:
            passed += 1
            print(f"ok {label}", flush=True)

    for label in sorted(stages):
        results = stages[label]
        reasons = [reason for reason in results if reason is not None]
        kind, _, name = label.partition(" ")
        if kind == "neg":
            if reasons:
                passed += 1
                print(f"ok validator rejects {name}: {clip(reasons[0])}", flush=True)
            else:
                failed += 1
                print(f"FAIL validator rejects {name}: the validator accepted this deliberately broken body", flush=True)
        elif kind == "sample":
            if reasons:
                failed += 1
                print(f"FAIL validator accepts {name}: it rejected a valid sample: " + "; ".join(reasons), flush=True)
            else:
                passed += 1
                print(f"ok validator accepts {name}", flush=True)
        else:
            failed += 1
            print(f"FAIL {label}: unexpected result line (not a known case): " + "; ".join(map(str, results)))

    print(f"conformance: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
