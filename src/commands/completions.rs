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

/// One page, so every reference in it resolves to something shipped: the top-level command
/// (its options are the global ones, described only here), a SUBCOMMANDS list that points to
/// sections of this page rather than to `staxhook-x(1)` pages that do not exist, then a
/// section per subcommand (group commands such as `log` included, since they have options
/// of their own), then exit status, environment, files and version.
pub fn man_page(mut command: clap::Command) -> std::io::Result<Vec<u8>> {
    command.build();
    let mut page = Vec::new();
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    page.extend_from_slice(GLOBAL_NOTE.as_bytes());
    page.extend_from_slice(b".SH SUBCOMMANDS\n");
    subcommand_list(&command, "staxhook", &mut page);
    for (name, subcommand) in sections(&command, "staxhook") {
        let heading = roff_text(&name.to_uppercase());
        page.extend_from_slice(format!(".SH \"{heading}\"\n").as_bytes());
        let man = clap_mangen::Man::new(without_globals(subcommand.clone()));
        let mut part = Vec::new();
        man.render_synopsis_section(&mut part)?;
        man.render_description_section(&mut part)?;
        man.render_options_section(&mut part)?;
        // Inside a subcommand's section its parts are subsections.
        let part = String::from_utf8_lossy(&part).replace(".SH ", ".SS ");
        page.extend_from_slice(part.as_bytes());
        if listed_subcommands(&subcommand).next().is_some() {
            page.extend_from_slice(b".SS SUBCOMMANDS\n");
            subcommand_list(&subcommand, &name, &mut page);
        }
    }
    page.extend_from_slice(EXTRA_SECTIONS.as_bytes());
    // clap_mangen's version section expects a version (as `Man::render` checks).
    if command.get_version().is_some() {
        man.render_version_section(&mut page)?;
    }
    Ok(once_only(&page, AQ_DEFINITION))
}

/// Why the subcommands' sections leave these options out.
const GLOBAL_NOTE: &str =
    ".PP\nThese options are accepted by every subcommand too; each subcommand's section below \
lists only its own.\n";

/// The definition of the `Aq` string that clap_mangen puts before every part it renders;
/// once, at the top, is enough.
const AQ_DEFINITION: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";

/// `page` with every occurrence of `block` after the first removed.
fn once_only(page: &[u8], block: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(page);
    match text.find(block) {
        Some(first) => {
            let (head, tail) = text.split_at(first + block.len());
            format!("{head}{}", tail.replace(block, "")).into_bytes()
        }
        None => page.to_vec(),
    }
}

/// The subcommands worth a section: all but clap's `help`, which `-h` already covers.
fn listed_subcommands(command: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    command
        .get_subcommands()
        .filter(|subcommand| subcommand.get_name() != "help" && !subcommand.is_hide_set())
}

/// Each subcommand of `command` by its full name, with its about text and the section of
/// this page that describes it.
fn subcommand_list(command: &clap::Command, prefix: &str, page: &mut Vec<u8>) {
    for subcommand in listed_subcommands(command) {
        let name = format!("{prefix} {}", subcommand.get_name());
        page.extend_from_slice(format!(".TP\n\\fB{}\\fR\n", roff_text(&name)).as_bytes());
        if let Some(about) = subcommand.get_about() {
            for line in about.to_string().lines() {
                page.extend_from_slice(format!("{}\n", roff_text(line)).as_bytes());
            }
        }
        page.extend_from_slice(
            format!(
                ".br\nSee the {} section.\n",
                roff_text(&name.to_uppercase())
            )
            .as_bytes(),
        );
    }
}

/// `text` as a roff text line: backslashes and hyphens escaped (so `--repo` stays two
/// hyphens), and a leading `.` or `'` kept from being read as a request.
fn roff_text(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

/// `command` with the global options (and the propagated `-h`, `-V`) hidden: `build()` copies
/// them into every subcommand, and they are described once, in the top-level OPTIONS.
fn without_globals(command: clap::Command) -> clap::Command {
    command.mut_args(|arg| {
        let id = arg.get_id().as_str();
        if arg.is_global_set() || id == "help" || id == "version" {
            arg.hide(true)
        } else {
            arg
        }
    })
}

/// Every subcommand, depth first, named by its full path (`staxhook log prune`): group
/// commands too, since `log` has options of its own and the list above points to them.
fn sections(command: &clap::Command, prefix: &str) -> Vec<(String, clap::Command)> {
    let mut found = Vec::new();
    for subcommand in listed_subcommands(command) {
        let name = format!("{prefix} {}", subcommand.get_name());
        found.push((name.clone(), subcommand.clone().bin_name(name.clone())));
        found.extend(sections(subcommand, &name));
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
.TP
3
\fBemit \-\-report\fR: a \fBfail\fR policy was violated (the notifications went out).
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A group with options of its own (as `log`) gets a section; a global option is described
    /// once; the subcommand list points to sections, not to `x-y(1)` pages.
    #[test]
    fn group_commands_get_sections_and_globals_appear_once() {
        let command = clap::Command::new("staxhook")
            .arg(clap::Arg::new("config").long("config").global(true))
            .subcommand(
                clap::Command::new("log")
                    .about("Show the history")
                    .arg(clap::Arg::new("limit").long("limit"))
                    .subcommand(
                        clap::Command::new("prune")
                            .arg(clap::Arg::new("older-than").long("older-than")),
                    ),
            );
        let page = String::from_utf8(man_page(command).expect("rendered")).expect("UTF-8");
        assert!(page.contains(".SH \"STAXHOOK LOG\"\n"), "{page}");
        assert!(page.contains(".SH \"STAXHOOK LOG PRUNE\"\n"), "{page}");
        assert!(page.contains("See the STAXHOOK LOG section."), "{page}");
        assert!(page.contains("\\fB\\-\\-limit\\fR"), "{page}");
        assert_eq!(
            page.matches(".TP\n\\fB\\-\\-config\\fR").count(),
            1,
            "{page}"
        );
        assert!(!page.contains("(1)"), "{page}");
        assert_eq!(page.matches(".ds Aq").count(), 2, "{page}");
    }

    #[test]
    fn roff_text_escapes_hyphens_and_leading_dots() {
        assert_eq!(roff_text("send-test"), "send\\-test");
        assert_eq!(roff_text(".hidden"), "\\&.hidden");
        assert_eq!(roff_text("a\\b"), "a\\eb");
    }
}
