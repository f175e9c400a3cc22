//! The AZ map: one column per availability zone; left/right moves between zones when they do not
//! all fit, j/k scrolls every column.

use super::frame::{frame_block, waiting};
use crate::tui::strings;
use crate::tui::theme::Theme;
use opsdeck_app::state::{AppState, Screen};
use opsdeck_core::domain::ZoneState;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

const MIN_COL: u16 = 30;

pub fn draw(frame: &mut Frame, area: Rect, s: &mut AppState, theme: &Theme) {
    let wait = waiting(s);
    let Screen::AzMap(m) = s.nav.top_mut() else {
        return;
    };
    let n = m.columns.len();
    let fit = usize::from((area.width.saturating_sub(2) / MIN_COL).max(1)).min(n.max(1));
    let first = if m.selected < fit {
        0
    } else {
        m.selected + 1 - fit
    };
    let more = if fit < n {
        strings::showing_zones(first + 1, first + fit)
    } else {
        String::new()
    };
    let block = frame_block(strings::az_map_title(n, &more), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(msg) = wait {
        frame.buffer_mut().set_stringn(
            inner.x + 1,
            inner.y,
            msg,
            usize::from(inner.width),
            theme.dim(),
        );
        return;
    }
    if m.columns.is_empty() {
        frame.buffer_mut().set_stringn(
            inner.x + 1,
            inner.y,
            strings::NO_ZONES,
            usize::from(inner.width),
            theme.dim(),
        );
        return;
    }
    let col_w = inner.width / fit as u16;
    m.viewport = usize::from(inner.height.saturating_sub(2)).max(1);
    for (slot, col) in m.columns.iter().enumerate().skip(first).take(fit) {
        let x = inner.x + (slot - first) as u16 * col_w;
        let w = if slot - first == fit - 1 {
            inner.width - (slot - first) as u16 * col_w
        } else {
            col_w
        };
        let r = Rect::new(x, inner.y, w, inner.height);
        let state_style = match col.state {
            ZoneState::Available | ZoneState::Information => theme.good(),
            ZoneState::Unknown => theme.dim(),
            _ => theme.bad(),
        };
        let mut title = vec![
            Span::styled(format!(" {} ", col.az), theme.title()),
            Span::styled(format!("{} ", col.state.as_str()), state_style),
        ];
        // The same number as the column's "Findings" section and `:findings` for the zone.
        if col.findings > 0 {
            title.push(Span::styled(format!("⚠{} ", col.findings), theme.bad()));
        }
        let title: Vec<Span> = title
            .into_iter()
            .map(|sp| Span::styled(theme.text(&sp.content).into_owned(), sp.style))
            .collect();
        let mut b = Block::bordered()
            .border_set(theme.border_set())
            .border_style(theme.dim())
            .title(Line::from(title));
        if slot == m.selected {
            b = b.border_style(theme.frame());
        }
        let ci = b.inner(r);
        frame.render_widget(b, r);
        let buf = frame.buffer_mut();
        for (i, l) in col
            .lines
            .iter()
            .skip(m.scroll)
            .take(usize::from(ci.height))
            .enumerate()
        {
            let t = theme.text(&l.text);
            buf.set_stringn(
                ci.x,
                ci.y + i as u16,
                t.as_ref(),
                usize::from(ci.width),
                theme.level(l.level),
            );
        }
    }
}
