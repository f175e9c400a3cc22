//! A small builder of inventories, for tests and benchmarks: enough to describe a fleet in a few
//! lines without an adapter.

use super::*;

pub struct FleetBuilder {
    inv: Inventory,
    region: String,
    seq: u32,
    now: Timestamp,
}

impl FleetBuilder {
    /// A region with zones `a`, `b` and `c`, all available; `now` anchors ages and event times.
    pub fn new(region: &str, now: Timestamp) -> Self {
        let mut inv = Inventory::default();
        for z in ["a", "b", "c"] {
            inv.availability_zones.push(AvailabilityZone {
                region: region.into(),
                name: format!("{region}{z}").into(),
                zone_id: None,
                state: ZoneState::Available,
                messages: vec![],
            });
        }
        inv.regions.push(RegionStatus {
            region: region.into(),
            fetched_at: Some(now),
            error: None,
            unread: Vec::new(),
        });
        FleetBuilder {
            inv,
            region: region.into(),
            seq: 0,
            now,
        }
    }

    fn next(&mut self) -> u32 {
        self.seq += 1;
        self.seq
    }

    pub fn az(&self, letter: &str) -> String {
        format!("{}{letter}", self.region)
    }

    /// A running instance with ok status checks, tagged `Name` and (if given) `role`.
    pub fn instance(&mut self, name: &str, az: &str, role: Option<&str>) -> String {
        let n = self.next();
        let id = format!("i-{n:017x}");
        let mut tags = Tags::new();
        tags.insert("Name", name);
        if let Some(r) = role {
            tags.insert("role", r);
        }
        self.inv.instances.push(Instance {
            region: self.region.as_str().into(),
            id: id.as_str().into(),
            name: Some(name.into()),
            tags,
            instance_type: "t3.micro".into(),
            state: InstanceState::Running,
            az: az.into(),
            subnet_id: Some(format!("subnet-{az}").into()),
            vpc_id: Some("vpc-1".into()),
            private_ip: Some(format!("10.0.0.{n}").into()),
            public_ip: None,
            network_interface_ids: vec![],
            security_group_ids: vec!["sg-1".into()],
            key_name: None,
            iam_instance_profile_arn: None,
            image_id: Some("ami-1".into()),
            launch_time: Some(self.now),
            root_device_name: Some("/dev/xvda".into()),
            block_devices: vec![],
            status_checks: StatusChecks::ok(),
            events: vec![],
        });
        id
    }

    pub fn set_state(&mut self, id: &str, state: InstanceState) {
        if let Some(i) = self.inv.instances.iter_mut().find(|i| i.id == id) {
            i.state = state;
        }
    }

    pub fn load_balancer(&mut self, name: &str, azs: &[&str]) -> String {
        let n = self.next();
        let arn = format!(
            "arn:aws:elasticloadbalancing:{}:1:loadbalancer/app/{name}/{n}",
            self.region
        );
        self.inv.load_balancers.push(LoadBalancer {
            region: self.region.as_str().into(),
            arn: arn.as_str().into(),
            name: name.into(),
            lb_type: "application".into(),
            scheme: "internet-facing".into(),
            state: "active".into(),
            dns_name: format!("{name}.elb.example").into(),
            vpc_id: Some("vpc-1".into()),
            zones: azs
                .iter()
                .map(|a| LbZone {
                    az: (*a).into(),
                    subnet_id: Some(format!("subnet-{a}").into()),
                })
                .collect(),
            created_time: None,
        });
        arn
    }

    pub fn target_group(&mut self, name: &str, lb_arn: Option<&str>) -> String {
        let n = self.next();
        let arn = format!(
            "arn:aws:elasticloadbalancing:{}:1:targetgroup/{name}/{n}",
            self.region
        );
        self.inv.target_groups.push(TargetGroup {
            region: self.region.as_str().into(),
            arn: arn.as_str().into(),
            name: name.into(),
            protocol: Some("HTTP".into()),
            port: Some(80),
            target_type: "instance".into(),
            vpc_id: Some("vpc-1".into()),
            load_balancer_arns: (lb_arn.map(|a| vec![a.to_string()]).unwrap_or_default())
                .into_iter()
                .map(Into::into)
                .collect::<Vec<_>>(),
            health_check: HealthCheck::default(),
            deregistration_delay_seconds: Some(300),
        });
        arn
    }

    pub fn register(&mut self, tg_arn: &str, instance_id: &str, state: TargetState) {
        self.inv.target_health.push(TargetHealth {
            region: self.region.as_str().into(),
            target_group_arn: tg_arn.into(),
            target_id: instance_id.into(),
            port: Some(80),
            az: None,
            state,
            reason: None,
            description: None,
        });
    }

