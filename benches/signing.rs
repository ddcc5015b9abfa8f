//! Micro-benchmarks of request signing: `X-CodeStax-Signature` (HMAC-SHA256 + hex) on
//! typical (1 KiB) and large (64 KiB) bodies, with one secret and during a rotation (two),
//! plus the Standard Webhooks header and streaming verification.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use staxhook::signing;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OLD_SECRET: &str = "whsec_dGhpcy1pcy10aGUtb2xkLXNlY3JldC1rZXk=";

fn body(size: usize) -> Vec<u8> {
    // A JSON-looking body of exactly `size` bytes (content does not matter to HMAC).
    let mut body =
        br#"{"event":"scan_complete","timestamp":"2026-01-01T00:00:00Z","data":{"pad":""#.to_vec();
    body.resize(size - 3, b'x');
    body.extend_from_slice(b"\"}}");
    body
}

fn bench_codestax_header(c: &mut Criterion) {
    let mut group = c.benchmark_group("codestax_header");
    for size in [1024usize, 64 * 1024] {
        let body = body(size);
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("one_secret", size), &body, |b, body| {
            b.iter(|| signing::codestax_header(black_box(&[SECRET]), black_box(body)))
        });
        group.bench_with_input(
            BenchmarkId::new("rotation_two_secrets", size),
            &body,
            |b, body| {
                b.iter(|| {
                    signing::codestax_header(black_box(&[SECRET, OLD_SECRET]), black_box(body))
                })
            },
        );
    }
    group.finish();
}

fn bench_standard_webhooks(c: &mut Criterion) {
    let mut group = c.benchmark_group("standard_webhooks_header");
    for size in [1024usize, 64 * 1024] {
        let body = body(size);
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::from_parameter(size), &body, |b, body| {
            b.iter(|| {
                signing::standard_webhooks_header(
                    black_box(&[SECRET]),
                    "8a3c2f1e-0000-4000-8000-000000000000",
                    1_767_225_600,
                    black_box(body),
                )
            })
        });
    }
    group.finish();
}

fn bench_verify_stream(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify_stream");
    let size = 1024 * 1024;
    let body = body(size);
    let header = signing::SignatureHeader::parse(&signing::codestax_header(&[SECRET], &body))
        .expect("a header we made parses");
    let options = signing::VerifyOptions {
        max_age: None,
        now: jiff::Timestamp::now(),
    };
    group.throughput(Throughput::Bytes(size as u64));
    group.bench_function("1MiB", |b| {
        b.iter(|| {
            let verdict =
                signing::verify_stream(&[SECRET], &header, black_box(body.as_slice()), &options)
                    .expect("reading a slice cannot fail");
            assert_eq!(verdict, signing::Verdict::Valid);
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_codestax_header,
    bench_standard_webhooks,
    bench_verify_stream
);
criterion_main!(benches);
