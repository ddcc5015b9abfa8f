//! `staxhook listen` end to end (docs/reference.md §1 `listen`, §6 its JSON shape): the real binary runs
//! as a long-lived child; `emit` / `send-test` (and raw TCP clients) talk to it; its stdout
//! lines, its first stderr line, its answers and its exit are checked.

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::prelude::*;

const OTHER_SECRET: &str = "whsec_C2FzZWNyZXRhbm90aGVyb25lMTIzNDU2Nzg=";
/// How long to wait for a line the child should print.
const LINE_WAIT: Duration = Duration::from_secs(10);
/// How long a `listen` that must refuse to start may run: one that starts instead would run
/// until killed, and the test need not wait the default minute to see that.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(5);

/// The docs/reference.md §6 keys of one `listen --json` line (`reason` may come on top for `invalid`).
const LISTEN_KEYS: [&str; 8] = [
    "received_at",
    "method",
    "path",
    "headers",
    "body",
    "event",
    "delivery_id",
    "signature",
];

/// A running `staxhook listen`, killed on drop.
struct Listener {
    child: Child,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
    /// Its first stderr line, verbatim.
    first_line: String,
    port: u16,
}

impl Listener {
    /// Starts `staxhook listen ARGS` (add `--port 0` yourself) and reads its first stderr line.
    fn start(env: &TestEnv, args: &[&str]) -> Listener {
        Listener::start_with_env(env, args, &[])
    }

    /// Like `start`, with extra environment variables.
    fn start_with_env(env: &TestEnv, args: &[&str], vars: &[(&str, &str)]) -> Listener {
        let mut command = env.std_command(STAXHOOK_BINARY);
        for (name, value) in vars {
            command.env(name, value);
        }
        let mut child = command
            .arg("listen")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn staxhook listen");
        let stdout = lines(child.stdout.take().expect("piped stdout"));
        let stderr = lines(child.stderr.take().expect("piped stderr"));
        let first_line = match stderr.recv_timeout(LINE_WAIT) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                let status = child.wait().ok();
                panic!("listen {args:?} printed no stderr line within {LINE_WAIT:?} (exit: {status:?})");
            }
        };
        let port = first_line
            .strip_prefix("listening on http://127.0.0.1:")
            .and_then(|port| port.parse::<u16>().ok())
            .unwrap_or_else(|| {
                panic!("first stderr line must be `listening on http://127.0.0.1:PORT`, got {first_line:?}")
            });
        Listener {
            child,
            stdout,
            stderr,
            first_line,
            port,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The next stdout line; panics after `LINE_WAIT`.
    fn next_line(&self) -> String {
        self.stdout
            .recv_timeout(LINE_WAIT)
            .unwrap_or_else(|_| panic!("listen printed no stdout line within {LINE_WAIT:?}"))
    }

    fn next_lines(&self, count: usize) -> Vec<String> {
        (0..count).map(|_| self.next_line()).collect()
    }

    /// The next `count` stdout lines, each parsed as one JSON object.
    fn next_json(&self, count: usize) -> Vec<Value> {
        self.next_lines(count)
            .into_iter()
            .map(|line| {
                let value: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("listen --json line is not JSON ({e}): {line:?}"));
                assert!(value.is_object(), "one JSON object per line, got {line:?}");
                value
            })
            .collect()
    }

    /// Asserts that nothing more arrives on stdout for `quiet`.
    fn assert_no_more_lines(&self, quiet: Duration) {
        if let Ok(line) = self.stdout.recv_timeout(quiet) {
            panic!("listen printed an unexpected extra line: {line:?}");
        }
    }

    /// Stderr lines (after the first one) up to and including the first that `wanted` accepts;
    /// all that arrived if none did within `LINE_WAIT`.
    fn stderr_until(&self, wanted: impl Fn(&str) -> bool) -> Vec<String> {
        let deadline = Instant::now() + LINE_WAIT;
        let mut found = Vec::new();
        while let Ok(line) = self
            .stderr
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            let done = wanted(&line);
            found.push(line);
            if done {
                break;
            }
        }
        found
    }

    /// Stderr lines that arrived so far (after the first one).
    fn stderr_so_far(&self, wait: Duration) -> Vec<String> {
        let deadline = Instant::now() + wait;
        let mut found = Vec::new();
        while let Ok(line) = self
            .stderr
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            found.push(line);
        }
        found
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads `stream` line by line on a thread.
fn lines(stream: impl Read + Send + 'static) -> Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// `webhook -> delivery_id` from an `emit`/`send-test` `--json` result.
fn delivery_ids(result: &Value) -> HashMap<String, String> {
    result
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|row| {
            (
                row["webhook"].as_str().expect("webhook").to_string(),
                row["delivery_id"]
                    .as_str()
                    .expect("delivery_id")
                    .to_string(),
            )
        })
        .collect()
}

