//! FPGA export (`number_tune::export`): the generated C++ header, compiled with g++ against an emulation of
//! Xilinx's `ap_fixed`/`ap_ufixed` (the Xilinx headers are not available here), converts every test input to
//! exactly `Format::quantize`'s value and `Format::encode`'s code; the hls4ml configuration parses and names
//! every site.
//!
//! The emulation (`ap_fixed.h` below) is written from the documented semantics of the two modes the header
//! uses, in integer arithmetic: `AP_RND_CONV` (the bit below the LSB rounds up when the LSB or any lower bit is
//! set: ties to even in two's complement) and `AP_SAT` (clamp to the most negative / largest code). Inputs are
//! `f32` values converted to `double` (as `ap_fixed(float)` does); NaN is excluded: its conversion is not
//! defined for `ap_fixed` (see the module documentation of `export`).
use number_tune::Format;
use number_tune::emulate::Config;
use number_tune::export::{self, CustomFloats, Options};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Xilinx `ap_fixed.h` stand-in: only `AP_RND_CONV` + `AP_SAT`, W <= 62, constructed from `double`.
const AP_FIXED_EMULATION: &str = r#"
#ifndef AP_FIXED_EMULATION_H
#define AP_FIXED_EMULATION_H
#include <cstdint>
#include <cstring>
#include <cmath>

enum ap_q_mode { AP_RND, AP_RND_ZERO, AP_RND_MIN_INF, AP_RND_INF, AP_RND_CONV, AP_TRN, AP_TRN_ZERO };
enum ap_o_mode { AP_SAT, AP_SAT_ZERO, AP_SAT_SYM, AP_WRAP, AP_WRAP_SM };

template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O>
struct ap_fixed_emu {
    static_assert(Q == AP_RND_CONV && O == AP_SAT, "the emulation implements AP_RND_CONV + AP_SAT only");
    static_assert(W >= 1 && W <= 62, "the emulation holds W <= 62 bits");
    static constexpr int F = W - I;  // fraction bits: value = raw * 2^-F
    static constexpr int64_t LO = S ? -(int64_t(1) << (W - 1)) : 0;
    static constexpr int64_t HI = S ? (int64_t(1) << (W - 1)) - 1 : (int64_t(1) << W) - 1;
    int64_t raw;

    explicit ap_fixed_emu(double d) {
        uint64_t bits;
        std::memcpy(&bits, &d, 8);
        bool neg = bits >> 63;
        int ef = int((bits >> 52) & 0x7ff);
        uint64_t man = bits & ((uint64_t(1) << 52) - 1);
        if (ef == 0x7ff) {  // +-inf (NaN is not passed)
            raw = neg ? LO : HI;
            return;
        }
        // |d| = man * 2^e exactly
        int e;
        if (ef == 0) {
            e = -1074;
        } else {
            man |= uint64_t(1) << 52;
            e = ef - 1075;
        }
        if (man == 0) {
            raw = 0;
            return;
        }
        int64_t v = neg ? -int64_t(man) : int64_t(man);  // |v| < 2^53; exact raw = v * 2^s
        int s = e + F;
        int64_t q;
        if (s >= 0) {
            if (s > 9) {  // |v| * 2^s >= 2^62 > HI: overflow
                raw = neg ? LO : HI;
                return;
            }
            q = v * (int64_t(1) << s);
        } else {
            int k = -s;  // drop k bits: q = floor(v / 2^k), then AP_RND_CONV
            if (k > 55) {
                // |v| < 2^53 <= 2^(k-2): floor is 0 or -1; for v < 0 the dropped part's top bit (qb) and a lower
                // bit are set, so it rounds up to 0; for v > 0 qb is clear: 0.
                q = 0;
            } else {
                q = v >> k;  // arithmetic shift: floor
                int64_t rem = v - q * (int64_t(1) << k);  // 0 <= rem < 2^k
                bool qb = (rem >> (k - 1)) & 1;
                bool r = (rem & ((int64_t(1) << (k - 1)) - 1)) != 0;
                bool lsb = q & 1;
                if (qb && (lsb || r)) q += 1;
            }
        }
        raw = q < LO ? LO : q > HI ? HI : q;  // AP_SAT
    }
    double to_double() const { return std::ldexp(double(raw), -F); }
};

