//! A CNN trained with batch normalisation on Fashion-MNIST, batch norm folded into the convolutions at load
//! time, through the whole libnumber flow. `cargo number fetch fashion-mnist`, then `cargo number tune fashion_bn`
//! or `cargo run --release --example fashion_bn -- eval`.
mod model;

fn main() -> std::process::ExitCode {
    zoo::driver::main::<model::FashionBn>()
}
