//! EBS: snapshots (one, a consistent set, waiting for them, deleting one) and volumes (restore from a
//! snapshot, attach, detach).

use super::shared::{
    Act, Acted, Called, Ctx, Seen, TAG_OUTPUT, TAG_RUN, made_by, must_instance, no_outputs, one,
    pending_or_act, resolve, run_tags,
};
use crate::journal::Outputs;
use crate::plan::{SnapshotOf, Val};
use opsdeck_core::cloud::{CloudError, CloudResult, VolumeSpec};
use opsdeck_core::domain::*;

pub(super) async fn observe_snapshot(
    ctx: &Ctx<'_>,
    called: Called,
    output: &str,
) -> CloudResult<Seen> {
    Ok(
        match ctx
            .read
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
            None => pending_or_act(called, "waiting for the snapshot to show"),
        },
    )
}

pub(super) async fn snapshot(
    act: Act<'_>,
    volume: &str,
    description: &str,
    output: &str,
) -> CloudResult<Acted> {
    let Act {
        ctx,
        write,
        dry_run,
    } = act;
    let w = write
        .create_snapshot(volume, description, &run_tags(ctx, output), dry_run)
        .await?;
    Ok((w.request_id, one(output, w.value)))
}

/// The `opsdeck:output` tag every snapshot of a set carries: one `CreateSnapshots` call tags all
/// of them alike, so each is told apart by its volume.
fn set_tag(instance: &str) -> String {
    format!("snapshot-set-{instance}")
}

/// This run's snapshot of `want`'s volume, if it shows: tagged as the set (one `CreateSnapshots`),
/// or with the snapshot's own output (a set made one `CreateSnapshot` per volume, by an older
/// opsdeck whose journal is being resumed).
fn of_the_set<'s>(
    all: &'s [Snapshot],
    ctx: &Ctx<'_>,
    instance: &str,
    want: &SnapshotOf,
) -> Option<&'s Snapshot> {
    let of_set = |s: &Snapshot| {
        if instance.is_empty() {
            // A journal from before the set was one call names no instance: any set of this run.
            s.tags.get(TAG_RUN) == Some(ctx.run_id)
                && s.tags
                    .get(TAG_OUTPUT)
                    .is_some_and(|o| o.starts_with(&set_tag("")))
        } else {
            made_by(&s.tags, ctx, &set_tag(instance))
        }
    };
    all.iter().find(|s| {
        (of_set(s) && s.volume_id.as_deref() == Some(want.volume.as_str()))
            || made_by(&s.tags, ctx, &want.output)
    })
}

/// Which of the set's snapshots show, by output (an error if one of them failed).
fn found_of_the_set(
    all: &[Snapshot],
    ctx: &Ctx<'_>,
    instance: &str,
    snapshots: &[SnapshotOf],
) -> CloudResult<Outputs> {
    let mut found = Outputs::new();
    for want in snapshots {
        if let Some(s) = of_the_set(all, ctx, instance, want) {
            if s.state == SnapshotState::Error {
                return Err(CloudError::invalid_state(
                    "SnapshotError",
                    format!("{} (of {}) is {}", s.id, want.volume, s.state.as_str()),
                ));
            }
            found.insert(want.output.clone(), s.id.to_string());
        }
    }
    Ok(found)
}

pub(super) async fn observe_snapshot_set(
    ctx: &Ctx<'_>,
    called: Called,
    instance: &str,
    snapshots: &[SnapshotOf],
) -> CloudResult<Seen> {
    let all = ctx.read.snapshots().await?;
    let found = found_of_the_set(&all, ctx, instance, snapshots)?;
    Ok(if found.len() == snapshots.len() {
        Seen::Done(found)
    } else if called == Called::Yes {
        Seen::Pending(format!(
            "{} of {} snapshots show so far",
            found.len(),
            snapshots.len()
        ))
    } else if !found.is_empty() {
        // One call makes the whole set: any of it showing is that call, made (its answer lost,
        // or the listing still catching up). Never a second set.
        Seen::Happened(format!(
            "{} of {} snapshots of the set show: its CreateSnapshots was made",
            found.len(),
            snapshots.len()
        ))
    } else {
        Seen::Act
    })
}

