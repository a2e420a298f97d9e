//! Profiles: JSON round-trip, merge, hash, statistics helpers and error messages.
use number_tune::profile::{
    HIST_BINS, PROFILE_VERSION, Profile, ProfileError, SiteKind, SiteProfile, SiteStats,
};
use std::path::PathBuf;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("number-rt-profile-test-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn site(kind: SiteKind, fp: u64, ident: &str, values: &[f32]) -> SiteProfile {
    let mut stats = SiteStats::default();
    for &v in values {
        stats.record(v);
    }
    stats.record_len(values.len());
    SiteProfile {
        kind,
        function: "dense".into(),
        module: "zoo::layers".into(),
        fingerprint: fp,
        instance: "Fc1".into(),
        instance_module: "lenet".into(),
        ident: ident.into(),
        operand: false,
        stats,
    }
}

fn sample() -> Profile {
    let mut p = Profile::new();
    p.sites.insert(
        "Fc1/dense.w".into(),
        site(
            SiteKind::Weight,
            7,
            "w",
            &[0.5, -0.25, 1.75, 0.0, 3e-39, -2.0],
        ),
    );
    p.sites.insert(
        "Fc1/dense.x".into(),
        site(
            SiteKind::Input,
            7,
            "x",
            &[0.0, 0.1, 0.9, f32::NAN, f32::INFINITY],
        ),
    );
    // A site that never saw a finite value: min = +inf, max = -inf.
    p.sites
        .insert("Fc1/dense.acc".into(), site(SiteKind::Local, 7, "acc", &[]));
    p
}

#[test]
fn save_load_round_trip_including_infinite_min_max() {
    let p = sample();
    let path = tmp("roundtrip.json");
    p.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"min\": \"inf\""), "{text}");
    assert!(text.contains("\"max\": \"-inf\""), "{text}");
    let q = Profile::load(&path).unwrap();
    assert_eq!(p, q);
    let e = &q.sites["Fc1/dense.acc"].stats;
    assert_eq!((e.min, e.max), (f32::INFINITY, f32::NEG_INFINITY));
    assert_eq!(p.hash(), q.hash());
}

#[test]
fn f32_values_round_trip_exactly() {
    let mut s = SiteStats::default();
    let mut x = 0x1234_5678u32;
    for _ in 0..2000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let v = f32::from_bits(x);
        if v.is_finite() {
            s.record(v);
        }
    }
    let mut p = Profile::new();
    let mut sp = site(SiteKind::Weight, 1, "w", &[]);
    sp.stats = s;
    p.sites.insert("w".into(), sp);
    let q = Profile::from_json(&p.to_json()).unwrap();
    assert_eq!(
        p.sites["w"].stats.min.to_bits(),
        q.sites["w"].stats.min.to_bits()
    );
    assert_eq!(
        p.sites["w"].stats.max.to_bits(),
        q.sites["w"].stats.max.to_bits()
    );
    assert_eq!(p, q);
}

#[test]
fn merge_adds_statistics_and_sites() {
    let mut a = Profile::new();
    a.sites.insert(
        "Fc1/dense.w".into(),
        site(SiteKind::Weight, 7, "w", &[1.0, -3.0]),
    );
    let mut b = Profile::new();
    b.sites.insert(
        "Fc1/dense.w".into(),
        site(SiteKind::Weight, 7, "w", &[5.0, 0.0]),
    );
    b.sites
        .insert("Fc1/dense.x".into(), site(SiteKind::Input, 7, "x", &[0.5]));
    a.merge(&b).unwrap();
    let w = &a.sites["Fc1/dense.w"].stats;
    assert_eq!(
        (w.count, w.zeros, w.min, w.max, w.max_abs),
        (4, 1, -3.0, 5.0, 5.0)
    );
    assert_eq!(w.hist.iter().sum::<u64>(), 3);
    assert!(a.sites.contains_key("Fc1/dense.x"));
    a.validate().unwrap();
}

#[test]
fn merge_rejects_mismatched_sites_and_changes_nothing() {
    let mut a = Profile::new();
    a.sites
        .insert("Fc1/dense.w".into(), site(SiteKind::Weight, 7, "w", &[1.0]));
    let before = a.clone();
    let mut b = Profile::new();
    b.sites
        .insert("Fc1/dense.a".into(), site(SiteKind::Weight, 7, "a", &[2.0]));
    b.sites
        .insert("Fc1/dense.w".into(), site(SiteKind::Input, 7, "w", &[1.0]));
    let e = a.merge(&b).unwrap_err().to_string();
    assert!(
        e.contains("site `Fc1/dense.w` has kind Weight in one and Input in the other"),
        "{e}"
    );
    assert_eq!(a, before);

    let mut c = Profile::new();
    c.sites
        .insert("Fc1/dense.w".into(), site(SiteKind::Weight, 8, "w", &[1.0]));
    let e = a.merge(&c).unwrap_err().to_string();
    assert!(
        e.contains("fingerprint 0x0000000000000007 in one and 0x0000000000000008"),
        "{e}"
    );
    assert!(e.contains("profile both with the same build"), "{e}");
}

fn load_text(name: &str, text: &str) -> ProfileError {
    let path = tmp(name);
    std::fs::write(&path, text).unwrap();
    Profile::load(&path).unwrap_err()
}

