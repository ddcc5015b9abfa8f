//! The proxies the environment names (`https_proxy`, `http_proxy`, `all_proxy`, `no_proxy` and
//! their uppercase forms), read once and as curl reads them, and shown without credentials
//! (docs/reference.md §8).
//!
//! reqwest would read these variables itself, but in another order (uppercase first), silently
//! ignoring a value it cannot parse, and without telling which proxy a request went through.
//! Here they are read and checked once; the client is handed the decision per URL, and a
//! failure can name the proxy it went through.

use std::sync::Arc;

use url::Url;

/// How a proxy's credentials are shown: never, not even the user name.
const MASKED_USERINFO: &str = "***";

/// Where a proxy variable is unusable; the message names the variable, never its value
/// (which may hold a password).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    #[error("{variable}: not a usable proxy URL (expected http://[USER:PASSWORD@]HOST:PORT)")]
    Invalid { variable: &'static str },
    #[error("{variable}: {scheme}:// proxies are not supported; use an http:// or https:// proxy")]
    Unsupported {
        variable: &'static str,
        scheme: String,
    },
}

/// One proxy from the environment.
#[derive(Clone)]
pub struct Proxy {
    /// The variable it came from (`https_proxy`, `HTTPS_PROXY`, …).
    pub variable: &'static str,
    /// The full URL, credentials included: only the HTTP client gets it.
    url: Url,
    /// `http://***@proxy.example:8080`: how it may be shown.
    pub shown: String,
    /// The credentials as they can appear in text: raw, percent-decoded, and the Basic
    /// `Proxy-Authorization` value, so that [`Proxies::scrub`] can take them out.
    credentials: Vec<String>,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{} {}", self.variable, self.shown)
    }
}

/// The proxy settings of this process.
pub struct Proxies {
    http: Option<Proxy>,
    https: Option<Proxy>,
    /// `no_proxy` as given ("" when unset).
    no_proxy: String,
    /// The rules reqwest's own environment support uses (hyper-util's), here only to decide
    /// whether `no_proxy` exempts a host; `None` when no proxy is set.
    matcher: Option<hyper_util::client::proxy::matcher::Matcher>,
}

