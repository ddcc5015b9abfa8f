//! From a scanner report to events (docs/reference.md §9): which findings are new criticals, KEV hits,
//! SLA breaches and policy violations, the `scan_complete` summary, and how chat webhooks
//! get digests instead of floods. Pure logic: state, catalog, clock and config come in.

use std::time::Duration;

use jiff::Timestamp;
use serde_json::{json, Map, Value};

use crate::config::SlaSettings;
use crate::event::Event;
use crate::history::findings::{Change, FixedFinding, Notice, Reconciliation, Tracked};
use crate::history::incidents::Subject;
use crate::kev::{Catalog, KevEntry};
use crate::policy::{Action, Candidate, Policy};
use crate::report::{Finding, Report, Risk, Severity};

/// One event the report implies.
#[derive(Debug, Clone)]
pub struct Derived {
    pub event: Event,
    pub data: Map<String, Value>,
    /// The finding it is about, and the once-only notice it uses up when sent.
    pub notice: Option<((String, String, String), Notice)>,
    /// For ordering the worst first ([`Risk::worst_first`]); for a digest or a policy
    /// violation, the worst of what it lists.
    pub risk: Risk,
    /// Positions in `Plan::events` this message carries: itself, or for a digest the
    /// events folded into it. A notice counts as given only when they are delivered.
    pub covers: Vec<usize>,
}

/// Everything one report leads to.
#[derive(Debug, Clone)]
pub struct Plan {
    pub events: Vec<Derived>,
    /// A `fail` policy was violated (exit 3).
    pub failed_policy: bool,
}

pub struct Inputs<'a> {
    pub report: &'a Report,
    pub repository: &'a str,
    pub scan_id: &'a str,
    pub reconciliation: &'a Reconciliation,
    pub catalog: Option<&'a Catalog>,
    pub sla: &'a SlaSettings,
    pub policies: &'a [Policy],
    pub now: Timestamp,
}

/// The catalog entry for a finding's id or any of its aliases. (The report's own KEV data,
/// when there is no catalog file, arrives already turned into a catalog.)
fn kev_entry(finding: &Finding, catalog: Option<&Catalog>) -> Option<KevEntry> {
    let ids =
        std::iter::once(finding.id.as_str()).chain(finding.aliases.iter().map(String::as_str));
    catalog?.lookup(ids).cloned()
}

pub fn plan(inputs: &Inputs) -> Plan {
    let mut events = Vec::new();
    let current = &inputs.reconciliation.current;
    let kev_of: Vec<Option<KevEntry>> = current
        .iter()
        .map(|tracked| kev_entry(&tracked.finding, inputs.catalog))
        .collect();

    // Policies first: scan_complete's status depends on them.
    let candidates: Vec<Candidate> = current
        .iter()
        .zip(&kev_of)
        .map(|(tracked, kev)| Candidate {
            finding: &tracked.finding,
            in_kev: kev.is_some(),
        })
        .collect();
    let mut violations = Vec::new();
    let mut failed_policy = false;
    for policy in inputs.policies {
        let found = policy.violations(&candidates);
        if found.is_empty() {
            continue;
        }
        failed_policy |= policy.action == Action::Fail;
        // `violations` lists the worst first.
        let worst = found
            .first()
            .map_or(NO_RISK, |(candidate, _)| candidate.risk());
        let list: Vec<Value> = found
            .iter()
            .map(|(candidate, reason)| {
                let finding = candidate.finding;
                let mut item = object(json!({
                    "package": package_json(finding),
                    "cve_id": finding.id,
                    "severity": finding.severity.as_str(),
                    "reason": reason,
                }));
                insert_epss(&mut item, finding);
                Value::Object(item)
            })
            .collect();
        violations.push(Derived {
            event: Event::PolicyViolation,
            data: object(json!({
                "policy": policy.name,
                "rule": policy.describe(),
                "action": policy.action.as_str(),
                "count": list.len(),
                "violations": list,
                "scan_id": inputs.scan_id,
            })),
            notice: None,
            risk: worst,
            covers: Vec::new(),
        });
    }

    let mut summary = Map::new();
    for severity in Severity::ALL {
        let count = current
            .iter()
            .filter(|tracked| tracked.finding.severity == severity)
            .count();
        summary.insert(severity.as_str().into(), json!(count));
    }
    let count_change = |change: Change| {
        current
            .iter()
            .filter(|tracked| tracked.change == change)
            .count()
    };
    let mut scan = object(json!({
        "scan_id": inputs.scan_id,
        "status": if failed_policy { "failed" } else { "passed" },
        "summary": summary,
        "findings": current.len(),
        "new": count_change(Change::New),
        "reopened": count_change(Change::Reopened),
        "fixed_count": inputs.reconciliation.fixed.len(),
        "scanner": {"name": inputs.report.scanner, "version": inputs.report.scanner_version},
        "report_format": inputs.report.format.as_str(),
    }));
    if let Some(packages) = inputs.report.packages_scanned {
        scan.insert("packages_scanned".into(), json!(packages));
    }
    // Last, as it is the longest part.
    scan.insert(
        "fixed".into(),
        fixed_list(&inputs.reconciliation.fixed, inputs.now),
    );
    events.push(Derived {
        event: Event::ScanComplete,
        data: scan,
        notice: None,
        risk: NO_RISK,
        covers: Vec::new(),
    });

    // Once-only events go out for the notices this run claimed while reconciling (see
    // `due_notices`), so concurrent runs of one repository never send one twice.
    for (tracked, kev) in current.iter().zip(&kev_of) {
        let claimed = |notice| tracked.claimed.contains(&notice);
        if claimed(Notice::Critical) {
            events.push(finding_event(
                Event::CriticalVulnerability,
                tracked,
                inputs.scan_id,
                Notice::Critical,
                None,
                kev.is_some(),
            ));
        }
        if let (true, Some(entry)) = (claimed(Notice::Kev), kev) {
            events.push(finding_event(
                Event::KevFound,
                tracked,
                inputs.scan_id,
                Notice::Kev,
                Some(entry),
                true,
            ));
        }
        if claimed(Notice::Sla) {
            if let Some((due, period)) = deadline(tracked, inputs.sla, kev.as_ref()) {
                events.push(sla_event(tracked, due, period, inputs.now, kev.is_some()));
            }
        }
    }
    events.extend(violations);
    for (index, derived) in events.iter_mut().enumerate() {
        derived.covers = vec![index];
    }
    Plan {
        events,
        failed_policy,
    }
}

