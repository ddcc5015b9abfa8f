//! Running the real binary to completion and capturing what it did, plus writing the config
//! the way every test wants it (mode 0600).

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::environment::TestEnv;

/// How long [`run`] lets one command take before it is killed. Far above what any command
/// needs, even with many tests sharing two cores, so that only a hang trips it.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// How much later than planned anything may happen on a busy machine (two cores shared by
/// the tests running in parallel and another build): the margin a wall-clock upper bound adds
/// to what the configured timeouts allow. Tests keep a broken behaviour far beyond it (a hang,
/// a wait of `max_elapsed`) so the bound still tells it apart; lower bounds need no margin.
pub const BUSY_MACHINE_SLACK: Duration = Duration::from_secs(5);

/// What one run of the binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Wall time of the run.
    pub elapsed: Duration,
}

impl Run {
    /// From a finished process. Strict, so that no test reads a half-truth: a process ended by
    /// a signal (a crash, or killed at the timeout) and output that is not UTF-8 fail here.
    #[track_caller]
    pub fn from_output(output: Output, elapsed: Duration) -> Run {
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let Some(code) = output.status.code() else {
            panic!(
                "staxhook was ended by a signal ({}) after {elapsed:?} (the timeout is \
                 {RUN_TIMEOUT:?})\nstdout:\n{stdout}\nstderr:\n{stderr}",
                output.status
            );
        };
        assert!(
            std::str::from_utf8(&output.stdout).is_ok(),
            "stdout is not UTF-8: {stdout:?}"
        );
        assert!(
            std::str::from_utf8(&output.stderr).is_ok(),
            "stderr is not UTF-8: {stderr:?}"
        );
        Run {
            code,
            stdout,
            stderr,
            elapsed,
        }
    }

    /// stdout parsed as JSON; panics with stdout and stderr if it is not one JSON document.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON document ({e}):\n{}\nstderr:\n{}",
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

    /// Everything the user saw: stdout, then stderr.
    pub fn all_output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Asserts that stderr is exactly one line starting with `error: ` (a clear one-line
    /// error); returns it.
    #[track_caller]
    pub fn one_line_error(&self) -> &str {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "stderr should be exactly one line, got:\n{}",
            self.stderr
        );
        assert!(
            lines[0].starts_with("error: "),
            "stderr should start with `error: `: {}",
            self.stderr
        );
        lines[0]
    }

    /// A usage or config error: exit 2, nothing on stdout, and [`Run::one_line_error`]; returns
    /// the line.
    #[track_caller]
    pub fn expect_usage_error(&self) -> &str {
        self.expect_code(2);
        assert_eq!(self.stdout, "", "stdout must be empty on an error");
        self.one_line_error()
    }
}

/// Runs `cmd` with a [`RUN_TIMEOUT`] timeout and captures it.
#[track_caller]
pub fn run(cmd: &mut assert_cmd::Command) -> Run {
    run_with_timeout(cmd, RUN_TIMEOUT)
}

/// Like [`run`], with another timeout: a shorter one where the command must end at once and
/// a hang would only make the test wait.
#[track_caller]
pub fn run_with_timeout(cmd: &mut assert_cmd::Command, timeout: Duration) -> Run {
    let start = Instant::now();
    let output = cmd.timeout(timeout).output().expect("run staxhook");
    Run::from_output(output, start.elapsed())
}

/// `staxhook ARGS` in the test environment, via [`run`].
#[track_caller]
pub fn staxhook(env: &TestEnv, args: &[&str]) -> Run {
    run(env.cmd().args(args))
}

/// `staxhook --json ARGS`, expecting exit `code`; the parsed stdout.
#[track_caller]
pub fn staxhook_json(env: &TestEnv, code: i32, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let result = staxhook(env, &all);
    result.expect_code(code);
    result.json()
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

/// Runs `work(index)` for every index below `count`, all at once on their own threads, and
/// returns the results in index order: how the tests start many staxhook processes that share
/// one config or history.
pub fn in_parallel<T: Send>(count: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    std::thread::scope(|scope| {
        let work = &work;
        let handles: Vec<_> = (0..count)
            .map(|index| scope.spawn(move || work(index)))
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("worker thread"))
            .collect()
    })
}
