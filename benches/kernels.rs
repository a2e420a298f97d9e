//! Issue #6 benchmark 1, overhead: the zoo's `dense` and `conv2d` layer code expanded in tuned mode (formats set
//! by hand, as a tuned.rs would) against the same layers written by hand with the same integer formats
//! (weights i8 raw, inputs u8 raw quantized once per call, i32 sums, one rescale per output) — once as plain Rust
//! loops of the same algorithm (the conv summing all positions side by side over a transposed im2col matrix),
//! once with one AVX-512 VNNI inner product per output (the conv with an im2col patch per position) — and
//! against the plain f32 layers, and the tuned layers with their weights packed at their width (`Packed<W>`).
//! Outputs are checked bit-identical before timing. Prints the ratios at the end, and the tuned layers (bytes and
//! packed) under every kernel set the CPU runs (portable, AVX2, AVX-VNNI, AVX-512 VNNI), interleaved.
//!
//! `cargo bench --bench kernels`
use criterion::{Criterion, criterion_group};
use number_rt::dot::cpu::{self, Kernels};
use number_rt::{Fixed, Number, UFixed, quantize};
use std::hint::black_box;
use std::time::{Duration, Instant};
use zoo::layers::Conv;

number_rt::instances!(pub A);

// The zoo's layer bodies (src/layers/mod.rs), forced into tuned mode; `#[inline]` like the zoo's.
#[quantize(weights(w, b), mode = "tuned")]
#[inline]
pub fn dense_t<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], relu: bool) {
    let n = x.len();
    for o in 0..y.len() {
        let mut acc: f32 = b[o];
        for i in 0..n {
            acc += w[o * n + i] * x[i];
        }
        y[o] = if relu { acc.max(0.0) } else { acc };
    }
}

#[allow(clippy::needless_range_loop)]
#[quantize(weights(w, b), share(x, patch), mode = "tuned")]
#[inline]
pub fn conv2d_t<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], g: Conv, relu: bool) {
    let (oh, ow) = (g.out_h(), g.out_w());
    let (n, np) = (g.in_c * g.k * g.k, oh * ow);
    let mut patch: Vec<f32> = vec![0.0; n * np];
    for c in 0..g.in_c {
        for ky in 0..g.k {
            for kx in 0..g.k {
                let row = ((c * g.k + ky) * g.k + kx) * np;
                // Output columns whose tap lies inside the input (the others keep their padding zeros).
                let (lo, hi) = (
                    g.pad.saturating_sub(kx),
                    (g.in_w + g.pad).saturating_sub(kx).min(ow),
                );
                for oy in 0..oh {
                    // Input row of this tap (wrapping below zero: outside, like past the end).
                    let iy = (oy + ky).wrapping_sub(g.pad);
                    if iy < g.in_h {
                        let src = (c * g.in_h + iy) * g.in_w + kx;
                        for ox in lo..hi {
                            patch[row + oy * ow + ox] = x[src + ox - g.pad];
                        }
                    }
                }
            }
        }
    }
    let mut acc: Vec<f32> = vec![0.0; np];
    for o in 0..g.out_c {
        for p in 0..np {
            acc[p] = b[o];
        }
        for i in 0..n {
            for p in 0..np {
                acc[p] += w[o * n + i] * patch[i * np + p];
            }
        }
        for p in 0..np {
            y[o * np + p] = if relu { acc[p].max(0.0) } else { acc[p] };
        }
    }
}

// The formats (what a tuned.rs line would say): 4-bit weights, 8-bit unsigned inputs, f32 accumulator/output.
type W = Fixed<4, 4>;
type B = Fixed<8, 5>;
type X = UFixed<8, 4>;
impl dense_t::Formats for A {
    type w = W;
    type b = B;
    type x = X;
    type y = f32;
    type acc = f32;
    type lit0 = f32;
}
impl conv2d_t::Formats for A {
    type w = W;
    type b = B;
    type x = X;
    type y = f32;
    type acc = f32;
    type lit0 = f32;
}

/// The hand-written inner product: i32 sum of i8·u8 (the compiler vectorizes it).
#[inline(always)]
fn dot_plain(w: &[i8], x: &[u8]) -> i32 {
    let mut s: i32 = 0;
    for (a, c) in w.iter().zip(x.iter()) {
        s += *a as i16 as i32 * *c as i16 as i32;
    }
    s
}

