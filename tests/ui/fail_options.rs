// Option errors, each spanned at the offending name.
use number_rt::quantize;

#[quantize(weights(w), scale(x))]
pub fn unknown_option(w: &[f32], x: &[f32], y: &mut [f32]) {
    y[0] = w[0] * x[0];
}

#[quantize(weights(w), weights(b))]
pub fn duplicate_option(w: &[f32], b: &[f32], y: &mut [f32]) {
    y[0] = w[0] + b[0];
}

#[quantize(rename(acc = "type"))]
pub fn keyword_rename(x: &[f32]) -> f32 {
    let mut acc = 0.0f32;
    for v in x {
        acc += *v;
    }
    acc
}

#[quantize(rename(acc = "my sum"))]
pub fn bad_rename(x: &[f32]) -> f32 {
    let mut acc = 0.0f32;
    for v in x {
        acc += *v;
    }
    acc
}

#[quantize(exclude(bias))]
pub fn exclude_missing(x: &[f32], y: &mut [f32]) {
    y[0] = x[0];
}

#[quantize(weights(acc))]
pub fn weights_local(x: &[f32], y: &mut [f32]) {
    let acc = x[0] * 2.0;
    y[0] = acc;
}

#[quantize(weights(n, s))]
pub fn weights_not_slices(n: usize, s: f32, y: &mut [f32]) {
    y[n] = s;
}

#[quantize(mode = "fast")]
pub fn bad_mode(y: &mut [f32]) {
    y[0] = 1.0;
}

#[quantize(rename(x = "y"))]
pub fn clash(x: &[f32], y: &mut [f32]) {
    y[0] = x[0];
}

fn main() {}
