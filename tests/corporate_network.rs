//! Corporate networks through the real binary (docs/reference.md §8): a private CA trusted only
//! through the operating system's store as `SSL_CERT_FILE`/`SSL_CERT_DIR` name it, unusable
//! certificates there skipped, and deliveries through a loopback proxy (`HTTPS_PROXY`,
//! `HTTP_PROXY`, `NO_PROXY` and their lowercase forms) whose credentials show up nowhere: not
//! on stdout or stderr, `--verbose` included, and not in the history.

use std::path::Path;

use serde_json::Value;

use crate::prelude::*;

/// Every proxy variable the binary reads, so that a test sets exactly the ones it means.
const PROXY_VARIABLES: &[&str] = &[
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
];

/// The proxy's credentials: distinct enough that finding them anywhere is no accident.
const PROXY_USER: &str = "proxy-user-7Q";
const PROXY_PASSWORD: &str = "pw-Secr3t-91";

/// Every form the credentials could leak in: the user and password, the userinfo, and the
/// `Proxy-Authorization: Basic` value.
fn credential_forms() -> Vec<String> {
    use base64::Engine as _;
    let userinfo = format!("{PROXY_USER}:{PROXY_PASSWORD}");
    vec![
        PROXY_USER.to_string(),
        PROXY_PASSWORD.to_string(),
        base64::engine::general_purpose::STANDARD.encode(&userinfo),
        userinfo,
    ]
}

#[track_caller]
fn assert_no_credentials(text: &str, what: &str) {
    for form in credential_forms() {
        assert!(!text.contains(&form), "{what} shows {form:?}:\n{text}");
    }
}

/// A webhook `tls` to `url`, signed, with quick retries and two attempts at most.
fn config_for(url: &str, extra: &str) -> String {
    format!(
        "{DEFAULTS}{}",
        signed_hook("tls", url, &format!("max_attempts = 2\n{extra}"))
    )
}

fn emit_args(scan_id: &str) -> Vec<String> {
    ["emit", "scan_complete", "--repo", "myorg/api", "--set"]
        .into_iter()
        .map(String::from)
        .chain([format!("scan_id={scan_id}")])
        .collect()
}

/// `staxhook ARGS` with the proxy variables given and every other one removed.
fn with_proxies(env: &TestEnv, proxies: &[(&str, &str)], args: &[String]) -> Run {
    let mut command = env.cmd();
    for name in PROXY_VARIABLES {
        command.env_remove(name);
    }
    for (name, value) in proxies {
        command.env(name, value);
    }
    run(command.args(args))
}

fn write_ca(folder: &Path, name: &str, pki: &TestPki) -> std::path::PathBuf {
    std::fs::create_dir_all(folder).expect("create folder");
    let path = folder.join(name);
    std::fs::write(&path, &pki.ca_pem).expect("write CA");
    path
}

/// A PEM block that is not base64, and one that is base64 but no certificate: what a broken
/// file in a certificate folder looks like.
const BROKEN_PEM: &str =
    "-----BEGIN CERTIFICATE-----\n!!!! not base64 !!!!\n-----END CERTIFICATE-----\n";
const NOT_A_CERTIFICATE_PEM: &str =
    "-----BEGIN CERTIFICATE-----\naGVsbG8sIEkgYW0gbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";

/// The lines of `stderr` about the operating system's certificate store.
fn store_notes(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| line.contains("certificate store"))
        .collect()
}

