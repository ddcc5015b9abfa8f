//! `staxhook emit` / `send-test` end to end against the loopback test server:
//! the generic envelope, every docs/reference.md §5 header and signature, `--data`/`--set`,
//! repository detection, fan-out, concurrency, `--dry-run`, `--json`, and the
//! config errors that must stop everything before anything is sent.

use std::collections::BTreeSet;
use std::time::Duration;

use base64::Engine as _;
use hmac::{KeyInit as _, Mac as _};
use serde_json::{json, Value};

use crate::prelude::*;

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("hmac key");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn assert_uuid_v4(text: &str) {
    let uuid = uuid::Uuid::parse_str(text).unwrap_or_else(|e| panic!("{text:?} is no UUID: {e}"));
    assert_eq!(uuid.get_version_num(), 4, "{text}");
    assert_eq!(text.len(), 36, "hyphenated form expected: {text}");
    assert_eq!(
        text,
        text.to_ascii_lowercase(),
        "lowercase expected: {text}"
    );
}

fn critical_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "emit",
        "critical_vulnerability",
        "--repo",
        "myorg/backend-api",
        "--set",
        "cve_id=CVE-2024-3094",
        "--set",
        "package.name=xz",
    ];
    args.extend_from_slice(extra);
    args
}

/// One signed `critical_vulnerability` to a webhook with a config header, and when it was
/// sent (Unix seconds, taken just before and just after the run).
struct SentCritical {
    request: RecordedRequest,
    before: i64,
    after: i64,
}

fn send_one_signed_critical() -> SentCritical {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}",
            signed_hook(
                "hook",
                &server.url("/hook"),
                "headers = { \"X-Team\" = \"appsec\" }"
            )
        ),
    );
    let before = jiff::Timestamp::now().as_second();
    staxhook(&env, &critical_args(&[])).expect_code(0);
    let after = jiff::Timestamp::now().as_second();
    let mut requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    SentCritical {
        request: requests.remove(0),
        before,
        after,
    }
}

#[test]
fn emit_posts_the_generic_envelope() {
    let SentCritical {
        request,
        before,
        after,
    } = send_one_signed_critical();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/hook");

    // The envelope, keys in the documented order.
    let body = request.body_json();
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["event", "timestamp", "repository", "data"]);
    assert_eq!(body["event"], "critical_vulnerability");
    assert_eq!(body["repository"], "myorg/backend-api");
    assert_eq!(
        body["data"],
        json!({"cve_id": "CVE-2024-3094", "package": {"name": "xz"}})
    );
    let timestamp = body["timestamp"].as_str().expect("timestamp is a string");
    assert!(
        timestamp.ends_with('Z') && timestamp.len() == 20 && timestamp.as_bytes()[10] == b'T',
        "RFC 3339 UTC with Z, e.g. 2026-03-22T10:30:00Z: {timestamp}"
    );
    let parsed: jiff::Timestamp = timestamp.parse().expect("timestamp parses as RFC 3339");
    assert!(
        (before - 1..=after + 1).contains(&parsed.as_second()),
        "timestamp {timestamp} is not now"
    );
}

#[test]
fn emit_sends_every_spec_header_once() {
    let SentCritical { request, .. } = send_one_signed_critical();
    assert_eq!(request.expect_header("content-type"), "application/json");
    assert_eq!(
        request.expect_header("user-agent"),
        format!("staxhook/{}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(
        request.expect_header("x-codestax-event"),
        "critical_vulnerability"
    );
    assert_uuid_v4(request.delivery_id());
    // Config headers.
    assert_eq!(request.expect_header("x-team"), "appsec");

    // Each header exactly once (the HTTP client adds no second User-Agent or Content-Type).
    for name in [
        "content-type",
        "user-agent",
        "x-codestax-event",
        "x-codestax-delivery",
        "x-codestax-signature",
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
        "x-team",
    ] {
        assert_eq!(
            request.header_all(name).len(),
            1,
            "{name}: {:?}",
            request.headers
        );
    }
}

#[test]
fn x_codestax_signature_is_the_hmac_of_the_raw_body() {
    let SentCritical { request, .. } = send_one_signed_critical();
    // sha256=<hex HMAC(secret's UTF-8 bytes, raw body)>.
    let signature = request.expect_header("x-codestax-signature");
    assert_eq!(signature, codestax_signature(SECRET, &request.body));
    assert_eq!(
        signature,
        format!(
            "sha256={}",
            hex::encode(hmac_sha256(SECRET.as_bytes(), &request.body))
        ),
        "independent HMAC computation"
    );
}

#[test]
fn standard_webhooks_headers_sign_the_delivery_id_the_time_and_the_body() {
    let SentCritical {
        request,
        before,
        after,
    } = send_one_signed_critical();
    let delivery = request.delivery_id();
    assert_eq!(request.expect_header("webhook-id"), delivery);
    let webhook_timestamp: i64 = request
        .expect_header("webhook-timestamp")
        .parse()
        .expect("webhook-timestamp is integer seconds");
    assert!(
        (before - 1..=after + 1).contains(&webhook_timestamp),
        "webhook-timestamp {webhook_timestamp} not within [{before}, {after}]"
    );
    let webhook_signature = request.expect_header("webhook-signature");
    assert_eq!(
        Some(webhook_signature.to_string()),
        standard_webhooks_header(&[SECRET], delivery, webhook_timestamp, &request.body)
    );
    let key = base64::engine::general_purpose::STANDARD
        .decode(SECRET.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut signed = format!("{delivery}.{webhook_timestamp}.").into_bytes();
    signed.extend_from_slice(&request.body);
    assert_eq!(
        webhook_signature,
        format!(
            "v1,{}",
            base64::engine::general_purpose::STANDARD.encode(hmac_sha256(&key, &signed))
        ),
        "independent Standard Webhooks computation"
    );
}

#[test]
fn webhook_without_secret_sends_no_signature_headers() {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!("{DEFAULTS}{}", hook("plain", &server.url("/plain"), "")),
    );
    staxhook(&env, &critical_args(&[])).expect_code(0);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    for name in [
        "x-codestax-signature",
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
    ] {
        assert!(
            request.header(name).is_none(),
            "unsigned webhook sent {name}: {:?}",
            request.headers
        );
    }
    // The unsigned headers are still there.
    assert_eq!(
        request.expect_header("x-codestax-event"),
        "critical_vulnerability"
    );
    assert_uuid_v4(request.delivery_id());
    assert_eq!(request.expect_header("content-type"), "application/json");
}

#[test]
fn a_plain_secret_signs_x_codestax_only() {
    // A secret without the whsec_ form: X-CodeStax-Signature, but no Standard Webhooks headers.
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}",
            hook("h", &server.url("/h"), "secret = \"plain-shared-secret\"")
        ),
    );
    staxhook(&env, &critical_args(&[])).expect_code(0);
    let request = &server.requests()[0];
    assert_eq!(
        request.expect_header("x-codestax-signature"),
        codestax_signature("plain-shared-secret", &request.body)
    );
    assert!(request.header("webhook-signature").is_none());
    assert!(request.header("webhook-id").is_none());
}

