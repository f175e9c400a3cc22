//! The ports a handle hands out: one reader (and, for a read-write session, one writer) per region,
//! each holding a clone of the handle. Apart from `mod.rs` because the ports use the handle: this file
//! sits above them, the handle's own below.

use super::Sim;
use crate::read::SimRead;
use crate::write::SimWrite;
use opsdeck_core::cloud::{CloudRead, CloudWrite};
use std::sync::Arc;

impl Sim {
    pub fn reader(&self, region: &str) -> Arc<dyn CloudRead> {
        Arc::new(SimRead {
            sim: self.clone(),
            region: region.to_string(),
        })
    }

    pub fn writer(&self, region: &str) -> Arc<dyn CloudWrite> {
        Arc::new(SimWrite {
            sim: self.clone(),
            region: region.to_string(),
        })
    }

    pub fn readers(&self) -> Vec<Arc<dyn CloudRead>> {
        self.regions.iter().map(|r| self.reader(r)).collect()
    }

    /// Only a read-write session asks for these.
    pub fn writers(&self) -> Vec<Arc<dyn CloudWrite>> {
        self.regions.iter().map(|r| self.writer(r)).collect()
    }
}
