//! EPSS end to end (docs/reference.md §11): `epss update` from a loopback server (a generated
//! gzip file in FIRST's format, conditional requests, every kind of broken download keeping the
//! old copy byte for byte), `emit --report` with the saved copy, with `--epss` and without any,
//! `epss` and `epss_percentile` in event data, in `findings --json` (SQLite and PostgreSQL)
//! and in every chat channel's message, the `epss_at_least` policy, and the risk order of
//! `findings --sort risk` and of policy violation lists.

use serde_json::{json, Map, Value};

use crate::prelude::*;

const REPOSITORY: &str = "acme/shop";
const T0: &str = "2026-03-01T00:00:00Z";
/// Past the 7-day SLA of the critical findings.
const T8: &str = "2026-03-09T00:00:00Z";
const GENERIC_PATH: &str = "/gen";
const EPSS_PATH: &str = "/epss_scores-current.csv.gz";

/// The scored CVEs, as the file writes them. CVE-2026-9002 is an alias of CVE-2026-0002.
const SCORED: [(&str, &str, &str); 4] = [
    ("CVE-2026-0001", "0.02", "0.61"),
    ("CVE-2026-9002", "9.4358e-01", "0.99953"),
    ("CVE-2026-0003", "4.3e-01", "0.97"),
    ("CVE-2026-0004", "0.0005", "0.12"),
];

/// Five findings whose risk order differs from their severity order: the KEV one (low), the
/// EPSS ones by score (one through its alias), then the critical without EPSS.
fn report() -> String {
    let vulnerability = |id: &str, package: &str, severity: &str, score: f64, aliases: &[&str]| {
        json!({
            "VulnerabilityID": id,
            "VendorIDs": aliases,
            "PkgName": package,
            "InstalledVersion": "1.0.0",
            "FixedVersion": "1.0.1",
            "Severity": severity,
            "Title": format!("{id} in {package}"),
            "CVSS": {"nvd": {"V3Score": score}}
        })
    };
    trivy_json(vec![
        vulnerability("CVE-2026-0001", "alpha", "CRITICAL", 9.8, &[]),
        vulnerability("CVE-2026-0002", "beta", "HIGH", 7.5, &["CVE-2026-9002"]),
        vulnerability("CVE-2026-0003", "gamma", "MEDIUM", 5.0, &[]),
        vulnerability("CVE-2026-0004", "delta", "LOW", 3.1, &[]),
        vulnerability("CVE-2026-0005", "epsilon", "CRITICAL", 10.0, &[]),
    ])
}

/// A KEV catalog with CVE-2026-0004, due long after the runs.
fn catalog() -> String {
    json!({
        "catalogVersion": "2026.02.20",
        "count": 1,
        "vulnerabilities": [{
            "cveID": "CVE-2026-0004",
            "vendorProject": "Delta",
            "product": "Delta",
            "vulnerabilityName": "Delta Remote Code Execution",
            "dateAdded": "2026-02-20",
            "requiredAction": "Apply the update.",
            "dueDate": "2026-06-01",
            "knownRansomwareCampaignUse": "Unknown"
        }]
    })
    .to_string()
}

/// A test environment with a loopback server (a generic webhook and the EPSS download), the
/// report and the KEV catalog written.
struct Bench {
    env: TestEnv,
    server: TestServer,
    report: String,
    catalog: String,
}

impl Bench {
    fn new(extra_config: &str) -> Bench {
        let server = TestServer::start();
        let env = TestEnv::new();
        env.write_config(&format!(
            "{REPORT_DEFAULTS}\n[webhooks.gen]\nchannel = \"generic\"\nurl = \"{}\"\n{extra_config}",
            server.url(GENERIC_PATH)
        ));
        let report = env.path().join("trivy.json");
        std::fs::write(&report, report_text()).expect("write the report");
        let catalog = env.path().join("kev.json");
        std::fs::write(&catalog, self::catalog()).expect("write the catalog");
        Bench {
            report: report.display().to_string(),
            catalog: catalog.display().to_string(),
            env,
            server,
        }
    }

