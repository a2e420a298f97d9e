//! Reports of a tuning outcome: JSON, markdown and an SVG accuracy-vs-size plot.
use super::{Outcome, Point, Tolerance};
use serde_json::{Value, json};
use std::fmt::Write;

pub(super) fn frontier(points: &[Point]) -> Vec<&Point> {
    let mut v: Vec<&Point> = points
        .iter()
        .filter(|p| !p.accuracy.is_nan() && !p.objective.is_nan())
        .collect();
    v.sort_by(|a, b| {
        a.objective
            .total_cmp(&b.objective)
            .then(b.accuracy.total_cmp(&a.accuracy))
    });
    let mut out: Vec<&Point> = Vec::new();
    for p in v {
        if out.last().is_none_or(|l| p.accuracy > l.accuracy) {
            out.push(p);
        }
    }
    out
}

fn point_json(p: &Point) -> Value {
    json!({
        "objective": p.objective,
        "param_bits": p.param_bits,
        "accuracy": p.accuracy,
        "feasible": p.feasible,
        "widths": p.label,
        "phase": p.phase,
    })
}

pub(super) fn to_json(o: &Outcome) -> String {
    let tolerance = match o.tolerance {
        Tolerance::Relative(r) => json!({"relative": r}),
        Tolerance::Absolute(x) => json!({"absolute": x}),
    };
    let v = json!({
        "tool": format!("libnumber {}", env!("CARGO_PKG_VERSION")),
        "profile_hash": format!("{:#018x}", o.profile_hash),
        "objective": o.objective,
        "tolerance": tolerance,
        "seed": o.seed,
        "baseline": o.baseline,
        "target": o.target,
        "accuracy": o.accuracy,
        "objective_value": o.objective_value,
        "baseline_objective": o.baseline_objective,
        "param_bits": o.param_bits,
        "f32_param_bits": o.f32_param_bits,
        "reduction": o.reduction(),
        "evaluations": o.evaluations,
        "cache_hits": o.cache_hits,
        "elapsed_s": o.elapsed.as_secs_f64(),
        "budget_exhausted": o.budget_exhausted,
        "cut_short": o.cut_short,
        "exact": o.exact,
        "config": o.config.iter().map(|(k, f)| (k.clone(), Value::String(f.to_string()))).collect::<serde_json::Map<_, _>>(),
        "sites": o.sites.iter().map(|s| json!({
            "name": s.name,
            "kind": s.kind,
            "len": s.len,
            "format": s.format.to_string(),
            "bits": s.bits,
            "searched": s.searched,
            "min_width_alone": s.min_width_alone,
        })).collect::<Vec<_>>(),
        "searched": o.searched,
        "integer_inputs": o.integer_inputs,
        "integer_input_sites": o.integer_input_sites.iter().map(|(n, w)| (n.clone(), json!(w))).collect::<serde_json::Map<_, _>>(),
        "confirmation": o.confirmation.as_ref().map(|c| json!({
            "inputs": c.inputs,
            "baseline": c.baseline,
            "target": c.target,
            "accuracy": c.accuracy,
            "tried": c.tried,
            "kept_best": c.kept_best,
        })),
        "uniform": o.uniform.iter().map(|(w, p)| {
            let mut v = point_json(p);
            v["width"] = json!(w);
            v
        }).collect::<Vec<_>>(),
        "frontier": o.frontier().into_iter().map(point_json).collect::<Vec<_>>(),
        "visited": o.visited.iter().map(point_json).collect::<Vec<_>>(),
    });
    let mut s = serde_json::to_string_pretty(&v).expect("serializable");
    s.push('\n');
    s
}

