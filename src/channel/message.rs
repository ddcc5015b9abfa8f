//! The channel-neutral message: what every chat or incident message says about an event
//! (title, severity, facts, details, link), read once from the envelope so each channel
//! only decides how to lay it out within its limits.

use serde_json::{Map, Value};

use super::text::truncate_chars;
use crate::envelope::Envelope;
use crate::event::Event;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Reads a scanner's label; unknown labels are informational.
    pub fn from_label(label: &str) -> Severity {
        match label.trim().to_ascii_lowercase().as_str() {
            "critical" => Severity::Critical,
            "high" | "error" => Severity::High,
            "medium" | "moderate" | "warning" | "warn" => Severity::Medium,
            "low" | "negligible" => Severity::Low,
            _ => Severity::Informational,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Informational => "informational",
        }
    }

    /// The docs/reference.md §4 colour, as `#RRGGBB`.
    pub fn hex_color(self) -> &'static str {
        match self {
            Severity::Critical => "#B60205",
            Severity::High => "#D93F0B",
            Severity::Medium => "#FBCA04",
            Severity::Low => "#0E8A16",
            Severity::Informational => "#1D76DB",
        }
    }

    /// The same colour as an integer (Discord's form).
    pub fn rgb(self) -> u32 {
        u32::from_str_radix(&self.hex_color()[1..], 16).unwrap_or(0)
    }
}

/// What a chat or incident message says, before any service's limits are applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub event: Event,
    /// e.g. "Critical vulnerability CVE-2021-44228 in log4j-core 2.14.1"; "[TEST] " in front for send-test.
    pub title: String,
    /// One line for notifications and fallbacks: the title plus the repository.
    pub summary: String,
    pub severity: Severity,
    pub repository: String,
    pub timestamp: String,
    /// Label and value pairs, most important first.
    pub facts: Vec<(String, String)>,
    /// A sentence or two: the vulnerability's title, the KEV required action, …
    pub description: Option<String>,
    /// Items of a list, e.g. each policy violation.
    pub items: Vec<String>,
    /// A line over the list, e.g. "Fixed since the last scan: 60".
    pub items_heading: Option<String>,
    /// How many more the list stands for than `items` holds, so its "and N more" counts
    /// them too (a scan lists its first few fixed findings of many).
    pub items_left_out: usize,
    pub url: Option<String>,
    pub test: bool,
}

const TEST_PREFIX: &str = "[TEST] ";

