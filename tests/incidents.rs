//! PagerDuty incidents that follow the findings (docs/reference.md §4, §9), through the real
//! binary against a loopback PagerDuty look-alike, on SQLite and on PostgreSQL: a trigger is
//! resolved with the same `dedup_key` (and the routing key configured now) once the finding
//! is fixed or the policy holds again, once however many runs fix it at once, never to a
//! webhook that did not open it; a resolve is a delivery like any other (retried, logged
//! with its action, redelivered as a resolve); a flood of findings reaches PagerDuty as
//! `digest_after` triggers and one digest, paced to two a second, and the digest resolves when
//! none of its findings is left.

use std::time::Duration;

use serde_json::{json, Value};

use crate::prelude::*;

const REPOSITORY: &str = "acme/shop";
const NOW: &str = "2026-03-01T00:00:00Z";
const PD_PATH: &str = "/pd";
const LATER_PATH: &str = "/pd-later";
/// PagerDuty routing keys are 32 characters.
const ROUTING_KEY: &str = "R0UT1NGKEY0000000000000000000001";
const NEW_ROUTING_KEY: &str = "R0UT1NGKEY0000000000000000000002";

/// Quick retries, and room for a slow machine to answer.
const DEFAULTS_TEXT: &str = "[defaults]\n\
timeout = \"5s\"\n\
max_attempts = 3\n\
initial_backoff = \"10ms\"\n\
max_backoff = \"20ms\"\n\
max_elapsed = \"10s\"\n";

/// Where the history lives for one test.
#[derive(Debug, Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

on_both_backends!(
    a_fixed_finding_resolves_its_incidents_once_with_the_same_key,
    a_webhook_added_later_gets_no_resolve,
    a_policy_that_holds_again_resolves_its_incident,
    forty_criticals_reach_pagerduty_as_five_and_a_digest_paced_and_resolved_last,
    concurrent_runs_fixing_one_finding_send_one_resolve,
    a_resolve_answered_429_is_retried_and_a_failed_one_is_sent_by_the_next_run,
);

/// One vulnerability of a generated Trivy report: id, package, severity, CVSS score.
type Vulnerability = (String, &'static str, &'static str, f64);

fn critical(id: &str, score: f64) -> Vulnerability {
    (id.to_string(), "log4j-core", "CRITICAL", score)
}

fn trivy_report(vulnerabilities: &[Vulnerability]) -> String {
    let list: Vec<Value> = vulnerabilities
        .iter()
        .map(|(id, package, severity, score)| {
            json!({
                "VulnerabilityID": id,
                "PkgName": package,
                "InstalledVersion": "2.14.1",
                "Severity": severity,
                "Title": format!("{id} in {package}"),
                "CVSS": {"nvd": {"V3Score": score}}
            })
        })
        .collect();
    trivy_json(list)
}

/// A KEV catalog listing these CVEs.
fn catalog(cves: &[&str]) -> String {
    let entries: Vec<Value> = cves
        .iter()
        .map(|cve| {
            json!({
                "cveID": cve, "vendorProject": "Apache", "product": "Log4j",
                "vulnerabilityName": "Log4j RCE", "dateAdded": "2026-02-20",
                "shortDescription": "A test entry.", "requiredAction": "Patch.",
                "dueDate": "2026-03-22", "knownRansomwareCampaignUse": "Known",
                "notes": "", "cwes": []
            })
        })
        .collect();
    json!({"title": "CISA KEV", "catalogVersion": "2026.02.20", "count": entries.len(), "vulnerabilities": entries}).to_string()
}

/// A test environment, a loopback PagerDuty look-alike and a history on one backend.
struct Bench {
    env: TestEnv,
    server: TestServer,
    /// A `postgres://` URL, or `None` for the environment's SQLite file.
    database: Option<String>,
    /// What `PD_KEY` holds for the next run (a lock, so runs may start from many threads).
    routing_key: std::sync::Mutex<&'static str>,
}