/// One human `listen` line split into its parts:
/// `HH:MM:SSZ  METHOD PATH  EVENT  DELIVERY  signature VERDICT[ (reason)]` (or `unsigned`).
struct HumanLine {
    time: String,
    method: String,
    path: String,
    event: String,
    delivery: String,
    verdict: String,
}

fn parse_human(line: &str) -> HumanLine {
    let parts: Vec<&str> = line.split("  ").collect();
    assert!(
        parts.len() >= 5,
        "human line should be `TIME  METHOD PATH  EVENT  DELIVERY  signature VERDICT`, got {line:?}"
    );
    let (method, path) = parts[1]
        .split_once(' ')
        .unwrap_or_else(|| panic!("no `METHOD PATH` in {line:?}"));
    let verdict = parts[4..].join("  ");
    // `unsigned` stands alone; the other verdicts read `signature valid|invalid`.
    let verdict = match verdict.strip_prefix("signature ") {
        Some(rest) => rest.to_string(),
        None if verdict == "unsigned" => verdict,
        None => panic!("no `signature VERDICT` or `unsigned` in {line:?}"),
    };
    let time = parts[0]
        .strip_suffix('Z')
        .unwrap_or_else(|| panic!("the time should be marked UTC with Z: {line:?}"));
    HumanLine {
        time: time.to_string(),
        method: method.to_string(),
        path: path.to_string(),
        event: parts[2].to_string(),
        delivery: parts[3].to_string(),
        verdict,
    }
}

fn is_clock_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 8
        && bytes.iter().enumerate().all(|(i, b)| {
            if i == 2 || i == 5 {
                *b == b':'
            } else {
                b.is_ascii_digit()
            }
        })
}

/// A config with `good` (same secret as listen), `bad` (another secret) and `none`
/// (unsigned), all pointing at `listener`.
fn three_hooks(listener: &Listener, extra_defaults: &str) -> String {
    format!(
        "[defaults]\n{extra_defaults}{}{}{}",
        signed_hook("good", &listener.url("/good"), ""),
        hook_signed_with("bad", &listener.url("/bad"), OTHER_SECRET, ""),
        hook("none", &listener.url("/none"), ""),
    )
}

/// Sends raw bytes and returns everything the server answered before closing.
fn raw_exchange(port: u16, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to listen");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set read timeout");
    stream.write_all(request).expect("write request");
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn first_stderr_line_names_the_real_port_and_it_answers() {
    let env = TestEnv::new();
    let listener = Listener::start(&env, &["--port", "0", "--secret", SECRET]);
    assert_ne!(listener.port, 0, "{:?}", listener.first_line);
    assert_eq!(
        listener.first_line,
        format!("listening on http://127.0.0.1:{}", listener.port)
    );
    let answer = raw_exchange(
        listener.port,
        b"GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "listen answers 200 by default, got {answer:?}"
    );
    let line = parse_human(&listener.next_line());
    assert_eq!((line.method.as_str(), line.path.as_str()), ("GET", "/ping"));
    assert_eq!(line.verdict, "unsigned");
}

