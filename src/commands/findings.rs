//! `staxhook findings`: the finding state that `emit --report` keeps per repository.

use super::{history_error, Context};
use crate::error::{CommandResult, Completion};
use crate::history::findings::{FindingFilter, FindingRecord, FindingStatus};
use crate::names::{self, Named};
use crate::report::{Risk, Severity};

/// The order of `findings --sort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Per repository, the worst severity first (the history's own order).
    Severity,
    /// Known exploited first, then EPSS, then CVSS score, then severity, across repositories.
    Risk,
    /// The longest known first.
    FirstSeen,
}

impl Named for Order {
    const KIND: &'static str = "order";

    fn all() -> &'static [Order] {
        &[Order::Severity, Order::Risk, Order::FirstSeen]
    }

    fn name(self) -> &'static str {
        match self {
            Order::Severity => "severity",
            Order::Risk => "risk",
            Order::FirstSeen => "first-seen",
        }
    }
}

/// Puts rows that come in the history's order (repository, severity, id) in `order`; ties
/// keep that order.
fn sort(rows: &mut [FindingRecord], order: Order) {
    match order {
        Order::Severity => {}
        Order::Risk => rows.sort_by(|a, b| Risk::worst_first(&a.risk(), &b.risk())),
        Order::FirstSeen => rows.sort_by_key(|row| row.first_seen),
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this repository (OWNER/NAME)
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,

    /// Only open or only fixed findings
    #[arg(long, value_name = "STATUS", value_parser = names::value_parser::<FindingStatus>())]
    pub status: Option<FindingStatus>,

    /// Only this severity
    #[arg(long, value_name = "SEVERITY", value_parser = names::value_parser::<Severity>())]
    pub severity: Option<Severity>,

    /// The order: severity (per repository, worst first), risk (KEV, then EPSS, then CVSS score, then severity) or first-seen (oldest first)
    #[arg(long, value_name = "ORDER", default_value = "severity", value_parser = names::value_parser::<Order>())]
    pub sort: Order,
}

pub fn run(args: Args, context: &Context) -> CommandResult {
    let severity = args.severity;
    let config = context.config()?;
    let filter = FindingFilter {
        repository: args.repo.clone(),
        open: args.status.map(|status| status == FindingStatus::Open),
        severity,
    };
    let mut rows = match context.read_history(&config)? {
        Some(history) => history.findings(&filter).map_err(history_error)?,
        None => Vec::new(),
    };
    sort(&mut rows, args.sort);
    if context.output.json {
        context.output.json(&rows)?;
        return Ok(Completion::Success);
    }
    if rows.is_empty() {
        context
            .output
            .info("No findings recorded (that match). `staxhook emit --report FILE` records them.");
        return Ok(Completion::Success);
    }
    // The risk column only when some finding has something to show in it.
    let with_risk = rows.iter().any(|row| row.kev || row.epss.is_some());
    let mut headers = vec!["repository", "id", "package", "version", "severity"];
    if with_risk {
        headers.push("risk");
    }
    headers.extend(["fix", "status", "first seen", "notified"]);
    let table = context.output.table(
        &headers,
        rows.iter()
            .map(|row| {
                let mut cells = vec![
                    row.repository.clone(),
                    row.id.clone(),
                    row.package.name.clone(),
                    row.package.version.clone().unwrap_or_default(),
                    row.severity.clone(),
                ];
                if with_risk {
                    cells.push(risk_cell(row));
                }
                cells.extend([
                    row.fixed_version.clone().unwrap_or_default(),
                    row.status.to_string(),
                    row.first_seen.strftime("%Y-%m-%d").to_string(),
                    row.notified.join(", "),
                ]);
                cells
            })
            .collect(),
    );
    context.output.line(&table)?;
    Ok(Completion::Success)
}

/// `KEV, EPSS 0.94`: what puts a finding high in `--sort risk`, besides its severity.
fn risk_cell(row: &FindingRecord) -> String {
    let mut parts = Vec::new();
    if row.kev {
        parts.push("KEV".to_string());
    }
    if let Some(score) = row.epss {
        parts.push(format!("EPSS {score}"));
    }
    parts.join(", ")
}
