//! The event envelope and its `data`: `--data` sources, `--set` paths and required fields.

use std::io::Read;
use std::path::Path;

use serde_json::{Map, Value};

use crate::event::Event;

/// Largest `--data` accepted; a payload this size is already far past what any chat service takes.
const MAX_DATA_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PayloadError {
    #[error("--data {origin}: invalid JSON: {reason}")]
    InvalidJson { origin: String, reason: String },
    #[error("--data {origin}: expected a JSON object, found {found}")]
    NotAnObject { origin: String, found: &'static str },
    #[error("--data {origin}: {reason}")]
    Unreadable { origin: String, reason: String },
    #[error("--data {origin}: is not UTF-8 text")]
    NotUtf8 { origin: String },
    #[error("--data {origin}: larger than {MAX_DATA_BYTES} bytes")]
    TooLarge { origin: String },
    #[error("--set `{pair}`: expected PATH=VALUE, e.g. --set package.name=xz")]
    SetWithoutEquals { pair: String },
    #[error("--set `{pair}`: the path has an empty segment")]
    SetEmptySegment { pair: String },
    #[error("--set `{pair}`: `{prefix}` is {found}, not an object")]
    SetThroughNonObject {
        pair: String,
        prefix: String,
        found: &'static str,
    },
    #[error("{event} needs data field `{field}` (give it with --set {field}=... or in --data)")]
    MissingField { event: Event, field: String },
}

/// Reads `--data`: inline JSON, `@FILE`, or `-` for standard input.
pub fn read_data(argument: &str, stdin: &mut dyn Read) -> Result<Map<String, Value>, PayloadError> {
    let (origin, bytes) = if argument == "-" {
        (
            "(standard input)".to_string(),
            read_limited(stdin, "(standard input)")?,
        )
    } else if let Some(path) = argument.strip_prefix('@') {
        let origin = format!("@{path}");
        let file =
            std::fs::File::open(Path::new(path)).map_err(|error| PayloadError::Unreadable {
                origin: origin.clone(),
                reason: error.to_string(),
            })?;
        let bytes = read_limited(&mut std::io::BufReader::new(file), &origin)?;
        (origin, bytes)
    } else {
        ("(inline)".to_string(), argument.as_bytes().to_vec())
    };
    let text = String::from_utf8(bytes).map_err(|_| PayloadError::NotUtf8 {
        origin: origin.clone(),
    })?;
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(PayloadError::NotAnObject {
            origin,
            found: json_kind(&other),
        }),
        Err(error) => Err(PayloadError::InvalidJson {
            origin,
            reason: error.to_string(),
        }),
    }
}

fn read_limited(reader: &mut dyn Read, origin: &str) -> Result<Vec<u8>, PayloadError> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_DATA_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| PayloadError::Unreadable {
            origin: origin.to_string(),
            reason: error.to_string(),
        })?;
    if bytes.len() > MAX_DATA_BYTES {
        return Err(PayloadError::TooLarge {
            origin: origin.to_string(),
        });
    }
    Ok(bytes)
}

