//! The TOML config: where it lives, parsing it into validated types, and the errors that
//! point at a file, line and column.

pub mod edit;
mod raw;
mod template;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;
use url::Url;

pub use edit::ConfigEditor;
pub use template::{Template, TemplateError};

use crate::channel::Channel;
use crate::duration::parse_duration;
use crate::event::Event;
use raw::{RawConfig, RawWebhook};

/// Request headers a user may not set, because staxhook owns them.
pub const RESERVED_HEADERS: [&str; 8] = [
    "content-type",
    "user-agent",
    "x-codestax-event",
    "x-codestax-delivery",
    "x-codestax-signature",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
}

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

/// Retry and timeout knobs, from `[defaults]` and overridable per webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliverySettings {
    pub timeout: Duration,
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    pub max_elapsed: Duration,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            timeout: Duration::from_secs(15),
            max_attempts: 5,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            max_elapsed: Duration::from_secs(120),
        }
    }
}

pub const DEFAULT_RETENTION: Duration = Duration::from_secs(30 * 86_400);

#[derive(Debug, Clone)]
pub struct Defaults {
    pub delivery: DeliverySettings,
    pub retention: Duration,
    pub history: Option<PathBuf>,
    /// Messages of one event kind a chat webhook gets per run before a digest.
    pub digest_after: usize,
}

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

#[derive(Debug, Clone)]
pub struct WebhookConfig {
    pub name: String,
    pub channel: Channel,
    pub url: Option<Setting<Template>>,
    /// The events it is subscribed to (the channel's default when the config lists none).
    pub events: Vec<Event>,
    pub secret: Option<Setting<Template>>,
    /// The secret replaced by `rotate-secret`, and until when it still signs.
    pub previous_secret: Option<(Setting<Template>, jiff::Timestamp)>,
    pub routing_key: Option<Setting<Template>>,
    pub headers: Vec<(String, Setting<Template>)>,
    pub enabled: bool,
    pub allow_insecure: bool,
    /// Extra CA certificates (PEM), relative paths taken from the config's folder.
    pub ca_cert: Option<Setting<PathBuf>>,
    pub delivery: DeliverySettings,
    /// Messages of one event kind per run before a chat webhook gets a digest instead.
    pub digest_after: usize,
}

impl WebhookConfig {
    pub fn subscribed_to(&self, event: Event) -> bool {
        self.events.contains(&event)
    }

    /// True when some secret sits in the file itself rather than in the environment.
    fn holds_literal_secret(&self) -> bool {
        let literal = |setting: &Option<Setting<Template>>| {
            setting.as_ref().is_some_and(|s| s.value.is_literal())
        };
        literal(&self.secret)
            || self
                .previous_secret
                .as_ref()
                .is_some_and(|(setting, _)| setting.value.is_literal())
            || literal(&self.routing_key)
            || (self.channel.url_is_secret() && literal(&self.url))
    }
}

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

/// `--config`/`STAXHOOK_CONFIG`, else `./staxhook.toml` when present, else the XDG config file.
pub fn locate(
    flag: Option<&Path>,
    current_dir: &Path,
    environment: &dyn Fn(&str) -> Option<String>,
) -> PathBuf {
    if let Some(path) = flag {
        return path.to_path_buf();
    }
    let local = current_dir.join("staxhook.toml");
    if local.is_file() {
        return local;
    }
    xdg_folder("XDG_CONFIG_HOME", ".config", environment).join("staxhook/config.toml")
}

/// `$VARIABLE` when set and absolute, else `$HOME/fallback` (the XDG rule).
pub fn xdg_folder(
    variable: &str,
    fallback: &str,
    environment: &dyn Fn(&str) -> Option<String>,
) -> PathBuf {
    match environment(variable).filter(|value| Path::new(value).is_absolute()) {
        Some(folder) => PathBuf::from(folder),
        None => PathBuf::from(environment("HOME").unwrap_or_else(|| ".".into())).join(fallback),
    }
}

