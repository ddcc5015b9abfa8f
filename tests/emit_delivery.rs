//! `staxhook emit` / `send-test` end to end against the loopback test server:
//! the generic envelope, every SPEC §5 header and signature, `--data`/`--set`,
//! repository detection, fan-out, concurrency, `--dry-run`, `--json`, and the
//! config errors that must stop everything before anything is sent.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use base64::Engine as _;
use hmac::Mac as _;
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

#[test]
fn emit_sends_generic_envelope_with_every_header_and_valid_signatures() {
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

    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    let request = &requests[0];
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

    // SPEC §5 headers.
    assert_eq!(request.expect_header("content-type"), "application/json");
    assert_eq!(
        request.expect_header("user-agent"),
        format!("staxhook/{}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(
        request.expect_header("x-codestax-event"),
        "critical_vulnerability"
    );
    let delivery = request.delivery_id();
    assert_uuid_v4(delivery);

    // X-CodeStax-Signature: sha256=<hex HMAC(secret's UTF-8 bytes, raw body)>.
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

    // Standard Webhooks headers.
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

#[test]
fn data_inline_file_and_stdin_merge_with_set() {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}",
            signed_hook("hook", &server.url("/hook"), "")
        ),
    );

    // Inline JSON merged with --set: a JSON value is JSON, anything else a string;
    // dotted paths create objects; unknown fields pass through.
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

    // @file, relative to the current folder, and an absolute path.
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

    // `-` reads standard input.
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

    // --set alone can supply the required field.
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

    let bodies: Vec<Value> = server
        .requests()
        .iter()
        .map(|r| r.body_json()["data"].clone())
        .collect();
    assert_eq!(
        bodies,
        vec![
            json!({"scan_id": "s-1", "extra": {"keep": true}, "a": {"c": "old", "b": 1},
                   "x": "text", "list": [1, "two"], "flag": false}),
            json!({"scan_id": "from-file", "summary": {"critical": 1, "high": 2}}),
            json!({"scan_id": "from-file", "summary": {"critical": 1}}),
            json!({"scan_id": "from-stdin", "branch": "main"}),
            json!({"scan_id": "only-set"}),
        ]
    );
}

#[test]
fn missing_required_field_is_exit_2_and_nothing_is_sent_or_recorded() {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}",
            signed_hook("hook", &server.url("/hook"), "")
        ),
    );
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
    assert!(
        result.stderr.contains("package.name"),
        "error should name the missing field: {}",
        result.stderr
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
    assert!(result.stderr.contains("due_at"), "{}", result.stderr);
    // An empty string counts as missing.
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

    std::thread::sleep(Duration::from_millis(50));
    assert!(server.requests().is_empty(), "{:#?}", server.requests());
    assert!(
        !env.history_path().exists(),
        "a refused emit created the history file"
    );
}

#[test]
fn bad_data_is_exit_2_and_nothing_is_sent() {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}",
            signed_hook("hook", &server.url("/hook"), "")
        ),
    );
    std::fs::write(env.path().join("latin1.json"), b"{\"scan_id\":\"caf\xe9\"}").unwrap();
    let base = ["emit", "scan_complete", "--repo", "o/r", "--data"];

    let cases: Vec<(&str, Run, &str)> = vec![
        (
            "invalid JSON",
            staxhook(&env, &[&base[..], &["{\"scan_id\":"]].concat()),
            "invalid JSON",
        ),
        (
            "an array",
            staxhook(&env, &[&base[..], &["[1,2]"]].concat()),
            "object",
        ),
        (
            "a string",
            staxhook(&env, &[&base[..], &["\"s\""]].concat()),
            "object",
        ),
        (
            "missing @file",
            staxhook(&env, &[&base[..], &["@does-not-exist.json"]].concat()),
            "does-not-exist.json",
        ),
        (
            "non-UTF-8 @file",
            staxhook(&env, &[&base[..], &["@latin1.json"]].concat()),
            "UTF-8",
        ),
        (
            "non-UTF-8 stdin",
            run(env
                .cmd()
                .args([&base[..], &["-"]].concat())
                .write_stdin(b"{\"scan_id\":\"\xff\xfe\"}".to_vec())),
            "UTF-8",
        ),
        (
            "invalid JSON on stdin",
            run(env
                .cmd()
                .args([&base[..], &["-"]].concat())
                .write_stdin("not json")),
            "invalid JSON",
        ),
        (
            "--set without =",
            staxhook(
                &env,
                &["emit", "scan_complete", "--repo", "o/r", "--set", "scan_id"],
            ),
            "--set",
        ),
        (
            "--set through a string",
            staxhook(
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
            ),
            "--set",
        ),
    ];
    for (what, result, needle) in &cases {
        assert_eq!(
            result.code, 2,
            "{what}: exit code; stdout {:?} stderr {:?}",
            result.stdout, result.stderr
        );
        assert!(
            result.stderr.contains(needle),
            "{what}: stderr should mention {needle:?}: {}",
            result.stderr
        );
        assert_eq!(
            result.stderr.trim().lines().count(),
            1,
            "{what}: one-line error expected: {}",
            result.stderr
        );
    }
    std::thread::sleep(Duration::from_millis(50));
    assert!(server.requests().is_empty());
    assert!(!env.history_path().exists());
}

