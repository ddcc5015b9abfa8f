//! `history copy` on a PostgreSQL history: reading every row out in id order, and writing rows
//! in so that a second copy adds nothing twice (a delivery is known by its UUID and created
//! time, an attempt by its number, a finding by its key), as `sqlite/copy.rs` does.

use tokio_postgres::{Client, IsolationLevel};

use super::query::{optional_text, text, timestamp};
use crate::history::incidents::{ExportedIncident, IncidentAction};
use crate::history::{
    AttemptRecord, ExportedDelivery, ExportedFinding, Imported, NewDelivery, Status,
};

fn headers(stored: &str) -> Vec<(String, String)> {
    serde_json::from_str(stored).unwrap_or_default()
}

fn headers_text(headers: &[(String, String)]) -> String {
    let cleaned: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| (text(name).into_owned(), text(value).into_owned()))
        .collect();
    serde_json::to_string(&cleaned).unwrap_or_else(|_| "[]".into())
}

fn unsigned(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

fn signed(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn small(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

pub(super) async fn export_deliveries(
    client: &mut Client,
    after: i64,
    limit: usize,
) -> Result<Vec<ExportedDelivery>, tokio_postgres::Error> {
    // One snapshot for the deliveries and their attempts.
    let transaction = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let rows = transaction
        .query(
            "SELECT id, delivery_id, created_at, webhook, channel, event, repository, test, status, \
             http_status, attempts, duration_ms, error, request_url, request_headers, request_body, \
             redelivery_of, action FROM staxhook.deliveries WHERE id > $1 ORDER BY id LIMIT $2",
            &[&after, &i64::try_from(limit).unwrap_or(i64::MAX)],
        )
        .await?;
    let mut deliveries = Vec::with_capacity(rows.len());
    for row in rows {
        let status: String = row.try_get(8)?;
        let channel: String = row.try_get(4)?;
        let action = IncidentAction::of_row(&channel, row.try_get::<_, Option<&str>>(17)?);
        deliveries.push(ExportedDelivery {
            id: row.try_get(0)?,
            delivery: NewDelivery {
                delivery_id: row.try_get(1)?,
                created_at: timestamp(row.try_get(2)?),
                webhook: row.try_get(3)?,
                channel,
                event: row.try_get(5)?,
                repository: row.try_get(6)?,
                test: row.try_get(7)?,
                request_url: row.try_get(13)?,
                request_headers: headers(row.try_get(14)?),
                request_body: row.try_get(15)?,
                redelivery_of: row.try_get(16)?,
                action,
            },
            status: status.parse().unwrap_or(Status::Failed),
            http_status: row
                .try_get::<_, Option<i32>>(9)?
                .and_then(|status| u16::try_from(status).ok()),
            attempts: u32::try_from(row.try_get::<_, i32>(10)?).unwrap_or(0),
            duration_ms: unsigned(row.try_get(11)?),
            error: row.try_get(12)?,
            attempt_records: Vec::new(),
        });
    }
    if let (Some(first), Some(last)) = (deliveries.first(), deliveries.last()) {
        let (first, last) = (first.id, last.id);
        let attempts = transaction
            .query(
                "SELECT delivery, number, started_at, duration_ms, http_status, error, \
                 response_headers, response_body, response_truncated FROM staxhook.attempts \
                 WHERE delivery BETWEEN $1 AND $2 ORDER BY delivery, number",
                &[&first, &last],
            )
            .await?;
        let mut index = 0;
        for row in attempts {
            let delivery: i64 = row.try_get(0)?;
            while index < deliveries.len() && deliveries[index].id < delivery {
                index += 1;
            }
            let Some(owner) = deliveries
                .get_mut(index)
                .filter(|owner| owner.id == delivery)
            else {
                continue;
            };
            owner.attempt_records.push(AttemptRecord {
                number: u32::try_from(row.try_get::<_, i32>(1)?).unwrap_or(0),
                started_at: timestamp(row.try_get(2)?),
                duration_ms: unsigned(row.try_get(3)?),
                http_status: row
                    .try_get::<_, Option<i32>>(4)?
                    .and_then(|status| u16::try_from(status).ok()),
                error: row.try_get(5)?,
                response_headers: headers(row.try_get(6)?),
                response_body: row.try_get(7)?,
                response_truncated: row.try_get(8)?,
            });
        }
    }
    transaction.commit().await?;
    Ok(deliveries)
}

pub(super) async fn import_delivery(
    client: &mut Client,
    delivery: &ExportedDelivery,
    redelivery_of: Option<i64>,
) -> Result<Imported, tokio_postgres::Error> {
    let transaction = client.transaction().await?;
    let new = &delivery.delivery;
    // Two copies into one history at once must not both insert the same delivery.
    transaction
        .execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            &[&format!("staxhook:copy:{}", new.delivery_id)],
        )
        .await?;
    let existing = transaction
        .query_opt(
            "SELECT id FROM staxhook.deliveries WHERE delivery_id = $1 AND created_at = $2 \
             ORDER BY id LIMIT 1",
            &[&text(&new.delivery_id), &new.created_at.as_millisecond()],
        )
        .await?;
    let (id, delivery_copied) = match existing {
        Some(row) => (row.try_get::<_, i64>(0)?, false),
        None => {
            let row = transaction
                .query_one(
                    "INSERT INTO staxhook.deliveries (delivery_id, created_at, webhook, channel, \
                     event, repository, test, status, http_status, attempts, duration_ms, error, \
                     request_url, request_headers, request_body, redelivery_of, action) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
                     $17) RETURNING id",
                    &[
                        &text(&new.delivery_id),
                        &new.created_at.as_millisecond(),
                        &text(&new.webhook),
                        &text(&new.channel),
                        &text(&new.event),
                        &text(&new.repository),
                        &new.test,
                        &delivery.status.as_str(),
                        &delivery.http_status.map(i32::from),
                        &small(delivery.attempts),
                        &signed(delivery.duration_ms),
                        &optional_text(&delivery.error),
                        &text(&new.request_url),
                        &headers_text(&new.request_headers),
                        &text(&new.request_body),
                        &redelivery_of,
                        &new.action.map(IncidentAction::as_str),
                    ],
                )
                .await?;
            (row.try_get::<_, i64>(0)?, true)
        }
    };
    let mut attempts_copied = 0;
    for attempt in &delivery.attempt_records {
        let inserted = transaction
            .execute(
                "INSERT INTO staxhook.attempts (delivery, number, started_at, duration_ms, \
                 http_status, error, response_headers, response_body, response_truncated) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (delivery, number) DO NOTHING",
                &[
                    &id,
                    &small(attempt.number),
                    &attempt.started_at.as_millisecond(),
                    &signed(attempt.duration_ms),
                    &attempt.http_status.map(i32::from),
                    &optional_text(&attempt.error),
                    &headers_text(&attempt.response_headers),
                    &text(&attempt.response_body),
                    &attempt.response_truncated,
                ],
            )
            .await?;
        attempts_copied += usize::try_from(inserted).unwrap_or(0);
    }
    transaction.commit().await?;
    Ok(Imported {
        id,
        delivery_copied,
        attempts_copied,
        attempts_skipped: delivery.attempt_records.len() - attempts_copied,
    })
}

pub(super) async fn export_findings(
    client: &Client,
    after: i64,
    limit: usize,
) -> Result<Vec<ExportedFinding>, tokio_postgres::Error> {
    client
        .query(
            "SELECT id, repository, vulnerability, package, version, ecosystem, purl, severity, \
             cvss_score, fixed_version, title, url, aliases, targets, first_seen, last_seen, \
             fixed_at, notified_critical, notified_kev, notified_sla, epss, epss_percentile, kev \
             FROM staxhook.findings WHERE id > $1 ORDER BY id LIMIT $2",
            &[&after, &i64::try_from(limit).unwrap_or(i64::MAX)],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(ExportedFinding {
                row: row.try_get(0)?,
                repository: row.try_get(1)?,
                vulnerability: row.try_get(2)?,
                package: row.try_get(3)?,
                version: row.try_get(4)?,
                ecosystem: row.try_get(5)?,
                purl: row.try_get(6)?,
                severity: row.try_get(7)?,
                cvss_score: row.try_get(8)?,
                fixed_version: row.try_get(9)?,
                title: row.try_get(10)?,
                url: row.try_get(11)?,
                aliases: row.try_get(12)?,
                targets: row.try_get(13)?,
                first_seen: row.try_get(14)?,
                last_seen: row.try_get(15)?,
                fixed_at: row.try_get(16)?,
                notified_critical: row.try_get(17)?,
                notified_kev: row.try_get(18)?,
                notified_sla: row.try_get(19)?,
                epss: row.try_get(20)?,
                epss_percentile: row.try_get(21)?,
                kev: row.try_get(22)?,
            })
        })
        .collect()
}

