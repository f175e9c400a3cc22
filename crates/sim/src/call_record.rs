//! One entry of the call log: plain data the world keeps (`faults.rs` appends to it and bounds it).

use opsdeck_core::domain::Timestamp;

/// One call the sim answered (or refused): what tests and the read-only proof look at.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRecord {
    /// Simulated time of the call.
    pub at: Timestamp,
    pub region: String,
    /// The AWS action (`StopInstances`).
    pub action: &'static str,
    pub mutating: bool,
    pub dry_run: bool,
    /// `None` on success, else the error code (`RequestLimitExceeded`, `DryRunOperation`...).
    pub error: Option<String>,
    pub request_id: Option<String>,
}