    fn saved(&self) -> std::path::PathBuf {
        self.env
            .xdg_data_home()
            .join("staxhook/epss_scores-current.csv.gz")
    }

    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.env.path().join(name);
        std::fs::write(&path, bytes).expect("write a test file");
        path.display().to_string()
    }

    fn run_at(&self, args: &[&str], now: &str) -> Run {
        run(self.env.cmd().env("STAXHOOK_NOW", now).args(args))
    }

    /// `emit --report` with the KEV catalog and `extra` flags; the generic bodies it sent.
    fn emit(&self, extra: &[&str], now: &str) -> (Run, Vec<Value>) {
        let before = self.server.requests_for(GENERIC_PATH).len();
        let mut args = vec![
            "emit",
            "--report",
            &self.report,
            "--repo",
            REPOSITORY,
            "--kev-catalog",
            &self.catalog,
        ];
        args.extend_from_slice(extra);
        let run = self.run_at(&args, now);
        let bodies = self.server.requests_for(GENERIC_PATH)[before..]
            .iter()
            .map(|request| request.body_json())
            .collect();
        (run, bodies)
    }

    /// `epss update` from the loopback server, which answers with `behavior`.
    fn update(&self, behavior: Behavior) -> Run {
        self.server.script(EPSS_PATH, vec![behavior]);
        self.run_at(
            &["epss", "update", "--url", &self.server.url(EPSS_PATH)],
            T0,
        )
    }

    fn findings(&self, extra: &[&str]) -> Vec<Value> {
        let mut args = vec!["--json", "findings"];
        args.extend_from_slice(extra);
        let run = self.run_at(&args, T0);
        run.expect_code(0);
        run.json().as_array().expect("a list").clone()
    }
}

fn report_text() -> String {
    report()
}

/// The generated file FIRST would publish, gzip-compressed.
fn published() -> Vec<u8> {
    gzip(epss_csv(&SCORED, EPSS_FILLER_ROWS).as_bytes())
}

fn ok(body: Vec<u8>) -> Behavior {
    Behavior::Respond {
        status: 200,
        headers: vec![
            ("ETag".into(), "\"epss-2026-02-28\"".into()),
            (
                "Last-Modified".into(),
                "Sat, 28 Feb 2026 12:55:00 GMT".into(),
            ),
            ("Content-Type".into(), "application/gzip".into()),
        ],
        body,
    }
}

/// The `data` of each event of `kind`, by `cve_id`.
fn data_of<'a>(bodies: &'a [Value], kind: &str) -> Vec<&'a Value> {
    bodies
        .iter()
        .filter(|body| body["event"] == kind)
        .map(|body| &body["data"])
        .collect()
}

fn by_cve<'a>(data: &[&'a Value], cve: &str) -> &'a Value {
    data.iter()
        .find(|data| data["cve_id"] == cve)
        .unwrap_or_else(|| panic!("no event about {cve} in {data:?}"))
}

#[test]
fn epss_update_saves_the_file_and_findings_carry_its_scores() {
    let bench = Bench::new("");
    let body = published();
    let update = bench.update(ok(body.clone()));
    update.expect_code(0);
    insta::assert_snapshot!(
        bench.env.redact_paths(&update.stdout),
        @"Saved the EPSS scores of 2026-02-28 (model v2025.03.14) for 1204 CVEs to <tmp>/xdg-data/staxhook/epss_scores-current.csv.gz."
    );
    assert_eq!(std::fs::read(bench.saved()).expect("saved copy"), body);

    // The saved copy is used without --epss: each finding event carries the scores of its
    // CVE or of an alias; without scores, no keys.
    let (first, bodies) = bench.emit(&[], T0);
    first.expect_code(0);
    assert!(!first.stderr.contains("EPSS"), "{}", first.stderr);
    let criticals = data_of(&bodies, "critical_vulnerability");
    assert_eq!(criticals.len(), 2, "{bodies:?}");
    let alpha = by_cve(&criticals, "CVE-2026-0001");
    assert_eq!(
        (&alpha["epss"], &alpha["epss_percentile"]),
        (&json!(0.02), &json!(0.61))
    );
    let epsilon = by_cve(&criticals, "CVE-2026-0005");
    assert!(epsilon.get("epss").is_none(), "{epsilon}");
    assert!(epsilon.get("epss_percentile").is_none(), "{epsilon}");
    let kevs = data_of(&bodies, "kev_found");
    assert_eq!(kevs.len(), 1, "{bodies:?}");
    assert_eq!(
        (&kevs[0]["epss"], &kevs[0]["epss_percentile"]),
        (&json!(0.0005), &json!(0.12))
    );

    let later = bench.emit(&[], T8).1;
    let breaches = data_of(&later, "sla_breach");
    assert_eq!(breaches.len(), 2, "{later:?}");
    assert_eq!(by_cve(&breaches, "CVE-2026-0001")["epss"], json!(0.02));
    assert!(by_cve(&breaches, "CVE-2026-0005").get("epss").is_none());

    // `findings --json`: every finding, with null where there is no score.
    let rows = bench.findings(&[]);
    let beta = rows
        .iter()
        .find(|row| row["id"] == "CVE-2026-0002")
        .expect("beta");
    assert_eq!(
        (&beta["epss"], &beta["epss_percentile"], &beta["kev"]),
        (&json!(0.94358), &json!(0.99953), &json!(false))
    );
    let epsilon = rows
        .iter()
        .find(|row| row["id"] == "CVE-2026-0005")
        .expect("epsilon");
    assert_eq!(
        (&epsilon["epss"], &epsilon["epss_percentile"]),
        (&Value::Null, &Value::Null)
    );
}