template <int W, int I, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP, int N = 0>
struct ap_fixed : ap_fixed_emu<W, I, true, Q, O> {
    ap_fixed(double d) : ap_fixed_emu<W, I, true, Q, O>(d) {}
};
template <int W, int I, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP, int N = 0>
struct ap_ufixed : ap_fixed_emu<W, I, false, Q, O> {
    ap_ufixed(double d) : ap_fixed_emu<W, I, false, Q, O>(d) {}
};
#endif
"#;

/// The formats under test: fixed/ufixed of every width 1..=16 with F < 0, 0 < F < W, F = W and F > W, plus
/// wide ones and the extremes of F.
fn fixed_formats() -> Vec<Format> {
    let mut v = Vec::new();
    for w in 1..=16u32 {
        let wi = w as i32;
        let mut fs = vec![-5, -1, 0, 1, wi / 2, wi - 1, wi, wi + 1, wi + 7];
        fs.sort();
        fs.dedup();
        for f in fs {
            if w >= 2 {
                v.push(Format::fixed(w, f).unwrap());
            }
            v.push(Format::ufixed(w, f).unwrap());
        }
    }
    for (w, f) in [
        (20, 10),
        (24, 30),
        (24, -7),
        (25, 3),
        (32, 16),
        (32, 64),
        (32, -64),
        (8, 64),
        (8, -64),
        (2, 64),
        (1, -64),
    ] {
        if w >= 2 {
            v.push(Format::fixed(w, f).unwrap());
        }
        v.push(Format::ufixed(w, f).unwrap());
    }
    v
}

/// A site name per format: `S8Fm3/q.v` for fixed<8,-3>, `U…` for ufixed.
fn site_of(f: &Format) -> String {
    let (s, w, fr) = match *f {
        Format::Fixed { w, f } => ("S", w, f),
        Format::UFixed { w, f } => ("U", w, f),
        _ => unreachable!(),
    };
    let fr = if fr < 0 {
        format!("m{}", -fr)
    } else {
        fr.to_string()
    };
    format!("{s}{w}F{fr}/q.v")
}

/// Test inputs for a format: ±0, ±inf, extremes of f32, every half quantum near 0 and around both saturation
/// ends (ties and the values just beside them), and pseudo-random values across the range. No NaN.
fn inputs(f: &Format) -> Vec<f32> {
    let fr = match *f {
        Format::Fixed { f, .. } | Format::UFixed { f, .. } => f,
        _ => unreachable!(),
    };
    let half = (2.0f64).powi(-fr - 1); // half a quantum
    let (lo, hi) = (f.lowest() as f64, f.max() as f64);
    let mut v: Vec<f32> = vec![
        0.0,
        -0.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::MAX,
        f32::MIN,
        1.0,
        -1.0,
        1e-30,
        -1e-30,
    ];
    v.extend([
        f32::from_bits(1),
        -f32::from_bits(1),
        f32::MIN_POSITIVE,
        -f32::MIN_POSITIVE,
    ]);
    let mut ties = Vec::new();
    for centre in [0.0, lo, hi] {
        for k in -24i64..=24 {
            ties.push(centre + k as f64 * half);
        }
    }
    for t in ties {
        let x = t as f32;
        v.push(x);
        if x != 0.0 && x.is_finite() {
            v.push(f32::from_bits(x.to_bits() + 1));
            v.push(f32::from_bits(x.to_bits() - 1));
        }
    }
    let mut state = 0x9e37_79b9_7f4a_7c15u64
        ^ f.to_bytes()
            .iter()
            .fold(0u64, |a, &b| a.rotate_left(8) ^ b as u64);
    for _ in 0..100 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let u = (state >> 11) as f64 / (1u64 << 53) as f64; // [0, 1)
        let span = hi - lo.min(-hi);
        v.push((lo.min(-hi) - 0.25 * span + 1.5 * span * u) as f32);
    }
    v.retain(|x| !x.is_nan());
    v.sort_by_key(|x| x.to_bits());
    v.dedup_by_key(|x| x.to_bits());
    v
}

fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn have_gxx() -> bool {
    Command::new("g++")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn header_types_quantize_like_format_bit_for_bit() {
    let formats = fixed_formats();
    let mut cfg: Config = formats.iter().map(|f| (site_of(f), *f)).collect();
    assert_eq!(cfg.len(), formats.len(), "site names are unique");
    // Non-fixed sites compile as `float` in the same header.
    cfg.insert("plain.f".into(), Format::F32);
    cfg.insert("plain.e".into(), Format::E4M3);
    cfg.insert("plain.c".into(), "float<3,2>".parse().unwrap());
    let opts = Options {
        model: Some("conformance".into()),
        source: Some("tests/export.rs".into()),
        ..Options::default()
    };
    let header = export::header(&cfg, &opts).unwrap();
    assert_eq!(
        header,
        export::header(&cfg, &opts).unwrap(),
        "deterministic"
    );
    assert!(header.starts_with(&format!("// {}", export::GENERATED)));
    assert!(
        header.contains("// source: tests/export.rs")
            && header.contains("cargo number export conformance")
    );
    assert!(header.contains("typedef float plain_e_t; // e4m3 (max 448)"));
    assert!(header.contains("typedef float plain_f_t; // f32 (not quantized)"));
    assert!(
        header.contains("typedef ap_ufixed<1,65,AP_RND_CONV,AP_SAT> U1Fm64_q_v_t;"),
        "I > W"
    );
    assert!(
        header.contains("typedef ap_fixed<8,-56,AP_RND_CONV,AP_SAT> S8F64_q_v_t;"),
        "I < 0"
    );

    if !have_gxx() {
        eprintln!(
            "SKIPPED: g++ not found; the generated header was not compiled (install g++ to run this check)"
        );
        return;
    }
    let dir = scratch("export-conformance");
    std::fs::write(dir.join("ap_fixed.h"), AP_FIXED_EMULATION).unwrap();
    std::fs::write(dir.join(export::header_file_name(&opts)), &header).unwrap();
    let mut cpp = format!(
        "#include \"{}\"\n#include <cstdio>\n#include <cstring>\n#include <cstdint>\n\n\
         template <class T> void run(const char* site, const uint32_t* in, int n) {{\n\
         \x20   for (int i = 0; i < n; i++) {{\n\
         \x20       float x; std::memcpy(&x, &in[i], 4);\n\
         \x20       T v = T(double(x));\n\
         \x20       double d = v.to_double(); uint64_t db; std::memcpy(&db, &d, 8);\n\
         \x20       std::printf(\"%s %08x %lld %016llx\\n\", site, (unsigned)in[i], (long long)v.raw, (unsigned long long)db);\n\
         \x20   }}\n}}\n\nint main() {{\n",
        export::header_file_name(&opts)
    );
    let mut expected_lines = 0;
    let mut all_inputs = BTreeMap::new();
    for f in &formats {
        let site = site_of(f);
        let xs = inputs(f);
        expected_lines += xs.len();
        let c = export::c_name(&site);
        let list: Vec<String> = xs
            .iter()
            .map(|x| format!("0x{:08x}u", x.to_bits()))
            .collect();
        cpp.push_str(&format!(
            "    {{ static const uint32_t in[] = {{{}}}; run<{c}_t>(\"{site}\", in, {}); }}\n",
            list.join(","),
            xs.len()
        ));
        all_inputs.insert(site, (*f, xs));
    }
    // The float fallbacks are plain `float`s.
    cpp.push_str("    plain_f_t a = 1.5f; plain_e_t b = 2.0f; plain_c_t c = a + b; (void)c;\n    return 0;\n}\n");
    std::fs::write(dir.join("main.cpp"), &cpp).unwrap();
    let exe = dir.join("conformance");
    let out = Command::new("g++")
        .args([
            "-std=c++17",
            "-O1",
            "-Wall",
            "-Wextra",
            "-pedantic",
            "-Werror",
            "-I",
        ])
        .arg(&dir)
        .arg(dir.join("main.cpp"))
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("running g++");
    assert!(
        out.status.success(),
        "g++ failed on {}:\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let run = Command::new(&exe)
        .output()
        .expect("running the conformance program");
    assert!(run.status.success());
    let text = String::from_utf8(run.stdout).unwrap();
    let mut n = 0;
    let mut mismatches = Vec::new();
    for line in text.lines() {
        let p: Vec<&str> = line.split(' ').collect();
        let (f, _) = &all_inputs[p[0]];
        let x = f32::from_bits(u32::from_str_radix(p[1], 16).unwrap());
        let raw: i64 = p[2].parse().unwrap();
        let value = f64::from_bits(u64::from_str_radix(p[3], 16).unwrap());
        let w = f.bits();
        let code = (raw as u64 & ((1u64 << w) - 1)) as u32;
        let q = f.quantize(x);
        // For W <= 24 the ap value is an f32 and must equal quantize exactly (as f64 bits: +0 is +0); wider
        // values are compared after rounding to f32, which is what quantize returns.
        let value_ok = if w <= 24 {
            value.to_bits() == (q as f64).to_bits()
        } else {
            (value as f32).to_bits() == q.to_bits()
        };
        if code != f.encode(x) || !value_ok {
            mismatches.push(format!(
                "{f} ({}): x = {x:e} ({:#010x}): ap raw {raw} = {value:e}, libnumber code {:#x} = {q:e}",
                p[0],
                x.to_bits(),
                f.encode(x)
            ));
        }
        n += 1;
    }
    assert_eq!(n, expected_lines, "the program printed one line per input");
    assert!(
        mismatches.is_empty(),
        "{} of {n} conversions differ, first ones:\n{}",
        mismatches.len(),
        mismatches[..mismatches.len().min(20)].join("\n")
    );
    eprintln!(
        "{n} conversions over {} fixed-point formats agree bit for bit",
        formats.len()
    );
}

#[test]
fn hls4ml_config_parses_and_names_every_site() {
    let src = tuned_src(&[
        (
            "crate::layers::conv2d",
            "crate::Conv1",
            "type acc = f32; type b = ::number_rt::Fixed<2, 4>; type w = ::number_rt::Fixed<3, 3>; type x = f32; type y = ::number_rt::UFixed<8, 4>;",
        ),
        (
            "crate::layers::dense",
            "crate::Fc1",
            "type acc = ::number_rt::Fixed<16, 8>; type b = ::number_rt::E4m3; type w = ::number_rt::Fixed<2, -3>; type x = ::number_rt::UFixed<4, 9>; type lit0 = f32;",
        ),
        (
            "crate::layers::gru",
            "crate::Gru",
            "type w_ih = ::number_rt::Fixed<4, 4>; type w_hh = ::number_rt::Fixed<5, 4>; type b_ih = ::number_rt::Fixed<6, 4>; type b_hh = ::number_rt::Fixed<7, 4>; type h = ::number_rt::Fixed<8, 4>;",
        ),
        (
            "crate::relu",
            "crate::relu::Single",
            "type x = ::number_rt::Bf16; type ret = ::number_rt::Fixed<8, 2>;",
        ),
    ]);
    let src = src.as_str();
    let cfg = number_tune::tuned_file::parse(src).unwrap();
    let opts = Options {
        model: Some("toy".into()),
        source: Some("examples/toy/tuned.rs".into()),
        ..Options::default()
    };
    let text = export::hls4ml_config(&cfg, &opts).unwrap();
    assert_eq!(
        text,
        export::hls4ml_config(&cfg, &opts).unwrap(),
        "deterministic"
    );
    assert!(text.starts_with(&format!("# {}", export::GENERATED)));
    // The document after the `#` comment lines is JSON.
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let v: serde_json::Value = serde_json::from_str(&body).expect("the configuration body is JSON");
    let sites = v["LibNumber"]["sites"].as_object().unwrap();
    assert_eq!(
        sites.keys().cloned().collect::<Vec<_>>(),
        cfg.keys().cloned().collect::<Vec<_>>(),
        "names every site"
    );
    let header = export::header(&cfg, &opts).unwrap();
    for (site, f) in &cfg {
        let s = &sites[site];
        assert_eq!(s["format"], f.to_string());
        let line = format!(
            "typedef {} {};",
            s["hls_type"].as_str().unwrap(),
            s["c_type"].as_str().unwrap()
        );
        assert!(header.contains(&line), "header has `{line}`");
        if let Some(key) = s["hls4ml"].as_str() {
            let layer = s["layer"].as_str().unwrap();
            assert_eq!(
                v["HLSConfig"]["LayerName"][layer]["Precision"][key], s["hls_type"],
                "{site}"
            );
        }
    }
    let p = &v["HLSConfig"]["LayerName"];
    assert_eq!(
        p["Conv1"]["Precision"],
        serde_json::json!({
            "bias": "ap_fixed<2,-2,AP_RND_CONV,AP_SAT>",
            "weight": "ap_fixed<3,0,AP_RND_CONV,AP_SAT>",
            "result": "ap_ufixed<8,4,AP_RND_CONV,AP_SAT>",
        })
    );
    // f32 and custom-float sites and idents without an hls4ml key are left out.
    assert_eq!(
        p["Fc1"]["Precision"],
        serde_json::json!({
            "accum": "ap_fixed<16,8,AP_RND_CONV,AP_SAT>",
            "weight": "ap_fixed<2,5,AP_RND_CONV,AP_SAT>",
        })
    );
    assert_eq!(
        p["Gru"]["Precision"],
        serde_json::json!({
            "weight": "ap_fixed<4,0,AP_RND_CONV,AP_SAT>",
            "recurrent_weight": "ap_fixed<5,1,AP_RND_CONV,AP_SAT>",
            "bias": "ap_fixed<6,2,AP_RND_CONV,AP_SAT>",
            "recurrent_bias": "ap_fixed<7,3,AP_RND_CONV,AP_SAT>",
        })
    );
    assert_eq!(
        p["relu"]["Precision"],
        serde_json::json!({ "result": "ap_fixed<8,6,AP_RND_CONV,AP_SAT>" })
    );
    assert_eq!(sites["Fc1/dense.x"]["hls4ml"], serde_json::Value::Null);
    assert_eq!(sites["relu.x"]["hls_type"], "float");

    // A YAML parser reads the file (comments included) as the same document, when python3 with PyYAML is here.
    let dir = scratch("export-hls4ml");
    let path = dir.join(export::HLS4ML_FILE);
    std::fs::write(&path, &text).unwrap();
    let py = Command::new("python3")
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        ])
        .arg(&path)
        .output();
    match py {
        Ok(o) if o.status.success() => {
            let y: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            assert_eq!(y, v, "YAML reads the configuration as the JSON body");
        }
        _ => eprintln!(
            "SKIPPED: YAML cross-check (needs python3 with PyYAML); the JSON body was checked"
        ),
    }

    // Strict mode rejects the custom floats, naming the site.
    let strict = Options {
        custom_floats: CustomFloats::Reject,
        ..opts.clone()
    };
    let e = export::header(&cfg, &strict).unwrap_err().0;
    assert!(
        e.contains("site `Fc1/dense.b`") && e.contains("`e4m3`"),
        "{e}"
    );
    assert_eq!(export::hls4ml_config(&cfg, &strict).unwrap_err().0, e);
}

