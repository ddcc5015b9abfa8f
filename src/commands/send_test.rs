//! `staxhook send-test NAME`: built-in sample data, marked `"test": true`, to one webhook.

use super::{environment, Context};
use crate::dispatch;
use crate::envelope::Envelope;
use crate::error::CommandResult;
use crate::event::Event;
use crate::names;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The webhook to send to (whatever its subscriptions)
    pub name: String,

    /// Which event's sample to send
    #[arg(
        long,
        value_name = "EVENT",
        default_value = "scan_complete",
        value_parser = names::value_parser::<Event>()
    )]
    pub event: Event,
}

pub fn run(args: Args, context: &Context) -> CommandResult {
    let config = context.config()?;
    let event = args.event;
    let targets = dispatch::select_targets(
        &config,
        event,
        std::slice::from_ref(&args.name),
        "webhook",
        &environment,
    )?;
    let repository = crate::repo::detect(None, &environment, &context.current_dir)
        .unwrap_or_else(|_| "staxhook/send-test".to_string());
    let envelope = Envelope::new(event, repository, event.sample_data(), true);
    let pairs = targets
        .iter()
        .map(|target| (target, envelope.clone()))
        .collect();
    let results = context.send(&config, dispatch::jobs(pairs), false)?;
    Ok(dispatch::completion(&results))
}
