//! A tiny, scriptable HTTP/1.1 server on plain `std` for integration tests.
//!
//! * Listens on `127.0.0.1:0`, one thread per connection, one request per
//!   connection (every response carries `Connection: close` and the socket is
//!   closed afterwards).
//! * Every complete request is recorded *before* its behaviour runs, so a
//!   request answered with [`Behavior::Hang`] or [`Behavior::Reset`] still
//!   shows up in [`TestServer::requests`].
//! * Behaviours are scripted per path (the path without its query string).
//! * Dropping the [`TestServer`] stops the accept loop and every connection
//!   thread (hanging / endless ones included) within roughly 20–50 ms.
//! * Each request also records when the server began to answer it and when it was done with
//!   its connection, so tests can prove concurrency and ordering by the order of events
//!   instead of by wall-clock upper bounds, which a busy machine breaks.

use std::collections::{HashMap, VecDeque};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::http_head;

/// How often blocked reads/writes/sleeps wake up to check the shutdown flag.
const POLL: Duration = Duration::from_millis(20);
/// How often the (non-blocking) accept loop polls for new connections.
const ACCEPT_POLL: Duration = Duration::from_millis(5);
/// Upper bound for a request head; larger heads are answered with 431.
const MAX_HEAD: usize = 64 * 1024;
/// Interval between two pieces of an [`Behavior::EndlessBody`].
const ENDLESS_INTERVAL: Duration = Duration::from_millis(50);
/// One piece of an [`Behavior::EndlessBody`].
pub const ENDLESS_PIECE: &[u8] = b"still streaming...\n";
/// How long [`Behavior::AwaitArrivals`] waits at most: long enough that only a client that
/// never sends the awaited requests reaches it, short enough that such a test still ends.
const AWAIT_ARRIVALS_LIMIT: Duration = Duration::from_secs(30);

/// One request as received by the server.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    pub method: String,
    /// Request target as sent, including the query string (e.g. `/hook?x=1`).
    pub path: String,
    /// Header names lowercased, values trimmed, in the order received
    /// (repeated headers appear repeatedly).
    pub headers: Vec<(String, String)>,
    /// The body (de-chunked if it was sent with `Transfer-Encoding: chunked`).
    pub body: Vec<u8>,
    /// When the request had been read completely.
    pub received_at: Instant,
    /// When the server began to write its answer; `None` while it has not (yet), and for
    /// requests it never answers ([`Behavior::Hang`], [`Behavior::Reset`]). Taken before the
    /// first byte goes out, so a client can never have read an answer sent earlier than this.
    pub answered_at: Option<Instant>,
    /// When the server was done with the connection: the answer written, or a hanging or
    /// endless one left by the client; `None` while the handler is still running.
    pub ended_at: Option<Instant>,
}

impl RecordedRequest {
    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        first_header(&self.headers, name)
    }

    /// Like [`RecordedRequest::header`], for a header the request must carry: panics with the
    /// headers it has otherwise.
    #[track_caller]
    pub fn expect_header(&self, name: &str) -> &str {
        self.header(name).unwrap_or_else(|| {
            panic!(
                "request {} has no {name} header; headers: {:?}",
                self.path, self.headers
            )
        })
    }

    /// `X-CodeStax-Delivery`, the idempotency key every staxhook request carries.
    #[track_caller]
    pub fn delivery_id(&self) -> &str {
        self.expect_header("x-codestax-delivery")
    }

    /// All values of a header (case-insensitive), in order.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The path without the query string.
    pub fn path_only(&self) -> &str {
        path_only(&self.path)
    }

    /// The body parsed as JSON; panics with the body text if it is not JSON.
    pub fn body_json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body of request {} {} is not valid JSON ({e}); body was {} bytes: {:?}",
                self.method,
                self.path,
                self.body.len(),
                self.body_text()
            )
        })
    }

    /// The body as (lossy) UTF-8 text.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The first of `headers` called `name` (case-insensitive); shared by every request and
