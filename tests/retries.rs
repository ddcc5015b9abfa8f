//! docs/reference.md §5 retries against the loopback test server: what is retried, how many
//! times, the idempotency key across attempts, `Retry-After` (seconds and HTTP
//! date), `max_elapsed`, timeouts, resets, refused connections, and the 64 KiB
//! response limit.

use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::prelude::*;

/// `[defaults]` with small waits.
fn defaults(timeout: &str, max_attempts: u32, max_elapsed: &str) -> String {
    format!(
        "[defaults]\ninitial_backoff = \"10ms\"\nmax_backoff = \"50ms\"\ntimeout = \"{timeout}\"\n\
         max_attempts = {max_attempts}\nmax_elapsed = \"{max_elapsed}\"\n"
    )
}

/// A config with `[defaults]` and one webhook `hook` at `url`.
fn setup(url: &str, timeout: &str, max_attempts: u32, max_elapsed: &str) -> TestEnv {
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{}{}",
            defaults(timeout, max_attempts, max_elapsed),
            signed_hook("hook", url, "")
        ),
    );
    env
}

/// `--json emit critical_vulnerability` to the one webhook; returns the run and its one result.
fn emit(env: &TestEnv) -> (Run, Value) {
    let run = staxhook(
        env,
        &[
            "--json",
            "emit",
            "critical_vulnerability",
            "--repo",
            "o/r",
            "--set",
            "cve_id=CVE-2024-3094",
            "--set",
            "package.name=xz",
        ],
    );
    let results = run.json();
    let list = results.as_array().expect("JSON array");
    assert_eq!(list.len(), 1, "{results}");
    let result = list[0].clone();
    (run, result)
}

/// `log show ID --json`.
fn show(env: &TestEnv, id: &Value) -> Value {
    let id = id.as_i64().expect("log_id").to_string();
    let run = staxhook(env, &["--json", "log", "show", &id]);
    run.expect_code(0);
    run.json()
}

fn error_text(result: &Value) -> String {
    result["error"]
        .as_str()
        .unwrap_or_else(|| panic!("error expected: {result}"))
        .to_string()
}

fn gap(requests: &[RecordedRequest], index: usize) -> Duration {
    requests[index].received_at - requests[index - 1].received_at
}

#[test]
fn server_errors_then_success_is_delivered_with_one_delivery_id() {
    let server = TestServer::start();
    server.script(
        "/hook",
        vec![
            Behavior::Status(503),
            Behavior::Status(503),
            Behavior::Status(200),
        ],
    );
    let env = setup(&server.url("/hook"), "500ms", 5, "5s");
    let (run, result) = emit(&env);
    run.expect_code(0);
    assert_eq!(result["status"], "delivered");
    assert_eq!(result["attempts"], 3);
    assert_eq!(result["http_status"], 200);
    assert_eq!(result["error"], Value::Null);

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let id = requests[0].delivery_id();
    assert_eq!(result["delivery_id"], id);
    for request in &requests {
        assert_eq!(
            request.delivery_id(),
            id,
            "same idempotency key on every attempt"
        );
        assert_eq!(request.body, requests[0].body, "same body on every attempt");
        assert_eq!(
            request.header("x-codestax-signature").unwrap(),
            codestax_signature(SECRET, &request.body)
        );
    }

    // The history has each attempt.
    let detail = show(&env, &result["log_id"]);
    assert_eq!(detail["status"], "delivered");
    let statuses: Vec<&Value> = detail["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["http_status"])
        .collect();
    assert_eq!(
        statuses,
        [&Value::from(503), &Value::from(503), &Value::from(200)]
    );
    let numbers: Vec<&Value> = detail["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["number"])
        .collect();
    assert_eq!(numbers, [&Value::from(1), &Value::from(2), &Value::from(3)]);
}

#[test]
fn persistent_500_gives_up_after_max_attempts() {
    let server = TestServer::start();
    server.set_default("/hook", Behavior::Status(500));
    let env = setup(&server.url("/hook"), "500ms", 4, "5s");
    let (run, result) = emit(&env);
    run.expect_code(1);
    assert_eq!(server.requests().len(), 4, "exactly max_attempts requests");
    assert_eq!(result["status"], "failed");
    assert_eq!(result["attempts"], 4);
    assert_eq!(result["http_status"], 500);
    let error = error_text(&result);
    insta::assert_snapshot!(error, @"gave up after 4 attempts: HTTP 500");

    // A per-webhook max_attempts overrides [defaults].
    let server = TestServer::start();
    server.set_default("/hook", Behavior::Status(502));
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{}{}",
            defaults("500ms", 5, "5s"),
            signed_hook("hook", &server.url("/hook"), "max_attempts = 2")
        ),
    );
    let (run, result) = emit(&env);
    run.expect_code(1);
    assert_eq!(server.requests().len(), 2);
    assert_eq!(result["attempts"], 2);
}

