// A weight passed, whole or sliced, to a helper expecting `&[f32]`: in tuned builds it is `&[f::w<L>]`. The error
// (in every mode) says to make the helper generic over `W: number_rt::Number` and list the weight in generic(..).
use number_rt::quantize;

fn dot(w: &[f32], x: &[f32]) -> f32 {
    let mut acc = 0.0;
    for i in 0..x.len() {
        acc += w[i] * x[i];
    }
    acc
}

#[quantize(weights(w))]
pub fn whole<L>(w: &[f32], x: &[f32], y: &mut [f32]) {
    y[0] = dot(w, x);
}

#[quantize(weights(w))]
pub fn sliced<L>(w: &[f32], x: &[f32], y: &mut [f32]) {
    let n = x.len();
    for o in 0..y.len() {
        y[o] = dot(&w[o * n..(o + 1) * n], x);
    }
}

// What the error suggests compiles in every mode.
fn row_dot<W: number_rt::Number>(w: &[W], x: &[f32]) -> f32 {
    let mut acc = 0.0;
    for i in 0..x.len() {
        acc += w[i].to_f32() * x[i];
    }
    acc
}

#[quantize(weights(w), generic(w))]
pub fn generic_helper<L>(w: &[f32], x: &[f32], y: &mut [f32]) {
    let n = x.len();
    for o in 0..y.len() {
        y[o] = row_dot(&w[o * n..(o + 1) * n], x);
    }
}

fn main() {}
