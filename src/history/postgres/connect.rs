//! Connecting to the PostgreSQL server of a history: the URL turned into a
//! `tokio_postgres::Config` (a host starting with `/` is the folder of the server's Unix
//! socket, as in libpq), and TLS through rustls (ring, no OpenSSL) with libpq's `sslmode`
//! meanings: `disable` never, `prefer` when offered, `require` always, and the certificate
//! checked against `sslrootcert` (else the Mozilla roots) for `verify-ca` (any host name) and
//! `verify-full` (this host name), and for `require` when `sslrootcert` is given, as libpq does.

use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres::config::SslMode as DriverSslMode;
use tokio_postgres::Client;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::history::location::{PostgresUrl, SslMode};
use crate::history::HistoryError;

/// Keepalive probes start after this much silence, so a server that vanished without closing
/// the connection (a power cut, a dropped network) is noticed in about a minute, not hours.
const KEEPALIVE_IDLE: Duration = Duration::from_secs(30);

/// The TLS connector and driver settings for one URL, built once per history.
pub(super) struct Connector {
    config: tokio_postgres::Config,
    tls: MakeRustlsConnect,
    timeout: Duration,
    /// The server's socket file, when it is reached through a Unix socket.
    socket: Option<std::path::PathBuf>,
}

impl Connector {
    pub(super) fn new(url: &PostgresUrl, location: &str) -> Result<Connector, HistoryError> {
        let mut config = tokio_postgres::Config::new();
        config
            .user(&url.user)
            .host(&url.host)
            .port(url.port)
            .dbname(&url.database)
            .connect_timeout(url.connect_timeout)
            .keepalives(true)
            .keepalives_idle(KEEPALIVE_IDLE)
            .application_name(url.application_name.as_deref().unwrap_or("staxhook"))
            .ssl_mode(match url.ssl_mode {
                // PostgreSQL offers TLS over TCP only, so over a socket `prefer` means plain,
                // as in libpq (the stricter modes were refused when the URL was read).
                _ if url.uses_socket() => DriverSslMode::Disable,
                SslMode::Disable => DriverSslMode::Disable,
                SslMode::Prefer => DriverSslMode::Prefer,
                SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
                    DriverSslMode::Require
                }
            });
        if let Some(password) = &url.password {
            config.password(password.expose().as_bytes());
        }
        Ok(Connector {
            config,
            tls: MakeRustlsConnect::new(client_config(url, location)?),
            timeout: url.connect_timeout,
            socket: url
                .uses_socket()
                .then(|| std::path::Path::new(&url.host).join(format!(".s.PGSQL.{}", url.port))),
        })
    }

    /// A new connection, or why there is none (one line, without the password); its driver
    /// task runs on the caller's runtime. The timeout covers the whole start-up (TCP, TLS,
    /// authentication), not only the TCP connect, so a server that accepts but never
    /// answers cannot hang a run.
    pub(super) async fn connect(&self) -> Result<Client, String> {
        let attempt = self.config.connect(self.tls.clone());
        let (client, connection) = match tokio::time::timeout(self.timeout, attempt).await {
            Ok(Ok(connected)) => connected,
            Ok(Err(error)) => {
                return Err(match &self.socket {
                    // The driver says only "No such file or directory".
                    Some(socket) if is_not_found(&error) => format!(
                        "cannot connect: no server socket {} (is the server running, and \
                         is that its socket folder and port?)",
                        socket.display()
                    ),
                    _ => format!("cannot connect: {}", describe(&error)),
                });
            }
            Err(_) => {
                return Err(format!(
                    "cannot connect: no answer within {} s (connect_timeout)",
                    self.timeout.as_secs()
                ))
            }
        };
        tokio::spawn(async move {
            // The error, if any, reaches the caller through the next statement's result.
            let _ = connection.await;
        });
        Ok(client)
    }
}

fn is_not_found(error: &tokio_postgres::Error) -> bool {
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            return io.kind() == std::io::ErrorKind::NotFound;
        }
        cause = inner.source();
    }
    false
}

/// One line for a driver error: the server's own message for a database error (without
/// libpq's `FATAL:` prefix), else the driver's description with its cause.
pub(super) fn describe(error: &tokio_postgres::Error) -> String {
    if let Some(database) = error.as_db_error() {
        return database.message().to_string();
    }
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        let shown = inner.to_string();
        // Some causes repeat their own cause in their text; show each part once.
        if !text.ends_with(&shown) {
            text.push_str(": ");
            text.push_str(&shown);
        }
        cause = inner.source();
    }
    text.replace(['\n', '\r'], " ")
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The rustls client settings for the URL's `sslmode` and `sslrootcert`.
fn client_config(url: &PostgresUrl, location: &str) -> Result<ClientConfig, HistoryError> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|error| HistoryError::Unavailable {
            location: location.to_string(),
            reason: format!("TLS setup: {error}"),
        })?;
    let checked = match url.ssl_mode {
        SslMode::Disable | SslMode::Prefer => false,
        SslMode::Require => url.ssl_root_certificate.is_some(),
        SslMode::VerifyCa | SslMode::VerifyFull => true,
    };
    if !checked {
        // libpq's `prefer` and `require`: encrypted, but the certificate is not checked.
        return Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
            .with_no_client_auth());
    }
    let mut roots = RootCertStore::empty();
    match &url.ssl_root_certificate {
        Some(path) => {
            let problem = |reason: String| HistoryError::Certificate {
                location: location.to_string(),
                path: path.clone(),
                reason,
            };
            let pem = std::fs::read(path).map_err(|error| problem(error.to_string()))?;
            for certificate in CertificateDer::pem_slice_iter(&pem) {
                let certificate = certificate.map_err(|error| problem(format!("{error:?}")))?;
                roots
                    .add(certificate)
                    .map_err(|error| problem(error.to_string()))?;
            }
            if roots.is_empty() {
                return Err(problem("holds no PEM certificate".into()));
            }
        }
        None => {
            for certificate in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
                let _ = roots.add(certificate.clone());
            }
        }
    }
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .map_err(|error| HistoryError::Unavailable {
            location: location.to_string(),
            reason: format!("TLS setup: {error}"),
        })?;
    let builder = builder.dangerous();
    Ok(if url.ssl_mode == SslMode::VerifyFull {
        builder.with_custom_certificate_verifier(verifier)
    } else {
        builder.with_custom_certificate_verifier(Arc::new(AnyHostName(verifier)))
    }
    .with_no_client_auth())
}

/// `prefer`/`require` without a root: any certificate, as libpq does; the handshake's own
/// signatures are still checked, so the session is at least encrypted to the key presented.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            certificate,
            signature,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            certificate,
            signature,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the chain must lead to a trusted root; the name in it is not compared.
#[derive(Debug)]
struct AnyHostName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyHostName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0
            .verify_tls12_signature(message, certificate, signature)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0
            .verify_tls13_signature(message, certificate, signature)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}
