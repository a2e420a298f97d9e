//! `emulate::check_config`: configurations checked against the sites that ran (typos, missing sites, partial
//! configurations), and `emulate::functions`, what the registry records about the functions that ran.
//!
//! The functions are hand-expanded calibrate-mode code (what `#[quantize]` emits: a `static FnInfo` and a
//! `Frame::enter`), so that this crate's tests need neither number-rt nor the macros. The registry is global
//! to the process: every test uses functions of its own names.
use number_runtime::emulate::{self, Config, FnInfo, Frame, SiteError, SiteInfo};
use number_runtime::profile::SiteKind;

/// `dense<L>(w, b, x, y)` with an accumulator, as `#[quantize(weights(w, b))]` registers it.
static DENSE: FnInfo = FnInfo {
    name: "dense",
    module: "check_config::layers",
    fingerprint: 0x1111,
    sites: &[
        SiteInfo {
            ident: "acc",
            kind: SiteKind::Local,
            operand: false,
        },
        SiteInfo {
            ident: "b",
            kind: SiteKind::Weight,
            operand: false,
        },
        SiteInfo {
            ident: "w",
            kind: SiteKind::Weight,
            operand: false,
        },
        SiteInfo {
            ident: "x",
            kind: SiteKind::Input,
            operand: false,
        },
        SiteInfo {
            ident: "y",
            kind: SiteKind::Output,
            operand: false,
        },
    ],
};

/// `relu(x)`, a function without instance parameter.
static RELU: FnInfo = FnInfo {
    name: "relu",
    module: "check_config::layers",
    fingerprint: 0x2222,
    sites: &[SiteInfo {
        ident: "x",
        kind: SiteKind::Output,
        operand: false,
    }],
};

/// Runs the "model": `dense::<Fc1>`, `dense::<Fc2>` and `relu`, each entering its frame as generated code does.
fn run_model() {
    for inst in ["Fc1", "Fc2"] {
        let f = Frame::enter(&DENSE, inst, "check_config::model");
        let _ = f.q(0, 1.0);
    }
    let f = Frame::enter(&RELU, "", "");
    let _ = f.q(0, 1.0);
}

fn fmt(s: &str) -> number_formats::Format {
    s.parse().unwrap()
}

/// Every site of `Fc1/dense` and `relu` (what a tuned.rs of the two would hold), `Fc2` left out.
fn full_config() -> Config {
    let mut cfg = Config::new();
    for ident in ["acc", "b", "w", "x", "y"] {
        cfg.insert(format!("Fc1/dense.{ident}"), fmt("f32"));
    }
    cfg.insert("Fc1/dense.w".into(), fmt("fixed<4,2>"));
    cfg.insert("relu.x".into(), fmt("fixed<8,4>"));
    cfg
}

#[test]
fn checks_configurations_against_the_sites_that_ran() {
    // One test, in order: the registry is empty only before the model first runs in this process.
    assert_eq!(
        emulate::check_config(&Config::new()),
        Err(SiteError::NothingRan)
    );
    assert!(
        SiteError::NothingRan
            .to_string()
            .contains("run the model once")
    );
    run_model();

    // OK: every site of each covered instance; `Fc2/dense` is covered by nothing and runs in f32.
    assert_eq!(emulate::check_config(&full_config()), Ok(()));
    assert_eq!(emulate::check_config(&Config::new()), Ok(()));

    // A typo: the name matches no site; the closest registered one is suggested.
    let mut typo = full_config();
    let w = typo.remove("Fc1/dense.w").unwrap();
    typo.insert("Fc1/dense.ww".into(), w);
    let e = emulate::check_config(&typo).unwrap_err();
    assert_eq!(
        e,
        SiteError::Unknown {
            name: "Fc1/dense.ww".into(),
            closest: Some("Fc1/dense.w".into()),
            more: 1, // `Fc1/dense.w` is now missing too
        }
    );
    let m = e.to_string();
    assert!(
        m.contains("`Fc1/dense.ww`")
            && m.contains("no site of that name ran; did you mean `Fc1/dense.w`?")
            && m.contains("(1 more unknown or missing site)"),
        "{m}"
    );
    // An instance that never ran.
    let mut other = full_config();
    other.insert("Fc3/dense.w".into(), fmt("fixed<4,2>"));
    match emulate::check_config(&other) {
        Err(SiteError::Unknown {
            name,
            closest,
            more: 0,
        }) => {
            assert_eq!(name, "Fc3/dense.w");
            assert!(closest.is_some_and(|c| c.ends_with("/dense.w")));
        }
        r => panic!("{r:?}"),
    }

    // Missing: the configuration names sites of `Fc1/dense` but not `acc`.
    let mut missing = full_config();
    missing.remove("Fc1/dense.acc");
    let e = emulate::check_config(&missing).unwrap_err();
    assert_eq!(
        e,
        SiteError::Missing {
            site: "Fc1/dense.acc".into(),
            named: "Fc1/dense.b".into(),
            more: 0,
        }
    );
    let m = e.to_string();
    assert!(
        m.contains("site `Fc1/dense.acc` ran") && m.contains("add `Fc1/dense.acc`"),
        "{m}"
    );

    // The registry records each function's module, fingerprint and instances.
    let fns = emulate::functions();
    let dense = fns.iter().find(|f| f.name == "dense").unwrap();
    assert_eq!(dense.path(), "check_config::layers::dense");
    assert_eq!(dense.fingerprint, 0x1111);
    assert_eq!(dense.instances, ["Fc1", "Fc2"]);
    let relu = fns.iter().find(|f| f.name == "relu").unwrap();
    assert_eq!(relu.instances, [""]);
}
