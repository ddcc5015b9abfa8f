//! The fixed costs of one `staxhook emit`, step by step and in-process, so the whole-process
//! numbers of bench/run.sh (section 7) can be split: config load, the HTTP client (without
//! roots for http://; for https:// the Mozilla roots and the OS store), the tokio runtime,
//! opening the history (WAL, pragmas, schema check), one delivery's two writes, the prune
//! that follows one emit in 16, and closing the history (the last connection checkpoints the
//! WAL into the database and deletes it).

use std::path::Path;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use staxhook::delivery::http::HttpTransport;
use staxhook::delivery::proxy::Proxies;
use staxhook::delivery::trust::TrustedRoots;
use staxhook::history::{AttemptRecord, Finish, History, NewDelivery, Status};

fn delivery() -> NewDelivery {
    NewDelivery {
        delivery_id: "84030354-b41b-4067-ba68-720b618abf53".into(),
        created_at: jiff::Timestamp::now(),
        webhook: "bench".into(),
        channel: "generic".into(),
        event: "scan_complete".into(),
        repository: "myorg/backend-api".into(),
        test: false,
        request_url: "http://127.0.0.1:8080/hook".into(),
        request_headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-CodeStax-Signature".into(), format!("sha256={}", "ab".repeat(32))),
        ],
        request_body: r#"{"event":"scan_complete","timestamp":"2026-01-01T00:00:00Z","repository":"myorg/backend-api","data":{"scan_id":1}}"#.into(),
        redelivery_of: None,
        action: None,
    }
}

fn attempt() -> AttemptRecord {
    AttemptRecord {
        number: 1,
        started_at: jiff::Timestamp::now(),
        duration_ms: 1,
        http_status: Some(200),
        error: None,
        response_headers: vec![("content-length".into(), "2".into())],
        response_body: "ok".into(),
        response_truncated: false,
    }
}

/// What `emit` does with the history for one delivery, from open to close.
fn one_emit(path: &Path, prune: bool) {
    let history = History::open(path).expect("open");
    let row = history.insert_pending(&delivery()).expect("insert");
    history
        .finish(
            row,
            Some(&attempt()),
            &Finish {
                status: Status::Delivered,
                http_status: Some(200),
                attempts: 1,
                duration_ms: 1,
                error: None,
            },
        )
        .expect("finish");
    if prune {
        let cutoff = jiff::Timestamp::now()
            .checked_sub(jiff::SignedDuration::from_hours(24 * 30))
            .expect("cutoff");
        history.prune(cutoff).expect("prune");
    }
    drop(history);
}

fn bench_emit_path(c: &mut Criterion) {
    let folder = tempfile::tempdir().expect("temp dir");
    let config = folder.path().join("config.toml");
    std::fs::write(
        &config,
        "[defaults]\nretention = \"30d\"\n\n[webhooks.bench]\nurl = \"http://127.0.0.1:8080/hook\"\nsecret = \"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"\n",
    )
    .expect("config");
    let environment = |name: &str| std::env::var(name).ok();

    let mut group = c.benchmark_group("emit_path");
    group.bench_function("config_load", |b| {
        b.iter(|| staxhook::config::Config::load(&config, &environment).expect("config"))
    });
    // What an emit to http:// builds: no roots to parse, no proxy.
    let proxies = Arc::new(Proxies::none());
    group.bench_function("http_client_build", |b| {
        b.iter(|| {
            HttpTransport::new(
                staxhook::delivery::USER_AGENT,
                &TrustedRoots::none(),
                None,
                &proxies,
            )
            .expect("client")
        })
    });
    // What an emit to https:// adds: the Mozilla roots parsed, the operating system's store
    // read and parsed (docs/reference.md §8), then the client.
    group.bench_function("trusted_roots_with_system_store", |b| {
        b.iter(TrustedRoots::with_system_store)
    });
    let roots = TrustedRoots::with_system_store();
    group.bench_function("https_client_build", |b| {
        b.iter(|| {
            HttpTransport::new(staxhook::delivery::USER_AGENT, &roots, None, &proxies)
                .expect("client")
        })
    });
    group.bench_function("tokio_runtime_build", |b| {
        b.iter(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
        })
    });

    let path = folder.path().join("history.db");
    one_emit(&path, false); // create and migrate once
    group.bench_function("history_open_close", |b| {
        b.iter(|| drop(History::open(&path).expect("open")))
    });
    group.bench_function("history_open_3_writes_close", |b| {
        b.iter(|| one_emit(&path, false))
    });
    group.bench_function("history_open_3_writes_prune_close", |b| {
        b.iter(|| one_emit(&path, true))
    });
    // Another connection stays open, so closing ours neither checkpoints nor deletes the
    // WAL: the difference to the line above is what the checkpoint-on-close costs.
    let holder = History::open(&path).expect("holder");
    group.bench_function("history_open_3_writes_close_wal_kept", |b| {
        b.iter(|| one_emit(&path, false))
    });
    group.bench_function("history_open_3_writes_prune_close_wal_kept", |b| {
        b.iter(|| one_emit(&path, true))
    });
    drop(holder);
    group.finish();
}

criterion_group!(benches, bench_emit_path);
criterion_main!(benches);
