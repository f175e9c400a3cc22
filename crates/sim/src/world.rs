//! The world: every region's records, the clock, and a time-ordered queue of pending transitions.
//!
//! Nothing runs in the background. Every port call first advances the world to the clock's "now" by
//! applying, in time order, each queued transition that is due (each at its own time), so a test on a
//! paused clock sees exactly the states AWS would show at that moment.

use super::call_record::CallRecord;
use super::clock::SimClock;
use super::fault_rules::Faults;
use super::ids;
use super::model::*;
use opsdeck_core::cloud::{CloudError, CloudResult, ErrorKind};
use opsdeck_core::domain::Timestamp;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap, VecDeque};

/// How long things take, in simulated seconds (AWS's typical figures).
pub(crate) mod timing {
    pub const PENDING: f64 = 35.0;
    pub const PENDING_JITTER: f64 = 15.0;
    /// Status checks report `initializing` this long after an instance starts running.
    pub const CHECKS_INIT: f64 = 90.0;
    pub const STOPPING: f64 = 25.0;
    pub const STOPPING_FORCED: f64 = 5.0;
    pub const SHUTTING_DOWN: f64 = 20.0;
    /// A terminated instance stays listed this long.
    pub const TERMINATED_LISTED: f64 = 3600.0;
    /// A reboot: the guest is down this long, then checks initialize again.
    pub const REBOOT_DOWN: f64 = 60.0;
    pub const CHECKS_AFTER_REBOOT: f64 = 60.0;
    /// Host maintenance without a reboot: a short blip.
    pub const MAINTENANCE_BLIP: f64 = 20.0;
    pub const VOLUME_CREATE: f64 = 8.0;
    pub const VOLUME_FROM_SNAPSHOT: f64 = 20.0;
    pub const VOLUME_ATTACH: f64 = 5.0;
    pub const VOLUME_DETACH: f64 = 8.0;
    pub const VOLUME_DELETE: f64 = 5.0;
    pub const SNAPSHOT_BASE: f64 = 60.0;
    pub const SNAPSHOT_PER_GIB: f64 = 3.0;
    pub const SNAPSHOT_COPY_EXTRA: f64 = 120.0;
    /// An AMI turns available this long after its last snapshot completes.
    pub const IMAGE_AFTER_SNAPSHOTS: f64 = 45.0;
    pub const ENI_ATTACH: f64 = 3.0;
    pub const ENI_DETACH: f64 = 5.0;
}

/// A state change due at some time. Each names the resource and, where a later call may overtake it,
/// the generation it was scheduled under (a stale one is ignored).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tr {
    InstanceRunning {
        region: String,
        id: String,
        ver: u64,
    },
    InstanceStopped {
        region: String,
        id: String,
        ver: u64,
    },
    InstanceTerminated {
        region: String,
        id: String,
        ver: u64,
    },
    InstancePurge {
        region: String,
        id: String,
    },
    RebootDone {
        region: String,
        id: String,
        ver: u64,
    },
    EventDue {
        region: String,
        id: String,
        event_id: String,
        not_before: Timestamp,
    },
    ImageCheck {
        region: String,
        id: String,
    },
    SnapshotCompleted {
        region: String,
        id: String,
    },
    VolumeAvailable {
        region: String,
        id: String,
        ver: u64,
    },
    VolumeAttached {
        region: String,
        id: String,
        ver: u64,
    },
    VolumeDetached {
        region: String,
        id: String,
        ver: u64,
        /// A forced detach: it also ends a `stuck-detach` (that fault hangs the next detach only).
        forced: bool,
    },
    VolumeGone {
        region: String,
        id: String,
        ver: u64,
    },
    EniAttached {
        region: String,
        id: String,
        ver: u64,
    },
    EniDetached {
        region: String,
        id: String,
        ver: u64,
    },
}

#[derive(Debug, Clone)]
struct Queued {
    at: Timestamp,
    seq: u64,
    tr: Tr,
}

impl PartialEq for Queued {
    fn eq(&self, o: &Self) -> bool {
        self.at == o.at && self.seq == o.seq
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Queued {
    fn cmp(&self, o: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(o.at, o.seq))
    }
}

/// Pending transitions, soonest first (ties in scheduling order).
#[derive(Debug, Default)]
pub(crate) struct Queue {
    heap: BinaryHeap<Reverse<Queued>>,
    seq: u64,
}

impl Queue {
    pub(crate) fn push(&mut self, at: Timestamp, tr: Tr) {
        self.seq += 1;
        self.heap.push(Reverse(Queued {
            at,
            seq: self.seq,
            tr,
        }));
    }
    fn pop_due(&mut self, t: Timestamp) -> Option<(Timestamp, Tr)> {
        if self.heap.peek().is_some_and(|Reverse(q)| q.at <= t) {
            self.heap.pop().map(|Reverse(q)| (q.at, q.tr))
        } else {
            None
        }
    }
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }
}

