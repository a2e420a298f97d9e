//! `#[quantize]` on code as people write it (the "your own model" issue):
//! (1) untyped `vec![..]` locals of f32 literals are sites, like `let h: Vec<f32> = vec![..]`: profiled,
//!     quantized, and calibrate-mode emulation equals the tuned static code bit for bit;
//! (2) code generic over the layer instance (`struct Conv1d<L: conv1d::Formats> { w: Vec<conv1d::w<L>> }`) and
//!     helpers generic over the weight's number type (`W: number_rt::Number`) compile in every mode;
//! (3) weights read the way people write Rust (iterators, `chunks`, `for` loops, slices passed to helpers taking
//!     `&[f32]`) compile in every mode and tuned builds compute what calibrate-mode emulation computes; an
//!     iterator inner product over a weight (`w[a..b].iter().zip(x).map(|(p, q)| p * q).sum()`) is an
//!     accumulation site with an integer kernel;
//! (4) structs of weights: a method reading its weights as fields (`weights(self.w, self.b)`);
//! (5) tuned layers take their weights packed (`number_rt::Packed`) or as slices alike; the container alias
//!     (`iter_tun::W<A>`) holds either;
//! (6) a loop summing several accumulators (the gates of a recurrent cell) gets one integer kernel per gate;
//! (7) the weights `emulate::capture_weights` captures for a bake are what the tuned build stores;
//! (8) a dense layer reading its rows with `chunks` and its elements with `zip` (a `for` loop, or an iterator
//!     chain) has accumulation sites: integer kernels in tuned builds, whole rows for GPTQ capture; so do
//!     inner products over slices bound by `let` (`let window = &x[t..t + k]`) and sums over index ranges
//!     (`(0..n).map(|i| w[o * n + i] * x[i]).sum()`);
//! (9) streaming state in a struct (`state(s.h)`): the field is a site, quantized on entry and on every write;
//! (10) field weights read by reference (`.zip(&self.b)`, `f(&self.w)`) as a `Vec` field is read in plain Rust;
//! (11) a local grown by `to_vec`/`extend_from_slice`/`push` holds values of its format (each added value is
//!     rounded), and as an inner product's operand the profile marks it for the tuner's integer inputs;
//! (12) several weight tensors through one instance (the layers of a `Vec<Layer<L>>`) all count in the size;
//! (13) inner products written as folds (`x.iter().zip(&w[a..b]).fold(init, |acc, (p, q)| acc + p * q)`,
//!      `(0..n).fold(0.0, |acc, i| w[..] * x[..] + acc)`) are accumulation sites like the `sum` forms.
#![allow(clippy::needless_range_loop, clippy::ptr_arg)] // user code as written: index loops, `&mut Vec<f32>` state
use number_rt::emulate::{self, Config};
use number_rt::{Fixed, Format, Instance, Number, UFixed, quantize};

// ------------------------------------------------------------------ the user code, in three modes

macro_rules! user_code {
    ($mode:tt, $scale:ident, $conv:ident, $rows:ident, $iter:ident, $model:ident) => {
        /// A dense layer written with iterators: rows by `chunks`, dots by `zip`/`map`/`sum`, a helper taking
        /// `&[f32]`, `for` loops over the weights.
        #[quantize(weights(w, b), mode = $mode)]
        pub fn $iter<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
            let n = x.len();
            for (o, row) in w.chunks(n).enumerate() {
                let dot: f32 = row.iter().zip(x).map(|(a, v)| a * v).sum();
                y[o] = dot + b[o];
            }
            let first = &w[..n];
            y[0] += dot_f32(first, x);
            let mut total = 0.0f32;
            for v in w {
                total += *v;
            }
            y[1] += total;
            for &v in b.iter() {
                y[2] += v;
            }
            // A typed local built by `collect` (its type annotation drives the collect in every mode).
            let scaled: Vec<f32> = x.iter().zip(b).map(|(v, g)| v * g).collect();
            y[3] += scaled[0];
            // An iterator inner product over a range of the weight: an accumulation site `dot` (here `dot_2`).
            y[3] += w[n..2 * n].iter().zip(x).map(|(a, v)| a * v).sum::<f32>();
        }

        /// A layer with untyped `vec![..]` locals: `h` (repeat form) and `s` (list form) are sites.
        #[quantize(weights(w), mode = $mode)]
        pub fn $scale<L>(w: &[f32], x: &[f32], y: &mut [f32]) {
            let n = x.len();
            let mut h = vec![0.0f32; n];
            let mut s = vec![0.0, 0.0];
            for i in 0..n {
                h[i] = w[i] * x[i];
            }
            for i in 0..n {
                s[0] += h[i];
            }
            for i in 0..n {
                y[i] = h[i] + s[0];
            }
        }

        /// 1-D convolution (valid, one channel): the layer a user's generic model struct calls.
        #[quantize(weights(w, b), mode = $mode)]
        pub fn $conv<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
            let k = w.len();
            for o in 0..y.len() {
                let mut acc: f32 = b[0];
                for i in 0..k {
                    acc += w[i] * x[o + i];
                }
                y[o] = acc;
            }
        }

        /// A dense layer whose rows go to a helper generic over the weight's number type (`generic(w)`).
        #[quantize(weights(w, b), generic(w), mode = $mode)]
        pub fn $rows<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
            let n = x.len();
            for o in 0..y.len() {
                let acc = b[o] + row_dot(&w[o * n..(o + 1) * n], x);
                y[o] = acc;
            }
        }

        /// The user's model: weights stored in the layer's weight types, generic over the instance.
        pub mod $model {
            use super::*;

            pub struct Conv1d<L: $conv::Formats> {
                pub w: Vec<$conv::w<L>>,
                pub b: Vec<$conv::b<L>>,
            }

            impl<L: $conv::Formats> Conv1d<L> {
                pub fn load(w: &[f32], b: &[f32]) -> Self {
                    Conv1d {
                        w: <$conv::w<L> as Number>::from_f32_slice(w),
                        b: <$conv::b<L> as Number>::from_f32_slice(b),
                    }
                }
                pub fn forward(&self, x: &[f32], y: &mut [f32]) {
                    $conv::<L>(&self.w, &self.b, x, y)
                }
            }

            /// A struct of weights whose method reads them as fields (`weights(self.w, self.b)`).
            pub struct Dense<L: dense_forward::Formats> {
                pub w: Vec<dense_forward::w<L>>,
                pub b: Vec<dense_forward::b<L>>,
                pub gain: f32,
            }

            #[quantize(mode = $mode)]
            impl<L: dense_forward::Formats> Dense<L> {
                #[quantize(weights(self.w, self.b))]
                pub fn forward(&self, x: &[f32], y: &mut [f32]) {
                    let n = x.len();
                    for o in 0..y.len() {
                        let mut acc: f32 = self.b[o];
                        for i in 0..n {
                            acc += self.w[o * n + i] * x[i];
                        }
                        y[o] = acc * self.gain;
                    }
                }
            }

            /// The two gates of a recurrent cell summed in one loop (one accumulation site per gate), the state
            /// copied by an untyped `clone()` (a local site).
            #[quantize(weights(wz, wc, u, b), mode = $mode)]
            pub fn gates<L>(
                wz: &[f32],
                wc: &[f32],
                u: &[f32],
                b: &[f32],
                x: &[f32],
                h: &mut Vec<f32>,
            ) {
                let (m, n) = (x.len(), h.len());
                let prev = h.clone();
                for j in 0..n {
                    let mut z: f32 = 0.0;
                    let mut c: f32 = b[j];
                    for i in 0..m {
                        z += wz[j * m + i] * x[i];
                        c += wc[j * m + i] * x[i];
                    }
                    for k in 0..n {
                        c += u[j * n + k] * prev[k];
                    }
                    h[j] = z * c + prev[j];
                }
            }

            /// A free function generic over the instance with the same bound.
            pub fn forward<L: $conv::Formats>(l: &Conv1d<L>, x: &[f32]) -> Vec<f32> {
                let mut y = vec![0.0; x.len() + 1 - l.w.len()];
                l.forward(x, &mut y);
                y
            }
        }
    };
}

