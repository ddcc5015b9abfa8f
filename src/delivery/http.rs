//! The real transport (reqwest over rustls) and the real clock.

use std::error::Error as _;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::engine::{
    AttemptResult, Clock, Request, Response, Transport, TransportError, TransportErrorKind,
};
use super::proxy::Proxies;
use super::trust::TrustedRoots;

/// Responses are read this far and no further; the rest is discarded.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

pub struct HttpTransport {
    client: reqwest::Client,
    /// Which proxy a request goes through, for naming it when it fails.
    proxies: Arc<Proxies>,
}

impl HttpTransport {
    /// A client trusting `roots` plus, when given, the certificates of a `ca_cert` PEM file,
    /// and going through `proxies`.
    pub fn new(
        user_agent: &str,
        roots: &TrustedRoots,
        extra_roots_pem: Option<&[u8]>,
        proxies: &Arc<Proxies>,
    ) -> anyhow::Result<HttpTransport> {
        let builder = client_builder(roots, extra_roots_pem, proxies)?
            .user_agent(user_agent)
            // A 3xx is reported, never followed: following could send a signed payload elsewhere.
            .redirect(reqwest::redirect::Policy::none());
        Ok(HttpTransport {
            client: builder.build()?,
            proxies: Arc::clone(proxies),
        })
    }
}

/// A reqwest client builder that verifies TLS with rustls (ring) against `roots` (and a
/// `ca_cert`'s certificates) and takes its proxies from `proxies` only. The rustls
/// configuration is built here, not by reqwest, so that the roots are parsed once a run
/// however many clients it builds, and an unusable certificate in the operating system's
/// store is skipped rather than failing the client.
pub fn client_builder(
    roots: &TrustedRoots,
    extra_roots_pem: Option<&[u8]>,
    proxies: &Arc<Proxies>,
) -> anyhow::Result<reqwest::ClientBuilder> {
    let config = roots.client_config(extra_roots_pem)?;
    Ok(proxies.apply(reqwest::Client::builder().tls_backend_preconfigured(config)))
}

/// Checks that a PEM file holds certificates rustls can trust (`ca_cert`), with the reason
/// otherwise.
pub fn check_certificates(pem: &[u8]) -> Result<(), String> {
    super::trust::parse_pem_roots(pem).map(|_| ())
}

