//! EC2 instances: launch (with client tokens), start/stop/reboot/terminate state machines, status
//! checks, scheduled events (executed at their time when nobody acted) and their rescheduling rules.
//!
//! `launch` creates instances, `lifecycle` moves them between states, `events` schedules and
//! reschedules their events, `impairments` are the faults that hit them (a crash, an AZ outage).
//! What they share, the errors EC2 answers with, is here.

mod events;
mod impairments;
mod launch;
mod lifecycle;

pub(crate) use launch::{NewInstance, cpu_for_role};

use crate::world::{World, err};
use opsdeck_core::cloud::{CloudError, CloudResult};
use opsdeck_core::domain::ScheduledEvent;

/// The phrase EC2 uses in IncorrectInstanceState for each action.
fn incorrect_state(id: &str, action: &str) -> CloudError {
    err(
        "IncorrectInstanceState",
        format!("The instance '{id}' is not in a state from which it can be {action}."),
    )
}

pub(crate) fn not_found_instances(missing: &[&str]) -> CloudError {
    if missing.len() == 1 {
        err(
            "InvalidInstanceID.NotFound",
            format!("The instance ID '{}' does not exist", missing[0]),
        )
    } else {
        err(
            "InvalidInstanceID.NotFound",
            format!("The instance IDs '{}' do not exist", missing.join(", ")),
        )
    }
}

/// An event that has happened (or was made moot) says so, as EC2 shows it.
fn mark_done(ev: &mut ScheduledEvent) {
    if !ev.is_done() {
        ev.description = format!("[Completed] {}", ev.description).into();
    }
}

impl World {
    /// Every id exists in the region (EC2 names the missing ones).
    fn check_instances(&self, region: &str, ids_: &[String]) -> CloudResult<()> {
        let r = self.region(region)?;
        if ids_.is_empty() {
            return Err(err(
                "MissingParameter",
                "The request must contain the parameter InstanceId",
            ));
        }
        let missing: Vec<&str> = ids_
            .iter()
            .filter(|i| !r.instances.contains_key(i.as_str()))
            .map(String::as_str)
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(not_found_instances(&missing))
        }
    }
}
