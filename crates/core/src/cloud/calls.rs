//! The write vocabulary: every mutation a port can make, as one typed value. The audit decorator,
//! the simulator (and its fault rules), the console and the runbooks all name and dispatch a call
//! through it, so a call's AWS name comes from one `name()` and a new call is added here, in the two
//! adapters' dispatch, and in the one runbook action that uses it.

use super::values::{AddressTarget, LaunchSpec, SnapshotOfVolume, TargetRef, VolumeSpec, Written};
use crate::domain::{Tag, Timestamp};
use serde::{Deserialize, Serialize};

/// One mutating call, with everything it needs except the region (the port's) and DryRun.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum WriteCall {
    StartInstances {
        ids: Vec<String>,
    },
    StopInstances {
        ids: Vec<String>,
        force: bool,
    },
    RebootInstances {
        ids: Vec<String>,
    },
    TerminateInstances {
        ids: Vec<String>,
    },
    /// Produces the new image id.
    CreateImage {
        instance_id: String,
        name: String,
        description: String,
        no_reboot: bool,
        tags: Vec<Tag>,
    },
    DeregisterImage {
        image_id: String,
    },
    /// Produces the new instance ids.
    RunInstances {
        spec: LaunchSpec,
    },
    /// Produces the new volume id.
    CreateVolume {
        spec: VolumeSpec,
    },
    AttachVolume {
        volume_id: String,
        instance_id: String,
        device: String,
    },
    /// Detaches from the named instance only: a volume that moved meanwhile is never detached
    /// elsewhere. (AWS makes the instance optional; moto requires it.)
    DetachVolume {
        volume_id: String,
        instance_id: String,
        force: bool,
    },
    DeleteVolume {
        volume_id: String,
    },
    /// Produces the new snapshot id.
    CreateSnapshot {
        volume_id: String,
        description: String,
        tags: Vec<Tag>,
    },
    /// EC2 `CreateSnapshots`: one call that snapshots every EBS volume attached to the instance
    /// (root included) at one point in time, crash-consistent across the volumes. The tags go on
    /// every snapshot; `copy_tags_from_source` also copies each volume's own tags to its snapshot.
    /// Produces the snapshot of each volume.
    CreateSnapshots {
        instance_id: String,
        description: String,
        tags: Vec<Tag>,
        copy_tags_from_source: bool,
    },
    /// Copies a snapshot from `source_region` into the port's region; produces the copy's id.
    CopySnapshot {
        source_region: String,
        snapshot_id: String,
        description: String,
    },
    DeleteSnapshot {
        snapshot_id: String,
    },
    RegisterTargets {
        target_group_arn: String,
        targets: Vec<TargetRef>,
    },
    DeregisterTargets {
        target_group_arn: String,
        targets: Vec<TargetRef>,
    },
    /// Produces the association id.
    AssociateAddress {
        allocation_id: String,
        target: AddressTarget,
        allow_reassociation: bool,
    },
    DisassociateAddress {
        association_id: String,
    },
    /// Produces the attachment id.
    AttachNetworkInterface {
        eni_id: String,
        instance_id: String,
        device_index: i32,
    },
    DetachNetworkInterface {
        attachment_id: String,
        force: bool,
    },
    AssignPrivateIps {
        eni_id: String,
        ips: Vec<String>,
        allow_reassignment: bool,
    },
    UnassignPrivateIps {
        eni_id: String,
        ips: Vec<String>,
    },
    CreateTags {
        resource_ids: Vec<String>,
        tags: Vec<Tag>,
    },
    /// Reschedules an instance event (only events with a deadline; AWS's rules apply).
    RescheduleInstanceEvent {
        instance_id: String,
        event_id: String,
        not_before: Timestamp,
    },
    /// Moves group members to Standby: out of service (deregistered from the group's load
    /// balancers, drained) and no longer health-checked, so they are not replaced while worked on.
    /// Without `decrement_desired` the group launches a replacement for each.
    EnterStandby {
        group: String,
        instance_ids: Vec<String>,
        decrement_desired: bool,
    },
    /// Back into service (registered again); the group's desired capacity rises by one each.
    ExitStandby {
        group: String,
        instance_ids: Vec<String>,
    },
    SuspendProcesses {
        group: String,
        processes: Vec<String>,
    },
    ResumeProcesses {
        group: String,
        processes: Vec<String>,
    },
    /// Changes a group's sizes and/or subnets (`None`: left as it is).
    UpdateAutoScalingGroup {
        group: String,
        min_size: Option<i32>,
        max_size: Option<i32>,
        desired_capacity: Option<i32>,
        subnet_ids: Option<Vec<String>>,
    },
    /// Terminates a member through its group; without `decrement_desired` the group replaces it.
    TerminateInstanceInAutoScalingGroup {
        instance_id: String,
        decrement_desired: bool,
    },
}

