//! `staxhook webhook add|list|rm|enable|disable`: managing webhooks in the config.

use anyhow::{anyhow, bail, Context as _};
use base64::Engine as _;
use clap::Subcommand;
use serde::Serialize;
use url::Url;

use super::{environment, Context};
use crate::channel::{Channel, PAGERDUTY_EVENTS_URL};
use crate::config::edit::NewWebhook;
use crate::config::{
    check_url_syntax, is_loopback, validate_header_name, validate_webhook_name, ConfigEditor,
    Template,
};
use crate::error::{CommandResult, Completion};
use crate::event::Event;
use crate::names;

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Add a webhook (prints a generated signing secret once unless --secret/--secret-env is given)
    Add(AddArgs),
    /// List the configured webhooks
    List,
    /// Remove a webhook
    Rm {
        /// The webhook's name
        name: String,
    },
    /// Enable a webhook
    Enable {
        /// The webhook's name
        name: String,
    },
    /// Disable a webhook (emit skips it; naming it with --webhook is an error)
    Disable {
        /// The webhook's name
        name: String,
    },
    /// Replace the signing secret with a new generated one (printed once); during the grace
    /// period requests carry both signatures and `verify` accepts either
    RotateSecret {
        /// The webhook's name
        name: String,
        /// How long the old secret keeps signing (0s: stop at once)
        #[arg(long, value_name = "DURATION", default_value = "24h")]
        grace: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// Name: 1 to 64 of A-Z a-z 0-9 _ -
    pub name: String,

    /// Endpoint URL; may reference environment variables as ${NAME}
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// The service [default: guessed from the URL]
    #[arg(long, value_name = "CHANNEL", value_parser = names::value_parser::<Channel>())]
    pub channel: Option<Channel>,

    /// Subscribe to this event (repeatable) [default: all events; for pagerduty the paging ones]
    #[arg(long = "event", value_name = "EVENT", value_parser = names::value_parser::<Event>())]
    pub events: Vec<Event>,

    /// Signing secret to store in the config
    #[arg(long, value_name = "SECRET", conflicts_with = "secret_env")]
    pub secret: Option<String>,

    /// Read the signing secret from this environment variable at send time
    #[arg(long, value_name = "VAR")]
    pub secret_env: Option<String>,

    /// Read the PagerDuty routing key from this environment variable at send time
    #[arg(long, value_name = "VAR")]
    pub routing_key_env: Option<String>,

    /// Extra request header (repeatable)
    #[arg(long = "header", value_name = "NAME=VALUE")]
    pub headers: Vec<String>,

    /// Allow plain http:// to a host other than loopback
    #[arg(long)]
    pub allow_insecure: bool,
}

pub fn run(command: WebhookCommand, context: &Context) -> CommandResult {
    match command {
        WebhookCommand::Add(args) => add(args, context),
        WebhookCommand::List => list(context),
        WebhookCommand::Rm { name } => edit(context, &name, Edit::Remove),
        WebhookCommand::Enable { name } => edit(context, &name, Edit::Enabled(true)),
        WebhookCommand::Disable { name } => edit(context, &name, Edit::Enabled(false)),
        WebhookCommand::RotateSecret { name, grace } => rotate_secret(context, &name, &grace),
    }
}