impl Bench {
    /// The PagerDuty webhook `pd`, plus `extra` config text.
    fn new(backend: Backend, extra: &str) -> Bench {
        let server = TestServer::start();
        server.set_default(PD_PATH, Behavior::Status(202));
        server.set_default(LATER_PATH, Behavior::Status(202));
        let env = TestEnv::new();
        let database = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(postgres_database().1),
        };
        let bench = Bench {
            env,
            server,
            database,
            routing_key: std::sync::Mutex::new(ROUTING_KEY),
        };
        bench.configure(extra);
        bench
    }

    fn configure(&self, extra: &str) {
        write_private_config(
            &self.env,
            &format!(
                "{DEFAULTS_TEXT}\n[webhooks.pd]\nchannel = \"pagerduty\"\nurl = \"{}\"\n\
                 routing_key = \"${{PD_KEY}}\"\n{extra}",
                self.server.url(PD_PATH)
            ),
        );
    }

    /// A second PagerDuty webhook, `pd-later`, added to the config.
    fn add_later_webhook(&self, extra: &str) {
        self.configure(&format!(
            "{extra}\n[webhooks.pd-later]\nchannel = \"pagerduty\"\nurl = \"{}\"\n\
             routing_key = \"${{PD_KEY}}\"\n",
            self.server.url(LATER_PATH)
        ));
    }

    /// Two report files: one critical finding (CVE-2026-0001), then none.
    fn one_critical_then_clean(&self) -> (String, String) {
        (
            self.file(
                "open.json",
                &trivy_report(&[critical("CVE-2026-0001", 9.8)]),
            ),
            self.file("clean.json", &trivy_report(&[])),
        )
    }

    fn file(&self, name: &str, contents: &str) -> String {
        let path = self.env.path().join(name);
        std::fs::write(&path, contents).expect("write a test file");
        path.display().to_string()
    }

    fn command(&self, args: &[&str]) -> assert_cmd::Command {
        let mut command = self.env.cmd();
        command
            .env("STAXHOOK_NOW", NOW)
            .env("PD_KEY", *self.routing_key.lock().unwrap());
        if let Some(url) = &self.database {
            command.arg("--history").arg(url);
        }
        command.args(args);
        command
    }

    fn run(&self, args: &[&str]) -> Run {
        run(&mut self.command(args))
    }

    /// `staxhook --json emit --report FILE --repo REPOSITORY ARGS`: the results, and the
    /// PagerDuty bodies this run sent (in arrival order).
    fn emit(&self, report: &str, args: &[&str], code: i32) -> (Vec<Value>, Vec<Value>) {
        let before = self.server.requests_for(PD_PATH).len();
        let mut all = vec!["--json", "emit", "--report", report, "--repo", REPOSITORY];
        all.extend_from_slice(args);
        let result = self.run(&all);
        result.expect_code(code);
        let bodies = self.server.requests_for(PD_PATH)[before..]
            .iter()
            .map(|request| request.body_json())
            .collect();
        (
            result.json().as_array().cloned().unwrap_or_default(),
            bodies,
        )
    }

    fn log(&self, args: &[&str]) -> Vec<Value> {
        let mut all = vec!["--json", "log"];
        all.extend_from_slice(args);
        let result = self.run(&all);
        result.expect_code(0);
        result.json().as_array().cloned().unwrap_or_default()
    }
}

/// The bodies with this `event_action`.
fn with_action<'a>(bodies: &'a [Value], action: &str) -> Vec<&'a Value> {
    bodies
        .iter()
        .filter(|body| body["event_action"] == action)
        .collect()
}

fn dedup_keys(bodies: &[&Value]) -> Vec<String> {
    let mut keys: Vec<String> = bodies
        .iter()
        .map(|body| body["dedup_key"].as_str().unwrap_or_default().to_string())
        .collect();
    keys.sort();
    keys
}

