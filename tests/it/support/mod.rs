//! Shared test support: `moto` starts one moto front per test binary and builds the real AWS
//! adapter against it; `sim` builds the simulator; `console` drives the console without a terminal,
//! `tmux` with one, `cli` runs the binary headless.
#![allow(dead_code)]

/// Every mutating key of the console's default keymap, with the footer label its read-only
/// refusal names (`read-only session: <label> is not available`).
pub const MUTATING_KEYS: [(&str, &str); 8] = [
    ("U", "start"),
    ("O", "stop"),
    ("B", "reboot"),
    ("N", "snapshot"),
    ("I", "image"),
    ("R", "register"),
    ("X", "deregister"),
    ("D", "detach"),
];

pub mod calls;
pub mod cli;
pub mod console;
pub mod inventory;
pub mod moto;
pub mod ports;
pub mod runbook;
pub mod sim;
pub mod tmux;
