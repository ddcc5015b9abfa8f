//! The PostgreSQL history: the tables of the SQLite history in a schema `staxhook` of a
//! database that many runners share (docs/reference.md §10).
//!
//! **Why a thread of its own.** [`Store`] is synchronous, and `dispatch` calls it from inside
//! a current-thread tokio runtime, where blocking on another future (`block_on`) panics. So
//! each [`PostgresHistory`] owns one thread with its own current-thread runtime and the
//! `tokio_postgres::Client`; every `Store` call sends a boxed job over a std channel and
//! blocks on the reply. The caller's runtime is blocked for the length of one statement, as
//! it is with SQLite's file I/O, and the connection is used by one job at a time, which is
//! what keeps the transactions of one history apart. Dropping the history ends the thread and
//! closes the connection.
//!
//! **Failures.** Everything the server or the network does wrong is
//! [`HistoryError::Unavailable`], one line naming the history by its masked URL; the
//! password is scrubbed from every message even though neither the driver nor the server
//! is known to repeat it. A connection found closed before a job is opened again once, so a
//! restarted server costs a run nothing; a job that failed is never repeated, since it may
//! have been committed before the reply was lost.

mod connect;
mod copy;
mod findings;
mod incidents;
pub(super) mod query;
pub mod schema;
#[cfg(test)]
pub(crate) mod test_server;

use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::thread;

use jiff::Timestamp;
use tokio::runtime::Runtime;
use tokio_postgres::{Client, Statement};

use super::findings::{
    Claimant, FindingFilter, FindingRecord, Notice, NoticeOutcome, Reconciliation, Tracked,
};
use super::incidents::{ExportedIncident, Incident, IncidentScope, ResolveOutcome};
use super::location::PostgresUrl;
use super::{
    AttemptRecord, DeliveryDetail, DeliverySummary, ExportedDelivery, ExportedFinding, Finish,
    HistoryError, Imported, LogFilter, NewDelivery, Store,
};
use crate::redact::Secret;
use crate::report::Finding;
use connect::{describe, Connector};
use schema::{Prepared, Refusal, LATEST_VERSION};

/// What a job gets: the worker's runtime, to run the job's statements on, and its client.
type Job = Box<dyn FnOnce(&Runtime, &mut Client) + Send>;

/// The statement that finishes a delivery, once prepared on the current connection (see
/// `query::prepare_finish`); emptied when the worker opens a new connection, where it does
/// not exist.
type FinishStatement = Arc<Mutex<Option<Statement>>>;

/// An open PostgreSQL history. Each process opens its own; the server's transactions and
/// advisory locks, not this type, coordinate the runners.
pub struct PostgresHistory {
    /// The worker thread's inbox; the thread itself is never joined (see `Drop`).
    jobs: Option<mpsc::Sender<Job>>,
    finish_statement: FinishStatement,
    location: String,
    password: Option<Secret>,
}

impl std::fmt::Debug for PostgresHistory {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("PostgresHistory")
            .field("location", &self.location)
            .finish()
    }
}

impl PostgresHistory {
    /// Connects and brings the schema up to date, creating it when it is missing.
    pub fn open(url: &PostgresUrl) -> Result<PostgresHistory, HistoryError> {
        PostgresHistory::start(url, true)?.ok_or_else(|| HistoryError::Unavailable {
            location: url.masked(),
            reason: "the history could not be created".into(),
        })
    }

    /// For read-only commands: Ok(None) when the database holds no history yet (nothing is
    /// created); an older schema is still migrated forward, as SQLite's is.
    pub fn open_existing(url: &PostgresUrl) -> Result<Option<PostgresHistory>, HistoryError> {
        PostgresHistory::start(url, false)
    }

