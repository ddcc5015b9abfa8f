//! GitLab's dependency scanning report (`gl-dependency-scanning-report.json`): the old
//! `version` 2.x/3.x and schema 14.x/15.x, written by Gemnasium and by other scanners
//! that feed GitLab (Sonatype, Trivy's GitLab template, …).

use serde::Deserialize;

use super::skeleton::Kind;
use super::{
    decode, headline, not_this_format, nullable, pick_fixed, text, upgrade_versions, worst_label,
    Skeleton,
};
use crate::report::{choose_id, Finding, Format, Package, Report, ReportError, Severity};

/// The category, and `scan.type`, of the reports this reads.
const DEPENDENCY_SCANNING: &str = "dependency_scanning";

/// A `scan.type` beside `vulnerabilities`, or (before `scan` existed) vulnerabilities with
/// a `location` and `identifiers`.
pub fn recognises(skeleton: &Skeleton) -> bool {
    let fields = &skeleton.fields;
    let vulnerabilities = &fields.vulnerabilities;
    let listed = matches!(
        vulnerabilities.kind,
        Kind::Array | Kind::Absent | Kind::Null
    );
    (fields.scan_type.is_some() && listed)
        || (vulnerabilities.kind == Kind::Array
            && vulnerabilities.first.location
            && vulnerabilities.first.identifiers)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct GitlabReport {
    #[serde(deserialize_with = "nullable")]
    vulnerabilities: Vec<Vulnerability>,
    #[serde(deserialize_with = "nullable")]
    scan: Scan,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Scan {
    #[serde(rename = "type", deserialize_with = "nullable")]
    kind: String,
    #[serde(deserialize_with = "nullable")]
    scanner: Scanner,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Scanner {
    #[serde(deserialize_with = "nullable")]
    name: String,
    #[serde(deserialize_with = "nullable")]
    version: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Vulnerability {
    /// `dependency_scanning` in reports before `scan` was added (2.x).
    #[serde(deserialize_with = "nullable")]
    category: String,
    #[serde(deserialize_with = "nullable")]
    name: String,
    #[serde(deserialize_with = "nullable")]
    message: String,
    #[serde(deserialize_with = "nullable")]
    description: String,
    /// Before schema 15 a "compare key", which is a CVE id only sometimes.
    #[serde(deserialize_with = "nullable")]
    cve: String,
    #[serde(deserialize_with = "nullable")]
    severity: String,
    /// Prose such as `Upgrade to version 2.2.3 or above.`
    #[serde(deserialize_with = "nullable")]
    solution: String,
    #[serde(deserialize_with = "nullable")]
    identifiers: Vec<Identifier>,
    #[serde(deserialize_with = "nullable")]
    links: Vec<Link>,
    #[serde(deserialize_with = "nullable")]
    location: Location,
    /// Where the scanner was named before `scan` existed.
    #[serde(deserialize_with = "nullable")]
    scanner: Scanner,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Identifier {
    #[serde(rename = "type", deserialize_with = "nullable")]
    kind: String,
    #[serde(deserialize_with = "nullable")]
    value: String,
    #[serde(deserialize_with = "nullable")]
    url: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Link {
    #[serde(deserialize_with = "nullable")]
    url: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Location {
    #[serde(deserialize_with = "nullable")]
    file: String,
    #[serde(deserialize_with = "nullable")]
    dependency: Dependency,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Dependency {
    #[serde(deserialize_with = "nullable")]
    package: PackageName,
    #[serde(deserialize_with = "nullable")]
    version: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PackageName {
    #[serde(deserialize_with = "nullable")]
    name: String,
}

pub fn parse(bytes: &[u8], skeleton: &Skeleton) -> Result<Report, ReportError> {
    let fields = &skeleton.fields;
    if !skeleton.is_object()
        || (fields.scan_type.is_none() && fields.vulnerabilities.kind != Kind::Array)
    {
        return Err(not_this_format(
            Format::Gitlab,
            skeleton,
            "no `scan.type` or `vulnerabilities` list",
        ));
    }
    if let Some(kind) = fields.scan_type.as_deref() {
        if kind != DEPENDENCY_SCANNING {
            return Err(ReportError::NotDependencyScanning {
                scan_type: kind.to_string(),
            });
        }
    }
    let report: GitlabReport = decode(Format::Gitlab, bytes, skeleton)?;
    // Reports from before `scan` say what they are per vulnerability.
    if let Some(other) = report.vulnerabilities.iter().find(|vulnerability| {
        !vulnerability.category.is_empty() && vulnerability.category != DEPENDENCY_SCANNING
    }) {
        return Err(ReportError::NotDependencyScanning {
            scan_type: other.category.clone(),
        });
    }
    let mut findings = Vec::with_capacity(report.vulnerabilities.len());
    let mut without_package = 0_usize;
    for vulnerability in &report.vulnerabilities {
        match finding(vulnerability) {
            Some(finding) => findings.push(finding),
            None => without_package += 1,
        }
    }
    let notes = if without_package > 0 {
        vec![format!(
            "{without_package} GitLab vulnerabilities name no dependency (`location.dependency.package.name`) and were skipped"
        )]
    } else {
        Vec::new()
    };
    let scanner = [&report.scan.scanner]
        .into_iter()
        .chain(
            report
                .vulnerabilities
                .iter()
                .map(|vulnerability| &vulnerability.scanner),
        )
        .find(|scanner| !scanner.name.trim().is_empty());
    Ok(Report {
        format: Format::Gitlab,
        scanner: scanner
            .and_then(|scanner| text(scanner.name.as_str()))
            .unwrap_or_else(|| "gitlab".into()),
        scanner_version: scanner.and_then(|scanner| text(scanner.version.as_str())),
        report_id: None,
        packages_scanned: None,
        findings,
        notes,
    })
}

/// The id is the CVE among the identifiers; else the last advisory identifier, because the
/// first is often the analyser's own record id (a Gemnasium UUID, a Sonatype hash) and a
/// later one the public advisory (`sonatype-2019-0673`, a GHSA). Weakness identifiers (CWE,
/// OWASP) are not ids of the vulnerability.
fn finding(vulnerability: &Vulnerability) -> Option<Finding> {
    let dependency = &vulnerability.location.dependency;
    let name = text(dependency.package.name.as_str())?;
    let advisories: Vec<String> = vulnerability
        .identifiers
        .iter()
        .filter(|identifier| {
            !["cwe", "owasp"]
                .iter()
                .any(|weakness| identifier.kind.eq_ignore_ascii_case(weakness))
        })
        .map(|identifier| identifier.value.trim().to_string())
        .chain(Some(vulnerability.cve.trim().to_string()).filter(|cve| cve.starts_with("CVE-")))
        .filter(|value| !value.is_empty())
        .collect();
    let primary = advisories.last()?.clone();
    let (id, aliases) = choose_id(&primary, &advisories);
    let version = text(dependency.version.as_str());
    let fixes = upgrade_versions(&vulnerability.solution);
    let fixed_version = pick_fixed(version.as_deref(), fixes.iter().map(String::as_str));
    let url = vulnerability
        .identifiers
        .iter()
        .find(|identifier| identifier.value.trim() == id)
        .and_then(|identifier| text(identifier.url.as_str()))
        .or_else(|| {
            vulnerability
                .links
                .iter()
                .find_map(|link| text(link.url.as_str()))
        });
    let title = text(vulnerability.name.as_str())
        .or_else(|| text(vulnerability.message.as_str()))
        .or_else(|| headline(&vulnerability.description));
    Some(Finding {
        id,
        aliases,
        package: Package {
            name,
            version,
            ecosystem: None,
            purl: None,
        },
        severity: worst_label([vulnerability.severity.as_str()]).unwrap_or(Severity::Unknown),
        cvss_score: None,
        fixed_version,
        title,
        url,
        targets: text(vulnerability.location.file.as_str())
            .into_iter()
            .collect(),
        kev: None,
    })
}
