//! The SQL of the finding state: reconciling a report with a repository's stored findings
//! in one write transaction, recording notices, and listing findings.

use std::collections::HashMap;

use jiff::Timestamp;
use rusqlite::{params, Connection};

use crate::history::findings::*;
use crate::report::Finding;

type Key = FindingKey;

/// Runs `work` inside `BEGIN IMMEDIATE` (so concurrent writers wait rather than fail on
/// upgrade), committing or — for a dry run or on error — rolling back.
pub(super) fn in_transaction<T>(
    connection: &Connection,
    commit: bool,
    work: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    connection.execute_batch("BEGIN IMMEDIATE")?;
    match work(connection) {
        Ok(value) => {
            connection.execute_batch(if commit { "COMMIT" } else { "ROLLBACK" })?;
            Ok(value)
        }
        Err(error) => {
            let _ = connection.execute_batch("ROLLBACK");
            Err(error)
        }
    }
}

pub(super) fn reconcile(
    connection: &Connection,
    repository: &str,
    findings: &[Finding],
    claimant: &Claimant,
    due: &dyn Fn(&Tracked) -> Vec<Notice>,
) -> rusqlite::Result<Reconciliation> {
    let now = claimant.now;
    let now_ms = now.as_millisecond();
    let mut stored: HashMap<Key, StoredFinding> = HashMap::new();
    {
        let mut statement = connection.prepare_cached(&format!(
            "SELECT vulnerability, package, version, {} FROM findings WHERE repository = ?1",
            StoredFinding::COLUMNS
        ))?;
        let rows = statement.query_map(params![repository], |row| {
            let notified = |index: usize| -> rusqlite::Result<bool> {
                Ok(row.get::<_, Option<i64>>(index)?.is_some())
            };
            let claim = |index: usize| -> rusqlite::Result<Claim> {
                Ok(Claim {
                    by: row.get(index)?,
                    at: row.get(index + 1)?,
                })
            };
            Ok((
                (
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                ),
                StoredFinding {
                    first_seen: row.get(3)?,
                    fixed_at: row.get(4)?,
                    notified: [notified(5)?, notified(6)?, notified(7)?],
                    claims: [claim(8)?, claim(10)?, claim(12)?],
                    severity: StoredFinding::severity_from(row.get_ref(14)?.as_str().unwrap_or("")),
                    cvss_score: row.get(15)?,
                    // NULL on rows older than the column: not known to be in the catalog.
                    kev: row.get::<_, Option<bool>>(16)?.unwrap_or(false),
                    epss: row.get(17)?,
                },
            ))
        })?;
        for row in rows {
            let (key, state) = row?;
            stored.insert(key, state);
        }
    }

    // A claim is written with the row itself (22 parameters: the finding, then the run, the
    // time and a 0/1 per notice, then its EPSS scores and KEV flag), so claiming costs no
    // statement of its own.
    let mut insert = connection.prepare_cached(
        "INSERT INTO findings (repository, vulnerability, package, version, ecosystem, purl, severity,
             cvss_score, fixed_version, title, url, aliases, targets, first_seen, last_seen,
             claimed_critical_by, claimed_critical_at, claimed_kev_by, claimed_kev_at,
             claimed_sla_by, claimed_sla_at, epss, epss_percentile, kev)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14,
             CASE WHEN ?17 THEN ?15 END, CASE WHEN ?17 THEN ?16 END,
             CASE WHEN ?18 THEN ?15 END, CASE WHEN ?18 THEN ?16 END,
             CASE WHEN ?19 THEN ?15 END, CASE WHEN ?19 THEN ?16 END, ?20, ?21, ?22)",
    )?;
    let mut update = connection.prepare_cached(
        "UPDATE findings SET ecosystem = ?5, purl = ?6, severity = ?7, cvss_score = ?8, fixed_version = ?9,
             title = ?10, url = ?11, aliases = ?12, targets = ?13, last_seen = ?14, fixed_at = NULL,
             epss = ?20, epss_percentile = ?21, kev = ?22,
             claimed_critical_by = CASE WHEN ?17 THEN ?15 ELSE claimed_critical_by END,
             claimed_critical_at = CASE WHEN ?17 THEN ?16 ELSE claimed_critical_at END,
             claimed_kev_by = CASE WHEN ?18 THEN ?15 ELSE claimed_kev_by END,
             claimed_kev_at = CASE WHEN ?18 THEN ?16 ELSE claimed_kev_at END,
             claimed_sla_by = CASE WHEN ?19 THEN ?15 ELSE claimed_sla_by END,
             claimed_sla_at = CASE WHEN ?19 THEN ?16 ELSE claimed_sla_at END
         WHERE repository = ?1 AND vulnerability = ?2 AND package = ?3 AND version = ?4",
    )?;

    let mut seen: std::collections::HashSet<Key> =
        std::collections::HashSet::with_capacity(findings.len());
    let mut current = Vec::with_capacity(findings.len());
    for finding in findings {
        let key = finding.key();
        if !seen.insert(key.clone()) {
            continue;
        }
        let state = stored.get(&key);
        let mut tracked = Tracked::new(finding, state, now);
        tracked.claimed = claimant.claimable(&tracked, state, due(&tracked));
        let (epss, epss_percentile, in_kev) = stored_risk(finding);
        let claims = |notice| tracked.claimed.contains(&notice);
        let aliases = serde_json::to_string(&finding.aliases).unwrap_or_else(|_| "[]".into());
        let targets = serde_json::to_string(&finding.targets).unwrap_or_else(|_| "[]".into());
        let values = params![
            repository,
            key.0,
            key.1,
            key.2,
            finding.package.ecosystem,
            finding.package.purl,
            finding.severity.as_str(),
            finding.cvss_score,
            finding.fixed_version,
            finding.title,
            finding.url,
            aliases,
            targets,
            now_ms,
            claimant.run,
            now_ms,
            claims(Notice::Critical),
            claims(Notice::Kev),
            claims(Notice::Sla),
            epss,
            epss_percentile,
            in_kev
        ];
        if state.is_some() {
            update.execute(values)?;
        } else {
            insert.execute(values)?;
        }
        current.push(tracked);
    }

    let mut fix = connection.prepare_cached(
        "UPDATE findings SET fixed_at = ?5 WHERE repository = ?1 AND vulnerability = ?2 AND package = ?3 AND version = ?4",
    )?;
    let fixed = newly_fixed(&stored, |key| seen.contains(key));
    for finding in &fixed {
        let (vulnerability, package, version) = &finding.key;
        fix.execute(params![repository, vulnerability, package, version, now_ms])?;
    }
    Ok(Reconciliation {
        current,
        fixed,
        resolves: Vec::new(),
    })
}

