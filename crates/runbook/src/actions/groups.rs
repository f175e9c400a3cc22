//! Auto Scaling group steps: observe from what the group and its target groups say now, act with
//! one write call. A member is taken out through Standby (the group does not replace it there) and
//! brought back with ExitStandby; a group is reshaped with one UpdateAutoScalingGroup.

use super::shared::{Act, Acted, Called, Ctx, Seen};
use crate::journal::Outputs;
use crate::plan::{Action, GroupShape};
use opsdeck_core::cloud::{CloudError, CloudRead, CloudResult, WriteCall};
use opsdeck_core::domain::*;

async fn must_group(read: &dyn CloudRead, name: &str) -> CloudResult<AutoScalingGroup> {
    read.auto_scaling_group(name).await?.ok_or_else(|| {
        CloudError::not_found(
            "ValidationError",
            format!("Auto Scaling group {name} not found"),
        )
    })
}

/// Where `instance` stands in each of the group's target groups: (registered, healthy) counts.
async fn registrations(
    read: &dyn CloudRead,
    g: &AutoScalingGroup,
    instance: &str,
) -> CloudResult<Vec<(String, Option<TargetHealth>)>> {
    let mut out = Vec::new();
    for arn in &g.target_group_arns {
        let th = read.target_health(arn).await?;
        let mine = th.into_iter().find(|t| t.target_id == instance);
        out.push((arn.to_string(), mine));
    }
    Ok(out)
}

/// Members InService and healthy in the group and in every target group of the group.
async fn serving_members(
    read: &dyn CloudRead,
    g: &AutoScalingGroup,
) -> CloudResult<Vec<AsgMember>> {
    let mut healthy_everywhere: Option<Vec<String>> = None;
    for arn in &g.target_group_arns {
        let ids: Vec<String> = read
            .target_health(arn)
            .await?
            .into_iter()
            .filter(|t| t.state == TargetState::Healthy)
            .map(|t| t.target_id.to_string())
            .collect();
        healthy_everywhere = Some(match healthy_everywhere {
            None => ids,
            Some(prev) => prev.into_iter().filter(|i| ids.contains(i)).collect(),
        });
    }
    Ok(g.in_service()
        .filter(|m| m.healthy)
        .filter(|m| {
            healthy_everywhere
                .as_ref()
                .is_none_or(|ids| ids.iter().any(|i| i == m.instance_id.as_str()))
        })
        .cloned()
        .collect())
}

