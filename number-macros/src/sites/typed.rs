//! Typed activations (tuned builds): an input slice parameter or a local `Vec<f32>` site that the body only
//! indexes (`x[i]`, `x[i] = v`, `x[i] += v`) or measures (`x.len()`) is stored in its site's number type
//! instead of f32 — a quantized copy of the caller's f32 values (`__private::Typed`: on the stack up to 1024
//! values, else a `Vec`; a local `Vec<T>`), element reads `x[i].to_f32()`, element writes `T::from_f32(v)` —
//! so that inner-product kernels get narrow integers directly. The values are the same as the f32 site's
//! (`T::from_f32(v).to_f32() == T::quantize(v)`), so results are bit-identical.
use super::single_ident;
use proc_macro2::{TokenStream, TokenTree};
use std::collections::{HashMap, HashSet};
use syn::visit::{self, Visit};
use syn::{Block, Expr};

/// Use counts of identifiers: uses through an index or `.len()` / `.is_empty()`, and any other use.
#[derive(Default)]
struct Uses {
    ok: HashMap<String, usize>,
    bad: HashSet<String>,
}

fn idents(ts: &TokenStream, out: &mut HashSet<String>) {
    for t in ts.clone() {
        match t {
            TokenTree::Ident(i) => {
                out.insert(i.to_string());
            }
            TokenTree::Group(g) => idents(&g.stream(), out),
            _ => {}
        }
    }
}

impl<'ast> Visit<'ast> for Uses {
    fn visit_expr(&mut self, e: &'ast Expr) {
        match e {
            Expr::Index(ix)
                if single_ident(&ix.expr).is_some() && !matches!(&*ix.index, Expr::Range(_)) =>
            {
                *self
                    .ok
                    .entry(single_ident(&ix.expr).unwrap().to_string())
                    .or_default() += 1;
                self.visit_expr(&ix.index);
            }
            Expr::MethodCall(m)
                if single_ident(&m.receiver).is_some()
                    && (m.method == "len" || m.method == "is_empty") =>
            {
                *self
                    .ok
                    .entry(single_ident(&m.receiver).unwrap().to_string())
                    .or_default() += 1;
                for a in &m.args {
                    self.visit_expr(a);
                }
            }
            Expr::Path(p) if p.path.segments.len() == 1 => {
                self.bad.insert(p.path.segments[0].ident.to_string());
            }
            _ => visit::visit_expr(self, e),
        }
    }
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        // Tokens inside macros are not analysed: any identifier there may be used in any way.
        idents(&m.tokens, &mut self.bad);
    }
}

/// The names, among `names`, that the body uses only through an index or `.len()` / `.is_empty()`.
pub(crate) fn only_indexed(body: &Block, names: &[String]) -> HashSet<String> {
    let mut u = Uses::default();
    u.visit_block(body);
    names
        .iter()
        .filter(|n| u.ok.contains_key(*n) && !u.bad.contains(*n))
        .cloned()
        .collect()
}
