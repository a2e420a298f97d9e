//! FPGA export: the formats of a tuned configuration (a `tuned.rs`, read with [`tuned_file::read`]) as C++ types
//! for Vivado/Vitis HLS ([`header`]) and as an hls4ml precision configuration ([`hls4ml_config`]).
//!
//! # C++ types
//!
//! Every site gets one `typedef <type> <name>_t;`, where `<name>` is the site name with every character that
//! is not `[A-Za-z0-9_]` replaced by `_` ([`c_name`]: `Fc1/dense.w` → `Fc1_dense_w_t`):
//!
//! | libnumber format | HLS type |
//! | --- | --- |
//! | `fixed<W,F>` | `ap_fixed<W, W-F, AP_RND_CONV, AP_SAT>` |
//! | `ufixed<W,F>` | `ap_ufixed<W, W-F, AP_RND_CONV, AP_SAT>` |
//! | `f32` (not quantized) | `float` |
//! | `binary<F>` | `ap_fixed<2, 2-F, AP_RND_CONV, AP_SAT>` (holds both values), or an error with [`CustomFloats::Reject`] |
//! | `block<W,F,N>` | `ap_fixed<8, 8-(F+8-W), AP_RND_CONV, AP_SAT>` (holds every value), or an error with [`CustomFloats::Reject`] |
//! | `float<E,0,B>`, `E <= 4` (power of two) | `ap_fixed<2^E, 2^E-(B-1), AP_RND_CONV, AP_SAT>` (holds every value), or an error with [`CustomFloats::Reject`] |
//! | `codebook<K,F,[..]>` | `ap_fixed<8, 8-F, AP_RND_CONV, AP_SAT>` (holds every table value), or an error with [`CustomFloats::Reject`] |
//! | `float<E,M,B>` (other), `e4m3`, `e5m2`, `bf16`, `f16` | `float`, or an error with [`CustomFloats::Reject`] |
//!
//! **Formats with no `ap_fixed` equivalent.** Only `fixed<W,F>` and `ufixed<W,F>` are exactly an `ap_fixed` /
//! `ap_ufixed` type (conversion rounds and saturates as libnumber does). `binary<F>`, `block<W,F,N>`, the
//! power-of-two `float<E,0,B>` and `codebook<K,F,[..]>` have none: their values lie on a fixed-point grid, so an
//! `ap_fixed` holds every value exactly, but converting a `float` to it rounds linearly onto the whole grid, not
//! to the format's own values (the sign, a block's binary point, the nearest power of two, the nearest table
//! entry); the weights must be stored already quantized by libnumber (a codebook's `K`-bit indices and table
//! need a lookup the HLS type does not express). Custom floats (`float<E,M,B>` with `M > 0` or `E > 4`, `e4m3`, `e5m2`, `bf16`,
//! `f16`) have no HLS type at all: `float` holds their values.
//!
//! **Why this is exact.** `ap_fixed<W,I>` holds a W-bit two's complement integer `raw` and means
//! `raw·2^-(W-I)`: the same as `fixed<W,F>` with `F = W - I` (I counts the integer bits *including* the sign).
//! `AP_RND_CONV` ("convergent rounding") rounds to the nearest value and a tie to the even `raw`, and `AP_SAT`
//! saturates to the most negative / largest value (0 / largest for `ap_ufixed`): exactly
//! [`Format::quantize`]'s rounding and saturation. So converting a `double` or `float` `x` to the type gives
//! the value `Format::quantize(x)` and the code [`Format::encode`] (for `W > 24` `quantize` returns that value
//! rounded to `f32`; the code is exact). `number-rt/tests/export.rs` checks this bit for bit, on ties, both
//! saturation ends, `±inf` and random values, against an emulation of `ap_fixed` written from those rules.
//!
//! **Binary point outside the word.** Vitis allows `I < 0` (the binary point lies `-I` bits left of the word:
//! `ap_ufixed<1,-1>` is 0 or 0.25) and `I > W` (`I - W` implicit zero bits right of the word), so every
//! `fixed<W,F>` (W ≤ 32, −64 ≤ F ≤ 64) has an exact `ap_fixed` type; hls4ml's precision parser reads a
//! negative `I` too. Only an invalid hand-built [`Format`] is an error.
//!
//! **NaN.** libnumber quantises NaN to `+0`; converting a NaN to `ap_fixed` is not defined (the Xilinx C
//! simulation library warns and saturates). Fixed-point hardware never produces a NaN, so this only matters for
//! `float` inputs fed to the design: replace NaN by 0 before converting if they can occur.
//!
//! **Custom floats.** `ap_fixed` is fixed point only and Vivado/Vitis HLS has no arbitrary float type, so sites
//! in `float<E,M,B>`, `e4m3`, `e5m2`, `bf16` or `f16` have no exact HLS type. With [`CustomFloats::AsFloat`]
//! (the default) they become `float` with a comment naming the format: every value of those formats is exactly
//! a `float`, so weights quantised by libnumber keep their values bit for bit, but HLS arithmetic will not round
//! results to the custom format (the design computes those sites in `float`: at least as precise, not
//! bit-identical to the tuned Rust build). [`CustomFloats::Reject`] makes them an error instead (tune with
//! fixed-point families only: [`tune::Space`](crate::tune::Space)).
//!
//! # hls4ml configuration
//!
//! [`hls4ml_config`] writes the hls4ml convention `HLSConfig: LayerName: <layer>: Precision: {<key>: <type>}`.
//! The document is JSON after a `#` comment header — YAML reads it as is (save it as `.yml` and merge its
//! `HLSConfig` into the configuration of your hls4ml model).
//!
//! - **Layer** = the layer instance of the site (`Fc1` for `Fc1/dense.w`); a function without instances
//!   (`relu.x`) is its own layer (`relu`); an instance used by several functions gets one layer per function
//!   (`Fc1_dense`, `Fc1_relu`). These are libnumber's instance names: rename them to your hls4ml model's layer
//!   names if those differ.
//! - **Precision key** by site ident ([`hls4ml_key`]): `w`, `w_ih`, `kernel` → `weight`; `b`, `b_ih` →
//!   `bias`; `w_hh` → `recurrent_weight`; `b_hh` → `recurrent_bias`; `g`, `gamma`, `scale` → `scale`;
//!   `y`, `out`, `ret` → `result`; `acc` → `accum`. When two sites of a layer map to one key the one earlier
//!   in that list wins (then the first by name).
//! - Only sites with a fixed-point format and a key get a `Precision` entry. `f32` and custom-float sites are
//!   left out (hls4ml then uses its model default precision), and so are sites without an hls4ml key: an input
//!   `x` is, in hls4ml, the previous layer's `result`, which the configuration alone does not know; locals and
//!   literals have no hls4ml counterpart.
//! - Every site, with or without an entry, is listed under the top-level key `LibNumber` (ignored by hls4ml):
//!   `sites: {<site>: {format, layer, c_type, hls_type, hls4ml}}` where `hls4ml` is the precision key it was
//!   written to, or `null`.
//!
//! ```
//! use number_tune::export::{self, Options};
//! use number_tune::Format;
//! let mut cfg = number_tune::emulate::Config::new();
//! cfg.insert("Fc1/dense.w".into(), Format::fixed(3, 4).unwrap());
//! cfg.insert("Fc1/dense.x".into(), Format::F32);
//! let opts = Options { model: Some("tiny".into()), ..Options::default() };
//! let h = export::header(&cfg, &opts).unwrap();
//! assert!(h.contains("typedef ap_fixed<3,-1,AP_RND_CONV,AP_SAT> Fc1_dense_w_t;"));
//! assert!(h.contains("typedef float Fc1_dense_x_t;"));
//! let v = export::hls4ml_value(&cfg, &opts).unwrap();
//! assert_eq!(v["HLSConfig"]["LayerName"]["Fc1"]["Precision"]["weight"], "ap_fixed<3,-1,AP_RND_CONV,AP_SAT>");
//! assert!(v["HLSConfig"]["LayerName"]["Fc1"]["Precision"].get("input").is_none());
//! ```
//!
//! [`tuned_file::read`]: crate::tuned_file::read
use crate::Format;
use crate::emulate::Config;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The first comment line of both exported files starts with this (after `// ` or `# `).
pub const GENERATED: &str = "@generated by libnumber export";