fn a_fixed_finding_resolves_its_incidents_once_with_the_same_key(backend: Backend) {
    let bench = Bench::new(backend, "");
    let kev = bench.file("kev.json", &catalog(&["CVE-2021-44228"]));
    let both = bench.file(
        "both.json",
        &trivy_report(&[
            critical("CVE-2021-44228", 10.0),
            ("CVE-2026-0002".into(), "jackson", "HIGH", 7.5),
        ]),
    );
    let fixed = bench.file(
        "fixed.json",
        &trivy_report(&[("CVE-2026-0002".into(), "jackson", "HIGH", 7.5)]),
    );

    let (results, first) = bench.emit(&both, &["--kev-catalog", &kev], 0);
    assert_eq!(with_action(&first, "trigger").len(), 2, "{first:#?}");
    assert!(
        results.iter().all(|result| result["action"] == "trigger"),
        "{results:#?}"
    );
    let opened = dedup_keys(&with_action(&first, "trigger"));

    // Pruning the deliveries does not forget the incidents.
    std::thread::sleep(Duration::from_millis(5));
    bench
        .run(&["log", "prune", "--older-than", "1ms"])
        .expect_code(0);
    assert!(bench.log(&[]).is_empty());

    // The finding is fixed, and the routing key changed meanwhile: the resolves use it.
    *bench.routing_key.lock().unwrap() = NEW_ROUTING_KEY;
    let (results, second) = bench.emit(&fixed, &["--kev-catalog", &kev], 0);
    let resolves = with_action(&second, "resolve");
    assert_eq!(second.len(), 2, "only the two resolves: {second:#?}");
    assert_eq!(
        dedup_keys(&resolves),
        opened,
        "the same dedup_key as the trigger"
    );
    for body in &resolves {
        assert_eq!(body["routing_key"], NEW_ROUTING_KEY);
        assert_eq!(body["client"], "staxhook");
    }
    let mut resolved: Vec<(String, String)> = results
        .iter()
        .map(|result| {
            (
                result["event"].as_str().unwrap().into(),
                result["action"].as_str().unwrap().into(),
            )
        })
        .collect();
    resolved.sort();
    assert_eq!(
        resolved,
        [
            ("critical_vulnerability".to_string(), "resolve".to_string()),
            ("kev_found".to_string(), "resolve".to_string())
        ]
    );

    // Nothing is sent again by an unchanged run.
    let (results, third) = bench.emit(&fixed, &["--kev-catalog", &kev], 0);
    assert!(third.is_empty() && results.is_empty(), "{third:#?}");

    // `log` shows each resolve with its action; `log show` too.
    let rows = bench.log(&[]);
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert!(
        rows.iter().all(|row| row["action"] == "resolve"),
        "{rows:#?}"
    );
    let table = bench.run(&["log"]);
    table.expect_code(0);
    assert!(
        table.stdout.contains("kev_found (resolve)"),
        "{}",
        table.stdout
    );
    assert!(
        table.stdout.contains("critical_vulnerability (resolve)"),
        "{}",
        table.stdout
    );
    let kev_row = rows.iter().find(|row| row["event"] == "kev_found").unwrap();
    let id = kev_row["id"].to_string();
    let shown = bench.run(&["--json", "log", "show", &id]);
    shown.expect_code(0);
    assert_eq!(shown.json()["action"], "resolve");
    assert_eq!(shown.json()["request"]["body"]["routing_key"], "[redacted]");
    let shown_text = bench.run(&["log", "show", &id]);
    assert!(
        shown_text.stdout.contains("event kev_found (resolve)"),
        "{}",
        shown_text.stdout
    );

    // `redeliver` sends a resolve again, with the routing key configured now.
    *bench.routing_key.lock().unwrap() = ROUTING_KEY;
    let again = bench.run(&["--json", "redeliver", &id]);
    again.expect_code(0);
    assert_eq!(again.json()[0]["action"], "resolve");
    let sent = bench.server.requests_for(PD_PATH);
    let last = sent.last().unwrap().body_json();
    assert_eq!(last["event_action"], "resolve");
    assert_eq!(last["routing_key"], ROUTING_KEY);
    let kev_resolve = resolves
        .iter()
        .find(|body| body["dedup_key"] == last["dedup_key"]);
    assert!(kev_resolve.is_some(), "the kev_found incident's key");
    assert_eq!(bench.log(&["--limit", "1"])[0]["action"], "resolve");
    for run in [&table, &shown_text, &again] {
        assert!(
            !run.all_output().contains(ROUTING_KEY) && !run.all_output().contains(NEW_ROUTING_KEY)
        );
    }
}

fn a_webhook_added_later_gets_no_resolve(backend: Backend) {
    let bench = Bench::new(backend, "");
    let (open, clean) = bench.one_critical_then_clean();
    let (_, first) = bench.emit(&open, &[], 0);
    assert_eq!(with_action(&first, "trigger").len(), 1);
    bench.add_later_webhook("");
    let (results, second) = bench.emit(&clean, &[], 0);
    assert_eq!(with_action(&second, "resolve").len(), 1, "{second:#?}");
    assert!(
        bench.server.requests_for(LATER_PATH).is_empty(),
        "pd-later never opened the incident"
    );
    assert!(
        results.iter().all(|result| result["webhook"] == "pd"),
        "{results:#?}"
    );
}

