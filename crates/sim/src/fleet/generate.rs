//! The procedurally generated fleet (`large`): many services behind target groups over several
//! regions, with data volumes, snapshots (some stale), scheduled events, a few single-AZ services
//! and stopped instances — all from the sim's seed, so the same seed gives the same fleet.

use super::elb_names::{lb_arn, tg_arn};
use super::events::default_event_description;
use super::region::{add_subnet, new_region};
use super::spec::{FleetSpec, GenerateSpec};
use crate::clock::secs;
use crate::error::SimError;
use crate::ids;
use crate::instances::{NewInstance, cpu_for_role};
use crate::model::*;
use crate::storage::snapshot_duration;
use crate::world::World;
use opsdeck_core::domain::*;
use rand::Rng;

const TYPES: &[&str] = &[
    "t3.micro",
    "t3.small",
    "t3.medium",
    "m5.large",
    "m5.xlarge",
    "c5.large",
    "r5.large",
];
const ROLES: &[&str] = &["web", "app", "api", "worker", "db", "cache"];
const EVENTS: &[EventCode] = &[
    EventCode::SystemReboot,
    EventCode::InstanceReboot,
    EventCode::SystemMaintenance,
    EventCode::InstanceRetirement,
    EventCode::InstanceStop,
];

fn split(total: usize, parts: usize, i: usize) -> usize {
    total / parts + usize::from(i < total % parts)
}

