//! The send pipeline that `emit`, `emit --report`, `send-test` and `redeliver` share: pick
//! the webhooks, turn envelopes into signed jobs, then either print them (`--dry-run`) or
//! deliver them, record every step in the history, prune it, and print the outcome.

mod fanout;
mod print;
mod select;

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::delivery::proxy::Proxies;
use crate::envelope::Envelope;
use crate::error::{failure, Completion};
use crate::event::Event;
use crate::history::incidents::IncidentAction;
use crate::history::{History, Status};
use crate::output::Output;
use crate::target::Target;

pub use fanout::{run, CONCURRENT_TARGETS};
pub use print::{event_label, print_dry_run, report};
pub use select::{enabled_webhooks, named_webhooks, select_targets};

/// One message to one webhook.
pub struct Job<'a> {
    pub target: &'a Target,
    pub event: Event,
    pub repository: String,
    pub test: bool,
    pub delivery_id: String,
    pub body: Vec<u8>,
    /// The body as the history keeps it (credentials such as a routing key removed).
    pub stored_body: String,
    pub redelivery_of: Option<i64>,
    /// A PagerDuty message's `event_action`; `None` for other channels.
    pub action: Option<IncidentAction>,
}

/// One line of the `emit`/`send-test`/`redeliver` result (docs/reference.md §6 shape).
#[derive(Debug, Clone, Serialize)]
pub struct JobResult {
    pub webhook: String,
    pub channel: String,
    pub event: String,
    /// A PagerDuty delivery's `event_action`; absent from the JSON for other channels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<IncidentAction>,
    pub delivery_id: String,
    pub status: Status,
    pub http_status: Option<u16>,
    pub attempts: u32,
    pub duration_ms: u64,
    pub error: Option<String>,
    pub log_id: i64,
}

impl JobResult {
    pub fn delivered(&self) -> bool {
        self.status == Status::Delivered
    }
}

/// Where a batch of jobs goes: printed only, or delivered and recorded.
pub enum Sending<'a> {
    /// `--dry-run`: print the exact requests; send and record nothing.
    DryRun,
    /// Deliver through `proxies`, record in `history`, then drop history older than
    /// `retention`.
    Deliver {
        history: &'a History,
        retention: Duration,
        proxies: &'a Arc<Proxies>,
    },
}

/// New deliveries: each envelope formatted for its target, with a fresh delivery id. One
/// target's envelopes keep the given order.
pub fn jobs<'a>(pairs: Vec<(&'a Target, Envelope)>) -> Vec<Job<'a>> {
    pairs
        .into_iter()
        .map(|(target, envelope)| {
            let body = target.formatter.body(&envelope, &target.format_context());
            Job {
                target,
                event: envelope.event,
                repository: envelope.repository,
                test: envelope.test,
                delivery_id: uuid::Uuid::new_v4().to_string(),
                stored_body: target.formatter.redacted_body(&body),
                body,
                redelivery_of: None,
                action: action_of(target),
            }
        })
        .collect()
}

/// A new message's `event_action`: a trigger for a service that keeps incidents.
fn action_of(target: &Target) -> Option<IncidentAction> {
    (target.channel == crate::channel::Channel::Pagerduty).then_some(IncidentAction::Trigger)
}

/// A message that closes the incident `incident_key` opened on `target` (PagerDuty's
/// `resolve`), about `event` in `repository`; `None` when the target keeps no incidents.
pub fn resolve_job<'a>(
    target: &'a Target,
    event: Event,
    repository: &str,
    incident_key: &str,
) -> Option<Job<'a>> {
    let body = target
        .formatter
        .resolve_body(incident_key, &target.format_context())?;
    Some(Job {
        target,
        event,
        repository: repository.to_string(),
        test: false,
        delivery_id: uuid::Uuid::new_v4().to_string(),
        stored_body: target.formatter.redacted_body(&body),
        body,
        redelivery_of: None,
        action: Some(IncidentAction::Resolve),
    })
}

/// Prints or delivers the jobs (see [`Sending`]) and prints the outcome; a dry run returns
/// no results.
pub fn send(
    jobs: Vec<Job<'_>>,
    sending: Sending,
    output: &Output,
) -> anyhow::Result<Vec<JobResult>> {
    let (history, retention, proxies) = match sending {
        Sending::DryRun => {
            print_dry_run(&jobs, output)?;
            return Ok(Vec::new());
        }
        Sending::Deliver {
            history,
            retention,
            proxies,
        } => (history, retention, proxies),
    };
    let results = run(jobs, history, output, proxies).map_err(failure)?;
    // A job whose pending row could not be written has no row (log_id 0).
    let written: Vec<i64> = results
        .iter()
        .map(|result| result.log_id)
        .filter(|row| *row > 0)
        .collect();
    prune(history, retention, &written, output);
    report(&results, output)?;
    Ok(results)
}

/// Every delivery succeeded (or nothing was sent).
pub fn completion(results: &[JobResult]) -> Completion {
    if results.iter().all(JobResult::delivered) {
        Completion::Success
    } else {
        Completion::Failed
    }
}

/// A sending command prunes the history when one of the delivery rows it wrote has an id
/// divisible by this: about one delivery in 16 across every runner sharing a history, on
/// either backend, rather than every run. On PostgreSQL each run is a fresh server session,
/// where the prune's statement costs about a millisecond (planned cold, one more round trip),
/// a tenth of an `emit`; and a fleet of runners no longer repeats the same delete, each
/// waiting on the others' row locks. Rows past the retention stay until the next such
/// delivery; `log prune` prunes at once.
pub const PRUNE_EVERY: i64 = 16;

/// Drops history past `retention` when `written` holds a row id divisible by
/// [`PRUNE_EVERY`]; a failure here is worth a warning, not a failed command.
pub fn prune(history: &History, retention: Duration, written: &[i64], output: &Output) {
    if !written.iter().any(|row| row % PRUNE_EVERY == 0) {
        return;
    }
    let Ok(span) = jiff::SignedDuration::try_from(retention) else {
        return;
    };
    let Ok(cutoff) = jiff::Timestamp::now().checked_sub(span) else {
        return;
    };
    if let Err(error) = history.prune(cutoff) {
        output.warn(&format!("pruning the history: {error}"));
    }
}
