//! Integration tests for `staxhook webhook add|list|rm|enable|disable` and for how the
//! config file is found, validated and edited (docs/reference.md §1, §2, §6, §8).

use std::path::Path;

use crate::prelude::*;

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("stat {}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Standard base64 (with padding) decoder, enough to check a generated secret.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if !text.len().is_multiple_of(4) {
        return None;
    }
    let bytes = text.as_bytes();
    let padding = bytes.iter().rev().take_while(|&&b| b == b'=').count();
    if padding > 2 {
        return None;
    }
    let mut bits: u32 = 0;
    let mut count = 0;
    let mut out = Vec::new();
    for &byte in &bytes[..bytes.len() - padding] {
        let value = ALPHABET.iter().position(|&a| a == byte)? as u32;
        bits = (bits << 6) | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    // Canonical encoding: the leftover bits must be zero.
    if bits != 0 {
        return None;
    }
    Some(out)
}

/// `webhook list --json`, parsed.
fn list_json(env: &TestEnv) -> serde_json::Value {
    let listed = staxhook(env, &["webhook", "list", "--json"]);
    listed.expect_code(0);
    serde_json::from_str(&listed.stdout)
        .unwrap_or_else(|e| panic!("list --json is not JSON ({e}): {}", listed.stdout))
}

/// The listed entry called `name`.
fn listed(env: &TestEnv, name: &str) -> serde_json::Value {
    let all = list_json(env);
    all.as_array()
        .expect("list --json is an array")
        .iter()
        .find(|entry| entry["name"] == name)
        .unwrap_or_else(|| panic!("webhook {name} not listed in {all}"))
        .clone()
}

const ALL_EVENTS: [&str; 5] = [
    "scan_complete",
    "critical_vulnerability",
    "kev_found",
    "policy_violation",
    "sla_breach",
];

// ---------------------------------------------------------------------------------------
// webhook add
// ---------------------------------------------------------------------------------------

/// `webhook add hook --url http://127.0.0.1:8999/hook` where no config exists yet: the run
/// and the generated secret it printed.
fn add_to_a_missing_config(env: &TestEnv) -> (Run, String) {
    assert!(!env.config_path().exists());
    let added = staxhook(
        env,
        &[
            "webhook",
            "add",
            "hook",
            "--url",
            "http://127.0.0.1:8999/hook",
        ],
    );
    added.expect_code(0);
    let secret = added.stdout.trim_end_matches('\n').to_string();
    (added, secret)
}

#[test]
fn add_prints_the_generated_secret_once_and_nothing_else() {
    let env = TestEnv::new();
    let (added, secret) = add_to_a_missing_config(&env);
    // stdout is the secret and nothing else.
    assert_eq!(
        added.stdout,
        format!("{secret}\n"),
        "stdout should be exactly one line"
    );
    let encoded = secret
        .strip_prefix("whsec_")
        .unwrap_or_else(|| panic!("generated secret should start with whsec_: {secret:?}"));
    let key = base64_decode(encoded)
        .unwrap_or_else(|| panic!("part after whsec_ is not canonical base64: {encoded:?}"));
    assert_eq!(key.len(), 32, "secret should be base64 of 32 bytes");
    // Printed exactly once in all the output.
    assert_eq!(
        added.all_output().matches(secret.as_str()).count(),
        1,
        "the secret must be printed exactly once:\n{}",
        added.all_output()
    );
    insta::assert_snapshot!(
        env.redact_paths(&added.stderr),
        @r"
        Added webhook `hook` (generic) to <config>.
        Its signing secret is below; it is shown only this once (it is stored in the config):
        "
    );
}

#[test]
fn add_on_a_missing_config_creates_a_private_file_holding_the_secret() {
    let env = TestEnv::new();
    let (_added, secret) = add_to_a_missing_config(&env);
    // The file holds that very secret, the inferred channel and enabled = true.
    assert_eq!(
        env.read_config(),
        format!(
            "[webhooks.hook]\nchannel = \"generic\"\nurl = \"http://127.0.0.1:8999/hook\"\n\
             secret = \"{secret}\"\nenabled = true\n"
        )
    );
    #[cfg(unix)]
    assert_eq!(
        mode(&env.config_path()),
        0o600,
        "new config must be mode 0600"
    );

    // No temporary file left behind next to it.
    let names: Vec<String> = std::fs::read_dir(env.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("staxhook-config") || name.ends_with(".tmp"))
        .collect();
    assert!(names.is_empty(), "temporary files left: {names:?}");

    let entry = listed(&env, "hook");
    assert_eq!(entry["channel"], "generic");
    assert_eq!(entry["signed"], true);
}

#[test]
fn two_generated_secrets_differ() {
    // Randomness from the OS.
    let env = TestEnv::new();
    let (_added, secret) = add_to_a_missing_config(&env);
    let second = staxhook(
        &env,
        &[
            "webhook",
            "add",
            "other",
            "--url",
            "http://127.0.0.1:8999/other",
        ],
    );
    second.expect_code(0);
    let second_secret = second.stdout.trim();
    assert!(second_secret.starts_with("whsec_"), "{second_secret}");
    assert_ne!(second_secret, secret, "two generated secrets are identical");
}

