//! What the history lets others see: the SQLite files' modes on a fresh
//! history, the warning for a readable one, and credentials in responses stored redacted (SQLite
//! file and WAL bytes, a PostgreSQL row).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::prelude::*;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|error| panic!("stat {}: {error}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// `staxhook emit scan_complete` under `umask 022` (the usual default, which gives 0644 files
/// and 0755 folders to whatever does not choose its own mode).
fn emit_under_umask_022(env: &TestEnv, history: &Path) -> Run {
    let mut command = env.std_command("sh");
    command
        .args(["-c", "umask 022 && exec \"$0\" \"$@\"", STAXHOOK_BINARY])
        .args([
            "emit",
            "scan_complete",
            "--repo",
            "myorg/api",
            "--set",
            "scan_id=s-1",
        ])
        .env("STAXHOOK_HISTORY", history);
    run(&mut assert_cmd::Command::from_std(command))
}

/// A test folder whose private config has one webhook, `alpha`, posting to `server`'s `/a`.
fn one_webhook(server: &TestServer) -> TestEnv {
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!("{DEFAULTS}{}", hook("alpha", &server.url("/a"), "")),
    );
    env
}

#[test]
fn a_fresh_history_is_0600_with_its_wal_and_shm_in_a_0700_folder() {
    let server = TestServer::start();
    let env = one_webhook(&server);
    let folder = env.path().join("data/staxhook");
    let history = folder.join("history.db");
    let result = emit_under_umask_022(&env, &history);
    result.expect_code(0);
    assert_eq!(
        result.stderr.matches("warning").count(),
        0,
        "{}",
        result.stderr
    );
    assert_eq!(
        mode(&env.path().join("data")),
        0o700,
        "created parent folder"
    );
    assert_eq!(mode(&folder), 0o700, "history folder");
    for file in ["history.db", "history.db-wal", "history.db-shm"] {
        assert_eq!(mode(&folder.join(file)), 0o600, "{file}");
    }
    // A second run (the WAL and SHM already there) keeps them private and warns of nothing.
    let again = emit_under_umask_022(&env, &history);
    again.expect_code(0);
    assert!(!again.stderr.contains("warning"), "{}", again.stderr);
    for file in ["history.db", "history.db-wal", "history.db-shm"] {
        assert_eq!(mode(&folder.join(file)), 0o600, "{file}");
    }
}

#[test]
fn a_history_or_its_default_folder_others_can_read_earns_a_warning_and_the_command_still_runs() {
    let server = TestServer::start();
    let env = one_webhook(&server);
    // The default place, $XDG_DATA_HOME/staxhook/history.db: its folder is staxhook's own.
    let folder = env.xdg_data_home().join("staxhook");
    let history = folder.join("history.db");
    let default_place = |command: &mut assert_cmd::Command| {
        command.env_remove("STAXHOOK_HISTORY");
    };
    let mut emit = env.cmd();
    default_place(&mut emit);
    run(emit.args([
        "emit",
        "scan_complete",
        "--repo",
        "myorg/api",
        "--set",
        "scan_id=s-1",
    ]))
    .expect_code(0);
    assert_eq!(mode(&folder), 0o700);
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&history, std::fs::Permissions::from_mode(0o644)).unwrap();

    let mut log = env.cmd();
    default_place(&mut log);
    let listed = run(log.args(["log"]));
    listed.expect_code(0);
    let folder_text = folder.display().to_string();
    let history_text = history.display().to_string();
    assert!(
        listed.stderr.contains(&format!(
            "warning: the history folder {folder_text} can be read by other users (mode 755); \
             run `chmod 700 {folder_text}`"
        )),
        "{}",
        listed.stderr
    );
    assert!(
        listed.stderr.contains(&format!(
            "warning: the history {history_text} can be read by other users (mode 644); \
             run `chmod 600 {history_text}`"
        )),
        "{}",
        listed.stderr
    );
    assert!(listed.stdout.contains("scan_complete"), "{}", listed.stdout);
    // Left as the user set it: a warning, not a silent chmod.
    assert_eq!(mode(&history), 0o644);

    let mut quiet = env.cmd();
    default_place(&mut quiet);
    let quiet = run(quiet.args(["-q", "log"]));
    quiet.expect_code(0);
    assert_eq!(quiet.stderr, "");
}

