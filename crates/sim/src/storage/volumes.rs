//! EBS volumes: creating → available, attaching → in-use, detaching → available (or hanging when
//! stuck or its zone is down, until forced), deleting → gone; and what a terminated instance leaves.

use super::{dry_ok, snapshot_not_found, volume_not_found};
use crate::ids;
use crate::instances::not_found_instances;
use crate::model::*;
use crate::world::{Tr, World, err, timing};
use opsdeck_core::cloud::{CloudResult, VolumeSpec};
use opsdeck_core::domain::*;

const VOLUME_TYPES: &[&str] = &["gp2", "gp3", "io1", "io2", "st1", "sc1", "standard"];

impl Region {
    /// A terminated instance's volumes: delete-on-termination ones go, the others become available.
    pub(crate) fn release_instance_storage(&mut self, instance_id: &str) {
        let attached: Vec<(String, bool)> = self
            .volumes
            .values()
            .filter_map(|v| {
                v.vol
                    .attachments
                    .iter()
                    .find(|a| a.instance_id == instance_id)
                    .map(|a| (v.vol.id.to_string(), a.delete_on_termination))
            })
            .collect();
        for (id, delete) in attached {
            if delete {
                self.volumes.remove(&id);
            } else if let Some(v) = self.volumes.get_mut(&id) {
                v.ver += 1;
                v.vol.attachments.clear();
                v.vol.state = VolumeState::Available;
            }
        }
    }
}

impl World {
    pub(crate) fn create_volume(
        &mut self,
        region: &str,
        spec: &VolumeSpec,
        dry_run: bool,
    ) -> CloudResult<String> {
        let r = self.region(region)?;
        if r.zone(&spec.az).is_none() {
            return Err(err(
                "InvalidZone.NotFound",
                format!("The zone '{}' does not exist.", spec.az),
            ));
        }
        if !VOLUME_TYPES.contains(&spec.volume_type.as_str()) {
            return Err(err(
                "InvalidParameterValue",
                format!(
                    "Value ({}) for parameter volumeType is invalid.",
                    spec.volume_type
                ),
            ));
        }
        let size = match &spec.snapshot_id {
            Some(sid) => {
                let s = r
                    .snapshots
                    .get(sid)
                    .ok_or_else(|| snapshot_not_found(sid))?;
                if s.snap.state != SnapshotState::Completed {
                    return Err(err(
                        "IncorrectState",
                        format!("Snapshot is in invalid state - {}", s.snap.state.as_str()),
                    ));
                }
                let size = spec.size_gib.unwrap_or(s.snap.volume_size_gib);
                if size < s.snap.volume_size_gib {
                    return Err(err(
                        "InvalidParameterValue",
                        format!(
                            "Volume of {size}GiB is too small; minimum is {}GiB.",
                            s.snap.volume_size_gib
                        ),
                    ));
                }
                size
            }
            None => spec.size_gib.ok_or_else(|| {
                err(
                    "MissingParameter",
                    "The request must contain the parameter size or snapshotId",
                )
            })?,
        };
        if !(1..=65536).contains(&size) {
            return Err(err(
                "InvalidParameterValue",
                format!("Volume size {size} is out of range."),
            ));
        }
        if dry_run {
            return Err(dry_ok());
        }
        let id = ids::ec2_id(&mut self.rng, "vol");
        let at = self.after(
            if spec.snapshot_id.is_some() {
                timing::VOLUME_FROM_SNAPSHOT
            } else {
                timing::VOLUME_CREATE
            },
            3.0,
        );
        let now = self.now;
        let r = self.region_mut(region)?;
        r.volumes.insert(
            id.clone(),
            VolumeRec {
                vol: Volume {
                    region: region.into(),
                    id: id.as_str().into(),
                    name: None,
                    az: spec.az.as_str().into(),
                    size_gib: size,
                    volume_type: spec.volume_type.as_str().into(),
                    iops: spec.iops.or(if spec.volume_type == "gp3" {
                        Some(3000)
                    } else {
                        None
                    }),
                    state: VolumeState::Creating,
                    attachments: vec![],
                    snapshot_id: spec.snapshot_id.as_deref().map(Into::into),
                    encrypted: false,
                    create_time: Some(now),
                    tags: spec
                        .tags
                        .iter()
                        .map(|t| (t.key.clone(), t.value.clone()))
                        .collect(),
                },
                ver: 0,
                stuck: false,
            },
        );
        self.queue.push(
            at,
            Tr::VolumeAvailable {
                region: region.into(),
                id: id.clone(),
                ver: 0,
            },
        );
        Ok(id)
    }

