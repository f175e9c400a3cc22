//! Observe → act → observe again, per action. `observe` answers from what the cloud says now, so a
//! resumed step whose call may or may not have happened is re-observed, never blindly repeated.
//!
//! Here are the two dispatch tables; each family of actions (one file) holds its observe and act
//! bodies, and `shared` what they all use. A new family is a new file and one arm per table.

mod groups;
mod images;
mod instances;
mod network;
mod shared;
mod storage;
mod targets;

pub use shared::{Called, Ctx, Seen, TAG_OUTPUT, TAG_RUN, TAG_TOKEN, resolve};

use crate::journal::Outputs;
use crate::plan::{Action, AddressMove, Val};
use opsdeck_core::cloud::{CloudResult, CloudWrite};
use shared::Act;

pub async fn observe(ctx: &Ctx<'_>, action: &Action, called: Called) -> CloudResult<Seen> {
    match action {
        Action::GroupGuard { .. }
        | Action::EnterStandby { .. }
        | Action::ExitStandby { .. }
        | Action::ShapeGroup { .. }
        | Action::WaitGroupInAz { .. }
        | Action::ReplaceMember { .. }
        | Action::RestoreDesired { .. }
        | Action::SuspendProcesses { .. }
        | Action::ResumeProcesses { .. } => groups::observe(ctx, action, called).await,
        Action::CapacityGuard { instance } => targets::observe_capacity_guard(ctx, instance).await,
        Action::DeregisterTarget {
            target_group_arn,
            target,
        } => targets::observe_deregister(ctx, called, target_group_arn, target).await,
        Action::RegisterTarget {
            target_group_arn,
            target,
            port,
        } => targets::observe_register(ctx, called, target_group_arn, target, *port).await,
        Action::RebootInstance { instance, event_id } => {
            instances::observe_reboot(ctx, called, instance, event_id.as_deref()).await
        }
        Action::StopInstance { instance } => instances::observe_stop(ctx, called, instance).await,
        Action::StartInstance { instance } => instances::observe_start(ctx, called, instance).await,
        Action::RescheduleEvent {
            instance,
            event_id,
            not_before,
        } => instances::observe_reschedule(ctx, called, instance, event_id, *not_before).await,
        Action::CreateImage { name, output, .. } => {
            images::observe_create_image(ctx, called, name, output).await
        }
        Action::LaunchClone {
            client_token,
            output,
            ..
        } => images::observe_launch_clone(ctx, called, client_token, output).await,
        Action::DeregisterImage { image } => {
            images::observe_deregister_image(ctx, called, image).await
        }
        Action::CreateSnapshot { output, .. } => {
            storage::observe_snapshot(ctx, called, output).await
        }
        Action::CreateSnapshotSet {
            instance,
            snapshots,
            ..
        } => storage::observe_snapshot_set(ctx, called, instance, snapshots).await,
        Action::WaitSnapshots { outputs } => storage::observe_wait_snapshots(ctx, outputs).await,
        Action::RestoreVolume { output, .. } => {
            storage::observe_restore_volume(ctx, called, output).await
        }
        Action::AttachVolume {
            volume, instance, ..
        } => storage::observe_attach_volume(ctx, called, volume, instance).await,
        Action::DetachVolume {
            volume,
            instance,
            force,
        } => storage::observe_detach_volume(ctx, called, volume, instance, *force).await,
        Action::DeleteSnapshot { snapshot } => {
            storage::observe_delete_snapshot(ctx, called, snapshot).await
        }
        Action::AssociateAddress {
            allocation_id,
            target,
            output,
            only_from,
            ..
        } => {
            network::observe_associate(
                ctx,
                called,
                allocation_id,
                target,
                output,
                only_from.as_ref(),
            )
            .await
        }
        Action::DisassociateAddress {
            allocation_id,
            from,
        } => network::observe_disassociate(ctx, called, allocation_id, from).await,
        Action::DetachNetworkInterface {
            eni_id, instance, ..
        } => network::observe_detach_eni(ctx, called, eni_id, instance).await,
        Action::AttachNetworkInterface {
            eni_id, instance, ..
        } => network::observe_attach_eni(ctx, called, eni_id, instance).await,
        Action::MovePrivateIp { ip, to, .. } => {
            network::observe_move_private_ip(ctx, called, ip, to).await
        }
    }
}