/// Credentials a receiver sends back, each with a value that appears nowhere else.
const RESPONSE_CREDENTIALS: [(&str, &str); 7] = [
    ("Set-Cookie", "session=COOKIE1value; HttpOnly"),
    ("Authorization", "Bearer AUTHZ2value"),
    ("Proxy-Authorization", "Basic PROXY3value"),
    ("X-Refresh-Token", "TOKEN4value"),
    ("X-Client-Secret", "SECRET5value"),
    ("X-Api-Key", "KEY6value"),
    ("X-Session-Id", "SESSION7value"),
];

fn answer_with_credentials(server: &TestServer) {
    let mut headers: Vec<(String, String)> = RESPONSE_CREDENTIALS
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    headers.push(("X-Request-Id".into(), "req-KEPT8".into()));
    server.set_default(
        "/a",
        Behavior::Respond {
            status: 200,
            headers,
            body: b"ok".to_vec(),
        },
    );
}

/// `log show 1 --json`'s stored response headers: credentials `[redacted]`, the rest kept.
fn assert_stored_headers_redacted(shown: &serde_json::Value) {
    let headers = &shown["attempts"][0]["response_headers"];
    for (name, _) in RESPONSE_CREDENTIALS {
        let value = headers
            .as_object()
            .and_then(|map| {
                map.iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(name))
                    .map(|(_, value)| value)
            })
            .unwrap_or_else(|| panic!("{name} not recorded: {headers:#}"));
        assert!(value.to_string().contains("[redacted]"), "{name}: {value}");
    }
    assert!(headers.to_string().contains("req-KEPT8"), "{headers:#}");
}

#[test]
fn credential_response_headers_are_stored_redacted_in_a_sqlite_history() {
    let server = TestServer::start();
    answer_with_credentials(&server);
    let env = one_webhook(&server);
    staxhook(
        &env,
        &[
            "-v",
            "emit",
            "scan_complete",
            "--repo",
            "myorg/api",
            "--set",
            "scan_id=s-1",
        ],
    )
    .expect_code(0);
    let shown = staxhook(&env, &["--json", "log", "show", "1"]);
    shown.expect_code(0);
    assert_stored_headers_redacted(&shown.json());
    // The bytes on disk: the database and its WAL (the rows are usually still only there),
    // both of which must exist; the harmless header's value shows the headers were stored.
    let secret_parts: Vec<&str> = RESPONSE_CREDENTIALS
        .iter()
        .map(|(_, value)| value.split(['=', ' ']).nth(1).unwrap_or(value))
        .collect();
    assert_history_files(&history_file_bytes(&env), &secret_parts, &["req-KEPT8"]);
}

#[test]
fn credential_response_headers_are_stored_redacted_in_a_postgres_history() {
    let server = TestServer::start();
    answer_with_credentials(&server);
    let env = one_webhook(&server);
    let (database, url) = postgres_database();
    let at = |args: &[&str]| run(env.cmd().env("STAXHOOK_HISTORY", &url).args(args));
    at(&[
        "emit",
        "scan_complete",
        "--repo",
        "myorg/api",
        "--set",
        "scan_id=s-1",
    ])
    .expect_code(0);
    let shown = at(&["--json", "log", "show", "1"]);
    shown.expect_code(0);
    assert_stored_headers_redacted(&shown.json());

    // The row itself, read past staxhook.
    let postgres = postgres_server();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let stored: Vec<String> = runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(
            &format!(
                "host=127.0.0.1 port={} user={POSTGRES_ADMIN} password={} dbname={database}",
                postgres.port, postgres.password
            ),
            tokio_postgres::NoTls,
        )
        .await
        .expect("connect to the test server");
        tokio::spawn(connection);
        client
            .query("SELECT response_headers FROM staxhook.attempts", &[])
            .await
            .expect("read attempts")
            .iter()
            .map(|row| row.get::<_, String>(0))
            .collect()
    });
    let stored = stored.join("\n");
    assert!(stored.contains("req-KEPT8"), "{stored}");
    for (name, value) in RESPONSE_CREDENTIALS {
        let secret_part = value.split(['=', ' ']).nth(1).unwrap_or(value);
        assert!(!stored.contains(secret_part), "{name}: {stored}");
    }
}
