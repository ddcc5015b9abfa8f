//! Which webhooks a message goes to: the ones named on the command line, or every enabled
//! subscriber — each resolved (environment read, URL checked) before anything is sent.

use anyhow::{anyhow, bail};

use crate::config::{Config, WebhookConfig};
use crate::event::Event;
use crate::names::choices_hint;
use crate::target::Target;

/// The targets an event goes to: the named webhooks, or every enabled subscriber. `source`
/// names where the names came from in errors (`--webhook`, or `webhook` for send-test's
/// argument).
pub fn select_targets(
    config: &Config,
    event: Event,
    names: &[String],
    source: &str,
    environment: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Vec<Target>> {
    let chosen = if names.is_empty() {
        config
            .webhooks
            .iter()
            .filter(|webhook| webhook.enabled && webhook.subscribed_to(event))
            .collect()
    } else {
        named_webhooks(config, names, source)?
    };
    chosen
        .into_iter()
        .map(|webhook| Target::resolve(webhook, &config.path, environment))
        .collect()
}

/// The named webhooks (whatever they subscribe to), else every enabled one: what a scanner
/// report's events may go to before each event's subscriptions are looked at.
pub fn enabled_webhooks<'a>(
    config: &'a Config,
    names: &[String],
    source: &str,
) -> anyhow::Result<Vec<&'a WebhookConfig>> {
    if names.is_empty() {
        return Ok(config
            .webhooks
            .iter()
            .filter(|webhook| webhook.enabled)
            .collect());
    }
    named_webhooks(config, names, source)
}

/// The webhooks named on the command line, whatever they subscribe to, each once: an
/// unknown name (with the closest suggested) or a disabled webhook is an error.
pub fn named_webhooks<'a>(
    config: &'a Config,
    names: &[String],
    source: &str,
) -> anyhow::Result<Vec<&'a WebhookConfig>> {
    let mut chosen: Vec<&WebhookConfig> = Vec::new();
    for name in names {
        let webhook = config.webhook(name).ok_or_else(|| {
            anyhow!(
                "{source} `{name}`: no such webhook in {}: {}",
                config.path.display(),
                choices_hint(name, config.webhook_names())
            )
        })?;
        if !webhook.enabled {
            bail!("{source} `{name}`: the webhook is disabled (enable it with `staxhook webhook enable {name}`)");
        }
        if !chosen.iter().any(|known| known.name == webhook.name) {
            chosen.push(webhook);
        }
    }
    Ok(chosen)
}
