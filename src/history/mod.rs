//! The delivery history: every webhook delivery and each of its attempts, plus the finding
//! state of scanner reports, behind one interface ([`Store`]) that the commands use
//! whatever the backend: a SQLite file (`sqlite/`) or a PostgreSQL database (`postgres/`),
//! chosen by the [`HistoryLocation`] parsed from `--history`.
//!
//! A delivery row is written as `pending` before its first attempt, updated
//! after every attempt and finished with its final status, so a process that
//! is killed midway leaves a visible `pending` row behind (see docs/reference.md §6).

#[cfg(test)]
mod both_backends;
pub mod findings;
pub mod incidents;
pub mod location;
pub mod postgres;
pub mod sqlite;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;
use std::path::PathBuf;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Serialize, Serializer};

use crate::names::{self, Named, UnknownName};
use crate::report::Finding;
use findings::{Claimant, FindingFilter, FindingRecord, NoticeOutcome, Reconciliation, Tracked};
use incidents::{ExportedIncident, Incident, IncidentAction, IncidentScope, ResolveOutcome};
pub use location::{HistoryLocation, LocationError};
pub use sqlite::schema::LATEST_VERSION;

/// Longest response body kept per attempt; longer ones are cut and flagged.
pub const MAX_RESPONSE_BODY_BYTES: usize = 64 * 1024;

/// Rows shown by `log` when no `--limit` is given.
pub const DEFAULT_LOG_LIMIT: usize = 50;

/// Outcome of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Written before the first attempt; stays so until the delivery finishes.
    Pending,
    Delivered,
    Failed,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Pending, Status::Delivered, Status::Failed];

    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Delivered => "delivered",
            Status::Failed => "failed",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl Named for Status {
    const KIND: &'static str = "status";

    fn all() -> &'static [Status] {
        &Status::ALL
    }

    fn name(self) -> &'static str {
        self.as_str()
    }

    /// Any letter case, surrounding spaces ignored.
    fn canonical(text: &str) -> Cow<'_, str> {
        Cow::Owned(text.trim().to_ascii_lowercase())
    }
}

impl FromStr for Status {
    type Err = UnknownName;

    fn from_str(text: &str) -> Result<Status, UnknownName> {
        names::parse(text)
    }
}

/// Errors of the history. Each `Display` is a single line that already
/// includes the underlying cause, so no `source()` chain is exposed (printing
/// the chain would repeat it).
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The file exists but is not a SQLite database, or is damaged.
    #[error("history file {} is not a valid SQLite database: {reason}", path.display())]
    Corrupt { path: PathBuf, reason: String },

    /// A SQLite database that another program owns; it is left untouched.
    #[error(
        "history file {} is a SQLite database that is not a staxhook history \
         (application_id {application_id}, user_version {user_version}); it was left untouched",
        path.display()
    )]
    NotAHistory {
        path: PathBuf,
        application_id: i32,
        user_version: i64,
    },

    /// Written by a newer staxhook whose schema this binary does not know.
    #[error(
        "history file {} has schema version {found}, newer than the {supported} this staxhook \
         knows; upgrade staxhook to use it",
        path.display()
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error("cannot create the folder {} for the history file: {error}", path.display())]
    CreateFolder {
        path: PathBuf,
        error: std::io::Error,
    },

    /// `record_attempt` or `finish` named a row that does not exist.
    #[error("no delivery with id {id} in the history")]
    NotFound { id: i64 },

    #[error("history file {}: {error}", path.display())]
    Database {
        path: PathBuf,
        error: rusqlite::Error,
    },

    /// A PostgreSQL history that cannot be reached (server down, wrong password, missing
    /// database, TLS refused), or whose server failed the work. `location` is the masked
    /// URL and `reason` never holds the password.
    #[error("history {location}: {reason}")]
    Unavailable { location: String, reason: String },

    /// A PostgreSQL history written by a newer staxhook.
    #[error(
        "history {location} has schema version {found}, newer than the {supported} this \
         staxhook knows; upgrade staxhook to use it"
    )]
    NewerDatabaseSchema {
        location: String,
        found: i64,
        supported: i64,
    },

    /// A schema `staxhook` that holds tables but is not a staxhook history.
    #[error(
        "history {location}: the schema `staxhook` holds tables but no staxhook schema \
         version; it was left untouched"
    )]
    ForeignSchema { location: String },

    /// `sslrootcert` cannot be read or holds no certificate.
    #[error("history {location}: sslrootcert {}: {reason}", path.display())]
    Certificate {
        location: String,
        path: PathBuf,
        reason: String,
    },
}

