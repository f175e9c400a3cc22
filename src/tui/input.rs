//! Terminal events → `Input`. The only place crossterm's key types are seen.

use crossterm::event::{
    Event, KeyCode as CKey, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};
use opsdeck_app::keys::{Key, KeyCode};
use opsdeck_app::msg::{Input, Mouse, MouseKind};

pub fn key(k: &KeyEvent) -> Option<Key> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    let alt = k.modifiers.contains(KeyModifiers::ALT);
    let shift = k.modifiers.contains(KeyModifiers::SHIFT);
    let code = match k.code {
        CKey::Char(c) => {
            // Shifted letters arrive as capitals on most terminals, lower case with SHIFT on some.
            if shift && c.is_ascii_lowercase() {
                KeyCode::Char(c.to_ascii_uppercase())
            } else if ctrl && c.is_ascii_uppercase() {
                KeyCode::Char(c.to_ascii_lowercase())
            } else {
                KeyCode::Char(c)
            }
        }
        CKey::Enter => KeyCode::Enter,
        CKey::Esc => KeyCode::Esc,
        CKey::Backspace => KeyCode::Backspace,
        CKey::Delete => KeyCode::Delete,
        CKey::Tab if shift => KeyCode::BackTab,
        CKey::Tab => KeyCode::Tab,
        CKey::BackTab => KeyCode::BackTab,
        CKey::Up => KeyCode::Up,
        CKey::Down => KeyCode::Down,
        CKey::Left => KeyCode::Left,
        CKey::Right => KeyCode::Right,
        CKey::PageUp => KeyCode::PageUp,
        CKey::PageDown => KeyCode::PageDown,
        CKey::Home => KeyCode::Home,
        CKey::End => KeyCode::End,
        CKey::F(n) => KeyCode::F(n),
        _ => return None,
    };
    Some(Key { code, ctrl, alt })
}

pub fn convert(ev: Event) -> Option<Input> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => key(&k).map(Input::Key),
        Event::Mouse(m) => {
            let kind = match m.kind {
                MouseEventKind::ScrollUp => MouseKind::ScrollUp,
                MouseEventKind::ScrollDown => MouseKind::ScrollDown,
                MouseEventKind::Down(MouseButton::Left) => MouseKind::Click,
                _ => return None,
            };
            Some(Input::Mouse(Mouse {
                kind,
                column: m.column,
                row: m.row,
            }))
        }
        Event::Paste(s) => Some(Input::Paste(s)),
        Event::Resize(_, _) => Some(Input::Resize),
        _ => None,
    }
}