/// A server and a config with one signed generic webhook `hook` at `/hook`.
fn one_signed_hook() -> (TestServer, TestEnv) {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}",
            signed_hook("hook", &server.url("/hook"), "")
        ),
    );
    (server, env)
}

/// The `data` of every request received, in order.
fn sent_data(server: &TestServer) -> Vec<Value> {
    server
        .requests()
        .iter()
        .map(|r| r.body_json()["data"].clone())
        .collect()
}

/// Nothing reached the server and no history file was created. (The short wait gives a
/// request that should not have been sent the time to arrive.)
#[track_caller]
fn assert_nothing_sent_or_recorded(server: &TestServer, env: &TestEnv) {
    std::thread::sleep(Duration::from_millis(50));
    assert!(server.requests().is_empty(), "{:#?}", server.requests());
    assert!(
        !env.history_path().exists(),
        "a refused emit created the history file"
    );
}

#[test]
fn data_inline_json_merges_with_set() {
    let (server, env) = one_signed_hook();
    // A JSON value is JSON, anything else a string; dotted paths create objects; unknown
    // fields pass through.
    staxhook(
        &env,
        &[
            "emit",
            "scan_complete",
            "--repo",
            "o/r",
            "--data",
            r#"{"scan_id":"s-1","extra":{"keep":true},"a":{"c":"old"}}"#,
            "--set",
            "a.b=1",
            "--set",
            "x=text",
            "--set",
            "list=[1,\"two\"]",
            "--set",
            "flag=false",
        ],
    )
    .expect_code(0);
    assert_eq!(
        sent_data(&server),
        vec![
            json!({"scan_id": "s-1", "extra": {"keep": true}, "a": {"c": "old", "b": 1},
                   "x": "text", "list": [1, "two"], "flag": false})
        ]
    );
}

#[test]
fn data_comes_from_a_file_relative_to_the_current_folder_or_absolute() {
    let (server, env) = one_signed_hook();
    std::fs::write(
        env.path().join("data.json"),
        r#"{"scan_id":"from-file","summary":{"critical":1}}"#,
    )
    .unwrap();
    staxhook(
        &env,
        &[
            "emit",
            "scan_complete",
            "--repo",
            "o/r",
            "--data",
            "@data.json",
            "--set",
            "summary.high=2",
        ],
    )
    .expect_code(0);
    let absolute = format!("@{}", env.path().join("data.json").display());
    staxhook(
        &env,
        &[
            "emit",
            "scan_complete",
            "--repo",
            "o/r",
            "--data",
            &absolute,
        ],
    )
    .expect_code(0);
    assert_eq!(
        sent_data(&server),
        vec![
            json!({"scan_id": "from-file", "summary": {"critical": 1, "high": 2}}),
            json!({"scan_id": "from-file", "summary": {"critical": 1}}),
        ]
    );
}

