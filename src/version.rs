//! The one order of package versions: `deny_packages` rules (`log4j-core@<2.17.1`) and the
//! choice of a finding's fixed version both go through it, so a version a policy calls
//! vulnerable is never one the report calls fixed.
//!
//! It reads versions of any ecosystem the way people do, without knowing which ecosystem a
//! version is from (scanner reports mix semver, PEP 440, Maven, Debian and Alpine):
//!
//! - digit runs compare as numbers however long (`2.9 < 2.10`), letter runs as words,
//!   ignoring case; dots, dashes and underscores only separate them;
//! - a missing part counts as zero (`1.0 == 1.0.0`);
//! - a pre-release word (`rc`, `beta`, `a`, `dev`, `snapshot`, …) sorts before the release it
//!   precedes (`1.0.0-rc1 < 1.0.0`, `20.3.0rc1 < 20.3.0`), and `~` before anything, even the
//!   end (Debian's `2.17.1~rc1 < 2.17.1`);
//! - any other word extends the version after it but before the next number: Alpine's
//!   `1.1.20-r5 > 1.1.20`, PEP 440's `1.0.post1 < 1.0.1`, Debian's `1.2-1+b1 > 1.2-1`
//!   (a word right after `+` is never a pre-release: it is a rebuild or a security update);
//! - a leading `v` is ignored (`v1.2.3 == 1.2.3`), and so is semver build metadata: a `+`
//!   after a plain release with no `-` or `+` after it (`1.2.3+build5 == 1.2.3`). Elsewhere a
//!   `+` separates parts that count (Debian's `2.9.4+dfsg1-7+deb10u1 < …+deb10u2`);
//! - a Debian or RPM epoch (`1:` in `1:2.30-1`) is compared first; no epoch is epoch 0.
//!
//! Every version maps to a sequence of pieces compared one by one, so the order is total:
//! sorting, taking a minimum and asking "is it below" always agree.

use std::cmp::Ordering;

/// Orders two versions; see the module documentation for the rules.
pub fn compare(left: &str, right: &str) -> Ordering {
    let left = Version::read(left);
    let right = Version::read(right);
    left.epoch
        .cmp(&right.epoch)
        .then_with(|| compare_pieces(&left.pieces, &right.pieces))
}

/// Words that mark a version as coming before the release it names, in PEP 440 (`a`, `b`,
/// `c`, `rc`, `dev`), semver and npm (`alpha`, `beta`, `rc`, `pre`), and Maven (`m`,
/// `milestone`, `cr`, `snapshot`).
const PRE_RELEASE_WORDS: [&str; 13] = [
    "a",
    "alpha",
    "b",
    "beta",
    "c",
    "cr",
    "dev",
    "m",
    "milestone",
    "pre",
    "preview",
    "rc",
    "snapshot",
];

/// A version read into what its order depends on.
struct Version<'a> {
    epoch: Piece<'a>,
    pieces: Vec<Piece<'a>>,
}