#[test]
fn client_errors_are_not_retried() {
    let server = TestServer::start();
    for status in [400u16, 401, 403, 404, 410, 422] {
        let path = format!("/s{status}");
        server.set_default(&path, Behavior::Status(status));
        let env = setup(&server.url(&path), "500ms", 5, "5s");
        let (run, result) = emit(&env);
        run.expect_code(1);
        assert_eq!(
            server.requests_for(&path).len(),
            1,
            "HTTP {status} must not be retried"
        );
        assert_eq!(result["attempts"], 1, "{status}");
        assert_eq!(result["http_status"], status, "{status}");
        assert_eq!(result["status"], "failed");
        assert!(error_text(&result).contains(&status.to_string()));
    }
}

#[test]
fn statuses_408_425_429_are_retried() {
    let server = TestServer::start();
    for status in [408u16, 425, 429, 504] {
        let path = format!("/s{status}");
        server.script(&path, vec![Behavior::Status(status), Behavior::Status(200)]);
        let env = setup(&server.url(&path), "500ms", 5, "5s");
        let (run, result) = emit(&env);
        run.expect_code(0);
        assert_eq!(
            server.requests_for(&path).len(),
            2,
            "HTTP {status} is retried"
        );
        assert_eq!(result["attempts"], 2, "{status}");
        assert_eq!(result["status"], "delivered");
    }
}

#[test]
fn redirect_is_a_failure_with_its_location_recorded() {
    let server = TestServer::start();
    // The Location points back at this server, so a followed redirect would show up here.
    let moved = server.url("/moved/here");
    for status in [301u16, 302, 307, 308] {
        let path = format!("/r{status}");
        server.set_default(
            &path,
            Behavior::Redirect {
                status,
                location: format!("{moved}?token=s3cr3t"),
            },
        );
        let env = setup(&server.url(&path), "500ms", 5, "5s");
        let (run, result) = emit(&env);
        assert_eq!(
            server.requests_for("/moved/here").len(),
            0,
            "{status}: the redirect was followed"
        );
        run.expect_code(1);
        assert_eq!(server.requests_for(&path).len(), 1, "{status}: not retried");
        assert_eq!(result["attempts"], 1);
        assert_eq!(result["http_status"], status);
        let error = error_text(&result);
        assert!(
            error.contains(&moved),
            "{status}: the error should carry the Location: {error}"
        );
        assert!(!error.contains("s3cr3t"), "{error}");

        let detail = show(&env, &result["log_id"]);
        assert!(
            detail["error"].as_str().unwrap().contains(&moved),
            "{detail}"
        );
        let attempt = &detail["attempts"][0];
        assert_eq!(attempt["http_status"], status);
        assert!(
            attempt["response_headers"]["location"]
                .as_str()
                .is_some_and(|l| l.starts_with(&moved)),
            "{attempt}"
        );
    }
    assert_eq!(
        server.requests().len(),
        4,
        "one request per redirect, nothing else"
    );
}