/// Makes the step's call (or its dry run). Returns the request id and what it produced.
pub async fn act(
    ctx: &Ctx<'_>,
    write: &dyn CloudWrite,
    action: &Action,
    dry_run: bool,
) -> CloudResult<(Option<String>, Outputs)> {
    let act = Act {
        ctx,
        write,
        dry_run,
    };
    match action {
        Action::GroupGuard { .. }
        | Action::EnterStandby { .. }
        | Action::ExitStandby { .. }
        | Action::ShapeGroup { .. }
        | Action::WaitGroupInAz { .. }
        | Action::ReplaceMember { .. }
        | Action::RestoreDesired { .. }
        | Action::SuspendProcesses { .. }
        | Action::ResumeProcesses { .. } => groups::act(act, action).await,
        // They only wait: nothing to call.
        Action::CapacityGuard { .. } | Action::WaitSnapshots { .. } => Ok((None, Outputs::new())),
        Action::DeregisterTarget {
            target_group_arn,
            target,
        } => targets::deregister(act, target_group_arn, target).await,
        Action::RegisterTarget {
            target_group_arn,
            target,
            port,
        } => targets::register(act, target_group_arn, target, *port).await,
        Action::RebootInstance { instance, .. } => instances::reboot(act, instance).await,
        Action::StopInstance { instance } => instances::stop(act, instance).await,
        Action::StartInstance { instance } => instances::start(act, instance).await,
        Action::RescheduleEvent {
            instance,
            event_id,
            not_before,
        } => instances::reschedule(act, instance, event_id, *not_before).await,
        Action::CreateImage {
            instance,
            name,
            no_reboot,
            output,
        } => images::create_image(act, instance, name, *no_reboot, output).await,
        Action::LaunchClone {
            source,
            image,
            subnet_id,
            client_token,
            output,
        } => images::launch_clone(act, source, image, subnet_id, client_token, output).await,
        Action::DeregisterImage { image } => images::deregister_image(act, image).await,
        Action::CreateSnapshot {
            volume,
            description,
            output,
        } => storage::snapshot(act, volume, description, output).await,
        Action::CreateSnapshotSet {
            instance,
            description,
            snapshots,
        } => storage::snapshot_set(act, instance, description, snapshots).await,
        Action::RestoreVolume {
            snapshot,
            az,
            volume_type,
            output,
        } => storage::restore_volume(act, snapshot, az, volume_type, output).await,
        Action::AttachVolume {
            volume,
            instance,
            device,
        } => storage::attach_volume(act, volume, instance, device).await,
        Action::DetachVolume {
            volume,
            instance,
            force,
        } => storage::detach_volume(act, volume, instance, *force).await,
        Action::DeleteSnapshot { snapshot } => storage::delete_snapshot(act, snapshot).await,
        Action::AssociateAddress {
            allocation_id,
            target,
            output,
            only_from,
            ..
        } => network::associate(act, allocation_id, target, output, only_from.as_ref()).await,
        Action::DisassociateAddress {
            allocation_id,
            from,
        } => network::disassociate(act, allocation_id, from).await,
        Action::DetachNetworkInterface {
            eni_id, instance, ..
        } => network::detach_eni(act, eni_id, instance).await,
        Action::AttachNetworkInterface {
            eni_id,
            instance,
            device_index,
        } => network::attach_eni(act, eni_id, instance, *device_index).await,
        Action::MovePrivateIp { ip, to, .. } => network::move_private_ip(act, ip, to).await,
    }
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
