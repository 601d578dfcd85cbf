//! The dashboard's charts as SVG, drawn by `plotters` (text as `<text>`, escaped; colours
//! as attributes, so the page's strict style policy holds). Each chart gets its labels
//! already in the reader's language and its numbers as the table below it shows them; the
//! SVG is a picture of the table, never the only place a figure is. The same SVG goes into
//! the monthly report.

use plotters::coord::Shift;
use plotters::prelude::*;

/// Bars, areas and lines in the office's blue; the heat map from white to it.
const INK: RGBColor = RGBColor(0x1f, 0x4e, 0x79);
const GRID: RGBColor = RGBColor(0xd9, 0xd9, 0xd9);
const FONT: &str = "sans-serif";

/// A chart ready for the page: its SVG and the title it is labelled with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    pub title: String,
    pub svg: String,
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Draws with `draw` on a `width` × `height` canvas; a drawing error leaves the chart empty
/// (the table below it still holds every number).
fn drawn(
    title: &str,
    width: u32,
    height: u32,
    draw: impl FnOnce(&Area) -> Result<(), String>,
) -> Chart {
    let mut svg = String::new();
    let result = {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE)
            .map_err(|e| e.to_string())
            .and_then(|()| draw(&root))
            .and_then(|()| root.present().map_err(|e| e.to_string()))
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, chart = title, "a chart could not be drawn");
        svg.clear();
    }
    Chart {
        title: title.to_owned(),
        svg: labelled(&svg, title),
    }
}

/// The SVG as an image with its title for assistive technology, sized by its container.
fn labelled(svg: &str, title: &str) -> String {
    let Some(start) = svg.find("<svg") else {
        return String::new();
    };
    let mut escaped = String::new();
    for c in title.chars() {
        match c {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            '"' => escaped.push_str("&quot;"),
            other => escaped.push(other),
        }
    }
    format!(
        "<svg role=\"img\" aria-label=\"{escaped}\" class=\"chart\"{}",
        &svg[start + "<svg".len()..]
    )
}

/// Horizontal bars, one per label, longest label area on the left.
pub fn bars(title: &str, items: &[(String, f64)], percent: bool) -> Chart {
    let rows = items.len().max(1);
    let height = u32::try_from(60 + rows * 28).unwrap_or(600).min(900);
    // Counts on whole ticks (one more than the largest), shares from 0 to 100%.
    let max = if percent {
        100.0
    } else {
        items.iter().map(|(_, v)| *v).fold(1.0, f64::max).ceil() + 1.0
    };
    let ticks = if percent {
        11
    } else {
        (max as usize + 1).min(11)
    };
    let label_width = items
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(4);
    let label_area = u32::try_from(label_width * 7 + 16).unwrap_or(200).min(320);
    drawn(title, 720, height, |root| {
        let n = i32::try_from(items.len()).unwrap_or(0).max(1);
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .margin_right(28)
            .x_label_area_size(28)
            .y_label_area_size(label_area)
            .build_cartesian_2d(0.0..max, (0..n).into_segmented())
            .map_err(|e| e.to_string())?;
        let label_of = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => usize::try_from(n - 1 - *i)
                .ok()
                .and_then(|i| items.get(i))
                .map(|(l, _)| l.clone())
                .unwrap_or_default(),
            SegmentValue::Last => String::new(),
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .bold_line_style(GRID)
            .light_line_style(WHITE)
            .y_labels(items.len().max(1))
            .y_label_formatter(&label_of)
            .x_labels(ticks)
            .x_label_formatter(&|v| whole_tick(*v, percent))
            .label_style((FONT, 13))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(items.iter().enumerate().map(|(i, (_, value))| {
                let row = n - 1 - i32::try_from(i).unwrap_or(0);
                let value = if percent { value * 100.0 } else { *value };
                let mut bar = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(row)),
                        (value, SegmentValue::Exact(row + 1)),
                    ],
                    INK.filled(),
                );
                // A gap between the bars, so that equal bars do not read as one block.
                bar.set_margin(4, 4, 0, 0);
                bar
            }))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// A tick's label: whole numbers only (no "0, 0, 1, 1" for a small count).
fn whole_tick(v: f64, percent: bool) -> String {
    if (v - v.round()).abs() > 1e-6 {
        return String::new();
    }
    if percent {
        format!("{v:.0}%")
    } else {
        format!("{v:.0}")
    }
}

