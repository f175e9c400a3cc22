//! The one generic resource table. It draws any `TableModel` from the column declarations in
//! `app/resources.rs`: only the rows on screen are formatted, so a frame costs the same at 100 rows
//! and at 100,000.

use crate::app::resources::CellCtx;
use crate::app::state::TableView;
use crate::app::table::TableModel;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Which columns fit, and how wide each is drawn: the first column always, then from `col_offset`.
pub fn layout_columns(model: &TableModel, col_offset: usize, width: u16) -> Vec<(usize, u16)> {
    let mut out = Vec::new();
    let mut x: u16 = 0;
    let n = model.ncols();
    let mut complete = true;
    let order = std::iter::once(0).chain((1 + col_offset.min(n.saturating_sub(1))).max(1)..n);
    for c in order {
        let want = model
            .widths
            .get(c)
            .copied()
            .unwrap_or(10)
            .max(model.titles[c].len() as u16);
        let gap = if out.is_empty() { 0 } else { 1 };
        let left = width.saturating_sub(x + gap);
        if want > left {
            if out.is_empty() || left >= 4 {
                out.push((c, left));
            }
            complete = false;
            break;
        }
        out.push((c, want));
        x += gap + want;
    }
    // Everything fits: give what is left to the last column (descriptions, reasons).
    if complete
        && x < width
        && let Some(last) = out.last_mut()
    {
        last.1 += width - x;
    }
    out
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
                "nothing here"
            } else {
                "no rows match the filter (esc clears it)"
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
    use ratatui::style::Modifier;

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
