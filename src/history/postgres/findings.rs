//! The SQL of the finding state on PostgreSQL: reconciling a report with a repository's
//! stored findings in one transaction, recording notices, and listing findings. The rows
//! go in as arrays (`unnest`), a few statements per report rather than one per finding, so
//! a 50,000-finding report costs a handful of round trips.

use std::collections::{HashMap, HashSet};

use tokio_postgres::Client;

use super::query::{borrowed, optional_text, text, timestamp, Parameters};
use crate::history::findings::*;
use crate::history::incidents::IncidentScope;
use crate::report::Finding;

type Key = FindingKey;

/// A key as PostgreSQL stores it (a NUL becomes U+FFFD), for comparing with stored keys.
fn as_stored(key: &Key) -> Key {
    (
        text(&key.0).into_owned(),
        text(&key.1).into_owned(),
        text(&key.2).into_owned(),
    )
}

/// The transaction-scoped advisory lock key of a repository: the first 8 bytes of
/// SHA-256 of `staxhook:<repository>`. Computed here rather than with `hashtext` so it is the
/// same on every server version; two repositories that share a key only wait for each other.
fn repository_lock(repository: &str) -> i64 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("staxhook:{repository}").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// The per-finding columns as parallel arrays, in the order of the `unnest` lists below.
#[derive(Default)]
struct Columns {
    vulnerability: Vec<String>,
    package: Vec<String>,
    version: Vec<String>,
    ecosystem: Vec<Option<String>>,
    purl: Vec<Option<String>>,
    severity: Vec<String>,
    cvss_score: Vec<Option<f64>>,
    fixed_version: Vec<Option<String>>,
    title: Vec<Option<String>>,
    url: Vec<Option<String>>,
    aliases: Vec<String>,
    targets: Vec<String>,
    epss: Vec<Option<f64>>,
    epss_percentile: Vec<Option<f64>>,
    kev: Vec<bool>,
}

impl Columns {
    fn push(&mut self, key: &Key, finding: &Finding) {
        let (epss, epss_percentile, kev) = stored_risk(finding);
        self.epss.push(epss);
        self.epss_percentile.push(epss_percentile);
        self.kev.push(kev);
        self.vulnerability.push(text(&key.0).into_owned());
        self.package.push(text(&key.1).into_owned());
        self.version.push(text(&key.2).into_owned());
        self.ecosystem
            .push(optional_text(&finding.package.ecosystem));
        self.purl.push(optional_text(&finding.package.purl));
        self.severity.push(finding.severity.as_str().to_string());
        self.cvss_score.push(finding.cvss_score);
        self.fixed_version
            .push(optional_text(&finding.fixed_version));
        self.title.push(optional_text(&finding.title));
        self.url.push(optional_text(&finding.url));
        self.aliases.push(
            text(&serde_json::to_string(&finding.aliases).unwrap_or_else(|_| "[]".into()))
                .into_owned(),
        );
        self.targets.push(
            text(&serde_json::to_string(&finding.targets).unwrap_or_else(|_| "[]".into()))
                .into_owned(),
        );
    }

    fn is_empty(&self) -> bool {
        self.vulnerability.is_empty()
    }

    /// `$1` is the repository and `$2` the time; the arrays follow from `$3`.
    fn parameters(self, repository: &str, now: i64) -> Parameters {
        vec![
            Box::new(text(repository).into_owned()),
            Box::new(now),
            Box::new(self.vulnerability),
            Box::new(self.package),
            Box::new(self.version),
            Box::new(self.ecosystem),
            Box::new(self.purl),
            Box::new(self.severity),
            Box::new(self.cvss_score),
            Box::new(self.fixed_version),
            Box::new(self.title),
            Box::new(self.url),
            Box::new(self.aliases),
            Box::new(self.targets),
            Box::new(self.epss),
            Box::new(self.epss_percentile),
            Box::new(self.kev),
        ]
    }
}

/// The arrays of [`Columns::parameters`] as a table `report`.
const REPORT_ROWS: &str = "unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], \
     $8::text[], $9::float8[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], \
     $15::float8[], $16::float8[], $17::bool[]) \
     AS report (vulnerability, package, version, ecosystem, purl, severity, cvss_score, \
                fixed_version, title, url, aliases, targets, epss, epss_percentile, kev)";

