//! Tests of the delivery history against real SQLite files in temporary folders.

use std::path::Path;
use std::sync::{Arc, Barrier};

use jiff::Timestamp;
use rusqlite::Connection;
use serde_json::json;

use super::postgres::test_server;
use super::sqlite::query;
use super::sqlite::schema::{APPLICATION_ID, LATEST_VERSION};
use super::*;

/// The backends the backend-neutral tests run on.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

/// A history for one test: a file in a temporary folder, or a fresh database on the shared
/// test server.
pub(crate) struct TestHistory {
    pub(crate) history: History,
    location: HistoryLocation,
    /// Kept so the folder lives as long as the test.
    _folder: Option<tempfile::TempDir>,
    database: Option<String>,
}

impl std::ops::Deref for TestHistory {
    type Target = History;

    fn deref(&self) -> &History {
        &self.history
    }
}

/// A history location not opened yet.
struct Unopened {
    location: HistoryLocation,
    _folder: Option<tempfile::TempDir>,
    database: Option<String>,
}

impl Backend {
    fn unopened(self, file_name: &str) -> Unopened {
        match self {
            Backend::Sqlite => {
                let folder = tempfile::tempdir().unwrap();
                Unopened {
                    location: HistoryLocation::File(folder.path().join(file_name)),
                    _folder: Some(folder),
                    database: None,
                }
            }
            Backend::Postgres => {
                let server = test_server::shared();
                let database = server.create_database();
                Unopened {
                    location: postgres_location(&server.url(&database)),
                    _folder: None,
                    database: Some(database),
                }
            }
        }
    }

    pub(crate) fn open(self) -> TestHistory {
        let unopened = self.unopened("history.db");
        TestHistory {
            history: History::open(&unopened.location).unwrap(),
            location: unopened.location,
            _folder: unopened._folder,
            database: unopened.database,
        }
    }
}

fn postgres_location(url: &str) -> HistoryLocation {
    HistoryLocation::parse(std::ffi::OsStr::new(url), &|_| None).unwrap()
}

/// Rows in `table` of the history at `location` (in database `database` for PostgreSQL).
fn count_rows(location: &HistoryLocation, database: Option<&str>, table: &str) -> i64 {
    match (location, database) {
        (HistoryLocation::File(path), _) => count(path, table),
        (HistoryLocation::Postgres(_), Some(database)) => test_server::shared()
            .sql(database, &format!("SELECT count(*) FROM staxhook.{table}"))
            .parse()
            .unwrap(),
        (HistoryLocation::Postgres(_), None) => panic!("no database"),
    }
}

impl TestHistory {
    fn count(&self, table: &str) -> i64 {
        count_rows(&self.location, self.database.as_deref(), table)
    }
}

impl Unopened {
    fn count(&self, table: &str) -> i64 {
        count_rows(&self.location, self.database.as_deref(), table)
    }
}

pub(crate) use super::both_backends::on_both_backends;

on_both_backends!(
    a_delivery_is_recorded_pending_then_per_attempt_then_finished,
    a_body_that_is_not_json_is_shown_as_a_string,
    an_oversized_response_body_is_cut_at_a_character_and_flagged,
    writes_to_a_missing_row_are_reported,
    the_last_attempt_is_written_with_the_final_status,
    list_filters_and_orders_newest_first,
    prune_deletes_old_deliveries_and_their_attempts_only,
    prune_handles_more_rows_than_one_batch,
    redeliverable_picks_the_newest_row_of_each_delivery,
    many_threads_with_their_own_connections_writing_one_new_history_lose_nothing,
    a_failed_delivery_is_claimed_by_one_run_until_that_run_is_stale,
);

/// 2023-11-14T22:13:20Z plus `offset_ms` milliseconds.
fn at(offset_ms: i64) -> Timestamp {
    Timestamp::from_millisecond(1_700_000_000_000 + offset_ms).unwrap()
}

fn new_delivery(
    delivery_id: &str,
    webhook: &str,
    event: &str,
    created_at: Timestamp,
) -> NewDelivery {
    NewDelivery {
        delivery_id: delivery_id.to_string(),
        created_at,
        webhook: webhook.to_string(),
        channel: "generic".to_string(),
        event: event.to_string(),
        repository: "acme/api".to_string(),
        test: false,
        request_url: "https://example.com/hook?…".to_string(),
        request_headers: vec![("Content-Type".to_string(), "application/json".to_string())],
        request_body: "{\"event\":\"scan_completed\"}".to_string(),
        redelivery_of: None,
        action: None,
    }
}

fn claimant(run: &str, now: Timestamp, stale_before: Timestamp) -> findings::Claimant {
    findings::Claimant {
        run: run.to_string(),
        now,
        stale_before,
    }
}

/// 2023-11-14T22:13:20Z plus `seconds`: the clock of the claim tests.
pub(crate) fn at_second(seconds: i64) -> Timestamp {
    at(seconds * 1000)
}

/// A run named `name` at `now` whose claims go stale after 100 s.
pub(crate) fn run_at(name: &str, now: Timestamp) -> findings::Claimant {
    claimant(name, now, now - jiff::SignedDuration::from_secs(100))
}

fn finished(status: Status) -> Finish {
    Finish {
        status,
        http_status: Some(if status == Status::Delivered {
            200
        } else {
            500
        }),
        attempts: 1,
        duration_ms: 10,
        error: (status == Status::Failed).then(|| "HTTP 500".to_string()),
    }
}

/// Inserts a delivery and finishes it with `status` (unless pending).
fn add(history: &History, delivery: &NewDelivery, status: Status) -> i64 {
    let row = history.insert_pending(delivery).unwrap();
    if status != Status::Pending {
        history.finish(row, None, &finished(status)).unwrap();
    }
    row
}

fn pragma(path: &Path, name: &str) -> i64 {
    let connection = Connection::open(path).unwrap();
    connection
        .query_row(&format!("PRAGMA {name}"), [], |row| row.get(0))
        .unwrap()
}

fn count(path: &Path, table: &str) -> i64 {
    let connection = Connection::open(path).unwrap();
    connection
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
            row.get(0)
        })
        .unwrap()
}

