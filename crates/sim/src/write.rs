//! `CloudWrite` over the simulated world. Every answer carries a request id. EC2 calls honour DryRun
//! like EC2 (validate, then `DryRunOperation`); the ELBv2 and private-IP calls have no DryRun in AWS, so
//! — exactly like the AWS adapter — a dry run only checks by reading (the read action's permission and
//! that the resource exists).

use super::Sim;
use super::world::World;
use async_trait::async_trait;
use opsdeck_core::cloud::*;
use opsdeck_core::domain::{Tag, Tags};

/// The write port of one simulated region. Only a read-write session is ever handed one.
pub struct SimWrite {
    pub(crate) sim: Sim,
    pub(crate) region: String,
}

fn dry_ok<T>() -> CloudResult<T> {
    Err(CloudError::dry_run_ok(
        "checked by reading (this call has no DryRun)",
    ))
}

impl World {
    pub(crate) fn create_tags(
        &mut self,
        region: &str,
        resource_ids: &[String],
        tags: &[Tag],
        dry_run: bool,
    ) -> CloudResult<()> {
        let r = self.region(region)?;
        for t in tags {
            if t.key.starts_with("aws:") {
                return Err(super::world::err(
                    "InvalidParameterValue",
                    format!(
                        "Tag keys starting with 'aws:' are reserved for internal use: {}",
                        t.key
                    ),
                ));
            }
        }
        for id in resource_ids {
            let known = r.instances.contains_key(id)
                || r.volumes.contains_key(id)
                || r.snapshots.contains_key(id)
                || r.images.contains_key(id)
                || r.enis.contains_key(id)
                || r.eips.contains_key(id)
                || r.subnets.contains_key(id)
                || *id == r.vpc_id;
            if !known {
                let code = match id.split('-').next().unwrap_or_default() {
                    "i" => "InvalidInstanceID.NotFound",
                    "vol" => "InvalidVolume.NotFound",
                    "snap" => "InvalidSnapshot.NotFound",
                    "ami" => "InvalidAMIID.NotFound",
                    "eni" => "InvalidNetworkInterfaceID.NotFound",
                    "eipalloc" => "InvalidAllocationID.NotFound",
                    "subnet" => "InvalidSubnetID.NotFound",
                    _ => "InvalidID",
                };
                return Err(super::world::err(
                    code,
                    format!("The ID '{id}' does not exist"),
                ));
            }
        }
        if dry_run {
            return Err(CloudError::dry_run_ok(
                "Request would have succeeded, but DryRun flag is set.",
            ));
        }
        let r = self.region_mut(region)?;
        let apply = |t: &mut Tags| {
            for tag in tags {
                t.insert(tag.key.clone(), tag.value.clone());
            }
        };
        for id in resource_ids {
            if let Some(x) = r.instances.get_mut(id) {
                apply(&mut x.inst.tags);
            } else if let Some(x) = r.volumes.get_mut(id) {
                apply(&mut x.vol.tags);
            } else if let Some(x) = r.snapshots.get_mut(id) {
                apply(&mut x.snap.tags);
            } else if let Some(x) = r.images.get_mut(id) {
                apply(&mut x.tags);
            } else if let Some(x) = r.enis.get_mut(id) {
                apply(&mut x.eni.tags);
            } else if let Some(x) = r.eips.get_mut(id) {
                apply(&mut x.tags);
            } else if let Some(x) = r.subnets.get_mut(id) {
                apply(&mut x.subnet.tags);
            }
        }
        Ok(())
    }
}

