//! The history on PostgreSQL through the real binary (`--history postgres://…`, a throw-away
//! server on loopback): every command gives what it gives on SQLite, runners share one
//! database at once (migrations, claims, a killed process), `history copy` moves a history
//! both ways, and every failure to reach the database is one line, exit 1, nothing sent, and
//! no password anywhere.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{json, Value};

use crate::prelude::*;

const REPOSITORY: &str = "acme/shop";

/// Keys whose values differ from one run to the next (ids, times, ports, signatures): the
/// comparison of two backends replaces them.
const VARYING: &[&str] = &[
    "id",
    "log_id",
    "delivery_id",
    "created_at",
    "started_at",
    "duration_ms",
    "redelivery_of",
    "first_seen",
    "last_seen",
    "fixed_at",
    "timestamp",
    "url",
    "headers",
    "response_headers",
    "scan_id",
];

/// `value` with every [`VARYING`] key's value replaced by "…".
fn normalised(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, inner)| {
                    let inner = if VARYING.contains(&key.as_str()) {
                        json!("…")
                    } else {
                        normalised(inner)
                    };
                    (key.clone(), inner)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normalised).collect()),
        other => other.clone(),
    }
}

/// `staxhook --history LOCATION ARGS` in `env`.
fn at(env: &TestEnv, location: &str, args: &[&str]) -> Run {
    run(env.cmd().arg("--history").arg(location).args(args))
}

fn json_at(env: &TestEnv, location: &str, code: i32, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let result = at(env, location, &all);
    result.expect_code(code);
    result.json()
}

/// A Trivy report with one critical and one high finding.
fn small_report() -> String {
    trivy_json(vec![
        json!({"VulnerabilityID": "CVE-2026-0001", "PkgName": "log4j-core",
               "InstalledVersion": "2.14.0", "Severity": "CRITICAL", "FixedVersion": "2.17.1",
               "Title": "remote code execution", "CVSS": {"nvd": {"V3Score": 10.0}}}),
        json!({"VulnerabilityID": "CVE-2026-0002", "PkgName": "jackson",
               "InstalledVersion": "2.9.0", "Severity": "HIGH",
               "Title": "denial of service", "CVSS": {"nvd": {"V3Score": 7.5}}}),
    ])
}

/// A Trivy report with `count` critical findings.
fn criticals_report(count: usize) -> String {
    let list: Vec<Value> = (0..count)
        .map(|index| {
            json!({"VulnerabilityID": format!("CVE-2026-{:04}", 1000 + index),
                   "PkgName": format!("package-{index}"), "InstalledVersion": "1.0.0",
                   "Severity": "CRITICAL", "CVSS": {"nvd": {"V3Score": 9.8}}})
        })
        .collect();
    trivy_json(list)
}