/// A helper generic over the weight's element type: f32 in plain and calibrate builds, the tuned number type in
/// tuned builds.
fn row_dot<W: Number>(w: &[W], x: &[f32]) -> f32 {
    let mut acc = 0.0;
    for i in 0..x.len() {
        acc += w[i].to_f32() * x[i];
    }
    acc
}

user_code!(
    "plain",
    scale_plain,
    conv_plain,
    rows_plain,
    iter_plain,
    model_plain
);
user_code!(
    "calibrate",
    scale_cal,
    conv_cal,
    rows_cal,
    iter_cal,
    model_cal
);
user_code!("tuned", scale_tun, conv_tun, rows_tun, iter_tun, model_tun);

/// A plain helper taking `&[f32]`: weights passed to it are their f32 values in every build.
fn dot_f32(w: &[f32], x: &[f32]) -> f32 {
    w.iter().zip(x).map(|(a, b)| a * b).sum()
}

number_rt::instances!(A, P);

/// Implements `$f::Formats` for `$inst` and returns the same formats as a calibrate-mode [`Config`] for the
/// calibrate twin `$cal`.
macro_rules! formats {
    ($cfg:ident: $inst:ty, $f:ident, $cal:literal, { $($site:ident = $t:ty),* $(,)? }) => {
        impl $f::Formats for $inst {
            $(type $site = $t;)*
        }
        fn $cfg() -> Config {
            let mut cfg = Config::new();
            $(cfg.insert(
                emulate::site_name(<$inst as Instance>::NAME, $cal, stringify!($site)),
                <$t as Number>::FORMAT,
            );)*
            cfg
        }
    };
}

formats!(a_scale: A, scale_tun, "scale_cal", { w = Fixed<6, 4>, x = Fixed<8, 4>, y = f32, h = Fixed<4, 1>, s = UFixed<6, 2> });
formats!(a_conv: A, conv_tun, "conv_cal", { w = Fixed<5, 3>, b = Fixed<6, 4>, x = Fixed<8, 5>, y = Fixed<10, 4>, acc = Fixed<12, 6> });
formats!(a_iter: A, iter_tun, "iter_cal", { w = Fixed<5, 3>, b = Fixed<6, 4>, x = Fixed<8, 4>, y = Fixed<10, 4>, dot = Fixed<9, 4>, total = Fixed<8, 3>, lit0 = f32, scaled = Fixed<7, 4>, dot_2 = Fixed<12, 6>, lit1 = f32, lit2 = f32, dot_3 = Fixed<12, 6> });
use model_tun::dense_forward;
formats!(a_dense: A, dense_forward, "dense_forward", { w = Fixed<5, 3>, b = Fixed<6, 4>, x = Fixed<8, 4>, y = Fixed<10, 4>, acc = Fixed<12, 5> });
use model_tun::gates;
formats!(a_gates: A, gates, "gates", { wz = Fixed<5, 3>, wc = Fixed<5, 3>, u = Fixed<4, 2>, b = Fixed<6, 4>, x = Fixed<8, 4>, h = Fixed<10, 4>, prev = Fixed<7, 3>, z = Fixed<12, 5>, c = Fixed<12, 5>, lit0 = f32 });
formats!(a_rows: A, rows_tun, "rows_cal", { w = Fixed<4, 2>, b = Fixed<6, 3>, x = Fixed<8, 4>, y = Fixed<9, 3>, acc = Fixed<10, 4> });

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64 * 4.0 - 2.0) as f32
    }
    fn vec(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| self.next()).collect()
    }
}

/// Profiling and weight capture are process-wide: tests that use them take turns.
static PROFILING: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

// ------------------------------------------------------------------ (1) vec! locals

#[test]
fn untyped_vec_locals_are_quantized_sites() {
    // Profiling and weight capture are process-wide: take turns.
    let _one_at_a_time = PROFILING.lock().unwrap_or_else(|e| e.into_inner());
    let mut r = Rng(7);
    let n = 9;
    let (w, x) = (r.vec(n), r.vec(n));

    // Calibrate: the formats of A, and the same computation written out with Format::quantize.
    let mut yc = vec![0.0; n];
    emulate::with_formats(&a_scale(), || scale_cal::<A>(&w, &x, &mut yc));
    let q = |f: &str, v: f32| f.parse::<Format>().unwrap().quantize(v);
    let (wq, xq): (Vec<f32>, Vec<f32>) = (
        w.iter().map(|&v| q("fixed<6,4>", v)).collect(),
        x.iter().map(|&v| q("fixed<8,4>", v)).collect(),
    );
    let h: Vec<f32> = (0..n).map(|i| q("fixed<4,1>", wq[i] * xq[i])).collect();
    let mut s0 = 0.0;
    for i in 0..n {
        s0 = q("ufixed<6,2>", s0 + h[i]);
    }
    let want: Vec<f32> = (0..n).map(|i| h[i] + s0).collect();
    assert_eq!(
        bits(&yc),
        bits(&want),
        "calibrate {yc:?} vs reference {want:?}"
    );
    // `h` rounds to halves: the f32 result differs.
    let mut yp = vec![0.0; n];
    scale_plain::<A>(&w, &x, &mut yp);
    assert_ne!(bits(&yp), bits(&yc));

    // Tuned: the static formats, bit for bit.
    let mut yt = vec![0.0; n];
    scale_tun::<A>(&<scale_tun::w<A>>::from_f32_slice(&w), &x, &mut yt);
    assert_eq!(bits(&yc), bits(&yt), "calibrate {yc:?} vs tuned {yt:?}");

    // Profiling: both locals are local sites of the function, recorded like typed `Vec<f32>` locals.
    emulate::start_profiling();
    scale_cal::<P>(&w, &x, &mut vec![0.0; n]);
    let p = emulate::finish_profiling();
    for (site, count) in [("h", 2 * n), ("s", 2 + n)] {
        let s = &p.sites[&format!("P/scale_cal.{site}")];
        assert_eq!(s.kind, number_rt::profile::SiteKind::Local, "{site}");
        assert_eq!(s.stats.total(), count as u64, "{site}");
    }
}

