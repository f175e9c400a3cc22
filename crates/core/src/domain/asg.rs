//! Auto Scaling groups: a group keeps `desired` instances running across its subnets' AZs and
//! replaces the ones it judges unhealthy. An instance in a group is not a pet: stopping it, or
//! taking it out of its target groups, gets it replaced unless it is in Standby first.

use super::{Tags, Timestamp};
use compact_str::CompactString;
use serde::{Deserialize, Serialize};

/// Where a member is in the group's lifecycle (`DescribeAutoScalingGroups` `LifecycleState`),
/// spelled in JSON as AWS spells it (`InService`, `Pending:Wait`), so scripts compare it with the
/// AWS CLI's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum LifecycleState {
    Pending,
    #[serde(rename = "Pending:Wait")]
    PendingWait,
    #[serde(rename = "Pending:Proceed")]
    PendingProceed,
    InService,
    Standby,
    EnteringStandby,
    Terminating,
    #[serde(rename = "Terminating:Wait")]
    TerminatingWait,
    #[serde(rename = "Terminating:Proceed")]
    TerminatingProceed,
    Terminated,
    Detaching,
    Detached,
    /// Warm pool and any state this build does not know, kept by name.
    Other,
}

impl LifecycleState {
    pub fn parse(s: &str) -> Self {
        match s {
            "Pending" => Self::Pending,
            "Pending:Wait" => Self::PendingWait,
            "Pending:Proceed" => Self::PendingProceed,
            "InService" => Self::InService,
            "Standby" => Self::Standby,
            "EnteringStandby" => Self::EnteringStandby,
            "Terminating" => Self::Terminating,
            "Terminating:Wait" => Self::TerminatingWait,
            "Terminating:Proceed" => Self::TerminatingProceed,
            "Terminated" => Self::Terminated,
            "Detaching" => Self::Detaching,
            "Detached" => Self::Detached,
            _ => Self::Other,
        }
    }

    /// AWS's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::PendingWait => "Pending:Wait",
            Self::PendingProceed => "Pending:Proceed",
            Self::InService => "InService",
            Self::Standby => "Standby",
            Self::EnteringStandby => "EnteringStandby",
            Self::Terminating => "Terminating",
            Self::TerminatingWait => "Terminating:Wait",
            Self::TerminatingProceed => "Terminating:Proceed",
            Self::Terminated => "Terminated",
            Self::Detaching => "Detaching",
            Self::Detached => "Detached",
            Self::Other => "Other",
        }
    }

    /// Held by a lifecycle hook: the group waits for someone to complete the action.
    pub fn is_hook_wait(self) -> bool {
        matches!(self, Self::PendingWait | Self::TerminatingWait)
    }

    /// On its way out of the group.
    pub fn is_leaving(self) -> bool {
        matches!(
            self,
            Self::Terminating
                | Self::TerminatingWait
                | Self::TerminatingProceed
                | Self::Terminated
                | Self::Detaching
                | Self::Detached
        )
    }
}

/// One instance of a group, as the group sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AsgMember {
    pub instance_id: CompactString,
    pub az: CompactString,
    pub lifecycle_state: LifecycleState,
    /// `Healthy` or `Unhealthy`: the group's own judgement (EC2 checks, and ELB health when the
    /// group's health check type is `ELB`).
    pub healthy: bool,
    /// The launch template version (or configuration name) it was launched from.
    pub launched_from: Option<CompactString>,
    pub protected_from_scale_in: bool,
}

/// A lifecycle hook: holds launching or terminating instances in a wait state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LifecycleHook {
    pub name: CompactString,
    /// `autoscaling:EC2_INSTANCE_LAUNCHING` or `autoscaling:EC2_INSTANCE_TERMINATING`.
    pub transition: CompactString,
    pub heartbeat_timeout_secs: i32,
    /// `CONTINUE` or `ABANDON` when the wait times out.
    pub default_result: CompactString,
}

/// An instance refresh (`DescribeInstanceRefreshes`), the newest one of the group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceRefresh {
    pub id: CompactString,
    /// `Pending`, `InProgress`, `Successful`, `Failed`, `Cancelling`, `Cancelled`,
    /// `RollbackInProgress`, `RollbackFailed`, `RollbackSuccessful`, `Baking`.
    pub status: CompactString,
    pub percentage_complete: Option<i32>,
    pub started: Option<Timestamp>,
}

impl InstanceRefresh {
    /// Still replacing instances: no maintenance of the group's members now.
    pub fn in_progress(&self) -> bool {
        matches!(
            self.status.as_str(),
            "Pending" | "InProgress" | "Cancelling" | "RollbackInProgress" | "Baking"
        )
    }
}

/// The processes a group can have suspended that keep it from healing itself.
pub const HEALING_PROCESSES: [&str; 3] = ["Launch", "HealthCheck", "ReplaceUnhealthy"];

