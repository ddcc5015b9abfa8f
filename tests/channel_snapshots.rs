//! Channel formatters: `insta` snapshots of every channel × event × {normal, oversized}, and
//! limit / content assertions (docs/reference.md §4) that hold independently of the snapshots.
//!
//! Regenerate the snapshots with `INSTA_UPDATE=always cargo test --test integration channel_snapshots`
//! (or `cargo insta accept`), then read the `.snap` files in `tests/snapshots/`.

use serde_json::{json, Map, Value};

use crate::prelude::*;

const TIMESTAMP: &str = "2026-03-22T10:30:00Z";
const REPOSITORY: &str = "myorg/backend-api";
const ROUTING_KEY: &str = "R0UTINGKEY0123456789abcdef012345";
const ELLIPSIS: char = '…';

/// Number of policy violations in the oversized `policy_violation`.
const VIOLATIONS: usize = 300;
/// How many of them carry a 1,000-character package name and a 10,000-character reason.
const HUGE_VIOLATIONS: usize = 3;
/// The oversized `scan_complete` fixed this many findings and lists the most `emit --report`
/// lists, each with a 1,000-character package name.
const FIXED_TOTAL: usize = 60;
const FIXED_LISTED: usize = 50;
/// How many fixed findings a chat message shows before "and N more".
const FIXED_SHOWN: usize = 5;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Size {
    Normal,
    Oversized,
    /// The oversized data with every long text made of emoji (4 UTF-8 bytes, 2 UTF-16 units
    /// each): the worst case for byte limits (Teams) and UTF-16 limits (Discord). Checked, not
    /// snapshotted.
    Wide,
}

impl Size {
    fn as_str(self) -> &'static str {
        match self {
            Size::Normal => "normal",
            Size::Oversized => "oversized",
            Size::Wide => "wide",
        }
    }
}

/// What is snapshotted.
const SIZES: [Size; 2] = [Size::Normal, Size::Oversized];
/// What the limit and content assertions run over.
const ALL_SIZES: [Size; 3] = [Size::Normal, Size::Oversized, Size::Wide];
const CHAT_CHANNELS: [Channel; 3] = [Channel::Slack, Channel::Teams, Channel::Discord];

// ---------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------

/// Exactly `chars` characters (Unicode scalar values) of `pattern`, repeated; `prefix` first.
fn long(prefix: &str, pattern: &str, chars: usize) -> String {
    let mut text: String = prefix.chars().take(chars).collect();
    let mut source = pattern.chars().cycle();
    while text.chars().count() < chars {
        text.push(source.next().expect("non-empty pattern"));
    }
    text
}

/// Prose with emoji (two UTF-16 units each) and Slack/HTML control characters.
const PROSE: &str = "Remote code execution 🔥 via <jndi:ldap://evil> & friends — ";

fn long_url(tag: &str) -> String {
    long(
        &format!("https://scanner.example.com/{tag}/details?a=1&b=2&path="),
        "segment-0123456789/",
        2000,
    )
}

fn oversized_repository() -> String {
    long("myorg-🚀-<prod>&/", "backend-api-<svc>&-🦀-", 600)
}

fn long_package(index: usize) -> String {
    long(
        &format!("vpkg{index:04}-"),
        "org.example.<group>&🔥.artifact-",
        1000,
    )
}

/// The package name of the oversized scan's fixed finding `index`: `fixed{index:02}-` first,
/// so the tests can tell which are shown.
fn fixed_package(index: usize) -> String {
    long(
        &format!("fixed{index:02}-"),
        "org.example.<group>&🔥.artifact-",
        1000,
    )
}

fn oversized_fixed() -> Vec<Value> {
    (0..FIXED_LISTED)
        .map(|index| {
            let severity = ["critical", "high", "medium", "low"][index * 4 / FIXED_LISTED];
            json!({
                "id": format!("CVE-2026-{index:05}"),
                "package": {"name": fixed_package(index), "version": "1.0.0-rc.1+build.<7>&🔥"},
                "severity": severity,
                "first_seen": "2025-01-01T00:00:00Z",
                "days_open": 445,
            })
        })
        .collect()
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn oversized_data(event: Event) -> Map<String, Value> {
    let value = match event {
        Event::ScanComplete => json!({
            "scan_id": long("scan-", "0123456789abcdef", 200),
            "status": "failed",
            "summary": {"critical": 1234, "high": 56789, "medium": 100000, "low": 7, "unknown": 42},
            "packages_scanned": 123456,
            "duration_seconds": 3600,
            "branch": long("feature/", "emoji-🎉-<branch>&-", 1000),
            "commit": "4f2a9c1e0b7d3a5f6c8e9d0a1b2c3d4e5f6a7b8c",
            "url": long_url("scans"),
            "fixed_count": FIXED_TOTAL,
            "fixed": oversized_fixed(),
        }),
        Event::CriticalVulnerability => json!({
            "cve_id": "CVE-2026-999999",
            "package": {
                "name": long_package(0),
                "version": "1.0.0-rc.1+build.<7>&🔥",
                "ecosystem": "maven",
                "purl": long("pkg:maven/", "org.example/artifact-", 1000),
            },
            "severity": "critical",
            "cvss_score": 9.8,
            "fixed_version": "1.0.1",
            "title": long("Title: ", PROSE, 10_000),
            "url": long_url("cve"),
            "scan_id": "scan-oversized-0001",
        }),
        Event::KevFound => json!({
            "cve_id": "CVE-2026-888888",
            "package": {"name": long_package(0), "version": "5.6.0-<beta>&🔥", "ecosystem": "deb"},
            "severity": "critical",
            "cvss_score": 10.0,
            "fixed_version": "5.6.1",
            "title": long("Title: ", PROSE, 10_000),
            "kev": {
                "date_added": "2026-03-01",
                "due_date": "2026-03-22",
                "required_action": long("Required: ", PROSE, 10_000),
                "known_ransomware_campaign_use": "Known",
                "vendor_project": long("Vendor ", "<Acme> & Sons 🏭 ", 1000),
                "product": long("Product ", "Widget <Pro> & 🧩 ", 1000),
                "vulnerability_name": long("Name: ", PROSE, 10_000),
            },
            "url": long_url("kev"),
        }),
        Event::PolicyViolation => {
            let violations: Vec<Value> = (0..VIOLATIONS)
                .map(|index| {
                    let (name, reason) = if index < HUGE_VIOLATIONS {
                        (long_package(index), long("Reason: ", PROSE, 10_000))
                    } else {
                        (
                            format!("vpkg{index:04}-left-pad-<&>-🔥"),
                            format!("CVE-2026-{index:04} (critical) has a fix in 1.2.{} <&> 🔥", index + 1),
                        )
                    };
                    json!({
                        "package": {"name": name, "version": format!("1.2.{index}"), "ecosystem": "npm"},
                        "reason": reason,
                    })
                })
                .collect();
            json!({
                "policy": "no-critical-with-fix 🚫 <prod> & staging",
                "rule": long("severity_at_least = critical, fix_available = true; ", "<rule> & 🔍 ", 1000),
                "action": "fail",
                "violations": violations,
                "scan_id": "scan-oversized-0001",
                "url": long_url("policy"),
            })
        }
        Event::SlaBreach => json!({
            "cve_id": "CVE-2026-777777",
            "package": {"name": long_package(0), "version": "0.15.0-<x>&🔥", "ecosystem": "go"},
            "severity": "high",
            "detected_at": "2015-01-05T09:00:00Z",
            "due_at": "2015-02-04T09:00:00Z",
            "days_overdue": 4063,
            "sla_days": 30,
            "url": long_url("sla"),
        }),
    };
    object(value)
}

/// Long texts (over 100 characters, URLs aside) keep their first 12 characters and go on in
/// emoji to the same length.
fn widen(value: Value, key: Option<&str>) -> Value {
    match value {
        Value::String(text) if key != Some("url") && chars(&text) > 100 => {
            Value::String(long(&prefix(&text, 12), "🔥", chars(&text)))
        }
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|item| widen(item, None)).collect())
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(name, item)| {
                    let item = widen(item, Some(&name));
                    (name, item)
                })
                .collect(),
        ),
        other => other,
    }
}

