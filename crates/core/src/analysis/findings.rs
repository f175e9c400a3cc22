//! Single points of failure, each with severity, the resources concerned, plain words and the
//! runbook that fixes it. Kind names are stable: scripts and monitoring match on them.

use super::finding::*;
use super::groups;
use crate::domain::*;
use std::collections::{BTreeMap, BTreeSet};

/// Every finding, most severe first.
pub fn find_all(inv: &Inventory, opts: &AnalysisOptions) -> Vec<Finding> {
    let mut out = Vec::new();
    target_group_findings(inv, &mut out);
    lone_role_findings(inv, opts, &mut out);
    load_balancer_zone_findings(inv, &mut out);
    snapshot_findings(inv, opts, &mut out);
    event_findings(inv, opts, &mut out);
    az_findings(inv, &mut out);
    groups::group_findings(inv, &mut out);
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.kind.cmp(&b.kind))
            .then(a.resources.cmp(&b.resources))
    });
    out
}

pub fn has_critical(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Critical)
}

fn name_of(inv: &Inventory, id: &str) -> String {
    match inv.instance(id).and_then(|i| i.name.as_deref()) {
        Some(n) => format!("{id} ({n})"),
        None => id.to_string(),
    }
}

/// Live registrations (not draining out, not unused) of a group.
fn serving<'a>(inv: &'a Inventory, tg: &'a TargetGroup) -> Vec<&'a TargetHealth> {
    inv.targets_of(&tg.arn)
        .filter(|t| {
            !matches!(
                t.state,
                TargetState::Draining | TargetState::Unused | TargetState::UnhealthyDraining
            )
        })
        .collect()
}

fn target_group_findings(inv: &Inventory, out: &mut Vec<Finding>) {
    for tg in &inv.target_groups {
        let live = serving(inv, tg);
        if live.is_empty() {
            continue;
        }
        let behind_lb = !tg.load_balancer_arns.is_empty();
        let healthy: Vec<&&TargetHealth> = live
            .iter()
            .filter(|t| t.state == TargetState::Healthy)
            .collect();
        let healthy_azs: BTreeSet<&str> = healthy.iter().filter_map(|t| t.az.as_deref()).collect();
        let ids: Vec<String> = live
            .iter()
            .map(|t| t.target_id.clone())
            .map(Into::into)
            .collect();
        // A group's member: the group is what relaunches it, so the fix acts on the group, and a
        // group of one is reported once, as the group.
        let group_of_all = |ids: &[String]| -> Option<&AutoScalingGroup> {
            let g = groups::relaunching_group(inv, ids.first()?)?;
            ids.iter().all(|id| g.member(id).is_some()).then_some(g)
        };
        if live.len() == 1 {
            if let Some(g) = group_of_all(&ids) {
                if g.desired_capacity <= 1 || g.max_size <= 1 {
                    continue;
                }
                out.push(Finding {
                    kind: FindingKind::SingleInstance,
                    severity: if behind_lb { Severity::Critical } else { Severity::Warning },
                    region: tg.region.to_string(),
                    resources: vec![tg.name.to_string(), ids[0].clone()],
                    message: format!(
                        "target group {} is served by one target, {}, of Auto Scaling group {} \
                         (desired {}): until the group has its others in service, losing it is an outage",
                        tg.name,
                        name_of(inv, &ids[0]),
                        g.name,
                        g.desired_capacity
                    ),
                    fix: Some(groups::widen_fix(&g.name)),
                });
                continue;
            }
            out.push(Finding {
                kind: FindingKind::SingleInstance,
                severity: if behind_lb { Severity::Critical } else { Severity::Warning },
                region: tg.region.to_string(),
                resources: vec![tg.name.to_string(), ids[0].clone()],
                message: format!(
                    "target group {} is served by one target, {}: when it stops, reboots or its AZ fails, the service is down",
                    tg.name,
                    name_of(inv, &ids[0])
                ),
                fix: Some(format!("opsdeck runbook remove-spof --instance {}", ids[0])),
            });
            continue;
        }
        match healthy.len() {
            0 => out.push(Finding {
                kind: FindingKind::NoHealthyTarget,
                severity: Severity::Critical,
                region: tg.region.to_string(),
                resources: std::iter::once(tg.name.to_string())
                    .chain(ids.iter().cloned())
                    .collect(),
                message: format!(
                    "target group {} has {} targets and none is healthy",
                    tg.name,
                    live.len()
                ),
                fix: None,
            }),
            1 => out.push(Finding {
                kind: FindingKind::SingleHealthyTarget,
                severity: Severity::Critical,
                region: tg.region.to_string(),
                resources: vec![tg.name.to_string(), healthy[0].target_id.to_string()],
                message: format!(
                    "target group {} has {} targets but only {} is healthy",
                    tg.name,
                    live.len(),
                    name_of(inv, &healthy[0].target_id)
                ),
                fix: None,
            }),
            _ if healthy_azs.len() == 1 => {
                let az = healthy_azs.iter().next().copied().unwrap_or("?");
                let ids: Vec<String> = healthy.iter().map(|t| t.target_id.to_string()).collect();
                // Targets that are one group's members are fixed by widening the group.
                let group = group_of_all(&ids);
                let members = group
                    .map(|g| format!(" (members of Auto Scaling group {})", g.name))
                    .unwrap_or_default();
                let fix = match group {
                    Some(g) => groups::widen_fix(&g.name),
                    None => format!("opsdeck runbook remove-spof --instance {}", ids[0]),
                };
                out.push(Finding {
                    kind: FindingKind::SingleAz,
                    severity: if behind_lb {
                        Severity::Critical
                    } else {
                        Severity::Warning
                    },
                    region: tg.region.to_string(),
                    resources: std::iter::once(tg.name.to_string()).chain(ids).collect(),
                    message: format!(
                        "all {} healthy targets of {} are in {az}{members}: if {az} fails, the \
                         service is down",
                        healthy.len(),
                        tg.name
                    ),
                    fix: Some(fix),
                });
            }
            _ => {}
        }
    }
}

