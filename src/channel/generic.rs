//! The generic channel: the envelope itself, as compact JSON.

use super::{FormatContext, Formatter, ResponseHints};
use crate::envelope::Envelope;

pub struct Generic;

impl Formatter for Generic {
    fn body(&self, envelope: &Envelope, _context: &FormatContext) -> Vec<u8> {
        // Serialising a `Value` built from strings and JSON values cannot fail.
        serde_json::to_vec(&envelope.to_value()).unwrap_or_default()
    }
}

impl ResponseHints for Generic {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;

    #[test]
    fn body_is_the_envelope() {
        let mut data = serde_json::Map::new();
        data.insert("scan_id".into(), "s-1".into());
        let mut envelope = Envelope::new(Event::ScanComplete, "a/b".into(), data, false);
        envelope.timestamp = "2026-03-22T10:30:00Z".into();
        assert_eq!(
            String::from_utf8(Generic.body(&envelope, &FormatContext::default())).unwrap(),
            r#"{"event":"scan_complete","timestamp":"2026-03-22T10:30:00Z","repository":"a/b","data":{"scan_id":"s-1"}}"#
        );
    }
}