/// The hand-written inner product with the CPU's 8-bit dot-product instruction (AVX-512 VNNI `vpdpbusd`), as
/// an engineer targeting this machine would write it; the plain loop where the build does not target it.
#[inline(always)]
fn dot_vnni(w: &[i8], x: &[u8]) -> i32 {
    #[cfg(all(
        target_arch = "x86_64",
        target_feature = "avx512bw",
        target_feature = "avx512vnni"
    ))]
    unsafe {
        use std::arch::x86_64::*;
        let n = w.len().min(x.len());
        let (pw, px) = (w.as_ptr(), x.as_ptr() as *const i8);
        let (mut a0, mut a1) = (_mm512_setzero_si512(), _mm512_setzero_si512());
        let mut i = 0;
        while i + 128 <= n {
            a0 = _mm512_dpbusd_epi32(
                a0,
                _mm512_loadu_si512(px.add(i).cast()),
                _mm512_loadu_si512(pw.add(i).cast()),
            );
            a1 = _mm512_dpbusd_epi32(
                a1,
                _mm512_loadu_si512(px.add(i + 64).cast()),
                _mm512_loadu_si512(pw.add(i + 64).cast()),
            );
            i += 128;
        }
        if i + 64 <= n {
            a0 = _mm512_dpbusd_epi32(
                a0,
                _mm512_loadu_si512(px.add(i).cast()),
                _mm512_loadu_si512(pw.add(i).cast()),
            );
            i += 64;
        }
        if i < n {
            let m: __mmask64 = (1u64 << (n - i)) - 1;
            a1 = _mm512_dpbusd_epi32(
                a1,
                _mm512_maskz_loadu_epi8(m, px.add(i)),
                _mm512_maskz_loadu_epi8(m, pw.add(i)),
            );
        }
        return _mm512_reduce_add_epi32(_mm512_add_epi32(a0, a1));
    }
    #[allow(unreachable_code)]
    dot_plain(w, x)
}

/// Hand-written integer dense: x quantized to u8 raw once, i32 sum of i8·u8, bias and one scale per output.
fn dense_hand<D: Fn(&[i8], &[u8]) -> i32>(
    w: &[i8],
    b: &[f32],
    x: &[f32],
    y: &mut [f32],
    xq: &mut Vec<u8>,
    dot: D,
) {
    xq.clear();
    xq.extend(x.iter().map(|&v| X::from_f32(v).raw() as u8));
    let n = x.len();
    let (sx, sw) = (1 << 4, 1 << 4);
    for (o, yo) in y.iter_mut().enumerate() {
        let s = dot(&w[o * n..(o + 1) * n], xq);
        let acc = b[o] + s as f32 / (sx * sw) as f32;
        *yo = acc.max(0.0);
    }
}

/// Hand-written integer conv per output (im2col into a u8 patch per position, one i32 inner product per output).
#[allow(clippy::too_many_arguments)]
fn conv_hand<D: Fn(&[i8], &[u8]) -> i32>(
    w: &[i8],
    b: &[f32],
    x: &[f32],
    y: &mut [f32],
    g: Conv,
    xq: &mut Vec<u8>,
    patch: &mut [u8],
    dot: D,
) {
    xq.clear();
    xq.extend(x.iter().map(|&v| X::from_f32(v).raw() as u8));
    let (oh, ow) = (g.out_h(), g.out_w());
    let n = g.in_c * g.k * g.k;
    for oy in 0..oh {
        for ox in 0..ow {
            for c in 0..g.in_c {
                for ky in 0..g.k {
                    let iy = (oy + ky).wrapping_sub(g.pad);
                    for kx in 0..g.k {
                        let ix = (ox + kx).wrapping_sub(g.pad);
                        patch[(c * g.k + ky) * g.k + kx] = if iy < g.in_h && ix < g.in_w {
                            xq[(c * g.in_h + iy) * g.in_w + ix]
                        } else {
                            0
                        };
                    }
                }
            }
            for o in 0..g.out_c {
                let s = dot(&w[o * n..(o + 1) * n], patch);
                y[(o * oh + oy) * ow + ox] = (b[o] + s as f32 / 256.0).max(0.0);
            }
        }
    }
}

