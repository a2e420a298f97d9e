//! Packed storage: exact round trips for every width 1..=32, the documented size and bit layout (checked with an
//! independent bit-by-bit reader), and validation errors instead of panics.
use number_rt::packed::{HEADER_LEN, PackError, PackedCodes};
use number_rt::{Bf16, E2m1, E3m2, E4m3, E5m2, F16, Fixed, Float, Format, Number, Packed, UFixed};
use proptest::prelude::*;

/// Deterministic test data (xorshift64*).
fn rng(mut s: u64) -> impl FnMut() -> u32 {
    move || {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        (s.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
    }
}

const LENGTHS: [usize; 15] = [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 63, 64, 65, 1001];

/// Value `i` read bit by bit from the documented layout: bit `k` of the stream is bit `k % 8` of byte `k / 8`.
fn read_bits(payload: &[u8], w: u32, i: usize) -> u32 {
    let mut v = 0u32;
    for b in 0..w as usize {
        let k = i * w as usize + b;
        v |= (((payload[k / 8] >> (k % 8)) & 1) as u32) << b;
    }
    v
}

#[test]
fn codes_round_trip_for_every_width() {
    let mut next = rng(42);
    for w in 1..=32u32 {
        let mut formats = vec![Format::ufixed(w, 0).unwrap()];
        if w >= 2 {
            formats.push(Format::fixed(w, 3).unwrap());
        }
        for fmt in formats {
            let mask = if w == 32 { u32::MAX } else { (1 << w) - 1 };
            for n in LENGTHS {
                let codes: Vec<u32> = (0..n).map(|_| next() & mask).collect();
                let p = PackedCodes::from_codes(fmt, &codes).unwrap();
                assert_eq!(p.len(), n);
                let bytes = p.as_bytes();
                assert_eq!(bytes.len(), HEADER_LEN + (n * w as usize).div_ceil(8), "{fmt} n={n}");
                let payload = &bytes[HEADER_LEN..];
                for (i, &c) in codes.iter().enumerate() {
                    assert_eq!(read_bits(payload, w, i), c, "{fmt} layout of value {i}");
                    assert_eq!(p.get_code(i), c, "{fmt} get_code({i})");
                }
                let mut out = vec![0u32; n];
                p.unpack_codes(&mut out);
                assert_eq!(out, codes, "{fmt} n={n}");
                let mut vals = vec![0f32; n];
                p.unpack_f32(&mut vals);
                for i in 0..n {
                    assert_eq!(vals[i].to_bits(), fmt.decode(codes[i]).to_bits());
                }
                // Padding bits are zero.
                let used = n * w as usize % 8;
                if used != 0 {
                    assert_eq!(payload[payload.len() - 1] >> used, 0);
                }
                let q = PackedCodes::from_bytes(bytes).unwrap();
                assert_eq!(q, p);
                assert_eq!(q.format(), fmt);
            }
        }
    }
}

fn check_typed<T: Number>(seed: u64) {
    let mut next = rng(seed);
    let w = T::FORMAT.bits();
    for n in LENGTHS {
        let codes: Vec<u32> = (0..n).map(|_| next()).collect();
        let xs: Vec<T> = codes.iter().map(|&c| T::from_code(c)).collect();
        let p = Packed::from_slice(&xs);
        assert_eq!(p.len(), n);
        assert_eq!(p.is_empty(), n == 0);
        assert_eq!(p.as_bytes().len(), Packed::<T>::byte_len(n));
        assert_eq!(Packed::<T>::byte_len(n), HEADER_LEN + (n * w as usize).div_ceil(8));
        assert_eq!(p.payload().len(), (n * w as usize).div_ceil(8));
        // Exact: every value comes back with its code.
        let back = p.unpack();
        assert_eq!(back.len(), n);
        for i in 0..n {
            assert_eq!(back[i].to_code(), xs[i].to_code(), "{} value {i}", T::FORMAT);
            assert_eq!(p.get(i).to_code(), xs[i].to_code());
            assert_eq!(read_bits(p.payload(), w, i), xs[i].to_code());
        }
        assert_eq!(p.try_get(n), None);
        assert_eq!(p.iter().map(|x| x.to_code()).collect::<Vec<_>>(), xs.iter().map(|x| x.to_code()).collect::<Vec<_>>());
        let mut f = vec![0f32; n];
        p.unpack_f32(&mut f);
        for i in 0..n {
            assert_eq!(f[i].to_bits(), xs[i].to_f32().to_bits());
        }
        // from_f32 quantizes first.
        let reals: Vec<f32> = (0..n).map(|_| f32::from_bits(next())).collect();
        let q = Packed::<T>::from_f32(&reals);
        for (i, &x) in reals.iter().enumerate() {
            assert_eq!(q.get(i).to_code(), T::from_f32(x).to_code());
        }
        // Serialised form round-trips.
        let r = Packed::<T>::from_bytes(p.as_bytes()).unwrap();
        assert_eq!(r, p);
        assert_eq!(r.clone().into_codes().into_typed::<T>().unwrap(), p);
    }
}

macro_rules! typed {
    ($($t:ty),* $(,)?) => {$( check_typed::<$t>(stringify!($t).len() as u64 * 7919); )*};
}

#[test]
fn typed_round_trip_for_every_width() {
    typed!(
        UFixed<1, 0>, number_rt::Binary<3>, number_rt::Binary<-5>, Fixed<2, 1>, Fixed<3, 0>, Fixed<4, 2>, Fixed<5, 3>, Fixed<6, -2>, Fixed<7, 7>, Fixed<8, 4>,
        Fixed<9, 0>, Fixed<10, 5>, Fixed<11, 11>, Fixed<12, -6>, Fixed<13, 1>, Fixed<14, 8>, Fixed<15, 15>,
        Fixed<16, 8>, Fixed<17, 0>, Fixed<18, 9>, Fixed<19, 20>, Fixed<20, -4>, Fixed<21, 10>, Fixed<22, 2>,
        Fixed<23, 23>, Fixed<24, 12>, Fixed<25, 0>, Fixed<26, 13>, Fixed<27, 30>, Fixed<28, 14>, Fixed<29, 1>,
        Fixed<30, 15>, Fixed<31, 16>, Fixed<32, 16>,
        UFixed<2, 0>, UFixed<3, 1>, UFixed<5, 5>, UFixed<7, 0>, UFixed<12, 4>, UFixed<17, 8>, UFixed<24, 0>,
        UFixed<31, 3>, UFixed<32, 0>,
        E2m1, E3m2, E4m3, E5m2, Bf16, F16, Float<1, 0, 0>, Float<8, 10, 130>, Float<8, 22, 128>, f32,
    );
}

#[test]
fn sizes_are_exact() {
    let xs = vec![E2m1::from_f32(1.0); 1000];
    assert_eq!(Packed::from_slice(&xs).as_bytes().len(), HEADER_LEN + 500);
    let xs = vec![Fixed::<5, 2>::from_f32(1.0); 1001];
    assert_eq!(Packed::from_slice(&xs).as_bytes().len(), HEADER_LEN + 626); // 5005 bits
    let xs = vec![UFixed::<1, 0>::from_f32(1.0); 9];
    let p = Packed::from_slice(&xs);
    assert_eq!(p.payload(), &[0xFF, 0x01]);
    assert_eq!(Packed::<E4m3>::default().as_bytes().len(), HEADER_LEN);
}

#[test]
fn bad_bytes_are_errors() {
    let xs: Vec<Fixed<5, 2>> = (0..11).map(|i| Fixed::from_raw(i - 5)).collect();
    let p = Packed::from_slice(&xs);
    let good = p.as_bytes().to_vec(); // 55 bits → 7 bytes, 1 padding bit
    assert_eq!(good.len(), HEADER_LEN + 7);
    let err = |b: &[u8]| Packed::<Fixed<5, 2>>::from_bytes(b).unwrap_err();

    assert_eq!(err(&good[..10]), PackError::TooShort { found: 10 });
    assert!(err(&good[..10]).to_string().contains("20-byte header"));
    let mut b = good.clone();
    b[0] = b'X';
    assert!(matches!(err(&b), PackError::BadMagic(_)));
    assert!(err(&b).to_string().contains("NRP1"));
    // Truncated or extended payload.
    let e = err(&good[..good.len() - 1]);
    assert_eq!(e, PackError::Length { len: 11, bits: 5, expected: 7, found: 6 });
    assert!(e.to_string().contains("11 values of 5 bits need 7 payload bytes, found 6"), "{e}");
    let mut b = good.clone();
    b.push(0);
    assert!(matches!(err(&b), PackError::Length { found: 8, .. }));
    // Length field claiming more values.
    let mut b = good.clone();
    b[12] = 200;
    assert!(matches!(err(&b), PackError::Length { len: 200, .. }));
    let mut b = good.clone();
    b[12..20].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(err(&b), PackError::Length { .. }));
    // Padding.
    let mut b = good.clone();
    *b.last_mut().unwrap() |= 0x80;
    assert_eq!(err(&b), PackError::NonZeroPadding);
    // Format descriptors: invalid, or another format.
    let mut b = good.clone();
    b[5] = 40; // fixed<40,2>
    let e = err(&b);
    assert!(matches!(e, PackError::BadFormat(_)), "{e:?}");
    assert!(e.to_string().contains("W (total bits) must be in 2..=32"), "{e}");
    let e = Packed::<Fixed<5, 3>>::from_bytes(&good).unwrap_err();
    assert_eq!(e, PackError::FormatMismatch { expected: "fixed<5,3>".parse().unwrap(), found: "fixed<5,2>".parse().unwrap() });
    assert!(e.to_string().contains("expected format `fixed<5,3>`, found `fixed<5,2>`"));
    assert!(Packed::<UFixed<5, 2>>::from_bytes(&good).is_err());
    assert!(PackedCodes::from_bytes(&good).unwrap().into_typed::<E4m3>().is_err());
    // The untouched bytes are fine.
    assert_eq!(Packed::<Fixed<5, 2>>::from_bytes(&good).unwrap(), p);
    assert!(PackedCodes::from_f32(Format::Fixed { w: 0, f: 0 }, &[1.0]).is_err());
}

