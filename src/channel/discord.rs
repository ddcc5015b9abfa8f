//! Discord webhooks: one embed with an integer colour, fields, footer and ISO timestamp, within
//! every embed limit and the 6,000-character total (measured as Discord does, in UTF-16 units).

use std::time::Duration;

use serde_json::{json, Value};

use super::message::Message;
use super::text::{join_within, truncate_utf16, utf16_len};
use super::{FormatContext, Formatter, ResponseHints};
use crate::payload::Envelope;

pub struct Discord;

const TITLE_LIMIT: usize = 256;
const DESCRIPTION_LIMIT: usize = 4096;
const FIELDS_LIMIT: usize = 25;
const FIELD_NAME_LIMIT: usize = 256;
const FIELD_VALUE_LIMIT: usize = 1024;
const FOOTER_LIMIT: usize = 2048;
const TOTAL_LIMIT: usize = 6000;
/// Fields stop here so the description always has room.
const FIELDS_BUDGET: usize = 3000;

impl Formatter for Discord {
    fn body(&self, envelope: &Envelope, _context: &FormatContext) -> Vec<u8> {
        let message = Message::from_envelope(envelope);
        let title = truncate_utf16(&message.title, TITLE_LIMIT);
        let footer = truncate_utf16(&message.footer(), FOOTER_LIMIT);
        let mut used = utf16_len(&title) + utf16_len(&footer);

        let mut fields = Vec::new();
        let mut fields_used = 0;
        for (label, value) in message.facts.iter().take(FIELDS_LIMIT) {
            let name = truncate_utf16(label, FIELD_NAME_LIMIT);
            let value = truncate_utf16(value, FIELD_VALUE_LIMIT);
            let size = utf16_len(&name) + utf16_len(&value);
            if fields_used + size > FIELDS_BUDGET {
                break;
            }
            fields_used += size;
            let inline = utf16_len(&value) <= 40;
            fields.push(json!({"name": name, "value": value, "inline": inline}));
        }
        used += fields_used;

        let mut parts: Vec<String> = Vec::new();
        if let Some(description) = &message.description {
            parts.push(description.clone());
        }
        if !message.items.is_empty() {
            let lines: Vec<String> = message
                .items
                .iter()
                .map(|item| format!("• {item}"))
                .collect();
            parts.push(join_within(&lines, "\n", DESCRIPTION_LIMIT, utf16_len));
        }
        let room = DESCRIPTION_LIMIT.min(TOTAL_LIMIT.saturating_sub(used));
        let description = truncate_utf16(&parts.join("\n\n"), room);

        let mut embed = json!({
            "title": title,
            "color": message.severity.rgb(),
            "fields": fields,
            "footer": {"text": footer},
            "timestamp": message.timestamp
        });
        if !description.is_empty() {
            embed["description"] = Value::String(description);
        }
        if let Some(url) = &message.url {
            embed["url"] = Value::String(url.clone());
        }
        let body = json!({"username": "CodeStax", "embeds": [embed]});
        serde_json::to_vec(&body).unwrap_or_default()
    }

    fn pacing(&self) -> Duration {
        // Discord allows about five messages per two seconds per webhook.
        Duration::from_millis(500)
    }
}

impl ResponseHints for Discord {
    /// A 429 body says `{"retry_after": 1.234, ...}` in (fractional) seconds.
    fn retry_after_from_body(&self, status: u16, body: &[u8]) -> Option<Duration> {
        if status != 429 {
            return None;
        }
        let value: Value = serde_json::from_slice(body).ok()?;
        let seconds = value.get("retry_after")?.as_f64()?;
        (seconds.is_finite() && seconds >= 0.0)
            .then(|| Duration::from_secs_f64(seconds.min(86_400.0)))
    }

    /// Errors come as `{"message": "...", "code": 50006}`.
    fn failure_detail(&self, _status: u16, body: &[u8]) -> Option<String> {
        let value: Value = serde_json::from_slice(body).ok()?;
        let message = value.get("message")?.as_str()?;
        Some(match value.get("code").and_then(Value::as_i64) {
            Some(code) => format!("{message} (code {code})"),
            None => message.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_retry_after_from_the_body() {
        let body =
            br#"{"message":"You are being rate limited.","retry_after":0.75,"global":false}"#;
        assert_eq!(
            Discord.retry_after_from_body(429, body),
            Some(Duration::from_millis(750))
        );
        assert_eq!(Discord.retry_after_from_body(500, body), None);
        assert_eq!(Discord.retry_after_from_body(429, b"not json"), None);
        assert_eq!(
            Discord
                .failure_detail(
                    400,
                    br#"{"message":"Cannot send an empty message","code":50006}"#
                )
                .as_deref(),
            Some("Cannot send an empty message (code 50006)")
        );
    }
}
