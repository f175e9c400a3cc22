//! opsdeck: a terminal operations console for AWS fleets.
//!
//! Layers (arrows point one way): `tui` → `app` → (`runbook`, `analysis`) → `cloud` → `domain`.
//! `session` is the composition root that decides whether a run can write at all.

pub mod allocator;
pub mod analysis;
pub mod app;
pub mod cli;
pub mod cloud;
pub mod config;
pub mod domain;
pub mod logging;
pub mod paths;
pub mod runbook;
pub mod session;
pub mod terminal;
pub mod tui;
