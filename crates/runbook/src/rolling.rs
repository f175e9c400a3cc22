//! `rolling-maintenance`: one instance at a time, keeping a healthy floor: leave every target group
//! → wait for draining → reboot (instance events) or stop/start (system events: new hardware) →
//! wait running and status checks ok → rejoin → wait healthy → next. Or reschedule the events.

use super::groups::{self, GroupLedger, Work};
use super::plan::{Action, Plan, Step, Val};
use opsdeck_core::analysis::{Floor, check_removal};
use opsdeck_core::cloud::{CloudRead, TargetRef};
use opsdeck_core::domain::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct RollingArgs {
    /// Instances to maintain; empty = every instance with an upcoming event (or the target group's,
    /// or the Auto Scaling group's).
    pub instances: Vec<String>,
    pub target_group: Option<String>,
    /// Maintain every in-service member of this Auto Scaling group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Group members are replaced through their group (terminated, relaunched) instead of restarted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replace: bool,
    /// Group members stay in service while the group's HealthCheck, ReplaceUnhealthy and AZRebalance
    /// processes are suspended for the run (resumed at its end), instead of going through Standby.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub suspend_processes: bool,
    pub floor_per_az: Option<usize>,
    /// Instead of maintaining now, move each event to this time (within its deadline).
    pub reschedule_to: Option<Timestamp>,
}

/// Deregistration delay and health-check settings per group, as read on demand.
pub type GroupDetails = BTreeMap<String, TargetGroup>;

const DEFAULT_DELAY: u64 = 300;
const BOOT_SECS: u64 = 120;

/// Which instances the run covers, in the order it will take them.
pub fn select(inv: &Inventory, region: &str, args: &RollingArgs) -> Result<Vec<String>, String> {
    let mut ids: Vec<String> = if !args.instances.is_empty() {
        for id in &args.instances {
            match inv.instance(id) {
                Some(i) if i.region == region => {}
                Some(i) => return Err(format!("instance {id} is in {}, not {region}", i.region)),
                None => return Err(format!("unknown instance {id}")),
            }
        }
        args.instances.clone()
    } else if let Some(name) = &args.group {
        let g = inv
            .auto_scaling_group(name)
            .ok_or_else(|| format!("unknown Auto Scaling group {name}"))?;
        g.in_service().map(|m| m.instance_id.to_string()).collect()
    } else if let Some(tg) = &args.target_group {
        let g = inv
            .target_group(tg)
            .ok_or_else(|| format!("unknown target group {tg}"))?;
        inv.targets_of(&g.arn)
            .map(|t| t.target_id.clone())
            .map(Into::into)
            .collect()
    } else {
        inv.instances
            .iter()
            .filter(|i| i.region == region && i.upcoming_events().next().is_some())
            .map(|i| i.id.clone())
            .map(Into::into)
            .collect()
    };
    ids.dedup();
    if ids.is_empty() {
        return Err(
            "nothing to maintain: no instance given and no upcoming scheduled event".into(),
        );
    }
    Ok(ids)
}

/// A registration that serves, or that cannot (a group no load balancer uses: `unused`,
/// `Target.NotInUse` is its steady state): anything else is a target to fix, not to maintain.
fn serves_now(state: TargetState) -> bool {
    matches!(state, TargetState::Healthy | TargetState::Unused)
}

