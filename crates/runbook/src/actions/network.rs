//! The client-facing address: Elastic IP associate/disassociate, network interface attach/detach,
//! secondary private IP move. Each is verified by reading it back, and none takes an address or an
//! interface from where someone else put it since the run moved it.

use super::shared::{
    Act, Acted, Called, Ctx, Seen, must_eip, must_eni, must_instance, no_outputs, one,
    pending_or_act, resolve,
};
use crate::journal::Outputs;
use crate::plan::{AddressMove, Val};
use opsdeck_core::cloud::{AddressTarget, CloudError, CloudResult};
use opsdeck_core::domain::*;

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

pub(super) async fn observe_associate(
    ctx: &Ctx<'_>,
    called: Called,
    allocation_id: &str,
    target: &AddressMove,
    output: &str,
    only_from: Option<&AddressMove>,
) -> CloudResult<Seen> {
    let eip = must_eip(ctx.read, allocation_id).await?;
    // Verified by reading the association back, never assumed from the call's answer.
    Ok(if points_at(&eip, target, ctx.outputs)? {
        Seen::Done(one(output, eip.association_id.unwrap_or_default()))
    } else if !still_at(&eip, only_from, ctx.outputs)? {
        // Re-pointed by someone else since the run moved it: left alone.
        Seen::Done(Outputs::new())
    } else {
        pending_or_act(called, "waiting for the association to show")
    })
}

pub(super) async fn associate(
    act: Act<'_>,
    allocation_id: &str,
    target: &AddressMove,
    output: &str,
    only_from: Option<&AddressMove>,
) -> CloudResult<Acted> {
    let Act {
        ctx,
        write,
        dry_run,
    } = act;
    let o = ctx.outputs;
    let eip = must_eip(ctx.read, allocation_id).await?;
    if !still_at(&eip, only_from, o)? {
        if dry_run {
            return Err(CloudError::dry_run_ok(format!(
                "checked by reading ({allocation_id} is not where the run put it)"
            )));
        }
        return Ok((None, Outputs::new()));
    }
    let to = match target {
        AddressMove::Instance(v) => AddressTarget::Instance(resolve(v, o)?),
        AddressMove::NetworkInterface { eni_id, private_ip } => AddressTarget::NetworkInterface {
            eni_id: eni_id.clone(),
            private_ip: private_ip.clone(),
        },
    };
    let w = write
        .associate_address(allocation_id, &to, true, dry_run)
        .await?;
    Ok((w.request_id, one(output, w.value)))
}

pub(super) async fn observe_disassociate(
    ctx: &Ctx<'_>,
    called: Called,
    allocation_id: &str,
    from: &AddressMove,
) -> CloudResult<Seen> {
    let eip = must_eip(ctx.read, allocation_id).await?;
    Ok(
        if eip.association_id.is_none() || !points_at(&eip, from, ctx.outputs)? {
            // Associated with nothing, or re-pointed by someone else meanwhile: left alone.
            Seen::Done(Outputs::new())
        } else {
            pending_or_act(called, "waiting for the disassociation to show")
        },
    )
}

pub(super) async fn disassociate(
    act: Act<'_>,
    allocation_id: &str,
    from: &AddressMove,
) -> CloudResult<Acted> {
    let Act {
        ctx,
        write,
        dry_run,
    } = act;
    let eip = must_eip(ctx.read, allocation_id).await?;
    Ok(match eip.association_id.as_deref() {
        // Only from where the run put it: never from wherever someone moved it since.
        Some(assoc) if points_at(&eip, from, ctx.outputs)? => {
            no_outputs(write.disassociate_address(assoc, dry_run).await?)
        }
        _ if dry_run => {
            return Err(CloudError::dry_run_ok(format!(
                "checked by reading ({allocation_id} is not where the run put it)"
            )));
        }
        _ => (None, Outputs::new()),
    })
}

pub(super) async fn observe_detach_eni(
    ctx: &Ctx<'_>,
    called: Called,
    eni_id: &str,
    instance: &str,
) -> CloudResult<Seen> {
    let n = must_eni(ctx.read, eni_id).await?;
    Ok(
        match live_attachment(&n).filter(|a| a.instance_id.as_deref() == Some(instance)) {
            None => Seen::Done(Outputs::new()),
            Some(a) if a.status == "detaching" => Seen::Pending("detaching".into()),
            Some(_) => pending_or_act(called, "waiting for detaching to show"),
        },
    )
}

pub(super) async fn detach_eni(act: Act<'_>, eni_id: &str, instance: &str) -> CloudResult<Acted> {
    let Act {
        ctx,
        write,
        dry_run,
    } = act;
    let n = must_eni(ctx.read, eni_id).await?;
    Ok(
        match live_attachment(&n).filter(|a| a.instance_id.as_deref() == Some(instance)) {
            // Not (or no longer) on that instance: never detach it from another one.
            None => (None, Outputs::new()),
            Some(a) => no_outputs(
                write
                    .detach_network_interface(&a.attachment_id, false, dry_run)
                    .await?,
            ),
        },
    )
}

pub(super) async fn observe_attach_eni(
    ctx: &Ctx<'_>,
    called: Called,
    eni_id: &str,
    instance: &Val,
) -> CloudResult<Seen> {
    let iid = resolve(instance, ctx.outputs)?;
    // Verified by reading the attachment back, never assumed from the call's answer.
    let n = must_eni(ctx.read, eni_id).await?;
    Ok(match live_attachment(&n) {
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
        None => pending_or_act(called, "waiting for the attachment to show"),
    })
}

pub(super) async fn attach_eni(
    act: Act<'_>,
    eni_id: &str,
    instance: &Val,
    device_index: i32,
) -> CloudResult<Acted> {
    let Act {
        ctx,
        write,
        dry_run,
    } = act;
    let iid = resolve(instance, ctx.outputs)?;
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
        .attach_network_interface(eni_id, &iid, device_index, dry_run)
        .await?;
    Ok((w.request_id, Outputs::new()))
}

pub(super) async fn observe_move_private_ip(
    ctx: &Ctx<'_>,
    called: Called,
    ip: &str,
    to: &Val,
) -> CloudResult<Seen> {
    let iid = resolve(to, ctx.outputs)?;
    let enis = ctx.read.network_interfaces().await?;
    let target = primary_eni_of(&enis, &iid).ok_or_else(|| no_primary_eni(&iid))?;
    // Verified by reading the addresses back: on the new interface, and on no other.
    let holders: Vec<&str> = enis
        .iter()
        .filter(|n| n.private_ips.iter().any(|p| p.address == ip))
        .map(|n| n.id.as_str())
        .collect();
    Ok(match holders.as_slice() {
        [only] if *only == target.id => Seen::Done(Outputs::new()),
        h if h.contains(&target.id.as_str()) => Seen::Pending(format!(
            "{ip} still listed on {}",
            h.iter()
                .filter(|x| **x != target.id)
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        )),
        _ => pending_or_act(
            called,
            &format!("waiting for {ip} to show on {}", target.id),
        ),
    })
}

pub(super) async fn move_private_ip(act: Act<'_>, ip: &String, to: &Val) -> CloudResult<Acted> {
    let Act {
        ctx,
        write,
        dry_run,
    } = act;
    let iid = resolve(to, ctx.outputs)?;
    let enis = ctx.read.network_interfaces().await?;
    let target = primary_eni_of(&enis, &iid).ok_or_else(|| no_primary_eni(&iid))?;
    Ok(no_outputs(
        write
            .assign_private_ips(&target.id, std::slice::from_ref(ip), true, dry_run)
            .await?,
    ))
}
