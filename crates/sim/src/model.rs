//! The world's records: the domain type a read returns, plus what the simulation needs to move it.
//! Derived fields (status checks, public IPs, attachments seen from the instance, target health,
//! snapshot progress) are computed at read time from these records, so they can never disagree.

use super::ids::Cidr;
use opsdeck_core::domain::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What an instance is doing, as a load balancer's health checks and CloudWatch see it. Recorded on a
/// timeline so target health and metrics can be evaluated at any past minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Stopped, stopping, shutting down or terminated: ELB says `unused`.
    Off,
    /// Launching: ELB says `initial`.
    Pending,
    /// Running but rebooting: not answering health checks.
    Booting,
    /// Running and serving.
    Up,
    /// Running, its guest crashed: the instance status check fails, the system check passes.
    Impaired,
    /// Running on a host that is unreachable (AZ outage): both status checks fail. Kept apart from
    /// `Impaired` so past minutes keep their `StatusCheckFailed_System` after the zone is restored.
    HostDown,
}

#[derive(Debug, Clone)]
pub(crate) struct InstanceRec {
    /// The domain view. `status_checks`, `events`, `name`, `public_ip`, `block_devices` and
    /// `network_interface_ids` are filled in at read time.
    pub inst: Instance,
    pub user_data: Option<String>,
    /// Bumped by every state change: queued transitions scheduled under an older generation are stale.
    pub ver: u64,
    /// The auto-assigned public address (released at stop, a new one at start).
    pub public_ip: Option<String>,
    pub auto_public_ip: bool,
    pub host_id: String,
    pub rebooting: bool,
    pub crashed_since: Option<Timestamp>,
    pub outage_since: Option<Timestamp>,
    pub checks_init_until: Option<Timestamp>,
    pub events: Vec<ScheduledEvent>,
    pub timeline: Vec<(Timestamp, Phase)>,
    /// CPU % with no traffic; traffic adds to it.
    pub cpu_base: f64,
}

impl InstanceRec {
    pub(crate) fn phase(&self) -> Phase {
        match self.inst.state {
            InstanceState::Running => {
                if self.outage_since.is_some() {
                    Phase::HostDown
                } else if self.crashed_since.is_some() {
                    Phase::Impaired
                } else if self.rebooting {
                    Phase::Booting
                } else {
                    Phase::Up
                }
            }
            InstanceState::Pending => Phase::Pending,
            _ => Phase::Off,
        }
    }

    /// Records the current phase on the timeline if it changed.
    pub(crate) fn mark(&mut self, now: Timestamp) {
        let p = self.phase();
        match self.timeline.last() {
            Some((_, last)) if *last == p => {}
            _ => self.timeline.push((now, p)),
        }
    }

    /// The timeline segment covering `t`: its index, start and phase (`None` before the launch).
    pub(crate) fn segment_at(&self, t: Timestamp) -> Option<(usize, Timestamp, Phase)> {
        let n = self.timeline.partition_point(|(at, _)| *at <= t);
        if n == 0 {
            return None;
        }
        let (at, p) = self.timeline[n - 1];
        Some((n - 1, at, p))
    }

    pub(crate) fn phase_at(&self, t: Timestamp) -> Option<Phase> {
        self.segment_at(t).map(|(_, _, p)| p)
    }

