use super::AwsRegion;
use super::convert;
use async_trait::async_trait;
use aws_sdk_ec2::operation::RequestId;
use aws_sdk_ec2::types::{
    IamInstanceProfileSpecification, InstanceType, ResourceType, TagSpecification,
};
use aws_sdk_elasticloadbalancingv2::types::TargetDescription;
use opsdeck_core::cloud::*;
use opsdeck_core::domain::Tag;
use opsdeck_core::domain::Timestamp;

pub struct AwsWrite {
    pub(super) r: AwsRegion,
}

impl AwsWrite {
    pub fn new(r: AwsRegion) -> Self {
        AwsWrite { r }
    }

    /// ELBv2 and the private-IP calls have no DryRun: a dry run checks the resources exist by reading,
    /// and answers like EC2 would.
    async fn check_target_group(&self, arn: &str) -> CloudResult<()> {
        self.r
            .elb
            .describe_target_groups()
            .target_group_arns(arn)
            .send()
            .await
            .map_err(|e| self.r.sdk_error(e))?;
        Err(CloudError::dry_run_ok(
            "checked by reading (ELBv2 has no DryRun)",
        ))
    }

    pub(super) async fn check_eni(&self, eni_id: &str) -> CloudResult<()> {
        self.r
            .ec2
            .describe_network_interfaces()
            .network_interface_ids(eni_id)
            .send()
            .await
            .map_err(|e| self.r.sdk_error(e))?;
        Err(CloudError::dry_run_ok(
            "checked by reading (this call has no DryRun)",
        ))
    }
}

pub(super) fn tag_spec(resource: ResourceType, tags: &[Tag]) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(resource)
        .set_tags(Some(ec2_tags(tags)))
        .build()
}

pub(super) fn ec2_tags(tags: &[Tag]) -> Vec<aws_sdk_ec2::types::Tag> {
    tags.iter()
        .map(|t| {
            aws_sdk_ec2::types::Tag::builder()
                .key(&t.key)
                .value(&t.value)
                .build()
        })
        .collect()
}

fn targets(ts: &[TargetRef]) -> Vec<TargetDescription> {
    ts.iter()
        .map(|t| {
            TargetDescription::builder()
                .id(&t.id)
                .set_port(t.port)
                .build()
        })
        .collect()
}

pub(super) fn rid<T: RequestId>(out: &T) -> Option<String> {
    out.request_id().map(str::to_string)
}

pub(super) fn done<T: RequestId>(out: T) -> Written<()> {
    Written::new((), rid(&out))
}

fn ids(v: &[String]) -> Option<Vec<String>> {
    Some(v.to_vec())
}

/// The calls one by one; [`CloudWrite::call`] dispatches to them.
impl AwsWrite {
    async fn start_instances(&self, ids_: &[String], dry_run: bool) -> CloudResult<Written<()>> {
        let out = self
            .r
            .ec2
            .start_instances()
            .set_instance_ids(ids(ids_))
            .dry_run(dry_run)
            .send()
            .await;
        out.map(done).map_err(|e| self.r.sdk_error(e))
    }

    async fn stop_instances(
        &self,
        ids_: &[String],
        force: bool,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let out = self
            .r
            .ec2
            .stop_instances()
            .set_instance_ids(ids(ids_))
            .force(force)
            .dry_run(dry_run)
            .send()
            .await;
        out.map(done).map_err(|e| self.r.sdk_error(e))
    }

    async fn reboot_instances(&self, ids_: &[String], dry_run: bool) -> CloudResult<Written<()>> {
        let out = self
            .r
            .ec2
            .reboot_instances()
            .set_instance_ids(ids(ids_))
            .dry_run(dry_run)
            .send()
            .await;
        out.map(done).map_err(|e| self.r.sdk_error(e))
    }

    async fn terminate_instances(
        &self,
        ids_: &[String],
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let out = self
            .r
            .ec2
            .terminate_instances()
            .set_instance_ids(ids(ids_))
            .dry_run(dry_run)
            .send()
            .await;
        out.map(done).map_err(|e| self.r.sdk_error(e))
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
        let mut req = self
            .r
            .ec2
            .create_image()
            .instance_id(instance_id)
            .name(name)
            .description(description)
            .no_reboot(no_reboot)
            .dry_run(dry_run);
        if !tags.is_empty() {
            req = req.tag_specifications(tag_spec(ResourceType::Image, tags));
        }
        let out = req.send().await.map_err(|e| self.r.sdk_error(e))?;
        Ok(Written::new(
            out.image_id().unwrap_or_default().to_string(),
            rid(&out),
        ))
    }