#[test]
fn retry_after_seconds_replaces_the_backoff() {
    let server = TestServer::start();
    server.script(
        "/hook",
        vec![
            Behavior::TooManyRequests {
                retry_after: "1".into(),
            },
            Behavior::Status(200),
        ],
    );
    // max_elapsed far above the wait, so a wrong, longer wait is not cut short but seen.
    let env = setup(&server.url("/hook"), "500ms", 5, "30s");
    let (run, result) = emit(&env);
    run.expect_code(0);
    assert_eq!(result["attempts"], 2);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(result["duration_ms"].as_u64().unwrap() >= 950, "{result}");
    let waited = gap(&requests, 1);
    assert!(
        waited >= Duration::from_millis(950)
            && waited < Duration::from_secs(1) + BUSY_MACHINE_SLACK,
        "Retry-After: 1 should make the next attempt come ~1 s later, came after {waited:?}"
    );
}

#[test]
fn retry_after_http_date_replaces_the_backoff() {
    let server = TestServer::start();
    // Dated by the server as it answers, 3 s ahead in whole seconds: more than 2 s after the
    // first request, however late the process started (a date fixed when the test starts
    // shrinks by every moment the process takes to get going).
    server.script(
        "/hook",
        vec![
            Behavior::TooManyRequestsUntil { seconds_ahead: 3 },
            Behavior::Status(200),
        ],
    );
    let env = setup(&server.url("/hook"), "500ms", 5, "30s");
    let (run, result) = emit(&env);
    run.expect_code(0);
    assert_eq!(result["attempts"], 2);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let waited = gap(&requests, 1);
    // More than 2 s (less a little for the wall clock's and the monotonic clock's resolution)
    // and at most the 3 s asked for, plus what a busy machine adds.
    assert!(
        waited >= Duration::from_millis(1950)
            && waited < Duration::from_secs(3) + BUSY_MACHINE_SLACK,
        "Retry-After as an HTTP date 2-3 s ahead; the next attempt came after {waited:?}"
    );
}

#[test]
fn retry_after_past_max_elapsed_gives_up_at_once() {
    let server = TestServer::start();
    server.set_default(
        "/hook",
        Behavior::TooManyRequests {
            retry_after: "600".into(),
        },
    );
    // Waiting until max_elapsed (30 s) before giving up would be far beyond the slack.
    let env = setup(&server.url("/hook"), "500ms", 5, "30s");
    let (run, result) = emit(&env);
    run.expect_code(1);
    assert_eq!(server.requests().len(), 1);
    assert_eq!(result["attempts"], 1);
    assert_eq!(result["http_status"], 429);
    assert!(
        run.elapsed < BUSY_MACHINE_SLACK,
        "gave up only after {:?}",
        run.elapsed
    );
    let error = error_text(&result);
    assert!(
        error.contains("max_elapsed"),
        "the error should say why: {error}"
    );
    let detail = show(&env, &result["log_id"]);
    assert!(detail["error"].as_str().unwrap().contains("max_elapsed"));
}

#[test]
fn backoff_past_max_elapsed_gives_up_early() {
    // initial_backoff 30s with max_elapsed 20s: the first retry would pass the budget. Waiting
    // for the backoff (24-36 s) or until max_elapsed (20 s) would be far beyond the slack.
    let server = TestServer::start();
    server.set_default("/hook", Behavior::Status(503));
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "[defaults]\ninitial_backoff = \"30s\"\nmax_backoff = \"60s\"\ntimeout = \"500ms\"\n\
             max_attempts = 5\nmax_elapsed = \"20s\"\n{}",
            signed_hook("hook", &server.url("/hook"), "")
        ),
    );
    let (run, result) = emit(&env);
    run.expect_code(1);
    assert_eq!(server.requests().len(), 1);
    assert_eq!(result["attempts"], 1);
    assert!(run.elapsed < BUSY_MACHINE_SLACK, "{:?}", run.elapsed);
    assert!(error_text(&result).contains("max_elapsed"));
}

