//! The values write calls take and give back: what to launch, where an address or a target goes,
//! and a write's answer. Apart from the ports and the call vocabulary, so both can use them.

use crate::domain::{Instance, Tag};
use serde::{Deserialize, Serialize};

/// A successful write: what it produced and the request id to put in the journal and audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Written<T> {
    pub value: T,
    pub request_id: Option<String>,
}

impl<T> Written<T> {
    pub fn new(value: T, request_id: Option<String>) -> Self {
        Written { value, request_id }
    }
}

/// One snapshot a `CreateSnapshots` call started: the volume and its new snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotOfVolume {
    pub volume_id: String,
    pub snapshot_id: String,
}

/// What to launch. Built from a source instance for a clone, so nothing that matters is forgotten.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaunchSpec {
    pub image_id: String,
    pub instance_type: String,
    pub subnet_id: String,
    pub security_group_ids: Vec<String>,
    pub key_name: Option<String>,
    pub iam_instance_profile_arn: Option<String>,
    /// Base64, as EC2 takes it.
    pub user_data: Option<String>,
    pub tags: Vec<Tag>,
    pub count: i32,
    /// Idempotency token: a retried or resumed launch with the same token never launches twice.
    pub client_token: String,
}

impl LaunchSpec {
    /// Copies type, security groups, key, profile and tags (less AWS-reserved `aws:` ones) from a
    /// source instance, placing the clone in `subnet_id`.
    pub fn clone_of(
        source: &Instance,
        image_id: &str,
        subnet_id: &str,
        client_token: &str,
    ) -> Self {
        LaunchSpec {
            image_id: image_id.to_string(),
            instance_type: source.instance_type.to_string(),
            subnet_id: subnet_id.to_string(),
            security_group_ids: source
                .security_group_ids
                .iter()
                .map(|s| s.to_string())
                .collect(),
            key_name: source.key_name.as_deref().map(Into::into),
            iam_instance_profile_arn: source.iam_instance_profile_arn.as_deref().map(Into::into),
            user_data: None,
            tags: source
                .tags
                .iter()
                .filter(|(k, _)| !k.starts_with("aws:"))
                .map(|(k, v)| Tag::new(k, v))
                .collect(),
            count: 1,
            client_token: client_token.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VolumeSpec {
    pub az: String,
    /// Required unless `snapshot_id` is set (then it defaults to the snapshot's size).
    pub size_gib: Option<i32>,
    pub volume_type: String,
    pub iops: Option<i32>,
    pub snapshot_id: Option<String>,
    pub tags: Vec<Tag>,
}

/// Where an Elastic IP should point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AddressTarget {
    Instance(String),
    NetworkInterface {
        eni_id: String,
        private_ip: Option<String>,
    },
}

/// A target to register or deregister.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetRef {
    pub id: String,
    pub port: Option<i32>,
}
