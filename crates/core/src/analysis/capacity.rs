//! The capacity guard: before an instance leaves service, would some target group be left with no
//! healthy target (or an AZ below its floor)?

use crate::domain::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Healthy targets a group must keep: overall (never below 1) and, optionally, per AZ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Floor {
    pub per_group: usize,
    /// `Some(n)`: each AZ that has healthy targets now keeps at least `n` of them.
    pub per_az: Option<usize>,
}

impl Default for Floor {
    fn default() -> Self {
        Floor {
            per_group: 1,
            per_az: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub target_group: String,
    pub az: Option<String>,
    pub healthy_now: usize,
    pub healthy_after: usize,
    pub floor: usize,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.az {
            Some(az) => write!(
                f,
                "target group {} would keep {} healthy target(s) in {az} (now {}, floor {})",
                self.target_group, self.healthy_after, self.healthy_now, self.floor
            ),
            None => write!(
                f,
                "target group {} would keep {} healthy target(s) (now {}, floor {})",
                self.target_group, self.healthy_after, self.healthy_now, self.floor
            ),
        }
    }
}

/// Healthy targets per target group and AZ.
fn healthy_by_group_and_az<'a>(
    inv: &'a Inventory,
    out: &BTreeSet<&str>,
) -> BTreeMap<&'a str, BTreeMap<String, usize>> {
    let mut m: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    for t in &inv.target_health {
        let per_az = m.entry(t.target_group_arn.as_str()).or_default();
        let az = t.az.clone().unwrap_or_else(|| "?".into());
        let count = per_az.entry(az.to_string()).or_insert(0);
        if t.state == TargetState::Healthy && !out.contains(t.target_id.as_str()) {
            *count += 1;
        }
    }
    m
}

/// Checks that taking `out` (instance ids) out of service keeps every target group they serve at
/// or above the floor. Groups already below the floor are only flagged if `out` makes them worse.
pub fn check_removal(inv: &Inventory, out: &[&str], floor: Floor) -> Result<(), Vec<Violation>> {
    check(inv, out, None, floor)
}

/// The same check for taking `instance` out of one target group only (a deregistration): the
/// other groups it serves keep it.
pub fn check_deregistration(
    inv: &Inventory,
    target_group_arn: &str,
    instance: &str,
    floor: Floor,
) -> Result<(), Vec<Violation>> {
    check(inv, &[instance], Some(target_group_arn), floor)
}

