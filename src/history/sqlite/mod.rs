//! The SQLite history: one file in WAL mode that many staxhook processes write at once,
//! with a busy timeout and retries on `SQLITE_BUSY` so none fails with "database is
//! locked", a versioned schema migrated forward on open, and a refusal to touch a file
//! that is not a staxhook history.

mod copy;
mod findings;
mod incidents;
mod permissions;
pub(super) mod query;
pub mod schema;

pub use permissions::permission_warnings;

use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::findings::{
    Claimant, FindingFilter, FindingRecord, Notice, NoticeOutcome, Reconciliation, Tracked,
};
use super::incidents::{ExportedIncident, Incident, IncidentScope, ResolveOutcome};
use super::{
    AttemptRecord, DeliveryDetail, DeliverySummary, ExportedDelivery, ExportedFinding, Finish,
    HistoryError, Imported, LogFilter, NewDelivery, Store,
};
use crate::report::Finding;
use schema::LATEST_VERSION;

/// How long one statement waits for another process's write lock. Parallel
/// CI jobs each hold it only for a few milliseconds, so this is only reached
/// when something is badly wrong.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// How long an operation is retried when SQLite reports `SQLITE_BUSY` without
/// waiting on the busy timeout (changing the journal mode, WAL recovery).
const BUSY_RETRY_BUDGET: Duration = Duration::from_secs(30);

/// An open history file. Each process (or thread) opens its own; SQLite's
/// locking, not this type, coordinates writers.
#[derive(Debug)]
pub struct SqliteHistory {
    connection: Connection,
    path: PathBuf,
}

impl SqliteHistory {
    /// Opens (creating the file 0600 and parent folders 0700 if needed) for writing;
    /// sets WAL, busy timeout, synchronous=NORMAL, migrates.
    pub fn open(path: &Path) -> Result<SqliteHistory, HistoryError> {
        // Created private before SQLite sees it: SQLite would create it 0644 (less the
        // umask), and its -wal and -shm files take the database file's mode.
        permissions::create_private(path)
            .map_err(|(path, error)| HistoryError::CreateFolder { path, error })?;
        SqliteHistory::open_with(path, OpenFlags::SQLITE_OPEN_CREATE)
    }

    /// For read-only commands: Ok(None) when the file does not exist (an empty
    /// history), never creates it.
    pub fn open_existing(path: &Path) -> Result<Option<SqliteHistory>, HistoryError> {
        // When existence cannot be checked (an unreadable folder), go on and
        // let SQLite report the problem with the path.
        if let Ok(false) = path.try_exists() {
            return Ok(None);
        }
        // Without SQLITE_OPEN_CREATE, a file deleted since the check above
        // yields an error instead of a new empty file.
        SqliteHistory::open_with(path, OpenFlags::empty()).map(Some)
    }

