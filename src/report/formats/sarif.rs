//! SARIF 2.1.0 from dependency scanners (`trivy --format sarif`, `grype -o sarif`,
//! `snyk test --sarif`, `osv-scanner --format sarif`, and the older Anchore output).
//!
//! SARIF has no field for a package or a fixed version, so every producer puts them
//! somewhere else; the producer is read from `tool.driver.name` and its places are tried
//! first:
//!
//! - Trivy: rule id = vulnerability id; the severity in `properties.tags`; package,
//!   installed and fixed version as `Package:` lines in the result's message.
//! - Grype (and older Anchore output, whose rule ids read
//!   `ANCHOREVULN_<input>_<id>_<type>_<package>_<version>`): rule id = `<id>-<package>`;
//!   id, package, version and fix as lines of the rule's `help.text`; the severity from
//!   `properties.security-severity`.
//! - Snyk Open Source: the CVEs in the rule's `fullDescription` (`(CVE-…) name@version`);
//!   `package@version` as the logical location; the fix in `fixes`.
//! - OSV-Scanner: `Package 'name@version' is vulnerable to 'ID' (also known as …)` in the
//!   message; fixes in the help's table.
//!
//! Results that are not about a vulnerable package (misconfigurations, secrets, licences,
//! code findings) are skipped and counted in a note.

use std::collections::HashMap;

use serde::{Deserialize, Deserializer};

use super::skeleton::Kind;
use super::{decode, headline, not_this_format, nullable, pick_fixed, text, worst_label, Skeleton};
use crate::report::{choose_id, cvss, Finding, Format, Package, Report, ReportError, Severity};

