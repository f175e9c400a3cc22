//! A region's skeleton, which both a fleet file and the generator start from: the region with its VPC,
//! default security group and zones, then its subnets.

use crate::error::SimError;
use crate::ids::{self, Cidr};
use crate::model::*;
use crate::world::World;
use opsdeck_core::domain::*;

/// AWS's short region code in zone ids (`us-east-1` → `use1`).
pub(super) fn region_code(region: &str) -> String {
    let parts: Vec<&str> = region.split('-').collect();
    let dir = |p: &str| -> String {
        match p {
            "east" => "e".into(),
            "west" => "w".into(),
            "north" => "n".into(),
            "south" => "s".into(),
            "central" => "c".into(),
            "southeast" => "se".into(),
            "northeast" => "ne".into(),
            "northwest" => "nw".into(),
            "southwest" => "sw".into(),
            other => other.chars().take(1).collect(),
        }
    };
    match parts.as_slice() {
        [a, b, n] => format!("{a}{}{n}", dir(b)),
        _ => region.replace('-', ""),
    }
}

/// Creates an empty region (VPC, default security group, zones).
pub(super) fn new_region(w: &mut World, name: &str, zones: &[String]) -> Result<(), SimError> {
    if w.regions.contains_key(name) {
        return Err(SimError(format!("region {name} is described twice")));
    }
    let vpc_id = ids::ec2_id(&mut w.rng, "vpc");
    let default_sg = ids::ec2_id(&mut w.rng, "sg");
    let code = region_code(name);
    let zones = zones
        .iter()
        .enumerate()
        .map(|(n, z)| {
            if !z.starts_with(name) {
                return Err(SimError(format!("zone {z} is not in region {name}")));
            }
            Ok(ZoneRec {
                zone: AvailabilityZone {
                    region: name.into(),
                    name: z.as_str().into(),
                    zone_id: Some(format!("{code}-az{}", n + 1).into()),
                    state: ZoneState::Available,
                    messages: vec![],
                },
                outage: false,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    w.regions.insert(
        name.to_string(),
        Region {
            name: name.to_string(),
            vpc_id,
            default_sg,
            zones,
            ..Region::default()
        },
    );
    Ok(())
}

pub(super) fn add_subnet(
    w: &mut World,
    region: &str,
    az: &str,
    cidr_text: &str,
    public: bool,
    tags: Tags,
) -> Result<String, SimError> {
    let cidr = Cidr::parse(cidr_text).ok_or_else(|| SimError(format!("bad CIDR {cidr_text}")))?;
    let id = ids::ec2_id(&mut w.rng, "subnet");
    let r = w
        .regions
        .get_mut(region)
        .ok_or_else(|| SimError(format!("no region {region}")))?;
    if r.zone(az).is_none() {
        return Err(SimError(format!(
            "subnet zone {az} is not a zone of {region}"
        )));
    }
    r.subnets.insert(
        id.clone(),
        SubnetRec {
            subnet: Subnet {
                region: region.into(),
                id: id.as_str().into(),
                vpc_id: r.vpc_id.as_str().into(),
                az: az.into(),
                cidr: cidr_text.into(),
                available_ips: cidr.usable() as i32,
                default_for_az: false,
                tags,
            },
            cidr,
            next_host: 0,
            public,
        },
    );
    Ok(id)
}
