//! Integration tests for `staxhook verify` (docs/reference.md §1, §5, §8), including a real round trip:
//! `emit` to a local test server, then `verify` what the server received.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::prelude::*;

/// A secret that is not in the `whsec_` form: `X-CodeStax-Signature` signs with any string.
const PLAIN_SECRET: &str = "it's a secret to everybody";

/// Exit 0, stdout exactly `valid`.
#[track_caller]
fn expect_valid(run: &Run, what: &str) {
    run.expect_code(0);
    assert_eq!(run.stdout, "valid\n", "{what}: stderr was {}", run.stderr);
}

/// Exit 1, stdout one line `invalid: <reason>`; returns the reason.
#[track_caller]
fn expect_invalid(run: &Run, what: &str) -> String {
    run.expect_code(1);
    let reason = run.stdout.strip_prefix("invalid: ").unwrap_or_else(|| {
        panic!(
            "{what}: stdout should start with `invalid: `: {:?}",
            run.stdout
        )
    });
    assert!(
        reason.ends_with('\n') && reason.lines().count() == 1,
        "{what}: expected one line: {:?}",
        run.stdout
    );
    reason.trim_end().to_string()
}

/// `staxhook verify --secret PLAIN_SECRET --signature SIG [extra...]` with `body` on stdin.
fn verify_stdin(env: &TestEnv, secret: &str, signature: &str, extra: &[&str], body: &[u8]) -> Run {
    let mut cmd = env.cmd();
    cmd.args(["verify", "--secret", secret, "--signature", signature])
        .args(extra)
        .write_stdin(body.to_vec());
    run(&mut cmd)
}

fn write_body(env: &TestEnv, name: &str, body: &[u8]) -> PathBuf {
    let path = env.path().join(name);
    std::fs::write(&path, body).expect("write body file");
    path
}

/// RFC 3339 UTC (`Z`, whole seconds) for a Unix time.
fn rfc3339(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let second_of_day = unix_seconds.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

/// An envelope as the generic channel sends it, with the given timestamp.
fn envelope(timestamp: &str) -> Vec<u8> {
    format!(
        r#"{{"event":"critical_vulnerability","timestamp":"{timestamp}","repository":"acme/api","data":{{"cve_id":"CVE-2024-3094","package":{{"name":"xz"}}}}}}"#
    )
    .into_bytes()
}

#[test]
fn rfc3339_helper_is_right() {
    assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339(1_774_175_400), "2026-03-22T10:30:00Z");
    assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
}

#[test]
fn a_correct_signature_is_valid_from_a_file() {
    let env = TestEnv::new();
    let body = envelope("2026-03-22T10:30:00Z");
    let signature = codestax_signature(PLAIN_SECRET, &body);
    assert!(signature.starts_with("sha256=") && signature.len() == 7 + 64);
    let file = write_body(&env, "body.json", &body);

    let mut cmd = env.cmd();
    cmd.args([
        "verify",
        "--secret",
        PLAIN_SECRET,
        "--signature",
        &signature,
    ])
    .arg(&file);
    let result = run(&mut cmd);
    expect_valid(&result, "verify FILE");
    assert_eq!(result.stderr, "");
    assert!(!result.stdout.contains(PLAIN_SECRET));
}

#[test]
fn the_body_can_come_from_stdin_with_dash_or_no_file() {
    let env = TestEnv::new();
    let body = envelope("2026-03-22T10:30:00Z");
    let signature = codestax_signature(PLAIN_SECRET, &body);
    expect_valid(
        &verify_stdin(&env, PLAIN_SECRET, &signature, &["-"], &body),
        "verify -",
    );
    expect_valid(
        &verify_stdin(&env, PLAIN_SECRET, &signature, &[], &body),
        "verify without FILE",
    );
    // And an empty body is just another body.
    let empty_signature = codestax_signature(PLAIN_SECRET, b"");
    expect_valid(
        &verify_stdin(&env, PLAIN_SECRET, &empty_signature, &[], b""),
        "verify of an empty body",
    );
}

