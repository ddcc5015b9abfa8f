//! An experiment, not a regression guard: what would each way of closing the history cost
//! per `emit`? Every `emit` is a new process and usually the only one with the history open,
//! so today it pays, on close, a WAL checkpoint (fsync of the WAL and of the database) and
//! the deletion of the -wal and -shm files, and the next `emit` re-creates them (WAL header
//! fsync, folder fsync, WAL-index set-up).
//!
//! One iteration = what one `emit` does to the history: open a connection with staxhook's
//! pragmas, the schema check query, one delivery's three writes (the SQL of
//! `src/history/query.rs`), the prune transaction, close. The file is created by staxhook
//! itself (`History::open`), so the schema and indexes are the real ones. Strategies:
//!
//! - `today`: the default close (checkpoint, delete -wal and -shm);
//! - `no_ckpt_on_close`: `SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE` — no checkpoint on close; the
//!   WAL is checkpointed by whichever writer crosses `wal_autocheckpoint` (1000 pages), and
//!   each new process re-reads the WAL to rebuild its index;
//! - `no_ckpt_on_close_autockpt_100`: the same with `PRAGMA wal_autocheckpoint = 100`, so
//!   the WAL a new process re-reads stays small;
//! - `persist_wal`: `SQLITE_FCNTL_PERSIST_WAL` — checkpoint on close as today, but the WAL
//!   file is kept (no unlink, no re-create and folder fsync).
//!
//! Each strategy runs in a process of its own history file, iterations back to back, as
//! consecutive CI `emit`s would.

use std::os::raw::{c_int, c_void};
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use rusqlite::config::DbConfig;
use rusqlite::{params, Connection, OpenFlags, TransactionBehavior};

#[derive(Clone, Copy)]
enum Strategy {
    Today,
    NoCheckpointOnClose { autocheckpoint: Option<u32> },
    PersistWal,
}

fn open(path: &Path, strategy: Strategy) -> Connection {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .expect("open");
    connection
        .busy_timeout(std::time::Duration::from_secs(30))
        .expect("busy timeout");
    match strategy {
        Strategy::Today => {}
        Strategy::NoCheckpointOnClose { autocheckpoint } => {
            connection
                .set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
                .expect("db config");
            if let Some(pages) = autocheckpoint {
                connection
                    .pragma_update(None, "wal_autocheckpoint", pages)
                    .expect("autocheckpoint");
            }
        }
        Strategy::PersistWal => {
            let mut on: c_int = 1;
            // SAFETY: a valid open connection, the "main" schema name as a C string, and a
            // pointer to an int, as SQLITE_FCNTL_PERSIST_WAL documents.
            let code = unsafe {
                rusqlite::ffi::sqlite3_file_control(
                    connection.handle(),
                    c"main".as_ptr(),
                    rusqlite::ffi::SQLITE_FCNTL_PERSIST_WAL,
                    (&mut on as *mut c_int).cast::<c_void>(),
                )
            };
            assert_eq!(code, rusqlite::ffi::SQLITE_OK);
        }
    }
    // What schema::prepare runs on every open.
    connection
        .query_row(
            "SELECT (SELECT count(*) FROM sqlite_master), \
                    (SELECT application_id FROM pragma_application_id), \
                    (SELECT user_version FROM pragma_user_version)",
            [],
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i32>(1)?,
                    row.get::<_, i64>(2)?,
                ))
            },
        )
        .expect("inspect");
    connection
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))
        .expect("wal");
    connection
        .pragma_update(None, "synchronous", "NORMAL")
        .expect("synchronous");
    connection
        .pragma_update(None, "foreign_keys", true)
        .expect("foreign keys");
    connection
}

fn one_emit(path: &Path, strategy: Strategy, index: u64) {
    let connection = open(path, strategy);
    let now = jiff::Timestamp::now().as_millisecond();
    let row = connection
        .prepare_cached(
            "INSERT INTO deliveries (delivery_id, created_at, webhook, channel, event, repository, \
             test, status, request_url, request_headers, request_body, redelivery_of) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?9, ?10, ?11)",
        )
        .expect("prepare insert")
        .insert(params![
            format!("00000000-0000-4000-8000-{index:012}"),
            now,
            "bench",
            "generic",
            "scan_complete",
            "myorg/backend-api",
            false,
            "http://127.0.0.1:8080/hook",
            r#"[["Content-Type","application/json"],["X-CodeStax-Signature","sha256=2167abe7e2f29b0fe553a71e153818ef69d5806b55e93a9ecedf2c191d95f5fa"]]"#,
            r#"{"event":"scan_complete","timestamp":"2026-01-01T00:00:00Z","repository":"myorg/backend-api","data":{"scan_id":1}}"#,
            None::<i64>,
        ])
        .expect("insert");
    {
        let transaction =
            rusqlite::Transaction::new_unchecked(&connection, TransactionBehavior::Immediate)
                .expect("begin");
        transaction
            .execute(
                "UPDATE deliveries SET attempts = max(attempts, ?2), http_status = ?3, error = ?4, \
                 duration_ms = max(duration_ms, ?5 - created_at) WHERE id = ?1",
                params![row, 1, 200, None::<String>, now + 1],
            )
            .expect("update");
        transaction
            .execute(
                "INSERT INTO attempts (delivery, number, started_at, duration_ms, http_status, \
                 error, response_headers, response_body, response_truncated) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    row,
                    1,
                    now,
                    1,
                    200,
                    None::<String>,
                    r#"[["content-length","2"]]"#,
                    "ok",
                    false
                ],
            )
            .expect("attempt");
        transaction.commit().expect("commit");
    }
    connection
        .execute(
            "UPDATE deliveries SET status = ?2, http_status = ?3, attempts = ?4, \
             duration_ms = ?5, error = ?6 WHERE id = ?1",
            params![row, "delivered", 200, 1, 1, None::<String>],
        )
        .expect("finish");
    {
        let cutoff = now - 30 * 86_400_000;
        let transaction =
            rusqlite::Transaction::new_unchecked(&connection, TransactionBehavior::Immediate)
                .expect("begin prune");
        transaction
            .execute(
                "DELETE FROM attempts WHERE delivery IN (SELECT id FROM deliveries \
                 WHERE created_at < ?1 ORDER BY created_at, id LIMIT ?2)",
                params![cutoff, 1000],
            )
            .expect("prune attempts");
        transaction
            .execute(
                "DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries \
                 WHERE created_at < ?1 ORDER BY created_at, id LIMIT ?2)",
                params![cutoff, 1000],
            )
            .expect("prune deliveries");
        transaction.commit().expect("commit prune");
    }
    drop(connection);
}

fn bench_wal_close(c: &mut Criterion) {
    let strategies = [
        ("today", Strategy::Today),
        (
            "no_ckpt_on_close",
            Strategy::NoCheckpointOnClose {
                autocheckpoint: None,
            },
        ),
        (
            "no_ckpt_on_close_autockpt_100",
            Strategy::NoCheckpointOnClose {
                autocheckpoint: Some(100),
            },
        ),
        ("persist_wal", Strategy::PersistWal),
    ];
    let mut group = c.benchmark_group("wal_close");
    for (name, strategy) in strategies {
        let folder = tempfile::tempdir().expect("temp dir");
        let path = folder.path().join("history.db");
        drop(staxhook::history::History::open(&path).expect("create with staxhook"));
        let mut index = 0u64;
        group.bench_function(name, |b| {
            b.iter(|| {
                index += 1;
                one_emit(&path, strategy, index);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_wal_close);
criterion_main!(benches);
