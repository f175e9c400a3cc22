//! Findings about Auto Scaling groups. A group relaunches what fails, so its members are not pets:
//! what still takes a tier down is the group's shape (one AZ, one instance) or its state (not
//! healing, busy, no room to maintain a member). Each finding names the group, and where a runbook
//! fixes it, the fix acts on the group.

use super::finding::*;
use crate::domain::*;
use std::collections::BTreeSet;

/// The command that widens a group (a subnet in another AZ, capacity to use it).
pub fn widen_fix(group: &str) -> String {
    format!("opsdeck runbook remove-spof --group {group}")
}

pub(super) fn group_findings(inv: &Inventory, out: &mut Vec<Finding>) {
    for g in inv
        .auto_scaling_groups
        .iter()
        .filter(|g| g.status.is_none())
    {
        let serves = !g.target_group_arns.is_empty() || !g.load_balancer_names.is_empty();
        let severity = if serves {
            Severity::Critical
        } else {
            Severity::Warning
        };
        let with_members = |first: &str| -> Vec<String> {
            std::iter::once(first.to_string())
                .chain(g.members.iter().map(|m| m.instance_id.to_string()))
                .collect()
        };
        if g.desired_capacity <= 1 || g.max_size <= 1 {
            out.push(Finding {
                kind: FindingKind::SingleInstance,
                severity,
                region: g.region.to_string(),
                resources: with_members(&g.name),
                message: format!(
                    "Auto Scaling group {} runs one instance (desired {}, max {}): the group \
                     replaces it when it fails, but each replacement is minutes of outage",
                    g.name, g.desired_capacity, g.max_size
                ),
                fix: Some(widen_fix(&g.name)),
            });
        }
        let azs = inv.group_azs(g);
        let in_service_azs: BTreeSet<&str> = g.in_service().map(|m| m.az.as_str()).collect();
        if let [az] = azs.as_slice() {
            out.push(Finding {
                kind: FindingKind::SingleAz,
                severity,
                region: g.region.to_string(),
                resources: with_members(&g.name),
                message: format!(
                    "Auto Scaling group {} launches only into {az} (its subnets): if {az} fails, \
                     the group has nowhere to relaunch its {} instance(s)",
                    g.name, g.desired_capacity
                ),
                fix: Some(widen_fix(&g.name)),
            });
        } else if in_service_azs.len() == 1 && g.in_service().count() >= 2 {
            let az = in_service_azs.iter().next().copied().unwrap_or("?");
            let why = if g.suspended_processes.iter().any(|p| p == "AZRebalance") {
                "AZRebalance is suspended, so the group will not move them"
            } else {
                "the group has not rebalanced them yet"
            };
            out.push(Finding {
                kind: FindingKind::SingleAz,
                severity,
                region: g.region.to_string(),
                resources: with_members(&g.name),
                message: format!(
                    "all {} in-service members of Auto Scaling group {} are in {az} though its \
                     subnets span {}: {why}",
                    g.in_service().count(),
                    g.name,
                    azs.join(", ")
                ),
                fix: None,
            });
        }
        let stalled = g.suspended_healing();
        if !stalled.is_empty() {
            out.push(Finding {
                kind: FindingKind::GroupNotHealing,
                severity: Severity::Warning,
                region: g.region.to_string(),
                resources: vec![g.name.to_string()],
                message: format!(
                    "Auto Scaling group {} has {} suspended: it will not replace a failed instance \
                     until they are resumed",
                    g.name,
                    stalled.join(", ")
                ),
                fix: None,
            });
        }
        if let Some(why) = g.busy() {
            out.push(Finding {
                kind: FindingKind::GroupBusy,
                severity: Severity::Info,
                region: g.region.to_string(),
                resources: vec![g.name.to_string()],
                message: format!(
                    "Auto Scaling group {}: {why}; maintenance of its members waits until it ends",
                    g.name
                ),
                fix: None,
            });
        }
        if g.desired_capacity >= 1
            && let MaintenancePath::Blocked { why } = g.maintenance_path()
        {
            out.push(Finding {
                kind: FindingKind::GroupFloor,
                severity: Severity::Warning,
                region: g.region.to_string(),
                resources: vec![g.name.to_string()],
                message: format!("no member can be maintained without breaking the floor: {why}"),
                fix: None,
            });
        }
    }
}

/// The group that relaunches `instance_id` and can take a stand-in's place: its member findings
/// speak of the group instead of the instance.
pub fn relaunching_group<'a>(
    inv: &'a Inventory,
    instance_id: &str,
) -> Option<&'a AutoScalingGroup> {
    inv.group_of_instance(instance_id)
        .filter(|g| g.status.is_none() && g.suspended_healing().is_empty())
}

#[cfg(test)]
mod tests {
    use super::super::find_all;
    use super::*;
    use crate::domain::fixture::FleetBuilder;

    fn now() -> Timestamp {
        chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
    }

    fn of(fs: &[Finding], kind: FindingKind) -> Vec<&Finding> {
        fs.iter().filter(|f| f.kind == kind).collect()
    }