pub(super) async fn observe(ctx: &Ctx<'_>, action: &Action, called: Called) -> CloudResult<Seen> {
    let read = ctx.read;
    let acted = called == Called::Yes;
    Ok(match action {
        Action::GroupGuard { group } => {
            let g = must_group(read, group).await?;
            if let Some(why) = g.busy() {
                return Ok(Seen::Pending(why));
            }
            let serving = serving_members(read, &g).await?.len();
            let desired = g.desired_capacity.max(0) as usize;
            if serving >= desired {
                Seen::Done(Outputs::new())
            } else {
                Seen::Pending(format!(
                    "{group} has {serving} of {desired} members in service and healthy: waiting \
                     for the group to be whole first"
                ))
            }
        }
        Action::EnterStandby {
            group, instance, ..
        } => {
            let g = must_group(read, group).await?;
            let Some(m) = g.member(instance) else {
                return Err(CloudError::not_found(
                    "ValidationError",
                    format!("{instance} is no longer a member of {group}"),
                ));
            };
            match m.lifecycle_state {
                LifecycleState::Standby => {
                    // Standby deregisters it: done once no target group still drains it.
                    let draining: Vec<String> = registrations(read, &g, instance)
                        .await?
                        .into_iter()
                        .filter_map(|(arn, t)| {
                            t.filter(|t| t.state != TargetState::Unused)
                                .map(|t| format!("{} in {}", t.state.as_str(), name_of_tg(&arn)))
                        })
                        .collect();
                    if draining.is_empty() {
                        Seen::Done(Outputs::new())
                    } else {
                        Seen::Pending(format!("in Standby, {}", draining.join(", ")))
                    }
                }
                LifecycleState::EnteringStandby => Seen::Pending("entering Standby".into()),
                LifecycleState::InService if !acted => Seen::Act,
                other => Seen::Pending(format!("lifecycle state {}", other.as_str())),
            }
        }
        Action::ExitStandby { group, instance } => {
            let g = must_group(read, group).await?;
            let Some(m) = g.member(instance) else {
                return Err(CloudError::not_found(
                    "ValidationError",
                    format!("{instance} is no longer a member of {group}"),
                ));
            };
            match m.lifecycle_state {
                LifecycleState::Standby if !acted => Seen::Act,
                LifecycleState::InService => {
                    let not_yet: Vec<String> = registrations(read, &g, instance)
                        .await?
                        .into_iter()
                        .filter_map(|(arn, t)| match t {
                            Some(t) if t.state == TargetState::Healthy => None,
                            Some(t) => {
                                Some(format!("{} in {}", t.state.as_str(), name_of_tg(&arn)))
                            }
                            None => Some(format!("not yet registered in {}", name_of_tg(&arn))),
                        })
                        .collect();
                    if not_yet.is_empty() {
                        Seen::Done(Outputs::new())
                    } else {
                        Seen::Pending(format!("InService, {}", not_yet.join(", ")))
                    }
                }
                other => Seen::Pending(format!("lifecycle state {}", other.as_str())),
            }
        }
        Action::ShapeGroup { group, to, .. } => {
            let g = must_group(read, group).await?;
            if GroupShape::of(&g).same_as(to) {
                Seen::Done(Outputs::new())
            } else if acted {
                Seen::Pending(format!("{group} reads {}", GroupShape::of(&g).describe()))
            } else {
                Seen::Act
            }
        }
        Action::WaitGroupInAz { group, az, count } => {
            let g = must_group(read, group).await?;
            let serving = serving_members(read, &g).await?;
            let here = serving.iter().filter(|m| m.az == az.as_str()).count();
            let desired = g.desired_capacity.max(0) as usize;
            if here >= *count && serving.len() >= desired {
                let mut out = Outputs::new();
                out.insert(
                    format!("members_in_{az}"),
                    serving
                        .iter()
                        .filter(|m| m.az == az.as_str())
                        .map(|m| m.instance_id.to_string())
                        .collect::<Vec<_>>()
                        .join(","),
                );
                Seen::Done(out)
            } else {
                Seen::Pending(format!(
                    "{here} of {count} in service and healthy in {az}; {} of {desired} overall",
                    serving.len()
                ))
            }
        }
        Action::ReplaceMember {
            group,
            instance,
            output,
        } => {
            let g = must_group(read, group).await?;
            match g.member(instance) {
                Some(m) if m.lifecycle_state == LifecycleState::InService && !acted => Seen::Act,
                Some(m) => Seen::Pending(format!(
                    "{instance} is {}; the group replaces it",
                    m.lifecycle_state.as_str()
                )),
                None => {
                    let serving = serving_members(read, &g).await?;
                    let desired = g.desired_capacity.max(0) as usize;
                    if serving.len() >= desired {
                        let mut out = Outputs::new();
                        let known: Vec<&str> =
                            ctx.outputs.values().flat_map(|v| v.split(',')).collect();
                        let new: Vec<String> = serving
                            .iter()
                            .map(|m| m.instance_id.to_string())
                            .filter(|id| !known.contains(&id.as_str()))
                            .collect();
                        out.insert(output.clone(), new.join(","));
                        Seen::Done(out)
                    } else {
                        Seen::Pending(format!(
                            "{} of {desired} members in service and healthy: waiting for the \
                             replacement",
                            serving.len()
                        ))
                    }
                }
            }
        }
        Action::RestoreDesired { group, desired } => {
            let g = must_group(read, group).await?;
            let serving = g.in_service().count();
            if g.desired_capacity == *desired && serving == (*desired).max(0) as usize {
                Seen::Done(Outputs::new())
            } else if g.desired_capacity != *desired && !acted {
                Seen::Act
            } else {
                Seen::Pending(format!(
                    "desired {}, {serving} in service: waiting for {desired}",
                    g.desired_capacity
                ))
            }
        }
        Action::SuspendProcesses { group, processes } => {
            let g = must_group(read, group).await?;
            if processes
                .iter()
                .all(|p| g.suspended_processes.iter().any(|s| s == p))
            {
                Seen::Done(Outputs::new())
            } else if acted {
                Seen::Pending("waiting for the suspension to show".into())
            } else {
                Seen::Act
            }
        }
        Action::ResumeProcesses { group, processes } => {
            let g = must_group(read, group).await?;
            if processes
                .iter()
                .all(|p| !g.suspended_processes.iter().any(|s| s == p))
            {
                Seen::Done(Outputs::new())
            } else if acted {
                Seen::Pending("waiting for the processes to resume".into())
            } else {
                Seen::Act
            }
        }
        other => {
            return Err(CloudError::invalid_request(
                "NotAGroupStep",
                format!("{} is not a group step", other.calls()),
            ));
        }
    })
}

/// A target group's name out of its ARN, for progress lines.
fn name_of_tg(arn: &str) -> &str {
    arn.rsplit('/').nth(1).unwrap_or(arn)
}

/// The write call a group step makes.
fn call_of(action: &Action) -> Option<WriteCall> {
    Some(match action {
        Action::EnterStandby {
            group,
            instance,
            decrement,
        } => WriteCall::EnterStandby {
            group: group.clone(),
            instance_ids: vec![instance.clone()],
            decrement_desired: *decrement,
        },
        Action::ExitStandby { group, instance } => WriteCall::ExitStandby {
            group: group.clone(),
            instance_ids: vec![instance.clone()],
        },
        Action::ShapeGroup { group, to, .. } => WriteCall::UpdateAutoScalingGroup {
            group: group.clone(),
            min_size: Some(to.min),
            max_size: Some(to.max),
            desired_capacity: Some(to.desired),
            subnet_ids: Some(to.subnet_ids.clone()),
        },
        Action::ReplaceMember { instance, .. } => WriteCall::TerminateInstanceInAutoScalingGroup {
            instance_id: instance.clone(),
            decrement_desired: false,
        },
        Action::RestoreDesired { group, desired } => WriteCall::UpdateAutoScalingGroup {
            group: group.clone(),
            min_size: None,
            max_size: None,
            desired_capacity: Some(*desired),
            subnet_ids: None,
        },
        Action::SuspendProcesses { group, processes } => WriteCall::SuspendProcesses {
            group: group.clone(),
            processes: processes.clone(),
        },
        Action::ResumeProcesses { group, processes } => WriteCall::ResumeProcesses {
            group: group.clone(),
            processes: processes.clone(),
        },
        _ => return None,
    })
}

pub(super) async fn act(act: Act<'_>, action: &Action) -> CloudResult<Acted> {
    match call_of(action) {
        Some(call) => {
            let w = act.write.call(&call, act.dry_run).await?;
            Ok((w.request_id, Outputs::new()))
        }
        // Guards and waits call nothing.
        None => Ok((None, Outputs::new())),
    }
}