fn data(event: Event, size: Size) -> Map<String, Value> {
    match size {
        Size::Normal => event.sample_data(),
        Size::Oversized => oversized_data(event),
        Size::Wide => object(widen(Value::Object(oversized_data(event)), None)),
    }
}

fn repository(size: Size) -> String {
    match size {
        Size::Normal => REPOSITORY.to_string(),
        Size::Oversized => oversized_repository(),
        Size::Wide => long("myorg/", "🚀", 600),
    }
}

fn envelope_with(
    event: Event,
    repository: String,
    data: Map<String, Value>,
    test: bool,
) -> Envelope {
    let mut envelope = Envelope::new(event, repository, data, test);
    envelope.timestamp = TIMESTAMP.to_string();
    envelope
}

fn envelope(event: Event, size: Size, test: bool) -> Envelope {
    envelope_with(event, repository(size), data(event, size), test)
}

fn context() -> FormatContext<'static> {
    FormatContext {
        routing_key: Some(ROUTING_KEY),
    }
}

/// The exact bytes the channel would send.
fn raw_body(channel: Channel, envelope: &Envelope) -> Vec<u8> {
    channel.formatter().body(envelope, &context())
}

/// The body as shown and stored (PagerDuty's routing key redacted), parsed.
fn shown_body(channel: Channel, envelope: &Envelope) -> Value {
    let formatter = channel.formatter();
    let redacted = formatter.redacted_body(&raw_body(channel, envelope));
    serde_json::from_str(&redacted).unwrap_or_else(|error| {
        panic!("{channel}: redacted body is not JSON ({error}): {redacted}")
    })
}

fn label(channel: Channel, event: Event, size: Size) -> String {
    format!("{}__{}__{}", channel, event, size.as_str())
}

// ---------------------------------------------------------------------------------------------
// Snapshots
// ---------------------------------------------------------------------------------------------

fn snapshot_channel(channel: Channel) {
    for event in Event::ALL {
        for size in SIZES {
            let body = shown_body(channel, &envelope(event, size, false));
            let pretty = serde_json::to_string_pretty(&body).expect("pretty JSON");
            insta::assert_snapshot!(label(channel, event, size), pretty);
        }
    }
}

#[test]
fn snapshots_slack() {
    snapshot_channel(Channel::Slack);
}

#[test]
fn snapshots_teams() {
    snapshot_channel(Channel::Teams);
}

#[test]
fn snapshots_discord() {
    snapshot_channel(Channel::Discord);
}

#[test]
fn snapshots_pagerduty() {
    snapshot_channel(Channel::Pagerduty);
}

#[test]
fn snapshots_generic() {
    snapshot_channel(Channel::Generic);
}

// ---------------------------------------------------------------------------------------------
// Helpers for the assertions
// ---------------------------------------------------------------------------------------------

fn chars(text: &str) -> usize {
    text.chars().count()
}

fn utf16(text: &str) -> usize {
    text.encode_utf16().count()
}

fn str_at<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str)
}

/// Collects every string anywhere in `value`.
fn strings<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::String(text) => out.push(text),
        Value::Array(items) => items.iter().for_each(|item| strings(item, out)),
        Value::Object(map) => map.values().for_each(|item| strings(item, out)),
        _ => {}
    }
}

fn slack_unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Everything a reader of the message can see, as one text (Slack's entities decoded).
fn visible_text(channel: Channel, body: &Value) -> String {
    let mut found = Vec::new();
    strings(body, &mut found);
    let text = found.join("\n");
    if channel == Channel::Slack {
        slack_unescape(&text)
    } else {
        text
    }
}

/// The first `n` characters: what must survive a truncation of a long value.
fn prefix(text: &str, n: usize) -> String {
    text.chars().take(n).collect()
}

/// `text` must show `value`: whole when it is short, else at least its first 40 characters.
fn assert_mentions(problems: &mut Vec<String>, case: &str, text: &str, what: &str, value: &str) {
    let shown = if chars(value) <= 120 {
        value.to_string()
    } else {
        prefix(value, 40)
    };
    if !text.contains(&shown) {
        problems.push(format!(
            "{case}: the message does not mention the {what} ({shown:?})"
        ));
    }
}

fn lookup<'a>(data: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut segments = path.split('.');
    let first = data.get(segments.next()?)?;
    segments.try_fold(first, |value, key| value.get(key))
}