/// File name of the hls4ml configuration written by [`write()`].
pub const HLS4ML_FILE: &str = "hls4ml_config.yml";

/// What to do with sites in a custom float format (`float<E,M,B>`, `e4m3`, `e5m2`, `bf16`, `f16`), which have
/// no HLS arbitrary-precision type. See the [module documentation](self).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CustomFloats {
    /// Emit `float` with a comment naming the exact format (values exact, HLS arithmetic not rounded to it);
    /// left out of the hls4ml `Precision`.
    #[default]
    AsFloat,
    /// Fail with an error naming the first such site.
    Reject,
}

/// What the exported files record besides the formats, and the custom-float policy.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Options {
    /// Model name: named in the headers, and in the header guard and file name of the C++ header.
    pub model: Option<String>,
    /// The `tuned.rs` the configuration was read from, as it should appear in the headers (keep it relative for
    /// reproducible files).
    pub source: Option<String>,
    /// The command that regenerates the files (default `cargo number export <model>` when a model is named).
    pub command: Option<String>,
    /// Custom-float policy.
    pub custom_floats: CustomFloats,
}

/// Why a configuration could not be exported. The message names the site and says what to do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ExportError(pub String);

/// The exact `ap_fixed`/`ap_ufixed` type of a fixed-point format (`None` for float formats and invalid ones).
///
/// ```
/// use number_tune::{export::ap_type, Format};
/// assert_eq!(ap_type(&Format::fixed(8, 4).unwrap()).unwrap(), "ap_fixed<8,4,AP_RND_CONV,AP_SAT>");
/// assert_eq!(ap_type(&Format::ufixed(4, 6).unwrap()).unwrap(), "ap_ufixed<4,-2,AP_RND_CONV,AP_SAT>");
/// assert_eq!(ap_type(&Format::fixed(4, -3).unwrap()).unwrap(), "ap_fixed<4,7,AP_RND_CONV,AP_SAT>");
/// assert_eq!(ap_type(&Format::E4M3), None);
/// ```
pub fn ap_type(format: &Format) -> Option<String> {
    format.validate().ok()?;
    match *format {
        Format::Fixed { w, f } => Some(format!(
            "ap_fixed<{w},{},AP_RND_CONV,AP_SAT>",
            w as i64 - f as i64
        )),
        Format::UFixed { w, f } => Some(format!(
            "ap_ufixed<{w},{},AP_RND_CONV,AP_SAT>",
            w as i64 - f as i64
        )),
        _ => None,
    }
}