impl Config {
    /// Reads and validates the file; a missing file is an empty config.
    pub fn load(
        path: &Path,
        environment: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let text = match std::fs::read(path) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|_| ConfigError::Unreadable {
                path: path.display().to_string(),
                reason: "is not UTF-8 text".into(),
            })?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Config::parse(path, "", environment).map(|mut config| {
                    config.exists = false;
                    config
                })
            }
            Err(error) => {
                return Err(ConfigError::Unreadable {
                    path: path.display().to_string(),
                    reason: error.to_string(),
                })
            }
        };
        let mut config = Config::parse(path, &text, environment)?;
        if let Some(warning) = permission_warning(path, &config) {
            config.warnings.push(warning);
        }
        Ok(config)
    }

    /// Validates config text; `path` is only used in messages.
    pub fn parse(
        path: &Path,
        text: &str,
        environment: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let locator = Locator { path, text };
        let raw: RawConfig = toml::from_str(text).map_err(|error| {
            let span = error.span().unwrap_or(0..0);
            let source = text.get(span.clone()).unwrap_or_default();
            locator.error(span, describe_toml_error(error.message(), source))
        })?;

        let defaults_delivery = delivery_settings(
            &locator,
            DeliverySettings::default(),
            "defaults",
            DeliveryFields {
                timeout: &raw.defaults.timeout,
                max_attempts: &raw.defaults.max_attempts,
                initial_backoff: &raw.defaults.initial_backoff,
                max_backoff: &raw.defaults.max_backoff,
                max_elapsed: &raw.defaults.max_elapsed,
            },
        )?;
        let retention = match &raw.defaults.retention {
            Some(value) => locator.duration(value, "defaults.retention")?,
            None => DEFAULT_RETENTION,
        };
        let history = match &raw.defaults.history {
            Some(value) => {
                let template = locator.template(value, "defaults.history")?;
                let resolved = template.resolve(environment).map_err(|variable| {
                    locator.error(
                        value.span(),
                        format!("defaults.history uses ${{{variable}}}, which is not set"),
                    )
                })?;
                Some(PathBuf::from(resolved))
            }
            None => None,
        };

        let digest_after = match &raw.defaults.digest_after {
            Some(value) => locator.count(value, "defaults.digest_after")?,
            None => DEFAULT_DIGEST_AFTER,
        };
        let mut webhooks = Vec::with_capacity(raw.webhooks.len());
        for (name, webhook) in &raw.webhooks {
            let mut webhook_settings =
                webhook_config(&locator, name, webhook, defaults_delivery, environment)?;
            webhook_settings.digest_after = match &webhook.digest_after {
                Some(value) => {
                    locator.count(value, &format!("webhooks.{}.digest_after", name.get_ref()))?
                }
                None => digest_after,
            };
            webhooks.push(webhook_settings);
        }
        let sla = sla_settings(&locator, &raw.sla)?;
        let mut policies: Vec<crate::policy::Policy> = Vec::with_capacity(raw.policy.len());
        for (index, raw_policy) in raw.policy.iter().enumerate() {
            let policy = policy(&locator, index, raw_policy)?;
            if policies.iter().any(|known| known.name == policy.name) {
                return Err(locator.error(
                    raw_policy.name.span(),
                    format!("policy `{}` is defined twice", policy.name),
                ));
            }
            policies.push(policy);
        }

        Ok(Config {
            sla,
            policies,
            path: path.to_path_buf(),
            exists: true,
            defaults: Defaults {
                delivery: defaults_delivery,
                retention,
                history,
                digest_after,
            },
            webhooks,
            warnings: Vec::new(),
        })
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

/// serde's wording quotes the offending value, which may be a secret: keep only its kind, and
/// say what was expected in TOML's words rather than Rust's. `source` is the text the error's
/// span covers.
fn describe_toml_error(message: &str, source: &str) -> String {
    let message = message.trim().replace('\n', " ");
    // The parser says only "duplicate key" and points at the key: name it.
    if message == "duplicate key" {
        let key = source.trim().trim_matches(['"', '\'']);
        return format!("duplicate key `{key}`");
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            if let Some((found, expected)) = rest.split_once(", expected ") {
                let kind = found.split(['`', '"']).next().unwrap_or(found).trim();
                let expected = toml_words(expected);
                // An integer beyond i64 is reported as an integer of another width.
                if kind == "integer" && expected == "an integer" {
                    let size = if found.contains("`-") {
                        "small"
                    } else {
                        "large"
                    };
                    return format!("number too {size} to fit in target type");
                }
                // Dates and times reach serde as maps.
                let found = if kind == "map" && source.starts_with(|c: char| c.is_ascii_digit()) {
                    "a date-time".to_string()
                } else {
                    toml_words(kind)
                };
                return format!("{prefix}found {found}, expected {expected}");
            }
        }
    }
    message
}