#[test]
fn data_dash_reads_standard_input() {
    let (server, env) = one_signed_hook();
    run(env
        .cmd()
        .args([
            "emit",
            "scan_complete",
            "--repo",
            "o/r",
            "--data",
            "-",
            "--set",
            "branch=main",
        ])
        .write_stdin(r#"{"scan_id":"from-stdin"}"#))
    .expect_code(0);
    assert_eq!(
        sent_data(&server),
        vec![json!({"scan_id": "from-stdin", "branch": "main"})]
    );
}

#[test]
fn set_alone_can_supply_the_required_field() {
    let (server, env) = one_signed_hook();
    staxhook(
        &env,
        &[
            "emit",
            "scan_complete",
            "--repo",
            "o/r",
            "--set",
            "scan_id=only-set",
        ],
    )
    .expect_code(0);
    assert_eq!(sent_data(&server), vec![json!({"scan_id": "only-set"})]);
}

#[test]
fn a_missing_required_field_is_exit_2_naming_it() {
    let (server, env) = one_signed_hook();
    let result = staxhook(
        &env,
        &[
            "emit",
            "critical_vulnerability",
            "--repo",
            "o/r",
            "--set",
            "cve_id=CVE-2024-3094",
        ],
    );
    result.expect_code(2);
    insta::assert_snapshot!(
        result.stderr,
        @"error: critical_vulnerability needs data field `package.name` (give it with --set package.name=... or in --data)"
    );
    let result = staxhook(
        &env,
        &[
            "emit",
            "sla_breach",
            "--repo",
            "o/r",
            "--set",
            "cve_id=C",
            "--set",
            "package.name=p",
        ],
    );
    result.expect_code(2);
    insta::assert_snapshot!(
        result.stderr,
        @"error: sla_breach needs data field `due_at` (give it with --set due_at=... or in --data)"
    );
    assert_nothing_sent_or_recorded(&server, &env);
}

#[test]
fn an_empty_required_field_counts_as_missing() {
    let (server, env) = one_signed_hook();
    staxhook(
        &env,
        &[
            "emit",
            "policy_violation",
            "--repo",
            "o/r",
            "--set",
            "policy=",
        ],
    )
    .expect_code(2);
    assert_nothing_sent_or_recorded(&server, &env);
}

/// `emit scan_complete --repo o/r --data ...`, the part every bad `--data` shares.
const EMIT_WITH_DATA: [&str; 5] = ["emit", "scan_complete", "--repo", "o/r", "--data"];

/// A refused `emit`: exit 2 and one line on stderr; that line.
#[track_caller]
fn refused_line(what: &str, result: &Run) -> String {
    assert_eq!(
        result.code, 2,
        "{what}: exit code; stdout {:?} stderr {:?}",
        result.stdout, result.stderr
    );
    assert_eq!(
        result.stderr.trim().lines().count(),
        1,
        "{what}: one-line error expected: {}",
        result.stderr
    );
    result.stderr.trim().to_string()
}

#[test]
fn data_that_is_not_a_json_object_is_exit_2() {
    let (server, env) = one_signed_hook();
    let data = |value: &str| staxhook(&env, &[&EMIT_WITH_DATA[..], &[value]].concat());
    insta::assert_snapshot!(
        refused_line("invalid JSON", &data("{\"scan_id\":")),
        @"error: --data (inline): invalid JSON: EOF while parsing a value at line 1 column 11"
    );
    insta::assert_snapshot!(
        refused_line("an array", &data("[1,2]")),
        @"error: --data (inline): expected a JSON object, found an array"
    );
    insta::assert_snapshot!(
        refused_line("a string", &data("\"s\"")),
        @"error: --data (inline): expected a JSON object, found a string"
    );
    let result = run(env
        .cmd()
        .args([&EMIT_WITH_DATA[..], &["-"]].concat())
        .write_stdin("not json"));
    insta::assert_snapshot!(
        refused_line("invalid JSON on stdin", &result),
        @"error: --data (standard input): invalid JSON: expected ident at line 1 column 2"
    );
    assert_nothing_sent_or_recorded(&server, &env);
}

#[test]
fn data_that_is_missing_or_not_utf8_is_exit_2() {
    let (server, env) = one_signed_hook();
    std::fs::write(env.path().join("latin1.json"), b"{\"scan_id\":\"caf\xe9\"}").unwrap();
    let result = staxhook(
        &env,
        &[&EMIT_WITH_DATA[..], &["@does-not-exist.json"]].concat(),
    );
    insta::assert_snapshot!(
        refused_line("missing @file", &result),
        @"error: --data @does-not-exist.json: No such file or directory (os error 2)"
    );
    let result = staxhook(&env, &[&EMIT_WITH_DATA[..], &["@latin1.json"]].concat());
    insta::assert_snapshot!(
        refused_line("non-UTF-8 @file", &result),
        @"error: --data @latin1.json: is not UTF-8 text"
    );
    let result = run(env
        .cmd()
        .args([&EMIT_WITH_DATA[..], &["-"]].concat())
        .write_stdin(b"{\"scan_id\":\"\xff\xfe\"}".to_vec()));
    insta::assert_snapshot!(
        refused_line("non-UTF-8 stdin", &result),
        @"error: --data (standard input): is not UTF-8 text"
    );
    assert_nothing_sent_or_recorded(&server, &env);
}

#[test]
fn a_malformed_set_is_exit_2() {
    let (server, env) = one_signed_hook();
    let result = staxhook(
        &env,
        &["emit", "scan_complete", "--repo", "o/r", "--set", "scan_id"],
    );
    insta::assert_snapshot!(
        refused_line("--set without =", &result),
        @"error: --set `scan_id`: expected PATH=VALUE, e.g. --set package.name=xz"
    );
    let result = staxhook(
        &env,
        &[
            "emit",
            "scan_complete",
            "--repo",
            "o/r",
            "--set",
            "scan_id=x",
            "--set",
            "scan_id.deep=1",
        ],
    );
    insta::assert_snapshot!(
        refused_line("--set through a string", &result),
        @"error: --set `scan_id.deep=1`: `scan_id` is a string, not an object"
    );
    assert_nothing_sent_or_recorded(&server, &env);
}

/// Runs `cmd` (an `emit` that must succeed) and returns the repository of the one request it
/// sent.
fn repository_of_emit(server: &TestServer, cmd: &mut assert_cmd::Command) -> String {
    let before = server.requests().len();
    run(cmd).expect_code(0);
    let requests = server.requests();
    assert_eq!(requests.len(), before + 1);
    requests[before].body_json()["repository"]
        .as_str()
        .expect("repository string")
        .to_string()
}

/// `emit scan_complete` without `--repo`.
const EMIT_WITHOUT_REPOSITORY: [&str; 4] = ["emit", "scan_complete", "--set", "scan_id=s"];

/// A `.git` folder in the temp dir whose `origin` is `gitorg/gitrepo` (and another remote
/// that must not be taken).
fn write_git_origin(env: &TestEnv) {
    let git = env.path().join(".git");
    std::fs::create_dir_all(&git).unwrap();
    std::fs::write(
        git.join("config"),
        "[core]\n\trepositoryformatversion = 0\n\tbare = false\n\
         [remote \"upstream\"]\n\turl = git@github.com:someone/else.git\n\
         [remote \"origin\"]\n\turl = git@github.com:gitorg/gitrepo.git\n\
         \tfetch = +refs/heads/*:refs/remotes/origin/*\n",
    )
    .unwrap();
    std::fs::write(git.join("HEAD"), "ref: refs/heads/main\n").unwrap();
}

#[test]
fn repository_comes_from_the_flag_or_a_ci_variable() {
    let (server, env) = one_signed_hook();
    let args = EMIT_WITHOUT_REPOSITORY;
    assert_eq!(
        repository_of_emit(&server, env.cmd().args(args).args(["--repo", "flag/repo"])),
        "flag/repo"
    );
    assert_eq!(
        repository_of_emit(
            &server,
            env.cmd().args(args).env("GITHUB_REPOSITORY", "gh/repo")
        ),
        "gh/repo"
    );
    assert_eq!(
        repository_of_emit(
            &server,
            env.cmd()
                .args(args)
                .env("CI_PROJECT_PATH", "group/sub/proj")
        ),
        "group/sub/proj"
    );
    assert_eq!(
        repository_of_emit(
            &server,
            env.cmd()
                .args(args)
                .env("BITBUCKET_REPO_FULL_NAME", "bb/repo")
        ),
        "bb/repo"
    );
}

#[test]
fn repository_flag_wins_over_the_environment() {
    let (server, env) = one_signed_hook();
    assert_eq!(
        repository_of_emit(
            &server,
            env.cmd()
                .args(EMIT_WITHOUT_REPOSITORY)
                .args(["--repo", "flag/wins"])
                .env("GITHUB_REPOSITORY", "gh/loses")
        ),
        "flag/wins"
    );
}

#[test]
fn repository_comes_from_the_git_origin_of_the_folder_or_a_parent() {
    // Without flag and variables: git's origin remote of the current folder (and its parents).
    let (server, env) = one_signed_hook();
    write_git_origin(&env);
    assert_eq!(
        repository_of_emit(&server, env.cmd().args(EMIT_WITHOUT_REPOSITORY)),
        "gitorg/gitrepo"
    );
    let nested = env.path().join("src/deep");
    std::fs::create_dir_all(&nested).unwrap();
    assert_eq!(
        repository_of_emit(
            &server,
            env.cmd().args(EMIT_WITHOUT_REPOSITORY).current_dir(&nested)
        ),
        "gitorg/gitrepo"
    );
}

#[test]
fn a_ci_variable_wins_over_the_git_origin() {
    let (server, env) = one_signed_hook();
    write_git_origin(&env);
    assert_eq!(
        repository_of_emit(
            &server,
            env.cmd()
                .args(EMIT_WITHOUT_REPOSITORY)
                .env("GITHUB_REPOSITORY", "gh/beats-git")
        ),
        "gh/beats-git"
    );
}

#[test]
fn no_repository_is_exit_2_saying_how_to_set_it() {
    let (server, env) = one_signed_hook();
    let result = staxhook(&env, &["emit", "scan_complete", "--set", "scan_id=s"]);
    result.expect_code(2);
    insta::assert_snapshot!(
        result.stderr,
        @"error: cannot tell which repository this is: pass --repo OWNER/NAME, or set GITHUB_REPOSITORY (or CI_PROJECT_PATH), or run inside a git checkout with an `origin` remote"
    );
    // A malformed --repo is also a usage error.
    let result = staxhook(
        &env,
        &[
            "emit",
            "scan_complete",
            "--set",
            "scan_id=s",
            "--repo",
            "justone",
        ],
    );
    result.expect_code(2);
    insta::assert_snapshot!(
        result.stderr,
        @"error: --repo `justone`: expected OWNER/NAME, e.g. --repo myorg/backend-api"
    );
    assert_nothing_sent_or_recorded(&server, &env);
}

fn fan_out_config(server: &TestServer) -> String {
    format!(
        "{DEFAULTS}{}{}{}{}{}",
        signed_hook(
            "alpha",
            &server.url("/alpha"),
            "events = [\"critical_vulnerability\", \"kev_found\"]"
        ),
        signed_hook(
            "bravo",
            &server.url("/bravo"),
            "events = [\"critical-vulnerability\"]"
        ),
        // No `events`: every event.
        signed_hook("charlie", &server.url("/charlie"), ""),
        signed_hook(
            "delta",
            &server.url("/delta"),
            "events = [\"scan_complete\"]"
        ),
        signed_hook("echo", &server.url("/echo"), "enabled = false"),
    )
}

fn paths(server: &TestServer) -> Vec<String> {
    let mut paths: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.path_only().to_string())
        .collect();
    paths.sort();
    paths
}

#[test]
fn emit_fans_out_to_enabled_subscribers_only() {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(&env, &fan_out_config(&server));
    let result = staxhook(&env, &critical_args(&["--json"]));
    result.expect_code(0);
    assert_eq!(paths(&server), ["/alpha", "/bravo", "/charlie"]);
    let results = result.json();
    let names: BTreeSet<&str> = results
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["webhook"].as_str().unwrap())
        .collect();
    assert_eq!(names, BTreeSet::from(["alpha", "bravo", "charlie"]));
    // Each target gets its own delivery id.
    let ids: BTreeSet<String> = server
        .requests()
        .iter()
        .map(|r| r.delivery_id().to_string())
        .collect();
    assert_eq!(ids.len(), 3);
}

