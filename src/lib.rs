//! The libnumber model zoo: shared layer code, data loaders and the example driver. (STUB)
pub mod data;
pub mod weights;
