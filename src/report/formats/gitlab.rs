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
    let located = fields.vulnerabilities.kind == Kind::Array
        && (fields.vulnerabilities.len == 0 || fields.vulnerabilities.first.location);
    if !skeleton.is_object() || (fields.scan_type.is_none() && !located) {
        return Err(not_this_format(
            Format::Gitlab,
            skeleton,
            "no `scan.type`, nor `vulnerabilities` with a `location`",
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
        epss: None,
        in_kev: false,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::super::test_support::{detect_json, fixture, parse_json, rows};
    use super::*;

    fn parse(value: Value) -> Result<Report, ReportError> {
        parse_json(Format::Gitlab, &value)
    }

    #[test]
    fn gemnasium_version_3() {
        let value = fixture("gitlab-dependency-scanning-many.json");
        assert_eq!(detect_json(&value), Some(Format::Gitlab));
        let report = parse(value).expect("parses");
        assert_eq!(
            (report.scanner.as_str(), report.scanner_version.as_deref()),
            ("Gemnasium", Some("2.24.1"))
        );
        let found = rows(&report);
        let crypto_fix = Some("v0.0.0-20201216223049-8b5274cf687f");
        assert_eq!(
            found,
            vec![
                (
                    "CVE-2020-29652",
                    "golang.org/x/crypto",
                    Some("v0.0.0-20190219172222-a4c6cb3142f2"),
                    Severity::High,
                    crypto_fix
                ),
                (
                    "CVE-2020-29652",
                    "golang.org/x/crypto",
                    Some("v0.0.0-20190308221718-c2843e01d9a2"),
                    Severity::High,
                    crypto_fix
                ),
                (
                    "CVE-2020-29652",
                    "golang.org/x/crypto",
                    Some("v0.0.0-20200302210943-78000ba7a073"),
                    Severity::High,
                    crypto_fix
                ),
                (
                    "CVE-2020-14040",
                    "golang.org/x/text",
                    Some("v0.3.0"),
                    Severity::High,
                    Some("0.3.3")
                ),
                (
                    "CVE-2020-14040",
                    "golang.org/x/text",
                    Some("v0.3.2"),
                    Severity::High,
                    Some("0.3.3")
                ),
                // Only Gemnasium's own id, and severity `Unknown`.
                (
                    "7368f513-0aa9-4e34-a08d-40ea81f48e0e",
                    "gopkg.in/yaml.v2",
                    Some("v2.2.2"),
                    Severity::Unknown,
                    Some("2.2.3")
                ),
            ]
        );
        let text = &report.findings[3];
        assert_eq!(text.aliases, vec!["8ab0265a-d1a9-4085-a661-0d9d9931f0ad"]);
        assert_eq!(text.targets, vec!["service/go.sum"]);
        assert_eq!(text.cvss_score, None);
    }

    #[test]
    fn sonatype_schema_15() {
        let value = fixture("gitlab-dependency-scanning-sonatype.json");
        assert_eq!(detect_json(&value), Some(Format::Gitlab));
        let report = parse(value).expect("parses");
        assert_eq!(report.scanner, "Sonatype Vulnerability Scanner");
        assert_eq!(report.scanner_version.as_deref(), Some("1.183.0-01"));
        assert_eq!(report.findings.len(), 28);
        let count = |severity: Severity| {
            report
                .findings
                .iter()
                .filter(|finding| finding.severity == severity)
                .count()
        };
        assert_eq!(
            [Severity::Critical, Severity::High, Severity::Low].map(count),
            [9, 11, 8]
        );
        let first = &report.findings[0];
        assert_eq!(first.id, "CVE-2013-1624");
        assert_eq!(first.aliases, vec!["960fcd4ca16f4578b2f087560df6a09c"]);
        assert_eq!(first.package.name, "bcprov-jdk15");
        assert_eq!(first.package.version.as_deref(), Some("140"));
        assert_eq!(first.severity, Severity::High);
        // "We recommend upgrading to a version of this component that is not vulnerable":
        // no version named.
        assert_eq!(first.fixed_version, None);
        assert_eq!(
            first.url.as_deref(),
            Some("https://nvd.nist.gov/vuln/detail/CVE-2013-1624")
        );
        // Without a CVE, Sonatype's public id rather than its internal hash.
        let advisory = &report.findings[9];
        assert_eq!(advisory.id, "sonatype-2009-0035");
        assert_eq!(advisory.aliases, vec!["c33b1662c9d14e75a5a19c15f01d1455"]);
        let jackson = report
            .findings
            .iter()
            .find(|finding| finding.id == "CVE-2020-36518")
            .expect("jackson-databind");
        assert_eq!(
            (jackson.package.name.as_str(), jackson.severity),
            ("jackson-databind", Severity::Critical)
        );
    }

    #[test]
    fn another_scan_type_is_refused() {
        let value = fixture("gitlab-container-scanning-1-vuln.json");
        assert_eq!(detect_json(&value), Some(Format::Gitlab));
        let error = parse(value).expect_err("container scanning");
        assert_eq!(
            error.to_string(),
            "is a GitLab `container_scanning` report; staxhook reads GitLab dependency scanning reports (gl-dependency-scanning-report.json, `scan.type` `dependency_scanning`)"
        );
        let sast = json!({"version": "2.0", "vulnerabilities": [
            {"category": "sast", "name": "x", "identifiers": [], "location": {"file": "a.py"}}
        ]});
        assert_eq!(detect_json(&sast), Some(Format::Gitlab));
        assert!(matches!(
            parse(sast),
            Err(ReportError::NotDependencyScanning { scan_type }) if scan_type == "sast"
        ));
    }

    #[test]
    fn version_2_without_scan_and_a_missing_package() {
        let value = json!({
            "version": "2.0",
            "vulnerabilities": [
                {
                    "category": "dependency_scanning",
                    "name": "Regular Expression Denial of Service",
                    "cve": "yarn.lock:debug:gemnasium:37283ed4-0380-40d7-ada7-2d994afcc62a",
                    "severity": "Medium",
                    "solution": "Upgrade to versions 2.6.9, 3.1.0 or above.",
                    "scanner": {"id": "gemnasium", "name": "Gemnasium"},
                    "location": {"file": "yarn.lock", "dependency": {"package": {"name": "debug"}, "version": "3.0.1"}},
                    "identifiers": [
                        {"type": "gemnasium", "name": "Gemnasium-37283ed4", "value": "37283ed4-0380-40d7-ada7-2d994afcc62a"},
                        {"type": "cwe", "name": "CWE-400", "value": "400"}
                    ],
                    "links": [{"url": "https://github.com/visionmedia/debug/issues/501"}]
                },
                {
                    "category": "dependency_scanning",
                    "severity": "High",
                    "location": {"file": "yarn.lock"},
                    "identifiers": [{"type": "cve", "value": "CVE-2020-1"}]
                }
            ]
        });
        assert_eq!(detect_json(&value), Some(Format::Gitlab));
        let report = parse(value).expect("parses");
        assert_eq!(report.scanner, "Gemnasium");
        assert_eq!(report.findings.len(), 1);
        let finding = &report.findings[0];
        assert_eq!(finding.id, "37283ed4-0380-40d7-ada7-2d994afcc62a");
        assert_eq!(finding.severity, Severity::Medium);
        // 2.6.9 is for the 2.x line; 3.1.0 upgrades 3.0.1.
        assert_eq!(finding.fixed_version.as_deref(), Some("3.1.0"));
        assert_eq!(
            finding.url.as_deref(),
            Some("https://github.com/visionmedia/debug/issues/501")
        );
        assert_eq!(
            report.notes,
            vec!["1 GitLab vulnerabilities name no dependency (`location.dependency.package.name`) and were skipped"]
        );
    }

    #[test]
    fn not_gitlab() {
        match parse(fixture("snyk-one-vuln-ampersands.json")) {
            Err(ReportError::Malformed { format, reason }) => {
                assert_eq!(format, Format::Gitlab);
                assert!(reason.contains("looks like a snyk report"), "{reason}");
            }
            outcome => panic!("{outcome:?}"),
        }
        let clean = json!({"version": "15.0.7", "scan": {"type": "dependency_scanning"}, "vulnerabilities": []});
        assert_eq!(detect_json(&clean), Some(Format::Gitlab));
        assert!(parse(clean).expect("parses").findings.is_empty());
    }
}