#[test]
fn malformed_json_names_file_line_and_column() {
    let e = load_text("bad.json", "{\n  \"version\": 1,\n  \"tool\": x\n}\n");
    let m = e.to_string();
    assert!(
        matches!(e, ProfileError::Malformed { line: 3, .. }),
        "{e:?}"
    );
    assert!(
        m.contains("bad.json") && m.contains("is not valid JSON (line 3, column"),
        "{m}"
    );
    assert!(m.contains("re-run profiling"), "{m}");
}

#[test]
fn truncated_file_is_reported_as_truncated() {
    let text = sample().to_json();
    let e = load_text("cut.json", &text[..text.len() / 2]);
    let m = e.to_string();
    assert!(matches!(e, ProfileError::Truncated { .. }), "{e:?}");
    assert!(
        m.contains("cut.json") && m.contains("is truncated") && m.contains("interrupted"),
        "{m}"
    );
}

#[test]
fn wrong_version_says_what_to_do() {
    let text = sample().to_json().replacen(
        &format!("\"version\": {PROFILE_VERSION}"),
        "\"version\": 7",
        1,
    );
    let m = load_text("v7.json", &text).to_string();
    assert!(
        m.contains("profile version 7, this libnumber reads version 1: re-run profiling"),
        "{m}"
    );
    let m = load_text("nov.json", "{\"sites\": {}}").to_string();
    assert!(m.contains("has no `version` field"), "{m}");
}

#[test]
fn nan_and_inconsistent_statistics_are_rejected() {
    let text = sample().to_json();
    // NaN (serde_json would write it as null; a hand edit might write "nan").
    let nan = text.replacen("\"max_abs\": 2.0", "\"max_abs\": null", 1);
    assert_ne!(nan, text);
    let m = load_text("nan.json", &nan).to_string();
    assert!(
        m.contains("site `Fc1/dense.w`: field `max_abs` is NaN"),
        "{m}"
    );
    let nan = text.replacen("\"min\": -2.0", "\"min\": \"nan\"", 1);
    let m = load_text("nan2.json", &nan).to_string();
    assert!(m.contains("field `min` is NaN"), "{m}");

    let mut p = sample();
    p.sites
        .get_mut("Fc1/dense.w")
        .unwrap()
        .stats
        .hist
        .truncate(3);
    let m = load_text("hist.json", &p.to_json()).to_string();
    assert!(
        m.contains("site `Fc1/dense.w`: `hist` has 3 bins, expected 279"),
        "{m}"
    );

    let mut p = sample();
    p.sites.get_mut("Fc1/dense.w").unwrap().stats.count += 1;
    let m = load_text("count.json", &p.to_json()).to_string();
    assert!(
        m.contains("`hist` holds 5 values but `count` - `zeros` = 6"),
        "{m}"
    );

    let mut p = sample();
    p.sites.get_mut("Fc1/dense.w").unwrap().stats.max = 3.0;
    let m = load_text("minmax.json", &p.to_json()).to_string();
    assert!(
        m.contains("`max_abs` (2) is not max(|min|, |max|) = 3"),
        "{m}"
    );

    let m = load_text("schema.json", "{\"version\": 1, \"tool\": \"x\"}").to_string();
    assert!(
        m.contains("is not a version-1 profile") && m.contains("missing field `sites`"),
        "{m}"
    );
}

#[test]
fn missing_file_error() {
    let m = Profile::load(tmp("does-not-exist.json"))
        .unwrap_err()
        .to_string();
    assert!(
        m.contains("cannot read profile") && m.contains("does-not-exist.json"),
        "{m}"
    );
}

#[test]
fn hash_is_stable_and_content_sensitive() {
    let a = sample();
    assert_eq!(a.hash(), sample().hash());
    let mut b = sample();
    b.sites.get_mut("Fc1/dense.w").unwrap().stats.record(0.125);
    assert_ne!(a.hash(), b.hash());
}

#[test]
fn percentile_and_sign_helpers() {
    let mut s = SiteStats::default();
    assert_eq!(s.percentile_abs(0.5), 0.0);
    assert!(s.is_nonnegative());
    // 90 values in [1, 2), 9 in [4, 8), one outlier 100.
    for _ in 0..90 {
        s.record(1.5);
    }
    for _ in 0..9 {
        s.record(5.0);
    }
    s.record(100.0);
    assert_eq!(s.hist.len(), HIST_BINS);
    assert_eq!(s.percentile_abs(0.5), 2.0);
    assert_eq!(s.percentile_abs(0.9), 2.0);
    assert_eq!(s.percentile_abs(0.95), 8.0);
    assert_eq!(s.percentile_abs(0.999), 100.0);
    assert_eq!(s.percentile_abs(1.0), 100.0);
    assert!(s.is_nonnegative());
    s.record(-0.5);
    assert!(!s.is_nonnegative());

    let mut z = SiteStats::default();
    for _ in 0..10 {
        z.record(0.0);
    }
    z.record(3.0);
    assert_eq!(z.percentile_abs(0.5), 0.0);
    assert_eq!(z.percentile_abs(1.0), 3.0);
    assert_eq!(z.percentile_abs(0.99), 3.0);
    let mut i = SiteStats::default();
    i.record(f32::INFINITY);
    assert!(!i.is_nonnegative());
}
