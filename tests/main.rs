//! The one integration-test binary: every module below runs the real `staxhook` binary (or its
//! library) in an isolated environment, sharing the support code in `prelude`.

mod prelude;

mod channel_snapshots;
mod channels_cli;
mod cli_experience;
mod emit_delivery;
mod epss_cli;
mod history_cli;
mod history_filters;
mod history_privacy;
mod incidents;
mod listen_cli;
mod postgres_cli;
mod reliability;
mod report_stdin;
mod reports_cli;
mod retries;
mod test_server_selftest;
mod url_recognition;
mod verify_cli;
mod webhook_cli;
