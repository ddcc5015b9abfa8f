//! Fault injection against the real binary: TLS with a private CA, DNS failure,
//! a hanging endpoint among healthy ones, a process killed mid-delivery, many
//! processes sharing one history, damaged / foreign / older / newer history
//! files, config writes that cannot complete, concurrent config edits, secret
//! rotation, and bad input that must change nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::prelude::*;

/// The secret the webhooks start with, before any rotation.
const OLD_SECRET: &str = SECRET;

/// Short retry timings so that failures come quickly.
const FAST_DEFAULTS: &str = "[defaults]\n\
initial_backoff = \"10ms\"\n\
max_backoff = \"50ms\"\n\
timeout = \"500ms\"\n\
max_elapsed = \"3s\"\n";

fn scan_args<'a>(scan_id: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["emit", "scan_complete", "--repo", "myorg/api", "--set"];
    args.push(scan_id);
    args.extend_from_slice(extra);
    args
}

/// Every file under `dir` (recursively) with its bytes; directories as `None`.
fn files_under(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("read_dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                out.insert(path.clone(), None);
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("read file");
                out.insert(path, Some(bytes));
            }
        }
    }
    out
}

fn assert_same_tree(
    before: &BTreeMap<PathBuf, Option<Vec<u8>>>,
    after: &BTreeMap<PathBuf, Option<Vec<u8>>>,
    case: &str,
) {
    let names = |m: &BTreeMap<PathBuf, Option<Vec<u8>>>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(before),
        names(after),
        "{case}: files were created or removed"
    );
    for (path, bytes) in before {
        assert!(
            after.get(path) == Some(bytes),
            "{case}: {} changed",
            path.display()
        );
    }
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".staxhook-config-") || name.ends_with(".tmp"))
        .collect()
}

fn pragma_integer(connection: &rusqlite::Connection, name: &str) -> i64 {
    connection
        .query_row(&format!("PRAGMA {name}"), [], |row| row.get(0))
        .expect("pragma")
}

/// Spawns `emit` against a hanging endpoint, waits for the request to arrive,
/// SIGKILLs the process; returns the request that arrived.
fn emit_and_kill(env: &TestEnv, server: &TestServer) -> RecordedRequest {
    let mut child = env
        .std_command(STAXHOOK_BINARY)
        .args(scan_args("scan_id=crash-1", &[]))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn staxhook");
    let arrived = server.wait_for_requests(1, Duration::from_secs(10));
    // SIGKILL: no destructor, no history update runs.
    child.kill().expect("kill staxhook");
    let status = child.wait().expect("reap staxhook");
    assert!(
        !arrived.is_empty(),
        "the emit never reached the server (exit {status:?})"
    );
    assert!(
        status.code().is_none(),
        "the emit ended by itself ({status:?}) instead of being killed"
    );
    arrived[0].clone()
}

// ---------------------------------------------------------------------------
// 1. TLS
// ---------------------------------------------------------------------------

fn tls_config(url: &str, extra: &str) -> String {
    format!("{FAST_DEFAULTS}\n[webhooks.tls]\nurl = \"{url}\"\nsecret = \"{OLD_SECRET}\"\nmax_attempts = 2\n{extra}\n")
}

#[test]
fn https_with_an_unknown_ca_fails_on_the_certificate_and_nothing_is_received() {
    let pki = TestPki::generate();
    let server = TlsServer::start(pki.server_config.clone());
    let env = TestEnv::new();
    write_private_config(&env, &tls_config(&server.url("127.0.0.1", "/hook"), ""));

    let result = staxhook(&env, &{
        let mut args = vec!["--json"];
        args.extend(scan_args("scan_id=tls-1", &[]));
        args
    });
    result.expect_code(1);
    let out = result.json();
    assert_eq!(out[0]["status"], "failed", "{out:#}");
    assert_eq!(out[0]["http_status"], Value::Null, "{out:#}");
    let error = out[0]["error"].as_str().expect("error text");
    assert!(
        error.to_ascii_lowercase().contains("certificate"),
        "the error should say the certificate is the problem: {error}"
    );
    // A refused certificate will not fix itself: it is final, not retried.
    assert_eq!(out[0]["attempts"], 1, "{out:#}");

    // The client connected, refused the certificate, and never sent a request.
    server.wait_until(BUSY_MACHINE_SLACK, |_, errors| !errors.is_empty());
    assert!(
        server.requests().is_empty(),
        "a request got through: {:?}",
        server.requests()
    );
    assert!(server.connections() >= 1, "the client never connected");
    assert!(
        !server.handshake_errors().is_empty(),
        "no failed handshake seen by the server"
    );

    let rows = log_rows(&env, &[]);
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(rows[0]["status"], "failed");
    assert_eq!(rows[0]["http_status"], Value::Null);
    let id = rows[0]["id"].as_i64().unwrap().to_string();
    let detail = staxhook_json(&env, 0, &["log", "show", &id]);
    let attempts = detail["attempts"].as_array().expect("attempts");
    assert_eq!(attempts.len(), 1, "{detail:#}");
    for attempt in attempts {
        assert_eq!(attempt["http_status"], Value::Null, "{attempt:#}");
        let text = attempt["error"].as_str().unwrap_or_default();
        assert!(
            text.to_ascii_lowercase().contains("certificate"),
            "attempt error: {text}"
        );
    }
}

#[test]
fn https_with_ca_cert_relative_to_the_config_folder_is_delivered() {
    let pki = TestPki::generate();
    let server = TlsServer::start(pki.server_config.clone());
    let env = TestEnv::new();
    // The config lives in a sub-folder; the command runs from the temp dir, so
    // "ca.pem" only resolves when taken relative to the config's folder.
    let folder = env.path().join("conf");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("ca.pem"), &pki.ca_pem).unwrap();
    let config_path = folder.join("config.toml");
    write_private_config_at(
        &config_path,
        &format!(
            "{FAST_DEFAULTS}\n[webhooks.by-ip]\nurl = \"{}\"\nsecret = \"{OLD_SECRET}\"\nca_cert = \"ca.pem\"\n\
             \n[webhooks.by-name]\nurl = \"{}\"\nca_cert = \"ca.pem\"\n",
            server.url("127.0.0.1", "/ip"),
            server.url("localhost", "/name"),
        ),
    );

    let result = run(env
        .cmd()
        .env("STAXHOOK_CONFIG", &config_path)
        .arg("--json")
        .args(scan_args("scan_id=tls-2", &[])));
    result.expect_code(0);
    let out = result.json();
    for row in out.as_array().unwrap() {
        assert_eq!(row["status"], "delivered", "{out:#}");
        assert_eq!(row["http_status"], 200, "{out:#}");
        assert_eq!(row["attempts"], 1, "{out:#}");
    }

    let requests = server.requests();
    let paths: BTreeSet<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        BTreeSet::from(["/ip", "/name"]),
        "requests: {requests:?}"
    );
    let by_ip = requests.iter().find(|r| r.path == "/ip").unwrap();
    assert_eq!(by_ip.method, "POST");
    assert_eq!(
        by_ip.header("x-codestax-signature"),
        Some(codestax_signature(OLD_SECRET, &by_ip.body).as_str())
    );
    let body: Value = serde_json::from_slice(&by_ip.body).expect("JSON body");
    assert_eq!(body["event"], "scan_complete");
    assert!(server.handshake_errors().is_empty());
}

#[test]
fn ca_cert_missing_or_not_pem_is_exit_2_naming_the_key_and_nothing_is_sent() {
    let pki = TestPki::generate();
    let server = TlsServer::start(pki.server_config.clone());
    let env = TestEnv::new();
    std::fs::write(
        env.path().join("garbage.pem"),
        b"this is not a certificate\n",
    )
    .unwrap();
    std::fs::write(env.path().join("binary.pem"), [0u8, 159, 146, 150, 255, 1]).unwrap();
    let key_only = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n";
    std::fs::write(env.path().join("key-only.pem"), key_only).unwrap();

    for file in ["missing.pem", "garbage.pem", "binary.pem", "key-only.pem"] {
        write_private_config(
            &env,
            &tls_config(
                &server.url("127.0.0.1", "/hook"),
                &format!("ca_cert = \"{file}\""),
            ),
        );
        let result = staxhook(&env, &scan_args("scan_id=tls-3", &[]));
        result.expect_code(2);
        let line = result.one_line_error();
        assert!(
            line.contains("webhooks.tls.ca_cert"),
            "{file}: should name the key: {line}"
        );
        assert!(line.contains(file), "{file}: should name the file: {line}");
        assert!(
            !env.history_path().exists(),
            "{file}: a history was created"
        );
    }
    assert_eq!(server.connections(), 0, "something was sent");
}

// ---------------------------------------------------------------------------
// 2. DNS
// ---------------------------------------------------------------------------

/// A host name no resolver can look up: its first label is 64 characters, one more than DNS
/// allows (RFC 1035 §2.3.4), so the system resolver refuses it locally, before any query is
/// sent, whatever the machine's DNS setup (checked with strace: no packet to port 53). A
/// `.invalid` name would instead be sent to the configured nameserver, which may be slow or
/// unreachable. Plain `http://` (allowed by `allow_insecure`), because for `https://` the TLS
/// layer refuses the name first.
fn unresolvable_url() -> String {
    format!("http://{}.invalid/hook", "a".repeat(64))
}

