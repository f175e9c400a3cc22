//! Every resource kind's columns, declared as data (the findings' too): the headless table output
//! and the console's one generic table both read these.

use super::column::{Column, col};
use super::ctx::CellCtx;
use crate::format as f;
use crate::strings;
use opsdeck_core::analysis::Finding;
use opsdeck_core::domain::*;

/// The scheduled-event marker shown in the instances table.
fn event_marker(i: &Instance, now: Timestamp) -> String {
    match i.upcoming_events().min_by_key(|e| e.not_before) {
        Some(e) => format!("{} {}", f::time_left(e.not_before, now), e.raw_code),
        None => String::new(),
    }
}

fn cpu(c: &dyn CellCtx, i: &Instance) -> String {
    match c.instance_metric(&i.id, "CPUUtilization") {
        Some(m) if !m.points.is_empty() => {
            let values: Vec<f64> = m.points.values().collect();
            let latest = values.last().copied().unwrap_or(0.0);
            format!("{} {latest:>3.0}%", f::sparkline(&values, 8, 100.0))
        }
        _ => "-".into(),
    }
}

fn tg_health_summary(c: &dyn CellCtx, tg: &TargetGroup) -> String {
    let parts: Vec<String> = c
        .tg_health_by_az(&tg.arn)
        .iter()
        .map(|z| format!("{}:{}/{}", z.az, z.healthy, z.total))
        .collect();
    if parts.is_empty() {
        "no targets".into()
    } else {
        parts.join(" ")
    }
}

pub(super) static INSTANCE: &[Column] = &[
    col("ID", 20, |c, r| c.inv().instances[r].id.to_string()).fit(19, 0),
    col("NAME", 16, |c, r| {
        c.inv().instances[r].display_name().to_string()
    })
    .fit(10, 1),
    col("STATE", 10, |c, r| {
        c.inv().instances[r].state.as_str().into()
    })
    .fit(7, 1),
    col("TYPE", 10, |c, r| {
        c.inv().instances[r].instance_type.to_string()
    })
    .fit(9, 4),
    col("AZ", 11, |c, r| c.inv().instances[r].az.to_string()).fit(10, 3),
    col("PRIVATE IP", 15, |c, r| {
        f::opt(c.inv().instances[r].private_ip.as_deref())
    })
    .fit(13, 5),
    col("PUBLIC IP", 15, |c, r| {
        f::opt(c.inv().instances[r].public_ip.as_deref())
    })
    .fit(15, 6),
    col("CHECKS", 8, |c, r| {
        c.inv().instances[r].status_checks.summary()
    })
    .fit(8, 2),
    col("ASG", 14, |c, r| {
        f::opt(
            c.inv()
                .group_of_instance(&c.inv().instances[r].id)
                .map(|g| g.name.as_str()),
        )
    })
    .fit(8, 3),
    col("CPU", 14, |c, r| cpu(c, &c.inv().instances[r])).fit(13, 2),
    col("EVENT", 22, |c, r| {
        event_marker(&c.inv().instances[r], c.now())
    })
    .fit(14, 2),
];

pub(super) static VOLUME: &[Column] = &[
    col("ID", 21, |c, r| c.inv().volumes[r].id.to_string()).fit(21, 0),
    col("NAME", 14, |c, r| {
        f::opt(c.inv().volumes[r].name.as_deref())
    })
    .fit(8, 2),
    col("AZ", 11, |c, r| c.inv().volumes[r].az.to_string()).fit(10, 2),
    col("SIZE", 6, |c, r| {
        format!("{}G", c.inv().volumes[r].size_gib)
    })
    .fit(5, 2),
    col("TYPE", 5, |c, r| c.inv().volumes[r].volume_type.to_string()).fit(4, 3),
    col("IOPS", 6, |c, r| {
        c.inv().volumes[r]
            .iops
            .map(|i| i.to_string())
            .unwrap_or_else(|| "-".into())
    })
    .fit(5, 4),
    col("STATE", 9, |c, r| c.inv().volumes[r].state.as_str().into()).fit(9, 1),
    col("ATTACHED TO", 20, |c, r| {
        f::opt(c.inv().volumes[r].attached_instance())
    })
    .fit(19, 1),
    col("DEVICE", 10, |c, r| {
        f::opt(
            c.inv().volumes[r]
                .attachments
                .first()
                .map(|a| a.device.as_str()),
        )
    })
    .fit(9, 4),
    col("LAST SNAPSHOT", 13, |c, r| {
        f::age(
            c.newest_completed_snapshot(&c.inv().volumes[r].id)
                .and_then(|s| s.start_time),
            c.now(),
        )
    })
    .fit(8, 2),
];