/// Everything the commands print about one history after the same work: emit (delivered and
/// failed), send-test, emit --report, redeliver by id and --failed, log (all, filtered, one
/// in detail), findings, log prune. Run once per backend and compared.
fn the_same_work(location: &str) -> Vec<Value> {
    let server = TestServer::start();
    let env = TestEnv::new();
    server.set_default("/bad", Behavior::Status(500));
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}{}",
            signed_hook("alpha", &server.url("/ok"), ""),
            signed_hook(
                "bravo",
                &server.url("/bad"),
                "events = [\"critical_vulnerability\", \"scan_complete\"]\nmax_attempts = 2"
            ),
        ),
    );
    let report = env.path().join("trivy.json");
    std::fs::write(&report, small_report()).unwrap();
    let report = report.display().to_string();
    let mut seen = Vec::new();
    let emit = [
        "emit",
        "scan_complete",
        "--repo",
        REPOSITORY,
        "--set",
        "scan_id=s-1",
    ];
    seen.push(json_at(&env, location, 1, &emit));
    seen.push(json_at(&env, location, 0, &["send-test", "alpha"]));
    seen.push(json_at(
        &env,
        location,
        1,
        &["emit", "--report", &report, "--repo", REPOSITORY],
    ));
    seen.push(json_at(&env, location, 0, &["findings"]));
    seen.push(json_at(
        &env,
        location,
        0,
        &["findings", "--status", "open", "--severity", "critical"],
    ));
    let failed = json_at(&env, location, 0, &["log", "--status", "failed"]);
    let first_failed = failed.as_array().unwrap().last().unwrap()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    seen.push(failed);
    seen.push(json_at(&env, location, 0, &["log", "show", &first_failed]));
    server.set_default("/bad", Behavior::Status(200));
    seen.push(json_at(&env, location, 0, &["redeliver", &first_failed]));
    seen.push(json_at(&env, location, 0, &["redeliver", "--failed"]));
    seen.push(json_at(&env, location, 0, &["redeliver", "--failed"]));
    seen.push(json_at(&env, location, 0, &["log"]));
    seen.push(json_at(
        &env,
        location,
        0,
        &["log", "--webhook", "bravo", "--limit", "2"],
    ));
    // A second report run: the critical failed at bravo the first time, so it goes out again.
    seen.push(json_at(
        &env,
        location,
        0,
        &["emit", "--report", &report, "--repo", REPOSITORY],
    ));
    seen.push(json_at(&env, location, 0, &["findings"]));
    seen.push(json_at(
        &env,
        location,
        0,
        &["log", "prune", "--older-than", "30d"],
    ));
    std::thread::sleep(Duration::from_millis(20));
    seen.push(json_at(
        &env,
        location,
        0,
        &["log", "prune", "--older-than", "1ms"],
    ));
    seen.push(json_at(&env, location, 0, &["log"]));
    // What each endpoint received, in order, as events (the two endpoints are served at the
    // same time, so only each one's own order is fixed).
    let mut received: Vec<Value> = server
        .requests()
        .iter()
        .map(|request| json!([request.path_only(), request.body_json()["event"]]))
        .collect();
    received.sort_by_key(|pair| pair[0].as_str().unwrap_or_default().to_string());
    seen.push(Value::Array(received));
    seen.iter().map(normalised).collect()
}

#[test]
fn every_command_gives_the_same_on_postgres_as_on_sqlite() {
    let sqlite = TestEnv::new();
    let file = sqlite.path().join("history.db").display().to_string();
    let on_sqlite = the_same_work(&file);
    let (_, url) = postgres_database();
    let on_postgres = the_same_work(&url);
    assert_eq!(on_sqlite.len(), on_postgres.len());
    for (index, (sqlite, postgres)) in on_sqlite.iter().zip(&on_postgres).enumerate() {
        assert_eq!(sqlite, postgres, "step {index} differs");
    }
    // The work really happened (not two empty histories).
    let log = &on_postgres[10];
    assert!(log.as_array().unwrap().len() >= 8, "{log:#}");
}

#[test]
fn log_show_and_the_log_table_read_a_postgres_history() {
    let server = TestServer::start();
    let env = TestEnv::new();
    let (database, url) = postgres_database();
    write_private_config(
        &env,
        &format!("{DEFAULTS}{}", signed_hook("alpha", &server.url("/ok"), "")),
    );
    let sent = json_at(
        &env,
        &url,
        0,
        &["send-test", "alpha", "--event", "kev_found"],
    );
    let id = sent[0]["log_id"].as_i64().unwrap().to_string();
    let table = at(&env, &url, &["log"]);
    table.expect_code(0);
    assert!(
        table.stdout.contains("kev_found (test)"),
        "{}",
        table.stdout
    );
    let shown = at(&env, &url, &["log", "show", &id]);
    shown.expect_code(0);
    assert!(shown.stdout.contains("> POST "), "{}", shown.stdout);
    assert!(shown.stdout.contains("< HTTP 200"), "{}", shown.stdout);
    let unknown = at(&env, &url, &["log", "show", "999"]);
    assert_eq!(
        unknown.expect_usage_error(),
        format!(
            "error: no delivery #999 in the history {}",
            postgres_server().masked_url(&database)
        )
    );
    // Nothing was written to the SQLite file the environment also names.
    assert!(!env.history_path().exists());
}