pub(super) async fn import_findings(
    client: &mut Client,
    findings: &[ExportedFinding],
) -> Result<usize, tokio_postgres::Error> {
    let transaction = client.transaction().await?;
    let mut copied = 0;
    for finding in findings {
        let inserted = transaction
            .execute(
                "INSERT INTO staxhook.findings (repository, vulnerability, package, version, \
                 ecosystem, purl, severity, cvss_score, fixed_version, title, url, aliases, \
                 targets, first_seen, last_seen, fixed_at, notified_critical, notified_kev, \
                 notified_sla, epss, epss_percentile, kev) VALUES ($1, $2, $3, $4, $5, $6, $7, \
                 $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22) \
                 ON CONFLICT (repository, vulnerability, package, version) DO NOTHING",
                &[
                    &text(&finding.repository),
                    &text(&finding.vulnerability),
                    &text(&finding.package),
                    &text(&finding.version),
                    &optional_text(&finding.ecosystem),
                    &optional_text(&finding.purl),
                    &text(&finding.severity),
                    &finding.cvss_score,
                    &optional_text(&finding.fixed_version),
                    &optional_text(&finding.title),
                    &optional_text(&finding.url),
                    &text(&finding.aliases),
                    &text(&finding.targets),
                    &finding.first_seen,
                    &finding.last_seen,
                    &finding.fixed_at,
                    &finding.notified_critical,
                    &finding.notified_kev,
                    &finding.notified_sla,
                    &finding.epss,
                    &finding.epss_percentile,
                    &finding.kev,
                ],
            )
            .await?;
        copied += usize::try_from(inserted).unwrap_or(0);
    }
    transaction.commit().await?;
    Ok(copied)
}