#[test]
fn human_lines_show_time_request_event_delivery_and_verdict() {
    let env = TestEnv::new();
    let listener = Listener::start(&env, &["--port", "0", "--secret", SECRET]);
    write_private_config(&env, &three_hooks(&listener, ""));

    let result = staxhook_json(
        &env,
        0,
        &[
            "emit",
            "scan_complete",
            "--repo",
            "acme/api",
            "--set",
            "scan_id=s-1",
        ],
    );
    let ids = delivery_ids(&result);
    assert_eq!(ids.len(), 3, "{result:#}");

    // The three webhooks are served concurrently: the lines come in any order.
    let mut by_path: HashMap<String, HumanLine> = HashMap::new();
    for text in listener.next_lines(3) {
        let line = parse_human(&text);
        assert!(is_clock_time(&line.time), "time `HH:MM:SS` first: {text:?}");
        assert_eq!(line.method, "POST", "{text:?}");
        assert_eq!(line.event, "scan_complete", "{text:?}");
        by_path.insert(line.path.clone(), line);
    }
    let good = &by_path["/good"];
    assert_eq!(good.delivery, ids["good"]);
    assert_eq!(good.verdict, "valid");
    let bad = &by_path["/bad"];
    assert_eq!(bad.delivery, ids["bad"]);
    assert!(
        bad.verdict.starts_with("invalid"),
        "another secret's signature is invalid: {:?}",
        bad.verdict
    );
    let none = &by_path["/none"];
    assert_eq!(none.delivery, ids["none"]);
    assert_eq!(none.verdict, "unsigned");

    // send-test to each, one after the other: one line each, in order.
    for (name, verdict) in [("good", "valid"), ("bad", "invalid"), ("none", "unsigned")] {
        let result = staxhook_json(&env, 0, &["send-test", name, "--event", "kev_found"]);
        let line = parse_human(&listener.next_line());
        assert_eq!(line.path, format!("/{name}"));
        assert_eq!(line.event, "kev_found");
        assert_eq!(line.delivery, delivery_ids(&result)[name]);
        assert!(
            line.verdict.starts_with(verdict),
            "send-test {name}: expected {verdict}, got {:?}",
            line.verdict
        );
    }
    listener.assert_no_more_lines(Duration::from_millis(200));
}

/// A `listen --json` (with [`SECRET`]) that received one `critical_vulnerability` emit on
/// each of [`three_hooks`]: its lines by path, and the delivery id of each webhook.
struct ThreeJsonLines {
    env: TestEnv,
    listener: Listener,
    by_path: HashMap<String, Value>,
    ids: HashMap<String, String>,
}

fn emit_to_a_json_listener() -> ThreeJsonLines {
    let env = TestEnv::new();
    let listener = Listener::start(&env, &["--json", "--port", "0", "--secret", SECRET]);
    assert!(listener
        .first_line
        .starts_with("listening on http://127.0.0.1:"));
    write_private_config(&env, &three_hooks(&listener, ""));
    let result = staxhook_json(
        &env,
        0,
        &[
            "emit",
            "critical_vulnerability",
            "--repo",
            "acme/api",
            "--set",
            "cve_id=CVE-2024-3094",
            "--set",
            "package.name=xz",
            "--set",
            "cvss_score=10.0",
        ],
    );
    let ids = delivery_ids(&result);
    // The three webhooks are served concurrently: the lines come in any order.
    let by_path = listener
        .next_json(3)
        .into_iter()
        .map(|line| (line["path"].as_str().unwrap().to_string(), line))
        .collect();
    ThreeJsonLines {
        env,
        listener,
        by_path,
        ids,
    }
}

#[test]
fn json_lines_have_exactly_the_spec_keys() {
    let ThreeJsonLines { by_path, .. } = emit_to_a_json_listener();
    for line in by_path.values() {
        let object = line.as_object().unwrap();
        let keys: BTreeSet<&str> = object.keys().map(String::as_str).collect();
        let spec: BTreeSet<&str> = LISTEN_KEYS.into_iter().collect();
        let extra: Vec<&&str> = keys.difference(&spec).collect();
        let missing: Vec<&&str> = spec.difference(&keys).collect();
        assert!(missing.is_empty(), "missing keys {missing:?} in {line}");
        if line["signature"] == "invalid" {
            assert!(
                extra.is_empty() || extra == [&"reason"],
                "only `reason` may come on top of the documented keys: {extra:?} in {line}"
            );
        } else {
            assert!(
                extra.is_empty(),
                "keys beyond docs/reference.md §6: {extra:?} in {line}"
            );
        }
        let received = line["received_at"].as_str().expect("received_at string");
        assert!(
            received.len() >= 20 && received.ends_with('Z') && received.as_bytes()[10] == b'T',
            "received_at is RFC 3339 UTC: {received:?}"
        );
        assert_eq!(line["method"], "POST");
        assert!(line["headers"].is_object(), "{line}");
        assert_eq!(line["event"], "critical_vulnerability");
    }
}