#[test]
fn add_with_json_prints_the_generated_secret_in_the_object() {
    // docs/reference.md §6 does not define `webhook add --json`; this follows the code:
    // {"name","channel","secret"} with the generated secret (null when none was generated).
    let env = TestEnv::new();
    let added = staxhook(
        &env,
        &[
            "--json",
            "webhook",
            "add",
            "j",
            "--url",
            "https://j.example/in",
        ],
    );
    added.expect_code(0);
    let value: serde_json::Value = serde_json::from_str(&added.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", added.stdout));
    let secret = value["secret"].as_str().expect("secret is a string");
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert_eq!(
        value,
        serde_json::json!({"name": "j", "channel": "generic", "secret": secret})
    );
    assert!(env
        .read_config()
        .contains(&format!("secret = \"{secret}\"\n")));

    let given = staxhook(
        &env,
        &[
            "--json",
            "webhook",
            "add",
            "k",
            "--url",
            "https://k.example/in",
            "--secret",
            "given-s",
        ],
    );
    given.expect_code(0);
    let value: serde_json::Value = serde_json::from_str(&given.stdout).unwrap();
    assert_eq!(
        value,
        serde_json::json!({"name": "k", "channel": "generic", "secret": null})
    );
    assert!(!given.all_output().contains("given-s"));
}

#[test]
fn add_infers_the_channel_from_the_url() {
    let env = TestEnv::new();
    let cases = [
        (
            "slack",
            "https://hooks.slack.com/services/T0/B0/XYZ",
            "slack",
        ),
        (
            "discord",
            "https://discord.com/api/webhooks/1/abc",
            "discord",
        ),
        (
            "discordapp",
            "https://discordapp.com/api/webhooks/1/abc",
            "discord",
        ),
        (
            "teams",
            "https://acme.webhook.office.com/webhookb2/x",
            "teams",
        ),
        (
            "logic",
            "https://prod-1.westus.logic.azure.com/workflows/x",
            "teams",
        ),
        (
            "power",
            "https://x.environment.api.powerplatform.com/p",
            "teams",
        ),
        ("plain", "https://siem.example.com/hooks", "generic"),
        ("local", "http://127.0.0.1:9/hook", "generic"),
        // discord.com without /api/webhooks is not a Discord webhook.
        ("notdiscord", "https://discord.com/channels/1", "generic"),
    ];
    for (name, url, expected) in cases {
        let added = staxhook(
            &env,
            &["webhook", "add", name, "--url", url, "--secret", "s"],
        );
        added.expect_code(0);
        assert!(
            env.read_config().contains(&format!(
                "[webhooks.{name}]\nchannel = \"{expected}\"\nurl = \"{url}\"\n"
            )),
            "{name}: expected channel {expected}:\n{}",
            env.read_config()
        );
    }
}

#[test]
fn add_infers_pagerduty_from_its_url() {
    // It needs a routing key variable.
    let env = TestEnv::new();
    let pd = staxhook(
        &env,
        &[
            "webhook",
            "add",
            "pd",
            "--url",
            "https://events.pagerduty.com/v2/enqueue",
            "--routing-key-env",
            "PD_KEY",
        ],
    );
    pd.expect_code(0);
    assert!(env
        .read_config()
        .contains("[webhooks.pd]\nchannel = \"pagerduty\"\n"));
    assert!(env.read_config().contains("routing_key = \"${PD_KEY}\"\n"));
}

#[test]
fn add_with_a_channel_flag_overrides_the_guess() {
    let env = TestEnv::new();
    let explicit = staxhook(
        &env,
        &[
            "webhook",
            "add",
            "forced",
            "--url",
            "https://hooks.slack.com/services/T1/B1/ZZZ",
            "--channel",
            "generic",
            "--secret",
            "s",
        ],
    );
    explicit.expect_code(0);
    assert!(env
        .read_config()
        .contains("[webhooks.forced]\nchannel = \"generic\"\n"));
    let explicit = staxhook(
        &env,
        &[
            "webhook",
            "add",
            "forced2",
            "--url",
            "http://127.0.0.1:9/x",
            "--channel",
            "discord",
            "--secret",
            "s",
        ],
    );
    explicit.expect_code(0);
    assert!(env
        .read_config()
        .contains("[webhooks.forced2]\nchannel = \"discord\"\n"));
    assert_eq!(listed(&env, "forced2")["channel"], "discord");
    assert_eq!(listed(&env, "forced")["channel"], "generic");
}

/// `webhook add siem` with `--secret-env SIEM_SECRET` (the variable set): the run.
fn add_with_secret_env(env: &TestEnv) -> Run {
    let mut cmd = env.cmd();
    cmd.args([
        "webhook",
        "add",
        "siem",
        "--url",
        "https://siem.example.com/in",
        "--secret-env",
        "SIEM_SECRET",
    ])
    .env("SIEM_SECRET", "the-real-secret-value");
    let added = run(&mut cmd);
    added.expect_code(0);
    added
}

#[test]
fn add_with_secret_env_stores_a_reference_and_prints_no_secret() {
    let env = TestEnv::new();
    let added = add_with_secret_env(&env);
    assert_eq!(
        added.stdout, "",
        "nothing on stdout when no secret was generated"
    );
    assert!(
        !added.all_output().contains("whsec_"),
        "{}",
        added.all_output()
    );
    assert!(!added.all_output().contains("the-real-secret-value"));
    assert_eq!(
        env.read_config(),
        "[webhooks.siem]\nchannel = \"generic\"\nurl = \"https://siem.example.com/in\"\n\
         secret = \"${SIEM_SECRET}\"\nenabled = true\n"
    );
    assert_eq!(listed(&env, "siem")["signed"], true);
}

#[test]
fn add_with_secret_env_refuses_what_is_not_a_variable_name() {
    let env = TestEnv::new();
    add_with_secret_env(&env);
    let before = env.read_config();
    let bad = staxhook(
        &env,
        &[
            "webhook",
            "add",
            "bad",
            "--url",
            "https://b.example/",
            "--secret-env",
            "NOT-A-VAR",
        ],
    );
    let line = bad.expect_usage_error();
    insta::assert_snapshot!(
        env.redact_paths(line),
        @"error: --secret-env `NOT-A-VAR`: not a valid environment variable name"
    );
    assert_eq!(env.read_config(), before);
}

#[test]
fn add_with_both_secret_and_secret_env_is_a_usage_error() {
    let env = TestEnv::new();
    add_with_secret_env(&env);
    let before = env.read_config();
    let both = staxhook(
        &env,
        &[
            "webhook",
            "add",
            "both",
            "--url",
            "https://b.example/",
            "--secret",
            "x",
            "--secret-env",
            "Y",
        ],
    );
    both.expect_code(2);
    assert_eq!(env.read_config(), before);
}

#[test]
fn add_with_secret_stores_it_verbatim() {
    let env = TestEnv::new();
    let added = staxhook(
        &env,
        &[
            "webhook",
            "add",
            "given",
            "--url",
            "https://given.example/hook",
            "--secret",
            "my literal s3cret",
        ],
    );
    added.expect_code(0);
    assert_eq!(added.stdout, "", "a given secret is not printed");
    assert!(
        !added.stderr.contains("my literal s3cret"),
        "{}",
        added.stderr
    );
    assert!(
        env.read_config()
            .contains("secret = \"my literal s3cret\"\n"),
        "{}",
        env.read_config()
    );

    let empty = staxhook(
        &env,
        &[
            "webhook",
            "add",
            "empty",
            "--url",
            "https://e.example/",
            "--secret",
            "",
        ],
    );
    empty.expect_usage_error();
    assert!(!env.read_config().contains("[webhooks.empty]"));
}

/// `webhook add sec` with events in both spellings (one twice) and two headers; the config
/// text afterwards.
fn add_with_events_and_headers(env: &TestEnv) -> String {
    let added = staxhook(
        env,
        &[
            "webhook",
            "add",
            "sec",
            "--url",
            "https://sec.example/in",
            "--secret",
            "s",
            "--event",
            "critical-vulnerability",
            "--event",
            "kev_found",
            "--event",
            "sla-breach",
            // A repeat (in the other spelling) is stored once.
            "--event",
            "kev-found",
            "--header",
            "X-Team=appsec",
            "--header",
            "X-Env=a=b",
        ],
    );
    added.expect_code(0);
    env.read_config()
}

#[test]
fn add_accepts_kebab_and_snake_events_stores_snake_and_keeps_headers() {
    let env = TestEnv::new();
    let text = add_with_events_and_headers(&env);
    assert_eq!(
        text,
        "[webhooks.sec]\nchannel = \"generic\"\nurl = \"https://sec.example/in\"\n\
         events = [\"critical_vulnerability\", \"kev_found\", \"sla_breach\"]\n\
         secret = \"s\"\nheaders = { X-Team = \"appsec\", X-Env = \"a=b\" }\nenabled = true\n"
    );
    assert_eq!(
        listed(&env, "sec")["events"],
        serde_json::json!(["critical_vulnerability", "kev_found", "sla_breach"])
    );
}

#[test]
fn add_refuses_bad_headers_and_changes_nothing() {
    // No `=`, a header staxhook owns, a non-token name.
    let env = TestEnv::new();
    let text = add_with_events_and_headers(&env);
    for header in ["NoEquals", "X-CodeStax-Signature=forged", "Bad Name=x"] {
        let bad = staxhook(
            &env,
            &[
                "webhook",
                "add",
                "h",
                "--url",
                "https://h.example/",
                "--secret",
                "s",
                "--header",
                header,
            ],
        );
        let line = bad.expect_usage_error();
        assert!(line.contains("header"), "{line}");
        assert_eq!(
            env.read_config(),
            text,
            "--header {header} changed the config"
        );
    }
}

#[test]
fn add_refuses_plain_http_to_a_remote_host() {
    let env = TestEnv::new();
    let refused = staxhook(
        &env,
        &[
            "webhook",
            "add",
            "insecure",
            "--url",
            "http://example.com/hook",
        ],
    );
    let line = refused.expect_usage_error();
    insta::assert_snapshot!(
        env.redact_paths(line),
        @"error: --url: plain http:// to example.com is refused; use https, or pass --allow-insecure"
    );
    assert!(
        !env.config_path().exists(),
        "a refused add must not create the config"
    );

    // With an existing config: byte-identical afterwards.
    let original = "# mine\n[webhooks.a]\nurl = \"https://a.example/\"\n";
    env.write_config(original);
    let refused = staxhook(
        &env,
        &[
            "webhook",
            "add",
            "insecure",
            "--url",
            "http://10.0.0.1/hook",
        ],
    );
    refused.expect_usage_error();
    assert_eq!(env.read_config(), original);
    // localhost.evil.com is not loopback.
    let refused = staxhook(
        &env,
        &[
            "webhook",
            "add",
            "insecure",
            "--url",
            "http://localhost.evil.com/h",
        ],
    );
    refused.expect_usage_error();
    assert_eq!(env.read_config(), original);
}

#[test]
fn add_with_allow_insecure_stores_the_flag() {
    let env = TestEnv::new();
    let added = staxhook(
        &env,
        &[
            "webhook",
            "add",
            "insecure",
            "--url",
            "http://example.com/hook",
            "--allow-insecure",
            "--secret",
            "s",
        ],
    );
    added.expect_code(0);
    assert_eq!(
        env.read_config(),
        "[webhooks.insecure]\nchannel = \"generic\"\nurl = \"http://example.com/hook\"\n\
         secret = \"s\"\nallow_insecure = true\nenabled = true\n"
    );
    assert_eq!(listed(&env, "insecure")["url"], "http://example.com/hook");
}

#[test]
fn add_accepts_plain_http_to_loopback_hosts() {
    let env = TestEnv::new();
    let urls = [
        ("lh", "http://localhost:8080/hook"),
        ("v6", "http://[::1]:8080/hook"),
        ("v4", "http://127.0.0.1/hook"),
        ("v4b", "http://127.1.2.3:1/hook"),
    ];
    for (name, url) in urls {
        let added = staxhook(
            &env,
            &["webhook", "add", name, "--url", url, "--secret", "s"],
        );
        added.expect_code(0);
    }
    let text = env.read_config();
    for (_, url) in urls {
        assert!(text.contains(&format!("url = \"{url}\"\n")), "{text}");
    }
    assert!(
        !text.contains("allow_insecure"),
        "loopback needs no allow_insecure:\n{text}"
    );
}

#[test]
fn add_duplicate_name_leaves_config_byte_identical() {
    let env = TestEnv::new();
    let original = "# keep\n[webhooks.dup]   # spaced\nurl    = \"https://dup.example/\"\n";
    env.write_config(original);
    #[cfg(unix)]
    set_mode(&env.config_path(), 0o640);

    let again = staxhook(
        &env,
        &["webhook", "add", "dup", "--url", "https://other.example/"],
    );
    let line = again.expect_usage_error();
    insta::assert_snapshot!(
        env.redact_paths(line),
        @"error: webhook `dup` already exists in <config> (remove it first with `staxhook webhook rm dup`)"
    );
    assert_eq!(env.read_config(), original);
    #[cfg(unix)]
    assert_eq!(
        mode(&env.config_path()),
        0o640,
        "a refused add must not rewrite the file"
    );
}

#[test]
fn add_rejects_invalid_names() {
    let env = TestEnv::new();
    let long = "x".repeat(65);
    for name in ["with space", "dotted.name", long.as_str(), "", "ünï"] {
        let refused = staxhook(
            &env,
            &["webhook", "add", name, "--url", "https://n.example/"],
        );
        let line = refused.expect_usage_error();
        assert!(line.contains("invalid webhook name"), "{line}");
        assert!(
            !env.config_path().exists(),
            "name {name:?}: config was created"
        );
    }
    // The 64-character boundary and every allowed character are fine.
    let longest = "A-z_0".repeat(12) + "abcd";
    assert_eq!(longest.len(), 64);
    let added = staxhook(
        &env,
        &[
            "webhook",
            "add",
            &longest,
            "--url",
            "https://n.example/",
            "--secret",
            "s",
        ],
    );
    added.expect_code(0);
    assert!(env
        .read_config()
        .contains(&format!("[webhooks.{longest}]\n")));
}

#[test]
fn add_unknown_channel_suggests_slack() {
    let env = TestEnv::new();
    let refused = staxhook(
        &env,
        &[
            "webhook",
            "add",
            "c",
            "--url",
            "https://c.example/",
            "--channel",
            "slak",
        ],
    );
    let line = refused.expect_usage_error();
    insta::assert_snapshot!(
        env.redact_paths(line),
        @"error: invalid value 'slak' for '--channel <CHANNEL>': unknown channel `slak`: did you mean `slack`? (valid: slack, teams, discord, pagerduty, generic)"
    );
    assert!(!env.config_path().exists());
}

#[test]
fn add_unknown_event_suggests_kev_found() {
    let env = TestEnv::new();
    let original = "[webhooks.a]\nurl = \"https://a.example/\"\n";
    env.write_config(original);
    let refused = staxhook(
        &env,
        &[
            "webhook",
            "add",
            "e",
            "--url",
            "https://e.example/",
            "--event",
            "kev-fonud",
        ],
    );
    let line = refused.expect_usage_error();
    insta::assert_snapshot!(
        env.redact_paths(line),
        @"error: invalid value 'kev-fonud' for '--event <EVENT>': unknown event `kev-fonud`: did you mean `kev_found`? (valid: scan_complete, critical_vulnerability, kev_found, policy_violation, sla_breach)"
    );
    assert_eq!(env.read_config(), original);
}

#[test]
fn add_without_url_is_refused_except_for_pagerduty() {
    let env = TestEnv::new();
    let refused = staxhook(&env, &["webhook", "add", "nourl"]);
    let line = refused.expect_usage_error();
    insta::assert_snapshot!(
        env.redact_paths(line),
        @"error: --url is required (only pagerduty webhooks have a default URL, https://events.pagerduty.com/v2/enqueue)"
    );
    assert!(!env.config_path().exists());

    let pd = staxhook(
        &env,
        &[
            "webhook",
            "add",
            "pd",
            "--channel",
            "pagerduty",
            "--routing-key-env",
            "PD_KEY",
        ],
    );
    pd.expect_code(0);
    let entry = listed(&env, "pd");
    assert_eq!(entry["url"], "https://events.pagerduty.com/v2/…");
    assert_eq!(
        entry["events"],
        serde_json::json!(["critical_vulnerability", "kev_found", "sla_breach"])
    );
}

// ---------------------------------------------------------------------------------------
// Editing keeps the user's file
// ---------------------------------------------------------------------------------------

const HAND_WRITTEN: &str = r#"# staxhook config, written by hand
#   keep this header

[defaults]
timeout   =   "20s"      # generous
max_attempts=3

# the SIEM gets everything
[webhooks.siem]
channel   = "generic"   # explicit
url = "https://siem.example.com/hooks/codestax"
secret = "${SIEM_SECRET}"
headers = {  "X-Team" = "appsec"  }
enabled = true

[webhooks.chat]    # chat hook
channel = "slack"
url = "${CHAT_URL}"
events = [ "kev_found",   "critical_vulnerability" ]   # only the loud ones
"#;

/// The edits [`HAND_WRITTEN`] goes through, in order; each test makes those before its own.
/// A `webhook add` (its secret from a variable): the config text afterwards.
fn add_to_the_hand_written_config(env: &TestEnv) -> String {
    env.write_config(HAND_WRITTEN);
    staxhook(
        env,
        &[
            "webhook",
            "add",
            "new",
            "--url",
            "https://new.example/hook",
            "--secret-env",
            "NEW_SECRET",
        ],
    )
    .expect_code(0);
    env.read_config()
}

/// `webhook disable siem` (which has `enabled = true`): the run.
fn disable_siem(env: &TestEnv) -> Run {
    let disabled = staxhook(env, &["webhook", "disable", "siem"]);
    disabled.expect_code(0);
    disabled
}

/// `webhook disable chat` (which has no `enabled` key).
fn disable_chat(env: &TestEnv) {
    staxhook(env, &["webhook", "disable", "chat"]).expect_code(0);
}

/// `webhook enable` of chat and siem.
fn enable_both(env: &TestEnv) {
    staxhook(env, &["webhook", "enable", "chat"]).expect_code(0);
    staxhook(env, &["webhook", "enable", "siem"]).expect_code(0);
}

#[test]
fn add_keeps_the_hand_written_text_and_appends_its_table() {
    let env = TestEnv::new();
    let after_add = add_to_the_hand_written_config(&env);
    assert_eq!(
        after_add,
        format!(
            "{HAND_WRITTEN}\n[webhooks.new]\nchannel = \"generic\"\n\
             url = \"https://new.example/hook\"\nsecret = \"${{NEW_SECRET}}\"\nenabled = true\n"
        )
    );
    #[cfg(unix)]
    assert_eq!(mode(&env.config_path()), 0o600, "rewritten config is 0600");
}

#[test]
fn disable_changes_only_the_enabled_line() {
    let env = TestEnv::new();
    let after_add = add_to_the_hand_written_config(&env);
    let disabled = disable_siem(&env);
    assert_eq!(disabled.stdout, "");
    assert_eq!(
        env.read_config(),
        after_add.replace(
            "headers = {  \"X-Team\" = \"appsec\"  }\nenabled = true\n",
            "headers = {  \"X-Team\" = \"appsec\"  }\nenabled = false\n"
        )
    );
    assert_eq!(listed(&env, "siem")["enabled"], false);
}

#[test]
fn disable_without_an_enabled_key_appends_one_line_to_the_table() {
    let env = TestEnv::new();
    add_to_the_hand_written_config(&env);
    disable_siem(&env);
    let after_disable = env.read_config();
    disable_chat(&env);
    assert_eq!(
        env.read_config(),
        after_disable.replace(
            "   # only the loud ones\n",
            "   # only the loud ones\nenabled = false\n"
        )
    );
}

#[test]
fn enable_sets_the_enabled_lines_back() {
    let env = TestEnv::new();
    let after_add = add_to_the_hand_written_config(&env);
    disable_siem(&env);
    disable_chat(&env);
    enable_both(&env);
    assert_eq!(
        env.read_config(),
        after_add.replace(
            "   # only the loud ones\n",
            "   # only the loud ones\nenabled = true\n"
        )
    );
    assert_eq!(listed(&env, "chat")["enabled"], true);
    assert_eq!(listed(&env, "siem")["enabled"], true);
}

#[test]
fn rm_of_the_added_webhook_leaves_the_hand_written_text() {
    // Plus chat's explicit `enabled`, which the edits before added.
    let env = TestEnv::new();
    add_to_the_hand_written_config(&env);
    disable_siem(&env);
    disable_chat(&env);
    enable_both(&env);
    staxhook(&env, &["webhook", "rm", "new"]).expect_code(0);
    assert_eq!(
        env.read_config(),
        HAND_WRITTEN.replace(
            "   # only the loud ones\n",
            "   # only the loud ones\nenabled = true\n"
        )
    );
}

#[test]
fn disable_keeps_the_comment_on_the_enabled_line() {
    // docs/reference.md §2: commands that change the config keep the user's comments.
    let env = TestEnv::new();
    let original = "[webhooks.siem]\nurl = \"https://siem.example.com/in\"\n\
                    secret = \"${S}\"\nenabled = true   # on purpose, ask appsec\n";
    env.write_config(original);
    let disabled = staxhook(&env, &["webhook", "disable", "siem"]);
    disabled.expect_code(0);
    let text = env.read_config();
    let enabled_line = text
        .lines()
        .find(|line| line.starts_with("enabled"))
        .unwrap_or_else(|| panic!("no enabled line:\n{text}"));
    assert!(
        enabled_line.starts_with("enabled = false"),
        "not disabled: {enabled_line:?}"
    );
    assert!(
        enabled_line.ends_with("# on purpose, ask appsec"),
        "the comment on the `enabled` line was lost: {enabled_line:?}\nwhole file:\n{text}"
    );
}

#[test]
fn disable_of_an_inline_table_webhook_really_disables_it() {
    // `a = { ... }` under [webhooks] is a valid way to write a webhook (the loader accepts
    // it), and `disable` edits it where it is.
    let env = TestEnv::new();
    let original = "[webhooks]\na = { url = \"https://a.example/\" }\n";
    env.write_config(original);
    let disabled = staxhook(&env, &["webhook", "disable", "a"]);
    disabled.expect_code(0);
    assert_eq!(
        listed(&env, "a")["enabled"],
        false,
        "`webhook disable a` exited 0 and said {:?}, but the webhook is still enabled; \
         config now:\n{}",
        disabled.stderr.trim(),
        env.read_config()
    );
    assert_eq!(
        env.read_config(),
        "[webhooks]\na = { url = \"https://a.example/\" , enabled = false }\n"
    );
}

#[test]
fn rm_of_a_webhook_in_an_inline_webhooks_table_really_removes_it() {
    let env = TestEnv::new();
    let original = "webhooks = { a = { url = \"https://a.example/\" }, b = { url = \"https://b.example/\" } }\n";
    env.write_config(original);
    assert_eq!(list_json(&env).as_array().unwrap().len(), 2);
    let removed = staxhook(&env, &["webhook", "rm", "a"]);
    removed.expect_code(0);
    let names: Vec<String> = list_json(&env)
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        ["b"],
        "`webhook rm a` exited 0 and said {:?}, but `a` is still configured; config now:\n{}",
        removed.stderr.trim(),
        env.read_config()
    );
}

