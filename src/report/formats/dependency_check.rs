//! OWASP Dependency-Check's JSON report (`dependency-check --format JSON`, `reportSchema`
//! 1.x): `dependencies[].vulnerabilities[]`.

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::skeleton::Kind;
use super::{
    decode, headline, highest_score, not_this_format, nullable, purl_parts, severity, text,
    worst_label, Rating, Skeleton,
};
use crate::report::{Finding, Format, InlineKev, Package, Report, ReportError};

/// `reportSchema` with a `dependencies` list (or none, for a project without any).
pub fn recognises(skeleton: &Skeleton) -> bool {
    let fields = &skeleton.fields;
    fields.report_schema.is_present()
        && matches!(
            fields.dependencies.kind,
            Kind::Array | Kind::Absent | Kind::Null
        )
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct CheckReport {
    #[serde(deserialize_with = "nullable")]
    scan_info: ScanInfo,
    #[serde(deserialize_with = "nullable")]
    dependencies: Vec<Dependency>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ScanInfo {
    #[serde(deserialize_with = "nullable")]
    engine_version: String,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Dependency {
    /// `name:version` for the virtual dependencies of lock files, the file's name
    /// otherwise.
    #[serde(deserialize_with = "nullable")]
    file_name: String,
    #[serde(deserialize_with = "nullable")]
    file_path: String,
    is_virtual: Option<bool>,
    /// The package URLs the dependency was identified as.
    #[serde(deserialize_with = "nullable")]
    packages: Vec<Identifier>,
    #[serde(deserialize_with = "nullable")]
    vulnerabilities: Vec<Vulnerability>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Identifier {
    #[serde(deserialize_with = "nullable")]
    id: String,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Vulnerability {
    #[serde(deserialize_with = "nullable")]
    name: String,
    /// `CRITICAL`, `high`, `MODERATE`, …: the case varies with the source.
    #[serde(deserialize_with = "nullable")]
    severity: String,
    #[serde(deserialize_with = "nullable")]
    cvssv3: Cvss,
    #[serde(deserialize_with = "nullable")]
    cvssv4: Cvss,
    #[serde(deserialize_with = "nullable")]
    description: String,
    #[serde(deserialize_with = "nullable")]
    references: Vec<Reference>,
    #[serde(deserialize_with = "nullable")]
    vulnerable_software: Vec<VulnerableSoftware>,
    known_exploited_vulnerability: Option<KnownExploited>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Cvss {
    base_score: Option<f64>,
    #[serde(deserialize_with = "nullable")]
    base_severity: String,
    #[serde(deserialize_with = "nullable")]
    vector_string: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Reference {
    #[serde(deserialize_with = "nullable")]
    url: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct VulnerableSoftware {
    #[serde(deserialize_with = "nullable")]
    software: Software,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Software {
    /// A CPE 2.3 name: `cpe:2.3:a:VENDOR:PRODUCT:…`.
    #[serde(deserialize_with = "nullable")]
    id: String,
    /// Written (as `"true"`) only on the CPE the dependency matched.
    vulnerability_id_matched: Option<IgnoredAny>,
    #[serde(deserialize_with = "nullable")]
    version_end_excluding: String,
}

/// The CISA KEV entry Dependency-Check attaches, keys as the catalog's but capitalised.
#[derive(Deserialize, Default)]
#[serde(default)]
struct KnownExploited {
    #[serde(alias = "VendorProject", alias = "vendorProject")]
    vendor_project: Option<String>,
    #[serde(alias = "Product", alias = "product")]
    product: Option<String>,
    #[serde(alias = "Name", alias = "name", alias = "vulnerabilityName")]
    name: Option<String>,
    #[serde(alias = "DateAdded", alias = "dateAdded")]
    date_added: Option<String>,
    #[serde(alias = "RequiredAction", alias = "requiredAction")]
    required_action: Option<String>,
    #[serde(alias = "DueDate", alias = "dueDate")]
    due_date: Option<String>,
    #[serde(
        alias = "KnownRansomwareCampaignUse",
        alias = "knownRansomwareCampaignUse"
    )]
    known_ransomware_campaign_use: Option<String>,
}

pub fn parse(bytes: &[u8], skeleton: &Skeleton) -> Result<Report, ReportError> {
    if !skeleton.is_object() || !skeleton.fields.report_schema.is_present() {
        return Err(not_this_format(
            Format::DependencyCheck,
            skeleton,
            "no `reportSchema`",
        ));
    }
    let report: CheckReport = decode(Format::DependencyCheck, bytes, skeleton)?;
    let packages_scanned = Some(report.dependencies.len() as u64);
    let mut findings = Vec::new();
    for dependency in &report.dependencies {
        if dependency.vulnerabilities.is_empty() {
            continue;
        }
        let package = package(dependency);
        let target =
            text(dependency.file_path.as_str()).or_else(|| text(dependency.file_name.as_str()));
        for vulnerability in &dependency.vulnerabilities {
            if vulnerability.name.trim().is_empty() {
                continue;
            }
            findings.push(finding(vulnerability, &package, target.as_deref()));
        }
    }
    Ok(Report {
        format: Format::DependencyCheck,
        scanner: "dependency-check".into(),
        scanner_version: text(report.scan_info.engine_version),
        report_id: None,
        packages_scanned,
        findings,
        notes: Vec::new(),
    })
}

/// The dependency's package: from its first package URL; else `name:version` of a virtual
/// dependency; else the file name, split before a `-1.2.3` version.
fn package(dependency: &Dependency) -> Package {
    let purl = dependency
        .packages
        .iter()
        .find_map(|identifier| text(identifier.id.as_str()).filter(|id| id.starts_with("pkg:")));
    if let Some((ecosystem, name, version)) = purl.as_deref().and_then(purl_parts) {
        return Package {
            name,
            version,
            ecosystem: Some(ecosystem),
            purl,
        };
    }
    let file = dependency.file_name.trim();
    let (name, version) = match (dependency.is_virtual, file.rsplit_once(':')) {
        (Some(true), Some((name, version))) => (name.to_string(), text(version)),
        _ => file_name_parts(file),
    };
    Package {
        name,
        version,
        ecosystem: None,
        purl: None,
    }
}

/// `commons-io-2.4.jar` → `commons-io`, `2.4`: the last `-` followed by a digit starts the
/// version; without one, the whole name and no version.
fn file_name_parts(file: &str) -> (String, Option<String>) {
    let stem = file
        .rsplit_once('.')
        .filter(|(_, extension)| {
            extension
                .chars()
                .all(|character| character.is_ascii_alphabetic())
        })
        .map_or(file, |(stem, _)| stem);
    let split = stem
        .match_indices('-')
        .filter(|(at, _)| stem[at + 1..].starts_with(|first: char| first.is_ascii_digit()))
        .map(|(at, _)| at)
        .next_back();
    match split {
        Some(at) if at > 0 => (stem[..at].to_string(), text(&stem[at + 1..])),
        _ => (file.to_string(), None),
    }
}

fn finding(vulnerability: &Vulnerability, package: &Package, target: Option<&str>) -> Finding {
    let cvss_score =
        highest_score(
            [&vulnerability.cvssv3, &vulnerability.cvssv4].map(|cvss| Rating {
                score: cvss.base_score,
                vector: Some(cvss.vector_string.as_str()),
            }),
        );
    let label = worst_label([vulnerability.severity.as_str()]).or_else(|| {
        worst_label([
            vulnerability.cvssv3.base_severity.as_str(),
            vulnerability.cvssv4.base_severity.as_str(),
        ])
    });
    let id = vulnerability.name.trim().to_string();
    let url = if id.starts_with("CVE-") {
        Some(format!("https://nvd.nist.gov/vuln/detail/{id}"))
    } else {
        vulnerability
            .references
            .iter()
            .find_map(|reference| text(reference.url.as_str()))
    };
    let kev = vulnerability
        .known_exploited_vulnerability
        .as_ref()
        .map(|entry| InlineKev {
            date_added: entry.date_added.clone(),
            due_date: entry.due_date.clone(),
            required_action: entry.required_action.clone(),
            known_ransomware_campaign_use: entry.known_ransomware_campaign_use.clone(),
            vendor_project: entry.vendor_project.clone(),
            product: entry.product.clone(),
            vulnerability_name: entry.name.clone(),
        });
    Finding {
        id,
        aliases: Vec::new(),
        package: package.clone(),
        severity: severity(label, cvss_score),
        cvss_score,
        fixed_version: fixed_version(&vulnerability.vulnerable_software),
        title: headline(&vulnerability.description),
        url,
        targets: target.map(str::to_string).into_iter().collect(),
        kev,
    }
}

/// `versionEndExcluding` when exactly one version is given for the product the dependency
/// matched (the CPE marked `vulnerabilityIdMatched`): NVD lists other vendors' products
/// that embed the library with their own versions (Oracle's, Cisco's), and two ranges of
/// the product itself leave it unclear which release line is meant.
fn fixed_version(software: &[VulnerableSoftware]) -> Option<String> {
    let product =
        |cpe: &str| -> String { cpe.split(':').skip(3).take(2).collect::<Vec<_>>().join(":") };
    let matched = software
        .iter()
        .find(|entry| entry.software.vulnerability_id_matched.is_some())
        .map(|entry| product(&entry.software.id));
    let mut versions: Vec<&str> = software
        .iter()
        .filter(|entry| {
            matched
                .as_deref()
                .is_none_or(|matched| product(&entry.software.id) == matched)
        })
        .map(|entry| entry.software.version_end_excluding.trim())
        .filter(|version| !version.is_empty())
        .collect();
    versions.dedup();
    versions.sort_unstable();
    versions.dedup();
    match versions.as_slice() {
        [only] => Some(only.to_string()),
        _ => None,
    }
}
