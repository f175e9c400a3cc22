use super::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How fetching one region went. A failed region keeps its error here; the others are unaffected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionStatus {
    pub region: String,
    pub fetched_at: Option<Timestamp>,
    /// Plain-words reason the region (or part of it) could not be read.
    pub error: Option<String>,
    /// Every kind the refresh could not read in this region, each with its call and error (empty
    /// when everything was read). `error` says the same in one line.
    #[serde(default)]
    pub unread: Vec<UnreadKind>,
}

/// One kind of resource (or reading) a refresh could not get in a region: what is missing from the
/// inventory, the call that failed and AWS's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnreadKind {
    /// The inventory's key for what is missing: `volume_events`, `metrics`, `auto_scaling_groups`.
    pub kind: String,
    /// The call that failed, as IAM names it (`ec2:DescribeVolumeStatus`), when known.
    pub call: Option<String>,
    /// AWS's error code (`UnauthorizedOperation`), or a local one (`dispatch`, `timeout`).
    pub code: String,
    /// The HTTP status of AWS's answer, when one came.
    pub http_status: Option<u16>,
    /// The whole error in plain words, with the call, status, code and message.
    pub error: String,
    /// How many calls for this kind failed (one per target group for `target_health`); `error`
    /// is the first one's.
    pub failed_calls: usize,
}

/// Everything the console knows, over one or more regions. Each resource names its region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub identity: Option<Identity>,
    pub regions: Vec<RegionStatus>,
    pub availability_zones: Vec<AvailabilityZone>,
    pub subnets: Vec<Subnet>,
    pub instances: Vec<Instance>,
    pub volumes: Vec<Volume>,
    pub snapshots: Vec<Snapshot>,
    pub images: Vec<Image>,
    pub load_balancers: Vec<LoadBalancer>,
    pub target_groups: Vec<TargetGroup>,
    pub target_health: Vec<TargetHealth>,
    pub listeners: Vec<Listener>,
    pub elastic_ips: Vec<ElasticIp>,
    pub network_interfaces: Vec<NetworkInterface>,
    /// Auto Scaling groups, each with its members (instance ids) and what keeps it from healing.
    pub auto_scaling_groups: Vec<AutoScalingGroup>,
    /// Volume events (DescribeVolumeStatus). Instance events live on their instance.
    pub volume_events: Vec<ScheduledEvent>,
    /// Every scheduled event, instance and volume, soonest first (derived by `fill_derived`).
    pub events: Vec<ScheduledEvent>,
    pub metrics: Vec<MetricSeries>,
    pub alarms: Vec<Alarm>,
    /// Id → position lookups, rebuilt by `fill_derived` (joins over 100k rows must not scan).
    /// Public only so `Inventory { .., ..Default::default() }` works; its contents are private.
    #[serde(skip)]
    pub index: Index,
}

/// Positions by id. Trusted only while the list still has the length it was built for; otherwise
/// lookups fall back to a scan, so a hand-edited inventory is never answered wrongly.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Index {
    instances: (usize, std::collections::HashMap<String, usize>),
    volumes: (usize, std::collections::HashMap<String, usize>),
    target_groups: (usize, std::collections::HashMap<String, usize>),
    load_balancers: (usize, std::collections::HashMap<String, usize>),
    /// Instance id → the position of the group it is a member of.
    group_of: (usize, std::collections::HashMap<String, usize>),
}

fn positions<T>(
    items: &[T],
    key: impl Fn(&T) -> &str,
) -> (usize, std::collections::HashMap<String, usize>) {
    (
        items.len(),
        items
            .iter()
            .enumerate()
            .map(|(i, x)| (key(x).to_string(), i))
            .collect(),
    )
}

/// Looks `id` up through the index when it is current, else by scanning.
fn find<'a, T>(
    items: &'a [T],
    idx: &(usize, std::collections::HashMap<String, usize>),
    id: &str,
    key: impl Fn(&T) -> &str,
) -> Option<&'a T> {
    if idx.0 == items.len() && !items.is_empty() {
        match idx.1.get(id) {
            None => return None,
            Some(&i) => {
                if let Some(x) = items.get(i).filter(|x| key(x) == id) {
                    return Some(x);
                }
            }
        }
    }
    // Not indexed yet, or moved since: scan. (Replacing items in place after `fill_derived`
    // without calling it again is not supported.)
    items.iter().find(|x| key(x) == id)
}