#[test]
fn a_ca_given_only_through_ssl_cert_file_is_trusted_and_refused_once_without_it() {
    let pki = TestPki::generate();
    let server = TlsServer::start(pki.server_config.clone());
    let env = TestEnv::new();
    // No ca_cert: the CA reaches staxhook through SSL_CERT_FILE or not at all.
    write_private_config(&env, &config_for(&server.url("127.0.0.1", "/hook"), ""));
    let ca = write_ca(&env.path().join("os-store"), "corporate-ca.pem", &pki);

    let refused = run(env.cmd().arg("--json").args(emit_args("without-the-ca")));
    refused.expect_code(1);
    let out = refused.json();
    assert_eq!(out[0]["status"], "failed", "{out:#}");
    let error = out[0]["error"].as_str().expect("error text");
    assert!(
        error.starts_with("TLS certificate refused: ") && error.contains("UnknownIssuer"),
        "a clear certificate error: {error}"
    );
    assert_eq!(
        out[0]["attempts"], 1,
        "a refused certificate is not retried: {out:#}"
    );
    server.wait_until(BUSY_MACHINE_SLACK, |_, errors| !errors.is_empty());
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    assert!(!server.handshake_errors().is_empty());

    let trusted = run(env
        .cmd()
        .env("SSL_CERT_FILE", &ca)
        .arg("--json")
        .args(emit_args("with-the-ca")));
    trusted.expect_code(0);
    assert_eq!(
        trusted.stderr, "",
        "nothing to say when the store reads cleanly"
    );
    let out = trusted.json();
    assert_eq!(out[0]["status"], "delivered", "{out:#}");
    assert_eq!(out[0]["attempts"], 1, "{out:#}");
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(
        requests[0].header("x-codestax-signature"),
        Some(codestax_signature(SECRET, &requests[0].body).as_str())
    );
    let body: Value = serde_json::from_slice(&requests[0].body).expect("JSON body");
    assert_eq!(body["data"]["scan_id"], "with-the-ca");
}

#[test]
fn a_ca_in_an_ssl_cert_dir_is_trusted_by_plain_or_hashed_name_beside_unusable_files() {
    let pki = TestPki::generate();
    let server = TlsServer::start(pki.server_config.clone());
    let env = TestEnv::new();
    write_private_config(&env, &config_for(&server.url("localhost", "/hook"), ""));

    // A folder of plain .pem files, and one as `openssl rehash` leaves it: hash-named links
    // to files elsewhere. Both hold broken files too, which must not stop the delivery.
    let plain = env.path().join("plain");
    write_ca(&plain, "corporate-ca.pem", &pki);
    let hashed = env.path().join("hashed");
    let files = env.path().join("ca-files");
    let target = write_ca(&files, "corporate-ca.crt", &pki);
    std::fs::create_dir_all(&hashed).unwrap();
    std::os::unix::fs::symlink(&target, hashed.join("5ed36f99.0")).unwrap();
    std::os::unix::fs::symlink(files.join("gone.pem"), hashed.join("0badc0de.0")).unwrap();
    for folder in [&plain, &hashed] {
        std::fs::write(folder.join("broken.pem"), BROKEN_PEM).unwrap();
        std::fs::write(folder.join("not-a-certificate.pem"), NOT_A_CERTIFICATE_PEM).unwrap();
        std::fs::write(folder.join("README"), "certificates for the build agents\n").unwrap();
    }

    for (case, folder) in [("plain", &plain), ("hashed", &hashed)] {
        let before = server.requests().len();
        let quiet = run(env
            .cmd()
            .env("SSL_CERT_DIR", folder)
            .args(emit_args(&format!("dir-{case}"))));
        quiet.expect_code(0);
        assert!(
            store_notes(&quiet.stderr).is_empty(),
            "{case}: only --verbose mentions the skipped files: {}",
            quiet.stderr
        );
        assert_eq!(server.requests().len(), before + 1, "{case}");

        let verbose = run(env
            .cmd()
            .env("SSL_CERT_DIR", folder)
            .arg("--verbose")
            .args(emit_args(&format!("dir-{case}-verbose"))));
        verbose.expect_code(0);
        let notes = store_notes(&verbose.stderr);
        assert_eq!(notes.len(), 1, "{case}: one line: {}", verbose.stderr);
        assert!(
            notes[0].contains("failed to read PEM from file: base64 decode error")
                && notes[0].contains("1 certificate that rustls cannot use"),
            "{case}: the note says what was skipped: {}",
            notes[0]
        );
        assert_eq!(server.requests().len(), before + 2, "{case}");
    }
    assert!(
        server.handshake_errors().is_empty(),
        "{:?}",
        server.handshake_errors()
    );
}

