//! The SQL behind each delivery operation on PostgreSQL, and the conversions between rows
//! and the history's Rust types. The statements match the SQLite ones (`sqlite/query.rs`)
//! in meaning and order, so both backends answer alike.
//!
//! The statements every delivery runs (pending row, attempt, finish, prune) go through the
//! driver's `*_typed` calls: with the parameter types given, the statement is parsed, bound
//! and run in one round trip, where a plain `query` first prepares it and waits for the
//! server's description: twice the round trips for a statement that runs once.

use std::borrow::Cow;

use jiff::Timestamp;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, IsolationLevel, Row, Statement};

use crate::history::findings::Claimant;
use crate::history::incidents::IncidentAction;
use crate::history::sqlite::query::headers_to_map;
use crate::history::{
    AttemptDetail, AttemptRecord, DeliveryDetail, DeliverySummary, Finish, LogFilter, NewDelivery,
    RequestRecord, Status, MAX_RESPONSE_BODY_BYTES,
};

/// Rows deleted per prune statement, so pruning a long-neglected history never holds
/// locks long enough to stall other runners.
const PRUNE_BATCH: i64 = 1000;

/// Columns read into a [`DeliverySummary`] by [`summary_from_row`], in order.
const SUMMARY_COLUMNS: &str = "id, delivery_id, created_at, webhook, channel, event, repository, \
                               test, status, http_status, attempts, duration_ms, error, action";

/// A parameter list for statements built at run time.
pub(in crate::history) type Parameters = Vec<Box<dyn ToSql + Sync + Send>>;

pub(in crate::history) fn borrowed(parameters: &Parameters) -> Vec<&(dyn ToSql + Sync)> {
    parameters
        .iter()
        .map(|parameter| parameter.as_ref() as &(dyn ToSql + Sync))
        .collect()
}

/// PostgreSQL text cannot hold the NUL character, which SQLite's can; a NUL (only ever seen
/// in a response body or a report's free text) is stored as U+FFFD, like other bytes that
/// do not survive lossy UTF-8 decoding.
pub(super) fn text(value: &str) -> Cow<'_, str> {
    if value.contains('\0') {
        Cow::Owned(value.replace('\0', "\u{FFFD}"))
    } else {
        Cow::Borrowed(value)
    }
}

pub(super) fn optional_text(value: &Option<String>) -> Option<String> {
    value.as_deref().map(|value| text(value).into_owned())
}