#[test]
fn json_lines_carry_the_parsed_body_and_the_headers_as_received() {
    let ThreeJsonLines { by_path, .. } = emit_to_a_json_listener();
    for line in by_path.values() {
        // The body is the parsed envelope, not a string.
        let body = &line["body"];
        assert_eq!(body["event"], "critical_vulnerability", "{line}");
        assert_eq!(body["repository"], "acme/api", "{line}");
        assert_eq!(body["data"]["cve_id"], "CVE-2024-3094", "{line}");
        assert_eq!(body["data"]["package"]["name"], "xz", "{line}");
        assert_eq!(body["data"]["cvss_score"], 10.0, "{line}");
        // Header names as received, lower-cased; the delivery header matches delivery_id.
        assert_eq!(
            line["headers"]["x-codestax-delivery"], line["delivery_id"],
            "{line}"
        );
        assert_eq!(line["headers"]["content-type"], "application/json");
    }
}

#[test]
fn json_lines_give_each_requests_signature_verdict() {
    let ThreeJsonLines { by_path, ids, .. } = emit_to_a_json_listener();
    let good = &by_path["/good"];
    assert_eq!(good["delivery_id"], ids["good"].as_str());
    assert_eq!(good["signature"], "valid");
    assert!(good.get("reason").is_none(), "{good}");
    let bad = &by_path["/bad"];
    assert_eq!(bad["delivery_id"], ids["bad"].as_str());
    assert_eq!(bad["signature"], "invalid");
    // What the code does: a `reason` string explains an invalid signature.
    assert!(bad["reason"].is_string(), "{bad}");
    let none = &by_path["/none"];
    assert_eq!(none["delivery_id"], ids["none"].as_str());
    assert_eq!(none["signature"], "unsigned");
    assert!(none.get("reason").is_none(), "{none}");
    assert!(
        none["headers"].get("x-codestax-signature").is_none(),
        "{none}"
    );
}

#[test]
fn json_line_of_a_send_test_is_marked_test_and_printed_at_once() {
    // "test": true in the body, and one line per request, flushed at once.
    let ThreeJsonLines { env, listener, .. } = emit_to_a_json_listener();
    let result = staxhook_json(&env, 0, &["send-test", "good"]);
    let line = &listener.next_json(1)[0];
    assert_eq!(line["delivery_id"], delivery_ids(&result)["good"].as_str());
    assert_eq!(line["body"]["test"], true, "{line}");
    assert_eq!(line["event"], "scan_complete");
    assert_eq!(line["signature"], "valid");
    listener.assert_no_more_lines(Duration::from_millis(200));
}

#[test]
fn webhook_flag_checks_with_that_webhooks_secret() {
    let env = TestEnv::new();
    // The URLs are only needed by the senders; listen reads the secret.
    write_private_config(
        &env,
        &format!(
            "{}{}",
            signed_hook("ci-hook", "http://127.0.0.1:9/unused", ""),
            hook("plain", "http://127.0.0.1:9/unused", "")
        ),
    );
    let listener = Listener::start(&env, &["--json", "--port", "0", "--webhook", "ci-hook"]);

    let senders = TestEnv::new();
    write_private_config(
        &senders,
        &format!(
            "{}{}",
            signed_hook("same", &listener.url("/same"), ""),
            hook_signed_with("other", &listener.url("/other"), OTHER_SECRET, "")
        ),
    );
    for (name, verdict) in [("same", "valid"), ("other", "invalid")] {
        staxhook_json(&senders, 0, &["send-test", name]);
        let line = &listener.next_json(1)[0];
        assert_eq!(line["path"], format!("/{name}"));
        assert_eq!(line["signature"], verdict, "{line}");
    }

    // A webhook without a secret cannot check anything: a usage error, exit 2.
    let output = run_with_timeout(
        env.cmd()
            .args(["listen", "--port", "0", "--webhook", "plain"]),
        REFUSAL_TIMEOUT,
    );
    output.expect_code(2);
    // An unknown name is exit 2 with a suggestion.
    let output = run_with_timeout(
        env.cmd()
            .args(["listen", "--port", "0", "--webhook", "ci-hok"]),
        REFUSAL_TIMEOUT,
    );
    output.expect_code(2);
    insta::assert_snapshot!(
        env.redact_paths(&output.stderr),
        @"error: --webhook: unknown webhook `ci-hok` in <config>: did you mean `ci-hook`? (valid: ci-hook, plain)"
    );
}

