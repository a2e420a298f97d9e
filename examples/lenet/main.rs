//! LeNet-5 on MNIST through the whole libnumber flow. Run `cargo number tune lenet` (see README), or the
//! subcommands by hand: `cargo run --release --example lenet -- eval`.
mod model;

fn main() -> std::process::ExitCode {
    zoo::driver::main::<model::LeNet>()
}
