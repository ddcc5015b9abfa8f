//! `staxhook log`: the delivery history as a table or JSON, one delivery in detail
//! (`log show`), and pruning (`log prune`).

use anyhow::{anyhow, bail};
use clap::Subcommand;

use super::{history_error, Context};
use crate::duration::format_short;
use crate::error::{CommandResult, Completion};
use crate::event::Event;
use crate::history::{format_timestamp, DeliveryDetail, LogFilter, Status, DEFAULT_LOG_LIMIT};
use crate::names;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<LogAction>,

    /// Only deliveries to this webhook
    #[arg(long, value_name = "NAME")]
    pub webhook: Option<String>,

    /// Only this event
    #[arg(long, value_name = "EVENT", value_parser = names::value_parser::<Event>())]
    pub event: Option<Event>,

    /// Only deliveries with this status
    #[arg(long, value_name = "STATUS", value_parser = names::value_parser::<Status>())]
    pub status: Option<Status>,

    /// Only deliveries about this repository (exact)
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,

    /// Only deliveries from the last DURATION (e.g. 24h)
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,

    /// At most N rows, newest first
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LOG_LIMIT)]
    pub limit: usize,
}

#[derive(Debug, Subcommand)]
pub enum LogAction {
    /// One delivery in detail: request and every attempt's response, like curl -v
    Show {
        /// The delivery's log id (the number in `staxhook log`)
        id: i64,
    },
    /// Delete history older than a duration
    Prune {
        /// Delete deliveries older than this [default: the configured retention]
        #[arg(long, value_name = "DURATION")]
        older_than: Option<String>,
    },
}

pub fn run(args: Args, context: &Context) -> CommandResult {
    match args.action {
        Some(LogAction::Show { id }) => show(id, context),
        Some(LogAction::Prune { older_than }) => prune(older_than.as_deref(), context),
        None => list(&args, context),
    }
}

fn list(args: &Args, context: &Context) -> CommandResult {
    let event = args.event;
    let status = args.status;
    let since = args
        .since
        .as_deref()
        .map(|text| crate::duration::ago(text, "--since"))
        .transpose()?;
    if args.limit == 0 {
        bail!("--limit must be at least 1");
    }
    let repository = args
        .repo
        .as_deref()
        .map(crate::repo::validate)
        .transpose()?;
    let config = context.config()?;
    let filter = LogFilter {
        webhook: args.webhook.clone(),
        event: event.map(|event| event.to_string()),
        status,
        repository,
        since,
        limit: args.limit,
    };
    let rows = match context.read_history(&config)? {
        Some(history) => history.list(&filter).map_err(history_error)?,
        None => Vec::new(),
    };
    if context.output.json {
        context.output.json(&rows)?;
        return Ok(Completion::Success);
    }
    if rows.is_empty() {
        context.output.info("No deliveries recorded (that match).");
        return Ok(Completion::Success);
    }
    let table = context.output.table(
        &[
            "id",
            "created (UTC)",
            "webhook",
            "event",
            "repository",
            "status",
            "http",
            "tries",
            "time",
            "error",
        ],
        rows.iter()
            .map(|row| {
                let mut event = crate::dispatch::event_label(&row.event, row.action);
                if row.test {
                    event.push_str(" (test)");
                }
                vec![
                    row.id.to_string(),
                    row.created_at.strftime("%Y-%m-%d %H:%M:%S").to_string(),
                    row.webhook.clone(),
                    event,
                    row.repository.clone(),
                    row.status.to_string(),
                    row.http_status
                        .map_or_else(|| "-".into(), |status| status.to_string()),
                    row.attempts.to_string(),
                    format_short(std::time::Duration::from_millis(row.duration_ms)),
                    row.error
                        .as_deref()
                        .map(|error| crate::channel::text::truncate_chars(error, 80))
                        .unwrap_or_default(),
                ]
            })
            .collect(),
    );
    context.output.line(&table)?;
    Ok(Completion::Success)
}