#[test]
fn ssl_cert_file_naming_a_missing_file_adds_nothing_and_verbose_says_so() {
    let pki = TestPki::generate();
    let server = TlsServer::start(pki.server_config.clone());
    let env = TestEnv::new();
    let ca = write_ca(env.path(), "ca.pem", &pki);
    // One webhook trusts the CA through ca_cert, the other has only what the OS store gives.
    write_private_config(
        &env,
        &format!(
            "{}{}",
            config_for(
                &server.url("127.0.0.1", "/own"),
                &format!("ca_cert = {:?}", ca)
            ),
            signed_hook(
                "store-only",
                &server.url("127.0.0.1", "/store"),
                "max_attempts = 2\n"
            ),
        ),
    );
    let missing = env.path().join("no-such-folder/ca-bundle.crt");
    let result = run(env
        .cmd()
        .env("SSL_CERT_FILE", &missing)
        .arg("--verbose")
        .args(emit_args("missing-store")));
    // A failed delivery, not bad input: the same exit as any other failure.
    result.expect_code(1);
    assert!(
        result.stdout.contains("✓ tls scan_complete")
            && result.stdout.contains("✗ store-only scan_complete"),
        "{}",
        result.stdout
    );
    assert!(
        result.stdout.contains("TLS certificate refused"),
        "{}",
        result.stdout
    );
    let notes = store_notes(&result.stderr);
    assert_eq!(notes.len(), 1, "{}", result.stderr);
    assert!(
        notes[0].contains(&missing.display().to_string()),
        "the note names the missing file: {}",
        notes[0]
    );
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/own"]);
}

/// What each backend holds after a run, as text to search.
enum Stored {
    Sqlite,
    Postgres(String),
}

#[track_caller]
fn assert_history_holds_no_credentials(env: &TestEnv, stored: &Stored, present: &str) {
    let forms = credential_forms();
    let absent: Vec<&str> = forms.iter().map(String::as_str).collect();
    match stored {
        Stored::Sqlite => assert_history_files(&history_file_bytes(env), &absent, &[present]),
        Stored::Postgres(database) => {
            let text = postgres_server().sql(
                database,
                "SELECT (SELECT string_agg(d::text, E'\\n') FROM staxhook.deliveries d) \
                 || E'\\n' || (SELECT string_agg(a::text, E'\\n') FROM staxhook.attempts a)",
            );
            assert!(text.contains(present), "the rows are not here: {text}");
            assert_no_credentials(&text, "the PostgreSQL history");
        }
    }
}