#[test]
fn rm_removes_the_table_and_its_leading_comment_only() {
    // The reference does not say where a removed table ends; the code drops the comment lines
    // directly above its header together with it, and nothing else.
    let env = TestEnv::new();
    env.write_config(HAND_WRITTEN);
    let removed = staxhook(&env, &["webhook", "rm", "siem"]);
    removed.expect_code(0);
    assert_eq!(removed.stdout, "");
    insta::assert_snapshot!(env.redact_paths(&removed.stderr), @"Removed webhook `siem`.");
    let siem_block = "# the SIEM gets everything\n[webhooks.siem]\n\
        channel   = \"generic\"   # explicit\n\
        url = \"https://siem.example.com/hooks/codestax\"\n\
        secret = \"${SIEM_SECRET}\"\n\
        headers = {  \"X-Team\" = \"appsec\"  }\n\
        enabled = true\n\n";
    assert!(HAND_WRITTEN.contains(siem_block));
    assert_eq!(env.read_config(), HAND_WRITTEN.replace(siem_block, ""));

    // Removing the last one keeps everything before it.
    let removed = staxhook(&env, &["webhook", "rm", "chat"]);
    removed.expect_code(0);
    let text = env.read_config();
    assert!(
        text.starts_with(
            "# staxhook config, written by hand\n#   keep this header\n\n[defaults]\n\
             timeout   =   \"20s\"      # generous\nmax_attempts=3\n"
        ),
        "{text}"
    );
    assert!(!text.contains("webhooks"), "{text}");
    assert_eq!(list_json(&env), serde_json::json!([]));
}