#[test]
#[should_panic(expected = "index 3 out of bounds for length 3")]
fn get_out_of_bounds_panics_like_a_slice() {
    Packed::<E4m3>::from_f32(&[1.0, 2.0, 3.0]).get(3);
}

proptest! {
    #[test]
    fn from_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64), keep_header in any::<bool>()) {
        let mut b = bytes;
        if keep_header && b.len() >= HEADER_LEN {
            b[..12].copy_from_slice(&Packed::<E2m1>::default().as_bytes()[..12]);
        }
        let _ = Packed::<E2m1>::from_bytes(&b);
        let _ = PackedCodes::from_bytes(&b);
    }

    #[test]
    fn random_lengths_round_trip(n in 0usize..300, seed in any::<u64>()) {
        let mut next = rng(seed | 1);
        let xs: Vec<Fixed<13, 5>> = (0..n).map(|_| Fixed::from_code(next())).collect();
        let p = Packed::from_slice(&xs);
        prop_assert_eq!(p.unpack(), xs);
    }
}

#[test]
fn block_formats_pack_their_container_codes() {
    use number_rt::Blocked;
    let xs: Vec<f32> = (0..100).map(|i| ((i * 37 % 23) as f32 - 11.0) * if i < 50 { 0.3 } else { 0.004 }).collect();
    let f: Format = "block<3,1,16>".parse().unwrap();
    let mut want = xs.clone();
    f.quantize_slice(&mut want);
    let codes = PackedCodes::from_f32(f, &xs).unwrap();
    assert_eq!((0..xs.len()).map(|i| codes.get(i)).collect::<Vec<_>>(), want);
    assert_eq!(f.decode(codes.get_code(0)), want[0]);
    let packed = Packed::<Blocked<3, 1, 16>>::from_f32(&xs);
    assert_eq!(packed.iter().map(|v| v.to_f32()).collect::<Vec<_>>(), want);
}
