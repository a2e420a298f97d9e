//! Compile-time diagnostics of `#[quantize]` and `include_tuned!` (trybuild: each `tests/ui/*.rs` is checked
//! with `cargo check` and its errors compared with the `.stderr` next to it; `TRYBUILD=overwrite` rewrites them).
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail_*.rs");
    t.pass("tests/ui/pass_*.rs");
}
