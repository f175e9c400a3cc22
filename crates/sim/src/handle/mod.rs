//! The handle on one simulated world: built from a fleet, it owns the world and its clock. The rest
//! of its surface is split by job: `ports` hands out each region's read and write ports, `calls` is
//! the path every port call takes (and the log of them), `lookups` finds resources by name, and
//! `fault_api` injects faults, directly or as chaos text.

mod calls;
mod fault_api;
mod lookups;
mod ports;

use crate::clock::SimClock;
use crate::error::SimError;
use crate::fleet::{fleet_spec, load};
use crate::options::{DemoOptions, SimOptions, demo_fleet};
use crate::region_choice::pick_regions;
use crate::world::World;
use opsdeck_core::domain::Timestamp;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// The handle on one simulated world: cheap to clone, shared by every region's ports.
#[derive(Clone)]
pub struct Sim {
    world: Arc<Mutex<World>>,
    regions: Arc<Vec<String>>,
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim")
            .field("regions", &self.regions)
            .finish()
    }
}

impl Sim {
    /// Builds the world from a fleet. Must be called inside a tokio runtime context only if the clock
    /// is to follow a paused test clock; otherwise any thread will do.
    pub fn new(opts: SimOptions) -> Result<Sim, SimError> {
        if !(opts.speed.is_finite() && opts.speed > 0.0) {
            return Err(SimError(format!(
                "the simulated clock's speed must be a positive number, not {}",
                opts.speed
            )));
        }
        let started = std::time::Instant::now();
        let spec = fleet_spec(&opts.fleet)?;
        let epoch = opts.epoch.unwrap_or_else(chrono::Utc::now);
        let clock = SimClock::new(epoch, opts.speed);
        let mut w = World::new(clock, opts.seed);
        let order = load(&mut w, &spec, opts.seed)?;
        tracing::info!(
            fleet = %spec.name,
            seed = opts.seed,
            instances = w.regions.values().map(|r| r.instances.len()).sum::<usize>(),
            ms = started.elapsed().as_millis() as u64,
            "simulated fleet built"
        );
        Ok(Sim {
            world: Arc::new(Mutex::new(w)),
            regions: Arc::new(order),
        })
    }

    /// The simulator behind `opsdeck --demo`.
    pub fn from_demo(opts: &DemoOptions) -> Result<Sim, SimError> {
        Sim::new(SimOptions {
            fleet: demo_fleet(opts),
            seed: opts.seed,
            speed: opts.speed,
            epoch: None,
        })
    }

    fn lock(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Regions in the fleet file's order (the first one answers for the identity).
    pub fn regions(&self) -> Vec<String> {
        self.regions.as_ref().clone()
    }

    /// The regions `asked` for (`--region`), in that order and each once; all of the fleet's when
    /// `asked` is empty. A region the fleet does not have is an error naming the ones it has.
    pub fn select_regions(&self, asked: &[String]) -> Result<Vec<String>, SimError> {
        pick_regions(&self.fleet_name(), &self.regions, asked)
    }

    pub fn fleet_name(&self) -> String {
        self.lock().fleet_name.clone()
    }

    /// Simulated now (after applying what is due).
    pub fn now(&self) -> Timestamp {
        let mut w = self.lock();
        w.advance();
        w.now
    }

    /// The fleet's reference time: its relative times ("7d", "-3d") count from here.
    pub fn epoch(&self) -> Timestamp {
        self.lock().clock.epoch()
    }

    pub fn speed(&self) -> f64 {
        self.lock().clock.speed()
    }

    /// Moves the simulated clock forward without waiting (what is due meanwhile happens, in order).
    pub fn skip(&self, by: Duration) {
        let mut w = self.lock();
        w.clock.skip(by);
        w.advance();
    }

    /// Transitions still queued (for tests: a quiet world has none due).
    pub fn pending_transitions(&self) -> usize {
        self.lock().pending_transitions()
    }
}