/// The AWS service a call goes to (for its error shapes and IAM prefix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApiService {
    Ec2,
    Elb,
    AutoScaling,
}

impl ApiService {
    /// The IAM action prefix (`ec2:StopInstances`).
    pub fn iam_prefix(self) -> &'static str {
        match self {
            ApiService::Ec2 => "ec2",
            ApiService::Elb => "elasticloadbalancing",
            ApiService::AutoScaling => "autoscaling",
        }
    }
}

impl WriteCall {
    /// The AWS API action, as the audit log, the simulator's call log and fault rules name it.
    pub fn name(&self) -> &'static str {
        match self {
            WriteCall::StartInstances { .. } => "StartInstances",
            WriteCall::StopInstances { .. } => "StopInstances",
            WriteCall::RebootInstances { .. } => "RebootInstances",
            WriteCall::TerminateInstances { .. } => "TerminateInstances",
            WriteCall::CreateImage { .. } => "CreateImage",
            WriteCall::DeregisterImage { .. } => "DeregisterImage",
            WriteCall::RunInstances { .. } => "RunInstances",
            WriteCall::CreateVolume { .. } => "CreateVolume",
            WriteCall::AttachVolume { .. } => "AttachVolume",
            WriteCall::DetachVolume { .. } => "DetachVolume",
            WriteCall::DeleteVolume { .. } => "DeleteVolume",
            WriteCall::CreateSnapshot { .. } => "CreateSnapshot",
            WriteCall::CreateSnapshots { .. } => "CreateSnapshots",
            WriteCall::CopySnapshot { .. } => "CopySnapshot",
            WriteCall::DeleteSnapshot { .. } => "DeleteSnapshot",
            WriteCall::RegisterTargets { .. } => "RegisterTargets",
            WriteCall::DeregisterTargets { .. } => "DeregisterTargets",
            WriteCall::AssociateAddress { .. } => "AssociateAddress",
            WriteCall::DisassociateAddress { .. } => "DisassociateAddress",
            WriteCall::AttachNetworkInterface { .. } => "AttachNetworkInterface",
            WriteCall::DetachNetworkInterface { .. } => "DetachNetworkInterface",
            WriteCall::AssignPrivateIps { .. } => "AssignPrivateIpAddresses",
            WriteCall::UnassignPrivateIps { .. } => "UnassignPrivateIpAddresses",
            WriteCall::CreateTags { .. } => "CreateTags",
            WriteCall::RescheduleInstanceEvent { .. } => "ModifyInstanceEventStartTime",
            WriteCall::EnterStandby { .. } => "EnterStandby",
            WriteCall::ExitStandby { .. } => "ExitStandby",
            WriteCall::SuspendProcesses { .. } => "SuspendProcesses",
            WriteCall::ResumeProcesses { .. } => "ResumeProcesses",
            WriteCall::UpdateAutoScalingGroup { .. } => "UpdateAutoScalingGroup",
            WriteCall::TerminateInstanceInAutoScalingGroup { .. } => {
                "TerminateInstanceInAutoScalingGroup"
            }
        }
    }

    pub fn service(&self) -> ApiService {
        match self {
            WriteCall::RegisterTargets { .. } | WriteCall::DeregisterTargets { .. } => {
                ApiService::Elb
            }
            WriteCall::EnterStandby { .. }
            | WriteCall::ExitStandby { .. }
            | WriteCall::SuspendProcesses { .. }
            | WriteCall::ResumeProcesses { .. }
            | WriteCall::UpdateAutoScalingGroup { .. }
            | WriteCall::TerminateInstanceInAutoScalingGroup { .. } => ApiService::AutoScaling,
            _ => ApiService::Ec2,
        }
    }

    /// `ec2:StopInstances`: the IAM action an operator needs for this call.
    pub fn iam_action(&self) -> String {
        format!("{}:{}", self.service().iam_prefix(), self.name())
    }

    /// Whether the API itself takes DryRun. The others (ELBv2, Auto Scaling, private IPs) validate
    /// by reading when asked for a dry run, and answer the same way.
    pub fn has_dry_run(&self) -> bool {
        self.service() == ApiService::Ec2
            && !matches!(
                self,
                WriteCall::AssignPrivateIps { .. } | WriteCall::UnassignPrivateIps { .. }
            )
    }

    /// The resources the call names (what the audit log records before anything is produced).
    pub fn resources(&self) -> Vec<String> {
        let one = |s: &String| vec![s.clone()];
        match self {
            WriteCall::StartInstances { ids }
            | WriteCall::StopInstances { ids, .. }
            | WriteCall::RebootInstances { ids }
            | WriteCall::TerminateInstances { ids } => ids.clone(),
            WriteCall::CreateImage { instance_id, .. } => one(instance_id),
            WriteCall::DeregisterImage { image_id } => one(image_id),
            WriteCall::RunInstances { spec } => vec![spec.image_id.clone(), spec.subnet_id.clone()],
            WriteCall::CreateVolume { spec } => std::iter::once(spec.az.clone())
                .chain(spec.snapshot_id.iter().cloned())
                .collect(),
            WriteCall::AttachVolume {
                volume_id,
                instance_id,
                ..
            }
            | WriteCall::DetachVolume {
                volume_id,
                instance_id,
                ..
            } => vec![volume_id.clone(), instance_id.clone()],
            WriteCall::DeleteVolume { volume_id } => one(volume_id),
            WriteCall::CreateSnapshot { volume_id, .. } => one(volume_id),
            WriteCall::CreateSnapshots { instance_id, .. } => one(instance_id),
            WriteCall::CopySnapshot { snapshot_id, .. } => one(snapshot_id),
            WriteCall::DeleteSnapshot { snapshot_id } => one(snapshot_id),
            WriteCall::RegisterTargets {
                target_group_arn,
                targets,
            }
            | WriteCall::DeregisterTargets {
                target_group_arn,
                targets,
            } => std::iter::once(target_group_arn.clone())
                .chain(targets.iter().map(|t| t.id.clone()))
                .collect(),
            WriteCall::AssociateAddress {
                allocation_id,
                target,
                ..
            } => vec![
                allocation_id.clone(),
                match target {
                    AddressTarget::Instance(i) => i.clone(),
                    AddressTarget::NetworkInterface { eni_id, .. } => eni_id.clone(),
                },
            ],
            WriteCall::DisassociateAddress { association_id } => one(association_id),
            WriteCall::AttachNetworkInterface {
                eni_id,
                instance_id,
                ..
            } => vec![eni_id.clone(), instance_id.clone()],
            WriteCall::DetachNetworkInterface { attachment_id, .. } => one(attachment_id),
            WriteCall::AssignPrivateIps { eni_id, ips, .. }
            | WriteCall::UnassignPrivateIps { eni_id, ips } => std::iter::once(eni_id.clone())
                .chain(ips.iter().cloned())
                .collect(),
            WriteCall::CreateTags { resource_ids, .. } => resource_ids.clone(),
            WriteCall::RescheduleInstanceEvent {
                instance_id,
                event_id,
                ..
            } => vec![instance_id.clone(), event_id.clone()],
            WriteCall::EnterStandby {
                group,
                instance_ids,
                ..
            }
            | WriteCall::ExitStandby {
                group,
                instance_ids,
            } => std::iter::once(group.clone())
                .chain(instance_ids.iter().cloned())
                .collect(),
            WriteCall::SuspendProcesses { group, .. }
            | WriteCall::ResumeProcesses { group, .. }
            | WriteCall::UpdateAutoScalingGroup { group, .. } => one(group),
            WriteCall::TerminateInstanceInAutoScalingGroup { instance_id, .. } => one(instance_id),
        }
    }
}

