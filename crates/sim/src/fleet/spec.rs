//! The fleet file's shape: TOML types with their defaults, and parsing (unknown fields are refused).

use crate::error::SimError;
use opsdeck_core::domain::Tags;
use serde::Deserialize;

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
