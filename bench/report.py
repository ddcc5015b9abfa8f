#!/usr/bin/env python3
"""Turns the raw measurements of bench/run.sh into the results table (Markdown on stdout).

    python3 bench/report.py RAW_DIR

Every ratio is taken between runs of the same round (staxhook and its reference measured
back to back), and the median over rounds is reported with the rounds' range, because
the absolute numbers of a shared 2-core machine drift more than the ratios do.
"""
import json
import os
import statistics
import sys

RAW = sys.argv[1]


def path(name):
    return os.path.join(RAW, name)


def hyperfine(name):
    """{command name: list of wall times in seconds}"""
    with open(path(f"{name}.json")) as source:
        data = json.load(source)
    return {result["command"]: result["times"] for result in data["results"]}


def rounds(prefix):
    found = []
    index = 1
    while os.path.exists(path(f"{prefix}_{index}.json")):
        found.append(hyperfine(f"{prefix}_{index}"))
        index += 1
    return found


def pairs(name):
    """lines 'key value' -> {key: [values]}"""
    table = {}
    if not os.path.exists(path(name)):
        return table
    with open(path(name)) as source:
        for line in source:
            parts = line.split(None, 1)
            if len(parts) == 2:
                table.setdefault(parts[0], []).append(parts[1].strip())
    return table


def quartiles(values):
    q = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    return q[0], statistics.median(values), q[2]


def ms(seconds):
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def spread(times):
    low, median, high = quartiles(times)
    return f"{ms(median)} (IQR {ms(low)}–{ms(high)}, n={len(times)})"


def mb(kib):
    return f"{kib / 1024:.1f} MB"


def met(ok):
    return "yes" if ok else "**NO**"


rows = []  # (measurement, staxhook, reference, value, target, met)
verdicts = []

# 1. one emit vs curl ---------------------------------------------------------------------
single = rounds("single")
if single:
    ours = [t for r in single for t in r["staxhook"]]
    theirs = [t for r in single for t in r["curl"]]
    per_round = [statistics.median(r["staxhook"]) / statistics.median(r["curl"]) for r in single]
    ratio = statistics.median(per_round)
    ok = ratio <= 1.5
    verdicts.append(("1", ok))
    rows.append((
        "1. `emit` 1 event → 1 loopback endpoint, whole process",
        spread(ours),
        f"curl, same signed body and headers: {spread(theirs)}",
        f"**{ratio:.2f}×** (rounds {min(per_round):.2f}–{max(per_round):.2f}×, {len(single)} rounds)",
        "≤ 1.5×",
        met(ok),
    ))

    if all("staxhook_tmpfs" in r for r in single):
        tmpfs = [t for r in single for t in r["staxhook_tmpfs"]]
        per_round_tmpfs = [statistics.median(r["staxhook_tmpfs"]) / statistics.median(r["curl"]) for r in single]
        fsync_cost = [statistics.median(r["staxhook"]) - statistics.median(r["staxhook_tmpfs"]) for r in single]
        rows.append((
            "1′. (diagnostic) the same `emit` with its history on tmpfs, where fsync is free",
            spread(tmpfs),
            "curl, as above",
            f"{statistics.median(per_round_tmpfs):.2f}× (rounds {min(per_round_tmpfs):.2f}–{max(per_round_tmpfs):.2f}×); "
            f"the history's fsyncs cost {statistics.median(fsync_cost) * 1000:.1f} ms per emit "
            f"(rounds {min(fsync_cost) * 1000:.1f}–{max(fsync_cost) * 1000:.1f} ms)",
            "(not a target)",
            "—",
        ))

# 2. fan-out ------------------------------------------------------------------------------
if os.path.exists(path("fanout.json")):
    fan = hyperfine("fanout")
    ours = statistics.median(fan["staxhook"])
    worst = max(fan["staxhook"])
    curl8 = statistics.median(fan["curl8"])
    curl50 = statistics.median(fan["curl50"])
    ok = worst <= 2.0
    verdicts.append(("2", ok))
    rows.append((
        "2. `emit` → 50 webhooks answering after 200 ms",
        f"{ms(ours)} (max {ms(worst)}, n={len(fan['staxhook'])})",
        f"curl -Z, 8 at a time: {ms(curl8)} ({ours / curl8:.2f}×); 50 at a time: {ms(curl50)}",
        f"**{ms(worst)}** worst run; floor with 8 at a time (docs/reference.md §5) = 7 × 200 ms = 1.40 s",
        "≤ 2 s",
        met(ok),
    ))

