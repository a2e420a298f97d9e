// #[quantize] on items that are not functions or impl blocks: the error points at the item keyword.
use number_rt::quantize;

#[quantize]
pub struct Dense {
    pub w: Vec<f32>,
}

#[quantize]
const SCALE: f32 = 0.5;

#[quantize]
pub trait Layer {
    fn forward(&self, x: &[f32], y: &mut [f32]);
}

#[quantize]
impl Layer for Dense {
    fn forward(&self, x: &[f32], y: &mut [f32]) {
        y[0] = x[0] * self.w[0] * SCALE;
    }
}

fn main() {}
