//! The text encodings reports arrive in, and the one mistake in them worth its own message.
//!
//! `cargo audit --json > report.json` in Windows PowerShell 5 writes UTF-16 LE with a
//! byte-order mark, and some editors save UTF-8 with one; JSON parsers refuse both, so a
//! report is turned into plain UTF-8 first. A file whose JSON comes after some log lines
//! (a scanner's progress output redirected into it) is otherwise "not valid JSON at line 1",
//! which hides the fix; it gets a message that names it.

use std::borrow::Cow;

use super::ReportError;

const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];
const UTF16_LE_BOM: &[u8] = &[0xFF, 0xFE];
const UTF16_BE_BOM: &[u8] = &[0xFE, 0xFF];

/// The report as UTF-8 bytes: without a UTF-8 byte-order mark, and decoded from UTF-16
/// (little- or big-endian) when it starts with that byte-order mark. Anything else is
/// returned as it is; the JSON reader validates it.
pub fn json_text(bytes: &[u8]) -> Result<Cow<'_, [u8]>, ReportError> {
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        return Ok(Cow::Borrowed(rest));
    }
    if let Some(rest) = bytes.strip_prefix(UTF16_LE_BOM) {
        return utf16(rest, "UTF-16LE", u16::from_le_bytes).map(Cow::Owned);
    }
    if let Some(rest) = bytes.strip_prefix(UTF16_BE_BOM) {
        return utf16(rest, "UTF-16BE", u16::from_be_bytes).map(Cow::Owned);
    }
    Ok(Cow::Borrowed(bytes))
}

/// UTF-16 code units (after the byte-order mark) as UTF-8.
fn utf16(
    bytes: &[u8],
    encoding: &'static str,
    unit: fn([u8; 2]) -> u16,
) -> Result<Vec<u8>, ReportError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(ReportError::InvalidEncoding {
            encoding,
            reason: format!(
                "an odd number of bytes ({}) after the byte-order mark",
                bytes.len()
            ),
        });
    }
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    // Most reports are ASCII: one UTF-8 byte per code unit.
    let mut text = String::with_capacity(bytes.len() / 2);
    for (position, decoded) in char::decode_utf16(units).enumerate() {
        match decoded {
            Ok(character) => text.push(character),
            Err(error) => {
                return Err(ReportError::InvalidEncoding {
                    encoding,
                    reason: format!(
                        "an unpaired surrogate {:#06x} at code unit {}",
                        error.unpaired_surrogate(),
                        position + 1
                    ),
                })
            }
        }
    }
    Ok(text.into_bytes())
}

/// When `bytes` failed to read as JSON because lines of other text come first and the JSON
/// starts on a later line (`{` or `[` at the start of a line), the error that says so.
pub fn text_before_json(bytes: &[u8]) -> Option<ReportError> {
    let text = String::from_utf8_lossy(bytes);
    let starts_json = |line: &str| line.trim_start().starts_with(['{', '[']);
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty());
    let (_, first) = lines.next()?;
    if starts_json(first) {
        return None;
    }
    let (index, _) = lines.find(|(_, line)| starts_json(line))?;
    let before = text
        .lines()
        .take(index)
        .filter(|line| !line.trim().is_empty())
        .count();
    const SHOWN: usize = 80;
    let first = first.trim();
    let shown: String = first.chars().take(SHOWN).collect();
    Some(ReportError::TextBeforeJson {
        lines: before,
        json_line: index + 1,
        first: if shown.len() < first.len() {
            format!("{shown}…")
        } else {
            shown
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16_le(text: &str) -> Vec<u8> {
        let mut bytes = UTF16_LE_BOM.to_vec();
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        bytes
    }

    fn utf16_be(text: &str) -> Vec<u8> {
        let mut bytes = UTF16_BE_BOM.to_vec();
        bytes.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        bytes
    }

    #[test]
    fn byte_order_marks() {
        let json = "{\"name\": \"caf\u{e9} \u{1F600}\"}";
        let mut with_bom = UTF8_BOM.to_vec();
        with_bom.extend(json.as_bytes());
        assert_eq!(
            json_text(&with_bom).expect("decodes").as_ref(),
            json.as_bytes()
        );
        assert!(
            matches!(json_text(&with_bom), Ok(Cow::Borrowed(_))),
            "no copy"
        );
        assert_eq!(
            json_text(&utf16_le(json)).expect("decodes").as_ref(),
            json.as_bytes()
        );
        assert_eq!(
            json_text(&utf16_be(json)).expect("decodes").as_ref(),
            json.as_bytes()
        );
        assert_eq!(
            json_text(json.as_bytes()).expect("as is").as_ref(),
            json.as_bytes()
        );
    }

    #[test]
    fn broken_utf16_is_refused() {
        let mut odd = utf16_le("{}");
        odd.push(b'x');
        let error = json_text(&odd).expect_err("odd length");
        assert_eq!(
            error.to_string(),
            "is not valid UTF-16LE text: an odd number of bytes (5) after the byte-order mark"
        );
        let mut lone = UTF16_BE_BOM.to_vec();
        lone.extend([0xD8, 0x00, 0x00, 0x7B]);
        let error = json_text(&lone).expect_err("unpaired");
        assert_eq!(
            error.to_string(),
            "is not valid UTF-16BE text: an unpaired surrogate 0xd800 at code unit 1"
        );
    }

    #[test]
    fn log_lines_before_the_json() {
        let text = "2024-05-01T10:00:00Z INFO Need to update DB\n\
                    2024-05-01T10:00:02Z INFO Detected OS: alpine\n\n{\"SchemaVersion\": 2}\n";
        match text_before_json(text.as_bytes()) {
            Some(ReportError::TextBeforeJson {
                lines,
                json_line,
                first,
            }) => {
                assert_eq!((lines, json_line), (2, 4));
                assert_eq!(first, "2024-05-01T10:00:00Z INFO Need to update DB");
            }
            other => panic!("{other:?}"),
        }
        assert!(text_before_json(b"{\"a\": 1,}").is_none(), "JSON first");
        assert!(text_before_json(b"  \n[1, 2").is_none(), "JSON first");
        assert!(text_before_json(b"not json at all\nnor here").is_none());
        let long = format!("{}\n{{}}", "x".repeat(200));
        match text_before_json(long.as_bytes()) {
            Some(ReportError::TextBeforeJson { first, .. }) => {
                assert_eq!(first.chars().count(), 81);
                assert!(first.ends_with('…'));
            }
            other => panic!("{other:?}"),
        }
    }
}
