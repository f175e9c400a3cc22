//! EBS: snapshots (one, a consistent set, waiting for them, deleting one) and volumes (restore from a
//! snapshot, attach, detach).

use super::shared::{
    Act, Acted, Called, Ctx, Seen, made_by, must_instance, no_outputs, one, pending_or_act,
    resolve, run_tags,
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

pub(super) async fn observe_snapshot_set(
    ctx: &Ctx<'_>,
    called: Called,
    snapshots: &[SnapshotOf],
) -> CloudResult<Seen> {
    let all = ctx.read.snapshots().await?;
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
    Ok(if found.len() == snapshots.len() {
        Seen::Done(found)
    } else if called == Called::Yes {
        Seen::Pending(format!(
            "{} of {} snapshots show so far",
            found.len(),
            snapshots.len()
        ))
    } else {
        // Nothing made yet, or a burst cut short: `snapshot_set` makes only the missing ones.
        Seen::Act
    })
}

/// Starts every snapshot of the set back to back, so they share one point in time (what the set is
/// for). One already made by this run (found by its tags) is not made again. A call refused as
/// transient (throttling, 5xx) is retried at once, after checking it did not land, instead of
/// leaving the rest of the set for the engine's next poll seconds later.
pub(super) async fn snapshot_set(act: Act<'_>, snapshots: &[SnapshotOf]) -> CloudResult<Acted> {
    let Act {
        ctx,
        write,
        dry_run,
    } = act;
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
