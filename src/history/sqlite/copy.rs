//! `history copy` on a SQLite history: reading every row out in id order, and writing rows in
//! so that a second copy adds nothing twice (a delivery is known by its UUID and created
//! time, an attempt by its number, a finding by its key).

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};

use crate::history::incidents::IncidentAction;
use crate::history::{AttemptRecord, ExportedDelivery, ExportedFinding, Imported, NewDelivery};

fn time(milliseconds: i64) -> Timestamp {
    Timestamp::from_millisecond(milliseconds).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn headers(text: &str) -> Vec<(String, String)> {
    serde_json::from_str(text).unwrap_or_default()
}

fn headers_text(headers: &[(String, String)]) -> String {
    serde_json::to_string(headers).unwrap_or_else(|_| "[]".into())
}

pub(super) fn export_deliveries(
    connection: &Connection,
    after: i64,
    limit: usize,
) -> rusqlite::Result<Vec<ExportedDelivery>> {
    // One snapshot for the deliveries and their attempts.
    let transaction = Transaction::new_unchecked(connection, TransactionBehavior::Deferred)?;
    let mut deliveries = transaction
        .prepare_cached(
            "SELECT id, delivery_id, created_at, webhook, channel, event, repository, test, status, \
             http_status, attempts, duration_ms, error, request_url, request_headers, request_body, \
             redelivery_of, action FROM deliveries WHERE id > ?1 ORDER BY id LIMIT ?2",
        )?
        .query_map(
            params![after, i64::try_from(limit).unwrap_or(i64::MAX)],
            |row: &Row<'_>| {
                let channel: String = row.get(4)?;
                let action =
                    IncidentAction::of_row(&channel, row.get::<_, Option<String>>(17)?.as_deref());
                Ok(ExportedDelivery {
                    id: row.get(0)?,
                    delivery: NewDelivery {
                        delivery_id: row.get(1)?,
                        created_at: time(row.get(2)?),
                        webhook: row.get(3)?,
                        channel,
                        event: row.get(5)?,
                        repository: row.get(6)?,
                        test: row.get(7)?,
                        request_url: row.get(13)?,
                        request_headers: headers(&row.get::<_, String>(14)?),
                        request_body: row.get(15)?,
                        redelivery_of: row.get(16)?,
                        action,
                    },
                    status: row.get(8)?,
                    http_status: row.get(9)?,
                    attempts: row.get(10)?,
                    duration_ms: row.get(11)?,
                    error: row.get(12)?,
                    attempt_records: Vec::new(),
                })
            },
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    {
        let mut attempts = transaction.prepare_cached(
            "SELECT number, started_at, duration_ms, http_status, error, response_headers, \
             response_body, response_truncated FROM attempts WHERE delivery = ?1 ORDER BY number",
        )?;
        for delivery in &mut deliveries {
            delivery.attempt_records = attempts
                .query_map([delivery.id], |row| {
                    Ok(AttemptRecord {
                        number: row.get(0)?,
                        started_at: time(row.get(1)?),
                        duration_ms: row.get(2)?,
                        http_status: row.get(3)?,
                        error: row.get(4)?,
                        response_headers: headers(&row.get::<_, String>(5)?),
                        response_body: row.get(6)?,
                        response_truncated: row.get(7)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
        }
    }
    transaction.commit()?;
    Ok(deliveries)
}

pub(super) fn import_delivery(
    connection: &Connection,
    delivery: &ExportedDelivery,
    redelivery_of: Option<i64>,
) -> rusqlite::Result<Imported> {
    let transaction = Transaction::new_unchecked(connection, TransactionBehavior::Immediate)?;
    let new = &delivery.delivery;
    let existing: Option<i64> = transaction
        .prepare_cached(
            "SELECT id FROM deliveries WHERE delivery_id = ?1 AND created_at = ?2 ORDER BY id LIMIT 1",
        )?
        .query_row(
            params![new.delivery_id, new.created_at.as_millisecond()],
            |row| row.get(0),
        )
        .optional()?;
    let (id, delivery_copied) = match existing {
        Some(id) => (id, false),
        None => {
            transaction
                .prepare_cached(
                    "INSERT INTO deliveries (delivery_id, created_at, webhook, channel, event, \
                     repository, test, status, http_status, attempts, duration_ms, error, \
                     request_url, request_headers, request_body, redelivery_of, action) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, \
                     ?17)",
                )?
                .execute(params![
                    new.delivery_id,
                    new.created_at.as_millisecond(),
                    new.webhook,
                    new.channel,
                    new.event,
                    new.repository,
                    new.test,
                    delivery.status.as_str(),
                    delivery.http_status,
                    delivery.attempts,
                    i64::try_from(delivery.duration_ms).unwrap_or(i64::MAX),
                    delivery.error,
                    new.request_url,
                    headers_text(&new.request_headers),
                    new.request_body,
                    redelivery_of,
                    new.action.map(IncidentAction::as_str),
                ])?;
            (transaction.last_insert_rowid(), true)
        }
    };
    let mut attempts_copied = 0;
    {
        let mut insert = transaction.prepare_cached(
            "INSERT OR IGNORE INTO attempts (delivery, number, started_at, duration_ms, \
             http_status, error, response_headers, response_body, response_truncated) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for attempt in &delivery.attempt_records {
            attempts_copied += insert.execute(params![
                id,
                attempt.number,
                attempt.started_at.as_millisecond(),
                i64::try_from(attempt.duration_ms).unwrap_or(i64::MAX),
                attempt.http_status,
                attempt.error,
                headers_text(&attempt.response_headers),
                attempt.response_body,
                attempt.response_truncated,
            ])?;
        }
    }
    transaction.commit()?;
    Ok(Imported {
        id,
        delivery_copied,
        attempts_copied,
        attempts_skipped: delivery.attempt_records.len() - attempts_copied,
    })
}

pub(super) fn export_findings(
    connection: &Connection,
    after: i64,
    limit: usize,
) -> rusqlite::Result<Vec<ExportedFinding>> {
    connection
        .prepare_cached(
            "SELECT id, repository, vulnerability, package, version, ecosystem, purl, severity, \
             cvss_score, fixed_version, title, url, aliases, targets, first_seen, last_seen, \
             fixed_at, notified_critical, notified_kev, notified_sla, epss, epss_percentile, kev \
             FROM findings WHERE id > ?1 ORDER BY id LIMIT ?2",
        )?
        .query_map(
            params![after, i64::try_from(limit).unwrap_or(i64::MAX)],
            |row| {
                Ok(ExportedFinding {
                    row: row.get(0)?,
                    repository: row.get(1)?,
                    vulnerability: row.get(2)?,
                    package: row.get(3)?,
                    version: row.get(4)?,
                    ecosystem: row.get(5)?,
                    purl: row.get(6)?,
                    severity: row.get(7)?,
                    cvss_score: row.get(8)?,
                    fixed_version: row.get(9)?,
                    title: row.get(10)?,
                    url: row.get(11)?,
                    aliases: row.get(12)?,
                    targets: row.get(13)?,
                    first_seen: row.get(14)?,
                    last_seen: row.get(15)?,
                    fixed_at: row.get(16)?,
                    notified_critical: row.get(17)?,
                    notified_kev: row.get(18)?,
                    notified_sla: row.get(19)?,
                    epss: row.get(20)?,
                    epss_percentile: row.get(21)?,
                    kev: row.get(22)?,
                })
            },
        )?
        .collect()
}

pub(super) fn import_findings(
    connection: &Connection,
    findings: &[ExportedFinding],
) -> rusqlite::Result<usize> {
    let transaction = Transaction::new_unchecked(connection, TransactionBehavior::Immediate)?;
    let mut copied = 0;
    {
        let mut insert = transaction.prepare_cached(
            "INSERT OR IGNORE INTO findings (repository, vulnerability, package, version, \
             ecosystem, purl, severity, cvss_score, fixed_version, title, url, aliases, targets, \
             first_seen, last_seen, fixed_at, notified_critical, notified_kev, notified_sla, \
             epss, epss_percentile, kev) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, \
             ?18, ?19, ?20, ?21, ?22)",
        )?;
        for finding in findings {
            copied += insert.execute(params![
                finding.repository,
                finding.vulnerability,
                finding.package,
                finding.version,
                finding.ecosystem,
                finding.purl,
                finding.severity,
                finding.cvss_score,
                finding.fixed_version,
                finding.title,
                finding.url,
                finding.aliases,
                finding.targets,
                finding.first_seen,
                finding.last_seen,
                finding.fixed_at,
                finding.notified_critical,
                finding.notified_kev,
                finding.notified_sla,
                finding.epss,
                finding.epss_percentile,
                finding.kev,
            ])?;
        }
    }
    transaction.commit()?;
    Ok(copied)
}
