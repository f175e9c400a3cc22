//! Xray: everything related to one instance (its Auto Scaling group and the group's other members,
//! target groups and its registrations, volumes and their snapshots, Elastic IPs, ENIs, scheduled
//! events, metrics, alarms), or to one Auto Scaling group (members, target groups, subnets, settings,
//! hooks, refresh), each line a way to go further.

use super::format as f;
use super::resources::ResourceKind;
use super::strings::xray as text;
use opsdeck_core::domain::*;

/// How a line should stand out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Plain,
    Heading,
    Good,
    Warn,
    Bad,
}

#[derive(Debug, Clone, PartialEq)]
pub struct XrayItem {
    pub depth: u8,
    pub text: String,
    pub level: Level,
    /// Where enter leads: a resource of a kind, by its `row_id`.
    pub target: Option<(ResourceKind, String)>,
}

fn item(depth: u8, text: String, level: Level, target: Option<(ResourceKind, String)>) -> XrayItem {
    XrayItem {
        depth,
        text,
        level,
        target,
    }
}

fn heading(name: &str, n: usize) -> XrayItem {
    item(1, text::heading(name, n), Level::Heading, None)
}

pub fn target_level(s: TargetState) -> Level {
    match s {
        TargetState::Healthy => Level::Good,
        TargetState::Unhealthy | TargetState::UnhealthyDraining | TargetState::Unavailable => {
            Level::Bad
        }
        _ => Level::Warn,
    }
}