/// The ids in the order `findings` lists them.
fn ids(rows: &[Value]) -> Vec<&str> {
    rows.iter()
        .map(|row| row["id"].as_str().unwrap_or_default())
        .collect()
}

#[test]
fn findings_sort_by_risk_severity_and_first_seen() {
    let bench = Bench::new("");
    let scores = bench.file("epss.csv.gz", &published());
    bench.emit(&["--epss", &scores], T0).0.expect_code(0);
    // A finding seen later: it sorts last by first-seen, and by risk where its scores say.
    let newer = bench.file(
        "newer.json",
        report_text()
            .replace("\"alpha\"", "\"alpha-two\"")
            .as_bytes(),
    );
    let run = bench.run_at(
        &[
            "emit",
            "scan_complete",
            "--report",
            &newer,
            "--repo",
            "acme/other",
            "--epss",
            &scores,
            "--kev-catalog",
            &bench.catalog,
        ],
        "2026-03-02T00:00:00Z",
    );
    run.expect_code(0);
    let risk = bench.findings(&["--repo", REPOSITORY, "--sort", "risk"]);
    assert_eq!(
        ids(&risk),
        [
            "CVE-2026-0004",
            "CVE-2026-0002",
            "CVE-2026-0003",
            "CVE-2026-0001",
            "CVE-2026-0005"
        ]
    );
    assert_eq!(risk[0]["kev"], true);
    let severity = bench.findings(&["--repo", REPOSITORY]);
    assert_eq!(
        ids(&severity),
        [
            "CVE-2026-0001",
            "CVE-2026-0005",
            "CVE-2026-0002",
            "CVE-2026-0003",
            "CVE-2026-0004"
        ]
    );
    assert_eq!(
        bench.findings(&["--repo", REPOSITORY, "--sort", "severity"]),
        severity
    );
    // Only scan_complete went out there, so no kev_found notice was due; the finding is
    // still stored as known exploited, and sorts first.
    let other = bench.findings(&["--repo", "acme/other", "--sort", "risk"]);
    assert_eq!(other[0]["id"], "CVE-2026-0004");
    assert_eq!(other[0]["kev"], true);
    assert_eq!(other[0]["notified"], json!([]));
    let first_seen = bench.findings(&["--sort", "first-seen"]);
    assert_eq!(first_seen.len(), 10);
    assert!(first_seen[..5]
        .iter()
        .all(|row| row["repository"] == REPOSITORY));
    assert!(first_seen[5..]
        .iter()
        .all(|row| row["repository"] == "acme/other"));

    // The table shows what the order is made of.
    let table = bench.run_at(&["findings", "--repo", REPOSITORY, "--sort", "risk"], T0);
    table.expect_code(0);
    let first_row = table
        .stdout
        .lines()
        .find(|line| line.contains("CVE-2026-"))
        .expect("a row");
    assert!(first_row.contains("CVE-2026-0004"), "{}", table.stdout);
    assert!(first_row.contains("KEV, EPSS 0.0005"), "{}", table.stdout);

    let bad = bench.run_at(&["findings", "--sort", "riks"], T0);
    insta::assert_snapshot!(
        bad.expect_usage_error(),
        @"error: invalid value 'riks' for '--sort <ORDER>': unknown order `riks`: did you mean `risk`? (valid: severity, risk, first-seen)"
    );
}