fn lookup_text(data: &Map<String, Value>, path: &str) -> String {
    match lookup(data, path) {
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
        None => panic!("test data lacks {path}"),
    }
}

/// Collected problems fail the test all at once, so one run reports every case.
fn report(test: &str, problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{test}: {} problem(s):\n  - {}",
        problems.len(),
        problems.join("\n  - ")
    );
}

fn check(problems: &mut Vec<String>, ok: bool, message: impl FnOnce() -> String) {
    if !ok {
        problems.push(message());
    }
}

/// The "and N more" counts in `text`.
fn and_more_counts(text: &str) -> Vec<usize> {
    let mut counts = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("and ") {
        let after = &rest[at + 4..];
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() && after[digits.len()..].starts_with(" more") {
            counts.push(digits.parse().expect("digits"));
        }
        rest = after;
    }
    counts
}

// ---------------------------------------------------------------------------------------------
// Per-channel limits
// ---------------------------------------------------------------------------------------------

fn slack_limits(case: &str, body: &Value, problems: &mut Vec<String>) {
    let text = body.get("text").and_then(Value::as_str).unwrap_or_default();
    check(problems, !text.trim().is_empty(), || {
        format!("{case}: top-level `text` missing or empty")
    });

    let mut blocks: Vec<&Value> = Vec::new();
    if let Some(top) = body.get("blocks").and_then(Value::as_array) {
        blocks.extend(top);
    }
    if let Some(attachments) = body.get("attachments").and_then(Value::as_array) {
        for attachment in attachments {
            if let Some(inner) = attachment.get("blocks").and_then(Value::as_array) {
                blocks.extend(inner);
            }
        }
    }
    check(problems, !blocks.is_empty(), || {
        format!("{case}: no blocks")
    });
    check(problems, blocks.len() <= 50, || {
        format!("{case}: {} blocks > 50", blocks.len())
    });
    for (index, block) in blocks.iter().enumerate() {
        let kind = block
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match kind {
            "header" => {
                let header = str_at(block, "/text/text").unwrap_or_default();
                check(problems, chars(header) <= 150, || {
                    format!(
                        "{case}: block {index} header text {} chars > 150",
                        chars(header)
                    )
                });
            }
            "section" => {
                if let Some(section) = str_at(block, "/text/text") {
                    check(problems, chars(section) <= 3000, || {
                        format!(
                            "{case}: block {index} section text {} chars > 3000",
                            chars(section)
                        )
                    });
                }
                if let Some(fields) = block.get("fields").and_then(Value::as_array) {
                    check(problems, fields.len() <= 10, || {
                        format!("{case}: block {index} has {} fields > 10", fields.len())
                    });
                    for (number, field) in fields.iter().enumerate() {
                        let field = field
                            .get("text")
                            .and_then(Value::as_str)
                            .unwrap_or_default();
                        check(problems, chars(field) <= 2000, || {
                            format!(
                                "{case}: block {index} field {number} {} chars > 2000",
                                chars(field)
                            )
                        });
                    }
                }
            }
            "context" => {
                let elements = block
                    .get("elements")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                check(problems, elements <= 10, || {
                    format!("{case}: block {index} context has {elements} elements > 10")
                });
            }
            "actions" => {
                for element in block
                    .get("elements")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(url) = element.get("url").and_then(Value::as_str) {
                        check(problems, chars(url) <= 3000, || {
                            format!("{case}: button url {} chars > 3000", chars(url))
                        });
                    }
                }
            }
            _ => {}
        }
    }
}

fn teams_limits(
    case: &str,
    raw: &[u8],
    body: &Value,
    url: Option<&str>,
    problems: &mut Vec<String>,
) {
    check(problems, raw.len() < 28 * 1024, || {
        format!("{case}: body {} bytes, not under 28 KB", raw.len())
    });
    check(problems, str_at(body, "/type") == Some("message"), || {
        format!("{case}: type is not `message`")
    });
    let Some(card) = body.pointer("/attachments/0/content") else {
        problems.push(format!("{case}: no attachments[0].content"));
        return;
    };
    check(
        problems,
        str_at(body, "/attachments/0/contentType")
            == Some("application/vnd.microsoft.card.adaptive"),
        || format!("{case}: contentType is not the adaptive card type"),
    );
    check(problems, str_at(card, "/version") == Some("1.4"), || {
        format!("{case}: version is not \"1.4\"")
    });
    check(
        problems,
        str_at(card, "/$schema") == Some("http://adaptivecards.io/schemas/adaptive-card.json"),
        || format!("{case}: $schema missing or wrong"),
    );
    check(
        problems,
        str_at(card, "/type") == Some("AdaptiveCard"),
        || format!("{case}: content type is not AdaptiveCard"),
    );

    let mut kinds = Vec::new();
    collect_types(card, &mut kinds);
    check(problems, kinds.iter().any(|kind| kind == "FactSet"), || {
        format!("{case}: no FactSet")
    });
    if let Some(url) = url.filter(|url| url.len() <= 2048) {
        let actions = card
            .get("actions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let open = actions
            .iter()
            .find(|action| str_at(action, "/type") == Some("Action.OpenUrl"));
        match open {
            None => problems.push(format!(
                "{case}: no Action.OpenUrl although the url is {} chars (≤ 2048)",
                url.len()
            )),
            Some(action) => check(problems, str_at(action, "/url") == Some(url), || {
                format!("{case}: Action.OpenUrl url differs from the data's url")
            }),
        }
    }
}

fn collect_types(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(kind)) = map.get("type") {
                out.push(kind.clone());
            }
            map.values().for_each(|item| collect_types(item, out));
        }
        Value::Array(items) => items.iter().for_each(|item| collect_types(item, out)),
        _ => {}
    }
}

