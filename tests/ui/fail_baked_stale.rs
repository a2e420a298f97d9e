// A baked packed weight table (what `cargo number bake` writes) whose tuned.rs format changed since it was baked:
// the static is declared with the layer's weight alias, which now names `fixed<3,2>`, while the words were packed
// for `fixed<2,2>`. `Packed::from_raw_words` refuses them at compile time.
use number_rt::{Fixed, Number, Packed, quantize};

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

impl dense::Formats for Fc1 {
    type w = Fixed<3, 2>; // re-tuned: was fixed<2,2>
    type x = f32;
    type y = f32;
    type acc = f32;
    type lit0 = f32;
}

/// Baked for `fixed<2,2>`: 4 values of 2 bits in one word.
type Fc1W = Fixed<2, 2>;
pub static FC1_W: Packed<dense::w<Fc1>> =
    Packed::from_raw_words(&[0x1b], 4, <Fc1W as Number>::FORMAT);

fn main() {
    let mut y = [0.0f32; 2];
    dense::<Fc1>(&FC1_W, &[1.0, 2.0], &mut y);
}
