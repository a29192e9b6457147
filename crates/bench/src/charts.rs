//! The SVG charts of the report, drawn with plotters' SVG backend only.
//!
//! plotters is built without its `ttf` feature, so it never looks for system fonts: text is written
//! as SVG `<text>` elements (sized by plotters' built-in estimate) and the browser renders it.
//!
//! A mount's colour is its place in the run's list, not its name: the mounts a user logs in to
//! take the palette in the list's order, the baseline is grey, and the JWT denylist (a variant of
//! a mount, not a mount) has a colour of its own. A new mount gets the next colour, and a mount
//! keeps its colour from chart to chart.

use std::path::Path;

use authlab_core::StateHome;
use plotters::prelude::*;

use crate::{mounts::MountList, results::spread, Results};

pub const NAMES: [&str; 4] = ["memory.svg", "throughput.svg", "latency.svg", "fault.svg"];

/// Drawn for a laptop column and still legible scaled down to a phone: a narrower canvas with
/// larger type (labels 16 px, scaled by half on a 390 px screen, stay readable).
const SIZE: (u32, u32) = (640, 420);
const CAPTION: (&str, u32) = ("sans-serif", 22);
const LABELS: (&str, u32) = ("sans-serif", 16);

/// The login mounts' colours, in the list's order (repeating past the end).
const PALETTE: [RGBColor; 6] = [
    RGBColor(0xc0, 0x39, 0x2b),
    RGBColor(0xd6, 0x8a, 0x00),
    RGBColor(0x1f, 0x6f, 0xb5),
    RGBColor(0x2e, 0x8b, 0x57),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0x17, 0xa2, 0xb8),
];
/// The baseline, and anything that is not a login mount.
const NEUTRAL: RGBColor = RGBColor(0x55, 0x55, 0x55);
const DENYLIST: RGBColor = RGBColor(0x6a, 0x3d, 0x9a);

/// The colour of the mount with this slug.
fn colour(mounts: MountList, slug: &str) -> RGBColor {
    mounts
        .login_position(slug)
        .map_or(NEUTRAL, |i| PALETTE[i % PALETTE.len()])
}

/// Which charts a run of these results writes.
pub fn written(results: &Results) -> Vec<&'static str> {
    let mut names = Vec::new();
    if results.memory.is_some() {
        names.push("memory.svg");
    }
    if results.throughput.is_some() {
        names.extend(["throughput.svg", "latency.svg"]);
    }
    if results.fault.is_some() {
        names.push("fault.svg");
    }
    names
}

/// A line or a bar: its label, its colour, its values.
type Series = (String, RGBColor, Vec<f64>);

