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
    // Reconstruction quality, the model's own task: the share of the pixels' variance the output explains (R²).
    .metric(Metric::custom(
        "reconstruction R²",
        |inputs: &[&Vec<f32>], outputs, _f32_outputs| {
            let pixels = inputs.iter().flat_map(|x| x.iter());
            let mean = pixels.clone().map(|&p| p as f64).sum::<f64>() / (64 * inputs.len()) as f64;
            let (mut err, mut var) = (0.0, 0.0);
            for (x, y) in inputs.iter().zip(outputs) {
                for (&p, &q) in x.iter().zip(y) {
                    err += (p as f64 - q as f64).powi(2);
                    var += (p as f64 - mean).powi(2);
                }
            }
            1.0 - err / var
        },
    ))
    .tuned_rs("src/tuned.rs");
    number_rt::workflow::main(task)
}
