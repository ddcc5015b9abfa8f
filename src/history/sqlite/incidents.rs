//! The SQL of PagerDuty incidents in the SQLite file: claiming the resolves a report makes
//! due (inside the reconcile transaction), opening and closing incidents after dispatch, and
//! moving them for `history copy`.

use rusqlite::{params, Connection, OptionalExtension};

use crate::history::findings::{Claim, Claimant};
use crate::history::incidents::*;

/// Inside the caller's reconcile transaction: the repository's open incidents that `scope`
/// resolves and no other live run is resolving, each claimed for `claimant`.
pub(super) fn claim_resolves(
    connection: &Connection,
    repository: &str,
    scope: &IncidentScope,
    claimant: &Claimant,
) -> rusqlite::Result<Vec<Incident>> {
    if scope.webhooks.is_empty() {
        return Ok(Vec::new());
    }
    let stored: Vec<StoredIncident> = connection
        .prepare_cached(&format!(
            "SELECT {} FROM incidents WHERE repository = ?1 AND resolved_at IS NULL ORDER BY id",
            StoredIncident::COLUMNS
        ))?
        .query_map(params![repository], |row| {
            Ok(StoredIncident {
                webhook: row.get(0)?,
                dedup_key: row.get(1)?,
                event: row.get(2)?,
                subject: row.get(3)?,
                claim: Claim {
                    by: row.get(4)?,
                    at: row.get(5)?,
                },
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut claim = connection.prepare_cached(
        "UPDATE incidents SET claimed_by = ?3, claimed_at = ?4 WHERE webhook = ?1 AND dedup_key = ?2",
    )?;
    let mut claimed = Vec::new();
    for incident in stored {
        if let Some(incident) = incident.claimable(repository, scope, claimant) {
            claim.execute(params![
                incident.webhook,
                incident.dedup_key,
                claimant.run,
                claimant.now.as_millisecond()
            ])?;
            claimed.push(incident);
        }
    }
    Ok(claimed)
}

/// Opens (or keeps open) the incidents of delivered triggers, closes those of delivered
/// resolves, and releases this run's other resolve claims.
pub(super) fn settle(
    connection: &Connection,
    claimant: &Claimant,
    opened: &[Incident],
    resolves: &[ResolveOutcome],
) -> rusqlite::Result<()> {
    let now = claimant.now.as_millisecond();
    for incident in opened {
        let open: Option<String> = connection
            .prepare_cached(
                "SELECT subject FROM incidents WHERE webhook = ?1 AND dedup_key = ?2 AND resolved_at IS NULL",
            )?
            .query_row(params![incident.webhook, incident.dedup_key], |row| {
                row.get(0)
            })
            .optional()?;
        let subject = incident
            .subject
            .clone()
            .merged(open.as_deref().and_then(Subject::from_text));
        // A trigger of an incident that was resolved opens it again (PagerDuty opens a new
        // one under the same key), so it gets a new opened_at; an open one keeps its own.
        connection
            .prepare_cached(
                "INSERT INTO incidents (webhook, repository, dedup_key, event, subject, opened_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (webhook, dedup_key) DO UPDATE SET subject = excluded.subject,
                     opened_at = CASE WHEN resolved_at IS NULL THEN opened_at ELSE excluded.opened_at END,
                     resolved_at = NULL",
            )?
            .execute(params![
                incident.webhook,
                incident.repository,
                incident.dedup_key,
                incident.event,
                subject.to_text(),
                now
            ])?;
    }
    for outcome in resolves {
        if outcome.delivered {
            connection
                .prepare_cached(
                    "UPDATE incidents SET resolved_at = ?3, claimed_by = NULL, claimed_at = NULL
                     WHERE webhook = ?1 AND dedup_key = ?2",
                )?
                .execute(params![outcome.webhook, outcome.dedup_key, now])?;
        } else {
            // Only this run's own claim: one taken over by another run is no longer ours.
            connection
                .prepare_cached(
                    "UPDATE incidents SET claimed_by = NULL, claimed_at = NULL
                     WHERE webhook = ?1 AND dedup_key = ?2 AND claimed_by = ?3",
                )?
                .execute(params![outcome.webhook, outcome.dedup_key, claimant.run])?;
        }
    }
    Ok(())
}

pub(super) fn export(
    connection: &Connection,
    after: i64,
    limit: usize,
) -> rusqlite::Result<Vec<ExportedIncident>> {
    connection
        .prepare_cached(
            "SELECT id, webhook, repository, dedup_key, event, subject, opened_at, resolved_at
             FROM incidents WHERE id > ?1 ORDER BY id LIMIT ?2",
        )?
        .query_map(
            params![after, i64::try_from(limit).unwrap_or(i64::MAX)],
            |row| {
                Ok(ExportedIncident {
                    row: row.get(0)?,
                    webhook: row.get(1)?,
                    repository: row.get(2)?,
                    dedup_key: row.get(3)?,
                    event: row.get(4)?,
                    subject: row.get(5)?,
                    opened_at: row.get(6)?,
                    resolved_at: row.get(7)?,
                })
            },
        )?
        .collect()
}

/// Inside the caller's transaction: the incidents not there yet; returns how many.
pub(super) fn import(
    connection: &Connection,
    incidents: &[ExportedIncident],
) -> rusqlite::Result<usize> {
    let mut insert = connection.prepare_cached(
        "INSERT INTO incidents (webhook, repository, dedup_key, event, subject, opened_at, resolved_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (webhook, dedup_key) DO NOTHING",
    )?;
    let mut written = 0;
    for incident in incidents {
        written += insert.execute(params![
            incident.webhook,
            incident.repository,
            incident.dedup_key,
            incident.event,
            incident.subject,
            incident.opened_at,
            incident.resolved_at
        ])?;
    }
    Ok(written)
}
