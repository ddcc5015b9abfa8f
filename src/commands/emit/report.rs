//! `staxhook emit --report FILE`: read a scanner's report, update the finding state, and
//! send every event it implies — digests for chat webhooks, exit 3 when a `fail` policy is
//! violated (docs/reference.md §9).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, Context as _};

use super::Args;
use crate::channel::Channel;
use crate::commands::{environment, history_error, Context};
use crate::config::WebhookConfig;
use crate::delivery::proxy::Proxies;
use crate::dispatch;
use crate::envelope::Envelope;
use crate::epss::Scores;
use crate::error::{failure, CommandResult, Completion};
use crate::event::Event;
use crate::history::findings::{Claimant, Notice, NoticeOutcome, Tracked};
use crate::history::incidents::{Incident, IncidentScope, ResolveOutcome};
use crate::history::History;
use crate::kev::{Catalog, KevEntry};
use crate::names;
use crate::report::{Format, FormatChoice};
use crate::scan::{self, Derived, Inputs};
use crate::target::Target;

/// A report larger than this is refused rather than read into memory.
const MAX_REPORT_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// A scanner's JSON report (- for standard input): emit every event it implies
    #[arg(long, value_name = "FILE|-")]
    pub report: Option<PathBuf>,

    /// The report's format (auto: recognised from its structure)
    #[arg(
        long,
        value_name = "FORMAT",
        default_value = "auto",
        requires = "report",
        value_parser = names::value_parser::<FormatChoice>()
    )]
    pub format: FormatChoice,

    /// The scan's id in the events [default: the report's own id, else a new one]
    #[arg(long, value_name = "ID", requires = "report")]
    pub scan_id: Option<String>,

    /// A CISA KEV catalog (JSON) [default: the copy saved by `staxhook kev update`]
    #[arg(long, value_name = "FILE", requires = "report")]
    pub kev_catalog: Option<PathBuf>,

    /// FIRST's EPSS scores (CSV, gzip-compressed or not) [default: the copy saved by `staxhook epss update`]
    #[arg(long, value_name = "FILE", requires = "report")]
    pub epss: Option<PathBuf>,
}

/// `STAXHOOK_NOW` (RFC 3339) replaces the clock for report processing: it lets SLA deadlines
/// be tested and past scans be replayed without waiting.
fn now() -> anyhow::Result<jiff::Timestamp> {
    match environment("STAXHOOK_NOW") {
        Some(text) => text.parse().map_err(|_| {
            anyhow!("STAXHOOK_NOW `{text}` is not an RFC 3339 time such as 2026-03-22T10:30:00Z")
        }),
        None => Ok(jiff::Timestamp::now()),
    }
}

/// The report's bytes from the file, or from standard input when the path is `-` (a pipe from
/// the scanner). Either way at most [`MAX_REPORT_BYTES`]: a larger report is refused before
/// it fills the memory, with the same message for both.
fn read_report(path: &Path) -> anyhow::Result<Vec<u8>> {
    let too_large = || {
        anyhow!(
            "--report {}: larger than {MAX_REPORT_BYTES} bytes",
            path.display()
        )
    };
    if path == Path::new("-") {
        return read_at_most(std::io::stdin().lock(), MAX_REPORT_BYTES)
            .context("--report -: reading standard input")?
            .ok_or_else(too_large);
    }
    let size = std::fs::metadata(path)
        .with_context(|| format!("--report {}", path.display()))?
        .len();
    if size > MAX_REPORT_BYTES {
        return Err(too_large());
    }
    std::fs::read(path).with_context(|| format!("--report {}", path.display()))
}

