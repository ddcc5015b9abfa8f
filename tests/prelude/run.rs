//! Running the real binary to completion and capturing what it did, plus
//! writing the config the way every test wants it (mode 0600).
#![allow(dead_code)]

use std::path::Path;
use std::process::{ExitStatus, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::environment::TestEnv;

/// How long [`run`] lets one command take before it is killed.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(30);

/// What one run of the binary did.
pub struct Run {
    /// The exit code; `-1` when the process was ended by a signal (see `status`).
    pub code: i32,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    /// Wall time of the run (zero where it was not measured).
    pub elapsed: Duration,
}

impl Run {
    /// From a finished process; stdout and stderr decoded lossily.
    pub fn from_output(output: Output, elapsed: Duration) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            status: output.status,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            elapsed,
        }
    }

    /// stdout parsed as JSON; panics with stdout and stderr if it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// Asserts the exit code (showing stdout and stderr if it differs).
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "exit code; stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Runs `cmd` with a [`RUN_TIMEOUT`] timeout and captures it (output decoded lossily).
pub fn run(cmd: &mut assert_cmd::Command) -> Run {
    run_with_timeout(cmd, RUN_TIMEOUT)
}

/// `staxhook ARGS` in the test environment, via [`run`].
pub fn staxhook(env: &TestEnv, args: &[&str]) -> Run {
    run(env.cmd().args(args))
}

/// `staxhook --json ARGS`, expecting exit `code`; the parsed stdout.
pub fn staxhook_json(env: &TestEnv, code: i32, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let result = staxhook(env, &all);
    result.expect_code(code);
    result.json()
}

/// Like [`run`], with another timeout.
pub fn run_with_timeout(cmd: &mut assert_cmd::Command, timeout: Duration) -> Run {
    let start = Instant::now();
    let output = cmd.timeout(timeout).output().expect("run staxhook");
    Run::from_output(output, start.elapsed())
}

/// Runs `cmd` as it is (no timeout added) and captures it strictly: panics if the
/// process was ended by a signal or if stdout or stderr is not UTF-8.
pub fn run_strict(mut cmd: assert_cmd::Command) -> Run {
    let start = Instant::now();
    let output = cmd.output().expect("run staxhook");
    let elapsed = start.elapsed();
    Run {
        code: output.status.code().expect("staxhook exited by a signal"),
        status: output.status,
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        elapsed,
    }
}

/// Asserts the exit code of `run`, naming `what` in the message.
#[track_caller]
pub fn expect_code(run: &Run, code: i32, what: &str) {
    assert_eq!(
        run.code, code,
        "{what}: expected exit {code}, got {}\n--- stdout:\n{}\n--- stderr:\n{}",
        run.code, run.stdout, run.stderr
    );
}

/// Writes the config with mode 0600, so the "readable by others" warning (a literal
/// secret in a readable file) stays out of stderr.
pub fn write_private_config(env: &TestEnv, text: &str) {
    write_private_config_at(&env.config_path(), text);
}

/// Like [`write_private_config`], at any path.
pub fn write_private_config_at(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .unwrap_or_else(|e| panic!("chmod 600 {}: {e}", path.display()));
    }
}
