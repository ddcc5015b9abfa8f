//! One module per subcommand, and the context they share (flags, config, history paths).

pub mod emit;
pub mod log;
pub mod redeliver;
pub mod send_test;
pub mod verify;
pub mod webhook;

use std::path::PathBuf;

use anyhow::Context as _;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::config::{self, Config};
use crate::error::CommandResult;
use crate::history::History;
use crate::output::Output;

pub fn run(cli: Cli) -> CommandResult {
    let context = Context::new(cli.global)?;
    match cli.command {
        Command::Webhook(command) => webhook::run(command, &context),
        Command::SendTest(args) => send_test::run(args, &context),
        Command::Emit(args) => emit::run(args, &context),
        Command::Verify(args) => verify::run(args, &context),
        Command::Log(args) => log::run(args, &context),
        Command::Redeliver(args) => redeliver::run(args, &context),
    }
}

/// What every command may need, resolved once from the global flags and the environment.
pub struct Context {
    pub global: GlobalArgs,
    pub output: Output,
    pub config_path: PathBuf,
    pub current_dir: PathBuf,
}

/// Reads the process environment; commands pass this where a lookup function is wanted.
pub fn environment(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

impl Context {
    fn new(global: GlobalArgs) -> anyhow::Result<Context> {
        let output = Output::new(global.json, global.quiet, global.verbose);
        let current_dir = std::env::current_dir().context("reading the current folder")?;
        let config_path = config::locate(global.config.as_deref(), &current_dir, &environment);
        Ok(Context {
            global,
            output,
            config_path,
            current_dir,
        })
    }

    /// Loads and validates the config, printing its warnings once.
    pub fn config(&self) -> anyhow::Result<Config> {
        let config = Config::load(&self.config_path, &environment)?;
        for warning in &config.warnings {
            self.output.warn(warning);
        }
        self.output
            .detail(&format!("config: {}", self.config_path.display()));
        Ok(config)
    }

    /// `--history`/`STAXHOOK_HISTORY`, else `[defaults] history`, else the XDG data folder.
    pub fn history_path(&self, config: &Config) -> PathBuf {
        self.global
            .history
            .clone()
            .or_else(|| config.defaults.history.clone())
            .unwrap_or_else(|| {
                config::xdg_folder("XDG_DATA_HOME", ".local/share", &environment)
                    .join("staxhook/history.db")
            })
    }

    /// Opens the history for writing (creating it).
    pub fn open_history(&self, config: &Config) -> anyhow::Result<History> {
        let path = self.history_path(config);
        self.output.detail(&format!("history: {}", path.display()));
        Ok(History::open(&path)?)
    }

    /// Opens the history to read; `None` when there is none yet.
    pub fn read_history(&self, config: &Config) -> anyhow::Result<Option<History>> {
        Ok(History::open_existing(&self.history_path(config))?)
    }
}