/// Hand-written integer conv the way the tuned layer computes it: the transposed im2col matrix of u8 rows
/// (whole in-bounds runs copied), then per output channel i32 sums over all positions, one tap after the other
/// (a plain Rust loop the compiler vectorizes), bias and one scale per output.
#[allow(clippy::too_many_arguments)]
fn conv_hand_lanes(
    w: &[i8],
    b: &[f32],
    x: &[f32],
    y: &mut [f32],
    g: Conv,
    xq: &mut Vec<u8>,
    cols: &mut Vec<u8>,
    sums: &mut Vec<i32>,
) {
    xq.clear();
    xq.extend(x.iter().map(|&v| X::from_f32(v).raw() as u8));
    let (oh, ow) = (g.out_h(), g.out_w());
    let (n, np) = (g.in_c * g.k * g.k, oh * ow);
    cols.clear();
    cols.resize(n * np, 0);
    for c in 0..g.in_c {
        for ky in 0..g.k {
            for kx in 0..g.k {
                let row = ((c * g.k + ky) * g.k + kx) * np;
                let (lo, hi) = (
                    g.pad.saturating_sub(kx),
                    (g.in_w + g.pad).saturating_sub(kx).min(ow),
                );
                for oy in 0..oh {
                    let iy = (oy + ky).wrapping_sub(g.pad);
                    if iy < g.in_h && lo < hi {
                        let src = (c * g.in_h + iy) * g.in_w + kx;
                        cols[row + oy * ow + lo..row + oy * ow + hi]
                            .copy_from_slice(&xq[src + lo - g.pad..src + hi - g.pad]);
                    }
                }
            }
        }
    }
    for o in 0..g.out_c {
        sums.clear();
        sums.resize(np, 0);
        for i in 0..n {
            let wi = w[o * n + i] as i16 as i32;
            for (s, &v) in sums.iter_mut().zip(&cols[i * np..(i + 1) * np]) {
                *s += wi * v as i32;
            }
        }
        for (p, &s) in sums.iter().enumerate() {
            y[o * np + p] = (b[o] + s as f32 / 256.0).max(0.0);
        }
    }
}

