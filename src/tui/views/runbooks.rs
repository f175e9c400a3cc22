//! The lists that lead to the runbook screen: the runbooks that apply, and the journal's runs.

use super::frame::frame_block;
use crate::tui::strings;
use crate::tui::theme::Theme;
use opsdeck_app::runbook_screen::ListView;
use opsdeck_app::state::{AppState, Screen};
use opsdeck_app::strings::BACK_MARK;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Fits the list's viewport to `area` and keeps the selection in it; returns the rows to draw.
fn fit(list: &mut ListView, area: Rect, len: usize) -> std::ops::Range<usize> {
    list.viewport = usize::from(area.height).max(1);
    list.first_y = area.y;
    list.move_by(0, len);
    list.offset..(list.offset + list.viewport).min(len)
}

fn row(buf: &mut Buffer, area: Rect, y: u16, line: Line, selected: bool, theme: &Theme) {
    buf.set_line(area.x + 1, y, &line, area.width.saturating_sub(1));
    if selected {
        buf.set_style(Rect::new(area.x, y, area.width, 1), theme.selected());
    }
}

pub fn draw_chooser(frame: &mut Frame, area: Rect, s: &mut AppState, theme: &Theme) {
    let Screen::Runbooks(c) = s.nav.top_mut() else {
        return;
    };
    let block = frame_block(strings::chooser_title(&c.title), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lw = c
        .items
        .iter()
        .map(|i| i.label.chars().count())
        .max()
        .unwrap_or(10)
        .min(36);
    let rows = fit(&mut c.list, inner, c.items.len());
    let buf = frame.buffer_mut();
    for (n, i) in rows.enumerate() {
        let item = &c.items[i];
        let (ls, ds) = if item.request.is_some() || item.label.starts_with(BACK_MARK) {
            (theme.key(), Style::new())
        } else {
            (theme.dim(), theme.dim())
        };
        let line = Line::from(vec![
            Span::styled(theme.text(&format!("{:<lw$}", item.label)).into_owned(), ls),
            Span::raw("  "),
            Span::styled(theme.text(&item.detail).into_owned(), ds),
        ]);
        row(
            buf,
            inner,
            inner.y + n as u16,
            line,
            i == c.list.selected,
            theme,
        );
    }
}

pub fn draw_runs(frame: &mut Frame, area: Rect, s: &mut AppState, theme: &Theme) {
    let (loaded, n) = (s.runs.loaded, s.runs.list.len());
    let Screen::Runs(v) = s.nav.top_mut() else {
        return;
    };
    let block = frame_block(strings::runs_title(n), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 2 {
        return;
    }
    let buf = frame.buffer_mut();
    let header = strings::runs_header();
    buf.set_stringn(
        inner.x + 1,
        inner.y,
        &header,
        usize::from(inner.width.saturating_sub(1)),
        theme.column_header(),
    );
    let confirm = v.confirm_abandon.clone();
    let list_area = Rect::new(
        inner.x,
        inner.y + 1,
        inner.width,
        inner.height - 1 - u16::from(confirm.is_some()),
    );
    if !loaded || n == 0 {
        let msg = if loaded {
            strings::NO_RUNS_YET
        } else {
            strings::READING_THE_JOURNAL
        };
        buf.set_stringn(
            list_area.x + 1,
            list_area.y,
            msg,
            usize::from(list_area.width),
            theme.dim(),
        );
        return;
    }
    let rows = fit(&mut v.list, list_area, n);
    let selected = v.list.selected;
    for (k, i) in rows.enumerate() {
        let r = &s.runs.list[i];
        let style = match r.status {
            Some(st) if st.is_open() => theme.warn(),
            Some(_) => Style::new(),
            None => theme.bad(),
        };
        let started = r
            .started_at
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let text = format!(
            "{:<44} {:<22} {:<11} {:>2}/{:<2}  {:<16}  {}",
            r.run_id,
            r.runbook,
            r.status_text(),
            r.done,
            r.steps,
            started,
            strings::run_row_tail(
                &r.called_text(),
                &r.outputs_text(),
                r.note.as_deref().unwrap_or("")
            )
        );
        let line = Line::from(Span::styled(theme.text(&text).into_owned(), style));
        row(
            buf,
            list_area,
            list_area.y + k as u16,
            line,
            i == selected,
            theme,
        );
    }
    if let Some(id) = confirm {
        buf.set_stringn(
            inner.x + 1,
            inner.y + inner.height - 1,
            strings::confirm_abandon(&id),
            usize::from(inner.width.saturating_sub(1)),
            theme.warn(),
        );
    }
}
