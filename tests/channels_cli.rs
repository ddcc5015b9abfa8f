//! Every channel end to end against the loopback test server: the body received is the body
//! `--dry-run` printed (timestamps aside), signed; each service's own answers (Slack's
//! `invalid_blocks`, Teams' 202, Discord's 204 and JSON `retry_after`, PagerDuty's 202 and
//! error JSON); the PagerDuty routing key never shown nor stored yet sent for real, also on
//! `redeliver`; Slack pacing on `redeliver --failed`; `send-test` visibly a test.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::prelude::*;

const ROUTING_KEY: &str = "R0UTINGKEY0123456789abcdef012345";
const NEW_ROUTING_KEY: &str = "NEWR0UTINGKEYfedcba9876543210abc";

/// Like the prelude's `DEFAULTS`, with room for a real service's answer times.
const CHANNEL_DEFAULTS: &str = "[defaults]\n\
initial_backoff = \"10ms\"\n\
max_backoff = \"50ms\"\n\
timeout = \"2s\"\n\
max_elapsed = \"10s\"\n";

const SLACK_PATH: &str = "/slack/T0/B0/XXX";
const TEAMS_PATH: &str = "/teams/workflows/abc123/triggers/manual";
const DISCORD_PATH: &str = "/discord/api/webhooks/123/tok3n";
const PAGERDUTY_PATH: &str = "/pd";
const GENERIC_PATH: &str = "/generic/hook";

const KEV_DATA: &str = r#"{"cve_id":"CVE-2024-3094","package":{"name":"xz-utils","version":"5.6.0"},"severity":"critical","fixed_version":"5.6.1","kev":{"due_date":"2024-04-22","required_action":"Apply mitigations <now> & report"},"url":"https://www.cisa.gov/known-exploited-vulnerabilities-catalog"}"#;

/// One webhook: (name, channel, path).
const HOOKS: [(&str, &str, &str); 5] = [
    ("sl", "slack", SLACK_PATH),
    ("tm", "teams", TEAMS_PATH),
    ("dc", "discord", DISCORD_PATH),
    ("pd", "pagerduty", PAGERDUTY_PATH),
    ("gn", "generic", GENERIC_PATH),
];

fn path_of(name: &str) -> &'static str {
    HOOKS
        .iter()
        .find(|(hook, _, _)| *hook == name)
        .map(|(_, _, path)| *path)
        .expect("known webhook")
}