#[test]
fn the_history_url_may_come_from_the_config_with_the_password_from_pgpassword() {
    let http = TestServer::start();
    let env = TestEnv::new();
    let database_server = postgres_server();
    let (database, _) = postgres_database();
    write_private_config(
        &env,
        &format!(
            "[defaults]\nhistory = \"postgres://{POSTGRES_ADMIN}@127.0.0.1:{}/${{HISTORY_DATABASE}}?sslmode=disable\"\n{}",
            database_server.port,
            signed_hook("alpha", &http.url("/ok"), "")
        ),
    );
    let sent = run(env
        .cmd()
        .env_remove("STAXHOOK_HISTORY")
        .env("HISTORY_DATABASE", &database)
        .env("PGPASSWORD", &database_server.password)
        .args(["-v", "send-test", "alpha"]));
    sent.expect_code(0);
    assert!(
        sent.stderr.contains(&format!(
            "history: postgres://{POSTGRES_ADMIN}@127.0.0.1:{}/{database}",
            database_server.port
        )),
        "{}",
        sent.stderr
    );
    assert!(!sent.all_output().contains(&database_server.password));
    assert_eq!(
        database_server.sql(&database, "SELECT count(*) FROM staxhook.deliveries"),
        "1"
    );
    // Nor is it in the history.
    let holding = format!(
        "SELECT (SELECT count(*) FROM staxhook.deliveries WHERE concat(request_url, \
         request_headers, request_body, error) LIKE '%{0}%') + (SELECT count(*) FROM \
         staxhook.attempts WHERE concat(response_headers, response_body, error) LIKE '%{0}%')",
        database_server.password
    );
    assert_eq!(database_server.sql(&database, &holding), "0");
}

/// A server on the same machine may be reached through its Unix socket (the folder as the
/// host, percent-encoded, as libpq writes it): the same history as over TCP.
#[test]
fn the_history_may_be_reached_through_the_servers_unix_socket() {
    let http = TestServer::start();
    let env = TestEnv::new();
    let (database, tcp_url) = postgres_database();
    let database_server = postgres_server();
    let socket_url = database_server.socket_url(&database);
    one_webhook(&env, &http);
    let sent = at(&env, &socket_url, &[&["-v"], &EMIT[..]].concat());
    sent.expect_code(0);
    let folder: String = database_server
        .folder()
        .display()
        .to_string()
        .replace('/', "%2F");
    assert!(
        sent.stderr.contains(&format!(
            "history: postgres://{POSTGRES_ADMIN}:***@{folder}:{}/{database}",
            database_server.port
        )),
        "{}",
        sent.stderr
    );
    assert!(!sent.all_output().contains(&database_server.password));
    assert_eq!(http.requests().len(), 1);
    // The row is the one a runner reaching the server over TCP reads.
    let over_tcp = json_at(&env, &tcp_url, 0, &["log"]);
    let over_socket = json_at(&env, &socket_url, 0, &["log"]);
    assert_eq!(over_tcp, over_socket);
    assert_eq!(over_tcp.as_array().unwrap().len(), 1);
    // libpq's parameters instead: the folder as `host`, the port as `port`, and no user,
    // which over a socket is the user running staxhook (USER).
    let by_parameters = format!(
        "postgres:///{database}?host={}&port={}",
        database_server.folder().display(),
        database_server.port
    );
    let read = run(env
        .cmd()
        .env("USER", POSTGRES_ADMIN)
        .env("PGPASSWORD", &database_server.password)
        .args(["--history", &by_parameters, "--json", "log"]));
    read.expect_code(0);
    assert_eq!(read.json(), over_tcp);
    // No socket in the folder: one line naming it, exit 1, nothing sent.
    let missing = format!(
        "postgres://{POSTGRES_ADMIN}:{}@%2Fnonexistent%2Ffolder:{}/{database}",
        database_server.password, database_server.port
    );
    let refused = at(&env, &missing, &EMIT);
    refused.expect_code(1);
    assert_eq!(
        refused.one_line_error(),
        format!(
            "error: history postgres://{POSTGRES_ADMIN}:***@%2Fnonexistent%2Ffolder:{0}/{database}: \
             cannot connect: no server socket /nonexistent/folder/.s.PGSQL.{0} (is the server \
             running, and is that its socket folder and port?)",
            database_server.port
        )
    );
    assert_eq!(http.requests().len(), 1, "nothing more was sent");
}

