// Function kinds #[quantize] rejects: async, const, extern ABI, and a method annotated directly.
use number_rt::quantize;

#[quantize]
pub async fn relu_async(x: &mut [f32]) {
    for v in x.iter_mut() {
        *v = v.max(0.0);
    }
}

#[quantize]
pub const fn half(x: f32) -> f32 {
    x * 0.5
}

#[quantize]
pub extern "C" fn scale(x: f32) -> f32 {
    x * 2.0
}

pub struct Dense;

impl Dense {
    #[quantize]
    pub fn forward(&self, x: &[f32], y: &mut [f32]) {
        y[0] = x[0];
    }
}

fn main() {}