pub(super) static SNAPSHOT: &[Column] = &[
    col("ID", 22, |c, r| c.inv().snapshots[r].id.to_string()).fit(22, 0),
    col("VOLUME", 21, |c, r| {
        f::opt(c.inv().snapshots[r].volume_id.as_deref())
    })
    .fit(21, 2),
    col("SIZE", 6, |c, r| {
        format!("{}G", c.inv().snapshots[r].volume_size_gib)
    })
    .fit(5, 3),
    col("STATE", 9, |c, r| {
        c.inv().snapshots[r].state.as_str().into()
    })
    .fit(9, 1),
    col("PROGRESS", 11, |c, r| {
        let p = c.inv().snapshots[r].progress;
        format!("{} {p:>3}%", f::bar(p, 5))
    })
    .fit(11, 1),
    col("STARTED", 16, |c, r| {
        f::time(c.inv().snapshots[r].start_time)
    })
    .fit(16, 4),
    col("AGE", 7, |c, r| {
        f::age(c.inv().snapshots[r].start_time, c.now())
    })
    .fit(5, 2),
    col("DESCRIPTION", 30, |c, r| {
        c.inv().snapshots[r].description.to_string()
    })
    .fit(12, 5),
];

pub(super) static IMAGE: &[Column] = &[
    col("ID", 21, |c, r| c.inv().images[r].id.to_string()).fit(21, 0),
    col("NAME", 24, |c, r| c.inv().images[r].name.to_string()).fit(12, 1),
    col("STATE", 10, |c, r| c.inv().images[r].state.as_str().into()).fit(9, 1),
    col("CREATED", 16, |c, r| {
        f::time(c.inv().images[r].creation_date)
    })
    .fit(16, 2),
    col("SNAPSHOTS", 22, |c, r| {
        c.inv().images[r].snapshot_ids.join(",")
    })
    .fit(22, 3),
];

pub(super) static LB: &[Column] = &[
    col("NAME", 20, |c, r| {
        c.inv().load_balancers[r].name.to_string()
    })
    .fit(12, 0),
    col("TYPE", 11, |c, r| {
        c.inv().load_balancers[r].lb_type.to_string()
    })
    .fit(11, 2),
    col("SCHEME", 15, |c, r| {
        c.inv().load_balancers[r].scheme.to_string()
    })
    .fit(8, 4),
    col("STATE", 8, |c, r| {
        c.inv().load_balancers[r].state.to_string()
    })
    .fit(6, 1),
    col("AZS", 24, |c, r| {
        c.inv().load_balancers[r]
            .zones
            .iter()
            .map(|z| z.az.as_str())
            .collect::<Vec<_>>()
            .join(",")
    })
    .fit(12, 1),
    col("DNS", 40, |c, r| {
        c.inv().load_balancers[r].dns_name.to_string()
    })
    .fit(20, 4),
];

pub(super) static TG: &[Column] = &[
    col("NAME", 20, |c, r| c.inv().target_groups[r].name.to_string()).fit(12, 0),
    col("PROTO", 6, |c, r| {
        f::opt(c.inv().target_groups[r].protocol.as_deref())
    })
    .fit(5, 3),
    col("PORT", 5, |c, r| {
        c.inv().target_groups[r]
            .port
            .map(|p| p.to_string())
            .unwrap_or_else(|| "-".into())
    })
    .fit(4, 3),
    col("TARGET TYPE", 11, |c, r| {
        c.inv().target_groups[r].target_type.to_string()
    })
    .fit(8, 4),
    col("HEALTHY/AZ", 30, |c, r| {
        tg_health_summary(c, &c.inv().target_groups[r])
    })
    .fit(29, 1),
    col("LOAD BALANCER", 20, |c, r| {
        let tg = &c.inv().target_groups[r];
        tg.load_balancer_arns
            .iter()
            .map(|a| {
                c.load_balancer(a)
                    .map(|l| l.name.clone())
                    .unwrap_or_else(|| a.clone())
            })
            .collect::<Vec<_>>()
            .join(",")
    })
    .fit(13, 2)
    .names_scope(),
];