/// Instances alone in their tier (by role tag) and not already reported as a group's only target.
fn lone_role_findings(inv: &Inventory, opts: &AnalysisOptions, out: &mut Vec<Finding>) {
    let mut tiers: BTreeMap<(&str, &str), Vec<&Instance>> = BTreeMap::new();
    for i in inv.instances.iter().filter(|i| i.is_live()) {
        if let Some(role) = i.tags.get(&opts.role_tag) {
            tiers.entry((i.region.as_str(), role)).or_default().push(i);
        }
    }
    let reported: BTreeSet<String> = out
        .iter()
        .filter(|f| f.kind == FindingKind::SingleInstance)
        .filter_map(|f| f.resources.get(1).cloned())
        .collect();
    for ((region, role), members) in tiers {
        let [only] = members.as_slice() else { continue };
        // A group's member is the group's to report (a group of one is a finding of its own).
        if reported.contains(only.id.as_str()) || inv.group_of_instance(&only.id).is_some() {
            continue;
        }
        out.push(Finding {
            kind: FindingKind::SingleInstance,
            severity: Severity::Critical,
            region: region.to_string(),
            resources: vec![only.id.to_string()],
            message: format!(
                "{} is the only instance with {}={role}: nothing takes over when it fails",
                name_of(inv, &only.id),
                opts.role_tag
            ),
            fix: Some(if inv.volumes_of_instance(&only.id).len() > 1 {
                format!("opsdeck runbook db-failover --primary {}", only.id)
            } else {
                format!("opsdeck runbook remove-spof --instance {}", only.id)
            }),
        });
    }
}