pub fn write_all(results: &Results, mounts: MountList, dir: &Path) -> anyhow::Result<()> {
    if let Some(memory) = &results.memory {
        let xs: Vec<f64> = memory.rows.iter().map(|r| r.users as f64).collect();
        // A line per mount the memory scenario measured, from the store its logins live in.
        let mut series: Vec<Series> = mounts
            .login()
            .filter(|m| {
                results
                    .mounts
                    .get(m.slug.as_str())
                    .is_some_and(|f| f.server_bytes_per_user.is_some())
            })
            .map(|m| {
                let bytes = memory
                    .rows
                    .iter()
                    .map(|r| match m.home {
                        StateHome::Redis => r.redis_bytes_per_user * r.users as f64,
                        StateHome::Process => r.in_process_bytes_per_user * r.users as f64,
                        StateHome::Client | StateHome::Nowhere => 0.0,
                    })
                    .collect();
                (m.slug.prefix(), colour(mounts, m.slug.as_str()), bytes)
            })
            .collect();
        if let Some(token) = mounts.home(StateHome::Client) {
            series.push((
                format!("{} + denylist", token.slug.prefix()),
                DENYLIST,
                memory
                    .rows
                    .iter()
                    .map(|r| r.jwt_denylist_bytes_per_entry * r.users as f64)
                    .collect(),
            ));
        }
        for (_, _, bytes) in &mut series {
            for b in bytes.iter_mut() {
                *b /= 1024.0 * 1024.0;
            }
        }
        memory_chart(&dir.join("memory.svg"), &xs, &series).map_err(chart_error)?;
    }
    if let Some(t) = &results.throughput {
        let row_colour = |r: &crate::results::ThroughputRow| {
            if r.variant.is_some() {
                DENYLIST
            } else {
                colour(mounts, &r.mount)
            }
        };
        let bars: Vec<Bar> = t
            .rows
            .iter()
            .map(|r| Bar {
                label: r.label(),
                colour: row_colour(r),
                value: r.rps,
                range: spread(&r.rps_rounds),
            })
            .collect();
        bar_chart(
            &dir.join("throughput.svg"),
            "Maximum throughput, GET /{b}/api/me (closed loop)",
            "requests per second",
            &bars,
        )
        .map_err(chart_error)?;
        let lines: Vec<Series> = t
            .rows
            .iter()
            .map(|r| {
                (
                    r.label(),
                    row_colour(r),
                    vec![r.p50_us as f64, r.p99_us as f64, r.p999_us as f64],
                )
            })
            .collect();
        // The p50 and p99 of each round: their range is the error bar (p99.9 has too few samples
        // per round to have one).
        let as_f64 = |v: &[u64]| spread(v).map(|(lo, hi)| (lo as f64, hi as f64));
        let ranges: Vec<Vec<Option<(f64, f64)>>> = t
            .rows
            .iter()
            .map(|r| vec![as_f64(&r.p50_us_rounds), as_f64(&r.p99_us_rounds), None])
            .collect();
        category_lines(
            &dir.join("latency.svg"),
            &format!("Latency at {:.0} req/s offered (open loop)", t.offered_rate),
            "latency from the due time (log scale)",
            &["p50", "p99", "p99.9"],
            &lines,
            &ranges,
            true,
        )
        .map_err(chart_error)?;
    }
    if let Some(f) = &results.fault {
        let phases: Vec<&str> = f.phases.iter().map(|p| p.name.as_str()).collect();
        let groups: Vec<Series> = mounts
            .measured()
            .map(|m| {
                let slug = m.slug.as_str();
                let rates = f
                    .phases
                    .iter()
                    .map(|p| p.per_mount.get(slug).map_or(0.0, |c| c.error_rate * 100.0))
                    .collect();
                (format!("/{slug}"), colour(mounts, slug), rates)
            })
            .collect();
        grouped_bars(
            &dir.join("fault.svg"),
            "Errors per phase: Redis up, down, up again",
            "% of requests not answered 200",
            &phases,
            &groups,
        )
        .map_err(chart_error)?;
    }
    Ok(())
}

fn chart_error(err: Box<dyn std::error::Error + '_>) -> anyhow::Error {
    anyhow::anyhow!("drawing a chart failed: {err}")
}

type DrawResult<'a> = Result<(), Box<dyn std::error::Error + 'a>>;

/// Each mount's line: a stroke, a dot on every measured point, and an entry in the legend box.
fn draw_lines<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    lines: impl IntoIterator<Item = (String, RGBColor, Vec<(f64, f64)>)>,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    for (label, style, points) in lines {
        chart
            .draw_series(LineSeries::new(points.clone(), style.stroke_width(2)))?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], style.stroke_width(2))
            });
        chart.draw_series(
            points
                .into_iter()
                .map(|p| Circle::new(p, 4, style.filled())),
        )?;
    }
    chart
        .configure_series_labels()
        .label_font(LABELS)
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
}

fn memory_chart<'a>(path: &'a Path, xs: &[f64], series: &[Series]) -> DrawResult<'a> {
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let x_min = xs.iter().copied().fold(f64::INFINITY, f64::min).max(1.0);
    let x_max = xs.iter().copied().fold(0.0, f64::max).max(x_min * 10.0);
    let y_max = series
        .iter()
        .flat_map(|(_, _, ys)| ys.iter().copied())
        .fold(0.0, f64::max)
        .max(0.001)
        * 1.15;
    let mut chart = ChartBuilder::on(&root)
        .caption("Server memory against logged-in users", CAPTION)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d((x_min * 0.8..x_max * 1.25).log_scale(), 0.0..y_max)?;
    chart
        .configure_mesh()
        .x_desc("logged-in users (log scale)")
        .y_desc("MiB held by the server")
        .label_style(LABELS)
        .axis_desc_style(LABELS)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .draw()?;
    draw_lines(
        &mut chart,
        series.iter().map(|(name, colour, ys)| {
            let points = xs.iter().copied().zip(ys.iter().copied()).collect();
            (name.clone(), *colour, points)
        }),
    )?;
    root.present()?;
    Ok(())
}

