//! Launching instances: the record with its primary interface and root volume (from RunInstances or
//! a fleet file), RunInstances' checks and client tokens, and pending → running.

use crate::clock::secs;
use crate::ids;
use crate::model::*;
use crate::world::{Tr, World, err, no_region, timing};
use opsdeck_core::cloud::{CloudError, CloudResult, LaunchSpec};
use opsdeck_core::domain::*;

/// Everything needed to create an instance record (from RunInstances or from a fleet file).
#[derive(Debug, Clone)]
pub(crate) struct NewInstance {
    pub instance_type: String,
    pub subnet_id: String,
    pub image_id: String,
    pub security_group_ids: Vec<String>,
    pub key_name: Option<String>,
    pub iam_instance_profile_arn: Option<String>,
    pub user_data: Option<String>,
    pub tags: Tags,
    /// Tags for the root volume (RunInstances' volume TagSpecification).
    pub volume_tags: Tags,
    pub private_ip: Option<String>,
    pub auto_public_ip: bool,
    pub cpu_base: f64,
    pub root_size_gib: Option<i32>,
}

impl World {
    /// Creates an instance record with its primary ENI and root volume; `state` is where it starts
    /// (a fleet file may create it running since `launch_time`; RunInstances creates it pending).
    pub(crate) fn create_instance(
        &mut self,
        region: &str,
        spec: NewInstance,
        state: InstanceState,
        launch_time: Timestamp,
    ) -> CloudResult<String> {
        let id = ids::ec2_id(&mut self.rng, "i");
        let host_id = ids::ec2_id(&mut self.rng, "h");
        let public_ip = if spec.auto_public_ip && state != InstanceState::Stopped {
            Some(ids::public_ip(&mut self.rng))
        } else {
            None
        };
        let r = self
            .regions
            .get_mut(region)
            .ok_or_else(|| no_region(region))?;
        let subnet = r.subnets.get(&spec.subnet_id).cloned().ok_or_else(|| {
            err(
                "InvalidSubnetID.NotFound",
                format!("The subnet ID '{}' does not exist", spec.subnet_id),
            )
        })?;
        let az = subnet.subnet.az.clone();
        let eni_id = r.create_eni(
            &mut self.rng,
            &spec.subnet_id,
            "Primary network interface",
            spec.private_ip.clone(),
            0,
            if spec.security_group_ids.is_empty() {
                vec![r.default_sg.clone()]
            } else {
                spec.security_group_ids.clone()
            },
            Tags::new(),
        )?;
        let private_ip = r
            .enis
            .get(&eni_id)
            .and_then(|e| e.eni.primary_private_ip().map(str::to_string));
        let attach_id = ids::ec2_id(&mut self.rng, "eni-attach");
        if let Some(e) = r.enis.get_mut(&eni_id) {
            e.primary_of = Some(id.clone());
            e.eni.status = "in-use".into();
            e.eni.attachment = Some(EniAttachment {
                attachment_id: attach_id.into(),
                instance_id: Some(id.as_str().into()),
                device_index: 0,
                status: "attached".into(),
                delete_on_termination: true,
            });
        }
        // The root volume comes from the image's root snapshot (its size), else 8 GiB.
        let root_snap = r
            .images
            .get(&spec.image_id)
            .and_then(|i| i.snapshot_ids.first().cloned());
        let root_size = spec
            .root_size_gib
            .or_else(|| {
                root_snap
                    .as_ref()
                    .and_then(|s| r.snapshots.get(s.as_str()))
                    .map(|s| s.snap.volume_size_gib)
            })
            .unwrap_or(8);
        let vol_id = ids::ec2_id(&mut self.rng, "vol");
        r.volumes.insert(
            vol_id.clone(),
            VolumeRec {
                vol: Volume {
                    region: region.into(),
                    id: vol_id.into(),
                    name: None,
                    az: az.clone(),
                    size_gib: root_size,
                    volume_type: "gp3".into(),
                    iops: Some(3000),
                    state: VolumeState::InUse,
                    attachments: vec![VolumeAttachment {
                        instance_id: id.as_str().into(),
                        device: "/dev/xvda".into(),
                        state: AttachmentState::Attached,
                        delete_on_termination: true,
                        attach_time: Some(launch_time),
                    }],
                    snapshot_id: root_snap,
                    encrypted: false,
                    create_time: Some(launch_time),
                    tags: spec.volume_tags.clone(),
                },
                ver: 0,
                stuck: false,
            },
        );
        let security_group_ids = if spec.security_group_ids.is_empty() {
            vec![r.default_sg.clone()]
        } else {
            spec.security_group_ids.clone()
        };
        let mut rec = InstanceRec {
            inst: Instance {
                region: region.into(),
                id: id.as_str().into(),
                name: None,
                tags: spec.tags,
                instance_type: spec.instance_type.into(),
                state,
                az: az.clone(),
                subnet_id: Some(spec.subnet_id.as_str().into()),
                vpc_id: Some(subnet.subnet.vpc_id.clone()),
                private_ip: private_ip.map(Into::into),
                public_ip: None,
                network_interface_ids: vec![],
                security_group_ids: security_group_ids.into_iter().map(Into::into).collect(),
                key_name: spec.key_name.map(Into::into),
                iam_instance_profile_arn: spec.iam_instance_profile_arn.map(Into::into),
                image_id: Some(spec.image_id.into()),
                launch_time: Some(launch_time),
                root_device_name: Some("/dev/xvda".into()),
                block_devices: vec![],
                status_checks: StatusChecks::not_applicable(),
                events: vec![],
            },
            user_data: spec.user_data,
            ver: 0,
            public_ip,
            auto_public_ip: spec.auto_public_ip,
            host_id,
            rebooting: false,
            crashed_since: None,
            outage_since: None,
            checks_init_until: None,
            events: vec![],
            timeline: vec![],
            cpu_base: spec.cpu_base,
        };
        if r.zone_down(&az) && state == InstanceState::Running {
            rec.outage_since = Some(launch_time);
        }
        rec.mark(launch_time);
        r.instances.insert(id.clone(), rec);
        Ok(id)
    }

