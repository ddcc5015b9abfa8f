//! PagerDuty Events API v2: a `trigger` with a stable `dedup_key`, so re-running a pipeline
//! does not open a second incident, and a `resolve` with the same key once the finding is
//! fixed. The routing key travels in the body, so it is redacted from everything shown or
//! stored and put back for `redeliver`.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::message::Message;
use super::text::{truncate_chars, ELLIPSIS};
use super::{FormatContext, Formatter, ResponseHints};
use crate::envelope::Envelope;
use crate::event::Event;
use crate::redact::REDACTED;

pub struct Pagerduty;

const SUMMARY_LIMIT: usize = 1024;
/// Free-text fields PagerDuty shows in one line.
const LABEL_LIMIT: usize = 255;
/// PagerDuty refuses events over 512 KB; custom details are trimmed well before that.
const BODY_LIMIT_BYTES: usize = 500 * 1024;

impl Formatter for Pagerduty {
    fn body(&self, envelope: &Envelope, context: &FormatContext) -> Vec<u8> {
        let message = Message::from_envelope(envelope);
        let data = &envelope.data;
        let text = |key: &str| data.get(key).and_then(Value::as_str).map(str::to_string);
        let package = data
            .get("package")
            .and_then(|package| package.get("name"))
            .and_then(Value::as_str)
            .map(str::to_string);

        let summary = if is_digest(envelope) {
            digest_summary(envelope)
        } else {
            message.summary.clone()
        };
        let mut payload = json!({
            "summary": truncate_chars(&summary, SUMMARY_LIMIT),
            "source": truncate_chars(&envelope.repository, LABEL_LIMIT),
            "severity": severity(envelope),
            "timestamp": envelope.timestamp,
            "component": truncate_chars(package.as_deref().or(text("policy").as_deref()).unwrap_or("staxhook"), LABEL_LIMIT),
            "group": truncate_chars(&envelope.repository, LABEL_LIMIT),
            "class": envelope.event.as_str(),
            "custom_details": Value::Object(data.clone())
        });
        if envelope.test {
            payload["custom_details"]["test"] = Value::Bool(true);
        }
        let mut body = json!({
            "routing_key": context.routing_key.unwrap_or_default(),
            "event_action": "trigger",
            "dedup_key": dedup_key(envelope),
            "client": "staxhook",
            "payload": payload
        });
        if let Some(url) = &message.url {
            body["links"] = json!([{"href": url, "text": "View details"}]);
        }

        let mut bytes = serde_json::to_vec(&body).unwrap_or_default();
        // Oversized data: shorten long strings and lists in custom_details until it fits.
        let mut keep = 4096;
        while bytes.len() > BODY_LIMIT_BYTES && keep > 16 {
            body["payload"]["custom_details"] = shrink(&Value::Object(data.clone()), keep);
            bytes = serde_json::to_vec(&body).unwrap_or_default();
            keep /= 2;
        }
        bytes
    }

    fn redacted_body(&self, body: &[u8]) -> String {
        with_routing_key(body, REDACTED)
    }

    fn incident_key(&self, envelope: &Envelope) -> Option<String> {
        Some(dedup_key(envelope))
    }

    /// Only what PagerDuty needs to close the incident: the key it was opened under.
    fn resolve_body(&self, dedup_key: &str, context: &FormatContext) -> Option<Vec<u8>> {
        let body = json!({
            "routing_key": context.routing_key.unwrap_or_default(),
            "event_action": "resolve",
            "dedup_key": dedup_key,
            "client": "staxhook",
        });
        serde_json::to_vec(&body).ok()
    }

    /// PagerDuty takes about 120 events a minute per routing key: two a second stays under
    /// it, so a flood of findings is not answered with 429s.
    fn pacing(&self) -> std::time::Duration {
        std::time::Duration::from_millis(500)
    }

    fn restored_body(&self, stored: &str, context: &FormatContext) -> Vec<u8> {
        with_routing_key(stored.as_bytes(), context.routing_key.unwrap_or_default()).into_bytes()
    }
}

