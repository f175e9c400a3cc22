use super::{Tags, Timestamp};
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
    pub region: String,
    pub name: String,
    /// The account-independent zone id (`use1-az6`), which is what really identifies a data centre.
    pub zone_id: Option<String>,
    pub state: ZoneState,
    pub messages: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subnet {
    pub region: String,
    pub id: String,
    pub vpc_id: String,
    pub az: String,
    pub cidr: String,
    pub available_ips: i32,
    pub default_for_az: bool,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElasticIp {
    pub region: String,
    pub allocation_id: String,
    pub public_ip: String,
    pub association_id: Option<String>,
    pub instance_id: Option<String>,
    pub network_interface_id: Option<String>,
    pub private_ip: Option<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrivateIp {
    pub address: String,
    pub primary: bool,
    /// The Elastic IP associated with this private address, if any.
    pub public_ip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EniAttachment {
    pub attachment_id: String,
    pub instance_id: Option<String>,
    pub device_index: i32,
    pub status: String,
    pub delete_on_termination: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkInterface {
    pub region: String,
    pub id: String,
    pub az: String,
    pub subnet_id: String,
    pub vpc_id: String,
    pub status: String,
    pub description: String,
    pub private_ips: Vec<PrivateIp>,
    pub attachment: Option<EniAttachment>,
    pub security_groups: Vec<String>,
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
    pub account: String,
    pub arn: String,
    pub user_id: String,
    /// When the session's credentials expire, when known (SSO, assume-role).
    pub expires_at: Option<Timestamp>,
}
