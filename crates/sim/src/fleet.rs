//! Fleet files: a TOML description of regions and their resources, loaded into the world.
//!
//! Times are relative to the sim's epoch ("now" when it starts): `launched = "-40d"`,
//! `starts = "7d"`, so a demo always looks current. An RFC 3339 timestamp works too. See
//! `assets/fleets/default.toml` for every field in use.

use super::SimError;
use super::chaos::parse_duration;
use super::clock::secs;
use super::ids::{self, Cidr};
use super::instances::{NewInstance, cpu_for_role};
use super::model::*;
use super::storage::snapshot_duration;
use super::world::World;
use base64::Engine;
use opsdeck_core::domain::*;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// Built-in fleets, embedded in the binary.
pub const BUILTIN_FLEETS: &[&str] = &["default", "large", "seed"];

pub fn builtin_fleet(name: &str) -> Option<&'static str> {
    match name {
        "default" => Some(include_str!("../../../assets/fleets/default.toml")),
        "large" => Some(include_str!("../../../assets/fleets/large.toml")),
        "seed" => Some(include_str!("../../../assets/fleets/seed.toml")),
        _ => None,
    }
}

fn default_account() -> String {
    "123456789012".into()
}
fn default_vpc_cidr() -> String {
    "10.0.0.0/16".into()
}
fn default_type() -> String {
    "t3.micro".into()
}
fn default_launched() -> String {
    "-30d".into()
}
fn default_state() -> String {
    "running".into()
}
fn default_volume_type() -> String {
    "gp3".into()
}
fn default_window() -> String {
    "2h".into()
}
fn default_taken() -> String {
    "-1d".into()
}
fn default_lb_type() -> String {
    "application".into()
}
fn default_scheme() -> String {
    "internet-facing".into()
}
fn default_protocol() -> String {
    "HTTP".into()
}
fn default_delay() -> i64 {
    300
}
fn default_device_index() -> i32 {
    1
}
fn default_stat() -> String {
    "Average".into()
}
fn default_period() -> i64 {
    300
}
fn default_one() -> i64 {
    1
}
fn default_comparison() -> String {
    "GreaterThanThreshold".into()
}

