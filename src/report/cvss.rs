//! CVSS base scores from vectors, for reports that give a vector but no score or label.
//! The arithmetic is RustSec's `cvss` crate's; this only picks the version.

use std::str::FromStr;

/// The base score of a `CVSS:3.0/…`, `CVSS:3.1/…` or `CVSS:4.0/…` vector; `None` when the
/// vector is not one of those or does not parse.
pub fn base_score(vector: &str) -> Option<f64> {
    let vector = vector.trim();
    if vector.starts_with("CVSS:3.") {
        let base = cvss::v3::Vector::from_str(vector).ok()?;
        return Some(base.score().value());
    }
    if vector.starts_with("CVSS:4.") {
        let vector = cvss::v4::Vector::from_str(vector).ok()?;
        return Some(vector.score().value());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scores published by FIRST's CVSS v3.1 calculator and NVD for these vectors.
    #[test]
    fn published_v3_scores() {
        let cases = [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0), // CVE-2021-44228
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9),
            ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5),
            ("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
            ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6),
        ];
        for (vector, expected) in cases {
            assert_eq!(base_score(vector), Some(expected), "{vector}");
        }
    }

    #[test]
    fn v4_and_garbage() {
        assert_eq!(
            base_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            Some(9.3)
        );
        assert_eq!(base_score("AV:N/AC:L/Au:N/C:P/I:P/A:P"), None);
        assert_eq!(base_score("CVSS:3.1/AV:X"), None);
        assert_eq!(base_score(""), None);
    }
}