#[test]
fn hanging_endpoint_times_out_each_attempt() {
    let server = TestServer::start();
    server.set_default("/hook", Behavior::Hang);
    // max_elapsed 60s: an attempt that ignored the 300 ms timeout would hang until then
    // (the run is killed at 60 s), far beyond the slack.
    let env = setup(&server.url("/hook"), "300ms", 3, "60s");
    let (run, result) = emit(&env);
    run.expect_code(1);
    assert_eq!(server.requests().len(), 3);
    assert_eq!(result["attempts"], 3);
    assert_eq!(result["http_status"], Value::Null);
    let error = error_text(&result);
    insta::assert_snapshot!(error, @"gave up after 3 attempts: timed out after 300ms");
    assert!(
        run.elapsed >= Duration::from_millis(900)
            && run.elapsed < Duration::from_millis(3 * 300 + 2 * 50) + BUSY_MACHINE_SLACK,
        "3 attempts of ~300 ms took {:?}",
        run.elapsed
    );
    let detail = show(&env, &result["log_id"]);
    let slack = BUSY_MACHINE_SLACK.as_millis() as u64;
    for attempt in detail["attempts"].as_array().unwrap() {
        let duration = attempt["duration_ms"].as_u64().unwrap();
        assert!(
            (250..300 + slack).contains(&duration),
            "an attempt should end near the 300 ms timeout: {attempt}"
        );
        assert_eq!(attempt["http_status"], Value::Null);
        assert!(attempt["error"].as_str().unwrap().contains("timed out"));
    }
}

#[test]
fn an_attempt_never_runs_past_max_elapsed() {
    // timeout 30s but max_elapsed 700ms: the delivery ends near 700 ms, not at the timeout.
    let server = TestServer::start();
    server.set_default("/hook", Behavior::Hang);
    let env = setup(&server.url("/hook"), "30s", 5, "700ms");
    let (run, result) = emit(&env);
    run.expect_code(1);
    assert!(
        run.elapsed < Duration::from_millis(700) + BUSY_MACHINE_SLACK,
        "max_elapsed 700ms, took {:?}",
        run.elapsed
    );
    let duration = result["duration_ms"].as_u64().unwrap();
    let slack = BUSY_MACHINE_SLACK.as_millis() as u64;
    assert!(
        (600..700 + slack).contains(&duration),
        "duration_ms {duration} should be about max_elapsed"
    );
}

#[test]
fn reset_connection_is_retried_and_recorded_without_status() {
    let server = TestServer::start();
    server.script("/hook", vec![Behavior::Reset, Behavior::Status(200)]);
    let env = setup(&server.url("/hook"), "500ms", 5, "5s");
    let (run, result) = emit(&env);
    run.expect_code(0);
    assert_eq!(server.requests().len(), 2);
    assert_eq!(result["attempts"], 2);
    let detail = show(&env, &result["log_id"]);
    let first = &detail["attempts"][0];
    assert_eq!(first["http_status"], Value::Null, "{first}");
    assert!(
        first["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{first}"
    );
    assert_eq!(detail["attempts"][1]["http_status"], 200);

    // Reset every time: failed, no status.
    let server = TestServer::start();
    server.set_default("/hook", Behavior::Reset);
    let env = setup(&server.url("/hook"), "500ms", 3, "5s");
    let (run, result) = emit(&env);
    run.expect_code(1);
    assert_eq!(server.requests().len(), 3);
    assert_eq!(result["attempts"], 3);
    assert_eq!(result["http_status"], Value::Null);
    assert!(result["error"].is_string());
}

#[test]
fn connection_refused_is_retried_then_fails() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    // A refused connection ends at once: treated like a hang it would take the 30 s timeout.
    let env = setup(&format!("http://127.0.0.1:{port}/hook"), "30s", 3, "60s");
    let (run, result) = emit(&env);
    run.expect_code(1);
    assert_eq!(result["status"], "failed");
    assert_eq!(result["attempts"], 3, "a refused connection is retried");
    assert_eq!(result["http_status"], Value::Null);
    let error = error_text(&result).to_lowercase();
    assert!(
        error.contains("connect") || error.contains("refused"),
        "{error}"
    );
    assert!(run.elapsed < BUSY_MACHINE_SLACK, "{:?}", run.elapsed);
    let detail = show(&env, &result["log_id"]);
    assert_eq!(detail["attempts"].as_array().unwrap().len(), 3);
}