/// Why a reconciliation stopped before it was done.
pub(super) enum Stopped {
    Database(tokio_postgres::Error),
    /// The caller went away before saying which notices are due.
    Abandoned,
}

impl From<tokio_postgres::Error> for Stopped {
    fn from(error: tokio_postgres::Error) -> Stopped {
        Stopped::Database(error)
    }
}

/// Brings the repository's state up to the report inside the caller's transaction, after
/// taking the repository's advisory lock there, so concurrent runs of one repository take
/// their turns as SQLite's `BEGIN IMMEDIATE` makes them. `due` is asked, once, which
/// notices each tracked finding is due (it runs on the caller's thread, hence the
/// indirection; it hands the findings back with its answer); each due notice that is not given and not held by another live run is then
/// claimed for `claimant` in the same transaction.
pub(super) async fn reconcile(
    transaction: &tokio_postgres::Transaction<'_>,
    repository: &str,
    findings: &[Finding],
    claimant: &Claimant,
    scope: &IncidentScope,
    due: impl FnOnce(Vec<Tracked>) -> Option<(Vec<Tracked>, Vec<Vec<Notice>>)>,
) -> Result<Reconciliation, Stopped> {
    let now = claimant.now;
    let now_ms = now.as_millisecond();
    transaction
        .execute(
            "SELECT pg_advisory_xact_lock($1)",
            &[&repository_lock(repository)],
        )
        .await?;
    let mut stored: HashMap<Key, StoredFinding> = HashMap::new();
    for row in transaction
        .query(
            &format!(
                "SELECT vulnerability, package, version, {} \
                   FROM staxhook.findings WHERE repository = $1",
                StoredFinding::COLUMNS
            ),
            &[&text(repository)],
        )
        .await?
    {
        let notified = |index: usize| -> Result<bool, tokio_postgres::Error> {
            Ok(row.try_get::<_, Option<i64>>(index)?.is_some())
        };
        let claim = |index: usize| -> Result<Claim, tokio_postgres::Error> {
            Ok(Claim {
                by: row.try_get(index)?,
                at: row.try_get(index + 1)?,
            })
        };
        stored.insert(
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?),
            StoredFinding {
                first_seen: row.try_get(3)?,
                fixed_at: row.try_get(4)?,
                notified: [notified(5)?, notified(6)?, notified(7)?],
                claims: [claim(8)?, claim(10)?, claim(12)?],
                severity: StoredFinding::severity_from(row.try_get(14)?),
                cvss_score: row.try_get(15)?,
                // NULL on rows older than the column: not known to be in the catalog.
                kev: row.try_get::<_, Option<bool>>(16)?.unwrap_or(false),
                epss: row.try_get(17)?,
            },
        );
    }

    let mut seen: HashSet<Key> = HashSet::with_capacity(findings.len());
    let mut current = Vec::with_capacity(findings.len());
    let mut new_rows = Columns::default();
    let mut present_rows = Columns::default();
    for finding in findings {
        let key = finding.key();
        if !seen.insert(key.clone()) {
            continue;
        }
        // Keys are compared as stored, where a NUL became U+FFFD.
        let stored_key = as_stored(&key);
        let state = stored.get(&stored_key);
        if state.is_some() {
            present_rows.push(&key, finding);
        } else {
            new_rows.push(&key, finding);
        }
        let tracked = Tracked::new(finding, state, now);
        current.push(tracked);
    }

    if !new_rows.is_empty() {
        let values = new_rows.parameters(repository, now_ms);
        transaction
            .execute(
                &format!(
                    "INSERT INTO staxhook.findings (repository, vulnerability, package, version, \
                         ecosystem, purl, severity, cvss_score, fixed_version, title, url, aliases, \
                         targets, first_seen, last_seen, epss, epss_percentile, kev)
                     SELECT $1, vulnerability, package, version, ecosystem, purl, severity, \
                            cvss_score, fixed_version, title, url, aliases, targets, $2, $2, \
                            epss, epss_percentile, kev
                       FROM {REPORT_ROWS}"
                ),
                &borrowed(&values),
            )
            .await?;
    }
    if !present_rows.is_empty() {
        let values = present_rows.parameters(repository, now_ms);
        transaction
            .execute(
                &format!(
                    "UPDATE staxhook.findings AS stored SET ecosystem = report.ecosystem, \
                         purl = report.purl, severity = report.severity, \
                         cvss_score = report.cvss_score, fixed_version = report.fixed_version, \
                         title = report.title, url = report.url, aliases = report.aliases, \
                         targets = report.targets, last_seen = $2, fixed_at = NULL, \
                         epss = report.epss, epss_percentile = report.epss_percentile, \
                         kev = report.kev
                       FROM {REPORT_ROWS}
                      WHERE stored.repository = $1 AND stored.vulnerability = report.vulnerability \
                        AND stored.package = report.package AND stored.version = report.version"
                ),
                &borrowed(&values),
            )
            .await?;
    }

    let seen_stored: HashSet<Key> = seen.iter().map(as_stored).collect();
    let fixed = newly_fixed(&stored, |key| seen_stored.contains(key));
    if !fixed.is_empty() {
        update_keys(
            transaction,
            "UPDATE staxhook.findings AS stored SET fixed_at = $2",
            repository,
            now_ms,
            None,
            fixed.iter().map(|finding| finding.key.clone()),
        )
        .await?;
    }

    // The findings travel to the caller's thread and back rather than being copied.
    let (mut current, wanted) = due(current).ok_or(Stopped::Abandoned)?;
    let mut claims: HashMap<Notice, Vec<Key>> = HashMap::new();
    for (tracked, wanted) in current.iter_mut().zip(wanted) {
        let key = tracked.finding.key();
        let stored_key = as_stored(&key);
        let claimable = claimant.claimable(tracked, stored.get(&stored_key), wanted);
        for notice in &claimable {
            claims.entry(*notice).or_default().push(key.clone());
        }
        tracked.claimed = claimable;
    }
    for notice in Notice::ALL {
        let Some(keys) = claims.remove(&notice) else {
            continue;
        };
        let (_, by, at) = notice.columns();
        update_keys(
            transaction,
            &format!("UPDATE staxhook.findings AS stored SET {by} = $6, {at} = $2"),
            repository,
            now_ms,
            Some(&claimant.run),
            keys.into_iter(),
        )
        .await?;
    }
    let resolves =
        super::incidents::claim_resolves(transaction, repository, scope, claimant).await?;
    Ok(Reconciliation {
        current,
        fixed,
        resolves,
    })
}