fn toml_words(rust: &str) -> String {
    match rust.trim() {
        "i64" | "i32" | "u32" | "u64" | "usize" | "integer" => "an integer".into(),
        "string" | "a string" => "a string".into(),
        "boolean" | "a boolean" => "a boolean (true or false)".into(),
        "floating point" => "a float".into(),
        "map" | "a map" => "a table".into(),
        "sequence" | "a sequence" => "an array".into(),
        other if other.starts_with("struct ") => "a table".into(),
        other => other.to_string(),
    }
}

/// A webhook name is 1–64 characters of `A-Z a-z 0-9 _ -`.
pub fn validate_webhook_name(name: &str) -> Result<(), String> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "invalid webhook name `{name}`: use 1 to 64 of the characters A-Z a-z 0-9 _ -"
        ))
    }
}

/// A header name must be an HTTP token and not one staxhook sets itself.
pub fn validate_header_name(name: &str) -> Result<(), String> {
    let token = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c));
    if !token {
        return Err(format!("invalid header name `{name}`"));
    }
    if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(format!(
            "header `{name}` is set by staxhook and cannot be overridden"
        ));
    }
    Ok(())
}

struct Locator<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Locator<'_> {
    fn location(&self, offset: usize) -> Location {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |index| index + 1);
        Location {
            line,
            column: before[line_start..].chars().count() + 1,
        }
    }

    fn error(&self, span: Range<usize>, message: String) -> ConfigError {
        let Location { line, column } = self.location(span.start);
        ConfigError::Invalid {
            path: self.path.display().to_string(),
            line,
            column,
            message,
        }
    }

    fn setting<T>(&self, value: T, key: String, span: Range<usize>) -> Setting<T> {
        Setting {
            value,
            key,
            location: self.location(span.start),
        }
    }

    fn duration(&self, value: &Spanned<String>, key: &str) -> Result<Duration, ConfigError> {
        parse_duration(value.get_ref())
            .map_err(|error| self.error(value.span(), format!("{key}: {error}")))
    }

    fn count(&self, value: &Spanned<i64>, key: &str) -> Result<usize, ConfigError> {
        usize::try_from(*value.get_ref())
            .map_err(|_| self.error(value.span(), format!("{key}: must be 0 or more")))
    }

    fn template(&self, value: &Spanned<String>, key: &str) -> Result<Template, ConfigError> {
        Template::parse(value.get_ref())
            .map_err(|error| self.error(value.span(), format!("{key}: {error}")))
    }
}

struct DeliveryFields<'a> {
    timeout: &'a Option<Spanned<String>>,
    max_attempts: &'a Option<Spanned<i64>>,
    initial_backoff: &'a Option<Spanned<String>>,
    max_backoff: &'a Option<Spanned<String>>,
    max_elapsed: &'a Option<Spanned<String>>,
}