// ---------------------------------------------------------------------------------------
// webhook list
// ---------------------------------------------------------------------------------------

const LIST_CONFIG: &str = r#"[webhooks.siem]
url = "https://siem.example.com/hooks/codestax?token=QUERYSECRET123"
secret = "whsec_LITERALSECRETVALUEabcdefghijklmnopqrstuvwx="
headers = { "X-Team" = "appsec" }

[webhooks.chat]
url = "https://hooks.slack.com/services/T0001/B0001/SLACKTOKENSECRET"
secret = "${CHAT_SECRET}"
events = ["kev_found", "critical-vulnerability"]
enabled = false

[webhooks.envurl]
channel = "discord"
url = "${DISCORD_URL}"

[webhooks.nosig]
url = "https://plain.example/in"

[webhooks.userinfo]
url = "https://bot:PASSWORDSECRET@siem2.example.com/in#frag"
"#;

const LIST_SECRETS: [&str; 6] = [
    "PASSWORDSECRET",
    "QUERYSECRET123",
    "LITERALSECRETVALUE",
    "SLACKTOKENSECRET",
    "DISCORDTOKENSECRET",
    "env-chat-secret-value",
];

fn list_command(env: &TestEnv, json: bool) -> Run {
    let mut cmd = env.cmd();
    cmd.args(["webhook", "list"]);
    if json {
        cmd.arg("--json");
    }
    cmd.env("CHAT_SECRET", "env-chat-secret-value").env(
        "DISCORD_URL",
        "https://discord.com/api/webhooks/42/DISCORDTOKENSECRET",
    );
    run(&mut cmd)
}