/// The names of the policies the report's findings violate, known before reconciling (a
/// policy looks at the findings and the KEV catalog only), so that the reconcile transaction
/// can claim the resolves of the policy incidents that no longer hold.
pub fn violated_policies(
    findings: &[Finding],
    catalog: Option<&Catalog>,
    policies: &[Policy],
) -> Vec<String> {
    let candidates: Vec<Candidate> = findings
        .iter()
        .map(|finding| Candidate {
            finding,
            in_kev: kev_entry(finding, catalog).is_some(),
        })
        .collect();
    policies
        .iter()
        .filter(|policy| !policy.violations(&candidates).is_empty())
        .map(|policy| policy.name.clone())
        .collect()
}

/// What an incident opened by `derived` is about: its finding, its policy, or for a digest
/// everything it folds together (positions in `plan.events`); `None` for `scan_complete`,
/// which opens nothing worth resolving.
pub fn incident_subject(plan: &Plan, derived: &Derived) -> Option<Subject> {
    if derived.data.get("digest") == Some(&Value::Bool(true)) {
        let members: Vec<Subject> = derived
            .covers
            .iter()
            .filter_map(|&index| plan.events.get(index))
            .filter_map(|event| incident_subject(plan, event))
            .collect();
        return (!members.is_empty()).then_some(Subject::Digest(members));
    }
    if let Some((key, _)) = &derived.notice {
        return Some(Subject::Finding(key.clone()));
    }
    match (derived.event, derived.data.get("policy")) {
        (Event::PolicyViolation, Some(Value::String(name))) => Some(Subject::Policy(name.clone())),
        _ => None,
    }
}

/// The once-only notices a finding calls for now, given and claimed or not: a critical
/// finding's `critical_vulnerability`, a KEV hit's `kev_found`, an overdue finding's
/// `sla_breach`. The history claims the ones not given yet, inside the reconcile
/// transaction, and `plan` sends exactly the claimed ones.
pub fn due_notices(
    tracked: &Tracked,
    catalog: Option<&Catalog>,
    sla: &SlaSettings,
    now: Timestamp,
) -> Vec<Notice> {
    let mut due = Vec::new();
    if tracked.finding.severity == Severity::Critical {
        due.push(Notice::Critical);
    }
    let kev = kev_entry(&tracked.finding, catalog);
    if kev.is_some() {
        due.push(Notice::Kev);
    }
    if deadline(tracked, sla, kev.as_ref()).is_some_and(|(deadline, _)| now > deadline) {
        due.push(Notice::Sla);
    }
    due
}