/// Uses up delivered notices and releases the others this run claimed, in one transaction.
pub(super) async fn settle(
    client: &mut Client,
    repository: &str,
    claimant: &Claimant,
    outcomes: &[NoticeOutcome],
) -> Result<(), tokio_postgres::Error> {
    let transaction = client.transaction().await?;
    for notice in Notice::ALL {
        let (notified, by, at) = notice.columns();
        let of_notice = |delivered: bool| {
            outcomes
                .iter()
                .filter(move |outcome| outcome.notice == notice && outcome.delivered == delivered)
                .map(|outcome| outcome.key.clone())
                .collect::<Vec<Key>>()
        };
        let delivered = of_notice(true);
        if !delivered.is_empty() {
            update_keys(
                &transaction,
                &format!(
                    "UPDATE staxhook.findings AS stored SET {notified} = $2, {by} = NULL, {at} = NULL"
                ),
                repository,
                claimant.now.as_millisecond(),
                None,
                delivered.into_iter(),
            )
            .await?;
        }
        let released = of_notice(false);
        if !released.is_empty() {
            // Only this run's own claim: one taken over by another run is no longer ours.
            update_keys(
                &transaction,
                &format!(
                    "UPDATE staxhook.findings AS stored SET {by} = NULL, {at} = NULL \
                      WHERE stored.{by} = $6 AND $2::bigint IS NOT NULL"
                ),
                repository,
                claimant.now.as_millisecond(),
                Some(&claimant.run),
                released.into_iter(),
            )
            .await?;
        }
    }
    transaction.commit().await
}

