//! Empty weight tensors (a layer without bias passes an empty `b`): no bits, not searched, f32 in the outcome.
use number_tune::emulate::Config;
use number_tune::profile::{Profile, SiteKind, SiteProfile, SiteStats};
use number_tune::tune::{Objective, Tolerance, Tuner};
use std::sync::atomic::{AtomicBool, Ordering};

fn site(kind: SiteKind, ident: &str, values: &[f32]) -> SiteProfile {
    let mut stats = SiteStats::default();
    for &v in values {
        stats.record(v);
    }
    stats.record_len(values.len());
    SiteProfile {
        kind,
        function: "dense".into(),
        module: "model".into(),
        fingerprint: 1,
        instance: "Fc1".into(),
        instance_module: "model".into(),
        ident: ident.into(),
        operand: false,
        stats,
    }
}

fn profile() -> Profile {
    let w: Vec<f32> = (0..100).map(|i| (i as f32 - 50.0) / 40.0).collect();
    let mut p = Profile::new();
    p.sites
        .insert("Fc1/dense.w".into(), site(SiteKind::Weight, "w", &w));
    p.sites
        .insert("Fc1/dense.b".into(), site(SiteKind::Weight, "b", &[]));
    p.sites
        .insert("Fc1/dense.x".into(), site(SiteKind::Input, "x", &w));
    p
}

#[test]
fn an_empty_weight_costs_nothing_and_is_not_searched() {
    let p = profile();
    assert!(p.sites["Fc1/dense.b"].is_empty_weight());
    assert_eq!(p.sites["Fc1/dense.b"].values(), 0);
    assert!(!p.sites["Fc1/dense.w"].is_empty_weight());

    // The objective counts no value for it, whatever its format.
    let mut with_b = Config::new();
    with_b.insert("Fc1/dense.b".into(), "fixed<8,4>".parse().unwrap());
    assert_eq!(Objective::ParamBits.value(&Config::new(), &p), 3200.0);
    assert_eq!(Objective::ParamBits.value(&with_b, &p), 3200.0);

    let b_seen = AtomicBool::new(false);
    let tuner = Tuner::new(&p)
        .tolerance(Tolerance::Absolute(0.01))
        .progress(false);
    let cands = tuner.candidates().unwrap();
    assert_eq!(
        cands.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["Fc1/dense.w"]
    );
    let o = tuner
        .run(|cfg| {
            if cfg.contains_key("Fc1/dense.b") {
                b_seen.store(true, Ordering::Relaxed);
            }
            let w = cfg.get("Fc1/dense.w").map_or(32, |f| f.bits());
            1.0 - 0.5f64.powi(w as i32)
        })
        .unwrap();
    assert!(
        !b_seen.load(Ordering::Relaxed),
        "the empty bias was searched"
    );
    assert_eq!(o.searched, ["Fc1/dense.w"]);
    assert!(!o.config.contains_key("Fc1/dense.b"));
    let w = o.config["Fc1/dense.w"];
    assert_eq!(o.f32_param_bits, 3200, "the empty bias counts no value");
    assert_eq!(o.param_bits, w.storage_bits(100));
    assert_eq!(o.objective_value, o.param_bits as f64);
    let b = o.sites.iter().find(|s| s.name == "Fc1/dense.b").unwrap();
    assert_eq!(
        (b.len, b.searched, b.format.to_string()),
        (0, false, "f32".to_string())
    );
    assert!(o.to_markdown().contains("empty tensor: no bits"));
}

#[test]
fn a_profile_of_only_empty_weights_has_nothing_to_search() {
    let mut p = Profile::new();
    p.sites
        .insert("Fc1/dense.b".into(), site(SiteKind::Weight, "b", &[]));
    let e = Tuner::new(&p).progress(false).run(|_| 1.0).unwrap_err();
    assert!(e.to_string().contains("no site to search"), "{e}");
}
