//! Channels: which service a webhook talks to, how its URL is recognised and masked,
//! and the one trait every message formatter implements.

mod discord;
mod generic;
pub mod message;
mod pagerduty;
mod slack;
mod teams;
pub mod text;

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use url::Url;

use crate::envelope::Envelope;
use crate::names::{self, Named, UnknownName};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Slack,
    Teams,
    Discord,
    Pagerduty,
    Generic,
}

/// The Events API v2 endpoint, used when a PagerDuty webhook names no URL.
pub const PAGERDUTY_EVENTS_URL: &str = "https://events.pagerduty.com/v2/enqueue";

impl Channel {
    pub const ALL: [Channel; 5] = [
        Channel::Slack,
        Channel::Teams,
        Channel::Discord,
        Channel::Pagerduty,
        Channel::Generic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Slack => "slack",
            Channel::Teams => "teams",
            Channel::Discord => "discord",
            Channel::Pagerduty => "pagerduty",
            Channel::Generic => "generic",
        }
    }

    /// Guesses the channel from a webhook URL (docs/reference.md §2); anything unrecognised is generic.
    pub fn infer(url: &Url) -> Channel {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let path = url.path();
        let host_is = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
        // hooks.slack-gov.com is Slack's GovSlack: its URLs carry the same secret path.
        if host == "hooks.slack.com" || host == "hooks.slack-gov.com" {
            Channel::Slack
        } else if (host_is("discord.com") || host_is("discordapp.com"))
            && path.starts_with("/api/webhooks")
        {
            Channel::Discord
        } else if host.ends_with(".webhook.office.com")
            || host.ends_with(".logic.azure.com")
            || host.ends_with(".powerplatform.com")
            || host_is("powerautomate.com")
        {
            Channel::Teams
        } else if host == "events.pagerduty.com" || host == "events.eu.pagerduty.com" {
            // The EU service region has its own host; the URL given is the one sent to.
            Channel::Pagerduty
        } else {
            Channel::Generic
        }
    }

    /// Chat and incident URLs are credentials themselves, so only their first path segment shows.
    pub fn url_is_secret(self) -> bool {
        self != Channel::Generic
    }

    /// The URL as it may be shown and stored (docs/reference.md §6): credential URLs cut after the first
    /// path segment, generic URLs without their query string or user info.
    pub fn mask_url(self, url: &Url) -> String {
        let mut shown = format!("{}://", url.scheme());
        if !url.username().is_empty() || url.password().is_some() {
            shown.push_str("…@");
        }
        shown.push_str(url.host_str().unwrap_or_default());
        if let Some(port) = url.port() {
            shown.push_str(&format!(":{port}"));
        }
        if self.url_is_secret() {
            let mut segments = url.path().trim_start_matches('/').splitn(2, '/');
            let first = segments.next().unwrap_or_default();
            shown.push('/');
            shown.push_str(first);
            if segments.next().is_some_and(|rest| !rest.is_empty()) || url.query().is_some() {
                shown.push_str("/…");
            }
        } else {
            shown.push_str(url.path());
            if url.query().is_some() {
                shown.push_str("?…");
            }
        }
        shown
    }

    /// Events a webhook of this channel gets when its config lists none.
    pub fn default_events(self) -> &'static [crate::event::Event] {
        match self {
            Channel::Pagerduty => &crate::event::Event::PAGING,
            _ => &crate::event::Event::ALL,
        }
    }

    /// The message formatter for this service.
    pub fn formatter(self) -> &'static dyn Formatter {
        match self {
            Channel::Generic => &generic::Generic,
            Channel::Slack => &slack::Slack,
            Channel::Teams => &teams::Teams,
            Channel::Discord => &discord::Discord,
            Channel::Pagerduty => &pagerduty::Pagerduty,
        }
    }
}

impl serde::Serialize for Channel {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl Named for Channel {
    const KIND: &'static str = "channel";

    fn all() -> &'static [Channel] {
        &Channel::ALL
    }

    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl FromStr for Channel {
    type Err = UnknownName;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        names::parse(name)
    }
}

/// What a formatter may need besides the envelope: credentials that go inside the body.
#[derive(Debug, Clone, Copy, Default)]
pub struct FormatContext<'a> {
    /// PagerDuty's integration key.
    pub routing_key: Option<&'a str>,
}

/// Turns the envelope into one service's message and reads that service's answers.
pub trait Formatter: ResponseHints + Sync {
    /// The exact request body bytes (these are what gets signed).
    fn body(&self, envelope: &Envelope, context: &FormatContext) -> Vec<u8>;