/// A whole fleet file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_account")]
    pub account: String,
    /// Tags put on every resource the fleet creates (implicit ones too: root volumes, primary ENIs,
    /// image snapshots).
    #[serde(default)]
    pub tags: Tags,
    #[serde(default)]
    pub regions: Vec<RegionSpec>,
    /// Procedurally generated regions (the `large` fleet), from the sim's seed.
    #[serde(default)]
    pub generate: Option<GenerateSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionSpec {
    pub name: String,
    pub zones: Vec<String>,
    #[serde(default = "default_vpc_cidr")]
    pub vpc_cidr: String,
    /// AMIs that exist but are not the account's own (launchable, not listed).
    #[serde(default)]
    pub base_images: Vec<String>,
    #[serde(default)]
    pub security_groups: Vec<String>,
    #[serde(default)]
    pub subnets: Vec<SubnetSpec>,
    #[serde(default)]
    pub instances: Vec<InstanceSpec>,
    #[serde(default)]
    pub volumes: Vec<LooseVolumeSpec>,
    #[serde(default)]
    pub snapshots: Vec<SnapshotSpec>,
    #[serde(default)]
    pub images: Vec<ImageSpec>,
    #[serde(default)]
    pub elastic_ips: Vec<EipSpec>,
    #[serde(default)]
    pub network_interfaces: Vec<EniSpec>,
    #[serde(default)]
    pub load_balancers: Vec<LbSpec>,
    #[serde(default)]
    pub target_groups: Vec<TgSpec>,
    #[serde(default)]
    pub alarms: Vec<AlarmSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubnetSpec {
    pub name: String,
    pub az: String,
    pub cidr: String,
    /// Instances launched here get a public address.
    #[serde(default)]
    pub public: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceSpec {
    pub name: String,
    #[serde(rename = "type", default = "default_type")]
    pub instance_type: String,
    /// Subnet name.
    pub subnet: String,
    /// A base image id or the name of one of the region's `images` (default: the first base image).
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub tags: Tags,
    #[serde(default = "default_launched")]
    pub launched: String,
    /// `running` or `stopped`.
    #[serde(default = "default_state")]
    pub state: String,
    /// When a stopped instance stopped (default: a day ago).
    #[serde(default)]
    pub stopped: Option<String>,
    #[serde(default)]
    pub key: Option<String>,
    /// Security group names.
    #[serde(default)]
    pub security_groups: Vec<String>,
    /// Instance profile name.
    #[serde(default)]
    pub profile: Option<String>,
    /// Plain text (stored base64, as EC2 returns it).
    #[serde(default)]
    pub user_data: Option<String>,
    /// Idle CPU % (default by role); traffic adds to it.
    #[serde(default)]
    pub cpu: Option<f64>,
    #[serde(default)]
    pub public_ip: Option<bool>,
    #[serde(default)]
    pub private_ip: Option<String>,
    #[serde(default)]
    pub root_size: Option<i32>,
    #[serde(default)]
    pub volumes: Vec<AttachedVolumeSpec>,
    #[serde(default)]
    pub events: Vec<EventSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachedVolumeSpec {
    pub name: String,
    pub device: String,
    pub size: i32,
    #[serde(rename = "type", default = "default_volume_type")]
    pub volume_type: String,
    #[serde(default)]
    pub iops: Option<i32>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSpec {
    pub code: String,
    /// When it starts, from now (`7d`).
    pub starts: String,
    #[serde(default = "default_window")]
    pub window: String,
    /// Latest allowed start when rescheduling, from now; none = cannot be rescheduled.
    #[serde(default)]
    pub deadline: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LooseVolumeSpec {
    pub name: String,
    pub az: String,
    pub size: i32,
    #[serde(rename = "type", default = "default_volume_type")]
    pub volume_type: String,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotSpec {
    #[serde(default)]
    pub name: Option<String>,
    /// Volume name.
    pub volume: String,
    /// When it was started (`-3d`); a recent one may still be pending.
    #[serde(default = "default_taken")]
    pub taken: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageSpec {
    pub name: String,
    /// The instance (name) it was made from: its root volume becomes the image's snapshot.
    pub from: String,
    #[serde(default = "default_launched")]
    pub created: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EipSpec {
    pub name: String,
    #[serde(default)]
    pub instance: Option<String>,
    /// ENI name (instead of an instance).
    #[serde(default)]
    pub eni: Option<String>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EniSpec {
    pub name: String,
    pub subnet: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub secondary_ips: u32,
    #[serde(default)]
    pub security_groups: Vec<String>,
    /// Instance name to attach it to.
    #[serde(default)]
    pub attach_to: Option<String>,
    #[serde(default = "default_device_index")]
    pub device_index: i32,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LbSpec {
    pub name: String,
    /// Subnet names: the load balancer's zones are theirs.
    pub subnets: Vec<String>,
    #[serde(rename = "type", default = "default_lb_type")]
    pub lb_type: String,
    #[serde(default = "default_scheme")]
    pub scheme: String,
    #[serde(default)]
    pub listeners: Vec<ListenerSpec>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenerSpec {
    pub port: i32,
    #[serde(default = "default_protocol")]
    pub protocol: String,
    /// Target group name its default action forwards to.
    pub target_group: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheckSpec {
    pub path: Option<String>,
    pub port: Option<String>,
    pub protocol: Option<String>,
    pub interval: Option<i32>,
    pub timeout: Option<i32>,
    pub healthy_threshold: Option<i32>,
    pub unhealthy_threshold: Option<i32>,
    pub matcher: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TgSpec {
    pub name: String,
    pub port: i32,
    #[serde(default = "default_protocol")]
    pub protocol: String,
    #[serde(default)]
    pub health_check: HealthCheckSpec,
    #[serde(default = "default_delay")]
    pub deregistration_delay: i64,
    /// Instance names.
    #[serde(default)]
    pub targets: Vec<String>,
    /// Requests per minute its load balancer sends (spread over healthy targets).
    #[serde(default)]
    pub requests_per_minute: f64,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlarmSpec {
    pub name: String,
    pub metric: String,
    #[serde(default)]
    pub namespace: Option<String>,
    /// Instance name (an `AWS/EC2` alarm).
    #[serde(default)]
    pub instance: Option<String>,
    /// Target group name (an ELB alarm).
    #[serde(default)]
    pub target_group: Option<String>,
    #[serde(default)]
    pub az: Option<String>,
    #[serde(default = "default_stat")]
    pub stat: String,
    #[serde(default = "default_period")]
    pub period: i64,
    #[serde(default = "default_one")]
    pub evaluation_periods: i64,
    pub threshold: f64,
    #[serde(default = "default_comparison")]
    pub comparison: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateSpec {
    pub regions: Vec<String>,
    #[serde(default = "default_zones_per_region")]
    pub zones_per_region: usize,
    pub instances: usize,
    pub target_groups: usize,
    /// Share of instances with an extra data volume.
    #[serde(default = "default_data_share")]
    pub data_volume_share: f64,
    #[serde(default = "default_snapshots_per_volume")]
    pub snapshots_per_data_volume: usize,
    /// Share of instances registered in a target group.
    #[serde(default = "default_tg_share")]
    pub target_share: f64,
    #[serde(default = "default_stopped_share")]
    pub stopped_share: f64,
    #[serde(default = "default_event_share")]
    pub event_share: f64,
    #[serde(default = "default_eips")]
    pub elastic_ips_per_region: usize,
    #[serde(default = "default_alarms")]
    pub alarms_per_region: usize,
    #[serde(default = "default_images")]
    pub images_per_region: usize,
}

fn default_zones_per_region() -> usize {
    3
}
fn default_data_share() -> f64 {
    0.3
}
fn default_snapshots_per_volume() -> usize {
    2
}
fn default_tg_share() -> f64 {
    0.6
}
fn default_stopped_share() -> f64 {
    0.05
}
fn default_event_share() -> f64 {
    0.01
}
fn default_eips() -> usize {
    20
}
fn default_alarms() -> usize {
    50
}
fn default_images() -> usize {
    5
}

impl FleetSpec {
    pub fn parse(text: &str) -> Result<FleetSpec, SimError> {
        toml::from_str(text).map_err(|e| SimError(format!("bad fleet file: {e}")))
    }
}

/// `-40d`, `7d`, `+2h`, `0`, or an RFC 3339 timestamp, against `now`.
pub(crate) fn at(now: Timestamp, s: &str) -> Result<Timestamp, SimError> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    let (neg, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let d = parse_duration(rest).map_err(|e| SimError(format!("bad time `{s}`: {e}")))?;
    let d = chrono::Duration::from_std(d).map_err(|e| SimError(format!("bad time `{s}`: {e}")))?;
    Ok(if neg { now - d } else { now + d })
}

fn span(s: &str) -> Result<chrono::Duration, SimError> {
    let d = parse_duration(s).map_err(|e| SimError(format!("bad duration `{s}`: {e}")))?;
    chrono::Duration::from_std(d).map_err(|e| SimError(format!("bad duration `{s}`: {e}")))
}

pub(crate) fn default_event_description(code: EventCode) -> String {
    match code {
        EventCode::SystemReboot => "scheduled reboot for host maintenance",
        EventCode::InstanceReboot => "scheduled instance reboot",
        EventCode::SystemMaintenance => "scheduled system maintenance (network or power)",
        EventCode::InstanceRetirement => "The instance is running on degraded hardware",
        EventCode::InstanceStop => "The instance is scheduled to be stopped",
        EventCode::Other => "scheduled event",
    }
    .to_string()
}

/// AWS's short region code in zone ids (`us-east-1` → `use1`).
fn region_code(region: &str) -> String {
    let parts: Vec<&str> = region.split('-').collect();
    let dir = |p: &str| -> String {
        match p {
            "east" => "e".into(),
            "west" => "w".into(),
            "north" => "n".into(),
            "south" => "s".into(),
            "central" => "c".into(),
            "southeast" => "se".into(),
            "northeast" => "ne".into(),
            "northwest" => "nw".into(),
            "southwest" => "sw".into(),
            other => other.chars().take(1).collect(),
        }
    };
    match parts.as_slice() {
        [a, b, n] => format!("{a}{}{n}", dir(b)),
        _ => region.replace('-', ""),
    }
}

fn with(base: &Tags, extra: &[(&str, &str)]) -> Tags {
    let mut t = base.clone();
    for (k, v) in extra {
        t.insert((*k).to_string(), (*v).to_string());
    }
    t
}

/// Creates an empty region (VPC, default security group, zones).
pub(crate) fn new_region(w: &mut World, name: &str, zones: &[String]) -> Result<(), SimError> {
    if w.regions.contains_key(name) {
        return Err(SimError(format!("region {name} is described twice")));
    }
    let vpc_id = ids::ec2_id(&mut w.rng, "vpc");
    let default_sg = ids::ec2_id(&mut w.rng, "sg");
    let code = region_code(name);
    let zones = zones
        .iter()
        .enumerate()
        .map(|(n, z)| {
            if !z.starts_with(name) {
                return Err(SimError(format!("zone {z} is not in region {name}")));
            }
            Ok(ZoneRec {
                zone: AvailabilityZone {
                    region: name.into(),
                    name: z.as_str().into(),
                    zone_id: Some(format!("{code}-az{}", n + 1).into()),
                    state: ZoneState::Available,
                    messages: vec![],
                },
                outage: false,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    w.regions.insert(
        name.to_string(),
        Region {
            name: name.to_string(),
            vpc_id,
            default_sg,
            zones,
            ..Region::default()
        },
    );
    Ok(())
}

pub(crate) fn add_subnet(
    w: &mut World,
    region: &str,
    az: &str,
    cidr_text: &str,
    public: bool,
    tags: Tags,
) -> Result<String, SimError> {
    let cidr = Cidr::parse(cidr_text).ok_or_else(|| SimError(format!("bad CIDR {cidr_text}")))?;
    let id = ids::ec2_id(&mut w.rng, "subnet");
    let r = w
        .regions
        .get_mut(region)
        .ok_or_else(|| SimError(format!("no region {region}")))?;
    if r.zone(az).is_none() {
        return Err(SimError(format!(
            "subnet zone {az} is not a zone of {region}"
        )));
    }
    r.subnets.insert(
        id.clone(),
        SubnetRec {
            subnet: Subnet {
                region: region.into(),
                id: id.as_str().into(),
                vpc_id: r.vpc_id.as_str().into(),
                az: az.into(),
                cidr: cidr_text.into(),
                available_ips: cidr.usable() as i32,
                default_for_az: false,
                tags,
            },
            cidr,
            next_host: 0,
            public,
        },
    );
    Ok(id)
}

pub(crate) fn lb_arn(w: &mut World, region: &str, lb_type: &str, name: &str) -> String {
    let kind = if lb_type == "network" { "net" } else { "app" };
    format!(
        "arn:aws:elasticloadbalancing:{region}:{}:loadbalancer/{kind}/{name}/{}",
        w.account,
        ids::hex(&mut w.rng, 16)
    )
}

pub(crate) fn tg_arn(w: &mut World, region: &str, name: &str) -> String {
    format!(
        "arn:aws:elasticloadbalancing:{region}:{}:targetgroup/{name}/{}",
        w.account,
        ids::hex(&mut w.rng, 16)
    )
}

fn lb_dns(w: &mut World, region: &str, name: &str, scheme: &str) -> String {
    let n: u64 = rand::Rng::random_range(&mut w.rng, 1_000_000_000..9_999_999_999);
    let prefix = if scheme == "internal" {
        "internal-"
    } else {
        ""
    };
    format!("{prefix}{name}-{n}.{region}.elb.amazonaws.com")
}

/// Tags an instance's implicit resources (primary ENI) with the fleet tags.
fn tag_primary_eni(r: &mut Region, instance_id: &str, tags: &Tags) {
    for e in r.enis.values_mut() {
        if e.primary_of.as_deref() == Some(instance_id) {
            e.eni.tags.extend(tags.clone());
        }
    }
}

pub(crate) fn load(w: &mut World, spec: &FleetSpec, _seed: u64) -> Result<Vec<String>, SimError> {
    w.fleet_name = spec.name.clone();
    w.account = spec.account.clone();
    let mut order = Vec::new();
    for r in &spec.regions {
        load_region(w, spec, r)?;
        order.push(r.name.clone());
    }
    if let Some(g) = &spec.generate {
        order.extend(super::generate::generate(w, spec, g)?);
    }
    if order.is_empty() {
        return Err(SimError(format!("fleet {} has no region", spec.name)));
    }
    Ok(order)
}

fn load_region(w: &mut World, fleet: &FleetSpec, spec: &RegionSpec) -> Result<(), SimError> {
    let now = w.now;
    let region = spec.name.as_str();
    let ft = &fleet.tags;
    let e = |m: String| SimError(format!("{region}: {m}"));
    new_region(w, region, &spec.zones)?;
    if Cidr::parse(&spec.vpc_cidr).is_none() {
        return Err(e(format!("bad VPC CIDR {}", spec.vpc_cidr)));
    }

    let mut subnets: HashMap<&str, String> = HashMap::new();
    for s in &spec.subnets {
        let id = add_subnet(
            w,
            region,
            &s.az,
            &s.cidr,
            s.public,
            with(ft, &[("Name", &s.name)]),
        )?;
        subnets.insert(s.name.as_str(), id);
    }
    let subnet = |n: &str| -> Result<String, SimError> {
        subnets
            .get(n)
            .cloned()
            .ok_or_else(|| SimError(format!("{region}: no subnet named {n}")))
    };

    let mut sgs: BTreeMap<String, String> = BTreeMap::new();
    for name in &spec.security_groups {
        sgs.insert(name.clone(), ids::ec2_id(&mut w.rng, "sg"));
    }
    let image_ids: HashMap<&str, String> = spec
        .images
        .iter()
        .map(|i| (i.name.as_str(), ids::ec2_id(&mut w.rng, "ami")))
        .collect();
    {
        let r = w.region_mut(region).map_err(|x| e(x.to_string()))?;
        r.security_groups = sgs.clone();
        r.public_images = spec.base_images.iter().cloned().collect();
    }
    let sg_ids = |names: &[String]| -> Result<Vec<String>, SimError> {
        names
            .iter()
            .map(|n| {
                sgs.get(n)
                    .cloned()
                    .ok_or_else(|| SimError(format!("{region}: no security group named {n}")))
            })
            .collect()
    };

    // Instances, with their volumes and events.
    let mut instances: HashMap<&str, String> = HashMap::new();
    let mut volumes: HashMap<String, String> = HashMap::new();
    for i in &spec.instances {
        let launched = at(now, &i.launched)?;
        let sn = subnet(&i.subnet)?;
        let public = match i.public_ip {
            Some(p) => p,
            None => w
                .region(region)
                .ok()
                .and_then(|r| r.subnets.get(&sn))
                .is_some_and(|s| s.public),
        };
        let image = match &i.image {
            Some(img) => image_ids.get(img.as_str()).cloned().unwrap_or(img.clone()),
            None => spec.base_images.first().cloned().ok_or_else(|| {
                e(format!(
                    "instance {} has no image and there is no base image",
                    i.name
                ))
            })?,
        };
        let mut extra: Vec<(&str, &str)> = vec![("Name", &i.name)];
        if let Some(role) = &i.role {
            extra.push(("role", role));
        }
        let mut tags = with(ft, &extra);
        tags.extend(i.tags.clone());
        let root_name = format!("{}-root", i.name);
        let mut vextra: Vec<(&str, &str)> = vec![("Name", &root_name)];
        if let Some(role) = &i.role {
            vextra.push(("role", role));
        }
        let id = w
            .create_instance(
                region,
                NewInstance {
                    instance_type: i.instance_type.clone(),
                    subnet_id: sn.clone(),
                    image_id: image,
                    security_group_ids: sg_ids(&i.security_groups)?,
                    key_name: i.key.clone(),
                    iam_instance_profile_arn: i
                        .profile
                        .as_ref()
                        .map(|p| format!("arn:aws:iam::{}:instance-profile/{p}", fleet.account)),
                    user_data: i
                        .user_data
                        .as_ref()
                        .map(|u| base64::engine::general_purpose::STANDARD.encode(u)),
                    tags,
                    volume_tags: with(ft, &vextra),
                    private_ip: i.private_ip.clone(),
                    auto_public_ip: public,
                    cpu_base: i.cpu.unwrap_or_else(|| cpu_for_role(i.role.as_deref())),
                    root_size_gib: i.root_size,
                },
                InstanceState::Running,
                launched,
            )
            .map_err(|x| e(format!("instance {}: {x}", i.name)))?;
        let az = w
            .region(region)
            .ok()
            .and_then(|r| r.instances.get(&id))
            .map(|r| r.inst.az.clone())
            .unwrap_or_default();
        if let Ok(r) = w.region_mut(region) {
            tag_primary_eni(r, &id, ft);
        }
        for v in &i.volumes {
            let vid = ids::ec2_id(&mut w.rng, "vol");
            let mut vt = with(ft, &[("Name", &v.name)]);
            if let Some(role) = &i.role {
                vt.insert("role", role.clone());
            }
            vt.extend(v.tags.clone());
            let r = w.region_mut(region).map_err(|x| e(x.to_string()))?;
            r.volumes.insert(
                vid.clone(),
                VolumeRec {
                    vol: Volume {
                        region: region.into(),
                        id: vid.as_str().into(),
                        name: None,
                        az: az.clone(),
                        size_gib: v.size,
                        volume_type: v.volume_type.as_str().into(),
                        iops: v.iops.or(if v.volume_type == "gp3" {
                            Some(3000)
                        } else {
                            None
                        }),
                        state: VolumeState::InUse,
                        attachments: vec![VolumeAttachment {
                            instance_id: id.as_str().into(),
                            device: v.device.as_str().into(),
                            state: AttachmentState::Attached,
                            delete_on_termination: false,
                            attach_time: Some(launched),
                        }],
                        snapshot_id: None,
                        encrypted: true,
                        create_time: Some(launched),
                        tags: vt,
                    },
                    ver: 0,
                    stuck: false,
                },
            );
            volumes.insert(v.name.clone(), vid);
        }
        if let Some(rv) = w.region(region).ok().and_then(|r| {
            r.volumes
                .values()
                .find(|v| {
                    v.vol
                        .attachments
                        .iter()
                        .any(|a| a.instance_id == id && a.device == "/dev/xvda")
                })
                .map(|v| v.vol.id.clone())
        }) {
            volumes.insert(root_name, rv.to_string());
        }
        for ev in &i.events {
            let code = EventCode::parse(&ev.code);
            if code == EventCode::Other {
                return Err(e(format!("unknown event code {}", ev.code)));
            }
            let start = at(now, &ev.starts)?;
            let end = start + span(&ev.window)?;
            let deadline = match &ev.deadline {
                Some(d) => Some(at(now, d)?),
                None => None,
            };
            let desc = ev
                .description
                .clone()
                .unwrap_or_else(|| default_event_description(code));
            w.add_event(
                region,
                &id,
                code,
                &ev.code,
                &desc,
                start,
                Some(end),
                deadline,
            )
            .map_err(|x| e(x.to_string()))?;
        }
        if i.state == "stopped" {
            let stopped = at(now, i.stopped.as_deref().unwrap_or("-1d"))?;
            if let Some(rec) = w
                .region_mut(region)
                .ok()
                .and_then(|r| r.instances.get_mut(&id))
            {
                rec.inst.state = InstanceState::Stopped;
                rec.public_ip = None;
                rec.timeline.push((stopped.max(launched), Phase::Off));
            }
        } else if i.state != "running" {
            return Err(e(format!(
                "instance {}: state must be running or stopped, not {}",
                i.name, i.state
            )));
        }
        instances.insert(i.name.as_str(), id);
    }
    let instance = |n: &str| -> Result<String, SimError> {
        instances
            .get(n)
            .cloned()
            .ok_or_else(|| SimError(format!("{region}: no instance named {n}")))
    };

    for v in &spec.volumes {
        let vid = ids::ec2_id(&mut w.rng, "vol");
        let mut vt = with(ft, &[("Name", &v.name)]);
        vt.extend(v.tags.clone());
        let r = w.region_mut(region).map_err(|x| e(x.to_string()))?;
        if r.zone(&v.az).is_none() {
            return Err(e(format!("volume {}: no zone {}", v.name, v.az)));
        }
        r.volumes.insert(
            vid.clone(),
            VolumeRec {
                vol: Volume {
                    region: region.into(),
                    id: vid.as_str().into(),
                    name: None,
                    az: v.az.as_str().into(),
                    size_gib: v.size,
                    volume_type: v.volume_type.as_str().into(),
                    iops: if v.volume_type == "gp3" {
                        Some(3000)
                    } else {
                        None
                    },
                    state: VolumeState::Available,
                    attachments: vec![],
                    snapshot_id: None,
                    encrypted: true,
                    create_time: Some(now - chrono::Duration::days(10)),
                    tags: vt,
                },
                ver: 0,
                stuck: false,
            },
        );
        volumes.insert(v.name.clone(), vid);
    }

    for s in &spec.snapshots {
        let vid = volumes
            .get(&s.volume)
            .cloned()
            .ok_or_else(|| e(format!("snapshot of unknown volume {}", s.volume)))?;
        let size = w
            .region(region)
            .ok()
            .and_then(|r| r.volumes.get(&vid))
            .map(|v| v.vol.size_gib)
            .unwrap_or(8);
        let started = at(now, &s.taken)?;
        let mut tags = ft.clone();
        if let Some(n) = &s.name {
            tags.insert("Name", n.clone());
        }
        tags.extend(s.tags.clone());
        w.insert_snapshot(
            region,
            Some(vid),
            size,
            s.description.clone().unwrap_or_default(),
            tags,
            started,
            started + secs(snapshot_duration(size)),
        )
        .map_err(|x| e(x.to_string()))?;
    }

    for img in &spec.images {
        let src = instance(&img.from)?;
        let created = at(now, &img.created)?;
        let image_id = image_ids
            .get(img.name.as_str())
            .cloned()
            .unwrap_or_default();
        let root = w.region(region).ok().and_then(|r| {
            r.volumes
                .values()
                .find(|v| {
                    v.vol
                        .attachments
                        .iter()
                        .any(|a| a.instance_id == src && a.device == "/dev/xvda")
                })
                .map(|v| (v.vol.id.clone(), v.vol.size_gib))
        });
        let mut snapshot_ids = Vec::new();
        if let Some((vid, size)) = root {
            let sid = w
                .insert_snapshot(
                    region,
                    Some(vid.to_string()),
                    size,
                    format!("Created by CreateImage({src}) for {image_id}"),
                    ft.clone(),
                    created,
                    created + secs(snapshot_duration(size)),
                )
                .map_err(|x| e(x.to_string()))?;
            snapshot_ids.push(sid.into());
        }
        let mut tags = with(ft, &[("Name", &img.name)]);
        tags.extend(img.tags.clone());
        let r = w.region_mut(region).map_err(|x| e(x.to_string()))?;
        r.images.insert(
            image_id.clone(),
            Image {
                region: region.into(),
                id: image_id.into(),
                name: img.name.as_str().into(),
                description: img.description.as_deref().map(Into::into),
                state: ImageState::Available,
                creation_date: Some(created),
                root_device_name: Some("/dev/xvda".into()),
                snapshot_ids,
                tags,
            },
        );
    }

    let mut enis: HashMap<&str, String> = HashMap::new();
    for n in &spec.network_interfaces {
        let sn = subnet(&n.subnet)?;
        let groups = sg_ids(&n.security_groups)?;
        let mut tags = with(ft, &[("Name", &n.name)]);
        tags.extend(n.tags.clone());
        let World { regions, rng, .. } = &mut *w;
        let r = regions
            .get_mut(region)
            .ok_or_else(|| e("region vanished".into()))?;
        let groups = if groups.is_empty() {
            vec![r.default_sg.clone()]
        } else {
            groups
        };
        let id = r
            .create_eni(
                rng,
                &sn,
                &n.description,
                None,
                n.secondary_ips,
                groups,
                tags,
            )
            .map_err(|x| e(x.to_string()))?;
        if let Some(target) = &n.attach_to {
            let iid = instance(target)?;
            let att = ids::ec2_id(rng, "eni-attach");
            if let Some(rec) = r.enis.get_mut(&id) {
                rec.eni.status = "in-use".into();
                rec.eni.attachment = Some(EniAttachment {
                    attachment_id: att.into(),
                    instance_id: Some(iid.into()),
                    device_index: n.device_index,
                    status: "attached".into(),
                    delete_on_termination: false,
                });
            }
        }
        enis.insert(n.name.as_str(), id);
    }

    for a in &spec.elastic_ips {
        let alloc = ids::ec2_id(&mut w.rng, "eipalloc");
        let ip = ids::public_ip(&mut w.rng);
        let assoc = ids::ec2_id(&mut w.rng, "eipassoc");
        let target = match (&a.instance, &a.eni) {
            (Some(i), None) => {
                let iid = instance(i)?;
                let r = w.region(region).map_err(|x| e(x.to_string()))?;
                r.enis
                    .values()
                    .find(|n| n.primary_of.as_deref() == Some(iid.as_str()))
                    .map(|n| {
                        (
                            n.eni.id.clone(),
                            n.eni.primary_private_ip().unwrap_or_default().to_string(),
                        )
                    })
            }
            (None, Some(n)) => {
                let nid = enis
                    .get(n.as_str())
                    .cloned()
                    .ok_or_else(|| e(format!("no network interface named {n}")))?;
                let r = w.region(region).map_err(|x| e(x.to_string()))?;
                r.enis.get(&nid).map(|n| {
                    (
                        n.eni.id.clone(),
                        n.eni.primary_private_ip().unwrap_or_default().to_string(),
                    )
                })
            }
            (None, None) => None,
            _ => {
                return Err(e(format!(
                    "elastic IP {}: instance or eni, not both",
                    a.name
                )));
            }
        };
        let mut tags = with(ft, &[("Name", &a.name)]);
        tags.extend(a.tags.clone());
        let r = w.region_mut(region).map_err(|x| e(x.to_string()))?;
        r.eips.insert(
            alloc.clone(),
            ElasticIp {
                region: region.into(),
                allocation_id: alloc.into(),
                public_ip: ip.into(),
                association_id: (target.as_ref().map(|_| assoc)).map(Into::into),
                instance_id: None,
                network_interface_id: target.as_ref().map(|t| t.0.clone()),
                private_ip: (target.map(|t| t.1)).map(Into::into),
                tags,
            },
        );
    }

    // Target groups first (listeners point at them), then load balancers.
    let mut tgs: HashMap<&str, String> = HashMap::new();
    for t in &spec.target_groups {
        let arn = tg_arn(w, region, &t.name);
        let d = HealthCheck::default();
        let hc = HealthCheck {
            protocol: t
                .health_check
                .protocol
                .as_deref()
                .map(Into::into)
                .or(d.protocol),
            port: t.health_check.port.as_deref().map(Into::into).or(d.port),
            path: t.health_check.path.as_deref().map(Into::into).or(d.path),
            interval_seconds: t.health_check.interval.unwrap_or(d.interval_seconds),
            timeout_seconds: t.health_check.timeout.unwrap_or(d.timeout_seconds),
            healthy_threshold: t
                .health_check
                .healthy_threshold
                .unwrap_or(d.healthy_threshold),
            unhealthy_threshold: t
                .health_check
                .unhealthy_threshold
                .unwrap_or(d.unhealthy_threshold),
            matcher: t
                .health_check
                .matcher
                .as_deref()
                .map(Into::into)
                .or(d.matcher),
        };
        let mut regs = Vec::new();
        for name in &t.targets {
            let iid = instance(name)?;
            let launched = w
                .region(region)
                .ok()
                .and_then(|r| r.instances.get(&iid))
                .and_then(|i| i.inst.launch_time)
                .unwrap_or(now);
            regs.push(Registration {
                target_id: iid,
                port: Some(t.port),
                registered_at: (launched + chrono::Duration::minutes(2)).min(now),
                deregistered_at: None,
            });
        }
        let r = w.region_mut(region).map_err(|x| e(x.to_string()))?;
        r.tgs.insert(
            arn.clone(),
            TgRec {
                tg: TargetGroup {
                    region: region.into(),
                    arn: arn.as_str().into(),
                    name: t.name.as_str().into(),
                    protocol: Some(t.protocol.as_str().into()),
                    port: Some(t.port),
                    target_type: "instance".into(),
                    vpc_id: Some(r.vpc_id.as_str().into()),
                    load_balancer_arns: vec![],
                    health_check: hc,
                    deregistration_delay_seconds: Some(t.deregistration_delay),
                },
                regs,
                requests_per_minute: t.requests_per_minute,
            },
        );
        tgs.insert(t.name.as_str(), arn);
    }

    for l in &spec.load_balancers {
        let arn = lb_arn(w, region, &l.lb_type, &l.name);
        let dns = lb_dns(w, region, &l.name, &l.scheme);
        let mut zones = Vec::new();
        for s in &l.subnets {
            let sid = subnet(s)?;
            let az = w
                .region(region)
                .ok()
                .and_then(|r| r.subnets.get(&sid))
                .map(|x| x.subnet.az.clone())
                .unwrap_or_default();
            zones.push(LbZone {
                az,
                subnet_id: Some(sid.into()),
            });
        }
        let mut listeners = Vec::new();
        for ls in &l.listeners {
            let tg = tgs.get(ls.target_group.as_str()).cloned().ok_or_else(|| {
                e(format!(
                    "listener of {} forwards to unknown {}",
                    l.name, ls.target_group
                ))
            })?;
            let lb_tail = arn
                .split("loadbalancer/")
                .nth(1)
                .unwrap_or_default()
                .to_string();
            let listener_arn = format!(
                "arn:aws:elasticloadbalancing:{region}:{}:listener/{lb_tail}/{}",
                fleet.account,
                ids::hex(&mut w.rng, 16)
            );
            listeners.push(Listener {
                region: region.into(),
                arn: listener_arn.into(),
                load_balancer_arn: arn.as_str().into(),
                protocol: Some(ls.protocol.as_str().into()),
                port: Some(ls.port),
                target_group_arns: vec![tg.into()],
            });
        }
        let r = w.region_mut(region).map_err(|x| e(x.to_string()))?;
        for ls in &listeners {
            for tg in &ls.target_group_arns {
                if let Some(t) = r.tgs.get_mut(tg.as_str())
                    && !t.tg.load_balancer_arns.iter().any(|a| *a == arn)
                {
                    t.tg.load_balancer_arns.push(arn.as_str().into());
                }
            }
        }
        r.lbs.insert(
            arn.clone(),
            LbRec {
                lb: LoadBalancer {
                    region: region.into(),
                    arn: arn.as_str().into(),
                    name: l.name.as_str().into(),
                    lb_type: l.lb_type.as_str().into(),
                    scheme: l.scheme.as_str().into(),
                    state: "active".into(),
                    dns_name: dns.into(),
                    vpc_id: Some(r.vpc_id.as_str().into()),
                    zones,
                    created_time: Some(now - chrono::Duration::days(90)),
                },
                listeners,
            },
        );
    }

    for a in &spec.alarms {
        let (namespace, dims) = match (&a.instance, &a.target_group) {
            (Some(i), None) => (
                a.namespace.clone().unwrap_or_else(|| "AWS/EC2".into()),
                vec![("InstanceId".to_string(), instance(i)?)],
            ),
            (None, Some(t)) => {
                let arn = tgs
                    .get(t.as_str())
                    .cloned()
                    .ok_or_else(|| e(format!("alarm {} on unknown target group {t}", a.name)))?;
                let r = w.region(region).map_err(|x| e(x.to_string()))?;
                let lb = r
                    .tgs
                    .get(&arn)
                    .and_then(|t| t.tg.load_balancer_arns.first().cloned())
                    .unwrap_or_default();
                let mut dims = vec![(
                    "TargetGroup".to_string(),
                    arn.split(':').next_back().unwrap_or_default().to_string(),
                )];
                if let Some(tail) = lb.split("loadbalancer/").nth(1) {
                    dims.push(("LoadBalancer".to_string(), tail.to_string()));
                }
                if let Some(az) = &a.az {
                    dims.push(("AvailabilityZone".to_string(), az.clone()));
                }
                (
                    a.namespace
                        .clone()
                        .unwrap_or_else(|| "AWS/ApplicationELB".into()),
                    dims,
                )
            }
            _ => {
                return Err(e(format!(
                    "alarm {}: name exactly one of instance or target_group",
                    a.name
                )));
            }
        };
        let arn = format!(
            "arn:aws:cloudwatch:{region}:{}:alarm:{}",
            fleet.account, a.name
        );
        let r = w.region_mut(region).map_err(|x| e(x.to_string()))?;
        r.alarms.insert(
            a.name.clone(),
            AlarmRec {
                alarm: Alarm {
                    region: region.into(),
                    name: a.name.as_str().into(),
                    arn: Some(arn.into()),
                    state: AlarmState::InsufficientData,
                    reason: None,
                    namespace: Some(namespace.into()),
                    metric: Some(a.metric.as_str().into()),
                    dimensions: dims,
                    threshold: Some(a.threshold),
                    comparison: Some(a.comparison.as_str().into()),
                    updated: None,
                },
                stat: a.stat.clone(),
                period_seconds: a.period,
                evaluation_periods: a.evaluation_periods,
            },
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times() {
        let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        assert_eq!(at(now, "-2d").ok(), Some(now - chrono::Duration::days(2)));
        assert_eq!(at(now, "7d").ok(), Some(now + chrono::Duration::days(7)));
        assert_eq!(
            at(now, "+90m").ok(),
            Some(now + chrono::Duration::minutes(90))
        );
        assert_eq!(at(now, "0").ok(), Some(now));
        assert!(at(now, "soon").is_err());
        assert_eq!(region_code("us-east-1"), "use1");
        assert_eq!(region_code("ap-southeast-2"), "apse2");
    }

    #[test]
    fn builtin_fleets_parse() {
        for name in BUILTIN_FLEETS {
            let text = builtin_fleet(name).unwrap_or_default();
            let spec = FleetSpec::parse(text);
            assert!(spec.is_ok(), "{name}: {spec:?}");
        }
    }

    #[test]
    fn unknown_fields_are_refused() {
        let e = FleetSpec::parse("name = \"x\"\nbogus = 1\n");
        assert!(e.is_err());
    }
}