/// response type the tests parse.
pub fn first_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Behavior {
    /// This status, empty body (`Content-Length: 0`).
    Status(u16),
    /// Full control. `Content-Length` and `Connection: close` are added unless
    /// present in `headers` (a `Transfer-Encoding` header also suppresses
    /// `Content-Length`; the body is then written verbatim).
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// 429 with `Retry-After: <retry_after>` (seconds or an HTTP date), empty body.
    TooManyRequests { retry_after: String },
    /// 429 with `Retry-After` as an HTTP date `seconds_ahead` seconds after the moment the
    /// answer is written (HTTP dates have whole seconds, so it is up to 1 s earlier), empty
    /// body. Dated when answering, not when scripted, so a client that starts late still gets
    /// a date that far ahead.
    TooManyRequestsUntil { seconds_ahead: u64 },
    /// Read the request, never answer; the connection stays open until the
    /// client closes it or the server is dropped.
    Hang,
    /// Read the request, then close the connection abruptly without writing a
    /// single byte. On Linux/macOS/BSD this is a real TCP RST (SO_LINGER 0): the
    /// client's read fails with `ConnectionReset` ("connection reset by peer").
    /// Elsewhere it degrades to a plain close: the client reads EOF (0 bytes).
    /// Either way no status line is ever sent.
    Reset,
    /// `status` with `Location: <location>`, empty body.
    Redirect { status: u16, location: String },
    /// `status` with `Content-Length: size` and `size` bytes of `b'x'`
    /// (`Content-Type: application/octet-stream`).
    HugeBody { status: u16, size: usize },
    /// `status` and headers without `Content-Length` (the body is delimited by
    /// connection close), then `ENDLESS_PIECE` every ~50 ms until the client
    /// goes away or the server is dropped.
    EndlessBody { status: u16 },
    /// Wait `millis` (after reading the request), then behave as `then`.
    Delay { millis: u64, then: Box<Behavior> },
    /// Wait until the server has received `count` requests in all (this one included), then
    /// behave as `then`. Gives up waiting after 30 s, so that a client that never sends them
    /// does not hang the test; [`RecordedRequest::answered_at`] then shows the answer came
    /// before the awaited requests.
    AwaitArrivals { count: usize, then: Box<Behavior> },
}

#[derive(Default)]
struct Route {
    script: VecDeque<Behavior>,
    default: Option<Behavior>,
}

#[derive(Default)]
struct State {
    requests: Vec<RecordedRequest>,
    routes: HashMap<String, Route>,
}

struct Shared {
    shutdown: AtomicBool,
    state: Mutex<State>,
    arrived: Condvar,
    handlers: Mutex<Vec<JoinHandle<()>>>,
}