/// The HLS C++ type of a site's format: [`ap_type`] for fixed point, `float` for `f32`, and for custom floats
/// `float` or an error, as `floats` says. `site` only names the site in errors.
///
/// ```
/// use number_tune::export::{hls_type, CustomFloats};
/// use number_tune::Format;
/// assert_eq!(hls_type("a.x", &Format::F32, CustomFloats::Reject).unwrap(), "float");
/// assert_eq!(hls_type("a.x", &Format::E4M3, CustomFloats::AsFloat).unwrap(), "float");
/// assert!(hls_type("a.x", &Format::E4M3, CustomFloats::Reject).unwrap_err().0.contains("`e4m3`"));
/// // Power-of-two weights: 0, ±2^-2 ..= ±2^4 are raw 0, ±1 ..= ±64 of fixed<8,2>.
/// let p2: Format = "float<3,0,3>".parse().unwrap();
/// assert_eq!(hls_type("a.w", &p2, CustomFloats::AsFloat).unwrap(), "ap_fixed<8,6,AP_RND_CONV,AP_SAT>");
/// assert!(hls_type("a.w", &p2, CustomFloats::Reject).unwrap_err().0.contains("no ap_fixed equivalent"));
/// let cb: Format = "codebook<1,3,[-5,2]>".parse().unwrap();
/// assert_eq!(hls_type("a.w", &cb, CustomFloats::AsFloat).unwrap(), "ap_fixed<8,5,AP_RND_CONV,AP_SAT>");
/// assert!(hls_type("a.w", &cb, CustomFloats::Reject).unwrap_err().0.contains("no ap_fixed equivalent"));
/// ```
pub fn hls_type(site: &str, format: &Format, floats: CustomFloats) -> Result<String, ExportError> {
    if let Err(e) = format.validate() {
        return Err(ExportError(format!(
            "site `{site}`: invalid format `{format}` ({e}): it has no HLS type"
        )));
    }
    if let Some(t) = ap_type(format) {
        return Ok(t);
    }
    match (format, floats) {
        // ±2^-F are raw ±1 of fixed<2,F>: the container is exact, the conversion from float is not (it rounds).
        (Format::Binary { f }, CustomFloats::AsFloat) => {
            Ok(format!("ap_fixed<2,{},AP_RND_CONV,AP_SAT>", 2 - *f as i64))
        }
        // Every block value lies on the grid of fixed<8, F+8-W>; the blocks are the caller's to apply.
        (Format::Block { w, f, .. }, CustomFloats::AsFloat) => Ok(format!(
            "ap_fixed<8,{},AP_RND_CONV,AP_SAT>",
            8 - crate::blocked::finest(*w, *f) as i64
        )),
        (Format::Block { .. }, CustomFloats::Reject) => Err(ExportError(format!(
            "site `{site}` has format `{format}` (a binary point per block of values): HLS has no block type; \
             export it as the ap_fixed<8,·> that holds every value exactly and store the weights block-quantized \
             yourself (`cargo number export` without `--strict`), or tune without `--block`"
        ))),
        // Powers of two 2^(x-B), x in 1..=2^E-1, and 0: raw 0, ±1 ..= ±2^(2^E-2) of fixed<2^E, B-1>.
        (Format::Float { e, m: 0, bias }, CustomFloats::AsFloat) if *e <= 4 => Ok(format!(
            "ap_fixed<{},{},AP_RND_CONV,AP_SAT>",
            1u32 << e,
            (1i64 << e) - (*bias as i64 - 1)
        )),
        (Format::Float { e, m: 0, .. }, CustomFloats::Reject) if *e <= 4 => {
            Err(ExportError(format!(
                "site `{site}` has format `{format}` (power-of-two values: a sign and an exponent): it has no ap_fixed \
             equivalent, whose conversion from float rounds linearly, not to a power of two; export it as the \
             ap_fixed that holds every value exactly and store the weights quantized by libnumber (`cargo number \
             export` without `--strict`), or tune without `--weight-formats pow2`"
            )))
        }
        // Table entries t·2^-F with t in -128..=127: raw t of fixed<8, F>.
        (Format::Codebook { f, .. }, CustomFloats::AsFloat) => {
            Ok(format!("ap_fixed<8,{},AP_RND_CONV,AP_SAT>", 8 - *f as i64))
        }
        (Format::Codebook { .. }, CustomFloats::Reject) => Err(ExportError(format!(
            "site `{site}` has format `{format}` (K-bit indices into a table of values): it has no ap_fixed \
             equivalent; export it as the ap_fixed<8,·> that holds every table value exactly and store the weights \
             quantized by libnumber, or as indices with the table as a lookup (`cargo number export` without \
             `--strict`), or tune without codebook formats"
        ))),
        (Format::Binary { .. }, CustomFloats::Reject) => Err(ExportError(format!(
            "site `{site}` has format `{format}` (the sign times 2^-F, no zero): HLS has no type whose conversion \
             from float binarises; export it as the ap_fixed<2,·> that holds both values exactly and binarise the \
             weights yourself (`cargo number export` without `--strict`), or tune without one-bit widths"
        ))),
        (Format::F32, _) | (_, CustomFloats::AsFloat) => Ok("float".into()),
        (_, CustomFloats::Reject) => Err(ExportError(format!(
            "site `{site}` has format `{format}`, a custom float: Vivado/Vitis HLS has no exact type for it \
             (ap_fixed/ap_ufixed are fixed point only); export custom floats as `float` (values exact, arithmetic \
             not rounded to `{format}`; `cargo number export` without `--strict`), or tune with fixed-point \
             families only"
        ))),
    }
}

