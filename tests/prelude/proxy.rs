//! A tiny HTTP proxy on loopback for integration tests, on plain `std`.
//!
//! * Listens on `127.0.0.1:0`, one thread per connection.
//! * Records every request it receives, before acting on it: the request line (`CONNECT
//!   127.0.0.1:PORT HTTP/1.1`, or `POST http://127.0.0.1:PORT/hook HTTP/1.1` for a plain
//!   http:// request) and the headers, `Proxy-Authorization` included.
//! * [`ProxyBehavior::Forward`] tunnels a `CONNECT` (answers `200` and copies bytes both ways)
//!   and forwards a plain request (rewritten to origin form, without its `Proxy-*` headers),
//!   but only to `127.0.0.1`: tests never reach anything else. [`ProxyBehavior::Refuse`]
//!   answers `403`, [`ProxyBehavior::AskCredentials`] `407`, [`ProxyBehavior::Close`] closes
//!   the connection without a word.
//! * Dropping the [`TestProxy`] stops accepting; connections end with their peers.

use std::io::{self, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use super::http_head;

/// How often the (non-blocking) accept loop checks for connections and shutdown.
const ACCEPT_POLL: Duration = Duration::from_millis(5);
/// A connection that sends nothing for this long is dropped.
const IDLE: Duration = Duration::from_secs(10);
/// Upper bound for a request head.
const MAX_HEAD: usize = 64 * 1024;

/// What the proxy does with each request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProxyBehavior {
    /// Tunnel `CONNECT`s and forward plain requests to 127.0.0.1.
    Forward,
    /// `403 Forbidden`.
    Refuse,
    /// `407 Proxy Authentication Required`.
    AskCredentials,
    /// Close the connection without answering.
    Close,
}

/// One request as the proxy received it.
#[derive(Clone, Debug)]
pub struct ProxyRequest {
    /// `CONNECT 127.0.0.1:4443 HTTP/1.1`, or `POST http://127.0.0.1:8080/hook HTTP/1.1`.
    pub request_line: String,
    /// Names lowercased, values trimmed, in order.
    pub headers: Vec<(String, String)>,
}

impl ProxyRequest {
    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        super::server::first_header(&self.headers, name)
    }

    pub fn method(&self) -> &str {
        self.request_line.split(' ').next().unwrap_or_default()
    }

    /// What the request names: `127.0.0.1:4443` for a `CONNECT`, the absolute URL otherwise.
    pub fn target(&self) -> &str {
        self.request_line.split(' ').nth(1).unwrap_or_default()
    }
}

struct Shared {
    behavior: ProxyBehavior,
    shutdown: AtomicBool,
    connections: AtomicUsize,
    requests: Mutex<Vec<ProxyRequest>>,
}

impl Shared {
    fn requests(&self) -> MutexGuard<'_, Vec<ProxyRequest>> {
        self.requests.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The proxy. Dropping it stops accepting.
pub struct TestProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_thread: Option<JoinHandle<()>>,
}

impl TestProxy {
    pub fn start(behavior: ProxyBehavior) -> TestProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("proxy: bind");
        listener
            .set_nonblocking(true)
            .expect("proxy: set_nonblocking");
        let addr = listener.local_addr().expect("proxy: local_addr");
        let shared = Arc::new(Shared {
            behavior,
            shutdown: AtomicBool::new(false),
            connections: AtomicUsize::new(0),
            requests: Mutex::new(Vec::new()),
        });
        let accept_shared = Arc::clone(&shared);
        let accept_thread = thread::Builder::new()
            .name(format!("proxy-{}-accept", addr.port()))
            .spawn(move || accept_loop(listener, accept_shared))
            .expect("proxy: spawn accept thread");
        TestProxy {
            addr,
            shared,
            accept_thread: Some(accept_thread),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.addr.port())
    }

    /// `http://USER:PASSWORD@127.0.0.1:PORT`.
    pub fn url_with_credentials(&self, user: &str, password: &str) -> String {
        format!("http://{user}:{password}@127.0.0.1:{}", self.addr.port())
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Requests received, in order.
    pub fn requests(&self) -> Vec<ProxyRequest> {
        self.shared.requests().clone()
    }

    /// TCP connections accepted.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }
}

