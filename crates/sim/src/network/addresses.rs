//! Elastic IPs: association and its moves (`Resource.AlreadyAssociated` without
//! AllowReassociation), and the auto-assigned public address an Elastic IP displaces and gives back.

use super::{dry_ok, eni_not_found};
use crate::ids;
use crate::instances::not_found_instances;
use crate::model::*;
use crate::world::{World, err};
use opsdeck_core::cloud::{AddressTarget, CloudResult};
use opsdeck_core::domain::*;

/// The instance whose public address an Elastic IP on (`eni_id`, `private_ip`) is: the one that
/// ENI is attached to at device index 0, when `private_ip` is the ENI's primary address.
fn public_address_owner(r: &Region, eni_id: &str, private_ip: &str) -> Option<String> {
    let e = r.enis.get(eni_id)?;
    let a = e.eni.attachment.as_ref()?;
    if a.device_index != 0 || e.eni.primary_private_ip() != Some(private_ip) {
        return None;
    }
    a.instance_id.as_deref().map(Into::into)
}

/// AWS, "Elastic IP addresses": associating one with an instance's primary address releases the
/// instance's auto-assigned public IPv4 address to the pool ...
fn release_public_ip(r: &mut Region, instance_id: &str) {
    if let Some(rec) = r.instances.get_mut(instance_id) {
        rec.public_ip = None;
    }
}

/// ... and when it is disassociated again (or moved elsewhere) a running instance that had an
/// auto-assigned address gets a new one, unless it has a second network interface attached. (AWS
/// takes up to a few minutes; the sim assigns it at once.)
fn reassign_public_ip(r: &mut Region, instance_id: &str, new_ip: String) {
    let interfaces = r
        .enis
        .values()
        .filter(|e| e.attached_to(instance_id))
        .count();
    if let Some(rec) = r.instances.get_mut(instance_id)
        && rec.auto_public_ip
        && interfaces <= 1
        && matches!(
            rec.inst.state,
            InstanceState::Running | InstanceState::Pending
        )
    {
        rec.public_ip = Some(new_ip);
    }
}

pub(super) fn clear_association(eip: &mut ElasticIp) {
    eip.association_id = None;
    eip.instance_id = None;
    eip.network_interface_id = None;
    eip.private_ip = None;
}

impl World {
    pub(crate) fn associate_address(
        &mut self,
        region: &str,
        allocation_id: &str,
        target: &AddressTarget,
        allow_reassociation: bool,
        dry_run: bool,
    ) -> CloudResult<String> {
        let r = self.region(region)?;
        let eip = r.eips.get(allocation_id).ok_or_else(|| {
            err(
                "InvalidAllocationID.NotFound",
                format!("The allocation ID '{allocation_id}' does not exist"),
            )
        })?;
        let (eni_id, private_ip) = match target {
            AddressTarget::Instance(id) => {
                let rec = r
                    .instances
                    .get(id)
                    .ok_or_else(|| not_found_instances(&[id]))?;
                if matches!(
                    rec.inst.state,
                    InstanceState::ShuttingDown | InstanceState::Terminated
                ) {
                    return Err(err(
                        "IncorrectInstanceState",
                        format!("The instance '{id}' is not in a valid state for this operation."),
                    ));
                }
                r.primary_eni_of(id)?
            }
            AddressTarget::NetworkInterface { eni_id, private_ip } => {
                let e = r.enis.get(eni_id).ok_or_else(|| eni_not_found(eni_id))?;
                let ip = match private_ip {
                    Some(ip) => {
                        if !e.eni.private_ips.iter().any(|p| p.address == ip) {
                            return Err(err(
                                "InvalidParameterValue",
                                format!(
                                    "The private IP address {ip} is not assigned to the network interface {eni_id}"
                                ),
                            ));
                        }
                        ip.clone()
                    }
                    None => e
                        .eni
                        .primary_private_ip()
                        .map(str::to_string)
                        .unwrap_or_default(),
                };
                (eni_id.clone(), ip)
            }
        };
        let same_target = eip.network_interface_id.as_deref() == Some(eni_id.as_str())
            && eip.private_ip.as_deref() == Some(private_ip.as_str());
        if eip.association_id.is_some() && !same_target && !allow_reassociation {
            return Err(err(
                "Resource.AlreadyAssociated",
                format!(
                    "resource {allocation_id} is already associated with associate-id {}",
                    eip.association_id.as_deref().unwrap_or_default()
                ),
            ));
        }
        if dry_run {
            return Err(dry_ok());
        }
        if same_target && let Some(a) = &eip.association_id {
            return Ok(a.to_string());
        }
        // Where the address was before (a reassociation takes it away from there).
        let left = match (&eip.network_interface_id, &eip.private_ip) {
            (Some(n), Some(ip)) => public_address_owner(r, n, ip),
            _ => None,
        };
        let arrives = public_address_owner(r, &eni_id, &private_ip);
        let left = left.filter(|l| arrives.as_ref() != Some(l));
        let assoc = ids::ec2_id(&mut self.rng, "eipassoc");
        let new_ip = left.as_ref().map(|_| ids::public_ip(&mut self.rng));
        let r = self.region_mut(region)?;
        // Whatever address pointed at the same private IP is replaced (it stays allocated).
        for other in r.eips.values_mut() {
            if other.allocation_id != allocation_id
                && other.network_interface_id.as_deref() == Some(eni_id.as_str())
                && other.private_ip.as_deref() == Some(private_ip.as_str())
            {
                clear_association(other);
            }
        }
        if let Some(eip) = r.eips.get_mut(allocation_id) {
            eip.association_id = Some(assoc.as_str().into());
            eip.network_interface_id = Some(eni_id.into());
            eip.private_ip = Some(private_ip.into());
        }
        if let Some(id) = &arrives {
            release_public_ip(r, id);
        }
        if let (Some(id), Some(ip)) = (left, new_ip) {
            reassign_public_ip(r, &id, ip);
        }
        Ok(assoc)
    }

    pub(crate) fn disassociate_address(
        &mut self,
        region: &str,
        association_id: &str,
        dry_run: bool,
    ) -> CloudResult<()> {
        let r = self.region_mut(region)?;
        let eip = r
            .eips
            .values_mut()
            .find(|e| e.association_id.as_deref() == Some(association_id))
            .ok_or_else(|| {
                err(
                    "InvalidAssociationID.NotFound",
                    format!("The association ID '{association_id}' does not exist"),
                )
            })?;
        if dry_run {
            return Err(dry_ok());
        }
        let left = match (&eip.network_interface_id, &eip.private_ip) {
            (Some(n), Some(ip)) => Some((n.clone(), ip.clone())),
            _ => None,
        };
        clear_association(eip);
        let owner = left.and_then(|(n, ip)| public_address_owner(r, &n, &ip));
        if let Some(id) = owner {
            let new_ip = ids::public_ip(&mut self.rng);
            let r = self.region_mut(region)?;
            reassign_public_ip(r, &id, new_ip);
        }
        Ok(())
    }
}
