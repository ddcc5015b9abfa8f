//! `npm audit --json` from npm 7 and later (`auditReportVersion: 2`).

use indexmap::IndexMap;
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::Value;

use super::skeleton::Kind;
use super::{
    decode, highest_score, not_this_format, nullable, pick_fixed, severity, text, worst_label,
    Rating, Skeleton,
};
use crate::report::{choose_id, Finding, Format, Package, Report, ReportError};

/// `auditReportVersion` with a `vulnerabilities` map: npm 6's report had neither.
pub fn recognises(skeleton: &Skeleton) -> bool {
    let fields = &skeleton.fields;
    fields.audit_report_version.is_present() && fields.vulnerabilities.kind == Kind::Object
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NpmReport {
    /// Keyed by package name, in the report's order.
    #[serde(deserialize_with = "nullable")]
    vulnerabilities: IndexMap<String, Entry>,
    #[serde(deserialize_with = "nullable")]
    metadata: Metadata,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Metadata {
    #[serde(deserialize_with = "nullable")]
    dependencies: DependencyCounts,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DependencyCounts {
    total: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Entry {
    /// Advisories against this package, or names of vulnerable dependencies through which
    /// it is affected; only the advisories are findings of this package.
    #[serde(deserialize_with = "nullable")]
    via: Vec<Via>,
    /// Where the package is installed (`node_modules/a/node_modules/b`).
    #[serde(deserialize_with = "nullable")]
    nodes: Vec<String>,
    fix_available: Option<FixAvailable>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Via {
    Advisory(Box<Advisory>),
    /// The name of a dependency through which the package is affected.
    Dependency(#[allow(dead_code)] IgnoredAny),
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Advisory {
    source: Option<Value>,
    #[serde(deserialize_with = "nullable")]
    title: String,
    #[serde(deserialize_with = "nullable")]
    url: String,
    #[serde(deserialize_with = "nullable")]
    severity: String,
    #[serde(deserialize_with = "nullable")]
    cvss: AdvisoryCvss,
    /// The vulnerable versions (`>=4.0.0 <4.3.1`); its upper bound is the fix.
    #[serde(deserialize_with = "nullable")]
    range: String,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct AdvisoryCvss {
    score: Option<f64>,
    vector_string: Option<String>,
}

/// `true`/`false`, or the upgrade that fixes the tree (`{name, version, isSemVerMajor}`).
#[derive(Deserialize)]
#[serde(untagged)]
enum FixAvailable {
    Upgrade {
        #[serde(default, deserialize_with = "nullable")]
        name: String,
        #[serde(default, deserialize_with = "nullable")]
        version: String,
    },
    Flag(#[allow(dead_code)] IgnoredAny),
}

pub fn parse(bytes: &[u8], skeleton: &Skeleton) -> Result<Report, ReportError> {
    let fields = &skeleton.fields;
    if !fields.audit_report_version.is_present() || !fields.vulnerabilities.kind.is_present() {
        return Err(not_this_format(
            Format::NpmAudit,
            skeleton,
            "no `auditReportVersion` and `vulnerabilities` (npm 7 or later)",
        ));
    }
    let report: NpmReport = decode(Format::NpmAudit, bytes, skeleton)?;
    let mut findings = Vec::new();
    for (name, entry) in report.vulnerabilities {
        // npm names the upgrade that fixes the tree; it fixes this package only when it
        // upgrades this package.
        let own_fix = match &entry.fix_available {
            Some(FixAvailable::Upgrade {
                name: upgraded,
                version,
            }) if *upgraded == name => text(version.as_str()),
            _ => None,
        };
        for via in &entry.via {
            if let Via::Advisory(advisory) = via {
                findings.push(finding(&name, advisory, own_fix.clone(), &entry.nodes));
            }
        }
    }
    Ok(Report {
        notes: Vec::new(),
        format: Format::NpmAudit,
        scanner: "npm audit".into(),
        scanner_version: None,
        report_id: None,
        packages_scanned: report.metadata.dependencies.total,
        findings,
    })
}

fn finding(name: &str, advisory: &Advisory, own_fix: Option<String>, nodes: &[String]) -> Finding {
    let (id, aliases) = choose_id(&advisory_id(advisory), &[]);
    let cvss_score = highest_score([Rating {
        score: advisory.cvss.score,
        vector: advisory.cvss.vector_string.as_deref(),
    }]);
    // The first version past the vulnerable range, else npm's own upgrade of this package.
    let fixed_version = pick_fixed(None, range_fix(&advisory.range)).or(own_fix);
    Finding {
        id,
        aliases,
        package: Package {
            name: name.to_string(),
            // npm audit does not say which version is installed.
            version: None,
            ecosystem: Some("npm".into()),
            purl: None,
        },
        severity: severity(worst_label([advisory.severity.as_str()]), cvss_score),
        cvss_score,
        fixed_version,
        title: text(advisory.title.as_str()),
        url: text(advisory.url.as_str()),
        targets: nodes
            .iter()
            .filter_map(|node| text(node.as_str()))
            .collect(),
        kev: None,
        epss: None,
        in_kev: false,
    }
}

/// The GHSA id at the end of the advisory URL, else npm's numeric advisory number.
fn advisory_id(advisory: &Advisory) -> String {
    let last = advisory
        .url
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    if last.starts_with("GHSA-") {
        return last.to_string();
    }
    match &advisory.source {
        Some(Value::Number(number)) => format!("NPM-{number}"),
        Some(Value::String(source)) if !source.is_empty() => format!("NPM-{source}"),
        _ => text(advisory.url.as_str()).unwrap_or_else(|| "NPM-UNKNOWN".into()),
    }
}

/// Fixed versions implied by a vulnerable range: the `<X` bound of each alternative
/// (`>=4.0.0 <4.3.1` → `4.3.1`). A `<=X` bound says the fix is not known.
fn range_fix(range: &str) -> Vec<&str> {
    range
        .split("||")
        .filter_map(|alternative| {
            alternative
                .split_whitespace()
                .find_map(|comparator| comparator.strip_prefix('<'))
                .filter(|bound| !bound.starts_with('='))
                .map(str::trim)
                .filter(|bound| !bound.is_empty())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::test_support::{detect_json, fixture, parse_json};
    use super::*;
    use crate::report::Severity;

    /// The parser on a JSON value's bytes.
    fn parse(value: Value) -> Result<Report, ReportError> {
        parse_json(Format::NpmAudit, &value)
    }

    #[test]
    fn many_vulnerabilities() {
        let value = fixture("npm-audit-many.json");
        assert_eq!(detect_json(&value), Some(Format::NpmAudit));
        let report = parse(value).expect("parses");
        assert_eq!(report.scanner, "npm audit");
        assert_eq!(report.packages_scanned, Some(1180));
        // Six entries, three advisories: the rest are affected through dependencies.
        assert_eq!(report.findings.len(), 3);

        let debug = &report.findings[0];
        assert_eq!(debug.id, "GHSA-gxpj-cx7g-858c");
        assert_eq!(debug.package.name, "debug");
        assert_eq!(debug.package.version, None);
        assert_eq!(debug.package.ecosystem.as_deref(), Some("npm"));
        assert_eq!(debug.severity, Severity::Medium);
        assert_eq!(debug.cvss_score, Some(5.3));
        // vercel@32.3.0 is the tree's fix; debug's own is the end of `>=4.0.0 <4.3.1`.
        assert_eq!(debug.fixed_version.as_deref(), Some("4.3.1"));
        assert_eq!(
            debug.targets,
            vec!["node_modules/@vercel/fun/node_modules/debug"]
        );
        assert_eq!(
            debug.title.as_deref(),
            Some("Regular Expression Denial of Service in debug")
        );
        assert_eq!(
            debug.url.as_deref(),
            Some("https://github.com/advisories/GHSA-gxpj-cx7g-858c")
        );

        let semver = &report.findings[1];
        assert_eq!(semver.id, "GHSA-c2qf-rxjj-qqgw");
        assert_eq!(semver.package.name, "semver");
        assert_eq!(semver.severity, Severity::Medium);
        assert_eq!(semver.fixed_version.as_deref(), Some("7.5.2"));
        assert_eq!(
            semver.targets,
            vec!["node_modules/@vercel/fun/node_modules/semver"]
        );

        let undici = &report.findings[2];
        assert_eq!(undici.id, "GHSA-3787-6prv-h9w3");
        assert_eq!(undici.package.name, "undici");
        assert_eq!(undici.severity, Severity::Low);
        assert_eq!(undici.cvss_score, Some(3.9));
        // `<=5.28.2` names no fix, and npm's fix upgrades vercel, not undici.
        assert_eq!(undici.fixed_version, None);
        assert_eq!(undici.targets, vec!["node_modules/undici"]);
    }

    #[test]
    fn own_upgrade_null_lists_and_vector_only_severity() {
        let value = json!({
            "auditReportVersion": 2,
            "vulnerabilities": {
                "minimist": {
                    "name": "minimist",
                    "via": [{
                        "source": 1096,
                        "title": "Prototype Pollution in minimist",
                        "url": "https://example.com/advisory",
                        "severity": "info",
                        "cvss": {"score": 0, "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
                        "range": "<=1.2.5"
                    }],
                    "nodes": null,
                    "fixAvailable": {"name": "minimist", "version": "1.2.8", "isSemVerMajor": false}
                },
                "left-pad": {"name": "left-pad", "via": null, "fixAvailable": true}
            },
            "metadata": null
        });
        let report = parse(value).expect("parses");
        assert_eq!(report.packages_scanned, None);
        assert_eq!(report.findings.len(), 1);
        let finding = &report.findings[0];
        assert_eq!(finding.id, "NPM-1096");
        // `info` is no severity; a zero score is none; the vector gives 9.8.
        assert_eq!(
            (finding.severity, finding.cvss_score),
            (Severity::Critical, Some(9.8))
        );
        assert_eq!(finding.fixed_version.as_deref(), Some("1.2.8"));
        assert!(finding.targets.is_empty());
    }

    #[test]
    fn no_vulnerabilities() {
        let value = json!({"auditReportVersion": 2, "vulnerabilities": {}, "metadata": {"dependencies": {"total": 12}}});
        assert_eq!(detect_json(&value), Some(Format::NpmAudit));
        let report = parse(value).expect("parses");
        assert!(report.findings.is_empty());
        assert_eq!(report.packages_scanned, Some(12));
    }

    #[test]
    fn ranges() {
        assert_eq!(range_fix(">=4.0.0 <4.3.1"), vec!["4.3.1"]);
        assert_eq!(
            range_fix("<1.2.3 || >=2.0.0 <2.1.1"),
            vec!["1.2.3", "2.1.1"]
        );
        assert!(range_fix("<=5.28.2").is_empty());
        assert!(range_fix("*").is_empty());
    }

    #[test]
    fn not_npm() {
        match parse(fixture("cargo-audit-many.json")) {
            Err(ReportError::Malformed { format, reason }) => {
                assert_eq!(format, Format::NpmAudit);
                assert!(reason.contains("auditReportVersion"), "{reason}");
                assert!(reason.contains("cargo-audit"), "{reason}");
            }
            outcome => panic!("{outcome:?}"),
        }
        assert!(matches!(
            parse(json!({"auditReportVersion": 2, "vulnerabilities": []})),
            Err(ReportError::Malformed {
                format: Format::NpmAudit,
                ..
            })
        ));
    }
}
