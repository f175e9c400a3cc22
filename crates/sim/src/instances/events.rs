//! Scheduled instance events: added (by a fleet file, chaos or the generator), executed at their time
//! when nobody acted, and rescheduled within EC2's rules.

use super::{mark_done, not_found_instances};
use crate::ids;
use crate::world::{Tr, World, err, timing};
use opsdeck_core::cloud::{CloudError, CloudResult};
use opsdeck_core::domain::*;

impl World {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add_event(
        &mut self,
        region: &str,
        instance_id: &str,
        code: EventCode,
        raw_code: &str,
        description: &str,
        not_before: Timestamp,
        not_after: Option<Timestamp>,
        deadline: Option<Timestamp>,
    ) -> CloudResult<String> {
        let event_id = ids::ec2_id(&mut self.rng, "instance-event");
        let rec = self
            .region_mut(region)?
            .instances
            .get_mut(instance_id)
            .ok_or_else(|| not_found_instances(&[instance_id]))?;
        rec.events.push(ScheduledEvent {
            region: region.into(),
            target: EventTarget::Instance,
            resource_id: instance_id.into(),
            event_id: Some(event_id.as_str().into()),
            code,
            raw_code: raw_code.into(),
            description: description.into(),
            not_before: Some(not_before),
            not_after,
            not_before_deadline: deadline,
        });
        self.queue.push(
            not_before,
            Tr::EventDue {
                region: region.into(),
                id: instance_id.into(),
                event_id: event_id.clone(),
                not_before,
            },
        );
        Ok(event_id)
    }

    /// An event's start time came and nobody acted: AWS does it now.
    pub(crate) fn on_event_due(
        &mut self,
        region: &str,
        id: &str,
        event_id: &str,
        not_before: Timestamp,
    ) {
        let Some(rec) = self
            .regions
            .get_mut(region)
            .and_then(|r| r.instances.get_mut(id))
        else {
            return;
        };
        let Some(ev) = rec
            .events
            .iter_mut()
            .find(|e| e.event_id.as_deref() == Some(event_id))
        else {
            return;
        };
        if ev.is_done() || ev.not_before != Some(not_before) {
            return;
        }
        let code = ev.code;
        mark_done(ev);
        let running = rec.inst.state == InstanceState::Running;
        match code {
            EventCode::InstanceReboot | EventCode::SystemReboot if running => {
                self.begin_reboot(region, id, timing::REBOOT_DOWN, false)
            }
            EventCode::SystemMaintenance if running => {
                self.begin_reboot(region, id, timing::MAINTENANCE_BLIP, false)
            }
            EventCode::InstanceStop | EventCode::InstanceRetirement => {
                self.begin_stop(region, id, true)
            }
            _ => {}
        }
    }

    pub(crate) fn reschedule_event(
        &mut self,
        region: &str,
        instance_id: &str,
        event_id: &str,
        not_before: Timestamp,
        dry_run: bool,
    ) -> CloudResult<()> {
        let now = self.now;
        let r = self.region(region)?;
        let rec = r
            .instances
            .get(instance_id)
            .ok_or_else(|| not_found_instances(&[instance_id]))?;
        // Like EC2: permissions (DryRun) are checked before the event itself is looked at.
        if dry_run {
            return Err(CloudError::dry_run_ok(
                "Request would have succeeded, but DryRun flag is set.",
            ));
        }
        let ev = rec
            .events
            .iter()
            .find(|e| e.event_id.as_deref() == Some(event_id) && !e.is_done())
            .ok_or_else(|| {
                err(
                    "InvalidInstanceEventID.NotFound",
                    format!("The event ID '{event_id}' does not exist"),
                )
            })?;
        let Some(deadline) = ev.not_before_deadline else {
            return Err(err(
                "InvalidParameterValue",
                format!(
                    "The event '{event_id}' cannot be rescheduled: it has no NotBeforeDeadline"
                ),
            ));
        };
        let start = ev.not_before.unwrap_or(now);
        if now + chrono::Duration::minutes(5) >= start {
            return Err(err(
                "IncorrectState",
                format!(
                    "The event '{event_id}' starts within 5 minutes (or has started) and can no longer be rescheduled"
                ),
            ));
        }
        if not_before < now + chrono::Duration::minutes(60) {
            return Err(err(
                "InvalidParameterValue",
                "The requested NotBefore must be at least 60 minutes in the future",
            ));
        }
        if not_before > deadline {
            return Err(err(
                "InvalidParameterValue",
                format!(
                    "The requested NotBefore {} is after the event's NotBeforeDeadline {}",
                    not_before.to_rfc3339(),
                    deadline.to_rfc3339()
                ),
            ));
        }
        let Some(ev) = self
            .regions
            .get_mut(region)
            .and_then(|r| r.instances.get_mut(instance_id))
            .and_then(|i| {
                i.events
                    .iter_mut()
                    .find(|e| e.event_id.as_deref() == Some(event_id))
            })
        else {
            return Ok(());
        };
        // The whole window moves, keeping its length.
        if let (Some(nb), Some(na)) = (ev.not_before, ev.not_after) {
            ev.not_after = Some(not_before + (na - nb));
        }
        ev.not_before = Some(not_before);
        self.queue.push(
            not_before,
            Tr::EventDue {
                region: region.into(),
                id: instance_id.into(),
                event_id: event_id.into(),
                not_before,
            },
        );
        Ok(())
    }
}
