//! `staxhook kev update`: fetch the CISA KEV catalog into the data folder.

use clap::Subcommand;

use super::{check_feed_url, environment, Context};
use crate::error::{failure, CommandResult, Completion};
use crate::kev::{self, UpdateOutcome};

#[derive(Debug, Subcommand)]
pub enum KevCommand {
    /// Download the catalog (a conditional request; a failed or invalid download keeps the saved copy)
    Update {
        /// Where to download it from
        #[arg(long, value_name = "URL", default_value = kev::CISA_URL)]
        url: String,
    },
}

pub fn run(command: KevCommand, context: &Context) -> CommandResult {
    match command {
        KevCommand::Update { url } => {
            check_feed_url(&url)?;
            let path = kev::saved_path(&environment);
            let outcome = kev::update(&url, &path).map_err(failure)?;
            let (message, entries, updated) = match &outcome {
                UpdateOutcome::Updated { entries, version } => (
                    format!(
                        "Saved the KEV catalog{} with {entries} entries to {}.",
                        version
                            .as_deref()
                            .map(|version| format!(" {version}"))
                            .unwrap_or_default(),
                        path.display()
                    ),
                    *entries,
                    true,
                ),
                UpdateOutcome::NotModified { entries } => (
                    format!(
                        "The KEV catalog at {} is current ({entries} entries).",
                        path.display()
                    ),
                    *entries,
                    false,
                ),
            };
            if context.output.json {
                context.output.json(&serde_json::json!({
                    "path": path,
                    "entries": entries,
                    "updated": updated,
                }))?;
            } else {
                context.output.line(&message)?;
            }
            Ok(Completion::Success)
        }
    }
}
