//! The command-line experience as a user meets it (docs/reference.md §1, §5 progress, §6 `--json`):
//! committed completions and man page are current, every subcommand has help, progress and
//! colour only on a terminal (run under `script`, which gives the command a pseudo-terminal),
//! `--json` prints only JSON, unknown names get a suggestion, a closed stdout is no error.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use clap::CommandFactory;
use serde_json::{json, Value};

use crate::prelude::*;

const SHELLS: [&str; 5] = ["bash", "zsh", "fish", "elvish", "powershell"];

/// How to bring `completions/` and `man/` up to date (from the repository root).
const REGENERATE: &str = "cargo build && for s in bash zsh fish elvish powershell; do \
target/debug/staxhook completions $s > completions/staxhook.$s; done && \
target/debug/staxhook man > man/staxhook.1";

/// `'text'` for `sh`.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Runs `staxhook ARGS` under a pseudo-terminal (`script -qec`); returns the exit code and
/// everything the terminal showed (stdout and stderr together).
fn on_terminal(env: &TestEnv, args: &[&str], extra_env: &[(&str, &str)]) -> (i32, String) {
    let command_line = std::iter::once(STAXHOOK_BINARY)
        .chain(args.iter().copied())
        .map(shell_quote)
        .collect::<Vec<_>>()
        .join(" ");
    // Under heavy load `script` was once seen never to reap a child that had exited; a
    // bound turns such a hang into a failure (exit 124) instead of a stuck suite.
    let mut script = env.std_command("timeout");
    script.stdin(Stdio::null()).args([
        "--kill-after=5",
        "120",
        "script",
        "-qec",
        &command_line,
        "/dev/null",
    ]);
    for (name, value) in extra_env {
        script.env(name, value);
    }
    let output = script
        .output()
        .expect("run `script` (util-linux) under `timeout` (coreutils)");
    assert_ne!(
        output.status.code(),
        Some(124),
        "`script` did not end within 120 s"
    );
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

fn has_spinner(text: &str) -> bool {
    // indicatif's default spinner frames are braille patterns.
    text.chars().any(|c| ('\u{2800}'..='\u{28FF}').contains(&c))
}

// ---------------------------------------------------------------------------------------
// Completions, man page, help, version

#[test]
fn committed_completions_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let env = TestEnv::new();
    for shell in SHELLS {
        let output = staxhook(&env, &["completions", shell]);
        output.expect_code(0);
        let file = root.join(format!("completions/staxhook.{shell}"));
        let committed = std::fs::read(&file)
            .unwrap_or_else(|e| panic!("{}: {e}; regenerate with: {REGENERATE}", file.display()));
        assert!(
            output.stdout.as_bytes() == committed,
            "completions/staxhook.{shell} is out of date with `staxhook completions {shell}`; \
             regenerate with: {REGENERATE}"
        );
    }
}

#[test]
fn committed_man_page_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let env = TestEnv::new();
    let output = staxhook(&env, &["man"]);
    output.expect_code(0);
    let committed = std::fs::read(root.join("man/staxhook.1")).expect("man/staxhook.1");
    assert!(
        output.stdout.as_bytes() == committed,
        "man/staxhook.1 is out of date with `staxhook man`; regenerate with: {REGENERATE}"
    );
}

/// The failure messages above quote the README's regeneration command: keep them in step.
#[test]
fn readme_gives_the_regeneration_command() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    assert!(
        readme.contains(REGENERATE),
        "README.md should give the command that regenerates completions/ and man/: {REGENERATE}"
    );
}

/// Every subcommand path (`["webhook", "add"]`, …) and its about text, from the clap model.
fn subcommand_paths() -> Vec<(Vec<String>, String)> {
    fn walk(command: &clap::Command, prefix: &[String], found: &mut Vec<(Vec<String>, String)>) {
        for sub in command.get_subcommands() {
            if sub.get_name() == "help" {
                continue;
            }
            let mut path = prefix.to_vec();
            path.push(sub.get_name().to_string());
            let about = sub
                .get_about()
                .or(sub.get_long_about())
                .map(|about| about.to_string())
                .unwrap_or_default();
            found.push((path.clone(), about));
            walk(sub, &path, found);
        }
    }
    let mut command = Cli::command();
    command.build();
    let mut found = Vec::new();
    walk(&command, &[], &mut found);
    found
}

