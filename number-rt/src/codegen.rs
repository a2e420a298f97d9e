//! Writes `tuned.rs`. (STUB)
