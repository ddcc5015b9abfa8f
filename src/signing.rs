//! Webhook signatures: the `X-CodeStax-Signature` and Standard Webhooks headers we send, and streaming verification of a received body.

use std::fmt;
use std::io::{self, Read};
use std::str::FromStr;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64_STANDARD;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use jiff::{SignedDuration, Timestamp};
use serde::de::{DeserializeSeed, Deserializer as _, IgnoredAny, MapAccess, Visitor};
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};

type HmacSha256 = Hmac<Sha256>;

/// What every signature in `X-CodeStax-Signature` starts with.
pub const CODESTAX_PREFIX: &str = "sha256=";

/// Standard Webhooks secrets are `whsec_` followed by the base64 of the key.
const STANDARD_WEBHOOKS_SECRET_PREFIX: &str = "whsec_";
const STANDARD_WEBHOOKS_VERSION: &str = "v1";

const DIGEST_BYTES: usize = 32;
const DIGEST_HEX_DIGITS: usize = DIGEST_BYTES * 2;

/// Large reads keep the per-call overhead negligible next to the hashing, so
/// verification runs close to raw HMAC-SHA256 throughput.
const READ_CHUNK_BYTES: usize = 256 * 1024;

/// The envelope puts `timestamp` near the start, so only this much of the body
/// is kept to look for it; the rest is hashed and dropped.
const TIMESTAMP_PREFIX_BYTES: usize = 64 * 1024;

/// Clock skew allowed for a timestamp ahead of `now`, matching the Standard
/// Webhooks tolerance.
const FUTURE_TOLERANCE: SignedDuration = SignedDuration::from_mins(5);

/// Enough of an offending header part to recognise it without echoing a whole
/// (possibly huge) header back into an error message.
const SHOWN_PART_CHARS: usize = 20;

const SIGNATURE_MISMATCH: &str = "signature does not match";
const NO_TIMESTAMP: &str = "body has no top-level \"timestamp\" string";

/// `sha256=<lowercase hex HMAC-SHA256(secret's UTF-8 bytes, body)>`.
///
/// The key is the whole secret string, `whsec_` prefix included, so the same
/// configured secret works for both header families.
pub fn codestax_signature(secret: &str, body: &[u8]) -> String {
    let digest = hmac_sha256(secret.as_bytes(), &[body]);
    format!("{CODESTAX_PREFIX}{}", hex::encode(digest))
}

/// The header value for several secrets, newest first: "sha256=<a> sha256=<b>"
///
/// Receivers that still hold the old secret during a rotation grace period
/// accept the delivery because one of the signatures is theirs. An empty
/// `secrets` gives an empty string.
pub fn codestax_header(secrets: &[&str], body: &[u8]) -> String {
    secrets
        .iter()
        .map(|secret| codestax_signature(secret, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Key bytes of a `whsec_` secret, None when the secret is not of that form (prefix missing or base64 invalid).
///
/// `whsec_` with nothing after it is also None: an empty HMAC key would let
/// anyone produce a valid signature.
pub fn standard_webhooks_key(secret: &str) -> Option<Vec<u8>> {
    let encoded = secret.strip_prefix(STANDARD_WEBHOOKS_SECRET_PREFIX)?;
    // The reference libraries accept the key with or without `=` padding; so must we, or a
    // hand-written unpadded secret would silently send no Standard Webhooks headers.
    let lenient = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let key = lenient.decode(encoded.trim()).ok()?;
    (!key.is_empty()).then_some(key)
}

/// "v1,<base64>" signatures of the whsec_ secrets among `secrets`, space-separated, newest first; None when none of them is a whsec_ secret.
///
/// The signed content is `{message_id}.{timestamp}.{body}` as the Standard
/// Webhooks specification defines it; it is fed to the HMAC in pieces so the
/// body is never copied.
pub fn standard_webhooks_header(
    secrets: &[&str],
    message_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Option<String> {
    let timestamp = timestamp.to_string();
    let signatures: Vec<String> = secrets
        .iter()
        .filter_map(|secret| standard_webhooks_key(secret))
        .map(|key| {
            let digest = hmac_sha256(
                &key,
                &[
                    message_id.as_bytes(),
                    b".",
                    timestamp.as_bytes(),
                    b".",
                    body,
                ],
            );
            format!(
                "{STANDARD_WEBHOOKS_VERSION},{}",
                BASE64_STANDARD.encode(digest)
            )
        })
        .collect();
    (!signatures.is_empty()).then(|| signatures.join(" "))
}

/// Why an `X-CodeStax-Signature` value could not be parsed.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum SignatureHeaderError {
    #[error("signature header is empty; expected one or more sha256=<hex> parts")]
    Empty,
    /// The offending part, truncated.
    #[error("signature part `{0}` does not start with sha256=")]
    MissingPrefix(String),
    /// The offending part, truncated.
    #[error("signature part `{0}` is not hexadecimal after sha256=")]
    BadHex(String),
    /// The offending part, truncated, and how many hex digits it has.
    #[error("signature part `{0}` has {1} hex digits, expected 64")]
    WrongLength(String, usize),
}

/// The digests carried by an `X-CodeStax-Signature` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    /// Never empty: `parse` refuses a header without signatures.
    digests: Vec<[u8; DIGEST_BYTES]>,
}

impl SignatureHeader {
    /// Parses one or more whitespace-separated `sha256=<64 hex digits>` parts;
    /// any amount of spaces or tabs may separate them, and hex may be upper case.
    pub fn parse(value: &str) -> Result<SignatureHeader, SignatureHeaderError> {
        let digests = value
            .split_ascii_whitespace()
            .map(parse_signature_part)
            .collect::<Result<Vec<_>, _>>()?;
        if digests.is_empty() {
            return Err(SignatureHeaderError::Empty);
        }
        Ok(SignatureHeader { digests })
    }

    /// How many signatures the header carries.
    pub fn len(&self) -> usize {
        self.digests.len()
    }

    /// Always false for a parsed header; present because `len` is.
    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }
}

impl FromStr for SignatureHeader {
    type Err = SignatureHeaderError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        SignatureHeader::parse(value)
    }
}

