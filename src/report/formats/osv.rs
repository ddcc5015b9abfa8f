//! OSV-Scanner's JSON report (`osv-scanner --format json`).

use serde::Deserialize;
use serde_json::Value;

use super::skeleton::Kind;
use super::{
    decode, headline, highest_score, not_this_format, nullable, osv_link, pick_fixed, severity,
    text, worst_label, Rating, Skeleton,
};
use crate::report::{choose_id, Finding, Format, Package, Report, ReportError};

/// A `results` list whose items are OSV-Scanner sources (`packages`, `source`). An empty
/// list counts: it is what OSV-Scanner writes for a clean scan.
pub fn recognises(skeleton: &Skeleton) -> bool {
    let results = &skeleton.fields.results;
    results.kind == Kind::Array && results.all_sources
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OsvReport {
    #[serde(deserialize_with = "nullable")]
    results: Vec<SourceResult>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SourceResult {
    #[serde(deserialize_with = "nullable")]
    source: Source,
    #[serde(deserialize_with = "nullable")]
    packages: Vec<PackageResult>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Source {
    #[serde(deserialize_with = "nullable")]
    path: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PackageResult {
    #[serde(deserialize_with = "nullable")]
    package: OsvPackage,
    #[serde(deserialize_with = "nullable")]
    vulnerabilities: Vec<Record>,
    /// Records that are the same vulnerability (a GHSA and its RUSTSEC twin) grouped by
    /// OSV-Scanner: one finding per group.
    #[serde(deserialize_with = "nullable")]
    groups: Vec<Group>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OsvPackage {
    #[serde(deserialize_with = "nullable")]
    name: String,
    #[serde(deserialize_with = "nullable")]
    version: String,
    #[serde(deserialize_with = "nullable")]
    ecosystem: String,
    /// Packages pinned to a git commit have no name or version, only this.
    #[serde(deserialize_with = "nullable")]
    commit: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Group {
    #[serde(deserialize_with = "nullable")]
    ids: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    aliases: Vec<String>,
    /// The group's highest CVSS score, as a numeric string (`"7.5"`).
    #[serde(deserialize_with = "nullable")]
    max_severity: String,
}

/// An OSV record (https://ossf.github.io/osv-schema/), the fields a finding needs.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Record {
    #[serde(deserialize_with = "nullable")]
    id: String,
    #[serde(deserialize_with = "nullable")]
    aliases: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    summary: String,
    #[serde(deserialize_with = "nullable")]
    details: String,
    #[serde(deserialize_with = "nullable")]
    severity: Vec<SeverityEntry>,
    #[serde(deserialize_with = "nullable")]
    affected: Vec<Affected>,
    #[serde(deserialize_with = "nullable")]
    references: Vec<Reference>,
    #[serde(deserialize_with = "nullable")]
    database_specific: DatabaseSpecific,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SeverityEntry {
    #[serde(rename = "type", deserialize_with = "nullable")]
    kind: String,
    /// A CVSS vector for the CVSS types; a plain label for others (`Ubuntu`: `medium`).
    #[serde(deserialize_with = "nullable")]
    score: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Affected {
    #[serde(deserialize_with = "nullable")]
    package: OsvPackage,
    #[serde(deserialize_with = "nullable")]
    ranges: Vec<Range>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Range {
    #[serde(rename = "type", deserialize_with = "nullable")]
    kind: String,
    #[serde(deserialize_with = "nullable")]
    events: Vec<Event>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Event {
    fixed: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Reference {
    #[serde(rename = "type", deserialize_with = "nullable")]
    kind: String,
    #[serde(deserialize_with = "nullable")]
    url: String,
}

/// Free-form per database; GHSA puts its label in `severity`, the Go database its page in
/// `url`. Anything but text there is ignored rather than failing the report.
#[derive(Deserialize, Default)]
#[serde(default)]
struct DatabaseSpecific {
    severity: Option<Value>,
    url: Option<Value>,
}

pub fn parse(bytes: &[u8], skeleton: &Skeleton) -> Result<Report, ReportError> {
    if !skeleton.fields.results.kind.is_present() {
        return Err(not_this_format(Format::Osv, skeleton, "no `results` list"));
    }
    let report: OsvReport = decode(Format::Osv, bytes, skeleton)?;
    let mut findings = Vec::new();
    for result in report.results {
        for package in result.packages {
            findings.extend(package_findings(package, &result.source.path));
        }
    }
    Ok(Report {
        notes: Vec::new(),
        format: Format::Osv,
        scanner: "osv-scanner".into(),
        scanner_version: None,
        report_id: None,
        packages_scanned: None,
        findings,
    })
}

fn package_findings(result: PackageResult, target: &str) -> Vec<Finding> {
    let PackageResult {
        package,
        vulnerabilities: records,
        groups,
    } = result;
    // Each group lists record ids; records no group mentions (or reports from OSV-Scanner
    // versions without groups) are a group of their own.
    let mut grouped: Vec<(Vec<&Record>, Option<&Group>)> = Vec::new();
    let mut placed = vec![false; records.len()];
    for group in &groups {
        let mut members: Vec<&Record> = Vec::new();
        for (position, record) in records.iter().enumerate() {
            if !placed[position] && group.ids.contains(&record.id) {
                placed[position] = true;
                members.push(record);
            }
        }
        if !members.is_empty() {
            grouped.push((members, Some(group)));
        }
    }
    for (position, record) in records.iter().enumerate() {
        if !placed[position] {
            grouped.push((vec![record], None));
        }
    }
    let name = text(package.name.as_str())
        .or_else(|| text(package.commit.as_str()))
        .unwrap_or_default();
    let installed = text(package.version.as_str());
    let identity = Package {
        name,
        version: installed.clone(),
        ecosystem: text(package.ecosystem.as_str()),
        purl: None,
    };
    grouped
        .into_iter()
        .map(|(members, group)| group_finding(&members, group, &package, identity.clone(), target))
        .collect()
}

fn group_finding(
    records: &[&Record],
    group: Option<&Group>,
    package: &OsvPackage,
    identity: Package,
    target: &str,
) -> Finding {
    // The group's first id leads, as in OSV-Scanner's own table; the CVE wins over it.
    let primary = group
        .and_then(|group| group.ids.first())
        .map_or(records[0].id.as_str(), String::as_str);
    let mut others: Vec<String> = records.iter().map(|record| record.id.clone()).collect();
    for record in records {
        others.extend(record.aliases.iter().cloned());
    }
    if let Some(group) = group {
        others.extend(group.ids.iter().cloned());
        others.extend(group.aliases.iter().cloned());
    }
    let (id, aliases) = choose_id(primary, &others);

    let label = worst_label(records.iter().flat_map(|record| labels(record)));
    let group_score = group
        .and_then(|group| group.max_severity.trim().parse::<f64>().ok())
        .filter(|score| *score > 0.0);
    let cvss_score = group_score.or_else(|| {
        highest_score(
            records
                .iter()
                .flat_map(|record| &record.severity)
                .filter_map(|entry| {
                    let modern =
                        entry.kind.starts_with("CVSS_V3") || entry.kind.starts_with("CVSS_V4");
                    modern.then_some(Rating {
                        score: None,
                        vector: Some(entry.score.as_str()),
                    })
                }),
        )
    });

    let fixed_version = pick_fixed(
        identity.version.as_deref(),
        records.iter().flat_map(|record| fixes(record, package)),
    );
    let title = records
        .iter()
        .find_map(|record| text(record.summary.as_str()))
        .or_else(|| records.iter().find_map(|record| headline(&record.details)));
    let url = records
        .iter()
        .flat_map(|record| &record.references)
        .find(|reference| reference.kind.eq_ignore_ascii_case("ADVISORY"))
        .and_then(|reference| text(reference.url.as_str()))
        .or_else(|| {
            records.iter().find_map(|record| {
                record
                    .database_specific
                    .url
                    .as_ref()
                    .and_then(Value::as_str)
                    .and_then(text)
            })
        })
        .or_else(|| Some(osv_link(primary)));
    Finding {
        id,
        aliases,
        package: identity,
        severity: severity(label, cvss_score),
        cvss_score,
        fixed_version,
        title,
        url,
        targets: text(target).into_iter().collect(),
        kev: None,
        epss: None,
        in_kev: false,
    }
}

/// A record's severity labels: GHSA's `database_specific.severity`, and `severity` entries
/// that are labels rather than CVSS vectors.
fn labels(record: &Record) -> Vec<&str> {
    let mut labels: Vec<&str> = record
        .severity
        .iter()
        .filter(|entry| !entry.kind.starts_with("CVSS_"))
        .map(|entry| entry.score.as_str())
        .collect();
    if let Some(label) = record
        .database_specific
        .severity
        .as_ref()
        .and_then(Value::as_str)
    {
        labels.push(label);
    }
    labels
}

/// The `fixed` events of the record's ranges for this package (all of its ranges when no
/// `affected` entry names the package); git ranges are skipped, their fixes are commits.
fn fixes<'a>(record: &'a Record, package: &'a OsvPackage) -> impl Iterator<Item = &'a str> {
    let names_it = |affected: &&Affected| {
        affected.package.name.eq_ignore_ascii_case(&package.name)
            && (package.ecosystem.is_empty()
                || affected.package.ecosystem.is_empty()
                || affected
                    .package
                    .ecosystem
                    .eq_ignore_ascii_case(&package.ecosystem))
    };
    let any_named = record.affected.iter().any(|affected| names_it(&affected));
    record
        .affected
        .iter()
        .filter(move |affected| !any_named || names_it(affected))
        .flat_map(|affected| &affected.ranges)
        .filter(|range| !range.kind.eq_ignore_ascii_case("GIT"))
        .flat_map(|range| &range.events)
        .filter_map(|event| event.fixed.as_deref())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::test_support::{detect_json, fixture, parse_json};
    use super::*;
    use crate::report::Severity;

    /// The parser on a JSON value's bytes.
    fn parse(value: Value) -> Result<Report, ReportError> {
        parse_json(Format::Osv, &value)
    }

    #[test]
    fn go_and_rust_lockfiles() {
        let value = fixture("osv-results-a.json");
        assert_eq!(detect_json(&value), Some(Format::Osv));
        let report = parse(value).expect("parses");
        assert_eq!(report.scanner, "osv-scanner");
        // Three records, two groups: the GHSA and RUSTSEC records for regex are one finding.
        assert_eq!(report.findings.len(), 2);

        let go = &report.findings[0];
        assert_eq!(go.id, "CVE-2021-3121");
        assert_eq!(go.aliases, vec!["GO-2021-0053", "GHSA-c3h9-896r-86jm"]);
        assert_eq!(go.package.name, "github.com/gogo/protobuf");
        assert_eq!(go.package.version.as_deref(), Some("1.3.1"));
        assert_eq!(go.package.ecosystem.as_deref(), Some("Go"));
        assert_eq!(go.severity, Severity::Unknown);
        assert_eq!(go.cvss_score, None);
        assert_eq!(go.fixed_version.as_deref(), Some("1.3.2"));
        assert_eq!(go.targets, vec!["/path/to/go.mod"]);
        assert_eq!(
            go.title.as_deref(),
            Some("Panic due to improper input validation in github.com/gogo/protobuf")
        );
        assert_eq!(
            go.url.as_deref(),
            Some("https://pkg.go.dev/vuln/GO-2021-0053")
        );

        let regex = &report.findings[1];
        assert_eq!(regex.id, "CVE-2022-24713");
        assert_eq!(
            regex.aliases,
            vec!["GHSA-m5pq-gvj9-9vr8", "RUSTSEC-2022-0013"]
        );
        assert_eq!(regex.package.name, "regex");
        assert_eq!(regex.package.version.as_deref(), Some("1.5.1"));
        assert_eq!(regex.package.ecosystem.as_deref(), Some("crates.io"));
        assert_eq!(regex.severity, Severity::High);
        assert_eq!(regex.cvss_score, Some(7.5));
        assert_eq!(regex.fixed_version.as_deref(), Some("1.5.5"));
        assert_eq!(regex.targets, vec!["/path/to/sub-rust-project/Cargo.lock"]);
        assert_eq!(
            regex.title.as_deref(),
            Some("Rust's regex crate vulnerable to regular expression denial of service")
        );
        assert_eq!(
            regex.url.as_deref(),
            Some("https://nvd.nist.gov/vuln/detail/CVE-2022-24713")
        );
    }

    #[test]
    fn malicious_package_without_cve() {
        let value = fixture("osv-some-findings.json");
        assert_eq!(detect_json(&value), Some(Format::Osv));
        let report = parse(value).expect("parses");
        assert_eq!(report.findings.len(), 1);
        let finding = &report.findings[0];
        assert_eq!(finding.id, "MAL-2023-1035");
        assert_eq!(finding.aliases, vec!["GHSA-8348-2q94-ffjx"]);
        assert_eq!(finding.package.name, "flot-axis");
        assert_eq!(finding.package.version.as_deref(), Some("0.0.0"));
        assert_eq!(finding.package.ecosystem.as_deref(), Some("npm"));
        assert_eq!(finding.severity, Severity::Unknown);
        assert_eq!(finding.fixed_version, None);
        assert_eq!(finding.targets, vec!["/tmp/components/yarn.lock"]);
        assert_eq!(
            finding.title.as_deref(),
            Some("Malicious code in flot-axis (npm)")
        );
        assert_eq!(
            finding.url.as_deref(),
            Some("https://github.com/advisories/GHSA-8348-2q94-ffjx")
        );
    }

    fn one_record(record: Value, groups: Value) -> Value {
        json!({"results": [{
            "source": {"path": "requirements.txt", "type": "lockfile"},
            "packages": [{
                "package": {"name": "jinja2", "version": "2.11.2", "ecosystem": "PyPI"},
                "vulnerabilities": [record],
                "groups": groups
            }]
        }]})
    }

    #[test]
    fn a_cve_alias_is_the_id_and_the_vector_the_severity() {
        let record = json!({
            "id": "GHSA-g3rq-g295-4j3m",
            "aliases": ["CVE-2020-28493"],
            "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}],
            "affected": [
                {"package": {"name": "other", "ecosystem": "PyPI"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": "9.9"}]}]},
                {"package": {"name": "Jinja2", "ecosystem": "PyPI"}, "ranges": [
                    {"type": "GIT", "events": [{"fixed": "abc123"}]},
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.11.3"}]}
                ]}
            ],
            "references": null,
            "database_specific": {"severity": null}
        });
        let report = parse(one_record(record, Value::Null)).expect("parses");
        let finding = &report.findings[0];
        assert_eq!(finding.id, "CVE-2020-28493");
        assert_eq!(finding.aliases, vec!["GHSA-g3rq-g295-4j3m"]);
        assert_eq!(finding.severity, Severity::High);
        assert_eq!(finding.cvss_score, Some(7.5));
        assert_eq!(finding.fixed_version.as_deref(), Some("2.11.3"));
        assert_eq!(
            finding.url.as_deref(),
            Some("https://osv.dev/vulnerability/GHSA-g3rq-g295-4j3m")
        );
    }

    #[test]
    fn the_group_score_wins_over_vectors() {
        let record = json!({
            "id": "PYSEC-2021-66",
            "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}]
        });
        let groups = json!([{"ids": ["PYSEC-2021-66"], "max_severity": "5.3"}]);
        let finding = &parse(one_record(record, groups)).expect("parses").findings[0];
        assert_eq!(
            (finding.severity, finding.cvss_score),
            (Severity::Medium, Some(5.3))
        );
    }

    #[test]
    fn empty_and_null_lists() {
        for value in [
            json!({"results": []}),
            json!({"results": null}),
            json!({"results": [{"source": {"path": "a"}, "packages": null}]}),
            json!({"results": [{"source": null, "packages": [{"package": {"name": "a"}, "vulnerabilities": null, "groups": null}]}]}),
        ] {
            assert!(parse(value).expect("parses").findings.is_empty());
        }
        assert_eq!(detect_json(&json!({"results": []})), Some(Format::Osv));
    }

    #[test]
    fn not_osv() {
        match parse(fixture("npm-audit-many.json")) {
            Err(ReportError::Malformed { format, reason }) => {
                assert_eq!(format, Format::Osv);
                assert!(reason.contains("no `results` list"), "{reason}");
            }
            outcome => panic!("{outcome:?}"),
        }
        assert!(matches!(
            parse(
                json!({"results": [{"packages": [{"vulnerabilities": [{"severity": "HIGH"}]}]}]})
            ),
            Err(ReportError::Malformed {
                format: Format::Osv,
                ..
            })
        ));
    }
}
