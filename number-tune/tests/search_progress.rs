//! Progress in logs (stderr not a terminal) and what a search cut short by its budget says it skipped; neither
//! changes what the search evaluates.
use number_tune::emulate::Config;
use number_tune::profile::{Profile, SiteKind, SiteProfile, SiteStats};
use number_tune::tune::{Budget, Granularity, Outcome, Space, Tolerance, Tuner};
use std::process::Command;
use std::time::Duration;

fn site(ident: &str, scale: f32) -> SiteProfile {
    let mut stats = SiteStats::default();
    for i in 0..256 {
        stats.record(scale * ((i as f32 * 0.37).sin()));
    }
    stats.record_len(256);
    SiteProfile {
        kind: SiteKind::Weight,
        function: "dense".into(),
        module: "model".into(),
        fingerprint: 1,
        instance: ident.to_uppercase(),
        instance_module: "model".into(),
        ident: "w".into(),
        operand: false,
        stats,
    }
}

fn profile() -> Profile {
    let mut p = Profile::new();
    for (i, n) in ["fc1", "fc2", "fc3", "fc4", "fc5"].iter().enumerate() {
        p.sites.insert(
            format!("{}/dense.w", n.to_uppercase()),
            site(n, 1.0 + i as f32),
        );
    }
    p
}

/// A model whose accuracy drops as sites narrow, more for some sites than others.
fn accuracy(cfg: &Config) -> f64 {
    let mut a = 1.0;
    for (i, (_, f)) in cfg.iter().enumerate() {
        a -= (0.02 + 0.01 * i as f64) * 0.5f64.powi(f.bits() as i32 - 1);
    }
    a
}

fn tune(progress: bool, evals: Option<usize>, space: Space) -> Outcome {
    Tuner::new(&profile())
        .tolerance(Tolerance::Absolute(0.01))
        .space(space)
        .budget(Budget {
            evaluations: evals,
            time: None,
        })
        .progress(progress)
        .progress_interval(Duration::ZERO)
        .run(accuracy)
        .unwrap()
}

fn same(a: &Outcome, b: &Outcome) {
    assert_eq!(a.config, b.config);
    assert_eq!(a.evaluations, b.evaluations);
    assert_eq!(a.visited, b.visited);
    assert_eq!(a.feasible, b.feasible);
    assert_eq!(a.cut_short, b.cut_short);
}

#[test]
fn budget_cuts_say_what_they_skipped() {
    let full = tune(false, None, Space::default());
    assert!(!full.budget_exhausted && full.cut_short.is_empty());

    let cut = tune(false, Some(12), Space::default());
    assert!(cut.budget_exhausted);
    assert_eq!(cut.cut_short.len(), 1);
    let note = &cut.cut_short[0];
    assert!(
        note.starts_with("the budget of 12 evaluations ran out in the ")
            && note.contains("after 12 evaluations; not done: ")
            && note.contains("the exact phase (the result is not proven optimal)")
            && note.ends_with("raise the budget (--max-evals) to search further"),
        "{note}"
    );
    assert!(
        cut.to_markdown()
            .contains(&format!("| cut short | {note} |"))
    );
    assert!(cut.to_json().contains("\"cut_short\""));

    // Cut in the uniform sweep: the widths left out are counted.
    let early = tune(false, Some(3), Space::default());
    let note = &early.cut_short[0];
    assert!(
        note.contains(
            "in the uniform phase after 3 evaluations; not done: 14 of 16 uniform widths, "
        ) && note.contains("the sensitivity of 5 of 5 searched sites")
            && note.contains("the repair and descent"),
        "{note}"
    );

    // Two stages (per-tensor formats first): each stage cut short says so.
    let space = Space {
        granularity: vec![Granularity::Tensor, Granularity::Len(32)],
        ..Space::default()
    };
    let staged = tune(false, Some(20), space);
    assert!(staged.budget_exhausted);
    assert!(
        staged
            .cut_short
            .iter()
            .all(|n| n.starts_with("stage 1/2, per-tensor formats: ")
                || n.starts_with("stage 2/2, every granularity: ")),
        "{:?}",
        staged.cut_short
    );
}

/// Progress on (lines on stderr, which is not a terminal under the test harness's pipe) evaluates exactly what
/// progress off does.
#[test]
fn progress_does_not_change_the_search() {
    for evals in [None, Some(3), Some(12), Some(40)] {
        same(
            &tune(false, evals, Space::default()),
            &tune(true, evals, Space::default()),
        );
    }
}

/// The lines a log gets: run in a child process whose stderr is a pipe.
#[test]
fn progress_lines_in_logs() {
    if std::env::var_os("NUMBER_TUNE_PROGRESS_CHILD").is_some() {
        tune(true, Some(12), Space::default());
        return;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "progress_lines_in_logs",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("NUMBER_TUNE_PROGRESS_CHILD", "1")
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("tune")).collect();
    assert!(
        lines[0].starts_with("tune: searching 5 sites, at most 12 evaluations"),
        "{err}"
    );
    // A line per batch (interval 0): evaluations of the budget, best size, reduction, elapsed, ETA.
    let periodic: Vec<&&str> = lines.iter().filter(|l| l.contains("ETA at most")).collect();
    assert!(!periodic.is_empty(), "{err}");
    for l in &periodic {
        assert!(
            l.contains("/12 evaluations")
                && l.contains(" bits (")
                && l.contains("x smaller than f32)")
                && l.contains("elapsed"),
            "{l}"
        );
    }
    let done = lines
        .iter()
        .find(|l| l.starts_with("tune [done]: 12/12 evaluations"));
    assert!(done.is_some(), "{err}");
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("tune: the budget of 12 evaluations ran out"),
        "{err}"
    );
}
