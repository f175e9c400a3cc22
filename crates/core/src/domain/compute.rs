use super::{Tags, Timestamp};
use compact_str::CompactString;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InstanceState {
    Pending,
    Running,
    Stopping,
    Stopped,
    ShuttingDown,
    Terminated,
    Unknown,
}

impl InstanceState {
    pub fn parse(s: &str) -> Self {
        match s {
            "pending" => Self::Pending,
            "running" => Self::Running,
            "stopping" => Self::Stopping,
            "stopped" => Self::Stopped,
            "shutting-down" => Self::ShuttingDown,
            "terminated" => Self::Terminated,
            _ => Self::Unknown,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Stopping => "stopping",
            Self::Stopped => "stopped",
            Self::ShuttingDown => "shutting-down",
            Self::Terminated => "terminated",
            Self::Unknown => "unknown",
        }
    }
    /// EC2's numeric state code (the low byte of `InstanceState.Code`).
    pub fn code(self) -> i32 {
        match self {
            Self::Pending => 0,
            Self::Running => 16,
            Self::ShuttingDown => 32,
            Self::Terminated => 48,
            Self::Stopping => 64,
            Self::Stopped => 80,
            Self::Unknown => -1,
        }
    }
}

/// One of the two EC2 status checks (system = the host, instance = the guest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckStatus {
    Ok,
    Impaired,
    Initializing,
    InsufficientData,
    NotApplicable,
}

