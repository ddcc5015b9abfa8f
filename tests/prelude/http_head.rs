//! An HTTP/1.1 request head as the loopback test servers read it: the plain and TLS servers
//! and the proxy share the search for the blank line and the header parsing.

use std::io::{self, Read};

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Where the head in `buffer` ends (just past its blank line), if it is all there.
pub(super) fn head_end(buffer: &[u8]) -> Option<usize> {
    find(buffer, b"\r\n\r\n").map(|at| at + 4)
}

/// Reads from `stream` until a whole head is in: the bytes read (the head and whatever came
/// after it) and where the head ends. `Ok(None)` when the peer went away first or the head
/// grew past `limit` bytes.
pub(super) fn read_head(
    stream: &mut impl Read,
    limit: usize,
) -> io::Result<Option<(Vec<u8>, usize)>> {
    let mut buffer = Vec::new();
    let mut piece = [0u8; 16 * 1024];
    loop {
        if let Some(end) = head_end(&buffer) {
            return Ok(Some((buffer, end)));
        }
        if buffer.len() > limit {
            return Ok(None);
        }
        let read = stream.read(&mut piece)?;
        if read == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&piece[..read]);
    }
}

/// The request line and the headers of a head: names lower-cased, values trimmed, lines
/// without a colon left out.
pub(super) fn parse_head(head: &[u8]) -> (String, Vec<(String, String)>) {
    let head = String::from_utf8_lossy(head);
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_string();
    let headers = lines
        .filter(|line| !line.is_empty())
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            Some((name.trim().to_ascii_lowercase(), value.trim().to_string()))
        })
        .collect();
    (request_line, headers)
}
