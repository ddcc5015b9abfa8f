//! Snyk's JSON (`snyk test --json`, `snyk container test --json`): one project, or the
//! list of projects `--all-projects` writes. A container scan lists the image's own
//! vulnerabilities and, under `applications`, those of the applications found in it.

use serde::Deserialize;

use super::skeleton::Kind;
use super::{
    decode, headline, highest_score, not_this_format, nullable, pick_fixed, severity, text,
    worst_label, Rating, Skeleton,
};
use crate::report::{choose_id, Finding, Format, Package, Report, ReportError};

/// A `vulnerabilities` list whose items have `packageName` (or an empty one beside
/// `packageManager`), or a list of such projects.
pub fn recognises(skeleton: &Skeleton) -> bool {
    let fields = &skeleton.fields;
    if skeleton.kind == Kind::Array {
        let items = &skeleton.items;
        return items.len > 0 && items.first.vulnerabilities && items.first.package_manager;
    }
    let vulnerabilities = &fields.vulnerabilities;
    vulnerabilities.kind == Kind::Array
        && (vulnerabilities.first.package_name
            || (vulnerabilities.len == 0 && fields.package_manager.is_present()))
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Project {
    #[serde(deserialize_with = "nullable")]
    vulnerabilities: Vec<Vulnerability>,
    /// A container scan's applications, each shaped like a project.
    #[serde(deserialize_with = "nullable")]
    applications: Vec<Project>,
    #[serde(deserialize_with = "nullable")]
    display_target_file: String,
    #[serde(deserialize_with = "nullable")]
    target_file: String,
    #[serde(deserialize_with = "nullable")]
    path: String,
    #[serde(deserialize_with = "nullable")]
    package_manager: String,
    dependency_count: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Vulnerability {
    #[serde(deserialize_with = "nullable")]
    id: String,
    /// `license` for licence issues, which are not vulnerabilities.
    #[serde(rename = "type", deserialize_with = "nullable")]
    kind: String,
    #[serde(deserialize_with = "nullable")]
    title: String,
    #[serde(deserialize_with = "nullable")]
    description: String,
    #[serde(deserialize_with = "nullable")]
    severity: String,
    cvss_score: Option<f64>,
    #[serde(rename = "CVSSv3", deserialize_with = "nullable")]
    cvss_vector: String,
    #[serde(deserialize_with = "nullable")]
    identifiers: Identifiers,
    #[serde(deserialize_with = "nullable")]
    package_name: String,
    #[serde(deserialize_with = "nullable")]
    version: String,
    #[serde(deserialize_with = "nullable")]
    fixed_in: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    package_manager: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Identifiers {
    #[serde(rename = "CVE", deserialize_with = "nullable")]
    cve: Vec<String>,
    #[serde(rename = "GHSA", deserialize_with = "nullable")]
    ghsa: Vec<String>,
}

pub fn parse(bytes: &[u8], skeleton: &Skeleton) -> Result<Report, ReportError> {
    // Checked on the skeleton: CycloneDX's and GitLab's `vulnerabilities` lists would
    // otherwise decode as vulnerabilities without packages.
    let vulnerabilities = &skeleton.fields.vulnerabilities;
    let projects: Vec<Project> = match skeleton.kind {
        Kind::Array if skeleton.items.first.vulnerabilities => {
            decode(Format::Snyk, bytes, skeleton)?
        }
        Kind::Object
            if vulnerabilities.kind == Kind::Array
                && (vulnerabilities.len == 0 || vulnerabilities.first.package_name) =>
        {
            vec![decode(Format::Snyk, bytes, skeleton)?]
        }
        _ => {
            return Err(not_this_format(
                Format::Snyk,
                skeleton,
                "no `vulnerabilities` list with `packageName`",
            ))
        }
    };
    let mut findings = Vec::new();
    let mut licences = 0_usize;
    let mut scanned: Option<u64> = None;
    let all = projects
        .iter()
        .flat_map(|project| std::iter::once(project).chain(&project.applications));
    for project in all {
        if let Some(count) = project.dependency_count {
            scanned = Some(scanned.unwrap_or(0) + count);
        }
        let target = [
            &project.display_target_file,
            &project.target_file,
            &project.path,
        ]
        .into_iter()
        .find_map(|candidate| text(candidate.as_str()));
        for vulnerability in &project.vulnerabilities {
            if vulnerability.kind.eq_ignore_ascii_case("license") {
                licences += 1;
                continue;
            }
            if vulnerability.id.trim().is_empty() {
                continue;
            }
            findings.push(finding(vulnerability, project, target.as_deref()));
        }
    }
    let notes = if licences > 0 {
        vec![format!(
            "{licences} Snyk licence issues are not vulnerabilities and were skipped"
        )]
    } else {
        Vec::new()
    };
    Ok(Report {
        format: Format::Snyk,
        scanner: "snyk".into(),
        scanner_version: None,
        report_id: None,
        packages_scanned: scanned,
        findings,
        notes,
    })
}

fn finding(vulnerability: &Vulnerability, project: &Project, target: Option<&str>) -> Finding {
    let others: Vec<String> = vulnerability
        .identifiers
        .cve
        .iter()
        .chain(&vulnerability.identifiers.ghsa)
        .cloned()
        .collect();
    let (id, aliases) = choose_id(vulnerability.id.trim(), &others);
    let cvss_score = highest_score([Rating {
        score: vulnerability.cvss_score,
        vector: Some(vulnerability.cvss_vector.as_str()),
    }]);
    let version = text(vulnerability.version.as_str());
    let fixed_version = pick_fixed(
        version.as_deref(),
        vulnerability.fixed_in.iter().map(String::as_str),
    );
    let ecosystem = text(vulnerability.package_manager.as_str())
        .or_else(|| text(project.package_manager.as_str()));
    Finding {
        id,
        aliases,
        package: Package {
            name: vulnerability.package_name.clone(),
            version,
            ecosystem,
            purl: None,
        },
        severity: severity(worst_label([vulnerability.severity.as_str()]), cvss_score),
        cvss_score,
        fixed_version,
        title: text(vulnerability.title.as_str()).or_else(|| headline(&vulnerability.description)),
        url: Some(format!(
            "https://security.snyk.io/vuln/{}",
            vulnerability.id.trim()
        )),
        targets: target.map(str::to_string).into_iter().collect(),
        kev: None,
        epss: None,
        in_kev: false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::super::test_support::{detect_json, fixture, fixture_bytes, parse_json};
    use super::*;
    use crate::report::Severity;

    fn parse(value: Value) -> Result<Report, ReportError> {
        parse_json(Format::Snyk, &value)
    }

    #[test]
    fn all_projects_merge_repeats() {
        let value = fixture("snyk-all-projects-many.json");
        assert_eq!(detect_json(&value), Some(Format::Snyk));
        // Four vulnerabilities in three projects; CVE-2020-8908 in guava 29.0-jre twice.
        assert_eq!(parse(value).expect("parses").findings.len(), 4);
        let report = crate::report::parse(&fixture_bytes("snyk-all-projects-many.json"), None)
            .expect("parses");
        assert_eq!(report.scanner, "snyk");
        assert_eq!(report.findings.len(), 3);
        let first = &report.findings[0];
        assert_eq!(first.id, "CVE-2020-8908");
        assert_eq!(first.aliases, vec!["SNYK-JAVA-COMGOOGLEGUAVA-1015415"]);
        assert_eq!(first.package.name, "com.google.guava:guava");
        assert_eq!(first.package.version.as_deref(), Some("29.0-jre"));
        assert_eq!(first.package.ecosystem.as_deref(), Some("maven"));
        assert_eq!(first.severity, Severity::Medium);
        assert_eq!(first.cvss_score, Some(5.5));
        assert_eq!(first.targets, vec!["pom.xml", "project-b\\pom.xml"]);
        assert_eq!(first.title.as_deref(), Some("Information Disclosure"));
        let older = &report.findings[2];
        assert_eq!(older.id, "CVE-2018-10237");
        assert_eq!(older.package.version.as_deref(), Some("22.0"));
        assert_eq!(
            older.aliases,
            vec!["SNYK-JAVA-COMGOOGLEGUAVA-32236", "GHSA-mvr2-9pj6-7w5j"]
        );
        assert_eq!(older.fixed_version.as_deref(), Some("24.1.1-android"));
    }

    #[test]
    fn container_with_applications() {
        let value = fixture("snyk-container-epss.json");
        assert_eq!(detect_json(&value), Some(Format::Snyk));
        let report = parse(value).expect("parses");
        // One vulnerability of the image, twelve of the application inside it.
        assert_eq!(report.findings.len(), 13);
        let image = &report.findings[0];
        assert_eq!(image.id, "CVE-2023-4039");
        assert_eq!(image.package.name, "gcc-10");
        assert_eq!(image.package.version.as_deref(), Some("10.2.1-6"));
        assert_eq!(image.severity, Severity::Low);
        assert_eq!(image.fixed_version, None);
        let critical: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|finding| finding.severity == Severity::Critical)
            .collect();
        assert_eq!(critical.len(), 1);
        // No CVE: the Snyk id.
        assert_eq!(critical[0].id, "SNYK-JS-SANITIZEHTML-585892");
        assert_eq!(critical[0].package.name, "sanitize-html");
        assert_eq!(critical[0].package.version.as_deref(), Some("1.4.2"));
        assert_eq!(critical[0].cvss_score, Some(9.4));
        assert_eq!(critical[0].fixed_version.as_deref(), Some("2.0.0-beta"));
        assert_eq!(critical[0].targets, vec!["/juice-shop/package.json"]);
        let jwt = report
            .findings
            .iter()
            .find(|finding| finding.id == "CVE-2015-9235")
            .expect("jsonwebtoken");
        assert_eq!(jwt.package.name, "jsonwebtoken");
        assert_eq!(jwt.severity, Severity::High);
        assert_eq!(jwt.fixed_version.as_deref(), Some("4.2.2"));
        assert_eq!(
            jwt.aliases,
            vec!["npm:jsonwebtoken:20150331", "GHSA-c7hr-j4mj-j2w6"]
        );
    }

    #[test]
    fn one_critical_without_a_cve() {
        let value = fixture("snyk-one-vuln-ampersands.json");
        assert_eq!(detect_json(&value), Some(Format::Snyk));
        let report = parse(value).expect("parses");
        assert_eq!(report.findings.len(), 1);
        let finding = &report.findings[0];
        assert_eq!(finding.id, "SNYK-JS-LODASH-590103");
        assert!(finding.aliases.is_empty());
        assert_eq!(finding.package.name, "lodash");
        assert_eq!(finding.package.version.as_deref(), Some("4.17.13"));
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(finding.cvss_score, Some(9.8));
        assert_eq!(finding.fixed_version.as_deref(), Some("4.17.20"));
        assert_eq!(
            finding.url.as_deref(),
            Some("https://security.snyk.io/vuln/SNYK-JS-LODASH-590103")
        );
    }

    #[test]
    fn licence_issues_and_null_identifiers() {
        let value = json!({
            "ok": false,
            "packageManager": "npm",
            "dependencyCount": 12,
            "vulnerabilities": [
                {"id": "snyk:lic:npm:left-pad:WTFPL", "type": "license", "packageName": "left-pad", "version": "1.3.0", "severity": "medium"},
                {"id": "SNYK-JS-X-1", "packageName": "x", "version": "1.0.0", "severity": "unknown", "identifiers": null,
                 "CVSSv3": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "cvssScore": null, "fixedIn": null}
            ]
        });
        assert_eq!(detect_json(&value), Some(Format::Snyk));
        let report = parse(value).expect("parses");
        assert_eq!(report.packages_scanned, Some(12));
        assert_eq!(report.findings.len(), 1);
        let finding = &report.findings[0];
        // The label says nothing; the vector computes to 9.8.
        assert_eq!(
            (finding.severity, finding.cvss_score),
            (Severity::Critical, Some(9.8))
        );
        assert_eq!(
            report.notes,
            vec!["1 Snyk licence issues are not vulnerabilities and were skipped"]
        );
        let clean = json!({"ok": true, "packageManager": "pip", "vulnerabilities": []});
        assert_eq!(detect_json(&clean), Some(Format::Snyk));
        assert!(parse(clean).expect("parses").findings.is_empty());
    }

    #[test]
    fn not_snyk() {
        for (name, other) in [
            ("cyclonedx-trivy-pom.json", "cyclonedx"),
            ("gitlab-dependency-scanning-many.json", "gitlab"),
        ] {
            match parse(fixture(name)) {
                Err(ReportError::Malformed { format, reason }) => {
                    assert_eq!(format, Format::Snyk);
                    assert!(reason.contains("with `packageName`"), "{reason}");
                    assert!(
                        reason.contains(&format!("looks like a {other} report")),
                        "{reason}"
                    );
                }
                outcome => panic!("{name}: {outcome:?}"),
            }
        }
    }
}