#[test]
fn emit_webhook_flag_targets_exactly_the_named_ones() {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(&env, &fan_out_config(&server));

    // delta is not subscribed to critical_vulnerability, but named.
    staxhook(&env, &critical_args(&["--webhook", "delta"])).expect_code(0);
    assert_eq!(paths(&server), ["/delta"]);

    // Several, one named twice: each once.
    staxhook(
        &env,
        &critical_args(&[
            "--webhook",
            "alpha",
            "--webhook",
            "delta",
            "--webhook",
            "alpha",
        ]),
    )
    .expect_code(0);
    assert_eq!(paths(&server), ["/alpha", "/delta", "/delta"]);
}

#[test]
fn emit_webhook_flag_refuses_disabled_and_unknown_names() {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(&env, &fan_out_config(&server));

    let result = staxhook(&env, &critical_args(&["--webhook", "echo"]));
    result.expect_code(2);
    insta::assert_snapshot!(
        env.redact_paths(&result.stderr),
        @"error: --webhook `echo`: the webhook is disabled (enable it with `staxhook webhook enable echo`)"
    );

    // A disabled one among valid ones stops everything.
    staxhook(
        &env,
        &critical_args(&["--webhook", "alpha", "--webhook", "echo"]),
    )
    .expect_code(2);

    let result = staxhook(&env, &critical_args(&["--webhook", "alpah"]));
    result.expect_code(2);
    insta::assert_snapshot!(
        env.redact_paths(&result.stderr),
        @"error: --webhook `alpah`: no such webhook in <config>: did you mean `alpha`? (valid: alpha, bravo, charlie, delta, echo)"
    );

    std::thread::sleep(Duration::from_millis(50));
    assert!(server.requests().is_empty(), "{:?}", paths(&server));
    assert!(!env.history_path().exists());
}

