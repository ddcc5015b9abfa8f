//! Fan-out: runs many deliveries through the engine (up to 8 webhooks at once, each
//! webhook's messages in order) and records every step in the history.

use std::time::{Duration, SystemTime};

use futures::StreamExt;

use std::sync::Arc;

use super::{Job, JobResult};
use crate::delivery::http::{HttpTransport, SystemClock};
use crate::delivery::proxy::Proxies;
use crate::delivery::trust::TrustedRoots;
use crate::delivery::{AttemptReport, Engine, Observer, USER_AGENT};
use crate::history::{AttemptRecord, Finish, History, NewDelivery, Status};
use crate::output::{Output, Progress};

/// Webhooks served at the same time.
pub const CONCURRENT_TARGETS: usize = 8;

/// The roots this run's clients trust. The operating system's store is read only when the run
/// will make a TLS connection (an https:// webhook, or a proxy reached over https): reading it
/// is the dearest part of building a client, and a run to plain http:// needs no roots at all.
fn trusted_roots(jobs: &[Job<'_>], proxies: &Proxies) -> TrustedRoots {
    let uses_tls = proxies.any_over_tls()
        || jobs
            .iter()
            .any(|job| job.target.url.expose().scheme() == "https");
    if uses_tls {
        TrustedRoots::with_system_store()
    } else {
        TrustedRoots::none()
    }
}

/// Runs every job and returns the results in the jobs' order.
pub fn run(
    jobs: Vec<Job<'_>>,
    history: &History,
    output: &Output,
    proxies: &Arc<Proxies>,
) -> anyhow::Result<Vec<JobResult>> {
    let roots = trusted_roots(&jobs, proxies);
    if let Some(problems) = &roots.problems {
        output.detail(problems);
    }
    // One HTTP client for all, plus one per extra CA file (TLS roots are per client).
    let mut transports: Vec<(Option<std::path::PathBuf>, HttpTransport)> =
        vec![(None, HttpTransport::new(USER_AGENT, &roots, None, proxies)?)];
    for job in &jobs {
        if let Some((path, pem)) = &job.target.ca_certificate {
            if !transports
                .iter()
                .any(|(known, _)| known.as_ref() == Some(path))
            {
                transports.push((
                    Some(path.clone()),
                    HttpTransport::new(USER_AGENT, &roots, Some(pem), proxies)?,
                ));
            }
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;

    let groups = groups(jobs);

    let transports = &transports;
    let progress = Progress::new(output);
    let progress = &progress;
    let mut results: Vec<(usize, JobResult)> = runtime.block_on(async {
        futures::stream::iter(groups)
            .map(|group| async move {
                let mut done = Vec::with_capacity(group.len());
                let mut last_sent: Option<tokio::time::Instant> = None;
                for (index, job) in group {
                    // Several messages to one chat webhook: keep to its rate instead of earning 429s.
                    let pacing = job.target.formatter.pacing();
                    if let Some(last) = last_sent {
                        tokio::time::sleep_until(last + pacing).await;
                    }
                    let ca_path = job.target.ca_certificate.as_ref().map(|(path, _)| path);
                    let transport = transports
                        .iter()
                        .find(|(path, _)| path.as_ref() == ca_path)
                        .map_or(&transports[0].1, |(_, transport)| transport);
                    done.push((
                        index,
                        run_one(job, transport, history, output, progress).await,
                    ));
                    last_sent = Some(tokio::time::Instant::now());
                }
                done
            })
            .buffer_unordered(CONCURRENT_TARGETS)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .flatten()
            .collect()
    });
    results.sort_by_key(|(index, _)| *index);
    Ok(results.into_iter().map(|(_, result)| result).collect())
}

/// Who a message counts against, for pacing: the webhook, except that PagerDuty limits each
/// routing key, which several webhooks may share.
#[derive(PartialEq, Eq)]
enum Pace<'a> {
    Webhook(&'a str),
    RoutingKey(&'a str),
}

fn pace_of<'a>(target: &'a crate::target::Target) -> Pace<'a> {
    match (target.channel, &target.routing_key) {
        (crate::channel::Channel::Pagerduty, Some(key)) => Pace::RoutingKey(key.expose()),
        _ => Pace::Webhook(&target.name),
    }
}

/// The jobs grouped by what paces them (see [`Pace`]), keeping first-seen order, so one
/// webhook's (or one routing key's) messages go out in order and one after another.
fn groups(jobs: Vec<Job<'_>>) -> Vec<Vec<(usize, Job<'_>)>> {
    let mut groups: Vec<Vec<(usize, Job<'_>)>> = Vec::new();
    for (index, job) in jobs.into_iter().enumerate() {
        match groups
            .iter_mut()
            .find(|group| pace_of(group[0].1.target) == pace_of(job.target))
        {
            Some(group) => group.push((index, job)),
            None => groups.push(vec![(index, job)]),
        }
    }
    groups
}

async fn run_one(
    job: Job<'_>,
    transport: &HttpTransport,
    history: &History,
    output: &Output,
    progress: &Progress,
) -> JobResult {
    let target = job.target;
    let request = target.request(job.event, &job.delivery_id, &job.body);
    let mut result = JobResult {
        webhook: target.name.clone(),
        channel: target.channel.to_string(),
        event: job.event.to_string(),
        action: job.action,
        delivery_id: job.delivery_id.clone(),
        status: Status::Failed,
        http_status: None,
        attempts: 0,
        duration_ms: 0,
        error: None,
        log_id: 0,
    };

    // Written before the first attempt, so even a killed process leaves a trace to redeliver.
    let pending = NewDelivery {
        delivery_id: job.delivery_id.clone(),
        created_at: jiff::Timestamp::now(),
        webhook: target.name.clone(),
        channel: target.channel.to_string(),
        event: job.event.to_string(),
        repository: job.repository,
        test: job.test,
        request_url: target.masked_url.clone(),
        request_headers: target.displayable_headers(&request),
        request_body: job.stored_body,
        redelivery_of: job.redelivery_of,
        action: job.action,
    };
    let row = match history.insert_pending(&pending) {
        Ok(row) => row,
        Err(error) => {
            // Nothing is sent that could not be recorded.
            result.error = Some(format!("not sent: {error}"));
            return result;
        }
    };
    result.log_id = row;

    let mut observer = HistoryObserver {
        history,
        row,
        webhook: &target.name,
        progress,
        problem: None,
        last_attempt: None,
    };
    let engine = Engine {
        transport,
        clock: &SystemClock,
    };
    let mut random = fastrand::Rng::new();
    let outcome = engine
        .deliver(
            &|| target.request(job.event, &job.delivery_id, &job.body),
            &target.policy,
            target.formatter,
            &mut random,
            &mut observer,
        )
        .await;

    result.status = if outcome.delivered {
        Status::Delivered
    } else {
        Status::Failed
    };
    result.http_status = outcome.http_status;
    result.attempts = outcome.attempts;
    result.duration_ms = millis(outcome.duration);
    result.error = outcome.error;
    let finish = Finish {
        status: result.status,
        http_status: result.http_status,
        attempts: result.attempts,
        duration_ms: result.duration_ms,
        error: result.error.clone(),
    };
    if let Err(error) = history
        .finish(row, observer.last_attempt.take().as_ref(), &finish)
        .map_err(|e| e.to_string())
        .and(observer.problem.take().map_or(Ok(()), Err))
    {
        output.warn(&format!(
            "history {}: delivery #{row} may be incomplete: {error}",
            history.location()
        ));
    }
    result
}

/// Records each attempt and shows waits as progress. An attempt is written when the engine
/// says it will wait for another, so before the pause; the attempt that ends the delivery is
/// written with the final status, in one transaction (see [`Store::finish`](crate::history::Store::finish)).
struct HistoryObserver<'a> {
    history: &'a History,
    row: i64,
    webhook: &'a str,
    progress: &'a Progress,
    /// The first history error, reported once the delivery ends.
    problem: Option<String>,
    /// The attempt that just ended, not written yet.
    last_attempt: Option<AttemptRecord>,
}

impl Observer for HistoryObserver<'_> {
    fn attempt_finished(&mut self, attempt: &AttemptReport<'_>) {
        let (http_status, error, response_headers, response_body, response_truncated) =
            match attempt.result {
                Ok(response) => (
                    Some(response.status),
                    None,
                    response
                        .headers
                        .iter()
                        .map(|(name, value)| stored_header(name, value))
                        .collect(),
                    String::from_utf8_lossy(&response.body).into_owned(),
                    response.truncated,
                ),
                Err(error) => (
                    None,
                    Some(error.message.clone()),
                    Vec::new(),
                    String::new(),
                    false,
                ),
            };
        let record = AttemptRecord {
            number: attempt.number,
            started_at: timestamp(attempt.started_at),
            duration_ms: millis(attempt.duration),
            http_status,
            error,
            response_headers,
            response_body,
            response_truncated,
        };
        self.progress.done(self.webhook);
        self.last_attempt = Some(record);
    }

    fn waiting(&mut self, wait: Duration, next_attempt: u32, max_attempts: u32, reason: &str) {
        if let Some(record) = self.last_attempt.take() {
            if let Err(error) = self.history.record_attempt(self.row, &record) {
                self.problem.get_or_insert(error.to_string());
            }
        }
        self.progress
            .waiting(self.webhook, wait, next_attempt, max_attempts, reason);
    }
}

/// A response header as the history keeps it. Credentials a receiver hands back (a session
/// cookie, a token) are stored as `[redacted]`, like credential request headers, since the
/// history may be read by more people than the webhook's owner; a redirect's `Location` may
/// carry a token in its query string: it is kept without it.
fn stored_header(name: &str, value: &str) -> (String, String) {
    let value = if crate::redact::is_credential_header(name) {
        crate::redact::REDACTED.to_string()
    } else if name.eq_ignore_ascii_case("location") {
        match value.split_once('?') {
            Some((path, _)) => format!("{path}?…"),
            None => value.to_string(),
        }
    } else {
        value.to_string()
    };
    (name.to_string(), value)
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn timestamp(time: SystemTime) -> jiff::Timestamp {
    jiff::Timestamp::try_from(time).unwrap_or_else(|_| jiff::Timestamp::now())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::target::Target;

    /// The webhooks a config names, resolved; `${KEY_*}` variables hold routing keys.
    fn targets(text: &str) -> Vec<Target> {
        let path = std::path::Path::new("c.toml");
        let environment = |name: &str| name.strip_prefix("KEY_").map(|key| format!("{key:0>32}"));
        let config = Config::parse(path, text, &environment).unwrap();
        config
            .webhooks
            .iter()
            .map(|webhook| Target::resolve(webhook, path, &environment).unwrap())
            .collect()
    }

    #[test]
    fn one_routing_key_is_one_paced_group_whatever_the_webhooks() {
        let targets = targets(
            "[webhooks.a]\nchannel = \"pagerduty\"\nrouting_key = \"${KEY_1}\"\n\
             [webhooks.b]\nchannel = \"pagerduty\"\nrouting_key = \"${KEY_1}\"\n\
             [webhooks.c]\nchannel = \"pagerduty\"\nrouting_key = \"${KEY_2}\"\n\
             [webhooks.d]\nurl = \"https://hooks.slack.com/services/T/B/X\"\n\
             [webhooks.e]\nurl = \"https://hooks.slack.com/services/T/B/Y\"\n",
        );
        let jobs: Vec<Job> = targets
            .iter()
            .chain(&targets)
            .map(|target| Job {
                target,
                event: crate::event::Event::KevFound,
                repository: "o/r".into(),
                test: false,
                delivery_id: String::new(),
                body: Vec::new(),
                stored_body: String::new(),
                redelivery_of: None,
                action: None,
            })
            .collect();
        let grouped: Vec<Vec<(usize, &str)>> = groups(jobs)
            .iter()
            .map(|group| {
                group
                    .iter()
                    .map(|(index, job)| (*index, job.target.name.as_str()))
                    .collect()
            })
            .collect();
        assert_eq!(
            grouped,
            [
                vec![(0, "a"), (1, "b"), (5, "a"), (6, "b")],
                vec![(2, "c"), (7, "c")],
                vec![(3, "d"), (8, "d")],
                vec![(4, "e"), (9, "e")],
            ]
        );
        assert_eq!(
            targets[0].formatter.pacing(),
            Duration::from_millis(500),
            "PagerDuty takes about 120 events a minute per routing key"
        );
    }
}
