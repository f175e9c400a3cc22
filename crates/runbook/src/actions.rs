//! Observe → act → observe again, per action. `observe` answers from what the cloud says now, so a
//! resumed step whose call may or may not have happened is re-observed, never blindly repeated.

use super::journal::Outputs;
use super::plan::{Action, AddressMove, SnapshotOf, Val};
use opsdeck_core::analysis::{Floor, check_removal};
use opsdeck_core::cloud::{CloudError, CloudRead, CloudResult, CloudWrite, LaunchSpec, VolumeSpec};
use opsdeck_core::domain::*;

/// Tag keys that let a step find what it created, whoever crashed in between.
pub const TAG_RUN: &str = "opsdeck:run";
pub const TAG_OUTPUT: &str = "opsdeck:output";
pub const TAG_TOKEN: &str = "opsdeck:client-token";

pub struct Ctx<'a> {
    pub read: &'a dyn CloudRead,
    pub run_id: &'a str,
    pub floor: Floor,
    pub outputs: &'a Outputs,
}

/// Whether a step's mutating call was made, as the journal tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Called {
    No,
    /// The call started and its answer was never journaled (a crash, a kill): it may have happened.
    InDoubt,
    Yes,
}

/// What the cloud says about a step.
#[derive(Debug, Clone, PartialEq)]
pub enum Seen {
    /// A call in doubt shows to have been made (this is the evidence): count it as made, and wait.
    Happened(String),
    /// Its effect holds; these are its outputs.
    Done(Outputs),
    /// On its way (draining, pending, initializing...): wait.
    Pending(String),
    /// Not done and nothing under way: the call must be made.
    Act,
}

fn one(k: &str, v: impl Into<String>) -> Outputs {
    let mut o = Outputs::new();
    o.insert(k.to_string(), v.into());
    o
}

pub fn resolve(v: &Val, outputs: &Outputs) -> CloudResult<String> {
    match v {
        Val::Lit(s) => Ok(s.clone()),
        Val::Output(k) => outputs.get(k).cloned().ok_or_else(|| {
            CloudError::invalid_request(
                "MissingStepOutput",
                format!("an earlier step did not produce `{k}`"),
            )
        }),
    }
}

fn run_tags(ctx: &Ctx, output: &str) -> Vec<Tag> {
    vec![Tag::new(TAG_RUN, ctx.run_id), Tag::new(TAG_OUTPUT, output)]
}

fn made_by(tags: &Tags, ctx: &Ctx, output: &str) -> bool {
    tags.get(TAG_RUN) == Some(ctx.run_id) && tags.get(TAG_OUTPUT) == Some(output)
}

async fn must_instance(read: &dyn CloudRead, id: &str) -> CloudResult<Instance> {
    read.instance(id)
        .await?
        .ok_or_else(|| CloudError::not_found("InvalidInstanceID.NotFound", id))
}

async fn must_eni(read: &dyn CloudRead, id: &str) -> CloudResult<NetworkInterface> {
    read.network_interface(id)
        .await?
        .ok_or_else(|| CloudError::not_found("InvalidNetworkInterfaceID.NotFound", id))
}

async fn must_eip(read: &dyn CloudRead, allocation_id: &str) -> CloudResult<ElasticIp> {
    read.elastic_ips()
        .await?
        .into_iter()
        .find(|e| e.allocation_id == allocation_id)
        .ok_or_else(|| CloudError::not_found("InvalidAllocationID.NotFound", allocation_id))
}

/// Whether an Elastic IP still points where a guarded move may take it from (no guard: anywhere).
fn still_at(
    eip: &ElasticIp,
    only_from: Option<&AddressMove>,
    outputs: &Outputs,
) -> CloudResult<bool> {
    match only_from {
        None => Ok(true),
        Some(from) => points_at(eip, from, outputs),
    }
}

