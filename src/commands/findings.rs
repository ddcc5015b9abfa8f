//! `staxhook findings`: the finding state that `emit --report` keeps per repository.

use super::{history_error, Context};
use crate::error::{CommandResult, Completion};
use crate::history::findings::{FindingFilter, FindingStatus};
use crate::names;
use crate::report::Severity;

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
}

pub fn run(args: Args, context: &Context) -> CommandResult {
    let severity = args.severity;
    let config = context.config()?;
    let filter = FindingFilter {
        repository: args.repo.clone(),
        open: args.status.map(|status| status == FindingStatus::Open),
        severity,
    };
    let rows = match context.read_history(&config)? {
        Some(history) => history.findings(&filter).map_err(history_error)?,
        None => Vec::new(),
    };
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
    let table = context.output.table(
        &[
            "repository",
            "id",
            "package",
            "version",
            "severity",
            "fix",
            "status",
            "first seen",
            "notified",
        ],
        rows.iter()
            .map(|row| {
                vec![
                    row.repository.clone(),
                    row.id.clone(),
                    row.package.name.clone(),
                    row.package.version.clone().unwrap_or_default(),
                    row.severity.clone(),
                    row.fixed_version.clone().unwrap_or_default(),
                    row.status.to_string(),
                    row.first_seen.strftime("%Y-%m-%d").to_string(),
                    row.notified.join(", "),
                ]
            })
            .collect(),
    );
    context.output.line(&table)?;
    Ok(Completion::Success)
}
