//! `update`: the one place state changes. Pure: it never awaits and never does I/O; work for the
//! outside world leaves as `Effect`s and comes back as `Msg`s.
//!
//! One file per seam, each calling only those listed before it: `common` (the status line, line
//! editing), `select`, `models` and `refresh`; `writes`, `export` and `runbook`; `pickers` (the lists
//! leading to the runbook screen); `navigation`, `actions` (what a key's action does) and `commands`
//! (the `:` line); and last `input` (keys and the mouse) and `answers` (the tasks' `Msg`s), which
//! `update` dispatches to.

mod actions;
mod answers;
mod commands;
mod common;
mod export;
mod input;
mod models;
mod navigation;
mod pickers;
mod refresh;
mod runbook;
mod select;
pub(crate) mod writes;

pub use models::{build_model, ensure_models};
pub use refresh::carry_over;

use crate::keys::{Action, Key};
use crate::msg::{Effect, Input};
use crate::state::{AppState, StatusLevel};
use answers::on_msg;
use common::status;
use input::{accepts_text, on_key, on_mouse};
use models::remember_selection;
use refresh::{connect, on_tick};

/// What the console does first: connect (the first frame is drawn before any answer).
pub fn startup(s: &mut AppState) -> Vec<Effect> {
    let mut fx = connect(s);
    if !s.warnings.is_empty() {
        let text = s.warnings.join("; ");
        status(s, StatusLevel::Warn, text);
    }
    fx.extend(ensure_models(s));
    fx.retain(|e| !matches!(e, Effect::Quit));
    fx
}

pub fn update(s: &mut AppState, input: Input) -> Vec<Effect> {
    let fx = match input {
        Input::Key(k) => {
            s.dirty = true;
            // "Quit again" means the very next key: any other key disarms it.
            if s.prefs.keymap.action(&k) != Some(Action::Quit) {
                s.quit_armed = false;
            }
            on_key(s, k)
        }
        Input::Mouse(m) => {
            s.dirty = true;
            on_mouse(s, m)
        }
        Input::Paste(text) => {
            s.dirty = true;
            // Pasted text is text: it goes only where text is typed (the command line, a filter, a
            // typed id), never to single-key commands, where a `y` in it could approve something.
            let mut fx = Vec::new();
            if accepts_text(s) {
                for c in text.chars().filter(|c| !c.is_control()) {
                    fx.extend(on_key(s, Key::ch(c)));
                }
            }
            fx
        }
        Input::Resize => {
            s.dirty = true;
            Vec::new()
        }
        Input::Tick { wall, session } => on_tick(s, wall, session),
        Input::Msg(m) => on_msg(s, m),
    };
    let mut fx = fx;
    fx.extend(ensure_models(s));
    remember_selection(s);
    fx
}
