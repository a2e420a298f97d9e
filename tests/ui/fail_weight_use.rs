// Weights may only be indexed or measured: in tuned builds they hold static number types, not f32.
use number_rt::quantize;

#[quantize(weights(w))]
pub fn sliced<L>(w: &[f32], x: &[f32], y: &mut [f32]) {
    let row = &w[0..x.len()];
    y[0] = row[0];
}

#[quantize(weights(w))]
pub fn iterated<L>(w: &[f32], y: &mut [f32]) {
    for (i, v) in w.iter().enumerate() {
        y[i] = *v;
    }
}

#[quantize(weights(w))]
pub fn rebound<L>(w: &[f32], y: &mut [f32]) {
    let all = w;
    y[0] = all[0];
}

// Indexing and len() are fine.
#[quantize(weights(w))]
pub fn fine<L>(w: &[f32], y: &mut [f32]) {
    for i in 0..w.len() {
        y[i] = w[i];
    }
}

fn main() {}