#[test]
fn dns_failure_fails_quickly_with_no_http_status() {
    let env = TestEnv::new();
    // A 5 s timeout per attempt: a lookup that hung would hit it and say "timed out", which
    // the error text below does not accept.
    write_private_config(
        &env,
        &format!(
            "[defaults]\ninitial_backoff = \"10ms\"\nmax_backoff = \"50ms\"\ntimeout = \"5s\"\nmax_elapsed = \"20s\"\n\
             [webhooks.nowhere]\nurl = \"{}\"\nallow_insecure = true\nmax_attempts = 2\n",
            unresolvable_url()
        ),
    );
    let started = Instant::now();
    let result = run(env
        .cmd()
        .arg("--json")
        .args(scan_args("scan_id=dns-1", &[])));
    let took = started.elapsed();
    result.expect_code(1);
    // Both attempts ended by the failed lookup, not by the 5 s timeout.
    assert!(took < Duration::from_secs(2 * 5), "took {took:?}");
    let out = result.json();
    assert_eq!(out[0]["status"], "failed");
    assert_eq!(out[0]["http_status"], Value::Null);
    assert_eq!(out[0]["attempts"], 2, "{out:#}");
    // Rust's own words for a failed getaddrinfo, then the resolver's reason (which differs
    // between C libraries: "Name or service not known", "Name does not resolve", …).
    let error = out[0]["error"].as_str().unwrap();
    let reason = error
        .strip_prefix(
            "gave up after 2 attempts: connection failed: failed to lookup address information: ",
        )
        .unwrap_or_else(|| panic!("the error should say the name could not be resolved: {error}"));
    assert!(
        !reason.is_empty() && !reason.contains("timed out") && !reason.contains("aaaa"),
        "{error}"
    );
    let rows = log_rows(&env, &[]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["status"], "failed");
    assert_eq!(rows[0]["http_status"], Value::Null);
    assert_eq!(rows[0]["attempts"], 2);
    assert_eq!(rows[0]["error"], error);
}

// ---------------------------------------------------------------------------
// 3. Mixed fan-out
// ---------------------------------------------------------------------------

/// One `--json emit` to `a` (hangs; 2 s timeout, 2 attempts), `b` (answers 200) and `c`
/// (500, then 200), and how long it took.
struct HangingFanOut {
    server: TestServer,
    env: TestEnv,
    result: Run,
    took: Duration,
}

fn emit_to_a_hanging_webhook_and_two_healthy_ones() -> HangingFanOut {
    let server = TestServer::start();
    server.set_default("/a", Behavior::Hang);
    server.script("/c", vec![Behavior::Status(500)]);
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{FAST_DEFAULTS}\n[webhooks.a]\nurl = \"{}\"\ntimeout = \"2s\"\nmax_attempts = 2\nmax_elapsed = \"10s\"\n\
             \n[webhooks.b]\nurl = \"{}\"\n\n[webhooks.c]\nurl = \"{}\"\n",
            server.url("/a"),
            server.url("/b"),
            server.url("/c")
        ),
    );
    let started = Instant::now();
    let result = staxhook(&env, &{
        let mut args = vec!["--json"];
        args.extend(scan_args("scan_id=fan-1", &[]));
        args
    });
    let took = started.elapsed();
    result.expect_code(1);
    HangingFanOut {
        server,
        env,
        result,
        took,
    }
}

#[test]
fn a_hanging_webhook_does_not_hold_up_the_others() {
    let HangingFanOut { server, took, .. } = emit_to_a_hanging_webhook_and_two_healthy_ones();
    let a = server.requests_for("/a");
    let b = server.requests_for("/b");
    let c = server.requests_for("/c");
    assert_eq!(a.len(), 2, "a: 2 attempts");
    assert_eq!(b.len(), 1, "b: 1 attempt");
    assert_eq!(c.len(), 2, "c: 500 then 200");
    // b and c (its retry too) go out while a's first attempt still hangs: before staxhook gave
    // it up at its 2 s timeout, as the server saw the connection close. By order, not by wall
    // time: only a stall of the whole process for about those 2 s could reorder them.
    let a_given_up = server
        .wait_for(BUSY_MACHINE_SLACK, |requests| {
            requests
                .iter()
                .find(|request| request.path == "/a")
                .is_some_and(|first| first.ended_at.is_some())
        })
        .into_iter()
        .find(|request| request.path == "/a")
        .and_then(|first| first.ended_at)
        .expect("the server saw a's first connection end");
    for (name, request) in [("b", &b[0]), ("c retry", &c[1])] {
        assert!(
            request.received_at < a_given_up,
            "{name} arrived {:?} after a's first request, {:?} after staxhook gave that up: \
             it waited for the hanging webhook",
            request.received_at.duration_since(a[0].received_at),
            request.received_at.duration_since(a_given_up)
        );
    }
    assert!(
        a[1].received_at.duration_since(a[0].received_at) >= Duration::from_millis(1900),
        "a's second attempt came before its first timed out"
    );
    assert!(
        took < Duration::from_secs(2 * 2) + BUSY_MACHINE_SLACK,
        "took {took:?} for 2 × 2 s timeouts"
    );
}

#[test]
fn a_hanging_webhook_fails_alone_and_the_others_are_delivered() {
    let HangingFanOut { result, .. } = emit_to_a_hanging_webhook_and_two_healthy_ones();
    let out = result.json();
    let by_name = |name: &str| {
        out.as_array()
            .unwrap()
            .iter()
            .find(|row| row["webhook"] == name)
            .unwrap_or_else(|| panic!("no result for {name}: {out:#}"))
            .clone()
    };
    let (result_a, result_b, result_c) = (by_name("a"), by_name("b"), by_name("c"));
    assert_eq!(
        (
            &result_a["status"],
            &result_a["attempts"],
            &result_a["http_status"]
        ),
        (&Value::from("failed"), &Value::from(2), &Value::Null)
    );
    assert!(
        result_a["error"]
            .as_str()
            .unwrap_or_default()
            .contains("timed out"),
        "{result_a:#}"
    );
    assert_eq!(
        (
            &result_b["status"],
            &result_b["attempts"],
            &result_b["http_status"]
        ),
        (
            &Value::from("delivered"),
            &Value::from(1),
            &Value::from(200)
        )
    );
    assert_eq!(
        (
            &result_c["status"],
            &result_c["attempts"],
            &result_c["http_status"]
        ),
        (
            &Value::from("delivered"),
            &Value::from(2),
            &Value::from(200)
        )
    );
}

#[test]
fn the_history_agrees_with_a_fan_out_that_hit_a_hanging_webhook() {
    let HangingFanOut { env, .. } = emit_to_a_hanging_webhook_and_two_healthy_ones();
    let rows = log_rows(&env, &[]);
    assert_eq!(rows.len(), 3, "{rows:#?}");
    for (name, status, attempts) in [
        ("a", "failed", 2),
        ("b", "delivered", 1),
        ("c", "delivered", 2),
    ] {
        let row = rows
            .iter()
            .find(|row| row["webhook"] == name)
            .unwrap_or_else(|| panic!("no history row for {name}"));
        assert_eq!(row["status"], status, "{row:#}");
        assert_eq!(row["attempts"], attempts, "{row:#}");
    }
}

// ---------------------------------------------------------------------------
// 4. Crash
// ---------------------------------------------------------------------------

/// timeout 30s + max_elapsed 60s: `redeliver --failed` treats a pending row as
/// abandoned only when it is older than max(max_elapsed + timeout) over the
/// defaults and every webhook, plus 60 s (src/commands/redeliver.rs) = 150 s.
const CRASH_DEFAULTS: &str = "[defaults]\ntimeout = \"30s\"\nmax_elapsed = \"60s\"\n\
initial_backoff = \"10ms\"\nmax_backoff = \"50ms\"\n";
const STALE_AFTER_SECONDS: i64 = 30 + 60 + 60;

fn crash_config(server: &TestServer, secret: &str) -> String {
    format!(
        "{CRASH_DEFAULTS}\n[webhooks.alpha]\nurl = \"{}\"\nsecret = \"{secret}\"\n",
        server.url("/hook")
    )
}

/// A killed `emit` to a hanging endpoint, signed with [`OLD_SECRET`].
struct KilledEmit {
    server: TestServer,
    env: TestEnv,
    /// The request that arrived before the kill.
    first: RecordedRequest,
    /// The pending row it left.
    original: i64,
}

fn kill_an_emit_mid_delivery() -> KilledEmit {
    let server = TestServer::start();
    server.script("/hook", vec![Behavior::Hang]);
    let env = TestEnv::new();
    write_private_config(&env, &crash_config(&server, OLD_SECRET));
    let first = emit_and_kill(&env, &server);
    let original = log_rows(&env, &["--status", "pending"])[0]["id"]
        .as_i64()
        .unwrap();
    KilledEmit {
        server,
        env,
        first,
        original,
    }
}

/// `redeliver --failed --json` prints `[]`: nothing was picked.
#[track_caller]
fn assert_redeliver_failed_picks_nothing(env: &TestEnv) {
    assert_eq!(
        staxhook_json(env, 0, &["redeliver", "--failed"]),
        Value::Array(vec![])
    );
}

/// `redeliver --failed` twice while the pending row could still belong to a live process:
/// once at once, once when older than a process could run (90 s) but not past the 60 s
/// safety margin.
fn try_redeliver_failed_too_early(killed: &KilledEmit) {
    assert_redeliver_failed_picks_nothing(&killed.env);
    age_row(&killed.env, killed.original, STALE_AFTER_SECONDS - 15);
    assert_redeliver_failed_picks_nothing(&killed.env);
}

#[test]
fn a_killed_emit_leaves_a_pending_row() {
    let KilledEmit { env, first, .. } = kill_an_emit_mid_delivery();
    assert_eq!(
        first.expect_header("x-codestax-signature"),
        codestax_signature(OLD_SECRET, &first.body)
    );
    let pending = log_rows(&env, &["--status", "pending"]);
    assert_eq!(pending.len(), 1, "{pending:#?}");
    assert_eq!(pending[0]["delivery_id"], first.delivery_id());
    assert_eq!(log_rows(&env, &[]).len(), 1);
}

#[test]
fn redeliver_failed_leaves_a_pending_row_a_live_process_could_own() {
    let killed = kill_an_emit_mid_delivery();
    try_redeliver_failed_too_early(&killed);
    assert_eq!(killed.server.requests().len(), 1, "--failed sent something");
    assert_eq!(log_rows(&killed.env, &["--status", "pending"]).len(), 1);
}

