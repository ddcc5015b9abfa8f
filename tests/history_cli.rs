//! The delivery history through the CLI: `log` (table, JSON, filters), `log show`,
//! `log prune`, `redeliver` (by id, `--failed`, a pending row left by a killed
//! process), many processes writing one history at once, and secrets never
//! reaching output or the history file.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::Value;

use crate::prelude::*;

fn ids(rows: &[Value]) -> Vec<i64> {
    rows.iter().map(|row| row["id"].as_i64().unwrap()).collect()
}

fn emit_args<'a>(event: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["emit", event, "--repo", "myorg/api"];
    match event {
        "scan_complete" => args.extend(["--set", "scan_id=s-1"]),
        _ => args.extend(["--set", "cve_id=CVE-2024-3094", "--set", "package.name=xz"]),
    }
    args.extend_from_slice(extra);
    args
}

const SECONDS_PER_DAY: i64 = 86_400;

/// alpha gets every event and answers 200; bravo gets critical_vulnerability and answers 500.
/// Rows afterwards: 1 alpha scan_complete delivered, then alpha and bravo
/// critical_vulnerability (2 delivered, 3 failed).
fn three_rows(env: &TestEnv, server: &TestServer) {
    server.set_default("/b", Behavior::Status(500));
    write_private_config(
        env,
        &format!(
            "{DEFAULTS}{}{}",
            signed_hook("alpha", &server.url("/a"), ""),
            signed_hook(
                "bravo",
                &server.url("/b"),
                "events = [\"critical_vulnerability\"]\nmax_attempts = 2"
            ),
        ),
    );
    staxhook(env, &emit_args("scan_complete", &[])).expect_code(0);
    staxhook(env, &emit_args("critical_vulnerability", &[])).expect_code(1);
}

#[test]
fn log_lists_newest_first() {
    let server = TestServer::start();
    let env = TestEnv::new();
    three_rows(&env, &server);
    let all = log_rows(&env, &[]);
    assert_eq!(all.len(), 3, "{all:#?}");
    let listed = ids(&all);
    let mut sorted = listed.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(listed, sorted, "newest first");
    assert_eq!(all[2]["event"], "scan_complete", "the oldest is last");
}

#[test]
fn log_json_rows_have_the_spec_keys() {
    let server = TestServer::start();
    let env = TestEnv::new();
    three_rows(&env, &server);
    let expected_keys = BTreeSet::from([
        "id",
        "delivery_id",
        "created_at",
        "webhook",
        "channel",
        "event",
        "repository",
        "test",
        "status",
        "http_status",
        "attempts",
        "duration_ms",
        "error",
    ]);
    for row in &log_rows(&env, &[]) {
        let keys: BTreeSet<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, expected_keys, "{row}");
        let created = row["created_at"].as_str().unwrap();
        assert!(created.ends_with('Z'), "{created}");
        created
            .parse::<jiff::Timestamp>()
            .unwrap_or_else(|e| panic!("created_at {created}: {e}"));
        assert_eq!(row["repository"], "myorg/api");
        assert_eq!(row["channel"], "generic");
        assert_eq!(row["test"], false);
        assert!(row["duration_ms"].is_u64());
    }
}

#[test]
fn log_json_rows_say_how_each_delivery_went() {
    let server = TestServer::start();
    let env = TestEnv::new();
    three_rows(&env, &server);
    let all = log_rows(&env, &[]);
    let bravo = all.iter().find(|r| r["webhook"] == "bravo").unwrap();
    assert_eq!(bravo["status"], "failed");
    assert_eq!(bravo["http_status"], 500);
    assert_eq!(bravo["attempts"], 2);
    assert!(bravo["error"].as_str().unwrap().contains("500"));
    for alpha in all.iter().filter(|r| r["webhook"] == "alpha") {
        assert_eq!(alpha["status"], "delivered");
        assert_eq!(alpha["http_status"], 200);
        assert_eq!(alpha["attempts"], 1);
        assert_eq!(alpha["error"], Value::Null);
    }

    // The delivery ids are the ones the receiver saw.
    let seen: BTreeSet<String> = server
        .requests()
        .iter()
        .map(|request| request.delivery_id().to_string())
        .collect();
    let recorded: BTreeSet<String> = all
        .iter()
        .map(|r| r["delivery_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(seen, recorded);
}

#[test]
fn log_table_shows_every_row() {
    let server = TestServer::start();
    let env = TestEnv::new();
    three_rows(&env, &server);
    let table = staxhook(&env, &["log"]);
    table.expect_code(0);
    for needle in [
        "alpha",
        "bravo",
        "delivered",
        "failed",
        "scan_complete",
        "myorg/api",
    ] {
        assert!(
            table.stdout.contains(needle),
            "table lacks {needle}:\n{}",
            table.stdout
        );
    }
    assert!(table.stdout.lines().count() >= 4, "{}", table.stdout);
}

#[test]
fn log_filters_by_webhook_event_and_status() {
    let server = TestServer::start();
    let env = TestEnv::new();
    three_rows(&env, &server);

    let only = log_rows(&env, &["--webhook", "bravo"]);
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["webhook"], "bravo");

    let critical = log_rows(&env, &["--event", "critical-vulnerability"]);
    assert_eq!(critical.len(), 2);
    assert!(critical
        .iter()
        .all(|r| r["event"] == "critical_vulnerability"));
    assert_eq!(log_rows(&env, &["--event", "scan_complete"]).len(), 1);

    let failed = log_rows(&env, &["--status", "failed"]);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["webhook"], "bravo");
    assert_eq!(log_rows(&env, &["--status", "delivered"]).len(), 2);
    assert_eq!(log_rows(&env, &["--status", "pending"]).len(), 0);

    // Combined.
    assert_eq!(
        log_rows(
            &env,
            &[
                "--webhook",
                "alpha",
                "--event",
                "critical_vulnerability",
                "--status",
                "delivered"
            ]
        )
        .len(),
        1
    );
    assert_eq!(log_rows(&env, &["--webhook", "nobody"]).len(), 0);
}