fn delivery_settings(
    locator: &Locator,
    base: DeliverySettings,
    table: &str,
    fields: DeliveryFields,
) -> Result<DeliverySettings, ConfigError> {
    let mut settings = base;
    let duration = |value: &Option<Spanned<String>>, name: &str, current: Duration| match value {
        Some(value) => {
            let parsed = locator.duration(value, &format!("{table}.{name}"))?;
            if parsed.is_zero() && name != "initial_backoff" {
                return Err(
                    locator.error(value.span(), format!("{table}.{name}: must be more than 0"))
                );
            }
            Ok(parsed)
        }
        None => Ok(current),
    };
    settings.timeout = duration(fields.timeout, "timeout", settings.timeout)?;
    settings.initial_backoff = duration(
        fields.initial_backoff,
        "initial_backoff",
        settings.initial_backoff,
    )?;
    settings.max_backoff = duration(fields.max_backoff, "max_backoff", settings.max_backoff)?;
    settings.max_elapsed = duration(fields.max_elapsed, "max_elapsed", settings.max_elapsed)?;
    if let Some(value) = fields.max_attempts {
        let attempts = *value.get_ref();
        if !(1..=100).contains(&attempts) {
            return Err(locator.error(
                value.span(),
                format!("{table}.max_attempts: must be from 1 to 100, found {attempts}"),
            ));
        }
        settings.max_attempts = attempts as u32;
    }
    Ok(settings)
}

fn webhook_config(
    locator: &Locator,
    name: &Spanned<String>,
    raw: &RawWebhook,
    defaults: DeliverySettings,
    environment: &dyn Fn(&str) -> Option<String>,
) -> Result<WebhookConfig, ConfigError> {
    let webhook_name = name.get_ref().clone();
    validate_webhook_name(&webhook_name).map_err(|message| locator.error(name.span(), message))?;
    let prefix = format!("webhooks.{webhook_name}");
    let template_setting = |value: &Option<Spanned<String>>,
                            key: &str|
     -> Result<Option<Setting<Template>>, ConfigError> {
        value
            .as_ref()
            .map(|value| {
                let full_key = format!("{prefix}.{key}");
                let template = locator.template(value, &full_key)?;
                Ok(locator.setting(template, full_key, value.span()))
            })
            .transpose()
    };

    let url = template_setting(&raw.url, "url")?;
    if let Some(setting) = &url {
        if setting.value.is_literal() {
            check_url_syntax(setting.value.raw()).map_err(|message| {
                locator.error(raw_span(&raw.url), format!("{}: {message}", setting.key))
            })?;
        }
    }

    let channel = match &raw.channel {
        Some(value) => value
            .get_ref()
            .parse::<Channel>()
            .map_err(|error| locator.error(value.span(), format!("{prefix}.channel: {error}")))?,
        // Without `channel`, guess from the URL as `webhook add` does; a `${VAR}` URL is
        // guessed from the environment when the variable is set.
        None => url
            .as_ref()
            .and_then(|setting| setting.value.resolve(environment).ok())
            .and_then(|text| Url::parse(&text).ok())
            .map_or(Channel::Generic, |url| Channel::infer(&url)),
    };
    if url.is_none() && channel != Channel::Pagerduty {
        return Err(locator.error(name.span(), format!("{prefix}: missing `url`")));
    }

    let routing_key = template_setting(&raw.routing_key, "routing_key")?;
    if let (Some(_), Some(value)) = (&routing_key, &raw.routing_key) {
        if channel != Channel::Pagerduty {
            return Err(locator.error(
                value.span(),
                format!("{prefix}.routing_key: only pagerduty webhooks take a routing key"),
            ));
        }
    }
    if channel == Channel::Pagerduty && routing_key.is_none() {
        return Err(locator.error(
            name.span(),
            format!("{prefix}: a pagerduty webhook needs `routing_key` (e.g. routing_key = \"${{PD_ROUTING_KEY}}\")"),
        ));
    }

    let events = match &raw.events {
        Some(list) => {
            let mut events = Vec::with_capacity(list.len());
            for value in list {
                let event = value.get_ref().parse::<Event>().map_err(|error| {
                    locator.error(value.span(), format!("{prefix}.events: {error}"))
                })?;
                if !events.contains(&event) {
                    events.push(event);
                }
            }
            events
        }
        None => channel.default_events().to_vec(),
    };

    let mut headers = Vec::new();
    for (header_name, value) in raw.headers.iter().flatten() {
        validate_header_name(header_name.get_ref()).map_err(|message| {
            locator.error(header_name.span(), format!("{prefix}.headers: {message}"))
        })?;
        let key = format!("{prefix}.headers.{}", header_name.get_ref());
        let template = locator.template(value, &key)?;
        headers.push((
            header_name.get_ref().clone(),
            locator.setting(template, key, value.span()),
        ));
    }

    let delivery = delivery_settings(
        locator,
        defaults,
        &prefix,
        DeliveryFields {
            timeout: &raw.timeout,
            max_attempts: &raw.max_attempts,
            initial_backoff: &raw.initial_backoff,
            max_backoff: &raw.max_backoff,
            max_elapsed: &raw.max_elapsed,
        },
    )?;

    Ok(WebhookConfig {
        name: webhook_name,
        channel,
        url,
        events,
        secret: template_setting(&raw.secret, "secret")?,
        previous_secret: previous_secret(locator, &prefix, raw)?,
        routing_key,
        headers,
        enabled: raw.enabled.unwrap_or(true),
        allow_insecure: raw.allow_insecure.unwrap_or(false),
        ca_cert: raw.ca_cert.as_ref().map(|value| {
            let folder = locator.path.parent().unwrap_or(Path::new("."));
            locator.setting(
                folder.join(value.get_ref()),
                format!("{prefix}.ca_cert"),
                value.span(),
            )
        }),
        delivery,
        digest_after: DEFAULT_DIGEST_AFTER,
    })
}

