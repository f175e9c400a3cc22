//! The one generic resource table. It draws any `TableModel` from the column declarations in
//! the app crate's `resources/columns.rs`: only the rows on screen are formatted, so a frame costs
//! the same at 100 rows and at 100,000.

use crate::tui::strings;
use crate::tui::theme::Theme;
use opsdeck_app::resources::CellCtx;
use opsdeck_app::state::TableView;
use opsdeck_app::table::TableModel;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Which columns are drawn, and how wide, in `width` cells. The first column always stays; with
/// `col_offset` > 0 the columns before the scrolled-to one give way, and the scrolled-to one
/// stays too (so h/l reach every column). The others are taken by priority while their `min`
/// fits, then widened towards their preferred width by priority; what is left goes to the last
/// column drawn (descriptions, reasons). Columns keep their order on screen.
pub fn layout_columns(model: &TableModel, col_offset: usize, width: u16) -> Vec<(usize, u16)> {
    let shown: Vec<usize> = (0..model.ncols()).filter(|&c| model.shown(c)).collect();
    let Some(&first) = shown.first() else {
        return Vec::new();
    };
    if width == 0 {
        return Vec::new();
    }
    let rest = &shown[1..];
    let rest = &rest[col_offset.min(rest.len().saturating_sub(1))..];
    let want = |c: usize| {
        model
            .widths
            .get(c)
            .copied()
            .unwrap_or(10)
            .max(model.titles[c].chars().count() as u16)
    };
    let min = |c: usize| model.mins.get(c).copied().unwrap_or(4).clamp(1, want(c));
    let prio = |c: usize| model.priorities.get(c).copied().unwrap_or(u8::MAX);
    // Who is in: the first column, the scrolled-to one, then by priority (ties: left first).
    let mut chosen: Vec<usize> = vec![first];
    let mut used = min(first).min(width);
    let mut candidates: Vec<usize> = rest.to_vec();
    if col_offset > 0
        && let Some(&anchor) = rest.first()
    {
        candidates.retain(|&c| c != anchor);
        if used + 1 + min(anchor) <= width {
            chosen.push(anchor);
            used += 1 + min(anchor);
        }
    }
    candidates.sort_by_key(|&c| (prio(c), c));
    for c in candidates {
        if used + 1 + min(c) <= width {
            chosen.push(c);
            used += 1 + min(c);
        }
    }
    chosen.sort_unstable();
    // How wide: the minimum, then towards the preferred width, the most important first.
    let mut widths: Vec<(usize, u16)> = chosen.iter().map(|&c| (c, min(c))).collect();
    if widths.len() == 1 {
        widths[0].1 = width;
        return widths;
    }
    let mut spare = width.saturating_sub(used);
    let mut by_prio: Vec<usize> = (0..widths.len()).collect();
    by_prio.sort_by_key(|&i| (prio(widths[i].0), widths[i].0));
    for i in by_prio {
        let grow = want(widths[i].0).saturating_sub(widths[i].1).min(spare);
        widths[i].1 += grow;
        spare -= grow;
    }
    if let Some(last) = widths.last_mut() {
        last.1 += spare;
    }
    widths
}

/// Spans of `text` with every occurrence of the needles highlighted.
pub fn highlight<'a>(text: &'a str, needles: &[&str], base: Style, hit: Style) -> Line<'a> {
    if needles.is_empty() || text.is_empty() {
        return Line::from(Span::styled(text, base));
    }
    let lower = text.to_lowercase();
    if lower.len() != text.len() {
        return Line::from(Span::styled(text, base));
    }
    let mut marks = vec![false; text.len()];
    for n in needles.iter().filter(|n| !n.is_empty()) {
        let mut from = 0;
        while let Some(i) = lower[from..].find(n) {
            let s = from + i;
            for m in &mut marks[s..s + n.len()] {
                *m = true;
            }
            from = s + n.len().max(1);
        }
    }
    let mut spans = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let on = marks[start];
        let mut end = start;
        while end < text.len() && marks[end] == on {
            end += 1;
        }
        while !text.is_char_boundary(end) {
            end += 1;
        }
        spans.push(Span::styled(
            &text[start..end],
            if on { base.patch(hit) } else { base },
        ));
        start = end;
    }
    Line::from(spans)
}