impl Message {
    pub fn from_envelope(envelope: &Envelope) -> Message {
        if envelope.data.get("digest") == Some(&Value::Bool(true)) {
            return Message::digest(envelope);
        }
        let data = &envelope.data;
        let mut facts: Vec<(String, String)> =
            vec![("Repository".into(), envelope.repository.clone())];
        let mut description = None;
        let mut items = Vec::new();
        let mut items_heading = None;
        let mut items_left_out = 0;
        let text = |path: &str| lookup_text(data, path);

        let package = text("package.name").unwrap_or_else(|| "unknown package".into());
        let version = text("package.version");
        let package_version = match &version {
            Some(version) => format!("{package} {version}"),
            None => package.clone(),
        };
        let cve = text("cve_id").unwrap_or_else(|| "unknown vulnerability".into());

        let (title, severity) = match envelope.event {
            Event::ScanComplete => {
                let status = text("status");
                let counts = severity_counts(data);
                let worst = counts
                    .iter()
                    .filter(|(_, count)| *count > 0)
                    .map(|(severity, _)| *severity)
                    .max();
                let failed = status.as_deref() == Some("failed");
                let severity = if failed {
                    Severity::Critical
                } else {
                    worst.unwrap_or(Severity::Low)
                };
                let mut title = format!("Scan complete: {}", envelope.repository);
                if let Some(status) = &status {
                    title.push_str(&format!(" — {status}"));
                }
                if let Some(status) = status {
                    facts.push(("Status".into(), status));
                }
                if !counts.is_empty() {
                    let line = counts
                        .iter()
                        .map(|(severity, count)| format!("{} {count}", severity_word(*severity)))
                        .collect::<Vec<_>>()
                        .join(" · ");
                    facts.push(("Findings".into(), line));
                }
                if let Some(unknown) = lookup(data, "summary.unknown").and_then(Value::as_u64) {
                    facts.push(("Unknown severity".into(), unknown.to_string()));
                }
                push_fact(&mut facts, "Packages scanned", text("packages_scanned"));
                push_fact(
                    &mut facts,
                    "Duration",
                    text("duration_seconds").map(|seconds| format!("{seconds} s")),
                );
                push_fact(&mut facts, "Branch", text("branch"));
                push_fact(&mut facts, "Commit", text("commit"));
                push_fact(&mut facts, "Scan", text("scan_id"));
                if let Some(fixed) = FixedFindings::read(data) {
                    items_heading = Some(format!("Fixed since the last scan: {}", fixed.count));
                    items_left_out = fixed.left_out();
                    items = fixed.shown;
                }
                (title, severity)
            }
            Event::CriticalVulnerability | Event::KevFound => {
                let severity_label = text("severity").unwrap_or_else(|| "critical".into());
                let severity = Severity::from_label(&severity_label).max(
                    if envelope.event == Event::KevFound {
                        Severity::Critical
                    } else {
                        Severity::Informational
                    },
                );
                let title = if envelope.event == Event::KevFound {
                    format!("Known exploited vulnerability {cve} in {package_version}")
                } else {
                    format!(
                        "{} vulnerability {cve} in {package_version}",
                        capitalise(&severity_label)
                    )
                };
                facts.push(("Vulnerability".into(), cve.clone()));
                facts.push(("Package".into(), package.clone()));
                push_fact(&mut facts, "Version", version.clone());
                push_fact(&mut facts, "Ecosystem", text("package.ecosystem"));
                let mut severity_fact = severity_label.clone();
                if let Some(score) = text("cvss_score") {
                    severity_fact.push_str(&format!(" (CVSS {score})"));
                }
                facts.push(("Severity".into(), severity_fact));
                push_fact(&mut facts, "EPSS", epss_text(data));
                facts.push((
                    "Fixed version".into(),
                    text("fixed_version").unwrap_or_else(|| "none known".into()),
                ));
                if envelope.event == Event::KevFound {
                    push_fact(&mut facts, "KEV due date", text("kev.due_date"));
                    push_fact(
                        &mut facts,
                        "Ransomware use",
                        text("kev.known_ransomware_campaign_use"),
                    );
                    push_fact(&mut facts, "Added to KEV", text("kev.date_added"));
                    push_fact(&mut facts, "Required action", text("kev.required_action"));
                    let product = [text("kev.vendor_project"), text("kev.product")]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" / ");
                    push_fact(
                        &mut facts,
                        "Vendor / product",
                        (!product.is_empty()).then_some(product),
                    );
                    description = text("kev.vulnerability_name").or_else(|| text("title"));
                } else {
                    description = text("title");
                }
                push_fact(&mut facts, "Purl", text("package.purl"));
                push_fact(&mut facts, "Scan", text("scan_id"));
                (title, severity)
            }
            Event::PolicyViolation => {
                let policy = text("policy").unwrap_or_else(|| "policy".into());
                let action = text("action");
                let severity = if action.as_deref() == Some("fail") {
                    Severity::High
                } else {
                    Severity::Medium
                };
                let mut title = format!("Policy violation: {policy}");
                if let Some(action) = &action {
                    title.push_str(&format!(" ({action})"));
                }
                facts.push(("Policy".into(), policy));
                push_fact(&mut facts, "Action", action);
                push_fact(&mut facts, "Rule", text("rule"));
                if let Some(Value::Array(violations)) = lookup(data, "violations") {
                    facts.push(("Violations".into(), violations.len().to_string()));
                    items = violations.iter().map(describe_violation).collect();
                }
                push_fact(&mut facts, "Scan", text("scan_id"));
                (title, severity)
            }
            Event::SlaBreach => {
                let severity_label = text("severity");
                let severity = severity_label
                    .as_deref()
                    .map_or(Severity::High, Severity::from_label);
                let mut title = format!("SLA breach: {cve} in {package_version}");
                if let Some(days) = text("days_overdue") {
                    title.push_str(&format!(", {days} days overdue"));
                }
                facts.push(("Vulnerability".into(), cve.clone()));
                facts.push(("Package".into(), package.clone()));
                push_fact(&mut facts, "Version", version.clone());
                push_fact(&mut facts, "Severity", severity_label);
                push_fact(&mut facts, "EPSS", epss_text(data));
                push_fact(&mut facts, "Due", text("due_at"));
                push_fact(&mut facts, "Detected", text("detected_at"));
                push_fact(&mut facts, "Days overdue", text("days_overdue"));
                push_fact(
                    &mut facts,
                    "SLA",
                    text("sla_days").map(|days| format!("{days} days")),
                );
                (title, severity)
            }
        };

