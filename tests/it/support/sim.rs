//! The simulator as the tests build it: a fleet at a seed, on a fixed epoch (the scenario tests,
//! whose assertions name dates) or on the wall clock (what `--demo` does), and one region's two
//! ports over it (`World`).

use super::inventory;
use opsdeck_core::cloud::{CloudRead, CloudWrite};
use opsdeck_core::domain::{Instance, Inventory, Timestamp};
use opsdeck_sim::{FleetSource, Sim, SimOptions};
use std::sync::Arc;
use std::time::Duration;

/// The scenario tests' "now": the fleet's relative times (`launched = "-2d"`, events in `3d`) are
/// measured from it, so dates in their assertions are fixed.
pub fn epoch() -> Timestamp {
    "2030-03-04T12:00:00Z".parse().expect("epoch")
}

/// The console snapshots' "now" (2026-01-01 00:00 UTC): the clock times they show (`next retry
/// 00:05:05`) are stored in `tests/it/snapshots`, so it is not `epoch()`.
pub fn snapshot_epoch() -> Timestamp {
    chrono::DateTime::from_timestamp(1_767_225_600, 0).expect("2026-01-01")
}

pub fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// Options for `fleet` at `seed`, at simulated speed 1.
pub fn options(fleet: FleetSource, seed: u64, epoch: Option<Timestamp>) -> SimOptions {
    SimOptions {
        fleet,
        seed,
        speed: 1.0,
        epoch,
    }
}

/// The simulator, or a failure naming the fleet and why it did not load.
pub fn build(opts: SimOptions) -> Sim {
    let fleet = match &opts.fleet {
        FleetSource::NameOrPath(name) => format!("fleet {name}"),
        FleetSource::Toml(_) => "the fleet's TOML".to_string(),
    };
    Sim::new(opts).unwrap_or_else(|e| panic!("{fleet}: {e}"))
}

/// A built-in fleet (`default`, `large`, `seed`) or a fleet file, at `seed`, its clock at `epoch()`.
pub fn at_epoch(fleet: &str, seed: u64) -> Sim {
    at(fleet, seed, epoch())
}

/// A built-in fleet or a fleet file at `seed`, its clock at `now`.
pub fn at(fleet: &str, seed: u64, now: Timestamp) -> Sim {
    build(options(
        FleetSource::NameOrPath(fleet.into()),
        seed,
        Some(now),
    ))
}

/// A built-in fleet or a fleet file at `seed`, on the wall clock (as `--demo` runs it).
pub fn fleet(fleet: &str, seed: u64) -> Sim {
    build(options(FleetSource::NameOrPath(fleet.into()), seed, None))
}

/// A fleet given as TOML text, at `seed`, on the wall clock.
pub fn toml(text: &str, seed: u64) -> Sim {
    build(options(FleetSource::Toml(text.into()), seed, None))
}

/// The default demo fleet at seed 1, on the wall clock: what `opsdeck --demo` shows.
pub fn demo() -> Sim {
    fleet("default", 1)
}

/// The instance with this id, as the port describes it.
pub async fn instance(r: &Arc<dyn CloudRead>, id: &str) -> Instance {
    r.instance(id)
        .await
        .expect("describe")
        .unwrap_or_else(|| panic!("{id} is listed"))
}

/// The id of the fleet's instance named `name`.
pub fn instance_id(sim: &Sim, name: &str) -> String {
    sim.instance_id(name)
        .unwrap_or_else(|| panic!("no instance {name}"))
}

/// One region of a simulator: the sim itself (its chaos, its call log) and the two ports over it.
pub struct World {
    pub sim: Sim,
    pub read: Arc<dyn CloudRead>,
    pub write: Arc<dyn CloudWrite>,
}

impl World {
    pub fn new(sim: Sim, region: &str) -> World {
        World {
            read: sim.reader(region),
            write: sim.writer(region),
            sim,
        }
    }

    /// The region's inventory without metrics and alarms (`inventory::quick`).
    pub async fn inventory(&self) -> Inventory {
        inventory::quick(&self.read).await
    }

    /// The id of the fleet's instance named `name`.
    pub fn id(&self, name: &str) -> String {
        instance_id(&self.sim, name)
    }
}

/// The names of the instances `opsdeck --demo` lists (every region), read through the ports, so
/// terminal tests count what the fleet holds instead of a number written down once.
pub fn demo_instance_names() -> Vec<String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(async {
        let mut names = Vec::new();
        for r in demo().readers() {
            for i in inventory::quick(&r).await.instances {
                names.push(i.name.as_deref().unwrap_or_default().to_string());
            }
        }
        names
    })
}

/// The Auto Scaling groups `opsdeck --demo` shows: (name, desired capacity).
pub fn demo_groups() -> Vec<(String, i32)> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(async {
        let mut groups = Vec::new();
        for r in demo().readers() {
            for g in inventory::quick(&r).await.auto_scaling_groups {
                groups.push((g.name.to_string(), g.desired_capacity));
            }
        }
        groups
    })
}