#[test]
fn list_json_has_the_spec_shape_and_masks_urls() {
    let env = TestEnv::new();
    env.write_config(LIST_CONFIG);
    #[cfg(unix)]
    set_mode(&env.config_path(), 0o600);

    let listed = list_command(&env, true);
    listed.expect_code(0);
    assert_eq!(listed.stderr, "", "nothing on stderr for a private config");
    let value: serde_json::Value = serde_json::from_str(&listed.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", listed.stdout));
    assert_eq!(
        value,
        serde_json::json!([
            {
                "name": "siem",
                "channel": "generic",
                "url": "https://siem.example.com/hooks/codestax?…",
                "events": ALL_EVENTS,
                "enabled": true,
                "signed": true
            },
            {
                "name": "chat",
                "channel": "slack",
                "url": "https://hooks.slack.com/services/…",
                "events": ["kev_found", "critical_vulnerability"],
                "enabled": false,
                "signed": true
            },
            {
                "name": "envurl",
                "channel": "discord",
                "url": "${DISCORD_URL}",
                "events": ALL_EVENTS,
                "enabled": true,
                "signed": false
            },
            {
                "name": "nosig",
                "channel": "generic",
                "url": "https://plain.example/in",
                "events": ALL_EVENTS,
                "enabled": true,
                "signed": false
            },
            {
                // User info is masked too (the reference only names the query string; this
                // follows the code).
                "name": "userinfo",
                "channel": "generic",
                "url": "https://…@siem2.example.com/in",
                "events": ALL_EVENTS,
                "enabled": true,
                "signed": false
            }
        ])
    );
}

#[test]
fn list_json_keys_are_in_the_documented_order() {
    let env = TestEnv::new();
    env.write_config(LIST_CONFIG);
    #[cfg(unix)]
    set_mode(&env.config_path(), 0o600);
    let value = list_command(&env, true).json();
    // Exactly these keys, in this order.
    let keys: Vec<&str> = value[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["name", "channel", "url", "events", "enabled", "signed"]
    );
}

#[test]
fn list_json_hides_every_secret() {
    let env = TestEnv::new();
    env.write_config(LIST_CONFIG);
    #[cfg(unix)]
    set_mode(&env.config_path(), 0o600);
    let listed = list_command(&env, true);
    listed.expect_code(0);
    for secret in LIST_SECRETS {
        assert!(
            !listed.all_output().contains(secret),
            "secret {secret} shown by list --json:\n{}",
            listed.all_output()
        );
    }
}

#[test]
fn list_table_names_every_webhook_and_hides_secrets() {
    let env = TestEnv::new();
    env.write_config(LIST_CONFIG);
    #[cfg(unix)]
    set_mode(&env.config_path(), 0o600);

    let listed = list_command(&env, false);
    listed.expect_code(0);
    insta::assert_snapshot!(
        listed.stdout,
        @r"
        ┌──────────┬─────────┬───────────────────────────────────────────┬───────────────────────────────────┬─────────┬──────────┐
        │ name     ┆ channel ┆ url                                       ┆ events                            ┆ enabled ┆ signed   │
        ╞══════════╪═════════╪═══════════════════════════════════════════╪═══════════════════════════════════╪═════════╪══════════╡
        │ siem     ┆ generic ┆ https://siem.example.com/hooks/codestax?… ┆ all                               ┆ yes     ┆ yes      │
        │ chat     ┆ slack   ┆ https://hooks.slack.com/services/…        ┆ kev_found, critical_vulnerability ┆ no      ┆ yes      │
        │ envurl   ┆ discord ┆ ${DISCORD_URL}                            ┆ all                               ┆ yes     ┆ unsigned │
        │ nosig    ┆ generic ┆ https://plain.example/in                  ┆ all                               ┆ yes     ┆ unsigned │
        │ userinfo ┆ generic ┆ https://…@siem2.example.com/in            ┆ all                               ┆ yes     ┆ unsigned │
        └──────────┴─────────┴───────────────────────────────────────────┴───────────────────────────────────┴─────────┴──────────┘
        "
    );
    for secret in LIST_SECRETS {
        assert!(
            !listed.all_output().contains(secret),
            "secret {secret} shown by list:\n{}",
            listed.all_output()
        );
    }
}

#[test]
fn list_of_an_empty_or_missing_config_is_an_empty_array() {
    let env = TestEnv::new();
    // Missing file.
    let listed = staxhook(&env, &["webhook", "list", "--json"]);
    listed.expect_code(0);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&listed.stdout).unwrap(),
        serde_json::json!([])
    );
    assert!(
        !env.config_path().exists(),
        "list must not create the config"
    );
    // Empty file, and one with only [defaults] and comments.
    for text in ["", "# nothing yet\n[defaults]\ntimeout = \"5s\"\n"] {
        env.write_config(text);
        let listed = staxhook(&env, &["--json", "webhook", "list"]);
        listed.expect_code(0);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&listed.stdout).unwrap(),
            serde_json::json!([]),
            "config {text:?}"
        );
        // Without --json: a hint on stderr, nothing on stdout (follows the code).
        let table = staxhook(&env, &["webhook", "list"]);
        table.expect_code(0);
        assert_eq!(table.stdout, "");
        insta::allow_duplicates! {
            insta::assert_snapshot!(
                env.redact_paths(&table.stderr),
                @"No webhooks in <config>. Add one with `staxhook webhook add NAME --url URL`."
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// rm / enable / disable of unknown names
// ---------------------------------------------------------------------------------------

#[test]
fn rm_enable_disable_of_an_unknown_name_list_the_valid_names() {
    let env = TestEnv::new();
    let original = "[webhooks.alpha]\nurl = \"https://a.example/\"\n\n\
                    [webhooks.beta]\nurl = \"https://b.example/\"\n";
    env.write_config(original);
    for command in ["rm", "enable", "disable"] {
        let refused = staxhook(&env, &["webhook", command, "gamma"]);
        let line = refused.expect_usage_error();
        insta::allow_duplicates! {
            insta::assert_snapshot!(
                env.redact_paths(line),
                @"error: unknown webhook `gamma` in <config>: valid: alpha, beta"
            );
        }
        assert_eq!(env.read_config(), original, "{command} changed the config");

        // A typo gets a suggestion.
        let typo = staxhook(&env, &["webhook", command, "alpah"]);
        let line = typo.expect_usage_error();
        insta::allow_duplicates! {
            insta::assert_snapshot!(
                env.redact_paths(line),
                @"error: unknown webhook `alpah` in <config>: did you mean `alpha`? (valid: alpha, beta)"
            );
        }
        assert_eq!(env.read_config(), original);
    }
    // With no webhooks at all.
    let empty = TestEnv::new();
    let refused = staxhook(&empty, &["webhook", "rm", "x"]);
    let line = refused.expect_usage_error();
    insta::assert_snapshot!(
        empty.redact_paths(line),
        @"error: unknown webhook `x` in <config>: there are none"
    );
    assert!(!empty.config_path().exists());
}

// ---------------------------------------------------------------------------------------
// Invalid configs
// ---------------------------------------------------------------------------------------

/// Runs read-only and editing commands on a bad config: each is exit 2 with the same one
/// line, and the file is left byte-identical. Returns that line, the config path shown as
/// `<config>`.
fn reject_config(env: &TestEnv, text: &str) -> String {
    env.write_config(text);
    let first = staxhook(env, &["webhook", "list"])
        .expect_usage_error()
        .to_string();
    let commands: [&[&str]; 4] = [
        &["webhook", "list", "--json"],
        &[
            "webhook",
            "add",
            "fresh",
            "--url",
            "https://f.example/",
            "--secret",
            "s",
        ],
        &["webhook", "disable", "a"],
        &["webhook", "rm", "a"],
    ];
    for args in commands {
        let refused = staxhook(env, args);
        let line = refused.expect_usage_error();
        assert_eq!(line, first, "{args:?} reports a different error");
        assert_eq!(env.read_config(), text, "{args:?} changed a bad config");
    }
    env.redact_paths(&first)
}

#[test]
fn malformed_toml_is_reported_with_file_line_and_column() {
    let env = TestEnv::new();
    insta::assert_snapshot!(
        reject_config(
            &env,
            "[defaults]\ntimeout = \"15s\"\n[webhooks.a\nurl = \"https://a.example/\"\n",
        ),
        @"error: <config>:3:12: unclosed table, expected `]`"
    );
    insta::assert_snapshot!(
        reject_config(
            &env,
            "[webhooks.a]\nurl = \"https://a.example/\nsecret = \"x\"\n",
        ),
        @r#"error: <config>:2:26: invalid basic string, expected `"`"#
    );
}

#[test]
fn unknown_keys_are_errors_naming_the_key() {
    // And the keys expected there.
    let env = TestEnv::new();
    insta::assert_snapshot!(
        reject_config(&env, "[defaults]\ntimeout = \"15s\"\ncolour = true\n"),
        @"error: <config>:3:1: unknown field `colour`, expected one of `timeout`, `max_attempts`, `initial_backoff`, `max_backoff`, `max_elapsed`, `retention`, `history`, `digest_after`"
    );
    insta::assert_snapshot!(
        reject_config(
            &env,
            "[webhooks.a]\nurl = \"https://a.example/\"\nsecert = \"typo\"\n",
        ),
        @"error: <config>:3:1: unknown field `secert`, expected one of `channel`, `url`, `events`, `secret`, `previous_secret`, `previous_secret_expires`, `routing_key`, `enabled`, `headers`, `allow_insecure`, `ca_cert`, `timeout`, `max_attempts`, `initial_backoff`, `max_backoff`, `max_elapsed`, `digest_after`"
    );
    insta::assert_snapshot!(
        reject_config(&env, "[default]\ntimeout = \"15s\"\n"),
        @"error: <config>:1:2: unknown field `default`, expected one of `defaults`, `webhooks`, `sla`, `policy`"
    );
}

#[test]
fn wrong_value_types_are_errors() {
    let env = TestEnv::new();
    insta::assert_snapshot!(
        reject_config(&env, "[defaults]\nmax_attempts = \"5\"\n"),
        @"error: <config>:2:16: invalid type: found a string, expected an integer"
    );
    insta::assert_snapshot!(
        reject_config(
            &env,
            "[webhooks.a]\nurl = \"https://a.example/\"\nenabled = \"yes\"\n",
        ),
        @"error: <config>:3:11: invalid type: found a string, expected a boolean (true or false)"
    );
    insta::assert_snapshot!(
        reject_config(
            &env,
            "[webhooks.a]\nurl = \"https://a.example/\"\nevents = \"kev_found\"\n",
        ),
        @"error: <config>:3:10: invalid type: found a string, expected an array"
    );
    insta::assert_snapshot!(
        reject_config(
            &env,
            "[webhooks.a]\nurl = \"https://a.example/\"\nevents = [\"kev-fonud\"]\n",
        ),
        @"error: <config>:3:11: webhooks.a.events: unknown event `kev-fonud`: did you mean `kev_found`? (valid: scan_complete, critical_vulnerability, kev_found, policy_violation, sla_breach)"
    );
    insta::assert_snapshot!(
        reject_config(
            &env,
            "[webhooks.a]\nurl = \"https://a.example/\"\nchannel = \"slak\"\n",
        ),
        @"error: <config>:3:11: webhooks.a.channel: unknown channel `slak`: did you mean `slack`? (valid: slack, teams, discord, pagerduty, generic)"
    );
}

#[test]
fn bad_durations_are_errors() {
    let env = TestEnv::new();
    insta::assert_snapshot!(
        reject_config(&env, "[defaults]\ntimeout = \"15 parsecs\"\n"),
        @"error: <config>:2:11: defaults.timeout: invalid duration `15 parsecs`: a unit is missing (write it like 250ms, 90s, 15m, 24h, 30d or 1h30m)"
    );
    insta::assert_snapshot!(
        reject_config(&env, "[defaults]\nretention = \"30\"\n"),
        @"error: <config>:2:13: defaults.retention: invalid duration `30`: a unit is missing (write it like 250ms, 90s, 15m, 24h, 30d or 1h30m)"
    );
    insta::assert_snapshot!(
        reject_config(
            &env,
            "[webhooks.a]\nurl = \"https://a.example/\"\nmax_elapsed = \"2x\"\n",
        ),
        @"error: <config>:3:15: webhooks.a.max_elapsed: invalid duration `2x`: unknown unit `x` (write it like 250ms, 90s, 15m, 24h, 30d or 1h30m)"
    );
}

#[test]
fn other_invalid_webhooks_are_errors() {
    let env = TestEnv::new();
    insta::assert_snapshot!(
        reject_config(&env, "[webhooks.\"a b\"]\nurl = \"https://a.example/\"\n"),
        @"error: <config>:1:11: invalid webhook name `a b`: use 1 to 64 of the characters A-Z a-z 0-9 _ -"
    );
    insta::assert_snapshot!(
        reject_config(&env, "[webhooks.a]\nchannel = \"generic\"\n"),
        @"error: <config>:1:11: webhooks.a: missing `url`"
    );
    insta::assert_snapshot!(
        reject_config(&env, "[webhooks.a]\nurl = \"ftp://a.example/\"\n"),
        @"error: <config>:2:7: webhooks.a.url: URL scheme must be https or http, not `ftp`"
    );
}

#[test]
fn config_errors_do_not_echo_secret_values() {
    // docs/reference.md §8: secrets never appear in error messages. A secret mistakenly written as a
    // TOML integer is still the secret.
    let env = TestEnv::new();
    let line = reject_config(
        &env,
        "[webhooks.a]\nurl = \"https://a.example/\"\nsecret = 8675309123456\n",
    );
    assert!(
        !line.contains("8675309123456"),
        "the secret value is printed in the error: {line}"
    );
    insta::assert_snapshot!(
        line,
        @"error: <config>:3:10: invalid type: found an integer, expected a string"
    );
}

// ---------------------------------------------------------------------------------------
// Permissions warning
// ---------------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn a_readable_config_with_literal_secrets_earns_a_warning() {
    let env = TestEnv::new();
    env.write_config("[webhooks.a]\nurl = \"https://a.example/\"\nsecret = \"literal-secret-1\"\n");

    set_mode(&env.config_path(), 0o644);
    let listed = staxhook(&env, &["webhook", "list", "--json"]);
    listed.expect_code(0);
    let warnings: Vec<&str> = listed
        .stderr
        .lines()
        .filter(|line| line.starts_with("warning:"))
        .collect();
    assert_eq!(
        warnings.len(),
        1,
        "expected one warning:\n{}",
        listed.stderr
    );
    insta::assert_snapshot!(
        env.redact_paths(warnings[0]),
        @"warning: <config> holds secrets and can be read by other users (mode 644); run `chmod 600 <config>`"
    );
    assert!(!listed.all_output().contains("literal-secret-1"));
    // stdout still holds only the JSON.
    serde_json::from_str::<serde_json::Value>(&listed.stdout).expect("stdout is JSON");

    // -q silences it.
    let quiet = staxhook(&env, &["-q", "webhook", "list", "--json"]);
    quiet.expect_code(0);
    assert_eq!(quiet.stderr, "");

    // Group-readable only is also too open.
    set_mode(&env.config_path(), 0o640);
    let listed = staxhook(&env, &["webhook", "list", "--json"]);
    assert!(listed.stderr.contains("warning:"), "{}", listed.stderr);

    set_mode(&env.config_path(), 0o600);
    let listed = staxhook(&env, &["webhook", "list", "--json"]);
    listed.expect_code(0);
    assert_eq!(listed.stderr, "", "no warning expected for 0600");

    // A literal chat URL is a secret too.
    env.write_config("[webhooks.s]\nurl = \"https://hooks.slack.com/services/T/B/X\"\n");
    set_mode(&env.config_path(), 0o644);
    let listed = staxhook(&env, &["webhook", "list", "--json"]);
    assert!(listed.stderr.contains("warning:"), "{}", listed.stderr);

    // Only ${VAR} references and a generic URL: nothing secret in the file, no warning.
    env.write_config("[webhooks.a]\nurl = \"https://a.example/\"\nsecret = \"${A_SECRET}\"\n");
    set_mode(&env.config_path(), 0o644);
    let listed = staxhook(&env, &["webhook", "list", "--json"]);
    listed.expect_code(0);
    assert_eq!(listed.stderr, "");
}

// ---------------------------------------------------------------------------------------
// Finding the config
// ---------------------------------------------------------------------------------------

#[test]
fn config_flag_overrides_the_environment_variable() {
    let env = TestEnv::new();
    env.write_config("[webhooks.from_env]\nurl = \"https://env.example/\"\n");
    let flag_path = env.path().join("flag.toml");
    std::fs::write(
        &flag_path,
        "[webhooks.from_flag]\nurl = \"https://flag.example/\"\n",
    )
    .unwrap();
    let flag = flag_path.to_str().unwrap();

    let listed = staxhook(&env, &["--config", flag, "webhook", "list", "--json"]);
    listed.expect_code(0);
    let value: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    let names: Vec<&str> = value
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["from_flag"]);

    // After the subcommand works too, and edits go to the flag's file only.
    let env_before = env.read_config();
    let added = staxhook(
        &env,
        &[
            "webhook",
            "add",
            "added",
            "--url",
            "https://added.example/",
            "--secret",
            "s",
            "--config",
            flag,
        ],
    );
    added.expect_code(0);
    assert!(std::fs::read_to_string(&flag_path)
        .unwrap()
        .contains("[webhooks.added]"));
    assert_eq!(env.read_config(), env_before);
}