/// The names listed under `Commands:` in a `--help` output.
fn listed_commands(help: &str) -> BTreeSet<String> {
    help.lines()
        .skip_while(|line| line.trim() != "Commands:")
        .skip(1)
        .take_while(|line| !line.trim().is_empty())
        .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_clap_model_is_the_binarys() {
    let env = TestEnv::new();
    let paths = subcommand_paths();
    // The binary's own `--help` lists the same top-level commands.
    let top = staxhook(&env, &["--help"]);
    top.expect_code(0);
    let top_help = &top.stdout;
    let from_model: BTreeSet<String> = paths
        .iter()
        .filter(|(path, _)| path.len() == 1)
        .map(|(path, _)| path[0].clone())
        .collect();
    assert_eq!(listed_commands(top_help), from_model, "{top_help}");
    for known in [
        "webhook add",
        "webhook rotate-secret",
        "log show",
        "log prune",
        "listen",
    ] {
        assert!(
            paths.iter().any(|(path, _)| path.join(" ") == known),
            "`{known}` missing from the enumeration"
        );
    }
}

#[test]
fn every_subcommand_has_help_that_says_what_it_does() {
    // Walks the clap model, which `the_clap_model_is_the_binarys` ties to the binary.
    let env = TestEnv::new();
    let paths = subcommand_paths();
    let mut problems = Vec::new();
    for (path, about) in &paths {
        let name = path.join(" ");
        if about.trim().is_empty() {
            problems.push(format!("`staxhook {name}` has no about text"));
            continue;
        }
        let args: Vec<&str> = path.iter().map(String::as_str).chain(["--help"]).collect();
        let output = staxhook(&env, &args);
        let help = &output.stdout;
        if output.code != 0 {
            problems.push(format!(
                "`staxhook {name} --help` exited {}: {}",
                output.code, output.stderr
            ));
            continue;
        }
        if !squash(help).contains(&squash(about)) {
            problems.push(format!(
                "`staxhook {name} --help` does not state its purpose {about:?}:\n{help}"
            ));
        }
        if !help.contains("Usage: staxhook ") {
            problems.push(format!(
                "`staxhook {name} --help` has no usage line:\n{help}"
            ));
        }
        // A command group's help lists exactly its subcommands.
        let children: BTreeSet<String> = paths
            .iter()
            .filter(|(child, _)| child.len() == path.len() + 1 && child.starts_with(path))
            .map(|(child, _)| child[path.len()].clone())
            .collect();
        if !children.is_empty() && listed_commands(help) != children {
            problems.push(format!(
                "`staxhook {name} --help` lists {:?}, expected {children:?}",
                listed_commands(help)
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn version_prints_name_and_version() {
    let env = TestEnv::new();
    for flag in ["--version", "-V"] {
        let output = staxhook(&env, &[flag]);
        output.expect_code(0);
        assert_eq!(
            output.stdout,
            format!("staxhook {}\n", env!("CARGO_PKG_VERSION"))
        );
    }
    assert_eq!(env!("CARGO_PKG_VERSION"), "0.1.0");
}

// ---------------------------------------------------------------------------------------
// Progress and colour: only on a terminal

/// A webhook that answers 503, 503, then 200, with waits long enough to see a spinner.
fn flaky_setup() -> (TestEnv, TestServer) {
    let env = TestEnv::new();
    let server = TestServer::start();
    server.script(
        "/flaky",
        vec![
            Behavior::Status(503),
            Behavior::Status(503),
            Behavior::Status(200),
        ],
    );
    write_private_config(
        &env,
        &format!(
            "[defaults]\nmax_attempts = 5\ninitial_backoff = \"300ms\"\nmax_backoff = \"1s\"\n{}",
            signed_hook("flaky", &server.url("/flaky"), "")
        ),
    );
    (env, server)
}

const EMIT: [&str; 6] = [
    "emit",
    "scan_complete",
    "--repo",
    "acme/api",
    "--set",
    "scan_id=s-1",
];

#[test]
fn no_progress_when_stderr_is_piped() {
    let (env, server) = flaky_setup();
    let output = staxhook(&env, &EMIT);
    output.expect_code(0);
    assert_eq!(server.requests_for("/flaky").len(), 3);
    let stderr = &output.stderr;
    assert!(
        !stderr.contains("retrying"),
        "no progress when piped: {stderr:?}"
    );
    assert!(!has_spinner(stderr), "no spinner when piped: {stderr:?}");
    assert!(
        !stderr.contains('\r') && !stderr.contains("\x1b["),
        "{stderr:?}"
    );
    let stdout = &output.stdout;
    assert!(stdout.contains("✓ flaky scan_complete"), "{stdout:?}");
    assert!(stdout.contains("3 attempts"), "{stdout:?}");
}

#[test]
fn progress_shows_on_a_terminal() {
    let (env, server) = flaky_setup();
    let (code, screen) = on_terminal(&env, &EMIT, &[]);
    assert_eq!(code, 0, "{screen}");
    assert_eq!(server.requests_for("/flaky").len(), 3);
    for wanted in [
        "flaky: retrying in ",
        "attempt 2/5",
        "attempt 3/5",
        "HTTP 503",
    ] {
        assert!(
            screen.contains(wanted),
            "terminal shows {wanted:?}:\n{screen:?}"
        );
    }
    assert!(has_spinner(&screen), "a spinner while waiting:\n{screen:?}");
    assert!(
        screen.contains("flaky scan_complete: HTTP 200"),
        "{screen:?}"
    );
}

#[test]
fn quiet_and_json_silence_progress_on_a_terminal() {
    for flag in ["-q", "--json"] {
        let (env, server) = flaky_setup();
        let args: Vec<&str> = std::iter::once(flag).chain(EMIT).collect();
        let (code, screen) = on_terminal(&env, &args, &[]);
        assert_eq!(code, 0, "{flag}: {screen}");
        assert_eq!(server.requests_for("/flaky").len(), 3, "{flag}");
        assert!(
            !screen.contains("retrying"),
            "{flag}: no progress:\n{screen:?}"
        );
        assert!(!has_spinner(&screen), "{flag}: no spinner:\n{screen:?}");
        if flag == "--json" {
            let value: Value = serde_json::from_str(&screen.replace("\r\n", "\n"))
                .unwrap_or_else(|e| panic!("--json on a terminal: only JSON ({e}):\n{screen:?}"));
            assert_eq!(value[0]["attempts"], 3);
        }
    }
}

fn delivered_setup() -> (TestEnv, TestServer) {
    let env = TestEnv::new();
    let server = TestServer::start();
    write_private_config(&env, &signed_hook("ok", &server.url("/ok"), ""));
    (env, server)
}

#[test]
fn colour_on_a_terminal_only_and_never_with_no_color() {
    let (env, _server) = delivered_setup();
    let (code, screen) = on_terminal(&env, &EMIT, &[]);
    assert_eq!(code, 0, "{screen}");
    let tick = screen
        .lines()
        .find(|line| line.contains("ok scan_complete"))
        .unwrap_or_else(|| panic!("no result line:\n{screen:?}"));
    assert!(tick.contains('✓'), "{tick:?}");
    assert!(
        tick.contains("\x1b["),
        "✓ is coloured on a terminal: {tick:?}"
    );

    let (code, screen) = on_terminal(&env, &EMIT, &[("NO_COLOR", "1")]);
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("✓ ok scan_complete"), "{screen:?}");
    assert!(
        !screen.contains("\x1b["),
        "NO_COLOR=1: no escape codes:\n{screen:?}"
    );

    let output = staxhook(&env, &EMIT);
    output.expect_code(0);
    let stdout = &output.stdout;
    assert!(stdout.contains("✓ ok scan_complete"), "{stdout:?}");
    assert!(
        !stdout.contains("\x1b["),
        "piped: no escape codes: {stdout:?}"
    );
    assert!(!output.stderr.contains("\x1b["), "{:?}", output.stderr);
}

// ---------------------------------------------------------------------------------------
// --json: only JSON on stdout

/// `webhook add --json` twice: `gen` with a generated secret (returned) and `given` with
/// [`SECRET`], both taking every event.
struct JsonWebhooks {
    env: TestEnv,
    server: TestServer,
    /// What `webhook add --json gen` printed.
    added: Value,
    generated: String,
}

fn add_two_webhooks_with_json() -> JsonWebhooks {
    let env = TestEnv::new();
    let server = TestServer::start();
    let added = staxhook_json(
        &env,
        0,
        &["webhook", "add", "gen", "--url", &server.url("/gen")],
    );
    let generated = added["secret"].as_str().unwrap_or_default().to_string();
    staxhook_json(
        &env,
        0,
        &[
            "webhook",
            "add",
            "given",
            "--url",
            &server.url("/given"),
            "--secret",
            SECRET,
        ],
    );
    JsonWebhooks {
        env,
        server,
        added,
        generated,
    }
}

/// `emit scan_complete` to both webhooks.
const EMIT_TO_BOTH: [&str; 6] = [
    "emit",
    "scan_complete",
    "--repo",
    "acme/api",
    "--set",
    "scan_id=s-1",
];

/// `--json emit` to both webhooks: the results.
fn emit_with_json(env: &TestEnv) -> Value {
    staxhook_json(env, 0, &EMIT_TO_BOTH)
}

/// The id of the first history row of `emit --json` results, as a command argument.
fn first_log_id(sent: &Value) -> String {
    sent[0]["log_id"].as_i64().expect("log_id").to_string()
}

#[test]
fn json_log_without_a_history_is_an_empty_array() {
    let env = TestEnv::new();
    assert_eq!(staxhook_json(&env, 0, &["log"]), json!([]));
}

#[test]
fn json_webhook_add_prints_the_generated_secret() {
    let JsonWebhooks { added, .. } = add_two_webhooks_with_json();
    assert_eq!(added["name"], "gen");
    assert!(
        added["secret"].as_str().unwrap_or("").starts_with("whsec_"),
        "{added:#}"
    );
}

#[test]
fn json_webhook_list_holds_no_secret() {
    let JsonWebhooks { env, generated, .. } = add_two_webhooks_with_json();
    let list = staxhook_json(&env, 0, &["webhook", "list"]);
    assert_eq!(list.as_array().map(Vec::len), Some(2), "{list:#}");
    assert!(
        !list.to_string().contains(&generated),
        "no secret in list: {list}"
    );
}

#[test]
fn json_dry_run_prints_the_requests_and_sends_nothing() {
    let JsonWebhooks { env, server, .. } = add_two_webhooks_with_json();
    let dry = staxhook_json(&env, 0, &[&EMIT_TO_BOTH[..], &["--dry-run"]].concat());
    assert_eq!(dry.as_array().map(Vec::len), Some(2), "{dry:#}");
    assert!(dry[0]["body"].is_object(), "{dry:#}");
    assert!(server.requests().is_empty(), "--dry-run sends nothing");
}

#[test]
fn json_emit_prints_one_result_per_webhook() {
    let JsonWebhooks {
        env,
        server: _server,
        ..
    } = add_two_webhooks_with_json();
    let sent = emit_with_json(&env);
    assert_eq!(sent.as_array().map(Vec::len), Some(2), "{sent:#}");
}

#[test]
fn json_send_test_prints_its_result() {
    let JsonWebhooks {
        env,
        server: _server,
        ..
    } = add_two_webhooks_with_json();
    let test = staxhook_json(&env, 0, &["send-test", "given"]);
    assert_eq!(test[0]["status"], "delivered");
}

#[test]
fn json_log_and_log_show_print_the_deliveries() {
    let JsonWebhooks {
        env,
        server: _server,
        ..
    } = add_two_webhooks_with_json();
    let sent = emit_with_json(&env);
    staxhook_json(&env, 0, &["send-test", "given"]);
    let log = staxhook_json(&env, 0, &["log"]);
    assert_eq!(log.as_array().map(Vec::len), Some(3), "{log:#}");
    let show = staxhook_json(&env, 0, &["log", "show", &first_log_id(&sent)]);
    assert!(
        show["request"].is_object() && show["attempts"].is_array(),
        "{show:#}"
    );
}

#[test]
fn json_redeliver_prints_the_same_delivery_id() {
    let JsonWebhooks {
        env,
        server: _server,
        ..
    } = add_two_webhooks_with_json();
    let sent = emit_with_json(&env);
    let again = staxhook_json(&env, 0, &["redeliver", &first_log_id(&sent)]);
    assert_eq!(again[0]["delivery_id"], sent[0]["delivery_id"]);
}

#[test]
fn json_verify_prints_whether_the_signature_is_valid() {
    let JsonWebhooks { env, server, .. } = add_two_webhooks_with_json();
    emit_with_json(&env);
    // A body exactly as the endpoint received it.
    let received = server.wait_for_requests_for("/given", 1, Duration::from_secs(5));
    let request = &received[0];
    let body_file = env.path().join("body.json");
    std::fs::write(&body_file, &request.body).unwrap();
    let signature = request
        .header("x-codestax-signature")
        .expect("signed")
        .to_string();
    let body_path = body_file.to_str().unwrap();
    let valid = staxhook_json(
        &env,
        0,
        &[
            "verify",
            "--secret",
            SECRET,
            "--signature",
            &signature,
            body_path,
        ],
    );
    assert_eq!(valid["valid"], true, "{valid:#}");
    let invalid = staxhook_json(
        &env,
        1,
        &[
            "verify",
            "--secret",
            "whsec_b3RoZXI=",
            "--signature",
            &signature,
            body_path,
        ],
    );
    assert_eq!(invalid["valid"], false, "{invalid:#}");
}

#[test]
fn json_rotate_secret_prints_the_new_secret() {
    let JsonWebhooks {
        env,
        server: _server,
        ..
    } = add_two_webhooks_with_json();
    let rotated = staxhook_json(
        &env,
        0,
        &["webhook", "rotate-secret", "given", "--grace", "1h"],
    );
    assert!(
        rotated["secret"]
            .as_str()
            .unwrap_or("")
            .starts_with("whsec_"),
        "{rotated:#}"
    );
}

#[test]
fn json_log_prune_prints_json() {
    let JsonWebhooks {
        env,
        server: _server,
        ..
    } = add_two_webhooks_with_json();
    emit_with_json(&env);
    let pruned = staxhook_json(&env, 0, &["log", "prune", "--older-than", "1d"]);
    assert!(pruned.is_object() || pruned.is_array(), "{pruned:#}");
}

#[test]
fn json_commands_without_data_print_nothing_or_json() {
    let JsonWebhooks {
        env,
        server: _server,
        ..
    } = add_two_webhooks_with_json();
    for args in [
        &["webhook", "disable", "gen"][..],
        &["webhook", "enable", "gen"],
        &["webhook", "rm", "gen"],
    ] {
        let output = staxhook(&env, &[&["--json"], args].concat());
        output.expect_code(0);
        let stdout = &output.stdout;
        assert!(
            stdout.trim().is_empty() || serde_json::from_str::<Value>(stdout).is_ok(),
            "{args:?} --json: stdout {stdout:?}"
        );
    }
}

#[test]
fn json_failed_delivery_is_still_json_with_exit_1() {
    let JsonWebhooks { env, server, .. } = add_two_webhooks_with_json();
    write_private_config(
        &env,
        &format!(
            "[defaults]\nmax_attempts = 1\n{}",
            signed_hook("down", &server.url("/down"), "")
        ),
    );
    server.set_default("/down", Behavior::Status(500));
    let failed = staxhook_json(&env, 1, &["send-test", "down"]);
    assert_eq!(failed[0]["status"], "failed", "{failed:#}");
}

// ---------------------------------------------------------------------------------------
// Helpful errors

/// `staxhook ARGS`, a usage error with one `error: ` line: that line, paths redacted.
fn usage_error(env: &TestEnv, args: &[&str]) -> String {
    let output = staxhook(env, args);
    output.expect_code(2);
    env.redact_paths(output.one_line_error())
}

#[test]
fn unknown_event_suggests_the_closest() {
    let env = TestEnv::new();
    insta::assert_snapshot!(
        usage_error(&env, &["emit", "kev-fonud", "--repo", "acme/api"]),
        @"error: invalid value 'kev-fonud' for '[EVENT]': unknown event `kev-fonud`: did you mean `kev_found`? (valid: scan_complete, critical_vulnerability, kev_found, policy_violation, sla_breach)"
    );
    insta::assert_snapshot!(
        usage_error(&env, &["log", "--event", "kev-fonud"]),
        @"error: invalid value 'kev-fonud' for '--event <EVENT>': unknown event `kev-fonud`: did you mean `kev_found`? (valid: scan_complete, critical_vulnerability, kev_found, policy_violation, sla_breach)"
    );
}

#[test]
fn unknown_webhook_name_suggests_a_near_match() {
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!(
            "{}{}",
            signed_hook("security", "http://127.0.0.1:9/security", ""),
            signed_hook("oncall", "http://127.0.0.1:9/oncall", "")
        ),
    );
    insta::assert_snapshot!(
        usage_error(&env, &["send-test", "secrity"]),
        @"error: webhook `secrity`: no such webhook in <config>: did you mean `security`? (valid: security, oncall)"
    );
    insta::assert_snapshot!(
        usage_error(
            &env,
            &[
                "emit",
                "scan_complete",
                "--repo",
                "a/b",
                "--set",
                "scan_id=1",
                "--webhook",
                "secrity",
            ],
        ),
        @"error: --webhook `secrity`: no such webhook in <config>: did you mean `security`? (valid: security, oncall)"
    );
    insta::assert_snapshot!(
        usage_error(&env, &["webhook", "rm", "secrity"]),
        @"error: unknown webhook `secrity` in <config>: did you mean `security`? (valid: security, oncall)"
    );
    insta::assert_snapshot!(
        usage_error(&env, &["webhook", "disable", "secrity"]),
        @"error: unknown webhook `secrity` in <config>: did you mean `security`? (valid: security, oncall)"
    );
    insta::assert_snapshot!(
        usage_error(&env, &["webhook", "rotate-secret", "secrity"]),
        @"error: unknown webhook `secrity` in <config>: did you mean `security`? (valid: security, oncall)"
    );
    insta::assert_snapshot!(
        usage_error(
            &env,
            &[
                "verify",
                "--webhook",
                "secrity",
                "--signature",
                "sha256=00",
                "-",
            ],
        ),
        @"error: --webhook: unknown webhook `secrity` in <config>: did you mean `security`? (valid: security, oncall)"
    );
    insta::assert_snapshot!(
        usage_error(&env, &["listen", "--port", "0", "--webhook", "secrity"]),
        @"error: --webhook: unknown webhook `secrity` in <config>: did you mean `security`? (valid: security, oncall)"
    );
}

#[test]
fn unknown_channel_suggests_the_closest() {
    let env = TestEnv::new();
    insta::assert_snapshot!(
        usage_error(
            &env,
            &[
                "webhook",
                "add",
                "x",
                "--url",
                "https://example.com/x",
                "--channel",
                "slak",
            ],
        ),
        @"error: invalid value 'slak' for '--channel <CHANNEL>': unknown channel `slak`: did you mean `slack`? (valid: slack, teams, discord, pagerduty, generic)"
    );
    assert!(
        !env.config_path().exists(),
        "nothing written on a usage error"
    );
}

// ---------------------------------------------------------------------------------------
// A closed stdout

#[test]
fn closed_stdout_is_not_an_error() {
    let env = TestEnv::new();
    let server = TestServer::start();
    // Enough rows that the output is far bigger than a pipe buffer.
    let hooks: String = (0..200)
        .map(|i| signed_hook(&format!("hook-{i:03}"), &server.url("/many"), ""))
        .collect();
    write_private_config(&env, &format!("[defaults]\nmax_attempts = 1\n{hooks}"));
    // A long repository name makes every row long.
    let repository = format!("acme/{}", "x".repeat(250));
    for _ in 0..2 {
        let output = staxhook(
            &env,
            &[
                "-q",
                "emit",
                "scan_complete",
                "--repo",
                &repository,
                "--set",
                "scan_id=1",
            ],
        );
        output.expect_code(0);
    }

    for args in ["log --limit 1000", "--json log --limit 1000"] {
        let full = staxhook(&env, &args.split(' ').collect::<Vec<_>>());
        full.expect_code(0);
        assert!(
            full.stdout.len() > 150_000,
            "`{args}` prints {} bytes: too few to fill the pipe",
            full.stdout.len()
        );
        let script = format!(
            "{{ {} {args}; echo \"staxhook exit $?\" >&2; }} | head -1",
            shell_quote(STAXHOOK_BINARY)
        );
        let output = env
            .std_command("sh")
            .stdin(Stdio::null())
            .args(["-c", &script])
            .output()
            .expect("run sh");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stdout.lines().count(), 1, "`{args} | head -1`: {stdout:?}");
        assert!(
            stderr.contains("staxhook exit 0"),
            "`{args} | head -1`: staxhook must exit 0, stderr: {stderr:?}"
        );
        assert!(
            !stderr.contains("panicked") && !stderr.contains("error"),
            "`{args} | head -1`: nothing on stderr but the exit code: {stderr:?}"
        );
    }
}