/// Draws the table of `view` into `area` (no border: the caller's block surrounds it). Records the
/// viewport size and first row position in the view, for paging and mouse clicks.
pub fn render(
    buf: &mut Buffer,
    area: Rect,
    view: &mut TableView,
    ctx: &dyn CellCtx,
    theme: &Theme,
) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    view.viewport = usize::from(area.height.saturating_sub(1)).max(1);
    view.first_row_y = area.y + 1;
    view.scroll_into_view();
    let Some(model) = view.model.as_ref() else {
        return;
    };
    let cols = layout_columns(model, view.col_offset, area.width);
    let sort = model.sort();
    // Header.
    let mut x = area.x;
    for (i, &(c, w)) in cols.iter().enumerate() {
        if i > 0 {
            x += 1;
        }
        let mut title = model.titles[c].clone();
        if let Some(s) = sort
            && s.col == c
        {
            title.push_str(if s.descending { "↓" } else { "↑" });
        }
        let title = theme.text(&title);
        buf.set_stringn(
            x,
            area.y,
            title.as_ref(),
            usize::from(w),
            theme.column_header(),
        );
        x += w;
    }
    if model.is_empty() {
        if area.height > 1 {
            let msg = if model.total() == 0 {
                strings::NOTHING_HERE
            } else {
                strings::NO_ROWS_MATCH
            };
            buf.set_stringn(
                area.x,
                area.y + 1,
                msg,
                usize::from(area.width),
                theme.dim(),
            );
        }
        return;
    }
    let filter = model.filter();
    let end = (view.offset + view.viewport).min(model.len());
    for (line_no, pos) in (view.offset..end).enumerate() {
        let Some(row) = model.row(pos) else {
            break;
        };
        let y = area.y + 1 + line_no as u16;
        let mut x = area.x;
        for (i, &(c, w)) in cols.iter().enumerate() {
            if i > 0 {
                x += 1;
            }
            let raw = model.cell(ctx, row, c);
            let text = theme.text(&raw);
            let needles: Vec<&str> = if filter.inverse {
                Vec::new()
            } else {
                filter
                    .terms
                    .iter()
                    .filter(|t| t.col.is_none_or(|tc| tc == c))
                    .map(|t| t.needle.as_str())
                    .collect()
            };
            let base = theme.value(&model.titles[c], &raw);
            let line = highlight(text.as_ref(), &needles, base, theme.matched());
            buf.set_line(x, y, &line, w);
            // A cut cell says so: its last visible character becomes an ellipsis.
            if w > 0
                && line.width() > usize::from(w)
                && let Some(cell) = buf.cell_mut((x + w - 1, y))
            {
                cell.set_symbol(theme.ellipsis());
            }
            x += w;
        }
        if pos == view.selected {
            buf.set_style(Rect::new(area.x, y, area.width, 1), theme.selected());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsdeck_app::resources::{IndexedCtx, InvIndex, ResourceKind};
    use ratatui::style::Modifier;

    /// The instances table of two regions (so with a REGION column), 20 rows.
    fn instances() -> TableModel {
        let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let inv = opsdeck_app::sample::inventory(20, &["us-east-1", "ap-southeast-2"], now);
        let index = InvIndex::build(&inv);
        let ctx = IndexedCtx {
            inv: &inv,
            index: &index,
            now,
        };
        TableModel::build(ResourceKind::Instances, &ctx, (0..20).collect(), true)
    }

    fn titles(m: &TableModel, cols: &[(usize, u16)]) -> Vec<String> {
        cols.iter().map(|&(c, _)| m.titles[c].clone()).collect()
    }

    /// Columns, gaps included, never overflow, and none is drawn below its minimum.
    fn check_fits(m: &TableModel, cols: &[(usize, u16)], width: u16) {
        let total: u16 = cols.iter().map(|&(_, w)| w).sum::<u16>() + cols.len() as u16 - 1;
        assert_eq!(total, width, "the row is filled exactly: {cols:?}");
        for &(c, w) in cols {
            assert!(w >= m.mins[c].min(width), "{} at {w}", m.titles[c]);
        }
    }

    #[test]
    fn at_80_columns_instances_keep_checks_cpu_and_events() {
        let m = instances();
        let cols = layout_columns(&m, 0, 78);
        check_fits(&m, &cols, 78);
        assert_eq!(
            titles(&m, &cols),
            ["ID", "NAME", "STATE", "CHECKS", "CPU", "EVENT"],
            "lower-priority columns give way, in order"
        );
    }

    #[test]
    fn at_160_columns_every_instance_column_is_readable() {
        let m = instances();
        let cols = layout_columns(&m, 0, 158);
        check_fits(&m, &cols, 158);
        assert_eq!(cols.len(), m.ncols(), "{:?}", titles(&m, &cols));
        let region = cols.last().unwrap();
        assert_eq!(m.titles[region.0], "REGION");
        assert!(region.1 >= 12, "REGION is {} wide", region.1);
    }

    #[test]
    fn scrolling_reaches_every_hidden_column() {
        let m = instances();
        for width in [40u16, 60, 78] {
            let mut seen = std::collections::BTreeSet::new();
            for offset in 0..m.ncols() - 1 {
                let cols = layout_columns(&m, offset, width);
                assert_eq!(cols[0].0, 0, "the first column stays");
                check_fits(&m, &cols, width);
                seen.extend(cols.iter().map(|&(c, _)| c));
            }
            assert_eq!(seen.len(), m.ncols(), "{width}: {seen:?}");
        }
    }

    #[test]
    fn a_scoped_table_drops_the_column_naming_its_scope() {
        let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let inv = opsdeck_app::sample::inventory(6, &["us-east-1", "eu-west-1"], now);
        let index = InvIndex::build(&inv);
        let ctx = IndexedCtx {
            inv: &inv,
            index: &index,
            now,
        };
        let n = inv.target_health.len() as u32;
        let mut m = TableModel::build(ResourceKind::Targets, &ctx, (0..n).collect(), true);
        assert_eq!(titles(&m, &layout_columns(&m, 0, 200))[0], "TARGET GROUP");
        m.hide_scope_columns();
        let cols = titles(&m, &layout_columns(&m, 0, 78));
        assert_eq!(cols, ["TARGET", "NAME", "PORT", "AZ", "STATE", "REASON"]);
    }

    #[test]
    fn highlight_marks_every_occurrence() {
        let hit = Style::new().add_modifier(Modifier::BOLD);
        let l = highlight("web-1 Web", &["web"], Style::new(), hit);
        let parts: Vec<(&str, bool)> = l
            .spans
            .iter()
            .map(|s| (s.content.as_ref(), s.style == hit))
            .collect();
        assert_eq!(parts, vec![("web", true), ("-1 ", false), ("Web", true)]);
    }
}
