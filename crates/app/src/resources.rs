//! Resource kinds and their columns, declared as data. The headless table output and the console's
//! one generic table both read these; no view has table code of its own.

use super::format as f;
use opsdeck_core::analysis::Finding;
use opsdeck_core::domain::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResourceKind {
    Instances,
    Volumes,
    Snapshots,
    Images,
    LoadBalancers,
    TargetGroups,
    Targets,
    ElasticIps,
    NetworkInterfaces,
    Events,
    Alarms,
    Zones,
    Subnets,
    /// Not an inventory list: the analysis's findings over it (`super::findings`).
    Findings,
}

impl ResourceKind {
    /// The inventory's kinds (what `opsdeck inventory` prints).
    pub const ALL: [ResourceKind; 13] = [
        Self::Instances,
        Self::Volumes,
        Self::Snapshots,
        Self::Images,
        Self::LoadBalancers,
        Self::TargetGroups,
        Self::Targets,
        Self::ElasticIps,
        Self::NetworkInterfaces,
        Self::Events,
        Self::Alarms,
        Self::Zones,
        Self::Subnets,
    ];

    /// Every table the console can show: the inventory's kinds, then the findings.
    pub const VIEWS: [ResourceKind; 14] = [
        Self::Instances,
        Self::Volumes,
        Self::Snapshots,
        Self::Images,
        Self::LoadBalancers,
        Self::TargetGroups,
        Self::Targets,
        Self::ElasticIps,
        Self::NetworkInterfaces,
        Self::Events,
        Self::Alarms,
        Self::Zones,
        Self::Subnets,
        Self::Findings,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Self::Instances => "Instances",
            Self::Volumes => "Volumes",
            Self::Snapshots => "Snapshots",
            Self::Images => "AMIs",
            Self::LoadBalancers => "Load balancers",
            Self::TargetGroups => "Target groups",
            Self::Targets => "Targets",
            Self::ElasticIps => "Elastic IPs",
            Self::NetworkInterfaces => "Network interfaces",
            Self::Events => "Scheduled events",
            Self::Alarms => "Alarms",
            Self::Zones => "Availability zones",
            Self::Subnets => "Subnets",
            Self::Findings => "Findings",
        }
    }

    pub fn row_count(self, c: &dyn CellCtx) -> usize {
        let inv = c.inv();
        match self {
            Self::Instances => inv.instances.len(),
            Self::Volumes => inv.volumes.len(),
            Self::Snapshots => inv.snapshots.len(),
            Self::Images => inv.images.len(),
            Self::LoadBalancers => inv.load_balancers.len(),
            Self::TargetGroups => inv.target_groups.len(),
            Self::Targets => inv.target_health.len(),
            Self::ElasticIps => inv.elastic_ips.len(),
            Self::NetworkInterfaces => inv.network_interfaces.len(),
            Self::Events => inv.events.len(),
            Self::Alarms => inv.alarms.len(),
            Self::Zones => inv.availability_zones.len(),
            Self::Subnets => inv.subnets.len(),
            Self::Findings => c.findings().len(),
        }
    }

    /// The id of row `i` (what "copy id" copies and what xray follows).
    pub fn row_id(self, c: &dyn CellCtx, i: usize) -> String {
        let inv = c.inv();
        match self {
            Self::Instances => inv.instances[i].id.to_string(),
            Self::Volumes => inv.volumes[i].id.to_string(),
            Self::Snapshots => inv.snapshots[i].id.to_string(),
            Self::Images => inv.images[i].id.to_string(),
            Self::LoadBalancers => inv.load_balancers[i].arn.to_string(),
            Self::TargetGroups => inv.target_groups[i].arn.to_string(),
            Self::Targets => inv.target_health[i].target_id.to_string(),
            Self::ElasticIps => inv.elastic_ips[i].allocation_id.to_string(),
            Self::NetworkInterfaces => inv.network_interfaces[i].id.to_string(),
            Self::Events => inv.events[i].resource_id.to_string(),
            Self::Alarms => inv.alarms[i].name.to_string(),
            Self::Zones => inv.availability_zones[i].name.to_string(),
            Self::Subnets => inv.subnets[i].id.to_string(),
            // The resource it is most about (what copy copies).
            Self::Findings => c.findings()[i]
                .resources
                .first()
                .cloned()
                .unwrap_or_default(),
        }
    }

    pub fn row_region(self, c: &dyn CellCtx, i: usize) -> &str {
        let inv = c.inv();
        match self {
            Self::Instances => &inv.instances[i].region,
            Self::Volumes => &inv.volumes[i].region,
            Self::Snapshots => &inv.snapshots[i].region,
            Self::Images => &inv.images[i].region,
            Self::LoadBalancers => &inv.load_balancers[i].region,
            Self::TargetGroups => &inv.target_groups[i].region,
            Self::Targets => &inv.target_health[i].region,
            Self::ElasticIps => &inv.elastic_ips[i].region,
            Self::NetworkInterfaces => &inv.network_interfaces[i].region,
            Self::Events => &inv.events[i].region,
            Self::Alarms => &inv.alarms[i].region,
            Self::Zones => &inv.availability_zones[i].region,
            Self::Subnets => &inv.subnets[i].region,
            Self::Findings => &c.findings()[i].region,
        }
    }

    /// The `:` command that opens this kind, and its short aliases.
    pub fn commands(self) -> &'static [&'static str] {
        match self {
            Self::Instances => &["instances", "ec2", "i", "inst"],
            Self::Volumes => &["volumes", "vol", "ebs"],
            Self::Snapshots => &["snapshots", "snap", "snaps"],
            Self::Images => &["amis", "ami", "images"],
            Self::LoadBalancers => &["lb", "lbs", "loadbalancers", "elb"],
            Self::TargetGroups => &["tg", "targetgroups", "tgs"],
            Self::Targets => &["targets", "target"],
            Self::ElasticIps => &["eip", "eips", "addresses"],
            Self::NetworkInterfaces => &["eni", "enis", "interfaces"],
            Self::Events => &["events", "ev", "event"],
            Self::Alarms => &["alarms", "alarm", "al"],
            Self::Zones => &["zones", "azs"],
            Self::Subnets => &["subnets", "subnet", "sn"],
            Self::Findings => &["findings", "f", "finding"],
        }
    }

    /// The kind a `:` command names, by its name or an alias.
    pub fn from_command(cmd: &str) -> Option<ResourceKind> {
        let cmd = cmd.trim().to_ascii_lowercase();
        Self::VIEWS
            .into_iter()
            .find(|k| k.commands().iter().any(|c| *c == cmd))
    }

    /// Every field of row `i`, as the domain type serialises it (what describe shows).
    pub fn row_json(self, c: &dyn CellCtx, i: usize) -> serde_json::Value {
        let inv = c.inv();
        fn v<T: Serialize>(x: Option<&T>) -> serde_json::Value {
            x.and_then(|x| serde_json::to_value(x).ok())
                .unwrap_or(serde_json::Value::Null)
        }
        match self {
            Self::Instances => v(inv.instances.get(i)),
            Self::Volumes => v(inv.volumes.get(i)),
            Self::Snapshots => v(inv.snapshots.get(i)),
            Self::Images => v(inv.images.get(i)),
            Self::LoadBalancers => v(inv.load_balancers.get(i)),
            Self::TargetGroups => v(inv.target_groups.get(i)),
            Self::Targets => v(inv.target_health.get(i)),
            Self::ElasticIps => v(inv.elastic_ips.get(i)),
            Self::NetworkInterfaces => v(inv.network_interfaces.get(i)),
            Self::Events => v(inv.events.get(i)),
            Self::Alarms => v(inv.alarms.get(i)),
            Self::Zones => v(inv.availability_zones.get(i)),
            Self::Subnets => v(inv.subnets.get(i)),
            Self::Findings => v(c.findings().get(i)),
        }
    }

    /// A key naming row `i` uniquely within its kind: the id, except for targets (one instance can
    /// be registered in several groups) and events (one instance can have several).
    pub fn row_uid(self, c: &dyn CellCtx, i: usize) -> String {
        let inv = c.inv();
        match self {
            Self::Targets => {
                let t = &inv.target_health[i];
                format!(
                    "{}|{}|{}",
                    t.target_id,
                    t.port.unwrap_or(0),
                    t.target_group_arn
                )
            }
            Self::Events => event_uid(&inv.events[i]),
            Self::Findings => {
                let f = &c.findings()[i];
                format!("{}|{}", f.kind.as_str(), f.resources.join(","))
            }
            _ => self.row_id(c, i),
        }
    }

    /// Finds the row whose `row_uid` (or, failing that, `row_id`) is `key`.
    pub fn find_row(self, c: &dyn CellCtx, key: &str) -> Option<usize> {
        let n = self.row_count(c);
        (0..n)
            .find(|&r| self.row_uid(c, r) == key)
            .or_else(|| (0..n).find(|&r| self.row_id(c, r) == key))
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Self::Instances => INSTANCE_COLUMNS,
            Self::Volumes => VOLUME_COLUMNS,
            Self::Snapshots => SNAPSHOT_COLUMNS,
            Self::Images => IMAGE_COLUMNS,
            Self::LoadBalancers => LB_COLUMNS,
            Self::TargetGroups => TG_COLUMNS,
            Self::Targets => TARGET_COLUMNS,
            Self::ElasticIps => EIP_COLUMNS,
            Self::NetworkInterfaces => ENI_COLUMNS,
            Self::Events => EVENT_COLUMNS,
            Self::Alarms => ALARM_COLUMNS,
            Self::Zones => ZONE_COLUMNS,
            Self::Subnets => SUBNET_COLUMNS,
            Self::Findings => super::findings::COLUMNS,
        }
    }
}

