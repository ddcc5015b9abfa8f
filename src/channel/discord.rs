//! Discord webhooks: one embed with an integer colour, fields, footer and ISO timestamp, within
//! every embed limit and the 6,000-character total (measured as Discord does, in UTF-16 units).

use std::time::Duration;

use serde_json::{json, Value};

use super::message::Message;
use super::text::{join_within, truncate_utf16, utf16_len, ITEM_LIMIT};
use super::{FormatContext, Formatter, ResponseHints};
use crate::envelope::Envelope;

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

        let facts: Vec<(String, String)> = message
            .facts
            .iter()
            .take(FIELDS_LIMIT)
            .map(|(label, value)| (truncate_utf16(label, FIELD_NAME_LIMIT), value.clone()))
            .collect();
        let names: usize = facts.iter().map(|(name, _)| utf16_len(name)).sum();
        let allowances = share_out(
            &facts
                .iter()
                .map(|(_, value)| utf16_len(value))
                .collect::<Vec<_>>(),
            FIELDS_BUDGET.saturating_sub(names),
        );
        let mut fields = Vec::with_capacity(facts.len());
        for ((name, value), allowance) in facts.iter().zip(allowances) {
            let value = truncate_utf16(value, allowance.min(FIELD_VALUE_LIMIT));
            used += utf16_len(name) + utf16_len(&value);
            let inline = utf16_len(&value) <= 40;
            fields.push(json!({"name": name, "value": value, "inline": inline}));
        }

        let room = DESCRIPTION_LIMIT.min(TOTAL_LIMIT.saturating_sub(used));
        let has_list = !message.items.is_empty() || message.items_heading.is_some();
        let list = has_list.then(|| {
            message
                .items
                .iter()
                .map(|item| format!("• {}", truncate_utf16(item, ITEM_LIMIT)))
                .collect::<Vec<_>>()
        });
        // With a list to show, the free text gets at most half the room.
        let text_room = if list.is_some() { room / 2 } else { room };
        let mut description = message
            .description
            .as_deref()
            .map(|text| truncate_utf16(text, text_room))
            .unwrap_or_default();
        if let Some(lines) = list {
            let separator = if description.is_empty() { "" } else { "\n\n" };
            let mut left = room.saturating_sub(utf16_len(&description) + utf16_len(separator));
            // The heading in bold on a line of its own, the list in the room left under it.
            let heading = message
                .items_heading
                .as_ref()
                .map(|heading| format!("**{}**", truncate_utf16(heading, TITLE_LIMIT)))
                .filter(|heading| utf16_len(heading) <= left);
            if let Some(heading) = &heading {
                left = left.saturating_sub(utf16_len(heading) + 1);
            }
            let joined = join_within(&lines, message.items_left_out, "\n", left, utf16_len);
            let block = match heading {
                Some(heading) if joined.is_empty() => heading,
                Some(heading) => format!("{heading}\n{joined}"),
                None => joined,
            };
            if !block.is_empty() {
                description = format!("{description}{separator}{block}");
            }
        }

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

/// Splits `budget` among values of the given lengths: short ones get all they need, long
/// ones share what is left equally.
fn share_out(lengths: &[usize], budget: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    order.sort_by_key(|&index| lengths[index]);
    let mut allowances = vec![0; lengths.len()];
    let mut left = budget;
    for (position, &index) in order.iter().enumerate() {
        let share = left / (lengths.len() - position);
        allowances[index] = lengths[index].min(share);
        left -= allowances[index];
    }
    allowances
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
    fn shares_the_field_budget() {
        assert_eq!(
            share_out(&[10, 5000, 20, 3000], 1000),
            vec![10, 485, 20, 485]
        );
        assert_eq!(share_out(&[10, 20], 1000), vec![10, 20]);
        assert_eq!(share_out(&[], 1000), Vec::<usize>::new());
    }

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
