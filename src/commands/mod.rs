//! One module per subcommand, and what they share: the global flags, the context resolved
//! from them (output, config and history locations), and where signing secrets come from.

pub mod completions;
pub mod emit;
pub mod epss;
pub mod findings;
pub mod history;
pub mod kev;
pub mod listen;
pub mod log;
pub mod redeliver;
pub mod send_test;
pub mod verify;
pub mod webhook;

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;

use crate::config::{self, Config};
use crate::dispatch;
use crate::error::failure;
use crate::history::{History, HistoryError, HistoryLocation};
use crate::output::Output;
use crate::redact::Secret;

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]
    #[arg(long, global = true, env = "STAXHOOK_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]
    // The value may hold a password: `--help` must not show what the environment holds.
    #[arg(
        long,
        global = true,
        env = "STAXHOOK_HISTORY",
        hide_env_values = true,
        value_name = "PATH|URL"
    )]
    pub history: Option<PathBuf>,

    /// Whether `history` came from `STAXHOOK_HISTORY` rather than `--history`, so an
    /// error names the right one (set by `cli::parse`).
    #[arg(skip)]
    pub history_from_environment: bool,

    /// Print machine-readable JSON on stdout and nothing else there
    #[arg(long, global = true)]
    pub json: bool,

    /// Print less on stderr
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print more on stderr
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// What every command may need, resolved once from the global flags and the environment.
pub struct Context {
    pub global: GlobalArgs,
    pub output: Output,
    pub config_path: PathBuf,
    pub current_dir: PathBuf,
    /// `--history` / `STAXHOOK_HISTORY`, parsed up front; it wins over the config.
    history: Option<HistoryLocation>,
}

/// Where a signing secret comes from, for the commands that check signatures.
#[derive(Debug, clap::Args)]
pub struct SecretArgs {
    /// The signing secret
    #[arg(long, value_name = "SECRET", group = "key")]
    pub secret: Option<String>,

    /// Read the signing secret from this environment variable
    #[arg(long, value_name = "VAR", group = "key")]
    pub secret_env: Option<String>,

    /// Use this configured webhook's secret (both during a rotate-secret grace period)
    #[arg(long, value_name = "NAME", group = "key")]
    pub webhook: Option<String>,
}

impl SecretArgs {
    /// The secrets to check against (`None` when no option was given), and the config's
    /// warnings, which the caller prints when it suits it.
    pub fn resolve(&self, context: &Context) -> anyhow::Result<(Option<Vec<Secret>>, Vec<String>)> {
        if let Some(secret) = &self.secret {
            if secret.is_empty() {
                anyhow::bail!("--secret is empty");
            }
            return Ok((Some(vec![Secret::new(secret.clone())]), Vec::new()));
        }
        if let Some(variable) = &self.secret_env {
            return match environment(variable) {
                Some(secret) if !secret.is_empty() => {
                    Ok((Some(vec![Secret::new(secret)]), Vec::new()))
                }
                _ => Err(anyhow::anyhow!(
                    "--secret-env: environment variable {variable} is not set"
                )),
            };
        }
        let Some(name) = self.webhook.as_deref() else {
            return Ok((None, Vec::new()));
        };
        let config = context.config_silently()?;
        let webhook = config.require_webhook(name).context("--webhook")?;
        let secrets = crate::target::signing_secrets(webhook, &config.path, &environment)?;
        if secrets.is_empty() {
            anyhow::bail!(
                "--webhook `{name}`: the webhook has no secret, so its requests are unsigned"
            );
        }
        Ok((Some(secrets), config.warnings))
    }
}