impl HistoryError {
    /// True when the history could not be reached or failed the work (exit 1: the work
    /// broke), as opposed to a history that is refused as it is (exit 2: fix the input).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, HistoryError::Unavailable { .. })
    }
}

/// A delivery about to be attempted, written as `pending`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    pub delivery_id: String,
    pub created_at: Timestamp,
    pub webhook: String,
    pub channel: String,
    pub event: String,
    pub repository: String,
    pub test: bool,
    /// Already masked by the caller: the history never holds a credential URL.
    pub request_url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: String,
    /// The history row this delivery re-sends, for `redeliver`.
    pub redelivery_of: Option<i64>,
    /// A PagerDuty delivery's `event_action`; `None` for other channels.
    pub action: Option<IncidentAction>,
}

/// One HTTP attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    /// 1 for the first try.
    pub number: u32,
    pub started_at: Timestamp,
    pub duration_ms: u64,
    pub http_status: Option<u16>,
    pub error: Option<String>,
    pub response_headers: Vec<(String, String)>,
    /// At most [`MAX_RESPONSE_BODY_BYTES`]; a longer body is cut here too.
    pub response_body: String,
    pub response_truncated: bool,
}

/// The final outcome of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finish {
    pub status: Status,
    pub http_status: Option<u16>,
    pub attempts: u32,
    pub duration_ms: u64,
    pub error: Option<String>,
}

/// Which rows `log` shows. `limit` 0 shows none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFilter {
    pub webhook: Option<String>,
    pub event: Option<String>,
    pub status: Option<Status>,
    /// Only rows about this repository (`OWNER/NAME`, exact).
    pub repository: Option<String>,
    /// Only rows created at or after this time.
    pub since: Option<Timestamp>,
    pub limit: usize,
}

impl Default for LogFilter {
    fn default() -> LogFilter {
        LogFilter {
            webhook: None,
            event: None,
            status: None,
            repository: None,
            since: None,
            limit: DEFAULT_LOG_LIMIT,
        }
    }
}

/// One `log` row (docs/reference.md §6 shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliverySummary {
    pub id: i64,
    pub delivery_id: String,
    #[serde(serialize_with = "serialize_timestamp")]
    pub created_at: Timestamp,
    pub webhook: String,
    pub channel: String,
    pub event: String,
    /// A PagerDuty delivery's `event_action`; absent from the JSON for other channels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<IncidentAction>,
    pub repository: String,
    pub test: bool,
    pub status: Status,
    pub http_status: Option<u16>,
    pub attempts: u32,
    pub duration_ms: u64,
    pub error: Option<String>,
}

/// One `log show ID` object: the `log` fields plus the request and attempts.
///
/// Serialized by hand rather than derived with `#[serde(flatten)]`: the
/// summary's `attempts` count and the `attempts` array share a key, and a
/// flattened struct would write that key twice. In this shape `attempts` is
/// the array (its length is the count); `redelivery_of`, `request` and
/// `attempts` follow the `log` fields.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryDetail {
    pub summary: DeliverySummary,
    pub redelivery_of: Option<i64>,
    pub request: RequestRecord,
    pub attempts: Vec<AttemptDetail>,
}

