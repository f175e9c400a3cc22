//! Planning for Auto Scaling groups: work on a member goes through Standby (so the group neither
//! replaces it nor counts it unhealthy), and a single-AZ group is fixed by widening the group, never
//! by cloning a member the group does not know about.

use super::plan::{Action, GroupShape, Plan, Step};
use opsdeck_core::domain::*;
use std::collections::BTreeMap;

/// Target groups read fresh for the plan, by ARN (the same map `rolling` reads).
type GroupDetails = BTreeMap<String, TargetGroup>;

/// The processes suspended for a run that works on members without Standby (`--suspend-processes`).
pub const SUSPENDED_FOR_MAINTENANCE: [&str; 3] = ["HealthCheck", "ReplaceUnhealthy", "AZRebalance"];

/// Deregistration delay of a group's slowest target group (what Standby waits for), and the time
/// to turn healthy again in its slowest one.
fn drain_and_heal_secs(
    inv: &Inventory,
    g: &AutoScalingGroup,
    details: &GroupDetails,
) -> (u64, u64) {
    let mut drain = 0u64;
    let mut heal = 0u64;
    for arn in &g.target_group_arns {
        let tg = details.get(arn.as_str()).or_else(|| inv.target_group(arn));
        let delay = tg
            .and_then(|t| t.deregistration_delay_seconds)
            .map(|d| d.max(0) as u64)
            .unwrap_or(300);
        let hc = tg.map(|t| t.health_check.clone()).unwrap_or_default();
        drain = drain.max(delay);
        heal = heal.max((hc.healthy_threshold.max(1) * hc.interval_seconds.max(1)) as u64);
    }
    (drain, heal)
}

/// What the run has done to each group's desired capacity so far (plans are built in order).
#[derive(Debug, Default)]
pub struct GroupLedger {
    /// Group → (desired as found, desired now as the plan leaves it).
    desired: BTreeMap<String, (i32, i32)>,
}

impl GroupLedger {
    fn now(&mut self, g: &AutoScalingGroup) -> &mut (i32, i32) {
        self.desired
            .entry(g.name.to_string())
            .or_insert((g.desired_capacity, g.desired_capacity))
    }

    /// Steps that set back every desired capacity a stand-in raised.
    pub fn restore_steps(&self) -> Vec<Step> {
        self.desired
            .iter()
            .filter(|(_, (found, now))| found != now)
            .map(|(name, (found, now))| Step {
                title: format!(
                    "set {name}'s desired capacity back to {found} (now {now}): the group \
                     terminates one instance, by its termination policy"
                ),
                action: Action::RestoreDesired {
                    group: name.clone(),
                    desired: *found,
                },
                resources: vec![name.clone()],
                expected_secs: 120,
                timeout_secs: 30 * 60,
            })
            .collect()
    }
}

/// Refuses what would fight the group: a member not in service, a busy group, a floor that
/// neither path keeps.
pub fn check_member(g: &AutoScalingGroup, instance: &str) -> Result<(), String> {
    let m = g
        .member(instance)
        .ok_or_else(|| format!("{instance} is not a member of {}", g.name))?;
    if m.lifecycle_state != LifecycleState::InService {
        return Err(format!(
            "{instance} is {} in {}: only an InService member can be taken out for maintenance",
            m.lifecycle_state.as_str(),
            g.name
        ));
    }
    if let Some(why) = g.busy() {
        return Err(format!(
            "Auto Scaling group {} is busy ({why}): no maintenance of its members until it ends",
            g.name
        ));
    }
    if let MaintenancePath::Blocked { why } = g.maintenance_path() {
        return Err(why);
    }
    Ok(())
}

/// How a member is worked on once it is out of service.
pub enum Work {
    /// Reboot or stop/start steps, made by the caller.
    Steps(Vec<Step>),
    /// Terminated through the group, which launches a replacement.
    Replace,
}

