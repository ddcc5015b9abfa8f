//! A tiny HTTPS server for integration tests, plus a throw-away PKI for it.
//!
//! * [`TestPki::generate`] makes a CA certificate and a server certificate for
//!   `localhost` and `127.0.0.1` signed by that CA (rcgen), and the rustls
//!   server config that serves it.
//! * [`TlsServer::start`] listens on `127.0.0.1:0` (std `TcpListener`, one
//!   thread per connection, `rustls::ServerConnection` in a
//!   `rustls::StreamOwned`), reads one HTTP/1.1 request per connection,
//!   records it, and answers `200` with `Connection: close`.
//! * Connections whose TLS handshake fails are counted and their error kept, so
//!   a test can tell "the client tried and refused our certificate" from "the
//!   client never connected".

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::http_head;

/// How often the (non-blocking) accept loop checks for connections and shutdown.
const ACCEPT_POLL: Duration = Duration::from_millis(5);
/// A connection that sends nothing for this long is dropped.
const IDLE: Duration = Duration::from_secs(10);
/// Upper bound for a request (head and body).
const MAX_REQUEST: usize = 4 * 1024 * 1024;

/// A CA and a server certificate it signed, ready to serve.
pub struct TestPki {
    /// The CA certificate, PEM: what a client must trust.
    pub ca_pem: String,
    pub server_config: Arc<rustls::ServerConfig>,
}

impl TestPki {
    /// A fresh CA and a server certificate for `localhost` and `127.0.0.1`.
    pub fn generate() -> TestPki {
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "staxhook test CA");
        ca_params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        let ca_key = rcgen::KeyPair::generate().expect("CA key");
        let ca = ca_params.self_signed(&ca_key).expect("self-sign CA");

        let mut params =
            rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
                .expect("server params");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "localhost");
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let key = rcgen::KeyPair::generate().expect("server key");
        let issuer = rcgen::Issuer::from_params(&ca_params, &ca_key);
        let server = params.signed_by(&key, &issuer).expect("sign server");

        let chain: Vec<CertificateDer<'static>> = vec![server.der().clone()];
        let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let server_config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(chain, private)
            .expect("server certificate");
        TestPki {
            ca_pem: ca.pem(),
            server_config: Arc::new(server_config),
        }
    }
}

/// One request as received over TLS.
#[derive(Clone, Debug)]
pub struct TlsRequest {
    pub method: String,
    /// Request target as sent (`/hook?x=1`).
    pub path: String,
    /// Names lowercased, values trimmed, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl TlsRequest {
    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        super::server::first_header(&self.headers, name)
    }
}

#[derive(Default)]
struct State {
    requests: Vec<TlsRequest>,
    /// Errors of connections that never got through the TLS handshake.
    handshake_errors: Vec<String>,
}

struct Shared {
    shutdown: AtomicBool,
    connections: AtomicUsize,
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// HTTPS server on 127.0.0.1 answering every request with 200. Dropping it stops accepting.
pub struct TlsServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_thread: Option<JoinHandle<()>>,
}