/// `first_seen` + the SLA period for its severity, never later than the KEV due date.
pub fn deadline(
    tracked: &Tracked,
    sla: &SlaSettings,
    kev: Option<&KevEntry>,
) -> Option<(Timestamp, Option<Duration>)> {
    let period = sla.period(tracked.finding.severity);
    let by_sla = period
        .and_then(|period| jiff::SignedDuration::try_from(period).ok())
        .and_then(|span| tracked.first_seen.checked_add(span).ok());
    let by_kev = kev
        .and_then(|entry| entry.due_date.as_deref())
        .and_then(|date| date.parse::<jiff::civil::Date>().ok())
        .and_then(|date| date.to_zoned_datetime(jiff::tz::TimeZone::UTC).ok())
        .map(|zoned| zoned.timestamp());
    let due = match (by_sla, by_kev) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }?;
    Some((due, period))
}

/// At most this many fixed findings are listed in `scan_complete`; `fixed_count` counts all.
pub const FIXED_LISTED: usize = 50;

/// The findings this run fixed, worst first (ties in key order, so the list is the same
/// on every backend), at most [`FIXED_LISTED`] of them: `id`, `package` {`name`,
/// `version`}, `severity`, `first_seen` and `days_open` (whole days until `now`).
fn fixed_list(fixed: &[FixedFinding], now: Timestamp) -> Value {
    let compare = |left: &&FixedFinding, right: &&FixedFinding| {
        Risk::worst_first(&left.risk(), &right.risk()).then_with(|| left.key.cmp(&right.key))
    };
    let mut order: Vec<&FixedFinding> = fixed.iter().collect();
    // Of tens of thousands fixed, only the worst 50 need ordering.
    if order.len() > FIXED_LISTED {
        order.select_nth_unstable_by(FIXED_LISTED - 1, compare);
        order.truncate(FIXED_LISTED);
    }
    order.sort_by(compare);
    let list: Vec<Value> = order
        .into_iter()
        .map(|finding| {
            let (id, name, version) = &finding.key;
            let mut package = Map::new();
            package.insert("name".into(), json!(name));
            if !version.is_empty() {
                package.insert("version".into(), json!(version));
            }
            let days_open = now.duration_since(finding.first_seen).as_secs().max(0) / 86_400;
            json!({
                "id": id,
                "package": package,
                "severity": finding.severity.as_str(),
                "first_seen": format_time(finding.first_seen),
                "days_open": days_open,
            })
        })
        .collect();
    Value::Array(list)
}

fn package_json(finding: &Finding) -> Value {
    let mut package = Map::new();
    package.insert("name".into(), json!(finding.package.name));
    for (key, value) in [
        ("version", &finding.package.version),
        ("ecosystem", &finding.package.ecosystem),
        ("purl", &finding.package.purl),
    ] {
        if let Some(value) = value {
            package.insert(key.into(), json!(value));
        }
    }
    Value::Object(package)
}

/// What events without findings (`scan_complete`) sort by: below every finding.
const NO_RISK: Risk = Risk {
    kev: false,
    epss: None,
    cvss_score: None,
    severity: Severity::Unknown,
};

/// `epss` and `epss_percentile` when the finding has EPSS scores; absent otherwise, like
/// `cvss_score`.
fn insert_epss(data: &mut Map<String, Value>, finding: &Finding) {
    if let Some(epss) = finding.epss {
        data.insert("epss".into(), json!(epss.score));
        data.insert("epss_percentile".into(), json!(epss.percentile));
    }
}

