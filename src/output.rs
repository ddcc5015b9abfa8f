//! Everything the commands print: JSON, tables, delivery summaries, progress and warnings.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use serde::Serialize;

use crate::duration::format_short;

/// How and where to print, decided once from the flags and the terminal.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub json: bool,
    pub quiet: bool,
    pub verbose: bool,
    stdout_color: bool,
    stderr_progress: bool,
}

impl Output {
    pub fn new(json: bool, quiet: bool, verbose: bool) -> Output {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        Output {
            json,
            quiet,
            verbose,
            stdout_color: !no_color && std::io::stdout().is_terminal(),
            stderr_progress: !json && !quiet && std::io::stderr().is_terminal(),
        }
    }

    /// One JSON document on stdout.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> std::io::Result<()> {
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut stdout, value)?;
        stdout.write_all(b"\n")?;
        stdout.flush()
    }

    /// Text on stdout (the command's result).
    pub fn line(&self, text: &str) -> std::io::Result<()> {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(text.as_bytes())?;
        if !text.ends_with('\n') {
            stdout.write_all(b"\n")?;
        }
        stdout.flush()
    }

    /// Notes on stderr, silenced by `-q`.
    pub fn info(&self, text: &str) {
        if !self.quiet {
            stderr_line(text);
        }
    }

    pub fn warn(&self, text: &str) {
        if !self.quiet {
            stderr_line(&format!("warning: {text}"));
        }
    }

    /// Extra detail on stderr with `-v`.
    pub fn detail(&self, text: &str) {
        if self.verbose {
            stderr_line(text);
        }
    }

    pub fn paint(&self, text: &str, color: Color) -> String {
        if self.stdout_color {
            format!("\x1b[{}m{text}\x1b[0m", color as u8)
        } else {
            text.to_string()
        }
    }

    /// A table sized to the terminal when there is one.
    pub fn table(&self, header: &[&str], rows: Vec<Vec<String>>) -> String {
        let mut table = Table::new();
        table
            .load_style(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(header.to_vec());
        for row in rows {
            table.add_row(row);
        }
        table.to_string()
    }
}

/// Spinners on stderr, one per target while it waits to retry; only on a terminal, never
/// with `-q` or `--json`.
pub struct Progress {
    bars: Option<indicatif::MultiProgress>,
    waiting: std::cell::RefCell<Vec<(String, indicatif::ProgressBar)>>,
}

impl Progress {
    pub fn new(output: &Output) -> Progress {
        Progress {
            bars: output.stderr_progress.then(indicatif::MultiProgress::new),
            waiting: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// `hook: retrying in 4s — attempt 2/5, HTTP 503`, with a spinner until the attempt ends.
    pub fn waiting(
        &self,
        webhook: &str,
        wait: Duration,
        next_attempt: u32,
        max_attempts: u32,
        reason: &str,
    ) {
        let Some(bars) = &self.bars else { return };
        let message = format!(
            "{webhook}: retrying in {} — attempt {next_attempt}/{max_attempts}, {reason}",
            format_short(wait)
        );
        let mut waiting = self.waiting.borrow_mut();
        match waiting.iter().find(|(name, _)| name == webhook) {
            Some((_, bar)) => bar.set_message(message),
            None => {
                let bar = bars.add(indicatif::ProgressBar::new_spinner());
                bar.set_style(
                    indicatif::ProgressStyle::with_template("{spinner} {msg}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
                );
                bar.set_message(message);
                bar.enable_steady_tick(Duration::from_millis(100));
                waiting.push((webhook.to_string(), bar));
            }
        }
    }

    /// The target's attempt is over: its spinner goes.
    pub fn done(&self, webhook: &str) {
        let mut waiting = self.waiting.borrow_mut();
        if let Some(position) = waiting.iter().position(|(name, _)| name == webhook) {
            let (_, bar) = waiting.remove(position);
            bar.finish_and_clear();
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Color {
    Red = 31,
    Green = 32,
    Yellow = 33,
}

/// A line on stderr; a closed stderr is ignored rather than a panic (as `eprintln!` would).
pub fn stderr_line(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// Treats a closed stdout (`staxhook log | head`) as a normal end, not an error.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
