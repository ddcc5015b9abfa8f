//! Microsoft Teams (Workflows webhook): a `message` with one Adaptive Card 1.4 attachment —
//! title, facts in a `FactSet`, a link as `Action.OpenUrl` — kept under the 28 KB body limit.

use std::time::Duration;

use serde_json::{json, Value};

use super::message::{Message, Severity};
use super::text::{char_count, join_within, one_line_reason, truncate_chars, ITEM_LIMIT};
use super::{FormatContext, Formatter, ResponseHints};
use crate::envelope::Envelope;

pub struct Teams;

/// Teams refuses bodies of 28 KB and more; stay clear of it with some room to spare.
pub const BODY_LIMIT_BYTES: usize = 27 * 1024;

/// How much of each part a card shows; halved until the whole body fits.
#[derive(Clone, Copy)]
struct Budget {
    title: usize,
    description: usize,
    fact: usize,
    items: usize,
    url: usize,
}

impl Budget {
    fn halved(self) -> Budget {
        Budget {
            title: (self.title / 2).max(40),
            description: self.description / 2,
            fact: (self.fact / 2).max(20),
            items: self.items / 2,
            // The link is worth more than the text around it: it keeps its room.
            url: self.url,
        }
    }
}

impl Formatter for Teams {
    fn body(&self, envelope: &Envelope, _context: &FormatContext) -> Vec<u8> {
        let message = Message::from_envelope(envelope);
        let mut budget = Budget {
            title: 500,
            description: 3000,
            fact: 1000,
            items: 6000,
            url: 2048,
        };
        loop {
            let body = serde_json::to_vec(&card(&message, budget)).unwrap_or_default();
            if body.len() <= BODY_LIMIT_BYTES || budget.description == 0 {
                return body;
            }
            budget = budget.halved();
        }
    }

    fn pacing(&self) -> Duration {
        Duration::from_millis(500)
    }
}

impl ResponseHints for Teams {
    /// Workflows answer errors as `{"error":{"code","message"}}`; anything else is shown as text.
    fn failure_detail(&self, _status: u16, body: &[u8]) -> Option<String> {
        if let Ok(value) = serde_json::from_slice::<Value>(body) {
            if let Some(message) = value.pointer("/error/message").and_then(Value::as_str) {
                return Some(truncate_chars(message, 200));
            }
        }
        one_line_reason(body)
    }
}

fn container_style(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "attention",
        Severity::Medium => "warning",
        Severity::Low => "good",
        Severity::Informational => "accent",
    }
}

fn card(message: &Message, budget: Budget) -> Value {
    let mut heading = vec![json!({
        "type": "TextBlock",
        "text": truncate_chars(&message.title, budget.title),
        "weight": "Bolder",
        "size": "Medium",
        "wrap": true
    })];
    heading.push(json!({
        "type": "TextBlock",
        "text": format!("Severity: {}", message.severity.label()),
        "isSubtle": true,
        "spacing": "None",
        "wrap": true
    }));
    let mut body = vec![json!({
        "type": "Container",
        "style": container_style(message.severity),
        "bleed": true,
        "items": heading
    })];
    if let Some(description) = message
        .description
        .as_ref()
        .filter(|_| budget.description > 0)
    {
        body.push(json!({"type": "TextBlock", "text": truncate_chars(description, budget.description), "wrap": true}));
    }
    let facts: Vec<Value> = message
        .facts
        .iter()
        .map(|(label, value)| json!({"title": label, "value": truncate_chars(value, budget.fact)}))
        .collect();
    body.push(json!({"type": "FactSet", "facts": facts}));
    if let Some(heading) = &message.items_heading {
        body.push(json!({
            "type": "TextBlock",
            "text": truncate_chars(heading, budget.title),
            "weight": "Bolder",
            "wrap": true
        }));
    }
    if !message.items.is_empty() && budget.items > 0 {
        let lines: Vec<String> = message
            .items
            .iter()
            .map(|item| truncate_chars(item, ITEM_LIMIT))
            .map(|item| format!("- {item}"))
            .collect();
        body.push(json!({
            "type": "TextBlock",
            "text": join_within(&lines, message.items_left_out, "\n", budget.items, char_count),
            "wrap": true
        }));
    }
    body.push(json!({
        "type": "TextBlock",
        "text": format!("{} · {}", message.footer(), message.timestamp),
        "isSubtle": true,
        "size": "Small",
        "wrap": true
    }));

    let mut content = json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "msteams": {"width": "Full"}
    });
    if let Some(url) = message
        .url
        .as_ref()
        .filter(|url| char_count(url) <= budget.url)
    {
        content["actions"] =
            json!([{"type": "Action.OpenUrl", "title": "View details", "url": url}]);
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": content
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_details() {
        let body = br#"{"error":{"code":"TriggerInputSchemaMismatch","message":"The input body does not match"}}"#;
        assert_eq!(
            Teams.failure_detail(400, body).as_deref(),
            Some("The input body does not match")
        );
        assert_eq!(Teams.failure_detail(500, b" "), None);
    }
}