#[test]
fn a_flipped_byte_or_another_secret_is_invalid() {
    let env = TestEnv::new();
    let body = envelope("2026-03-22T10:30:00Z");
    let signature = codestax_signature(PLAIN_SECRET, &body);

    // One bit of the body changed.
    let mut tampered = body.clone();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x01;
    let run = verify_stdin(&env, PLAIN_SECRET, &signature, &[], &tampered);
    let reason = expect_invalid(&run, "tampered body");
    assert_eq!(reason, "signature does not match");
    assert!(!run.all_output().contains(PLAIN_SECRET));

    // A byte appended (a trailing newline added by an editor, say).
    let mut longer = body.clone();
    longer.push(b'\n');
    expect_invalid(
        &verify_stdin(&env, PLAIN_SECRET, &signature, &[], &longer),
        "body with an extra newline",
    );

    // The right body with the wrong secret.
    expect_invalid(
        &verify_stdin(&env, "not the secret", &signature, &[], &body),
        "wrong secret",
    );

    // One hex digit of the signature changed.
    let mut flipped_sig = signature.clone().into_bytes();
    let last = flipped_sig.len() - 1;
    flipped_sig[last] = if flipped_sig[last] == b'0' {
        b'1'
    } else {
        b'0'
    };
    let flipped_sig = String::from_utf8(flipped_sig).unwrap();
    expect_invalid(
        &verify_stdin(&env, PLAIN_SECRET, &flipped_sig, &[], &body),
        "flipped signature digit",
    );
}

#[test]
fn a_header_with_several_signatures_is_valid_when_any_matches() {
    let env = TestEnv::new();
    let body = envelope("2026-03-22T10:30:00Z");
    let good = codestax_signature(PLAIN_SECRET, &body);
    let other = codestax_signature("the new secret", &body);

    // Rotation: `sha256=<new> sha256=<old>`, we hold the old one (second).
    let header = format!("{other} {good}");
    expect_valid(
        &verify_stdin(&env, PLAIN_SECRET, &header, &[], &body),
        "second of two matches",
    );
    // First of two.
    let header = format!("{good} {other}");
    expect_valid(
        &verify_stdin(&env, PLAIN_SECRET, &header, &[], &body),
        "first of two matches",
    );
    // Neither.
    let third = codestax_signature("a third secret", &body);
    let header = format!("{other} {third}");
    let reason = expect_invalid(
        &verify_stdin(&env, PLAIN_SECRET, &header, &[], &body),
        "none of two matches",
    );
    assert_eq!(reason, "signature does not match");
}

#[test]
fn secret_env_reads_the_secret_from_the_environment() {
    let env = TestEnv::new();
    let body = envelope("2026-03-22T10:30:00Z");
    let signature = codestax_signature(PLAIN_SECRET, &body);

    let mut cmd = env.cmd();
    cmd.args([
        "verify",
        "--secret-env",
        "MY_HOOK_SECRET",
        "--signature",
        &signature,
    ])
    .env("MY_HOOK_SECRET", PLAIN_SECRET)
    .write_stdin(body.clone());
    let result = run(&mut cmd);
    expect_valid(&result, "--secret-env");
    assert!(!result.all_output().contains(PLAIN_SECRET));

    // A different value in the variable: invalid.
    let mut cmd = env.cmd();
    cmd.args([
        "verify",
        "--secret-env",
        "MY_HOOK_SECRET",
        "--signature",
        &signature,
    ])
    .env("MY_HOOK_SECRET", "other")
    .write_stdin(body.clone());
    expect_invalid(&run(&mut cmd), "--secret-env with another secret");

    // Unset: a usage error naming the variable.
    let mut cmd = env.cmd();
    cmd.args([
        "verify",
        "--secret-env",
        "MY_HOOK_SECRET",
        "--signature",
        &signature,
    ])
    .env_remove("MY_HOOK_SECRET")
    .write_stdin(body.clone());
    let line = run(&mut cmd).expect_usage_error().to_string();
    insta::assert_snapshot!(
        env.redact_paths(&line),
        @"error: --secret-env: environment variable MY_HOOK_SECRET is not set"
    );
}

