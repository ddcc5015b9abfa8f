//! `staxhook emit --report` end to end (docs/reference.md §9): every fixture format (SARIF,
//! Dependency-Check, Snyk, GitLab and pre-0.20 Trivy among them) against the loopback
//! server (first run: scan_complete + one critical_vulnerability per new critical + kev_found
//! per catalog hit; second run: scan_complete only), findings fixed and re-opened, `--format`
//! explicit and wrong, bad input (exit 2, nothing sent), byte-order marks, UTF-16 and log lines
//! before the JSON, skipped SARIF results, the KEV catalog (none, `--kev-catalog`,
//! saved by `kev update` with conditional requests and failed downloads), SLA breaches with an
//! injected clock, every policy kind (`fail` → exit 3), digests for chat webhooks, `--dry-run`,
//! a single event kind, and `findings` (table and JSON, with filters).

use serde_json::{json, Value};

use crate::prelude::*;

const REPOSITORY: &str = "acme/shop";
/// The injected clock of the first run (`STAXHOOK_NOW`).
const T0: &str = "2026-03-01T00:00:00Z";
const GENERIC_PATH: &str = "/gen";
const SLACK_PATH: &str = "/slack/T/B/X";

/// The facts of every KEV catalog entry the tests write.
const KEV_VENDOR: &str = "Test Vendor";
const KEV_PRODUCT: &str = "Test Product";
const KEV_NAME: &str = "Test Product Remote Code Execution Vulnerability";
const KEV_ADDED: &str = "2026-02-20";
const KEV_ACTION: &str =
    "Apply mitigations per vendor instructions or discontinue use of the product.";