/// The `row_uid` of a scheduled event (one instance can have several): what describe and xray
/// name it by.
pub fn event_uid(e: &ScheduledEvent) -> String {
    format!(
        "{}|{}|{}",
        e.resource_id,
        e.raw_code,
        e.event_id.as_deref().unwrap_or("")
    )
}

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

/// One column: a title, a preferred width, how it gives way on a narrow terminal, and how to
/// compute a row's cell.
pub struct Column {
    pub title: &'static str,
    /// The width it gets when there is room.
    pub width: u16,
    /// The narrowest it is drawn: below that it is hidden rather than cut to nothing (h/l scroll
    /// to it).
    pub min: u16,
    /// Which columns give way first when the terminal is narrow: the highest number first. The
    /// first column always stays.
    pub priority: u8,
    /// It names the parent of a scoped table (the target group of "Targets of web-tg"), where
    /// every row would repeat the title: hidden there.
    pub names_scope: bool,
    pub cell: fn(&dyn CellCtx, usize) -> String,
}

/// The priority of a column that says nothing else.
pub const DEFAULT_PRIORITY: u8 = 3;

pub(crate) const fn col(
    title: &'static str,
    width: u16,
    cell: fn(&dyn CellCtx, usize) -> String,
) -> Column {
    Column {
        title,
        width,
        min: width,
        priority: DEFAULT_PRIORITY,
        names_scope: false,
        cell,
    }
}