fn a_policy_that_holds_again_resolves_its_incident(backend: Backend) {
    let policy = "events = [\"policy_violation\"]\n\n[[policy]]\nname = \"no-critical\"\n\
                  action = \"fail\"\nseverity_at_least = \"critical\"\n";
    let bench = Bench::new(backend, policy);
    let violating = bench.file(
        "violating.json",
        &trivy_report(&[critical("CVE-2026-0001", 9.8)]),
    );
    let holding = bench.file(
        "holding.json",
        &trivy_report(&[("CVE-2026-0002".into(), "jackson", "HIGH", 7.5)]),
    );
    let (_, first) = bench.emit(&violating, &[], 3);
    let triggers = with_action(&first, "trigger");
    assert_eq!(triggers.len(), 1, "{first:#?}");
    assert_eq!(triggers[0]["payload"]["class"], "policy_violation");
    // Violated again: the same incident, nothing resolved.
    let (_, again) = bench.emit(&violating, &[], 3);
    assert!(with_action(&again, "resolve").is_empty(), "{again:#?}");

    let (_, second) = bench.emit(&holding, &[], 0);
    assert_eq!(second.len(), 1, "{second:#?}");
    assert_eq!(second[0]["event_action"], "resolve");
    assert_eq!(second[0]["dedup_key"], triggers[0]["dedup_key"]);
    let (_, third) = bench.emit(&holding, &[], 0);
    assert!(third.is_empty(), "{third:#?}");
}

