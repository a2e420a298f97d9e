//! A depthwise-separable (MobileNet-style) CNN on MNIST through the whole libnumber flow. Run
//! `cargo number tune mobilenet` (see README), or the subcommands by hand:
//! `cargo run --release --example mobilenet -- eval`.
mod model;

fn main() -> std::process::ExitCode {
    zoo::driver::main::<model::MobileNet>()
}
