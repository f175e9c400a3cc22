//! The two ports every adapter (AWS, simulator) implements, one value per region.
//! Reads and writes are separate traits so a read-only session can be built without any writer.

use super::calls::{Produced, WriteCall};
use super::error::{CloudError, CloudResult, ErrorKind};
use super::values::*;
use crate::domain::*;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Every read the console and the runbooks need. List calls are paginated to completion.
#[async_trait]
pub trait CloudRead: Send + Sync {
    fn region(&self) -> &str;
    /// The session's clock: what "now" is for this cloud. Ages, time left, elapsed times and
    /// "created at" are all measured with it. AWS: the wall clock; the simulator: its own clock
    /// (sped up by `--demo-speed`, moved by `:chaos skip`).
    fn now(&self) -> Timestamp {
        chrono::Utc::now()
    }
    async fn identity(&self) -> CloudResult<Identity>;
    async fn availability_zones(&self) -> CloudResult<Vec<AvailabilityZone>>;
    async fn subnets(&self) -> CloudResult<Vec<Subnet>>;
    /// Instances merged with their status checks and scheduled events.
    async fn instances(&self) -> CloudResult<Vec<Instance>>;
    async fn volumes(&self) -> CloudResult<Vec<Volume>>;
    async fn volume_events(&self) -> CloudResult<Vec<ScheduledEvent>>;
    /// Snapshots owned by this account.
    async fn snapshots(&self) -> CloudResult<Vec<Snapshot>>;
    /// Images owned by this account.
    async fn images(&self) -> CloudResult<Vec<Image>>;
    async fn elastic_ips(&self) -> CloudResult<Vec<ElasticIp>>;
    async fn network_interfaces(&self) -> CloudResult<Vec<NetworkInterface>>;
    async fn load_balancers(&self) -> CloudResult<Vec<LoadBalancer>>;
    /// Target groups; `deregistration_delay_seconds` is filled only by `target_group_details`.
    async fn target_groups(&self) -> CloudResult<Vec<TargetGroup>>;
    async fn target_health(&self, target_group_arn: &str) -> CloudResult<Vec<TargetHealth>>;
    /// One target group with its attributes (deregistration delay): a per-resource call, on demand.
    async fn target_group_details(&self, target_group_arn: &str) -> CloudResult<TargetGroup>;
    /// Listeners of one load balancer: a per-resource call, on demand.
    async fn listeners(&self, load_balancer_arn: &str) -> CloudResult<Vec<Listener>>;
    /// Base64 user data of an instance (to clone it faithfully): on demand.
    async fn instance_user_data(&self, instance_id: &str) -> CloudResult<Option<String>>;
    async fn metrics(
        &self,
        queries: &[MetricQuery],
        window: Duration,
    ) -> CloudResult<Vec<MetricSeries>>;
    async fn alarms(&self) -> CloudResult<Vec<Alarm>>;
    /// Auto Scaling groups with their members, lifecycle hooks and newest instance refresh (the
    /// API lists hooks and refreshes per group only).
    async fn auto_scaling_groups(&self) -> CloudResult<Vec<AutoScalingGroup>>;

    // Targeted reads for runbooks, which poll a few resources while they wait. The defaults list
    // everything and pick; adapters may override them with per-id calls.

    /// One instance with its status checks and events; `None` once it is gone.
    async fn instance(&self, id: &str) -> CloudResult<Option<Instance>> {
        Ok(self.instances().await?.into_iter().find(|i| i.id == id))
    }
    async fn volume(&self, id: &str) -> CloudResult<Option<Volume>> {
        Ok(self.volumes().await?.into_iter().find(|v| v.id == id))
    }
    async fn image(&self, id: &str) -> CloudResult<Option<Image>> {
        Ok(self.images().await?.into_iter().find(|i| i.id == id))
    }
    async fn snapshot(&self, id: &str) -> CloudResult<Option<Snapshot>> {
        Ok(self.snapshots().await?.into_iter().find(|s| s.id == id))
    }
    /// One group by name; `None` once it is gone.
    async fn auto_scaling_group(&self, name: &str) -> CloudResult<Option<AutoScalingGroup>> {
        Ok(self
            .auto_scaling_groups()
            .await?
            .into_iter()
            .find(|g| g.name == name))
    }
    async fn network_interface(&self, id: &str) -> CloudResult<Option<NetworkInterface>> {
        Ok(self
            .network_interfaces()
            .await?
            .into_iter()
            .find(|n| n.id == id))
    }
}

/// One CloudWatch series to fetch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricQuery {
    pub subject: MetricSubject,
    pub namespace: String,
    pub metric: String,
    pub stat: String,
    pub dimensions: Vec<(String, String)>,
}