/// The related resources of instance `id`; `None` when the inventory no longer has it.
pub fn instance(inv: &Inventory, id: &str, now: Timestamp) -> Option<Vec<XrayItem>> {
    let i = inv.instance(id)?;
    let mut out = Vec::new();
    let level = match (i.state, i.status_checks.impaired()) {
        (_, true) => Level::Bad,
        (InstanceState::Running, false) => Level::Good,
        _ => Level::Warn,
    };
    out.push(item(
        0,
        text::instance(
            &i.id,
            i.display_name(),
            i.state.as_str(),
            &i.instance_type,
            &i.az,
            &i.status_checks.summary(),
        ),
        level,
        Some((ResourceKind::Instances, i.id.to_string())),
    ));

    if let Some(g) = inv.group_of_instance(id) {
        out.push(heading(text::AUTO_SCALING_GROUP, 1));
        out.push(group_line(g, 2));
        let me = g.member(id);
        if let Some(m) = me {
            out.push(item(
                4,
                text::membership(m.lifecycle_state.as_str(), m.healthy),
                member_level(m),
                None,
            ));
        }
        for m in g.members.iter().filter(|m| m.instance_id != id) {
            out.push(member_line(inv, m, 4));
        }
    }

    let regs: Vec<&TargetHealth> = inv.registrations_of_instance(id).collect();
    out.push(heading(text::TARGET_GROUPS, regs.len()));
    for t in regs {
        let tg = inv.target_group(&t.target_group_arn);
        let name = tg.map(|g| g.name.as_str()).unwrap_or(&t.target_group_arn);
        let healthy_elsewhere = inv
            .targets_of(&t.target_group_arn)
            .filter(|o| o.target_id != id && o.state == TargetState::Healthy)
            .count();
        out.push(item(
            2,
            text::registration(
                name,
                &t.port.map(|p| p.to_string()).unwrap_or_else(|| "-".into()),
                t.state.as_str(),
                &t.reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default(),
                healthy_elsewhere,
            ),
            target_level(t.state),
            Some((ResourceKind::TargetGroups, t.target_group_arn.to_string())),
        ));
    }

    let vols = inv.volumes_of_instance(id);
    out.push(heading(text::VOLUMES, vols.len()));
    for v in vols {
        let device = v
            .attachments
            .iter()
            .find(|a| a.instance_id == id)
            .map(|a| a.device.as_str())
            .unwrap_or("-");
        out.push(item(
            2,
            format!(
                "{} {}  {}G {}  {}",
                v.id,
                device,
                v.size_gib,
                v.volume_type,
                v.state.as_str()
            ),
            Level::Plain,
            Some((ResourceKind::Volumes, v.id.to_string())),
        ));
        let snaps = inv.snapshots_of_volume(&v.id);
        if snaps.is_empty() {
            out.push(item(4, text::NO_SNAPSHOT.into(), Level::Bad, None));
        }
        for s in snaps.iter().take(5) {
            let level = match s.state {
                SnapshotState::Completed => Level::Good,
                SnapshotState::Pending => Level::Warn,
                _ => Level::Bad,
            };
            out.push(item(
                4,
                text::snapshot(
                    &s.id,
                    s.state.as_str(),
                    &f::bar(s.progress, 5),
                    &f::age(s.start_time, now),
                ),
                level,
                Some((ResourceKind::Snapshots, s.id.to_string())),
            ));
        }
        if snaps.len() > 5 {
            out.push(item(
                4,
                text::older_snapshots(snaps.len() - 5),
                Level::Plain,
                None,
            ));
        }
    }

    let eips = inv.eips_of_instance(id);
    out.push(heading(text::ELASTIC_IPS, eips.len()));
    for e in eips {
        out.push(item(
            2,
            format!(
                "{}  {}  → {}",
                e.public_ip,
                e.allocation_id,
                f::opt(e.private_ip.as_deref())
            ),
            Level::Plain,
            Some((ResourceKind::ElasticIps, e.allocation_id.to_string())),
        ));
    }

    let enis = inv.enis_of_instance(id);
    out.push(heading(text::NETWORK_INTERFACES, enis.len()));
    for n in enis {
        let secondary: Vec<&str> = n.secondary_private_ips().collect();
        out.push(item(
            2,
            format!(
                "{}  {}{}  {}",
                n.id,
                f::opt(n.primary_private_ip()),
                if secondary.is_empty() {
                    String::new()
                } else {
                    format!(" +{}", secondary.join(","))
                },
                n.status
            ),
            Level::Plain,
            Some((ResourceKind::NetworkInterfaces, n.id.to_string())),
        ));
    }

    let events: Vec<&ScheduledEvent> = i.events.iter().collect();
    out.push(heading(text::SCHEDULED_EVENTS, events.len()));
    for e in events {
        out.push(item(
            2,
            text::event(
                &e.raw_code,
                &f::time(e.not_before),
                &f::time_left(e.not_before, now),
                &f::time(e.not_before_deadline),
            ),
            if e.is_done() {
                Level::Plain
            } else {
                Level::Warn
            },
            // The event itself, not its instance: with two events, each opens its own.
            Some((ResourceKind::Events, super::resources::event_uid(e))),
        ));
    }

    let metrics: Vec<&MetricSeries> = inv.metrics_of_instance(id).collect();
    out.push(heading(text::METRICS, metrics.len()));
    for m in metrics {
        let values: Vec<f64> = m.points.values().collect();
        let max = if m.metric == "CPUUtilization" {
            100.0
        } else {
            values.iter().copied().fold(1.0, f64::max)
        };
        out.push(item(
            2,
            text::metric(
                &m.metric,
                &f::sparkline(&values, 30, max),
                &m.latest()
                    .map(|v| format!("{v:.1}"))
                    .unwrap_or_else(|| "-".into()),
            ),
            Level::Plain,
            None,
        ));
    }

    let alarms = inv.alarms_of_instance(id);
    out.push(heading(text::ALARMS, alarms.len()));
    for a in alarms {
        out.push(item(
            2,
            format!("{}  {}", a.name, a.state.as_str()),
            match a.state {
                AlarmState::Ok => Level::Good,
                AlarmState::Alarm => Level::Bad,
                AlarmState::InsufficientData => Level::Warn,
            },
            Some((ResourceKind::Alarms, a.name.to_string())),
        ));
    }
    Some(out)
}

fn member_level(m: &AsgMember) -> Level {
    match (m.lifecycle_state, m.healthy) {
        (_, false) => Level::Bad,
        (LifecycleState::InService, true) => Level::Good,
        _ => Level::Warn,
    }
}

/// One line for a group: in service / desired, sizes, AZs, what keeps it busy.
fn group_line(g: &AutoScalingGroup, depth: u8) -> XrayItem {
    let busy = g.busy();
    let healing = g.suspended_healing();
    let level = if !healing.is_empty() || g.in_service().count() < g.desired_capacity as usize {
        Level::Bad
    } else if busy.is_some() {
        Level::Warn
    } else {
        Level::Good
    };
    item(
        depth,
        text::group(
            &g.name,
            g.in_service().count(),
            g.desired_capacity,
            g.min_size,
            g.max_size,
            busy.as_deref(),
        ),
        level,
        Some((ResourceKind::AutoScalingGroups, g.name.to_string())),
    )
}