/// The C++ identifier of a site (without the `_t` of its type): every character outside `[A-Za-z0-9_]`
/// becomes `_`, and a name that would start with a digit or `_` (reserved in C++ before an upper-case letter)
/// gets the prefix `site_`.
///
/// ```
/// assert_eq!(number_tune::export::c_name("Fc1/dense.w"), "Fc1_dense_w");
/// assert_eq!(number_tune::export::c_name("relu.lit0"), "relu_lit0");
/// assert_eq!(number_tune::export::c_name("_X/f.y"), "site__X_f_y");
/// ```
pub fn c_name(site: &str) -> String {
    let s: String = site
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.starts_with(|c: char| c.is_ascii_digit() || c == '_') || s.is_empty() {
        format!("site_{s}")
    } else {
        s
    }
}

/// The hls4ml precision key of a site ident (see the [module documentation](self)), `None` if hls4ml has no
/// per-layer precision for it.
///
/// ```
/// use number_tune::export::hls4ml_key;
/// assert_eq!(hls4ml_key("w"), Some("weight"));
/// assert_eq!(hls4ml_key("acc"), Some("accum"));
/// assert_eq!(hls4ml_key("x"), None);
/// ```
pub fn hls4ml_key(ident: &str) -> Option<&'static str> {
    HLS4ML_KEYS
        .iter()
        .find(|(i, _)| *i == ident)
        .map(|&(_, k)| k)
}