fn sla_settings(locator: &Locator, raw: &raw::RawSla) -> Result<SlaSettings, ConfigError> {
    let mut sla = SlaSettings::default();
    for (value, slot, key) in [
        (&raw.critical, &mut sla.critical, "sla.critical"),
        (&raw.high, &mut sla.high, "sla.high"),
        (&raw.medium, &mut sla.medium, "sla.medium"),
        (&raw.low, &mut sla.low, "sla.low"),
    ] {
        if let Some(value) = value {
            *slot = locator.duration(value, key)?;
        }
    }
    Ok(sla)
}

fn policy(
    locator: &Locator,
    index: usize,
    raw: &raw::RawPolicy,
) -> Result<crate::policy::Policy, ConfigError> {
    use crate::policy::{Action, PackageRule, Policy};
    use crate::report::Severity;
    let name = raw.name.get_ref().trim().to_string();
    let prefix = format!("policy[{index}]");
    if name.is_empty() {
        return Err(locator.error(raw.name.span(), format!("{prefix}.name is empty")));
    }
    let action = match &raw.action {
        None => Action::Fail,
        Some(value) => match value.get_ref().as_str() {
            "fail" => Action::Fail,
            "warn" => Action::Warn,
            other => {
                return Err(locator.error(
                    value.span(),
                    format!("{prefix}.action: `{other}` is not fail or warn"),
                ))
            }
        },
    };
    let severity = |value: &Spanned<String>, key: &str| -> Result<Severity, ConfigError> {
        value
            .get_ref()
            .parse::<Severity>()
            .map_err(|message| locator.error(value.span(), format!("{prefix}.{key}: {message}")))
    };
    let severity_at_least = raw
        .severity_at_least
        .as_ref()
        .map(|value| severity(value, "severity_at_least"))
        .transpose()?;
    let mut max_count = Vec::new();
    for (key, count) in raw.max_count.iter().flatten() {
        let level = severity(key, "max_count")?;
        let limit = *count.get_ref();
        if limit < 0 {
            return Err(locator.error(
                count.span(),
                format!("{prefix}.max_count.{level}: must be 0 or more"),
            ));
        }
        max_count.push((level, limit as u64));
    }
    let mut deny_packages = Vec::new();
    for value in raw.deny_packages.iter().flatten() {
        deny_packages.push(PackageRule::parse(value.get_ref()).map_err(|message| {
            locator.error(value.span(), format!("{prefix}.deny_packages: {message}"))
        })?);
    }
    let policy = Policy {
        name,
        action,
        severity_at_least,
        fix_available: raw.fix_available,
        kev: raw.kev,
        max_count,
        deny_packages,
    };
    if policy.severity_at_least.is_none()
        && policy.fix_available.is_none()
        && policy.kev.is_none()
        && policy.max_count.is_empty()
        && policy.deny_packages.is_empty()
    {
        return Err(locator.error(
            raw.name.span(),
            format!("policy `{}` has no condition (severity_at_least, fix_available, kev, max_count or deny_packages)", policy.name),
        ));
    }
    Ok(policy)
}