# 3. memory ----------------------------------------------------------------------------------
rss = pairs("rss.txt")
if rss:
    def peak(key):
        values = [int(v) for v in rss.get(key, []) if v.isdigit()]
        return max(values) if values else None

    emit1, emit50, dry = peak("emit1"), peak("emit50"), peak("dryrun")
    curl1, curl50 = peak("curl1"), peak("curl50")
    worst = max(v for v in (emit1, emit50) if v is not None)
    ok = worst <= 30 * 1024
    verdicts.append(("3", ok))
    rows.append((
        "3. peak memory (max RSS) of `emit`",
        f"1 webhook: {mb(emit1)}; 50 webhooks: {mb(emit50)}; --dry-run: {mb(dry)}",
        f"curl 1 post: {mb(curl1)}; curl -Z 50 posts: {mb(curl50)}",
        f"**{mb(worst)}**",
        "≤ 30 MB",
        met(ok),
    ))

# 4. verify ----------------------------------------------------------------------------------
verify = rounds("verify")
vrss = pairs("verify_rss.txt")
if verify and vrss:
    size = int(vrss["bytes"][0])
    mib = size / (1024 * 1024)
    ours = [t for r in verify for t in r["staxhook"]]
    theirs = [t for r in verify for t in r["openssl"]]
    per_round = [statistics.median(r["openssl"]) / statistics.median(r["staxhook"]) for r in verify]
    ratio = statistics.median(per_round)
    ok = ratio >= 0.8
    verdicts.append(("4a", ok))
    rows.append((
        f"4a. `verify` of a {mib:.0f} MiB body: throughput",
        f"{mib / statistics.median(ours):.0f} MiB/s ({spread(ours)})",
        f"openssl dgst -sha256 -hmac: {mib / statistics.median(theirs):.0f} MiB/s ({spread(theirs)})",
        f"**{ratio:.2f}×** openssl's throughput (rounds {min(per_round):.2f}–{max(per_round):.2f}×)",
        "≥ 0.8×",
        met(ok),
    ))
    ours_kib, theirs_kib = int(vrss["verify"][0]), int(vrss["openssl"][0])
    ok = ours_kib <= 32 * 1024
    verdicts.append(("4b", ok))
    rows.append((
        f"4b. `verify` of a {mib:.0f} MiB body: peak memory",
        mb(ours_kib),
        f"openssl: {mb(theirs_kib)}",
        f"**{mb(ours_kib)}** (streaming)",
        "≤ 32 MB",
        met(ok),
    ))

# 5. log -----------------------------------------------------------------------------------------
if os.path.exists(path("log.json")):
    log = hyperfine("log")
    reference = hyperfine("log_reference")["sqlite3"]
    plans = json.load(open(path("log_plans.json")))
    generation = open(path("log_generation.txt")).read().strip()
    rows_count = generation.split()[0] if generation else "?"
    target_name = "log --limit 50 --webhook hook07 --event kev_found"
    target = log[target_name]
    worst_plan = [p for p in plans if p["full_scan"] or p["temp_sort"]]
    ok = statistics.median(target) <= 0.100 and not worst_plan
    verdicts.append(("5", ok))
    rows.append((
        f"5. `{target_name}` on a {int(rows_count):,}-row history",
        spread(target),
        f"sqlite3 shell, same SQL: {spread(reference)}",
        f"**{ms(statistics.median(target))}** ({statistics.median(target) / statistics.median(reference):.2f}× sqlite3); "
        f"{len(plans) - len(worst_plan)}/{len(plans)} filter combinations use an index, no sort",
        "≤ 100 ms, no full scan",
        met(ok),
    ))
    for name, times in log.items():
        if name == target_name:
            continue
        rows.append((f"5′. `{name}`", spread(times), "", f"{ms(statistics.median(times))}",
                     "≤ 100 ms", met(statistics.median(times) <= 0.100)))

