//! Schema of the delivery history file: the ordered list of migrations and the
//! connection setup (WAL, pragmas, forward migration) done on every open.

use rusqlite::{Connection, Transaction, TransactionBehavior};

/// Written into the SQLite header (`PRAGMA application_id`) so that a staxhook
/// history can be told apart from any other SQLite file: only files that carry
/// this id, or that are completely empty, are ever migrated or written.
/// The bytes spell "STHX".
pub const APPLICATION_ID: i32 = 0x5354_4858;

/// One forward step of the schema. Step N of [`MIGRATIONS`] (counting from 1)
/// brings a file to `PRAGMA user_version = N`.
pub struct Migration {
    /// What the step adds, for readers of this file and for debugging.
    pub description: &'static str,
    /// SQL run inside the migration transaction; may hold several statements.
    pub sql: &'static str,
}

/// Every schema step ever shipped, oldest first. Files on disk record how many
/// of them they have had applied, so a step must never be edited or removed
/// once released: to change the schema, append a new step.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        description: "deliveries, their attempts and the indexes used by `log` and `redeliver`",
        sql: VERSION_1,
    },
    Migration {
        description: "finding state per repository for `emit --report` and `findings`",
        sql: VERSION_2,
    },
    Migration {
        description:
            "claims: which run is sending a once-only notice or a redelivery, and since when",
        sql: VERSION_3,
    },
    Migration {
        description: "an index for `log --repo` and `redeliver --failed --repo`",
        sql: VERSION_4,
    },
    Migration {
        description: "PagerDuty incidents a webhook opened, and each delivery's event action",
        sql: VERSION_5,
    },
    Migration {
        description: "each finding's EPSS scores and KEV membership, for `findings --sort risk`",
        sql: VERSION_6,
    },
    Migration {
        description: "nothing on SQLite: the step where PostgreSQL's `deliveries` indexes and \
                      `attempts` foreign key changed (cheaper statements for a fresh session, \
                      which a SQLite file never is)",
        sql: "",
    },
];

/// What the last reconcile knew of a finding's exploitation: its EPSS score and percentile
/// (NULL without EPSS data) and whether it is in the KEV catalog (0/1; NULL on a row no
/// reconcile has written since, read as 0).
const VERSION_6: &str = "
ALTER TABLE findings ADD COLUMN epss REAL;
ALTER TABLE findings ADD COLUMN epss_percentile REAL;
ALTER TABLE findings ADD COLUMN kev INTEGER CHECK (kev IN (0, 1));
";

/// An incident is remembered once its trigger was delivered, per webhook (a webhook added
/// later never gets a resolve for an incident it did not open): what it is about
/// (`subject`, JSON: a finding's key, a policy, or a digest's members), when it was opened,
/// and its resolve as a once-only notice (`resolved_at` given, `claimed_*` the run sending
/// it). `deliveries.action` is a PagerDuty delivery's `event_action`; older rows have none
/// and were triggers.
const VERSION_5: &str = "
CREATE TABLE incidents (
    id          INTEGER PRIMARY KEY,
    webhook     TEXT    NOT NULL,
    repository  TEXT    NOT NULL,
    dedup_key   TEXT    NOT NULL,
    event       TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    opened_at   INTEGER NOT NULL,
    resolved_at INTEGER,
    claimed_by  TEXT,
    claimed_at  INTEGER,
    UNIQUE (webhook, dedup_key)
);
CREATE INDEX incidents_by_repository ON incidents (repository, resolved_at);
ALTER TABLE deliveries ADD COLUMN action TEXT;
";

/// `log --repo` lists one repository's rows newest first: walking this index backwards
/// (the rowid, `id`, ends every index) stops after LIMIT rows instead of sorting them all.
const VERSION_4: &str = "
CREATE INDEX deliveries_by_repository ON deliveries (repository, created_at);
";

