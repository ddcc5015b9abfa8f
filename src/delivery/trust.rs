//! Which certificates TLS trusts (docs/reference.md §8): the Mozilla root set built in, the
//! operating system's store (or what `SSL_CERT_FILE`/`SSL_CERT_DIR` name) and a webhook's
//! `ca_cert`. Verification itself is rustls's and is never turned off.
//!
//! The operating system's store is what a TLS-inspecting corporate proxy's CA is installed in,
//! so without it every HTTPS delivery behind such a proxy would fail. Reading it costs time
//! (a bundle of about 200 KB on Debian, milliseconds to read and parse), so a run reads it
//! only when it will make a TLS connection at all.

use std::collections::HashSet;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::RootCertStore;

/// The roots every client of a run trusts, before any webhook's `ca_cert`.
pub struct TrustedRoots {
    store: Arc<RootCertStore>,
    /// What could not be used from the operating system's store, for one `--verbose` line.
    pub problems: Option<String>,
}

impl TrustedRoots {
    /// The Mozilla roots and the operating system's store. A store that cannot be read, in
    /// part or at all, never fails the run: what can be used is, the rest is described in
    /// [`TrustedRoots::problems`].
    pub fn with_system_store() -> TrustedRoots {
        let mut store = mozilla();
        let loaded = read_system_store();
        // Debian's store is mostly the Mozilla set again: parsing those twice costs time and
        // trusts nothing more.
        let mozilla_certificates: HashSet<&[u8]> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .map(|certificate| certificate.as_ref())
            .collect();
        let new: Vec<CertificateDer<'static>> = loaded
            .certs
            .into_iter()
            .filter(|certificate| !mozilla_certificates.contains(certificate.as_ref()))
            .collect();
        let (_, unusable) = store.add_parsable_certificates(new);
        let mut problems: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
        if unusable > 0 {
            let plural = if unusable == 1 { "" } else { "s" };
            problems.push(format!(
                "{unusable} certificate{plural} that rustls cannot use"
            ));
        }
        TrustedRoots {
            store: Arc::new(store),
            problems: describe_problems(&problems),
        }
    }

    /// No roots: for a run that makes no TLS connection, where parsing any would cost time
    /// for nothing. Should a TLS connection happen anyway, its certificate is refused: this
    /// fails closed, never open.
    pub fn none() -> TrustedRoots {
        TrustedRoots {
            store: Arc::new(RootCertStore::empty()),
            problems: None,
        }
    }

