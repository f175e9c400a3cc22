//! Scheduled events: the description AWS gives each kind when the fleet (or chaos) names none, and
//! an instance's events from its spec.

use super::names::Names;
use super::spec::EventSpec;
use super::times::{at, span};
use crate::error::SimError;
use crate::world::World;
use opsdeck_core::domain::EventCode;

/// The description of an event of `code` when none is given.
pub(crate) fn default_event_description(code: EventCode) -> String {
    match code {
        EventCode::SystemReboot => "scheduled reboot for host maintenance",
        EventCode::InstanceReboot => "scheduled instance reboot",
        EventCode::SystemMaintenance => "scheduled system maintenance (network or power)",
        EventCode::InstanceRetirement => "The instance is running on degraded hardware",
        EventCode::InstanceStop => "The instance is scheduled to be stopped",
        EventCode::Other => "scheduled event",
    }
    .to_string()
}

/// An instance's scheduled events from its spec (an unknown code is an error: AWS has no such event).
pub(super) fn load_events(
    w: &mut World,
    names: &Names,
    instance_id: &str,
    events: &[EventSpec],
) -> Result<(), SimError> {
    let now = w.now;
    for ev in events {
        let code = EventCode::parse(&ev.code);
        if code == EventCode::Other {
            return Err(names.err(format!("unknown event code {}", ev.code)));
        }
        let start = at(now, &ev.starts)?;
        let end = start + span(&ev.window)?;
        let deadline = match &ev.deadline {
            Some(d) => Some(at(now, d)?),
            None => None,
        };
        let desc = ev
            .description
            .clone()
            .unwrap_or_else(|| default_event_description(code));
        w.add_event(
            names.region,
            instance_id,
            code,
            &ev.code,
            &desc,
            start,
            Some(end),
            deadline,
        )
        .map_err(|x| names.err(x.to_string()))?;
    }
    Ok(())
}