struct Rng(u64);
impl Rng {
    fn f(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
}

/// Median of `reps` interleaved timings of each closure (ns per call).
fn interleaved(reps: usize, iters: usize, fs: &mut [&mut dyn FnMut()]) -> Vec<f64> {
    let mut t: Vec<Vec<f64>> = vec![Vec::new(); fs.len()];
    for _ in 0..reps {
        for (k, f) in fs.iter_mut().enumerate() {
            let s = Instant::now();
            for _ in 0..iters {
                f();
            }
            t[k].push(s.elapsed().as_nanos() as f64 / iters as f64);
        }
    }
    t.into_iter()
        .map(|mut v| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut r = Rng(7);
    // Dense 400 → 120 (LeNet's fc1).
    let (n, m) = (400, 120);
    let wf: Vec<f32> = (0..n * m).map(|_| r.f() * 0.4).collect();
    let bf: Vec<f32> = (0..m).map(|_| r.f() * 0.2).collect();
    let x: Vec<f32> = (0..n).map(|_| X::quantize(r.f().abs() * 6.0)).collect();
    let wt: Vec<W> = wf.iter().map(|&v| W::from_f32(v)).collect();
    let bt: Vec<B> = bf.iter().map(|&v| B::from_f32(v)).collect();
    let wi: Vec<i8> = wt.iter().map(|v| v.raw() as i8).collect();
    let bq: Vec<f32> = bt.iter().map(|v| v.to_f32()).collect();
    let (mut y1, mut y2, mut y3, mut y4) = (
        vec![0.0f32; m],
        vec![0.0f32; m],
        vec![0.0f32; m],
        vec![0.0f32; m],
    );
    let mut xq = Vec::new();
    dense_t::<A>(&wt, &bt, &x, &mut y1, true);
    dense_hand(&wi, &bq, &x, &mut y2, &mut xq, dot_plain);
    dense_hand(&wi, &bq, &x, &mut y4, &mut xq, dot_vnni);
    let bits = |v: &[f32]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&y1), bits(&y2));
    assert_eq!(bits(&y1), bits(&y4));
    // The same weights packed at their width (`number_rt::Packed`, what the zoo's models store).
    let (wp, bp) = (
        number_rt::Packed::<W>::from_values(&wt),
        number_rt::Packed::<B>::from_values(&bt),
    );
    let mut y6 = vec![0.0f32; m];
    dense_t::<A>(&wp, &bp, &x, &mut y6, true);
    assert_eq!(bits(&y1), bits(&y6));
    // Conv 6×14×14 → 16, 5×5 (LeNet's conv2).
    let g = Conv {
        in_c: 6,
        in_h: 14,
        in_w: 14,
        out_c: 16,
        k: 5,
        pad: 0,
    };
    let cwf: Vec<f32> = (0..g.weight_len()).map(|_| r.f() * 0.4).collect();
    let cbf: Vec<f32> = (0..g.out_c).map(|_| r.f() * 0.2).collect();
    let cx: Vec<f32> = (0..6 * 14 * 14)
        .map(|_| X::quantize(r.f().abs() * 6.0))
        .collect();
    let cwt: Vec<W> = cwf.iter().map(|&v| W::from_f32(v)).collect();
    let cbt: Vec<B> = cbf.iter().map(|&v| B::from_f32(v)).collect();
    let cwi: Vec<i8> = cwt.iter().map(|v| v.raw() as i8).collect();
    let cbq: Vec<f32> = cbt.iter().map(|v| v.to_f32()).collect();
    let z = || vec![0.0f32; g.out_len()];
    let (mut z1, mut z2, mut z3, mut z4) = (z(), z(), z(), z());
    let mut patch = vec![0u8; 150];
    conv2d_t::<A>(&cwt, &cbt, &cx, &mut z1, g, true);
    let (mut cols, mut sums) = (Vec::new(), Vec::new());
    conv_hand_lanes(&cwi, &cbq, &cx, &mut z2, g, &mut xq, &mut cols, &mut sums);
    conv_hand(&cwi, &cbq, &cx, &mut z4, g, &mut xq, &mut patch, dot_vnni);
    assert_eq!(bits(&z1), bits(&z2));
    assert_eq!(bits(&z1), bits(&z4));
    let (cwp, cbp) = (
        number_rt::Packed::<W>::from_values(&cwt),
        number_rt::Packed::<B>::from_values(&cbt),
    );
    let mut z6 = z();
    conv2d_t::<A>(&cwp, &cbp, &cx, &mut z6, g, true);
    assert_eq!(bits(&z1), bits(&z6));

    let mut grp = c.benchmark_group("kernels");
    grp.measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    grp.bench_function("dense 400x120 tuned", |bn| {
        bn.iter(|| dense_t::<A>(&wt, &bt, black_box(&x), &mut y1, true))
    });
    grp.bench_function("dense 400x120 hand int", |bn| {
        bn.iter(|| dense_hand(&wi, &bq, black_box(&x), &mut y2, &mut xq, dot_plain))
    });
    grp.bench_function("dense 400x120 hand int vnni", |bn| {
        bn.iter(|| dense_hand(&wi, &bq, black_box(&x), &mut y4, &mut xq, dot_vnni))
    });
    grp.bench_function("dense 400x120 f32", |bn| {
        bn.iter(|| zoo::layers::dense::<A>(&wf, &bf, black_box(&x), &mut y3, true))
    });
    grp.bench_function("conv 6x14x14->16 k5 tuned", |bn| {
        bn.iter(|| conv2d_t::<A>(&cwt, &cbt, black_box(&cx), &mut z1, g, true))
    });
    grp.bench_function("conv 6x14x14->16 k5 hand int", |bn| {
        bn.iter(|| {
            conv_hand_lanes(
                &cwi,
                &cbq,
                black_box(&cx),
                &mut z2,
                g,
                &mut xq,
                &mut cols,
                &mut sums,
            )
        })
    });
    grp.bench_function("conv 6x14x14->16 k5 hand int vnni per output", |bn| {
        bn.iter(|| {
            conv_hand(
                &cwi,
                &cbq,
                black_box(&cx),
                &mut z4,
                g,
                &mut xq,
                &mut patch,
                dot_vnni,
            )
        })
    });
    grp.bench_function("conv 6x14x14->16 k5 f32", |bn| {
        bn.iter(|| zoo::layers::conv2d::<A>(&cwf, &cbf, black_box(&cx), &mut z3, g, true))
    });
    grp.finish();

