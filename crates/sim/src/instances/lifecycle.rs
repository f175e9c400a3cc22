//! An instance's state machine after launch: start, stop (forced or not), reboot and terminate, each
//! a transition queued for the time AWS takes, and each checked the way EC2 checks it.

use super::{incorrect_state, mark_done};
use crate::clock::secs;
use crate::ids;
use crate::world::{Tr, World, err, timing};
use opsdeck_core::cloud::{CloudError, CloudResult};
use opsdeck_core::domain::*;

impl World {
    pub(crate) fn start_instances(
        &mut self,
        region: &str,
        ids_: &[String],
        dry_run: bool,
    ) -> CloudResult<()> {
        self.check_instances(region, ids_)?;
        let r = self.region(region)?;
        for id in ids_ {
            let Some(rec) = r.instances.get(id) else {
                continue;
            };
            match rec.inst.state {
                InstanceState::Stopped => {
                    if r.zone_down(&rec.inst.az) {
                        return Err(err(
                            "InsufficientInstanceCapacity",
                            format!(
                                "Insufficient capacity in the Availability Zone {} to start {id}.",
                                rec.inst.az
                            ),
                        ));
                    }
                }
                InstanceState::Running | InstanceState::Pending => {}
                _ => return Err(incorrect_state(id, "started")),
            }
        }
        if dry_run {
            return Err(CloudError::dry_run_ok(
                "Request would have succeeded, but DryRun flag is set.",
            ));
        }
        let now = self.now;
        for id in ids_ {
            let at = self.after(timing::PENDING, timing::PENDING_JITTER);
            let host = ids::ec2_id(&mut self.rng, "h");
            let ip = ids::public_ip(&mut self.rng);
            let Some(rec) = self
                .regions
                .get_mut(region)
                .and_then(|r| r.instances.get_mut(id))
            else {
                continue;
            };
            if rec.inst.state != InstanceState::Stopped {
                continue;
            }
            // A start lands on new hardware: host events are resolved, a new public address.
            rec.ver += 1;
            rec.inst.state = InstanceState::Pending;
            rec.host_id = host;
            rec.crashed_since = None;
            rec.outage_since = None;
            rec.rebooting = false;
            for ev in rec.events.iter_mut() {
                if ev.code.needs_new_hardware() {
                    mark_done(ev);
                }
            }
            if rec.auto_public_ip {
                rec.public_ip = Some(ip);
            }
            rec.mark(now);
            let ver = rec.ver;
            self.queue.push(
                at,
                Tr::InstanceRunning {
                    region: region.into(),
                    id: id.clone(),
                    ver,
                },
            );
        }
        Ok(())
    }

    pub(crate) fn stop_instances(
        &mut self,
        region: &str,
        ids_: &[String],
        force: bool,
        dry_run: bool,
    ) -> CloudResult<()> {
        self.check_instances(region, ids_)?;
        let r = self.region(region)?;
        for id in ids_ {
            if let Some(rec) = r.instances.get(id) {
                match rec.inst.state {
                    InstanceState::Running | InstanceState::Stopped | InstanceState::Stopping => {}
                    _ => return Err(incorrect_state(id, "stopped")),
                }
            }
        }
        if dry_run {
            return Err(CloudError::dry_run_ok(
                "Request would have succeeded, but DryRun flag is set.",
            ));
        }
        for id in ids_ {
            self.begin_stop(region, id, force);
        }
        Ok(())
    }

    /// Running → stopping (or a forced stop hurrying an ongoing one).
    pub(crate) fn begin_stop(&mut self, region: &str, id: &str, force: bool) {
        let now = self.now;
        let at = self.after(
            if force {
                timing::STOPPING_FORCED
            } else {
                timing::STOPPING
            },
            0.0,
        );
        let Some(rec) = self
            .regions
            .get_mut(region)
            .and_then(|r| r.instances.get_mut(id))
        else {
            return;
        };
        match rec.inst.state {
            InstanceState::Running | InstanceState::Pending => {}
            InstanceState::Stopping if force => {}
            _ => return,
        }
        rec.ver += 1;
        rec.inst.state = InstanceState::Stopping;
        rec.rebooting = false;
        rec.mark(now);
        let ver = rec.ver;
        self.queue.push(
            at,
            Tr::InstanceStopped {
                region: region.into(),
                id: id.into(),
                ver,
            },
        );
    }

