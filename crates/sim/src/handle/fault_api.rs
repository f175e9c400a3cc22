//! Fault injection through the handle: call faults (throttling, errors, latency, denied actions,
//! expiring credentials), faults in the world (an AZ outage, a crash, a stuck detach, a scheduled
//! event), the same as chaos text, and what is active, in words.

use super::Sim;
use crate::chaos::{self, ChaosCommand, HELP as CHAOS_HELP};
use crate::error::SimError;
use crate::fault_rules::Faults;
use crate::fleet::default_event_description;
use opsdeck_core::domain::{EventCode, Timestamp};
use std::time::Duration;

impl Sim {
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
        let description = default_event_description(code);
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
}