pub(super) static TARGET: &[Column] = &[
    col("TARGET GROUP", 18, |c, r| {
        let t = &c.inv().target_health[r];
        c.target_group(&t.target_group_arn)
            .map(|g| g.name.clone())
            .unwrap_or_else(|| t.target_group_arn.clone())
            .to_string()
    })
    .fit(12, 2)
    .names_scope(),
    col("TARGET", 20, |c, r| {
        c.inv().target_health[r].target_id.to_string()
    })
    .fit(19, 0),
    col("NAME", 14, |c, r| {
        c.instance(&c.inv().target_health[r].target_id)
            .map(|i| i.display_name().to_string())
            .unwrap_or_default()
    })
    .fit(8, 2),
    col("PORT", 5, |c, r| {
        c.inv().target_health[r]
            .port
            .map(|p| p.to_string())
            .unwrap_or_else(|| "-".into())
    })
    .fit(4, 3),
    col("AZ", 11, |c, r| {
        f::opt(c.inv().target_health[r].az.as_deref())
    })
    .fit(10, 1),
    col("STATE", 10, |c, r| {
        c.inv().target_health[r].state.as_str().into()
    })
    .fit(9, 1),
    col("REASON", 24, |c, r| {
        f::opt(c.inv().target_health[r].reason.as_deref())
    })
    .fit(12, 1),
];

pub(super) static EIP: &[Column] = &[
    col("PUBLIC IP", 15, |c, r| {
        c.inv().elastic_ips[r].public_ip.to_string()
    })
    .fit(15, 0),
    col("ALLOCATION", 26, |c, r| {
        c.inv().elastic_ips[r].allocation_id.to_string()
    })
    .fit(26, 2),
    col("INSTANCE", 20, |c, r| {
        f::opt(c.inv().elastic_ips[r].instance_id.as_deref())
    })
    .fit(19, 1),
    col("ENI", 21, |c, r| {
        f::opt(c.inv().elastic_ips[r].network_interface_id.as_deref())
    })
    .fit(21, 3),
    col("PRIVATE IP", 15, |c, r| {
        f::opt(c.inv().elastic_ips[r].private_ip.as_deref())
    })
    .fit(13, 2),
];

pub(super) static ENI: &[Column] = &[
    col("ID", 21, |c, r| {
        c.inv().network_interfaces[r].id.to_string()
    })
    .fit(21, 0),
    col("AZ", 11, |c, r| {
        c.inv().network_interfaces[r].az.to_string()
    })
    .fit(10, 2),
    col("SUBNET", 24, |c, r| {
        c.inv().network_interfaces[r].subnet_id.to_string()
    })
    .fit(24, 4),
    col("STATUS", 9, |c, r| {
        c.inv().network_interfaces[r].status.to_string()
    })
    .fit(9, 1),
    col("INSTANCE", 20, |c, r| {
        f::opt(
            c.inv().network_interfaces[r]
                .attachment
                .as_ref()
                .and_then(|a| a.instance_id.as_deref()),
        )
    })
    .fit(19, 1),
    col("PRIMARY IP", 15, |c, r| {
        f::opt(c.inv().network_interfaces[r].primary_private_ip())
    })
    .fit(13, 2),
    col("SECONDARY IPS", 24, |c, r| {
        c.inv().network_interfaces[r]
            .secondary_private_ips()
            .collect::<Vec<_>>()
            .join(",")
    })
    .fit(13, 1),
];

