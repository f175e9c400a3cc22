//! Resource kinds and their columns, declared as data. The headless table output and the console's
//! one generic table both read these; no view has table code of its own.

use super::format as f;
use crate::domain::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResourceKind {
    Instances,
    Volumes,
    Snapshots,
    Images,
    LoadBalancers,
    TargetGroups,
    Targets,
    ElasticIps,
    NetworkInterfaces,
    Events,
    Alarms,
    Zones,
    Subnets,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 13] = [
        Self::Instances,
        Self::Volumes,
        Self::Snapshots,
        Self::Images,
        Self::LoadBalancers,
        Self::TargetGroups,
        Self::Targets,
        Self::ElasticIps,
        Self::NetworkInterfaces,
        Self::Events,
        Self::Alarms,
        Self::Zones,
        Self::Subnets,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Self::Instances => "Instances",
            Self::Volumes => "Volumes",
            Self::Snapshots => "Snapshots",
            Self::Images => "AMIs",
            Self::LoadBalancers => "Load balancers",
            Self::TargetGroups => "Target groups",
            Self::Targets => "Targets",
            Self::ElasticIps => "Elastic IPs",
            Self::NetworkInterfaces => "Network interfaces",
            Self::Events => "Scheduled events",
            Self::Alarms => "Alarms",
            Self::Zones => "Availability zones",
            Self::Subnets => "Subnets",
        }
    }

    pub fn row_count(self, inv: &Inventory) -> usize {
        match self {
            Self::Instances => inv.instances.len(),
            Self::Volumes => inv.volumes.len(),
            Self::Snapshots => inv.snapshots.len(),
            Self::Images => inv.images.len(),
            Self::LoadBalancers => inv.load_balancers.len(),
            Self::TargetGroups => inv.target_groups.len(),
            Self::Targets => inv.target_health.len(),
            Self::ElasticIps => inv.elastic_ips.len(),
            Self::NetworkInterfaces => inv.network_interfaces.len(),
            Self::Events => inv.events.len(),
            Self::Alarms => inv.alarms.len(),
            Self::Zones => inv.availability_zones.len(),
            Self::Subnets => inv.subnets.len(),
        }
    }

    /// The id of row `i` (what "copy id" copies and what xray follows).
    pub fn row_id(self, inv: &Inventory, i: usize) -> String {
        match self {
            Self::Instances => inv.instances[i].id.clone(),
            Self::Volumes => inv.volumes[i].id.clone(),
            Self::Snapshots => inv.snapshots[i].id.clone(),
            Self::Images => inv.images[i].id.clone(),
            Self::LoadBalancers => inv.load_balancers[i].arn.clone(),
            Self::TargetGroups => inv.target_groups[i].arn.clone(),
            Self::Targets => inv.target_health[i].target_id.clone(),
            Self::ElasticIps => inv.elastic_ips[i].allocation_id.clone(),
            Self::NetworkInterfaces => inv.network_interfaces[i].id.clone(),
            Self::Events => inv.events[i].resource_id.clone(),
            Self::Alarms => inv.alarms[i].name.clone(),
            Self::Zones => inv.availability_zones[i].name.clone(),
            Self::Subnets => inv.subnets[i].id.clone(),
        }
    }

    pub fn row_region(self, inv: &Inventory, i: usize) -> &str {
        match self {
            Self::Instances => &inv.instances[i].region,
            Self::Volumes => &inv.volumes[i].region,
            Self::Snapshots => &inv.snapshots[i].region,
            Self::Images => &inv.images[i].region,
            Self::LoadBalancers => &inv.load_balancers[i].region,
            Self::TargetGroups => &inv.target_groups[i].region,
            Self::Targets => &inv.target_health[i].region,
            Self::ElasticIps => &inv.elastic_ips[i].region,
            Self::NetworkInterfaces => &inv.network_interfaces[i].region,
            Self::Events => &inv.events[i].region,
            Self::Alarms => &inv.alarms[i].region,
            Self::Zones => &inv.availability_zones[i].region,
            Self::Subnets => &inv.subnets[i].region,
        }
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Self::Instances => INSTANCE_COLUMNS,
            Self::Volumes => VOLUME_COLUMNS,
            Self::Snapshots => SNAPSHOT_COLUMNS,
            Self::Images => IMAGE_COLUMNS,
            Self::LoadBalancers => LB_COLUMNS,
            Self::TargetGroups => TG_COLUMNS,
            Self::Targets => TARGET_COLUMNS,
            Self::ElasticIps => EIP_COLUMNS,
            Self::NetworkInterfaces => ENI_COLUMNS,
            Self::Events => EVENT_COLUMNS,
            Self::Alarms => ALARM_COLUMNS,
            Self::Zones => ZONE_COLUMNS,
            Self::Subnets => SUBNET_COLUMNS,
        }
    }
}

