//! The delivery history the binary wrote: its rows through `log --json`, the SQLite file
//! itself for what the command line cannot do (ageing a row, counting attempts), and the raw
//! bytes of the file and its write-ahead log for what must never reach the disk.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use super::environment::TestEnv;
use super::run::staxhook_json;

/// `staxhook --json log ARGS`: the rows, newest first.
#[track_caller]
pub fn log_rows(env: &TestEnv, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["log"];
    all.extend_from_slice(args);
    staxhook_json(env, 0, &all)
        .as_array()
        .expect("log --json is an array")
        .clone()
}

/// The history file opened beside the binary; waits for a lock the binary holds rather than
/// failing with "database is locked".
pub fn open_history(path: &Path) -> rusqlite::Connection {
    let connection = rusqlite::Connection::open(path).expect("open history with rusqlite");
    connection
        .busy_timeout(Duration::from_secs(10))
        .expect("busy timeout");
    connection
}

/// Sets a row's `created_at` to `seconds` seconds ago, as if it had been written then.
pub fn age_row(env: &TestEnv, id: i64, seconds: i64) {
    let connection = open_history(&env.history_path());
    let then = jiff::Timestamp::now().as_millisecond() - seconds * 1000;
    let changed = connection
        .execute(
            "UPDATE deliveries SET created_at = ?1 WHERE id = ?2",
            rusqlite::params![then, id],
        )
        .expect("age row");
    assert_eq!(changed, 1, "no row {id} to age");
}

/// The raw bytes of the history file and of its write-ahead log (`history.db-wal`), by file
/// name, for checks that something never reaches the disk. Both must exist, or such a check
/// would pass for reading nothing: staxhook leaves the WAL in place when it closes the file
/// (`SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE`). Read them before a connection of the test's own
/// ([`open_history`]) closes: the last connection to close without that setting checkpoints
/// the WAL into the main file and deletes it.
#[track_caller]
pub fn history_file_bytes(env: &TestEnv) -> Vec<(String, Vec<u8>)> {
    let history = env.history_path();
    let mut wal = history.clone().into_os_string();
    wal.push("-wal");
    [history, wal.into()]
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap_or_else(|error| {
                panic!(
                    "{} should exist after staxhook wrote the history: {error}",
                    path.display()
                )
            });
            (path.display().to_string(), bytes)
        })
        .collect()
}

/// Asserts that no file of [`history_file_bytes`] holds any of `absent`, and that each of
/// `present` is in one of them: what the rows must hold, so that the files checked are the
/// ones the rows were written to.
#[track_caller]
pub fn assert_history_files(files: &[(String, Vec<u8>)], absent: &[&str], present: &[&str]) {
    let holds = |bytes: &[u8], text: &str| {
        !text.is_empty()
            && bytes
                .windows(text.len())
                .any(|window| window == text.as_bytes())
    };
    for (file, bytes) in files {
        for text in absent {
            assert!(!holds(bytes, text), "{file} holds {text:?}");
        }
    }
    for text in present {
        assert!(
            files.iter().any(|(_, bytes)| holds(bytes, text)),
            "{text:?} is in none of {:?}, so they are not where the rows went",
            files.iter().map(|(file, _)| file).collect::<Vec<_>>()
        );
    }
}