fn discord_limits(case: &str, body: &Value, problems: &mut Vec<String>) {
    let Some(embeds) = body.get("embeds").and_then(Value::as_array) else {
        problems.push(format!("{case}: no embeds array"));
        return;
    };
    check(problems, !embeds.is_empty() && embeds.len() <= 10, || {
        format!("{case}: {} embeds (1..=10 expected)", embeds.len())
    });
    let mut total = 0;
    for (index, embed) in embeds.iter().enumerate() {
        let mut part = |pointer: &str, limit: usize, problems: &mut Vec<String>| {
            if let Some(text) = str_at(embed, pointer) {
                total += utf16(text);
                check(problems, utf16(text) <= limit, || {
                    format!(
                        "{case}: embed {index} {pointer} is {} UTF-16 units > {limit}",
                        utf16(text)
                    )
                });
            }
        };
        part("/title", 256, problems);
        part("/description", 4096, problems);
        part("/footer/text", 2048, problems);
        part("/author/name", 256, problems);
        let fields = embed
            .get("fields")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        check(problems, fields.len() <= 25, || {
            format!("{case}: embed {index} has {} fields > 25", fields.len())
        });
        for (number, field) in fields.iter().enumerate() {
            let name = str_at(field, "/name").unwrap_or_default();
            let value = str_at(field, "/value").unwrap_or_default();
            total += utf16(name) + utf16(value);
            check(problems, !name.is_empty() && utf16(name) <= 256, || {
                format!(
                    "{case}: embed {index} field {number} name is {} UTF-16 units (1..=256)",
                    utf16(name)
                )
            });
            check(problems, !value.is_empty() && utf16(value) <= 1024, || {
                format!(
                    "{case}: embed {index} field {number} value is {} UTF-16 units (1..=1024)",
                    utf16(value)
                )
            });
        }
        check(
            problems,
            embed.get("color").is_some_and(Value::is_u64),
            || format!("{case}: embed {index} color is not an integer"),
        );
        let timestamp = str_at(embed, "/timestamp").unwrap_or_default();
        check(
            problems,
            timestamp.parse::<jiff::Timestamp>().is_ok(),
            || format!("{case}: embed {index} timestamp {timestamp:?} is not ISO 8601"),
        );
    }
    check(problems, total <= 6000, || {
        format!("{case}: embeds' text parts total {total} UTF-16 units > 6000")
    });
}

fn expected_pagerduty_severity(envelope: &Envelope) -> &'static str {
    match envelope.event {
        Event::CriticalVulnerability | Event::KevFound => "critical",
        Event::SlaBreach => "error",
        Event::PolicyViolation => match envelope.data.get("action").and_then(Value::as_str) {
            Some("fail") => "error",
            _ => "warning",
        },
        Event::ScanComplete => "info",
    }
}

