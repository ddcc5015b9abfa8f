//! FIRST's EPSS scores (docs/reference.md §11): reading the daily file (a gzip-compressed
//! CSV of about 300,000 rows) into a compact table fast, looking findings up in it, and
//! `epss update` (a conditional download that replaces the saved copy atomically and keeps
//! the old one when anything goes wrong).

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context as _};

use crate::download::{self, Downloaded, Feed};
use crate::report::Epss;

/// Where FIRST publishes the current scores.
pub const FIRST_URL: &str = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz";

/// A download larger than this is refused: the real file is about 2 MB compressed.
const MAX_DOWNLOAD_BYTES: usize = 64 * 1024 * 1024;

/// Decompressed text larger than this is refused (the real file is about 10 MB), so a
/// small file that inflates without end cannot fill the memory.
const MAX_TEXT_BYTES: u64 = 1024 * 1024 * 1024;

/// A download with fewer rows is not the whole file (the real one has about 300,000).
pub const MIN_ROWS: usize = 1_000;

/// The column header every EPSS file has after its comment line.
const HEADER: &[u8] = b"cve,epss,percentile";

/// One CVE's scores; `key` is [`cve_key`] of its id.
#[derive(Debug, Clone, Copy)]
struct Entry {
    key: u64,
    score: f64,
    percentile: f64,
}

/// The scores of one day, sorted by CVE for binary search: 24 bytes a CVE, no string kept.
#[derive(Debug, Clone, Default)]
pub struct Scores {
    /// From the comment line, e.g. `v2025.03.14`.
    pub model_version: Option<String>,
    /// The day the scores are for (`YYYY-MM-DD`), from the comment line.
    pub score_date: Option<String>,
    entries: Vec<Entry>,
}

/// A CVE id as a number, so the table holds no strings: year, digit count (so
/// `CVE-2024-0001` and `CVE-2024-00001` stay apart) and number. `None` for anything else.
fn cve_key(id: &[u8]) -> Option<u64> {
    if id.len() < 4 || !id[..4].eq_ignore_ascii_case(b"CVE-") {
        return None;
    }
    let rest = &id[4..];
    let (year, number) = (rest.get(..4)?, rest.get(5..)?);
    if rest[4] != b'-' || !(4..=11).contains(&number.len()) {
        return None;
    }
    let digits = |text: &[u8]| -> Option<u64> {
        text.iter().try_fold(0u64, |value, byte| {
            byte.is_ascii_digit()
                .then(|| value * 10 + u64::from(byte - b'0'))
        })
    };
    Some(digits(year)? << 41 | (number.len() as u64) << 37 | digits(number)?)
}

/// A score field: a decimal or scientific number in [0, 1].
fn probability(field: &[u8]) -> Option<f64> {
    let value: f64 = std::str::from_utf8(field).ok()?.trim().parse().ok()?;
    (0.0..=1.0).contains(&value).then_some(value)
}

impl Scores {
    /// Reads an EPSS file, gzip-compressed (as FIRST publishes it) or already decompressed.
    pub fn parse(bytes: &[u8]) -> Result<Scores, String> {
        Scores::read(bytes)
    }

    /// Reads the saved copy or a `--epss` file, streaming: the file is never held whole.
    pub fn load(path: &Path) -> anyhow::Result<Scores> {
        let file =
            std::fs::File::open(path).with_context(|| format!("EPSS file {}", path.display()))?;
        Scores::read(file).map_err(|reason| anyhow!("EPSS file {}: {reason}", path.display()))
    }

    /// Decompresses (when it starts with the gzip magic bytes) while parsing, line by line
    /// into one reused buffer.
    fn read(source: impl Read) -> Result<Scores, String> {
        let mut source = BufReader::with_capacity(64 * 1024, source);
        let gzip = source
            .fill_buf()
            .map_err(|error| format!("cannot be read: {error}"))?
            .starts_with(&[0x1f, 0x8b]);
        if gzip {
            let text = flate2::bufread::MultiGzDecoder::new(source).take(MAX_TEXT_BYTES + 1);
            Scores::read_text(BufReader::with_capacity(256 * 1024, text))
        } else {
            Scores::read_text(source.take(MAX_TEXT_BYTES + 1))
        }
    }