#[test]
fn huge_response_body_is_cut_at_64_kib() {
    let server = TestServer::start();
    // 64 GiB announced and sent for as long as the client reads: reading it all would take
    // until the 30 s timeout, far beyond the slack, so a quick end shows the rest was dropped.
    server.set_default(
        "/hook",
        Behavior::HugeBody {
            status: 200,
            size: 64 << 30,
        },
    );
    let env = setup(&server.url("/hook"), "30s", 3, "60s");
    let (run, result) = emit(&env);
    run.expect_code(0);
    assert_eq!(result["attempts"], 1);
    assert_eq!(result["http_status"], 200);
    assert!(run.elapsed < BUSY_MACHINE_SLACK, "{:?}", run.elapsed);
    let detail = show(&env, &result["log_id"]);
    let attempt = &detail["attempts"][0];
    let body = attempt["response_body"].as_str().unwrap();
    assert!(
        !body.is_empty() && body.len() <= 64 * 1024,
        "stored {} bytes",
        body.len()
    );
    assert!(body.bytes().all(|b| b == b'x'));
    assert_eq!(
        attempt["response_truncated"], true,
        "{}",
        attempt["response_truncated"]
    );

    // Also straight from the SQLite file: no attempt keeps more than 64 KiB.
    let connection = open_history(&env.history_path());
    let longest: i64 = connection
        .query_row(
            "SELECT max(length(CAST(response_body AS BLOB))) FROM attempts",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert!(longest <= 64 * 1024, "{longest}");
}

#[test]
fn small_response_body_is_kept_whole_and_not_flagged() {
    let server = TestServer::start();
    server.set_default(
        "/hook",
        Behavior::Respond {
            status: 202,
            headers: vec![("X-Reply".into(), "yes".into())],
            body: b"accepted, thanks".to_vec(),
        },
    );
    let env = setup(&server.url("/hook"), "500ms", 3, "5s");
    let (run, result) = emit(&env);
    run.expect_code(0);
    assert_eq!(result["http_status"], 202);
    let attempt = &show(&env, &result["log_id"])["attempts"][0];
    assert_eq!(attempt["response_body"], "accepted, thanks");
    assert_eq!(attempt["response_truncated"], false);
    assert_eq!(attempt["response_headers"]["x-reply"], "yes");
}

#[test]
fn endless_body_ends_within_the_timeout() {
    let server = TestServer::start();
    server.set_default("/hook", Behavior::EndlessBody { status: 200 });
    // max_elapsed 60s: a body read past the timeout would go on until then.
    let env = setup(&server.url("/hook"), "500ms", 3, "60s");
    let (run, result) = emit(&env);
    run.expect_code(0);
    assert_eq!(result["status"], "delivered", "{result}");
    assert_eq!(result["http_status"], 200);
    assert_eq!(result["attempts"], 1);
    assert_eq!(server.requests().len(), 1);
    assert!(
        run.elapsed < Duration::from_millis(500) + BUSY_MACHINE_SLACK,
        "an endless body must not hold the tool past the 500 ms timeout: {:?}",
        run.elapsed
    );
    let attempt = &show(&env, &result["log_id"])["attempts"][0];
    assert_eq!(attempt["http_status"], 200);
    assert_eq!(attempt["response_truncated"], true);
    assert!(
        attempt["response_body"]
            .as_str()
            .unwrap()
            .contains("still streaming"),
        "{attempt}"
    );
    let duration = attempt["duration_ms"].as_u64().unwrap();
    let slack = BUSY_MACHINE_SLACK.as_millis() as u64;
    assert!((300..500 + slack).contains(&duration), "{attempt}");
}

#[test]
fn a_body_of_exactly_64_kib_is_whole_and_one_byte_more_is_truncated() {
    let server = TestServer::start();
    server.set_default(
        "/exact",
        Behavior::HugeBody {
            status: 200,
            size: 64 * 1024,
        },
    );
    server.set_default(
        "/over",
        Behavior::HugeBody {
            status: 200,
            size: 64 * 1024 + 1,
        },
    );
    for (path, truncated) in [("/exact", false), ("/over", true)] {
        let env = setup(&server.url(path), "2s", 1, "5s");
        let (run, result) = emit(&env);
        run.expect_code(0);
        let attempt = &show(&env, &result["log_id"])["attempts"][0];
        assert_eq!(
            attempt["response_body"].as_str().unwrap().len(),
            64 * 1024,
            "{path}"
        );
        assert_eq!(attempt["response_truncated"], truncated, "{path}");
    }
}

#[test]
fn any_2xx_is_success() {
    let server = TestServer::start();
    for status in [200u16, 201, 202, 204, 299] {
        let path = format!("/s{status}");
        server.set_default(&path, Behavior::Status(status));
        let env = setup(&server.url(&path), "500ms", 5, "5s");
        let (run, result) = emit(&env);
        run.expect_code(0);
        assert_eq!(result["status"], "delivered", "{status}");
        assert_eq!(result["http_status"], status);
        assert_eq!(result["attempts"], 1);
        assert_eq!(server.requests_for(&path).len(), 1);
    }
}

#[test]
fn unusable_or_past_retry_after_falls_back_to_a_short_wait() {
    let server = TestServer::start();
    let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(3600));
    for (index, value) in ["soon", "-5", "0", past.as_str()].into_iter().enumerate() {
        let path = format!("/p{index}");
        server.script(
            &path,
            vec![
                Behavior::TooManyRequests {
                    retry_after: value.to_string(),
                },
                Behavior::Status(200),
            ],
        );
        // max_elapsed 60s, so a long wait the value was mistaken for is seen, not cut short.
        let env = setup(&server.url(&path), "500ms", 5, "60s");
        let (run, result) = emit(&env);
        run.expect_code(0);
        assert_eq!(result["attempts"], 2, "Retry-After: {value}");
        let requests = server.requests_for(&path);
        let waited = gap(&requests, 1);
        assert!(
            waited < Duration::from_millis(50) + BUSY_MACHINE_SLACK,
            "Retry-After: {value} should fall back to the backoff (at most 50 ms); waited {waited:?}"
        );
    }
}

