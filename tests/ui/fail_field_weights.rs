// `weights(base.field)` names a field of `self` or of a parameter; the site takes the field's name.
use number_rt::quantize;

pub struct Linear {
    pub w: Vec<f32>,
}

// `k` is not a parameter.
#[quantize(weights(k.w))]
pub fn unknown_base<L>(l: &Linear, x: &[f32], y: &mut [f32]) {
    y[0] = l.w[0] * x[0];
}

// No `self` in a free function.
#[quantize(weights(self.w))]
pub fn no_self<L>(l: &Linear, x: &[f32], y: &mut [f32]) {
    y[0] = l.w[0] * x[0];
}

// The site would be called `x`, already a parameter.
#[quantize(weights(l.x))]
pub fn clash<L>(l: &Linear, x: &[f32], y: &mut [f32]) {
    y[0] = x[0];
}

fn main() {}