/// The instance the set names: the plan's, or (a journal written before the set was one call) the
/// one its volumes are attached to.
async fn set_instance(
    ctx: &Ctx<'_>,
    instance: &str,
    snapshots: &[SnapshotOf],
) -> CloudResult<String> {
    if !instance.is_empty() {
        return Ok(instance.to_string());
    }
    let first = snapshots.first().ok_or_else(|| {
        CloudError::invalid_request("EmptySnapshotSet", "the set names no volume")
    })?;
    ctx.read
        .volume(&first.volume)
        .await?
        .and_then(|v| v.attached_instance().map(str::to_string))
        .ok_or_else(|| {
            CloudError::invalid_state(
                "IncorrectState",
                format!("{} is attached to no instance any more", first.volume),
            )
        })
}

/// Snapshots the set with one `CreateSnapshots` call naming the instance: EC2 takes every attached
/// volume at one point in time (crash-consistent across them). Nothing is called if any snapshot of
/// the set already shows (that call was made), nor if the instance's volumes are no longer the
/// plan's (the call would take another set than the one approved).
pub(super) async fn snapshot_set(
    act: Act<'_>,
    instance: &str,
    description: &str,
    snapshots: &[SnapshotOf],
) -> CloudResult<Acted> {
    let Act {
        ctx,
        write,
        dry_run,
    } = act;
    let instance = set_instance(ctx, instance, snapshots).await?;
    let tags = run_tags(ctx, &set_tag(&instance));
    let description = if description.is_empty() {
        format!("opsdeck snapshot of {instance}")
    } else {
        description.to_string()
    };
    if !dry_run {
        let found = found_of_the_set(&ctx.read.snapshots().await?, ctx, &instance, snapshots)?;
        if !found.is_empty() {
            return Ok((None, found));
        }
    }
    let mut attached: Vec<String> = ctx
        .read
        .volumes()
        .await?
        .into_iter()
        .filter(|v| v.attached_instance() == Some(instance.as_str()))
        .map(|v| v.id.to_string())
        .collect();
    attached.sort();
    let mut planned: Vec<String> = snapshots.iter().map(|s| s.volume.clone()).collect();
    planned.sort();
    if attached != planned {
        return Err(CloudError::invalid_state(
            "VolumesChanged",
            format!(
                "{instance}'s volumes are now {} (the plan snapshots {}): plan again",
                if attached.is_empty() {
                    "none".to_string()
                } else {
                    attached.join(", ")
                },
                planned.join(", ")
            ),
        ));
    }
    let w = write
        .create_snapshots(&instance, &description, &tags, false, dry_run)
        .await?;
    let mut out = Outputs::new();
    for want in snapshots {
        if let Some(made) = w.value.iter().find(|m| m.volume_id == want.volume) {
            out.insert(want.output.clone(), made.snapshot_id.clone());
        }
    }
    Ok((w.request_id, out))
}

