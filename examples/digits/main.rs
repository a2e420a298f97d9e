//! An MLP on the UCI 8×8 digits (embedded in the `smartcore` crate: no fetch, the zoo's zero-set-up model)
//! through the whole libnumber flow: `cargo number tune digits`, or `cargo run --release --example digits -- eval`.
mod model;

fn main() -> std::process::ExitCode {
    zoo::driver::main::<model::Digits>()
}
