#!/usr/bin/env python3
"""Writes the conformance event data: for every event, `<event>.normal.json` (a realistic
finding) and `<event>.oversized.json` (every docs/reference.md §3 field present and far past every chat
limit: 1,000-character package names, 10,000-character titles / descriptions /
required_action, 300 policy violations with long reasons, 2,000-character URLs, emoji and
other multi-byte text, `<>&` and Markdown / mention syntax), plus `repo.normal.txt` and
`repo.oversized.txt` for `--repo`. The `scan_complete` files carry fixed findings as
`emit --report` sends them (`fixed_count` and the `fixed` list; 50 long ones when oversized).

The output is deterministic; the files are committed. Regenerate with
    python3 conformance/data/generate.py
and check they are current with `--check` (run.sh does).
"""

import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent

# --- oversized text ---------------------------------------------------------------------------
# Pieces chosen to trip every formatter's weak spots: Slack mrkdwn control characters and link /
# mention syntax, Discord mentions and Markdown, JSON escapes, astral-plane emoji (two UTF-16
# units each, which is how Discord counts), ZWJ sequences, flags, skin tones, combining marks,
# CJK, right-to-left scripts, a non-breaking space and a zero-width joiner.
PIECES = [
    "Remote code execution via crafted <script>alert('x')</script> & friends",
    " 🚨🔥💥 ",
    "<!channel> <@U024BE7LH> <https://evil.example/phish|click here>",
    " Ünïcødé — ﬁx “quoted” ‘text’ … ",
    "漏洞严重：远程代码执行。修复版本尚未发布。",
    " 👩‍💻👨‍👩‍👧‍👦🏳️‍🌈🇺🇦👍🏽 ",
    "@everyone @here ||spoiler|| **bold** __under__ ~~strike~~ `code` ```block```",
    " עברית ومرحبا بالعالم ",
    'JSON "quotes" and back\\slashes\\n and a real\nnewline\tand tab',
    " e\u0301 a\u0308 \u00a0nbsp\u200dzwj ",
    "&amp; &lt;already-escaped&gt; &#x27; %s {} ${HOME} $(id) ",
    "🦀" * 8,
]


def text(length: int, lead: str = "") -> str:
    """`lead` followed by the pieces, repeated, cut to exactly `length` code points."""
    body = lead
    index = 0
    while len(body) < length:
        body += PIECES[index % len(PIECES)]
        index += 1
    return body[:length]


def url(length: int, path: str) -> str:
    """A valid https URL of exactly `length` characters (multi-byte text percent-encoded)."""
    base = f"https://app.codestax.example/{path}?q=%F0%9F%9A%A8%20%3C%3E%26"
    filler = "&f=" + "abcdefghij0123456789-_.~%E6%BC%8F" * 100
    return (base + filler)[:length]


def package(name_length: int, index: int = 0, long_rest: bool = True) -> dict:
    """A package whose name is `name_length` characters; with `long_rest` its version,
    ecosystem and purl are long too (else short, to keep the 300-violation file small)."""
    return {
        "name": text(name_length, f"@scope-{index}/pkg-ünï-🚀-"),
        "version": text(300 if long_rest else 24, f"{index}.0.0-rc.1+build."),
        "ecosystem": text(200, "npm-") if long_rest else "npm",
        "purl": text(2000 if long_rest else 90, f"pkg:npm/%40scope-{index}/pkg@{index}.0.0?"),
    }


# --- normal data ------------------------------------------------------------------------------
NORMAL_PACKAGE = {
    "name": "log4j-core",
    "version": "2.14.1",
    "ecosystem": "maven",
    "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
}

