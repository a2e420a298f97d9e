// A weight passed on to another `#[quantize]` layer (a call with generic arguments): in tuned builds each layer's
// weights have their own tuned type. The error says to call the layer from the model with the weight stored in
// that layer's type, or to pass the values to a helper taking `&[f32]`.
use number_rt::quantize;

#[quantize(weights(w))]
pub fn inner<L>(w: &[f32], x: &[f32], y: &mut [f32]) {
    for i in 0..x.len() {
        y[0] += w[i] * x[i];
    }
}

#[quantize(weights(w))]
pub fn outer<L>(w: &[f32], x: &[f32], y: &mut [f32]) {
    inner::<L>(w, x, y);
}

// What the error suggests compiles in every mode: a helper taking `&[f32]` (tuned builds pass the weight's values
// as f32), or a helper generic over the weight's number type with generic(w).
fn dot(w: &[f32], x: &[f32]) -> f32 {
    w.iter().zip(x).map(|(a, b)| a * b).sum()
}

#[quantize(weights(w))]
pub fn helper<L>(w: &[f32], x: &[f32], y: &mut [f32]) {
    let n = x.len();
    for o in 0..y.len() {
        y[o] = dot(&w[o * n..(o + 1) * n], x);
    }
}

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