/// README: each attempt is signed afresh, so a retry that comes seconds after the first
/// attempt carries a current `webhook-timestamp`, with signatures made for it, not the first
/// attempt's.
#[test]
fn a_late_retry_is_signed_afresh_with_a_current_timestamp() {
    let server = TestServer::start();
    server.script(
        "/hook",
        vec![
            Behavior::TooManyRequests {
                retry_after: "2".into(),
            },
            Behavior::Status(200),
        ],
    );
    let env = setup(&server.url("/hook"), "500ms", 5, "30s");
    let (run, result) = emit(&env);
    let finished = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    run.expect_code(0);
    assert_eq!(result["attempts"], 2);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let stamp = |request: &RecordedRequest| -> i64 {
        request
            .expect_header("webhook-timestamp")
            .parse()
            .expect("whole seconds")
    };
    let (first, second) = (&requests[0], &requests[1]);
    // Built 2 s or more apart (the wait asked for), so whole seconds 2 or more apart.
    assert!(
        stamp(second) >= stamp(first) + 2,
        "the retry carries timestamp {} like the first attempt's {}",
        stamp(second),
        stamp(first)
    );
    assert!(stamp(second) <= finished, "a timestamp from the future");
    for request in &requests {
        assert_eq!(request.expect_header("webhook-id"), first.delivery_id());
        assert_eq!(
            request.expect_header("webhook-signature"),
            standard_webhooks_header(
                &[SECRET],
                first.delivery_id(),
                stamp(request),
                &request.body
            )
            .unwrap(),
            "each attempt is signed for its own timestamp"
        );
        assert_eq!(
            request.expect_header("x-codestax-signature"),
            codestax_signature(SECRET, &request.body)
        );
    }
}
