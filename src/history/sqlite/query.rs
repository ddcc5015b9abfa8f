//! The SQL behind each `History` operation, and the conversions between rows
//! and the history's Rust types.

use jiff::Timestamp;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, Type, Value, ValueRef};
use rusqlite::{
    params, params_from_iter, Connection, Row, ToSql, Transaction, TransactionBehavior,
};

use crate::history::findings::Claimant;
use crate::history::incidents::IncidentAction;
use crate::history::{
    AttemptDetail, AttemptRecord, DeliveryDetail, DeliverySummary, Finish, LogFilter, NewDelivery,
    RequestRecord, Status, MAX_RESPONSE_BODY_BYTES,
};

/// Rows deleted per prune transaction, so that pruning a long-neglected
/// history never holds the write lock long enough to stall other processes.
const PRUNE_BATCH: i64 = 1000;

/// Columns read into a [`DeliverySummary`] by [`summary_from_row`], in order.
const SUMMARY_COLUMNS: &str = "id, delivery_id, created_at, webhook, channel, event, repository, \
                               test, status, http_status, attempts, duration_ms, error, action";

impl ToSql for Status {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for Status {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Status> {
        value
            .as_str()?
            .parse()
            .map_err(|error| FromSqlError::Other(Box::new(error)))
    }
}

fn milliseconds(timestamp: Timestamp) -> i64 {
    timestamp.as_millisecond()
}

/// Durations are u64 in Rust but INTEGER (i64) in SQLite; no real delivery
/// comes near the limit, so saturating is simpler than failing.
fn saturating_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn timestamp_column(row: &Row<'_>, index: usize) -> rusqlite::Result<Timestamp> {
    let milliseconds: i64 = row.get(index)?;
    Timestamp::from_millisecond(milliseconds).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(index, Type::Integer, Box::new(error))
    })
}

fn headers_to_text(headers: &[(String, String)]) -> rusqlite::Result<String> {
    serde_json::to_string(headers)
        .map_err(|error| rusqlite::Error::ToSqlConversionFailure(Box::new(error)))
}

fn headers_column(row: &Row<'_>, index: usize) -> rusqlite::Result<Vec<(String, String)>> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(error))
    })
}

/// Header name to value in sent order. A name sent more than once keeps its
/// first position and gets its values joined with ", ", as HTTP allows.
pub(in crate::history) fn headers_to_map(
    headers: &[(String, String)],
) -> serde_json::Map<String, serde_json::Value> {
    let mut map = serde_json::Map::new();
    for (name, value) in headers {
        match map.get_mut(name) {
            Some(serde_json::Value::String(joined)) => {
                joined.push_str(", ");
                joined.push_str(value);
            }
            _ => {
                map.insert(name.clone(), serde_json::Value::String(value.clone()));
            }
        }
    }
    map
}

/// The longest prefix of `text` that fits in `limit` bytes without splitting
/// a character.
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

fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<DeliverySummary> {
    let channel: String = row.get(4)?;
    let action = IncidentAction::of_row(&channel, row.get::<_, Option<String>>(13)?.as_deref());
    Ok(DeliverySummary {
        id: row.get(0)?,
        delivery_id: row.get(1)?,
        created_at: timestamp_column(row, 2)?,
        webhook: row.get(3)?,
        channel,
        event: row.get(5)?,
        action,
        repository: row.get(6)?,
        test: row.get(7)?,
        status: row.get(8)?,
        http_status: row.get(9)?,
        attempts: row.get(10)?,
        duration_ms: row.get(11)?,
        error: row.get(12)?,
    })
}

pub(super) fn insert_pending(
    connection: &Connection,
    delivery: &NewDelivery,
) -> rusqlite::Result<i64> {
    // One INSERT in autocommit takes the write lock for its whole duration,
    // so it waits on the busy timeout like an IMMEDIATE transaction would.
    let mut statement = connection.prepare_cached(
        "INSERT INTO deliveries (delivery_id, created_at, webhook, channel, event, repository, \
         test, status, request_url, request_headers, request_body, redelivery_of, action) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?9, ?10, ?11, ?12)",
    )?;
    statement.insert(params![
        delivery.delivery_id,
        milliseconds(delivery.created_at),
        delivery.webhook,
        delivery.channel,
        delivery.event,
        delivery.repository,
        delivery.test,
        delivery.request_url,
        headers_to_text(&delivery.request_headers)?,
        delivery.request_body,
        delivery.redelivery_of,
        delivery.action.map(IncidentAction::as_str),
    ])
}

