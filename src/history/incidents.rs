//! PagerDuty incidents that follow the findings (docs/reference.md §4, §9): which incidents a
//! webhook opened, what each is about, and when a later report closes it. A trigger is
//! remembered once it was delivered; the resolve is a once-only notice claimed like the
//! others (ARCHITECTURE.md, "The claim protocol"), so it goes out once however many runs
//! process one repository at once.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::findings::{Claim, Claimant, FindingKey};

/// What a PagerDuty event does to its incident. Stored with each PagerDuty delivery; rows
/// written before it was stored are triggers, and other channels' rows have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IncidentAction {
    Trigger,
    Resolve,
}

impl IncidentAction {
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentAction::Trigger => "trigger",
            IncidentAction::Resolve => "resolve",
        }
    }

    /// The action of a stored delivery row: the stored text, else (an older row, or one a
    /// newer staxhook wrote with an action this one does not know) a trigger for PagerDuty
    /// and none for other channels.
    pub fn of_row(channel: &str, stored: Option<&str>) -> Option<IncidentAction> {
        match stored {
            Some("resolve") => Some(IncidentAction::Resolve),
            _ if channel == "pagerduty" => Some(IncidentAction::Trigger),
            _ => None,
        }
    }
}

impl fmt::Display for IncidentAction {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// What an incident is about, so that a later run can tell whether it still holds. Stored
/// as JSON text: `{"finding":["CVE-…","package","version"]}`, `{"policy":"name"}`, or
/// `{"digest":[…]}` listing the subjects a digest trigger folded together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Finding(FindingKey),
    Policy(String),
    Digest(Vec<Subject>),
}

impl Subject {
    /// Whether the problem is still there in this run: the finding still in the report, the
    /// policy still violated, any of a digest's members still there.
    pub fn holds(&self, scope: &IncidentScope) -> bool {
        match self {
            Subject::Finding(key) => scope.present.contains(key),
            Subject::Policy(name) => scope.violated.contains(name),
            Subject::Digest(members) => members.iter().any(|member| member.holds(scope)),
        }
    }

    /// The subject to store after a delivered trigger, given the subject of the incident
    /// with the same key when that incident is still open: a digest triggered again (a later
    /// run with another flood) adds to the open incident PagerDuty keeps, so its members are
    /// the union of both.
    pub fn merged(self, open: Option<Subject>) -> Subject {
        match (self, open) {
            (Subject::Digest(mut members), Some(Subject::Digest(earlier))) => {
                let mut all = earlier;
                for member in members.drain(..) {
                    if !all.contains(&member) {
                        all.push(member);
                    }
                }
                Subject::Digest(all)
            }
            (subject, _) => subject,
        }
    }

    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "null".into())
    }

    /// `None` for text this staxhook cannot read (say, from a newer one): such an incident is
    /// left alone rather than resolved by a guess.
    pub fn from_text(text: &str) -> Option<Subject> {
        serde_json::from_str(text).ok()
    }
}

/// What a run knows, before it reconciles, that decides which open incidents it resolves.
#[derive(Debug, Clone, Default)]
pub struct IncidentScope {
    /// The PagerDuty webhooks this run sends to. Another webhook's incidents wait for a run
    /// that sends to it (the routing key is the current config's, so the webhook must exist).
    pub webhooks: HashSet<String>,
    /// The event kind this run is limited to (`emit EVENT --report`), if any.
    pub event: Option<String>,
    /// The keys of the findings in the report.
    pub present: HashSet<FindingKey>,
    /// The policies the report violates.
    pub violated: HashSet<String>,
}

impl IncidentScope {
    /// Whether this run resolves the incident: one of its webhooks opened it, its kind is
    /// among those sent, and its subject no longer holds.
    pub fn resolves(&self, webhook: &str, event: &str, subject: &Subject) -> bool {
        self.webhooks.contains(webhook)
            && self.event.as_deref().is_none_or(|only| only == event)
            && !subject.holds(self)
    }
}

/// An incident a webhook opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub webhook: String,
    pub repository: String,
    /// PagerDuty's `dedup_key`, the same in the trigger and in its resolve.
    pub dedup_key: String,
    /// The event that triggered it (`kev_found`, …).
    pub event: String,
    pub subject: Subject,
}

