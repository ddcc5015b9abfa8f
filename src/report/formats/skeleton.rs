//! The little of a report that format detection and the "is this the format?" checks look
//! at, read in one pass over the bytes without building a JSON tree: which top-level keys
//! exist, a few nested keys, and the keys the items of a few lists have.
//!
//! The pass also validates the whole document exactly as reading it into a
//! `serde_json::Value` would (strings are UTF-8, numbers in range, nesting within limits), so
//! a broken file is reported as invalid JSON before any format reads it, and it notes
//! whether any object repeats a key (see [`Skeleton::duplicate_keys`]).

use std::cell::Cell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// What a JSON value is, without its contents. `Absent` is a key that is not there; a key
/// whose value is `null` is present (`Null`), as with `Value::get`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Kind {
    #[default]
    Absent,
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl Kind {
    pub fn is_present(self) -> bool {
        self != Kind::Absent
    }
}

/// The skeleton of a report.
#[derive(Debug, Default)]
pub struct Skeleton {
    /// The top level's kind.
    pub kind: Kind,
    /// Keys of the top-level object (all absent when the top level is not an object).
    pub fields: Fields,
    /// The items of a top-level list (pip-audit before 2.0, Trivy before 0.20, Snyk's
    /// `--all-projects`).
    pub items: List,
    /// Some object in the document gives a key twice (rarely, if ever, written by a
    /// scanner). A `Value` keeps the last occurrence where derived types would refuse the
    /// document, so such a report is decoded through a `Value`, as it always was. Set on a
    /// 64-bit hash collision too, which costs only that slower path.
    pub duplicate_keys: bool,
}

/// The top-level keys formats are recognised by. A key given twice counts as its last
/// occurrence, as in a `Value`.
#[derive(Debug, Default)]
pub struct Fields {
    // Trivy.
    pub schema_version: Kind,
    pub trivy_results: Kind,
    pub artifact_name: Kind,
    // Grype.
    pub matches: List,
    /// `descriptor.name` when it is text.
    pub descriptor_name: Option<String>,
    // CycloneDX: `bomFormat` when it is text.
    pub bom_format: Option<String>,
    // npm audit and cargo audit.
    pub audit_report_version: Kind,
    pub vulnerabilities: Vulnerabilities,
    pub lockfile: Kind,
    pub database: Kind,
    // OSV-Scanner.
    pub results: List,
    // pip-audit and OWASP Dependency-Check.
    pub dependencies: List,
    pub fixes: Kind,
    pub report_schema: Kind,
    // SARIF: `$schema` and `version` when they are text, and `runs`.
    pub schema: Option<String>,
    pub version: Option<String>,
    pub runs: Kind,
    // GitLab: `scan.type` when it is text.
    pub scan: Kind,
    pub scan_type: Option<String>,
    // Snyk.
    pub package_manager: Kind,
    pub applications: Kind,
}

/// The top-level `vulnerabilities`: an object for npm audit (package name → entry), an
/// object with a `list` for cargo audit, a list for CycloneDX, Snyk and GitLab.
#[derive(Debug, Default)]
pub struct Vulnerabilities {
    pub kind: Kind,
    /// The kind of its `list` key, when it is an object.
    pub list: Kind,
    /// How many items, and the keys of the first, when it is a list.
    pub len: usize,
    pub first: ItemKeys,
}

/// A list summarised by the keys its items have (an item that is not an object has none).
#[derive(Debug, Default)]
pub struct List {
    pub kind: Kind,
    pub len: usize,
    pub first: ItemKeys,
    /// Every item has a `name`.
    pub all_named: bool,
    /// Every item has a `name` and `vulns` or `skip_reason` (pip-audit's dependencies).
    pub all_audited: bool,
    /// Some item has `vulns`.
    pub any_vulns: bool,
    /// Every item has `packages` or `source` (OSV-Scanner's sources).
    pub all_sources: bool,
    /// Every item has `Target` (Trivy's results before 0.20).
    pub all_targets: bool,
}

