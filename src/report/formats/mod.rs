//! One module per scanner format, recognising a format from its structure, and the small
//! rules every format shares (severity, fixed version, title).

mod cargo_audit;
mod cyclonedx;
mod dependency_check;
mod gitlab;
mod grype;
mod npm_audit;
mod osv;
mod pip_audit;
mod sarif;
mod skeleton;
mod snyk;
mod trivy;

use std::cmp::Ordering;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

pub use skeleton::Skeleton;

use super::{cvss, Format, Report, ReportError, Severity};
use crate::version;
use skeleton::Kind;

/// Says whether a report has the shape of one format.
type Recogniser = fn(&Skeleton) -> bool;

/// Which format a report is, from keys only that format has.
///
/// CycloneDX goes first because its `bomFormat` is unambiguous, then SARIF (`runs` with
/// version 2.1.0 or a SARIF `$schema`); Trivy, Grype, GitLab (`scan.type`), npm and cargo
/// audit have a distinctive pair of keys; Snyk's `vulnerabilities` have `packageName`,
/// which neither CycloneDX's nor GitLab's have; Dependency-Check has `reportSchema`; OSV
/// and pip-audit, whose top-level keys are generic words (`results`, `dependencies`), are
/// checked last and by their items' shape.
pub fn detect(skeleton: &Skeleton) -> Option<Format> {
    let checks: [(Format, Recogniser); 11] = [
        (Format::Cyclonedx, cyclonedx::recognises),
        (Format::Sarif, sarif::recognises),
        (Format::Trivy, trivy::recognises),
        (Format::Grype, grype::recognises),
        (Format::Gitlab, gitlab::recognises),
        (Format::NpmAudit, npm_audit::recognises),
        (Format::CargoAudit, cargo_audit::recognises),
        (Format::Snyk, snyk::recognises),
        (Format::DependencyCheck, dependency_check::recognises),
        (Format::Osv, osv::recognises),
        (Format::PipAudit, pip_audit::recognises),
    ];
    checks
        .into_iter()
        .find(|(_, recognises)| recognises(skeleton))
        .map(|(format, _)| format)
}

/// Reads the report in `bytes` as `format`; `skeleton` is the same document's skeleton,
/// which also vouches that the bytes are valid JSON.
pub fn parse(format: Format, bytes: &[u8], skeleton: &Skeleton) -> Result<Report, ReportError> {
    match format {
        Format::Trivy => trivy::parse(bytes, skeleton),
        Format::Grype => grype::parse(bytes, skeleton),
        Format::Osv => osv::parse(bytes, skeleton),
        Format::Cyclonedx => cyclonedx::parse(bytes, skeleton),
        Format::NpmAudit => npm_audit::parse(bytes, skeleton),
        Format::PipAudit => pip_audit::parse(bytes, skeleton),
        Format::CargoAudit => cargo_audit::parse(bytes, skeleton),
        Format::Sarif => sarif::parse(bytes, skeleton),
        Format::DependencyCheck => dependency_check::parse(bytes, skeleton),
        Format::Snyk => snyk::parse(bytes, skeleton),
        Format::Gitlab => gitlab::parse(bytes, skeleton),
    }
}

/// The error for a report that is not `format`: says what was missing and, when the
/// report is recognisably another format, which one (the usual mistake is a wrong
/// `--format`).
fn not_this_format(format: Format, skeleton: &Skeleton, missing: &str) -> ReportError {
    let hint = match detect(skeleton) {
        Some(other) if other != format => format!(" (it looks like a {other} report)"),
        _ => String::new(),
    };
    let shape = match skeleton.kind {
        Kind::Object => "",
        Kind::Array => "the top level is a list; ",
        _ => "the top level is not an object; ",
    };
    ReportError::Malformed {
        format,
        reason: format!("{shape}{missing}{hint}"),
    }
}

/// Reads the serde types of `format` straight from the report's bytes (no JSON tree in
/// between); a type mismatch (a list where a record belongs, text where a number belongs)
/// makes the report malformed.
///
/// A report that repeats a key in some object goes through a `serde_json::Value`, which
/// keeps the last occurrence, where the derived types would refuse a repeated field.
fn decode<T: DeserializeOwned>(
    format: Format,
    bytes: &[u8],
    skeleton: &Skeleton,
) -> Result<T, ReportError> {
    let decoded = if skeleton.duplicate_keys {
        serde_json::from_slice::<serde_json::Value>(bytes).and_then(serde_json::from_value)
    } else {
        serde_json::from_slice(bytes)
    };
    decoded.map_err(|error| ReportError::Malformed {
        format,
        reason: error.to_string(),
    })
}

