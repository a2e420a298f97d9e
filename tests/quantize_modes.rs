//! The build modes against each other:
//! (a) one tuned layer function serving two instances with different formats;
//! (b) calibrate-mode emulation vs tuned static code: bit-identical for the same formats (dense, conv, GRU-style
//!     cell; fixed, ufixed, float, e4m3 and block-weight format sets; random inputs with NaN, infinities and huge values);
//! (c) calibrate-mode profiling: site names and counts.
#![allow(clippy::too_many_arguments, clippy::needless_range_loop)]
use number_rt::emulate::{self, Config};
use number_rt::{Bf16, Blocked, E3m2, E4m3, E5m2, F16, Fixed, Float, UFixed};
use number_rt::{Format, Instance, Number, quantize};

// ------------------------------------------------------------------ the layers, in two modes each

/// Emits the same layer code under two names and modes.
macro_rules! layers {
    ($mode:tt, $dense:ident, $conv:ident, $lanes:ident, $pool:ident, $gru:ident) => {
        #[quantize(weights(w, b), mode = $mode)]
        pub fn $dense<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
            let n_in = x.len();
            for o in 0..y.len() {
                let mut acc: f32 = b[o];
                for i in 0..n_in {
                    acc += w[o * n_in + i] * x[i];
                }
                y[o] = acc.max(0.0);
            }
        }

        /// 2-D convolution, CHW, stride 1, no padding, leaky ReLU.
        #[quantize(weights(w, b), mode = $mode)]
        pub fn $conv<L>(
            w: &[f32],
            b: &[f32],
            x: &[f32],
            y: &mut [f32],
            c_in: usize,
            h: usize,
            wd: usize,
            k: usize,
        ) {
            let (oh, ow) = (h - k + 1, wd - k + 1);
            for o in 0..b.len() {
                for oy in 0..oh {
                    for ox in 0..ow {
                        let mut acc: f32 = b[o];
                        for c in 0..c_in {
                            for ky in 0..k {
                                for kx in 0..k {
                                    acc += w[((o * c_in + c) * k + ky) * k + kx]
                                        * x[(c * h + oy + ky) * wd + ox + kx];
                                }
                            }
                        }
                        y[(o * oh + oy) * ow + ox] = if acc > 0.0 { acc } else { 0.125 * acc };
                    }
                }
            }
        }

        /// The same convolution with the output columns of a row as lanes: each `kx` loop over the columns is
        /// one call of the kernel that sums lanes side by side (`number_rt::dot::columns`), chained over `c`, `ky`.
        #[quantize(weights(w, b), mode = $mode)]
        pub fn $lanes<L>(
            w: &[f32],
            b: &[f32],
            x: &[f32],
            y: &mut [f32],
            c_in: usize,
            h: usize,
            wd: usize,
            k: usize,
        ) {
            let (oh, ow) = (h - k + 1, wd - k + 1);
            let mut acc: Vec<f32> = vec![0.0; ow];
            for o in 0..b.len() {
                for oy in 0..oh {
                    for ox in 0..ow {
                        acc[ox] = b[o];
                    }
                    for c in 0..c_in {
                        for ky in 0..k {
                            for kx in 0..k {
                                for ox in 0..ow {
                                    acc[ox] += w[((o * c_in + c) * k + ky) * k + kx]
                                        * x[(c * h + oy + ky) * wd + ox + kx];
                                }
                            }
                        }
                    }
                    for ox in 0..ow {
                        y[(o * oh + oy) * ow + ox] = if acc[ox] > 0.0 {
                            acc[ox]
                        } else {
                            0.125 * acc[ox]
                        };
                    }
                }
            }
        }

        /// Average pooling of `y.len()` channels of `hw` values: a summing loop (`number_rt::dot::sum`).
        #[quantize(mode = $mode)]
        pub fn $pool<L>(x: &[f32], y: &mut [f32], hw: usize) {
            for c in 0..y.len() {
                let mut acc: f32 = 0.0;
                for i in 0..hw {
                    acc += x[c * hw + i];
                }
                y[c] = acc / hw as f32;
            }
        }

        /// A GRU-style cell (update gate, candidate, interpolation), `h` updated in place.
        #[quantize(weights(wz, uz, wh, uh), share(z, r), mode = $mode)]
        pub fn $gru<L>(wz: &[f32], uz: &[f32], wh: &[f32], uh: &[f32], x: &[f32], h: &mut [f32]) {
            let (n, m) = (h.len(), x.len());
            let mut h_new: Vec<f32> = vec![0.0; n];
            for j in 0..n {
                let mut az: f32 = 0.0;
                for i in 0..m {
                    az += wz[j * m + i] * x[i];
                }
                for k in 0..n {
                    az += uz[j * n + k] * h[k];
                }
                let z = 1.0 / (1.0 + (-az).exp());
                let r = 1.0 - z;
                let mut ah: f32 = 0.0;
                for i in 0..m {
                    ah += wh[j * m + i] * x[i];
                }
                for k in 0..n {
                    ah += r * (uh[j * n + k] * h[k]);
                }
                h_new[j] = r * h[j];
                h_new[j] += z * ah.tanh();
            }
            for j in 0..n {
                h[j] = h_new[j];
            }
        }
    };
}

