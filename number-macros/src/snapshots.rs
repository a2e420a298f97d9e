//! Expansion snapshots: each layer below is expanded in the three modes, formatted with prettyplease and
//! compared with `tests/snapshots/<layer>.<mode>.rs` at the workspace root. Set `UPDATE_SNAPSHOTS=1` to rewrite
//! them (then review the diff). A missing snapshot is written and the test fails.
use crate::expand::quantize;
use crate::model::Mode;
use proc_macro2::TokenStream;
use quote::quote;
use std::path::PathBuf;

fn expand(attr: TokenStream, item: TokenStream, mode: Mode) -> String {
    let ts = quantize(attr, item, Ok(mode));
    let file: syn::File =
        syn::parse2(ts.clone()).unwrap_or_else(|e| panic!("expansion does not parse: {e}\n{ts}"));
    prettyplease::unparse(&file)
}

fn check(name: &str, attr: TokenStream, item: TokenStream) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/snapshots");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut failures = Vec::new();
    for (mode, tag) in [
        (Mode::Plain, "plain"),
        (Mode::Calibrate, "calibrate"),
        (Mode::Tuned, "tuned"),
    ] {
        let got = expand(attr.clone(), item.clone(), mode);
        assert!(
            !got.contains("compile_error"),
            "{name}.{tag} expands to an error:\n{got}"
        );
        let path = dir.join(format!("{name}.{tag}.rs"));
        match std::fs::read_to_string(&path) {
            Ok(want) if want == got => {}
            Ok(_) if update => std::fs::write(&path, &got).unwrap(),
            Ok(want) => {
                let line = want
                    .lines()
                    .zip(got.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                failures.push(format!(
                    "{}: differs from line {} on\n--- snapshot\n{}\n--- expansion\n{}",
                    path.display(),
                    line + 1,
                    want.lines()
                        .skip(line)
                        .take(6)
                        .collect::<Vec<_>>()
                        .join("\n"),
                    got.lines()
                        .skip(line)
                        .take(6)
                        .collect::<Vec<_>>()
                        .join("\n"),
                ))
            }
            Err(_) => {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &got).unwrap();
                if !update {
                    failures.push(format!(
                        "{}: new snapshot written; review it",
                        path.display()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} (UPDATE_SNAPSHOTS=1 to accept)",
        failures.join("\n\n")
    );
}

#[test]
fn dense() {
    check(
        "dense",
        quote!(weights(w, b)),
        quote! {
            /// Fully connected layer with ReLU.
            pub fn dense<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
                let n_in = x.len();
                for o in 0..y.len() {
                    let mut acc: f32 = b[o];
                    for i in 0..n_in {
                        acc += w[o * n_in + i] * x[i];
                    }
                    y[o] = acc.max(0.0);
                }
            }
        },
    );
}

#[test]
fn conv2d() {
    check(
        "conv2d",
        quote!(weights(w, b)),
        quote! {
            pub fn conv2d<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], c_in: usize, h: usize, wd: usize, k: usize) {
                let (oh, ow) = (h - k + 1, wd - k + 1);
                let c_out = b.len();
                for o in 0..c_out {
                    for oy in 0..oh {
                        for ox in 0..ow {
                            let mut acc: f32 = b[o];
                            for c in 0..c_in {
                                for ky in 0..k {
                                    for kx in 0..k {
                                        acc += w[((o * c_in + c) * k + ky) * k + kx] * x[(c * h + oy + ky) * wd + ox + kx];
                                    }
                                }
                            }
                            y[(o * oh + oy) * ow + ox] = if acc > 0.0 { acc } else { 0.1 * acc };
                        }
                    }
                }
            }
        },
    );
}