    /// A rustls client configuration trusting these roots and, when given, the certificates of
    /// a `ca_cert` PEM file (already checked by [`parse_pem_roots`] when the webhook was
    /// resolved).
    pub fn client_config(
        &self,
        extra_roots_pem: Option<&[u8]>,
    ) -> anyhow::Result<rustls::ClientConfig> {
        let store = match extra_roots_pem {
            None => Arc::clone(&self.store),
            Some(pem) => {
                let mut store = RootCertStore::clone(&self.store);
                for certificate in parse_pem_roots(pem).map_err(anyhow::Error::msg)? {
                    store.add(certificate)?;
                }
                Arc::new(store)
            }
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(store)
            .with_no_client_auth();
        // What reqwest offers when it builds the configuration itself (HTTP/2 when the server
        // agrees, else HTTP/1.1).
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(config)
    }
}

/// The operating system's certificates. `SSL_CERT_FILE`/`SSL_CERT_DIR`, when set, name them
/// (rustls-native-certs reads only those). Otherwise, on Linux and the BSDs, the
/// distribution's bundle file is read and its certificate folder only where there is no
/// bundle: the folder holds the same certificates again, one file each (about 150 on Debian),
/// and reading them too cost 7–10 ms a run where the bundle alone cost 1.3–2.8 ms (release
/// build, Debian, a busy two-core machine). The bundle is
/// what `update-ca-certificates` and `update-ca-trust` write; OpenSSL too reads it whole and
/// looks into the folder only for a certificate it lacks.
#[cfg(all(unix, not(target_os = "macos")))]
fn read_system_store() -> rustls_native_certs::CertificateResult {
    let named = ["SSL_CERT_FILE", "SSL_CERT_DIR"]
        .iter()
        .any(|name| std::env::var_os(name).is_some());
    match openssl_probe::probe().cert_file {
        Some(bundle) if !named => rustls_native_certs::load_certs_from_paths(Some(&bundle), None),
        _ => rustls_native_certs::load_native_certs(),
    }
}

/// The operating system's certificates (macOS keychains, the Windows store), or what
/// `SSL_CERT_FILE`/`SSL_CERT_DIR` name.
#[cfg(not(all(unix, not(target_os = "macos"))))]
fn read_system_store() -> rustls_native_certs::CertificateResult {
    rustls_native_certs::load_native_certs()
}

/// The built-in Mozilla root set.
fn mozilla() -> RootCertStore {
    let mut store = RootCertStore::empty();
    store.add_parsable_certificates(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned());
    store
}

/// Problems named in the one line; a folder of broken files must not flood the terminal.
const PROBLEMS_SHOWN: usize = 3;

/// One line about what the operating system's store could not give, if anything.
fn describe_problems(problems: &[String]) -> Option<String> {
    if problems.is_empty() {
        return None;
    }
    let shown = problems[..problems.len().min(PROBLEMS_SHOWN)].join("; ");
    let more = match problems.len().saturating_sub(PROBLEMS_SHOWN) {
        0 => String::new(),
        1 => " (and 1 more problem)".to_string(),
        count => format!(" (and {count} more problems)"),
    };
    Some(format!(
        "TLS: skipped what could not be used from the operating system's certificate store: {shown}{more}"
    ))
}

/// The certificates of a PEM file, each one usable as a trust anchor; the reason otherwise.
pub fn parse_pem_roots(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let certificates = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| format!("is not a usable PEM certificate file: {error}"))?;
    if certificates.is_empty() {
        return Err("holds no PEM certificate".into());
    }
    let mut probe = RootCertStore::empty();
    for (index, certificate) in certificates.iter().enumerate() {
        probe.add(certificate.clone()).map_err(|error| {
            format!(
                "is not a usable PEM certificate file: certificate {} of {}: {error}",
                index + 1,
                certificates.len()
            )
        })?;
    }
    Ok(certificates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mozilla_set_is_always_there() {
        assert!(mozilla().len() > 100, "{}", mozilla().len());
        let roots = TrustedRoots::with_system_store();
        assert!(
            roots.store.len() >= mozilla().len(),
            "{}",
            roots.store.len()
        );
    }

    #[test]
    fn problems_read_as_one_line() {
        assert_eq!(describe_problems(&[]), None);
        let problems =
            |count: usize| -> Vec<String> { (1..=count).map(|n| n.to_string()).collect() };
        assert_eq!(
            describe_problems(&problems(2)).as_deref(),
            Some("TLS: skipped what could not be used from the operating system's certificate store: 1; 2")
        );
        assert_eq!(
            describe_problems(&problems(4)).as_deref(),
            Some("TLS: skipped what could not be used from the operating system's certificate store: 1; 2; 3 (and 1 more problem)")
        );
        assert_eq!(
            describe_problems(&problems(5)).as_deref(),
            Some("TLS: skipped what could not be used from the operating system's certificate store: 1; 2; 3 (and 2 more problems)")
        );
    }

    #[test]
    fn a_pem_file_needs_a_certificate_rustls_can_use() {
        assert_eq!(
            parse_pem_roots(b"nothing here\n"),
            Err("holds no PEM certificate".to_string())
        );
        let not_base64 = b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        assert!(parse_pem_roots(not_base64)
            .unwrap_err()
            .starts_with("is not a usable PEM certificate file"));
        // Valid base64 that is no certificate.
        let not_der = b"-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n";
        assert!(parse_pem_roots(not_der)
            .unwrap_err()
            .starts_with("is not a usable PEM certificate file: certificate 1 of 1"));
        let mozilla_pem = pem_of(webpki_root_certs::TLS_SERVER_ROOT_CERTS[0].as_ref());
        assert_eq!(
            parse_pem_roots(mozilla_pem.as_bytes()).map(|all| all.len()),
            Ok(1)
        );
    }

    fn pem_of(der: &[u8]) -> String {
        use base64::Engine as _;
        let body = base64::engine::general_purpose::STANDARD.encode(der);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|chunk| std::str::from_utf8(chunk).unwrap())
            .collect();
        format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            lines.join("\n")
        )
    }
}
