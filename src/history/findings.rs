//! Finding state per repository (docs/reference.md §9): first and last seen, fixed, re-opened, and which
//! notifications each finding already produced. Lives in the history file.

use jiff::Timestamp;
use serde::Serialize;

use super::incidents::Incident;
use crate::event::Event;
use crate::names::Named;
use crate::report::{Finding, Risk, Severity};

/// What a report did to one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Never seen in this repository before.
    New,
    /// Seen before and still there.
    Open,
    /// Was fixed, and is back.
    Reopened,
}

/// The notifications a finding can produce once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Notice {
    Critical,
    Kev,
    Sla,
}

impl Notice {
    pub const ALL: [Notice; 3] = [Notice::Critical, Notice::Kev, Notice::Sla];

    /// Its stored columns, named alike on every backend: when it went out, which run claimed
    /// it, and when.
    pub fn columns(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Notice::Critical => (
                "notified_critical",
                "claimed_critical_by",
                "claimed_critical_at",
            ),
            Notice::Kev => ("notified_kev", "claimed_kev_by", "claimed_kev_at"),
            Notice::Sla => ("notified_sla", "claimed_sla_by", "claimed_sla_at"),
        }
    }

    /// The event the notice goes out as (and is listed under in `findings`).
    pub fn event(self) -> Event {
        match self {
            Notice::Critical => Event::CriticalVulnerability,
            Notice::Kev => Event::KevFound,
            Notice::Sla => Event::SlaBreach,
        }
    }

    fn index(self) -> usize {
        match self {
            Notice::Critical => 0,
            Notice::Kev => 1,
            Notice::Sla => 2,
        }
    }
}

/// Who holds a notice's claim, and since when (Unix milliseconds).
#[derive(Debug, Clone, Default)]
pub struct Claim {
    pub by: Option<String>,
    pub at: Option<i64>,
}

/// A finding's stored state as a backend reads it before reconciling (times in Unix
/// milliseconds), so that both backends judge claims and build [`Tracked`] the same way.
#[derive(Debug, Clone)]
pub struct StoredFinding {
    pub first_seen: i64,
    pub fixed_at: Option<i64>,
    /// Whether each notice went out, in the order of [`Notice::ALL`].
    pub notified: [bool; 3],
    /// Each notice's claim, in the order of [`Notice::ALL`].
    pub claims: [Claim; 3],
    /// The worst-first facts last stored (severity, CVSS and EPSS scores, in the KEV
    /// catalog), for listing the finding when it is fixed.
    pub severity: Severity,
    pub cvss_score: Option<f64>,
    pub kev: bool,
    pub epss: Option<f64>,
}

impl StoredFinding {
    /// The columns every backend reads into a `StoredFinding`, in the order of its fields.
    pub const COLUMNS: &'static str = "first_seen, fixed_at, notified_critical, notified_kev, \
         notified_sla, claimed_critical_by, claimed_critical_at, claimed_kev_by, claimed_kev_at, \
         claimed_sla_by, claimed_sla_at, severity, cvss_score, kev, epss";

    /// A stored severity label (always [`Severity::as_str`]) as a [`Severity`]; read for
    /// every stored row, so compared as it is, without the case folding of a scanner's label.
    pub fn severity_from(label: &str) -> Severity {
        Severity::ALL
            .into_iter()
            .find(|severity| severity.as_str() == label)
            .unwrap_or(Severity::Unknown)
    }
}

/// A finding this run marked fixed: open until now, and not in the report.
#[derive(Debug, Clone, PartialEq)]
pub struct FixedFinding {
    /// As stored: a version the report did not give is the empty string.
    pub key: FindingKey,
    pub severity: Severity,
    pub cvss_score: Option<f64>,
    pub kev: bool,
    pub epss: Option<f64>,
    pub first_seen: Timestamp,
}

impl FixedFinding {
    /// Where it goes in the worst-first list of fixed findings: as it stood when last seen.
    pub fn risk(&self) -> Risk {
        Risk {
            kev: self.kev,
            epss: self.epss,
            cvss_score: self.cvss_score,
            severity: self.severity,
        }
    }
}

/// Of a repository's stored findings, the open ones the report no longer has (`in_report`
/// says which it has): the ones a reconciliation marks fixed. Both backends decide this here.
pub fn newly_fixed<'a>(
    stored: impl IntoIterator<Item = (&'a FindingKey, &'a StoredFinding)>,
    in_report: impl Fn(&FindingKey) -> bool,
) -> Vec<FixedFinding> {
    stored
        .into_iter()
        .filter(|(key, state)| state.fixed_at.is_none() && !in_report(key))
        .map(|(key, state)| FixedFinding {
            key: key.clone(),
            severity: state.severity,
            cvss_score: state.cvss_score,
            kev: state.kev,
            epss: state.epss,
            first_seen: Timestamp::from_millisecond(state.first_seen)
                .unwrap_or(Timestamp::UNIX_EPOCH),
        })
        .collect()
}

/// A finding's identity within a repository: vulnerability id, package, version.
pub type FindingKey = (String, String, String);

/// A run that claims once-only notices (or failed deliveries to send again), so that
/// concurrent runs never send the same one twice.
#[derive(Debug, Clone)]
pub struct Claimant {
    /// This run's id (a fresh UUID).
    pub run: String,
    /// When this run claims.
    pub now: Timestamp,
    /// A claim made before this belongs to a run that died, and is taken over: it is older
    /// than the longest any delivery may take (`max_elapsed` + `timeout` + a minute).
    pub stale_before: Timestamp,
}