NORMAL = {
    "scan_complete": {
        "scan_id": "scan_01HZY8J2Q7M4K9",
        "status": "failed",
        "summary": {"critical": 2, "high": 7, "medium": 15, "low": 31, "unknown": 3},
        "packages_scanned": 412,
        "duration_seconds": 38.4,
        "branch": "main",
        "commit": "9f2c1e4b7a0d3c5e8f1a2b3c4d5e6f7a8b9c0d1e",
        "url": "https://app.codestax.example/myorg/backend-api/scans/scan_01HZY8J2Q7M4K9",
        # As `emit --report` sends it: every finding this scan fixed, worst first.
        "fixed_count": 3,
        "fixed": [
            {
                "id": "CVE-2021-44228",
                "package": {"name": "log4j-core", "version": "2.14.1"},
                "severity": "critical",
                "first_seen": "2021-12-10T09:30:00Z",
                "days_open": 12,
            },
            {
                "id": "CVE-2021-23337",
                "package": {"name": "lodash", "version": "4.17.20"},
                "severity": "high",
                "first_seen": "2021-11-18T16:05:00Z",
                "days_open": 34,
            },
            {
                "id": "CVE-2022-25883",
                "package": {"name": "semver", "version": "7.5.1"},
                "severity": "medium",
                "first_seen": "2021-12-21T08:00:00Z",
                "days_open": 1,
            },
        ],
    },
    "critical_vulnerability": {
        "cve_id": "CVE-2021-44228",
        "package": NORMAL_PACKAGE,
        "severity": "critical",
        "cvss_score": 10.0,
        "fixed_version": "2.17.1",
        "title": "Apache Log4j2 JNDI features do not protect against attacker controlled LDAP and other JNDI related endpoints",
        "url": "https://nvd.nist.gov/vuln/detail/CVE-2021-44228",
        "scan_id": "scan_01HZY8J2Q7M4K9",
    },
    "kev_found": {
        "cve_id": "CVE-2021-44228",
        "package": NORMAL_PACKAGE,
        "severity": "critical",
        "cvss_score": 10.0,
        "fixed_version": "2.17.1",
        "title": "Apache Log4j2 JNDI features do not protect against attacker controlled LDAP and other JNDI related endpoints",
        "url": "https://www.cisa.gov/known-exploited-vulnerabilities-catalog",
        "scan_id": "scan_01HZY8J2Q7M4K9",
        # From the CISA KEV catalog entry (tests/fixtures/kev/known_exploited_vulnerabilities.json).
        "kev": {
            "date_added": "2021-12-10",
            "due_date": "2021-12-24",
            "required_action": "For all affected software assets for which updates exist, the only acceptable remediation actions are: 1) Apply updates; OR 2) remove affected assets from agency networks. Temporary mitigations using one of the measures provided at https://www.cisa.gov/uscert/ed-22-02-apache-log4j-recommended-mitigation-measures are only acceptable until updates are available.",
            "known_ransomware_campaign_use": "Known",
            "vendor_project": "Apache",
            "product": "Log4j2",
            "vulnerability_name": "Apache Log4j2 Remote Code Execution Vulnerability",
        },
    },
    "policy_violation": {
        "policy": "no-critical-with-fix",
        "rule": "severity >= critical && fix_available",
        "action": "fail",
        "violations": [
            {
                "package": NORMAL_PACKAGE,
                "reason": "CVE-2021-44228 (critical, CVSS 10.0) is fixed in 2.17.1",
            },
            {
                "package": {
                    "name": "jackson-databind",
                    "version": "2.9.10.1",
                    "ecosystem": "maven",
                    "purl": "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.10.1",
                },
                "reason": "CVE-2020-9548 (critical, CVSS 9.8) is fixed in 2.9.10.4",
            },
            {
                "package": {
                    "name": "lodash",
                    "version": "4.17.15",
                    "ecosystem": "npm",
                    "purl": "pkg:npm/lodash@4.17.15",
                },
                "reason": "CVE-2021-23337 (high → critical by policy override) is fixed in 4.17.21",
            },
        ],
        "scan_id": "scan_01HZY8J2Q7M4K9",
        "url": "https://app.codestax.example/myorg/backend-api/policies/no-critical-with-fix",
    },
    "sla_breach": {
        "cve_id": "CVE-2023-4966",
        "package": {
            "name": "netscaler-adc",
            "version": "13.1-48.47",
            "ecosystem": "generic",
            "purl": "pkg:generic/citrix/netscaler-adc@13.1-48.47",
        },
        "due_at": "2023-11-08T00:00:00Z",
        "severity": "critical",
        "detected_at": "2023-10-18T09:12:44Z",
        "days_overdue": 14,
        "sla_days": 7,
        "url": "https://app.codestax.example/myorg/backend-api/findings/CVE-2023-4966",
    },
}

# --- oversized data ---------------------------------------------------------------------------
TITLE = 10_000
LONG_URL = 2_000


