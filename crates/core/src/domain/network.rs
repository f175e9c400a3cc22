use super::{Tags, Timestamp};
use compact_str::CompactString;
use serde::{Deserialize, Serialize};

/// Whether a zone can be used. AWS reports more states; the console only needs these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ZoneState {
    Available,
    Information,
    Impaired,
    Unavailable,
    Unknown,
}

impl ZoneState {
    pub fn parse(s: &str) -> Self {
        match s {
            "available" => ZoneState::Available,
            "information" => ZoneState::Information,
            "impaired" => ZoneState::Impaired,
            "unavailable" => ZoneState::Unavailable,
            _ => ZoneState::Unknown,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ZoneState::Available => "available",
            ZoneState::Information => "information",
            ZoneState::Impaired => "impaired",
            ZoneState::Unavailable => "unavailable",
            ZoneState::Unknown => "unknown",
        }
    }
    pub fn is_healthy(self) -> bool {
        matches!(self, ZoneState::Available | ZoneState::Information)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AvailabilityZone {
    pub region: CompactString,
    pub name: CompactString,
    /// The account-independent zone id (`use1-az6`), which is what really identifies a data centre.
    pub zone_id: Option<CompactString>,
    pub state: ZoneState,
    pub messages: Vec<CompactString>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subnet {
    pub region: CompactString,
    pub id: CompactString,
    pub vpc_id: CompactString,
    pub az: CompactString,
    pub cidr: CompactString,
    pub available_ips: i32,
    pub default_for_az: bool,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElasticIp {
    pub region: CompactString,
    pub allocation_id: CompactString,
    pub public_ip: CompactString,
    pub association_id: Option<CompactString>,
    pub instance_id: Option<CompactString>,
    pub network_interface_id: Option<CompactString>,
    pub private_ip: Option<CompactString>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrivateIp {
    pub address: CompactString,
    pub primary: bool,
    /// The Elastic IP associated with this private address, if any.
    pub public_ip: Option<CompactString>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EniAttachment {
    pub attachment_id: CompactString,
    pub instance_id: Option<CompactString>,
    pub device_index: i32,
    pub status: CompactString,
    pub delete_on_termination: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkInterface {
    pub region: CompactString,
    pub id: CompactString,
    pub az: CompactString,
    pub subnet_id: CompactString,
    pub vpc_id: CompactString,
    pub status: CompactString,
    pub description: CompactString,
    pub private_ips: Vec<PrivateIp>,
    pub attachment: Option<EniAttachment>,
    pub security_groups: Vec<CompactString>,
    pub tags: Tags,
}

impl NetworkInterface {
    pub fn primary_private_ip(&self) -> Option<&str> {
        self.private_ips
            .iter()
            .find(|p| p.primary)
            .map(|p| p.address.as_str())
    }
    pub fn secondary_private_ips(&self) -> impl Iterator<Item = &str> {
        self.private_ips
            .iter()
            .filter(|p| !p.primary)
            .map(|p| p.address.as_str())
    }
}

/// What an account is, as far as STS tells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    pub account: CompactString,
    pub arn: CompactString,
    pub user_id: CompactString,
    /// When the session's credentials expire, when known (SSO, assume-role).
    pub expires_at: Option<Timestamp>,
}