/// Whether an Elastic IP points at `target` now (a named private address must match too).
fn points_at(eip: &ElasticIp, target: &AddressMove, outputs: &Outputs) -> CloudResult<bool> {
    Ok(match target {
        AddressMove::Instance(v) => {
            eip.instance_id.as_deref() == Some(resolve(v, outputs)?.as_str())
        }
        AddressMove::NetworkInterface { eni_id, private_ip } => {
            eip.network_interface_id.as_deref() == Some(eni_id.as_str())
                && (private_ip.is_none() || eip.private_ip.as_deref() == private_ip.as_deref())
        }
    })
}

/// The attachment that holds the interface now (a `detached` one no longer does).
fn live_attachment(n: &NetworkInterface) -> Option<&EniAttachment> {
    n.attachment.as_ref().filter(|a| a.status != "detached")
}

/// An instance's primary (device index 0) interface, among `enis`.
fn primary_eni_of<'a>(
    enis: &'a [NetworkInterface],
    instance: &str,
) -> Option<&'a NetworkInterface> {
    enis.iter().find(|n| {
        live_attachment(n)
            .is_some_and(|a| a.instance_id.as_deref() == Some(instance) && a.device_index == 0)
    })
}

fn no_primary_eni(instance: &str) -> CloudError {
    CloudError::invalid_state(
        "InvalidInstanceID",
        format!("{instance} has no primary network interface"),
    )
}

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