fn show(id: i64, context: &Context) -> CommandResult {
    let config = context.config()?;
    let location = context.history_location(&config);
    let detail = context
        .read_history(&config)?
        .map(|history| history.get(id))
        .transpose()
        .map_err(history_error)?
        .flatten()
        .ok_or_else(|| anyhow!("no delivery #{id} in the history {location}"))?;
    if context.output.json {
        context.output.json(&detail)?;
    } else {
        context.output.line(&render_detail(&detail))?;
    }
    Ok(Completion::Success)
}

/// The `curl -v` view: `>` for what was sent, `<` for what came back, `*` for notes.
fn render_detail(detail: &DeliveryDetail) -> String {
    let summary = &detail.summary;
    let mut text = String::new();
    text.push_str(&format!(
        "* delivery #{} {} — webhook {} ({}), event {}{}\n",
        summary.id,
        summary.status,
        summary.webhook,
        summary.channel,
        crate::dispatch::event_label(&summary.event, summary.action),
        if summary.test { " (test)" } else { "" }
    ));
    text.push_str(&format!(
        "* delivery id {}, repository {}, created {}\n",
        summary.delivery_id,
        summary.repository,
        format_timestamp(summary.created_at)
    ));
    if let Some(original) = detail.redelivery_of {
        text.push_str(&format!("* redelivery of #{original}\n"));
    }
    if let Some(error) = &summary.error {
        text.push_str(&format!("* error: {error}\n"));
    }
    text.push_str(&format!("> POST {}\n", detail.request.url));
    for (name, value) in &detail.request.raw_headers {
        text.push_str(&format!("> {name}: {value}\n"));
    }
    text.push_str(">\n");
    text.push_str(&pretty_body(&detail.request.raw_body));
    for attempt in &detail.attempts {
        text.push_str(&format!(
            "\n* attempt {} at {}, {}\n",
            attempt.number,
            format_timestamp(attempt.started_at),
            format_short(std::time::Duration::from_millis(attempt.duration_ms))
        ));
        match (attempt.http_status, &attempt.error) {
            (Some(status), _) => {
                text.push_str(&format!("< HTTP {status}\n"));
                for (name, value) in &attempt.response_headers {
                    text.push_str(&format!(
                        "< {name}: {}\n",
                        value.as_str().unwrap_or_default()
                    ));
                }
                text.push_str("<\n");
                if !attempt.response_body.is_empty() {
                    text.push_str(&pretty_body(&attempt.response_body));
                }
                if attempt.response_truncated {
                    text.push_str("* (response body truncated)\n");
                }
            }
            (None, Some(error)) => text.push_str(&format!("* {error}\n")),
            (None, None) => text.push_str("* no response recorded\n"),
        }
    }
    text
}

/// JSON bodies pretty-printed; anything else as it is.
fn pretty_body(body: &str) -> String {
    let mut shown = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|value| serde_json::to_string_pretty(&value).ok())
        .unwrap_or_else(|| body.to_string());
    if !shown.ends_with('\n') {
        shown.push('\n');
    }
    shown
}

fn prune(older_than: Option<&str>, context: &Context) -> CommandResult {
    let config = context.config()?;
    let (cutoff, label) = match older_than {
        Some(text) => (
            crate::duration::ago(text, "--older-than")?,
            text.to_string(),
        ),
        None => (
            crate::duration::before_now(config.defaults.retention, "retention", "the retention")?,
            format!(
                "{} (the retention)",
                format_short(config.defaults.retention)
            ),
        ),
    };
    let removed = match context.read_history(&config)? {
        Some(history) => history.prune(cutoff).map_err(history_error)?,
        None => 0,
    };
    if context.output.json {
        context
            .output
            .json(&serde_json::json!({ "pruned": removed }))?;
    } else {
        context
            .output
            .line(&format!("Pruned {removed} deliveries older than {label}."))?;
    }
    Ok(Completion::Success)
}
