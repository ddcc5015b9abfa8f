//! `staxhook emit EVENT`: build one event from `--data`/`--set`, send it to its webhooks,
//! record every delivery.

use super::Args;
use crate::commands::{environment, Context};
use crate::dispatch;
use crate::envelope::Envelope;
use crate::error::{CommandResult, Completion};
use crate::event::Event;
use crate::payload;
use crate::target::Target;

pub fn run(event: Event, args: &Args, context: &Context) -> CommandResult {
    let config = context.config()?;
    let mut data = match &args.data {
        Some(source) => payload::read_data(source, &mut std::io::stdin().lock())?,
        None => serde_json::Map::new(),
    };
    for pair in &args.sets {
        payload::apply_set(&mut data, pair)?;
    }
    payload::check_required(event, &data)?;
    let repository = crate::repo::detect(args.repo.as_deref(), &environment, &context.current_dir)?;

    let targets =
        dispatch::select_targets(&config, event, &args.webhooks, "--webhook", &environment)?;
    if targets.is_empty() {
        context.output.info(&format!(
            "No enabled webhook is subscribed to {event}; nothing sent. (See `staxhook webhook list`.)"
        ));
        if context.output.json {
            context.output.json(&Vec::<()>::new())?;
        }
        return Ok(Completion::Success);
    }

    let envelope = Envelope::new(event, repository, data, false);
    let pairs: Vec<(&Target, Envelope)> = targets
        .iter()
        .map(|target| (target, envelope.clone()))
        .collect();
    let results = context.send(&config, dispatch::jobs(pairs), args.dry_run)?;
    Ok(dispatch::completion(&results))
}