layers!(
    "calibrate",
    dense_cal,
    conv_cal,
    lanes_cal,
    pool_cal,
    gru_cal
);
layers!("tuned", dense_tun, conv_tun, lanes_tun, pool_tun, gru_tun);

// ------------------------------------------------------------------ format sets

/// Implements `$f::Formats` for `$inst` and returns the same formats as a calibrate-mode [`Config`] for the
/// calibrate twin `$cal` (built from each type's `Number::FORMAT`, so the two cannot disagree).
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

number_rt::instances!(Fx, Mixed, Flt, Fp8, Blk, Fc1, Fc2, P1, P2);

formats!(fx_dense: Fx, dense_tun, "dense_cal", { w = Fixed<8, 6>, b = Fixed<12, 8>, x = Fixed<8, 4>, y = Fixed<10, 4>, acc = Fixed<16, 8>, lit0 = Fixed<4, 2> });
formats!(fx_conv: Fx, conv_tun, "conv_cal", { w = Fixed<6, 5>, b = Fixed<8, 6>, x = Fixed<8, 5>, y = Fixed<9, 5>, acc = Fixed<14, 8>, lit0 = Fixed<4, 2>, lit1 = Fixed<4, 3> });
formats!(fx_lanes: Fx, lanes_tun, "lanes_cal", { w = Fixed<6, 5>, b = Fixed<8, 6>, x = Fixed<8, 5>, y = Fixed<9, 5>, acc = Fixed<14, 8>, lit0 = Fixed<4, 2>, lit1 = Fixed<4, 3> });
formats!(fx_pool: Fx, pool_tun, "pool_cal", { x = Fixed<8, 4>, y = Fixed<10, 5>, acc = Fixed<16, 4>, lit0 = Fixed<4, 2> });
formats!(fx_gru: Fx, gru_tun, "gru_cal", { wz = Fixed<6, 4>, uz = Fixed<6, 4>, wh = Fixed<5, 4>, uh = Fixed<5, 4>, x = Fixed<8, 5>, h = Fixed<8, 6>, h_new = Fixed<10, 7>, az = Fixed<12, 6>, lit0 = Fixed<2, 0>, z = Fixed<9, 8>, lit1 = Fixed<3, 1>, lit2 = Fixed<3, 1>, ah = Fixed<12, 6>, lit3 = Fixed<3, 1>, lit4 = Fixed<3, 1> });
formats!(mixed_dense: Mixed, dense_tun, "dense_cal", { w = Fixed<4, 3>, b = Fixed<6, 4>, x = UFixed<8, 4>, y = UFixed<8, 3>, acc = Fixed<12, 5>, lit0 = UFixed<1, 0> });
formats!(mixed_conv: Mixed, conv_tun, "conv_cal", { w = Fixed<3, 2>, b = Fixed<5, 3>, x = UFixed<6, 4>, y = Fixed<7, 3>, acc = Fixed<10, 4>, lit0 = UFixed<2, 1>, lit1 = UFixed<4, 5> });
formats!(mixed_lanes: Mixed, lanes_tun, "lanes_cal", { w = Fixed<3, 2>, b = Fixed<5, 3>, x = UFixed<6, 4>, y = Fixed<7, 3>, acc = Fixed<10, 4>, lit0 = UFixed<2, 1>, lit1 = UFixed<4, 5> });
formats!(mixed_pool: Mixed, pool_tun, "pool_cal", { x = UFixed<8, 3>, y = UFixed<8, 4>, acc = Fixed<9, 3>, lit0 = UFixed<1, 0> });
formats!(mixed_gru: Mixed, gru_tun, "gru_cal", { wz = Fixed<4, 3>, uz = Fixed<4, 3>, wh = Fixed<4, 3>, uh = Fixed<4, 3>, x = UFixed<6, 4>, h = Fixed<6, 5>, h_new = Fixed<7, 6>, az = Fixed<10, 5>, lit0 = UFixed<1, 0>, z = UFixed<6, 6>, lit1 = UFixed<2, 1>, lit2 = UFixed<2, 1>, ah = Fixed<10, 5>, lit3 = UFixed<2, 1>, lit4 = UFixed<1, 0> });
formats!(flt_dense: Flt, dense_tun, "dense_cal", { w = E3m2, b = Bf16, x = Float<4, 2, 6>, y = E5m2, acc = F16, lit0 = E3m2 });
formats!(flt_conv: Flt, conv_tun, "conv_cal", { w = Float<3, 3, 4>, b = Bf16, x = E5m2, y = Float<5, 4, 15>, acc = F16, lit0 = E3m2, lit1 = Float<3, 1, 3> });
formats!(flt_lanes: Flt, lanes_tun, "lanes_cal", { w = Float<3, 3, 4>, b = Bf16, x = E5m2, y = Float<5, 4, 15>, acc = F16, lit0 = E3m2, lit1 = Float<3, 1, 3> });
formats!(flt_pool: Flt, pool_tun, "pool_cal", { x = E5m2, y = F16, acc = Bf16, lit0 = E3m2 });
formats!(flt_gru: Flt, gru_tun, "gru_cal", { wz = E3m2, uz = E3m2, wh = Float<4, 2, 7>, uh = Float<4, 2, 7>, x = E5m2, h = Bf16, h_new = F16, az = F16, lit0 = E3m2, z = Float<4, 5, 8>, lit1 = E3m2, lit2 = E3m2, ah = Bf16, lit3 = E3m2, lit4 = E3m2 });
formats!(fp8_dense: Fp8, dense_tun, "dense_cal", { w = E4m3, b = E4m3, x = E4m3, y = E4m3, acc = E4m3, lit0 = E4m3 });
formats!(fp8_conv: Fp8, conv_tun, "conv_cal", { w = E4m3, b = E4m3, x = E4m3, y = E4m3, acc = E4m3, lit0 = E4m3, lit1 = E4m3 });
formats!(fp8_lanes: Fp8, lanes_tun, "lanes_cal", { w = E4m3, b = E4m3, x = E4m3, y = E4m3, acc = E4m3, lit0 = E4m3, lit1 = E4m3 });
formats!(fp8_pool: Fp8, pool_tun, "pool_cal", { x = E4m3, y = E4m3, acc = E4m3, lit0 = E4m3 });
formats!(fp8_gru: Fp8, gru_tun, "gru_cal", { wz = E4m3, uz = E4m3, wh = E4m3, uh = E4m3, x = E4m3, h = E4m3, h_new = E4m3, az = E4m3, lit0 = E4m3, z = E4m3, lit1 = E4m3, lit2 = E4m3, ah = E4m3, lit3 = E4m3, lit4 = E4m3 });