fn repository_of_emit(env: &TestEnv, server: &TestServer, cmd: &mut assert_cmd::Command) -> String {
    let before = server.requests().len();
    run(cmd).expect_code(0);
    let _ = env;
    let requests = server.requests();
    assert_eq!(requests.len(), before + 1);
    requests[before].body_json()["repository"]
        .as_str()
        .expect("repository string")
        .to_string()
}

#[test]
fn repository_from_flag_ci_variables_and_git_origin() {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}",
            signed_hook("hook", &server.url("/hook"), "")
        ),
    );
    let args = ["emit", "scan_complete", "--set", "scan_id=s"];

    assert_eq!(
        repository_of_emit(
            &env,
            &server,
            env.cmd().args(args).args(["--repo", "flag/repo"])
        ),
        "flag/repo"
    );
    assert_eq!(
        repository_of_emit(
            &env,
            &server,
            env.cmd().args(args).env("GITHUB_REPOSITORY", "gh/repo")
        ),
        "gh/repo"
    );
    assert_eq!(
        repository_of_emit(
            &env,
            &server,
            env.cmd()
                .args(args)
                .env("CI_PROJECT_PATH", "group/sub/proj")
        ),
        "group/sub/proj"
    );
    assert_eq!(
        repository_of_emit(
            &env,
            &server,
            env.cmd()
                .args(args)
                .env("BITBUCKET_REPO_FULL_NAME", "bb/repo")
        ),
        "bb/repo"
    );
    // --repo wins over the environment.
    assert_eq!(
        repository_of_emit(
            &env,
            &server,
            env.cmd()
                .args(args)
                .args(["--repo", "flag/wins"])
                .env("GITHUB_REPOSITORY", "gh/loses")
        ),
        "flag/wins"
    );

    // Without flag and variables: git's origin remote of the current folder (and its parents).
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
    assert_eq!(
        repository_of_emit(&env, &server, env.cmd().args(args)),
        "gitorg/gitrepo"
    );
    let nested = env.path().join("src/deep");
    std::fs::create_dir_all(&nested).unwrap();
    assert_eq!(
        repository_of_emit(&env, &server, env.cmd().args(args).current_dir(&nested)),
        "gitorg/gitrepo"
    );
    // The CI variable beats git.
    assert_eq!(
        repository_of_emit(
            &env,
            &server,
            env.cmd()
                .args(args)
                .env("GITHUB_REPOSITORY", "gh/beats-git")
        ),
        "gh/beats-git"
    );
}