impl Column {
    /// Drawn down to `min` cells; hidden before the columns of a lower `priority` number.
    pub(crate) const fn fit(self, min: u16, priority: u8) -> Column {
        Column {
            min,
            priority,
            ..self
        }
    }

    /// Hidden in a table scoped to the parent it names.
    pub(crate) const fn names_scope(self) -> Column {
        Column {
            names_scope: true,
            ..self
        }
    }
}

/// The scheduled-event marker shown in the instances table.
fn event_marker(i: &Instance, now: Timestamp) -> String {
    match i.upcoming_events().min_by_key(|e| e.not_before) {
        Some(e) => format!("{} {}", f::time_left(e.not_before, now), e.raw_code),
        None => String::new(),
    }
}

fn cpu(c: &dyn CellCtx, i: &Instance) -> String {
    match c.instance_metric(&i.id, "CPUUtilization") {
        Some(m) if !m.points.is_empty() => {
            let values: Vec<f64> = m.points.values().collect();
            let latest = values.last().copied().unwrap_or(0.0);
            format!("{} {latest:>3.0}%", f::sparkline(&values, 8, 100.0))
        }
        _ => "-".into(),
    }
}

fn tg_health_summary(c: &dyn CellCtx, tg: &TargetGroup) -> String {
    let parts: Vec<String> = c
        .tg_health_by_az(&tg.arn)
        .iter()
        .map(|z| format!("{}:{}/{}", z.az, z.healthy, z.total))
        .collect();
    if parts.is_empty() {
        "no targets".into()
    } else {
        parts.join(" ")
    }
}