/// Site ident → hls4ml precision key, in priority order.
const HLS4ML_KEYS: &[(&str, &str)] = &[
    ("w", "weight"),
    ("w_ih", "weight"),
    ("kernel", "weight"),
    ("b", "bias"),
    ("b_ih", "bias"),
    ("w_hh", "recurrent_weight"),
    ("b_hh", "recurrent_bias"),
    ("g", "scale"),
    ("gamma", "scale"),
    ("scale", "scale"),
    ("y", "result"),
    ("out", "result"),
    ("ret", "result"),
    ("acc", "accum"),
];

/// `(instance, function, ident)` of `Instance/function.ident` or `function.ident` (instance empty); a name
/// without `.` is all ident.
fn split_site(site: &str) -> (&str, &str, &str) {
    let (head, ident) = site.rsplit_once('.').unwrap_or(("", site));
    let (instance, function) = head.split_once('/').unwrap_or(("", head));
    (instance, function, ident)
}

/// The hls4ml layer of every site (see the module documentation).
fn layers(cfg: &Config) -> BTreeMap<&str, String> {
    let mut functions: BTreeMap<&str, std::collections::BTreeSet<&str>> = BTreeMap::new();
    for site in cfg.keys() {
        let (i, f, _) = split_site(site);
        if !i.is_empty() {
            functions.entry(i).or_default().insert(f);
        }
    }
    cfg.keys()
        .map(|site| {
            let (i, f, _) = split_site(site);
            let layer = match (i.is_empty(), functions.get(i).map_or(0, |s| s.len())) {
                (true, _) if f.is_empty() => site.to_string(),
                (true, _) => f.to_string(),
                (false, 1) => i.to_string(),
                (false, _) => format!("{i}_{f}"),
            };
            (site.as_str(), layer)
        })
        .collect()
}

/// The C++ names of all sites; an error if two sites map to the same name.
fn c_names(cfg: &Config) -> Result<BTreeMap<&str, String>, ExportError> {
    let mut by_name: BTreeMap<String, &str> = BTreeMap::new();
    for site in cfg.keys() {
        let n = c_name(site);
        if let Some(other) = by_name.insert(n.clone(), site) {
            return Err(ExportError(format!(
                "sites `{other}` and `{site}` both map to the C++ type name `{n}_t`: rename an instance, function or \
                 binding so that their names differ in more than punctuation"
            )));
        }
    }
    Ok(by_name.into_iter().map(|(n, s)| (s, n)).collect())
}

fn regenerate(opts: &Options) -> Option<String> {
    opts.command.clone().or_else(|| {
        opts.model
            .as_ref()
            .map(|m| format!("cargo number export {m}"))
    })
}

