//! Scheduled events: the description AWS gives each kind when the fleet (or chaos) names none.

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
