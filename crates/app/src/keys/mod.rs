//! Keys and the keymap: user intents (`Action`) bound to keys, from the embedded
//! `assets/keymap.toml` overlaid with the config's `[keys]`. No terminal types here: the console
//! translates its key events into `Key`. What the actions are called is in `crate::strings`.

mod action;
mod key;
mod keymap;
#[cfg(test)]
mod tests;

pub use action::{Action, Group};
pub use key::{Key, KeyCode};
pub use keymap::{DEFAULT_KEYMAP, Keymap};
