//! Micro-benchmarks of the SQLite history: opening a file (WAL, pragmas, schema check), and
//! one delivery's writes (`insert_pending`, then `finish` with the attempt that ended it), as
//! `emit` does them.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use staxhook::history::{AttemptRecord, Finish, History, NewDelivery, Status};

fn new_delivery(index: u64) -> NewDelivery {
    NewDelivery {
        delivery_id: format!("00000000-0000-4000-8000-{index:012}"),
        created_at: jiff::Timestamp::now(),
        webhook: format!("hook-{}", index % 50),
        channel: "generic".into(),
        event: "scan_complete".into(),
        repository: "myorg/backend-api".into(),
        test: false,
        request_url: "http://127.0.0.1:8080/hook".into(),
        request_headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("User-Agent".into(), "staxhook/0.1.0".into()),
            ("X-CodeStax-Event".into(), "scan_complete".into()),
            (
                "X-CodeStax-Signature".into(),
                format!("sha256={}", "ab".repeat(32)),
            ),
        ],
        request_body: format!(
            r#"{{"event":"scan_complete","data":{{"scan_id":"{index}","pad":"{}"}}}}"#,
            "x".repeat(700)
        ),
        redelivery_of: None,
        action: None,
    }
}

fn attempt() -> AttemptRecord {
    AttemptRecord {
        number: 1,
        started_at: jiff::Timestamp::now(),
        duration_ms: 3,
        http_status: Some(200),
        error: None,
        response_headers: vec![
            ("content-type".into(), "text/plain".into()),
            ("content-length".into(), "2".into()),
        ],
        response_body: "ok".into(),
        response_truncated: false,
    }
}

fn bench_history(c: &mut Criterion) {
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("history.db");
    let history = History::open(&path).expect("open history");

    let mut group = c.benchmark_group("history");
    let mut index = 0u64;
    group.bench_function("delivery_insert_attempt_finish", |b| {
        b.iter_batched(
            || {
                index += 1;
                (new_delivery(index), attempt())
            },
            |(delivery, attempt)| {
                let row = history.insert_pending(&delivery).expect("insert");
                history
                    .finish(
                        row,
                        Some(&attempt),
                        &Finish {
                            status: Status::Delivered,
                            http_status: Some(200),
                            attempts: 1,
                            duration_ms: 3,
                            error: None,
                        },
                    )
                    .expect("finish");
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("insert_pending", |b| {
        b.iter_batched(
            || {
                index += 1;
                new_delivery(index)
            },
            |delivery| history.insert_pending(&delivery).expect("insert"),
            BatchSize::SmallInput,
        )
    });
    // Opening an existing history: what every `emit` pays before its first insert.
    group.bench_function("open_existing_file", |b| {
        b.iter(|| History::open(&path).expect("reopen"))
    });
    group.bench_function("prune_nothing_to_prune", |b| {
        let cutoff = jiff::Timestamp::now()
            .checked_sub(jiff::SignedDuration::from_hours(24 * 30))
            .expect("cutoff");
        b.iter(|| history.prune(cutoff).expect("prune"))
    });
    group.finish();
}

criterion_group!(benches, bench_history);
criterion_main!(benches);