/// Applies one `--set a.b=value`: the value is JSON when it parses as JSON, else a string.
pub fn apply_set(data: &mut Map<String, Value>, pair: &str) -> Result<(), PayloadError> {
    let Some((path, raw_value)) = pair.split_once('=') else {
        return Err(PayloadError::SetWithoutEquals {
            pair: pair.to_string(),
        });
    };
    let segments: Vec<&str> = path.split('.').collect();
    if segments.iter().any(|segment| segment.is_empty()) {
        return Err(PayloadError::SetEmptySegment {
            pair: pair.to_string(),
        });
    }
    let value = serde_json::from_str::<Value>(raw_value)
        .unwrap_or_else(|_| Value::String(raw_value.to_string()));

    let (last, parents) = segments
        .split_last()
        .ok_or_else(|| PayloadError::SetEmptySegment {
            pair: pair.to_string(),
        })?;
    let mut current = data;
    for (index, segment) in parents.iter().enumerate() {
        let entry = current
            .entry((*segment).to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        current = match entry {
            Value::Object(map) => map,
            other => {
                return Err(PayloadError::SetThroughNonObject {
                    pair: pair.to_string(),
                    prefix: segments[..=index].join("."),
                    found: json_kind(other),
                })
            }
        };
    }
    current.insert((*last).to_string(), value);
    Ok(())
}

/// Checks the event's required fields; `null` and empty strings count as missing.
pub fn check_required(event: Event, data: &Map<String, Value>) -> Result<(), PayloadError> {
    for field in event.required_fields() {
        let mut segments = field.split('.');
        let first = segments.next().and_then(|key| data.get(key));
        let found = segments.try_fold(first, |value, key| Some(value?.get(key)));
        let present = match found.flatten() {
            None | Some(Value::Null) => false,
            Some(Value::String(text)) => !text.trim().is_empty(),
            Some(_) => true,
        };
        if !present {
            return Err(PayloadError::MissingField {
                event,
                field: (*field).to_string(),
            });
        }
    }
    Ok(())
}

pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

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
    fn set_builds_nested_paths_and_parses_json_values() {
        let mut data = Map::new();
        apply_set(&mut data, "package.name=xz").unwrap();
        apply_set(&mut data, "package.version=5.6.0").unwrap();
        apply_set(&mut data, "cvss_score=10.0").unwrap();
        apply_set(&mut data, "tags=[\"a\",1]").unwrap();
        apply_set(&mut data, "note=a=b").unwrap();
        assert_eq!(
            Value::Object(data),
            json!({"package": {"name": "xz", "version": "5.6.0"}, "cvss_score": 10.0,
                   "tags": ["a", 1], "note": "a=b"})
        );
    }

    #[test]
    fn set_refuses_bad_pairs() {
        let mut data = object(json!({"package": "xz"}));
        assert!(matches!(
            apply_set(&mut data, "package.name"),
            Err(PayloadError::SetWithoutEquals { .. })
        ));
        assert!(matches!(
            apply_set(&mut data, "a..b=1"),
            Err(PayloadError::SetEmptySegment { .. })
        ));
        let error = apply_set(&mut data, "package.name=xz").unwrap_err();
        assert_eq!(
            error.to_string(),
            "--set `package.name=xz`: `package` is a string, not an object"
        );
    }

    #[test]
    fn data_sources() {
        let mut empty = std::io::empty();
        assert_eq!(
            read_data("{\"a\":1}", &mut empty).unwrap(),
            object(json!({"a": 1}))
        );
        let mut stdin: &[u8] = b"{\"b\":2}";
        assert_eq!(read_data("-", &mut stdin).unwrap(), object(json!({"b": 2})));
        assert!(matches!(
            read_data("[1]", &mut empty),
            Err(PayloadError::NotAnObject { .. })
        ));
        assert!(matches!(
            read_data("{", &mut empty),
            Err(PayloadError::InvalidJson { .. })
        ));
        let mut bad: &[u8] = b"{\"a\":\"\xff\"}";
        assert!(matches!(
            read_data("-", &mut bad),
            Err(PayloadError::NotUtf8 { .. })
        ));
        let error = read_data("@/nonexistent/data.json", &mut empty).unwrap_err();
        assert!(error
            .to_string()
            .starts_with("--data @/nonexistent/data.json: "));
    }

    #[test]
    fn required_fields_are_checked() {
        let data = object(json!({"cve_id": "CVE-1", "package": {"name": ""}}));
        let error = check_required(Event::CriticalVulnerability, &data).unwrap_err();
        assert_eq!(
            error,
            PayloadError::MissingField {
                event: Event::CriticalVulnerability,
                field: "package.name".into()
            }
        );
        let data = object(json!({"cve_id": "CVE-1", "package": {"name": "xz"}}));
        assert!(check_required(Event::KevFound, &data).is_ok());
        assert!(check_required(Event::SlaBreach, &data).is_err());
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
}
