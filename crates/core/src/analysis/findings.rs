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
#[path = "findings_tests.rs"]
mod tests;