/// A config where nothing listens for `policy_violation`: `scans` takes only scan_complete,
/// `off` is disabled.
fn nobody_subscribed_to_policy_violation() -> (TestServer, TestEnv) {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}{}",
            signed_hook(
                "scans",
                &server.url("/scans"),
                "events = [\"scan_complete\"]"
            ),
            signed_hook("off", &server.url("/off"), "enabled = false"),
        ),
    );
    (server, env)
}

/// Nothing was sent and the history has no row.
#[track_caller]
fn assert_nothing_sent_nor_logged(server: &TestServer, env: &TestEnv) {
    std::thread::sleep(Duration::from_millis(50));
    assert!(server.requests().is_empty());
    let log = staxhook(env, &["log", "--json"]);
    log.expect_code(0);
    assert_eq!(log.json(), json!([]));
}

#[test]
fn no_subscribed_webhook_is_exit_0_with_a_note_on_stderr() {
    let (server, env) = nobody_subscribed_to_policy_violation();
    let result = staxhook(
        &env,
        &[
            "emit",
            "policy_violation",
            "--repo",
            "o/r",
            "--set",
            "policy=p",
        ],
    );
    result.expect_code(0);
    insta::assert_snapshot!(
        env.redact_paths(&result.stderr),
        @"No enabled webhook is subscribed to policy_violation; nothing sent. (See `staxhook webhook list`.)"
    );
    assert!(result.stdout.trim().is_empty(), "stdout: {}", result.stdout);
    assert_nothing_sent_nor_logged(&server, &env);
}

#[test]
fn no_subscribed_webhook_with_json_prints_an_empty_array() {
    let (server, env) = nobody_subscribed_to_policy_violation();
    // An empty array, and still nothing else on stdout.
    let result = staxhook(
        &env,
        &[
            "--json",
            "emit",
            "policy_violation",
            "--repo",
            "o/r",
            "--set",
            "policy=p",
        ],
    );
    result.expect_code(0);
    assert_eq!(result.json(), json!([]));
    assert_nothing_sent_nor_logged(&server, &env);
}

#[test]
fn no_config_file_at_all_is_exit_0() {
    let empty = TestEnv::new();
    staxhook(
        &empty,
        &[
            "emit",
            "scan_complete",
            "--repo",
            "o/r",
            "--set",
            "scan_id=s",
        ],
    )
    .expect_code(0);
}

#[test]
fn targets_are_served_concurrently_up_to_eight_at_a_time() {
    // Every webhook's answer waits until 8 requests have arrived, then 300 ms more. With 8 in
    // flight at once, the 8th arrives before any answer; if fewer were served at once, the
    // first answers would come only when the server gives up waiting (30 s), after the 8th
    // request. A 9th can only come once an answer has: served 9 at once, it would arrive
    // during those 300 ms. Proved by the order of arrivals and answers, not by wall time.
    let server = TestServer::start();
    let env = TestEnv::new();
    let mut config = DEFAULTS.replace("timeout = \"500ms\"", "timeout = \"60s\"");
    config = config.replace("max_elapsed = \"5s\"", "max_elapsed = \"120s\"");
    for index in 0..10 {
        let path = format!("/w{index}");
        server.set_default(
            &path,
            Behavior::AwaitArrivals {
                count: 8,
                then: Box::new(Behavior::Delay {
                    millis: 300,
                    then: Box::new(Behavior::Status(200)),
                }),
            },
        );
        config.push_str(&signed_hook(&format!("w{index}"), &server.url(&path), ""));
    }
    write_private_config(&env, &config);

    let result = staxhook(&env, &critical_args(&["--json"]));
    result.expect_code(0);
    let results = result.json();
    assert_eq!(results.as_array().unwrap().len(), 10);
    assert!(results
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == "delivered" && r["attempts"] == 1));

    let mut requests = server.requests();
    assert_eq!(requests.len(), 10);
    requests.sort_by_key(|request| request.received_at);
    let first_answer = requests
        .iter()
        .map(|request| request.answered_at.expect("every request was answered"))
        .min()
        .unwrap();
    let timeline = || {
        requests
            .iter()
            .map(|request| {
                format!(
                    "{} arrived {:?}, answered {:?}",
                    request.path,
                    request.received_at.duration_since(requests[0].received_at),
                    request
                        .answered_at
                        .map(|at| at.duration_since(requests[0].received_at))
                )
            })
            .collect::<Vec<_>>()
    };
    assert!(
        requests[7].received_at < first_answer,
        "the first 8 should be in flight together: {:#?}",
        timeline()
    );
    assert!(
        requests[8].received_at > first_answer,
        "more than 8 in flight at once: {:#?}",
        timeline()
    );
}