// ------------------------------------------------------------------ (2) generic user code

#[test]
fn generic_model_code_compiles_and_runs_in_every_mode() {
    // Profiling and weight capture are process-wide: take turns.
    let _one_at_a_time = PROFILING.lock().unwrap_or_else(|e| e.into_inner());
    let mut r = Rng(3);
    let (w, b, x) = (r.vec(3), r.vec(1), r.vec(12));
    // Plain: the bound `L: conv_plain::Formats` holds for every type; the weights are f32.
    let plain = model_plain::Conv1d::<A>::load(&w, &b);
    let _: &Vec<f32> = &plain.w;
    let yp = model_plain::forward(&plain, &x);
    let mut want = vec![0.0; 10];
    for o in 0..10 {
        let mut acc = b[0];
        for i in 0..3 {
            acc += w[i] * x[o + i];
        }
        want[o] = acc;
    }
    assert_eq!(bits(&yp), bits(&want));
    // Calibrate (the bound implies `Instance`) against tuned (weights stored as `Fixed<5, 3>`): bit-identical.
    let cal = model_cal::Conv1d::<A>::load(&w, &b);
    let yc = emulate::with_formats(&a_conv(), || model_cal::forward(&cal, &x));
    let tun = model_tun::Conv1d::<A>::load(&w, &b);
    let _: &Vec<Fixed<5, 3>> = &tun.w;
    let yt = model_tun::forward(&tun, &x);
    assert_eq!(bits(&yc), bits(&yt), "calibrate {yc:?} vs tuned {yt:?}");
    assert_ne!(bits(&yc), bits(&yp));
}

#[test]
fn helpers_generic_over_the_weight_type() {
    // Profiling and weight capture are process-wide: take turns.
    let _one_at_a_time = PROFILING.lock().unwrap_or_else(|e| e.into_inner());
    let mut r = Rng(5);
    let (n_out, n) = (4, 6);
    let (w, b, x) = (r.vec(n_out * n), r.vec(n_out), r.vec(n));
    let mut yp = vec![0.0; n_out];
    rows_plain::<A>(&w, &b, &x, &mut yp);
    for o in 0..n_out {
        assert_eq!(yp[o], b[o] + row_dot(&w[o * n..(o + 1) * n], &x));
    }
    let mut yc = vec![0.0; n_out];
    emulate::with_formats(&a_rows(), || rows_cal::<A>(&w, &b, &x, &mut yc));
    let mut yt = vec![0.0; n_out];
    rows_tun::<A>(
        &<rows_tun::w<A>>::from_f32_slice(&w),
        &<rows_tun::b<A>>::from_f32_slice(&b),
        &x,
        &mut yt,
    );
    assert_eq!(bits(&yc), bits(&yt), "calibrate {yc:?} vs tuned {yt:?}");
    assert_ne!(bits(&yc), bits(&yp));
}

// ------------------------------------------------------------------ (3) iterator-style weight reads

#[test]
fn weights_read_through_iterators_and_helpers() {
    // Profiling and weight capture are process-wide: take turns.
    let _one_at_a_time = PROFILING.lock().unwrap_or_else(|e| e.into_inner());
    let mut r = Rng(11);
    let (n_out, n) = (4, 6);
    let (w, b, x) = (r.vec(n_out * n), r.vec(n_out), r.vec(n));
    // Plain: the f32 code as written.
    let mut yp = vec![0.0; n_out];
    iter_plain::<A>(&w, &b, &x, &mut yp);
    let mut want: Vec<f32> = (0..n_out)
        .map(|o| dot_f32(&w[o * n..(o + 1) * n], &x) + b[o])
        .collect();
    want[0] += dot_f32(&w[..n], &x);
    want[1] += w.iter().sum::<f32>();
    for v in &b {
        want[2] += v;
    }
    want[3] += x[0] * b[0];
    want[3] += w[n..2 * n].iter().zip(&x).map(|(a, v)| a * v).sum::<f32>();
    assert_eq!(bits(&yp), bits(&want));
    // Calibrate (the quantized copies of the weights) against tuned (an f32 view of the tuned weights).
    let mut yc = vec![0.0; n_out];
    emulate::with_formats(&a_iter(), || iter_cal::<A>(&w, &b, &x, &mut yc));
    let mut yt = vec![0.0; n_out];
    iter_tun::<A>(
        &<iter_tun::w<A>>::from_f32_slice(&w),
        &<iter_tun::b<A>>::from_f32_slice(&b),
        &x,
        &mut yt,
    );
    assert_eq!(bits(&yc), bits(&yt), "calibrate {yc:?} vs tuned {yt:?}");
    assert_ne!(bits(&yc), bits(&yp));
    // The same weights packed at their width (what `iter_tun::W<A>` stores with the feature `packed`): the same
    // results.
    let (wp, bp): (
        number_rt::Packed<iter_tun::w<A>>,
        number_rt::Packed<iter_tun::b<A>>,
    ) = (
        number_rt::Packed::from_f32_slice(&w),
        number_rt::Packed::from_f32_slice(&b),
    );
    // The container alias: whatever the build stores, loaded the same way.
    let wa: iter_tun::W<A> = number_rt::weights::to_site(&w);
    let mut ya = vec![0.0; n_out];
    iter_tun::<A>(&wa, &bp, &x, &mut ya);
    assert_eq!(bits(&ya), bits(&yt));
    let mut yk = vec![0.0; n_out];
    iter_tun::<A>(&wp, &bp, &x, &mut yk);
    assert_eq!(bits(&yk), bits(&yt), "packed {yk:?} vs bytes {yt:?}");
    // Every weight value read is the quantized one: w in fixed<5,3> (steps of 1/8).
    let total: f32 = w
        .iter()
        .map(|&v| "fixed<5,3>".parse::<Format>().unwrap().quantize(v))
        .sum();
    assert!((total * 8.0).fract() == 0.0);
}

// ------------------------------------------------------------------ (4) structs of weights

