//! Keeping a local copy of a published data feed (the KEV catalog, the EPSS scores) up to
//! date: a conditional download (ETag, Last-Modified) whose body is validated before it
//! atomically replaces the saved copy, so a failed or invalid download keeps the old one.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _};
use serde::{Deserialize, Serialize};

/// One feed: what to call it in messages, where it comes from and where its copy is kept.
pub struct Feed<'a> {
    /// e.g. "KEV catalog", as in "downloading the KEV catalog: HTTP 500".
    pub name: &'a str,
    pub url: &'a str,
    pub path: &'a Path,
    /// A larger download is refused rather than held in memory.
    pub max_bytes: usize,
}

/// What a download did.
#[derive(Debug, PartialEq, Eq)]
pub enum Downloaded<T> {
    /// A new copy was validated (into `T`) and saved.
    Updated(T),
    /// The server said the saved copy is current (HTTP 304); nothing was written.
    NotModified,
}

/// What the last download said, for the next conditional request.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Validators {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
}

/// `<file>.meta.json` beside the saved copy.
fn validators_path(saved: &Path) -> PathBuf {
    let mut name = saved.as_os_str().to_owned();
    name.push(".meta.json");
    PathBuf::from(name)
}

/// Downloads `feed.url` into `feed.path`: a conditional GET when a copy from the same URL is
/// saved; the body goes through `validate` before it replaces the saved copy atomically. Any
/// failure (network, HTTP status, size, validation) leaves the saved copy as it was.
pub fn update<T>(
    feed: &Feed,
    validate: impl FnOnce(&[u8]) -> Result<T, String>,
) -> anyhow::Result<Downloaded<T>> {
    let name = feed.name;
    let validators_file = validators_path(feed.path);
    let previous: Option<Validators> = std::fs::read(&validators_file)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .filter(|validators: &Validators| validators.url == feed.url && feed.path.is_file());

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let client = crate::delivery::http::client_builder()
        .user_agent(crate::delivery::USER_AGENT)
        .timeout(std::time::Duration::from_secs(120))
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()?;
    let mut request = client.get(feed.url);
    if let Some(previous) = &previous {
        if let Some(etag) = &previous.etag {
            request = request.header(reqwest::header::IF_NONE_MATCH, etag);
        }
        if let Some(modified) = &previous.last_modified {
            request = request.header(reqwest::header::IF_MODIFIED_SINCE, modified);
        }
    }

    let (status, etag, last_modified, body) = runtime.block_on(async {
        let response = request
            .send()
            .await
            .map_err(|error| anyhow!("downloading the {name}: {}", error.without_url()))?;
        let status = response.status();
        let header = |header: reqwest::header::HeaderName| {
            response
                .headers()
                .get(header)
                .and_then(|value| value.to_str().ok())
                .map(str::to_string)
        };
        let etag = header(reqwest::header::ETAG);
        let last_modified = header(reqwest::header::LAST_MODIFIED);
        let mut response = response;
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| anyhow!("downloading the {name}: {}", error.without_url()))?
        {
            body.extend_from_slice(&chunk);
            if body.len() > feed.max_bytes {
                bail!(
                    "the {name} download is larger than {} bytes",
                    feed.max_bytes
                );
            }
        }
        Ok::<_, anyhow::Error>((status, etag, last_modified, body))
    })?;

    if status == reqwest::StatusCode::NOT_MODIFIED && previous.is_some() {
        return Ok(Downloaded::NotModified);
    }
    if !status.is_success() {
        bail!(
            "downloading the {name}: HTTP {}; the saved copy is unchanged",
            status.as_u16()
        );
    }
    let validated = validate(&body).map_err(|reason| {
        anyhow!("the downloaded {name} is invalid ({reason}); the saved copy is unchanged")
    })?;
    crate::config::edit::write_atomically(feed.path, &body)
        .with_context(|| format!("saving {}", feed.path.display()))?;
    let validators = Validators {
        url: feed.url.to_string(),
        etag,
        last_modified,
    };
    // Without them the next download is simply unconditional.
    let _ = crate::config::edit::write_atomically(
        &validators_file,
        &serde_json::to_vec(&validators).unwrap_or_default(),
    );
    Ok(Downloaded::Updated(validated))
}
