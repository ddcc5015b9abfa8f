//! Policies (`[[policy]]`, docs/reference.md §9): which findings a policy forbids, including
//! `deny_packages` rules such as `log4j-core@<2.17.1` (whose versions compare in the one order
//! of [`crate::version`]).

use std::cmp::Ordering;

use crate::report::{Finding, Risk, Severity};
use crate::version;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Fail,
    Warn,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Fail => "fail",
            Action::Warn => "warn",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
}

/// `name` or `name@<op><version>`: a package the policy forbids (in those versions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageRule {
    pub name: String,
    pub requirement: Option<(Comparison, String)>,
    pub text: String,
}

impl PackageRule {
    pub fn parse(text: &str) -> Result<PackageRule, String> {
        let trimmed = text.trim();
        // A leading `@` belongs to an npm scope (`@babel/core@<7`), not to a requirement.
        let split_at = trimmed
            .char_indices()
            .skip(1)
            .find(|(_, character)| *character == '@')
            .map(|(index, _)| index);
        let (name, requirement) = match split_at {
            Some(index) => (&trimmed[..index], Some(&trimmed[index + 1..])),
            None => (trimmed, None),
        };
        if name.trim_start_matches('@').is_empty() {
            return Err(format!("`{text}`: no package name"));
        }
        let requirement = match requirement {
            None => None,
            Some(requirement) => {
                let (comparison, version) = if let Some(rest) = requirement.strip_prefix("<=") {
                    (Comparison::LessOrEqual, rest)
                } else if let Some(rest) = requirement.strip_prefix(">=") {
                    (Comparison::GreaterOrEqual, rest)
                } else if let Some(rest) = requirement.strip_prefix('<') {
                    (Comparison::Less, rest)
                } else if let Some(rest) = requirement.strip_prefix('>') {
                    (Comparison::Greater, rest)
                } else if let Some(rest) = requirement.strip_prefix("==") {
                    (Comparison::Equal, rest)
                } else if let Some(rest) = requirement.strip_prefix('=') {
                    (Comparison::Equal, rest)
                } else {
                    (Comparison::Equal, requirement)
                };
                let version = version.trim();
                if version.is_empty() {
                    return Err(format!("`{text}`: no version after the comparison (write it like log4j-core@<2.17.1)"));
                }
                Some((comparison, version.to_string()))
            }
        };
        Ok(PackageRule {
            name: name.to_string(),
            requirement,
            text: trimmed.to_string(),
        })
    }

    /// The name matches exactly, or as the last part of a qualified name
    /// (`org.apache.logging.log4j:log4j-core`, `github.com/x/y`, `@scope/name`).
    pub fn matches(&self, finding: &Finding) -> bool {
        let name = finding.package.name.as_str();
        let name_matches = name == self.name
            || name.ends_with(&format!(":{}", self.name))
            || name.ends_with(&format!("/{}", self.name));
        if !name_matches {
            return false;
        }
        match (&self.requirement, &finding.package.version) {
            (None, _) => true,
            // A forbidden range with no known version: flag it rather than let it through.
            (Some(_), None) => true,
            (Some((comparison, wanted)), Some(installed)) => {
                let order = version::compare(installed, wanted);
                match comparison {
                    Comparison::Less => order == Ordering::Less,
                    Comparison::LessOrEqual => order != Ordering::Greater,
                    Comparison::Greater => order == Ordering::Greater,
                    Comparison::GreaterOrEqual => order != Ordering::Less,
                    Comparison::Equal => order == Ordering::Equal,
                }
            }
        }
    }
}

/// A validated `[[policy]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub name: String,
    pub action: Action,
    pub severity_at_least: Option<Severity>,
    pub fix_available: Option<bool>,
    pub kev: Option<bool>,
    /// Findings whose EPSS score is at least this (0 to 1); a finding without one never is.
    pub epss_at_least: Option<f64>,
    pub max_count: Vec<(Severity, u64)>,
    pub deny_packages: Vec<PackageRule>,
}

