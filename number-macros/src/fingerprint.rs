//! The fingerprint of a function: FNV-1a 64 of a canonical text of its tokens (signature and body, without
//! attributes), so it is stable across builds and compiler versions and changes whenever the code does.
use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// A canonical text of `ts`: tokens separated by single spaces, joint punctuation kept together.
pub(crate) fn canonical(ts: TokenStream, out: &mut String) {
    for tt in ts {
        match tt {
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => ("", ""),
                };
                out.push_str(open);
                out.push(' ');
                canonical(g.stream(), out);
                out.push_str(close);
                out.push(' ');
            }
            TokenTree::Punct(p) => {
                out.push(p.as_char());
                if p.spacing() == Spacing::Alone {
                    out.push(' ');
                }
            }
            TokenTree::Ident(i) => {
                out.push_str(&i.to_string());
                out.push(' ');
            }
            TokenTree::Literal(l) => {
                out.push_str(&l.to_string());
                out.push(' ');
            }
        }
    }
}

/// FNV-1a, 64 bits.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The fingerprint of a function from its signature and body tokens.
pub(crate) fn fingerprint(sig: TokenStream, body: TokenStream) -> u64 {
    let mut s = String::new();
    canonical(sig, &mut s);
    canonical(body, &mut s);
    fnv1a(s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn fnv_reference_values() {
        assert_eq!(fnv1a(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn fingerprint_tracks_tokens_not_spacing() {
        let a = fingerprint(quote!(fn f(x: f32) -> f32), quote!({ x + 1.0 }));
        let b = fingerprint(quote!(fn  f( x :f32 )->f32), quote!({ x + 1.0 }));
        let c = fingerprint(quote!(fn f(x: f32) -> f32), quote!({ x + 2.0 }));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