        let title = if envelope.test {
            format!("{TEST_PREFIX}{title}")
        } else {
            title
        };
        let summary = if envelope.event == Event::ScanComplete {
            title.clone()
        } else {
            format!("{title} ({})", envelope.repository)
        };
        Message {
            event: envelope.event,
            title,
            summary,
            severity,
            repository: envelope.repository.clone(),
            timestamp: envelope.timestamp.clone(),
            facts,
            description,
            items,
            items_heading,
            items_left_out,
            url: text("url")
                .filter(|url| url.starts_with("https://") || url.starts_with("http://")),
            test: envelope.test,
        }
    }

    /// Many events of one kind from one report, folded into one message (docs/reference.md §9 digests).
    fn digest(envelope: &Envelope) -> Message {
        let data = &envelope.data;
        let count = data.get("count").and_then(Value::as_u64).unwrap_or(0);
        let total = data.get("total").and_then(Value::as_u64).unwrap_or(count);
        let noun = match envelope.event {
            Event::CriticalVulnerability => "new critical vulnerabilities",
            Event::KevFound => "known exploited vulnerabilities",
            Event::SlaBreach => "SLA breaches",
            Event::PolicyViolation => "policy violations",
            Event::ScanComplete => "scans",
        };
        let items: Vec<String> = data
            .get("items")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|item| {
                        let subject = lookup_value_text(item, "cve_id")
                            .or_else(|| lookup_value_text(item, "policy"))
                            .unwrap_or_else(|| "finding".into());
                        let package = match (
                            lookup_value_text(item, "package.name"),
                            lookup_value_text(item, "package.version"),
                        ) {
                            (Some(name), Some(version)) => format!(" in {name} {version}"),
                            (Some(name), None) => format!(" in {name}"),
                            _ => String::new(),
                        };
                        let detail: Vec<String> = [
                            lookup_value_text(item, "severity"),
                            item.get("epss")
                                .and_then(Value::as_f64)
                                .map(|score| format!("EPSS {}", two_figures(score))),
                        ]
                        .into_iter()
                        .flatten()
                        .collect();
                        let severity = if detail.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", detail.join(", "))
                        };
                        format!("{subject}{package}{severity}")
                    })
                    .collect()
            })
            .unwrap_or_default();
        let severity = items_severity(data);
        let mut title = format!("{count} more {noun} in {}", envelope.repository);
        if envelope.test {
            title = format!("{TEST_PREFIX}{title}");
        }
        Message {
            event: envelope.event,
            summary: format!("{title} ({total} in this scan)"),
            title,
            severity,
            repository: envelope.repository.clone(),
            timestamp: envelope.timestamp.clone(),
            facts: vec![
                ("Repository".into(), envelope.repository.clone()),
                ("In this digest".into(), count.to_string()),
                ("In this scan".into(), total.to_string()),
            ],
            description: Some(format!(
                "Worst first; {} were sent as separate messages.",
                total.saturating_sub(count)
            )),
            items,
            items_heading: None,
            items_left_out: 0,
            url: None,
            test: envelope.test,
        }
    }

    /// The footer line every channel shows: who sent it, which event, and a test mark.
    pub fn footer(&self) -> String {
        let mut footer = format!("staxhook · {}", self.event);
        if self.test {
            footer.push_str(" · test message");
        }
        footer
    }
}

