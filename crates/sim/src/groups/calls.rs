//! The Auto Scaling write calls on the simulated world, with AWS's checks and errors: Standby in and
//! out (leaving and joining the group's target groups), suspend/resume, update, terminate in group.
//! Auto Scaling has no DryRun: a dry run checks by reading, as the AWS adapter does.

use super::model::GroupRec;
use crate::world::{World, err};
use opsdeck_core::cloud::{CloudError, CloudResult};
use opsdeck_core::domain::*;

fn no_group(name: &str) -> CloudError {
    err(
        "ValidationError",
        format!("AutoScalingGroup name not found - AutoScalingGroup {name} not found"),
    )
}

fn dry_ok() -> CloudError {
    CloudError::dry_run_ok("checked by reading (Auto Scaling has no DryRun)")
}

/// The processes `SuspendProcesses` knows.
const PROCESSES: [&str; 9] = [
    "Launch",
    "Terminate",
    "AddToLoadBalancer",
    "AlarmNotification",
    "AZRebalance",
    "HealthCheck",
    "InstanceRefresh",
    "ReplaceUnhealthy",
    "ScheduledActions",
];

impl World {
    fn group(&self, region: &str, name: &str) -> CloudResult<&GroupRec> {
        self.region(region)?
            .groups
            .get(name)
            .ok_or_else(|| no_group(name))
    }

    fn group_mut(&mut self, region: &str, name: &str) -> CloudResult<&mut GroupRec> {
        self.region_mut(region)?
            .groups
            .get_mut(name)
            .ok_or_else(|| no_group(name))
    }

    pub(crate) fn enter_standby(
        &mut self,
        region: &str,
        name: &str,
        ids: &[String],
        decrement: bool,
        dry_run: bool,
    ) -> CloudResult<()> {
        let g = self.group(region, name)?;
        // No DryRun in Auto Scaling: a dry run checks by reading, as the AWS adapter does.
        if dry_run {
            return Err(dry_ok());
        }
        for id in ids {
            match g.members.get(id) {
                None => {
                    return Err(err(
                        "ValidationError",
                        format!("The instance {id} is not part of Auto Scaling group {name}."),
                    ));
                }
                Some(m) if m.state != LifecycleState::InService => {
                    return Err(err(
                        "ValidationError",
                        format!(
                            "The instance {id} is not in InService (it is {}).",
                            m.state.as_str()
                        ),
                    ));
                }
                _ => {}
            }
        }
        if decrement && g.desired - (ids.len() as i32) < g.min {
            return Err(err(
                "ValidationError",
                format!(
                    "AutoScalingGroup {name} has min-size={}, max-size={}, and desired-size={}. To \
                     place into standby {} instances, please update the AutoScalingGroup sizes \
                     appropriately.",
                    g.min,
                    g.max,
                    g.desired,
                    ids.len()
                ),
            ));
        }
        let snapshot = g.clone();
        let g = self.group_mut(region, name)?;
        for id in ids {
            if let Some(m) = g.members.get_mut(id) {
                m.state = LifecycleState::Standby;
            }
        }
        if decrement {
            g.desired -= ids.len() as i32;
        }
        // Standby instances leave the group's load balancers (and drain).
        for id in ids {
            self.leave_target_groups(region, &snapshot, id);
        }
        self.schedule_group_check(region, name, 1.0);
        Ok(())
    }

    pub(crate) fn exit_standby(
        &mut self,
        region: &str,
        name: &str,
        ids: &[String],
        dry_run: bool,
    ) -> CloudResult<()> {
        let g = self.group(region, name)?;
        if dry_run {
            return Err(dry_ok());
        }
        for id in ids {
            if g.members.get(id).map(|m| m.state) != Some(LifecycleState::Standby) {
                return Err(err(
                    "ValidationError",
                    format!("The instance {id} is not in Standby."),
                ));
            }
        }
        if g.desired + ids.len() as i32 > g.max {
            return Err(err(
                "ValidationError",
                format!(
                    "AutoScalingGroup {name} has max-size={} and desired-size={}: exiting Standby \
                     would exceed the maximum size.",
                    g.max, g.desired
                ),
            ));
        }
        let g = self.group_mut(region, name)?;
        g.desired += ids.len() as i32;
        for id in ids {
            if let Some(m) = g.members.get_mut(id) {
                // Back through Pending: it goes InService (and rejoins its target groups) at the
                // group's next look.
                m.state = LifecycleState::Pending;
            }
        }
        self.schedule_group_check(region, name, 1.0);
        Ok(())
    }

