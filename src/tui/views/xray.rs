//! Xray: an instance and everything related to it; enter follows a line, esc comes back.

use super::frame::{frame_block, waiting};
use crate::tui::strings;
use crate::tui::theme::Theme;
use opsdeck_app::state::{AppState, Screen};
use ratatui::Frame;
use ratatui::layout::Rect;

pub fn draw(frame: &mut Frame, area: Rect, s: &mut AppState, theme: &Theme) {
    let wait = waiting(s);
    let Screen::Xray(x) = s.nav.top_mut() else {
        return;
    };
    let block = frame_block(strings::xray_title(&x.subject), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let buf = frame.buffer_mut();
    if let Some(msg) = wait {
        buf.set_stringn(
            inner.x + 1,
            inner.y,
            msg,
            usize::from(inner.width),
            theme.dim(),
        );
        return;
    }
    x.viewport = usize::from(inner.height).max(1);
    x.first_y = inner.y;
    if x.selected >= x.offset + x.viewport {
        x.offset = x.selected + 1 - x.viewport;
    }
    for (i, item) in x.items.iter().enumerate().skip(x.offset).take(x.viewport) {
        let y = inner.y + (i - x.offset) as u16;
        let marker = if item.target.is_some() { "› " } else { "  " };
        let text = format!(
            "{}{}{}",
            "  ".repeat(usize::from(item.depth)),
            marker,
            item.text
        );
        let text = theme.text(&text);
        let mut style = theme.level(item.level);
        if i == x.selected {
            style = style.patch(theme.selected());
        }
        buf.set_stringn(
            inner.x + 1,
            y,
            text.as_ref(),
            usize::from(inner.width.saturating_sub(1)),
            style,
        );
        if i == x.selected {
            buf.set_style(Rect::new(inner.x, y, inner.width, 1), theme.selected());
        }
    }
}