/// The keys of interest a list item has.
#[derive(Debug, Default, Clone, Copy)]
pub struct ItemKeys {
    pub name: bool,
    pub vulns: bool,
    pub skip_reason: bool,
    pub packages: bool,
    pub source: bool,
    pub vulnerability: bool,
    pub artifact: bool,
    // Snyk's vulnerabilities and `--all-projects` items.
    pub package_name: bool,
    pub identifiers: bool,
    pub vulnerabilities: bool,
    pub package_manager: bool,
    // GitLab's vulnerabilities.
    pub location: bool,
    // Trivy's results before 0.20.
    pub target: bool,
    pub trivy_vulnerabilities: bool,
}

impl Skeleton {
    /// Reads the skeleton of a JSON document; the error is serde_json's syntax error.
    pub fn read(bytes: &[u8]) -> Result<Skeleton, serde_json::Error> {
        DUPLICATE_KEYS.with(|flag| flag.set(false));
        let mut skeleton: Skeleton = serde_json::from_slice(bytes)?;
        skeleton.duplicate_keys = DUPLICATE_KEYS.with(Cell::get);
        Ok(skeleton)
    }

    pub fn is_object(&self) -> bool {
        self.kind == Kind::Object
    }
}

/// The scalar cases every visitor below shares: the kind, nothing kept.
macro_rules! scalar_kinds {
    ($wrap:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($wrap(Kind::Bool))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($wrap(Kind::Number))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($wrap(Kind::Number))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($wrap(Kind::Number))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($wrap(Kind::Null))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($wrap(Kind::Null))
        }
    };
}

/// Drains the rest of a list, validating its items.
fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<Kind>()?.is_some() {}
    Ok(())
}

/// Drains the rest of an object, validating its keys and values.
fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    let mut keys = KeySet::default();
    while let Some(found) = map.next_key::<KeyName>()? {
        keys.insert(found.hash);
        map.next_value::<Kind>()?;
    }
    Ok(())
}

thread_local! {
    /// Set by the skeleton pass when an object repeats a key.
    static DUPLICATE_KEYS: Cell<bool> = const { Cell::new(false) };
}

/// The keys of one object seen so far, by hash: a few inline, a set beyond that.
#[derive(Default)]
struct KeySet {
    inline: [u64; 16],
    len: usize,
    more: HashSet<u64>,
}

impl KeySet {
    fn insert(&mut self, hash: u64) {
        let repeated = if self.inline[..self.len].contains(&hash) {
            true
        } else if self.len < self.inline.len() {
            self.inline[self.len] = hash;
            self.len += 1;
            false
        } else {
            !self.more.insert(hash)
        };
        if repeated {
            DUPLICATE_KEYS.with(|flag| flag.set(true));
        }
    }
}

impl<'de> Deserialize<'de> for Kind {
    /// Any value, read through `deserialize_any` (not `deserialize_ignored_any`, which skips
    /// strings without checking their UTF-8) so that it is validated like a `Value`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Kind, D::Error> {
        struct KindVisitor;
        impl<'de> Visitor<'de> for KindVisitor {
            type Value = Kind;
            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("any JSON value")
            }
            scalar_kinds!(std::convert::identity);
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Kind, E> {
                Ok(Kind::String)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Kind, A::Error> {
                drain_seq(seq)?;
                Ok(Kind::Array)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Kind, A::Error> {
                drain_map(map)?;
                Ok(Kind::Object)
            }
        }
        deserializer.deserialize_any(KindVisitor)
    }
}

/// An object key: which one of interest it is, and its hash (FNV-1a) for spotting repeats.
struct KeyName {
    key: Key,
    hash: u64,
}