#[test]
fn weights_as_struct_fields() {
    // Profiling and weight capture are process-wide: take turns.
    let _one_at_a_time = PROFILING.lock().unwrap_or_else(|e| e.into_inner());
    let mut r = Rng(13);
    let (n_out, n) = (3, 5);
    let (w, b, x) = (r.vec(n_out * n), r.vec(n_out), r.vec(n));
    let gain = 1.5;
    let plain = model_plain::Dense::<A> {
        w: w.clone(),
        b: b.clone(),
        gain,
    };
    let mut yp = vec![0.0; n_out];
    plain.forward(&x, &mut yp);
    let want: Vec<f32> = (0..n_out)
        .map(|o| {
            let mut acc = b[o];
            for i in 0..n {
                acc += w[o * n + i] * x[i];
            }
            acc * gain
        })
        .collect();
    assert_eq!(bits(&yp), bits(&want));
    let cal = model_cal::Dense::<A> {
        w: w.clone(),
        b: b.clone(),
        gain,
    };
    let mut yc = vec![0.0; n_out];
    emulate::with_formats(&a_dense(), || cal.forward(&x, &mut yc));
    let tun = model_tun::Dense::<A> {
        w: Number::from_f32_slice(&w),
        b: Number::from_f32_slice(&b),
        gain,
    };
    let _: &Vec<Fixed<5, 3>> = &tun.w;
    let mut yt = vec![0.0; n_out];
    tun.forward(&x, &mut yt);
    assert_eq!(bits(&yc), bits(&yt), "calibrate {yc:?} vs tuned {yt:?}");
    assert_ne!(bits(&yc), bits(&yp));
    // Profiling sees the fields as the weight sites of `dense_forward`.
    emulate::start_profiling();
    model_cal::Dense::<P> {
        w: w.clone(),
        b: b.clone(),
        gain,
    }
    .forward(&x, &mut vec![0.0; n_out]);
    let p = emulate::finish_profiling();
    let s = &p.sites["P/dense_forward.w"];
    assert_eq!(s.kind, number_rt::profile::SiteKind::Weight);
    assert_eq!(s.stats.total(), (n_out * n) as u64);
}

// ------------------------------------------------------------------ (6) several accumulators in one loop

#[test]
fn fused_gate_loops_are_accumulation_sites() {
    // Takes the turn of the process-wide profile and capture for the whole test: its weights are `A/gates.*`.
    let _one_at_a_time = PROFILING.lock().unwrap_or_else(|e| e.into_inner());
    let mut r = Rng(17);
    let (n, m) = (4, 7);
    let (wz, wc, u, b, x) = (r.vec(n * m), r.vec(n * m), r.vec(n * n), r.vec(n), r.vec(m));
    let h0 = r.vec(n);
    let mut hp = h0.clone();
    model_plain::gates::<A>(&wz, &wc, &u, &b, &x, &mut hp);
    let mut hc = h0.clone();
    emulate::with_formats(&a_gates(), || {
        model_cal::gates::<A>(&wz, &wc, &u, &b, &x, &mut hc)
    });
    let mut ht = h0.clone();
    model_tun::gates::<A>(
        &Number::from_f32_slice(&wz),
        &Number::from_f32_slice(&wc),
        &Number::from_f32_slice(&u),
        &Number::from_f32_slice(&b),
        &x,
        &mut ht,
    );
    assert_eq!(bits(&hc), bits(&ht), "calibrate {hc:?} vs tuned {ht:?}");
    assert_ne!(bits(&hc), bits(&hp));
    // The reference: each gate accumulated in its own format, step by step, in the original order; the state
    // copy in its own format.
    let q = |f: &str, v: f32| f.parse::<Format>().unwrap().quantize(v);
    let h: Vec<f32> = h0.iter().map(|&v| q("fixed<10,4>", v)).collect();
    let prev: Vec<f32> = h.iter().map(|&v| q("fixed<7,3>", v)).collect();
    let want: Vec<f32> = (0..n)
        .map(|j| {
            let (mut z, mut c) = (
                q("fixed<12,5>", 0.0),
                q("fixed<12,5>", q("fixed<6,4>", b[j])),
            );
            for i in 0..m {
                let xi = q("fixed<8,4>", x[i]);
                z = q("fixed<12,5>", z + q("fixed<5,3>", wz[j * m + i]) * xi);
                c = q("fixed<12,5>", c + q("fixed<5,3>", wc[j * m + i]) * xi);
            }
            for k in 0..n {
                c = q("fixed<12,5>", c + q("fixed<4,2>", u[j * n + k]) * prev[k]);
            }
            q("fixed<10,4>", z * c + prev[j])
        })
        .collect();
    assert_eq!(
        bits(&hc),
        bits(&want),
        "calibrate {hc:?} vs reference {want:?}"
    );
    // `prev` is a local site of the function.
    emulate::start_profiling();
    model_cal::gates::<P>(&wz, &wc, &u, &b, &x, &mut h0.clone());
    let p = emulate::finish_profiling();
    assert_eq!(
        p.sites["P/gates.prev"].kind,
        number_rt::profile::SiteKind::Local
    );
    assert_eq!(p.sites["P/gates.prev"].stats.total(), n as u64);
}

// ------------------------------------------------------------------ (7) the weights a bake writes

#[test]
fn captured_weights_are_what_the_tuned_build_stores() {
    // Capturing is process-wide, like profiling: take turns with the other test running `gates::<A>`.
    let _one_at_a_time = PROFILING.lock().unwrap_or_else(|e| e.into_inner());
    let mut r = Rng(19);
    let (n, m) = (3, 5);
    let (wz, wc, u, b, x) = (r.vec(n * m), r.vec(n * m), r.vec(n * n), r.vec(n), r.vec(m));
    let cfg = a_gates();
    let w = emulate::capture_weights(|| {
        emulate::with_formats(&cfg, || {
            // Twice: a tensor seen again is listed once.
            for _ in 0..2 {
                model_cal::gates::<A>(&wz, &wc, &u, &b, &x, &mut vec![0.0; n]);
            }
        })
    });
    let names: Vec<&str> = w.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["A/gates.b", "A/gates.u", "A/gates.wc", "A/gates.wz"]
    );
    // Each once, as the tuned build's weight type holds it.
    fn stored<T: Number>(v: &[f32]) -> Vec<u32> {
        bits(
            &T::from_f32_slice(v)
                .iter()
                .map(|t| t.to_f32())
                .collect::<Vec<_>>(),
        )
    }
    assert!(w.values().all(|ts| ts.len() == 1));
    assert_eq!(bits(&w["A/gates.wz"][0]), stored::<gates::wz<A>>(&wz));
    assert_eq!(bits(&w["A/gates.u"][0]), stored::<gates::u<A>>(&u));
    assert_eq!(bits(&w["A/gates.b"][0]), stored::<gates::b<A>>(&b));
    // A second tensor for the same site is listed apart.
    let wz2: Vec<f32> = wz.iter().map(|v| v + 0.5).collect();
    let w = emulate::capture_weights(|| {
        emulate::with_formats(&cfg, || {
            model_cal::gates::<A>(&wz, &wc, &u, &b, &x, &mut vec![0.0; n]);
            model_cal::gates::<A>(&wz2, &wc, &u, &b, &x, &mut vec![0.0; n]);
        })
    });
    assert_eq!(w["A/gates.wz"].len(), 2);
    assert_eq!(w["A/gates.wc"].len(), 1);
}