pub(super) static EVENT: &[Column] = &[
    col("RESOURCE", 21, |c, r| {
        c.inv().events[r].resource_id.to_string()
    })
    .fit(21, 0),
    col("NAME", 14, |c, r| {
        c.instance(&c.inv().events[r].resource_id)
            .map(|i| i.display_name().to_string())
            .unwrap_or_default()
    })
    .fit(8, 2),
    col("CODE", 19, |c, r| c.inv().events[r].raw_code.to_string()).fit(15, 1),
    col("NOT BEFORE", 16, |c, r| {
        f::time(c.inv().events[r].not_before)
    })
    .fit(16, 3),
    col("TIME LEFT", 12, |c, r| {
        let e = &c.inv().events[r];
        match event_outcome(e) {
            Some(done) => done.to_string(),
            None => f::time_left(e.not_before, c.now()),
        }
    })
    .fit(9, 1),
    col("DEADLINE", 16, |c, r| {
        f::time(c.inv().events[r].not_before_deadline)
    })
    .fit(16, 4),
    col("PLAN", 24, |c, r| event_plan(c, r)).fit(13, 1),
    col("DESCRIPTION", 30, |c, r| {
        c.inv().events[r].description.to_string()
    })
    .fit(12, 5),
];

/// What became of an event that is over (`[Completed]`, `[Canceled]`); `None` while it is ahead.
fn event_outcome(e: &ScheduledEvent) -> Option<&'static str> {
    if !e.is_done() {
        None
    } else if e.description.starts_with("[Canceled]") {
        Some(strings::EVENT_CANCELED)
    } else {
        Some(strings::EVENT_COMPLETED)
    }
}

/// The events view as a maintenance planner: whether the event would hurt a service as things
/// stand (the `unprotected-scheduled-event` finding; `r` plans the drain), and whether AWS lets it
/// move (only with a deadline).
fn event_plan(c: &dyn CellCtx, r: usize) -> String {
    let e = &c.inv().events[r];
    // Over: nothing left to protect or to move.
    if let Some(done) = event_outcome(e) {
        return done.to_string();
    }
    let movable = if e.not_before_deadline.is_some() {
        " · movable"
    } else {
        ""
    };
    if !c.findings_known() {
        return movable.trim_start_matches(" · ").to_string();
    }
    let unprotected = c.findings().iter().any(|f| {
        f.kind == opsdeck_core::analysis::FindingKind::UnprotectedScheduledEvent
            && f.resources.first().map(String::as_str) == Some(e.resource_id.as_str())
    });
    let state = if unprotected {
        "⚠ unprotected"
    } else {
        "covered"
    };
    format!("{state}{movable}")
}

pub(super) static ALARM: &[Column] = &[
    col("NAME", 24, |c, r| c.inv().alarms[r].name.to_string()).fit(16, 0),
    col("STATE", 17, |c, r| c.inv().alarms[r].state.as_str().into()).fit(8, 1),
    col("METRIC", 18, |c, r| {
        f::opt(c.inv().alarms[r].metric.as_deref())
    })
    .fit(16, 2),
    col("DIMENSIONS", 28, |c, r| {
        c.inv().alarms[r]
            .dimensions
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    })
    .fit(16, 3),
    col("THRESHOLD", 9, |c, r| {
        c.inv().alarms[r]
            .threshold
            .map(|t| format!("{t}"))
            .unwrap_or_else(|| "-".into())
    })
    .fit(6, 3),
    col("UPDATED", 16, |c, r| f::time(c.inv().alarms[r].updated)).fit(16, 4),
];

pub(super) static ZONE: &[Column] = &[
    col("ZONE", 12, |c, r| {
        c.inv().availability_zones[r].name.to_string()
    })
    .fit(10, 0),
    col("ZONE ID", 9, |c, r| {
        f::opt(c.inv().availability_zones[r].zone_id.as_deref())
    })
    .fit(8, 2),
    col("STATE", 11, |c, r| {
        c.inv().availability_zones[r].state.as_str().into()
    })
    .fit(9, 1),
    col("REGION", 14, |c, r| {
        c.inv().availability_zones[r].region.to_string()
    })
    .fit(12, 1),
];

pub(super) static SUBNET: &[Column] = &[
    col("ID", 24, |c, r| c.inv().subnets[r].id.to_string()).fit(24, 0),
    col("VPC", 21, |c, r| c.inv().subnets[r].vpc_id.to_string()).fit(21, 3),
    col("AZ", 11, |c, r| c.inv().subnets[r].az.to_string()).fit(10, 1),
    col("CIDR", 18, |c, r| c.inv().subnets[r].cidr.to_string()).fit(14, 2),
    col("FREE IPS", 8, |c, r| {
        c.inv().subnets[r].available_ips.to_string()
    })
    .fit(8, 2),
];

