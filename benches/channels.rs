//! Micro-benchmarks of message formatting: each channel's `body()` for each event's sample
//! data (what `send-test` sends), so a slow formatter shows up as a regression.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use staxhook::channel::{Channel, FormatContext};
use staxhook::envelope::Envelope;
use staxhook::event::Event;

fn bench_formatters(c: &mut Criterion) {
    let context = FormatContext {
        routing_key: Some("R0UT1NGKEY00000000000000000000AB"),
    };
    for channel in Channel::ALL {
        let mut group = c.benchmark_group(format!("format/{channel}"));
        let formatter = channel.formatter();
        for event in Event::ALL {
            let envelope = Envelope::new(
                event,
                "myorg/backend-api".to_string(),
                event.sample_data(),
                false,
            );
            group.bench_with_input(
                BenchmarkId::from_parameter(event),
                &envelope,
                |b, envelope| b.iter(|| formatter.body(black_box(envelope), black_box(&context))),
            );
        }
        group.finish();
    }
}

fn bench_redacted_body(c: &mut Criterion) {
    // What every emit does once per target besides body(): the stored (redacted) copy.
    let context = FormatContext {
        routing_key: Some("R0UT1NGKEY00000000000000000000AB"),
    };
    let mut group = c.benchmark_group("redacted_body");
    for channel in Channel::ALL {
        let formatter = channel.formatter();
        let envelope = Envelope::new(
            Event::KevFound,
            "myorg/backend-api".to_string(),
            Event::KevFound.sample_data(),
            false,
        );
        let body = formatter.body(&envelope, &context);
        group.bench_with_input(BenchmarkId::from_parameter(channel), &body, |b, body| {
            b.iter(|| formatter.redacted_body(black_box(body)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_formatters, bench_redacted_body);
criterion_main!(benches);
