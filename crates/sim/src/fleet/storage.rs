//! A fleet file's storage: loose volumes, snapshots of any named volume, and the account's images
//! (each made from an instance, its root volume's snapshot behind it). Volumes attached to an
//! instance come with the instance (`instances.rs`).

use super::names::Names;
use super::spec::{FleetSpec, RegionSpec};
use super::tags::with;
use super::times::at;
use crate::clock::secs;
use crate::error::SimError;
use crate::ids;
use crate::model::*;
use crate::storage::snapshot_duration;
use crate::world::World;
use opsdeck_core::domain::*;

/// The account's images get their ids before any instance launches (one may launch from an image by
/// its name); the region's base images are launchable but not the account's, so not listed.
pub(super) fn reserve_images<'a>(
    w: &mut World,
    spec: &'a RegionSpec,
    names: &mut Names<'a>,
) -> Result<(), SimError> {
    names.images = spec
        .images
        .iter()
        .map(|i| (i.name.as_str(), ids::ec2_id(&mut w.rng, "ami")))
        .collect();
    let r = w
        .region_mut(names.region)
        .map_err(|x| names.err(x.to_string()))?;
    r.public_images = spec.base_images.iter().cloned().collect();
    Ok(())
}

/// Volumes attached to nothing (created ten days ago).
pub(super) fn load_volumes(
    w: &mut World,
    fleet: &FleetSpec,
    spec: &RegionSpec,
    names: &mut Names,
) -> Result<(), SimError> {
    let now = w.now;
    let region = names.region;
    let ft = &fleet.tags;
    for v in &spec.volumes {
        let vid = ids::ec2_id(&mut w.rng, "vol");
        let mut vt = with(ft, &[("Name", &v.name)]);
        vt.extend(v.tags.clone());
        let r = w.region_mut(region).map_err(|x| names.err(x.to_string()))?;
        if r.zone(&v.az).is_none() {
            return Err(names.err(format!("volume {}: no zone {}", v.name, v.az)));
        }
        r.volumes.insert(
            vid.clone(),
            VolumeRec {
                vol: Volume {
                    region: region.into(),
                    id: vid.as_str().into(),
                    name: None,
                    az: v.az.as_str().into(),
                    size_gib: v.size,
                    volume_type: v.volume_type.as_str().into(),
                    iops: if v.volume_type == "gp3" {
                        Some(3000)
                    } else {
                        None
                    },
                    state: VolumeState::Available,
                    attachments: vec![],
                    snapshot_id: None,
                    encrypted: true,
                    create_time: Some(now - chrono::Duration::days(10)),
                    tags: vt,
                },
                ver: 0,
                stuck: false,
            },
        );
        names.volumes.insert(v.name.clone(), vid);
    }
    Ok(())
}

/// Snapshots of named volumes, started at `taken`: a recent one may still be pending.
pub(super) fn load_snapshots(
    w: &mut World,
    fleet: &FleetSpec,
    spec: &RegionSpec,
    names: &Names,
) -> Result<(), SimError> {
    let now = w.now;
    let region = names.region;
    let ft = &fleet.tags;
    for s in &spec.snapshots {
        let vid = names
            .volumes
            .get(&s.volume)
            .cloned()
            .ok_or_else(|| names.err(format!("snapshot of unknown volume {}", s.volume)))?;
        let size = w
            .region(region)
            .ok()
            .and_then(|r| r.volumes.get(&vid))
            .map(|v| v.vol.size_gib)
            .unwrap_or(8);
        let started = at(now, &s.taken)?;
        let mut tags = ft.clone();
        if let Some(n) = &s.name {
            tags.insert("Name", n.clone());
        }
        tags.extend(s.tags.clone());
        w.insert_snapshot(
            region,
            Some(vid),
            size,
            s.description.clone().unwrap_or_default(),
            tags,
            started,
            started + secs(snapshot_duration(size)),
        )
        .map_err(|x| names.err(x.to_string()))?;
    }
    Ok(())
}

/// The account's images, each with a snapshot of its source instance's root volume (as CreateImage
/// would have made it).
pub(super) fn load_images(
    w: &mut World,
    fleet: &FleetSpec,
    spec: &RegionSpec,
    names: &Names,
) -> Result<(), SimError> {
    let now = w.now;
    let region = names.region;
    let ft = &fleet.tags;
    for img in &spec.images {
        let src = names.instance(&img.from)?;
        let created = at(now, &img.created)?;
        let image_id = names
            .images
            .get(img.name.as_str())
            .cloned()
            .unwrap_or_default();
        let root = w.region(region).ok().and_then(|r| {
            r.volumes
                .values()
                .find(|v| {
                    v.vol
                        .attachments
                        .iter()
                        .any(|a| a.instance_id == src && a.device == "/dev/xvda")
                })
                .map(|v| (v.vol.id.clone(), v.vol.size_gib))
        });
        let mut snapshot_ids = Vec::new();
        if let Some((vid, size)) = root {
            let sid = w
                .insert_snapshot(
                    region,
                    Some(vid.to_string()),
                    size,
                    format!("Created by CreateImage({src}) for {image_id}"),
                    ft.clone(),
                    created,
                    created + secs(snapshot_duration(size)),
                )
                .map_err(|x| names.err(x.to_string()))?;
            snapshot_ids.push(sid.into());
        }
        let mut tags = with(ft, &[("Name", &img.name)]);
        tags.extend(img.tags.clone());
        let r = w.region_mut(region).map_err(|x| names.err(x.to_string()))?;
        r.images.insert(
            image_id.clone(),
            Image {
                region: region.into(),
                id: image_id.into(),
                name: img.name.as_str().into(),
                description: img.description.as_deref().map(Into::into),
                state: ImageState::Available,
                creation_date: Some(created),
                root_device_name: Some("/dev/xvda".into()),
                snapshot_ids,
                tags,
            },
        );
    }
    Ok(())
}