fn folder_listing(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn status_names_round_trip_and_unknown_ones_list_the_valid_ones() {
    for status in Status::ALL {
        assert_eq!(status.as_str().parse::<Status>(), Ok(status));
        assert_eq!(
            serde_json::to_value(status).unwrap(),
            json!(status.as_str())
        );
    }
    assert_eq!("Failed".parse::<Status>(), Ok(Status::Failed));
    let error = "done".parse::<Status>().unwrap_err();
    assert_eq!(
        error.to_string(),
        "unknown status `done`: valid: pending, delivered, failed"
    );
}

#[test]
fn timestamps_format_as_utc_with_milliseconds() {
    assert_eq!(format_timestamp(at(0)), "2023-11-14T22:13:20.000Z");
    assert_eq!(format_timestamp(at(250)), "2023-11-14T22:13:20.250Z");
}

#[test]
fn open_creates_missing_file_and_folders_and_migrates() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("state/staxhook/history.db");
    let history = History::open(&path).unwrap();
    assert_eq!(history.location(), path.display().to_string());
    drop(history);

    assert!(path.is_file());
    assert_eq!(pragma(&path, "user_version"), LATEST_VERSION);
    assert_eq!(pragma(&path, "application_id"), i64::from(APPLICATION_ID));
    let connection = Connection::open(&path).unwrap();
    let mode: String = connection
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(count(&path, "deliveries"), 0);
    assert_eq!(count(&path, "attempts"), 0);
}

#[test]
fn open_migrates_an_empty_file_and_reopening_keeps_rows() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("history.db");
    std::fs::write(&path, b"").unwrap();

    let history = History::open(&path).unwrap();
    assert_eq!(pragma(&path, "user_version"), LATEST_VERSION);
    add(
        &history,
        &new_delivery("d1", "ops", "kev_found", at(0)),
        Status::Delivered,
    );
    drop(history);

    let history = History::open(&path).unwrap();
    assert_eq!(history.list(&LogFilter::default()).unwrap().len(), 1);
    let history = History::open_existing(&path).unwrap().unwrap();
    assert_eq!(history.list(&LogFilter::default()).unwrap().len(), 1);
}

#[test]
fn open_existing_on_a_missing_path_is_empty_and_creates_nothing() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("not-yet/history.db");
    assert!(History::open_existing(&path).unwrap().is_none());
    assert!(!path.exists());
    assert!(!folder.path().join("not-yet").exists());
    assert!(folder_listing(folder.path()).is_empty());
}

#[test]
fn a_newer_schema_is_refused() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("history.db");
    drop(History::open(&path).unwrap());
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", LATEST_VERSION + 1)
        .unwrap();

    for error in [
        History::open(&path).unwrap_err(),
        History::open_existing(&path).unwrap_err(),
    ] {
        assert!(
            matches!(error, HistoryError::NewerSchema { found, supported, .. }
                if found == LATEST_VERSION + 1 && supported == LATEST_VERSION),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(!message.contains('\n'));
    }
    assert_eq!(pragma(&path, "user_version"), LATEST_VERSION + 1);
}

#[test]
fn a_file_that_is_not_a_database_is_reported_and_left_untouched() {
    let mut random = Vec::with_capacity(8192);
    let mut state: u32 = 0x1234_5678;
    for _ in 0..8192 {
        // xorshift: arbitrary bytes without a random-number dependency.
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        random.push(state.to_le_bytes()[0]);
    }
    let contents: [&[u8]; 3] = [
        b"this is a text file, not a history\n",
        &random,
        &[b'x'; 4096 * 3],
    ];
    for content in contents {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("history.db");
        std::fs::write(&path, content).unwrap();

        for error in [
            History::open(&path).unwrap_err(),
            History::open_existing(&path).unwrap_err(),
        ] {
            assert!(matches!(error, HistoryError::Corrupt { .. }), "{error:?}");
            assert_eq!(
                error.to_string(),
                format!(
                    "history file {} is not a valid SQLite database: file is not a database",
                    path.display()
                )
            );
        }
        assert_eq!(std::fs::read(&path).unwrap(), content);
        assert_eq!(folder_listing(folder.path()), ["history.db"]);
    }
}

