//! `staxhook emit EVENT`: build the event, send it to its webhooks, record every delivery.

use anyhow::{anyhow, bail};
use serde::Serialize;

use super::{environment, Context};
use crate::config::{Config, WebhookConfig};
use crate::dispatch::{self, Job};
use crate::envelope::Envelope;
use crate::error::{failure, CommandResult, Completion};
use crate::event::Event;
use crate::names::choices_hint;
use crate::payload;
use crate::target::Target;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// scan_complete, critical_vulnerability, kev_found, policy_violation or sla_breach (with --report: only events of this kind)
    #[arg(required_unless_present = "report")]
    pub event: Option<String>,

    #[command(flatten)]
    pub report: super::emit_report::ReportArgs,

    /// Repository OWNER/NAME [default: from GITHUB_REPOSITORY, CI_PROJECT_PATH, BITBUCKET_REPO_FULL_NAME, BUILD_REPOSITORY_NAME or git's origin]
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,

    /// Event data: inline JSON, @FILE, or - for stdin
    #[arg(long, value_name = "JSON|@FILE|-")]
    pub data: Option<String>,

    /// Set a data field, e.g. --set package.name=xz (a value that parses as JSON is JSON)
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,

    /// Send only to this webhook, subscribed or not (repeatable)
    #[arg(long = "webhook", value_name = "NAME")]
    pub webhooks: Vec<String>,

    /// Print the exact requests (headers with signatures, body) without sending or recording
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(args: Args, context: &Context) -> CommandResult {
    if args.report.report.is_some() {
        return super::emit_report::run(&args, context);
    }
    let config = context.config()?;
    let event: Event = args.event.as_deref().unwrap_or_default().parse()?;
    let mut data = match &args.data {
        Some(source) => payload::read_data(source, &mut std::io::stdin().lock())?,
        None => serde_json::Map::new(),
    };
    for pair in &args.sets {
        payload::apply_set(&mut data, pair)?;
    }
    payload::check_required(event, &data)?;
    let repository = crate::repo::detect(args.repo.as_deref(), &environment, &context.current_dir)?;

    let targets = select_targets(&config, event, &args.webhooks, "--webhook")?;
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
    let results = send(&config, context, pairs, args.dry_run)?;
    Ok(completion(&results))
}

/// The webhooks an event goes to: the named ones, or every enabled subscriber. Each is
/// resolved (environment read, URL checked) before anything is sent. `source` names where
/// the names came from in errors (`--webhook`, or `webhook` for send-test's argument).
pub fn select_targets(
    config: &Config,
    event: Event,
    names: &[String],
    source: &str,
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
        .map(|webhook| Target::resolve(webhook, &config.path, &environment))
        .collect()
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

#[derive(Serialize)]
struct DryRunRequest<'a> {
    webhook: &'a str,
    channel: String,
    url: &'a str,
    headers: serde_json::Map<String, serde_json::Value>,
    body: serde_json::Value,
}

/// Every delivery succeeded (or nothing was sent).
pub fn completion(results: &[dispatch::JobResult]) -> Completion {
    if results.iter().all(|result| result.delivered()) {
        Completion::Success
    } else {
        Completion::Failed
    }
}

/// Formats each envelope for its target and sends them (or, with `dry_run`, prints them
/// and returns no results). One target's envelopes go out in the given order.
pub fn send(
    config: &Config,
    context: &Context,
    pairs: Vec<(&Target, Envelope)>,
    dry_run: bool,
) -> anyhow::Result<Vec<dispatch::JobResult>> {
    let jobs: Vec<Job> = pairs
        .into_iter()
        .map(|(target, envelope)| {
            let body = target.formatter.body(&envelope, &target.format_context());
            Job {
                target,
                event: envelope.event,
                repository: envelope.repository.clone(),
                test: envelope.test,
                delivery_id: uuid::Uuid::new_v4().to_string(),
                stored_body: target.formatter.redacted_body(&body),
                body,
                redelivery_of: None,
            }
        })
        .collect();

    if dry_run {
        print_dry_run(&jobs, context)?;
        return Ok(Vec::new());
    }

    let history = context.open_history(config)?;
    let results = dispatch::run(jobs, &history, &context.output).map_err(failure)?;
    prune(&history, config, context);
    dispatch::report(&results, &context.output)?;
    Ok(results)
}

/// Drops history past `retention`; a failure here is worth a warning, not a failed command.
pub fn prune(history: &crate::history::History, config: &Config, context: &Context) {
    let Ok(span) = jiff::SignedDuration::try_from(config.defaults.retention) else {
        return;
    };
    let Ok(cutoff) = jiff::Timestamp::now().checked_sub(span) else {
        return;
    };
    if let Err(error) = history.prune(cutoff) {
        context
            .output
            .warn(&format!("pruning the history: {error}"));
    }
}

fn print_dry_run(jobs: &[Job], context: &Context) -> std::io::Result<()> {
    let requests: Vec<(DryRunRequest, &Job)> = jobs
        .iter()
        .map(|job| {
            let request = job.target.request(job.event, &job.delivery_id, &job.body);
            let headers = job
                .target
                .displayable_headers(&request)
                .into_iter()
                .map(|(name, value)| (name, serde_json::Value::String(value)))
                .collect();
            // The redacted form: a routing key inside the body is never printed.
            let body = serde_json::from_str(&job.stored_body)
                .unwrap_or_else(|_| serde_json::Value::String(job.stored_body.clone()));
            (
                DryRunRequest {
                    webhook: &job.target.name,
                    channel: job.target.channel.to_string(),
                    url: &job.target.masked_url,
                    headers,
                    body,
                },
                job,
            )
        })
        .collect();
    if context.output.json {
        let shapes: Vec<&DryRunRequest> = requests.iter().map(|(request, _)| request).collect();
        return context.output.json(&shapes);
    }
    for (request, job) in &requests {
        let mut text = format!(
            "POST {}    (webhook {}, channel {})\n",
            request.url, request.webhook, request.channel
        );
        for (name, value) in &request.headers {
            text.push_str(&format!("{name}: {}\n", value.as_str().unwrap_or_default()));
        }
        text.push('\n');
        text.push_str(&job.stored_body);
        text.push('\n');
        context.output.line(&text)?;
    }
    context
        .output
        .info("Dry run: nothing was sent and nothing was recorded.");
    Ok(())
}
