//! Self-test of the prelude's scriptable test server and isolated environment (does not run the
//! staxhook binary).

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use crate::prelude::*;

/// Sends a raw request and returns the connected stream.
fn send(server: &TestServer, raw: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", server.port())).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(raw).expect("write request");
    stream
}

fn post(server: &TestServer, path: &str, body: &str) -> TcpStream {
    let raw = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    send(server, raw.as_bytes())
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        first_header(&self.headers, name)
    }
}

/// Reads a whole response (the server closes the connection after it).
fn read_response(mut stream: TcpStream) -> Response {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Response {
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no complete head in {:?}", String::from_utf8_lossy(raw)))
        + 4;
    let head = String::from_utf8_lossy(&raw[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    assert!(status_line.starts_with("HTTP/1.1 "), "{status_line:?}");
    let status = status_line[9..12].parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: raw[head_end..].to_vec(),
    }
}

fn get_status(server: &TestServer, path: &str) -> u16 {
    let raw = format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
    read_response(send(server, raw.as_bytes())).status
}

#[test]
fn post_with_json_body_is_recorded() {
    let server = TestServer::start();
    assert_eq!(
        server.url("/hooks/a"),
        format!("http://127.0.0.1:{}/hooks/a", server.port())
    );
    let body = r#"{"event":"scan.completed","count":3}"#;
    let raw = format!(
        "POST /hooks/a?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Staxhook-Signature: sha256=abc\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let response = read_response(send(&server, raw.as_bytes()));
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-length"), Some("0"));
    assert_eq!(response.header("connection"), Some("close"));

    let requests = server.requests_for("/hooks/a");
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/hooks/a?x=1");
    assert_eq!(
        request.headers[0],
        ("host".to_string(), "127.0.0.1".to_string())
    );
    assert_eq!(request.header("X-STAXHOOK-SIGNATURE"), Some("sha256=abc"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("missing"), None);
    assert_eq!(request.body_text(), body);
    assert_eq!(request.body_json()["event"], "scan.completed");
    assert_eq!(request.body_json()["count"], 3);
    assert_eq!(server.requests_for("/hooks/a?x=1").len(), 1);
    assert_eq!(server.requests_for("/hooks/a?x=2").len(), 0);
    assert_eq!(server.requests_for("/other").len(), 0);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn chunked_request_body_is_decoded() {
    let server = TestServer::start();
    let raw = b"POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\
                7\r\n{\"a\": 1\r\n1;ext=1\r\n}\r\n0\r\nX-Trailer: t\r\n\r\n";
    assert_eq!(read_response(send(&server, raw)).status, 200);
    let request = &server.requests_for("/chunked")[0];
    assert_eq!(request.body_text(), r#"{"a": 1}"#);
    assert_eq!(request.body_json()["a"], 1);
}

#[test]
#[should_panic(expected = "is not valid JSON")]
fn body_json_panics_clearly() {
    let server = TestServer::start();
    read_response(post(&server, "/text", "not json"));
    server.requests()[0].body_json();
}

#[test]
fn script_is_used_in_order_then_default() {
    let server = TestServer::start();
    server.script("/hook", vec![Behavior::Status(503), Behavior::Status(200)]);
    assert_eq!(get_status(&server, "/hook?attempt=1"), 503);
    assert_eq!(get_status(&server, "/hook"), 200);
    assert_eq!(get_status(&server, "/hook"), 200); // default Status(200)
    server.set_default("/hook", Behavior::Status(404));
    assert_eq!(get_status(&server, "/hook"), 404);
    server.script("hook", vec![Behavior::Status(500)]); // leading '/' optional
    assert_eq!(get_status(&server, "/hook"), 500);
    assert_eq!(get_status(&server, "/hook"), 404);
    assert_eq!(get_status(&server, "/unconfigured"), 200);
    assert_eq!(server.requests_for("/hook").len(), 6);
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths[0], "/hook?attempt=1");
    assert_eq!(paths[6], "/unconfigured");
}

#[test]
fn respond_sends_headers_and_body() {
    let server = TestServer::start();
    server.script(
        "/r",
        vec![Behavior::Respond {
            status: 201,
            headers: vec![("X-Id".to_string(), "42".to_string())],
            body: b"created".to_vec(),
        }],
    );
    let response = read_response(post(&server, "/r", "{}"));
    assert_eq!(response.status, 201);
    assert_eq!(response.header("x-id"), Some("42"));
    assert_eq!(response.header("content-length"), Some("7"));
    assert_eq!(response.body, b"created");
}

#[test]
fn too_many_requests_carries_retry_after() {
    let server = TestServer::start();
    server.script(
        "/limited",
        vec![
            Behavior::TooManyRequests {
                retry_after: "2".to_string(),
            },
            Behavior::TooManyRequests {
                retry_after: "Wed, 21 Oct 2015 07:28:00 GMT".to_string(),
            },
        ],
    );
    let first = read_response(post(&server, "/limited", "{}"));
    assert_eq!(first.status, 429);
    assert_eq!(first.header("retry-after"), Some("2"));
    let second = read_response(post(&server, "/limited", "{}"));
    assert_eq!(second.status, 429);
    assert_eq!(
        second.header("retry-after"),
        Some("Wed, 21 Oct 2015 07:28:00 GMT")
    );
}

#[test]
fn redirect_carries_location() {
    let server = TestServer::start();
    let target = server.url("/elsewhere");
    server.script(
        "/moved",
        vec![Behavior::Redirect {
            status: 307,
            location: target.clone(),
        }],
    );
    let response = read_response(post(&server, "/moved", "{}"));
    assert_eq!(response.status, 307);
    assert_eq!(response.header("location"), Some(target.as_str()));
}

#[test]
fn huge_body_sends_declared_length() {
    let server = TestServer::start();
    let size = 5 * 1024 * 1024;
    server.script("/big", vec![Behavior::HugeBody { status: 200, size }]);
    let response = read_response(post(&server, "/big", "{}"));
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-length"),
        Some(size.to_string().as_str())
    );
    assert_eq!(response.body.len(), size);
}

#[test]
fn hang_never_answers_and_drop_is_prompt() {
    let server = TestServer::start();
    server.script("/hang", vec![Behavior::Hang]);
    let mut stream = post(&server, "/hang", r#"{"a":1}"#);
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut buf = [0u8; 64];
    let err = stream.read(&mut buf).expect_err("hang must not answer");
    assert!(
        matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{err:?}"
    );
    // Recorded before hanging.
    assert_eq!(server.requests_for("/hang")[0].body_json()["a"], 1);

    // A drop that waited for the hanging handler would never end; the slack only keeps a
    // busy machine from failing a prompt one.
    let started = Instant::now();
    drop(server);
    assert!(
        started.elapsed() < BUSY_MACHINE_SLACK,
        "drop took {:?}",
        started.elapsed()
    );
    // The hanging connection was closed without a response: end of stream (or a reset), not
    // a read that timed out, which would mean it is still open.
    stream.set_read_timeout(Some(BUSY_MACHINE_SLACK)).unwrap();
    match stream.read(&mut buf) {
        Ok(0) => {}
        Err(error) if error.kind() == ErrorKind::ConnectionReset => {}
        other => panic!("the hanging connection is still open or answered: {other:?}"),
    }
}

#[test]
fn reset_closes_without_status_line() {
    let server = TestServer::start();
    server.script("/reset", vec![Behavior::Reset]);
    let mut stream = post(&server, "/reset", "{}");
    let mut received = Vec::new();
    let result = stream.read_to_end(&mut received);
    if cfg!(target_os = "linux") {
        // A real TCP RST: "Connection reset by peer".
        let err = result.expect_err("expected a connection reset");
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err:?}");
    } else if let Err(err) = result {
        // Elsewhere either a reset or a plain EOF.
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err:?}");
    }
    assert!(received.is_empty(), "got {received:?}");
    assert_eq!(server.requests_for("/reset").len(), 1);
    // The next request is answered normally.
    assert_eq!(get_status(&server, "/reset"), 200);
}

#[test]
fn endless_body_keeps_sending() {
    let server = TestServer::start();
    server.script("/stream", vec![Behavior::EndlessBody { status: 200 }]);
    let mut stream = post(&server, "/stream", "{}");
    // Counted in pieces, not in time: a busy machine may send them late but must send them.
    stream.set_read_timeout(Some(BUSY_MACHINE_SLACK)).unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 1024];
    let pieces = |raw: &[u8]| {
        raw.windows(ENDLESS_PIECE.len())
            .filter(|w| *w == ENDLESS_PIECE)
            .count()
    };
    while pieces(&raw) < 5 {
        let n = stream.read(&mut buf).expect("endless body keeps coming");
        assert!(n > 0, "endless body ended after {} pieces", pieces(&raw));
        raw.extend_from_slice(&buf[..n]);
    }
    let response = parse_response(&raw);
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-length"), None);
    assert!(
        response.body.starts_with(ENDLESS_PIECE),
        "{:?}",
        String::from_utf8_lossy(&response.body)
    );
    assert!(
        server.requests()[0].ended_at.is_none(),
        "the handler ended while the client reads"
    );

    // A drop that waited for the endless handler would never end.
    let started = Instant::now();
    drop(server);
    assert!(
        started.elapsed() < BUSY_MACHINE_SLACK,
        "drop took {:?}",
        started.elapsed()
    );
}

#[test]
fn endless_body_handler_ends_when_client_leaves() {
    let server = TestServer::start();
    server.script("/stream", vec![Behavior::EndlessBody { status: 200 }]);
    let mut stream = post(&server, "/stream", "{}");
    let mut buf = [0u8; 256];
    assert!(stream.read(&mut buf).unwrap() > 0);
    assert!(
        server.requests()[0].ended_at.is_none(),
        "the handler ended while the client was still reading"
    );
    stream.shutdown(Shutdown::Both).unwrap();
    drop(stream);
    // The handler itself says when it is done with the connection: one that kept writing into
    // the closed socket would never set `ended_at`, however many other connections are served.
    let requests = server.wait_for(BUSY_MACHINE_SLACK, |requests| {
        requests[0].ended_at.is_some()
    });
    assert!(
        requests[0].ended_at.is_some(),
        "the endless-body handler still runs {BUSY_MACHINE_SLACK:?} after its client left"
    );
    assert_eq!(get_status(&server, "/other"), 200);
}

#[test]
fn delay_then_behaves() {
    let server = TestServer::start();
    server.script(
        "/slow",
        vec![Behavior::Delay {
            millis: 200,
            then: Box::new(Behavior::Status(202)),
        }],
    );
    let started = Instant::now();
    let response = read_response(post(&server, "/slow", "{}"));
    assert_eq!(response.status, 202);
    assert!(started.elapsed() >= Duration::from_millis(200));
    // Recorded on arrival, not after the delay: the whole delay lies between the two. (The
    // handler notes its end just after the client has read the answer: waited for.)
    let requests = server.wait_for(BUSY_MACHINE_SLACK, |requests| {
        requests[0].ended_at.is_some()
    });
    let recorded = &requests[0];
    let answered = recorded.answered_at.expect("answered");
    assert!(
        answered - recorded.received_at >= Duration::from_millis(200),
        "recorded only {:?} before the answer",
        answered - recorded.received_at
    );
    assert!(recorded.ended_at.expect("ended") >= answered);
}

#[test]
fn await_arrivals_holds_every_answer_until_the_last_awaited_request_arrives() {
    let server = TestServer::start();
    server.set_default(
        "/gate",
        Behavior::AwaitArrivals {
            count: 3,
            then: Box::new(Behavior::Status(204)),
        },
    );
    let first = post(&server, "/gate", "{}");
    let second = post(&server, "/gate", "{}");
    server.wait_for_requests(2, BUSY_MACHINE_SLACK);
    assert!(
        server.requests().iter().all(|r| r.answered_at.is_none()),
        "answered before the third request arrived"
    );
    let third = post(&server, "/gate", "{}");
    for stream in [first, second, third] {
        assert_eq!(read_response(stream).status, 204);
    }
    let requests = server.requests();
    let last_arrival = requests.iter().map(|r| r.received_at).max().unwrap();
    for request in &requests {
        assert!(request.answered_at.expect("answered") >= last_arrival);
    }
}

#[test]
fn too_many_requests_until_is_dated_when_answered() {
    let server = TestServer::start();
    server.script(
        "/limited",
        vec![Behavior::TooManyRequestsUntil { seconds_ahead: 3 }],
    );
    let before = std::time::SystemTime::now();
    let response = read_response(post(&server, "/limited", "{}"));
    let after = std::time::SystemTime::now();
    assert_eq!(response.status, 429);
    let date = httpdate::parse_http_date(response.header("retry-after").expect("Retry-After"))
        .expect("an HTTP date");
    // Whole seconds: up to 1 s before the exact moment 3 s ahead.
    assert!(
        date > before + Duration::from_secs(2),
        "{date:?} vs {before:?}"
    );
    assert!(
        date <= after + Duration::from_secs(3),
        "{date:?} vs {after:?}"
    );
}

#[test]
fn wait_for_requests_waits_and_times_out() {
    let server = TestServer::start();
    let port = server.port();
    let sender = std::thread::spawn(move || {
        for i in 0..2 {
            std::thread::sleep(Duration::from_millis(50));
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            write!(s, "GET /w{i} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let mut out = Vec::new();
            s.read_to_end(&mut out).unwrap();
        }
    });
    let requests = server.wait_for_requests(2, BUSY_MACHINE_SLACK);
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].path, "/w0");
    assert!(requests[0].received_at <= requests[1].received_at);
    sender.join().unwrap();

    let started = Instant::now();
    let requests = server.wait_for_requests(3, Duration::from_millis(100));
    assert_eq!(requests.len(), 2);
    assert!(started.elapsed() >= Duration::from_millis(100));
    assert_eq!(
        server
            .wait_for_requests_for("/w1", 1, Duration::from_millis(10))
            .len(),
        1
    );
}

#[test]
fn idle_connection_does_not_block_drop() {
    let server = TestServer::start();
    let _idle = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    std::thread::sleep(Duration::from_millis(30));
    // A drop that waited for the idle client would never end.
    let started = Instant::now();
    drop(server);
    assert!(
        started.elapsed() < BUSY_MACHINE_SLACK,
        "drop took {:?}",
        started.elapsed()
    );
}

/// Set (to a file path) only in the child [`test_env_is_isolated`] starts: the child then
/// writes what a command built by [`TestEnv::std_command`] sees into that file.
const ISOLATION_PROBE_OUTPUT: &str = "ISOLATION_PROBE_OUTPUT";

/// A variable the builder has no reason to touch: it must reach the command unchanged.
const ISOLATION_KEPT: (&str, &str) = ("ISOLATION_PROBE_KEPT", "kept as it was");

/// What [`TestEnv::std_command`] must remove, by name: repository detection, colour, proxies,
/// git discovery and the terminal size (the same list `tests/prelude/environment.rs` keeps, so
/// that dropping a name there fails here).
const MUST_BE_REMOVED: &[&str] = &[
    "GITHUB_REPOSITORY",
    "CI_PROJECT_PATH",
    "BITBUCKET_REPO_FULL_NAME",
    "BUILD_REPOSITORY_NAME",
    "NO_COLOR",
    "CLICOLOR",
    "CLICOLOR_FORCE",
    "FORCE_COLOR",
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "COLUMNS",
    "LINES",
    // Any STAXHOOK_ variable; STAXHOOK_CONFIG and STAXHOOK_HISTORY are set anew.
    "STAXHOOK_TIMEOUT",
    "STAXHOOK_SOMETHING_NEW",
];

/// Runs this very test again in a child process of the test binary whose environment holds
/// every variable the builder must remove; the child spawns `env` through
/// [`TestEnv::std_command`] and the parent reads what that command really got.
#[test]
fn test_env_is_isolated() {
    if let Some(output) = std::env::var_os(ISOLATION_PROBE_OUTPUT) {
        let env = TestEnv::new();
        let seen = env
            .std_command("sh")
            .args(["-c", "pwd -P && env -0"])
            .output()
            .expect("run sh through TestEnv::std_command");
        assert!(seen.status.success(), "{seen:?}");
        let mut written = format!(
            "{}\n{}\n",
            env.path().display(),
            env.path().canonicalize().unwrap().display()
        )
        .into_bytes();
        written.extend_from_slice(&seen.stdout);
        std::fs::write(output, written).expect("write the probe output");
        return;
    }

    let folder = tempfile::tempdir().unwrap();
    let output = folder.path().join("environment");
    let mut child = std::process::Command::new(std::env::current_exe().unwrap());
    child
        .args([
            "--exact",
            "test_server_selftest::test_env_is_isolated",
            "--test-threads",
            "1",
        ])
        .env(ISOLATION_PROBE_OUTPUT, &output)
        .env(ISOLATION_KEPT.0, ISOLATION_KEPT.1)
        .env("STAXHOOK_CONFIG", "/leaked/config.toml")
        .env("STAXHOOK_HISTORY", "/leaked/history.db")
        .env("HOME", "/leaked/home")
        .env("XDG_CONFIG_HOME", "/leaked/xdg-config")
        .env("XDG_DATA_HOME", "/leaked/xdg-data");
    for name in MUST_BE_REMOVED {
        child.env(name, format!("leaked-{name}"));
    }
    let ran = child.output().expect("run the test binary");
    assert!(
        ran.status.success(),
        "the child run failed:\n{}\n{}",
        String::from_utf8_lossy(&ran.stdout),
        String::from_utf8_lossy(&ran.stderr)
    );
    let text = std::fs::read(&output).expect("the child wrote what the command saw");
    let text = String::from_utf8(text).expect("UTF-8");
    // The temp dir (as named, and canonical), the command's working directory (`pwd -P`), then
    // `env -0`.
    let mut parts = text.splitn(4, '\n');
    let mut part = || parts.next().expect("four parts");
    let (named, canonical, working_directory, variables) = (part(), part(), part(), part());
    let seen: std::collections::HashMap<&str, &str> = variables
        .split('\0')
        .filter(|entry| !entry.is_empty())
        .filter_map(|entry| entry.split_once('='))
        .collect();

    for name in MUST_BE_REMOVED {
        assert!(
            !seen.contains_key(name),
            "{name} reached the command: {:?}",
            seen[name]
        );
    }
    assert!(
        !variables.contains("leaked"),
        "a variable of the parent's reached the command: {seen:#?}"
    );
    assert_eq!(working_directory, canonical, "the working directory");
    assert!(named.contains("staxhook-test-"), "{named}");
    for (name, inside) in [
        ("STAXHOOK_CONFIG", "config.toml"),
        ("STAXHOOK_HISTORY", "history.db"),
        ("HOME", "home"),
        ("XDG_CONFIG_HOME", "xdg-config"),
        ("XDG_DATA_HOME", "xdg-data"),
    ] {
        assert_eq!(
            seen.get(name).copied(),
            Some(format!("{named}/{inside}").as_str()),
            "{name}"
        );
    }
    assert_eq!(
        seen.get("GIT_CEILING_DIRECTORIES").copied(),
        std::path::Path::new(named)
            .parent()
            .and_then(|parent| parent.to_str()),
    );
    assert_eq!(seen.get("NO_PROXY").copied(), Some("127.0.0.1,localhost"));
    assert_eq!(seen.get(ISOLATION_KEPT.0).copied(), Some(ISOLATION_KEPT.1));
}
