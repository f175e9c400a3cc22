//! Leases on what a run touches: a run holds, for its whole life, an exclusive lease on every
//! resource its plan changes and every capacity pool (target group, Auto Scaling group) it takes
//! capacity from, so no two runs — two processes, or two operators — can together break a floor
//! each of them checked alone. The port is here; the local store (advisory file locks under the state
//! dir) lives with the runbooks, a shared store can implement the same trait.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// What is leased: `tg:<arn>`, `asg:<region>/<name>`, `res:<region>/<id>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LeaseKey(pub String);

impl LeaseKey {
    pub fn target_group(arn: &str) -> Self {
        LeaseKey(format!("tg:{arn}"))
    }
    pub fn group(region: &str, name: &str) -> Self {
        LeaseKey(format!("asg:{region}/{name}"))
    }
    pub fn resource(region: &str, id: &str) -> Self {
        LeaseKey(format!("res:{region}/{id}"))
    }
}

impl std::fmt::Display for LeaseKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who holds a lease.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub run_id: String,
    pub runbook: String,
    pub host: String,
    pub pid: u32,
    /// RFC 3339.
    pub since: String,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "run {} ({}) on {} pid {} since {}",
            self.run_id, self.runbook, self.host, self.pid, self.since
        )
    }
}

/// Why leases could not be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeaseError {
    #[error("{key} is held by {holder}")]
    Held { key: LeaseKey, holder: Holder },
    /// Held, but by a holder whose record cannot be read (it is being written, or torn).
    #[error("{key} is held by another run")]
    HeldUnknown { key: LeaseKey },
    #[error("cannot take lease {key}: {why}")]
    Store { key: LeaseKey, why: String },
}

/// Leases held; released when dropped (and by the store if the holder dies).
pub trait LeaseGuard: Send + Sync {
    fn keys(&self) -> Vec<LeaseKey>;
}

#[async_trait]
pub trait Leases: Send + Sync {
    /// Takes every key or none: the first one held elsewhere is the refusal.
    async fn acquire(
        &self,
        keys: &[LeaseKey],
        holder: &Holder,
    ) -> Result<Box<dyn LeaseGuard>, LeaseError>;
    /// Who holds which of `keys` now (for a plan that wants to say so before it is refused).
    async fn holders(&self, keys: &[LeaseKey]) -> Vec<(LeaseKey, Holder)>;
}