static INSTANCE_COLUMNS: &[Column] = &[
    col("ID", 20, |c, r| c.inv().instances[r].id.to_string()).fit(19, 0),
    col("NAME", 16, |c, r| {
        c.inv().instances[r].display_name().to_string()
    })
    .fit(10, 1),
    col("STATE", 10, |c, r| {
        c.inv().instances[r].state.as_str().into()
    })
    .fit(7, 1),
    col("TYPE", 10, |c, r| {
        c.inv().instances[r].instance_type.to_string()
    })
    .fit(9, 4),
    col("AZ", 11, |c, r| c.inv().instances[r].az.to_string()).fit(10, 3),
    col("PRIVATE IP", 15, |c, r| {
        f::opt(c.inv().instances[r].private_ip.as_deref())
    })
    .fit(13, 5),
    col("PUBLIC IP", 15, |c, r| {
        f::opt(c.inv().instances[r].public_ip.as_deref())
    })
    .fit(15, 6),
    col("CHECKS", 8, |c, r| {
        c.inv().instances[r].status_checks.summary()
    })
    .fit(8, 2),
    col("CPU", 14, |c, r| cpu(c, &c.inv().instances[r])).fit(13, 2),
    col("EVENT", 22, |c, r| {
        event_marker(&c.inv().instances[r], c.now())
    })
    .fit(14, 2),
];

static VOLUME_COLUMNS: &[Column] = &[
    col("ID", 21, |c, r| c.inv().volumes[r].id.to_string()).fit(21, 0),
    col("NAME", 14, |c, r| {
        f::opt(c.inv().volumes[r].name.as_deref())
    })
    .fit(8, 2),
    col("AZ", 11, |c, r| c.inv().volumes[r].az.to_string()).fit(10, 2),
    col("SIZE", 6, |c, r| {
        format!("{}G", c.inv().volumes[r].size_gib)
    })
    .fit(5, 2),
    col("TYPE", 5, |c, r| c.inv().volumes[r].volume_type.to_string()).fit(4, 3),
    col("IOPS", 6, |c, r| {
        c.inv().volumes[r]
            .iops
            .map(|i| i.to_string())
            .unwrap_or_else(|| "-".into())
    })
    .fit(5, 4),
    col("STATE", 9, |c, r| c.inv().volumes[r].state.as_str().into()).fit(9, 1),
    col("ATTACHED TO", 20, |c, r| {
        f::opt(c.inv().volumes[r].attached_instance())
    })
    .fit(19, 1),
    col("DEVICE", 10, |c, r| {
        f::opt(
            c.inv().volumes[r]
                .attachments
                .first()
                .map(|a| a.device.as_str()),
        )
    })
    .fit(9, 4),
    col("LAST SNAPSHOT", 13, |c, r| {
        f::age(
            c.newest_completed_snapshot(&c.inv().volumes[r].id)
                .and_then(|s| s.start_time),
            c.now(),
        )
    })
    .fit(8, 2),
];

