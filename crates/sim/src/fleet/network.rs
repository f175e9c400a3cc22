//! A fleet file's network: the region with its VPC, subnets and security groups first (everything
//! else lives in them), then network interfaces and Elastic IPs, which may sit on an instance.

use super::names::Names;
use super::region::{add_subnet, new_region};
use super::spec::{FleetSpec, RegionSpec};
use super::tags::with;
use crate::error::SimError;
use crate::ids::{self, Cidr};
use crate::world::World;
use opsdeck_core::domain::*;

/// The region (VPC, default security group, zones), its subnets and its security groups.
pub(super) fn load_network<'a>(
    w: &mut World,
    fleet: &FleetSpec,
    spec: &'a RegionSpec,
) -> Result<Names<'a>, SimError> {
    let region = spec.name.as_str();
    let ft = &fleet.tags;
    let mut names = Names::new(region);
    new_region(w, region, &spec.zones)?;
    if Cidr::parse(&spec.vpc_cidr).is_none() {
        return Err(names.err(format!("bad VPC CIDR {}", spec.vpc_cidr)));
    }
    for s in &spec.subnets {
        let id = add_subnet(
            w,
            region,
            &s.az,
            &s.cidr,
            s.public,
            with(ft, &[("Name", &s.name)]),
        )?;
        names.subnets.insert(s.name.as_str(), id);
    }
    for name in &spec.security_groups {
        names
            .security_groups
            .insert(name.clone(), ids::ec2_id(&mut w.rng, "sg"));
    }
    let r = w.region_mut(region).map_err(|x| names.err(x.to_string()))?;
    r.security_groups = names.security_groups.clone();
    Ok(names)
}

/// Network interfaces beyond the instances' own, attached to an instance when the spec says so.
pub(super) fn load_enis<'a>(
    w: &mut World,
    fleet: &FleetSpec,
    spec: &'a RegionSpec,
    names: &mut Names<'a>,
) -> Result<(), SimError> {
    let region = names.region;
    let ft = &fleet.tags;
    for n in &spec.network_interfaces {
        let sn = names.subnet(&n.subnet)?;
        let groups = names.security_groups(&n.security_groups)?;
        let mut tags = with(ft, &[("Name", &n.name)]);
        tags.extend(n.tags.clone());
        let World { regions, rng, .. } = &mut *w;
        let r = regions
            .get_mut(region)
            .ok_or_else(|| names.err("region vanished".into()))?;
        let groups = if groups.is_empty() {
            vec![r.default_sg.clone()]
        } else {
            groups
        };
        let id = r
            .create_eni(
                rng,
                &sn,
                &n.description,
                None,
                n.secondary_ips,
                groups,
                tags,
            )
            .map_err(|x| names.err(x.to_string()))?;
        if let Some(target) = &n.attach_to {
            let iid = names.instance(target)?;
            let att = ids::ec2_id(rng, "eni-attach");
            if let Some(rec) = r.enis.get_mut(&id) {
                rec.eni.status = "in-use".into();
                rec.eni.attachment = Some(EniAttachment {
                    attachment_id: att.into(),
                    instance_id: Some(iid.into()),
                    device_index: n.device_index,
                    status: "attached".into(),
                    delete_on_termination: false,
                });
            }
        }
        names.enis.insert(n.name.as_str(), id);
    }
    Ok(())
}

/// Elastic IPs, free or on an instance's primary address or an interface's (not both).
pub(super) fn load_elastic_ips(
    w: &mut World,
    fleet: &FleetSpec,
    spec: &RegionSpec,
    names: &Names,
) -> Result<(), SimError> {
    let region = names.region;
    let ft = &fleet.tags;
    for a in &spec.elastic_ips {
        let alloc = ids::ec2_id(&mut w.rng, "eipalloc");
        let ip = ids::public_ip(&mut w.rng);
        let assoc = ids::ec2_id(&mut w.rng, "eipassoc");
        let target = match (&a.instance, &a.eni) {
            (Some(i), None) => {
                let iid = names.instance(i)?;
                let r = w.region(region).map_err(|x| names.err(x.to_string()))?;
                r.enis
                    .values()
                    .find(|n| n.primary_of.as_deref() == Some(iid.as_str()))
                    .map(|n| {
                        (
                            n.eni.id.clone(),
                            n.eni.primary_private_ip().unwrap_or_default().to_string(),
                        )
                    })
            }
            (None, Some(n)) => {
                let nid = names
                    .enis
                    .get(n.as_str())
                    .cloned()
                    .ok_or_else(|| names.err(format!("no network interface named {n}")))?;
                let r = w.region(region).map_err(|x| names.err(x.to_string()))?;
                r.enis.get(&nid).map(|n| {
                    (
                        n.eni.id.clone(),
                        n.eni.primary_private_ip().unwrap_or_default().to_string(),
                    )
                })
            }
            (None, None) => None,
            _ => {
                return Err(names.err(format!("elastic IP {}: instance or eni, not both", a.name)));
            }
        };
        let mut tags = with(ft, &[("Name", &a.name)]);
        tags.extend(a.tags.clone());
        let r = w.region_mut(region).map_err(|x| names.err(x.to_string()))?;
        r.eips.insert(
            alloc.clone(),
            ElasticIp {
                region: region.into(),
                allocation_id: alloc.into(),
                public_ip: ip.into(),
                association_id: (target.as_ref().map(|_| assoc)).map(Into::into),
                instance_id: None,
                network_interface_id: target.as_ref().map(|t| t.0.clone()),
                private_ip: (target.map(|t| t.1)).map(Into::into),
                tags,
            },
        );
    }
    Ok(())
}
