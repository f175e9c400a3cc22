//! The IO layer between the pure console state (`opsdeck-app`) and the cloud: each `Effect` becomes a
//! task against the session's ports and reports back as a `Msg` on the loop's one channel (as
//! gitui's `asyncgit` does for git). Runs go through the runbook crate's one lifecycle, the same the
//! headless commands use. Nothing here draws.

mod channel;
pub mod runner;
pub mod runs;