/// Reads the process environment; commands pass this where a lookup function is wanted.
pub fn environment(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

impl Context {
    pub fn new(global: GlobalArgs) -> anyhow::Result<Context> {
        let output = Output::new(global.json, global.quiet, global.verbose);
        let current_dir = std::env::current_dir().context("reading the current folder")?;
        let config_path = config::locate(global.config.as_deref(), &current_dir, &environment);
        let history = match &global.history {
            Some(text) => Some(
                HistoryLocation::parse(text.as_os_str(), &environment).map_err(|error| {
                    let origin = if global.history_from_environment {
                        "STAXHOOK_HISTORY"
                    } else {
                        "--history"
                    };
                    anyhow::anyhow!("{origin}: {error}")
                })?,
            ),
            None => None,
        };
        Ok(Context {
            global,
            output,
            config_path,
            current_dir,
            history,
        })
    }

    /// Loads and validates the config, printing its warnings once.
    pub fn config(&self) -> anyhow::Result<Config> {
        let config = self.config_silently()?;
        for warning in &config.warnings {
            self.output.warn(warning);
        }
        self.output
            .detail(&format!("config: {}", self.config_path.display()));
        Ok(config)
    }

    /// Loads the config without printing its warnings (the caller prints them when it suits).
    pub fn config_silently(&self) -> anyhow::Result<Config> {
        Ok(Config::load(&self.config_path, &environment)?)
    }

    /// `--history`/`STAXHOOK_HISTORY`, else `[defaults] history`, else the XDG data folder.
    pub fn history_location(&self, config: &Config) -> HistoryLocation {
        self.history
            .clone()
            .or_else(|| config.defaults.history.clone())
            .unwrap_or_else(|| HistoryLocation::File(self.default_history_path()))
    }

    /// Opens the history for writing (creating it).
    pub fn open_history(&self, config: &Config) -> anyhow::Result<History> {
        let location = self.history_location(config);
        self.output
            .detail(&format!("history: {}", location.display()));
        let history = History::open(&location).map_err(history_error)?;
        self.warn_about_history_permissions(&location);
        Ok(history)
    }

    /// Like the readable-config warning: a SQLite history that other users can read is named
    /// once it has opened (a file refused as no history gets its one error line only). Its
    /// folder is checked only when it is the default folder, which staxhook creates and owns;
    /// a folder the user chose (a CI workspace, a shared data folder) is theirs to decide.
    /// A PostgreSQL history has no file modes.
    fn warn_about_history_permissions(&self, location: &HistoryLocation) {
        if let HistoryLocation::File(path) = location {
            let check_folder = path == &self.default_history_path();
            for warning in crate::history::sqlite::permission_warnings(path, check_folder) {
                self.output.warn(&warning);
            }
        }
    }

    /// `$XDG_DATA_HOME/staxhook/history.db`, where the history is when nothing names one.
    fn default_history_path(&self) -> std::path::PathBuf {
        config::xdg_folder("XDG_DATA_HOME", ".local/share", &environment)
            .join("staxhook/history.db")
    }

    /// Sends the jobs, recording them in the history (opened only when really sending), or
    /// with `dry_run` prints them.
    pub fn send(
        &self,
        config: &Config,
        jobs: Vec<dispatch::Job<'_>>,
        dry_run: bool,
    ) -> anyhow::Result<Vec<dispatch::JobResult>> {
        if dry_run {
            return dispatch::send(jobs, dispatch::Sending::DryRun, &self.output);
        }
        let history = self.open_history(config)?;
        let sending = dispatch::Sending::Deliver {
            history: &history,
            retention: config.defaults.retention,
        };
        dispatch::send(jobs, sending, &self.output)
    }

    /// Opens the history to read; `None` when there is none yet.
    pub fn read_history(&self, config: &Config) -> anyhow::Result<Option<History>> {
        let location = self.history_location(config);
        let history = History::open_existing(&location).map_err(history_error)?;
        if history.is_some() {
            self.warn_about_history_permissions(&location);
        }
        Ok(history)
    }
}

/// A history error as a command error. A history that cannot be reached or fails the work
/// (a PostgreSQL server down, a wrong password, a lost connection) is a failure of the work:
/// exit 1, with nothing sent that could not be recorded. A history refused as it is (not a
/// history, a newer schema) and every SQLite error keep exit 2 (docs/reference.md §1).
pub fn history_error(error: HistoryError) -> anyhow::Error {
    if error.is_unavailable() {
        failure(error)
    } else {
        error.into()
    }
}

/// `--url` of `kev update` and `epss update`: https, or plain http to a loopback address
/// only (a local mirror or a test server), checked before anything is downloaded.
pub fn check_feed_url(url: &str) -> anyhow::Result<()> {
    let parsed = url::Url::parse(url).map_err(|error| anyhow::anyhow!("--url: {error}"))?;
    if parsed.scheme() == "http" && !crate::config::is_loopback(&parsed) {
        anyhow::bail!("--url: plain http:// is only allowed to a loopback address; use https");
    }
    if !matches!(parsed.scheme(), "http" | "https") {
        anyhow::bail!("--url: must be https");
    }
    Ok(())
}
