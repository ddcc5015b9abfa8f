//! Resolving a configured webhook into a ready target (environment read, URL checked) and
//! building the signed request for it.

use anyhow::anyhow;
use url::Url;

use crate::channel::{Channel, FormatContext, Formatter, PAGERDUTY_EVENTS_URL};
use crate::config::{
    check_url_syntax, is_loopback, Location, SecretSetting, Setting, Template, WebhookConfig,
};
use crate::delivery::USER_AGENT;
use crate::delivery::{Request, RetryPolicy};
use crate::event::Event;
use crate::redact::is_credential_header;
use crate::redact::Secret;
use crate::signing;

/// An extra header from the config; `sensitive` values are never shown or stored.
#[derive(Debug, Clone)]
pub struct ExtraHeader {
    pub name: String,
    pub value: String,
    pub sensitive: bool,
}

/// A webhook ready to send to: every `${VAR}` read, the URL parsed and checked. Its
/// credentials are [`Secret`]s, so printing a target by mistake shows none of them.
pub struct Target {
    pub name: String,
    pub channel: Channel,
    /// The real URL (a credential itself for chat and incident services).
    pub url: Secret<Url>,
    /// The URL as it may be shown and stored.
    pub masked_url: String,
    /// Signing secrets, newest first.
    pub secrets: Vec<Secret>,
    pub routing_key: Option<Secret>,
    pub headers: Vec<ExtraHeader>,
    pub policy: RetryPolicy,
    pub formatter: &'static dyn Formatter,
    /// Extra trusted CA certificates (PEM) and the file they came from.
    pub ca_certificate: Option<(std::path::PathBuf, Vec<u8>)>,
}

impl Target {
    pub fn resolve(
        webhook: &WebhookConfig,
        config_path: &std::path::Path,
        environment: &dyn Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Target> {
        let file = config_path.display();
        let read = |setting: &Setting<Template>| read_setting(setting, config_path, environment);
        let read_secret = |setting: &SecretSetting| {
            read_secret_setting(setting, config_path, environment).map(Secret::new)
        };
        let formatter = webhook.channel.formatter();

        let url = match &webhook.url {
            Some(setting) => {
                let text = read_secret(setting)?.into_inner();
                // The message leaves the value out: a chat webhook URL is itself a credential.
                let url = check_url_syntax(&text).map_err(|message| {
                    anyhow!(
                        "{file}:{}:{}: {}: {message}",
                        setting.location.line,
                        setting.location.column,
                        setting.key
                    )
                })?;
                if url.scheme() == "http" && !is_loopback(&url) && !webhook.allow_insecure {
                    return Err(anyhow!(
                        "{file}:{}:{}: {}: plain http:// to {} is refused; use https, or set allow_insecure = true for this webhook",
                        setting.location.line,
                        setting.location.column,
                        setting.key,
                        url.host_str().unwrap_or_default()
                    ));
                }
                url
            }
            None => Url::parse(PAGERDUTY_EVENTS_URL)?,
        };

        let secrets = signing_secrets(webhook, config_path, environment)?;
        let routing_key = webhook.routing_key.as_ref().map(read_secret).transpose()?;
        let mut headers = Vec::with_capacity(webhook.headers.len());
        for (name, setting) in &webhook.headers {
            headers.push(ExtraHeader {
                name: name.clone(),
                value: read(setting)?,
                sensitive: !setting.value.is_literal() || is_credential_header(name),
            });
        }

        let ca_certificate = match &webhook.ca_cert {
            Some(setting) => {
                let pem = std::fs::read(&setting.value).map_err(|error| {
                    anyhow!(
                        "{file}:{}:{}: {}: cannot read {}: {error}",
                        setting.location.line,
                        setting.location.column,
                        setting.key,
                        setting.value.display()
                    )
                })?;
                crate::delivery::http::check_certificates(&pem).map_err(|reason| {
                    anyhow!(
                        "{file}:{}:{}: {}: {} {reason}",
                        setting.location.line,
                        setting.location.column,
                        setting.key,
                        setting.value.display()
                    )
                })?;
                Some((setting.value.clone(), pem))
            }
            None => None,
        };

        Ok(Target {
            ca_certificate,
            name: webhook.name.clone(),
            channel: webhook.channel,
            masked_url: webhook.channel.mask_url(&url),
            url: Secret::new(url),
            secrets,
            routing_key,
            headers,
            policy: webhook.delivery,
            formatter,
        })
    }

    pub fn format_context(&self) -> FormatContext<'_> {
        FormatContext {
            routing_key: self.routing_key.as_ref().map(|key| key.expose().as_str()),
        }
    }

