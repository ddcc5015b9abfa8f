//! Event data as given on the command line: `--data` (inline JSON, `@FILE` or `-` for standard
//! input, with a size limit), `--set PATH=VALUE`, and errors that name the flag to fix.

use std::io::Read;
use std::path::Path;

use serde_json::{Map, Value};

use crate::envelope::missing_required_field;
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
    #[error(
        "{event} data field `{field}` must be {expected}, found {found} (docs/reference.md §3)"
    )]
    WrongType {
        event: Event,
        field: &'static str,
        expected: &'static str,
        found: String,
    },
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

/// Refuses data without one of the event's required fields, saying how to give it on the
/// command line, or with a typed field (`scan_complete`'s `fixed`) of the wrong type.
pub fn check_required(event: Event, data: &Map<String, Value>) -> Result<(), PayloadError> {
    if let Some(field) = missing_required_field(event, data) {
        return Err(PayloadError::MissingField {
            event,
            field: field.to_string(),
        });
    }
    for (field, kind) in event.typed_fields() {
        match data.get(*field) {
            Some(value) if !kind.accepts(value) => {
                return Err(PayloadError::WrongType {
                    event,
                    field,
                    expected: kind.describe(),
                    found: match value {
                        // An array with an item that is not an object: say what the item is.
                        Value::Array(items) => items
                            .iter()
                            .find(|item| !item.is_object())
                            .map_or("an array".into(), |item| {
                                format!("an array holding {}", json_kind(item))
                            }),
                        Value::Number(number) if !number.is_u64() => {
                            "a negative or fractional number".into()
                        }
                        other => json_kind(other).into(),
                    },
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// A JSON value's kind as an error message words it (`found a string`).
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
    fn scan_complete_fixed_must_be_a_list_and_fixed_count_a_count() {
        let check = |data: Value| {
            check_required(Event::ScanComplete, &object(data)).map_err(|error| error.to_string())
        };
        assert!(check(json!({"scan_id": "1"})).is_ok());
        assert!(check(json!({"scan_id": "1", "fixed": [], "fixed_count": 0})).is_ok());
        assert!(
            check(json!({"scan_id": "1", "fixed": [{"id": "CVE-1"}], "fixed_count": 9})).is_ok()
        );
        assert_eq!(
            check(json!({"scan_id": "1", "fixed": 3})).unwrap_err(),
            "scan_complete data field `fixed` must be an array of objects, found a number (docs/reference.md §3)"
        );
        assert_eq!(
            check(json!({"scan_id": "1", "fixed": ["CVE-1"]})).unwrap_err(),
            "scan_complete data field `fixed` must be an array of objects, found an array holding a string (docs/reference.md §3)"
        );
        assert_eq!(
            check(json!({"scan_id": "1", "fixed_count": -2})).unwrap_err(),
            "scan_complete data field `fixed_count` must be a whole number (0 or more), found a negative or fractional number (docs/reference.md §3)"
        );
        assert_eq!(
            check(json!({"scan_id": "1", "fixed_count": "3"})).unwrap_err(),
            "scan_complete data field `fixed_count` must be a whole number (0 or more), found a string (docs/reference.md §3)"
        );
        // Other events' fields of these names are theirs to shape.
        let data = object(json!({"policy": "p", "fixed": 3}));
        assert!(check_required(Event::PolicyViolation, &data).is_ok());
    }

    // ---- Property tests (proptest): no panic on any input, and `--set` paths. ----

    use proptest::prelude::*;

    /// Modest case counts keep `cargo test --lib` fast in debug builds; no
    /// regression files are written into the source tree.
    fn property_config() -> ProptestConfig {
        ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }

    /// Keys from a small alphabet, so random paths often meet existing keys.
    fn key() -> impl Strategy<Value = String> {
        prop_oneof!["[a-c_]{1,2}", "[a-z_]{1,8}", "\\PC{0,4}"]
    }

    /// JSON without floats (whose text form need not round-trip bit for bit).
    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<String>().prop_map(Value::String),
            "[a-z0-9 =.]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec((key(), inner), 0..5)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
            ]
        })
    }

    fn json_object() -> impl Strategy<Value = Map<String, Value>> {
        prop::collection::vec((key(), json_value()), 0..6)
            .prop_map(|entries| entries.into_iter().collect())
    }

    /// 1–5 segments of [a-z_]{1,8}.
    fn segments() -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec("[a-z_]{1,8}", 1..=5)
    }

    /// `--set` pairs: arbitrary text, and path-like text with odd dots,
    /// equals signs and values.
    fn pair_text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "\\PC{0,24}",
            "[a-c_.=]{0,12}",
            (
                prop::collection::vec(prop_oneof![key(), Just(String::new())], 0..6),
                prop::option::of("\\PC{0,12}"),
            )
                .prop_map(|(segments, value)| match value {
                    Some(value) => format!("{}={value}", segments.join(".")),
                    None => segments.join("."),
                }),
            (segments(), json_value())
                .prop_map(|(segments, value)| format!("{}={value}", segments.join("."))),
        ]
    }

    /// Values as typed after `=`: JSON text, or any text at all.
    fn value_text() -> impl Strategy<Value = String> {
        prop_oneof![
            json_value().prop_map(|value| value.to_string()),
            json_value().prop_map(|value| serde_json::to_string_pretty(&value).expect("JSON")),
            any::<String>(),
            "[a-z0-9 =.\\[\\]{}\":,-]{0,16}",
        ]
    }

    /// What `--set` promises for a value: its JSON when it parses, else the text.
    fn expected_value(raw: &str) -> Value {
        serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned()))
    }

    fn value_at<'a>(data: &'a Map<String, Value>, segments: &[String]) -> Option<&'a Value> {
        let (first, rest) = segments.split_first()?;
        rest.iter()
            .try_fold(data.get(first)?, |value, segment| value.get(segment))
    }

    /// The first prefix of `segments` (all but the last) that exists in
    /// `data` as something other than an object.
    fn first_non_object_prefix(
        data: &Map<String, Value>,
        segments: &[String],
    ) -> Option<(usize, &'static str)> {
        let mut current = data;
        for (index, segment) in segments[..segments.len() - 1].iter().enumerate() {
            match current.get(segment) {
                None => return None,
                Some(Value::Object(map)) => current = map,
                Some(other) => return Some((index, json_kind(other))),
            }
        }
        None
    }

    proptest! {
        #![proptest_config(property_config())]

        #[test]
        fn prop_apply_set_never_panics(mut data in json_object(), pair in pair_text()) {
            let before = data.clone();
            match apply_set(&mut data, &pair) {
                // A refused pair leaves the data exactly as it was.
                Err(_) => prop_assert_eq!(&data, &before),
                Ok(()) => {
                    let (path, raw) = pair.split_once('=').expect("accepted pairs have `=`");
                    let segments: Vec<String> = path.split('.').map(str::to_owned).collect();
                    prop_assert!(segments.iter().all(|segment| !segment.is_empty()));
                    prop_assert_eq!(value_at(&data, &segments), Some(&expected_value(raw)));
                }
            }
        }

        #[test]
        fn prop_apply_set_puts_the_value_at_the_path(
            mut data in prop_oneof![Just(Map::new()), json_object()],
            segments in segments(),
            raw in value_text(),
        ) {
            let pair = format!("{}={raw}", segments.join("."));
            let before = data.clone();
            match first_non_object_prefix(&before, &segments) {
                None => {
                    apply_set(&mut data, &pair)
                        .map_err(|error| TestCaseError::fail(format!("{pair:?}: {error}")))?;
                    prop_assert_eq!(value_at(&data, &segments), Some(&expected_value(&raw)));
                    // Keys off the path are untouched.
                    for (key, value) in &before {
                        if key != &segments[0] {
                            prop_assert_eq!(data.get(key), Some(value));
                        }
                    }
                }
                Some((index, found)) => {
                    let error = apply_set(&mut data, &pair).expect_err("through a non-object");
                    prop_assert_eq!(
                        error,
                        PayloadError::SetThroughNonObject {
                            pair: pair.clone(),
                            prefix: segments[..=index].join("."),
                            found,
                        }
                    );
                    prop_assert_eq!(&data, &before);
                }
            }
        }

        #[test]
        fn prop_apply_set_through_an_existing_non_object_is_refused(
            segments in prop::collection::vec("[a-z_]{1,8}", 2..=5),
            blocker_at in any::<prop::sample::Index>(),
            blocker in json_value().prop_filter("not an object", |value| !value.is_object()),
            siblings in json_object(),
            raw in value_text(),
        ) {
            // Objects down to segments[blocker_at], which holds a non-object,
            // beside random sibling keys.
            let blocker_at = blocker_at.index(segments.len() - 1);
            let mut nested = blocker.clone();
            for segment in segments[..=blocker_at].iter().rev() {
                let mut level = siblings.clone();
                level.insert(segment.clone(), nested);
                nested = Value::Object(level);
            }
            let Value::Object(mut data) = nested else { unreachable!() };
            let before = data.clone();
            let pair = format!("{}={raw}", segments.join("."));

            let error = apply_set(&mut data, &pair).expect_err("through a non-object");
            prop_assert_eq!(
                error,
                PayloadError::SetThroughNonObject {
                    pair: pair.clone(),
                    prefix: segments[..=blocker_at].join("."),
                    found: json_kind(&blocker),
                }
            );
            prop_assert_eq!(&data, &before);
        }

        #[test]
        fn prop_read_data_never_panics_on_any_stdin(
            bytes in prop_oneof![
                prop::collection::vec(any::<u8>(), 0..512),
                json_value().prop_map(|value| value.to_string().into_bytes()),
                json_object().prop_map(|map| Value::Object(map).to_string().into_bytes()),
                (1..3_000usize, prop::sample::select(vec!["[", "{\"a\":", "[{\"b\":"]))
                    .prop_map(|(depth, open)| open.repeat(depth).into_bytes()),
                (prop::collection::vec(any::<u8>(), 0..64), 0..64usize).prop_map(|(mut bytes, at)| {
                    let json = br#"{"scan_id":"1","data":{"a":[1,2,{"b":null}]}}"#;
                    bytes.splice(0..0, json[..at.min(json.len())].iter().copied());
                    bytes
                }),
            ],
        ) {
            let mut stdin: &[u8] = &bytes;
            match read_data("-", &mut stdin) {
                Ok(map) => {
                    // Only a UTF-8 JSON object is accepted, and nothing is lost.
                    let parsed: Value = serde_json::from_slice(&bytes).expect("accepted input is JSON");
                    prop_assert_eq!(Value::Object(map), parsed);
                }
                Err(error) => prop_assert!(
                    error.to_string().starts_with("--data (standard input): "),
                    "{}",
                    error
                ),
            }
        }

        #[test]
        fn prop_read_data_never_panics_on_any_inline_argument(
            argument in any::<String>().prop_filter("not a file or stdin", |text| {
                !text.starts_with('@') && text != "-"
            }),
        ) {
            let mut stdin = std::io::empty();
            if let Ok(map) = read_data(&argument, &mut stdin) {
                let parsed: Value = serde_json::from_str(&argument).expect("accepted input is JSON");
                prop_assert_eq!(Value::Object(map), parsed);
            }
        }
    }
}