fn pagerduty_checks(case: &str, envelope: &Envelope, size: Size, problems: &mut Vec<String>) {
    let raw = raw_body(Channel::Pagerduty, envelope);
    let formatter = Channel::Pagerduty.formatter();
    let redacted = formatter.redacted_body(&raw);
    let body: Value = serde_json::from_str(&redacted).expect("redacted PagerDuty body is JSON");
    let sent: Value = serde_json::from_slice(&raw).expect("PagerDuty body is JSON");

    check(problems, raw.len() < 512 * 1024, || {
        format!("{case}: body {} bytes ≥ 512 KB", raw.len())
    });
    check(
        problems,
        str_at(&sent, "/routing_key") == Some(ROUTING_KEY),
        || format!("{case}: the sent body lacks the routing key"),
    );
    check(
        problems,
        !redacted.contains(ROUTING_KEY) && !redacted.contains(&ROUTING_KEY[..12]),
        || format!("{case}: the routing key appears in the redacted body"),
    );
    check(
        problems,
        str_at(&body, "/routing_key") == Some("[redacted]"),
        || format!("{case}: redacted routing_key is not \"[redacted]\""),
    );
    let restored = formatter.restored_body(&redacted, &context());
    check(problems, restored == raw, || {
        format!("{case}: restored_body(redacted_body(body)) differs from the body")
    });

    check(
        problems,
        str_at(&body, "/event_action") == Some("trigger"),
        || format!("{case}: event_action is not trigger"),
    );
    check(
        problems,
        str_at(&body, "/client") == Some("staxhook"),
        || format!("{case}: client is not staxhook"),
    );
    let summary = str_at(&body, "/payload/summary").unwrap_or_default();
    check(
        problems,
        !summary.is_empty() && chars(summary) <= 1024,
        || format!("{case}: summary {} chars (1..=1024)", chars(summary)),
    );
    let dedup = str_at(&body, "/dedup_key").unwrap_or_default();
    check(problems, !dedup.is_empty() && chars(dedup) <= 255, || {
        format!("{case}: dedup_key {} chars (1..=255)", chars(dedup))
    });

    let severity = str_at(&body, "/payload/severity").unwrap_or_default();
    let expected = expected_pagerduty_severity(envelope);
    check(problems, severity == expected, || {
        format!("{case}: severity {severity:?}, docs/reference.md §4 says {expected:?}")
    });

    let source = str_at(&body, "/payload/source").unwrap_or_default();
    let repository = &envelope.repository;
    let source_ok = source == repository
        || (source.ends_with(ELLIPSIS)
            && chars(source) <= 255
            && repository.starts_with(source.trim_end_matches(ELLIPSIS)));
    check(problems, source_ok, || {
        format!("{case}: source {source:?} is not the repository (or its truncation)")
    });
    check(
        problems,
        str_at(&body, "/payload/timestamp").is_some_and(|t| t.parse::<jiff::Timestamp>().is_ok()),
        || format!("{case}: payload.timestamp is not ISO 8601"),
    );

    let details = body.pointer("/payload/custom_details");
    if size == Size::Normal && !envelope.test {
        check(
            problems,
            details == Some(&Value::Object(envelope.data.clone())),
            || format!("{case}: custom_details is not exactly the data"),
        );
    } else {
        check(problems, details.is_some_and(Value::is_object), || {
            format!("{case}: custom_details missing")
        });
    }

    if let Some(url) = envelope.data.get("url").and_then(Value::as_str) {
        let links = body
            .get("links")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        check(
            problems,
            links.iter().any(|link| str_at(link, "/href") == Some(url)),
            || format!("{case}: links lack the data's url"),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Assertions
// ---------------------------------------------------------------------------------------------

#[test]
fn slack_respects_block_kit_limits() {
    let mut problems = Vec::new();
    for event in Event::ALL {
        for size in ALL_SIZES {
            let case = label(Channel::Slack, event, size);
            slack_limits(
                &case,
                &shown_body(Channel::Slack, &envelope(event, size, false)),
                &mut problems,
            );
        }
    }
    report("slack limits", problems);
}

#[test]
fn teams_respects_adaptive_card_limits() {
    let mut problems = Vec::new();
    for event in Event::ALL {
        for size in ALL_SIZES {
            let case = label(Channel::Teams, event, size);
            let envelope = envelope(event, size, false);
            let raw = raw_body(Channel::Teams, &envelope);
            let body: Value = serde_json::from_slice(&raw).expect("Teams body is JSON");
            let url = envelope.data.get("url").and_then(Value::as_str);
            teams_limits(&case, &raw, &body, url, &mut problems);
        }
    }
    report("teams limits", problems);
}

#[test]
fn discord_respects_embed_limits() {
    let mut problems = Vec::new();
    for event in Event::ALL {
        for size in ALL_SIZES {
            let case = label(Channel::Discord, event, size);
            let body = shown_body(Channel::Discord, &envelope(event, size, false));
            check(&mut problems, str_at(&body, "/username").is_some(), || {
                format!("{case}: no username")
            });
            discord_limits(&case, &body, &mut problems);
        }
    }
    report("discord limits", problems);
}

#[test]
fn pagerduty_events_are_valid_and_redacted() {
    let mut problems = Vec::new();
    for event in Event::ALL {
        for size in ALL_SIZES {
            for test in [false, true] {
                let case = format!(
                    "{}{}",
                    label(Channel::Pagerduty, event, size),
                    if test { " (test)" } else { "" }
                );
                pagerduty_checks(&case, &envelope(event, size, test), size, &mut problems);
            }
        }
    }
    // policy_violation with action warn pages as a warning.
    for size in ALL_SIZES {
        let mut data = data(Event::PolicyViolation, size);
        data.insert("action".into(), json!("warn"));
        let case = format!(
            "{} (action warn)",
            label(Channel::Pagerduty, Event::PolicyViolation, size)
        );
        let envelope = envelope_with(Event::PolicyViolation, repository(size), data, false);
        pagerduty_checks(&case, &envelope, size, &mut problems);
        let body = shown_body(Channel::Pagerduty, &envelope);
        check(
            &mut problems,
            str_at(&body, "/payload/severity") == Some("warning"),
            || format!("{case}: severity is not warning"),
        );
    }
    report("pagerduty", problems);
}

#[test]
fn pagerduty_dedup_key_is_stable_per_finding() {
    let first = envelope(Event::KevFound, Size::Normal, false);
    let mut rerun_data = first.data.clone();
    rerun_data.insert("title".into(), json!("a later scan words it differently"));
    let mut rerun = envelope_with(Event::KevFound, REPOSITORY.into(), rerun_data, false);
    rerun.timestamp = "2026-03-23T08:00:00Z".into();
    let key = |envelope: &Envelope| {
        str_at(&shown_body(Channel::Pagerduty, envelope), "/dedup_key").map(str::to_string)
    };
    assert_eq!(
        key(&first),
        key(&rerun),
        "same event, repository, CVE and package"
    );
    let mut other_data = first.data.clone();
    other_data.insert("cve_id".into(), json!("CVE-2099-0001"));
    let other = envelope_with(Event::KevFound, REPOSITORY.into(), other_data, false);
    assert_ne!(key(&first), key(&other), "another CVE is another incident");
}

/// The generic channel's exact bytes for one envelope, written out by hand: compact JSON, the
/// keys in the documented order, `"test": true` last and only for a test.
#[test]
fn generic_body_is_the_envelope() {
    let mut data = Map::new();
    data.insert("scan_id".into(), json!("scan-1"));
    data.insert("summary".into(), json!({"critical": 2, "high": 0}));
    data.insert("note".into(), json!("ünïcode & <markup> \"quoted\""));
    let body = |test: bool| {
        let envelope = envelope_with(Event::ScanComplete, REPOSITORY.into(), data.clone(), test);
        String::from_utf8(raw_body(Channel::Generic, &envelope)).expect("UTF-8")
    };
    assert_eq!(
        body(false),
        r#"{"event":"scan_complete","timestamp":"2026-03-22T10:30:00Z","repository":"myorg/backend-api","data":{"scan_id":"scan-1","summary":{"critical":2,"high":0},"note":"ünïcode & <markup> \"quoted\""}}"#
    );
    assert_eq!(
        body(true),
        r#"{"event":"scan_complete","timestamp":"2026-03-22T10:30:00Z","repository":"myorg/backend-api","data":{"scan_id":"scan-1","summary":{"critical":2,"high":0},"note":"ünïcode & <markup> \"quoted\""},"test":true}"#
    );
}

/// Every event and size: the generic body is the envelope's parts as given, nothing added or
/// dropped (compared with the inputs, not with the product's own serialisation).
#[test]
fn generic_body_carries_every_event_and_size_unchanged() {
    for event in Event::ALL {
        let name = match event {
            Event::ScanComplete => "scan_complete",
            Event::CriticalVulnerability => "critical_vulnerability",
            Event::KevFound => "kev_found",
            Event::PolicyViolation => "policy_violation",
            Event::SlaBreach => "sla_breach",
        };
        for size in ALL_SIZES {
            for test in [false, true] {
                let case = format!("{} test={test}", label(Channel::Generic, event, size));
                let body = shown_body(Channel::Generic, &envelope(event, size, test));
                let keys: Vec<&str> = body
                    .as_object()
                    .expect("an object")
                    .keys()
                    .map(String::as_str)
                    .collect();
                let mut expected_keys = vec!["event", "timestamp", "repository", "data"];
                if test {
                    expected_keys.push("test");
                }
                assert_eq!(keys, expected_keys, "{case}");
                assert_eq!(body["event"], name, "{case}");
                assert_eq!(body["timestamp"], TIMESTAMP, "{case}");
                assert_eq!(body["repository"], repository(size), "{case}");
                assert_eq!(body["data"], Value::Object(data(event, size)), "{case}");
                if test {
                    assert_eq!(body["test"], true, "{case}");
                }
            }
        }
    }
}

/// Runs `check` on every chat channel × event × size (all of [`ALL_SIZES`]) with the case's
/// label, its envelope and the message text a person sees; reports every problem at the end.
fn check_every_chat_message(what: &str, check: impl Fn(&mut Vec<String>, &str, &Envelope, &str)) {
    let mut problems = Vec::new();
    for channel in CHAT_CHANNELS {
        for event in Event::ALL {
            for size in ALL_SIZES {
                let case = label(channel, event, size);
                let envelope = envelope(event, size, false);
                let text = visible_text(channel, &shown_body(channel, &envelope));
                check(&mut problems, &case, &envelope, &text);
            }
        }
    }
    report(what, problems);
}

#[test]
fn chat_messages_mention_the_repository() {
    check_every_chat_message(
        "chat mentions (repository)",
        |problems, case, envelope, text| {
            assert_mentions(problems, case, text, "repository", &envelope.repository);
        },
    );
}

#[test]
fn chat_messages_about_a_finding_mention_its_facts() {
    check_every_chat_message(
        "chat mentions (finding)",
        |problems, case, envelope, text| {
            let event = envelope.event;
            if !matches!(
                event,
                Event::CriticalVulnerability | Event::KevFound | Event::SlaBreach
            ) {
                return;
            }
            let data = &envelope.data;
            for (what, path) in [
                ("CVE", "cve_id"),
                ("package", "package.name"),
                ("version", "package.version"),
                ("severity", "severity"),
            ] {
                assert_mentions(problems, case, text, what, &lookup_text(data, path));
            }
            if event != Event::SlaBreach {
                assert_mentions(
                    problems,
                    case,
                    text,
                    "fixed version",
                    &lookup_text(data, "fixed_version"),
                );
            } else {
                assert_mentions(
                    problems,
                    case,
                    text,
                    "due date",
                    &lookup_text(data, "due_at"),
                );
            }
            if event == Event::KevFound {
                assert_mentions(
                    problems,
                    case,
                    text,
                    "KEV due date",
                    &lookup_text(data, "kev.due_date"),
                );
                assert_mentions(
                    problems,
                    case,
                    text,
                    "KEV required action",
                    &lookup_text(data, "kev.required_action"),
                );
            }
        },
    );
}

#[test]
fn chat_messages_about_a_scan_show_the_counts_and_the_scan_id() {
    check_every_chat_message("chat mentions (scan)", |problems, case, envelope, text| {
        if envelope.event != Event::ScanComplete {
            return;
        }
        let data = &envelope.data;
        let lower = text.to_lowercase();
        for severity in ["critical", "high", "medium", "low"] {
            let count = lookup_text(data, &format!("summary.{severity}"));
            let shown = [
                format!("{severity} {count}"),
                format!("{severity}: {count}"),
                format!("{count} {severity}"),
            ];
            check(
                problems,
                shown.iter().any(|form| lower.contains(form)),
                || format!("{case}: the message does not show the {severity} count {count}"),
            );
        }
        assert_mentions(
            problems,
            case,
            text,
            "scan id",
            &lookup_text(data, "scan_id"),
        );
    });
}

/// Fixed findings are news: a chat message about a scan says how many it fixed, shows the
/// first few (their ids too, however long the package name), and "and N more" counts the rest.
#[test]
fn chat_messages_about_a_scan_show_what_it_fixed() {
    check_every_chat_message("chat mentions (fixed)", |problems, case, envelope, text| {
        if envelope.event != Event::ScanComplete {
            return;
        }
        let data = &envelope.data;
        let count: usize = lookup_text(data, "fixed_count").parse().expect("a count");
        let heading = format!("Fixed since the last scan: {count}");
        assert_mentions(problems, case, text, "fixed heading", &heading);
        let listed = data["fixed"].as_array().expect("a fixed list");
        let shown = listed
            .iter()
            .take_while(|fixed| {
                let name = fixed["package"]["name"].as_str().expect("a name");
                text.contains(&prefix(name, 8))
            })
            .count();
        check(problems, (1..=FIXED_SHOWN).contains(&shown), || {
            format!("{case}: {shown} fixed findings shown, expected 1 to {FIXED_SHOWN}")
        });
        for fixed in &listed[..shown] {
            let id = fixed["id"].as_str().expect("an id");
            assert_mentions(problems, case, text, "fixed id", id);
        }
        let hidden = listed
            .iter()
            .skip(shown)
            .filter(|fixed| {
                let name = fixed["package"]["name"].as_str().expect("a name");
                text.contains(&prefix(name, 8))
            })
            .count();
        check(problems, hidden == 0, || {
            format!("{case}: {hidden} fixed findings past the first {shown} are shown too")
        });
        let more = and_more_counts(text).last().copied().unwrap_or(0);
        check(problems, shown + more == count, || {
            format!("{case}: {shown} fixed shown + \"and {more} more\" ≠ {count}")
        });
    });
}

#[test]
fn chat_messages_about_a_policy_violation_name_the_policy_and_the_first_package() {
    check_every_chat_message(
        "chat mentions (policy)",
        |problems, case, envelope, text| {
            if envelope.event != Event::PolicyViolation {
                return;
            }
            let data = &envelope.data;
            assert_mentions(problems, case, text, "policy", &lookup_text(data, "policy"));
            let first = data["violations"][0]["package"]["name"]
                .as_str()
                .expect("name");
            assert_mentions(problems, case, text, "first violating package", first);
        },
    );
}

/// Oversized texts are cut with `…`, long lists end with "and N more", and the count adds up.
#[test]
fn oversized_messages_truncate_with_ellipsis_and_summarise_lists() {
    let mut problems = Vec::new();
    for channel in CHAT_CHANNELS {
        for (event, size) in Event::ALL
            .into_iter()
            .flat_map(|event| [(event, Size::Oversized), (event, Size::Wide)])
        {
            let case = label(channel, event, size);
            let envelope = envelope(event, size, false);
            let text = visible_text(channel, &shown_body(channel, &envelope));
            check(&mut problems, text.contains(ELLIPSIS), || {
                format!("{case}: no `…` although texts were cut")
            });
            // Nothing that was cut lost its mark: no 10,000-character text is shown whole.
            check(
                &mut problems,
                !text.contains(&long("Title: ", PROSE, 10_000)),
                || format!("{case}: a 10,000-character title is shown whole"),
            );
            if event == Event::PolicyViolation {
                let counts = and_more_counts(&text);
                let shown = (0..VIOLATIONS)
                    .filter(|index| text.contains(&format!("vpkg{index:04}-")))
                    .count();
                match counts.as_slice() {
                    [] => problems.push(format!(
                        "{case}: {VIOLATIONS} violations, {shown} shown, but no \"and N more\""
                    )),
                    [more, ..] => {
                        check(&mut problems, shown + more == VIOLATIONS, || {
                            format!("{case}: {shown} violations shown + \"and {more} more\" ≠ {VIOLATIONS}")
                        })
                    }
                }
            }
        }
    }
    report("truncation", problems);
}

/// `send-test` messages are visibly tests in every channel.
#[test]
fn test_messages_are_marked() {
    let mut problems = Vec::new();
    for event in Event::ALL {
        for size in ALL_SIZES {
            for channel in Channel::ALL {
                let case = label(channel, event, size);
                let body = shown_body(channel, &envelope(event, size, true));
                let title = match channel {
                    Channel::Slack => body
                        .pointer("/attachments/0/blocks")
                        .or_else(|| body.get("blocks"))
                        .and_then(Value::as_array)
                        .and_then(|blocks| {
                            blocks
                                .iter()
                                .find(|block| str_at(block, "/type") == Some("header"))
                        })
                        .and_then(|header| str_at(header, "/text/text"))
                        .map(str::to_string),
                    Channel::Teams => first_text_block(&body).map(str::to_string),
                    Channel::Discord => str_at(&body, "/embeds/0/title").map(str::to_string),
                    Channel::Pagerduty => str_at(&body, "/payload/summary").map(str::to_string),
                    Channel::Generic => {
                        // No title: the envelope says so itself.
                        check(
                            &mut problems,
                            body.get("test") == Some(&Value::Bool(true)),
                            || format!("{case}: the envelope lacks \"test\": true"),
                        );
                        continue;
                    }
                };
                let title = title.unwrap_or_default();
                check(&mut problems, title.starts_with("[TEST] "), || {
                    format!(
                        "{case}: test message title {:?} does not start with [TEST]",
                        prefix(&title, 80)
                    )
                });
                if channel == Channel::Slack {
                    let fallback = str_at(&body, "/text").unwrap_or_default();
                    check(&mut problems, fallback.contains("[TEST]"), || {
                        format!("{case}: Slack fallback text is not marked as a test")
                    });
                }
            }
        }
    }
    report("test marking", problems);
}

/// Slack treats `&`, `<` and `>` in mrkdwn text as control characters (`<!channel>` pings
/// everyone, `<url|text>` makes links): every mrkdwn text, the top-level `text` included, must
/// carry them escaped. Only `plain_text` objects (the header) may hold them raw.
#[test]
fn slack_mrkdwn_texts_are_escaped() {
    let mut problems = Vec::new();
    for event in Event::ALL {
        let case = label(Channel::Slack, event, Size::Oversized);
        let body = shown_body(Channel::Slack, &envelope(event, Size::Oversized, false));
        let mut texts: Vec<(String, &str)> = Vec::new();
        if let Some(text) = str_at(&body, "/text") {
            texts.push(("top-level text".into(), text));
        }
        if let Some(text) = str_at(&body, "/attachments/0/fallback") {
            texts.push(("attachment fallback".into(), text));
        }
        let blocks = body
            .pointer("/attachments/0/blocks")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut mrkdwn = Vec::new();
        for block in &blocks {
            collect_mrkdwn(block, &mut mrkdwn);
        }
        for text in &mrkdwn {
            texts.push(("a mrkdwn block text".into(), text));
        }
        for (what, text) in texts {
            check(
                &mut problems,
                !text.contains('<') && !text.contains('>'),
                || {
                    format!(
                        "{case}: {what} holds unescaped `<`/`>`: {:?}",
                        prefix(&text[text.find(['<', '>']).unwrap_or(0)..], 40)
                    )
                },
            );
        }
    }
    report("slack escaping", problems);
}

/// The first `TextBlock` of the card: its title.
fn first_text_block(value: &Value) -> Option<&str> {
    match value {
        Value::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some("TextBlock") {
                return map.get("text").and_then(Value::as_str);
            }
            map.values().find_map(first_text_block)
        }
        Value::Array(items) => items.iter().find_map(first_text_block),
        _ => None,
    }
}

fn collect_mrkdwn<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some("mrkdwn") {
                if let Some(text) = map.get("text").and_then(Value::as_str) {
                    out.push(text);
                }
            }
            map.values().for_each(|item| collect_mrkdwn(item, out));
        }
        Value::Array(items) => items.iter().for_each(|item| collect_mrkdwn(item, out)),
        _ => {}
    }
}