#[test]
fn another_programs_database_is_refused_and_left_untouched() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("other.db");
    let connection = Connection::open(&path).unwrap();
    connection
        .execute_batch("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me');")
        .unwrap();
    drop(connection);
    let before = std::fs::read(&path).unwrap();

    let error = History::open(&path).unwrap_err();
    assert!(
        matches!(
            error,
            HistoryError::NotAHistory {
                application_id: 0,
                user_version: 0,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains(&path.display().to_string()));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(folder_listing(folder.path()), ["other.db"]);
}

fn a_delivery_is_recorded_pending_then_per_attempt_then_finished(backend: Backend) {
    let test = backend.open();
    let history = &test.history;
    let mut delivery = new_delivery("6f1c0c1e-uuid", "security", "kev_found", at(0));
    delivery.channel = "slack".to_string();
    delivery.test = true;
    delivery.request_url = "https://hooks.slack.com/services/…".to_string();
    delivery.request_headers = vec![
        ("Content-Type".to_string(), "application/json".to_string()),
        ("X-Staxhook-Event".to_string(), "kev_found".to_string()),
        ("X-Custom".to_string(), "a".to_string()),
        ("X-Custom".to_string(), "b".to_string()),
    ];
    // Whitespace and key order must survive exactly in the raw body.
    delivery.request_body = "{\"text\": \"KEV hit\",  \"count\": 2}".to_string();
    delivery.redelivery_of = Some(41);

    let row = history.insert_pending(&delivery).unwrap();
    let pending = history.list(&LogFilter::default()).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].id, row);
    assert_eq!(pending[0].status, Status::Pending);
    assert_eq!(pending[0].attempts, 0);
    assert_eq!(pending[0].http_status, None);

    history
        .record_attempt(
            row,
            &AttemptRecord {
                number: 1,
                started_at: at(5),
                duration_ms: 120,
                http_status: Some(503),
                error: Some("HTTP 503 Service Unavailable".to_string()),
                response_headers: vec![("Retry-After".to_string(), "1".to_string())],
                response_body: "busy".to_string(),
                response_truncated: false,
            },
        )
        .unwrap();
    let after_first = history.get(row).unwrap().unwrap();
    assert_eq!(after_first.summary.status, Status::Pending);
    assert_eq!(after_first.summary.attempts, 1);
    assert_eq!(after_first.summary.http_status, Some(503));
    assert_eq!(after_first.summary.duration_ms, 125);
    assert_eq!(
        after_first.summary.error.as_deref(),
        Some("HTTP 503 Service Unavailable")
    );

    history
        .record_attempt(
            row,
            &AttemptRecord {
                number: 2,
                started_at: at(1_125),
                duration_ms: 80,
                http_status: Some(200),
                error: None,
                response_headers: vec![
                    ("Content-Type".to_string(), "text/plain".to_string()),
                    ("Set-Cookie".to_string(), "a=1".to_string()),
                    ("Set-Cookie".to_string(), "b=2".to_string()),
                ],
                response_body: "ok".to_string(),
                response_truncated: false,
            },
        )
        .unwrap();
    let after_second = history.get(row).unwrap().unwrap();
    assert_eq!(after_second.summary.status, Status::Pending);
    assert_eq!(after_second.summary.attempts, 2);
    assert_eq!(after_second.summary.http_status, Some(200));
    assert_eq!(after_second.summary.duration_ms, 1_205);
    assert_eq!(after_second.summary.error, None);

    history
        .finish(
            row,
            None,
            &Finish {
                status: Status::Delivered,
                http_status: Some(200),
                attempts: 2,
                duration_ms: 1_210,
                error: None,
            },
        )
        .unwrap();

    let detail = history.get(row).unwrap().unwrap();
    assert_eq!(detail.request.raw_body, delivery.request_body);
    assert_eq!(detail.request.raw_headers, delivery.request_headers);
    assert_eq!(
        serde_json::to_value(&detail).unwrap(),
        json!({
            "id": row,
            "delivery_id": "6f1c0c1e-uuid",
            "created_at": "2023-11-14T22:13:20.000Z",
            "webhook": "security",
            "channel": "slack",
            "event": "kev_found",
            "repository": "acme/api",
            "test": true,
            "status": "delivered",
            "http_status": 200,
            "duration_ms": 1210,
            "error": null,
            "redelivery_of": 41,
            "request": {
                "url": "https://hooks.slack.com/services/…",
                "headers": {
                    "Content-Type": "application/json",
                    "X-Staxhook-Event": "kev_found",
                    "X-Custom": "a, b"
                },
                "body": {"text": "KEV hit", "count": 2}
            },
            "attempts": [
                {
                    "number": 1,
                    "started_at": "2023-11-14T22:13:20.005Z",
                    "duration_ms": 120,
                    "http_status": 503,
                    "error": "HTTP 503 Service Unavailable",
                    "response_headers": {"Retry-After": "1"},
                    "response_body": "busy",
                    "response_truncated": false
                },
                {
                    "number": 2,
                    "started_at": "2023-11-14T22:13:21.125Z",
                    "duration_ms": 80,
                    "http_status": 200,
                    "error": null,
                    "response_headers": {"Content-Type": "text/plain", "Set-Cookie": "a=1, b=2"},
                    "response_body": "ok",
                    "response_truncated": false
                }
            ]
        })
    );

    // Key order is part of the contract for people reading the output.
    let text = serde_json::to_string(&detail).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "delivery_id",
            "created_at",
            "webhook",
            "channel",
            "event",
            "repository",
            "test",
            "status",
            "http_status",
            "duration_ms",
            "error",
            "redelivery_of",
            "request",
            "attempts"
        ]
    );
    assert_eq!(text.matches("\"attempts\":").count(), 1, "{text}");

    let rows = history.list(&LogFilter::default()).unwrap();
    assert_eq!(
        serde_json::to_value(&rows).unwrap(),
        json!([{
            "id": row,
            "delivery_id": "6f1c0c1e-uuid",
            "created_at": "2023-11-14T22:13:20.000Z",
            "webhook": "security",
            "channel": "slack",
            "event": "kev_found",
            "repository": "acme/api",
            "test": true,
            "status": "delivered",
            "http_status": 200,
            "attempts": 2,
            "duration_ms": 1210,
            "error": null
        }])
    );
}

fn a_body_that_is_not_json_is_shown_as_a_string(backend: Backend) {
    let test = backend.open();
    let history = &test.history;
    let mut delivery = new_delivery("d1", "ops", "kev_found", at(0));
    delivery.request_body = "payload=not json".to_string();
    let row = history.insert_pending(&delivery).unwrap();
    let detail = history.get(row).unwrap().unwrap();
    assert_eq!(detail.request.body, json!("payload=not json"));
    assert_eq!(detail.request.raw_body, "payload=not json");
    assert!(detail.attempts.is_empty());
    assert!(history.get(row + 1).unwrap().is_none());
}

fn an_oversized_response_body_is_cut_at_a_character_and_flagged(backend: Backend) {
    let test = backend.open();
    let history = &test.history;
    let row = history
        .insert_pending(&new_delivery("d1", "ops", "kev_found", at(0)))
        .unwrap();
    // "é" is two bytes, so the limit falls inside a character.
    let body = format!("a{}", "é".repeat(MAX_RESPONSE_BODY_BYTES));
    history
        .record_attempt(
            row,
            &AttemptRecord {
                number: 1,
                started_at: at(1),
                duration_ms: 1,
                http_status: Some(200),
                error: None,
                response_headers: Vec::new(),
                response_body: body,
                response_truncated: false,
            },
        )
        .unwrap();
    let attempt = &history.get(row).unwrap().unwrap().attempts[0];
    assert!(attempt.response_truncated);
    assert_eq!(attempt.response_body.len(), MAX_RESPONSE_BODY_BYTES - 1);
    assert!(attempt.response_body.ends_with('é'));
}

/// What `emit` does: the attempt that ends a delivery goes in with its final status, in one
/// write; an earlier attempt was recorded on its own, before the pause.
fn the_last_attempt_is_written_with_the_final_status(backend: Backend) {
    let test = backend.open();
    let history = &test.history;
    let row = history
        .insert_pending(&new_delivery("uuid-last", "ci", "scan_complete", at(0)))
        .unwrap();
    let attempt = |number: u32, http_status: Option<u16>, error: Option<&str>| AttemptRecord {
        number,
        started_at: at(i64::from(number) * 1_000),
        duration_ms: 40,
        http_status,
        error: error.map(str::to_string),
        response_headers: vec![("Content-Type".to_string(), "text/plain".to_string())],
        response_body: format!("answer {number}"),
        response_truncated: false,
    };
    history
        .record_attempt(row, &attempt(1, Some(503), Some("HTTP 503")))
        .unwrap();
    let last = attempt(2, None, Some("connection refused"));
    let outcome = Finish {
        status: Status::Failed,
        http_status: Some(503),
        attempts: 2,
        duration_ms: 2_040,
        error: Some("gave up after 2 attempts: connection refused".to_string()),
    };
    history.finish(row, Some(&last), &outcome).unwrap();

    let detail = history.get(row).unwrap().unwrap();
    assert_eq!(detail.summary.status, Status::Failed);
    assert_eq!(
        detail.summary.http_status,
        Some(503),
        "the last status received"
    );
    assert_eq!(detail.summary.attempts, 2);
    assert_eq!(detail.summary.duration_ms, 2_040);
    assert_eq!(detail.summary.error, outcome.error);
    let attempts: Vec<(u32, Option<u16>, Option<&str>, &str)> = detail
        .attempts
        .iter()
        .map(|attempt| {
            (
                attempt.number,
                attempt.http_status,
                attempt.error.as_deref(),
                attempt.response_body.as_str(),
            )
        })
        .collect();
    assert_eq!(
        attempts,
        [
            (1, Some(503), Some("HTTP 503"), "answer 1"),
            (2, None, Some("connection refused"), "answer 2"),
        ]
    );
    assert_eq!(test.count("attempts"), 2);

    // A missing row takes neither the status nor the attempt.
    assert!(matches!(
        history.finish(row + 1, Some(&last), &outcome),
        Err(HistoryError::NotFound { .. })
    ));
    assert_eq!(test.count("attempts"), 2);

    // Another runner's connection, which wrote no pending row (so has prepared nothing on
    // PostgreSQL), finishes a delivery all the same.
    let other_row = history
        .insert_pending(&new_delivery(
            "uuid-other",
            "ci",
            "scan_complete",
            at(5_000),
        ))
        .unwrap();
    let other = History::open(&test.location).unwrap();
    other
        .finish(
            other_row,
            Some(&attempt(1, Some(200), None)),
            &finished(Status::Delivered),
        )
        .unwrap();
    let detail = history.get(other_row).unwrap().unwrap();
    assert_eq!(detail.summary.status, Status::Delivered);
    assert_eq!(detail.attempts.len(), 1);
    assert_eq!(detail.attempts[0].response_body, "answer 1");
    assert_eq!(test.count("attempts"), 3);
}