/// Returns false when the delivery row does not exist.
pub(super) fn record_attempt(
    connection: &Connection,
    row: i64,
    attempt: &AttemptRecord,
) -> rusqlite::Result<bool> {
    let ended_at =
        milliseconds(attempt.started_at).saturating_add(saturating_i64(attempt.duration_ms));
    // The attempt and the delivery's running totals change together or not
    // at all; IMMEDIATE so the write lock is waited for up front.
    let transaction = Transaction::new_unchecked(connection, TransactionBehavior::Immediate)?;
    // The duration so far is the time since the delivery was created, so it
    // includes the back-off pauses between attempts, like the final total.
    let updated = transaction
        .prepare_cached(
            "UPDATE deliveries SET attempts = max(attempts, ?2), http_status = ?3, error = ?4, \
             duration_ms = max(duration_ms, ?5 - created_at) WHERE id = ?1",
        )?
        .execute(params![
            row,
            attempt.number,
            attempt.http_status,
            attempt.error,
            ended_at
        ])?;
    if updated == 0 {
        return Ok(false);
    }
    insert_attempt(&transaction, row, attempt)?;
    transaction.commit()?;
    Ok(true)
}

fn insert_attempt(
    connection: &Connection,
    row: i64,
    attempt: &AttemptRecord,
) -> rusqlite::Result<()> {
    let body = truncate_at_char_boundary(&attempt.response_body, MAX_RESPONSE_BODY_BYTES);
    let truncated = attempt.response_truncated || body.len() < attempt.response_body.len();
    connection
        .prepare_cached(
            "INSERT INTO attempts (delivery, number, started_at, duration_ms, http_status, error, \
             response_headers, response_body, response_truncated) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            row,
            attempt.number,
            milliseconds(attempt.started_at),
            saturating_i64(attempt.duration_ms),
            attempt.http_status,
            attempt.error,
            headers_to_text(&attempt.response_headers)?,
            body,
            truncated,
        ])?;
    Ok(())
}

/// The final outcome, with the attempt that ended the delivery when it is given, in one
/// transaction. Returns false when the delivery row does not exist.
pub(super) fn finish(
    connection: &Connection,
    row: i64,
    last_attempt: Option<&AttemptRecord>,
    finish: &Finish,
) -> rusqlite::Result<bool> {
    let transaction = Transaction::new_unchecked(connection, TransactionBehavior::Immediate)?;
    let updated = transaction
        .prepare_cached(
            "UPDATE deliveries SET status = ?2, http_status = ?3, attempts = ?4, \
             duration_ms = ?5, error = ?6 WHERE id = ?1",
        )?
        .execute(params![
            row,
            finish.status,
            finish.http_status,
            finish.attempts,
            saturating_i64(finish.duration_ms),
            finish.error,
        ])?;
    if updated == 0 {
        return Ok(false);
    }
    if let Some(attempt) = last_attempt {
        insert_attempt(&transaction, row, attempt)?;
    }
    transaction.commit()?;
    Ok(true)
}

/// The `log` query for a filter, with its parameters. Built from only the
/// filters given so that SQLite can pick the index matching exactly them.
pub(in crate::history) fn list_statement(filter: &LogFilter) -> (String, Vec<Value>) {
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    if let Some(webhook) = &filter.webhook {
        values.push(Value::Text(webhook.clone()));
        conditions.push(format!("webhook = ?{}", values.len()));
    }
    if let Some(event) = &filter.event {
        values.push(Value::Text(event.clone()));
        conditions.push(format!("event = ?{}", values.len()));
    }
    if let Some(status) = filter.status {
        values.push(Value::Text(status.as_str().to_string()));
        conditions.push(format!("status = ?{}", values.len()));
    }
    if let Some(repository) = &filter.repository {
        values.push(Value::Text(repository.clone()));
        conditions.push(format!("repository = ?{}", values.len()));
    }
    if let Some(since) = filter.since {
        values.push(Value::Integer(milliseconds(since)));
        conditions.push(format!("created_at >= ?{}", values.len()));
    }
    let mut sql = format!("SELECT {SUMMARY_COLUMNS} FROM deliveries");
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    values.push(Value::Integer(
        i64::try_from(filter.limit).unwrap_or(i64::MAX),
    ));
    sql.push_str(&format!(
        " ORDER BY created_at DESC, id DESC LIMIT ?{}",
        values.len()
    ));
    (sql, values)
}

pub(super) fn list(
    connection: &Connection,
    filter: &LogFilter,
) -> rusqlite::Result<Vec<DeliverySummary>> {
    let (sql, values) = list_statement(filter);
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query_map(params_from_iter(values), summary_from_row)?;
    rows.collect()
}