/// A once-only notice (or a failed delivery that `redeliver --failed` takes) is claimed by
/// the run that will send it: `*_by` is that run's id, `*_at` when (unix milliseconds). A
/// claim older than the longest a delivery can take belongs to a run that died.
const VERSION_3: &str = "
ALTER TABLE findings ADD COLUMN claimed_critical_by TEXT;
ALTER TABLE findings ADD COLUMN claimed_critical_at INTEGER;
ALTER TABLE findings ADD COLUMN claimed_kev_by TEXT;
ALTER TABLE findings ADD COLUMN claimed_kev_at INTEGER;
ALTER TABLE findings ADD COLUMN claimed_sla_by TEXT;
ALTER TABLE findings ADD COLUMN claimed_sla_at INTEGER;
ALTER TABLE deliveries ADD COLUMN claimed_by TEXT;
ALTER TABLE deliveries ADD COLUMN claimed_at INTEGER;
";

/// Findings seen in scanner reports, one row per repository + vulnerability + package +
/// version; times are unix milliseconds; `notified_*` record when that event was sent.
const VERSION_2: &str = "
CREATE TABLE findings (
    id                INTEGER PRIMARY KEY,
    repository        TEXT    NOT NULL,
    vulnerability     TEXT    NOT NULL,
    package           TEXT    NOT NULL,
    version           TEXT    NOT NULL,
    ecosystem         TEXT,
    purl              TEXT,
    severity          TEXT    NOT NULL,
    cvss_score        REAL,
    fixed_version     TEXT,
    title             TEXT,
    url               TEXT,
    aliases           TEXT    NOT NULL DEFAULT '[]',
    targets           TEXT    NOT NULL DEFAULT '[]',
    first_seen        INTEGER NOT NULL,
    last_seen         INTEGER NOT NULL,
    fixed_at          INTEGER,
    notified_critical INTEGER,
    notified_kev      INTEGER,
    notified_sla      INTEGER,
    UNIQUE (repository, vulnerability, package, version)
);
CREATE INDEX findings_by_repository ON findings (repository, fixed_at);
";

/// The schema version this binary writes and understands.
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

/// Times are unix milliseconds (INTEGER); header lists are JSON arrays of
/// `[name, value]` pairs so that their order and repeated names survive.
const VERSION_1: &str = "
CREATE TABLE deliveries (
    -- AUTOINCREMENT so an id a user saw in `log` is never reused for another
    -- delivery after older rows have been pruned.
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id     TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    webhook         TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    event           TEXT    NOT NULL,
    repository      TEXT    NOT NULL,
    test            INTEGER NOT NULL CHECK (test IN (0, 1)),
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    http_status     INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    duration_ms     INTEGER NOT NULL DEFAULT 0,
    error           TEXT,
    request_url     TEXT    NOT NULL,
    request_headers TEXT    NOT NULL,
    request_body    TEXT    NOT NULL,
    -- Not a foreign key on purpose: the original row may be pruned before its
    -- redelivery, and the id is still worth showing.
    redelivery_of   INTEGER
);

CREATE TABLE attempts (
    id                 INTEGER PRIMARY KEY,
    delivery           INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    number             INTEGER NOT NULL,
    started_at         INTEGER NOT NULL,
    duration_ms        INTEGER NOT NULL,
    http_status        INTEGER,
    error              TEXT,
    response_headers   TEXT    NOT NULL,
    response_body      TEXT    NOT NULL,
    response_truncated INTEGER NOT NULL CHECK (response_truncated IN (0, 1)),
    UNIQUE (delivery, number)
);

-- `log` lists newest first with LIMIT; each index ends in created_at (and,
-- implicitly, the rowid id) so every filter combination can walk an index
-- backwards and stop after LIMIT rows instead of scanning and sorting.
CREATE INDEX deliveries_by_created_at ON deliveries (created_at);
CREATE INDEX deliveries_by_webhook ON deliveries (webhook, created_at);
CREATE INDEX deliveries_by_webhook_event ON deliveries (webhook, event, created_at);
CREATE INDEX deliveries_by_event ON deliveries (event, created_at);
CREATE INDEX deliveries_by_status ON deliveries (status, created_at);
-- `redeliver --failed` looks for the newest row of each delivery UUID.
CREATE INDEX deliveries_by_delivery_id ON deliveries (delivery_id, created_at);
";

