//! `staxhook epss update`: fetch FIRST's daily EPSS scores into the data folder, beside the
//! KEV catalog.

use clap::Subcommand;

use super::{check_feed_url, environment, Context};
use crate::epss::{self, UpdateOutcome};
use crate::error::{failure, CommandResult, Completion};

#[derive(Debug, Subcommand)]
pub enum EpssCommand {
    /// Download today's scores (a conditional request; a failed or invalid download keeps the saved copy)
    Update {
        /// Where to download them from (a gzip-compressed CSV)
        #[arg(long, value_name = "URL", default_value = epss::FIRST_URL)]
        url: String,
    },
}

pub fn run(command: EpssCommand, context: &Context) -> CommandResult {
    match command {
        EpssCommand::Update { url } => {
            check_feed_url(&url)?;
            let path = epss::saved_path(&environment);
            let outcome = epss::update(&url, &path).map_err(failure)?;
            let of_day = |date: &Option<String>| {
                date.as_deref()
                    .map(|date| format!(" of {date}"))
                    .unwrap_or_default()
            };
            let (message, rows, score_date, updated) = match &outcome {
                UpdateOutcome::Updated {
                    rows,
                    score_date,
                    model_version,
                } => (
                    format!(
                        "Saved the EPSS scores{}{} for {rows} CVEs to {}.",
                        of_day(score_date),
                        model_version
                            .as_deref()
                            .map(|model| format!(" (model {model})"))
                            .unwrap_or_default(),
                        path.display()
                    ),
                    *rows,
                    score_date,
                    true,
                ),
                UpdateOutcome::NotModified { rows, score_date } => (
                    format!(
                        "The EPSS scores{} at {} are current ({rows} CVEs).",
                        of_day(score_date),
                        path.display()
                    ),
                    *rows,
                    score_date,
                    false,
                ),
            };
            if context.output.json {
                context.output.json(&serde_json::json!({
                    "path": path,
                    "rows": rows,
                    "score_date": score_date,
                    "updated": updated,
                }))?;
            } else {
                context.output.line(&message)?;
            }
            Ok(Completion::Success)
        }
    }
}
