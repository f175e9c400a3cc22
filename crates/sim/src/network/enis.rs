//! Network interfaces: created in a subnet with their addresses (the next free host unless one is
//! asked for), attached and detached with their short transitions, deleted or detached when their
//! instance terminates.

use super::addresses::clear_association;
use super::private_ips::check_in_subnet;
use super::{dry_ok, eni_not_found};
use crate::ids;
use crate::instances::not_found_instances;
use crate::model::*;
use crate::world::{Tr, World, err, timing};
use opsdeck_core::cloud::CloudResult;
use opsdeck_core::domain::*;
use rand_chacha::ChaCha8Rng;

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
    pub(super) fn primary_eni_of(&self, instance_id: &str) -> CloudResult<(String, String)> {
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

impl World {
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
}
