//! The simulated cloud: a second adapter behind `CloudRead`/`CloudWrite`, with a clock.
//!
//! One [`Sim`] holds the whole world (every region) behind a std mutex that is never held across an
//! `.await`. Its clock is tokio's (`epoch + elapsed × speed`): tests run it on a paused runtime and see
//! each transition at the time AWS would show it; the demo runs it at `--demo-speed`. Nothing runs in
//! the background: every port call first applies the transitions that are due, in time order.
//!
//! Faults come through the same handle ([`Sim::throttle`], [`Sim::az_outage`], ... or the text form
//! [`Sim::chaos`]). The sim never retries: a throttled call fails straight away (the AWS SDK retries
//! for the real adapter; runbooks handle what is left).
//!
//! Fleets are TOML files (`assets/fleets/`, embedded): `default` (the seeds' web shop), `large`
//! (generated, ≥ 10,000 instances over 4 regions), `seed` (the contract-test fleet, the same as
//! `tests/it/support/seed_fleet.py`). A path to a fleet file works too.

mod call_record;
mod chaos;
mod clock;
mod elb;
mod error;
mod fault_rules;
mod faults;
mod fleet;
mod ids;
mod instances;
mod metrics;
mod model;
mod network;
mod options;
mod read;
mod storage;
mod world;
mod write;

pub use chaos::{ChaosCommand, HELP as CHAOS_HELP, parse as parse_chaos, parse_duration};
pub use error::SimError;
pub use faults::{CALL_LOG_LIMIT, CallRecord, Faults, Service, service_of};
pub use fleet::{BUILTIN_FLEETS, FleetSpec, builtin_fleet};
pub use options::{DemoOptions, FleetSource, SimOptions};
pub use read::SimRead;
pub use write::SimWrite;

use fleet::fleet_spec;
use opsdeck_core::cloud::{CloudRead, CloudResult, CloudWrite, Written};
use opsdeck_core::domain::{EventCode, Timestamp};
use options::demo_fleet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use world::World;

/// `asked` among a fleet's regions `have`; see [`Sim::select_regions`].
fn pick_regions(fleet: &str, have: &[String], asked: &[String]) -> Result<Vec<String>, SimError> {
    if asked.is_empty() {
        return Ok(have.to_vec());
    }
    let mut out: Vec<String> = Vec::new();
    for r in asked {
        if !have.contains(r) {
            return Err(SimError(format!(
                "region {r} is not in the demo fleet `{fleet}` (it has: {})",
                have.join(", ")
            )));
        }
        if !out.contains(r) {
            out.push(r.clone());
        }
    }
    Ok(out)
}

/// Checks a demo's `--region`s against its fleet without building the fleet (the console does this
/// before it takes the terminal, so a typo is one line on stderr, not a banner).
pub fn check_demo_regions(opts: &crate::DemoOptions) -> Result<Vec<String>, SimError> {
    let spec = fleet_spec(&demo_fleet(opts))?;
    let mut have: Vec<String> = spec.regions.iter().map(|r| r.name.clone()).collect();
    if let Some(g) = &spec.generate {
        have.extend(g.regions.iter().cloned());
    }
    pick_regions(&spec.name, &have, &opts.regions)
}

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

