//! The command line, as clap-derive types; their doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::commands::{
    completions, emit, findings, kev, listen, log, redeliver, send_test, verify, webhook,
};

/// Send signed webhook notifications about software-composition-analysis events
/// (scan complete, new critical vulnerability, CISA KEV hit, policy violation, SLA breach)
/// and keep a history of every delivery.
#[derive(Debug, Parser)]
#[command(
    name = "staxhook",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]
    #[arg(long, global = true, env = "STAXHOOK_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Delivery history (SQLite) [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]
    #[arg(long, global = true, env = "STAXHOOK_HISTORY", value_name = "PATH")]
    pub history: Option<PathBuf>,

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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add, list, remove, enable or disable webhooks in the config
    #[command(subcommand)]
    Webhook(webhook::WebhookCommand),

    /// Send built-in sample data, marked as a test, to one webhook
    SendTest(send_test::Args),

    /// Send an event to every enabled webhook subscribed to it, or every event a scanner report implies (--report)
    Emit(emit::Args),

    /// Check the X-CodeStax-Signature of a received body
    Verify(verify::Args),

    /// Show the delivery history, one delivery in detail, or prune it
    Log(log::Args),

    /// Send recorded deliveries again (same delivery id, fresh signature, current URL)
    Redeliver(redeliver::Args),

    /// Show the findings that `emit --report` tracks per repository
    Findings(findings::Args),

    /// Manage the CISA Known Exploited Vulnerabilities catalog
    #[command(subcommand)]
    Kev(kev::KevCommand),

    /// Run a local receiver for testing: print each request and whether its signature is valid
    Listen(listen::Args),

    /// Print shell completions (bash, zsh, fish, elvish, powershell)
    Completions(completions::Args),

    /// Print the man page (roff)
    Man,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
