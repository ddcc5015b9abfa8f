//! Scanner reports: the normalised finding every format is read into, format detection,
//! and merging the same finding found under several targets.

pub mod cvss;
mod encoding;
mod formats;
mod risk;

pub use encoding::json_text;
pub use risk::{Epss, Risk};

#[cfg(test)]
pub(crate) use formats::pick_fixed;

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::names::{self, Named, UnknownName};

/// Normalised severity (docs/reference.md §9), worst last so `max()` finds the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Unknown,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Unknown => "unknown",
        }
    }

    /// A scanner's label: `Negligible` counts as low, `MODERATE`/`moderate` as medium;
    /// anything unrecognised is `None` (the caller may then use a CVSS score).
    pub fn from_label(label: &str) -> Option<Severity> {
        match label.trim().to_ascii_lowercase().as_str() {
            "critical" => Some(Severity::Critical),
            "high" | "important" => Some(Severity::High),
            "medium" | "moderate" => Some(Severity::Medium),
            "low" | "negligible" | "minor" => Some(Severity::Low),
            _ => None,
        }
    }

    /// From a CVSS v3/v4 base score: ≥ 9.0 critical, ≥ 7.0 high, ≥ 4.0 medium, > 0 low.
    pub fn from_score(score: f64) -> Severity {
        if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::Unknown
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl Named for Severity {
    const KIND: &'static str = "severity";

    fn all() -> &'static [Severity] {
        &Severity::ALL
    }

    fn name(self) -> &'static str {
        self.as_str()
    }

    /// Any letter case, surrounding spaces ignored.
    fn canonical(text: &str) -> Cow<'_, str> {
        Cow::Owned(text.trim().to_ascii_lowercase())
    }
}

impl FromStr for Severity {
    type Err = UnknownName;

    fn from_str(text: &str) -> Result<Severity, UnknownName> {
        names::parse(text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Package {
    pub name: String,
    pub version: Option<String>,
    pub ecosystem: Option<String>,
    pub purl: Option<String>,
}

/// KEV facts a report itself carries (Grype's `knownExploited`, Dependency-Check's
/// `knownExploitedVulnerability`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct InlineKev {
    pub date_added: Option<String>,
    pub due_date: Option<String>,
    pub required_action: Option<String>,
    pub known_ransomware_campaign_use: Option<String>,
    pub vendor_project: Option<String>,
    pub product: Option<String>,
    pub vulnerability_name: Option<String>,
}

/// One vulnerability in one package version, whatever scanner found it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The `CVE-` id when the record or its aliases have one, else the advisory id.
    pub id: String,
    /// Every other id the record is known by (GHSA-, RUSTSEC-, PYSEC-, …), without `id`.
    pub aliases: Vec<String>,
    pub package: Package,
    pub severity: Severity,
    pub cvss_score: Option<f64>,
    pub fixed_version: Option<String>,
    pub title: Option<String>,
    pub url: Option<String>,
    /// Files or images the package came from (several when found more than once).
    pub targets: Vec<String>,
    pub kev: Option<InlineKev>,
    /// The EPSS scores of its id or an alias, added after parsing from the EPSS file.
    pub epss: Option<Epss>,
    /// Whether its id or an alias is in the KEV catalog in use (the catalog file, else the
    /// report's own KEV data), added after parsing; stored with the finding for `findings`.
    pub in_kev: bool,
}

impl Finding {
    /// A minimal finding for tests: `id` in `name` `version`, nothing else known.
    #[cfg(test)]
    pub(crate) fn example(id: &str, name: &str, version: &str, severity: Severity) -> Finding {
        Finding {
            id: id.into(),
            aliases: vec![],
            package: Package {
                name: name.into(),
                version: Some(version.into()),
                ..Package::default()
            },
            severity,
            cvss_score: None,
            fixed_version: None,
            title: None,
            url: None,
            targets: vec![],
            kev: None,
            epss: None,
            in_kev: false,
        }
    }