impl Serialize for DeliveryDetail {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shape<'a> {
            id: i64,
            delivery_id: &'a str,
            #[serde(serialize_with = "serialize_timestamp")]
            created_at: &'a Timestamp,
            webhook: &'a str,
            channel: &'a str,
            event: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            action: Option<IncidentAction>,
            repository: &'a str,
            test: bool,
            status: Status,
            http_status: Option<u16>,
            duration_ms: u64,
            error: &'a Option<String>,
            redelivery_of: Option<i64>,
            request: &'a RequestRecord,
            attempts: &'a [AttemptDetail],
        }
        let summary = &self.summary;
        Shape {
            id: summary.id,
            delivery_id: &summary.delivery_id,
            created_at: &summary.created_at,
            webhook: &summary.webhook,
            channel: &summary.channel,
            event: &summary.event,
            action: summary.action,
            repository: &summary.repository,
            test: summary.test,
            status: summary.status,
            http_status: summary.http_status,
            duration_ms: summary.duration_ms,
            error: &summary.error,
            redelivery_of: self.redelivery_of,
            request: &self.request,
            attempts: &self.attempts,
        }
        .serialize(serializer)
    }
}

/// The request as recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestRecord {
    /// Masked URL.
    pub url: String,
    /// Header name to value in sent order; a repeated name has its values
    /// joined with ", " (see `raw_headers` for the exact list).
    pub headers: serde_json::Map<String, serde_json::Value>,
    /// The body parsed as JSON when it is valid JSON, else the text as a string.
    pub body: serde_json::Value,
    /// The exact body text that was sent; `redeliver` re-sends these bytes.
    #[serde(skip)]
    pub raw_body: String,
    /// The exact header list that was sent, repeated names included.
    #[serde(skip)]
    pub raw_headers: Vec<(String, String)>,
}

/// One attempt as recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttemptDetail {
    pub number: u32,
    #[serde(serialize_with = "serialize_timestamp")]
    pub started_at: Timestamp,
    pub duration_ms: u64,
    pub http_status: Option<u16>,
    pub error: Option<String>,
    pub response_headers: serde_json::Map<String, serde_json::Value>,
    pub response_body: String,
    pub response_truncated: bool,
}

/// Formats a time the way the history's JSON does: RFC 3339 in UTC with a
/// `Z` and exactly three fractional digits, e.g. `2024-05-01T12:00:00.250Z`.
pub fn format_timestamp(timestamp: Timestamp) -> String {
    format!("{timestamp:.3}")
}

pub(crate) fn serialize_timestamp<S: Serializer>(
    timestamp: &Timestamp,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&format_args!("{timestamp:.3}"))
}

/// What every history backend does. Each operation is complete on its own (its own
/// statement or transaction), so a process killed between two calls leaves a consistent
/// history behind.
pub trait Store {
    /// Where the history lives, as it may be shown (a file path; never a password).
    fn location(&self) -> String;

    /// Writes a delivery as `pending`; returns its row id.
    fn insert_pending(&self, delivery: &NewDelivery) -> Result<i64, HistoryError>;

    /// Inserts the attempt and updates the delivery's attempts, HTTP status,
    /// error and duration so far; the status stays `pending`.
    fn record_attempt(&self, row: i64, attempt: &AttemptRecord) -> Result<(), HistoryError>;

    /// Writes the final outcome of a delivery, together with the attempt that ended it when
    /// that attempt is not recorded yet: one transaction (one round trip on PostgreSQL), so
    /// the last attempt and the status never disagree, and a delivery costs a write less.
    fn finish(
        &self,
        row: i64,
        last_attempt: Option<&AttemptRecord>,
        finish: &Finish,
    ) -> Result<(), HistoryError>;

    /// `log` rows, newest first (created_at desc, id desc).
    fn list(&self, filter: &LogFilter) -> Result<Vec<DeliverySummary>, HistoryError>;

