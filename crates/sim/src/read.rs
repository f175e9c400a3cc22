//! `CloudRead` over the simulated world: each list is complete (nothing to paginate), and derived
//! fields are computed from the records at the moment of the call.

use super::Sim;
use super::world::{World, err};
use async_trait::async_trait;
use opsdeck_core::cloud::{CloudRead, CloudResult, MetricQuery};
use opsdeck_core::domain::*;
use std::collections::HashMap;
use std::time::Duration;

/// The read port of one simulated region.
pub struct SimRead {
    pub(crate) sim: Sim,
    pub(crate) region: String,
}

fn named(tags: &Tags) -> Option<String> {
    name_tag(tags).map(str::to_string)
}

impl World {
    /// Instances with their derived fields; `only` narrows to one id (a runbook polling it).
    pub(crate) fn instances_view(
        &self,
        region: &str,
        only: Option<&str>,
    ) -> CloudResult<Vec<Instance>> {
        let r = self.region(region)?;
        let wanted = |id: &str| only.is_none_or(|o| o == id);
        let now = self.now;
        let mut enis_of: HashMap<&str, Vec<(i32, &NetworkInterface)>> = HashMap::new();
        for e in r.enis.values() {
            if let Some(iid) = e
                .eni
                .attachment
                .as_ref()
                .and_then(|a| a.instance_id.as_deref().map(|i| (i, a.device_index)))
            {
                enis_of.entry(iid.0).or_default().push((iid.1, &e.eni));
            }
        }
        let mut eip_of: HashMap<(&str, &str), &str> = HashMap::new();
        for a in r.eips.values() {
            if let (Some(n), Some(ip)) = (&a.network_interface_id, &a.private_ip) {
                eip_of.insert((n.as_str(), ip.as_str()), a.public_ip.as_str());
            }
        }
        let mut bdm: HashMap<&str, Vec<BlockDevice>> = HashMap::new();
        for v in r.volumes.values() {
            for a in v.vol.attachments.iter().filter(|a| wanted(&a.instance_id)) {
                bdm.entry(a.instance_id.as_str())
                    .or_default()
                    .push(BlockDevice {
                        device_name: a.device.clone(),
                        volume_id: v.vol.id.clone(),
                        delete_on_termination: a.delete_on_termination,
                        status: a.state.as_str().into(),
                    });
            }
        }
        let mut out = Vec::with_capacity(if only.is_some() { 1 } else { r.instances.len() });
        let recs: Box<dyn Iterator<Item = &super::model::InstanceRec>> = match only {
            Some(id) => Box::new(r.instances.get(id).into_iter()),
            None => Box::new(r.instances.values()),
        };
        for rec in recs {
            let mut i = rec.inst.clone();
            i.name = named(&i.tags).map(Into::into);
            i.status_checks = rec.status_checks(now);
            i.events = rec.events.clone();
            let mut enis = enis_of.remove(i.id.as_str()).unwrap_or_default();
            enis.sort_by_key(|(d, _)| *d);
            i.network_interface_ids = enis.iter().map(|(_, e)| e.id.clone()).collect();
            let primary = enis.iter().find(|(d, _)| *d == 0).map(|(_, e)| *e);
            if let Some(p) = primary {
                i.private_ip = p.primary_private_ip().map(Into::into);
            }
            let eip = primary.and_then(|p| {
                p.primary_private_ip()
                    .and_then(|ip| eip_of.get(&(p.id.as_str(), ip)))
            });
            i.public_ip = match eip {
                Some(ip) => Some((*ip).into()),
                None => rec.public_ip.as_deref().map(Into::into),
            };
            let mut devices = bdm.remove(i.id.as_str()).unwrap_or_default();
            devices.sort_by(|a, b| a.device_name.cmp(&b.device_name));
            i.block_devices = devices;
            out.push(i);
        }
        Ok(out)
    }