/// Three webhooks: `literal` (signed with [`PLAIN_SECRET`]), `fromenv` (its secret from
/// `HOOK_SECRET`) and `nosecret`.
fn three_webhooks_to_verify_with() -> TestEnv {
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "[webhooks.literal]\nurl = \"https://a.example/in\"\nsecret = \"{PLAIN_SECRET}\"\n\n\
         [webhooks.fromenv]\nurl = \"https://b.example/in\"\nsecret = \"${{HOOK_SECRET}}\"\n\n\
         [webhooks.nosecret]\nurl = \"https://c.example/in\"\n"
        ),
    );
    env
}

/// `verify --webhook NAME --signature SIGNATURE` of `body` on stdin, with `HOOK_SECRET` set to
/// `variable` if given.
fn verify_with_webhook(
    env: &TestEnv,
    name: &str,
    variable: Option<&str>,
    signature: &str,
    body: &[u8],
) -> Run {
    let mut cmd = env.cmd();
    cmd.args(["verify", "--webhook", name, "--signature", signature])
        .write_stdin(body.to_vec());
    if let Some(value) = variable {
        cmd.env("HOOK_SECRET", value);
    }
    run(&mut cmd)
}

#[test]
fn webhook_option_uses_the_configured_secret() {
    let env = three_webhooks_to_verify_with();
    let body = envelope("2026-03-22T10:30:00Z");
    let signature = codestax_signature(PLAIN_SECRET, &body);
    let literal = verify_with_webhook(&env, "literal", None, &signature, &body);
    expect_valid(&literal, "--webhook literal");
    assert_eq!(literal.stderr, "");
    expect_valid(
        &verify_with_webhook(&env, "fromenv", Some(PLAIN_SECRET), &signature, &body),
        "--webhook fromenv",
    );
    expect_invalid(
        &verify_with_webhook(
            &env,
            "literal",
            None,
            &codestax_signature("nope", &body),
            &body,
        ),
        "--webhook literal, wrong signature",
    );
}

#[test]
fn webhook_option_that_cannot_give_a_secret_is_a_usage_error() {
    let env = three_webhooks_to_verify_with();
    let body = envelope("2026-03-22T10:30:00Z");
    let signature = codestax_signature(PLAIN_SECRET, &body);
    let usage_error = |name: &str| {
        let line = verify_with_webhook(&env, name, None, &signature, &body)
            .expect_usage_error()
            .to_string();
        env.redact_paths(&line)
    };
    // The variable the webhook needs is not set: exit 2 naming it.
    insta::assert_snapshot!(
        usage_error("fromenv"),
        @"error: <config>:7:10: webhooks.fromenv.secret uses ${HOOK_SECRET}, which is not set"
    );
    // A webhook without a secret cannot verify anything.
    insta::assert_snapshot!(
        usage_error("nosecret"),
        @"error: --webhook `nosecret`: the webhook has no secret, so its requests are unsigned"
    );
    // Unknown webhook: exit 2 listing the valid names.
    insta::assert_snapshot!(
        usage_error("literl"),
        @"error: --webhook: unknown webhook `literl` in <config>: did you mean `literal`? (valid: literal, fromenv, nosecret)"
    );
}

#[test]
fn webhook_option_works_with_a_secret_generated_by_webhook_add() {
    let env = TestEnv::new();
    let mut cmd = env.cmd();
    cmd.args(["webhook", "add", "gen", "--url", "https://gen.example/in"]);
    let added = run(&mut cmd);
    added.expect_code(0);
    let generated = added.stdout.trim().to_string();
    assert!(generated.starts_with("whsec_"), "{generated}");

    // The X-CodeStax-Signature key is the whole secret string, whsec_ prefix included.
    let body = envelope("2026-03-22T10:30:00Z");
    let signature = codestax_signature(&generated, &body);
    let mut cmd = env.cmd();
    cmd.args(["verify", "--webhook", "gen", "--signature", &signature])
        .write_stdin(body);
    let result = run(&mut cmd);
    expect_valid(&result, "--webhook with a generated secret");
    assert!(!result.all_output().contains(&generated));
}

/// `verify --max-age MAX_AGE` of an envelope stamped `timestamp`, correctly signed.
fn verify_with_max_age(env: &TestEnv, timestamp: &str, max_age: &str) -> Run {
    let body = envelope(timestamp);
    let signature = codestax_signature(PLAIN_SECRET, &body);
    verify_stdin(
        env,
        PLAIN_SECRET,
        &signature,
        &["--max-age", max_age],
        &body,
    )
}