/// An open incident as a backend reads it while reconciling, with its resolve's claim.
#[derive(Debug, Clone)]
pub struct StoredIncident {
    pub webhook: String,
    pub dedup_key: String,
    pub event: String,
    pub subject: String,
    pub claim: Claim,
}

impl StoredIncident {
    /// The columns every backend reads into a `StoredIncident`, in the order of its fields.
    pub const COLUMNS: &'static str = "webhook, dedup_key, event, subject, claimed_by, claimed_at";

    /// The incident, when `claimant` resolves it in this run and may claim its resolve (not
    /// held by another live run).
    pub fn claimable(
        self,
        repository: &str,
        scope: &IncidentScope,
        claimant: &Claimant,
    ) -> Option<Incident> {
        let subject = Subject::from_text(&self.subject)?;
        (scope.resolves(&self.webhook, &self.event, &subject) && claimant.may_take(&self.claim))
            .then(|| Incident {
                webhook: self.webhook,
                repository: repository.to_string(),
                dedup_key: self.dedup_key,
                event: self.event,
                subject,
            })
    }
}

/// How a claimed resolve came out: delivered → the incident is closed; not delivered →
/// released for the next run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveOutcome {
    pub webhook: String,
    pub dedup_key: String,
    pub delivered: bool,
}

