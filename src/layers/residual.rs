//! Residual connections: the skip add of a residual block (ResNet) or of a transformer sub-layer.
use number_rt::quantize;

/// `y = a + b` element by element (a block's input plus its residual branch), optionally followed by ReLU.
///
/// The sum is its own site (`Skip1/residual_add.y`), so the tuner picks the format of a block's output
/// separately from the formats of the two branches that meet there.
#[quantize]
pub fn residual_add<L>(a: &[f32], b: &[f32], y: &mut [f32], relu: bool) {
    for i in 0..y.len() {
        y[i] = if relu { (a[i] + b[i]).max(0.0) } else { a[i] + b[i] };
    }
}
