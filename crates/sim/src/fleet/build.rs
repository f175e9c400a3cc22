//! Turning a fleet spec into the world: its regions in the file's order, then the generated ones.

use super::elb_names::{lb_arn, lb_dns, tg_arn};
use super::events::default_event_description;
use super::generate::generate;
use super::region::{add_subnet, new_region};
use super::spec::{FleetSpec, RegionSpec};
use super::tags::{tag_primary_eni, with};
use super::times::{at, span};
use crate::clock::secs;
use crate::error::SimError;
use crate::ids::{self, Cidr};
use crate::instances::{NewInstance, cpu_for_role};
use crate::model::*;
use crate::storage::snapshot_duration;
use crate::world::World;
use base64::Engine;
use opsdeck_core::domain::*;
use std::collections::{BTreeMap, HashMap};

pub(crate) fn load(w: &mut World, spec: &FleetSpec, _seed: u64) -> Result<Vec<String>, SimError> {
    w.fleet_name = spec.name.clone();
    w.account = spec.account.clone();
    let mut order = Vec::new();
    for r in &spec.regions {
        load_region(w, spec, r)?;
        order.push(r.name.clone());
    }
    if let Some(g) = &spec.generate {
        order.extend(generate(w, spec, g)?);
    }
    if order.is_empty() {
        return Err(SimError(format!("fleet {} has no region", spec.name)));
    }
    Ok(order)
}