#[test]
fn log_filters_by_age_and_count() {
    let server = TestServer::start();
    let env = TestEnv::new();
    three_rows(&env, &server);
    let newest = log_rows(&env, &[])[0]["id"].as_i64().unwrap();

    assert_eq!(log_rows(&env, &["--since", "1h"]).len(), 3);
    std::thread::sleep(Duration::from_millis(150));
    assert_eq!(
        log_rows(&env, &["--since", "100ms"]).len(),
        0,
        "--since 100ms after 150 ms"
    );

    let limited = log_rows(&env, &["--limit", "1"]);
    assert_eq!(ids(&limited), [newest]);
}

#[test]
fn log_with_a_bad_filter_value_is_exit_2() {
    let server = TestServer::start();
    let env = TestEnv::new();
    three_rows(&env, &server);
    for bad in [
        vec!["log", "--status", "bogus"],
        vec!["log", "--event", "nope"],
        vec!["log", "--since", "yesterday"],
        vec!["log", "--limit", "-3"],
    ] {
        let result = staxhook(&env, &bad);
        assert_eq!(result.code, 2, "{bad:?}: {}", result.stderr);
    }
}

/// One delivered `critical_vulnerability` to `alpha`, whose URL carries a query token and
/// whose config adds a header; the endpoint answers with a header and a body.
struct OneDelivery {
    server: TestServer,
    env: TestEnv,
    /// Its history row, as `log show` takes it.
    id: String,
    /// What the endpoint received.
    request: RecordedRequest,
}

fn one_delivery_with_a_reply() -> OneDelivery {
    let server = TestServer::start();
    let env = TestEnv::new();
    server.set_default(
        "/a",
        Behavior::Respond {
            status: 200,
            headers: vec![("X-Reply".into(), "thanks".into())],
            body: br#"{"ok":true}"#.to_vec(),
        },
    );
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}",
            signed_hook(
                "alpha",
                &server.url("/a?token=s3cr3t"),
                "headers = { \"X-Team\" = \"appsec\" }"
            )
        ),
    );
    let result = staxhook_json(&env, 0, &emit_args("critical_vulnerability", &[]));
    let id = result[0]["log_id"].as_i64().unwrap().to_string();
    let request = server.requests().pop().unwrap();
    OneDelivery {
        server,
        env,
        id,
        request,
    }
}

#[test]
fn log_show_json_details_the_request_sent() {
    let OneDelivery {
        server,
        env,
        id,
        request,
    } = one_delivery_with_a_reply();
    let detail = staxhook_json(&env, 0, &["log", "show", &id]);
    assert_eq!(detail["id"].as_i64().unwrap().to_string(), id);
    assert_eq!(detail["webhook"], "alpha");
    assert_eq!(detail["status"], "delivered");
    assert_eq!(detail["http_status"], 200);
    assert_eq!(detail["delivery_id"], request.delivery_id());
    assert_eq!(
        detail["request"]["url"],
        format!("http://127.0.0.1:{}/a?…", server.port()),
        "generic URL keeps its path, masks its query"
    );
    let headers = detail["request"]["headers"]
        .as_object()
        .expect("headers object");
    assert_eq!(headers["Content-Type"], "application/json");
    assert_eq!(headers["X-CodeStax-Event"], "critical_vulnerability");
    assert_eq!(headers["X-CodeStax-Delivery"], request.delivery_id());
    assert_eq!(
        headers["X-CodeStax-Signature"],
        request.header("x-codestax-signature").unwrap()
    );
    assert_eq!(headers["X-Team"], "appsec");
    assert_eq!(detail["request"]["body"], request.body_json());
}