impl Inventory {
    /// Adds another region's inventory (regions are fetched separately and concurrently).
    pub fn merge(&mut self, other: Inventory) {
        if self.identity.is_none() {
            self.identity = other.identity;
        }
        self.regions.extend(other.regions);
        self.availability_zones.extend(other.availability_zones);
        self.subnets.extend(other.subnets);
        self.instances.extend(other.instances);
        self.volumes.extend(other.volumes);
        self.snapshots.extend(other.snapshots);
        self.images.extend(other.images);
        self.load_balancers.extend(other.load_balancers);
        self.target_groups.extend(other.target_groups);
        self.target_health.extend(other.target_health);
        self.listeners.extend(other.listeners);
        self.elastic_ips.extend(other.elastic_ips);
        self.network_interfaces.extend(other.network_interfaces);
        self.auto_scaling_groups.extend(other.auto_scaling_groups);
        self.volume_events.extend(other.volume_events);
        self.events.extend(other.events);
        self.metrics.extend(other.metrics);
        self.alarms.extend(other.alarms);
    }

    /// Fills what AWS leaves out but the console needs: a target's AZ (ELB reports it only for IP
    /// targets) is taken from its instance.
    pub fn fill_derived(&mut self) {
        let az_of: BTreeMap<(&str, &str), &str> = self
            .instances
            .iter()
            .map(|i| ((i.region.as_str(), i.id.as_str()), i.az.as_str()))
            .collect();
        let filled: Vec<Option<CompactString>> = self
            .target_health
            .iter()
            .map(|t| {
                t.az.clone().or_else(|| {
                    az_of
                        .get(&(t.region.as_str(), t.target_id.as_str()))
                        .map(|s| CompactString::from(*s))
                })
            })
            .collect();
        for (t, az) in self.target_health.iter_mut().zip(filled) {
            t.az = az;
        }
        let mut events: Vec<ScheduledEvent> = self
            .instances
            .iter()
            .flat_map(|i| i.events.iter().cloned())
            .chain(self.volume_events.iter().cloned())
            .collect();
        events.sort_by(|a, b| {
            a.not_before
                .cmp(&b.not_before)
                .then_with(|| a.resource_id.cmp(&b.resource_id))
        });
        self.events = events;
        self.shrink_to_fit();
        self.index = Index {
            instances: positions(&self.instances, |i| &i.id),
            volumes: positions(&self.volumes, |v| &v.id),
            target_groups: positions(&self.target_groups, |t| &t.arn),
            load_balancers: positions(&self.load_balancers, |l| &l.arn),
            group_of: (
                self.auto_scaling_groups.len(),
                self.auto_scaling_groups
                    .iter()
                    .enumerate()
                    .flat_map(|(g, grp)| {
                        grp.members
                            .iter()
                            .map(move |m| (m.instance_id.to_string(), g))
                    })
                    .collect(),
            ),
        };
    }

    /// The same inventory copied into fresh memory, the original freed. A fetched inventory is
    /// built piece by piece while the answers it came from are alive; once they are freed its
    /// pieces are left scattered over allocator pages that are mostly empty but cannot be given
    /// back. The copy packs into few pages, every list at its exact length; it takes 21 ms for
    /// 100,000 resources, in the refresh task (resident figures in `benches/RESULTS.md`).
    pub fn compacted(self) -> Self {
        // On a new thread, whose allocator heap is empty: the copy fills fresh pages rather than
        // the holes between the original's pieces (which would keep those pages in use).
        // No thread to be had (or it panicked): the inventory as it is, uncompacted.
        let copy = std::thread::scope(|s| {
            std::thread::Builder::new()
                .name("compact".into())
                .spawn_scoped(s, || self.clone())
                .ok()
                .and_then(|h| h.join().ok())
        });
        copy.unwrap_or(self)
    }

