//! AMIs: created from an instance (a snapshot of each of its volumes, and a reboot unless NoReboot),
//! pending until those snapshots complete, deregistered with their snapshots left behind.

use super::{dry_ok, snapshot_duration};
use crate::clock::secs;
use crate::ids;
use crate::instances::not_found_instances;
use crate::world::{Tr, World, err, timing};
use opsdeck_core::cloud::CloudResult;
use opsdeck_core::domain::*;

impl World {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn create_image(
        &mut self,
        region: &str,
        instance_id: &str,
        name: &str,
        description: &str,
        no_reboot: bool,
        tags: &[Tag],
        dry_run: bool,
    ) -> CloudResult<String> {
        let r = self.region(region)?;
        let rec = r
            .instances
            .get(instance_id)
            .ok_or_else(|| not_found_instances(&[instance_id]))?;
        if !matches!(
            rec.inst.state,
            InstanceState::Running | InstanceState::Stopped
        ) {
            return Err(err(
                "IncorrectInstanceState",
                format!(
                    "The instance '{instance_id}' is not in a state from which an image can be created."
                ),
            ));
        }
        if name.len() < 3 || name.len() > 128 {
            return Err(err(
                "InvalidAMIName.Malformed",
                "AMI names must be between 3 and 128 characters long",
            ));
        }
        if let Some(other) = r.images.values().find(|i| i.name == name) {
            return Err(err(
                "InvalidAMIName.Duplicate",
                format!("AMI name {name} is already in use by AMI {}", other.id),
            ));
        }
        let running = rec.inst.state == InstanceState::Running;
        let root = rec.inst.root_device_name.clone();
        if dry_run {
            return Err(dry_ok());
        }
        let mut vols: Vec<(String, i32, bool)> = r
            .volumes
            .values()
            .filter_map(|v| {
                v.vol
                    .attachments
                    .iter()
                    .find(|a| a.instance_id == instance_id)
                    .map(|a| {
                        (
                            v.vol.id.to_string(),
                            v.vol.size_gib,
                            Some(a.device.as_str()) == root.as_deref(),
                        )
                    })
            })
            .collect();
        // The root device's snapshot comes first in the block-device mapping.
        vols.sort_by_key(|(_, _, is_root)| !*is_root);
        let image_id = ids::ec2_id(&mut self.rng, "ami");
        let now = self.now;
        let mut snapshot_ids = Vec::new();
        for (vid, size, _) in &vols {
            let sid = self.insert_snapshot(
                region,
                Some(vid.clone()),
                *size,
                format!("Created by CreateImage({instance_id}) for {image_id}"),
                Tags::new(),
                now,
                now + secs(snapshot_duration(*size)),
            )?;
            snapshot_ids.push(sid.into());
        }
        let r = self.region_mut(region)?;
        r.images.insert(
            image_id.clone(),
            Image {
                region: region.into(),
                id: image_id.as_str().into(),
                name: name.into(),
                description: (Some(description.to_string()).filter(|d| !d.is_empty()))
                    .map(Into::into),
                state: ImageState::Pending,
                creation_date: Some(now),
                root_device_name: root,
                snapshot_ids,
                tags: tags
                    .iter()
                    .map(|t| (t.key.clone(), t.value.clone()))
                    .collect(),
            },
        );
        if vols.is_empty() {
            let at = self.after(timing::IMAGE_AFTER_SNAPSHOTS, 0.0);
            self.queue.push(
                at,
                Tr::ImageCheck {
                    region: region.into(),
                    id: image_id.clone(),
                },
            );
        }
        // Without NoReboot, EC2 reboots the instance for a consistent image.
        if !no_reboot && running {
            self.begin_reboot(region, instance_id, timing::REBOOT_DOWN, false);
        }
        Ok(image_id)
    }

    pub(crate) fn on_image_check(&mut self, region: &str, id: &str) {
        let Some(r) = self.regions.get_mut(region) else {
            return;
        };
        let ready = r.images.get(id).is_some_and(|i| {
            i.snapshot_ids.iter().all(|s| {
                r.snapshots
                    .get(s.as_str())
                    .is_none_or(|s| s.snap.state == SnapshotState::Completed)
            })
        });
        if let Some(img) = r.images.get_mut(id)
            && ready
            && img.state == ImageState::Pending
        {
            img.state = ImageState::Available;
        }
    }

    pub(crate) fn deregister_image(
        &mut self,
        region: &str,
        image_id: &str,
        dry_run: bool,
    ) -> CloudResult<()> {
        let r = self.region(region)?;
        if !r.images.contains_key(image_id) {
            return Err(err(
                "InvalidAMIID.NotFound",
                format!("The image id '[{image_id}]' does not exist"),
            ));
        }
        if dry_run {
            return Err(dry_ok());
        }
        // The backing snapshots stay (as in EC2).
        self.region_mut(region)?.images.remove(image_id);
        Ok(())
    }
}