fn check(
    inv: &Inventory,
    out: &[&str],
    only: Option<&str>,
    floor: Floor,
) -> Result<(), Vec<Violation>> {
    let out_set: BTreeSet<&str> = out.iter().copied().collect();
    let before = healthy_by_group_and_az(inv, &BTreeSet::new());
    let after = healthy_by_group_and_az(inv, &out_set);
    let touched: BTreeSet<&str> = inv
        .target_health
        .iter()
        .filter(|t| out_set.contains(t.target_id.as_str()) && t.state == TargetState::Healthy)
        .map(|t| t.target_group_arn.as_str())
        .filter(|arn| only.is_none_or(|o| o == *arn))
        .collect();
    let mut violations = Vec::new();
    for arn in touched {
        let name = inv
            .target_group(arn)
            .map(|g| g.name.clone())
            .unwrap_or_else(|| arn.into());
        let (Some(b), Some(a)) = (before.get(arn), after.get(arn)) else {
            continue;
        };
        let total_b: usize = b.values().sum();
        let total_a: usize = a.values().sum();
        let need = floor.per_group.max(1);
        if total_a < need && total_a < total_b {
            violations.push(Violation {
                target_group: name.to_string(),
                az: None,
                healthy_now: total_b,
                healthy_after: total_a,
                floor: need,
            });
        }
        if let Some(per_az) = floor.per_az {
            for (az, &nb) in b {
                let na = a.get(az).copied().unwrap_or(0);
                if nb > 0 && na < per_az && na < nb {
                    violations.push(Violation {
                        target_group: name.to_string(),
                        az: Some(az.clone()),
                        healthy_now: nb,
                        healthy_after: na,
                        floor: per_az,
                    });
                }
            }
        }
    }
    if violations.is_empty() {
        Ok(())
    } else {
        Err(violations)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixture::FleetBuilder;
    use proptest::prelude::*;

    fn now() -> Timestamp {
        chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
    }

    #[test]
    fn the_last_healthy_target_is_never_taken() {
        let mut f = FleetBuilder::new("r", now());
        let (a, b) = (f.az("a"), f.az("b"));
        let tg = f.target_group("web", None);
        let w1 = f.instance("w1", &a, None);
        let w2 = f.instance("w2", &b, None);
        f.register(&tg, &w1, TargetState::Healthy);
        f.register(&tg, &w2, TargetState::Unhealthy);
        let inv = f.build();
        let v = check_removal(&inv, &[&w1], Floor::default()).unwrap_err();
        assert_eq!(v.len(), 1);
        assert_eq!((v[0].healthy_now, v[0].healthy_after), (1, 0));
        assert!(
            check_removal(&inv, &[&w2], Floor::default()).is_ok(),
            "an unhealthy target may go"
        );
    }

    #[test]
    fn an_az_floor_protects_each_zone() {
        let mut f = FleetBuilder::new("r", now());
        let (a, b) = (f.az("a"), f.az("b"));
        let tg = f.target_group("web", None);
        let ids: Vec<String> = [(&a, "w1"), (&a, "w2"), (&b, "w3")]
            .iter()
            .map(|(az, n)| f.instance(n, az, None))
            .collect();
        for i in &ids {
            f.register(&tg, i, TargetState::Healthy);
        }
        let inv = f.build();
        let floor = Floor {
            per_group: 1,
            per_az: Some(1),
        };
        assert!(check_removal(&inv, &[&ids[0]], floor).is_ok());
        let v = check_removal(&inv, &[&ids[2]], floor).unwrap_err();
        assert_eq!(v[0].az.as_deref(), Some(b.as_str()));
        assert!(
            check_removal(&inv, &[&ids[2]], Floor::default()).is_ok(),
            "no AZ floor: the group keeps 2"
        );
    }

    #[test]
    fn a_deregistration_is_judged_on_its_own_group() {
        let mut f = FleetBuilder::new("r", now());
        let (a, b) = (f.az("a"), f.az("b"));
        let (web, api) = (f.target_group("web", None), f.target_group("api", None));
        let w1 = f.instance("w1", &a, None);
        let w2 = f.instance("w2", &b, None);
        // w1 is web's only healthy target; api has w2 as well.
        f.register(&web, &w1, TargetState::Healthy);
        f.register(&api, &w1, TargetState::Healthy);
        f.register(&api, &w2, TargetState::Healthy);
        let inv = f.build();
        assert!(check_deregistration(&inv, &api, &w1, Floor::default()).is_ok());
        let v = check_deregistration(&inv, &web, &w1, Floor::default()).unwrap_err();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].target_group, "web");
        let floor = Floor {
            per_group: 1,
            per_az: Some(1),
        };
        let v = check_deregistration(&inv, &api, &w1, floor).unwrap_err();
        assert_eq!(v[0].az.as_deref(), Some(a.as_str()), "api keeps none in a");
    }

    proptest! {
        /// For random fleets, whatever the guard accepts leaves every touched group at its floor.
        #[test]
        fn accepted_removals_never_violate_the_floor(
            targets in proptest::collection::vec((0usize..3, 0usize..4, prop::bool::weighted(0.7)), 1..14),
            remove_mask in proptest::collection::vec(prop::bool::ANY, 14),
            per_az in prop::option::of(1usize..3),
        ) {
            let mut f = FleetBuilder::new("r", now());
            let azs = [f.az("a"), f.az("b"), f.az("c")];
            let groups: Vec<String> = (0..4).map(|g| f.target_group(&format!("g{g}"), None)).collect();
            let mut ids = Vec::new();
            for (n, (az, g, healthy)) in targets.iter().enumerate() {
                let id = f.instance(&format!("i{n}"), &azs[*az], None);
                f.register(&groups[*g], &id, if *healthy { TargetState::Healthy } else { TargetState::Unhealthy });
                ids.push(id);
            }
            let inv = f.build();
            let out: Vec<&str> = ids.iter().zip(&remove_mask).filter(|(_, m)| **m).map(|(i, _)| i.as_str()).collect();
            let floor = Floor { per_group: 1, per_az };
            if check_removal(&inv, &out, floor).is_ok() {
                for g in &groups {
                    let healthy = |skip: bool| inv.targets_of(g).filter(|t| t.state == TargetState::Healthy && !(skip && out.contains(&t.target_id.as_str()))).count();
                    let (before, after) = (healthy(false), healthy(true));
                    prop_assert!(after >= 1 || after == before, "group {g}: {before} -> {after}");
                    if let Some(n) = per_az {
                        for az in &azs {
                            let in_az = |skip: bool| inv.targets_of(g).filter(|t| t.az.as_deref() == Some(az.as_str()) && t.state == TargetState::Healthy && !(skip && out.contains(&t.target_id.as_str()))).count();
                            let (b, a) = (in_az(false), in_az(true));
                            prop_assert!(b == 0 || a >= n || a == b, "group {g} az {az}: {b} -> {a}");
                        }
                    }
                }
            }
        }
    }
}