/// A finding as a policy sees it: the finding (with its EPSS scores) and whether it is in
/// the KEV catalog.
pub struct Candidate<'a> {
    pub finding: &'a Finding,
    pub in_kev: bool,
}

impl Candidate<'_> {
    /// Where it goes in a worst-first list.
    pub fn risk(&self) -> Risk {
        Risk::of(self.finding, self.in_kev)
    }
}

impl Policy {
    /// The conditions in words, for the `rule` field of `policy_violation`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(severity) = self.severity_at_least {
            parts.push(format!("severity_at_least = {severity}"));
        }
        if let Some(fix) = self.fix_available {
            parts.push(format!("fix_available = {fix}"));
        }
        if let Some(kev) = self.kev {
            parts.push(format!("kev = {kev}"));
        }
        if let Some(threshold) = self.epss_at_least {
            parts.push(format!("epss_at_least = {threshold}"));
        }
        if !self.deny_packages.is_empty() {
            let rules: Vec<&str> = self
                .deny_packages
                .iter()
                .map(|rule| rule.text.as_str())
                .collect();
            parts.push(format!("deny_packages = [{}]", rules.join(", ")));
        }
        if !self.max_count.is_empty() {
            let limits: Vec<String> = self
                .max_count
                .iter()
                .map(|(severity, count)| format!("{severity} = {count}"))
                .collect();
            parts.push(format!("max_count = {{ {} }}", limits.join(", ")));
        }
        parts.join(", ")
    }

    /// Why this finding matches the policy's finding conditions, or `None`.
    fn reason(&self, candidate: &Candidate) -> Option<String> {
        let finding = candidate.finding;
        let mut reasons = Vec::new();
        if let Some(threshold) = self.severity_at_least {
            if finding.severity < threshold {
                return None;
            }
            reasons.push(format!("{} ({})", finding.id, finding.severity));
        }
        if let Some(wanted) = self.fix_available {
            if finding.fixed_version.is_some() != wanted {
                return None;
            }
            if let Some(fix) = &finding.fixed_version {
                reasons.push(format!("fixed in {fix}"));
            }
        }
        if let Some(wanted) = self.kev {
            if candidate.in_kev != wanted {
                return None;
            }
            if wanted {
                reasons.push(format!("{} is a known exploited vulnerability", finding.id));
            }
        }
        if let Some(threshold) = self.epss_at_least {
            let score = finding.epss.map(|epss| epss.score)?;
            if score < threshold {
                return None;
            }
            reasons.push(format!("EPSS {score} ≥ {threshold}"));
        }
        if !self.deny_packages.is_empty() {
            let rule = self
                .deny_packages
                .iter()
                .find(|rule| rule.matches(finding))?;
            reasons.push(format!("denied package ({})", rule.text));
        }
        if reasons.is_empty() {
            reasons.push(format!("{} ({})", finding.id, finding.severity));
        }
        Some(reasons.join("; "))
    }

    /// The findings that violate the policy, each with its reason, the worst first
    /// ([`Risk::worst_first`]); empty when it holds.
    pub fn violations<'c, 'a>(
        &self,
        candidates: &'c [Candidate<'a>],
    ) -> Vec<(&'c Candidate<'a>, String)> {
        let mut matching: Vec<(&'c Candidate<'a>, String)> = candidates
            .iter()
            .filter_map(|candidate| self.reason(candidate).map(|reason| (candidate, reason)))
            .collect();
        matching.sort_by(|(a, _), (b, _)| Risk::worst_first(&a.risk(), &b.risk()));
        if self.max_count.is_empty() {
            return matching;
        }
        let over: Vec<(Severity, u64, usize)> = self
            .max_count
            .iter()
            .filter_map(|(severity, limit)| {
                let count = matching
                    .iter()
                    .filter(|(candidate, _)| candidate.finding.severity == *severity)
                    .count();
                (count as u64 > *limit).then_some((*severity, *limit, count))
            })
            .collect();
        matching
            .into_iter()
            .filter_map(|(candidate, reason)| {
                over.iter()
                    .find(|(severity, _, _)| candidate.finding.severity == *severity)
                    .map(|(severity, limit, count)| {
                        (
                            candidate,
                            format!(
                                "{reason}; {count} {severity} findings, over the limit of {limit}"
                            ),
                        )
                    })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `deny_packages` rule `pkg@<FIX` flags an installed version exactly when the pick of
    /// a fixed version takes FIX as an upgrade over it, so a report never offers as the fix a
    /// version a policy would still deny. Most pairs are ones the policy's and the reports'
    /// former comparisons answered differently: with two orders again, this fails.
    #[test]
    fn deny_rules_and_the_fixed_version_pick_agree() {
        use std::cmp::Ordering;

        use crate::report::{pick_fixed, Finding, Severity};
        // (installed, fix, how the fix compares with the installed version)
        let cases = [
            ("2.14.1", "2.17.1", Ordering::Greater),
            ("3.2.9", "3.2.10", Ordering::Greater),
            ("1.0", "1.0.0", Ordering::Equal),
            ("v1.2.3", "1.2.3", Ordering::Equal),
            ("1.2.3", "1.2.3+build5", Ordering::Equal),
            ("1.0.0-RC1", "1.0.0-rc1", Ordering::Equal),
            ("1.1.20", "1.1.20-r5", Ordering::Greater),
            ("1.1.20-r9", "1.1.20-r10", Ordering::Greater),
            ("2.30", "2.30-1ubuntu1", Ordering::Greater),
            ("1.2.3-1+deb10u1", "1.2.3-1+deb10u2", Ordering::Greater),
            ("1.2-1", "1.2-1+b1", Ordering::Greater),
            ("20.3.0", "20.3.1rc1", Ordering::Greater),
            ("2.17.1~rc1", "2.17.1", Ordering::Greater),
            ("1.0.0-M1", "1.0.0", Ordering::Greater),
            ("1.0.post1", "1.0.1", Ordering::Greater),
            ("1", "99999999999999999999", Ordering::Greater),
            ("3.0", "1:2.0", Ordering::Greater),
            ("1.0.0-rc1", "1.0.0", Ordering::Greater),
            ("19.10.0", "20.3.0rc1", Ordering::Greater),
        ];
        for (first, second, ordering) in cases {
            for (installed, fix, ordering) in [
                (first, second, ordering),
                (second, first, ordering.reverse()),
            ] {
                let rule = PackageRule::parse(&format!("pkg@<{fix}")).expect("a valid rule");
                let denied =
                    rule.matches(&Finding::example("CVE-0", "pkg", installed, Severity::High));
                // `installed` itself is never newer than `installed`: listed first, it is what
                // the pick falls back to unless it takes `fix` as an upgrade.
                let picked = pick_fixed(Some(installed), [installed, fix]);
                let upgrade = picked.as_deref() == Some(fix);
                assert_eq!(
                    denied, upgrade,
                    "installed {installed}, fix {fix}: the rule says {denied}, the pick {picked:?}"
                );
                assert_eq!(
                    upgrade,
                    ordering == Ordering::Greater,
                    "installed {installed}, fix {fix}"
                );
            }
        }
    }

    fn finding(name: &str, version: &str, severity: Severity, fix: Option<&str>) -> Finding {
        Finding {
            fixed_version: fix.map(str::to_string),
            ..Finding::example(&format!("CVE-{name}"), name, version, severity)
        }
    }

    #[test]
    fn package_rules() {
        let rule = PackageRule::parse("log4j-core@<2.17.1").unwrap();
        assert!(rule.matches(&finding(
            "org.apache.logging.log4j:log4j-core",
            "2.14.1",
            Severity::Low,
            None
        )));
        assert!(!rule.matches(&finding(
            "org.apache.logging.log4j:log4j-core",
            "2.17.1",
            Severity::Low,
            None
        )));
        assert!(!rule.matches(&finding("log4j-api", "2.14.1", Severity::Low, None)));
        let any = PackageRule::parse("event-stream").unwrap();
        assert!(any.matches(&finding("event-stream", "3.3.6", Severity::Low, None)));
        let scoped = PackageRule::parse("@babel/core@>=7.0.0").unwrap();
        assert_eq!(scoped.name, "@babel/core");
        assert!(PackageRule::parse("x@<").is_err());
        assert!(PackageRule::parse("@").is_err());
    }

    fn policy() -> Policy {
        Policy {
            name: "p".into(),
            action: Action::Fail,
            severity_at_least: None,
            fix_available: None,
            kev: None,
            epss_at_least: None,
            max_count: vec![],
            deny_packages: vec![],
        }
    }

    #[test]
    fn each_condition() {
        let critical_fixed = finding("a", "1", Severity::Critical, Some("2"));
        let critical_unfixed = finding("b", "1", Severity::Critical, None);
        let high = finding("c", "1", Severity::High, Some("2"));
        let candidates = [
            Candidate {
                finding: &critical_fixed,
                in_kev: false,
            },
            Candidate {
                finding: &critical_unfixed,
                in_kev: true,
            },
            Candidate {
                finding: &high,
                in_kev: false,
            },
        ];
        let with_fix = Policy {
            severity_at_least: Some(Severity::Critical),
            fix_available: Some(true),
            ..policy()
        };
        let names = |violations: Vec<(&Candidate, String)>| -> Vec<String> {
            violations
                .into_iter()
                .map(|(candidate, _)| candidate.finding.package.name.clone())
                .collect()
        };
        assert_eq!(names(with_fix.violations(&candidates)), vec!["a"]);
        let kev = Policy {
            kev: Some(true),
            ..policy()
        };
        assert_eq!(names(kev.violations(&candidates)), vec!["b"]);
        let budget = Policy {
            max_count: vec![(Severity::Critical, 1), (Severity::High, 1)],
            ..policy()
        };
        // Worst first: b is a known exploited vulnerability.
        assert_eq!(names(budget.violations(&candidates)), vec!["b", "a"]);
        let generous = Policy {
            max_count: vec![(Severity::Critical, 5)],
            ..policy()
        };
        assert!(generous.violations(&candidates).is_empty());
        let denied = Policy {
            deny_packages: vec![PackageRule::parse("c").unwrap()],
            ..policy()
        };
        assert_eq!(names(denied.violations(&candidates)), vec!["c"]);
        assert_eq!(
            with_fix.describe(),
            "severity_at_least = critical, fix_available = true"
        );
    }

    #[test]
    fn epss_at_least_holds_with_the_others_and_lists_the_worst_first() {
        use crate::report::Epss;
        let scored = |name: &str, score: Option<f64>, severity: Severity| Finding {
            epss: score.map(|score| Epss {
                score,
                percentile: 0.5,
            }),
            ..finding(name, "1", severity, Some("2"))
        };
        let likely = scored("likely", Some(0.42), Severity::Medium);
        let likelier = scored("likelier", Some(0.9), Severity::Low);
        let unlikely = scored("unlikely", Some(0.01), Severity::Critical);
        let unscored = scored("unscored", None, Severity::Critical);
        let candidates: Vec<Candidate> = [&likely, &likelier, &unlikely, &unscored]
            .into_iter()
            .map(|finding| Candidate {
                finding,
                in_kev: false,
            })
            .collect();
        let epss = Policy {
            epss_at_least: Some(0.1),
            ..policy()
        };
        let found = epss.violations(&candidates);
        let shown: Vec<(String, String)> = found
            .iter()
            .map(|(candidate, reason)| (candidate.finding.package.name.clone(), reason.clone()))
            .collect();
        assert_eq!(
            shown,
            [
                ("likelier".to_string(), "EPSS 0.9 ≥ 0.1".to_string()),
                ("likely".to_string(), "EPSS 0.42 ≥ 0.1".to_string()),
            ]
        );
        // With another condition, both must hold.
        let both = Policy {
            epss_at_least: Some(0.1),
            severity_at_least: Some(Severity::Medium),
            ..policy()
        };
        let found = both.violations(&candidates);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0.finding.package.name, "likely");
        assert_eq!(found[0].1, "CVE-likely (medium); EPSS 0.42 ≥ 0.1");
        assert_eq!(
            both.describe(),
            "severity_at_least = medium, epss_at_least = 0.1"
        );
    }
}
