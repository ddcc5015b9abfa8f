//! A throw-away PostgreSQL server for tests: `initdb` into a temporary folder, `pg_ctl start`
//! on a free loopback port with password (SCRAM) authentication, so a wrong password is
//! really refused. The unit tests (`src/history`) and the integration tests (`tests/`, which
//! include this file by path) share it; it uses only std, so it compiles in either crate.
//!
//! One server per test binary ([`shared`], started on first use) with a fresh database per
//! test ([`PostgresServer::create_database`]); tests that stop the server get their own
//! ([`PostgresServer::start`]). A watchdog process stops each server and deletes its folder
//! when the test binary exits, however it exits. PostgreSQL refuses to run as root, so as
//! root (CI) the server runs as the `postgres` system user. Missing binaries make the test
//! fail with a message saying what to install: a skipped test would hide a broken backend.
#![allow(dead_code)]

use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The superuser every test server is created with.
pub const ADMIN: &str = "staxhook_admin";

/// A running server. Dropping one made by [`PostgresServer::start`] stops it.
pub struct PostgresServer {
    pub port: u16,
    /// The superuser's password: tests grep output for it.
    pub password: String,
    binaries: PathBuf,
    folder: PathBuf,
    /// `Some((uid, gid))` of the `postgres` user when running as root.
    run_as: Option<(u32, u32)>,
    /// Extra server options (`-c name=value …`).
    options: String,
}

/// The server this test binary shares, started on first use.
pub fn shared() -> &'static PostgresServer {
    static SERVER: OnceLock<PostgresServer> = OnceLock::new();
    SERVER.get_or_init(PostgresServer::start)
}

/// Where `initdb` and `pg_ctl` are: `pg_config --bindir`, else the newest
/// `/usr/lib/postgresql/*/bin`.
fn binaries() -> PathBuf {
    let has_initdb =
        |folder: &Path| folder.join("initdb").is_file() && folder.join("pg_ctl").is_file();
    if let Ok(output) = Command::new("pg_config").arg("--bindir").output() {
        let folder = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if output.status.success() && has_initdb(&folder) {
            return folder;
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            let folder = entry.path().join("bin");
            has_initdb(&folder).then_some((version, folder))
        })
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, folder)) => folder,
        None => panic!(
            "the PostgreSQL tests need the PostgreSQL server binaries (initdb, pg_ctl), found \
             neither through `pg_config --bindir` nor in /usr/lib/postgresql/*/bin: install them \
             (Debian: `apt-get install postgresql`; .ci/run does this)"
        ),
    }
}