#[test]
fn no_repository_is_exit_2_saying_how_to_set_it() {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}",
            signed_hook("hook", &server.url("/hook"), "")
        ),
    );
    let result = staxhook(&env, &["emit", "scan_complete", "--set", "scan_id=s"]);
    result.expect_code(2);
    assert!(
        result.stderr.contains("--repo") && result.stderr.contains("GITHUB_REPOSITORY"),
        "the message should say how to set the repository: {}",
        result.stderr
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
    assert!(result.stderr.contains("OWNER/NAME"), "{}", result.stderr);
    std::thread::sleep(Duration::from_millis(50));
    assert!(server.requests().is_empty());
    assert!(!env.history_path().exists());
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
    assert!(result.stderr.contains("disabled"), "{}", result.stderr);

    // A disabled one among valid ones stops everything.
    staxhook(
        &env,
        &critical_args(&["--webhook", "alpha", "--webhook", "echo"]),
    )
    .expect_code(2);

    let result = staxhook(&env, &critical_args(&["--webhook", "alpah"]));
    result.expect_code(2);
    assert!(
        result.stderr.contains("did you mean `alpha`"),
        "unknown webhook should suggest the closest: {}",
        result.stderr
    );
    assert!(
        result.stderr.contains("bravo") && result.stderr.contains("delta"),
        "unknown webhook should list the valid ones: {}",
        result.stderr
    );

    std::thread::sleep(Duration::from_millis(50));
    assert!(server.requests().is_empty(), "{:?}", paths(&server));
    assert!(!env.history_path().exists());
}

#[test]
fn no_subscribed_webhook_is_exit_0_with_a_note_and_nothing_sent() {
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
    assert!(
        result.stderr.contains("policy_violation") && result.stderr.contains("nothing sent"),
        "a note on stderr expected: {}",
        result.stderr
    );
    assert!(result.stdout.trim().is_empty(), "stdout: {}", result.stdout);

    // --json: an empty array, and still nothing else on stdout.
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

    // No config file at all: the same.
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

    std::thread::sleep(Duration::from_millis(50));
    assert!(server.requests().is_empty());
    let log = staxhook(&env, &["log", "--json"]);
    log.expect_code(0);
    assert_eq!(log.json(), json!([]));
}

#[test]
fn targets_are_served_concurrently_up_to_eight_at_a_time() {
    let server = TestServer::start();
    let env = TestEnv::new();
    let mut config = DEFAULTS.replace("timeout = \"500ms\"", "timeout = \"3s\"");
    for index in 0..10 {
        let path = format!("/w{index}");
        server.set_default(
            &path,
            Behavior::Delay {
                millis: 300,
                then: Box::new(Behavior::Status(200)),
            },
        );
        config.push_str(&signed_hook(&format!("w{index}"), &server.url(&path), ""));
    }
    write_private_config(&env, &config);

    let result = staxhook(&env, &critical_args(&["--json"]));
    result.expect_code(0);
    assert_eq!(server.requests().len(), 10);
    assert!(
        result.elapsed < Duration::from_millis(2000),
        "10 webhooks answering after 300 ms took {:?} (sequential would be 3 s)",
        result.elapsed
    );
    let results = result.json();
    assert_eq!(results.as_array().unwrap().len(), 10);
    assert!(results
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == "delivered"));

    // Up to 8 at a time: the first 8 arrive together, the last 2 only once one has finished.
    let mut arrivals: Vec<Instant> = server.requests().iter().map(|r| r.received_at).collect();
    arrivals.sort();
    let first = arrivals[0];
    assert!(
        arrivals[7] - first < Duration::from_millis(290),
        "the first 8 should be in flight together: {:?}",
        arrivals.iter().map(|a| *a - first).collect::<Vec<_>>()
    );
    assert!(
        arrivals[8] - first >= Duration::from_millis(250),
        "more than 8 in flight at once: {:?}",
        arrivals.iter().map(|a| *a - first).collect::<Vec<_>>()
    );
}

#[test]
fn dry_run_prints_signed_requests_and_sends_nothing() {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}",
            signed_hook("hook", &server.url("/hook?token=s3cr3t"), "")
        ),
    );
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

    // --json --dry-run.
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

    std::thread::sleep(Duration::from_millis(50));
    assert!(server.requests().is_empty(), "dry run sent something");
    assert!(!env.history_path().exists(), "dry run created the history");
}

#[test]
fn emit_json_result_has_the_spec_shape() {
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
    let result = staxhook(
        &env,
        &["--json"]
            .iter()
            .chain(&critical_args(&[]))
            .copied()
            .collect::<Vec<_>>(),
    );
    result.expect_code(1);
    let value = result.json();
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
    let result = staxhook(&env, &critical_args(&[]));
    result.expect_code(1);
    let all = format!("{}{}", result.stdout, result.stderr);
    assert!(all.contains("good") && all.contains("HTTP 200"), "{all}");
    assert!(all.contains("gone") && all.contains("404"), "{all}");
}