/// One signed webhook whose URL carries a token in its query string.
fn hook_with_a_query_token() -> (TestServer, TestEnv) {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}",
            signed_hook("hook", &server.url("/hook?token=s3cr3t"), "")
        ),
    );
    (server, env)
}

#[test]
fn dry_run_prints_the_headers_and_a_body_its_signature_belongs_to() {
    let (server, env) = hook_with_a_query_token();
    let result = staxhook(&env, &critical_args(&["--dry-run"]));
    result.expect_code(0);
    let out = &result.stdout;
    for needle in [
        "Content-Type: application/json",
        &format!("User-Agent: staxhook/{}", env!("CARGO_PKG_VERSION")),
        "X-CodeStax-Event: critical_vulnerability",
        "X-CodeStax-Delivery: ",
        "X-CodeStax-Signature: sha256=",
        "webhook-signature: v1,",
        "\"event\":\"critical_vulnerability\"",
    ] {
        assert!(
            out.contains(needle),
            "dry run should show {needle:?}:\n{out}"
        );
    }
    // The printed signature belongs to the printed body.
    let body_line = out
        .lines()
        .find(|line| line.starts_with('{'))
        .expect("a body line");
    let signature_line = out
        .lines()
        .find(|line| line.starts_with("X-CodeStax-Signature: "))
        .unwrap();
    assert_eq!(
        signature_line.trim_start_matches("X-CodeStax-Signature: "),
        codestax_signature(SECRET, body_line.as_bytes())
    );
    assert!(
        !out.contains("s3cr3t"),
        "the query token must be masked:\n{out}"
    );
    assert!(!out.contains(SECRET));
    assert_nothing_sent_or_recorded(&server, &env);
}

#[test]
fn dry_run_with_json_prints_each_request_as_an_object() {
    let (server, env) = hook_with_a_query_token();
    let result = staxhook(
        &env,
        &["--json"]
            .iter()
            .chain(&critical_args(&["--dry-run"]))
            .copied()
            .collect::<Vec<_>>(),
    );
    result.expect_code(0);
    let shown = result.json();
    let list = shown.as_array().expect("an array");
    assert_eq!(list.len(), 1);
    let entry = list[0].as_object().unwrap();
    let keys: BTreeSet<&str> = entry.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from(["webhook", "channel", "url", "headers", "body"])
    );
    assert_eq!(entry["webhook"], "hook");
    assert_eq!(entry["channel"], "generic");
    assert_eq!(
        entry["url"],
        format!("http://127.0.0.1:{}/hook?…", server.port())
    );
    assert_eq!(entry["body"]["event"], "critical_vulnerability");
    assert_eq!(entry["body"]["repository"], "myorg/backend-api");
    let headers = entry["headers"].as_object().expect("headers object");
    let body_bytes = serde_json::to_vec(&entry["body"]).unwrap();
    assert_eq!(
        headers["X-CodeStax-Signature"],
        codestax_signature(SECRET, &body_bytes)
    );
    assert_uuid_v4(headers["X-CodeStax-Delivery"].as_str().unwrap());
    assert_eq!(headers["Content-Type"], "application/json");
    assert!(headers.contains_key("webhook-timestamp"));
    assert_nothing_sent_or_recorded(&server, &env);
}

/// Two signed webhooks: `good` answers 200, `gone` answers 404.
fn good_and_gone() -> (TestServer, TestEnv) {
    let server = TestServer::start();
    let env = TestEnv::new();
    server.set_default("/gone", Behavior::Status(404));
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}{}",
            signed_hook("good", &server.url("/good"), ""),
            signed_hook("gone", &server.url("/gone"), ""),
        ),
    );
    (server, env)
}

/// `--json emit critical_vulnerability` to `good` and `gone`: exit 1 (one failed), the run.
fn emit_json_to_good_and_gone(env: &TestEnv) -> Run {
    let result = staxhook(
        env,
        &["--json"]
            .iter()
            .chain(&critical_args(&[]))
            .copied()
            .collect::<Vec<_>>(),
    );
    result.expect_code(1);
    result
}

#[test]
fn emit_json_result_has_the_spec_keys_for_each_target() {
    let (_server, env) = good_and_gone();
    let value = emit_json_to_good_and_gone(&env).json();
    let list = value.as_array().expect("one JSON array");
    assert_eq!(list.len(), 2);
    let expected_keys = BTreeSet::from([
        "webhook",
        "channel",
        "event",
        "delivery_id",
        "status",
        "http_status",
        "attempts",
        "duration_ms",
        "error",
        "log_id",
    ]);
    for entry in list {
        let keys: BTreeSet<&str> = entry
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, expected_keys, "{entry}");
        assert_eq!(entry["channel"], "generic");
        assert_eq!(entry["event"], "critical_vulnerability");
        assert_uuid_v4(entry["delivery_id"].as_str().unwrap());
        assert!(entry["duration_ms"].is_u64());
        assert!(entry["log_id"].as_i64().unwrap() > 0);
        assert_eq!(entry["attempts"], 1);
    }
}