/// The analysis's findings (`crate::findings`), worst first.
fn finding(c: &dyn CellCtx, r: usize) -> Option<&Finding> {
    c.findings().get(r)
}

pub(super) static FINDINGS: &[Column] = &[
    col("SEVERITY", 8, |c, r| {
        finding(c, r)
            .map(|f| f.severity.as_str().into())
            .unwrap_or_default()
    })
    .fit(8, 0),
    col("KIND", 27, |c, r| {
        finding(c, r)
            .map(|f| f.kind.as_str().into())
            .unwrap_or_default()
    })
    .fit(16, 1),
    col("MESSAGE", 70, |c, r| {
        finding(c, r).map(|f| f.message.clone()).unwrap_or_default()
    })
    .fit(30, 1),
    col("FIX", 52, |c, r| {
        finding(c, r)
            .map(|f| f.fix.clone().unwrap_or_else(|| "-".into()))
            .unwrap_or_default()
    })
    .fit(20, 2),
    col("RESOURCES", 30, |c, r| {
        finding(c, r)
            .map(|f| f.resources.join(" "))
            .unwrap_or_default()
    })
    .fit(19, 3),
];

/// In service per AZ of the group's subnets: `1a:2 1b:0` (an AZ it could launch into but holds
/// none of is shown too).
fn group_azs(c: &dyn CellCtx, g: &AutoScalingGroup) -> String {
    let mut per_az: std::collections::BTreeMap<String, usize> =
        c.inv().group_azs(g).into_iter().map(|a| (a, 0)).collect();
    for m in g.in_service() {
        *per_az.entry(m.az.to_string()).or_insert(0) += 1;
    }
    per_az
        .iter()
        .map(|(az, n)| format!("{}:{n}", &az[az.len().saturating_sub(2)..]))
        .collect::<Vec<_>>()
        .join(" ")
}

fn group_state(g: &AutoScalingGroup) -> String {
    if let Some(s) = &g.status {
        return s.to_string();
    }
    if let Some(r) = g.instance_refresh.as_ref().filter(|r| r.in_progress()) {
        return format!("refresh {}%", r.percentage_complete.unwrap_or(0));
    }
    if g.members.iter().any(|m| m.lifecycle_state.is_hook_wait()) {
        return "hook wait".into();
    }
    let healing = g.suspended_healing();
    if !healing.is_empty() {
        return "not healing".into();
    }
    if g.members
        .iter()
        .any(|m| m.lifecycle_state == LifecycleState::Standby)
    {
        return "standby".into();
    }
    "ok".into()
}

pub(super) static GROUP: &[Column] = &[
    col("NAME", 22, |c, r| {
        c.inv().auto_scaling_groups[r].name.to_string()
    })
    .fit(12, 0),
    col("IN SVC", 7, |c, r| {
        let g = &c.inv().auto_scaling_groups[r];
        format!("{}/{}", g.in_service().count(), g.desired_capacity)
    })
    .fit(6, 1),
    col("MIN-MAX", 8, |c, r| {
        let g = &c.inv().auto_scaling_groups[r];
        format!("{}-{}", g.min_size, g.max_size)
    })
    .fit(6, 2),
    col("AZS", 20, |c, r| {
        group_azs(c, &c.inv().auto_scaling_groups[r])
    })
    .fit(9, 1),
    col("STATE", 11, |c, r| {
        group_state(&c.inv().auto_scaling_groups[r])
    })
    .fit(7, 1),
    col("HEALTH", 9, |c, r| {
        let g = &c.inv().auto_scaling_groups[r];
        format!("{} {}s", g.health_check_type, g.health_check_grace_secs)
    })
    .fit(8, 4),
    col("SUSPENDED", 16, |c, r| {
        f::opt(Some(
            &c.inv().auto_scaling_groups[r].suspended_processes.join(","),
        ))
    })
    .fit(10, 3),
    col("TEMPLATE", 18, |c, r| {
        f::opt(c.inv().auto_scaling_groups[r].launch_source.as_deref())
    })
    .fit(12, 5),
];