/// Formatting is deterministic: the same envelope gives the same bytes (snapshots rely on it).
#[test]
fn formatting_is_deterministic() {
    for channel in Channel::ALL {
        for event in Event::ALL {
            let envelope = envelope(event, Size::Oversized, false);
            assert_eq!(
                raw_body(channel, &envelope),
                raw_body(channel, &envelope),
                "{}",
                label(channel, event, Size::Oversized)
            );
        }
    }
}

/// A digest (docs/reference.md §9: many events of one kind folded into one chat message) of 300
/// oversized findings, as `emit --report` builds it.
fn digest_envelope(event: Event) -> Envelope {
    let items: Vec<Value> = (0..VIOLATIONS)
        .map(|index| {
            json!({
                "cve_id": format!("CVE-2024-{index:05}"),
                "policy": long("policy-", "<&>", 300),
                "package": {"name": long_package(index), "version": long("1.", "9", 200)},
                "severity": "critical",
                "fixed_version": long("2.", "0", 200),
                "url": long_url("digest"),
            })
        })
        .collect();
    let data = object(json!({
        "digest": true,
        "count": VIOLATIONS,
        "total": VIOLATIONS + 5,
        "repository": oversized_repository(),
        "items": items,
    }));
    envelope_with(event, oversized_repository(), data, false)
}