#[test]
fn conv2d_lanes() {
    // The zoo's conv2d (src/layers/mod.rs): a typed im2col matrix shared with the input, filled by row copies,
    // and one kernel call per output channel that sums all positions side by side.
    check(
        "conv2d_lanes",
        quote!(weights(w, b), share(x, patch)),
        quote! {
            pub fn conv2d<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], g: Conv, relu: bool) {
                let (oh, ow) = (g.out_h(), g.out_w());
                let (n, np) = (g.in_c * g.k * g.k, oh * ow);
                let mut patch: Vec<f32> = vec![0.0; n * np];
                for c in 0..g.in_c {
                    for ky in 0..g.k {
                        for kx in 0..g.k {
                            let row = ((c * g.k + ky) * g.k + kx) * np;
                            // Output columns whose tap lies inside the input (the others keep their padding zeros).
                            let (lo, hi) = (g.pad.saturating_sub(kx), (g.in_w + g.pad).saturating_sub(kx).min(ow));
                            for oy in 0..oh {
                                // Input row of this tap (wrapping below zero: outside, like past the end).
                                let iy = (oy + ky).wrapping_sub(g.pad);
                                if iy < g.in_h {
                                    let src = (c * g.in_h + iy) * g.in_w + kx;
                                    for ox in lo..hi {
                                        patch[row + oy * ow + ox] = x[src + ox - g.pad];
                                    }
                                }
                            }
                        }
                    }
                }
                let mut acc: Vec<f32> = vec![0.0; np];
                for o in 0..g.out_c {
                    for p in 0..np {
                        acc[p] = b[o];
                    }
                    for i in 0..n {
                        for p in 0..np {
                            acc[p] += w[o * n + i] * patch[i * np + p];
                        }
                    }
                    for p in 0..np {
                        y[o * np + p] = if relu { acc[p].max(0.0) } else { acc[p] };
                    }
                }
            }
        },
    );
}

#[test]
fn depthwise_strided() {
    // The zoo's depthwise_conv2d (src/layers/depthwise.rs): a strided gather (one `copy_strided` per row) and
    // one lanes kernel call per channel.
    check(
        "depthwise_strided",
        quote!(weights(w, b), share(x, patch)),
        quote! {
            pub fn depthwise_conv2d<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], g: Depthwise, relu: bool) {
                let (oh, ow) = (g.out_h(), g.out_w());
                let (kk, np) = (g.k * g.k, oh * ow);
                let mut patch: Vec<f32> = vec![0.0; kk * np];
                let mut acc: Vec<f32> = vec![0.0; np];
                for c in 0..g.c {
                    for ky in 0..g.k {
                        for kx in 0..g.k {
                            let row = (ky * g.k + kx) * np;
                            // Output columns whose tap lies inside the input, `ox·stride + kx − pad` in `0..in_w` (the
                            // others keep their padding zeros).
                            let lo = g.pad.saturating_sub(kx).div_ceil(g.stride).min(ow);
                            let hi = (g.in_w + g.pad).saturating_sub(kx).div_ceil(g.stride).min(ow);
                            for oy in 0..oh {
                                // Input row `oy·stride + ky − pad` (wrapping below zero: outside, like past the end).
                                let iy = (oy * g.stride + ky).wrapping_sub(g.pad);
                                if iy < g.in_h {
                                    let src = (c * g.in_h + iy) * g.in_w + kx;
                                    for ox in lo..hi {
                                        patch[row + oy * ow + ox] = x[src + ox * g.stride - g.pad];
                                    }
                                }
                            }
                        }
                    }
                    for p in 0..np {
                        acc[p] = b[c];
                    }
                    for i in 0..kk {
                        for p in 0..np {
                            acc[p] += w[c * kk + i] * patch[i * np + p];
                        }
                    }
                    for p in 0..np {
                        y[c * np + p] = if relu { acc[p].max(0.0) } else { acc[p] };
                    }
                }
            }
        },
    );
}

#[test]
fn pool_sum() {
    // A summing loop (the zoo's global_avg_pool): one `dot::sum` / `Frame::sum` call per channel.
    check(
        "pool_sum",
        quote!(),
        quote! {
            pub fn global_avg_pool<L>(x: &[f32], y: &mut [f32], hw: usize) {
                for c in 0..y.len() {
                    let mut acc: f32 = 0.0;
                    for i in 0..hw {
                        acc += x[c * hw + i];
                    }
                    y[c] = acc / hw as f32;
                }
            }
        },
    );
}