/// The comment lines both files start with (without the comment marker).
fn header_lines(what: &str, opts: &Options, cfg: &Config) -> Vec<String> {
    let mut v = vec![format!("{GENERATED}: {what}. Do not edit: regenerate it.")];
    if let Some(c) = regenerate(opts) {
        v.push(format!("Regenerate: {c}"));
    }
    v.push(format!("tool: libnumber {}", env!("CARGO_PKG_VERSION")));
    if let Some(m) = &opts.model {
        v.push(format!("model: {m}"));
    }
    if let Some(s) = &opts.source {
        v.push(format!("source: {s}"));
    }
    let fixed = cfg.values().filter(|f| f.is_fixed()).count();
    let floats = cfg
        .values()
        .filter(|f| !f.is_fixed() && **f != Format::F32)
        .count();
    v.push(format!(
        "sites: {} ({fixed} fixed point, {floats} custom float, {} f32)",
        cfg.len(),
        cfg.len() - fixed - floats
    ));
    v
}

/// A number for a comment: plain when short, otherwise in exponent form.
fn num(x: f64) -> String {
    let plain = format!("{x}");
    if plain.len() <= 12 {
        plain
    } else {
        format!("{x:e}")
    }
}

/// The comment after a typedef: the libnumber format, and its range and step (or why `float`).
fn describe(format: &Format) -> String {
    match *format {
        Format::Fixed { f, .. } | Format::UFixed { f, .. } => format!(
            "{format}: {} ..= {}, step 2^{}",
            num(format.lowest() as f64),
            num(format.max() as f64),
            -f
        ),
        Format::F32 => "f32 (not quantized)".into(),
        Format::Block { w, f, len } => format!(
            "{format}: {w}-bit fixed point with a binary point per block of {len} values in {f}..={}; this type holds \
             every value exactly: store the weights block-quantized (number_rt::Format::quantize_slice)",
            crate::blocked::finest(w, f)
        ),
        Format::Binary { f } => format!(
            "{format}: the sign times 2^{}, no zero; this type holds both values exactly, but HLS conversions \
             round: store the weights binarised (x < 0 ? -2^{} : 2^{})",
            -f, -f, -f
        ),
        Format::Codebook { .. } => format!(
            "{format}: a table of values indexed by K bits; this type holds every table value exactly, but HLS \
             conversions round linearly: store the weights quantized to the table (number_rt::Format::quantize)"
        ),
        Format::Float { e, m: 0, bias } if e <= 4 => format!(
            "{format}: 0 and ±2^{} ..= ±2^{} (powers of two); this type holds every value exactly, but HLS \
             conversions round linearly: store the weights quantized to powers of two (number_rt::Format::quantize)",
            1 - bias,
            (1i32 << e) - 1 - bias
        ),
        _ => format!(
            "{format} (max {}): no HLS type; float holds every {format} value exactly, but HLS arithmetic does not \
             round to {format}",
            num(format.max() as f64)
        ),
    }
}

/// The C++ header for Vivado/Vitis HLS: one `typedef` per site (see the [module documentation](self)), in
/// site-name order, after a comment header (tool, model, source `tuned.rs`, regenerating command) and
/// `#include <ap_fixed.h>`, inside a header guard `LIBNUMBER_<MODEL>_TYPES_H`. Deterministic: equal inputs give
/// equal text.
///
/// Errors: a custom-float site under [`CustomFloats::Reject`], an invalid format, two sites with the same
/// [`c_name`].
pub fn header(cfg: &Config, opts: &Options) -> Result<String, ExportError> {
    let names = c_names(cfg)?;
    let mut s = String::new();
    for l in header_lines("HLS number types of the #[quantize] sites", opts, cfg) {
        s.push_str(&format!("// {l}\n"));
    }
    s.push_str(
        "//\n\
         // fixed<W,F> is ap_fixed<W,W-F> and ufixed<W,F> is ap_ufixed<W,W-F>, with AP_RND_CONV (round to nearest,\n\
         // ties to even) and AP_SAT (saturate): converting a float or double to one of these types gives exactly\n\
         // libnumber's quantized value. NaN is not defined for ap_fixed (libnumber maps it to 0).\n",
    );
    let guard = match &opts.model {
        Some(m) => format!("LIBNUMBER_{}_TYPES_H", c_name(m).to_ascii_uppercase()),
        None => "LIBNUMBER_TYPES_H".to_string(),
    };
    s.push_str(&format!(
        "#ifndef {guard}\n#define {guard}\n\n#include <ap_fixed.h>\n"
    ));
    let mut last_layer: Option<&str> = None;
    for (site, format) in cfg {
        let (i, f, ident) = split_site(site);
        let group = &site[..site.len() - ident.len()];
        if last_layer != Some(group) {
            let label = if i.is_empty() {
                f.to_string()
            } else {
                format!("{i}/{f}")
            };
            s.push_str(&format!("\n// {label}\n"));
            last_layer = Some(group);
        }
        let ty = hls_type(site, format, opts.custom_floats)?;
        s.push_str(&format!(
            "typedef {ty} {}_t; // {}\n",
            names[site.as_str()],
            describe(format)
        ));
    }
    s.push_str(&format!("\n#endif // {guard}\n"));
    Ok(s)
}

