//! Portability (issue #3): the same `#[quantize]` dense layer written with plain loops and written with
//! ndarray — whose 2-D view holds f32 in plain and calibrate builds and the tuned number type (`Fixed<4, 3>`,
//! `E4m3`, …) in tuned builds (`generic(w)`: the weight is passed on to ndarray as it is). Both compute the same
//! site semantics, so all four (loops/ndarray × calibrate/tuned) agree bit for bit, and plain mode is the
//! original f32 code.
use ndarray::ArrayView2;
use number_rt::emulate::{self, Config};
use number_rt::{E4m3, Fixed, Format, Number, UFixed, quantize};

macro_rules! layers {
    ($mode:tt, $loops:ident, $nd:ident) => {
        #[quantize(weights(w, b), mode = $mode)]
        pub fn $loops<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
            let n = x.len();
            for o in 0..y.len() {
                let mut acc: f32 = b[o];
                for i in 0..n {
                    acc += w[o * n + i] * x[i];
                }
                y[o] = acc.max(0.0);
            }
        }

        #[quantize(weights(w, b), generic(w), mode = $mode)]
        pub fn $nd<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
            let wm = ArrayView2::from_shape((y.len(), x.len()), w).expect("w is y.len() × x.len()");
            for (o, row) in wm.rows().into_iter().enumerate() {
                let mut acc: f32 = b[o];
                for (i, wv) in row.iter().enumerate() {
                    acc += wv.to_f32() * x[i];
                }
                y[o] = acc.max(0.0);
            }
        }
    };
}
layers!("calibrate", dense_cal, dense_nd_cal);
layers!("tuned", dense_tun, dense_nd_tun);
layers!("plain", dense_plain, dense_nd_plain);

number_rt::instances!(A, B);

// Two instances, two format sets: fixed point and 8-bit floats.
impl dense_tun::Formats for A {
    type w = Fixed<4, 3>;
    type b = Fixed<8, 5>;
    type x = UFixed<8, 4>;
    type y = Fixed<12, 6>;
    type acc = f32;
    type lit0 = f32;
}
impl dense_nd_tun::Formats for A {
    type w = Fixed<4, 3>;
    type b = Fixed<8, 5>;
    type x = UFixed<8, 4>;
    type y = Fixed<12, 6>;
    type acc = f32;
    type lit0 = f32;
}
impl dense_tun::Formats for B {
    type w = E4m3;
    type b = E4m3;
    type x = E4m3;
    type y = E4m3;
    type acc = Fixed<16, 8>;
    type lit0 = f32;
}
impl dense_nd_tun::Formats for B {
    type w = E4m3;
    type b = E4m3;
    type x = E4m3;
    type y = E4m3;
    type acc = Fixed<16, 8>;
    type lit0 = f32;
}

fn config(inst: &str, f: &[(&str, &str)]) -> Config {
    let mut c = Config::new();
    for func in ["dense_cal", "dense_nd_cal"] {
        for (site, fmt) in f {
            c.insert(
                format!("{inst}/{func}.{site}"),
                fmt.parse::<Format>().unwrap(),
            );
        }
    }
    c
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

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn check<L, W: Number, Bt: Number>(cfg: &Config, seed: u64)
where
    L: number_rt::Instance
        + dense_tun::Formats<w = W, b = Bt>
        + dense_nd_tun::Formats<w = W, b = Bt>,
{
    let mut r = Rng(seed);
    let (n, m) = (37, 11);
    let w: Vec<f32> = (0..n * m).map(|_| r.f() * 1.5).collect();
    let b: Vec<f32> = (0..m).map(|_| r.f()).collect();
    let x: Vec<f32> = (0..n).map(|_| r.f().abs() * 4.0).collect();
    let mut out = vec![vec![0.0f32; m]; 4];
    emulate::with_formats(cfg, || {
        dense_cal::<L>(&w, &b, &x, &mut out[0]);
        dense_nd_cal::<L>(&w, &b, &x, &mut out[1]);
    });
    let wt: Vec<W> = w.iter().map(|&v| W::from_f32(v)).collect();
    let bt: Vec<Bt> = b.iter().map(|&v| Bt::from_f32(v)).collect();
    dense_tun::<L>(&wt, &bt, &x, &mut out[2]);
    dense_nd_tun::<L>(&wt, &bt, &x, &mut out[3]);
    for k in 1..4 {
        assert_eq!(
            bits(&out[k]),
            bits(&out[0]),
            "variant {k} differs from the calibrate loop version"
        );
    }
    // Quantization did something (not all outputs equal the f32 layer's).
    let mut f32_out = vec![0.0f32; m];
    dense_plain::<L>(&w, &b, &x, &mut f32_out);
    assert_ne!(bits(&f32_out), bits(&out[0]));
}

#[test]
fn loops_and_ndarray_agree_in_every_mode() {
    let a = config(
        "A",
        &[
            ("w", "fixed<4,3>"),
            ("b", "fixed<8,5>"),
            ("x", "ufixed<8,4>"),
            ("y", "fixed<12,6>"),
        ],
    );
    let b = config(
        "B",
        &[
            ("w", "e4m3"),
            ("b", "e4m3"),
            ("x", "e4m3"),
            ("y", "e4m3"),
            ("acc", "fixed<16,8>"),
        ],
    );
    for seed in 1..20 {
        check::<A, Fixed<4, 3>, Fixed<8, 5>>(&a, seed);
        check::<B, E4m3, E4m3>(&b, seed);
    }
}

#[test]
fn plain_ndarray_is_the_original_f32_code() {
    let mut r = Rng(5);
    let (n, m) = (23, 7);
    let w: Vec<f32> = (0..n * m).map(|_| r.f()).collect();
    let b: Vec<f32> = (0..m).map(|_| r.f()).collect();
    let x: Vec<f32> = (0..n).map(|_| r.f()).collect();
    let (mut y1, mut y2) = (vec![0.0f32; m], vec![0.0f32; m]);
    dense_nd_plain::<A>(&w, &b, &x, &mut y1);
    // The same computation by hand, without the attribute.
    for o in 0..m {
        let mut acc = b[o];
        for i in 0..n {
            acc += w[o * n + i] * x[i];
        }
        y2[o] = acc.max(0.0);
    }
    assert_eq!(bits(&y1), bits(&y2));
    dense_plain::<A>(&w, &b, &x, &mut y2);
    assert_eq!(bits(&y1), bits(&y2));
}