    // Ratios, interleaved in one loop (the machine is shared: medians of alternating runs).
    let (mut xq2, mut xq4) = (Vec::new(), Vec::new());
    let (mut y5, mut z5) = (vec![0.0f32; m], z());
    let t = interleaved(
        31,
        200,
        &mut [
            &mut || dense_t::<A>(&wt, &bt, black_box(&x), &mut y1, true),
            &mut || dense_hand(&wi, &bq, black_box(&x), &mut y2, &mut xq2, dot_plain),
            &mut || zoo::layers::dense::<A>(&wf, &bf, black_box(&x), &mut y3, true),
            &mut || dense_hand(&wi, &bq, black_box(&x), &mut y4, &mut xq4, dot_vnni),
            &mut || {
                cpu::limit(Some(Kernels::Portable));
                dense_t::<A>(&wt, &bt, black_box(&x), &mut y5, true);
                cpu::limit(None);
            },
            &mut || dense_t::<A>(&wp, &bp, black_box(&x), &mut y6, true),
        ],
    );
    let (mut xq3, mut xq5) = (Vec::new(), Vec::new());
    let (mut cols3, mut sums3, mut patch5) = (Vec::new(), Vec::new(), vec![0u8; 150]);
    let u = interleaved(
        31,
        20,
        &mut [
            &mut || conv2d_t::<A>(&cwt, &cbt, black_box(&cx), &mut z1, g, true),
            &mut || {
                conv_hand_lanes(
                    &cwi,
                    &cbq,
                    black_box(&cx),
                    &mut z2,
                    g,
                    &mut xq3,
                    &mut cols3,
                    &mut sums3,
                )
            },
            &mut || zoo::layers::conv2d::<A>(&cwf, &cbf, black_box(&cx), &mut z3, g, true),
            &mut || {
                conv_hand(
                    &cwi,
                    &cbq,
                    black_box(&cx),
                    &mut z4,
                    g,
                    &mut xq5,
                    &mut patch5,
                    dot_vnni,
                )
            },
            &mut || {
                cpu::limit(Some(Kernels::Portable));
                conv2d_t::<A>(&cwt, &cbt, black_box(&cx), &mut z5, g, true);
                cpu::limit(None);
            },
            &mut || conv2d_t::<A>(&cwp, &cbp, black_box(&cx), &mut z6, g, true),
        ],
    );
    let vnni = cfg!(all(
        target_arch = "x86_64",
        target_feature = "avx512bw",
        target_feature = "avx512vnni"
    ));
    println!(
        "\nhand-written int: the same algorithm as the tuned layer as plain Rust loops (vectorized by the compiler; the"
    );
    println!(
        "conv sums all positions side by side, like the tuned conv2d). hand VNNI: one inner product per output with the"
    );
    println!(
        "AVX-512 VNNI 8-bit dot-product instruction{} (for the conv, im2col per position: the",
        if vnni {
            ""
        } else {
            " (not targeted by this build: the plain loop again)"
        }
    );
    println!("algorithm the zoo's conv2d used before it summed positions side by side).");
    println!(
        "\n| layer | tuned | hand-written int | hand VNNI | f32 | tuned / hand (goal <= 1.05) | tuned / hand VNNI | f32 / tuned (speed-up) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (name, v) in [("dense 400→120", &t), ("conv 6×14×14→16, 5×5", &u)] {
        println!(
            "| {name} | {:.2} µs | {:.2} µs | {:.2} µs | {:.2} µs | {:.2}x | {:.2}x | {:.2}x |",
            v[0] / 1e3,
            v[1] / 1e3,
            v[3] / 1e3,
            v[2] / 1e3,
            v[0] / v[1],
            v[0] / v[3],
            v[2] / v[0]
        );
    }
    println!(
        "\nThe tuned layers with the byte kernels this CPU runs ({:?}) vs the portable loops (`cpu::limit`):",
        cpu::available()
    );
    println!(
        "\n| layer | tuned, {:?} | tuned, portable loops | portable / {:?} |",
        cpu::available(),
        cpu::available()
    );
    println!("|---|---:|---:|---:|");
    for (name, v) in [("dense 400→120", &t), ("conv 6×14×14→16, 5×5", &u)] {
        println!(
            "| {name} | {:.2} µs | {:.2} µs | {:.2}x |",
            v[0] / 1e3,
            v[4] / 1e3,
            v[4] / v[0]
        );
    }
    println!(
        "\nThe tuned layers with their weights in bytes (`Vec<W>`) vs packed at 4 bits (`Packed<W>`, read by the packed-row kernels):"
    );
    println!("\n| layer | bytes | packed | packed / bytes |");
    println!("|---|---:|---:|---:|");
    for (name, v) in [("dense 400→120", &t), ("conv 6×14×14→16, 5×5", &u)] {
        println!(
            "| {name} | {:.2} µs | {:.2} µs | {:.2}x |",
            v[0] / 1e3,
            v[5] / 1e3,
            v[5] / v[0]
        );
    }

