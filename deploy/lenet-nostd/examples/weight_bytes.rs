//! Bytes of the baked weight data against f32: `cargo run --release --example weight_bytes`. The statics are
//! in the binary's read-only data; list them with
//! `nm -C -S --size-sort target/release/examples/weight_bytes | grep weights::`.
use lenet_nostd::{BAKED, predict};

fn main() {
    let (bytes, bits, f32_bytes) = BAKED.bytes();
    println!(
        "baked weight data: {bytes} bytes (parameter bits / 8: {}); as f32: {f32_bytes} bytes ({:.2}x smaller)",
        bits.div_ceil(8),
        f32_bytes as f64 / bytes as f64
    );
    // Use the model, so that the statics are linked in.
    println!(
        "prediction for a blank image: {}",
        predict(&[-0.1307 / 0.3081; 784])
    );
}