#[test]
fn send_test_sends_the_sample_marked_as_test() {
    let server = TestServer::start();
    let env = TestEnv::new();
    // Subscribed to nothing that send-test uses: send-test ignores subscriptions.
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

    // The history marks them as tests.
    let log = staxhook(&env, &["log", "--json"]);
    log.expect_code(0);
    assert!(log
        .json()
        .as_array()
        .unwrap()
        .iter()
        .all(|row| row["test"] == true));

    // Unknown webhook / event are usage errors.
    staxhook(&env, &["send-test", "hoook"]).expect_code(2);
    let result = staxhook(&env, &["send-test", "hook", "--event", "kev-fonud"]);
    result.expect_code(2);
    assert!(
        result.stderr.contains("did you mean `kev_found`"),
        "{}",
        result.stderr
    );
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn send_test_takes_the_repository_from_the_environment() {
    // SPEC is silent on send-test's repository; the code uses the CI variables/git origin and
    // falls back to "staxhook/send-test".
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}",
            signed_hook("hook", &server.url("/hook"), "")
        ),
    );
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

#[test]
fn unset_secret_variable_is_exit_2_only_for_the_webhook_that_uses_it() {
    const VARIABLE: &str = "HOOK_SECRET_FOR_STAXHOOK_TESTS_UNSET";
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}{}",
            hook(
                "needsvar",
                &server.url("/needsvar"),
                &format!("secret = \"${{{VARIABLE}}}\"\nevents = [\"critical_vulnerability\"]")
            ),
            signed_hook("other", &server.url("/other"), ""),
        ),
    );
    let result = run(env
        .cmd()
        .env_remove(VARIABLE)
        .args(critical_args(&["--webhook", "needsvar"])));
    result.expect_code(2);
    assert!(
        result.stderr.contains(VARIABLE) && result.stderr.contains("webhooks.needsvar.secret"),
        "the error should name the variable and the key: {}",
        result.stderr
    );

    // Both subscribed: the code resolves every target before sending anything, so the whole
    // emit stops with exit 2 ("nothing was sent").
    let result = run(env.cmd().env_remove(VARIABLE).args(critical_args(&[])));
    result.expect_code(2);
    assert!(result.stderr.contains(VARIABLE), "{}", result.stderr);
    std::thread::sleep(Duration::from_millis(50));
    assert!(server.requests().is_empty(), "{:?}", paths(&server));

    // The other webhook is unaffected: named, or the only subscriber of the event.
    run(env
        .cmd()
        .env_remove(VARIABLE)
        .args(critical_args(&["--webhook", "other"])))
    .expect_code(0);
    run(env.cmd().env_remove(VARIABLE).args([
        "emit",
        "scan_complete",
        "--repo",
        "o/r",
        "--set",
        "scan_id=s",
    ]))
    .expect_code(0);
    assert_eq!(paths(&server), ["/other", "/other"]);

    // With the variable set, its value is the secret.
    run(env
        .cmd()
        .env(VARIABLE, "value-from-env")
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
    assert!(
        result.stderr.contains("http://") && result.stderr.contains("allow_insecure"),
        "{}",
        result.stderr
    );
    assert!(
        result.stderr.contains("webhooks.insecure.url"),
        "{}",
        result.stderr
    );
    // Subscribed alongside a loopback one: nothing at all is sent.
    staxhook(&env, &critical_args(&[])).expect_code(2);
    std::thread::sleep(Duration::from_millis(50));
    assert!(server.requests().is_empty());
    assert!(!env.history_path().exists());
    // The loopback one alone works.
    staxhook(&env, &critical_args(&["--webhook", "local"])).expect_code(0);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn unknown_event_is_exit_2_with_a_suggestion() {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{DEFAULTS}{}",
            signed_hook("hook", &server.url("/hook"), "")
        ),
    );
    let result = staxhook(&env, &["emit", "critical-vulnerabilty", "--repo", "o/r"]);
    result.expect_code(2);
    assert!(
        result
            .stderr
            .contains("did you mean `critical_vulnerability`"),
        "{}",
        result.stderr
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
