//! The libnumber model zoo: layer code shared by the examples (written once in plain f32 and marked
//! `#[quantize]`), real data loaders, weights files, and the command line every example shares.
pub mod data;
pub mod driver;
pub mod layers;
pub mod pth;
pub mod weights;
