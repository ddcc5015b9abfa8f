//! `on_both_backends!`: one test body run once per history backend. The library's history
//! tests use it, and the integration tests include this file by path (as they do
//! `postgres/test_server.rs`), so both suites name their backend tests the same way.

/// Runs each named test body (a `fn(Backend)`) once on SQLite and once on PostgreSQL; the
/// module using it needs `Backend` in scope.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sqlite() {
                    super::$name(super::Backend::Sqlite);
                }

                #[test]
                fn postgres() {
                    super::$name(super::Backend::Postgres);
                }
            }
        )*
    };
}

pub(crate) use on_both_backends;