fn finding_event(
    event: Event,
    tracked: &Tracked,
    scan_id: &str,
    notice: Notice,
    kev: Option<&KevEntry>,
    in_kev: bool,
) -> Derived {
    let finding = &tracked.finding;
    let mut data = object(json!({
        "cve_id": finding.id,
        "package": package_json(finding),
        "severity": finding.severity.as_str(),
    }));
    let mut optional = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            data.insert(key.into(), value);
        }
    };
    optional("cvss_score", finding.cvss_score.map(|score| json!(score)));
    // As `insert_epss` does, in the closure's turn to keep the key order.
    optional("epss", finding.epss.map(|epss| json!(epss.score)));
    optional(
        "epss_percentile",
        finding.epss.map(|epss| json!(epss.percentile)),
    );
    optional(
        "fixed_version",
        finding.fixed_version.as_ref().map(|fix| json!(fix)),
    );
    optional("title", finding.title.as_ref().map(|title| json!(title)));
    optional("url", finding.url.as_ref().map(|url| json!(url)));
    optional(
        "aliases",
        (!finding.aliases.is_empty()).then(|| json!(finding.aliases)),
    );
    optional(
        "targets",
        (!finding.targets.is_empty()).then(|| json!(finding.targets)),
    );
    optional("scan_id", Some(json!(scan_id)));
    optional("first_seen", Some(json!(format_time(tracked.first_seen))));
    if let Some(entry) = kev {
        optional(
            "kev",
            Some(json!({
                "date_added": entry.date_added,
                "due_date": entry.due_date,
                "required_action": entry.required_action,
                "known_ransomware_campaign_use": entry.known_ransomware_campaign_use,
                "vendor_project": entry.vendor_project,
                "product": entry.product,
                "vulnerability_name": entry.vulnerability_name,
            })),
        );
    }
    Derived {
        event,
        data,
        notice: Some((finding.key(), notice)),
        risk: Risk::of(finding, in_kev),
        covers: Vec::new(),
    }
}

fn sla_event(
    tracked: &Tracked,
    due: Timestamp,
    period: Option<Duration>,
    now: Timestamp,
    in_kev: bool,
) -> Derived {
    let finding = &tracked.finding;
    let overdue_days = now.duration_since(due).as_secs() / 86_400;
    let mut data = object(json!({
        "cve_id": finding.id,
        "package": package_json(finding),
        "severity": finding.severity.as_str(),
        "detected_at": format_time(tracked.first_seen),
        "due_at": format_time(due),
        "days_overdue": overdue_days,
    }));
    if let Some(period) = period {
        data.insert("sla_days".into(), json!(period.as_secs() / 86_400));
    }
    insert_epss(&mut data, finding);
    if let Some(url) = &finding.url {
        data.insert("url".into(), json!(url));
    }
    Derived {
        event: Event::SlaBreach,
        data,
        notice: Some((finding.key(), Notice::Sla)),
        risk: Risk::of(finding, in_kev),
        covers: Vec::new(),
    }
}