/// Sending commands prune what is past the retention, as on SQLite: not on every run, but when
/// they write a delivery row whose id is a multiple of 16 (`dispatch::PRUNE_EVERY`). `log
/// prune` prunes at once.
#[test]
fn emit_prunes_a_postgres_history_past_the_retention_every_sixteenth_delivery() {
    let http = TestServer::start();
    let env = TestEnv::new();
    let (database, url) = postgres_database();
    one_webhook(&env, &http);
    at(&env, &url, &EMIT).expect_code(0);
    at(&env, &url, &EMIT).expect_code(0);
    let database_server = postgres_server();
    let forty_days_ago = jiff::Timestamp::now().as_millisecond() - 40 * 86_400 * 1000;
    database_server.sql(
        &database,
        &format!("UPDATE staxhook.deliveries SET created_at = {forty_days_ago} WHERE id = 1"),
    );
    let ids = |env: &TestEnv| -> Vec<i64> {
        json_at(env, &url, 0, &["log"])
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["id"].as_i64().unwrap())
            .collect()
    };
    // The next rows are 15, then 16.
    database_server.sql(&database, "SELECT setval('staxhook.deliveries_id_seq', 14)");
    at(&env, &url, &EMIT).expect_code(0);
    assert_eq!(ids(&env), [15, 2, 1], "row 15 prunes nothing");
    at(&env, &url, &EMIT).expect_code(0);
    assert_eq!(ids(&env), [16, 15, 2], "row 16 prunes the 40-day-old row");
    assert_eq!(
        database_server.sql(
            &database,
            "SELECT count(*) FROM staxhook.attempts WHERE delivery = 1"
        ),
        "0"
    );
    // `log prune` does not wait for a sixteenth delivery.
    database_server.sql(
        &database,
        &format!("UPDATE staxhook.deliveries SET created_at = {forty_days_ago} WHERE id = 2"),
    );
    at(&env, &url, &["log", "prune"]).expect_code(0);
    assert_eq!(ids(&env), [16, 15]);
}

#[test]
fn a_malformed_url_is_exit_2_naming_where_it_came_from() {
    let env = TestEnv::new();
    write_private_config(&env, DEFAULTS);
    let from_flag = at(
        &env,
        "postgres://u:hunter2@h:5432/db?sslmode=sometimes",
        &["log"],
    );
    assert_eq!(
        from_flag.expect_usage_error(),
        "error: --history: `postgres://u:***@h:5432/db` is not a usable PostgreSQL URL: unknown \
         sslmode `sometimes`: valid: disable, prefer, require, verify-ca, verify-full"
    );
    let from_environment = run(env
        .cmd()
        .env("STAXHOOK_HISTORY", "postgresql://u:hunter2@h:99999/db")
        .arg("log"));
    assert_eq!(
        from_environment.expect_usage_error(),
        "error: STAXHOOK_HISTORY: `postgresql://…` is not a usable PostgreSQL URL: invalid port \
         number"
    );
    write_private_config(
        &env,
        "[defaults]\nhistory = \"postgres://u:hunter2@h/db?colour=blue\"\n",
    );
    let from_config = run(env.cmd().env_remove("STAXHOOK_HISTORY").arg("log"));
    let line = from_config.expect_usage_error().to_string();
    assert!(line.contains("config.toml:2:"), "{line}");
    assert!(
        line.ends_with(
            "defaults.history: `postgres://u:***@h:5432/db` is not a usable PostgreSQL URL: \
             unknown parameter `colour`: valid: sslmode, sslrootcert, connect_timeout, \
             application_name, host, port, user"
        ),
        "{line}"
    );
    for run in [&from_flag, &from_environment, &from_config] {
        assert!(!run.all_output().contains("hunter2"));
    }
    // `--help` never shows what STAXHOOK_HISTORY holds.
    let help = run(env
        .cmd()
        .env("STAXHOOK_HISTORY", "postgres://u:hunter2@h/db")
        .arg("--help"));
    help.expect_code(0);
    assert!(!help.all_output().contains("hunter2"), "{}", help.stdout);
}

/// A webhook that records what it gets, and the `emit` that would go to it.
fn one_webhook(env: &TestEnv, server: &TestServer) {
    write_private_config(
        env,
        &format!("{DEFAULTS}{}", signed_hook("alpha", &server.url("/ok"), "")),
    );
}

const EMIT: [&str; 6] = [
    "emit",
    "scan_complete",
    "--repo",
    REPOSITORY,
    "--set",
    "scan_id=s-1",
];

