//! Property tests: the static number types and the runtime `Format` agree bit for bit on conversion and on every
//! operator, for a set of concrete types (proptest cannot draw const generics) and randomly drawn values.
//!
//! Operator oracles are independent of the static types: `FORMAT.quantize_f64(exact result)` where the `f64`
//! result is exact (sums, differences and remainders always; products when the operands' significands fit
//! 53 bits), integer arithmetic in `i128` with an exhaustive choice among the nearest candidates for fixed
//! products and quotients, and for float quotients (and sums of very different magnitudes) the `f64` result
//! rounded again, which equals the correctly rounded result because 53 >= 2p + 2 for every p <= 24
//! (double rounding is innocuous).
use num_traits::{Bounded, FromPrimitive, Num, NumCast, One, ToPrimitive, Zero};
use number_formats::{
    Bf16, E4m3, E5m2, F16, Fixed, FixedPoint, Float, Format, Number, UFixed, Wide,
};
use proptest::prelude::*;

fn bits_eq(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits()
}

/// f32 inputs: any bit pattern, or a value of the format nudged by a few ulps / scaled.
fn input(fmt: Format) -> impl Strategy<Value = f32> {
    let bits = fmt.bits();
    prop_oneof![
        any::<u32>().prop_map(f32::from_bits),
        (any::<u32>(), -3i32..=3, prop::bool::ANY).prop_map(move |(c, k, half)| {
            let v = fmt.decode(c & (u32::MAX >> (32 - bits)));
            let v = if half { v * 1.5 } else { v };
            f32::from_bits((v.to_bits() as i64 + k as i64).clamp(0, u32::MAX as i64) as u32)
        }),
        (-1e6f32..1e6f32),
    ]
}

fn codes(fmt: Format) -> impl Strategy<Value = u32> {
    let bits = fmt.bits();
    any::<u32>().prop_map(move |c| c & (u32::MAX >> (32 - bits)))
}

