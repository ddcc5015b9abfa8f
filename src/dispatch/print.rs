//! What a batch of deliveries prints: the ✓/✗ lines or their JSON, and `--dry-run`'s
//! requests.

use std::time::Duration;

use serde::Serialize;

use super::{Job, JobResult};
use crate::history::incidents::IncidentAction;
use crate::output::{Color, Output};

/// Prints the ✓/✗ lines, or the JSON array.
pub fn report(results: &[JobResult], output: &Output) -> std::io::Result<()> {
    if output.json {
        return output.json(results);
    }
    for result in results {
        let status = result.http_status.map_or_else(
            || "no response".to_string(),
            |status| format!("HTTP {status}"),
        );
        let plural = if result.attempts == 1 { "" } else { "s" };
        let event = event_label(&result.event, result.action);
        let took = crate::duration::format_short(Duration::from_millis(result.duration_ms));
        let line = if result.delivered() {
            format!(
                "{} {} {}: {status} in {took}, {} attempt{plural} (log #{})",
                output.paint("✓", Color::Green),
                result.webhook,
                event,
                result.attempts,
                result.log_id
            )
        } else {
            let error = result.error.as_deref().unwrap_or(&status);
            // "gave up after N attempts: …" already counts the attempts.
            let tally = if error.starts_with("gave up after") {
                format!("in {took}")
            } else {
                format!("in {took}, {} attempt{plural}", result.attempts)
            };
            format!(
                "{} {} {}: {error} ({tally}, log #{})",
                output.paint("✗", Color::Red),
                result.webhook,
                event,
                result.log_id
            )
        };
        output.line(&line)?;
    }
    Ok(())
}

/// The event as lines and tables show it: a resolve says so (`kev_found (resolve)`); a
/// trigger, the usual case, is the event alone.
pub fn event_label(event: &str, action: Option<IncidentAction>) -> String {
    match action {
        Some(IncidentAction::Resolve) => format!("{event} (resolve)"),
        _ => event.to_string(),
    }
}

#[derive(Serialize)]
struct DryRunRequest<'a> {
    webhook: &'a str,
    channel: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    action: Option<IncidentAction>,
    url: &'a str,
    headers: serde_json::Map<String, serde_json::Value>,
    body: serde_json::Value,
}

/// Prints each request exactly as it would go out (headers with signatures, the body with
/// credentials redacted), or their JSON shapes.
pub fn print_dry_run(jobs: &[Job], output: &Output) -> std::io::Result<()> {
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
                    action: job.action,
                    url: &job.target.masked_url,
                    headers,
                    body,
                },
                job,
            )
        })
        .collect();
    if output.json {
        let shapes: Vec<&DryRunRequest> = requests.iter().map(|(request, _)| request).collect();
        return output.json(&shapes);
    }
    for (request, job) in &requests {
        let action = request
            .action
            .map(|action| format!(", {action}"))
            .unwrap_or_default();
        let mut text = format!(
            "POST {}    (webhook {}, channel {}{action})\n",
            request.url, request.webhook, request.channel
        );
        for (name, value) in &request.headers {
            text.push_str(&format!("{name}: {}\n", value.as_str().unwrap_or_default()));
        }
        text.push('\n');
        text.push_str(&job.stored_body);
        text.push('\n');
        output.line(&text)?;
    }
    output.info("Dry run: nothing was sent and nothing was recorded.");
    Ok(())
}