impl std::fmt::Debug for Proxies {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Proxies")
            .field("http", &self.http)
            .field("https", &self.https)
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// Reads the first of `names` that is set and not empty, with the name it came from.
fn first_set(
    names: &[&'static str],
    environment: &dyn Fn(&str) -> Option<String>,
) -> Option<(&'static str, String)> {
    names.iter().find_map(|name| {
        environment(name)
            .map(|value| value.trim().to_string())
            .filter(|value| !value.is_empty())
            .map(|value| (*name, value))
    })
}

impl Proxies {
    /// No proxy at all (what a test or a caller without an environment gets).
    pub fn none() -> Proxies {
        Proxies {
            http: None,
            https: None,
            no_proxy: String::new(),
            matcher: None,
        }
    }

    /// Reads the proxy variables: lowercase first, as curl does. `HTTP_PROXY` (uppercase) is
    /// honoured too, unlike curl, except when `REQUEST_METHOD` is set: under CGI a request's
    /// `Proxy:` header arrives as `HTTP_PROXY` ("httpoxy"). A scheme-less value means http.
    pub fn from_environment(
        environment: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Proxies, ProxyError> {
        let cgi = environment("REQUEST_METHOD").is_some();
        let http_names: &[&'static str] = if cgi {
            &["http_proxy"]
        } else {
            &["http_proxy", "HTTP_PROXY"]
        };
        let parse = |found: Option<(&'static str, String)>| {
            found
                .map(|(variable, value)| parse_proxy(variable, &value))
                .transpose()
        };
        let all = parse(first_set(&["all_proxy", "ALL_PROXY"], environment))?;
        let http = parse(first_set(http_names, environment))?.or_else(|| all.clone());
        let https = parse(first_set(&["https_proxy", "HTTPS_PROXY"], environment))?.or(all);
        let no_proxy = first_set(&["no_proxy", "NO_PROXY"], environment)
            .map(|(_, value)| value)
            .unwrap_or_default();
        let matcher = (http.is_some() || https.is_some()).then(|| {
            let mut builder = hyper_util::client::proxy::matcher::Matcher::builder();
            if let Some(proxy) = &http {
                builder = builder.http(proxy.url.to_string());
            }
            if let Some(proxy) = &https {
                builder = builder.https(proxy.url.to_string());
            }
            builder.no(no_proxy.clone()).build()
        });
        Ok(Proxies {
            http,
            https,
            no_proxy,
            matcher,
        })
    }

    /// The proxy a request to `url` goes through, if any: the scheme's proxy unless
    /// `no_proxy` names the host (a name and its subdomains, an IP address or a CIDR range, or
    /// `*`). Loopback hosts are not exempt by themselves, as with curl.
    pub fn for_url(&self, url: &Url) -> Option<&Proxy> {
        let matcher = self.matcher.as_ref()?;
        // hyper-util applies a `*` entry to host names only; curl to every host, addresses too.
        if self.no_proxy.split(',').any(|entry| entry.trim() == "*") {
            return None;
        }
        let proxy = match url.scheme() {
            "http" => self.http.as_ref()?,
            "https" => self.https.as_ref()?,
            _ => return None,
        };
        let uri: http::Uri = url.as_str().parse().ok()?;
        matcher.intercept(&uri).map(|_| proxy)
    }

    /// Whether any proxy is set.
    pub fn any(&self) -> bool {
        self.http.is_some() || self.https.is_some()
    }

    /// Whether some proxy is itself reached over TLS (an `https://` proxy URL).
    pub fn any_over_tls(&self) -> bool {
        [&self.http, &self.https]
            .into_iter()
            .flatten()
            .any(|proxy| proxy.url.scheme() == "https")
    }

    /// One line for `--verbose`: which proxies are in force, credentials masked.
    pub fn describe(&self) -> Option<String> {
        if !self.any() {
            return None;
        }
        let mut parts = Vec::new();
        if let Some(proxy) = &self.https {
            parts.push(format!(
                "https:// through {} ({})",
                proxy.shown, proxy.variable
            ));
        }
        if let Some(proxy) = &self.http {
            parts.push(format!(
                "http:// through {} ({})",
                proxy.shown, proxy.variable
            ));
        }
        if !self.no_proxy.is_empty() {
            parts.push(format!("not for {}", self.no_proxy));
        }
        Some(format!("proxy: {}", parts.join("; ")))
    }

    /// Hands the per-URL decision to a reqwest client. reqwest's own reading of the
    /// environment is switched off either way, so these settings are the only ones.
    pub fn apply(self: &Arc<Self>, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        if !self.any() {
            return builder.no_proxy();
        }
        let proxies = Arc::clone(self);
        builder.proxy(reqwest::Proxy::custom(move |url| {
            proxies.for_url(url).map(|proxy| proxy.url.clone())
        }))
    }

    /// `text` with any proxy credentials replaced by `***`: for error text from the HTTP
    /// stack, which should never hold them, in case it one day does.
    pub fn scrub(&self, text: &str) -> String {
        let mut text = text.to_string();
        for proxy in [&self.http, &self.https].into_iter().flatten() {
            for credential in &proxy.credentials {
                let masked = if credential.ends_with('@') {
                    format!("{MASKED_USERINFO}@")
                } else {
                    MASKED_USERINFO.to_string()
                };
                text = text.replace(credential.as_str(), &masked);
            }
        }
        text
    }
}

/// Parses one variable's value; a value without a scheme is an http:// proxy (as with curl).
fn parse_proxy(variable: &'static str, value: &str) -> Result<Proxy, ProxyError> {
    let text = if value.contains("://") {
        value.to_string()
    } else {
        format!("http://{value}")
    };
    let url = Url::parse(&text).map_err(|_| ProxyError::Invalid { variable })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ProxyError::Unsupported {
            variable,
            scheme: url.scheme().to_string(),
        });
    }
    let host = url
        .host_str()
        .filter(|host| !host.is_empty())
        .ok_or(ProxyError::Invalid { variable })?;
    let has_credentials = !url.username().is_empty() || url.password().is_some();
    let shown = format!(
        "{}://{}{host}{}",
        url.scheme(),
        if has_credentials {
            format!("{MASKED_USERINFO}@")
        } else {
            String::new()
        },
        url.port()
            .map(|port| format!(":{port}"))
            .unwrap_or_default()
    );
    Ok(Proxy {
        variable,
        credentials: credential_forms(&url),
        url,
        shown,
    })
}

/// Every form in which `url`'s credentials could show up in text, longest first: the
/// userinfo before its `@`, raw and percent-decoded, and the Basic `Proxy-Authorization` value.
/// A user name alone is replaced only before its `@`, where it cannot be an ordinary word.
fn credential_forms(url: &Url) -> Vec<String> {
    use base64::Engine as _;
    let user = url.username();
    let password = url.password();
    if user.is_empty() && password.is_none() {
        return Vec::new();
    }
    let decode = |text: &str| {
        percent_encoding::percent_decode_str(text)
            .decode_utf8_lossy()
            .into_owned()
    };
    let raw = match password {
        Some(password) => format!("{user}:{password}"),
        None => user.to_string(),
    };
    let decoded = match password {
        Some(password) => format!("{}:{}", decode(user), decode(password)),
        None => decode(user),
    };
    let basic = format!(
        "{}:{}",
        decode(user),
        password.map(decode).unwrap_or_default()
    );
    let mut forms = vec![
        format!("{raw}@"),
        format!("{decoded}@"),
        base64::engine::general_purpose::STANDARD.encode(basic.as_bytes()),
    ];
    if password.is_some() {
        forms.push(raw);
        forms.push(decoded);
    }
    forms.sort_by_key(|form| std::cmp::Reverse(form.len()));
    forms.dedup();
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<Proxies, ProxyError> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        Proxies::from_environment(&move |name: &str| {
            pairs
                .iter()
                .find(|(known, _)| known == name)
                .map(|(_, value)| value.clone())
        })
    }