#[test]
fn max_age_accepts_a_timestamp_within_it() {
    let env = TestEnv::new();
    let now = now_unix();
    let check = |timestamp: &str, max_age: &str| verify_with_max_age(&env, timestamp, max_age);
    expect_valid(&check(&rfc3339(now), "5m"), "fresh timestamp");
    expect_valid(&check(&rfc3339(now - 120), "5m"), "2 minutes old, max 5m");
    expect_valid(&check(&rfc3339(now - 3000), "1h"), "50 minutes old, max 1h");
    // Within the 5-minute skew allowance.
    expect_valid(&check(&rfc3339(now + 120), "5m"), "2 minutes in the future");
}

#[test]
fn max_age_refuses_an_older_timestamp() {
    let env = TestEnv::new();
    let hour_old = rfc3339(now_unix() - 3600);
    let reason = expect_invalid(
        &verify_with_max_age(&env, &hour_old, "5m"),
        "1 hour old, max 5m",
    );
    assert!(reason.contains(&hour_old), "{reason}");
    assert!(reason.contains("older than"), "{reason}");
}

#[test]
fn max_age_refuses_a_timestamp_more_than_five_minutes_ahead() {
    let env = TestEnv::new();
    let ahead = rfc3339(now_unix() + 600);
    let reason = expect_invalid(
        &verify_with_max_age(&env, &ahead, "5m"),
        "10 minutes in the future",
    );
    assert!(reason.contains("in the future"), "{reason}");
    // Even with a generous max age: the future limit is fixed at 5 minutes.
    expect_invalid(
        &verify_with_max_age(&env, &ahead, "30d"),
        "10 minutes ahead, max 30d",
    );
}

