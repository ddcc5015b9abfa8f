//! The delivery history the binary wrote: its rows through `log --json`, and the SQLite file
//! itself for what the command line cannot do (ageing a row, counting attempts).

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