// Block weights (per-channel when N is the row length; N = 5 and 16 straddle rows), incl. binary blocks.
formats!(blk_dense: Blk, dense_tun, "dense_cal", { w = Blocked<3, 0, 7>, b = Blocked<1, -1, 5>, x = Fixed<8, 4>, y = Fixed<10, 4>, acc = f32, lit0 = Fixed<4, 2> });
formats!(blk_conv: Blk, conv_tun, "conv_cal", { w = Blocked<4, 0, 5>, b = Blocked<6, -2, 3>, x = UFixed<8, 5>, y = Fixed<9, 5>, acc = Fixed<14, 8>, lit0 = Fixed<4, 2>, lit1 = Fixed<4, 3> });
formats!(blk_lanes: Blk, lanes_tun, "lanes_cal", { w = Blocked<4, 0, 5>, b = Blocked<6, -2, 3>, x = UFixed<8, 5>, y = Fixed<9, 5>, acc = Fixed<14, 8>, lit0 = Fixed<4, 2>, lit1 = Fixed<4, 3> });
formats!(blk_pool: Blk, pool_tun, "pool_cal", { x = UFixed<8, 5>, y = Fixed<9, 5>, acc = f32, lit0 = Fixed<4, 2> });
formats!(blk_gru: Blk, gru_tun, "gru_cal", { wz = Blocked<2, 0, 3>, uz = Blocked<5, -1, 4>, wh = Blocked<1, 0, 3>, uh = Blocked<7, -2, 16>, x = Fixed<8, 5>, h = Fixed<8, 6>, h_new = Fixed<10, 7>, az = f32, lit0 = Fixed<2, 0>, z = Fixed<9, 8>, lit1 = Fixed<3, 1>, lit2 = Fixed<3, 1>, ah = Fixed<12, 6>, lit3 = Fixed<3, 1>, lit4 = Fixed<3, 1> });