/// Every command, sending or reading, against a history that cannot be reached: one line
/// naming it with the password masked, exit 1, nothing sent, no password anywhere.
fn assert_unreachable(url: &str, expected: &str, password: &str) {
    let server = TestServer::start();
    let env = TestEnv::new();
    one_webhook(&env, &server);
    let report = env.path().join("trivy.json");
    std::fs::write(&report, small_report()).unwrap();
    let report = report.display().to_string();
    let commands: [&[&str]; 9] = [
        &EMIT,
        &["send-test", "alpha"],
        &["-q", "emit", "--report", &report, "--repo", REPOSITORY],
        &["redeliver", "1"],
        &["redeliver", "--failed"],
        &["log"],
        &["log", "show", "1"],
        &["log", "prune"],
        &["findings"],
    ];
    for args in commands {
        let result = at(&env, url, args);
        result.expect_code(1);
        assert_eq!(result.stdout, "", "{args:?}");
        assert_eq!(result.one_line_error(), expected, "{args:?}");
        assert!(!result.all_output().contains(password), "{args:?}");
        let verbose = at(&env, url, &[&["-v"], args].concat());
        assert!(!verbose.all_output().contains(password), "{args:?}");
    }
    assert!(server.requests().is_empty(), "something was sent");
    assert!(!env.history_path().exists());
}

#[test]
fn a_stopped_server_is_one_line_exit_1_and_nothing_sent() {
    let server = PostgresServer::start();
    let url = server.url("postgres");
    server.stop();
    let expected = format!(
        "error: history {}: cannot connect: error connecting to server: Connection refused (os \
         error 111)",
        server.masked_url("postgres")
    );
    assert_unreachable(&url, &expected, &server.password);
}

#[test]
fn a_wrong_password_is_one_line_exit_1_and_nothing_sent() {
    let server = postgres_server();
    let (database, url) = postgres_database();
    let wrong = url.replace(&server.password, "wrong-password-42");
    let expected = format!(
        "error: history {}: cannot connect: password authentication failed for user \
         \"{POSTGRES_ADMIN}\"",
        server.masked_url(&database)
    );
    assert_unreachable(&wrong, &expected, "wrong-password-42");
}

#[test]
fn a_missing_database_is_one_line_exit_1_and_nothing_sent() {
    let server = postgres_server();
    let url = server.url("no_such_history");
    let expected = format!(
        "error: history {}: cannot connect: database \"no_such_history\" does not exist",
        server.masked_url("no_such_history")
    );
    assert_unreachable(&url, &expected, &server.password);
}

#[test]
fn tls_required_but_not_offered_is_one_line_exit_1_and_nothing_sent() {
    let server = postgres_server();
    let (database, url) = postgres_database();
    let url = url.replace("sslmode=disable", "sslmode=require");
    let expected = format!(
        "error: history {}: cannot connect: error performing TLS handshake: server does not \
         support TLS",
        server.masked_url(&database)
    );
    assert_unreachable(&url, &expected, &server.password);
}

/// Spawns `staxhook --history URL ARGS` with its output captured.
fn spawn_at(env: &TestEnv, url: &str, args: &[&str]) -> std::process::Child {
    env.std_command(STAXHOOK_BINARY)
        .arg("--history")
        .arg(url)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn staxhook")
}

/// The server stops while `redeliver ID ID` is on the first one: that one was recorded before
/// it went out; the second cannot be recorded, so it is not sent.
#[test]
fn a_server_stopped_during_a_run_stops_the_sending() {
    let database_server = PostgresServer::start();
    let url = database_server.url("postgres");
    let http = TestServer::start();
    let env = TestEnv::new();
    http.set_default("/ok", Behavior::Status(500));
    // One attempt that may wait long for its answer.
    write_private_config(
        &env,
        &format!(
            "[defaults]\ntimeout = \"20s\"\nmax_elapsed = \"30s\"\nmax_attempts = 1\n{}",
            signed_hook("alpha", &http.url("/ok"), "")
        ),
    );
    at(&env, &url, &EMIT).expect_code(1);
    at(&env, &url, &EMIT).expect_code(1);
    // Long enough for the server to be stopped while the first redelivery waits, even on a
    // busy machine.
    http.set_default(
        "/ok",
        Behavior::Delay {
            millis: 4000,
            then: Box::new(Behavior::Status(200)),
        },
    );
    let child = spawn_at(&env, &url, &["redeliver", "1", "2"]);
    let arrived = http.wait_for_requests(3, Duration::from_secs(10));
    database_server.stop();
    let output = child.wait_with_output().expect("redeliver ends");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(arrived.len(), 3, "the first redelivery never went out");
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert_eq!(http.requests().len(), 3, "the unrecorded one was sent");
    let masked = database_server.masked_url("postgres");
    assert!(
        stdout.contains(&format!("not sent: history {masked}")),
        "{stdout}\n{stderr}"
    );
    assert!(
        !stdout.contains(&database_server.password) && !stderr.contains(&database_server.password)
    );
}