fn load_balancer_zone_findings(inv: &Inventory, out: &mut Vec<Finding>) {
    for lb in &inv.load_balancers {
        let azs: BTreeSet<&str> = lb.zones.iter().map(|z| z.az.as_str()).collect();
        if azs.len() == 1 {
            let az = azs.iter().next().copied().unwrap_or("?");
            out.push(Finding {
                kind: FindingKind::SingleAz,
                severity: Severity::Critical,
                region: lb.region.to_string(),
                resources: vec![lb.name.to_string()],
                message: format!("load balancer {} has subnets only in {az}", lb.name),
                fix: None,
            });
        }
    }
}

/// The root device of an instance is rebuilt from its AMI; data volumes are what need snapshots.
fn is_data_volume(inv: &Inventory, v: &Volume) -> bool {
    v.attachments.iter().any(|a| {
        let root = inv
            .instance(&a.instance_id)
            .and_then(|i| i.root_device_name.as_deref());
        let dev = a.device.as_str();
        root != Some(dev) && !matches!(dev, "/dev/sda1" | "/dev/xvda" | "/dev/sda")
    })
}

fn snapshot_findings(inv: &Inventory, opts: &AnalysisOptions, out: &mut Vec<Finding>) {
    for v in inv.volumes.iter().filter(|v| is_data_volume(inv, v)) {
        let newest = inv
            .newest_completed_snapshot(&v.id)
            .and_then(|s| s.start_time);
        let age = newest.map(|t| opts.now - t);
        if matches!(age, Some(a) if a <= opts.max_snapshot_age) {
            continue;
        }
        let owner = v
            .attached_instance()
            .map(|i| name_of(inv, i))
            .unwrap_or_default();
        let message = match age {
            Some(a) => format!(
                "data volume {} of {owner}: newest completed snapshot is {} old (limit {}h)",
                v.id,
                crate::domain::time::duration_secs(a.num_seconds()),
                opts.max_snapshot_age.num_hours()
            ),
            None => format!("data volume {} of {owner} has no completed snapshot", v.id),
        };
        out.push(Finding {
            kind: FindingKind::NoRecentSnapshot,
            severity: Severity::Warning,
            region: v.region.to_string(),
            resources: vec![v.id.to_string()],
            message,
            fix: v
                .attached_instance()
                .map(|i| format!("opsdeck runbook snapshot --instance {i}")),
        });
    }
}

fn event_findings(inv: &Inventory, opts: &AnalysisOptions, out: &mut Vec<Finding>) {
    for i in &inv.instances {
        for e in i.upcoming_events() {
            let exposure = event_exposure(inv, i);
            let Some((severity, why)) = exposure else {
                continue;
            };
            let when = crate::domain::time::time_left(e.not_before, opts.now);
            out.push(Finding {
                kind: FindingKind::UnprotectedScheduledEvent,
                severity,
                region: i.region.to_string(),
                resources: vec![i.id.to_string()],
                message: format!("{} on {} in {when}: {why}", e.raw_code, name_of(inv, &i.id)),
                fix: Some(format!(
                    "opsdeck runbook rolling-maintenance --instance {}",
                    i.id
                )),
            });
        }
    }
}