#[test]
fn digests_respect_each_chat_channels_limits() {
    let mut problems = Vec::new();
    for event in Event::ALL {
        let envelope = digest_envelope(event);
        let case = format!("digest {event}");
        slack_limits(
            &format!("slack {case}"),
            &shown_body(Channel::Slack, &envelope),
            &mut problems,
        );
        // A digest carries no link of its own (each item has one), so no OpenUrl is expected.
        teams_limits(
            &format!("teams {case}"),
            &raw_body(Channel::Teams, &envelope),
            &shown_body(Channel::Teams, &envelope),
            None,
            &mut problems,
        );
        discord_limits(
            &format!("discord {case}"),
            &shown_body(Channel::Discord, &envelope),
            &mut problems,
        );
        for channel in CHAT_CHANNELS {
            let text = shown_body(channel, &envelope).to_string();
            if !text.contains(&format!("{VIOLATIONS} more")) {
                problems.push(format!(
                    "{channel} {case}: the title does not say how many ({VIOLATIONS} more)"
                ));
            }
            if !text.contains("CVE-2024-00000") {
                problems.push(format!(
                    "{channel} {case}: the worst (first) item is not listed"
                ));
            }
        }
    }
    report("digest limits", problems);
}

// ---------------------------------------------------------------------------------------------
// What a scan fixed, as each chat channel shows it
// ---------------------------------------------------------------------------------------------

