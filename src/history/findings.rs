//! Finding state per repository (docs/reference.md §9): first and last seen, fixed, re-opened, and which
//! notifications each finding already produced. Lives in the history file.

use jiff::Timestamp;
use serde::Serialize;

use crate::names::Named;
use crate::report::{Finding, Severity};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    Critical,
    Kev,
    Sla,
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
}

/// The outcome of one report for one repository.
#[derive(Debug, Clone, Default)]
pub struct Reconciliation {
    pub current: Vec<Tracked>,
    /// How many findings this report marked fixed.
    pub fixed: usize,
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
