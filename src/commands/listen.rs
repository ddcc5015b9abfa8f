//! `staxhook listen`: a local receiver for trying a setup — prints each request it gets and
//! whether its `X-CodeStax-Signature` is valid (checked by the same code as `verify`), and
//! answers with a chosen status so retries can be watched.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context as _};
use serde_json::{Map, Value};

use super::{Context, SecretArgs};
use crate::error::{CommandResult, Completion};
use crate::redact::Secret;
use crate::signing::{verify_stream, SignatureHeader, Verdict, VerifyOptions};

/// Bodies larger than this are refused with 413: this is a test receiver, not a sink.
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;
/// A request head (request line and headers) longer than this is refused.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// A client that sends nothing for this long is dropped.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on
    #[arg(long, value_name = "HOST", default_value = "127.0.0.1")]
    pub host: String,

    /// Port to listen on (0 picks a free one; the real one is printed)
    #[arg(long, value_name = "PORT", default_value_t = 8787)]
    pub port: u16,

    #[command(flatten)]
    pub key: SecretArgs,

    /// HTTP status to answer every request with (e.g. 503 to watch retries)
    #[arg(long, value_name = "CODE", default_value_t = 200, value_parser = clap::value_parser!(u16).range(200..=599))]
    pub status: u16,
}

/// What `listen` prints per request (docs/reference.md §6 `listen` shape, one JSON object per line).
#[derive(serde::Serialize)]
struct Received {
    received_at: String,
    method: String,
    path: String,
    headers: Map<String, Value>,
    body: Value,
    event: Option<String>,
    delivery_id: Option<String>,
    signature: &'static str,
    /// Why a signature is invalid; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

pub fn run(args: Args, context: &Context) -> CommandResult {
    let (secrets, warnings) = args.key.resolve(context)?;
    // Installed first, so a Ctrl-C at any moment after the listening line is a clean exit.
    ctrlc::set_handler(|| {
        let _ = std::io::stdout().flush();
        std::process::exit(0);
    })
    .context("installing the Ctrl-C handler")?;
    let listener = TcpListener::bind((args.host.as_str(), args.port))
        .with_context(|| format!("cannot listen on {}:{}", args.host, args.port))?;
    let address = listener
        .local_addr()
        .context("reading the listening address")?;
    let host = if address.is_ipv6() {
        format!("[{}]", address.ip())
    } else {
        address.ip().to_string()
    };
    // Always the first line on stderr: scripts read the port from it.
    crate::output::stderr_line(&format!("listening on http://{host}:{}", address.port()));
    for warning in &warnings {
        context.output.warn(warning);
    }
    if secrets.is_none() {
        context
            .output
            .warn("no --secret, --secret-env or --webhook given: signed requests cannot be checked and show as invalid");
    }

    let shared = Arc::new(Shared {
        secrets: secrets.unwrap_or_default(),
        status: args.status,
        json: context.output.json,
        verbose: context.output.verbose,
    });
    for connection in listener.incoming() {
        let Ok(stream) = connection else { continue };
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || {
            let _ = serve(stream, &shared);
        });
    }
    Ok(Completion::Success)
}

struct Shared {
    secrets: Vec<Secret>,
    status: u16,
    json: bool,
    verbose: bool,
}

/// One request per connection: read it, report it, answer, close.
fn serve(stream: TcpStream, shared: &Shared) -> anyhow::Result<()> {
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let request = match read_request(&mut reader) {
        Ok(request) => request,
        Err(RequestError::TooLarge) => {
            respond(&mut writer, 413)?;
            return Ok(());
        }
        Err(RequestError::Malformed(reason)) => {
            respond(&mut writer, 400)?;
            bail!(reason);
        }
    };
    let report = describe(&request, &shared.secrets);
    print_report(&report, &request, shared);
    respond(&mut writer, shared.status)?;
    Ok(())
}

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

enum RequestError {
    TooLarge,
    Malformed(String),
}

fn malformed(reason: impl Into<String>) -> RequestError {
    RequestError::Malformed(reason.into())
}

fn read_request(reader: &mut impl BufRead) -> Result<Request, RequestError> {
    let mut head_bytes = 0;
    let mut read_line = |reader: &mut dyn BufRead| -> Result<String, RequestError> {
        let mut line = Vec::new();
        reader
            .take((MAX_HEAD_BYTES - head_bytes.min(MAX_HEAD_BYTES)) as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|error| malformed(error.to_string()))?;
        head_bytes += line.len();
        if head_bytes > MAX_HEAD_BYTES {
            return Err(RequestError::TooLarge);
        }
        let text = String::from_utf8_lossy(&line);
        Ok(text.trim_end_matches(['\r', '\n']).to_string())
    };

    let request_line = read_line(reader)?;
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(path)) = (parts.next(), parts.next()) else {
        return Err(malformed("no request line"));
    };
    let (method, path) = (method.to_string(), path.to_string());
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader)?;
        if line.is_empty() {
            break;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| malformed("bad header line"))?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let request = Request {
        method,
        path,
        headers,
        body: Vec::new(),
    };
    let chunked = request
        .header("transfer-encoding")
        .is_some_and(|value| value.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        read_chunked(reader)?
    } else {
        let length: usize = match request.header("content-length") {
            Some(value) => value.parse().map_err(|_| malformed("bad Content-Length"))?,
            None => 0,
        };
        if length > MAX_BODY_BYTES {
            return Err(RequestError::TooLarge);
        }
        let mut body = vec![0; length];
        reader
            .read_exact(&mut body)
            .map_err(|error| malformed(error.to_string()))?;
        body
    };
    Ok(Request { body, ..request })
}

