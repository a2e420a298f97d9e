// `state(base.field)` names a field of `self` or of a parameter holding activations kept between calls.
use number_rt::quantize;

pub struct State {
    pub h: Vec<f32>,
}

// Not a field: a float parameter is a site already.
#[quantize(state(h))]
pub fn not_a_field<L>(h: &mut [f32], x: &[f32]) {
    h[0] = x[0];
}

// `k` is not a parameter.
#[quantize(state(k.h))]
pub fn unknown_base<L>(s: &mut State, x: &[f32]) {
    s.h[0] += x[0];
}

// The site would be called `x`, already a parameter.
#[quantize(state(s.x))]
pub fn clash<L>(s: &mut State, x: &[f32]) {
    s.h[0] = x[0];
}

fn main() {}