#[test]
fn redeliver_id_completes_a_pending_row_with_the_current_secret() {
    let killed = kill_an_emit_mid_delivery();
    try_redeliver_failed_too_early(&killed);
    let KilledEmit {
        server,
        env,
        first,
        original,
    } = killed;
    let delivery_id = first.delivery_id();

    // The secret changes; `redeliver ID` signs with the current one.
    write_private_config(&env, &crash_config(&server, NEW_SECRET));
    let result = staxhook_json(&env, 0, &["redeliver", &original.to_string()]);
    assert_eq!(result[0]["status"], "delivered", "{result:#}");
    assert_eq!(result[0]["delivery_id"], delivery_id);
    let new_id = result[0]["log_id"].as_i64().unwrap();
    assert_ne!(new_id, original);

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let second = &requests[1];
    assert_eq!(second.delivery_id(), delivery_id);
    assert_eq!(second.body, first.body, "the recorded body is re-sent");
    assert_eq!(
        second.expect_header("x-codestax-signature"),
        codestax_signature(NEW_SECRET, &second.body)
    );
    let timestamp: i64 = second.expect_header("webhook-timestamp").parse().unwrap();
    assert_eq!(
        second.expect_header("webhook-signature"),
        standard_webhooks_header(&[NEW_SECRET], delivery_id, timestamp, &second.body).unwrap()
    );

    let shown = staxhook_json(&env, 0, &["log", "show", &new_id.to_string()]);
    assert_eq!(shown["redelivery_of"], original, "{shown:#}");
    assert_eq!(shown["status"], "delivered");
    let old = staxhook_json(&env, 0, &["log", "show", &original.to_string()]);
    assert_eq!(old["status"], "failed", "{old:#}");
    assert!(
        old["error"]
            .as_str()
            .unwrap_or_default()
            .contains("interrupted"),
        "{old:#}"
    );
    assert!(log_rows(&env, &["--status", "pending"]).is_empty());

    // Done: the newest row of this delivery is delivered, so --failed has nothing.
    assert_redeliver_failed_picks_nothing(&env);
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn redeliver_failed_takes_a_pending_row_once_no_process_can_own_it() {
    let KilledEmit {
        server,
        env,
        first,
        original,
    } = kill_an_emit_mid_delivery();
    let delivery_id = first.delivery_id();

    age_row(&env, original, STALE_AFTER_SECONDS + 15);
    // --since is applied too: a 1-minute window excludes the old row.
    assert_eq!(
        staxhook_json(&env, 0, &["redeliver", "--failed", "--since", "1m"]),
        Value::Array(vec![])
    );
    let result = staxhook_json(&env, 0, &["redeliver", "--failed"]);
    let result = result.as_array().unwrap();
    assert_eq!(result.len(), 1, "{result:#?}");
    assert_eq!(result[0]["delivery_id"], delivery_id);
    assert_eq!(result[0]["status"], "delivered");
    assert_eq!(server.requests().len(), 2);
    assert_eq!(server.requests()[1].delivery_id(), delivery_id);
    // Twice does not send twice.
    assert_redeliver_failed_picks_nothing(&env);
    assert_eq!(server.requests().len(), 2);
    assert!(log_rows(&env, &["--status", "pending"]).is_empty());
}

// ---------------------------------------------------------------------------
// 5. Concurrency
// ---------------------------------------------------------------------------

const PROCESSES: usize = 8;
const EMITS_EACH: usize = 25;

/// [`EMITS_EACH`] emits from each of [`PROCESSES`] threads, each emit its own process:
/// (scan id, exit code, stderr) of every one.
fn emit_from_many_processes_at_once(env: &TestEnv) -> Vec<(String, i32, String)> {
    let started = Instant::now();
    let outcomes: Vec<(String, i32, String)> = in_parallel(PROCESSES, |process| {
        (0..EMITS_EACH)
            .map(|index| {
                let scan = format!("scan_id=p{process}-{index}");
                let result = staxhook(env, &scan_args(&scan, &["-q"]));
                (scan, result.code, result.stderr)
            })
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();
    eprintln!(
        "{} emits from {PROCESSES} processes took {:?}",
        outcomes.len(),
        started.elapsed()
    );
    outcomes
}

#[test]
fn eight_processes_times_25_emits_share_one_history_without_loss_or_lock_errors() {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{FAST_DEFAULTS}\n[webhooks.ci]\nurl = \"{}\"\nsecret = \"{OLD_SECRET}\"\n",
            server.url("/hook")
        ),
    );
    assert!(!env.history_path().exists());
    let outcomes = emit_from_many_processes_at_once(&env);

    for (scan, code, stderr) in &outcomes {
        assert_eq!(*code, 0, "{scan}: stderr {stderr}");
        let lower = stderr.to_ascii_lowercase();
        assert!(
            !lower.contains("locked") && !lower.contains("busy"),
            "{scan}: {stderr}"
        );
    }
    let total = PROCESSES * EMITS_EACH;
    let rows = log_rows(&env, &["--limit", "1000"]);
    assert_eq!(rows.len(), total);
    assert!(rows.iter().all(|row| row["status"] == "delivered"));
    let ids: BTreeSet<&str> = rows
        .iter()
        .map(|row| row["delivery_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), total);

    let connection = open_history(&env.history_path());
    let count = |sql: &str| -> i64 { connection.query_row(sql, [], |row| row.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM deliveries"), total as i64);
    assert_eq!(count("SELECT count(*) FROM attempts"), total as i64);
    assert_eq!(
        count("SELECT count(*) FROM deliveries WHERE status = 'delivered' AND attempts = 1"),
        total as i64
    );

    let requests = server.requests();
    assert_eq!(requests.len(), total);
    let scans: BTreeSet<String> = requests
        .iter()
        .map(|r| {
            r.body_json()["data"]["scan_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(scans.len(), total);
}

// ---------------------------------------------------------------------------
// 6. History robustness
// ---------------------------------------------------------------------------

/// Deterministic "random" bytes (xorshift), no extra crate needed.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

/// Puts something at the history path.
type MakeFile = Box<dyn Fn(&Path)>;

fn simple_config(server: &TestServer) -> String {
    format!(
        "{FAST_DEFAULTS}\n[webhooks.alpha]\nurl = \"{}\"\nsecret = \"{OLD_SECRET}\"\n",
        server.url("/hook")
    )
}

/// Histories staxhook must refuse: what each is, how to make it, and what the error says.
fn unusable_histories() -> Vec<(&'static str, MakeFile, &'static str)> {
    let mut sqlite_header_then_noise = b"SQLite format 3\0".to_vec();
    sqlite_header_then_noise.extend(noise(8192, 7));
    vec![
        (
            "text file",
            Box::new(|p: &Path| std::fs::write(p, "hello, I am a text file\n").unwrap()),
            "not a valid SQLite database",
        ),
        (
            "random bytes",
            Box::new(|p: &Path| std::fs::write(p, noise(5000, 42)).unwrap()),
            "not a valid SQLite database",
        ),
        (
            "SQLite header then garbage",
            Box::new(move |p: &Path| std::fs::write(p, &sqlite_header_then_noise).unwrap()),
            "not a valid SQLite database",
        ),
        (
            "another program's SQLite database",
            Box::new(|p: &Path| {
                let c = rusqlite::Connection::open(p).unwrap();
                c.execute_batch("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('mine');")
                    .unwrap();
            }),
            "not a staxhook history",
        ),
        (
            "a directory",
            Box::new(|p: &Path| std::fs::create_dir(p).unwrap()),
            "unable to open",
        ),
    ]
}

/// Puts `make`'s file at the history path, in place of whatever was there.
fn replace_history(history: &Path, make: &MakeFile) {
    let _ = std::fs::remove_file(history);
    let _ = std::fs::remove_dir_all(history);
    make(history);
}

#[test]
fn an_unusable_history_stops_emit_before_sending_and_is_left_untouched() {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(&env, &simple_config(&server));
    let history = env.history_path();
    for (name, make, expected) in &unusable_histories() {
        replace_history(&history, make);
        let before = files_under(env.path());
        let result = staxhook(&env, &scan_args("scan_id=h-1", &[]));
        result.expect_code(2);
        let line = result.one_line_error();
        assert!(
            line.contains(&history.display().to_string()),
            "{name}: should name the path: {line}"
        );
        assert!(line.contains(expected), "{name}: {line}");
        assert!(server.requests().is_empty(), "{name}: something was sent");
        assert_same_tree(&before, &files_under(env.path()), name);
    }
}

#[test]
fn log_refuses_an_unusable_history_and_leaves_it_untouched() {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(&env, &simple_config(&server));
    let history = env.history_path();
    for (name, make, _) in &unusable_histories() {
        replace_history(&history, make);
        let before = files_under(env.path());
        let result = staxhook(&env, &["log"]);
        result.expect_code(2);
        let line = result.one_line_error();
        assert!(
            line.contains(&history.display().to_string()),
            "{name}: log: {line}"
        );
        assert_same_tree(&before, &files_under(env.path()), &format!("{name} (log)"));
    }
}

/// docs/reference.md §6 only says a missing file is an empty history. A zero-length file is
/// what SQLite itself treats as an empty database, and src/history/schema.rs
/// (`FileState::Fresh`) deliberately does the same: it becomes a history.
#[test]
fn a_zero_length_history_file_is_an_empty_history() {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(&env, &simple_config(&server));
    std::fs::write(env.history_path(), b"").unwrap();
    assert_eq!(staxhook_json(&env, 0, &["log"]), Value::Array(vec![]));
    staxhook(&env, &scan_args("scan_id=z-1", &[])).expect_code(0);
    assert_eq!(server.requests().len(), 1);
    let connection = open_history(&env.history_path());
    assert_eq!(
        pragma_integer(&connection, "application_id"),
        i64::from(APPLICATION_ID)
    );
    assert_eq!(pragma_integer(&connection, "user_version"), LATEST_VERSION);
    assert_eq!(log_rows(&env, &[]).len(), 1);
}

/// A history file at schema version `version`, built the way
/// src/history/schema.rs builds one (application_id, then each migration
/// followed by its user_version), with one delivery row when there is a table. It uses
/// today's SQL for every step: [`FROZEN_HISTORIES`] are the files old releases really wrote.
fn history_at_version(path: &Path, version: usize, webhook: &str) {
    let connection = rusqlite::Connection::open(path).expect("create old history");
    if version == 0 {
        // Nothing applied: SQLite leaves a zero-length file.
        return;
    }
    connection
        .pragma_update(None, "application_id", APPLICATION_ID)
        .unwrap();
    for (index, migration) in MIGRATIONS[..version].iter().enumerate() {
        connection
            .execute_batch(migration.sql)
            .unwrap_or_else(|e| panic!("migration {} ({}): {e}", index + 1, migration.description));
        connection
            .pragma_update(None, "user_version", index as i64 + 1)
            .unwrap();
    }
    // Fill every column the table has at this version: known ones with real
    // values, any other NOT NULL column without a default with a neutral one.
    let columns: Vec<(String, String, bool, bool)> = connection
        .prepare("SELECT name, type, \"notnull\", dflt_value IS NOT NULL FROM pragma_table_info('deliveries')")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let created_at = jiff::Timestamp::now().as_millisecond() - 60_000;
    let mut names = Vec::new();
    let mut values: Vec<rusqlite::types::Value> = Vec::new();
    for (name, kind, not_null, has_default) in columns {
        use rusqlite::types::Value as V;
        let value = match name.as_str() {
            "id" => continue,
            "delivery_id" => V::Text("0b8a4c64-4f0e-4a55-9d1b-6c1a2f0e9e01".into()),
            "created_at" => V::Integer(created_at),
            "webhook" => V::Text(webhook.into()),
            "channel" => V::Text("generic".into()),
            "event" => V::Text("scan_complete".into()),
            "repository" => V::Text("myorg/old".into()),
            "test" => V::Integer(0),
            "status" => V::Text("delivered".into()),
            "http_status" => V::Integer(200),
            "attempts" => V::Integer(1),
            "duration_ms" => V::Integer(12),
            "request_url" => V::Text("https://old.example/hook".into()),
            "request_headers" => V::Text("[]".into()),
            "request_body" => V::Text("{\"event\":\"scan_complete\"}".into()),
            _ if !not_null || has_default => continue,
            _ if kind.to_ascii_uppercase().contains("INT") => V::Integer(0),
            _ => V::Text(String::new()),
        };
        names.push(name);
        values.push(value);
    }
    let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
    connection
        .execute(
            &format!(
                "INSERT INTO deliveries ({}) VALUES ({})",
                names.join(", "),
                placeholders.join(", ")
            ),
            rusqlite::params_from_iter(values),
        )
        .expect("insert a row of the old schema");
}

#[test]
fn older_history_schemas_migrate_forward_on_open() {
    let server = TestServer::start();
    for version in 0..LATEST_VERSION as usize {
        let env = TestEnv::new();
        write_private_config(&env, &simple_config(&server));
        let webhook = format!("old-v{version}");
        history_at_version(&env.history_path(), version, &webhook);

        let rows = log_rows(&env, &[]);
        if version == 0 {
            assert!(rows.is_empty(), "v0: {rows:#?}");
        } else {
            assert_eq!(rows.len(), 1, "v{version}: {rows:#?}");
            assert_eq!(rows[0]["webhook"], webhook.as_str());
            assert_eq!(rows[0]["status"], "delivered");
        }
        {
            let connection = open_history(&env.history_path());
            assert_eq!(
                pragma_integer(&connection, "user_version"),
                LATEST_VERSION,
                "v{version} was not migrated"
            );
            assert_eq!(
                pragma_integer(&connection, "application_id"),
                i64::from(APPLICATION_ID)
            );
        }
        // And the migrated file takes new deliveries.
        staxhook(&env, &scan_args("scan_id=m-1", &[])).expect_code(0);
        let expected = if version == 0 { 1 } else { 2 };
        assert_eq!(log_rows(&env, &[]).len(), expected, "v{version}");
    }
}

/// History files written by the staxhook of each released schema version before the current
/// one, kept byte for byte since (tests/fixtures/histories/, made as tests/fixtures/SOURCES.md
/// says): unlike [`history_at_version`], which uses today's SQL for the old steps, they show
/// what a user's file really holds, so an edited old step or a migration that loses a row
/// fails here.
const FROZEN_HISTORIES: [(&str, i64); 6] = [
    ("history-v1.db", 1),
    ("history-v2.db", 2),
    ("history-v3.db", 3),
    ("history-v4.db", 4),
    ("history-v5.db", 5),
    ("history-v6.db", 6),
];

fn frozen_history(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/histories")
        .join(name)
}

/// Every column of `table`, in order.
fn columns(connection: &rusqlite::Connection, table: &str) -> Vec<String> {
    connection
        .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Every row of `table` (the given columns, in rowid order), values as SQLite holds them.
fn rows_of(
    connection: &rusqlite::Connection,
    table: &str,
    columns: &[String],
) -> Vec<Vec<rusqlite::types::Value>> {
    let quoted: Vec<String> = columns
        .iter()
        .map(|column| format!("\"{column}\""))
        .collect();
    let mut statement = connection
        .prepare(&format!(
            "SELECT {} FROM {table} ORDER BY rowid",
            quoted.join(", ")
        ))
        .unwrap();
    statement
        .query_map([], |row| {
            (0..columns.len())
                .map(|index| row.get::<_, rusqlite::types::Value>(index))
                .collect()
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The schema objects of a history file, as SQLite keeps them (name and SQL).
fn schema_of(connection: &rusqlite::Connection) -> Vec<(String, String, Option<String>)> {
    connection
        .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The user tables of a history file and all their rows, by table.
type Tables = BTreeMap<String, (Vec<String>, Vec<Vec<rusqlite::types::Value>>)>;

fn tables_of(connection: &rusqlite::Connection) -> Tables {
    let names: Vec<String> = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    names
        .into_iter()
        .map(|table| {
            let columns = columns(connection, &table);
            let rows = rows_of(connection, &table, &columns);
            (table, (columns, rows))
        })
        .collect()
}

#[test]
fn frozen_histories_of_every_released_schema_migrate_keeping_every_row() {
    assert_eq!(
        FROZEN_HISTORIES.len() as i64,
        LATEST_VERSION - 1,
        "a frozen file for every released version before the current one: when a schema \
         version is released, add its file (tests/fixtures/SOURCES.md says how)"
    );
    // What a history made today looks like: a zero-length file that staxhook migrates.
    let fresh = TestEnv::new();
    std::fs::write(fresh.history_path(), b"").unwrap();
    staxhook_json(&fresh, 0, &["log"]);
    let fresh_schema = schema_of(&open_history(&fresh.history_path()));

    let server = TestServer::start();
    for (name, version) in FROZEN_HISTORIES {
        let fixture = frozen_history(name);
        let original = std::fs::read(&fixture)
            .unwrap_or_else(|error| panic!("{}: {error}", fixture.display()));
        let env = TestEnv::new();
        std::fs::write(env.history_path(), &original).unwrap();
        // What the old release left, read from a copy of its own.
        let before = {
            let scratch = env.path().join("before.db");
            std::fs::write(&scratch, &original).unwrap();
            let connection = open_history(&scratch);
            assert_eq!(
                pragma_integer(&connection, "user_version"),
                version,
                "{name}"
            );
            assert_eq!(
                pragma_integer(&connection, "application_id"),
                i64::from(APPLICATION_ID),
                "{name}"
            );
            tables_of(&connection)
        };
        let deliveries = before["deliveries"].1.len();
        assert!(deliveries >= 8, "{name}: only {deliveries} deliveries");
        assert!(!before["attempts"].1.is_empty(), "{name}: no attempts");
        if version >= 2 {
            assert!(!before["findings"].1.is_empty(), "{name}: no findings");
        }

        // Opened by today's staxhook: migrated, and every row is listed.
        let listed = staxhook_json(&env, 0, &["log", "--limit", "1000"]);
        assert_eq!(listed.as_array().unwrap().len(), deliveries, "{name}");
        let after = tables_of(&open_history(&env.history_path()));
        {
            let connection = open_history(&env.history_path());
            assert_eq!(
                pragma_integer(&connection, "user_version"),
                LATEST_VERSION,
                "{name} was not migrated"
            );
            assert_eq!(
                schema_of(&connection),
                fresh_schema,
                "{name}: migrated schema"
            );
        }
        for (table, (old_columns, old_rows)) in &before {
            let (new_columns, new_rows) = &after[table];
            assert_eq!(
                &new_columns[..old_columns.len()],
                &old_columns[..],
                "{name}: {table} keeps its columns, new ones after them"
            );
            let kept: Vec<Vec<rusqlite::types::Value>> = new_rows
                .iter()
                .map(|row| row[..old_columns.len()].to_vec())
                .collect();
            assert_eq!(&kept, old_rows, "{name}: {table}: a row or a value changed");
            for row in new_rows {
                assert!(
                    row[old_columns.len()..]
                        .iter()
                        .all(|value| *value == rusqlite::types::Value::Null),
                    "{name}: {table}: a new column is not empty on an old row"
                );
            }
        }

        // Every old row reads back through today's commands.
        for row in listed.as_array().unwrap() {
            let id = row["id"].to_string();
            let shown = staxhook_json(&env, 0, &["log", "show", &id]);
            assert_eq!(shown["delivery_id"], row["delivery_id"], "{name} #{id}");
        }
        if version >= 2 {
            let findings = staxhook_json(&env, 0, &["findings"]);
            assert_eq!(
                findings.as_array().unwrap().len(),
                before["findings"].1.len(),
                "{name}: findings"
            );
        }
        // And the migrated file takes new deliveries. (A retention of a century, so that the
        // prune after the emit keeps the old rows, however old the files get.)
        write_private_config(
            &env,
            &simple_config(&server).replace("[defaults]\n", "[defaults]\nretention = \"36500d\"\n"),
        );
        staxhook(&env, &scan_args("scan_id=frozen-1", &[])).expect_code(0);
        assert_eq!(
            log_rows(&env, &["--limit", "1000"]).len(),
            deliveries + 1,
            "{name}"
        );
    }
}

#[test]
fn a_history_from_a_newer_staxhook_is_refused_and_left_untouched() {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(&env, &simple_config(&server));
    history_at_version(&env.history_path(), LATEST_VERSION as usize, "future");
    {
        let connection = open_history(&env.history_path());
        connection
            .pragma_update(None, "user_version", LATEST_VERSION + 1)
            .unwrap();
    }
    let before = files_under(env.path());
    for args in [scan_args("scan_id=n-1", &[]), vec!["log"]] {
        let result = staxhook(&env, &args);
        result.expect_code(2);
        let line = result.one_line_error();
        assert!(line.contains("newer"), "{args:?}: {line}");
        assert!(
            line.contains(&env.history_path().display().to_string()),
            "{args:?}: {line}"
        );
        assert_same_tree(&before, &files_under(env.path()), &format!("{args:?}"));
    }
    assert!(server.requests().is_empty());
}

// ---------------------------------------------------------------------------
// 7. Config writes
// ---------------------------------------------------------------------------

const EDITABLE: &str = "# my hooks\n[defaults]\ntimeout = \"5s\" # short\n\n\
[webhooks.a]\nurl = \"https://a.example/hook\" # keep me\nsecret = \"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"\nenabled = true\n";

/// Edits that must fail without touching the config or leaving a temporary file.
fn edits() -> Vec<Vec<&'static str>> {
    vec![
        vec!["webhook", "add", "b", "--url", "https://b.example/hook"],
        vec!["webhook", "disable", "a"],
        vec!["webhook", "rm", "a"],
        vec!["webhook", "rotate-secret", "a", "--grace", "1h"],
    ]
}

/// How `staxhook` is run so that it cannot write into a folder whose mode is 0555. Root ignores
/// a folder's mode (CAP_DAC_OVERRIDE), and CI runs as root, so there it is run without that
/// capability (`setpriv`) or, failing that, in a mount namespace of its own where the folder is
/// bind-mounted read-only (`unshare`).
#[cfg(unix)]
enum UnwritableFolder {
    /// Not root: the mode is enough.
    ByMode,
    /// `setpriv` drops CAP_DAC_OVERRIDE from the bounding and inheritable sets before running
    /// staxhook, so root's staxhook obeys the mode like anyone else's.
    #[cfg(target_os = "linux")]
    WithoutDacOverride,
    /// `unshare --mount` and a read-only bind mount of the folder, seen by staxhook only.
    /// Stricter than the mode: the files already there cannot be written either.
    #[cfg(target_os = "linux")]
    ReadOnlyBindMount,
}

#[cfg(unix)]
impl UnwritableFolder {
    /// The first way that really keeps a probe from creating a file in `folder`.
    fn find(env: &TestEnv, folder: &Path) -> Result<UnwritableFolder, String> {
        let probe = folder.join(".probe");
        if std::fs::write(&probe, b"x").is_err() {
            return Ok(UnwritableFolder::ByMode);
        }
        let _ = std::fs::remove_file(&probe);
        #[cfg(target_os = "linux")]
        for way in [
            UnwritableFolder::WithoutDacOverride,
            UnwritableFolder::ReadOnlyBindMount,
        ] {
            let answer = way
                .command(env, folder, "sh")
                .args([
                    "-c",
                    "if (: > \"$0/.probe\") 2>/dev/null; then echo writable; else echo refused; fi",
                ])
                .arg(folder)
                .stderr(Stdio::null())
                .output();
            let _ = std::fs::remove_file(&probe);
            if answer.is_ok_and(|answer| answer.stdout == b"refused\n") {
                return Ok(way);
            }
        }
        Err(format!(
            "running as root, and neither `setpriv` (dropping CAP_DAC_OVERRIDE) nor `unshare \
             --mount` (a read-only bind mount) could keep a process from writing into {}",
            folder.display()
        ))
    }

    /// `program` run with [`TestEnv::std_command`]'s isolation, unable to write into `folder`.
    fn command(&self, env: &TestEnv, folder: &Path, program: &str) -> std::process::Command {
        match self {
            UnwritableFolder::ByMode => env.std_command(program),
            #[cfg(target_os = "linux")]
            UnwritableFolder::WithoutDacOverride => {
                let mut command = env.std_command("setpriv");
                command.args([
                    "--inh-caps=-dac_override",
                    "--bounding-set=-dac_override",
                    "--",
                    program,
                ]);
                command
            }
            #[cfg(target_os = "linux")]
            UnwritableFolder::ReadOnlyBindMount => {
                let mut command = env.std_command("unshare");
                command
                    .args(["--mount", "--propagation", "private", "--", "sh", "-c"])
                    .arg(
                        "mount --bind \"$0\" \"$0\" && mount -o remount,bind,ro \"$0\" \"$0\" \
                         && exec \"$@\"",
                    )
                    .arg(folder)
                    .arg(program);
                command
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn a_config_in_a_read_only_folder_is_left_as_it_was() {
    use std::os::unix::fs::PermissionsExt;

    // The temporary file cannot be created next to the config. The lock file is there from an
    // earlier edit (it stays), so the edit gets as far as writing; only an atomic write, which
    // needs a new file beside the config, is refused.
    let env = TestEnv::new();
    let folder = env.path().join("ro");
    std::fs::create_dir(&folder).unwrap();
    let config = folder.join("config.toml");
    write_private_config_at(&config, EDITABLE);
    write_private_config_at(&folder.join(".config.toml.lock"), "");
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
    let unwritable = UnwritableFolder::find(&env, &folder);
    let problems: Vec<String> = match &unwritable {
        Ok(way) => edits()
            .into_iter()
            .filter_map(|args| {
                let started = Instant::now();
                let output = way
                    .command(&env, &folder, STAXHOOK_BINARY)
                    .env("STAXHOOK_CONFIG", &config)
                    .args(&args)
                    .stdin(Stdio::null())
                    .output()
                    .expect("run staxhook");
                let result = Run::from_output(output, started.elapsed());
                let mut problems = Vec::new();
                if result.code == 0 {
                    problems.push(format!("{args:?} succeeded: {}", result.stderr));
                }
                if result.stderr.lines().count() != 1 || !result.stderr.starts_with("error: ") {
                    problems.push(format!("{args:?}: not one error line: {}", result.stderr));
                }
                if std::fs::read_to_string(&config).unwrap() != EDITABLE {
                    problems.push(format!("{args:?} changed the config"));
                }
                if !temp_files(&folder).is_empty() {
                    problems.push(format!("{args:?} left {:?}", temp_files(&folder)));
                }
                if result.stdout.contains("whsec_") {
                    problems.push(format!(
                        "{args:?}: a secret that was never saved was printed"
                    ));
                }
                (!problems.is_empty()).then(|| problems.join("; "))
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    // Writable again, so that the temp dir can be removed, before anything can fail.
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    if let Err(why) = unwritable {
        // Only Linux has both tools; elsewhere root has no way to be refused here.
        if cfg!(target_os = "linux") {
            panic!("{why}");
        }
        eprintln!("note: {why}; the read-only folder part is not checked here");
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[cfg(unix)]
#[test]
fn a_config_in_a_folder_nobody_may_write_is_not_created() {
    // /proc/self: nobody, root included, may create files there. The config does not exist
    // there (an empty config), and must still not.
    if Path::new("/proc/self/status").exists() {
        let env = TestEnv::new();
        let config = Path::new("/proc/self/staxhook-reliability-test.toml");
        let result = run(env.cmd().env("STAXHOOK_CONFIG", config).args([
            "webhook",
            "add",
            "b",
            "--url",
            "https://b.example/hook",
        ]));
        assert_ne!(result.code, 0, "webhook add into /proc/self succeeded");
        let line = result.one_line_error();
        assert!(line.contains("config"), "{line}");
        assert!(!config.exists());
        assert!(
            !result.stdout.contains("whsec_"),
            "a secret that was never saved was printed: {}",
            result.stdout
        );
    }
}

#[cfg(unix)]
#[test]
fn a_config_write_that_fails_midway_is_left_as_it_was() {
    // Writing the temporary file fails (RLIMIT_FSIZE = 0, SIGXFSZ ignored so write(2) returns
    // EFBIG). This applies to root too. stdout/stderr are pipes, which the limit does not
    // affect.
    let env = TestEnv::new();
    write_private_config(&env, EDITABLE);
    for args in edits() {
        let output = env
            .std_command("sh")
            .stdin(Stdio::null())
            .arg("-c")
            .arg("ulimit -f 0 && trap '' XFSZ && exec \"$0\" \"$@\"")
            .arg(STAXHOOK_BINARY)
            .args(&args)
            .output()
            .expect("run sh");
        let result = Run::from_output(output, Duration::ZERO);
        assert_ne!(result.code, 0, "{args:?}: stderr {}", result.stderr);
        let line = result.one_line_error();
        assert!(line.contains("config"), "{args:?}: {line}");
        assert_eq!(env.read_config(), EDITABLE, "{args:?}");
        assert!(
            temp_files(env.path()).is_empty(),
            "{args:?}: {:?}",
            temp_files(env.path())
        );
        assert!(
            !result.stdout.contains("whsec_"),
            "{args:?}: a secret that was never saved was printed: {}",
            result.stdout
        );
    }
}

/// README: an interrupted `webhook add` leaves the old file, never half a file. The process is
/// killed in the middle of writing: a file-size limit (RLIMIT_FSIZE, `ulimit -f 2`: 1 KiB in
/// 512-byte blocks, 2 KiB in 1 KiB ones) below the new config's size, with SIGXFSZ left at its
/// default action, kills it by that signal at the write(2) that crosses the limit, with part of
/// the new text already on disk. The temporary file it could not clean up shows where it died.
#[cfg(unix)]
#[test]
fn a_webhook_add_killed_in_the_middle_of_writing_leaves_the_old_file() {
    use std::os::unix::process::ExitStatusExt;
    /// SIGXFSZ on Linux, the BSDs and macOS.
    const SIGXFSZ: i32 = 25;

    let env = TestEnv::new();
    // The long comment comes first, so the new text starts with the first 4 KiB of the old.
    let old = format!(
        "{}{EDITABLE}",
        "# a long comment, so that the file is well over the limit of 2 KiB\n".repeat(60)
    );
    write_private_config(&env, &old);
    let output = env
        .std_command("sh")
        .stdin(Stdio::null())
        .arg("-c")
        .arg("ulimit -f 2 && exec \"$0\" \"$@\"")
        .arg(STAXHOOK_BINARY)
        .args(["webhook", "add", "b", "--url", "https://b.example/hook"])
        .output()
        .expect("run sh");
    assert_eq!(
        output.status.signal(),
        Some(SIGXFSZ),
        "staxhook was not killed while writing ({:?}); stderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(env.read_config(), old, "the config changed");
    assert!(
        output.stdout.is_empty(),
        "a secret that was never saved was printed: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    // Killed mid-write: the temporary file holds the start of the new text, cut short.
    let left = temp_files(env.path());
    assert_eq!(left.len(), 1, "{left:?}");
    let partial = std::fs::read_to_string(env.path().join(&left[0])).unwrap();
    assert!(
        !partial.is_empty() && partial.len() < old.len() && old.starts_with(&partial),
        "the temporary file is not a cut-off copy ({} of {} bytes)",
        partial.len(),
        old.len()
    );
    // The old file still loads, and the next edit works.
    assert_eq!(staxhook_json(&env, 0, &["webhook", "list"])[0]["name"], "a");
    staxhook(
        &env,
        &["webhook", "add", "b", "--url", "https://b.example/hook"],
    )
    .expect_code(0);
    assert!(env.read_config().starts_with(&old));
}

#[test]
fn concurrent_enable_disable_never_leaves_an_unloadable_config() {
    let env = TestEnv::new();
    write_private_config(&env, EDITABLE);
    let results = in_parallel(20, |index| {
        let action = if index % 2 == 0 { "disable" } else { "enable" };
        staxhook(&env, &["webhook", action, "a"])
    });
    for result in &results {
        result.expect_code(0);
    }
    let listed = staxhook_json(&env, 0, &["webhook", "list"]);
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed:#}");
    assert_eq!(listed[0]["name"], "a");
    let text = env.read_config();
    assert!(
        text.starts_with("# my hooks\n[defaults]\ntimeout = \"5s\" # short\n"),
        "{text}"
    );
    assert!(
        text.contains("url = \"https://a.example/hook\" # keep me\n"),
        "{text}"
    );
    assert!(text.contains(OLD_SECRET), "{text}");
    assert!(
        temp_files(env.path()).is_empty(),
        "{:?}",
        temp_files(env.path())
    );
}

/// How many webhooks (and so concurrent editors) the fleet tests use.
const FLEET: usize = 12;

/// A config with [`FLEET`] enabled webhooks `h0`, `h1`, ….
fn fleet() -> TestEnv {
    let env = TestEnv::new();
    let mut text = String::from("# fleet\n");
    for i in 0..FLEET {
        text.push_str(&format!(
            "\n[webhooks.h{i}]\nurl = \"https://h{i}.example/hook\"\nenabled = true\n"
        ));
    }
    write_private_config(&env, &text);
    env
}

/// One `staxhook ARGS(i)` per webhook of the fleet, all at once.
fn edit_the_fleet_concurrently(
    env: &TestEnv,
    args: impl Fn(usize) -> Vec<String> + Sync,
) -> Vec<Run> {
    in_parallel(FLEET, |i| {
        let args = args(i);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        staxhook(env, &args)
    })
}

// Config edits are read-modify-write; the editor holds a lock beside the config from reading
// to writing (src/config/edit.rs), without which concurrent edits of *different* webhooks
// would overwrite each other: every run would exit 0 and say "Disabled webhook `hN`." /
// "Added webhook …" (printing a secret for a webhook then missing from the file), while only
// the last writer's change survived.

#[test]
fn concurrent_disables_of_different_webhooks_are_all_kept() {
    let env = fleet();
    let disabled = edit_the_fleet_concurrently(&env, |i| {
        vec!["webhook".into(), "disable".into(), format!("h{i}")]
    });
    let listed = staxhook_json(&env, 0, &["webhook", "list"]);
    let lost: Vec<String> = (0..FLEET)
        .filter(|i| disabled[*i].code == 0)
        .map(|i| format!("h{i}"))
        .filter(|name| {
            listed
                .as_array()
                .unwrap()
                .iter()
                .any(|row| row["name"] == name.as_str() && row["enabled"] == true)
        })
        .collect();
    assert!(temp_files(env.path()).is_empty());
    assert!(
        lost.is_empty(),
        "lost updates: {} of {FLEET} concurrent `webhook disable hN` runs exited 0 but their \
         webhook is still enabled: {lost:?}",
        lost.len()
    );
}

#[test]
fn concurrent_adds_of_different_webhooks_are_all_kept() {
    let env = fleet();
    let added = edit_the_fleet_concurrently(&env, |i| {
        vec![
            "webhook".into(),
            "add".into(),
            format!("new{i}"),
            "--url".into(),
            format!("https://new{i}.example/hook"),
        ]
    });
    let listed = staxhook_json(&env, 0, &["webhook", "list"]);
    let missing: Vec<String> = (0..FLEET)
        .filter(|i| added[*i].code == 0)
        .map(|i| format!("new{i}"))
        .filter(|name| {
            !listed
                .as_array()
                .unwrap()
                .iter()
                .any(|row| row["name"] == name.as_str())
        })
        .collect();
    assert!(temp_files(env.path()).is_empty());
    assert!(
        missing.is_empty(),
        "lost updates: {} of {FLEET} concurrent `webhook add newN` runs exited 0 (and printed a \
         secret) but the webhook is not in the config: {missing:?}",
        missing.len()
    );
}

// ---------------------------------------------------------------------------
// 8. rotate-secret
// ---------------------------------------------------------------------------

fn signature_parts(value: &str) -> Vec<&str> {
    value.split(' ').filter(|p| !p.is_empty()).collect()
}

/// The value of `ROT_ENV_SECRET`, the secret of the `from-env` webhook.
const ENV_SECRET: &str = "from-the-environment-8c2f1e";

/// What [`rotate_through_every_stage`] saw at each stage.
struct Rotation {
    /// `rotate-secret rot --grace 1h`: its stdout, the new secret, the config afterwards and
    /// its `previous_secret_expires` line.
    rotated_stdout: String,
    new: String,
    config_after_rotation: String,
    expires_line: String,
    /// During the grace period: an emit, and `verify --webhook rot` of its body signed with
    /// the old and with the new secret.
    grace_request: RecordedRequest,
    verify_old_during_grace: Run,
    verify_new_during_grace: Run,
    /// Once the grace period is over: an emit, and `verify` of the same body signed with the
    /// old secret.
    after_grace_request: RecordedRequest,
    verify_old_after_grace: Run,
    /// `rotate-secret rot --grace 0s`: the newest secret, the config, an emit.
    newest: String,
    config_after_zero_grace: String,
    zero_grace_request: RecordedRequest,
    /// `rotate-secret from-env`, refused, and the config before and after it.
    config_before_refusal: String,
    refused: Run,
    config_after_refusal: String,
    /// The stderr of every run, what `log` and `log show` printed, and the history's bytes
    /// (main file and WAL, both of which must exist).
    stderrs: Vec<String>,
    log_outputs: Vec<String>,
    history_files: Vec<(String, Vec<u8>)>,
}

/// `rot` (a literal secret, with a comment) rotated with a grace period, used during and after
/// it, rotated again without one; `from-env` (a `${VAR}` secret) refused. Every run's exit code
/// is checked on the way.
fn rotate_through_every_stage() -> Rotation {
    let server = TestServer::start();
    let env = TestEnv::new();
    let config = format!(
        "{FAST_DEFAULTS}\n[webhooks.rot]\nurl = \"{}\"\nsecret = \"{OLD_SECRET}\" # rotated by ops\n\
         \n[webhooks.from-env]\nurl = \"{}\"\nsecret = \"${{ROT_ENV_SECRET}}\"\n",
        server.url("/rot"),
        server.url("/env")
    );
    write_private_config(&env, &config);
    let mut stderrs: Vec<String> = Vec::new();
    let mut go = |args: &[&str], code: i32| -> Run {
        let result = run(env.cmd().env("ROT_ENV_SECRET", ENV_SECRET).args(args));
        result.expect_code(code);
        stderrs.push(result.stderr.clone());
        result
    };
    let emit = |go: &mut dyn FnMut(&[&str], i32) -> Run| {
        go(&scan_args("scan_id=r-1", &["--webhook", "rot"]), 0);
        server.requests_for("/rot").last().cloned().unwrap()
    };
    let body_file = env.path().join("body.json");
    let verify = |go: &mut dyn FnMut(&[&str], i32) -> Run, body: &[u8], secret: &str, code: i32| {
        std::fs::write(&body_file, body).unwrap();
        let signature = codestax_signature(secret, body);
        go(
            &[
                "verify",
                "--webhook",
                "rot",
                "--signature",
                &signature,
                body_file.to_str().unwrap(),
            ],
            code,
        )
    };

    let rotated = go(&["webhook", "rotate-secret", "rot", "--grace", "1h"], 0);
    let new = rotated.stdout.trim_end_matches('\n').to_string();
    let config_after_rotation = env.read_config();
    let expires_line = config_after_rotation
        .lines()
        .find(|l| l.starts_with("previous_secret_expires"))
        .expect("previous_secret_expires")
        .to_string();

    let grace_request = emit(&mut go);
    let verify_old_during_grace = verify(&mut go, &grace_request.body, OLD_SECRET, 0);
    let verify_new_during_grace = verify(&mut go, &grace_request.body, &new, 0);
    verify(&mut go, &grace_request.body, NEW_SECRET, 1);

    // Grace over (edited by hand to a past time).
    write_private_config(
        &env,
        &env.read_config().replace(
            &expires_line,
            "previous_secret_expires = \"2001-01-01T00:00:00Z\"",
        ),
    );
    let after_grace_request = emit(&mut go);
    let verify_old_after_grace = verify(&mut go, &grace_request.body, OLD_SECRET, 1);
    verify(&mut go, &grace_request.body, &new, 0);

    let newest = go(&["webhook", "rotate-secret", "rot", "--grace", "0s"], 0)
        .stdout
        .trim()
        .to_string();
    let config_after_zero_grace = env.read_config();
    let zero_grace_request = emit(&mut go);

    let config_before_refusal = env.read_config();
    let refused = go(&["webhook", "rotate-secret", "from-env"], 2);
    let config_after_refusal = env.read_config();

    let log = go(&["--json", "log", "--limit", "1000"], 0);
    let mut log_outputs = vec![log.stdout.clone()];
    for row in log.json().as_array().unwrap() {
        let id = row["id"].to_string();
        log_outputs.push(go(&["--json", "log", "show", &id], 0).stdout);
    }
    let history_files = history_file_bytes(&env);
    Rotation {
        rotated_stdout: rotated.stdout,
        new,
        config_after_rotation,
        expires_line,
        grace_request,
        verify_old_during_grace,
        verify_new_during_grace,
        after_grace_request,
        verify_old_after_grace,
        newest,
        config_after_zero_grace,
        zero_grace_request,
        config_before_refusal,
        refused,
        config_after_refusal,
        stderrs,
        log_outputs,
        history_files,
    }
}

#[test]
fn rotate_secret_prints_the_new_secret_alone_and_keeps_the_old_one_for_the_grace() {
    let Rotation {
        rotated_stdout,
        new,
        config_after_rotation: text,
        expires_line,
        ..
    } = rotate_through_every_stage();
    assert_eq!(
        rotated_stdout,
        format!("{new}\n"),
        "stdout: {rotated_stdout:?}"
    );
    assert!(
        new.starts_with("whsec_") && !new.contains(char::is_whitespace),
        "{new}"
    );
    assert_eq!(standard_webhooks_key(&new).map(|k| k.len()), Some(32));
    assert_ne!(new, OLD_SECRET);
    assert!(
        text.contains(&format!("previous_secret = \"{OLD_SECRET}\"")),
        "{text}"
    );
    assert!(
        text.contains("# rotated by ops"),
        "the comment was lost: {text}"
    );
    let expires: jiff::Timestamp = expires_line
        .split('"')
        .nth(1)
        .unwrap()
        .parse()
        .expect("RFC 3339");
    let in_an_hour = jiff::Timestamp::now().as_second() + 3600;
    assert!(
        (expires.as_second() - in_an_hour).abs() < 120,
        "{expires_line}"
    );
}

#[test]
fn during_the_grace_period_both_secrets_sign_the_new_one_first() {
    let Rotation {
        new, grace_request, ..
    } = rotate_through_every_stage();
    let request = grace_request;
    let body = &request.body;
    assert_eq!(
        request.expect_header("x-codestax-signature"),
        format!(
            "{} {}",
            codestax_signature(&new, body),
            codestax_signature(OLD_SECRET, body)
        )
    );
    let id = request.expect_header("webhook-id");
    let timestamp: i64 = request.expect_header("webhook-timestamp").parse().unwrap();
    let standard = request.expect_header("webhook-signature");
    let parts = signature_parts(standard);
    assert_eq!(parts.len(), 2, "{standard}");
    assert!(parts.iter().all(|p| p.starts_with("v1,")), "{standard}");
    assert_eq!(
        parts[0],
        standard_webhooks_header(&[&new], id, timestamp, body).unwrap()
    );
    assert_eq!(
        parts[1],
        standard_webhooks_header(&[OLD_SECRET], id, timestamp, body).unwrap()
    );
}

#[test]
fn during_the_grace_period_verify_accepts_either_secret() {
    // (A third secret's signature is refused, exit 1: checked while rotating.)
    let Rotation {
        verify_old_during_grace,
        verify_new_during_grace,
        ..
    } = rotate_through_every_stage();
    assert_eq!(verify_old_during_grace.stdout, "valid\n");
    assert_eq!(verify_new_during_grace.stdout, "valid\n");
}

#[test]
fn after_the_grace_period_only_the_new_secret_signs() {
    // (verify with the new secret is exit 0: checked while rotating.)
    let Rotation {
        new,
        after_grace_request: request,
        verify_old_after_grace,
        ..
    } = rotate_through_every_stage();
    assert_eq!(
        request.expect_header("x-codestax-signature"),
        codestax_signature(&new, &request.body)
    );
    assert_eq!(
        signature_parts(request.expect_header("webhook-signature")).len(),
        1
    );
    assert!(verify_old_after_grace.stdout.starts_with("invalid: "));
}

#[test]
fn a_zero_grace_period_drops_the_old_secret_at_once() {
    let Rotation {
        new,
        newest,
        config_after_zero_grace: text,
        zero_grace_request: request,
        ..
    } = rotate_through_every_stage();
    assert!(newest.starts_with("whsec_") && newest != new);
    assert!(!text.contains("previous_secret"), "{text}");
    assert!(!text.contains(&new) && !text.contains(OLD_SECRET), "{text}");
    assert_eq!(
        request.expect_header("x-codestax-signature"),
        codestax_signature(&newest, &request.body)
    );
}

#[test]
fn a_secret_from_a_variable_is_rotated_where_the_variable_is_set_not_here() {
    let Rotation {
        config_before_refusal,
        refused,
        config_after_refusal,
        ..
    } = rotate_through_every_stage();
    let line = refused.one_line_error();
    assert!(line.contains("ROT_ENV_SECRET"), "{line}");
    assert!(refused.stdout.is_empty(), "{}", refused.stdout);
    assert_eq!(config_after_refusal, config_before_refusal);
}

#[test]
fn no_secret_old_or_new_leaks_during_a_rotation() {
    // Not in stderr, the log, or the history file.
    let Rotation {
        new,
        newest,
        stderrs,
        log_outputs,
        history_files,
        grace_request,
        after_grace_request,
        zero_grace_request,
        ..
    } = rotate_through_every_stage();
    let secrets = [OLD_SECRET, new.as_str(), newest.as_str(), ENV_SECRET];
    for secret in secrets {
        for (i, stderr) in stderrs.iter().enumerate() {
            assert!(
                !stderr.contains(secret),
                "stderr of run {i} holds a secret: {stderr}"
            );
        }
        for text in &log_outputs {
            assert!(!text.contains(secret), "log output holds a secret");
        }
    }
    // The deliveries' ids are in their rows, so the files read are the ones written.
    let delivery_ids = [
        grace_request.delivery_id(),
        after_grace_request.delivery_id(),
        zero_grace_request.delivery_id(),
    ];
    assert_history_files(&history_files, &secrets, &delivery_ids);
}

// ---------------------------------------------------------------------------
// 9. Bad input
// ---------------------------------------------------------------------------

/// What every bad-input case starts from: `alpha` (signed) and `beta` in the config, a history
/// with one emit in it, and a data file that is not UTF-8. No case may change any of it.
struct BadInput {
    server: TestServer,
    env: TestEnv,
    /// The config every case starts from.
    base: String,
    /// Its two webhook tables.
    hooks: String,
    /// Requests the server had before the cases ran.
    sent: usize,
}

impl BadInput {
    fn new() -> BadInput {
        let server = TestServer::start();
        let env = TestEnv::new();
        let hooks = format!(
            "\n[webhooks.alpha]\nurl = \"{}\"\nsecret = \"{OLD_SECRET}\"\n\n[webhooks.beta]\nurl = \"{}\"\n",
            server.url("/alpha"),
            server.url("/beta")
        );
        let base = format!("{FAST_DEFAULTS}{hooks}");
        write_private_config(&env, &base);
        staxhook(&env, &scan_args("scan_id=base", &[])).expect_code(0);
        let sent = server.requests().len();
        assert_eq!(sent, 2);
        std::fs::write(
            env.path().join("not-utf8.json"),
            b"{\"scan_id\": \"\xff\xfe\"}",
        )
        .unwrap();
        BadInput {
            server,
            env,
            base,
            hooks,
            sent,
        }
    }

    /// A config whose `alpha` table has one more line, `key_line`: line 9 of the file
    /// (FAST_DEFAULTS is 5 lines, then a blank line, `[webhooks.alpha]` on 7, `url` on 8).
    fn alpha_with(&self, key_line: &str) -> String {
        format!(
            "{FAST_DEFAULTS}\n[webhooks.alpha]\nurl = \"{}\"\n{key_line}\n",
            self.server.url("/alpha")
        )
    }

    /// `staxhook ARGS` with the base config.
    fn refuse(&self, args: &[&str]) -> String {
        self.refuse_with(None, args, None)
    }

    /// `staxhook ARGS` with `config` in place of the base config.
    fn refuse_config(&self, config: &str, args: &[&str]) -> String {
        self.refuse_with(Some(config), args, None)
    }

    /// Runs `staxhook ARGS` (with `config` in place of the base config, and `stdin`) and
    /// asserts that it was refused as bad input: exit 2, one `error: ` line, nothing on
    /// stdout, no file changed, nothing sent. Returns the error line with the paths redacted
    /// (`<config>`, ...), so that it reads the same on every machine. The base config is back
    /// in place afterwards.
    #[track_caller]
    fn refuse_with(&self, config: Option<&str>, args: &[&str], stdin: Option<&[u8]>) -> String {
        if let Some(text) = config {
            write_private_config(&self.env, text);
        }
        let before = files_under(self.env.path());
        let mut cmd = self.env.cmd();
        cmd.args(args);
        if let Some(bytes) = stdin {
            cmd.write_stdin(bytes.to_vec());
        }
        let result = run(&mut cmd);
        let line = result.expect_usage_error().to_string();
        let after = files_under(self.env.path());
        let changed: Vec<String> = before
            .keys()
            .chain(after.keys())
            .filter(|p| before.get(*p) != after.get(*p))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|p| p.display().to_string())
            .collect();
        assert!(changed.is_empty(), "{args:?}: files changed: {changed:?}");
        assert_eq!(
            self.server.requests().len(),
            self.sent,
            "{args:?}: something was sent"
        );
        if config.is_some() {
            write_private_config(&self.env, &self.base);
        }
        self.env.redact_paths(&line)
    }
}

#[test]
fn a_malformed_config_is_exit_2_with_one_line_and_changes_nothing() {
    let bad = BadInput::new();
    let scan = scan_args("scan_id=bad", &[]);
    let hooks = &bad.hooks;
    // Malformed TOML.
    insta::assert_snapshot!(
        bad.refuse_config(
            &format!("{FAST_DEFAULTS}\n[webhooks.alpha\nurl = \"https://x.example/\"\n"),
            &scan,
        ),
        @"error: <config>:7:16: unclosed table, expected `]`"
    );
    // An unknown key.
    insta::assert_snapshot!(
        bad.refuse_config(&format!("{FAST_DEFAULTS}colour = true\n{hooks}"), &scan),
        @"error: <config>:6:1: unknown field `colour`, expected one of `timeout`, `max_attempts`, `initial_backoff`, `max_backoff`, `max_elapsed`, `retention`, `history`, `digest_after`"
    );
    // A value of the wrong type.
    insta::assert_snapshot!(
        bad.refuse_config(&bad.alpha_with("max_attempts = \"5\""), &scan),
        @"error: <config>:9:16: invalid type: found a string, expected an integer"
    );
    // Durations that are not durations, in [defaults] and in a webhook.
    insta::assert_snapshot!(
        bad.refuse_config(
            &format!("[defaults]\ntimeout = \"5x\"\n{hooks}"),
            &scan,
        ),
        @"error: <config>:2:11: defaults.timeout: invalid duration `5x`: unknown unit `x` (write it like 250ms, 90s, 15m, 24h, 30d or 1h30m)"
    );
    insta::assert_snapshot!(
        bad.refuse_config(&bad.alpha_with("timeout = \"5x\""), &scan),
        @"error: <config>:9:11: webhooks.alpha.timeout: invalid duration `5x`: unknown unit `x` (write it like 250ms, 90s, 15m, 24h, 30d or 1h30m)"
    );
}

#[test]
fn an_invalid_config_value_is_exit_2_with_one_line_and_changes_nothing() {
    let bad = BadInput::new();
    let scan = scan_args("scan_id=bad", &[]);
    // An invalid URL.
    insta::assert_snapshot!(
        bad.refuse_config(
            &format!("{FAST_DEFAULTS}\n[webhooks.alpha]\nurl = \"not a url\"\n"),
            &scan,
        ),
        @"error: <config>:8:7: webhooks.alpha.url: invalid URL: relative URL without a base"
    );
    // An unknown channel and an unknown event: a suggestion and the valid ones.
    insta::assert_snapshot!(
        bad.refuse_config(&bad.alpha_with("channel = \"slak\""), &scan),
        @"error: <config>:9:11: webhooks.alpha.channel: unknown channel `slak`: did you mean `slack`? (valid: slack, teams, discord, pagerduty, generic)"
    );
    insta::assert_snapshot!(
        bad.refuse_config(&bad.alpha_with("events = [\"scan-complet\"]"), &scan),
        @"error: <config>:9:11: webhooks.alpha.events: unknown event `scan-complet`: did you mean `scan_complete`? (valid: scan_complete, critical_vulnerability, kev_found, policy_violation, sla_breach)"
    );
    // A webhook name with a dot.
    insta::assert_snapshot!(
        bad.refuse_config(
            &format!("{FAST_DEFAULTS}\n[webhooks.\"my.hook\"]\nurl = \"https://g.example/x\"\n"),
            &scan,
        ),
        @"error: <config>:7:11: invalid webhook name `my.hook`: use 1 to 64 of the characters A-Z a-z 0-9 _ -"
    );
    // A ${VAR} that is not set.
    insta::assert_snapshot!(
        bad.refuse_config(
            &bad.alpha_with("secret = \"${STAXHOOK_TEST_UNSET_SECRET}\""),
            &scan,
        ),
        @"error: <config>:9:10: webhooks.alpha.secret uses ${STAXHOOK_TEST_UNSET_SECRET}, which is not set"
    );
    // Plain http:// off loopback in a hand-edited config.
    insta::assert_snapshot!(
        bad.refuse_config(
            &format!("{FAST_DEFAULTS}\n[webhooks.alpha]\nurl = \"http://example.com/hook\"\n"),
            &scan,
        ),
        @"error: <config>:8:7: webhooks.alpha.url: plain http:// to example.com is refused; use https, or set allow_insecure = true for this webhook"
    );
}

#[test]
fn an_unknown_name_is_exit_2_with_one_line_and_changes_nothing() {
    // Each error suggests the closest name and lists the valid ones.
    let bad = BadInput::new();
    insta::assert_snapshot!(
        bad.refuse(&[
            "webhook", "add", "gamma", "--url", "https://g.example/x", "--channel", "slak",
        ]),
        @"error: invalid value 'slak' for '--channel <CHANNEL>': unknown channel `slak`: did you mean `slack`? (valid: slack, teams, discord, pagerduty, generic)"
    );
    insta::assert_snapshot!(
        bad.refuse(&["emit", "kev-fonud", "--repo", "o/r"]),
        @"error: invalid value 'kev-fonud' for '[EVENT]': unknown event `kev-fonud`: did you mean `kev_found`? (valid: scan_complete, critical_vulnerability, kev_found, policy_violation, sla_breach)"
    );
    insta::assert_snapshot!(
        bad.refuse(&[
            "webhook", "add", "gamma", "--url", "https://g.example/x", "--event", "kev-fonud",
        ]),
        @"error: invalid value 'kev-fonud' for '--event <EVENT>': unknown event `kev-fonud`: did you mean `kev_found`? (valid: scan_complete, critical_vulnerability, kev_found, policy_violation, sla_breach)"
    );
    insta::assert_snapshot!(
        bad.refuse(&[
            "emit", "scan_complete", "--repo", "o/r", "--set", "scan_id=1", "--webhook", "alpah",
        ]),
        @"error: --webhook `alpah`: no such webhook in <config>: did you mean `alpha`? (valid: alpha, beta)"
    );
    insta::assert_snapshot!(
        bad.refuse(&["webhook", "disable", "alpah"]),
        @"error: unknown webhook `alpah` in <config>: did you mean `alpha`? (valid: alpha, beta)"
    );
    insta::assert_snapshot!(
        bad.refuse(&["webhook", "rotate-secret", "bet"]),
        @"error: unknown webhook `bet` in <config>: did you mean `beta`? (valid: alpha, beta)"
    );
    insta::assert_snapshot!(
        bad.refuse(&["send-test", "alpah"]),
        @"error: webhook `alpah`: no such webhook in <config>: did you mean `alpha`? (valid: alpha, beta)"
    );
    insta::assert_snapshot!(
        bad.refuse(&[
            "verify", "--webhook", "alpah", "--signature", "sha256=00", "not-utf8.json",
        ]),
        @"error: --webhook: unknown webhook `alpah` in <config>: did you mean `alpha`? (valid: alpha, beta)"
    );
    insta::assert_snapshot!(
        bad.refuse(&["log", "--status", "bogus"]),
        @r#"error: invalid value 'bogus' for '--status <STATUS>': unknown status `bogus`: valid: pending, delivered, failed"#
    );
}

#[test]
fn bad_data_is_exit_2_with_one_line_and_changes_nothing() {
    let bad = BadInput::new();
    let data = |value: &'static str| ["emit", "scan_complete", "--repo", "o/r", "--data", value];
    insta::assert_snapshot!(
        bad.refuse(&data("{\"scan_id\": ")),
        @"error: --data (inline): invalid JSON: EOF while parsing a value at line 1 column 12"
    );
    insta::assert_snapshot!(
        bad.refuse(&data("[1, 2]")),
        @"error: --data (inline): expected a JSON object, found an array"
    );
    insta::assert_snapshot!(
        bad.refuse(&data("@missing.json")),
        @"error: --data @missing.json: No such file or directory (os error 2)"
    );
    insta::assert_snapshot!(
        bad.refuse(&data("@not-utf8.json")),
        @"error: --data @not-utf8.json: is not UTF-8 text"
    );
    insta::assert_snapshot!(
        bad.refuse_with(None, &data("-"), Some(b"{\"scan_id\": \"\xc3\x28\"}")),
        @"error: --data (standard input): is not UTF-8 text"
    );
    insta::assert_snapshot!(
        bad.refuse(&["emit", "scan_complete", "--repo", "o/r", "--set", "scan_id"]),
        @"error: --set `scan_id`: expected PATH=VALUE, e.g. --set package.name=xz"
    );
}

#[test]
fn a_bad_duration_is_exit_2_with_one_line_and_changes_nothing() {
    let bad = BadInput::new();
    insta::assert_snapshot!(
        bad.refuse(&["log", "--since", "5x"]),
        @"error: --since: invalid duration `5x`: unknown unit `x` (write it like 250ms, 90s, 15m, 24h, 30d or 1h30m)"
    );
    insta::assert_snapshot!(
        bad.refuse(&["redeliver", "--failed", "--since", "5x"]),
        @"error: --since: invalid duration `5x`: unknown unit `x` (write it like 250ms, 90s, 15m, 24h, 30d or 1h30m)"
    );
    insta::assert_snapshot!(
        bad.refuse(&[
            "verify", "--secret", "s", "--signature", "sha256=00", "--max-age", "5x", "not-utf8.json",
        ]),
        @"error: --max-age: invalid duration `5x`: unknown unit `x` (write it like 250ms, 90s, 15m, 24h, 30d or 1h30m)"
    );
    insta::assert_snapshot!(
        bad.refuse(&["log", "prune", "--older-than", "5x"]),
        @"error: --older-than: invalid duration `5x`: unknown unit `x` (write it like 250ms, 90s, 15m, 24h, 30d or 1h30m)"
    );
    insta::assert_snapshot!(
        bad.refuse(&["webhook", "rotate-secret", "alpha", "--grace", "5x"]),
        @"error: --grace: invalid duration `5x`: unknown unit `x` (write it like 250ms, 90s, 15m, 24h, 30d or 1h30m)"
    );
}

#[test]
fn a_bad_webhook_to_add_is_exit_2_with_one_line_and_changes_nothing() {
    let bad = BadInput::new();
    insta::assert_snapshot!(
        bad.refuse(&["webhook", "add", "my hook", "--url", "https://g.example/x"]),
        @"error: invalid webhook name `my hook`: use 1 to 64 of the characters A-Z a-z 0-9 _ -"
    );
    insta::assert_snapshot!(
        bad.refuse(&["webhook", "add", "my.hook", "--url", "https://g.example/x"]),
        @"error: invalid webhook name `my.hook`: use 1 to 64 of the characters A-Z a-z 0-9 _ -"
    );
    // Plain http:// off loopback.
    insta::assert_snapshot!(
        bad.refuse(&["webhook", "add", "gamma", "--url", "http://example.com/hook"]),
        @"error: --url: plain http:// to example.com is refused; use https, or pass --allow-insecure"
    );
}