fn is_mutating(action: &str) -> bool {
    !(action.starts_with("Describe") || action.starts_with("Get") || action.starts_with("List"))
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
        let clock = clock::SimClock::new(epoch, opts.speed);
        let mut w = World::new(clock, opts.seed);
        let order = fleet::load(&mut w, &spec, opts.seed)?;
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
    pub fn from_demo(opts: &crate::DemoOptions) -> Result<Sim, SimError> {
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

    // ---- lookups by name (tests and rehearsal scripts) ----------------------------------------

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

    // ---- faults ------------------------------------------------------------------------------

    pub fn faults(&self) -> Faults {
        self.lock().faults.clone()
    }

    pub fn set_faults(&self, faults: Faults) {
        self.lock().faults = faults;
    }

    /// Throttles `action` (`*` = all) with probability `rate`; 0 removes the rule.
    pub fn throttle(&self, action: &str, rate: f64) {
        let mut w = self.lock();
        if rate <= 0.0 {
            w.faults.throttle.remove(action);
        } else {
            w.faults.throttle.insert(action.to_string(), rate.min(1.0));
        }
    }

    pub fn set_error_rate(&self, rate: f64) {
        self.lock().faults.error_rate = rate.clamp(0.0, 1.0);
    }

    pub fn set_latency(&self, latency: Duration) {
        self.lock().faults.latency = latency;
    }

    /// Makes the caller's credentials temporary: they expire at `at` (`None`: long-lived keys).
    pub fn expire_credentials_at(&self, at: Option<Timestamp>) {
        self.lock().credentials_expire = at;
    }

    pub fn deny(&self, action: &str) {
        self.lock().faults.deny.insert(action.to_string());
    }

    pub fn allow(&self, action: &str) {
        self.lock().faults.deny.remove(action);
    }

    pub fn az_outage(&self, az: &str) -> Result<(), SimError> {
        let mut w = self.lock();
        w.advance();
        w.az_outage(az).map_err(SimError)
    }

    pub fn az_restore(&self, az: &str) -> Result<(), SimError> {
        let mut w = self.lock();
        w.advance();
        w.az_restore(az).map_err(SimError)
    }

    /// Crashes an instance (id or Name tag).
    pub fn crash(&self, instance: &str) -> Result<(), SimError> {
        let mut w = self.lock();
        w.advance();
        let id = w.resolve_instance(instance)?;
        w.crash_instance(&id).map_err(SimError)
    }

    /// The volume's detach hangs in `detaching` until forced (id or Name tag).
    pub fn stuck_detach(&self, volume: &str) -> Result<(), SimError> {
        let mut w = self.lock();
        w.advance();
        let id = w.resolve_volume(volume)?;
        w.make_stuck(&id).map_err(SimError)
    }

    /// Schedules an instance event `after` from now (`deadline`: latest allowed start, from now).
    pub fn schedule_event(
        &self,
        instance: &str,
        code: EventCode,
        after: Duration,
        deadline: Option<Duration>,
    ) -> Result<String, SimError> {
        let mut w = self.lock();
        w.advance();
        let id = w.resolve_instance(instance)?;
        let region = w
            .region_of_instance(&id)
            .ok_or_else(|| SimError(format!("no instance {instance}")))?;
        let now = w.now;
        let start = now + chrono::Duration::from_std(after).unwrap_or_default();
        let end = start + chrono::Duration::hours(2);
        let deadline = deadline.map(|d| now + chrono::Duration::from_std(d).unwrap_or_default());
        let description = fleet::default_event_description(code);
        w.add_event(
            &region,
            &id,
            code,
            code.as_str(),
            &description,
            start,
            Some(end),
            deadline,
        )
        .map_err(|e| SimError(e.to_string()))
    }

    /// Removes every call fault, restores every AZ and unsticks every volume.
    pub fn clear_faults(&self) {
        let mut w = self.lock();
        w.advance();
        w.faults = Faults::default();
        let zones: Vec<String> = w
            .regions
            .values()
            .flat_map(|r| {
                r.zones
                    .iter()
                    .filter(|z| z.outage)
                    .map(|z| z.zone.name.clone())
            })
            .map(Into::into)
            .collect();
        for z in zones {
            let _ = w.az_restore(&z);
        }
        for r in w.regions.values_mut() {
            for v in r.volumes.values_mut() {
                v.stuck = false;
            }
        }
    }

    /// Parses and applies a chaos command; returns what it did, in words.
    pub fn chaos(&self, text: &str) -> Result<String, SimError> {
        let cmd = chaos::parse(text).map_err(SimError)?;
        self.apply_chaos(&cmd)
    }

    pub fn apply_chaos(&self, cmd: &ChaosCommand) -> Result<String, SimError> {
        Ok(match cmd {
            ChaosCommand::AzOutage(az) => {
                self.az_outage(az)?;
                format!("{az} is down: its instances are impaired and launches there fail")
            }
            ChaosCommand::AzRestore(az) => {
                self.az_restore(az)?;
                format!("{az} is back")
            }
            ChaosCommand::Throttle { action, rate } => {
                self.throttle(action, *rate);
                if *rate <= 0.0 {
                    format!("no more throttling of {action}")
                } else {
                    format!("throttling {:.0}% of {action} calls", rate * 100.0)
                }
            }
            ChaosCommand::Latency(d) => {
                self.set_latency(*d);
                format!("every call now takes {} ms more", d.as_millis())
            }
            ChaosCommand::Errors(r) => {
                self.set_error_rate(*r);
                format!("{:.0}% of calls fail with InternalError", r * 100.0)
            }
            ChaosCommand::Crash(i) => {
                self.crash(i)?;
                format!("{i} crashed: its instance status check fails until it is rebooted")
            }
            ChaosCommand::StuckDetach(v) => {
                self.stuck_detach(v)?;
                format!("detaching {v} will hang until forced")
            }
            ChaosCommand::Deny(a) => {
                self.deny(a);
                format!("{a} is now denied (UnauthorizedOperation)")
            }
            ChaosCommand::Allow(a) => {
                self.allow(a);
                format!("{a} is allowed again")
            }
            ChaosCommand::Event {
                instance,
                code,
                after,
                deadline,
            } => {
                let id = self.schedule_event(instance, *code, *after, *deadline)?;
                format!(
                    "{} scheduled on {instance} in {}s ({id})",
                    code.as_str(),
                    after.as_secs()
                )
            }
            ChaosCommand::Skip(d) => {
                self.skip(*d);
                format!("skipped {}s of simulated time", d.as_secs())
            }
            ChaosCommand::Clear => {
                self.clear_faults();
                "all faults cleared, every AZ restored".to_string()
            }
            ChaosCommand::Status => self.describe_faults(),
            ChaosCommand::Help => CHAOS_HELP.to_string(),
        })
    }

    /// The active faults, in words.
    pub fn describe_faults(&self) -> String {
        let w = self.lock();
        let mut parts = Vec::new();
        for (a, r) in &w.faults.throttle {
            parts.push(format!("throttle {a} {r}"));
        }
        if w.faults.error_rate > 0.0 {
            parts.push(format!("errors {}", w.faults.error_rate));
        }
        if !w.faults.latency.is_zero() {
            parts.push(format!("latency {}ms", w.faults.latency.as_millis()));
        }
        for a in &w.faults.deny {
            parts.push(format!("deny {a}"));
        }
        for r in w.regions.values() {
            for z in r.zones.iter().filter(|z| z.outage) {
                parts.push(format!("az-outage {}", z.zone.name));
            }
            for v in r.volumes.values().filter(|v| v.stuck) {
                parts.push(format!("stuck-detach {}", v.vol.id));
            }
            for i in r.instances.values().filter(|i| i.crashed_since.is_some()) {
                parts.push(format!("crashed {}", i.inst.id));
            }
        }
        if parts.is_empty() {
            "no faults".to_string()
        } else {
            parts.join("; ")
        }
    }

    /// Every call answered so far, oldest first: the newest [`CALL_LOG_LIMIT`] of them.
    pub fn calls(&self) -> Vec<CallRecord> {
        self.lock().calls.iter().cloned().collect()
    }

    pub fn clear_calls(&self) {
        self.lock().calls.clear();
    }

    // ---- call plumbing -----------------------------------------------------------------------

    async fn delay(&self) {
        let latency = self.lock().faults.latency;
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
    }

    /// One call: latency, then (under the lock, never across an await) advance the world, roll the
    /// fault dice for each underlying AWS action, check the permission policy, run `f`, log it.
    fn answer<T>(
        &self,
        region: &str,
        actions: &[&'static str],
        dry_run: Option<bool>,
        f: impl FnOnce(&mut World) -> CloudResult<T>,
    ) -> (CloudResult<T>, String) {
        let mut w = self.lock();
        w.advance();
        let rid = w.request_id();
        let primary = actions.first().copied().unwrap_or("Unknown");
        let refused = actions
            .iter()
            .find_map(|a| w.injected_fault(a).or_else(|| w.check_permission(a).err()));
        let result = match refused {
            Some(e) => Err(e),
            None if !w.regions.contains_key(region) => Err(world::no_region(region)),
            None => f(&mut w),
        };
        let result = result.map_err(|e| e.with_request_id(Some(rid.clone())));
        let rec = CallRecord {
            at: w.now,
            region: region.to_string(),
            action: primary,
            mutating: is_mutating(primary),
            dry_run: dry_run.unwrap_or(false),
            error: result.as_ref().err().map(|e| e.code.clone()),
            request_id: Some(rid.clone()),
        };
        w.log_call(rec);
        (result, rid)
    }

    pub(crate) async fn call<T>(
        &self,
        region: &str,
        actions: &[&'static str],
        dry_run: Option<bool>,
        f: impl FnOnce(&mut World) -> CloudResult<T> + Send,
    ) -> CloudResult<T> {
        self.delay().await;
        self.answer(region, actions, dry_run, f).0
    }

    pub(crate) async fn write<T>(
        &self,
        region: &str,
        action: &'static str,
        dry_run: bool,
        f: impl FnOnce(&mut World) -> CloudResult<T> + Send,
    ) -> CloudResult<Written<T>> {
        self.delay().await;
        let (r, rid) = self.answer(region, &[action], Some(dry_run), f);
        r.map(|v| Written::new(v, Some(rid)))
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
