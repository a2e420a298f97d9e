// A weight read through an iterator: in tuned builds it holds its tuned number type, not f32. The error says to
// index it in a loop, or to list it in generic(..) and read elements with `.to_f32()`.
use number_rt::quantize;

#[quantize(weights(w))]
pub fn iter_sum<L>(w: &[f32], y: &mut [f32]) {
    y[0] = w.iter().sum();
}

#[quantize(weights(w))]
pub fn rows<L>(w: &[f32], x: &[f32], y: &mut [f32]) {
    for (o, row) in w.chunks(x.len()).enumerate() {
        y[o] = row[0] * x[0];
    }
}

#[quantize(weights(w))]
pub fn zipped<L>(w: &[f32], x: &[f32], y: &mut [f32]) {
    y[0] = w.iter().zip(x).map(|(a, b)| a * b).sum();
    y[1] = x.iter().zip(w).map(|(a, b)| a * b).sum();
}

#[quantize(weights(w))]
pub fn for_each<L>(w: &[f32], y: &mut [f32]) {
    for v in w {
        y[0] += *v;
    }
}

// What the errors suggest compiles: an index loop, or generic(w) with `.to_f32()`.
#[quantize(weights(w))]
pub fn indexed<L>(w: &[f32], x: &[f32], y: &mut [f32]) {
    for i in 0..w.len() {
        y[0] += w[i] * x[i];
    }
}

#[quantize(weights(w), generic(w))]
pub fn generic_iter<L>(w: &[f32], x: &[f32], y: &mut [f32]) {
    use number_rt::Number;
    y[0] = w.iter().zip(x).map(|(a, b)| a.to_f32() * b).sum();
}

fn main() {}
