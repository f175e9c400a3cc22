//! Rollback planning: the inverse of each step a run touched, from its journaled state.

use crate::actions;
use crate::journal::RunState;
use crate::plan::{Action, AddressMove, AddressWas, Plan, Step, Val};
use opsdeck_core::cloud::TargetRef;

/// The plan that undoes what a run did, newest first (re-register what was deregistered, start what
/// was stopped...). Steps with no safe inverse are listed in the notes instead.
pub fn rollback_plan(state: &RunState) -> Plan {
    let mut steps = Vec::new();
    let mut notes = vec![format!("rolls back run {}", state.run_id)];
    let touched = |j: usize| state.finished[j] || state.acted[j] || state.in_doubt[j];
    // Clones launched from an image keep needing it (to launch more, to rebuild one).
    let clones_launched = (0..state.plan.steps.len())
        .any(|j| matches!(state.plan.steps[j].action, Action::LaunchClone { .. }) && touched(j));
    // A volume detached for a failover goes back at the device the plan used for it.
    let attach_device = state.plan.steps.iter().find_map(|st| match &st.action {
        Action::AttachVolume { device, .. } => Some(device.clone()),
        _ => None,
    });
    for i in (0..state.plan.steps.len()).rev() {
        if !touched(i) || !state.plan.steps[i].action.is_mutating() {
            continue;
        }
        let s = &state.plan.steps[i];
        let resolve = |v: &Val| actions::resolve(v, &state.outputs).ok();
        let inverse = match &s.action {
            Action::DeregisterTarget {
                target_group_arn,
                target,
            } => Some(Action::RegisterTarget {
                target_group_arn: target_group_arn.clone(),
                target: Val::Lit(target.id.clone()),
                port: target.port,
            }),
            Action::RegisterTarget {
                target_group_arn,
                target,
                port,
            } => resolve(target).map(|id| Action::DeregisterTarget {
                target_group_arn: target_group_arn.clone(),
                target: TargetRef { id, port: *port },
            }),
            // An image made for clones nobody launched is only clutter (and snapshot cost).
            Action::CreateImage { output, .. } if !clones_launched => {
                resolve(&Val::Output(output.clone())).map(|id| Action::DeregisterImage {
                    image: Val::Lit(id),
                })
            }
            Action::DetachVolume {
                volume, instance, ..
            } => attach_device.clone().map(|device| Action::AttachVolume {
                volume: Val::Lit(volume.clone()),
                instance: Val::Lit(instance.clone()),
                device,
            }),
            Action::StopInstance { instance } => Some(Action::StartInstance {
                instance: instance.clone(),
            }),
            Action::AttachVolume {
                volume, instance, ..
            } => match (resolve(volume), resolve(instance)) {
                (Some(v), Some(i)) => Some(Action::DetachVolume {
                    volume: v,
                    instance: i,
                    force: false,
                }),
                _ => None,
            },
            // The Elastic IP goes back where the plan found it (or is let go if it pointed nowhere),
            // taken only from where this run put it.
            Action::AssociateAddress {
                allocation_id,
                target,
                output,
                was: Some(was),
                ..
            } => {
                let now = match target {
                    AddressMove::Instance(v) => {
                        resolve(v).map(|i| AddressMove::Instance(Val::Lit(i)))
                    }
                    other => Some(other.clone()),
                };
                match (was, now) {
                    (AddressWas::At(before), Some(now)) => Some(Action::AssociateAddress {
                        allocation_id: allocation_id.clone(),
                        target: before.clone(),
                        output: output.clone(),
                        was: Some(AddressWas::At(now.clone())),
                        only_from: Some(now),
                    }),
                    (AddressWas::Unassociated, Some(now)) => Some(Action::DisassociateAddress {
                        allocation_id: allocation_id.clone(),
                        from: now,
                    }),
                    (_, None) => None,
                }
            }
            // The client-facing address goes back where it was.
            Action::AttachNetworkInterface {
                eni_id,
                instance,
                device_index,
            } => resolve(instance).map(|i| Action::DetachNetworkInterface {
                eni_id: eni_id.clone(),
                instance: i,
                device_index: *device_index,
            }),
            Action::DetachNetworkInterface {
                eni_id,
                instance,
                device_index,
            } => Some(Action::AttachNetworkInterface {
                eni_id: eni_id.clone(),
                instance: Val::Lit(instance.clone()),
                device_index: *device_index,
            }),
            Action::MovePrivateIp { ip, from, to } => {
                resolve(to).map(|now| Action::MovePrivateIp {
                    ip: ip.clone(),
                    from: now,
                    to: Val::Lit(from.clone()),
                })
            }
            _ => None,
        };
        match inverse {
            Some(action) => steps.push(Step {
                title: format!("undo: {}", s.title),
                resources: s.resources.clone(),
                expected_secs: s.expected_secs,
                timeout_secs: s.timeout_secs,
                action,
            }),
            None if matches!(
                s.action,
                Action::RebootInstance { .. } | Action::RescheduleEvent { .. }
            ) => {}
            None => notes.push(format!("not undone automatically: {}", s.title)),
        }
    }
    Plan {
        runbook: format!("rollback-of-{}", state.plan.runbook),
        region: state.plan.region.clone(),
        args: serde_json::json!({ "run": state.run_id }),
        steps,
        notes,
    }
}
