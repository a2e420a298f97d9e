// A tuned.rs whose fingerprint assert no longer matches the function's code.
use number_rt::quantize;

number_rt::instances!(Fc1);

#[quantize(weights(w), mode = "tuned")]
pub fn dense<L>(w: &[f32], x: &[f32], y: &mut [f32]) {
    for o in 0..y.len() {
        let mut acc: f32 = 0.0;
        for i in 0..x.len() {
            acc += w[o * x.len() + i] * x[i];
        }
        y[o] = acc;
    }
}

// As written by the tuner for an older version of `dense`.
const _: () = assert!(
    dense::FINGERPRINT == 0x1234abcd,
    "tuned.rs is stale: `dense` changed since it was tuned; re-run `cargo number tune`"
);
impl dense::Formats for Fc1 {
    type w = f32;
    type x = f32;
    type y = f32;
    type acc = f32;
    type lit0 = f32;
}

fn main() {
    let (w, x, mut y) = (vec![0.5f32; 4], vec![1.0f32; 2], vec![0.0f32; 2]);
    dense::<Fc1>(&w, &x, &mut y);
}