/// What a cell function sees: the inventory, the row, and the time to measure ages against.
pub struct Ctx<'a> {
    pub inv: &'a Inventory,
    pub now: Timestamp,
}

/// One column: a title, a preferred width, and how to compute a row's cell.
pub struct Column {
    pub title: &'static str,
    pub width: u16,
    pub cell: fn(&Ctx, usize) -> String,
}

const fn col(title: &'static str, width: u16, cell: fn(&Ctx, usize) -> String) -> Column {
    Column { title, width, cell }
}

/// The scheduled-event marker shown in the instances table.
fn event_marker(i: &Instance, now: Timestamp) -> String {
    match i.upcoming_events().min_by_key(|e| e.not_before) {
        Some(e) => format!("{} in {}", e.code.as_str(), f::time_left(e.not_before, now)),
        None => String::new(),
    }
}

fn cpu(c: &Ctx, i: &Instance) -> String {
    c.inv
        .instance_metric(&i.id, "CPUUtilization")
        .and_then(|m| m.latest())
        .map(|v| format!("{v:.0}%"))
        .unwrap_or_else(|| "-".into())
}

fn tg_health_summary(c: &Ctx, tg: &TargetGroup) -> String {
    let by_az = c.inv.targets_by_az(&tg.arn);
    let parts: Vec<String> = by_az
        .iter()
        .map(|(az, ts)| {
            let healthy = ts
                .iter()
                .filter(|t| t.state == TargetState::Healthy)
                .count();
            format!("{az}:{healthy}/{}", ts.len())
        })
        .collect();
    if parts.is_empty() {
        "no targets".into()
    } else {
        parts.join(" ")
    }
}

static INSTANCE_COLUMNS: &[Column] = &[
    col("ID", 20, |c, r| c.inv.instances[r].id.clone()),
    col("NAME", 16, |c, r| {
        c.inv.instances[r].display_name().to_string()
    }),
    col("STATE", 10, |c, r| c.inv.instances[r].state.as_str().into()),
    col("TYPE", 10, |c, r| c.inv.instances[r].instance_type.clone()),
    col("AZ", 11, |c, r| c.inv.instances[r].az.clone()),
    col("PRIVATE IP", 15, |c, r| {
        f::opt(c.inv.instances[r].private_ip.as_deref())
    }),
    col("PUBLIC IP", 15, |c, r| {
        f::opt(c.inv.instances[r].public_ip.as_deref())
    }),
    col("CHECKS", 8, |c, r| {
        c.inv.instances[r].status_checks.summary()
    }),
    col("CPU", 5, |c, r| cpu(c, &c.inv.instances[r])),
    col("EVENT", 22, |c, r| event_marker(&c.inv.instances[r], c.now)),
];

static VOLUME_COLUMNS: &[Column] = &[
    col("ID", 21, |c, r| c.inv.volumes[r].id.clone()),
    col("NAME", 14, |c, r| f::opt(c.inv.volumes[r].name.as_deref())),
    col("AZ", 11, |c, r| c.inv.volumes[r].az.clone()),
    col("SIZE", 6, |c, r| format!("{}G", c.inv.volumes[r].size_gib)),
    col("TYPE", 5, |c, r| c.inv.volumes[r].volume_type.clone()),
    col("IOPS", 6, |c, r| {
        c.inv.volumes[r]
            .iops
            .map(|i| i.to_string())
            .unwrap_or_else(|| "-".into())
    }),
    col("STATE", 9, |c, r| c.inv.volumes[r].state.as_str().into()),
    col("ATTACHED TO", 20, |c, r| {
        f::opt(c.inv.volumes[r].attached_instance())
    }),
    col("DEVICE", 10, |c, r| {
        f::opt(
            c.inv.volumes[r]
                .attachments
                .first()
                .map(|a| a.device.as_str()),
        )
    }),
    col("LAST SNAPSHOT", 13, |c, r| {
        f::age(
            c.inv
                .newest_completed_snapshot(&c.inv.volumes[r].id)
                .and_then(|s| s.start_time),
            c.now,
        )
    }),
];