    pub(crate) fn on_volume_available(&mut self, region: &str, id: &str, ver: u64) {
        if let Some(v) = self
            .regions
            .get_mut(region)
            .and_then(|r| r.volumes.get_mut(id))
            && v.ver == ver
            && v.vol.state == VolumeState::Creating
        {
            v.vol.state = VolumeState::Available;
        }
    }

    pub(crate) fn attach_volume(
        &mut self,
        region: &str,
        volume_id: &str,
        instance_id: &str,
        device: &str,
        dry_run: bool,
    ) -> CloudResult<()> {
        let r = self.region(region)?;
        let v = r
            .volumes
            .get(volume_id)
            .ok_or_else(|| volume_not_found(volume_id))?;
        let rec = r
            .instances
            .get(instance_id)
            .ok_or_else(|| not_found_instances(&[instance_id]))?;
        match v.vol.state {
            VolumeState::Available => {}
            VolumeState::InUse => {
                return Err(err(
                    "VolumeInUse",
                    format!(
                        "{volume_id} is already attached to an instance ({})",
                        v.vol.attached_instance().unwrap_or_default()
                    ),
                ));
            }
            s => {
                return Err(err(
                    "IncorrectState",
                    format!("The volume '{volume_id}' is in the '{}' state.", s.as_str()),
                ));
            }
        }
        if !matches!(
            rec.inst.state,
            InstanceState::Running | InstanceState::Stopped
        ) {
            return Err(err(
                "IncorrectInstanceState",
                format!(
                    "Instance '{instance_id}' is not 'running' or 'stopped'. Its state is '{}'.",
                    rec.inst.state.as_str()
                ),
            ));
        }
        if v.vol.az != rec.inst.az {
            return Err(err(
                "InvalidVolume.ZoneMismatch",
                format!(
                    "The volume '{volume_id}' is not in the same availability zone as instance '{instance_id}'"
                ),
            ));
        }
        let device_taken = r.volumes.values().any(|o| {
            o.vol
                .attachments
                .iter()
                .any(|a| a.instance_id == instance_id && a.device == device)
        });
        if device_taken {
            return Err(err(
                "InvalidParameterValue",
                format!("Attachment point {device} is already in use"),
            ));
        }
        if dry_run {
            return Err(dry_ok());
        }
        let at = self.after(timing::VOLUME_ATTACH, 2.0);
        let now = self.now;
        let r = self.region_mut(region)?;
        let Some(v) = r.volumes.get_mut(volume_id) else {
            return Err(volume_not_found(volume_id));
        };
        v.ver += 1;
        v.vol.state = VolumeState::InUse;
        v.vol.attachments = vec![VolumeAttachment {
            instance_id: instance_id.into(),
            device: device.into(),
            state: AttachmentState::Attaching,
            delete_on_termination: false,
            attach_time: Some(now),
        }];
        let ver = v.ver;
        self.queue.push(
            at,
            Tr::VolumeAttached {
                region: region.into(),
                id: volume_id.into(),
                ver,
            },
        );
        Ok(())
    }

    pub(crate) fn on_volume_attached(&mut self, region: &str, id: &str, ver: u64) {
        if let Some(v) = self
            .regions
            .get_mut(region)
            .and_then(|r| r.volumes.get_mut(id))
            && v.ver == ver
        {
            for a in v.vol.attachments.iter_mut() {
                if a.state == AttachmentState::Attaching {
                    a.state = AttachmentState::Attached;
                }
            }
        }
    }