    fn start(url: &PostgresUrl, create: bool) -> Result<Option<PostgresHistory>, HistoryError> {
        let location = url.masked();
        let password = url.password.clone();
        let connector = Connector::new(url, &location)?;
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (ready, started) = mpsc::channel::<Result<Prepared, String>>();
        let finish_statement = FinishStatement::default();
        let forgotten_on_reconnect = Arc::clone(&finish_statement);
        // Detached: dropping the handle does not stop the thread, which ends with its inbox.
        thread::Builder::new()
            .name("staxhook-postgres".into())
            .spawn(move || serve(connector, create, ready, inbox, forgotten_on_reconnect))
            .map_err(|error| HistoryError::Unavailable {
                location: location.clone(),
                reason: format!("cannot start the connection thread: {error}"),
            })?;
        let history = PostgresHistory {
            jobs: Some(jobs),
            finish_statement,
            location,
            password,
        };
        let outcome = started
            .recv()
            .unwrap_or_else(|_| Err("the connection thread stopped before connecting".to_string()));
        match outcome {
            Ok(Prepared::Ready) => Ok(Some(history)),
            Ok(Prepared::Missing) => Ok(None),
            Ok(Prepared::Refused(Refusal::Newer { version })) => {
                Err(HistoryError::NewerDatabaseSchema {
                    location: history.location.clone(),
                    found: version,
                    supported: LATEST_VERSION,
                })
            }
            Ok(Prepared::Refused(Refusal::Foreign)) => Err(HistoryError::ForeignSchema {
                location: history.location.clone(),
            }),
            Err(reason) => Err(history.unavailable(reason)),
        }
    }

    /// An error naming the history, with the password scrubbed from the reason.
    fn unavailable(&self, reason: String) -> HistoryError {
        let reason = match &self.password {
            Some(password) if !password.expose().is_empty() => {
                reason.replace(password.expose().as_str(), "***")
            }
            _ => reason,
        };
        HistoryError::Unavailable {
            location: self.location.clone(),
            reason,
        }
    }

    /// Runs `work` on the worker thread and waits for its result.
    fn call<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Runtime, &mut Client) -> Result<T, tokio_postgres::Error> + Send + 'static,
    ) -> Result<T, HistoryError> {
        let (reply, answer) = mpsc::sync_channel(1);
        let job: Job = Box::new(move |runtime, client| {
            let _ = reply.send(work(runtime, client).map_err(|error| describe(&error)));
        });
        let sent = self.jobs.as_ref().map(|jobs| jobs.send(job));
        if !matches!(sent, Some(Ok(()))) {
            return Err(self.unavailable("the connection thread has stopped".into()));
        }
        match answer.recv() {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(reason)) => Err(self.unavailable(reason)),
            Err(_) => Err(self.unavailable("the connection thread has stopped".into())),
        }
    }
}

/// The worker thread: connect, prepare the schema, report, then run jobs until the history
/// is dropped.
fn serve(
    connector: Connector,
    create: bool,
    ready: mpsc::Sender<Result<Prepared, String>>,
    inbox: mpsc::Receiver<Job>,
    finish_statement: FinishStatement,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            let _ = ready.send(Err(format!("cannot start a runtime: {error}")));
            return;
        }
    };
    let prepared = runtime.block_on(async {
        let mut client = connector.connect().await?;
        let prepared = schema::prepare(&mut client, create)
            .await
            .map_err(|error| describe(&error))?;
        Ok::<_, String>((client, prepared))
    });
    let mut client = match prepared {
        Ok((client, prepared)) => {
            let _ = ready.send(Ok(prepared));
            if prepared != Prepared::Ready {
                return;
            }
            client
        }
        Err(reason) => {
            let _ = ready.send(Err(reason));
            return;
        }
    };
    for job in inbox {
        // The connection's driver task runs only inside `block_on`: let it read what the
        // server sent while no job ran (a close, say) before asking whether it is closed.
        runtime.block_on(tokio::task::yield_now());
        if client.is_closed() {
            // The server restarted or dropped us between jobs: one new connection. If that
            // fails too, the job meets the closed client and reports the lost connection.
            if let Ok(fresh) = runtime.block_on(connector.connect()) {
                client = fresh;
            }
            // Statements prepared on the old connection do not exist on a new one.
            finish_statement
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
        }
        job(&runtime, &mut client);
    }
}

impl Drop for PostgresHistory {
    fn drop(&mut self) {
        // Closing the channel ends the worker's loop, which then closes the connection. It is
        // not waited for: every job has had its answer, so what is left is tearing down a
        // runtime and a thread, half a millisecond of a run that is about to end (where the
        // exit closes the socket, and the server ends the session as for a closed one).
        self.jobs.take();
    }
}

impl Store for PostgresHistory {
    fn location(&self) -> String {
        self.location.clone()
    }