// ------------------------------------------------------------------ (8) rows by `chunks`, elements by `zip`

macro_rules! chunk_rows {
    ($mode:tt, $f:ident) => {
        /// Two dense layers as iterators are written: rows by `chunks` (in a `for` loop, and in a `map` over
        /// `chunks_exact(..).zip(b)`), elements by a `zip` loop and by `zip`/`map`/`sum`.
        #[quantize(weights(w, b, u), mode = $mode)]
        pub fn $f<L>(w: &[f32], b: &[f32], u: &[f32], x: &[f32], y: &mut [f32]) -> Vec<f32> {
            let n = x.len();
            for (o, row) in w.chunks(n).enumerate() {
                let mut acc = b[o];
                for (a, v) in row.iter().zip(x) {
                    acc += a * v;
                }
                y[o] = acc.max(0.0) + row[0] * row.len() as f32;
            }
            let mut first: f32 = 0.0;
            for (i, &a) in u[..n].iter().enumerate() {
                first += a * x[i];
            }
            y[0] += first;
            u.chunks_exact(n)
                .zip(b)
                .map(|(row, bias)| row.iter().zip(x).map(|(a, v)| a * v).sum::<f32>() + bias)
                .collect()
        }
    };
}
chunk_rows!("plain", chunks_plain);
chunk_rows!("calibrate", chunks_cal);
chunk_rows!("tuned", chunks_tun);

macro_rules! windows {
    ($mode:tt, $f:ident) => {
        /// A valid 1-D convolution over windows of the input (`let window = &x[t..t + k]`) and rows of the
        /// weight (`let row = &w[o * k..(o + 1) * k]`).
        #[quantize(weights(w), mode = $mode)]
        pub fn $f<L>(w: &[f32], x: &[f32], k: usize) -> Vec<f32> {
            let mut y = Vec::new();
            for o in 0..w.len() / k {
                let row = &w[o * k..(o + 1) * k];
                for t in 0..x.len() + 1 - k {
                    let window = &x[t..t + k];
                    let mut acc: f32 = 0.0;
                    for (a, v) in row.iter().zip(window) {
                        acc += a * v;
                    }
                    y.push(acc + window[0] * row.len() as f32);
                }
            }
            y
        }
    };
}
macro_rules! range_sum {
    ($mode:tt, $f:ident) => {
        /// A dense layer whose inner product sums a range's products (`(0..n).map(|i| ..).sum()`).
        #[quantize(weights(w, b), mode = $mode)]
        pub fn $f<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
            let n = x.len();
            for o in 0..y.len() {
                y[o] = b[o] + (0..n).map(|i| w[o * n + i] * x[i]).sum::<f32>();
            }
        }
    };
}
range_sum!("plain", range_plain);
range_sum!("calibrate", range_cal);
range_sum!("tuned", range_tun);
formats!(a_range: A, range_tun, "range_cal", { w = Fixed<5, 3>, b = Fixed<6, 4>, x = Fixed<8, 4>, y = Fixed<10, 4>, dot = Fixed<11, 5>, lit0 = f32 });

#[test]
fn range_sums_of_products_are_accumulation_sites() {
    let _one_at_a_time = PROFILING.lock().unwrap_or_else(|e| e.into_inner());
    let mut r = Rng(37);
    let (n_out, n) = (3, 6);
    let (w, b, x) = (r.vec(n_out * n), r.vec(n_out), r.vec(n));
    let mut yp = vec![0.0; n_out];
    range_plain::<A>(&w, &b, &x, &mut yp);
    let want: Vec<f32> = (0..n_out)
        .map(|o| b[o] + (0..n).map(|i| w[o * n + i] * x[i]).sum::<f32>())
        .collect();
    assert_eq!(bits(&yp), bits(&want));
    let mut yc = vec![0.0; n_out];
    emulate::with_formats(&a_range(), || range_cal::<A>(&w, &b, &x, &mut yc));
    let mut yt = vec![0.0; n_out];
    range_tun::<A>(
        &Number::from_f32_slice(&w),
        &Number::from_f32_slice(&b),
        &x,
        &mut yt,
    );
    assert_eq!(bits(&yc), bits(&yt), "calibrate {yc:?} vs tuned {yt:?}");
    let q = |f: &str, v: f32| f.parse::<Format>().unwrap().quantize(v);
    let reference: Vec<f32> = (0..n_out)
        .map(|o| {
            let mut dot = 0.0;
            for i in 0..n {
                dot = q(
                    "fixed<11,5>",
                    dot + q("fixed<5,3>", w[o * n + i]) * q("fixed<8,4>", x[i]),
                );
            }
            q("fixed<10,4>", q("fixed<6,4>", b[o]) + dot)
        })
        .collect();
    assert_eq!(bits(&yc), bits(&reference));
    number_rt::rounding::start_capture();
    for s in 0..4 {
        range_cal::<P>(&w, &b, &Rng(80 + s).vec(n), &mut vec![0.0; n_out]);
    }
    let captured = number_rt::rounding::finish_capture();
    assert_eq!(number_rt::rounding::skipped(), []);
    assert_eq!(captured, ["P/range_cal.w"]);
}

macro_rules! folds {
    ($mode:tt, $f:ident) => {
        /// A dense layer whose inner products are folds: over a zip with the weight second, starting at the bias,
        /// and over an index range with the accumulator on the right.
        #[quantize(weights(w, b), mode = $mode)]
        pub fn $f<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
            let n = x.len();
            for o in 0..y.len() {
                let s: f32 = x
                    .iter()
                    .zip(w[o * n..(o + 1) * n].iter())
                    .fold(b[o], |acc, (p, q)| acc + p * q);
                y[o] = s + (0..n).fold(0.0f32, |acc, i| w[o * n + i] * x[i] + acc);
            }
        }
    };
}
folds!("plain", folds_plain);
folds!("calibrate", folds_cal);
folds!("tuned", folds_tun);
formats!(a_folds: A, folds_tun, "folds_cal", { w = Fixed<5, 3>, b = Fixed<6, 4>, x = Fixed<8, 4>, y = Fixed<10, 4>, s = Fixed<10, 4>, dot = Fixed<11, 5>, dot_2 = Fixed<11, 5>, lit0 = f32 });

