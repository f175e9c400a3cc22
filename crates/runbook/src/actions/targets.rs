//! Load balancer targets: the capacity guard, deregistering and registering a target.

use super::shared::{Act, Acted, Called, Ctx, Seen, no_outputs, pending_or_act, resolve};
use crate::journal::Outputs;
use crate::plan::Val;
use opsdeck_core::analysis::check_removal;
use opsdeck_core::cloud::{CloudRead, CloudResult, TargetRef};
use opsdeck_core::domain::*;

/// The registrations that matter for the capacity guard: every group the instance serves, with AZs.
async fn guard_inventory(read: &dyn CloudRead, instance: &str) -> CloudResult<Inventory> {
    let mut inv = Inventory {
        target_groups: read.target_groups().await?,
        ..Inventory::default()
    };
    let mut mine = Vec::new();
    for tg in &inv.target_groups {
        let th = read.target_health(&tg.arn).await?;
        if th.iter().any(|t| t.target_id == instance) {
            mine.extend(th);
        }
    }
    inv.target_health = mine;
    inv.instances = read.instances().await?;
    inv.fill_derived();
    Ok(inv)
}

pub(super) async fn observe_capacity_guard(ctx: &Ctx<'_>, instance: &str) -> CloudResult<Seen> {
    let inv = guard_inventory(ctx.read, instance).await?;
    // Only a healthy target is taken out (it is waited back to healthy): one whose health dropped
    // since the plan waits here, still in service, until it is healthy again (or the step times
    // out). A group it is already draining from is the run's own doing.
    if let Some(t) = inv.registrations_of_instance(instance).find(|t| {
        !matches!(
            t.state,
            TargetState::Healthy
                | TargetState::Unused
                | TargetState::Draining
                | TargetState::UnhealthyDraining
        )
    }) {
        let group = inv
            .target_group(&t.target_group_arn)
            .map_or(t.target_group_arn.as_str(), |g| g.name.as_str());
        return Ok(Seen::Pending(format!(
            "{instance} is {} in {group}: waiting until it is healthy before taking it out",
            t.state.as_str()
        )));
    }
    Ok(match check_removal(&inv, &[instance], ctx.floor) {
        Ok(()) => Seen::Done(Outputs::new()),
        Err(v) => Seen::Pending(
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        ),
    })
}

pub(super) async fn observe_deregister(
    ctx: &Ctx<'_>,
    called: Called,
    target_group_arn: &str,
    target: &TargetRef,
) -> CloudResult<Seen> {
    let th = ctx.read.target_health(target_group_arn).await?;
    Ok(
        match th
            .iter()
            .find(|t| t.target_id == target.id && (target.port.is_none() || t.port == target.port))
        {
            None => Seen::Done(Outputs::new()),
            Some(t) if t.state == TargetState::Unused => Seen::Done(Outputs::new()),
            Some(t)
                if matches!(
                    t.state,
                    TargetState::Draining | TargetState::UnhealthyDraining
                ) =>
            {
                Seen::Pending("draining connections".into())
            }
            Some(_) => pending_or_act(called, "waiting for the deregistration to show"),
        },
    )
}

pub(super) async fn deregister(
    act: Act<'_>,
    target_group_arn: &str,
    target: &TargetRef,
) -> CloudResult<Acted> {
    Ok(no_outputs(
        act.write
            .deregister_targets(target_group_arn, std::slice::from_ref(target), act.dry_run)
            .await?,
    ))
}

pub(super) async fn observe_register(
    ctx: &Ctx<'_>,
    called: Called,
    target_group_arn: &str,
    target: &Val,
    port: Option<i32>,
) -> CloudResult<Seen> {
    let acted = called == Called::Yes;
    let id = resolve(target, ctx.outputs)?;
    let th = ctx.read.target_health(target_group_arn).await?;
    Ok(
        match th
            .iter()
            .find(|t| t.target_id == id && (port.is_none() || t.port == port))
        {
            Some(t) if t.state == TargetState::Healthy => Seen::Done(Outputs::new()),
            // A group no load balancer uses never reports healthy: `unused` is its steady state.
            Some(t)
                if t.state == TargetState::Unused
                    && t.reason.as_deref() == Some("Target.NotInUse") =>
            {
                Seen::Done(Outputs::new())
            }
            Some(t) if matches!(t.state, TargetState::Draining | TargetState::Unused) && !acted => {
                Seen::Act
            }
            Some(t) => Seen::Pending(format!(
                "target {}{}",
                t.state.as_str(),
                t.reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            )),
            None => pending_or_act(called, "waiting for the registration to show"),
        },
    )
}

pub(super) async fn register(
    act: Act<'_>,
    target_group_arn: &str,
    target: &Val,
    port: Option<i32>,
) -> CloudResult<Acted> {
    let Act {
        ctx,
        write,
        dry_run,
    } = act;
    let t = TargetRef {
        id: resolve(target, ctx.outputs)?,
        port,
    };
    Ok(no_outputs(
        write
            .register_targets(target_group_arn, &[t], dry_run)
            .await?,
    ))
}