/// The steps for one member: the group whole first, the capacity guard, Standby (decrementing
/// desired when the group may shrink by one, else with a stand-in launched first), the work, back
/// into service.
pub fn member_steps(
    inv: &Inventory,
    g: &AutoScalingGroup,
    instance: &str,
    label: &str,
    work: Work,
    details: &GroupDetails,
    ledger: &mut GroupLedger,
) -> Result<Vec<Step>, String> {
    check_member(g, instance)?;
    let (drain, heal) = drain_and_heal_secs(inv, g, details);
    let group = g.name.to_string();
    let mut steps = vec![
        Step {
            title: format!(
                "check {group} is whole and quiet (members in service, no instance refresh, no hook wait)"
            ),
            action: Action::GroupGuard {
                group: group.clone(),
            },
            resources: vec![group.clone()],
            expected_secs: 0,
            timeout_secs: 30 * 60,
        },
        Step {
            title: format!("check the others can carry {label}'s load"),
            action: Action::CapacityGuard {
                instance: instance.to_string(),
            },
            resources: vec![instance.to_string()],
            expected_secs: 0,
            timeout_secs: 30 * 60,
        },
    ];
    if let Work::Replace = work {
        let (_, desired) = *ledger.now(g);
        steps.push(Step {
            title: format!(
                "replace {label} through {group} (terminated; the group launches a new one, \
                 desired stays {desired})"
            ),
            action: Action::ReplaceMember {
                group: group.clone(),
                instance: instance.to_string(),
                output: format!("replacement-of-{instance}"),
            },
            resources: vec![instance.to_string(), group.clone()],
            expected_secs: drain + 180 + heal,
            timeout_secs: drain + 45 * 60,
        });
        return Ok(steps);
    }
    // The path as the plan has left the group: after a stand-in, desired is one above what it was,
    // so the next member can decrement.
    let (found, desired) = *ledger.now(g);
    let shrinkable = {
        let mut now = g.clone();
        now.desired_capacity = desired;
        now.max_size = now.max_size.max(desired);
        now.maintenance_path()
    };
    let mut desired = desired;
    if shrinkable != MaintenancePath::Decrement {
        // The group may not shrink by one: raise desired first so a stand-in is in service and
        // healthy before this member leaves (AWS's EnterStandby without decrementing would take it
        // out first and launch the stand-in after, under the floor meanwhile).
        let was = GroupShape::of(g);
        let to = GroupShape {
            desired: desired + 1,
            ..was.clone()
        };
        steps.push(Step {
            title: format!(
                "raise {group}'s desired capacity {desired}→{} so a stand-in serves first",
                desired + 1
            ),
            action: Action::ShapeGroup {
                group: group.clone(),
                to,
                was: GroupShape { desired, ..was },
            },
            resources: vec![group.clone()],
            expected_secs: 10,
            timeout_secs: 10 * 60,
        });
        steps.push(Step {
            title: format!("wait for {group}'s stand-in to be in service and healthy"),
            action: Action::GroupGuard {
                group: group.clone(),
            },
            resources: vec![group.clone()],
            expected_secs: 180 + heal,
            timeout_secs: 45 * 60,
        });
        desired += 1;
    }
    steps.push(Step {
        title: format!(
            "move {label} to Standby in {group} (desired {desired}→{}) and wait for draining",
            desired - 1
        ),
        action: Action::EnterStandby {
            group: group.clone(),
            instance: instance.to_string(),
            decrement: true,
        },
        resources: vec![instance.to_string(), group.clone()],
        expected_secs: drain.max(10),
        timeout_secs: drain + 15 * 60,
    });
    if let Work::Steps(work) = work {
        steps.extend(work);
    }
    steps.push(Step {
        title: format!(
            "bring {label} back into service in {group} (desired {}→{desired}) and wait healthy",
            desired - 1
        ),
        action: Action::ExitStandby {
            group: group.clone(),
            instance: instance.to_string(),
        },
        resources: vec![instance.to_string(), group.clone()],
        expected_secs: heal.max(10),
        timeout_secs: heal * 3 + 15 * 60,
    });
    ledger.desired.insert(group, (found, desired));
    Ok(steps)
}

/// Arguments of `remove-spof --group` (or of a member's `remove-spof --instance`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct WidenArgs {
    pub group: String,
    /// Instances to add in the new AZ (default 1).
    pub count: usize,
    /// The AZ to widen into (default: the best one, see `candidate_subnets`).
    pub az: Option<String>,
}

/// Subnets a group could widen into, best first: same VPC, an AZ the group does not use, healthy,
/// served by every load balancer in front of the group's target groups (elsewhere its targets stay
/// `unused`), the most free addresses.
pub fn candidate_subnets<'a>(inv: &'a Inventory, g: &AutoScalingGroup) -> Vec<&'a Subnet> {
    let vpcs: Vec<&str> = g
        .subnet_ids
        .iter()
        .filter_map(|s| inv.subnet(s))
        .map(|s| s.vpc_id.as_str())
        .collect();
    let used = inv.group_azs(g);
    let fronted = |az: &str| {
        g.target_group_arns.iter().all(|arn| {
            let lbs: Vec<&LoadBalancer> = inv
                .target_group(arn)
                .map(|tg| {
                    inv.load_balancers
                        .iter()
                        .filter(|lb| tg.load_balancer_arns.contains(&lb.arn))
                        .collect()
                })
                .unwrap_or_default();
            lbs.is_empty() || lbs.iter().any(|lb| lb.zones.iter().any(|z| z.az == az))
        })
    };
    let mut per_az: BTreeMap<&str, &Subnet> = BTreeMap::new();
    for s in inv.subnets.iter().filter(|s| {
        s.region == g.region
            && vpcs.contains(&s.vpc_id.as_str())
            && !used.iter().any(|u| u == s.az.as_str())
            && inv.zone_state(&s.az).is_healthy()
            && fronted(&s.az)
    }) {
        let e = per_az.entry(s.az.as_str()).or_insert(s);
        if s.available_ips > e.available_ips {
            *e = s;
        }
    }
    let mut subnets: Vec<&Subnet> = per_az.into_values().collect();
    subnets.sort_by_key(|s| (std::cmp::Reverse(s.available_ips), s.az.clone()));
    subnets
}

