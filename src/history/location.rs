//! Where a history lives: a SQLite file, or a PostgreSQL database named by a `postgres://`
//! URL (docs/reference.md §10). The text from `--history`, `STAXHOOK_HISTORY` or
//! `[defaults] history` is parsed once, up front, into a [`HistoryLocation`]; a malformed URL
//! is an input error there, before anything is sent. The password never leaves a
//! [`Secret`]: what is shown anywhere is [`HistoryLocation::display`], which masks it.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::names::{self, Named};
use crate::redact::Secret;

/// How long connecting may take when the URL gives no `connect_timeout`.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The port when the URL names none, as libpq has it.
pub const DEFAULT_PORT: u16 = 5432;

/// The URL query parameters understood; anything else is refused so a typo is not ignored.
const PARAMETERS: [&str; 7] = [
    "sslmode",
    "sslrootcert",
    "connect_timeout",
    "application_name",
    "host",
    "port",
    "user",
];

const HOST_REQUIRED: &str =
    "a host is required after `@` (postgres://USER:PASSWORD@HOST:PORT/DATABASE); \
     for a server's Unix socket: postgres:///DATABASE?user=USER&host=/var/run/postgresql";

/// Where a URL without a host looks for the server's socket, as libpq builds do: Debian's,
/// Ubuntu's and Fedora's folder, then PostgreSQL's own default.
const SOCKET_FOLDERS: [&str; 2] = ["/var/run/postgresql", "/tmp"];

/// A history: a SQLite file, or a PostgreSQL database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryLocation {
    File(PathBuf),
    Postgres(PostgresUrl),
}

impl HistoryLocation {
    /// `postgres://…` and `postgresql://…` are PostgreSQL URLs; anything else (including a
    /// path that is not UTF-8) stays a path to a SQLite file. `environment` supplies
    /// `PGPASSWORD` when the URL carries no password.
    pub fn parse(
        text: &OsStr,
        environment: &dyn Fn(&str) -> Option<String>,
    ) -> Result<HistoryLocation, LocationError> {
        match text.to_str() {
            Some(text) if scheme_of(text).is_some() => {
                PostgresUrl::parse(text, environment).map(HistoryLocation::Postgres)
            }
            _ => Ok(HistoryLocation::File(PathBuf::from(text))),
        }
    }

    /// How the history is shown: the path, or the URL with its password as `***`.
    pub fn display(&self) -> String {
        match self {
            HistoryLocation::File(path) => path.display().to_string(),
            HistoryLocation::Postgres(url) => url.masked(),
        }
    }

    /// The file of a SQLite history.
    pub fn file(&self) -> Option<&Path> {
        match self {
            HistoryLocation::File(path) => Some(path),
            HistoryLocation::Postgres(_) => None,
        }
    }
}

impl From<PathBuf> for HistoryLocation {
    fn from(path: PathBuf) -> HistoryLocation {
        HistoryLocation::File(path)
    }
}

impl From<&PathBuf> for HistoryLocation {
    fn from(path: &PathBuf) -> HistoryLocation {
        HistoryLocation::File(path.clone())
    }
}

impl From<&HistoryLocation> for HistoryLocation {
    fn from(location: &HistoryLocation) -> HistoryLocation {
        location.clone()
    }
}

impl From<&Path> for HistoryLocation {
    fn from(path: &Path) -> HistoryLocation {
        HistoryLocation::File(path.to_path_buf())
    }
}

/// `sslmode`, with libpq's meanings (see docs/reference.md §10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Plain TCP only.
    Disable,
    /// TLS when the server offers it, else plain; the certificate is not checked.
    Prefer,
    /// TLS or fail; the certificate is not checked unless `sslrootcert` is given.
    Require,
    /// TLS with a certificate issued by a trusted root; any host name.
    VerifyCa,
    /// TLS with a trusted certificate for this host name.
    VerifyFull,
}

impl Named for SslMode {
    const KIND: &'static str = "sslmode";

    fn all() -> &'static [SslMode] {
        &[
            SslMode::Disable,
            SslMode::Prefer,
            SslMode::Require,
            SslMode::VerifyCa,
            SslMode::VerifyFull,
        ]
    }

    fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// A parsed `postgres://` URL. `Debug` shows the password as `[redacted]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostgresUrl {
    /// `postgres` or `postgresql`, as written.
    pub scheme: String,
    pub user: String,
    /// From the URL, else from `PGPASSWORD`.
    pub password: Option<Secret>,
    /// Whether the URL itself carried the password (then the shown form has `:***`).
    pub password_in_url: bool,
    /// A name or an IP address (IPv6 without brackets), or, starting with `/`, the folder
    /// holding the server's Unix socket (as libpq reads a host).
    pub host: String,
    pub port: u16,
    pub database: String,
    pub ssl_mode: SslMode,
    pub ssl_root_certificate: Option<PathBuf>,
    pub connect_timeout: Duration,
    pub application_name: Option<String>,
}

