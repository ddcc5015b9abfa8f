//! Shared support code for the integration tests: an isolated environment per test, running
//! the real binary, config text, the history file, loopback HTTP and HTTPS servers, a loopback
//! proxy, and a throw-away PostgreSQL server.
//! Every test module starts with `use crate::prelude::*;`.

#[path = "../../src/history/both_backends.rs"]
mod both_backends;
mod config;
mod environment;
mod epss;
mod history;
mod http_head;
mod postgres;
mod proxy;
mod reports;
mod run;
mod server;
mod tls;

pub(crate) use both_backends::on_both_backends;
pub use config::{
    hook, hook_signed_with, signed_hook, DEFAULTS, NEW_SECRET, REPORT_DEFAULTS, SECRET,
};
pub use environment::{TestEnv, STAXHOOK_BINARY};
pub use epss::{epss_csv, gzip, EPSS_FILLER_ROWS};
pub use history::{age_row, assert_history_files, history_file_bytes, log_rows, open_history};
pub use postgres::{postgres_database, postgres_server, PostgresServer, POSTGRES_ADMIN};
pub use proxy::{ProxyBehavior, TestProxy};
pub use reports::trivy_json;
pub use run::{
    in_parallel, run, run_with_timeout, staxhook, staxhook_json, write_private_config,
    write_private_config_at, Run, BUSY_MACHINE_SLACK,
};
pub use server::{first_header, Behavior, RecordedRequest, TestServer, ENDLESS_PIECE};
pub use tls::{TestPki, TlsServer};

// The library items the tests use, named in one place: when a module moves in src/, this is
// the one list to fix.
pub use staxhook::channel::{Channel, FormatContext};
pub use staxhook::cli::Cli;
pub use staxhook::envelope::Envelope;
pub use staxhook::event::Event;
pub use staxhook::history::sqlite::schema::{APPLICATION_ID, MIGRATIONS};
pub use staxhook::history::LATEST_VERSION;
pub use staxhook::signing::{codestax_signature, standard_webhooks_header, standard_webhooks_key};
