//! Keys and the mouse: who gets a key (the dialog, the `:` line, a `/` filter, a screen's own keys,
//! else the keymap's action), and what a click or the wheel does.

use super::actions::act;
use super::commands::run_command;
use super::common::edit;
use super::navigation::{apply_filter, move_sel};
use super::writes::dialog_key;
use super::{pickers, runbook};
use crate::command;
use crate::keys::{Action, Key, KeyCode};
use crate::msg::{Effect, Mouse, MouseKind};
use crate::state::{AppState, ConfirmPhase, InputMode, Screen};

/// Whether a text field has the focus: the command line, a filter, or a typed-id confirmation.
pub(super) fn accepts_text(s: &AppState) -> bool {
    if let Some(d) = &s.dialog {
        return d.needs_typed() && d.phase != ConfirmPhase::Running;
    }
    if s.input.mode != InputMode::None {
        return true;
    }
    matches!(s.nav.top(), Screen::Runbook(_))
        && s.runbook
            .as_ref()
            .is_some_and(|u| u.ask.is_some_and(|step| u.confirm_id(step).is_some()))
}

pub(super) fn on_key(s: &mut AppState, key: Key) -> Vec<Effect> {
    if s.dialog.is_some() {
        return dialog_key(s, key);
    }
    match s.input.mode {
        InputMode::Command => command_key(s, key),
        InputMode::Filter => filter_key(s, key),
        InputMode::None => {
            // The runbook screen and `:runs` have fixed keys of their own (approve, cancel…).
            let own = match s.nav.top() {
                Screen::Runbook(_) => runbook::key(s, key),
                Screen::Runs(_) => pickers::runs_key(s, key),
                _ => None,
            };
            if let Some(fx) = own {
                return fx;
            }
            match s.prefs.keymap.action(&key) {
                Some(a) => act(s, a),
                None => Vec::new(),
            }
        }
    }
}

fn filter_key(s: &mut AppState, key: Key) -> Vec<Effect> {
    match key.code {
        KeyCode::Enter => s.input.mode = InputMode::None,
        KeyCode::Esc => {
            s.input.mode = InputMode::None;
            s.input.text.clear();
            apply_filter(s);
        }
        KeyCode::Up | KeyCode::Down | KeyCode::PageUp | KeyCode::PageDown => {
            s.input.mode = InputMode::None;
            let a = match key.code {
                KeyCode::Up => Action::Up,
                KeyCode::Down => Action::Down,
                KeyCode::PageUp => Action::PageUp,
                _ => Action::PageDown,
            };
            return act(s, a);
        }
        _ => {
            if edit(&mut s.input.text, key) {
                apply_filter(s);
            } else if key.ctrl && key.code == KeyCode::Char('c') {
                return act(s, Action::Quit);
            }
        }
    }
    Vec::new()
}

fn command_key(s: &mut AppState, key: Key) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc => {
            s.input.mode = InputMode::None;
            s.input.text.clear();
            s.input.completion = None;
        }
        KeyCode::Enter => {
            s.input.mode = InputMode::None;
            s.input.completion = None;
            let line = std::mem::take(&mut s.input.text);
            return run_command(s, &line);
        }
        KeyCode::Tab | KeyCode::BackTab => {
            let (prefix, idx) = match &s.input.completion {
                Some((p, i)) => {
                    let n = command::complete(p, &s.session, &s.prefs).len().max(1);
                    let step = if key.code == KeyCode::Tab { 1 } else { n - 1 };
                    (p.clone(), (i + step) % n)
                }
                None => (s.input.text.clone(), 0),
            };
            let options = command::complete(&prefix, &s.session, &s.prefs);
            if let Some(choice) = options.get(idx) {
                s.input.text = choice.clone();
                s.input.completion = Some((prefix, idx));
            }
        }
        _ => {
            if edit(&mut s.input.text, key) {
                s.input.completion = None;
            } else if key.ctrl && key.code == KeyCode::Char('c') {
                return act(s, Action::Quit);
            }
        }
    }
    Vec::new()
}

pub(super) fn on_mouse(s: &mut AppState, m: Mouse) -> Vec<Effect> {
    if s.dialog.is_some() {
        return Vec::new();
    }
    match m.kind {
        MouseKind::ScrollUp => move_sel(s, -3),
        MouseKind::ScrollDown => move_sel(s, 3),
        MouseKind::Click => {
            match s.nav.top().clone() {
                Screen::Table(key) => {
                    if let Some(v) = s.tables.views.get_mut(&key)
                        && m.row >= v.first_row_y
                    {
                        let i = v.offset + usize::from(m.row - v.first_row_y);
                        if i < v.offset + v.viewport.max(1) && i < v.len() {
                            v.select(i);
                        }
                    }
                }
                Screen::Xray(_) => {
                    if let Screen::Xray(x) = s.nav.top_mut()
                        && m.row >= x.first_y
                    {
                        let i = x.offset + usize::from(m.row - x.first_y);
                        if i < x.items.len() && i < x.offset + x.viewport.max(1) {
                            x.selected = i;
                        }
                    }
                }
                _ => {}
            }
            Vec::new()
        }
    }
}