/// The `postgres` user's ids when this process runs as root, which PostgreSQL refuses.
fn run_as() -> Option<(u32, u32)> {
    let me = std::fs::metadata("/proc/self")
        .map(|meta| meta.uid())
        .unwrap_or(1);
    if me != 0 {
        return None;
    }
    let id = |flag: &str| -> u32 {
        let output = Command::new("id")
            .args([flag, "postgres"])
            .output()
            .expect("run `id`");
        assert!(
            output.status.success(),
            "running as root, the PostgreSQL tests need the `postgres` system user (the Debian \
             package `postgresql` creates it): {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .expect("a numeric id")
    };
    Some((id("-u"), id("-g")))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

/// A name no other test in this process (or another process) has used.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

impl PostgresServer {
    /// Creates and starts a new server of its own.
    pub fn start() -> PostgresServer {
        PostgresServer::start_with(&[], "")
    }

    /// Like [`PostgresServer::start`], with `files` (name, contents) written into the
    /// server's folder first (mode 0600, owned by the server's user: a TLS key, say) and
    /// `options` added to its command line (`-c ssl=on …`).
    pub fn start_with(files: &[(&str, &[u8])], options: &str) -> PostgresServer {
        let binaries = binaries();
        let run_as = run_as();
        let folder = tempfile::Builder::new()
            .prefix("staxhook-postgres-")
            .tempdir()
            .expect("a temporary folder")
            .keep();
        let password = format!("pw-{}", unique_name("secret").replace('_', "-"));
        std::fs::write(folder.join("password"), &password).expect("write the password file");
        if let Some((uid, gid)) = run_as {
            for path in [folder.clone(), folder.join("password")] {
                std::os::unix::fs::chown(&path, Some(uid), Some(gid))
                    .expect("give the folder to the postgres user");
            }
        }
        for (name, contents) in files {
            let path = folder.join(name);
            std::fs::write(&path, contents).expect("write a server file");
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .expect("make a server file private");
            if let Some((uid, gid)) = run_as {
                std::os::unix::fs::chown(&path, Some(uid), Some(gid))
                    .expect("give a server file to the postgres user");
            }
        }
        let server = PostgresServer {
            port: 0,
            password,
            binaries,
            folder,
            run_as,
            options: options.to_string(),
        };
        let data = server.folder.join("data");
        let password_file = server.folder.join("password");
        let mut initdb = server.command("initdb");
        initdb
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                ADMIN,
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .arg(format!("--pwfile={}", password_file.display()));
        run(&mut initdb, "initdb");
        server.watch();
        let mut server = server;
        // The port was free a moment ago; another process may have taken it since.
        let mut last = String::new();
        for _ in 0..5 {
            server.port = free_port();
            match server.try_start() {
                Ok(()) => return server,
                Err(problem) => last = problem,
            }
        }
        panic!("the test PostgreSQL server did not start: {last}");
    }

    /// A command for one of the server binaries, run as the `postgres` user when root.
    fn command(&self, program: &str) -> Command {
        let path = self.binaries.join(program);
        let mut command = match self.run_as {
            Some((uid, gid)) => {
                let mut command = Command::new(&path);
                command.uid(uid).gid(gid).env("HOME", &self.folder);
                command
            }
            None => Command::new(&path),
        };
        command.current_dir(&self.folder).stdin(Stdio::null());
        command
    }

    fn try_start(&self) -> Result<(), String> {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=200 -c shared_buffers=32MB {}",
            self.port,
            self.folder.display(),
            self.options
        );
        let output = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.folder.join("data"))
            .arg("-l")
            .arg(self.folder.join("log"))
            .args(["-w", "-t", "60", "-o", &options, "start"])
            .stdout(Stdio::null())
            .output()
            .map_err(|error| error.to_string())?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{}; log: {}",
                String::from_utf8_lossy(&output.stderr),
                std::fs::read_to_string(self.folder.join("log")).unwrap_or_default()
            ))
        }
    }

    /// Starts the server again after [`PostgresServer::stop`], on the same port.
    pub fn restart(&self) {
        if let Err(problem) = self.try_start() {
            panic!("restarting the test PostgreSQL server: {problem}");
        }
    }

    /// Stops the server (`-m fast`: sessions are ended at once, committed data kept, as
    /// when an administrator stops it; `immediate` would lose what `fsync=off` left unwritten).
    pub fn stop(&self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.folder.join("data"))
            .args(["-m", "fast", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    /// A process that waits for this test binary to exit, then stops the server and deletes
    /// its folder. In its own process group, so Ctrl-C on the test run reaches it only after
    /// the test binary is gone.
    fn watch(&self) {
        let pg_ctl = self.binaries.join("pg_ctl");
        let stop = match self.run_as {
            Some(_) => format!(
                "runuser -u postgres -- '{}' -D '{}/data' -m immediate stop",
                pg_ctl.display(),
                self.folder.display()
            ),
            None => format!(
                "'{}' -D '{}/data' -m immediate stop",
                pg_ctl.display(),
                self.folder.display()
            ),
        };
        let script = format!(
            "while kill -0 {} 2>/dev/null; do sleep 1; done; {stop}; rm -rf '{}'",
            std::process::id(),
            self.folder.display()
        );
        let _ = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn();
    }

    /// The server's own folder (its files from [`PostgresServer::start_with`] are there).
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// `postgres://staxhook_admin:PASSWORD@127.0.0.1:PORT/DATABASE?sslmode=disable`.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{ADMIN}:{}@127.0.0.1:{}/{database}?sslmode=disable",
            self.password, self.port
        )
    }

    /// The URL of `database` through the server's Unix socket (its folder percent-encoded as
    /// the host, as libpq writes it), with the password.
    pub fn socket_url(&self, database: &str) -> String {
        let folder: String = self
            .folder
            .display()
            .to_string()
            .bytes()
            .map(|byte| match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    char::from(byte).to_string()
                }
                other => format!("%{other:02X}"),
            })
            .collect();
        format!(
            "postgres://{ADMIN}:{}@{folder}:{}/{database}",
            self.password, self.port
        )
    }

    /// The URL without its query, as staxhook shows it (password masked).
    pub fn masked_url(&self, database: &str) -> String {
        format!("postgres://{ADMIN}:***@127.0.0.1:{}/{database}", self.port)
    }

    /// A new empty database; returns its name.
    pub fn create_database(&self) -> String {
        let name = unique_name("t");
        self.sql("postgres", &format!("CREATE DATABASE {name}"));
        name
    }

    /// Runs SQL with `psql` as the superuser and returns its unaligned, tuples-only output.
    pub fn sql(&self, database: &str, sql: &str) -> String {
        let output = Command::new(self.binaries.join("psql"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", ADMIN])
            .args([
                "-d",
                database,
                "-X",
                "-A",
                "-t",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ])
            .env("PGPASSWORD", &self.password)
            .stdin(Stdio::null())
            .output()
            .expect("run psql");
        assert!(
            output.status.success(),
            "psql -c {sql:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

fn run(command: &mut Command, what: &str) {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("{what}: {error}"));
    assert!(
        output.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
