//! What a webhook URL must look like, and which hosts count as this machine (where plain HTTP
//! is allowed because it never crosses a network).

use url::Url;

/// A webhook URL must be absolute http(s) with a host.
pub fn check_url_syntax(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|error| format!("invalid URL: {error}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "URL scheme must be https or http, not `{}`",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("URL has no host".into());
    }
    Ok(url)
}

/// True for `localhost`, `127.0.0.0/8` and `[::1]`, where plain HTTP never leaves the machine.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for text in [
            "http://localhost:1/",
            "http://127.0.0.1/",
            "http://127.9.9.9/",
            "http://[::1]:80/",
        ] {
            assert!(is_loopback(&Url::parse(text).unwrap()), "{text}");
        }
        for text in [
            "http://example.com/",
            "http://10.0.0.1/",
            "http://localhost.evil.com/",
        ] {
            assert!(!is_loopback(&Url::parse(text).unwrap()), "{text}");
        }
    }
}