fn check_conversion<T: Number>(x: f32, c: u32) -> Result<(), TestCaseError> {
    let fmt = T::FORMAT;
    let v = T::from_f32(x);
    prop_assert!(
        bits_eq(v.to_f32(), fmt.quantize(x)),
        "{fmt}: from_f32({x:e}) = {:e}, quantize = {:e}",
        v.to_f32(),
        fmt.quantize(x)
    );
    prop_assert_eq!(v.to_code(), fmt.encode(x), "{}: code of {:e}", fmt, x);
    prop_assert!(bits_eq(T::quantize(x), fmt.quantize(x)));
    prop_assert!(
        bits_eq(T::from_code(c).to_f32(), fmt.decode(c)),
        "{fmt}: from_code({c:#x})"
    );
    // Idempotent: a quantized value is its own quantisation (up to f32 rounding of wide fixed values).
    if fmt.bits() <= 24 || !fmt.is_fixed() {
        prop_assert!(bits_eq(fmt.quantize(fmt.quantize(x)), fmt.quantize(x)));
    }
    // The sign convention of zero: fixed point gives +0.0, floats keep the sign of the input.
    let q = fmt.quantize(x);
    if q == 0.0 && fmt.is_fixed() {
        prop_assert_eq!(q.to_bits(), 0);
    }
    if q == 0.0 && !fmt.is_fixed() && !x.is_nan() {
        prop_assert_eq!(q.is_sign_negative(), x.is_sign_negative());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------
// Fixed-point oracle in i128
// ---------------------------------------------------------------------------------------------------------

fn fixed_params(fmt: Format) -> (u32, i32, i128, i128) {
    match fmt {
        Format::Fixed { w, f } => (w, f, -(1i128 << (w - 1)), (1i128 << (w - 1)) - 1),
        Format::UFixed { w, f } => (w, f, 0, (1i128 << w) - 1),
        _ => unreachable!(),
    }
}

/// The integer nearest to n/d (d > 0), ties to even, found among the candidates around an f64 estimate.
fn nearest_int(n: i128, d: i128) -> i128 {
    assert!(d > 0);
    let est = (n as f64 / d as f64).round() as i128;
    let mut best = est - 2;
    for q in est - 2..=est + 2 {
        // Compare |n - q·d| with |n - best·d|, exactly.
        let (e, eb) = ((n - q * d).abs(), (n - best * d).abs());
        if e < eb || (e == eb && q % 2 == 0) {
            best = q;
        }
    }
    best
}

/// Round the exact rational raw value `n / d` (d != 0) into the fixed format: its code.
fn fixed_round(fmt: Format, n: i128, d: i128) -> u32 {
    let (w, _, lo, hi) = fixed_params(fmt);
    let (n, d) = if d < 0 { (-n, -d) } else { (n, d) };
    let r = nearest_int(n, d).clamp(lo, hi);
    (r as u32) & (u32::MAX >> (32 - w))
}

fn raw_of(fmt: Format, code: u32) -> i128 {
    let (w, _, _, _) = fixed_params(fmt);
    let c = code as i128;
    if matches!(fmt, Format::Fixed { .. }) && c >= 1 << (w - 1) {
        c - (1 << w)
    } else {
        c
    }
}

/// Checks every operator of a fixed-point type on `a`, `b` against the i128 oracle.
fn check_fixed_ops<T>(a: T, b: T) -> Result<(), TestCaseError>
where
    T: Number
        + std::ops::Add<Output = T>
        + std::ops::Sub<Output = T>
        + std::ops::Mul<Output = T>
        + std::ops::Div<Output = T>
        + std::ops::Rem<Output = T>
        + std::ops::AddAssign
        + std::ops::SubAssign
        + std::ops::MulAssign
        + std::ops::DivAssign
        + std::ops::RemAssign,
{
    let fmt = T::FORMAT;
    let (_, f, lo, hi) = fixed_params(fmt);
    let (ra, rb) = (raw_of(fmt, a.to_code()), raw_of(fmt, b.to_code()));
    let sat = |r: i128| fixed_round(fmt, r.clamp(lo - 1, hi + 1), 1);
    // a + b, a - b: raw sums (same binary point).
    prop_assert_eq!(
        (a + b).to_code(),
        sat(ra + rb),
        "{}: {:?} + {:?}",
        fmt,
        a,
        b
    );
    prop_assert_eq!(
        (a - b).to_code(),
        sat(ra - rb),
        "{}: {:?} - {:?}",
        fmt,
        a,
        b
    );
    // a * b: raw product has binary point 2F.
    let p = ra * rb;
    let want_mul = if f >= 0 {
        fixed_round(fmt, p, 1i128 << f)
    } else if p != 0 && p.unsigned_abs().leading_zeros() < (-f) as u32 + 2 {
        fixed_round(fmt, p.signum() << 100, 1) // |p·2^-F| >= 2^126: far out of range
    } else {
        fixed_round(fmt, p << -f, 1)
    };
    prop_assert_eq!((a * b).to_code(), want_mul, "{}: {:?} * {:?}", fmt, a, b);
    // a / b: (ra·2^-F)/(rb·2^-F) = ra/rb, raw = ra·2^F/rb.
    let want_div = if rb == 0 {
        sat(if ra > 0 {
            hi + 1
        } else if ra < 0 {
            lo - 1
        } else {
            0
        })
    } else if f >= 0 {
        fixed_round(fmt, ra << f, rb)
    } else {
        fixed_round(fmt, ra, rb << -f)
    };
    prop_assert_eq!((a / b).to_code(), want_div, "{}: {:?} / {:?}", fmt, a, b);
    // a % b: truncated remainder, sign of the dividend; x % 0 = 0.
    let want_rem = if rb == 0 {
        sat(0)
    } else {
        sat(ra - (ra / rb) * rb)
    };
    prop_assert_eq!((a % b).to_code(), want_rem, "{}: {:?} % {:?}", fmt, a, b);
    // The same through Format: the exact result is an f64 whenever it fits 53 bits.
    let (x, y) = (a.to_f32() as f64, b.to_f32() as f64);
    if fmt.bits() <= 24 {
        prop_assert!(bits_eq((a + b).to_f32(), fmt.quantize_f64(x + y)));
        prop_assert!(bits_eq((a - b).to_f32(), fmt.quantize_f64(x - y)));
        let rem = if y == 0.0 { 0.0 } else { x % y };
        prop_assert!(bits_eq((a % b).to_f32(), fmt.quantize_f64(rem)));
        if fmt.bits() <= 26 {
            prop_assert!(bits_eq((a * b).to_f32(), fmt.quantize_f64(x * y)));
        }
    }
    // Compound assignment is the operator.
    let mut c = a;
    c += b;
    prop_assert_eq!(c, a + b);
    c = a;
    c -= b;
    prop_assert_eq!(c, a - b);
    c = a;
    c *= b;
    prop_assert_eq!(c, a * b);
    c = a;
    c /= b;
    prop_assert_eq!(c, a / b);
    c = a;
    c %= b;
    prop_assert_eq!(c, a % b);
    // Order and equality are those of the values.
    prop_assert_eq!(a.partial_cmp(&b), ra.partial_cmp(&rb));
    prop_assert_eq!(a == b, ra == rb);
    Ok(())
}

/// Checks every operator of a float type on `a`, `b` against `FORMAT.quantize_f64` of the f64 result.
fn check_float_ops<T>(a: T, b: T) -> Result<(), TestCaseError>
where
    T: Number
        + std::ops::Add<Output = T>
        + std::ops::Sub<Output = T>
        + std::ops::Mul<Output = T>
        + std::ops::Div<Output = T>
        + std::ops::Rem<Output = T>
        + std::ops::Neg<Output = T>
        + std::ops::AddAssign
        + std::ops::MulAssign,
{
    let fmt = T::FORMAT;
    let (x, y) = (a.to_f32() as f64, b.to_f32() as f64);
    if x.is_nan() || y.is_nan() || x.is_infinite() || y.is_infinite() {
        return Ok(());
    }
    let q = |v: f64| fmt.quantize_f64(v);
    prop_assert!(bits_eq((a + b).to_f32(), q(x + y)), "{fmt}: {x} + {y}");
    prop_assert!(bits_eq((a - b).to_f32(), q(x - y)), "{fmt}: {x} - {y}");
    prop_assert!(bits_eq((a * b).to_f32(), q(x * y)), "{fmt}: {x} * {y}");
    prop_assert!(bits_eq((a / b).to_f32(), q(x / y)), "{fmt}: {x} / {y}");
    prop_assert!(bits_eq((a % b).to_f32(), q(x % y)), "{fmt}: {x} % {y}");
    prop_assert!(bits_eq((-a).to_f32(), q(-x)), "{fmt}: -{x}");
    let mut c = a;
    c += b;
    prop_assert!(bits_eq(c.to_f32(), (a + b).to_f32()));
    c = a;
    c *= b;
    prop_assert!(bits_eq(c.to_f32(), (a * b).to_f32()));
    prop_assert_eq!(a.partial_cmp(&b), x.partial_cmp(&y));
    prop_assert_eq!(a == b, x == y);
    // Single rounding: the f64 quotient and the correctly rounded quotient agree (checked via a widened
    // comparison: the result is at least as close to the exact quotient as both neighbours).
    if y != 0.0 {
        let r = (a / b).to_f32() as f64;
        if r.abs() < fmt.max() as f64 && r != 0.0 {
            let c = T::from_f32(r as f32).to_code();
            for n in [c.wrapping_sub(1), c + 1] {
                let v = fmt.decode(n) as f64;
                if v.is_finite() && v.signum() == r.signum() {
                    // |x - r·y| <= |x - v·y| (exact in f64 for formats of at most 12 significant bits).
                    if fmt.bits() <= 12 {
                        prop_assert!(
                            (x - r * y).abs() <= (x - v * y).abs(),
                            "{fmt}: {x}/{y} rounded to {r}, {v} is nearer"
                        );
                    }
                }
            }
        }
    }
    Ok(())
}

/// Generic code over num-traits must see consistent constants.
fn check_num_traits<T>() -> Result<(), TestCaseError>
where
    T: Number
        + Zero
        + One
        + Bounded
        + Num
        + NumCast
        + FromPrimitive
        + ToPrimitive
        + std::fmt::Display,
{
    let fmt = T::FORMAT;
    prop_assert!(bits_eq(T::zero().to_f32(), 0.0));
    prop_assert!(T::zero().is_zero());
    prop_assert!(bits_eq(T::one().to_f32(), fmt.quantize(1.0)));
    prop_assert!(bits_eq(T::max_value().to_f32(), fmt.max()));
    prop_assert!(bits_eq(T::min_value().to_f32(), fmt.lowest()));
    prop_assert!(bits_eq(T::default().to_f32(), 0.0));
    prop_assert!(bits_eq(
        <T as Num>::from_str_radix("1.25", 10)
            .ok()
            .unwrap()
            .to_f32(),
        fmt.quantize_f64(1.25)
    ));
    prop_assert!(<T as Num>::from_str_radix("zz", 10).is_err());
    Ok(())
}

fn check_int_conversions<T>(n: i64) -> Result<(), TestCaseError>
where
    T: Number + NumCast + FromPrimitive + ToPrimitive,
{
    let fmt = T::FORMAT;
    if n.unsigned_abs() < 1 << 53 {
        let want = fmt.quantize_f64(n as f64);
        prop_assert!(
            bits_eq(T::from_i64(n).unwrap().to_f32(), want),
            "{fmt}: from_i64({n})"
        );
        prop_assert!(
            bits_eq(<T as NumCast>::from(n).unwrap().to_f32(), want),
            "{fmt}: NumCast({n})"
        );
        prop_assert!(bits_eq(
            <T as NumCast>::from(n as f64).unwrap().to_f32(),
            want
        ));
    }
    // Large integers are rounded once from their exact value: compare with the two f64 neighbours.
    let v = T::from_i64(n).unwrap().to_f32();
    let nf = n as f64;
    let (down, up) = if nf == 0.0 {
        (-1e-300, 1e-300)
    } else {
        // The f64 neighbours of nf (|nf| >= 1, so the bit pattern has a predecessor and a successor).
        let (a, b) = (
            f64::from_bits(nf.to_bits() - 1),
            f64::from_bits(nf.to_bits() + 1),
        );
        if nf > 0.0 { (a, b) } else { (b, a) }
    };
    let (lo, hi) = (fmt.quantize_f64(down), fmt.quantize_f64(up));
    prop_assert!(
        v >= lo.min(hi) && v <= lo.max(hi),
        "{fmt}: from_i64({n}) = {v} outside [{lo}, {hi}]"
    );
    // to_i64 truncates the value toward zero.
    let x = T::from_i64(n).unwrap();
    let t = x.to_f64().unwrap(); // exact
    if t.abs() < 9e18 {
        prop_assert_eq!(x.to_i64(), Some(t.trunc() as i64));
    }
    Ok(())
}

/// Mixed-format fixed arithmetic: the exact product in a `Wide`, rounded once into a third format.
fn check_wide<A: FixedPoint, B: FixedPoint, C: FixedPoint, const FP: i32>(
    a: A,
    b: B,
    mul: impl Fn(A, B) -> Wide<FP>,
    from: impl Fn(Wide<FP>) -> C,
) -> Result<(), TestCaseError> {
    let p = mul(a, b);
    // The raw product is exact.
    prop_assert_eq!(p.raw() as i128, a.raw_i64() as i128 * b.raw_i64() as i128);
    prop_assert_eq!(p.to_f64(), a.to_f32() as f64 * b.to_f32() as f64);
    // One rounding into C, as Format does from the exact value.
    let c = from(p);
    prop_assert!(
        bits_eq(c.to_f32(), C::FORMAT.quantize_f64(p.to_f64())),
        "{}: {:?}",
        C::FORMAT,
        p
    );
    // And the sum of two products.
    let s = from(p + p);
    prop_assert!(bits_eq(
        s.to_f32(),
        C::FORMAT.quantize_f64(2.0 * p.to_f64())
    ));
    Ok(())
}

macro_rules! fixed_types {
    ($($name:ident: $t:ty),* $(,)?) => {$(
        mod $name {
            use super::*;
            type T = $t;
            proptest! {
                #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]
                #[test]
                fn conversion(x in input(T::FORMAT), c in codes(T::FORMAT)) {
                    check_conversion::<T>(x, c)?;
                    // from_raw / raw and from_fixed.
                    let v = T::from_code(c);
                    prop_assert_eq!(T::from_raw(v.raw()), v);
                    prop_assert!(bits_eq(v.to_f32(), (v.to_f64()) as f32));
                    prop_assert_eq!(T::from_fixed(v), v);
                    prop_assert_eq!(T::from_f64(v.to_f64()), v);
                    let s = format!("{}", v);
                    prop_assert_eq!(s.parse::<f64>().unwrap(), v.to_f64());
                }
                #[test]
                fn operators(ca in codes(T::FORMAT), cb in codes(T::FORMAT), x in input(T::FORMAT)) {
                    check_fixed_ops(T::from_code(ca), T::from_code(cb))?;
                    check_fixed_ops(T::from_f32(x), T::from_code(cb))?;
                    check_fixed_ops(T::from_code(ca), T::from_code(ca))?;
                    check_fixed_ops(T::from_code(ca), T::ZERO)?;
                }
                #[test]
                fn numeric_traits(n in any::<i64>(), k in -40i64..40) {
                    check_num_traits::<T>()?;
                    check_int_conversions::<T>(n)?;
                    check_int_conversions::<T>(k)?;
                }
            }
        }
    )*};
}

fixed_types!(
    fixed_2_0: Fixed<2, 0>,
    fixed_4_2: Fixed<4, 2>,
    fixed_8_4: Fixed<8, 4>,
    fixed_8_m3: Fixed<8, -3>,
    fixed_12_12: Fixed<12, 12>,
    fixed_16_m20: Fixed<16, -20>,
    fixed_16_30: Fixed<16, 30>,
    fixed_20_10: Fixed<20, 10>,
    fixed_24_24: Fixed<24, 24>,
    fixed_26_m64: Fixed<26, -64>,
    fixed_27_64: Fixed<27, 64>,
    fixed_31_0: Fixed<31, 0>,
    fixed_32_16: Fixed<32, 16>,
    fixed_32_64: Fixed<32, 64>,
    fixed_32_m64: Fixed<32, -64>,
    ufixed_1_0: UFixed<1, 0>,
    ufixed_3_5: UFixed<3, 5>,
    ufixed_8_4: UFixed<8, 4>,
    ufixed_16_8: UFixed<16, 8>,
    ufixed_25_m1: UFixed<25, -1>,
    ufixed_31_31: UFixed<31, 31>,
    ufixed_32_0: UFixed<32, 0>,
    ufixed_32_m64: UFixed<32, -64>,
);

macro_rules! float_types {
    ($($name:ident: $t:ty),* $(,)?) => {$(
        mod $name {
            use super::*;
            type T = $t;
            proptest! {
                #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]
                #[test]
                fn conversion(x in input(T::FORMAT), c in codes(T::FORMAT)) {
                    check_conversion::<T>(x, c)?;
                    let v = T::from_code(c);
                    if !v.is_nan() {
                        prop_assert_eq!(T::from_bits(v.to_bits()).to_code(), c);
                        prop_assert!(bits_eq(T::from_f64(v.to_f64()).to_f32(), v.to_f32()) || !v.to_f32().is_finite());
                        prop_assert!(bits_eq(T::from_f64(x as f64).to_f32(), T::FORMAT.quantize(x)));
                    }
                }
                #[test]
                fn operators(ca in codes(T::FORMAT), cb in codes(T::FORMAT), x in input(T::FORMAT), y in input(T::FORMAT)) {
                    check_float_ops(T::from_code(ca), T::from_code(cb))?;
                    check_float_ops(T::from_f32(x), T::from_f32(y))?;
                    check_float_ops(T::from_f32(x), T::from_f32(x))?;
                }
                #[test]
                fn numeric_traits(n in any::<i64>(), k in -40i64..40) {
                    check_num_traits::<T>()?;
                    check_int_conversions::<T>(n)?;
                    check_int_conversions::<T>(k)?;
                }
            }
        }
    )*};
}

float_types!(
    float_1_0_0: Float<1, 0, 0>,
    float_1_23_100: Float<1, 23, 100>,
    e2m1: Float<2, 1, 1>,
    e3m2: Float<3, 2, 3>,
    e2m3: Float<2, 3, 1>,
    float_4_3_7: Float<4, 3, 7>,
    float_5_2_15: Float<5, 2, 15>,
    float_4_3_m50: Float<4, 3, -50>,
    float_5_10_15: Float<5, 10, 15>,
    float_6_9_20: Float<6, 9, 20>,
    float_8_7_128: Float<8, 7, 128>,
    float_8_15_135: Float<8, 15, 135>,
    float_7_23_63: Float<7, 23, 63>,
    float_3_20_m10: Float<3, 20, -10>,
    e4m3: E4m3,
    e5m2: E5m2,
    bf16: Bf16,
    f16: F16,
);

proptest! {
    #[test]
    fn f32_number_is_format_f32(x in any::<u32>().prop_map(f32::from_bits), c in any::<u32>()) {
        check_conversion::<f32>(x, c)?;
    }

    #[test]
    fn wide_products_round_once(ca in any::<u32>(), cb in any::<u32>(), cc in any::<u32>()) {
        let a = Fixed::<8, 6>::from_code(ca);
        let b = UFixed::<8, 4>::from_code(cb);
        check_wide(a, b, |a, b| a.mul_wide::<10, _>(b), Fixed::<8, 2>::from_wide)?;
        check_wide(a, b, |a, b| a.mul_wide::<10, _>(b), UFixed::<12, 9>::from_wide)?;
        check_wide(a, b, |a, b| a.mul_wide::<10, _>(b), Fixed::<16, 30>::from_wide)?;
        let c = Fixed::<16, -5>::from_code(cc);
        check_wide(c, a, |c, a| c.mul_wide::<1, _>(a), Fixed::<8, -20>::from_wide)?;
        check_wide(c, a, |c, a| c.mul_wide::<1, _>(a), Fixed::<24, 2>::from_wide)?;
        let d = Fixed::<24, 20>::from_code(cc);
        check_wide(d, d, |x, y| x.mul_wide::<40, _>(y), Fixed::<32, 16>::from_wide)?;
        check_wide(d, d, |x, y| x.mul_wide::<40, _>(y), Fixed::<8, 60>::from_wide)?;
        // to_wide/rescale are exact.
        prop_assert_eq!(a.to_wide::<10>().to_f64(), a.to_f32() as f64);
        prop_assert_eq!(a.to_wide::<6>().rescale::<30>().to_f64(), a.to_f32() as f64);
        // A dot product accumulated exactly and rounded once equals Format on the exact f64 sum.
        let ws: Vec<Fixed<8, 6>> = (0..16u32).map(|i| Fixed::from_code(ca.rotate_left(i))).collect();
        let xs: Vec<UFixed<8, 4>> = (0..16u32).map(|i| UFixed::from_code(cb.rotate_right(i))).collect();
        let acc: Wide<10> = ws.iter().zip(&xs).map(|(w, x)| w.mul_wide(*x)).sum();
        let exact: f64 = ws.iter().zip(&xs).map(|(w, x)| Number::to_f32(*w) as f64 * Number::to_f32(*x) as f64).sum();
        prop_assert_eq!(acc.to_f64(), exact);
        prop_assert!(bits_eq(Fixed::<12, 4>::from_wide(acc).to_f32(), Fixed::<12, 4>::FORMAT.quantize_f64(exact)));
    }

    #[test]
    fn fixed_format_conversions_round_once(c in any::<u32>()) {
        let a = Fixed::<16, 9>::from_code(c);
        let x = a.to_f32() as f64;
        prop_assert!(bits_eq(Fixed::<8, 3>::from_fixed(a).to_f32(), Fixed::<8, 3>::FORMAT.quantize_f64(x)));
        prop_assert!(bits_eq(UFixed::<6, 1>::from_fixed(a).to_f32(), UFixed::<6, 1>::FORMAT.quantize_f64(x)));
        prop_assert!(bits_eq(Fixed::<32, 30>::from_fixed(a).to_f32(), Fixed::<32, 30>::FORMAT.quantize_f64(x)));
        prop_assert!(bits_eq(Fixed::<4, -10>::from_fixed(a).to_f32(), Fixed::<4, -10>::FORMAT.quantize_f64(x)));
    }
}

#[test]
fn generic_code_runs_on_the_number_types() {
    // A generic dot product written only against num-traits, as a framework would.
    fn dot<T: num_traits::Num + Copy>(a: &[T], b: &[T]) -> T {
        a.iter().zip(b).fold(T::zero(), |acc, (&x, &y)| acc + x * y)
    }
    fn run<T: num_traits::Num + Copy + Number + num_traits::FromPrimitive>() -> f32 {
        let a: Vec<T> = [0.5, 1.0, -0.25]
            .iter()
            .map(|&x| T::from_f64(x).unwrap())
            .collect();
        let b: Vec<T> = [2.0, 0.5, 1.0]
            .iter()
            .map(|&x| T::from_f64(x).unwrap())
            .collect();
        dot(&a, &b).to_f32()
    }
    assert_eq!(run::<Fixed<8, 4>>(), 1.25);
    assert_eq!(run::<E4m3>(), 1.25);
    assert_eq!(run::<Bf16>(), 1.25);
    assert_eq!(run::<Float<3, 4, 3>>(), 1.25);
    assert_eq!(run::<F16>(), 1.25);
    let s: Fixed<8, 4> = [1.0f32, 2.0, 3.0]
        .iter()
        .map(|&x| Fixed::<8, 4>::from_f32(x))
        .sum();
    assert_eq!(s.to_f32(), 6.0);
    // Signed.
    use num_traits::Signed;
    assert_eq!(Fixed::<8, 4>::MIN.abs(), Fixed::<8, 4>::MAX);
    assert_eq!(E4m3::from_f32(-2.0).abs().to_f32(), 2.0);
    assert!(Fixed::<8, 4>::from_f32(-1.0).is_negative());
    assert_eq!(E4m3::from_f32(-0.0).signum().to_f32(), -1.0);
}