    /// One delivery with its request and attempts (in attempt order).
    fn get(&self, id: i64) -> Result<Option<DeliveryDetail>, HistoryError>;

    /// Deletes deliveries created before `cutoff` and their attempts; returns
    /// how many deliveries were deleted.
    fn prune(&self, cutoff: Timestamp) -> Result<usize, HistoryError>;

    /// Claims, for `claimant`, the rows `redeliver --failed` should send, and returns them
    /// oldest first: for each delivery_id its newest row, when that row is failed, or
    /// pending and created before `claimant.stale_before` (no live process can own it);
    /// only rows created at/after `since` and about `repository` when given; and only rows
    /// no other live run has claimed, so concurrent runs send each delivery once.
    fn claim_redeliverable(
        &self,
        since: Option<Timestamp>,
        repository: Option<&str>,
        claimant: &Claimant,
    ) -> Result<Vec<i64>, HistoryError>;

    /// Marks a pending row that will never finish (its process died) as
    /// failed with this error text; no-op for non-pending or missing rows.
    fn mark_interrupted(&self, row: i64, note: &str) -> Result<(), HistoryError>;

    /// Brings the repository's finding state up to this report in one transaction that
    /// concurrent runs of the same repository take in turn: new ones inserted, present
    /// ones refreshed (and re-opened when they had been fixed), missing open ones marked
    /// fixed. In the same transaction, each notice `due` names for a finding, not yet
    /// given and not claimed by another live run, is claimed for `claimant` and listed in
    /// [`Tracked::claimed`]; and so is the resolve of each open incident of the repository
    /// that `scope` resolves, listed in [`Reconciliation::resolves`]. With `persist` false
    /// (dry-run) the same is computed and rolled back.
    fn reconcile(
        &self,
        repository: &str,
        findings: &[Finding],
        persist: bool,
        claimant: &Claimant,
        scope: &IncidentScope,
        due: &dyn Fn(&Tracked) -> Vec<findings::Notice>,
    ) -> Result<Reconciliation, HistoryError>;

    /// Settles this run's claims: a delivered notice is used up, any other is released so
    /// the next run sends it.
    fn settle_notices(
        &self,
        repository: &str,
        claimant: &Claimant,
        outcomes: &[NoticeOutcome],
    ) -> Result<(), HistoryError>;

    /// After dispatch, in one transaction: each delivered trigger in `opened` opens its
    /// incident (or keeps it open; a digest's members add up), each delivered resolve closes
    /// its incident, and every other resolve this run claimed is released for the next run.
    fn settle_incidents(
        &self,
        claimant: &Claimant,
        opened: &[Incident],
        resolves: &[ResolveOutcome],
    ) -> Result<(), HistoryError>;