/// How a member can be taken out of service for maintenance without the group replacing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "path")]
pub enum MaintenancePath {
    /// EnterStandby decrementing desired: the group is one smaller while the member is worked on.
    Decrement,
    /// EnterStandby without decrementing: the group launches a stand-in first; desired rises by one
    /// on ExitStandby and the run sets it back at the end.
    StandIn,
    /// Neither keeps the group's floor: the reason, in plain words.
    Blocked { why: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoScalingGroup {
    pub region: CompactString,
    pub name: CompactString,
    pub arn: CompactString,
    pub min_size: i32,
    pub max_size: i32,
    pub desired_capacity: i32,
    /// `lt-…:version` (or the launch template's name), or `config:NAME` for a launch configuration.
    pub launch_source: Option<CompactString>,
    /// The group's subnets (`VPCZoneIdentifier`), in the order AWS gives them.
    pub subnet_ids: Vec<CompactString>,
    /// The AZs AWS says the group spans.
    pub azs: Vec<CompactString>,
    pub target_group_arns: Vec<CompactString>,
    /// Classic load balancers, by name.
    pub load_balancer_names: Vec<CompactString>,
    /// `EC2` or `ELB`.
    pub health_check_type: CompactString,
    pub health_check_grace_secs: i32,
    pub suspended_processes: Vec<CompactString>,
    /// The instance maintenance policy (`None`: not set; AWS's defaults apply).
    pub min_healthy_percent: Option<i32>,
    pub max_healthy_percent: Option<i32>,
    pub capacity_rebalance: bool,
    pub lifecycle_hooks: Vec<LifecycleHook>,
    /// The newest instance refresh, if any was ever started.
    pub instance_refresh: Option<InstanceRefresh>,
    /// Warm pool: (min size, max prepared capacity), when the group has one.
    pub warm_pool: Option<(i32, Option<i32>)>,
    pub members: Vec<AsgMember>,
    /// `Delete in progress` while the group is being deleted.
    pub status: Option<CompactString>,
    pub tags: Tags,
}

impl AutoScalingGroup {
    /// Members that serve (InService), by AZ.
    pub fn in_service(&self) -> impl Iterator<Item = &AsgMember> {
        self.members
            .iter()
            .filter(|m| m.lifecycle_state == LifecycleState::InService)
    }

    pub fn member(&self, instance_id: &str) -> Option<&AsgMember> {
        self.members.iter().find(|m| m.instance_id == instance_id)
    }

    /// Suspended processes that keep the group from replacing what fails.
    pub fn suspended_healing(&self) -> Vec<&str> {
        self.suspended_processes
            .iter()
            .map(|p| p.as_str())
            .filter(|p| HEALING_PROCESSES.contains(p))
            .collect()
    }

    /// How many members must stay in service while one is worked on: the instance maintenance
    /// policy's MinHealthyPercentage of desired, rounded up; without a policy, one member at a time
    /// (desired − 1).
    pub fn healthy_floor(&self) -> usize {
        let desired = i64::from(self.desired_capacity.max(0));
        match self.min_healthy_percent {
            Some(pct) => ((desired * i64::from(pct.clamp(0, 100)) + 99) / 100) as usize,
            None => (desired - 1).max(0) as usize,
        }
    }

    /// How one member can be taken out now: decrement desired when the group may shrink by one
    /// (desired − 1 ≥ min and ≥ its floor), else have it launch a stand-in when max leaves room
    /// (desired + 1 ≤ max, needed for ExitStandby), else not at all.
    pub fn maintenance_path(&self) -> MaintenancePath {
        let desired = self.desired_capacity;
        let floor = self.healthy_floor() as i32;
        if desired > self.min_size && desired > floor {
            return MaintenancePath::Decrement;
        }
        if desired < self.max_size {
            return MaintenancePath::StandIn;
        }
        MaintenancePath::Blocked {
            why: format!(
                "{} must keep {floor} of {desired} in service{} and its max ({}) leaves no room for                  a stand-in",
                self.name,
                self.min_healthy_percent
                    .map(|p| format!(" (min healthy {p}%)"))
                    .unwrap_or_default(),
                self.max_size
            ),
        }
    }

    /// Whether an instance refresh is replacing members now, or a lifecycle hook holds one: the
    /// group is busy, and maintenance waits.
    pub fn busy(&self) -> Option<String> {
        if let Some(r) = self.instance_refresh.as_ref().filter(|r| r.in_progress()) {
            return Some(format!(
                "instance refresh {} is {}{}",
                r.id,
                r.status,
                r.percentage_complete
                    .map(|p| format!(" ({p}% done)"))
                    .unwrap_or_default()
            ));
        }
        self.members
            .iter()
            .find(|m| m.lifecycle_state.is_hook_wait())
            .map(|m| {
                format!(
                    "{} is held in {} by a lifecycle hook",
                    m.instance_id,
                    m.lifecycle_state.as_str()
                )
            })
    }
}

/// The tag AWS puts on every instance a group launches.
pub const GROUP_TAG: &str = "aws:autoscaling:groupName";