#[test]
fn findings_carry_epss_and_sort_by_risk_on_postgresql() {
    let bench = Bench::new("");
    let (_, url) = postgres_database();
    let scores = bench.file("epss.csv.gz", &published());
    let first = bench.run_at(
        &[
            "--history",
            &url,
            "emit",
            "--report",
            &bench.report,
            "--repo",
            REPOSITORY,
            "--kev-catalog",
            &bench.catalog,
            "--epss",
            &scores,
        ],
        T0,
    );
    first.expect_code(0);
    let run = bench.run_at(
        &["--history", &url, "--json", "findings", "--sort", "risk"],
        T0,
    );
    run.expect_code(0);
    let rows = run.json();
    let rows = rows.as_array().expect("a list");
    assert_eq!(
        ids(rows),
        [
            "CVE-2026-0004",
            "CVE-2026-0002",
            "CVE-2026-0003",
            "CVE-2026-0001",
            "CVE-2026-0005"
        ]
    );
    assert_eq!(rows[1]["epss"], json!(0.94358));
    assert_eq!(rows[1]["epss_percentile"], json!(0.99953));
    assert_eq!(rows[0]["kev"], json!(true));
    assert_eq!(rows[4]["epss"], Value::Null);
}

#[test]
fn epss_update_asks_conditionally_and_keeps_a_current_copy() {
    let bench = Bench::new("");
    let body = published();
    bench.update(ok(body.clone())).expect_code(0);
    let current = bench.update(Behavior::Status(304));
    current.expect_code(0);
    insta::assert_snapshot!(
        bench.env.redact_paths(&current.stdout),
        @"The EPSS scores of 2026-02-28 at <tmp>/xdg-data/staxhook/epss_scores-current.csv.gz are current (1204 CVEs)."
    );
    let requests = bench.server.requests_for(EPSS_PATH);
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].header("if-none-match"), None);
    assert_eq!(
        requests[1].header("if-none-match"),
        Some("\"epss-2026-02-28\"")
    );
    assert_eq!(
        requests[1].header("if-modified-since"),
        Some("Sat, 28 Feb 2026 12:55:00 GMT")
    );
    assert_eq!(std::fs::read(bench.saved()).expect("saved copy"), body);

    // --json says the same for scripts.
    bench.server.script(EPSS_PATH, vec![Behavior::Status(304)]);
    let json = bench.run_at(
        &[
            "--json",
            "epss",
            "update",
            "--url",
            &bench.server.url(EPSS_PATH),
        ],
        T0,
    );
    json.expect_code(0);
    let value = json.json();
    assert_eq!(value["updated"], false);
    assert_eq!(value["rows"], 1204);
    assert_eq!(value["score_date"], "2026-02-28");
}

