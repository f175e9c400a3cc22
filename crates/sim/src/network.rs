//! Elastic IPs, network interfaces and private addresses: association moves and EC2's reassignment
//! rules (`Resource.AlreadyAssociated` without AllowReassociation, `InvalidIPAddress.InUse` without
//! AllowReassignment), ENI attach/detach with their short transitions.

use super::ids::{self, Cidr};
use super::instances::not_found_instances;
use super::model::*;
use super::world::{Tr, World, err, timing};
use opsdeck_core::cloud::{AddressTarget, CloudError, CloudResult};
use opsdeck_core::domain::*;
use rand_chacha::ChaCha8Rng;

fn eni_not_found(id: &str) -> CloudError {
    err(
        "InvalidNetworkInterfaceID.NotFound",
        format!("The networkInterface ID '{id}' does not exist"),
    )
}

fn dry_ok() -> CloudError {
    CloudError::dry_run_ok("Request would have succeeded, but DryRun flag is set.")
}

impl Region {
    /// The next free host address of a subnet.
    fn next_free_ip(&mut self, subnet_id: &str) -> CloudResult<String> {
        let s = self.subnets.get_mut(subnet_id).ok_or_else(|| {
            err(
                "InvalidSubnetID.NotFound",
                format!("The subnet ID '{subnet_id}' does not exist"),
            )
        })?;
        loop {
            let ip = s.cidr.host(s.next_host).ok_or_else(|| {
                err(
                    "InsufficientFreeAddressesInSubnet",
                    format!("The subnet '{subnet_id}' has no free addresses"),
                )
            })?;
            s.next_host += 1;
            if !self.private_ips.contains_key(&ip) {
                return Ok(ip);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn create_eni(
        &mut self,
        rng: &mut ChaCha8Rng,
        subnet_id: &str,
        description: &str,
        private_ip: Option<String>,
        secondary: u32,
        security_groups: Vec<String>,
        tags: Tags,
    ) -> CloudResult<String> {
        let subnet = self
            .subnets
            .get(subnet_id)
            .map(|s| (s.subnet.clone(), s.cidr))
            .ok_or_else(|| {
                err(
                    "InvalidSubnetID.NotFound",
                    format!("The subnet ID '{subnet_id}' does not exist"),
                )
            })?;
        let primary = match private_ip {
            Some(ip) => {
                check_in_subnet(&subnet.1, &ip)?;
                if self.private_ips.contains_key(&ip) {
                    return Err(err(
                        "InvalidIPAddress.InUse",
                        format!("Address {ip} is in use."),
                    ));
                }
                ip
            }
            None => self.next_free_ip(subnet_id)?,
        };
        let id = ids::ec2_id(rng, "eni");
        let mut addrs = vec![PrivateIp {
            address: primary.as_str().into(),
            primary: true,
            public_ip: None,
        }];
        self.private_ips.insert(primary, id.clone());
        for _ in 0..secondary {
            let ip = self.next_free_ip(subnet_id)?;
            self.private_ips.insert(ip.clone(), id.clone());
            addrs.push(PrivateIp {
                address: ip.into(),
                primary: false,
                public_ip: None,
            });
        }
        if let Some(s) = self.subnets.get_mut(subnet_id) {
            s.subnet.available_ips = (s.subnet.available_ips - addrs.len() as i32).max(0);
        }
        self.enis.insert(
            id.clone(),
            EniRec {
                eni: NetworkInterface {
                    region: self.name.as_str().into(),
                    id: id.as_str().into(),
                    az: subnet.0.az.clone(),
                    subnet_id: subnet_id.into(),
                    vpc_id: subnet.0.vpc_id.clone(),
                    status: "available".into(),
                    description: description.into(),
                    private_ips: addrs,
                    attachment: None,
                    security_groups: security_groups.into_iter().map(Into::into).collect(),
                    tags,
                },
                ver: 0,
                primary_of: None,
            },
        );
        Ok(id)
    }

    fn delete_eni(&mut self, eni_id: &str) {
        if let Some(e) = self.enis.remove(eni_id) {
            for p in &e.eni.private_ips {
                self.private_ips.remove(p.address.as_str());
            }
            for eip in self.eips.values_mut() {
                if eip.network_interface_id.as_deref() == Some(eni_id) {
                    clear_association(eip);
                }
            }
            if let Some(s) = self.subnets.get_mut(e.eni.subnet_id.as_str()) {
                s.subnet.available_ips += e.eni.private_ips.len() as i32;
            }
        }
    }

    /// A terminated instance: its own primary interface goes (with any EIP on it), others detach.
    pub(crate) fn release_instance_network(&mut self, instance_id: &str) {
        let attached: Vec<(String, bool)> = self
            .enis
            .values()
            .filter(|e| e.attached_to(instance_id))
            .map(|e| {
                (
                    e.eni.id.to_string(),
                    e.primary_of.as_deref() == Some(instance_id)
                        || e.eni
                            .attachment
                            .as_ref()
                            .is_some_and(|a| a.delete_on_termination),
                )
            })
            .collect();
        for (id, delete) in attached {
            if delete {
                self.delete_eni(&id);
            } else if let Some(e) = self.enis.get_mut(&id) {
                e.ver += 1;
                e.eni.attachment = None;
                e.eni.status = "available".into();
            }
        }
    }

    /// The ENI and private address an instance's traffic uses (its device-0 interface).
    fn primary_eni_of(&self, instance_id: &str) -> CloudResult<(String, String)> {
        let enis: Vec<&EniRec> = self
            .enis
            .values()
            .filter(|e| e.attached_to(instance_id))
            .collect();
        if enis.len() > 1 {
            return Err(err(
                "InvalidInstanceID",
                format!(
                    "There are multiple interfaces attached to instance '{instance_id}'. Please specify an interface ID for the operation instead."
                ),
            ));
        }
        let e = enis.first().ok_or_else(|| {
            err(
                "InvalidInstanceID",
                format!("The instance '{instance_id}' has no network interface"),
            )
        })?;
        let ip = e
            .eni
            .primary_private_ip()
            .map(str::to_string)
            .unwrap_or_default();
        Ok((e.eni.id.to_string(), ip))
    }
}

fn check_in_subnet(cidr: &Cidr, ip: &str) -> CloudResult<()> {
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

fn clear_association(eip: &mut ElasticIp) {
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

    pub(crate) fn attach_network_interface(
        &mut self,
        region: &str,
        eni_id: &str,
        instance_id: &str,
        device_index: i32,
        dry_run: bool,
    ) -> CloudResult<String> {
        let r = self.region(region)?;
        let e = r.enis.get(eni_id).ok_or_else(|| eni_not_found(eni_id))?;
        let rec = r
            .instances
            .get(instance_id)
            .ok_or_else(|| not_found_instances(&[instance_id]))?;
        if e.eni.attachment.is_some() || e.eni.status != "available" {
            return Err(err(
                "InvalidParameterValue",
                format!("Interface: [{eni_id}] in use."),
            ));
        }
        if !matches!(
            rec.inst.state,
            InstanceState::Running | InstanceState::Stopped
        ) {
            return Err(err(
                "IncorrectInstanceState",
                format!(
                    "The instance '{instance_id}' is not in a state from which a network interface can be attached."
                ),
            ));
        }
        if e.eni.az != rec.inst.az {
            return Err(err(
                "InvalidParameterValue",
                format!(
                    "The network interface {eni_id} ({}) and the instance {instance_id} ({}) must be in the same Availability Zone",
                    e.eni.az, rec.inst.az
                ),
            ));
        }
        let index_taken = r.enis.values().any(|o| {
            o.eni.attachment.as_ref().is_some_and(|a| {
                a.instance_id.as_deref() == Some(instance_id) && a.device_index == device_index
            })
        });
        if index_taken {
            return Err(err(
                "InvalidParameterValue",
                format!(
                    "Instance '{instance_id}' already has an interface attached at device index '{device_index}'."
                ),
            ));
        }
        if dry_run {
            return Err(dry_ok());
        }
        let attachment_id = ids::ec2_id(&mut self.rng, "eni-attach");
        let at = self.after(timing::ENI_ATTACH, 0.0);
        let r = self.region_mut(region)?;
        let Some(e) = r.enis.get_mut(eni_id) else {
            return Err(eni_not_found(eni_id));
        };
        e.ver += 1;
        e.eni.status = "in-use".into();
        e.eni.attachment = Some(EniAttachment {
            attachment_id: attachment_id.as_str().into(),
            instance_id: Some(instance_id.into()),
            device_index,
            status: "attaching".into(),
            delete_on_termination: false,
        });
        let ver = e.ver;
        self.queue.push(
            at,
            Tr::EniAttached {
                region: region.into(),
                id: eni_id.into(),
                ver,
            },
        );
        Ok(attachment_id)
    }

    pub(crate) fn on_eni_attached(&mut self, region: &str, id: &str, ver: u64) {
        if let Some(e) = self
            .regions
            .get_mut(region)
            .and_then(|r| r.enis.get_mut(id))
            && e.ver == ver
            && let Some(a) = e.eni.attachment.as_mut()
        {
            a.status = "attached".into();
        }
    }

    pub(crate) fn detach_network_interface(
        &mut self,
        region: &str,
        attachment_id: &str,
        _force: bool,
        dry_run: bool,
    ) -> CloudResult<()> {
        let r = self.region(region)?;
        let e = r
            .enis
            .values()
            .find(|e| {
                e.eni
                    .attachment
                    .as_ref()
                    .is_some_and(|a| a.attachment_id == attachment_id)
            })
            .ok_or_else(|| {
                err(
                    "InvalidAttachmentID.NotFound",
                    format!("The attachment ID '{attachment_id}' does not exist"),
                )
            })?;
        let eni_id = e.eni.id.clone();
        let (index, status) = e
            .eni
            .attachment
            .as_ref()
            .map(|a| (a.device_index, a.status.clone()))
            .unwrap_or((0, String::new().into()));
        if index == 0 {
            return Err(err(
                "OperationNotPermitted",
                "The network interface at device index 0 cannot be detached.",
            ));
        }
        if dry_run {
            return Err(dry_ok());
        }
        if status == "detaching" {
            return Ok(());
        }
        let at = self.after(timing::ENI_DETACH, 0.0);
        let r = self.region_mut(region)?;
        let Some(e) = r.enis.get_mut(eni_id.as_str()) else {
            return Ok(());
        };
        e.ver += 1;
        if let Some(a) = e.eni.attachment.as_mut() {
            a.status = "detaching".into();
        }
        let ver = e.ver;
        self.queue.push(
            at,
            Tr::EniDetached {
                region: region.into(),
                id: eni_id.to_string(),
                ver,
            },
        );
        Ok(())
    }

    pub(crate) fn on_eni_detached(&mut self, region: &str, id: &str, ver: u64) {
        if let Some(e) = self
            .regions
            .get_mut(region)
            .and_then(|r| r.enis.get_mut(id))
            && e.ver == ver
        {
            e.eni.attachment = None;
            e.eni.status = "available".into();
        }
    }

    /// Checks what a dry run of Assign/UnassignPrivateIpAddresses can check (they have no DryRun):
    /// the interface exists.
    pub(crate) fn check_eni(&self, region: &str, eni_id: &str) -> CloudResult<()> {
        self.region(region)?
            .enis
            .get(eni_id)
            .map(|_| ())
            .ok_or_else(|| eni_not_found(eni_id))
    }

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