pub(super) fn get(connection: &Connection, id: i64) -> rusqlite::Result<Option<DeliveryDetail>> {
    // One read transaction so the delivery and its attempts come from the
    // same snapshot even while another process is recording an attempt.
    let transaction = Transaction::new_unchecked(connection, TransactionBehavior::Deferred)?;
    let found = transaction
        .prepare_cached(&format!(
            "SELECT {SUMMARY_COLUMNS}, redelivery_of, request_url, request_headers, request_body \
             FROM deliveries WHERE id = ?1"
        ))?
        .query_row([id], |row| {
            let raw_headers = headers_column(row, 16)?;
            let raw_body: String = row.get(17)?;
            Ok((
                summary_from_row(row)?,
                row.get::<_, Option<i64>>(14)?,
                RequestRecord {
                    url: row.get(15)?,
                    headers: headers_to_map(&raw_headers),
                    body: serde_json::from_str(&raw_body)
                        .unwrap_or_else(|_| serde_json::Value::String(raw_body.clone())),
                    raw_body,
                    raw_headers,
                },
            ))
        });
    let (summary, redelivery_of, request) = match found {
        Ok(found) => found,
        Err(rusqlite::Error::QueryReturnedNoRows) => return Ok(None),
        Err(error) => return Err(error),
    };
    let attempts = transaction
        .prepare_cached(
            "SELECT number, started_at, duration_ms, http_status, error, response_headers, \
             response_body, response_truncated FROM attempts WHERE delivery = ?1 ORDER BY number",
        )?
        .query_map([id], |row| {
            Ok(AttemptDetail {
                number: row.get(0)?,
                started_at: timestamp_column(row, 1)?,
                duration_ms: row.get(2)?,
                http_status: row.get(3)?,
                error: row.get(4)?,
                response_headers: headers_to_map(&headers_column(row, 5)?),
                response_body: row.get(6)?,
                response_truncated: row.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    transaction.commit()?;
    Ok(Some(DeliveryDetail {
        summary,
        redelivery_of,
        request,
        attempts,
    }))
}

pub(super) fn prune(connection: &Connection, cutoff: Timestamp) -> rusqlite::Result<usize> {
    let cutoff = milliseconds(cutoff);
    let mut deleted = 0;
    loop {
        let transaction = Transaction::new_unchecked(connection, TransactionBehavior::Immediate)?;
        // Both statements pick the same oldest batch: the order is total and
        // no other writer can run inside this transaction.
        transaction
            .prepare_cached(
                "DELETE FROM attempts WHERE delivery IN (SELECT id FROM deliveries \
                 WHERE created_at < ?1 ORDER BY created_at, id LIMIT ?2)",
            )?
            .execute(params![cutoff, PRUNE_BATCH])?;
        let batch = transaction
            .prepare_cached(
                "DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries \
                 WHERE created_at < ?1 ORDER BY created_at, id LIMIT ?2)",
            )?
            .execute(params![cutoff, PRUNE_BATCH])?;
        transaction.commit()?;
        deleted += batch;
        if i64::try_from(batch).unwrap_or(i64::MAX) < PRUNE_BATCH {
            return Ok(deleted);
        }
    }
}

/// The `redeliver --failed` query with its parameters.
pub(in crate::history) fn redeliverable_statement(
    since: Option<Timestamp>,
    repository: Option<&str>,
    stale_pending_before: Timestamp,
    run: &str,
) -> (String, Vec<Value>) {
    let mut values = vec![
        Value::Integer(milliseconds(stale_pending_before)),
        Value::Text(run.to_string()),
    ];
    // Another run's claim counts until it is as old as a stale pending row: then that run
    // died.
    let mut sql = String::from(
        "SELECT candidate.id FROM deliveries AS candidate \
         WHERE (candidate.status = 'failed' \
                OR (candidate.status = 'pending' AND candidate.created_at < ?1)) \
           AND (candidate.claimed_by IS NULL OR candidate.claimed_by = ?2 \
                OR candidate.claimed_at < ?1)",
    );
    if let Some(since) = since {
        values.push(Value::Integer(milliseconds(since)));
        sql.push_str(&format!(" AND candidate.created_at >= ?{}", values.len()));
    }
    if let Some(repository) = repository {
        values.push(Value::Text(repository.to_string()));
        sql.push_str(&format!(" AND candidate.repository = ?{}", values.len()));
    }
    // Newest means latest created_at, then highest id, matching `log`'s order.
    sql.push_str(
        " AND NOT EXISTS (SELECT 1 FROM deliveries AS newer \
           WHERE newer.delivery_id = candidate.delivery_id \
             AND (newer.created_at > candidate.created_at \
                  OR (newer.created_at = candidate.created_at AND newer.id > candidate.id))) \
         ORDER BY candidate.created_at, candidate.id",
    );
    (sql, values)
}

/// Run inside a write transaction: the candidates are read and claimed without another
/// process in between.
pub(super) fn claim_redeliverable(
    connection: &Connection,
    since: Option<Timestamp>,
    repository: Option<&str>,
    claimant: &Claimant,
) -> rusqlite::Result<Vec<i64>> {
    let (sql, values) =
        redeliverable_statement(since, repository, claimant.stale_before, &claimant.run);
    let candidates: Vec<i64> = {
        let mut statement = connection.prepare_cached(&sql)?;
        let rows = statement.query_map(params_from_iter(values), |row| row.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut claim = connection
        .prepare_cached("UPDATE deliveries SET claimed_by = ?1, claimed_at = ?2 WHERE id = ?3")?;
    for id in &candidates {
        claim.execute(params![claimant.run, milliseconds(claimant.now), id])?;
    }
    Ok(candidates)
}

pub(super) fn mark_interrupted(
    connection: &Connection,
    row: i64,
    note: &str,
) -> rusqlite::Result<()> {
    connection
        .prepare_cached(
            "UPDATE deliveries SET status = 'failed', error = ?2 \
             WHERE id = ?1 AND status = 'pending'",
        )?
        .execute(params![row, note])?;
    Ok(())
}