/// `previous_secret` and `previous_secret_expires` come as a pair, the latter RFC 3339.
fn previous_secret(
    locator: &Locator,
    prefix: &str,
    raw: &RawWebhook,
) -> Result<Option<(Setting<Template>, jiff::Timestamp)>, ConfigError> {
    match (&raw.previous_secret, &raw.previous_secret_expires) {
        (None, None) => Ok(None),
        (Some(secret), Some(expires)) => {
            let key = format!("{prefix}.previous_secret");
            let template = locator.template(secret, &key)?;
            let until = expires.get_ref().parse::<jiff::Timestamp>().map_err(|_| {
                locator.error(
                    expires.span(),
                    format!("{prefix}.previous_secret_expires: expected an RFC 3339 time such as 2026-03-22T10:30:00Z"),
                )
            })?;
            Ok(Some((locator.setting(template, key, secret.span()), until)))
        }
        (Some(secret), None) => Err(locator.error(
            secret.span(),
            format!("{prefix}.previous_secret needs previous_secret_expires (when the old secret stops signing)"),
        )),
        (None, Some(expires)) => Err(locator.error(
            expires.span(),
            format!("{prefix}.previous_secret_expires without previous_secret"),
        )),
    }
}

fn raw_span(value: &Option<Spanned<String>>) -> Range<usize> {
    value.as_ref().map_or(0..0, |value| value.span())
}

/// A webhook URL must be absolute http(s) with a host.
pub fn check_url_syntax(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|error| format!("invalid URL: {error}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "URL scheme must be https or http, not `{}`",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("URL has no host".into());
    }
    Ok(url)
}

/// True for `localhost`, `127.0.0.0/8` and `[::1]`, where plain HTTP never leaves the machine.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        None => false,
    }
}

#[cfg(unix)]
fn permission_warning(path: &Path, config: &Config) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    let literal = config
        .webhooks
        .iter()
        .any(WebhookConfig::holds_literal_secret);
    (literal && mode & 0o077 != 0).then(|| {
        format!(
            "{} holds secrets and can be read by other users (mode {:o}); run `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        )
    })
}

