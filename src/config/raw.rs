//! The config file as serde reads it, spans kept so every later error can name a line.

use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub defaults: RawDefaults,
    #[serde(default)]
    pub webhooks: IndexMap<Spanned<String>, RawWebhook>,
    #[serde(default)]
    pub sla: RawSla,
    #[serde(default)]
    pub policy: Vec<RawPolicy>,
}

/// `[sla]`: how long a finding of each severity may stay open.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSla {
    pub critical: Option<Spanned<String>>,
    pub high: Option<Spanned<String>>,
    pub medium: Option<Spanned<String>>,
    pub low: Option<Spanned<String>>,
}

/// One `[[policy]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub name: Spanned<String>,
    pub action: Option<Spanned<String>>,
    pub severity_at_least: Option<Spanned<String>>,
    pub fix_available: Option<bool>,
    pub kev: Option<bool>,
    /// A TOML integer (`1`) reads as a float too.
    pub epss_at_least: Option<Spanned<f64>>,
    pub max_count: Option<IndexMap<Spanned<String>, Spanned<i64>>>,
    pub deny_packages: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDefaults {
    pub timeout: Option<Spanned<String>>,
    pub max_attempts: Option<Spanned<i64>>,
    pub initial_backoff: Option<Spanned<String>>,
    pub max_backoff: Option<Spanned<String>>,
    pub max_elapsed: Option<Spanned<String>>,
    pub retention: Option<Spanned<String>>,
    pub history: Option<Spanned<String>>,
    pub digest_after: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWebhook {
    pub channel: Option<Spanned<String>>,
    pub url: Option<Spanned<String>>,
    pub events: Option<Vec<Spanned<String>>>,
    pub secret: Option<Spanned<String>>,
    /// The secret before `rotate-secret`, still signing until `previous_secret_expires`.
    pub previous_secret: Option<Spanned<String>>,
    pub previous_secret_expires: Option<Spanned<String>>,
    pub routing_key: Option<Spanned<String>>,
    pub enabled: Option<bool>,
    pub headers: Option<IndexMap<Spanned<String>, Spanned<String>>>,
    pub allow_insecure: Option<bool>,
    /// A PEM file of extra certificate authorities to trust for this webhook.
    pub ca_cert: Option<Spanned<String>>,
    pub timeout: Option<Spanned<String>>,
    pub max_attempts: Option<Spanned<i64>>,
    pub initial_backoff: Option<Spanned<String>>,
    pub max_backoff: Option<Spanned<String>>,
    pub max_elapsed: Option<Spanned<String>>,
    pub digest_after: Option<Spanned<i64>>,
}