impl PostgresUrl {
    fn parse(
        text: &str,
        environment: &dyn Fn(&str) -> Option<String>,
    ) -> Result<PostgresUrl, LocationError> {
        let scheme = scheme_of(text).unwrap_or("postgres").to_string();
        // Until the URL is parsed it cannot be shown masked, so errors before that point
        // name only the scheme.
        let unparsed = format!("{scheme}://…");
        let url = url::Url::parse(text).map_err(|error| LocationError {
            shown: unparsed.clone(),
            reason: match error {
                url::ParseError::EmptyHost => HOST_REQUIRED.to_string(),
                other => other.to_string(),
            },
        })?;
        let mut parsed = PostgresUrl {
            scheme,
            user: decode(url.username(), &unparsed, "the user name")?.into_owned(),
            password: None,
            password_in_url: false,
            host: String::new(),
            port: url.port().unwrap_or(DEFAULT_PORT),
            database: String::new(),
            ssl_mode: SslMode::Prefer,
            ssl_root_certificate: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            application_name: None,
        };
        if let Some(password) = url.password() {
            parsed.password = Some(Secret::new(
                decode(password, &unparsed, "the password")?.into_owned(),
            ));
            parsed.password_in_url = true;
        }
        parsed.host = match url.host() {
            Some(url::Host::Domain(name)) => decode(name, &unparsed, "the host")?.into_owned(),
            Some(url::Host::Ipv4(address)) => address.to_string(),
            Some(url::Host::Ipv6(address)) => address.to_string(),
            None => String::new(),
        };
        // libpq's `host`, `port` and `user` parameters win over the URL's parts; a host starting
        // with `/` (here, or percent-encoded in the URL: `%2Fvar%2Frun%2Fpostgresql`) is the
        // folder of the server's Unix socket, and no host at all (`postgres:///db`) means the
        // socket in the usual folder.
        let parameter = |wanted: &str| {
            url.query_pairs()
                .find(|(name, _)| name == wanted)
                .map(|(_, value)| value.into_owned())
        };
        if let Some(host) = parameter("host") {
            parsed.host = host;
        }
        if let Some(user) = parameter("user") {
            parsed.user = user;
        }
        // A bad `port` is reported below, once the URL can be shown masked.
        let mut bad_port = None;
        if let Some(port) = parameter("port") {
            match port.trim().parse::<u16>() {
                Ok(number) if number > 0 => parsed.port = number,
                _ => bad_port = Some(port),
            }
        }
        if parsed.host.is_empty() {
            parsed.host = default_socket_folder(parsed.port);
        }
        if parsed.user.is_empty() && parsed.uses_socket() {
            // Over a socket the server can tell who connects (peer authentication), so libpq's
            // default, the name of the user running the program, is the likely role.
            parsed.user = environment("USER")
                .or_else(|| environment("LOGNAME"))
                .unwrap_or_default();
        }
        let path = url.path().strip_prefix('/').unwrap_or(url.path());
        parsed.database = decode(path, &unparsed, "the database name")?.into_owned();
        // From here on the URL can be shown with its password masked.
        let shown = parsed.masked();
        let problem = |reason: String| LocationError {
            shown: shown.clone(),
            reason,
        };
        if let Some(port) = bad_port {
            return Err(problem(format!("port `{port}` is not a port number")));
        }
        if parsed.host.contains(',') {
            return Err(problem("only one host is supported".into()));
        }
        if parsed.host.contains('/') && !parsed.uses_socket() {
            return Err(problem(format!(
                "the socket folder `{}` must be an absolute path",
                parsed.host
            )));
        }
        if parsed.user.is_empty() {
            return Err(problem(
                if parsed.uses_socket() {
                    "a user name is required (postgres:///DATABASE?user=USER; over a socket it \
                     defaults to $USER, which is not set)"
                } else {
                    "a user name is required (postgres://USER@HOST/DATABASE)"
                }
                .into(),
            ));
        }
        if parsed.database.is_empty() {
            // libpq's default: a database named after the user.
            parsed.database = parsed.user.clone();
        }
        if parsed.database.contains('/') {
            return Err(problem(format!(
                "`{}` is not a database name",
                parsed.database
            )));
        }
        if url.fragment().is_some() {
            return Err(problem("a URL fragment (#…) is not allowed".into()));
        }
        for (name, value) in url.query_pairs() {
            match name.as_ref() {
                "sslmode" => {
                    parsed.ssl_mode =
                        names::parse(&value).map_err(|error| problem(error.to_string()))?;
                }
                "sslrootcert" if !value.is_empty() => {
                    parsed.ssl_root_certificate = Some(PathBuf::from(value.as_ref()));
                }
                "connect_timeout" => {
                    parsed.connect_timeout = match value.trim().parse::<u64>() {
                        Ok(seconds) if seconds > 0 => Duration::from_secs(seconds),
                        _ => {
                            return Err(problem(format!(
                                "connect_timeout `{value}` is not a whole number of seconds above 0"
                            )))
                        }
                    };
                }
                "application_name" => parsed.application_name = Some(value.into_owned()),
                "host" | "port" | "user" => {}
                other => {
                    return Err(problem(format!(
                        "unknown parameter `{other}`: {}",
                        names::choices_hint(other, PARAMETERS)
                    )))
                }
            }
        }
        if parsed.uses_socket()
            && matches!(
                parsed.ssl_mode,
                SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull
            )
        {
            return Err(problem(format!(
                "sslmode={}: a Unix socket is never encrypted (PostgreSQL offers TLS over TCP only)",
                parsed.ssl_mode.name()
            )));
        }
        if parsed.password.is_none() {
            parsed.password = environment("PGPASSWORD")
                .filter(|password| !password.is_empty())
                .map(Secret::new);
        }
        Ok(parsed)
    }