/// A killed `emit` leaves its pending row in the database for every other runner to see, and
/// `redeliver ID` finishes it with the same delivery id.
#[test]
fn a_killed_emit_leaves_a_pending_row_that_redeliver_finishes() {
    let http = TestServer::start();
    let env = TestEnv::new();
    let (_, url) = postgres_database();
    http.script("/ok", vec![Behavior::Hang]);
    write_private_config(
        &env,
        &format!(
            "[defaults]\ntimeout = \"30s\"\nmax_elapsed = \"60s\"\n{}",
            signed_hook("alpha", &http.url("/ok"), "")
        ),
    );
    let mut child = spawn_at(&env, &url, &EMIT);
    let arrived = http.wait_for_requests(1, Duration::from_secs(10));
    child.kill().expect("kill -9 staxhook");
    child.wait().expect("reap staxhook");
    assert_eq!(arrived.len(), 1, "the emit never reached the endpoint");
    let delivery_id = arrived[0].delivery_id().to_string();

    let pending = json_at(&env, &url, 0, &["log", "--status", "pending"]);
    assert_eq!(pending.as_array().unwrap().len(), 1, "{pending:#}");
    assert_eq!(pending[0]["delivery_id"], delivery_id.as_str());
    let id = pending[0]["id"].as_i64().unwrap().to_string();

    let result = json_at(&env, &url, 0, &["redeliver", &id]);
    assert_eq!(result[0]["status"], "delivered");
    assert_eq!(result[0]["delivery_id"], delivery_id.as_str());
    assert_eq!(http.requests()[1].delivery_id(), delivery_id);
    assert!(json_at(&env, &url, 0, &["log", "--status", "pending"])
        .as_array()
        .unwrap()
        .is_empty());
}

/// Six runners start on an empty database at once: all succeed, one migrated it.
#[test]
fn six_processes_migrate_an_empty_database_at_once() {
    let http = TestServer::start();
    let env = TestEnv::new();
    let (database, url) = postgres_database();
    one_webhook(&env, &http);
    let runs = in_parallel(6, |_| at(&env, &url, &EMIT));
    for run in &runs {
        run.expect_code(0);
    }
    let database_server = postgres_server();
    assert_eq!(
        database_server.sql(&database, "SELECT version FROM staxhook.schema_version"),
        LATEST_VERSION.to_string()
    );
    assert_eq!(
        database_server.sql(&database, "SELECT count(*) FROM staxhook.schema_version"),
        "1"
    );
    assert_eq!(
        database_server.sql(&database, "SELECT count(*) FROM staxhook.deliveries"),
        "6"
    );
    assert_eq!(http.requests().len(), 6);
}

/// Four runners process one report of one repository at once: each critical is alerted once
/// in total, and each run still reports its scan.
#[test]
fn concurrent_report_runs_alert_each_critical_once() {
    let http = TestServer::start();
    let env = TestEnv::new();
    let (_, url) = postgres_database();
    one_webhook(&env, &http);
    let report = env.path().join("trivy.json");
    std::fs::write(&report, criticals_report(20)).unwrap();
    let report = report.display().to_string();
    let runs = in_parallel(4, |_| {
        at(
            &env,
            &url,
            &["-q", "emit", "--report", &report, "--repo", REPOSITORY],
        )
    });
    for run in &runs {
        run.expect_code(0);
    }
    let bodies: Vec<Value> = http.requests().iter().map(|r| r.body_json()).collect();
    let mut criticals: Vec<String> = bodies
        .iter()
        .filter(|body| body["event"] == "critical_vulnerability")
        .map(|body| body["data"]["cve_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(criticals.len(), 20, "{criticals:?}");
    criticals.sort();
    criticals.dedup();
    assert_eq!(criticals.len(), 20);
    let scans = bodies
        .iter()
        .filter(|body| body["event"] == "scan_complete")
        .count();
    assert_eq!(scans, 4);
    let findings = json_at(&env, &url, 0, &["findings"]);
    assert!(findings
        .as_array()
        .unwrap()
        .iter()
        .all(|finding| finding["notified"] == json!(["critical_vulnerability"])));
}

/// Two runners start `redeliver --failed` at once: each failed delivery is sent once.
#[test]
fn concurrent_redeliver_failed_sends_each_delivery_once() {
    let http = TestServer::start();
    let env = TestEnv::new();
    let (_, url) = postgres_database();
    http.set_default("/ok", Behavior::Status(500));
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}",
            signed_hook("alpha", &http.url("/ok"), "max_attempts = 1")
        ),
    );
    for _ in 0..6 {
        at(&env, &url, &EMIT).expect_code(1);
    }
    http.set_default(
        "/ok",
        Behavior::Delay {
            millis: 50,
            then: Box::new(Behavior::Status(200)),
        },
    );
    let runs = in_parallel(2, |_| at(&env, &url, &["--json", "redeliver", "--failed"]));
    let mut sent = 0;
    for run in &runs {
        run.expect_code(0);
        sent += run.json().as_array().map_or(0, Vec::len);
    }
    assert_eq!(sent, 6);
    let redelivered: Vec<String> = http.requests()[6..]
        .iter()
        .map(|request| request.delivery_id().to_string())
        .collect();
    let distinct: BTreeSet<&String> = redelivered.iter().collect();
    assert_eq!(redelivered.len(), 6, "{redelivered:?}");
    assert_eq!(distinct.len(), 6, "{redelivered:?}");
}