fn format_time(time: Timestamp) -> String {
    time.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The order of every worst-first list of events (digests among them): [`Risk::worst_first`]
/// of what each is about.
pub fn worst_first(a: &Derived, b: &Derived) -> std::cmp::Ordering {
    Risk::worst_first(&a.risk, &b.risk)
}

/// For one chat webhook: the events of each kind past `digest_after` folded into one digest
/// (the worst first). `events` are this webhook's, in plan order.
pub fn with_digests(events: Vec<&Derived>, digest_after: usize, repository: &str) -> Vec<Derived> {
    let mut output: Vec<Derived> = Vec::new();
    let mut kinds: Vec<Event> = Vec::new();
    for derived in &events {
        if !kinds.contains(&derived.event) {
            kinds.push(derived.event);
        }
    }
    for kind in kinds {
        let mut of_kind: Vec<&Derived> = events
            .iter()
            .copied()
            .filter(|derived| derived.event == kind)
            .collect();
        // digest_after = 0 means every message of the kind goes into one digest.
        if of_kind.len() <= digest_after || kind == Event::ScanComplete {
            output.extend(of_kind.into_iter().cloned());
            continue;
        }
        of_kind.sort_by(|a, b| worst_first(a, b));
        let (individual, rest) = of_kind.split_at(digest_after);
        output.extend(individual.iter().map(|derived| (*derived).clone()));
        output.push(digest(kind, rest, of_kind.len(), repository));
    }
    output
}

fn digest(kind: Event, rest: &[&Derived], total: usize, repository: &str) -> Derived {
    let items: Vec<Value> = rest
        .iter()
        .map(|derived| {
            let mut item = Map::new();
            for key in [
                "cve_id",
                "policy",
                "package",
                "severity",
                "fixed_version",
                "epss",
                "due_at",
                "url",
            ] {
                if let Some(value) = derived.data.get(key) {
                    item.insert(key.into(), value.clone());
                }
            }
            Value::Object(item)
        })
        .collect();
    Derived {
        event: kind,
        data: object(json!({
            "digest": true,
            "count": rest.len(),
            "total": total,
            "repository": repository,
            "items": items,
        })),
        // The notices of the folded events are recorded from the events themselves.
        notice: None,
        covers: rest
            .iter()
            .flat_map(|derived| derived.covers.iter().copied())
            .collect(),
        risk: rest
            .iter()
            .map(|derived| derived.risk)
            .reduce(Risk::worse)
            .unwrap_or(NO_RISK),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A critical_vulnerability event about `cve` with these worst-first facts.
    fn event(cve: &str, kev: bool, epss: Option<f64>, cvss_score: Option<f64>) -> Derived {
        Derived {
            event: Event::CriticalVulnerability,
            data: object(json!({"cve_id": cve, "severity": "critical", "epss": epss})),
            notice: None,
            risk: Risk {
                kev,
                epss,
                cvss_score,
                severity: Severity::Critical,
            },
            covers: Vec::new(),
        }
    }

    #[test]
    fn digests_keep_the_worst_first_by_risk() {
        let events = [
            event("CVE-plain", false, None, Some(9.8)),
            event("CVE-likely", false, Some(0.9), Some(5.0)),
            event("CVE-kev", true, None, None),
            event("CVE-unlikely", false, Some(0.01), Some(10.0)),
            event("CVE-nothing", false, None, None),
        ];
        let messages = with_digests(events.iter().collect(), 2, "o/r");
        let ids = |derived: &Derived| derived.data["cve_id"].as_str().map(str::to_string);
        let individual: Vec<Option<String>> = messages[..2].iter().map(ids).collect();
        assert_eq!(
            individual,
            [Some("CVE-kev".to_string()), Some("CVE-likely".to_string())]
        );
        let digest = &messages[2];
        let items: Vec<&str> = digest.data["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["cve_id"].as_str().unwrap())
            .collect();
        assert_eq!(items, ["CVE-unlikely", "CVE-plain", "CVE-nothing"]);
        // A digest sorts as its worst item, and carries each item's EPSS.
        assert_eq!(digest.risk.epss, Some(0.01));
        assert_eq!(digest.data["items"][0]["epss"], json!(0.01));
        assert_eq!(messages.len(), 3);
    }

    fn fixed(id: &str, version: &str, severity: Severity, score: Option<f64>) -> FixedFinding {
        FixedFinding {
            key: (id.into(), "lodash".into(), version.into()),
            severity,
            cvss_score: score,
            kev: false,
            epss: None,
            first_seen: Timestamp::from_second(1_700_000_000).unwrap(),
        }
    }

    #[test]
    fn the_fixed_list_is_worst_first_and_capped() {
        let now = Timestamp::from_second(1_700_000_000 + 34 * 86_400 + 3_600).unwrap();
        let mut all = vec![
            fixed("CVE-LOW", "1", Severity::Low, Some(3.0)),
            fixed("CVE-HIGH-7", "1", Severity::High, Some(7.0)),
            fixed("CVE-CRITICAL", "", Severity::Critical, None),
            fixed("CVE-HIGH-8", "1", Severity::High, Some(8.1)),
            FixedFinding {
                kev: true,
                ..fixed("CVE-KEV", "1", Severity::Medium, Some(5.0))
            },
            FixedFinding {
                epss: Some(0.4),
                ..fixed("CVE-LIKELY", "1", Severity::Low, Some(2.0))
            },
        ];
        // 60 unknowns after them, so the cap cuts the least bad.
        for number in 0..60 {
            all.push(fixed(
                &format!("CVE-UNKNOWN-{number:02}"),
                "2",
                Severity::Unknown,
                None,
            ));
        }
        let list = fixed_list(&all, now);
        let list = list.as_array().unwrap();
        assert_eq!(list.len(), FIXED_LISTED);
        let ids: Vec<&str> = list[..8]
            .iter()
            .map(|item| item["id"].as_str().unwrap())
            .collect();
        // The one worst-first order (Risk::worst_first): KEV, EPSS, CVSS, severity; then key.
        assert_eq!(
            ids,
            [
                "CVE-KEV",
                "CVE-LIKELY",
                "CVE-HIGH-8",
                "CVE-HIGH-7",
                "CVE-LOW",
                "CVE-CRITICAL",
                "CVE-UNKNOWN-00",
                "CVE-UNKNOWN-01"
            ]
        );
        assert_eq!(list[49]["id"], "CVE-UNKNOWN-43");
        assert_eq!(
            list[5],
            json!({
                "id": "CVE-CRITICAL",
                "package": {"name": "lodash"},
                "severity": "critical",
                "first_seen": "2023-11-14T22:13:20Z",
                "days_open": 34,
            })
        );
        assert_eq!(
            list[2]["package"],
            json!({"name": "lodash", "version": "1"})
        );
        assert_eq!(fixed_list(&[], now), json!([]));
    }
}
