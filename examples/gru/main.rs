//! A GRU reading MNIST row by row, through the whole libnumber flow. Run `cargo number tune gru` (see README),
//! or the subcommands by hand: `cargo run --release --example gru -- eval`.
mod model;

fn main() -> std::process::ExitCode {
    zoo::driver::main::<model::Gru>()
}