    /// The request with every docs/reference.md §5 header, signed now (Standard Webhooks signs the time).
    pub fn request(&self, event: Event, delivery_id: &str, body: &[u8]) -> Request {
        let mut headers = vec![
            ("Content-Type".to_string(), "application/json".to_string()),
            ("User-Agent".to_string(), USER_AGENT.to_string()),
            ("X-CodeStax-Event".to_string(), event.as_str().to_string()),
            ("X-CodeStax-Delivery".to_string(), delivery_id.to_string()),
        ];
        if !self.secrets.is_empty() {
            let secrets: Vec<&str> = self
                .secrets
                .iter()
                .map(|secret| secret.expose().as_str())
                .collect();
            headers.push((
                "X-CodeStax-Signature".into(),
                signing::codestax_header(&secrets, body),
            ));
            let timestamp = jiff::Timestamp::now().as_second();
            if let Some(signature) =
                signing::standard_webhooks_header(&secrets, delivery_id, timestamp, body)
            {
                headers.push(("webhook-id".into(), delivery_id.to_string()));
                headers.push(("webhook-timestamp".into(), timestamp.to_string()));
                headers.push(("webhook-signature".into(), signature));
            }
        }
        for header in &self.headers {
            headers.push((header.name.clone(), header.value.clone()));
        }
        Request {
            url: self.url.expose().clone(),
            headers,
            body: body.to_vec(),
        }
    }

    /// The request's headers as they may be shown or stored: sensitive extra headers redacted.
    pub fn displayable_headers(&self, request: &Request) -> Vec<(String, String)> {
        request
            .headers
            .iter()
            .map(|(name, value)| {
                let sensitive = self
                    .headers
                    .iter()
                    .any(|header| header.sensitive && header.name.eq_ignore_ascii_case(name));
                let shown = if sensitive {
                    crate::redact::REDACTED.to_string()
                } else {
                    value.clone()
                };
                (name.clone(), shown)
            })
            .collect()
    }
}