# 6. parallel writers -----------------------------------------------------------------------------
par = pairs("parallel_staxhook.txt")
ref = pairs("parallel_curl.txt")
if par:
    elapsed = int(par["elapsed_ns"][0]) / 1e9
    failures = int(par["failures"][0])
    stderr_lines = int(par["stderr_lines"][0])
    count = int(par["rows"][0])
    delivered = int(par["delivered"][0])
    distinct = int(par["distinct_scan_ids"][0])
    attempts = int(par["attempts"][0])
    integrity = par["integrity"][0]
    ok = (count == 800 and delivered == 800 and distinct == 800 and failures == 0
          and stderr_lines == 0 and integrity == "ok")
    verdicts.append(("6", ok))
    ref_elapsed = int(ref["elapsed_ns"][0]) / 1e9 if ref else None
    rows.append((
        "6. 8 processes × 100 `emit`s into one history",
        f"{count} rows ({delivered} delivered, {distinct} distinct, {attempts} attempts), "
        f"{failures} failed, {stderr_lines} stderr lines, integrity {integrity}; "
        f"{800 / elapsed:.0f} emits/s ({elapsed:.2f} s)",
        f"curl, 8 × 100 posts: {800 / ref_elapsed:.0f} posts/s ({ref_elapsed:.2f} s)" if ref_elapsed else "",
        f"**{count}/800 rows, {failures + stderr_lines} errors**; rate {ref_elapsed / elapsed:.2f}× curl's" if ref_elapsed else "",
        "all 800 rows, no error",
        met(ok),
    ))


def table(header, body):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in body:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines)


machine = open(path("machine.txt")).read().strip()
print("## staxhook benchmark\n")
print("```\n" + machine + "\n```\n")
print(table(["measurement", "staxhook", "reference", "ratio / value", "target", "met?"], rows))
print()
failed = [name for name, ok in verdicts if not ok]
print(f"**Targets met: {len(verdicts) - len(failed)}/{len(verdicts)}**"
      + (f" — not met: {', '.join(failed)}" if failed else ""))

# 7. profile ---------------------------------------------------------------------------------------
if rounds("profile"):
    profile = {}
    for one_round in rounds("profile"):
        for name, times in one_round.items():
            profile.setdefault(name, []).extend(times)
    order = ["staxhook --version (process start)", "staxhook webhook list (+ config parse)",
             "emit --dry-run (+ format, sign, print)", "emit to http://127.0.0.1 (+ client, SQLite, HTTP)",
             "emit, prune skipped", "emit to http://localhost (+ DNS lookup)", "curl (reference)"]
    profile = {name: profile[name] for name in order if name in profile}
    if os.path.exists(path("profile_fresh.json")):
        profile.update(hyperfine("profile_fresh"))
    paired = {}
    plain, held = rounds("plain"), rounds("held")
    if plain and held:
        name = next(iter(held[0]))
        profile[name] = [t for r in held for t in r[name]]
        differences = [statistics.median(h[name]) - statistics.median(next(iter(p.values())))
                       for p, h in zip(plain, held)]
        paired[name] = (statistics.median(differences), min(differences), max(differences))
    print("\n### Where the time of one delivery goes (whole-process wall time, median)\n")
    medians = {name: statistics.median(times) for name, times in profile.items()}
    emit = medians.get("emit to http://127.0.0.1 (+ client, SQLite, HTTP)")
    chain = ["staxhook --version (process start)", "staxhook webhook list (+ config parse)",
             "emit --dry-run (+ format, sign, print)", "emit to http://127.0.0.1 (+ client, SQLite, HTTP)"]
    steps = []
    for name, times in profile.items():
        low, median, high = quartiles(times)
        if name in paired:
            middle, low_d, high_d = paired[name]
            delta = (f"{middle * 1000:+.2f} ms vs a plain emit in the same round "
                     f"(rounds {low_d * 1000:+.2f} to {high_d * 1000:+.2f} ms)")
        elif name in chain and chain.index(name) > 0:
            delta = f"+{(median - medians[chain[chain.index(name) - 1]]) * 1000:.2f} ms over the line above"
        elif name in chain or name.startswith("curl") or emit is None:
            delta = ""
        else:
            delta = f"{(median - emit) * 1000:+.2f} ms vs a plain emit"
        steps.append((name, f"{median * 1000:.2f} ms", f"{low * 1000:.2f}–{high * 1000:.2f} ms", delta))
    print(table(["step", "median", "IQR", "cost of the step"], steps))

if os.path.exists(path("log_plans.json")):
    print("\n### `log` query plans (EXPLAIN QUERY PLAN, every filter combination)\n")
    plans = json.load(open(path("log_plans.json")))
    print(table(["filters", "plan", "full scan?", "temp sort?"],
                [(" + ".join(p["filters"]), "; ".join(p["plan"]),
                  "YES" if p["full_scan"] else "no", "YES" if p["temp_sort"] else "no") for p in plans]))
