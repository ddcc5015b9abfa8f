//! Config text the delivery tests build their `config.toml` from.

/// The literal secret of [`signed_hook`].
pub const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Another valid `whsec_` secret, for a webhook whose secret changed.
pub const NEW_SECRET: &str = "whsec_dGhpcyBpcyBhIG5ldyBzZWNyZXQga2V5IDEyMzQ=";

/// `[defaults]` with small waits, so that retries never make a test slow.
pub const DEFAULTS: &str = "[defaults]\n\
initial_backoff = \"10ms\"\n\
max_backoff = \"50ms\"\n\
timeout = \"500ms\"\n\
max_elapsed = \"5s\"\n";

/// For runs of reports: two quick attempts, and room for a slow machine to answer.
pub const REPORT_DEFAULTS: &str = "[defaults]\n\
timeout = \"5s\"\n\
max_attempts = 2\n\
initial_backoff = \"10ms\"\n\
max_backoff = \"20ms\"\n\
max_elapsed = \"5s\"\n";

/// One generic `[webhooks.NAME]` table; `extra` holds further `key = value` lines.
pub fn hook(name: &str, url: &str, extra: &str) -> String {
    format!("\n[webhooks.{name}]\nchannel = \"generic\"\nurl = \"{url}\"\n{extra}\n")
}

/// Like [`hook`], signed with [`SECRET`].
pub fn signed_hook(name: &str, url: &str, extra: &str) -> String {
    hook_signed_with(name, url, SECRET, extra)
}

/// Like [`hook`], signed with `secret`.
pub fn hook_signed_with(name: &str, url: &str, secret: &str, extra: &str) -> String {
    hook(name, url, &format!("secret = \"{secret}\"\n{extra}"))
}