#[test]
fn gru_cell() {
    check(
        "gru_cell",
        quote!(weights(wz, uz, wh, uh), share(z, r)),
        quote! {
            pub fn gru_cell<L>(wz: &[f32], uz: &[f32], wh: &[f32], uh: &[f32], x: &[f32], h: &mut [f32]) {
                let (n, m) = (h.len(), x.len());
                let mut h_new: Vec<f32> = vec![0.0; n];
                for j in 0..n {
                    let mut az: f32 = 0.0;
                    for i in 0..m {
                        az += wz[j * m + i] * x[i];
                    }
                    for k in 0..n {
                        az += uz[j * n + k] * h[k];
                    }
                    let z = 1.0 / (1.0 + (-az).exp());
                    let r = 1.0 - z;
                    let mut ah: f32 = 0.0;
                    for i in 0..m {
                        ah += wh[j * m + i] * x[i];
                    }
                    for k in 0..n {
                        ah += r * (uh[j * n + k] * h[k]);
                    }
                    h_new[j] = r * h[j];
                    h_new[j] += z * ah.tanh();
                }
                for j in 0..n {
                    h[j] = h_new[j];
                }
            }
        },
    );
}

/// Untyped `vec![..]` locals of f32 literals are sites exactly like `let y: Vec<f32> = vec![..]` (typed in tuned
/// builds when only indexed); an `f64` literal keeps its `vec![..]` out of the sites.
#[test]
fn vec_locals() {
    check(
        "vec_locals",
        quote!(weights(w)),
        quote! {
            pub fn vec_locals<L>(w: &[f32], x: &[f32], y: &mut [f32]) {
                let n = x.len();
                let mut h = vec![0.0f32; n];
                let mut g = vec![0.5, -1.0];
                let d = vec![0.0f64; n];
                for i in 0..n {
                    h[i] = w[i] * x[i];
                }
                g[0] += h[0];
                g.push(2.0);
                y[0] = h[n - 1] + g[0] + g[2] + d[0] as f32;
            }
        },
    );
}

/// Loop bounds may read the lengths of sites (`0..x.len()`): the loop is still an accumulation loop (an integer
/// kernel in tuned builds, GPTQ capture in calibrate builds).
#[test]
fn len_bounds() {
    check(
        "len_bounds",
        quote!(weights(w, b)),
        quote! {
            pub fn len_bounds<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
                for o in 0..b.len() {
                    let mut acc = b[o];
                    for i in 0..x.len() {
                        acc += w[o * x.len() + i] * x[i];
                    }
                    y[o] = acc;
                }
            }
        },
    );
}

