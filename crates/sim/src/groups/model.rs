//! A simulated Auto Scaling group: its settings, its launch template (what a new member looks like)
//! and its members' lifecycle, as AWS keeps them.

use crate::instances::NewInstance;
use opsdeck_core::domain::*;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone)]
pub(crate) struct MemberRec {
    pub state: LifecycleState,
    pub healthy: bool,
    pub az: String,
    pub launched: Timestamp,
    /// A lifecycle hook holds it (Pending:Wait / Terminating:Wait) until then.
    pub wait_until: Option<Timestamp>,
    /// The template version it was launched from.
    pub version: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct RefreshRec {
    pub id: String,
    pub status: String,
    pub started: Timestamp,
    /// Members launched before this version are replaced.
    pub to_version: u32,
    pub percentage: i32,
}

#[derive(Debug, Clone)]
pub(crate) struct GroupRec {
    pub name: String,
    pub arn: String,
    pub min: i32,
    pub max: i32,
    pub desired: i32,
    pub subnets: Vec<String>,
    pub target_groups: Vec<String>,
    pub health_check_type: String,
    pub grace_secs: i32,
    pub suspended: BTreeSet<String>,
    pub min_healthy_percent: Option<i32>,
    pub max_healthy_percent: Option<i32>,
    pub capacity_rebalance: bool,
    pub hooks: Vec<LifecycleHook>,
    pub refresh: Option<RefreshRec>,
    /// What a new member is launched as (its subnet is chosen per launch).
    pub template: NewInstance,
    pub template_id: String,
    pub version: u32,
    pub members: BTreeMap<String, MemberRec>,
    pub tags: Tags,
    /// When the queued check of this group is due (one at a time).
    pub check_at: Option<Timestamp>,
}

impl GroupRec {
    pub(crate) fn suspended(&self, process: &str) -> bool {
        self.suspended.contains(process)
    }

    /// The hook on a transition (`launching` / `terminating`), if any.
    pub(crate) fn hook(&self, terminating: bool) -> Option<&LifecycleHook> {
        let t = if terminating {
            "autoscaling:EC2_INSTANCE_TERMINATING"
        } else {
            "autoscaling:EC2_INSTANCE_LAUNCHING"
        };
        self.hooks.iter().find(|h| h.transition == t)
    }

    /// Members that count toward desired capacity: launching or in service (not Standby, not leaving).
    pub(crate) fn active(&self) -> impl Iterator<Item = (&String, &MemberRec)> {
        self.members.iter().filter(|(_, m)| {
            matches!(
                m.state,
                LifecycleState::Pending
                    | LifecycleState::PendingWait
                    | LifecycleState::PendingProceed
                    | LifecycleState::InService
            )
        })
    }

    pub(crate) fn view(&self, region: &str, azs: Vec<String>) -> AutoScalingGroup {
        AutoScalingGroup {
            region: region.into(),
            name: self.name.as_str().into(),
            arn: self.arn.as_str().into(),
            min_size: self.min,
            max_size: self.max,
            desired_capacity: self.desired,
            launch_source: Some(format_compact!("{}:{}", self.template_id, self.version)),
            subnet_ids: self.subnets.iter().map(|s| s.as_str().into()).collect(),
            azs: azs.into_iter().map(Into::into).collect(),
            target_group_arns: self
                .target_groups
                .iter()
                .map(|t| t.as_str().into())
                .collect(),
            load_balancer_names: vec![],
            health_check_type: self.health_check_type.as_str().into(),
            health_check_grace_secs: self.grace_secs,
            suspended_processes: self.suspended.iter().map(|p| p.as_str().into()).collect(),
            min_healthy_percent: self.min_healthy_percent,
            max_healthy_percent: self.max_healthy_percent,
            capacity_rebalance: self.capacity_rebalance,
            lifecycle_hooks: self.hooks.clone(),
            instance_refresh: self.refresh.as_ref().map(|r| InstanceRefresh {
                id: r.id.as_str().into(),
                status: r.status.as_str().into(),
                percentage_complete: Some(r.percentage),
                started: Some(r.started),
            }),
            warm_pool: None,
            members: self
                .members
                .iter()
                .map(|(id, m)| AsgMember {
                    instance_id: id.as_str().into(),
                    az: m.az.as_str().into(),
                    lifecycle_state: m.state,
                    healthy: m.healthy,
                    launched_from: Some(format_compact!("{}:{}", self.template_id, m.version)),
                    protected_from_scale_in: false,
                })
                .collect(),
            status: None,
            tags: self.tags.clone(),
        }
    }
}