#[test]
fn folds_of_products_are_accumulation_sites() {
    let _one_at_a_time = PROFILING.lock().unwrap_or_else(|e| e.into_inner());
    let mut r = Rng(41);
    let (n_out, n) = (3, 6);
    let (w, b, x) = (r.vec(n_out * n), r.vec(n_out), r.vec(n));
    let mut yp = vec![0.0; n_out];
    folds_plain::<A>(&w, &b, &x, &mut yp);
    let want: Vec<f32> = (0..n_out)
        .map(|o| {
            let s = x
                .iter()
                .zip(&w[o * n..(o + 1) * n])
                .fold(b[o], |acc, (p, q)| acc + p * q);
            s + (0..n).fold(0.0f32, |acc, i| w[o * n + i] * x[i] + acc)
        })
        .collect();
    assert_eq!(bits(&yp), bits(&want));
    let mut yc = vec![0.0; n_out];
    emulate::with_formats(&a_folds(), || folds_cal::<A>(&w, &b, &x, &mut yc));
    let mut yt = vec![0.0; n_out];
    folds_tun::<A>(
        &Number::from_f32_slice(&w),
        &Number::from_f32_slice(&b),
        &x,
        &mut yt,
    );
    assert_eq!(bits(&yc), bits(&yt), "calibrate {yc:?} vs tuned {yt:?}");
    // Each fold is an accumulation site: its running value is rounded to its format at every step.
    let q = |f: &str, v: f32| f.parse::<Format>().unwrap().quantize(v);
    let (qw, qx) = (|v| q("fixed<5,3>", v), |v| q("fixed<8,4>", v));
    let reference: Vec<f32> = (0..n_out)
        .map(|o| {
            let mut dot = q("fixed<11,5>", q("fixed<6,4>", b[o]));
            for i in 0..n {
                dot = q("fixed<11,5>", dot + qx(x[i]) * qw(w[o * n + i]));
            }
            let s = q("fixed<10,4>", dot);
            let mut dot_2 = 0.0;
            for i in 0..n {
                dot_2 = q("fixed<11,5>", dot_2 + qw(w[o * n + i]) * qx(x[i]));
            }
            q("fixed<10,4>", s + dot_2)
        })
        .collect();
    assert_eq!(bits(&yc), bits(&reference));
    number_rt::rounding::start_capture();
    for s in 0..4 {
        folds_cal::<P>(&w, &b, &Rng(90 + s).vec(n), &mut vec![0.0; n_out]);
    }
    let captured = number_rt::rounding::finish_capture();
    assert_eq!(number_rt::rounding::skipped(), []);
    assert_eq!(captured, ["P/folds_cal.w"]);
}

windows!("plain", windows_plain);
windows!("calibrate", windows_cal);
windows!("tuned", windows_tun);
formats!(a_windows: A, windows_tun, "windows_cal", { w = Fixed<5, 3>, x = Fixed<8, 4>, acc = Fixed<11, 5>, lit0 = f32 });

#[test]
fn windows_of_inputs_and_rows_of_weights_are_accumulation_sites() {
    let _one_at_a_time = PROFILING.lock().unwrap_or_else(|e| e.into_inner());
    let mut r = Rng(29);
    let (c_out, k, n) = (3, 4, 9);
    let (w, x) = (r.vec(c_out * k), r.vec(n));
    let yp = windows_plain::<A>(&w, &x, k);
    let want: Vec<f32> = (0..c_out)
        .flat_map(|o| (0..n + 1 - k).map(move |t| (o, t)))
        .map(|(o, t)| {
            let mut acc = 0.0f32;
            for i in 0..k {
                acc += w[o * k + i] * x[t + i];
            }
            acc + x[t] * k as f32
        })
        .collect();
    assert_eq!(bits(&yp), bits(&want));
    let yc = emulate::with_formats(&a_windows(), || windows_cal::<A>(&w, &x, k));
    let yt = windows_tun::<A>(&Number::from_f32_slice(&w), &x, k);
    assert_eq!(bits(&yc), bits(&yt), "calibrate {yc:?} vs tuned {yt:?}");
    let q = |f: &str, v: f32| f.parse::<Format>().unwrap().quantize(v);
    let xq: Vec<f32> = x.iter().map(|&v| q("fixed<8,4>", v)).collect();
    let reference: Vec<f32> = (0..c_out)
        .flat_map(|o| (0..n + 1 - k).map(move |t| (o, t)))
        .map(|(o, t)| {
            let mut acc = 0.0f32;
            for i in 0..k {
                acc = q(
                    "fixed<11,5>",
                    acc + q("fixed<5,3>", w[o * k + i]) * xq[i + t],
                );
            }
            acc + xq[t] * k as f32
        })
        .collect();
    assert_eq!(bits(&yc), bits(&reference));
    // Whole rows at their offsets: GPTQ captures the weight.
    number_rt::rounding::start_capture();
    for s in 0..4 {
        windows_cal::<P>(&w, &Rng(60 + s).vec(n), k);
    }
    let captured = number_rt::rounding::finish_capture();
    assert_eq!(number_rt::rounding::skipped(), []);
    assert_eq!(captured, ["P/windows_cal.w"]);
}
formats!(a_chunks: A, chunks_tun, "chunks_cal", { w = Fixed<5, 3>, b = Fixed<6, 4>, u = Fixed<4, 2>, x = Fixed<8, 4>, y = Fixed<10, 4>, acc = Fixed<12, 5>, lit0 = f32, first = Fixed<11, 4>, lit1 = f32, dot = Fixed<11, 5>, lit2 = f32 });