/// The config: one webhook per channel, each signed; `extra` is appended per webhook name.
fn config(server: &TestServer, extra: &[(&str, &str)]) -> String {
    let mut text = CHANNEL_DEFAULTS.to_string();
    for (name, channel, path) in HOOKS {
        text.push_str(&format!(
            "\n[webhooks.{name}]\nchannel = \"{channel}\"\nurl = \"{}\"\nsecret = \"{SECRET}\"\n",
            server.url(path)
        ));
        if channel == "pagerduty" {
            text.push_str("routing_key = \"${PD_KEY}\"\n");
        }
        for (hook, line) in extra {
            if *hook == name {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    text
}

fn setup(server: &TestServer, extra: &[(&str, &str)]) -> TestEnv {
    let env = TestEnv::new();
    write_private_config(&env, &config(server, extra));
    env
}

/// `staxhook ARGS` with `routing_key` in `PD_KEY`, the variable the PagerDuty webhook reads.
fn staxhook_with_routing_key(env: &TestEnv, routing_key: &str, args: &[&str]) -> Run {
    run(env.cmd().env("PD_KEY", routing_key).args(args))
}

fn emit_kev(env: &TestEnv, hook: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "emit",
        "kev_found",
        "--repo",
        "o/r",
        "--data",
        KEV_DATA,
        "--webhook",
        hook,
    ];
    args.extend_from_slice(extra);
    staxhook_with_routing_key(env, ROUTING_KEY, &args)
}

/// `2026-03-22T10:30:00Z` (the envelope's timestamp, wherever a channel shows it) → `<TS>`.
fn mask_timestamps(text: &str) -> String {
    let shape = b"dddd-dd-ddTdd:dd:ddZ";
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut index = 0;
    while index < bytes.len() {
        let fits = bytes.len() - index >= shape.len()
            && shape
                .iter()
                .zip(&bytes[index..])
                .all(|(want, got)| match want {
                    b'd' => got.is_ascii_digit(),
                    other => other == got,
                });
        if fits {
            out.push_str("<TS>");
            index += shape.len();
        } else {
            let character = text[index..].chars().next().expect("char boundary");
            out.push(character);
            index += character.len_utf8();
        }
    }
    out
}

fn masked(value: &Value) -> Value {
    match value {
        Value::String(text) => Value::String(mask_timestamps(text)),
        Value::Array(items) => Value::Array(items.iter().map(masked).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, item)| (key.clone(), masked(item)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Both signature families are right for the bytes received.
fn assert_signed(request: &RecordedRequest, what: &str) {
    assert_eq!(
        request.expect_header("x-codestax-signature"),
        codestax_signature(SECRET, &request.body),
        "{what}: X-CodeStax-Signature does not match the received body"
    );
    let id = request.expect_header("webhook-id");
    let timestamp: i64 = request
        .expect_header("webhook-timestamp")
        .parse()
        .expect("webhook-timestamp is an integer");
    let expected =
        standard_webhooks_header(&[SECRET], id, timestamp, &request.body).expect("whsec_ secret");
    assert_eq!(
        request.expect_header("webhook-signature"),
        expected,
        "{what}: webhook-signature does not match the received body"
    );
    assert_eq!(
        request.expect_header("content-type"),
        "application/json",
        "{what}"
    );
}

/// Each channel's success answer as the real service gives it.
fn script_success(server: &TestServer) {
    server.set_default(
        SLACK_PATH,
        Behavior::Respond {
            status: 200,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: b"ok".to_vec(),
        },
    );
    server.set_default(TEAMS_PATH, Behavior::Status(202));
    server.set_default(DISCORD_PATH, Behavior::Status(204));
    server.set_default(
        PAGERDUTY_PATH,
        Behavior::Respond {
            status: 202,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: br#"{"status":"success","message":"Event processed","dedup_key":"x"}"#.to_vec(),
        },
    );
}

/// `emit kev_found --dry-run --json` to the webhook `name`: the run and the one request shown.
fn dry_run_kev(env: &TestEnv, name: &str) -> (Run, Value) {
    let dry = emit_kev(env, name, &["--dry-run", "--json"]);
    dry.expect_code(0);
    let shown = dry.json();
    let shown = shown
        .as_array()
        .and_then(|list| list.first())
        .cloned()
        .unwrap_or_else(|| panic!("{name}: dry-run printed no request: {}", dry.stdout));
    (dry, shown)
}

/// `emit kev_found --json` to the webhook `name` at `path`: its result and the one request
/// the server got.
fn send_kev(
    env: &TestEnv,
    server: &TestServer,
    name: &str,
    path: &str,
) -> (Value, RecordedRequest) {
    let sent = emit_kev(env, name, &["--json"]);
    sent.expect_code(0);
    let result = sent.json()[0].clone();
    let mut requests = server.requests_for(path);
    assert_eq!(requests.len(), 1, "{name}: one request expected");
    (result, requests.remove(0))
}

#[test]
fn dry_run_shows_each_channels_request_and_sends_nothing() {
    let server = TestServer::start();
    script_success(&server);
    let env = setup(&server, &[]);
    for (name, channel, path) in HOOKS {
        let (dry, shown) = dry_run_kev(&env, name);
        assert_eq!(shown["webhook"], name, "{channel}");
        assert_eq!(shown["channel"], channel, "{channel}");
        assert!(
            server.requests_for(path).is_empty(),
            "{channel}: --dry-run sent something"
        );
        assert!(
            !dry.stdout.contains(ROUTING_KEY),
            "{channel}: dry-run shows the routing key"
        );
    }
}

#[test]
fn each_channel_gets_one_signed_delivery() {
    let server = TestServer::start();
    script_success(&server);
    let env = setup(&server, &[]);
    for (name, channel, path) in HOOKS {
        let (result, request) = send_kev(&env, &server, name, path);
        assert_eq!(result["status"], "delivered", "{channel}: {result}");
        assert_eq!(result["attempts"], 1, "{channel}: {result}");
        assert_eq!(request.method, "POST", "{channel}");
        assert_signed(&request, channel);
        assert_eq!(
            request.expect_header("x-codestax-event"),
            "kev_found",
            "{channel}"
        );
        assert_eq!(
            request.delivery_id(),
            result["delivery_id"].as_str().expect("delivery_id"),
            "{channel}"
        );
    }
}

#[test]
fn each_channel_receives_what_dry_run_printed() {
    // Timestamps aside, and with PagerDuty's real routing key where the dry run shows it
    // redacted.
    let server = TestServer::start();
    script_success(&server);
    let env = setup(&server, &[]);
    for (name, channel, path) in HOOKS {
        let (_dry, shown) = dry_run_kev(&env, name);
        let (_result, request) = send_kev(&env, &server, name, path);
        let mut received = request.body_json();
        if channel == "pagerduty" {
            assert_eq!(
                received["routing_key"], ROUTING_KEY,
                "PagerDuty must receive the real routing key"
            );
            assert_eq!(shown["body"]["routing_key"], "[redacted]");
            received["routing_key"] = json!("[redacted]");
        }
        let expected = serde_json::to_string_pretty(&masked(&shown["body"])).expect("JSON");
        let got = serde_json::to_string_pretty(&masked(&received)).expect("JSON");
        assert_eq!(
            got, expected,
            "{channel}: received body differs from the --dry-run body"
        );
    }
}

#[test]
fn slack_invalid_blocks_fails_with_slacks_reason() {
    let server = TestServer::start();
    server.set_default(
        SLACK_PATH,
        Behavior::Respond {
            status: 400,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: b"invalid_blocks".to_vec(),
        },
    );
    let env = setup(&server, &[]);

    let run = emit_kev(&env, "sl", &["--json"]);
    run.expect_code(1);
    let result = &run.json()[0];
    assert_eq!(result["status"], "failed", "{result}");
    assert_eq!(result["http_status"], 400, "{result}");
    assert_eq!(result["attempts"], 1, "a 400 is not retried: {result}");
    let error = result["error"].as_str().unwrap_or_default();
    insta::assert_snapshot!(error, @"HTTP 400: invalid_blocks");

    let id = result["log_id"].as_i64().expect("log_id").to_string();
    let shown = staxhook_with_routing_key(&env, ROUTING_KEY, &["log", "show", &id, "--json"]);
    shown.expect_code(0);
    let detail = shown.json();
    let error = detail["error"].as_str().unwrap_or_default();
    insta::assert_snapshot!(error, @"HTTP 400: invalid_blocks");
    assert_eq!(detail["status"], "failed");

    let human = emit_kev(&env, "sl", &[]);
    human.expect_code(1);
    assert!(
        human.all_output().contains("invalid_blocks"),
        "human output lacks Slack's reason:\n{}",
        human.all_output()
    );
}

#[test]
fn discord_429_json_retry_after_is_waited_for() {
    let server = TestServer::start();
    server.script(
        DISCORD_PATH,
        vec![Behavior::Respond {
            status: 429,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: br#"{"retry_after":0.3,"global":false}"#.to_vec(),
        }],
    );
    server.set_default(DISCORD_PATH, Behavior::Status(204));
    let env = setup(&server, &[]);

    let run = emit_kev(&env, "dc", &["--json"]);
    run.expect_code(0);
    let result = &run.json()[0];
    assert_eq!(result["status"], "delivered", "{result}");
    assert_eq!(result["http_status"], 204, "{result}");
    assert_eq!(result["attempts"], 2, "{result}");

    let requests = server.requests_for(DISCORD_PATH);
    assert_eq!(requests.len(), 2);
    let gap = requests[1]
        .received_at
        .duration_since(requests[0].received_at);
    assert!(
        gap >= Duration::from_millis(280),
        "retried after {gap:?}, Discord asked for 0.3 s in its JSON body"
    );
    assert_eq!(
        requests[0].delivery_id(),
        requests[1].delivery_id(),
        "same delivery id on every attempt"
    );
}

#[test]
fn pagerduty_400_shows_pagerdutys_reason() {
    let server = TestServer::start();
    server.set_default(
        PAGERDUTY_PATH,
        Behavior::Respond {
            status: 400,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: br#"{"status":"invalid event","message":"Event object is invalid","errors":["Length of 'routing_key' is incorrect"]}"#.to_vec(),
        },
    );
    let env = setup(&server, &[]);

    let run = emit_kev(&env, "pd", &["--json"]);
    run.expect_code(1);
    let result = &run.json()[0];
    assert_eq!(result["status"], "failed", "{result}");
    assert_eq!(result["attempts"], 1, "a 400 is not retried: {result}");
    let error = result["error"].as_str().unwrap_or_default();
    insta::assert_snapshot!(
        error,
        @"HTTP 400: Event object is invalid; Length of 'routing_key' is incorrect"
    );

    let human = emit_kev(&env, "pd", &[]);
    human.expect_code(1);
    assert!(
        human
            .all_output()
            .contains("Length of 'routing_key' is incorrect"),
        "human output lacks PagerDuty's reason:\n{}",
        human.all_output()
    );
    assert!(!run.all_output().contains(ROUTING_KEY) && !human.all_output().contains(ROUTING_KEY));
}

/// What [`run_every_pagerduty_command`] saw.
struct PagerDutyCommands {
    env: TestEnv,
    /// What PagerDuty received from the emits (before the send-tests).
    received_from_emits: Vec<RecordedRequest>,
    /// Every command run (its arguments) and what it printed.
    outputs: Vec<(String, Run)>,
    /// The raw history file and its WAL after the last command.
    files: Vec<(String, Vec<u8>)>,
}

/// Emits to the PagerDuty webhook (dry runs, a delivery, a failed delivery), then send-test,
/// log, log show and webhook list; each must exit as expected. The history file and its WAL
/// (which staxhook leaves in place when it closes the file) are read after the last command.
fn run_every_pagerduty_command() -> PagerDutyCommands {
    let server = TestServer::start();
    script_success(&server);
    // The second delivery fails, so `log` has an error to show too.
    server.script(
        PAGERDUTY_PATH,
        vec![
            Behavior::Status(202),
            Behavior::Respond {
                status: 400,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: br#"{"status":"invalid event","message":"Event object is invalid","errors":["Length of 'routing_key' is incorrect"]}"#.to_vec(),
            },
        ],
    );
    let env = setup(&server, &[]);

    let mut outputs = Vec::new();
    for (extra, code) in [
        (vec!["--dry-run"], 0),
        (vec!["--dry-run", "--json"], 0),
        (vec!["-v"], 0),
        (vec!["--json", "-v"], 1),
    ] {
        let run = emit_kev(&env, "pd", &extra);
        run.expect_code(code);
        outputs.push((format!("emit {extra:?}"), run));
    }
    let received_from_emits = server.requests_for(PAGERDUTY_PATH);
    for args in [
        vec!["send-test", "pd", "--event", "kev_found"],
        vec!["send-test", "pd", "--event", "kev_found", "--json"],
        vec!["log"],
        vec!["log", "--json"],
        vec!["log", "show", "1"],
        vec!["log", "show", "1", "--json"],
        vec!["log", "show", "2"],
        vec!["log", "show", "2", "--json"],
        vec!["webhook", "list"],
        vec!["webhook", "list", "--json"],
    ] {
        let run = staxhook_with_routing_key(&env, ROUTING_KEY, &args);
        run.expect_code(0);
        outputs.push((format!("{args:?}"), run));
    }
    let files = history_file_bytes(&env);
    PagerDutyCommands {
        env,
        received_from_emits,
        outputs,
        files,
    }
}

#[test]
fn pagerduty_receives_the_real_routing_key() {
    let PagerDutyCommands {
        received_from_emits: received,
        ..
    } = run_every_pagerduty_command();
    assert_eq!(received.len(), 2);
    for request in &received {
        assert_eq!(request.body_json()["routing_key"], ROUTING_KEY);
    }
}

#[test]
fn the_routing_key_is_never_shown() {
    let PagerDutyCommands { outputs, .. } = run_every_pagerduty_command();
    for (what, run) in &outputs {
        assert!(
            !run.all_output().contains(ROUTING_KEY),
            "{what} shows the routing key:\n{}",
            run.all_output()
        );
    }
}

#[test]
fn the_routing_key_is_never_stored() {
    let PagerDutyCommands { env, files, .. } = run_every_pagerduty_command();
    let (_, wal_bytes) = files
        .iter()
        .find(|(name, _)| name.ends_with("-wal"))
        .expect("read WAL");
    assert!(
        wal_bytes.windows(10).any(|window| window == b"[redacted]"),
        "the WAL holds the later deliveries (so checking it means something)"
    );
    assert_history_files(&files, &[ROUTING_KEY], &["[redacted]"]);
    // The stored body says where the key was.
    let detail =
        staxhook_with_routing_key(&env, ROUTING_KEY, &["log", "show", "1", "--json"]).json();
    assert_eq!(detail["request"]["body"]["routing_key"], "[redacted]");
}

/// Chat webhooks whose URL paths carry their credential, as Slack's, Teams' and Discord's do:
/// (name, channel, path with the credential, the path as the history may show it). Every
/// credential part is distinctive, so finding it anywhere means it leaked.
const CHAT_CREDENTIAL_HOOKS: [(&str, &str, &str, &str); 3] = [
    (
        "sl",
        "slack",
        "/slack/T0SLACKTEAM/B0SLACKHOOK/sl4ckT0KENs3cret",
        "/slack/\u{2026}",
    ),
    (
        "tm",
        "teams",
        "/teams/workflows/t3amsW0RKFLOW/triggers/manual?sig=t3amsS1GNATURE",
        "/teams/\u{2026}",
    ),
    (
        "dc",
        "discord",
        "/discord/api/webhooks/4242424242/d1scordT0KENs3cret",
        "/discord/\u{2026}",
    ),
];

/// The credential parts of [`CHAT_CREDENTIAL_HOOKS`]' URLs.
const CHAT_CREDENTIALS: [&str; 7] = [
    "T0SLACKTEAM",
    "B0SLACKHOOK",
    "sl4ckT0KENs3cret",
    "t3amsW0RKFLOW",
    "t3amsS1GNATURE",
    "4242424242",
    "d1scordT0KENs3cret",
];

/// README: credential URLs never appear in the history or its WAL. Each chat webhook fails
/// once and is retried (two attempts recorded), every row is shown and one is redelivered;
/// then the raw bytes of the history file and its WAL hold the masked URLs and no part of
/// the credential paths, and nothing printed does either.
#[test]
fn chat_url_credentials_never_reach_the_history_or_its_wal() {
    let server = TestServer::start();
    let env = TestEnv::new();
    let mut config = CHANNEL_DEFAULTS.to_string();
    for (name, channel, path, _) in CHAT_CREDENTIAL_HOOKS {
        config.push_str(&format!(
            "\n[webhooks.{name}]\nchannel = \"{channel}\"\nurl = \"{}\"\nsecret = \"{SECRET}\"\n",
            server.url(path)
        ));
        server.script(path, vec![Behavior::Status(500)]);
    }
    write_private_config(&env, &config);

    let mut outputs = Vec::new();
    let emitted = emit_kev(
        &env,
        "sl",
        &["--json", "--webhook", "tm", "--webhook", "dc"],
    );
    emitted.expect_code(0);
    let results = emitted.json();
    assert_eq!(results.as_array().map(Vec::len), Some(3), "{results:#}");
    assert!(
        results
            .as_array()
            .unwrap()
            .iter()
            .all(|result| result["attempts"] == 2),
        "each chat webhook failed once, then was delivered: {results:#}"
    );
    outputs.push(emitted);
    let rows = log_rows(&env, &[]);
    outputs.push(staxhook(&env, &["log"]));
    for row in &rows {
        let id = row["id"].to_string();
        outputs.push(staxhook(&env, &["log", "show", &id]));
        outputs.push(staxhook(&env, &["log", "show", &id, "--json"]));
    }
    let first = rows.last().expect("a row")["id"].to_string();
    let redelivered = staxhook(&env, &["redeliver", &first, "-v"]);
    redelivered.expect_code(0);
    outputs.push(redelivered);

    // The credentials were really used: the server got them.
    for (name, _, path, _) in CHAT_CREDENTIAL_HOOKS {
        let received = server.requests_for(path);
        assert!(received.len() >= 2, "{name}: {} requests", received.len());
        assert!(
            received.iter().all(|request| request.path == path),
            "{name}"
        );
    }
    let masked: Vec<String> = CHAT_CREDENTIAL_HOOKS
        .iter()
        .map(|(_, _, _, shown)| format!("http://127.0.0.1:{}{shown}", server.port()))
        .collect();
    let masked: Vec<&str> = masked.iter().map(String::as_str).collect();
    assert_history_files(&history_file_bytes(&env), &CHAT_CREDENTIALS, &masked);
    for run in &outputs {
        for credential in CHAT_CREDENTIALS {
            assert!(
                !run.all_output().contains(credential),
                "{credential} printed:\n{}",
                run.all_output()
            );
        }
    }
}

#[test]
fn redeliver_of_a_failed_pagerduty_delivery_sends_the_current_routing_key() {
    let server = TestServer::start();
    server.script(PAGERDUTY_PATH, vec![Behavior::Status(400)]);
    server.set_default(PAGERDUTY_PATH, Behavior::Status(202));
    let env = setup(&server, &[]);

    let first = emit_kev(&env, "pd", &["--json"]);
    first.expect_code(1);
    let id = first.json()[0]["log_id"]
        .as_i64()
        .expect("log_id")
        .to_string();

    let again = staxhook_with_routing_key(&env, NEW_ROUTING_KEY, &["redeliver", &id, "--json"]);
    again.expect_code(0);
    assert_eq!(again.json()[0]["status"], "delivered", "{}", again.stdout);
    assert!(
        !again.all_output().contains(NEW_ROUTING_KEY) && !again.all_output().contains(ROUTING_KEY)
    );

    let requests = server.requests_for(PAGERDUTY_PATH);
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].body_json()["routing_key"], ROUTING_KEY);
    assert_eq!(
        requests[1].body_json()["routing_key"],
        NEW_ROUTING_KEY,
        "redeliver must send the routing key configured now"
    );
    assert_eq!(
        requests[0].delivery_id(),
        requests[1].delivery_id(),
        "redeliver keeps the delivery id"
    );
    assert_signed(&requests[1], "pagerduty redeliver");
    // Apart from the key, the same event went out again.
    let mut before = requests[0].body_json();
    let mut after = requests[1].body_json();
    before["routing_key"] = json!(null);
    after["routing_key"] = json!(null);
    assert_eq!(before, after);
    assert_history_files(
        &history_file_bytes(&env),
        &[NEW_ROUTING_KEY, ROUTING_KEY],
        &[requests[0].delivery_id()],
    );
}

#[test]
fn redeliver_failed_paces_slack_messages() {
    let server = TestServer::start();
    server.set_default(SLACK_PATH, Behavior::Status(500));
    let env = setup(&server, &[("sl", "max_attempts = 1")]);

    for _ in 0..3 {
        emit_kev(&env, "sl", &[]).expect_code(1);
    }
    assert_eq!(server.requests_for(SLACK_PATH).len(), 3);
    server.set_default(
        SLACK_PATH,
        Behavior::Respond {
            status: 200,
            headers: vec![],
            body: b"ok".to_vec(),
        },
    );

    let started = Instant::now();
    let run = staxhook_with_routing_key(&env, ROUTING_KEY, &["redeliver", "--failed", "--json"]);
    run.expect_code(0);
    let results = run.json();
    assert_eq!(results.as_array().map(Vec::len), Some(3), "{results}");
    assert!(results
        .as_array()
        .into_iter()
        .flatten()
        .all(|result| result["status"] == "delivered"));

    let redelivered: Vec<RecordedRequest> = server
        .requests_for(SLACK_PATH)
        .into_iter()
        .filter(|request| request.received_at >= started)
        .collect();
    assert_eq!(redelivered.len(), 3);
    for pair in redelivered.windows(2) {
        let gap = pair[1].received_at.duration_since(pair[0].received_at);
        assert!(
            gap >= Duration::from_millis(900),
            "Slack messages {gap:?} apart; about one per second expected"
        );
    }
}

#[test]
fn send_test_is_visibly_a_test_in_every_chat_channel() {
    let server = TestServer::start();
    script_success(&server);
    let env = setup(&server, &[]);

    for name in ["sl", "tm", "dc"] {
        let run = staxhook_with_routing_key(&env, ROUTING_KEY, &["send-test", name, "--json"]);
        run.expect_code(0);
        assert_eq!(run.json()[0]["status"], "delivered", "{}", run.stdout);
        let requests = server.requests_for(path_of(name));
        assert_eq!(requests.len(), 1, "{name}");
        let request = &requests[0];
        assert_signed(request, name);
        assert_eq!(request.expect_header("x-codestax-event"), "scan_complete");
        let body = request.body_json();
        let title = match name {
            "sl" => body
                .pointer("/attachments/0/blocks/0/text/text")
                .or_else(|| body.pointer("/blocks/0/text/text"))
                .and_then(Value::as_str),
            "tm" => body
                .pointer("/attachments/0/content/body/0/items/0/text")
                .or_else(|| body.pointer("/attachments/0/content/body/0/text"))
                .and_then(Value::as_str),
            _ => body.pointer("/embeds/0/title").and_then(Value::as_str),
        }
        .unwrap_or_default();
        assert!(
            title.contains("[TEST]"),
            "{name}: send-test title {title:?} is not marked as a test"
        );
        if name == "sl" {
            let fallback = body["text"].as_str().unwrap_or_default();
            assert!(
                fallback.contains("[TEST]"),
                "slack notification text {fallback:?}"
            );
        }
    }
}
