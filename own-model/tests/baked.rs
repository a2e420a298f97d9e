//! The baked weights (`src/baked.rs`) are the weights the tuned build loads: same outputs, bit for bit, on every
//! test image. Run with `cargo test --release --features tuned`.
#![cfg(feature = "tuned")]
use digits_autoencoder::Autoencoder;
use digits_autoencoder::data::{Part, images};

#[test]
fn baked_statics_compute_what_the_loaded_tuned_model_computes() {
    // What the workflow does before loading a tuned build: install the GPTQ-rounded weights tuned.rs names.
    number_rt::rounded_weights::install_named(std::path::Path::new("src/tuned.rs")).unwrap();
    let model = Autoencoder::load("weights.safetensors").unwrap();
    let test = images(Part::Test).unwrap();
    for (i, x) in test.iter().enumerate() {
        let (a, b) = (model.forward(x), Autoencoder::forward_baked(x));
        let bits = |v: &[f32]| v.iter().map(|y| y.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a), bits(&b), "test image {i}");
    }
}
