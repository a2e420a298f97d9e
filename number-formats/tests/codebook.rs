//! Conformance of the codebook formats against a reference written from their definition: the nearest table
//! value by exact rational distance (ties to the smaller entry, NaN read as +0.0), for random tables and
//! values, through the runtime `Format` and the static types; and the text form round trip.
use number_formats::{Codebook2, Codebook4, Format, Number};
use proptest::prelude::*;

/// The reference: the nearest of the values `t_i · 2^-f` to `x` (NaN read as +0.0), the smaller on ties, by a
/// tournament of exact pairwise comparisons: for entries `a < b`, `b` is strictly nearer to `x` exactly when
/// `2x > (a + b) · 2^-f` (`|x − a| > |x − b|` ⇔ `2x > a + b` for `a < b`), where `2x` and `(a + b) · 2^-f` are
/// exact in `f64` (a doubled `f32`, a 9-bit integer times a power of two).
fn reference(x: f32, t: &[i8], f: i32) -> f32 {
    let x = if x.is_nan() { 0.0 } else { x as f64 };
    let scale = (-f as f64).exp2();
    let mut best = 0;
    for i in 1..t.len() {
        let (a, b) = (t[best] as f64, t[i] as f64);
        assert!(a < b);
        if 2.0 * x > (a + b) * scale {
            best = i;
        }
    }
    (t[best] as f64 * scale) as f32
}

fn table() -> impl Strategy<Value = (u32, i32, [i8; 16])> {
    (
        1u32..=4,
        -30i32..30,
        proptest::collection::btree_set(-128i32..=127, 16),
    )
        .prop_map(|(k, f, set)| {
            let mut t = [0i8; 16];
            for (d, v) in t.iter_mut().zip(set.iter().take(1 << k)) {
                *d = *v as i8;
            }
            (k, f, t)
        })
}

fn value_near(f: i32) -> impl Strategy<Value = f32> {
    prop_oneof![
        (-200.0f32..200.0).prop_map(move |u| u * (-f as f32).exp2()),
        any::<u32>().prop_map(f32::from_bits),
        (-256i32..=256).prop_map(move |h| h as f32 * (-(f + 1) as f32).exp2()), // midpoints and entries
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_format_rounds_to_the_nearest_entry(((k, f, t), xs) in table().prop_flat_map(|c| (Just(c), proptest::collection::vec(value_near(c.1), 50)))) {
        let fmt = Format::Codebook { k, f, table: t };
        prop_assert!(fmt.validate().is_ok());
        let entries = &t[..1 << k];
        for x in xs {
            let want = reference(x, entries, f);
            prop_assert_eq!(fmt.quantize(x).to_bits(), want.to_bits(), "{} at {}", fmt, x);
            prop_assert_eq!(fmt.decode(fmt.encode(x)).to_bits(), want.to_bits());
            prop_assert_eq!(fmt.quantize_f64(x as f64).to_bits(), want.to_bits());
            let mut s = [x];
            fmt.quantize_slice(&mut s);
            prop_assert_eq!(s[0].to_bits(), want.to_bits());
        }
        prop_assert_eq!(fmt.to_string().parse::<Format>(), Ok(fmt));
        prop_assert_eq!(fmt.storage_bits(1000), 1000 * k as u64 + (8 << k));
        prop_assert_eq!((fmt.lowest(), fmt.max()), (reference(-f32::INFINITY, entries, f), reference(f32::INFINITY, entries, f)));
    }

    #[test]
    fn the_static_types_equal_the_format(x in any::<u32>().prop_map(f32::from_bits), y in -3.0f32..3.0) {
        type A = Codebook2<5, -40, -3, 2, 77>;
        type B = Codebook4<3, -128, -90, -60, -30, -10, -5, -1, 0, 1, 4, 9, 20, 33, 60, 100, 127>;
        for v in [x, y] {
            prop_assert_eq!(A::from_f32(v).to_f32().to_bits(), A::FORMAT.quantize(v).to_bits());
            prop_assert_eq!(A::from_f32(v).to_code(), A::FORMAT.encode(v));
            prop_assert_eq!(A::from_code(A::FORMAT.encode(v)).to_f32(), A::FORMAT.quantize(v));
            prop_assert_eq!(B::from_f32(v).to_f32().to_bits(), B::FORMAT.quantize(v).to_bits());
            prop_assert_eq!(B::from_f32(v).raw() as f32 * 0.125, B::FORMAT.quantize(v));
        }
    }
}

#[test]
fn malformed_texts_are_named_errors() {
    for (text, what) in [
        ("codebook<2,3,[1,2,3]>", "has 4 entries, found 3"),
        ("codebook<2,3,[1,2,3,3]>", "strictly ascending"),
        ("codebook<5,3,[1,2]>", "K (index bits) must be in 1..=4"),
        ("codebook<1,99,[1,2]>", "F must be in -64..=64"),
        ("codebook<1,3,[1,200]>", "-128..=127"),
        ("codebook<1>", "expected K and F"),
        ("codebook<2,3,[0,0,0,0]>", "table of zeros"),
        ("codebook<1,3,[1,2]", "`<…>`"),
        ("codebook<1,3,[1,2] x>", "unexpected `x`"),
        ("codebook<1,x,[1,2]>", "integer for F"),
    ] {
        let e = text.parse::<Format>().unwrap_err().to_string();
        assert!(e.contains(what) && e.contains(text), "{text}: {e}");
    }
    let ok: Format = " codebook < 1 , 3 , [ -5 , 2 ] > ".parse().unwrap();
    assert_eq!(ok.to_string(), "codebook<1,3,[-5,2]>");
    // The 8-byte descriptor cannot hold the table.
    assert!(
        Format::from_bytes(ok.to_bytes())
            .unwrap_err()
            .to_string()
            .contains("codebook")
    );
}

#[test]
fn an_unfitted_codebook_fits_each_slice() {
    use number_formats::codebook::{fit, unfitted};
    let u: Format = "codebook<2,5>".parse().unwrap();
    assert_eq!(u.to_string(), "codebook<2,5>");
    assert!(matches!(u, Format::Codebook { table, .. } if unfitted(&table)));
    assert_eq!((u.bits(), u.storage_bits(10)), (2, 20 + 32));
    let xs: Vec<f32> = (0..300)
        .map(|i| ((i * 37 % 101) as f32 - 50.0) / 40.0)
        .collect();
    let mut a = xs.clone();
    u.quantize_slice(&mut a);
    let fitted = fit(&xs, None, 2, 5).unwrap();
    let mut b = xs.clone();
    fitted.quantize_slice(&mut b);
    assert_eq!(a, b);
    let distinct: std::collections::BTreeSet<u32> = a.iter().map(|v| v.to_bits()).collect();
    assert!(distinct.len() <= 4 && distinct.len() >= 2, "{distinct:?}");
    // A lone value is a tensor of one value: fixed<8,F>'s rounding.
    let fx = Format::Fixed { w: 8, f: 5 };
    for x in [0.3f32, -7.0, 1e9, -0.015625, f32::NAN] {
        assert_eq!(u.quantize(x).to_bits(), fx.quantize(x).to_bits(), "{x}");
        assert_eq!(u.decode(u.encode(x)), fx.quantize(x));
    }
}
