//! Plain-mode overhead of `#[quantize]` (issue #3): in a plain build (no features) an annotated layer must cost
//! what the same code costs without the attribute. Times `zoo::layers::dense` (400→120, LeNet's fc1) and
//! `zoo::layers::conv2d` (6×14×14 → 16 5×5, LeNet's conv2) against hand copies of their bodies (below), with
//! criterion, then prints the ratio annotated/unannotated from an interleaved loop in the same run (median of
//! rounds, so that load on the shared machine hits both sides alike).
//!
//! Both sides are called through opaque function pointers, so both run as out-of-line functions: otherwise LLVM
//! may inline the local copy and not the zoo's instance (another codegen unit), which measures an inlining
//! decision instead of the code. The two then compile to the same instructions (check:
//! `objdump -d -C --disassemble='zoo::layers::conv2d' <bench binary>` against `plain_overhead::hand_layers::conv2d_hand`).
//! Same instructions at different addresses can still differ in speed: with the earlier direct (non-im2col)
//! conv2d, default builds measured a conv ratio of 0.84–0.93 (and 1.03–1.08 in a draft that let the copy be inlined), depending on where the linker put the two
//! functions; with every function aligned to 64 bytes both ratios measured 1.000–1.002 (load average 7, 2 cores).
//! With today's im2col conv2d and default layout: dense 0.99, conv 1.01 (shared machine under load).
//!
//! `cargo bench --bench plain_overhead -- --warm-up-time 1 --measurement-time 2` (criterion, then the ratios)
//! `cargo bench --bench plain_overhead -- --ratios-only`
//! `RUSTFLAGS="-C llvm-args=-align-all-functions=6" CARGO_TARGET_DIR=target/aligned cargo bench --bench plain_overhead -- --ratios-only`
use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput};
use zoo::layers::{Conv, conv2d, dense};

number_rt::instances!(pub Fc1, pub Conv2);

const IN: usize = 400;
const OUT: usize = 120;
const G: Conv = Conv {
    in_c: 6,
    in_h: 14,
    in_w: 14,
    out_c: 16,
    k: 5,
    pad: 0,
};

#[path = "../tests/common/hand_layers.rs"]
mod hand_layers;
use hand_layers::{conv2d_hand, dense_hand};

fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        })
        .collect()
}

/// One layer's (w, b, x, y).
type Args<W, B> = (Vec<W>, Vec<B>, Vec<f32>, Vec<f32>);

/// Inputs of both layers.
struct Data {
    dense: Args<dense::w<Fc1>, dense::b<Fc1>>,
    conv: Args<conv2d::w<Conv2>, conv2d::b<Conv2>>,
}

fn data() -> Data {
    let dense = (
        zoo::layers::to_site(&values(OUT * IN, 1)),
        zoo::layers::to_site(&values(OUT, 2)),
        values(IN, 3),
        vec![0.0; OUT],
    );
    let conv = (
        zoo::layers::to_site(&values(G.weight_len(), 4)),
        zoo::layers::to_site(&values(G.out_c, 5)),
        values(G.in_c * G.in_h * G.in_w, 6),
        vec![0.0; G.out_len()],
    );
    Data { dense, conv }
}

// One call of each variant, through a function pointer hidden from the optimiser: both sides run as out-of-line
// functions, so an inlining decision (the zoo's generic function is instantiated in another codegen unit than a
// local copy) cannot tell them apart; arguments go through black_box so neither is specialised on constants.
type DenseFn = fn(&[f32], &[f32], &[f32], &mut [f32], bool);
type ConvFn = fn(&[f32], &[f32], &[f32], &mut [f32], Conv, bool);