/// What a successful call produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Produced {
    Nothing,
    /// A new image, volume, snapshot, association or attachment id.
    Id(String),
    /// New instance ids.
    Ids(Vec<String>),
    /// New snapshots, one per volume (`CreateSnapshots`).
    Snapshots(Vec<SnapshotOfVolume>),
}

impl Produced {
    /// The ids it names (none for `Nothing`).
    pub fn ids(&self) -> Vec<String> {
        match self {
            Produced::Nothing => Vec::new(),
            Produced::Id(id) => vec![id.clone()],
            Produced::Ids(ids) => ids.clone(),
            Produced::Snapshots(s) => s.iter().map(|s| s.snapshot_id.clone()).collect(),
        }
    }
}

/// How an adapter's typed call result becomes the port's answer.
pub trait IntoProduced {
    fn produced(self) -> Written<Produced>;
}

impl IntoProduced for Written<()> {
    fn produced(self) -> Written<Produced> {
        Written::new(Produced::Nothing, self.request_id)
    }
}

impl IntoProduced for Written<String> {
    fn produced(self) -> Written<Produced> {
        Written::new(Produced::Id(self.value), self.request_id)
    }
}

impl IntoProduced for Written<Vec<String>> {
    fn produced(self) -> Written<Produced> {
        Written::new(Produced::Ids(self.value), self.request_id)
    }
}

impl IntoProduced for Written<Vec<SnapshotOfVolume>> {
    fn produced(self) -> Written<Produced> {
        Written::new(Produced::Snapshots(self.value), self.request_id)
    }
}
