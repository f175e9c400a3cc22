//! Instances: reboot, stop, start, and moving a scheduled event's start time.

use super::shared::{Act, Acted, Called, Ctx, Seen, must_instance, no_outputs, pending_or_act};
use crate::journal::Outputs;
use opsdeck_core::cloud::{CloudError, CloudResult};
use opsdeck_core::domain::*;

pub(super) async fn observe_reboot(
    ctx: &Ctx<'_>,
    called: Called,
    instance: &str,
    event_id: Option<&str>,
) -> CloudResult<Seen> {
    let i = must_instance(ctx.read, instance).await?;
    let event_open = event_id.is_some_and(|e| {
        i.events
            .iter()
            .any(|x| x.event_id.as_deref() == Some(e) && !x.is_done())
    });
    let healthy = i.state == InstanceState::Running && i.status_checks.all_ok();
    let waiting = || {
        if healthy && !event_open {
            Seen::Done(Outputs::new())
        } else {
            Seen::Pending(format!(
                "{} checks {}",
                i.state.as_str(),
                i.status_checks.summary()
            ))
        }
    };
    Ok(match called {
        Called::Yes => waiting(),
        // The event it was for is over: nothing left to reboot for.
        _ if event_id.is_some() && !event_open => waiting(),
        Called::No => Seen::Act,
        // A reboot leaves no lasting trace: once the instance is back, "rebooted" and "never
        // rebooted" read the same. Only a reboot still under way is evidence; without it,
        // rebooting again could cost a second outage, so the operator decides.
        Called::InDoubt => {
            // `initializing` is what a reboot shows; `not-applicable` or
            // `insufficient-data` (no status read back) prove nothing.
            let booting = i.state == InstanceState::Running
                && (i.status_checks.system == CheckStatus::Initializing
                    || i.status_checks.instance == CheckStatus::Initializing)
                && !i.status_checks.impaired();
            if booting {
                Seen::Happened(format!(
                    "{instance} shows the reboot under way (status checks {})",
                    i.status_checks.summary()
                ))
            } else {
                return Err(CloudError::invalid_state(
                    "RebootInDoubt",
                    format!(
                        "opsdeck stopped while calling RebootInstances for {instance} and \
                         cannot tell whether it rebooted ({} with status checks {} now); it \
                         will not reboot it blindly a second time. Check the instance's \
                         uptime (e.g. `uptime` on it, or its system log), then run \
                         `opsdeck runbook resume {} --in-doubt done` if it rebooted, or \
                         `--in-doubt redo` to reboot it",
                        i.state.as_str(),
                        i.status_checks.summary(),
                        ctx.run_id
                    ),
                ));
            }
        }
    })
}

pub(super) async fn reboot(act: Act<'_>, instance: &String) -> CloudResult<Acted> {
    Ok(no_outputs(
        act.write
            .reboot_instances(std::slice::from_ref(instance), act.dry_run)
            .await?,
    ))
}

pub(super) async fn observe_stop(
    ctx: &Ctx<'_>,
    called: Called,
    instance: &str,
) -> CloudResult<Seen> {
    let i = must_instance(ctx.read, instance).await?;
    Ok(match i.state {
        InstanceState::Stopped => Seen::Done(Outputs::new()),
        InstanceState::Stopping => Seen::Pending("stopping".into()),
        InstanceState::Terminated | InstanceState::ShuttingDown => {
            return Err(CloudError::invalid_state(
                "IncorrectInstanceState",
                format!("{instance} is terminated"),
            ));
        }
        _ => pending_or_act(called, "waiting for stopping to show"),
    })
}

pub(super) async fn stop(act: Act<'_>, instance: &String) -> CloudResult<Acted> {
    Ok(no_outputs(
        act.write
            .stop_instances(std::slice::from_ref(instance), false, act.dry_run)
            .await?,
    ))
}

pub(super) async fn observe_start(
    ctx: &Ctx<'_>,
    called: Called,
    instance: &str,
) -> CloudResult<Seen> {
    let i = must_instance(ctx.read, instance).await?;
    Ok(match i.state {
        InstanceState::Running if i.status_checks.all_ok() => Seen::Done(Outputs::new()),
        InstanceState::Running | InstanceState::Pending => {
            Seen::Pending(format!("status checks {}", i.status_checks.summary()))
        }
        InstanceState::Stopping => Seen::Pending("still stopping".into()),
        InstanceState::Stopped => pending_or_act(called, "waiting for pending to show"),
        _ => {
            return Err(CloudError::invalid_state(
                "IncorrectInstanceState",
                format!("{instance} is terminated"),
            ));
        }
    })
}

pub(super) async fn start(act: Act<'_>, instance: &String) -> CloudResult<Acted> {
    Ok(no_outputs(
        act.write
            .start_instances(std::slice::from_ref(instance), act.dry_run)
            .await?,
    ))
}

pub(super) async fn observe_reschedule(
    ctx: &Ctx<'_>,
    called: Called,
    instance: &str,
    event_id: &str,
    not_before: Timestamp,
) -> CloudResult<Seen> {
    let i = must_instance(ctx.read, instance).await?;
    Ok(
        match i
            .events
            .iter()
            .find(|e| e.event_id.as_deref() == Some(event_id))
        {
            Some(e)
                if e.not_before
                    .map(|t| (t - not_before).num_seconds().abs() < 60)
                    == Some(true) =>
            {
                Seen::Done(Outputs::new())
            }
            Some(_) => pending_or_act(called, "waiting for the new start time to show"),
            None => {
                return Err(CloudError::not_found(
                    "InvalidInstanceEventID.NotFound",
                    event_id,
                ));
            }
        },
    )
}

pub(super) async fn reschedule(
    act: Act<'_>,
    instance: &str,
    event_id: &str,
    not_before: Timestamp,
) -> CloudResult<Acted> {
    Ok(no_outputs(
        act.write
            .reschedule_instance_event(instance, event_id, not_before, act.dry_run)
            .await?,
    ))
}
