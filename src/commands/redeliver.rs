//! `staxhook redeliver`: send recorded deliveries again — same delivery id (the receiver's
//! idempotency key), fresh signature, the webhook's current URL and secret, a new history row.

use std::collections::HashMap;

use anyhow::{anyhow, bail};

use super::{environment, history_error, Context};
use crate::dispatch::{self, Job};
use crate::error::{failure, CommandResult, Completion};
use crate::event::Event;
use crate::history::findings::Claimant;
use crate::history::{DeliveryDetail, Status};
use crate::target::Target;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["ids", "failed"])))]
pub struct Args {
    /// Log ids of the deliveries to send again
    #[arg(value_name = "ID")]
    pub ids: Vec<i64>,

    /// Every delivery whose latest try failed (or whose process died while it was pending)
    #[arg(long, conflicts_with = "ids")]
    pub failed: bool,

    /// With --failed: only deliveries from the last DURATION
    #[arg(long, value_name = "DURATION", requires = "failed")]
    pub since: Option<String>,

    /// With --failed: only deliveries about this repository (exact)
    #[arg(long, value_name = "OWNER/NAME", conflicts_with = "ids")]
    pub repo: Option<String>,
}

pub fn run(args: Args, context: &Context) -> CommandResult {
    let config = context.config()?;
    let since = args
        .since
        .as_deref()
        .map(|text| crate::duration::ago(text, "--since"))
        .transpose()?;
    let repository = args
        .repo
        .as_deref()
        .map(crate::repo::validate)
        .transpose()?;
    let location = context.history_location(&config);
    let Some(history) = context.read_history(&config)? else {
        if args.failed {
            // A missing history is an empty one: nothing has failed.
            context
                .output
                .info("Nothing to redeliver (no history yet).");
            if context.output.json {
                context.output.json(&Vec::<()>::new())?;
            }
            return Ok(Completion::Success);
        }
        bail!("no history at {location}: nothing has been delivered yet");
    };

    let ids = if args.failed {
        // A pending row (or another run's claim) is only taken once no live process can
        // still be working on it; concurrent runs each send a delivery once.
        let claimant = Claimant {
            run: uuid::Uuid::new_v4().to_string(),
            now: jiff::Timestamp::now(),
            stale_before: crate::duration::before_now(
                config.claim_expiry(),
                "max_elapsed",
                "max_elapsed",
            )?,
        };
        history
            .claim_redeliverable(since, repository.as_deref(), &claimant)
            .map_err(history_error)?
    } else {
        args.ids.clone()
    };

    let mut details: Vec<DeliveryDetail> = Vec::with_capacity(ids.len());
    for id in &ids {
        let detail = history
            .get(*id)
            .map_err(history_error)?
            .ok_or_else(|| anyhow!("no delivery #{id} in the history {location}"))?;
        details.push(detail);
    }
    if details.is_empty() {
        context.output.info("Nothing to redeliver.");
        if context.output.json {
            context.output.json(&Vec::<()>::new())?;
        }
        return Ok(Completion::Success);
    }

    // Resolve every webhook before sending anything: a missing one stops the whole run.
    let mut targets: HashMap<String, Target> = HashMap::new();
    for detail in &details {
        let name = &detail.summary.webhook;
        if targets.contains_key(name) {
            continue;
        }
        let webhook = config.webhook(name).ok_or_else(|| {
            anyhow!(
                "delivery #{} went to webhook `{name}`, which is no longer in {}",
                detail.summary.id,
                config.path.display()
            )
        })?;
        if !webhook.enabled {
            bail!("delivery #{}: webhook `{name}` is disabled (enable it with `staxhook webhook enable {name}`)", detail.summary.id);
        }
        targets.insert(
            name.clone(),
            Target::resolve(webhook, &config.path, &environment)?,
        );
    }

    let mut jobs = Vec::with_capacity(details.len());
    for detail in &details {
        let summary = &detail.summary;
        let event: Event = summary.event.parse().map_err(|_| {
            anyhow!(
                "delivery #{}: unknown event `{}` in the history",
                summary.id,
                summary.event
            )
        })?;
        if summary.status == Status::Pending {
            history
                .mark_interrupted(
                    summary.id,
                    "interrupted before it finished; sent again by `staxhook redeliver`",
                )
                .map_err(failure)?;
        }
        let target = &targets[&summary.webhook];
        jobs.push(Job {
            target,
            event,
            repository: summary.repository.clone(),
            test: summary.test,
            delivery_id: summary.delivery_id.clone(),
            body: target
                .formatter
                .restored_body(&detail.request.raw_body, &target.format_context()),
            stored_body: detail.request.raw_body.clone(),
            redelivery_of: Some(summary.id),
            // A resolve is sent again as a resolve: the stored body says so, and so does the row.
            action: summary.action,
        });
    }

    let results = dispatch::run(jobs, &history, &context.output).map_err(failure)?;
    dispatch::report(&results, &context.output)?;
    Ok(dispatch::completion(&results))
}
