//! Schema of a PostgreSQL history: the tables of the SQLite history (same columns, same
//! meaning) in the schema `staxhook`, the ordered list of migrations, and the forward
//! migration run on first use. Many runners may open an empty database at once: each takes
//! one transaction-scoped advisory lock, so exactly one applies the migrations and the others
//! find them applied when they get the lock.

use tokio_postgres::{Client, GenericClient};

/// The advisory lock key that serialises migrations; "STHXmigr" as a number, so that it
/// cannot collide with the per-repository keys, which are hashes of `staxhook:<repository>`.
const MIGRATION_LOCK: i64 = 0x5354_4858_6d69_6772;

/// One forward step; step N (counting from 1) brings the schema to version N.
pub struct Migration {
    pub description: &'static str,
    pub sql: &'static str,
}

/// Every step ever shipped, oldest first; a released step is never edited, only appended to.
/// They mirror the SQLite steps one for one, so both backends share [`LATEST_VERSION`].
///
/// [`LATEST_VERSION`]: crate::history::LATEST_VERSION
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
        description: "PagerDuty incidents a webhook opened, each delivery's event action, and \
                      room in each page of `findings` for rewriting its rows in place",
        sql: VERSION_5,
    },
    Migration {
        description: "each finding's EPSS scores and KEV membership, for `findings --sort risk`",
        sql: VERSION_6,
    },
    Migration {
        description: "indexes of `deliveries` that end with the time, not the row id, and no \
                      foreign key from `attempts`: cheaper statements in a fresh session",
        sql: VERSION_7,
    },
];

/// Every run is a new server session, which plans each statement with cold caches, and a
/// statement that picks a delivery by `id` (the update that finishes it, the foreign key's
/// check behind each attempt) was costed against all eight indexes of `deliveries`, since
/// each ended with `id`. The seven secondary indexes now end with `created_at`: `log`'s
/// ties within one millisecond are put in order by an incremental sort of those few rows.
/// The foreign key from `attempts` ran such a check, planned afresh in each session, for
/// every attempt written; an attempt is only ever written by a statement that first updates
/// its delivery's row, and prune deletes a delivery's attempts with it (`query::prune`).
/// Rebuilding the indexes takes a few seconds on a million rows, under the migration lock.
const VERSION_7: &str = "
ALTER TABLE staxhook.attempts DROP CONSTRAINT attempts_delivery_fkey;
DROP INDEX staxhook.deliveries_by_created_at;
CREATE INDEX deliveries_by_created_at ON staxhook.deliveries (created_at);
DROP INDEX staxhook.deliveries_by_webhook;
CREATE INDEX deliveries_by_webhook ON staxhook.deliveries (webhook, created_at);
DROP INDEX staxhook.deliveries_by_webhook_event;
CREATE INDEX deliveries_by_webhook_event ON staxhook.deliveries (webhook, event, created_at);
DROP INDEX staxhook.deliveries_by_event;
CREATE INDEX deliveries_by_event ON staxhook.deliveries (event, created_at);
DROP INDEX staxhook.deliveries_by_status;
CREATE INDEX deliveries_by_status ON staxhook.deliveries (status, created_at);
DROP INDEX staxhook.deliveries_by_repository;
CREATE INDEX deliveries_by_repository ON staxhook.deliveries (repository, created_at);
DROP INDEX staxhook.deliveries_by_delivery_id;
CREATE INDEX deliveries_by_delivery_id ON staxhook.deliveries (delivery_id, created_at);
";

/// What the last reconcile knew of a finding's exploitation: its EPSS score and percentile
/// (NULL without EPSS data) and whether it is in the KEV catalog (NULL on a row no
/// reconcile has written since, read as false).
const VERSION_6: &str = "
ALTER TABLE staxhook.findings ADD COLUMN epss DOUBLE PRECISION;
ALTER TABLE staxhook.findings ADD COLUMN epss_percentile DOUBLE PRECISION;
ALTER TABLE staxhook.findings ADD COLUMN kev BOOLEAN;
";

/// As in the SQLite file: an incident is remembered once its trigger was delivered, per
/// webhook, with what it is about (`subject`, JSON), when it was opened, and its resolve as a
/// once-only notice; `deliveries.action` is a PagerDuty delivery's `event_action` (older
/// rows have none and were triggers).
///
/// PostgreSQL only: every reconcile rewrites each open finding of the repository
/// (`last_seen`, the report's values, claims). In full pages each new row version goes to
/// another page and every index of the table gets a new entry; with half of each page free
/// it goes beside the old one and the indexes are left alone (a heap-only update), since no
/// indexed column changes. For a second reconcile of a 50,000-finding report, the rewrite
/// took 1.9 s instead of 5.2 s on the same busy machine. The fill factor applies to pages
/// written from now on.
const VERSION_5: &str = "
CREATE TABLE staxhook.incidents (
    id          BIGINT  GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    webhook     TEXT    NOT NULL,
    repository  TEXT    NOT NULL,
    dedup_key   TEXT    NOT NULL,
    event       TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    opened_at   BIGINT  NOT NULL,
    resolved_at BIGINT,
    claimed_by  TEXT,
    claimed_at  BIGINT,
    UNIQUE (webhook, dedup_key)
);
CREATE INDEX incidents_by_repository ON staxhook.incidents (repository, resolved_at);
ALTER TABLE staxhook.deliveries ADD COLUMN action TEXT;
ALTER TABLE staxhook.findings SET (fillfactor = 50);
";

