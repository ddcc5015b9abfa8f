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
        epss: None,
        in_kev: false,
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

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::super::test_support::{detect_json, fixture, parse_json, rows};
    use super::*;
    use crate::report::Severity;

    fn parse(value: Value) -> Result<Report, ReportError> {
        parse_json(Format::DependencyCheck, &value)
    }

    #[test]
    fn one_jar_with_a_purl() {
        let value = fixture("dependency-check-exceptions.json");
        assert_eq!(detect_json(&value), Some(Format::DependencyCheck));
        let report = parse(value).expect("parses");
        assert_eq!(
            (report.scanner.as_str(), report.scanner_version.as_deref()),
            ("dependency-check", Some("5.2.4"))
        );
        assert_eq!(report.findings.len(), 1);
        let finding = &report.findings[0];
        assert_eq!(finding.id, "CVE-2018-1000632");
        assert_eq!(finding.package.name, "dom4j:dom4j");
        assert_eq!(finding.package.version.as_deref(), Some("1.6.1"));
        assert_eq!(finding.package.ecosystem.as_deref(), Some("maven"));
        assert_eq!(
            finding.package.purl.as_deref(),
            Some("pkg:maven/dom4j/dom4j@1.6.1")
        );
        assert_eq!(finding.severity, Severity::High);
        assert_eq!(finding.cvss_score, Some(7.5));
        // Five Oracle CPEs without a range, and dom4j's own, matched, `< 2.1.1`.
        assert_eq!(finding.fixed_version.as_deref(), Some("2.1.1"));
        assert_eq!(
            finding.targets,
            vec!["/.m2/repository/dom4j/dom4j/1.6.1/dom4j-1.6.1.jar"]
        );
        assert_eq!(
            finding.url.as_deref(),
            Some("https://nvd.nist.gov/vuln/detail/CVE-2018-1000632")
        );
        assert_eq!(finding.kev, None);
    }

    #[test]
    fn cvss_v4_and_no_purl() {
        let value = fixture("dependency-check-cvss-v4.json");
        assert_eq!(detect_json(&value), Some(Format::DependencyCheck));
        let report = parse(value).expect("parses");
        assert_eq!(report.scanner_version.as_deref(), Some("12.1.1"));
        let finding = &report.findings[0];
        assert_eq!(finding.id, "CVE-2024-9329");
        // No package URL: name and version from the jar's file name.
        assert_eq!(
            finding.package.name,
            "org.glassfish.hk2.osgi-resource-locator"
        );
        assert_eq!(finding.package.version.as_deref(), Some("1.0.3"));
        assert_eq!(finding.package.purl, None);
        assert_eq!(finding.severity, Severity::Medium);
        // v3.1 6.1, v4.0 6.9: the highest.
        assert_eq!(finding.cvss_score, Some(6.9));
        assert_eq!(finding.fixed_version.as_deref(), Some("7.0.17"));
    }

    #[test]
    fn a_multi_module_maven_build_with_kev_facts() {
        let report = parse(fixture("dependency-check-multi-module.json")).expect("parses");
        assert_eq!(report.scanner_version.as_deref(), Some("8.0.2"));
        assert_eq!(report.findings.len(), 40);
        let count = |severity: Severity| {
            report
                .findings
                .iter()
                .filter(|finding| finding.severity == severity)
                .count()
        };
        assert_eq!(
            [
                Severity::Critical,
                Severity::High,
                Severity::Medium,
                Severity::Low
            ]
            .map(count),
            [6, 19, 14, 1]
        );
        let find = |id: &str, package: &str| {
            report
                .findings
                .iter()
                .find(|finding| finding.id == id && finding.package.name == package)
                .unwrap_or_else(|| panic!("{id} in {package}"))
        };
        let spring = find("CVE-2022-22965", "org.springframework:spring");
        assert_eq!(spring.package.version.as_deref(), Some("2.0.8"));
        assert_eq!(spring.severity, Severity::Critical);
        // Two ranges of spring_framework itself (< 5.2.20 and 5.3.0 to < 5.3.18): no single
        // fixed version.
        assert_eq!(spring.fixed_version, None);
        assert_eq!(
            spring.kev,
            Some(InlineKev {
                date_added: Some("2022-04-04".into()),
                due_date: Some("2022-04-25".into()),
                required_action: Some("Apply updates per vendor instructions.".into()),
                known_ransomware_campaign_use: None,
                vendor_project: Some("VMware".into()),
                product: Some("Spring Framework".into()),
                vulnerability_name: Some(
                    "Spring Framework JDK 9+ Remote Code Execution Vulnerability".into()
                ),
            })
        );
        let struts = find("CVE-2006-1547", "struts:struts");
        assert_eq!(struts.severity, Severity::High);
        assert_eq!(
            struts.kev.as_ref().and_then(|kev| kev.due_date.as_deref()),
            Some("2022-07-21")
        );
        assert_eq!(
            report
                .findings
                .iter()
                .filter(|finding| finding.kev.is_some())
                .count(),
            2
        );
        // log4j 1.2.12: Bookkeeper's `< 4.14.3` is another product's range, not a fix.
        let log4j = find("CVE-2019-17571", "log4j:log4j");
        assert_eq!(log4j.fixed_version, None);
        assert_eq!(log4j.cvss_score, Some(9.8));
        assert_eq!(
            find("CVE-2020-9493", "log4j:log4j")
                .fixed_version
                .as_deref(),
            Some("2.0")
        );
        // The same CVE in two jars is two findings.
        assert_eq!(
            find("CVE-2014-0114", "struts:struts")
                .package
                .version
                .as_deref(),
            Some("1.2.8")
        );
        assert_eq!(
            find("CVE-2014-0114", "commons-beanutils:commons-beanutils")
                .package
                .version
                .as_deref(),
            Some("1.7.0")
        );
        assert_eq!(
            find("CVE-2013-0248", "commons-fileupload:commons-fileupload").severity,
            Severity::Low
        );
    }

    #[test]
    fn severities_in_any_case_and_virtual_dependencies() {
        let value = json!({
            "reportSchema": "1.1",
            "scanInfo": {"engineVersion": "12.0.2"},
            "dependencies": [
                {
                    "isVirtual": true,
                    "fileName": "minimist:0.0.8",
                    "filePath": "/app/package-lock.json?minimist",
                    "vulnerabilities": [
                        {"source": "NPM", "name": "GHSA-vh95-rmgr-6w4m", "severity": "moderate", "description": "Prototype Pollution in minimist"},
                        {"source": "NVD", "name": "CVE-2021-44906", "severity": "critical"},
                        {"source": "OSSINDEX", "name": "CVE-2020-7598", "cvssv3": {"baseScore": 5.6, "baseSeverity": "medium"}},
                        {"source": "NVD", "name": "CVE-2000-0001", "cvssv2": {"score": 9.0, "severity": "HIGH"}}
                    ]
                },
                {"isVirtual": false, "fileName": "README", "filePath": "/app/README", "vulnerabilities": [
                    {"name": "CVE-2000-0002", "severity": "LOW", "vulnerableSoftware": [
                        {"software": {"id": "cpe:2.3:a:a:b:*", "versionEndExcluding": "2.0"}},
                        {"software": {"id": "cpe:2.3:a:c:d:*", "versionEndExcluding": "2.0"}}
                    ]}
                ]},
                {"fileName": "clean.jar"}
            ]
        });
        assert_eq!(detect_json(&value), Some(Format::DependencyCheck));
        let report = parse(value).expect("parses");
        assert_eq!(report.packages_scanned, Some(3));
        let found = rows(&report);
        assert_eq!(
            found,
            vec![
                (
                    "GHSA-vh95-rmgr-6w4m",
                    "minimist",
                    Some("0.0.8"),
                    Severity::Medium,
                    None
                ),
                (
                    "CVE-2021-44906",
                    "minimist",
                    Some("0.0.8"),
                    Severity::Critical,
                    None
                ),
                (
                    "CVE-2020-7598",
                    "minimist",
                    Some("0.0.8"),
                    Severity::Medium,
                    None
                ),
                // CVSS v2 does not count: no label, no v3/v4 score.
                (
                    "CVE-2000-0001",
                    "minimist",
                    Some("0.0.8"),
                    Severity::Unknown,
                    None
                ),
                // No CPE matched: the one version all CPEs end before.
                ("CVE-2000-0002", "README", None, Severity::Low, Some("2.0")),
            ]
        );
        assert_eq!(
            report.findings[0].title.as_deref(),
            Some("Prototype Pollution in minimist")
        );
    }

    #[test]
    fn file_names() {
        assert_eq!(
            file_name_parts("commons-io-2.4.jar"),
            ("commons-io".into(), Some("2.4".into()))
        );
        assert_eq!(
            file_name_parts("spring-core-5.3.0-RC1.jar"),
            ("spring-core".into(), Some("5.3.0-RC1".into()))
        );
        assert_eq!(file_name_parts("tool.exe"), ("tool.exe".into(), None));
        assert_eq!(file_name_parts("-1.0.jar"), ("-1.0.jar".into(), None));
    }

    #[test]
    fn not_dependency_check() {
        match parse(fixture("pip-audit-many.json")) {
            Err(ReportError::Malformed { format, reason }) => {
                assert_eq!(format, Format::DependencyCheck);
                assert!(reason.contains("no `reportSchema`"), "{reason}");
            }
            outcome => panic!("{outcome:?}"),
        }
        assert!(matches!(
            parse(json!({"reportSchema": "1.1", "dependencies": {"a": 1}})),
            Err(ReportError::Malformed {
                format: Format::DependencyCheck,
                ..
            })
        ));
        let empty = parse(json!({"reportSchema": "1.1", "dependencies": null})).expect("parses");
        assert!(empty.findings.is_empty());
    }
}