impl World {
    /// One write call against `region`: the simulator's single dispatch of the write vocabulary.
    /// Calls whose API has no DryRun (ELBv2, private IPs) answer a dry run by reading, as the AWS
    /// adapter does.
    fn apply_write(&mut self, region: &str, call: &WriteCall, d: bool) -> CloudResult<Produced> {
        use WriteCall as C;
        let nothing = |r: CloudResult<()>| r.map(|()| Produced::Nothing);
        match call {
            C::StartInstances { ids } => nothing(self.start_instances(region, ids, d)),
            C::StopInstances { ids, force } => nothing(self.stop_instances(region, ids, *force, d)),
            C::RebootInstances { ids } => nothing(self.reboot_instances(region, ids, d)),
            C::TerminateInstances { ids } => nothing(self.terminate_instances(region, ids, d)),
            C::CreateImage {
                instance_id,
                name,
                description,
                no_reboot,
                tags,
            } => self
                .create_image(region, instance_id, name, description, *no_reboot, tags, d)
                .map(Produced::Id),
            C::DeregisterImage { image_id } => nothing(self.deregister_image(region, image_id, d)),
            C::RunInstances { spec } => self.run_instances(region, spec, d).map(Produced::Ids),
            C::CreateVolume { spec } => self.create_volume(region, spec, d).map(Produced::Id),
            C::AttachVolume {
                volume_id,
                instance_id,
                device,
            } => nothing(self.attach_volume(region, volume_id, instance_id, device, d)),
            C::DetachVolume {
                volume_id,
                instance_id,
                force,
            } => nothing(self.detach_volume(region, volume_id, instance_id, *force, d)),
            C::DeleteVolume { volume_id } => nothing(self.delete_volume(region, volume_id, d)),
            C::CreateSnapshot {
                volume_id,
                description,
                tags,
            } => self
                .create_snapshot(region, volume_id, description, tags, d)
                .map(Produced::Id),
            C::CreateSnapshots {
                instance_id,
                description,
                tags,
                copy_tags_from_source,
            } => self
                .create_snapshots(
                    region,
                    instance_id,
                    description,
                    tags,
                    *copy_tags_from_source,
                    d,
                )
                .map(Produced::Snapshots),
            C::CopySnapshot {
                source_region,
                snapshot_id,
                description,
            } => self
                .copy_snapshot(region, source_region, snapshot_id, description, d)
                .map(Produced::Id),
            C::DeleteSnapshot { snapshot_id } => {
                nothing(self.delete_snapshot(region, snapshot_id, d))
            }
            C::RegisterTargets {
                target_group_arn, ..
            }
            | C::DeregisterTargets {
                target_group_arn, ..
            } if d => self
                .check_target_group(region, target_group_arn)
                .and_then(|_| dry_ok()),
            C::RegisterTargets {
                target_group_arn,
                targets,
            } => nothing(self.register_targets(region, target_group_arn, targets)),
            C::DeregisterTargets {
                target_group_arn,
                targets,
            } => nothing(self.deregister_targets(region, target_group_arn, targets)),
            C::AssociateAddress {
                allocation_id,
                target,
                allow_reassociation,
            } => self
                .associate_address(region, allocation_id, target, *allow_reassociation, d)
                .map(Produced::Id),
            C::DisassociateAddress { association_id } => {
                nothing(self.disassociate_address(region, association_id, d))
            }
            C::AttachNetworkInterface {
                eni_id,
                instance_id,
                device_index,
            } => self
                .attach_network_interface(region, eni_id, instance_id, *device_index, d)
                .map(Produced::Id),
            C::DetachNetworkInterface {
                attachment_id,
                force,
            } => nothing(self.detach_network_interface(region, attachment_id, *force, d)),
            C::AssignPrivateIps { eni_id, .. } | C::UnassignPrivateIps { eni_id, .. } if d => {
                self.check_eni(region, eni_id).and_then(|_| dry_ok())
            }
            C::AssignPrivateIps {
                eni_id,
                ips,
                allow_reassignment,
            } => nothing(self.assign_private_ips(region, eni_id, ips, *allow_reassignment)),
            C::UnassignPrivateIps { eni_id, ips } => {
                nothing(self.unassign_private_ips(region, eni_id, ips))
            }
            C::CreateTags { resource_ids, tags } => {
                nothing(self.create_tags(region, resource_ids, tags, d))
            }
            C::RescheduleInstanceEvent {
                instance_id,
                event_id,
                not_before,
            } => nothing(self.reschedule_event(region, instance_id, event_id, *not_before, d)),
            C::EnterStandby {
                group,
                instance_ids,
                decrement_desired,
            } => nothing(self.enter_standby(region, group, instance_ids, *decrement_desired, d)),
            C::ExitStandby {
                group,
                instance_ids,
            } => nothing(self.exit_standby(region, group, instance_ids, d)),
            C::SuspendProcesses { group, processes } => {
                nothing(self.suspend_or_resume(region, group, processes, true, d))
            }
            C::ResumeProcesses { group, processes } => {
                nothing(self.suspend_or_resume(region, group, processes, false, d))
            }
            C::UpdateAutoScalingGroup {
                group,
                min_size,
                max_size,
                desired_capacity,
                subnet_ids,
            } => nothing(self.update_group(
                region,
                group,
                (*min_size, *max_size, *desired_capacity),
                subnet_ids.as_deref(),
                d,
            )),
            C::TerminateInstanceInAutoScalingGroup {
                instance_id,
                decrement_desired,
            } => nothing(self.terminate_in_group(region, instance_id, *decrement_desired, d)),
        }
    }
}

/// The action a call is logged (and faulted) as: its own name, or for a dry run of a call whose API
/// has no DryRun, the read that checks it.
fn logged_action(call: &WriteCall, dry_run: bool) -> &'static str {
    match call {
        WriteCall::RegisterTargets { .. } | WriteCall::DeregisterTargets { .. } if dry_run => {
            "DescribeTargetGroups"
        }
        WriteCall::AssignPrivateIps { .. } | WriteCall::UnassignPrivateIps { .. } if dry_run => {
            "DescribeNetworkInterfaces"
        }
        other if dry_run && other.service() == opsdeck_core::cloud::ApiService::AutoScaling => {
            "DescribeAutoScalingGroups"
        }
        other => other.name(),
    }
}

#[async_trait]
impl CloudWrite for SimWrite {
    fn region(&self) -> &str {
        &self.region
    }

    async fn call(&self, call: &WriteCall, dry_run: bool) -> CloudResult<Written<Produced>> {
        let region = self.region.as_str();
        self.sim
            .write(
                region,
                logged_action(call, dry_run),
                dry_run,
                |w: &mut World| w.apply_write(region, call, dry_run),
            )
            .await
    }
}