#[test]
fn rows_by_chunks_and_elements_by_zip_are_accumulation_sites() {
    let _one_at_a_time = PROFILING.lock().unwrap_or_else(|e| e.into_inner());
    let mut r = Rng(23);
    let (n_out, n) = (3, 5);
    let (w, b, u, x) = (r.vec(n_out * n), r.vec(n_out), r.vec(n_out * n), r.vec(n));
    // Plain: the iterator code as written.
    let mut yp = vec![0.0; n_out];
    let zp = chunks_plain::<A>(&w, &b, &u, &x, &mut yp);
    let dot = |w: &[f32]| w.iter().zip(&x).map(|(a, v)| a * v).sum::<f32>();
    let want_y: Vec<f32> = (0..n_out)
        .map(|o| {
            let mut acc = b[o];
            for i in 0..n {
                acc += w[o * n + i] * x[i];
            }
            acc.max(0.0) + w[o * n] * n as f32
        })
        .collect();
    let want_z: Vec<f32> = (0..n_out).map(|o| dot(&u[o * n..][..n]) + b[o]).collect();
    let mut want_y = want_y;
    want_y[0] += dot(&u[..n]);
    assert_eq!((bits(&yp), bits(&zp)), (bits(&want_y), bits(&want_z)));
    // Calibrate == tuned == the step-by-step reference: each inner product accumulated in its site's format.
    let mut yc = vec![0.0; n_out];
    let zc = emulate::with_formats(&a_chunks(), || chunks_cal::<A>(&w, &b, &u, &x, &mut yc));
    let mut yt = vec![0.0; n_out];
    let zt = chunks_tun::<A>(
        &Number::from_f32_slice(&w),
        &Number::from_f32_slice(&b),
        &Number::from_f32_slice(&u),
        &x,
        &mut yt,
    );
    assert_eq!((bits(&yc), bits(&zc)), (bits(&yt), bits(&zt)));
    let q = |f: &str, v: f32| f.parse::<Format>().unwrap().quantize(v);
    let xq: Vec<f32> = x.iter().map(|&v| q("fixed<8,4>", v)).collect();
    let ref_y: Vec<f32> = (0..n_out)
        .map(|o| {
            let mut acc = q("fixed<12,5>", q("fixed<6,4>", b[o]));
            for i in 0..n {
                acc = q("fixed<12,5>", acc + q("fixed<5,3>", w[o * n + i]) * xq[i]);
            }
            q(
                "fixed<10,4>",
                acc.max(0.0) + q("fixed<5,3>", w[o * n]) * n as f32,
            )
        })
        .collect();
    let mut ref_y = ref_y;
    let mut first = 0.0;
    for i in 0..n {
        first = q("fixed<11,4>", first + q("fixed<4,2>", u[i]) * xq[i]);
    }
    ref_y[0] = q("fixed<10,4>", ref_y[0] + first);
    let ref_z: Vec<f32> = (0..n_out)
        .map(|o| {
            let mut dot = 0.0;
            for i in 0..n {
                dot = q("fixed<11,5>", dot + q("fixed<4,2>", u[o * n + i]) * xq[i]);
            }
            dot + q("fixed<6,4>", b[o])
        })
        .collect();
    assert_eq!((bits(&yc), bits(&zc)), (bits(&ref_y), bits(&ref_z)));
    // Calibrate builds report whole rows at their offsets: GPTQ captures both weights.
    number_rt::rounding::start_capture();
    for s in 0..4 {
        let x = Rng(40 + s).vec(n);
        chunks_cal::<P>(&w, &b, &u, &x, &mut vec![0.0; n_out]);
    }
    let captured = number_rt::rounding::finish_capture();
    assert_eq!(number_rt::rounding::skipped(), []);
    assert_eq!(captured, ["P/chunks_cal.u", "P/chunks_cal.w"]);
}

// ------------------------------------------------------------------ (9) state kept in a struct between calls

/// The state a recurrent step carries between calls.
pub struct Carry {
    pub h: Vec<f32>,
    pub steps: usize,
}

macro_rules! stateful {
    ($mode:tt, $f:ident) => {
        /// A recurrent step whose state lives in a struct: `h` is read and written through the field.
        #[quantize(weights(w, u), state(s.h), mode = $mode)]
        pub fn $f<L>(w: &[f32], u: &[f32], x: &[f32], s: &mut Carry) {
            let n = s.h.len();
            let prev = s.h.clone();
            for j in 0..n {
                let mut acc: f32 = 0.0;
                for i in 0..x.len() {
                    acc += w[j * x.len() + i] * x[i];
                }
                for k in 0..n {
                    acc += u[j * n + k] * prev[k];
                }
                s.h[j] = acc.tanh();
            }
            s.steps += 1;
        }
    };
}
stateful!("plain", state_plain);
stateful!("calibrate", state_cal);
stateful!("tuned", state_tun);
formats!(a_state: A, state_tun, "state_cal", { w = Fixed<5, 3>, u = Fixed<5, 3>, x = Fixed<8, 4>, h = Fixed<8, 6>, prev = Fixed<8, 6>, acc = Fixed<12, 6>, lit0 = f32 });

#[test]
fn state_fields_are_sites_across_calls() {
    let _one_at_a_time = PROFILING.lock().unwrap_or_else(|e| e.into_inner());
    let mut r = Rng(31);
    let (n, m) = (4, 3);
    let (w, u) = (r.vec(n * m), r.vec(n * n));
    let xs: Vec<Vec<f32>> = (0..5).map(|_| r.vec(m)).collect();
    let new = || Carry {
        h: vec![0.3; n],
        steps: 0,
    };
    // Plain: the f32 code as written, state carried across the calls.
    let mut sp = new();
    xs.iter().for_each(|x| state_plain::<A>(&w, &u, x, &mut sp));
    let mut want = vec![0.3f32; n];
    for x in &xs {
        want = (0..n)
            .map(|j| {
                let mut acc = 0.0f32;
                for i in 0..m {
                    acc += w[j * m + i] * x[i];
                }
                for k in 0..n {
                    acc += u[j * n + k] * want[k];
                }
                acc.tanh()
            })
            .collect();
    }
    assert_eq!((bits(&sp.h), sp.steps), (bits(&want), xs.len()));
    // Calibrate == tuned; the state holds values of its format between calls.
    let mut sc = new();
    emulate::with_formats(&a_state(), || {
        xs.iter().for_each(|x| state_cal::<A>(&w, &u, x, &mut sc))
    });
    let (wt, ut) = (Number::from_f32_slice(&w), Number::from_f32_slice(&u));
    let mut st = new();
    xs.iter().for_each(|x| state_tun::<A>(&wt, &ut, x, &mut st));
    assert_eq!(
        bits(&sc.h),
        bits(&st.h),
        "calibrate {:?} vs tuned {:?}",
        sc.h,
        st.h
    );
    assert_ne!(bits(&sc.h), bits(&sp.h));
    let f: Format = "fixed<8,6>".parse().unwrap();
    assert!(st.h.iter().all(|&v| f.quantize(v) == v), "{:?}", st.h);
    assert_eq!(st.steps, xs.len());
    // The field is an output site of the step, profiled on entry and on every write.
    emulate::start_profiling();
    state_cal::<P>(&w, &u, &xs[0], &mut new());
    let p = emulate::finish_profiling();
    assert_eq!(
        p.sites["P/state_cal.h"].kind,
        number_rt::profile::SiteKind::Output
    );
    assert_eq!(p.sites["P/state_cal.h"].stats.total(), 2 * n as u64);
}

// ------------------------------------------------------------------ (10) `&self.w`: a field weight by reference

macro_rules! field_refs {
    ($mode:tt, $m:ident) => {
        pub mod $m {
            use super::*;

            /// A classifier head whose method reads its fields by reference, as plain Rust reads `Vec` fields.
            pub struct Head<L: head_forward::Formats> {
                pub w: head_forward::W<L>,
                pub b: head_forward::B<L>,
            }

            #[quantize(mode = $mode)]
            impl<L: head_forward::Formats> Head<L> {
                #[quantize(weights(self.w, self.b))]
                pub fn forward(&self, x: &[f32]) -> Vec<f32> {
                    let energy = dot_f32(&self.b, &self.b);
                    self.w
                        .chunks(x.len())
                        .zip(&self.b)
                        .map(|(row, b)| {
                            row.iter().zip(x).map(|(p, q)| p * q).sum::<f32>() + b + energy
                        })
                        .collect()
                }
            }
        }
    };
}
field_refs!("plain", refs_plain);
field_refs!("calibrate", refs_cal);
field_refs!("tuned", refs_tun);
use refs_tun::head_forward;
formats!(a_head: A, head_forward, "head_forward", { w = Fixed<5, 3>, b = Fixed<6, 4>, x = Fixed<8, 4>, dot = Fixed<12, 5>, lit0 = f32 });

