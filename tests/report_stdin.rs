//! `emit --report -`: the report piped from the scanner on standard input, with `--format auto`
//! and the same one-line errors as a file.

use std::io::Write;
use std::process::Stdio;

use crate::prelude::*;

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/reports/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// `staxhook --json emit --report - ARGS` with `input` on standard input.
fn emit_from_stdin(env: &TestEnv, input: &[u8], args: &[&str]) -> Run {
    let mut command = env.std_command(STAXHOOK_BINARY);
    command
        .args(["--json", "emit", "--report", "-", "--repo", "myorg/api"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = std::time::Instant::now();
    let mut child = command.spawn().expect("start staxhook");
    let mut stdin = child.stdin.take().expect("stdin piped");
    // A report staxhook refuses early may close the pipe first: that is its answer, not ours.
    let _ = stdin.write_all(input);
    drop(stdin);
    let output = child.wait_with_output().expect("wait for staxhook");
    Run::from_output(output, start.elapsed())
}

fn config(env: &TestEnv, server: &TestServer) {
    write_private_config(
        env,
        &format!("{DEFAULTS}{}", hook("alpha", &server.url("/a"), "")),
    );
}

#[test]
fn a_report_on_stdin_sends_what_the_same_file_sends() {
    let server = TestServer::start();
    let from_file = TestEnv::new();
    config(&from_file, &server);
    let report = fixture("grype-snapshot.json");
    let file_run = staxhook_json(
        &from_file,
        0,
        &["emit", "--report", &report, "--repo", "myorg/api"],
    );
    let file_requests = server.requests_for("/a").len();
    assert!(file_requests > 0, "the fixture implies events");

    let from_stdin = TestEnv::new();
    config(&from_stdin, &server);
    let bytes = std::fs::read(&report).expect("read fixture");
    let stdin_run = emit_from_stdin(&from_stdin, &bytes, &["--format", "auto"]);
    stdin_run.expect_code(0);
    let stdin_requests = server.requests_for("/a").len() - file_requests;
    assert_eq!(stdin_requests, file_requests, "{}", stdin_run.stderr);
    let events = |value: &serde_json::Value| -> Vec<String> {
        let mut events: Vec<String> = value
            .as_array()
            .map(|rows| rows.iter().map(|row| row["event"].to_string()).collect())
            .unwrap_or_default();
        events.sort();
        events
    };
    assert_eq!(events(&stdin_run.json()), events(&file_run));
    // Not taken as a file called `-`.
    assert!(!from_stdin.path().join("-").exists());
}

#[test]
fn a_bad_report_on_stdin_is_exit_2_with_one_line_naming_it() {
    let server = TestServer::start();
    let env = TestEnv::new();
    config(&env, &server);
    for input in [
        &b"this is not JSON at all\n"[..],
        b"",
        br#"{"hello": "world"}"#,
    ] {
        let result = emit_from_stdin(&env, input, &[]);
        let line = result.expect_usage_error();
        assert!(line.starts_with("error: --report -: "), "{line}");
    }
    let trivy = std::fs::read(fixture("trivy-pom.json")).expect("read fixture");
    let wrong = emit_from_stdin(&env, &trivy, &["--format", "grype"]);
    assert!(wrong
        .expect_usage_error()
        .starts_with("error: --report -: "));
    assert!(server.requests().is_empty(), "nothing sent");
}