fn member_line(inv: &Inventory, m: &AsgMember, depth: u8) -> XrayItem {
    let name = inv
        .instance(&m.instance_id)
        .map(|i| i.display_name().to_string())
        .unwrap_or_default();
    item(
        depth,
        text::member(
            &m.instance_id,
            &name,
            &m.az,
            m.lifecycle_state.as_str(),
            m.healthy,
        ),
        member_level(m),
        Some((ResourceKind::Instances, m.instance_id.to_string())),
    )
}

/// The related resources of Auto Scaling group `name`: its members, target groups, subnets and
/// AZs, lifecycle hooks and refresh; `None` when the inventory no longer has it.
pub fn group(inv: &Inventory, name: &str) -> Option<Vec<XrayItem>> {
    let g = inv.auto_scaling_group(name)?;
    let mut out = vec![group_line(g, 0)];
    out.push(heading(text::MEMBERS, g.members.len()));
    for m in &g.members {
        out.push(member_line(inv, m, 2));
    }
    out.push(heading(text::TARGET_GROUPS, g.target_group_arns.len()));
    for arn in &g.target_group_arns {
        let tg = inv.target_group(arn);
        let healthy = inv
            .targets_of(arn)
            .filter(|t| t.state == TargetState::Healthy)
            .count();
        let total = inv.targets_of(arn).count();
        out.push(item(
            2,
            text::group_target_group(tg.map(|t| t.name.as_str()).unwrap_or(arn), healthy, total),
            if healthy == 0 {
                Level::Bad
            } else {
                Level::Plain
            },
            Some((ResourceKind::TargetGroups, arn.to_string())),
        ));
    }
    let azs = inv.group_azs(g);
    out.push(heading(text::SUBNETS, g.subnet_ids.len()));
    for sid in &g.subnet_ids {
        let az = inv.subnet(sid).map(|s| s.az.as_str()).unwrap_or("?");
        out.push(item(
            2,
            format!("{sid}  {az}"),
            if azs.len() < 2 {
                Level::Warn
            } else {
                Level::Plain
            },
            Some((ResourceKind::Subnets, sid.to_string())),
        ));
    }
    out.push(heading(text::SETTINGS, 3));
    out.push(item(
        2,
        text::health_check(&g.health_check_type, g.health_check_grace_secs),
        Level::Plain,
        None,
    ));
    out.push(item(
        2,
        text::suspended(&g.suspended_processes.join(", ")),
        if g.suspended_healing().is_empty() {
            Level::Plain
        } else {
            Level::Bad
        },
        None,
    ));
    out.push(item(
        2,
        text::maintenance(
            g.min_healthy_percent,
            &match g.maintenance_path() {
                MaintenancePath::Decrement => text::PATH_DECREMENT.to_string(),
                MaintenancePath::StandIn => text::PATH_STAND_IN.to_string(),
                MaintenancePath::Blocked { why } => why,
            },
        ),
        if matches!(g.maintenance_path(), MaintenancePath::Blocked { .. }) {
            Level::Warn
        } else {
            Level::Plain
        },
        None,
    ));
    out.push(heading(text::LIFECYCLE_HOOKS, g.lifecycle_hooks.len()));
    for h in &g.lifecycle_hooks {
        out.push(item(
            2,
            format!(
                "{}  {}  {}s → {}",
                h.name, h.transition, h.heartbeat_timeout_secs, h.default_result
            ),
            Level::Plain,
            None,
        ));
    }
    if let Some(r) = &g.instance_refresh {
        out.push(heading(text::INSTANCE_REFRESH, 1));
        out.push(item(
            2,
            format!(
                "{}  {}  {}%",
                r.id,
                r.status,
                r.percentage_complete.unwrap_or(0)
            ),
            if r.in_progress() {
                Level::Warn
            } else {
                Level::Plain
            },
            None,
        ));
    }
    Some(out)
}