/// After T0 + 1h and before T0 + 7d: no SLA interplay in the per-fixture runs.
const KEV_DUE: &str = "2026-03-22";

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/reports/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn kev_fixture(name: &str) -> String {
    format!("{}/tests/fixtures/kev/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// T0 plus whole days and hours (March 2026 only).
fn at(days: u32, hours: u32) -> String {
    assert!(days < 30 && hours < 24);
    format!("2026-03-{:02}T{hours:02}:00:00Z", 1 + days)
}

fn generic_hook(server: &TestServer) -> String {
    format!(
        "\n[webhooks.gen]\nchannel = \"generic\"\nurl = \"{}\"\n",
        server.url(GENERIC_PATH)
    )
}

/// A KEV catalog with one entry per `(cve, due date)`, the CISA field names.
fn catalog_json(entries: &[(&str, &str)]) -> String {
    let vulnerabilities: Vec<Value> = entries
        .iter()
        .map(|(cve, due)| {
            json!({
                "cveID": cve,
                "vendorProject": KEV_VENDOR,
                "product": KEV_PRODUCT,
                "vulnerabilityName": KEV_NAME,
                "dateAdded": KEV_ADDED,
                "shortDescription": "A test entry.",
                "requiredAction": KEV_ACTION,
                "dueDate": due,
                "knownRansomwareCampaignUse": "Unknown",
                "notes": "",
                "cwes": []
            })
        })
        .collect();
    json!({
        "title": "CISA Catalog of Known Exploited Vulnerabilities",
        "catalogVersion": "2026.02.20",
        "dateReleased": "2026-02-20T00:00:00.000Z",
        "count": entries.len(),
        "vulnerabilities": vulnerabilities
    })
    .to_string()
}

/// One vulnerability of a generated Trivy report.
struct Vulnerability {
    id: String,
    package: String,
    version: String,
    severity: &'static str,
    score: f64,
    fixed: Option<&'static str>,
}

fn vulnerability(
    id: &str,
    package: &str,
    version: &str,
    severity: &'static str,
    score: f64,
) -> Vulnerability {
    Vulnerability {
        id: id.into(),
        package: package.into(),
        version: version.into(),
        severity,
        score,
        fixed: None,
    }
}

/// A Trivy JSON report (schema 2) with these vulnerabilities in one target.
fn trivy_report(vulns: &[Vulnerability]) -> String {
    let list: Vec<Value> = vulns
        .iter()
        .map(|v| {
            let mut record = json!({
                "VulnerabilityID": v.id,
                "PkgName": v.package,
                "InstalledVersion": v.version,
                "Severity": v.severity,
                "Title": format!("{} in {}", v.id, v.package),
                "PrimaryURL": format!("https://avd.aquasec.com/nvd/{}", v.id.to_lowercase()),
                "CVSS": {"nvd": {"V3Score": v.score}}
            });
            if let Some(fixed) = v.fixed {
                record["FixedVersion"] = json!(fixed);
            }
            record
        })
        .collect();
    trivy_json(list)
}

/// One run of the binary (a prelude [`Run`], which it dereferences to), with the bodies the
/// generic webhook got during it.
struct ObservedRun {
    run: Run,
    bodies: Vec<Value>,
}

impl std::ops::Deref for ObservedRun {
    type Target = Run;

    fn deref(&self) -> &Run {
        &self.run
    }
}

impl ObservedRun {
    fn events(&self) -> Vec<String> {
        self.bodies
            .iter()
            .map(|body| body["event"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// The `data` of every event of this kind, in the order received.
    fn data_of(&self, kind: &str) -> Vec<&Value> {
        self.bodies
            .iter()
            .filter(|body| body["event"] == kind)
            .map(|body| &body["data"])
            .collect()
    }

    fn count(&self, kind: &str) -> usize {
        self.data_of(kind).len()
    }

    /// The one scan_complete of the run.
    fn scan(&self) -> &Value {
        let scans = self.data_of("scan_complete");
        assert_eq!(
            scans.len(),
            1,
            "one scan_complete; events {:?}",
            self.events()
        );
        scans[0]
    }
}

/// A test environment with a loopback server and a config.
struct Bench {
    env: TestEnv,
    server: TestServer,
}

impl Bench {
    /// The generic webhook `gen` plus `extra` config text.
    fn new(extra: &str) -> Bench {
        Bench::with_config(|server| format!("{REPORT_DEFAULTS}{}{extra}", generic_hook(server)))
    }

    fn with_config(config: impl FnOnce(&TestServer) -> String) -> Bench {
        let server = TestServer::start();
        let env = TestEnv::new();
        env.write_config(&config(&server));
        Bench { env, server }
    }

    fn file(&self, name: &str, contents: &str) -> String {
        let path = self.env.path().join(name);
        std::fs::write(&path, contents).expect("write a test file");
        path.display().to_string()
    }

    fn catalog(&self, entries: &[(&str, &str)]) -> String {
        self.file("kev.json", &catalog_json(entries))
    }

    /// `staxhook ARGS` at the injected clock `now`; the run's generic requests collected.
    fn run_at(&self, args: &[&str], now: &str) -> ObservedRun {
        let before = self.server.requests_for(GENERIC_PATH).len();
        let run = run(self.env.cmd().env("STAXHOOK_NOW", now).args(args));
        let bodies = self.server.requests_for(GENERIC_PATH)[before..]
            .iter()
            .map(|request| {
                let body = request.body_json();
                assert_eq!(
                    request.header("x-codestax-event"),
                    body["event"].as_str(),
                    "the event header names the body's event"
                );
                body
            })
            .collect();
        ObservedRun { run, bodies }
    }

    /// `staxhook emit ARGS --repo REPOSITORY` at `now`.
    fn emit(&self, args: &[&str], now: &str) -> ObservedRun {
        self.emit_in(REPOSITORY, args, now)
    }

    fn emit_in(&self, repo: &str, args: &[&str], now: &str) -> ObservedRun {
        let mut all = vec!["emit"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--repo", repo]);
        let run = self.run_at(&all, now);
        for body in &run.bodies {
            assert_eq!(body["repository"], repo, "{body}");
        }
        run
    }

    /// `staxhook --json findings ARGS` as a list.
    fn findings(&self, args: &[&str]) -> Vec<Value> {
        let mut all = vec!["--json", "findings"];
        all.extend_from_slice(args);
        let run = self.run_at(&all, T0);
        run.expect_code(0);
        match run.json() {
            Value::Array(rows) => rows,
            other => panic!("findings --json is not a list: {other}"),
        }
    }
}

fn cve_and_package(data: &Value) -> (String, String) {
    (
        data["cve_id"].as_str().unwrap_or_default().to_string(),
        data["package"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

// ---------------------------------------------------------------------------------------------
// Every fixture: run 1 and run 2.
// ---------------------------------------------------------------------------------------------

/// What a fixture holds, worked out by hand from the file.
struct Case {
    file: &'static str,
    format: &'static str,
    /// (cve_id, package name) of each distinct critical finding.
    criticals: &'static [(&'static str, &'static str)],
    /// critical, high, medium, low, unknown.
    summary: [u64; 5],
    scanner: &'static str,
    /// The report's own id, which becomes the scan_id.
    report_id: Option<&'static str>,
    /// The CVE of the test catalog's one entry, and how many findings it hits.
    kev_cve: &'static str,
    kev_hits: usize,
}

fn check_fixture(case: Case) {
    let bench = Bench::new("");
    let catalog = bench.catalog(&[(case.kev_cve, KEV_DUE)]);
    let report = fixture(case.file);
    let total: u64 = case.summary.iter().sum();

    // Run 1: format detected.
    let first = bench.emit(&["--report", &report, "--kev-catalog", &catalog], T0);
    first.expect_code(0);
    let scan = first.scan();
    let [critical, high, medium, low, unknown] = case.summary;
    assert_eq!(
        scan["summary"],
        json!({"critical": critical, "high": high, "medium": medium, "low": low, "unknown": unknown}),
        "{}: summary",
        case.file
    );
    assert_eq!(scan["scanner"]["name"], case.scanner, "{}", case.file);
    assert_eq!(scan["status"], "passed", "{}", case.file);
    let scan_id = scan["scan_id"].as_str().unwrap_or_default().to_string();
    match case.report_id {
        Some(id) => assert_eq!(scan_id, id, "{}: the report's own id", case.file),
        None => assert!(!scan_id.trim().is_empty(), "{}: a generated id", case.file),
    }

    let mut criticals: Vec<(String, String)> = first
        .data_of("critical_vulnerability")
        .into_iter()
        .map(cve_and_package)
        .collect();
    criticals.sort();
    let mut expected: Vec<(String, String)> = case
        .criticals
        .iter()
        .map(|(cve, package)| (cve.to_string(), package.to_string()))
        .collect();
    expected.sort();
    assert_eq!(criticals, expected, "{}: critical_vulnerability", case.file);
    for data in first.data_of("critical_vulnerability") {
        assert_eq!(data["severity"], "critical", "{data}");
        assert_eq!(data["scan_id"], scan_id.as_str(), "{data}");
    }

    let kevs = first.data_of("kev_found");
    assert_eq!(kevs.len(), case.kev_hits, "{}: kev_found", case.file);
    for data in kevs {
        assert_eq!(data["cve_id"], case.kev_cve, "{data}");
        let kev = &data["kev"];
        assert_eq!(kev["due_date"], KEV_DUE, "{data}");
        assert_eq!(kev["required_action"], KEV_ACTION, "{data}");
        assert_eq!(kev["date_added"], KEV_ADDED, "{data}");
        assert_eq!(kev["vendor_project"], KEV_VENDOR, "{data}");
        assert_eq!(kev["product"], KEV_PRODUCT, "{data}");
        assert_eq!(kev["vulnerability_name"], KEV_NAME, "{data}");
        assert_eq!(kev["known_ransomware_campaign_use"], "Unknown", "{data}");
    }
    assert_eq!(
        first.bodies.len(),
        1 + case.criticals.len() + case.kev_hits,
        "{}: nothing else is sent; events {:?}",
        case.file,
        first.events()
    );

    let stored = bench.findings(&["--repo", REPOSITORY]);
    assert_eq!(stored.len() as u64, total, "{}: findings", case.file);
    assert!(stored.iter().all(|row| row["status"] == "open"));

    // Run 2: the same report, format named, own scan id: scan_complete only.
    let second = bench.emit(
        &[
            "--report",
            &report,
            "--format",
            case.format,
            "--kev-catalog",
            &catalog,
            "--scan-id",
            "ci-run-2",
        ],
        &at(0, 1),
    );
    second.expect_code(0);
    assert_eq!(
        second.events(),
        vec!["scan_complete"],
        "{}: run 2",
        case.file
    );
    let scan = second.scan();
    assert_eq!(scan["scan_id"], "ci-run-2");
    assert_eq!(
        scan["summary"],
        json!({"critical": critical, "high": high, "medium": medium, "low": low, "unknown": unknown}),
        "{}: run 2 summary",
        case.file
    );
}

#[test]
fn trivy_alpine_39() {
    // One result with CVE-2019-14697 (Severity CRITICAL) in musl and in musl-utils, both
    // 1.1.20-r4: two packages, so two findings and two critical_vulnerability; the catalog
    // entry for that CVE hits both findings.
    check_fixture(Case {
        file: "trivy-alpine-39.json",
        format: "trivy",
        criticals: &[("CVE-2019-14697", "musl"), ("CVE-2019-14697", "musl-utils")],
        summary: [2, 0, 0, 0, 0],
        scanner: "trivy",
        report_id: None,
        kev_cve: "CVE-2019-14697",
        kev_hits: 2,
    });
}

#[test]
fn trivy_pom() {
    // jackson-databind 2.9.1: CVE-2020-9548 CRITICAL and CVE-2021-20190 HIGH: one critical.
    // ReportID 3ff14136-…-000000000002. The catalog names the high one: kev_found is not
    // limited to criticals.
    check_fixture(Case {
        file: "trivy-pom.json",
        format: "trivy",
        criticals: &[(
            "CVE-2020-9548",
            "com.fasterxml.jackson.core:jackson-databind",
        )],
        summary: [1, 1, 0, 0, 0],
        scanner: "trivy",
        report_id: Some("3ff14136-e09f-4df9-80ea-000000000002"),
        kev_cve: "CVE-2021-20190",
        kev_hits: 1,
    });
}

#[test]
fn grype_snapshot() {
    // CVE-1999-0001 in package-1 is labelled Low (its 8.2 score does not override the label);
    // CVE-1999-0002 in package-2 is Critical: one critical. Grype's own knownExploited data is
    // not used when --kev-catalog is given: the kev facts are the catalog's.
    check_fixture(Case {
        file: "grype-snapshot.json",
        format: "grype",
        criticals: &[("CVE-1999-0002", "package-2")],
        summary: [1, 0, 0, 1, 0],
        scanner: "grype",
        report_id: None,
        kev_cve: "CVE-1999-0002",
        kev_hits: 1,
    });
}

#[test]
fn grype_same_cve() {
    // Two matches of CVE-2021-33574 in libc6 2.28-10 at two paths: one finding, one critical.
    check_fixture(Case {
        file: "grype-same-cve.json",
        format: "grype",
        criticals: &[("CVE-2021-33574", "libc6")],
        summary: [1, 0, 0, 0, 0],
        scanner: "grype",
        report_id: None,
        kev_cve: "CVE-2021-33574",
        kev_hits: 1,
    });
}

#[test]
fn osv_results_a() {
    // GO-2021-0053 (alias CVE-2021-3121) in gogo/protobuf: no severity at all → unknown;
    // GHSA-m5pq-gvj9-9vr8 and RUSTSEC-2022-0013 in regex 1.5.1 both alias CVE-2022-24713 →
    // one finding, HIGH (label; vector A:H = 7.5). No critical. The catalog's CVE-2021-3121
    // is found through the alias.
    check_fixture(Case {
        file: "osv-results-a.json",
        format: "osv",
        criticals: &[],
        summary: [0, 1, 0, 0, 1],
        scanner: "osv-scanner",
        report_id: None,
        kev_cve: "CVE-2021-3121",
        kev_hits: 1,
    });
}

#[test]
fn osv_some_findings() {
    // MAL-2023-1035 (alias GHSA-8348-2q94-ffjx) in flot-axis, no severity: one unknown, no
    // CVE anywhere, so the catalog cannot hit it.
    check_fixture(Case {
        file: "osv-some-findings.json",
        format: "osv",
        criticals: &[],
        summary: [0, 0, 0, 0, 1],
        scanner: "osv-scanner",
        report_id: None,
        kev_cve: "CVE-2021-44228",
        kev_hits: 0,
    });
}

#[test]
fn cyclonedx_trivy_pom() {
    // The CycloneDX form of trivy-pom: CVE-2020-9548 critical, CVE-2021-20190 high;
    // serialNumber urn:uuid:…-000000000006; tool trivy.
    check_fixture(Case {
        file: "cyclonedx-trivy-pom.json",
        format: "cyclonedx",
        criticals: &[(
            "CVE-2020-9548",
            "com.fasterxml.jackson.core:jackson-databind",
        )],
        summary: [1, 1, 0, 0, 0],
        scanner: "trivy",
        report_id: Some("urn:uuid:3ff14136-e09f-4df9-80ea-000000000006"),
        kev_cve: "CVE-2020-9548",
        kev_hits: 1,
    });
}

#[test]
fn cyclonedx_vex_1_4() {
    // One vulnerability (SNYK-…-32111, reference CVE-2018-7489, critical 9.8) whose VEX
    // analysis is `not_affected`: no finding at all, so no critical and no kev_found even
    // though the catalog lists CVE-2018-7489.
    check_fixture(Case {
        file: "cyclonedx-vex-1.4.json",
        format: "cyclonedx",
        criticals: &[],
        summary: [0, 0, 0, 0, 0],
        scanner: "Snyk CLI (Linux)",
        report_id: Some("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"),
        kev_cve: "CVE-2018-7489",
        kev_hits: 0,
    });
}

#[test]
fn npm_audit_many() {
    // Six entries, three advisories: debug (moderate), semver (moderate), undici (low); the
    // other three are affected only through those. GHSA ids only: no catalog hit.
    check_fixture(Case {
        file: "npm-audit-many.json",
        format: "npm-audit",
        criticals: &[],
        summary: [0, 0, 2, 1, 0],
        scanner: "npm audit",
        report_id: None,
        kev_cve: "CVE-2021-44228",
        kev_hits: 0,
    });
}

#[test]
fn pip_audit_many() {
    // aiohttp 1, django 1, lxml 1, twisted 4 PYSEC advisories, none with a severity or a CVE
    // alias: seven unknown findings.
    check_fixture(Case {
        file: "pip-audit-many.json",
        format: "pip-audit",
        criticals: &[],
        summary: [0, 0, 0, 0, 7],
        scanner: "pip-audit",
        report_id: None,
        kev_cve: "CVE-2021-44228",
        kev_hits: 0,
    });
}

#[test]
fn cargo_audit_many() {
    // Four vulnerabilities without CVSS (unknown): arc-swap, hyper, and CVE-2021-25900 in
    // smallvec 0.6.13 and 1.5.0 (two findings, so the catalog entry hits twice); the
    // unmaintained/yanked warnings are not findings.
    check_fixture(Case {
        file: "cargo-audit-many.json",
        format: "cargo-audit",
        criticals: &[],
        summary: [0, 0, 0, 0, 4],
        scanner: "cargo audit",
        report_id: None,
        kev_cve: "CVE-2021-25900",
        kev_hits: 2,
    });
}

#[test]
fn trivy_before_0_20_nodejs() {
    // Trivy's own pre-0.20 golden, a top-level list: lodash 4.17.4 CVE-2019-10744 CRITICAL,
    // CVE-2018-16487 HIGH, CVE-2019-1010266 MEDIUM, CVE-2018-3721 LOW; jquery 3.3.9
    // CVE-2019-11358 MEDIUM.
    check_fixture(Case {
        file: "trivy-legacy-nodejs.json",
        format: "trivy",
        criticals: &[("CVE-2019-10744", "lodash")],
        summary: [1, 1, 2, 1, 0],
        scanner: "trivy",
        report_id: None,
        kev_cve: "CVE-2019-11358",
        kev_hits: 1,
    });
}

#[test]
fn trivy_before_0_20_mix() {
    // Six HIGH: lodash (npm) and five in curl and git (alpine); a record without an id and
    // three `"Vulnerabilities": null` targets add nothing.
    check_fixture(Case {
        file: "trivy-legacy-mix.json",
        format: "trivy",
        criticals: &[],
        summary: [0, 6, 0, 0, 0],
        scanner: "trivy",
        report_id: None,
        kev_cve: "CVE-2018-16840",
        kev_hits: 1,
    });
}

#[test]
fn sarif_trivy() {
    // CVE-2019-1549 and CVE-2019-1551 (MEDIUM tags) each in libcrypto1.1 and libssl1.1.
    check_fixture(Case {
        file: "sarif-trivy-alpine-310.sarif",
        format: "sarif",
        criticals: &[],
        summary: [0, 0, 4, 0, 0],
        scanner: "Trivy",
        report_id: None,
        kev_cve: "CVE-2019-1549",
        kev_hits: 2,
    });
}

#[test]
fn sarif_grype() {
    // security-severity 8.2 and 8.5: two high (the help text's `critical` label does not
    // decide for Grype's SARIF).
    check_fixture(Case {
        file: "sarif-grype-image.sarif",
        format: "sarif",
        criticals: &[],
        summary: [0, 2, 0, 0, 0],
        scanner: "grype",
        report_id: None,
        kev_cve: "CVE-1999-0002",
        kev_hits: 1,
    });
}

#[test]
fn sarif_older_anchore() {
    // Rule ids ANCHOREVULN_user-input_CVE-1999-000N_deb_package-N_N.0.1; severities Low and
    // Critical from the help text.
    check_fixture(Case {
        file: "sarif-anchore-2022-image.sarif",
        format: "sarif",
        criticals: &[("CVE-1999-0002", "package-2")],
        summary: [1, 0, 0, 1, 0],
        scanner: "Anchore Container Vulnerability Report (T0)",
        report_id: None,
        kev_cve: "CVE-1999-0001",
        kev_hits: 1,
    });
}

#[test]
fn dependency_check_one_jar() {
    // dom4j 1.6.1, CVE-2018-1000632 HIGH (7.5).
    check_fixture(Case {
        file: "dependency-check-exceptions.json",
        format: "dependency-check",
        criticals: &[],
        summary: [0, 1, 0, 0, 0],
        scanner: "dependency-check",
        report_id: None,
        kev_cve: "CVE-2018-1000632",
        kev_hits: 1,
    });
}

#[test]
fn dependency_check_cvss_v4() {
    // CVE-2024-9329 MEDIUM in osgi-resource-locator 1.0.3 (no purl: the jar's name).
    check_fixture(Case {
        file: "dependency-check-cvss-v4.json",
        format: "dependency-check",
        criticals: &[],
        summary: [0, 0, 1, 0, 0],
        scanner: "dependency-check",
        report_id: None,
        kev_cve: "CVE-2024-9329",
        kev_hits: 1,
    });
}

#[test]
fn dependency_check_multi_module() {
    // 40 vulnerabilities in 8 jars: 6 CRITICAL (commons-fileupload, three in log4j 1.2.12,
    // two in spring 2.0.8), 19 HIGH, 14 MEDIUM, 1 LOW. CVE-2014-0114 is in
    // commons-beanutils and in struts: two catalog hits.
    check_fixture(Case {
        file: "dependency-check-multi-module.json",
        format: "dependency-check",
        criticals: &[
            ("CVE-2016-1000031", "commons-fileupload:commons-fileupload"),
            ("CVE-2018-1270", "org.springframework:spring"),
            ("CVE-2019-17571", "log4j:log4j"),
            ("CVE-2020-9493", "log4j:log4j"),
            ("CVE-2022-22965", "org.springframework:spring"),
            ("CVE-2022-23305", "log4j:log4j"),
        ],
        summary: [6, 19, 14, 1, 0],
        scanner: "dependency-check",
        report_id: None,
        kev_cve: "CVE-2014-0114",
        kev_hits: 2,
    });
}

#[test]
fn snyk_all_projects() {
    // Three projects, four entries: guava 29.0-jre's CVE-2020-8908 twice is one finding;
    // guava 22.0 has CVE-2020-8908 and CVE-2018-10237. All medium.
    check_fixture(Case {
        file: "snyk-all-projects-many.json",
        format: "snyk",
        criticals: &[],
        summary: [0, 0, 3, 0, 0],
        scanner: "snyk",
        report_id: None,
        kev_cve: "CVE-2020-8908",
        kev_hits: 2,
    });
}

#[test]
fn snyk_container() {
    // gcc-10 (low) in the image; twelve in the juice-shop application: sanitize-html's
    // SNYK-JS-SANITIZEHTML-585892 critical (no CVE), express-jwt and jsonwebtoken high,
    // nine medium.
    check_fixture(Case {
        file: "snyk-container-epss.json",
        format: "snyk",
        criticals: &[("SNYK-JS-SANITIZEHTML-585892", "sanitize-html")],
        summary: [1, 2, 9, 1, 0],
        scanner: "snyk",
        report_id: None,
        kev_cve: "CVE-2022-23540",
        kev_hits: 1,
    });
}

#[test]
fn snyk_one_critical() {
    // lodash 4.17.13, SNYK-JS-LODASH-590103 critical 9.8, no CVE.
    check_fixture(Case {
        file: "snyk-one-vuln-ampersands.json",
        format: "snyk",
        criticals: &[("SNYK-JS-LODASH-590103", "lodash")],
        summary: [1, 0, 0, 0, 0],
        scanner: "snyk",
        report_id: None,
        kev_cve: "CVE-2021-44228",
        kev_hits: 0,
    });
}

#[test]
fn gitlab_gemnasium() {
    // golang.org/x/crypto at three versions (CVE-2020-29652), x/text at two
    // (CVE-2020-14040), all High; yaml.v2 Unknown with only Gemnasium's id.
    check_fixture(Case {
        file: "gitlab-dependency-scanning-many.json",
        format: "gitlab",
        criticals: &[],
        summary: [0, 5, 0, 0, 1],
        scanner: "Gemnasium",
        report_id: None,
        kev_cve: "CVE-2020-29652",
        kev_hits: 3,
    });
}

#[test]
fn gitlab_sonatype() {
    // Schema 15.2.1 by Sonatype: 9 Critical, 11 High, 8 Low in bcprov-jdk15 140 and
    // jackson 2.13.0.
    check_fixture(Case {
        file: "gitlab-dependency-scanning-sonatype.json",
        format: "gitlab",
        criticals: &[
            ("CVE-2016-1000338", "bcprov-jdk15"),
            ("CVE-2016-1000343", "bcprov-jdk15"),
            ("CVE-2024-29857", "bcprov-jdk15"),
            ("sonatype-2024-0946", "bcprov-jdk15"),
            ("CVE-2020-36518", "jackson-databind"),
            ("CVE-2022-42003", "jackson-databind"),
            ("CVE-2022-42004", "jackson-databind"),
            ("sonatype-2021-4682", "jackson-databind"),
            ("sonatype-2022-6438", "jackson-core"),
        ],
        summary: [9, 11, 0, 8, 0],
        scanner: "Sonatype Vulnerability Scanner",
        report_id: None,
        kev_cve: "CVE-2022-42003",
        kev_hits: 1,
    });
}

#[test]
fn dependency_check_kev_facts_are_used_without_a_catalog() {
    let bench = Bench::new("");
    let first = bench.emit(
        &["--report", &fixture("dependency-check-multi-module.json")],
        T0,
    );
    first.expect_code(0);
    assert!(
        !first.stderr.contains("No KEV catalog"),
        "the report carries KEV data: {}",
        first.stderr
    );
    let mut kevs: Vec<(String, String, String)> = first
        .data_of("kev_found")
        .into_iter()
        .map(|data| {
            let (cve, package) = cve_and_package(data);
            (
                cve,
                package,
                data["kev"]["due_date"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    kevs.sort();
    assert_eq!(
        kevs,
        vec![
            (
                "CVE-2006-1547".into(),
                "struts:struts".into(),
                "2022-07-21".into()
            ),
            (
                "CVE-2022-22965".into(),
                "org.springframework:spring".into(),
                "2022-04-25".into()
            ),
        ]
    );
    let vendors: Vec<&Value> = first
        .data_of("kev_found")
        .into_iter()
        .map(|data| &data["kev"]["vendor_project"])
        .collect();
    assert!(vendors.contains(&&json!("VMware")) && vendors.contains(&&json!("Apache")));
}

#[test]
fn grype_inline_kev_data_is_used_without_a_catalog() {
    let bench = Bench::new("");
    let report = fixture("grype-snapshot.json");
    let first = bench.emit(&["--report", &report], T0);
    first.expect_code(0);
    assert!(
        !first.stderr.contains("No KEV catalog"),
        "the report carries KEV data: {}",
        first.stderr
    );
    let kevs = first.data_of("kev_found");
    assert_eq!(kevs.len(), 1, "events {:?}", first.events());
    assert_eq!(kevs[0]["cve_id"], "CVE-1999-0002");
    assert_eq!(kevs[0]["kev"]["known_ransomware_campaign_use"], "Known");
    let second = bench.emit(&["--report", &report], &at(0, 1));
    second.expect_code(0);
    assert_eq!(second.events(), vec!["scan_complete"]);
}

// ---------------------------------------------------------------------------------------------
// Fixed and re-opened.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_report_without_the_findings_fixes_them_and_their_return_reopens_them() {
    let bench = Bench::new("");
    let pom = fixture("trivy-pom.json");
    bench.emit(&["--report", &pom], T0).expect_code(0);

    let third = bench.emit(&["--report", &fixture("trivy-no-vuln.json")], &at(1, 0));
    third.expect_code(0);
    assert_eq!(third.events(), vec!["scan_complete"]);
    assert_eq!(third.scan()["fixed_count"], 2);
    let listed = third.scan()["fixed"]
        .as_array()
        .expect("a fixed list")
        .clone();
    assert_eq!(listed.len(), 2);
    for fixed in &listed {
        assert_eq!(fixed["first_seen"], "2026-03-01T00:00:00Z", "{fixed}");
        assert_eq!(fixed["days_open"], 1, "{fixed}");
    }
    let rows = bench.findings(&["--repo", REPOSITORY]);
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert_eq!(row["status"], "fixed", "{row}");
        let fixed_at = row["fixed_at"].as_str().unwrap_or_default();
        assert!(fixed_at.starts_with("2026-03-02T00:00:00"), "{row}");
        assert!(
            row["first_seen"]
                .as_str()
                .unwrap_or_default()
                .starts_with("2026-03-01T00:00:00"),
            "{row}"
        );
    }
    assert!(bench.findings(&["--status", "open"]).is_empty());

    let fourth = bench.emit(&["--report", &pom], &at(2, 0));
    fourth.expect_code(0);
    assert_eq!(
        fourth.events(),
        vec!["scan_complete"],
        "re-opened, not new: no second critical_vulnerability"
    );
    assert_eq!(fourth.scan()["reopened"], 2);
    assert_eq!(fourth.scan()["new"], 0);
    let rows = bench.findings(&["--repo", REPOSITORY]);
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert_eq!(row["status"], "open", "{row}");
        assert_eq!(row["fixed_at"], Value::Null, "{row}");
        assert!(
            row["first_seen"]
                .as_str()
                .unwrap_or_default()
                .starts_with("2026-03-01T00:00:00"),
            "first_seen is kept: {row}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Fixed findings are news.
// ---------------------------------------------------------------------------------------------

/// One of the 70 findings of [`check_fixed_findings`]: its Trivy severity label, our label,
/// and a CVSS score spread within the severity (some alike, so ties are ordered by key).
fn spread_finding(index: usize) -> Vulnerability {
    let (label, base) = [
        ("CRITICAL", 9.0),
        ("HIGH", 7.0),
        ("MEDIUM", 4.0),
        ("LOW", 0.1),
    ][index % 4];
    let score = base + ((index * 7) % 9) as f64 / 10.0;
    vulnerability(
        &format!("CVE-2098-{:04}", 1000 + index),
        &format!("pkg-{:02}", index % 23),
        &format!("1.{index}.0"),
        label,
        score,
    )
}

/// Severity, worst first, for working the expected order out independently of the product.
fn severity_rank(label: &str) -> usize {
    ["critical", "high", "medium", "low", "unknown"]
        .iter()
        .position(|known| *known == label)
        .unwrap_or(5)
}

/// Through the real binary on the given history: 30 findings at T0, 70 (40 new) at T0 + 10 d,
/// the 10 that stay at T0 + 34 d 5 h (60 fixed: 26 open 34 days, 34 open 24), and the same
/// 10 at T0 + 35 d (nothing fixed).
fn check_fixed_findings(history: &[&str]) {
    let bench = Bench::with_config(|server| {
        format!(
            "{REPORT_DEFAULTS}{}\n[webhooks.chat]\nchannel = \"slack\"\nurl = \"{}\"\n\
             events = [\"scan_complete\"]\n",
            generic_hook(server),
            server.url(SLACK_PATH)
        )
    });
    let emit = |name: &str, vulns: &[Vulnerability], now: &str| {
        let report = bench.file(name, &trivy_report(vulns));
        let mut args = history.to_vec();
        args.extend_from_slice(&["--report", &report]);
        let run = bench.emit(&args, now);
        run.expect_code(0);
        run
    };
    let all: Vec<Vulnerability> = (0..70).map(spread_finding).collect();
    let staying = |index: &usize| index % 7 == 3;

    let first = emit("first.json", &all[..30], T0);
    assert_eq!(first.scan()["fixed_count"], 0);
    let second = emit("second.json", &all, &at(10, 0));
    assert_eq!(second.scan()["fixed_count"], 0);
    assert_eq!(second.scan()["fixed"], json!([]));

    let kept: Vec<Vulnerability> = (0..70).filter(staying).map(spread_finding).collect();
    assert_eq!(kept.len(), 10);
    let fixing = emit("third.json", &kept, "2026-04-04T05:00:00Z");
    let scan = fixing.scan();
    assert_eq!(scan["fixed_count"], 60, "{scan}");
    assert_eq!(scan["findings"], 10);
    let listed = scan["fixed"].as_array().expect("a fixed list");
    assert_eq!(listed.len(), 50, "at most 50 listed");

    // The expected list, worked out from the report in the risk order (reference §11; no KEV
    // catalog and no EPSS here): CVSS score, then severity, then key.
    let mut gone: Vec<(usize, f64, String, String, String, usize)> = (0..70)
        .filter(|index| !staying(index))
        .map(|index| {
            let v = spread_finding(index);
            let days = if index < 30 { 34 } else { 24 };
            (
                severity_rank(&v.severity.to_lowercase()),
                -v.score,
                v.id.clone(),
                v.package.clone(),
                v.version.clone(),
                days,
            )
        })
        .collect();
    gone.sort_by(|a, b| {
        a.1.total_cmp(&b.1)
            .then(a.0.cmp(&b.0))
            .then_with(|| (&a.2, &a.3, &a.4).cmp(&(&b.2, &b.3, &b.4)))
    });
    for (position, (fixed, expected)) in listed.iter().zip(&gone).enumerate() {
        let (rank, _, id, package, version, days) = expected;
        let severity = ["critical", "high", "medium", "low", "unknown"][*rank];
        let first_seen = if *days == 34 {
            "2026-03-01T00:00:00Z"
        } else {
            "2026-03-11T00:00:00Z"
        };
        assert_eq!(
            fixed,
            &json!({
                "id": id,
                "package": {"name": package, "version": version},
                "severity": severity,
                "first_seen": first_seen,
                "days_open": days,
            }),
            "fixed[{position}]"
        );
    }

    // Slack says so, shows the worst five, and counts the rest.
    let slack = bench.server.requests_for(SLACK_PATH);
    assert_eq!(slack.len(), 3, "one scan_complete per run");
    let text = slack[2].body_text();
    assert!(text.contains("*Fixed since the last scan: 60*"), "{text}");
    let worst = &gone[0];
    let line = format!(
        "• {} {} — {} (critical, open {} days)",
        worst.3, worst.4, worst.2, worst.5
    );
    assert!(text.contains(&line), "{line} in {text}");
    assert!(text.contains("and 55 more"), "{text}");
    for earlier in &slack[..2] {
        assert!(
            !earlier.body_text().contains("Fixed since"),
            "nothing fixed yet"
        );
    }

    // The same report again: nothing more is fixed, and nothing is said about it.
    let unchanged = emit("fourth.json", &kept, "2026-04-05T00:00:00Z");
    assert_eq!(unchanged.scan()["fixed_count"], 0);
    assert_eq!(unchanged.scan()["fixed"], json!([]));
    let last = bench.server.requests_for(SLACK_PATH)[3].body_text();
    assert!(!last.contains("Fixed since"), "{last}");
}

#[test]
fn a_scan_lists_what_it_fixed_worst_first_on_sqlite() {
    check_fixed_findings(&[]);
}

#[test]
fn a_scan_lists_what_it_fixed_worst_first_on_postgres() {
    let (_, url) = postgres_database();
    check_fixed_findings(&["--history", &url]);
}

#[test]
fn emit_refuses_a_scan_complete_whose_fixed_is_not_a_list() {
    let bench = Bench::new("");
    let refused = bench.emit(
        &["scan_complete", "--set", "scan_id=1", "--set", "fixed=3"],
        T0,
    );
    assert_eq!(
        refused.expect_usage_error(),
        "error: scan_complete data field `fixed` must be an array of objects, found a number (docs/reference.md §3)"
    );
    assert!(bench.server.requests().is_empty(), "nothing sent");
    let listed = bench.emit(
        &[
            "scan_complete",
            "--data",
            r#"{"scan_id":"1","fixed_count":1,"fixed":[{"id":"CVE-1","package":{"name":"xz"}}]}"#,
        ],
        T0,
    );
    listed.expect_code(0);
    assert_eq!(listed.scan()["fixed"][0]["id"], "CVE-1");
}

// ---------------------------------------------------------------------------------------------
// Formats and bad input.
// ---------------------------------------------------------------------------------------------

#[test]
fn bad_reports_and_wrong_formats_are_exit_2_with_one_line_and_nothing_sent() {
    let bench = Bench::new("");
    let garbage = bench.file("garbage.txt", "this is not JSON at all\n");
    let empty = bench.file("empty.json", "");
    let unknown = bench.file("unknown.json", r#"{"hello": "world", "items": [1, 2]}"#);
    let list = bench.file("list.json", "[1, 2, 3]");
    let bad_catalog = bench.file("bad-kev.json", r#"{"vulnerabilities": []}"#);
    let missing = bench.env.path().join("missing.json").display().to_string();
    let trivy = fixture("trivy-pom.json");
    let grype = fixture("grype-snapshot.json");
    let pip = fixture("pip-audit-many.json");
    let cargo = fixture("cargo-audit-many.json");
    let osv = fixture("osv-results-a.json");
    let cyclonedx = fixture("cyclonedx-trivy-pom.json");
    let snyk = fixture("snyk-one-vuln-ampersands.json");
    let container = fixture("gitlab-container-scanning-1-vuln.json");
    let cases: Vec<Vec<&str>> = vec![
        vec!["--report", &cyclonedx, "--format", "snyk"],
        vec!["--report", &snyk, "--format", "gitlab"],
        vec!["--report", &trivy, "--format", "dependency-check"],
        vec!["--report", &container],
        vec!["--report", &trivy, "--format", "grype"],
        vec!["--report", &grype, "--format", "trivy"],
        vec!["--report", &pip, "--format", "osv"],
        vec!["--report", &cargo, "--format", "npm-audit"],
        vec!["--report", &osv, "--format", "cyclonedx"],
        vec!["--report", &trivy, "--format", "sarif"],
        vec!["--report", &garbage],
        vec!["--report", &empty],
        vec!["--report", &unknown],
        vec!["--report", &list],
        vec!["--report", &missing],
        vec!["--report", &trivy, "--data", "{}"],
        vec!["--report", &trivy, "--kev-catalog", &missing],
        vec!["--report", &trivy, "--kev-catalog", &bad_catalog],
    ];
    for args in cases {
        let run = bench.emit(&args, T0);
        run.expect_usage_error();
        assert!(run.bodies.is_empty(), "{args:?}: nothing sent");
        assert!(
            !bench.env.history_path().exists(),
            "{args:?}: no history written"
        );
    }
    assert!(bench.server.requests().is_empty());
}

#[test]
fn explicit_format_and_auto_detection_agree() {
    let bench = Bench::new("");
    // The dry-run bodies, without the envelope's send time.
    let bodies = |file: &str, format: &str| -> Vec<Value> {
        let run = bench.run_at(
            &[
                "--json",
                "emit",
                "--report",
                &fixture(file),
                "--format",
                format,
                "--dry-run",
                "--scan-id",
                "same",
                "--repo",
                REPOSITORY,
            ],
            T0,
        );
        run.expect_code(0);
        run.json()
            .as_array()
            .expect("a list")
            .iter()
            .map(|shape| {
                let mut body = shape["body"].clone();
                body.as_object_mut()
                    .expect("an envelope")
                    .remove("timestamp");
                body
            })
            .collect()
    };
    for (file, format) in [
        ("trivy-pom.json", "trivy"),
        ("cyclonedx-trivy-pom.json", "cyclonedx"),
        ("grype-same-cve.json", "grype"),
        ("osv-results-a.json", "osv"),
        ("trivy-legacy-nodejs.json", "trivy"),
        ("sarif-trivy-alpine-310.sarif", "sarif"),
        ("dependency-check-exceptions.json", "dependency-check"),
        ("snyk-container-epss.json", "snyk"),
        ("gitlab-dependency-scanning-many.json", "gitlab"),
    ] {
        let auto = bodies(file, "auto");
        assert!(!auto.is_empty());
        assert_eq!(auto, bodies(file, format), "{file}");
    }
    assert!(bench.server.requests().is_empty());
}

/// cargo-audit-many.json as Windows PowerShell 5 writes it with `>` (UTF-16 LE with a
/// byte-order mark), as big-endian UTF-16 and with a UTF-8 byte-order mark: each read
/// like the file itself, detected and named, and `findings` shows the four findings.
#[test]
fn byte_order_marks_and_utf16_reports_are_read() {
    let text = std::fs::read_to_string(fixture("cargo-audit-many.json")).expect("fixture");
    let mut utf8 = vec![0xEF, 0xBB, 0xBF];
    utf8.extend(text.as_bytes());
    let mut little = vec![0xFF, 0xFE];
    little.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut big = vec![0xFE, 0xFF];
    big.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    for (name, bytes) in [("utf8-bom", utf8), ("utf16le", little), ("utf16be", big)] {
        let bench = Bench::new("");
        let path = bench.env.path().join(format!("{name}.json"));
        std::fs::write(&path, bytes).expect("write the report");
        let report = path.display().to_string();
        for (format, now) in [("auto", T0), ("cargo-audit", &at(0, 1)[..])] {
            let run = bench.emit(&["--report", &report, "--format", format], now);
            run.expect_code(0);
            let scan = run.scan();
            assert_eq!(scan["findings"], 4, "{name} {format}");
            assert_eq!(scan["report_format"], "cargo-audit", "{name} {format}");
        }
        let rows = bench.findings(&["--repo", REPOSITORY]);
        let mut found: Vec<(&str, &str, &str)> = rows
            .iter()
            .map(|row| {
                (
                    row["id"].as_str().unwrap_or_default(),
                    row["package"]["name"].as_str().unwrap_or_default(),
                    row["package"]["version"].as_str().unwrap_or_default(),
                )
            })
            .collect();
        found.sort();
        assert_eq!(
            found,
            vec![
                ("CVE-2020-35711", "arc-swap", "0.4.7"),
                ("CVE-2021-21299", "hyper", "0.13.9"),
                ("CVE-2021-25900", "smallvec", "0.6.13"),
                ("CVE-2021-25900", "smallvec", "1.5.0"),
            ],
            "{name}"
        );
    }
}

#[test]
fn log_lines_before_the_json_are_one_clear_line_and_exit_2() {
    let bench = Bench::new("");
    let json = std::fs::read_to_string(fixture("trivy-pom.json")).expect("fixture");
    let report = bench.file(
        "logged.json",
        &format!(
            "2024-05-01T10:00:00Z\tINFO\tNeed to update DB\n2024-05-01T10:00:03Z\tINFO\tNumber of language-specific files: 1\n{json}"
        ),
    );
    for format in ["auto", "trivy"] {
        let run = bench.emit(&["--report", &report, "--format", format], T0);
        let line = run.expect_usage_error();
        assert_eq!(
            bench.env.redact_paths(line),
            "error: --report <tmp>/logged.json: has 2 line(s) of other text before the JSON starts on line 3 (the first: `2024-05-01T10:00:00Z\tINFO\tNeed to update DB`); write only the report to the file, with the scanner's output option rather than by redirecting everything it prints",
            "{format}"
        );
        assert!(run.bodies.is_empty());
    }
    assert!(!bench.env.history_path().exists());
}

#[test]
fn a_gitlab_report_of_another_scan_type_is_one_clear_line_and_exit_2() {
    let bench = Bench::new("");
    let report = fixture("gitlab-container-scanning-1-vuln.json");
    for format in ["auto", "gitlab"] {
        let run = bench.emit(&["--report", &report, "--format", format], T0);
        let line = run.expect_usage_error();
        assert!(
            line.ends_with("gitlab-container-scanning-1-vuln.json: is a GitLab `container_scanning` report; staxhook reads GitLab dependency scanning reports (gl-dependency-scanning-report.json, `scan.type` `dependency_scanning`)"),
            "{line}"
        );
    }
    assert!(bench.server.requests().is_empty());
}

/// Trivy's SARIF with a misconfiguration added beside its four vulnerabilities: the four
/// are findings, and one stderr line counts the one skipped.
#[test]
fn sarif_results_that_are_not_about_packages_are_counted_on_stderr() {
    let bench = Bench::new("");
    let mut sarif: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("sarif-trivy-alpine-310.sarif")).expect("fixture"),
    )
    .expect("JSON");
    let run = &mut sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"]
        .as_array_mut()
        .expect("rules");
    rules.push(json!({
        "id": "DS002",
        "name": "Misconfiguration",
        "shortDescription": {"text": "Image user should not be 'root'"},
        "properties": {"tags": ["misconfiguration", "security", "HIGH"], "security-severity": "8.0"}
    }));
    let index = rules.len() - 1;
    run["results"].as_array_mut().expect("results").push(json!({
        "ruleId": "DS002",
        "ruleIndex": index,
        "level": "error",
        "message": {"text": "Artifact: Dockerfile\nType: dockerfile\nVulnerability DS002\nSeverity: HIGH"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": "Dockerfile"}}}]
    }));
    let report = bench.file("trivy.sarif", &sarif.to_string());
    let first = bench.emit(&["--report", &report], T0);
    first.expect_code(0);
    assert_eq!(first.scan()["findings"], 4);
    assert_eq!(first.scan()["summary"]["high"], 0);
    let notes: Vec<&str> = first
        .stderr
        .lines()
        .filter(|line| line.contains("SARIF results"))
        .collect();
    assert_eq!(
        notes
            .iter()
            .map(|line| bench.env.redact_paths(line))
            .collect::<Vec<_>>(),
        vec!["<tmp>/trivy.sarif: 1 of 5 SARIF results are not about a vulnerable package (misconfigurations, secrets, licences or code findings) and were skipped."]
    );
}

// ---------------------------------------------------------------------------------------------
// The KEV catalog.
// ---------------------------------------------------------------------------------------------

#[test]
fn without_any_catalog_one_stderr_line_says_so_and_no_kev_found() {
    let bench = Bench::new("");
    let run = bench.emit(&["--report", &fixture("trivy-pom.json")], T0);
    run.expect_code(0);
    let mentions: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.contains("KEV") || line.contains("kev"))
        .collect();
    assert_eq!(mentions.len(), 1, "stderr:\n{}", run.stderr);
    insta::assert_snapshot!(
        mentions[0],
        @"No KEV catalog (run `staxhook kev update` or pass --kev-catalog): no kev_found events this time."
    );
    assert_eq!(run.count("kev_found"), 0);
    assert_eq!(run.count("critical_vulnerability"), 1);
}

/// A bench whose `kev update --url URL` fetched the CISA fixture (with an ETag) and saved it.
struct KevUpdated {
    bench: Bench,
    /// The fixture's bytes, and where `kev update` keeps the catalog.
    real: Vec<u8>,
    url: String,
    saved: std::path::PathBuf,
    update: ObservedRun,
}

fn kev_update_once() -> KevUpdated {
    let bench = Bench::new("");
    let real = std::fs::read(kev_fixture("known_exploited_vulnerabilities.json"))
        .expect("read the KEV fixture");
    let url = bench.server.url("/kev.json");
    let saved = bench
        .env
        .xdg_data_home()
        .join("staxhook/known_exploited_vulnerabilities.json");
    bench.server.script(
        "/kev.json",
        vec![Behavior::Respond {
            status: 200,
            headers: vec![
                ("ETag".into(), "\"kev-2025-08-25\"".into()),
                ("Content-Type".into(), "application/json".into()),
            ],
            body: real.clone(),
        }],
    );
    let update = bench.run_at(&["kev", "update", "--url", &url], T0);
    update.expect_code(0);
    KevUpdated {
        bench,
        real,
        url,
        saved,
        update,
    }
}

#[test]
fn kev_update_saves_the_catalog() {
    let KevUpdated {
        bench,
        real,
        saved,
        update,
        ..
    } = kev_update_once();
    insta::assert_snapshot!(
        bench.env.redact_paths(&update.stdout),
        @"Saved the KEV catalog 2025.08.25 with 1404 entries to <tmp>/xdg-data/staxhook/known_exploited_vulnerabilities.json."
    );
    assert_eq!(std::fs::read(&saved).expect("saved catalog"), real);
}

#[test]
fn the_saved_catalog_is_used_without_kev_catalog() {
    // CVE-2025-48384 (Git) is in it, due 2025-09-15 — long before T0, so that deadline caps
    // the SLA and it is breached at once.
    let KevUpdated { bench, .. } = kev_update_once();
    let report = bench.file(
        "git.json",
        &trivy_report(&[vulnerability(
            "CVE-2025-48384",
            "git",
            "2.39.0",
            "HIGH",
            8.0,
        )]),
    );
    let run = bench.emit(&["--report", &report], T0);
    run.expect_code(0);
    assert!(!run.stderr.contains("No KEV catalog"), "{}", run.stderr);
    let kevs = run.data_of("kev_found");
    assert_eq!(kevs.len(), 1, "events {:?}", run.events());
    assert_eq!(kevs[0]["kev"]["due_date"], "2025-09-15");
    assert_eq!(kevs[0]["kev"]["vendor_project"], "Git");
    let breaches = run.data_of("sla_breach");
    assert_eq!(breaches.len(), 1, "events {:?}", run.events());
    assert_eq!(breaches[0]["due_at"], "2025-09-15T00:00:00Z");
}

#[test]
fn kev_update_of_an_unchanged_catalog_asks_conditionally_and_keeps_it() {
    // Unchanged upstream: a conditional request answered 304 → "current", file untouched.
    let KevUpdated {
        bench,
        real,
        url,
        saved,
        ..
    } = kev_update_once();
    bench
        .server
        .script("/kev.json", vec![Behavior::Status(304)]);
    let current = bench.run_at(&["kev", "update", "--url", &url], T0);
    current.expect_code(0);
    insta::assert_snapshot!(
        bench.env.redact_paths(&current.stdout),
        @"The KEV catalog at <tmp>/xdg-data/staxhook/known_exploited_vulnerabilities.json is current (1404 entries)."
    );
    let requests = bench.server.requests_for("/kev.json");
    assert_eq!(
        requests[1].header("if-none-match"),
        Some("\"kev-2025-08-25\""),
        "a conditional request"
    );
    assert_eq!(std::fs::read(&saved).expect("saved catalog"), real);
}

#[test]
fn a_broken_kev_download_keeps_the_old_catalog_byte_for_byte() {
    let KevUpdated {
        bench,
        real,
        url,
        saved,
        ..
    } = kev_update_once();
    let broken = [
        Behavior::Status(500),
        Behavior::Respond {
            status: 200,
            headers: vec![],
            body: b"<html>maintenance</html>".to_vec(),
        },
        Behavior::Respond {
            status: 200,
            headers: vec![],
            body: real[..real.len() / 2].to_vec(),
        },
        Behavior::Respond {
            status: 200,
            headers: vec![],
            body: br#"{"count": 5, "vulnerabilities": []}"#.to_vec(),
        },
    ];
    for (index, behavior) in broken.into_iter().enumerate() {
        let label = format!("broken download #{index}");
        bench.server.script("/kev.json", vec![behavior]);
        let failed = bench.run_at(&["kev", "update", "--url", &url], T0);
        assert_ne!(failed.code, 0, "{label}: stdout {}", failed.stdout);
        assert!(!failed.stderr.trim().is_empty(), "{label}: says why");
        assert_eq!(
            std::fs::read(&saved).expect("saved catalog"),
            real,
            "{label}: the old copy is kept"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// SLA.
// ---------------------------------------------------------------------------------------------

#[test]
fn sla_breach_fires_once_when_the_clock_passes_the_deadline() {
    let bench = Bench::new("\n[sla]\ncritical = \"7d\"\n");
    let report = fixture("trivy-pom.json");
    let breaches = |now: &str| -> ObservedRun {
        let run = bench.emit(&["--report", &report], now);
        run.expect_code(0);
        run
    };
    assert_eq!(breaches(T0).count("sla_breach"), 0);
    assert_eq!(breaches(&at(6, 0)).count("sla_breach"), 0, "T0 + 6d");
    let late = breaches(&at(8, 0));
    let found = late.data_of("sla_breach");
    assert_eq!(found.len(), 1, "T0 + 8d: events {:?}", late.events());
    let breach = found[0];
    assert_eq!(breach["cve_id"], "CVE-2020-9548");
    assert_eq!(
        breach["package"]["name"],
        "com.fasterxml.jackson.core:jackson-databind"
    );
    assert_eq!(breach["severity"], "critical");
    assert_eq!(breach["detected_at"], "2026-03-01T00:00:00Z");
    assert_eq!(breach["due_at"], "2026-03-08T00:00:00Z");
    assert_eq!(breach["days_overdue"], 1);
    assert_eq!(breach["sla_days"], 7);
    assert_eq!(breaches(&at(9, 0)).count("sla_breach"), 0, "T0 + 9d: once");
    let rows = bench.findings(&["--severity", "critical"]);
    assert!(
        rows[0]["notified"]
            .as_array()
            .is_some_and(|list| list.contains(&json!("sla_breach"))),
        "{}",
        rows[0]
    );
}

#[test]
fn a_kev_due_date_before_the_sla_deadline_caps_it() {
    // CVE-2021-20190 is high (30 days by default) but the catalog wants it fixed by T0 + 3d.
    let bench = Bench::new("");
    let catalog = bench.catalog(&[("CVE-2021-20190", "2026-03-04")]);
    let report = fixture("trivy-pom.json");
    let run = |now: &str| -> ObservedRun {
        let run = bench.emit(&["--report", &report, "--kev-catalog", &catalog], now);
        run.expect_code(0);
        run
    };
    let first = run(T0);
    assert_eq!(first.count("kev_found"), 1);
    assert_eq!(first.count("sla_breach"), 0);
    assert_eq!(run(&at(2, 0)).count("sla_breach"), 0, "before the due date");
    let late = run(&at(4, 0));
    let found = late.data_of("sla_breach");
    assert_eq!(found.len(), 1, "events {:?}", late.events());
    assert_eq!(found[0]["cve_id"], "CVE-2021-20190");
    assert_eq!(found[0]["due_at"], "2026-03-04T00:00:00Z");
    assert_eq!(found[0]["detected_at"], "2026-03-01T00:00:00Z");
    assert_eq!(found[0]["days_overdue"], 1);
    assert_eq!(run(&at(5, 0)).count("sla_breach"), 0, "once");
}

// ---------------------------------------------------------------------------------------------
// Policies.
// ---------------------------------------------------------------------------------------------

/// One policy_violation: policy name, action, sorted (cve_id, package version) of its violations.
type Violation = (String, String, Vec<(String, String)>);

fn violations(run: &ObservedRun) -> Vec<Violation> {
    let mut found: Vec<Violation> = run
        .data_of("policy_violation")
        .into_iter()
        .map(|data| {
            let mut list: Vec<(String, String)> = data["violations"]
                .as_array()
                .unwrap_or_else(|| panic!("violations is a list: {data}"))
                .iter()
                .map(|violation| {
                    assert!(
                        violation["reason"].as_str().is_some_and(|r| !r.is_empty()),
                        "{violation}"
                    );
                    (
                        violation["cve_id"].as_str().unwrap_or_default().to_string(),
                        violation["package"]["version"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                    )
                })
                .collect();
            list.sort();
            (
                data["policy"].as_str().unwrap_or_default().to_string(),
                data["action"].as_str().unwrap_or_default().to_string(),
                list,
            )
        })
        .collect();
    found.sort();
    found
}

fn names(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// One `warn` policy of every kind; `budget-ok` and `new-jackson` hold for trivy-pom.
const WARN_POLICIES: &str = r#"
[[policy]]
name = "high-or-worse"
action = "warn"
severity_at_least = "high"

[[policy]]
name = "critical-with-fix"
action = "warn"
severity_at_least = "critical"
fix_available = true

[[policy]]
name = "no-kev"
action = "warn"
kev = true

[[policy]]
name = "budget"
action = "warn"
max_count = { high = 0, critical = 1 }

[[policy]]
name = "budget-ok"
action = "warn"
max_count = { critical = 1, high = 1 }

[[policy]]
name = "old-jackson"
action = "warn"
deny_packages = ["jackson-databind@<2.9.10"]

[[policy]]
name = "new-jackson"
action = "warn"
deny_packages = ["jackson-databind@>=2.9.10", "event-stream"]
"#;

#[test]
fn each_warn_policy_kind_sends_one_violation_and_exits_0() {
    let bench = Bench::new(WARN_POLICIES);
    let catalog = bench.catalog(&[("CVE-2021-20190", KEV_DUE)]);
    let report = fixture("trivy-pom.json");
    let both = [("CVE-2020-9548", "2.9.1"), ("CVE-2021-20190", "2.9.1")];
    let expected = vec![
        ("budget".to_string(), "warn".to_string(), names(&both[1..])),
        (
            "critical-with-fix".to_string(),
            "warn".to_string(),
            names(&both[..1]),
        ),
        (
            "high-or-worse".to_string(),
            "warn".to_string(),
            names(&both),
        ),
        ("no-kev".to_string(), "warn".to_string(), names(&both[1..])),
        ("old-jackson".to_string(), "warn".to_string(), names(&both)),
    ];
    for now in [T0.to_string(), at(0, 1)] {
        let run = bench.emit(&["--report", &report, "--kev-catalog", &catalog], &now);
        run.expect_code(0);
        assert_eq!(run.scan()["status"], "passed");
        assert_eq!(
            violations(&run),
            expected,
            "at {now}: once per policy per run"
        );
    }
}

#[test]
fn a_fail_policy_exits_3_after_the_notifications_went_out() {
    let bench = Bench::new(
        r#"
[[policy]]
name = "no-critical-with-fix"
action = "fail"
severity_at_least = "critical"
fix_available = true
"#,
    );
    let run = bench.emit(&["--report", &fixture("trivy-pom.json")], T0);
    run.expect_code(3);
    assert_eq!(run.scan()["status"], "failed");
    assert_eq!(run.count("critical_vulnerability"), 1);
    assert_eq!(
        violations(&run),
        vec![(
            "no-critical-with-fix".to_string(),
            "fail".to_string(),
            names(&[("CVE-2020-9548", "2.9.1")])
        )]
    );
    let rule = run.data_of("policy_violation")[0]["rule"].clone();
    assert!(
        rule.as_str().is_some_and(|r| r.contains("critical")),
        "{rule}"
    );

    // A critical without a fix (libc6, state not-fixed) does not violate it.
    let unfixed = bench.emit_in(
        "acme/other",
        &["--report", &fixture("grype-same-cve.json")],
        T0,
    );
    unfixed.expect_code(0);
    assert_eq!(unfixed.scan()["status"], "passed");
    assert_eq!(unfixed.count("policy_violation"), 0);
}

#[test]
fn a_kev_policy_fails_on_a_catalog_hit() {
    let bench = Bench::new("\n[[policy]]\nname = \"no-kev\"\naction = \"fail\"\nkev = true\n");
    let catalog = bench.catalog(&[("CVE-2021-20190", KEV_DUE)]);
    let report = fixture("trivy-pom.json");
    let run = bench.emit(&["--report", &report, "--kev-catalog", &catalog], T0);
    run.expect_code(3);
    assert_eq!(run.scan()["status"], "failed");
    assert_eq!(
        violations(&run),
        vec![(
            "no-kev".to_string(),
            "fail".to_string(),
            names(&[("CVE-2021-20190", "2.9.1")])
        )]
    );
    // Without the CVE in the catalog, it holds.
    let clean = bench.catalog(&[("CVE-2021-44228", KEV_DUE)]);
    let passed = bench.emit_in(
        "acme/clean",
        &["--report", &report, "--kev-catalog", &clean],
        T0,
    );
    passed.expect_code(0);
    assert_eq!(passed.count("policy_violation"), 0);
}

/// A Trivy report with log4j-core below and at the fixed version, log4j-api, and
/// event-stream, written into `bench`'s folder; its path.
fn log4j_report(bench: &Bench) -> String {
    bench.file(
        "log4j.json",
        &trivy_report(&[
            vulnerability(
                "CVE-2021-44228",
                "org.apache.logging.log4j:log4j-core",
                "2.14.1",
                "CRITICAL",
                10.0,
            ),
            vulnerability(
                "CVE-2021-44832",
                "org.apache.logging.log4j:log4j-core",
                "2.17.1",
                "MEDIUM",
                6.6,
            ),
            vulnerability(
                "CVE-2021-44228",
                "org.apache.logging.log4j:log4j-api",
                "2.14.1",
                "CRITICAL",
                10.0,
            ),
            vulnerability(
                "GHSA-mh6f-8j2x-4483",
                "event-stream",
                "3.3.6",
                "CRITICAL",
                9.8,
            ),
        ]),
    )
}

#[test]
fn deny_packages_with_a_version_requirement() {
    let bench = Bench::new(
        "\n[[policy]]\nname = \"banned\"\naction = \"fail\"\n\
         deny_packages = [\"log4j-core@<2.17.1\", \"event-stream\"]\n",
    );
    let report = log4j_report(&bench);
    let run = bench.emit(&["--report", &report], T0);
    run.expect_code(3);
    assert_eq!(run.scan()["status"], "failed");
    let found = run.data_of("policy_violation");
    assert_eq!(found.len(), 1, "events {:?}", run.events());
    let mut listed: Vec<(String, String)> = found[0]["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|violation| {
            (
                violation["package"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                violation["package"]["version"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    listed.sort();
    assert_eq!(
        listed,
        names(&[
            ("event-stream", "3.3.6"),
            ("org.apache.logging.log4j:log4j-core", "2.14.1"),
        ])
    );
}

#[test]
fn a_warn_deny_packages_policy_passes_the_step() {
    let warn = Bench::new(
        "\n[[policy]]\nname = \"banned\"\naction = \"warn\"\n\
         deny_packages = [\"log4j-core@<2.17.1\"]\n",
    );
    let report = log4j_report(&warn);
    let run = warn.emit(&["--report", &report], T0);
    run.expect_code(0);
    assert_eq!(run.scan()["status"], "passed");
    assert_eq!(run.count("policy_violation"), 1);
}

#[test]
fn exit_3_wins_over_a_failed_delivery_and_a_failed_delivery_alone_is_1() {
    let bench = Bench::new(
        "\n[[policy]]\nname = \"no-critical\"\naction = \"fail\"\nseverity_at_least = \"critical\"\n",
    );
    bench
        .server
        .set_default(GENERIC_PATH, Behavior::Status(400));
    let run = bench.emit(&["--report", &fixture("trivy-pom.json")], T0);
    run.expect_code(3);
    assert!(!run.bodies.is_empty(), "the notifications were attempted");

    let plain = Bench::new("");
    plain
        .server
        .set_default(GENERIC_PATH, Behavior::Status(400));
    plain
        .emit(&["--report", &fixture("trivy-pom.json")], T0)
        .expect_code(1);
}

/// A notification that never reached any webhook has not been produced: the next run must
/// still send it (docs/reference.md §9: state records "which notifications it already produced"). Marking
/// every planned event notified whatever the delivery outcome would lose it for good.
#[test]
fn a_critical_whose_delivery_failed_is_sent_on_the_next_run() {
    let bench = Bench::new("");
    bench
        .server
        .script(GENERIC_PATH, vec![Behavior::Status(400); 2]);
    let report = fixture("trivy-pom.json");
    let first = bench.emit(&["--report", &report], T0);
    first.expect_code(1);
    assert_eq!(first.count("critical_vulnerability"), 1, "attempted once");

    let second = bench.emit(&["--report", &report], &at(0, 1));
    second.expect_code(0);
    assert_eq!(
        second.count("critical_vulnerability"),
        1,
        "the critical was never delivered, yet it is not sent again; events {:?}; findings {:?}",
        second.events(),
        bench.findings(&["--severity", "critical"])
    );
}

// ---------------------------------------------------------------------------------------------
// Digests.
// ---------------------------------------------------------------------------------------------

/// 40 critical findings CVE-2099-1000..1039 in pkg-00..pkg-39, scores rising with the index
/// (9.00 … 9.78), so the worst are the last ones.
fn forty_criticals(bench: &Bench) -> (String, Vec<String>) {
    let vulns: Vec<Vulnerability> = (0..40)
        .map(|i| {
            let mut v = vulnerability(
                &format!("CVE-2099-{}", 1000 + i),
                &format!("pkg-{i:02}"),
                "1.0.0",
                "CRITICAL",
                9.0 + f64::from(i) * 0.02,
            );
            v.fixed = Some("1.0.1");
            v
        })
        .collect();
    let ids: Vec<String> = vulns.iter().map(|v| v.id.clone()).collect();
    (bench.file("forty.json", &trivy_report(&vulns)), ids)
}

fn slack_config(server: &TestServer, extra: &str) -> String {
    format!(
        "{REPORT_DEFAULTS}{}\n[webhooks.chat]\nchannel = \"slack\"\nurl = \"{}\"\n\
         events = [\"critical_vulnerability\"]\n{extra}\n",
        generic_hook(server),
        server.url(SLACK_PATH)
    )
}

fn check_digest(digest_after: Option<usize>) {
    let shown = digest_after.unwrap_or(5);
    let extra = digest_after
        .map(|n| format!("digest_after = {n}"))
        .unwrap_or_default();
    let bench = Bench::with_config(|server| slack_config(server, &extra));
    let (report, ids) = forty_criticals(&bench);

    let run = bench.emit(&["--report", &report], T0);
    run.expect_code(0);
    // The generic webhook gets every event.
    assert_eq!(run.count("scan_complete"), 1);
    let mut generic: Vec<String> = run
        .data_of("critical_vulnerability")
        .into_iter()
        .map(|data| data["cve_id"].as_str().unwrap_or_default().to_string())
        .collect();
    generic.sort();
    assert_eq!(
        generic, ids,
        "40 critical_vulnerability to the generic webhook"
    );

    // The Slack webhook: `shown` messages, the worst first, then one digest of the rest.
    let slack = bench.server.requests_for(SLACK_PATH);
    assert_eq!(slack.len(), shown + 1, "{shown} + 1 digest to Slack");
    let worst: Vec<&String> = ids.iter().rev().take(shown).collect();
    for (request, id) in slack.iter().zip(&worst) {
        assert!(
            request.body_text().contains(id.as_str()),
            "individual Slack message for {id}: {}",
            request.body_text()
        );
        assert_eq!(
            request.header("x-codestax-event"),
            Some("critical_vulnerability")
        );
    }
    let digest = slack.last().expect("a digest").body_text();
    let body = slack.last().expect("a digest").body_json();
    let rest = 40 - shown;
    assert!(
        body["text"]
            .as_str()
            .is_some_and(|text| text.contains(&format!("{rest} more"))),
        "digest text says {rest} more: {}",
        body["text"]
    );
    for id in ids.iter().take(rest) {
        assert!(digest.contains(id.as_str()), "digest lists {id}");
    }
    for id in &worst {
        assert!(!digest.contains(id.as_str()), "{id} was sent on its own");
    }

    // Run 2: nothing new for Slack, scan_complete only for the generic webhook.
    let second = bench.emit(&["--report", &report], &at(0, 1));
    second.expect_code(0);
    assert_eq!(second.events(), vec!["scan_complete"]);
    assert_eq!(bench.server.requests_for(SLACK_PATH).len(), shown + 1);
}

#[test]
fn forty_criticals_reach_slack_as_five_and_a_digest_and_generic_as_forty() {
    check_digest(None);
}

#[test]
fn digest_after_on_the_webhook_changes_the_fold() {
    check_digest(Some(2));
}

// ---------------------------------------------------------------------------------------------
// --dry-run, one event kind.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_dry_run_without_a_history_prints_every_request_and_creates_none() {
    let bench = Bench::new("");
    let alpine = fixture("trivy-alpine-39.json");
    let dry = bench.emit(&["--report", &alpine, "--dry-run"], T0);
    dry.expect_code(0);
    assert!(!bench.env.history_path().exists(), "no history created");
    assert_eq!(dry.stdout.matches("POST ").count(), 3, "{}", dry.stdout);
    let dry_json = bench.run_at(
        &[
            "--json",
            "emit",
            "--report",
            &alpine,
            "--dry-run",
            "--repo",
            REPOSITORY,
        ],
        T0,
    );
    dry_json.expect_code(0);
    let shapes = dry_json.json();
    let shapes = shapes.as_array().expect("a list");
    assert_eq!(shapes.len(), 3);
    let mut kinds: Vec<&str> = shapes
        .iter()
        .map(|shape| {
            assert_eq!(shape["webhook"], "gen");
            assert_eq!(shape["channel"], "generic");
            assert_eq!(shape["url"], bench.server.url(GENERIC_PATH));
            assert!(shape["headers"].is_object(), "{shape}");
            assert_eq!(shape["body"]["repository"], REPOSITORY);
            shape["body"]["event"].as_str().unwrap_or_default()
        })
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        vec![
            "critical_vulnerability",
            "critical_vulnerability",
            "scan_complete"
        ]
    );
    assert!(!bench.env.history_path().exists(), "no history created");
    assert!(bench.server.requests().is_empty(), "nothing sent");
}

/// A history with the findings of trivy-pom (at T0); the findings, the log and the
/// requests as they were before a dry run of trivy-alpine-39 at T0 + 1 day; that dry run.
struct DryRunAfterState {
    bench: Bench,
    findings_before: Vec<Value>,
    log_before: Value,
    sent_before: usize,
    dry: ObservedRun,
}

fn dry_run_with_a_history() -> DryRunAfterState {
    let bench = Bench::new("");
    bench
        .emit(&["--report", &fixture("trivy-pom.json")], T0)
        .expect_code(0);
    let findings_before = bench.findings(&[]);
    let log_before = bench.run_at(&["--json", "log"], T0).json();
    let sent_before = bench.server.requests().len();
    let dry = bench.emit(
        &["--report", &fixture("trivy-alpine-39.json"), "--dry-run"],
        &at(1, 0),
    );
    dry.expect_code(0);
    DryRunAfterState {
        bench,
        findings_before,
        log_before,
        sent_before,
        dry,
    }
}

#[test]
fn a_dry_run_neither_adds_nor_fixes_findings() {
    let DryRunAfterState {
        bench,
        findings_before,
        log_before,
        sent_before,
        dry,
    } = dry_run_with_a_history();
    assert_eq!(dry.stdout.matches("POST ").count(), 3);
    assert_eq!(bench.findings(&[]), findings_before, "findings unchanged");
    assert_eq!(
        bench.run_at(&["--json", "log"], T0).json(),
        log_before,
        "history unchanged"
    );
    assert_eq!(bench.server.requests().len(), sent_before, "nothing sent");
}

#[test]
fn the_real_run_after_a_dry_run_still_sends_the_criticals() {
    let DryRunAfterState { bench, .. } = dry_run_with_a_history();
    let real = bench.emit(&["--report", &fixture("trivy-alpine-39.json")], &at(1, 0));
    real.expect_code(0);
    assert_eq!(real.count("critical_vulnerability"), 2);
    assert_eq!(
        real.scan()["fixed_count"],
        2,
        "the pom findings are fixed now"
    );
}

#[test]
fn an_event_name_with_report_sends_only_that_kind() {
    let bench = Bench::new("");
    let catalog = bench.catalog(&[("CVE-2019-14697", KEV_DUE)]);
    let alpine = fixture("trivy-alpine-39.json");
    let critical = bench.emit(
        &[
            "critical_vulnerability",
            "--report",
            &alpine,
            "--kev-catalog",
            &catalog,
        ],
        T0,
    );
    critical.expect_code(0);
    assert_eq!(
        critical.events(),
        vec!["critical_vulnerability", "critical_vulnerability"]
    );
    let kev = bench.emit(
        &["kev-found", "--report", &alpine, "--kev-catalog", &catalog],
        T0,
    );
    kev.expect_code(0);
    assert_eq!(kev.events(), vec!["kev_found", "kev_found"]);
    // Both kinds are used up: a full run sends scan_complete only.
    let full = bench.emit(&["--report", &alpine, "--kev-catalog", &catalog], T0);
    full.expect_code(0);
    assert_eq!(full.events(), vec!["scan_complete"]);
}

// ---------------------------------------------------------------------------------------------
// findings.
// ---------------------------------------------------------------------------------------------

/// Findings of two repositories: acme/a from trivy-pom (a critical and a high), acme/b from
/// trivy-alpine-39 (two criticals), both at T0.
fn findings_of_two_repositories() -> Bench {
    let bench = Bench::new("");
    bench
        .emit_in("acme/a", &["--report", &fixture("trivy-pom.json")], T0)
        .expect_code(0);
    bench
        .emit_in(
            "acme/b",
            &["--report", &fixture("trivy-alpine-39.json")],
            T0,
        )
        .expect_code(0);
    bench
}

/// Then a clean report for acme/b a day later: its findings are fixed.
fn fix_the_findings_of_acme_b(bench: &Bench) {
    bench
        .emit_in(
            "acme/b",
            &["--report", &fixture("trivy-no-vuln.json")],
            &at(1, 0),
        )
        .expect_code(0);
}

#[test]
fn findings_without_a_history_are_empty_and_create_none() {
    let bench = Bench::new("");
    assert!(bench.findings(&[]).is_empty(), "no history: []");
    assert!(
        !bench.env.history_path().exists(),
        "not created by findings"
    );
}

#[test]
fn findings_json_gives_each_findings_facts() {
    let bench = findings_of_two_repositories();
    let all = bench.findings(&[]);
    assert_eq!(all.len(), 4);
    let a = bench.findings(&["--repo", "acme/a"]);
    assert_eq!(a.len(), 2);
    assert_eq!(a[0]["id"], "CVE-2020-9548");
    assert_eq!(a[0]["repository"], "acme/a");
    assert_eq!(
        a[0]["package"]["name"],
        "com.fasterxml.jackson.core:jackson-databind"
    );
    assert_eq!(a[0]["package"]["version"], "2.9.1");
    assert_eq!(a[0]["severity"], "critical");
    assert_eq!(a[0]["fixed_version"], "2.9.10.4");
    assert_eq!(a[0]["status"], "open");
    assert_eq!(a[0]["fixed_at"], Value::Null);
    assert_eq!(a[0]["notified"], json!(["critical_vulnerability"]));
    assert_eq!(a[1]["id"], "CVE-2021-20190");
    assert_eq!(a[1]["severity"], "high");
    assert_eq!(a[1]["notified"], json!([]));
}

#[test]
fn findings_filter_by_severity_and_repository() {
    let bench = findings_of_two_repositories();
    assert_eq!(bench.findings(&["--severity", "critical"]).len(), 3);
    assert_eq!(bench.findings(&["--severity", "high"]).len(), 1);
    assert_eq!(
        bench
            .findings(&["--repo", "acme/b", "--severity", "high"])
            .len(),
        0
    );
}

#[test]
fn findings_filter_by_status() {
    let bench = findings_of_two_repositories();
    fix_the_findings_of_acme_b(&bench);
    let fixed = bench.findings(&["--status", "fixed"]);
    assert_eq!(fixed.len(), 2);
    assert!(fixed.iter().all(|row| row["repository"] == "acme/b"));
    let open = bench.findings(&["--status", "open"]);
    assert_eq!(open.len(), 2);
    assert!(open.iter().all(|row| row["repository"] == "acme/a"));
    assert!(bench
        .findings(&["--status", "fixed", "--repo", "acme/a"])
        .is_empty());
    assert_eq!(
        bench
            .findings(&[
                "--status",
                "fixed",
                "--repo",
                "acme/b",
                "--severity",
                "critical"
            ])
            .len(),
        2
    );
}

#[test]
fn findings_table_shows_the_findings_of_the_repository_asked_for() {
    let bench = findings_of_two_repositories();
    fix_the_findings_of_acme_b(&bench);
    let table = bench.run_at(&["findings", "--repo", "acme/a"], T0);
    table.expect_code(0);
    insta::assert_snapshot!(
        table.stdout,
        @r"
        ┌────────────┬────────────────┬─────────────────────────────────────────────┬─────────┬──────────┬──────────┬────────┬────────────┬────────────────────────┐
        │ repository ┆ id             ┆ package                                     ┆ version ┆ severity ┆ fix      ┆ status ┆ first seen ┆ notified               │
        ╞════════════╪════════════════╪═════════════════════════════════════════════╪═════════╪══════════╪══════════╪════════╪════════════╪════════════════════════╡
        │ acme/a     ┆ CVE-2020-9548  ┆ com.fasterxml.jackson.core:jackson-databind ┆ 2.9.1   ┆ critical ┆ 2.9.10.4 ┆ open   ┆ 2026-03-01 ┆ critical_vulnerability │
        │ acme/a     ┆ CVE-2021-20190 ┆ com.fasterxml.jackson.core:jackson-databind ┆ 2.9.1   ┆ high     ┆ 2.9.10.7 ┆ open   ┆ 2026-03-01 ┆                        │
        └────────────┴────────────────┴─────────────────────────────────────────────┴─────────┴──────────┴──────────┴────────┴────────────┴────────────────────────┘
        "
    );
    assert!(!table.stdout.contains("CVE-2019-14697"));
    let empty = bench.run_at(&["findings", "--repo", "nobody/none"], T0);
    empty.expect_code(0);
    assert!(!empty.stdout.contains("CVE-"));
}

#[test]
fn findings_with_a_bad_filter_value_is_exit_2() {
    let bench = findings_of_two_repositories();
    fix_the_findings_of_acme_b(&bench);
    for bad in [
        vec!["findings", "--severity", "severe"],
        vec!["findings", "--status", "closed"],
    ] {
        let run = bench.run_at(&bad, T0);
        assert_eq!(run.code, 2, "{bad:?}: {}", run.stderr);
    }
}

/// A plain CycloneDX SBOM (no `vulnerabilities` key) reads as a clean scan and so closes
/// every open finding: staxhook says so. An empty `vulnerabilities` list is a clean scan and
/// earns no warning.
#[test]
fn a_plain_sbom_earns_a_warning_and_a_clean_scan_does_not() {
    let env = TestEnv::new();
    env.write_config("");
    let sbom = env.path().join("sbom.json");
    std::fs::write(
        &sbom,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[]}"#,
    )
    .unwrap();
    let clean = env.path().join("clean.json");
    std::fs::write(
        &clean,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5","vulnerabilities":[]}"#,
    )
    .unwrap();

    let emit = |report: &std::path::Path| {
        let run = run(env
            .cmd()
            .args(["emit", "--report"])
            .arg(report)
            .args(["--repo", "acme/sbom"]));
        run.expect_code(0);
        run.stderr
    };
    let warned = emit(&sbom);
    insta::assert_snapshot!(
        env.redact_paths(&warned),
        @r"
        warning: <tmp>/sbom.json is a CycloneDX document without a `vulnerabilities` section: read as a scan that found nothing, so this repository's open findings are marked fixed. If it is a plain SBOM, scan it for vulnerabilities first (e.g. `trivy sbom --format cyclonedx`).
        No KEV catalog (run `staxhook kev update` or pass --kev-catalog): no kev_found events this time.
        <tmp>/sbom.json: 0 findings (0 new, 0 fixed) in acme/sbom; 1 events
        No enabled webhook is configured; the finding state was updated, nothing sent.
        "
    );
    let quiet = emit(&clean);
    assert!(!quiet.contains("vulnerabilities` section"), "{quiet}");
}

/// Twenty critical findings, each in its own package.
fn twenty_criticals() -> Vec<Vulnerability> {
    (0..20)
        .map(|index| {
            vulnerability(
                &format!("CVE-2026-{:04}", 1000 + index),
                &format!("package-{index}"),
                "1.0.0",
                "CRITICAL",
                9.8,
            )
        })
        .collect()
}

/// The CVE of every `critical_vulnerability` the generic webhook received.
fn critical_alerts(bench: &Bench) -> Vec<String> {
    bench
        .server
        .requests_for(GENERIC_PATH)
        .iter()
        .map(|request| request.body_json())
        .filter(|body| body["event"] == "critical_vulnerability")
        .map(|body| {
            body["data"]["cve_id"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// A push pipeline, a pull-request pipeline and two re-runs process one report of one
/// repository at the same moment, as four processes on one history: each critical is alerted
/// once in total (before the claim protocol, all four sent all twenty).
#[test]
fn concurrent_runs_of_one_repository_alert_each_critical_once() {
    let bench = Bench::new("");
    let report = bench.file("trivy.json", &trivy_report(&twenty_criticals()));
    let runs = in_parallel(4, |_| {
        run(bench.env.cmd().env("STAXHOOK_NOW", T0).args([
            "emit",
            "--report",
            report.as_str(),
            "--repo",
            REPOSITORY,
        ]))
    });
    for run in &runs {
        run.expect_code(0);
    }
    let mut alerted = critical_alerts(&bench);
    assert_eq!(alerted.len(), 20, "{alerted:?}");
    alerted.sort();
    alerted.dedup();
    assert_eq!(alerted.len(), 20, "each critical once: {alerted:?}");
    // Every run still reports its scan.
    let scans = bench
        .server
        .requests_for(GENERIC_PATH)
        .iter()
        .filter(|request| request.body_json()["event"] == "scan_complete")
        .count();
    assert_eq!(scans, 4);
}
