//! `cargo number`. (STUB)
fn main() {}