fn parse_signature_part(part: &str) -> Result<[u8; DIGEST_BYTES], SignatureHeaderError> {
    let hex_digits = part
        .strip_prefix(CODESTAX_PREFIX)
        .ok_or_else(|| SignatureHeaderError::MissingPrefix(shown_part(part)))?;
    // Checking the characters before the length means "sha256=xyz" reports
    // bad hex rather than a length, which is the more useful complaint.
    if !hex_digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return Err(SignatureHeaderError::BadHex(shown_part(part)));
    }
    // All ASCII by now, so the byte length is the digit count.
    if hex_digits.len() != DIGEST_HEX_DIGITS {
        return Err(SignatureHeaderError::WrongLength(
            shown_part(part),
            hex_digits.len(),
        ));
    }
    let mut digest = [0u8; DIGEST_BYTES];
    hex::decode_to_slice(hex_digits, &mut digest)
        .map_err(|_| SignatureHeaderError::BadHex(shown_part(part)))?;
    Ok(digest)
}

/// The first few characters of `part`, with control characters escaped so an
/// error message cannot smuggle terminal escapes; `…` marks a cut.
fn shown_part(part: &str) -> String {
    let mut characters = part.chars();
    let mut shown = String::new();
    for character in characters.by_ref().take(SHOWN_PART_CHARS) {
        if character.is_control() {
            shown.extend(character.escape_default());
        } else {
            shown.push(character);
        }
    }
    if characters.next().is_some() {
        shown.push('…');
    }
    shown
}

/// The outcome of a verification that managed to read the whole body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    /// Why the body was rejected, as a one-line human-readable reason.
    Invalid(String),
}

/// Settings for [`verify_stream`].
#[derive(Debug, Clone, Copy)]
pub struct VerifyOptions {
    /// When set, the envelope's top-level `timestamp` must be at most this old
    /// (and not more than 5 minutes in the future).
    pub max_age: Option<Duration>,
    /// The moment to judge the timestamp against; a parameter so tests are deterministic.
    pub now: Timestamp,
}

/// Streams `body` once, computing one HMAC per secret; constant-time compare against every parsed signature.
///
/// Memory stays bounded whatever the body size: one read buffer plus, when
/// `max_age` is set, the first 64 KiB of the body to find the timestamp in.
/// Errors are only those of reading `body`; every judgement about its content
/// is a [`Verdict`].
pub fn verify_stream<R: Read>(
    secrets: &[&str],
    header: &SignatureHeader,
    mut body: R,
    options: &VerifyOptions,
) -> io::Result<Verdict> {
    let mut macs: Vec<HmacSha256> = secrets
        .iter()
        .map(|secret| new_hmac(secret.as_bytes()))
        .collect();
    let keep_prefix = options.max_age.is_some();
    let mut prefix = Vec::new();
    let mut body_bytes: u64 = 0;
    let mut chunk = vec![0u8; READ_CHUNK_BYTES];

    loop {
        let read = match body.read(&mut chunk) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        // A reader claiming more than the buffer holds is broken; refuse it
        // rather than panic on the slice.
        let bytes = chunk.get(..read).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                "reader reported more bytes than the buffer holds",
            )
        })?;
        for mac in &mut macs {
            mac.update(bytes);
        }
        if keep_prefix && prefix.len() < TIMESTAMP_PREFIX_BYTES {
            let wanted = (TIMESTAMP_PREFIX_BYTES - prefix.len()).min(bytes.len());
            prefix.extend_from_slice(&bytes[..wanted]);
        }
        body_bytes = body_bytes.saturating_add(read as u64);
    }

    // Every (secret, signature) pair is compared and the results OR-ed, so the
    // time taken does not reveal which pair matched or how closely.
    let mut matched = Choice::from(0);
    for mac in macs {
        let computed = mac.finalize().into_bytes();
        for expected in &header.digests {
            matched |= computed.as_slice().ct_eq(expected.as_slice());
        }
    }
    if !bool::from(matched) {
        return Ok(Verdict::Invalid(SIGNATURE_MISMATCH.to_owned()));
    }

    let Some(max_age) = options.max_age else {
        return Ok(Verdict::Valid);
    };
    let whole_body_kept = body_bytes <= TIMESTAMP_PREFIX_BYTES as u64;
    Ok(judge_timestamp(
        &prefix,
        whole_body_kept,
        max_age,
        options.now,
    ))
}

fn judge_timestamp(
    prefix: &[u8],
    whole_body_kept: bool,
    max_age: Duration,
    now: Timestamp,
) -> Verdict {
    let text = match find_top_level_timestamp(prefix, whole_body_kept) {
        Ok(text) => text,
        Err(reason) => return Verdict::Invalid(reason),
    };
    let timestamp: Timestamp = match text.parse() {
        Ok(timestamp) => timestamp,
        Err(_) => {
            return Verdict::Invalid(format!(
                "timestamp `{}` is not an RFC 3339 timestamp",
                shown_part(&text)
            ))
        }
    };
    // A max-age too large for SignedDuration is beyond any real age, so it
    // simply imposes no limit.
    if let Ok(max_age) = SignedDuration::try_from(max_age) {
        if now.duration_since(timestamp) > max_age {
            return Verdict::Invalid(format!("timestamp {text} is older than {max_age:#}"));
        }
    }
    if timestamp.duration_since(now) > FUTURE_TOLERANCE {
        return Verdict::Invalid(format!(
            "timestamp {text} is more than 5 minutes in the future"
        ));
    }
    Verdict::Valid
}

/// The top-level `"timestamp"` string of the envelope in `prefix`.
///
/// serde_json does the tokenising (escapes, nesting, strings that merely
/// contain `"timestamp"`), so arbitrary bytes cannot confuse or crash the
/// search. When `prefix` is only the start of the body the parse always ends
/// in an error where it was cut, so the visitor records its finding as it
/// goes and that record is used regardless.
fn find_top_level_timestamp(prefix: &[u8], whole_body_kept: bool) -> Result<String, String> {
    let mut search = TimestampSearch::default();
    let mut deserializer = serde_json::Deserializer::from_slice(prefix);
    let parsed = deserializer
        .deserialize_map(EnvelopeVisitor {
            search: &mut search,
        })
        .and_then(|()| deserializer.end());
    if whole_body_kept {
        if let Err(error) = parsed {
            return Err(format!("body is not a JSON object: {error}"));
        }
    }
    match (search.occurrences, search.first) {
        (1, Some(serde_json::Value::String(text))) => Ok(text),
        // A repeated key is ambiguous: different readers would pick different
        // values, so neither is trusted.
        (occurrences, _) if occurrences > 1 => {
            Err("body has more than one top-level \"timestamp\"".to_owned())
        }
        _ => Err(NO_TIMESTAMP.to_owned()),
    }
}