fn writes_to_a_missing_row_are_reported(backend: Backend) {
    let test = backend.open();
    let history = &test.history;
    let attempt = AttemptRecord {
        number: 1,
        started_at: at(0),
        duration_ms: 1,
        http_status: None,
        error: Some("connection refused".to_string()),
        response_headers: Vec::new(),
        response_body: String::new(),
        response_truncated: false,
    };
    assert!(matches!(
        history.record_attempt(99, &attempt),
        Err(HistoryError::NotFound { id: 99 })
    ));
    assert!(matches!(
        history.finish(99, None, &finished(Status::Failed)),
        Err(HistoryError::NotFound { id: 99 })
    ));
    assert_eq!(
        HistoryError::NotFound { id: 99 }.to_string(),
        "no delivery with id 99 in the history"
    );
    history.mark_interrupted(99, "interrupted").unwrap();
    assert_eq!(test.count("attempts"), 0);
}

fn list_filters_and_orders_newest_first(backend: Backend) {
    let test = backend.open();
    let history = &test.history;
    let a = add(
        history,
        &new_delivery("d-a", "ops", "kev_found", at(1_000)),
        Status::Delivered,
    );
    let b = add(
        history,
        &new_delivery("d-b", "ops", "sla_breach", at(2_000)),
        Status::Failed,
    );
    let c = add(
        history,
        &new_delivery("d-c", "siem", "kev_found", at(3_000)),
        Status::Pending,
    );
    // Same created_at as `c`: the higher id is newer.
    let d = add(
        history,
        &new_delivery("d-d", "ops", "kev_found", at(3_000)),
        Status::Failed,
    );
    let e = add(
        history,
        &new_delivery("d-e", "siem", "scan_completed", at(500)),
        Status::Delivered,
    );

    let ids = |filter: LogFilter| -> Vec<i64> {
        history
            .list(&filter)
            .unwrap()
            .into_iter()
            .map(|row| row.id)
            .collect()
    };
    assert_eq!(ids(LogFilter::default()), [d, c, b, a, e]);
    assert_eq!(
        ids(LogFilter {
            webhook: Some("ops".into()),
            ..LogFilter::default()
        }),
        [d, b, a]
    );
    assert_eq!(
        ids(LogFilter {
            event: Some("kev_found".into()),
            ..LogFilter::default()
        }),
        [d, c, a]
    );
    assert_eq!(
        ids(LogFilter {
            webhook: Some("ops".into()),
            event: Some("kev_found".into()),
            ..LogFilter::default()
        }),
        [d, a]
    );
    assert_eq!(
        ids(LogFilter {
            status: Some(Status::Failed),
            ..LogFilter::default()
        }),
        [d, b]
    );
    assert_eq!(
        ids(LogFilter {
            status: Some(Status::Pending),
            ..LogFilter::default()
        }),
        [c]
    );
    assert_eq!(
        ids(LogFilter {
            since: Some(at(2_000)),
            ..LogFilter::default()
        }),
        [d, c, b]
    );
    assert_eq!(
        ids(LogFilter {
            limit: 2,
            ..LogFilter::default()
        }),
        [d, c]
    );
    assert_eq!(
        ids(LogFilter {
            limit: 0,
            ..LogFilter::default()
        }),
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(LogFilter {
            webhook: Some("siem".into()),
            status: Some(Status::Delivered),
            since: Some(at(0)),
            limit: 10,
            ..LogFilter::default()
        }),
        [e]
    );
    assert_eq!(
        ids(LogFilter {
            webhook: Some("nobody".into()),
            ..LogFilter::default()
        }),
        Vec::<i64>::new()
    );
    let web = add(
        history,
        &NewDelivery {
            repository: "acme/web".into(),
            ..new_delivery("d-f", "ops", "kev_found", at(2_500))
        },
        Status::Failed,
    );
    assert_eq!(
        ids(LogFilter {
            repository: Some("acme/web".into()),
            ..LogFilter::default()
        }),
        [web]
    );
    // Exact: neither a prefix nor another case matches; combined with the other filters.
    for other in ["acme", "ACME/web", "acme/we"] {
        assert_eq!(
            ids(LogFilter {
                repository: Some(other.into()),
                ..LogFilter::default()
            }),
            Vec::<i64>::new(),
            "{other}"
        );
    }
    assert_eq!(
        ids(LogFilter {
            repository: Some("acme/api".into()),
            webhook: Some("ops".into()),
            status: Some(Status::Failed),
            since: Some(at(1_000)),
            ..LogFilter::default()
        }),
        [d, b]
    );
}