    async fn deregister_image(&self, image_id: &str, dry_run: bool) -> CloudResult<Written<()>> {
        let out = self
            .r
            .ec2
            .deregister_image()
            .image_id(image_id)
            .dry_run(dry_run)
            .send()
            .await;
        out.map(done).map_err(|e| self.r.sdk_error(e))
    }

    async fn run_instances(
        &self,
        spec: &LaunchSpec,
        dry_run: bool,
    ) -> CloudResult<Written<Vec<String>>> {
        let mut req = self
            .r
            .ec2
            .run_instances()
            .image_id(&spec.image_id)
            .instance_type(InstanceType::from(spec.instance_type.as_str()))
            .min_count(spec.count)
            .max_count(spec.count)
            .subnet_id(&spec.subnet_id)
            .set_security_group_ids(Some(spec.security_group_ids.clone()).filter(|v| !v.is_empty()))
            .set_key_name(spec.key_name.clone())
            .set_user_data(spec.user_data.clone())
            .client_token(&spec.client_token)
            .dry_run(dry_run);
        if let Some(arn) = &spec.iam_instance_profile_arn {
            req = req
                .iam_instance_profile(IamInstanceProfileSpecification::builder().arn(arn).build());
        }
        if !spec.tags.is_empty() {
            req = req
                .tag_specifications(tag_spec(ResourceType::Instance, &spec.tags))
                .tag_specifications(tag_spec(ResourceType::Volume, &spec.tags));
        }
        let out = req.send().await.map_err(|e| self.r.sdk_error(e))?;
        let new_ids = out
            .instances()
            .iter()
            .filter_map(|i| i.instance_id().map(str::to_string))
            .collect();
        Ok(Written::new(new_ids, rid(&out)))
    }

    async fn register_targets(
        &self,
        target_group_arn: &str,
        ts: &[TargetRef],
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        if dry_run {
            self.check_target_group(target_group_arn).await?;
        }
        let out = self
            .r
            .elb
            .register_targets()
            .target_group_arn(target_group_arn)
            .set_targets(Some(targets(ts)))
            .send()
            .await
            .map_err(|e| self.r.sdk_error(e))?;
        Ok(Written::new((), out.request_id().map(str::to_string)))
    }

    async fn deregister_targets(
        &self,
        target_group_arn: &str,
        ts: &[TargetRef],
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        if dry_run {
            self.check_target_group(target_group_arn).await?;
        }
        let out = self
            .r
            .elb
            .deregister_targets()
            .target_group_arn(target_group_arn)
            .set_targets(Some(targets(ts)))
            .send()
            .await
            .map_err(|e| self.r.sdk_error(e))?;
        Ok(Written::new((), out.request_id().map(str::to_string)))
    }

    async fn create_tags(
        &self,
        resource_ids: &[String],
        tags: &[Tag],
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let out = self
            .r
            .ec2
            .create_tags()
            .set_resources(Some(resource_ids.to_vec()))
            .set_tags(Some(ec2_tags(tags)))
            .dry_run(dry_run)
            .send()
            .await;
        out.map(done).map_err(|e| self.r.sdk_error(e))
    }

    async fn reschedule_instance_event(
        &self,
        instance_id: &str,
        event_id: &str,
        not_before: Timestamp,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let out = self
            .r
            .ec2
            .modify_instance_event_start_time()
            .instance_id(instance_id)
            .instance_event_id(event_id)
            .not_before(convert::to_smithy(not_before))
            .dry_run(dry_run)
            .send()
            .await;
        out.map(done).map_err(|e| self.r.sdk_error(e))
    }
}

#[async_trait]
impl CloudWrite for AwsWrite {
    fn region(&self) -> &str {
        &self.r.region
    }