fn kind_name(k: crate::profile::SiteKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn ratio(f32_bits: u64, bits: u64) -> String {
    format!("{:.2}×", f32_bits as f64 / bits.max(1) as f64)
}

pub(super) fn to_markdown(o: &Outcome) -> String {
    let mut m = String::new();
    let _ = writeln!(m, "# libnumber tuning report\n");
    let _ = writeln!(m, "| | |\n| --- | --- |");
    let _ = writeln!(
        m,
        "| objective | `{}` = {} (f32: {}) |",
        o.objective, o.objective_value, o.baseline_objective
    );
    let _ = writeln!(m, "| tolerance | {} |", o.tolerance);
    let _ = writeln!(m, "| baseline accuracy (f32) | {} |", o.baseline);
    let _ = writeln!(m, "| target accuracy | ≥ {} |", o.target);
    let _ = writeln!(m, "| tuned accuracy | {} |", o.accuracy);
    let _ = writeln!(
        m,
        "| parameter bits | {} (f32: {}, {} smaller) |",
        o.param_bits,
        o.f32_param_bits,
        ratio(o.f32_param_bits, o.param_bits)
    );
    if let Some((w, p)) = o.best_uniform() {
        let _ = writeln!(
            m,
            "| best uniform width | {w} bits: {} parameter bits ({}), accuracy {} |",
            p.param_bits,
            ratio(o.f32_param_bits, p.param_bits),
            p.accuracy
        );
    }
    let _ = writeln!(
        m,
        "| search | {} evaluations, {} cache hits, {:.1} s; {} |",
        o.evaluations,
        o.cache_hits,
        o.elapsed.as_secs_f64(),
        if o.budget_exhausted {
            "budget exhausted: best found so far"
        } else if o.exact {
            "exact phase completed: no smaller feasible configuration (under monotonicity)"
        } else {
            "local optimum (exact phase incomplete)"
        }
    );
    for note in &o.cut_short {
        let _ = writeln!(m, "| cut short | {note} |");
    }
    match o.integer_inputs {
        Some(w) => {
            let _ = writeln!(
                m,
                "| integer inputs | every input site, {w}-bit fixed point |"
            );
        }
        None if !o.integer_input_sites.is_empty() => {
            let sites: Vec<String> = o
                .integer_input_sites
                .iter()
                .map(|(n, w)| format!("`{n}` {w}"))
                .collect();
            let _ = writeln!(m, "| integer inputs | {} (bits) |", sites.join(", "));
        }
        None => {}
    }
    let _ = writeln!(
        m,
        "| profile | `{:#018x}`, seed {} |",
        o.profile_hash, o.seed
    );

    let _ = writeln!(m, "\n## Sites\n");
    let _ = writeln!(
        m,
        "| site | kind | len | format | bits | total bits | min width alone |"
    );
    let _ = writeln!(m, "| --- | --- | ---: | --- | ---: | ---: | ---: |");
    for s in &o.sites {
        let alone = match (s.searched, s.min_width_alone) {
            (false, _) if s.kind == crate::profile::SiteKind::Weight && s.len == 0 => {
                "not searched (empty tensor: no bits)".to_string()
            }
            (false, _) => "not searched".to_string(),
            (true, Some(w)) => w.to_string(),
            (true, None) => "—".to_string(),
        };
        let _ = writeln!(
            m,
            "| `{}` | {} | {} | `{}` | {} | {} | {} |",
            s.name,
            kind_name(s.kind),
            s.len,
            s.format,
            s.bits,
            s.format.storage_bits(s.len),
            alone
        );
    }

    let order = o
        .searched
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(" / ");
    if !o.uniform.is_empty() {
        let _ = writeln!(m, "\n## Uniform widths\n");
        let _ = writeln!(
            m,
            "| width | parameter bits | vs f32 | objective | accuracy | feasible |"
        );
        let _ = writeln!(m, "| ---: | ---: | ---: | ---: | ---: | --- |");
        for (w, p) in &o.uniform {
            let _ = writeln!(
                m,
                "| {w} | {} | {} | {} | {} | {} |",
                p.param_bits,
                ratio(o.f32_param_bits, p.param_bits),
                p.objective,
                p.accuracy,
                if p.feasible { "yes" } else { "no" }
            );
        }
    }
    let _ = writeln!(m, "\n## Accuracy vs size frontier\n");
    let _ = writeln!(
        m,
        "Pareto points among the {} evaluated configurations. Widths: {order}.\n",
        o.visited.len()
    );
    let _ = writeln!(
        m,
        "| parameter bits | vs f32 | objective | accuracy | feasible | widths |"
    );
    let _ = writeln!(m, "| ---: | ---: | ---: | ---: | --- | --- |");
    for p in o.frontier() {
        let _ = writeln!(
            m,
            "| {} | {} | {} | {} | {} | {} |",
            p.param_bits,
            ratio(o.f32_param_bits, p.param_bits),
            p.objective,
            p.accuracy,
            if p.feasible { "yes" } else { "no" },
            p.label
        );
    }
    m
}

/// A small self-contained SVG: accuracy vs objective (log2 axis) of every visited point, the frontier and the
/// target.
pub(super) fn to_svg(o: &Outcome) -> String {
    let (w, h, ml, mr, mt, mb) = (720.0, 420.0, 70.0, 20.0, 30.0, 50.0);
    let pts: Vec<&Point> = o
        .visited
        .iter()
        .filter(|p| p.accuracy.is_finite() && p.objective.is_finite() && p.objective > 0.0)
        .collect();
    let front = o.frontier();
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    if pts.is_empty() {
        let _ = writeln!(s, "</svg>");
        return s;
    }
    let lx = |v: f64| v.log2();
    let (mut x0, mut x1) = (f64::INFINITY, f64::NEG_INFINITY);
    for p in &pts {
        x0 = x0.min(lx(p.objective));
        x1 = x1.max(lx(p.objective));
    }
    if x1 - x0 < 1e-9 {
        x0 -= 1.0;
        x1 += 1.0;
    }
    let y1 = pts.iter().map(|p| p.accuracy).fold(o.baseline, f64::max);
    let span = (y1 - o.target).abs().max(1e-6);
    let ylow = front.iter().map(|p| p.accuracy).fold(o.target, f64::min);
    let y0 = ylow.max(o.target - 3.0 * span) - 0.1 * span;
    let y1 = y1 + 0.1 * span;
    let px = |v: f64| ml + (lx(v) - x0) / (x1 - x0) * (w - ml - mr);
    let py = |a: f64| mt + (y1 - a.clamp(y0, y1)) / (y1 - y0) * (h - mt - mb);
    let _ = writeln!(
        s,
        r##"<rect x="{ml}" y="{mt}" width="{}" height="{}" fill="none" stroke="#888"/>"##,
        w - ml - mr,
        h - mt - mb
    );
    let _ = writeln!(
        s,
        r#"<text x="{}" y="18" text-anchor="middle">accuracy vs {} (log scale); red: Pareto frontier, dashed: target</text>"#,
        w / 2.0,
        o.objective
    );
    // Axis ticks: powers of two on x, five levels on y.
    let mut e = x0.ceil() as i32;
    while (e as f64) <= x1 {
        let x = ml + (e as f64 - x0) / (x1 - x0) * (w - ml - mr);
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{}" stroke="#888"/><text x="{x:.1}" y="{}" text-anchor="middle">2^{e}</text>"##,
            h - mb,
            h - mb + 5.0,
            h - mb + 18.0
        );
        e += ((x1 - x0) / 8.0).ceil().max(1.0) as i32;
    }
    for i in 0..=4 {
        let a = y0 + (y1 - y0) * i as f64 / 4.0;
        let y = py(a);
        let _ = writeln!(
            s,
            r##"<line x1="{}" y1="{y:.1}" x2="{ml}" y2="{y:.1}" stroke="#888"/><text x="{}" y="{:.1}" text-anchor="end">{a:.4}</text>"##,
            ml - 5.0,
            ml - 8.0,
            y + 4.0
        );
    }
    let ty = py(o.target);
    let _ = writeln!(
        s,
        r##"<line x1="{ml}" y1="{ty:.1}" x2="{}" y2="{ty:.1}" stroke="#555" stroke-dasharray="5,4"/>"##,
        w - mr
    );
    for p in &pts {
        let fill = if p.feasible { "#2a7" } else { "#bbb" };
        let _ = writeln!(
            s,
            r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{fill}"/>"#,
            px(p.objective),
            py(p.accuracy)
        );
    }
    let line: Vec<String> = front
        .iter()
        .filter(|p| p.objective > 0.0)
        .map(|p| format!("{:.1},{:.1}", px(p.objective), py(p.accuracy)))
        .collect();
    let _ = writeln!(
        s,
        r##"<polyline points="{}" fill="none" stroke="#d33" stroke-width="1.5"/>"##,
        line.join(" ")
    );
    if o.objective_value > 0.0 {
        let _ = writeln!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="5" fill="none" stroke="#d33" stroke-width="2"/>"##,
            px(o.objective_value),
            py(o.accuracy)
        );
    }
    let _ = writeln!(s, "</svg>");
    s
}