static SNAPSHOT_COLUMNS: &[Column] = &[
    col("ID", 22, |c, r| c.inv().snapshots[r].id.to_string()).fit(22, 0),
    col("VOLUME", 21, |c, r| {
        f::opt(c.inv().snapshots[r].volume_id.as_deref())
    })
    .fit(21, 2),
    col("SIZE", 6, |c, r| {
        format!("{}G", c.inv().snapshots[r].volume_size_gib)
    })
    .fit(5, 3),
    col("STATE", 9, |c, r| {
        c.inv().snapshots[r].state.as_str().into()
    })
    .fit(9, 1),
    col("PROGRESS", 11, |c, r| {
        let p = c.inv().snapshots[r].progress;
        format!("{} {p:>3}%", f::bar(p, 5))
    })
    .fit(11, 1),
    col("STARTED", 16, |c, r| {
        f::time(c.inv().snapshots[r].start_time)
    })
    .fit(16, 4),
    col("AGE", 7, |c, r| {
        f::age(c.inv().snapshots[r].start_time, c.now())
    })
    .fit(5, 2),
    col("DESCRIPTION", 30, |c, r| {
        c.inv().snapshots[r].description.to_string()
    })
    .fit(12, 5),
];

static IMAGE_COLUMNS: &[Column] = &[
    col("ID", 21, |c, r| c.inv().images[r].id.to_string()).fit(21, 0),
    col("NAME", 24, |c, r| c.inv().images[r].name.to_string()).fit(12, 1),
    col("STATE", 10, |c, r| c.inv().images[r].state.as_str().into()).fit(9, 1),
    col("CREATED", 16, |c, r| {
        f::time(c.inv().images[r].creation_date)
    })
    .fit(16, 2),
    col("SNAPSHOTS", 22, |c, r| {
        c.inv().images[r].snapshot_ids.join(",")
    })
    .fit(22, 3),
];

static LB_COLUMNS: &[Column] = &[
    col("NAME", 20, |c, r| {
        c.inv().load_balancers[r].name.to_string()
    })
    .fit(12, 0),
    col("TYPE", 11, |c, r| {
        c.inv().load_balancers[r].lb_type.to_string()
    })
    .fit(11, 2),
    col("SCHEME", 15, |c, r| {
        c.inv().load_balancers[r].scheme.to_string()
    })
    .fit(8, 4),
    col("STATE", 8, |c, r| {
        c.inv().load_balancers[r].state.to_string()
    })
    .fit(6, 1),
    col("AZS", 24, |c, r| {
        c.inv().load_balancers[r]
            .zones
            .iter()
            .map(|z| z.az.as_str())
            .collect::<Vec<_>>()
            .join(",")
    })
    .fit(12, 1),
    col("DNS", 40, |c, r| {
        c.inv().load_balancers[r].dns_name.to_string()
    })
    .fit(20, 4),
];

static TG_COLUMNS: &[Column] = &[
    col("NAME", 20, |c, r| c.inv().target_groups[r].name.to_string()).fit(12, 0),
    col("PROTO", 6, |c, r| {
        f::opt(c.inv().target_groups[r].protocol.as_deref())
    })
    .fit(5, 3),
    col("PORT", 5, |c, r| {
        c.inv().target_groups[r]
            .port
            .map(|p| p.to_string())
            .unwrap_or_else(|| "-".into())
    })
    .fit(4, 3),
    col("TARGET TYPE", 11, |c, r| {
        c.inv().target_groups[r].target_type.to_string()
    })
    .fit(8, 4),
    col("HEALTHY/AZ", 30, |c, r| {
        tg_health_summary(c, &c.inv().target_groups[r])
    })
    .fit(29, 1),
    col("LOAD BALANCER", 20, |c, r| {
        let tg = &c.inv().target_groups[r];
        tg.load_balancer_arns
            .iter()
            .map(|a| {
                c.load_balancer(a)
                    .map(|l| l.name.clone())
                    .unwrap_or_else(|| a.clone())
            })
            .collect::<Vec<_>>()
            .join(",")
    })
    .fit(13, 2)
    .names_scope(),
];

