//! EBS snapshots: pending with rising progress until completed (an image waiting on them is checked
//! then), copies across regions, and EC2's limit on pending snapshots per volume.

use super::{dry_ok, snapshot_duration, snapshot_not_found, volume_not_found};
use crate::clock::secs;
use crate::ids;
use crate::model::*;
use crate::world::{Tr, World, err, timing};
use opsdeck_core::cloud::{CloudResult, SnapshotOfVolume};
use opsdeck_core::domain::*;

/// EC2 allows this many pending snapshots per volume.
const PENDING_SNAPSHOTS_PER_VOLUME: usize = 5;

impl World {
    /// Inserts a snapshot record, pending until `completes_at` (or completed if that has passed).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn insert_snapshot(
        &mut self,
        region: &str,
        volume_id: Option<String>,
        size_gib: i32,
        description: String,
        tags: Tags,
        started: Timestamp,
        completes_at: Timestamp,
    ) -> CloudResult<String> {
        let id = ids::ec2_id(&mut self.rng, "snap");
        let done = completes_at <= self.now;
        let r = self.region_mut(region)?;
        r.snapshots.insert(
            id.clone(),
            SnapshotRec {
                snap: Snapshot {
                    region: region.into(),
                    id: id.as_str().into(),
                    name: None,
                    volume_id: volume_id.map(Into::into),
                    volume_size_gib: size_gib,
                    state: if done {
                        SnapshotState::Completed
                    } else {
                        SnapshotState::Pending
                    },
                    progress: if done { 100 } else { 0 },
                    start_time: Some(started),
                    description: description.into(),
                    tags,
                },
                started,
                completes_at,
            },
        );
        if !done {
            self.queue.push(
                completes_at,
                Tr::SnapshotCompleted {
                    region: region.into(),
                    id: id.clone(),
                },
            );
        }
        Ok(id)
    }

    /// What `CreateSnapshot` checks of a volume: it exists, is not being created or deleted, and has
    /// fewer than EC2's limit of pending snapshots. Returns its size.
    fn check_snapshottable(&self, region: &str, volume_id: &str) -> CloudResult<i32> {
        let r = self.region(region)?;
        let v = r
            .volumes
            .get(volume_id)
            .ok_or_else(|| volume_not_found(volume_id))?;
        if matches!(
            v.vol.state,
            VolumeState::Creating | VolumeState::Deleting | VolumeState::Deleted
        ) {
            return Err(err(
                "IncorrectState",
                format!(
                    "The volume '{volume_id}' is in the '{}' state.",
                    v.vol.state.as_str()
                ),
            ));
        }
        let pending = r
            .snapshots
            .values()
            .filter(|s| {
                s.snap.state == SnapshotState::Pending
                    && s.snap.volume_id.as_deref() == Some(volume_id)
            })
            .count();
        if pending >= PENDING_SNAPSHOTS_PER_VOLUME {
            return Err(err(
                "SnapshotCreationPerVolumeRateExceeded",
                "The maximum per volume CreateSnapshot request rate has been exceeded. Use an increasing or variable sleep interval between requests.",
            ));
        }
        Ok(v.vol.size_gib)
    }

    pub(crate) fn create_snapshot(
        &mut self,
        region: &str,
        volume_id: &str,
        description: &str,
        tags: &[Tag],
        dry_run: bool,
    ) -> CloudResult<String> {
        let size = self.check_snapshottable(region, volume_id)?;
        if dry_run {
            return Err(dry_ok());
        }
        let now = self.now;
        let completes = now + secs(snapshot_duration(size));
        self.insert_snapshot(
            region,
            Some(volume_id.to_string()),
            size,
            description.to_string(),
            tags.iter()
                .map(|t| (t.key.clone(), t.value.clone()))
                .collect(),
            now,
            completes,
        )
    }

    /// `CreateSnapshots`: every EBS volume attached to the instance (root included), all started at
    /// the same simulated instant. Each volume is checked as `CreateSnapshot` checks it before any
    /// snapshot is made, so the set is made whole or not at all.
    pub(crate) fn create_snapshots(
        &mut self,
        region: &str,
        instance_id: &str,
        description: &str,
        tags: &[Tag],
        copy_tags_from_source: bool,
        dry_run: bool,
    ) -> CloudResult<Vec<SnapshotOfVolume>> {
        let r = self.region(region)?;
        if !r.instances.contains_key(instance_id) {
            return Err(crate::instances::not_found_instances(&[instance_id]));
        }
        let mut volumes: Vec<(String, i32, Tags)> =
            r.volumes
                .values()
                .filter(|v| {
                    v.vol.attachments.iter().any(|a| {
                        a.instance_id == instance_id && a.state != AttachmentState::Detached
                    })
                })
                .map(|v| (v.vol.id.to_string(), v.vol.size_gib, v.vol.tags.clone()))
                .collect();
        volumes.sort_by(|a, b| a.0.cmp(&b.0));
        if volumes.is_empty() {
            return Err(err(
                "InvalidParameterValue",
                format!("The instance '{instance_id}' has no EBS volume attached."),
            ));
        }
        for (id, _, _) in &volumes {
            self.check_snapshottable(region, id)?;
        }
        if dry_run {
            return Err(dry_ok());
        }
        let now = self.now;
        let mut made = Vec::new();
        for (volume_id, size, volume_tags) in volumes {
            let mut t = Tags::new();
            if copy_tags_from_source {
                for (k, v) in volume_tags.iter() {
                    if !k.starts_with("aws:") {
                        t.insert(k, v);
                    }
                }
            }
            for tag in tags {
                t.insert(tag.key.clone(), tag.value.clone());
            }
            let snapshot_id = self.insert_snapshot(
                region,
                Some(volume_id.clone()),
                size,
                description.to_string(),
                t,
                now,
                now + secs(snapshot_duration(size)),
            )?;
            made.push(SnapshotOfVolume {
                volume_id,
                snapshot_id,
            });
        }
        Ok(made)
    }

    pub(crate) fn copy_snapshot(
        &mut self,
        region: &str,
        source_region: &str,
        snapshot_id: &str,
        description: &str,
        dry_run: bool,
    ) -> CloudResult<String> {
        self.region(region)?;
        let src = self
            .regions
            .get(source_region)
            .ok_or_else(|| {
                err(
                    "InvalidParameterValue",
                    format!("Invalid source region {source_region}"),
                )
            })?
            .snapshots
            .get(snapshot_id)
            .ok_or_else(|| snapshot_not_found(snapshot_id))?;
        if src.snap.state != SnapshotState::Completed {
            return Err(err(
                "IncorrectState",
                format!("Snapshot {snapshot_id} is not completed"),
            ));
        }
        let size = src.snap.volume_size_gib;
        if dry_run {
            return Err(dry_ok());
        }
        let now = self.now;
        let extra = if source_region == region {
            0.0
        } else {
            timing::SNAPSHOT_COPY_EXTRA
        };
        let completes = now + secs(snapshot_duration(size) + extra);
        let description = if description.is_empty() {
            format!("[Copied {snapshot_id} from {source_region}]")
        } else {
            description.to_string()
        };
        // EC2 records copies against a placeholder volume.
        self.insert_snapshot(
            region,
            Some("vol-ffffffff".into()),
            size,
            description,
            Tags::new(),
            now,
            completes,
        )
    }

    pub(crate) fn delete_snapshot(
        &mut self,
        region: &str,
        snapshot_id: &str,
        dry_run: bool,
    ) -> CloudResult<()> {
        let r = self.region(region)?;
        if !r.snapshots.contains_key(snapshot_id) {
            return Err(snapshot_not_found(snapshot_id));
        }
        if let Some(img) = r
            .images
            .values()
            .find(|i| i.snapshot_ids.iter().any(|s| s == snapshot_id))
        {
            return Err(err(
                "InvalidSnapshot.InUse",
                format!(
                    "The snapshot {snapshot_id} is currently in use by {}",
                    img.id
                ),
            ));
        }
        if dry_run {
            return Err(dry_ok());
        }
        self.region_mut(region)?.snapshots.remove(snapshot_id);
        Ok(())
    }

    pub(crate) fn on_snapshot_completed(&mut self, region: &str, id: &str) {
        let at = self.now + secs(timing::IMAGE_AFTER_SNAPSHOTS);
        let Some(r) = self.regions.get_mut(region) else {
            return;
        };
        if let Some(s) = r.snapshots.get_mut(id) {
            s.snap.state = SnapshotState::Completed;
            s.snap.progress = 100;
        }
        let waiting: Vec<String> = r
            .images
            .values()
            .filter(|i| i.state == ImageState::Pending && i.snapshot_ids.iter().any(|s| s == id))
            .map(|i| i.id.clone())
            .map(Into::into)
            .collect();
        for img in waiting {
            self.queue.push(
                at,
                Tr::ImageCheck {
                    region: region.into(),
                    id: img,
                },
            );
        }
    }
}
