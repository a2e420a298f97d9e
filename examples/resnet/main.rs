//! A small residual CNN on MNIST through the whole libnumber flow. Run `cargo number tune resnet` (see README),
//! or the subcommands by hand: `cargo run --release --example resnet -- eval`.
mod model;

fn main() -> std::process::ExitCode {
    zoo::driver::main::<model::ResNet>()
}
