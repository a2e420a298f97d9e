//! A small transformer encoder (vision-transformer style) on MNIST through the whole libnumber flow. Run
//! `cargo number tune transformer` (see README), or the subcommands by hand:
//! `cargo run --release --example transformer -- eval`.
mod model;

fn main() -> std::process::ExitCode {
    zoo::driver::main::<model::Transformer>()
}
