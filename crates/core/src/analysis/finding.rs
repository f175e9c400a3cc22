//! What a finding is: its kind (a stable name scripts match on), severity, the resources concerned,
//! plain words and the runbook that fixes it.

use crate::domain::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    SingleInstance,
    SingleAz,
    SingleHealthyTarget,
    NoHealthyTarget,
    NoRecentSnapshot,
    UnprotectedScheduledEvent,
    AzImpaired,
    /// An Auto Scaling group cannot take a member out for maintenance without going below its
    /// floor, and cannot launch a stand-in first.
    GroupFloor,
    /// An Auto Scaling group with Launch, HealthCheck or ReplaceUnhealthy suspended: it will not
    /// replace what fails.
    GroupNotHealing,
    /// An instance refresh or a lifecycle hook wait in progress: no maintenance of its members now.
    GroupBusy,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SingleInstance => "single-instance",
            Self::SingleAz => "single-az",
            Self::SingleHealthyTarget => "single-healthy-target",
            Self::NoHealthyTarget => "no-healthy-target",
            Self::NoRecentSnapshot => "no-recent-snapshot",
            Self::UnprotectedScheduledEvent => "unprotected-scheduled-event",
            Self::AzImpaired => "az-impaired",
            Self::GroupFloor => "group-floor",
            Self::GroupNotHealing => "group-not-healing",
            Self::GroupBusy => "group-busy",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub severity: Severity,
    pub region: String,
    /// Ids (or target group names) concerned, the most important first.
    pub resources: Vec<String>,
    pub message: String,
    /// The command that fixes it, when a runbook does.
    pub fix: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AnalysisOptions {
    /// A data volume whose newest completed snapshot is older than this is a finding.
    pub max_snapshot_age: chrono::Duration,
    /// Instances sharing this tag's value form a tier (one alone in its tier is a SPOF).
    pub role_tag: String,
    pub now: Timestamp,
}

/// The tag whose value names an instance's tier, unless configured otherwise.
pub const ROLE_TAG: &str = "role";

impl AnalysisOptions {
    pub fn new(now: Timestamp) -> Self {
        AnalysisOptions {
            max_snapshot_age: chrono::Duration::hours(24),
            role_tag: ROLE_TAG.into(),
            now,
        }
    }
}
