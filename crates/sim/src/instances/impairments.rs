//! What impairs running instances (chaos, not calls): a guest crash fails the instance status check;
//! an AZ outage fails both checks of every instance in the zone and leaves no capacity there.

use crate::world::World;
use opsdeck_core::domain::*;

impl World {
    /// The guest crashes: its instance status check fails until a reboot or stop/start.
    pub(crate) fn crash_instance(&mut self, id: &str) -> Result<(), String> {
        let now = self.now;
        let region = self
            .region_of_instance(id)
            .ok_or_else(|| format!("no instance {id}"))?;
        let rec = self
            .regions
            .get_mut(&region)
            .and_then(|r| r.instances.get_mut(id))
            .ok_or_else(|| format!("no instance {id}"))?;
        if rec.inst.state != InstanceState::Running {
            return Err(format!(
                "{id} is {}, only a running instance can crash",
                rec.inst.state.as_str()
            ));
        }
        rec.crashed_since = Some(now);
        rec.mark(now);
        Ok(())
    }

    /// An AZ goes down: the zone reports impaired, its running instances fail their status checks
    /// (so their targets turn unhealthy), launches and starts there fail for lack of capacity.
    pub(crate) fn az_outage(&mut self, az: &str) -> Result<(), String> {
        let now = self.now;
        let region = self
            .region_of_zone(az)
            .ok_or_else(|| format!("no availability zone {az} in the fleet"))?;
        let Some(r) = self.regions.get_mut(&region) else {
            return Err(format!("no region {region}"));
        };
        for z in r.zones.iter_mut().filter(|z| z.zone.name == az) {
            z.outage = true;
            z.zone.state = ZoneState::Impaired;
            z.zone.messages = vec![
                format!("Increased error rates and connectivity issues in {az} (simulated outage)")
                    .into(),
            ];
        }
        for rec in r.instances.values_mut().filter(|i| i.inst.az == az) {
            if rec.inst.state == InstanceState::Running && rec.outage_since.is_none() {
                rec.outage_since = Some(now);
                rec.mark(now);
            }
        }
        Ok(())
    }

    pub(crate) fn az_restore(&mut self, az: &str) -> Result<(), String> {
        let now = self.now;
        let region = self
            .region_of_zone(az)
            .ok_or_else(|| format!("no availability zone {az} in the fleet"))?;
        let Some(r) = self.regions.get_mut(&region) else {
            return Err(format!("no region {region}"));
        };
        for z in r.zones.iter_mut().filter(|z| z.zone.name == az) {
            z.outage = false;
            z.zone.state = ZoneState::Available;
            z.zone.messages.clear();
        }
        for rec in r.instances.values_mut().filter(|i| i.inst.az == az) {
            if rec.outage_since.take().is_some() {
                rec.mark(now);
            }
        }
        Ok(())
    }
}
