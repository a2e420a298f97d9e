//! The workflow API (`number_rt::workflow`) on a zoo model, in a process of its own (profiles are process-wide).
//! Needs a calibrate build and MNIST: `cargo number fetch mnist && cargo test --release --features calibrate
//! --test workflow_stream` (`cargo number test` runs it).
#![cfg(feature = "calibrate")]

use std::path::Path;
use zoo::data::Split;
use zoo::driver::Classifier;

#[path = "../examples/gru/model.rs"]
#[allow(dead_code)]
mod gru_model;

/// The workflow API on a stateful model that is not scored as a classifier: the GRU reads an image row by row
/// (its hidden state carried from step to step inside `run`), scored by the relative squared error of its outputs
/// against the f32 model's; tuned into a scratch folder, then regenerated with `check`, and the file it wrote
/// fits the code that ran.
#[test]
fn a_streaming_model_tunes_through_the_workflow_api_with_an_output_error_metric() {
    use number_rt::tune::TuneOptions;
    use number_rt::workflow::{Metric, Paths, Split as S, Task, tune};
    let task = Task::new(
        "gru-stream",
        || {
            gru_model::Gru::load(Path::new(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/examples/gru/weights.safetensors"
            )))
        },
        |split| -> Result<Vec<Vec<f32>>, String> {
            let (part, n) = match split {
                S::Calibration => (Split::Train, 40),
                S::Validation => (Split::Validation, 200),
                S::Test => (Split::Test, 100),
            };
            let d = gru_model::Gru::dataset(part)?;
            Ok((0..n.min(d.n)).map(|i| d.image(i).to_vec()).collect())
        },
        |m: &gru_model::Gru, x: &Vec<f32>| m.logits(x),
    )
    .metric(Metric::RelativeMse)
    .integer_state(["gru_cell.h"]);
    let dir = std::env::temp_dir().join(format!("number-workflow-{}", std::process::id()));
    let paths = Paths {
        tuned_rs: dir.join("tuned.rs"),
        report_dir: dir.join("report"),
    };
    std::fs::create_dir_all(&dir).unwrap();
    let model = task.load().unwrap();
    let o = TuneOptions {
        max_loss: "2%".parse().unwrap(),
        max_evals: Some(60),
        calib: 40,
        ..TuneOptions::default()
    };
    let command = "cargo number tune --example gru-stream --max-loss 2% --max-evals 60 --calib 40";
    let s = tune(&task, &model, &o, command, &paths, false).unwrap();
    assert!(
        s.outcome.param_bits * 4 < s.outcome.f32_param_bits,
        "{} bits of {}",
        s.outcome.param_bits,
        s.outcome.f32_param_bits
    );
    assert_eq!((s.test_outputs.len(), s.test_f32), (100, 1.0));
    assert!(s.test_tuned < 1.0 && s.test_tuned > 0.9, "{}", s.test_tuned);
    let emulated =
        number_rt::workflow::Outputs::read(&paths.report_dir.join("emulated-test.json")).unwrap();
    assert_eq!(emulated.digests.len(), 100);
    // Deterministic: the same run regenerates the file byte for byte.
    tune(&task, &model, &o, command, &paths, true).unwrap();
    // The file fits the code that ran (no stale function, every site named).
    let file = number_rt::tuned_file::read_file(&paths.tuned_rs).unwrap();
    number_rt::tuned_file::check_current(&file).unwrap();
    assert!(
        file.header
            .command
            .starts_with("cargo number tune --example gru-stream")
    );
    let _ = std::fs::remove_dir_all(dir);
}
