//! Channels recognised from the URL through `webhook add`: GovSlack, PagerDuty's EU region,
//! Power Automate and Discord's ptb/canary hosts; the recognised URL is masked wherever it is
//! shown, and an EU PagerDuty URL is the one sent to.

use crate::prelude::*;

#[test]
fn add_recognises_govslack_eu_pagerduty_power_automate_and_discord_test_hosts() {
    let env = TestEnv::new();
    let cases = [
        (
            "govslack",
            "https://hooks.slack-gov.com/services/T0/B0/GOVSECRET",
            "slack",
        ),
        (
            "automate",
            "https://prod-12.westeurope.powerautomate.com/workflows/abc/triggers/manual?sig=AUTOSECRET",
            "teams",
        ),
        ("ptb", "https://ptb.discord.com/api/webhooks/1/PTBSECRET", "discord"),
        (
            "canary",
            "https://canary.discord.com/api/webhooks/1/CANARYSECRET",
            "discord",
        ),
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
        assert!(
            !added.all_output().contains("SECRET"),
            "{}",
            added.all_output()
        );
    }
    let listed = staxhook(&env, &["webhook", "list"]);
    listed.expect_code(0);
    assert!(!listed.all_output().contains("SECRET"), "{}", listed.stdout);
    assert!(
        listed
            .stdout
            .contains("https://hooks.slack-gov.com/services/…"),
        "{}",
        listed.stdout
    );
}

#[test]
fn an_eu_pagerduty_url_is_recognised_kept_and_sent_to() {
    let env = TestEnv::new();
    let eu = "https://events.eu.pagerduty.com/v2/enqueue";
    staxhook(
        &env,
        &[
            "webhook",
            "add",
            "pd-eu",
            "--url",
            eu,
            "--routing-key-env",
            "PD_KEY",
        ],
    )
    .expect_code(0);
    assert!(
        env.read_config().contains(&format!(
            "[webhooks.pd-eu]\nchannel = \"pagerduty\"\nurl = \"{eu}\"\n"
        )),
        "{}",
        env.read_config()
    );
    // The request goes to the EU host, not PagerDuty's default URL (no network: dry run).
    let planned = run(env
        .cmd()
        .env("PD_KEY", "R0UTINGKEY0000000000000000000000")
        .args([
            "--json",
            "emit",
            "kev_found",
            "--repo",
            "myorg/api",
            "--set",
            "cve_id=CVE-2024-3094",
            "--set",
            "package.name=xz",
            "--dry-run",
        ]));
    planned.expect_code(0);
    let requests = planned.json();
    assert_eq!(requests[0]["channel"], "pagerduty", "{requests:#}");
    assert_eq!(
        requests[0]["url"], "https://events.eu.pagerduty.com/v2/…",
        "{requests:#}"
    );
    assert!(!planned.all_output().contains("R0UTINGKEY"));
}