#[test]
fn local_staxhook_toml_is_used_when_no_config_is_named() {
    let env = TestEnv::new();
    let local = env.path().join("staxhook.toml");
    std::fs::write(
        &local,
        "[webhooks.local]\nurl = \"https://local.example/\"\n",
    )
    .unwrap();
    // The XDG file exists too, but ./staxhook.toml comes first.
    let xdg = env.xdg_config_home().join("staxhook/config.toml");
    std::fs::create_dir_all(xdg.parent().unwrap()).unwrap();
    std::fs::write(&xdg, "[webhooks.xdg]\nurl = \"https://xdg.example/\"\n").unwrap();

    let mut cmd = env.cmd();
    cmd.env_remove("STAXHOOK_CONFIG")
        .args(["webhook", "list", "--json"]);
    let listed = run(&mut cmd);
    listed.expect_code(0);
    let value: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(value[0]["name"], "local");
    assert_eq!(value.as_array().unwrap().len(), 1);

    let mut cmd = env.cmd();
    cmd.env_remove("STAXHOOK_CONFIG").args([
        "webhook",
        "add",
        "more",
        "--url",
        "https://more.example/",
        "--secret",
        "s",
    ]);
    run(&mut cmd).expect_code(0);
    assert!(std::fs::read_to_string(&local)
        .unwrap()
        .contains("[webhooks.more]"));
    assert!(!std::fs::read_to_string(&xdg).unwrap().contains("more"));
    assert!(!env.config_path().exists());
}

