//! What other users of the machine can see of the history: the SQLite files' modes on a fresh
//! history and the warning for a readable one.

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

#[test]
fn a_fresh_history_is_0600_with_its_wal_and_shm_in_a_0700_folder() {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!("{DEFAULTS}{}", hook("alpha", &server.url("/a"), "")),
    );
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
    let env = TestEnv::new();
    write_private_config(
        &env,
        &format!("{DEFAULTS}{}", hook("alpha", &server.url("/a"), "")),
    );
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