    /// The CSV: an optional `#model_version:…,score_date:…` line, the header
    /// `cve,epss,percentile`, then one `CVE-…,score,percentile` row per CVE.
    fn read_text(mut text: impl BufRead) -> Result<Scores, String> {
        let mut scores = Scores {
            entries: Vec::with_capacity(320_000),
            ..Scores::default()
        };
        let mut line = Vec::with_capacity(128);
        let mut number = 0usize;
        let mut header_seen = false;
        let mut total: u64 = 0;
        loop {
            line.clear();
            let read = text.read_until(b'\n', &mut line).map_err(|error| {
                format!("not a readable EPSS file (line {}): {error}", number + 1)
            })?;
            if read == 0 {
                break;
            }
            total += read as u64;
            if total > MAX_TEXT_BYTES {
                return Err(format!(
                    "larger than {MAX_TEXT_BYTES} bytes once decompressed"
                ));
            }
            number += 1;
            let content = line.trim_ascii_end();
            if !header_seen {
                if let Some(comment) = content.strip_prefix(b"#") {
                    scores.read_comment(comment);
                    continue;
                }
                if content.trim_ascii() != HEADER {
                    return Err(format!(
                        "line {number} is `{}`, not the header `cve,epss,percentile`",
                        shorten(content)
                    ));
                }
                header_seen = true;
                continue;
            }
            if content.is_empty() {
                continue;
            }
            let mut fields = content.split(|byte| *byte == b',');
            let (Some(cve), Some(score), Some(percentile), None) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                return Err(format!(
                    "line {number} `{}` is not `cve,epss,percentile`",
                    shorten(content)
                ));
            };
            let key = cve_key(cve.trim_ascii())
                .ok_or_else(|| format!("line {number}: `{}` is not a CVE id", shorten(cve)))?;
            let score = probability(score).ok_or_else(|| {
                format!(
                    "line {number}: the score `{}` is not a number from 0 to 1",
                    shorten(score)
                )
            })?;
            let percentile = probability(percentile).ok_or_else(|| {
                format!(
                    "line {number}: the percentile `{}` is not a number from 0 to 1",
                    shorten(percentile)
                )
            })?;
            scores.entries.push(Entry {
                key,
                score,
                percentile,
            });
        }
        if !header_seen {
            return Err("no header `cve,epss,percentile`: not an EPSS file".into());
        }
        // FIRST sorts by id as text; the table is sorted by number.
        scores.entries.sort_unstable_by_key(|entry| entry.key);
        if let Some(pair) = scores
            .entries
            .windows(2)
            .find(|pair| pair[0].key == pair[1].key)
        {
            return Err(format!("{} is listed twice", cve_text(pair[0].key)));
        }
        scores.entries.shrink_to_fit();
        Ok(scores)
    }

    /// `model_version:v2025.03.14,score_date:2025-03-14T12:55:00Z` (or `…+0000`); anything
    /// else in a comment is ignored.
    fn read_comment(&mut self, comment: &[u8]) {
        let comment = String::from_utf8_lossy(comment);
        for part in comment.split(',') {
            match part.trim().split_once(':') {
                Some(("model_version", value)) if !value.trim().is_empty() => {
                    self.model_version = Some(value.trim().to_string());
                }
                Some(("score_date", value)) => {
                    // Only the day matters; the time ends in `Z` or `+0000` depending on the file.
                    self.score_date = value
                        .trim()
                        .get(..10)
                        .and_then(|day| day.parse::<jiff::civil::Date>().ok())
                        .map(|day| day.to_string());
                }
                _ => {}
            }
        }
    }

    /// How many CVEs have scores.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The scores of the first of `ids` (a finding's id, then its aliases) that has some.
    pub fn lookup<'a>(&self, mut ids: impl Iterator<Item = &'a str>) -> Option<Epss> {
        ids.find_map(|id| {
            let key = cve_key(id.trim().as_bytes())?;
            let index = self
                .entries
                .binary_search_by_key(&key, |entry| entry.key)
                .ok()?;
            let entry = self.entries[index];
            Some(Epss {
                score: entry.score,
                percentile: entry.percentile,
            })
        })
    }
}

