// Elements of struct fields read into sites inside a #[quantize] function: fields are not sites, so these
// weights would silently stay f32 in every build. The error says to list them as weights (`weights(l.w)`).
use number_rt::quantize;

pub struct Linear {
    pub w: Vec<f32>,
    pub b: Vec<f32>,
    pub gain: f32,
}

#[quantize]
pub fn linear(l: &Linear, x: &[f32], y: &mut [f32]) {
    let n = x.len();
    for o in 0..y.len() {
        let mut acc: f32 = l.b[o];
        for i in 0..n {
            acc += l.w[o * n + i] * x[i];
        }
        // A scalar field (a setting) is fine.
        y[o] = acc * l.gain;
    }
}

pub struct Scale<L> {
    pub g: Vec<f32>,
    _l: core::marker::PhantomData<L>,
}

#[quantize]
impl<L> Scale<L> {
    pub fn forward(&self, x: &[f32], y: &mut [f32]) {
        for i in 0..y.len() {
            y[i] = self.g[i] * x[i];
        }
    }
}

// What the error suggests: the fields listed as weights, stored in their weight types.
pub struct Dense<L: dense_forward::Formats> {
    pub w: Vec<dense_forward::w<L>>,
    pub b: Vec<dense_forward::b<L>>,
}

#[quantize]
impl<L: dense_forward::Formats> Dense<L> {
    #[quantize(weights(self.w, self.b))]
    pub fn forward(&self, x: &[f32], y: &mut [f32]) {
        let n = x.len();
        for o in 0..y.len() {
            let mut acc: f32 = self.b[o];
            for i in 0..n {
                acc += self.w[o * n + i] * x[i];
            }
            y[o] = acc;
        }
    }
}

// Or a weight parameter, the caller passing the field.
#[quantize(weights(w, b))]
pub fn dense<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
    let n = x.len();
    for o in 0..y.len() {
        let mut acc: f32 = b[o];
        for i in 0..n {
            acc += w[o * n + i] * x[i];
        }
        y[o] = acc;
    }
}

fn main() {}
