//! Parsing and printing of the durations users write (`250ms`, `90s`, `1h30m`, `30d`).

use std::time::Duration;

/// Why a duration string was refused; the caller adds where it came from.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid duration `{text}`: {reason} (write it like 250ms, 90s, 15m, 24h, 30d or 1h30m)")]
pub struct DurationError {
    pub text: String,
    pub reason: String,
}

/// Parses a duration such as `250ms`, `15m`, `1h30m` or `30d`: one or more number–unit
/// pairs, optionally separated by spaces. Units: `ns`, `us`, `ms`, `s`, `m`, `h`, `d`, `w`
/// (and their long forms such as `sec`, `min`, `hours`, `days`).
///
/// A bare number is refused on purpose: `30` could mean seconds or days, and a wrong guess
/// about a retention period deletes history. Written by hand, with checked arithmetic, so
/// that no input can panic (the humantime parser did on sums near `u64::MAX` seconds).
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let refuse = |reason: &str| DurationError {
        text: text.to_string(),
        reason: reason.to_string(),
    };
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(refuse("it is empty"));
    }
    let mut total_nanos: u128 = 0;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return Err(refuse("a number is missing"));
        }
        let amount: u128 = rest[..digits]
            .parse()
            .map_err(|_| refuse("it is too large"))?;
        rest = &rest[digits..];
        let letters = rest.len()
            - rest
                .trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == 'µ')
                .len();
        let unit = &rest[..letters];
        rest = rest[letters..].trim_start();
        let nanos_per_unit: u128 = match unit {
            "" => return Err(refuse("a unit is missing")),
            "ns" | "nsec" | "nanos" => 1,
            "us" | "µs" | "usec" | "micros" => 1_000,
            "ms" | "msec" | "millis" | "milliseconds" => 1_000_000,
            "s" | "sec" | "secs" | "second" | "seconds" => 1_000_000_000,
            "m" | "min" | "mins" | "minute" | "minutes" => 60 * 1_000_000_000,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3_600 * 1_000_000_000,
            "d" | "day" | "days" => 86_400 * 1_000_000_000,
            "w" | "week" | "weeks" => 7 * 86_400 * 1_000_000_000,
            other => return Err(refuse(&format!("unknown unit `{other}`"))),
        };
        total_nanos = amount
            .checked_mul(nanos_per_unit)
            .and_then(|nanos| total_nanos.checked_add(nanos))
            .ok_or_else(|| refuse("it is too large"))?;
    }
    let seconds =
        u64::try_from(total_nanos / 1_000_000_000).map_err(|_| refuse("it is too large"))?;
    Ok(Duration::new(seconds, (total_nanos % 1_000_000_000) as u32))
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

    // ---- Property tests (proptest): no panic on any input, and round trips. ----

    use proptest::prelude::*;

    const NANOS_PER_SECOND: u128 = 1_000_000_000;

    /// Modest case counts keep `cargo test --lib` fast in debug builds; no
    /// regression files are written into the source tree.
    fn property_config(cases: u32) -> ProptestConfig {
        ProptestConfig {
            cases,
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }

    /// The units the parser reads, with their length in nanoseconds.
    const UNITS: [(&str, u128); 7] = [
        ("ns", 1),
        ("us", 1_000),
        ("ms", 1_000_000),
        ("s", NANOS_PER_SECOND),
        ("m", 60 * NANOS_PER_SECOND),
        ("h", 3_600 * NANOS_PER_SECOND),
        ("d", 86_400 * NANOS_PER_SECOND),
    ];

    /// The documented units: ms, s, m, h, d.
    fn documented_unit() -> impl Strategy<Value = (&'static str, u128)> {
        prop::sample::select(&UNITS[2..])
    }

    /// A duration of exactly `nanos` nanoseconds, None past Duration::MAX.
    fn from_nanos(nanos: u128) -> Option<Duration> {
        let seconds = u64::try_from(nanos / NANOS_PER_SECOND).ok()?;
        Some(Duration::new(seconds, (nanos % NANOS_PER_SECOND) as u32))
    }

    /// Amounts near the interesting edges: small ones, the sub-second values
    /// that carry into whole seconds, and the largest that fit each unit.
    fn amount_for(unit_nanos: u128) -> impl Strategy<Value = u64> {
        let largest = if unit_nanos >= NANOS_PER_SECOND {
            u64::MAX / (unit_nanos / NANOS_PER_SECOND) as u64
        } else {
            u64::MAX
        };
        prop_oneof![
            0..=1_100u64,
            prop::sample::select(vec![
                500,
                999,
                1_000,
                500_000,
                999_999,
                1_000_000,
                500_000_000,
                999_999_999,
                1_000_000_000,
            ]),
            (largest - 2..=largest),
            any::<u64>(),
        ]
    }

    /// Text a user or a fuzzer might type: arbitrary unicode, and runs of
    /// number-unit terms with edge amounts, fractions, spaces and odd units.
    fn duration_text() -> impl Strategy<Value = String> {
        let term = (
            prop::sample::select(UNITS.to_vec()),
            "(\\.[0-9]{1,10})?",
            prop::sample::select(vec![
                "", "", "", " ", "x", "M", "y", "w", "µs", "sec", "min", "msec",
            ]),
            "[ \t]{0,1}",
        )
            .prop_flat_map(|((unit, unit_nanos), fraction, odd_unit, space)| {
                amount_for(unit_nanos).prop_map(move |amount| {
                    let unit = if odd_unit.is_empty() { unit } else { odd_unit };
                    format!("{amount}{fraction}{unit}{space}")
                })
            });
        prop_oneof![
            any::<String>(),
            "\\PC{0,16}",
            "[0-9 .a-zA-Zµ+-]{0,16}",
            prop::collection::vec(term, 1..=4).prop_map(|terms| terms.concat()),
        ]
    }

    /// 1–4 terms in any of the units, each with an edge-biased amount.
    fn terms() -> impl Strategy<Value = Vec<(u64, &'static str, u128)>> {
        prop::collection::vec(
            prop::sample::select(UNITS.to_vec()).prop_flat_map(|(unit, unit_nanos)| {
                amount_for(unit_nanos).prop_map(move |amount| (amount, unit, unit_nanos))
            }),
            1..=4,
        )
    }

    fn any_duration() -> impl Strategy<Value = Duration> {
        prop_oneof![
            (any::<u64>(), 0..1_000_000_000u32)
                .prop_map(|(secs, nanos)| Duration::new(secs, nanos)),
            (0..=400 * 86_400u64, 0..1_000_000_000u32)
                .prop_map(|(secs, nanos)| Duration::new(secs, nanos)),
            (0..=2_000u64).prop_map(Duration::from_millis),
            Just(Duration::ZERO),
            Just(Duration::MAX),
        ]
    }

    proptest! {
        #![proptest_config(property_config(256))]

        #[test]
        fn prop_parse_duration_never_panics(text in duration_text()) {
            match parse_duration(&text) {
                Ok(_) => prop_assert!(!text.trim().is_empty()),
                Err(error) => {
                    prop_assert_eq!(&error.text, &text);
                    prop_assert!(error.to_string().starts_with("invalid duration `"));
                }
            }
        }

        #[test]
        fn prop_amount_and_unit_parse_to_exactly_amount_times_unit(
            amount in 0..=u64::from(u32::MAX),
            (unit, unit_nanos) in documented_unit(),
            before in "[ \t]{0,2}",
            after in "[ \t]{0,2}",
        ) {
            let text = format!("{before}{amount}{unit}{after}");
            let expected = from_nanos(u128::from(amount) * unit_nanos).expect("fits a Duration");
            prop_assert_eq!(parse_duration(&text), Ok(expected), "{:?}", text);
        }

        #[test]
        fn prop_amount_and_unit_are_exact_or_refused_as_too_large(
            (unit, unit_nanos) in documented_unit(),
            amount in any::<u64>(),
        ) {
            let text = format!("{amount}{unit}");
            let nanos = u128::from(amount) * unit_nanos;
            check_exact_or_too_large(&text, nanos)?;
        }

        #[test]
        fn prop_format_short_never_panics(duration in any_duration()) {
            let text = format_short(duration);
            prop_assert!(!text.is_empty());
            prop_assert!(text.is_ascii());
        }

        #[test]
        fn prop_format_short_of_whole_seconds_from_a_minute_parses_back(
            seconds in prop_oneof![60..=100_000u64, 60..=u64::MAX, Just(u64::MAX)],
        ) {
            let duration = Duration::from_secs(seconds);
            let text = format_short(duration);
            prop_assert_eq!(parse_duration(&text), Ok(duration), "{:?}", text);
        }
    }

    /// Terms whose whole seconds reach the very top of the range, followed by
    /// sub-second terms that may add up to exactly one more second.
    fn top_of_range_terms() -> impl Strategy<Value = Vec<(u64, &'static str, u128)>> {
        let top = prop_oneof![
            (u64::MAX - 2..=u64::MAX).prop_map(|amount| vec![(amount, "s", UNITS[3].1)]),
            (0..=15u64).prop_map(|seconds| vec![
                (u64::MAX / 60, "m", UNITS[4].1),
                (seconds, "s", UNITS[3].1),
            ]),
        ];
        let sub_second = prop::collection::vec(
            prop_oneof![
                prop::sample::select(vec![0u64, 250, 500, 750, 999, 1_000])
                    .prop_map(|amount| (amount, "ms", UNITS[2].1)),
                prop::sample::select(vec![0u64, 500_000, 1_000_000])
                    .prop_map(|amount| (amount, "us", UNITS[1].1)),
                prop::sample::select(vec![0u64, 1, 500_000_000, 999_999_999, 1_000_000_000])
                    .prop_map(|amount| (amount, "ns", UNITS[0].1)),
            ],
            1..=3,
        );
        (top, sub_second).prop_map(|(mut top, sub_second)| {
            top.extend(sub_second);
            top
        })
    }

    /// `text` parses to exactly `nanos` when that fits a Duration, and is
    /// refused as too large when it does not.
    fn check_exact_or_too_large(text: &str, nanos: u128) -> Result<(), TestCaseError> {
        match (parse_duration(text), from_nanos(nanos)) {
            (Ok(duration), Some(expected)) => prop_assert_eq!(duration, expected, "{:?}", text),
            (Err(error), None) => {
                prop_assert_eq!(error.reason.as_str(), "it is too large", "{:?}", text)
            }
            (parsed, expected) => prop_assert!(
                false,
                "{:?} gave {:?}, expected {:?} (None: too large)",
                text,
                parsed,
                expected
            ),
        }
        Ok(())
    }

    /// `Ok` is exactly the sum of the terms; "too large" exactly when the sum
    /// does not fit a Duration.
    fn check_sum_of_terms(terms: &[(u64, &str, u128)], spaced: bool) -> Result<(), TestCaseError> {
        let text = terms
            .iter()
            .map(|(amount, unit, _)| format!("{amount}{unit}"))
            .collect::<Vec<_>>()
            .join(if spaced { " " } else { "" });
        let nanos: u128 = terms
            .iter()
            .map(|(amount, _, unit_nanos)| u128::from(*amount) * unit_nanos)
            .sum();
        check_exact_or_too_large(&text, nanos)
    }

    proptest! {
        #![proptest_config(property_config(256))]

        #[test]
        fn prop_compound_durations_are_the_sum_of_their_terms_or_too_large(
            terms in terms(),
            spaced in any::<bool>(),
        ) {
            check_sum_of_terms(&terms, spaced)?;
        }

        /// Found a panic in the humantime-based parser (since replaced):
        /// sub-second terms that carry exactly one second into a seconds count
        /// already at u64::MAX made humantime call
        /// `Duration::new(u64::MAX, 1_000_000_000)`, which panics with
        /// "overflow in Duration::new" instead of returning "too large".
        #[test]
        fn prop_durations_at_the_top_of_the_range_do_not_panic(
            terms in top_of_range_terms(),
            spaced in any::<bool>(),
        ) {
            check_sum_of_terms(&terms, spaced)?;
        }
    }

    /// The minimal inputs found by the property test above, kept as plain cases.
    #[test]
    fn parse_duration_refuses_rather_than_panics_when_nanoseconds_carry_past_the_largest_second() {
        for text in [
            "18446744073709551615s1000000000ns",
            "18446744073709551615s 1000ms",
            "18446744073709551615s 500ms 500ms",
        ] {
            let result = std::panic::catch_unwind(|| parse_duration(text));
            let error = result
                .unwrap_or_else(|_| panic!("parse_duration({text:?}) panicked"))
                .expect_err(text);
            assert_eq!(error.reason, "it is too large", "{text}");
        }
    }
}
