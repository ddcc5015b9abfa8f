//! staxhook: signed webhook notifications about software-composition-analysis events.
//!
//! The binary is a thin shell over this library so that integration tests and benchmarks
//! can reach the same parts.

pub mod channel;
pub mod cli;
pub mod commands;
pub mod config;
pub mod delivery;
pub mod dispatch;
pub mod download;
pub mod duration;
pub mod envelope;
pub mod epss;
pub mod error;
pub mod event;
pub mod history;
pub mod kev;
#[cfg_attr(not(test), allow(dead_code))]
mod layers;
pub mod names;
pub mod output;
pub mod payload;
pub mod policy;
pub mod redact;
pub mod repo;
pub mod report;
pub mod scan;
pub mod signing;
pub mod target;
pub mod version;
