//! Command outcomes and how they map to exit codes: 0 success, 1 a delivery failed or a
//! signature is invalid (or the work itself broke), 2 usage, config or input error, 3 a
//! `fail` policy violated with `emit --report`.

/// How a command that ran to the end came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    Success,
    /// A delivery failed after its retries, or a signature did not verify.
    Failed,
    /// `emit --report`: a `fail` policy was violated (the notifications went out).
    PolicyFailed,
}

impl Completion {
    pub fn exit_code(self) -> u8 {
        match self {
            Completion::Success => 0,
            Completion::Failed => 1,
            Completion::PolicyFailed => 3,
        }
    }
}

/// Errors are usage/config/input errors (exit 2) unless marked with [`failure`].
pub type CommandResult = anyhow::Result<Completion>;

/// Marks an error that happened while doing the work (e.g. the history could not be
/// written), rather than bad input.
#[derive(Debug, thiserror::Error)]
#[error("{0:#}")]
pub struct WorkFailed(anyhow::Error);

pub fn failure(error: impl Into<anyhow::Error>) -> anyhow::Error {
    anyhow::Error::new(WorkFailed(error.into()))
}

pub fn exit_code(error: &anyhow::Error) -> u8 {
    if error.chain().any(|cause| cause.is::<WorkFailed>()) {
        1
    } else {
        2
    }
}

/// One line: the causes joined, never a multi-line dump.
pub fn message(error: &anyhow::Error) -> String {
    format!("{error:#}").replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;

    #[test]
    fn exit_codes_follow_the_marker() {
        let usage = anyhow::anyhow!("bad flag");
        assert_eq!(exit_code(&usage), 2);
        let broken: anyhow::Result<()> =
            Err(failure(anyhow::anyhow!("disk full"))).context("writing history");
        let broken = broken.unwrap_err();
        assert_eq!(exit_code(&broken), 1);
        assert_eq!(message(&broken), "writing history: disk full");
        assert_eq!(message(&anyhow::anyhow!("two\nlines")), "two lines");
    }
}