#[test]
fn emit_json_result_tells_delivered_from_failed() {
    let (server, env) = good_and_gone();
    let result = emit_json_to_good_and_gone(&env);
    let value = result.json();
    let list = value.as_array().expect("one JSON array");
    let by_name = |name: &str| list.iter().find(|e| e["webhook"] == name).unwrap();
    let good = by_name("good");
    assert_eq!(good["status"], "delivered");
    assert_eq!(good["http_status"], 200);
    assert_eq!(good["error"], Value::Null);
    let gone = by_name("gone");
    assert_eq!(gone["status"], "failed");
    assert_eq!(gone["http_status"], 404);
    assert!(gone["error"].as_str().unwrap().contains("404"), "{gone}");
    assert_ne!(good["log_id"], gone["log_id"]);

    // The delivery ids are the ones the receiver saw.
    for request in server.requests() {
        let entry = by_name(request.path_only().trim_start_matches('/'));
        assert_eq!(entry["delivery_id"], request.delivery_id());
    }
    // stdout is only the JSON; the text summary is not mixed in.
    assert!(!result.stdout.contains('✓') && !result.stdout.contains('✗'));
}

#[test]
fn emit_text_output_reports_each_target() {
    let (_server, env) = good_and_gone();
    let result = staxhook(&env, &critical_args(&[]));
    result.expect_code(1);
    let all = result.all_output();
    assert!(all.contains("good") && all.contains("HTTP 200"), "{all}");
    assert!(all.contains("gone") && all.contains("404"), "{all}");
}

/// `send-test` to a webhook subscribed to nothing that send-test uses (send-test ignores
/// subscriptions): the default event, `kev_found` with `--json`, and a kebab-case event.
fn send_three_tests() -> (TestServer, TestEnv) {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}",
            signed_hook("hook", &server.url("/hook"), "events = [\"sla_breach\"]")
        ),
    );
    staxhook(&env, &["send-test", "hook"]).expect_code(0);
    let result = staxhook(
        &env,
        &["--json", "send-test", "hook", "--event", "kev_found"],
    );
    result.expect_code(0);
    assert_eq!(result.json()[0]["event"], "kev_found");
    staxhook(
        &env,
        &["send-test", "hook", "--event", "critical-vulnerability"],
    )
    .expect_code(0);
    (server, env)
}

#[test]
fn send_test_sends_each_events_sample_marked_as_test() {
    let (server, _env) = send_three_tests();
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let expected = [
        ("scan_complete", Event::ScanComplete),
        ("kev_found", Event::KevFound),
        ("critical_vulnerability", Event::CriticalVulnerability),
    ];
    for (request, (name, event)) in requests.iter().zip(expected) {
        let body = request.body_json();
        let keys: Vec<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            ["event", "timestamp", "repository", "data", "test"],
            "\"test\" comes after data"
        );
        assert_eq!(body["test"], true);
        assert_eq!(body["event"], name);
        assert_eq!(request.expect_header("x-codestax-event"), name);
        assert_eq!(body["data"], Value::Object(event.sample_data()));
        assert_eq!(
            request.expect_header("x-codestax-signature"),
            codestax_signature(SECRET, &request.body)
        );
    }
    assert_eq!(requests[0].body_json()["data"]["scan_id"], "scan-test-0001");
    assert_eq!(requests[1].body_json()["data"]["cve_id"], "CVE-2024-3094");
}

#[test]
fn send_test_deliveries_are_marked_as_tests_in_the_history() {
    let (_server, env) = send_three_tests();
    let log = staxhook(&env, &["log", "--json"]);
    log.expect_code(0);
    assert!(log
        .json()
        .as_array()
        .unwrap()
        .iter()
        .all(|row| row["test"] == true));
}

#[test]
fn send_test_to_an_unknown_webhook_or_event_is_exit_2() {
    let (server, env) = one_signed_hook();
    staxhook(&env, &["send-test", "hoook"]).expect_code(2);
    let result = staxhook(&env, &["send-test", "hook", "--event", "kev-fonud"]);
    result.expect_code(2);
    insta::assert_snapshot!(
        result.stderr,
        @"error: invalid value 'kev-fonud' for '--event <EVENT>': unknown event `kev-fonud`: did you mean `kev_found`? (valid: scan_complete, critical_vulnerability, kev_found, policy_violation, sla_breach)"
    );
    assert!(server.requests().is_empty());
}

#[test]
fn send_test_takes_the_repository_from_the_environment() {
    // docs/reference.md and the README: send-test's repository is detected as for emit (the
    // CI variables, the git origin), else "staxhook/send-test".
    let (server, env) = one_signed_hook();
    run(env
        .cmd()
        .args(["send-test", "hook"])
        .env("GITHUB_REPOSITORY", "gh/from-env"))
    .expect_code(0);
    staxhook(&env, &["send-test", "hook"]).expect_code(0);
    let requests = server.requests();
    assert_eq!(requests[0].body_json()["repository"], "gh/from-env");
    assert_eq!(requests[1].body_json()["repository"], "staxhook/send-test");
}

/// A variable no test environment sets.
const UNSET_VARIABLE: &str = "HOOK_SECRET_FOR_STAXHOOK_TESTS_UNSET";