impl Transport for HttpTransport {
    fn send(&self, request: &Request, timeout: Duration) -> impl Future<Output = AttemptResult> {
        let mut headers = HeaderMap::with_capacity(request.headers.len());
        let mut header_error = None;
        for (name, value) in &request.headers {
            match (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                (Ok(name), Ok(value)) => {
                    headers.append(name, value);
                }
                _ => {
                    header_error = Some(format!("header `{name}` has a value that cannot be sent"))
                }
            }
        }
        let builder = self
            .client
            .post(request.url.clone())
            .headers(headers)
            .body(request.body.clone());
        let proxy = self
            .proxies
            .for_url(&request.url)
            .map(|proxy| proxy.shown.clone());
        let proxies = Arc::clone(&self.proxies);
        async move {
            if let Some(message) = header_error {
                return Err(TransportError {
                    kind: TransportErrorKind::Other,
                    message,
                });
            }
            let deadline = tokio::time::Instant::now() + timeout;
            let response = match tokio::time::timeout_at(deadline, builder.send()).await {
                Err(_) => return Err(timed_out(timeout)),
                Ok(Err(error)) => {
                    let mut failure = transport_error(&error, timeout, proxy.as_deref());
                    failure.message = proxies.scrub(&failure.message);
                    return Err(failure);
                }
                Ok(Ok(response)) => response,
            };
            let status = response.status().as_u16();
            // Only a proxy answers 407; through a forward proxy (plain http://) it comes as a
            // response, through a tunnel as an error: both read the same.
            if let (407, Some(proxy)) = (status, proxy.as_deref()) {
                return Err(proxy_refused_credentials(proxy));
            }
            let headers = response
                .headers()
                .iter()
                .map(|(name, value)| {
                    (
                        name.as_str().to_string(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let (body, truncated) = read_limited(response, deadline).await;
            Ok(Response {
                status,
                headers,
                body,
                truncated,
            })
        }
    }
}

/// Reads at most `MAX_RESPONSE_BYTES`, stopping early at the attempt's deadline: a trickling
/// or endless body must not hold the delivery past its timeout. The status already counts.
async fn read_limited(
    mut response: reqwest::Response,
    deadline: tokio::time::Instant,
) -> (Vec<u8>, bool) {
    let mut body = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline, response.chunk()).await {
            Ok(Ok(Some(chunk))) => {
                let room = MAX_RESPONSE_BYTES - body.len();
                if chunk.len() > room {
                    body.extend_from_slice(&chunk[..room]);
                    return (body, true);
                }
                body.extend_from_slice(&chunk);
                if body.len() == MAX_RESPONSE_BYTES {
                    // Full: anything further is discarded, so peek for more only to flag it.
                    let more = matches!(
                        tokio::time::timeout_at(deadline, response.chunk()).await,
                        Ok(Ok(Some(_))) | Err(_)
                    );
                    return (body, more);
                }
            }
            Ok(Ok(None)) => return (body, false),
            // The connection broke or the deadline came mid-body: keep what arrived, flagged.
            Ok(Err(_)) | Err(_) => return (body, true),
        }
    }
}

fn timed_out(timeout: Duration) -> TransportError {
    TransportError {
        kind: TransportErrorKind::Timeout,
        message: format!("timed out after {}", crate::duration::format_short(timeout)),
    }
}

/// Describes a reqwest error by its causes, never its URL (which may be a credential); through
/// a proxy, the message names the proxy (credentials masked).
fn transport_error(
    error: &reqwest::Error,
    timeout: Duration,
    proxy: Option<&str>,
) -> TransportError {
    if error.is_timeout() {
        let mut failure = timed_out(timeout);
        if let Some(proxy) = proxy {
            failure
                .message
                .push_str(&format!(" (through proxy {proxy})"));
        }
        return failure;
    }
    let kind = if error.is_connect() {
        TransportErrorKind::Connect
    } else {
        TransportErrorKind::Other
    };
    let mut parts: Vec<String> = Vec::new();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    if let Some(proxy) = proxy {
        if let Some(failure) = tunnel_failure(&parts, proxy) {
            return failure;
        }
    }
    // rustls reports a refused certificate as "invalid peer certificate: …".
    let kind = if parts.iter().any(|part| part.contains("certificate")) {
        TransportErrorKind::Certificate
    } else {
        kind
    };
    let mut message = match parts.last() {
        // The innermost cause says what went wrong ("Connection refused (os error 111)");
        // the outer ones mostly repeat "error sending request".
        Some(innermost) if parts.len() > 1 => format!("{}: {innermost}", connection_phase(kind)),
        Some(only) => format!("{}: {only}", connection_phase(kind)),
        None => format!("{}: {}", connection_phase(kind), error.without_url_text()),
    };
    if let Some(proxy) = proxy {
        message = match kind {
            // Through a proxy the only connection staxhook opens itself is the one to the proxy.
            TransportErrorKind::Connect => message.replacen(
                "connection failed",
                &format!("connection to proxy {proxy} failed"),
                1,
            ),
            _ => format!("{message} (through proxy {proxy})"),
        };
    }
    TransportError { kind, message }
}

/// The proxy's own refusals of a tunnel (`CONNECT`), as hyper-util words them; `None` when the
/// failure came from elsewhere.
fn tunnel_failure(parts: &[String], proxy: &str) -> Option<TransportError> {
    let says = |text: &str| parts.iter().any(|part| part.contains(text));
    let (kind, message) = if says("tunnel error: proxy authorization required") {
        return Some(proxy_refused_credentials(proxy));
    } else if says("tunnel error: unsuccessful") {
        (
            TransportErrorKind::Connect,
            format!("proxy {proxy} refused the tunnel (its answer to CONNECT was not 200)"),
        )
    } else if says("tunnel error: unexpected end of file") {
        (
            TransportErrorKind::Connect,
            format!("proxy {proxy} closed the connection without answering CONNECT"),
        )
    } else {
        return None;
    };
    Some(TransportError { kind, message })
}

/// A proxy that wants credentials (HTTP 407): retrying with the same ones cannot help.
fn proxy_refused_credentials(proxy: &str) -> TransportError {
    TransportError {
        kind: TransportErrorKind::ProxyAuthentication,
        message: format!(
            "proxy {proxy} wants credentials or refused them (HTTP 407 Proxy Authentication Required)"
        ),
    }
}

fn connection_phase(kind: TransportErrorKind) -> &'static str {
    match kind {
        TransportErrorKind::Connect => "connection failed",
        TransportErrorKind::Certificate => "TLS certificate refused",
        _ => "request failed",
    }
}

trait WithoutUrlText {
    fn without_url_text(&self) -> String;
}

impl WithoutUrlText for reqwest::Error {
    fn without_url_text(&self) -> String {
        let mut copy_text = self.to_string();
        if let Some(url) = self.url() {
            copy_text = copy_text.replace(url.as_str(), "…");
        }
        copy_text
    }
}

/// Wall-clock time and tokio's timer.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
    fn wall_time(&self) -> SystemTime {
        SystemTime::now()
    }
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> {
        tokio::time::sleep(duration)
    }
}
