//! Parsing and printing of the durations users write (`250ms`, `90s`, `1h30m`, `30d`).

use std::time::Duration;

/// Why a duration string was refused; the caller adds where it came from.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid duration `{text}`: {reason} (write it like 250ms, 90s, 15m, 24h, 30d or 1h30m)")]
pub struct DurationError {
    pub text: String,
    pub reason: String,
}

/// Parses a duration such as `250ms`, `15m`, `1h30m` or `30d`.
///
/// A bare number is refused on purpose: `30` could mean seconds or days, and a
/// wrong guess about a retention period deletes history.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(DurationError {
            text: text.to_string(),
            reason: "it is empty".to_string(),
        });
    }
    humantime::parse_duration(trimmed).map_err(|error| DurationError {
        text: text.to_string(),
        reason: match error {
            humantime::DurationError::UnknownUnit { unit, .. } if unit.is_empty() => {
                "a unit is missing".into()
            }
            humantime::DurationError::UnknownUnit { unit, .. } => format!("unknown unit `{unit}`"),
            humantime::DurationError::NumberOverflow => "it is too large".into(),
            humantime::DurationError::InvalidCharacter(_) => "unexpected character".into(),
            humantime::DurationError::NumberExpected(_) => "a number is missing".into(),
            humantime::DurationError::Empty => "it is empty".into(),
        },
    })
}

/// Short human form for messages: `4s`, `1.5s`, `250ms`, `2m`, `1h30m`.
pub fn format_short(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis < 1000 {
        return format!("{millis}ms");
    }
    let seconds = duration.as_secs();
    if seconds < 60 {
        let tenths = (millis % 1000) / 100;
        return if tenths == 0 {
            format!("{seconds}s")
        } else {
            format!("{seconds}.{tenths}s")
        };
    }
    let mut parts = String::new();
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (hours, rest) = (rest / 3600, rest % 3600);
    let (minutes, rest) = (rest / 60, rest % 60);
    for (value, unit) in [(days, "d"), (hours, "h"), (minutes, "m"), (rest, "s")] {
        if value > 0 {
            parts.push_str(&format!("{value}{unit}"));
        }
    }
    parts
}

/// `now - duration`, as the cutoff of `--since` and `--older-than`.
pub fn ago(text: &str, flag: &str) -> anyhow::Result<jiff::Timestamp> {
    let duration = parse_duration(text).map_err(|error| anyhow::anyhow!("{flag}: {error}"))?;
    before_now(duration, flag, text)
}

/// `now - duration`; `label` and `text` only name it in the error.
pub fn before_now(
    duration: std::time::Duration,
    flag: &str,
    text: &str,
) -> anyhow::Result<jiff::Timestamp> {
    let span = jiff::SignedDuration::try_from(duration)
        .map_err(|_| anyhow::anyhow!("{flag}: {text} is too long"))?;
    jiff::Timestamp::now()
        .checked_sub(span)
        .map_err(|_| anyhow::anyhow!("{flag}: {text} is too long"))
}

/// `now + duration`.
pub fn after_now(duration: std::time::Duration) -> anyhow::Result<jiff::Timestamp> {
    let span = jiff::SignedDuration::try_from(duration)
        .map_err(|_| anyhow::anyhow!("{duration:?} is too long"))?;
    jiff::Timestamp::now()
        .checked_add(span)
        .map_err(|_| anyhow::anyhow!("{} is too long", format_short(duration)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("24h"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("30d"), Ok(Duration::from_secs(30 * 86_400)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
    }

    #[test]
    fn refuses_bare_numbers_and_garbage() {
        for text in ["", "30", "5x", "h", "-1s", "1.5.3s"] {
            let error = parse_duration(text).expect_err(text);
            assert!(error.to_string().contains("invalid duration"), "{error}");
        }
    }

    #[test]
    fn formats_short() {
        assert_eq!(format_short(Duration::from_millis(250)), "250ms");
        assert_eq!(format_short(Duration::from_millis(4000)), "4s");
        assert_eq!(format_short(Duration::from_millis(1500)), "1.5s");
        assert_eq!(format_short(Duration::from_secs(5400)), "1h30m");
        assert_eq!(format_short(Duration::from_secs(86_400 + 1)), "1d1s");
    }
}