/// `history copy` from a file to PostgreSQL and back: everything arrives once, a second run
/// copies nothing, a redelivery still points at its original, and the copies read the same.
#[test]
fn history_copy_moves_a_history_both_ways_and_copies_nothing_twice() {
    let http = TestServer::start();
    let env = TestEnv::new();
    http.set_default("/ok", Behavior::Status(500));
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}",
            signed_hook("alpha", &http.url("/ok"), "max_attempts = 2")
        ),
    );
    let file = env.history_path().display().to_string();
    let report = env.path().join("trivy.json");
    std::fs::write(&report, small_report()).unwrap();
    let report = report.display().to_string();
    at(&env, &file, &EMIT).expect_code(1);
    http.set_default("/ok", Behavior::Status(200));
    at(&env, &file, &["redeliver", "1"]).expect_code(0);
    at(
        &env,
        &file,
        &["emit", "--report", &report, "--repo", REPOSITORY],
    )
    .expect_code(0);
    let (_, url) = postgres_database();

    let first = json_at(&env, &file, 0, &["history", "copy", &file, &url]);
    assert_eq!(
        first["copied"],
        json!({"deliveries": 4, "attempts": 5, "findings": 2, "incidents": 0})
    );
    assert_eq!(
        first["skipped"],
        json!({"deliveries": 0, "attempts": 0, "findings": 0, "incidents": 0})
    );
    let database_server = postgres_server();
    assert!(first["to"].as_str().unwrap().contains(":***@"), "{first}");
    assert!(!first.to_string().contains(&database_server.password));
    let again = at(&env, &file, &["history", "copy", &file, &url]);
    again.expect_code(0);
    assert_eq!(
        again.stdout.trim(),
        format!(
            "copied 0 deliveries, 0 attempts, 0 findings, 0 incidents; skipped 4 deliveries, 5 \
             attempts, 2 findings, 0 incidents (already in {})",
            first["to"].as_str().unwrap()
        )
    );

    let back = env.path().join("back.db").display().to_string();
    let returned = json_at(&env, &file, 0, &["history", "copy", &url, &back]);
    assert_eq!(returned["copied"], first["copied"]);
    for location in [&url, &back] {
        for args in [&["log"][..], &["findings"], &["log", "show", "2"]] {
            assert_eq!(
                normalised(&json_at(&env, location, 0, args)),
                normalised(&json_at(&env, &file, 0, args)),
                "{args:?} in {location}"
            );
        }
        // The redelivery points at the copy of its original.
        let redelivery = json_at(&env, location, 0, &["log", "show", "2"]);
        let original = redelivery["redelivery_of"].as_i64().unwrap().to_string();
        let original = json_at(&env, location, 0, &["log", "show", &original]);
        assert_eq!(original["delivery_id"], redelivery["delivery_id"]);
        assert_eq!(original["status"], "failed");
    }
}