    /// Whether the server is reached through its Unix socket (in the folder `host`).
    pub fn uses_socket(&self) -> bool {
        self.host.starts_with('/')
    }

    /// `postgres://user:***@host:5432/db`: never the password, nor the query parameters. A
    /// socket folder is shown percent-encoded, as a libpq URL would hold it.
    pub fn masked(&self) -> String {
        let host = if self.uses_socket() {
            percent_encoded(&self.host)
        } else if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!(
            "{}://{}{}@{host}:{}/{}",
            self.scheme,
            self.user,
            if self.password_in_url { ":***" } else { "" },
            self.port,
            self.database
        )
    }
}

/// A `--history` value (or config value) that is not a usable PostgreSQL URL. The message
/// shows the URL masked, or only its scheme when it could not be parsed at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{shown}` is not a usable PostgreSQL URL: {reason}")]
pub struct LocationError {
    shown: String,
    reason: String,
}

/// The PostgreSQL scheme `text` starts with (any letter case), if any.
fn scheme_of(text: &str) -> Option<&str> {
    ["postgresql://", "postgres://"].iter().find_map(|scheme| {
        text.get(..scheme.len())
            .filter(|start| start.eq_ignore_ascii_case(scheme))
            .map(|_| &scheme[..scheme.len() - 3])
    })
}

/// The first of [`SOCKET_FOLDERS`] holding a socket for `port`, else the first of them (so
/// that the error names where the socket was looked for). A look at two paths, the only
/// file-system work in reading a URL; nothing is connected to until the history is opened.
fn default_socket_folder(port: u16) -> String {
    SOCKET_FOLDERS
        .iter()
        .find(|folder| Path::new(folder).join(format!(".s.PGSQL.{port}")).exists())
        .unwrap_or(&SOCKET_FOLDERS[0])
        .to_string()
}

/// Every byte but letters, digits and `-._~` as `%XX`, so a socket folder fits in a URL's host.
fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(byte).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Percent-decoding of one URL part; the result must be UTF-8.
fn decode<'a>(text: &'a str, shown: &str, what: &str) -> Result<Cow<'a, str>, LocationError> {
    if !text.contains('%') {
        return Ok(Cow::Borrowed(text));
    }
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let pair = text
                .get(index + 1..index + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok());
            if let Some(byte) = pair {
                decoded.push(byte);
                index += 3;
                continue;
            }
        }
        decoded.push(bytes[index]);
        index += 1;
    }
    String::from_utf8(decoded)
        .map(Cow::Owned)
        .map_err(|_| LocationError {
            shown: shown.to_string(),
            reason: format!("{what} is not UTF-8 once decoded"),
        })
}

impl fmt::Display for HistoryLocation {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_environment(_: &str) -> Option<String> {
        None
    }

