//! The tuned.rs contract: `parse(render(x)) == x` for generated files, the number-type table against the static
//! types, and malformed files (hand-made and mutated) giving errors that name the line and the fix, never a
//! panic.
use number_contract::Format;
use number_contract::tuned_file::*;
use proptest::prelude::*;

fn format() -> impl Strategy<Value = Format> {
    prop_oneof![
        (2u32..=32, -40i32..40).prop_map(|(w, f)| Format::Fixed { w, f }),
        (1u32..=32, -40i32..40).prop_map(|(w, f)| Format::UFixed { w, f }),
        (-20i32..20).prop_map(|f| Format::Binary { f }),
        (1u32..=7, -10i32..10, 1u32..200).prop_map(|(w, f, len)| Format::Block { w, f, len }),
        (2u32..=5, 1u32..=6, -3i32..9).prop_map(|(e, m, bias)| Format::Float { e, m, bias }),
        Just(Format::E4M3),
        Just(Format::E5M2),
        Just(Format::Bf16),
        Just(Format::F16),
        Just(Format::F32),
        (
            1u32..=4,
            -20i32..20,
            proptest::collection::btree_set(-128i32..=127, 16)
        )
            .prop_map(|(k, f, set)| {
                let mut table = [0i8; 16];
                for (t, v) in table.iter_mut().zip(set.iter().take(1 << k)) {
                    *t = *v as i8;
                }
                Format::Codebook { k, f, table }
            }),
    ]
    .prop_filter("valid", |f| {
        f.to_string().parse::<Format>().as_ref() == Ok(f)
    })
}

fn ident() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,6}".prop_filter("not a keyword", |s| syn_ok(s))
}

fn syn_ok(s: &str) -> bool {
    !matches!(
        s,
        "as" | "do"
            | "fn"
            | "if"
            | "in"
            | "let"
            | "mod"
            | "mut"
            | "pub"
            | "ref"
            | "use"
            | "dyn"
            | "for"
            | "box"
            | "try"
            | "yield"
            | "impl"
            | "loop"
            | "move"
            | "self"
            | "true"
            | "type"
            | "enum"
            | "else"
            | "false"
            | "match"
            | "const"
            | "crate"
            | "super"
            | "trait"
            | "where"
            | "while"
            | "async"
            | "await"
            | "break"
            | "macro"
            | "final"
            | "priv"
            | "gen"
            | "static"
            | "struct"
            | "unsafe"
            | "extern"
            | "return"
            | "become"
            | "typeof"
            | "virtual"
            | "abstract"
            | "override"
            | "unsized"
            | "continue"
    )
}

fn opt_f64() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        Just(None),
        (0.0f64..1.0).prop_map(Some),
        Just(Some(1.0)),
        Just(Some(0.98505))
    ]
}

fn header() -> impl Strategy<Value = Header> {
    (
        "cargo number tune [a-z]{1,8}( --max-loss [0-9]%)?( --rounding gptq)?",
        any::<u64>(),
        0usize..500,
        prop::option::of("param_bits|activation_bits"),
        prop::option::of("relative [0-9]%|absolute 0\\.0[0-9]"),
        (opt_f64(), opt_f64(), opt_f64()),
        (any::<u32>(), any::<u32>()),
        prop::option::of(("tuned\\.safetensors", any::<u64>(), 0usize..50)),
    )
        .prop_map(
            |(
                command,
                hash,
                sites,
                objective,
                tolerance,
                (baseline, accuracy, target),
                (b, f),
                rw,
            )| Header {
                command,
                tool: "libnumber 0.1.0".into(),
                profile: (hash, sites),
                objective,
                tolerance,
                // The accuracy line exists only with a baseline or an accuracy; a target alone is not written.
                target: if baseline.is_some() || accuracy.is_some() {
                    target
                } else {
                    None
                },
                baseline,
                accuracy,
                param_bits: (b as u64, f as u64),
                rounded_weights: rw.map(|(file, digest, tensors)| RoundedWeights {
                    file,
                    digest,
                    tensors,
                }),
            },
        )
}