#[test]
fn history_copy_refuses_a_missing_source_and_one_history_twice() {
    let env = TestEnv::new();
    write_private_config(&env, DEFAULTS);
    let missing = env.path().join("none.db").display().to_string();
    let (_, url) = postgres_database();
    let result = staxhook(&env, &["history", "copy", &missing, &url]);
    assert_eq!(
        result.expect_usage_error(),
        format!("error: FROM: no history at {missing}")
    );
    let result = staxhook(&env, &["history", "copy", &url, &url]);
    let line = result.expect_usage_error();
    assert!(
        line.starts_with("error: FROM and TO are the same history (postgres://"),
        "{line}"
    );
    assert!(!line.contains(&postgres_server().password));
}

/// A CA named `ca_name`, and a server certificate it signed for `db.example.test` only (not
/// for the address the tests connect to): PEM of the CA, the certificate and its key.
fn certificate_for_another_name(ca_name: &str) -> (String, String, String) {
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, ca_name);
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = rcgen::KeyPair::generate().expect("CA key");
    let ca = ca_params.self_signed(&ca_key).expect("self-sign CA");
    let mut params =
        rcgen::CertificateParams::new(vec!["db.example.test".to_string()]).expect("server params");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "db.example.test");
    params.use_authority_key_identifier_extension = true;
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let key = rcgen::KeyPair::generate().expect("server key");
    let issuer = rcgen::Issuer::from_params(&ca_params, &ca_key);
    let server = params.signed_by(&key, &issuer).expect("sign server");
    (ca.pem(), server.pem(), key.serialize_pem())
}

/// A server with TLS: each `sslmode` checks what libpq's does, and a refused certificate is
/// one line, exit 1, without the password.
#[test]
fn tls_is_checked_as_sslmode_asks() {
    let (ca, certificate, key) = certificate_for_another_name("staxhook PostgreSQL test CA");
    let (other_ca, _, _) = certificate_for_another_name("another CA");
    let server = PostgresServer::start_with(
        &[
            ("server.crt", certificate.as_bytes()),
            ("server.key", key.as_bytes()),
        ],
        "-c ssl=on -c ssl_cert_file=../server.crt -c ssl_key_file=../server.key",
    );
    let env = TestEnv::new();
    write_private_config(&env, DEFAULTS);
    let trusted = env.path().join("ca.pem");
    std::fs::write(&trusted, &ca).unwrap();
    let untrusted = env.path().join("other-ca.pem");
    std::fs::write(&untrusted, &other_ca).unwrap();
    let base = server.url("postgres").replace("?sslmode=disable", "");
    let with = |query: String| format!("{base}?{query}");
    let trusted = trusted.display().to_string();
    let untrusted = untrusted.display().to_string();
    let connects = [
        with("sslmode=prefer".into()),
        with("sslmode=require".into()),
        // The chain is checked, the name (db.example.test, not 127.0.0.1) is not.
        with(format!("sslmode=verify-ca&sslrootcert={trusted}")),
        with(format!("sslmode=require&sslrootcert={trusted}")),
    ];
    for url in &connects {
        assert_eq!(json_at(&env, url, 0, &["log"]), json!([]), "{url}");
    }
    let refused = [
        (
            with(format!("sslmode=verify-full&sslrootcert={trusted}")),
            "invalid peer certificate: certificate not valid for name",
        ),
        (
            with(format!("sslmode=verify-ca&sslrootcert={untrusted}")),
            "invalid peer certificate: UnknownIssuer",
        ),
        (
            with(format!("sslmode=require&sslrootcert={untrusted}")),
            "invalid peer certificate: UnknownIssuer",
        ),
        // Without sslrootcert only the Mozilla roots are trusted.
        (
            with("sslmode=verify-ca".into()),
            "invalid peer certificate: UnknownIssuer",
        ),
    ];
    for (url, reason) in &refused {
        let result = at(&env, url, &["log"]);
        result.expect_code(1);
        let line = result.one_line_error();
        assert!(
            line.starts_with(&format!(
                "error: history {}: cannot connect: error performing TLS handshake: ",
                server.masked_url("postgres")
            )),
            "{url}: {line}"
        );
        assert!(line.contains(reason), "{url}: {line}");
        assert!(!result.all_output().contains(&server.password));
    }
    // An sslrootcert that cannot be read is the user's to fix: exit 2.
    let missing = with("sslmode=verify-full&sslrootcert=/nonexistent/ca.pem".into());
    let line = at(&env, &missing, &["log"])
        .expect_usage_error()
        .to_string();
    assert!(
        line.contains("sslrootcert /nonexistent/ca.pem: No such file or directory"),
        "{line}"
    );
}