#[test]
fn secret_env_flag_reads_the_secret_from_the_environment() {
    let env = TestEnv::new();
    let listener = Listener::start_with_env(
        &env,
        &[
            "--json",
            "--port",
            "0",
            "--secret-env",
            "LISTEN_TEST_SECRET",
        ],
        &[("LISTEN_TEST_SECRET", SECRET)],
    );
    write_private_config(
        &env,
        &format!(
            "{}{}",
            signed_hook("same", &listener.url("/same"), ""),
            hook_signed_with("other", &listener.url("/other"), OTHER_SECRET, "")
        ),
    );
    for (name, verdict) in [("same", "valid"), ("other", "invalid")] {
        staxhook_json(&env, 0, &["send-test", name]);
        let line = &listener.next_json(1)[0];
        assert_eq!(line["path"], format!("/{name}"));
        assert_eq!(line["signature"], verdict, "{line}");
    }
    // No secret value appears in what listen prints.
    let stderr = listener.stderr_so_far(Duration::from_millis(100));
    assert!(
        !stderr.iter().any(|line| line.contains(SECRET)),
        "{stderr:?}"
    );
}

#[test]
fn webhook_flag_during_a_rotation_grace_accepts_both_secrets() {
    let env = TestEnv::new();
    write_private_config(&env, &signed_hook("rot", "http://127.0.0.1:9/rot", ""));
    let rotated = staxhook_json(
        &env,
        0,
        &["webhook", "rotate-secret", "rot", "--grace", "1h"],
    );
    let new_secret = rotated["secret"]
        .as_str()
        .expect("the new secret")
        .to_string();
    assert_ne!(new_secret, SECRET);

    let listener = Listener::start(&env, &["--json", "--port", "0", "--webhook", "rot"]);

    // The senders: the rotated webhook itself (both signatures), one signing with only the
    // old secret, one with only the new one, and one with an unrelated secret.
    let senders = TestEnv::new();
    let rotated_config = env
        .read_config()
        .replace("http://127.0.0.1:9/rot", &listener.url("/rot"));
    write_private_config(
        &senders,
        &format!(
            "{rotated_config}{}{}{}",
            signed_hook("old", &listener.url("/old"), ""),
            hook_signed_with("new", &listener.url("/new"), &new_secret, ""),
            hook_signed_with("wrong", &listener.url("/wrong"), OTHER_SECRET, ""),
        ),
    );
    let mut verdicts = HashMap::new();
    for name in ["rot", "old", "new", "wrong"] {
        staxhook_json(&senders, 0, &["send-test", name]);
        let line = &listener.next_json(1)[0];
        assert_eq!(line["path"], format!("/{name}"));
        if name == "rot" {
            let header = line["headers"]["x-codestax-signature"].as_str().unwrap();
            assert_eq!(
                header.split(' ').count(),
                2,
                "both signatures during the grace: {header:?}"
            );
        }
        verdicts.insert(name, line["signature"].as_str().unwrap().to_string());
    }
    assert_eq!(verdicts["rot"], "valid", "{verdicts:?}");
    assert_eq!(
        verdicts["old"], "valid",
        "old secret in grace: {verdicts:?}"
    );
    assert_eq!(verdicts["new"], "valid", "new secret: {verdicts:?}");
    assert_eq!(verdicts["wrong"], "invalid", "{verdicts:?}");
}