impl ResponseHints for Pagerduty {
    /// Errors come as `{"status":"invalid event","message":"…","errors":["…"]}`.
    fn failure_detail(&self, _status: u16, body: &[u8]) -> Option<String> {
        let value: Value = serde_json::from_slice(body).ok()?;
        let mut parts: Vec<String> = Vec::new();
        if let Some(message) = value.get("message").and_then(Value::as_str) {
            parts.push(message.to_string());
        }
        if let Some(errors) = value.get("errors").and_then(Value::as_array) {
            parts.extend(errors.iter().filter_map(Value::as_str).map(str::to_string));
        }
        (!parts.is_empty()).then(|| truncate_chars(&parts.join("; "), 500))
    }
}

/// docs/reference.md §4: what should page, and how loudly.
fn severity(envelope: &Envelope) -> &'static str {
    match envelope.event {
        Event::CriticalVulnerability | Event::KevFound => "critical",
        Event::SlaBreach => "error",
        Event::PolicyViolation => {
            if envelope.data.get("action").and_then(Value::as_str) == Some("fail") {
                "error"
            } else {
                "warning"
            }
        }
        Event::ScanComplete => "info",
    }
}

fn is_digest(envelope: &Envelope) -> bool {
    envelope.data.get("digest") == Some(&Value::Bool(true))
}

/// "35 more critical vulnerabilities in myorg/api": one incident holds the rest of a flood,
/// and stays the same incident when a later run adds to it, so it says neither "new" nor
/// how many the scan had.
fn digest_summary(envelope: &Envelope) -> String {
    let count = envelope
        .data
        .get("count")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let noun = match envelope.event {
        Event::CriticalVulnerability => "critical vulnerabilities",
        Event::KevFound => "known exploited vulnerabilities",
        Event::SlaBreach => "SLA breaches",
        Event::PolicyViolation => "policy violations",
        Event::ScanComplete => "scans",
    };
    let test = if envelope.test { "[TEST] " } else { "" };
    format!("{test}{count} more {noun} in {}", envelope.repository)
}

/// Stable for the same event, repository, CVE and package (the scan for `scan_complete`, the
/// policy for `policy_violation`, the word "digest" for a digest), so a re-run pipeline
/// updates the open incident.
pub fn dedup_key(envelope: &Envelope) -> String {
    let data = &envelope.data;
    let field = |path: &[&str]| -> String {
        let mut current = path.first().and_then(|key| data.get(*key));
        for key in path.iter().skip(1) {
            current = current.and_then(|value| value.get(*key));
        }
        match current {
            Some(Value::String(text)) => text.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        }
    };
    let subject: Vec<String> = match envelope.event {
        _ if is_digest(envelope) => vec!["digest".to_string()],
        Event::ScanComplete => vec![field(&["scan_id"])],
        Event::PolicyViolation => vec![field(&["policy"])],
        _ => vec![field(&["cve_id"]), field(&["package", "name"])],
    };
    let mut hasher = Sha256::new();
    for part in [envelope.event.as_str(), envelope.repository.as_str()]
        .into_iter()
        .chain(subject.iter().map(String::as_str))
    {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    if envelope.test {
        hasher.update(b"test");
    }
    format!(
        "staxhook-{}-{}",
        envelope.event.as_str(),
        hex::encode(hasher.finalize())
    )
}

fn with_routing_key(body: &[u8], key: &str) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(mut object)) => {
            if object.contains_key("routing_key") {
                object.insert("routing_key".into(), Value::String(key.to_string()));
            }
            serde_json::to_string(&Value::Object(object)).unwrap_or_default()
        }
        _ => String::from_utf8_lossy(body).into_owned(),
    }
}