fn configs() -> Vec<(&'static str, Config)> {
    vec![
        (
            "fixed",
            [fx_dense(), fx_conv(), fx_lanes(), fx_pool(), fx_gru()]
                .into_iter()
                .flatten()
                .collect(),
        ),
        (
            "ufixed",
            [
                mixed_dense(),
                mixed_conv(),
                mixed_lanes(),
                mixed_pool(),
                mixed_gru(),
            ]
            .into_iter()
            .flatten()
            .collect(),
        ),
        (
            "float",
            [flt_dense(), flt_conv(), flt_lanes(), flt_pool(), flt_gru()]
                .into_iter()
                .flatten()
                .collect(),
        ),
        (
            "e4m3",
            [fp8_dense(), fp8_conv(), fp8_lanes(), fp8_pool(), fp8_gru()]
                .into_iter()
                .flatten()
                .collect(),
        ),
        (
            "block",
            [blk_dense(), blk_conv(), blk_lanes(), blk_pool(), blk_gru()]
                .into_iter()
                .flatten()
                .collect(),
        ),
    ]
}

// ------------------------------------------------------------------ helpers

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        match self.0 % 97 {
            0 => f32::NAN,
            1 => f32::INFINITY,
            2 => -f32::INFINITY,
            3 => 3e9,
            _ => ((self.0 >> 11) as f64 / (1u64 << 53) as f64 * 6.0 - 3.0) as f32,
        }
    }
    fn vec(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| self.next()).collect()
    }
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Stores f32 weights in a static number type, as a tuned model does (block formats cut the tensor).
fn store<T: Number>(v: &[f32]) -> Vec<T> {
    T::from_f32_slice(v)
}

// ------------------------------------------------------------------ (b) calibrate vs tuned