pub(crate) fn generate(
    w: &mut World,
    fleet: &FleetSpec,
    g: &GenerateSpec,
) -> Result<Vec<String>, SimError> {
    if g.regions.is_empty() {
        return Err(SimError("generate: no regions".into()));
    }
    let now = w.now;
    let n_regions = g.regions.len();
    for (ri, region) in g.regions.iter().enumerate() {
        let zones: Vec<String> = (0..g.zones_per_region.clamp(1, 6))
            .map(|z| format!("{region}{}", (b'a' + z as u8) as char))
            .collect();
        new_region(w, region, &zones)?;
        // One subnet per zone, as large as the zone count allows (/18 for up to 4 zones).
        let slots = zones.len().next_power_of_two();
        let block = 256 / slots;
        let prefix = 16 + slots.trailing_zeros();
        let subnets: Vec<String> = zones
            .iter()
            .enumerate()
            .map(|(zi, az)| {
                let mut t = fleet.tags.clone();
                t.insert("Name", format!("private-{}", &az[az.len() - 2..]));
                add_subnet(
                    w,
                    region,
                    az,
                    &format!("10.{}.{}.0/{prefix}", ri % 256, zi * block),
                    false,
                    t,
                )
            })
            .collect::<Result<_, _>>()?;
        let base_image = ids::ec2_id(&mut w.rng, "ami");
        if let Ok(r) = w.region_mut(region) {
            r.public_images.insert(base_image.clone());
        }

        let n_instances = split(g.instances, n_regions, ri);
        let n_tgs = split(g.target_groups, n_regions, ri).max(1);
        // Services: one per target group, plus unbalanced batch workers for the rest.
        let mut tg_arns = Vec::with_capacity(n_tgs);
        let mut lb_arns: Vec<(String, String)> = Vec::new();
        for k in 0..n_tgs {
            let name = format!("svc-{ri}{k:03}-tg");
            let arn = tg_arn(w, region, &name);
            if k % 4 == 0 {
                let lb_name = format!("alb-{ri}{:02}", k / 4);
                let la = lb_arn(w, region, "application", &lb_name);
                lb_arns.push((la, lb_name));
            }
            let (la, _) = lb_arns.last().cloned().unwrap_or_default();
            let rpm = w.rng.random_range(100.0..5000.0f64).round();
            let delay = [30, 60, 120, 300][w.rng.random_range(0..4)];
            let r = w.region_mut(region).map_err(|e| SimError(e.to_string()))?;
            r.tgs.insert(
                arn.clone(),
                TgRec {
                    tg: TargetGroup {
                        region: region.as_str().into(),
                        arn: arn.as_str().into(),
                        name: name.into(),
                        protocol: Some("HTTP".into()),
                        port: Some(8080),
                        target_type: "instance".into(),
                        vpc_id: Some(r.vpc_id.as_str().into()),
                        load_balancer_arns: vec![la.into()],
                        health_check: HealthCheck {
                            path: Some("/health".into()),
                            interval_seconds: 15,
                            healthy_threshold: 3,
                            ..HealthCheck::default()
                        },
                        deregistration_delay_seconds: Some(delay),
                    },
                    regs: Vec::new(),
                    requests_per_minute: rpm,
                },
            );
            tg_arns.push(arn);
        }
        for (k, (la, lb_name)) in lb_arns.iter().enumerate() {
            let n: u64 = w.rng.random_range(1_000_000_000..9_999_999_999);
            let listeners: Vec<Listener> = tg_arns
                .iter()
                .skip(k * 4)
                .take(4)
                .enumerate()
                .map(|(p, tg)| Listener {
                    region: region.as_str().into(),
                    arn: format!(
                        "arn:aws:elasticloadbalancing:{region}:{}:listener/app/{lb_name}/{}",
                        fleet.account, p
                    )
                    .into(),
                    load_balancer_arn: la.as_str().into(),
                    protocol: Some("HTTP".into()),
                    port: Some(8080 + p as i32),
                    target_group_arns: vec![tg.as_str().into()],
                })
                .collect();
            let r = w.region_mut(region).map_err(|e| SimError(e.to_string()))?;
            let lb_subnets: Vec<LbZone> = r
                .subnets
                .values()
                .map(|s| LbZone {
                    az: s.subnet.az.clone(),
                    subnet_id: Some(s.subnet.id.clone()),
                })
                .collect();
            r.lbs.insert(
                la.clone(),
                LbRec {
                    lb: LoadBalancer {
                        region: region.as_str().into(),
                        arn: la.as_str().into(),
                        name: lb_name.as_str().into(),
                        lb_type: "application".into(),
                        scheme: "internal".into(),
                        state: "active".into(),
                        dns_name: format!("internal-{lb_name}-{n}.{region}.elb.amazonaws.com")
                            .into(),
                        vpc_id: Some(r.vpc_id.as_str().into()),
                        zones: lb_subnets,
                        created_time: Some(now - chrono::Duration::days(200)),
                    },
                    listeners,
                },
            );
        }

        let mut data_volumes: Vec<(String, i32)> = Vec::new();
        let mut running: Vec<String> = Vec::new();
        for n in 0..n_instances {
            let in_tg = (n % 100) as f64 / 100.0 < g.target_share;
            let tg_index = n % n_tgs;
            let role = if in_tg {
                ROLES[tg_index % 3]
            } else {
                ROLES[3 + n % 3]
            };
            let service = if in_tg {
                format!("svc-{ri}{tg_index:03}")
            } else {
                format!("{role}-{ri}")
            };
            // Every seventh service keeps all its instances in one AZ: a finding to discover.
            let zone = if in_tg && tg_index.is_multiple_of(7) {
                0
            } else {
                (n / n_tgs.max(1) + n) % subnets.len()
            };
            let name = format!("{service}-{n:05}");
            let mut tags = fleet.tags.clone();
            tags.insert("Name", name.clone());
            tags.insert("role", role);
            tags.insert("service", service.clone());
            let mut vtags = fleet.tags.clone();
            vtags.insert("Name", format!("{name}-root"));
            let launched = now - secs(w.rng.random_range(3600.0..400.0 * 86400.0));
            let instance_type = TYPES[w.rng.random_range(0..TYPES.len())].to_string();
            let stopped = w.rng.random_bool(g.stopped_share.clamp(0.0, 1.0));
            let id = w
                .create_instance(
                    region,
                    NewInstance {
                        instance_type,
                        subnet_id: subnets[zone].clone(),
                        image_id: base_image.clone(),
                        security_group_ids: vec![],
                        key_name: Some("ops".into()),
                        iam_instance_profile_arn: None,
                        user_data: None,
                        tags,
                        volume_tags: vtags,
                        private_ip: None,
                        auto_public_ip: false,
                        cpu_base: cpu_for_role(Some(role)),
                        root_size_gib: None,
                    },
                    InstanceState::Running,
                    launched,
                )
                .map_err(|e| SimError(format!("{region}: {e}")))?;
            if stopped {
                let at = now - secs(w.rng.random_range(600.0..20.0 * 86400.0));
                if let Some(rec) = w
                    .region_mut(region)
                    .ok()
                    .and_then(|r| r.instances.get_mut(&id))
                {
                    rec.inst.state = InstanceState::Stopped;
                    rec.timeline.push((at.max(launched), Phase::Off));
                }
            } else {
                running.push(id.clone());
            }
            if in_tg
                && let Some(t) = w
                    .region_mut(region)
                    .ok()
                    .and_then(|r| r.tgs.get_mut(&tg_arns[tg_index]))
            {
                t.regs.push(Registration {
                    target_id: id.clone(),
                    port: Some(8080),
                    registered_at: (launched + chrono::Duration::minutes(3)).min(now),
                    deregistered_at: None,
                });
            }
            if w.rng.random_bool(g.data_volume_share.clamp(0.0, 1.0)) {
                let vid = ids::ec2_id(&mut w.rng, "vol");
                let size = [50, 100, 200, 500, 1000][w.rng.random_range(0..5)];
                let az = w
                    .region(region)
                    .ok()
                    .and_then(|r| r.subnets.get(&subnets[zone]))
                    .map(|s| s.subnet.az.clone())
                    .unwrap_or_default();
                let mut t = fleet.tags.clone();
                t.insert("Name", format!("{name}-data"));
                t.insert("role", role);
                if let Ok(r) = w.region_mut(region) {
                    r.volumes.insert(
                        vid.clone(),
                        VolumeRec {
                            vol: Volume {
                                region: region.as_str().into(),
                                id: vid.as_str().into(),
                                name: None,
                                az,
                                size_gib: size,
                                volume_type: "gp3".into(),
                                iops: Some(3000),
                                state: VolumeState::InUse,
                                attachments: vec![VolumeAttachment {
                                    instance_id: id.as_str().into(),
                                    device: "/dev/sdf".into(),
                                    state: AttachmentState::Attached,
                                    delete_on_termination: false,
                                    attach_time: Some(launched),
                                }],
                                snapshot_id: None,
                                encrypted: true,
                                create_time: Some(launched),
                                tags: t,
                            },
                            ver: 0,
                            stuck: false,
                        },
                    );
                }
                data_volumes.push((vid, size));
            }
            if w.rng.random_bool(g.event_share.clamp(0.0, 1.0)) {
                let code = EVENTS[w.rng.random_range(0..EVENTS.len())];
                let start = now + secs(w.rng.random_range(3.0 * 3600.0..20.0 * 86400.0));
                let deadline = if w.rng.random_bool(0.7) {
                    Some(start + chrono::Duration::days(7))
                } else {
                    None
                };
                let desc = default_event_description(code);
                w.add_event(
                    region,
                    &id,
                    code,
                    code.as_str(),
                    &desc,
                    start,
                    Some(start + chrono::Duration::hours(2)),
                    deadline,
                )
                .map_err(|e| SimError(e.to_string()))?;
            }
        }

        // Snapshots: most volumes nightly, some with only stale ones.
        for (vid, size) in &data_volumes {
            let stale = w.rng.random_bool(0.1);
            for k in 0..g.snapshots_per_data_volume {
                let age_days = if stale { 20 + 7 * k } else { 1 + k };
                let started = now - chrono::Duration::days(age_days as i64)
                    + secs(w.rng.random_range(0.0..3600.0));
                let mut t = fleet.tags.clone();
                t.insert("Name", format!("{vid}-{age_days}d"));
                w.insert_snapshot(
                    region,
                    Some(vid.clone()),
                    *size,
                    format!("nightly backup of {vid}"),
                    t,
                    started,
                    started + secs(snapshot_duration(*size)),
                )
                .map_err(|e| SimError(e.to_string()))?;
            }
        }

        // Golden images of a few services.
        for k in 0..g.images_per_region.min(running.len()) {
            let src = running[k * running.len() / g.images_per_region.max(1)].clone();
            let created = now - chrono::Duration::days(30 + 10 * k as i64);
            let root = w.region(region).ok().and_then(|r| {
                r.volumes
                    .values()
                    .find(|v| {
                        v.vol
                            .attachments
                            .iter()
                            .any(|a| a.instance_id == src && a.device == "/dev/xvda")
                    })
                    .map(|v| (v.vol.id.clone(), v.vol.size_gib))
            });
            let image_id = ids::ec2_id(&mut w.rng, "ami");
            let mut snaps = Vec::new();
            if let Some((vid, size)) = root {
                snaps.push(
                    w.insert_snapshot(
                        region,
                        Some(vid.to_string()),
                        size,
                        format!("Created by CreateImage({src}) for {image_id}"),
                        fleet.tags.clone(),
                        created,
                        created + secs(snapshot_duration(size)),
                    )
                    .map_err(|e| SimError(e.to_string()))?
                    .into(),
                );
            }
            let mut t = fleet.tags.clone();
            t.insert("Name", format!("golden-{ri}-{k}"));
            if let Ok(r) = w.region_mut(region) {
                r.images.insert(
                    image_id.clone(),
                    Image {
                        region: region.as_str().into(),
                        id: image_id.into(),
                        name: format!("golden-{ri}-{k}").into(),
                        description: Some(format!("golden image from {src}").into()),
                        state: ImageState::Available,
                        creation_date: Some(created),
                        root_device_name: Some("/dev/xvda".into()),
                        snapshot_ids: snaps,
                        tags: t,
                    },
                );
            }
        }

        // Elastic IPs on some running instances, and CPU alarms.
        for k in 0..g.elastic_ips_per_region.min(running.len()) {
            let target = running[k * running.len() / g.elastic_ips_per_region.max(1)].clone();
            let alloc = ids::ec2_id(&mut w.rng, "eipalloc");
            let ip = ids::public_ip(&mut w.rng);
            let assoc = ids::ec2_id(&mut w.rng, "eipassoc");
            if let Ok(r) = w.region_mut(region) {
                let eni = r
                    .enis
                    .values()
                    .find(|e| e.primary_of.as_deref() == Some(target.as_str()))
                    .map(|e| {
                        (
                            e.eni.id.clone(),
                            e.eni.primary_private_ip().unwrap_or_default().to_string(),
                        )
                    });
                let mut t = fleet.tags.clone();
                t.insert("Name", format!("eip-{ri}-{k}"));
                r.eips.insert(
                    alloc.clone(),
                    ElasticIp {
                        region: region.as_str().into(),
                        allocation_id: alloc.into(),
                        public_ip: ip.into(),
                        association_id: (eni.as_ref().map(|_| assoc)).map(Into::into),
                        instance_id: None,
                        network_interface_id: eni.as_ref().map(|e| e.0.clone()),
                        private_ip: (eni.map(|e| e.1)).map(Into::into),
                        tags: t,
                    },
                );
            }
        }
        let account = fleet.account.clone();
        if let Ok(r) = w.region_mut(region) {
            for k in 0..g.alarms_per_region.min(running.len()) {
                let target = &running[k * running.len() / g.alarms_per_region.max(1)];
                let name = format!("{target}-cpu-high");
                r.alarms.insert(
                    name.clone(),
                    AlarmRec {
                        alarm: Alarm {
                            region: region.as_str().into(),
                            arn: Some(
                                format!("arn:aws:cloudwatch:{region}:{account}:alarm:{name}")
                                    .into(),
                            ),
                            name: name.into(),
                            state: AlarmState::InsufficientData,
                            reason: None,
                            namespace: Some("AWS/EC2".into()),
                            metric: Some("CPUUtilization".into()),
                            dimensions: vec![("InstanceId".into(), target.clone())],
                            threshold: Some(80.0),
                            comparison: Some("GreaterThanThreshold".into()),
                            updated: None,
                        },
                        stat: "Average".into(),
                        period_seconds: 300,
                        evaluation_periods: 2,
                    },
                );
            }
        }
    }
    Ok(g.regions.clone())
}
