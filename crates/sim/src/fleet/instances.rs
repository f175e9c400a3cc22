//! A fleet file's instances: each launched (with its primary interface and root volume), its extra
//! volumes attached, its events scheduled, and then stopped if the spec says so.

use super::events::load_events;
use super::names::Names;
use super::spec::{FleetSpec, InstanceSpec, RegionSpec};
use super::tags::{tag_primary_eni, with};
use super::times::at;
use crate::error::SimError;
use crate::ids;
use crate::instances::{NewInstance, cpu_for_role};
use crate::model::*;
use crate::world::World;
use base64::Engine;
use opsdeck_core::domain::*;

pub(super) fn load_instances<'a>(
    w: &mut World,
    fleet: &FleetSpec,
    spec: &'a RegionSpec,
    names: &mut Names<'a>,
) -> Result<(), SimError> {
    for i in &spec.instances {
        let launched = at(w.now, &i.launched)?;
        let id = launch(w, fleet, spec, names, i, launched)?;
        attach_volumes(w, fleet, names, i, &id, launched)?;
        load_events(w, names, &id, &i.events)?;
        settle_state(w, names, i, &id, launched)?;
        names.instances.insert(i.name.as_str(), id);
    }
    Ok(())
}

/// Creates the instance, running since `launched`, with the fleet's tags on it and its primary ENI.
fn launch(
    w: &mut World,
    fleet: &FleetSpec,
    spec: &RegionSpec,
    names: &Names,
    i: &InstanceSpec,
    launched: Timestamp,
) -> Result<String, SimError> {
    let region = names.region;
    let ft = &fleet.tags;
    let sn = names.subnet(&i.subnet)?;
    let public = match i.public_ip {
        Some(p) => p,
        None => w
            .region(region)
            .ok()
            .and_then(|r| r.subnets.get(&sn))
            .is_some_and(|s| s.public),
    };
    let image = match &i.image {
        Some(img) => names
            .images
            .get(img.as_str())
            .cloned()
            .unwrap_or(img.clone()),
        None => spec.base_images.first().cloned().ok_or_else(|| {
            names.err(format!(
                "instance {} has no image and there is no base image",
                i.name
            ))
        })?,
    };
    let mut extra: Vec<(&str, &str)> = vec![("Name", &i.name)];
    if let Some(role) = &i.role {
        extra.push(("role", role));
    }
    let mut tags = with(ft, &extra);
    tags.extend(i.tags.clone());
    let root_name = format!("{}-root", i.name);
    let mut vextra: Vec<(&str, &str)> = vec![("Name", &root_name)];
    if let Some(role) = &i.role {
        vextra.push(("role", role));
    }
    let id = w
        .create_instance(
            region,
            NewInstance {
                instance_type: i.instance_type.clone(),
                subnet_id: sn.clone(),
                image_id: image,
                security_group_ids: names.security_groups(&i.security_groups)?,
                key_name: i.key.clone(),
                iam_instance_profile_arn: i
                    .profile
                    .as_ref()
                    .map(|p| format!("arn:aws:iam::{}:instance-profile/{p}", fleet.account)),
                user_data: i
                    .user_data
                    .as_ref()
                    .map(|u| base64::engine::general_purpose::STANDARD.encode(u)),
                tags,
                volume_tags: with(ft, &vextra),
                private_ip: i.private_ip.clone(),
                auto_public_ip: public,
                cpu_base: i.cpu.unwrap_or_else(|| cpu_for_role(i.role.as_deref())),
                root_size_gib: i.root_size,
            },
            InstanceState::Running,
            launched,
        )
        .map_err(|x| names.err(format!("instance {}: {x}", i.name)))?;
    if let Ok(r) = w.region_mut(region) {
        tag_primary_eni(r, &id, ft);
    }
    Ok(id)
}

/// The instance's extra volumes, attached since its launch; they and its root volume
/// (`<name>-root`) become names a snapshot may refer to.
fn attach_volumes(
    w: &mut World,
    fleet: &FleetSpec,
    names: &mut Names,
    i: &InstanceSpec,
    id: &str,
    launched: Timestamp,
) -> Result<(), SimError> {
    let region = names.region;
    let ft = &fleet.tags;
    let az = w
        .region(region)
        .ok()
        .and_then(|r| r.instances.get(id))
        .map(|r| r.inst.az.clone())
        .unwrap_or_default();
    for v in &i.volumes {
        let vid = ids::ec2_id(&mut w.rng, "vol");
        let mut vt = with(ft, &[("Name", &v.name)]);
        if let Some(role) = &i.role {
            vt.insert("role", role.clone());
        }
        vt.extend(v.tags.clone());
        let r = w.region_mut(region).map_err(|x| names.err(x.to_string()))?;
        r.volumes.insert(
            vid.clone(),
            VolumeRec {
                vol: Volume {
                    region: region.into(),
                    id: vid.as_str().into(),
                    name: None,
                    az: az.clone(),
                    size_gib: v.size,
                    volume_type: v.volume_type.as_str().into(),
                    iops: v.iops.or(if v.volume_type == "gp3" {
                        Some(3000)
                    } else {
                        None
                    }),
                    state: VolumeState::InUse,
                    attachments: vec![VolumeAttachment {
                        instance_id: id.into(),
                        device: v.device.as_str().into(),
                        state: AttachmentState::Attached,
                        delete_on_termination: false,
                        attach_time: Some(launched),
                    }],
                    snapshot_id: None,
                    encrypted: true,
                    create_time: Some(launched),
                    tags: vt,
                },
                ver: 0,
                stuck: false,
            },
        );
        names.volumes.insert(v.name.clone(), vid);
    }
    if let Some(rv) = w.region(region).ok().and_then(|r| {
        r.volumes
            .values()
            .find(|v| {
                v.vol
                    .attachments
                    .iter()
                    .any(|a| a.instance_id == id && a.device == "/dev/xvda")
            })
            .map(|v| v.vol.id.clone())
    }) {
        names
            .volumes
            .insert(format!("{}-root", i.name), rv.to_string());
    }
    Ok(())
}

/// A fleet may describe an instance as stopped (since `stopped`, a day ago by default); any state
/// but running or stopped is an error.
fn settle_state(
    w: &mut World,
    names: &Names,
    i: &InstanceSpec,
    id: &str,
    launched: Timestamp,
) -> Result<(), SimError> {
    if i.state == "stopped" {
        let stopped = at(w.now, i.stopped.as_deref().unwrap_or("-1d"))?;
        if let Some(rec) = w
            .region_mut(names.region)
            .ok()
            .and_then(|r| r.instances.get_mut(id))
        {
            rec.inst.state = InstanceState::Stopped;
            rec.public_ip = None;
            rec.timeline.push((stopped.max(launched), Phase::Off));
        }
    } else if i.state != "running" {
        return Err(names.err(format!(
            "instance {}: state must be running or stopped, not {}",
            i.name, i.state
        )));
    }
    Ok(())
}
