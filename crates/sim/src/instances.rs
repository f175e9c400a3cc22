//! EC2 instances: launch (with client tokens), start/stop/reboot/terminate state machines, status
//! checks, scheduled events (executed at their time when nobody acted) and their rescheduling rules.

use super::clock::secs;
use super::ids;
use super::model::*;
use super::world::{Tr, World, err, timing};
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

/// The phrase EC2 uses in IncorrectInstanceState for each action.
fn incorrect_state(id: &str, action: &str) -> CloudError {
    err(
        "IncorrectInstanceState",
        format!("The instance '{id}' is not in a state from which it can be {action}."),
    )
}

pub(crate) fn not_found_instances(missing: &[&str]) -> CloudError {
    if missing.len() == 1 {
        err(
            "InvalidInstanceID.NotFound",
            format!("The instance ID '{}' does not exist", missing[0]),
        )
    } else {
        err(
            "InvalidInstanceID.NotFound",
            format!("The instance IDs '{}' do not exist", missing.join(", ")),
        )
    }
}

fn mark_done(ev: &mut ScheduledEvent) {
    if !ev.is_done() {
        ev.description = format!("[Completed] {}", ev.description).into();
    }
}

impl World {
    fn check_instances(&self, region: &str, ids_: &[String]) -> CloudResult<()> {
        let r = self.region(region)?;
        if ids_.is_empty() {
            return Err(err(
                "MissingParameter",
                "The request must contain the parameter InstanceId",
            ));
        }
        let missing: Vec<&str> = ids_
            .iter()
            .filter(|i| !r.instances.contains_key(i.as_str()))
            .map(String::as_str)
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(not_found_instances(&missing))
        }
    }

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
            .ok_or_else(|| super::world::no_region(region))?;
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

    pub(crate) fn start_instances(
        &mut self,
        region: &str,
        ids_: &[String],
        dry_run: bool,
    ) -> CloudResult<()> {
        self.check_instances(region, ids_)?;
        let r = self.region(region)?;
        for id in ids_ {
            let Some(rec) = r.instances.get(id) else {
                continue;
            };
            match rec.inst.state {
                InstanceState::Stopped => {
                    if r.zone_down(&rec.inst.az) {
                        return Err(err(
                            "InsufficientInstanceCapacity",
                            format!(
                                "Insufficient capacity in the Availability Zone {} to start {id}.",
                                rec.inst.az
                            ),
                        ));
                    }
                }
                InstanceState::Running | InstanceState::Pending => {}
                _ => return Err(incorrect_state(id, "started")),
            }
        }
        if dry_run {
            return Err(CloudError::dry_run_ok(
                "Request would have succeeded, but DryRun flag is set.",
            ));
        }
        let now = self.now;
        for id in ids_ {
            let at = self.after(timing::PENDING, timing::PENDING_JITTER);
            let host = ids::ec2_id(&mut self.rng, "h");
            let ip = ids::public_ip(&mut self.rng);
            let Some(rec) = self
                .regions
                .get_mut(region)
                .and_then(|r| r.instances.get_mut(id))
            else {
                continue;
            };
            if rec.inst.state != InstanceState::Stopped {
                continue;
            }
            // A start lands on new hardware: host events are resolved, a new public address.
            rec.ver += 1;
            rec.inst.state = InstanceState::Pending;
            rec.host_id = host;
            rec.crashed_since = None;
            rec.outage_since = None;
            rec.rebooting = false;
            for ev in rec.events.iter_mut() {
                if ev.code.needs_new_hardware() {
                    mark_done(ev);
                }
            }
            if rec.auto_public_ip {
                rec.public_ip = Some(ip);
            }
            rec.mark(now);
            let ver = rec.ver;
            self.queue.push(
                at,
                Tr::InstanceRunning {
                    region: region.into(),
                    id: id.clone(),
                    ver,
                },
            );
        }
        Ok(())
    }

    pub(crate) fn stop_instances(
        &mut self,
        region: &str,
        ids_: &[String],
        force: bool,
        dry_run: bool,
    ) -> CloudResult<()> {
        self.check_instances(region, ids_)?;
        let r = self.region(region)?;
        for id in ids_ {
            if let Some(rec) = r.instances.get(id) {
                match rec.inst.state {
                    InstanceState::Running | InstanceState::Stopped | InstanceState::Stopping => {}
                    _ => return Err(incorrect_state(id, "stopped")),
                }
            }
        }
        if dry_run {
            return Err(CloudError::dry_run_ok(
                "Request would have succeeded, but DryRun flag is set.",
            ));
        }
        for id in ids_ {
            self.begin_stop(region, id, force);
        }
        Ok(())
    }

    /// Running → stopping (or a forced stop hurrying an ongoing one).
    pub(crate) fn begin_stop(&mut self, region: &str, id: &str, force: bool) {
        let now = self.now;
        let at = self.after(
            if force {
                timing::STOPPING_FORCED
            } else {
                timing::STOPPING
            },
            0.0,
        );
        let Some(rec) = self
            .regions
            .get_mut(region)
            .and_then(|r| r.instances.get_mut(id))
        else {
            return;
        };
        match rec.inst.state {
            InstanceState::Running | InstanceState::Pending => {}
            InstanceState::Stopping if force => {}
            _ => return,
        }
        rec.ver += 1;
        rec.inst.state = InstanceState::Stopping;
        rec.rebooting = false;
        rec.mark(now);
        let ver = rec.ver;
        self.queue.push(
            at,
            Tr::InstanceStopped {
                region: region.into(),
                id: id.into(),
                ver,
            },
        );
    }

    pub(crate) fn on_instance_stopped(&mut self, region: &str, id: &str, ver: u64) {
        let now = self.now;
        let Some(rec) = self
            .regions
            .get_mut(region)
            .and_then(|r| r.instances.get_mut(id))
        else {
            return;
        };
        if rec.ver != ver || rec.inst.state != InstanceState::Stopping {
            return;
        }
        rec.inst.state = InstanceState::Stopped;
        rec.public_ip = None;
        rec.crashed_since = None;
        rec.outage_since = None;
        rec.checks_init_until = None;
        rec.mark(now);
    }

    pub(crate) fn reboot_instances(
        &mut self,
        region: &str,
        ids_: &[String],
        dry_run: bool,
    ) -> CloudResult<()> {
        self.check_instances(region, ids_)?;
        let r = self.region(region)?;
        for id in ids_ {
            if let Some(rec) = r.instances.get(id)
                && rec.inst.state != InstanceState::Running
            {
                return Err(incorrect_state(id, "rebooted"));
            }
        }
        if dry_run {
            return Err(CloudError::dry_run_ok(
                "Request would have succeeded, but DryRun flag is set.",
            ));
        }
        for id in ids_ {
            self.begin_reboot(region, id, timing::REBOOT_DOWN, true);
        }
        Ok(())
    }

    /// The guest goes down for `down` seconds. A user reboot completes pending instance-reboot events.
    pub(crate) fn begin_reboot(&mut self, region: &str, id: &str, down: f64, by_user: bool) {
        let now = self.now;
        let at = self.after(down, 0.0);
        let Some(rec) = self
            .regions
            .get_mut(region)
            .and_then(|r| r.instances.get_mut(id))
        else {
            return;
        };
        if rec.inst.state != InstanceState::Running {
            return;
        }
        rec.ver += 1;
        rec.rebooting = true;
        rec.crashed_since = None;
        if by_user {
            for ev in rec.events.iter_mut() {
                if ev.code == EventCode::InstanceReboot {
                    mark_done(ev);
                }
            }
        }
        rec.mark(now);
        let ver = rec.ver;
        self.queue.push(
            at,
            Tr::RebootDone {
                region: region.into(),
                id: id.into(),
                ver,
            },
        );
    }

    pub(crate) fn on_reboot_done(&mut self, region: &str, id: &str, ver: u64) {
        let now = self.now;
        let Some(rec) = self
            .regions
            .get_mut(region)
            .and_then(|r| r.instances.get_mut(id))
        else {
            return;
        };
        if rec.ver != ver || !rec.rebooting {
            return;
        }
        rec.rebooting = false;
        rec.checks_init_until = Some(now + secs(timing::CHECKS_AFTER_REBOOT));
        rec.mark(now);
    }

    pub(crate) fn terminate_instances(
        &mut self,
        region: &str,
        ids_: &[String],
        dry_run: bool,
    ) -> CloudResult<()> {
        self.check_instances(region, ids_)?;
        if dry_run {
            return Err(CloudError::dry_run_ok(
                "Request would have succeeded, but DryRun flag is set.",
            ));
        }
        let now = self.now;
        for id in ids_ {
            let at = self.after(timing::SHUTTING_DOWN, 0.0);
            let Some(r) = self.regions.get_mut(region) else {
                continue;
            };
            let Some(rec) = r.instances.get_mut(id) else {
                continue;
            };
            if matches!(
                rec.inst.state,
                InstanceState::ShuttingDown | InstanceState::Terminated
            ) {
                continue;
            }
            rec.ver += 1;
            rec.inst.state = InstanceState::ShuttingDown;
            rec.rebooting = false;
            rec.mark(now);
            let ver = rec.ver;
            // ELB deregisters a terminated instance by itself (it drains, then disappears).
            r.deregister_everywhere(id, now);
            self.queue.push(
                at,
                Tr::InstanceTerminated {
                    region: region.into(),
                    id: id.clone(),
                    ver,
                },
            );
        }
        Ok(())
    }

    pub(crate) fn on_instance_terminated(&mut self, region: &str, id: &str, ver: u64) {
        let now = self.now;
        let purge_at = now + secs(timing::TERMINATED_LISTED);
        let Some(r) = self.regions.get_mut(region) else {
            return;
        };
        let Some(rec) = r.instances.get_mut(id) else {
            return;
        };
        if rec.ver != ver || rec.inst.state != InstanceState::ShuttingDown {
            return;
        }
        rec.inst.state = InstanceState::Terminated;
        rec.public_ip = None;
        rec.crashed_since = None;
        rec.outage_since = None;
        for ev in rec.events.iter_mut() {
            mark_done(ev);
        }
        rec.mark(now);
        r.release_instance_storage(id);
        r.release_instance_network(id);
        self.queue.push(
            purge_at,
            Tr::InstancePurge {
                region: region.into(),
                id: id.into(),
            },
        );
    }

    // ---- faults ---------------------------------------------------------------------------

    /// The guest crashes: its instance status check fails until a reboot or stop/start.
    pub(crate) fn crash_instance(&mut self, id: &str) -> Result<(), String> {
        let now = self.now;
        let region = self
            .region_of_instance(id)
            .ok_or_else(|| format!("no instance {id}"))?;
        let rec = self
            .regions
            .get_mut(&region)
            .and_then(|r| r.instances.get_mut(id))
            .ok_or_else(|| format!("no instance {id}"))?;
        if rec.inst.state != InstanceState::Running {
            return Err(format!(
                "{id} is {}, only a running instance can crash",
                rec.inst.state.as_str()
            ));
        }
        rec.crashed_since = Some(now);
        rec.mark(now);
        Ok(())
    }

    /// An AZ goes down: the zone reports impaired, its running instances fail their status checks
    /// (so their targets turn unhealthy), launches and starts there fail for lack of capacity.
    pub(crate) fn az_outage(&mut self, az: &str) -> Result<(), String> {
        let now = self.now;
        let region = self
            .region_of_zone(az)
            .ok_or_else(|| format!("no availability zone {az} in the fleet"))?;
        let Some(r) = self.regions.get_mut(&region) else {
            return Err(format!("no region {region}"));
        };
        for z in r.zones.iter_mut().filter(|z| z.zone.name == az) {
            z.outage = true;
            z.zone.state = ZoneState::Impaired;
            z.zone.messages = vec![
                format!("Increased error rates and connectivity issues in {az} (simulated outage)")
                    .into(),
            ];
        }
        for rec in r.instances.values_mut().filter(|i| i.inst.az == az) {
            if rec.inst.state == InstanceState::Running && rec.outage_since.is_none() {
                rec.outage_since = Some(now);
                rec.mark(now);
            }
        }
        Ok(())
    }

    pub(crate) fn az_restore(&mut self, az: &str) -> Result<(), String> {
        let now = self.now;
        let region = self
            .region_of_zone(az)
            .ok_or_else(|| format!("no availability zone {az} in the fleet"))?;
        let Some(r) = self.regions.get_mut(&region) else {
            return Err(format!("no region {region}"));
        };
        for z in r.zones.iter_mut().filter(|z| z.zone.name == az) {
            z.outage = false;
            z.zone.state = ZoneState::Available;
            z.zone.messages.clear();
        }
        for rec in r.instances.values_mut().filter(|i| i.inst.az == az) {
            if rec.outage_since.take().is_some() {
                rec.mark(now);
            }
        }
        Ok(())
    }

    // ---- scheduled events -------------------------------------------------------------------

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add_event(
        &mut self,
        region: &str,
        instance_id: &str,
        code: EventCode,
        raw_code: &str,
        description: &str,
        not_before: Timestamp,
        not_after: Option<Timestamp>,
        deadline: Option<Timestamp>,
    ) -> CloudResult<String> {
        let event_id = ids::ec2_id(&mut self.rng, "instance-event");
        let rec = self
            .region_mut(region)?
            .instances
            .get_mut(instance_id)
            .ok_or_else(|| not_found_instances(&[instance_id]))?;
        rec.events.push(ScheduledEvent {
            region: region.into(),
            target: EventTarget::Instance,
            resource_id: instance_id.into(),
            event_id: Some(event_id.as_str().into()),
            code,
            raw_code: raw_code.into(),
            description: description.into(),
            not_before: Some(not_before),
            not_after,
            not_before_deadline: deadline,
        });
        self.queue.push(
            not_before,
            Tr::EventDue {
                region: region.into(),
                id: instance_id.into(),
                event_id: event_id.clone(),
                not_before,
            },
        );
        Ok(event_id)
    }

    /// An event's start time came and nobody acted: AWS does it now.
    pub(crate) fn on_event_due(
        &mut self,
        region: &str,
        id: &str,
        event_id: &str,
        not_before: Timestamp,
    ) {
        let Some(rec) = self
            .regions
            .get_mut(region)
            .and_then(|r| r.instances.get_mut(id))
        else {
            return;
        };
        let Some(ev) = rec
            .events
            .iter_mut()
            .find(|e| e.event_id.as_deref() == Some(event_id))
        else {
            return;
        };
        if ev.is_done() || ev.not_before != Some(not_before) {
            return;
        }
        let code = ev.code;
        mark_done(ev);
        let running = rec.inst.state == InstanceState::Running;
        match code {
            EventCode::InstanceReboot | EventCode::SystemReboot if running => {
                self.begin_reboot(region, id, timing::REBOOT_DOWN, false)
            }
            EventCode::SystemMaintenance if running => {
                self.begin_reboot(region, id, timing::MAINTENANCE_BLIP, false)
            }
            EventCode::InstanceStop | EventCode::InstanceRetirement => {
                self.begin_stop(region, id, true)
            }
            _ => {}
        }
    }

    pub(crate) fn reschedule_event(
        &mut self,
        region: &str,
        instance_id: &str,
        event_id: &str,
        not_before: Timestamp,
        dry_run: bool,
    ) -> CloudResult<()> {
        let now = self.now;
        let r = self.region(region)?;
        let rec = r
            .instances
            .get(instance_id)
            .ok_or_else(|| not_found_instances(&[instance_id]))?;
        // Like EC2: permissions (DryRun) are checked before the event itself is looked at.
        if dry_run {
            return Err(CloudError::dry_run_ok(
                "Request would have succeeded, but DryRun flag is set.",
            ));
        }
        let ev = rec
            .events
            .iter()
            .find(|e| e.event_id.as_deref() == Some(event_id) && !e.is_done())
            .ok_or_else(|| {
                err(
                    "InvalidInstanceEventID.NotFound",
                    format!("The event ID '{event_id}' does not exist"),
                )
            })?;
        let Some(deadline) = ev.not_before_deadline else {
            return Err(err(
                "InvalidParameterValue",
                format!(
                    "The event '{event_id}' cannot be rescheduled: it has no NotBeforeDeadline"
                ),
            ));
        };
        let start = ev.not_before.unwrap_or(now);
        if now + chrono::Duration::minutes(5) >= start {
            return Err(err(
                "IncorrectState",
                format!(
                    "The event '{event_id}' starts within 5 minutes (or has started) and can no longer be rescheduled"
                ),
            ));
        }
        if not_before < now + chrono::Duration::minutes(60) {
            return Err(err(
                "InvalidParameterValue",
                "The requested NotBefore must be at least 60 minutes in the future",
            ));
        }
        if not_before > deadline {
            return Err(err(
                "InvalidParameterValue",
                format!(
                    "The requested NotBefore {} is after the event's NotBeforeDeadline {}",
                    not_before.to_rfc3339(),
                    deadline.to_rfc3339()
                ),
            ));
        }
        let Some(ev) = self
            .regions
            .get_mut(region)
            .and_then(|r| r.instances.get_mut(instance_id))
            .and_then(|i| {
                i.events
                    .iter_mut()
                    .find(|e| e.event_id.as_deref() == Some(event_id))
            })
        else {
            return Ok(());
        };
        // The whole window moves, keeping its length.
        if let (Some(nb), Some(na)) = (ev.not_before, ev.not_after) {
            ev.not_after = Some(not_before + (na - nb));
        }
        ev.not_before = Some(not_before);
        self.queue.push(
            not_before,
            Tr::EventDue {
                region: region.into(),
                id: instance_id.into(),
                event_id: event_id.into(),
                not_before,
            },
        );
        Ok(())
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
