//! Plain data: what the console shows and the runbooks reason about. No tokio, no SDK.
//!
//! Every resource carries its `region`, so one `Inventory` can hold several regions side by side and
//! its JSON form is simply one list per resource kind.

mod asg;
mod compute;
mod elb;
pub mod fixture;
mod inventory;
mod metrics;
mod network;
mod storage;
mod tags;
pub mod time;

pub use asg::*;
pub use compact_str::{CompactString, ToCompactString, format_compact};
pub use compute::*;
pub use elb::*;
pub use inventory::*;
pub use metrics::*;
pub use network::*;
pub use storage::*;
pub use tags::Tags;

use serde::{Deserialize, Serialize};

/// A point in time, always UTC.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// The `Name` tag, the conventional human name of an AWS resource.
pub fn name_tag(tags: &Tags) -> Option<&str> {
    tags.get("Name")
}

/// A tag key/value pair, as the write port takes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

impl Tag {
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Tag {
            key: key.into(),
            value: value.into(),
        }
    }
}