/// A `runs` list with a SARIF `version` or `$schema`.
pub fn recognises(skeleton: &Skeleton) -> bool {
    let fields = &skeleton.fields;
    fields.runs == Kind::Array
        && (fields.version.as_deref() == Some("2.1.0")
            || fields
                .schema
                .as_deref()
                .is_some_and(|schema| schema.to_ascii_lowercase().contains("sarif")))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SarifLog {
    #[serde(deserialize_with = "nullable")]
    runs: Vec<Run>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Run {
    #[serde(deserialize_with = "nullable")]
    tool: Tool,
    #[serde(deserialize_with = "nullable")]
    results: Vec<SarifResult>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Tool {
    #[serde(deserialize_with = "nullable")]
    driver: Driver,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Driver {
    #[serde(deserialize_with = "nullable")]
    name: String,
    #[serde(deserialize_with = "nullable")]
    version: String,
    #[serde(deserialize_with = "nullable")]
    semantic_version: String,
    #[serde(deserialize_with = "nullable")]
    information_uri: String,
    #[serde(deserialize_with = "nullable")]
    rules: Vec<Rule>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Rule {
    #[serde(deserialize_with = "nullable")]
    id: String,
    #[serde(deserialize_with = "nullable")]
    short_description: Message,
    #[serde(deserialize_with = "nullable")]
    full_description: Message,
    #[serde(deserialize_with = "nullable")]
    help: Message,
    #[serde(deserialize_with = "nullable")]
    help_uri: String,
    #[serde(deserialize_with = "nullable")]
    properties: Properties,
}

/// A SARIF message or multiformat string: plain text and Markdown.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Message {
    #[serde(deserialize_with = "nullable")]
    text: String,
    #[serde(deserialize_with = "nullable")]
    markdown: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Properties {
    #[serde(deserialize_with = "nullable")]
    tags: Vec<String>,
    /// GitHub's severity property: a CVSS-like number, written as text by most producers.
    #[serde(rename = "security-severity", deserialize_with = "loose_number")]
    security_severity: Option<Score>,
    /// Trivy and Snyk add the CVSS v3 score and vector (for AWS Security Hub).
    #[serde(rename = "cvssv3_baseScore", deserialize_with = "loose_number")]
    cvss_score: Option<Score>,
    #[serde(deserialize_with = "nullable")]
    cvssv3_vector: String,
    /// Grype lists the package's purls.
    #[serde(deserialize_with = "nullable")]
    purls: Vec<String>,
}

/// A number written as a number or as text; `NotANumber` when it is neither.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Score {
    Number(f64),
    NotANumber,
}

fn loose_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Score>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Loose {
        Number(f64),
        Text(String),
        Other(serde::de::IgnoredAny),
    }
    Ok(match Option::<Loose>::deserialize(deserializer)? {
        None => None,
        Some(Loose::Number(number)) => Some(Score::Number(number)),
        Some(Loose::Text(text)) => Some(
            text.trim()
                .parse::<f64>()
                .ok()
                .filter(|number| number.is_finite())
                .map_or(Score::NotANumber, Score::Number),
        ),
        Some(Loose::Other(_)) => Some(Score::NotANumber),
    })
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct SarifResult {
    #[serde(deserialize_with = "nullable")]
    rule_id: String,
    rule_index: Option<i64>,
    #[serde(deserialize_with = "nullable")]
    rule: RuleReference,
    #[serde(deserialize_with = "nullable")]
    message: Message,
    #[serde(deserialize_with = "nullable")]
    locations: Vec<Location>,
    #[serde(deserialize_with = "nullable")]
    fixes: Vec<Fix>,
    #[serde(deserialize_with = "nullable")]
    suppressions: Vec<Suppression>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RuleReference {
    #[serde(deserialize_with = "nullable")]
    id: String,
    index: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Location {
    #[serde(deserialize_with = "nullable")]
    physical_location: PhysicalLocation,
    #[serde(deserialize_with = "nullable")]
    logical_locations: Vec<LogicalLocation>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct PhysicalLocation {
    #[serde(deserialize_with = "nullable")]
    artifact_location: ArtifactLocation,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ArtifactLocation {
    #[serde(deserialize_with = "nullable")]
    uri: String,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct LogicalLocation {
    #[serde(deserialize_with = "nullable")]
    fully_qualified_name: String,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Fix {
    #[serde(deserialize_with = "nullable")]
    description: Message,
    #[serde(deserialize_with = "nullable")]
    artifact_changes: Vec<ArtifactChange>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ArtifactChange {
    #[serde(deserialize_with = "nullable")]
    replacements: Vec<Replacement>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Replacement {
    #[serde(deserialize_with = "nullable")]
    inserted_content: Message,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Suppression {
    #[serde(deserialize_with = "nullable")]
    status: String,
}

/// Whose SARIF it is, from `tool.driver.name`: where its package facts are.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Producer {
    Trivy,
    /// Grype and the Anchore output it grew from: facts in the rule's help text.
    Grype,
    Snyk,
    OsvScanner,
    Other,
}

impl Producer {
    fn of(driver: &str) -> Producer {
        let name = driver.trim().to_ascii_lowercase();
        if name.contains("trivy") {
            Producer::Trivy
        } else if name == "grype" || name.starts_with("anchore") {
            Producer::Grype
        } else if name.starts_with("snyk") {
            Producer::Snyk
        } else if name.contains("osv-scanner") || name.contains("osv scanner") {
            Producer::OsvScanner
        } else {
            Producer::Other
        }
    }
}

pub fn parse(bytes: &[u8], skeleton: &Skeleton) -> Result<Report, ReportError> {
    if skeleton.fields.runs != Kind::Array {
        return Err(not_this_format(Format::Sarif, skeleton, "no `runs` list"));
    }
    let log: SarifLog = decode(Format::Sarif, bytes, skeleton)?;
    let mut findings = Vec::with_capacity(log.runs.iter().map(|run| run.results.len()).sum());
    let mut skipped = 0_usize;
    let mut total = 0_usize;
    let first_driver = log.runs.first().map(|run| &run.tool.driver);
    let scanner = first_driver
        .and_then(|driver| text(driver.name.as_str()))
        .unwrap_or_else(|| "sarif".into());
    // `[not provided]` is Grype's way of saying it has no version.
    let scanner_version = first_driver
        .and_then(|driver| {
            text(driver.version.as_str()).or_else(|| text(driver.semantic_version.as_str()))
        })
        .filter(|version| !version.starts_with('['));
    // Results whose rule is missing are read with an empty one.
    let no_rule = Rule::default();
    for run in &log.runs {
        let driver = &run.tool.driver;
        let producer = Producer::of(&driver.name);
        let by_id: HashMap<&str, &Rule> = driver
            .rules
            .iter()
            .map(|rule| (rule.id.as_str(), rule))
            .collect();
        for result in &run.results {
            total += 1;
            if result
                .suppressions
                .iter()
                .any(|suppression| suppression.status == "accepted")
            {
                skipped += 1;
                continue;
            }
            let rule = find_rule(result, &driver.rules, &by_id).unwrap_or(&no_rule);
            match finding(producer, driver, result, rule) {
                Some(finding) => findings.push(finding),
                None => skipped += 1,
            }
        }
    }
    let notes = if skipped > 0 {
        vec![format!(
            "{skipped} of {total} SARIF results are not about a vulnerable package (misconfigurations, secrets, licences or code findings) and were skipped"
        )]
    } else {
        Vec::new()
    };
    Ok(Report {
        format: Format::Sarif,
        scanner,
        scanner_version,
        report_id: None,
        packages_scanned: None,
        findings,
        notes,
    })
}

/// The rule a result refers to: by index when the index points at a rule of that id (or
/// the result gives no id), else by id.
fn find_rule<'a>(
    result: &SarifResult,
    rules: &'a [Rule],
    by_id: &HashMap<&str, &'a Rule>,
) -> Option<&'a Rule> {
    let id = if result.rule_id.is_empty() {
        result.rule.id.as_str()
    } else {
        result.rule_id.as_str()
    };
    let indexed = result
        .rule_index
        .or(result.rule.index)
        .and_then(|index| usize::try_from(index).ok())
        .and_then(|index| rules.get(index))
        .filter(|rule| id.is_empty() || rule.id == id);
    indexed.or_else(|| by_id.get(id).copied())
}

/// The package facts a producer gives for one result.
#[derive(Debug, Default, PartialEq)]
struct Facts {
    id: String,
    aliases: Vec<String>,
    package: String,
    version: Option<String>,
    /// Every listed fixed version; the one to show is picked later.
    fixes: Vec<String>,
    ecosystem: Option<String>,
}

fn finding(
    producer: Producer,
    driver: &Driver,
    result: &SarifResult,
    rule: &Rule,
) -> Option<Finding> {
    // A result may name its rule by index only.
    let rule_id = [&result.rule_id, &result.rule.id, &rule.id]
        .into_iter()
        .find(|id| !id.is_empty())
        .map_or("", String::as_str);
    let facts = match producer {
        Producer::Trivy => trivy_facts(rule_id, rule, result),
        Producer::Grype => grype_facts(rule_id, rule),
        Producer::Snyk => snyk_facts(rule_id, rule, result),
        Producer::OsvScanner => osv_facts(rule, result),
        Producer::Other => osv_facts(rule, result)
            .or_else(|| trivy_facts(rule_id, rule, result))
            .or_else(|| grype_facts(rule_id, rule))
            .or_else(|| snyk_facts(rule_id, rule, result)),
    }?;
    if facts.id.trim().is_empty() || facts.package.trim().is_empty() {
        return None;
    }
    let (id, aliases) = choose_id(&facts.id, &facts.aliases);
    let properties = &rule.properties;
    let vector_score = cvss::base_score(&properties.cvssv3_vector);
    let cvss_score = number(properties.cvss_score)
        .or(vector_score)
        .or_else(|| number(properties.security_severity))
        .filter(|score| *score > 0.0);
    let severity = severity(producer, rule, result);
    let fixed_version = pick_fixed(
        facts.version.as_deref(),
        facts.fixes.iter().map(String::as_str),
    );
    let short = rule.short_description.text.trim();
    let title = if short.is_empty() || short == rule_id || short == id {
        headline(&rule.full_description.text)
    } else {
        headline(short)
    };
    // Grype points every rule's help link at its own home page, which says nothing about
    // the vulnerability.
    let url = text(rule.help_uri.as_str()).filter(|uri| *uri != driver.information_uri);
    let mut targets: Vec<String> = Vec::new();
    for location in &result.locations {
        let uri = &location.physical_location.artifact_location.uri;
        if !uri.is_empty() && !targets.contains(uri) {
            targets.push(uri.clone());
        }
    }
    Some(Finding {
        id,
        aliases,
        package: Package {
            name: facts.package,
            version: facts.version,
            ecosystem: facts.ecosystem,
            purl: properties.purls.iter().find_map(|purl| text(purl.as_str())),
        },
        severity,
        cvss_score,
        fixed_version,
        title,
        url,
        targets,
        kev: None,
        epss: None,
        in_kev: false,
    })
}

fn number(score: Option<Score>) -> Option<f64> {
    match score {
        Some(Score::Number(number)) => Some(number),
        _ => None,
    }
}

/// A severity tag (Trivy's `HIGH`), else `security-severity` (≥ 9.0 critical, ≥ 7.0 high,
/// ≥ 4.0 medium, > 0 low; a non-number is unknown), else a `Severity:` line in the message
/// or the rule's help (older Anchore output has nothing else), else unknown.
fn severity(producer: Producer, rule: &Rule, result: &SarifResult) -> Severity {
    if let Some(label) = worst_label(rule.properties.tags.iter().map(String::as_str)) {
        return label;
    }
    match rule.properties.security_severity {
        Some(Score::Number(score)) => return Severity::from_score(score),
        Some(Score::NotANumber) => return Severity::Unknown,
        None => {}
    }
    let line =
        field(&result.message.text, "Severity").or_else(|| field(&rule.help.text, "Severity"));
    if let Some(label) = line.and_then(Severity::from_label) {
        return label;
    }
    // Snyk's short description starts with the label: `High severity - …`.
    if producer == Producer::Snyk {
        if let Some((label, _)) = rule.short_description.text.split_once(" severity") {
            if let Some(label) = Severity::from_label(label) {
                return label;
            }
        }
    }
    Severity::Unknown
}

/// The value of a `Label: value` line in a text, trimmed; `None` when absent or empty.
fn field<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    text.lines().find_map(|line| {
        let value = line.trim().strip_prefix(label)?.strip_prefix(':')?.trim();
        (!value.is_empty()).then_some(value)
    })
}

/// Trivy: rule id is the vulnerability id (`[HIGH] CVE-…` in its old template); package
/// lines in the message. Only rules tagged `vulnerability` are about packages: the others
/// are misconfigurations, secrets and licences.
fn trivy_facts(rule_id: &str, rule: &Rule, result: &SarifResult) -> Option<Facts> {
    let tags = &rule.properties.tags;
    if !tags.is_empty()
        && !tags
            .iter()
            .any(|tag| tag.eq_ignore_ascii_case("vulnerability"))
    {
        return None;
    }
    let message = &result.message.text;
    let package = field(message, "Package")?;
    let id = match rule_id.trim().strip_prefix('[') {
        Some(rest) => rest.split_once(']').map_or(rest, |(_, id)| id).trim(),
        None => rule_id.trim(),
    };
    Some(Facts {
        id: id.to_string(),
        package: package.to_string(),
        version: field(message, "Installed Version").map(str::to_string),
        fixes: field(message, "Fixed Version")
            .map(|fixes| fixes.split(',').map(|fix| fix.trim().to_string()).collect())
            .unwrap_or_default(),
        ..Facts::default()
    })
}

/// Grype and older Anchore output: `Vulnerability`, `Package`, `Version`, `Fix Version`
/// and `Type` lines in the rule's help text; failing those, the rule id.
fn grype_facts(rule_id: &str, rule: &Rule) -> Option<Facts> {
    let help = &rule.help.text;
    let from_help = field(help, "Package").map(|package| Facts {
        id: help
            .lines()
            .find_map(|line| line.trim().strip_prefix("Vulnerability "))
            .map(str::trim)
            .unwrap_or_default()
            .to_string(),
        package: package.to_string(),
        version: field(help, "Version").map(str::to_string),
        fixes: field(help, "Fix Version")
            .map(|fixes| fixes.split(',').map(|fix| fix.trim().to_string()).collect())
            .unwrap_or_default(),
        ecosystem: field(help, "Type").map(str::to_string),
        ..Facts::default()
    });
    let mut facts = from_help.or_else(|| anchore_rule_id(rule_id))?;
    if facts.id.is_empty() {
        // Grype's rule id is `<id>-<package>`.
        facts.id = rule_id
            .strip_suffix(facts.package.as_str())
            .and_then(|id| id.strip_suffix('-'))
            .unwrap_or(rule_id)
            .to_string();
    }
    Some(facts)
}

/// `ANCHOREVULN_<input>_<id>_<type>_<package>_<version>`: the last three parts are type,
/// package and version; the id is the part before them (the input may hold underscores).
fn anchore_rule_id(rule_id: &str) -> Option<Facts> {
    let rest = rule_id.strip_prefix("ANCHOREVULN_")?;
    let parts: Vec<&str> = rest.split('_').collect();
    if parts.len() < 5 {
        return None;
    }
    let count = parts.len();
    Some(Facts {
        id: parts[count - 4].to_string(),
        package: parts[count - 2].to_string(),
        version: text(parts[count - 1]),
        ecosystem: text(parts[count - 3]),
        ..Facts::default()
    })
}

/// Snyk Open Source: `package@version` as the logical location; CVEs in the rule's full
/// description; the upgrade in `fixes` when it upgrades this package. Licence rules
/// (`snyk:lic:…`) are not vulnerabilities, nor is a logical location without a version
/// (Snyk Code's functions).
fn snyk_facts(rule_id: &str, rule: &Rule, result: &SarifResult) -> Option<Facts> {
    if rule_id.starts_with("snyk:lic") {
        return None;
    }
    let (package, version) = result
        .locations
        .iter()
        .flat_map(|location| &location.logical_locations)
        .find_map(|logical| split_at_version(&logical.fully_qualified_name))
        .filter(|(_, version)| version.is_some())?;
    let cves = words(&rule.full_description.text)
        .filter(|word| word.starts_with("CVE-"))
        .map(str::to_string)
        .collect();
    let fixes = result
        .fixes
        .iter()
        .flat_map(|fix| {
            fix.artifact_changes
                .iter()
                .flat_map(|change| &change.replacements)
                .map(|replacement| replacement.inserted_content.text.as_str())
                .chain(fix.description.text.trim().strip_prefix("Upgrade to "))
        })
        .filter_map(split_at_version)
        .filter(|(name, _)| *name == package)
        .filter_map(|(_, version)| version)
        .collect();
    Some(Facts {
        id: rule_id.to_string(),
        aliases: cves,
        package: package.to_string(),
        version,
        fixes,
        ..Facts::default()
    })
}

/// OSV-Scanner: `Package 'name@version' is vulnerable to 'ID' (also known as 'A', 'B').`;
/// the fixed versions in the help's table (`| ID | package | version |`).
fn osv_facts(rule: &Rule, result: &SarifResult) -> Option<Facts> {
    let message = result.message.text.trim();
    let rest = message.strip_prefix("Package '")?;
    let (coordinates, rest) = rest.split_once("' is vulnerable to '")?;
    let (id, rest) = rest.split_once('\'')?;
    let (package, version) = split_at_version(coordinates)?;
    let aliases = rest
        .split_once("also known as")
        .map(|(_, list)| {
            list.split('\'')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let help = if rule.help.markdown.is_empty() {
        &rule.help.text
    } else {
        &rule.help.markdown
    };
    let fixes = help
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            (cells.len() == 3 && cells[1] == package).then(|| cells[2])
        })
        .filter(|version| version.starts_with(|first: char| first.is_ascii_alphanumeric()))
        .map(str::to_string)
        .collect();
    Some(Facts {
        id: id.to_string(),
        aliases,
        package: package.to_string(),
        version,
        fixes,
        ..Facts::default()
    })
}

/// `name@version` split at its last `@` (npm scopes start with one: `@babel/core@7.0.0`);
/// a name without a version gives `None` as the version.
fn split_at_version(coordinates: &str) -> Option<(&str, Option<String>)> {
    let coordinates = coordinates.trim();
    if coordinates.is_empty() {
        return None;
    }
    match coordinates.rfind('@') {
        Some(at) if at > 0 => Some((&coordinates[..at], text(&coordinates[at + 1..]))),
        _ => Some((coordinates, None)),
    }
}

/// The words of a text, split at anything but letters, digits and `-`.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|character: char| !(character.is_ascii_alphanumeric() || character == '-'))
        .filter(|word| !word.is_empty())
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use serde_json::{json, Value};

    use super::super::test_support::{detect_json, fixture, parse_json, rows};
    use super::*;

    fn parse(value: Value) -> Result<Report, ReportError> {
        parse_json(Format::Sarif, &value)
    }

    #[test]
    fn trivy_image() {
        let value = fixture("sarif-trivy-alpine-310.sarif");
        assert_eq!(detect_json(&value), Some(Format::Sarif));
        let report = parse(value).expect("parses");
        assert_eq!(
            (report.scanner.as_str(), report.scanner_version.as_deref()),
            ("Trivy", Some("dev"))
        );
        assert!(report.notes.is_empty());
        // Two rules, each found in libcrypto1.1 and libssl1.1: package and versions come
        // from each result's message, the severity from the rule's MEDIUM tag.
        assert_eq!(
            rows(&report),
            vec![
                (
                    "CVE-2019-1549",
                    "libcrypto1.1",
                    Some("1.1.1c-r0"),
                    Severity::Medium,
                    Some("1.1.1d-r0")
                ),
                (
                    "CVE-2019-1551",
                    "libcrypto1.1",
                    Some("1.1.1c-r0"),
                    Severity::Medium,
                    Some("1.1.1d-r2")
                ),
                (
                    "CVE-2019-1549",
                    "libssl1.1",
                    Some("1.1.1c-r0"),
                    Severity::Medium,
                    Some("1.1.1d-r0")
                ),
                (
                    "CVE-2019-1551",
                    "libssl1.1",
                    Some("1.1.1c-r0"),
                    Severity::Medium,
                    Some("1.1.1d-r2")
                ),
            ]
        );
        let first = &report.findings[0];
        assert_eq!(first.cvss_score, Some(5.3));
        assert_eq!(
            first.title.as_deref(),
            Some("openssl: information disclosure in fork()")
        );
        assert_eq!(
            first.url.as_deref(),
            Some("https://avd.aquasec.com/nvd/cve-2019-1549")
        );
        assert_eq!(
            first.targets,
            vec!["testdata/fixtures/images/alpine-310.tar.gz"]
        );
    }

    #[test]
    fn grype_image() {
        let value = fixture("sarif-grype-image.sarif");
        assert_eq!(detect_json(&value), Some(Format::Sarif));
        let report = parse(value).expect("parses");
        assert_eq!(
            (report.scanner.as_str(), report.scanner_version.as_deref()),
            ("grype", Some("0.0.0-dev"))
        );
        // Rule ids `CVE-1999-0001-package-1`: id, package, version and fixes from the help
        // text; severity from security-severity 8.2 and 8.5, not the help's `low` and
        // `critical` labels.
        assert_eq!(
            rows(&report),
            vec![
                (
                    "CVE-1999-0001",
                    "package-1",
                    Some("1.1.1"),
                    Severity::High,
                    Some("1.2.1")
                ),
                (
                    "CVE-1999-0002",
                    "package-2",
                    Some("2.2.2"),
                    Severity::High,
                    None
                ),
            ]
        );
        let [first, second] = &report.findings[..] else {
            panic!("two findings");
        };
        assert_eq!(
            (first.cvss_score, second.cvss_score),
            (Some(8.2), Some(8.5))
        );
        assert_eq!(first.package.ecosystem.as_deref(), Some("rpm"));
        assert_eq!(first.package.purl, None);
        assert_eq!(
            second.package.purl.as_deref(),
            Some("pkg:deb/package-2@2.2.2")
        );
        assert_eq!(first.targets, vec!["user-input/somefile-1.txt"]);
        assert_eq!(first.url, None, "the help link is Grype's home page");
        assert_eq!(
            first.title.as_deref(),
            Some("CVE-1999-0001 low vulnerability for package-1 package")
        );
    }

    #[test]
    fn older_anchore_output() {
        let value = fixture("sarif-anchore-2022-image.sarif");
        assert_eq!(detect_json(&value), Some(Format::Sarif));
        let report = parse(value).expect("parses");
        assert_eq!(
            report.scanner,
            "Anchore Container Vulnerability Report (T0)"
        );
        assert_eq!(report.scanner_version, None, "`[not provided]`");
        // No tags and no security-severity: the help's `Severity:` line decides.
        assert_eq!(
            rows(&report),
            vec![
                (
                    "CVE-1999-0001",
                    "package-1",
                    Some("1.0.1"),
                    Severity::Low,
                    None
                ),
                (
                    "CVE-1999-0002",
                    "package-2",
                    Some("2.0.1"),
                    Severity::Critical,
                    None
                ),
            ]
        );
        assert_eq!(report.findings[0].package.ecosystem.as_deref(), Some("deb"));
        assert_eq!(report.findings[1].targets, vec!["Dockerfile"]);
    }

    #[test]
    fn an_anchore_rule_id_alone_names_the_package() {
        let facts =
            anchore_rule_id("ANCHOREVULN_my_image:1_CVE-2020-1_npm_lodash_4.17.15").expect("parts");
        assert_eq!(
            facts,
            Facts {
                id: "CVE-2020-1".into(),
                package: "lodash".into(),
                version: Some("4.17.15".into()),
                ecosystem: Some("npm".into()),
                ..Facts::default()
            }
        );
        assert_eq!(anchore_rule_id("ANCHOREVULN_x_y"), None);
        assert_eq!(anchore_rule_id("CVE-2020-1"), None);
    }

    /// The shape snyk/cli's open-source SARIF formatter writes (written here by hand):
    /// a licence rule, and a vulnerability found through two paths.
    fn snyk_log() -> Value {
        json!({
            "$schema": "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "Snyk Open Source", "rules": [
                    {
                        "id": "SNYK-JS-LODASH-567746",
                        "shortDescription": {"text": "High severity - Prototype Pollution vulnerability in lodash"},
                        "fullDescription": {"text": "(CVE-2020-8203) lodash@4.17.15"},
                        "help": {"text": "", "markdown": "* Package Manager: npm"},
                        "properties": {"tags": ["security", "CWE-400", "npm"], "cvssv3_baseScore": 7.4, "security-severity": "7.4"}
                    },
                    {
                        "id": "snyk:lic:npm:left-pad:WTFPL",
                        "shortDescription": {"text": "Medium severity - WTFPL license vulnerability in left-pad"},
                        "fullDescription": {"text": "left-pad@1.3.0"},
                        "properties": {"tags": ["security", "npm"]}
                    }
                ]}},
                "results": [
                    {
                        "ruleId": "SNYK-JS-LODASH-567746",
                        "level": "error",
                        "message": {"text": "This file introduces a vulnerable lodash package with a high severity vulnerability."},
                        "locations": [{
                            "physicalLocation": {"artifactLocation": {"uri": "package.json"}, "region": {"startLine": 1}},
                            "logicalLocations": [{"fullyQualifiedName": "lodash@4.17.15"}]
                        }],
                        "fixes": [{
                            "description": {"text": "Upgrade to lodash@4.17.19"},
                            "artifactChanges": [{"artifactLocation": {"uri": "package.json"}, "replacements": [
                                {"deletedRegion": {"startLine": 1}, "insertedContent": {"text": "lodash@4.17.19"}}
                            ]}]
                        }]
                    },
                    {
                        "ruleId": "snyk:lic:npm:left-pad:WTFPL",
                        "message": {"text": "This file introduces a vulnerable left-pad package with a medium severity vulnerability."},
                        "locations": [{"logicalLocations": [{"fullyQualifiedName": "left-pad@1.3.0"}]}]
                    }
                ]
            }]
        })
    }

    #[test]
    fn snyk_open_source() {
        let value = snyk_log();
        assert_eq!(detect_json(&value), Some(Format::Sarif));
        let report = parse(value).expect("parses");
        assert_eq!(report.scanner, "Snyk Open Source");
        assert_eq!(
            rows(&report),
            vec![(
                "CVE-2020-8203",
                "lodash",
                Some("4.17.15"),
                Severity::High,
                Some("4.17.19")
            )]
        );
        let finding = &report.findings[0];
        assert_eq!(finding.aliases, vec!["SNYK-JS-LODASH-567746"]);
        assert_eq!(finding.cvss_score, Some(7.4));
        assert_eq!(finding.targets, vec!["package.json"]);
        assert_eq!(
            report.notes,
            vec!["1 of 2 SARIF results are not about a vulnerable package (misconfigurations, secrets, licences or code findings) and were skipped"]
        );
    }

    #[test]
    fn a_snyk_upgrade_of_another_package_is_no_fix() {
        let mut value = snyk_log();
        value["runs"][0]["results"][0]["fixes"][0]["artifactChanges"][0]["replacements"][0]
            ["insertedContent"]["text"] = json!("express@4.17.3");
        value["runs"][0]["results"][0]["fixes"][0]["description"]["text"] =
            json!("Upgrade to express@4.17.3");
        let report = parse(value).expect("parses");
        assert_eq!(report.findings[0].fixed_version, None);
    }

    #[test]
    fn osv_scanner() {
        // The shape of osv-scanner's SARIF (its own output snapshots), written by hand.
        let value = json!({
            "version": "2.1.0",
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "runs": [{
                "tool": {"driver": {"name": "osv-scanner", "version": "1.9.0", "rules": [{
                    "id": "CVE-2022-24713",
                    "shortDescription": {"text": "CVE-2022-24713: Regexes with large repetitions on empty sub-expressions take a very long time to parse"},
                    "help": {"text": "…", "markdown": "### Fixed Versions\n\n| Vulnerability ID | Package Name | Fixed Version |\n| --- | --- | --- |\n| GHSA-m5pq-gvj9-9vr8 | regex | 1.5.5 |\n| RUSTSEC-2022-0013 | regex | 1.5.5 |\n"},
                    "properties": {"security-severity": "7.5"}
                }]}},
                "results": [{
                    "ruleId": "CVE-2022-24713",
                    "message": {"text": "Package 'regex@1.5.1' is vulnerable to 'CVE-2022-24713' (also known as 'RUSTSEC-2022-0013', 'GHSA-m5pq-gvj9-9vr8')."},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": "file:///path/to/sub-rust-project/Cargo.lock"}}}]
                }]
            }]
        });
        assert_eq!(detect_json(&value), Some(Format::Sarif));
        let report = parse(value).expect("parses");
        assert_eq!(
            rows(&report),
            vec![(
                "CVE-2022-24713",
                "regex",
                Some("1.5.1"),
                Severity::High,
                Some("1.5.5")
            )]
        );
        let finding = &report.findings[0];
        assert_eq!(
            finding.aliases,
            vec!["RUSTSEC-2022-0013", "GHSA-m5pq-gvj9-9vr8"]
        );
        assert_eq!(finding.cvss_score, Some(7.5));
        assert_eq!(
            finding.title.as_deref(),
            Some("CVE-2022-24713: Regexes with large repetitions on empty sub-expressions take a very long time to parse")
        );
    }

    /// A Trivy run with a vulnerability, a misconfiguration and a secret, and a code
    /// scanner's run: only the vulnerability is a finding.
    #[test]
    fn results_not_about_packages_are_skipped_and_counted() {
        let value = json!({
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {"driver": {"name": "Trivy", "rules": [
                        {"id": "CVE-2021-44228", "properties": {"tags": ["vulnerability", "security", "CRITICAL"]}},
                        {"id": "DS002", "properties": {"tags": ["misconfiguration", "HIGH"]}},
                        {"id": "aws-access-key-id", "properties": {"tags": ["secret", "CRITICAL"]}}
                    ]}},
                    "results": [
                        {"ruleId": "CVE-2021-44228", "ruleIndex": 0, "message": {"text": "Package: org.apache.logging.log4j:log4j-core\nInstalled Version: 2.14.1\nVulnerability CVE-2021-44228\nSeverity: CRITICAL\nFixed Version: 2.15.0, 2.12.2"}},
                        {"ruleId": "DS002", "ruleIndex": 1, "message": {"text": "Artifact: Dockerfile\nType: dockerfile\nVulnerability DS002\nSeverity: HIGH"}},
                        {"ruleId": "aws-access-key-id", "ruleIndex": 2, "message": {"text": "Artifact: .env\nType: \nSecret AWS Access Key ID\nSeverity: CRITICAL"}}
                    ]
                },
                {
                    "tool": {"driver": {"name": "CodeQL", "rules": [{"id": "js/sql-injection"}]}},
                    "results": [{
                        "ruleId": "js/sql-injection",
                        "message": {"text": "This query depends on a user-provided value."},
                        "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/db.js"}}, "logicalLocations": [{"fullyQualifiedName": "query"}]}]
                    }]
                }
            ]
        });
        let report = parse(value).expect("parses");
        assert_eq!(
            rows(&report),
            vec![(
                "CVE-2021-44228",
                "org.apache.logging.log4j:log4j-core",
                Some("2.14.1"),
                Severity::Critical,
                Some("2.15.0")
            )]
        );
        assert_eq!(
            report.notes,
            vec!["3 of 4 SARIF results are not about a vulnerable package (misconfigurations, secrets, licences or code findings) and were skipped"]
        );
    }

    #[test]
    fn security_severity_thresholds() {
        let with = |score: Value| {
            json!({"version": "2.1.0", "runs": [{
                "tool": {"driver": {"name": "grype", "rules": [{
                    "id": "CVE-2024-1-a",
                    "help": {"text": "Vulnerability CVE-2024-1\nPackage: a\nVersion: 1"},
                    "properties": {"security-severity": score}
                }]}},
                "results": [{"ruleId": "CVE-2024-1-a", "message": {"text": "x"}}]
            }]})
        };
        for (score, expected) in [
            (json!("9.0"), Severity::Critical),
            (json!(8.9), Severity::High),
            (json!("7.0"), Severity::High),
            (json!(" 4.0 "), Severity::Medium),
            (json!("0.1"), Severity::Low),
            (json!("0"), Severity::Unknown),
            (json!("high"), Severity::Unknown),
            (json!(true), Severity::Unknown),
        ] {
            let report = parse(with(score.clone())).expect("parses");
            assert_eq!(report.findings[0].severity, expected, "{score}");
        }
    }

    #[test]
    fn a_rule_is_found_by_id_when_its_index_is_wrong() {
        let value = json!({"version": "2.1.0", "runs": [{
            "tool": {"driver": {"name": "Trivy", "rules": [
                {"id": "CVE-1", "properties": {"tags": ["vulnerability", "LOW"]}},
                {"id": "CVE-2", "properties": {"tags": ["vulnerability", "HIGH"]}}
            ]}},
            "results": [
                {"ruleId": "CVE-2", "ruleIndex": 0, "message": {"text": "Package: p\nInstalled Version: 1"}},
                {"rule": {"index": 0}, "message": {"text": "Package: q\nInstalled Version: 1"}},
                {"ruleId": "[MEDIUM] CVE-3", "message": {"text": "Package: r\nInstalled Version: 1"}}
            ]
        }]});
        let report = parse(value).expect("parses");
        let found: Vec<(&str, Severity)> = report
            .findings
            .iter()
            .map(|finding| (finding.id.as_str(), finding.severity))
            .collect();
        // The old Trivy template's `[MEDIUM] CVE-3` has no rule and no tag here: its
        // message's missing `Severity:` line leaves it unknown.
        assert_eq!(
            found,
            vec![
                ("CVE-2", Severity::High),
                ("CVE-1", Severity::Low),
                ("CVE-3", Severity::Unknown)
            ]
        );
    }

    #[test]
    fn accepted_suppressions_are_left_out() {
        let mut value = fixture("sarif-anchore-2022-image.sarif");
        value["runs"][0]["results"][0]["suppressions"][0]["status"] = json!("accepted");
        let report = parse(value).expect("parses");
        assert_eq!(report.findings.len(), 1);
        assert_eq!(report.findings[0].id, "CVE-1999-0002");
        assert_eq!(report.notes.len(), 1);
    }

    #[test]
    fn not_sarif() {
        match parse(fixture("trivy-pom.json")) {
            Err(ReportError::Malformed { format, reason }) => {
                assert_eq!(format, Format::Sarif);
                assert!(reason.contains("no `runs` list"), "{reason}");
                assert!(reason.contains("looks like a trivy report"), "{reason}");
            }
            outcome => panic!("{outcome:?}"),
        }
        assert!(matches!(
            parse(json!({"version": "2.1.0", "runs": [{"results": {"a": 1}}]})),
            Err(ReportError::Malformed {
                format: Format::Sarif,
                ..
            })
        ));
        let empty = parse(json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Trivy"}}, "results": []}]}))
            .expect("parses");
        assert!(empty.findings.is_empty() && empty.notes.is_empty());
    }

    /// docs/reference.md §9: 50,000 results within the same budget as the other formats;
    /// this checks the count (the time is measured by bench/report_50k.sh, not asserted).
    #[test]
    fn fifty_thousand_results() {
        let mut json = String::with_capacity(40 * 1024 * 1024);
        json.push_str(r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Trivy","rules":["#);
        for number in 0..5_000 {
            if number > 0 {
                json.push(',');
            }
            json.push_str(&format!(
                r#"{{"id":"CVE-2024-{number:05}","shortDescription":{{"text":"Something bad {number}"}},"helpUri":"https://avd.aquasec.com/nvd/cve-2024-{number:05}","properties":{{"tags":["vulnerability","security","HIGH"],"security-severity":"7.5"}}}}"#
            ));
        }
        json.push_str(r#"]}},"results":["#);
        for number in 0..50_000 {
            if number > 0 {
                json.push(',');
            }
            let rule = number % 5_000;
            json.push_str(&format!(
                r#"{{"ruleId":"CVE-2024-{rule:05}","ruleIndex":{rule},"level":"error","message":{{"text":"Package: package-{number}\nInstalled Version: 1.{number}.0\nVulnerability CVE-2024-{rule:05}\nSeverity: HIGH\nFixed Version: 1.{number}.1"}},"locations":[{{"physicalLocation":{{"artifactLocation":{{"uri":"app/package-lock.json"}}}}}}]}}"#
            ));
        }
        json.push_str("]}]}");
        let started = Instant::now();
        let report = crate::report::parse(json.as_bytes(), None).expect("parses");
        let elapsed = started.elapsed();
        assert_eq!(report.format, Format::Sarif);
        assert_eq!(report.findings.len(), 50_000);
        eprintln!(
            "parsed {} bytes, 50,000 SARIF results, in {elapsed:?}",
            json.len()
        );
    }
}