    pub(crate) fn suspend_or_resume(
        &mut self,
        region: &str,
        name: &str,
        processes: &[String],
        suspend: bool,
        dry_run: bool,
    ) -> CloudResult<()> {
        self.group(region, name)?;
        if dry_run {
            return Err(dry_ok());
        }
        if let Some(p) = processes.iter().find(|p| !PROCESSES.contains(&p.as_str())) {
            return Err(err(
                "ValidationError",
                format!("Unknown scaling process {p}"),
            ));
        }
        let g = self.group_mut(region, name)?;
        let all: Vec<String> = if processes.is_empty() {
            PROCESSES.iter().map(|p| p.to_string()).collect()
        } else {
            processes.to_vec()
        };
        for p in all {
            if suspend {
                g.suspended.insert(p);
            } else {
                g.suspended.remove(&p);
            }
        }
        self.schedule_group_check(region, name, 1.0);
        Ok(())
    }

    pub(crate) fn update_group(
        &mut self,
        region: &str,
        name: &str,
        sizes: (Option<i32>, Option<i32>, Option<i32>),
        subnets: Option<&[String]>,
        dry_run: bool,
    ) -> CloudResult<()> {
        let g = self.group(region, name)?;
        if dry_run {
            return Err(dry_ok());
        }
        let (min, max, desired) = sizes;
        let (min, max) = (min.unwrap_or(g.min), max.unwrap_or(g.max));
        let desired = desired.unwrap_or(g.desired);
        if min > max || desired < min || desired > max {
            return Err(err(
                "ValidationError",
                format!(
                    "Desired capacity:{desired} must be between the specified min size:{min} and \
                     max size:{max}"
                ),
            ));
        }
        if let Some(s) = subnets {
            let r = self.region(region)?;
            if s.is_empty() {
                return Err(err(
                    "ValidationError",
                    "VPCZoneIdentifier must not be empty",
                ));
            }
            if let Some(bad) = s.iter().find(|s| !r.subnets.contains_key(s.as_str())) {
                return Err(err(
                    "ValidationError",
                    format!("The subnet ID '{bad}' does not exist"),
                ));
            }
        }
        let g = self.group_mut(region, name)?;
        g.min = min;
        g.max = max;
        g.desired = desired;
        if let Some(s) = subnets {
            g.subnets = s.to_vec();
        }
        self.schedule_group_check(region, name, 1.0);
        Ok(())
    }

    pub(crate) fn terminate_in_group(
        &mut self,
        region: &str,
        id: &str,
        decrement: bool,
        dry_run: bool,
    ) -> CloudResult<()> {
        let name = self
            .region(region)?
            .groups
            .iter()
            .find(|(_, g)| g.members.contains_key(id))
            .map(|(n, _)| n.clone())
            .ok_or_else(|| {
                err(
                    "ValidationError",
                    format!(
                        "Instance Id not found - No managed instance found for instance ID: {id}"
                    ),
                )
            })?;
        let g = self.group(region, &name)?;
        if dry_run {
            return Err(dry_ok());
        }
        if decrement && g.desired - 1 < g.min {
            return Err(err(
                "ValidationError",
                format!(
                    "Currently, desiredSize equals minSize ({}). Terminating instance without \
                     replacement will violate group's min size constraint. Either set \
                     shouldDecrementDesiredCapacity flag to false or lower group's min size.",
                    g.min
                ),
            ));
        }
        let snapshot = g.clone();
        let g = self.group_mut(region, &name)?;
        if let Some(m) = g.members.get_mut(id) {
            m.state = LifecycleState::Terminating;
        }
        if decrement {
            g.desired -= 1;
        }
        self.leave_target_groups(region, &snapshot, id);
        self.terminate_instances(region, &[id.to_string()], false)?;
        self.schedule_group_check(region, &name, 1.0);
        Ok(())
    }
}