    pub(crate) fn volumes_view(&self, region: &str) -> CloudResult<Vec<Volume>> {
        Ok(self
            .region(region)?
            .volumes
            .values()
            .map(|v| {
                let mut vol = v.vol.clone();
                vol.name = named(&vol.tags).map(Into::into);
                vol
            })
            .collect())
    }

    pub(crate) fn snapshots_view(&self, region: &str) -> CloudResult<Vec<Snapshot>> {
        let now = self.now;
        Ok(self
            .region(region)?
            .snapshots
            .values()
            .map(|s| {
                let mut snap = s.snap.clone();
                snap.name = named(&snap.tags).map(Into::into);
                snap.progress = s.progress(now);
                snap
            })
            .collect())
    }

    pub(crate) fn eips_view(&self, region: &str) -> CloudResult<Vec<ElasticIp>> {
        let r = self.region(region)?;
        Ok(r.eips
            .values()
            .map(|a| {
                let mut a = a.clone();
                a.instance_id = a
                    .network_interface_id
                    .as_ref()
                    .and_then(|n| r.enis.get(n.as_str()))
                    .and_then(|e| e.eni.attachment.as_ref())
                    .and_then(|at| at.instance_id.clone());
                a
            })
            .collect())
    }

    pub(crate) fn enis_view(&self, region: &str) -> CloudResult<Vec<NetworkInterface>> {
        let r = self.region(region)?;
        let mut eip_of: HashMap<(&str, &str), &str> = HashMap::new();
        for a in r.eips.values() {
            if let (Some(n), Some(ip)) = (&a.network_interface_id, &a.private_ip) {
                eip_of.insert((n.as_str(), ip.as_str()), a.public_ip.as_str());
            }
        }
        Ok(r.enis
            .values()
            .map(|e| {
                let mut n = e.eni.clone();
                for p in n.private_ips.iter_mut() {
                    p.public_ip = eip_of
                        .get(&(e.eni.id.as_str(), p.address.as_str()))
                        .map(|s| s.to_string())
                        .map(Into::into);
                }
                n
            })
            .collect())
    }

    pub(crate) fn target_health_view(
        &self,
        region: &str,
        arn: &str,
    ) -> CloudResult<Vec<TargetHealth>> {
        let r = self.region(region)?;
        let tg = r
            .tgs
            .get(arn)
            .ok_or_else(|| super::elb::tg_not_found(arn))?;
        Ok(r.targets_at(tg, self.now)
            .into_iter()
            .map(|(reg, e)| TargetHealth {
                region: region.into(),
                target_group_arn: arn.into(),
                target_id: reg.target_id.as_str().into(),
                port: reg.port,
                // ELB reports an AZ only for IP targets; the inventory fills it from the instance.
                az: None,
                state: e.state,
                reason: e.reason.map(Into::into),
                description: e.description.map(Into::into),
            })
            .collect())
    }
}

impl World {
    /// Groups as DescribeAutoScalingGroups shows them (their AZs from their subnets).
    pub(crate) fn groups_view(
        &self,
        region: &str,
        only: Option<&str>,
    ) -> CloudResult<Vec<AutoScalingGroup>> {
        let r = self.region(region)?;
        Ok(r.groups
            .values()
            .filter(|g| only.is_none_or(|o| o == g.name))
            .map(|g| {
                let mut azs: Vec<String> = g
                    .subnets
                    .iter()
                    .filter_map(|s| r.subnets.get(s))
                    .map(|s| s.subnet.az.to_string())
                    .collect();
                azs.sort();
                azs.dedup();
                g.view(region, azs)
            })
            .collect())
    }
}

macro_rules! read_list {
    ($self:ident, [$($action:literal),+], |$w:ident, $region:ident| $body:expr) => {{
        let region = $self.region.clone();
        $self
            .sim
            .call(&region, &[$($action),+], None, |$w: &mut World| {
                let $region = $self.region.as_str();
                $body
            })
            .await
    }};
}