static SNAPSHOT_COLUMNS: &[Column] = &[
    col("ID", 22, |c, r| c.inv.snapshots[r].id.clone()),
    col("VOLUME", 21, |c, r| {
        f::opt(c.inv.snapshots[r].volume_id.as_deref())
    }),
    col("SIZE", 6, |c, r| {
        format!("{}G", c.inv.snapshots[r].volume_size_gib)
    }),
    col("STATE", 9, |c, r| c.inv.snapshots[r].state.as_str().into()),
    col("PROGRESS", 8, |c, r| {
        format!("{}%", c.inv.snapshots[r].progress)
    }),
    col("STARTED", 16, |c, r| f::time(c.inv.snapshots[r].start_time)),
    col("AGE", 7, |c, r| {
        f::age(c.inv.snapshots[r].start_time, c.now)
    }),
    col("DESCRIPTION", 30, |c, r| {
        c.inv.snapshots[r].description.clone()
    }),
];

static IMAGE_COLUMNS: &[Column] = &[
    col("ID", 21, |c, r| c.inv.images[r].id.clone()),
    col("NAME", 24, |c, r| c.inv.images[r].name.clone()),
    col("STATE", 10, |c, r| c.inv.images[r].state.as_str().into()),
    col("CREATED", 16, |c, r| f::time(c.inv.images[r].creation_date)),
    col("SNAPSHOTS", 22, |c, r| {
        c.inv.images[r].snapshot_ids.join(",")
    }),
];