    fn through(proxies: &Proxies, url: &str) -> Option<String> {
        proxies
            .for_url(&Url::parse(url).unwrap())
            .map(|proxy| format!("{} {}", proxy.variable, proxy.shown))
    }

    #[test]
    fn each_scheme_has_its_own_proxy_and_all_proxy_fills_in() {
        let proxies = from(&[
            ("HTTPS_PROXY", "http://secure.proxy:3128"),
            ("ALL_PROXY", "http://every.proxy:8080"),
        ])
        .unwrap();
        assert_eq!(
            through(&proxies, "https://hooks.example.com/x").as_deref(),
            Some("HTTPS_PROXY http://secure.proxy:3128")
        );
        assert_eq!(
            through(&proxies, "http://hooks.example.com/x").as_deref(),
            Some("ALL_PROXY http://every.proxy:8080")
        );
        assert!(!proxies.any_over_tls());
        assert!(from(&[])
            .unwrap()
            .for_url(&Url::parse("https://a.b/").unwrap())
            .is_none());
    }

    #[test]
    fn lowercase_wins_as_with_curl_and_uppercase_http_proxy_is_honoured_outside_cgi() {
        let both = from(&[
            ("https_proxy", "http://lower:1"),
            ("HTTPS_PROXY", "http://upper:2"),
            ("no_proxy", "lower.example"),
            ("NO_PROXY", "upper.example"),
        ])
        .unwrap();
        assert_eq!(
            through(&both, "https://x.example/").as_deref(),
            Some("https_proxy http://lower:1")
        );
        assert_eq!(through(&both, "https://lower.example/"), None);
        assert!(through(&both, "https://upper.example/").is_some());

        let upper = from(&[("HTTP_PROXY", "http://upper:2")]).unwrap();
        assert_eq!(
            through(&upper, "http://x.example/").as_deref(),
            Some("HTTP_PROXY http://upper:2")
        );
        // Under CGI, HTTP_PROXY may come from a request's `Proxy:` header.
        let cgi = from(&[("HTTP_PROXY", "http://upper:2"), ("REQUEST_METHOD", "GET")]).unwrap();
        assert_eq!(through(&cgi, "http://x.example/"), None);
        // An empty value is as good as unset.
        let empty = from(&[("https_proxy", " "), ("HTTPS_PROXY", "http://upper:2")]).unwrap();
        assert_eq!(
            through(&empty, "https://x.example/").as_deref(),
            Some("HTTPS_PROXY http://upper:2")
        );
    }