    /// Same vulnerability, package and version: the key findings are merged and tracked by.
    pub fn key(&self) -> (String, String, String) {
        (
            self.id.clone(),
            self.package.name.clone(),
            self.package.version.clone().unwrap_or_default(),
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Trivy,
    Grype,
    Osv,
    Cyclonedx,
    NpmAudit,
    PipAudit,
    CargoAudit,
    Sarif,
    DependencyCheck,
    Snyk,
    Gitlab,
}

impl Format {
    pub const ALL: [Format; 11] = [
        Format::Trivy,
        Format::Grype,
        Format::Osv,
        Format::Cyclonedx,
        Format::NpmAudit,
        Format::PipAudit,
        Format::CargoAudit,
        Format::Sarif,
        Format::DependencyCheck,
        Format::Snyk,
        Format::Gitlab,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Trivy => "trivy",
            Format::Grype => "grype",
            Format::Osv => "osv",
            Format::Cyclonedx => "cyclonedx",
            Format::NpmAudit => "npm-audit",
            Format::PipAudit => "pip-audit",
            Format::CargoAudit => "cargo-audit",
            Format::Sarif => "sarif",
            Format::DependencyCheck => "dependency-check",
            Format::Snyk => "snyk",
            Format::Gitlab => "gitlab",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl Named for Format {
    const KIND: &'static str = "report format";

    fn all() -> &'static [Format] {
        &Format::ALL
    }

    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl FromStr for Format {
    type Err = UnknownName;

    fn from_str(text: &str) -> Result<Format, UnknownName> {
        names::parse(text)
    }
}

/// `--format`: recognise the format from the report's structure, or read it as the one
/// named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatChoice {
    Auto,
    Named(Format),
}

impl FormatChoice {
    const ALL: [FormatChoice; 1 + Format::ALL.len()] = {
        let mut all = [FormatChoice::Auto; 1 + Format::ALL.len()];
        let mut index = 0;
        while index < Format::ALL.len() {
            all[index + 1] = FormatChoice::Named(Format::ALL[index]);
            index += 1;
        }
        all
    };

    /// The format to insist on; `None` to detect it.
    pub fn format(self) -> Option<Format> {
        match self {
            FormatChoice::Auto => None,
            FormatChoice::Named(format) => Some(format),
        }
    }
}

impl Named for FormatChoice {
    const KIND: &'static str = "report format";

    fn all() -> &'static [FormatChoice] {
        &FormatChoice::ALL
    }

    fn name(self) -> &'static str {
        match self {
            FormatChoice::Auto => "auto",
            FormatChoice::Named(format) => format.as_str(),
        }
    }
}

/// A parsed, normalised report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub format: Format,
    /// The scanner's name and version when the report says (`trivy 0.50.1`).
    pub scanner: String,
    pub scanner_version: Option<String>,
    /// The report's own id, when it has one (CycloneDX `serialNumber`, …).
    pub report_id: Option<String>,
    pub packages_scanned: Option<u64>,
    /// Merged: one entry per id + package + version.
    pub findings: Vec<Finding>,
    /// What the reader left out and why, one line each, for stderr (SARIF results that are
    /// not about vulnerable packages, Snyk licence issues, …).
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ReportError {
    #[error("is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("is not a report staxhook recognises (expected Trivy, Grype, OSV-Scanner, CycloneDX with vulnerabilities, SARIF, OWASP Dependency-Check, Snyk, GitLab dependency scanning, npm audit v7+, pip-audit or cargo audit JSON; pass --format to say which)")]
    Unrecognised,
    #[error("is not a valid {format} report: {reason}")]
    Malformed { format: Format, reason: String },
    #[error("is not valid {encoding} text: {reason}")]
    InvalidEncoding {
        encoding: &'static str,
        reason: String,
    },
    #[error("has {lines} line(s) of other text before the JSON starts on line {json_line} (the first: `{first}`); write only the report to the file, with the scanner's output option rather than by redirecting everything it prints")]
    TextBeforeJson {
        lines: usize,
        json_line: usize,
        first: String,
    },
    #[error("is a GitLab `{scan_type}` report; staxhook reads GitLab dependency scanning reports (gl-dependency-scanning-report.json, `scan.type` `dependency_scanning`)")]
    NotDependencyScanning { scan_type: String },
}

/// Reads a report; `format` None means detect it from the structure.
///
/// The bytes may start with a byte-order mark: UTF-8's is skipped, UTF-16's (Windows
/// PowerShell's `>`) decodes the rest. No JSON tree is built: one pass validates the text
/// and reads the few keys detection needs (the skeleton), then the format's types are
/// decoded straight from it.
pub fn parse(bytes: &[u8], format: Option<Format>) -> Result<Report, ReportError> {
    let text = json_text(bytes)?;
    let bytes = text.as_ref();
    let skeleton = formats::Skeleton::read(bytes).map_err(|error| {
        encoding::text_before_json(bytes)
            .unwrap_or_else(|| ReportError::InvalidJson(error.to_string()))
    })?;
    let format = match format {
        Some(format) => format,
        None => formats::detect(&skeleton).ok_or(ReportError::Unrecognised)?,
    };
    let mut report = formats::parse(format, bytes, &skeleton)?;
    report.findings = merge(std::mem::take(&mut report.findings));
    Ok(report)
}

/// Picks the `CVE-` id among `primary` and `aliases` when there is one; returns the id and
/// the other aliases (deduplicated, in order).
pub fn choose_id(primary: &str, aliases: &[String]) -> (String, Vec<String>) {
    let all: Vec<&str> = std::iter::once(primary)
        .chain(aliases.iter().map(String::as_str))
        .collect();
    let id = all
        .iter()
        .find(|candidate| candidate.starts_with("CVE-"))
        .unwrap_or(&primary)
        .to_string();
    let mut others: Vec<String> = Vec::new();
    for candidate in all {
        if candidate != id
            && !candidate.is_empty()
            && !others.iter().any(|known| known == candidate)
        {
            others.push(candidate.to_string());
        }
    }
    (id, others)
}

/// One finding per id + package + version: targets and aliases merged, the worst severity
/// and highest score kept, the first known fix, title and link.
///
/// Done in place: the keys borrow from the findings, and a report without duplicates is
/// returned as it came.
pub fn merge(mut findings: Vec<Finding>) -> Vec<Finding> {
    // For each finding, where its key first occurs.
    let owners: Vec<usize> = {
        let mut first: std::collections::HashMap<(&str, &str, &str), usize> =
            std::collections::HashMap::with_capacity(findings.len());
        findings
            .iter()
            .enumerate()
            .map(|(position, finding)| {
                let key = (
                    finding.id.as_str(),
                    finding.package.name.as_str(),
                    finding.package.version.as_deref().unwrap_or_default(),
                );
                *first.entry(key).or_insert(position)
            })
            .collect()
    };
    if owners
        .iter()
        .enumerate()
        .all(|(position, owner)| position == *owner)
    {
        return findings;
    }
    for (position, &owner) in owners.iter().enumerate() {
        if owner != position {
            let (kept, rest) = findings.split_at_mut(position);
            absorb(&mut kept[owner], &mut rest[0]);
        }
    }
    let mut position = 0;
    findings.retain(|_| {
        let first = owners[position] == position;
        position += 1;
        first
    });
    findings
}

/// Merges `finding` into `known`, a finding with the same key seen earlier.
fn absorb(known: &mut Finding, finding: &mut Finding) {
    for target in std::mem::take(&mut finding.targets) {
        if !known.targets.contains(&target) {
            known.targets.push(target);
        }
    }
    for alias in std::mem::take(&mut finding.aliases) {
        if alias != known.id && !known.aliases.contains(&alias) {
            known.aliases.push(alias);
        }
    }
    known.severity = known.severity.max(finding.severity);
    known.cvss_score = match (known.cvss_score, finding.cvss_score) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    known.fixed_version = known.fixed_version.take().or(finding.fixed_version.take());
    known.title = known.title.take().or(finding.title.take());
    known.url = known.url.take().or(finding.url.take());
    known.kev = known.kev.take().or(finding.kev.take());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_labels_and_scores() {
        assert_eq!(Severity::from_label("Negligible"), Some(Severity::Low));
        assert_eq!(Severity::from_label("MODERATE"), Some(Severity::Medium));
        assert_eq!(Severity::from_label("moderate"), Some(Severity::Medium));
        assert_eq!(Severity::from_label("UNKNOWN"), None);
        assert_eq!(Severity::from_score(9.0), Severity::Critical);
        assert_eq!(Severity::from_score(8.9), Severity::High);
        assert_eq!(Severity::from_score(7.0), Severity::High);
        assert_eq!(Severity::from_score(4.0), Severity::Medium);
        assert_eq!(Severity::from_score(0.1), Severity::Low);
        assert_eq!(Severity::from_score(0.0), Severity::Unknown);
    }

    #[test]
    fn cve_ids_win() {
        let (id, aliases) = choose_id(
            "GHSA-xxxx",
            &["CVE-2021-1".into(), "GHSA-xxxx".into(), "PYSEC-1".into()],
        );
        assert_eq!(id, "CVE-2021-1");
        assert_eq!(aliases, vec!["GHSA-xxxx", "PYSEC-1"]);
        let (id, aliases) = choose_id("RUSTSEC-2020-1", &[]);
        assert_eq!((id.as_str(), aliases.len()), ("RUSTSEC-2020-1", 0));
    }

    fn finding(target: &str, severity: Severity) -> Finding {
        Finding {
            targets: vec![target.into()],
            ..Finding::example("CVE-1", "xz", "5.6.0", severity)
        }
    }

    #[test]
    fn the_same_finding_under_several_targets_is_one() {
        let mut other_version = finding("c", Severity::Low);
        other_version.package.version = Some("5.6.1".into());
        let merged = merge(vec![
            finding("a", Severity::High),
            finding("b", Severity::Critical),
            other_version,
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].targets, vec!["a", "b"]);
        assert_eq!(merged[0].severity, Severity::Critical);
    }

    #[test]
    fn interleaved_duplicates_merge_into_their_first_occurrence() {
        let with = |id: &str, target: &str, title: Option<&str>| Finding {
            id: id.into(),
            title: title.map(str::to_string),
            ..finding(target, Severity::Low)
        };
        let mut late_alias = with("CVE-1", "c", Some("late"));
        late_alias.aliases = vec!["GHSA-1".into(), "CVE-1".into()];
        late_alias.cvss_score = Some(7.5);
        let merged = merge(vec![
            with("CVE-1", "a", None),
            with("CVE-2", "a", Some("two")),
            late_alias,
            with("CVE-3", "b", None),
            with("CVE-2", "b", Some("second")),
            with("CVE-1", "a", Some("later")),
        ]);
        let summary: Vec<(&str, Vec<&str>, Option<&str>)> = merged
            .iter()
            .map(|finding| {
                (
                    finding.id.as_str(),
                    finding.targets.iter().map(String::as_str).collect(),
                    finding.title.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("CVE-1", vec!["a", "c"], Some("late")),
                ("CVE-2", vec!["a", "b"], Some("two")),
                ("CVE-3", vec!["b"], None),
            ]
        );
        assert_eq!(merged[0].aliases, vec!["GHSA-1"]);
        assert_eq!(merged[0].cvss_score, Some(7.5));
    }

    #[test]
    fn a_repeated_key_counts_as_its_last_occurrence() {
        let bytes = br#"{"SchemaVersion": 2, "Results": [{"Target": "a", "Vulnerabilities": [
            {"VulnerabilityID": "CVE-1", "VulnerabilityID": "CVE-2", "PkgName": "p"}]}]}"#;
        let report = parse(bytes, None).expect("parses");
        assert_eq!(report.findings[0].id, "CVE-2");
        let bytes =
            br#"{"dependencies": [{"name": "a", "vulns": [{"id": "X"}]}], "dependencies": null}"#;
        let report = parse(bytes, Some(Format::PipAudit)).expect("parses");
        assert!(report.findings.is_empty());
    }

    /// cargo audit's report as Windows PowerShell 5 writes it (`>` is UTF-16 LE with a
    /// byte-order mark), as big-endian UTF-16, and with a UTF-8 byte-order mark: the same
    /// findings as the file itself, detected or named.
    #[test]
    fn byte_order_marks_and_utf16_read_as_the_plain_report() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/reports/cargo-audit-many.json"
        );
        let plain = std::fs::read(path).expect("fixture");
        let text = String::from_utf8(plain.clone()).expect("UTF-8");
        let expected = parse(&plain, None).expect("parses");
        assert_eq!(expected.findings.len(), 4);
        let mut utf8 = vec![0xEF, 0xBB, 0xBF];
        utf8.extend(&plain);
        let mut little = vec![0xFF, 0xFE];
        little.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut big = vec![0xFE, 0xFF];
        big.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        for bytes in [utf8, little, big] {
            for format in [None, Some(Format::CargoAudit)] {
                assert_eq!(
                    parse(&bytes, format),
                    Ok(expected.clone()),
                    "{:x?}",
                    &bytes[..4]
                );
            }
        }
    }

    #[test]
    fn log_lines_before_the_json_say_so() {
        let report = b"2024-05-01T10:00:00Z INFO Vulnerability scanning is enabled
{\"SchemaVersion\": 2}";
        match parse(report, None) {
            Err(error @ ReportError::TextBeforeJson { .. }) => assert_eq!(
                error.to_string(),
                "has 1 line(s) of other text before the JSON starts on line 2 (the first: `2024-05-01T10:00:00Z INFO Vulnerability scanning is enabled`); write only the report to the file, with the scanner's output option rather than by redirecting everything it prints"
            ),
            outcome => panic!("{outcome:?}"),
        }
    }

    #[test]
    fn broken_json_is_invalid_whatever_the_format() {
        for format in [None, Some(Format::Trivy), Some(Format::PipAudit)] {
            for broken in [
                &b"{\"SchemaVersion\": 2,"[..],
                b"{} x",
                b"{\"a\": \"\xff\"}",
            ] {
                assert!(
                    matches!(parse(broken, format), Err(ReportError::InvalidJson(_))),
                    "{format:?} {broken:?}"
                );
            }
        }
    }
}
