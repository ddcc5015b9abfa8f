//! From the file as serde reads it to the validated config: every rule a value must meet, each
//! broken rule reported at its line and column, and serde's messages reworded so they never
//! echo a value that may be a secret.

use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use toml::Spanned;
use url::Url;

use super::raw::{self, RawConfig, RawWebhook};
use super::template::Template;
use super::types::{
    Config, Defaults, Location, SecretSetting, Setting, SlaSettings, WebhookConfig,
    DEFAULT_DIGEST_AFTER, DEFAULT_RETENTION,
};
use super::url_rules::check_url_syntax;
use super::ConfigError;
use crate::channel::Channel;
use crate::delivery::RetryPolicy;
use crate::duration::parse_duration;
use crate::event::Event;

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

/// Validates config text; `path` is only used in messages.
pub(super) fn config(
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
        RetryPolicy::default(),
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
            let location = crate::history::HistoryLocation::parse(
                std::ffi::OsStr::new(&resolved),
                environment,
            )
            .map_err(|error| locator.error(value.span(), format!("defaults.history: {error}")))?;
            Some(location)
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
    base: RetryPolicy,
    table: &str,
    fields: DeliveryFields,
) -> Result<RetryPolicy, ConfigError> {
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
    defaults: RetryPolicy,
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

    let url = template_setting(&raw.url, "url")?.map(Setting::into_secret);
    if let Some(setting) = &url {
        if setting.value.expose().is_literal() {
            check_url_syntax(setting.value.expose().raw()).map_err(|message| {
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
            .and_then(|setting| setting.value.expose().resolve(environment).ok())
            .and_then(|text| Url::parse(&text).ok())
            .map_or(Channel::Generic, |url| Channel::infer(&url)),
    };
    if url.is_none() && channel != Channel::Pagerduty {
        return Err(locator.error(name.span(), format!("{prefix}: missing `url`")));
    }

    let routing_key = template_setting(&raw.routing_key, "routing_key")?.map(Setting::into_secret);
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
        secret: template_setting(&raw.secret, "secret")?.map(Setting::into_secret),
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
    let epss_at_least = match &raw.epss_at_least {
        None => None,
        Some(value) => {
            let threshold = *value.get_ref();
            if !(0.0..=1.0).contains(&threshold) {
                return Err(locator.error(
                    value.span(),
                    format!("{prefix}.epss_at_least: {threshold} is not from 0 to 1 (an EPSS score is a probability, e.g. 0.1)"),
                ));
            }
            Some(threshold)
        }
    };
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
        epss_at_least,
        max_count,
        deny_packages,
    };
    if policy.severity_at_least.is_none()
        && policy.fix_available.is_none()
        && policy.kev.is_none()
        && policy.epss_at_least.is_none()
        && policy.max_count.is_empty()
        && policy.deny_packages.is_empty()
    {
        return Err(locator.error(
            raw.name.span(),
            format!("policy `{}` has no condition (severity_at_least, fix_available, kev, epss_at_least, max_count or deny_packages)", policy.name),
        ));
    }
    Ok(policy)
}

/// `previous_secret` and `previous_secret_expires` come as a pair, the latter RFC 3339.
fn previous_secret(
    locator: &Locator,
    prefix: &str,
    raw: &RawWebhook,
) -> Result<Option<(SecretSetting, jiff::Timestamp)>, ConfigError> {
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
            let setting = locator.setting(template, key, secret.span()).into_secret();
            Ok(Some((setting, until)))
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
    fn epss_at_least_is_a_probability_named_with_its_line() {
        let config = parse(
            "[[policy]]\nname = \"likely\"\nepss_at_least = 0.1\n\n[[policy]]\nname = \"all\"\nepss_at_least = 1\n",
        )
        .unwrap();
        assert_eq!(config.policies[0].epss_at_least, Some(0.1));
        assert_eq!(config.policies[1].epss_at_least, Some(1.0));
        assert_eq!(
            error_text("[[policy]]\nname = \"p\"\nepss_at_least = 1.5\n"),
            "c.toml:3:17: policy[0].epss_at_least: 1.5 is not from 0 to 1 (an EPSS score is a probability, e.g. 0.1)"
        );
        assert_eq!(
            error_text("[[policy]]\nname = \"p\"\nkev = true\n[[policy]]\nname = \"q\"\nepss_at_least = -0.2\n"),
            "c.toml:6:17: policy[1].epss_at_least: -0.2 is not from 0 to 1 (an EPSS score is a probability, e.g. 0.1)"
        );
        assert!(
            error_text("[[policy]]\nname = \"p\"\nepss_at_least = \"high\"\n")
                .starts_with("c.toml:3:17:"),
        );
    }
}