fn read_chunked(reader: &mut impl BufRead) -> Result<Vec<u8>, RequestError> {
    let mut body = Vec::new();
    loop {
        let mut size_line = String::new();
        reader
            .read_line(&mut size_line)
            .map_err(|error| malformed(error.to_string()))?;
        let size_text = size_line.trim().split(';').next().unwrap_or_default();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| malformed("bad chunk size"))?;
        if body.len() + size > MAX_BODY_BYTES {
            return Err(RequestError::TooLarge);
        }
        if size == 0 {
            // Trailers, then the blank line.
            loop {
                let mut line = String::new();
                let read = reader
                    .read_line(&mut line)
                    .map_err(|error| malformed(error.to_string()))?;
                if read == 0 || line.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader
            .read_exact(&mut body[start..])
            .map_err(|error| malformed(error.to_string()))?;
        let mut line_end = String::new();
        reader
            .read_line(&mut line_end)
            .map_err(|error| malformed(error.to_string()))?;
    }
}

/// The request as `listen` reports it, with its signature checked.
fn describe(request: &Request, secrets: &[Secret]) -> Received {
    let (signature, reason) = match request.header("x-codestax-signature") {
        None => ("unsigned", None),
        Some(_) if secrets.is_empty() => (
            "invalid",
            Some(
                "no secret to check it with (use --secret, --secret-env or --webhook)".to_string(),
            ),
        ),
        Some(value) => match SignatureHeader::parse(value) {
            Err(error) => ("invalid", Some(error.to_string())),
            Ok(header) => {
                let secrets: Vec<&str> = secrets
                    .iter()
                    .map(|secret| secret.expose().as_str())
                    .collect();
                let options = VerifyOptions {
                    max_age: None,
                    now: jiff::Timestamp::now(),
                };
                match verify_stream(&secrets, &header, request.body.as_slice(), &options) {
                    Ok(Verdict::Valid) => ("valid", None),
                    Ok(Verdict::Invalid(reason)) => ("invalid", Some(reason)),
                    Err(error) => ("invalid", Some(error.to_string())),
                }
            }
        },
    };
    let headers = request
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), Value::String(value.clone())))
        .collect();
    let body = serde_json::from_slice(&request.body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&request.body).into_owned()));
    Received {
        received_at: crate::history::format_timestamp(jiff::Timestamp::now()),
        method: request.method.clone(),
        path: request.path.clone(),
        headers,
        body,
        event: request.header("x-codestax-event").map(str::to_string),
        delivery_id: request.header("x-codestax-delivery").map(str::to_string),
        signature,
        reason,
    }
}

fn print_report(report: &Received, request: &Request, shared: &Shared) {
    let mut stdout = std::io::stdout().lock();
    if shared.json {
        if let Ok(line) = serde_json::to_string(report) {
            let _ = writeln!(stdout, "{line}");
        }
    } else {
        let time = report
            .received_at
            .get(11..19)
            .unwrap_or(&report.received_at);
        let verdict = match report.signature {
            "unsigned" => "unsigned".to_string(),
            other => format!("signature {other}"),
        };
        // UTC, marked as such: the receiver's clock may be anywhere.
        let mut line = format!(
            "{time}Z  {} {}  {}  {}  {verdict}",
            report.method,
            report.path,
            report.event.as_deref().unwrap_or("-"),
            report.delivery_id.as_deref().unwrap_or("-"),
        );
        if let Some(reason) = &report.reason {
            line.push_str(&format!(" ({reason})"));
        }
        let _ = writeln!(stdout, "{line}");
        if shared.verbose {
            for (name, value) in &request.headers {
                let _ = writeln!(stdout, "  {name}: {value}");
            }
            let _ = writeln!(stdout, "  {}", String::from_utf8_lossy(&request.body));
        }
    }
    let _ = stdout.flush();
}

fn respond(writer: &mut TcpStream, status: u16) -> std::io::Result<()> {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|code| code.canonical_reason())
        .unwrap_or("Status");
    // One write, so a client that reads once gets the whole answer.
    let answer =
        format!("HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    writer.write_all(answer.as_bytes())?;
    writer.flush()
}