/// A line of counts per period point (reports per week), with its points marked.
pub fn trend(title: &str, points: &[(String, i64)]) -> Chart {
    drawn(title, 720, 280, |root| {
        let n = i32::try_from(points.len()).unwrap_or(0).max(1);
        let max = points.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
        let top = i64::try_from((max as f64 * 1.15).ceil() as i128)
            .unwrap_or(max)
            .max(max + 1);
        // The last point's label is centred on the right edge: room for its half.
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .margin_right(36)
            .x_label_area_size(32)
            .y_label_area_size(44)
            .build_cartesian_2d(0..n - 1, 0..top)
            .map_err(|e| e.to_string())?;
        let every = usize::try_from(n).unwrap_or(1).div_ceil(12).max(1);
        chart
            .configure_mesh()
            .bold_line_style(GRID)
            .light_line_style(WHITE)
            .x_labels(usize::try_from(n).unwrap_or(1).min(12))
            .x_label_formatter(&|x| {
                usize::try_from(*x)
                    .ok()
                    .filter(|i| i % every == 0)
                    .and_then(|i| points.get(i))
                    .map(|(l, _)| l.clone())
                    .unwrap_or_default()
            })
            .y_label_formatter(&|y| y.to_string())
            .label_style((FONT, 13))
            .draw()
            .map_err(|e| e.to_string())?;
        let series = points
            .iter()
            .enumerate()
            .map(|(i, (_, v))| (i32::try_from(i).unwrap_or(0), *v));
        chart
            .draw_series(LineSeries::new(series.clone(), INK.stroke_width(2)))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(series.map(|p| Circle::new(p, 3, INK.filled())))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// A heat map of counts: `columns` across, `rows` down, darker for more.
pub fn heat(
    title: &str,
    columns: &[String],
    rows: &[String],
    cells: &[(usize, usize, i64)],
) -> Chart {
    let height = u32::try_from(80 + rows.len().max(1) * 26)
        .unwrap_or(600)
        .min(900);
    drawn(title, 720, height, |root| {
        let (w, h) = (
            i32::try_from(columns.len()).unwrap_or(0).max(1),
            i32::try_from(rows.len()).unwrap_or(0).max(1),
        );
        let max = cells.iter().map(|c| c.2).max().unwrap_or(0).max(1);
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(110)
            .build_cartesian_2d((0..w).into_segmented(), (0..h).into_segmented())
            .map_err(|e| e.to_string())?;
        let name = |list: &[String], v: &SegmentValue<i32>, flip: bool| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                let i = if flip { h - 1 - *i } else { *i };
                usize::try_from(i)
                    .ok()
                    .and_then(|i| list.get(i))
                    .cloned()
                    .unwrap_or_default()
            }
            SegmentValue::Last => String::new(),
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(columns.len().max(1))
            .y_labels(rows.len().max(1))
            .x_label_formatter(&|v| name(columns, v, false))
            .y_label_formatter(&|v| name(rows, v, true))
            .label_style((FONT, 12))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(cells.iter().filter(|c| c.2 > 0).map(|(x, y, count)| {
                let (x, y) = (
                    i32::try_from(*x).unwrap_or(0),
                    h - 1 - i32::try_from(*y).unwrap_or(0),
                );
                let strength = 0.15 + 0.85 * (*count as f64 / max as f64);
                Rectangle::new(
                    [
                        (SegmentValue::Exact(x), SegmentValue::Exact(y)),
                        (SegmentValue::Exact(x + 1), SegmentValue::Exact(y + 1)),
                    ],
                    INK.mix(strength).filled(),
                )
            }))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_labelled_svg_with_their_text_escaped() {
        let chart = bars(
            "Laporan <per> instansi",
            &[
                ("DISKOMINFO".into(), 4.0),
                ("<script>alert(1)</script>".into(), 2.0),
            ],
            false,
        );
        assert!(
            chart
                .svg
                .starts_with("<svg role=\"img\" aria-label=\"Laporan &lt;per&gt; instansi\""),
            "{}",
            chart.svg
        );
        assert!(chart.svg.contains("DISKOMINFO"));
        assert!(!chart.svg.contains("<script>"));
        assert!(chart.svg.contains("&lt;script&gt;"));
        assert!(
            !chart.svg.contains("style="),
            "no style attributes: the page's CSP forbids them"
        );
        // Two bars: two filled rectangles of the ink colour.
        assert_eq!(
            chart.svg.matches("fill=\"#1F4E79\"").count(),
            2,
            "{}",
            chart.svg
        );
        let line = trend(
            "Tren",
            &[
                ("1 Nov".into(), 1),
                ("8 Nov".into(), 3),
                ("15 Nov".into(), 0),
            ],
        );
        assert!(
            line.svg.contains("<polyline") || line.svg.contains("<path"),
            "{}",
            line.svg
        );
        assert_eq!(line.svg.matches("<circle").count(), 3);
        let map = heat(
            "Peta",
            &["A01".into(), "A03".into()],
            &["DINKES".into()],
            &[(1, 0, 2), (0, 0, 0)],
        );
        assert_eq!(
            map.svg.matches("<rect").count() - 1,
            1,
            "one cell besides the background"
        );
    }
}