/// What was found in a file before touching it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FileState {
    /// A brand-new or zero-length file: no schema objects, no ids set.
    Fresh,
    /// A staxhook history at this schema version.
    Staxhook { version: i64 },
    /// A SQLite database that some other program owns.
    Foreign {
        application_id: i32,
        user_version: i64,
    },
}

/// Why a file was left alone instead of being opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refusal {
    Foreign {
        application_id: i32,
        user_version: i64,
    },
    Newer {
        version: i64,
    },
}

/// Reads what kind of file this is without writing anything.
pub(super) fn inspect(connection: &Connection) -> rusqlite::Result<FileState> {
    // One statement, hence one snapshot: read separately, another process's
    // migration could commit between the reads and make a half-read file look
    // foreign. Reading the schema table also makes SQLite parse the file
    // header, so a file that is not a database fails here, before anything
    // could write to it.
    let (objects, application_id, user_version): (i64, i32, i64) = connection.query_row(
        "SELECT (SELECT count(*) FROM sqlite_master), \
                (SELECT application_id FROM pragma_application_id), \
                (SELECT user_version FROM pragma_user_version)",
        [],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    Ok(if application_id == APPLICATION_ID {
        FileState::Staxhook {
            version: user_version,
        }
    } else if application_id == 0 && user_version == 0 && objects == 0 {
        FileState::Fresh
    } else {
        FileState::Foreign {
            application_id,
            user_version,
        }
    })
}

fn refusal(state: FileState) -> Option<Refusal> {
    match state {
        FileState::Fresh => None,
        FileState::Staxhook { version } if version <= LATEST_VERSION => None,
        FileState::Staxhook { version } => Some(Refusal::Newer { version }),
        FileState::Foreign {
            application_id,
            user_version,
        } => Some(Refusal::Foreign {
            application_id,
            user_version,
        }),
    }
}

/// Checks the file, then switches it to WAL, sets the per-connection pragmas
/// and migrates it forward. Safe to call again after a `SQLITE_BUSY`: every
/// step is idempotent or transactional.
pub(super) fn prepare(connection: &Connection) -> rusqlite::Result<Result<(), Refusal>> {
    let state = inspect(connection)?;
    if let Some(refused) = refusal(state) {
        return Ok(Err(refused));
    }
    // A history the user can only read (say, owned by a CI service account) is
    // still readable; switching its journal mode would fail for no benefit.
    if !connection.is_readonly(rusqlite::MAIN_DB)? {
        connection
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))?;
    }
    // NORMAL is durable across process crashes in WAL mode and avoids an
    // fsync per delivery; losing the last rows on power loss is acceptable.
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "foreign_keys", true)?;
    let needs_migration = match state {
        FileState::Fresh => true,
        FileState::Staxhook { version } => version < LATEST_VERSION,
        FileState::Foreign { .. } => false,
    };
    if needs_migration {
        return migrate(connection);
    }
    Ok(Ok(()))
}

/// Applies the missing steps of [`MIGRATIONS`] in one write transaction.
fn migrate(connection: &Connection) -> rusqlite::Result<Result<(), Refusal>> {
    // IMMEDIATE takes the write lock up front (waiting through the busy
    // timeout); a deferred transaction upgrading later could fail at once.
    let transaction = Transaction::new_unchecked(connection, TransactionBehavior::Immediate)?;
    // Another process may have migrated the file since `inspect` ran outside
    // this transaction, so decide again now that we hold the write lock.
    let state = inspect(&transaction)?;
    if let Some(refused) = refusal(state) {
        return Ok(Err(refused));
    }
    let current = match state {
        FileState::Staxhook { version } => version,
        FileState::Fresh | FileState::Foreign { .. } => 0,
    };
    if current == 0 {
        transaction.pragma_update(None, "application_id", APPLICATION_ID)?;
    }
    for (index, migration) in MIGRATIONS.iter().enumerate() {
        let version = index as i64 + 1;
        if version <= current {
            continue;
        }
        transaction.execute_batch(migration.sql)?;
        transaction.pragma_update(None, "user_version", version)?;
    }
    transaction.commit()?;
    Ok(Ok(()))
}
