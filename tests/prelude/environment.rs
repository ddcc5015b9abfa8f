//! An isolated environment (temp dir, config/history paths, scrubbed env
//! vars) for running the real `staxhook` binary.

use std::path::{Path, PathBuf};

/// The `staxhook` binary cargo built for these tests.
pub const STAXHOOK_BINARY: &str = env!("CARGO_BIN_EXE_staxhook");

/// Environment variables removed from every command (exact names).
const REMOVED_VARS: &[&str] = &[
    // Repository auto-detection.
    "GITHUB_REPOSITORY",
    "CI_PROJECT_PATH",
    "BITBUCKET_REPO_FULL_NAME",
    "BUILD_REPOSITORY_NAME",
    // Colour control.
    "NO_COLOR",
    "CLICOLOR",
    "CLICOLOR_FORCE",
    "FORCE_COLOR",
    // A proxy would intercept requests meant for the local test server; the shell's
    // `no_proxy` would win over the `NO_PROXY` set below (lowercase first, as with curl), and
    // `REQUEST_METHOD` turns `HTTP_PROXY` off.
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "REQUEST_METHOD",
    // Which CAs are trusted: a test trusts its own CA only where it says so.
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    // Git discovery must not escape the temp dir.
    "GIT_DIR",
    "GIT_WORK_TREE",
    // Terminal size: clap lays out help and usage to COLUMNS, which would make the text the
    // tests compare depend on the shell they were started from.
    "COLUMNS",
    "LINES",
    // A PostgreSQL history's password comes from the test's own URL, never the shell's.
    "PGPASSWORD",
];

/// Environment variables removed from every command (name prefixes).
const REMOVED_PREFIXES: &[&str] = &["STAXHOOK_"];

pub struct TestEnv {
    pub dir: tempfile::TempDir,
}

impl Default for TestEnv {
    fn default() -> Self {
        Self::new()
    }
}

impl TestEnv {
    /// A fresh temp dir with `home/`, `xdg-config/` and `xdg-data/` inside.
    /// No config or history file exists yet.
    pub fn new() -> TestEnv {
        let dir = tempfile::Builder::new()
            .prefix("staxhook-test-")
            .tempdir()
            .expect("create temp dir");
        for sub in ["home", "xdg-config", "xdg-data"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("create dir in temp dir");
        }
        TestEnv { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `dir/config.toml` (also exported as `STAXHOOK_CONFIG`).
    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("config.toml")
    }

    /// `dir/history.db` (also exported as `STAXHOOK_HISTORY`).
    pub fn history_path(&self) -> PathBuf {
        self.dir.path().join("history.db")
    }

    pub fn home_dir(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn xdg_config_home(&self) -> PathBuf {
        self.dir.path().join("xdg-config")
    }

    pub fn xdg_data_home(&self) -> PathBuf {
        self.dir.path().join("xdg-data")
    }

    /// `text` with this environment's paths replaced by `<config>`, `<history>` and `<tmp>`,
    /// so that a message naming them reads the same in every run (for snapshots).
    pub fn redact_paths(&self, text: &str) -> String {
        text.replace(&self.config_path().display().to_string(), "<config>")
            .replace(&self.history_path().display().to_string(), "<history>")
            .replace(&self.path().display().to_string(), "<tmp>")
    }

    pub fn write_config(&self, text: &str) {
        let path = self.config_path();
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    pub fn read_config(&self) -> String {
        let path = self.config_path();
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    /// The real binary, isolated: repository/colour/proxy/`STAXHOOK_*` vars
    /// removed; `HOME`, `XDG_CONFIG_HOME`, `XDG_DATA_HOME` point into the temp
    /// dir; `STAXHOOK_CONFIG`/`STAXHOOK_HISTORY` point at `config_path()`/
    /// `history_path()`; the working directory is the temp dir (not a git
    /// repository; `GIT_CEILING_DIRECTORIES` stops discovery above it).
    /// Add `.env(..)` / `.env_remove(..)` afterwards to override.
    pub fn cmd(&self) -> assert_cmd::Command {
        assert_cmd::Command::from_std(self.std_command(STAXHOOK_BINARY))
    }

    /// A plain `std::process::Command` for `program` with the same isolation as
    /// [`TestEnv::cmd`], for spawning long-lived children (`staxhook listen`) or
    /// running the binary under another program (`script`, `sh`).
    pub fn std_command(&self, program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
        let mut cmd = std::process::Command::new(program);
        for name in REMOVED_VARS {
            cmd.env_remove(name);
        }
        for (name, _) in std::env::vars_os() {
            let name_text = name.to_string_lossy();
            if REMOVED_PREFIXES.iter().any(|p| name_text.starts_with(p)) {
                cmd.env_remove(&name);
            }
        }
        let ceiling = self.dir.path().parent().unwrap_or(self.dir.path());
        cmd.env("HOME", self.home_dir())
            .env("XDG_CONFIG_HOME", self.xdg_config_home())
            .env("XDG_DATA_HOME", self.xdg_data_home())
            .env("STAXHOOK_CONFIG", self.config_path())
            .env("STAXHOOK_HISTORY", self.history_path())
            .env("GIT_CEILING_DIRECTORIES", ceiling)
            .env("NO_PROXY", "127.0.0.1,localhost")
            .current_dir(self.dir.path());
        cmd
    }
}