impl TlsServer {
    pub fn start(config: Arc<rustls::ServerConfig>) -> TlsServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("tls server: bind");
        listener
            .set_nonblocking(true)
            .expect("tls server: set_nonblocking");
        let addr = listener.local_addr().expect("tls server: local_addr");
        let shared = Arc::new(Shared {
            shutdown: AtomicBool::new(false),
            connections: AtomicUsize::new(0),
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        });
        let accept_shared = Arc::clone(&shared);
        let accept_thread = thread::Builder::new()
            .name(format!("tls-server-{}-accept", addr.port()))
            .spawn(move || accept_loop(listener, config, accept_shared))
            .expect("tls server: spawn accept thread");
        TlsServer {
            addr,
            shared,
            accept_thread: Some(accept_thread),
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `https://HOST:PORT/path` (`HOST` is `127.0.0.1` or `localhost`).
    pub fn url(&self, host: &str, path: &str) -> String {
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        format!("https://{host}:{}{path}", self.addr.port())
    }

    /// Complete requests received, in order.
    pub fn requests(&self) -> Vec<TlsRequest> {
        self.shared.state().requests.clone()
    }

    /// TCP connections accepted (whether or not TLS succeeded).
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Why connections failed during the handshake (e.g. the client's alert).
    pub fn handshake_errors(&self) -> Vec<String> {
        self.shared.state().handshake_errors.clone()
    }

    /// Waits until `done` holds for (requests, handshake errors) or `timeout` passes.
    pub fn wait_until(&self, timeout: Duration, done: impl Fn(&[TlsRequest], &[String]) -> bool) {
        let deadline = Instant::now() + timeout;
        let mut state = self.shared.state();
        while !done(&state.requests, &state.handshake_errors) {
            let now = Instant::now();
            if now >= deadline {
                return;
            }
            state = self
                .shared
                .changed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        if let Some(thread) = self.accept_thread.take() {
            let _ = thread.join();
        }
    }
}

fn accept_loop(listener: TcpListener, config: Arc<rustls::ServerConfig>, shared: Arc<Shared>) {
    while !shared.shutdown.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                shared.connections.fetch_add(1, Ordering::SeqCst);
                let config = Arc::clone(&config);
                let shared = Arc::clone(&shared);
                // Detached: a connection ends by itself (request answered, client gone, or IDLE).
                let _ = thread::Builder::new()
                    .name("tls-server-conn".into())
                    .spawn(move || handle(stream, config, shared));
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => thread::sleep(ACCEPT_POLL),
            Err(_) => thread::sleep(ACCEPT_POLL),
        }
    }
}

fn handle(stream: TcpStream, config: Arc<rustls::ServerConfig>, shared: Arc<Shared>) {
    let setup = stream
        .set_nonblocking(false)
        .and_then(|_| stream.set_read_timeout(Some(IDLE)))
        .and_then(|_| stream.set_write_timeout(Some(IDLE)));
    if setup.is_err() {
        return;
    }
    let connection = match rustls::ServerConnection::new(config) {
        Ok(connection) => connection,
        Err(e) => {
            note_handshake_error(&shared, e.to_string());
            return;
        }
    };
    let mut tls = rustls::StreamOwned::new(connection, stream);
    match read_request(&mut tls) {
        Ok(Some(request)) => {
            shared.state().requests.push(request);
            shared.changed.notify_all();
            let _ = tls.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\
                  Connection: close\r\n\r\nok",
            );
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
        Ok(None) => {
            if tls.conn.is_handshaking() {
                note_handshake_error(&shared, "connection closed during the handshake".into());
            }
        }
        Err(e) => {
            if tls.conn.is_handshaking() {
                note_handshake_error(&shared, e.to_string());
            }
        }
    }
}

fn note_handshake_error(shared: &Shared, error: String) {
    shared.state().handshake_errors.push(error);
    shared.changed.notify_all();
}

/// One request (Content-Length bodies only; staxhook sends no chunked bodies).
/// `Ok(None)` when the peer went away before a complete request.
fn read_request(stream: &mut impl Read) -> io::Result<Option<TlsRequest>> {
    let Some((mut buf, head_end)) = http_head::read_head(stream, MAX_REQUEST)? else {
        return Ok(None);
    };
    let (request_line, headers) = http_head::parse_head(&buf[..head_end]);
    let mut first = request_line.split_whitespace();
    let method = first.next().unwrap_or_default().to_string();
    let path = first.next().unwrap_or_default().to_string();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    if head_end + length > MAX_REQUEST {
        return Ok(None);
    }
    let mut tmp = [0u8; 16 * 1024];
    while buf.len() < head_end + length {
        let n = stream.read(&mut tmp)?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&tmp[..n]);
    }
    Ok(Some(TlsRequest {
        method,
        path,
        headers,
        body: buf[head_end..head_end + length].to_vec(),
    }))
}