static TARGET_COLUMNS: &[Column] = &[
    col("TARGET GROUP", 18, |c, r| {
        let t = &c.inv().target_health[r];
        c.target_group(&t.target_group_arn)
            .map(|g| g.name.clone())
            .unwrap_or_else(|| t.target_group_arn.clone())
            .to_string()
    })
    .fit(12, 2)
    .names_scope(),
    col("TARGET", 20, |c, r| {
        c.inv().target_health[r].target_id.to_string()
    })
    .fit(19, 0),
    col("NAME", 14, |c, r| {
        c.instance(&c.inv().target_health[r].target_id)
            .map(|i| i.display_name().to_string())
            .unwrap_or_default()
    })
    .fit(8, 2),
    col("PORT", 5, |c, r| {
        c.inv().target_health[r]
            .port
            .map(|p| p.to_string())
            .unwrap_or_else(|| "-".into())
    })
    .fit(4, 3),
    col("AZ", 11, |c, r| {
        f::opt(c.inv().target_health[r].az.as_deref())
    })
    .fit(10, 1),
    col("STATE", 10, |c, r| {
        c.inv().target_health[r].state.as_str().into()
    })
    .fit(9, 1),
    col("REASON", 24, |c, r| {
        f::opt(c.inv().target_health[r].reason.as_deref())
    })
    .fit(12, 1),
];

static EIP_COLUMNS: &[Column] = &[
    col("PUBLIC IP", 15, |c, r| {
        c.inv().elastic_ips[r].public_ip.to_string()
    })
    .fit(15, 0),
    col("ALLOCATION", 26, |c, r| {
        c.inv().elastic_ips[r].allocation_id.to_string()
    })
    .fit(26, 2),
    col("INSTANCE", 20, |c, r| {
        f::opt(c.inv().elastic_ips[r].instance_id.as_deref())
    })
    .fit(19, 1),
    col("ENI", 21, |c, r| {
        f::opt(c.inv().elastic_ips[r].network_interface_id.as_deref())
    })
    .fit(21, 3),
    col("PRIVATE IP", 15, |c, r| {
        f::opt(c.inv().elastic_ips[r].private_ip.as_deref())
    })
    .fit(13, 2),
];

static ENI_COLUMNS: &[Column] = &[
    col("ID", 21, |c, r| {
        c.inv().network_interfaces[r].id.to_string()
    })
    .fit(21, 0),
    col("AZ", 11, |c, r| {
        c.inv().network_interfaces[r].az.to_string()
    })
    .fit(10, 2),
    col("SUBNET", 24, |c, r| {
        c.inv().network_interfaces[r].subnet_id.to_string()
    })
    .fit(24, 4),
    col("STATUS", 9, |c, r| {
        c.inv().network_interfaces[r].status.to_string()
    })
    .fit(9, 1),
    col("INSTANCE", 20, |c, r| {
        f::opt(
            c.inv().network_interfaces[r]
                .attachment
                .as_ref()
                .and_then(|a| a.instance_id.as_deref()),
        )
    })
    .fit(19, 1),
    col("PRIMARY IP", 15, |c, r| {
        f::opt(c.inv().network_interfaces[r].primary_private_ip())
    })
    .fit(13, 2),
    col("SECONDARY IPS", 24, |c, r| {
        c.inv().network_interfaces[r]
            .secondary_private_ips()
            .collect::<Vec<_>>()
            .join(",")
    })
    .fit(13, 1),
];