impl Drop for TestProxy {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        if let Some(thread) = self.accept_thread.take() {
            let _ = thread.join();
        }
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    while !shared.shutdown.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                shared.connections.fetch_add(1, Ordering::SeqCst);
                let shared = Arc::clone(&shared);
                // Detached: a connection ends by itself (peer gone, or IDLE).
                let _ = thread::Builder::new()
                    .name("proxy-conn".into())
                    .spawn(move || {
                        let _ = handle(stream, &shared);
                    });
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => thread::sleep(ACCEPT_POLL),
            Err(_) => thread::sleep(ACCEPT_POLL),
        }
    }
}

/// Reads one request head; returns it and whatever arrived after it.
fn read_head(stream: &mut TcpStream) -> io::Result<Option<(ProxyRequest, Vec<u8>)>> {
    let Some((buf, head_end)) = http_head::read_head(stream, MAX_HEAD)? else {
        return Ok(None);
    };
    let (request_line, headers) = http_head::parse_head(&buf[..head_end]);
    Ok(Some((
        ProxyRequest {
            request_line,
            headers,
        },
        buf[head_end..].to_vec(),
    )))
}

fn handle(mut client: TcpStream, shared: &Shared) -> io::Result<()> {
    client.set_nonblocking(false)?;
    client.set_read_timeout(Some(IDLE))?;
    client.set_write_timeout(Some(IDLE))?;
    let Some((request, rest)) = read_head(&mut client)? else {
        return Ok(());
    };
    shared.requests().push(request.clone());
    let refusal: &[u8] = match shared.behavior {
        ProxyBehavior::Forward => return forward(client, &request, rest),
        ProxyBehavior::Close => {
            let _ = client.shutdown(Shutdown::Both);
            return Ok(());
        }
        ProxyBehavior::Refuse => {
            b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        }
        ProxyBehavior::AskCredentials => {
            b"HTTP/1.1 407 Proxy Authentication Required\r\n\
              Proxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\
              Connection: close\r\n\r\n"
        }
    };
    client.write_all(refusal)?;
    client.flush()
}

/// `127.0.0.1:PORT` from a `CONNECT` target or an absolute `http://127.0.0.1:PORT/…` URL, and
/// the origin-form path of the latter; `None` for anything not on 127.0.0.1.
fn loopback_destination(request: &ProxyRequest) -> Option<(String, String)> {
    let target = request.target();
    if request.method() == "CONNECT" {
        return target
            .strip_prefix("127.0.0.1:")
            .map(|_| (target.to_string(), String::new()));
    }
    let rest = target.strip_prefix("http://127.0.0.1:")?;
    let (port, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    Some((format!("127.0.0.1:{port}"), path.to_string()))
}

fn forward(mut client: TcpStream, request: &ProxyRequest, rest: Vec<u8>) -> io::Result<()> {
    let Some((destination, path)) = loopback_destination(request) else {
        client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")?;
        return Ok(());
    };
    let mut upstream = match TcpStream::connect(&destination) {
        Ok(stream) => stream,
        Err(_) => {
            client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")?;
            return Ok(());
        }
    };
    upstream.set_read_timeout(Some(IDLE))?;
    upstream.set_write_timeout(Some(IDLE))?;
    if request.method() == "CONNECT" {
        client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
    } else {
        let version = request
            .request_line
            .rsplit(' ')
            .next()
            .unwrap_or("HTTP/1.1");
        let mut head = format!("{} {path} {version}\r\n", request.method());
        for (name, value) in &request.headers {
            if !name.starts_with("proxy-") {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
        }
        head.push_str("\r\n");
        upstream.write_all(head.as_bytes())?;
    }
    upstream.write_all(&rest)?;
    // Bytes flow both ways until either side is done.
    let mut client_reader = client.try_clone()?;
    let mut upstream_writer = upstream.try_clone()?;
    let upload = thread::spawn(move || {
        let _ = io::copy(&mut client_reader, &mut upstream_writer);
        let _ = upstream_writer.shutdown(Shutdown::Write);
    });
    let _ = io::copy(&mut upstream, &mut client);
    let _ = client.shutdown(Shutdown::Both);
    let _ = upstream.shutdown(Shutdown::Both);
    let _ = upload.join();
    Ok(())
}
