//! What a region's spec calls its resources, mapped to the ids they were given so far. A family loaded
//! later (an Elastic IP on an instance, a listener forwarding to a target group) looks its references
//! up here; a name nobody defined is an error that names the region.

use crate::error::SimError;
use std::collections::{BTreeMap, HashMap};

pub(super) struct Names<'a> {
    pub region: &'a str,
    pub subnets: HashMap<&'a str, String>,
    /// Name → id (the region's own `security_groups` map is a copy).
    pub security_groups: BTreeMap<String, String>,
    /// The account's images, by name: their ids are drawn before any instance launches from one.
    pub images: HashMap<&'a str, String>,
    pub instances: HashMap<&'a str, String>,
    /// Attached, root (`<instance>-root`) and loose volumes: what a snapshot may name.
    pub volumes: HashMap<String, String>,
    pub enis: HashMap<&'a str, String>,
    pub target_groups: HashMap<&'a str, String>,
}

impl<'a> Names<'a> {
    pub fn new(region: &'a str) -> Self {
        Names {
            region,
            subnets: HashMap::new(),
            security_groups: BTreeMap::new(),
            images: HashMap::new(),
            instances: HashMap::new(),
            volumes: HashMap::new(),
            enis: HashMap::new(),
            target_groups: HashMap::new(),
        }
    }

    /// An error in this region (`us-east-1: ...`).
    pub fn err(&self, m: String) -> SimError {
        SimError(format!("{}: {m}", self.region))
    }

    pub fn subnet(&self, n: &str) -> Result<String, SimError> {
        self.subnets
            .get(n)
            .cloned()
            .ok_or_else(|| self.err(format!("no subnet named {n}")))
    }

    pub fn instance(&self, n: &str) -> Result<String, SimError> {
        self.instances
            .get(n)
            .cloned()
            .ok_or_else(|| self.err(format!("no instance named {n}")))
    }

    pub fn security_groups(&self, names: &[String]) -> Result<Vec<String>, SimError> {
        names
            .iter()
            .map(|n| {
                self.security_groups
                    .get(n)
                    .cloned()
                    .ok_or_else(|| self.err(format!("no security group named {n}")))
            })
            .collect()
    }
}