fn dense_both<L: Instance + dense_tun::Formats>(cfg: &Config, r: &mut Rng) -> usize {
    let (n_out, n_in) = (5, 7);
    let (w, b, x, y0) = (r.vec(n_out * n_in), r.vec(n_out), r.vec(n_in), r.vec(n_out));
    let mut yc = y0.clone();
    emulate::with_formats(cfg, || dense_cal::<L>(&w, &b, &x, &mut yc));
    let mut yt = y0.clone();
    dense_tun::<L>(
        &store::<dense_tun::w<L>>(&w),
        &store::<dense_tun::b<L>>(&b),
        &x,
        &mut yt,
    );
    assert_eq!(
        bits(&yc),
        bits(&yt),
        "dense::<{}>: calibrate {yc:?} vs tuned {yt:?}",
        L::NAME
    );
    yc.iter().filter(|v| **v != 0.0).count()
}

fn conv_both<L: Instance + conv_tun::Formats>(cfg: &Config, r: &mut Rng) -> usize {
    let (c_in, c_out, h, wd, k) = (2, 3, 5, 6, 3);
    let (w, b, x) = (
        r.vec(c_out * c_in * k * k),
        r.vec(c_out),
        r.vec(c_in * h * wd),
    );
    let n_y = c_out * (h - k + 1) * (wd - k + 1);
    let mut yc = vec![0.0; n_y];
    emulate::with_formats(cfg, || conv_cal::<L>(&w, &b, &x, &mut yc, c_in, h, wd, k));
    let mut yt = vec![0.0; n_y];
    conv_tun::<L>(
        &store::<conv_tun::w<L>>(&w),
        &store::<conv_tun::b<L>>(&b),
        &x,
        &mut yt,
        c_in,
        h,
        wd,
        k,
    );
    assert_eq!(bits(&yc), bits(&yt), "conv::<{}>", L::NAME);
    yc.iter().filter(|v| **v != 0.0).count()
}

fn lanes_both<L: Instance + lanes_tun::Formats>(cfg: &Config, r: &mut Rng) -> usize {
    let (c_in, c_out, h, wd, k) = (2, 3, 5, 70, 3);
    let (w, b, x) = (
        r.vec(c_out * c_in * k * k),
        r.vec(c_out),
        r.vec(c_in * h * wd),
    );
    let n_y = c_out * (h - k + 1) * (wd - k + 1);
    let mut yc = vec![0.0; n_y];
    emulate::with_formats(cfg, || lanes_cal::<L>(&w, &b, &x, &mut yc, c_in, h, wd, k));
    let mut yt = vec![0.0; n_y];
    lanes_tun::<L>(
        &store::<lanes_tun::w<L>>(&w),
        &store::<lanes_tun::b<L>>(&b),
        &x,
        &mut yt,
        c_in,
        h,
        wd,
        k,
    );
    assert_eq!(bits(&yc), bits(&yt), "lanes::<{}>", L::NAME);
    // The same convolution written per output computes the same bits.
    let mut yo = vec![0.0; n_y];
    emulate::with_formats(cfg, || conv_cal::<L>(&w, &b, &x, &mut yo, c_in, h, wd, k));
    assert_eq!(bits(&yc), bits(&yo), "lanes::<{}> vs conv", L::NAME);
    yc.iter().filter(|v| **v != 0.0).count()
}

fn pool_both<L: Instance + pool_tun::Formats>(cfg: &Config, r: &mut Rng) -> usize {
    let (c, hw) = (3, 49);
    let x = r.vec(c * hw);
    let (mut yc, mut yt) = (vec![0.0; c], vec![0.0; c]);
    emulate::with_formats(cfg, || pool_cal::<L>(&x, &mut yc, hw));
    pool_tun::<L>(&x, &mut yt, hw);
    assert_eq!(bits(&yc), bits(&yt), "pool::<{}>", L::NAME);
    yc.iter().filter(|v| **v != 0.0).count()
}