#[cfg(not(unix))]
fn permission_warning(_path: &Path, _config: &Config) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_environment(_: &str) -> Option<String> {
        None
    }

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("c.toml"), text, &no_environment)
    }

    fn error_text(text: &str) -> String {
        parse(text).expect_err("should be rejected").to_string()
    }

    #[test]
    fn parses_the_spec_example() {
        let config = parse(
            r#"
[defaults]
timeout = "15s"
max_attempts = 5
initial_backoff = "1s"
max_backoff = "30s"
max_elapsed = "2m"
retention = "30d"

[webhooks.security]
channel = "slack"
url = "${SLACK_WEBHOOK_URL}"
events = ["critical_vulnerability", "kev-found"]
secret = "${STAXHOOK_SECRET}"
enabled = true

[webhooks.oncall]
channel = "pagerduty"
routing_key = "${PD_ROUTING_KEY}"

[webhooks.siem]
channel = "generic"
url = "https://siem.example.com/hooks/codestax"
secret = "whsec_abc"
headers = { "X-Team" = "appsec" }
max_attempts = 8
"#,
        )
        .unwrap();
        assert_eq!(config.webhooks.len(), 3);
        let security = config.webhook("security").unwrap();
        assert_eq!(security.channel, Channel::Slack);
        assert_eq!(
            security.events,
            vec![Event::CriticalVulnerability, Event::KevFound]
        );
        let oncall = config.webhook("oncall").unwrap();
        assert_eq!(oncall.events, Event::PAGING.to_vec());
        let siem = config.webhook("siem").unwrap();
        assert_eq!(siem.delivery.max_attempts, 8);
        assert_eq!(siem.delivery.max_elapsed, Duration::from_secs(120));
        assert_eq!(siem.events, Event::ALL.to_vec());
        assert_eq!(siem.headers[0].0, "X-Team");
        assert_eq!(siem.headers[0].1.key, "webhooks.siem.headers.X-Team");
        assert_eq!(config.defaults.retention, DEFAULT_RETENTION);
    }

    #[test]
    fn errors_name_line_and_column() {
        assert_eq!(
            error_text("[defaults]\ntimeout = \"15s\"\ncolour = true\n"),
            "c.toml:3:1: unknown field `colour`, expected one of `timeout`, `max_attempts`, `initial_backoff`, `max_backoff`, `max_elapsed`, `retention`, `history`, `digest_after`"
        );
        assert_eq!(
            error_text("[defaults]\nmax_elapsed = \"2x\"\n"),
            "c.toml:2:15: defaults.max_elapsed: invalid duration `2x`: unknown unit `x` (write it like 250ms, 90s, 15m, 24h, 30d or 1h30m)"
        );
        assert!(error_text("[defaults\n").starts_with("c.toml:1:10: "));
        assert_eq!(
            error_text("[defaults]\nmax_attempts = \"5\"\n"),
            "c.toml:2:16: invalid type: found a string, expected an integer"
        );
        assert_eq!(
            error_text("[webhooks.a]\nurl = \"https://x.example\"\nevents = [\"kev-fonud\"]\n"),
            "c.toml:3:11: webhooks.a.events: unknown event `kev-fonud`: did you mean `kev_found`? (valid: scan_complete, critical_vulnerability, kev_found, policy_violation, sla_breach)"
        );
    }

    #[test]
    fn type_errors_never_echo_the_value() {
        let message =
            error_text("[webhooks.a]\nurl = \"https://x.example\"\nsecret = 8675309123456\n");
        assert_eq!(
            message,
            "c.toml:3:10: invalid type: found an integer, expected a string"
        );
        let message = error_text(
            "[webhooks.a]\nurl = \"https://x.example\"\nheaders = \"Authorization: tok_SECRET\"\n",
        );
        assert!(!message.contains("tok_SECRET"), "{message}");
        assert!(message.ends_with("expected a table"), "{message}");
    }

    #[test]
    fn toml_parser_errors_name_the_key_and_the_problem() {
        assert_eq!(
            error_text("[defaults]\ntimeout = \"15s\"\ntimeout = \"20s\"\n"),
            "c.toml:3:1: duplicate key `timeout`"
        );
        assert_eq!(
            error_text("[webhooks.\"a\"]\nurl = \"https://x.example\"\n[webhooks.\"a\"]\n"),
            "c.toml:3:11: duplicate key `a`"
        );
        for (number, size) in [
            ("99999999999999999999", "large"),
            ("-99999999999999999999", "small"),
            ("9223372036854775808", "large"),
        ] {
            assert_eq!(
                error_text(&format!("[defaults]\nmax_attempts = {number}\n")),
                format!("c.toml:2:16: number too {size} to fit in target type")
            );
        }
        assert_eq!(
            error_text("[defaults]\ntimeout = 07:32\n"),
            "c.toml:2:11: invalid type: found a date-time, expected a string"
        );
        // TOML 1.1: inline tables may span lines and end with a comma.
        let config = parse(
            "[webhooks.a]\nurl = \"https://x.example\"\nheaders = {\n  \"X-Team\" = \"appsec\",\n}\n",
        )
        .unwrap();
        assert_eq!(config.webhooks[0].headers[0].0, "X-Team");
    }

    #[test]
    fn webhook_rules() {
        assert!(
            error_text("[webhooks.\"a b\"]\nurl = \"https://x.example\"\n")
                .contains("invalid webhook name `a b`")
        );
        assert!(error_text("[webhooks.a]\nchannel = \"generic\"\n")
            .ends_with("webhooks.a: missing `url`"));
        assert!(
            error_text("[webhooks.a]\nurl = \"notaurl\"\n").contains("webhooks.a.url: invalid URL")
        );
        assert!(error_text("[webhooks.a]\nurl = \"ftp://x.example/\"\n")
            .contains("scheme must be https"));
        assert!(
            error_text("[webhooks.a]\nurl = \"https://x.example\"\nsecret = \"${OPEN\"\n")
                .contains("webhooks.a.secret: `${` without a closing `}`")
        );
        assert!(error_text("[webhooks.a]\nurl = \"https://x.example\"\nheaders = { \"X-CodeStax-Event\" = \"x\" }\n")
            .contains("set by staxhook"));
        assert!(
            error_text("[webhooks.p]\nchannel = \"pagerduty\"\n").contains("needs `routing_key`")
        );
        assert!(
            error_text("[webhooks.a]\nurl = \"https://x.example\"\nrouting_key = \"k\"\n")
                .contains("only pagerduty")
        );
        assert!(
            error_text("[webhooks.a]\nurl = \"https://x.example\"\nmax_attempts = 0\n")
                .contains("must be from 1 to 100")
        );
    }

    #[test]
    fn channel_is_inferred_when_absent() {
        let config =
            parse("[webhooks.s]\nurl = \"https://hooks.slack.com/services/T/B/X\"\n").unwrap();
        assert_eq!(config.webhooks[0].channel, Channel::Slack);
        let environment =
            |name: &str| (name == "D").then(|| "https://discord.com/api/webhooks/1/x".to_string());
        let config = Config::parse(
            Path::new("c.toml"),
            "[webhooks.d]\nurl = \"${D}\"\n",
            &environment,
        )
        .unwrap();
        assert_eq!(config.webhooks[0].channel, Channel::Discord);
    }

    #[test]
    fn locate_prefers_flag_then_local_then_xdg() {
        let folder = tempfile::tempdir().unwrap();
        let environment = |name: &str| match name {
            "HOME" => Some("/home/u".to_string()),
            _ => None,
        };
        assert_eq!(
            locate(None, folder.path(), &environment),
            PathBuf::from("/home/u/.config/staxhook/config.toml")
        );
        std::fs::write(folder.path().join("staxhook.toml"), "").unwrap();
        assert_eq!(
            locate(None, folder.path(), &environment),
            folder.path().join("staxhook.toml")
        );
        assert_eq!(
            locate(Some(Path::new("/x.toml")), folder.path(), &environment),
            PathBuf::from("/x.toml")
        );
    }

    #[test]
    fn loopback_hosts() {
        for text in [
            "http://localhost:1/",
            "http://127.0.0.1/",
            "http://127.9.9.9/",
            "http://[::1]:80/",
        ] {
            assert!(is_loopback(&Url::parse(text).unwrap()), "{text}");
        }
        for text in [
            "http://example.com/",
            "http://10.0.0.1/",
            "http://localhost.evil.com/",
        ] {
            assert!(!is_loopback(&Url::parse(text).unwrap()), "{text}");
        }
    }
}
