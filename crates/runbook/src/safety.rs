//! Safe places to stop a run. A step that takes something out of service (deregisters a target,
//! moves a member to Standby, stops an instance, detaches a volume or an interface, suspends a
//! group's processes, raises desired for a stand-in) is *open* until the later step of the same plan
//! that puts it back has finished. A run asked to stop safely (the first SIGTERM or SIGINT, the
//! console's cancel) goes on until nothing is open; only a second request stops it with something
//! open, and then the journal names what.

use crate::journal::RunState;
use crate::plan::{Action, Val};

/// What a step takes out of service, as a key its restoring step shares.
fn opens(a: &Action) -> Option<String> {
    Some(match a {
        Action::DeregisterTarget {
            target_group_arn,
            target,
        } => format!("target {target_group_arn} {}", target.id),
        Action::EnterStandby { instance, .. } => format!("standby {instance}"),
        Action::StopInstance { instance } => format!("stopped {instance}"),
        Action::DetachVolume { volume, .. } => format!("volume {volume}"),
        Action::DetachNetworkInterface { eni_id, .. } => format!("eni {eni_id}"),
        Action::SuspendProcesses { group, .. } => format!("suspended {group}"),
        Action::ShapeGroup { group, to, was } if to.desired > was.desired => {
            format!("desired {group}")
        }
        _ => return None,
    })
}

/// What a step puts back (the key of the step that took it out).
fn closes(a: &Action) -> Option<String> {
    let lit = |v: &Val| match v {
        Val::Lit(s) => Some(s.clone()),
        Val::Output(_) => None,
    };
    Some(match a {
        Action::RegisterTarget {
            target_group_arn,
            target,
            ..
        } => format!("target {target_group_arn} {}", lit(target)?),
        Action::ExitStandby { instance, .. } => format!("standby {instance}"),
        Action::StartInstance { instance } => format!("stopped {instance}"),
        Action::AttachVolume { volume, .. } => format!("volume {}", lit(volume)?),
        Action::AttachNetworkInterface { eni_id, .. } => format!("eni {eni_id}"),
        Action::ResumeProcesses { group, .. } => format!("suspended {group}"),
        Action::RestoreDesired { group, .. } => format!("desired {group}"),
        _ => return None,
    })
}

/// The steps whose effect is out of service now and put back by a later step not yet finished,
/// by their titles, in plan order. Empty: stopping here leaves nothing half done.
pub fn open_steps(state: &RunState) -> Vec<String> {
    let steps = &state.plan.steps;
    let touched = |j: usize| state.finished[j] || state.acted[j] || state.in_doubt[j];
    steps
        .iter()
        .enumerate()
        .filter(|(j, st)| {
            touched(*j)
                && opens(&st.action).is_some_and(|key| {
                    steps.iter().enumerate().skip(j + 1).any(|(k, later)| {
                        !state.finished[k] && closes(&later.action).as_deref() == Some(&key)
                    })
                })
        })
        .map(|(_, st)| st.title.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::Outputs;
    use crate::plan::{Plan, Step};
    use opsdeck_core::cloud::TargetRef;

    fn step(title: &str, action: Action) -> Step {
        Step {
            title: title.into(),
            action,
            resources: vec![],
            expected_secs: 1,
            timeout_secs: 10,
        }
    }

    fn state(steps: Vec<Step>) -> RunState {
        let n = steps.len();
        RunState {
            run_id: "r".into(),
            profile: None,
            started_at: chrono::Utc::now(),
            plan: Plan {
                runbook: "t".into(),
                region: "us-east-1".into(),
                args: serde_json::json!({}),
                steps,
                notes: vec![],
            },
            finished: vec![false; n],
            acted: vec![false; n],
            in_doubt: vec![false; n],
            outputs: Outputs::new(),
            status: crate::journal::RunStatus::Unfinished,
            last_error: None,
            resources_gone: false,
        }
    }

    fn drain_reboot_rejoin() -> RunState {
        let tg = "arn:tg/web".to_string();
        state(vec![
            step(
                "deregister web-1",
                Action::DeregisterTarget {
                    target_group_arn: tg.clone(),
                    target: TargetRef {
                        id: "i-1".into(),
                        port: None,
                    },
                },
            ),
            step(
                "reboot web-1",
                Action::RebootInstance {
                    instance: "i-1".into(),
                    event_id: None,
                },
            ),
            step(
                "register web-1",
                Action::RegisterTarget {
                    target_group_arn: tg,
                    target: Val::Lit("i-1".into()),
                    port: None,
                },
            ),
        ])
    }

    #[test]
    fn a_deregistered_target_is_open_until_it_is_registered_again() {
        let mut s = drain_reboot_rejoin();
        assert!(open_steps(&s).is_empty(), "nothing touched yet");
        s.acted[0] = true;
        assert_eq!(open_steps(&s), vec!["deregister web-1".to_string()]);
        s.finished[0] = true;
        s.finished[1] = true;
        s.acted[2] = true;
        assert_eq!(open_steps(&s).len(), 1, "registered but not healthy yet");
        s.finished[2] = true;
        assert!(open_steps(&s).is_empty());
    }

    #[test]
    fn a_call_in_doubt_counts_as_open() {
        let mut s = drain_reboot_rejoin();
        s.in_doubt[0] = true;
        assert_eq!(open_steps(&s).len(), 1);
    }

    #[test]
    fn a_removal_nothing_in_the_plan_puts_back_is_not_held_open() {
        // A failover stops the primary for good: there is no later start to wait for.
        let mut s = state(vec![step(
            "stop db-1",
            Action::StopInstance {
                instance: "i-db".into(),
            },
        )]);
        s.finished[0] = true;
        assert!(open_steps(&s).is_empty());
    }

    #[test]
    fn standby_and_suspended_processes_are_open_until_put_back() {
        let g = || "app".to_string();
        let mut s = state(vec![
            step(
                "suspend AZRebalance",
                Action::SuspendProcesses {
                    group: g(),
                    processes: vec!["AZRebalance".into()],
                },
            ),
            step(
                "i-1 to Standby",
                Action::EnterStandby {
                    group: g(),
                    instance: "i-1".into(),
                    decrement: true,
                },
            ),
            step(
                "i-1 back",
                Action::ExitStandby {
                    group: g(),
                    instance: "i-1".into(),
                },
            ),
            step(
                "resume AZRebalance",
                Action::ResumeProcesses {
                    group: g(),
                    processes: vec!["AZRebalance".into()],
                },
            ),
        ]);
        s.finished[0] = true;
        s.finished[1] = true;
        assert_eq!(open_steps(&s).len(), 2);
        s.finished[2] = true;
        assert_eq!(open_steps(&s), vec!["suspend AZRebalance".to_string()]);
        s.finished[3] = true;
        assert!(open_steps(&s).is_empty());
    }
}
