//! `staxhook verify`: is this body really from us? Checks `X-CodeStax-Signature` byte-exactly,
//! streaming the body, in constant time.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{anyhow, bail, Context as _};
use serde::Serialize;

use super::{environment, Context};
use crate::duration::parse_duration;
use crate::error::{CommandResult, Completion};
use crate::signing::{verify_stream, SignatureHeader, Verdict, VerifyOptions};
use crate::target::signing_secrets;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("key").required(true).args(["secret", "secret_env", "webhook"])))]
pub struct Args {
    /// The signing secret
    #[arg(long, value_name = "SECRET")]
    pub secret: Option<String>,

    /// Read the signing secret from this environment variable
    #[arg(long, value_name = "VAR")]
    pub secret_env: Option<String>,

    /// Use this configured webhook's secret
    #[arg(long, value_name = "NAME")]
    pub webhook: Option<String>,

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
    let secrets = secrets(&args, context)?;

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
            let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
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

fn secrets(args: &Args, context: &Context) -> anyhow::Result<Vec<String>> {
    if let Some(secret) = &args.secret {
        if secret.is_empty() {
            bail!("--secret is empty");
        }
        return Ok(vec![secret.clone()]);
    }
    if let Some(variable) = &args.secret_env {
        return match environment(variable) {
            Some(secret) if !secret.is_empty() => Ok(vec![secret]),
            _ => Err(anyhow!(
                "--secret-env: environment variable {variable} is not set"
            )),
        };
    }
    let name = args.webhook.as_deref().unwrap_or_default();
    let config = context.config()?;
    let webhook = config.require_webhook(name).context("--webhook")?;
    let secrets = signing_secrets(webhook, &config.path, &environment)?;
    if secrets.is_empty() {
        bail!("--webhook `{name}`: the webhook has no secret, so its requests are unsigned");
    }
    Ok(secrets)
}