/// All of `reader` when it holds at most `limit` bytes; `None` (having read `limit` + 1) when
/// it holds more, so a stream never says its size and never fills the memory either.
fn read_at_most(reader: impl std::io::Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    reader.take(limit + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

pub fn run(path: &Path, args: &Args, context: &Context) -> CommandResult {
    let options = &args.report;
    let config = context.config()?;
    let only = args.event;
    let format = options.format.format();
    let now = now()?;

    let bytes = read_report(path)?;
    let mut report = crate::report::parse(&bytes, format)
        .map_err(|error| anyhow!("--report {}: {error}", path.display()))?;
    for note in &report.notes {
        context.output.info(&format!("{}: {note}.", path.display()));
    }
    if report.format == Format::Cyclonedx
        && report.findings.is_empty()
        && lacks_vulnerabilities(&bytes)
    {
        // A plain SBOM reads as a clean scan, which marks every open finding fixed.
        context.output.warn(&format!(
            "{} is a CycloneDX document without a `vulnerabilities` section: read as a scan that found nothing, so this repository's open findings are marked fixed. If it is a plain SBOM, scan it for vulnerabilities first (e.g. `trivy sbom --format cyclonedx`).",
            path.display()
        ));
    }
    // The raw report can be tens of MB; only the findings are needed from here on.
    drop(bytes);
    let repository = crate::repo::detect(args.repo.as_deref(), &environment, &context.current_dir)?;
    let scan_id = options
        .scan_id
        .clone()
        .or_else(|| report.report_id.clone())
        .unwrap_or_else(|| format!("scan-{}", uuid::Uuid::new_v4()));

    // Both files are read before either note is printed, so a bad one is the only line.
    let scores = load_scores(options)?;
    let catalog = load_catalog(options, &report, context)?;
    // Each finding learns what is known of its exploitation, to be stored and sorted by.
    for finding in &mut report.findings {
        let ids = || {
            std::iter::once(finding.id.as_str()).chain(finding.aliases.iter().map(String::as_str))
        };
        let in_kev = catalog
            .as_ref()
            .is_some_and(|catalog| catalog.lookup(ids()).is_some());
        let epss = scores.as_ref().and_then(|scores| scores.lookup(ids()));
        finding.in_kev = in_kev;
        finding.epss = epss;
    }
    match scores {
        Some(_) => {}
        None if !report.findings.is_empty() => context.output.info(
            "No EPSS scores (run `staxhook epss update` or pass --epss): findings carry no EPSS score this time.",
        ),
        None => {}
    }
    let webhooks = dispatch::enabled_webhooks(&config, &args.webhooks, "--webhook")?;
    let targets: Vec<(&WebhookConfig, Target)> = webhooks
        .into_iter()
        .map(|webhook| {
            Target::resolve(webhook, &config.path, &environment).map(|target| (webhook, target))
        })
        .collect::<anyhow::Result<_>>()?;
    // Checked before the history is touched, like every other input; a dry run sends nothing.
    let proxies = if args.dry_run {
        Arc::new(Proxies::none())
    } else {
        context.proxies()?
    };

    // A dry run changes nothing: the state is computed and rolled back, and a history that
    // does not exist yet is not created.
    let history = if args.dry_run {
        match context.read_history(&config)? {
            Some(history) => history,
            None => History::in_memory()?,
        }
    } else {
        context.open_history(&config)?
    };
    // The once-only notices this run will send are claimed while reconciling, in the same
    // transaction, so concurrent runs of this repository never send one twice.
    let claimant = Claimant {
        run: uuid::Uuid::new_v4().to_string(),
        now,
        stale_before: now
            .checked_sub(jiff::SignedDuration::try_from(config.claim_expiry())?)
            .map_err(|_| anyhow!("max_elapsed and timeout are too long"))?,
    };
    // Only notices that a selected webhook would carry are claimed. One nobody takes would be
    // released unsent anyway; not claiming it spares a claim and a release per finding (10,000
    // of each for a large report with no webhook that takes `critical_vulnerability`).
    let named = !args.webhooks.is_empty();
    let carried_by_some_webhook = |notice: Notice| {
        let event = notice.event();
        only.is_none_or(|only| only == event)
            && targets
                .iter()
                .any(|(webhook, _)| named || webhook.subscribed_to(event))
    };
    let due = |tracked: &Tracked| {
        let mut due = scan::due_notices(tracked, catalog.as_ref(), &config.sla, now);
        due.retain(|notice| carried_by_some_webhook(*notice));
        due
    };
    // The PagerDuty incidents this run closes are claimed in the same transaction: those its
    // webhooks opened whose finding is gone or whose policy holds again.
    let scope = IncidentScope {
        webhooks: targets
            .iter()
            .filter(|(_, target)| target.channel == Channel::Pagerduty)
            .map(|(webhook, _)| webhook.name.clone())
            .collect(),
        event: only.map(|event| event.to_string()),
        present: report
            .findings
            .iter()
            .map(|finding| finding.key())
            .collect(),
        violated: scan::violated_policies(&report.findings, catalog.as_ref(), &config.policies)
            .into_iter()
            .collect(),
    };
    let reconciliation = history
        .reconcile(
            &repository,
            &report.findings,
            !args.dry_run,
            &claimant,
            &scope,
            &due,
        )
        .map_err(history_error)?;
    let plan = scan::plan(&Inputs {
        report: &report,
        repository: &repository,
        scan_id: &scan_id,
        reconciliation: &reconciliation,
        catalog: catalog.as_ref(),
        sla: &config.sla,
        policies: &config.policies,
        now,
    });
    let events: Vec<&Derived> = plan
        .events
        .iter()
        .filter(|derived| only.is_none_or(|event| derived.event == event))
        .collect();
    context.output.info(&format!(
        "{}: {} findings ({} new, {} fixed) in {repository}; {} events{}",
        path.display(),
        reconciliation.current.len(),
        reconciliation
            .current
            .iter()
            .filter(|tracked| tracked.change == crate::history::findings::Change::New)
            .count(),
        reconciliation.fixed.len(),
        events.len(),
        match reconciliation.resolves.len() {
            0 => String::new(),
            1 => ", 1 incident to resolve".to_string(),
            count => format!(", {count} incidents to resolve"),
        }
    ));

    let mut pairs: Vec<(&Target, Envelope)> = Vec::new();
    // Which plan events each message carries, to record notices only once delivered.
    let mut carried: Vec<Vec<usize>> = Vec::new();
    // The incident each message opens once delivered (PagerDuty's), to resolve it later.
    let mut opens: Vec<Option<Incident>> = Vec::new();
    for (webhook, target) in &targets {
        let mine: Vec<&Derived> = events
            .iter()
            .copied()
            .filter(|derived| named || webhook.subscribed_to(derived.event))
            .collect();
        // Chat webhooks and PagerDuty (storm control) get digests past `digest_after`.
        let messages = if matches!(
            target.channel,
            Channel::Slack | Channel::Teams | Channel::Discord | Channel::Pagerduty
        ) {
            scan::with_digests(mine, webhook.digest_after, &repository)
        } else {
            mine.into_iter().cloned().collect()
        };
        for derived in messages {
            let envelope = Envelope::new(
                derived.event,
                repository.clone(),
                derived.data.clone(),
                false,
            );
            opens.push(
                target
                    .formatter
                    .incident_key(&envelope)
                    .zip(scan::incident_subject(&plan, &derived))
                    .map(|(dedup_key, subject)| Incident {
                        webhook: target.name.clone(),
                        repository: repository.clone(),
                        dedup_key,
                        event: derived.event.to_string(),
                        subject,
                    }),
            );
            carried.push(derived.covers.clone());
            pairs.push((target, envelope));
        }
    }
    if targets.is_empty() {
        context
            .output
            .info("No enabled webhook is configured; the finding state was updated, nothing sent.");
    }

    let mut jobs = dispatch::jobs(pairs);
    // The resolves go out after the triggers, each to the webhook that opened its incident.
    let mut resolving: Vec<(usize, &Incident)> = Vec::new();
    for incident in &reconciliation.resolves {
        let job = targets
            .iter()
            .find(|(webhook, _)| webhook.name == incident.webhook)
            .zip(incident.event.parse::<Event>().ok())
            .and_then(|((_, target), event)| {
                dispatch::resolve_job(target, event, &repository, &incident.dedup_key)
            });
        if let Some(job) = job {
            resolving.push((jobs.len(), incident));
            jobs.push(job);
        }
    }
    let results = if args.dry_run {
        dispatch::send(jobs, dispatch::Sending::DryRun, &context.output)?
    } else {
        // The history the state was just reconciled in records the deliveries too.
        let sending = dispatch::Sending::Deliver {
            history: &history,
            retention: config.defaults.retention,
            proxies: &proxies,
        };
        dispatch::send(jobs, sending, &context.output)?
    };
    if !args.dry_run {
        // A once-only notice is used up when every message carrying it was delivered; a
        // failed one is sent again by the next run (at least once, never lost).
        let mut delivered = vec![None::<bool>; plan.events.len()];
        for (covers, result) in carried.iter().zip(&results) {
            for &index in covers {
                let so_far = delivered[index].unwrap_or(true);
                delivered[index] = Some(so_far && result.delivered());
            }
        }
        // Every claimed notice is settled: used up when delivered, released otherwise
        // (also when no webhook took it), so the next run sends it.
        let outcomes: Vec<NoticeOutcome> = plan
            .events
            .iter()
            .zip(&delivered)
            .filter_map(|(derived, delivered)| {
                derived.notice.clone().map(|(key, notice)| NoticeOutcome {
                    key,
                    notice,
                    delivered: *delivered == Some(true),
                })
            })
            .collect();
        history
            .settle_notices(&repository, &claimant, &outcomes)
            .map_err(failure)?;
        // A delivered trigger opens its incident; a failed one opens nothing, so it is never
        // resolved. A resolve that was not delivered (or not sent) is released.
        let opened: Vec<Incident> = opens
            .into_iter()
            .zip(&results)
            .filter(|(_, result)| result.delivered())
            .filter_map(|(incident, _)| incident)
            .collect();
        let resolves: Vec<ResolveOutcome> = reconciliation
            .resolves
            .iter()
            .map(|incident| ResolveOutcome {
                webhook: incident.webhook.clone(),
                dedup_key: incident.dedup_key.clone(),
                delivered: resolving.iter().any(|(index, resolved)| {
                    std::ptr::eq(*resolved, incident)
                        && results.get(*index).is_some_and(|result| result.delivered())
                }),
            })
            .collect();
        history
            .settle_incidents(&claimant, &opened, &resolves)
            .map_err(failure)?;
    }
    if plan.failed_policy {
        context
            .output
            .info("A `fail` policy was violated (exit 3).");
        return Ok(Completion::PolicyFailed);
    }
    Ok(dispatch::completion(&results))
}

/// True when a CycloneDX document has no `vulnerabilities` key at all (a plain SBOM), as
/// opposed to an empty list (a clean scan).
fn lacks_vulnerabilities(bytes: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Probe {
        vulnerabilities: Option<serde::de::IgnoredAny>,
    }
    let Ok(text) = crate::report::json_text(bytes) else {
        return false;
    };
    matches!(
        serde_json::from_slice::<Probe>(&text),
        Ok(Probe {
            vulnerabilities: None
        })
    )
}

/// `--kev-catalog`, else the saved copy, else the KEV data the report carries itself.
fn load_catalog(
    options: &ReportArgs,
    report: &crate::report::Report,
    context: &Context,
) -> anyhow::Result<Option<Catalog>> {
    if let Some(path) = &options.kev_catalog {
        return Catalog::load(path).context("--kev-catalog").map(Some);
    }
    let saved = crate::kev::saved_path(&environment);
    if saved.is_file() {
        return Catalog::load(&saved).map(Some);
    }
    let inline: Vec<KevEntry> = report
        .findings
        .iter()
        .filter_map(|finding| {
            finding.kev.as_ref().map(|kev| KevEntry {
                cve_id: finding.id.clone(),
                vendor_project: kev.vendor_project.clone(),
                product: kev.product.clone(),
                vulnerability_name: kev.vulnerability_name.clone(),
                date_added: kev.date_added.clone(),
                short_description: None,
                required_action: kev.required_action.clone(),
                due_date: kev.due_date.clone(),
                known_ransomware_campaign_use: kev.known_ransomware_campaign_use.clone(),
            })
        })
        .collect();
    if inline.is_empty() {
        context.output.info(
            "No KEV catalog (run `staxhook kev update` or pass --kev-catalog): no kev_found events this time.",
        );
        return Ok(None);
    }
    Ok(Some(Catalog::from_entries(inline)))
}

/// `--epss`, else the copy saved by `epss update`, else none.
fn load_scores(options: &ReportArgs) -> anyhow::Result<Option<Scores>> {
    if let Some(path) = &options.epss {
        return Scores::load(path).context("--epss").map(Some);
    }
    let saved = crate::epss::saved_path(&environment);
    if saved.is_file() {
        return Scores::load(&saved).map(Some);
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_is_read_up_to_the_limit_and_refused_past_it() {
        let exact = read_at_most(&b"12345"[..], 5).unwrap();
        assert_eq!(exact.as_deref(), Some(&b"12345"[..]));
        assert_eq!(read_at_most(&b"123456"[..], 5).unwrap(), None);
        assert_eq!(
            read_at_most(&b""[..], 5).unwrap().as_deref(),
            Some(&b""[..])
        );
    }
}