#[test]
fn writes_both_files() {
    let mut cfg = Config::new();
    cfg.insert("Fc1/dense.w".into(), Format::fixed(4, 3).unwrap());
    let dir = scratch("export-write").join("out");
    let opts = Options {
        model: Some("tiny".into()),
        ..Options::default()
    };
    let [h, y] = export::write(&dir, &cfg, &opts).unwrap();
    assert_eq!(h, dir.join("tiny_types.h"));
    assert_eq!(y, dir.join("hls4ml_config.yml"));
    let text = std::fs::read_to_string(h).unwrap();
    assert!(
        text.contains("#ifndef LIBNUMBER_TINY_TYPES_H") && text.contains("#include <ap_fixed.h>")
    );
    assert!(text.contains("typedef ap_fixed<4,1,AP_RND_CONV,AP_SAT> Fc1_dense_w_t; // fixed<4,3>: -1 ..= 0.875, step 2^-3"));
}

/// A `tuned.rs` in the contract's form: a header, then per `(function path, instance path, site types)` the
/// function's fingerprint check and its `Formats` impl.
fn tuned_src(items: &[(&str, &str, &str)]) -> String {
    let mut s = String::from(
        "// @generated by libnumber: number formats of the #[quantize] sites. Do not edit: regenerate it.\n\
         // Regenerate: cargo number tune toy\n// tool: libnumber 0.1.0\n// profile: 0x0000000000000001 (1 sites)\n\
         // parameter bits: 1 (f32: 32, 32.00x smaller)\n\n",
    );
    for (f, inst, body) in items {
        let name = f.trim_start_matches("crate::");
        s.push_str(&format!(
            "const _: () = assert!({f}::FINGERPRINT == 0x0000000000000001, \"tuned.rs is stale: `{name}` changed since it was tuned; re-run `cargo number tune toy`\");\n\
             impl {f}::Formats for {inst} {{ {body} }}\n"
        ));
    }
    s
}
