//! CycloneDX JSON (1.4 and later) with a `vulnerabilities` section, VEX included.

use std::collections::{HashMap, HashSet, VecDeque};

use serde::Deserialize;
use serde_json::Value;

use super::{
    decode, headline, highest_score, not_this_format, nullable, pick_fixed, severity, text,
    worst_label, Rating, Skeleton,
};
use crate::report::{choose_id, Finding, Format, Package, Report, ReportError};

pub fn recognises(skeleton: &Skeleton) -> bool {
    skeleton.fields.bom_format.as_deref() == Some("CycloneDX")
}

/// VEX analysis states that say the component is not exposed: such a finding is left out.
/// `resolved_with_pedigree` is `resolved` with the proof attached.
const EXCLUDING_STATES: [&str; 4] = [
    "not_affected",
    "false_positive",
    "resolved",
    "resolved_with_pedigree",
];

/// Component types that are where a package came from (the manifest, the image), as
/// opposed to packages.
const TARGET_TYPES: [&str; 3] = ["application", "container", "file"];

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Bom {
    #[serde(deserialize_with = "nullable")]
    serial_number: String,
    #[serde(deserialize_with = "nullable")]
    metadata: Metadata,
    components: Option<Vec<Component>>,
    #[serde(deserialize_with = "nullable")]
    dependencies: Vec<Dependency>,
    #[serde(deserialize_with = "nullable")]
    vulnerabilities: Vec<Vulnerability>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Metadata {
    /// A list of tools (1.4) or `{components, services}` (1.5 and later).
    tools: Value,
    component: Option<Component>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Component {
    #[serde(rename = "bom-ref", deserialize_with = "nullable")]
    bom_ref: String,
    #[serde(rename = "type", deserialize_with = "nullable")]
    kind: String,
    #[serde(deserialize_with = "nullable")]
    group: String,
    #[serde(deserialize_with = "nullable")]
    name: String,
    #[serde(deserialize_with = "nullable")]
    version: String,
    #[serde(deserialize_with = "nullable")]
    purl: String,
    #[serde(deserialize_with = "nullable")]
    components: Vec<Component>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Dependency {
    #[serde(rename = "ref", deserialize_with = "nullable")]
    reference: String,
    #[serde(deserialize_with = "nullable")]
    depends_on: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Vulnerability {
    #[serde(deserialize_with = "nullable")]
    id: String,
    #[serde(deserialize_with = "nullable")]
    source: VulnerabilitySource,
    /// The same vulnerability in other databases: aliases.
    #[serde(deserialize_with = "nullable")]
    references: Vec<AliasReference>,
    #[serde(deserialize_with = "nullable")]
    ratings: Vec<VulnerabilityRating>,
    #[serde(deserialize_with = "nullable")]
    description: String,
    #[serde(deserialize_with = "nullable")]
    detail: String,
    #[serde(deserialize_with = "nullable")]
    recommendation: String,
    #[serde(deserialize_with = "nullable")]
    advisories: Vec<Advisory>,
    #[serde(deserialize_with = "nullable")]
    analysis: Analysis,
    #[serde(deserialize_with = "nullable")]
    affects: Vec<Affects>,
    tools: Value,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct VulnerabilitySource {
    #[serde(deserialize_with = "nullable")]
    url: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AliasReference {
    #[serde(deserialize_with = "nullable")]
    id: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct VulnerabilityRating {
    #[serde(deserialize_with = "nullable")]
    severity: String,
    score: Option<f64>,
    #[serde(deserialize_with = "nullable")]
    method: String,
    #[serde(deserialize_with = "nullable")]
    vector: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Advisory {
    #[serde(deserialize_with = "nullable")]
    url: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Analysis {
    #[serde(deserialize_with = "nullable")]
    state: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Affects {
    #[serde(rename = "ref", deserialize_with = "nullable")]
    reference: String,
}

pub fn parse(bytes: &[u8], skeleton: &Skeleton) -> Result<Report, ReportError> {
    if !recognises(skeleton) {
        return Err(not_this_format(
            Format::Cyclonedx,
            skeleton,
            "no `bomFormat: \"CycloneDX\"`",
        ));
    }
    let bom: Bom = decode(Format::Cyclonedx, bytes, skeleton)?;
    let (scanner, scanner_version) = tool(&bom.metadata.tools)
        .or_else(|| {
            bom.vulnerabilities
                .iter()
                .find_map(|vulnerability| tool(&vulnerability.tools))
        })
        .unwrap_or_else(|| ("cyclonedx".into(), None));

    let mut components: HashMap<&str, &Component> = HashMap::new();
    let mut component_count = 0_u64;
    let mut pending: Vec<&Component> = bom.components.iter().flatten().collect();
    while let Some(component) = pending.pop() {
        component_count += 1;
        components.insert(component.bom_ref.as_str(), component);
        pending.extend(component.components.iter());
    }
    if let Some(subject) = &bom.metadata.component {
        components
            .entry(subject.bom_ref.as_str())
            .or_insert(subject);
    }
    let mut targets = Targets::new(&bom, &components);

    // An SBOM without a `vulnerabilities` section lists packages, not findings: it reads
    // as a report with no findings rather than as an error, so that a pipeline scanning
    // a clean project keeps passing.
    let mut findings = Vec::new();
    for vulnerability in &bom.vulnerabilities {
        let state = vulnerability.analysis.state.as_str();
        if EXCLUDING_STATES.contains(&state) {
            continue;
        }
        // A vulnerability that affects nothing has no package to report.
        for affects in &vulnerability.affects {
            let reference = affects.reference.as_str();
            let package = match components.get(reference) {
                Some(component) => component_package(component),
                None => reference_package(reference),
            };
            findings.push(finding(vulnerability, package, targets.of(reference)));
        }
    }
    Ok(Report {
        notes: Vec::new(),
        format: Format::Cyclonedx,
        scanner,
        scanner_version,
        report_id: text(bom.serial_number),
        packages_scanned: bom.components.as_ref().map(|_| component_count),
        findings,
    })
}

/// The first named tool in a CycloneDX `tools` value, in either of its shapes.
fn tool(tools: &Value) -> Option<(String, Option<String>)> {
    let listed: Vec<&Value> = match tools {
        Value::Array(tools) => tools.iter().collect(),
        Value::Object(kinds) => ["components", "services"]
            .iter()
            .filter_map(|kind| kinds.get(*kind).and_then(Value::as_array))
            .flatten()
            .collect(),
        _ => Vec::new(),
    };
    listed.into_iter().find_map(|tool| {
        let name = tool.get("name").and_then(Value::as_str).and_then(text)?;
        let version = tool.get("version").and_then(Value::as_str).and_then(text);
        Some((name, version))
    })
}

fn finding(vulnerability: &Vulnerability, package: Package, targets: Vec<String>) -> Finding {
    let references: Vec<String> = vulnerability
        .references
        .iter()
        .map(|reference| reference.id.clone())
        .filter(|id| !id.is_empty())
        .collect();
    let primary = text(vulnerability.id.as_str())
        .or_else(|| references.first().cloned())
        .unwrap_or_default();
    let (id, aliases) = choose_id(&primary, &references);

    // CVSS v2 ratings carry their own, higher-running labels; docs/reference.md §9 goes by v3 and v4.
    let current =
        |rating: &&VulnerabilityRating| !rating.method.to_ascii_lowercase().starts_with("cvssv2");
    let label = worst_label(
        vulnerability
            .ratings
            .iter()
            .filter(current)
            .map(|rating| rating.severity.as_str()),
    );
    let vectors: Vec<(Option<f64>, String)> = vulnerability
        .ratings
        .iter()
        .filter_map(|rating| {
            let vector = full_vector(&rating.method, &rating.vector)?;
            Some((rating.score, vector))
        })
        .collect();
    let cvss_score = highest_score(vectors.iter().map(|(score, vector)| Rating {
        score: *score,
        vector: Some(vector.as_str()),
    }));

    let fixed_version = pick_fixed(
        package.version.as_deref(),
        recommended_versions(&vulnerability.recommendation),
    );
    let title = headline(&vulnerability.description).or_else(|| headline(&vulnerability.detail));
    Finding {
        id,
        aliases,
        package,
        severity: severity(label, cvss_score),
        cvss_score,
        fixed_version,
        title,
        url: link(vulnerability),
        targets,
        kev: None,
        epss: None,
        in_kev: false,
    }
}

/// A v3/v4 rating's vector with its `CVSS:x.y/` prefix, which CycloneDX makes optional
/// (the method says the version); `None` for other methods.
fn full_vector(method: &str, vector: &str) -> Option<String> {
    let vector = vector.trim();
    if vector.starts_with("CVSS:3") || vector.starts_with("CVSS:4") {
        return Some(vector.to_string());
    }
    let prefix = match method.to_ascii_lowercase().as_str() {
        "cvssv3" => "CVSS:3.0/",
        "cvssv31" => "CVSS:3.1/",
        "cvssv4" => "CVSS:4.0/",
        _ => return None,
    };
    Some(format!("{prefix}{}", vector.trim_start_matches('/')))
}

/// Versions named in a recommendation such as Trivy's "Upgrade x to version 2.9.10.4" or
/// "… to version 2.6.7.5, 2.8.11.1, 2.9.5 or higher.": CycloneDX has no fixed-version field.
fn recommended_versions(recommendation: &str) -> Vec<&str> {
    let lower = recommendation.to_ascii_lowercase();
    let Some(start) = lower.find("to version") else {
        return Vec::new();
    };
    recommendation[start + "to version".len()..]
        .split([',', ' '])
        .map(|word| word.trim().trim_end_matches(['.', ';', ')']))
        .filter(|word| word.starts_with(|first: char| first.is_ascii_digit()))
        .collect()
}

/// The page about this vulnerability: the source's link when it is specific to the id
/// (Snyk's), else the first advisory, because Trivy's source link is a database search page.
fn link(vulnerability: &Vulnerability) -> Option<String> {
    let source = text(vulnerability.source.url.as_str());
    let specific = source.as_ref().filter(|url| {
        !vulnerability.id.is_empty()
            && url
                .to_ascii_lowercase()
                .contains(&vulnerability.id.to_ascii_lowercase())
    });
    specific
        .cloned()
        .or_else(|| {
            vulnerability
                .advisories
                .iter()
                .find_map(|advisory| text(advisory.url.as_str()))
        })
        .or(source)
}

fn component_package(component: &Component) -> Package {
    let purl = text(component.purl.as_str());
    let ecosystem = purl.as_deref().and_then(Purl::parse).map(|purl| purl.kind);
    let name = match text(component.group.as_str()) {
        Some(group) => qualified_name(ecosystem.as_deref(), &group, &component.name),
        None => component.name.clone(),
    };
    Package {
        name,
        version: text(component.version.as_str()),
        ecosystem,
        purl,
    }
}

/// A package for an `affects` reference that names no component of this BOM (a VEX
/// document about another BOM, or a stale reference): from the reference when it is a
/// package URL, else the reference itself as the name.
fn reference_package(reference: &str) -> Package {
    // BOM-Link references (`urn:cdx:…/1#pkg:…`) point into another BOM.
    let local = reference
        .rsplit_once('#')
        .map_or(reference, |(_, local)| local);
    match Purl::parse(local) {
        Some(purl) => Package {
            name: match &purl.namespace {
                Some(namespace) => qualified_name(Some(&purl.kind), namespace, &purl.name),
                None => purl.name.clone(),
            },
            version: purl.version.clone(),
            ecosystem: Some(purl.kind.clone()),
            purl: Some(local.to_string()),
        },
        None => Package {
            name: local.to_string(),
            ..Package::default()
        },
    }
}

/// Maven names are `group:artifact` (as Trivy and Grype write them); others `scope/name`.
fn qualified_name(ecosystem: Option<&str>, namespace: &str, name: &str) -> String {
    if ecosystem == Some("maven") {
        format!("{namespace}:{name}")
    } else {
        format!("{namespace}/{name}")
    }
}

/// The parts of a package URL (`pkg:type/namespace/name@version?qualifiers#subpath`)
/// a finding needs.
struct Purl {
    kind: String,
    namespace: Option<String>,
    name: String,
    version: Option<String>,
}

impl Purl {
    fn parse(purl: &str) -> Option<Purl> {
        let rest = purl.strip_prefix("pkg:")?.trim_start_matches('/');
        let rest = rest.split('#').next().unwrap_or(rest);
        let rest = rest.split('?').next().unwrap_or(rest);
        let (kind, path) = rest.split_once('/')?;
        // The version follows the last `@` after the last `/`; an `@` before it is an
        // unencoded npm scope.
        let last_slash = path.rfind('/').map_or(0, |position| position + 1);
        let (path, version) = match path[last_slash..].rfind('@') {
            Some(at) => (
                &path[..last_slash + at],
                Some(percent_decode(&path[last_slash + at + 1..])),
            ),
            None => (path, None),
        };
        let (namespace, name) = match path.rsplit_once('/') {
            Some((namespace, name)) => (Some(percent_decode(namespace)), percent_decode(name)),
            None => (None, percent_decode(path)),
        };
        if kind.is_empty() || name.is_empty() {
            return None;
        }
        Some(Purl {
            kind: kind.to_ascii_lowercase(),
            namespace: namespace.filter(|namespace| !namespace.is_empty()),
            name,
            version: version.filter(|version| !version.is_empty()),
        })
    }
}

/// `%40` → `@` and the like; malformed escapes are kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = (bytes[index] == b'%')
            .then(|| text.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
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

/// Where each component came from: the nearest application, container or file component
/// that depends on it (Trivy's `pom.xml`, an image), else the BOM's own subject.
struct Targets<'a> {
    components: &'a HashMap<&'a str, &'a Component>,
    dependents: HashMap<&'a str, Vec<&'a str>>,
    subject: Option<String>,
    known: HashMap<String, Vec<String>>,
}

impl<'a> Targets<'a> {
    fn new(bom: &'a Bom, components: &'a HashMap<&'a str, &'a Component>) -> Targets<'a> {
        let mut dependents: HashMap<&str, Vec<&str>> = HashMap::new();
        for dependency in &bom.dependencies {
            for child in &dependency.depends_on {
                dependents
                    .entry(child.as_str())
                    .or_default()
                    .push(dependency.reference.as_str());
            }
        }
        let subject = bom
            .metadata
            .component
            .as_ref()
            .and_then(|subject| text(subject.name.as_str()));
        Targets {
            components,
            dependents,
            subject,
            known: HashMap::new(),
        }
    }

    fn of(&mut self, reference: &str) -> Vec<String> {
        if let Some(known) = self.known.get(reference) {
            return known.clone();
        }
        let found = self
            .nearest(reference)
            .or_else(|| self.subject.clone())
            .into_iter()
            .collect::<Vec<String>>();
        self.known.insert(reference.to_string(), found.clone());
        found
    }

    /// Breadth first up the dependency graph, so the closest target wins.
    fn nearest(&self, reference: &str) -> Option<String> {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut queue: VecDeque<&str> = VecDeque::new();
        queue.extend(
            self.dependents
                .get(reference)
                .into_iter()
                .flatten()
                .copied(),
        );
        while let Some(parent) = queue.pop_front() {
            if !seen.insert(parent) {
                continue;
            }
            if let Some(component) = self.components.get(parent) {
                if TARGET_TYPES.contains(&component.kind.as_str()) {
                    if let Some(name) = text(component.name.as_str()) {
                        return Some(name);
                    }
                }
            }
            queue.extend(self.dependents.get(parent).into_iter().flatten().copied());
        }
        None
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
        parse_json(Format::Cyclonedx, &value)
    }

    #[test]
    fn trivy_sbom_with_vulnerabilities() {
        let value = fixture("cyclonedx-trivy-pom.json");
        assert_eq!(detect_json(&value), Some(Format::Cyclonedx));
        let report = parse(value).expect("parses");
        assert_eq!(report.scanner, "trivy");
        assert_eq!(report.scanner_version.as_deref(), Some("dev"));
        assert_eq!(
            report.report_id.as_deref(),
            Some("urn:uuid:3ff14136-e09f-4df9-80ea-000000000006")
        );
        assert_eq!(report.packages_scanned, Some(3));
        assert_eq!(report.findings.len(), 2);

        let first = &report.findings[0];
        assert_eq!(first.id, "CVE-2020-9548");
        assert_eq!(
            first.package.name,
            "com.fasterxml.jackson.core:jackson-databind"
        );
        assert_eq!(first.package.version.as_deref(), Some("2.9.1"));
        assert_eq!(first.package.ecosystem.as_deref(), Some("maven"));
        assert_eq!(
            first.package.purl.as_deref(),
            Some("pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.1")
        );
        assert_eq!(first.severity, Severity::Critical);
        assert_eq!(first.cvss_score, Some(9.8));
        assert_eq!(first.fixed_version.as_deref(), Some("2.9.10.4"));
        // jackson-databind ← log4shell (library) ← pom.xml (application).
        assert_eq!(first.targets, vec!["pom.xml"]);
        assert_eq!(
            first.url.as_deref(),
            Some("https://avd.aquasec.com/nvd/cve-2020-9548")
        );

        let second = &report.findings[1];
        assert_eq!(second.id, "CVE-2021-20190");
        assert_eq!(second.package.version.as_deref(), Some("2.9.1"));
        assert_eq!(second.severity, Severity::High);
        assert_eq!(second.cvss_score, Some(8.1));
        assert_eq!(second.fixed_version.as_deref(), Some("2.9.10.7"));
        assert_eq!(second.targets, vec!["pom.xml"]);
    }

    #[test]
    fn vex_not_affected_is_left_out() {
        let value = fixture("cyclonedx-vex-1.4.json");
        assert_eq!(detect_json(&value), Some(Format::Cyclonedx));
        let report = parse(value).expect("parses");
        assert!(report.findings.is_empty());
        assert_eq!(
            report.report_id.as_deref(),
            Some("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79")
        );
        assert_eq!(report.packages_scanned, Some(1));
        // No `metadata.tools`: the tool named on the vulnerability.
        assert_eq!(report.scanner, "Snyk CLI (Linux)");
        assert_eq!(report.scanner_version.as_deref(), Some("1.729.0"));
    }

    fn with_state(state: Option<&str>) -> Value {
        let mut value = fixture("cyclonedx-vex-1.4.json");
        let analysis = value
            .pointer_mut("/vulnerabilities/0/analysis")
            .expect("the fixture has an analysis");
        match state {
            Some(state) => analysis["state"] = json!(state),
            None => *analysis = Value::Null,
        }
        value
    }

    #[test]
    fn vex_states() {
        for state in ["not_affected", "false_positive", "resolved"] {
            let report = parse(with_state(Some(state))).expect("parses");
            assert!(report.findings.is_empty(), "{state} is excluded");
        }
        for state in [Some("exploitable"), Some("in_triage"), None] {
            let report = parse(with_state(state)).expect("parses");
            assert_eq!(report.findings.len(), 1, "{state:?} is kept");
        }
    }

    #[test]
    fn snyk_vulnerability_with_a_cve_reference() {
        let report = parse(with_state(Some("exploitable"))).expect("parses");
        let finding = &report.findings[0];
        assert_eq!(finding.id, "CVE-2018-7489");
        assert_eq!(
            finding.aliases,
            vec!["SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111"]
        );
        // The affects ref (…@2.9.9) names no component of the BOM (which has 2.9.4): the
        // package comes from the ref's package URL.
        assert_eq!(
            finding.package.name,
            "com.fasterxml.jackson.core:jackson-databind"
        );
        assert_eq!(finding.package.version.as_deref(), Some("2.9.9"));
        assert_eq!(finding.package.ecosystem.as_deref(), Some("maven"));
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(finding.cvss_score, Some(9.8));
        // None of 2.6.7.5, 2.8.11.1, 2.9.5 is newer than 2.9.9: the first listed.
        assert_eq!(finding.fixed_version.as_deref(), Some("2.6.7.5"));
        assert_eq!(finding.targets, Vec::<String>::new());
        assert_eq!(
            finding.url.as_deref(),
            Some("https://snyk.io/vuln/SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111")
        );
    }

    #[test]
    fn severity_from_an_unprefixed_vector() {
        let value = json!({
            "bomFormat": "CycloneDX",
            "specVersion": "1.5",
            "metadata": {
                "tools": {"components": [{"name": "osv-scanner", "version": "1.9.0"}]},
                "component": {"bom-ref": "root", "type": "application", "name": "my-app"}
            },
            "components": [{
                "bom-ref": "lodash", "type": "library", "name": "lodash", "version": "4.17.20",
                "purl": "pkg:npm/lodash@4.17.20",
                "components": [{"bom-ref": "inner", "type": "library", "name": "inner"}]
            }],
            "dependencies": [{"ref": "root", "dependsOn": ["lodash"]}, {"ref": "lodash", "dependsOn": null}],
            "vulnerabilities": [{
                "id": "GHSA-35jh-r3h4-6jhm",
                "references": [{"id": "CVE-2021-23337"}],
                "ratings": [
                    {"method": "CVSSv2", "severity": "critical", "vector": "AV:N/AC:L/Au:N/C:C/I:C/A:C"},
                    {"method": "CVSSv31", "vector": "AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"}
                ],
                "affects": [{"ref": "lodash"}, {"ref": "pkg:npm/%40scope/pkg@1.0.0"}, {"ref": "not-a-purl"}]
            }]
        });
        let report = parse(value).expect("parses");
        assert_eq!(report.scanner, "osv-scanner");
        assert_eq!(report.scanner_version.as_deref(), Some("1.9.0"));
        assert_eq!(report.report_id, None);
        assert_eq!(report.packages_scanned, Some(2), "nested components count");
        assert_eq!(report.findings.len(), 3);
        let lodash = &report.findings[0];
        assert_eq!(lodash.id, "CVE-2021-23337");
        // The v2 rating's label does not count; the v3.1 vector scores 7.2.
        assert_eq!(
            (lodash.severity, lodash.cvss_score),
            (Severity::High, Some(7.2))
        );
        assert_eq!(lodash.package.ecosystem.as_deref(), Some("npm"));
        assert_eq!(lodash.targets, vec!["my-app"], "the BOM's subject");
        let scoped = &report.findings[1];
        assert_eq!(scoped.package.name, "@scope/pkg");
        assert_eq!(scoped.package.version.as_deref(), Some("1.0.0"));
        let opaque = &report.findings[2];
        assert_eq!(opaque.package.name, "not-a-purl");
        assert_eq!(opaque.package.version, None);
    }

    #[test]
    fn an_sbom_without_vulnerabilities_has_no_findings() {
        for value in [
            json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "a"}]}),
            json!({"bomFormat": "CycloneDX", "vulnerabilities": null, "components": null, "metadata": null}),
        ] {
            let report = parse(value).expect("parses");
            assert!(report.findings.is_empty());
            assert_eq!(report.scanner, "cyclonedx");
        }
        let bytes = br#"{"bomFormat": "CycloneDX", "specVersion": "1.4"}"#;
        let report = crate::report::parse(bytes, None).expect("parses");
        assert_eq!(report.format, Format::Cyclonedx);
        assert!(report.findings.is_empty());
    }

    #[test]
    fn not_cyclonedx() {
        match parse(fixture("osv-results-a.json")) {
            Err(ReportError::Malformed { format, reason }) => {
                assert_eq!(format, Format::Cyclonedx);
                assert!(reason.contains("bomFormat"), "{reason}");
            }
            outcome => panic!("{outcome:?}"),
        }
        assert!(matches!(
            parse(json!({"bomFormat": "CycloneDX", "vulnerabilities": {"id": "x"}})),
            Err(ReportError::Malformed {
                format: Format::Cyclonedx,
                ..
            })
        ));
        // Forcing the format on the SBOM works like detection.
        let bytes = fixture_bytes("cyclonedx-trivy-pom.json");
        let forced = crate::report::parse(&bytes, Some(Format::Cyclonedx)).expect("parses");
        assert_eq!(forced.findings.len(), 2);
    }
}