/// The hls4ml configuration as a JSON value (see the [module documentation](self) for the layout and the
/// mapping). Same errors as [`header`].
pub fn hls4ml_value(cfg: &Config, opts: &Options) -> Result<Value, ExportError> {
    let names = c_names(cfg)?;
    let layers = layers(cfg);
    // layer → key → (priority, site)
    let mut chosen: BTreeMap<&str, BTreeMap<&str, (usize, &str)>> = BTreeMap::new();
    for (site, format) in cfg {
        hls_type(site, format, opts.custom_floats)?;
        let (_, _, ident) = split_site(site);
        let Some(prio) = HLS4ML_KEYS.iter().position(|(i, _)| *i == ident) else {
            continue;
        };
        if ap_type(format).is_none() {
            continue;
        }
        let key = HLS4ML_KEYS[prio].1;
        let slot = chosen
            .entry(layers[site.as_str()].as_str())
            .or_default()
            .entry(key)
            .or_insert((prio, site));
        if prio < slot.0 {
            *slot = (prio, site);
        }
    }
    let mut written: BTreeMap<&str, &str> = BTreeMap::new();
    let mut layer_map = Map::new();
    for (layer, keys) in &chosen {
        let mut prec = Map::new();
        for (key, (_, site)) in keys {
            prec.insert(
                key.to_string(),
                Value::String(ap_type(&cfg[*site]).unwrap_or_default()),
            );
            written.insert(site, key);
        }
        layer_map.insert(layer.to_string(), json!({ "Precision": prec }));
    }
    let mut sites = Map::new();
    for (site, format) in cfg {
        sites.insert(
            site.clone(),
            json!({
                "format": format.to_string(),
                "layer": layers[site.as_str()],
                "c_type": format!("{}_t", names[site.as_str()]),
                "hls_type": hls_type(site, format, opts.custom_floats)?,
                "hls4ml": written.get(site.as_str()).map(|k| k.to_string()),
            }),
        );
    }
    let mut lib = Map::new();
    lib.insert(
        "tool".into(),
        format!("libnumber {}", env!("CARGO_PKG_VERSION")).into(),
    );
    if let Some(m) = &opts.model {
        lib.insert("model".into(), m.clone().into());
    }
    if let Some(s) = &opts.source {
        lib.insert("source".into(), s.clone().into());
    }
    lib.insert("sites".into(), Value::Object(sites));
    Ok(json!({ "HLSConfig": { "LayerName": layer_map }, "LibNumber": lib }))
}

/// The hls4ml configuration file text: `#` comment lines (as the C++ header's, plus how to use it), then
/// [`hls4ml_value`] as pretty-printed JSON, which YAML parsers (hls4ml's included) read as is. Deterministic.
pub fn hls4ml_config(cfg: &Config, opts: &Options) -> Result<String, ExportError> {
    let v = hls4ml_value(cfg, opts)?;
    let mut s = String::new();
    for l in header_lines(
        "hls4ml precision configuration of the #[quantize] sites",
        opts,
        cfg,
    ) {
        s.push_str(&format!("# {l}\n"));
    }
    s.push_str(
        "#\n\
         # Merge HLSConfig into your hls4ml configuration; LayerName keys are libnumber layer instances (rename them\n\
         # to your model's layer names if they differ). Only fixed-point sites with an hls4ml precision key are in\n\
         # HLSConfig; LibNumber (ignored by hls4ml) lists every site. This document is JSON, which YAML reads as is.\n",
    );
    s.push_str(
        &serde_json::to_string_pretty(&v).map_err(|e| ExportError(format!("serializing: {e}")))?,
    );
    s.push('\n');
    Ok(s)
}