/// One run of a version. The variants are declared in the order they sort when two versions
/// differ at the same place, which is what makes the derived order the version order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Piece<'a> {
    /// `~`: before everything, including the end of the other version.
    Tilde,
    /// A pre-release word: before the release, so before zero and the end.
    PreRelease(Word<'a>),
    /// Zero; also what a version that has ended counts as, so `1.0` equals `1.0.0`.
    Zero,
    /// Any other word: after the version it extends (`-r5`, `.post1`), before its next number.
    Word(Word<'a>),
    /// A number above zero.
    Number(Digits<'a>),
}

impl<'a> Version<'a> {
    fn read(text: &'a str) -> Version<'a> {
        let mut text = text.trim();
        if let Some(rest) = text.strip_prefix(['v', 'V']) {
            if rest.starts_with(|character: char| character.is_ascii_digit()) {
                text = rest;
            }
        }
        let mut epoch = Piece::Zero;
        if let Some((before, after)) = text.split_once(':') {
            if is_digits(before) {
                epoch = number(before);
                text = after;
            }
        }
        if let Some((release, metadata)) = text.split_once('+') {
            let plain_release = !release.is_empty()
                && release
                    .chars()
                    .all(|character| character.is_ascii_digit() || character == '.');
            if plain_release && !metadata.contains(['-', '+']) {
                text = release;
            }
        }
        Version {
            epoch,
            pieces: pieces(text),
        }
    }
}

/// Splits into digit runs, letter runs and `~`; everything else only separates.
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut after_plus = false;
    let mut rest = text;
    while let Some(first) = rest.chars().next() {
        if first.is_ascii_digit() {
            let end = rest
                .find(|character: char| !character.is_ascii_digit())
                .unwrap_or(rest.len());
            pieces.push(number(&rest[..end]));
            rest = &rest[end..];
            after_plus = false;
        } else if first.is_alphabetic() {
            let end = rest
                .find(|character: char| !character.is_alphabetic())
                .unwrap_or(rest.len());
            let word = &rest[..end];
            let pre_release = !after_plus
                && PRE_RELEASE_WORDS
                    .iter()
                    .any(|known| known.eq_ignore_ascii_case(word));
            pieces.push(if pre_release {
                Piece::PreRelease(Word(word))
            } else {
                Piece::Word(Word(word))
            });
            rest = &rest[end..];
            after_plus = false;
        } else {
            if first == '~' {
                pieces.push(Piece::Tilde);
            }
            after_plus = first == '+';
            rest = &rest[first.len_utf8()..];
        }
    }
    pieces
}

/// Piece by piece; where one version has ended it counts as zero.
fn compare_pieces(left: &[Piece<'_>], right: &[Piece<'_>]) -> Ordering {
    (0..left.len().max(right.len()))
        .map(|index| {
            let left = left.get(index).unwrap_or(&Piece::Zero);
            let right = right.get(index).unwrap_or(&Piece::Zero);
            left.cmp(right)
        })
        .find(|ordering| ordering.is_ne())
        .unwrap_or(Ordering::Equal)
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit())
}

/// A digit run as a piece: leading zeros dropped, so `01` is `1` and `00` is zero.
fn number(digits: &str) -> Piece<'_> {
    match digits.trim_start_matches('0') {
        "" => Piece::Zero,
        significant => Piece::Number(Digits(significant)),
    }
}

/// The digits of a number above zero without leading zeros: compared by length, then digit by
/// digit, which is numeric order at any length (no overflow on a 30-digit date stamp).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Digits<'a>(&'a str);

impl Ord for Digits<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.cmp(other.0))
    }
}

impl PartialOrd for Digits<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A letter run, compared ignoring ASCII case (`RC1` is `rc1`, `SNAPSHOT` is `snapshot`).
#[derive(Debug, Clone, Copy)]
struct Word<'a>(&'a str);

impl Ord for Word<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        fn lowercase(word: &str) -> impl Iterator<Item = char> + '_ {
            word.chars().map(|character| character.to_ascii_lowercase())
        }
        lowercase(self.0).cmp(lowercase(other.0))
    }
}