/// A scan that fixed seven findings, all listed, worst first (as `emit --report` sends it).
fn scan_that_fixed_seven() -> Envelope {
    let fixed = [
        (
            "CVE-2021-44228",
            "org.apache.logging.log4j:log4j-core",
            "2.14.1",
            "critical",
            102,
        ),
        (
            "CVE-2022-42889",
            "org.apache.commons:commons-text",
            "1.9",
            "critical",
            69,
        ),
        ("CVE-2021-23337", "lodash", "4.17.20", "high", 34),
        ("CVE-2023-44487", "golang.org/x/net", "0.15.0", "high", 1),
        ("CVE-2022-25883", "semver", "7.5.1", "medium", 12),
        ("CVE-2024-4068", "braces", "3.0.2", "medium", 0),
        ("GHSA-jfh8-c2jp-5v3q", "ms", "2.0.0", "low", 400),
    ];
    let fixed: Vec<Value> = fixed
        .iter()
        .map(|(id, name, version, severity, days)| {
            json!({
                "id": id,
                "package": {"name": name, "version": version},
                "severity": severity,
                "first_seen": "2026-01-01T00:00:00Z",
                "days_open": days,
            })
        })
        .collect();
    let mut data = Event::ScanComplete.sample_data();
    data.insert("fixed_count".into(), json!(fixed.len()));
    data.insert("fixed".into(), Value::Array(fixed));
    envelope_with(Event::ScanComplete, REPOSITORY.into(), data, false)
}

#[test]
fn slack_shows_what_a_scan_fixed_under_a_bold_heading() {
    let body = shown_body(Channel::Slack, &scan_that_fixed_seven());
    let blocks = body
        .pointer("/attachments/0/blocks")
        .and_then(Value::as_array)
        .expect("blocks");
    let list = blocks
        .iter()
        .filter_map(|block| str_at(block, "/text/text"))
        .find(|text| text.starts_with("*Fixed"))
        .expect("a section about the fixed findings");
    insta::assert_snapshot!(list, @r"
    *Fixed since the last scan: 7*
    • org.apache.logging.log4j:log4j-core 2.14.1 — CVE-2021-44228 (critical, open 102 days)
    • org.apache.commons:commons-text 1.9 — CVE-2022-42889 (critical, open 69 days)
    • lodash 4.17.20 — CVE-2021-23337 (high, open 34 days)
    • golang.org/x/net 0.15.0 — CVE-2023-44487 (high, open 1 day)
    • semver 7.5.1 — CVE-2022-25883 (medium, open 12 days)
    and 2 more
    ");
}

#[test]
fn discord_shows_what_a_scan_fixed_in_the_description() {
    let body = shown_body(Channel::Discord, &scan_that_fixed_seven());
    let description = str_at(&body, "/embeds/0/description").expect("a description");
    insta::assert_snapshot!(description, @r"
    **Fixed since the last scan: 7**
    • org.apache.logging.log4j:log4j-core 2.14.1 — CVE-2021-44228 (critical, open 102 days)
    • org.apache.commons:commons-text 1.9 — CVE-2022-42889 (critical, open 69 days)
    • lodash 4.17.20 — CVE-2021-23337 (high, open 34 days)
    • golang.org/x/net 0.15.0 — CVE-2023-44487 (high, open 1 day)
    • semver 7.5.1 — CVE-2022-25883 (medium, open 12 days)
    and 2 more
    ");
}

#[test]
fn teams_shows_what_a_scan_fixed_after_the_facts() {
    let body = shown_body(Channel::Teams, &scan_that_fixed_seven());
    let card = body
        .pointer("/attachments/0/content/body")
        .and_then(Value::as_array)
        .expect("a card body");
    let facts = card
        .iter()
        .position(|element| str_at(element, "/type") == Some("FactSet"))
        .expect("a FactSet");
    // The heading and the list, before the footer: each element's type, other keys, text.
    let parts: Vec<String> = card[facts + 1..card.len() - 1]
        .iter()
        .map(|element| {
            let mut element = element.as_object().expect("an element").clone();
            let text = element.remove("text").expect("a text");
            let text = text.as_str().expect("text is a string").to_string();
            format!("{}\n{text}", Value::Object(element))
        })
        .collect();
    insta::assert_snapshot!(parts.join("\n\n"), @r#"
    {"type":"TextBlock","wrap":true,"weight":"Bolder"}
    Fixed since the last scan: 7

    {"type":"TextBlock","wrap":true}
    - org.apache.logging.log4j:log4j-core 2.14.1 — CVE-2021-44228 (critical, open 102 days)
    - org.apache.commons:commons-text 1.9 — CVE-2022-42889 (critical, open 69 days)
    - lodash 4.17.20 — CVE-2021-23337 (high, open 34 days)
    - golang.org/x/net 0.15.0 — CVE-2023-44487 (high, open 1 day)
    - semver 7.5.1 — CVE-2022-25883 (medium, open 12 days)
    and 2 more
    "#);
}