    #[test]
    fn no_proxy_takes_names_with_their_subdomains_addresses_ranges_and_a_star() {
        let proxies = from(&[
            ("HTTPS_PROXY", "proxy.corp:3128"),
            (
                "NO_PROXY",
                "internal.corp, .lab.corp,10.0.0.0/8,127.0.0.1,::1",
            ),
        ])
        .unwrap();
        for direct in [
            "https://internal.corp/x",
            "https://hooks.internal.corp/x",
            "https://a.lab.corp/x",
            "https://10.1.2.3/x",
            "https://127.0.0.1:8443/x",
            "https://[::1]:8443/x",
        ] {
            assert_eq!(through(&proxies, direct), None, "{direct}");
        }
        for proxied in [
            "https://notinternal.corp/x",
            "https://localhost/x",
            "https://127.0.0.2/x",
            "https://hooks.slack.com/services/x",
        ] {
            assert_eq!(
                through(&proxies, proxied).as_deref(),
                Some("HTTPS_PROXY http://proxy.corp:3128"),
                "{proxied}"
            );
        }
        let star = from(&[("HTTPS_PROXY", "proxy.corp:3128"), ("no_proxy", "*")]).unwrap();
        assert_eq!(through(&star, "https://hooks.slack.com/x"), None);
        assert_eq!(through(&star, "https://10.1.2.3/x"), None);
    }

    #[test]
    fn credentials_are_never_shown() {
        let proxies = from(&[
            (
                "HTTPS_PROXY",
                "https://ci%40corp:p%3Ass@proxy.corp:8443/ignored",
            ),
            ("http_proxy", "http://tokenonly@proxy.corp"),
        ])
        .unwrap();
        let https = proxies.https.as_ref().unwrap();
        assert_eq!(https.shown, "https://***@proxy.corp:8443");
        assert_eq!(
            proxies.http.as_ref().unwrap().shown,
            "http://***@proxy.corp"
        );
        assert!(proxies.any_over_tls());
        let described = proxies.describe().unwrap();
        assert_eq!(
            described,
            "proxy: https:// through https://***@proxy.corp:8443 (HTTPS_PROXY); http:// through http://***@proxy.corp (http_proxy)"
        );
        assert_eq!(format!("{proxies:?}").matches("***@").count(), 2);
        assert!(!format!("{proxies:?}").contains("p%3Ass"));

        // Whatever form the credentials take in a text, they go.
        let basic = {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode("ci@corp:p:ss")
        };
        let text = format!(
            "a https://ci%40corp:p%3Ass@proxy.corp:8443 b ci@corp:p:ss c Basic {basic} d http://tokenonly@proxy.corp e tokenonly"
        );
        assert_eq!(
            proxies.scrub(&text),
            "a https://***@proxy.corp:8443 b *** c Basic *** d http://***@proxy.corp e tokenonly"
        );
    }

    #[test]
    fn unusable_values_name_the_variable_and_never_the_value() {
        for (name, value, expected) in [
            (
                "HTTPS_PROXY",
                "socks5://user:secret@127.0.0.1:1080",
                "HTTPS_PROXY: socks5:// proxies are not supported; use an http:// or https:// proxy",
            ),
            (
                "https_proxy",
                "http://user:secret@[::1",
                "https_proxy: not a usable proxy URL (expected http://[USER:PASSWORD@]HOST:PORT)",
            ),
            (
                "ALL_PROXY",
                "http://user:secret@:8080",
                "ALL_PROXY: not a usable proxy URL (expected http://[USER:PASSWORD@]HOST:PORT)",
            ),
        ] {
            let error = from(&[(name, value)]).unwrap_err().to_string();
            assert_eq!(error, expected);
            assert!(!error.contains("secret"));
        }
    }
}