#[test]
fn log_show_json_details_each_attempt() {
    let OneDelivery { env, id, .. } = one_delivery_with_a_reply();
    let detail = staxhook_json(&env, 0, &["log", "show", &id]);
    let attempts = detail["attempts"].as_array().expect("attempts array");
    assert_eq!(attempts.len(), 1);
    let attempt = &attempts[0];
    assert_eq!(attempt["number"], 1);
    assert_eq!(attempt["http_status"], 200);
    assert_eq!(attempt["error"], Value::Null);
    assert_eq!(attempt["response_headers"]["x-reply"], "thanks");
    assert_eq!(attempt["response_body"], r#"{"ok":true}"#);
    assert_eq!(attempt["response_truncated"], false);
    assert!(attempt["started_at"].as_str().unwrap().ends_with('Z'));
    assert!(attempt["duration_ms"].is_u64());
}

#[test]
fn log_show_prints_the_exchange_like_curl_verbose() {
    let OneDelivery {
        server, env, id, ..
    } = one_delivery_with_a_reply();
    let text = staxhook(&env, &["log", "show", &id]);
    text.expect_code(0);
    let out = &text.stdout;
    assert!(
        out.contains(&format!("> POST http://127.0.0.1:{}/a?…", server.port())),
        "{out}"
    );
    assert!(
        out.contains("> X-CodeStax-Event: critical_vulnerability"),
        "{out}"
    );
    assert!(out.contains("< HTTP 200"), "{out}");
    assert!(out.contains("< x-reply: thanks"), "{out}");
    assert!(out.contains("CVE-2024-3094"), "{out}");
    assert!(!out.contains("s3cr3t"), "{out}");
}

#[test]
fn log_show_of_an_unknown_id_is_exit_2() {
    let OneDelivery { env, .. } = one_delivery_with_a_reply();
    let missing = staxhook(&env, &["log", "show", "999"]);
    missing.expect_code(2);
    insta::assert_snapshot!(
        env.redact_paths(&missing.stderr),
        @"error: no delivery #999 in the history <history>"
    );
    staxhook(&env, &["--json", "log", "show", "999"]).expect_code(2);
}

#[test]
fn missing_history_is_empty_and_not_created() {
    let env = TestEnv::new();
    write_private_config(&env, DEFAULTS);
    let result = staxhook(&env, &["--json", "log"]);
    result.expect_code(0);
    assert_eq!(result.json(), Value::Array(vec![]));
    let table = staxhook(&env, &["log"]);
    table.expect_code(0);
    staxhook(&env, &["log", "--status", "failed", "--json"]).expect_code(0);
    staxhook(&env, &["log", "show", "1"]).expect_code(2);
    let pruned = staxhook(&env, &["log", "prune"]);
    pruned.expect_code(0);
    assert!(
        !env.history_path().exists(),
        "a read-only command created the history file"
    );
    // Without any config file either.
    let bare = TestEnv::new();
    let result = staxhook(&bare, &["--json", "log"]);
    result.expect_code(0);
    assert_eq!(result.json(), Value::Array(vec![]));
    assert!(!bare.history_path().exists());
}

#[test]
fn log_prune_older_than_and_by_retention() {
    let server = TestServer::start();
    let env = TestEnv::new();
    three_rows(&env, &server);
    std::thread::sleep(Duration::from_millis(30));

    // Explicit: everything older than 1 ms.
    let result = staxhook_json(&env, 0, &["log", "prune", "--older-than", "1ms"]);
    assert_eq!(result["pruned"], 3);
    assert!(log_rows(&env, &[]).is_empty());
    // Attempts went with their deliveries.
    let connection = open_history(&env.history_path());
    let attempts: i64 = connection
        .query_row("SELECT count(*) FROM attempts", [], |row| row.get(0))
        .unwrap();
    assert_eq!(attempts, 0);
    drop(connection);

    // Default: the retention (30 days without a setting).
    staxhook(&env, &emit_args("critical_vulnerability", &[])).expect_code(1);
    staxhook(&env, &emit_args("scan_complete", &[])).expect_code(0);
    let ids_now = ids(&log_rows(&env, &[]));
    assert_eq!(ids_now.len(), 3);
    let (newest, middle, oldest) = (ids_now[0], ids_now[1], ids_now[2]);
    age_row(&env, oldest, 40 * SECONDS_PER_DAY);
    age_row(&env, middle, 15 * SECONDS_PER_DAY);
    let text = staxhook(&env, &["log", "prune"]);
    text.expect_code(0);
    insta::assert_snapshot!(text.stdout, @"Pruned 1 deliveries older than 30d (the retention).");
    assert_eq!(ids(&log_rows(&env, &[])), [newest, middle]);

    // A configured retention.
    let config = env
        .read_config()
        .replace("[defaults]\n", "[defaults]\nretention = \"10d\"\n");
    write_private_config(&env, &config);
    let result = staxhook_json(&env, 0, &["log", "prune"]);
    assert_eq!(result["pruned"], 1);
    assert_eq!(ids(&log_rows(&env, &[])), [newest]);

    // Nothing older: nothing removed.
    assert_eq!(staxhook_json(&env, 0, &["log", "prune"])["pruned"], 0);
    staxhook(&env, &["log", "prune", "--older-than", "soon"]).expect_code(2);
}

/// Sending commands prune when they write a delivery row whose id is a multiple of 16
/// (`dispatch::PRUNE_EVERY`), as on PostgreSQL (`postgres_cli`).
#[test]
fn emit_prunes_history_past_the_retention_every_sixteenth_delivery() {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}retention = \"7d\"\n{}",
            signed_hook("alpha", &server.url("/a"), "")
        ),
    );
    staxhook(&env, &emit_args("scan_complete", &[])).expect_code(0);
    staxhook(&env, &emit_args("scan_complete", &[])).expect_code(0);
    let before = ids(&log_rows(&env, &[]));
    age_row(&env, before[1], 8 * SECONDS_PER_DAY);
    // The next rows are 15, then 16 (the ids come from AUTOINCREMENT's counter).
    open_history(&env.history_path())
        .execute(
            "UPDATE sqlite_sequence SET seq = 14 WHERE name = 'deliveries'",
            [],
        )
        .unwrap();
    staxhook(&env, &emit_args("scan_complete", &[])).expect_code(0);
    let kept = ids(&log_rows(&env, &[]));
    assert_eq!(kept.len(), 3, "row 15 prunes nothing: {kept:?}");
    assert!(kept.contains(&before[1]), "{kept:?}");
    staxhook(&env, &emit_args("scan_complete", &[])).expect_code(0);
    let after = ids(&log_rows(&env, &[]));
    assert_eq!(after.len(), 3, "{after:?}");
    assert!(
        !after.contains(&before[1]),
        "the 8-day-old row survived row 16: {after:?}"
    );
}

/// A delivery that failed at `/first`, redelivered after the webhook moved to `/second` and
/// its secret changed to [`NEW_SECRET`].
struct Redelivered {
    server: TestServer,
    env: TestEnv,
    /// The failed row, and the two attempts `/first` received.
    original_id: i64,
    original: Vec<RecordedRequest>,
    /// The original attempts' `webhook-timestamp`.
    original_timestamp: i64,
    delivery_id: String,
    /// The one result line of `redeliver --json`.
    entry: Value,
}

