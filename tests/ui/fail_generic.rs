// generic(...) may only name weights (the sites whose element type changes in tuned builds).
use number_rt::quantize;

#[quantize(weights(w), generic(x))]
pub fn generic_not_a_weight<L>(w: &[f32], x: &[f32], y: &mut [f32]) {
    y[0] = w[0] * x[0];
}

// A generic weight is passed on as it is (here to an iterator, generic over the element type).
#[quantize(weights(w), generic(w))]
pub fn generic_weight_is_fine<L>(w: &[f32], y: &mut [f32]) {
    use number_rt::Number;
    for (i, v) in w.iter().enumerate() {
        y[i] = v.to_f32();
    }
}

fn main() {}
