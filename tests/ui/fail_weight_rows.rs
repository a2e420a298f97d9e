// A weight given as a collection of rows: the error says to store it flat and how to read a row.
use number_rt::quantize;

#[quantize(weights(w))]
pub fn matvec<L>(w: &[Vec<f32>], x: &[f32]) -> Vec<f32> {
    w.iter()
        .map(|row| row.iter().zip(x).map(|(a, b)| a * b).sum())
        .collect()
}

#[quantize(weights(w))]
pub fn fixed_rows<L>(w: &[[f32; 4]], x: &[f32; 4], y: &mut [f32]) {
    for (o, row) in w.iter().enumerate() {
        y[o] = row[0] * x[0];
    }
}

fn main() {}
