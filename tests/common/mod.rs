//! Shared support code for the integration tests (compiled into every test
//! binary that declares `mod common;`, hence the blanket `dead_code` allow).
#![allow(dead_code)]

pub mod config;
pub mod env;
pub mod run;
pub mod server;
pub mod tls;
