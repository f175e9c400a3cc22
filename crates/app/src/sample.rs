//! A deterministic inventory built from domain types, of any size: for the console's tests,
//! snapshots and benchmarks (no simulator, no network). Times are relative to `now`.

use chrono::Duration;
use opsdeck_core::domain::*;

fn tags(name: &str) -> Tags {
    let mut t = Tags::new();
    t.insert("Name", name);
    t
}

/// `n` instances spread over three AZs of each region, with volumes, snapshots, images, a load
/// balancer and target groups, Elastic IPs, ENIs (some with secondary IPs), events, metrics and alarms.
pub fn inventory(n: usize, regions: &[&str], now: Timestamp) -> Inventory {
    let mut inv = Inventory::default();
    let regions: Vec<&str> = if regions.is_empty() {
        vec!["us-east-1"]
    } else {
        regions.to_vec()
    };
    for (ri, region) in regions.iter().enumerate() {
        let region = region.to_string();
        inv.regions.push(RegionStatus {
            region: region.clone(),
            fetched_at: Some(now),
            error: None,
            unread: Vec::new(),
        });
        for z in ["a", "b", "c"] {
            inv.availability_zones.push(AvailabilityZone {
                region: region.as_str().into(),
                name: format!("{region}{z}").into(),
                zone_id: Some(format!("{}-az{}", &region[..2], z.as_bytes()[0] - b'a' + 1).into()),
                state: ZoneState::Available,
                messages: vec![],
            });
            inv.subnets.push(Subnet {
                region: region.as_str().into(),
                id: format!("subnet-{ri}{z}0000000000000").into(),
                vpc_id: format!("vpc-{ri}000000000000000").into(),
                az: format!("{region}{z}").into(),
                cidr: format!("10.{ri}.{}.0/24", z.as_bytes()[0] - b'a' + 1).into(),
                available_ips: 250,
                default_for_az: false,
                tags: tags(&format!("private-{z}")),
            });
        }
        let lb_arn = format!(
            "arn:aws:elasticloadbalancing:{region}:123456789012:loadbalancer/app/shop-{ri}/{ri:016x}"
        );
        inv.load_balancers.push(LoadBalancer {
            region: region.as_str().into(),
            arn: lb_arn.as_str().into(),
            name: format!("shop-{ri}").into(),
            lb_type: "application".into(),
            scheme: "internet-facing".into(),
            state: "active".into(),
            dns_name: format!("shop-{ri}-123.{region}.elb.amazonaws.com").into(),
            vpc_id: Some(format!("vpc-{ri}000000000000000").into()),
            zones: ["a", "b"]
                .iter()
                .map(|z| LbZone {
                    az: format!("{region}{z}").into(),
                    subnet_id: Some(format!("subnet-{ri}{z}0000000000000").into()),
                })
                .collect(),
            created_time: Some(now - Duration::days(200)),
        });
        for tg in ["web", "api"] {
            inv.target_groups.push(TargetGroup {
                region: region.as_str().into(),
                arn: format!(
                    "arn:aws:elasticloadbalancing:{region}:123456789012:targetgroup/{tg}-{ri}/{ri:016x}"
                ).into(),
                name: format!("{tg}-{ri}").into(),
                protocol: Some("HTTP".into()),
                port: Some(if tg == "web" { 80 } else { 8080 }),
                target_type: "instance".into(),
                vpc_id: Some(format!("vpc-{ri}000000000000000").into()),
                load_balancer_arns: vec![lb_arn.as_str().into()],
                health_check: HealthCheck::default(),
                deregistration_delay_seconds: None,
            });
        }
    }
    let roles = ["web", "api", "db", "worker"];
    for i in 0..n {
        let ri = i % regions.len();
        let region = regions[ri].to_string();
        let z = ["a", "b", "c"][(i / regions.len()) % 3];
        // Put the only db of region 0 alone in zone a: the AZ map has something to say.
        let z = if i % 4 == 2 { "a" } else { z };
        let az = format!("{region}{z}");
        let role = roles[i % roles.len()];
        let id = format!("i-{:017x}", 0x1000 + i as u64 * 7919);
        let name = format!("{role}-{}", i / roles.len() + 1);
        let state = match i % 23 {
            7 => InstanceState::Stopped,
            11 => InstanceState::Pending,
            _ => InstanceState::Running,
        };
        let checks = match (state, i % 17) {
            (InstanceState::Running, 5) => StatusChecks {
                system: CheckStatus::Impaired,
                instance: CheckStatus::Ok,
                impaired_since: Some(now - Duration::minutes(12)),
            },
            (InstanceState::Running, _) => StatusChecks::ok(),
            (InstanceState::Pending, _) => StatusChecks {
                system: CheckStatus::Initializing,
                instance: CheckStatus::Initializing,
                impaired_since: None,
            },
            _ => StatusChecks::not_applicable(),
        };
        let mut events = Vec::new();
        if i % 13 == 3 {
            events.push(ScheduledEvent {
                region: region.as_str().into(),
                target: EventTarget::Instance,
                resource_id: id.as_str().into(),
                event_id: Some(format!("instance-event-{i:012x}").into()),
                code: EventCode::SystemReboot,
                raw_code: "system-reboot".into(),
                description: "scheduled reboot".into(),
                not_before: Some(now + Duration::hours(30 + i as i64 % 48)),
                not_after: Some(now + Duration::hours(32 + i as i64 % 48)),
                not_before_deadline: Some(now + Duration::days(7)),
            });
        }
        let vol_id = format!("vol-{:017x}", 0x2000 + i as u64 * 7919);
        let eni_id = format!("eni-{:017x}", 0x3000 + i as u64 * 7919);
        let private_ip = format!("10.{ri}.{}.{}", (i / 250) % 250, i % 250 + 4);
        inv.instances.push(Instance {
            region: region.as_str().into(),
            id: id.as_str().into(),
            name: Some(name.as_str().into()),
            tags: tags(&name),
            instance_type: ["t3.small", "m5.large", "c5.xlarge"][i % 3].into(),
            state,
            az: az.as_str().into(),
            subnet_id: Some(format!("subnet-{ri}{z}0000000000000").into()),
            vpc_id: Some(format!("vpc-{ri}000000000000000").into()),
            private_ip: Some(private_ip.as_str().into()),
            public_ip: ((role == "web").then(|| format!("3.{ri}.{}.{}", i / 250 % 250, i % 250)))
                .map(Into::into),
            network_interface_ids: vec![eni_id.as_str().into()],
            security_group_ids: vec![format!("sg-{ri}00000000000000").into()],
            key_name: Some("ops".into()),
            iam_instance_profile_arn: None,
            image_id: Some(format!("ami-{ri:017x}").into()),
            launch_time: Some(now - Duration::days(3 + i as i64 % 90)),
            root_device_name: Some("/dev/xvda".into()),
            block_devices: vec![BlockDevice {
                device_name: "/dev/xvda".into(),
                volume_id: vol_id.as_str().into(),
                delete_on_termination: true,
                status: "attached".into(),
            }],
            status_checks: checks,
            events,
        });
        inv.volumes.push(Volume {
            region: region.as_str().into(),
            id: vol_id.as_str().into(),
            name: Some(format!("{name}-root").into()),
            az: az.as_str().into(),
            size_gib: [8, 20, 100, 500][i % 4],
            volume_type: "gp3".into(),
            iops: Some(3000),
            state: VolumeState::InUse,
            attachments: vec![VolumeAttachment {
                instance_id: id.as_str().into(),
                device: "/dev/xvda".into(),
                state: AttachmentState::Attached,
                delete_on_termination: true,
                attach_time: Some(now - Duration::days(3)),
            }],
            snapshot_id: None,
            encrypted: true,
            create_time: Some(now - Duration::days(3 + i as i64 % 90)),
            tags: tags(&format!("{name}-root")),
        });
        if i % 5 != 4 {
            let pending = i % 29 == 1;
            inv.snapshots.push(Snapshot {
                region: region.as_str().into(),
                id: format!("snap-{:017x}", 0x4000 + i as u64 * 7919).into(),
                name: None,
                volume_id: Some(vol_id.as_str().into()),
                volume_size_gib: [8, 20, 100, 500][i % 4],
                state: if pending {
                    SnapshotState::Pending
                } else {
                    SnapshotState::Completed
                },
                progress: if pending { 40 } else { 100 },
                start_time: Some(now - Duration::hours(2 + i as i64 % 40)),
                description: format!("nightly {name}").into(),
                tags: Tags::new(),
            });
        }
        let mut private_ips = vec![PrivateIp {
            address: private_ip.as_str().into(),
            primary: true,
            public_ip: None,
        }];
        if role == "db" {
            private_ips.push(PrivateIp {
                address: format!("10.{ri}.200.{}", i % 250).into(),
                primary: false,
                public_ip: None,
            });
        }
        inv.network_interfaces.push(NetworkInterface {
            region: region.as_str().into(),
            id: eni_id.as_str().into(),
            az: az.as_str().into(),
            subnet_id: format!("subnet-{ri}{z}0000000000000").into(),
            vpc_id: format!("vpc-{ri}000000000000000").into(),
            status: "in-use".into(),
            description: String::new().into(),
            private_ips,
            attachment: Some(EniAttachment {
                attachment_id: format!("eni-attach-{:013x}", i).into(),
                instance_id: Some(id.as_str().into()),
                device_index: 0,
                status: "attached".into(),
                delete_on_termination: true,
            }),
            security_groups: vec![format!("sg-{ri}00000000000000").into()],
            tags: Tags::new(),
        });
        if role == "db" {
            inv.elastic_ips.push(ElasticIp {
                region: region.as_str().into(),
                allocation_id: format!("eipalloc-{:017x}", 0x5000 + i).into(),
                public_ip: format!("52.{ri}.{}.{}", i / 250 % 250, i % 250).into(),
                association_id: Some(format!("eipassoc-{:017x}", i).into()),
                instance_id: Some(id.as_str().into()),
                network_interface_id: Some(eni_id.as_str().into()),
                private_ip: Some(private_ip.as_str().into()),
                tags: Tags::new(),
            });
        }
        if role == "web" || role == "api" {
            let (state, reason) = match (state, checks_ok(&inv.instances[i])) {
                (InstanceState::Running, true) => (TargetState::Healthy, None),
                (InstanceState::Running, false) => (
                    TargetState::Unhealthy,
                    Some("Target.FailedHealthChecks".to_string()),
                ),
                _ => (TargetState::Unused, Some("Target.InvalidState".to_string())),
            };
            inv.target_health.push(TargetHealth {
                region: region.as_str().into(),
                target_group_arn: format!(
                    "arn:aws:elasticloadbalancing:{region}:123456789012:targetgroup/{role}-{ri}/{ri:016x}"
                ).into(),
                target_id: id.as_str().into(),
                port: Some(if role == "web" { 80 } else { 8080 }),
                az: Some(az.as_str().into()),
                state,
                reason: reason.map(Into::into),
                description: None,
            });
        }
        if state == InstanceState::Running {
            let base = 10.0 + (i % 7) as f64 * 11.0;
            inv.metrics.push(MetricSeries {
                region: region.as_str().into(),
                namespace: "AWS/EC2".into(),
                metric: "CPUUtilization".into(),
                stat: "Average".into(),
                subject: MetricSubject::Instance {
                    instance_id: id.as_str().into(),
                },
                points: (0..12)
                    .map(|k| {
                        (
                            now - Duration::minutes(5 * (12 - k)),
                            (base + ((k as usize * 7 + i) % 10) as f64 * 3.0).min(100.0),
                        )
                    })
                    .collect(),
            });
        }
        if i % 10 == 0 {
            inv.alarms.push(Alarm {
                region: region.as_str().into(),
                name: format!("{name}-cpu-high").into(),
                arn: None,
                state: if i % 20 == 0 {
                    AlarmState::Ok
                } else {
                    AlarmState::Alarm
                },
                reason: Some("Threshold crossed".into()),
                namespace: Some("AWS/EC2".into()),
                metric: Some("CPUUtilization".into()),
                dimensions: vec![("InstanceId".into(), id.clone())],
                threshold: Some(80.0),
                comparison: Some("GreaterThanThreshold".into()),
                updated: Some(now - Duration::minutes(30)),
            });
        }
    }
    for (ri, region) in regions.iter().enumerate() {
        inv.images.push(Image {
            region: (*region).into(),
            id: format!("ami-{ri:017x}").into(),
            name: format!("base-{ri}-2024.05").into(),
            description: Some("golden image".into()),
            state: ImageState::Available,
            creation_date: Some(now - Duration::days(60)),
            root_device_name: Some("/dev/xvda".into()),
            snapshot_ids: vec![],
            tags: Tags::new(),
        });
    }
    inv.identity = Some(Identity {
        account: "123456789012".into(),
        arn: "arn:aws:iam::123456789012:user/ops".into(),
        user_id: "AIDAEXAMPLE".into(),
        expires_at: None,
    });
    inv.fill_derived();
    inv
}

fn checks_ok(i: &Instance) -> bool {
    !i.status_checks.impaired()
}