/// One bar: its height, and the range (min–max over the rounds) drawn as an error bar.
struct Bar {
    label: String,
    colour: RGBColor,
    value: f64,
    range: Option<(f64, f64)>,
}

/// A vertical error bar from `lo` to `hi` at `x`, with caps `half_width` wide.
fn error_bar(x: f64, (lo, hi): (f64, f64), half_width: f64) -> PathElement<(f64, f64)> {
    PathElement::new(
        vec![
            (x - half_width, lo),
            (x + half_width, lo),
            (x, lo),
            (x, hi),
            (x - half_width, hi),
            (x + half_width, hi),
        ],
        BLACK.stroke_width(2),
    )
}

fn bar_chart<'a>(path: &'a Path, title: &str, y_desc: &str, bars: &[Bar]) -> DrawResult<'a> {
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let y_max = bars
        .iter()
        .map(|b| b.range.map_or(b.value, |(_, hi)| hi.max(b.value)))
        .fold(0.0, f64::max)
        .max(1.0)
        * 1.15;
    let n = bars.len() as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, CAPTION)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5..n - 0.5, 0.0..y_max)?;
    let names: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(bars.len())
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 0.01 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_desc(y_desc)
        .y_label_formatter(&|y| format!("{y:.0}"))
        .label_style(LABELS)
        .axis_desc_style(LABELS)
        .draw()?;
    chart.draw_series(bars.iter().enumerate().map(|(i, bar)| {
        let x = i as f64;
        Rectangle::new([(x - 0.3, 0.0), (x + 0.3, bar.value)], bar.colour.filled())
    }))?;
    chart.draw_series(
        bars.iter()
            .enumerate()
            .filter_map(|(i, bar)| bar.range.map(|range| error_bar(i as f64, range, 0.08))),
    )?;
    chart.draw_series(bars.iter().enumerate().map(|(i, bar)| {
        let top = bar.range.map_or(bar.value, |(_, hi)| hi.max(bar.value));
        Text::new(
            format!("{:.0}", bar.value),
            (i as f64 - 0.12, top + y_max * 0.07),
            ("sans-serif", 14),
        )
    }))?;
    root.present()?;
    Ok(())
}

/// A latency in µs as a short label: `850 µs`, `1.2 ms`, `35 ms`.
fn micros(us: f64) -> String {
    if us >= 10_000.0 {
        format!("{:.0} ms", us / 1000.0)
    } else if us >= 1000.0 {
        format!("{:.1} ms", us / 1000.0)
    } else {
        format!("{us:.0} µs")
    }
}

