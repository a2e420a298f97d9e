//! Quantisation throughput (values/s): `Format::quantize` per value (the calibrate-mode emulation path, with the
//! format re-read for every value so the `match` cannot be hoisted), `Format::quantize_slice`, the static types'
//! and `Number::quantize`.
//!
//! `cargo bench -p number-formats --bench quantize -- --warm-up-time 1 --measurement-time 2`
//! (default target: x86-64 baseline, SSE2 only; no `-C target-cpu`).
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use number_formats::{E3m2, E4m3, Fixed, Format, Number};

const N: usize = 4096;

fn inputs() -> Vec<f32> {
    // Deterministic values spread over [-8, 8) with a few out-of-range ones.
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    (0..N)
        .map(|i| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let u = (s >> 40) as f32 / (1u64 << 24) as f32;
            if i % 97 == 0 {
                1e6 * (u - 0.5)
            } else {
                16.0 * u - 8.0
            }
        })
        .collect()
}

fn formats() -> Vec<(&'static str, Format)> {
    [
        "fixed<8,4>",
        "ufixed<8,4>",
        "fixed<16,10>",
        "e3m2",
        "e4m3",
        "bf16",
        "f32",
    ]
    .into_iter()
    .map(|s| (s, s.parse().unwrap()))
    .collect()
}

fn scalar(c: &mut Criterion) {
    let xs = inputs();
    let mut out = vec![0f32; N];
    let mut g = c.benchmark_group("format_quantize_scalar");
    g.throughput(Throughput::Elements(N as u64));
    for (name, fmt) in formats() {
        g.bench_function(name, |b| {
            b.iter(|| {
                for (o, &x) in out.iter_mut().zip(&xs) {
                    // black_box per value: the format is re-read and matched for every value, as in emulation.
                    *o = black_box(&fmt).quantize(x);
                }
                black_box(&mut out);
            })
        });
    }
    g.finish();
}

fn slice(c: &mut Criterion) {
    let xs = inputs();
    let mut buf = xs.clone();
    let mut g = c.benchmark_group("format_quantize_slice");
    g.throughput(Throughput::Elements(N as u64));
    for (name, fmt) in formats() {
        g.bench_function(name, |b| {
            b.iter(|| {
                buf.copy_from_slice(&xs);
                black_box(&fmt).quantize_slice(black_box(&mut buf));
            })
        });
    }
    g.finish();
}

fn static_types(c: &mut Criterion) {
    fn run<T: Number>(
        c: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
        name: &str,
    ) {
        let xs = inputs();
        let mut out = vec![0f32; N];
        c.bench_function(name, |b| {
            b.iter(|| {
                for (o, &x) in out.iter_mut().zip(black_box(&xs)) {
                    *o = T::quantize(x);
                }
                black_box(&mut out);
            })
        });
    }
    let mut g = c.benchmark_group("static_quantize");
    g.throughput(Throughput::Elements(N as u64));
    run::<Fixed<8, 4>>(&mut g, "Fixed<8,4>");
    run::<Fixed<16, 10>>(&mut g, "Fixed<16,10>");
    run::<E3m2>(&mut g, "E3m2");
    run::<E4m3>(&mut g, "E4m3");
    g.finish();
}

criterion_group!(benches, scalar, slice, static_types);
criterion_main!(benches);
