//! A plan: the ordered steps a runbook will take, each naming its API calls, resources and expected
//! duration. Plans are data (serde): the journal stores them and resume replays them.

use opsdeck_core::analysis::Floor;
use opsdeck_core::cloud::TargetRef;
use opsdeck_core::domain::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A value known when planning, or produced by an earlier step of the same run (e.g. the AMI id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Val {
    Lit(String),
    Output(String),
}

impl Val {
    pub fn lit(s: impl Into<String>) -> Self {
        Val::Lit(s.into())
    }
    pub fn describe(&self) -> String {
        match self {
            Val::Lit(s) => s.clone(),
            Val::Output(k) => format!("<{k}>"),
        }
    }
}

/// A step's title with the outputs known so far in place of their `<name>` (`move … to
/// <replacement>` reads `move … to i-0abc` once the replacement is launched). `outputs` is a
/// journal's `Outputs`, taken as the map it is so plans need not know journals.
pub fn resolve_title(title: &str, outputs: &std::collections::BTreeMap<String, String>) -> String {
    if !title.contains('<') {
        return title.to_string();
    }
    outputs.iter().fold(title.to_string(), |t, (k, v)| {
        t.replace(&Val::Output(k.clone()).describe(), v)
    })
}

/// Where an address should point: an instance (possibly launched earlier in the run) or an ENI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressMove {
    Instance(Val),
    NetworkInterface {
        eni_id: String,
        private_ip: Option<String>,
    },
}

/// Where an Elastic IP pointed before a step moved it: what a rollback moves it back to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressWas {
    /// Associated with nothing: a rollback disassociates it.
    Unassociated,
    At(AddressMove),
}

/// One snapshot of a consistent set: the volume, its description and the output naming its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotOf {
    pub volume: String,
    pub description: String,
    pub output: String,
}

/// What a step does. Each action knows how to observe whether it is already done, act, and wait
/// until its effect holds (see `actions/`), which is what makes resuming safe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Wait until taking `instance` out keeps every group it serves at the floor.
    CapacityGuard {
        instance: String,
    },
    DeregisterTarget {
        target_group_arn: String,
        target: TargetRef,
    },
    RegisterTarget {
        target_group_arn: String,
        target: Val,
        port: Option<i32>,
    },
    RebootInstance {
        instance: String,
        event_id: Option<String>,
    },
    StopInstance {
        instance: String,
    },
    StartInstance {
        instance: String,
    },
    RescheduleEvent {
        instance: String,
        event_id: String,
        not_before: Timestamp,
    },
    CreateImage {
        instance: String,
        name: String,
        no_reboot: bool,
        output: String,
    },
    LaunchClone {
        source: String,
        image: Val,
        subnet_id: String,
        client_token: String,
        output: String,
    },
    CreateSnapshot {
        volume: String,
        description: String,
        output: String,
    },
    /// Snapshots every volume of the instance with one `CreateSnapshots` call, so the set is
    /// crash-consistent (one point in time across the volumes); done once each of them shows
    /// (pending or completed). `WaitSnapshots` waits for completion.
    CreateSnapshotSet {
        /// The instance the call names (absent in journals written before the set was one call:
        /// the instance the volumes are attached to).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        instance: String,
        /// The description every snapshot of the set gets (one per call).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        description: String,
        snapshots: Vec<SnapshotOf>,
    },
    /// Waits until the snapshots an earlier step produced (these outputs) are completed. Calls
    /// nothing that changes anything.
    WaitSnapshots {
        outputs: Vec<String>,
    },
    RestoreVolume {
        snapshot: Val,
        az: String,
        volume_type: String,
        output: String,
    },
    AttachVolume {
        volume: Val,
        instance: Val,
        device: String,
    },
    DetachVolume {
        volume: String,
        instance: String,
        force: bool,
    },
    AssociateAddress {
        allocation_id: String,
        target: AddressMove,
        output: String,
        /// Where the address pointed when the plan was made (absent in journals written before it
        /// was recorded: those have no automatic undo).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        was: Option<AddressWas>,
        /// Moved only while it still points here (a rollback: never take the address from where
        /// someone put it since the run); absent means wherever it points.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        only_from: Option<AddressMove>,
    },
    /// Disassociates an Elastic IP, but only while it still points at `from` (an address someone
    /// re-pointed meanwhile is left where it is).
    DisassociateAddress {
        allocation_id: String,
        from: AddressMove,
    },
    /// Detaches a secondary network interface from `instance` only (one that moved meanwhile is left
    /// where it is). `device_index` is where it was, for the rollback.
    DetachNetworkInterface {
        eni_id: String,
        instance: String,
        device_index: i32,
    },
    /// Attaches a network interface; done once the attachment reads back as `attached` to `instance`.
    AttachNetworkInterface {
        eni_id: String,
        instance: Val,
        device_index: i32,
    },
    /// Moves a secondary private IP to `to`'s primary network interface (AllowReassignment); done once
    /// it reads back there and on no other interface.
    MovePrivateIp {
        ip: String,
        from: String,
        to: Val,
    },
    DeleteSnapshot {
        snapshot: String,
    },
    DeregisterImage {
        image: Val,
    },
    /// Waits until an Auto Scaling group is whole and quiet: no instance refresh, no lifecycle-hook
    /// wait, and at least `desired` members InService and healthy. Calls nothing that changes.
    GroupGuard {
        group: String,
    },
    /// Moves a member to Standby (out of its target groups, drained, no longer health-checked, so
    /// the group does not replace it); done once it is in Standby and drained everywhere.
    EnterStandby {
        group: String,
        instance: String,
        /// Decrement desired (the group shrinks by one) or not (it launches a stand-in).
        decrement: bool,
    },
    /// Back into service; done once InService and healthy in every target group of the group.
    ExitStandby {
        group: String,
        instance: String,
    },
    /// Sets a group's sizes and subnets; `was` is the shape before, for the rollback. Done once the
    /// group reads back with them.
    ShapeGroup {
        group: String,
        to: GroupShape,
        was: GroupShape,
    },
    /// Waits until the group has `count` members InService and healthy in `az` (every target group
    /// of the group counts them healthy), and `desired` in service overall.
    WaitGroupInAz {
        group: String,
        az: String,
        count: usize,
    },
    /// Terminates a member through its group without decrementing: done once it is gone and the
    /// group has its desired members InService and healthy again (the replacement is `output`).
    ReplaceMember {
        group: String,
        instance: String,
        output: String,
    },
    /// Sets a group's desired capacity back to what the run found (after a stand-in was launched);
    /// done once it reads back with it and that many members are in service.
    RestoreDesired {
        group: String,
        desired: i32,
    },
    SuspendProcesses {
        group: String,
        processes: Vec<String>,
    },
    ResumeProcesses {
        group: String,
        processes: Vec<String>,
    },
}