#[test]
fn a_broken_epss_download_keeps_the_old_copy_byte_for_byte() {
    let bench = Bench::new("");
    let body = published();
    bench.update(ok(body.clone())).expect_code(0);
    let whole = published();
    let text = epss_csv(&SCORED, EPSS_FILLER_ROWS);
    let broken: Vec<(&str, Behavior)> = vec![
        ("HTTP 500", Behavior::Status(500)),
        ("truncated gzip", ok(whole[..whole.len() / 2].to_vec())),
        (
            "bad header",
            ok(gzip(
                text.replace("cve,epss,percentile", "cve,score").as_bytes(),
            )),
        ),
        ("too few rows", ok(gzip(epss_csv(&SCORED, 10).as_bytes()))),
        (
            "a score above 1",
            ok(gzip(text.replace("9.4358e-01", "1.4358").as_bytes())),
        ),
        ("a web page", ok(b"<html>maintenance</html>".to_vec())),
    ];
    let mut reasons = Vec::new();
    for (label, behavior) in broken {
        let failed = bench.update(behavior);
        assert_eq!(failed.code, 1, "{label}: stdout {}", failed.stdout);
        assert_eq!(failed.stdout, "", "{label}");
        reasons.push(format!("{label}: {}", failed.one_line_error()));
        assert_eq!(
            std::fs::read(bench.saved()).expect("saved copy"),
            body,
            "{label}: the old copy is kept"
        );
    }
    insta::assert_snapshot!(reasons.join("\n"), @r"
    HTTP 500: error: downloading the EPSS file: HTTP 500; the saved copy is unchanged
    truncated gzip: error: the downloaded EPSS file is invalid (not a readable EPSS file (line 607): incomplete deflate stream); the saved copy is unchanged
    bad header: error: the downloaded EPSS file is invalid (line 2 is `cve,score`, not the header `cve,epss,percentile`); the saved copy is unchanged
    too few rows: error: the downloaded EPSS file is invalid (14 rows, fewer than 1000: not the whole file); the saved copy is unchanged
    a score above 1: error: the downloaded EPSS file is invalid (line 4: the score `1.4358` is not a number from 0 to 1); the saved copy is unchanged
    a web page: error: the downloaded EPSS file is invalid (line 1 is `<html>maintenance</html>`, not the header `cve,epss,percentile`); the saved copy is unchanged
    ");
    // Still the one that works.
    let (run, bodies) = bench.emit(&[], T0);
    run.expect_code(0);
    let criticals = data_of(&bodies, "critical_vulnerability");
    assert_eq!(by_cve(&criticals, "CVE-2026-0001")["epss"], json!(0.02));
}

#[test]
fn epss_flag_wins_over_the_saved_copy_and_without_either_one_note() {
    let bench = Bench::new("");
    // Nothing at all: one note, no EPSS keys, null in findings.
    let (bare, bodies) = bench.emit(&[], T0);
    bare.expect_code(0);
    let notes: Vec<&str> = bare
        .stderr
        .lines()
        .filter(|line| line.contains("EPSS"))
        .collect();
    insta::assert_snapshot!(
        notes.join("\n"),
        @"No EPSS scores (run `staxhook epss update` or pass --epss): findings carry no EPSS score this time."
    );
    assert!(
        bodies.iter().all(|body| body["data"].get("epss").is_none()),
        "{bodies:?}"
    );
    assert!(bench
        .findings(&[])
        .iter()
        .all(|row| row["epss"].is_null() && row["epss_percentile"].is_null()));

    // A saved copy, and a plain (not compressed) --epss file that scores alpha otherwise:
    // the flag wins.
    bench.update(ok(published())).expect_code(0);
    let other = epss_csv(&[("CVE-2026-0001", "0.75", "0.98")], 0);
    let given = bench.file("epss.csv", other.as_bytes());
    bench
        .run_at(
            &[
                "emit",
                "--report",
                &bench.report,
                "--repo",
                "acme/flag",
                "--epss",
                &given,
            ],
            T0,
        )
        .expect_code(0);
    let rows = bench.findings(&["--repo", "acme/flag"]);
    let alpha = rows
        .iter()
        .find(|row| row["id"] == "CVE-2026-0001")
        .expect("alpha");
    assert_eq!(alpha["epss"], json!(0.75));
    // Only alpha is in that file.
    assert_eq!(rows.iter().filter(|row| !row["epss"].is_null()).count(), 1);

    // A --epss file that is not one: exit 2, one line naming it, nothing sent or recorded.
    let sent = bench.server.requests_for(GENERIC_PATH).len();
    let broken = bench.file("broken.csv", b"cve,score\nCVE-2026-0001,0.1\n");
    let run = bench.run_at(
        &[
            "emit",
            "--report",
            &bench.report,
            "--repo",
            "acme/broken",
            "--epss",
            &broken,
        ],
        T0,
    );
    insta::assert_snapshot!(
        bench.env.redact_paths(run.expect_usage_error()),
        @"error: --epss: EPSS file <tmp>/broken.csv: line 1 is `cve,score`, not the header `cve,epss,percentile`"
    );
    assert_eq!(bench.server.requests_for(GENERIC_PATH).len(), sent);
    assert!(bench.findings(&["--repo", "acme/broken"]).is_empty());
}

#[test]
fn epss_at_least_policies_list_the_worst_first() {
    let bench = Bench::new(
        "\n[[policy]]\nname = \"likely-exploited\"\naction = \"fail\"\nepss_at_least = 0.4\n\
         \n[[policy]]\nname = \"likely-and-high\"\naction = \"warn\"\nepss_at_least = 0.01\nseverity_at_least = \"high\"\n",
    );
    let scores = bench.file("epss.csv.gz", &published());
    let (run, bodies) = bench.emit(&["--epss", &scores], T0);
    run.expect_code(3);
    let violations = data_of(&bodies, "policy_violation");
    assert_eq!(violations.len(), 2, "{bodies:?}");
    let listed = |policy: &str| -> Vec<(String, String)> {
        let violation = violations
            .iter()
            .find(|data| data["policy"] == policy)
            .unwrap_or_else(|| panic!("{policy} violated"));
        violation["violations"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|item| {
                (
                    item["cve_id"].as_str().unwrap_or_default().to_string(),
                    item["reason"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        listed("likely-exploited"),
        [
            (
                "CVE-2026-0002".to_string(),
                "EPSS 0.94358 ≥ 0.4".to_string()
            ),
            ("CVE-2026-0003".to_string(), "EPSS 0.43 ≥ 0.4".to_string()),
        ]
    );
    // Both conditions must hold: gamma (medium) and epsilon (no EPSS) are out; beta first.
    assert_eq!(
        listed("likely-and-high"),
        [
            (
                "CVE-2026-0002".to_string(),
                "CVE-2026-0002 (high); EPSS 0.94358 ≥ 0.01".to_string()
            ),
            (
                "CVE-2026-0001".to_string(),
                "CVE-2026-0001 (critical); EPSS 0.02 ≥ 0.01".to_string()
            ),
        ]
    );
    let first = violations
        .iter()
        .find(|data| data["policy"] == "likely-exploited")
        .expect("violated");
    assert_eq!(first["rule"], "epss_at_least = 0.4");
    assert_eq!(first["violations"][0]["epss"], json!(0.94358));

    // Out of range: exit 2, the key and its line.
    let env = TestEnv::new();
    env.write_config("[[policy]]\nname = \"p\"\nepss_at_least = 40\n");
    let refused = run_config_check(&env);
    insta::assert_snapshot!(
        env.redact_paths(&refused),
        @"error: <config>:3:17: policy[0].epss_at_least: 40 is not from 0 to 1 (an EPSS score is a probability, e.g. 0.1)"
    );
}

/// `findings` with a config that does not load: its one error line.
fn run_config_check(env: &TestEnv) -> String {
    let run = staxhook(env, &["findings"]);
    run.expect_usage_error().to_string()
}

// ---------------------------------------------------------------------------------------------
// Chat messages
// ---------------------------------------------------------------------------------------------

/// The sample data of `event` with EPSS scores.
fn scored_envelope(event: Event) -> Envelope {
    let mut data = event.sample_data();
    data.insert("epss".into(), json!(0.94358));
    data.insert("epss_percentile".into(), json!(0.99953));
    let mut envelope = Envelope::new(event, "myorg/api".into(), data, false);
    envelope.timestamp = "2026-03-22T10:30:00Z".into();
    envelope
}

/// A digest of two scored findings, as `emit --report` folds them for chat.
fn digest_envelope() -> Envelope {
    let data: Map<String, Value> = serde_json::from_value(json!({
        "digest": true,
        "count": 2,
        "total": 7,
        "repository": "myorg/api",
        "items": [
            {"cve_id": "CVE-2026-0002", "package": {"name": "beta", "version": "1.0.0"},
             "severity": "high", "epss": 0.94358},
            {"cve_id": "CVE-2026-0001", "package": {"name": "alpha", "version": "1.0.0"},
             "severity": "critical"}
        ]
    }))
    .expect("an object");
    let mut envelope = Envelope::new(
        Event::CriticalVulnerability,
        "myorg/api".into(),
        data,
        false,
    );
    envelope.timestamp = "2026-03-22T10:30:00Z".into();
    envelope
}

fn body(channel: Channel, envelope: &Envelope) -> Value {
    let context = FormatContext {
        routing_key: Some("R0UTINGKEY0123456789abcdef012345"),
    };
    serde_json::from_slice(&channel.formatter().body(envelope, &context)).expect("JSON")
}

/// Every JSON object of `value` with a string that mentions EPSS: a small one (a field, a
/// fact) whole, a large one (a whole embed) as the lines that mention it.
fn epss_parts(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, text) in map
                .iter()
                .filter_map(|(key, value)| Some((key, value.as_str()?)))
                .filter(|(_, text)| text.contains("EPSS"))
            {
                if map.len() <= 3 {
                    found.push(value.to_string());
                    break;
                }
                let lines: Vec<&str> = text.lines().filter(|line| line.contains("EPSS")).collect();
                found.push(format!("{key}: {}", lines.join(" / ")));
            }
            for value in map.values() {
                epss_parts(value, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| epss_parts(item, found)),
        _ => {}
    }
}

/// What a chat channel shows of EPSS in the three finding events and a digest.
fn shown(channel: Channel) -> String {
    let mut lines = Vec::new();
    for (label, envelope) in [
        (
            "critical_vulnerability",
            scored_envelope(Event::CriticalVulnerability),
        ),
        ("kev_found", scored_envelope(Event::KevFound)),
        ("sla_breach", scored_envelope(Event::SlaBreach)),
        ("digest", digest_envelope()),
    ] {
        let mut found = Vec::new();
        epss_parts(&body(channel, &envelope), &mut found);
        assert!(!found.is_empty(), "{channel} {label}: no EPSS shown");
        lines.push(format!("{label}: {}", found.join(" | ")));
    }
    lines.join("\n")
}

#[test]
fn slack_shows_epss() {
    insta::assert_snapshot!(shown(Channel::Slack), @r#"
    critical_vulnerability: {"type":"mrkdwn","text":"*EPSS*\n0.94 (99th percentile)"}
    kev_found: {"type":"mrkdwn","text":"*EPSS*\n0.94 (99th percentile)"}
    sla_breach: {"type":"mrkdwn","text":"*EPSS*\n0.94 (99th percentile)"}
    digest: {"type":"mrkdwn","text":"• CVE-2026-0002 in beta 1.0.0 (high, EPSS 0.94)\n• CVE-2026-0001 in alpha 1.0.0 (critical)"}
    "#);
}

#[test]
fn teams_shows_epss() {
    insta::assert_snapshot!(shown(Channel::Teams), @r#"
    critical_vulnerability: {"title":"EPSS","value":"0.94 (99th percentile)"}
    kev_found: {"title":"EPSS","value":"0.94 (99th percentile)"}
    sla_breach: {"title":"EPSS","value":"0.94 (99th percentile)"}
    digest: {"type":"TextBlock","text":"- CVE-2026-0002 in beta 1.0.0 (high, EPSS 0.94)\n- CVE-2026-0001 in alpha 1.0.0 (critical)","wrap":true}
    "#);
}

#[test]
fn discord_shows_epss() {
    insta::assert_snapshot!(shown(Channel::Discord), @r#"
    critical_vulnerability: {"name":"EPSS","value":"0.94 (99th percentile)","inline":true}
    kev_found: {"name":"EPSS","value":"0.94 (99th percentile)","inline":true}
    sla_breach: {"name":"EPSS","value":"0.94 (99th percentile)","inline":true}
    digest: description: • CVE-2026-0002 in beta 1.0.0 (high, EPSS 0.94)
    "#);
}

#[test]
fn pagerduty_and_generic_carry_epss_in_their_data() {
    for event in [
        Event::CriticalVulnerability,
        Event::KevFound,
        Event::SlaBreach,
    ] {
        let envelope = scored_envelope(event);
        let details = &body(Channel::Pagerduty, &envelope)["payload"]["custom_details"];
        assert_eq!(
            (&details["epss"], &details["epss_percentile"]),
            (&json!(0.94358), &json!(0.99953)),
            "{event}"
        );
        let generic = body(Channel::Generic, &envelope);
        assert_eq!(
            (
                &generic["data"]["epss"],
                &generic["data"]["epss_percentile"]
            ),
            (&json!(0.94358), &json!(0.99953)),
            "{event}"
        );
    }
}