#[test]
fn max_age_refuses_a_signed_body_without_a_timestamp() {
    let env = TestEnv::new();
    let body = br#"{"event":"scan_complete","data":{}}"#;
    let signature = codestax_signature(PLAIN_SECRET, body);
    let reason = expect_invalid(
        &verify_stdin(&env, PLAIN_SECRET, &signature, &["--max-age", "5m"], body),
        "no timestamp",
    );
    insta::assert_snapshot!(reason, @r#"body has no top-level "timestamp" string"#);
}

#[test]
fn max_age_still_checks_the_signature_first() {
    // A fresh but forged body is a mismatch.
    let env = TestEnv::new();
    let body = envelope(&rfc3339(now_unix()));
    let reason = expect_invalid(
        &verify_stdin(
            &env,
            PLAIN_SECRET,
            &codestax_signature("x", &body),
            &["--max-age", "5m"],
            &body,
        ),
        "fresh but forged",
    );
    assert_eq!(reason, "signature does not match");
}

#[test]
fn a_max_age_that_is_no_duration_is_a_usage_error() {
    let env = TestEnv::new();
    let body = envelope(&rfc3339(now_unix()));
    let line = verify_stdin(
        &env,
        PLAIN_SECRET,
        &codestax_signature(PLAIN_SECRET, &body),
        &["--max-age", "5 fortnights"],
        &body,
    )
    .expect_usage_error()
    .to_string();
    insta::assert_snapshot!(
        env.redact_paths(&line),
        @"error: --max-age: invalid duration `5 fortnights`: a unit is missing (write it like 250ms, 90s, 15m, 24h, 30d or 1h30m)"
    );
}

#[test]
fn a_missing_body_file_is_a_usage_error() {
    let env = TestEnv::new();
    let missing = env.path().join("no-such-body.json");
    let mut cmd = env.cmd();
    cmd.args([
        "verify",
        "--secret",
        PLAIN_SECRET,
        "--signature",
        &codestax_signature(PLAIN_SECRET, b"{}"),
    ])
    .arg(&missing)
    .write_stdin(Vec::new());
    let result = run(&mut cmd);
    let line = result.expect_usage_error();
    insta::assert_snapshot!(
        env.redact_paths(line),
        @"error: body file <tmp>/no-such-body.json: No such file or directory (os error 2)"
    );
    assert_eq!(result.stderr.lines().count(), 1, "{}", result.stderr);
    assert!(!result.all_output().contains(PLAIN_SECRET));
}

#[test]
fn no_secret_option_is_a_usage_error() {
    let env = TestEnv::new();
    let mut cmd = env.cmd();
    cmd.args([
        "verify",
        "--signature",
        &codestax_signature(PLAIN_SECRET, b"{}"),
    ])
    .write_stdin(b"{}".to_vec());
    let result = run(&mut cmd);
    result.expect_code(2);
    assert_eq!(result.stdout, "");
    insta::assert_snapshot!(
        result.stderr,
        @r"
        error: the following required arguments were not provided:
          <--secret <SECRET>|--secret-env <VAR>|--webhook <NAME>>

        Usage: staxhook verify --signature <HEADER_VALUE> --config <PATH> --history <PATH|URL> <--secret <SECRET>|--secret-env <VAR>|--webhook <NAME>> [FILE]

        For more information, try '--help'.
        "
    );

    // Two of them at once is also a usage error.
    let mut cmd = env.cmd();
    cmd.args([
        "verify",
        "--secret",
        "a",
        "--webhook",
        "b",
        "--signature",
        &codestax_signature(PLAIN_SECRET, b"{}"),
    ])
    .write_stdin(b"{}".to_vec());
    let result = run(&mut cmd);
    result.expect_code(2);
    assert_eq!(result.stdout, "");

    // No --signature either.
    let mut cmd = env.cmd();
    cmd.args(["verify", "--secret", "a"])
        .write_stdin(b"{}".to_vec());
    let result = run(&mut cmd);
    result.expect_code(2);
    insta::assert_snapshot!(
        result.stderr,
        @r"
        error: the following required arguments were not provided:
          --signature <HEADER_VALUE>

        Usage: staxhook verify --signature <HEADER_VALUE> --config <PATH> --history <PATH|URL> <--secret <SECRET>|--secret-env <VAR>|--webhook <NAME>> [FILE]

        For more information, try '--help'.
        "
    );
}

#[test]
fn a_malformed_signature_header_is_invalid_not_a_crash() {
    let env = TestEnv::new();
    let body = b"{}";
    let reason = expect_invalid(
        &verify_stdin(&env, PLAIN_SECRET, "abc", &[], body),
        "--signature abc",
    );
    insta::assert_snapshot!(
        reason,
        @"--signature: signature part `abc` does not start with sha256="
    );

    let good = codestax_signature(PLAIN_SECRET, body);
    let malformed = [
        "sha256=xyz".to_string(),
        "sha256=abcd".to_string(),
        format!("sha1={}", &good[7..]),
        // A malformed part next to a good one still makes the header malformed.
        format!("{good} garbage"),
        " ".to_string(),
        "".to_string(),
    ];
    for header in &malformed {
        let run = verify_stdin(&env, PLAIN_SECRET, header, &[], body);
        expect_invalid(&run, &format!("--signature {header:?}"));
    }
    // A value starting with a hyphen is taken as the value, not as an option.
    expect_invalid(
        &verify_stdin(&env, PLAIN_SECRET, "-x", &[], body),
        "--signature -x",
    );
}

#[test]
fn json_output_has_valid_and_reason() {
    // docs/reference.md §6 lists no shape for `verify --json`; this follows the code:
    // {"valid": bool, "reason": string|null}, exit codes unchanged.
    let env = TestEnv::new();
    let body = envelope("2026-03-22T10:30:00Z");
    let signature = codestax_signature(PLAIN_SECRET, &body);

    let run = verify_stdin(&env, PLAIN_SECRET, &signature, &["--json"], &body);
    run.expect_code(0);
    let value: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout));
    assert_eq!(value, serde_json::json!({"valid": true, "reason": null}));

    let run = verify_stdin(&env, "wrong", &signature, &["--json"], &body);
    run.expect_code(1);
    let value: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout));
    assert_eq!(
        value,
        serde_json::json!({"valid": false, "reason": "signature does not match"})
    );

    let run = verify_stdin(&env, PLAIN_SECRET, "abc", &["--json"], &body);
    run.expect_code(1);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(value["valid"], false);
    assert!(value["reason"].as_str().unwrap().contains("sha256="));
}

