//! AZ blast radius: for each zone, what becomes unavailable if it goes.

use super::findings::is_data_volume;
use crate::domain::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupLoss {
    pub target_group: String,
    pub healthy_now: usize,
    pub healthy_after: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsgLoss {
    pub group: String,
    pub in_service_now: usize,
    pub in_service_after: usize,
    /// The group's other AZs: where it relaunches what it loses.
    pub relaunch_in: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzBlast {
    pub region: String,
    pub az: String,
    pub state: ZoneState,
    /// Live instances in the zone.
    pub instances: Vec<String>,
    /// EBS volumes are bound to their zone: these become unreachable.
    pub volumes: Vec<String>,
    /// Elastic IPs pointing at instances in the zone (their service address goes with it).
    pub elastic_ips: Vec<String>,
    /// Target groups left with no healthy target: these services are down.
    pub groups_down: Vec<String>,
    /// Target groups that lose capacity but keep serving.
    pub groups_degraded: Vec<GroupLoss>,
    /// Auto Scaling groups with in-service members in the zone: what they lose, and where they can
    /// relaunch (none: the group is down until the zone returns).
    pub auto_scaling: Vec<AsgLoss>,
    /// Tiers (role tag) whose every running (or pending) instance is in the zone.
    pub roles_down: Vec<String>,
    /// Load balancers whose subnets are all in the zone.
    #[serde(default)]
    pub load_balancers_down: Vec<String>,
    /// Data volumes in the zone with no completed snapshot: their data goes with it (root
    /// volumes are rebuilt from their image, as the findings count them).
    #[serde(default)]
    pub volumes_unprotected: Vec<String>,
}

/// One entry per AZ known in the inventory, in name order.
pub fn blast_radius(inv: &Inventory, role_tag: &str) -> Vec<AzBlast> {
    let az_region: BTreeMap<String, String> = inv
        .availability_zones
        .iter()
        .map(|z| (z.name.to_string(), z.region.to_string()))
        .chain(
            inv.instances
                .iter()
                .map(|i| (i.az.to_string(), i.region.to_string())),
        )
        .collect();
    // Worked out once, not per zone: which instance each address reaches, which volumes have a
    // completed snapshot.
    let interfaces: HashMap<&str, &str> = inv
        .network_interfaces
        .iter()
        .filter_map(|n| {
            Some((
                n.id.as_str(),
                n.attachment.as_ref()?.instance_id.as_deref()?,
            ))
        })
        .collect();
    let shared = Shared {
        addresses: inv
            .elastic_ips
            .iter()
            .map(|e| {
                let to = e.instance_id.as_deref().or_else(|| {
                    e.network_interface_id
                        .as_deref()
                        .and_then(|n| interfaces.get(n).copied())
                });
                (e.public_ip.as_str(), to)
            })
            .collect(),
        snapshotted: inv
            .snapshots
            .iter()
            .filter(|s| s.state == SnapshotState::Completed)
            .filter_map(|s| s.volume_id.as_deref())
            .collect(),
    };
    az_region
        .into_iter()
        .map(|(az, region)| one_zone(inv, role_tag, &shared, az, region))
        .collect()
}

/// What every zone's computation needs, computed once.
struct Shared<'a> {
    /// Each Elastic IP and the instance it reaches (directly or through its interface).
    addresses: Vec<(&'a str, Option<&'a str>)>,
    /// Volumes with a completed snapshot.
    snapshotted: HashSet<&'a str>,
}

fn one_zone(
    inv: &Inventory,
    role_tag: &str,
    shared: &Shared<'_>,
    az: String,
    region: String,
) -> AzBlast {
    let live_here: Vec<&Instance> = inv
        .instances
        .iter()
        .filter(|i| i.az == az && i.is_live())
        .collect();
    let mut groups_down = Vec::new();
    let mut groups_degraded = Vec::new();
    for tg in inv.target_groups.iter().filter(|t| t.region == region) {
        let healthy: Vec<&TargetHealth> = inv
            .targets_of(&tg.arn)
            .filter(|t| t.state == TargetState::Healthy)
            .collect();
        let lost = healthy
            .iter()
            .filter(|t| t.az.as_deref() == Some(az.as_str()))
            .count();
        if lost == 0 {
            continue;
        }
        if lost == healthy.len() {
            groups_down.push(tg.name.to_string());
        } else {
            groups_degraded.push(GroupLoss {
                target_group: tg.name.to_string(),
                healthy_now: healthy.len(),
                healthy_after: healthy.len() - lost,
            });
        }
    }
    let mut roles: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    // A tier is lost when every instance that carries it is here (a stopped one carries nothing).
    for i in inv
        .instances
        .iter()
        .filter(|i| i.region == region && i.is_up())
    {
        if let Some(r) = i.tags.get(role_tag) {
            let e = roles.entry(r).or_default();
            e.0 += 1;
            if i.az == az {
                e.1 += 1;
            }
        }
    }
    let auto_scaling = inv
        .auto_scaling_groups
        .iter()
        .filter(|g| g.region == region)
        .filter_map(|g| {
            let now = g.in_service().count();
            let here = g.in_service().filter(|m| m.az == az.as_str()).count();
            (here > 0).then(|| AsgLoss {
                group: g.name.to_string(),
                in_service_now: now,
                in_service_after: now - here,
                relaunch_in: inv.group_azs(g).into_iter().filter(|z| *z != az).collect(),
            })
        })
        .collect();
    AzBlast {
        state: inv.zone_state(&az),
        instances: live_here
            .iter()
            .map(|i| i.id.clone())
            .map(Into::into)
            .collect(),
        volumes: inv
            .volumes
            .iter()
            .filter(|v| v.az == az)
            .map(|v| v.id.clone())
            .map(Into::into)
            .collect(),
        elastic_ips: shared
            .addresses
            .iter()
            .filter(|(_, to)| to.is_some_and(|id| live_here.iter().any(|i| i.id == id)))
            .map(|(ip, _)| ip.to_string())
            .collect(),
        load_balancers_down: inv
            .load_balancers
            .iter()
            .filter(|lb| lb.region == region && !lb.zones.is_empty())
            .filter(|lb| lb.zones.iter().all(|z| z.az == az))
            .map(|lb| lb.name.to_string())
            .collect(),
        volumes_unprotected: inv
            .volumes
            .iter()
            .filter(|v| v.az == az && is_data_volume(inv, v))
            .filter(|v| !shared.snapshotted.contains(v.id.as_str()))
            .map(|v| v.id.to_string())
            .collect(),
        groups_down,
        groups_degraded,
        auto_scaling,
        roles_down: roles
            .into_iter()
            .filter(|(_, (all, here))| *here > 0 && all == here)
            .map(|(r, _)| r.to_string())
            .collect(),
        az,
        region,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixture::FleetBuilder;

    #[test]
    fn losing_the_web_tiers_only_zone_takes_the_service_down() {
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let mut f = FleetBuilder::new("r", now);
        let (a, b) = (f.az("a"), f.az("b"));
        let web = f.target_group("web", None);
        let api = f.target_group("api", None);
        for n in ["w1", "w2"] {
            let i = f.instance(n, &a, Some("web"));
            f.register(&web, &i, TargetState::Healthy);
        }
        for (n, az) in [("p1", &a), ("p2", &b)] {
            let i = f.instance(n, az, Some("api"));
            f.register(&api, &i, TargetState::Healthy);
        }
        let db = f.instance("db", &a, Some("db"));
        f.volume(&a, Some((&db, "/dev/sdf")));
        let radius = blast_radius(&f.build(), "role");
        let za = radius.iter().find(|z| z.az == a).unwrap();
        assert_eq!(za.groups_down, vec!["web"]);
        assert_eq!(
            za.groups_degraded,
            vec![GroupLoss {
                target_group: "api".into(),
                healthy_now: 2,
                healthy_after: 1
            }]
        );
        assert_eq!(za.roles_down, vec!["db", "web"]);
        assert_eq!(za.instances.len(), 4);
        assert_eq!(za.volumes.len(), 1);
        let zb = radius.iter().find(|z| z.az == b).unwrap();
        assert!(zb.groups_down.is_empty());
        assert_eq!(zb.groups_degraded.len(), 1);
        assert!(zb.roles_down.is_empty(), "api keeps p1 in {a}");
        assert_eq!(radius.len(), 3, "every known zone, empty ones too");
    }

    #[test]
    fn a_group_counts_its_capacity_per_zone_and_where_it_can_relaunch() {
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let mut f = FleetBuilder::new("r", now);
        let (a, b) = (f.az("a"), f.az("b"));
        let m1 = f.instance("m1", &a, None);
        let m2 = f.instance("m2", &a, None);
        let m3 = f.instance("m3", &b, None);
        f.group("wide", &[&a, &b], &[&m1, &m2, &m3], &[]);
        let n1 = f.instance("n1", &a, None);
        f.group("narrow", &[&a], &[&n1], &[]);
        let radius = blast_radius(&f.build(), "role");
        let za = radius.iter().find(|z| z.az == a).unwrap();
        assert_eq!(
            za.auto_scaling,
            vec![
                AsgLoss {
                    group: "wide".into(),
                    in_service_now: 3,
                    in_service_after: 1,
                    relaunch_in: vec![b.clone()],
                },
                AsgLoss {
                    group: "narrow".into(),
                    in_service_now: 1,
                    in_service_after: 0,
                    relaunch_in: vec![],
                },
            ]
        );
        let zb = radius.iter().find(|z| z.az == b).unwrap();
        assert_eq!(zb.auto_scaling.len(), 1);
    }
}
