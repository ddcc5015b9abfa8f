//! `staxhook emit`: one event built from the command line (`event.rs`), or every event a
//! scanner report implies (`report.rs`). Both share the flags below.

mod event;
mod report;

use super::Context;
use crate::error::CommandResult;
use crate::event::Event;
use crate::names;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The event to send (with --report: only events of this kind)
    #[arg(required_unless_present = "report", value_parser = names::value_parser::<Event>())]
    pub event: Option<Event>,

    #[command(flatten)]
    pub report: report::ReportArgs,

    /// Repository OWNER/NAME [default: from GITHUB_REPOSITORY, CI_PROJECT_PATH, BITBUCKET_REPO_FULL_NAME, BUILD_REPOSITORY_NAME or git's origin]
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,

    /// Event data: inline JSON, @FILE, or - for stdin
    #[arg(long, value_name = "JSON|@FILE|-", conflicts_with = "report")]
    pub data: Option<String>,

    /// Set a data field, e.g. --set package.name=xz (a value that parses as JSON is JSON)
    #[arg(long = "set", value_name = "PATH=VALUE", conflicts_with = "report")]
    pub sets: Vec<String>,

    /// Send only to this webhook, subscribed or not (repeatable)
    #[arg(long = "webhook", value_name = "NAME")]
    pub webhooks: Vec<String>,

    /// Print the exact requests (headers with signatures, body) without sending or recording
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(args: Args, context: &Context) -> CommandResult {
    match (&args.report.report, args.event) {
        (Some(path), _) => report::run(path, &args, context),
        (None, Some(event)) => event::run(event, &args, context),
        // clap requires one of the two; this only keeps the match total.
        (None, None) => anyhow::bail!("give an EVENT, or --report FILE"),
    }
}