fn add(args: AddArgs, context: &Context) -> CommandResult {
    let config = context.config()?;
    validate_webhook_name(&args.name).map_err(anyhow::Error::msg)?;
    if config.webhook(&args.name).is_some() {
        bail!(
            "webhook `{}` already exists in {} (remove it first with `staxhook webhook rm {}`)",
            args.name,
            config.path.display(),
            args.name
        );
    }

    let explicit_channel = args.channel;
    let url = match &args.url {
        Some(text) => Some(check_new_url(text, args.allow_insecure)?),
        None => None,
    };
    let channel = explicit_channel.unwrap_or_else(|| {
        url.as_ref()
            .and_then(|(_, parsed)| parsed.as_ref())
            .map_or(Channel::Generic, Channel::infer)
    });
    if url.is_none() && channel != Channel::Pagerduty {
        bail!("--url is required (only pagerduty webhooks have a default URL, {PAGERDUTY_EVENTS_URL})");
    }

    let routing_key = match (&args.routing_key_env, channel) {
        (Some(variable), Channel::Pagerduty) => Some(reference(variable, "--routing-key-env")?),
        (Some(_), _) => bail!("--routing-key-env: only pagerduty webhooks take a routing key"),
        (None, Channel::Pagerduty) => {
            bail!("a pagerduty webhook needs --routing-key-env VAR (the variable that holds the integration key)")
        }
        (None, _) => None,
    };

    let mut events = Vec::new();
    for event in &args.events {
        if !events.contains(&event.as_str().to_string()) {
            events.push(event.as_str().to_string());
        }
    }

    let mut headers = Vec::new();
    for pair in &args.headers {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| anyhow!("--header `{pair}`: expected NAME=VALUE"))?;
        validate_header_name(name).map_err(|message| anyhow!("--header: {message}"))?;
        Template::parse(value).with_context(|| format!("--header {name}"))?;
        headers.push((name.to_string(), value.to_string()));
    }

    let (secret, generated) = match (&args.secret, &args.secret_env) {
        (Some(secret), _) if secret.is_empty() => bail!("--secret is empty"),
        (Some(secret), _) => (secret.clone(), false),
        (None, Some(variable)) => (reference(variable, "--secret-env")?, false),
        (None, None) => (generate_secret()?, true),
    };

    let webhook = NewWebhook {
        channel: channel.to_string(),
        url: url.map(|(text, _)| text),
        events,
        secret: Some(secret.clone()),
        routing_key,
        headers,
        allow_insecure: args.allow_insecure,
    };
    let mut editor = ConfigEditor::open(&config.path)?;
    editor.add_webhook(&args.name, &webhook)?;
    editor.save(&environment)?;

    context.output.info(&format!(
        "Added webhook `{}` ({channel}) to {}.",
        args.name,
        config.path.display()
    ));
    if generated {
        context.output.info(
            "Its signing secret is below; it is shown only this once (it is stored in the config):",
        );
    }
    if context.output.json {
        #[derive(Serialize)]
        struct Added<'a> {
            name: &'a str,
            channel: Channel,
            secret: Option<&'a str>,
        }
        context.output.json(&Added {
            name: &args.name,
            channel,
            secret: generated.then_some(secret.as_str()),
        })?;
    } else if generated {
        context.output.line(&secret)?;
    }
    Ok(Completion::Success)
}

/// Checks a new URL; returns the text to store and, when it has no `${VAR}` left unresolved,
/// the parsed URL (used to guess the channel).
fn check_new_url(text: &str, allow_insecure: bool) -> anyhow::Result<(String, Option<Url>)> {
    let template = Template::parse(text).context("--url")?;
    let resolved = match template.resolve(&environment) {
        Ok(resolved) => resolved,
        // Not set here (perhaps only in CI): stored as written, checked when it is used.
        Err(_) => return Ok((text.to_string(), None)),
    };
    let url = check_url_syntax(&resolved).map_err(|message| anyhow!("--url: {message}"))?;
    if url.scheme() == "http" && !is_loopback(&url) && !allow_insecure {
        bail!(
            "--url: plain http:// to {} is refused; use https, or pass --allow-insecure",
            url.host_str().unwrap_or_default()
        );
    }
    Ok((text.to_string(), Some(url)))
}

fn reference(variable: &str, flag: &str) -> anyhow::Result<String> {
    let text = format!("${{{variable}}}");
    Template::parse(&text)
        .map_err(|_| anyhow!("{flag} `{variable}`: not a valid environment variable name"))?;
    Ok(text)
}

