//! `#[quantize]` for libnumber. (STUB: passes the item through.)
use proc_macro::TokenStream;

/// Marks a layer function whose float sites libnumber quantizes. (STUB)
#[proc_macro_attribute]
pub fn quantize(_attr: TokenStream, item: TokenStream) -> TokenStream {
    item
}

/// Includes a `tuned.rs` in tuned builds. (STUB)
#[proc_macro]
pub fn include_tuned(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}