/// The id a key came from, for messages.
fn cve_text(key: u64) -> String {
    let year = key >> 41;
    let width = ((key >> 37) & 0xf) as usize;
    let number = key & ((1 << 37) - 1);
    format!("CVE-{year}-{number:0width$}")
}

/// At most 60 characters of a line, for a message.
fn shorten(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.into_owned(),
    }
}

/// The saved copy `epss update` writes and `emit --report` reads by default, beside the
/// KEV catalog.
pub fn saved_path(environment: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    crate::config::xdg_folder("XDG_DATA_HOME", ".local/share", environment)
        .join("staxhook/epss_scores-current.csv.gz")
}

/// What `epss update` did.
#[derive(Debug, PartialEq, Eq)]
pub enum UpdateOutcome {
    Updated {
        rows: usize,
        score_date: Option<String>,
        model_version: Option<String>,
    },
    NotModified {
        rows: usize,
        score_date: Option<String>,
    },
}

/// Downloads the scores from `url` into `path`: a conditional GET (ETag, Last-Modified) when
/// a copy from the same URL is saved; the body must be a whole EPSS file (header, at least
/// [`MIN_ROWS`] rows, every score in [0, 1]) before it atomically replaces the saved copy,
/// so a failed or invalid download keeps the old one.
pub fn update(url: &str, path: &Path) -> anyhow::Result<UpdateOutcome> {
    let feed = Feed {
        name: "EPSS file",
        url,
        path,
        max_bytes: MAX_DOWNLOAD_BYTES,
    };
    let validate = |bytes: &[u8]| {
        let scores = Scores::parse(bytes)?;
        if scores.len() < MIN_ROWS {
            return Err(format!(
                "{} rows, fewer than {MIN_ROWS}: not the whole file",
                scores.len()
            ));
        }
        Ok(scores)
    };
    Ok(match download::update(&feed, validate)? {
        Downloaded::Updated(scores) => UpdateOutcome::Updated {
            rows: scores.len(),
            score_date: scores.score_date,
            model_version: scores.model_version,
        },
        Downloaded::NotModified => {
            let scores = Scores::load(path)?;
            UpdateOutcome::NotModified {
                rows: scores.len(),
                score_date: scores.score_date,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gzip(text: &str) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(text.as_bytes()).unwrap();
        encoder.finish().unwrap()
    }

    const SAMPLE: &str = "#model_version:v2025.03.14,score_date:2025-09-04T12:55:00Z\n\
cve,epss,percentile\n\
CVE-1999-0001,0.0123,0.77\n\
CVE-2021-44228,0.94358,0.99953\n\
CVE-2024-3094,8.4e-01,0.9915\n\
CVE-2024-12345,4.3e-04,0.11\n\
CVE-2024-1234567,1e-5,0.0\n";

    #[test]
    fn reads_the_real_format_and_its_quirks() {
        let scores = Scores::parse(&gzip(SAMPLE)).unwrap();
        assert_eq!(scores.len(), 5);
        assert_eq!(scores.model_version.as_deref(), Some("v2025.03.14"));
        assert_eq!(scores.score_date.as_deref(), Some("2025-09-04"));
        let log4shell = scores.lookup(["CVE-2021-44228"].into_iter()).unwrap();
        assert_eq!((log4shell.score, log4shell.percentile), (0.94358, 0.99953));
        // Scientific notation, and an alias found when the id has no score.
        let xz = scores
            .lookup(["GHSA-xxxx", "CVE-2024-3094"].into_iter())
            .unwrap();
        assert_eq!(xz.score, 0.84);
        assert_eq!(
            scores.lookup(["CVE-2024-12345"].into_iter()).unwrap().score,
            0.00043
        );
        assert_eq!(
            scores
                .lookup(["CVE-2024-1234567"].into_iter())
                .unwrap()
                .score,
            0.00001
        );
        assert!(scores.lookup(["CVE-2024-0012345"].into_iter()).is_none());
        assert!(scores
            .lookup(["CVE-2020-0001", "GHSA-1"].into_iter())
            .is_none());

        // `+0000` instead of `Z`, Windows line ends, no compression.
        let other = SAMPLE
            .replace("12:55:00Z", "12:55:00+0000")
            .replace('\n', "\r\n");
        let plain = Scores::parse(other.as_bytes()).unwrap();
        assert_eq!(plain.score_date.as_deref(), Some("2025-09-04"));
        assert_eq!(plain.len(), 5);
        // Without the comment line.
        let bare = SAMPLE.split_once('\n').unwrap().1;
        assert_eq!(Scores::parse(bare.as_bytes()).unwrap().score_date, None);
    }

    #[test]
    fn refuses_what_is_not_an_epss_file() {
        let refused = |text: &str| Scores::parse(&gzip(text)).unwrap_err();
        assert_eq!(
            refused("cve,score\nCVE-2021-1,0.1\n"),
            "line 1 is `cve,score`, not the header `cve,epss,percentile`"
        );
        assert_eq!(
            refused("cve,epss,percentile\nCVE-2021-0001,1.5,0.9\n"),
            "line 2: the score `1.5` is not a number from 0 to 1"
        );
        assert_eq!(
            refused("cve,epss,percentile\nCVE-2021-0001,0.5,-0.1\n"),
            "line 2: the percentile `-0.1` is not a number from 0 to 1"
        );
        assert_eq!(
            refused("cve,epss,percentile\nCVE-2021-0001,NaN,0.1\n"),
            "line 2: the score `NaN` is not a number from 0 to 1"
        );
        assert_eq!(
            refused("cve,epss,percentile\nGHSA-1,0.5,0.1\n"),
            "line 2: `GHSA-1` is not a CVE id"
        );
        assert_eq!(
            refused("cve,epss,percentile\nCVE-2021-0001,0.5\n"),
            "line 2 `CVE-2021-0001,0.5` is not `cve,epss,percentile`"
        );
        assert_eq!(
            refused("cve,epss,percentile\nCVE-2021-0001,0.5,0.1\nCVE-2021-0001,0.5,0.1\n"),
            "CVE-2021-0001 is listed twice"
        );
        assert_eq!(
            refused(""),
            "no header `cve,epss,percentile`: not an EPSS file"
        );
        let whole = gzip(SAMPLE);
        let truncated = Scores::parse(&whole[..whole.len() - 12]).unwrap_err();
        assert!(
            truncated.starts_with("not a readable EPSS file"),
            "{truncated}"
        );
        assert!(Scores::parse(b"<html>maintenance</html>").is_err());
    }

    #[test]
    fn cve_keys_keep_ids_apart_and_round_trip() {
        for id in ["CVE-1999-0001", "CVE-2024-00001", "CVE-2024-12345678901"] {
            assert_eq!(cve_text(cve_key(id.as_bytes()).unwrap()), id);
        }
        assert_ne!(cve_key(b"CVE-2024-0001"), cve_key(b"CVE-2024-00001"));
        assert_eq!(cve_key(b"cve-2024-0001"), cve_key(b"CVE-2024-0001"));
        for bad in [
            &b"CVE-2024-001"[..],
            b"CVE-24-0001",
            b"CVE-2024_0001",
            b"CVE-2024-12a4",
            b"CVE-",
        ] {
            assert_eq!(cve_key(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }
}
