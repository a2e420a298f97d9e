// The instance parameter: at most one type parameter, no bounds, not a value type.
use number_rt::quantize;

#[quantize]
pub fn two_params<L, T>(x: &[f32], y: &mut [f32]) {
    y[0] = x[0];
}

#[quantize]
pub fn bounded<L: Copy>(x: &[f32], y: &mut [f32]) {
    y[0] = x[0];
}

#[quantize]
pub fn where_bounded<L>(x: &[f32], y: &mut [f32])
where
    L: Default,
{
    y[0] = x[0];
}

#[quantize]
pub fn as_value<L>(x: &[L], y: &mut [f32]) {
    y[0] = x.len() as f32;
}

// Lifetimes and const generics are fine.
#[quantize]
pub fn fine<'a, L, const N: usize>(x: &'a [f32; N], y: &mut [f32]) {
    y[0] = x[0];
}

fn main() {}