pub(crate) struct World {
    pub clock: SimClock,
    /// The world's current time: the clock's "now" after `advance`, or a transition's time while it applies.
    pub now: Timestamp,
    pub account: String,
    /// When the caller's credentials expire (STS `GetCallerIdentity` says so for SSO and
    /// assume-role sessions); `None`: long-lived keys.
    pub credentials_expire: Option<Timestamp>,
    pub fleet_name: String,
    pub regions: BTreeMap<String, Region>,
    pub queue: Queue,
    /// Ids, addresses and durations: the same seed and the same calls give the same world.
    pub rng: ChaCha8Rng,
    /// Fault dice, kept apart so injecting faults does not change the ids a run produces.
    pub fault_rng: ChaCha8Rng,
    /// Request ids, apart too: reads (which also get ids when they fail) never shift resource ids.
    pub req_rng: ChaCha8Rng,
    pub faults: Faults,
    /// The newest calls, oldest first (at most `faults::CALL_LOG_LIMIT`).
    pub calls: VecDeque<CallRecord>,
}

/// A `CloudError` for an AWS error code (its kind follows `CloudError::from_code`).
pub(crate) fn err(code: &str, message: impl Into<String>) -> CloudError {
    CloudError::from_code(code, message, None)
}

pub(crate) fn no_region(region: &str) -> CloudError {
    CloudError::new(
        ErrorKind::Unreachable,
        "dispatch",
        format!("the simulated fleet has no region {region}"),
    )
}

impl World {
    pub(crate) fn new(clock: SimClock, seed: u64) -> World {
        let now = clock.now();
        World {
            clock,
            now,
            account: "123456789012".into(),
            credentials_expire: None,
            fleet_name: String::new(),
            regions: BTreeMap::new(),
            queue: Queue::default(),
            rng: ChaCha8Rng::seed_from_u64(seed),
            fault_rng: ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_fa17),
            req_rng: ChaCha8Rng::seed_from_u64(seed ^ 0x7e91d),
            faults: Faults::default(),
            calls: VecDeque::new(),
        }
    }

    /// Applies every transition due by the clock's now, in time order.
    pub(crate) fn advance(&mut self) {
        let target = self.clock.now();
        self.advance_to(target);
    }

    pub(crate) fn advance_to(&mut self, target: Timestamp) {
        while let Some((at, tr)) = self.queue.pop_due(target) {
            if at > self.now {
                self.now = at;
            }
            self.apply(tr);
        }
        if target > self.now {
            self.now = target;
        }
    }

    fn apply(&mut self, tr: Tr) {
        match tr {
            Tr::InstanceRunning { region, id, ver } => self.on_instance_running(&region, &id, ver),
            Tr::InstanceStopped { region, id, ver } => self.on_instance_stopped(&region, &id, ver),
            Tr::InstanceTerminated { region, id, ver } => {
                self.on_instance_terminated(&region, &id, ver)
            }
            Tr::InstancePurge { region, id } => {
                if let Some(r) = self.regions.get_mut(&region) {
                    r.instances.remove(&id);
                }
            }
            Tr::RebootDone { region, id, ver } => self.on_reboot_done(&region, &id, ver),
            Tr::EventDue {
                region,
                id,
                event_id,
                not_before,
            } => self.on_event_due(&region, &id, &event_id, not_before),
            Tr::ImageCheck { region, id } => self.on_image_check(&region, &id),
            Tr::SnapshotCompleted { region, id } => self.on_snapshot_completed(&region, &id),
            Tr::VolumeAvailable { region, id, ver } => self.on_volume_available(&region, &id, ver),
            Tr::VolumeAttached { region, id, ver } => self.on_volume_attached(&region, &id, ver),
            Tr::VolumeDetached {
                region,
                id,
                ver,
                forced,
            } => self.on_volume_detached(&region, &id, ver, forced),
            Tr::VolumeGone { region, id, ver } => self.on_volume_gone(&region, &id, ver),
            Tr::EniAttached { region, id, ver } => self.on_eni_attached(&region, &id, ver),
            Tr::EniDetached { region, id, ver } => self.on_eni_detached(&region, &id, ver),
        }
    }

    pub(crate) fn region(&self, name: &str) -> CloudResult<&Region> {
        self.regions.get(name).ok_or_else(|| no_region(name))
    }

    pub(crate) fn region_mut(&mut self, name: &str) -> CloudResult<&mut Region> {
        self.regions.get_mut(name).ok_or_else(|| no_region(name))
    }

    /// `base` seconds plus up to `jitter` more, from now.
    pub(crate) fn after(&mut self, base: f64, jitter: f64) -> Timestamp {
        let extra = if jitter > 0.0 {
            self.rng.random_range(0.0..jitter)
        } else {
            0.0
        };
        self.now + super::clock::secs(base + extra)
    }

    pub(crate) fn request_id(&mut self) -> String {
        ids::request_id(&mut self.req_rng)
    }

    /// Finds the region that holds a resource id (ids are unique across the whole fleet).
    pub(crate) fn region_of_instance(&self, id: &str) -> Option<String> {
        self.regions
            .iter()
            .find(|(_, r)| r.instances.contains_key(id))
            .map(|(n, _)| n.clone())
    }

    pub(crate) fn region_of_zone(&self, az: &str) -> Option<String> {
        self.regions
            .iter()
            .find(|(_, r)| r.zone(az).is_some())
            .map(|(n, _)| n.clone())
    }

    pub(crate) fn pending_transitions(&self) -> usize {
        self.queue.len()
    }
}