fn gru_both<L: Instance + gru_tun::Formats>(cfg: &Config, r: &mut Rng) -> usize {
    let (n, m) = (4, 3);
    let (wz, uz, wh, uh) = (r.vec(n * m), r.vec(n * n), r.vec(n * m), r.vec(n * n));
    let h0 = r.vec(n);
    let (mut hc, mut ht) = (h0.clone(), h0.clone());
    let (wz_t, uz_t) = (store::<gru_tun::wz<L>>(&wz), store::<gru_tun::uz<L>>(&uz));
    let (wh_t, uh_t) = (store::<gru_tun::wh<L>>(&wh), store::<gru_tun::uh<L>>(&uh));
    // Several steps: the state feeds back.
    for _ in 0..3 {
        let x = r.vec(m);
        emulate::with_formats(cfg, || gru_cal::<L>(&wz, &uz, &wh, &uh, &x, &mut hc));
        gru_tun::<L>(&wz_t, &uz_t, &wh_t, &uh_t, &x, &mut ht);
        assert_eq!(bits(&hc), bits(&ht), "gru::<{}>", L::NAME);
    }
    hc.iter().filter(|v| **v != 0.0).count()
}

#[test]
fn calibrate_and_tuned_are_bit_identical() {
    let sets = configs();
    assert_eq!(sets.len(), 5);
    let mut r = Rng(0x2545_f491_4f6c_dd1d);
    for (name, cfg) in &sets {
        let mut nonzero = 0;
        for _ in 0..60 {
            nonzero += match *name {
                "fixed" => {
                    dense_both::<Fx>(cfg, &mut r)
                        + conv_both::<Fx>(cfg, &mut r)
                        + lanes_both::<Fx>(cfg, &mut r)
                        + pool_both::<Fx>(cfg, &mut r)
                        + gru_both::<Fx>(cfg, &mut r)
                }
                "ufixed" => {
                    dense_both::<Mixed>(cfg, &mut r)
                        + conv_both::<Mixed>(cfg, &mut r)
                        + lanes_both::<Mixed>(cfg, &mut r)
                        + pool_both::<Mixed>(cfg, &mut r)
                        + gru_both::<Mixed>(cfg, &mut r)
                }
                "float" => {
                    dense_both::<Flt>(cfg, &mut r)
                        + conv_both::<Flt>(cfg, &mut r)
                        + lanes_both::<Flt>(cfg, &mut r)
                        + pool_both::<Flt>(cfg, &mut r)
                        + gru_both::<Flt>(cfg, &mut r)
                }
                "block" => {
                    dense_both::<Blk>(cfg, &mut r)
                        + conv_both::<Blk>(cfg, &mut r)
                        + lanes_both::<Blk>(cfg, &mut r)
                        + pool_both::<Blk>(cfg, &mut r)
                        + gru_both::<Blk>(cfg, &mut r)
                }
                _ => {
                    dense_both::<Fp8>(cfg, &mut r)
                        + conv_both::<Fp8>(cfg, &mut r)
                        + lanes_both::<Fp8>(cfg, &mut r)
                        + pool_both::<Fp8>(cfg, &mut r)
                        + gru_both::<Fp8>(cfg, &mut r)
                }
            };
        }
        assert!(
            nonzero > 100,
            "{name}: outputs are mostly zero; the comparison would be vacuous"
        );
    }
}

fn dense_f32_and_q<L: Instance>(
    cfg: &Config,
    w: &[f32],
    b: &[f32],
    x: &[f32],
) -> (Vec<u32>, Vec<u32>) {
    let (mut y32, mut yq) = (vec![0.0; b.len()], vec![0.0; b.len()]);
    emulate::with_formats(&Config::new(), || dense_cal::<L>(w, b, x, &mut y32));
    emulate::with_formats(cfg, || dense_cal::<L>(w, b, x, &mut yq));
    (bits(&y32), bits(&yq))
}

