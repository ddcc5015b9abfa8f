//! The SQL of PagerDuty incidents on PostgreSQL, as `sqlite/incidents.rs` does it: claiming
//! the resolves a report makes due (inside the reconcile transaction, under the repository's
//! advisory lock), and opening and closing incidents after dispatch.

use tokio_postgres::{Client, GenericClient};

use super::query::text;
use crate::history::findings::{Claim, Claimant};
use crate::history::incidents::*;

/// Inside the caller's reconcile transaction: the repository's open incidents that `scope`
/// resolves and no other live run is resolving, each claimed for `claimant`.
pub(super) async fn claim_resolves(
    transaction: &(impl GenericClient + Sync),
    repository: &str,
    scope: &IncidentScope,
    claimant: &Claimant,
) -> Result<Vec<Incident>, tokio_postgres::Error> {
    if scope.webhooks.is_empty() {
        return Ok(Vec::new());
    }
    let rows = transaction
        .query(
            &format!(
                "SELECT {} FROM staxhook.incidents \
                  WHERE repository = $1 AND resolved_at IS NULL ORDER BY id",
                StoredIncident::COLUMNS
            ),
            &[&text(repository)],
        )
        .await?;
    let mut claimed = Vec::new();
    for row in rows {
        let stored = StoredIncident {
            webhook: row.try_get(0)?,
            dedup_key: row.try_get(1)?,
            event: row.try_get(2)?,
            subject: row.try_get(3)?,
            claim: Claim {
                by: row.try_get(4)?,
                at: row.try_get(5)?,
            },
        };
        if let Some(incident) = stored.claimable(repository, scope, claimant) {
            transaction
                .execute(
                    "UPDATE staxhook.incidents SET claimed_by = $3, claimed_at = $4 \
                      WHERE webhook = $1 AND dedup_key = $2",
                    &[
                        &incident.webhook,
                        &incident.dedup_key,
                        &text(&claimant.run),
                        &claimant.now.as_millisecond(),
                    ],
                )
                .await?;
            claimed.push(incident);
        }
    }
    Ok(claimed)
}

/// Opens (or keeps open) the incidents of delivered triggers, closes those of delivered
/// resolves, and releases this run's other resolve claims, in one transaction.
pub(super) async fn settle(
    client: &mut Client,
    claimant: &Claimant,
    opened: &[Incident],
    resolves: &[ResolveOutcome],
) -> Result<(), tokio_postgres::Error> {
    let now = claimant.now.as_millisecond();
    let transaction = client.transaction().await?;
    for incident in opened {
        let (webhook, dedup_key) = (text(&incident.webhook), text(&incident.dedup_key));
        // Row-locked, so a digest's members from two runs at once both survive.
        let open: Option<String> = transaction
            .query_opt(
                "SELECT subject FROM staxhook.incidents \
                  WHERE webhook = $1 AND dedup_key = $2 AND resolved_at IS NULL FOR UPDATE",
                &[&webhook, &dedup_key],
            )
            .await?
            .map(|row| row.try_get(0))
            .transpose()?;
        let subject = incident
            .subject
            .clone()
            .merged(open.as_deref().and_then(Subject::from_text));
        // A trigger of a resolved incident opens it again with a new opened_at (PagerDuty
        // opens a new incident under the same key); an open one keeps its own.
        transaction
            .execute(
                "INSERT INTO staxhook.incidents (webhook, repository, dedup_key, event, subject, \
                     opened_at) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (webhook, dedup_key) DO UPDATE SET subject = excluded.subject,
                     opened_at = CASE WHEN staxhook.incidents.resolved_at IS NULL
                                      THEN staxhook.incidents.opened_at ELSE excluded.opened_at END,
                     resolved_at = NULL",
                &[
                    &webhook,
                    &text(&incident.repository),
                    &dedup_key,
                    &text(&incident.event),
                    &subject.to_text(),
                    &now,
                ],
            )
            .await?;
    }
    for outcome in resolves {
        let (webhook, dedup_key) = (text(&outcome.webhook), text(&outcome.dedup_key));
        if outcome.delivered {
            transaction
                .execute(
                    "UPDATE staxhook.incidents SET resolved_at = $3, claimed_by = NULL, \
                            claimed_at = NULL WHERE webhook = $1 AND dedup_key = $2",
                    &[&webhook, &dedup_key, &now],
                )
                .await?;
        } else {
            // Only this run's own claim: one taken over by another run is no longer ours.
            transaction
                .execute(
                    "UPDATE staxhook.incidents SET claimed_by = NULL, claimed_at = NULL \
                      WHERE webhook = $1 AND dedup_key = $2 AND claimed_by = $3",
                    &[&webhook, &dedup_key, &text(&claimant.run)],
                )
                .await?;
        }
    }
    transaction.commit().await
}
