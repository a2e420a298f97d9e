// f64 anywhere a site would be is an error (unless the site is excluded).
use number_rt::quantize;

#[quantize]
pub fn f64_param(x: &[f64], y: &mut [f32]) {
    y[0] = x[0] as f32;
}

#[quantize]
pub fn f64_local(x: &[f32], y: &mut [f32]) {
    let s: f64 = 0.0;
    y[0] = x[0] + s as f32;
}

#[quantize]
pub fn f64_literal(x: &[f32], y: &mut [f32]) {
    y[0] = x[0] * (2.0f64 as f32);
}

#[quantize]
pub fn f64_return(x: &[f32]) -> f64 {
    x[0] as f64
}

// Excluded: fine.
#[quantize(exclude(s))]
pub fn f64_excluded(x: &[f32], y: &mut [f32]) {
    let s: f64 = 1.5;
    y[0] = x[0] + s as f32;
}

fn main() {}
