//! Resources by name (tests and rehearsal scripts name them as the fleet file does): an instance or
//! volume by its Name tag or id, the others by their name or Name tag.

use super::Sim;
use crate::error::SimError;
use crate::world::World;

impl Sim {
    /// A live instance's id by its Name tag (or its id).
    pub fn instance_id(&self, name: &str) -> Option<String> {
        self.lock().resolve_instance(name).ok()
    }

    /// A volume's id by its Name tag.
    pub fn volume_id(&self, name: &str) -> Option<String> {
        self.lock().resolve_volume(name).ok()
    }

    /// An owned image's id by its name.
    pub fn image_id(&self, name: &str) -> Option<String> {
        let w = self.lock();
        w.regions
            .values()
            .flat_map(|r| r.images.values())
            .find(|i| i.name == name)
            .map(|i| i.id.clone())
            .map(Into::into)
    }

    pub fn target_group_arn(&self, name: &str) -> Option<String> {
        let w = self.lock();
        w.regions
            .values()
            .flat_map(|r| r.tgs.values())
            .find(|t| t.tg.name == name)
            .map(|t| t.tg.arn.clone())
            .map(Into::into)
    }

    pub fn load_balancer_arn(&self, name: &str) -> Option<String> {
        let w = self.lock();
        w.regions
            .values()
            .flat_map(|r| r.lbs.values())
            .find(|l| l.lb.name == name)
            .map(|l| l.lb.arn.clone())
            .map(Into::into)
    }

    /// An Elastic IP's allocation id by its Name tag.
    pub fn allocation_id(&self, name: &str) -> Option<String> {
        let w = self.lock();
        w.regions
            .values()
            .flat_map(|r| r.eips.values())
            .find(|a| a.tags.get("Name") == Some(name))
            .map(|a| a.allocation_id.clone())
            .map(Into::into)
    }

    /// A network interface's id by its Name tag.
    pub fn eni_id(&self, name: &str) -> Option<String> {
        let w = self.lock();
        w.regions
            .values()
            .flat_map(|r| r.enis.values())
            .find(|e| e.eni.tags.get("Name") == Some(name))
            .map(|e| e.eni.id.clone())
            .map(Into::into)
    }

    /// A subnet's id by its Name tag.
    pub fn subnet_id(&self, name: &str) -> Option<String> {
        let w = self.lock();
        w.regions
            .values()
            .flat_map(|r| r.subnets.values())
            .find(|s| s.subnet.tags.get("Name") == Some(name))
            .map(|s| s.subnet.id.clone())
            .map(Into::into)
    }
}

impl World {
    /// An instance by id, or by its Name tag when unambiguous.
    pub(crate) fn resolve_instance(&self, key: &str) -> Result<String, SimError> {
        if self.region_of_instance(key).is_some() {
            return Ok(key.to_string());
        }
        let found: Vec<String> = self
            .regions
            .values()
            .flat_map(|r| r.instances.values())
            .filter(|i| i.inst.tags.get("Name") == Some(key))
            .filter(|i| i.inst.is_live())
            .map(|i| i.inst.id.clone())
            .map(Into::into)
            .collect();
        match found.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(SimError(format!("no instance {key}"))),
            _ => Err(SimError(format!(
                "{} instances are named {key}: use an id",
                found.len()
            ))),
        }
    }

    pub(crate) fn resolve_volume(&self, key: &str) -> Result<String, SimError> {
        let found: Vec<String> = self
            .regions
            .values()
            .flat_map(|r| r.volumes.values())
            .filter(|v| v.vol.id == key || v.vol.tags.get("Name") == Some(key))
            .map(|v| v.vol.id.clone())
            .map(Into::into)
            .collect();
        match found.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(SimError(format!("no volume {key}"))),
            _ => Err(SimError(format!(
                "{} volumes are named {key}: use an id",
                found.len()
            ))),
        }
    }
}
