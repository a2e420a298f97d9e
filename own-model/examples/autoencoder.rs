//! The autoencoder through libnumber's workflow: `cargo number tune --example autoencoder` (from this folder).
use digits_autoencoder::Autoencoder;
use digits_autoencoder::data::{Part, images};
use number_rt::workflow::{Metric, Split, Task};

fn main() -> std::process::ExitCode {
    let task = Task::new(
        "autoencoder",
        || Autoencoder::load("weights.safetensors"),
        |split| {
            images(match split {
                Split::Calibration => Part::Train,
                Split::Validation => Part::Validation,
                Split::Test => Part::Test,
            })
        },
        |model: &Autoencoder, x: &Vec<f32>| model.forward(x),
    )
    // Reconstruction quality, the model's own task: the share of the pixels' variance the output explains (R²
    // against the input, which is the target).
    .metric(Metric::r_squared(|x: &Vec<f32>| x.clone()))
    .tuned_rs("src/tuned.rs");
    number_rt::workflow::main(task)
}
