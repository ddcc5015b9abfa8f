//! Grype's JSON report (`grype … -o json`).

use serde::Deserialize;
use serde_json::Value;

use super::skeleton::Kind;
use super::{
    decode, headline, highest_score, not_this_format, nullable, pick_fixed, severity, text,
    worst_label, Rating, Skeleton,
};
use crate::report::{choose_id, Finding, Format, InlineKev, Package, Report, ReportError};

/// `matches` with a `descriptor` naming grype; or, for reports whose descriptor was
/// stripped, matches shaped like Grype's (`vulnerability` + `artifact`).
pub fn recognises(skeleton: &Skeleton) -> bool {
    let fields = &skeleton.fields;
    let matches = &fields.matches;
    if matches.kind != Kind::Array {
        return false;
    }
    let named = fields
        .descriptor_name
        .as_deref()
        .is_some_and(|name| name.eq_ignore_ascii_case("grype"));
    named || (matches.len > 0 && matches.first.vulnerability && matches.first.artifact)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct GrypeReport {
    #[serde(deserialize_with = "nullable")]
    matches: Vec<Match>,
    /// What was scanned: an image (`{"userInput": …}`) or a directory or file path.
    #[serde(deserialize_with = "nullable")]
    source: Source,
    #[serde(deserialize_with = "nullable")]
    descriptor: Descriptor,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Source {
    target: Value,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Descriptor {
    #[serde(deserialize_with = "nullable")]
    name: String,
    #[serde(deserialize_with = "nullable")]
    version: String,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Match {
    #[serde(deserialize_with = "nullable")]
    vulnerability: Vulnerability,
    /// The same vulnerability under other ids: the CVE when the match is a GHSA.
    #[serde(deserialize_with = "nullable")]
    related_vulnerabilities: Vec<Vulnerability>,
    #[serde(deserialize_with = "nullable")]
    artifact: Artifact,
}

/// Grype's vulnerability metadata; related vulnerabilities have the same shape minus `fix`.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Vulnerability {
    #[serde(deserialize_with = "nullable")]
    id: String,
    #[serde(deserialize_with = "nullable")]
    data_source: String,
    #[serde(deserialize_with = "nullable")]
    severity: String,
    #[serde(deserialize_with = "nullable")]
    urls: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    description: String,
    #[serde(deserialize_with = "nullable")]
    cvss: Vec<Cvss>,
    #[serde(deserialize_with = "nullable")]
    known_exploited: Vec<KnownExploited>,
    #[serde(deserialize_with = "nullable")]
    fix: Fix,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Cvss {
    #[serde(deserialize_with = "nullable")]
    version: String,
    #[serde(deserialize_with = "nullable")]
    vector: String,
    #[serde(deserialize_with = "nullable")]
    metrics: CvssMetrics,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct CvssMetrics {
    base_score: Option<f64>,
}

/// The CISA KEV entry Grype attaches (newer Grype versions), keys as in Grype's
/// presenter model.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct KnownExploited {
    cve: Option<String>,
    vendor_project: Option<String>,
    product: Option<String>,
    date_added: Option<String>,
    required_action: Option<String>,
    due_date: Option<String>,
    known_ransomware_campaign_use: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Fix {
    #[serde(deserialize_with = "nullable")]
    versions: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Artifact {
    #[serde(deserialize_with = "nullable")]
    name: String,
    #[serde(deserialize_with = "nullable")]
    version: String,
    /// The package kind (`deb`, `rpm`, `npm`, `java-archive`, …), used as the ecosystem.
    #[serde(rename = "type", deserialize_with = "nullable")]
    kind: String,
    #[serde(deserialize_with = "nullable")]
    purl: String,
    #[serde(deserialize_with = "nullable")]
    locations: Vec<Location>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Location {
    #[serde(deserialize_with = "nullable")]
    path: String,
}

pub fn parse(bytes: &[u8], skeleton: &Skeleton) -> Result<Report, ReportError> {
    if !skeleton.fields.matches.kind.is_present() {
        return Err(not_this_format(
            Format::Grype,
            skeleton,
            "no `matches` list",
        ));
    }
    let report: GrypeReport = decode(Format::Grype, bytes, skeleton)?;
    let scanned = scanned_target(&report.source.target);
    let findings = report
        .matches
        .into_iter()
        .map(|found| finding(found, scanned.as_deref()))
        .collect();
    // Grype builds without version information say `[not provided]`, which is no version.
    let scanner_version =
        text(report.descriptor.version).filter(|version| !version.starts_with('['));
    Ok(Report {
        notes: Vec::new(),
        format: Format::Grype,
        scanner: text(report.descriptor.name).unwrap_or_else(|| "grype".into()),
        scanner_version,
        report_id: None,
        packages_scanned: None,
        findings,
    })
}

/// The image or path Grype scanned, for packages without a location of their own.
fn scanned_target(target: &Value) -> Option<String> {
    match target {
        Value::String(path) => text(path.as_str()),
        Value::Object(image) => image
            .get("userInput")
            .and_then(Value::as_str)
            .and_then(text),
        _ => None,
    }
}

fn finding(found: Match, scanned: Option<&str>) -> Finding {
    let Match {
        vulnerability,
        related_vulnerabilities: related,
        artifact,
    } = found;
    let related_ids: Vec<String> = related
        .iter()
        .map(|other| other.id.clone())
        .filter(|id| !id.is_empty())
        .collect();
    let (id, aliases) = choose_id(&vulnerability.id, &related_ids);
    let all = || std::iter::once(&vulnerability).chain(related.iter());
    // v2 scores run higher than v3 for the same flaw; docs/reference.md §9 counts v3 and v4 only.
    let cvss_score = highest_score(all().flat_map(|record| &record.cvss).filter_map(|cvss| {
        let modern = ["3", "4"]
            .iter()
            .any(|major| cvss.version.starts_with(major))
            || cvss.vector.starts_with("CVSS:3")
            || cvss.vector.starts_with("CVSS:4");
        modern.then_some(Rating {
            score: cvss.metrics.base_score,
            vector: Some(cvss.vector.as_str()),
        })
    }));
    // The match's own label first: Grype sets it from the namespace it matched in (the
    // distro's view of the flaw), which may differ from NVD's.
    let label = worst_label([vulnerability.severity.as_str()])
        .or_else(|| worst_label(related.iter().map(|record| record.severity.as_str())));
    let url = all().find_map(|record| {
        text(record.data_source.as_str())
            .or_else(|| record.urls.iter().find_map(|url| text(url.as_str())))
    });
    let title = all().find_map(|record| headline(&record.description));
    let kev = kev(&id, all().flat_map(|record| &record.known_exploited));
    let installed = text(artifact.version);
    let fixed_version = pick_fixed(
        installed.as_deref(),
        vulnerability.fix.versions.iter().map(String::as_str),
    );
    let mut targets: Vec<String> = Vec::new();
    for location in artifact.locations {
        if !location.path.is_empty() && !targets.contains(&location.path) {
            targets.push(location.path);
        }
    }
    if targets.is_empty() {
        targets.extend(scanned.map(str::to_string));
    }
    Finding {
        id,
        aliases,
        package: Package {
            name: artifact.name,
            version: installed,
            ecosystem: text(artifact.kind),
            purl: text(artifact.purl),
        },
        severity: severity(label, cvss_score),
        cvss_score,
        fixed_version,
        title,
        url,
        targets,
        kev,
        epss: None,
        in_kev: false,
    }
}

/// The KEV entry for the finding's id, else the first one Grype gives.
fn kev<'a>(id: &str, entries: impl Iterator<Item = &'a KnownExploited>) -> Option<InlineKev> {
    let entries: Vec<&KnownExploited> = entries.collect();
    let entry = entries
        .iter()
        .find(|entry| entry.cve.as_deref() == Some(id))
        .or(entries.first())?;
    Some(InlineKev {
        date_added: entry.date_added.clone(),
        due_date: entry.due_date.clone(),
        required_action: entry.required_action.clone(),
        known_ransomware_campaign_use: entry.known_ransomware_campaign_use.clone(),
        vendor_project: entry.vendor_project.clone(),
        product: entry.product.clone(),
        // Grype does not carry the catalog's vulnerability name.
        vulnerability_name: None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::test_support::{detect_json, fixture, fixture_bytes, parse_json};
    use super::*;
    use crate::report::Severity;

    /// The parser on a JSON value's bytes.
    fn parse(value: Value) -> Result<Report, ReportError> {
        parse_json(Format::Grype, &value)
    }

    #[test]
    fn presenter_snapshot() {
        let value = fixture("grype-snapshot.json");
        assert_eq!(detect_json(&value), Some(Format::Grype));
        let report = parse(value).expect("parses");
        assert_eq!(report.scanner, "grype");
        assert_eq!(
            report.scanner_version, None,
            "`[not provided]` is no version"
        );
        assert_eq!(report.findings.len(), 2);

        let first = &report.findings[0];
        assert_eq!(first.id, "CVE-1999-0001");
        assert_eq!(first.package.name, "package-1");
        assert_eq!(first.package.version.as_deref(), Some("1.1.1"));
        assert_eq!(first.package.ecosystem.as_deref(), Some("rpm"));
        assert_eq!(first.package.purl, None);
        // The label says low although the NVD score is 8.2: the label wins.
        assert_eq!(first.severity, Severity::Low);
        assert_eq!(first.cvss_score, Some(8.2));
        assert_eq!(first.fixed_version.as_deref(), Some("1.2.1"));
        assert_eq!(first.targets, vec!["/foo/bar/somefile-1.txt"]);
        assert_eq!((first.url.as_deref(), first.title.as_deref()), (None, None));
        assert_eq!(first.kev, None);

        let second = &report.findings[1];
        assert_eq!(second.id, "CVE-1999-0002");
        assert_eq!(second.package.name, "package-2");
        assert_eq!(second.package.version.as_deref(), Some("2.2.2"));
        assert_eq!(
            second.package.purl.as_deref(),
            Some("pkg:deb/package-2@2.2.2")
        );
        assert_eq!(second.severity, Severity::Critical);
        assert_eq!(second.cvss_score, Some(8.5));
        assert_eq!(second.fixed_version, None);
        assert_eq!(second.targets, vec!["/foo/bar/somefile-2.txt"]);
        assert_eq!(
            second.kev,
            Some(InlineKev {
                known_ransomware_campaign_use: Some("Known".into()),
                ..InlineKev::default()
            })
        );
    }

    #[test]
    fn the_same_cve_at_two_paths_is_one_finding() {
        let value = fixture("grype-same-cve.json");
        assert_eq!(detect_json(&value), Some(Format::Grype));
        let report = parse(value).expect("parses");
        assert_eq!(report.scanner_version.as_deref(), Some("0.36.0"));
        assert_eq!(report.findings.len(), 2, "unmerged");

        let merged =
            crate::report::parse(&fixture_bytes("grype-same-cve.json"), None).expect("parses");
        assert_eq!(merged.findings.len(), 1);
        let finding = &merged.findings[0];
        assert_eq!(finding.id, "CVE-2021-33574");
        assert_eq!(finding.package.name, "libc6");
        assert_eq!(finding.package.version.as_deref(), Some("2.28-10"));
        assert_eq!(finding.package.ecosystem.as_deref(), Some("deb"));
        assert_eq!(
            finding.package.purl.as_deref(),
            Some("pkg:deb/debian/libc6@2.28-10?arch=amd64")
        );
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(finding.cvss_score, None);
        assert_eq!(finding.fixed_version, None);
        assert_eq!(
            finding.targets,
            vec![
                "/usr/lib/x86_64-linux-gnu/libc.so.6",
                "/lib/x86_64-linux-gnu/libc.so.6"
            ]
        );
        assert_eq!(
            finding.url.as_deref(),
            Some("https://security-tracker.debian.org/tracker/CVE-2021-33574")
        );
    }

    #[test]
    fn a_ghsa_match_takes_its_related_cve_and_full_kev_facts() {
        let value = json!({
            "matches": [{
                "vulnerability": {
                    "id": "GHSA-jfh8-c2jp-5v3q",
                    "dataSource": "https://github.com/advisories/GHSA-jfh8-c2jp-5v3q",
                    "severity": "Unknown",
                    "description": "Remote code injection in Log4j",
                    "cvss": [
                        {"version": "2.0", "vector": "AV:N/AC:M/Au:N/C:C/I:C/A:C", "metrics": {"baseScore": 9.3}},
                        {"version": "3.1", "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", "metrics": {}}
                    ],
                    "knownExploited": [{
                        "cve": "CVE-2021-44228",
                        "vendorProject": "Apache",
                        "product": "Log4j2",
                        "dateAdded": "2021-12-10",
                        "requiredAction": "Apply updates per vendor instructions.",
                        "dueDate": "2021-12-24",
                        "knownRansomwareCampaignUse": "Known"
                    }],
                    "fix": {"versions": ["2.15.0"], "state": "fixed"}
                },
                "relatedVulnerabilities": [{"id": "CVE-2021-44228", "severity": "Critical", "urls": null}],
                "artifact": {"name": "log4j-core", "version": "2.14.1", "type": "java-archive", "locations": null, "purl": null}
            }],
            "source": {"type": "directory", "target": "/src"},
            "descriptor": {"name": "grype", "version": "0.80.0"}
        });
        let report = parse(value).expect("parses");
        let finding = &report.findings[0];
        assert_eq!(finding.id, "CVE-2021-44228");
        assert_eq!(finding.aliases, vec!["GHSA-jfh8-c2jp-5v3q"]);
        // No label on the match: the related record's label is used.
        assert_eq!(finding.severity, Severity::Critical);
        // The v2 9.3 does not count; the v3.1 vector without a score computes to 10.0.
        assert_eq!(finding.cvss_score, Some(10.0));
        assert_eq!(finding.fixed_version.as_deref(), Some("2.15.0"));
        assert_eq!(
            finding.targets,
            vec!["/src"],
            "no location: the scanned path"
        );
        assert_eq!(
            finding.title.as_deref(),
            Some("Remote code injection in Log4j")
        );
        assert_eq!(
            finding.kev,
            Some(InlineKev {
                date_added: Some("2021-12-10".into()),
                due_date: Some("2021-12-24".into()),
                required_action: Some("Apply updates per vendor instructions.".into()),
                known_ransomware_campaign_use: Some("Known".into()),
                vendor_project: Some("Apache".into()),
                product: Some("Log4j2".into()),
                vulnerability_name: None,
            })
        );
    }

    #[test]
    fn severity_from_the_vector_alone() {
        let value = json!({
            "matches": [{
                "vulnerability": {
                    "id": "CVE-2024-0001",
                    "cvss": [{"version": "3.1", "vector": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N"}]
                },
                "artifact": {"name": "a", "version": "1"}
            }],
            "descriptor": {"name": "grype"}
        });
        let finding = &parse(value).expect("parses").findings[0];
        assert_eq!(
            (finding.severity, finding.cvss_score),
            (Severity::Medium, Some(5.9))
        );
    }

    #[test]
    fn empty_and_null_matches() {
        for value in [
            json!({"matches": [], "descriptor": {"name": "grype", "version": "0.80.0"}}),
            json!({"matches": null, "descriptor": null, "source": null}),
        ] {
            assert!(parse(value).expect("parses").findings.is_empty());
        }
        assert_eq!(
            detect_json(&json!({"matches": [], "descriptor": {"name": "grype"}})),
            Some(Format::Grype)
        );
    }

    #[test]
    fn not_grype() {
        match parse(fixture("trivy-pom.json")) {
            Err(ReportError::Malformed { format, reason }) => {
                assert_eq!(format, Format::Grype);
                assert!(reason.contains("no `matches` list"), "{reason}");
            }
            outcome => panic!("{outcome:?}"),
        }
        assert!(matches!(
            parse(json!({"matches": {"a": 1}})),
            Err(ReportError::Malformed {
                format: Format::Grype,
                ..
            })
        ));
    }
}
