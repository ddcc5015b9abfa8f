//! `staxhook verify`: is this body really from us? Checks `X-CodeStax-Signature` byte-exactly,
//! streaming the body, in constant time.

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context as _;
use serde::Serialize;

use super::{Context, SecretArgs};
use crate::duration::parse_duration;
use crate::error::{CommandResult, Completion};
use crate::signing::{verify_stream, SignatureHeader, Verdict, VerifyOptions};

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("key").required(true).multiple(false)))]
pub struct Args {
    #[command(flatten)]
    pub key: SecretArgs,

    /// The X-CodeStax-Signature header value (one or more space-separated sha256=...)
    #[arg(long, value_name = "HEADER_VALUE", allow_hyphen_values = true)]
    pub signature: String,

    /// Also require the envelope's timestamp to be at most this old (and not over 5 minutes ahead)
    #[arg(long, value_name = "DURATION")]
    pub max_age: Option<String>,

    /// The body exactly as received [default: - for stdin]
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
}

#[derive(Serialize)]
struct Report<'a> {
    valid: bool,
    reason: Option<&'a str>,
}

pub fn run(args: Args, context: &Context) -> CommandResult {
    let max_age = args
        .max_age
        .as_deref()
        .map(parse_duration)
        .transpose()
        .context("--max-age")?;
    let (secrets, warnings) = args.key.resolve(context)?;
    for warning in &warnings {
        context.output.warn(warning);
    }
    let secrets = secrets.unwrap_or_default();

    let body: Box<dyn Read> = match &args.file {
        Some(path) if path.as_os_str() != "-" => Box::new(
            std::fs::File::open(path).with_context(|| format!("body file {}", path.display()))?,
        ),
        _ => Box::new(std::io::stdin().lock()),
    };

    let verdict = match SignatureHeader::parse(&args.signature) {
        Ok(header) => {
            let options = VerifyOptions {
                max_age,
                now: jiff::Timestamp::now(),
            };
            let secrets: Vec<&str> = secrets
                .iter()
                .map(|secret| secret.expose().as_str())
                .collect();
            verify_stream(&secrets, &header, body, &options).context("reading the body")?
        }
        // A malformed header is a request that does not verify, not a usage mistake.
        Err(error) => Verdict::Invalid(format!("--signature: {error}")),
    };

    let (valid, reason) = match &verdict {
        Verdict::Valid => (true, None),
        Verdict::Invalid(reason) => (false, Some(reason.as_str())),
    };
    if context.output.json {
        context.output.json(&Report { valid, reason })?;
    } else {
        match reason {
            None => context.output.line("valid")?,
            Some(reason) => context.output.line(&format!("invalid: {reason}"))?,
        }
    }
    Ok(if valid {
        Completion::Success
    } else {
        Completion::Failed
    })
}