impl PartialOrd for Word<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Word<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Word<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pair in both directions: `left` is `ordering` than `right`, and the reverse.
    fn assert_orders(cases: &[(&str, &str, Ordering)]) {
        for &(left, right, ordering) in cases {
            assert_eq!(compare(left, right), ordering, "{left} against {right}");
            assert_eq!(
                compare(right, left),
                ordering.reverse(),
                "{right} against {left}"
            );
        }
    }

    /// The cases `deny_packages` rules relied on when policy.rs had its own comparison.
    #[test]
    fn versions_compare_as_people_read_them() {
        assert_eq!(compare("2.14.1", "2.17.1"), Ordering::Less);
        assert_eq!(compare("2.9", "2.10"), Ordering::Less);
        assert_eq!(compare("v1.2.3", "1.2.3"), Ordering::Equal);
        assert_eq!(compare("1.0", "1.0.0"), Ordering::Equal);
        assert_eq!(compare("1.0.0-rc1", "1.0.0"), Ordering::Less);
        assert_eq!(compare("1.0.1", "1.0.0-rc1"), Ordering::Greater);
        assert_eq!(compare("1.2.3+build5", "1.2.3"), Ordering::Equal);
        assert_eq!(compare("2.17.1", "2.17.1"), Ordering::Equal);
    }

    /// The cases choosing a fixed version relied on when report/formats had its own.
    #[test]
    fn scanner_versions_across_ecosystems() {
        assert_eq!(compare("1.1.20-r5", "1.1.20-r4"), Ordering::Greater);
        assert_eq!(compare("20.3.0rc1", "20.3.0"), Ordering::Less);
        assert_eq!(compare("20.3.0rc1", "19.10.0"), Ordering::Greater);
        assert_eq!(compare("1.0.0-beta", "1.0.0"), Ordering::Less);
        assert_eq!(compare("0.13.10", "0.13.9"), Ordering::Greater);
        assert_eq!(compare("1:2.0", "1:2.0"), Ordering::Equal);
    }

    /// Pairs the two former comparisons answered differently, answered once.
    #[test]
    fn pairs_the_two_former_comparisons_disagreed_on() {
        assert_orders(&[
            // Alpine and Debian revisions come after the release, numbered numerically.
            ("1.1.20-r5", "1.1.20", Ordering::Greater),
            ("1.1.20-r10", "1.1.20-r9", Ordering::Greater),
            ("2.30-1ubuntu1", "2.30", Ordering::Greater),
            ("1.2.3-1+deb10u1", "1.2.3-1+deb10u2", Ordering::Less),
            ("1.2-1+b1", "1.2-1", Ordering::Greater),
            // A pre-release of a later release is still later.
            ("20.3.1rc1", "20.3.0", Ordering::Greater),
            ("2.17.1~rc1", "2.17.1", Ordering::Less),
            ("1.0.0-M1", "1.0.0", Ordering::Less),
            ("1.0.post1", "1.0", Ordering::Greater),
            ("1.0.post1", "1.0.1", Ordering::Less),
            ("1.0.0-RC1", "1.0.0-rc1", Ordering::Equal),
            ("99999999999999999999", "1", Ordering::Greater),
        ]);
    }

    #[test]
    fn epochs_come_first() {
        assert_orders(&[
            ("1:2.0", "3.0", Ordering::Greater),
            ("0:1.0", "1.0", Ordering::Equal),
            ("2:1.0", "1:9.9", Ordering::Greater),
            ("1:2.30-1", "1:2.30-2", Ordering::Less),
        ]);
    }

    #[test]
    fn zeros_tildes_and_odd_text() {
        assert_orders(&[
            ("1.01", "1.1", Ordering::Equal),
            ("1.0~", "1.0", Ordering::Less),
            ("1.0~rc1", "1.0~rc2", Ordering::Less),
            ("1.0~rc1", "1.0-rc1", Ordering::Less),
            ("1.0.0-alpha", "1.0.0-alpha.1", Ordering::Less),
            ("1.0.0-alpha", "1.0.0-beta", Ordering::Less),
            ("1.0a1", "1.0", Ordering::Less),
            ("", "0", Ordering::Equal),
            ("", "0.1", Ordering::Less),
        ]);
    }

    // ---- Property tests (proptest): the order is total, whatever the text. ----

    use proptest::prelude::*;

    /// Version-like text from the characters the rules treat specially, and anything at all.
    fn version_text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[0-9]{1,3}([.~+:_-][0-9a-z]{1,4}){0,4}",
            "v?[0-9]{1,2}(\\.[0-9]{1,2}){0,3}(-?(rc|beta|r|post|b|dev)[0-9]?)?(\\+[a-z0-9.-]{1,6})?",
            "[0-9a-zA-Z.~+:_-]{0,10}",
            any::<String>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 512,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn prop_the_order_is_antisymmetric_and_transitive(
            first in version_text(),
            second in version_text(),
            third in version_text(),
        ) {
            prop_assert_eq!(compare(&first, &second), compare(&second, &first).reverse());
            prop_assert_eq!(compare(&first, &first), Ordering::Equal);
            let mut sorted = [first.as_str(), second.as_str(), third.as_str()];
            sorted.sort_by(|left, right| compare(left, right));
            prop_assert_ne!(compare(sorted[0], sorted[1]), Ordering::Greater);
            prop_assert_ne!(compare(sorted[1], sorted[2]), Ordering::Greater);
            prop_assert_ne!(compare(sorted[0], sorted[2]), Ordering::Greater, "{:?}", sorted);
        }
    }
}
