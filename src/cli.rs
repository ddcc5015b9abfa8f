//! The top of the program: the command line as clap-derive types (their doc comments are
//! the help text), and the match that hands each subcommand to its module in `commands`.

use clap::{CommandFactory, Parser, Subcommand};

use crate::commands::{
    completions, emit, epss, findings, history, kev, listen, log, redeliver, send_test, verify,
    webhook, Context, GlobalArgs,
};
use crate::error::CommandResult;

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

    /// Copy a history between SQLite files and PostgreSQL databases
    #[command(subcommand)]
    History(history::HistoryCommand),

    /// Manage the CISA Known Exploited Vulnerabilities catalog
    #[command(subcommand)]
    Kev(kev::KevCommand),

    /// Manage FIRST's EPSS scores (the probability that a CVE is exploited soon)
    #[command(subcommand)]
    Epss(epss::EpssCommand),

    /// Run a local receiver for testing: print each request and whether its signature is valid
    Listen(listen::Args),

    /// Print shell completions (bash, zsh, fish, elvish, powershell)
    Completions(completions::Args),

    /// Print the man page (roff)
    Man,
}

/// Parses the command line, or exits: `--help` and `--version` print and exit 0; a bad
/// value for a flag (an unknown event, channel, status…) is one `error:` line naming the
/// flag, the value and the valid ones, exit 2, like every other input error; other usage
/// errors keep clap's message with the usage, also exit 2.
pub fn parse() -> Cli {
    use clap::FromArgMatches;
    let matches = Cli::command()
        .try_get_matches()
        .unwrap_or_else(|error| exit_with(error));
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|error| exit_with(error));
    cli.global.history_from_environment =
        matches.value_source("history") == Some(clap::parser::ValueSource::EnvVariable);
    cli
}

fn exit_with(error: clap::Error) -> ! {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if !matches!(
        error.kind(),
        ErrorKind::ValueValidation | ErrorKind::InvalidValue | ErrorKind::ArgumentConflict
    ) {
        error.exit()
    }
    let rendered = error.render().to_string();
    let mut line = rendered.lines().next().unwrap_or_default().to_string();
    // clap puts its suggestion and the possible values on later lines; keep them on this one.
    if let Some(ContextValue::String(suggested)) = error.get(ContextKind::SuggestedValue) {
        line.push_str(&format!(": did you mean `{suggested}`?"));
    }
    if let Some(ContextValue::Strings(valid)) = error.get(ContextKind::ValidValue) {
        line.push_str(&format!(" (valid: {})", valid.join(", ")));
    }
    crate::output::stderr_line(&line);
    std::process::exit(2)
}

/// Runs the parsed command line. Completions and the man page need no config or context.
pub fn run(cli: Cli) -> CommandResult {
    match cli.command {
        Command::Completions(args) => completions::run_completions(&args, Cli::command()),
        Command::Man => completions::run_man(Cli::command()),
        command => run_in_context(command, &Context::new(cli.global)?),
    }
}