/// `null` read as the default: scanners write `"Vulnerabilities": null` and `"purl": null`
/// as readily as they leave a key out.
fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// `Some` only for text with something in it: scanners write `""` for "not known".
fn text(value: impl Into<String>) -> Option<String> {
    let value = value.into();
    if value.trim().is_empty() {
        None
    } else {
        Some(value)
    }
}

/// One CVSS rating a record gives: a numeric base score, a vector, or both.
struct Rating<'a> {
    score: Option<f64>,
    vector: Option<&'a str>,
}

/// The highest CVSS v3/v4 base score among `ratings`: each rating's own number when it
/// has one, else the score computed from its vector. Zero counts as "no score" because
/// npm audit and Grype write 0 when they have none.
fn highest_score<'a>(ratings: impl IntoIterator<Item = Rating<'a>>) -> Option<f64> {
    ratings
        .into_iter()
        .filter_map(|rating| {
            rating
                .score
                .filter(|score| score.is_finite() && *score > 0.0)
                .or_else(|| rating.vector.and_then(cvss::base_score))
        })
        .filter(|score| *score > 0.0)
        .reduce(f64::max)
}

/// The worst severity among a record's labels; unrecognised labels (`UNKNOWN`, `info`) are
/// skipped.
fn worst_label<'a>(labels: impl IntoIterator<Item = &'a str>) -> Option<Severity> {
    labels.into_iter().filter_map(Severity::from_label).max()
}

/// docs/reference.md §9: the scanner's label, else the CVSS score, else unknown.
fn severity(label: Option<Severity>, score: Option<f64>) -> Severity {
    label.unwrap_or_else(|| score.map_or(Severity::Unknown, Severity::from_score))
}

/// The fixed version to show for a package at `installed`: the lowest listed fix that is
/// newer than the installed version, because lists such as Django's `2.2.25, 3.1.14,
/// 3.2.10` hold one fix per release line and only one of them is an upgrade for 3.2.9.
/// When the installed version is not known, or no listed fix is newer, the first listed.
/// "Newer" is the order of [`crate::version`], the one `deny_packages` rules use too.
pub(crate) fn pick_fixed<'a>(
    installed: Option<&str>,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let candidates: Vec<&str> = candidates
        .into_iter()
        .map(str::trim)
        .filter(|candidate| !candidate.is_empty())
        .collect();
    let newer = installed.and_then(|installed| {
        candidates
            .iter()
            .filter(|candidate| version::compare(candidate, installed) == Ordering::Greater)
            .min_by(|left, right| version::compare(left, right))
    });
    newer
        .or(candidates.first())
        .map(|version| version.to_string())
}

/// The version a requirement such as `>=1.2.3`, `^0.4.8` or `>=0.13.10, <0.14.0` starts
/// at: the first comparator's version, without its operator.
fn requirement_floor(requirement: &str) -> Option<&str> {
    let first = requirement.split(',').next()?.trim();
    let version = first.trim_start_matches(['>', '<', '=', '^', '~', ' ']);
    if first.starts_with('<') || version.is_empty() {
        None
    } else {
        Some(version.trim())
    }
}

/// A one-line title from a description, for scanners that give no title: its first line,
/// cut at the end of the first sentence or at a word boundary when it is long.
fn headline(description: &str) -> Option<String> {
    const LIMIT: usize = 160;
    let line = description
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())?;
    if line.chars().count() <= LIMIT {
        return Some(line.to_string());
    }
    let within: String = line.chars().take(LIMIT).collect();
    if let Some(end) = within.find(". ") {
        return Some(within[..=end].to_string());
    }
    let cut = within.rfind(' ').unwrap_or(within.len());
    Some(format!("{}…", within[..cut].trim_end()))
}

