//! Property tests of `Packed<T>`: packing then unpacking gives back every value (its code, bit for bit), by index,
//! by iterator, through views of any range and through `unpack_into`, for every width 1..=16 of the formats that
//! have it (`fixed` 2..=16, `ufixed` 1..=16, `binary`, `block` 1..=7 with several block lengths, `float` of 3 to
//! 16 bits, the named 8/16-bit floats) and for `f32`. Values are drawn as `f32` inputs (any bit pattern, or a
//! scaled value) and quantized by `Number::from_f32_slice`, as weight loaders do; the runtime packer `words_of`
//! (baked tables) must write the same words.
use number_formats::packed::{Packed, Unpacked, WeightRead, words_for, words_of};
use number_formats::{Bf16, Binary, Blocked, E4m3, E5m2, F16, Fixed, Float, Number, UFixed};
use proptest::prelude::*;

fn inputs() -> impl Strategy<Value = Vec<f32>> {
    prop::collection::vec(
        prop_oneof![
            any::<u32>().prop_map(f32::from_bits),
            (-4.0f32..4.0),
            (-1e-3f32..1e-3),
        ],
        0..300,
    )
}

fn check<T: Number>(xs: &[f32], a: usize, b: usize) -> Result<(), TestCaseError> {
    let fmt = T::FORMAT;
    let v = T::from_f32_slice(xs);
    let p = Packed::<T>::from_f32_slice(xs);
    prop_assert_eq!(p.len(), v.len());
    prop_assert_eq!(p.words().len(), words_for::<T>(v.len()));
    // Resident bytes: the storage bits of the format, rounded up to words, plus at most two words.
    let bits = fmt.storage_bits(v.len() as u64) as usize;
    prop_assert!(p.resident_bytes() * 8 >= bits);
    prop_assert!(
        p.resident_bytes() * 8 < bits + 3 * 64,
        "{}: {} bytes for {} bits",
        fmt,
        p.resident_bytes(),
        bits
    );
    for (i, x) in v.iter().enumerate() {
        prop_assert_eq!(p.get(i).to_code(), x.to_code(), "{} value {}", fmt, i);
    }
    prop_assert!(
        p.iter()
            .map(|x| x.to_code())
            .eq(v.iter().map(|x| x.to_code()))
    );
    let fs: Vec<u32> = v.iter().map(|x| x.to_f32().to_bits()).collect();
    prop_assert_eq!(
        p.to_f32().iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        fs
    );
    // A view of any range, and a range of it.
    let n = v.len();
    let (s, e) = (a % (n + 1), b % (n + 1));
    let (s, e) = (s.min(e), s.max(e));
    let view = p.slice(s, e - s);
    let mut out = vec![T::default(); e - s];
    view.unpack_into(0, &mut out);
    prop_assert!(
        out.iter()
            .map(|x| x.to_code())
            .eq(v[s..e].iter().map(|x| x.to_code()))
    );
    if e > s {
        let k = (a / 7) % (e - s);
        prop_assert_eq!(view.get(k).to_code(), v[s + k].to_code());
        let inner = view.slice(k, e - s - k);
        prop_assert!(
            inner
                .iter()
                .map(|x| x.to_code())
                .eq(v[s + k..e].iter().map(|x| x.to_code()))
        );
    }
    let mut buf = Unpacked::<T, 64>::new();
    let read = WeightRead::read(&p, &mut buf);
    prop_assert!(
        read.iter()
            .map(|x| x.to_code())
            .eq(v.iter().map(|x| x.to_code()))
    );
    // Packing the values again gives the same words.
    let again = Packed::from_values(&v);
    prop_assert_eq!(again.words(), p.words());
    // The runtime packer (baked tables) writes the same words.
    prop_assert_eq!(&words_of(fmt, xs)[..], p.words());
    Ok(())
}

macro_rules! formats {
    ($($name:ident: $($t:ty),* ;)*) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(48))]
            $(
                #[test]
                fn $name(xs in inputs(), a in any::<usize>(), b in any::<usize>()) {
                    $( check::<$t>(&xs, a, b)?; )*
                }
            )*
        }
    };
}

formats! {
    fixed_2_to_8: Fixed<2, 0>, Fixed<3, 1>, Fixed<4, 2>, Fixed<5, 3>, Fixed<6, 4>, Fixed<7, -2>, Fixed<8, 5>;
    fixed_9_to_16: Fixed<9, 6>, Fixed<10, 3>, Fixed<11, 8>, Fixed<12, 10>, Fixed<13, 0>, Fixed<14, 12>, Fixed<15, 7>, Fixed<16, 14>;
    ufixed_1_to_8: UFixed<1, 0>, UFixed<2, 1>, UFixed<3, 2>, UFixed<4, 4>, UFixed<5, 3>, UFixed<6, 6>, UFixed<7, 1>, UFixed<8, 7>;
    ufixed_9_to_16: UFixed<9, 4>, UFixed<10, 9>, UFixed<11, 2>, UFixed<12, 11>, UFixed<13, 6>, UFixed<14, 13>, UFixed<15, 0>, UFixed<16, 12>;
    binary_1: Binary<0>, Binary<3>, Binary<-2>;
    blocked_1_to_7: Blocked<1, 0, 1>, Blocked<1, 2, 32>, Blocked<2, 0, 7>, Blocked<3, 1, 32>, Blocked<4, 2, 16>, Blocked<5, -1, 100>, Blocked<6, 3, 3>, Blocked<7, 0, 64>;
    float_3_to_16: Float<1, 1, 0>, Float<2, 1, 1>, Float<2, 3, 1>, Float<3, 2, 3>, Float<4, 2, 7>, Float<4, 5, 7>, Float<5, 5, 15>, Float<5, 10, 15>, Float<6, 9, 31>;
    named: E4m3, E5m2, Bf16, F16, f32;
}
