//! `pip-audit --format json`: `{"dependencies": [...], "fixes": [...]}`, or the bare list
//! of dependencies that versions before 2.0 wrote.

use serde::Deserialize;

use super::skeleton::Kind;
use super::{decode, headline, not_this_format, nullable, osv_link, pick_fixed, text, Skeleton};
use crate::report::{choose_id, Finding, Format, Package, Report, ReportError, Severity};

/// A list of dependencies (top-level or under `dependencies`) whose items are pip-audit's:
/// a `name` with `vulns`, or with the `skip_reason` of a package it could not audit.
pub fn recognises(skeleton: &Skeleton) -> bool {
    match skeleton.kind {
        Kind::Array => {
            let dependencies = &skeleton.items;
            dependencies.len > 0 && dependencies.all_named && dependencies.any_vulns
        }
        Kind::Object => {
            let dependencies = &skeleton.fields.dependencies;
            match dependencies.kind {
                // A clean scan of nothing: only pip-audit pairs `dependencies` with `fixes`.
                Kind::Array if dependencies.len == 0 => skeleton.fields.fixes.is_present(),
                Kind::Array => dependencies.all_audited && dependencies.any_vulns,
                _ => false,
            }
        }
        _ => false,
    }
}

/// pip-audit 2.0 and later: the dependencies under a key.
#[derive(Deserialize)]
struct PipReport {
    #[serde(default)]
    dependencies: Option<Vec<Dependency>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Dependency {
    #[serde(deserialize_with = "nullable")]
    name: String,
    #[serde(deserialize_with = "nullable")]
    version: String,
    /// Set for packages pip-audit could not audit (not on PyPI, …).
    skip_reason: Option<String>,
    #[serde(deserialize_with = "nullable")]
    vulns: Vec<Vulnerability>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Vulnerability {
    #[serde(deserialize_with = "nullable")]
    id: String,
    #[serde(deserialize_with = "nullable")]
    fix_versions: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    aliases: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    description: String,
}

pub fn parse(bytes: &[u8], skeleton: &Skeleton) -> Result<Report, ReportError> {
    // Checked on the skeleton, before decoding, because CycloneDX's `dependencies`
    // (`{ref, dependsOn}`) would otherwise decode as nameless packages.
    let missing = match skeleton.kind {
        Kind::Object => match skeleton.fields.dependencies.kind {
            Kind::Array if !skeleton.fields.dependencies.all_named => {
                Some("a `dependencies` item without a `name`")
            }
            Kind::Array | Kind::Null => None,
            _ => Some("no `dependencies` list"),
        },
        Kind::Array if !skeleton.items.all_named => Some("a list item without a `name`"),
        Kind::Array => None,
        _ => Some("no `dependencies` list"),
    };
    if let Some(missing) = missing {
        return Err(not_this_format(Format::PipAudit, skeleton, missing));
    }
    let dependencies: Vec<Dependency> = if skeleton.is_object() {
        decode::<PipReport>(Format::PipAudit, bytes, skeleton)?
            .dependencies
            .unwrap_or_default()
    } else {
        decode(Format::PipAudit, bytes, skeleton)?
    };
    let packages_scanned = dependencies
        .iter()
        .filter(|dependency| dependency.skip_reason.is_none())
        .count() as u64;
    let mut findings = Vec::new();
    for dependency in dependencies {
        let version = text(dependency.version);
        for vulnerability in dependency.vulns {
            let (id, aliases) = choose_id(&vulnerability.id, &vulnerability.aliases);
            findings.push(Finding {
                aliases,
                package: Package {
                    name: dependency.name.clone(),
                    version: version.clone(),
                    ecosystem: Some("PyPI".into()),
                    purl: None,
                },
                // pip-audit reports no severity and no score.
                severity: Severity::Unknown,
                cvss_score: None,
                fixed_version: pick_fixed(
                    version.as_deref(),
                    vulnerability.fix_versions.iter().map(String::as_str),
                ),
                title: headline(&vulnerability.description),
                url: text(vulnerability.id.as_str()).map(|advisory| osv_link(&advisory)),
                // pip-audit does not say which requirements file or environment it read.
                targets: Vec::new(),
                kev: None,
                epss: None,
                in_kev: false,
                id,
            });
        }
    }
    Ok(Report {
        notes: Vec::new(),
        format: Format::PipAudit,
        scanner: "pip-audit".into(),
        scanner_version: None,
        report_id: None,
        packages_scanned: Some(packages_scanned),
        findings,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::super::test_support::{detect_json, fixture, parse_json};
    use super::*;

    /// The parser on a JSON value's bytes.
    fn parse(value: Value) -> Result<Report, ReportError> {
        parse_json(Format::PipAudit, &value)
    }

    #[test]
    fn many_vulnerabilities() {
        let value = fixture("pip-audit-many.json");
        assert_eq!(detect_json(&value), Some(Format::PipAudit));
        let report = parse(value).expect("parses");
        assert_eq!(report.scanner, "pip-audit");
        // Seven dependencies, one of them skipped (not on PyPI).
        assert_eq!(report.packages_scanned, Some(6));
        assert_eq!(report.findings.len(), 7);

        let aiohttp = &report.findings[0];
        assert_eq!(aiohttp.id, "PYSEC-2021-76");
        assert_eq!(aiohttp.package.name, "aiohttp");
        assert_eq!(aiohttp.package.version.as_deref(), Some("3.6.2"));
        assert_eq!(aiohttp.package.ecosystem.as_deref(), Some("PyPI"));
        assert_eq!(aiohttp.severity, Severity::Unknown);
        assert_eq!(aiohttp.fixed_version.as_deref(), Some("3.7.4"));
        assert!(aiohttp.targets.is_empty());
        assert_eq!(
            aiohttp.url.as_deref(),
            Some("https://osv.dev/vulnerability/PYSEC-2021-76")
        );

        let django = &report.findings[1];
        assert_eq!(django.id, "PYSEC-2021-439");
        assert_eq!(django.package.version.as_deref(), Some("3.2.9"));
        // 2.2.25 and 3.1.14 fix older release lines.
        assert_eq!(django.fixed_version.as_deref(), Some("3.2.10"));
        assert_eq!(
            django.title.as_deref(),
            // 173 characters, no sentence break: cut at the last word within 160.
            Some("In Django 2.2 before 2.2.25, 3.1 before 3.1.14, and 3.2 before 3.2.10, HTTP requests for URLs with trailing newlines could bypass upstream access control based…")
        );

        let lxml = &report.findings[2];
        assert_eq!(
            (lxml.id.as_str(), lxml.package.name.as_str()),
            ("PYSEC-2021-852", "lxml")
        );
        assert_eq!(lxml.fixed_version, None);

        let twisted: Vec<(&str, Option<&str>)> = report.findings[3..]
            .iter()
            .map(|finding| (finding.id.as_str(), finding.fixed_version.as_deref()))
            .collect();
        assert_eq!(
            twisted,
            vec![
                ("PYSEC-2019-128", Some("19.2.1")),
                ("PYSEC-2020-260", Some("20.3.0rc1")),
                ("PYSEC-2019-129", Some("19.7.0rc1")),
                ("PYSEC-2020-259", Some("20.3.0rc1")),
            ]
        );
        assert!(report.findings[3..]
            .iter()
            .all(|finding| finding.package.version.as_deref() == Some("18.9.0")));
    }

    #[test]
    fn aliases_and_the_old_list_form() {
        let value = json!([
            {"name": "jinja2", "version": "2.11.2", "vulns": [
                {"id": "GHSA-g3rq-g295-4j3m", "fix_versions": null, "aliases": ["PYSEC-2021-66", "CVE-2020-28493"], "description": null}
            ]},
            {"name": "six", "version": "1.16.0", "vulns": []}
        ]);
        assert_eq!(detect_json(&value), Some(Format::PipAudit));
        let report = parse(value).expect("parses");
        assert_eq!(report.packages_scanned, Some(2));
        let finding = &report.findings[0];
        assert_eq!(finding.id, "CVE-2020-28493");
        assert_eq!(
            finding.aliases,
            vec!["GHSA-g3rq-g295-4j3m", "PYSEC-2021-66"]
        );
        assert_eq!(finding.title, None);
        assert_eq!(
            finding.url.as_deref(),
            Some("https://osv.dev/vulnerability/GHSA-g3rq-g295-4j3m")
        );
    }

    #[test]
    fn empty_and_null_lists() {
        let clean = json!({"dependencies": [], "fixes": []});
        assert_eq!(detect_json(&clean), Some(Format::PipAudit));
        for value in [
            clean,
            json!({"dependencies": null}),
            json!({"dependencies": [{"name": "a", "version": "1", "vulns": null}]}),
        ] {
            assert!(parse(value).expect("parses").findings.is_empty());
        }
    }

    #[test]
    fn not_pip_audit() {
        match parse(fixture("trivy-pom.json")) {
            Err(ReportError::Malformed { format, reason }) => {
                assert_eq!(format, Format::PipAudit);
                assert!(reason.contains("no `dependencies` list"), "{reason}");
                assert!(reason.contains("trivy"), "{reason}");
            }
            outcome => panic!("{outcome:?}"),
        }
        match parse(fixture("cyclonedx-trivy-pom.json")) {
            Err(ReportError::Malformed { format, reason }) => {
                assert_eq!(format, Format::PipAudit);
                assert!(reason.contains("without a `name`"), "{reason}");
                assert!(reason.contains("cyclonedx"), "{reason}");
            }
            outcome => panic!("{outcome:?}"),
        }
        assert!(matches!(
            parse(json!({"dependencies": [{"name": "a", "vulns": "none"}]})),
            Err(ReportError::Malformed {
                format: Format::PipAudit,
                ..
            })
        ));
    }
}
