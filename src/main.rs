//! The `staxhook` binary: parse the command line, run it, print any error, exit.

use std::process::ExitCode;

use staxhook::error;

fn main() -> ExitCode {
    let cli = staxhook::cli::parse();
    match staxhook::cli::run(cli) {
        Ok(completion) => ExitCode::from(completion.exit_code()),
        // `staxhook log | head`: a closed stdout is a normal end.
        Err(problem) if staxhook::output::is_broken_pipe(&problem) => ExitCode::SUCCESS,
        Err(problem) => {
            staxhook::output::stderr_line(&format!("error: {}", error::message(&problem)));
            ExitCode::from(error::exit_code(&problem))
        }
    }
}