pub async fn observe(ctx: &Ctx<'_>, action: &Action, called: Called) -> CloudResult<Seen> {
    let read = ctx.read;
    // Most actions leave a lasting trace (a state, a tag, an association), so a call in doubt is
    // judged by the same reading as one never made. A reboot leaves none: see below.
    let acted = called == Called::Yes;
    let pending_or_act = |what: &str| {
        if acted {
            Seen::Pending(what.to_string())
        } else {
            Seen::Act
        }
    };
    Ok(match action {
        Action::GroupGuard { .. }
        | Action::EnterStandby { .. }
        | Action::ExitStandby { .. }
        | Action::ShapeGroup { .. }
        | Action::WaitGroupInAz { .. }
        | Action::ReplaceMember { .. }
        | Action::RestoreDesired { .. }
        | Action::SuspendProcesses { .. }
        | Action::ResumeProcesses { .. } => {
            return super::group_actions::observe(ctx, action, called).await;
        }
        Action::CapacityGuard { instance } => {
            let inv = guard_inventory(read, instance).await?;
            match check_removal(&inv, &[instance.as_str()], ctx.floor) {
                Ok(()) => Seen::Done(Outputs::new()),
                Err(v) => Seen::Pending(
                    v.iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            }
        }
        Action::DeregisterTarget {
            target_group_arn,
            target,
        } => {
            let th = read.target_health(target_group_arn).await?;
            match th.iter().find(|t| {
                t.target_id == target.id && (target.port.is_none() || t.port == target.port)
            }) {
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
                Some(_) => pending_or_act("waiting for the deregistration to show"),
            }
        }
        Action::RegisterTarget {
            target_group_arn,
            target,
            port,
        } => {
            let id = resolve(target, ctx.outputs)?;
            let th = read.target_health(target_group_arn).await?;
            match th
                .iter()
                .find(|t| t.target_id == id && (port.is_none() || t.port == *port))
            {
                Some(t) if t.state == TargetState::Healthy => Seen::Done(Outputs::new()),
                // A group no load balancer uses never reports healthy: `unused` is its steady state.
                Some(t)
                    if t.state == TargetState::Unused
                        && t.reason.as_deref() == Some("Target.NotInUse") =>
                {
                    Seen::Done(Outputs::new())
                }
                Some(t)
                    if matches!(t.state, TargetState::Draining | TargetState::Unused) && !acted =>
                {
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
                None => pending_or_act("waiting for the registration to show"),
            }
        }
        Action::RebootInstance { instance, event_id } => {
            let i = must_instance(read, instance).await?;
            let event_open = event_id.as_ref().is_some_and(|e| {
                i.events
                    .iter()
                    .any(|x| x.event_id.as_deref() == Some(e.as_str()) && !x.is_done())
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
            match called {
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
            }
        }
        Action::StopInstance { instance } => {
            let i = must_instance(read, instance).await?;
            match i.state {
                InstanceState::Stopped => Seen::Done(Outputs::new()),
                InstanceState::Stopping => Seen::Pending("stopping".into()),
                InstanceState::Terminated | InstanceState::ShuttingDown => {
                    return Err(CloudError::invalid_state(
                        "IncorrectInstanceState",
                        format!("{instance} is terminated"),
                    ));
                }
                _ => pending_or_act("waiting for stopping to show"),
            }
        }
        Action::StartInstance { instance } => {
            let i = must_instance(read, instance).await?;
            match i.state {
                InstanceState::Running if i.status_checks.all_ok() => Seen::Done(Outputs::new()),
                InstanceState::Running | InstanceState::Pending => {
                    Seen::Pending(format!("status checks {}", i.status_checks.summary()))
                }
                InstanceState::Stopping => Seen::Pending("still stopping".into()),
                InstanceState::Stopped => pending_or_act("waiting for pending to show"),
                _ => {
                    return Err(CloudError::invalid_state(
                        "IncorrectInstanceState",
                        format!("{instance} is terminated"),
                    ));
                }
            }
        }
        Action::RescheduleEvent {
            instance,
            event_id,
            not_before,
        } => {
            let i = must_instance(read, instance).await?;
            match i
                .events
                .iter()
                .find(|e| e.event_id.as_deref() == Some(event_id.as_str()))
            {
                Some(e)
                    if e.not_before
                        .map(|t| (t - *not_before).num_seconds().abs() < 60)
                        == Some(true) =>
                {
                    Seen::Done(Outputs::new())
                }
                Some(_) => pending_or_act("waiting for the new start time to show"),
                None => {
                    return Err(CloudError::not_found(
                        "InvalidInstanceEventID.NotFound",
                        event_id.clone(),
                    ));
                }
            }
        }
        Action::CreateImage { name, output, .. } => {
            match read.images().await?.into_iter().find(|i| i.name == name) {
                Some(img) if img.state == ImageState::Available => Seen::Done(one(output, img.id)),
                Some(img) if img.state == ImageState::Pending => {
                    Seen::Pending("image pending".into())
                }
                Some(img) => {
                    return Err(CloudError::invalid_state(
                        "InvalidAMIID.Unavailable",
                        format!("{} is {}", img.id, img.state.as_str()),
                    ));
                }
                None => pending_or_act("waiting for the image to show"),
            }
        }
        Action::LaunchClone {
            client_token,
            output,
            ..
        } => {
            let mine: Vec<Instance> = read
                .instances()
                .await?
                .into_iter()
                .filter(|i| i.tags.get(TAG_TOKEN) == Some(client_token) && i.is_live())
                .collect();
            if mine.is_empty() {
                pending_or_act("waiting for the instance to show")
            } else if mine
                .iter()
                .all(|i| i.state == InstanceState::Running && i.status_checks.all_ok())
            {
                Seen::Done(one(
                    output,
                    mine.iter()
                        .map(|i| i.id.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                ))
            } else {
                Seen::Pending(
                    mine.iter()
                        .map(|i| format!("{} {}", i.id, i.state.as_str()))
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            }
        }
        Action::CreateSnapshot { output, .. } => {
            match read
                .snapshots()
                .await?
                .into_iter()
                .find(|s| made_by(&s.tags, ctx, output))
            {
                Some(s) if s.state == SnapshotState::Completed => Seen::Done(one(output, s.id)),
                Some(s) if s.state == SnapshotState::Pending => {
                    Seen::Pending(format!("snapshot {}%", s.progress))
                }
                Some(s) => {
                    return Err(CloudError::invalid_state(
                        "SnapshotError",
                        format!("{} is {}", s.id, s.state.as_str()),
                    ));
                }
                None => pending_or_act("waiting for the snapshot to show"),
            }
        }
        Action::CreateSnapshotSet { snapshots } => {
            let all = read.snapshots().await?;
            let mut found = Outputs::new();
            for want in snapshots {
                if let Some(s) = all.iter().find(|s| made_by(&s.tags, ctx, &want.output)) {
                    if s.state == SnapshotState::Error {
                        return Err(CloudError::invalid_state(
                            "SnapshotError",
                            format!("{} (of {}) is {}", s.id, want.volume, s.state.as_str()),
                        ));
                    }
                    found.insert(want.output.clone(), s.id.to_string());
                }
            }
            if found.len() == snapshots.len() {
                Seen::Done(found)
            } else if acted {
                Seen::Pending(format!(
                    "{} of {} snapshots show so far",
                    found.len(),
                    snapshots.len()
                ))
            } else {
                // Nothing made yet, or a burst cut short: `act` makes only the missing ones.
                Seen::Act
            }
        }
        Action::WaitSnapshots { outputs } => {
            let mut waiting = Vec::new();
            for k in outputs {
                let id = resolve(&Val::Output(k.clone()), ctx.outputs)?;
                let s = read
                    .snapshot(&id)
                    .await?
                    .ok_or_else(|| CloudError::not_found("InvalidSnapshot.NotFound", id.clone()))?;
                match s.state {
                    SnapshotState::Completed => {}
                    SnapshotState::Pending => waiting.push(format!("{} {}%", s.id, s.progress)),
                    other => {
                        return Err(CloudError::invalid_state(
                            "SnapshotError",
                            format!("{} is {}", s.id, other.as_str()),
                        ));
                    }
                }
            }
            if waiting.is_empty() {
                Seen::Done(Outputs::new())
            } else {
                Seen::Pending(format!("snapshots {}", waiting.join(", ")))
            }
        }
        Action::RestoreVolume { output, .. } => {
            match read
                .volumes()
                .await?
                .into_iter()
                .find(|v| made_by(&v.tags, ctx, output))
            {
                Some(v) if v.state == VolumeState::Available || v.state == VolumeState::InUse => {
                    Seen::Done(one(output, v.id))
                }
                Some(v) if v.state == VolumeState::Creating => {
                    Seen::Pending("volume creating".into())
                }
                Some(v) => {
                    return Err(CloudError::invalid_state(
                        "VolumeError",
                        format!("{} is {}", v.id, v.state.as_str()),
                    ));
                }
                None => pending_or_act("waiting for the volume to show"),
            }
        }
        Action::AttachVolume {
            volume, instance, ..
        } => {
            let (vid, iid) = (
                resolve(volume, ctx.outputs)?,
                resolve(instance, ctx.outputs)?,
            );
            let v = read
                .volume(&vid)
                .await?
                .ok_or_else(|| CloudError::not_found("InvalidVolume.NotFound", vid.clone()))?;
            match v
                .attachments
                .iter()
                .find(|a| a.state != AttachmentState::Detached)
            {
                Some(a) if a.instance_id == iid && a.state == AttachmentState::Attached => {
                    Seen::Done(Outputs::new())
                }
                Some(a) if a.instance_id == iid => {
                    Seen::Pending(format!("attachment {}", a.state.as_str()))
                }
                Some(a) => {
                    return Err(CloudError::invalid_state(
                        "VolumeInUse",
                        format!("{vid} is attached to {}", a.instance_id),
                    ));
                }
                None => pending_or_act("waiting for the attachment to show"),
            }
        }
        Action::DetachVolume {
            volume,
            instance,
            force,
        } => {
            let v = read
                .volume(volume)
                .await?
                .ok_or_else(|| CloudError::not_found("InvalidVolume.NotFound", volume.clone()))?;
            match v
                .attachments
                .iter()
                .find(|a| a.instance_id == instance && a.state != AttachmentState::Detached)
            {
                None => Seen::Done(Outputs::new()),
                // A detach already hanging (stuck, busy) is what a forced one is for.
                Some(a) if a.state.is_hanging() && *force && !acted => Seen::Act,
                Some(a) if a.state.is_hanging() => Seen::Pending(a.state.as_str().into()),
                Some(_) => pending_or_act("waiting for detaching to show"),
            }
        }
        Action::AssociateAddress {
            allocation_id,
            target,
            output,
            only_from,
            ..
        } => {
            let eip = must_eip(read, allocation_id).await?;
            // Verified by reading the association back, never assumed from the call's answer.
            if points_at(&eip, target, ctx.outputs)? {
                Seen::Done(one(output, eip.association_id.unwrap_or_default()))
            } else if !still_at(&eip, only_from.as_ref(), ctx.outputs)? {
                // Re-pointed by someone else since the run moved it: left alone.
                Seen::Done(Outputs::new())
            } else {
                pending_or_act("waiting for the association to show")
            }
        }
        Action::DisassociateAddress {
            allocation_id,
            from,
        } => {
            let eip = must_eip(read, allocation_id).await?;
            if eip.association_id.is_none() || !points_at(&eip, from, ctx.outputs)? {
                // Associated with nothing, or re-pointed by someone else meanwhile: left alone.
                Seen::Done(Outputs::new())
            } else {
                pending_or_act("waiting for the disassociation to show")
            }
        }
        Action::DetachNetworkInterface {
            eni_id, instance, ..
        } => {
            let n = must_eni(read, eni_id).await?;
            match live_attachment(&n)
                .filter(|a| a.instance_id.as_deref() == Some(instance.as_str()))
            {
                None => Seen::Done(Outputs::new()),
                Some(a) if a.status == "detaching" => Seen::Pending("detaching".into()),
                Some(_) => pending_or_act("waiting for detaching to show"),
            }
        }
        Action::AttachNetworkInterface {
            eni_id, instance, ..
        } => {
            let iid = resolve(instance, ctx.outputs)?;
            // Verified by reading the attachment back, never assumed from the call's answer.
            let n = must_eni(read, eni_id).await?;
            match live_attachment(&n) {
                Some(a) if a.instance_id.as_deref() == Some(iid.as_str()) => {
                    if a.status == "attached" {
                        Seen::Done(Outputs::new())
                    } else {
                        Seen::Pending(format!("attachment {}", a.status))
                    }
                }
                Some(a) if a.status == "detaching" => Seen::Pending(format!(
                    "still detaching from {}",
                    a.instance_id.as_deref().unwrap_or("?")
                )),
                Some(a) => {
                    return Err(CloudError::invalid_state(
                        "InvalidParameterValue",
                        format!(
                            "{eni_id} is attached to {}, not {iid}",
                            a.instance_id.as_deref().unwrap_or("?")
                        ),
                    ));
                }
                None => pending_or_act("waiting for the attachment to show"),
            }
        }
        Action::MovePrivateIp { ip, to, .. } => {
            let iid = resolve(to, ctx.outputs)?;
            let enis = read.network_interfaces().await?;
            let target = primary_eni_of(&enis, &iid).ok_or_else(|| no_primary_eni(&iid))?;
            // Verified by reading the addresses back: on the new interface, and on no other.
            let holders: Vec<&str> = enis
                .iter()
                .filter(|n| n.private_ips.iter().any(|p| p.address == ip))
                .map(|n| n.id.as_str())
                .collect();
            match holders.as_slice() {
                [only] if *only == target.id => Seen::Done(Outputs::new()),
                h if h.contains(&target.id.as_str()) => Seen::Pending(format!(
                    "{ip} still listed on {}",
                    h.iter()
                        .filter(|x| **x != target.id)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
                _ => pending_or_act(&format!("waiting for {ip} to show on {}", target.id)),
            }
        }
        Action::DeregisterImage { image } => match read.image(&resolve(image, ctx.outputs)?).await?
        {
            None => Seen::Done(Outputs::new()),
            Some(i) if i.state == ImageState::Deregistered => Seen::Done(Outputs::new()),
            Some(_) => pending_or_act("waiting for the deregistration to show"),
        },
        Action::DeleteSnapshot { snapshot } => match read.snapshot(snapshot).await? {
            None => Seen::Done(Outputs::new()),
            Some(_) => pending_or_act("waiting for the deletion to show"),
        },
    })
}

/// Makes the step's call (or its dry run). Returns the request id and what it produced.
pub async fn act(
    ctx: &Ctx<'_>,
    write: &dyn CloudWrite,
    action: &Action,
    dry_run: bool,
) -> CloudResult<(Option<String>, Outputs)> {
    let o = ctx.outputs;
    let none = |w: opsdeck_core::cloud::Written<()>| (w.request_id, Outputs::new());
    Ok(match action {
        Action::GroupGuard { .. }
        | Action::EnterStandby { .. }
        | Action::ExitStandby { .. }
        | Action::ShapeGroup { .. }
        | Action::WaitGroupInAz { .. }
        | Action::ReplaceMember { .. }
        | Action::RestoreDesired { .. }
        | Action::SuspendProcesses { .. }
        | Action::ResumeProcesses { .. } => {
            return super::group_actions::act(write, action, dry_run).await;
        }
        Action::CapacityGuard { .. } => (None, Outputs::new()),
        Action::DeregisterTarget {
            target_group_arn,
            target,
        } => none(
            write
                .deregister_targets(target_group_arn, std::slice::from_ref(target), dry_run)
                .await?,
        ),
        Action::RegisterTarget {
            target_group_arn,
            target,
            port,
        } => {
            let t = opsdeck_core::cloud::TargetRef {
                id: resolve(target, o)?,
                port: *port,
            };
            none(
                write
                    .register_targets(target_group_arn, &[t], dry_run)
                    .await?,
            )
        }
        Action::RebootInstance { instance, .. } => none(
            write
                .reboot_instances(std::slice::from_ref(instance), dry_run)
                .await?,
        ),
        Action::StopInstance { instance } => none(
            write
                .stop_instances(std::slice::from_ref(instance), false, dry_run)
                .await?,
        ),
        Action::StartInstance { instance } => none(
            write
                .start_instances(std::slice::from_ref(instance), dry_run)
                .await?,
        ),
        Action::RescheduleEvent {
            instance,
            event_id,
            not_before,
        } => none(
            write
                .reschedule_instance_event(instance, event_id, *not_before, dry_run)
                .await?,
        ),
        Action::CreateImage {
            instance,
            name,
            no_reboot,
            output,
        } => {
            let tags = run_tags(ctx, output);
            let w = write
                .create_image(
                    instance,
                    name,
                    "opsdeck runbook image",
                    *no_reboot,
                    &tags,
                    dry_run,
                )
                .await?;
            (w.request_id, one(output, w.value))
        }
        Action::LaunchClone {
            source,
            image,
            subnet_id,
            client_token,
            output,
        } => {
            let src = must_instance(ctx.read, source).await?;
            let mut spec = LaunchSpec::clone_of(&src, &resolve(image, o)?, subnet_id, client_token);
            spec.user_data = ctx.read.instance_user_data(source).await?;
            spec.tags.retain(|t| !t.key.starts_with("opsdeck:"));
            // Same tags, but a name of its own: two instances called `web-1` would confuse everyone.
            for t in spec.tags.iter_mut().filter(|t| t.key == "Name") {
                t.value = format!("{}-{output}", t.value);
            }
            spec.tags.extend(run_tags(ctx, output));
            spec.tags.push(Tag::new(TAG_TOKEN, client_token));
            let w = write.run_instances(&spec, dry_run).await?;
            (w.request_id, one(output, w.value.join(",")))
        }
        Action::CreateSnapshot {
            volume,
            description,
            output,
        } => {
            let w = write
                .create_snapshot(volume, description, &run_tags(ctx, output), dry_run)
                .await?;
            (w.request_id, one(output, w.value))
        }
        Action::CreateSnapshotSet { snapshots } => {
            create_snapshot_set(ctx, write, snapshots, dry_run).await?
        }
        Action::WaitSnapshots { .. } => (None, Outputs::new()),
        Action::RestoreVolume {
            snapshot,
            az,
            volume_type,
            output,
        } => {
            let spec = VolumeSpec {
                az: az.clone(),
                size_gib: None,
                volume_type: volume_type.clone(),
                iops: None,
                snapshot_id: Some(resolve(snapshot, o)?),
                tags: run_tags(ctx, output),
            };
            let w = write.create_volume(&spec, dry_run).await?;
            (w.request_id, one(output, w.value))
        }
        Action::AttachVolume {
            volume,
            instance,
            device,
        } => {
            let (vid, iid) = (resolve(volume, o)?, resolve(instance, o)?);
            if dry_run {
                let v =
                    ctx.read.volume(&vid).await?.ok_or_else(|| {
                        CloudError::not_found("InvalidVolume.NotFound", vid.clone())
                    })?;
                if let Some(other) = v.attached_instance() {
                    // Still on the primary until an earlier step detaches it: EC2 would refuse the
                    // dry run for that alone, so check what can be checked by reading.
                    let i = must_instance(ctx.read, &iid).await?;
                    if i.az != v.az {
                        return Err(CloudError::invalid_request(
                            "InvalidVolume.ZoneMismatch",
                            format!("{vid} is in {} and {iid} in {}", v.az, i.az),
                        ));
                    }
                    return Err(CloudError::dry_run_ok(format!(
                        "checked by reading ({vid} is attached to {other} for now)"
                    )));
                }
            }
            none(write.attach_volume(&vid, &iid, device, dry_run).await?)
        }
        Action::DetachVolume {
            volume,
            instance,
            force,
        } => none(
            write
                .detach_volume(volume, instance, *force, dry_run)
                .await?,
        ),
        Action::AssociateAddress {
            allocation_id,
            target,
            output,
            only_from,
            ..
        } => {
            let eip = must_eip(ctx.read, allocation_id).await?;
            if !still_at(&eip, only_from.as_ref(), o)? {
                if dry_run {
                    return Err(CloudError::dry_run_ok(format!(
                        "checked by reading ({allocation_id} is not where the run put it)"
                    )));
                }
                return Ok((None, Outputs::new()));
            }
            let to = match target {
                AddressMove::Instance(v) => {
                    opsdeck_core::cloud::AddressTarget::Instance(resolve(v, o)?)
                }
                AddressMove::NetworkInterface { eni_id, private_ip } => {
                    opsdeck_core::cloud::AddressTarget::NetworkInterface {
                        eni_id: eni_id.clone(),
                        private_ip: private_ip.clone(),
                    }
                }
            };
            let w = write
                .associate_address(allocation_id, &to, true, dry_run)
                .await?;
            (w.request_id, one(output, w.value))
        }
        Action::DisassociateAddress {
            allocation_id,
            from,
        } => {
            let eip = must_eip(ctx.read, allocation_id).await?;
            match eip.association_id.as_deref() {
                // Only from where the run put it: never from wherever someone moved it since.
                Some(assoc) if points_at(&eip, from, o)? => {
                    none(write.disassociate_address(assoc, dry_run).await?)
                }
                _ if dry_run => {
                    return Err(CloudError::dry_run_ok(format!(
                        "checked by reading ({allocation_id} is not where the run put it)"
                    )));
                }
                _ => (None, Outputs::new()),
            }
        }
        Action::DetachNetworkInterface {
            eni_id, instance, ..
        } => {
            let n = must_eni(ctx.read, eni_id).await?;
            match live_attachment(&n)
                .filter(|a| a.instance_id.as_deref() == Some(instance.as_str()))
            {
                // Not (or no longer) on that instance: never detach it from another one.
                None => (None, Outputs::new()),
                Some(a) => none(
                    write
                        .detach_network_interface(&a.attachment_id, false, dry_run)
                        .await?,
                ),
            }
        }
        Action::AttachNetworkInterface {
            eni_id,
            instance,
            device_index,
        } => {
            let iid = resolve(instance, o)?;
            if dry_run {
                let n = must_eni(ctx.read, eni_id).await?;
                if let Some(a) = live_attachment(&n) {
                    // Still on the primary until an earlier step detaches it: EC2 would refuse the
                    // dry run for that alone, so check what can be checked by reading.
                    let i = must_instance(ctx.read, &iid).await?;
                    if i.az != n.az {
                        return Err(CloudError::invalid_request(
                            "InvalidParameterValue",
                            format!("{eni_id} is in {} and {iid} in {}", n.az, i.az),
                        ));
                    }
                    return Err(CloudError::dry_run_ok(format!(
                        "checked by reading ({eni_id} is attached to {} for now)",
                        a.instance_id.as_deref().unwrap_or("?")
                    )));
                }
            }
            let w = write
                .attach_network_interface(eni_id, &iid, *device_index, dry_run)
                .await?;
            (w.request_id, Outputs::new())
        }
        Action::MovePrivateIp { ip, to, .. } => {
            let iid = resolve(to, o)?;
            let enis = ctx.read.network_interfaces().await?;
            let target = primary_eni_of(&enis, &iid).ok_or_else(|| no_primary_eni(&iid))?;
            none(
                write
                    .assign_private_ips(&target.id, std::slice::from_ref(ip), true, dry_run)
                    .await?,
            )
        }
        Action::DeleteSnapshot { snapshot } => {
            none(write.delete_snapshot(snapshot, dry_run).await?)
        }
        Action::DeregisterImage { image } => {
            none(write.deregister_image(&resolve(image, o)?, dry_run).await?)
        }
    })
}

/// Starts every snapshot of the set back to back, so they share one point in time (what the set is
/// for). One already made by this run (found by its tags) is not made again. A call refused as
/// transient (throttling, 5xx) is retried at once, after checking it did not land, instead of
/// leaving the rest of the set for the engine's next poll seconds later.
async fn create_snapshot_set(
    ctx: &Ctx<'_>,
    write: &dyn CloudWrite,
    snapshots: &[SnapshotOf],
    dry_run: bool,
) -> CloudResult<(Option<String>, Outputs)> {
    if dry_run {
        for s in snapshots {
            match write
                .create_snapshot(&s.volume, &s.description, &run_tags(ctx, &s.output), true)
                .await
            {
                Ok(_) => {}
                Err(e) if e.kind == opsdeck_core::cloud::ErrorKind::DryRunOk => {}
                Err(e) => return Err(e),
            }
        }
        return Err(CloudError::dry_run_ok(format!(
            "every CreateSnapshot of the set ({}) would succeed",
            snapshots.len()
        )));
    }
    let mut existing = ctx.read.snapshots().await?;
    let mut out = Outputs::new();
    let mut request_ids = Vec::new();
    for s in snapshots {
        let mut delay = std::time::Duration::from_millis(100);
        let mut tries = 0;
        loop {
            if let Some(have) = existing.iter().find(|x| made_by(&x.tags, ctx, &s.output)) {
                out.insert(s.output.clone(), have.id.to_string());
                break;
            }
            match write
                .create_snapshot(&s.volume, &s.description, &run_tags(ctx, &s.output), false)
                .await
            {
                Ok(w) => {
                    request_ids.extend(w.request_id);
                    out.insert(s.output.clone(), w.value);
                    break;
                }
                Err(e) if e.is_transient() && tries < 8 => {
                    tries += 1;
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(std::time::Duration::from_secs(2));
                    // A 5xx may hide a call that landed: look before calling again.
                    if let Ok(now) = ctx.read.snapshots().await {
                        existing = now;
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }
    let request_id = (!request_ids.is_empty()).then(|| request_ids.join(","));
    Ok((request_id, out))
}

/// Whether a dry run of this step can be tried before the run (its inputs are all known now).
pub fn dry_runnable(action: &Action) -> bool {
    match action {
        Action::CapacityGuard { .. } | Action::GroupGuard { .. } | Action::WaitGroupInAz { .. } => {
            false
        }
        Action::RegisterTarget { target, .. } => matches!(target, Val::Lit(_)),
        Action::LaunchClone { image, .. } => matches!(image, Val::Lit(_)),
        Action::RestoreVolume { snapshot, .. } => matches!(snapshot, Val::Lit(_)),
        Action::AttachVolume {
            volume, instance, ..
        } => matches!((volume, instance), (Val::Lit(_), Val::Lit(_))),
        Action::DeregisterImage { image } => matches!(image, Val::Lit(_)),
        Action::AssociateAddress {
            target: AddressMove::Instance(v),
            ..
        } => matches!(v, Val::Lit(_)),
        Action::AttachNetworkInterface { instance, .. } => matches!(instance, Val::Lit(_)),
        Action::MovePrivateIp { to, .. } => matches!(to, Val::Lit(_)),
        _ => true,
    }
}
