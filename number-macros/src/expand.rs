//! Expansion of `#[quantize]`: item dispatch, validation of the item's shape, and the code of each mode.
use crate::attr::{Errors, Options, parse_options};
use crate::fingerprint::fingerprint;
use crate::model::{FnModel, Mode, Param, Shape};
use crate::sites::{Analysis, Candidate, Gen, analyze, validate_names};
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote};
use syn::{
    Attribute, Block, FnArg, GenericParam, Generics, Ident, ImplItem, Item, ItemFn, ItemImpl,
    LitInt, Pat, ReturnType, Signature, Type, Visibility, WherePredicate, parse_quote,
};

/// The mode selected by number-macros' features (`Err` when both are on).
pub(crate) fn feature_mode() -> Result<Mode, &'static str> {
    match (cfg!(feature = "calibrate"), cfg!(feature = "tuned")) {
        (true, true) => Err(
            "number-rt: the features `calibrate` and `tuned` select different build modes of #[quantize]; enable at most one",
        ),
        (true, false) => Ok(Mode::Calibrate),
        (false, true) => Ok(Mode::Tuned),
        (false, false) => Ok(Mode::Plain),
    }
}

/// `#[quantize(attr)] item`.
pub(crate) fn quantize(
    attr: TokenStream,
    item: TokenStream,
    build_mode: Result<Mode, &str>,
) -> TokenStream {
    let mut errors = Errors::default();
    let opts = match parse_options(attr, &mut errors) {
        Ok(o) => o,
        Err(e) => {
            let e = e.to_compile_error();
            return quote!(#item #e);
        }
    };
    let mode = match (opts.mode, build_mode) {
        (Some((m, _)), _) => m,
        (None, Ok(m)) => m,
        (None, Err(msg)) => {
            errors.at(Span::call_site(), msg);
            Mode::Plain
        }
    };
    let parsed: Item = match syn::parse2(item.clone()) {
        Ok(i) => i,
        Err(e) => {
            let e = e.to_compile_error();
            return quote!(#item #e);
        }
    };
    // What an error leaves in place of the expansion: the item as written, without the methods' own
    // `#[quantize(..)]` attributes (they would otherwise expand on their own and report a second, wrong error).
    let echo = match &parsed {
        Item::Impl(i) => {
            let mut i = i.clone();
            for it in &mut i.items {
                if let ImplItem::Fn(f) = it {
                    f.attrs.retain(|a| !is_quantize_attr(a));
                }
            }
            i.to_token_stream()
        }
        _ => item.clone(),
    };
    let out = match parsed {
        Item::Fn(f) => expand_fn(&opts, f, mode, &mut errors),
        Item::Impl(i) => expand_impl(&opts, i, mode, &mut errors),
        other => {
            let (span, kw) = item_keyword(&other.to_token_stream());
            errors.at(
                span,
                format_args!(
                    "#[quantize] applies to functions (`fn`) and impl blocks (`impl<L> Layer<L> {{ ... }}`), \
                     not to `{kw}` items"
                ),
            );
            None
        }
    };
    match (out, errors.into_result()) {
        (Some(ts), Ok(())) => ts,
        (_, Err(e)) => {
            let e = e.to_compile_error();
            quote!(#echo #e)
        }
        (None, Ok(())) => echo,
    }
}

/// The span and text of an item's keyword (`struct`, `const`, …), skipping visibility and attributes.
fn item_keyword(ts: &TokenStream) -> (Span, String) {
    const KW: &[&str] = &[
        "struct",
        "enum",
        "union",
        "const",
        "static",
        "trait",
        "mod",
        "type",
        "use",
        "extern",
        "macro_rules",
        "impl",
        "fn",
    ];
    for tt in ts.clone() {
        if let TokenTree::Ident(i) = &tt {
            let s = i.to_string();
            if KW.contains(&s.as_str()) {
                return (i.span(), s);
            }
        }
    }
    (Span::call_site(), "this kind of".to_string())
}

/// Rejects `async`, `const` and `extern "ABI"` functions.
fn check_modifiers(sig: &Signature, errors: &mut Errors) {
    if let Some(t) = &sig.asyncness {
        errors.spanned(
            t,
            "#[quantize] does not support `async fn`: layer functions are plain synchronous code",
        );
    }
    if let Some(t) = &sig.constness {
        errors.spanned(
            t,
            "#[quantize] does not support `const fn`: calibrate builds call the run-time emulator from its body",
        );
    }
    if let Some(abi) = &sig.abi {
        errors.spanned(
            abi.extern_token,
            "#[quantize] does not support `extern` ABIs: quantized layer functions are Rust functions \
             (wrap the layer in an `extern` function if you need one)",
        );
    }
    if let Some(v) = &sig.variadic {
        errors.spanned(v, "#[quantize] does not support variadic functions");
    }
}

fn mentions(ts: TokenStream, id: &Ident) -> Option<Span> {
    for tt in ts {
        match tt {
            TokenTree::Ident(i) if i == *id => return Some(i.span()),
            TokenTree::Group(g) => {
                if let Some(s) = mentions(g.stream(), id) {
                    return Some(s);
                }
            }
            _ => {}
        }
    }
    None
}

/// Finds the instance parameter: at most one type parameter, without bounds or default. On an impl block
/// (`on_impl`) it may be bounded by `Formats` traits of its methods (`impl<L: dense_forward::Formats>
/// Dense<L>`): a struct storing weights in their tuned types needs that bound.
fn instance_param(
    generics: &Generics,
    fn_name: &str,
    on_impl: bool,
    errors: &mut Errors,
) -> Option<Ident> {
    let tps: Vec<_> = generics.type_params().collect();
    for extra in tps.iter().skip(1) {
        errors.spanned(
            &extra.ident,
            format_args!(
                "#[quantize] functions take at most one type parameter, the layer instance (`fn {fn_name}<L>(...)`, \
                 called as `{fn_name}::<Fc1>(...)`); `{}` is a second one (lifetimes and const generics are fine)",
                extra.ident
            ),
        );
    }
    let tp = tps.first()?;
    let l = tp.ident.clone();
    let misuse = |errors: &mut Errors, tokens: TokenStream| {
        errors.spanned(
            tokens,
            format_args!(
                "the instance parameter `{l}` of a #[quantize] function takes no bounds: it only names the layer \
                 instance; #[quantize] adds the bound each build mode needs (`number_rt::Instance` when \
                 calibrating, `{fn_name}::Formats` when tuned)"
            ),
        );
    };
    let formats_bound = |b: &syn::TypeParamBound| {
        on_impl
            && matches!(b, syn::TypeParamBound::Trait(t)
                if t.path.segments.len() == 2 && t.path.segments.last().is_some_and(|s| s.ident == "Formats"))
    };
    if !tp.bounds.iter().all(formats_bound) {
        misuse(errors, tp.bounds.to_token_stream());
    }
    if let Some((eq, ty)) = &tp.default {
        errors.spanned(
            quote!(#eq #ty),
            format_args!("the instance parameter `{l}` takes no default"),
        );
    }
    if let Some(wc) = &generics.where_clause {
        for p in &wc.predicates {
            if let WherePredicate::Type(pt) = p
                && mentions(pt.bounded_ty.to_token_stream(), &l).is_some()
                && !pt.bounds.iter().all(formats_bound)
            {
                misuse(errors, p.to_token_stream());
            }
        }
    }
    Some(l)
}

/// The instance parameter must not be the type of a value.
fn check_instance_use(sig: &Signature, l: &Ident, errors: &mut Errors) {
    let msg = format!(
        "the instance parameter `{l}` names a layer instance (`{}::<Fc1>(...)`), not a value type: it cannot \
         appear in parameter or return types",
        sig.ident
    );
    for arg in &sig.inputs {
        if let FnArg::Typed(pt) = arg
            && mentions(pt.ty.to_token_stream(), l).is_some()
        {
            errors.spanned(&pt.ty, &msg);
        }
    }
    if let ReturnType::Type(_, ty) = &sig.output
        && mentions(ty.to_token_stream(), l).is_some()
    {
        errors.spanned(ty, &msg);
    }
}

fn mod_vis(vis: &Visibility) -> TokenStream {
    match vis {
        Visibility::Public(_) => quote!(pub),
        _ => quote!(pub(crate)),
    }
}

/// The container alias of weight `w` in its function's module: `w` with its first letter upper case (`W`, `B`,
/// `W_ih`): `Vec<f32>` in plain and calibrate builds, in tuned builds `__private::Stored<T>` of the weight's
/// tuned type (`Packed<T>` with number-rt's feature `packed`, else `Vec<T>`).
pub(crate) fn container_ident(w: &Ident) -> Ident {
    let s = w.to_string();
    let mut c = s.chars();
    let up: String = match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => s.clone(),
    };
    let up = if up == s { format!("{s}_packed") } else { up };
    Ident::new(&up, w.span())
}

fn hex(v: u64) -> LitInt {
    LitInt::new(&format!("{v:#018x}"), Span::call_site())
}

// ------------------------------------------------------------------ shared pieces

/// `mod dense { FINGERPRINT, [Formats, Single], weight aliases }`.
pub(crate) fn module(model: &FnModel, mode: Mode, vis: TokenStream) -> TokenStream {
    let m = &model.mod_name;
    let fp = hex(model.fingerprint);
    let weights: Vec<&Param> = model
        .params
        .iter()
        .filter(|p| p.weight && p.site.is_some())
        .collect();
    let crate::model::Names {
        formats,
        single,
        fingerprint,
    } = crate::model::names();
    let mut items = vec![quote!(
        /// Fingerprint of the function's code; `tuned.rs` asserts it.
        pub const #fingerprint: u64 = #fp;
    )];
    match mode {
        Mode::Plain | Mode::Calibrate => {
            // The bound of tuned builds, met by every instance here, so that code generic over the instance
            // (`struct Conv<L: conv::Formats> { w: Vec<conv::w<L>> }`) compiles in every mode. Calibrate builds
            // call the function with `L: Instance`, which the trait therefore implies.
            items.push(if mode == Mode::Calibrate {
                quote!(
                    /// Every layer instance: formats are chosen at run time in calibrate builds (tuned builds
                    /// implement this trait per instance in `tuned.rs`).
                    pub trait #formats: ::number_rt::__private::Instance {}
                    impl<T: ::number_rt::__private::Instance> #formats for T {}
                )
            } else {
                quote!(
                    /// Every type: plain builds have no formats (tuned builds implement this trait per instance
                    /// in `tuned.rs`).
                    pub trait #formats {}
                    impl<T: ?::core::marker::Sized> #formats for T {}
                )
            });
            for p in &weights {
                let w = &p.ident;
                let c = container_ident(w);
                items.push(match &model.instance {
                    Some(l) => quote!(
                        pub type #w<#l> = <#l as ::number_rt::__private::AnyF32>::F32;
                        pub type #c<#l> = ::number_rt::__private::Vec<<#l as ::number_rt::__private::AnyF32>::F32>;
                    ),
                    None => quote!(
                        pub type #w = f32;
                        pub type #c = ::number_rt::__private::Vec<f32>;
                    ),
                });
            }
        }
        Mode::Tuned => {
            let idents = model.idents();
            let fname = m.to_string();
            let message = format!("no tuned formats for `{{Self}}` in `{fname}`");
            let note = format!(
                "tuned.rs has no `impl {fname}::Formats for {{Self}}`: re-run the tuner (`{}`) and rebuild",
                crate::tuned_file::tune_command()
            );
            items.push(quote!(
                /// The formats of this function's sites for one layer instance (implemented in `tuned.rs`).
                #[diagnostic::on_unimplemented(message = #message, note = #note)]
                pub trait #formats: 'static {
                    #( type #idents: ::number_rt::__private::Number; )*
                }
            ));
            let inst = match &model.instance {
                Some(l) => quote!(#l),
                None => {
                    items.push(quote!(
                        /// The single instance of this function (it has no instance parameter).
                        pub struct #single;
                    ));
                    quote!(#single)
                }
            };
            for p in &weights {
                let w = &p.ident;
                let ident = &model.sites[p.site.unwrap()].ident;
                let c = container_ident(w);
                items.push(match &model.instance {
                    Some(l) => quote!(
                        pub type #w<#l> = <#l as #formats>::#ident;
                        pub type #c<#l> = ::number_rt::__private::Stored<<#l as #formats>::#ident>;
                    ),
                    None => quote!(
                        pub type #w = <#inst as #formats>::#ident;
                        pub type #c = ::number_rt::__private::Stored<<#inst as #formats>::#ident>;
                    ),
                });
            }
        }
    }
    let doc = format!(
        " Formats and fingerprint of the #[quantize] function `{}`.",
        model.fn_name
    );
    quote!(
        #[doc = #doc]
        #[doc(hidden)]
        #[allow(non_camel_case_types, non_snake_case, dead_code)]
        #vis mod #m {
            #(#items)*
        }
    )
}

/// `__nq_wsrc_w`: the binding of weight `w` as the caller passed it, in tuned builds.
pub(crate) fn weight_source(w: &Ident) -> Ident {
    format_ident!("__nq_wsrc_{}", w)
}

/// Whether the identifier `x` occurs in `ts` (at any depth) as a name of its own: not as a path segment after
/// `::` (`<L as dense::Formats>::w`) nor as a field or method after `.`.
fn mentions_ident(ts: &TokenStream, x: &Ident) -> bool {
    use proc_macro2::TokenTree;
    // After `::` or a field/method `.` an identifier is not the binding; after a range's `..` it is.
    let (mut after_sep, mut in_range) = (false, false);
    for t in ts.clone() {
        let found = match &t {
            TokenTree::Ident(i) => *i == *x && !after_sep,
            TokenTree::Group(g) => mentions_ident(&g.stream(), x),
            _ => false,
        };
        if found {
            return true;
        }
        (after_sep, in_range) = match &t {
            TokenTree::Punct(p) if p.as_char() == ':' => (true, false),
            TokenTree::Punct(p) if p.as_char() == '.' => {
                let joint = p.spacing() == proc_macro2::Spacing::Joint;
                (!joint && !in_range, joint)
            }
            _ => (false, false),
        };
    }
    false
}

/// The statements that quantize the parameters on entry (calibrate: also the frame). `body` is the rewritten
/// body (tuned builds decode a packed weight as a whole only when it still names the weight).
fn prologue(model: &FnModel, qgen: &Gen, body: &TokenStream) -> Vec<TokenStream> {
    let mut out = Vec::new();
    if qgen.mode == Mode::Calibrate {
        if model.sites.is_empty() {
            return out;
        }
        let name = model.mod_name.to_string();
        let fp = hex(model.fingerprint);
        let infos = model.sites.iter().map(|s| {
            let ident = s.ident.to_string();
            let (kind, operand) = (crate::model::kind_path(s.kind), s.operand);
            quote!(::number_rt::__private::SiteInfo { ident: #ident, kind: #kind, operand: #operand })
        });
        let (inst, imod) = match &model.instance {
            Some(l) => (
                quote!(<#l as ::number_rt::__private::Instance>::NAME),
                quote!(<#l as ::number_rt::__private::Instance>::MODULE),
            ),
            None => (quote!(""), quote!("")),
        };
        out.push(quote!(
            static __NQ_INFO: ::number_rt::__private::FnInfo = ::number_rt::__private::FnInfo {
                name: #name,
                module: module_path!(),
                fingerprint: #fp,
                sites: &[#(#infos),*],
            };
        ));
        out.push(
            quote!(let __nq = ::number_rt::__private::Frame::enter(&__NQ_INFO, #inst, #imod);),
        );
    } else if model.params.iter().any(|p| p.typed && p.site.is_some()) {
        out.push(quote!(
            use ::number_rt::__private::Number as _;
        ));
    }
    for p in &model.params {
        let Some(idx) = p.site else { continue };
        let x = &p.ident;
        let ident = &model.sites[idx].ident;
        let tmp = format_ident!("__nq_{}", x);
        let mutability = if p.mutable { quote!(mut) } else { quote!() };
        out.push(if p.weight {
            if qgen.mode == Mode::Tuned {
                // The weight as the caller passed it, prepared (`__nq_wsrc_w`: its values in memory, a small packed
                // tensor decoded once, or a large packed tensor whose rows the kernels decode one at a time); and,
                // when the body reads it otherwise, as a `&[T]`.
                let t = qgen.tuned_ty(ident);
                let buf = format_ident!("__nq_wbuf_{}", x);
                let src = weight_source(x);
                let prep = format_ident!("__nq_wprep_{}", x);
                let whole = match &p.field_of {
                    Some(base) => quote!(&#base.#x),
                    None => quote!(#x),
                };
                out.push(quote!(
                    let mut #prep = ::number_rt::__private::Unpacked::<#t, 4096>::new();
                    let #src = &::number_rt::__private::WeightRead::prepare(#whole, &mut #prep);
                ));
                if mentions_ident(body, x) || model.f32_views.contains(&x.to_string()) {
                    out.push(quote!(
                        let mut #buf = ::number_rt::__private::Unpacked::<#t, 4096>::new();
                        let #x: &[#t] = ::number_rt::__private::WeightRead::read(#src, &mut #buf);
                    ));
                }
                if model.f32_views.contains(&x.to_string()) {
                    let view = crate::sites::view_ident(&x.to_string(), x.span());
                    let buf = format_ident!("__nq_f32s_{}", x);
                    out.push(quote!(
                        let mut #buf = ::number_rt::__private::F32s::<1024>::new();
                        let #view: &[f32] = #buf.decode(#x);
                    ));
                }
                continue;
            }
            let i = crate::sites::lit_idx(idx);
            match &p.field_of {
                Some(base) => {
                    quote!(let #tmp = __nq.weights(#i, &#base.#x); let #x: &[f32] = &#tmp;)
                }
                None => quote!(let #tmp = __nq.weights(#i, #x); let #x: &[f32] = &#tmp;),
            }
        } else {
            // A state field (`state(s.h)`): its elements, bound to the field's name first.
            let field = match (&p.field_of, p.shape) {
                (Some(base), Shape::SliceMut) => quote!(let #x = &mut #base.#x;),
                (Some(base), _) => quote!(let #x = &#base.#x;),
                (None, _) => quote!(),
            };
            let access = match p.shape {
                Shape::Scalar => {
                    let q = qgen.q(idx, ident, quote!(#x));
                    quote!(let #mutability #x = #q;)
                }
                Shape::ScalarRef => {
                    let q = qgen.q(idx, ident, quote!(*#x));
                    quote!(let #tmp = #q; let #x = &#tmp;)
                }
                Shape::ScalarMut => {
                    let q = qgen.q(idx, ident, quote!(*#x));
                    quote!(*#x = #q;)
                }
                Shape::SliceRef if p.typed && qgen.mode == Mode::Tuned => {
                    let t = qgen.tuned_ty(ident);
                    quote!(
                        let mut #tmp = ::number_rt::__private::Typed::<#t, 1024>::new();
                        let #x: &[#t] = #tmp.fill(#x);
                    )
                }
                Shape::SliceRef if qgen.mode == Mode::Tuned => {
                    // The quantized copy on the stack (up to 1024 values), not in a `Vec` per call.
                    let t = qgen.tuned_ty(ident);
                    quote!(
                        let mut #tmp = ::number_rt::__private::F32s::<1024>::new();
                        let #x: &[f32] = #tmp.quantize::<#t>(#x);
                    )
                }
                Shape::SliceRef => {
                    let c = qgen.q_copy(idx, ident, x);
                    quote!(let #tmp = #c; let #x: &[f32] = &#tmp;)
                }
                Shape::VecRef => {
                    let c = qgen.q_copy(idx, ident, x);
                    quote!(let #tmp: ::number_rt::__private::Vec<f32> = #c; let #x = &#tmp;)
                }
                Shape::ArrayRef => {
                    let qs = qgen.q_slice(idx, ident, quote!(#tmp), false);
                    quote!(let mut #tmp = *#x; #qs let #x = &#tmp;)
                }
                Shape::SliceMut => qgen.q_slice(idx, ident, quote!(#x), true),
                Shape::Owned => {
                    let qs = qgen.q_slice(idx, ident, quote!(__nq_v), false);
                    quote!(let #mutability #x = { let mut __nq_v = #x; #qs __nq_v };)
                }
            };
            quote!(#field #access)
        });
    }
    out
}

/// The signature of the generated function: instance bound, tuned weight types, `mut` moved off rebound params.
fn rewrite_sig(sig: &Signature, model: &FnModel, mode: Mode, bound_in_where: bool) -> Signature {
    let mut sig = sig.clone();
    let m = &model.mod_name;
    let bound: Option<TokenStream> = match mode {
        Mode::Plain => None,
        Mode::Calibrate => Some(quote!(::number_rt::__private::Instance)),
        Mode::Tuned => {
            let formats = crate::model::names().formats;
            Some(quote!(#m::#formats))
        }
    };
    if let (Some(l), Some(bound)) = (&model.instance, &bound) {
        if bound_in_where {
            sig.generics
                .make_where_clause()
                .predicates
                .push(parse_quote!(#l: #bound));
        } else {
            for gp in sig.generics.params.iter_mut() {
                if let GenericParam::Type(tp) = gp
                    && tp.ident == *l
                {
                    tp.colon_token = Some(Default::default());
                    tp.bounds.push(parse_quote!(#bound));
                }
            }
        }
    }
    if mode == Mode::Plain {
        return sig;
    }
    for arg in sig.inputs.iter_mut() {
        let FnArg::Typed(pt) = arg else { continue };
        let Pat::Ident(pi) = &mut *pt.pat else {
            continue;
        };
        let Some(p) = model.params.iter().find(|p| p.ident == pi.ident) else {
            continue;
        };
        if p.site.is_none() {
            continue;
        }
        if matches!(p.shape, Shape::Scalar | Shape::Owned) {
            pi.mutability = None; // the prologue rebinds it with the user's `mut`
        }
        if p.weight && mode == Mode::Tuned {
            let w = &p.ident;
            let elem: Type = match &model.instance {
                Some(l) => parse_quote!(#m::#w<#l>),
                None => parse_quote!(#m::#w),
            };
            if let Type::Reference(r) = &mut *pt.ty {
                *r.elem = parse_quote!((impl ?::core::marker::Sized + ::number_rt::__private::WeightRead<#elem>));
            }
        }
    }
    sig
}

/// The body of the generated function.
fn body(model: &FnModel, qgen: Option<&Gen>, body: Block) -> Block {
    let Some(qgen) = qgen else { return body };
    let stmts = body.stmts;
    let pro = prologue(model, qgen, &quote!(#(#stmts)*));
    parse_quote!({
        #(#pro)*
        #(#stmts)*
    })
}

fn make_gen(mode: Mode, mod_name: &Ident, instance: &Option<Ident>) -> Option<Gen> {
    (mode != Mode::Plain).then(|| Gen {
        mode,
        inst: match instance {
            Some(l) => quote!(#l),
            None => {
                let single = crate::model::names().single;
                quote!(#mod_name::#single)
            }
        },
        module: mod_name.clone(),
    })
}

fn fn_fingerprint(sig: &Signature, block: &Block) -> u64 {
    fingerprint(sig.to_token_stream(), block.to_token_stream())
}

// ------------------------------------------------------------------ free functions

/// Everything produced for one function: the new function parts and its module.
pub(crate) struct Expanded {
    pub sig: Signature,
    pub block: Block,
    pub module: TokenStream,
}

/// Analyses and expands one function (free or method). `check` are the options whose names must exist here.
#[allow(clippy::too_many_arguments)]
pub(crate) fn expand_one(
    sig: &Signature,
    block: &Block,
    opts: &Options,
    check: &Options,
    mod_name: Ident,
    instance: Option<Ident>,
    mode: Mode,
    vis: TokenStream,
    bound_in_where: bool,
    errors: &mut Errors,
) -> (Option<Expanded>, Vec<Candidate>) {
    let fp = fn_fingerprint(sig, block);
    let qgen = make_gen(mode, &mod_name, &instance);
    let Analysis {
        model,
        body: new_body,
        errors: errs,
        candidates,
    } = analyze(
        sig,
        block,
        opts,
        mod_name,
        instance,
        fp,
        qgen.as_ref(),
        check,
    );
    let failed = !errs.is_empty();
    errors.append(errs);
    if failed {
        return (None, candidates);
    }
    let module = module(&model, mode, vis);
    let sig = rewrite_sig(sig, &model, mode, bound_in_where);
    let block = body(&model, qgen.as_ref(), new_body);
    (Some(Expanded { sig, block, module }), candidates)
}

fn expand_fn(opts: &Options, f: ItemFn, mode: Mode, errors: &mut Errors) -> Option<TokenStream> {
    let clean = errors.is_empty();
    check_modifiers(&f.sig, errors);
    if let Some(r) = f.sig.receiver() {
        errors.spanned(
            r,
            "#[quantize] on a method: put #[quantize] on the impl block instead \
             (`#[quantize] impl<L> Layer<L> { fn forward(&self, ...) { ... } }`), so that its formats module \
             can be emitted next to the impl",
        );
    }
    let fname = f.sig.ident.to_string();
    let instance = instance_param(&f.sig.generics, &fname, false, errors);
    if let Some(l) = &instance {
        check_instance_use(&f.sig, l, errors);
    }
    if clean && !errors.is_empty() {
        return None;
    }
    let vis = mod_vis(&f.vis);
    // The plain function does not use its instance parameter (the other modes bound it): that is by design.
    let allow = (mode == Mode::Plain && instance.is_some())
        .then(|| quote!(#[allow(clippy::extra_unused_type_parameters)]));
    let (ex, _) = expand_one(
        &f.sig,
        &f.block,
        opts,
        opts,
        f.sig.ident.clone(),
        instance,
        mode,
        vis,
        false,
        errors,
    );
    let ex = ex?;
    let (attrs, fvis) = (&f.attrs, &f.vis);
    let (sig, block, module) = (ex.sig, ex.block, ex.module);
    Some(quote!(
        #(#attrs)*
        #allow
        #fvis #sig #block
        #module
    ))
}

// ------------------------------------------------------------------ impl blocks

fn snake(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn is_quantize_attr(a: &Attribute) -> bool {
    a.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "quantize")
}

fn expand_impl(
    opts: &Options,
    mut imp: ItemImpl,
    mode: Mode,
    errors: &mut Errors,
) -> Option<TokenStream> {
    if let Some((path, _)) = &imp.trait_ {
        errors.spanned(
            path,
            "#[quantize] on a trait impl is not supported: put the layer code in an inherent impl \
             (`#[quantize] impl<L> Dense<L> { ... }`) and call it from the trait impl",
        );
        return None;
    }
    let self_name = match &*imp.self_ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    };
    let Some(self_name) = self_name else {
        errors.spanned(
            &imp.self_ty,
            "#[quantize] impl blocks must be for a named type (`impl<L> Dense<L>`)",
        );
        return None;
    };
    let instance = instance_param(&imp.generics, &snake(&self_name), true, errors);
    let mut modules = Vec::new();
    let mut all: Vec<Candidate> = Vec::new();
    let mut any_fn = false;
    let sigs: Vec<Signature> = imp
        .items
        .iter()
        .filter_map(|i| match i {
            ImplItem::Fn(f) => Some(f.sig.clone()),
            _ => None,
        })
        .collect();
    for item in imp.items.iter_mut() {
        let ImplItem::Fn(f) = item else { continue };
        any_fn = true;
        // Method-level `#[quantize(...)]` attributes add options for that method.
        let mut own = Options::default();
        let mut keep = Vec::new();
        for a in std::mem::take(&mut f.attrs) {
            if is_quantize_attr(&a) {
                let args = match &a.meta {
                    syn::Meta::List(l) => l.tokens.clone(),
                    _ => TokenStream::new(),
                };
                match parse_options(args, errors) {
                    Ok(o) => own = own.merged(&o, errors),
                    Err(e) => errors.push(e),
                }
            } else {
                keep.push(a);
            }
        }
        f.attrs = keep;
        let merged = opts.merged(&own, errors);
        let before = errors.is_empty();
        check_modifiers(&f.sig, errors);
        for tp in f.sig.generics.type_params() {
            errors.spanned(
                &tp.ident,
                format_args!(
                    "type parameters on a method of a #[quantize] impl are not supported: the instance parameter \
                     is the impl's (`impl<L> {self_name}<L>`)"
                ),
            );
        }
        if let Some(l) = &instance {
            check_instance_use(&f.sig, l, errors);
        }
        if before && !errors.is_empty() {
            continue;
        }
        let mod_name = format_ident!("{}_{}", snake(&self_name), f.sig.ident);
        // Discovery first: methods without float sites stay as they are.
        let (_, cands) = expand_one(
            &f.sig,
            &f.block,
            &merged,
            &own,
            mod_name.clone(),
            instance.clone(),
            Mode::Plain,
            quote!(),
            true,
            &mut Errors::default(),
        );
        if cands.is_empty() {
            validate_names(&own, &cands, &f.sig, &f.sig.ident.to_string(), errors);
            continue;
        }
        let vis = mod_vis(&f.vis);
        let (ex, cands) = expand_one(
            &f.sig,
            &f.block,
            &merged,
            &own,
            mod_name,
            instance.clone(),
            mode,
            vis,
            true,
            errors,
        );
        all.extend(cands);
        if let Some(ex) = ex {
            f.sig = ex.sig;
            f.block = ex.block;
            modules.push(ex.module);
        }
    }
    if !any_fn {
        errors.spanned(imp.impl_token, "#[quantize] impl block has no functions");
    }
    // Impl-level option names must name a site of at least one method.
    let name = format!("{self_name} (impl)");
    let union_sig: Signature = {
        let mut s = sigs
            .first()
            .cloned()
            .unwrap_or_else(|| parse_quote!(fn f()));
        s.inputs = sigs.iter().flat_map(|s| s.inputs.iter().cloned()).collect();
        s
    };
    validate_names(opts, &all, &union_sig, &name, errors);
    Some(quote!(#imp #(#modules)*))
}
