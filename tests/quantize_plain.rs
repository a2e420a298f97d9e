//! Plain mode: a `#[quantize]` function computes bit for bit what the unannotated function computes, NaN and
//! infinities included (plain mode must not quantize anything, not even to f32's own format, which maps NaN to 0).
use number_rt::quantize;

/// Emits the same function twice: unannotated as `$orig`, and with `#[quantize($attr, mode = "plain")]` as `$q`.
macro_rules! twin {
    ($orig:ident, $q:ident, ($($attr:tt)*), $($rest:tt)*) => {
        // The unannotated twin keeps the instance parameter it does not use, like the layer it mirrors.
        #[allow(dead_code, clippy::extra_unused_type_parameters)]
        fn $orig $($rest)*
        #[quantize($($attr)* mode = "plain")]
        fn $q $($rest)*
    };
}

twin!(dense_orig, dense_q, (weights(w, b),), <L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
    let n_in = x.len();
    for o in 0..y.len() {
        let mut acc: f32 = b[o];
        for i in 0..n_in {
            acc += w[o * n_in + i] * x[i];
        }
        y[o] = acc.max(0.0);
    }
});

twin!(conv_orig, conv_q, (weights(w),), <L>(w: &[f32], x: &[f32], y: &mut [f32], h: usize, wd: usize, k: usize) {
    let (oh, ow) = (h - k + 1, wd - k + 1);
    for oy in 0..oh {
        for ox in 0..ow {
            let mut acc = 0.0f32;
            for ky in 0..k {
                for kx in 0..k {
                    acc += w[ky * k + kx] * x[(oy + ky) * wd + ox + kx];
                }
            }
            y[oy * ow + ox] = if acc > 0.0 { acc } else { 0.1 * acc };
        }
    }
});

twin!(cell_orig, cell_q, (), (x: f32, h: &mut f32, a: [f32; 3]) -> f32 {
    let z = 1.0 / (1.0 + (-(a[0] * x + a[1] * *h)).exp());
    let c = (a[2] * x).tanh();
    *h = (1.0 - z) * *h + z * c;
    let out = *h * 2.5e-1;
    out - 1e-3
});

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        match self.0 % 64 {
            0 => f32::NAN,
            1 => f32::INFINITY,
            2 => -f32::INFINITY,
            3 => 1e30,
            _ => ((self.0 >> 11) as f64 / (1u64 << 53) as f64 * 8.0 - 4.0) as f32,
        }
    }
    fn vec(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| self.next()).collect()
    }
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn plain_dense_is_bit_identical() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..200 {
        let (w, b, x) = (r.vec(6 * 5), r.vec(6), r.vec(5));
        let (mut y0, mut y1) = (vec![0.0; 6], vec![0.0; 6]);
        dense_orig::<()>(&w, &b, &x, &mut y0);
        let wq: Vec<dense_q::w<()>> = w.clone();
        let bq: Vec<dense_q::b<()>> = b.clone();
        dense_q::<()>(&wq, &bq, &x, &mut y1);
        assert_eq!(bits(&y0), bits(&y1));
    }
}

#[test]
fn plain_conv_is_bit_identical() {
    let mut r = Rng(42);
    for _ in 0..100 {
        let (w, x) = (r.vec(9), r.vec(36));
        let (mut y0, mut y1) = (vec![0.0; 16], vec![0.0; 16]);
        conv_orig::<()>(&w, &x, &mut y0, 6, 6, 3);
        conv_q::<()>(&w, &x, &mut y1, 6, 6, 3);
        assert_eq!(bits(&y0), bits(&y1));
    }
}

#[test]
fn plain_scalar_cell_is_bit_identical() {
    let mut r = Rng(7);
    let mut nan_seen = false;
    for _ in 0..500 {
        let (x, h, a) = (r.next(), r.next(), [r.next(), r.next(), r.next()]);
        let (mut h0, mut h1) = (h, h);
        let o0 = cell_orig(x, &mut h0, a);
        let o1 = cell_q(x, &mut h1, a);
        nan_seen |= o0.is_nan();
        assert_eq!((o0.to_bits(), h0.to_bits()), (o1.to_bits(), h1.to_bits()));
    }
    assert!(nan_seen, "the inputs should exercise NaN propagation");
}