/// The worst severity among a digest's items.
fn items_severity(data: &Map<String, Value>) -> Severity {
    data.get("items")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.get("severity").and_then(Value::as_str))
                .map(Severity::from_label)
                .max()
                .unwrap_or(Severity::Informational)
        })
        .unwrap_or(Severity::Informational)
}

/// `0.94 (99th percentile)`: a finding's EPSS score to two significant figures, and its
/// percentile among all scored CVEs; `None` without a score.
fn epss_text(data: &Map<String, Value>) -> Option<String> {
    let score = data.get("epss").and_then(Value::as_f64)?;
    let mut text = two_figures(score);
    if let Some(percentile) = data.get("epss_percentile").and_then(Value::as_f64) {
        let rank = (percentile * 100.0).floor().clamp(0.0, 100.0) as u32;
        let suffix = match (rank % 10, rank % 100) {
            (_, 11..=13) => "th",
            (1, _) => "st",
            (2, _) => "nd",
            (3, _) => "rd",
            _ => "th",
        };
        text.push_str(&format!(" ({rank}{suffix} percentile)"));
    }
    Some(text)
}

/// A probability to two significant figures, without trailing zeros: 0.94, 0.00043, 1.
fn two_figures(score: f64) -> String {
    if !score.is_finite() || score <= 0.0 {
        return "0".into();
    }
    let decimals = (1 - score.log10().floor() as i32).max(0) as usize;
    let text = format!("{score:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

fn push_fact(facts: &mut Vec<(String, String)>, label: &str, value: Option<String>) {
    if let Some(value) = value.filter(|value| !value.is_empty()) {
        facts.push((label.to_string(), value));
    }
}

fn capitalise(text: &str) -> String {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

fn severity_word(severity: Severity) -> &'static str {
    severity.label()
}

/// `summary` counts from worst to least; unknown is reported separately.
fn severity_counts(data: &Map<String, Value>) -> Vec<(Severity, u64)> {
    let Some(Value::Object(summary)) = data.get("summary") else {
        return Vec::new();
    };
    [
        ("critical", Severity::Critical),
        ("high", Severity::High),
        ("medium", Severity::Medium),
        ("low", Severity::Low),
    ]
    .into_iter()
    .filter_map(|(key, severity)| {
        summary
            .get(key)
            .and_then(Value::as_u64)
            .map(|count| (severity, count))
    })
    .collect()
}

/// How many of a scan's fixed findings a chat message lists; the rest are "and N more".
pub const FIXED_SHOWN: usize = 5;

/// What a `scan_complete` says about the findings it fixed: how many (`fixed_count`, else
/// the length of the `fixed` list) and the first [`FIXED_SHOWN`] of the list, described.
struct FixedFindings {
    count: u64,
    shown: Vec<String>,
}

impl FixedFindings {
    /// `None` when the data says nothing was fixed, or nothing about it.
    fn read(data: &Map<String, Value>) -> Option<FixedFindings> {
        let listed = data.get("fixed").and_then(Value::as_array);
        let count = data
            .get("fixed_count")
            .and_then(Value::as_u64)
            .or_else(|| listed.map(|list| list.len() as u64))?;
        let shown = listed
            .into_iter()
            .flatten()
            .take(FIXED_SHOWN)
            .map(describe_fixed)
            .collect();
        (count > 0).then_some(FixedFindings { count, shown })
    }

    /// The fixed findings not shown; none when none is shown (the heading says how many).
    fn left_out(&self) -> usize {
        if self.shown.is_empty() {
            return 0;
        }
        usize::try_from(self.count.saturating_sub(self.shown.len() as u64)).unwrap_or(usize::MAX)
    }
}

/// A package (name and version) is cut to this many characters in a fixed finding's line, so
/// the id and how long it was open survive a long name.
const FIXED_PACKAGE_LIMIT: usize = 120;

/// `lodash 4.17.20 — CVE-2021-23337 (high, open 34 days)`.
fn describe_fixed(fixed: &Value) -> String {
    let package = match (
        lookup_value_text(fixed, "package.name"),
        lookup_value_text(fixed, "package.version"),
    ) {
        (Some(name), Some(version)) => format!("{name} {version}"),
        (Some(name), None) => name,
        _ => "unknown package".into(),
    };
    let package = truncate_chars(&package, FIXED_PACKAGE_LIMIT);
    let id = lookup_value_text(fixed, "id").unwrap_or_else(|| "unknown vulnerability".into());
    let mut details = Vec::new();
    if let Some(severity) = lookup_value_text(fixed, "severity") {
        details.push(severity);
    }
    match fixed.get("days_open").and_then(Value::as_u64) {
        Some(1) => details.push("open 1 day".into()),
        Some(days) => details.push(format!("open {days} days")),
        None => {}
    }
    if details.is_empty() {
        format!("{package} — {id}")
    } else {
        format!("{package} — {id} ({})", details.join(", "))
    }
}

fn describe_violation(violation: &Value) -> String {
    let name = lookup_value_text(violation, "package.name");
    let version = lookup_value_text(violation, "package.version");
    let reason = lookup_value_text(violation, "reason");
    let package = match (name, version) {
        (Some(name), Some(version)) => format!("{name}@{version}"),
        (Some(name), None) => name,
        _ => "a package".into(),
    };
    match reason {
        Some(reason) => format!("{package}: {reason}"),
        None => package,
    }
}

fn lookup<'a>(data: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut segments = path.split('.');
    let first = data.get(segments.next()?)?;
    segments.try_fold(first, |value, key| value.get(key))
}

fn lookup_text(data: &Map<String, Value>, path: &str) -> Option<String> {
    lookup(data, path).and_then(scalar_text)
}

fn lookup_value_text(value: &Value, path: &str) -> Option<String> {
    path.split('.')
        .try_fold(value, |value, key| value.get(key))
        .and_then(scalar_text)
}

/// Strings, numbers and booleans as text; objects and arrays as compact JSON; null as absent.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => (!text.trim().is_empty()).then(|| text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(event: Event, test: bool) -> Envelope {
        let mut envelope = Envelope::new(event, "myorg/api".into(), event.sample_data(), test);
        envelope.timestamp = "2026-03-22T10:30:00Z".into();
        envelope
    }

    #[test]
    fn vulnerability_messages_name_everything() {
        let message = Message::from_envelope(&envelope(Event::CriticalVulnerability, false));
        assert_eq!(
            message.title,
            "Critical vulnerability CVE-2021-44228 in org.apache.logging.log4j:log4j-core 2.14.1"
        );
        assert_eq!(message.severity, Severity::Critical);
        let labels: Vec<&str> = message
            .facts
            .iter()
            .map(|(label, _)| label.as_str())
            .collect();
        for wanted in [
            "Repository",
            "Vulnerability",
            "Package",
            "Version",
            "Severity",
            "Fixed version",
        ] {
            assert!(labels.contains(&wanted), "{wanted} missing from {labels:?}");
        }
        assert_eq!(
            message.url.as_deref(),
            Some("https://nvd.nist.gov/vuln/detail/CVE-2021-44228")
        );
    }

    #[test]
    fn kev_and_scan_and_test_marking() {
        let kev = Message::from_envelope(&envelope(Event::KevFound, true));
        assert!(kev
            .title
            .starts_with("[TEST] Known exploited vulnerability CVE-2024-3094"));
        assert!(kev
            .facts
            .iter()
            .any(|(label, value)| label == "KEV due date" && value == "2024-04-22"));
        assert!(kev.footer().ends_with("test message"));

        let scan = Message::from_envelope(&envelope(Event::ScanComplete, false));
        assert_eq!(scan.severity, Severity::High);
        assert!(scan.facts.iter().any(|(label, value)| label == "Findings"
            && value == "critical 0 · high 2 · medium 5 · low 9"));
    }

    #[test]
    fn a_scan_lists_the_first_few_fixed_findings() {
        let scan = Message::from_envelope(&envelope(Event::ScanComplete, false));
        assert_eq!(
            scan.items_heading.as_deref(),
            Some("Fixed since the last scan: 3")
        );
        assert_eq!(
            scan.items,
            vec![
                "org.apache.commons:commons-text 1.9 — CVE-2022-42889 (critical, open 69 days)",
                "lodash 4.17.20 — CVE-2021-23337 (high, open 34 days)",
                "semver 7.5.1 — CVE-2022-25883 (medium, open 1 day)",
            ]
        );
        assert_eq!(scan.items_left_out, 0);

        let with = |fixed: Value| {
            let mut data = Map::new();
            data.insert("scan_id".into(), Value::from("s"));
            if let Value::Object(fixed) = fixed {
                data.extend(fixed);
            }
            Message::from_envelope(&Envelope::new(
                Event::ScanComplete,
                "o/r".into(),
                data,
                false,
            ))
        };
        // 60 fixed, 50 listed: the first five shown, "and 55 more" to come.
        let listed: Vec<Value> = (0..50)
            .map(|n| serde_json::json!({"id": format!("CVE-{n}"), "package": {"name": "p"}}))
            .collect();
        let many = with(serde_json::json!({"fixed_count": 60, "fixed": listed}));
        assert_eq!(
            many.items_heading.as_deref(),
            Some("Fixed since the last scan: 60")
        );
        assert_eq!(many.items.len(), FIXED_SHOWN);
        assert_eq!(many.items[0], "p — CVE-0");
        assert_eq!(many.items_left_out, 55);
        // A list without a count counts itself; a count without a list is a heading alone.
        let uncounted = with(serde_json::json!({"fixed": [{"id": "CVE-1", "days_open": 0}]}));
        assert_eq!(
            uncounted.items_heading.as_deref(),
            Some("Fixed since the last scan: 1")
        );
        assert_eq!(
            uncounted.items,
            vec!["unknown package — CVE-1 (open 0 days)"]
        );
        let unlisted = with(serde_json::json!({"fixed_count": 4}));
        assert!(unlisted.items.is_empty());
        assert_eq!(unlisted.items_left_out, 0);
        // Nothing fixed is no news.
        let none = with(serde_json::json!({"fixed_count": 0, "fixed": []}));
        assert_eq!(none.items_heading, None);
        assert!(none.items.is_empty());
        assert_eq!(with(serde_json::json!({})).items_heading, None);
    }

    #[test]
    fn policy_violations_become_items() {
        let message = Message::from_envelope(&envelope(Event::PolicyViolation, false));
        assert_eq!(message.severity, Severity::High);
        assert_eq!(
            message.items,
            vec!["lodash@4.17.15: CVE-2020-8203 (critical) has a fix in 4.17.19"]
        );
    }

    #[test]
    fn epss_is_a_fact_of_every_finding_message() {
        for (event, score, percentile, shown) in [
            (
                Event::CriticalVulnerability,
                0.94358,
                0.99953,
                "0.94 (99th percentile)",
            ),
            (Event::KevFound, 0.00043, 0.11, "0.00043 (11th percentile)"),
            (Event::SlaBreach, 1.0, 1.0, "1 (100th percentile)"),
            (Event::SlaBreach, 0.0123, 0.223, "0.012 (22nd percentile)"),
        ] {
            let mut envelope = envelope(event, false);
            envelope.data.insert("epss".into(), score.into());
            envelope
                .data
                .insert("epss_percentile".into(), percentile.into());
            let message = Message::from_envelope(&envelope);
            assert!(
                message
                    .facts
                    .contains(&("EPSS".to_string(), shown.to_string())),
                "{event}: {:?}",
                message.facts
            );
        }
        // Without scores, no EPSS fact.
        let plain = Message::from_envelope(&envelope(Event::CriticalVulnerability, false));
        assert!(plain.facts.iter().all(|(label, _)| label != "EPSS"));
    }

    #[test]
    fn colours() {
        assert_eq!(Severity::Critical.rgb(), 0xB60205);
        assert_eq!(Severity::from_label("MODERATE"), Severity::Medium);
    }
}