pub(super) async fn observe_wait_snapshots(ctx: &Ctx<'_>, outputs: &[String]) -> CloudResult<Seen> {
    let mut waiting = Vec::new();
    for k in outputs {
        let id = resolve(&Val::Output(k.clone()), ctx.outputs)?;
        let s = ctx
            .read
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
    Ok(if waiting.is_empty() {
        Seen::Done(Outputs::new())
    } else {
        Seen::Pending(format!("snapshots {}", waiting.join(", ")))
    })
}

pub(super) async fn observe_restore_volume(
    ctx: &Ctx<'_>,
    called: Called,
    output: &str,
) -> CloudResult<Seen> {
    Ok(
        match ctx
            .read
            .volumes()
            .await?
            .into_iter()
            .find(|v| made_by(&v.tags, ctx, output))
        {
            Some(v) if v.state == VolumeState::Available || v.state == VolumeState::InUse => {
                Seen::Done(one(output, v.id))
            }
            Some(v) if v.state == VolumeState::Creating => Seen::Pending("volume creating".into()),
            Some(v) => {
                return Err(CloudError::invalid_state(
                    "VolumeError",
                    format!("{} is {}", v.id, v.state.as_str()),
                ));
            }
            None => pending_or_act(called, "waiting for the volume to show"),
        },
    )
}

pub(super) async fn restore_volume(
    act: Act<'_>,
    snapshot: &Val,
    az: &str,
    volume_type: &str,
    output: &str,
) -> CloudResult<Acted> {
    let Act {
        ctx,
        write,
        dry_run,
    } = act;
    let snapshot_id = resolve(snapshot, ctx.outputs)?;
    let mut tags = run_tags(ctx, output);
    // Named for where it came from and which run made it, so it is recognisable in any console.
    tags.push(Tag::new(
        "Name",
        format!("opsdeck restore of {snapshot_id} (run {})", ctx.run_id),
    ));
    let spec = VolumeSpec {
        az: az.into(),
        size_gib: None,
        volume_type: volume_type.into(),
        iops: None,
        snapshot_id: Some(snapshot_id),
        tags,
    };
    let w = write.create_volume(&spec, dry_run).await?;
    Ok((w.request_id, one(output, w.value)))
}

pub(super) async fn observe_attach_volume(
    ctx: &Ctx<'_>,
    called: Called,
    volume: &Val,
    instance: &Val,
) -> CloudResult<Seen> {
    let (vid, iid) = (
        resolve(volume, ctx.outputs)?,
        resolve(instance, ctx.outputs)?,
    );
    let v = ctx
        .read
        .volume(&vid)
        .await?
        .ok_or_else(|| CloudError::not_found("InvalidVolume.NotFound", vid.clone()))?;
    Ok(
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
            None => pending_or_act(called, "waiting for the attachment to show"),
        },
    )
}

pub(super) async fn attach_volume(
    act: Act<'_>,
    volume: &Val,
    instance: &Val,
    device: &str,
) -> CloudResult<Acted> {
    let Act {
        ctx,
        write,
        dry_run,
    } = act;
    let (vid, iid) = (
        resolve(volume, ctx.outputs)?,
        resolve(instance, ctx.outputs)?,
    );
    if dry_run {
        let v = ctx
            .read
            .volume(&vid)
            .await?
            .ok_or_else(|| CloudError::not_found("InvalidVolume.NotFound", vid.clone()))?;
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
    Ok(no_outputs(
        write.attach_volume(&vid, &iid, device, dry_run).await?,
    ))
}

pub(super) async fn observe_detach_volume(
    ctx: &Ctx<'_>,
    called: Called,
    volume: &str,
    instance: &str,
    force: bool,
) -> CloudResult<Seen> {
    let acted = called == Called::Yes;
    let v = ctx
        .read
        .volume(volume)
        .await?
        .ok_or_else(|| CloudError::not_found("InvalidVolume.NotFound", volume))?;
    Ok(
        match v
            .attachments
            .iter()
            .find(|a| a.instance_id == instance && a.state != AttachmentState::Detached)
        {
            None => Seen::Done(Outputs::new()),
            // A detach already hanging (stuck, busy) is what a forced one is for.
            Some(a) if a.state.is_hanging() && force && !acted => Seen::Act,
            Some(a) if a.state.is_hanging() => Seen::Pending(a.state.as_str().into()),
            Some(_) => pending_or_act(called, "waiting for detaching to show"),
        },
    )
}

pub(super) async fn detach_volume(
    act: Act<'_>,
    volume: &str,
    instance: &str,
    force: bool,
) -> CloudResult<Acted> {
    Ok(no_outputs(
        act.write
            .detach_volume(volume, instance, force, act.dry_run)
            .await?,
    ))
}

pub(super) async fn observe_delete_snapshot(
    ctx: &Ctx<'_>,
    called: Called,
    snapshot: &str,
) -> CloudResult<Seen> {
    Ok(match ctx.read.snapshot(snapshot).await? {
        None => Seen::Done(Outputs::new()),
        Some(_) => pending_or_act(called, "waiting for the deletion to show"),
    })
}

pub(super) async fn delete_snapshot(act: Act<'_>, snapshot: &str) -> CloudResult<Acted> {
    Ok(no_outputs(
        act.write.delete_snapshot(snapshot, act.dry_run).await?,
    ))
}