    async fn call(&self, call: &WriteCall, d: bool) -> CloudResult<Written<Produced>> {
        use WriteCall as C;
        Ok(match call {
            C::StartInstances { ids } => self.start_instances(ids, d).await?.produced(),
            C::StopInstances { ids, force } => {
                self.stop_instances(ids, *force, d).await?.produced()
            }
            C::RebootInstances { ids } => self.reboot_instances(ids, d).await?.produced(),
            C::TerminateInstances { ids } => self.terminate_instances(ids, d).await?.produced(),
            C::CreateImage {
                instance_id,
                name,
                description,
                no_reboot,
                tags,
            } => self
                .create_image(instance_id, name, description, *no_reboot, tags, d)
                .await?
                .produced(),
            C::DeregisterImage { image_id } => self.deregister_image(image_id, d).await?.produced(),
            C::RunInstances { spec } => self.run_instances(spec, d).await?.produced(),
            C::CreateVolume { spec } => self.create_volume(spec, d).await?.produced(),
            C::AttachVolume {
                volume_id,
                instance_id,
                device,
            } => self
                .attach_volume(volume_id, instance_id, device, d)
                .await?
                .produced(),
            C::DetachVolume {
                volume_id,
                instance_id,
                force,
            } => self
                .detach_volume(volume_id, instance_id, *force, d)
                .await?
                .produced(),
            C::DeleteVolume { volume_id } => self.delete_volume(volume_id, d).await?.produced(),
            C::CreateSnapshot {
                volume_id,
                description,
                tags,
            } => self
                .create_snapshot(volume_id, description, tags, d)
                .await?
                .produced(),
            C::CreateSnapshots {
                instance_id,
                description,
                tags,
                copy_tags_from_source,
            } => self
                .create_snapshots(instance_id, description, tags, *copy_tags_from_source, d)
                .await?
                .produced(),
            C::CopySnapshot {
                source_region,
                snapshot_id,
                description,
            } => self
                .copy_snapshot(source_region, snapshot_id, description, d)
                .await?
                .produced(),
            C::DeleteSnapshot { snapshot_id } => {
                self.delete_snapshot(snapshot_id, d).await?.produced()
            }
            C::RegisterTargets {
                target_group_arn,
                targets,
            } => self
                .register_targets(target_group_arn, targets, d)
                .await?
                .produced(),
            C::DeregisterTargets {
                target_group_arn,
                targets,
            } => self
                .deregister_targets(target_group_arn, targets, d)
                .await?
                .produced(),
            C::AssociateAddress {
                allocation_id,
                target,
                allow_reassociation,
            } => self
                .associate_address(allocation_id, target, *allow_reassociation, d)
                .await?
                .produced(),
            C::DisassociateAddress { association_id } => self
                .disassociate_address(association_id, d)
                .await?
                .produced(),
            C::AttachNetworkInterface {
                eni_id,
                instance_id,
                device_index,
            } => self
                .attach_network_interface(eni_id, instance_id, *device_index, d)
                .await?
                .produced(),
            C::DetachNetworkInterface {
                attachment_id,
                force,
            } => self
                .detach_network_interface(attachment_id, *force, d)
                .await?
                .produced(),
            C::AssignPrivateIps {
                eni_id,
                ips,
                allow_reassignment,
            } => self
                .assign_private_ips(eni_id, ips, *allow_reassignment, d)
                .await?
                .produced(),
            C::UnassignPrivateIps { eni_id, ips } => {
                self.unassign_private_ips(eni_id, ips, d).await?.produced()
            }
            C::CreateTags { resource_ids, tags } => {
                self.create_tags(resource_ids, tags, d).await?.produced()
            }
            C::RescheduleInstanceEvent {
                instance_id,
                event_id,
                not_before,
            } => self
                .reschedule_instance_event(instance_id, event_id, *not_before, d)
                .await?
                .produced(),
            C::EnterStandby {
                group,
                instance_ids,
                decrement_desired,
            } => {
                self.r
                    .enter_standby(group, instance_ids, *decrement_desired, d)
                    .await?
            }
            C::ExitStandby {
                group,
                instance_ids,
            } => self.r.exit_standby(group, instance_ids, d).await?,
            C::SuspendProcesses { group, processes } => {
                self.r.suspend_or_resume(group, processes, true, d).await?
            }
            C::ResumeProcesses { group, processes } => {
                self.r.suspend_or_resume(group, processes, false, d).await?
            }
            C::UpdateAutoScalingGroup {
                group,
                min_size,
                max_size,
                desired_capacity,
                subnet_ids,
            } => {
                self.r
                    .update_group(
                        group,
                        (*min_size, *max_size, *desired_capacity),
                        subnet_ids.as_deref(),
                        d,
                    )
                    .await?
            }
            C::TerminateInstanceInAutoScalingGroup {
                instance_id,
                decrement_desired,
            } => {
                self.r
                    .terminate_in_group(instance_id, *decrement_desired, d)
                    .await?
            }
        })
    }
}