/// Query plan lines (the `detail` column) of `sql`.
fn query_plan(connection: &Connection, sql: &str, values: &[rusqlite::types::Value]) -> String {
    let mut statement = connection
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap();
    let lines: Vec<String> = statement
        .query_map(rusqlite::params_from_iter(values), |row| {
            row.get::<_, String>(3)
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    lines.join("\n")
}

#[test]
fn every_log_filter_walks_an_index_without_sorting() {
    let folder = tempfile::tempdir().unwrap();
    let history = super::sqlite::SqliteHistory::open(&folder.path().join("history.db")).unwrap();
    let connection = history.connection();

    let (sql, values) = query::list_statement(&LogFilter {
        webhook: Some("ops".into()),
        event: Some("kev_found".into()),
        limit: 50,
        ..LogFilter::default()
    });
    let plan = query_plan(connection, &sql, &values);
    assert!(plan.contains("deliveries_by_webhook_event"), "{plan}");
    assert!(!plan.contains("TEMP B-TREE"), "{plan}");

    // Every combination of filters, so none falls back to a scan and sort.
    for mask in 0..32 {
        let filter = LogFilter {
            webhook: (mask & 1 != 0).then(|| "ops".to_string()),
            event: (mask & 2 != 0).then(|| "kev_found".to_string()),
            status: (mask & 4 != 0).then_some(Status::Failed),
            since: (mask & 8 != 0).then(|| at(0)),
            repository: (mask & 16 != 0).then(|| "myorg/api".to_string()),
            limit: 50,
        };
        let (sql, values) = query::list_statement(&filter);
        let plan = query_plan(connection, &sql, &values);
        assert!(
            plan.contains("USING INDEX") || plan.contains("USING COVERING INDEX"),
            "{filter:?}: {plan}"
        );
        assert!(
            !plan.lines().any(|line| line.trim() == "SCAN deliveries"),
            "{filter:?}: {plan}"
        );
        assert!(!plan.contains("TEMP B-TREE"), "{filter:?}: {plan}");
    }

    let (sql, values) = query::list_statement(&LogFilter {
        repository: Some("myorg/api".into()),
        limit: 50,
        ..LogFilter::default()
    });
    let plan = query_plan(connection, &sql, &values);
    assert!(plan.contains("deliveries_by_repository"), "{plan}");

    for repository in [None, Some("myorg/api")] {
        let (sql, values) = query::redeliverable_statement(Some(at(0)), repository, at(1), "run");
        let plan = query_plan(connection, &sql, &values);
        assert!(plan.contains("deliveries_by_delivery_id"), "{plan}");
        assert!(
            !plan.lines().any(|line| line.trim().starts_with("SCAN")),
            "{repository:?}: {plan}"
        );
    }
}

fn prune_deletes_old_deliveries_and_their_attempts_only(backend: Backend) {
    let test = backend.open();
    let history = &test.history;
    let attempt = |number: u32| AttemptRecord {
        number,
        started_at: at(0),
        duration_ms: 1,
        http_status: Some(500),
        error: Some("HTTP 500".to_string()),
        response_headers: Vec::new(),
        response_body: String::new(),
        response_truncated: false,
    };
    let mut old_rows = Vec::new();
    for index in 0..3 {
        let row = add(
            history,
            &new_delivery("old", "ops", "kev_found", at(index)),
            Status::Failed,
        );
        history.record_attempt(row, &attempt(1)).unwrap();
        history.record_attempt(row, &attempt(2)).unwrap();
        old_rows.push(row);
    }
    let kept = add(
        history,
        &new_delivery("new", "ops", "kev_found", at(10_000)),
        Status::Failed,
    );
    history.record_attempt(kept, &attempt(1)).unwrap();
    // Exactly at the cutoff is not "before" it.
    let boundary = add(
        history,
        &new_delivery("edge", "ops", "kev_found", at(5_000)),
        Status::Pending,
    );

    assert_eq!(history.prune(at(5_000)).unwrap(), 3);
    for row in old_rows {
        assert!(history.get(row).unwrap().is_none());
    }
    assert_eq!(history.get(kept).unwrap().unwrap().attempts.len(), 1);
    assert!(history.get(boundary).unwrap().is_some());
    assert_eq!(test.count("deliveries"), 2);
    assert_eq!(test.count("attempts"), 1);
    assert_eq!(history.prune(at(5_000)).unwrap(), 0);

    // Ids are not reused once the newest rows are pruned too.
    assert_eq!(history.prune(at(20_000)).unwrap(), 2);
    let next = history
        .insert_pending(&new_delivery("later", "ops", "kev_found", at(30_000)))
        .unwrap();
    assert!(next > kept && next > boundary, "{next}");
}

fn prune_handles_more_rows_than_one_batch(backend: Backend) {
    let test = backend.open();
    let history = &test.history;
    for index in 0..2_345 {
        add(
            history,
            &new_delivery("many", "ops", "kev_found", at(index)),
            Status::Delivered,
        );
    }
    assert_eq!(history.prune(at(2_000)).unwrap(), 2_000);
    assert_eq!(test.count("deliveries"), 345);
}

fn redeliverable_picks_the_newest_row_of_each_delivery(backend: Backend) {
    let test = backend.open();
    let history = &test.history;
    let stale_before = at(10_000);

    // Failed and never retried: picked.
    let failed_only = add(
        history,
        &new_delivery("only-failed", "ops", "kev_found", at(100)),
        Status::Failed,
    );
    // Failed, then redelivered successfully: not picked.
    add(
        history,
        &new_delivery("fixed", "ops", "kev_found", at(200)),
        Status::Failed,
    );
    add(
        history,
        &new_delivery("fixed", "ops", "kev_found", at(300)),
        Status::Delivered,
    );
    // Delivered, then a redelivery that failed: the newer row is picked.
    add(
        history,
        &new_delivery("broke", "ops", "kev_found", at(400)),
        Status::Delivered,
    );
    let broke_newest = add(
        history,
        &new_delivery("broke", "ops", "kev_found", at(500)),
        Status::Failed,
    );
    // Pending from a process that died long ago: picked.
    let stale = add(
        history,
        &new_delivery("stale", "ops", "kev_found", at(600)),
        Status::Pending,
    );
    // Pending but recent: its process may still be running.
    add(
        history,
        &new_delivery("running", "ops", "kev_found", at(20_000)),
        Status::Pending,
    );
    // Failed, then a redelivery in progress: leave it to that process.
    add(
        history,
        &new_delivery("retrying", "ops", "kev_found", at(700)),
        Status::Failed,
    );
    add(
        history,
        &new_delivery("retrying", "ops", "kev_found", at(15_000)),
        Status::Pending,
    );
    // Two rows created in the same millisecond: the higher id is the newest.
    add(
        history,
        &new_delivery("tie", "ops", "kev_found", at(800)),
        Status::Delivered,
    );
    let tie_newest = add(
        history,
        &new_delivery("tie", "ops", "kev_found", at(800)),
        Status::Failed,
    );
    // Failed recently.
    let recent = add(
        history,
        &new_delivery("recent", "ops", "kev_found", at(30_000)),
        Status::Failed,
    );

    let claimant = claimant("first", at(50_000), stale_before);
    assert_eq!(
        history.claim_redeliverable(None, None, &claimant).unwrap(),
        [failed_only, broke_newest, stale, tie_newest, recent]
    );
    // The same run sees its own claims again.
    assert_eq!(
        history
            .claim_redeliverable(Some(at(500)), None, &claimant)
            .unwrap(),
        [broke_newest, stale, tie_newest, recent]
    );
    // Every row here is about acme/api: another repository has nothing to redeliver.
    assert_eq!(
        history
            .claim_redeliverable(Some(at(500)), Some("acme/api"), &claimant)
            .unwrap(),
        [broke_newest, stale, tie_newest, recent]
    );
    assert_eq!(
        history
            .claim_redeliverable(None, Some("acme/web"), &claimant)
            .unwrap(),
        Vec::<i64>::new()
    );
    // A later stale cutoff makes the running and retrying rows stale too, and the first
    // run's claims (made at 50 s) old enough to take over.
    let later = self::claimant("later", at(200_000), at(100_000));
    let everything = history.claim_redeliverable(None, None, &later).unwrap();
    assert_eq!(everything.len(), 7, "{everything:?}");

    history
        .mark_interrupted(stale, "interrupted: the sending process exited")
        .unwrap();
    let summary = history.get(stale).unwrap().unwrap().summary;
    assert_eq!(summary.status, Status::Failed);
    assert_eq!(
        summary.error.as_deref(),
        Some("interrupted: the sending process exited")
    );
    // Not pending: left alone.
    history
        .mark_interrupted(recent, "should not be written")
        .unwrap();
    let summary = history.get(recent).unwrap().unwrap().summary;
    assert_eq!(summary.error.as_deref(), Some("HTTP 500"));
}

/// Threads of one process, each with its own connection: the backend's locking between
/// connections, not between processes. The proof for processes runs real `staxhook`
/// processes: `tests/reliability.rs`
/// (`eight_processes_times_25_emits_share_one_history_without_loss_or_lock_errors`) and
/// `tests/history_cli.rs` (`parallel_processes_share_one_history_without_losing_rows`).
fn many_threads_with_their_own_connections_writing_one_new_history_lose_nothing(backend: Backend) {
    const WRITERS: usize = 8;
    const DELIVERIES_EACH: usize = 25;
    // Not opened yet: the writers create it (the file, or the schema) all at once.
    let test = backend.unopened("ci/history.db");
    let path = Arc::new(test.location.clone());
    let barrier = Arc::new(Barrier::new(WRITERS));

    let handles: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let path = Arc::clone(&path);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || -> Result<(), HistoryError> {
                barrier.wait();
                let history = History::open(path.as_ref())?;
                for index in 0..DELIVERIES_EACH {
                    let delivery = new_delivery(
                        &format!("writer-{writer}-{index}"),
                        &format!("hook-{writer}"),
                        "scan_completed",
                        Timestamp::now(),
                    );
                    let row = history.insert_pending(&delivery)?;
                    for number in 1..=2 {
                        history.record_attempt(
                            row,
                            &AttemptRecord {
                                number,
                                started_at: Timestamp::now(),
                                duration_ms: 1,
                                http_status: Some(if number == 1 { 502 } else { 200 }),
                                error: None,
                                response_headers: Vec::new(),
                                response_body: "ok".to_string(),
                                response_truncated: false,
                            },
                        )?;
                    }
                    history.finish(
                        row,
                        None,
                        &Finish {
                            status: Status::Delivered,
                            http_status: Some(200),
                            attempts: 2,
                            duration_ms: 2,
                            error: None,
                        },
                    )?;
                }
                Ok(())
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap().unwrap();
    }

    let history = History::open_existing(path.as_ref()).unwrap().unwrap();
    let all = history
        .list(&LogFilter {
            limit: 10_000,
            ..LogFilter::default()
        })
        .unwrap();
    assert_eq!(all.len(), WRITERS * DELIVERIES_EACH);
    assert!(all
        .iter()
        .all(|row| row.status == Status::Delivered && row.attempts == 2));
    assert_eq!(
        test.count("attempts"),
        (WRITERS * DELIVERIES_EACH * 2) as i64
    );
    for writer in 0..WRITERS {
        let rows = history
            .list(&LogFilter {
                webhook: Some(format!("hook-{writer}")),
                limit: 10_000,
                ..LogFilter::default()
            })
            .unwrap();
        assert_eq!(rows.len(), DELIVERIES_EACH);
    }
}

fn a_failed_delivery_is_claimed_by_one_run_until_that_run_is_stale(backend: Backend) {
    let test = backend.open();
    let history = &test.history;
    let failed = history
        .insert_pending(&new_delivery("d", "ops", "kev_found", at(0)))
        .unwrap();
    history
        .finish(failed, None, &finished(Status::Failed))
        .unwrap();

    let first = claimant("first", at(1_000), at(0));
    let second = claimant("second", at(1_500), at(0));
    assert_eq!(
        history.claim_redeliverable(None, None, &first).unwrap(),
        [failed]
    );
    // Claimed by a live run: another run gets nothing.
    assert!(history
        .claim_redeliverable(None, None, &second)
        .unwrap()
        .is_empty());
    // Once the first run's claim is older than the stale cutoff, it is taken over.
    let much_later = claimant("second", at(90_000), at(60_000));
    assert_eq!(
        history
            .claim_redeliverable(None, None, &much_later)
            .unwrap(),
        [failed]
    );
}

// PostgreSQL only: what opening a database finds there, and how failures read.

fn postgres_history(database: &str) -> HistoryLocation {
    postgres_location(&test_server::shared().url(database))
}

#[test]
fn postgres_schema_versions_match_sqlite() {
    assert_eq!(super::postgres::schema::LATEST_VERSION, LATEST_VERSION);
    assert_eq!(
        super::postgres::schema::MIGRATIONS.len(),
        super::sqlite::schema::MIGRATIONS.len()
    );
}

#[test]
fn postgres_open_existing_on_an_empty_database_is_empty_and_creates_nothing() {
    let server = test_server::shared();
    let database = server.create_database();
    let location = postgres_history(&database);
    assert!(History::open_existing(&location).unwrap().is_none());
    let schemas = "SELECT count(*) FROM pg_namespace WHERE nspname = 'staxhook'";
    assert_eq!(server.sql(&database, schemas), "0");

    let history = History::open(&location).unwrap();
    assert_eq!(history.location(), server.masked_url(&database));
    assert_eq!(server.sql(&database, schemas), "1");
    assert_eq!(
        server.sql(&database, "SELECT version FROM staxhook.schema_version"),
        LATEST_VERSION.to_string()
    );
    drop(history);
    assert!(History::open_existing(&location).unwrap().is_some());
}

/// A delivery's rows are written in transactions of their own (committed without waiting
/// for the disk flush); a statement that fails inside one must end it, or every later write
/// of the run would fail inside an aborted transaction.
#[test]
fn postgres_a_failed_delivery_write_leaves_the_connection_usable() {
    let server = test_server::shared();
    let database = server.create_database();
    let history = History::open(postgres_history(&database)).unwrap();
    let row = history
        .insert_pending(&new_delivery("d-1", "hook", "scan_complete", at(0)))
        .unwrap();
    let attempt = AttemptRecord {
        number: 1,
        started_at: at(5),
        duration_ms: 20,
        http_status: Some(200),
        error: None,
        response_headers: Vec::new(),
        response_body: "ok".to_string(),
        response_truncated: false,
    };
    history.record_attempt(row, &attempt).unwrap();
    // The same attempt number again breaks the table's uniqueness rule.
    let error = history.record_attempt(row, &attempt).unwrap_err();
    assert!(error.to_string().contains("duplicate key"), "{error}");
    history
        .finish(row, None, &finished(Status::Delivered))
        .unwrap();
    let detail = history.get(row).unwrap().unwrap();
    assert_eq!(detail.summary.status, Status::Delivered);
    assert_eq!(detail.attempts.len(), 1);
    assert_eq!(
        server.sql(
            &database,
            "SELECT count(*) FROM pg_stat_activity \
              WHERE application_name = 'staxhook' AND state LIKE 'idle in transaction%'"
        ),
        "0"
    );
}

/// Step 5 leaves half of each `findings` page free, so that a reconcile's rewrite of every
/// open finding is a heap-only update (no index entries); a finding rewritten by a second
/// reconcile stays on its page.
#[test]
fn postgres_findings_are_rewritten_in_place() {
    let server = test_server::shared();
    let database = server.create_database();
    let history = History::open(postgres_history(&database)).unwrap();
    assert_eq!(
        server.sql(
            &database,
            "SELECT array_to_string(reloptions, ',') FROM pg_class \
              WHERE oid = 'staxhook.findings'::regclass"
        ),
        "fillfactor=50"
    );
    let findings: Vec<crate::report::Finding> = (0..200)
        .map(|n| {
            let id = format!("CVE-2026-{n}");
            crate::report::Finding::example(&id, "xz", "5.6.0", crate::report::Severity::High)
        })
        .collect();
    let now = Timestamp::from_second(1_700_000_000).unwrap();
    let claimant = claimant("quiet", now, now);
    for _ in 0..2 {
        history
            .reconcile(
                "org/repo",
                &findings,
                true,
                &claimant,
                &super::incidents::IncidentScope::default(),
                &|_| Vec::new(),
            )
            .unwrap();
    }
    // A backend reports its statistics when it ends, and the collector may take a moment.
    drop(history);
    let mut updates = String::new();
    for _ in 0..100 {
        updates = server.sql(
            &database,
            "SELECT n_tup_upd || ' ' || n_tup_hot_upd FROM pg_stat_user_tables \
              WHERE relid = 'staxhook.findings'::regclass",
        );
        if updates.starts_with("200 ") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (all, heap_only) = updates.split_once(' ').unwrap();
    assert_eq!(all, "200", "{updates}");
    assert_eq!(heap_only, "200", "{updates}");
}

#[test]
fn postgres_a_newer_schema_is_refused() {
    let server = test_server::shared();
    let database = server.create_database();
    let location = postgres_history(&database);
    drop(History::open(&location).unwrap());
    server.sql(
        &database,
        &format!(
            "UPDATE staxhook.schema_version SET version = {}",
            LATEST_VERSION + 1
        ),
    );
    for error in [
        History::open(&location).unwrap_err(),
        History::open_existing(&location).unwrap_err(),
    ] {
        assert!(
            matches!(error, HistoryError::NewerDatabaseSchema { found, .. } if found == LATEST_VERSION + 1),
            "{error:?}"
        );
        assert!(!error.is_unavailable());
        assert_eq!(
            error.to_string(),
            format!(
                "history {} has schema version {}, newer than the {LATEST_VERSION} this staxhook \
                 knows; upgrade staxhook to use it",
                server.masked_url(&database),
                LATEST_VERSION + 1
            )
        );
    }
    assert_eq!(
        server.sql(&database, "SELECT version FROM staxhook.schema_version"),
        (LATEST_VERSION + 1).to_string()
    );
}

#[test]
fn postgres_a_foreign_schema_is_refused_and_left_untouched() {
    let server = test_server::shared();
    let database = server.create_database();
    server.sql(
        &database,
        "CREATE SCHEMA staxhook; CREATE TABLE staxhook.notes (text TEXT); \
         INSERT INTO staxhook.notes VALUES ('keep me');",
    );
    let error = History::open(postgres_history(&database)).unwrap_err();
    assert!(
        matches!(error, HistoryError::ForeignSchema { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains(&server.masked_url(&database)));
    assert_eq!(
        server.sql(
            &database,
            "SELECT string_agg(relname, ',') FROM pg_class JOIN pg_namespace ON pg_namespace.oid = relnamespace WHERE nspname = 'staxhook'"
        ),
        "notes"
    );
}

#[test]
fn postgres_a_schema_an_administrator_created_is_enough() {
    let server = test_server::shared();
    let database = server.create_database();
    let user = test_server::unique_name("runner");
    server.sql(
        "postgres",
        &format!("CREATE ROLE {user} LOGIN PASSWORD 'runner-password'"),
    );
    let url = |database: &str| {
        postgres_location(&format!(
            "postgres://{user}:runner-password@127.0.0.1:{}/{database}?sslmode=disable",
            server.port
        ))
    };
    // Without CREATE on the database and without a schema, the history cannot be made.
    let error = History::open(url(&database)).unwrap_err();
    assert!(error.is_unavailable(), "{error:?}");
    assert!(
        error.to_string().contains("permission denied for database"),
        "{error}"
    );
    // A schema `staxhook` it owns is all it needs.
    server.sql(
        &database,
        &format!("CREATE SCHEMA staxhook AUTHORIZATION {user}"),
    );
    let history = History::open(url(&database)).unwrap();
    add(
        &history,
        &new_delivery("d1", "ops", "kev_found", at(0)),
        Status::Delivered,
    );
    assert_eq!(history.list(&LogFilter::default()).unwrap().len(), 1);
}

#[test]
fn postgres_failures_name_the_history_masked_and_never_the_password() {
    let server = test_server::shared();
    let database = server.create_database();
    let wrong_password = format!(
        "postgres://{}:not-the-password@127.0.0.1:{}/{database}?sslmode=disable",
        test_server::ADMIN,
        server.port
    );
    let closed_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let cases = [
        (
            wrong_password,
            format!(
                "history postgres://{}:***@127.0.0.1:{}/{database}: cannot connect: password \
                 authentication failed for user \"{}\"",
                test_server::ADMIN,
                server.port,
                test_server::ADMIN
            ),
        ),
        (
            server.url("no_such_database"),
            format!(
                "history {}: cannot connect: database \"no_such_database\" does not exist",
                server.masked_url("no_such_database")
            ),
        ),
        (
            format!(
                "postgres://{}:{}@127.0.0.1:{closed_port}/{database}?sslmode=disable",
                test_server::ADMIN,
                server.password
            ),
            format!(
                "history postgres://{}:***@127.0.0.1:{closed_port}/{database}: cannot connect: \
                 error connecting to server: Connection refused (os error 111)",
                test_server::ADMIN
            ),
        ),
        (
            server
                .url(&database)
                .replace("sslmode=disable", "sslmode=require"),
            format!(
                "history {}: cannot connect: error performing TLS handshake: server does not \
                 support TLS",
                server.masked_url(&database)
            ),
        ),
    ];
    for (url, expected) in cases {
        let location = postgres_location(&url);
        for error in [
            History::open(&location).unwrap_err(),
            History::open_existing(&location).unwrap_err(),
        ] {
            assert!(error.is_unavailable(), "{error:?}");
            assert_eq!(error.to_string(), expected);
            assert!(!error.to_string().contains(&server.password));
            assert!(!format!("{error:?}").contains(&server.password));
        }
    }
}

#[test]
fn postgres_a_restarted_server_costs_nothing_but_a_reconnect() {
    let server = test_server::PostgresServer::start();
    let location = postgres_location(&server.url("postgres"));
    let history = History::open(&location).unwrap();
    add(
        &history,
        &new_delivery("before", "ops", "kev_found", at(0)),
        Status::Delivered,
    );
    server.stop();
    let error = history
        .insert_pending(&new_delivery("down", "ops", "kev_found", at(1)))
        .unwrap_err();
    assert!(error.is_unavailable(), "{error:?}");
    assert!(!error.to_string().contains(&server.password), "{error}");
    server.restart();
    let row = history
        .insert_pending(&new_delivery("after", "ops", "kev_found", at(2)))
        .unwrap_or_else(|error| panic!("after the restart: {error}"));
    // The finishing statement prepared on the first connection is not used on the new one.
    let attempt = AttemptRecord {
        number: 1,
        started_at: at(3),
        duration_ms: 1,
        http_status: Some(200),
        error: None,
        response_headers: Vec::new(),
        response_body: "ok".to_string(),
        response_truncated: false,
    };
    history
        .finish(row, Some(&attempt), &finished(Status::Delivered))
        .unwrap_or_else(|error| panic!("finishing after the restart: {error}"));
    let ids: Vec<String> = history
        .list(&LogFilter::default())
        .unwrap()
        .into_iter()
        .map(|row| row.delivery_id)
        .collect();
    assert_eq!(ids, ["after", "before"]);
}

/// The PostgreSQL plan of `sql`, with sequential scans and sorts priced out of reach: a plan
/// that still sorts, or scans the whole table, has no index to walk.
fn postgres_plan(
    client: &tokio_postgres::Client,
    runtime: &tokio::runtime::Runtime,
    sql: &str,
    values: &super::postgres::query::Parameters,
) -> String {
    runtime.block_on(async {
        client
            .batch_execute("SET enable_seqscan = off; SET enable_sort = off")
            .await
            .unwrap();
        let rows = client
            .query(
                &format!("EXPLAIN {sql}"),
                &super::postgres::query::borrowed(values),
            )
            .await
            .unwrap();
        rows.iter()
            .map(|row| row.get::<_, String>(0))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

#[test]
fn postgres_every_log_filter_walks_an_index_in_time_order() {
    let server = test_server::shared();
    let database = server.create_database();
    drop(History::open(postgres_history(&database)).unwrap());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(
            &format!(
                "host=127.0.0.1 port={} user={} password={} dbname={database}",
                server.port,
                test_server::ADMIN,
                server.password
            ),
            tokio_postgres::NoTls,
        )
        .await
        .unwrap();
        tokio::spawn(connection);
        client
    });
    for mask in 0..32 {
        let filter = LogFilter {
            webhook: (mask & 1 != 0).then(|| "ops".to_string()),
            event: (mask & 2 != 0).then(|| "kev_found".to_string()),
            status: (mask & 4 != 0).then_some(Status::Failed),
            since: (mask & 8 != 0).then(|| at(0)),
            repository: (mask & 16 != 0).then(|| "myorg/api".to_string()),
            limit: 50,
        };
        let (sql, values) = super::postgres::query::list_statement(&filter);
        let plan = postgres_plan(&client, &runtime, &sql, &values);
        assert!(plan.contains("Index"), "{filter:?}: {plan}");
        // The index gives the rows in time order; only the rows of one millisecond are put
        // in `id` order (an incremental sort), never the whole match.
        let full_sort = plan.lines().any(|line| {
            let node = line.trim_start().trim_start_matches("->").trim_start();
            node.starts_with("Sort ") && !node.starts_with("Sort Key")
        });
        assert!(!full_sort, "{filter:?}: {plan}");
        if plan.contains("Incremental Sort") {
            assert!(
                plan.contains("Presorted Key: created_at"),
                "{filter:?}: {plan}"
            );
        }
        assert!(!plan.contains("Seq Scan"), "{filter:?}: {plan}");
    }
    let (sql, values) = super::postgres::query::list_statement(&LogFilter {
        repository: Some("myorg/api".into()),
        limit: 50,
        ..LogFilter::default()
    });
    let plan = postgres_plan(&client, &runtime, &sql, &values);
    assert!(plan.contains("deliveries_by_repository"), "{plan}");
    for repository in [None, Some("myorg/api")] {
        let (sql, values) =
            super::postgres::query::redeliverable_statement(Some(at(0)), repository, at(1), "run");
        let plan = postgres_plan(&client, &runtime, &sql, &values);
        assert!(
            plan.contains("deliveries_by_delivery_id"),
            "{repository:?}: {plan}"
        );
        assert!(!plan.contains("Seq Scan"), "{repository:?}: {plan}");
    }
}
