//! Secondary private addresses: assigned to an interface (taken from another only with
//! AllowReassignment, never its primary: `InvalidIPAddress.InUse`) and unassigned, an Elastic IP on
//! the address following it or letting go.

use super::addresses::clear_association;
use super::eni_not_found;
use crate::ids::Cidr;
use crate::world::{World, err};
use opsdeck_core::cloud::CloudResult;
use opsdeck_core::domain::*;

/// An address the caller picked must be a usable host of the subnet.
pub(super) fn check_in_subnet(cidr: &Cidr, ip: &str) -> CloudResult<()> {
    let first_usable = cidr.host(0);
    let last_usable = cidr.host(cidr.usable().saturating_sub(1));
    let as_u32 = |s: &str| s.parse::<std::net::Ipv4Addr>().ok().map(u32::from);
    let ok = cidr.contains(ip)
        && match (as_u32(ip), first_usable.as_deref().and_then(as_u32)) {
            (Some(a), Some(f)) => {
                a >= f
                    && last_usable
                        .as_deref()
                        .and_then(as_u32)
                        .is_some_and(|l| a <= l)
            }
            _ => false,
        };
    if ok {
        Ok(())
    } else {
        Err(err(
            "InvalidParameterValue",
            format!("Address {ip} does not fall within the subnet's address range"),
        ))
    }
}

impl World {
    pub(crate) fn assign_private_ips(
        &mut self,
        region: &str,
        eni_id: &str,
        ips: &[String],
        allow_reassignment: bool,
    ) -> CloudResult<()> {
        let r = self.region(region)?;
        let e = r.enis.get(eni_id).ok_or_else(|| eni_not_found(eni_id))?;
        let cidr = r
            .subnets
            .get(e.eni.subnet_id.as_str())
            .map(|s| s.cidr)
            .ok_or_else(|| err("InvalidSubnetID.NotFound", e.eni.subnet_id.clone()))?;
        let subnet_id = e.eni.subnet_id.clone();
        let mut moves: Vec<(String, Option<String>)> = Vec::new();
        for ip in ips {
            check_in_subnet(&cidr, ip)?;
            match r.private_ips.get(ip) {
                Some(holder) if holder == eni_id => {}
                Some(holder) => {
                    let is_primary = r.enis.get(holder).and_then(|h| h.eni.primary_private_ip())
                        == Some(ip.as_str());
                    if is_primary || !allow_reassignment {
                        return Err(err(
                            "InvalidIPAddress.InUse",
                            format!("Address {ip} is in use."),
                        ));
                    }
                    moves.push((ip.clone(), Some(holder.clone())));
                }
                None => moves.push((ip.clone(), None)),
            }
        }
        let r = self.region_mut(region)?;
        for (ip, from) in moves {
            if let Some(from) = &from {
                if let Some(h) = r.enis.get_mut(from) {
                    h.eni.private_ips.retain(|p| p.address != ip);
                }
                // An Elastic IP mapped to the address follows it to its new interface.
                for eip in r.eips.values_mut() {
                    if eip.network_interface_id.as_deref() == Some(from.as_str())
                        && eip.private_ip.as_deref() == Some(ip.as_str())
                    {
                        eip.network_interface_id = Some(eni_id.into());
                    }
                }
            } else if let Some(s) = r.subnets.get_mut(subnet_id.as_str()) {
                s.subnet.available_ips = (s.subnet.available_ips - 1).max(0);
            }
            r.private_ips.insert(ip.clone(), eni_id.to_string());
            if let Some(e) = r.enis.get_mut(eni_id) {
                e.eni.private_ips.push(PrivateIp {
                    address: ip.into(),
                    primary: false,
                    public_ip: None,
                });
            }
        }
        Ok(())
    }

    pub(crate) fn unassign_private_ips(
        &mut self,
        region: &str,
        eni_id: &str,
        ips: &[String],
    ) -> CloudResult<()> {
        let r = self.region_mut(region)?;
        let e = r.enis.get(eni_id).ok_or_else(|| eni_not_found(eni_id))?;
        for ip in ips {
            if !e
                .eni
                .private_ips
                .iter()
                .any(|p| p.address == ip && !p.primary)
            {
                return Err(err(
                    "InvalidParameterValue",
                    format!(
                        "Some of the specified addresses are not assigned to interface {eni_id}"
                    ),
                ));
            }
        }
        let subnet_id = e.eni.subnet_id.clone();
        for ip in ips {
            r.private_ips.remove(ip);
            for eip in r.eips.values_mut() {
                if eip.network_interface_id.as_deref() == Some(eni_id)
                    && eip.private_ip.as_deref() == Some(ip.as_str())
                {
                    clear_association(eip);
                }
            }
        }
        if let Some(e) = r.enis.get_mut(eni_id) {
            e.eni
                .private_ips
                .retain(|p| !ips.iter().any(|ip| *ip == p.address));
        }
        if let Some(s) = r.subnets.get_mut(subnet_id.as_str()) {
            s.subnet.available_ips += ips.len() as i32;
        }
        Ok(())
    }
}
