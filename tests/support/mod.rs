//! Shared test support. `moto` starts one moto front per test binary and builds the real AWS adapter
//! against it. Each test binary includes this with `mod support;`.
#![allow(dead_code)]

pub mod cli;
pub mod console;
pub mod moto;
pub mod tmux;