/// The object keys formats are recognised by.
enum Key {
    SchemaVersion,
    TrivyResults,
    ArtifactName,
    Matches,
    Descriptor,
    BomFormat,
    AuditReportVersion,
    Vulnerabilities,
    Lockfile,
    Database,
    Results,
    Dependencies,
    Fixes,
    Name,
    Vulns,
    SkipReason,
    Packages,
    Source,
    Vulnerability,
    Artifact,
    List,
    ReportSchema,
    Schema,
    Version,
    Runs,
    Scan,
    Type,
    PackageName,
    Identifiers,
    PackageManager,
    Applications,
    Location,
    Target,
    TrivyVulnerabilities,
    Other,
}

impl<'de> Deserialize<'de> for KeyName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<KeyName, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = KeyName;
            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("an object key")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<KeyName, E> {
                let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
                    (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
                });
                let key = match key {
                    "SchemaVersion" => Key::SchemaVersion,
                    "Results" => Key::TrivyResults,
                    "ArtifactName" => Key::ArtifactName,
                    "matches" => Key::Matches,
                    "descriptor" => Key::Descriptor,
                    "bomFormat" => Key::BomFormat,
                    "auditReportVersion" => Key::AuditReportVersion,
                    "vulnerabilities" => Key::Vulnerabilities,
                    "lockfile" => Key::Lockfile,
                    "database" => Key::Database,
                    "results" => Key::Results,
                    "dependencies" => Key::Dependencies,
                    "fixes" => Key::Fixes,
                    "name" => Key::Name,
                    "vulns" => Key::Vulns,
                    "skip_reason" => Key::SkipReason,
                    "packages" => Key::Packages,
                    "source" => Key::Source,
                    "vulnerability" => Key::Vulnerability,
                    "artifact" => Key::Artifact,
                    "list" => Key::List,
                    "reportSchema" => Key::ReportSchema,
                    "$schema" => Key::Schema,
                    "version" => Key::Version,
                    "runs" => Key::Runs,
                    "scan" => Key::Scan,
                    "type" => Key::Type,
                    "packageName" => Key::PackageName,
                    "identifiers" => Key::Identifiers,
                    "packageManager" => Key::PackageManager,
                    "applications" => Key::Applications,
                    "location" => Key::Location,
                    "Target" => Key::Target,
                    "Vulnerabilities" => Key::TrivyVulnerabilities,
                    _ => Key::Other,
                };
                Ok(KeyName { key, hash })
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for Skeleton {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Skeleton, D::Error> {
        struct SkeletonVisitor;
        impl<'de> Visitor<'de> for SkeletonVisitor {
            type Value = Skeleton;
            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("any JSON value")
            }
            scalar_kinds!(|kind| Skeleton {
                kind,
                ..Skeleton::default()
            });
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Skeleton, E> {
                Ok(Skeleton {
                    kind: Kind::String,
                    ..Skeleton::default()
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Skeleton, A::Error> {
                Ok(Skeleton {
                    kind: Kind::Array,
                    items: ListVisitor.visit_seq(seq)?,
                    ..Skeleton::default()
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skeleton, A::Error> {
                let mut fields = Fields::default();
                let mut keys = KeySet::default();
                while let Some(found) = map.next_key::<KeyName>()? {
                    keys.insert(found.hash);
                    match found.key {
                        Key::SchemaVersion => fields.schema_version = map.next_value()?,
                        Key::TrivyResults => fields.trivy_results = map.next_value()?,
                        Key::ArtifactName => fields.artifact_name = map.next_value()?,
                        Key::Matches => fields.matches = map.next_value()?,
                        Key::Descriptor => {
                            fields.descriptor_name = map.next_value::<Descriptor>()?.name
                        }
                        Key::BomFormat => fields.bom_format = map.next_value::<Text>()?.0,
                        Key::AuditReportVersion => {
                            fields.audit_report_version = map.next_value()?
                        }
                        Key::Vulnerabilities => fields.vulnerabilities = map.next_value()?,
                        Key::Lockfile => fields.lockfile = map.next_value()?,
                        Key::Database => fields.database = map.next_value()?,
                        Key::Results => fields.results = map.next_value()?,
                        Key::Dependencies => fields.dependencies = map.next_value()?,
                        Key::Fixes => fields.fixes = map.next_value()?,
                        Key::ReportSchema => fields.report_schema = map.next_value()?,
                        Key::Schema => fields.schema = map.next_value::<Text>()?.0,
                        Key::Version => fields.version = map.next_value::<Text>()?.0,
                        Key::Runs => fields.runs = map.next_value()?,
                        Key::Scan => {
                            let scan = map.next_value::<Scan>()?;
                            fields.scan = scan.kind;
                            fields.scan_type = scan.kind_name;
                        }
                        Key::PackageManager => fields.package_manager = map.next_value()?,
                        Key::Applications => fields.applications = map.next_value()?,
                        _ => {
                            map.next_value::<Kind>()?;
                        }
                    }
                }
                Ok(Skeleton {
                    kind: Kind::Object,
                    fields,
                    ..Skeleton::default()
                })
            }
        }
        deserializer.deserialize_any(SkeletonVisitor)
    }
}

/// A value kept only when it is text.
struct Text(Option<String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text;
            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("any JSON value")
            }
            scalar_kinds!(|_| Text(None));
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Text, E> {
                Ok(Text(Some(text.to_string())))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Text, A::Error> {
                drain_seq(seq)?;
                Ok(Text(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Text, A::Error> {
                drain_map(map)?;
                Ok(Text(None))
            }
        }
        deserializer.deserialize_any(TextVisitor)
    }
}

/// Grype's `descriptor`: its `name` when it is text.
struct Descriptor {
    name: Option<String>,
}

impl<'de> Deserialize<'de> for Descriptor {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Descriptor, D::Error> {
        struct DescriptorVisitor;
        impl<'de> Visitor<'de> for DescriptorVisitor {
            type Value = Descriptor;
            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("any JSON value")
            }
            scalar_kinds!(|_| Descriptor { name: None });
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Descriptor, E> {
                Ok(Descriptor { name: None })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Descriptor, A::Error> {
                drain_seq(seq)?;
                Ok(Descriptor { name: None })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Descriptor, A::Error> {
                let mut name = None;
                let mut keys = KeySet::default();
                while let Some(found) = map.next_key::<KeyName>()? {
                    keys.insert(found.hash);
                    match found.key {
                        Key::Name => name = map.next_value::<Text>()?.0,
                        _ => {
                            map.next_value::<Kind>()?;
                        }
                    }
                }
                Ok(Descriptor { name })
            }
        }
        deserializer.deserialize_any(DescriptorVisitor)
    }
}

/// GitLab's `scan`: its kind, and its `type` when it is text.
struct Scan {
    kind: Kind,
    kind_name: Option<String>,
}

impl<'de> Deserialize<'de> for Scan {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Scan, D::Error> {
        struct ScanVisitor;
        impl<'de> Visitor<'de> for ScanVisitor {
            type Value = Scan;
            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("any JSON value")
            }
            scalar_kinds!(|kind| Scan {
                kind,
                kind_name: None
            });
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Scan, E> {
                Ok(Scan {
                    kind: Kind::String,
                    kind_name: None,
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Scan, A::Error> {
                drain_seq(seq)?;
                Ok(Scan {
                    kind: Kind::Array,
                    kind_name: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scan, A::Error> {
                let mut kind_name = None;
                let mut keys = KeySet::default();
                while let Some(found) = map.next_key::<KeyName>()? {
                    keys.insert(found.hash);
                    match found.key {
                        Key::Type => kind_name = map.next_value::<Text>()?.0,
                        _ => {
                            map.next_value::<Kind>()?;
                        }
                    }
                }
                Ok(Scan {
                    kind: Kind::Object,
                    kind_name,
                })
            }
        }
        deserializer.deserialize_any(ScanVisitor)
    }
}

impl<'de> Deserialize<'de> for Vulnerabilities {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Vulnerabilities, D::Error> {
        struct VulnerabilitiesVisitor;
        impl<'de> Visitor<'de> for VulnerabilitiesVisitor {
            type Value = Vulnerabilities;
            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("any JSON value")
            }
            scalar_kinds!(|kind| Vulnerabilities {
                kind,
                ..Vulnerabilities::default()
            });
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Vulnerabilities, E> {
                Ok(Vulnerabilities {
                    kind: Kind::String,
                    ..Vulnerabilities::default()
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Vulnerabilities, A::Error> {
                let list = ListVisitor.visit_seq(seq)?;
                Ok(Vulnerabilities {
                    kind: Kind::Array,
                    len: list.len,
                    first: list.first,
                    ..Vulnerabilities::default()
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vulnerabilities, A::Error> {
                let mut list = Kind::Absent;
                let mut keys = KeySet::default();
                while let Some(found) = map.next_key::<KeyName>()? {
                    keys.insert(found.hash);
                    match found.key {
                        Key::List => list = map.next_value()?,
                        _ => {
                            map.next_value::<Kind>()?;
                        }
                    }
                }
                Ok(Vulnerabilities {
                    kind: Kind::Object,
                    list,
                    ..Vulnerabilities::default()
                })
            }
        }
        deserializer.deserialize_any(VulnerabilitiesVisitor)
    }
}

/// Summarises a list's items as it reads them; for anything else, only the kind.
struct ListVisitor;

impl<'de> Visitor<'de> for ListVisitor {
    type Value = List;
    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }
    scalar_kinds!(|kind| List {
        kind,
        ..List::default()
    });
    fn visit_str<E: de::Error>(self, _: &str) -> Result<List, E> {
        Ok(List {
            kind: Kind::String,
            ..List::default()
        })
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List, A::Error> {
        let mut list = List {
            kind: Kind::Array,
            len: 0,
            first: ItemKeys::default(),
            all_named: true,
            all_audited: true,
            any_vulns: false,
            all_sources: true,
            all_targets: true,
        };
        while let Some(item) = seq.next_element::<ItemKeys>()? {
            if list.len == 0 {
                list.first = item;
            }
            list.len += 1;
            list.all_named &= item.name;
            list.all_audited &= item.name && (item.vulns || item.skip_reason);
            list.any_vulns |= item.vulns;
            list.all_sources &= item.packages || item.source;
            list.all_targets &= item.target;
        }
        Ok(list)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<List, A::Error> {
        drain_map(map)?;
        Ok(List {
            kind: Kind::Object,
            ..List::default()
        })
    }
}

impl<'de> Deserialize<'de> for List {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<List, D::Error> {
        deserializer.deserialize_any(ListVisitor)
    }
}

impl<'de> Deserialize<'de> for ItemKeys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ItemKeys, D::Error> {
        struct ItemVisitor;
        impl<'de> Visitor<'de> for ItemVisitor {
            type Value = ItemKeys;
            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("any JSON value")
            }
            scalar_kinds!(|_| ItemKeys::default());
            fn visit_str<E: de::Error>(self, _: &str) -> Result<ItemKeys, E> {
                Ok(ItemKeys::default())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ItemKeys, A::Error> {
                drain_seq(seq)?;
                Ok(ItemKeys::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ItemKeys, A::Error> {
                let mut item = ItemKeys::default();
                let mut keys = KeySet::default();
                while let Some(found) = map.next_key::<KeyName>()? {
                    keys.insert(found.hash);
                    match found.key {
                        Key::Name => item.name = true,
                        Key::Vulns => item.vulns = true,
                        Key::SkipReason => item.skip_reason = true,
                        Key::Packages => item.packages = true,
                        Key::Source => item.source = true,
                        Key::Vulnerability => item.vulnerability = true,
                        Key::Artifact => item.artifact = true,
                        Key::PackageName => item.package_name = true,
                        Key::Identifiers => item.identifiers = true,
                        Key::Vulnerabilities => item.vulnerabilities = true,
                        Key::PackageManager => item.package_manager = true,
                        Key::Location => item.location = true,
                        Key::Target => item.target = true,
                        Key::TrivyVulnerabilities => item.trivy_vulnerabilities = true,
                        _ => {}
                    }
                    map.next_value::<Kind>()?;
                }
                Ok(item)
            }
        }
        deserializer.deserialize_any(ItemVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Skeleton {
        Skeleton::read(json.as_bytes()).expect("valid JSON")
    }

    #[test]
    fn keys_nested_keys_and_list_items() {
        let skeleton = read(
            r#"{"SchemaVersion": null, "descriptor": {"name": "Grype"}, "bomFormat": 1,
                "vulnerabilities": {"list": []}, "dependencies": [{"name": "a", "vulns": []}, 3],
                "matches": [{"vulnerability": {}, "artifact": null}], "other": [1, {"x": "y"}]}"#,
        );
        assert!(skeleton.is_object());
        let fields = &skeleton.fields;
        assert_eq!(fields.schema_version, Kind::Null, "null is present");
        assert!(!fields.trivy_results.is_present());
        assert_eq!(fields.descriptor_name.as_deref(), Some("Grype"));
        assert_eq!(fields.bom_format, None, "not text");
        assert_eq!(
            (fields.vulnerabilities.kind, fields.vulnerabilities.list),
            (Kind::Object, Kind::Array)
        );
        let dependencies = &fields.dependencies;
        assert_eq!((dependencies.kind, dependencies.len), (Kind::Array, 2));
        assert!(dependencies.any_vulns && !dependencies.all_named);
        assert!(fields.matches.first.vulnerability && fields.matches.first.artifact);
    }

    #[test]
    fn the_last_of_a_repeated_key_counts() {
        let skeleton = read(r#"{"bomFormat": "CycloneDX", "bomFormat": "other"}"#);
        assert_eq!(skeleton.fields.bom_format.as_deref(), Some("other"));
        assert!(skeleton.duplicate_keys);
    }

    #[test]
    fn repeated_keys_anywhere_are_noticed() {
        let many: Vec<String> = (0..40).map(|key| format!("\"k{key}\": {key}")).collect();
        let distinct = format!(r#"{{"a": [{{"b": {{{}}}}}]}}"#, many.join(", "));
        assert!(!read(&distinct).duplicate_keys);
        let repeated = format!(r#"{{"a": [{{"b": {{{}, "k33": 0}}}}]}}"#, many.join(", "));
        assert!(read(&repeated).duplicate_keys, "beyond the inline keys");
        assert!(read(r#"{"x": [1, {"id": 1, "id": 2}]}"#).duplicate_keys);
        assert!(read(r#"{"matches": [{"name": 1, "name": 2}]}"#).duplicate_keys);
        assert!(
            !read(r#"[{"id": 1}, {"id": 2}]"#).duplicate_keys,
            "per object"
        );
        assert!(!read(r#"{"a": {"id": 1}, "b": {"id": 1}}"#).duplicate_keys);
    }

    #[test]
    fn validated_like_a_value() {
        for broken in [
            "{\"a\": \"\\ud800\"}",
            "{\"a\": [1e400]}",
            "{\"a\": 1",
            "[1, 2,]",
            "{} x",
        ] {
            let expected = serde_json::from_str::<serde_json::Value>(broken)
                .expect_err(broken)
                .to_string();
            let error = Skeleton::read(broken.as_bytes()).expect_err(broken);
            assert_eq!(error.to_string(), expected, "{broken}");
        }
        let mut invalid_utf8 = b"{\"a\": [\"".to_vec();
        invalid_utf8.extend([0xff, b'"', b']', b'}']);
        assert!(serde_json::from_slice::<serde_json::Value>(&invalid_utf8).is_err());
        assert!(Skeleton::read(&invalid_utf8).is_err());
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(Skeleton::read(deep.as_bytes()).is_err());
    }
}