fn redeliver_after_a_move_and_a_new_secret() -> Redelivered {
    let server = TestServer::start();
    let env = TestEnv::new();
    server.set_default("/first", Behavior::Status(500));
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}max_attempts = 2\n{}",
            signed_hook("alpha", &server.url("/first"), "")
        ),
    );
    let failed = staxhook_json(&env, 1, &emit_args("critical_vulnerability", &[]));
    let original_id = failed[0]["log_id"].as_i64().unwrap();
    let original = server.requests_for("/first");
    assert_eq!(original.len(), 2);
    let delivery_id = original[0].delivery_id().to_string();
    let original_timestamp: i64 = original[0]
        .header("webhook-timestamp")
        .unwrap()
        .parse()
        .unwrap();

    // A second later (Standard Webhooks timestamps are whole seconds), the webhook has moved
    // and its secret has changed.
    std::thread::sleep(Duration::from_millis(1100));
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}max_attempts = 2\n{}",
            signed_hook("alpha", &server.url("/second"), "")
        )
        .replace(SECRET, NEW_SECRET),
    );
    let result = staxhook_json(&env, 0, &["redeliver", &original_id.to_string()]);
    let entry = result.as_array().expect("array")[0].clone();
    Redelivered {
        server,
        env,
        original_id,
        original,
        original_timestamp,
        delivery_id,
        entry,
    }
}

#[test]
fn redeliver_resends_the_recorded_delivery_to_the_current_url() {
    let Redelivered {
        server,
        original_id,
        original,
        delivery_id,
        entry,
        ..
    } = redeliver_after_a_move_and_a_new_secret();
    assert_eq!(entry["status"], "delivered");
    assert_eq!(entry["delivery_id"], delivery_id.as_str());
    assert_eq!(entry["webhook"], "alpha");
    let new_id = entry["log_id"].as_i64().unwrap();
    assert_ne!(new_id, original_id, "recorded as a new row");

    assert_eq!(
        server.requests_for("/first").len(),
        2,
        "nothing more to the old URL"
    );
    let resent = server.requests_for("/second");
    assert_eq!(resent.len(), 1, "sent to the webhook's current URL");
    let request = &resent[0];
    assert_eq!(request.delivery_id(), delivery_id, "same idempotency key");
    assert_eq!(
        request.body, original[0].body,
        "the recorded body, byte for byte"
    );
}

#[test]
fn redeliver_signs_afresh_with_the_current_secret() {
    let Redelivered {
        server,
        original_timestamp,
        delivery_id,
        ..
    } = redeliver_after_a_move_and_a_new_secret();
    let request = &server.requests_for("/second")[0];
    assert_eq!(
        request.header("x-codestax-signature").unwrap(),
        codestax_signature(NEW_SECRET, &request.body),
        "signed with the current secret"
    );
    assert_eq!(request.header("webhook-id").unwrap(), delivery_id);
    let timestamp: i64 = request
        .header("webhook-timestamp")
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        timestamp > original_timestamp,
        "a fresh Standard Webhooks timestamp"
    );
    assert_eq!(
        Some(request.header("webhook-signature").unwrap().to_string()),
        standard_webhooks_header(&[NEW_SECRET], &delivery_id, timestamp, &request.body)
    );
}

#[test]
fn redeliver_is_a_new_row_of_the_same_delivery_that_knows_what_it_resent() {
    let Redelivered {
        server,
        env,
        original_id,
        delivery_id,
        entry,
        ..
    } = redeliver_after_a_move_and_a_new_secret();
    let new_id = entry["log_id"].as_i64().unwrap();
    let all = log_rows(&env, &[]);
    assert_eq!(ids(&all), [new_id, original_id]);
    assert!(all.iter().all(|r| r["delivery_id"] == delivery_id.as_str()));
    assert_eq!(all[0]["status"], "delivered");
    assert_eq!(all[1]["status"], "failed");
    let detail = staxhook_json(&env, 0, &["log", "show", &new_id.to_string()]);
    assert_eq!(detail["redelivery_of"], original_id);
    assert_eq!(
        detail["request"]["url"],
        format!("http://127.0.0.1:{}/second", server.port())
    );
}

#[test]
fn redeliver_of_an_unknown_id_is_exit_2_and_sends_nothing() {
    let Redelivered { server, env, .. } = redeliver_after_a_move_and_a_new_secret();
    staxhook(&env, &["redeliver", "4242"]).expect_code(2);
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn redeliver_failed_picks_each_failed_delivery_once() {
    let server = TestServer::start();
    let env = TestEnv::new();
    server.set_default("/bad", Behavior::Status(500));
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}{}",
            signed_hook("ok", &server.url("/ok"), ""),
            signed_hook("bad", &server.url("/bad"), "max_attempts = 1"),
        ),
    );
    staxhook(&env, &emit_args("critical_vulnerability", &[])).expect_code(1);
    staxhook(&env, &emit_args("scan_complete", &[])).expect_code(1);
    assert_eq!(server.requests_for("/ok").len(), 2);
    assert_eq!(server.requests_for("/bad").len(), 2);
    let failed_ids: BTreeSet<String> = server
        .requests_for("/bad")
        .iter()
        .map(|request| request.delivery_id().to_string())
        .collect();

    server.set_default("/bad", Behavior::Status(200));
    let result = staxhook_json(&env, 0, &["redeliver", "--failed"]);
    let list = result.as_array().unwrap();
    assert_eq!(list.len(), 2, "{result}");
    assert!(list
        .iter()
        .all(|e| e["webhook"] == "bad" && e["status"] == "delivered"));
    let redelivered: BTreeSet<String> = server.requests_for("/bad")[2..]
        .iter()
        .map(|request| request.delivery_id().to_string())
        .collect();
    assert_eq!(redelivered, failed_ids);
    assert_eq!(
        server.requests_for("/ok").len(),
        2,
        "delivered ones are left alone"
    );

    // The second time there is nothing left to do.
    let again = staxhook(&env, &["redeliver", "--failed"]);
    again.expect_code(0);
    assert_eq!(
        server.requests().len(),
        6,
        "a second --failed sent something"
    );
    assert_eq!(
        staxhook_json(&env, 0, &["redeliver", "--failed"]),
        Value::Array(vec![])
    );
    assert_eq!(server.requests().len(), 6);
    assert_eq!(log_rows(&env, &[]).len(), 6);
}