#[test]
fn field_weights_read_by_reference() {
    // Weight capture is process-wide (test (7) captures every weight emulation quantizes): take turns.
    let _one_at_a_time = PROFILING.lock().unwrap_or_else(|e| e.into_inner());
    let mut r = Rng(41);
    let (n_out, n) = (4, 6);
    let (w, b, x) = (r.vec(n_out * n), r.vec(n_out), r.vec(n));
    let plain = refs_plain::Head::<A> {
        w: w.clone(),
        b: b.clone(),
    };
    let energy = dot_f32(&b, &b);
    let want: Vec<f32> = (0..n_out)
        .map(|o| (0..n).map(|i| w[o * n + i] * x[i]).sum::<f32>() + b[o] + energy)
        .collect();
    assert_eq!(bits(&plain.forward(&x)), bits(&want));
    let cal = refs_cal::Head::<A> {
        w: w.clone(),
        b: b.clone(),
    };
    let yc = emulate::with_formats(&a_head(), || cal.forward(&x));
    let tun = refs_tun::Head::<A> {
        w: number_rt::weights::to_site(&w),
        b: number_rt::weights::to_site(&b),
    };
    let yt = tun.forward(&x);
    assert_eq!(bits(&yc), bits(&yt), "calibrate {yc:?} vs tuned {yt:?}");
    assert_ne!(bits(&yc), bits(&want));
}

// ------------------------------------------------------------------ (11) locals grown by `push` / `extend`

macro_rules! grown {
    ($mode:tt, $f:ident) => {
        /// A recurrent step that concatenates its input and state into a local (`to_vec`, `extend_from_slice`,
        /// `push`) which its inner products read.
        #[quantize(weights(w), mode = $mode)]
        pub fn $f<L>(w: &[f32], x: &[f32], h: &[f32]) -> Vec<f32> {
            let n = x.len() + h.len() + 1;
            let mut xh = x.to_vec();
            xh.extend_from_slice(h);
            xh.push(h[0] * 0.5);
            let mut y: Vec<f32> = vec![0.0; w.len() / n];
            for o in 0..y.len() {
                let mut acc: f32 = 0.0;
                for i in 0..n {
                    acc += w[o * n + i] * xh[i];
                }
                y[o] = acc;
            }
            y
        }
    };
}
grown!("plain", grown_plain);
grown!("calibrate", grown_cal);
grown!("tuned", grown_tun);
formats!(a_grown: A, grown_tun, "grown_cal", { w = Fixed<5, 3>, x = f32, h = f32, xh = Fixed<8, 4>, lit0 = f32, lit1 = f32, y = f32, acc = Fixed<14, 6> });

#[test]
fn locals_grown_by_push_and_extend_hold_their_format() {
    let _one_at_a_time = PROFILING.lock().unwrap_or_else(|e| e.into_inner());
    let mut r = Rng(43);
    let (m, k, n_out) = (4, 3, 5);
    let n = m + k + 1;
    let (w, x, h) = (r.vec(n_out * n), r.vec(m), r.vec(k));
    let yp = grown_plain::<A>(&w, &x, &h);
    let mut xh = x.clone();
    xh.extend_from_slice(&h);
    xh.push(h[0] * 0.5);
    let want: Vec<f32> = (0..n_out)
        .map(|o| (0..n).fold(0.0f32, |a, i| a + w[o * n + i] * xh[i]))
        .collect();
    assert_eq!(bits(&yp), bits(&want));
    // `x` and `h` stay f32 (not on `xh`'s grid): the values `extend_from_slice` and `push` add must be rounded
    // for the tuned kernel, which reads `xh` as integer codes, to compute what emulation computes.
    let yc = emulate::with_formats(&a_grown(), || grown_cal::<A>(&w, &x, &h));
    let yt = grown_tun::<A>(&Number::from_f32_slice(&w), &x, &h);
    assert_eq!(bits(&yc), bits(&yt), "calibrate {yc:?} vs tuned {yt:?}");
    assert_ne!(bits(&yc), bits(&yp));
    // The profile marks `xh` (a local the inner product reads) as an operand; `x` is an input parameter.
    emulate::start_profiling();
    grown_cal::<P>(&w, &x, &h);
    let p = emulate::finish_profiling();
    assert!(p.sites["P/grown_cal.xh"].operand);
    assert!(!p.sites["P/grown_cal.x"].operand && !p.sites["P/grown_cal.w"].operand);
    assert_eq!(p.sites["P/grown_cal.xh"].stats.total(), n as u64);
}

// ------------------------------------------------------------------ (12) several tensors, one instance

#[test]
fn tensors_sharing_an_instance_all_count() {
    let _one_at_a_time = PROFILING.lock().unwrap_or_else(|e| e.into_inner());
    let mut r = Rng(47);
    // Two layers of one instance `P` (as in `Vec<Conv1d<P>>`), kernels of 3 and 5 taps; the first is read twice.
    let (w1, w2, b) = (r.vec(3), r.vec(5), r.vec(1));
    let x = r.vec(12);
    emulate::start_profiling();
    for w in [&w1, &w2, &w1] {
        let mut y = vec![0.0; x.len() + 1 - w.len()];
        conv_cal::<P>(w, &b, &x, &mut y);
    }
    let p = emulate::finish_profiling();
    let s = &p.sites["P/conv_cal.w"];
    assert_eq!((s.stats.len, s.stats.tensors_len, s.values()), (5, 8, 8));
    assert_eq!(p.sites["P/conv_cal.b"].values(), 1);
    // GPTQ rounds one tensor per site: two tensors of one shape under one instance are rounded to nearest, with
    // the reason (one tensor's rounding must not stand for the other's).
    let w3 = r.vec(3);
    number_rt::rounding::start_capture();
    for w in [&w1, &w3] {
        let mut y = vec![0.0; x.len() + 1 - w.len()];
        conv_cal::<P>(w, &b, &x, &mut y);
    }
    let captured = number_rt::rounding::finish_capture();
    assert!(
        !captured.contains(&"P/conv_cal.w".to_string()),
        "{captured:?}"
    );
    let skipped = number_rt::rounding::skipped();
    assert!(
        skipped.iter().any(|(n, why)| n == "P/conv_cal.w"
            && why.contains("several weight tensors share this site")),
        "{skipped:?}"
    );
}