fn run_dense(d: &mut Data, f: DenseFn) {
    let (w, b, x, y) = &mut d.dense;
    black_box(f)(black_box(w), black_box(b), black_box(x), y, black_box(true));
    black_box(y);
}
fn run_conv(d: &mut Data, f: ConvFn) {
    let (w, b, x, y) = &mut d.conv;
    black_box(f)(
        black_box(w),
        black_box(b),
        black_box(x),
        y,
        black_box(G),
        black_box(true),
    );
    black_box(y);
}
fn dense_q(d: &mut Data) {
    run_dense(d, dense::<Fc1>);
}
fn dense_h(d: &mut Data) {
    run_dense(d, dense_hand::<Fc1>);
}
fn conv_q(d: &mut Data) {
    run_conv(d, conv2d::<Conv2>);
}
fn conv_h(d: &mut Data) {
    run_conv(d, conv2d_hand::<Conv2>);
}

fn criterion_benches(c: &mut Criterion) {
    let mut d = data();
    let mut g = c.benchmark_group("dense_400x120");
    g.throughput(Throughput::Elements((IN * OUT) as u64));
    g.bench_function("annotated", |b| b.iter(|| dense_q(&mut d)));
    g.bench_function("hand", |b| b.iter(|| dense_h(&mut d)));
    g.finish();
    let mut g = c.benchmark_group("conv2d_6x14x14_16x5x5");
    g.throughput(Throughput::Elements(G.macs() as u64));
    g.bench_function("annotated", |b| b.iter(|| conv_q(&mut d)));
    g.bench_function("hand", |b| b.iter(|| conv_h(&mut d)));
    g.finish();
}

/// Seconds for `reps` calls of `f`.
fn time(d: &mut Data, reps: usize, f: fn(&mut Data)) -> f64 {
    let t = Instant::now();
    for _ in 0..reps {
        f(d);
    }
    t.elapsed().as_secs_f64()
}

/// time(annotated)/time(hand) over `rounds` rounds, the two timed back to back in alternating order: the quartiles
/// of the ratio, and the best µs per call of each side.
fn ratio(
    d: &mut Data,
    rounds: usize,
    reps: usize,
    q: fn(&mut Data),
    h: fn(&mut Data),
) -> ([f64; 3], f64, f64) {
    time(d, reps, q);
    time(d, reps, h);
    let (mut r, mut tq, mut th) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..rounds {
        let (a, b) = if i % 2 == 0 {
            let a = time(d, reps, q);
            (a, time(d, reps, h))
        } else {
            let b = time(d, reps, h);
            (time(d, reps, q), b)
        };
        r.push(a / b);
        tq.push(a * 1e6 / reps as f64);
        th.push(b * 1e6 / reps as f64);
    }
    r.sort_by(f64::total_cmp);
    let best = |v: Vec<f64>| v.into_iter().fold(f64::INFINITY, f64::min);
    (
        [r[rounds / 4], r[rounds / 2], r[3 * rounds / 4]],
        best(tq),
        best(th),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let test_mode = args.iter().any(|a| a == "--test" || a == "--list");
    let ratios_only = args.iter().any(|a| a == "--ratios-only");
    if !ratios_only {
        let mut c = Criterion::default().configure_from_args();
        criterion_benches(&mut c);
        c.final_summary();
    }
    if test_mode {
        return;
    }
    if number_rt::MODE != number_rt::Mode::Plain {
        println!(
            "note: this is a {:?} build; the plain-mode claim is about builds without features",
            number_rt::MODE
        );
    }
    let mut d = data();
    // Short samples (about 1–2 ms), many rounds: a sample is less likely to be cut by another process.
    let rounds = 101;
    let (rd, qd, hd) = ratio(&mut d, rounds, 64, dense_q, dense_h);
    let (rc, qc, hc) = ratio(&mut d, rounds, 8, conv_q, conv_h);
    println!(
        "\nplain-mode overhead ({:?} build): ratio annotated/hand over {rounds} interleaved rounds",
        number_rt::MODE
    );
    for (name, r, q, h) in [
        ("dense 400->120", rd, qd, hd),
        ("conv2d 6x14x14->16x5x5", rc, qc, hc),
    ] {
        println!(
            "  {name:24} median {:.3} (quartiles {:.3}..{:.3}); best µs/call: annotated {q:.2}, hand {h:.2}",
            r[1], r[0], r[2]
        );
    }
}