#[test]
fn bodies_are_verified_byte_exactly_with_crlf_and_trailing_whitespace() {
    let env = TestEnv::new();
    let body: &[u8] =
        b"{\r\n  \"event\" : \"scan_complete\",\r\n  \"data\": {\"a\":1.50, \"b\": \"\\u00e9\"}  \t\r\n}\r\n \t \r\n";
    let signature = codestax_signature(PLAIN_SECRET, body);
    // The same JSON re-serialised would not carry this signature.
    let reserialised =
        serde_json::to_vec(&serde_json::from_slice::<serde_json::Value>(body).unwrap()).unwrap();
    assert_ne!(codestax_signature(PLAIN_SECRET, &reserialised), signature);

    let file = write_body(&env, "crlf.json", body);
    let mut cmd = env.cmd();
    cmd.args([
        "verify",
        "--secret",
        PLAIN_SECRET,
        "--signature",
        &signature,
    ])
    .arg(&file);
    expect_valid(&run(&mut cmd), "CRLF body from a file");
    expect_valid(
        &verify_stdin(&env, PLAIN_SECRET, &signature, &[], body),
        "CRLF body from stdin",
    );
    // Without the trailing whitespace it no longer matches.
    let trimmed = &body[..body.len() - 5];
    expect_invalid(
        &verify_stdin(&env, PLAIN_SECRET, &signature, &[], trimmed),
        "trimmed CRLF body",
    );
    // LF instead of CRLF does not match either.
    let lf: Vec<u8> = String::from_utf8(body.to_vec())
        .unwrap()
        .replace("\r\n", "\n")
        .into_bytes();
    expect_invalid(
        &verify_stdin(&env, PLAIN_SECRET, &signature, &[], &lf),
        "LF body",
    );

    // Non-UTF-8 bytes are bytes like any other.
    let binary: Vec<u8> = (0u8..=255).rev().collect();
    expect_valid(
        &verify_stdin(
            &env,
            PLAIN_SECRET,
            &codestax_signature(PLAIN_SECRET, &binary),
            &[],
            &binary,
        ),
        "binary body",
    );
}

#[test]
fn a_body_larger_than_the_read_buffer_verifies() {
    // Several MiB: crosses the read-chunk and the 64 KiB timestamp-prefix boundaries.
    let env = TestEnv::new();
    let timestamp = rfc3339(now_unix());
    let filler = "x".repeat(3 * 1024 * 1024 + 17);
    let body = format!(
        r#"{{"event":"scan_complete","timestamp":"{timestamp}","repository":"a/b","data":{{"blob":"{filler}"}}}}"#
    )
    .into_bytes();
    let signature = codestax_signature(PLAIN_SECRET, &body);
    let file = write_body(&env, "big.json", &body);
    let mut cmd = env.cmd();
    cmd.args([
        "verify",
        "--secret",
        PLAIN_SECRET,
        "--signature",
        &signature,
        "--max-age",
        "5m",
    ])
    .arg(&file);
    expect_valid(&run(&mut cmd), "large body with --max-age");

    let mut tampered = body.clone();
    let near_end = tampered.len() - 10;
    tampered[near_end] = b'y';
    let file = write_body(&env, "big-tampered.json", &tampered);
    let mut cmd = env.cmd();
    cmd.args([
        "verify",
        "--secret",
        PLAIN_SECRET,
        "--signature",
        &signature,
    ])
    .arg(&file);
    expect_invalid(&run(&mut cmd), "large body changed near its end");
}

/// `emit` to a local test server through the `receiver` webhook (signed with
/// [`PLAIN_SECRET`]): the env, the run, and the one request the server received.
fn emit_to_a_receiver() -> (TestEnv, Run, RecordedRequest) {
    let env = TestEnv::new();
    let server = TestServer::start();
    let url = server.url("/hook");
    write_private_config(
        &env,
        &format!(
            "[defaults]\ntimeout = \"5s\"\nmax_attempts = 1\n\n\
         [webhooks.receiver]\nchannel = \"generic\"\nurl = \"{url}\"\nsecret = \"{PLAIN_SECRET}\"\n"
        ),
    );
    let mut cmd = env.cmd();
    cmd.args([
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
    ]);
    let emitted = run(&mut cmd);
    emitted.expect_code(0);
    let mut requests = server.wait_for_requests_for("/hook", 1, Duration::from_secs(5));
    assert_eq!(requests.len(), 1, "expected one request to /hook");
    (env, emitted, requests.remove(0))
}