impl Shared {
    fn is_shutdown(&self) -> bool {
        self.shutdown.load(Ordering::SeqCst)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Picks the behaviour for this request and records it, atomically, so the
    /// n-th recorded request of a path is the one that got the n-th scripted
    /// behaviour. Returns the request's index in the record too.
    fn record_and_choose(&self, request: RecordedRequest) -> (usize, Behavior) {
        let mut state = self.state();
        let key = path_only(&request.path).to_string();
        let behavior = match state.routes.get_mut(&key) {
            Some(route) => route
                .script
                .pop_front()
                .or_else(|| route.default.clone())
                .unwrap_or(Behavior::Status(200)),
            None => Behavior::Status(200),
        };
        state.requests.push(request);
        let index = state.requests.len() - 1;
        drop(state);
        self.arrived.notify_all();
        (index, behavior)
    }

    /// Sets a time of the request at `index` (once), and wakes every waiter.
    fn note(&self, index: usize, field: fn(&mut RecordedRequest) -> &mut Option<Instant>) {
        let mut state = self.state();
        if let Some(slot) = state.requests.get_mut(index).map(field) {
            slot.get_or_insert_with(Instant::now);
        }
        drop(state);
        self.arrived.notify_all();
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking test must not turn every later access into a second panic.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn path_only(target: &str) -> &str {
    target.split(['?', '#']).next().unwrap_or(target)
}

/// `"hook"` and `"/hook"` mean the same path.
fn normalize(path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    }
}

/// Scriptable HTTP/1.1 test server. Dropping it shuts everything down.
pub struct TestServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Binds `127.0.0.1:0` and starts accepting.
    pub fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("test server: bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("test server: set_nonblocking");
        let addr = listener.local_addr().expect("test server: local_addr");
        let shared = Arc::new(Shared {
            shutdown: AtomicBool::new(false),
            state: Mutex::new(State::default()),
            arrived: Condvar::new(),
            handlers: Mutex::new(Vec::new()),
        });
        let accept_shared = Arc::clone(&shared);
        let accept_thread = thread::Builder::new()
            .name(format!("test-server-{}-accept", addr.port()))
            .spawn(move || accept_loop(listener, accept_shared))
            .expect("test server: spawn accept thread");
        TestServer {
            addr,
            shared,
            accept_thread: Some(accept_thread),
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:PORT/path` (a missing leading `/` is added).
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.addr.port(), normalize(path))
    }

    /// Behaviours for the next requests to `path` (query string ignored), one
    /// per request, in order; appended to any not yet used. When used up, the
    /// path's default applies.
    pub fn script(&self, path: &str, behaviors: Vec<Behavior>) {
        let key = normalize(path_only(path));
        self.shared
            .state()
            .routes
            .entry(key)
            .or_default()
            .script
            .extend(behaviors);
    }

    /// Behaviour for `path` once its script is used up. Without this, `Status(200)`.
    pub fn set_default(&self, path: &str, behavior: Behavior) {
        let key = normalize(path_only(path));
        self.shared.state().routes.entry(key).or_default().default = Some(behavior);
    }

    /// All recorded requests, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.state().requests.clone()
    }

    /// Recorded requests for `path`. Without a `?` in `path` the query string
    /// of requests is ignored; with one, the full target must match exactly.
    pub fn requests_for(&self, path: &str) -> Vec<RecordedRequest> {
        filter_for(&self.shared.state().requests, path)
    }

    /// Waits until at least `count` requests arrived (in total) or `timeout`
    /// passed, then returns all requests (possibly fewer than `count`).
    pub fn wait_for_requests(&self, count: usize, timeout: Duration) -> Vec<RecordedRequest> {
        self.wait_until(timeout, |reqs| reqs.len() >= count)
            .requests
            .clone()
    }

    /// Waits until `done` holds for the recorded requests (with their answer and end times)
    /// or `timeout` passed, then returns all requests (whether or not `done` held).
    pub fn wait_for(
        &self,
        timeout: Duration,
        done: impl Fn(&[RecordedRequest]) -> bool,
    ) -> Vec<RecordedRequest> {
        self.wait_until(timeout, done).requests.clone()
    }

    /// Like [`wait_for_requests`](Self::wait_for_requests), counting only
    /// requests for `path`; returns only those.
    pub fn wait_for_requests_for(
        &self,
        path: &str,
        count: usize,
        timeout: Duration,
    ) -> Vec<RecordedRequest> {
        let state = self.wait_until(timeout, |reqs| filter_for(reqs, path).len() >= count);
        filter_for(&state.requests, path)
    }

    fn wait_until(
        &self,
        timeout: Duration,
        done: impl Fn(&[RecordedRequest]) -> bool,
    ) -> MutexGuard<'_, State> {
        let deadline = Instant::now() + timeout;
        let mut state = self.shared.state();
        loop {
            if done(&state.requests) {
                return state;
            }
            let now = Instant::now();
            if now >= deadline {
                return state;
            }
            state = self
                .shared
                .arrived
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

fn filter_for(requests: &[RecordedRequest], path: &str) -> Vec<RecordedRequest> {
    let wanted = normalize(path);
    let exact = wanted.contains('?');
    requests
        .iter()
        .filter(|r| {
            if exact {
                r.path == wanted
            } else {
                path_only(&r.path) == wanted
            }
        })
        .cloned()
        .collect()
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        if let Some(accept) = self.accept_thread.take() {
            let _ = accept.join();
        }
        // The accept loop has ended, so no new handlers can be pushed.
        let handlers = std::mem::take(&mut *lock(&self.shared.handlers));
        for handler in handlers {
            let _ = handler.join();
        }
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    while !shared.is_shutdown() {
        match listener.accept() {
            Ok((stream, _)) => {
                let conn_shared = Arc::clone(&shared);
                let spawned = thread::Builder::new()
                    .name("test-server-conn".to_string())
                    .spawn(move || handle_connection(stream, conn_shared));
                if let Ok(handle) = spawned {
                    let mut handlers = lock(&shared.handlers);
                    handlers.retain(|h| !h.is_finished());
                    handlers.push(handle);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => thread::sleep(ACCEPT_POLL),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // e.g. ECONNABORTED or EMFILE: back off a little and keep going.
            Err(_) => thread::sleep(ACCEPT_POLL),
        }
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

fn shut_down_error() -> io::Error {
    io::Error::other("test server shut down")
}

/// A connection with a read buffer; all I/O wakes up every `POLL` to check
/// the shutdown flag.
struct Conn {
    stream: TcpStream,
    shared: Arc<Shared>,
    buf: Vec<u8>,
    /// The index of the request being answered in the record, once it is recorded.
    index: Option<usize>,
}

impl Conn {
    /// Reads more bytes into `buf`. `Ok(false)` on EOF.
    fn fill(&mut self) -> io::Result<bool> {
        let mut tmp = [0u8; 16 * 1024];
        loop {
            if self.shared.is_shutdown() {
                return Err(shut_down_error());
            }
            match self.stream.read(&mut tmp) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.buf.extend_from_slice(&tmp[..n]);
                    return Ok(true);
                }
                Err(e) if is_timeout(&e) => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Makes sure `buf` holds at least `len` bytes.
    fn need(&mut self, len: usize) -> io::Result<()> {
        while self.buf.len() < len {
            if !self.fill()? {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
        Ok(())
    }

    /// Returns the line starting at `pos` (without CRLF) and the position after it.
    fn line_at(&mut self, pos: usize) -> io::Result<(String, usize)> {
        loop {
            if let Some(i) = self.buf[pos..].iter().position(|&b| b == b'\n') {
                let end = pos + i;
                let line = String::from_utf8_lossy(&self.buf[pos..end])
                    .trim_end_matches('\r')
                    .to_string();
                return Ok((line, end + 1));
            }
            if self.buf.len() - pos > MAX_HEAD {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
            }
            if !self.fill()? {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    /// Notes that the answer starts now: called before its first byte is written.
    fn answering(&self) {
        if let Some(index) = self.index {
            self.shared.note(index, |request| &mut request.answered_at);
        }
    }

    fn write_all(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            if self.shared.is_shutdown() {
                return Err(shut_down_error());
            }
            match self.stream.write(data) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => data = &data[n..],
                Err(e) if is_timeout(&e) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Sleeps for `total`, waking up to check the shutdown flag.
    fn sleep(&self, total: Duration) -> io::Result<()> {
        let deadline = Instant::now() + total;
        loop {
            if self.shared.is_shutdown() {
                return Err(shut_down_error());
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(());
            }
            thread::sleep((deadline - now).min(POLL));
        }
    }

    /// Reads one request. `Ok(None)` if the client closed before sending a
    /// complete request head (nothing is recorded then).
    fn read_request(&mut self) -> io::Result<Option<RecordedRequest>> {
        // Request head.
        let head_end = loop {
            if let Some(end) = http_head::head_end(&self.buf) {
                break end;
            }
            if self.buf.len() > MAX_HEAD {
                let _ = self.write_all(
                    b"HTTP/1.1 431 Request Header Fields Too Large\r\n\
                      Content-Length: 0\r\nConnection: close\r\n\r\n",
                );
                return Ok(None);
            }
            if !self.fill()? {
                return Ok(None);
            }
        };
        let (request_line, headers) = http_head::parse_head(&self.buf[..head_end]);
        let mut parts = request_line.split_whitespace();
        let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
            let _ = self.write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            return Ok(None);
        };
        let method = method.to_string();
        let path = target.to_string();
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };

        if header("expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue")) {
            self.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }

        // Body.
        let chunked =
            header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        let body = if chunked {
            self.read_chunked(head_end)?
        } else {
            let len: usize = match header("content-length") {
                Some(v) => v.trim().parse().map_err(|_| {
                    io::Error::new(io::ErrorKind::InvalidData, "bad Content-Length")
                })?,
                None => 0,
            };
            self.need(head_end + len)?;
            self.buf[head_end..head_end + len].to_vec()
        };

        Ok(Some(RecordedRequest {
            method,
            path,
            headers,
            body,
            received_at: Instant::now(),
            answered_at: None,
            ended_at: None,
        }))
    }

    fn read_chunked(&mut self, mut pos: usize) -> io::Result<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let (line, next) = self.line_at(pos)?;
            pos = next;
            let size_text = line.split(';').next().unwrap_or_default().trim();
            let size = usize::from_str_radix(size_text, 16).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("bad chunk size {line:?}"),
                )
            })?;
            if size == 0 {
                // Trailers, up to an empty line.
                loop {
                    let (trailer, next) = self.line_at(pos)?;
                    pos = next;
                    if trailer.is_empty() {
                        return Ok(body);
                    }
                }
            }
            self.need(pos + size + 2)?;
            body.extend_from_slice(&self.buf[pos..pos + size]);
            pos += size + 2; // data + CRLF
        }
    }

    /// Runs `behavior`. Errors just mean "stop" (client gone / shut down).
    fn run(&mut self, behavior: Behavior, head_only: bool) -> io::Result<()> {
        match behavior {
            Behavior::Status(status) => self.respond(status, &[], b"", head_only),
            Behavior::Respond {
                status,
                headers,
                body,
            } => self.respond(status, &headers, &body, head_only),
            Behavior::TooManyRequests { retry_after } => self.respond(
                429,
                &[("Retry-After".to_string(), retry_after)],
                b"",
                head_only,
            ),
            Behavior::TooManyRequestsUntil { seconds_ahead } => {
                let when = std::time::SystemTime::now() + Duration::from_secs(seconds_ahead);
                self.respond(
                    429,
                    &[("Retry-After".to_string(), httpdate::fmt_http_date(when))],
                    b"",
                    head_only,
                )
            }
            Behavior::Redirect { status, location } => self.respond(
                status,
                &[("Location".to_string(), location)],
                b"",
                head_only,
            ),
            Behavior::Hang => self.hang(),
            Behavior::Reset => {
                reset(&self.stream);
                Ok(())
            }
            Behavior::HugeBody { status, size } => {
                let head = format!(
                    "HTTP/1.1 {status} {}\r\nContent-Type: application/octet-stream\r\n\
                     Content-Length: {size}\r\nConnection: close\r\n\r\n",
                    reason(status)
                );
                self.answering();
                self.write_all(head.as_bytes())?;
                if head_only {
                    return Ok(());
                }
                let chunk = vec![b'x'; 64 * 1024];
                let mut left = size;
                while left > 0 {
                    let n = left.min(chunk.len());
                    self.write_all(&chunk[..n])?;
                    left -= n;
                }
                Ok(())
            }
            Behavior::EndlessBody { status } => {
                let head = format!(
                    "HTTP/1.1 {status} {}\r\nContent-Type: text/plain\r\n\
                     Connection: close\r\n\r\n",
                    reason(status)
                );
                self.answering();
                self.write_all(head.as_bytes())?;
                if head_only {
                    return Ok(());
                }
                loop {
                    self.write_all(ENDLESS_PIECE)?;
                    self.stream.flush()?;
                    self.sleep(ENDLESS_INTERVAL)?;
                }
            }
            Behavior::Delay { millis, then } => {
                self.sleep(Duration::from_millis(millis))?;
                self.run(*then, head_only)
            }
            Behavior::AwaitArrivals { count, then } => {
                self.await_arrivals(count)?;
                self.run(*then, head_only)
            }
        }
    }

    /// Waits until `count` requests have been recorded in all, [`AWAIT_ARRIVALS_LIMIT`]
    /// passed, or the server shuts down.
    fn await_arrivals(&self, count: usize) -> io::Result<()> {
        let deadline = Instant::now() + AWAIT_ARRIVALS_LIMIT;
        let mut state = self.shared.state();
        while state.requests.len() < count {
            if self.shared.is_shutdown() {
                return Err(shut_down_error());
            }
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            state = self
                .shared
                .arrived
                .wait_timeout(state, (deadline - now).min(POLL))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        Ok(())
    }

    fn respond(
        &mut self,
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
        head_only: bool,
    ) -> io::Result<()> {
        let has = |name: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
        let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        let bodiless_status = (100..200).contains(&status) || status == 204 || status == 304;
        if !bodiless_status && !has("content-length") && !has("transfer-encoding") {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        if !has("connection") {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("\r\n");
        let mut out = head.into_bytes();
        if !head_only {
            out.extend_from_slice(body);
        }
        self.answering();
        self.write_all(&out)?;
        self.stream.flush()
    }

    /// Keeps the connection open, answering nothing, until the client closes
    /// it or the server shuts down.
    fn hang(&mut self) -> io::Result<()> {
        let mut tmp = [0u8; 4096];
        loop {
            if self.shared.is_shutdown() {
                return Ok(());
            }
            match self.stream.read(&mut tmp) {
                Ok(0) => return Ok(()), // client gave up
                Ok(_) => {}             // ignore anything else it sends
                Err(e) if is_timeout(&e) => {}
                Err(e) => return Err(e),
            }
        }
    }
}

fn handle_connection(stream: TcpStream, shared: Arc<Shared>) {
    // Accepted sockets may inherit O_NONBLOCK from the listener on BSDs.
    let setup = stream
        .set_nonblocking(false)
        .and_then(|_| stream.set_read_timeout(Some(POLL)))
        .and_then(|_| stream.set_write_timeout(Some(POLL)));
    if setup.is_err() {
        return;
    }
    let _ = stream.set_nodelay(true);
    let mut conn = Conn {
        stream,
        shared: Arc::clone(&shared),
        buf: Vec::new(),
        index: None,
    };
    let request = match conn.read_request() {
        Ok(Some(request)) => request,
        _ => return,
    };
    let head_only = request.method.eq_ignore_ascii_case("HEAD");
    let (index, behavior) = shared.record_and_choose(request);
    conn.index = Some(index);
    let reset_or_hang = matches!(behavior, Behavior::Reset | Behavior::Hang);
    if conn.run(behavior, head_only).is_ok() && !reset_or_hang {
        // Graceful close: FIN after the response.
        let _ = conn.stream.shutdown(Shutdown::Write);
    }
    shared.note(index, |request| &mut request.ended_at);
}

/// Closes the socket so that the peer gets a TCP RST where SO_LINGER with a
/// zero timeout can be set through libc (no extra crate; std links libc);
/// otherwise a plain shutdown (the peer reads EOF).
fn reset(stream: &TcpStream) {
    if !linger_zero(stream) {
        let _ = stream.shutdown(Shutdown::Both);
    }
    // The socket itself is closed when the connection is dropped.
}

#[cfg(all(
    unix,
    any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly"
    ),
    not(any(
        target_arch = "mips",
        target_arch = "mips64",
        target_arch = "sparc",
        target_arch = "sparc64"
    ))
))]
fn linger_zero(stream: &TcpStream) -> bool {
    use std::os::fd::AsRawFd;
    use std::os::raw::{c_int, c_void};

    #[repr(C)]
    struct Linger {
        l_onoff: c_int,
        l_linger: c_int,
    }
    extern "C" {
        fn setsockopt(
            fd: c_int,
            level: c_int,
            name: c_int,
            value: *const c_void,
            len: u32,
        ) -> c_int;
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    const SOL_SOCKET: c_int = 1;
    #[cfg(any(target_os = "linux", target_os = "android"))]
    const SO_LINGER: c_int = 13;
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    const SOL_SOCKET: c_int = 0xffff;
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    const SO_LINGER: c_int = 0x0080;

    let linger = Linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: valid fd owned by `stream`, pointer/length describe `linger`.
    let rc = unsafe {
        setsockopt(
            stream.as_raw_fd(),
            SOL_SOCKET,
            SO_LINGER,
            (&linger as *const Linger).cast(),
            std::mem::size_of::<Linger>() as u32,
        )
    };
    rc == 0
}

#[cfg(not(all(
    unix,
    any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd",
        target_os = "dragonfly"
    ),
    not(any(
        target_arch = "mips",
        target_arch = "mips64",
        target_arch = "sparc",
        target_arch = "sparc64"
    ))
)))]
fn linger_zero(_stream: &TcpStream) -> bool {
    false
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}
