//! What a test's code asked of the cloud: the simulator's call log and moto's request log, counted.

use super::moto;
use opsdeck_sim::{CallRecord, Sim};

/// Every mutating call, dry runs included.
pub fn mutating(sim: &Sim) -> Vec<CallRecord> {
    sim.calls().into_iter().filter(|c| c.mutating).collect()
}

/// Mutating calls made for real (not dry runs), whether they succeeded or not.
pub fn real(sim: &Sim) -> Vec<CallRecord> {
    sim.calls()
        .into_iter()
        .filter(|c| c.mutating && !c.dry_run)
        .collect()
}

/// How many times `action` was called for real (not a dry run), whether it succeeded or not.
pub fn attempted(sim: &Sim, action: &str) -> usize {
    real(sim).iter().filter(|c| c.action == action).count()
}

/// How many times `action` was called for real and succeeded: what a runbook really changed.
pub fn made(sim: &Sim, action: &str) -> usize {
    real(sim)
        .iter()
        .filter(|c| c.action == action && c.error.is_none())
        .count()
}

/// Calls the simulated API throttled (`RequestLimitExceeded`).
pub fn throttled(sim: &Sim) -> usize {
    sim.calls()
        .iter()
        .filter(|c| c.error.as_deref() == Some("RequestLimitExceeded"))
        .count()
}

/// Requests for `action` in moto's request log since it was last cleared (moto's log cannot tell a
/// dry run from the call: both count).
pub fn moto(action: &str) -> usize {
    moto::requests()
        .iter()
        .filter(|r| r.action == action)
        .count()
}