impl CheckStatus {
    pub fn parse(s: &str) -> Self {
        match s {
            "ok" => Self::Ok,
            "impaired" => Self::Impaired,
            "initializing" => Self::Initializing,
            "insufficient-data" => Self::InsufficientData,
            _ => Self::NotApplicable,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Impaired => "impaired",
            Self::Initializing => "initializing",
            Self::InsufficientData => "insufficient-data",
            Self::NotApplicable => "not-applicable",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusChecks {
    pub system: CheckStatus,
    pub instance: CheckStatus,
    pub impaired_since: Option<Timestamp>,
}

impl StatusChecks {
    pub fn not_applicable() -> Self {
        StatusChecks {
            system: CheckStatus::NotApplicable,
            instance: CheckStatus::NotApplicable,
            impaired_since: None,
        }
    }
    pub fn ok() -> Self {
        StatusChecks {
            system: CheckStatus::Ok,
            instance: CheckStatus::Ok,
            impaired_since: None,
        }
    }
    pub fn all_ok(&self) -> bool {
        self.system == CheckStatus::Ok && self.instance == CheckStatus::Ok
    }
    pub fn impaired(&self) -> bool {
        self.system == CheckStatus::Impaired || self.instance == CheckStatus::Impaired
    }
    /// Two-letter summary for table cells: `ok`, `2/2`-style text is ambiguous over SSH fonts.
    pub fn summary(&self) -> String {
        if self.all_ok() {
            "ok".to_string()
        } else if self.system == CheckStatus::NotApplicable
            && self.instance == CheckStatus::NotApplicable
        {
            "-".to_string()
        } else {
            format!(
                "sys:{} inst:{}",
                self.system.as_str(),
                self.instance.as_str()
            )
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventCode {
    InstanceReboot,
    SystemReboot,
    SystemMaintenance,
    InstanceRetirement,
    InstanceStop,
    /// Volume events (DescribeVolumeStatus) and anything newer than this build.
    Other,
}

impl EventCode {
    pub fn parse(s: &str) -> Self {
        match s {
            "instance-reboot" => Self::InstanceReboot,
            "system-reboot" => Self::SystemReboot,
            "system-maintenance" => Self::SystemMaintenance,
            "instance-retirement" => Self::InstanceRetirement,
            "instance-stop" => Self::InstanceStop,
            _ => Self::Other,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InstanceReboot => "instance-reboot",
            Self::SystemReboot => "system-reboot",
            Self::SystemMaintenance => "system-maintenance",
            Self::InstanceRetirement => "instance-retirement",
            Self::InstanceStop => "instance-stop",
            Self::Other => "other",
        }
    }
    /// Events fixed by moving the instance to new hardware (stop/start) rather than a reboot.
    pub fn needs_new_hardware(self) -> bool {
        matches!(
            self,
            Self::SystemReboot
                | Self::SystemMaintenance
                | Self::InstanceRetirement
                | Self::InstanceStop
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventTarget {
    Instance,
    Volume,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduledEvent {
    pub region: CompactString,
    pub target: EventTarget,
    /// The instance or volume the event concerns.
    pub resource_id: CompactString,
    /// `InstanceEventId` (needed to reschedule); for volumes, the `EventId`.
    pub event_id: Option<CompactString>,
    pub code: EventCode,
    /// AWS's raw code, kept because `code` folds unknown ones into `Other`.
    pub raw_code: CompactString,
    pub description: CompactString,
    pub not_before: Option<Timestamp>,
    pub not_after: Option<Timestamp>,
    /// Latest allowed start if rescheduled; absent means the event cannot be rescheduled.
    pub not_before_deadline: Option<Timestamp>,
}

impl ScheduledEvent {
    /// AWS marks completed or cancelled events with a `[Completed]`/`[Canceled]` description prefix.
    pub fn is_done(&self) -> bool {
        self.description.starts_with("[Completed]") || self.description.starts_with("[Canceled]")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockDevice {
    pub device_name: CompactString,
    pub volume_id: CompactString,
    pub delete_on_termination: bool,
    pub status: CompactString,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    pub region: CompactString,
    pub id: CompactString,
    pub name: Option<CompactString>,
    pub tags: Tags,
    pub instance_type: CompactString,
    pub state: InstanceState,
    pub az: CompactString,
    pub subnet_id: Option<CompactString>,
    pub vpc_id: Option<CompactString>,
    pub private_ip: Option<CompactString>,
    pub public_ip: Option<CompactString>,
    pub network_interface_ids: Vec<CompactString>,
    pub security_group_ids: Vec<CompactString>,
    pub key_name: Option<CompactString>,
    pub iam_instance_profile_arn: Option<CompactString>,
    pub image_id: Option<CompactString>,
    pub launch_time: Option<Timestamp>,
    pub root_device_name: Option<CompactString>,
    pub block_devices: Vec<BlockDevice>,
    pub status_checks: StatusChecks,
    pub events: Vec<ScheduledEvent>,
}

impl Instance {
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or("")
    }
    pub fn upcoming_events(&self) -> impl Iterator<Item = &ScheduledEvent> {
        self.events.iter().filter(|e| !e.is_done())
    }
    /// Running or on its way there: what can take over. A stopped instance is live (it still
    /// exists) but carries nothing.
    pub fn is_up(&self) -> bool {
        matches!(self.state, InstanceState::Running | InstanceState::Pending)
    }
    pub fn is_live(&self) -> bool {
        !matches!(
            self.state,
            InstanceState::Terminated | InstanceState::ShuttingDown
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImageState {
    Pending,
    Available,
    Failed,
    Deregistered,
    Other,
}

impl ImageState {
    pub fn parse(s: &str) -> Self {
        match s {
            "pending" => Self::Pending,
            "available" => Self::Available,
            "failed" | "invalid" | "error" => Self::Failed,
            "deregistered" => Self::Deregistered,
            _ => Self::Other,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Available => "available",
            Self::Failed => "failed",
            Self::Deregistered => "deregistered",
            Self::Other => "other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Image {
    pub region: CompactString,
    pub id: CompactString,
    pub name: CompactString,
    pub description: Option<CompactString>,
    pub state: ImageState,
    pub creation_date: Option<Timestamp>,
    pub root_device_name: Option<CompactString>,
    /// Snapshots behind the image's block-device mapping: pruning must never delete these.
    pub snapshot_ids: Vec<CompactString>,
    pub tags: Tags,
}