#[async_trait]
impl CloudRead for SimRead {
    fn region(&self) -> &str {
        &self.region
    }

    /// The simulated clock, not the wall clock: the demo's ages and times left follow it.
    fn now(&self) -> Timestamp {
        self.sim.now()
    }

    async fn identity(&self) -> CloudResult<Identity> {
        read_list!(self, ["GetCallerIdentity"], |w, _r| Ok(Identity {
            account: w.account.as_str().into(),
            arn: format!("arn:aws:iam::{}:user/opsdeck-demo", w.account).into(),
            user_id: "AIDASIMULATEDDEMOUSER".into(),
            expires_at: w.credentials_expire,
        }))
    }

    async fn availability_zones(&self) -> CloudResult<Vec<AvailabilityZone>> {
        read_list!(self, ["DescribeAvailabilityZones"], |w, r| Ok(w
            .region(r)?
            .zones
            .iter()
            .map(|z| z.zone.clone())
            .collect()))
    }

    async fn subnets(&self) -> CloudResult<Vec<Subnet>> {
        read_list!(self, ["DescribeSubnets"], |w, r| Ok(w
            .region(r)?
            .subnets
            .values()
            .map(|s| s.subnet.clone())
            .collect()))
    }

    async fn instances(&self) -> CloudResult<Vec<Instance>> {
        read_list!(
            self,
            ["DescribeInstances", "DescribeInstanceStatus"],
            |w, r| w.instances_view(r, None)
        )
    }

    async fn instance(&self, id: &str) -> CloudResult<Option<Instance>> {
        read_list!(
            self,
            ["DescribeInstances", "DescribeInstanceStatus"],
            |w, r| Ok(w.instances_view(r, Some(id))?.pop())
        )
    }

    async fn volume(&self, id: &str) -> CloudResult<Option<Volume>> {
        read_list!(self, ["DescribeVolumes"], |w, r| Ok(w
            .region(r)?
            .volumes
            .get(id)
            .map(|v| {
                let mut vol = v.vol.clone();
                vol.name = named(&vol.tags).map(Into::into);
                vol
            })))
    }

    async fn image(&self, id: &str) -> CloudResult<Option<Image>> {
        read_list!(self, ["DescribeImages"], |w, r| Ok(w
            .region(r)?
            .images
            .get(id)
            .cloned()))
    }

    async fn snapshot(&self, id: &str) -> CloudResult<Option<Snapshot>> {
        let now = self.sim.now();
        read_list!(self, ["DescribeSnapshots"], |w, r| Ok(w
            .region(r)?
            .snapshots
            .get(id)
            .map(|s| {
                let mut snap = s.snap.clone();
                snap.name = named(&snap.tags).map(Into::into);
                snap.progress = s.progress(now.max(w.now));
                snap
            })))
    }

    async fn volumes(&self) -> CloudResult<Vec<Volume>> {
        read_list!(self, ["DescribeVolumes"], |w, r| w.volumes_view(r))
    }

    async fn volume_events(&self) -> CloudResult<Vec<ScheduledEvent>> {
        read_list!(self, ["DescribeVolumeStatus"], |w, r| {
            w.region(r)?;
            Ok(Vec::new())
        })
    }

    async fn snapshots(&self) -> CloudResult<Vec<Snapshot>> {
        read_list!(self, ["DescribeSnapshots"], |w, r| w.snapshots_view(r))
    }

    async fn images(&self) -> CloudResult<Vec<Image>> {
        read_list!(self, ["DescribeImages"], |w, r| Ok(w
            .region(r)?
            .images
            .values()
            .cloned()
            .collect()))
    }

    async fn elastic_ips(&self) -> CloudResult<Vec<ElasticIp>> {
        read_list!(self, ["DescribeAddresses"], |w, r| w.eips_view(r))
    }