/// A group's sizes and subnets, as `ShapeGroup` sets them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupShape {
    pub min: i32,
    pub max: i32,
    pub desired: i32,
    pub subnet_ids: Vec<String>,
}

impl GroupShape {
    pub fn of(g: &opsdeck_core::domain::AutoScalingGroup) -> Self {
        GroupShape {
            min: g.min_size,
            max: g.max_size,
            desired: g.desired_capacity,
            subnet_ids: g.subnet_ids.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Same sizes and the same subnets (in any order).
    pub fn same_as(&self, other: &GroupShape) -> bool {
        let sorted = |v: &[String]| {
            let mut v = v.to_vec();
            v.sort();
            v
        };
        self.min == other.min
            && self.max == other.max
            && self.desired == other.desired
            && sorted(&self.subnet_ids) == sorted(&other.subnet_ids)
    }

    pub fn describe(&self) -> String {
        format!(
            "min {} / desired {} / max {}, {} subnet(s)",
            self.min,
            self.desired,
            self.max,
            self.subnet_ids.len()
        )
    }
}

impl Action {
    /// A reboot leaves no lasting trace to re-observe once the instance is back.
    pub fn is_reboot(&self) -> bool {
        matches!(self, Action::RebootInstance { .. })
    }

    /// The API calls this step may make (shown in the plan).
    pub fn calls(&self) -> &'static str {
        match self {
            Action::CapacityGuard { .. } => "DescribeTargetHealth",
            Action::DeregisterTarget { .. } => "elbv2:DeregisterTargets, DescribeTargetHealth",
            Action::RegisterTarget { .. } => "elbv2:RegisterTargets, DescribeTargetHealth",
            Action::RebootInstance { .. } => "ec2:RebootInstances, DescribeInstanceStatus",
            Action::StopInstance { .. } => "ec2:StopInstances, DescribeInstances",
            Action::StartInstance { .. } => "ec2:StartInstances, DescribeInstanceStatus",
            Action::RescheduleEvent { .. } => "ec2:ModifyInstanceEventStartTime",
            Action::CreateImage { .. } => "ec2:CreateImage, DescribeImages",
            Action::LaunchClone { .. } => "ec2:RunInstances (client token), DescribeInstanceStatus",
            Action::CreateSnapshot { .. } => "ec2:CreateSnapshot, DescribeSnapshots",
            Action::CreateSnapshotSet { .. } => {
                "ec2:CreateSnapshots (one call for every volume), DescribeSnapshots"
            }
            Action::WaitSnapshots { .. } => "DescribeSnapshots",
            Action::RestoreVolume { .. } => "ec2:CreateVolume, DescribeVolumes",
            Action::AttachVolume { .. } => "ec2:AttachVolume, DescribeVolumes",
            Action::DetachVolume { .. } => "ec2:DetachVolume, DescribeVolumes",
            Action::AssociateAddress { .. } => "ec2:AssociateAddress, DescribeAddresses",
            Action::DisassociateAddress { .. } => "ec2:DisassociateAddress, DescribeAddresses",
            Action::DetachNetworkInterface { .. } => {
                "ec2:DetachNetworkInterface, DescribeNetworkInterfaces"
            }
            Action::AttachNetworkInterface { .. } => {
                "ec2:AttachNetworkInterface, DescribeNetworkInterfaces"
            }
            Action::MovePrivateIp { .. } => {
                "ec2:AssignPrivateIpAddresses (AllowReassignment), DescribeNetworkInterfaces"
            }
            Action::DeleteSnapshot { .. } => "ec2:DeleteSnapshot",
            Action::DeregisterImage { .. } => "ec2:DeregisterImage",
            Action::GroupGuard { .. } => "DescribeAutoScalingGroups, DescribeTargetHealth",
            Action::EnterStandby { .. } => {
                "autoscaling:EnterStandby, DescribeAutoScalingGroups, DescribeTargetHealth"
            }
            Action::ExitStandby { .. } => {
                "autoscaling:ExitStandby, DescribeAutoScalingGroups, DescribeTargetHealth"
            }
            Action::ShapeGroup { .. } => {
                "autoscaling:UpdateAutoScalingGroup, DescribeAutoScalingGroups"
            }
            Action::WaitGroupInAz { .. } => "DescribeAutoScalingGroups, DescribeTargetHealth",
            Action::ReplaceMember { .. } => {
                "autoscaling:TerminateInstanceInAutoScalingGroup, DescribeAutoScalingGroups, DescribeTargetHealth"
            }
            Action::RestoreDesired { .. } => {
                "autoscaling:UpdateAutoScalingGroup (desired), DescribeAutoScalingGroups"
            }
            Action::SuspendProcesses { .. } => "autoscaling:SuspendProcesses",
            Action::ResumeProcesses { .. } => "autoscaling:ResumeProcesses",
        }
    }

    /// Whether the step changes anything (and so needs approval and a dry run).
    pub fn is_mutating(&self) -> bool {
        !matches!(
            self,
            Action::CapacityGuard { .. }
                | Action::WaitSnapshots { .. }
                | Action::GroupGuard { .. }
                | Action::WaitGroupInAz { .. }
        )
    }

    /// Destructive steps need the resource id typed to approve them.
    pub fn is_destructive(&self) -> bool {
        matches!(
            self,
            Action::DeregisterTarget { .. }
                | Action::StopInstance { .. }
                | Action::DetachVolume { .. }
                | Action::DetachNetworkInterface { .. }
                | Action::DeleteSnapshot { .. }
                | Action::DisassociateAddress { .. }
                | Action::DeregisterImage { .. }
                | Action::ReplaceMember { .. }
        )
    }

    /// The id an operator types to approve a destructive step.
    pub fn confirm_id(&self) -> Option<String> {
        match self {
            Action::DeregisterTarget { target, .. } => Some(target.id.clone()),
            Action::StopInstance { instance } => Some(instance.clone()),
            Action::DetachVolume { volume, .. } => Some(volume.clone()),
            Action::DetachNetworkInterface { eni_id, .. } => Some(eni_id.clone()),
            Action::DeleteSnapshot { snapshot } => Some(snapshot.clone()),
            Action::DisassociateAddress { allocation_id, .. } => Some(allocation_id.clone()),
            // An image made earlier in the same run has no id to type before the run: it asks plainly.
            Action::DeregisterImage {
                image: Val::Lit(id),
            } => Some(id.clone()),
            Action::ReplaceMember { instance, .. } => Some(instance.clone()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub title: String,
    pub action: Action,
    pub resources: Vec<String>,
    /// How long it should take (e.g. the group's deregistration delay).
    pub expected_secs: u64,
    /// Give up (and stop the run) after this long.
    pub timeout_secs: u64,
}

impl Step {
    /// The action's serialized tag (`deregister_target`...), for tables and tests.
    pub fn action_name(&self) -> &'static str {
        match &self.action {
            Action::CapacityGuard { .. } => "capacity_guard",
            Action::DeregisterTarget { .. } => "deregister_target",
            Action::RegisterTarget { .. } => "register_target",
            Action::RebootInstance { .. } => "reboot_instance",
            Action::StopInstance { .. } => "stop_instance",
            Action::StartInstance { .. } => "start_instance",
            Action::RescheduleEvent { .. } => "reschedule_event",
            Action::CreateImage { .. } => "create_image",
            Action::LaunchClone { .. } => "launch_clone",
            Action::CreateSnapshot { .. } => "create_snapshot",
            Action::CreateSnapshotSet { .. } => "create_snapshot_set",
            Action::WaitSnapshots { .. } => "wait_snapshots",
            Action::RestoreVolume { .. } => "restore_volume",
            Action::AttachVolume { .. } => "attach_volume",
            Action::DetachVolume { .. } => "detach_volume",
            Action::AssociateAddress { .. } => "associate_address",
            Action::DisassociateAddress { .. } => "disassociate_address",
            Action::DetachNetworkInterface { .. } => "detach_network_interface",
            Action::AttachNetworkInterface { .. } => "attach_network_interface",
            Action::MovePrivateIp { .. } => "move_private_ip",
            Action::DeleteSnapshot { .. } => "delete_snapshot",
            Action::DeregisterImage { .. } => "deregister_image",
            Action::GroupGuard { .. } => "group_guard",
            Action::EnterStandby { .. } => "enter_standby",
            Action::ExitStandby { .. } => "exit_standby",
            Action::ShapeGroup { .. } => "shape_group",
            Action::WaitGroupInAz { .. } => "wait_group_in_az",
            Action::ReplaceMember { .. } => "replace_member",
            Action::RestoreDesired { .. } => "restore_desired",
            Action::SuspendProcesses { .. } => "suspend_processes",
            Action::ResumeProcesses { .. } => "resume_processes",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub runbook: String,
    pub region: String,
    pub args: serde_json::Value,
    pub steps: Vec<Step>,
    /// What the operator must know before approving: outages, data-loss windows, quiescing.
    pub notes: Vec<String>,
}

impl Plan {
    /// The healthy floor the run keeps: never a group's last target, and per AZ what
    /// `--floor-per-az` asked for (recorded in the plan's arguments, so a resume keeps it).
    pub fn floor(&self) -> Floor {
        Floor {
            per_group: 1,
            per_az: self
                .args
                .get("floor_per_az")
                .and_then(|v| v.as_u64())
                .map(|n| n as usize),
        }
    }

    pub fn expected_secs(&self) -> u64 {
        self.steps.iter().map(|s| s.expected_secs).sum()
    }

    /// A checksum of the plan's content: resume refuses a journal whose plan does not match it.
    pub fn checksum(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        let digest = Sha256::digest(&bytes);
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_move_journaled_before_its_origin_was_recorded_keeps_its_checksum() {
        // A journal written by an earlier opsdeck: no `was`. It must read, and write back the same
        // bytes, or the plan's checksum no longer matches and the run cannot be resumed.
        let old = r#"{"action":"associate_address","allocation_id":"eipalloc-1","target":{"instance":{"output":"replacement"}},"output":"association"}"#;
        let a: Action = serde_json::from_str(old).expect("reads");
        assert!(matches!(a, Action::AssociateAddress { was: None, .. }));
        assert_eq!(serde_json::to_string(&a).expect("writes"), old);
    }

    #[test]
    fn every_step_that_removes_something_is_destructive() {
        let known = Action::DeregisterImage {
            image: Val::lit("ami-1"),
        };
        assert!(known.is_destructive());
        assert_eq!(known.confirm_id().as_deref(), Some("ami-1"));
        let made_in_run = Action::DeregisterImage {
            image: Val::Output("image".into()),
        };
        assert!(made_in_run.is_destructive());
        assert_eq!(made_in_run.confirm_id(), None);
        assert!(
            Action::DeleteSnapshot {
                snapshot: "snap-1".into()
            }
            .is_destructive()
        );
    }
}