/// The X-CodeStax-Signature the receiver got.
fn received_signature(request: &RecordedRequest) -> String {
    request
        .header("x-codestax-signature")
        .expect("X-CodeStax-Signature header")
        .to_string()
}

#[test]
fn round_trip_emit_signs_what_the_server_receives() {
    let (_env, emitted, request) = emit_to_a_receiver();
    assert!(
        !emitted.all_output().contains(PLAIN_SECRET),
        "secret printed by emit"
    );
    assert_eq!(request.method, "POST");
    let signature = received_signature(&request);
    assert_eq!(
        request.header("x-codestax-event"),
        Some("critical_vulnerability")
    );
    let envelope = request.body_json();
    assert_eq!(envelope["event"], "critical_vulnerability");
    assert_eq!(envelope["repository"], "acme/api");
    assert_eq!(envelope["data"]["package"]["name"], "xz");
    // Our own independent computation agrees with the header.
    assert_eq!(signature, codestax_signature(PLAIN_SECRET, &request.body));
}

#[test]
fn round_trip_verify_accepts_the_received_body() {
    let (env, _emitted, request) = emit_to_a_receiver();
    let signature = received_signature(&request);
    // With the secret, the body from a file.
    let file = write_body(&env, "received.json", &request.body);
    let mut cmd = env.cmd();
    cmd.args([
        "verify",
        "--secret",
        PLAIN_SECRET,
        "--signature",
        &signature,
    ])
    .arg(&file);
    expect_valid(&run(&mut cmd), "verify the received body (file)");

    // From stdin, via the configured webhook, with a freshness check.
    let mut cmd = env.cmd();
    cmd.args([
        "verify",
        "--webhook",
        "receiver",
        "--signature",
        &signature,
        "--max-age",
        "5m",
        "-",
    ])
    .write_stdin(request.body.clone());
    expect_valid(&run(&mut cmd), "verify --webhook --max-age (stdin)");
}

#[test]
fn round_trip_verify_refuses_the_received_body_changed() {
    let (env, _emitted, request) = emit_to_a_receiver();
    let signature = received_signature(&request);
    // One byte changed.
    let mut tampered = request.body.clone();
    tampered[1] ^= 0x20;
    let mut cmd = env.cmd();
    cmd.args(["verify", "--webhook", "receiver", "--signature", &signature])
        .write_stdin(tampered);
    expect_invalid(&run(&mut cmd), "tampered received body");
}

#[test]
fn round_trip_with_a_generated_whsec_secret() {
    // `webhook add` generates the secret; `emit` signs with it; `verify --webhook` checks.
    let env = TestEnv::new();
    let server = TestServer::start();
    let mut cmd = env.cmd();
    cmd.args(["webhook", "add", "gen", "--url", &server.url("/gen")]);
    let added = run(&mut cmd);
    added.expect_code(0);
    let generated = added.stdout.trim().to_string();

    let mut cmd = env.cmd();
    cmd.args([
        "emit",
        "scan_complete",
        "--repo",
        "acme/api",
        "--set",
        "scan_id=s-1",
    ]);
    let emitted = run(&mut cmd);
    emitted.expect_code(0);
    assert!(!emitted.all_output().contains(&generated));

    let requests = server.wait_for_requests_for("/gen", 1, Duration::from_secs(5));
    assert_eq!(requests.len(), 1);
    let signature = requests[0]
        .header("x-codestax-signature")
        .expect("signature header")
        .to_string();
    assert_eq!(signature, codestax_signature(&generated, &requests[0].body));

    let mut cmd = env.cmd();
    cmd.args(["verify", "--webhook", "gen", "--signature", &signature])
        .write_stdin(requests[0].body.clone());
    expect_valid(&run(&mut cmd), "verify --webhook gen");
}