    fn parse(text: &str) -> Result<HistoryLocation, LocationError> {
        HistoryLocation::parse(OsStr::new(text), &no_environment)
    }

    fn postgres(text: &str) -> PostgresUrl {
        match parse(text) {
            Ok(HistoryLocation::Postgres(url)) => url,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn anything_but_a_postgres_url_is_a_file() {
        for text in [
            "history.db",
            "/var/lib/staxhook/history.db",
            "postgres.db",
            "postgres:/x",
            "file://x",
            "",
        ] {
            assert_eq!(
                parse(text).unwrap(),
                HistoryLocation::File(PathBuf::from(text)),
                "{text}"
            );
        }
    }

    #[test]
    fn every_part_of_a_url_is_read() {
        let url = postgres(
            "postgresql://ci%40corp:p%40ss%3Aw0rd@db.example.com:6543/sta%20x?sslmode=verify-full\
             &sslrootcert=/etc/ca.pem&connect_timeout=3&application_name=runner-7",
        );
        assert_eq!(url.scheme, "postgresql");
        assert_eq!(url.user, "ci@corp");
        assert_eq!(url.password.as_ref().unwrap().expose(), "p@ss:w0rd");
        assert_eq!(url.host, "db.example.com");
        assert_eq!(url.port, 6543);
        assert_eq!(url.database, "sta x");
        assert_eq!(url.ssl_mode, SslMode::VerifyFull);
        assert_eq!(url.ssl_root_certificate, Some(PathBuf::from("/etc/ca.pem")));
        assert_eq!(url.connect_timeout, Duration::from_secs(3));
        assert_eq!(url.application_name.as_deref(), Some("runner-7"));
        assert_eq!(
            url.masked(),
            "postgresql://ci@corp:***@db.example.com:6543/sta x"
        );
        assert!(!format!("{url:?}").contains("w0rd"));
    }

    #[test]
    fn defaults_follow_libpq() {
        let url = postgres("postgres://alice@127.0.0.1");
        assert_eq!(url.port, DEFAULT_PORT);
        assert_eq!(url.database, "alice");
        assert_eq!(url.ssl_mode, SslMode::Prefer);
        assert_eq!(url.connect_timeout, DEFAULT_CONNECT_TIMEOUT);
        assert!(url.password.is_none());
        assert_eq!(url.masked(), "postgres://alice@127.0.0.1:5432/alice");
        let ipv6 = postgres("postgres://alice@[::1]:7/db");
        assert_eq!(ipv6.host, "::1");
        assert_eq!(ipv6.masked(), "postgres://alice@[::1]:7/db");
    }

    #[test]
    fn a_host_starting_with_a_slash_is_the_folder_of_a_unix_socket() {
        let encoded = postgres("postgresql://alice:pw@%2Fvar%2Frun%2Fpostgresql:5433/history");
        assert_eq!(encoded.host, "/var/run/postgresql");
        assert!(encoded.uses_socket());
        assert_eq!(encoded.port, 5433);
        assert_eq!(
            encoded.masked(),
            "postgresql://alice:***@%2Fvar%2Frun%2Fpostgresql:5433/history"
        );
        // libpq's `host` parameter wins over the URL's host, which may then be left out.
        for text in [
            "postgres://alice@localhost/history?host=/tmp/pg%20sockets",
            "postgres://alice@localhost/history?host=%2Ftmp%2Fpg%20sockets",
        ] {
            let url = postgres(text);
            assert_eq!(url.host, "/tmp/pg sockets", "{text}");
            assert_eq!(
                url.masked(),
                "postgres://alice@%2Ftmp%2Fpg%20sockets:5432/history"
            );
            // The shown form reads back as the same place.
            assert_eq!(postgres(&url.masked()).host, url.host);
        }
        let parameters = postgres("postgres:///history?host=/tmp/pg&port=5433&user=bob");
        assert_eq!(
            (
                parameters.host.as_str(),
                parameters.port,
                parameters.user.as_str()
            ),
            ("/tmp/pg", 5433, "bob")
        );
        let named = postgres("postgres://alice@%2Frun/history?host=db.internal&sslmode=require");
        assert_eq!(named.host, "db.internal");
        assert!(!named.uses_socket());
        assert!(!postgres("postgres://alice@localhost/db").uses_socket());
    }

    #[test]
    fn without_a_host_the_socket_is_looked_for_where_libpq_builds_put_it() {
        let environment = |name: &str| (name == "USER").then(|| "ci".to_string());
        let Ok(HistoryLocation::Postgres(url)) =
            HistoryLocation::parse(OsStr::new("postgresql:///history"), &environment)
        else {
            panic!("not parsed");
        };
        assert!(SOCKET_FOLDERS.contains(&url.host.as_str()), "{}", url.host);
        // The user running staxhook, as peer authentication will see it.
        assert_eq!(url.user, "ci");
        assert_eq!(url.database, "history");
        // Over TCP the user must be named: a CI runner's account is rarely a database role.
        let error =
            HistoryLocation::parse(OsStr::new("postgresql://db.internal/history"), &environment)
                .unwrap_err();
        assert!(
            error.to_string().contains("a user name is required"),
            "{error}"
        );
        // Over a socket with no USER either, the message says how to name one.
        let error = parse("postgres:///history").unwrap_err();
        assert!(
            error.to_string().ends_with(
                "a user name is required (postgres:///DATABASE?user=USER; over a socket it \
                 defaults to $USER, which is not set)"
            ),
            "{error}"
        );
    }

    #[test]
    fn the_password_may_come_from_pgpassword() {
        let environment = |name: &str| (name == "PGPASSWORD").then(|| "from-env".to_string());
        let Ok(HistoryLocation::Postgres(url)) =
            HistoryLocation::parse(OsStr::new("postgres://bob@h/db"), &environment)
        else {
            panic!("not parsed");
        };
        assert_eq!(url.password.as_ref().unwrap().expose(), "from-env");
        assert_eq!(url.masked(), "postgres://bob@h:5432/db");
        // A password in the URL wins.
        let Ok(HistoryLocation::Postgres(url)) =
            HistoryLocation::parse(OsStr::new("postgres://bob:inline@h/db"), &environment)
        else {
            panic!("not parsed");
        };
        assert_eq!(url.password.as_ref().unwrap().expose(), "inline");
    }

    #[test]
    fn malformed_urls_are_refused_without_showing_the_password() {
        let cases = [
            ("postgres://u:hunter2@h:99999/db", "`postgres://…` is not a usable PostgreSQL URL: invalid port number"),
            ("postgres://u:hunter2@/db", "`postgres://…` is not a usable PostgreSQL URL: a host is required after `@` (postgres://USER:PASSWORD@HOST:PORT/DATABASE); for a server's Unix socket: postgres:///DATABASE?user=USER&host=/var/run/postgresql"),
            ("postgres://u:hunter2@h/db?port=http", "`postgres://u:***@h:5432/db` is not a usable PostgreSQL URL: port `http` is not a port number"),
            ("postgres://u:hunter2@h/db?host=run/pg", "`postgres://u:***@run/pg:5432/db` is not a usable PostgreSQL URL: the socket folder `run/pg` must be an absolute path"),
            ("postgres://u:hunter2@%2Frun%2Fpg/db?sslmode=verify-full", "`postgres://u:***@%2Frun%2Fpg:5432/db` is not a usable PostgreSQL URL: sslmode=verify-full: a Unix socket is never encrypted (PostgreSQL offers TLS over TCP only)"),
            ("postgres://:hunter2@h/db", "`postgres://:***@h:5432/db` is not a usable PostgreSQL URL: a user name is required (postgres://USER@HOST/DATABASE)"),
            ("postgres://u:hunter2@h/db?sslmode=requre", "`postgres://u:***@h:5432/db` is not a usable PostgreSQL URL: unknown sslmode `requre`: did you mean `require`? (valid: disable, prefer, require, verify-ca, verify-full)"),
            ("postgres://u:hunter2@h/db?sslmod=require", "`postgres://u:***@h:5432/db` is not a usable PostgreSQL URL: unknown parameter `sslmod`: did you mean `sslmode`? (valid: sslmode, sslrootcert, connect_timeout, application_name, host, port, user)"),
            ("postgres://u:hunter2@h/db?connect_timeout=soon", "`postgres://u:***@h:5432/db` is not a usable PostgreSQL URL: connect_timeout `soon` is not a whole number of seconds above 0"),
            ("postgres://u:hunter2@h/a/b", "`postgres://u:***@h:5432/a/b` is not a usable PostgreSQL URL: `a/b` is not a database name"),
        ];
        for (text, expected) in cases {
            let error = parse(text).unwrap_err();
            assert_eq!(error.to_string(), expected, "{text}");
            assert!(!error.to_string().contains("hunter2"));
        }
    }

    #[test]
    fn the_scheme_is_recognised_in_any_case() {
        assert!(matches!(
            parse("POSTGRES://u@h/db").unwrap(),
            HistoryLocation::Postgres(_)
        ));
    }
}