/// `log --repo` lists one repository's rows newest first: like the other `log` indexes it
/// ends in created_at and id, so it is walked backwards and stops after LIMIT rows.
const VERSION_4: &str = "
CREATE INDEX deliveries_by_repository ON staxhook.deliveries (repository, created_at, id);
";

/// A once-only notice (or a failed delivery that `redeliver --failed` takes) is claimed by
/// the run that will send it: `*_by` is that run's id, `*_at` when (Unix milliseconds). A
/// claim older than the longest a delivery can take belongs to a run that died.
const VERSION_3: &str = "
ALTER TABLE staxhook.findings ADD COLUMN claimed_critical_by TEXT;
ALTER TABLE staxhook.findings ADD COLUMN claimed_critical_at BIGINT;
ALTER TABLE staxhook.findings ADD COLUMN claimed_kev_by TEXT;
ALTER TABLE staxhook.findings ADD COLUMN claimed_kev_at BIGINT;
ALTER TABLE staxhook.findings ADD COLUMN claimed_sla_by TEXT;
ALTER TABLE staxhook.findings ADD COLUMN claimed_sla_at BIGINT;
ALTER TABLE staxhook.deliveries ADD COLUMN claimed_by TEXT;
ALTER TABLE staxhook.deliveries ADD COLUMN claimed_at BIGINT;
";

/// Times are Unix milliseconds (BIGINT); header lists are JSON arrays of `[name, value]`
/// pairs (TEXT) so their order and repeated names survive, as in the SQLite file.
const VERSION_1: &str = "
CREATE TABLE staxhook.deliveries (
    -- An identity, so an id a user saw in `log` is never reused after pruning.
    id              BIGINT  GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    delivery_id     TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    webhook         TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    event           TEXT    NOT NULL,
    repository      TEXT    NOT NULL,
    test            BOOLEAN NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    http_status     INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    duration_ms     BIGINT  NOT NULL DEFAULT 0,
    error           TEXT,
    request_url     TEXT    NOT NULL,
    request_headers TEXT    NOT NULL,
    request_body    TEXT    NOT NULL,
    -- Not a foreign key on purpose: the original row may be pruned before its redelivery.
    redelivery_of   BIGINT
);

CREATE TABLE staxhook.attempts (
    id                 BIGINT  GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    delivery           BIGINT  NOT NULL REFERENCES staxhook.deliveries (id) ON DELETE CASCADE,
    number             INTEGER NOT NULL,
    started_at         BIGINT  NOT NULL,
    duration_ms        BIGINT  NOT NULL,
    http_status        INTEGER,
    error              TEXT,
    response_headers   TEXT    NOT NULL,
    response_body      TEXT    NOT NULL,
    response_truncated BOOLEAN NOT NULL,
    UNIQUE (delivery, number)
);

-- `log` lists newest first (created_at, then id) with LIMIT: each index ends in both, so
-- every filter combination walks an index backwards and stops after LIMIT rows.
CREATE INDEX deliveries_by_created_at ON staxhook.deliveries (created_at, id);
CREATE INDEX deliveries_by_webhook ON staxhook.deliveries (webhook, created_at, id);
CREATE INDEX deliveries_by_webhook_event ON staxhook.deliveries (webhook, event, created_at, id);
CREATE INDEX deliveries_by_event ON staxhook.deliveries (event, created_at, id);
CREATE INDEX deliveries_by_status ON staxhook.deliveries (status, created_at, id);
-- `redeliver --failed` looks for the newest row of each delivery UUID.
CREATE INDEX deliveries_by_delivery_id ON staxhook.deliveries (delivery_id, created_at, id);
";

/// Findings per repository + vulnerability + package + version; `notified_*` record when
/// that notice was sent (Unix milliseconds).
const VERSION_2: &str = "
CREATE TABLE staxhook.findings (
    id                BIGINT  GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    repository        TEXT    NOT NULL,
    vulnerability     TEXT    NOT NULL,
    package           TEXT    NOT NULL,
    version           TEXT    NOT NULL,
    ecosystem         TEXT,
    purl              TEXT,
    severity          TEXT    NOT NULL,
    cvss_score        DOUBLE PRECISION,
    fixed_version     TEXT,
    title             TEXT,
    url               TEXT,
    aliases           TEXT    NOT NULL DEFAULT '[]',
    targets           TEXT    NOT NULL DEFAULT '[]',
    first_seen        BIGINT  NOT NULL,
    last_seen         BIGINT  NOT NULL,
    fixed_at          BIGINT,
    notified_critical BIGINT,
    notified_kev      BIGINT,
    notified_sla      BIGINT,
    UNIQUE (repository, vulnerability, package, version)
);
CREATE INDEX findings_by_repository ON staxhook.findings (repository, fixed_at);
";