/// The C++ header's file name: `<model>_types.h`, or `libnumber_types.h` without a model.
pub fn header_file_name(opts: &Options) -> String {
    match &opts.model {
        Some(m) => format!("{}_types.h", c_name(m)),
        None => "libnumber_types.h".into(),
    }
}

/// Writes [`header`] and [`hls4ml_config`] into `dir` (created if missing) as [`header_file_name`] and
/// [`HLS4ML_FILE`], and returns their paths.
pub fn write(
    dir: impl AsRef<Path>,
    cfg: &Config,
    opts: &Options,
) -> Result<[PathBuf; 2], ExportError> {
    let dir = dir.as_ref();
    let (h, y) = (header(cfg, opts)?, hls4ml_config(cfg, opts)?);
    std::fs::create_dir_all(dir)
        .map_err(|e| ExportError(format!("creating {}: {e}", dir.display())))?;
    let paths = [dir.join(header_file_name(opts)), dir.join(HLS4ML_FILE)];
    for (p, text) in paths.iter().zip([h, y]) {
        std::fs::write(p, text)
            .map_err(|e| ExportError(format!("writing {}: {e}", p.display())))?;
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(entries: &[(&str, &str)]) -> Config {
        entries
            .iter()
            .map(|(s, f)| (s.to_string(), f.parse().unwrap()))
            .collect()
    }

    #[test]
    fn layers_split_shared_instances() {
        let c = cfg(&[
            ("Fc1/dense.w", "fixed<4,4>"),
            ("Fc1/relu.y", "fixed<4,4>"),
            ("Fc2/dense.w", "f32"),
            ("relu.x", "f32"),
        ]);
        let l = layers(&c);
        assert_eq!(l["Fc1/dense.w"], "Fc1_dense");
        assert_eq!(l["Fc1/relu.y"], "Fc1_relu");
        assert_eq!(l["Fc2/dense.w"], "Fc2");
        assert_eq!(l["relu.x"], "relu");
    }

    #[test]
    fn key_priority_and_collisions() {
        let c = cfg(&[
            ("G/gru.w_ih", "fixed<4,4>"),
            ("G/gru.w", "fixed<5,4>"),
            ("G/gru.y", "fixed<6,4>"),
            ("G/gru.ret", "fixed<7,4>"),
        ]);
        let v = hls4ml_value(&c, &Options::default()).unwrap();
        let p = &v["HLSConfig"]["LayerName"]["G"]["Precision"];
        assert_eq!(p["weight"], "ap_fixed<5,1,AP_RND_CONV,AP_SAT>");
        assert_eq!(p["result"], "ap_fixed<6,2,AP_RND_CONV,AP_SAT>");
        assert_eq!(v["LibNumber"]["sites"]["G/gru.w_ih"]["hls4ml"], Value::Null);
        assert_eq!(v["LibNumber"]["sites"]["G/gru.ret"]["hls4ml"], Value::Null);
        assert_eq!(v["LibNumber"]["sites"]["G/gru.w"]["hls4ml"], "weight");
        let c = cfg(&[("A/f.b_c", "f32"), ("A/f_b.c", "f32")]);
        let e = header(&c, &Options::default()).unwrap_err().0;
        assert!(
            e.contains("`A/f.b_c`") && e.contains("`A/f_b.c`") && e.contains("A_f_b_c_t"),
            "{e}"
        );
    }

    #[test]
    fn invalid_formats_are_errors() {
        let mut c = Config::new();
        c.insert("a.w".into(), Format::Fixed { w: 0, f: 0 });
        assert!(
            header(&c, &Options::default())
                .unwrap_err()
                .0
                .contains("site `a.w`")
        );
    }
}