/// `now`: the session's clock (the simulator's in a demo): a new start time is judged against it.
pub fn plan(
    inv: &Inventory,
    region: &str,
    args: &RollingArgs,
    details: &GroupDetails,
    now: Timestamp,
) -> Result<Plan, String> {
    let ids = select(inv, region, args)?;
    if let Some(to) = args.reschedule_to {
        return reschedule_plan(inv, region, args, &ids, to, now);
    }
    let floor = Floor {
        per_group: 1,
        per_az: args.floor_per_az,
    };
    let mut steps = Vec::new();
    let mut notes = vec![
        "one instance at a time; each leaves its target groups (and finishes draining) before it restarts".to_string(),
    ];
    let mut ledger = GroupLedger::default();
    let mut noted: Vec<String> = Vec::new();
    for id in &ids {
        let Some(i) = inv.instance(id) else {
            return Err(format!("unknown instance {id}"));
        };
        if i.state != InstanceState::Running {
            return Err(format!(
                "{id} is {}: rolling maintenance restarts running instances only",
                i.state.as_str()
            ));
        }
        // A busy group (refresh, hook wait) or one whose floor no path keeps: say that first.
        if let Some(g) = inv
            .group_of_instance(id)
            .filter(|_| !args.suspend_processes)
        {
            groups::check_member(g, id)?;
        }
        // Refuse now what the guard would block forever: the last healthy target of a group.
        if let Err(v) = check_removal(inv, &[id.as_str()], floor) {
            let why: Vec<String> = v.iter().map(|x| x.to_string()).collect();
            return Err(format!(
                "the capacity guard refuses {id}: {}",
                why.join("; ")
            ));
        }
        // As AWSEC2-PatchLoadBalancerInstance does: only a healthy target is taken out (and then
        // waited back to healthy); one that is not healthy now would never be seen to return.
        if let Some(t) = inv
            .registrations_of_instance(id)
            .find(|t| !serves_now(t.state))
        {
            let group = inv
                .target_group(&t.target_group_arn)
                .map_or(t.target_group_arn.as_str(), |g| g.name.as_str());
            return Err(format!(
                "{id} is not healthy in {group} ({}{}): rolling maintenance takes only healthy \
                 targets out and waits for them to return healthy; fix it first, or leave it out",
                t.state.as_str(),
                t.reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ));
        }
        let label = format!(
            "{id}{}",
            i.name
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        );
        let regs: Vec<&TargetHealth> = inv.registrations_of_instance(id).collect();
        let event = i.upcoming_events().min_by_key(|e| e.not_before);
        if let Some(g) = inv
            .group_of_instance(id)
            .filter(|_| !args.suspend_processes)
        {
            // A group's member leaves through Standby: the group neither replaces it nor counts it
            // unhealthy while it restarts, and takes it back with ExitStandby.
            if !noted.contains(&g.name.to_string()) {
                noted.push(g.name.to_string());
                notes.push(format!(
                    "members of Auto Scaling group {} go through Standby (a stopped or deregistered \
                     member would be replaced by the group)",
                    g.name
                ));
            }
            let work = if args.replace {
                Work::Replace
            } else {
                Work::Steps(restart_steps(id, &label, event))
            };
            steps.extend(groups::member_steps(
                inv,
                g,
                id,
                &label,
                work,
                details,
                &mut ledger,
            )?);
            continue;
        }
        if regs.is_empty() {
            notes.push(format!(
                "{label} serves no load balancer: its service is down while it restarts"
            ));
        }
        steps.push(Step {
            title: format!("check the others can carry {label}'s load"),
            action: Action::CapacityGuard {
                instance: id.clone(),
            },
            resources: vec![id.clone()],
            expected_secs: 0,
            timeout_secs: 30 * 60,
        });
        for (k, r) in regs.iter().enumerate() {
            let g = details
                .get(r.target_group_arn.as_str())
                .or_else(|| inv.target_group(&r.target_group_arn));
            let name = g
                .map(|g| g.name.clone())
                .unwrap_or_else(|| r.target_group_arn.clone());
            if k > 0 {
                // The first group's drain can take minutes; a crash meanwhile can leave this group
                // short, so it is checked again right before the instance leaves it.
                steps.push(Step {
                    title: format!("check the others in {name} can carry {label}'s load"),
                    action: Action::CapacityGuard {
                        instance: id.clone(),
                    },
                    resources: vec![id.clone()],
                    expected_secs: 0,
                    timeout_secs: 30 * 60,
                });
            }
            let delay = g
                .and_then(|g| g.deregistration_delay_seconds)
                .map(|d| d.max(0) as u64)
                .unwrap_or(DEFAULT_DELAY);
            steps.push(Step {
                title: format!("deregister {label} from {name} and wait for draining"),
                action: Action::DeregisterTarget {
                    target_group_arn: r.target_group_arn.to_string(),
                    target: TargetRef {
                        id: id.clone(),
                        port: r.port,
                    },
                },
                resources: vec![id.clone(), name.to_string()],
                expected_secs: delay,
                timeout_secs: delay + 15 * 60,
            });
        }
        steps.extend(restart_steps(id, &label, event));
        for r in &regs {
            let g = details
                .get(r.target_group_arn.as_str())
                .or_else(|| inv.target_group(&r.target_group_arn));
            let name = g
                .map(|g| g.name.clone())
                .unwrap_or_else(|| r.target_group_arn.clone());
            let hc = g.map(|g| g.health_check.clone()).unwrap_or_default();
            let healthy_after = (hc.healthy_threshold.max(1) * hc.interval_seconds.max(1)) as u64;
            steps.push(Step {
                title: format!("register {label} in {name} and wait healthy"),
                action: Action::RegisterTarget {
                    target_group_arn: r.target_group_arn.to_string(),
                    target: Val::Lit(id.clone()),
                    port: r.port,
                },
                resources: vec![id.clone(), name.to_string()],
                expected_secs: healthy_after,
                timeout_secs: healthy_after * 3 + 10 * 60,
            });
        }
    }
    steps.extend(ledger.restore_steps());
    // A member in Standby leaves its AZ one short: AZRebalance would launch to even it out (and
    // terminate when it is back). Suspended for the run, resumed at its end and by a rollback.
    if !args.suspend_processes {
        let mut rebalancing: Vec<String> = noted
            .iter()
            .filter(|n| {
                inv.auto_scaling_group(n)
                    .is_some_and(|g| !g.suspended_processes.iter().any(|p| p == "AZRebalance"))
            })
            .cloned()
            .collect();
        rebalancing.sort();
        for (k, name) in rebalancing.iter().enumerate() {
            let processes = vec!["AZRebalance".to_string()];
            notes.push(format!(
                "{name}: AZRebalance suspended for the run (it would launch to even out the AZs \
                 while a member is in Standby), resumed at its end"
            ));
            steps.insert(
                k,
                Step {
                    title: format!("suspend AZRebalance on {name} for the run"),
                    action: Action::SuspendProcesses {
                        group: name.clone(),
                        processes: processes.clone(),
                    },
                    resources: vec![name.clone()],
                    expected_secs: 5,
                    timeout_secs: 5 * 60,
                },
            );
            steps.push(Step {
                title: format!("resume AZRebalance on {name}"),
                action: Action::ResumeProcesses {
                    group: name.clone(),
                    processes,
                },
                resources: vec![name.clone()],
                expected_secs: 5,
                timeout_secs: 5 * 60,
            });
        }
    }
    if args.suspend_processes {
        suspend_around(inv, &ids, &mut steps, &mut notes);
    }
    Ok(Plan {
        runbook: "rolling-maintenance".into(),
        region: region.into(),
        args: serde_json::to_value(args).unwrap_or_default(),
        steps,
        notes,
    })
}

