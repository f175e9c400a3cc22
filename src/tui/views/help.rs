//! Help, generated from the keymap in use (so remapped keys show as they are).

use super::frame::frame_block;
use crate::tui::strings;
use crate::tui::theme::Theme;
use opsdeck_app::command;
use opsdeck_app::keys::{Action, Group, Keymap};
use opsdeck_app::state::{AppState, Screen};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The help text: key bindings by group, then commands, filters and dialogs.
pub fn lines(km: &Keymap) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for g in [Group::General, Group::Move, Group::View, Group::Mutate] {
        out.push((String::new(), strings::heading(g.title())));
        for a in Action::ALL.iter().filter(|a| a.group() == g) {
            out.push((km.all(*a), a.help().to_string()));
        }
        out.push((String::new(), String::new()));
    }
    out.push((String::new(), strings::heading(strings::COMMANDS_HEADING)));
    // The command table's own lines, so help never drifts from what `:` accepts.
    for (c, h) in command::help_lines() {
        out.push((c, h.to_string()));
    }
    out.push((String::new(), String::new()));
    out.push((String::new(), strings::heading(strings::FILTER_HEADING)));
    for (c, h) in strings::FILTER_HELP {
        out.push((c.to_string(), h.to_string()));
    }
    out.push((String::new(), String::new()));
    out.push((String::new(), strings::heading(strings::CHAOS_HEADING)));
    // The simulator's own list, so help never drifts from what `:chaos` accepts.
    for l in opsdeck_sim::CHAOS_HELP.lines().skip(1) {
        out.push((String::new(), l.trim().to_string()));
    }
    out.push((String::new(), String::new()));
    out.push((
        String::new(),
        strings::heading(strings::CONFIRMATIONS_HEADING),
    ));
    let (keys, what) = strings::CONFIRMATIONS_HELP;
    out.push((keys.into(), what.into()));
    out
}

pub fn draw(frame: &mut Frame, area: Rect, s: &mut AppState, theme: &Theme) {
    let text = lines(&s.prefs.keymap);
    let Screen::Help(h) = s.nav.top_mut() else {
        return;
    };
    let block = frame_block(strings::HELP_TITLE.into(), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    h.viewport = usize::from(inner.height).max(1);
    h.scroll = h.scroll.min(text.len().saturating_sub(h.viewport));
    let kw = text
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(10)
        .min(28) as u16;
    let buf = frame.buffer_mut();
    for (i, (k, d)) in text.iter().skip(h.scroll).take(h.viewport).enumerate() {
        let y = inner.y + i as u16;
        if let Some(head) = d.strip_prefix(strings::HEADING_MARK) {
            buf.set_stringn(
                inner.x + 1,
                y,
                head,
                usize::from(inner.width),
                theme.title(),
            );
            continue;
        }
        let line = Line::from(vec![
            Span::styled(format!("{:>w$}", k, w = usize::from(kw)), theme.key()),
            Span::raw("  "),
            Span::raw(theme.text(d).into_owned()),
        ]);
        buf.set_line(inner.x + 1, y, &line, inner.width.saturating_sub(1));
    }
}
