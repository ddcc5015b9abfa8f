//! Shared support code for the integration tests: an isolated environment per test, running
//! the real binary, config builders, and loopback HTTP and HTTPS servers.
#![allow(dead_code)]

pub mod config;
pub mod environment;
pub mod run;
pub mod server;
pub mod tls;