    /// Writes the pending row; then, without waiting, has the worker prepare the statement
    /// that will finish the delivery, while the caller sends the request: on a fresh server
    /// session that preparing is most of what finishing costs, and the server is idle while
    /// the receiver answers. Jobs run in order, so the finish finds it ready.
    fn insert_pending(&self, delivery: &NewDelivery) -> Result<i64, HistoryError> {
        let delivery = delivery.clone();
        let row = self.call(move |runtime, client| {
            runtime.block_on(query::insert_pending(client, &delivery))
        })?;
        let slot = Arc::clone(&self.finish_statement);
        let prepare: Job = Box::new(move |runtime, client| {
            let mut statement = slot.lock().unwrap_or_else(PoisonError::into_inner);
            if statement.is_none() {
                // A failure here is met again, and reported, by the finish itself.
                *statement = runtime.block_on(query::prepare_finish(client)).ok();
            }
        });
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(prepare);
        }
        Ok(row)
    }

    fn record_attempt(&self, row: i64, attempt: &AttemptRecord) -> Result<(), HistoryError> {
        let attempt = attempt.clone();
        self.call(move |runtime, client| {
            runtime.block_on(query::record_attempt(client, row, &attempt))
        })?
        .then_some(())
        .ok_or(HistoryError::NotFound { id: row })
    }

    fn finish(
        &self,
        row: i64,
        last_attempt: Option<&AttemptRecord>,
        finish: &Finish,
    ) -> Result<(), HistoryError> {
        let last_attempt = last_attempt.cloned();
        let finish = finish.clone();
        let slot = Arc::clone(&self.finish_statement);
        self.call(move |runtime, client| {
            let prepared = slot.lock().unwrap_or_else(PoisonError::into_inner).clone();
            runtime.block_on(query::finish(
                client,
                row,
                last_attempt.as_ref(),
                &finish,
                prepared.as_ref(),
            ))
        })?
        .then_some(())
        .ok_or(HistoryError::NotFound { id: row })
    }

    fn list(&self, filter: &LogFilter) -> Result<Vec<DeliverySummary>, HistoryError> {
        let filter = filter.clone();
        self.call(move |runtime, client| runtime.block_on(query::list(client, &filter)))
    }

    fn get(&self, id: i64) -> Result<Option<DeliveryDetail>, HistoryError> {
        self.call(move |runtime, client| runtime.block_on(query::get(client, id)))
    }

    fn prune(&self, cutoff: Timestamp) -> Result<usize, HistoryError> {
        self.call(move |runtime, client| runtime.block_on(query::prune(client, cutoff)))
    }

    fn claim_redeliverable(
        &self,
        since: Option<Timestamp>,
        repository: Option<&str>,
        claimant: &Claimant,
    ) -> Result<Vec<i64>, HistoryError> {
        let claimant = claimant.clone();
        let repository = repository.map(str::to_string);
        self.call(move |runtime, client| {
            runtime.block_on(query::claim_redeliverable(
                client,
                since,
                repository.as_deref(),
                &claimant,
            ))
        })
    }

    fn mark_interrupted(&self, row: i64, note: &str) -> Result<(), HistoryError> {
        let note = note.to_string();
        self.call(move |runtime, client| {
            runtime.block_on(query::mark_interrupted(client, row, &note))
        })
    }

    /// The transaction runs on the worker thread, but `due` (which borrows the caller's
    /// config and catalog, and is not `Send`) runs here: the job sends the tracked findings
    /// back mid-transaction, waits for the notices each is due, then claims and commits.
    fn reconcile(
        &self,
        repository: &str,
        findings: &[Finding],
        persist: bool,
        claimant: &Claimant,
        scope: &IncidentScope,
        due: &dyn Fn(&Tracked) -> Vec<Notice>,
    ) -> Result<Reconciliation, HistoryError> {
        enum Step {
            Ask(Vec<Tracked>),
            Done(Result<Reconciliation, String>),
        }
        let (to_caller, from_worker) = mpsc::channel::<Step>();
        let (to_worker, from_caller) = mpsc::channel::<(Vec<Tracked>, Vec<Vec<Notice>>)>();
        let repository = repository.to_string();
        let findings = findings.to_vec();
        let claimant = claimant.clone();
        let scope = scope.clone();
        let job: Job = Box::new(move |runtime, client| {
            let asker = to_caller.clone();
            let outcome = runtime.block_on(async {
                let transaction = client
                    .transaction()
                    .await
                    .map_err(|error| describe(&error))?;
                let reconciliation = findings::reconcile(
                    &transaction,
                    &repository,
                    &findings,
                    &claimant,
                    &scope,
                    |current| {
                        asker.send(Step::Ask(current)).ok()?;
                        from_caller.recv().ok()
                    },
                )
                .await
                .map_err(|stopped| match stopped {
                    findings::Stopped::Database(error) => describe(&error),
                    findings::Stopped::Abandoned => "the reconciliation was abandoned".into(),
                })?;
                let finished = if persist {
                    transaction.commit().await
                } else {
                    transaction.rollback().await
                };
                finished.map_err(|error| describe(&error))?;
                Ok(reconciliation)
            });
            let _ = to_caller.send(Step::Done(outcome));
        });
        let sent = self.jobs.as_ref().map(|jobs| jobs.send(job));
        if !matches!(sent, Some(Ok(()))) {
            return Err(self.unavailable("the connection thread has stopped".into()));
        }
        loop {
            match from_worker.recv() {
                Ok(Step::Ask(current)) => {
                    let wanted = current.iter().map(due).collect();
                    if to_worker.send((current, wanted)).is_err() {
                        return Err(self.unavailable("the connection thread has stopped".into()));
                    }
                }
                Ok(Step::Done(Ok(reconciliation))) => return Ok(reconciliation),
                Ok(Step::Done(Err(reason))) => return Err(self.unavailable(reason)),
                Err(_) => return Err(self.unavailable("the connection thread has stopped".into())),
            }
        }
    }

    fn settle_notices(
        &self,
        repository: &str,
        claimant: &Claimant,
        outcomes: &[NoticeOutcome],
    ) -> Result<(), HistoryError> {
        if outcomes.is_empty() {
            return Ok(());
        }
        let repository = repository.to_string();
        let claimant = claimant.clone();
        let outcomes = outcomes.to_vec();
        self.call(move |runtime, client| {
            runtime.block_on(findings::settle(client, &repository, &claimant, &outcomes))
        })
    }

    fn settle_incidents(
        &self,
        claimant: &Claimant,
        opened: &[Incident],
        resolves: &[ResolveOutcome],
    ) -> Result<(), HistoryError> {
        if opened.is_empty() && resolves.is_empty() {
            return Ok(());
        }
        let claimant = claimant.clone();
        let opened = opened.to_vec();
        let resolves = resolves.to_vec();
        self.call(move |runtime, client| {
            runtime.block_on(incidents::settle(client, &claimant, &opened, &resolves))
        })
    }

    fn export_incidents(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<ExportedIncident>, HistoryError> {
        self.call(move |runtime, client| {
            runtime.block_on(copy::export_incidents(client, after, limit))
        })
    }

    fn import_incidents(&self, incidents: &[ExportedIncident]) -> Result<usize, HistoryError> {
        let incidents = incidents.to_vec();
        self.call(move |runtime, client| {
            runtime.block_on(copy::import_incidents(client, &incidents))
        })
    }

    fn findings(&self, filter: &FindingFilter) -> Result<Vec<FindingRecord>, HistoryError> {
        let filter = filter.clone();
        self.call(move |runtime, client| runtime.block_on(findings::list(client, &filter)))
    }

    fn export_deliveries(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<ExportedDelivery>, HistoryError> {
        self.call(move |runtime, client| {
            runtime.block_on(copy::export_deliveries(client, after, limit))
        })
    }

    fn import_delivery(
        &self,
        delivery: &ExportedDelivery,
        redelivery_of: Option<i64>,
    ) -> Result<Imported, HistoryError> {
        let delivery = delivery.clone();
        self.call(move |runtime, client| {
            runtime.block_on(copy::import_delivery(client, &delivery, redelivery_of))
        })
    }

    fn export_findings(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<ExportedFinding>, HistoryError> {
        self.call(move |runtime, client| {
            runtime.block_on(copy::export_findings(client, after, limit))
        })
    }

    fn import_findings(&self, findings: &[ExportedFinding]) -> Result<usize, HistoryError> {
        let findings = findings.to_vec();
        self.call(move |runtime, client| runtime.block_on(copy::import_findings(client, &findings)))
    }
}
