//! docs/zoo.svg: relative accuracy loss vs parameter-size reduction of every configuration each zoo search
//! evaluated (from target/number/<model>/tune-report-<tol>.json), one colour per model, the chosen point of
//! each search circled.
use crate::Row;
use plotters::prelude::*;
use serde_json::Value;
use std::path::Path;

const COLORS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// (reduction, relative loss in %) of each point a search visited.
fn visited(root: &Path, r: &Row) -> Vec<(f64, f64)> {
    let tag = crate::run_tag(&r.tolerance, &r.granularity);
    let p = root
        .join("target")
        .join("number")
        .join(&r.model)
        .join(format!("tune-report-{tag}.json"));
    let Ok(s) = std::fs::read_to_string(p) else {
        return vec![];
    };
    let Ok(v) = serde_json::from_str::<Value>(&s) else {
        return vec![];
    };
    let base = v
        .get("baseline")
        .and_then(Value::as_f64)
        .unwrap_or(f64::NAN);
    let f32_bits = v
        .get("f32_param_bits")
        .and_then(Value::as_f64)
        .unwrap_or(f64::NAN);
    v.get("visited")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .filter_map(|p| {
                    let (a, b) = (p.get("accuracy")?.as_f64()?, p.get("param_bits")?.as_f64()?);
                    Some((f32_bits / b, 100.0 * (base - a) / base))
                })
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .collect()
        })
        .unwrap_or_default()
}

/// Draws the plot into `out` (SVG).
pub fn zoo_svg(root: &Path, rows: &[Row], out: &Path) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| format!("drawing {}: {e}", out.display());
    let drawing = SVGBackend::new(out, (900, 600)).into_drawing_area();
    drawing.fill(&WHITE).map_err(|e| err(&e))?;
    let max_x = rows.iter().map(|r| r.reduction).fold(16.0, f64::max) * 1.3;
    let mut chart = ChartBuilder::on(&drawing)
        .caption(
            "zoo searches: dots = configurations evaluated (validation), rings = chosen (test)",
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d((1.0..max_x).log_scale(), -2.0..10.0)
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc("size reduction vs f32 (×, log)")
        .y_desc("relative accuracy loss (%)")
        .draw()
        .map_err(|e| err(&e))?;
    for tol in [1.0, 7.0] {
        chart
            .draw_series(LineSeries::new([(1.0, tol), (max_x, tol)], BLACK.mix(0.3)))
            .map_err(|e| err(&e))?;
    }
    let mut models: Vec<&str> = rows.iter().map(|r| r.model.as_str()).collect();
    models.dedup();
    for (i, m) in models.iter().enumerate() {
        let c = COLORS[i % COLORS.len()];
        let pts: Vec<(f64, f64)> = rows
            .iter()
            .filter(|r| r.model == *m)
            .flat_map(|r| visited(root, r))
            .collect();
        chart
            .draw_series(
                pts.iter()
                    .filter(|(_, y)| *y <= 10.0)
                    .map(|&p| Circle::new(p, 2, c.mix(0.35).filled())),
            )
            .map_err(|e| err(&e))?
            .label(*m)
            .legend(move |(x, y)| Circle::new((x, y), 4, c.filled()));
        let chosen: Vec<(f64, f64)> = rows
            .iter()
            .filter(|r| r.model == *m)
            .map(|r| (r.reduction, 100.0 * r.relative_loss))
            .collect();
        chart
            .draw_series(
                chosen
                    .into_iter()
                    .map(|p| Circle::new(p, 6, c.stroke_width(2))),
            )
            .map_err(|e| err(&e))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(|e| err(&e))?;
    drawing.present().map_err(|e| err(&e))?;
    Ok(())
}
