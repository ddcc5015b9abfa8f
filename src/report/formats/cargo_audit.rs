//! `cargo audit --json`.

use serde::Deserialize;
use serde_json::Value;

use super::skeleton::Kind;
use super::{
    decode, headline, highest_score, not_this_format, nullable, pick_fixed, requirement_floor,
    severity, text, Rating, Skeleton,
};
use crate::report::{choose_id, Finding, Format, Package, Report, ReportError};

/// A `vulnerabilities.list` next to the `lockfile` or advisory `database` it came from.
pub fn recognises(skeleton: &Skeleton) -> bool {
    let fields = &skeleton.fields;
    fields.vulnerabilities.list == Kind::Array
        && (fields.lockfile.is_present() || fields.database.is_present())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CargoReport {
    #[serde(deserialize_with = "nullable")]
    lockfile: Lockfile,
    #[serde(deserialize_with = "nullable")]
    vulnerabilities: Vulnerabilities,
    // `warnings` (unmaintained, unsound, yanked crates) are not vulnerabilities: not read.
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Lockfile {
    #[serde(rename = "dependency-count")]
    dependency_count: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Vulnerabilities {
    #[serde(deserialize_with = "nullable")]
    list: Vec<Entry>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Entry {
    #[serde(deserialize_with = "nullable")]
    advisory: Advisory,
    #[serde(deserialize_with = "nullable")]
    versions: Versions,
    #[serde(deserialize_with = "nullable")]
    package: Crate,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Advisory {
    #[serde(deserialize_with = "nullable")]
    id: String,
    #[serde(deserialize_with = "nullable")]
    aliases: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    title: String,
    #[serde(deserialize_with = "nullable")]
    description: String,
    #[serde(deserialize_with = "nullable")]
    url: String,
    /// A CVSS vector string, or null; anything else is ignored.
    cvss: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Versions {
    /// Requirements (`>=1.1.0`, `>=0.13.10, <0.14.0`), one per fixed release line.
    #[serde(deserialize_with = "nullable")]
    patched: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Crate {
    #[serde(deserialize_with = "nullable")]
    name: String,
    #[serde(deserialize_with = "nullable")]
    version: String,
}

pub fn parse(bytes: &[u8], skeleton: &Skeleton) -> Result<Report, ReportError> {
    if !skeleton.fields.vulnerabilities.list.is_present() {
        return Err(not_this_format(
            Format::CargoAudit,
            skeleton,
            "no `vulnerabilities.list`",
        ));
    }
    let report: CargoReport = decode(Format::CargoAudit, bytes, skeleton)?;
    let findings = report
        .vulnerabilities
        .list
        .into_iter()
        .map(finding)
        .collect();
    Ok(Report {
        notes: Vec::new(),
        format: Format::CargoAudit,
        scanner: "cargo audit".into(),
        scanner_version: None,
        report_id: None,
        packages_scanned: report.lockfile.dependency_count,
        findings,
    })
}

fn finding(entry: Entry) -> Finding {
    let Entry {
        advisory,
        versions,
        package,
    } = entry;
    let (id, aliases) = choose_id(&advisory.id, &advisory.aliases);
    let cvss_score = highest_score([Rating {
        score: None,
        vector: advisory.cvss.as_ref().and_then(Value::as_str),
    }]);
    let installed = text(package.version);
    let fixed_version = pick_fixed(
        installed.as_deref(),
        versions
            .patched
            .iter()
            .filter_map(|requirement| requirement_floor(requirement)),
    );
    let url = text(advisory.url.as_str()).or_else(|| {
        text(advisory.id.as_str()).map(|id| format!("https://rustsec.org/advisories/{id}.html"))
    });
    Finding {
        id,
        aliases,
        package: Package {
            name: package.name,
            version: installed,
            ecosystem: Some("crates.io".into()),
            purl: None,
        },
        // RustSec gives no label, only the vector.
        severity: severity(None, cvss_score),
        cvss_score,
        fixed_version,
        title: text(advisory.title).or_else(|| headline(&advisory.description)),
        url,
        // cargo audit reads one Cargo.lock and does not record its path.
        targets: vec!["Cargo.lock".into()],
        kev: None,
        epss: None,
        in_kev: false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::test_support::{detect_json, fixture, fixture_bytes, parse_json};
    use super::*;
    use crate::report::Severity;

    /// The parser on a JSON value's bytes.
    fn parse(value: Value) -> Result<Report, ReportError> {
        parse_json(Format::CargoAudit, &value)
    }

    #[test]
    fn many_findings() {
        let value = fixture("cargo-audit-many.json");
        assert_eq!(detect_json(&value), Some(Format::CargoAudit));
        let report = parse(value).expect("parses");
        assert_eq!(report.scanner, "cargo audit");
        assert_eq!(report.packages_scanned, Some(441));
        // Four vulnerabilities; the three unmaintained-crate warnings are not findings.
        assert_eq!(report.findings.len(), 4);

        let arc_swap = &report.findings[0];
        assert_eq!(arc_swap.id, "CVE-2020-35711");
        assert_eq!(arc_swap.aliases, vec!["RUSTSEC-2020-0091"]);
        assert_eq!(arc_swap.package.name, "arc-swap");
        assert_eq!(arc_swap.package.version.as_deref(), Some("0.4.7"));
        assert_eq!(arc_swap.package.ecosystem.as_deref(), Some("crates.io"));
        assert_eq!(arc_swap.severity, Severity::Unknown);
        assert_eq!(arc_swap.cvss_score, None);
        // Patched `>=1.1.0` and `>=0.4.8`: 0.4.8 is the upgrade from 0.4.7.
        assert_eq!(arc_swap.fixed_version.as_deref(), Some("0.4.8"));
        assert_eq!(arc_swap.targets, vec!["Cargo.lock"]);
        assert_eq!(
            arc_swap.title.as_deref(),
            Some("Dangling reference in `access::Map` with Constant")
        );
        assert_eq!(
            arc_swap.url.as_deref(),
            Some("https://github.com/vorner/arc-swap/issues/45")
        );

        let hyper = &report.findings[1];
        assert_eq!(hyper.id, "CVE-2021-21299");
        assert_eq!(hyper.package.name, "hyper");
        assert_eq!(hyper.package.version.as_deref(), Some("0.13.9"));
        assert_eq!(hyper.fixed_version.as_deref(), Some("0.13.10"));

        let smallvec: Vec<(&str, Option<&str>, Option<&str>)> = report.findings[2..]
            .iter()
            .map(|finding| {
                (
                    finding.id.as_str(),
                    finding.package.version.as_deref(),
                    finding.fixed_version.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            smallvec,
            vec![
                ("CVE-2021-25900", Some("0.6.13"), Some("0.6.14")),
                ("CVE-2021-25900", Some("1.5.0"), Some("1.6.1")),
            ]
        );

        // Two smallvec versions are two findings after merging too.
        let merged =
            crate::report::parse(&fixture_bytes("cargo-audit-many.json"), None).expect("parses");
        assert_eq!(merged.findings.len(), 4);
    }

    #[test]
    fn severity_from_the_advisory_vector() {
        let value = json!({
            "database": {"advisory-count": 1},
            "lockfile": null,
            "vulnerabilities": {"found": true, "count": 1, "list": [{
                "advisory": {
                    "id": "RUSTSEC-2021-0078",
                    "aliases": null,
                    "title": "",
                    "description": "Lenient `hyper` header parsing of `Content-Length` could allow request smuggling\n\nMore.",
                    "url": null,
                    "cvss": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"
                },
                "versions": {"patched": null},
                "package": {"name": "hyper", "version": "0.14.9"}
            }]},
            "warnings": {"unmaintained": [{"advisory": {"id": "RUSTSEC-2020-0016"}}]}
        });
        assert_eq!(detect_json(&value), Some(Format::CargoAudit));
        let report = parse(value).expect("parses");
        assert_eq!(report.packages_scanned, None);
        assert_eq!(report.findings.len(), 1);
        let finding = &report.findings[0];
        assert_eq!(finding.id, "RUSTSEC-2021-0078");
        assert_eq!(
            (finding.severity, finding.cvss_score),
            (Severity::High, Some(7.5))
        );
        assert_eq!(finding.fixed_version, None);
        assert_eq!(
            finding.title.as_deref(),
            Some(
                "Lenient `hyper` header parsing of `Content-Length` could allow request smuggling"
            )
        );
        assert_eq!(
            finding.url.as_deref(),
            Some("https://rustsec.org/advisories/RUSTSEC-2021-0078.html")
        );
    }

    #[test]
    fn no_vulnerabilities() {
        let value = json!({"database": {}, "lockfile": {"dependency-count": 3}, "vulnerabilities": {"found": false, "count": 0, "list": null}});
        let report = parse(value).expect("parses");
        assert!(report.findings.is_empty());
        assert_eq!(report.packages_scanned, Some(3));
    }

    #[test]
    fn not_cargo_audit() {
        match parse(fixture("pip-audit-many.json")) {
            Err(ReportError::Malformed { format, reason }) => {
                assert_eq!(format, Format::CargoAudit);
                assert!(reason.contains("no `vulnerabilities.list`"), "{reason}");
                assert!(reason.contains("pip-audit"), "{reason}");
            }
            outcome => panic!("{outcome:?}"),
        }
        assert!(matches!(
            parse(json!({"vulnerabilities": {"list": {"advisory": 1}}})),
            Err(ReportError::Malformed {
                format: Format::CargoAudit,
                ..
            })
        ));
    }
}
