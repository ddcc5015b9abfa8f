//! The envelope every channel formats: the event, when it happened, which repository, and its
//! data; and which data fields an event cannot go out without.
//!
//! A domain type: it knows events and JSON, nothing of the command line or of channels.

use serde_json::{Map, Value};

use crate::event::Event;

/// What every channel formats: the event, when, which repository, and its data.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub event: Event,
    /// RFC 3339 UTC with `Z`, second precision.
    pub timestamp: String,
    pub repository: String,
    pub data: Map<String, Value>,
    pub test: bool,
}

impl Envelope {
    pub fn new(event: Event, repository: String, data: Map<String, Value>, test: bool) -> Envelope {
        Envelope {
            event,
            timestamp: now_rfc3339(),
            repository,
            data,
            test,
        }
    }

    /// The generic channel's JSON, keys in the documented order.
    pub fn to_value(&self) -> Value {
        let mut object = Map::new();
        object.insert("event".into(), Value::String(self.event.as_str().into()));
        object.insert("timestamp".into(), Value::String(self.timestamp.clone()));
        object.insert("repository".into(), Value::String(self.repository.clone()));
        object.insert("data".into(), Value::Object(self.data.clone()));
        if self.test {
            object.insert("test".into(), Value::Bool(true));
        }
        Value::Object(object)
    }
}

/// Now as `2026-03-22T10:30:00Z`.
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The first of the event's required fields that `data` lacks, if any. `null` and blank
/// strings count as missing: a receiver could no more act on them than on an absent field.
pub fn missing_required_field(event: Event, data: &Map<String, Value>) -> Option<&'static str> {
    event.required_fields().iter().copied().find(|field| {
        let mut segments = field.split('.');
        let first = segments.next().and_then(|key| data.get(key));
        let found = segments.try_fold(first, |value, key| Some(value?.get(key)));
        match found.flatten() {
            None | Some(Value::Null) => true,
            Some(Value::String(text)) => text.trim().is_empty(),
            Some(_) => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn envelope_key_order_and_test_flag() {
        let mut envelope = Envelope::new(
            Event::ScanComplete,
            "o/r".into(),
            object(json!({"scan_id": "1"})),
            true,
        );
        envelope.timestamp = "2026-03-22T10:30:00Z".into();
        assert_eq!(
            serde_json::to_string(&envelope.to_value()).unwrap(),
            r#"{"event":"scan_complete","timestamp":"2026-03-22T10:30:00Z","repository":"o/r","data":{"scan_id":"1"},"test":true}"#
        );
    }

    #[test]
    fn null_and_blank_required_fields_are_missing() {
        let data = object(json!({"cve_id": "CVE-1", "package": {"name": " "}}));
        assert_eq!(
            missing_required_field(Event::KevFound, &data),
            Some("package.name")
        );
        let data = object(json!({"cve_id": null, "package": {"name": "xz"}}));
        assert_eq!(
            missing_required_field(Event::KevFound, &data),
            Some("cve_id")
        );
        let data = object(json!({"cve_id": "CVE-1", "package": {"name": "xz"}}));
        assert_eq!(missing_required_field(Event::KevFound, &data), None);
        assert_eq!(
            missing_required_field(Event::SlaBreach, &data),
            Some("due_at")
        );
    }
}