/// The configurations really quantize: under them, calibrate-mode outputs differ from f32 outputs.
#[test]
fn configurations_change_the_outputs() {
    let mut r = Rng(99);
    let (w, b) = (
        r.vec(5 * 7)
            .iter()
            .map(|v| v.clamp(-3.0, 3.0))
            .collect::<Vec<_>>(),
        vec![0.3; 5],
    );
    let x: Vec<f32> = (0..7).map(|i| 0.37 * i as f32).collect();
    for (name, cfg) in configs() {
        let (y32, yq) = match name {
            "fixed" => dense_f32_and_q::<Fx>(&cfg, &w, &b, &x),
            "ufixed" => dense_f32_and_q::<Mixed>(&cfg, &w, &b, &x),
            "float" => dense_f32_and_q::<Flt>(&cfg, &w, &b, &x),
            "block" => dense_f32_and_q::<Blk>(&cfg, &w, &b, &x),
            _ => dense_f32_and_q::<Fp8>(&cfg, &w, &b, &x),
        };
        assert_ne!(y32, yq, "{name}: quantization had no effect");
    }
}

// ------------------------------------------------------------------ (a) two instances, two formats

/// The dense layer written out by hand with `Format::quantize`, following the documented semantics.
fn dense_reference(f: [Format; 6], w: &[f32], b: &[f32], x: &[f32], n_out: usize) -> Vec<f32> {
    let [fw, fb, fx, fy, facc, flit] = f;
    let x: Vec<f32> = x.iter().map(|&v| fx.quantize(v)).collect();
    (0..n_out)
        .map(|o| {
            let mut acc = facc.quantize(fb.quantize(b[o]));
            for i in 0..x.len() {
                acc = facc.quantize(acc + fw.quantize(w[o * x.len() + i]) * x[i]);
            }
            fy.quantize(acc.max(flit.quantize(0.0)))
        })
        .collect()
}

impl dense_tun::Formats for Fc1 {
    type w = Fixed<4, 3>;
    type b = Fixed<8, 5>;
    type x = UFixed<8, 6>;
    type y = UFixed<8, 4>;
    type acc = Fixed<12, 6>;
    type lit0 = f32;
}
impl dense_tun::Formats for Fc2 {
    type w = E4m3;
    type b = Bf16;
    type x = E5m2;
    type y = F16;
    type acc = F16;
    type lit0 = E4m3;
}

fn formats_of<L: dense_tun::Formats>() -> [Format; 6] {
    [
        <L::w as Number>::FORMAT,
        <L::b as Number>::FORMAT,
        <L::x as Number>::FORMAT,
        <L::y as Number>::FORMAT,
        <L::acc as Number>::FORMAT,
        <L::lit0 as Number>::FORMAT,
    ]
}

#[test]
fn one_layer_function_two_instances_two_formats() {
    let mut r = Rng(5);
    let (n_in, n_hid, n_out) = (6, 5, 4);
    let mut differs = 0;
    for _ in 0..50 {
        let (w1, b1, w2, b2) = (
            r.vec(n_hid * n_in),
            r.vec(n_hid),
            r.vec(n_out * n_hid),
            r.vec(n_out),
        );
        let x: Vec<f32> = (0..n_in).map(|_| r.next().abs() % 2.0).collect();
        // The model: fc1 then fc2, each instance with its own formats.
        let fc1_w: Vec<dense_tun::w<Fc1>> = store(&w1);
        let fc1_b: Vec<dense_tun::b<Fc1>> = store(&b1);
        let fc2_w: Vec<dense_tun::w<Fc2>> = store(&w2);
        let fc2_b: Vec<dense_tun::b<Fc2>> = store(&b2);
        let (mut h, mut y) = (vec![0.0; n_hid], vec![0.0; n_out]);
        dense_tun::<Fc1>(&fc1_w, &fc1_b, &x, &mut h);
        dense_tun::<Fc2>(&fc2_w, &fc2_b, &h, &mut y);
        let h_ref = dense_reference(formats_of::<Fc1>(), &w1, &b1, &x, n_hid);
        let y_ref = dense_reference(formats_of::<Fc2>(), &w2, &b2, &h_ref, n_out);
        assert_eq!(bits(&h), bits(&h_ref), "fc1 did not use Fc1's formats");
        assert_eq!(bits(&y), bits(&y_ref), "fc2 did not use Fc2's formats");
        // With the formats swapped the results would differ (so the check above can tell them apart).
        let swapped = dense_reference(formats_of::<Fc2>(), &w1, &b1, &x, n_hid);
        differs += (bits(&swapped) != bits(&h)) as usize;
    }
    assert!(
        differs > 40,
        "the two instances' formats are indistinguishable on these inputs ({differs}/50)"
    );
}