    /// `history copy`: up to `limit` incidents with a row id above `after`, lowest first.
    fn export_incidents(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<ExportedIncident>, HistoryError>;

    /// `history copy`: writes the incidents whose key (webhook, dedup_key) is not there yet,
    /// in one transaction; returns how many were written.
    fn import_incidents(&self, incidents: &[ExportedIncident]) -> Result<usize, HistoryError>;

    /// The stored findings `findings` shows.
    fn findings(&self, filter: &FindingFilter) -> Result<Vec<FindingRecord>, HistoryError>;

    /// `history copy`: up to `limit` deliveries with an id above `after`, lowest id first,
    /// each with every column and its attempts.
    fn export_deliveries(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<ExportedDelivery>, HistoryError>;

    /// `history copy`: writes one delivery and its attempts in one transaction, unless a
    /// delivery with the same delivery UUID and created time is there already, in which case
    /// only its missing attempts (by number) are added. `redelivery_of` is the row id in
    /// this history (the caller re-points it).
    fn import_delivery(
        &self,
        delivery: &ExportedDelivery,
        redelivery_of: Option<i64>,
    ) -> Result<Imported, HistoryError>;

    /// `history copy`: up to `limit` findings with a row id above `after`, lowest first.
    fn export_findings(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<ExportedFinding>, HistoryError>;

    /// `history copy`: writes the findings whose key (repository, id, package, version) is
    /// not there yet, in one transaction; returns how many were written.
    fn import_findings(&self, findings: &[ExportedFinding]) -> Result<usize, HistoryError>;
}

/// A delivery as `history copy` moves it: every column and every attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedDelivery {
    /// The row id in the history it was read from.
    pub id: i64,
    /// The columns written before the first attempt; `redelivery_of` is a row id of the
    /// history it was read from.
    pub delivery: NewDelivery,
    pub status: Status,
    pub http_status: Option<u16>,
    pub attempts: u32,
    pub duration_ms: u64,
    pub error: Option<String>,
    pub attempt_records: Vec<AttemptRecord>,
}

/// What [`Store::import_delivery`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    /// The delivery's row id in the history written to.
    pub id: i64,
    /// False when the delivery was there already.
    pub delivery_copied: bool,
    pub attempts_copied: usize,
    pub attempts_skipped: usize,
}

/// A finding row as `history copy` moves it. Times are Unix milliseconds, lists JSON text,
/// as both backends store them; claims are not copied (they belong to the runs of the
/// history they were made in).
#[derive(Debug, Clone, PartialEq)]
pub struct ExportedFinding {
    pub row: i64,
    pub repository: String,
    pub vulnerability: String,
    pub package: String,
    pub version: String,
    pub ecosystem: Option<String>,
    pub purl: Option<String>,
    pub severity: String,
    pub cvss_score: Option<f64>,
    pub fixed_version: Option<String>,
    pub title: Option<String>,
    pub url: Option<String>,
    pub aliases: String,
    pub targets: String,
    pub first_seen: i64,
    pub last_seen: i64,
    pub fixed_at: Option<i64>,
    pub notified_critical: Option<i64>,
    pub notified_kev: Option<i64>,
    pub notified_sla: Option<i64>,
    pub epss: Option<f64>,
    pub epss_percentile: Option<f64>,
    /// `None` on a row no reconcile has written since the column was added.
    pub kev: Option<bool>,
}

/// An open history, whatever its backend; every [`Store`] operation is called through it.
pub struct History {
    store: Box<dyn Store>,
}

impl History {
    /// Opens for writing, creating what is missing: the file and its parent folders, or
    /// the schema `staxhook` and its tables.
    pub fn open(location: impl Into<HistoryLocation>) -> Result<History, HistoryError> {
        Ok(match &location.into() {
            HistoryLocation::File(path) => History::from_store(sqlite::SqliteHistory::open(path)?),
            HistoryLocation::Postgres(url) => {
                History::from_store(postgres::PostgresHistory::open(url)?)
            }
        })
    }

    /// For read-only commands: Ok(None) when there is no history yet (an empty history);
    /// never creates one.
    pub fn open_existing(
        location: impl Into<HistoryLocation>,
    ) -> Result<Option<History>, HistoryError> {
        Ok(match &location.into() {
            HistoryLocation::File(path) => {
                sqlite::SqliteHistory::open_existing(path)?.map(History::from_store)
            }
            HistoryLocation::Postgres(url) => {
                postgres::PostgresHistory::open_existing(url)?.map(History::from_store)
            }
        })
    }

    /// An empty history in memory, for `--dry-run` when no history exists yet: the same
    /// schema and code, and nothing written anywhere.
    pub fn in_memory() -> Result<History, HistoryError> {
        Ok(History::from_store(sqlite::SqliteHistory::in_memory()?))
    }

    fn from_store(store: impl Store + 'static) -> History {
        History {
            store: Box::new(store),
        }
    }
}

impl std::fmt::Debug for History {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("History")
            .field("location", &self.location())
            .finish()
    }
}

impl Deref for History {
    type Target = dyn Store;

    fn deref(&self) -> &(dyn Store + 'static) {
        self.store.as_ref()
    }
}