/// `whsec_` + base64 of 32 random bytes from the operating system.
fn generate_secret() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| anyhow!("no randomness from the OS: {error}"))?;
    Ok(format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

#[derive(Serialize)]
struct Listed {
    name: String,
    channel: Channel,
    url: String,
    events: Vec<&'static str>,
    enabled: bool,
    signed: bool,
}

fn list(context: &Context) -> CommandResult {
    let config = context.config()?;
    let rows: Vec<Listed> = config
        .webhooks
        .iter()
        .map(|webhook| Listed {
            name: webhook.name.clone(),
            channel: webhook.channel,
            url: shown_url(webhook),
            events: webhook.events.iter().map(|event| event.as_str()).collect(),
            enabled: webhook.enabled,
            signed: webhook.secret.is_some(),
        })
        .collect();
    if context.output.json {
        context.output.json(&rows)?;
        return Ok(Completion::Success);
    }
    if rows.is_empty() {
        context.output.info(&format!(
            "No webhooks in {}. Add one with `staxhook webhook add NAME --url URL`.",
            config.path.display()
        ));
        return Ok(Completion::Success);
    }
    let table = context.output.table(
        &["name", "channel", "url", "events", "enabled", "signed"],
        rows.iter()
            .map(|row| {
                let events = if row.events.len() == Event::ALL.len() {
                    "all".to_string()
                } else {
                    row.events.join(", ")
                };
                vec![
                    row.name.clone(),
                    row.channel.to_string(),
                    row.url.clone(),
                    events,
                    if row.enabled { "yes" } else { "no" }.to_string(),
                    if row.signed { "yes" } else { "unsigned" }.to_string(),
                ]
            })
            .collect(),
    );
    context.output.line(&table)?;
    Ok(Completion::Success)
}

/// A `${VAR}` URL is shown as written (it holds no secret); a literal one masked.
fn shown_url(webhook: &crate::config::WebhookConfig) -> String {
    match &webhook.url {
        Some(setting) if !setting.value.expose().is_literal() => {
            setting.value.expose().raw().to_string()
        }
        Some(setting) => Url::parse(setting.value.expose().raw())
            .map(|url| webhook.channel.mask_url(&url))
            .unwrap_or_else(|_| "(invalid)".into()),
        None => Url::parse(PAGERDUTY_EVENTS_URL)
            .map(|url| webhook.channel.mask_url(&url))
            .unwrap_or_default(),
    }
}

fn rotate_secret(context: &Context, name: &str, grace: &str) -> CommandResult {
    let grace = crate::duration::parse_duration(grace).context("--grace")?;
    let config = context.config()?;
    let webhook = config.require_webhook(name)?;
    let previous = match &webhook.secret {
        Some(setting) if !setting.value.expose().is_literal() => bail!(
            "the secret of webhook `{name}` comes from {} ({}); rotate it where that is set",
            setting.value.expose().raw(),
            setting.key
        ),
        Some(setting) => Some(setting.value.expose().raw().to_string()),
        None => None,
    };
    let until = crate::duration::after_now(grace)?;
    let secret = generate_secret()?;
    let mut editor = ConfigEditor::open(&config.path)?;
    let keep = previous
        .as_deref()
        .filter(|_| !grace.is_zero())
        .map(|old| (old, until));
    if !editor.rotate_secret(name, &secret, keep) {
        bail!(
            "webhook `{name}` in {} is laid out in a way staxhook cannot edit",
            config.path.display()
        );
    }
    editor.save(&environment)?;

    match keep {
        Some((_, until)) => context.output.info(&format!(
            "Rotated the secret of `{name}`. Until {} requests carry both signatures, and `verify --webhook {name}` accepts either.",
            until.strftime("%Y-%m-%d %H:%M:%S UTC")
        )),
        None => context.output.info(&format!("Rotated the secret of `{name}`; the old one no longer signs.")),
    }
    context.output.info(
        "The new signing secret is below; it is shown only this once (it is stored in the config):",
    );
    if context.output.json {
        context
            .output
            .json(&serde_json::json!({"name": name, "secret": secret}))?;
    } else {
        context.output.line(&secret)?;
    }
    Ok(Completion::Success)
}

enum Edit {
    Remove,
    Enabled(bool),
}

fn edit(context: &Context, name: &str, edit: Edit) -> CommandResult {
    let config = context.config()?;
    config.require_webhook(name)?;
    let mut editor = ConfigEditor::open(&config.path)?;
    // false: removed by someone else since the config was read, or laid out unusually.
    let (changed, message) = match edit {
        Edit::Remove => (
            editor.remove_webhook(name),
            format!("Removed webhook `{name}`."),
        ),
        Edit::Enabled(enabled) => (
            editor.set_enabled(name, enabled),
            format!(
                "{} webhook `{name}`.",
                if enabled { "Enabled" } else { "Disabled" }
            ),
        ),
    };
    if !changed {
        bail!(
            "webhook `{name}` could not be edited in {}; change it by hand",
            config.path.display()
        );
    }
    editor.save(&environment)?;
    context.output.info(&message);
    Ok(Completion::Success)
}