// ------------------------------------------------------------------ (c) profiling

#[test]
fn profiling_records_sites_by_instance() {
    let (n_out, n_in, calls) = (3, 4, 2);
    let mut r = Rng(11);
    let (w, b) = (
        r.vec(n_out * n_in)
            .iter()
            .map(|v| v.clamp(-2.0, 2.0))
            .collect::<Vec<_>>(),
        vec![0.5; n_out],
    );
    emulate::start_profiling();
    for _ in 0..calls {
        let x = vec![1.0; n_in];
        let mut y = vec![0.0; n_out];
        dense_cal::<P1>(&w, &b, &x, &mut y);
        dense_cal::<P2>(&w, &b, &x, &mut y);
    }
    let p = emulate::finish_profiling();
    let count = |name: &str| {
        p.sites
            .get(name)
            .unwrap_or_else(|| panic!("no site {name} in {:?}", p.sites.keys()))
            .stats
            .total()
    };
    for inst in ["P1", "P2"] {
        let s = |ident: &str| format!("{inst}/dense_cal.{ident}");
        // Weights are quantized (and recorded) once per configuration, not once per call.
        assert_eq!(count(&s("w")), (n_out * n_in) as u64);
        assert_eq!(count(&s("b")), n_out as u64);
        assert_eq!(count(&s("x")), (calls * n_in) as u64);
        // y: quantized on entry, then each element write.
        assert_eq!(count(&s("y")), (calls * 2 * n_out) as u64);
        // acc: initialised once and updated n_in times per output.
        assert_eq!(count(&s("acc")), (calls * n_out * (1 + n_in)) as u64);
        assert_eq!(count(&s("lit0")), (calls * n_out) as u64);
        let site = &p.sites[&s("w")];
        assert_eq!(site.kind, number_rt::profile::SiteKind::Weight);
        assert_eq!(site.instance, inst);
        assert_eq!(site.function, "dense_cal");
        assert_eq!(site.ident, "w");
        assert_eq!(site.fingerprint, dense_cal::FINGERPRINT);
        assert_eq!(p.sites[&s("acc")].kind, number_rt::profile::SiteKind::Local);
        assert_eq!(
            p.sites[&s("lit0")].kind,
            number_rt::profile::SiteKind::Literal
        );
        assert_eq!(p.sites[&s("y")].kind, number_rt::profile::SiteKind::Output);
        assert_eq!(p.sites[&s("x")].stats.max, 1.0);
        // The accumulation loop read whole rows of `w` (per-channel block formats use their length); `b` and
        // `x` are not weights read by such loops.
        assert_eq!(site.stats.row, Some(n_in as u64));
        assert_eq!(p.sites[&s("b")].stats.row, None);
        assert_eq!(p.sites[&s("x")].stats.row, None);
    }
    // The GRU's shared sites `z` and `r` are one site.
    let mut h = vec![0.1; 2];
    emulate::start_profiling();
    gru_cal::<P1>(&[0.1; 2], &[0.1; 4], &[0.1; 2], &[0.1; 4], &[1.0], &mut h);
    let p = emulate::finish_profiling();
    assert!(p.sites.contains_key("P1/gru_cal.z"));
    assert!(!p.sites.contains_key("P1/gru_cal.r"));
    assert_eq!(p.sites["P1/gru_cal.z"].stats.total(), 2 * 2);
}
