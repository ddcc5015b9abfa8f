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
    let projects: Vec<Project> = match skeleton.kind {
        Kind::Array => decode(Format::Snyk, bytes, skeleton)?,
        Kind::Object if skeleton.fields.vulnerabilities.kind == Kind::Array => {
            vec![decode(Format::Snyk, bytes, skeleton)?]
        }
        _ => {
            return Err(not_this_format(
                Format::Snyk,
                skeleton,
                "no `vulnerabilities` list",
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
    }
}
