//! Turning a fleet spec into the world: its regions in the file's order, then the generated ones.

use super::generate::generate;
use super::spec::{FleetSpec, RegionSpec};
use super::{alarms, instances, load_balancers, network, storage};
use crate::error::SimError;
use crate::world::World;

/// Builds a fleet into `w`; returns its regions in order (the first answers for the identity).
pub(crate) fn load(w: &mut World, spec: &FleetSpec, _seed: u64) -> Result<Vec<String>, SimError> {
    w.fleet_name = spec.name.clone();
    w.account = spec.account.clone();
    let mut order = Vec::new();
    for r in &spec.regions {
        load_region(w, spec, r)?;
        order.push(r.name.clone());
    }
    if let Some(g) = &spec.generate {
        order.extend(generate(w, spec, g)?);
    }
    if order.is_empty() {
        return Err(SimError(format!("fleet {} has no region", spec.name)));
    }
    Ok(order)
}

/// One region of a fleet file, family by family. The order matters twice: a family may name what an
/// earlier one created (an image's source instance, a listener's target group), and the ids a seed
/// gives depend on the order they are drawn in.
fn load_region(w: &mut World, fleet: &FleetSpec, spec: &RegionSpec) -> Result<(), SimError> {
    let mut names = network::load_network(w, fleet, spec)?;
    storage::reserve_images(w, spec, &mut names)?;
    instances::load_instances(w, fleet, spec, &mut names)?;
    storage::load_volumes(w, fleet, spec, &mut names)?;
    storage::load_snapshots(w, fleet, spec, &names)?;
    storage::load_images(w, fleet, spec, &names)?;
    network::load_enis(w, fleet, spec, &mut names)?;
    network::load_elastic_ips(w, fleet, spec, &names)?;
    load_balancers::load_target_groups(w, spec, &mut names)?;
    load_balancers::load_load_balancers(w, fleet, spec, &names)?;
    alarms::load_alarms(w, fleet, spec, &names)
}