/// Uses up delivered notices and releases the others this run claimed.
pub(super) fn settle(
    connection: &Connection,
    repository: &str,
    claimant: &Claimant,
    outcomes: &[NoticeOutcome],
) -> rusqlite::Result<()> {
    for outcome in outcomes {
        let (notified, by, at) = outcome.notice.columns();
        let (vulnerability, package, version) = &outcome.key;
        if outcome.delivered {
            connection
                .prepare_cached(&format!(
                    "UPDATE findings SET {notified} = ?1, {by} = NULL, {at} = NULL \
                     WHERE repository = ?2 AND vulnerability = ?3 AND package = ?4 AND version = ?5"
                ))?
                .execute(params![
                    claimant.now.as_millisecond(),
                    repository,
                    vulnerability,
                    package,
                    version
                ])?;
        } else {
            // Only this run's own claim: one taken over by another run is no longer ours.
            connection
                .prepare_cached(&format!(
                    "UPDATE findings SET {by} = NULL, {at} = NULL \
                     WHERE repository = ?1 AND vulnerability = ?2 AND package = ?3 AND version = ?4 AND {by} = ?5"
                ))?
                .execute(params![repository, vulnerability, package, version, claimant.run])?;
        }
    }
    Ok(())
}

pub(super) fn list(
    connection: &Connection,
    filter: &FindingFilter,
) -> rusqlite::Result<Vec<FindingRecord>> {
    let mut sql = String::from(
        "SELECT repository, vulnerability, package, version, ecosystem, purl, severity, cvss_score, fixed_version,
                title, url, aliases, targets, first_seen, last_seen, fixed_at, notified_critical, notified_kev, notified_sla,
                epss, epss_percentile, kev
         FROM findings WHERE 1 = 1",
    );
    let mut values: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
    if let Some(repository) = &filter.repository {
        values.push(Box::new(repository.clone()));
        sql.push_str(&format!(" AND repository = ?{}", values.len()));
    }
    match filter.open {
        Some(true) => sql.push_str(" AND fixed_at IS NULL"),
        Some(false) => sql.push_str(" AND fixed_at IS NOT NULL"),
        None => {}
    }
    if let Some(severity) = filter.severity {
        values.push(Box::new(severity.as_str()));
        sql.push_str(&format!(" AND severity = ?{}", values.len()));
    }
    sql.push_str(
        " ORDER BY repository, CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2
              WHEN 'low' THEN 3 ELSE 4 END, vulnerability, package, version",
    );
    let mut statement = connection.prepare(&sql)?;
    let rows = statement.query_map(
        rusqlite::params_from_iter(values.iter().map(|value| value.as_ref())),
        |row| {
            let time = |index: usize| -> rusqlite::Result<Timestamp> {
                Ok(Timestamp::from_millisecond(row.get(index)?).unwrap_or(Timestamp::UNIX_EPOCH))
            };
            let fixed_at: Option<i64> = row.get(15)?;
            let version: String = row.get(3)?;
            let mut notified = Vec::new();
            for (index, notice) in (16..).zip(Notice::ALL) {
                if row.get::<_, Option<i64>>(index)?.is_some() {
                    notified.push(notice.event().as_str());
                }
            }
            Ok(FindingRecord {
                repository: row.get(0)?,
                id: row.get(1)?,
                package: FindingPackage {
                    name: row.get(2)?,
                    version: (!version.is_empty()).then_some(version),
                    ecosystem: row.get(4)?,
                    purl: row.get(5)?,
                },
                severity: row.get(6)?,
                cvss_score: row.get(7)?,
                epss: row.get(19)?,
                epss_percentile: row.get(20)?,
                kev: row.get::<_, Option<bool>>(21)?.unwrap_or(false),
                fixed_version: row.get(8)?,
                title: row.get(9)?,
                url: row.get(10)?,
                aliases: serde_json::from_str(&row.get::<_, String>(11)?).unwrap_or_default(),
                targets: serde_json::from_str(&row.get::<_, String>(12)?).unwrap_or_default(),
                first_seen: time(13)?,
                last_seen: time(14)?,
                fixed_at: fixed_at.and_then(|ms| Timestamp::from_millisecond(ms).ok()),
                status: if fixed_at.is_some() { "fixed" } else { "open" },
                notified,
            })
        },
    )?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::incidents::IncidentScope;
    use crate::history::tests::{at_second as at, on_both_backends, run_at as run, Backend};
    use crate::history::History;

    // Finding state means the same on both backends.
    on_both_backends!(
        a_notice_is_claimed_by_one_run_released_on_failure_and_used_up_on_delivery,
        a_claim_of_a_run_that_died_is_taken_over_once_stale,
        a_dry_run_claims_nothing,
        new_open_fixed_and_reopened,
        dry_runs_change_nothing,
        epss_and_kev_are_stored_with_each_reconcile_and_copied,
    );
    use crate::report::Severity;

    fn finding(id: &str, severity: Severity) -> Finding {
        Finding {
            targets: vec!["image".into()],
            ..Finding::example(id, "xz", "5.6.0", severity)
        }
    }

    /// Reconciles as a run that wants no notices.
    fn reconcile(
        history: &History,
        repository: &str,
        findings: &[Finding],
        now: Timestamp,
        persist: bool,
    ) -> Reconciliation {
        history
            .reconcile(
                repository,
                findings,
                persist,
                &run("quiet", now),
                &IncidentScope::default(),
                &|_| Vec::new(),
            )
            .unwrap()
    }

    /// Reconciles as `name`, which wants the critical notice of every finding; returns the
    /// ids it claimed that notice for.
    fn claim_criticals(
        history: &History,
        name: &str,
        findings: &[Finding],
        now: Timestamp,
    ) -> Vec<String> {
        let reconciliation = history
            .reconcile(
                "o/r",
                findings,
                true,
                &run(name, now),
                &IncidentScope::default(),
                &|_| vec![Notice::Critical],
            )
            .unwrap();
        reconciliation
            .current
            .iter()
            .filter(|tracked| tracked.claimed.contains(&Notice::Critical))
            .map(|tracked| tracked.finding.id.clone())
            .collect()
    }

    fn settle(history: &History, name: &str, now: Timestamp, finding: &Finding, delivered: bool) {
        history
            .settle_notices(
                "o/r",
                &run(name, now),
                &[NoticeOutcome {
                    key: finding.key(),
                    notice: Notice::Critical,
                    delivered,
                }],
            )
            .unwrap();
    }

    fn a_notice_is_claimed_by_one_run_released_on_failure_and_used_up_on_delivery(
        backend: Backend,
    ) {
        let test = backend.open();
        let history = &test.history;
        let a = finding("CVE-1", Severity::Critical);
        let b = finding("CVE-2", Severity::Critical);
        let both = [a.clone(), b.clone()];

        assert_eq!(
            claim_criticals(history, "one", &both, at(0)),
            ["CVE-1", "CVE-2"]
        );
        // A second run while the first is live gets neither.
        assert!(claim_criticals(history, "two", &both, at(1)).is_empty());
        // The first run delivered CVE-1 and failed CVE-2: CVE-2 is free again.
        settle(history, "one", at(2), &a, true);
        settle(history, "one", at(2), &b, false);
        assert_eq!(claim_criticals(history, "three", &both, at(3)), ["CVE-2"]);
        settle(history, "three", at(4), &b, true);
        // Both used up: nobody claims them again.
        assert!(claim_criticals(history, "four", &both, at(5)).is_empty());
    }

    fn a_claim_of_a_run_that_died_is_taken_over_once_stale(backend: Backend) {
        let test = backend.open();
        let history = &test.history;
        let a = finding("CVE-1", Severity::Critical);
        assert_eq!(
            claim_criticals(history, "died", std::slice::from_ref(&a), at(0)),
            ["CVE-1"]
        );
        assert!(claim_criticals(history, "early", std::slice::from_ref(&a), at(99)).is_empty());
        assert_eq!(
            claim_criticals(history, "late", std::slice::from_ref(&a), at(101)),
            ["CVE-1"]
        );
        // The dead run's late release does not free the new owner's claim.
        settle(history, "died", at(102), &a, false);
        assert!(claim_criticals(history, "other", std::slice::from_ref(&a), at(103)).is_empty());
    }

    fn a_dry_run_claims_nothing(backend: Backend) {
        let test = backend.open();
        let history = &test.history;
        let a = finding("CVE-1", Severity::Critical);
        let dry = history
            .reconcile(
                "o/r",
                std::slice::from_ref(&a),
                false,
                &run("dry", at(0)),
                &IncidentScope::default(),
                &|_| vec![Notice::Critical],
            )
            .unwrap();
        assert_eq!(dry.current[0].claimed, [Notice::Critical]);
        assert_eq!(
            claim_criticals(history, "real", std::slice::from_ref(&a), at(1)),
            ["CVE-1"]
        );
    }

    fn new_open_fixed_and_reopened(backend: Backend) {
        let test = backend.open();
        let history = &test.history;
        let a = finding("CVE-1", Severity::Critical);
        // What the fixed list orders by is read back too: KEV and EPSS as last stored.
        let b = Finding {
            cvss_score: Some(7.5),
            in_kev: true,
            epss: Some(crate::report::Epss {
                score: 0.25,
                percentile: 0.9,
            }),
            ..finding("CVE-2", Severity::High)
        };

        let first = reconcile(history, "o/r", &[a.clone(), b.clone()], at(0), true);
        assert_eq!(
            first.current.iter().map(|t| t.change).collect::<Vec<_>>(),
            vec![Change::New, Change::New]
        );
        history
            .settle_notices(
                "o/r",
                &run("quiet", at(1)),
                &[NoticeOutcome {
                    key: a.key(),
                    notice: Notice::Critical,
                    delivered: true,
                }],
            )
            .unwrap();

        let second = reconcile(history, "o/r", std::slice::from_ref(&a), at(10), true);
        assert_eq!(second.current[0].change, Change::Open);
        assert!(second.current[0].notified_critical);
        assert_eq!(second.current[0].first_seen, at(0));
        assert_eq!(second.fixed.len(), 1);
        assert_eq!(second.fixed[0].key, b.key());
        let fixed = &second.fixed[0];
        assert_eq!(fixed.first_seen, at(0));
        assert_eq!(
            fixed.risk(),
            crate::report::Risk {
                kev: true,
                epss: Some(0.25),
                cvss_score: Some(7.5),
                severity: Severity::High,
            }
        );

        let third = reconcile(history, "o/r", &[a.clone(), b.clone()], at(20), true);
        assert_eq!(third.current[1].change, Change::Reopened);
        assert_eq!(third.current[1].first_seen, at(0));

        // Other repositories are separate.
        let other = reconcile(history, "o/other", std::slice::from_ref(&a), at(30), true);
        assert_eq!(other.current[0].change, Change::New);

        let open = history
            .findings(&FindingFilter {
                repository: Some("o/r".into()),
                open: Some(true),
                severity: None,
            })
            .unwrap();
        assert_eq!(open.len(), 2);
        assert_eq!(open[0].id, "CVE-1");
        assert_eq!(open[0].notified, vec!["critical_vulnerability"]);
    }

    fn dry_runs_change_nothing(backend: Backend) {
        let test = backend.open();
        let history = &test.history;
        let a = finding("CVE-1", Severity::Critical);
        reconcile(history, "o/r", std::slice::from_ref(&a), at(0), false);
        assert!(history
            .findings(&FindingFilter::default())
            .unwrap()
            .is_empty());
        let again = reconcile(history, "o/r", &[a], at(5), false);
        assert_eq!(again.current[0].change, Change::New);
    }

    fn epss_and_kev_are_stored_with_each_reconcile_and_copied(backend: Backend) {
        use crate::report::Epss;
        let test = backend.open();
        let history = &test.history;
        // CVE-1 is scored and in KEV at the first run.
        let scored = Finding {
            epss: Some(Epss {
                score: 0.94358,
                percentile: 0.99953,
            }),
            in_kev: true,
            ..finding("CVE-1", Severity::High)
        };
        let plain = finding("CVE-2", Severity::Critical);
        reconcile(
            history,
            "o/r",
            &[scored.clone(), plain.clone()],
            at(0),
            true,
        );
        let stored = |id: &str| -> FindingRecord {
            history
                .findings(&FindingFilter::default())
                .unwrap()
                .into_iter()
                .find(|record| record.id == id)
                .unwrap()
        };
        let first = stored("CVE-1");
        assert_eq!(
            (first.epss, first.epss_percentile, first.kev),
            (Some(0.94358), Some(0.99953), true)
        );
        let second = stored("CVE-2");
        assert_eq!(
            (second.epss, second.epss_percentile, second.kev),
            (None, None, false)
        );
        let json = serde_json::to_value(&first).unwrap();
        assert_eq!(json["epss"], 0.94358);
        assert_eq!(json["epss_percentile"], 0.99953);
        assert_eq!(json["kev"], true);
        assert_eq!(
            serde_json::to_value(&second).unwrap()["epss"],
            serde_json::Value::Null
        );

        // The next reconcile replaces them: new scores, off the catalog.
        let rescored = Finding {
            epss: Some(Epss {
                score: 0.5,
                percentile: 0.75,
            }),
            ..plain.clone()
        };
        let off_the_catalog = Finding {
            in_kev: false,
            ..scored.clone()
        };
        reconcile(history, "o/r", &[off_the_catalog, rescored], at(10), true);
        let first = stored("CVE-1");
        assert_eq!((first.epss, first.kev), (Some(0.94358), false));
        let second = stored("CVE-2");
        assert_eq!(
            (second.epss, second.epss_percentile),
            (Some(0.5), Some(0.75))
        );

        // `history copy` carries them to a history of the other kind.
        let other = match backend {
            Backend::Sqlite => Backend::Postgres,
            Backend::Postgres => Backend::Sqlite,
        }
        .open();
        let exported = history.export_findings(0, 100).unwrap();
        assert_eq!(other.history.import_findings(&exported).unwrap(), 2);
        let copied: Vec<(String, Option<f64>, Option<f64>, bool)> = other
            .history
            .findings(&FindingFilter::default())
            .unwrap()
            .into_iter()
            .map(|record| (record.id, record.epss, record.epss_percentile, record.kev))
            .collect();
        assert_eq!(
            copied,
            [
                ("CVE-2".to_string(), Some(0.5), Some(0.75), false),
                ("CVE-1".to_string(), Some(0.94358), Some(0.99953), false),
            ]
        );
    }
}