static EVENT_COLUMNS: &[Column] = &[
    col("RESOURCE", 21, |c, r| {
        c.inv().events[r].resource_id.to_string()
    })
    .fit(21, 0),
    col("NAME", 14, |c, r| {
        c.instance(&c.inv().events[r].resource_id)
            .map(|i| i.display_name().to_string())
            .unwrap_or_default()
    })
    .fit(8, 2),
    col("CODE", 19, |c, r| c.inv().events[r].raw_code.to_string()).fit(15, 1),
    col("NOT BEFORE", 16, |c, r| {
        f::time(c.inv().events[r].not_before)
    })
    .fit(16, 3),
    col("TIME LEFT", 12, |c, r| {
        f::time_left(c.inv().events[r].not_before, c.now())
    })
    .fit(9, 1),
    col("DEADLINE", 16, |c, r| {
        f::time(c.inv().events[r].not_before_deadline)
    })
    .fit(16, 4),
    col("PLAN", 24, |c, r| event_plan(c, r)).fit(13, 1),
    col("DESCRIPTION", 30, |c, r| {
        c.inv().events[r].description.to_string()
    })
    .fit(12, 5),
];

/// The events view as a maintenance planner: whether the event would hurt a service as things
/// stand (the `unprotected-scheduled-event` finding; `r` plans the drain), and whether AWS lets it
/// move (only with a deadline).
fn event_plan(c: &dyn CellCtx, r: usize) -> String {
    let e = &c.inv().events[r];
    let movable = if e.not_before_deadline.is_some() {
        " · movable"
    } else {
        ""
    };
    if !c.findings_known() {
        return movable.trim_start_matches(" · ").to_string();
    }
    let unprotected = c.findings().iter().any(|f| {
        f.kind == opsdeck_core::analysis::FindingKind::UnprotectedScheduledEvent
            && f.resources.first().map(String::as_str) == Some(e.resource_id.as_str())
    });
    let state = if unprotected {
        "⚠ unprotected"
    } else {
        "covered"
    };
    format!("{state}{movable}")
}

static ALARM_COLUMNS: &[Column] = &[
    col("NAME", 24, |c, r| c.inv().alarms[r].name.to_string()).fit(16, 0),
    col("STATE", 17, |c, r| c.inv().alarms[r].state.as_str().into()).fit(8, 1),
    col("METRIC", 18, |c, r| {
        f::opt(c.inv().alarms[r].metric.as_deref())
    })
    .fit(16, 2),
    col("DIMENSIONS", 28, |c, r| {
        c.inv().alarms[r]
            .dimensions
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    })
    .fit(16, 3),
    col("THRESHOLD", 9, |c, r| {
        c.inv().alarms[r]
            .threshold
            .map(|t| format!("{t}"))
            .unwrap_or_else(|| "-".into())
    })
    .fit(6, 3),
    col("UPDATED", 16, |c, r| f::time(c.inv().alarms[r].updated)).fit(16, 4),
];

static ZONE_COLUMNS: &[Column] = &[
    col("ZONE", 12, |c, r| {
        c.inv().availability_zones[r].name.to_string()
    })
    .fit(10, 0),
    col("ZONE ID", 9, |c, r| {
        f::opt(c.inv().availability_zones[r].zone_id.as_deref())
    })
    .fit(8, 2),
    col("STATE", 11, |c, r| {
        c.inv().availability_zones[r].state.as_str().into()
    })
    .fit(9, 1),
    col("REGION", 14, |c, r| {
        c.inv().availability_zones[r].region.to_string()
    })
    .fit(12, 1),
];

static SUBNET_COLUMNS: &[Column] = &[
    col("ID", 24, |c, r| c.inv().subnets[r].id.to_string()).fit(24, 0),
    col("VPC", 21, |c, r| c.inv().subnets[r].vpc_id.to_string()).fit(21, 3),
    col("AZ", 11, |c, r| c.inv().subnets[r].az.to_string()).fit(10, 1),
    col("CIDR", 18, |c, r| c.inv().subnets[r].cidr.to_string()).fit(14, 2),
    col("FREE IPS", 8, |c, r| {
        c.inv().subnets[r].available_ips.to_string()
    })
    .fit(8, 2),
];
