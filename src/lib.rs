//! opsdeck: a terminal operations console for AWS fleets — the top of the workspace.
//!
//! The layers below are crates of their own (`opsdeck-core` ← `opsdeck-aws` | `opsdeck-sim` ←
//! `opsdeck-runbook` ← `opsdeck-app`), so an arrow that runs the wrong way does not compile. This
//! crate holds what only the binary needs: `effects` (the IO runner the console's `Effect`s become
//! tasks in), `tui` (terminal and drawing only), `cli` (flags and headless output), `config`,
//! `session` (the composition root that decides whether a run can write at all), logging and paths.

// The workspace's one allowance for `unsafe`: mimalloc's C options (see the module's top).
#[allow(unsafe_code)]
pub mod allocator;
pub mod cli;
pub mod config;
pub mod effects;
pub mod logging;
pub mod paths;
pub mod session;
pub mod strings;
pub mod terminal;
pub mod tui;