    // Every kernel set this CPU runs (`cpu::every_available`, below any `NUMBER_KERNELS` cap), each layer in bytes
    // and packed, timed in one interleaved loop; outputs checked bit-identical to the default's first.
    let sets: Vec<Kernels> = cpu::every_available().collect();
    let mut fs: Vec<Box<dyn FnMut() + '_>> = Vec::new();
    for &k in &sets {
        cpu::limit(Some(k));
        let (mut yb, mut yp, mut zb, mut zp) = (vec![0.0f32; m], vec![0.0f32; m], z(), z());
        dense_t::<A>(&wt, &bt, &x, &mut yb, true);
        dense_t::<A>(&wp, &bp, &x, &mut yp, true);
        conv2d_t::<A>(&cwt, &cbt, &cx, &mut zb, g, true);
        conv2d_t::<A>(&cwp, &cbp, &cx, &mut zp, g, true);
        for (got, want) in [(&yb, &y1), (&yp, &y1), (&zb, &z1), (&zp, &z1)] {
            assert_eq!(bits(got), bits(want), "{k:?}");
        }
        let (wt, bt, wp, bp, x) = (&wt, &bt, &wp, &bp, &x);
        let (cwt, cbt, cwp, cbp, cx) = (&cwt, &cbt, &cwp, &cbp, &cx);
        fs.push(Box::new(move || {
            cpu::limit(Some(k));
            dense_t::<A>(wt, bt, black_box(x), &mut yb, true);
        }));
        fs.push(Box::new(move || {
            cpu::limit(Some(k));
            dense_t::<A>(wp, bp, black_box(x), &mut yp, true);
        }));
        fs.push(Box::new(move || {
            cpu::limit(Some(k));
            conv2d_t::<A>(cwt, cbt, black_box(cx), &mut zb, g, true);
        }));
        fs.push(Box::new(move || {
            cpu::limit(Some(k));
            conv2d_t::<A>(cwp, cbp, black_box(cx), &mut zp, g, true);
        }));
    }
    cpu::limit(None);
    let mut refs: Vec<&mut dyn FnMut()> = fs
        .iter_mut()
        .map(|f| &mut **f as &mut dyn FnMut())
        .collect();
    let v = interleaved(31, 50, &mut refs);
    cpu::limit(None);
    drop(refs);
    println!(
        "\nEvery kernel set this CPU runs, interleaved (µs; in brackets the time / the AVX2 set's, or the portable \
         loops' without AVX2):"
    );
    println!(
        "\n| kernel set | dense 400→120 bytes | dense packed | conv 6×14×14→16 bytes | conv packed |"
    );
    println!("|---|---:|---:|---:|---:|");
    let base = sets.iter().position(|k| *k == Kernels::Avx2).unwrap_or(0);
    for (i, k) in sets.iter().enumerate() {
        let cell = |j: usize| {
            format!(
                "{:.2} ({:.2}x)",
                v[4 * i + j] / 1e3,
                v[4 * i + j] / v[4 * base + j]
            )
        };
        println!(
            "| {k:?} | {} | {} | {} | {} |",
            cell(0),
            cell(1),
            cell(2),
            cell(3)
        );
    }
}

criterion_group!(benches, bench);
fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