impl Claimant {
    /// Whether this run may claim what `claim` guards: nobody holds it, this run does, or
    /// the run that does is older than `stale_before` (it died).
    pub fn may_take(&self, claim: &Claim) -> bool {
        let held_by_another = claim.by.as_deref().is_some_and(|run| run != self.run)
            && claim
                .at
                .is_some_and(|at| at >= self.stale_before.as_millisecond());
        !held_by_another
    }

    /// Of the notices `due` for `tracked`, those this run may claim: not given yet and not
    /// held by another run whose claim is younger than `stale_before`.
    pub fn claimable(
        &self,
        tracked: &Tracked,
        stored: Option<&StoredFinding>,
        due: impl IntoIterator<Item = Notice>,
    ) -> Vec<Notice> {
        let mut claimed = Vec::new();
        for notice in due {
            if tracked.notified(notice) || claimed.contains(&notice) {
                continue;
            }
            if stored.is_none_or(|stored| self.may_take(&stored.claims[notice.index()])) {
                claimed.push(notice);
            }
        }
        claimed
    }
}

/// How a claimed notice came out: delivered → used up; not delivered → released for the
/// next run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeOutcome {
    pub key: FindingKey,
    pub notice: Notice,
    pub delivered: bool,
}

/// A finding of the current report with its stored state after reconciliation.
#[derive(Debug, Clone)]
pub struct Tracked {
    pub finding: Finding,
    pub change: Change,
    pub first_seen: Timestamp,
    pub notified_critical: bool,
    pub notified_kev: bool,
    pub notified_sla: bool,
    /// The once-only notices this run claimed for the finding: the ones it must send.
    pub claimed: Vec<Notice>,
}

impl Tracked {
    /// A finding of the current report with what was stored about it (`None`: never seen).
    pub fn new(finding: &Finding, stored: Option<&StoredFinding>, now: Timestamp) -> Tracked {
        let notified = stored.map_or([false; 3], |stored| stored.notified);
        Tracked {
            finding: finding.clone(),
            change: match stored {
                None => Change::New,
                Some(stored) if stored.fixed_at.is_some() => Change::Reopened,
                Some(_) => Change::Open,
            },
            first_seen: stored
                .and_then(|stored| Timestamp::from_millisecond(stored.first_seen).ok())
                .unwrap_or(now),
            notified_critical: notified[0],
            notified_kev: notified[1],
            notified_sla: notified[2],
            claimed: Vec::new(),
        }
    }

    /// Whether the notice already went out for this finding.
    pub fn notified(&self, notice: Notice) -> bool {
        match notice {
            Notice::Critical => self.notified_critical,
            Notice::Kev => self.notified_kev,
            Notice::Sla => self.notified_sla,
        }
    }
}

/// The outcome of one report for one repository.
#[derive(Debug, Clone, Default)]
pub struct Reconciliation {
    pub current: Vec<Tracked>,
    /// Every finding this report marked fixed, in no particular order.
    pub fixed: Vec<FixedFinding>,
    /// The open PagerDuty incidents this run claimed to resolve: the resolves it must send.
    pub resolves: Vec<Incident>,
}

/// One stored finding, as `staxhook findings` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FindingRecord {
    pub repository: String,
    pub id: String,
    pub aliases: Vec<String>,
    pub package: FindingPackage,
    pub severity: String,
    pub cvss_score: Option<f64>,
    /// In the KEV catalog when the finding was last reconciled.
    pub kev: bool,
    /// The EPSS scores when the finding was last reconciled; null when there were none.
    pub epss: Option<f64>,
    pub epss_percentile: Option<f64>,
    pub fixed_version: Option<String>,
    pub title: Option<String>,
    pub url: Option<String>,
    pub targets: Vec<String>,
    pub status: &'static str,
    #[serde(serialize_with = "super::serialize_timestamp")]
    pub first_seen: Timestamp,
    #[serde(serialize_with = "super::serialize_timestamp")]
    pub last_seen: Timestamp,
    #[serde(serialize_with = "serialize_optional_timestamp")]
    pub fixed_at: Option<Timestamp>,
    pub notified: Vec<&'static str>,
}

impl FindingRecord {
    /// Where it goes in a worst-first list.
    pub fn risk(&self) -> Risk {
        Risk {
            kev: self.kev,
            epss: self.epss,
            cvss_score: self.cvss_score,
            severity: self.severity.parse().unwrap_or(Severity::Unknown),
        }
    }
}

/// What a reconcile stores besides the report's own facts: the finding's EPSS score and
/// percentile, and whether it is in the KEV catalog.
pub fn stored_risk(finding: &Finding) -> (Option<f64>, Option<f64>, bool) {
    (
        finding.epss.map(|epss| epss.score),
        finding.epss.map(|epss| epss.percentile),
        finding.in_kev,
    )
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingPackage {
    pub name: String,
    pub version: Option<String>,
    pub ecosystem: Option<String>,
    pub purl: Option<String>,
}

fn serialize_optional_timestamp<S: serde::Serializer>(
    timestamp: &Option<Timestamp>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match timestamp {
        Some(timestamp) => serializer.collect_str(&format_args!("{timestamp:.3}")),
        None => serializer.serialize_none(),
    }
}

/// Whether a stored finding is still in the latest report (`open`) or gone (`fixed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingStatus {
    Open,
    Fixed,
}

impl Named for FindingStatus {
    const KIND: &'static str = "finding status";

    fn all() -> &'static [FindingStatus] {
        &[FindingStatus::Open, FindingStatus::Fixed]
    }

    fn name(self) -> &'static str {
        match self {
            FindingStatus::Open => "open",
            FindingStatus::Fixed => "fixed",
        }
    }
}

/// Which stored findings `findings` shows.
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub repository: Option<String>,
    /// `Some(true)`: open only; `Some(false)`: fixed only.
    pub open: Option<bool>,
    pub severity: Option<Severity>,
}