/// An incident row as `history copy` moves it (times in Unix milliseconds); claims are not
/// copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedIncident {
    pub row: i64,
    pub webhook: String,
    pub repository: String,
    pub dedup_key: String,
    pub event: String,
    pub subject: String,
    pub opened_at: i64,
    pub resolved_at: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(id: &str) -> Subject {
        Subject::Finding((id.into(), "xz".into(), "5.6.0".into()))
    }

    fn scope(present: &[&str], violated: &[&str]) -> IncidentScope {
        IncidentScope {
            webhooks: ["pd".to_string()].into(),
            event: None,
            present: present
                .iter()
                .map(|id| (id.to_string(), "xz".to_string(), "5.6.0".to_string()))
                .collect(),
            violated: violated.iter().map(|name| name.to_string()).collect(),
        }
    }

    #[test]
    fn a_subject_holds_while_its_problem_is_there() {
        let now = scope(&["CVE-1"], &["no-critical"]);
        assert!(finding("CVE-1").holds(&now));
        assert!(!finding("CVE-2").holds(&now));
        assert!(Subject::Policy("no-critical".into()).holds(&now));
        assert!(!Subject::Policy("banned".into()).holds(&now));
        let digest = Subject::Digest(vec![finding("CVE-2"), finding("CVE-1")]);
        assert!(digest.holds(&now), "one member is still there");
        assert!(!digest.holds(&scope(&[], &[])));
    }

    #[test]
    fn only_the_runs_webhooks_and_kind_resolve() {
        let mut now = scope(&[], &[]);
        assert!(now.resolves("pd", "kev_found", &finding("CVE-1")));
        assert!(!now.resolves("pd-later", "kev_found", &finding("CVE-1")));
        now.event = Some("critical_vulnerability".into());
        assert!(!now.resolves("pd", "kev_found", &finding("CVE-1")));
        assert!(now.resolves("pd", "critical_vulnerability", &finding("CVE-1")));
    }

    #[test]
    fn a_digest_triggered_again_while_open_keeps_every_member() {
        let earlier = Subject::Digest(vec![finding("CVE-1"), finding("CVE-2")]);
        let later = Subject::Digest(vec![finding("CVE-2"), finding("CVE-3")]);
        assert_eq!(
            later.clone().merged(Some(earlier)),
            Subject::Digest(vec![finding("CVE-1"), finding("CVE-2"), finding("CVE-3")])
        );
        assert_eq!(later.clone().merged(None), later);
    }

    #[test]
    fn subjects_survive_their_text() {
        for subject in [
            finding("CVE-1"),
            Subject::Policy("p".into()),
            Subject::Digest(vec![finding("CVE-\u{0}1"), Subject::Policy("p".into())]),
        ] {
            let text = subject.to_text();
            assert!(!text.contains('\u{0}'), "{text}");
            assert_eq!(Subject::from_text(&text), Some(subject));
        }
        assert_eq!(
            finding("CVE-1").to_text(),
            r#"{"finding":["CVE-1","xz","5.6.0"]}"#
        );
        assert_eq!(Subject::from_text(r#"{"future":1}"#), None);
    }

    #[test]
    fn older_rows_are_triggers_on_pagerduty_only() {
        assert_eq!(
            IncidentAction::of_row("pagerduty", None),
            Some(IncidentAction::Trigger)
        );
        assert_eq!(
            IncidentAction::of_row("pagerduty", Some("resolve")),
            Some(IncidentAction::Resolve)
        );
        assert_eq!(IncidentAction::of_row("slack", None), None);
    }
}

/// The incidents as each backend stores them: the same claims, the same answers.
#[cfg(test)]
mod stored {
    use jiff::Timestamp;

    use super::*;
    use crate::history::tests::{at_second as at, on_both_backends, run_at as run, Backend};
    use crate::history::History;
    use crate::report::{Finding, Severity};

    on_both_backends!(
        a_resolve_is_claimed_by_one_run_released_on_failure_and_given_on_delivery,
        only_the_webhook_that_opened_an_incident_resolves_it,
        a_digest_resolves_when_none_of_its_members_is_left,
        a_dry_run_claims_no_resolve_and_a_copy_moves_incidents_once,
    );

    fn finding(id: &str) -> Finding {
        Finding::example(id, "xz", "5.6.0", Severity::Critical)
    }

    fn incident(webhook: &str, subject: Subject, dedup_key: &str) -> Incident {
        Incident {
            webhook: webhook.into(),
            repository: "o/r".into(),
            dedup_key: dedup_key.into(),
            event: "critical_vulnerability".into(),
            subject,
        }
    }

    fn scope(webhooks: &[&str], present: &[Finding]) -> IncidentScope {
        IncidentScope {
            webhooks: webhooks.iter().map(|name| name.to_string()).collect(),
            event: None,
            present: present.iter().map(Finding::key).collect(),
            violated: Default::default(),
        }
    }

    /// Reconciles `present` as run `name`; the dedup keys whose resolve it claimed.
    fn claim(
        history: &History,
        name: &str,
        now: Timestamp,
        scope: &IncidentScope,
        present: &[Finding],
        persist: bool,
    ) -> Vec<String> {
        history
            .reconcile("o/r", present, persist, &run(name, now), scope, &|_| {
                Vec::new()
            })
            .unwrap()
            .resolves
            .into_iter()
            .map(|incident| incident.dedup_key)
            .collect()
    }

    fn settle(history: &History, name: &str, now: Timestamp, key: &str, delivered: bool) {
        history
            .settle_incidents(
                &run(name, now),
                &[],
                &[ResolveOutcome {
                    webhook: "pd".into(),
                    dedup_key: key.into(),
                    delivered,
                }],
            )
            .unwrap();
    }

    fn a_resolve_is_claimed_by_one_run_released_on_failure_and_given_on_delivery(backend: Backend) {
        let test = backend.open();
        let history = &test.history;
        let (a, b) = (finding("CVE-1"), finding("CVE-2"));
        let opened = [
            incident("pd", Subject::Finding(a.key()), "key-a"),
            incident("pd", Subject::Finding(b.key()), "key-b"),
        ];
        history
            .settle_incidents(&run("trigger", at(0)), &opened, &[])
            .unwrap();
        let only_b = std::slice::from_ref(&b);
        let pd = scope(&["pd"], only_b);
        let everything = [a.clone(), b.clone()];
        assert!(claim(
            history,
            "still",
            at(1),
            &scope(&["pd"], &everything),
            &everything,
            true
        )
        .is_empty());
        // CVE-1 is fixed: one run claims its resolve; a second live run gets nothing.
        assert_eq!(claim(history, "one", at(2), &pd, only_b, true), ["key-a"]);
        assert!(claim(history, "two", at(3), &pd, only_b, true).is_empty());
        // Not delivered: released, and the next run claims it.
        settle(history, "one", at(4), "key-a", false);
        assert_eq!(claim(history, "three", at(5), &pd, only_b, true), ["key-a"]);
        settle(history, "three", at(6), "key-a", true);
        assert!(claim(history, "four", at(7), &pd, only_b, true).is_empty());
        // A run that died holds its claim until it goes stale.
        let none = scope(&["pd"], &[]);
        assert_eq!(claim(history, "died", at(10), &none, &[], true), ["key-b"]);
        assert!(claim(history, "early", at(109), &none, &[], true).is_empty());
        assert_eq!(claim(history, "late", at(111), &none, &[], true), ["key-b"]);
        // A trigger of a resolved incident opens it again.
        history
            .settle_incidents(&run("again", at(200)), &opened[..1], &[])
            .unwrap();
        assert_eq!(
            claim(history, "after", at(201), &none, &[], true),
            ["key-a"]
        );
    }

    /// `pd` opened the incident `key-a` about CVE-1 at 0 s.
    fn open_one_incident(history: &History) {
        history
            .settle_incidents(
                &run("trigger", at(0)),
                &[incident(
                    "pd",
                    Subject::Finding(finding("CVE-1").key()),
                    "key-a",
                )],
                &[],
            )
            .unwrap();
    }

    fn only_the_webhook_that_opened_an_incident_resolves_it(backend: Backend) {
        let test = backend.open();
        let history = &test.history;
        open_one_incident(history);
        assert!(claim(history, "x", at(1), &scope(&["pd-later"], &[]), &[], true).is_empty());
        assert!(claim(history, "x", at(1), &scope(&[], &[]), &[], true).is_empty());
        let mut other_kind = scope(&["pd"], &[]);
        other_kind.event = Some("kev_found".into());
        assert!(claim(history, "x", at(1), &other_kind, &[], true).is_empty());
        assert_eq!(
            claim(history, "y", at(2), &scope(&["pd"], &[]), &[], true),
            ["key-a"]
        );
    }

    fn a_digest_resolves_when_none_of_its_members_is_left(backend: Backend) {
        let test = backend.open();
        let history = &test.history;
        let [a, b, c] = [finding("CVE-1"), finding("CVE-2"), finding("CVE-3")];
        let digest = |members: &[&Finding]| {
            incident(
                "pd",
                Subject::Digest(
                    members
                        .iter()
                        .map(|finding| Subject::Finding(finding.key()))
                        .collect(),
                ),
                "digest",
            )
        };
        history
            .settle_incidents(&run("first", at(0)), &[digest(&[&a, &b])], &[])
            .unwrap();
        // A later flood adds CVE-3 to the open digest.
        history
            .settle_incidents(&run("second", at(1)), &[digest(&[&c])], &[])
            .unwrap();
        for left in [&a, &c] {
            let present = [left.clone()];
            assert!(
                claim(
                    history,
                    "x",
                    at(2),
                    &scope(&["pd"], &present),
                    &present,
                    false
                )
                .is_empty(),
                "{} is still open",
                left.id
            );
        }
        assert_eq!(
            claim(history, "y", at(3), &scope(&["pd"], &[]), &[], true),
            ["digest"]
        );
    }

    fn a_dry_run_claims_no_resolve_and_a_copy_moves_incidents_once(backend: Backend) {
        let test = backend.open();
        let history = &test.history;
        open_one_incident(history);
        let none = scope(&["pd"], &[]);
        assert_eq!(claim(history, "dry", at(1), &none, &[], false), ["key-a"]);
        assert_eq!(claim(history, "real", at(2), &none, &[], true), ["key-a"]);

        let exported = history.export_incidents(0, 10).unwrap();
        assert_eq!(exported.len(), 1);
        assert_eq!(
            exported[0].subject,
            Subject::Finding(finding("CVE-1").key()).to_text()
        );
        let copy = Backend::Sqlite.open();
        assert_eq!(copy.history.import_incidents(&exported).unwrap(), 1);
        assert_eq!(copy.history.import_incidents(&exported).unwrap(), 0);
        // The copy's claims start free: its own runs resolve the incident.
        assert_eq!(
            claim(&copy.history, "copy", at(3), &none, &[], true),
            ["key-a"]
        );
    }
}
