//! Describe: every field of one resource, scrollable.

use super::frame::frame_block;
use crate::tui::strings;
use crate::tui::theme::Theme;
use opsdeck_app::state::{AppState, Screen};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn draw(frame: &mut Frame, area: Rect, s: &mut AppState, theme: &Theme) {
    let Screen::Describe(d) = s.nav.top_mut() else {
        return;
    };
    let title = strings::describe_title(
        d.kind.title(),
        d.id.split('|').next().unwrap_or(&d.id),
        (d.scroll + 1).min(d.lines.len()),
        d.lines.len(),
    );
    let block = frame_block(title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    d.viewport = usize::from(inner.height).max(1);
    d.scroll = d.scroll.min(d.lines.len().saturating_sub(d.viewport));
    let buf = frame.buffer_mut();
    for (i, l) in d.lines.iter().skip(d.scroll).take(d.viewport).enumerate() {
        let text = theme.text(l);
        let line = match text.split_once(": ") {
            Some((k, v)) if !k.trim_start().starts_with("- ") || k.contains(':') => {
                Line::from(vec![
                    Span::styled(format!("{k}:"), theme.key()),
                    Span::raw(format!(" {v}")),
                ])
            }
            _ => match text.strip_suffix(':') {
                Some(k) => Line::from(Span::styled(format!("{k}:"), theme.key())),
                None => Line::from(text.into_owned()),
            },
        };
        buf.set_line(
            inner.x + 1,
            inner.y + i as u16,
            &line,
            inner.width.saturating_sub(1),
        );
    }
}
