//! Closed sets of names (events, channels, statuses, severities, report formats): one
//! table per set that parsing, "did you mean" errors, `--help`, shell completions and the
//! config file all read, and the clap value parser that carries it to the command line.

use std::borrow::Cow;
use std::marker::PhantomData;

use clap::builder::{PossibleValue, StringValueParser, TypedValueParser};

/// A type whose values each have one name, e.g. `kev_found` for [`crate::event::Event`].
pub trait Named: Sized + Copy + Send + Sync + 'static {
    /// What one value is called in messages: "event", "channel".
    const KIND: &'static str;

    /// Every value, in the order help and errors list them.
    fn all() -> &'static [Self];

    fn name(self) -> &'static str;

    /// The spelling to look up for `text`: events accept kebab-case, severities any case.
    fn canonical(text: &str) -> Cow<'_, str> {
        Cow::Borrowed(text)
    }
}

/// A name that is not in its set; the message lists the valid ones and suggests a close one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{name}`: {hint}")]
pub struct UnknownName {
    pub kind: &'static str,
    pub name: String,
    hint: String,
}

/// Looks `text` up in `T`'s table.
pub fn parse<T: Named>(text: &str) -> Result<T, UnknownName> {
    let wanted = T::canonical(text);
    T::all()
        .iter()
        .copied()
        .find(|value| value.name() == wanted)
        .ok_or_else(|| UnknownName {
            kind: T::KIND,
            name: text.to_string(),
            hint: choices_hint(text, T::all().iter().map(|value| value.name())),
        })
}

/// The clap value parser for a [`Named`] type: its names become the flag's possible values
/// (listed by `--help`, offered by completions), and an unknown one gets [`UnknownName`]'s
/// one-line message.
pub fn value_parser<T: Named>() -> NameParser<T> {
    NameParser(PhantomData)
}

#[derive(Clone)]
pub struct NameParser<T>(PhantomData<T>);

impl<T: Named> TypedValueParser for NameParser<T> {
    type Value = T;

    fn parse_ref(
        &self,
        command: &clap::Command,
        argument: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        // Delegating keeps clap's own handling of non-UTF-8 input and of the error's
        // context (which flag, which value).
        StringValueParser::new()
            .try_map(|text| parse::<T>(&text))
            .parse_ref(command, argument, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            T::all()
                .iter()
                .map(|value| PossibleValue::new(value.name())),
        ))
    }
}

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