    /// The body as it may be shown (`--dry-run`) and stored in the history: credentials that
    /// travel inside it (PagerDuty's routing key) replaced by `"[redacted]"`.
    fn redacted_body(&self, body: &[u8]) -> String {
        String::from_utf8_lossy(body).into_owned()
    }

    /// A stored (redacted) body made sendable again, for `redeliver`.
    fn restored_body(&self, stored: &str, _context: &FormatContext) -> Vec<u8> {
        stored.as_bytes().to_vec()
    }

    /// The key of the incident a message opens, for services that keep incidents (PagerDuty's
    /// `dedup_key`); `None` for the others.
    fn incident_key(&self, _envelope: &Envelope) -> Option<String> {
        None
    }

    /// The body that closes the incident opened under `incident_key`, for services that keep
    /// incidents; `None` for the others.
    fn resolve_body(&self, _incident_key: &str, _context: &FormatContext) -> Option<Vec<u8>> {
        None
    }

    /// The least time between two messages to one webhook in one run, so a burst (e.g.
    /// `redeliver --failed`) stays under the service's rate limit instead of earning 429s.
    fn pacing(&self) -> Duration {
        Duration::ZERO
    }
}

pub use crate::delivery::engine::ResponseHints;

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn infers_channels_from_urls() {
        let cases = [
            ("https://hooks.slack.com/services/T0/B0/XXX", Channel::Slack),
            ("https://discord.com/api/webhooks/1/abc", Channel::Discord),
            (
                "https://discordapp.com/api/webhooks/1/abc",
                Channel::Discord,
            ),
            ("https://discord.com/channels/1", Channel::Generic),
            (
                "https://acme.webhook.office.com/webhookb2/x",
                Channel::Teams,
            ),
            (
                "https://prod-01.westus.logic.azure.com:443/workflows/x",
                Channel::Teams,
            ),
            (
                "https://x.environment.api.powerplatform.com/powerautomate",
                Channel::Teams,
            ),
            (
                "https://events.pagerduty.com/v2/enqueue",
                Channel::Pagerduty,
            ),
            (
                "https://hooks.slack-gov.com/services/T0/B0/XXX",
                Channel::Slack,
            ),
            (
                "https://ptb.discord.com/api/webhooks/1/abc",
                Channel::Discord,
            ),
            (
                "https://canary.discord.com/api/webhooks/1/abc",
                Channel::Discord,
            ),
            (
                "https://prod-12.westeurope.powerautomate.com/workflows/x",
                Channel::Teams,
            ),
            (
                "https://EVENTS.EU.PAGERDUTY.COM/v2/enqueue",
                Channel::Pagerduty,
            ),
            (
                "https://hooks.slack-gov.com.evil.example/services/x",
                Channel::Generic,
            ),
            ("https://powerautomate.com.evil.example/x", Channel::Generic),
            (
                "https://events.eu.pagerduty.com.evil.example/v2",
                Channel::Generic,
            ),
            ("https://siem.example.com/hooks", Channel::Generic),
            (
                "https://hooks.slack.com.evil.example/services/x",
                Channel::Generic,
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(Channel::infer(&url(text)), expected, "{text}");
        }
    }

    #[test]
    fn masks_credential_urls() {
        assert_eq!(
            Channel::Slack.mask_url(&url("https://hooks.slack.com/services/T0/B0/XXXX")),
            "https://hooks.slack.com/services/…"
        );
        assert_eq!(
            Channel::Pagerduty.mask_url(&url(PAGERDUTY_EVENTS_URL)),
            "https://events.pagerduty.com/v2/…"
        );
        for (text, shown) in [
            (
                "https://hooks.slack-gov.com/services/T0/B0/XXXX",
                "https://hooks.slack-gov.com/services/…",
            ),
            (
                "https://events.eu.pagerduty.com/v2/enqueue",
                "https://events.eu.pagerduty.com/v2/…",
            ),
            (
                "https://prod-12.westeurope.powerautomate.com/workflows/abc/triggers/manual?sig=s3cret",
                "https://prod-12.westeurope.powerautomate.com/workflows/…",
            ),
        ] {
            let parsed = url(text);
            assert_eq!(Channel::infer(&parsed).mask_url(&parsed), shown);
        }
        assert_eq!(
            Channel::Generic.mask_url(&url("http://user:pw@127.0.0.1:8080/hook/a?token=s3cret")),
            "http://…@127.0.0.1:8080/hook/a?…"
        );
        assert_eq!(
            Channel::Generic.mask_url(&url("https://siem.example.com/hooks/codestax")),
            "https://siem.example.com/hooks/codestax"
        );
    }

    #[test]
    fn unknown_channel_suggests() {
        let error = "slak".parse::<Channel>().unwrap_err();
        assert!(
            error.to_string().contains("did you mean `slack`?"),
            "{error}"
        );
    }
}
