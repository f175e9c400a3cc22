//! The integration tests: one binary (so the SDK stack is linked once, not once per suite).
//!
//! - `aws_*`, `contract`, `tui_moto`, the moto half of `cli_*`: the real AWS adapter against a moto
//!   front (`support::moto`, one per binary, tests take turns through its lock);
//! - `sim_*`, `runbook_*`: the simulator on tokio's paused clock;
//! - `tui_*`: the console on `TestBackend` (insta snapshots under `snapshots/`) and, for `tui_e2e`
//!   and parts of `console_config`, the real binary in tmux;
//! - `cli_*`: the real binary, headless;
//! - `docs`: docs/keys.md against the default keymap, the links of README.md and docs/, the README's size.
//!
//! Each test that builds a session or runs the binary gets its own state dir (never the developer's).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod aws_inventory;
mod aws_paging;
mod aws_runbook;
mod aws_writes;
mod cli_closed_stdout;
mod cli_demo;
mod cli_groups;
mod cli_inputs;
mod cli_inventory;
mod cli_kill9;
mod cli_partial_reads;
mod cli_races;
mod cli_report;
mod cli_runbook;
mod cli_secrets;
mod cli_signals;
mod console_config;
mod contract;
mod docs;
mod runbook_groups;
mod runbook_property;
mod runbook_rolling;
mod runbook_spof_failover;
mod sim_elb;
mod sim_events;
mod sim_faults;
mod sim_fleets;
mod sim_groups;
mod sim_instances;
mod sim_network;
mod sim_storage;
mod tui_actions;
mod tui_clock;
mod tui_e2e;
mod tui_moto;
mod tui_resilience;
mod tui_runbooks;
mod tui_snapshots;