    pub(crate) fn run_instances(
        &mut self,
        region: &str,
        spec: &LaunchSpec,
        dry_run: bool,
    ) -> CloudResult<Vec<String>> {
        let fingerprint = {
            let mut s = spec.clone();
            s.client_token.clear();
            serde_json::to_string(&s).unwrap_or_default()
        };
        let r = self.region(region)?;
        if !dry_run
            && !spec.client_token.is_empty()
            && let Some((fp, ids_)) = r.client_tokens.get(&spec.client_token)
        {
            if *fp == fingerprint {
                // Same token, same request: the original answer, never a second launch.
                return Ok(ids_.clone());
            }
            return Err(err(
                "IdempotentParameterMismatch",
                "The client token was already used with different parameters.",
            ));
        }
        if spec.count < 1 {
            return Err(err(
                "InvalidParameterValue",
                "MinCount and MaxCount must be at least 1",
            ));
        }
        let subnet = r.subnets.get(&spec.subnet_id).ok_or_else(|| {
            err(
                "InvalidSubnetID.NotFound",
                format!("The subnet ID '{}' does not exist", spec.subnet_id),
            )
        })?;
        match r.images.get(&spec.image_id) {
            Some(img) if img.state == ImageState::Available => {}
            Some(_) => {
                return Err(err(
                    "InvalidAMIID.Unavailable",
                    format!("The image id '[{}]' is not available", spec.image_id),
                ));
            }
            None if r.public_images.contains(&spec.image_id) => {}
            None => {
                return Err(err(
                    "InvalidAMIID.NotFound",
                    format!("The image id '[{}]' does not exist", spec.image_id),
                ));
            }
        }
        for sg in &spec.security_group_ids {
            if *sg != r.default_sg && !r.security_groups.values().any(|v| v == sg) {
                return Err(err(
                    "InvalidGroup.NotFound",
                    format!("The security group '{sg}' does not exist"),
                ));
            }
        }
        if !spec.instance_type.contains('.') {
            return Err(err(
                "InvalidParameterValue",
                format!("Invalid value '{}' for InstanceType.", spec.instance_type),
            ));
        }
        if r.zone_down(&subnet.subnet.az) {
            return Err(err(
                "InsufficientInstanceCapacity",
                format!(
                    "We currently do not have sufficient {} capacity in the Availability Zone you requested ({}). Our system will be working on provisioning additional capacity.",
                    spec.instance_type, subnet.subnet.az
                ),
            ));
        }
        if (subnet.subnet.available_ips as i64) < spec.count as i64 {
            return Err(err(
                "InsufficientFreeAddressesInSubnet",
                "There are not enough free addresses in subnet to satisfy the requested number of instances.",
            ));
        }
        let public = subnet.public;
        if dry_run {
            return Err(CloudError::dry_run_ok(
                "Request would have succeeded, but DryRun flag is set.",
            ));
        }
        let tags: Tags = spec
            .tags
            .iter()
            .map(|t| (t.key.clone(), t.value.clone()))
            .collect();
        let mut out = Vec::new();
        for _ in 0..spec.count {
            let id = self.create_instance(
                region,
                NewInstance {
                    instance_type: spec.instance_type.clone(),
                    subnet_id: spec.subnet_id.clone(),
                    image_id: spec.image_id.clone(),
                    security_group_ids: spec.security_group_ids.clone(),
                    key_name: spec.key_name.clone(),
                    iam_instance_profile_arn: spec.iam_instance_profile_arn.clone(),
                    user_data: spec.user_data.clone(),
                    tags: tags.clone(),
                    volume_tags: tags.clone(),
                    private_ip: None,
                    auto_public_ip: public,
                    cpu_base: cpu_for_role(tags.get("role")),
                    root_size_gib: None,
                },
                InstanceState::Pending,
                self.now,
            )?;
            let at = self.after(timing::PENDING, timing::PENDING_JITTER);
            self.queue.push(
                at,
                Tr::InstanceRunning {
                    region: region.into(),
                    id: id.clone(),
                    ver: 0,
                },
            );
            out.push(id);
        }
        if !spec.client_token.is_empty()
            && let Ok(r) = self.region_mut(region)
        {
            r.client_tokens
                .insert(spec.client_token.clone(), (fingerprint, out.clone()));
        }
        Ok(out)
    }

    pub(crate) fn on_instance_running(&mut self, region: &str, id: &str, ver: u64) {
        let now = self.now;
        let Some(r) = self.regions.get_mut(region) else {
            return;
        };
        let down = r
            .instances
            .get(id)
            .map(|i| r.zone_down(&i.inst.az))
            .unwrap_or(false);
        let Some(rec) = r.instances.get_mut(id) else {
            return;
        };
        if rec.ver != ver || rec.inst.state != InstanceState::Pending {
            return;
        }
        rec.inst.state = InstanceState::Running;
        rec.checks_init_until = Some(now + secs(timing::CHECKS_INIT));
        if down {
            rec.outage_since = Some(now);
        }
        rec.mark(now);
    }
}

/// Idle CPU by role, so a demo fleet looks lived-in.
pub(crate) fn cpu_for_role(role: Option<&str>) -> f64 {
    match role {
        Some("db") => 55.0,
        Some("web") => 12.0,
        Some("app") => 20.0,
        Some("worker") => 45.0,
        _ => 8.0,
    }
}
