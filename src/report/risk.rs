//! The one "worst first" order (docs/reference.md §11): known exploited first, then the
//! higher EPSS score, then the higher CVSS score, then the worse severity. `findings --sort
//! risk`, digests, policy violation lists and every other worst-first list sort with
//! [`Risk::worst_first`], so changing the order means changing this file only.

use std::cmp::Ordering;

use serde::Serialize;

use super::{Finding, Severity};

/// A finding's EPSS facts (FIRST's Exploit Prediction Scoring System): the probability that
/// the vulnerability is exploited in the next 30 days, and the share of scored CVEs with a
/// lower score. Both in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Epss {
    pub score: f64,
    pub percentile: f64,
}

/// What the worst-first order looks at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Risk {
    /// In the CISA KEV catalog.
    pub kev: bool,
    pub epss: Option<f64>,
    pub cvss_score: Option<f64>,
    pub severity: Severity,
}

impl Risk {
    /// A finding's, given whether it is in the KEV catalog.
    pub fn of(finding: &Finding, kev: bool) -> Risk {
        Risk {
            kev,
            epss: finding.epss.map(|epss| epss.score),
            cvss_score: finding.cvss_score,
            severity: finding.severity,
        }
    }

    /// `Less` when `a` is worse than `b`, so `sort_by(Risk::worst_first)` puts the worst
    /// first. An unknown EPSS or CVSS score counts below every known one.
    pub fn worst_first(a: &Risk, b: &Risk) -> Ordering {
        let known = |score: Option<f64>| score.filter(|score| !score.is_nan());
        b.kev
            .cmp(&a.kev)
            .then_with(|| compare_scores(known(b.epss), known(a.epss)))
            .then_with(|| compare_scores(known(b.cvss_score), known(a.cvss_score)))
            .then_with(|| b.severity.cmp(&a.severity))
    }

    /// The worse of two.
    pub fn worse(self, other: Risk) -> Risk {
        if Risk::worst_first(&other, &self) == Ordering::Less {
            other
        } else {
            self
        }
    }
}

/// `None` is below every number.
fn compare_scores(a: Option<f64>, b: Option<f64>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.total_cmp(&b),
        (a, b) => a.is_some().cmp(&b.is_some()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn risk(kev: bool, epss: Option<f64>, cvss_score: Option<f64>, severity: Severity) -> Risk {
        Risk {
            kev,
            epss,
            cvss_score,
            severity,
        }
    }

    #[test]
    fn kev_then_epss_then_cvss_then_severity() {
        let mut risks = vec![
            risk(false, None, None, Severity::Low),
            risk(false, None, None, Severity::Critical),
            risk(false, None, Some(9.8), Severity::Medium),
            risk(false, Some(0.01), None, Severity::Low),
            risk(false, Some(0.5), Some(5.0), Severity::Medium),
            risk(false, Some(0.5), Some(7.5), Severity::High),
            risk(true, None, None, Severity::Low),
            risk(true, Some(0.2), None, Severity::Low),
            risk(false, Some(0.0), None, Severity::Low),
        ];
        risks.sort_by(Risk::worst_first);
        let shown: Vec<String> = risks
            .iter()
            .map(|risk| {
                format!(
                    "{} {:?} {:?} {}",
                    if risk.kev { "KEV" } else { "-" },
                    risk.epss,
                    risk.cvss_score,
                    risk.severity
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                "KEV Some(0.2) None low",
                "KEV None None low",
                "- Some(0.5) Some(7.5) high",
                "- Some(0.5) Some(5.0) medium",
                "- Some(0.01) None low",
                "- Some(0.0) None low",
                "- None Some(9.8) medium",
                "- None None critical",
                "- None None low",
            ]
        );
    }

    #[test]
    fn the_worse_of_two_and_ties_keep_their_order() {
        let high = risk(false, None, Some(7.0), Severity::High);
        let kev = risk(true, None, None, Severity::Low);
        assert_eq!(high.worse(kev), kev);
        assert_eq!(kev.worse(high), kev);
        assert_eq!(Risk::worst_first(&high, &high), Ordering::Equal);
        // NaN never wins and never breaks the order.
        let odd = risk(false, Some(f64::NAN), None, Severity::Low);
        let none = risk(false, None, None, Severity::Low);
        assert_eq!(Risk::worst_first(&odd, &none), Ordering::Equal);
    }
}
