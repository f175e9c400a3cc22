//! ELBv2 target health, evaluated at any moment from the registration and the instance's timeline:
//! `initial` → `healthy` after healthy-threshold × interval of passing checks; `unhealthy` after
//! unhealthy-threshold × interval of failing ones (reboot, crash, AZ outage); `unused` while stopped or
//! outside the load balancer's zones; `draining` for the deregistration delay, then gone.

use super::clock::secs;
use super::model::*;
use super::world::{World, err};
use opsdeck_core::cloud::{CloudError, CloudResult, TargetRef};
use opsdeck_core::domain::*;

/// A target's state with ELB's reason code and description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TargetEval {
    pub state: TargetState,
    pub reason: Option<&'static str>,
    pub description: Option<&'static str>,
}

impl TargetEval {
    fn new(state: TargetState, reason: &'static str, description: &'static str) -> Self {
        TargetEval {
            state,
            reason: Some(reason),
            description: Some(description),
        }
    }
    fn healthy() -> Self {
        TargetEval {
            state: TargetState::Healthy,
            reason: None,
            description: None,
        }
    }
}

/// Health as the checks see it at `t`, for a target registered at `reg_at`.
fn health_at(rec: &InstanceRec, reg_at: Timestamp, hc: &HealthCheck, t: Timestamp) -> TargetEval {
    let Some((_, start, phase)) = rec.segment_at(t) else {
        return TargetEval::new(
            TargetState::Initial,
            "Elb.RegistrationInProgress",
            "Target registration is in progress",
        );
    };
    let seg_start = start.max(reg_at);
    let interval = hc.interval_seconds.max(1) as f64;
    let healthy_after = secs(hc.healthy_threshold.max(1) as f64 * interval);
    let unhealthy_after = secs(hc.unhealthy_threshold.max(1) as f64 * interval);
    let before = || {
        if seg_start > reg_at {
            Some(
                health_at(
                    rec,
                    reg_at,
                    hc,
                    seg_start - chrono::Duration::milliseconds(1),
                )
                .state,
            )
        } else {
            None
        }
    };
    let failed = TargetEval::new(
        TargetState::Unhealthy,
        "Target.FailedHealthChecks",
        "Health checks failed",
    );
    let initial = TargetEval::new(
        TargetState::Initial,
        "Elb.InitialHealthChecking",
        "Initial health checks in progress",
    );
    match phase {
        Phase::Off => TargetEval::new(
            TargetState::Unused,
            "Target.InvalidState",
            if rec.inst.state == InstanceState::Terminated {
                "Target is in the terminated state"
            } else {
                "Target is in the stopped state"
            },
        ),
        Phase::Pending => TargetEval::new(
            TargetState::Initial,
            "Elb.RegistrationInProgress",
            "Target registration is in progress",
        ),
        Phase::Up => {
            if t - seg_start >= healthy_after {
                TargetEval::healthy()
            } else {
                match before() {
                    Some(TargetState::Healthy) => TargetEval::healthy(),
                    Some(TargetState::Unhealthy) => failed,
                    _ => initial,
                }
            }
        }
        Phase::Booting | Phase::Impaired | Phase::HostDown => {
            let grace = t - seg_start < unhealthy_after;
            match before() {
                Some(TargetState::Healthy) if grace => TargetEval::healthy(),
                Some(TargetState::Initial) | Some(TargetState::Unused) | None if grace => initial,
                _ => failed,
            }
        }
    }
}

impl Region {
    /// Zones the target group's load balancers serve (`None`: no load balancer uses the group).
    pub(crate) fn lb_zones(&self, tg: &TgRec) -> Option<Vec<String>> {
        let zones: Vec<String> = tg
            .tg
            .load_balancer_arns
            .iter()
            .filter_map(|a| self.lbs.get(a.as_str()))
            .flat_map(|l| l.lb.zones.iter().map(|z| z.az.clone()))
            .map(Into::into)
            .collect();
        if tg.tg.load_balancer_arns.is_empty() {
            None
        } else {
            Some(zones)
        }
    }

    /// The state of one registration at `t`; `None` when it did not exist then (or is gone).
    pub(crate) fn target_eval(
        &self,
        tg: &TgRec,
        zones: Option<&[String]>,
        reg: &Registration,
        t: Timestamp,
    ) -> Option<TargetEval> {
        if t < reg.registered_at {
            return None;
        }
        if let Some(d) = reg.deregistered_at
            && t >= d
        {
            if t >= d + tg.delay() {
                return None;
            }
            return Some(TargetEval::new(
                TargetState::Draining,
                "Target.DeregistrationInProgress",
                "Target deregistration is in progress",
            ));
        }
        let Some(zones) = zones else {
            return Some(TargetEval::new(
                TargetState::Unused,
                "Target.NotInUse",
                "Target group is not configured to receive traffic from the load balancer",
            ));
        };
        let Some(rec) = self.instances.get(&reg.target_id) else {
            return Some(TargetEval::new(
                TargetState::Unused,
                "Target.InvalidState",
                "Target is in the terminated state",
            ));
        };
        if !zones.iter().any(|z| *z == rec.inst.az) {
            return Some(TargetEval::new(
                TargetState::Unused,
                "Target.NotInUse",
                "Target is in an Availability Zone that is not enabled for the load balancer",
            ));
        }
        Some(health_at(rec, reg.registered_at, &tg.tg.health_check, t))
    }