    /// Gives back the slack of lists grown by pushing (up to half of each): an inventory is held
    /// for a whole refresh interval and 100,000 resources make that tens of megabytes.
    fn shrink_to_fit(&mut self) {
        self.regions.shrink_to_fit();
        self.availability_zones.shrink_to_fit();
        self.subnets.shrink_to_fit();
        self.instances.shrink_to_fit();
        self.volumes.shrink_to_fit();
        self.snapshots.shrink_to_fit();
        self.images.shrink_to_fit();
        self.load_balancers.shrink_to_fit();
        self.target_groups.shrink_to_fit();
        self.target_health.shrink_to_fit();
        self.listeners.shrink_to_fit();
        self.elastic_ips.shrink_to_fit();
        self.network_interfaces.shrink_to_fit();
        self.auto_scaling_groups.shrink_to_fit();
        self.volume_events.shrink_to_fit();
        self.events.shrink_to_fit();
        self.metrics.shrink_to_fit();
        self.alarms.shrink_to_fit();
    }

    pub fn region_names(&self) -> Vec<&str> {
        self.regions.iter().map(|r| r.region.as_str()).collect()
    }

    pub fn instance(&self, id: &str) -> Option<&Instance> {
        find(&self.instances, &self.index.instances, id, |i| &i.id)
    }
    pub fn volume(&self, id: &str) -> Option<&Volume> {
        find(&self.volumes, &self.index.volumes, id, |v| &v.id)
    }
    pub fn snapshot(&self, id: &str) -> Option<&Snapshot> {
        self.snapshots.iter().find(|s| s.id == id)
    }
    pub fn image(&self, id: &str) -> Option<&Image> {
        self.images.iter().find(|i| i.id == id)
    }
    pub fn target_group(&self, arn_or_name: &str) -> Option<&TargetGroup> {
        self.target_groups
            .iter()
            .find(|t| t.arn == arn_or_name || t.name == arn_or_name)
    }
    pub fn load_balancer(&self, arn_or_name: &str) -> Option<&LoadBalancer> {
        self.load_balancers
            .iter()
            .find(|l| l.arn == arn_or_name || l.name == arn_or_name)
    }
    pub fn subnet(&self, id: &str) -> Option<&Subnet> {
        self.subnets.iter().find(|s| s.id == id)
    }

    pub fn auto_scaling_group(&self, name_or_arn: &str) -> Option<&AutoScalingGroup> {
        self.auto_scaling_groups
            .iter()
            .find(|g| g.name == name_or_arn || g.arn == name_or_arn)
    }

    /// The group an instance is a member of (in any lifecycle state), if any.
    pub fn group_of_instance(&self, instance_id: &str) -> Option<&AutoScalingGroup> {
        let idx = &self.index.group_of;
        if idx.0 == self.auto_scaling_groups.len()
            && !idx.1.is_empty()
            && let Some(g) = idx
                .1
                .get(instance_id)
                .and_then(|&g| self.auto_scaling_groups.get(g))
            && g.member(instance_id).is_some()
        {
            return Some(g);
        }
        self.auto_scaling_groups
            .iter()
            .find(|g| g.member(instance_id).is_some())
    }

    /// The AZs a group's subnets are in (from the subnets read; the group's own AZ list when a
    /// subnet is unknown), sorted.
    pub fn group_azs(&self, group: &AutoScalingGroup) -> Vec<String> {
        let mut azs: Vec<String> = group
            .subnet_ids
            .iter()
            .filter_map(|s| self.subnet(s).map(|s| s.az.to_string()))
            .collect();
        if azs.len() < group.subnet_ids.len() || group.subnet_ids.is_empty() {
            azs.extend(group.azs.iter().map(|a| a.to_string()));
        }
        azs.sort();
        azs.dedup();
        azs
    }

