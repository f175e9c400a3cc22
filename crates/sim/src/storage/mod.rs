//! EBS volumes (creating → available, attaching → in-use, detaching → available, deleting), snapshots
//! (pending with rising progress → completed, copies), and AMIs (pending → available once their
//! snapshots complete), with EC2's error codes.
//!
//! `volumes`, `snapshots` and `images` each hold one resource's calls and transitions; the errors
//! they share and how long a snapshot takes are here.

mod images;
mod snapshots;
mod volumes;

use crate::world::{err, timing};
use opsdeck_core::cloud::CloudError;

fn dry_ok() -> CloudError {
    CloudError::dry_run_ok("Request would have succeeded, but DryRun flag is set.")
}

fn volume_not_found(id: &str) -> CloudError {
    err(
        "InvalidVolume.NotFound",
        format!("The volume '{id}' does not exist."),
    )
}

fn snapshot_not_found(id: &str) -> CloudError {
    err(
        "InvalidSnapshot.NotFound",
        format!("The snapshot '{id}' does not exist."),
    )
}

/// How long a snapshot of a volume this size takes, in simulated seconds.
pub(crate) fn snapshot_duration(size_gib: i32) -> f64 {
    timing::SNAPSHOT_BASE + timing::SNAPSHOT_PER_GIB * size_gib.max(1) as f64
}