/// Two runners start `redeliver --failed` on one history at the same moment: each failed
/// delivery is sent once in total, by whichever run claimed it.
#[test]
fn concurrent_redeliver_failed_sends_each_delivery_once() {
    let server = TestServer::start();
    let env = TestEnv::new();
    server.set_default("/bad", Behavior::Status(500));
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}",
            signed_hook("bad", &server.url("/bad"), "max_attempts = 1")
        ),
    );
    for _ in 0..6 {
        staxhook(&env, &emit_args("scan_complete", &[])).expect_code(1);
    }
    // Slow answers keep both runs busy at once.
    server.set_default(
        "/bad",
        Behavior::Delay {
            millis: 50,
            then: Box::new(Behavior::Status(200)),
        },
    );
    let runs = in_parallel(2, |_| staxhook(&env, &["--json", "redeliver", "--failed"]));
    let mut sent = 0;
    for run in &runs {
        run.expect_code(0);
        sent += run.json().as_array().map_or(0, Vec::len);
    }
    assert_eq!(
        sent, 6,
        "the two runs together redelivered each of the 6 once"
    );
    let redelivered: Vec<String> = server.requests_for("/bad")[6..]
        .iter()
        .map(|request| request.delivery_id().to_string())
        .collect();
    assert_eq!(redelivered.len(), 6, "{redelivered:?}");
    let distinct: BTreeSet<&String> = redelivered.iter().collect();
    assert_eq!(distinct.len(), 6, "{redelivered:?}");
}

#[test]
fn redeliver_failed_that_fails_again_stays_failed() {
    let server = TestServer::start();
    let env = TestEnv::new();
    server.set_default("/bad", Behavior::Status(503));
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}max_attempts = 1\n{}",
            signed_hook("bad", &server.url("/bad"), "")
        ),
    );
    staxhook(&env, &emit_args("scan_complete", &[])).expect_code(1);
    let result = staxhook_json(&env, 1, &["redeliver", "--failed"]);
    assert_eq!(result[0]["status"], "failed");
    // Still failed, so still redeliverable: picked again (once: only the newest row per delivery).
    let result = staxhook_json(&env, 1, &["redeliver", "--failed"]);
    assert_eq!(result.as_array().unwrap().len(), 1);
    assert_eq!(server.requests().len(), 3);
}

/// Starts `staxhook ARGS` in the background, output discarded, so that the test can kill it.
fn spawn_staxhook(env: &TestEnv, args: &[&str]) -> std::process::Child {
    env.std_command(STAXHOOK_BINARY)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn staxhook")
}

#[test]
fn killed_process_leaves_a_pending_row_that_redeliver_completes() {
    let server = TestServer::start();
    let env = TestEnv::new();
    server.script("/hook", vec![Behavior::Hang]);
    write_private_config(
        &env,
        &format!(
            "[defaults]\ntimeout = \"30s\"\nmax_elapsed = \"60s\"\n{}",
            signed_hook("alpha", &server.url("/hook"), "")
        ),
    );
    let mut child = spawn_staxhook(&env, &emit_args("critical_vulnerability", &[]));
    let arrived = server.wait_for_requests(1, Duration::from_secs(10));
    if arrived.is_empty() {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the emit never reached the server");
    }
    child.kill().expect("kill staxhook");
    child.wait().expect("reap staxhook");
    let delivery_id = arrived[0].delivery_id().to_string();

    let pending = log_rows(&env, &["--status", "pending"]);
    assert_eq!(pending.len(), 1, "{pending:#?}");
    assert_eq!(pending[0]["delivery_id"], delivery_id.as_str());
    assert_eq!(pending[0]["attempts"], 0);
    let pending_id = pending[0]["id"].as_i64().unwrap();

    // The server answers now.
    let result = staxhook_json(&env, 0, &["redeliver", &pending_id.to_string()]);
    assert_eq!(result[0]["status"], "delivered");
    assert_eq!(result[0]["delivery_id"], delivery_id.as_str());
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].delivery_id(), delivery_id);
    assert_eq!(requests[1].body, requests[0].body);

    assert!(
        log_rows(&env, &["--status", "pending"]).is_empty(),
        "the old row still shows as pending"
    );
    let old = staxhook_json(&env, 0, &["log", "show", &pending_id.to_string()]);
    assert_ne!(old["status"], "pending");
    let delivered = log_rows(&env, &["--status", "delivered"]);
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0]["delivery_id"], delivery_id.as_str());
}