/// The schema version this binary writes and understands.
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

/// What was found in the database before touching it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    /// No schema `staxhook`, or an empty one: nothing is there yet.
    Fresh,
    /// A staxhook history at this version.
    Staxhook { version: i64 },
    /// A schema `staxhook` with tables but no version: someone else's.
    Foreign,
}

/// Reads the state in one statement (one snapshot), writing nothing.
pub(super) async fn inspect(
    client: &(impl GenericClient + Sync),
) -> Result<State, tokio_postgres::Error> {
    // `*_typed`: parsed, bound and run in one round trip, without a separate prepare.
    let row = client
        .query_typed_one(
            "SELECT to_regclass('staxhook.schema_version') IS NOT NULL, \
                    (SELECT count(*) FROM pg_catalog.pg_class AS class \
                       JOIN pg_catalog.pg_namespace AS namespace ON namespace.oid = class.relnamespace \
                      WHERE namespace.nspname = 'staxhook')",
            &[],
        )
        .await?;
    let versioned: bool = row.get(0);
    let objects: i64 = row.get(1);
    if versioned {
        let version: i64 = client
            .query_typed_opt("SELECT version FROM staxhook.schema_version", &[])
            .await?
            .map_or(0, |row| row.get(0));
        return Ok(State::Staxhook { version });
    }
    Ok(if objects == 0 {
        State::Fresh
    } else {
        State::Foreign
    })
}

/// Why the database was left alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refusal {
    Foreign,
    Newer { version: i64 },
}

fn refusal(state: State) -> Option<Refusal> {
    match state {
        State::Foreign => Some(Refusal::Foreign),
        State::Staxhook { version } if version > LATEST_VERSION => Some(Refusal::Newer { version }),
        State::Fresh | State::Staxhook { .. } => None,
    }
}

/// What opening found, after migrating when that was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Prepared {
    Ready,
    /// `create` was false and there is no history yet.
    Missing,
    Refused(Refusal),
}

/// Checks the database and brings the schema up to [`LATEST_VERSION`]. A database without a
/// history is created only when `create` is true (sending commands); read-only commands get
/// [`Prepared::Missing`] and change nothing. Up to date is the common case and takes one
/// read, no lock.
pub(super) async fn prepare(
    client: &mut Client,
    create: bool,
) -> Result<Prepared, tokio_postgres::Error> {
    // The common case, a history at this version, in one statement on one small table: a
    // fresh connection pays for every catalog it reads, and this runs once per process. A
    // missing table (an empty database) is an error here, and the full inspection follows;
    // outside a transaction that error leaves the connection as it was.
    if let Ok(Some(row)) = client
        .query_typed_opt("SELECT version FROM staxhook.schema_version", &[])
        .await
    {
        if row
            .try_get::<_, i64>(0)
            .is_ok_and(|version| version == LATEST_VERSION)
        {
            return Ok(Prepared::Ready);
        }
    }
    let state = inspect(&*client).await?;
    if let Some(refused) = refusal(state) {
        return Ok(Prepared::Refused(refused));
    }
    match state {
        State::Staxhook { version } if version == LATEST_VERSION => return Ok(Prepared::Ready),
        State::Fresh if !create => return Ok(Prepared::Missing),
        _ => {}
    }
    let transaction = client.transaction().await?;
    // Held until commit or rollback: parallel openers wait here, then see the work done.
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let state = inspect(&transaction).await?;
    if let Some(refused) = refusal(state) {
        return Ok(Prepared::Refused(refused));
    }
    let current = match state {
        State::Staxhook { version } => version,
        State::Fresh if !create => return Ok(Prepared::Missing),
        State::Fresh | State::Foreign => 0,
    };
    if current == 0 {
        // CREATE SCHEMA needs CREATE on the database even with IF NOT EXISTS, so a schema the
        // administrator created (and gave to this user) is used as it is.
        let exists = transaction
            .query_opt(
                "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'staxhook'",
                &[],
            )
            .await?
            .is_some();
        if !exists {
            transaction.batch_execute("CREATE SCHEMA staxhook").await?;
        }
        transaction
            .batch_execute(
                "CREATE TABLE staxhook.schema_version (
                     version BIGINT NOT NULL,
                     -- One row only.
                     single  BOOLEAN PRIMARY KEY DEFAULT true CHECK (single)
                 );
                 INSERT INTO staxhook.schema_version (version) VALUES (0);",
            )
            .await?;
    }
    for (index, migration) in MIGRATIONS.iter().enumerate() {
        let version = index as i64 + 1;
        if version <= current {
            continue;
        }
        transaction.batch_execute(migration.sql).await?;
        transaction
            .execute(
                "UPDATE staxhook.schema_version SET version = $1",
                &[&version],
            )
            .await?;
    }
    transaction.commit().await?;
    Ok(Prepared::Ready)
}
