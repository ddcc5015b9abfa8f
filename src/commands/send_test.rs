//! `staxhook send-test NAME`: built-in sample data, marked `"test": true`, to one webhook.

use super::Context;
use crate::envelope::Envelope;
use crate::error::CommandResult;
use crate::event::Event;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The webhook to send to (whatever its subscriptions)
    pub name: String,

    /// Which event's sample to send
    #[arg(long, value_name = "EVENT", default_value = "scan_complete")]
    pub event: String,
}

pub fn run(args: Args, context: &Context) -> CommandResult {
    let config = context.config()?;
    let event: Event = args.event.parse()?;
    let targets =
        super::emit::select_targets(&config, event, std::slice::from_ref(&args.name), "webhook")?;
    let repository = crate::repo::detect(None, &super::environment, &context.current_dir)
        .unwrap_or_else(|_| "staxhook/send-test".to_string());
    let envelope = Envelope::new(event, repository, event.sample_data(), true);
    let pairs = targets
        .iter()
        .map(|target| (target, envelope.clone()))
        .collect();
    let results = super::emit::send(&config, context, pairs, false)?;
    Ok(super::emit::completion(&results))
}
