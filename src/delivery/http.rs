//! The real transport (reqwest over rustls) and the real clock.

use std::error::Error as _;
use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::engine::{
    AttemptResult, Clock, Request, Response, Transport, TransportError, TransportErrorKind,
};

/// Responses are read this far and no further; the rest is discarded.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

pub struct HttpTransport {
    client: reqwest::Client,
}

impl HttpTransport {
    /// A client trusting the usual roots plus, when given, the certificates of a PEM file.
    pub fn new(user_agent: &str, extra_roots_pem: Option<&[u8]>) -> anyhow::Result<HttpTransport> {
        let mut builder = client_builder()
            .user_agent(user_agent)
            // A 3xx is reported, never followed: following could send a signed payload elsewhere.
            .redirect(reqwest::redirect::Policy::none());
        if let Some(pem) = extra_roots_pem {
            for certificate in reqwest::Certificate::from_pem_bundle(pem)? {
                builder = builder.add_root_certificate(certificate);
            }
        }
        Ok(HttpTransport {
            client: builder.build()?,
        })
    }
}

/// A reqwest client builder that verifies TLS with rustls (ring) against the Mozilla root set
/// only; callers may add roots (`ca_cert`). reqwest 0.13 would otherwise trust the OS store.
pub fn client_builder() -> reqwest::ClientBuilder {
    // reqwest takes rustls's process-wide provider; Err means one is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mozilla = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .filter_map(|der| reqwest::Certificate::from_der(der).ok());
    reqwest::Client::builder().tls_certs_only(mozilla)
}

/// Checks that a PEM file holds at least one certificate reqwest can load.
pub fn check_certificates(pem: &[u8]) -> Result<(), String> {
    match reqwest::Certificate::from_pem_bundle(pem) {
        Ok(certificates) if !certificates.is_empty() => Ok(()),
        Ok(_) => Err("holds no PEM certificate".into()),
        Err(error) => Err(format!("is not a usable PEM certificate file: {error}")),
    }
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
                Ok(Err(error)) => return Err(transport_error(&error, timeout)),
                Ok(Ok(response)) => response,
            };
            let status = response.status().as_u16();
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

/// Describes a reqwest error by its causes, never its URL (which may be a credential).
fn transport_error(error: &reqwest::Error, timeout: Duration) -> TransportError {
    if error.is_timeout() {
        return timed_out(timeout);
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
    // rustls reports a refused certificate as "invalid peer certificate: …".
    let kind = if parts.iter().any(|part| part.contains("certificate")) {
        TransportErrorKind::Certificate
    } else {
        kind
    };
    let message = match parts.last() {
        // The innermost cause says what went wrong ("Connection refused (os error 111)");
        // the outer ones mostly repeat "error sending request".
        Some(innermost) if parts.len() > 1 => format!("{}: {innermost}", connection_phase(kind)),
        Some(only) => format!("{}: {only}", connection_phase(kind)),
        None => format!("{}: {}", connection_phase(kind), error.without_url_text()),
    };
    TransportError { kind, message }
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