#[test]
fn xdg_config_is_created_when_nothing_else_is_there() {
    let env = TestEnv::new();
    let mut cmd = env.cmd();
    cmd.env_remove("STAXHOOK_CONFIG").args([
        "webhook",
        "add",
        "x",
        "--url",
        "https://x.example/",
        "--secret",
        "s",
    ]);
    run(&mut cmd).expect_code(0);
    let xdg = env.xdg_config_home().join("staxhook/config.toml");
    let text = std::fs::read_to_string(&xdg)
        .unwrap_or_else(|e| panic!("{} not created: {e}", xdg.display()));
    assert!(text.contains("[webhooks.x]"), "{text}");
    #[cfg(unix)]
    assert_eq!(mode(&xdg), 0o600);
    assert!(!env.path().join("staxhook.toml").exists());
    assert!(!env.config_path().exists());
}

/// README: the table's `events` column shows `all` when a webhook is subscribed to every
/// event, whether it lists none (the default) or names all five, in any order and spelling;
/// anything less is listed.
#[test]
fn list_table_shows_all_for_every_event_however_it_is_written() {
    let env = TestEnv::new();
    env.write_config(
        "[webhooks.implicit]\nurl = \"https://a.example/\"\n\n\
         [webhooks.explicit]\nurl = \"https://b.example/\"\n\
         events = [\"sla-breach\", \"kev_found\", \"scan_complete\", \"policy-violation\", \"critical_vulnerability\"]\n\n\
         [webhooks.four]\nurl = \"https://c.example/\"\n\
         events = [\"scan_complete\", \"critical_vulnerability\", \"kev_found\", \"policy_violation\"]\n",
    );
    #[cfg(unix)]
    set_mode(&env.config_path(), 0o600);
    let listed = staxhook(&env, &["webhook", "list"]);
    listed.expect_code(0);
    // Rows read `│ name ┆ channel ┆ url ┆ events ┆ enabled ┆ signed │`.
    let events_of = |name: &str| -> String {
        let cells = |line: &str| -> Vec<String> {
            line.split('┆')
                .map(|cell| {
                    cell.trim_matches(|c: char| c == '│' || c.is_whitespace())
                        .to_string()
                })
                .collect()
        };
        let row = listed
            .stdout
            .lines()
            .map(cells)
            .find(|cells| cells[0] == name)
            .unwrap_or_else(|| panic!("no row for {name}:\n{}", listed.stdout));
        row[3].clone()
    };
    assert_eq!(events_of("implicit"), "all", "{}", listed.stdout);
    assert_eq!(events_of("explicit"), "all", "{}", listed.stdout);
    assert_eq!(
        events_of("four"),
        "scan_complete, critical_vulnerability, kev_found, policy_violation",
        "{}",
        listed.stdout
    );
}
