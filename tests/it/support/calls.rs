//! What a test's code asked of the cloud: the simulator's call log and moto's request log, counted.
//!
//! Counts for duplicates (`made`, `moto_made`) count every real call that reached the cloud,
//! failed ones too: a second call that failed (the instance was already stopping, the client
//! token was taken...) still happened, and a call retried after an answer was lost happened twice.
//! Only what a fault refused before the cloud saw it is left out: the simulator's injected
//! throttling, 5xx and permission denials, and the moto front's fault rules.

use super::moto;
use opsdeck_sim::{CallRecord, Sim};

/// The codes the simulator answers a call with when an injected fault or its permission policy
/// refuses it before the world sees it (`faults.rs`: nothing else there answers with them).
pub const REFUSED_BEFORE_THE_WORLD: [&str; 6] = [
    "RequestLimitExceeded",
    "Throttling",
    "InternalError",
    "InternalFailure",
    "UnauthorizedOperation",
    "AccessDenied",
];

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

/// Whether the simulated world saw the call (no injected fault refused it first).
pub fn reached(c: &CallRecord) -> bool {
    !c.error
        .as_deref()
        .is_some_and(|e| REFUSED_BEFORE_THE_WORLD.contains(&e))
}

/// How many times `action` was called for real (not a dry run), refused or not.
pub fn attempted(sim: &Sim, action: &str) -> usize {
    real(sim).iter().filter(|c| c.action == action).count()
}

/// How many times `action` was called for real and reached the world, whether it then succeeded
/// or failed there: what duplicate checks count.
pub fn made(sim: &Sim, action: &str) -> usize {
    real(sim)
        .iter()
        .filter(|c| c.action == action && reached(c))
        .count()
}

/// The real calls that reached the world, in order (their action names).
pub fn made_in_order(sim: &Sim) -> Vec<&'static str> {
    real(sim)
        .into_iter()
        .filter(reached)
        .map(|c| c.action)
        .collect()
}

/// How many times `action` was called for real and succeeded.
pub fn succeeded(sim: &Sim, action: &str) -> usize {
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

/// Requests for `action` in moto's request log since it was last cleared: every one, dry runs and
/// those a fault rule failed included.
pub fn moto(action: &str) -> usize {
    moto::requests()
        .iter()
        .filter(|r| r.action == action)
        .count()
}

/// Requests for `action` that reached moto for real: not EC2 dry runs, not failed by a fault rule
/// of the front; whatever moto then answered (an error too).
pub fn moto_made(action: &str) -> usize {
    moto::requests()
        .iter()
        .filter(|r| r.action == action && !r.dry_run && !r.faulted)
        .count()
}
