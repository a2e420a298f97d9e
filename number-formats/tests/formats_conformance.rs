//! Conformance of `Format` and the static number types against references written independently of the
//! implementation: every code of a format is decoded with integer arithmetic written here, the values are
//! sorted into a table, and "round to nearest, ties to even, saturate" is evaluated on that table with exact
//! comparisons. Exhaustive over every code of every format of 8 bits or fewer (all fixed/ufixed W and F, all
//! float E, M and biases) and of a set of 16-bit formats; f16/bf16 are also compared with the `half` crate and
//! e4m3/e5m2 with the `float8` crate and the OCP tables; fixed-point golden vectors in the ap_fixed style.
use number_formats::{
    Bf16, Binary, E2m1, E2m3, E3m2, E4m3, E5m2, F16, Fixed, Float, Format, Number, UFixed,
};

// ---------------------------------------------------------------------------------------------------------
// Independent reference
// ---------------------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum Special {
    AllFinite,
    Ocp,
    Ieee,
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Fixed {
        w: u32,
        f: i32,
        signed: bool,
    },
    Float {
        e: u32,
        m: u32,
        bias: i32,
        special: Special,
    },
}

fn kind(fmt: Format) -> Kind {
    match fmt {
        Format::Fixed { w, f } => Kind::Fixed { w, f, signed: true },
        Format::UFixed { w, f } => Kind::Fixed {
            w,
            f,
            signed: false,
        },
        Format::Float { e, m, bias } => Kind::Float {
            e,
            m,
            bias,
            special: Special::AllFinite,
        },
        Format::E4M3 => Kind::Float {
            e: 4,
            m: 3,
            bias: 7,
            special: Special::Ocp,
        },
        Format::E5M2 => Kind::Float {
            e: 5,
            m: 2,
            bias: 15,
            special: Special::Ieee,
        },
        Format::F16 => Kind::Float {
            e: 5,
            m: 10,
            bias: 15,
            special: Special::Ieee,
        },
        Format::Bf16 => Kind::Float {
            e: 8,
            m: 7,
            bias: 127,
            special: Special::Ieee,
        },
        Format::F32 => panic!("f32 is tested separately"),
        Format::Binary { .. } => panic!("binary<F> (no zero) is tested separately"),
        Format::Block { .. } => {
            panic!("block<W,F,N> is tested against its reference in number-rt/src/blocked.rs")
        }
        Format::Codebook { .. } => {
            panic!(
                "codebooks are tested against their reference in number-formats/tests/codebook.rs"
            )
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum RefVal {
    Num(f64),
    Inf(bool),
    NaN,
}

/// 2^k by repeated multiplication (exact for |k| <= 1000).
fn p2(k: i32) -> f64 {
    let mut v = 1.0f64;
    if k >= 0 {
        for _ in 0..k {
            v *= 2.0;
        }
    } else {
        for _ in 0..-k {
            v /= 2.0;
        }
    }
    v
}

/// Decode a code with integer arithmetic, from the written definition of the format.
fn ref_decode(k: Kind, code: u32) -> RefVal {
    match k {
        Kind::Fixed { w, f, signed } => {
            let code = code as i64 & ((1i64 << w) - 1);
            let raw = if signed && code >= 1i64 << (w - 1) {
                code - (1i64 << w)
            } else {
                code
            };
            RefVal::Num(raw as f64 * p2(-f))
        }
        Kind::Float {
            e,
            m,
            bias,
            special,
        } => {
            let code = code as u64 & ((1u64 << (1 + e + m)) - 1);
            let s = (code >> (e + m)) & 1;
            let x = ((code >> m) & ((1 << e) - 1)) as i32;
            let y = (code & ((1 << m) - 1)) as i64;
            let top = (1i32 << e) - 1;
            if special == Special::Ocp && x == top && y == (1 << m) - 1 {
                return RefVal::NaN;
            }
            if special == Special::Ieee && x == top {
                return if y == 0 {
                    RefVal::Inf(s == 1)
                } else {
                    RefVal::NaN
                };
            }
            let mag = if x == 0 {
                y as f64 * p2(1 - bias - m as i32)
            } else {
                ((1i64 << m) + y) as f64 * p2(x - bias - m as i32)
            };
            RefVal::Num(if s == 1 { -mag } else { mag })
        }
    }
}

/// All finite values of a format with their codes, sorted; zero appears once (as +0, code 0).
struct Table {
    kind: Kind,
    bits: u32,
    /// (value, code), strictly increasing values.
    vals: Vec<(f64, u32)>,
    /// Index of 0 in `vals`.
    zero: usize,
}

impl Table {
    fn new(fmt: Format) -> Table {
        let k = kind(fmt);
        let bits = match k {
            Kind::Fixed { w, .. } => w,
            Kind::Float { e, m, .. } => 1 + e + m,
        };
        let mut vals: Vec<(f64, u32)> = Vec::new();
        for c in 0..(1u64 << bits) as u32 {
            if let RefVal::Num(v) = ref_decode(k, c) {
                if v == 0.0 && c != 0 {
                    continue; // -0.0 of floats
                }
                vals.push((v, c));
            }
        }
        vals.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
        for w in vals.windows(2) {
            assert!(w[0].0 < w[1].0, "duplicate value {} in {fmt}", w[0].0);
        }
        let zero = vals.iter().position(|v| v.0 == 0.0).unwrap();
        Table {
            kind: k,
            bits,
            vals,
            zero,
        }
    }

    fn is_float(&self) -> bool {
        matches!(self.kind, Kind::Float { .. })
    }

    fn sign_bit(&self) -> u32 {
        1 << (self.bits - 1)
    }

    fn max(&self) -> (f64, u32) {
        *self.vals.last().unwrap()
    }

    fn lowest(&self) -> (f64, u32) {
        self.vals[0]
    }

    /// Nearest table value to `x` (ties to the one that is an even multiple of the gap between the two),
    /// saturating, among `vals[lo_idx..]`.
    fn nearest(vals: &[(f64, u32)], x: f64) -> (f64, u32) {
        let (first, last) = (vals[0], *vals.last().unwrap());
        if x <= first.0 {
            return first;
        }
        if x >= last.0 {
            return last;
        }
        let i = vals.partition_point(|v| v.0 <= x); // vals[i-1] <= x < vals[i]
        let (a, b) = (vals[i - 1], vals[i]);
        let mid = (a.0 + b.0) / 2.0; // exact for these formats
        assert_eq!((a.0 + b.0) / 2.0 * 2.0, a.0 + b.0);
        if x < mid {
            a
        } else if x > mid {
            b
        } else {
            let gap = b.0 - a.0;
            if (a.0 / gap) % 2.0 == 0.0 { a } else { b }
        }
    }

    /// Reference quantisation: value (as f64, exact) and code. NaN → +0.
    fn quantize(&self, x: f64) -> (f64, u32) {
        if x.is_nan() {
            return (0.0, 0);
        }
        if self.is_float() {
            // Sign-magnitude: round |x| on the non-negative values, then put the sign back (also on zero).
            let (v, c) = Table::nearest(&self.vals[self.zero..], x.abs());
            if x.is_sign_negative() {
                (-v, c | self.sign_bit())
            } else {
                (v, c)
            }
        } else {
            Table::nearest(&self.vals, x)
        }
    }
}

fn next_up(x: f32) -> f32 {
    if x.is_nan() || x == f32::INFINITY {
        return x;
    }
    if x == 0.0 {
        return f32::from_bits(1);
    }
    let b = x.to_bits();
    f32::from_bits(if x > 0.0 { b + 1 } else { b - 1 })
}

fn next_down(x: f32) -> f32 {
    -next_up(-x)
}

/// Inputs that probe every decision of the format: each value, each midpoint and its f32 neighbours, each
/// value's f32 neighbours, and the ranges beyond.
fn probe_points(t: &Table) -> Vec<f32> {
    let mut xs = vec![
        0.0,
        -0.0,
        f32::from_bits(1),
        -f32::from_bits(1),
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::MAX,
        f32::MIN,
        f32::MIN_POSITIVE,
        1e30,
        -1e30,
        1.0,
        -1.0,
    ];
    let vals: Vec<f64> = t.vals.iter().map(|v| v.0).collect();
    let mut all = vals.clone();
    if t.is_float() {
        all.extend(vals.iter().map(|v| -v));
    }
    for &v in &all {
        let v32 = v as f32;
        assert_eq!(v32 as f64, v, "format value {v} is not an f32");
        xs.extend([v32, next_up(v32), next_down(v32), v32 * 2.0, v32 * 4.0]);
    }
    for w in vals.windows(2) {
        let mid = ((w[0] + w[1]) / 2.0) as f32;
        if mid as f64 != (w[0] + w[1]) / 2.0 {
            // Only where the format is as fine as the f32 subnormal grid: no f32 input is a tie there
            // (quantize_f64 is checked at the midpoint).
            assert_eq!(w[1] - w[0], 2f64.powi(-149));
            continue;
        }
        for m in [mid, -mid] {
            xs.extend([m, next_up(m), next_down(m)]);
        }
    }
    xs
}

fn same(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Checks a format exhaustively against its table.
fn check_format(fmt: Format) {
    let t = Table::new(fmt);
    assert_eq!(fmt.bits(), t.bits, "{fmt}");
    // Decoding every code.
    for c in 0..(1u64 << t.bits) as u32 {
        let got = fmt.decode(c);
        match ref_decode(t.kind, c) {
            RefVal::Num(v) => {
                assert_eq!(
                    got.to_bits(),
                    (v as f32).to_bits(),
                    "{fmt}: decode({c:#x}) = {got}, expected {v}"
                );
                // Round trip: a value's code is itself (also -0.0 for floats).
                assert_eq!(fmt.encode(got), c, "{fmt}: encode(decode({c:#x}))");
                assert!(
                    same(fmt.quantize(got), got),
                    "{fmt}: quantize of the value {got} is not identity"
                );
            }
            RefVal::Inf(neg) => assert_eq!(
                got,
                if neg {
                    f32::NEG_INFINITY
                } else {
                    f32::INFINITY
                },
                "{fmt}"
            ),
            RefVal::NaN => assert!(got.is_nan(), "{fmt}: decode({c:#x}) should be NaN"),
        }
        // Bits above the width are ignored.
        assert!(
            same(fmt.decode(c | (u32::MAX << t.bits)), got),
            "{fmt}: high bits of {c:#x}"
        );
    }
    // Range.
    assert_eq!(fmt.max() as f64, t.max().0, "{fmt}: max");
    assert_eq!(fmt.lowest() as f64, t.lowest().0, "{fmt}: lowest");
    let min_pos = t.vals.iter().find(|v| v.0 > 0.0).unwrap().0;
    assert_eq!(fmt.min_positive() as f64, min_pos, "{fmt}: min_positive");
    assert_eq!(fmt.is_signed(), t.lowest().0 < 0.0, "{fmt}: is_signed");
    // Quantisation.
    for x in probe_points(&t) {
        let (v, c) = t.quantize(x as f64);
        let want = v as f32;
        let got = fmt.quantize(x);
        assert_eq!(
            got.to_bits(),
            want.to_bits(),
            "{fmt}: quantize({x:e} = {:#x}) = {got:e}, expected {want:e}",
            x.to_bits()
        );
        assert_eq!(fmt.encode(x), c, "{fmt}: encode({x:e})");
        assert_eq!(
            fmt.quantize_f64(x as f64).to_bits(),
            want.to_bits(),
            "{fmt}: quantize_f64({x:e})"
        );
    }
    // Single rounding from f64: just above/below each midpoint by less than an f32 ulp.
    for w in t.vals.windows(2) {
        let mid = (w[0].0 + w[1].0) / 2.0;
        let eps = (w[1].0 - w[0].0) * p2(-40);
        for x in [mid, -mid, mid + eps, mid - eps, -(mid + eps), -(mid - eps)] {
            let (v, _) = t.quantize(x);
            assert_eq!(
                fmt.quantize_f64(x).to_bits(),
                (v as f32).to_bits(),
                "{fmt}: quantize_f64({x:e})"
            );
        }
    }
    // NaN.
    assert_eq!(fmt.quantize(f32::NAN).to_bits(), 0, "{fmt}: NaN");
    assert_eq!(fmt.quantize(-f32::NAN).to_bits(), 0, "{fmt}: -NaN");
    assert_eq!(fmt.encode(f32::NAN), 0, "{fmt}: encode NaN");
    assert_eq!(fmt.quantize_f64(f64::NAN).to_bits(), 0, "{fmt}");
    // Slice form equals the scalar one.
    let mut xs = probe_points(&t);
    let want: Vec<u32> = xs.iter().map(|&x| fmt.quantize(x).to_bits()).collect();
    fmt.quantize_slice(&mut xs);
    assert_eq!(
        xs.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        want,
        "{fmt}: quantize_slice"
    );
}

/// Every valid format of at most 8 bits.
fn small_formats() -> Vec<Format> {
    let mut v = vec![Format::E4M3, Format::E5M2];
    for w in 1..=8 {
        for f in -64..=64 {
            if w >= 2 {
                v.push(Format::fixed(w, f).unwrap());
            }
            v.push(Format::ufixed(w, f).unwrap());
        }
    }
    for e in 1..=7u32 {
        for m in 0..=(7 - e) {
            for bias in Format::bias_range(e, m) {
                v.push(Format::float_with_bias(e, m, bias).unwrap());
            }
        }
    }
    v
}

#[test]
fn exhaustive_formats_up_to_8_bits() {
    let formats = small_formats();
    assert!(formats.len() > 9000, "{}", formats.len());
    for fmt in formats {
        check_format(fmt);
    }
}

#[test]
fn exhaustive_16_bit_formats() {
    for fmt in [
        Format::F16,
        Format::Bf16,
        Format::float(5, 10).unwrap(), // all-finite variant of f16
        Format::float_with_bias(8, 7, 128).unwrap(),
        Format::float_with_bias(6, 9, 20).unwrap(),
        Format::float(3, 12).unwrap(),
        Format::fixed(16, 8).unwrap(),
        Format::fixed(16, -20).unwrap(),
        Format::fixed(12, 40).unwrap(),
        Format::ufixed(16, 3).unwrap(),
        Format::ufixed(13, -7).unwrap(),
    ] {
        check_format(fmt);
    }
}

#[test]
fn named_mx_formats_have_ocp_ranges() {
    let t = |s: &str| s.parse::<Format>().unwrap();
    assert_eq!(
        t("e2m1"),
        Format::Float {
            e: 2,
            m: 1,
            bias: 1
        }
    );
    assert_eq!(t("e2m1").max(), 6.0);
    assert_eq!(t("e2m1").min_positive(), 0.5);
    assert_eq!(
        t("e3m2"),
        Format::Float {
            e: 3,
            m: 2,
            bias: 3
        }
    );
    assert_eq!(t("e3m2").max(), 28.0);
    assert_eq!(t("e3m2").min_positive(), 0.0625);
    assert_eq!(
        t("e2m3"),
        Format::Float {
            e: 2,
            m: 3,
            bias: 1
        }
    );
    assert_eq!(t("e2m3").max(), 7.5);
    assert_eq!(t("e2m3").min_positive(), 0.125);
    assert_eq!(t("float<2,1>"), t("e2m1"));
    assert_eq!(t("float<3,2,3>"), t("e3m2"));
    // OCP MX FP4 value list (positive half).
    let fp4: Vec<f32> = (0..8).map(|c| t("e2m1").decode(c)).collect();
    assert_eq!(fp4, [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0]);
}

// ---------------------------------------------------------------------------------------------------------
// OCP FP8 and IEEE half formats against external references
// ---------------------------------------------------------------------------------------------------------

/// A dense sweep of f32 bit patterns (every 509th, covering all exponents, signs and NaNs) plus values near
/// the formats' interesting points.
fn sweep() -> impl Iterator<Item = f32> {
    (0..=u32::MAX / 509).map(|i| f32::from_bits(i.wrapping_mul(509).wrapping_add(i >> 7)))
}

#[test]
fn e4m3_and_e5m2_match_float8_crate_and_ocp_tables() {
    use float8::{F8E4M3, F8E5M2};
    // OCP tables.
    let e4 = Format::E4M3;
    assert_eq!(e4.max(), 448.0);
    assert_eq!(e4.decode(0x7E), 448.0);
    assert!(e4.decode(0x7F).is_nan() && e4.decode(0xFF).is_nan());
    assert_eq!(e4.decode(0x78), 256.0); // S.1111.000 is a number in E4M3
    assert_eq!(e4.decode(0x08), 2f32.powi(-6));
    assert_eq!(e4.decode(0x01), 2f32.powi(-9));
    assert_eq!(e4.decode(0x38), 1.0);
    assert_eq!(e4.min_positive(), 2f32.powi(-9));
    let e5 = Format::E5M2;
    assert_eq!(e5.max(), 57344.0);
    assert_eq!(e5.decode(0x7B), 57344.0);
    assert_eq!(e5.decode(0x7C), f32::INFINITY);
    assert_eq!(e5.decode(0xFC), f32::NEG_INFINITY);
    assert!(e5.decode(0x7D).is_nan() && e5.decode(0x7F).is_nan());
    assert_eq!(e5.decode(0x04), 2f32.powi(-14));
    assert_eq!(e5.decode(0x01), 2f32.powi(-16));
    assert_eq!(e5.decode(0x3C), 1.0);
    // Every code decodes like float8.
    for c in 0..=255u8 {
        assert!(
            same(e4.decode(c as u32), F8E4M3::from_bits(c).to_f32()),
            "e4m3 {c:#x}"
        );
        assert!(
            same(e5.decode(c as u32), F8E5M2::from_bits(c).to_f32()),
            "e5m2 {c:#x}"
        );
    }
    // float8 converts with saturation to the largest finite value, like us; compare on all non-NaN inputs.
    let mut n = 0;
    for x in sweep().chain([
        448.0,
        464.0,
        465.0,
        480.0,
        57344.0,
        61440.0,
        61441.0,
        65536.0,
        2f32.powi(-10),
    ]) {
        if x.is_nan() {
            continue;
        }
        let a = F8E4M3::from_f32(x);
        assert_eq!(e4.encode(x), a.to_bits() as u32, "e4m3 encode {x:e}");
        assert_eq!(
            e4.quantize(x).to_bits(),
            a.to_f32().to_bits(),
            "e4m3 quantize {x:e}"
        );
        let b = F8E5M2::from_f32(x);
        assert_eq!(e5.encode(x), b.to_bits() as u32, "e5m2 encode {x:e}");
        assert_eq!(
            e5.quantize(x).to_bits(),
            b.to_f32().to_bits(),
            "e5m2 quantize {x:e}"
        );
        assert_eq!(E4m3::from_f32(x).to_bits(), a.to_bits() as u32);
        assert_eq!(E5m2::from_f32(x).to_bits(), b.to_bits() as u32);
        n += 1;
    }
    assert!(n > 8_000_000);
}

#[test]
fn f16_and_bf16_match_half_crate() {
    use half::{bf16, f16};
    // Every code decodes like half (NaN payloads aside).
    for c in 0..=u16::MAX {
        assert!(
            same(Format::F16.decode(c as u32), f16::from_bits(c).to_f32()),
            "f16 {c:#x}"
        );
        assert!(
            same(Format::Bf16.decode(c as u32), bf16::from_bits(c).to_f32()),
            "bf16 {c:#x}"
        );
    }
    // half rounds to nearest even like us but overflows to infinity where we saturate: compare where half's
    // result is finite, and check that we saturate where it is infinite.
    let (mut in_range, mut saturated) = (0, 0);
    for x in sweep().chain([
        65504.0,
        65519.99,
        65520.0,
        1e5,
        f32::MAX,
        2f32.powi(-25),
        3.0 * 2f32.powi(-26),
    ]) {
        if x.is_nan() {
            continue;
        }
        for (fmt, h, max) in [
            (Format::F16, f16::from_f32(x).to_f32(), 65504.0f32),
            (
                Format::Bf16,
                bf16::from_f32(x).to_f32(),
                f32::from_bits(0x7F7F_0000),
            ),
        ] {
            let got = fmt.quantize(x);
            if h.is_finite() {
                assert_eq!(got.to_bits(), h.to_bits(), "{fmt} quantize {x:e}");
                in_range += 1;
            } else {
                assert_eq!(got, max.copysign(x), "{fmt} saturates {x:e}");
                saturated += 1;
            }
        }
        assert_eq!(F16::from_f32(x).to_bits() as u16, {
            let h = f16::from_f32(x);
            if h.is_finite() {
                h.to_bits()
            } else {
                if x > 0.0 { 0x7BFF } else { 0xFBFF }
            }
        });
        let h = bf16::from_f32(x);
        if h.is_finite() {
            assert_eq!(Bf16::from_f32(x).to_bits() as u16, h.to_bits());
        }
    }
    assert!(
        in_range > 10_000_000 && saturated > 1_000_000,
        "{in_range} {saturated}"
    );
}

// ---------------------------------------------------------------------------------------------------------
// f32 and fixed-point golden vectors
// ---------------------------------------------------------------------------------------------------------

#[test]
fn f32_format_is_identity_except_nan_and_inf() {
    let f = Format::F32;
    for x in sweep() {
        let want = if x.is_nan() {
            0.0
        } else if x.is_infinite() {
            f32::MAX.copysign(x)
        } else {
            x
        };
        assert_eq!(f.quantize(x).to_bits(), want.to_bits(), "{x:e}");
        assert_eq!(f.encode(x), want.to_bits());
        assert_eq!(<f32 as Number>::from_f32(x).to_bits(), want.to_bits());
    }
    assert_eq!(f.quantize(-0.0).to_bits(), (-0.0f32).to_bits());
    assert_eq!(f.bits(), 32);
    assert_eq!(f.max(), f32::MAX);
    assert_eq!(f.min_positive(), f32::from_bits(1));
    assert_eq!(f.quantize_f64(1e300), f32::MAX);
    assert_eq!(f.quantize_f64(1.0 + 2f64.powi(-24)), 1.0); // tie → even
    assert_eq!(
        f.quantize_f64(1.0 + 2f64.powi(-24) + 2f64.powi(-50)),
        1.0 + 2f32.powi(-23)
    ); // single rounding
}

fn q(fmt: &str, x: f32) -> f32 {
    fmt.parse::<Format>().unwrap().quantize(x)
}

#[test]
fn fixed_golden_vectors() {
    // ap_fixed<4,2> ≙ fixed<4,2>: quantum 0.25, range -2 ..= 1.75.
    assert_eq!(q("fixed<4,2>", 0.375), 0.5);
    assert_eq!(q("fixed<4,2>", 1.625), 1.5);
    assert_eq!(q("fixed<4,2>", 1.875), 1.75);
    assert_eq!(q("fixed<4,2>", -10.0), -2.0);
    assert_eq!(q("fixed<4,2>", 0.125), 0.0); // tie → even (0)
    assert_eq!(q("fixed<4,2>", -0.375), -0.5);
    assert_eq!(q("fixed<4,2>", -2.125), -2.0);
    assert_eq!(q("fixed<4,2>", 0.3), 0.25);
    assert_eq!(q("fixed<4,2>", -0.1).to_bits(), 0); // zero is +0.0 in fixed point
    // fixed<2,0>: -2, -1, 0, 1.
    assert_eq!(q("fixed<2,0>", 1.5), 1.0); // tie → 2 (even) → saturates to 1
    assert_eq!(q("fixed<2,0>", -1.5), -2.0);
    assert_eq!(q("fixed<2,0>", -2.5), -2.0);
    assert_eq!(q("fixed<2,0>", 0.5), 0.0);
    // ufixed.
    assert_eq!(q("ufixed<4,2>", -1.0), 0.0);
    assert_eq!(q("ufixed<4,2>", -0.0).to_bits(), 0);
    assert_eq!(q("ufixed<4,2>", 3.9), 3.75);
    assert_eq!(q("ufixed<4,2>", 0.375), 0.5);
    assert_eq!(q("ufixed<4,2>", 0.625), 0.5);
    assert_eq!(q("ufixed<1,0>", 0.7), 1.0);
    assert_eq!(q("ufixed<1,0>", 0.5), 0.0);
    assert_eq!(q("ufixed<8,8>", 1.0), 255.0 / 256.0);
    // Negative F: the binary point right of the word (quantum 4).
    assert_eq!(q("fixed<8,-2>", 6.0), 8.0); // 1.5 quanta → 2
    assert_eq!(q("fixed<8,-2>", 10.0), 8.0); // 2.5 → 2
    assert_eq!(q("fixed<8,-2>", 14.0), 16.0); // 3.5 → 4
    assert_eq!(q("fixed<8,-2>", 1000.0), 508.0);
    assert_eq!(q("fixed<8,-2>", -1000.0), -512.0);
    assert_eq!(q("ufixed<4,-64>", 1e30), 15.0 * 2f32.powi(64));
    // Large F: the binary point far left of the word.
    assert_eq!(q("fixed<4,6>", 0.1), 0.09375); // 6.4 quanta of 1/64 → 6
    assert_eq!(q("fixed<4,6>", 1.0), 0.109375); // saturates at 7/64
    assert_eq!(q("fixed<4,6>", -1.0), -0.125);
    assert_eq!(q("fixed<8,64>", 3.0 * 2f32.powi(-65)), 2.0 * 2f32.powi(-64)); // 1.5 → 2
    assert_eq!(q("fixed<8,64>", 2f32.powi(-65)), 0.0); // 0.5 → 0
    // 32-bit words: the fixed value is exact, the f32 result is its rounding.
    assert_eq!(q("fixed<32,0>", 3e9), 2147483648.0); // saturates to 2^31-1, which rounds to 2^31 in f32
    assert_eq!(
        "fixed<32,0>".parse::<Format>().unwrap().encode(3e9),
        0x7FFF_FFFF
    );
    assert_eq!(
        "fixed<32,0>".parse::<Format>().unwrap().encode(-3e9),
        0x8000_0000
    );
    assert_eq!(
        "ufixed<32,0>".parse::<Format>().unwrap().encode(1e10),
        0xFFFF_FFFF
    );
    assert_eq!(
        q("fixed<32,16>", 12345.678),
        (12345.678f32 as f64 * 65536.0).round() as f32 / 65536.0
    );
    // Static types agree.
    assert_eq!(Fixed::<4, 2>::from_f32(0.375).to_f32(), 0.5);
    assert_eq!(Fixed::<4, 2>::from_f32(1.875).raw(), 7);
    assert_eq!(Fixed::<4, 2>::from_f32(-10.0).raw(), -8);
    assert_eq!(UFixed::<4, 2>::from_f32(-1.0).raw(), 0);
    assert_eq!(Fixed::<8, -2>::from_f32(10.0).raw(), 2);
    assert_eq!(Fixed::<32, 0>::from_f32(3e9).raw(), i32::MAX);
}

// ---------------------------------------------------------------------------------------------------------
// Static types: exhaustive agreement with Format over the same probe points
// ---------------------------------------------------------------------------------------------------------

fn check_static<T: Number>() {
    let fmt = T::FORMAT;
    let t = Table::new(fmt);
    for c in 0..(1u64 << t.bits) as u32 {
        let v = T::from_code(c);
        assert!(
            same(v.to_f32(), fmt.decode(c)) && v.to_f32().to_bits() == fmt.decode(c).to_bits(),
            "{fmt} {c:#x}"
        );
        if !v.to_f32().is_nan() {
            assert_eq!(v.to_code(), c, "{fmt}: to_code(from_code({c:#x}))");
        }
    }
    for x in probe_points(&t).into_iter().chain([f32::NAN, -f32::NAN]) {
        let v = T::from_f32(x);
        assert_eq!(
            v.to_f32().to_bits(),
            fmt.quantize(x).to_bits(),
            "{fmt}: from_f32({x:e})"
        );
        assert_eq!(v.to_code(), fmt.encode(x), "{fmt}: code of {x:e}");
        assert_eq!(T::quantize(x).to_bits(), fmt.quantize(x).to_bits());
    }
}

macro_rules! check_static_all {
    ($($t:ty),* $(,)?) => {$( check_static::<$t>(); )*};
}

#[test]
fn static_types_agree_with_format_exhaustively() {
    check_static_all!(
        E4m3, E5m2, E3m2, E2m3, E2m1, F16, Bf16,
        Float<1, 0, 0>, Float<1, 6, -100>, Float<2, 5, 40>, Float<4, 3, 7>, Float<5, 2, 15>, Float<7, 0, 30>,
        Float<5, 10, 15>, Float<8, 7, 128>, Float<4, 11, 0>,
        Fixed<2, 0>, Fixed<4, 2>, Fixed<5, 3>, Fixed<8, 4>, Fixed<8, -64>, Fixed<8, 64>, Fixed<3, 10>,
        Fixed<16, 8>, Fixed<11, -3>,
        UFixed<1, 0>, UFixed<4, 2>, UFixed<8, 8>, UFixed<8, -5>, UFixed<7, 64>, UFixed<16, 0>,
    );
    assert_eq!(core::mem::size_of::<Fixed<5, 3>>(), 1);
    assert_eq!(core::mem::size_of::<UFixed<16, 0>>(), 2);
    assert_eq!(core::mem::size_of::<Float<4, 11, 0>>(), 2);
}

// ---------------------------------------------------------------------------------------------------------
// Operators of the static types, exhaustively over all pairs of codes, against the table reference
// ---------------------------------------------------------------------------------------------------------

impl Table {
    /// Reference rounding of the exact quotient `n / d` (both values of an at most 8-bit format, so
    /// `v·d` is exact in f64 for every table value `v`): sign-magnitude for floats.
    fn quantize_div(&self, n: f64, d: f64) -> f64 {
        if d == 0.0 {
            if n == 0.0 {
                return 0.0;
            }
            let neg = n.is_sign_negative() != d.is_sign_negative();
            let (lo, hi) = (self.lowest().0, self.max().0);
            return if self.is_float() {
                if neg { -hi } else { hi }
            } else if neg {
                lo
            } else {
                hi
            };
        }
        let neg = n.is_sign_negative() != d.is_sign_negative();
        let (an, ad) = (n.abs(), d.abs());
        // Compare x = an/ad (>= 0) with v exactly: an <=> v·ad.
        let cmp = |v: f64| an.partial_cmp(&(v * ad)).unwrap();
        let pick = |vals: &[(f64, u32)], sign: f64| -> f64 {
            // Nearest to sign·x among vals (sorted), ties to the even multiple of the gap, saturating.
            let cmpx = |v: f64| {
                if sign > 0.0 {
                    cmp(v)
                } else {
                    cmp(-v).reverse()
                }
            };
            use std::cmp::Ordering::*;
            if cmpx(vals[0].0) != Greater {
                return vals[0].0;
            }
            if cmpx(vals[vals.len() - 1].0) != Less {
                return vals[vals.len() - 1].0;
            }
            let i = vals.partition_point(|v| cmpx(v.0) != Less);
            let (a, b) = (vals[i - 1].0, vals[i].0);
            match cmpx((a + b) / 2.0) {
                Less => a,
                Greater => b,
                Equal => {
                    if (a / (b - a)) % 2.0 == 0.0 {
                        a
                    } else {
                        b
                    }
                }
            }
        };
        if self.is_float() {
            let v = pick(&self.vals[self.zero..], 1.0);
            if neg { -v } else { v }
        } else {
            pick(&self.vals, if neg { -1.0 } else { 1.0 })
        }
    }
}

fn check_ops<T>()
where
    T: Number
        + core::ops::Add<Output = T>
        + core::ops::Sub<Output = T>
        + core::ops::Mul<Output = T>
        + core::ops::Div<Output = T>
        + core::ops::Rem<Output = T>
        + core::ops::AddAssign
        + core::ops::MulAssign,
{
    let fmt = T::FORMAT;
    let t = Table::new(fmt);
    let codes: Vec<u32> = (0..(1u32 << t.bits))
        .filter(|&c| !fmt.decode(c).is_nan() && fmt.decode(c).is_finite())
        .collect();
    let r = |x: f64| t.quantize(x).0 as f32;
    for &ca in &codes {
        let a = T::from_code(ca);
        let x = a.to_f32() as f64;
        for &cb in &codes {
            let b = T::from_code(cb);
            let y = b.to_f32() as f64;
            let chk = |op: &str, got: T, want: f32| {
                assert_eq!(
                    got.to_f32().to_bits(),
                    want.to_bits(),
                    "{fmt}: {x} {op} {y} = {:?}, expected {want}",
                    got.to_f32()
                );
            };
            // Sums, differences, products and remainders of these values are exact in f64.
            chk("+", a + b, r(x + y));
            chk("-", a - b, r(x - y));
            chk("*", a * b, r(x * y));
            chk("%", a % b, if y == 0.0 { 0.0 } else { r(x % y) });
            chk("/", a / b, t.quantize_div(x, y) as f32);
            let mut c = a;
            c += b;
            chk("+=", c, r(x + y));
            let mut c = a;
            c *= b;
            chk("*=", c, r(x * y));
        }
    }
}

fn check_neg<T: Number + core::ops::Neg<Output = T>>() {
    let fmt = T::FORMAT;
    let t = Table::new(fmt);
    for c in 0..(1u32 << t.bits) {
        let a = T::from_code(c);
        if a.to_f32().is_nan() {
            continue;
        }
        let want = t.quantize(-(a.to_f32() as f64)).0 as f32;
        assert_eq!(
            (-a).to_f32().to_bits(),
            want.to_bits(),
            "{fmt}: -{:?}",
            a.to_f32()
        );
    }
}

#[test]
fn operators_are_exact_and_rounded_once_exhaustively() {
    check_ops::<E4m3>();
    check_ops::<E5m2>();
    check_ops::<E3m2>();
    check_ops::<E2m3>();
    check_ops::<E2m1>();
    check_ops::<Float<4, 3, 7>>();
    check_ops::<Float<3, 4, -2>>();
    check_ops::<Fixed<8, 4>>();
    check_ops::<Fixed<7, -3>>();
    check_ops::<Fixed<6, 9>>();
    check_ops::<Fixed<2, 0>>();
    check_ops::<UFixed<8, 4>>();
    check_ops::<UFixed<5, -2>>();
    check_neg::<E4m3>();
    check_neg::<E2m1>();
    check_neg::<Float<3, 4, -2>>();
    check_neg::<Fixed<8, 4>>();
    check_neg::<Fixed<2, 0>>();
}

// ---------------------------------------------------------------------------------------------------------
// Rounding and overflow modes
// ---------------------------------------------------------------------------------------------------------

use number_formats::{Overflow, Quantizer, Rounding};

/// Table neighbours of `x`: the largest value <= x and the smallest >= x (clamped to the range).
fn neighbours(t: &Table, x: f64) -> (f64, f64) {
    let vals: Vec<f64> = t.vals.iter().map(|v| v.0).collect();
    let x = x.clamp(vals[0], vals[vals.len() - 1]);
    let i = vals.partition_point(|&v| v <= x);
    let lo = vals[i - 1];
    let hi = if lo == x { x } else { vals[i] };
    (lo, hi)
}

#[test]
fn toward_zero_truncates_the_magnitude() {
    for fmt in [
        "fixed<6,2>",
        "ufixed<5,1>",
        "fixed<8,-3>",
        "e4m3",
        "e2m1",
        "float<3,3,-1>",
        "e5m2",
    ] {
        let fmt: Format = fmt.parse().unwrap();
        let t = Table::new(fmt);
        for x in probe_points(&t) {
            let got = fmt
                .quantize_with(x, Rounding::TowardZero, Overflow::Saturate)
                .unwrap();
            let want = if t.is_float() {
                let (lo, _) = neighbours(&t, (x as f64).abs());
                (lo as f32).copysign(x)
            } else {
                let (lo, hi) = neighbours(&t, x as f64);
                (if x >= 0.0 { lo } else { hi }) as f32 + 0.0
            };
            assert_eq!(got.to_bits(), want.to_bits(), "{fmt}: toward zero {x:e}");
            let nearest = fmt
                .quantize_with(x, Rounding::NearestEven, Overflow::Saturate)
                .unwrap();
            assert_eq!(nearest.to_bits(), fmt.quantize(x).to_bits());
        }
        assert_eq!(
            fmt.quantize_with(f32::NAN, Rounding::TowardZero, Overflow::Saturate),
            Ok(0.0)
        );
    }
}

#[test]
fn stochastic_rounding_picks_a_neighbour_without_bias() {
    for fmt in ["fixed<8,3>", "ufixed<6,0>", "e4m3", "float<3,2,1>"] {
        let fmt: Format = fmt.parse().unwrap();
        let t = Table::new(fmt);
        for (i, x) in probe_points(&t).into_iter().enumerate() {
            let got = fmt
                .quantize_with(x, Rounding::Stochastic(i as u64), Overflow::Saturate)
                .unwrap() as f64;
            let (lo, hi) = if t.is_float() {
                let (lo, hi) = neighbours(&t, (x as f64).abs());
                if x < 0.0 { (-hi, -lo) } else { (lo, hi) }
            } else {
                neighbours(&t, x as f64)
            };
            assert!(
                got == lo || got == hi,
                "{fmt}: stochastic {x:e} gave {got}, not {lo} or {hi}"
            );
            // Deterministic.
            let again = fmt
                .quantize_with(x, Rounding::Stochastic(i as u64), Overflow::Saturate)
                .unwrap() as f64;
            assert_eq!(got, again);
        }
        // Representable values never move.
        let mut q = Quantizer::new(fmt, Rounding::Stochastic(7), Overflow::Saturate).unwrap();
        for v in &t.vals {
            assert_eq!(q.quantize(v.0 as f32) as f64, v.0);
        }
        // Unbiased: the mean of many draws between two neighbours approaches x.
        let (a, b) = (
            t.vals[t.vals.len() / 2 + 1].0,
            t.vals[t.vals.len() / 2 + 2].0,
        );
        let x = (a + 0.3 * (b - a)) as f32;
        let n = 20_000;
        let mut q = Quantizer::new(fmt, Rounding::Stochastic(12345), Overflow::Saturate).unwrap();
        let ups = (0..n).filter(|_| q.quantize(x) as f64 == b).count();
        let p = ups as f64 / n as f64;
        let want = (x as f64 - a) / (b - a);
        assert!(
            (p - want).abs() < 0.02,
            "{fmt}: P(up) = {p}, expected {want}"
        );
        // Reproducible from the seed; a different seed gives a different sequence.
        let draw = |seed| {
            let mut q =
                Quantizer::new(fmt, Rounding::Stochastic(seed), Overflow::Saturate).unwrap();
            (0..64).map(|_| q.quantize(x).to_bits()).collect::<Vec<_>>()
        };
        assert_eq!(draw(1), draw(1));
        assert_ne!(draw(1), draw(2));
    }
}

#[test]
fn wrap_reduces_the_raw_integer_modulo_2_pow_w() {
    let w = |s: &str, x: f32| {
        s.parse::<Format>()
            .unwrap()
            .quantize_with(x, Rounding::NearestEven, Overflow::Wrap)
            .unwrap()
    };
    assert_eq!(w("fixed<4,0>", 9.0), -7.0);
    assert_eq!(w("fixed<4,0>", 8.0), -8.0);
    assert_eq!(w("fixed<4,0>", -9.0), 7.0);
    assert_eq!(w("fixed<4,0>", 16.0), 0.0);
    assert_eq!(w("fixed<4,0>", 7.5), -8.0); // rounds to 8 first, then wraps
    assert_eq!(w("fixed<4,0>", 1e10), 0.0); // 10^10 is a multiple of 16
    assert_eq!(w("ufixed<4,0>", -1.0), 15.0);
    assert_eq!(w("ufixed<4,0>", 17.0), 1.0);
    assert_eq!(w("fixed<8,2>", 40.3), -23.75); // 161 - 256 = -95 quanta
    assert_eq!(w("fixed<4,0>", f32::INFINITY), 7.0); // infinities still saturate
    assert_eq!(w("fixed<4,0>", f32::NEG_INFINITY), -8.0);
    assert_eq!(w("fixed<4,0>", f32::NAN), 0.0);
    // Against a reference over a wide range of magnitudes (f64 `%` of integers is exact).
    for fmt in [
        "fixed<8,3>",
        "fixed<32,-10>",
        "ufixed<12,5>",
        "fixed<2,0>",
        "ufixed<32,64>",
    ] {
        let fm: Format = fmt.parse().unwrap();
        let (wb, f, signed) = match fm {
            Format::Fixed { w, f } => (w, f, true),
            Format::UFixed { w, f } => (w, f, false),
            _ => unreachable!(),
        };
        for i in 0..4000u32 {
            let x = f32::from_bits(i.wrapping_mul(1_073_741)); // all magnitudes and signs
            if !x.is_finite() {
                continue;
            }
            let r = (x as f64 * p2(f)).round_ties_even();
            let m = p2(wb as i32);
            let mut k = r % m;
            if k < 0.0 {
                k += m;
            }
            if signed && k >= m / 2.0 {
                k -= m;
            }
            let want = (k * p2(-f)) as f32 + 0.0; // fixed point has a single zero, +0.0
            assert_eq!(w(fmt, x).to_bits(), want.to_bits(), "{fmt}: wrap {x:e}");
        }
    }
}

#[test]
fn wrap_is_rejected_for_float_formats() {
    for fmt in [
        Format::E4M3,
        Format::F32,
        Format::Bf16,
        "float<3,3>".parse().unwrap(),
    ] {
        let e = fmt
            .quantize_with(1.0, Rounding::NearestEven, Overflow::Wrap)
            .unwrap_err();
        assert!(
            e.to_string().contains("Wrap") && e.to_string().contains(&format!("`{fmt}`")),
            "{e}"
        );
        assert!(Quantizer::new(fmt, Rounding::TowardZero, Overflow::Wrap).is_err());
    }
    assert!(
        Quantizer::new(
            Format::Fixed { w: 40, f: 0 },
            Rounding::NearestEven,
            Overflow::Saturate
        )
        .is_err()
    );
}

#[test]
fn quantizer_slices_equal_scalar_calls() {
    for fmt in ["fixed<8,4>", "e4m3", "ufixed<3,-1>", "bf16", "f32"] {
        let fmt: Format = fmt.parse().unwrap();
        let xs: Vec<f32> = (0..1000u32)
            .map(|i| f32::from_bits(i.wrapping_mul(4_294_967)))
            .collect();
        for (rounding, overflow) in [
            (Rounding::NearestEven, Overflow::Saturate),
            (Rounding::TowardZero, Overflow::Saturate),
            (Rounding::Stochastic(3), Overflow::Saturate),
        ] {
            let mut a = Quantizer::new(fmt, rounding, overflow).unwrap();
            let mut b = a.clone();
            let mut ys = xs.clone();
            a.quantize_slice(&mut ys);
            let want: Vec<u32> = xs.iter().map(|&x| b.quantize(x).to_bits()).collect();
            assert_eq!(
                ys.iter().map(|y| y.to_bits()).collect::<Vec<_>>(),
                want,
                "{fmt} {rounding:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Text form
// ---------------------------------------------------------------------------------------------------------

#[test]
fn display_and_parse_round_trip_for_all_formats() {
    let mut all = small_formats();
    all.extend([
        Format::F16,
        Format::Bf16,
        Format::F32,
        Format::E4M3,
        Format::E5M2,
    ]);
    for w in 9..=32 {
        all.extend([
            Format::fixed(w, -64).unwrap(),
            Format::fixed(w, 64).unwrap(),
            Format::ufixed(w, 7).unwrap(),
        ]);
    }
    for e in 1..=8u32 {
        for m in 0..=23u32 {
            let r = Format::bias_range(e, m);
            for bias in [*r.start(), *r.end(), Format::default_bias(e)] {
                if let Ok(f) = Format::float_with_bias(e, m, bias) {
                    all.push(f);
                }
            }
        }
    }
    for fmt in all {
        let s = fmt.to_string();
        assert!(!s.contains(' ') && s == s.to_lowercase(), "{s}");
        assert_eq!(s.parse::<Format>(), Ok(fmt), "{s}");
        // Spaced and upper-case variants parse to the same format.
        let spaced = s
            .replace('<', " < ")
            .replace(',', " , ")
            .replace('>', " > ");
        assert_eq!(
            format!("  {spaced} ").parse::<Format>(),
            Ok(fmt),
            "{spaced}"
        );
        assert_eq!(s.to_uppercase().parse::<Format>(), Ok(fmt));
    }
}

#[test]
fn canonical_text_forms() {
    let show = |s: &str| s.parse::<Format>().unwrap().to_string();
    assert_eq!(show("fixed< 8 ,4 >"), "fixed<8,4>");
    assert_eq!(show("ufixed<8,-4>"), "ufixed<8,-4>");
    assert_eq!(show("fixed<8,+4>"), "fixed<8,4>");
    assert_eq!(show("float<4,3>"), "float<4,3>");
    assert_eq!(show("float<4,3,7>"), "float<4,3>");
    assert_eq!(show("float<4,3,5>"), "float<4,3,5>");
    assert_eq!(show("float<3,2>"), "e3m2");
    assert_eq!(show("float<3,2,3>"), "e3m2");
    assert_eq!(show("float<2,3,1>"), "e2m3");
    assert_eq!(show("float<2,1>"), "e2m1");
    assert_eq!(show("float<3,2,2>"), "float<3,2,2>");
    for n in ["e4m3", "e5m2", "e3m2", "e2m3", "e2m1", "bf16", "f16", "f32"] {
        assert_eq!(show(n), n);
        assert_eq!(show(&n.to_uppercase()), n);
    }
    // OCP e4m3/e5m2 are not the all-finite float<4,3>/float<5,2>.
    assert_ne!(
        "e4m3".parse::<Format>().unwrap(),
        "float<4,3>".parse().unwrap()
    );
    assert_eq!("float<4,3>".parse::<Format>().unwrap().max(), 480.0);
    assert_eq!("float<5,2>".parse::<Format>().unwrap().max(), 114688.0);
}

#[test]
fn bad_text_gives_clear_errors() {
    let e = |s: &str| s.parse::<Format>().unwrap_err().to_string();
    let has = |s: &str, parts: &[&str]| {
        let msg = e(s);
        for p in parts {
            assert!(
                msg.contains(p),
                "error for {s:?} is {msg:?}, which lacks {p:?}"
            );
        }
    };
    has("", &["empty", "fixed<W,F>", "e4m3"]);
    has("   ", &["empty"]);
    has(
        "fixd<8,4>",
        &["unknown number format `fixd`", "`fixd<8,4>`", "ufixed<W,F>"],
    );
    has("int8", &["unknown number format `int8`"]);
    has("<8,4>", &["expected a number format name", "`<8,4>`"]);
    has(
        "fixed",
        &["expected `<` after `fixed`", "fixed<W,F>", "found nothing"],
    );
    has("fixed 8,4", &["expected `<`", "found `8,4`", "`fixed 8,4`"]);
    has("fixed<8,4", &["expected `>`", "`fixed<8,4`"]);
    has(
        "fixed<8,4>x",
        &["unexpected `x` after `>`", "`fixed<8,4>x`"],
    );
    has("fixed<8>", &["takes 2 parameters, found 1", "`fixed<8>`"]);
    has("fixed<8,4,1>", &["takes 2 parameters, found 3"]);
    has("float<4>", &["takes 2 or 3 parameters, found 1"]);
    has("float<1,2,3,4>", &["takes 2 or 3 parameters, found 4"]);
    has(
        "fixed<8,x>",
        &["expected an integer for F", "found `x`", "`fixed<8,x>`"],
    );
    has("fixed<8,>", &["expected an integer for F", "found nothing"]);
    has("float<4,3,b>", &["expected an integer for B", "found `b`"]);
    has("fixed<-3,2>", &["W must be a non-negative integer", "-3"]);
    has(
        "fixed<40,2>",
        &[
            "W (total bits) must be in 2..=32, found W = 40",
            "`fixed<40,2>`",
        ],
    );
    has("binary", &["expected `<` after `binary`", "binary<F>"]);
    has("binary<>", &["expected an integer for F", "found nothing"]);
    has(
        "binary<1,2>",
        &["binary<F> takes 1 parameter, found 2", "`binary<1,2>`"],
    );
    has("binary<x>", &["expected an integer for F", "found `x`"]);
    has(
        "binary<65>",
        &[
            "binary<F>: F must be in -64..=64, found F = 65",
            "`binary<65>`",
        ],
    );
    has("fixed<1,0>", &["must be in 2..=32, found W = 1"]);
    has("ufixed<0,0>", &["must be in 1..=32, found W = 0"]);
    has("ufixed<33,0>", &["must be in 1..=32, found W = 33"]);
    has(
        "fixed<8,65>",
        &[
            "F (fraction bits) must be in -64..=64, found F = 65",
            "`fixed<8,65>`",
        ],
    );
    has("fixed<8,-65>", &["found F = -65"]);
    has(
        "fixed<99999999999,1>",
        &["W (total bits) must be in 2..=32"],
    );
    has(
        "float<9,2>",
        &["E must be in 1..=8, found E = 9", "`float<9,2>`"],
    );
    has("float<0,2>", &["E must be in 1..=8, found E = 0"]);
    has(
        "float<4,24>",
        &["M must be in 0..=23, found M = 24", "`float<4,24>`"],
    );
    has(
        "float<8,7>",
        &[
            "B must be in 128..=143",
            "found B = 127",
            "exceed f32::MAX",
            "`float<8,7>`",
        ],
    );
    has(
        "float<4,3,200>",
        &["B must be in -112..=147", "below the f32 subnormal grid"],
    );
    has("float<8,23,127>", &["no bias works"]);
    has("e4m3<1>", &["`e4m3` takes no parameters", "`<1>`"]);
    has("f32 x", &["`f32` takes no parameters"]);
    // Constructors validate too.
    assert!(
        Format::fixed(33, 0)
            .unwrap_err()
            .to_string()
            .contains("W (total bits) must be in 2..=32, found W = 33")
    );
    assert!(
        Format::float(3, 30)
            .unwrap_err()
            .to_string()
            .contains("M must be in 0..=23")
    );
    assert!(Format::Fixed { w: 8, f: 100 }.validate().is_err());
    let err: Box<dyn std::error::Error> = Box::new("x".parse::<Format>().unwrap_err());
    assert!(err.to_string().contains("`x`"));
}

#[test]
fn binary_descriptor_round_trips_and_is_validated() {
    for fmt in small_formats()
        .into_iter()
        .chain([Format::F16, Format::Bf16, Format::F32])
    {
        assert_eq!(Format::from_bytes(fmt.to_bytes()), Ok(fmt));
    }
    assert!(Format::from_bytes([0, 40, 0, 0, 0, 0, 0, 0]).is_err()); // fixed<40,0>
    assert!(Format::from_bytes([9, 8, 0, 0, 0, 0, 0, 0]).is_err()); // unknown kind
    assert!(Format::from_bytes([3, 1, 0, 0, 0, 0, 0, 0]).is_err()); // e4m3 with junk
}

// ---------------------------------------------------------------------------------------------------------
// binary<F>: nearest of ±2^-F, ties (±0) by the sign bit, NaN → +2^-F; code 1 = negative
// ---------------------------------------------------------------------------------------------------------

fn binary_ref(x: f32, f: i32) -> (f64, u32) {
    let neg = !x.is_nan() && (x < 0.0 || (x == 0.0 && 1.0 / x < 0.0));
    if neg { (-p2(-f), 1) } else { (p2(-f), 0) }
}

fn binary_inputs() -> Vec<f32> {
    let mut xs = vec![
        0.0,
        -0.0,
        f32::NAN,
        -f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::MAX,
        f32::MIN,
    ];
    xs.extend((0..200_000u32).map(|i| f32::from_bits(i.wrapping_mul(0x9E37_79B9) ^ (i << 7))));
    xs
}

#[test]
fn binary_format_matches_reference_for_every_f() {
    let xs = binary_inputs();
    for f in -64..=64 {
        let fmt = Format::binary(f).unwrap();
        assert_eq!(
            (fmt.bits(), fmt.max() as f64, fmt.lowest() as f64),
            (1, p2(-f), -p2(-f))
        );
        assert_eq!(
            (fmt.decode(0) as f64, fmt.decode(1) as f64),
            (p2(-f), -p2(-f))
        );
        assert_eq!(fmt.to_string().parse::<Format>().unwrap(), fmt);
        assert_eq!(Format::from_bytes(fmt.to_bytes()).unwrap(), fmt);
        for &x in xs.iter().step_by(16) {
            let (v, c) = binary_ref(x, f);
            assert_eq!(fmt.quantize(x) as f64, v, "{fmt} {x:e}");
            assert_eq!(fmt.quantize_f64(x as f64) as f64, v, "{fmt} {x:e}");
            assert_eq!(fmt.encode(x), c, "{fmt} {x:e}");
        }
    }
    for bad in [-65, 65] {
        assert!(
            Format::binary(bad)
                .unwrap_err()
                .to_string()
                .contains("binary<F>: F must be in -64..=64")
        );
    }
}

fn binary_static<const F: i32>(xs: &[f32]) {
    for &x in xs {
        let (v, c) = binary_ref(x, F);
        let b = Binary::<F>::from_f32(x);
        assert_eq!(
            (b.to_f32() as f64, b.to_code()),
            (v, c),
            "binary<{F}> {x:e}"
        );
        assert_eq!(Binary::<F>::from_code(c).to_f32() as f64, v);
    }
}

#[test]
fn binary_static_types_match_reference() {
    let xs = binary_inputs();
    binary_static::<-64>(&xs);
    binary_static::<-1>(&xs);
    binary_static::<0>(&xs);
    binary_static::<7>(&xs);
    binary_static::<64>(&xs);
}