    fn open_with(path: &Path, extra_flags: OpenFlags) -> Result<SqliteHistory, HistoryError> {
        // No SQLITE_OPEN_URI: a configured path is a file name, never a URI.
        let flags =
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | extra_flags;
        let connection =
            Connection::open_with_flags(path, flags).map_err(|error| classify(path, error))?;
        connection
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|error| classify(path, error))?;
        // Each staxhook process is usually the only one with the history open, so closing
        // would checkpoint the WAL into the database and delete it, with fsyncs every time
        // (1 ms on a quiet disk, 8-20 ms on a busy one). Leaving the WAL for the next
        // automatic checkpoint keeps the same durability as synchronous=NORMAL promises.
        connection
            .set_db_config(
                rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
                true,
            )
            .map_err(|error| classify(path, error))?;
        match retry_when_busy(|| schema::prepare(&connection))
            .map_err(|error| classify(path, error))?
        {
            Ok(()) => Ok(SqliteHistory {
                connection,
                path: path.to_path_buf(),
            }),
            Err(schema::Refusal::Newer { version }) => Err(HistoryError::NewerSchema {
                path: path.to_path_buf(),
                found: version,
                supported: LATEST_VERSION,
            }),
            Err(schema::Refusal::Foreign {
                application_id,
                user_version,
            }) => Err(HistoryError::NotAHistory {
                path: path.to_path_buf(),
                application_id,
                user_version,
            }),
        }
    }

    /// An empty history in memory, for `--dry-run` when no history file exists yet: the
    /// same schema and code, and nothing written to disk.
    pub fn in_memory() -> Result<SqliteHistory, HistoryError> {
        let path = PathBuf::from(":memory:");
        let connection = Connection::open_in_memory().map_err(|error| classify(&path, error))?;
        match schema::prepare(&connection).map_err(|error| classify(&path, error))? {
            Ok(()) => Ok(SqliteHistory { connection, path }),
            Err(_) => Err(HistoryError::Corrupt {
                path,
                reason: "the in-memory history could not be prepared".into(),
            }),
        }
    }

    /// The connection itself, for tests that read query plans.
    #[cfg(test)]
    pub(in crate::history) fn connection(&self) -> &Connection {
        &self.connection
    }

    fn run<T>(
        &self,
        mut operation: impl FnMut(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, HistoryError> {
        retry_when_busy(|| operation(&self.connection)).map_err(|error| classify(&self.path, error))
    }
}

impl Store for SqliteHistory {
    fn location(&self) -> String {
        self.path.display().to_string()
    }

    /// Writes a delivery as `pending`; returns its row id.
    fn insert_pending(&self, delivery: &NewDelivery) -> Result<i64, HistoryError> {
        self.run(|connection| query::insert_pending(connection, delivery))
    }

    /// Inserts the attempt and updates the delivery's attempts, HTTP status,
    /// error and duration so far; the status stays `pending`.
    fn record_attempt(&self, row: i64, attempt: &AttemptRecord) -> Result<(), HistoryError> {
        self.run(|connection| query::record_attempt(connection, row, attempt))?
            .then_some(())
            .ok_or(HistoryError::NotFound { id: row })
    }

    fn finish(
        &self,
        row: i64,
        last_attempt: Option<&AttemptRecord>,
        finish: &Finish,
    ) -> Result<(), HistoryError> {
        self.run(|connection| query::finish(connection, row, last_attempt, finish))?
            .then_some(())
            .ok_or(HistoryError::NotFound { id: row })
    }

    /// `log` rows, newest first (created_at desc, id desc).
    fn list(&self, filter: &LogFilter) -> Result<Vec<DeliverySummary>, HistoryError> {
        self.run(|connection| query::list(connection, filter))
    }

    /// One delivery with its request and attempts (in attempt order).
    fn get(&self, id: i64) -> Result<Option<DeliveryDetail>, HistoryError> {
        self.run(|connection| query::get(connection, id))
    }

    /// Deletes deliveries created before `cutoff` and their attempts; returns
    /// how many deliveries were deleted.
    fn prune(&self, cutoff: Timestamp) -> Result<usize, HistoryError> {
        self.run(|connection| query::prune(connection, cutoff))
    }

    /// Rows `redeliver --failed` should pick: for each delivery_id, its newest
    /// row, when that row is failed, or pending and created before
    /// `stale_pending_before` (a process that still runs cannot own it); only
    /// rows created at/after `since` when given. Oldest first.
    fn claim_redeliverable(
        &self,
        since: Option<Timestamp>,
        repository: Option<&str>,
        claimant: &Claimant,
    ) -> Result<Vec<i64>, HistoryError> {
        self.run(|connection| {
            findings::in_transaction(connection, true, |connection| {
                query::claim_redeliverable(connection, since, repository, claimant)
            })
        })
    }

    /// Marks a pending row that will never finish (its process died) as
    /// failed with this error text; no-op for non-pending or missing rows.
    fn mark_interrupted(&self, row: i64, note: &str) -> Result<(), HistoryError> {
        self.run(|connection| query::mark_interrupted(connection, row, note))
    }

    fn reconcile(
        &self,
        repository: &str,
        findings: &[Finding],
        persist: bool,
        claimant: &Claimant,
        scope: &IncidentScope,
        due: &dyn Fn(&Tracked) -> Vec<Notice>,
    ) -> Result<Reconciliation, HistoryError> {
        self.run(|connection| {
            findings::in_transaction(connection, persist, |connection| {
                let mut reconciliation =
                    findings::reconcile(connection, repository, findings, claimant, due)?;
                reconciliation.resolves =
                    incidents::claim_resolves(connection, repository, scope, claimant)?;
                Ok(reconciliation)
            })
        })
    }

    fn settle_notices(
        &self,
        repository: &str,
        claimant: &Claimant,
        outcomes: &[NoticeOutcome],
    ) -> Result<(), HistoryError> {
        if outcomes.is_empty() {
            return Ok(());
        }
        self.run(|connection| {
            findings::in_transaction(connection, true, |connection| {
                findings::settle(connection, repository, claimant, outcomes)
            })
        })
    }

    fn settle_incidents(
        &self,
        claimant: &Claimant,
        opened: &[Incident],
        resolves: &[ResolveOutcome],
    ) -> Result<(), HistoryError> {
        if opened.is_empty() && resolves.is_empty() {
            return Ok(());
        }
        self.run(|connection| {
            findings::in_transaction(connection, true, |connection| {
                incidents::settle(connection, claimant, opened, resolves)
            })
        })
    }

    fn export_incidents(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<ExportedIncident>, HistoryError> {
        self.run(|connection| incidents::export(connection, after, limit))
    }

    fn import_incidents(&self, incidents: &[ExportedIncident]) -> Result<usize, HistoryError> {
        self.run(|connection| {
            findings::in_transaction(connection, true, |connection| {
                incidents::import(connection, incidents)
            })
        })
    }

    fn findings(&self, filter: &FindingFilter) -> Result<Vec<FindingRecord>, HistoryError> {
        self.run(|connection| findings::list(connection, filter))
    }

    fn export_deliveries(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<ExportedDelivery>, HistoryError> {
        self.run(|connection| copy::export_deliveries(connection, after, limit))
    }

    fn import_delivery(
        &self,
        delivery: &ExportedDelivery,
        redelivery_of: Option<i64>,
    ) -> Result<Imported, HistoryError> {
        self.run(|connection| copy::import_delivery(connection, delivery, redelivery_of))
    }

    fn export_findings(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<ExportedFinding>, HistoryError> {
        self.run(|connection| copy::export_findings(connection, after, limit))
    }

    fn import_findings(&self, findings: &[ExportedFinding]) -> Result<usize, HistoryError> {
        self.run(|connection| copy::import_findings(connection, findings))
    }
}

/// Retries an operation that failed with `SQLITE_BUSY`/`SQLITE_LOCKED`.
/// Every caller's operation is a single statement or a transaction that was
/// rolled back on failure, so running it again cannot write anything twice.
fn retry_when_busy<T>(mut operation: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let deadline = Instant::now() + BUSY_RETRY_BUDGET;
    let mut pause = Duration::from_millis(2);
    loop {
        match operation() {
            Err(error) if is_busy(&error) && Instant::now() < deadline => {
                thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            outcome => return outcome,
        }
    }
}

fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

/// Turns a SQLite error into a history error that names the file.
fn classify(path: &Path, error: rusqlite::Error) -> HistoryError {
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => HistoryError::Corrupt {
            path: path.to_path_buf(),
            reason: error.to_string(),
        },
        _ => HistoryError::Database {
            path: path.to_path_buf(),
            error,
        },
    }
}
