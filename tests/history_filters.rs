//! `log --repo` and `redeliver --failed --repo` through the CLI: exact repository match,
//! combined with the other filters, and a malformed value refused before anything happens.

use serde_json::Value;

use crate::prelude::*;

fn emit(env: &TestEnv, repository: &str, event: &str) -> Run {
    let mut args = vec!["emit", event, "--repo", repository];
    match event {
        "scan_complete" => args.extend(["--set", "scan_id=s-1"]),
        _ => args.extend(["--set", "cve_id=CVE-2024-3094", "--set", "package.name=xz"]),
    }
    staxhook(env, &args)
}

fn repositories(rows: &[Value]) -> Vec<&str> {
    rows.iter()
        .map(|row| row["repository"].as_str().unwrap_or_default())
        .collect()
}

/// alpha answers 200 and only gets scan_complete, bravo 500 and only gets
/// critical_vulnerability: myorg/api and myorg/web each have a delivered scan_complete and a
/// failed critical_vulnerability; myorg/api-v2 (a name that starts like myorg/api) one
/// delivered scan_complete.
fn two_repositories(env: &TestEnv, server: &TestServer) {
    server.set_default("/b", Behavior::Status(500));
    write_private_config(
        env,
        &format!(
            "{DEFAULTS}{}{}",
            hook("alpha", &server.url("/a"), "events = [\"scan_complete\"]"),
            hook(
                "bravo",
                &server.url("/b"),
                "events = [\"critical_vulnerability\"]\nmax_attempts = 1"
            ),
        ),
    );
    for repository in ["myorg/api", "myorg/web"] {
        emit(env, repository, "scan_complete").expect_code(0);
        emit(env, repository, "critical_vulnerability").expect_code(1);
    }
    emit(env, "myorg/api-v2", "scan_complete").expect_code(0);
}

#[test]
fn log_repo_lists_only_that_repository_exactly_and_combines_with_other_filters() {
    let server = TestServer::start();
    let env = TestEnv::new();
    two_repositories(&env, &server);
    assert_eq!(log_rows(&env, &[]).len(), 5);

    let api = log_rows(&env, &["--repo", "myorg/api"]);
    assert_eq!(repositories(&api), ["myorg/api", "myorg/api"], "{api:#?}");
    let failed_api = log_rows(&env, &["--repo", "myorg/api", "--status", "failed"]);
    assert_eq!(failed_api.len(), 1, "{failed_api:#?}");
    assert_eq!(failed_api[0]["webhook"], "bravo");
    assert_eq!(failed_api[0]["repository"], "myorg/api");
    let web_alpha = log_rows(
        &env,
        &[
            "--repo",
            "myorg/web",
            "--webhook",
            "alpha",
            "--event",
            "scan_complete",
            "--since",
            "1h",
            "--limit",
            "1",
        ],
    );
    assert_eq!(repositories(&web_alpha), ["myorg/web"], "{web_alpha:#?}");
    assert!(
        log_rows(&env, &["--repo", "MyOrg/API"]).is_empty(),
        "exact, case included"
    );
    assert!(log_rows(&env, &["--repo", "myorg/nothing"]).is_empty());

    let table = staxhook(&env, &["log", "--repo", "myorg/api-v2"]);
    table.expect_code(0);
    assert_eq!(
        table.stdout.matches("myorg/api").count(),
        1,
        "{}",
        table.stdout
    );
}

#[test]
fn log_repo_that_is_not_owner_slash_name_is_exit_2() {
    let env = TestEnv::new();
    for bad in ["api", "myorg/", "my org/api", ""] {
        let result = staxhook(&env, &["log", "--repo", bad]);
        let line = result.expect_usage_error();
        assert!(line.contains("expected OWNER/NAME"), "{bad:?}: {line}");
    }
    staxhook(&env, &["log", "show", "1", "--repo", "myorg/api"]).expect_code(2);
}

#[test]
fn redeliver_failed_repo_sends_only_that_repositorys_failures() {
    let server = TestServer::start();
    let env = TestEnv::new();
    two_repositories(&env, &server);
    let before = server.requests_for("/b").len();
    server.set_default("/b", Behavior::Status(200));

    let sent = staxhook_json(&env, 0, &["redeliver", "--failed", "--repo", "myorg/web"]);
    let sent = sent.as_array().expect("an array of results");
    assert_eq!(sent.len(), 1, "{sent:#?}");
    let requests = server.requests_for("/b");
    assert_eq!(requests.len(), before + 1);
    assert!(
        requests[before].body_text().contains("myorg/web"),
        "{}",
        requests[before].body_text()
    );
    // myorg/api's failure is still there for a later run.
    let left = log_rows(&env, &["--repo", "myorg/api", "--status", "failed"]);
    assert_eq!(left.len(), 1, "{left:#?}");
    let again = staxhook_json(&env, 0, &["redeliver", "--failed", "--repo", "myorg/web"]);
    assert_eq!(again, serde_json::json!([]));

    staxhook(&env, &["redeliver", "--repo", "myorg/web", "1"]).expect_code(2);
}