#[test]
fn status_503_makes_send_test_retry_and_fail() {
    let env = TestEnv::new();
    let listener = Listener::start(
        &env,
        &[
            "--json", "--port", "0", "--secret", SECRET, "--status", "503",
        ],
    );
    write_private_config(
        &env,
        &format!(
            "[defaults]\nmax_attempts = 3\ninitial_backoff = \"10ms\"\nmax_backoff = \"50ms\"\n{}",
            signed_hook("flaky", &listener.url("/flaky"), "")
        ),
    );
    let result = staxhook_json(&env, 1, &["send-test", "flaky"]);
    let row = &result[0];
    assert_eq!(row["status"], "failed", "{row}");
    assert_eq!(row["attempts"], 3, "{row}");
    assert_eq!(row["http_status"], 503, "{row}");
    let id = row["delivery_id"].as_str().unwrap();

    let lines = listener.next_json(3);
    for line in &lines {
        assert_eq!(
            line["delivery_id"], id,
            "same delivery id on every attempt: {line}"
        );
        assert_eq!(line["signature"], "valid", "each attempt is signed: {line}");
    }
    listener.assert_no_more_lines(Duration::from_millis(300));
}

#[test]
fn without_a_secret_signed_requests_are_invalid_and_startup_warns() {
    let env = TestEnv::new();
    let listener = Listener::start(&env, &["--json", "--port", "0"]);
    // Waited for, not timed: a busy machine may print it late, but it must come.
    let warning = |line: &str| line.starts_with("warning:") && line.contains("--secret");
    let warnings = listener.stderr_until(warning);
    assert!(
        warnings.iter().any(|line| warning(line)),
        "a warning about the missing secret on stderr after the first line: {warnings:?}"
    );
    write_private_config(
        &env,
        &format!(
            "{}{}",
            signed_hook("signed", &listener.url("/signed"), ""),
            hook("unsigned", &listener.url("/unsigned"), "")
        ),
    );
    staxhook_json(&env, 0, &["send-test", "signed"]);
    let line = &listener.next_json(1)[0];
    assert_eq!(line["signature"], "invalid", "{line}");
    assert!(line["reason"].is_string(), "{line}");
    staxhook_json(&env, 0, &["send-test", "unsigned"]);
    let line = &listener.next_json(1)[0];
    assert_eq!(line["signature"], "unsigned", "{line}");
}

