//! Resource kinds and their columns, declared as data. The headless table output and the console's
//! one generic table both read these; no view has table code of its own.

mod column;
mod columns;
mod ctx;

pub use column::{Column, DEFAULT_PRIORITY};
pub use ctx::{AzHealth, CellCtx, Ctx, IndexedCtx, InvIndex};

use opsdeck_core::domain::ScheduledEvent;
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
    AutoScalingGroups,
    /// Not an inventory list: the analysis's findings over it (`crate::findings`).
    Findings,
}

impl ResourceKind {
    /// The inventory's kinds (what `opsdeck inventory` prints).
    pub const ALL: [ResourceKind; 14] = [
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
        Self::AutoScalingGroups,
    ];

    /// Every table the console can show: the inventory's kinds, then the findings.
    pub const VIEWS: [ResourceKind; 15] = [
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
        Self::AutoScalingGroups,
        Self::Findings,
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
            Self::AutoScalingGroups => "Auto Scaling groups",
            Self::Findings => "Findings",
        }
    }

    pub fn row_count(self, c: &dyn CellCtx) -> usize {
        let inv = c.inv();
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
            Self::AutoScalingGroups => inv.auto_scaling_groups.len(),
            Self::Findings => c.findings().len(),
        }
    }

    /// The id of row `i` (what "copy id" copies and what xray follows).
    pub fn row_id(self, c: &dyn CellCtx, i: usize) -> String {
        let inv = c.inv();
        match self {
            Self::Instances => inv.instances[i].id.to_string(),
            Self::Volumes => inv.volumes[i].id.to_string(),
            Self::Snapshots => inv.snapshots[i].id.to_string(),
            Self::Images => inv.images[i].id.to_string(),
            Self::LoadBalancers => inv.load_balancers[i].arn.to_string(),
            Self::TargetGroups => inv.target_groups[i].arn.to_string(),
            Self::Targets => inv.target_health[i].target_id.to_string(),
            Self::ElasticIps => inv.elastic_ips[i].allocation_id.to_string(),
            Self::NetworkInterfaces => inv.network_interfaces[i].id.to_string(),
            Self::Events => inv.events[i].resource_id.to_string(),
            Self::Alarms => inv.alarms[i].name.to_string(),
            Self::Zones => inv.availability_zones[i].name.to_string(),
            Self::Subnets => inv.subnets[i].id.to_string(),
            Self::AutoScalingGroups => inv.auto_scaling_groups[i].name.to_string(),
            // The resource it is most about (what copy copies).
            Self::Findings => c.findings()[i]
                .resources
                .first()
                .cloned()
                .unwrap_or_default(),
        }
    }

    pub fn row_region(self, c: &dyn CellCtx, i: usize) -> &str {
        let inv = c.inv();
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
            Self::AutoScalingGroups => &inv.auto_scaling_groups[i].region,
            Self::Findings => &c.findings()[i].region,
        }
    }

    /// Every field of row `i`, as the domain type serialises it (what describe shows).
    pub fn row_json(self, c: &dyn CellCtx, i: usize) -> serde_json::Value {
        let inv = c.inv();
        fn v<T: Serialize>(x: Option<&T>) -> serde_json::Value {
            x.and_then(|x| serde_json::to_value(x).ok())
                .unwrap_or(serde_json::Value::Null)
        }
        match self {
            Self::Instances => v(inv.instances.get(i)),
            Self::Volumes => v(inv.volumes.get(i)),
            Self::Snapshots => v(inv.snapshots.get(i)),
            Self::Images => v(inv.images.get(i)),
            Self::LoadBalancers => v(inv.load_balancers.get(i)),
            Self::TargetGroups => v(inv.target_groups.get(i)),
            Self::Targets => v(inv.target_health.get(i)),
            Self::ElasticIps => v(inv.elastic_ips.get(i)),
            Self::NetworkInterfaces => v(inv.network_interfaces.get(i)),
            Self::Events => v(inv.events.get(i)),
            Self::Alarms => v(inv.alarms.get(i)),
            Self::Zones => v(inv.availability_zones.get(i)),
            Self::Subnets => v(inv.subnets.get(i)),
            Self::AutoScalingGroups => v(inv.auto_scaling_groups.get(i)),
            Self::Findings => v(c.findings().get(i)),
        }
    }

    /// A key naming row `i` uniquely within its kind: the id, except for targets (one instance can
    /// be registered in several groups) and events (one instance can have several).
    pub fn row_uid(self, c: &dyn CellCtx, i: usize) -> String {
        let inv = c.inv();
        match self {
            Self::Targets => {
                let t = &inv.target_health[i];
                format!(
                    "{}|{}|{}",
                    t.target_id,
                    t.port.unwrap_or(0),
                    t.target_group_arn
                )
            }
            Self::Events => event_uid(&inv.events[i]),
            Self::Findings => {
                let f = &c.findings()[i];
                format!("{}|{}", f.kind.as_str(), f.resources.join(","))
            }
            _ => self.row_id(c, i),
        }
    }

    /// Finds the row whose `row_uid` (or, failing that, `row_id`) is `key`.
    pub fn find_row(self, c: &dyn CellCtx, key: &str) -> Option<usize> {
        let n = self.row_count(c);
        (0..n)
            .find(|&r| self.row_uid(c, r) == key)
            .or_else(|| (0..n).find(|&r| self.row_id(c, r) == key))
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Self::Instances => columns::INSTANCE,
            Self::Volumes => columns::VOLUME,
            Self::Snapshots => columns::SNAPSHOT,
            Self::Images => columns::IMAGE,
            Self::LoadBalancers => columns::LB,
            Self::TargetGroups => columns::TG,
            Self::Targets => columns::TARGET,
            Self::ElasticIps => columns::EIP,
            Self::NetworkInterfaces => columns::ENI,
            Self::Events => columns::EVENT,
            Self::Alarms => columns::ALARM,
            Self::Zones => columns::ZONE,
            Self::Subnets => columns::SUBNET,
            Self::AutoScalingGroups => columns::GROUP,
            Self::Findings => columns::FINDINGS,
        }
    }
}

/// The `row_uid` of a scheduled event (one instance can have several): what describe and xray
/// name it by.
pub fn event_uid(e: &ScheduledEvent) -> String {
    format!(
        "{}|{}|{}",
        e.resource_id,
        e.raw_code,
        e.event_id.as_deref().unwrap_or("")
    )
}