/// A package URL's ecosystem (its type), name and version: `pkg:maven/dom4j/dom4j@1.6.1` is
/// `maven`, `dom4j:dom4j` (group and artifact, as Trivy and Grype name Java packages),
/// `1.6.1`; `pkg:npm/%40babel/core@7.0.0` is `npm`, `@babel/core`, `7.0.0`. Qualifiers and
/// subpath are dropped; `None` when it is not a `pkg:` URL with a name.
fn purl_parts(purl: &str) -> Option<(String, String, Option<String>)> {
    let rest = purl.trim().strip_prefix("pkg:")?;
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (kind, path) = rest.split_once('/')?;
    let (path, version) = match path.rfind('@') {
        Some(at) if at > 0 => (&path[..at], text(percent_decoded(&path[at + 1..]))),
        _ => (path, None),
    };
    let segments: Vec<String> = path
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(percent_decoded)
        .collect();
    let (name, namespace) = segments.split_last()?;
    let kind = kind.to_ascii_lowercase();
    let separator = if kind == "maven" { ":" } else { "/" };
    let full = if namespace.is_empty() {
        name.clone()
    } else {
        format!("{}{separator}{name}", namespace.join("/"))
    };
    Some((kind, full, version))
}

/// `%40` and the like decoded; anything not a valid escape is kept as written.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escape = (bytes[index] == b'%')
            .then(|| bytes.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escape {
            Some(byte) => {
                decoded.push(byte);
                index += 3;
            }
            None => {
                decoded.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// The version a fix list names in prose such as GitLab's `Upgrade to version 2.2.3 or
/// above.` or `Upgrade to versions 2.2.25, 3.1.14 or above.`: the version-like words
/// (starting with a digit, or `v` and a digit) after `upgrade to`, up to the end of that
/// sentence.
fn upgrade_versions(prose: &str) -> Vec<String> {
    let lower = prose.to_ascii_lowercase();
    let Some(start) = lower.find("upgrade to") else {
        return Vec::new();
    };
    let rest = &prose[start + "upgrade to".len()..];
    let sentence = rest.split(". ").next().unwrap_or(rest);
    let sentence = sentence.lines().next().unwrap_or(sentence);
    sentence
        .split(|character: char| character.is_whitespace() || character == ',')
        .map(|word| word.trim_end_matches(['.', ';', ')']))
        .filter(|word| {
            let digits = word.strip_prefix('v').unwrap_or(word);
            digits.starts_with(|first: char| first.is_ascii_digit())
        })
        .map(str::to_string)
        .collect()
}

/// OSV's page for an advisory id (GHSA-, PYSEC-, RUSTSEC-, GO-, …), for reports that give
/// an id but no link.
fn osv_link(id: &str) -> String {
    format!("https://osv.dev/vulnerability/{id}")
}

#[cfg(test)]
mod test_support {
    use serde_json::Value;

    use super::{Format, Report, ReportError, Skeleton};

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/reports/");

    pub fn fixture_bytes(name: &str) -> Vec<u8> {
        let path = format!("{FIXTURES}{name}");
        std::fs::read(&path).unwrap_or_else(|error| panic!("reading {path}: {error}"))
    }

    pub fn fixture(name: &str) -> Value {
        serde_json::from_slice(&fixture_bytes(name))
            .unwrap_or_else(|error| panic!("{name} is not JSON: {error}"))
    }

    /// Detection on a JSON value's bytes.
    pub fn detect_json(value: &Value) -> Option<Format> {
        let bytes = serde_json::to_vec(value).expect("serialises");
        super::detect(&Skeleton::read(&bytes).expect("valid JSON"))
    }

    /// A finding as (id, package, version, severity, fixed version), for comparing a
    /// report's findings with hand-worked ones at a glance.
    pub type Row<'a> = (
        &'a str,
        &'a str,
        Option<&'a str>,
        super::Severity,
        Option<&'a str>,
    );

    pub fn rows(report: &Report) -> Vec<Row<'_>> {
        report
            .findings
            .iter()
            .map(|finding| {
                (
                    finding.id.as_str(),
                    finding.package.name.as_str(),
                    finding.package.version.as_deref(),
                    finding.severity,
                    finding.fixed_version.as_deref(),
                )
            })
            .collect()
    }

    /// One format's parser (without merging) on a JSON value's bytes.
    pub fn parse_json(format: Format, value: &Value) -> Result<Report, ReportError> {
        let bytes = serde_json::to_vec(value).expect("serialises");
        super::parse(format, &bytes, &Skeleton::read(&bytes).expect("valid JSON"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn anything_else_is_not_recognised() {
        for value in [
            json!({}),
            json!({"foo": 1}),
            json!([]),
            json!([1, 2]),
            json!("text"),
            json!(null),
            json!({"results": "x"}),
            json!({"dependencies": [{"ref": "a", "dependsOn": []}]}),
            json!({"matches": []}),
            json!({"vulnerabilities": {"list": []}}),
            json!({"vulnerabilities": []}),
            json!({"vulnerabilities": [{"id": "CVE-1"}]}),
            json!({"runs": []}),
            json!({"version": "2.1.0", "runs": {}}),
            json!([{"Vulnerabilities": []}]),
            json!([{"vulnerabilities": []}]),
            json!({"scan": {"type": 3}, "vulnerabilities": []}),
        ] {
            assert_eq!(test_support::detect_json(&value), None, "{value}");
        }
    }

    #[test]
    fn every_fixture_is_recognised_as_its_format() {
        let cases = [
            ("trivy-alpine-39.json", Format::Trivy),
            ("trivy-pom.json", Format::Trivy),
            ("trivy-no-vuln.json", Format::Trivy),
            ("grype-snapshot.json", Format::Grype),
            ("grype-same-cve.json", Format::Grype),
            ("osv-results-a.json", Format::Osv),
            ("osv-some-findings.json", Format::Osv),
            ("cyclonedx-trivy-pom.json", Format::Cyclonedx),
            ("cyclonedx-vex-1.4.json", Format::Cyclonedx),
            ("npm-audit-many.json", Format::NpmAudit),
            ("pip-audit-many.json", Format::PipAudit),
            ("cargo-audit-many.json", Format::CargoAudit),
            ("trivy-legacy-mix.json", Format::Trivy),
            ("trivy-legacy-nodejs.json", Format::Trivy),
            ("sarif-trivy-alpine-310.sarif", Format::Sarif),
            ("sarif-grype-image.sarif", Format::Sarif),
            ("sarif-anchore-2022-image.sarif", Format::Sarif),
            ("dependency-check-cvss-v4.json", Format::DependencyCheck),
            ("dependency-check-exceptions.json", Format::DependencyCheck),
            (
                "dependency-check-multi-module.json",
                Format::DependencyCheck,
            ),
            ("snyk-all-projects-many.json", Format::Snyk),
            ("snyk-container-epss.json", Format::Snyk),
            ("snyk-one-vuln-ampersands.json", Format::Snyk),
            ("gitlab-dependency-scanning-many.json", Format::Gitlab),
            ("gitlab-dependency-scanning-sonatype.json", Format::Gitlab),
            ("gitlab-container-scanning-1-vuln.json", Format::Gitlab),
        ];
        for (name, format) in cases {
            assert_eq!(
                test_support::detect_json(&test_support::fixture(name)),
                Some(format),
                "{name}"
            );
        }
    }

    /// Every format refuses every other format's fixture, naming what it missed.
    #[test]
    fn the_wrong_format_is_malformed() {
        let samples = [
            (Format::Trivy, "trivy-pom.json"),
            (Format::Grype, "grype-snapshot.json"),
            (Format::Osv, "osv-results-a.json"),
            (Format::Cyclonedx, "cyclonedx-trivy-pom.json"),
            (Format::NpmAudit, "npm-audit-many.json"),
            (Format::PipAudit, "pip-audit-many.json"),
            (Format::CargoAudit, "cargo-audit-many.json"),
            (Format::Sarif, "sarif-trivy-alpine-310.sarif"),
            (Format::DependencyCheck, "dependency-check-exceptions.json"),
            (Format::Snyk, "snyk-all-projects-many.json"),
            (Format::Gitlab, "gitlab-dependency-scanning-sonatype.json"),
        ];
        for (format, _) in samples {
            for (other, name) in samples {
                if other == format {
                    continue;
                }
                match test_support::parse_json(format, &test_support::fixture(name)) {
                    Err(ReportError::Malformed {
                        format: reported,
                        reason,
                    }) => {
                        assert_eq!(reported, format);
                        assert!(
                            reason.contains(&format!("it looks like a {other} report")),
                            "{format} on {name}: {reason}"
                        );
                    }
                    outcome => panic!("{format} on {name}: {outcome:?}"),
                }
            }
        }
    }

    #[test]
    fn scores_and_labels() {
        let ratings = [
            Rating {
                score: Some(0.0),
                vector: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"),
            },
            Rating {
                score: Some(5.3),
                vector: None,
            },
            Rating {
                score: None,
                vector: Some("AV:N/AC:L/Au:N/C:P/I:P/A:P"),
            },
        ];
        assert_eq!(highest_score(ratings), Some(7.5));
        assert_eq!(highest_score([]), None);
        assert_eq!(
            worst_label(["UNKNOWN", "moderate", "High"]),
            Some(Severity::High)
        );
        assert_eq!(
            severity(Some(Severity::Low), Some(9.8)),
            Severity::Low,
            "the label wins"
        );
        assert_eq!(severity(None, Some(9.8)), Severity::Critical);
        assert_eq!(severity(None, None), Severity::Unknown);
    }

    #[test]
    fn fixed_versions_upgrade_the_installed_one() {
        assert_eq!(
            pick_fixed(Some("3.2.9"), ["2.2.25", "3.1.14", "3.2.10"]).as_deref(),
            Some("3.2.10")
        );
        assert_eq!(
            pick_fixed(Some("1.2.13"), ["1.5.13", "1.3.15"]).as_deref(),
            Some("1.3.15")
        );
        assert_eq!(
            pick_fixed(None, ["2.2.25", "3.2.10"]).as_deref(),
            Some("2.2.25")
        );
        assert_eq!(pick_fixed(Some("9"), ["1", "2"]).as_deref(), Some("1"));
        assert_eq!(pick_fixed(Some("1"), Vec::<&str>::new()), None);
        assert_eq!(requirement_floor(">=0.13.10, <0.14.0"), Some("0.13.10"));
        assert_eq!(requirement_floor("^0.4.8"), Some("0.4.8"));
        assert_eq!(requirement_floor("<0.4.2"), None);
    }

    #[test]
    fn package_urls() {
        let parts = |purl: &str| purl_parts(purl);
        assert_eq!(
            parts("pkg:maven/dom4j/dom4j@1.6.1"),
            Some(("maven".into(), "dom4j:dom4j".into(), Some("1.6.1".into())))
        );
        assert_eq!(
            parts("pkg:npm/%40isaacs%2Fcliui@8.0.2"),
            Some(("npm".into(), "@isaacs/cliui".into(), Some("8.0.2".into())))
        );
        assert_eq!(
            parts("pkg:npm/%40babel/core@7.0.0?x=1#sub"),
            Some(("npm".into(), "@babel/core".into(), Some("7.0.0".into())))
        );
        assert_eq!(
            parts("pkg:golang/github.com/gin-gonic/gin@v1.6.0"),
            Some((
                "golang".into(),
                "github.com/gin-gonic/gin".into(),
                Some("v1.6.0".into())
            ))
        );
        assert_eq!(
            parts("pkg:golang/dependency.check/test"),
            Some(("golang".into(), "dependency.check/test".into(), None))
        );
        assert_eq!(parts("cpe:2.3:a:x:y"), None);
        assert_eq!(parts("pkg:npm"), None);
        assert_eq!(percent_decoded("100%25 %zz %4"), "100% %zz %4");
    }

    #[test]
    fn upgrade_prose() {
        assert_eq!(
            upgrade_versions("Upgrade to version 0.3.3 or above."),
            vec!["0.3.3"]
        );
        assert_eq!(
            upgrade_versions("Upgrade to versions 2.2.25, 3.1.14, 3.2.10 or above."),
            vec!["2.2.25", "3.1.14", "3.2.10"]
        );
        assert_eq!(
            upgrade_versions(
                "Upgrade to version v0.0.0-20201216223049-8b5274cf687f or above. See CVE-2020-1."
            ),
            vec!["v0.0.0-20201216223049-8b5274cf687f"]
        );
        assert!(upgrade_versions("Upgrade to the latest version.").is_empty());
        assert!(upgrade_versions(
            "We recommend upgrading to a version of this component that is not vulnerable."
        )
        .is_empty());
        assert!(upgrade_versions("").is_empty());
    }

    #[test]
    fn headlines() {
        assert_eq!(
            headline("\n  Short title\nmore").as_deref(),
            Some("Short title")
        );
        assert_eq!(headline(" \n "), None);
        let long = format!("First sentence. {}", "word ".repeat(60));
        assert_eq!(headline(&long).as_deref(), Some("First sentence."));
        let unbroken = "word ".repeat(60);
        let title = headline(&unbroken).unwrap_or_default();
        assert!(
            title.ends_with("word…") && title.chars().count() <= 161,
            "{title}"
        );
    }
}
