//! The validated config as the rest of staxhook sees it: webhooks, delivery and SLA settings,
//! policies, and where each value came from in the file.

use std::path::PathBuf;
use std::time::Duration;

use super::template::Template;
use crate::channel::Channel;
use crate::delivery::RetryPolicy;
use crate::event::Event;
use crate::redact::Secret;

/// Where a value sits in the config file, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

/// A value from the config with its dotted key and position.
#[derive(Debug, Clone)]
pub struct Setting<T> {
    pub value: T,
    pub key: String,
    pub location: Location,
}

/// A setting whose value is a credential when written literally (a signing secret, a
/// routing key, a webhook URL): it never shows in `{:?}` or `{}`.
pub type SecretSetting = Setting<Secret<Template>>;

impl Setting<Template> {
    pub fn into_secret(self) -> SecretSetting {
        Setting {
            value: Secret::new(self.value),
            key: self.key,
            location: self.location,
        }
    }
}

/// How long delivery history is kept when `[defaults] retention` is not set.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(30 * 86_400);

/// `[defaults]`: what every webhook gets unless it says otherwise.
#[derive(Debug, Clone)]
pub struct Defaults {
    /// Retry and timeout knobs, from `[defaults]` and overridable per webhook.
    pub delivery: RetryPolicy,
    pub retention: Duration,
    /// A SQLite file or a PostgreSQL URL, parsed when the config is loaded.
    pub history: Option<crate::history::HistoryLocation>,
    /// Messages of one event kind a chat webhook gets per run before a digest.
    pub digest_after: usize,
}

/// `digest_after` when neither `[defaults]` nor the webhook sets it.
pub const DEFAULT_DIGEST_AFTER: usize = 5;

/// `[sla]`: how long a finding of each severity may stay open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaSettings {
    pub critical: Duration,
    pub high: Duration,
    pub medium: Duration,
    pub low: Duration,
}

impl Default for SlaSettings {
    fn default() -> Self {
        const DAY: u64 = 86_400;
        SlaSettings {
            critical: Duration::from_secs(7 * DAY),
            high: Duration::from_secs(30 * DAY),
            medium: Duration::from_secs(90 * DAY),
            low: Duration::from_secs(180 * DAY),
        }
    }
}

impl SlaSettings {
    /// The period for a severity; unknown severities have none.
    pub fn period(&self, severity: crate::report::Severity) -> Option<Duration> {
        use crate::report::Severity;
        match severity {
            Severity::Critical => Some(self.critical),
            Severity::High => Some(self.high),
            Severity::Medium => Some(self.medium),
            Severity::Low => Some(self.low),
            Severity::Unknown => None,
        }
    }
}

/// One `[webhooks.NAME]`, validated, with the defaults filled in.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    pub name: String,
    pub channel: Channel,
    pub url: Option<SecretSetting>,
    /// The events it is subscribed to (the channel's default when the config lists none).
    pub events: Vec<Event>,
    pub secret: Option<SecretSetting>,
    /// The secret replaced by `rotate-secret`, and until when it still signs.
    pub previous_secret: Option<(SecretSetting, jiff::Timestamp)>,
    pub routing_key: Option<SecretSetting>,
    pub headers: Vec<(String, Setting<Template>)>,
    pub enabled: bool,
    pub allow_insecure: bool,
    /// Extra CA certificates (PEM), relative paths taken from the config's folder.
    pub ca_cert: Option<Setting<PathBuf>>,
    /// Retry and timeout knobs, from `[defaults]` and overridable per webhook.
    pub delivery: RetryPolicy,
    /// Messages of one event kind per run before a chat webhook gets a digest instead.
    pub digest_after: usize,
}

impl WebhookConfig {
    pub fn subscribed_to(&self, event: Event) -> bool {
        self.events.contains(&event)
    }

    /// True when some secret sits in the file itself rather than in the environment.
    pub(super) fn holds_literal_secret(&self) -> bool {
        let literal = |setting: &Option<SecretSetting>| {
            setting
                .as_ref()
                .is_some_and(|s| s.value.expose().is_literal())
        };
        literal(&self.secret)
            || self
                .previous_secret
                .as_ref()
                .is_some_and(|(setting, _)| setting.value.expose().is_literal())
            || literal(&self.routing_key)
            || (self.channel.url_is_secret() && literal(&self.url))
    }
}

/// The whole validated config file (an empty one when the file does not exist).
#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    pub exists: bool,
    pub defaults: Defaults,
    pub webhooks: Vec<WebhookConfig>,
    pub sla: SlaSettings,
    pub policies: Vec<crate::policy::Policy>,
    /// Things worth telling the user that do not stop the command.
    pub warnings: Vec<String>,
}

impl Config {
    /// The longest one delivery may take with any webhook's settings (`max_elapsed` +
    /// `timeout`), plus a minute: a pending row or a claim older than this belongs to a
    /// process that died, and another run may take it over.
    pub fn claim_expiry(&self) -> Duration {
        let longest = self
            .webhooks
            .iter()
            .map(|webhook| webhook.delivery)
            .chain([self.defaults.delivery])
            .map(|delivery| delivery.max_elapsed.saturating_add(delivery.timeout))
            .max()
            .unwrap_or_default();
        longest.saturating_add(Duration::from_secs(60))
    }

    pub fn webhook(&self, name: &str) -> Option<&WebhookConfig> {
        self.webhooks.iter().find(|webhook| webhook.name == name)
    }

    pub fn webhook_names(&self) -> impl Iterator<Item = &str> {
        self.webhooks.iter().map(|webhook| webhook.name.as_str())
    }

    /// The webhook called `name`, or an error listing the known ones.
    pub fn require_webhook(&self, name: &str) -> anyhow::Result<&WebhookConfig> {
        self.webhook(name).ok_or_else(|| {
            anyhow::anyhow!(
                "unknown webhook `{name}` in {}: {}",
                self.path.display(),
                crate::names::choices_hint(name, self.webhook_names())
            )
        })
    }
}
