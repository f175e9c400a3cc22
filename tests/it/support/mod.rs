//! Shared test support. `moto` starts one moto front per test binary and builds the real AWS adapter
//! against it. Each test binary includes this with `mod support;`.
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

pub mod cli;
pub mod console;
pub mod moto;
pub mod tmux;