    /// Registered targets of a target group.
    pub fn targets_of<'a>(
        &'a self,
        tg_arn: &'a str,
    ) -> impl Iterator<Item = &'a TargetHealth> + 'a {
        self.target_health
            .iter()
            .filter(move |t| t.target_group_arn == tg_arn)
    }

    /// Targets of a target group grouped by AZ (targets of unknown AZ under `"?"`).
    pub fn targets_by_az(&self, tg_arn: &str) -> BTreeMap<String, Vec<&TargetHealth>> {
        let mut by_az: BTreeMap<String, Vec<&TargetHealth>> = BTreeMap::new();
        for t in self
            .target_health
            .iter()
            .filter(|t| t.target_group_arn == tg_arn)
        {
            by_az
                .entry(t.az.clone().unwrap_or_else(|| "?".into()).to_string())
                .or_default()
                .push(t);
        }
        by_az
    }

    /// Target groups an instance is registered in (in any state).
    pub fn target_groups_of_instance(&self, instance_id: &str) -> Vec<&TargetGroup> {
        let mut arns: Vec<&str> = self
            .target_health
            .iter()
            .filter(|t| t.target_id == instance_id)
            .map(|t| t.target_group_arn.as_str())
            .collect();
        arns.dedup();
        self.target_groups
            .iter()
            .filter(|tg| arns.contains(&tg.arn.as_str()))
            .collect()
    }

    /// The instance's registrations, one per target group and port.
    pub fn registrations_of_instance<'a>(
        &'a self,
        instance_id: &'a str,
    ) -> impl Iterator<Item = &'a TargetHealth> + 'a {
        self.target_health
            .iter()
            .filter(move |t| t.target_id == instance_id)
    }

    pub fn volumes_of_instance(&self, instance_id: &str) -> Vec<&Volume> {
        self.volumes
            .iter()
            .filter(|v| v.attachments.iter().any(|a| a.instance_id == instance_id))
            .collect()
    }

    pub fn enis_of_instance(&self, instance_id: &str) -> Vec<&NetworkInterface> {
        self.network_interfaces
            .iter()
            .filter(|n| {
                n.attachment.as_ref().and_then(|a| a.instance_id.as_deref()) == Some(instance_id)
            })
            .collect()
    }

    /// Elastic IPs that point at the instance, directly or through one of its ENIs.
    pub fn eips_of_instance(&self, instance_id: &str) -> Vec<&ElasticIp> {
        let enis: Vec<&str> = self
            .enis_of_instance(instance_id)
            .iter()
            .map(|n| n.id.as_str())
            .collect();
        self.elastic_ips
            .iter()
            .filter(|e| {
                e.instance_id.as_deref() == Some(instance_id)
                    || e.network_interface_id
                        .as_deref()
                        .is_some_and(|n| enis.contains(&n))
            })
            .collect()
    }

    /// Snapshots taken of a volume, newest first.
    pub fn snapshots_of_volume(&self, volume_id: &str) -> Vec<&Snapshot> {
        let mut snaps: Vec<&Snapshot> = self
            .snapshots
            .iter()
            .filter(|s| s.volume_id.as_deref() == Some(volume_id))
            .collect();
        snaps.sort_by_key(|s| std::cmp::Reverse(s.start_time));
        snaps
    }

    /// The newest completed snapshot of a volume: the restore point a failover would use.
    pub fn newest_completed_snapshot(&self, volume_id: &str) -> Option<&Snapshot> {
        self.snapshots_of_volume(volume_id)
            .into_iter()
            .find(|s| s.state == SnapshotState::Completed)
    }

    /// Images whose block-device mapping uses the snapshot.
    pub fn images_using_snapshot(&self, snapshot_id: &str) -> Vec<&Image> {
        self.images
            .iter()
            .filter(|i| i.snapshot_ids.iter().any(|s| s == snapshot_id))
            .collect()
    }

    pub fn events_of_instance(&self, instance_id: &str) -> Vec<&ScheduledEvent> {
        self.instance(instance_id)
            .map(|i| i.events.iter().collect())
            .unwrap_or_default()
    }

    pub fn metrics_of_instance<'a>(
        &'a self,
        instance_id: &'a str,
    ) -> impl Iterator<Item = &'a MetricSeries> + 'a {
        self.metrics.iter().filter(move |m| {
            matches!(&m.subject, MetricSubject::Instance { instance_id: id } if id == instance_id)
        })
    }

    pub fn instance_metric(&self, instance_id: &str, metric: &str) -> Option<&MetricSeries> {
        self.metrics.iter().find(|m| {
            m.metric == metric
                && matches!(&m.subject, MetricSubject::Instance { instance_id: id } if id == instance_id)
        })
    }

    pub fn alarms_of_instance(&self, instance_id: &str) -> Vec<&Alarm> {
        self.alarms
            .iter()
            .filter(|a| {
                a.dimensions
                    .iter()
                    .any(|(k, v)| k == "InstanceId" && v == instance_id)
            })
            .collect()
    }

    /// Every AZ that appears anywhere in the inventory, sorted (zones reported by EC2 first come first).
    pub fn az_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .availability_zones
            .iter()
            .map(|z| z.name.clone())
            .map(Into::into)
            .collect();
        for az in self
            .instances
            .iter()
            .map(|i| &i.az)
            .chain(self.volumes.iter().map(|v| &v.az))
        {
            if !names.iter().any(|n| n == az) {
                names.push(az.to_string());
            }
        }
        names.sort();
        names
    }

    pub fn zone_state(&self, az: &str) -> ZoneState {
        self.availability_zones
            .iter()
            .find(|z| z.name == az)
            .map(|z| z.state)
            .unwrap_or(ZoneState::Unknown)
    }

    /// When the newest region was read, on the session's clock (`CloudRead::now`): the "now" its
    /// ages and times left are measured against. `None` for an inventory nothing fetched.
    pub fn fetched_at(&self) -> Option<Timestamp> {
        self.regions.iter().filter_map(|r| r.fetched_at).max()
    }

    pub fn resource_count(&self) -> usize {
        self.instances.len()
            + self.volumes.len()
            + self.snapshots.len()
            + self.images.len()
            + self.load_balancers.len()
            + self.target_groups.len()
            + self.target_health.len()
            + self.elastic_ips.len()
            + self.network_interfaces.len()
            + self.auto_scaling_groups.len()
            + self.alarms.len()
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::fixture::FleetBuilder;

    #[test]
    fn lookups_agree_with_scans_and_survive_edits_after_indexing() {
        let now = chrono::Utc::now();
        let mut f = FleetBuilder::new("r", now);
        let a = f.az("a");
        let ids: Vec<String> = (0..50)
            .map(|n| f.instance(&format!("i{n}"), &a, None))
            .collect();
        let tg = f.target_group("web", None);
        let mut inv = f.build();
        for id in &ids {
            assert_eq!(inv.instance(id).map(|i| i.id.as_str()), Some(id.as_str()));
        }
        assert!(inv.instance("i-missing").is_none());
        assert_eq!(inv.target_group(&tg).map(|t| t.name.as_str()), Some("web"));
        assert_eq!(
            inv.target_group("web").map(|t| t.arn.as_str()),
            Some(tg.as_str()),
            "by name too"
        );
        // Edited after indexing: the stale index is not trusted.
        let moved = inv.instances.remove(0);
        assert!(inv.instance(&moved.id).is_none());
        assert_eq!(
            inv.instance(&ids[1]).map(|i| i.id.as_str()),
            Some(ids[1].as_str())
        );
        inv.instances.insert(0, moved.clone());
        inv.instances.swap(0, 1);
        assert_eq!(
            inv.instance(&moved.id).map(|i| &i.id),
            Some(&moved.id),
            "same length, other order: checked, then scanned"
        );
    }

    #[test]
    fn a_compacted_inventory_is_the_same_inventory_and_still_indexed() {
        let now = chrono::Utc::now();
        let mut f = FleetBuilder::new("r", now);
        let a = f.az("a");
        let id = f.instance("web", &a, None);
        let vol = f.volume(&a, Some((&id, "/dev/xvdf")));
        f.snapshot(&vol, 3);
        let inv = f.build();
        let copy = inv.clone().compacted();
        assert_eq!(copy, inv);
        assert_eq!(copy.instance(&id).map(|i| i.id.as_str()), Some(id.as_str()));
        assert_eq!(copy.volume(&vol).map(|v| v.id.as_str()), Some(vol.as_str()));
    }
}