    pub(crate) fn on_instance_stopped(&mut self, region: &str, id: &str, ver: u64) {
        let now = self.now;
        let Some(rec) = self
            .regions
            .get_mut(region)
            .and_then(|r| r.instances.get_mut(id))
        else {
            return;
        };
        if rec.ver != ver || rec.inst.state != InstanceState::Stopping {
            return;
        }
        rec.inst.state = InstanceState::Stopped;
        rec.public_ip = None;
        rec.crashed_since = None;
        rec.outage_since = None;
        rec.checks_init_until = None;
        rec.mark(now);
    }

    pub(crate) fn reboot_instances(
        &mut self,
        region: &str,
        ids_: &[String],
        dry_run: bool,
    ) -> CloudResult<()> {
        self.check_instances(region, ids_)?;
        let r = self.region(region)?;
        for id in ids_ {
            if let Some(rec) = r.instances.get(id)
                && rec.inst.state != InstanceState::Running
            {
                return Err(incorrect_state(id, "rebooted"));
            }
        }
        if dry_run {
            return Err(CloudError::dry_run_ok(
                "Request would have succeeded, but DryRun flag is set.",
            ));
        }
        for id in ids_ {
            self.begin_reboot(region, id, timing::REBOOT_DOWN, true);
        }
        Ok(())
    }

    /// The guest goes down for `down` seconds. A user reboot completes pending instance-reboot events.
    pub(crate) fn begin_reboot(&mut self, region: &str, id: &str, down: f64, by_user: bool) {
        let now = self.now;
        let at = self.after(down, 0.0);
        let Some(rec) = self
            .regions
            .get_mut(region)
            .and_then(|r| r.instances.get_mut(id))
        else {
            return;
        };
        if rec.inst.state != InstanceState::Running {
            return;
        }
        rec.ver += 1;
        rec.rebooting = true;
        rec.crashed_since = None;
        if by_user {
            for ev in rec.events.iter_mut() {
                if ev.code == EventCode::InstanceReboot {
                    mark_done(ev);
                }
            }
        }
        rec.mark(now);
        let ver = rec.ver;
        self.queue.push(
            at,
            Tr::RebootDone {
                region: region.into(),
                id: id.into(),
                ver,
            },
        );
    }

    pub(crate) fn on_reboot_done(&mut self, region: &str, id: &str, ver: u64) {
        let now = self.now;
        let Some(rec) = self
            .regions
            .get_mut(region)
            .and_then(|r| r.instances.get_mut(id))
        else {
            return;
        };
        if rec.ver != ver || !rec.rebooting {
            return;
        }
        rec.rebooting = false;
        rec.checks_init_until = Some(now + secs(timing::CHECKS_AFTER_REBOOT));
        rec.mark(now);
    }

    pub(crate) fn terminate_instances(
        &mut self,
        region: &str,
        ids_: &[String],
        dry_run: bool,
    ) -> CloudResult<()> {
        self.check_instances(region, ids_)?;
        if dry_run {
            return Err(CloudError::dry_run_ok(
                "Request would have succeeded, but DryRun flag is set.",
            ));
        }
        let now = self.now;
        for id in ids_ {
            let at = self.after(timing::SHUTTING_DOWN, 0.0);
            let Some(r) = self.regions.get_mut(region) else {
                continue;
            };
            let Some(rec) = r.instances.get_mut(id) else {
                continue;
            };
            if matches!(
                rec.inst.state,
                InstanceState::ShuttingDown | InstanceState::Terminated
            ) {
                continue;
            }
            rec.ver += 1;
            rec.inst.state = InstanceState::ShuttingDown;
            rec.rebooting = false;
            rec.mark(now);
            let ver = rec.ver;
            // ELB deregisters a terminated instance by itself (it drains, then disappears).
            r.deregister_everywhere(id, now);
            self.queue.push(
                at,
                Tr::InstanceTerminated {
                    region: region.into(),
                    id: id.clone(),
                    ver,
                },
            );
        }
        Ok(())
    }

    pub(crate) fn on_instance_terminated(&mut self, region: &str, id: &str, ver: u64) {
        let now = self.now;
        let purge_at = now + secs(timing::TERMINATED_LISTED);
        let Some(r) = self.regions.get_mut(region) else {
            return;
        };
        let Some(rec) = r.instances.get_mut(id) else {
            return;
        };
        if rec.ver != ver || rec.inst.state != InstanceState::ShuttingDown {
            return;
        }
        rec.inst.state = InstanceState::Terminated;
        rec.public_ip = None;
        rec.crashed_since = None;
        rec.outage_since = None;
        for ev in rec.events.iter_mut() {
            mark_done(ev);
        }
        rec.mark(now);
        r.release_instance_storage(id);
        r.release_instance_network(id);
        self.queue.push(
            purge_at,
            Tr::InstancePurge {
                region: region.into(),
                id: id.into(),
            },
        );
    }
}
