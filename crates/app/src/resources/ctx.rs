//! What cell functions read: the inventory (`Ctx`, scanning it: headless output) or the inventory
//! with its hash indexes (`IndexedCtx`, the console's), behind one trait.

use opsdeck_core::analysis::Finding;
use opsdeck_core::domain::*;
use std::collections::{BTreeMap, HashMap};

/// What a cell function sees: the inventory, the row, and the time to measure ages against.
pub struct Ctx<'a> {
    pub inv: &'a Inventory,
    pub now: Timestamp,
}

/// Per-AZ target health of one target group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzHealth {
    pub az: String,
    pub healthy: usize,
    pub total: usize,
}

/// The lookups cell functions need. The plain `Ctx` answers them by scanning the inventory (fine for
/// headless output); the console's `IndexedCtx` answers from hash maps, so a table of 100,000 rows
/// never does a quadratic amount of work.
pub trait CellCtx {
    fn inv(&self) -> &Inventory;
    fn now(&self) -> Timestamp;
    /// The findings over `inv`, worst first (none where nobody computed them: headless tables).
    fn findings(&self) -> &[Finding] {
        &[]
    }
    /// Whether `findings` were computed (the console's) or are simply absent (headless tables).
    fn findings_known(&self) -> bool {
        false
    }
    fn instance(&self, id: &str) -> Option<&Instance> {
        self.inv().instance(id)
    }
    fn target_group(&self, arn_or_name: &str) -> Option<&TargetGroup> {
        self.inv().target_group(arn_or_name)
    }
    fn load_balancer(&self, arn_or_name: &str) -> Option<&LoadBalancer> {
        self.inv().load_balancer(arn_or_name)
    }
    fn instance_metric(&self, instance_id: &str, metric: &str) -> Option<&MetricSeries> {
        self.inv().instance_metric(instance_id, metric)
    }
    fn newest_completed_snapshot(&self, volume_id: &str) -> Option<&Snapshot> {
        self.inv().newest_completed_snapshot(volume_id)
    }
    fn tg_health_by_az(&self, tg_arn: &str) -> Vec<AzHealth> {
        az_health(
            self.inv()
                .targets_by_az(tg_arn)
                .iter()
                .map(|(az, ts)| (az.as_str(), ts.iter().map(|t| t.state))),
        )
    }
}

fn az_health<'a, I, S>(groups: I) -> Vec<AzHealth>
where
    I: Iterator<Item = (&'a str, S)>,
    S: Iterator<Item = TargetState>,
{
    groups
        .map(|(az, states)| {
            let (mut healthy, mut total) = (0, 0);
            for s in states {
                total += 1;
                if s == TargetState::Healthy {
                    healthy += 1;
                }
            }
            AzHealth {
                az: az.to_string(),
                healthy,
                total,
            }
        })
        .collect()
}

impl CellCtx for Ctx<'_> {
    fn inv(&self) -> &Inventory {
        self.inv
    }
    fn now(&self) -> Timestamp {
        self.now
    }
}

/// Hash indexes over one inventory, and its findings: built once per refresh, off the loop.
#[derive(Debug, Default)]
pub struct InvIndex {
    /// The analysis's findings, worst first (`with_findings`; `build` leaves them empty).
    pub findings: Vec<Finding>,
    instances: HashMap<Box<str>, u32>,
    target_groups: HashMap<Box<str>, u32>,
    load_balancers: HashMap<Box<str>, u32>,
    cpu: HashMap<Box<str>, u32>,
    newest_snapshot: HashMap<Box<str>, u32>,
    tg_health: HashMap<Box<str>, Vec<AzHealth>>,
}

impl InvIndex {
    pub fn build(inv: &Inventory) -> Self {
        let mut ix = InvIndex::default();
        for (i, x) in inv.instances.iter().enumerate() {
            ix.instances.insert(x.id.as_str().into(), i as u32);
        }
        for (i, x) in inv.target_groups.iter().enumerate() {
            ix.target_groups.insert(x.arn.as_str().into(), i as u32);
            ix.target_groups
                .entry(x.name.as_str().into())
                .or_insert(i as u32);
        }
        for (i, x) in inv.load_balancers.iter().enumerate() {
            ix.load_balancers.insert(x.arn.as_str().into(), i as u32);
            ix.load_balancers
                .entry(x.name.as_str().into())
                .or_insert(i as u32);
        }
        for (i, m) in inv.metrics.iter().enumerate() {
            if let MetricSubject::Instance { instance_id } = &m.subject
                && m.metric == "CPUUtilization"
            {
                ix.cpu
                    .entry(instance_id.as_str().into())
                    .or_insert(i as u32);
            }
        }
        for (i, s) in inv.snapshots.iter().enumerate() {
            if s.state != SnapshotState::Completed {
                continue;
            }
            let Some(vol) = s.volume_id.as_deref() else {
                continue;
            };
            match ix.newest_snapshot.get(vol) {
                Some(&j) if inv.snapshots[j as usize].start_time >= s.start_time => {}
                _ => {
                    ix.newest_snapshot.insert(vol.into(), i as u32);
                }
            }
        }
        let mut by_tg: HashMap<&str, BTreeMap<&str, Vec<TargetState>>> = HashMap::new();
        for t in &inv.target_health {
            by_tg
                .entry(t.target_group_arn.as_str())
                .or_default()
                .entry(t.az.as_deref().unwrap_or("?"))
                .or_default()
                .push(t.state);
        }
        for (tg, zones) in by_tg {
            let health = az_health(zones.iter().map(|(az, s)| (*az, s.iter().copied())));
            ix.tg_health.insert(tg.into(), health);
        }
        ix
    }

    pub fn with_findings(mut self, findings: Vec<Finding>) -> Self {
        self.findings = findings;
        self
    }
}

/// The console's cell context: the inventory plus its indexes.
pub struct IndexedCtx<'a> {
    pub inv: &'a Inventory,
    pub index: &'a InvIndex,
    pub now: Timestamp,
}

impl CellCtx for IndexedCtx<'_> {
    fn inv(&self) -> &Inventory {
        self.inv
    }
    fn now(&self) -> Timestamp {
        self.now
    }
    fn instance(&self, id: &str) -> Option<&Instance> {
        let i = *self.index.instances.get(id)?;
        self.inv.instances.get(i as usize)
    }
    fn target_group(&self, arn_or_name: &str) -> Option<&TargetGroup> {
        let i = *self.index.target_groups.get(arn_or_name)?;
        self.inv.target_groups.get(i as usize)
    }
    fn load_balancer(&self, arn_or_name: &str) -> Option<&LoadBalancer> {
        let i = *self.index.load_balancers.get(arn_or_name)?;
        self.inv.load_balancers.get(i as usize)
    }
    fn instance_metric(&self, instance_id: &str, metric: &str) -> Option<&MetricSeries> {
        if metric == "CPUUtilization" {
            let i = *self.index.cpu.get(instance_id)?;
            self.inv.metrics.get(i as usize)
        } else {
            self.inv.instance_metric(instance_id, metric)
        }
    }
    fn newest_completed_snapshot(&self, volume_id: &str) -> Option<&Snapshot> {
        let i = *self.index.newest_snapshot.get(volume_id)?;
        self.inv.snapshots.get(i as usize)
    }
    fn findings(&self) -> &[Finding] {
        &self.index.findings
    }
    fn findings_known(&self) -> bool {
        true
    }
    fn tg_health_by_az(&self, tg_arn: &str) -> Vec<AzHealth> {
        self.index
            .tg_health
            .get(tg_arn)
            .cloned()
            .unwrap_or_default()
    }
}