/// Reboot (instance events, or none) or stop/start (system events: new hardware).
fn restart_steps(id: &str, label: &str, event: Option<&ScheduledEvent>) -> Vec<Step> {
    if event.is_some_and(|e| e.code.needs_new_hardware()) {
        vec![
            Step {
                title: format!("stop {label} (moves it off the failing host)"),
                action: Action::StopInstance {
                    instance: id.to_string(),
                },
                resources: vec![id.to_string()],
                expected_secs: 60,
                timeout_secs: 20 * 60,
            },
            Step {
                title: format!("start {label} and wait for status checks ok"),
                action: Action::StartInstance {
                    instance: id.to_string(),
                },
                resources: vec![id.to_string()],
                expected_secs: BOOT_SECS,
                timeout_secs: 20 * 60,
            },
        ]
    } else {
        vec![Step {
            title: format!("reboot {label} and wait for status checks ok"),
            action: Action::RebootInstance {
                instance: id.to_string(),
                event_id: (event.and_then(|e| e.event_id.clone())).map(Into::into),
            },
            resources: vec![id.to_string()],
            expected_secs: BOOT_SECS,
            timeout_secs: 20 * 60,
        }]
    }
}

/// `--suspend-processes`: the groups of the instances keep them (no Standby) with the processes that
/// would replace them suspended for the run, resumed at its end (and by a rollback).
fn suspend_around(inv: &Inventory, ids: &[String], steps: &mut Vec<Step>, notes: &mut Vec<String>) {
    let mut names: Vec<String> = ids
        .iter()
        .filter_map(|id| inv.group_of_instance(id))
        .map(|g| g.name.to_string())
        .collect();
    names.sort();
    names.dedup();
    let processes: Vec<String> = groups::SUSPENDED_FOR_MAINTENANCE
        .iter()
        .map(|p| p.to_string())
        .collect();
    for (k, name) in names.iter().enumerate() {
        notes.push(format!(
            "{name}: {} suspended for the run (the group will not replace any member meanwhile), \
             resumed at its end",
            processes.join(", ")
        ));
        steps.insert(
            k,
            Step {
                title: format!("suspend {} on {name}", processes.join(", ")),
                action: Action::SuspendProcesses {
                    group: name.clone(),
                    processes: processes.clone(),
                },
                resources: vec![name.clone()],
                expected_secs: 5,
                timeout_secs: 5 * 60,
            },
        );
        steps.push(Step {
            title: format!("resume {} on {name}", processes.join(", ")),
            action: Action::ResumeProcesses {
                group: name.clone(),
                processes: processes.clone(),
            },
            resources: vec![name.clone()],
            expected_secs: 5,
            timeout_secs: 5 * 60,
        });
    }
}

