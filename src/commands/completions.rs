//! `staxhook completions SHELL` and `staxhook man`: shell completions and the man page,
//! generated from the command-line definition itself so they never drift from it.

use std::io::Write;

use crate::error::{CommandResult, Completion};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// bash, zsh, fish, elvish or powershell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Prints the completion script for `command` (the whole command line's definition).
pub fn run_completions(args: &Args, mut command: clap::Command) -> CommandResult {
    let mut stdout = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut command, "staxhook", &mut stdout);
    Ok(Completion::Success)
}

pub fn run_man(command: clap::Command) -> CommandResult {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&man_page(command)?)?;
    Ok(Completion::Success)
}

/// One page: the top-level command, then a section per subcommand (with its options), then
/// exit status, environment and files.
pub fn man_page(mut command: clap::Command) -> std::io::Result<Vec<u8>> {
    command.build();
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut page)?;
    for subcommand in leaves(&command, "staxhook") {
        let (name, command) = subcommand;
        page.extend_from_slice(format!(".SH \"{}\"\n", name.to_uppercase()).as_bytes());
        let man = clap_mangen::Man::new(command);
        let mut part = Vec::new();
        man.render_synopsis_section(&mut part)?;
        man.render_description_section(&mut part)?;
        man.render_options_section(&mut part)?;
        // Inside a subcommand's section its parts are subsections.
        let part = String::from_utf8_lossy(&part).replace(".SH ", ".SS ");
        page.extend_from_slice(part.as_bytes());
    }
    page.extend_from_slice(EXTRA_SECTIONS.as_bytes());
    Ok(page)
}

/// Every subcommand that does work, named by its full path (`staxhook webhook add`).
fn leaves(command: &clap::Command, prefix: &str) -> Vec<(String, clap::Command)> {
    let mut found = Vec::new();
    for subcommand in command.get_subcommands() {
        if subcommand.get_name() == "help" {
            continue;
        }
        let name = format!("{prefix} {}", subcommand.get_name());
        if subcommand.has_subcommands() {
            found.extend(leaves(subcommand, &name));
        } else {
            found.push((name.clone(), subcommand.clone().bin_name(name)));
        }
    }
    found
}

const EXTRA_SECTIONS: &str = r#".SH "EXIT STATUS"
.TP
0
Success: every delivery succeeded, the signature is valid, the command did what it said.
.TP
1
A delivery failed after its retries, or verify found the signature invalid or too old.
.TP
2
Usage, config or input error: nothing was sent and nothing in the config changed.
.SH ENVIRONMENT
.TP
STAXHOOK_CONFIG
The config file (as \fB\-\-config\fR).
.TP
STAXHOOK_HISTORY
The delivery history (as \fB\-\-history\fR).
.TP
GITHUB_REPOSITORY, CI_PROJECT_PATH, BITBUCKET_REPO_FULL_NAME, BUILD_REPOSITORY_NAME
The repository an event is about, when \fB\-\-repo\fR is not given.
.TP
NO_COLOR
Turns colour off.
.SH FILES
.TP
\fI./staxhook.toml\fR, \fI$XDG_CONFIG_HOME/staxhook/config.toml\fR
The config, the first that exists.
.TP
\fI$XDG_DATA_HOME/staxhook/history.db\fR
The delivery history (SQLite).
"#;
