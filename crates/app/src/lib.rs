//! Application state and logic, with no terminal: fully testable without one.
//!
//! `update(&mut AppState, Input) -> Vec<Effect>` is the only place state changes; it never awaits.
//! The console (`crate::tui`) turns terminal events into `Input`, runs the `Effect`s as tasks against
//! the session's ports, and feeds their `Msg`s back.
//!
//! Data below handlers: `state`, `msg`, `runbook_screen` (the runbook screen's state), `resources`,
//! `table` and the other models import no handler; the handlers are `update`'s files. The `:`
//! commands are one table (`command`); the wording the console shows is in `strings`.

pub mod azmap;
pub mod command;
#[cfg(test)]
mod console_tests;
pub mod describe;
pub mod findings;
pub mod format;
pub mod keymap_doc;
pub mod keys;
pub mod msg;
pub mod resources;
pub mod run_summary;
pub mod runbook_screen;
pub mod runbooks;
pub mod sample;
pub mod state;
pub mod strings;
pub mod table;
mod update;
#[cfg(test)]
mod update_tests;
pub mod xray;

pub use keys::{Action, Key, KeyCode, Keymap};
pub use msg::{
    BuiltModel, Effect, ExportRequest, Input, ModelRequest, Mouse, MouseKind, Msg, SessionInfo,
    WriteOp,
};
pub use state::{AppState, Prefs, Screen, ViewKey};
pub use update::{build_model, carry_over, ensure_models, startup, update};