/// The webhook's signing secrets, newest first (empty when it signs nothing): the current one
/// and, during a `rotate-secret` grace period, the previous one.
pub fn signing_secrets(
    webhook: &WebhookConfig,
    config_path: &std::path::Path,
    environment: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Vec<Secret>> {
    let Some(setting) = &webhook.secret else {
        return Ok(Vec::new());
    };
    let mut secrets = vec![read_signing_secret(setting, config_path, environment)?];
    if let Some((previous, until)) = &webhook.previous_secret {
        if jiff::Timestamp::now() < *until {
            secrets.push(read_signing_secret(previous, config_path, environment)?);
        }
    }
    Ok(secrets)
}

/// A signing secret: like any secret setting, and never empty.
fn read_signing_secret(
    setting: &SecretSetting,
    config_path: &std::path::Path,
    environment: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Secret> {
    let secret = read_secret_setting(setting, config_path, environment)?;
    if secret.is_empty() {
        return Err(anyhow!(
            "{}:{}:{}: {} is empty",
            config_path.display(),
            setting.location.line,
            setting.location.column,
            setting.key
        ));
    }
    Ok(Secret::new(secret))
}

fn read_secret_setting(
    setting: &SecretSetting,
    config_path: &std::path::Path,
    environment: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<String> {
    let Setting {
        value,
        key,
        location,
    } = setting;
    read_template(value.expose(), key, *location, config_path, environment)
}

fn read_setting(
    setting: &Setting<Template>,
    config_path: &std::path::Path,
    environment: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<String> {
    let Setting {
        value,
        key,
        location,
    } = setting;
    read_template(value, key, *location, config_path, environment)
}

/// Reads a `${VAR}` value; the error names the variable, the key and where it is (never
/// the value).
fn read_template(
    template: &Template,
    key: &str,
    location: Location,
    config_path: &std::path::Path,
    environment: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<String> {
    template.resolve(environment).map_err(|variable| {
        anyhow!(
            "{}:{}:{}: {key} uses ${{{variable}}}, which is not set",
            config_path.display(),
            location.line,
            location.column,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn load(text: &str) -> Config {
        Config::parse(std::path::Path::new("c.toml"), text, &|_| None).unwrap()
    }

    #[test]
    fn missing_variable_names_key_and_location() {
        let config =
            load("[webhooks.a]\nurl = \"https://x.example/\"\nsecret = \"${HOOK_SECRET}\"\n");
        let error = Target::resolve(&config.webhooks[0], std::path::Path::new("c.toml"), &|_| {
            None
        })
        .err()
        .unwrap();
        assert_eq!(
            error.to_string(),
            "c.toml:3:10: webhooks.a.secret uses ${HOOK_SECRET}, which is not set"
        );
    }

    #[test]
    fn refuses_plain_http_off_loopback_unless_allowed() {
        let config = load("[webhooks.a]\nurl = \"http://example.com/h\"\n[webhooks.b]\nurl = \"http://example.com/h\"\nallow_insecure = true\n[webhooks.c]\nurl = \"http://127.0.0.1:9/h\"\n");
        let path = std::path::Path::new("c.toml");
        let error = Target::resolve(&config.webhooks[0], path, &|_| None)
            .err()
            .unwrap();
        assert!(
            error
                .to_string()
                .contains("plain http:// to example.com is refused"),
            "{error}"
        );
        assert!(Target::resolve(&config.webhooks[1], path, &|_| None).is_ok());
        assert!(Target::resolve(&config.webhooks[2], path, &|_| None).is_ok());
    }

    #[test]
    fn request_headers_and_redaction() {
        let config = load(
            "[webhooks.a]\nurl = \"https://x.example/h\"\nsecret = \"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"\nheaders = { \"X-Team\" = \"appsec\", \"X-Api-Key\" = \"k1\", \"X-From-Env\" = \"${V}\" }\n",
        );
        let environment = |name: &str| (name == "V").then(|| "from-env".to_string());
        let target = Target::resolve(
            &config.webhooks[0],
            std::path::Path::new("c.toml"),
            &environment,
        )
        .unwrap();
        let request = target.request(Event::KevFound, "d-1", b"{}");
        let names: Vec<&str> = request
            .headers
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "Content-Type",
                "User-Agent",
                "X-CodeStax-Event",
                "X-CodeStax-Delivery",
                "X-CodeStax-Signature",
                "webhook-id",
                "webhook-timestamp",
                "webhook-signature",
                "X-Team",
                "X-Api-Key",
                "X-From-Env"
            ]
        );
        let shown = target.displayable_headers(&request);
        let value = |name: &str| shown.iter().find(|(n, _)| n == name).unwrap().1.clone();
        assert_eq!(value("X-Team"), "appsec");
        assert_eq!(value("X-Api-Key"), crate::redact::REDACTED);
        assert_eq!(value("X-From-Env"), crate::redact::REDACTED);
        assert_eq!(
            value("X-CodeStax-Signature"),
            signing::codestax_signature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", b"{}")
        );
    }
}
