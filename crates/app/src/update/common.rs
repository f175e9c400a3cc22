//! What every handler uses: the status line and the editing of a line of typed text.

use crate::keys::{Key, KeyCode};
use crate::state::{AppState, Status, StatusLevel};
use chrono::Duration;

const STATUS_SECONDS: i64 = 6;

pub(super) fn status(s: &mut AppState, level: StatusLevel, text: impl Into<String>) {
    s.status = Some(Status {
        text: text.into(),
        level,
        until: s.wall + Duration::seconds(STATUS_SECONDS),
    });
    s.dirty = true;
}

/// Edits a line of text; returns true when the key was an edit.
pub(super) fn edit(text: &mut String, key: Key) -> bool {
    match (key.code, key.ctrl) {
        (KeyCode::Char('u'), true) => text.clear(),
        (KeyCode::Char('w'), true) => {
            let trimmed = text.trim_end().len();
            text.truncate(trimmed);
            let cut = text.rfind(' ').map(|i| i + 1).unwrap_or(0);
            text.truncate(cut);
        }
        (KeyCode::Backspace, _) => {
            text.pop();
        }
        (KeyCode::Char(c), false) if !key.alt => text.push(c),
        _ => return false,
    }
    true
}
