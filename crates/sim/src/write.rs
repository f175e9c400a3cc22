//! `CloudWrite` over the simulated world. Every answer carries a request id. EC2 calls honour DryRun
//! like EC2 (validate, then `DryRunOperation`); the ELBv2 and private-IP calls have no DryRun in AWS, so
//! — exactly like the AWS adapter — a dry run only checks by reading (the read action's permission and
//! that the resource exists).

use super::Sim;
use super::world::World;
use async_trait::async_trait;
use opsdeck_core::cloud::*;
use opsdeck_core::domain::{Tag, Tags, Timestamp};

/// The write port of one simulated region. Only a read-write session is ever handed one.
pub struct SimWrite {
    pub(crate) sim: Sim,
    pub(crate) region: String,
}

fn ids(v: &[String]) -> Vec<String> {
    v.to_vec()
}

fn dry_ok<T>() -> CloudResult<T> {
    Err(CloudError::dry_run_ok(
        "checked by reading (this call has no DryRun)",
    ))
}

macro_rules! write_op {
    ($self:ident, $action:expr, $dry:expr, |$w:ident, $region:ident| $body:expr) => {{
        let region = $self.region.clone();
        $self
            .sim
            .write(&region, $action, $dry, |$w: &mut World| {
                let $region = $self.region.as_str();
                $body
            })
            .await
    }};
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

#[async_trait]
impl CloudWrite for SimWrite {
    fn region(&self) -> &str {
        &self.region
    }

    async fn start_instances(&self, ids_: &[String], dry_run: bool) -> CloudResult<Written<()>> {
        let ids_ = ids(ids_);
        write_op!(self, "StartInstances", dry_run, |w, r| w
            .start_instances(r, &ids_, dry_run))
    }

    async fn stop_instances(
        &self,
        ids_: &[String],
        force: bool,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let ids_ = ids(ids_);
        write_op!(self, "StopInstances", dry_run, |w, r| w
            .stop_instances(r, &ids_, force, dry_run))
    }

    async fn reboot_instances(&self, ids_: &[String], dry_run: bool) -> CloudResult<Written<()>> {
        let ids_ = ids(ids_);
        write_op!(self, "RebootInstances", dry_run, |w, r| w
            .reboot_instances(r, &ids_, dry_run))
    }

    async fn terminate_instances(
        &self,
        ids_: &[String],
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let ids_ = ids(ids_);
        write_op!(self, "TerminateInstances", dry_run, |w, r| w
            .terminate_instances(r, &ids_, dry_run))
    }

    async fn create_image(
        &self,
        instance_id: &str,
        name: &str,
        description: &str,
        no_reboot: bool,
        tags: &[Tag],
        dry_run: bool,
    ) -> CloudResult<Written<String>> {
        let (i, n, d, t) = (
            instance_id.to_string(),
            name.to_string(),
            description.to_string(),
            tags.to_vec(),
        );
        write_op!(self, "CreateImage", dry_run, |w, r| w
            .create_image(r, &i, &n, &d, no_reboot, &t, dry_run))
    }

    async fn deregister_image(&self, image_id: &str, dry_run: bool) -> CloudResult<Written<()>> {
        let i = image_id.to_string();
        write_op!(self, "DeregisterImage", dry_run, |w, r| w
            .deregister_image(r, &i, dry_run))
    }

    async fn run_instances(
        &self,
        spec: &LaunchSpec,
        dry_run: bool,
    ) -> CloudResult<Written<Vec<String>>> {
        let spec = spec.clone();
        write_op!(self, "RunInstances", dry_run, |w, r| w
            .run_instances(r, &spec, dry_run))
    }

    async fn create_volume(
        &self,
        spec: &VolumeSpec,
        dry_run: bool,
    ) -> CloudResult<Written<String>> {
        let spec = spec.clone();
        write_op!(self, "CreateVolume", dry_run, |w, r| w
            .create_volume(r, &spec, dry_run))
    }

    async fn attach_volume(
        &self,
        volume_id: &str,
        instance_id: &str,
        device: &str,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let (v, i, d) = (
            volume_id.to_string(),
            instance_id.to_string(),
            device.to_string(),
        );
        write_op!(self, "AttachVolume", dry_run, |w, r| w
            .attach_volume(r, &v, &i, &d, dry_run))
    }

    async fn detach_volume(
        &self,
        volume_id: &str,
        instance_id: &str,
        force: bool,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        write_op!(self, "DetachVolume", dry_run, |w, r| w.detach_volume(
            r,
            volume_id,
            instance_id,
            force,
            dry_run
        ))
    }

    async fn delete_volume(&self, volume_id: &str, dry_run: bool) -> CloudResult<Written<()>> {
        let v = volume_id.to_string();
        write_op!(self, "DeleteVolume", dry_run, |w, r| w
            .delete_volume(r, &v, dry_run))
    }

    async fn create_snapshot(
        &self,
        volume_id: &str,
        description: &str,
        tags: &[Tag],
        dry_run: bool,
    ) -> CloudResult<Written<String>> {
        let (v, d, t) = (
            volume_id.to_string(),
            description.to_string(),
            tags.to_vec(),
        );
        write_op!(self, "CreateSnapshot", dry_run, |w, r| w
            .create_snapshot(r, &v, &d, &t, dry_run))
    }

    async fn copy_snapshot(
        &self,
        source_region: &str,
        snapshot_id: &str,
        description: &str,
        dry_run: bool,
    ) -> CloudResult<Written<String>> {
        let (s, id, d) = (
            source_region.to_string(),
            snapshot_id.to_string(),
            description.to_string(),
        );
        write_op!(self, "CopySnapshot", dry_run, |w, r| w
            .copy_snapshot(r, &s, &id, &d, dry_run))
    }

    async fn delete_snapshot(&self, snapshot_id: &str, dry_run: bool) -> CloudResult<Written<()>> {
        let s = snapshot_id.to_string();
        write_op!(self, "DeleteSnapshot", dry_run, |w, r| w
            .delete_snapshot(r, &s, dry_run))
    }

    async fn register_targets(
        &self,
        target_group_arn: &str,
        targets: &[TargetRef],
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let (arn, t) = (target_group_arn.to_string(), targets.to_vec());
        let action = if dry_run {
            "DescribeTargetGroups"
        } else {
            "RegisterTargets"
        };
        write_op!(self, action, dry_run, |w, r| if dry_run {
            w.check_target_group(r, &arn).and_then(|_| dry_ok())
        } else {
            w.register_targets(r, &arn, &t)
        })
    }

    async fn deregister_targets(
        &self,
        target_group_arn: &str,
        targets: &[TargetRef],
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let (arn, t) = (target_group_arn.to_string(), targets.to_vec());
        let action = if dry_run {
            "DescribeTargetGroups"
        } else {
            "DeregisterTargets"
        };
        write_op!(self, action, dry_run, |w, r| if dry_run {
            w.check_target_group(r, &arn).and_then(|_| dry_ok())
        } else {
            w.deregister_targets(r, &arn, &t)
        })
    }

    async fn associate_address(
        &self,
        allocation_id: &str,
        target: &AddressTarget,
        allow_reassociation: bool,
        dry_run: bool,
    ) -> CloudResult<Written<String>> {
        let (a, t) = (allocation_id.to_string(), target.clone());
        write_op!(self, "AssociateAddress", dry_run, |w, r| w
            .associate_address(r, &a, &t, allow_reassociation, dry_run))
    }

    async fn disassociate_address(
        &self,
        association_id: &str,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let a = association_id.to_string();
        write_op!(self, "DisassociateAddress", dry_run, |w, r| w
            .disassociate_address(r, &a, dry_run))
    }

    async fn attach_network_interface(
        &self,
        eni_id: &str,
        instance_id: &str,
        device_index: i32,
        dry_run: bool,
    ) -> CloudResult<Written<String>> {
        let (e, i) = (eni_id.to_string(), instance_id.to_string());
        write_op!(self, "AttachNetworkInterface", dry_run, |w, r| w
            .attach_network_interface(r, &e, &i, device_index, dry_run))
    }

    async fn detach_network_interface(
        &self,
        attachment_id: &str,
        force: bool,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let a = attachment_id.to_string();
        write_op!(self, "DetachNetworkInterface", dry_run, |w, r| w
            .detach_network_interface(r, &a, force, dry_run))
    }

    async fn assign_private_ips(
        &self,
        eni_id: &str,
        ips: &[String],
        allow_reassignment: bool,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let (e, ips) = (eni_id.to_string(), ips.to_vec());
        let action = if dry_run {
            "DescribeNetworkInterfaces"
        } else {
            "AssignPrivateIpAddresses"
        };
        write_op!(self, action, dry_run, |w, r| if dry_run {
            w.check_eni(r, &e).and_then(|_| dry_ok())
        } else {
            w.assign_private_ips(r, &e, &ips, allow_reassignment)
        })
    }

    async fn unassign_private_ips(
        &self,
        eni_id: &str,
        ips: &[String],
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let (e, ips) = (eni_id.to_string(), ips.to_vec());
        let action = if dry_run {
            "DescribeNetworkInterfaces"
        } else {
            "UnassignPrivateIpAddresses"
        };
        write_op!(self, action, dry_run, |w, r| if dry_run {
            w.check_eni(r, &e).and_then(|_| dry_ok())
        } else {
            w.unassign_private_ips(r, &e, &ips)
        })
    }

    async fn create_tags(
        &self,
        resource_ids: &[String],
        tags: &[Tag],
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let (ids_, t) = (resource_ids.to_vec(), tags.to_vec());
        write_op!(self, "CreateTags", dry_run, |w, r| w
            .create_tags(r, &ids_, &t, dry_run))
    }

    async fn reschedule_instance_event(
        &self,
        instance_id: &str,
        event_id: &str,
        not_before: Timestamp,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let (i, e) = (instance_id.to_string(), event_id.to_string());
        write_op!(self, "ModifyInstanceEventStartTime", dry_run, |w, r| w
            .reschedule_event(r, &i, &e, not_before, dry_run))
    }
}
