//! The call-level fault rules in force: plain data the world holds and the `Sim` handle sets. Rolling
//! the dice on them is `faults.rs`, which sits above the world; this sits below it.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// Call-level faults. `Default` is a healthy cloud.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Probability (0–1) that a call to an action is throttled; the key `*` applies to every action
    /// without its own rate.
    pub throttle: BTreeMap<String, f64>,
    /// Probability (0–1) that any call fails with a 5xx (`InternalError`).
    pub error_rate: f64,
    /// Added to every call (a tokio sleep, so a paused test clock skips it).
    pub latency: Duration,
    /// Actions the identity may not call: `UnauthorizedOperation` (`AccessDenied` for ELB and
    /// CloudWatch), dry run or not.
    pub deny: BTreeSet<String>,
}

impl Faults {
    pub fn throttle_rate(&self, action: &str) -> f64 {
        self.throttle
            .get(action)
            .or_else(|| self.throttle.get("*"))
            .copied()
            .unwrap_or(0.0)
    }
}