static LB_COLUMNS: &[Column] = &[
    col("NAME", 20, |c, r| c.inv.load_balancers[r].name.clone()),
    col("TYPE", 11, |c, r| c.inv.load_balancers[r].lb_type.clone()),
    col("SCHEME", 15, |c, r| c.inv.load_balancers[r].scheme.clone()),
    col("STATE", 8, |c, r| c.inv.load_balancers[r].state.clone()),
    col("AZS", 24, |c, r| {
        c.inv.load_balancers[r]
            .zones
            .iter()
            .map(|z| z.az.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }),
    col("DNS", 40, |c, r| c.inv.load_balancers[r].dns_name.clone()),
];

static TG_COLUMNS: &[Column] = &[
    col("NAME", 20, |c, r| c.inv.target_groups[r].name.clone()),
    col("PROTO", 6, |c, r| {
        f::opt(c.inv.target_groups[r].protocol.as_deref())
    }),
    col("PORT", 5, |c, r| {
        c.inv.target_groups[r]
            .port
            .map(|p| p.to_string())
            .unwrap_or_else(|| "-".into())
    }),
    col("TARGET TYPE", 11, |c, r| {
        c.inv.target_groups[r].target_type.clone()
    }),
    col("HEALTHY/AZ", 30, |c, r| {
        tg_health_summary(c, &c.inv.target_groups[r])
    }),
    col("LOAD BALANCER", 20, |c, r| {
        let tg = &c.inv.target_groups[r];
        tg.load_balancer_arns
            .iter()
            .map(|a| {
                c.inv
                    .load_balancer(a)
                    .map(|l| l.name.clone())
                    .unwrap_or_else(|| a.clone())
            })
            .collect::<Vec<_>>()
            .join(",")
    }),
];

static TARGET_COLUMNS: &[Column] = &[
    col("TARGET GROUP", 18, |c, r| {
        let t = &c.inv.target_health[r];
        c.inv
            .target_group(&t.target_group_arn)
            .map(|g| g.name.clone())
            .unwrap_or_else(|| t.target_group_arn.clone())
    }),
    col("TARGET", 20, |c, r| {
        c.inv.target_health[r].target_id.clone()
    }),
    col("NAME", 14, |c, r| {
        c.inv
            .instance(&c.inv.target_health[r].target_id)
            .map(|i| i.display_name().to_string())
            .unwrap_or_default()
    }),
    col("PORT", 5, |c, r| {
        c.inv.target_health[r]
            .port
            .map(|p| p.to_string())
            .unwrap_or_else(|| "-".into())
    }),
    col("AZ", 11, |c, r| {
        f::opt(c.inv.target_health[r].az.as_deref())
    }),
    col("STATE", 10, |c, r| {
        c.inv.target_health[r].state.as_str().into()
    }),
    col("REASON", 24, |c, r| {
        f::opt(c.inv.target_health[r].reason.as_deref())
    }),
];

static EIP_COLUMNS: &[Column] = &[
    col("PUBLIC IP", 15, |c, r| {
        c.inv.elastic_ips[r].public_ip.clone()
    }),
    col("ALLOCATION", 26, |c, r| {
        c.inv.elastic_ips[r].allocation_id.clone()
    }),
    col("INSTANCE", 20, |c, r| {
        f::opt(c.inv.elastic_ips[r].instance_id.as_deref())
    }),
    col("ENI", 21, |c, r| {
        f::opt(c.inv.elastic_ips[r].network_interface_id.as_deref())
    }),
    col("PRIVATE IP", 15, |c, r| {
        f::opt(c.inv.elastic_ips[r].private_ip.as_deref())
    }),
];

static ENI_COLUMNS: &[Column] = &[
    col("ID", 21, |c, r| c.inv.network_interfaces[r].id.clone()),
    col("AZ", 11, |c, r| c.inv.network_interfaces[r].az.clone()),
    col("SUBNET", 24, |c, r| {
        c.inv.network_interfaces[r].subnet_id.clone()
    }),
    col("STATUS", 9, |c, r| {
        c.inv.network_interfaces[r].status.clone()
    }),
    col("INSTANCE", 20, |c, r| {
        f::opt(
            c.inv.network_interfaces[r]
                .attachment
                .as_ref()
                .and_then(|a| a.instance_id.as_deref()),
        )
    }),
    col("PRIMARY IP", 15, |c, r| {
        f::opt(c.inv.network_interfaces[r].primary_private_ip())
    }),
    col("SECONDARY IPS", 24, |c, r| {
        c.inv.network_interfaces[r]
            .secondary_private_ips()
            .collect::<Vec<_>>()
            .join(",")
    }),
];

static EVENT_COLUMNS: &[Column] = &[
    col("RESOURCE", 21, |c, r| c.inv.events[r].resource_id.clone()),
    col("NAME", 14, |c, r| {
        c.inv
            .instance(&c.inv.events[r].resource_id)
            .map(|i| i.display_name().to_string())
            .unwrap_or_default()
    }),
    col("CODE", 19, |c, r| c.inv.events[r].raw_code.clone()),
    col("NOT BEFORE", 16, |c, r| f::time(c.inv.events[r].not_before)),
    col("TIME LEFT", 12, |c, r| {
        f::time_left(c.inv.events[r].not_before, c.now)
    }),
    col("DEADLINE", 16, |c, r| {
        f::time(c.inv.events[r].not_before_deadline)
    }),
    col("DESCRIPTION", 30, |c, r| {
        c.inv.events[r].description.clone()
    }),
];

static ALARM_COLUMNS: &[Column] = &[
    col("NAME", 24, |c, r| c.inv.alarms[r].name.clone()),
    col("STATE", 17, |c, r| c.inv.alarms[r].state.as_str().into()),
    col("METRIC", 18, |c, r| {
        f::opt(c.inv.alarms[r].metric.as_deref())
    }),
    col("DIMENSIONS", 28, |c, r| {
        c.inv.alarms[r]
            .dimensions
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    }),
    col("THRESHOLD", 9, |c, r| {
        c.inv.alarms[r]
            .threshold
            .map(|t| format!("{t}"))
            .unwrap_or_else(|| "-".into())
    }),
    col("UPDATED", 16, |c, r| f::time(c.inv.alarms[r].updated)),
];

static ZONE_COLUMNS: &[Column] = &[
    col("ZONE", 12, |c, r| c.inv.availability_zones[r].name.clone()),
    col("ZONE ID", 9, |c, r| {
        f::opt(c.inv.availability_zones[r].zone_id.as_deref())
    }),
    col("STATE", 11, |c, r| {
        c.inv.availability_zones[r].state.as_str().into()
    }),
    col("REGION", 14, |c, r| {
        c.inv.availability_zones[r].region.clone()
    }),
];

static SUBNET_COLUMNS: &[Column] = &[
    col("ID", 24, |c, r| c.inv.subnets[r].id.clone()),
    col("VPC", 21, |c, r| c.inv.subnets[r].vpc_id.clone()),
    col("AZ", 11, |c, r| c.inv.subnets[r].az.clone()),
    col("CIDR", 18, |c, r| c.inv.subnets[r].cidr.clone()),
    col("FREE IPS", 8, |c, r| {
        c.inv.subnets[r].available_ips.to_string()
    }),
];
