//! The SQL of the finding state: reconciling a report with a repository's stored findings
//! in one write transaction, recording notices, and listing findings.

use std::collections::HashMap;

use jiff::Timestamp;
use rusqlite::{params, Connection};

use crate::history::findings::*;
use crate::report::Finding;

type Key = (String, String, String);

/// The column that records when a notice went out.
pub(super) fn notice_column(notice: Notice) -> &'static str {
    match notice {
        Notice::Critical => "notified_critical",
        Notice::Kev => "notified_kev",
        Notice::Sla => "notified_sla",
    }
}

struct Stored {
    first_seen: i64,
    fixed_at: Option<i64>,
    notified_critical: bool,
    notified_kev: bool,
    notified_sla: bool,
}

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
    now: Timestamp,
) -> rusqlite::Result<Reconciliation> {
    let now_ms = now.as_millisecond();
    let mut stored: HashMap<Key, Stored> = HashMap::new();
    {
        let mut statement = connection.prepare_cached(
            "SELECT vulnerability, package, version, first_seen, fixed_at, notified_critical, notified_kev, notified_sla
             FROM findings WHERE repository = ?1",
        )?;
        let rows = statement.query_map(params![repository], |row| {
            Ok((
                (
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                ),
                Stored {
                    first_seen: row.get(3)?,
                    fixed_at: row.get(4)?,
                    notified_critical: row.get::<_, Option<i64>>(5)?.is_some(),
                    notified_kev: row.get::<_, Option<i64>>(6)?.is_some(),
                    notified_sla: row.get::<_, Option<i64>>(7)?.is_some(),
                },
            ))
        })?;
        for row in rows {
            let (key, state) = row?;
            stored.insert(key, state);
        }
    }

    let mut insert = connection.prepare_cached(
        "INSERT INTO findings (repository, vulnerability, package, version, ecosystem, purl, severity,
             cvss_score, fixed_version, title, url, aliases, targets, first_seen, last_seen)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)",
    )?;
    let mut update = connection.prepare_cached(
        "UPDATE findings SET ecosystem = ?5, purl = ?6, severity = ?7, cvss_score = ?8, fixed_version = ?9,
             title = ?10, url = ?11, aliases = ?12, targets = ?13, last_seen = ?14, fixed_at = NULL
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
            now_ms
        ];
        let tracked = match stored.get(&key) {
            Some(state) => {
                update.execute(values)?;
                Tracked {
                    finding: finding.clone(),
                    change: if state.fixed_at.is_some() {
                        Change::Reopened
                    } else {
                        Change::Open
                    },
                    first_seen: Timestamp::from_millisecond(state.first_seen).unwrap_or(now),
                    notified_critical: state.notified_critical,
                    notified_kev: state.notified_kev,
                    notified_sla: state.notified_sla,
                }
            }
            None => {
                insert.execute(values)?;
                Tracked {
                    finding: finding.clone(),
                    change: Change::New,
                    first_seen: now,
                    notified_critical: false,
                    notified_kev: false,
                    notified_sla: false,
                }
            }
        };
        current.push(tracked);
    }

    let mut fix = connection.prepare_cached(
        "UPDATE findings SET fixed_at = ?5 WHERE repository = ?1 AND vulnerability = ?2 AND package = ?3 AND version = ?4",
    )?;
    let mut fixed = 0;
    for (key, state) in &stored {
        if state.fixed_at.is_none() && !seen.contains(key) {
            fix.execute(params![repository, key.0, key.1, key.2, now_ms])?;
            fixed += 1;
        }
    }
    Ok(Reconciliation { current, fixed })
}

pub(super) fn list(
    connection: &Connection,
    filter: &FindingFilter,
) -> rusqlite::Result<Vec<FindingRecord>> {
    let mut sql = String::from(
        "SELECT repository, vulnerability, package, version, ecosystem, purl, severity, cvss_score, fixed_version,
                title, url, aliases, targets, first_seen, last_seen, fixed_at, notified_critical, notified_kev, notified_sla
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
            for (index, name) in [
                (16, "critical_vulnerability"),
                (17, "kev_found"),
                (18, "sla_breach"),
            ] {
                if row.get::<_, Option<i64>>(index)?.is_some() {
                    notified.push(name);
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
    use crate::history::History;
    use crate::report::Severity;

    fn finding(id: &str, severity: Severity) -> Finding {
        Finding {
            targets: vec!["image".into()],
            ..Finding::example(id, "xz", "5.6.0", severity)
        }
    }

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + seconds).unwrap()
    }

    #[test]
    fn new_open_fixed_and_reopened() {
        let folder = tempfile::tempdir().unwrap();
        let history = History::open(&folder.path().join("h.db")).unwrap();
        let a = finding("CVE-1", Severity::Critical);
        let b = finding("CVE-2", Severity::High);

        let first = history
            .reconcile("o/r", &[a.clone(), b.clone()], at(0), true)
            .unwrap();
        assert_eq!(
            first.current.iter().map(|t| t.change).collect::<Vec<_>>(),
            vec![Change::New, Change::New]
        );
        history
            .mark_notified("o/r", &[a.key()], Notice::Critical, at(1))
            .unwrap();

        let second = history
            .reconcile("o/r", std::slice::from_ref(&a), at(10), true)
            .unwrap();
        assert_eq!(second.current[0].change, Change::Open);
        assert!(second.current[0].notified_critical);
        assert_eq!(second.current[0].first_seen, at(0));
        assert_eq!(second.fixed, 1);

        let third = history
            .reconcile("o/r", &[a.clone(), b.clone()], at(20), true)
            .unwrap();
        assert_eq!(third.current[1].change, Change::Reopened);
        assert_eq!(third.current[1].first_seen, at(0));

        // Other repositories are separate.
        let other = history
            .reconcile("o/other", std::slice::from_ref(&a), at(30), true)
            .unwrap();
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

    #[test]
    fn dry_runs_change_nothing() {
        let folder = tempfile::tempdir().unwrap();
        let history = History::open(&folder.path().join("h.db")).unwrap();
        let a = finding("CVE-1", Severity::Critical);
        history
            .reconcile("o/r", std::slice::from_ref(&a), at(0), false)
            .unwrap();
        assert!(history
            .findings(&FindingFilter::default())
            .unwrap()
            .is_empty());
        let again = history.reconcile("o/r", &[a], at(5), false).unwrap();
        assert_eq!(again.current[0].change, Change::New);
    }
}