def vulnerability_fields(event: str) -> dict:
    return {
        "cve_id": text(500, "CVE-2099-"),
        "package": package(1000),
        "severity": "critical",
        "cvss_score": 10.0,
        "fixed_version": text(1000, "99.0.0-"),
        "title": text(TITLE, "Title: "),
        "url": url(LONG_URL, f"{event}/details"),
        "scan_id": text(1000, "scan_"),
    }


OVERSIZED = {
    "scan_complete": {
        "scan_id": text(1000, "scan_"),
        "status": "failed",
        "summary": {
            "critical": 2_147_483_647,
            "high": 9_007_199_254_740_991,
            "medium": 123_456_789,
            "low": 98_765_432,
            "unknown": 4_294_967_295,
        },
        "packages_scanned": 1_000_000_000_000,
        "duration_seconds": 86_399.999,
        "branch": text(1000, "feature/"),
        "commit": text(1000, "9f2c1e4b7a0d3c5e8f1a2b3c4d5e6f7a8b9c0d1e-"),
        "url": url(LONG_URL, "scans"),
        # The most `emit --report` lists (50) of far more fixed, each with a 1,000-character
        # package name and long id, version and dates.
        "fixed_count": 9_007_199_254_740_991,
        "fixed": [
            {
                "id": text(500, f"CVE-2099-{index}-"),
                "package": {
                    "name": text(1000, f"@scope-{index}/fixed-ünï-🚀-"),
                    "version": text(300, f"{index}.0.0-rc.1+build."),
                },
                "severity": ["critical", "high", "medium", "low", "unknown"][index % 5],
                "first_seen": text(200, "2021-12-10T09:30:00Z "),
                "days_open": 999_999_999,
            }
            for index in range(50)
        ],
    },
    "critical_vulnerability": vulnerability_fields("critical_vulnerability"),
    "kev_found": {
        **vulnerability_fields("kev_found"),
        "kev": {
            "date_added": text(200, "2021-12-10 "),
            "due_date": text(200, "2021-12-24 "),
            "required_action": text(TITLE, "Required action: "),
            "known_ransomware_campaign_use": text(1000, "Known "),
            "vendor_project": text(1000, "Vendor "),
            "product": text(1000, "Product "),
            "vulnerability_name": text(TITLE, "Vulnerability name: "),
        },
    },
    "policy_violation": {
        "policy": text(1000, "policy-"),
        "rule": text(TITLE, "rule: "),
        "action": "fail",
        # 300 violations; the first five with 1,000-character package names, the rest shorter
        # so the file stays a reasonable size; every reason is long.
        "violations": [
            {
                "package": package(1000 if index < 5 else 60, index, long_rest=index < 5),
                "reason": text(600, f"Violation {index}: "),
            }
            for index in range(300)
        ],
        "scan_id": text(1000, "scan_"),
        "url": url(LONG_URL, "policies"),
    },
    "sla_breach": {
        "cve_id": text(500, "CVE-2099-"),
        "package": package(1000),
        "due_at": text(1000, "2023-11-08T00:00:00Z "),
        "severity": "critical",
        "detected_at": text(1000, "2023-10-18T09:12:44Z "),
        "days_overdue": 999_999_999,
        "sla_days": 2_147_483_647,
        "url": url(LONG_URL, "findings"),
    },
}

REPOS = {
    "normal": "myorg/backend-api",
    # GitLab-style nested groups, no whitespace (staxhook refuses that), multi-byte and <>&.
    "oversized": "ãcme-<&>-örg-🚀/" + "sub-group-漏洞/" * 20 + ("backend-api-" + "x" * 40 + "-🦀") * 20,
}


def render() -> dict:
    files = {}
    for size, events in (("normal", NORMAL), ("oversized", OVERSIZED)):
        for event, data in events.items():
            files[f"{event}.{size}.json"] = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        files[f"repo.{size}.txt"] = REPOS[size] + "\n"
    return files


def main() -> int:
    check = "--check" in sys.argv[1:]
    stale = []
    for name, content in render().items():
        path = HERE / name
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != content:
                stale.append(name)
        else:
            path.write_text(content, encoding="utf-8")
    if stale:
        print("conformance data out of date (run python3 conformance/data/generate.py): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