fn category_lines<'a>(
    path: &'a Path,
    title: &str,
    y_desc: &str,
    categories: &[&str],
    lines: &[Series],
    ranges: &[Vec<Option<(f64, f64)>>],
    log_y: bool,
) -> DrawResult<'a> {
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let n = categories.len() as f64;
    let y_max = lines
        .iter()
        .flat_map(|(_, _, ys)| ys.iter().copied())
        .fold(0.0, f64::max)
        .max(1.0)
        * 1.3;
    let y_min = lines
        .iter()
        .flat_map(|(_, _, ys)| ys.iter().copied())
        .fold(f64::INFINITY, f64::min)
        .max(1.0)
        * 0.7;
    let names: Vec<String> = categories.iter().map(|c| (*c).to_owned()).collect();
    let x_formatter = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 0.01 && i >= 0.0 {
            names.get(i as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    let mut builder = ChartBuilder::on(&root);
    builder
        .caption(title, CAPTION)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70);
    macro_rules! draw {
        ($chart:expr) => {{
            let mut chart = $chart;
            chart
                .configure_mesh()
                .x_labels(categories.len())
                // Few labels, each in the unit that reads best: a log axis with twelve labels
                // printed "10000" twice.
                .y_labels(10)
                .x_label_formatter(&x_formatter)
                .y_desc(y_desc)
                .y_label_formatter(&|y| micros(*y))
                .label_style(LABELS)
                .axis_desc_style(LABELS)
                .draw()?;
            draw_lines(
                &mut chart,
                lines.iter().map(|(name, colour, ys)| {
                    let points = ys
                        .iter()
                        .enumerate()
                        .map(|(i, y)| (i as f64, y.max(if log_y { 1.0 } else { 0.0 })))
                        .collect();
                    (name.clone(), *colour, points)
                }),
            )?;
            let floor = if log_y { 1.0 } else { 0.0 };
            chart.draw_series(ranges.iter().flat_map(|per_point| {
                per_point.iter().enumerate().filter_map(move |(i, range)| {
                    range.map(|(lo, hi)| error_bar(i as f64, (lo.max(floor), hi.max(floor)), 0.04))
                })
            }))?;
        }};
    }
    if log_y {
        // Labels at 1, 2 and 5 of every decade in range: plotters' own choice on a log axis left
        // whole decades unlabelled.
        let ticks: Vec<f64> = (0..8)
            .flat_map(|e| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(e)))
            .filter(|t| (y_min..=y_max).contains(t))
            .collect();
        draw!(builder.build_cartesian_2d(
            -0.3..n - 0.7,
            (y_min..y_max).log_scale().with_key_points(ticks)
        )?);
    } else {
        draw!(builder.build_cartesian_2d(-0.3..n - 0.7, 0.0..y_max.max(10.0))?);
    }
    root.present()?;
    Ok(())
}

/// A bar per mount in each phase, phases apart: a phase is its own moment, not a point on a
/// line through the others. The axis is a share of requests, so it stops at 100 %.
fn grouped_bars<'a>(
    path: &'a Path,
    title: &str,
    y_desc: &str,
    categories: &[&str],
    groups: &[Series],
) -> DrawResult<'a> {
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let n = categories.len() as f64;
    let width = 0.8 / groups.len().max(1) as f64;
    let names: Vec<String> = categories.iter().map(|c| (*c).to_owned()).collect();
    let mut chart = ChartBuilder::on(&root)
        .caption(title, CAPTION)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5..n - 0.5, 0.0..100.0)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(categories.len())
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 0.01 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_desc(y_desc)
        .y_label_formatter(&|y| format!("{y:.0} %"))
        .label_style(LABELS)
        .axis_desc_style(LABELS)
        .draw()?;
    for (g, (label, colour, values)) in groups.iter().enumerate() {
        let colour = *colour;
        let offset = -0.4 + width * (g as f64 + 0.5);
        chart
            .draw_series(values.iter().enumerate().map(move |(i, v)| {
                let x = i as f64 + offset;
                Rectangle::new(
                    [
                        (x - width * 0.45, 0.0),
                        (x + width * 0.45, v.clamp(0.0, 100.0)),
                    ],
                    colour.filled(),
                )
            }))?
            .label(label.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], colour.filled()));
    }
    chart
        .configure_series_labels()
        .label_font(LABELS)
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mounts::fixtures::{self, IN_REDIS, NONE, ON_CLIENT};

    #[test]
    fn a_mount_is_coloured_by_its_place_in_the_list_and_the_baseline_is_neutral() {
        // Arrange
        let listed = fixtures::LIST;
        let reordered = MountList::new(&[&ON_CLIENT, &NONE, &IN_REDIS]);

        // Act
        let colours = ["kept", "local", "signed", "open"].map(|slug| colour(listed, slug));
        let moved = colour(reordered, "signed");

        // Assert
        assert_eq!(colours, [PALETTE[0], PALETTE[1], PALETTE[2], NEUTRAL]);
        assert_eq!(
            moved, PALETTE[0],
            "the first login mount takes the first colour"
        );
        assert!(!PALETTE.contains(&NEUTRAL) && !PALETTE.contains(&DENYLIST));
    }
}