fn load_region(w: &mut World, fleet: &FleetSpec, spec: &RegionSpec) -> Result<(), SimError> {
    let now = w.now;
    let region = spec.name.as_str();
    let ft = &fleet.tags;
    let e = |m: String| SimError(format!("{region}: {m}"));
    new_region(w, region, &spec.zones)?;
    if Cidr::parse(&spec.vpc_cidr).is_none() {
        return Err(e(format!("bad VPC CIDR {}", spec.vpc_cidr)));
    }

    let mut subnets: HashMap<&str, String> = HashMap::new();
    for s in &spec.subnets {
        let id = add_subnet(
            w,
            region,
            &s.az,
            &s.cidr,
            s.public,
            with(ft, &[("Name", &s.name)]),
        )?;
        subnets.insert(s.name.as_str(), id);
    }
    let subnet = |n: &str| -> Result<String, SimError> {
        subnets
            .get(n)
            .cloned()
            .ok_or_else(|| SimError(format!("{region}: no subnet named {n}")))
    };

    let mut sgs: BTreeMap<String, String> = BTreeMap::new();
    for name in &spec.security_groups {
        sgs.insert(name.clone(), ids::ec2_id(&mut w.rng, "sg"));
    }
    let image_ids: HashMap<&str, String> = spec
        .images
        .iter()
        .map(|i| (i.name.as_str(), ids::ec2_id(&mut w.rng, "ami")))
        .collect();
    {
        let r = w.region_mut(region).map_err(|x| e(x.to_string()))?;
        r.security_groups = sgs.clone();
        r.public_images = spec.base_images.iter().cloned().collect();
    }
    let sg_ids = |names: &[String]| -> Result<Vec<String>, SimError> {
        names
            .iter()
            .map(|n| {
                sgs.get(n)
                    .cloned()
                    .ok_or_else(|| SimError(format!("{region}: no security group named {n}")))
            })
            .collect()
    };

    // Instances, with their volumes and events.
    let mut instances: HashMap<&str, String> = HashMap::new();
    let mut volumes: HashMap<String, String> = HashMap::new();
    for i in &spec.instances {
        let launched = at(now, &i.launched)?;
        let sn = subnet(&i.subnet)?;
        let public = match i.public_ip {
            Some(p) => p,
            None => w
                .region(region)
                .ok()
                .and_then(|r| r.subnets.get(&sn))
                .is_some_and(|s| s.public),
        };
        let image = match &i.image {
            Some(img) => image_ids.get(img.as_str()).cloned().unwrap_or(img.clone()),
            None => spec.base_images.first().cloned().ok_or_else(|| {
                e(format!(
                    "instance {} has no image and there is no base image",
                    i.name
                ))
            })?,
        };
        let mut extra: Vec<(&str, &str)> = vec![("Name", &i.name)];
        if let Some(role) = &i.role {
            extra.push(("role", role));
        }
        let mut tags = with(ft, &extra);
        tags.extend(i.tags.clone());
        let root_name = format!("{}-root", i.name);
        let mut vextra: Vec<(&str, &str)> = vec![("Name", &root_name)];
        if let Some(role) = &i.role {
            vextra.push(("role", role));
        }
        let id = w
            .create_instance(
                region,
                NewInstance {
                    instance_type: i.instance_type.clone(),
                    subnet_id: sn.clone(),
                    image_id: image,
                    security_group_ids: sg_ids(&i.security_groups)?,
                    key_name: i.key.clone(),
                    iam_instance_profile_arn: i
                        .profile
                        .as_ref()
                        .map(|p| format!("arn:aws:iam::{}:instance-profile/{p}", fleet.account)),
                    user_data: i
                        .user_data
                        .as_ref()
                        .map(|u| base64::engine::general_purpose::STANDARD.encode(u)),
                    tags,
                    volume_tags: with(ft, &vextra),
                    private_ip: i.private_ip.clone(),
                    auto_public_ip: public,
                    cpu_base: i.cpu.unwrap_or_else(|| cpu_for_role(i.role.as_deref())),
                    root_size_gib: i.root_size,
                },
                InstanceState::Running,
                launched,
            )
            .map_err(|x| e(format!("instance {}: {x}", i.name)))?;
        let az = w
            .region(region)
            .ok()
            .and_then(|r| r.instances.get(&id))
            .map(|r| r.inst.az.clone())
            .unwrap_or_default();
        if let Ok(r) = w.region_mut(region) {
            tag_primary_eni(r, &id, ft);
        }
        for v in &i.volumes {
            let vid = ids::ec2_id(&mut w.rng, "vol");
            let mut vt = with(ft, &[("Name", &v.name)]);
            if let Some(role) = &i.role {
                vt.insert("role", role.clone());
            }
            vt.extend(v.tags.clone());
            let r = w.region_mut(region).map_err(|x| e(x.to_string()))?;
            r.volumes.insert(
                vid.clone(),
                VolumeRec {
                    vol: Volume {
                        region: region.into(),
                        id: vid.as_str().into(),
                        name: None,
                        az: az.clone(),
                        size_gib: v.size,
                        volume_type: v.volume_type.as_str().into(),
                        iops: v.iops.or(if v.volume_type == "gp3" {
                            Some(3000)
                        } else {
                            None
                        }),
                        state: VolumeState::InUse,
                        attachments: vec![VolumeAttachment {
                            instance_id: id.as_str().into(),
                            device: v.device.as_str().into(),
                            state: AttachmentState::Attached,
                            delete_on_termination: false,
                            attach_time: Some(launched),
                        }],
                        snapshot_id: None,
                        encrypted: true,
                        create_time: Some(launched),
                        tags: vt,
                    },
                    ver: 0,
                    stuck: false,
                },
            );
            volumes.insert(v.name.clone(), vid);
        }
        if let Some(rv) = w.region(region).ok().and_then(|r| {
            r.volumes
                .values()
                .find(|v| {
                    v.vol
                        .attachments
                        .iter()
                        .any(|a| a.instance_id == id && a.device == "/dev/xvda")
                })
                .map(|v| v.vol.id.clone())
        }) {
            volumes.insert(root_name, rv.to_string());
        }
        for ev in &i.events {
            let code = EventCode::parse(&ev.code);
            if code == EventCode::Other {
                return Err(e(format!("unknown event code {}", ev.code)));
            }
            let start = at(now, &ev.starts)?;
            let end = start + span(&ev.window)?;
            let deadline = match &ev.deadline {
                Some(d) => Some(at(now, d)?),
                None => None,
            };
            let desc = ev
                .description
                .clone()
                .unwrap_or_else(|| default_event_description(code));
            w.add_event(
                region,
                &id,
                code,
                &ev.code,
                &desc,
                start,
                Some(end),
                deadline,
            )
            .map_err(|x| e(x.to_string()))?;
        }
        if i.state == "stopped" {
            let stopped = at(now, i.stopped.as_deref().unwrap_or("-1d"))?;
            if let Some(rec) = w
                .region_mut(region)
                .ok()
                .and_then(|r| r.instances.get_mut(&id))
            {
                rec.inst.state = InstanceState::Stopped;
                rec.public_ip = None;
                rec.timeline.push((stopped.max(launched), Phase::Off));
            }
        } else if i.state != "running" {
            return Err(e(format!(
                "instance {}: state must be running or stopped, not {}",
                i.name, i.state
            )));
        }
        instances.insert(i.name.as_str(), id);
    }
    let instance = |n: &str| -> Result<String, SimError> {
        instances
            .get(n)
            .cloned()
            .ok_or_else(|| SimError(format!("{region}: no instance named {n}")))
    };

    for v in &spec.volumes {
        let vid = ids::ec2_id(&mut w.rng, "vol");
        let mut vt = with(ft, &[("Name", &v.name)]);
        vt.extend(v.tags.clone());
        let r = w.region_mut(region).map_err(|x| e(x.to_string()))?;
        if r.zone(&v.az).is_none() {
            return Err(e(format!("volume {}: no zone {}", v.name, v.az)));
        }
        r.volumes.insert(
            vid.clone(),
            VolumeRec {
                vol: Volume {
                    region: region.into(),
                    id: vid.as_str().into(),
                    name: None,
                    az: v.az.as_str().into(),
                    size_gib: v.size,
                    volume_type: v.volume_type.as_str().into(),
                    iops: if v.volume_type == "gp3" {
                        Some(3000)
                    } else {
                        None
                    },
                    state: VolumeState::Available,
                    attachments: vec![],
                    snapshot_id: None,
                    encrypted: true,
                    create_time: Some(now - chrono::Duration::days(10)),
                    tags: vt,
                },
                ver: 0,
                stuck: false,
            },
        );
        volumes.insert(v.name.clone(), vid);
    }

    for s in &spec.snapshots {
        let vid = volumes
            .get(&s.volume)
            .cloned()
            .ok_or_else(|| e(format!("snapshot of unknown volume {}", s.volume)))?;
        let size = w
            .region(region)
            .ok()
            .and_then(|r| r.volumes.get(&vid))
            .map(|v| v.vol.size_gib)
            .unwrap_or(8);
        let started = at(now, &s.taken)?;
        let mut tags = ft.clone();
        if let Some(n) = &s.name {
            tags.insert("Name", n.clone());
        }
        tags.extend(s.tags.clone());
        w.insert_snapshot(
            region,
            Some(vid),
            size,
            s.description.clone().unwrap_or_default(),
            tags,
            started,
            started + secs(snapshot_duration(size)),
        )
        .map_err(|x| e(x.to_string()))?;
    }

    for img in &spec.images {
        let src = instance(&img.from)?;
        let created = at(now, &img.created)?;
        let image_id = image_ids
            .get(img.name.as_str())
            .cloned()
            .unwrap_or_default();
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
        let mut snapshot_ids = Vec::new();
        if let Some((vid, size)) = root {
            let sid = w
                .insert_snapshot(
                    region,
                    Some(vid.to_string()),
                    size,
                    format!("Created by CreateImage({src}) for {image_id}"),
                    ft.clone(),
                    created,
                    created + secs(snapshot_duration(size)),
                )
                .map_err(|x| e(x.to_string()))?;
            snapshot_ids.push(sid.into());
        }
        let mut tags = with(ft, &[("Name", &img.name)]);
        tags.extend(img.tags.clone());
        let r = w.region_mut(region).map_err(|x| e(x.to_string()))?;
        r.images.insert(
            image_id.clone(),
            Image {
                region: region.into(),
                id: image_id.into(),
                name: img.name.as_str().into(),
                description: img.description.as_deref().map(Into::into),
                state: ImageState::Available,
                creation_date: Some(created),
                root_device_name: Some("/dev/xvda".into()),
                snapshot_ids,
                tags,
            },
        );
    }

    let mut enis: HashMap<&str, String> = HashMap::new();
    for n in &spec.network_interfaces {
        let sn = subnet(&n.subnet)?;
        let groups = sg_ids(&n.security_groups)?;
        let mut tags = with(ft, &[("Name", &n.name)]);
        tags.extend(n.tags.clone());
        let World { regions, rng, .. } = &mut *w;
        let r = regions
            .get_mut(region)
            .ok_or_else(|| e("region vanished".into()))?;
        let groups = if groups.is_empty() {
            vec![r.default_sg.clone()]
        } else {
            groups
        };
        let id = r
            .create_eni(
                rng,
                &sn,
                &n.description,
                None,
                n.secondary_ips,
                groups,
                tags,
            )
            .map_err(|x| e(x.to_string()))?;
        if let Some(target) = &n.attach_to {
            let iid = instance(target)?;
            let att = ids::ec2_id(rng, "eni-attach");
            if let Some(rec) = r.enis.get_mut(&id) {
                rec.eni.status = "in-use".into();
                rec.eni.attachment = Some(EniAttachment {
                    attachment_id: att.into(),
                    instance_id: Some(iid.into()),
                    device_index: n.device_index,
                    status: "attached".into(),
                    delete_on_termination: false,
                });
            }
        }
        enis.insert(n.name.as_str(), id);
    }

    for a in &spec.elastic_ips {
        let alloc = ids::ec2_id(&mut w.rng, "eipalloc");
        let ip = ids::public_ip(&mut w.rng);
        let assoc = ids::ec2_id(&mut w.rng, "eipassoc");
        let target = match (&a.instance, &a.eni) {
            (Some(i), None) => {
                let iid = instance(i)?;
                let r = w.region(region).map_err(|x| e(x.to_string()))?;
                r.enis
                    .values()
                    .find(|n| n.primary_of.as_deref() == Some(iid.as_str()))
                    .map(|n| {
                        (
                            n.eni.id.clone(),
                            n.eni.primary_private_ip().unwrap_or_default().to_string(),
                        )
                    })
            }
            (None, Some(n)) => {
                let nid = enis
                    .get(n.as_str())
                    .cloned()
                    .ok_or_else(|| e(format!("no network interface named {n}")))?;
                let r = w.region(region).map_err(|x| e(x.to_string()))?;
                r.enis.get(&nid).map(|n| {
                    (
                        n.eni.id.clone(),
                        n.eni.primary_private_ip().unwrap_or_default().to_string(),
                    )
                })
            }
            (None, None) => None,
            _ => {
                return Err(e(format!(
                    "elastic IP {}: instance or eni, not both",
                    a.name
                )));
            }
        };
        let mut tags = with(ft, &[("Name", &a.name)]);
        tags.extend(a.tags.clone());
        let r = w.region_mut(region).map_err(|x| e(x.to_string()))?;
        r.eips.insert(
            alloc.clone(),
            ElasticIp {
                region: region.into(),
                allocation_id: alloc.into(),
                public_ip: ip.into(),
                association_id: (target.as_ref().map(|_| assoc)).map(Into::into),
                instance_id: None,
                network_interface_id: target.as_ref().map(|t| t.0.clone()),
                private_ip: (target.map(|t| t.1)).map(Into::into),
                tags,
            },
        );
    }

    // Target groups first (listeners point at them), then load balancers.
    let mut tgs: HashMap<&str, String> = HashMap::new();
    for t in &spec.target_groups {
        let arn = tg_arn(w, region, &t.name);
        let d = HealthCheck::default();
        let hc = HealthCheck {
            protocol: t
                .health_check
                .protocol
                .as_deref()
                .map(Into::into)
                .or(d.protocol),
            port: t.health_check.port.as_deref().map(Into::into).or(d.port),
            path: t.health_check.path.as_deref().map(Into::into).or(d.path),
            interval_seconds: t.health_check.interval.unwrap_or(d.interval_seconds),
            timeout_seconds: t.health_check.timeout.unwrap_or(d.timeout_seconds),
            healthy_threshold: t
                .health_check
                .healthy_threshold
                .unwrap_or(d.healthy_threshold),
            unhealthy_threshold: t
                .health_check
                .unhealthy_threshold
                .unwrap_or(d.unhealthy_threshold),
            matcher: t
                .health_check
                .matcher
                .as_deref()
                .map(Into::into)
                .or(d.matcher),
        };
        let mut regs = Vec::new();
        for name in &t.targets {
            let iid = instance(name)?;
            let launched = w
                .region(region)
                .ok()
                .and_then(|r| r.instances.get(&iid))
                .and_then(|i| i.inst.launch_time)
                .unwrap_or(now);
            regs.push(Registration {
                target_id: iid,
                port: Some(t.port),
                registered_at: (launched + chrono::Duration::minutes(2)).min(now),
                deregistered_at: None,
            });
        }
        let r = w.region_mut(region).map_err(|x| e(x.to_string()))?;
        r.tgs.insert(
            arn.clone(),
            TgRec {
                tg: TargetGroup {
                    region: region.into(),
                    arn: arn.as_str().into(),
                    name: t.name.as_str().into(),
                    protocol: Some(t.protocol.as_str().into()),
                    port: Some(t.port),
                    target_type: "instance".into(),
                    vpc_id: Some(r.vpc_id.as_str().into()),
                    load_balancer_arns: vec![],
                    health_check: hc,
                    deregistration_delay_seconds: Some(t.deregistration_delay),
                },
                regs,
                requests_per_minute: t.requests_per_minute,
            },
        );
        tgs.insert(t.name.as_str(), arn);
    }

    for l in &spec.load_balancers {
        let arn = lb_arn(w, region, &l.lb_type, &l.name);
        let dns = lb_dns(w, region, &l.name, &l.scheme);
        let mut zones = Vec::new();
        for s in &l.subnets {
            let sid = subnet(s)?;
            let az = w
                .region(region)
                .ok()
                .and_then(|r| r.subnets.get(&sid))
                .map(|x| x.subnet.az.clone())
                .unwrap_or_default();
            zones.push(LbZone {
                az,
                subnet_id: Some(sid.into()),
            });
        }
        let mut listeners = Vec::new();
        for ls in &l.listeners {
            let tg = tgs.get(ls.target_group.as_str()).cloned().ok_or_else(|| {
                e(format!(
                    "listener of {} forwards to unknown {}",
                    l.name, ls.target_group
                ))
            })?;
            let lb_tail = arn
                .split("loadbalancer/")
                .nth(1)
                .unwrap_or_default()
                .to_string();
            let listener_arn = format!(
                "arn:aws:elasticloadbalancing:{region}:{}:listener/{lb_tail}/{}",
                fleet.account,
                ids::hex(&mut w.rng, 16)
            );
            listeners.push(Listener {
                region: region.into(),
                arn: listener_arn.into(),
                load_balancer_arn: arn.as_str().into(),
                protocol: Some(ls.protocol.as_str().into()),
                port: Some(ls.port),
                target_group_arns: vec![tg.into()],
            });
        }
        let r = w.region_mut(region).map_err(|x| e(x.to_string()))?;
        for ls in &listeners {
            for tg in &ls.target_group_arns {
                if let Some(t) = r.tgs.get_mut(tg.as_str())
                    && !t.tg.load_balancer_arns.iter().any(|a| *a == arn)
                {
                    t.tg.load_balancer_arns.push(arn.as_str().into());
                }
            }
        }
        r.lbs.insert(
            arn.clone(),
            LbRec {
                lb: LoadBalancer {
                    region: region.into(),
                    arn: arn.as_str().into(),
                    name: l.name.as_str().into(),
                    lb_type: l.lb_type.as_str().into(),
                    scheme: l.scheme.as_str().into(),
                    state: "active".into(),
                    dns_name: dns.into(),
                    vpc_id: Some(r.vpc_id.as_str().into()),
                    zones,
                    created_time: Some(now - chrono::Duration::days(90)),
                },
                listeners,
            },
        );
    }

    for a in &spec.alarms {
        let (namespace, dims) = match (&a.instance, &a.target_group) {
            (Some(i), None) => (
                a.namespace.clone().unwrap_or_else(|| "AWS/EC2".into()),
                vec![("InstanceId".to_string(), instance(i)?)],
            ),
            (None, Some(t)) => {
                let arn = tgs
                    .get(t.as_str())
                    .cloned()
                    .ok_or_else(|| e(format!("alarm {} on unknown target group {t}", a.name)))?;
                let r = w.region(region).map_err(|x| e(x.to_string()))?;
                let lb = r
                    .tgs
                    .get(&arn)
                    .and_then(|t| t.tg.load_balancer_arns.first().cloned())
                    .unwrap_or_default();
                let mut dims = vec![(
                    "TargetGroup".to_string(),
                    arn.split(':').next_back().unwrap_or_default().to_string(),
                )];
                if let Some(tail) = lb.split("loadbalancer/").nth(1) {
                    dims.push(("LoadBalancer".to_string(), tail.to_string()));
                }
                if let Some(az) = &a.az {
                    dims.push(("AvailabilityZone".to_string(), az.clone()));
                }
                (
                    a.namespace
                        .clone()
                        .unwrap_or_else(|| "AWS/ApplicationELB".into()),
                    dims,
                )
            }
            _ => {
                return Err(e(format!(
                    "alarm {}: name exactly one of instance or target_group",
                    a.name
                )));
            }
        };
        let arn = format!(
            "arn:aws:cloudwatch:{region}:{}:alarm:{}",
            fleet.account, a.name
        );
        let r = w.region_mut(region).map_err(|x| e(x.to_string()))?;
        r.alarms.insert(
            a.name.clone(),
            AlarmRec {
                alarm: Alarm {
                    region: region.into(),
                    name: a.name.as_str().into(),
                    arn: Some(arn.into()),
                    state: AlarmState::InsufficientData,
                    reason: None,
                    namespace: Some(namespace.into()),
                    metric: Some(a.metric.as_str().into()),
                    dimensions: dims,
                    threshold: Some(a.threshold),
                    comparison: Some(a.comparison.as_str().into()),
                    updated: None,
                },
                stat: a.stat.clone(),
                period_seconds: a.period,
                evaluation_periods: a.evaluation_periods,
            },
        );
    }
    Ok(())
}