    async fn network_interfaces(&self) -> CloudResult<Vec<NetworkInterface>> {
        read_list!(self, ["DescribeNetworkInterfaces"], |w, r| w.enis_view(r))
    }

    async fn load_balancers(&self) -> CloudResult<Vec<LoadBalancer>> {
        read_list!(self, ["DescribeLoadBalancers"], |w, r| Ok(w
            .region(r)?
            .lbs
            .values()
            .map(|l| l.lb.clone())
            .collect()))
    }

    async fn target_groups(&self) -> CloudResult<Vec<TargetGroup>> {
        read_list!(self, ["DescribeTargetGroups"], |w, r| Ok(w
            .region(r)?
            .tgs
            .values()
            .map(|t| {
                let mut tg = t.tg.clone();
                // Attributes come only from DescribeTargetGroupAttributes (target_group_details).
                tg.deregistration_delay_seconds = None;
                tg
            })
            .collect()))
    }

    async fn target_health(&self, target_group_arn: &str) -> CloudResult<Vec<TargetHealth>> {
        let arn = target_group_arn.to_string();
        read_list!(self, ["DescribeTargetHealth"], |w, r| w
            .target_health_view(r, &arn))
    }

    async fn target_group_details(&self, target_group_arn: &str) -> CloudResult<TargetGroup> {
        let arn = target_group_arn.to_string();
        read_list!(
            self,
            ["DescribeTargetGroups", "DescribeTargetGroupAttributes"],
            |w, r| w
                .region(r)?
                .tgs
                .get(&arn)
                .map(|t| t.tg.clone())
                .ok_or_else(|| super::elb::tg_not_found(&arn))
        )
    }

    async fn listeners(&self, load_balancer_arn: &str) -> CloudResult<Vec<Listener>> {
        let arn = load_balancer_arn.to_string();
        read_list!(self, ["DescribeListeners"], |w, r| w
            .region(r)?
            .lbs
            .get(&arn)
            .map(|l| l.listeners.clone())
            .ok_or_else(|| err(
                "LoadBalancerNotFound",
                format!("One or more load balancers not found: {arn}")
            )))
    }

    async fn instance_user_data(&self, instance_id: &str) -> CloudResult<Option<String>> {
        let id = instance_id.to_string();
        read_list!(self, ["DescribeInstanceAttribute"], |w, r| w
            .region(r)?
            .instances
            .get(&id)
            .map(|i| i.user_data.clone())
            .ok_or_else(|| super::instances::not_found_instances(&[&id])))
    }

    async fn metrics(
        &self,
        queries: &[MetricQuery],
        window: Duration,
    ) -> CloudResult<Vec<MetricSeries>> {
        let queries = queries.to_vec();
        read_list!(self, ["GetMetricData"], |w, r| w
            .metric_series(r, &queries, window))
    }

    /// Groups with their members, hooks and newest refresh: the three reads the AWS adapter makes
    /// (one list, then two per group), answered at once.
    async fn auto_scaling_groups(&self) -> CloudResult<Vec<AutoScalingGroup>> {
        read_list!(
            self,
            [
                "DescribeAutoScalingGroups",
                "DescribeLifecycleHooks",
                "DescribeInstanceRefreshes"
            ],
            |w, r| w.groups_view(r, None)
        )
    }

    async fn auto_scaling_group(&self, name: &str) -> CloudResult<Option<AutoScalingGroup>> {
        let n = name.to_string();
        read_list!(self, ["DescribeAutoScalingGroups"], |w, r| Ok(w
            .groups_view(r, Some(&n))?
            .into_iter()
            .next()))
    }

    async fn alarms(&self) -> CloudResult<Vec<Alarm>> {
        read_list!(self, ["DescribeAlarms"], |w, r| {
            w.evaluate_alarms(r)?;
            Ok(w.region(r)?
                .alarms
                .values()
                .map(|a| a.alarm.clone())
                .collect())
        })
    }
}