/// Every mutation, through one required method: `call` takes a [`WriteCall`] (the one vocabulary
/// the audit decorator, the simulator's fault rules and the console share) and `dry_run`. EC2 calls
/// map it to `DryRun` (answered with a `DryRunOk` error when the call would succeed); calls whose API
/// has no DryRun validate by reading instead and answer the same way.
///
/// The typed methods below are conveniences over `call` for the runbooks and tests: an adapter
/// implements `region` and `call` only.
#[async_trait]
pub trait CloudWrite: Send + Sync {
    fn region(&self) -> &str;
    async fn call(&self, call: &WriteCall, dry_run: bool) -> CloudResult<Written<Produced>>;

    async fn start_instances(&self, ids: &[String], dry_run: bool) -> CloudResult<Written<()>> {
        let c = WriteCall::StartInstances { ids: ids.to_vec() };
        Ok(unit(self.call(&c, dry_run).await?))
    }
    async fn stop_instances(
        &self,
        ids: &[String],
        force: bool,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let c = WriteCall::StopInstances {
            ids: ids.to_vec(),
            force,
        };
        Ok(unit(self.call(&c, dry_run).await?))
    }
    async fn reboot_instances(&self, ids: &[String], dry_run: bool) -> CloudResult<Written<()>> {
        let c = WriteCall::RebootInstances { ids: ids.to_vec() };
        Ok(unit(self.call(&c, dry_run).await?))
    }
    async fn terminate_instances(&self, ids: &[String], dry_run: bool) -> CloudResult<Written<()>> {
        let c = WriteCall::TerminateInstances { ids: ids.to_vec() };
        Ok(unit(self.call(&c, dry_run).await?))
    }
    /// Returns the new image id.
    async fn create_image(
        &self,
        instance_id: &str,
        name: &str,
        description: &str,
        no_reboot: bool,
        tags: &[Tag],
        dry_run: bool,
    ) -> CloudResult<Written<String>> {
        let c = WriteCall::CreateImage {
            instance_id: instance_id.into(),
            name: name.into(),
            description: description.into(),
            no_reboot,
            tags: tags.to_vec(),
        };
        id(&c, self.call(&c, dry_run).await?)
    }
    async fn deregister_image(&self, image_id: &str, dry_run: bool) -> CloudResult<Written<()>> {
        let c = WriteCall::DeregisterImage {
            image_id: image_id.into(),
        };
        Ok(unit(self.call(&c, dry_run).await?))
    }
    /// Returns the new instance ids.
    async fn run_instances(
        &self,
        spec: &LaunchSpec,
        dry_run: bool,
    ) -> CloudResult<Written<Vec<String>>> {
        let c = WriteCall::RunInstances { spec: spec.clone() };
        let w = self.call(&c, dry_run).await?;
        Ok(Written::new(w.value.ids(), w.request_id))
    }
    async fn create_volume(
        &self,
        spec: &VolumeSpec,
        dry_run: bool,
    ) -> CloudResult<Written<String>> {
        let c = WriteCall::CreateVolume { spec: spec.clone() };
        id(&c, self.call(&c, dry_run).await?)
    }
    async fn attach_volume(
        &self,
        volume_id: &str,
        instance_id: &str,
        device: &str,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let c = WriteCall::AttachVolume {
            volume_id: volume_id.into(),
            instance_id: instance_id.into(),
            device: device.into(),
        };
        Ok(unit(self.call(&c, dry_run).await?))
    }
    /// Detaches from the named instance only (see [`WriteCall::DetachVolume`]).
    async fn detach_volume(
        &self,
        volume_id: &str,
        instance_id: &str,
        force: bool,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let c = WriteCall::DetachVolume {
            volume_id: volume_id.into(),
            instance_id: instance_id.into(),
            force,
        };
        Ok(unit(self.call(&c, dry_run).await?))
    }
    async fn delete_volume(&self, volume_id: &str, dry_run: bool) -> CloudResult<Written<()>> {
        let c = WriteCall::DeleteVolume {
            volume_id: volume_id.into(),
        };
        Ok(unit(self.call(&c, dry_run).await?))
    }
    async fn create_snapshot(
        &self,
        volume_id: &str,
        description: &str,
        tags: &[Tag],
        dry_run: bool,
    ) -> CloudResult<Written<String>> {
        let c = WriteCall::CreateSnapshot {
            volume_id: volume_id.into(),
            description: description.into(),
            tags: tags.to_vec(),
        };
        id(&c, self.call(&c, dry_run).await?)
    }
    /// One `CreateSnapshots` call: every EBS volume attached to the instance (root included), at one
    /// point in time. Returns each volume's new snapshot.
    async fn create_snapshots(
        &self,
        instance_id: &str,
        description: &str,
        tags: &[Tag],
        copy_tags_from_source: bool,
        dry_run: bool,
    ) -> CloudResult<Written<Vec<SnapshotOfVolume>>> {
        let c = WriteCall::CreateSnapshots {
            instance_id: instance_id.into(),
            description: description.into(),
            tags: tags.to_vec(),
            copy_tags_from_source,
        };
        let w = self.call(&c, dry_run).await?;
        match w.value {
            Produced::Snapshots(s) => Ok(Written::new(s, w.request_id)),
            other => Err(CloudError::new(
                ErrorKind::Other,
                "adapter",
                format!(
                    "{} answered {other:?}, not the snapshots it creates",
                    c.name()
                ),
            )
            .with_request_id(w.request_id)),
        }
    }
    /// Copies a snapshot from `source_region` into this region.
    async fn copy_snapshot(
        &self,
        source_region: &str,
        snapshot_id: &str,
        description: &str,
        dry_run: bool,
    ) -> CloudResult<Written<String>> {
        let c = WriteCall::CopySnapshot {
            source_region: source_region.into(),
            snapshot_id: snapshot_id.into(),
            description: description.into(),
        };
        id(&c, self.call(&c, dry_run).await?)
    }
    async fn delete_snapshot(&self, snapshot_id: &str, dry_run: bool) -> CloudResult<Written<()>> {
        let c = WriteCall::DeleteSnapshot {
            snapshot_id: snapshot_id.into(),
        };
        Ok(unit(self.call(&c, dry_run).await?))
    }
    async fn register_targets(
        &self,
        target_group_arn: &str,
        targets: &[TargetRef],
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let c = WriteCall::RegisterTargets {
            target_group_arn: target_group_arn.into(),
            targets: targets.to_vec(),
        };
        Ok(unit(self.call(&c, dry_run).await?))
    }
    async fn deregister_targets(
        &self,
        target_group_arn: &str,
        targets: &[TargetRef],
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let c = WriteCall::DeregisterTargets {
            target_group_arn: target_group_arn.into(),
            targets: targets.to_vec(),
        };
        Ok(unit(self.call(&c, dry_run).await?))
    }
    /// Returns the association id.
    async fn associate_address(
        &self,
        allocation_id: &str,
        target: &AddressTarget,
        allow_reassociation: bool,
        dry_run: bool,
    ) -> CloudResult<Written<String>> {
        let c = WriteCall::AssociateAddress {
            allocation_id: allocation_id.into(),
            target: target.clone(),
            allow_reassociation,
        };
        id(&c, self.call(&c, dry_run).await?)
    }
    async fn disassociate_address(
        &self,
        association_id: &str,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let c = WriteCall::DisassociateAddress {
            association_id: association_id.into(),
        };
        Ok(unit(self.call(&c, dry_run).await?))
    }
    /// Returns the attachment id.
    async fn attach_network_interface(
        &self,
        eni_id: &str,
        instance_id: &str,
        device_index: i32,
        dry_run: bool,
    ) -> CloudResult<Written<String>> {
        let c = WriteCall::AttachNetworkInterface {
            eni_id: eni_id.into(),
            instance_id: instance_id.into(),
            device_index,
        };
        id(&c, self.call(&c, dry_run).await?)
    }
    async fn detach_network_interface(
        &self,
        attachment_id: &str,
        force: bool,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let c = WriteCall::DetachNetworkInterface {
            attachment_id: attachment_id.into(),
            force,
        };
        Ok(unit(self.call(&c, dry_run).await?))
    }
    async fn assign_private_ips(
        &self,
        eni_id: &str,
        ips: &[String],
        allow_reassignment: bool,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let c = WriteCall::AssignPrivateIps {
            eni_id: eni_id.into(),
            ips: ips.to_vec(),
            allow_reassignment,
        };
        Ok(unit(self.call(&c, dry_run).await?))
    }
    async fn unassign_private_ips(
        &self,
        eni_id: &str,
        ips: &[String],
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let c = WriteCall::UnassignPrivateIps {
            eni_id: eni_id.into(),
            ips: ips.to_vec(),
        };
        Ok(unit(self.call(&c, dry_run).await?))
    }
    async fn create_tags(
        &self,
        resource_ids: &[String],
        tags: &[Tag],
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let c = WriteCall::CreateTags {
            resource_ids: resource_ids.to_vec(),
            tags: tags.to_vec(),
        };
        Ok(unit(self.call(&c, dry_run).await?))
    }
    /// Reschedules an instance event (only events with a deadline; AWS's rules apply).
    async fn reschedule_instance_event(
        &self,
        instance_id: &str,
        event_id: &str,
        not_before: Timestamp,
        dry_run: bool,
    ) -> CloudResult<Written<()>> {
        let c = WriteCall::RescheduleInstanceEvent {
            instance_id: instance_id.into(),
            event_id: event_id.into(),
            not_before,
        };
        Ok(unit(self.call(&c, dry_run).await?))
    }
}

fn unit(w: Written<Produced>) -> Written<()> {
    Written::new((), w.request_id)
}

/// The id a call produced; an adapter that answers a create without one is a bug, said plainly.
fn id(call: &WriteCall, w: Written<Produced>) -> CloudResult<Written<String>> {
    match w.value {
        Produced::Id(id) => Ok(Written::new(id, w.request_id)),
        other => Err(CloudError::new(
            ErrorKind::Other,
            "adapter",
            format!("{} answered {other:?}, not the id it creates", call.name()),
        )
        .with_request_id(w.request_id)),
    }
}