    /// Every registration of the group that exists at `t`, with its state.
    pub(crate) fn targets_at<'a>(
        &'a self,
        tg: &'a TgRec,
        t: Timestamp,
    ) -> Vec<(&'a Registration, TargetEval)> {
        let zones = self.lb_zones(tg);
        tg.regs
            .iter()
            .filter_map(|reg| {
                self.target_eval(tg, zones.as_deref(), reg, t)
                    .map(|e| (reg, e))
            })
            .collect()
    }

    /// ELB deregisters a terminated instance from every group by itself.
    pub(crate) fn deregister_everywhere(&mut self, instance_id: &str, now: Timestamp) {
        for tg in self.tgs.values_mut() {
            for reg in tg.regs.iter_mut() {
                if reg.target_id == instance_id && reg.deregistered_at.is_none() {
                    reg.deregistered_at = Some(now);
                }
            }
        }
    }
}

pub(crate) fn tg_not_found(arn: &str) -> CloudError {
    err(
        "TargetGroupNotFound",
        format!("One or more target groups not found: {arn}"),
    )
}

impl World {
    pub(crate) fn check_target_group(&self, region: &str, arn: &str) -> CloudResult<()> {
        if self.region(region)?.tgs.contains_key(arn) {
            Ok(())
        } else {
            Err(tg_not_found(arn))
        }
    }

    pub(crate) fn register_targets(
        &mut self,
        region: &str,
        arn: &str,
        targets: &[TargetRef],
    ) -> CloudResult<()> {
        let now = self.now;
        let r = self.region(region)?;
        let tg = r.tgs.get(arn).ok_or_else(|| tg_not_found(arn))?;
        if targets.is_empty() {
            return Err(err(
                "ValidationError",
                "The list of targets must not be empty",
            ));
        }
        for t in targets {
            let Some(rec) = r.instances.get(&t.id) else {
                return Err(err(
                    "InvalidTarget",
                    format!(
                        "The following targets are not valid instances or are not in the target group's VPC: '{}'",
                        t.id
                    ),
                ));
            };
            if !matches!(
                rec.inst.state,
                InstanceState::Running | InstanceState::Pending
            ) {
                return Err(err(
                    "InvalidTarget",
                    format!(
                        "The following targets are not in a running state and cannot be registered: '{}'",
                        t.id
                    ),
                ));
            }
            if rec.inst.vpc_id.is_some() && rec.inst.vpc_id != tg.tg.vpc_id {
                return Err(err(
                    "InvalidTarget",
                    format!(
                        "The following targets are not in the target group's VPC: '{}'",
                        t.id
                    ),
                ));
            }
        }
        let default_port = tg.tg.port;
        let r = self.region_mut(region)?;
        let Some(tg) = r.tgs.get_mut(arn) else {
            return Err(tg_not_found(arn));
        };
        for t in targets {
            let port = t.port.or(default_port);
            let active = tg
                .regs
                .iter()
                .any(|g| g.target_id == t.id && g.port == port && g.deregistered_at.is_none());
            if active {
                continue;
            }
            // Registering a draining target again starts it over.
            tg.regs.retain(|g| !(g.target_id == t.id && g.port == port));
            tg.regs.push(Registration {
                target_id: t.id.clone(),
                port,
                registered_at: now,
                deregistered_at: None,
            });
        }
        Ok(())
    }

    pub(crate) fn deregister_targets(
        &mut self,
        region: &str,
        arn: &str,
        targets: &[TargetRef],
    ) -> CloudResult<()> {
        let now = self.now;
        let r = self.region(region)?;
        let tg = r.tgs.get(arn).ok_or_else(|| tg_not_found(arn))?;
        let delay = tg.delay();
        for t in targets {
            let known = tg.regs.iter().any(|g| {
                g.target_id == t.id
                    && (t.port.is_none() || g.port == t.port)
                    && g.deregistered_at.is_none_or(|d| now < d + delay)
            });
            if !known {
                return Err(err(
                    "InvalidTarget",
                    format!(
                        "The target '{}' is not registered with the target group",
                        t.id
                    ),
                ));
            }
        }
        let r = self.region_mut(region)?;
        let Some(tg) = r.tgs.get_mut(arn) else {
            return Err(tg_not_found(arn));
        };
        for t in targets {
            for g in tg.regs.iter_mut() {
                if g.target_id == t.id
                    && (t.port.is_none() || g.port == t.port)
                    && g.deregistered_at.is_none()
                {
                    g.deregistered_at = Some(now);
                }
            }
        }
        Ok(())
    }
}