/// Durations are u64 in Rust but BIGINT in PostgreSQL; no real delivery comes near the
/// limit, so saturating is simpler than failing.
fn saturating_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn small(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

pub(super) fn timestamp(milliseconds: i64) -> Timestamp {
    Timestamp::from_millisecond(milliseconds).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn headers_to_text(headers: &[(String, String)]) -> String {
    let cleaned: Vec<(Cow<'_, str>, Cow<'_, str>)> = headers
        .iter()
        .map(|(name, value)| (text(name), text(value)))
        .collect();
    serde_json::to_string(&cleaned).unwrap_or_else(|_| "[]".into())
}

fn headers_from_text(stored: &str) -> Vec<(String, String)> {
    serde_json::from_str(stored).unwrap_or_default()
}

/// The longest prefix of `text` that fits in `limit` bytes without splitting a character.
fn truncate_at_char_boundary(text: &str, limit: usize) -> &str {
    if text.len() <= limit {
        return text;
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn summary_from_row(row: &Row) -> Result<DeliverySummary, tokio_postgres::Error> {
    let status: String = row.try_get(8)?;
    let channel: String = row.try_get(4)?;
    let action = IncidentAction::of_row(&channel, row.try_get::<_, Option<&str>>(13)?);
    Ok(DeliverySummary {
        id: row.try_get(0)?,
        delivery_id: row.try_get(1)?,
        created_at: timestamp(row.try_get(2)?),
        webhook: row.try_get(3)?,
        channel,
        event: row.try_get(5)?,
        action,
        repository: row.try_get(6)?,
        test: row.try_get(7)?,
        // The CHECK constraint admits only the three names.
        status: status.parse().unwrap_or(Status::Failed),
        http_status: row
            .try_get::<_, Option<i32>>(9)?
            .and_then(|status| u16::try_from(status).ok()),
        attempts: u32::try_from(row.try_get::<_, i32>(10)?).unwrap_or(0),
        duration_ms: u64::try_from(row.try_get::<_, i64>(11)?).unwrap_or(0),
        error: row.try_get(12)?,
    })
}

/// Runs `work` (one statement) in a transaction of its own that commits without waiting
/// for the server to flush its write-ahead log to disk (`synchronous_commit = off` for this
/// transaction only). Used for the rows of a delivery: its pending row, its attempts and its
/// final status. A flush per write was most of an `emit`'s cost on PostgreSQL, and this is
/// the durability the SQLite history has too (WAL with `synchronous = NORMAL`): a runner
/// that dies loses nothing, since the commit is on the server already; only a crash of the
/// database server itself can lose its last fraction of a second of writes (never tear a
/// row). Then the run finds the history gone at its next write and exits 1, so nothing is
/// sent unrecorded without saying so. Claims and finding state (reconcile, settle,
/// `redeliver`'s claims) keep the server's own setting: losing one of those could let two
/// runs send the same notice (docs/reference.md §10).
///
/// The three parts go out together, in one round trip: the driver sends each request when
/// it is first polled, and `join!` polls in order; a COMMIT after a failed statement rolls
/// the transaction back, so the connection is never left inside it.
async fn without_waiting_for_flush<T>(
    client: &Client,
    work: impl std::future::Future<Output = Result<T, tokio_postgres::Error>>,
) -> Result<T, tokio_postgres::Error> {
    let (begun, done, committed) = futures::join!(
        client.batch_execute("BEGIN; SET LOCAL synchronous_commit = off"),
        work,
        client.batch_execute("COMMIT"),
    );
    begun?;
    let value = done?;
    committed?;
    Ok(value)
}

pub(super) async fn insert_pending(
    client: &Client,
    delivery: &NewDelivery,
) -> Result<i64, tokio_postgres::Error> {
    let row = without_waiting_for_flush(
        client,
        client.query_typed_one(
            "INSERT INTO staxhook.deliveries (delivery_id, created_at, webhook, channel, event, \
             repository, test, status, request_url, request_headers, request_body, redelivery_of, \
             action) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10, $11, $12) \
             RETURNING id",
            &[
                (&text(&delivery.delivery_id), Type::TEXT),
                (&delivery.created_at.as_millisecond(), Type::INT8),
                (&text(&delivery.webhook), Type::TEXT),
                (&text(&delivery.channel), Type::TEXT),
                (&text(&delivery.event), Type::TEXT),
                (&text(&delivery.repository), Type::TEXT),
                (&delivery.test, Type::BOOL),
                (&text(&delivery.request_url), Type::TEXT),
                (&headers_to_text(&delivery.request_headers), Type::TEXT),
                (&text(&delivery.request_body), Type::TEXT),
                (&delivery.redelivery_of, Type::INT8),
                (&delivery.action.map(IncidentAction::as_str), Type::TEXT),
            ],
        ),
    )
    .await?;
    row.try_get(0)
}

/// An attempt's columns as the `attempts` table takes them.
struct AttemptColumns {
    number: i32,
    started_at: i64,
    duration_ms: i64,
    /// When the attempt ended, for the delivery's duration so far.
    ended_at: i64,
    http_status: Option<i32>,
    error: Option<String>,
    response_headers: String,
    response_body: String,
    response_truncated: bool,
}

impl AttemptColumns {
    fn of(attempt: &AttemptRecord) -> AttemptColumns {
        let body = truncate_at_char_boundary(&attempt.response_body, MAX_RESPONSE_BODY_BYTES);
        let started_at = attempt.started_at.as_millisecond();
        let duration_ms = saturating_i64(attempt.duration_ms);
        AttemptColumns {
            number: small(attempt.number),
            started_at,
            duration_ms,
            ended_at: started_at.saturating_add(duration_ms),
            http_status: attempt.http_status.map(i32::from),
            error: optional_text(&attempt.error),
            response_headers: headers_to_text(&attempt.response_headers),
            response_body: text(body).into_owned(),
            response_truncated: attempt.response_truncated
                || body.len() < attempt.response_body.len(),
        }
    }
}

/// Returns false when the delivery row does not exist.
pub(super) async fn record_attempt(
    client: &Client,
    row: i64,
    attempt: &AttemptRecord,
) -> Result<bool, tokio_postgres::Error> {
    let attempt = AttemptColumns::of(attempt);
    // One statement, so the attempt and the delivery's running totals change together. The
    // duration so far is the time since the delivery was created, back-off pauses included.
    let inserted = without_waiting_for_flush(
        client,
        client.execute_typed(
            "WITH updated AS (
                 UPDATE staxhook.deliveries SET attempts = GREATEST(attempts, $2), \
                        http_status = $3, error = $4, \
                        duration_ms = GREATEST(duration_ms, $5 - created_at)
                  WHERE id = $1 RETURNING id)
             INSERT INTO staxhook.attempts (delivery, number, started_at, duration_ms, \
                    http_status, error, response_headers, response_body, response_truncated)
             SELECT id, $2, $6, $7, $3, $4, $8, $9, $10 FROM updated",
            &[
                (&row, Type::INT8),
                (&attempt.number, Type::INT4),
                (&attempt.http_status, Type::INT4),
                (&attempt.error, Type::TEXT),
                (&attempt.ended_at, Type::INT8),
                (&attempt.started_at, Type::INT8),
                (&attempt.duration_ms, Type::INT8),
                (&attempt.response_headers, Type::TEXT),
                (&attempt.response_body, Type::TEXT),
                (&attempt.response_truncated, Type::BOOL),
            ],
        ),
    )
    .await?;
    Ok(inserted > 0)
}

/// A delivery's final outcome.
const FINISH: &str = "UPDATE staxhook.deliveries SET status = $2, http_status = $3, \
                      attempts = $4, duration_ms = $5, error = $6 WHERE id = $1";

/// [`FINISH`] with the attempt that ended the delivery, in one statement.
const FINISH_WITH_ATTEMPT: &str = "WITH updated AS (
        UPDATE staxhook.deliveries SET status = $2, http_status = $3, attempts = $4, \
               duration_ms = $5, error = $6 WHERE id = $1 RETURNING id)
    INSERT INTO staxhook.attempts (delivery, number, started_at, duration_ms, http_status, \
           error, response_headers, response_body, response_truncated)
    SELECT id, $7, $8, $9, $10, $11, $12, $13, $14 FROM updated";

/// The parameter types of [`FINISH_WITH_ATTEMPT`] ([`FINISH`]'s are its first six).
const FINISH_WITH_ATTEMPT_TYPES: [Type; 14] = [
    Type::INT8,
    Type::TEXT,
    Type::INT4,
    Type::INT4,
    Type::INT8,
    Type::TEXT,
    Type::INT4,
    Type::INT8,
    Type::INT8,
    Type::INT4,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::BOOL,
];

/// Prepares [`FINISH_WITH_ATTEMPT`] on this connection. Run while a delivery's request is in
/// flight, it does there what a fresh session would otherwise do when the answer is in:
/// parse the statement and load what the server knows of `attempts`, which is most of what
/// the statement costs the first time.
pub(super) async fn prepare_finish(client: &Client) -> Result<Statement, tokio_postgres::Error> {
    client
        .prepare_typed(FINISH_WITH_ATTEMPT, &FINISH_WITH_ATTEMPT_TYPES)
        .await
}

/// The final outcome, with the attempt that ended the delivery when it is given: one
/// statement, so one round trip and one update of the delivery row where an attempt and a
/// finish would take two of each; `prepared` is [`prepare_finish`]'s statement, when this
/// connection has it. Returns false when the delivery row does not exist.
pub(super) async fn finish(
    client: &Client,
    row: i64,
    last_attempt: Option<&AttemptRecord>,
    finish: &Finish,
    prepared: Option<&Statement>,
) -> Result<bool, tokio_postgres::Error> {
    let status = finish.status.as_str();
    let http_status = finish.http_status.map(i32::from);
    let attempts = small(finish.attempts);
    let duration_ms = saturating_i64(finish.duration_ms);
    let error = optional_text(&finish.error);
    let outcome: [&(dyn ToSql + Sync); 6] =
        [&row, &status, &http_status, &attempts, &duration_ms, &error];
    let Some(attempt) = last_attempt else {
        let parameters: Vec<(&(dyn ToSql + Sync), Type)> = outcome
            .iter()
            .copied()
            .zip(FINISH_WITH_ATTEMPT_TYPES.iter().cloned())
            .collect();
        let updated =
            without_waiting_for_flush(client, client.execute_typed(FINISH, &parameters)).await?;
        return Ok(updated > 0);
    };
    let attempt = AttemptColumns::of(attempt);
    let mut values: Vec<&(dyn ToSql + Sync)> = outcome.to_vec();
    values.extend_from_slice(&[
        &attempt.number as &(dyn ToSql + Sync),
        &attempt.started_at,
        &attempt.duration_ms,
        &attempt.http_status,
        &attempt.error,
        &attempt.response_headers,
        &attempt.response_body,
        &attempt.response_truncated,
    ]);
    let inserted = match prepared {
        Some(statement) => {
            without_waiting_for_flush(client, client.execute(statement, &values)).await?
        }
        None => {
            let parameters: Vec<(&(dyn ToSql + Sync), Type)> = values
                .iter()
                .copied()
                .zip(FINISH_WITH_ATTEMPT_TYPES.iter().cloned())
                .collect();
            without_waiting_for_flush(
                client,
                client.execute_typed(FINISH_WITH_ATTEMPT, &parameters),
            )
            .await?
        }
    };
    Ok(inserted > 0)
}

/// The `log` query for a filter, with its parameters: only the filters given, so the
/// planner can walk the index matching exactly them.
pub(in crate::history) fn list_statement(filter: &LogFilter) -> (String, Parameters) {
    let mut conditions = Vec::new();
    let mut values: Parameters = Vec::new();
    if let Some(webhook) = &filter.webhook {
        values.push(Box::new(webhook.clone()));
        conditions.push(format!("webhook = ${}", values.len()));
    }
    if let Some(event) = &filter.event {
        values.push(Box::new(event.clone()));
        conditions.push(format!("event = ${}", values.len()));
    }
    if let Some(status) = filter.status {
        values.push(Box::new(status.as_str().to_string()));
        conditions.push(format!("status = ${}", values.len()));
    }
    if let Some(repository) = &filter.repository {
        values.push(Box::new(text(repository).into_owned()));
        conditions.push(format!("repository = ${}", values.len()));
    }
    if let Some(since) = filter.since {
        values.push(Box::new(since.as_millisecond()));
        conditions.push(format!("created_at >= ${}", values.len()));
    }
    let mut sql = format!("SELECT {SUMMARY_COLUMNS} FROM staxhook.deliveries");
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    values.push(Box::new(i64::try_from(filter.limit).unwrap_or(i64::MAX)));
    sql.push_str(&format!(
        " ORDER BY created_at DESC, id DESC LIMIT ${}",
        values.len()
    ));
    (sql, values)
}

pub(super) async fn list(
    client: &Client,
    filter: &LogFilter,
) -> Result<Vec<DeliverySummary>, tokio_postgres::Error> {
    let (sql, values) = list_statement(filter);
    client
        .query(&sql, &borrowed(&values))
        .await?
        .iter()
        .map(summary_from_row)
        .collect()
}

pub(super) async fn get(
    client: &mut Client,
    id: i64,
) -> Result<Option<DeliveryDetail>, tokio_postgres::Error> {
    // One snapshot for the delivery and its attempts, even while another runner records one.
    let transaction = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let Some(row) = transaction
        .query_opt(
            &format!(
                "SELECT {SUMMARY_COLUMNS}, redelivery_of, request_url, request_headers, \
                 request_body FROM staxhook.deliveries WHERE id = $1"
            ),
            &[&id],
        )
        .await?
    else {
        return Ok(None);
    };
    let raw_headers = headers_from_text(row.try_get(16)?);
    let raw_body: String = row.try_get(17)?;
    let summary = summary_from_row(&row)?;
    let redelivery_of: Option<i64> = row.try_get(14)?;
    let request = RequestRecord {
        url: row.try_get(15)?,
        headers: headers_to_map(&raw_headers),
        body: serde_json::from_str(&raw_body)
            .unwrap_or_else(|_| serde_json::Value::String(raw_body.clone())),
        raw_body,
        raw_headers,
    };
    let attempts = transaction
        .query(
            "SELECT number, started_at, duration_ms, http_status, error, response_headers, \
             response_body, response_truncated FROM staxhook.attempts WHERE delivery = $1 \
             ORDER BY number",
            &[&id],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(AttemptDetail {
                number: u32::try_from(row.try_get::<_, i32>(0)?).unwrap_or(0),
                started_at: timestamp(row.try_get(1)?),
                duration_ms: u64::try_from(row.try_get::<_, i64>(2)?).unwrap_or(0),
                http_status: row
                    .try_get::<_, Option<i32>>(3)?
                    .and_then(|status| u16::try_from(status).ok()),
                error: row.try_get(4)?,
                response_headers: headers_to_map(&headers_from_text(row.try_get(5)?)),
                response_body: row.try_get(6)?,
                response_truncated: row.try_get(7)?,
            })
        })
        .collect::<Result<Vec<_>, tokio_postgres::Error>>()?;
    transaction.commit().await?;
    Ok(Some(DeliveryDetail {
        summary,
        redelivery_of,
        request,
        attempts,
    }))
}

pub(super) async fn prune(
    client: &mut Client,
    cutoff: Timestamp,
) -> Result<usize, tokio_postgres::Error> {
    let cutoff = cutoff.as_millisecond();
    let mut deleted = 0;
    loop {
        // Each batch is a transaction of its own. `attempts` has no foreign key (schema step
        // 7), so a delivery's attempts are deleted with it here, by a second statement: it
        // takes a new snapshot, so it also sees an attempt whose writer held the delivery's
        // row until just before the first statement deleted it; and once the delivery is
        // deleted, no attempt can be written for it (the attempt's write starts by updating
        // the delivery's row).
        let transaction = client.transaction().await?;
        let rows: Vec<i64> = transaction
            .query_typed(
                "DELETE FROM staxhook.deliveries WHERE id IN (SELECT id FROM staxhook.deliveries \
                 WHERE created_at < $1 ORDER BY created_at, id LIMIT $2) RETURNING id",
                &[(&cutoff, Type::INT8), (&PRUNE_BATCH, Type::INT8)],
            )
            .await?
            .iter()
            .map(|row| row.get(0))
            .collect();
        if !rows.is_empty() {
            transaction
                .execute_typed(
                    "DELETE FROM staxhook.attempts WHERE delivery = ANY($1)",
                    &[(&rows, Type::INT8_ARRAY)],
                )
                .await?;
        }
        transaction.commit().await?;
        deleted += rows.len();
        if i64::try_from(rows.len()).unwrap_or(i64::MAX) < PRUNE_BATCH {
            return Ok(deleted);
        }
    }
}

/// The `redeliver --failed` query with its parameters (as `sqlite/query.rs` has it), its
/// candidates locked `FOR UPDATE SKIP LOCKED`: a row another runner is claiming right now is
/// skipped, not waited for, and one it has claimed no longer matches.
pub(in crate::history) fn redeliverable_statement(
    since: Option<Timestamp>,
    repository: Option<&str>,
    stale_pending_before: Timestamp,
    run: &str,
) -> (String, Parameters) {
    let mut values: Parameters = vec![
        Box::new(stale_pending_before.as_millisecond()),
        Box::new(text(run).into_owned()),
    ];
    // Another run's claim counts until it is as old as a stale pending row: then that run
    // died.
    let mut sql = String::from(
        "SELECT candidate.id FROM staxhook.deliveries AS candidate \
         WHERE (candidate.status = 'failed' \
                OR (candidate.status = 'pending' AND candidate.created_at < $1)) \
           AND (candidate.claimed_by IS NULL OR candidate.claimed_by = $2 \
                OR candidate.claimed_at < $1)",
    );
    if let Some(since) = since {
        values.push(Box::new(since.as_millisecond()));
        sql.push_str(&format!(" AND candidate.created_at >= ${}", values.len()));
    }
    if let Some(repository) = repository {
        values.push(Box::new(text(repository).into_owned()));
        sql.push_str(&format!(" AND candidate.repository = ${}", values.len()));
    }
    // Newest means latest created_at, then highest id, matching `log`'s order.
    sql.push_str(
        " AND NOT EXISTS (SELECT 1 FROM staxhook.deliveries AS newer \
           WHERE newer.delivery_id = candidate.delivery_id \
             AND (newer.created_at > candidate.created_at \
                  OR (newer.created_at = candidate.created_at AND newer.id > candidate.id))) \
         ORDER BY candidate.created_at, candidate.id \
         FOR UPDATE OF candidate SKIP LOCKED",
    );
    (sql, values)
}

/// Reads and claims the candidates in one transaction, so two runners at once never both
/// take a row.
pub(super) async fn claim_redeliverable(
    client: &mut Client,
    since: Option<Timestamp>,
    repository: Option<&str>,
    claimant: &Claimant,
) -> Result<Vec<i64>, tokio_postgres::Error> {
    let (sql, values) =
        redeliverable_statement(since, repository, claimant.stale_before, &claimant.run);
    let transaction = client.transaction().await?;
    let candidates = transaction
        .query(&sql, &borrowed(&values))
        .await?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<Vec<i64>, _>>()?;
    if !candidates.is_empty() {
        transaction
            .execute(
                "UPDATE staxhook.deliveries SET claimed_by = $1, claimed_at = $2 \
                 WHERE id = ANY($3)",
                &[
                    &text(&claimant.run),
                    &claimant.now.as_millisecond(),
                    &candidates,
                ],
            )
            .await?;
    }
    transaction.commit().await?;
    Ok(candidates)
}

pub(super) async fn mark_interrupted(
    client: &Client,
    row: i64,
    note: &str,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE staxhook.deliveries SET status = 'failed', error = $2 \
             WHERE id = $1 AND status = 'pending'",
            &[&row, &text(note)],
        )
        .await?;
    Ok(())
}