fn file() -> impl Strategy<Value = TunedFile> {
    let sites = prop::collection::btree_map(ident(), format(), 1..6);
    let impls = prop::collection::btree_map("[A-Z][a-z0-9]{0,5}", sites, 1..4);
    let functions =
        prop::collection::btree_map(ident(), (any::<u64>(), prop::bool::ANY, impls), 0..4);
    (header(), functions).prop_map(|(header, fns)| TunedFile {
        header,
        functions: fns
            .into_iter()
            .map(|(name, (fingerprint, single, impls))| {
                let path = format!("::zoo::layers::{name}");
                FunctionFormats {
                    display: format!("zoo::layers::{name}"),
                    fingerprint,
                    impls: if single {
                        let sites = impls.into_values().next().unwrap().into_iter().collect();
                        vec![InstanceFormats {
                            instance: format!("{path}::{SINGLE}"),
                            sites,
                        }]
                    } else {
                        impls
                            .into_iter()
                            .map(|(inst, sites)| InstanceFormats {
                                instance: format!("crate::model::{inst}"),
                                sites: sites.into_iter().collect(),
                            })
                            .collect()
                    },
                    path,
                }
            })
            .collect(),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn parse_of_render_is_identity(f in file()) {
        let text = f.render().unwrap();
        prop_assert_eq!(TunedFile::parse(&text).unwrap(), f.clone());
        // Rendering is deterministic and a fixed point.
        prop_assert_eq!(TunedFile::parse(&text).unwrap().render().unwrap(), text);
    }

    #[test]
    fn mutated_files_give_line_numbered_errors_never_panics(f in file(), at in any::<prop::sample::Index>(), cut in 0usize..40, junk in "[ -~]{0,12}") {
        let text = f.render().unwrap();
        let i = at.index(text.len() + 1);
        let i = (0..=i).rev().find(|&i| text.is_char_boundary(i)).unwrap();
        let end = (i + cut).min(text.len());
        let end = (end..=text.len()).find(|&e| text.is_char_boundary(e)).unwrap();
        let mutated = format!("{}{junk}{}", &text[..i], &text[end..]);
        if let Err(e) = TunedFile::parse(&mutated) {
            let lines = mutated.lines().count().max(1);
            prop_assert!(e.line >= 1 && e.line <= lines, "line {} of {lines}: {e}", e.line);
            let s = e.to_string();
            prop_assert!(s.contains("regenerate"), "no fix in: {s}");
        }
    }
}

/// A real checked-in file parses, renders back byte for byte and yields its sites.
#[test]
fn the_zoo_lenet_file_round_trips() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/lenet/tuned.rs");
    let text = std::fs::read_to_string(path).unwrap();
    let f = TunedFile::parse(&text).unwrap();
    assert_eq!(f.render().unwrap(), text);
    assert_eq!(f.config()["Fc1/dense.w"].to_string(), "fixed<2,4>");
    let rw = f.header.rounded_weights.as_ref().unwrap();
    assert_eq!((rw.file.as_str(), rw.tensors), ("tuned.safetensors", 5));
}

fn valid() -> String {
    let f = TunedFile {
        header: Header {
            command: "cargo number tune m".into(),
            tool: "libnumber 0.1.0".into(),
            profile: (1, 2),
            objective: None,
            tolerance: None,
            baseline: None,
            accuracy: None,
            target: None,
            param_bits: (8, 64),
            rounded_weights: None,
        },
        functions: vec![FunctionFormats {
            path: "::zoo::layers::dense".into(),
            display: "zoo::layers::dense".into(),
            fingerprint: 7,
            impls: vec![InstanceFormats {
                instance: "crate::model::Fc1".into(),
                sites: vec![
                    ("w".into(), Format::Fixed { w: 4, f: 2 }),
                    ("x".into(), Format::F32),
                ],
            }],
        }],
    };
    f.render().unwrap()
}

fn error_of(text: &str) -> TunedFileError {
    TunedFile::parse(text).expect_err(text)
}

#[test]
fn malformed_files_name_the_line_and_the_fix() {
    let good = valid();
    assert!(TunedFile::parse(&good).is_ok());
    let cases: Vec<(String, usize, &str)> = vec![
        (
            "fn main() {}".into(),
            1,
            "not a tuned.rs written by libnumber",
        ),
        (
            good.replace("// tool: libnumber 0.1.0\n", ""),
            4,
            "no `tool:` line",
        ),
        (
            good.replace(
                "// profile: 0x0000000000000001 (2 sites)",
                "// profile: 1 (2 sites)",
            ),
            4,
            "malformed `profile`",
        ),
        (
            good.replace("// parameter bits: 8", "// parameter bits: eight"),
            5,
            "malformed `parameter bits`",
        ),
        (
            good.replace("// tool:", "// made by:"),
            3,
            "unknown header line",
        ),
        (
            good.replace("::number_rt::Fixed<4, 2>", "::number_rt::Posit<8>"),
            11,
            "unknown number type `Posit`",
        ),
        (
            good.replace("::number_rt::Fixed<4, 2>", "::number_rt::Fixed<40, 2>"),
            11,
            "site `w`",
        ),
        (
            good.replace("::number_rt::Fixed<4, 2>", "::number_rt::Fixed<4>"),
            11,
            "does not take 1 parameters",
        ),
        (
            good.replace("::number_rt::Fixed<4, 2>", "Fixed<4, 2>"),
            11,
            "expected a number type",
        ),
        (
            good.replace("type x = f32;", "type x = ;"),
            11,
            "malformed item",
        ),
        (
            good.replace("FINGERPRINT ==", "FINGERPRINT !="),
            7,
            "expected `const _: () = assert!",
        ),
        (
            good.replace("tuned.rs is stale", "stale"),
            7,
            "not the generated one",
        ),
        (
            good.replace(
                "::zoo::layers::dense::Formats",
                "::zoo::layers::other::Formats",
            ),
            11,
            "does not follow its fingerprint check",
        ),
        (
            format!("{good}fn extra() {{}}\n"),
            15,
            "expected a fingerprint check",
        ),
        (good.replace("}\n", ""), 11, "malformed item"),
    ];
    for (text, line, what) in cases {
        let e = error_of(&text);
        assert_eq!(e.line, line, "{e}\nin:\n{text}");
        let s = e.to_string();
        assert!(s.contains(what) && s.contains("regenerate"), "{s}");
    }
}

#[test]
fn rust_types_name_the_static_types() {
    use number_formats::*;
    // The static type of a format, as the compiler names it, without its module path.
    fn name<T: Number>() -> String {
        let n = std::any::type_name::<T>();
        n.rsplit_once("::")
            .map_or(n.to_string(), |(_, t)| t.to_string())
    }
    fn check<T: Number>() {
        let want = name::<T>();
        let got = rust_type(T::FORMAT);
        let got = got.strip_prefix("::number_rt::").unwrap_or(&got);
        assert_eq!(got, want);
        let (ident, args) = got
            .split_once('<')
            .map_or((got, ""), |(i, a)| (i, a.trim_end_matches('>')));
        let args: Vec<i64> = args
            .split(", ")
            .filter(|a| !a.is_empty())
            .map(|a| a.parse().unwrap())
            .collect();
        assert_eq!(format_of_type(ident, &args).unwrap(), T::FORMAT);
    }
    check::<Fixed<4, 6>>();
    check::<Fixed<16, -3>>();
    check::<UFixed<8, 4>>();
    check::<Binary<3>>();
    check::<Blocked<3, 2, 32>>();
    check::<Float<5, 4, 9>>();
    check::<E3m2>();
    check::<E4m3>();
    check::<E5m2>();
    check::<Bf16>();
    check::<F16>();
    check::<f32>();
    check::<Codebook1<3, -5, 2>>();
    check::<Codebook2<4, -20, -4, 5, 31>>();
    check::<Codebook3<-2, -128, -20, -3, 0, 1, 9, 40, 127>>();
    check::<Codebook4<7, -90, -60, -40, -30, -20, -12, -6, -2, 0, 3, 8, 15, 25, 40, 70, 100>>();
    assert_eq!(
        format_of_type("E2m1", &[]).unwrap(),
        "e2m1".parse().unwrap()
    );
}