/// `remove-spof --group`: add a subnet of another AZ to the group and raise its sizes so the new AZ
/// gets capacity; wait for a member in service and healthy there. No instance is launched by
/// opsdeck: the group launches. The rollback restores the subnets and sizes.
pub fn widen_plan(inv: &Inventory, args: &WidenArgs) -> Result<Plan, String> {
    let g = inv
        .auto_scaling_group(&args.group)
        .ok_or_else(|| format!("unknown Auto Scaling group {}", args.group))?;
    if args.count == 0 {
        return Err("--count must be at least 1".into());
    }
    if let Some(why) = g.busy() {
        return Err(format!(
            "Auto Scaling group {} is busy ({why}): widen it once that ends",
            g.name
        ));
    }
    let healing = g.suspended_healing();
    if healing.contains(&"Launch") {
        return Err(format!(
            "Auto Scaling group {} has Launch suspended: it cannot launch into a new AZ",
            g.name
        ));
    }
    let candidates = candidate_subnets(inv, g);
    let subnet = match &args.az {
        Some(az) => candidates
            .iter()
            .find(|s| s.az == az.as_str())
            .copied()
            .ok_or_else(|| {
                format!(
                    "{az} is not an AZ {} can widen into (have: {})",
                    g.name,
                    if candidates.is_empty() {
                        "none".to_string()
                    } else {
                        candidates
                            .iter()
                            .map(|s| s.az.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                )
            })?,
        None => candidates.first().copied().ok_or_else(|| {
            format!(
                "no subnet of {}'s VPC in another healthy AZ that its load balancers serve (create \
                 one, or enable another AZ on the load balancer, first)",
                g.name
            )
        })?,
    };
    let was = GroupShape::of(g);
    let azs_after = inv.group_azs(g).len() + 1;
    let desired = was.desired + args.count as i32;
    let to = GroupShape {
        min: was.min.max(azs_after as i32).min(desired),
        max: was.max.max(desired),
        desired,
        subnet_ids: was
            .subnet_ids
            .iter()
            .cloned()
            .chain(std::iter::once(subnet.id.to_string()))
            .collect(),
    };
    let group = g.name.to_string();
    let steps = vec![
        Step {
            title: format!("check {group} is whole and quiet"),
            action: Action::GroupGuard {
                group: group.clone(),
            },
            resources: vec![group.clone()],
            expected_secs: 0,
            timeout_secs: 30 * 60,
        },
        Step {
            title: format!(
                "add {} ({}) to {group}: {} → {}",
                subnet.id,
                subnet.az,
                was.describe(),
                to.describe()
            ),
            action: Action::ShapeGroup {
                group: group.clone(),
                to: to.clone(),
                was: was.clone(),
            },
            resources: vec![group.clone(), subnet.id.to_string()],
            expected_secs: 10,
            timeout_secs: 10 * 60,
        },
        Step {
            title: format!(
                "wait for {} member(s) of {group} in service and healthy in {}",
                args.count, subnet.az
            ),
            action: Action::WaitGroupInAz {
                group: group.clone(),
                az: subnet.az.to_string(),
                count: args.count,
            },
            resources: vec![group.clone()],
            expected_secs: 240,
            timeout_secs: 45 * 60,
        },
    ];
    let mut notes = vec![format!(
        "{group} spans {} now; it launches its own instance(s) into {} — opsdeck launches nothing",
        inv.group_azs(g).join(", "),
        subnet.az
    )];
    if g.suspended_processes.iter().any(|p| p == "AZRebalance") {
        notes.push(format!(
            "AZRebalance is suspended on {group}: it will not move existing members to balance the AZs"
        ));
    }
    Ok(Plan {
        runbook: "remove-spof".into(),
        region: g.region.to_string(),
        args: serde_json::to_value(args).unwrap_or_default(),
        steps,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsdeck_core::domain::fixture::FleetBuilder;

    fn single_az_group() -> (Inventory, Vec<String>) {
        let mut f = FleetBuilder::new("r", chrono::Utc::now());
        let (a, b) = (f.az("a"), f.az("b"));
        let lb = f.load_balancer("shop", &[&a, &b]);
        let tg = f.target_group("web-tg", Some(&lb));
        let w1 = f.instance("web-1", &a, None);
        let w2 = f.instance("web-2", &a, None);
        f.register(&tg, &w1, TargetState::Healthy);
        f.register(&tg, &w2, TargetState::Healthy);
        f.group("web-asg", &[&a], &[&w1, &w2], &[&tg]);
        // A subnet in b the group can widen into, and one in c the load balancer does not serve.
        let mut inv = f.build();
        for az in ["rb", "rc"] {
            inv.subnets.push(Subnet {
                region: "r".into(),
                id: format!("subnet-{az}").into(),
                vpc_id: "vpc-1".into(),
                az: az.into(),
                cidr: "10.0.1.0/24".into(),
                available_ips: 200,
                default_for_az: false,
                tags: Tags::new(),
            });
        }
        inv.fill_derived();
        (inv, vec![w1, w2])
    }

    #[test]
    fn widening_adds_a_served_az_and_capacity_and_launches_nothing_itself() {
        let (inv, _) = single_az_group();
        let p = widen_plan(
            &inv,
            &WidenArgs {
                group: "web-asg".into(),
                count: 1,
                az: None,
            },
        )
        .unwrap();
        let Action::ShapeGroup { to, was, .. } = &p.steps[1].action else {
            panic!("{:?}", p.steps[1].action)
        };
        assert_eq!(was.subnet_ids, vec!["subnet-ra"]);
        assert_eq!(
            to.subnet_ids,
            vec!["subnet-ra", "subnet-rb"],
            "rc has no load balancer"
        );
        assert_eq!((to.min, to.desired, to.max), (2, 3, 3));
        assert!(
            p.steps
                .iter()
                .all(|s| !matches!(s.action, Action::LaunchClone { .. }))
        );
        assert!(matches!(
            &p.steps[2].action,
            Action::WaitGroupInAz { az, count: 1, .. } if az == "rb"
        ));
        let refused = widen_plan(
            &inv,
            &WidenArgs {
                group: "web-asg".into(),
                count: 1,
                az: Some("rc".into()),
            },
        )
        .unwrap_err();
        assert!(refused.contains("rb"), "{refused}");
    }

    #[test]
    fn a_member_decrements_when_the_group_may_shrink_else_gets_a_stand_in() {
        let (mut inv, ids) = single_az_group();
        // min 2 = desired 2: cannot shrink; max 3 leaves room for a stand-in.
        inv.auto_scaling_groups[0].max_size = 3;
        let g = inv.auto_scaling_groups[0].clone();
        let mut ledger = GroupLedger::default();
        let first = member_steps(
            &inv,
            &g,
            &ids[0],
            "w1",
            Work::Steps(vec![]),
            &Default::default(),
            &mut ledger,
        )
        .unwrap();
        // The stand-in serves before the member leaves: desired 2→3 first, then Standby 3→2.
        let kinds: Vec<&str> = first.iter().map(|s| s.action_name()).collect();
        assert_eq!(
            kinds,
            vec![
                "group_guard",
                "capacity_guard",
                "shape_group",
                "group_guard",
                "enter_standby",
                "exit_standby"
            ]
        );
        assert!(matches!(&first[2].action, Action::ShapeGroup { to, .. } if to.desired == 3));
        // After the first comes back desired is 3: the second may decrement.
        let second = member_steps(
            &inv,
            &g,
            &ids[1],
            "w2",
            Work::Steps(vec![]),
            &Default::default(),
            &mut ledger,
        )
        .unwrap();
        assert!(second.iter().any(|s| matches!(
            s.action,
            Action::EnterStandby {
                decrement: true,
                ..
            }
        )));
        let restore = ledger.restore_steps();
        assert!(matches!(
            restore.as_slice(),
            [Step {
                action: Action::RestoreDesired { desired: 2, .. },
                ..
            }]
        ));
        // max = desired = min: neither path.
        let mut blocked = g.clone();
        blocked.max_size = 2;
        let err = member_steps(
            &inv,
            &blocked,
            &ids[0],
            "w1",
            Work::Steps(vec![]),
            &Default::default(),
            &mut GroupLedger::default(),
        )
        .unwrap_err();
        assert!(err.contains("no room"), "{err}");
    }
}
