// A stale tuned.rs whose `Formats` impls no longer match the function's sites, and a missing impl.
use number_rt::quantize;

number_rt::instances!(Fc1, Fc2, Fc3);

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

// Site `acc` added since tuning.
impl dense::Formats for Fc1 {
    type w = f32;
    type x = f32;
    type y = f32;
    type lit0 = f32;
}

// Site `sum` renamed since tuning.
impl dense::Formats for Fc2 {
    type w = f32;
    type x = f32;
    type y = f32;
    type sum = f32;
    type acc = f32;
    type lit0 = f32;
}

fn main() {
    let (w, x, mut y) = (vec![0.5f32; 4], vec![1.0f32; 2], vec![0.0f32; 2]);
    dense::<Fc1>(&w, &x, &mut y);
    dense::<Fc3>(&w, &x, &mut y);
}
