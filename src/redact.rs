//! Keeping secrets out of sight: the `[redacted]` marker, a wrapper type whose `Debug` and
//! `Display` never show its value, and the header names that count as credentials.

use std::fmt;

/// Shown and stored instead of a value that must not be printed or kept.
pub const REDACTED: &str = "[redacted]";

/// A value that is a credential (a signing secret, a routing key, a URL that carries a
/// token). Formatting it, by `{}` or `{:?}`, prints `[redacted]`, so a stray `dbg!`, a
/// derived `Debug` or an error message cannot leak it; the value is reached only through
/// [`Secret::expose`], which makes each real use visible in the code.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret<T = String>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Secret<T> {
        Secret(value)
    }

    /// The value itself, for the few places that must use it (signing, sending).
    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Secret<T> {
        Secret(value)
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(REDACTED)
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(REDACTED)
    }
}

/// Header names that usually carry credentials; their values are redacted even when the
/// config writes them literally.
pub fn is_credential_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "authorization",
        "cookie",
        "token",
        "secret",
        "password",
        "key",
        "auth",
        "session",
    ]
    .iter()
    .any(|word| name.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_never_shows_the_value() {
        let secret = Secret::new("whsec_do-not-print".to_string());
        assert_eq!(format!("{secret}"), "[redacted]");
        assert_eq!(format!("{secret:?}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(&secret)), "Some([redacted])");
        assert_eq!(secret.expose(), "whsec_do-not-print");
    }

    #[test]
    fn credential_header_names() {
        for name in [
            "Authorization",
            "X-Api-Key",
            "X-Auth-Token",
            "Cookie",
            "x-secret",
            "Set-Cookie",
            "Proxy-Authorization",
            "X-Session-Id",
            "X-Refresh-Token",
        ] {
            assert!(is_credential_header(name), "{name}");
        }
        for name in ["X-Team", "Content-Type", "X-Request-Id"] {
            assert!(!is_credential_header(name), "{name}");
        }
    }
}
