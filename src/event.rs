//! The five SCA event kinds, their names, required data fields and `send-test` samples.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde_json::{json, Map, Value};

use crate::names::{self, Named, UnknownName};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Event {
    ScanComplete,
    CriticalVulnerability,
    KevFound,
    PolicyViolation,
    SlaBreach,
}

impl Event {
    pub const ALL: [Event; 5] = [
        Event::ScanComplete,
        Event::CriticalVulnerability,
        Event::KevFound,
        Event::PolicyViolation,
        Event::SlaBreach,
    ];

    /// What a PagerDuty webhook gets when its config lists no events: only what should page.
    pub const PAGING: [Event; 3] = [
        Event::CriticalVulnerability,
        Event::KevFound,
        Event::SlaBreach,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Event::ScanComplete => "scan_complete",
            Event::CriticalVulnerability => "critical_vulnerability",
            Event::KevFound => "kev_found",
            Event::PolicyViolation => "policy_violation",
            Event::SlaBreach => "sla_breach",
        }
    }

    /// Dotted paths that must be present in `data` before anything is sent.
    pub fn required_fields(self) -> &'static [&'static str] {
        match self {
            Event::ScanComplete => &["scan_id"],
            Event::CriticalVulnerability | Event::KevFound => &["cve_id", "package.name"],
            Event::PolicyViolation => &["policy"],
            Event::SlaBreach => &["cve_id", "package.name", "due_at"],
        }
    }

    /// Known fields whose JSON type is checked, when present, with the required fields: a
    /// receiver that reads `fixed` as a list must never get a number.
    pub fn typed_fields(self) -> &'static [(&'static str, FieldType)] {
        match self {
            Event::ScanComplete => &[
                ("fixed", FieldType::ListOfObjects),
                ("fixed_count", FieldType::Count),
            ],
            _ => &[],
        }
    }

    /// Realistic data for `send-test`, so a receiver sees what a real event looks like.
    pub fn sample_data(self) -> Map<String, Value> {
        let value = match self {
            Event::ScanComplete => json!({
                "scan_id": "scan-test-0001",
                "status": "passed",
                "summary": {"critical": 0, "high": 2, "medium": 5, "low": 9, "unknown": 1},
                "packages_scanned": 412,
                "duration_seconds": 37,
                "branch": "main",
                "commit": "4f2a9c1",
                "url": "https://example.com/scans/scan-test-0001",
                "fixed_count": 3,
                "fixed": [
                    {
                        "id": "CVE-2022-42889",
                        "package": {"name": "org.apache.commons:commons-text", "version": "1.9"},
                        "severity": "critical",
                        "first_seen": "2026-01-12T08:15:00Z",
                        "days_open": 69
                    },
                    {
                        "id": "CVE-2021-23337",
                        "package": {"name": "lodash", "version": "4.17.20"},
                        "severity": "high",
                        "first_seen": "2026-02-16T14:02:00Z",
                        "days_open": 34
                    },
                    {
                        "id": "CVE-2022-25883",
                        "package": {"name": "semver", "version": "7.5.1"},
                        "severity": "medium",
                        "first_seen": "2026-03-21T09:40:00Z",
                        "days_open": 1
                    }
                ]
            }),
            Event::CriticalVulnerability => json!({
                "cve_id": "CVE-2021-44228",
                "package": {
                    "name": "org.apache.logging.log4j:log4j-core",
                    "version": "2.14.1",
                    "ecosystem": "maven",
                    "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
                },
                "severity": "critical",
                "cvss_score": 10.0,
                "fixed_version": "2.17.1",
                "title": "Log4Shell: remote code execution via JNDI lookups",
                "url": "https://nvd.nist.gov/vuln/detail/CVE-2021-44228",
                "scan_id": "scan-test-0001"
            }),
            Event::KevFound => json!({
                "cve_id": "CVE-2024-3094",
                "package": {"name": "xz-utils", "version": "5.6.0", "ecosystem": "deb"},
                "severity": "critical",
                "cvss_score": 10.0,
                "fixed_version": "5.6.1",
                "title": "Backdoor in XZ Utils",
                "kev": {
                    "date_added": "2024-04-01",
                    "due_date": "2024-04-22",
                    "required_action": "Apply mitigations per vendor instructions or discontinue use of the product if mitigations are unavailable.",
                    "known_ransomware_campaign_use": "Unknown",
                    "vendor_project": "XZ Utils",
                    "product": "XZ Utils",
                    "vulnerability_name": "XZ Utils Embedded Malicious Code Vulnerability"
                },
                "url": "https://www.cisa.gov/known-exploited-vulnerabilities-catalog"
            }),
            Event::PolicyViolation => json!({
                "policy": "no-critical-with-fix",
                "rule": "severity_at_least = critical, fix_available = true",
                "action": "fail",
                "violations": [
                    {"package": {"name": "lodash", "version": "4.17.15", "ecosystem": "npm"},
                     "reason": "CVE-2020-8203 (critical) has a fix in 4.17.19"}
                ],
                "scan_id": "scan-test-0001",
                "url": "https://example.com/scans/scan-test-0001"
            }),
            Event::SlaBreach => json!({
                "cve_id": "CVE-2023-44487",
                "package": {"name": "golang.org/x/net", "version": "0.15.0", "ecosystem": "go"},
                "severity": "high",
                "detected_at": "2026-01-05T09:00:00Z",
                "due_at": "2026-02-04T09:00:00Z",
                "days_overdue": 12,
                "sla_days": 30,
                "url": "https://example.com/findings/CVE-2023-44487"
            }),
        };
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }
}