    /// A volume in `az`, attached to `instance` at `device` when given.
    pub fn volume(&mut self, az: &str, attached: Option<(&str, &str)>) -> String {
        let id = format!("vol-{:017x}", self.next());
        self.inv.volumes.push(Volume {
            region: self.region.as_str().into(),
            id: id.as_str().into(),
            name: None,
            az: az.into(),
            size_gib: 100,
            volume_type: "gp3".into(),
            iops: Some(3000),
            state: if attached.is_some() {
                VolumeState::InUse
            } else {
                VolumeState::Available
            },
            attachments: attached
                .map(|(i, d)| {
                    vec![VolumeAttachment {
                        instance_id: i.into(),
                        device: d.into(),
                        state: AttachmentState::Attached,
                        delete_on_termination: false,
                        attach_time: None,
                    }]
                })
                .unwrap_or_default(),
            snapshot_id: None,
            encrypted: false,
            create_time: Some(self.now),
            tags: Tags::new(),
        });
        id
    }

    pub fn snapshot(&mut self, volume_id: &str, age_hours: i64) -> String {
        let id = format!("snap-{:017x}", self.next());
        self.inv.snapshots.push(Snapshot {
            region: self.region.as_str().into(),
            id: id.as_str().into(),
            name: None,
            volume_id: Some(volume_id.into()),
            volume_size_gib: 100,
            state: SnapshotState::Completed,
            progress: 100,
            start_time: Some(self.now - chrono::Duration::hours(age_hours)),
            description: String::new().into(),
            tags: Tags::new(),
        });
        id
    }

    pub fn event(&mut self, instance_id: &str, code: EventCode, in_hours: i64) {
        let not_before = self.now + chrono::Duration::hours(in_hours);
        let region = self.region.clone();
        let n = self.next();
        if let Some(i) = self.inv.instances.iter_mut().find(|i| i.id == instance_id) {
            i.events.push(ScheduledEvent {
                region: region.into(),
                target: EventTarget::Instance,
                resource_id: instance_id.into(),
                event_id: Some(format!("instance-event-{n:017x}").into()),
                code,
                raw_code: code.as_str().into(),
                description: "scheduled".into(),
                not_before: Some(not_before),
                not_after: Some(not_before + chrono::Duration::hours(2)),
                not_before_deadline: Some(not_before + chrono::Duration::days(7)),
            });
        }
    }

    pub fn zone_state(&mut self, az: &str, state: ZoneState) {
        if let Some(z) = self
            .inv
            .availability_zones
            .iter_mut()
            .find(|z| z.name == az)
        {
            z.state = state;
        }
    }

    /// An Auto Scaling group over one subnet per AZ in `azs`, with `members` InService and healthy
    /// (min = desired = max = their number, no maintenance policy), serving `target_groups`.
    pub fn group(
        &mut self,
        name: &str,
        azs: &[&str],
        members: &[&str],
        target_groups: &[&str],
    ) -> String {
        for az in azs {
            let id = format!("subnet-{az}");
            if self.inv.subnet(&id).is_none() {
                self.inv.subnets.push(Subnet {
                    region: self.region.as_str().into(),
                    id: id.into(),
                    vpc_id: "vpc-1".into(),
                    az: (*az).into(),
                    cidr: "10.0.0.0/24".into(),
                    available_ips: 250,
                    default_for_az: false,
                    tags: Tags::new(),
                });
            }
        }
        let size = members.len() as i32;
        let member = |id: &&str| {
            let az = self
                .inv
                .instance(id)
                .map(|i| i.az.clone())
                .unwrap_or_default();
            AsgMember {
                instance_id: (*id).into(),
                az,
                lifecycle_state: LifecycleState::InService,
                healthy: true,
                launched_from: Some("lt-1:1".into()),
                protected_from_scale_in: false,
            }
        };
        let group = AutoScalingGroup {
            region: self.region.as_str().into(),
            name: name.into(),
            arn: format!(
                "arn:aws:autoscaling:{}:123456789012:autoScalingGroup:{name}",
                self.region
            )
            .into(),
            min_size: size,
            max_size: size,
            desired_capacity: size,
            launch_source: Some("lt-1:1".into()),
            subnet_ids: azs.iter().map(|az| format!("subnet-{az}").into()).collect(),
            azs: azs.iter().map(|az| (*az).into()).collect(),
            target_group_arns: target_groups.iter().map(|t| (*t).into()).collect(),
            load_balancer_names: vec![],
            health_check_type: if target_groups.is_empty() {
                "EC2"
            } else {
                "ELB"
            }
            .into(),
            health_check_grace_secs: 300,
            suspended_processes: vec![],
            min_healthy_percent: None,
            max_healthy_percent: None,
            capacity_rebalance: false,
            lifecycle_hooks: vec![],
            instance_refresh: None,
            warm_pool: None,
            members: members.iter().map(member).collect(),
            status: None,
            tags: Tags::new(),
        };
        for id in members {
            if let Some(i) = self.inv.instances.iter_mut().find(|i| i.id == *id) {
                i.tags.insert(GROUP_TAG, name);
            }
        }
        self.inv.auto_scaling_groups.push(group);
        name.to_string()
    }

    pub fn build(mut self) -> Inventory {
        self.inv.fill_derived();
        self.inv
    }
}