#[test]
fn a_non_json_body_shows_as_a_string() {
    let env = TestEnv::new();
    let listener = Listener::start(&env, &["--json", "--port", "0", "--secret", SECRET]);
    let body = "hello, this is not JSON {";
    let request = format!(
        "POST /raw?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let answer = raw_exchange(listener.port, request.as_bytes());
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    let line = &listener.next_json(1)[0];
    assert_eq!(line["body"], body, "{line}");
    assert_eq!(line["path"], "/raw?x=1", "{line}");
    assert_eq!(line["method"], "POST", "{line}");
    assert_eq!(line["event"], Value::Null, "{line}");
    assert_eq!(line["delivery_id"], Value::Null, "{line}");
    assert_eq!(line["signature"], "unsigned", "{line}");
    assert_eq!(line["headers"]["content-type"], "text/plain", "{line}");
}

#[test]
fn a_malformed_request_gets_400_and_listen_keeps_running() {
    let env = TestEnv::new();
    let mut listener = Listener::start(&env, &["--json", "--port", "0", "--secret", SECRET]);
    for malformed in [
        &b"garbage\r\n\r\n"[..],
        b"POST /x HTTP/1.1\r\nContent-Length: lots\r\n\r\n",
        b"POST /x HTTP/1.1\r\nthis header has no colon\r\n\r\n",
    ] {
        let answer = raw_exchange(listener.port, malformed);
        assert!(
            answer.starts_with("HTTP/1.1 400"),
            "{:?} should get 400, got {answer:?}",
            String::from_utf8_lossy(malformed)
        );
    }
    assert!(
        listener.child.try_wait().unwrap().is_none(),
        "listen must keep running after malformed requests"
    );
    listener.assert_no_more_lines(Duration::from_millis(200));

    // And it still serves the next good request.
    write_private_config(&env, &signed_hook("good", &listener.url("/good"), ""));
    staxhook_json(&env, 0, &["send-test", "good"]);
    let line = &listener.next_json(1)[0];
    assert_eq!(line["signature"], "valid", "{line}");
}

#[test]
fn ctrl_c_exits_0_promptly() {
    let env = TestEnv::new();
    let mut listener = Listener::start(&env, &["--port", "0", "--secret", SECRET]);
    // Serve one request first, so listen is surely in its accept loop (see the next test for
    // a SIGINT that comes right after the first stderr line).
    raw_exchange(listener.port, b"GET /before HTTP/1.1\r\nHost: x\r\n\r\n");
    let _ = listener.next_line();
    let status = Command::new("kill")
        .args(["-INT", &listener.pid().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    // One that ignored SIGINT would run until killed; the slack only spares a busy machine.
    let deadline = Instant::now() + BUSY_MACHINE_SLACK;
    let exit = loop {
        if let Some(exit) = listener.child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            Instant::now() < deadline,
            "listen still running {BUSY_MACHINE_SLACK:?} after SIGINT"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(exit.code(), Some(0), "Ctrl-C is a normal end: {exit:?}");
}

/// A script reads the port from the first stderr line and may press Ctrl-C at once: that must
/// be a clean exit 0 too. (Regression: the Ctrl-C handler used to be installed only after the
/// `listening on` line and the warnings, so a SIGINT in that window killed listen by the
/// signal in about a third of the runs.)
#[test]
fn ctrl_c_right_after_the_first_line_still_exits_0() {
    let env = TestEnv::new();
    let runs = 40;
    let mut failures = Vec::new();
    for _ in 0..runs {
        let mut child = env
            .std_command(STAXHOOK_BINARY)
            .args(["listen", "--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn staxhook listen");
        // A shell already waiting to send the signal, so no process start delays it.
        let mut killer = Command::new("sh")
            .args([
                "-c",
                "read go; kill -INT \"$1\"",
                "sh",
                &child.id().to_string(),
            ])
            .stdin(Stdio::piped())
            .spawn()
            .expect("spawn sh");
        let mut first = String::new();
        BufReader::new(child.stderr.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let mut go = killer.stdin.take().unwrap();
        go.write_all(b"go\n").unwrap();
        drop(go);
        killer.wait().unwrap();
        assert!(first.starts_with("listening on "), "{first:?}");
        let deadline = Instant::now() + BUSY_MACHINE_SLACK;
        let exit = loop {
            if let Some(exit) = child.try_wait().unwrap() {
                break Some(exit);
            }
            if Instant::now() > deadline {
                break None;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let _ = child.kill();
        let _ = child.wait();
        match exit {
            Some(exit) if exit.code() == Some(0) => {}
            Some(exit) => failures.push(format!("{exit} (killed by the signal)")),
            None => failures.push(format!("still running {BUSY_MACHINE_SLACK:?} after SIGINT")),
        }
    }
    assert!(
        failures.is_empty(),
        "SIGINT sent right after `listening on …` must exit 0 promptly; {} of {runs} runs: {:?}",
        failures.len(),
        failures.first()
    );
}

#[test]
fn a_port_in_use_is_exit_2_with_a_one_line_error() {
    let env = TestEnv::new();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = run_with_timeout(
        env.cmd()
            .args(["listen", "--port", &port, "--secret", SECRET]),
        REFUSAL_TIMEOUT,
    );
    output.expect_code(2);
    assert!(output.stdout.is_empty(), "{}", output.stdout);
    let stderr = &output.stderr;
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {stderr:?}");
    assert!(
        lines[0].starts_with("error:") && lines[0].contains(&port),
        "names the port: {stderr:?}"
    );
    drop(taken);
}

#[test]
fn bad_listen_arguments_are_usage_errors() {
    let env = TestEnv::new();
    for args in [
        &["listen", "--port", "0", "--status", "99"][..],
        &["listen", "--port", "0", "--secret", ""],
        &[
            "listen",
            "--port",
            "0",
            "--secret-env",
            "STAXHOOK_TEST_UNSET_VARIABLE",
        ],
        &[
            "listen",
            "--port",
            "0",
            "--secret",
            SECRET,
            "--webhook",
            "x",
        ],
    ] {
        run_with_timeout(env.cmd().args(args), REFUSAL_TIMEOUT).expect_code(2);
    }
}