    /// Two members in one AZ behind a load balancer spanning two: the group's subnets are the SPOF,
    /// and the fix widens the group (never clones a member).
    #[test]
    fn a_single_az_group_is_named_with_a_fix_on_the_group() {
        let mut f = FleetBuilder::new("us-east-1", now());
        let (a, b) = (f.az("a"), f.az("b"));
        let lb = f.load_balancer("shop", &[&a, &b]);
        let tg = f.target_group("web-tg", Some(&lb));
        let w1 = f.instance("web-1", &a, Some("web"));
        let w2 = f.instance("web-2", &a, Some("web"));
        f.register(&tg, &w1, TargetState::Healthy);
        f.register(&tg, &w2, TargetState::Healthy);
        f.group("web-asg", &[&a], &[&w1, &w2], &[&tg]);
        let fs = find_all(&f.build(), &AnalysisOptions::new(now()));
        let group_az: Vec<_> = of(&fs, FindingKind::SingleAz)
            .into_iter()
            .filter(|x| x.resources[0] == "web-asg")
            .collect();
        assert_eq!(group_az.len(), 1, "{fs:#?}");
        assert!(
            group_az[0].message.contains("us-east-1a"),
            "{}",
            group_az[0].message
        );
        assert_eq!(
            group_az[0].fix.as_deref(),
            Some("opsdeck runbook remove-spof --group web-asg")
        );
        // The target group's own single-az finding points at the group too.
        for x in of(&fs, FindingKind::SingleAz) {
            assert_eq!(
                x.fix.as_deref(),
                Some("opsdeck runbook remove-spof --group web-asg"),
                "{x:?}"
            );
        }
        // No clone of a member is proposed anywhere.
        assert!(
            fs.iter()
                .all(|x| !x.fix.as_deref().unwrap_or("").contains("--instance")
                    || x.kind == FindingKind::UnprotectedScheduledEvent),
            "{fs:#?}"
        );
    }

    /// A group of two spread over two AZs is not a SPOF: no single-instance, no single-az.
    #[test]
    fn a_group_across_two_azs_is_fine_and_its_members_are_not_pets() {
        let mut f = FleetBuilder::new("us-east-1", now());
        let (a, b) = (f.az("a"), f.az("b"));
        let lb = f.load_balancer("shop", &[&a, &b]);
        let tg = f.target_group("web-tg", Some(&lb));
        let w1 = f.instance("web-1", &a, Some("web"));
        let w2 = f.instance("web-2", &b, Some("web"));
        f.register(&tg, &w1, TargetState::Healthy);
        f.register(&tg, &w2, TargetState::Healthy);
        f.group("web-asg", &[&a, &b], &[&w1, &w2], &[&tg]);
        let fs = find_all(&f.build(), &AnalysisOptions::new(now()));
        assert!(of(&fs, FindingKind::SingleAz).is_empty(), "{fs:#?}");
        assert!(of(&fs, FindingKind::SingleInstance).is_empty(), "{fs:#?}");
    }

    /// A group of one (max 1) says what it costs; members drifted into one AZ are named.
    #[test]
    fn one_instance_groups_and_drift_are_findings() {
        let mut f = FleetBuilder::new("us-east-1", now());
        let (a, b) = (f.az("a"), f.az("b"));
        let solo = f.instance("api-1", &a, Some("api"));
        f.group("api-asg", &[&a, &b], &[&solo], &[]);
        let d1 = f.instance("jobs-1", &a, None);
        let d2 = f.instance("jobs-2", &a, None);
        f.group("jobs-asg", &[&a, &b], &[&d1, &d2], &[]);
        let fs = find_all(&f.build(), &AnalysisOptions::new(now()));
        let one = of(&fs, FindingKind::SingleInstance);
        assert!(
            one.iter()
                .any(|x| x.resources[0] == "api-asg" && x.message.contains("minutes of outage")),
            "{fs:#?}"
        );
        let drift = of(&fs, FindingKind::SingleAz);
        assert!(
            drift
                .iter()
                .any(|x| x.resources[0] == "jobs-asg" && x.message.contains("in-service members")),
            "{fs:#?}"
        );
    }

    #[test]
    fn suspended_healing_busy_groups_and_a_blocked_floor_are_findings() {
        let mut f = FleetBuilder::new("us-east-1", now());
        let (a, b) = (f.az("a"), f.az("b"));
        let w1 = f.instance("web-1", &a, None);
        let w2 = f.instance("web-2", &b, None);
        f.group("web-asg", &[&a, &b], &[&w1, &w2], &[]);
        let mut inv = f.build();
        {
            let g = &mut inv.auto_scaling_groups[0];
            g.suspended_processes = vec!["ReplaceUnhealthy".into(), "AZRebalance".into()];
            g.instance_refresh = Some(InstanceRefresh {
                id: "ir-1".into(),
                status: "InProgress".into(),
                percentage_complete: Some(50),
                started: None,
            });
            g.min_healthy_percent = Some(100);
            g.max_size = g.desired_capacity;
        }
        inv.fill_derived();
        let fs = find_all(&inv, &AnalysisOptions::new(now()));
        let not_healing = of(&fs, FindingKind::GroupNotHealing);
        assert_eq!(not_healing.len(), 1, "{fs:#?}");
        assert!(not_healing[0].message.contains("ReplaceUnhealthy"));
        assert!(
            !not_healing[0].message.contains("AZRebalance"),
            "only healing processes"
        );
        assert!(of(&fs, FindingKind::GroupBusy)[0].message.contains("ir-1"));
        assert!(of(&fs, FindingKind::GroupFloor)[0].message.contains("100%"));
    }
}
