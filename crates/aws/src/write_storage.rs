//! The AWS adapter's EBS write calls (volumes and snapshots), apart from `write.rs` so neither
//! file carries every call: the port's `call` dispatches here as to the others.

use super::write::AwsWrite;
use super::write::{done, rid, tag_spec};
use aws_sdk_ec2::types::{CopyTagsFromSource, InstanceSpecification, ResourceType, VolumeType};
use opsdeck_core::cloud::*;
use opsdeck_core::domain::Tag;

impl AwsWrite {
    pub(super) async fn create_volume(
        &self,
        spec: &VolumeSpec,
        dry_run: bool,
    ) -> CloudResult<Written<String>> {
        let mut req = self
            .r
            .ec2
            .create_volume()
            .availability_zone(&spec.az)
            .set_size(spec.size_gib)
            .volume_type(VolumeType::from(spec.volume_type.as_str()))
            .set_iops(spec.iops)
            .set_snapshot_id(spec.snapshot_id.clone())
            .dry_run(dry_run);
        if !spec.tags.is_empty() {
            req = req.tag_specifications(tag_spec(ResourceType::Volume, &spec.tags));
        }
        let out = req.send().await.map_err(|e| self.r.sdk_error(e))?;
        Ok(Written::new(
            out.volume_id().unwrap_or_default().to_string(),
            rid(&out),
        ))
    }

    pub(super) async fn attach_volume(
        &self,
        volume_id: &str,
        instance_id: &str,
        device: &str,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let out = self
            .r
            .ec2
            .attach_volume()
            .volume_id(volume_id)
            .instance_id(instance_id)
            .device(device)
            .dry_run(dry_run)
            .send()
            .await;
        out.map(done).map_err(|e| self.r.sdk_error(e))
    }

    pub(super) async fn detach_volume(
        &self,
        volume_id: &str,
        instance_id: &str,
        force: bool,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let out = self
            .r
            .ec2
            .detach_volume()
            .volume_id(volume_id)
            .instance_id(instance_id)
            .force(force)
            .dry_run(dry_run)
            .send()
            .await;
        out.map(done).map_err(|e| self.r.sdk_error(e))
    }

    pub(super) async fn delete_volume(
        &self,
        volume_id: &str,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let out = self
            .r
            .ec2
            .delete_volume()
            .volume_id(volume_id)
            .dry_run(dry_run)
            .send()
            .await;
        out.map(done).map_err(|e| self.r.sdk_error(e))
    }

    pub(super) async fn create_snapshot(
        &self,
        volume_id: &str,
        description: &str,
        tags: &[Tag],
        dry_run: bool,
    ) -> CloudResult<Written<String>> {
        let mut req = self
            .r
            .ec2
            .create_snapshot()
            .volume_id(volume_id)
            .description(description)
            .dry_run(dry_run);
        if !tags.is_empty() {
            req = req.tag_specifications(tag_spec(ResourceType::Snapshot, tags));
        }
        let out = req.send().await.map_err(|e| self.r.sdk_error(e))?;
        Ok(Written::new(
            out.snapshot_id().unwrap_or_default().to_string(),
            rid(&out),
        ))
    }

    /// One `CreateSnapshots` call for every volume attached to the instance (nothing excluded).
    pub(super) async fn create_snapshots(
        &self,
        instance_id: &str,
        description: &str,
        tags: &[Tag],
        copy_tags_from_source: bool,
        dry_run: bool,
    ) -> CloudResult<Written<Vec<SnapshotOfVolume>>> {
        let mut req = self
            .r
            .ec2
            .create_snapshots()
            .instance_specification(
                InstanceSpecification::builder()
                    .instance_id(instance_id)
                    .exclude_boot_volume(false)
                    .build(),
            )
            .description(description)
            .dry_run(dry_run);
        if !tags.is_empty() {
            req = req.tag_specifications(tag_spec(ResourceType::Snapshot, tags));
        }
        if copy_tags_from_source {
            req = req.copy_tags_from_source(CopyTagsFromSource::Volume);
        }
        let out = req.send().await.map_err(|e| self.r.sdk_error(e))?;
        let request_id = rid(&out);
        let mut made = Vec::new();
        for s in out.snapshots() {
            match (s.volume_id(), s.snapshot_id()) {
                (Some(v), Some(id)) => made.push(SnapshotOfVolume {
                    volume_id: v.to_string(),
                    snapshot_id: id.to_string(),
                }),
                _ => {
                    return Err(CloudError::new(
                        ErrorKind::Other,
                        "adapter",
                        format!("CreateSnapshots answered a snapshot without its ids: {s:?}"),
                    )
                    .with_request_id(request_id));
                }
            }
        }
        Ok(Written::new(made, request_id))
    }

    pub(super) async fn copy_snapshot(
        &self,
        source_region: &str,
        snapshot_id: &str,
        description: &str,
        dry_run: bool,
    ) -> CloudResult<Written<String>> {
        let out = self
            .r
            .ec2
            .copy_snapshot()
            .source_region(source_region)
            .source_snapshot_id(snapshot_id)
            .description(description)
            .dry_run(dry_run)
            .send()
            .await
            .map_err(|e| self.r.sdk_error(e))?;
        Ok(Written::new(
            out.snapshot_id().unwrap_or_default().to_string(),
            rid(&out),
        ))
    }

    pub(super) async fn delete_snapshot(
        &self,
        snapshot_id: &str,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let out = self
            .r
            .ec2
            .delete_snapshot()
            .snapshot_id(snapshot_id)
            .dry_run(dry_run)
            .send()
            .await;
        out.map(done).map_err(|e| self.r.sdk_error(e))
    }
}