    pub(crate) fn status_checks(&self, now: Timestamp) -> StatusChecks {
        if self.inst.state != InstanceState::Running {
            return StatusChecks::not_applicable();
        }
        if self.rebooting || self.checks_init_until.is_some_and(|t| now < t) {
            let mut c = StatusChecks::not_applicable();
            c.system = if self.outage_since.is_some() {
                CheckStatus::Impaired
            } else {
                CheckStatus::Initializing
            };
            c.instance = CheckStatus::Initializing;
            c.impaired_since = self.outage_since;
            return c;
        }
        let system = if self.outage_since.is_some() {
            CheckStatus::Impaired
        } else {
            CheckStatus::Ok
        };
        // An unreachable host fails the guest's reachability check too.
        let instance = if self.crashed_since.is_some() || self.outage_since.is_some() {
            CheckStatus::Impaired
        } else {
            CheckStatus::Ok
        };
        let impaired_since = match (self.outage_since, self.crashed_since) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        StatusChecks {
            system,
            instance,
            impaired_since,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct VolumeRec {
    pub vol: Volume,
    pub ver: u64,
    /// A detach of this volume hangs in `detaching` until forced (chaos `stuck-detach`).
    pub stuck: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct SnapshotRec {
    pub snap: Snapshot,
    pub started: Timestamp,
    pub completes_at: Timestamp,
}

impl SnapshotRec {
    pub(crate) fn progress(&self, now: Timestamp) -> u8 {
        if self.snap.state == SnapshotState::Completed {
            return 100;
        }
        let total = (self.completes_at - self.started).num_milliseconds().max(1) as f64;
        let done = (now - self.started).num_milliseconds().max(0) as f64;
        ((done / total) * 100.0).floor().clamp(0.0, 99.0) as u8
    }
}

#[derive(Debug, Clone)]
pub(crate) struct EniRec {
    pub eni: NetworkInterface,
    pub ver: u64,
    /// Created with an instance (its primary interface): deleted with it.
    pub primary_of: Option<String>,
}

impl EniRec {
    /// Attached (in whatever attachment state) to that instance.
    pub(crate) fn attached_to(&self, instance_id: &str) -> bool {
        self.eni
            .attachment
            .as_ref()
            .and_then(|a| a.instance_id.as_deref())
            == Some(instance_id)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct LbRec {
    pub lb: LoadBalancer,
    pub listeners: Vec<Listener>,
}

#[derive(Debug, Clone)]
pub(crate) struct Registration {
    pub target_id: String,
    pub port: Option<i32>,
    pub registered_at: Timestamp,
    pub deregistered_at: Option<Timestamp>,
}

#[derive(Debug, Clone)]
pub(crate) struct TgRec {
    /// With `deregistration_delay_seconds` always set (the sim knows its attributes).
    pub tg: TargetGroup,
    pub regs: Vec<Registration>,
    /// Requests per minute the group's load balancer sends it (spread over healthy targets).
    pub requests_per_minute: f64,
}

impl TgRec {
    pub(crate) fn delay(&self) -> chrono::Duration {
        chrono::Duration::seconds(self.tg.deregistration_delay_seconds.unwrap_or(300))
    }
}

#[derive(Debug, Clone)]
pub(crate) struct AlarmRec {
    pub alarm: Alarm,
    pub stat: String,
    pub period_seconds: i64,
    pub evaluation_periods: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct SubnetRec {
    pub subnet: Subnet,
    pub cidr: Cidr,
    pub next_host: u64,
    pub public: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct ZoneRec {
    pub zone: AvailabilityZone,
    pub outage: bool,
}

/// One region's resources. Maps are keyed by id (ARN for ELB, name for alarms) so listings are stable.
#[derive(Debug, Clone, Default)]
pub(crate) struct Region {
    pub name: String,
    pub vpc_id: String,
    pub default_sg: String,
    /// Security group ids that exist (name → id).
    pub security_groups: BTreeMap<String, String>,
    pub zones: Vec<ZoneRec>,
    pub subnets: BTreeMap<String, SubnetRec>,
    pub instances: BTreeMap<String, InstanceRec>,
    pub volumes: BTreeMap<String, VolumeRec>,
    pub snapshots: BTreeMap<String, SnapshotRec>,
    pub images: BTreeMap<String, Image>,
    /// AMIs that exist but are not this account's (public base images): launchable, not listed.
    pub public_images: BTreeSet<String>,
    pub eips: BTreeMap<String, ElasticIp>,
    pub enis: BTreeMap<String, EniRec>,
    pub lbs: BTreeMap<String, LbRec>,
    pub tgs: BTreeMap<String, TgRec>,
    pub alarms: BTreeMap<String, AlarmRec>,
    /// Auto Scaling groups by name.
    pub groups: BTreeMap<String, crate::groups::GroupRec>,
    /// RunInstances client tokens: the request's fingerprint and the instances it launched.
    pub client_tokens: HashMap<String, (String, Vec<String>)>,
    /// Private address → the ENI holding it.
    pub private_ips: HashMap<String, String>,
}

impl Region {
    pub(crate) fn zone(&self, name: &str) -> Option<&ZoneRec> {
        self.zones.iter().find(|z| z.zone.name == name)
    }
    pub(crate) fn zone_down(&self, name: &str) -> bool {
        self.zone(name).is_some_and(|z| z.outage)
    }
}
