//! Delivering one request: the retry rules, the engine, and the HTTP transport.

pub mod engine;
pub mod http;
pub mod proxy;
pub mod retry;
pub mod trust;

pub use engine::{
    AttemptReport, AttemptResult, Clock, Engine, Observer, Outcome, Request, Response, Transport,
    TransportError, TransportErrorKind,
};
pub use retry::RetryPolicy;

/// Sent as `User-Agent` with every request staxhook makes.
pub const USER_AGENT: &str = concat!("staxhook/", env!("CARGO_PKG_VERSION"));