/// The JSON type a typed field must have (see [`Event::typed_fields`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// An array whose items are all objects.
    ListOfObjects,
    /// A whole number, zero or more.
    Count,
}

impl FieldType {
    pub fn accepts(self, value: &Value) -> bool {
        match self {
            FieldType::ListOfObjects => value
                .as_array()
                .is_some_and(|items| items.iter().all(Value::is_object)),
            FieldType::Count => value.is_u64(),
        }
    }

    /// As an error message words it: "must be …".
    pub fn describe(self) -> &'static str {
        match self {
            FieldType::ListOfObjects => "an array of objects",
            FieldType::Count => "a whole number (0 or more)",
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl Named for Event {
    const KIND: &'static str = "event";

    fn all() -> &'static [Event] {
        &Event::ALL
    }

    fn name(self) -> &'static str {
        self.as_str()
    }

    /// The kebab-case spelling (`critical-vulnerability`) is accepted everywhere too.
    fn canonical(text: &str) -> Cow<'_, str> {
        if text.contains('-') {
            Cow::Owned(text.replace('-', "_"))
        } else {
            Cow::Borrowed(text)
        }
    }
}

impl FromStr for Event {
    type Err = UnknownName;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        names::parse(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_snake_and_kebab_names() {
        assert_eq!(
            "critical-vulnerability".parse::<Event>().ok(),
            Some(Event::CriticalVulnerability)
        );
        assert_eq!("kev_found".parse::<Event>().ok(), Some(Event::KevFound));
        let error = "kev-fonud".parse::<Event>().expect_err("typo");
        assert!(
            error.to_string().contains("did you mean `kev_found`?"),
            "{error}"
        );
    }

    #[test]
    fn samples_carry_their_required_fields() {
        for event in Event::ALL {
            let data = Value::Object(event.sample_data());
            for path in event.required_fields() {
                let found = path.split('.').try_fold(&data, |value, key| value.get(key));
                assert!(found.is_some(), "{event} sample lacks {path}");
            }
        }
    }

    #[test]
    fn samples_give_their_typed_fields_the_right_type() {
        let mut checked = 0;
        for event in Event::ALL {
            let data = event.sample_data();
            for (field, kind) in event.typed_fields() {
                let value = data.get(*field);
                assert!(
                    value.is_some_and(|value| kind.accepts(value)),
                    "{event} sample: {field} is not {}",
                    kind.describe()
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 2);
    }

    #[test]
    fn field_types() {
        let list = FieldType::ListOfObjects;
        assert!(list.accepts(&json!([])));
        assert!(list.accepts(&json!([{"id": "CVE-1"}])));
        assert!(!list.accepts(&json!(3)));
        assert!(!list.accepts(&json!([{"id": "CVE-1"}, "CVE-2"])));
        let count = FieldType::Count;
        assert!(count.accepts(&json!(0)));
        assert!(!count.accepts(&json!(-1)));
        assert!(!count.accepts(&json!(2.5)));
        assert!(!count.accepts(&json!("3")));
    }
}
