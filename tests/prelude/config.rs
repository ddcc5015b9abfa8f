//! Small config builders shared by the delivery tests.
#![allow(dead_code)]

/// The literal secret of [`signed_hook`].
pub const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// `[defaults]` with small waits, so that retries never make a test slow.
pub const DEFAULTS: &str = "[defaults]\n\
initial_backoff = \"10ms\"\n\
max_backoff = \"50ms\"\n\
timeout = \"500ms\"\n\
max_elapsed = \"5s\"\n";

/// One generic `[webhooks.NAME]` table; `extra` holds further `key = value` lines.
pub fn hook(name: &str, url: &str, extra: &str) -> String {
    format!("\n[webhooks.{name}]\nchannel = \"generic\"\nurl = \"{url}\"\n{extra}\n")
}

/// Like [`hook`], signed with [`SECRET`].
pub fn signed_hook(name: &str, url: &str, extra: &str) -> String {
    hook(name, url, &format!("secret = \"{SECRET}\"\n{extra}"))
}