    pub(crate) fn detach_volume(
        &mut self,
        region: &str,
        volume_id: &str,
        instance_id: &str,
        force: bool,
        dry_run: bool,
    ) -> CloudResult<()> {
        let r = self.region(region)?;
        let v = r
            .volumes
            .get(volume_id)
            .ok_or_else(|| volume_not_found(volume_id))?;
        let Some(att) = v.vol.attachments.first().cloned() else {
            return Err(err(
                "IncorrectState",
                format!(
                    "Volume '{volume_id}' is in the '{}' state.",
                    v.vol.state.as_str()
                ),
            ));
        };
        if !instance_id.is_empty() && att.instance_id != instance_id {
            return Err(err(
                "InvalidAttachment.NotFound",
                format!("The volume '{volume_id}' is not attached to instance '{instance_id}'"),
            ));
        }
        let instance_running = r.instances.get(att.instance_id.as_str()).is_some_and(|i| {
            matches!(
                i.inst.state,
                InstanceState::Running | InstanceState::Pending
            ) && i.inst.root_device_name.as_deref() == Some(att.device.as_str())
        });
        if instance_running {
            return Err(err(
                "OperationNotPermitted",
                format!(
                    "Unable to detach root volume '{volume_id}' from instance '{}'",
                    att.instance_id
                ),
            ));
        }
        if dry_run {
            return Err(dry_ok());
        }
        // A detach hangs when the volume is stuck or its zone is down; only force gets it out.
        let stuck = v.stuck || r.zone_down(&v.vol.az);
        if att.state == AttachmentState::Detaching && !force {
            return Ok(());
        }
        let at = self.after(
            if force {
                timing::VOLUME_DETACH / 2.0
            } else {
                timing::VOLUME_DETACH
            },
            2.0,
        );
        let r = self.region_mut(region)?;
        let Some(v) = r.volumes.get_mut(volume_id) else {
            return Err(volume_not_found(volume_id));
        };
        v.ver += 1;
        for a in v.vol.attachments.iter_mut() {
            a.state = AttachmentState::Detaching;
        }
        let ver = v.ver;
        if force || !stuck {
            self.queue.push(
                at,
                Tr::VolumeDetached {
                    region: region.into(),
                    id: volume_id.into(),
                    ver,
                    forced: force,
                },
            );
        }
        Ok(())
    }

    pub(crate) fn on_volume_detached(&mut self, region: &str, id: &str, ver: u64, forced: bool) {
        if let Some(v) = self
            .regions
            .get_mut(region)
            .and_then(|r| r.volumes.get_mut(id))
            && v.ver == ver
        {
            v.vol.attachments.clear();
            v.vol.state = VolumeState::Available;
            // `stuck-detach` hangs the next detach only: once forced out, the volume detaches normally.
            if forced {
                v.stuck = false;
            }
        }
    }

    pub(crate) fn delete_volume(
        &mut self,
        region: &str,
        volume_id: &str,
        dry_run: bool,
    ) -> CloudResult<()> {
        let r = self.region(region)?;
        let v = r
            .volumes
            .get(volume_id)
            .ok_or_else(|| volume_not_found(volume_id))?;
        match v.vol.state {
            VolumeState::InUse => {
                return Err(err(
                    "VolumeInUse",
                    format!(
                        "Volume {volume_id} is currently attached to {}",
                        v.vol.attached_instance().unwrap_or_default()
                    ),
                ));
            }
            VolumeState::Deleting | VolumeState::Deleted => {
                return Err(volume_not_found(volume_id));
            }
            _ => {}
        }
        if dry_run {
            return Err(dry_ok());
        }
        let at = self.after(timing::VOLUME_DELETE, 0.0);
        let r = self.region_mut(region)?;
        let Some(v) = r.volumes.get_mut(volume_id) else {
            return Err(volume_not_found(volume_id));
        };
        v.ver += 1;
        v.vol.state = VolumeState::Deleting;
        let ver = v.ver;
        self.queue.push(
            at,
            Tr::VolumeGone {
                region: region.into(),
                id: volume_id.into(),
                ver,
            },
        );
        Ok(())
    }

    pub(crate) fn on_volume_gone(&mut self, region: &str, id: &str, ver: u64) {
        if let Some(r) = self.regions.get_mut(region)
            && r.volumes.get(id).is_some_and(|v| v.ver == ver)
        {
            r.volumes.remove(id);
        }
    }

    /// Marks a volume so that its next detach hangs in `detaching` until forced.
    pub(crate) fn make_stuck(&mut self, volume_id: &str) -> Result<(), String> {
        for r in self.regions.values_mut() {
            if let Some(v) = r.volumes.get_mut(volume_id) {
                v.stuck = true;
                return Ok(());
            }
        }
        Err(format!("no volume {volume_id}"))
    }
}