#[test]
fn parallel_processes_share_one_history_without_losing_rows() {
    const PROCESSES: usize = 4;
    const EMITS: usize = 10;
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!("{DEFAULTS}{}", signed_hook("alpha", &server.url("/a"), "")),
    );

    // An emit that had waited out SQLite's 30 s busy timeout (src/history/sqlite) would show
    // a lock held far too long; each one alone is checked, not the total, which a busy
    // machine stretches.
    let busy_timeout = Duration::from_secs(30);
    let failures: Vec<String> = in_parallel(PROCESSES, |worker| {
        let mut problems = Vec::new();
        for index in 0..EMITS {
            let scan = format!("scan_id=w{worker}-{index}");
            let result = staxhook(
                &env,
                &["emit", "scan_complete", "--repo", "o/r", "--set", &scan],
            );
            if result.code != 0
                || result.stderr.to_lowercase().contains("locked")
                || result.elapsed >= busy_timeout
            {
                problems.push(format!(
                    "worker {worker} emit {index}: exit {} after {:?}, stderr {}",
                    result.code, result.elapsed, result.stderr
                ));
            }
        }
        problems
    })
    .into_iter()
    .flatten()
    .collect();
    assert!(failures.is_empty(), "{failures:#?}");

    assert_eq!(server.requests().len(), PROCESSES * EMITS);
    let all = log_rows(&env, &["--limit", "1000"]);
    assert_eq!(all.len(), PROCESSES * EMITS, "rows lost");
    assert!(all.iter().all(|r| r["status"] == "delivered"));
    let unique: BTreeSet<i64> = ids(&all).into_iter().collect();
    assert_eq!(unique.len(), PROCESSES * EMITS);
    let deliveries: BTreeSet<&str> = all
        .iter()
        .map(|r| r["delivery_id"].as_str().unwrap())
        .collect();
    assert_eq!(deliveries.len(), PROCESSES * EMITS);
}

/// What every command printed after [`run_every_command_that_could_leak`], by command.
struct Outputs {
    server: TestServer,
    env: TestEnv,
    outputs: Vec<(String, Run)>,
}

/// Webhooks with a secret, URL query tokens and a URL password (delivered, failing,
/// redirected, refused), then every command that shows deliveries or webhooks.
fn run_every_command_that_could_leak() -> Outputs {
    let server = TestServer::start();
    let env = TestEnv::new();
    server.set_default("/fail", Behavior::Status(500));
    server.set_default(
        "/moved",
        Behavior::Redirect {
            status: 302,
            location: "https://elsewhere.example/x?sig=l0cat10n".into(),
        },
    );
    let refused_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}max_attempts = 2\n{}{}{}{}{}",
            signed_hook("good", &server.url("/good?token=s3cr3t"), ""),
            signed_hook(
                "fail",
                &server.url("/fail?token=s3cr3t"),
                "events = [\"critical_vulnerability\"]"
            ),
            signed_hook(
                "moved",
                &server.url("/moved?token=s3cr3t"),
                "events = [\"kev_found\"]"
            ),
            signed_hook(
                "basic",
                &format!("http://user:pa55w0rd@127.0.0.1:{}/basic", server.port()),
                "events = [\"critical_vulnerability\"]"
            ),
            signed_hook(
                "down",
                &format!("http://127.0.0.1:{refused_port}/down?token=s3cr3t"),
                "events = [\"kev_found\"]"
            ),
        ),
    );

    let mut outputs: Vec<(String, Run)> = Vec::new();
    let mut record = |name: &str, args: &[&str]| {
        outputs.push((name.to_string(), staxhook(&env, args)));
    };
    record("emit", &emit_args("critical_vulnerability", &[]));
    record("emit -v", &emit_args("critical_vulnerability", &["-v"]));
    record("emit --json", &emit_args("kev_found", &["--json"]));
    record("emit kev -v", &emit_args("kev_found", &["--verbose"]));
    record(
        "emit --dry-run",
        &emit_args("critical_vulnerability", &["--dry-run"]),
    );
    record(
        "emit --json --dry-run",
        &emit_args("critical_vulnerability", &["--dry-run", "--json"]),
    );
    record("send-test", &["send-test", "good", "-v"]);
    record("log", &["log"]);
    record("log --json", &["log", "--json", "--limit", "1000"]);
    for id in ids(&log_rows(&env, &["--limit", "1000"])) {
        let id = id.to_string();
        record("log show", &["log", "show", &id]);
        record("log show --json", &["log", "show", &id, "--json"]);
    }
    record("redeliver --failed", &["redeliver", "--failed", "-v"]);
    record("webhook list", &["webhook", "list"]);
    record("webhook list --json", &["webhook", "list", "--json"]);
    record(
        "unknown webhook",
        &emit_args("critical_vulnerability", &["--webhook", "goood"]),
    );
    assert!(outputs.len() > 10);
    Outputs {
        server,
        env,
        outputs,
    }
}

/// The key part of [`SECRET`] (what a leak would show even without the `whsec_` prefix).
fn secret_key_part() -> &'static str {
    SECRET.trim_start_matches("whsec_")
}

#[test]
fn secrets_never_appear_in_any_output() {
    let Outputs {
        server, outputs, ..
    } = run_every_command_that_could_leak();
    for (name, result) in &outputs {
        for text in [&result.stdout, &result.stderr] {
            assert!(
                !text.contains(secret_key_part()),
                "{name} printed the webhook secret:\n{text}"
            );
            assert!(
                !text.contains("s3cr3t"),
                "{name} printed the URL token:\n{text}"
            );
            assert!(
                !text.contains("pa55w0rd"),
                "{name} printed the URL password:\n{text}"
            );
        }
    }
    // The masked form is what shows.
    let masked = format!("http://127.0.0.1:{}/good?…", server.port());
    assert!(
        outputs.iter().any(|(_, r)| r.stdout.contains(&masked)),
        "the masked URL {masked} never showed"
    );
}

#[test]
fn every_recorded_url_is_masked() {
    let Outputs { server, env, .. } = run_every_command_that_could_leak();
    let rows = log_rows(&env, &["--limit", "1000"]);
    assert!(rows.len() >= 8, "{}", rows.len());
    for row in &rows {
        let detail = staxhook_json(&env, 0, &["log", "show", &row["id"].to_string()]);
        let url = detail["request"]["url"].as_str().unwrap();
        if detail["webhook"] == "basic" {
            assert_eq!(url, format!("http://…@127.0.0.1:{}/basic", server.port()));
        } else {
            assert!(url.ends_with("?…"), "{url}");
        }
    }
}