pub(super) async fn export_incidents(
    client: &Client,
    after: i64,
    limit: usize,
) -> Result<Vec<ExportedIncident>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT id, webhook, repository, dedup_key, event, subject, opened_at, resolved_at \
               FROM staxhook.incidents WHERE id > $1 ORDER BY id LIMIT $2",
            &[&after, &i64::try_from(limit).unwrap_or(i64::MAX)],
        )
        .await?;
    rows.iter()
        .map(|row| {
            Ok(ExportedIncident {
                row: row.try_get(0)?,
                webhook: row.try_get(1)?,
                repository: row.try_get(2)?,
                dedup_key: row.try_get(3)?,
                event: row.try_get(4)?,
                subject: row.try_get(5)?,
                opened_at: row.try_get(6)?,
                resolved_at: row.try_get(7)?,
            })
        })
        .collect()
}

/// The incidents whose key (webhook, dedup_key) is not there yet, in one transaction.
pub(super) async fn import_incidents(
    client: &mut Client,
    incidents: &[ExportedIncident],
) -> Result<usize, tokio_postgres::Error> {
    let transaction = client.transaction().await?;
    let mut written = 0;
    for incident in incidents {
        let inserted = transaction
            .execute(
                "INSERT INTO staxhook.incidents (webhook, repository, dedup_key, event, subject, \
                     opened_at, resolved_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (webhook, dedup_key) DO NOTHING",
                &[
                    &text(&incident.webhook),
                    &text(&incident.repository),
                    &text(&incident.dedup_key),
                    &text(&incident.event),
                    &text(&incident.subject),
                    &incident.opened_at,
                    &incident.resolved_at,
                ],
            )
            .await?;
        written += usize::try_from(inserted).unwrap_or(0);
    }
    transaction.commit().await?;
    Ok(written)
}