/// Deregistration delays and health checks of the groups the instances serve, read on demand (the
/// inventory's list calls do not return them). A group that cannot be read keeps the defaults.
pub async fn group_details(
    read: &dyn CloudRead,
    inv: &Inventory,
    region: &str,
    args: &RollingArgs,
) -> GroupDetails {
    let mut details = GroupDetails::new();
    let Ok(ids) = select(inv, region, args) else {
        return details;
    };
    for id in ids {
        for r in inv.registrations_of_instance(&id) {
            if details.contains_key(r.target_group_arn.as_str()) {
                continue;
            }
            match read.target_group_details(&r.target_group_arn).await {
                Ok(tg) => {
                    details.insert(r.target_group_arn.to_string(), tg);
                }
                Err(e) => {
                    tracing::warn!(arn = %r.target_group_arn, error = %e, "no target group details; assuming defaults")
                }
            }
        }
    }
    details
}

/// Rescheduling follows AWS's rules: only events with a deadline, to a time no later than it and
/// at least an hour ahead.
fn reschedule_plan(
    inv: &Inventory,
    region: &str,
    args: &RollingArgs,
    ids: &[String],
    to: Timestamp,
    now: Timestamp,
) -> Result<Plan, String> {
    if to < now + chrono::Duration::minutes(60) {
        return Err("a new start time must be at least 60 minutes from now".into());
    }
    let mut steps = Vec::new();
    for id in ids {
        let Some(i) = inv.instance(id) else {
            return Err(format!("unknown instance {id}"));
        };
        for e in i.upcoming_events() {
            let (Some(ev_id), Some(deadline)) = (e.event_id.clone(), e.not_before_deadline) else {
                return Err(format!(
                    "the {} event on {id} has no deadline: AWS does not allow rescheduling it",
                    e.raw_code
                ));
            };
            if to > deadline {
                return Err(format!(
                    "{} is after the {} event's deadline ({}) on {id}",
                    to.format("%Y-%m-%d %H:%M"),
                    e.raw_code,
                    deadline.format("%Y-%m-%d %H:%M")
                ));
            }
            steps.push(Step {
                title: format!(
                    "move {} on {id} to {}",
                    e.raw_code,
                    to.format("%Y-%m-%d %H:%M UTC")
                ),
                action: Action::RescheduleEvent {
                    instance: id.clone(),
                    event_id: ev_id.to_string(),
                    not_before: to,
                },
                resources: vec![id.clone()],
                expected_secs: 5,
                timeout_secs: 5 * 60,
            });
        }
    }
    if steps.is_empty() {
        return Err("no upcoming event to reschedule".into());
    }
    Ok(Plan {
        runbook: "rolling-maintenance".into(),
        region: region.into(),
        args: serde_json::to_value(args).unwrap_or_default(),
        steps,
        notes: vec!["reschedules the events instead of maintaining now".into()],
    })
}

#[cfg(test)]
#[path = "rolling_tests.rs"]
mod tests;
