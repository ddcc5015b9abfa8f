//! `staxhook history copy FROM TO`: moves a whole history (every delivery with its attempts,
//! the finding state and the PagerDuty incidents) from one place to another, a SQLite file or
//! a PostgreSQL database either way (docs/reference.md §10). Running it again copies nothing
//! twice: a delivery is known by its delivery UUID and created time, an attempt by its number
//! within its delivery, a finding by its key, an incident by its webhook and dedup key, so a
//! copy that was interrupted is finished by running it again.

use std::collections::HashMap;
use std::ffi::OsString;

use anyhow::{anyhow, bail};
use clap::Subcommand;
use serde::Serialize;

use super::{environment, history_error, Context};
use crate::error::{failure, CommandResult, Completion};
use crate::history::{History, HistoryLocation};

/// Deliveries read per round: bounded memory whatever the size of the history.
const DELIVERY_BATCH: usize = 500;

/// Findings read and written per round (and per write transaction).
const FINDING_BATCH: usize = 1000;

#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// Copy every delivery, attempt, finding and PagerDuty incident from one history to another (a SQLite file or a postgres:// URL each); running it again copies nothing twice
    Copy(CopyArgs),
}

#[derive(Debug, clap::Args)]
pub struct CopyArgs {
    /// The history to read: a SQLite file or a postgres:// URL
    #[arg(value_name = "FROM")]
    pub from: OsString,

    /// The history to write, created when missing: a SQLite file or a postgres:// URL
    #[arg(value_name = "TO")]
    pub to: OsString,
}

/// How many rows of each kind (docs/reference.md §10 JSON shape).
#[derive(Debug, Default, Clone, Copy, Serialize)]
struct Counts {
    deliveries: usize,
    attempts: usize,
    findings: usize,
    incidents: usize,
}

#[derive(Debug, Serialize)]
struct Outcome {
    from: String,
    to: String,
    copied: Counts,
    skipped: Counts,
}

pub fn run(command: HistoryCommand, context: &Context) -> CommandResult {
    match command {
        HistoryCommand::Copy(args) => copy(&args, context),
    }
}

fn copy(args: &CopyArgs, context: &Context) -> CommandResult {
    let from = HistoryLocation::parse(&args.from, &environment)
        .map_err(|error| anyhow!("FROM: {error}"))?;
    let to =
        HistoryLocation::parse(&args.to, &environment).map_err(|error| anyhow!("TO: {error}"))?;
    if from == to {
        bail!("FROM and TO are the same history ({from})");
    }
    let source = History::open_existing(&from)
        .map_err(history_error)?
        .ok_or_else(|| anyhow!("FROM: no history at {from}"))?;
    context.output.detail(&format!("copying {from} to {to}"));
    let target = History::open(&to).map_err(history_error)?;

    let mut outcome = Outcome {
        from: from.display(),
        to: to.display(),
        copied: Counts::default(),
        skipped: Counts::default(),
    };
    // Row ids differ between the two histories: a redelivery's `redelivery_of` is re-pointed
    // at the copy of its original. Originals come first (they are older, so lower ids).
    let mut copies: HashMap<i64, i64> = HashMap::new();
    let mut after = 0;
    loop {
        let batch = source
            .export_deliveries(after, DELIVERY_BATCH)
            .map_err(failure)?;
        let Some(last) = batch.last() else {
            break;
        };
        after = last.id;
        for delivery in &batch {
            let redelivery_of = delivery
                .delivery
                .redelivery_of
                .and_then(|original| copies.get(&original).copied());
            let imported = target
                .import_delivery(delivery, redelivery_of)
                .map_err(failure)?;
            copies.insert(delivery.id, imported.id);
            if imported.delivery_copied {
                outcome.copied.deliveries += 1;
            } else {
                outcome.skipped.deliveries += 1;
            }
            outcome.copied.attempts += imported.attempts_copied;
            outcome.skipped.attempts += imported.attempts_skipped;
        }
    }
    let mut after = 0;
    loop {
        let batch = source
            .export_findings(after, FINDING_BATCH)
            .map_err(failure)?;
        let Some(last) = batch.last() else {
            break;
        };
        after = last.row;
        let copied = target.import_findings(&batch).map_err(failure)?;
        outcome.copied.findings += copied;
        outcome.skipped.findings += batch.len() - copied;
    }
    // PagerDuty incidents, so the new history resolves what the old one opened.
    let mut after = 0;
    loop {
        let batch = source
            .export_incidents(after, FINDING_BATCH)
            .map_err(failure)?;
        let Some(last) = batch.last() else {
            break;
        };
        after = last.row;
        let copied = target.import_incidents(&batch).map_err(failure)?;
        outcome.copied.incidents += copied;
        outcome.skipped.incidents += batch.len() - copied;
    }

    if context.output.json {
        context.output.json(&outcome)?;
    } else {
        let (copied, skipped) = (outcome.copied, outcome.skipped);
        context.output.line(&format!(
            "copied {} deliveries, {} attempts, {} findings, {} incidents; skipped {} deliveries, \
             {} attempts, {} findings, {} incidents (already in {})",
            copied.deliveries,
            copied.attempts,
            copied.findings,
            copied.incidents,
            skipped.deliveries,
            skipped.attempts,
            skipped.findings,
            skipped.incidents,
            outcome.to
        ))?;
    }
    Ok(Completion::Success)
}