#[test]
fn secrets_never_reach_the_history_files() {
    let Outputs { env, .. } = run_every_command_that_could_leak();
    // The raw bytes of the history and its WAL; every row's delivery id must be in them, so
    // they are the files the rows went to.
    let files = history_file_bytes(&env);
    let rows = log_rows(&env, &["--limit", "1000"]);
    assert!(rows.len() >= 8, "{}", rows.len());
    let delivery_ids: Vec<&str> = rows
        .iter()
        .map(|row| row["delivery_id"].as_str().expect("delivery_id"))
        .collect();
    assert_history_files(
        &files,
        &[secret_key_part(), "s3cr3t", "pa55w0rd", "l0cat10n"],
        &delivery_ids,
    );
}

/// The engine cuts the query off a redirect `Location` in the error because the query
/// string of a location may carry a token; the attempt's stored response headers, which
/// `log show` prints, must not keep it either.
#[test]
fn redirect_location_query_is_not_kept_in_the_history() {
    let server = TestServer::start();
    let env = TestEnv::new();
    server.set_default(
        "/moved",
        Behavior::Redirect {
            status: 302,
            location: "https://elsewhere.example/x?sig=l0cat10n".into(),
        },
    );
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}",
            signed_hook("moved", &server.url("/moved"), "")
        ),
    );
    let result = staxhook_json(&env, 1, &emit_args("kev_found", &[]));
    let error = result[0]["error"].as_str().unwrap();
    assert!(error.contains("https://elsewhere.example/x"), "{error}");
    assert!(!error.contains("l0cat10n"), "{error}");
    let id = result[0]["log_id"].to_string();
    for args in [vec!["log", "show", &id], vec!["log", "show", &id, "--json"]] {
        let shown = staxhook(&env, &args);
        shown.expect_code(0);
        assert!(
            !shown.stdout.contains("l0cat10n"),
            "`{}` shows the redirect's query token:\n{}",
            args.join(" "),
            shown.stdout
        );
    }
    // Nor the stored bytes, which hold the Location without its query.
    assert_history_files(
        &history_file_bytes(&env),
        &["l0cat10n"],
        &["https://elsewhere.example/x?\u{2026}"],
    );
}

#[test]
fn a_pending_row_is_updated_after_each_attempt() {
    let server = TestServer::start();
    let env = TestEnv::new();
    server.script("/hook", vec![Behavior::Status(500), Behavior::Hang]);
    write_private_config(
        &env,
        &format!(
            "[defaults]\ninitial_backoff = \"10ms\"\nmax_backoff = \"50ms\"\n\
             timeout = \"30s\"\nmax_elapsed = \"60s\"\n{}",
            signed_hook("alpha", &server.url("/hook"), "")
        ),
    );
    let mut child = spawn_staxhook(&env, &emit_args("critical_vulnerability", &[]));
    let arrived = server.wait_for_requests(2, Duration::from_secs(10));
    // The first attempt was recorded before the second was sent.
    let pending = if arrived.len() == 2 {
        log_rows(&env, &["--status", "pending"])
    } else {
        Vec::new()
    };
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(arrived.len(), 2, "the retry never came");
    assert_eq!(pending.len(), 1, "{pending:#?}");
    assert_eq!(pending[0]["attempts"], 1, "{}", pending[0]);
    assert_eq!(pending[0]["http_status"], 500, "{}", pending[0]);
    let detail = staxhook_json(&env, 0, &["log", "show", &pending[0]["id"].to_string()]);
    assert_eq!(detail["status"], "pending");
    assert_eq!(detail["attempts"].as_array().unwrap().len(), 1);
    assert_eq!(detail["attempts"][0]["http_status"], 500);
}

/// `alpha` with an `Authorization` header, one from a variable, and a harmless one; one
/// `emit --json` to it. Returns the run.
fn emit_with_sensitive_headers() -> (TestServer, TestEnv, Run) {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}",
            signed_hook(
                "alpha",
                &server.url("/a"),
                "headers = { \"Authorization\" = \"Bearer t0ken-abc\", \"X-From-Env\" = \"${HEADER_VALUE_FOR_TEST}\", \"X-Team\" = \"appsec\" }"
            )
        ),
    );
    let emitted = run(env
        .cmd()
        .env("HEADER_VALUE_FOR_TEST", "env-s3cret-value")
        .args(emit_args("scan_complete", &["--json"])));
    emitted.expect_code(0);
    (server, env, emitted)
}

#[test]
fn sensitive_config_headers_are_sent() {
    let (server, _env, _emitted) = emit_with_sensitive_headers();
    let request = server.requests().pop().unwrap();
    assert_eq!(request.header("authorization"), Some("Bearer t0ken-abc"));
    assert_eq!(request.header("x-from-env"), Some("env-s3cret-value"));
    assert_eq!(request.header("x-team"), Some("appsec"));
}

#[test]
fn sensitive_config_headers_are_redacted_in_every_output() {
    let (_server, env, emitted) = emit_with_sensitive_headers();
    let dry = run(env
        .cmd()
        .env("HEADER_VALUE_FOR_TEST", "env-s3cret-value")
        .args(emit_args("scan_complete", &["--dry-run"])));
    dry.expect_code(0);
    let id = emitted.json()[0]["log_id"].to_string();
    let shown = staxhook(&env, &["log", "show", &id, "--json"]);
    shown.expect_code(0);
    let headers = &shown.json()["request"]["headers"];
    assert_eq!(headers["Authorization"], "[redacted]");
    assert_eq!(headers["X-From-Env"], "[redacted]");
    assert_eq!(headers["X-Team"], "appsec");
    let text = staxhook(&env, &["log", "show", &id]);
    for (name, out) in [
        ("dry run", &dry.stdout),
        ("log show --json", &shown.stdout),
        ("log show", &text.stdout),
    ] {
        assert!(
            !out.contains("t0ken-abc") && !out.contains("env-s3cret-value"),
            "{name}:\n{out}"
        );
    }
}