#[test]
fn https_through_an_authenticating_proxy_is_tunnelled_and_its_credentials_show_nowhere() {
    let pki = TestPki::generate();
    let server = TlsServer::start(pki.server_config.clone());
    let proxy = TestProxy::start(ProxyBehavior::Forward);
    let proxy_url = proxy.url_with_credentials(PROXY_USER, PROXY_PASSWORD);
    let (database, postgres_url) = postgres_database();

    for (backend, stored) in [
        ("sqlite", Stored::Sqlite),
        ("postgres", Stored::Postgres(database)),
    ] {
        let env = TestEnv::new();
        let ca = write_ca(env.path(), "ca.pem", &pki);
        write_private_config(&env, &config_for(&server.url("127.0.0.1", "/hook"), ""));
        let history = match &stored {
            Stored::Sqlite => env.history_path().display().to_string(),
            Stored::Postgres(_) => postgres_url.clone(),
        };
        let mut seen = String::new();
        let before = proxy.requests().len();
        let mut staxhook_at = |proxies: &[(&str, &str)], args: &[String]| {
            let mut command = env.cmd();
            command
                .env("STAXHOOK_HISTORY", &history)
                .env("SSL_CERT_FILE", &ca);
            for name in PROXY_VARIABLES {
                command.env_remove(name);
            }
            for (name, value) in proxies {
                command.env(name, value);
            }
            let result = run(command.args(args));
            seen.push_str(&result.all_output());
            result
        };

        let verbose = staxhook_at(
            &[("HTTPS_PROXY", &proxy_url)],
            &[&["--verbose".to_string()][..], &emit_args("via-proxy-1")].concat(),
        );
        verbose.expect_code(0);
        assert!(
            verbose.stderr.contains(&format!(
                "proxy: https:// through http://***@127.0.0.1:{} (HTTPS_PROXY)",
                proxy.port()
            )),
            "{backend}: --verbose names the proxy, masked: {}",
            verbose.stderr
        );
        let json = staxhook_at(
            &[("https_proxy", &proxy_url)],
            &[&["--json".to_string()][..], &emit_args("via-proxy-2")].concat(),
        );
        json.expect_code(0);
        assert_eq!(json.json()[0]["status"], "delivered", "{backend}");

        // The proxy saw both tunnels, with the credentials; the endpoint saw both requests.
        let tunnels = &proxy.requests()[before..];
        assert_eq!(tunnels.len(), 2, "{backend}: {tunnels:?}");
        for tunnel in tunnels {
            assert_eq!(
                tunnel.request_line,
                format!("CONNECT 127.0.0.1:{} HTTP/1.1", server.port()),
                "{backend}"
            );
            assert_eq!(
                tunnel.header("proxy-authorization"),
                Some(format!("Basic {}", credential_forms()[2]).as_str()),
                "{backend}"
            );
        }
        let delivered: Vec<String> = server
            .requests()
            .iter()
            .map(|request| {
                serde_json::from_slice::<Value>(&request.body).expect("JSON body")["data"]
                    ["scan_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .filter(|id| id.starts_with("via-proxy"))
            .collect();
        assert!(delivered.len() >= 2, "{backend}: {delivered:?}");
        assert!(
            server
                .requests()
                .iter()
                .all(|request| request.header("proxy-authorization").is_none()),
            "{backend}: the endpoint never sees the proxy's credentials"
        );

        // What the history shows of those deliveries.
        let rows = staxhook_at(&[], &["--json".into(), "log".into()]);
        rows.expect_code(0);
        let id = rows.json()[0]["id"].as_i64().expect("id").to_string();
        staxhook_at(&[], &["log".into(), "show".into(), id.clone()]).expect_code(0);
        staxhook_at(&[], &["--json".into(), "log".into(), "show".into(), id]).expect_code(0);

        // A proxy that refuses the tunnel: one line naming it, masked; exit 1 as for any
        // failed delivery.
        let refusing = TestProxy::start(ProxyBehavior::Refuse);
        let refused = staxhook_at(
            &[(
                "HTTPS_PROXY",
                &refusing.url_with_credentials(PROXY_USER, PROXY_PASSWORD),
            )],
            &[
                &["--verbose".to_string()][..],
                &emit_args("via-proxy-refused"),
            ]
            .concat(),
        );
        refused.expect_code(1);
        let failure: Vec<&str> = refused
            .stdout
            .lines()
            .filter(|line| line.starts_with('✗'))
            .collect();
        assert_eq!(failure.len(), 1, "{backend}: {}", refused.stdout);
        assert!(
            failure[0].contains(&format!(
                "proxy http://***@127.0.0.1:{} refused the tunnel",
                refusing.port()
            )),
            "{backend}: {}",
            failure[0]
        );
        assert!(
            !refusing.requests().is_empty(),
            "{backend}: the refusing proxy was asked"
        );

        assert_no_credentials(&seen, backend);
        assert_history_holds_no_credentials(&env, &stored, "via-proxy-refused");
    }
}

#[test]
fn plain_http_goes_through_http_proxy_in_absolute_form() {
    let server = TestServer::start();
    let proxy = TestProxy::start(ProxyBehavior::Forward);
    let env = TestEnv::new();
    write_private_config(&env, &config_for(&server.url("/hook"), ""));
    let proxy_url = proxy.url_with_credentials(PROXY_USER, PROXY_PASSWORD);

    for (round, variable) in ["HTTP_PROXY", "http_proxy"].into_iter().enumerate() {
        let result = with_proxies(
            &env,
            &[(variable, &proxy_url)],
            &[
                &["--verbose".to_string()][..],
                &emit_args(&format!("plain-{round}")),
            ]
            .concat(),
        );
        result.expect_code(0);
        assert_no_credentials(&result.all_output(), variable);
        let requests = proxy.requests();
        assert_eq!(requests.len(), round + 1, "{variable}: {requests:?}");
        let forwarded = &requests[round];
        assert_eq!(forwarded.method(), "POST", "{variable}");
        assert_eq!(forwarded.target(), server.url("/hook"), "{variable}");
        assert_eq!(
            forwarded.header("proxy-authorization"),
            Some(format!("Basic {}", credential_forms()[2]).as_str()),
            "{variable}"
        );
        assert_eq!(server.requests().len(), round + 1, "{variable}");
    }
    let arrived = server.requests();
    assert_eq!(
        arrived[1].header("x-codestax-signature"),
        Some(codestax_signature(SECRET, &arrived[1].body).as_str())
    );
    assert_history_files(
        &history_file_bytes(&env),
        &credential_forms()
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        &["plain-1"],
    );
}

#[test]
fn no_proxy_naming_the_endpoint_bypasses_the_proxy_as_curl_reads_it() {
    let server = TestServer::start();
    let proxy = TestProxy::start(ProxyBehavior::Forward);
    let env = TestEnv::new();
    write_private_config(&env, &config_for(&server.url("/hook"), ""));
    let through = proxy.url();

    // (variables, whether the proxy is used)
    let cases: Vec<(Vec<(&str, &str)>, bool)> = vec![
        (
            vec![("HTTP_PROXY", &through), ("NO_PROXY", "127.0.0.1")],
            false,
        ),
        (
            vec![
                ("http_proxy", &through),
                ("no_proxy", "example.com, 127.0.0.0/8"),
            ],
            false,
        ),
        (vec![("ALL_PROXY", &through), ("NO_PROXY", "*")], false),
        // A loopback host is not exempt by itself, and `localhost` is not 127.0.0.1.
        (vec![("HTTP_PROXY", &through)], true),
        (
            vec![("HTTP_PROXY", &through), ("NO_PROXY", "localhost")],
            true,
        ),
        // As with curl, the lowercase form wins over the uppercase one.
        (
            vec![
                ("HTTP_PROXY", &through),
                ("NO_PROXY", "127.0.0.1"),
                ("no_proxy", "example.com"),
            ],
            true,
        ),
        (
            vec![
                ("http_proxy", &through),
                ("HTTP_PROXY", "http://127.0.0.1:9"),
            ],
            true,
        ),
        // all_proxy stands in for a scheme without its own proxy.
        (vec![("all_proxy", &through)], true),
    ];
    for (index, (variables, proxied)) in cases.iter().enumerate() {
        let proxy_before = proxy.connections();
        let server_before = server.requests().len();
        let result = with_proxies(&env, variables, &emit_args(&format!("no-proxy-{index}")));
        result.expect_code(0);
        assert_eq!(server.requests().len(), server_before + 1, "{variables:?}");
        assert_eq!(
            proxy.connections() > proxy_before,
            *proxied,
            "{variables:?}: proxied?"
        );
    }
}

#[test]
fn a_proxy_that_closes_or_wants_credentials_fails_the_delivery_naming_it() {
    let pki = TestPki::generate();
    let server = TlsServer::start(pki.server_config.clone());
    let env = TestEnv::new();
    let ca = write_ca(env.path(), "ca.pem", &pki);
    write_private_config(
        &env,
        &config_for(
            &server.url("127.0.0.1", "/hook"),
            &format!("ca_cert = {:?}", ca),
        ),
    );
    let closing = TestProxy::start(ProxyBehavior::Close);
    let asking = TestProxy::start(ProxyBehavior::AskCredentials);
    let unused_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };

    // (proxy URL, what the failure says, attempts)
    let cases = [
        (
            closing.url(),
            format!("proxy http://127.0.0.1:{} closed the connection without answering CONNECT", closing.port()),
            2,
        ),
        (
            asking.url_with_credentials(PROXY_USER, PROXY_PASSWORD),
            format!("proxy http://***@127.0.0.1:{} wants credentials or refused them (HTTP 407 Proxy Authentication Required)", asking.port()),
            // The same credentials would be refused again: not retried.
            1,
        ),
        (
            format!("http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{unused_port}"),
            format!("connection to proxy http://***@127.0.0.1:{unused_port} failed: "),
            2,
        ),
    ];
    for (proxy_url, says, attempts) in cases {
        let result = with_proxies(
            &env,
            &[("HTTPS_PROXY", &proxy_url)],
            &[
                &["--json".to_string(), "--verbose".to_string()][..],
                &emit_args("closing"),
            ]
            .concat(),
        );
        result.expect_code(1);
        let out = result.json();
        let error = out[0]["error"].as_str().expect("error");
        assert!(error.contains(&says), "{error}\nshould contain: {says}");
        assert_eq!(out[0]["attempts"], attempts, "{out:#}");
        assert_no_credentials(&result.all_output(), &says);
    }
    assert!(!closing.requests().is_empty() && !asking.requests().is_empty());
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[test]
fn an_unusable_proxy_variable_is_exit_2_naming_it_and_nothing_happens() {
    let server = TestServer::start();
    let env = TestEnv::new();
    write_private_config(&env, &config_for(&server.url("/hook"), ""));
    for (variable, value, says) in [
        (
            "HTTPS_PROXY",
            format!("socks5://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:1080"),
            "error: HTTPS_PROXY: socks5:// proxies are not supported; use an http:// or https:// proxy",
        ),
        (
            "http_proxy",
            format!("http://{PROXY_USER}:{PROXY_PASSWORD}@[::1"),
            "error: http_proxy: not a usable proxy URL (expected http://[USER:PASSWORD@]HOST:PORT)",
        ),
    ] {
        let result = with_proxies(&env, &[(variable, &value)], &emit_args("bad-proxy"));
        assert_eq!(result.expect_usage_error(), says);
        assert_no_credentials(&result.all_output(), variable);
        assert!(!env.history_path().exists(), "{variable}: a history was created");
    }
    // A dry run sends nothing, so the proxy does not matter to it.
    let dry = with_proxies(
        &env,
        &[("HTTPS_PROXY", "socks5://127.0.0.1:1080")],
        &[&emit_args("dry")[..], &["--dry-run".to_string()]].concat(),
    );
    dry.expect_code(0);
    assert!(server.requests().is_empty());
}

#[test]
fn kev_update_goes_through_the_proxy_too() {
    let server = TestServer::start();
    let catalog =
        br#"{"catalogVersion":"2026.01.01","vulnerabilities":[{"cveID":"CVE-2024-3094"}]}"#;
    server.script(
        "/kev.json",
        vec![Behavior::Respond {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: catalog.to_vec(),
        }],
    );
    let proxy = TestProxy::start(ProxyBehavior::Forward);
    let env = TestEnv::new();
    let result = with_proxies(
        &env,
        &[(
            "HTTP_PROXY",
            &proxy.url_with_credentials(PROXY_USER, PROXY_PASSWORD),
        )],
        &[
            "--verbose",
            "kev",
            "update",
            "--url",
            &server.url("/kev.json"),
        ]
        .map(String::from),
    );
    result.expect_code(0);
    assert!(
        result.stdout.contains("with 1 entries"),
        "{}",
        result.stdout
    );
    assert_no_credentials(&result.all_output(), "kev update");
    let requests = proxy.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].method(), "GET");
    assert_eq!(requests[0].target(), server.url("/kev.json"));
    assert!(requests[0].header("proxy-authorization").is_some());
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn feed_updates_refuse_an_unusable_proxy_variable_before_downloading() {
    let server = TestServer::start();
    let env = TestEnv::new();
    for feed in ["kev", "epss"] {
        let result = with_proxies(
            &env,
            &[("HTTPS_PROXY", "socks5://127.0.0.1:1080")],
            &[feed, "update", "--url", &server.url("/feed")].map(String::from),
        );
        assert_eq!(
            result.expect_usage_error(),
            "error: HTTPS_PROXY: socks5:// proxies are not supported; use an http:// or https:// proxy",
            "{feed} update"
        );
    }
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}
