//! Slack incoming webhooks: fallback `text` plus Block Kit blocks inside one attachment, so the
//! message gets a severity colour bar. Every Block Kit limit of docs/reference.md §4 is respected.

use std::time::Duration;

use serde_json::{json, Value};

use super::message::Message;
use super::text::{char_count, join_within, one_line_reason, truncate_chars, ITEM_LIMIT};
use super::{FormatContext, Formatter, ResponseHints};
use crate::envelope::Envelope;

pub struct Slack;

const HEADER_LIMIT: usize = 150;
const SECTION_TEXT_LIMIT: usize = 3000;
const FIELD_LIMIT: usize = 2000;
const FIELDS_PER_SECTION: usize = 10;
const BUTTON_URL_LIMIT: usize = 3000;
/// The notification text; Slack accepts far more, but a notification shows little of it.
const FALLBACK_LIMIT: usize = 3000;

impl Formatter for Slack {
    fn body(&self, envelope: &Envelope, _context: &FormatContext) -> Vec<u8> {
        let message = Message::from_envelope(envelope);
        let mut blocks = vec![json!({
            "type": "header",
            "text": {"type": "plain_text", "text": truncate_chars(&message.title, HEADER_LIMIT), "emoji": true}
        })];
        if let Some(description) = &message.description {
            blocks.push(section_text(description));
        }
        // Ten fields per section; the facts are few enough that this stays far under 50 blocks.
        for chunk in message.facts.chunks(FIELDS_PER_SECTION) {
            let fields: Vec<Value> = chunk
                .iter()
                .map(|(label, value)| {
                    let label = format!("*{}*\n", escape(label));
                    let room = FIELD_LIMIT.saturating_sub(char_count(&label));
                    json!({"type": "mrkdwn", "text": format!("{label}{}", escape_within(value, room))})
                })
                .collect();
            blocks.push(json!({"type": "section", "fields": fields}));
        }
        if !message.items.is_empty() || message.items_heading.is_some() {
            let lines: Vec<String> = message
                .items
                .iter()
                .map(|item| format!("• {}", escape_within(item, ITEM_LIMIT)))
                .collect();
            // The heading in bold on the first line, the list in the room left under it.
            let heading = message
                .items_heading
                .as_ref()
                .map(|heading| format!("*{}*", escape_within(heading, HEADER_LIMIT)));
            let room = SECTION_TEXT_LIMIT
                - heading
                    .as_ref()
                    .map_or(0, |heading| char_count(heading) + 1);
            let list = join_within(&lines, message.items_left_out, "\n", room, char_count);
            let text = match heading {
                Some(heading) if list.is_empty() => heading,
                Some(heading) => format!("{heading}\n{list}"),
                None => list,
            };
            blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": text}}));
        }
        if let Some(url) = message
            .url
            .as_ref()
            .filter(|url| char_count(url) <= BUTTON_URL_LIMIT)
        {
            blocks.push(json!({
                "type": "actions",
                "elements": [{
                    "type": "button",
                    "text": {"type": "plain_text", "text": "View details"},
                    "url": url
                }]
            }));
        }
        blocks.push(json!({
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": escape_within(&format!("{} · {}", message.footer(), message.timestamp), SECTION_TEXT_LIMIT)}]
        }));

        let body = json!({
            "text": escape_within(&message.summary, FALLBACK_LIMIT),
            "attachments": [{
                "color": message.severity.hex_color(),
                "fallback": escape_within(&message.summary, FALLBACK_LIMIT),
                "blocks": blocks
            }]
        });
        serde_json::to_vec(&body).unwrap_or_default()
    }

    fn pacing(&self) -> Duration {
        // Slack allows about one message per second per incoming webhook.
        Duration::from_secs(1)
    }
}

impl ResponseHints for Slack {
    /// Slack answers errors in plain text: `invalid_blocks`, `channel_not_found`, `no_text`, …
    fn failure_detail(&self, _status: u16, body: &[u8]) -> Option<String> {
        one_line_reason(body)
    }
}

fn section_text(text: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": escape_within(text, SECTION_TEXT_LIMIT)}})
}

/// Slack's mrkdwn treats `&`, `<` and `>` as control characters.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Escapes, then fits in `limit` characters without cutting an entity in half.
fn escape_within(text: &str, limit: usize) -> String {
    let mut keep = limit;
    loop {
        let escaped = escape(&truncate_chars(text, keep));
        if char_count(&escaped) <= limit || keep == 0 {
            return escaped;
        }
        // Shrink in proportion to the overshoot; entities make the escaped text longer.
        let proportional = keep * limit / char_count(&escaped);
        keep = proportional.min(keep - 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_within_limits() {
        let text = "<&>".repeat(2000);
        let escaped = escape_within(&text, 100);
        assert!(char_count(&escaped) <= 100);
        assert!(escaped.ends_with('…'), "{escaped}");
        assert!(!escaped.contains('<'));
    }

    #[test]
    fn error_bodies_become_details() {
        assert_eq!(
            Slack.failure_detail(400, b"invalid_blocks\n").as_deref(),
            Some("invalid_blocks")
        );
        assert_eq!(Slack.failure_detail(500, b""), None);
    }
}