/// Why losing this instance hurts, if it does: a group left with no healthy target in some AZ it
/// serves (critical if none at all), or no load balancer to take over.
fn event_exposure(inv: &Inventory, i: &Instance) -> Option<(Severity, String)> {
    let regs: Vec<&TargetHealth> = inv.registrations_of_instance(&i.id).collect();
    if regs.is_empty() {
        return Some((
            Severity::Warning,
            "it serves no load balancer, so nothing takes over while it is down".into(),
        ));
    }
    let mut worst: Option<(Severity, String)> = None;
    for r in regs {
        let Some(tg) = inv.target_group(&r.target_group_arn) else {
            continue;
        };
        let healthy_others: Vec<&TargetHealth> = inv
            .targets_of(&tg.arn)
            .filter(|t| t.target_id != i.id && t.state == TargetState::Healthy)
            .collect();
        if healthy_others.is_empty() {
            return Some((
                Severity::Critical,
                format!("{} would have no healthy target", tg.name),
            ));
        }
        let mut azs: BTreeSet<String> = tg
            .load_balancer_arns
            .iter()
            .filter_map(|a| inv.load_balancer(a))
            .flat_map(|lb| lb.zones.iter().map(|z| z.az.clone()))
            .map(Into::into)
            .collect();
        azs.extend(
            inv.targets_of(&tg.arn)
                .filter(|t| t.state == TargetState::Healthy)
                .filter_map(|t| t.az.as_ref().map(|a| a.to_string())),
        );
        let bare: Vec<String> = azs
            .into_iter()
            .filter(|az| {
                !healthy_others
                    .iter()
                    .any(|t| t.az.as_deref() == Some(az.as_str()))
            })
            .collect();
        if !bare.is_empty() && worst.is_none() {
            worst = Some((
                Severity::Warning,
                format!(
                    "{} would have no healthy target in {}",
                    tg.name,
                    bare.join(", ")
                ),
            ));
        }
    }
    worst
}

