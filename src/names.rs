//! "Did you mean" help for unknown names: the valid ones and the closest match.

/// One-line tail for an error about an unknown `name`: the valid choices and, when one is
/// close enough to be a typo, a suggestion.
pub fn choices_hint<'a>(name: &str, valid: impl IntoIterator<Item = &'a str>) -> String {
    let valid: Vec<&str> = valid.into_iter().collect();
    if valid.is_empty() {
        return "there are none".to_string();
    }
    let listed = valid.join(", ");
    match closest(name, &valid) {
        Some(best) => format!("did you mean `{best}`? (valid: {listed})"),
        None => format!("valid: {listed}"),
    }
}

/// The valid name nearest to `name`, if it is near enough to be a typo.
pub fn closest<'a>(name: &str, valid: &[&'a str]) -> Option<&'a str> {
    let wanted = normalise(name);
    valid
        .iter()
        .map(|candidate| {
            let score = strsim::jaro_winkler(&wanted, &normalise(candidate));
            (score, *candidate)
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// Kebab and snake spellings count as the same word when comparing.
fn normalise(name: &str) -> String {
    name.to_ascii_lowercase().replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_event() {
        let events = ["scan_complete", "critical_vulnerability", "kev_found"];
        assert_eq!(closest("kev-fonud", &events), Some("kev_found"));
        assert_eq!(closest("zzzzzz", &events), None);
        let hint = choices_hint("kev-fonud", events);
        assert_eq!(
            hint,
            "did you mean `kev_found`? (valid: scan_complete, critical_vulnerability, kev_found)"
        );
        assert_eq!(choices_hint("x", []), "there are none");
    }
}