fn run_in_context(command: Command, context: &Context) -> CommandResult {
    match command {
        Command::Webhook(command) => webhook::run(command, context),
        Command::SendTest(args) => send_test::run(args, context),
        Command::Emit(args) => emit::run(args, context),
        Command::Verify(args) => verify::run(args, context),
        Command::Log(args) => log::run(args, context),
        Command::Redeliver(args) => redeliver::run(args, context),
        Command::Listen(args) => listen::run(args, context),
        Command::Findings(args) => findings::run(args, context),
        Command::History(command) => history::run(command, context),
        Command::Kev(command) => kev::run(command, context),
        Command::Epss(command) => epss::run(command, context),
        Command::Completions(args) => completions::run_completions(&args, Cli::command()),
        Command::Man => completions::run_man(Cli::command()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    /// What bash's completion offers for `words` (the last one being completed), from the
    /// script `staxhook completions bash` prints, run by a real bash.
    fn bash_offers(words: &[&str]) -> Vec<String> {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let script = folder.path().join("staxhook.bash");
        let mut text = Vec::new();
        clap_complete::generate(
            clap_complete::Shell::Bash,
            &mut Cli::command(),
            "staxhook",
            &mut text,
        );
        std::fs::write(&script, text).expect("script written");
        let quoted: Vec<String> = words.iter().map(|word| format!("'{word}'")).collect();
        let driver = format!(
            "source '{}'; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{}'; COMP_POINT=${{#COMP_LINE}}; _staxhook staxhook '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display(),
            quoted.join(" "),
            words.len() - 1,
            words.join(" "),
            words[words.len() - 1],
            words[words.len() - 2],
        );
        let output = std::process::Command::new("bash")
            .args(["--norc", "--noprofile", "-c", &driver])
            .output()
            .expect("bash runs");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn bash_completes_event_names_after_emit() {
        let offered = bash_offers(&["staxhook", "emit", ""]);
        for event in crate::event::Event::ALL {
            assert!(offered.contains(&event.to_string()), "{event}: {offered:?}");
        }
        assert_eq!(bash_offers(&["staxhook", "emit", "kev"]), ["kev_found"]);
    }

    #[test]
    fn bash_completes_severities_after_findings_severity() {
        let offered = bash_offers(&["staxhook", "findings", "--severity", ""]);
        assert_eq!(offered, ["critical", "high", "medium", "low", "unknown"]);
    }

    /// The man page's roff as plain text: escapes and font changes removed, so flags and
    /// names can be looked for as a reader sees them.
    fn man_text() -> (String, String) {
        let roff = crate::commands::completions::man_page(Cli::command()).expect("man page");
        let roff = String::from_utf8(roff).expect("UTF-8");
        let text = roff
            .replace("\\-", "-")
            .replace("\\fB", "")
            .replace("\\fI", "")
            .replace("\\fR", "");
        (roff, text)
    }

    /// Every subcommand (but clap's `help`) by its full name, with the command itself.
    fn all_subcommands(command: &clap::Command, prefix: &str) -> Vec<(String, clap::Command)> {
        let mut found = Vec::new();
        for subcommand in command.get_subcommands() {
            if subcommand.get_name() == "help" {
                continue;
            }
            let name = format!("{prefix} {}", subcommand.get_name());
            found.push((name.clone(), subcommand.clone()));
            found.extend(all_subcommands(subcommand, &name));
        }
        found
    }

    /// The section `.SH "HEADING"` of the plain text, up to the next section.
    fn section<'a>(text: &'a str, heading: &str) -> &'a str {
        let start = format!(".SH \"{heading}\"\n");
        let from = text
            .find(&start)
            .unwrap_or_else(|| panic!("no {heading} section"));
        let rest = &text[from + start.len()..];
        &rest[..rest.find("\n.SH ").unwrap_or(rest.len())]
    }

    /// The issue: `log`'s own options were missing (only leaves got sections). Every
    /// subcommand has a section of its own, holding each of its own flags.
    #[test]
    fn man_page_has_every_subcommand_and_every_flag() {
        let (_, text) = man_text();
        let mut command = Cli::command();
        command.build();
        for argument in command.get_arguments() {
            for flag in flags(argument) {
                assert!(text.contains(&flag), "{flag} missing from the man page");
            }
        }
        for (name, subcommand) in all_subcommands(&command, "staxhook") {
            let heading = name.to_uppercase();
            assert!(
                text.contains(&format!("{name}\n"))
                    && text.contains(&format!("See the {heading} section.")),
                "{name} is not listed with a pointer to its section"
            );
            let own = section(&text, &heading);
            for argument in subcommand.get_arguments().filter(|a| !a.is_global_set()) {
                if matches!(argument.get_id().as_str(), "help" | "version") {
                    continue;
                }
                for flag in flags(argument) {
                    assert!(
                        own.contains(&flag),
                        "{flag} missing from the {heading} section"
                    );
                }
            }
        }
    }

    /// `--repo`, `-q` and so on: how an argument is written on the command line.
    fn flags(argument: &clap::Arg) -> Vec<String> {
        let long = argument.get_long().map(|long| format!("--{long}"));
        let short = argument.get_short().map(|short| format!("-{short}"));
        long.into_iter().chain(short).collect()
    }

    /// References resolve to what is shipped (one page), and global options are described
    /// once, in the top-level OPTIONS, not again in every section.
    #[test]
    fn man_page_refers_only_to_itself_and_describes_global_options_once() {
        let (roff, text) = man_text();
        assert!(!text.contains("(1)"), "a reference to another man page");
        assert!(!text.contains("staxhook-"), "a staxhook-x page name");
        let mut command = Cli::command();
        command.build();
        let globals = command
            .get_arguments()
            .filter(|a| a.is_global_set() || matches!(a.get_id().as_str(), "help" | "version"));
        for argument in globals {
            // An option entry is the line after `.TP` that names it.
            let entry = match argument.get_long() {
                Some(long) => format!("\\-\\-{long}\\fR"),
                None => format!("\\-{}\\fR", argument.get_short().expect("a flag")),
            };
            let entries = roff
                .split(".TP\n")
                .skip(1)
                .filter(|item| item.lines().next().is_some_and(|tag| tag.contains(&entry)))
                .count();
            assert_eq!(entries, 1, "{entry}: described {entries} times");
        }
        let options = &text[text.find(".SH OPTIONS\n").expect("OPTIONS")..];
        assert!(options.find("--config <PATH>") < options.find(".SH SUBCOMMANDS"));
    }
}