/// Runs `update` (which sets columns of `stored`, with `$2` the time and `$6` the run when
/// given) for the repository's findings with these keys. An `update` may end in a `WHERE`
/// condition of its own, which the key condition joins.
async fn update_keys(
    client: &(impl tokio_postgres::GenericClient + Sync),
    update: &str,
    repository: &str,
    now: i64,
    run: Option<&str>,
    keys: impl Iterator<Item = Key>,
) -> Result<u64, tokio_postgres::Error> {
    let mut vulnerabilities = Vec::new();
    let mut packages = Vec::new();
    let mut versions = Vec::new();
    for (vulnerability, package, version) in keys {
        vulnerabilities.push(text(&vulnerability).into_owned());
        packages.push(text(&package).into_owned());
        versions.push(text(&version).into_owned());
    }
    // A condition of the update's own comes after its SET list, so the FROM goes between.
    let (set, condition) = match update.split_once(" WHERE ") {
        Some((set, condition)) => (set, format!("{condition} AND ")),
        None => (update, String::new()),
    };
    let sql = format!(
        "{set} FROM unnest($3::text[], $4::text[], $5::text[]) AS key (vulnerability, package, version)
          WHERE {condition}stored.repository = $1 AND stored.vulnerability = key.vulnerability \
            AND stored.package = key.package AND stored.version = key.version"
    );
    let repository = text(repository);
    match run {
        Some(run) => {
            client
                .execute(
                    &sql,
                    &[
                        &repository,
                        &now,
                        &vulnerabilities,
                        &packages,
                        &versions,
                        &text(run),
                    ],
                )
                .await
        }
        None => {
            client
                .execute(
                    &sql,
                    &[&repository, &now, &vulnerabilities, &packages, &versions],
                )
                .await
        }
    }
}

pub(super) async fn list(
    client: &Client,
    filter: &FindingFilter,
) -> Result<Vec<FindingRecord>, tokio_postgres::Error> {
    let mut sql = String::from(
        "SELECT repository, vulnerability, package, version, ecosystem, purl, severity, cvss_score, \
                fixed_version, title, url, aliases, targets, first_seen, last_seen, fixed_at, \
                notified_critical, notified_kev, notified_sla, epss, epss_percentile, kev
           FROM staxhook.findings WHERE true",
    );
    let mut values: Parameters = Vec::new();
    if let Some(repository) = &filter.repository {
        values.push(Box::new(repository.clone()));
        sql.push_str(&format!(" AND repository = ${}", values.len()));
    }
    match filter.open {
        Some(true) => sql.push_str(" AND fixed_at IS NULL"),
        Some(false) => sql.push_str(" AND fixed_at IS NOT NULL"),
        None => {}
    }
    if let Some(severity) = filter.severity {
        values.push(Box::new(severity.as_str().to_string()));
        sql.push_str(&format!(" AND severity = ${}", values.len()));
    }
    // COLLATE "C": byte order, as SQLite sorts text, whatever the database's collation.
    sql.push_str(
        " ORDER BY repository COLLATE \"C\", CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 \
              WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END, vulnerability COLLATE \"C\", \
              package COLLATE \"C\", version COLLATE \"C\"",
    );
    let rows = client.query(&sql, &borrowed(&values)).await?;
    let mut records = Vec::with_capacity(rows.len());
    for row in rows {
        let fixed_at: Option<i64> = row.try_get(15)?;
        let version: String = row.try_get(3)?;
        let mut notified = Vec::new();
        for (index, notice) in [(16, Notice::Critical), (17, Notice::Kev), (18, Notice::Sla)] {
            if row.try_get::<_, Option<i64>>(index)?.is_some() {
                notified.push(notice.event().as_str());
            }
        }
        records.push(FindingRecord {
            repository: row.try_get(0)?,
            id: row.try_get(1)?,
            package: FindingPackage {
                name: row.try_get(2)?,
                version: (!version.is_empty()).then_some(version),
                ecosystem: row.try_get(4)?,
                purl: row.try_get(5)?,
            },
            severity: row.try_get(6)?,
            cvss_score: row.try_get(7)?,
            epss: row.try_get(19)?,
            epss_percentile: row.try_get(20)?,
            kev: row.try_get::<_, Option<bool>>(21)?.unwrap_or(false),
            fixed_version: row.try_get(8)?,
            title: row.try_get(9)?,
            url: row.try_get(10)?,
            aliases: serde_json::from_str(row.try_get(11)?).unwrap_or_default(),
            targets: serde_json::from_str(row.try_get(12)?).unwrap_or_default(),
            first_seen: timestamp(row.try_get(13)?),
            last_seen: timestamp(row.try_get(14)?),
            fixed_at: fixed_at.map(timestamp),
            status: if fixed_at.is_some() { "fixed" } else { "open" },
            notified,
        });
    }
    Ok(records)
}