/// Strings cut to `keep` characters, arrays to 50 items plus an "and N more" note.
fn shrink(value: &Value, keep: usize) -> Value {
    match value {
        Value::String(text) => Value::String(truncate_chars(text, keep)),
        Value::Array(items) => {
            let mut shrunk: Vec<Value> = items
                .iter()
                .take(50)
                .map(|item| shrink(item, keep))
                .collect();
            if items.len() > 50 {
                shrunk.push(Value::String(format!(
                    "{ELLIPSIS} and {} more",
                    items.len() - 50
                )));
            }
            Value::Array(shrunk)
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, item)| (key.clone(), shrink(item, keep)))
                .collect::<Map<String, Value>>(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(event: Event, data: Value, repository: &str) -> Envelope {
        let Value::Object(data) = data else { panic!() };
        Envelope::new(event, repository.into(), data, false)
    }

    #[test]
    fn dedup_key_is_stable_for_the_same_finding_only() {
        let first = envelope(
            Event::KevFound,
            json!({"cve_id": "CVE-1", "package": {"name": "xz"}, "title": "a"}),
            "o/r",
        );
        let again = envelope(
            Event::KevFound,
            json!({"cve_id": "CVE-1", "package": {"name": "xz"}, "title": "b"}),
            "o/r",
        );
        assert_eq!(dedup_key(&first), dedup_key(&again));
        for other in [
            envelope(
                Event::KevFound,
                json!({"cve_id": "CVE-2", "package": {"name": "xz"}}),
                "o/r",
            ),
            envelope(
                Event::KevFound,
                json!({"cve_id": "CVE-1", "package": {"name": "zlib"}}),
                "o/r",
            ),
            envelope(
                Event::KevFound,
                json!({"cve_id": "CVE-1", "package": {"name": "xz"}}),
                "o/other",
            ),
            envelope(
                Event::CriticalVulnerability,
                json!({"cve_id": "CVE-1", "package": {"name": "xz"}}),
                "o/r",
            ),
        ] {
            assert_ne!(dedup_key(&first), dedup_key(&other));
        }
        assert!(dedup_key(&first).len() <= 255);
    }

    #[test]
    fn routing_key_is_redacted_and_restored() {
        let data = json!({"cve_id": "CVE-1", "package": {"name": "xz"}});
        let context = FormatContext {
            routing_key: Some("R0UT1NGKEY0123456789012345678901"),
        };
        let body = Pagerduty.body(&envelope(Event::KevFound, data, "o/r"), &context);
        let stored = Pagerduty.redacted_body(&body);
        assert!(!stored.contains("R0UT1NGKEY"));
        assert!(stored.contains("\"routing_key\":\"[redacted]\""));
        assert_eq!(Pagerduty.restored_body(&stored, &context), body);
    }

    #[test]
    fn a_resolve_carries_only_the_key_of_the_incident_it_closes() {
        let context = FormatContext {
            routing_key: Some("R0UT1NGKEY0123456789012345678901"),
        };
        let body = Pagerduty
            .resolve_body("staxhook-kev_found-abc", &context)
            .unwrap();
        let value: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            value,
            json!({"routing_key": "R0UT1NGKEY0123456789012345678901", "event_action": "resolve",
                   "dedup_key": "staxhook-kev_found-abc", "client": "staxhook"})
        );
        assert!(!Pagerduty.redacted_body(&body).contains("R0UT1NGKEY"));
    }

    #[test]
    fn a_digest_is_one_incident_per_repository_and_kind() {
        let digest = |count: u64, repository: &str| {
            envelope(
                Event::CriticalVulnerability,
                json!({"digest": true, "count": count, "total": count + 5, "repository": repository,
                       "items": [{"cve_id": "CVE-1", "package": {"name": "xz"}, "severity": "critical"}]}),
                repository,
            )
        };
        let first = digest(35, "myorg/api");
        assert_eq!(dedup_key(&first), dedup_key(&digest(3, "myorg/api")));
        assert_ne!(dedup_key(&first), dedup_key(&digest(35, "myorg/web")));
        let body: Value =
            serde_json::from_slice(&Pagerduty.body(&first, &FormatContext::default())).unwrap();
        assert_eq!(
            body["payload"]["summary"],
            "35 more critical vulnerabilities in myorg/api"
        );
        assert_eq!(
            body["payload"]["custom_details"]["items"][0]["cve_id"],
            "CVE-1"
        );
    }

    #[test]
    fn errors_are_explained() {
        let body = br#"{"status":"invalid event","message":"Event object is invalid","errors":["Length of 'routing_key' is incorrect (should be 32 characters)"]}"#;
        assert_eq!(
            Pagerduty.failure_detail(400, body).as_deref(),
            Some("Event object is invalid; Length of 'routing_key' is incorrect (should be 32 characters)")
        );
    }
}