/// `needsvar` (critical_vulnerability only) takes its secret from [`UNSET_VARIABLE`];
/// `other` is signed with a literal secret and takes every event.
fn secret_from_a_variable() -> (TestServer, TestEnv) {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}{}",
            hook(
                "needsvar",
                &server.url("/needsvar"),
                &format!(
                    "secret = \"${{{UNSET_VARIABLE}}}\"\nevents = [\"critical_vulnerability\"]"
                )
            ),
            signed_hook("other", &server.url("/other"), ""),
        ),
    );
    (server, env)
}

#[test]
fn an_unset_secret_variable_is_exit_2_naming_it_and_the_key() {
    let (_server, env) = secret_from_a_variable();
    let result = run(env
        .cmd()
        .env_remove(UNSET_VARIABLE)
        .args(critical_args(&["--webhook", "needsvar"])));
    result.expect_code(2);
    insta::assert_snapshot!(
        env.redact_paths(&result.stderr),
        @"error: <config>:10:10: webhooks.needsvar.secret uses ${HOOK_SECRET_FOR_STAXHOOK_TESTS_UNSET}, which is not set"
    );
}

#[test]
fn an_unset_secret_variable_stops_the_whole_emit() {
    // Both subscribed: the code resolves every target before sending anything, so the whole
    // emit stops with exit 2 ("nothing was sent").
    let (server, env) = secret_from_a_variable();
    let result = run(env
        .cmd()
        .env_remove(UNSET_VARIABLE)
        .args(critical_args(&[])));
    result.expect_code(2);
    insta::assert_snapshot!(
        env.redact_paths(&result.stderr),
        @"error: <config>:10:10: webhooks.needsvar.secret uses ${HOOK_SECRET_FOR_STAXHOOK_TESTS_UNSET}, which is not set"
    );
    std::thread::sleep(Duration::from_millis(50));
    assert!(server.requests().is_empty(), "{:?}", paths(&server));
}

#[test]
fn an_unset_secret_variable_leaves_the_other_webhooks_working() {
    // Named, or the only subscriber of the event.
    let (server, env) = secret_from_a_variable();
    run(env
        .cmd()
        .env_remove(UNSET_VARIABLE)
        .args(critical_args(&["--webhook", "other"])))
    .expect_code(0);
    run(env.cmd().env_remove(UNSET_VARIABLE).args([
        "emit",
        "scan_complete",
        "--repo",
        "o/r",
        "--set",
        "scan_id=s",
    ]))
    .expect_code(0);
    assert_eq!(paths(&server), ["/other", "/other"]);
}

#[test]
fn a_set_secret_variable_is_the_secret() {
    let (server, env) = secret_from_a_variable();
    run(env
        .cmd()
        .env(UNSET_VARIABLE, "value-from-env")
        .args(critical_args(&["--webhook", "needsvar"])))
    .expect_code(0);
    let request = server
        .requests_for("/needsvar")
        .pop()
        .expect("sent to needsvar");
    assert_eq!(
        request.expect_header("x-codestax-signature"),
        codestax_signature("value-from-env", &request.body)
    );
}

#[test]
fn plain_http_to_a_non_loopback_host_is_refused_at_emit() {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}{}",
            signed_hook("insecure", "http://example.com/hook", ""),
            signed_hook("local", &server.url("/local"), ""),
        ),
    );
    let result = staxhook(&env, &critical_args(&["--webhook", "insecure"]));
    result.expect_code(2);
    insta::assert_snapshot!(
        env.redact_paths(&result.stderr),
        @"error: <config>:9:7: webhooks.insecure.url: plain http:// to example.com is refused; use https, or set allow_insecure = true for this webhook"
    );
    // Subscribed alongside a loopback one: nothing at all is sent.
    staxhook(&env, &critical_args(&[])).expect_code(2);
    assert_nothing_sent_or_recorded(&server, &env);
    // The loopback one alone works.
    staxhook(&env, &critical_args(&["--webhook", "local"])).expect_code(0);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn unknown_event_is_exit_2_with_a_suggestion() {
    let (server, env) = one_signed_hook();
    let result = staxhook(&env, &["emit", "critical-vulnerabilty", "--repo", "o/r"]);
    result.expect_code(2);
    insta::assert_snapshot!(
        result.stderr,
        @"error: invalid value 'critical-vulnerabilty' for '[EVENT]': unknown event `critical-vulnerabilty`: did you mean `critical_vulnerability`? (valid: scan_complete, critical_vulnerability, kev_found, policy_violation, sla_breach)"
    );
    // The kebab spelling is accepted.
    staxhook(
        &env,
        &[
            "emit",
            "critical-vulnerability",
            "--repo",
            "o/r",
            "--set",
            "cve_id=C",
            "--set",
            "package.name=p",
        ],
    )
    .expect_code(0);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].body_json()["event"], "critical_vulnerability");
}

/// README: `send-test` honours `enabled`, so sending to a disabled webhook is an error, as with
/// `emit --webhook`: exit 2, one line saying how to enable it, nothing sent, nothing recorded.
#[test]
fn send_test_to_a_disabled_webhook_is_an_error() {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}",
            signed_hook("off", &server.url("/off"), "enabled = false")
        ),
    );
    for args in [
        &["send-test", "off"][..],
        &["send-test", "off", "--event", "kev_found"],
        &["--json", "send-test", "off"],
    ] {
        let refused = staxhook(&env, args);
        let line = refused.expect_usage_error();
        insta::allow_duplicates! {
            insta::assert_snapshot!(
                line,
                @"error: webhook `off`: the webhook is disabled (enable it with `staxhook webhook enable off`)"
            );
        }
    }
    assert_nothing_sent_or_recorded(&server, &env);
}
