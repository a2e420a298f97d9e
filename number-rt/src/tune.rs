//! The auto-tuner. (STUB)