#[derive(Default)]
struct TimestampSearch {
    occurrences: usize,
    first: Option<serde_json::Value>,
}

struct EnvelopeVisitor<'search> {
    search: &'search mut TimestampSearch,
}

impl<'de> Visitor<'de> for EnvelopeVisitor<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(is_timestamp) = map.next_key_seed(KeyIsTimestamp)? {
            if is_timestamp {
                let value: serde_json::Value = map.next_value()?;
                self.search.occurrences += 1;
                if self.search.first.is_none() {
                    self.search.first = Some(value);
                }
            } else {
                // Skipped without building anything, so a large "data"
                // before the timestamp costs no allocation.
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// Compares a key with `timestamp` without allocating it.
struct KeyIsTimestamp;

impl<'de> DeserializeSeed<'de> for KeyIsTimestamp {
    type Value = bool;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyIsTimestamp {
    type Value = bool;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("an object key")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(key == "timestamp")
    }
}

fn new_hmac(key: &[u8]) -> HmacSha256 {
    // HMAC is defined for keys of every length (longer ones are hashed first),
    // so the crate's length check cannot reject any key.
    HmacSha256::new_from_slice(key).expect("HMAC-SHA256 accepts keys of any length")
}

/// HMAC-SHA256 of the concatenation of `parts`.
fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; DIGEST_BYTES] {
    let mut mac = new_hmac(key);
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod padding_tests {
    use super::*;

    #[test]
    fn unpadded_whsec_secrets_are_accepted() {
        let padded = standard_webhooks_key("whsec_c3RheGhvb2sgc3RhbmRhcmQgd2ViaG9va3MgY2hlY2s=");
        let unpadded = standard_webhooks_key("whsec_c3RheGhvb2sgc3RhbmRhcmQgd2ViaG9va3MgY2hlY2s");
        assert!(padded.is_some());
        assert_eq!(padded, unpadded);
        assert_eq!(standard_webhooks_key("whsec_!!!"), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const OLD_SECRET: &str = "an-older-plain-secret";

    fn at(text: &str) -> Timestamp {
        text.parse().expect("test timestamp")
    }

    fn options(max_age: Option<Duration>, now: &str) -> VerifyOptions {
        VerifyOptions {
            max_age,
            now: at(now),
        }
    }

    fn no_max_age() -> VerifyOptions {
        options(None, "2026-03-22T10:30:00Z")
    }

    fn envelope(timestamp: &str) -> Vec<u8> {
        format!(
            r#"{{"event":"scan.completed","timestamp":"{timestamp}","repository":"acme/api","data":{{"findings":3}}}}"#
        )
        .into_bytes()
    }

    fn header_for(secrets: &[&str], body: &[u8]) -> SignatureHeader {
        SignatureHeader::parse(&codestax_header(secrets, body)).expect("our own header parses")
    }

    fn verify(
        secrets: &[&str],
        header: &SignatureHeader,
        body: &[u8],
        options: &VerifyOptions,
    ) -> Verdict {
        verify_stream(secrets, header, body, options).expect("reading a slice cannot fail")
    }

    fn invalid(reason: &str) -> Verdict {
        Verdict::Invalid(reason.to_owned())
    }

    /// Hands out one byte per `read`, as a slow pipe might.
    struct OneByteAtATime<'a>(&'a [u8]);

    impl Read for OneByteAtATime<'_> {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), buffer.first_mut()) {
                (Some((byte, rest)), Some(slot)) => {
                    *slot = *byte;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    /// Deterministic xorshift64*, so the fuzz-style tests need no extra crate
    /// and any failure reproduces.
    struct Generator(u64);

    impl Generator {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, bound: usize) -> usize {
            (self.next() % bound as u64) as usize
        }

        /// Bytes biased towards the syntax the parsers care about, so the
        /// interesting paths are reached far more often than by uniform noise.
        fn bytes(&mut self, pieces: &[&[u8]], max_pieces: usize) -> Vec<u8> {
            let mut bytes = Vec::new();
            for _ in 0..self.below(max_pieces + 1) {
                if self.below(4) == 0 {
                    bytes.push(self.next() as u8);
                } else {
                    bytes.extend_from_slice(pieces[self.below(pieces.len())]);
                }
            }
            bytes
        }
    }

    // RFC 4231 section 4 test cases for HMAC-SHA-256, through the helper that
    // signing and verification use.
    #[test]
    fn hmac_helper_matches_rfc_4231_test_cases() {
        let key_131_bytes = [0xaa_u8; 131];
        let key_1_to_25: Vec<u8> = (0x01..=0x19).collect();
        let cases: [(&str, &[u8], &[u8], &str); 6] = [
            (
                "test case 1",
                &[0x0b; 20],
                b"Hi There",
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                "test case 2",
                b"Jefe",
                b"what do ya want for nothing?",
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                "test case 3",
                &[0xaa; 20],
                &[0xdd; 50],
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            ),
            (
                "test case 4",
                &key_1_to_25,
                &[0xcd; 50],
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            ),
            (
                "test case 6",
                &key_131_bytes,
                b"Test Using Larger Than Block-Size Key - Hash Key First",
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
            (
                "test case 7",
                &key_131_bytes,
                b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.",
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            ),
        ];
        for (name, key, data, expected) in cases {
            assert_eq!(hex::encode(hmac_sha256(key, &[data])), expected, "{name}");
        }
    }

    #[test]
    fn hmac_helper_gives_the_same_digest_for_data_in_pieces() {
        assert_eq!(
            hmac_sha256(b"Jefe", &[b"what do ya ", b"", b"want for nothing?"]),
            hmac_sha256(b"Jefe", &[b"what do ya want for nothing?"]),
        );
    }

    #[test]
    fn codestax_signature_keys_the_hmac_with_the_whole_secret_string() {
        // Expected value from `printf '{"test": 2432232314}' | openssl dgst
        // -sha256 -hmac 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'`, an
        // implementation independent of this crate.
        assert_eq!(
            codestax_signature(SECRET, br#"{"test": 2432232314}"#),
            "sha256=80ec8a89ce3cd22133a1066caecb4d04fea7467657c8514d717ec42c38a5c94c"
        );
    }

    #[test]
    fn codestax_header_lists_every_secret_newest_first() {
        let body = envelope("2026-03-22T10:30:00Z");
        let header = codestax_header(&[SECRET, OLD_SECRET], &body);
        assert_eq!(
            header,
            format!(
                "{} {}",
                codestax_signature(SECRET, &body),
                codestax_signature(OLD_SECRET, &body)
            )
        );
        assert_ne!(
            codestax_signature(SECRET, &body),
            codestax_signature(OLD_SECRET, &body)
        );
        assert_eq!(codestax_header(&[], &body), "");
    }

    // The vector of the Standard Webhooks reference libraries:
    // standard-webhooks/standard-webhooks, libraries/php/tests/WebhookTest.php,
    // testSignFunctionWorks (the same values appear in Svix's documentation).
    #[test]
    fn standard_webhooks_header_reproduces_the_reference_vector() {
        assert_eq!(
            standard_webhooks_header(
                &[SECRET],
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                br#"{"test": 2432232314}"#
            )
            .as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    // standard-webhooks/standard-webhooks, libraries/rust/src/lib.rs, test_sign:
    // a second vector whose key is not 32 bytes long.
    #[test]
    fn standard_webhooks_header_reproduces_the_rust_library_vector() {
        assert_eq!(
            standard_webhooks_header(
                &["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"],
                "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
                1649367553,
                br#"{"email":"test@example.com","username":"test_user"}"#
            )
            .as_deref(),
            Some("v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=")
        );
    }

    #[test]
    fn standard_webhooks_header_signs_only_with_whsec_secrets_newest_first() {
        let other = "whsec_c2VjcmV0LW9mLWEtcm90YXRlZC1lbmRwb2ludA==";
        let body = br#"{"test": 2432232314}"#;
        let sign = |secret: &str| standard_webhooks_header(&[secret], "msg_1", 1, body);
        let new = sign(SECRET).expect("whsec secret signs");
        let old = sign(other).expect("whsec secret signs");
        assert_ne!(new, old);
        assert_eq!(
            standard_webhooks_header(&[SECRET, OLD_SECRET, other], "msg_1", 1, body),
            Some(format!("{new} {old}"))
        );
        assert_eq!(
            standard_webhooks_header(&[OLD_SECRET], "msg_1", 1, body),
            None
        );
        assert_eq!(standard_webhooks_header(&[], "msg_1", 1, body), None);
    }

    #[test]
    fn standard_webhooks_key_decodes_only_whsec_secrets() {
        assert_eq!(
            standard_webhooks_key("whsec_aGVsbG8="),
            Some(b"hello".to_vec())
        );
        assert_eq!(standard_webhooks_key(SECRET).map(|key| key.len()), Some(24));
        assert_eq!(
            standard_webhooks_key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            None
        );
        assert_eq!(standard_webhooks_key("whsec_not base64!"), None);
        assert_eq!(standard_webhooks_key("whsec_"), None);
        assert_eq!(standard_webhooks_key("WHSEC_aGVsbG8="), None);
    }

    #[test]
    fn parse_accepts_extra_whitespace_and_upper_case_hex() {
        let body = b"{}";
        let new = codestax_signature(SECRET, body);
        let old_digits =
            codestax_signature(OLD_SECRET, body)[CODESTAX_PREFIX.len()..].to_uppercase();
        let messy = format!(" \t{new}  \t sha256={old_digits}\t\n");
        let parsed = SignatureHeader::parse(&messy).expect("messy but valid header");
        assert_eq!(parsed.len(), 2);
        assert!(!parsed.is_empty());
        assert_eq!(parsed, header_for(&[SECRET, OLD_SECRET], body));
        assert_eq!(messy.parse::<SignatureHeader>(), Ok(parsed));
    }

    #[test]
    fn parse_reports_each_kind_of_error() {
        use SignatureHeaderError::*;
        let digits = "ab".repeat(32);
        assert_eq!(SignatureHeader::parse(""), Err(Empty));
        assert_eq!(SignatureHeader::parse(" \t \n"), Err(Empty));
        assert_eq!(
            SignatureHeader::parse(&digits),
            Err(MissingPrefix(format!("{}…", &digits[..20])))
        );
        assert_eq!(
            SignatureHeader::parse(&format!("SHA256={digits}")),
            Err(MissingPrefix("SHA256=ababababababa…".to_owned()))
        );
        assert_eq!(
            SignatureHeader::parse("sha256=xyz"),
            Err(BadHex("sha256=xyz".to_owned()))
        );
        assert_eq!(
            SignatureHeader::parse(&format!("sha256={}g", &digits[1..])),
            Err(BadHex("sha256=babababababab…".to_owned()))
        );
        assert_eq!(
            SignatureHeader::parse("sha256=abc"),
            Err(WrongLength("sha256=abc".to_owned(), 3))
        );
        assert_eq!(
            SignatureHeader::parse("sha256="),
            Err(WrongLength("sha256=".to_owned(), 0))
        );
        // One bad part spoils the header even after a good one.
        assert_eq!(
            SignatureHeader::parse(&format!("sha256={digits} sha256={digits}00")),
            Err(WrongLength("sha256=ababababababa…".to_owned(), 66))
        );
        // Commas are not separators.
        assert_eq!(
            SignatureHeader::parse(&format!("sha256={digits},sha256={digits}")),
            Err(BadHex("sha256=ababababababa…".to_owned()))
        );
    }

    #[test]
    fn parse_errors_read_as_one_line() {
        assert_eq!(
            SignatureHeaderError::MissingPrefix("abc".to_owned()).to_string(),
            "signature part `abc` does not start with sha256="
        );
        assert_eq!(
            SignatureHeaderError::WrongLength("sha256=abc".to_owned(), 3).to_string(),
            "signature part `sha256=abc` has 3 hex digits, expected 64"
        );
        let escaped = SignatureHeader::parse("\u{1b}[31mred")
            .expect_err("not a signature")
            .to_string();
        assert!(!escaped.contains('\u{1b}'), "{escaped}");
        assert!(!escaped.contains('\n'), "{escaped}");
    }

    #[test]
    fn error_excerpts_cut_on_character_boundaries() {
        let part = "é".repeat(30);
        assert_eq!(
            SignatureHeader::parse(&part),
            Err(SignatureHeaderError::MissingPrefix(format!(
                "{}…",
                "é".repeat(20)
            )))
        );
    }

    #[test]
    fn parse_never_panics_on_random_input() {
        let digits = "ab".repeat(32);
        let pieces: &[&[u8]] = &[
            b"sha256=",
            b"sha256",
            b"=",
            b" ",
            b"\t",
            b"\n",
            b"0",
            b"9",
            b"a",
            b"F",
            b"g",
            digits.as_bytes(),
            "é".as_bytes(),
            "€".as_bytes(),
            b"\xff",
        ];
        let mut generator = Generator(0x5eed_1234_abcd_0001);
        let mut parsed = 0;
        for _ in 0..20_000 {
            let bytes = generator.bytes(pieces, 8);
            let text = String::from_utf8_lossy(&bytes);
            if let Ok(header) = SignatureHeader::parse(&text) {
                assert_eq!(header.len(), text.split_ascii_whitespace().count());
                parsed += 1;
            }
        }
        // Proof that the generator reaches the success path, not just errors.
        assert!(parsed > 0);
    }

    #[test]
    fn verify_accepts_a_single_matching_signature() {
        let body = envelope("2026-03-22T10:30:00Z");
        let header = header_for(&[SECRET], &body);
        assert_eq!(
            verify(&[SECRET], &header, &body, &no_max_age()),
            Verdict::Valid
        );
    }

    #[test]
    fn verify_accepts_when_the_second_signature_matches() {
        let body = envelope("2026-03-22T10:30:00Z");
        // Signed by the rotated-in secret and the old one; the receiver has
        // only the old one.
        let header = header_for(&[SECRET, OLD_SECRET], &body);
        assert_eq!(
            verify(&[OLD_SECRET], &header, &body, &no_max_age()),
            Verdict::Valid
        );
        // And the first of them, for the receiver already on the new secret.
        assert_eq!(
            verify(&[SECRET], &header, &body, &no_max_age()),
            Verdict::Valid
        );
        assert_eq!(
            verify(&["some-other-secret"], &header, &body, &no_max_age()),
            invalid(SIGNATURE_MISMATCH)
        );
    }

    #[test]
    fn verify_accepts_when_the_second_secret_matches() {
        let body = envelope("2026-03-22T10:30:00Z");
        let header = header_for(&[OLD_SECRET], &body);
        assert_eq!(
            verify(&[SECRET, OLD_SECRET], &header, &body, &no_max_age()),
            Verdict::Valid
        );
        // The first of the secrets matching is just as good.
        assert_eq!(
            verify(&[OLD_SECRET, SECRET], &header, &body, &no_max_age()),
            Verdict::Valid
        );
    }

    #[test]
    fn verify_rejects_a_body_with_one_flipped_byte() {
        let body = envelope("2026-03-22T10:30:00Z");
        let header = header_for(&[SECRET], &body);
        let mut tampered = body.clone();
        tampered[body.len() / 2] ^= 0x01;
        assert_eq!(
            verify(&[SECRET], &header, &tampered, &no_max_age()),
            invalid(SIGNATURE_MISMATCH)
        );
    }

    #[test]
    fn verify_rejects_when_no_secret_is_given() {
        let body = envelope("2026-03-22T10:30:00Z");
        let header = header_for(&[SECRET], &body);
        assert_eq!(
            verify(&[], &header, &body, &no_max_age()),
            invalid(SIGNATURE_MISMATCH)
        );
    }

    #[test]
    fn verify_with_max_age_rejects_a_timestamp_that_is_too_old() {
        let body = envelope("2026-03-22T10:30:00Z");
        let header = header_for(&[SECRET], &body);
        let five_minutes = Some(Duration::from_secs(300));
        assert_eq!(
            verify(
                &[SECRET],
                &header,
                &body,
                &options(five_minutes, "2026-03-22T10:35:01Z")
            ),
            invalid("timestamp 2026-03-22T10:30:00Z is older than 5m")
        );
        assert_eq!(
            verify(
                &[SECRET],
                &header,
                &body,
                &options(Some(Duration::from_secs(90)), "2026-03-23T10:30:00Z")
            ),
            invalid("timestamp 2026-03-22T10:30:00Z is older than 1m 30s")
        );
    }

    #[test]
    fn verify_with_max_age_rejects_a_timestamp_too_far_in_the_future() {
        let body = envelope("2026-03-22T10:30:00Z");
        let header = header_for(&[SECRET], &body);
        assert_eq!(
            verify(
                &[SECRET],
                &header,
                &body,
                &options(Some(Duration::from_secs(300)), "2026-03-22T10:24:59Z")
            ),
            invalid("timestamp 2026-03-22T10:30:00Z is more than 5 minutes in the future")
        );
    }

    #[test]
    fn verify_with_max_age_accepts_timestamps_within_bounds() {
        let body = envelope("2026-03-22T10:30:00Z");
        let header = header_for(&[SECRET], &body);
        let five_minutes = Some(Duration::from_secs(300));
        for now in [
            "2026-03-22T10:30:00Z",
            // Exactly max-age old and exactly five minutes ahead are both allowed.
            "2026-03-22T10:35:00Z",
            "2026-03-22T10:25:00Z",
            "2026-03-22T10:32:00Z",
        ] {
            assert_eq!(
                verify(&[SECRET], &header, &body, &options(five_minutes, now)),
                Verdict::Valid,
                "now = {now}"
            );
        }
        // A max-age too large to represent is no limit rather than a panic.
        assert_eq!(
            verify(
                &[SECRET],
                &header,
                &body,
                &options(Some(Duration::MAX), "2099-01-01T00:00:00Z")
            ),
            Verdict::Valid
        );
    }

    #[test]
    fn verify_with_max_age_accepts_other_rfc_3339_offsets() {
        let body = envelope("2026-03-22T11:30:00+01:00");
        let header = header_for(&[SECRET], &body);
        assert_eq!(
            verify(
                &[SECRET],
                &header,
                &body,
                &options(Some(Duration::from_secs(60)), "2026-03-22T10:30:30Z")
            ),
            Verdict::Valid
        );
    }

    #[test]
    fn verify_without_max_age_ignores_the_timestamp() {
        let body = br#"not json at all"#;
        let header = header_for(&[SECRET], body);
        assert_eq!(
            verify(&[SECRET], &header, body, &no_max_age()),
            Verdict::Valid
        );
    }

    #[test]
    fn verify_with_max_age_explains_a_missing_or_unusable_timestamp() {
        let max_age = options(Some(Duration::from_secs(300)), "2026-03-22T10:30:00Z");
        let judge = |body: &[u8]| verify(&[SECRET], &header_for(&[SECRET], body), body, &max_age);
        let cases: [(&[u8], &str); 5] = [
            (br#"{"event":"x"}"#, NO_TIMESTAMP),
            (br#"{"timestamp":1774175400}"#, NO_TIMESTAMP),
            (
                br#"{"data":{"timestamp":"2026-03-22T10:30:00Z"}}"#,
                NO_TIMESTAMP,
            ),
            (
                br#"{"timestamp":"2026-03-22T10:30:00Z","timestamp":"2026-03-22T10:30:00Z"}"#,
                "body has more than one top-level \"timestamp\"",
            ),
            (
                br#"{"timestamp":"yesterday"}"#,
                "timestamp `yesterday` is not an RFC 3339 timestamp",
            ),
        ];
        for (body, reason) in cases {
            assert_eq!(
                judge(body),
                invalid(reason),
                "body {}",
                String::from_utf8_lossy(body)
            );
        }
        // A body small enough to be kept whole must be JSON through to its end;
        // serde_json's own message (with position) follows the prefix.
        let not_json: [&[u8]; 4] = [
            br#"[{"timestamp":"2026-03-22T10:30:00Z"}]"#,
            br#"{"timestamp":"2026-03-22T10:30:00Z""#,
            br#"{"timestamp":"2026-03-22T10:30:00Z"} trailing"#,
            b"",
        ];
        for body in not_json {
            match judge(body) {
                Verdict::Invalid(reason) => assert!(
                    reason.starts_with("body is not a JSON object: "),
                    "{reason}"
                ),
                Verdict::Valid => panic!("accepted {}", String::from_utf8_lossy(body)),
            }
        }
    }

    #[test]
    fn verify_finds_only_the_top_level_timestamp() {
        // Decoys: a nested "timestamp", a key that merely contains the word,
        // and a string value that contains the text of a timestamp field; the
        // real key is spelled with an escape.
        let body = br#"{"event":"\"timestamp\":\"2000-01-01T00:00:00Z\"","data":{"timestamp":"2000-01-01T00:00:00Z"},"delivery_timestamp":"2000-01-01T00:00:00Z","time\u0073tamp":"2026-03-22T10:30:00Z"}"#;
        let header = header_for(&[SECRET], body);
        assert_eq!(
            verify(
                &[SECRET],
                &header,
                body,
                &options(Some(Duration::from_secs(300)), "2026-03-22T10:31:00Z")
            ),
            Verdict::Valid
        );
    }

    /// An envelope of about `size` bytes whose timestamp comes after
    /// `data_before_timestamp` bytes of other content.
    fn big_envelope(size: usize, data_before_timestamp: usize, timestamp: &str) -> Vec<u8> {
        let mut body = format!(
            r#"{{"event":"scan.completed","skipped":"{}","timestamp":"{timestamp}","data":{{"blob":""#,
            "x".repeat(data_before_timestamp)
        )
        .into_bytes();
        body.resize(size.max(body.len()), b'y');
        body.extend_from_slice(br#""}}"#);
        body
    }

    #[test]
    fn verify_handles_a_body_far_bigger_than_the_kept_prefix() {
        let body = big_envelope(3 * 1024 * 1024, 0, "2026-03-22T10:30:00Z");
        let header = header_for(&[SECRET], &body);
        let five_minutes = Some(Duration::from_secs(300));
        assert_eq!(
            verify(
                &[SECRET],
                &header,
                &body,
                &options(five_minutes, "2026-03-22T10:31:00Z")
            ),
            Verdict::Valid
        );
        assert_eq!(
            verify(
                &[SECRET],
                &header,
                &body,
                &options(five_minutes, "2026-03-22T11:00:00Z")
            ),
            invalid("timestamp 2026-03-22T10:30:00Z is older than 5m")
        );
        let mut tampered = body.clone();
        let last = tampered.len() - 3;
        tampered[last] ^= 0x01;
        assert_eq!(
            verify(
                &[SECRET],
                &header,
                &tampered,
                &options(five_minutes, "2026-03-22T10:31:00Z")
            ),
            invalid(SIGNATURE_MISMATCH)
        );
    }

    #[test]
    fn verify_of_a_big_body_looks_for_the_timestamp_only_in_the_prefix() {
        let five_minutes = Some(Duration::from_secs(300));
        let now = "2026-03-22T10:31:00Z";
        // Timestamp ends just inside the kept prefix.
        let inside = big_envelope(
            1024 * 1024,
            TIMESTAMP_PREFIX_BYTES - 100,
            "2026-03-22T10:30:00Z",
        );
        let header = header_for(&[SECRET], &inside);
        assert_eq!(
            verify(&[SECRET], &header, &inside, &options(five_minutes, now)),
            Verdict::Valid
        );
        // Timestamp cut by the end of the prefix, then entirely past it.
        for skipped in [TIMESTAMP_PREFIX_BYTES - 60, TIMESTAMP_PREFIX_BYTES + 10] {
            let body = big_envelope(1024 * 1024, skipped, "2026-03-22T10:30:00Z");
            let header = header_for(&[SECRET], &body);
            assert_eq!(
                verify(&[SECRET], &header, &body, &options(five_minutes, now)),
                invalid(NO_TIMESTAMP),
                "skipped {skipped}"
            );
        }
    }

    #[test]
    fn verify_gives_the_same_verdicts_when_the_body_arrives_one_byte_at_a_time() {
        let small = envelope("2026-03-22T10:30:00Z");
        let big = big_envelope(300 * 1024, 10, "2026-03-22T10:30:00Z");
        let five_minutes = Some(Duration::from_secs(300));
        for body in [small, big] {
            let header = header_for(&[OLD_SECRET, SECRET], &body);
            let mut tampered = body.clone();
            tampered[0] ^= 0x20;
            for (bytes, now) in [
                (&body, "2026-03-22T10:31:00Z"),
                (&body, "2026-03-22T11:31:00Z"),
                (&tampered, "2026-03-22T10:31:00Z"),
            ] {
                let options = options(five_minutes, now);
                let whole = verify(&[SECRET], &header, bytes, &options);
                let trickled = verify_stream(&[SECRET], &header, OneByteAtATime(bytes), &options)
                    .expect("reading from memory");
                assert_eq!(trickled, whole, "now = {now}");
            }
        }
    }

    #[test]
    fn verify_retries_interrupted_reads_and_reports_other_read_errors() {
        struct Flaky<'a> {
            interrupted: bool,
            body: &'a [u8],
        }
        impl Read for Flaky<'_> {
            fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
                if !self.interrupted {
                    self.interrupted = true;
                    return Err(io::ErrorKind::Interrupted.into());
                }
                self.body.read(buffer)
            }
        }
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk on fire"))
            }
        }
        struct Liar;
        impl Read for Liar {
            fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
                Ok(buffer.len() + 1)
            }
        }

        let body = envelope("2026-03-22T10:30:00Z");
        let header = header_for(&[SECRET], &body);
        let flaky = Flaky {
            interrupted: false,
            body: &body,
        };
        assert_eq!(
            verify_stream(&[SECRET], &header, flaky, &no_max_age()).expect("retried"),
            Verdict::Valid
        );
        let error = verify_stream(&[SECRET], &header, Broken, &no_max_age())
            .expect_err("read error surfaces");
        assert_eq!(error.to_string(), "disk on fire");
        let error = verify_stream(&[SECRET], &header, Liar, &no_max_age())
            .expect_err("impossible read count refused");
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn verify_never_panics_on_random_bodies() {
        let pieces: &[&[u8]] = &[
            b"{",
            b"}",
            b"[",
            b"]",
            b"\"",
            b":",
            b",",
            b"\\",
            b"\\u",
            b"00",
            b"d8",
            b" ",
            b"\"timestamp\"",
            b"\"2026-03-22T10:30:00Z\"",
            b"\"timestamp\":",
            b"1e999",
            b"-",
            b"null",
            b"true",
            b"\xff\xfe",
            "é".as_bytes(),
            b"\"data\":",
        ];
        let mut generator = Generator(0x0dd_ba11_cafe_f00d);
        let options = options(Some(Duration::from_secs(300)), "2026-03-22T10:31:00Z");
        let mut valid = 0;
        for round in 0..5_000 {
            let mut body = generator.bytes(pieces, 24);
            // Now and then force a well-formed envelope so the success path is
            // exercised too, and now and then a deep nest.
            match round % 50 {
                0 => body = envelope("2026-03-22T10:30:00Z"),
                1 => body = [b"{\"a\":".repeat(10_000), b"[".repeat(10_000)].concat(),
                _ => {}
            }
            let header = header_for(&[SECRET], &body);
            let verdict = verify(&[SECRET], &header, &body, &options);
            if verdict == Verdict::Valid {
                valid += 1;
            }
        }
        assert!(valid >= 5_000 / 50, "valid = {valid}");
    }

    // ---- Property tests (proptest): no panic on any input, and round trips. ----

    use proptest::prelude::*;
    use proptest::sample::Index;

    /// Modest case counts keep `cargo test --lib` fast in debug builds; no
    /// regression files are written into the source tree.
    fn property_config() -> ProptestConfig {
        ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }

    /// Header-ish text: arbitrary unicode, whitespace runs, `sha256=` with
    /// random tails (hex-looking or not, right length or not).
    fn header_text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "\\PC{0,40}",
            "[ \t\r\n\u{0b}\u{0c}\u{a0}\u{2003}\u{3000}]{0,12}",
            "(sha256=)?[0-9a-fA-F]{0,70}",
            "sha256=[0-9a-fA-F]{64}",
            "sha256=\\PC{0,70}",
            "sha256=[0-9a-fA-Fg-zé \t=]{56,72}",
            prop::collection::vec(
                prop_oneof![
                    "sha256=[0-9a-f]{64}",
                    "sha256=[0-9A-F]{63,65}",
                    "SHA256=[0-9a-f]{64}",
                    "sha256=",
                    "[ \t]{1,3}",
                    "\\PC{1,4}",
                ],
                0..8
            )
            .prop_map(|parts| parts.concat()),
        ]
    }

    /// 1–5 random digests written `sha256=<hex>` (case varying), joined by
    /// random runs of spaces and tabs, with optional runs before and after.
    fn digests_and_header() -> impl Strategy<Value = (Vec<[u8; DIGEST_BYTES]>, String)> {
        (
            prop::collection::vec((any::<[u8; DIGEST_BYTES]>(), any::<bool>()), 1..=5),
            prop::collection::vec("[ \t]{1,5}", 5),
            "[ \t]{0,3}",
            "[ \t]{0,3}",
        )
            .prop_map(|(digests, separators, leading, trailing)| {
                let mut header = leading;
                for (index, (digest, upper)) in digests.iter().enumerate() {
                    if index > 0 {
                        header.push_str(&separators[index]);
                    }
                    let hex_digits = if *upper {
                        hex::encode_upper(digest)
                    } else {
                        hex::encode(digest)
                    };
                    header.push_str(&format!("{CODESTAX_PREFIX}{hex_digits}"));
                }
                header.push_str(&trailing);
                (
                    digests.into_iter().map(|(digest, _)| digest).collect(),
                    header,
                )
            })
    }

    /// Bodies: raw bytes, or envelopes whose `timestamp` is random text, a
    /// random RFC 3339-looking string or a real timestamp anywhere in jiff's range.
    fn any_body() -> impl Strategy<Value = Vec<u8>> {
        let timestamp_text = prop_oneof![
            any::<String>(),
            "[0-9]{1,6}-[0-9]{1,2}-[0-9]{1,2}T[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,12})?(Z|[+-][0-9]{2}:[0-9]{2})",
            any_timestamp().prop_map(|timestamp| timestamp.to_string()),
        ];
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..2048),
            timestamp_text.prop_map(|text| {
                let text = serde_json::Value::String(text).to_string();
                format!(r#"{{"event":"scan_complete","timestamp":{text},"data":{{}}}}"#)
                    .into_bytes()
            }),
            (prop::collection::vec(
                prop_oneof![
                    Just("{".to_owned()),
                    Just("}".to_owned()),
                    Just("[".to_owned()),
                    Just("]".to_owned()),
                    Just(",".to_owned()),
                    Just(":".to_owned()),
                    Just("\"timestamp\"".to_owned()),
                    Just("\"2026-03-22T10:30:00Z\"".to_owned()),
                    Just("\"\\ud800\"".to_owned()),
                    Just("1e99999".to_owned()),
                    "\\PC{0,3}",
                ],
                0..40
            ),)
                .prop_map(|(pieces,)| pieces.concat().into_bytes()),
        ]
    }

    fn any_timestamp() -> impl Strategy<Value = Timestamp> {
        (Timestamp::MIN.as_second()..=Timestamp::MAX.as_second())
            .prop_map(|second| Timestamp::from_second(second).expect("second in range"))
    }

    fn any_duration() -> impl Strategy<Value = Duration> {
        prop_oneof![
            (any::<u64>(), 0..1_000_000_000u32)
                .prop_map(|(secs, nanos)| Duration::new(secs, nanos)),
            (0..=10 * 365 * 86_400u64).prop_map(Duration::from_secs),
            Just(Duration::ZERO),
            Just(Duration::MAX),
        ]
    }

    /// Hands the body out in reads of varying sizes, cycling through `sizes`.
    struct Chunked<'a> {
        body: &'a [u8],
        sizes: Vec<usize>,
        next: usize,
    }

    impl Read for Chunked<'_> {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            let size = self.sizes[self.next % self.sizes.len()];
            self.next += 1;
            let size = size.min(buffer.len()).min(self.body.len());
            let (now, rest) = self.body.split_at(size);
            buffer[..size].copy_from_slice(now);
            self.body = rest;
            Ok(size)
        }
    }

    proptest! {
        #![proptest_config(property_config())]

        #[test]
        fn prop_signature_header_parse_never_panics(text in header_text()) {
            match SignatureHeader::parse(&text) {
                Ok(header) => {
                    // Only well-formed headers parse, one digest per part.
                    prop_assert!(!header.is_empty());
                    prop_assert_eq!(header.len(), text.split_ascii_whitespace().count());
                    for part in text.split_ascii_whitespace() {
                        prop_assert!(part.starts_with(CODESTAX_PREFIX));
                        prop_assert_eq!(part.len(), CODESTAX_PREFIX.len() + DIGEST_HEX_DIGITS);
                    }
                }
                Err(error) => {
                    // The message is one line and quotes at most a short piece.
                    let message = error.to_string();
                    prop_assert!(!message.contains('\n'), "{}", message);
                    // 20 characters at most, each escaped to at most 10 (`\u{10ffff}`).
                    prop_assert!(message.chars().count() < 300, "{}", message);
                }
            }
            // FromStr is the same parser.
            prop_assert_eq!(text.parse::<SignatureHeader>(), SignatureHeader::parse(&text));
        }

        #[test]
        fn prop_signature_header_round_trips_random_digests(
            (digests, header) in digests_and_header()
        ) {
            let parsed = SignatureHeader::parse(&header)
                .map_err(|error| TestCaseError::fail(format!("{header:?}: {error}")))?;
            prop_assert_eq!(parsed.len(), digests.len());
            prop_assert_eq!(parsed.digests, digests);
        }

        #[test]
        fn prop_verify_accepts_own_signature_and_rejects_any_flipped_byte(
            body in prop::collection::vec(any::<u8>(), 0..4096),
            secret in prop_oneof![any::<String>(), "whsec_[A-Za-z0-9+/]{0,44}={0,2}", Just(String::new())],
            flip_at in any::<Index>(),
            flip_mask in 1..=255u8,
        ) {
            let header = SignatureHeader::parse(&codestax_header(&[&secret], &body))
                .map_err(|error| TestCaseError::fail(format!("our own header: {error}")))?;
            prop_assert_eq!(header.len(), 1);
            prop_assert_eq!(
                verify(&[&secret], &header, &body, &no_max_age()),
                Verdict::Valid
            );
            if !body.is_empty() {
                let mut tampered = body.clone();
                tampered[flip_at.index(body.len())] ^= flip_mask;
                prop_assert_eq!(
                    verify(&[&secret], &header, &tampered, &no_max_age()),
                    invalid(SIGNATURE_MISMATCH)
                );
            }
            // One byte more or less is a different body too.
            let mut longer = body.clone();
            longer.push(flip_mask);
            prop_assert_eq!(
                verify(&[&secret], &header, &longer, &no_max_age()),
                invalid(SIGNATURE_MISMATCH)
            );
        }

        #[test]
        fn prop_verify_with_max_age_never_panics(
            body in any_body(),
            secret in any::<String>(),
            max_age in any_duration(),
            now in any_timestamp(),
            chunk_sizes in prop::collection::vec(1..600usize, 1..6),
            sign_it in any::<bool>(),
        ) {
            let header = if sign_it {
                header_for(&[&secret], &body)
            } else {
                header_for(&["some other secret"], &body)
            };
            let options = VerifyOptions { max_age: Some(max_age), now };
            let whole = verify(&[&secret], &header, &body, &options);
            if !sign_it {
                prop_assert_eq!(&whole, &invalid(SIGNATURE_MISMATCH));
            }
            if let Verdict::Invalid(reason) = &whole {
                prop_assert!(!reason.is_empty());
            }
            // The verdict does not depend on how the body arrives.
            let chunked = Chunked { body: &body, sizes: chunk_sizes, next: 0 };
            let streamed = verify_stream(&[&secret], &header, chunked, &options)
                .map_err(|error| TestCaseError::fail(format!("reading from memory: {error}")))?;
            prop_assert_eq!(streamed, whole);
        }
    }
}
