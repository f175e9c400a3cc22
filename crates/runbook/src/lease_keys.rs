//! What a plan leases: every resource its steps change, every Auto Scaling group it works on, and
//! every target group it takes capacity from (the ones its instances serve, read fresh when the run
//! starts, so a capacity pool is leased even when the plan never names it).

use super::plan::{Action, AddressMove, Plan, Val};
use opsdeck_core::cloud::{CloudRead, CloudResult, LeaseKey};
use std::collections::BTreeSet;

fn lit(v: &Val) -> Option<&str> {
    match v {
        Val::Lit(s) => Some(s),
        Val::Output(_) => None,
    }
}

/// The keys a plan's steps name directly, and the instances whose target groups are its pools.
fn direct(plan: &Plan) -> (BTreeSet<LeaseKey>, BTreeSet<String>, BTreeSet<String>) {
    let r = plan.region.as_str();
    let mut keys = BTreeSet::new();
    let mut serving = BTreeSet::new();
    let mut groups = BTreeSet::new();
    let res = |id: &str, keys: &mut BTreeSet<LeaseKey>| {
        keys.insert(LeaseKey::resource(r, id));
    };
    for s in &plan.steps {
        match &s.action {
            Action::CapacityGuard { instance } => {
                serving.insert(instance.clone());
                res(instance, &mut keys);
            }
            Action::DeregisterTarget {
                target_group_arn,
                target,
            } => {
                keys.insert(LeaseKey::target_group(target_group_arn));
                res(&target.id, &mut keys);
            }
            Action::RegisterTarget {
                target_group_arn,
                target,
                ..
            } => {
                keys.insert(LeaseKey::target_group(target_group_arn));
                if let Some(id) = lit(target) {
                    res(id, &mut keys);
                }
            }
            Action::RebootInstance { instance, .. }
            | Action::StopInstance { instance }
            | Action::StartInstance { instance }
            | Action::RescheduleEvent { instance, .. }
            | Action::CreateImage { instance, .. } => res(instance, &mut keys),
            Action::LaunchClone { .. } | Action::WaitSnapshots { .. } => {}
            Action::CreateSnapshot { volume, .. } => res(volume, &mut keys),
            Action::CreateSnapshotSet {
                instance,
                snapshots,
                ..
            } => {
                if !instance.is_empty() {
                    res(instance, &mut keys);
                }
                for x in snapshots {
                    res(&x.volume, &mut keys);
                }
            }
            Action::RestoreVolume { snapshot, .. } => {
                if let Some(id) = lit(snapshot) {
                    res(id, &mut keys);
                }
            }
            Action::AttachVolume {
                volume, instance, ..
            } => {
                for v in [volume, instance] {
                    if let Some(id) = lit(v) {
                        res(id, &mut keys);
                    }
                }
            }
            Action::DetachVolume {
                volume, instance, ..
            } => {
                res(volume, &mut keys);
                res(instance, &mut keys);
            }
            Action::AssociateAddress { allocation_id, .. }
            | Action::DisassociateAddress { allocation_id, .. } => res(allocation_id, &mut keys),
            Action::DetachNetworkInterface { eni_id, .. }
            | Action::AttachNetworkInterface { eni_id, .. } => res(eni_id, &mut keys),
            Action::MovePrivateIp { ip, from, .. } => {
                res(ip, &mut keys);
                res(from, &mut keys);
            }
            Action::DeleteSnapshot { snapshot } => res(snapshot, &mut keys),
            Action::DeregisterImage { image } => {
                if let Some(id) = lit(image) {
                    res(id, &mut keys);
                }
            }
            Action::EnterStandby {
                group, instance, ..
            }
            | Action::ExitStandby { group, instance }
            | Action::ReplaceMember {
                group, instance, ..
            } => {
                groups.insert(group.clone());
                serving.insert(instance.clone());
                res(instance, &mut keys);
            }
            Action::GroupGuard { group }
            | Action::ShapeGroup { group, .. }
            | Action::WaitGroupInAz { group, .. }
            | Action::RestoreDesired { group, .. }
            | Action::SuspendProcesses { group, .. }
            | Action::ResumeProcesses { group, .. } => {
                groups.insert(group.clone());
            }
        }
        if let Action::AssociateAddress {
            target: AddressMove::NetworkInterface { eni_id, .. },
            ..
        } = &s.action
        {
            res(eni_id, &mut keys);
        }
    }
    for g in &groups {
        keys.insert(LeaseKey::group(r, g));
    }
    (keys, serving, groups)
}

/// Every key the run holds: the direct ones, plus the target groups its instances serve and its
/// groups' target groups, read now.
pub async fn lease_keys(read: &dyn CloudRead, plan: &Plan) -> CloudResult<Vec<LeaseKey>> {
    let (mut keys, serving, groups) = direct(plan);
    if !serving.is_empty() {
        for tg in read.target_groups().await? {
            let th = read.target_health(&tg.arn).await?;
            if th.iter().any(|t| serving.contains(t.target_id.as_str())) {
                keys.insert(LeaseKey::target_group(&tg.arn));
            }
        }
    }
    for name in &groups {
        if let Some(g) = read.auto_scaling_group(name).await? {
            for arn in &g.target_group_arns {
                keys.insert(LeaseKey::target_group(arn));
            }
        }
    }
    Ok(keys.into_iter().collect())
}
