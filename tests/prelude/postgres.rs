//! The throw-away PostgreSQL server the integration tests share (one per test binary, a fresh
//! database per test), and the `--history` URL of a database on it. The server code is the
//! library's own test server, compiled here from the same file.

#[path = "../../src/history/postgres/test_server.rs"]
mod test_server;

pub use test_server::{shared as postgres_server, PostgresServer, ADMIN as POSTGRES_ADMIN};

/// A fresh database on the shared server: its name and its `--history` URL.
pub fn postgres_database() -> (String, String) {
    let server = postgres_server();
    let database = server.create_database();
    let url = server.url(&database);
    (database, url)
}
