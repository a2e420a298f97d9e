//! The MNIST MLP (784-256-128-10) through the whole libnumber flow. Run `cargo number tune mlp` (see README),
//! or the subcommands by hand: `cargo run --release --example mlp -- eval`.
mod model;

fn main() -> std::process::ExitCode {
    zoo::driver::main::<model::Mlp>()
}