fn az_findings(inv: &Inventory, out: &mut Vec<Finding>) {
    for z in inv
        .availability_zones
        .iter()
        .filter(|z| !z.state.is_healthy())
    {
        let instances: Vec<String> = inv
            .instances
            .iter()
            .filter(|i| i.az == z.name && i.is_live())
            .map(|i| i.id.clone())
            .map(Into::into)
            .collect();
        let volumes = inv.volumes.iter().filter(|v| v.az == z.name).count();
        if instances.is_empty() && volumes == 0 {
            continue;
        }
        out.push(Finding {
            kind: FindingKind::AzImpaired,
            severity: Severity::Critical,
            region: z.region.to_string(),
            resources: std::iter::once(z.name.to_string())
                .chain(instances.iter().cloned())
                .collect(),
            message: format!(
                "{} is {} and holds {} instance(s) and {volumes} volume(s)",
                z.name,
                z.state.as_str(),
                instances.len()
            ),
            fix: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixture::FleetBuilder;

    fn now() -> Timestamp {
        chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
    }

    fn kinds(fs: &[Finding]) -> Vec<&'static str> {
        fs.iter().map(|f| f.kind.as_str()).collect()
    }

    /// The seeds' web shop: two web servers in one AZ behind an ALB spanning two, a lone database
    /// with a stale snapshot, and a reboot event on a web server.
    fn web_shop() -> (Inventory, String, String, String) {
        let mut f = FleetBuilder::new("us-east-1", now());
        let (a, b) = (f.az("a"), f.az("b"));
        let lb = f.load_balancer("shop", &[&a, &b]);
        let tg = f.target_group("web-tg", Some(&lb));
        let w1 = f.instance("web-1", &a, Some("web"));
        let w2 = f.instance("web-2", &a, Some("web"));
        f.register(&tg, &w1, TargetState::Healthy);
        f.register(&tg, &w2, TargetState::Healthy);
        let db = f.instance("db-1", &a, Some("db"));
        f.volume(&a, Some((&db, "/dev/xvda")));
        let data = f.volume(&a, Some((&db, "/dev/sdf")));
        f.snapshot(&data, 72);
        f.event(&w2, EventCode::SystemReboot, 24 * 7);
        (f.build(), w2, db, data)
    }

    #[test]
    fn the_web_shop_has_every_expected_finding() {
        let (inv, w2, db, data) = web_shop();
        let fs = find_all(&inv, &AnalysisOptions::new(now()));
        let k = kinds(&fs);
        assert!(k.contains(&"single-az"), "{k:?}");
        assert!(k.contains(&"single-instance"), "{k:?}");
        assert!(k.contains(&"no-recent-snapshot"), "{k:?}");
        assert!(k.contains(&"unprotected-scheduled-event"), "{k:?}");
        let lone = fs
            .iter()
            .find(|f| f.kind == FindingKind::SingleInstance)
            .unwrap();
        assert_eq!(lone.resources, vec![db.clone()]);
        assert!(lone.fix.as_deref().unwrap().contains("db-failover"));
        let snap = fs
            .iter()
            .find(|f| f.kind == FindingKind::NoRecentSnapshot)
            .unwrap();
        assert_eq!(snap.resources, vec![data]);
        assert!(snap.message.contains("3d0h"), "{}", snap.message);
        let ev = fs
            .iter()
            .find(|f| f.kind == FindingKind::UnprotectedScheduledEvent)
            .unwrap();
        assert_eq!(ev.resources, vec![w2]);
        assert!(
            ev.message.contains("us-east-1b"),
            "the bare AZ is named: {}",
            ev.message
        );
        assert!(has_critical(&fs));
        assert_eq!(fs[0].severity, Severity::Critical, "most severe first");
    }

    #[test]
    fn a_two_az_tier_with_fresh_snapshots_is_clean() {
        let mut f = FleetBuilder::new("r", now());
        let (a, b) = (f.az("a"), f.az("b"));
        let lb = f.load_balancer("lb", &[&a, &b]);
        let tg = f.target_group("web", Some(&lb));
        for (n, az) in [("w1", &a), ("w2", &a), ("w3", &b), ("w4", &b)] {
            let i = f.instance(n, az, Some("web"));
            f.register(&tg, &i, TargetState::Healthy);
        }
        let w = f.instance("w5", &b, Some("web"));
        f.register(&tg, &w, TargetState::Healthy);
        let data = f.volume(&b, Some((&w, "/dev/sdf")));
        f.snapshot(&data, 2);
        f.event(&w, EventCode::InstanceReboot, 48);
        let fs = find_all(&f.build(), &AnalysisOptions::new(now()));
        assert!(fs.is_empty(), "{fs:?}");
    }

    #[test]
    fn one_healthy_of_several_and_none_healthy_are_critical() {
        let mut f = FleetBuilder::new("r", now());
        let (a, b) = (f.az("a"), f.az("b"));
        let tg1 = f.target_group("one-left", None);
        let tg2 = f.target_group("none-left", None);
        for (tg, states) in [
            (&tg1, [TargetState::Healthy, TargetState::Unhealthy]),
            (&tg2, [TargetState::Unhealthy, TargetState::Unhealthy]),
        ] {
            for (n, (az, st)) in [&a, &b].iter().zip(states).enumerate() {
                let i = f.instance(&format!("x{n}"), az, None);
                f.register(tg, &i, st);
            }
        }
        let fs = find_all(&f.build(), &AnalysisOptions::new(now()));
        assert_eq!(
            kinds(&fs),
            vec!["single-healthy-target", "no-healthy-target"]
        );
        assert!(fs.iter().all(|f| f.severity == Severity::Critical));
    }

    #[test]
    fn an_impaired_az_holding_resources_is_reported() {
        let mut f = FleetBuilder::new("r", now());
        let (a, c) = (f.az("a"), f.az("c"));
        let i = f.instance("x", &a, None);
        f.zone_state(&a, ZoneState::Impaired);
        f.zone_state(&c, ZoneState::Impaired); // empty: not a finding
        let fs = find_all(&f.build(), &AnalysisOptions::new(now()));
        let az: Vec<&Finding> = fs
            .iter()
            .filter(|f| f.kind == FindingKind::AzImpaired)
            .collect();
        assert_eq!(az.len(), 1);
        assert_eq!(az[0].resources, vec![a, i]);
    }

    #[test]
    fn a_single_az_load_balancer_is_reported() {
        let mut f = FleetBuilder::new("r", now());
        let a = f.az("a");
        f.load_balancer("lonely", &[&a]);
        let fs = find_all(&f.build(), &AnalysisOptions::new(now()));
        assert_eq!(kinds(&fs), vec!["single-az"]);
        assert_eq!(fs[0].resources, vec!["lonely".to_string()]);
    }
}