#[test]
fn vec_locals_expand_like_typed_vec_locals() {
    let untyped = quote! {
        pub fn f<L>(x: &[f32], y: &mut [f32]) {
            let mut h = vec![0.0; x.len()];
            let mut g = vec![0.25f32, -1.0];
            for i in 0..x.len() { h[i] = x[i] * 2.0; }
            g[1] += h[0];
            y[0] = h[0] + g[1];
        }
    };
    let typed = quote! {
        pub fn f<L>(x: &[f32], y: &mut [f32]) {
            let mut h: Vec<f32> = vec![0.0; x.len()];
            let mut g: Vec<f32> = vec![0.25f32, -1.0];
            for i in 0..x.len() { h[i] = x[i] * 2.0; }
            g[1] += h[0];
            y[0] = h[0] + g[1];
        }
    };
    // The same code but for the written-out `: Vec<f32>` and the fingerprint (taken over the tokens).
    let normal = |s: String| -> String {
        let s = s.replace(": Vec<f32>", "");
        s.lines()
            .map(|l| match l.find("0x") {
                Some(i) if l.contains("FINGERPRINT") || l.contains("fingerprint") => &l[..i],
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    for mode in [Mode::Plain, Mode::Calibrate, Mode::Tuned] {
        let (a, b) = (
            expand(quote!(), untyped.clone(), mode),
            expand(quote!(), typed.clone(), mode),
        );
        assert!(
            a.contains("SiteKind::Local") || mode != Mode::Calibrate,
            "{a}"
        );
        assert_eq!(normal(a), normal(b), "{mode:?}");
    }
}

/// Scalar, reference, array and Vec parameters, the return site, re-bound names, closures, nested items and
/// the options `exclude` and `rename`, on a single-instance function.
#[test]
fn misc_single() {
    check(
        "misc_single",
        quote!(exclude(scale, lit3), rename(t = "tmp")),
        quote! {
            pub(crate) fn misc(a: f32, mut s: &mut f32, v: [f32; 4], r: &[f32; 4], mut acc: Vec<f32>, scale: f32) -> f32 {
                fn helper(q: f32) -> f32 { q * 2.0 }
                let t = a * 0.5;
                let t = t + r[0];
                *s += t;
                let sq = |e: f32| e * e * 3.0;
                acc[0] -= sq(v[1]) + 1.0;
                let n = acc.len();
                if n > 2 {
                    return acc[1] * scale;
                }
                helper(t) + acc[0] + 4.0
            }
        },
    );
}

#[test]
fn method_in_impl() {
    check(
        "method_in_impl",
        quote!(),
        quote! {
            impl<L> Scale<L> {
                pub fn new(k: f32) -> Self { Scale { k, _l: core::marker::PhantomData } }
                #[quantize(weights(g))]
                pub fn forward(&self, g: &[f32], x: &[f32], y: &mut [f32]) {
                    for i in 0..x.len() {
                        y[i] = g[i] * x[i] * self.k;
                    }
                }
                fn count(&self) -> usize { 1 }
            }
        },
    );
}

fn error_text(attr: TokenStream, item: TokenStream, mode: Mode) -> String {
    quantize(attr, item, Ok(mode)).to_string()
}

#[test]
fn plain_mode_keeps_the_function_tokens() {
    let item = quote! {
        pub fn dense<L>(w: &[f32], x: &[f32], y: &mut [f32]) {
            for o in 0..y.len() { let mut acc = 0.0f32; for i in 0..x.len() { acc += w[o * x.len() + i] * x[i]; } y[o] = acc; }
        }
    };
    let out = quantize(quote!(weights(w)), item.clone(), Ok(Mode::Plain)).to_string();
    // The function's own tokens, after the one attribute plain mode adds (its instance parameter is unused).
    let allow = quote!(#[allow(clippy::extra_unused_type_parameters)]);
    assert!(out.starts_with(&format!("{allow} {item}")), "{out}");
}

#[test]
fn weights_used_as_f32_get_a_view_in_tuned_builds() {
    let item = quote! {
        fn f(w: &[f32], y: &mut [f32]) { let s = &w[1..]; debug_assert!(!s.is_empty()); for v in w.iter() { y[0] += v; } let n = w.len(); y[1] = w[0]; }
    };
    for mode in [Mode::Plain, Mode::Calibrate, Mode::Tuned] {
        let e = expand(quote!(weights(w)), item.clone(), mode);
        assert!(!e.contains("compile_error"), "{e}");
    }
    // (`s` is named inside a macro, so it stays a slice rather than reads of `w` by index.)
    let t = expand(quote!(weights(w)), item.clone(), Mode::Tuned);
    for want in [
        "let mut __nq_f32s_w = ::number_rt::__private::F32s::<1024>::new();",
        "let __nq_f32_w: &[f32] = __nq_f32s_w.decode(w);",
        "let s = &__nq_f32_w[1..];",
        "for v in __nq_f32_w.iter()",
        "let n = w.len();",
        "w[0].to_f32()",
    ] {
        assert!(t.contains(want), "{want}: {t}");
    }
    // Calibrate builds read the quantized copy the prologue binds to `w`; no view.
    let c = expand(quote!(weights(w)), item.clone(), Mode::Calibrate);
    assert!(
        c.contains("let s = &w[1..];") && !c.contains("__nq_f32"),
        "{c}"
    );
    // Only indexed: no view.
    let t = expand(
        quote!(weights(w)),
        quote! { fn f(w: &[f32], y: &mut [f32]) { y[0] = w[0]; } },
        Mode::Tuned,
    );
    assert!(!t.contains("F32s"), "{t}");
}

#[test]
fn weights_passed_to_layers_or_read_from_fields_are_errors_in_every_mode() {
    let item = quote! {
        fn f<L>(w: &[f32], x: &[f32], y: &mut [f32], l: &Linear) {
            let a = helper(&w[0..2], x);
            let b = x.iter().zip(w).count();
            for v in w { y[0] += *v; }
            for c in w.chunks(2) { y[0] += c[0]; }
            layer::<L>(w, x, y);
            y[1] += l.w[0] * x[0];
            y[2] = l.b[1];
            let t: f32 = l.b[0];
            let k = l.taps[0];
            y[3] = x[0] * l.gain;
            let mut acc: f32 = 0.0;
            for i in 0..2 { acc += l.w[i] * x[i]; }
        }
    };
    for mode in [Mode::Plain, Mode::Calibrate, Mode::Tuned] {
        let e = error_text(quote!(weights(w)), item.clone(), mode);
        for want in [
            "weight `w` is passed to `layer::<L>`, a call with generic arguments",
            "`l.w[0]` reads an element of the struct field `l.w`",
            "`l.b[1]` reads an element of the struct field `l.b`",
            "`l.b[0]` reads an element of the struct field `l.b`",
            "`l.w[i]` reads an element of the struct field `l.w`",
        ] {
            assert!(e.contains(want), "{want}: {e}");
        }
        // Helpers taking `&[f32]`, iterators and `for` loops read the weight as f32 (a view in tuned builds);
        // not in float arithmetic with a site (`l.taps[0]`), or a scalar field (`l.gain`): no error.
        assert_eq!(e.matches("compile_error").count(), 5, "{e}");
    }
    // `generic(w)`: passed on as it is.
    let e = error_text(quote!(weights(w), generic(w)), item, Mode::Tuned);
    assert_eq!(e.matches("compile_error").count(), 4, "{e}");
}

#[test]
fn shadowing_a_site_with_a_non_float_binding() {
    // `x` is re-bound to a usize: `x += 1` must not be quantized, and `x[..]` reads after it are not sites.
    let out = expand(
        quote!(),
        quote! { fn f(x: &[f32], y: &mut [f32]) { y[0] = x[0]; { let mut x = x.len(); x += 1; y[1] = x as f32; } } },
        Mode::Calibrate,
    );
    assert!(out.contains("x += 1;"), "{out}");
    assert!(out.contains("y[1] = __nq.q(1, x as f32)"), "{out}");
}

#[test]
fn rebound_names_get_suffixes() {
    let out = expand(
        quote!(),
        quote! { fn f(x: f32) -> f32 { let x = x * 2.0; let x = x + 1.0; x } },
        Mode::Calibrate,
    );
    for ident in [
        "\"x\"", "\"x_2\"", "\"x_3\"", "\"ret\"", "\"lit0\"", "\"lit1\"",
    ] {
        assert!(
            out.contains(&format!("ident: {ident}")),
            "{ident} missing in\n{out}"
        );
    }
}

#[test]
fn field_weights() {
    check(
        "field_weights",
        quote!(),
        quote! {
            impl<L> Linear<L> {
                #[quantize(weights(self.w, self.b))]
                pub fn forward(&self, x: &[f32], y: &mut [f32]) {
                    let n = x.len();
                    for o in 0..y.len() {
                        let mut acc = self.b[o];
                        for i in 0..n {
                            acc += self.w[o * n + i] * x[i];
                        }
                        y[o] = acc * self.gain;
                    }
                }
            }
        },
    );
    // A field of a parameter, and the errors.
    let item = quote! {
        fn f<L>(l: &Linear, x: &[f32], y: &mut [f32]) {
            for i in 0..x.len() { y[i] = l.w[i] * x[i]; }
        }
    };
    let t = expand(quote!(weights(l.w)), item, Mode::Tuned);
    assert!(
        t.contains("let __nq_wsrc_w = &::number_rt::__private::WeightRead::prepare(\n        &l.w,")
            && t.contains("let w: &[<L as f::Formats>::w] = ::number_rt::__private::WeightRead::read(\n        __nq_wsrc_w,"),
        "{t}"
    );
    assert!(t.contains("w[i].to_f32()"), "{t}");
    let e = error_text(
        quote!(weights(k.w, self.b, x.x)),
        quote! { fn f<L>(l: &Linear, x: &[f32], y: &mut [f32]) { y[0] = x[0]; } },
        Mode::Calibrate,
    );
    for want in [
        "weights(k.w): `k` is not a parameter of `f`",
        "weights(self.b): `f` has no `self` parameter",
        "weights(x.x): the site would be called `x`",
    ] {
        assert!(e.contains(want), "{want}: {e}");
    }
}

#[test]
fn zip_dot() {
    check(
        "zip_dot",
        quote!(weights(w, u)),
        quote! {
            pub fn cell<L>(w: &[f32], u: &[f32], x: &[f32], h: &mut [f32]) {
                let n = h.len();
                let m = x.len();
                let prev: Vec<f32> = h.to_vec();
                for o in 0..n {
                    let a: f32 = w[o * m..(o + 1) * m].iter().zip(x).map(|(a, v)| a * v).sum();
                    let b = prev.iter().zip(&u[o * n..]).map(|(&p, &q)| q * p).sum::<f32>();
                    h[o] = (a + b).tanh();
                }
            }
        },
    );
}

#[test]
fn fold_dot() {
    check(
        "fold_dot",
        quote!(weights(w, b)),
        quote! {
            pub fn dense<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
                let n = x.len();
                for o in 0..y.len() {
                    let s = x.iter().zip(&w[o * n..]).fold(b[o], |acc, (p, q)| acc + p * q);
                    y[o] = s + (0..n).fold(0.0, |acc, i| w[o * n + i] * x[i] + acc);
                }
            }
        },
    );
}

#[test]
fn fused_gates() {
    check(
        "fused_gates",
        quote!(weights(wz, wc, b)),
        quote! {
            pub fn gates<L>(wz: &[f32], wc: &[f32], b: &[f32], x: &[f32], h: &mut [f32]) {
                let m = x.len();
                for j in 0..h.len() {
                    let mut z: f32 = 0.0;
                    let mut c: f32 = b[j];
                    for i in 0..m {
                        z += wz[j * m + i] * x[i];
                        c += wc[j * m + i] * x[i];
                    }
                    h[j] = z * c;
                }
            }
        },
    );
}

#[test]
fn chunk_rows() {
    check(
        "chunk_rows",
        quote!(weights(w, b, u)),
        quote! {
            pub fn dense<L>(w: &[f32], b: &[f32], u: &[f32], x: &[f32], y: &mut [f32]) -> Vec<f32> {
                let n = x.len();
                for (o, row) in w.chunks(n).enumerate() {
                    let mut acc = b[o];
                    for (a, v) in row.iter().zip(x) {
                        acc += a * v;
                    }
                    y[o] = acc.max(0.0);
                }
                let mut first: f32 = 0.0;
                for (i, &a) in u[..n].iter().enumerate() {
                    first += a * x[i];
                }
                y[0] += first;
                u.chunks_exact(n)
                    .zip(b)
                    .map(|(row, bias)| row.iter().zip(x).map(|(a, v)| a * v).sum::<f32>() + bias)
                    .collect()
            }
        },
    );
}

#[test]
fn slice_views() {
    check(
        "slice_views",
        quote!(weights(w)),
        quote! {
            pub fn conv<L>(w: &[f32], x: &[f32], k: usize) -> Vec<f32> {
                let mut y = Vec::new();
                for o in 0..w.len() / k {
                    let row = &w[o * k..(o + 1) * k];
                    for t in 0..x.len() + 1 - k {
                        let window = &x[t..t + k];
                        let mut acc: f32 = 0.0;
                        for (a, v) in row.iter().zip(window) {
                            acc += a * v;
                        }
                        y.push(acc + window[0] * row.len() as f32);
                    }
                }
                y
            }
        },
    );
}

#[test]
fn range_dot() {
    check(
        "range_dot",
        quote!(weights(w, b)),
        quote! {
            pub fn dense<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
                let n = x.len();
                for o in 0..y.len() {
                    y[o] = b[o] + (0..n).map(|i| w[o * n + i] * x[i]).sum::<f32>();
                }
            }
        },
    );
}