#[test]
fn sensitive_config_headers_never_reach_the_history_files() {
    let (_server, env, _emitted) = emit_with_sensitive_headers();
    // The harmless header's value is stored, so the files read hold the headers.
    assert_history_files(
        &history_file_bytes(&env),
        &["t0ken-abc", "env-s3cret-value"],
        &["appsec"],
    );
}

#[test]
fn an_unusable_history_means_nothing_is_sent() {
    // "Nothing sent goes unrecorded": the history path is a folder, so nothing may go out.
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!("{DEFAULTS}{}", signed_hook("alpha", &server.url("/a"), "")),
    );
    std::fs::create_dir_all(env.history_path()).unwrap();
    let result = staxhook(&env, &emit_args("scan_complete", &[]));
    assert_ne!(result.code, 0, "{}", result.stderr);
    // The code treats it as exit 2 (nothing was sent).
    result.expect_code(2);
    insta::assert_snapshot!(
        env.redact_paths(&result.stderr),
        @"error: history file <history>: unable to open database file: <history>"
    );
    std::thread::sleep(Duration::from_millis(50));
    assert!(server.requests().is_empty());
}

#[test]
fn redeliver_several_ids_goes_out_in_order_and_refuses_disabled_webhooks() {
    let server = TestServer::start();
    let env = TestEnv::new();
    let config = format!("{DEFAULTS}{}", signed_hook("alpha", &server.url("/a"), ""));
    write_private_config(&env, &config);
    for _ in 0..3 {
        staxhook(&env, &emit_args("scan_complete", &[])).expect_code(0);
    }
    let all = log_rows(&env, &[]);
    let original: Vec<String> = server
        .requests()
        .iter()
        .map(|request| request.delivery_id().to_string())
        .collect();
    let (first, second, third) = (
        all[2]["id"].to_string(),
        all[1]["id"].to_string(),
        all[0]["id"].to_string(),
    );
    // Given newest first on the command line: sent in the order given, one after another.
    let result = staxhook_json(&env, 0, &["redeliver", &third, &first, &second]);
    assert_eq!(result.as_array().unwrap().len(), 3);
    let resent: Vec<String> = server.requests()[3..]
        .iter()
        .map(|request| request.delivery_id().to_string())
        .collect();
    assert_eq!(
        resent,
        [
            original[2].clone(),
            original[0].clone(),
            original[1].clone()
        ]
    );

    write_private_config(
        &env,
        &config.replace("secret =", "enabled = false\nsecret ="),
    );
    let refused = staxhook(&env, &["redeliver", &first]);
    refused.expect_code(2);
    insta::assert_snapshot!(
        env.redact_paths(&refused.stderr),
        @"error: delivery #1: webhook `alpha` is disabled (enable it with `staxhook webhook enable alpha`)"
    );
    assert_eq!(server.requests().len(), 6);
}

#[test]
fn redeliver_failed_without_a_history_file_has_nothing_to_do() {
    // docs/reference.md §1: "a missing history file is an empty history". With an existing but empty
    // history, `redeliver --failed` says "Nothing to redeliver" and exits 0, and without the
    // file it does the same (a CI cleanup step on a fresh runner must not fail).
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!("{DEFAULTS}{}", signed_hook("alpha", &server.url("/a"), "")),
    );

    // Existing, emptied history.
    let other = TestEnv::new();
    write_private_config(
        &other,
        &format!("{DEFAULTS}{}", signed_hook("alpha", &server.url("/a"), "")),
    );
    staxhook(&other, &emit_args("scan_complete", &[])).expect_code(0);
    std::thread::sleep(Duration::from_millis(20));
    staxhook(&other, &["log", "prune", "--older-than", "1ms"]).expect_code(0);
    assert_eq!(
        staxhook_json(&other, 0, &["redeliver", "--failed"]),
        Value::Array(vec![])
    );

    // No history file at all.
    let result = staxhook(&env, &["--json", "redeliver", "--failed"]);
    result.expect_code(0);
    assert_eq!(result.json(), Value::Array(vec![]));
    assert!(!env.history_path().exists());
    assert_eq!(server.requests().len(), 1);
}

/// README: `log --webhook NAME` accepts names no longer in the config (the history outlives
/// them): a removed webhook's rows are still listed by its name, and only its rows.
#[test]
fn log_webhook_accepts_a_name_removed_from_the_config() {
    let server = TestServer::start();
    let env = TestEnv::new();
    three_rows(&env, &server);
    let bravo = log_rows(&env, &["--webhook", "bravo"]);
    assert_eq!(bravo.len(), 1, "{bravo:#?}");

    staxhook(&env, &["webhook", "rm", "bravo"]).expect_code(0);
    assert!(
        !env.read_config().contains("bravo"),
        "{}",
        env.read_config()
    );
    let after = log_rows(&env, &["--webhook", "bravo"]);
    assert_eq!(
        after, bravo,
        "bravo's rows, by the name the config no longer has"
    );
    let table = staxhook(&env, &["log", "--webhook", "bravo"]);
    table.expect_code(0);
    assert!(table.stdout.contains("bravo"), "{}", table.stdout);
    assert!(!table.stdout.contains("alpha"), "{}", table.stdout);
    let id = bravo[0]["id"].to_string();
    assert_eq!(
        staxhook_json(&env, 0, &["log", "show", &id])["webhook"],
        "bravo"
    );
}