fn forty_criticals_reach_pagerduty_as_five_and_a_digest_paced_and_resolved_last(backend: Backend) {
    let bench = Bench::new(backend, "digest_after = 5\n");
    // Scores fall with the number, so the worst are the first.
    let all: Vec<Vulnerability> = (0..40)
        .map(|index| {
            critical(
                &format!("CVE-2026-{:04}", 100 + index),
                9.9 - f64::from(index) * 0.02,
            )
        })
        .collect();
    let report = bench.file("forty.json", &trivy_report(&all));
    let (results, first) = bench.emit(&report, &[], 0);
    assert_eq!(first.len(), 6, "5 + a digest: {first:#?}");
    assert_eq!(results.len(), 6);
    let individual: Vec<&str> = first[..5]
        .iter()
        .map(|body| {
            body["payload"]["custom_details"]["cve_id"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        individual,
        [
            "CVE-2026-0100",
            "CVE-2026-0101",
            "CVE-2026-0102",
            "CVE-2026-0103",
            "CVE-2026-0104"
        ]
    );
    let digest = &first[5];
    assert_eq!(digest["event_action"], "trigger");
    assert_eq!(
        digest["payload"]["summary"],
        "35 more critical vulnerabilities in acme/shop"
    );
    let items: Vec<&str> = digest["payload"]["custom_details"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["cve_id"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (5..40)
        .map(|index| format!("CVE-2026-{:04}", 100 + index))
        .collect();
    assert_eq!(items, expected, "worst first");

    // Paced: two a second at most, by the server's clock.
    let requests = bench.server.requests_for(PD_PATH);
    for pair in requests.windows(2) {
        let gap = pair[1].received_at.duration_since(pair[0].received_at);
        assert!(
            gap >= Duration::from_millis(500),
            "{gap:?} between two events"
        );
    }

    // Fix everything but one finding of the digest: the five resolve, the digest stays.
    let left = bench.file("left.json", &trivy_report(&all[20..21]));
    let (_, second) = bench.emit(&left, &[], 0);
    assert_eq!(with_action(&second, "resolve").len(), 5, "{second:#?}");
    assert!(!second
        .iter()
        .any(|body| body["dedup_key"] == digest["dedup_key"]));
    // The last one fixed: the digest resolves.
    let clean = bench.file("clean.json", &trivy_report(&[]));
    let (_, third) = bench.emit(&clean, &[], 0);
    assert_eq!(third.len(), 1, "{third:#?}");
    assert_eq!(third[0]["event_action"], "resolve");
    assert_eq!(third[0]["dedup_key"], digest["dedup_key"]);
}

fn concurrent_runs_fixing_one_finding_send_one_resolve(backend: Backend) {
    let bench = Bench::new(backend, "");
    let open = bench.file(
        "open.json",
        &trivy_report(&[
            critical("CVE-2026-0001", 9.8),
            critical("CVE-2026-0002", 9.1),
        ]),
    );
    let fixed = bench.file(
        "fixed.json",
        &trivy_report(&[critical("CVE-2026-0002", 9.1)]),
    );
    let (_, first) = bench.emit(&open, &[], 0);
    assert_eq!(first.len(), 2);
    let before = bench.server.requests_for(PD_PATH).len();
    let runs = in_parallel(4, |_| {
        bench.run(&["-q", "emit", "--report", &fixed, "--repo", REPOSITORY])
    });
    for run in &runs {
        run.expect_code(0);
    }
    let sent: Vec<Value> = bench.server.requests_for(PD_PATH)[before..]
        .iter()
        .map(|request| request.body_json())
        .collect();
    assert_eq!(sent.len(), 1, "exactly one resolve in all: {sent:#?}");
    assert_eq!(sent[0]["event_action"], "resolve");
}

fn a_resolve_answered_429_is_retried_and_a_failed_one_is_sent_by_the_next_run(backend: Backend) {
    let bench = Bench::new(backend, "");
    let open = bench.file(
        "open.json",
        &trivy_report(&[
            critical("CVE-2026-0001", 9.8),
            critical("CVE-2026-0002", 9.1),
        ]),
    );
    let one_fixed = bench.file("one.json", &trivy_report(&[critical("CVE-2026-0002", 9.1)]));
    let clean = bench.file("clean.json", &trivy_report(&[]));
    bench.emit(&open, &[], 0);

    // 429 means "not taken": the engine tries again and the resolve is delivered.
    bench.server.script(
        PD_PATH,
        vec![Behavior::TooManyRequests {
            retry_after: "0".into(),
        }],
    );
    let (results, second) = bench.emit(&one_fixed, &[], 0);
    assert_eq!(second.len(), 2, "{second:#?}");
    assert!(second.iter().all(|body| body["event_action"] == "resolve"));
    assert_eq!(results[0]["attempts"], 2, "{results:#?}");
    assert_eq!(results[0]["status"], "delivered");

    // A resolve PagerDuty refuses is not used up: the next run sends it.
    bench.server.script(PD_PATH, vec![Behavior::Status(400)]);
    let (results, third) = bench.emit(&clean, &[], 1);
    assert_eq!(results[0]["status"], "failed", "{results:#?}");
    let (_, fourth) = bench.emit(&clean, &[], 0);
    assert_eq!(fourth.len(), 1);
    assert_eq!(fourth[0]["dedup_key"], third[0]["dedup_key"]);
    let (_, fifth) = bench.emit(&clean, &[], 0);
    assert!(fifth.is_empty());
}

/// A trigger that failed opened nothing: the fix sends no resolve. Not about the backend.
#[test]
fn a_failed_trigger_is_never_resolved() {
    let bench = Bench::new(Backend::Sqlite, "");
    let (open, clean) = bench.one_critical_then_clean();
    bench.server.script(PD_PATH, vec![Behavior::Status(400)]);
    bench.emit(&open, &[], 1);
    let (_, second) = bench.emit(&clean, &[], 0);
    assert!(second.is_empty(), "{second:#?}");
}

/// `--dry-run` shows each PagerDuty request's action, and claims nothing: the real run
/// after it still sends the resolve.
#[test]
fn a_dry_run_shows_the_action_and_leaves_the_resolve_to_the_real_run() {
    let bench = Bench::new(Backend::Sqlite, "");
    let (open, clean) = bench.one_critical_then_clean();
    let (dry, sent) = bench.emit(&open, &["--dry-run"], 0);
    assert!(sent.is_empty());
    assert_eq!(dry[0]["action"], "trigger", "{dry:#?}");
    assert_eq!(dry[0]["body"]["event_action"], "trigger");
    bench.emit(&open, &[], 0);
    let (dry, sent) = bench.emit(&clean, &["--dry-run"], 0);
    assert!(sent.is_empty());
    assert_eq!(dry.len(), 1, "{dry:#?}");
    assert_eq!(dry[0]["action"], "resolve");
    assert_eq!(dry[0]["body"]["routing_key"], "[redacted]");
    let text = bench.run(&[
        "emit",
        "--report",
        &clean,
        "--repo",
        REPOSITORY,
        "--dry-run",
    ]);
    text.expect_code(0);
    assert!(
        text.stdout.contains("channel pagerduty, resolve)"),
        "{}",
        text.stdout
    );
    let (_, real) = bench.emit(&clean, &[], 0);
    assert_eq!(real.len(), 1);
    assert_eq!(real[0]["event_action"], "resolve");
}

/// `history copy` takes the incidents along: the copy resolves what the original opened, and
/// a second copy adds none twice.
#[test]
fn history_copy_moves_the_incidents_once() {
    let bench = Bench::new(Backend::Sqlite, "");
    let (open, clean) = bench.one_critical_then_clean();
    bench.emit(&open, &[], 0);
    let (_, url) = postgres_database();
    let from = bench.env.history_path().display().to_string();
    let copied = bench.run(&["--json", "history", "copy", &from, &url]);
    copied.expect_code(0);
    assert_eq!(copied.json()["copied"]["incidents"], 1, "{}", copied.stdout);
    let again = bench.run(&["--json", "history", "copy", &from, &url]);
    assert_eq!(again.json()["copied"]["incidents"], 0);
    assert_eq!(again.json()["skipped"]["incidents"], 1);
    let moved = Bench {
        database: Some(url),
        ..bench
    };
    let (_, sent) = moved.emit(&clean, &[], 0);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["event_action"], "resolve");
}
