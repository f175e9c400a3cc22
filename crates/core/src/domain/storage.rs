use super::{Tags, Timestamp};
use compact_str::CompactString;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VolumeState {
    Creating,
    Available,
    InUse,
    Deleting,
    Deleted,
    Error,
}

impl VolumeState {
    pub fn parse(s: &str) -> Self {
        match s {
            "creating" => Self::Creating,
            "available" => Self::Available,
            "in-use" => Self::InUse,
            "deleting" => Self::Deleting,
            "deleted" => Self::Deleted,
            _ => Self::Error,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Creating => "creating",
            Self::Available => "available",
            Self::InUse => "in-use",
            Self::Deleting => "deleting",
            Self::Deleted => "deleted",
            Self::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttachmentState {
    Attaching,
    Attached,
    Detaching,
    Detached,
    Busy,
}

impl AttachmentState {
    /// On its way off but not off yet: a detach that may hang (and be forced).
    pub fn is_hanging(self) -> bool {
        matches!(self, Self::Detaching | Self::Busy)
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "attaching" => Self::Attaching,
            "attached" => Self::Attached,
            "detaching" => Self::Detaching,
            "busy" => Self::Busy,
            _ => Self::Detached,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Attaching => "attaching",
            Self::Attached => "attached",
            Self::Detaching => "detaching",
            Self::Detached => "detached",
            Self::Busy => "busy",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VolumeAttachment {
    pub instance_id: CompactString,
    pub device: CompactString,
    pub state: AttachmentState,
    pub delete_on_termination: bool,
    pub attach_time: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Volume {
    pub region: CompactString,
    pub id: CompactString,
    pub name: Option<CompactString>,
    pub az: CompactString,
    pub size_gib: i32,
    pub volume_type: CompactString,
    pub iops: Option<i32>,
    pub state: VolumeState,
    pub attachments: Vec<VolumeAttachment>,
    pub snapshot_id: Option<CompactString>,
    pub encrypted: bool,
    pub create_time: Option<Timestamp>,
    pub tags: Tags,
}

impl Volume {
    pub fn attached_instance(&self) -> Option<&str> {
        self.attachments
            .iter()
            .find(|a| a.state != AttachmentState::Detached)
            .map(|a| a.instance_id.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SnapshotState {
    Pending,
    Completed,
    Error,
    Recoverable,
    Recovering,
}

impl SnapshotState {
    pub fn parse(s: &str) -> Self {
        match s {
            "pending" => Self::Pending,
            "completed" => Self::Completed,
            "recoverable" => Self::Recoverable,
            "recovering" => Self::Recovering,
            _ => Self::Error,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Completed => "completed",
            Self::Error => "error",
            Self::Recoverable => "recoverable",
            Self::Recovering => "recovering",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub region: CompactString,
    pub id: CompactString,
    pub name: Option<CompactString>,
    pub volume_id: Option<CompactString>,
    pub volume_size_gib: i32,
    pub state: SnapshotState,
    /// 0–100.
    pub progress: u8,
    pub start_time: Option<Timestamp>,
    pub description: CompactString,
    pub tags: Tags,
}

/// Parses EC2's progress text (`"42%"`, `"100%"`, empty while queued).
pub fn parse_progress(s: &str) -> u8 {
    s.trim()
        .trim_end_matches('%')
        .parse::<u8>()
        .map(|p| p.min(100))
        .unwrap_or(0)
}
