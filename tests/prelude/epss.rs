//! EPSS files as FIRST publishes them (a comment line, the header, one row per CVE, gzip),
//! made up for the tests: the given scores plus filler rows so the file is long enough to be
//! taken as whole.

use std::io::Write;

/// Rows a generated file has at least: `epss update` refuses fewer than 1,000.
pub const EPSS_FILLER_ROWS: usize = 1_200;

/// The CSV text: the comment line in the `+0000` form the real file uses some days, the
/// header, the `scored` rows `(cve, epss, percentile)` as written, then `filler` rows of
/// `CVE-1999-NNNNN` with scores in scientific notation.
pub fn epss_csv(scored: &[(&str, &str, &str)], filler: usize) -> String {
    let mut text = String::from(
        "#model_version:v2025.03.14,score_date:2026-02-28T12:55:00+0000\ncve,epss,percentile\n",
    );
    for (cve, score, percentile) in scored {
        text.push_str(&format!("{cve},{score},{percentile}\n"));
    }
    for index in 0..filler {
        text.push_str(&format!(
            "CVE-1999-{index:05},{}e-04,0.{index:05}\n",
            1 + index % 9
        ));
    }
    text
}

/// `bytes` gzip-compressed.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("compress in memory");
    encoder.finish().expect("compress in memory")
}
