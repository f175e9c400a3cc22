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
        // A tier is as strong as the instances that can carry it: a stopped sibling does not count.
        let up: Vec<&Instance> = members.iter().copied().filter(|i| i.is_up()).collect();
        let only = match (up.as_slice(), members.as_slice()) {
            ([only], _) => *only,
            ([], [only]) => *only,
            _ => continue,
        };
        let down: Vec<String> = members
            .iter()
            .filter(|i| i.id != only.id)
            .map(|i| format!("{} {}", name_of(inv, &i.id), i.state.as_str()))
            .collect();
        // A group's member is the group's to report (a group of one is a finding of its own).
        if reported.contains(only.id.as_str()) || inv.group_of_instance(&only.id).is_some() {
            continue;
        }
        out.push(Finding {
            kind: FindingKind::SingleInstance,
            severity: Severity::Critical,
            region: region.to_string(),
            resources: vec![only.id.to_string()],
            message: if down.is_empty() {
                format!(
                    "{} is the only instance with {}={role}: nothing takes over when it fails",
                    name_of(inv, &only.id),
                    opts.role_tag
                )
            } else {
                format!(
                    "{} is the only running instance with {}={role} ({}): nothing takes over \
                     when it fails",
                    name_of(inv, &only.id),
                    opts.role_tag,
                    down.join(", ")
                )
            },
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
pub(crate) fn is_data_volume(inv: &Inventory, v: &Volume) -> bool {
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

/// What losing this instance while its event runs does, from the one computation that decides
/// the severity: a target group left with no healthy target (critical), or with none in the
/// instance's own AZ — the only AZ its absence changes — (warning); no load balancer to take over
/// at all is a warning. Covered (other healthy targets in its AZ), or carrying no healthy
/// registration, it is no finding: the event takes nothing the fleet needs.
fn event_exposure(inv: &Inventory, i: &Instance) -> Option<(Severity, String)> {
    let regs: Vec<&TargetHealth> = inv.registrations_of_instance(&i.id).collect();
    if regs.is_empty() {
        return Some((
            Severity::Warning,
            "it serves no load balancer, so nothing takes over while it is down".into(),
        ));
    }
    let mut worst: Option<(Severity, String)> = None;
    for r in regs.iter().filter(|r| r.state == TargetState::Healthy) {
        let Some(tg) = inv.target_group(&r.target_group_arn) else {
            continue;
        };
        let others: Vec<&TargetHealth> = inv
            .targets_of(&tg.arn)
            .filter(|t| t.target_id != i.id && t.state == TargetState::Healthy)
            .collect();
        let az = r.az.as_deref().unwrap_or(i.az.as_str());
        let said = if others.is_empty() {
            (
                Severity::Critical,
                format!("it is the only healthy target of {}", tg.name),
            )
        } else if !others.iter().any(|t| t.az.as_deref() == Some(az)) {
            (
                Severity::Warning,
                format!(
                    "{} would have no healthy target in {az} (its other {} are in other AZs)",
                    tg.name,
                    others.len()
                ),
            )
        } else {
            // Covered: the group's other healthy targets in the same AZ carry it meanwhile.
            continue;
        };
        if worst.as_ref().is_none_or(|w| said.0 > w.0) {
            worst = Some(said);
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

    fn event_finding(fs: &[Finding]) -> &Finding {
        fs.iter()
            .find(|f| f.kind == FindingKind::UnprotectedScheduledEvent)
            .unwrap()
    }

    /// The event's words name the AZ its instance is in, and only when that AZ loses its last
    /// healthy target; the group's only healthy target is critical.
    #[test]
    fn an_event_is_judged_on_its_own_az() {
        let mut f = FleetBuilder::new("r", now());
        let (a, b) = (f.az("a"), f.az("b"));
        let lb = f.load_balancer("lb", &[&a, &b]);
        let tg = f.target_group("web-tg", Some(&lb));
        let w1 = f.instance("w1", &a, None);
        let w2 = f.instance("w2", &b, None);
        f.register(&tg, &w1, TargetState::Healthy);
        f.register(&tg, &w2, TargetState::Healthy);
        f.event(&w2, EventCode::SystemReboot, 24);
        let inv = f.build();
        let ev = event_finding(&find_all(&inv, &AnalysisOptions::new(now()))).clone();
        assert_eq!(ev.severity, Severity::Warning, "{}", ev.message);
        assert!(
            ev.message.contains(&format!("no healthy target in {b}")) && !ev.message.contains(&a),
            "{}",
            ev.message
        );

        let mut f = FleetBuilder::new("r", now());
        let a = f.az("a");
        let tg = f.target_group("web-tg", None);
        let w1 = f.instance("w1", &a, None);
        let w2 = f.instance("w2", &a, None);
        f.register(&tg, &w1, TargetState::Healthy);
        f.register(&tg, &w2, TargetState::Unhealthy);
        f.event(&w1, EventCode::SystemReboot, 24);
        f.event(&w2, EventCode::InstanceReboot, 24);
        let inv = f.build();
        let fs = find_all(&inv, &AnalysisOptions::new(now()));
        let evs: Vec<&Finding> = fs
            .iter()
            .filter(|f| f.kind == FindingKind::UnprotectedScheduledEvent)
            .collect();
        assert_eq!(
            evs.len(),
            1,
            "w2 carries nothing: its event takes nothing: {evs:#?}"
        );
        assert_eq!(evs[0].resources, vec![w1]);
        assert_eq!(evs[0].severity, Severity::Critical);
        assert!(
            evs[0].message.contains("only healthy target of web-tg"),
            "{}",
            evs[0].message
        );
    }

    /// A stopped sibling carries nothing: the tier's one running instance is its single point.
    #[test]
    fn a_stopped_sibling_does_not_make_a_tier_redundant() {
        let mut f = FleetBuilder::new("r", now());
        let a = f.az("a");
        let old = f.instance("db-1", &a, Some("db"));
        let new = f.instance("db-2", &a, Some("db"));
        f.set_state(&old, InstanceState::Stopped);
        let inv = f.build();
        let fs = find_all(&inv, &AnalysisOptions::new(now()));
        let lone: Vec<&Finding> = fs
            .iter()
            .filter(|f| f.kind == FindingKind::SingleInstance)
            .collect();
        assert_eq!(lone.len(), 1, "{fs:#?}");
        assert_eq!(lone[0].resources, vec![new]);
        assert!(
            lone[0].message.contains("(db-1) stopped"),
            "{}",
            lone[0].message
        );
        let mut f = FleetBuilder::new("r", now());
        let a = f.az("a");
        f.instance("db-1", &a, Some("db"));
        f.instance("db-2", &a, Some("db"));
        let inv = f.build();
        let fs = find_all(&inv, &AnalysisOptions::new(now()));
        assert!(
            !fs.iter().any(|f| f.kind == FindingKind::SingleInstance),
            "two running: {fs:#?}"
        );
    }

    #[test]
    fn the_web_shop_has_every_expected_finding() {
        let (inv, w2, db, data) = web_shop();
        let fs = find_all(&inv, &AnalysisOptions::new(now()));
        let k = kinds(&fs);
        assert!(k.contains(&"single-az"), "{k:?}");
        assert!(k.contains(&"single-instance"), "{k:?}");
        assert!(k.contains(&"no-recent-snapshot"), "{k:?}");
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
        // web-1 in the same AZ carries web-tg while web-2 reboots: covered, no finding (and never
        // "no healthy target in us-east-1b": web-tg never had a target there).
        assert!(
            !fs.iter()
                .any(|f| f.kind == FindingKind::UnprotectedScheduledEvent
                    && f.resources == [w2.clone()]),
            "{fs:#?}"
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
