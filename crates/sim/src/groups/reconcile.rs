//! What a group does on its own, as AWS documents it: members launch and go InService (held by a
//! launch hook first, if there is one) and join the group's target groups; an unhealthy member (EC2
//! checks, or ELB health past the grace period) is replaced; desired capacity is kept, launches go
//! to the AZ with the fewest members; an AZ imbalance is rebalanced (launch first, then terminate);
//! an instance refresh replaces old members one at a time. Suspended processes stop their part.
//!
//! Nothing runs in the background: a group looks again when something happens to one of its
//! members (`nudge_group_of`) or while it has something under way (a recheck).

use super::model::{GroupRec, MemberRec};
use crate::clock::secs;
use crate::elb::TargetEval;
use crate::model::Phase;
use crate::world::{Tr, World, timing};
use opsdeck_core::cloud::TargetRef;
use opsdeck_core::domain::*;
use std::collections::BTreeMap;

/// How long a group takes to notice a member's trouble (its health checks run every few seconds,
/// EC2's status checks and ELB's unhealthy threshold take longer).
pub(crate) const DETECT_SECS: f64 = 30.0;
/// While a launch, a termination or a grace period is under way.
const RECHECK_SECS: f64 = 10.0;

impl World {
    /// Something happened to `instance` (state, health): its group looks again shortly.
    pub(crate) fn nudge_group_of(&mut self, region: &str, instance: &str) {
        self.schedule_group_check_of(region, instance, DETECT_SECS);
    }

    /// The group `instance` is a member of (if any) looks again `after` seconds from now.
    pub(crate) fn schedule_group_check_of(&mut self, region: &str, instance: &str, after: f64) {
        let name = self.regions.get(region).and_then(|r| {
            r.groups
                .iter()
                .find(|(_, g)| g.members.contains_key(instance))
                .map(|(n, _)| n.clone())
        });
        if let Some(n) = name {
            self.schedule_group_check(region, &n, after);
        }
    }

    /// Every group of a region looks again (an AZ went down or came back).
    pub(crate) fn nudge_groups(&mut self, region: &str) {
        let names: Vec<String> = self
            .regions
            .get(region)
            .map(|r| r.groups.keys().cloned().collect())
            .unwrap_or_default();
        for n in names {
            self.schedule_group_check(region, &n, DETECT_SECS);
        }
    }

    pub(crate) fn schedule_group_check(&mut self, region: &str, name: &str, after: f64) {
        let at = self.now + secs(after);
        let Some(g) = self
            .regions
            .get_mut(region)
            .and_then(|r| r.groups.get_mut(name))
        else {
            return;
        };
        // One check at a time: an earlier one looks again by itself if it needs to.
        if g.check_at.is_some_and(|t| t <= at) {
            return;
        }
        g.check_at = Some(at);
        self.queue.push(
            at,
            Tr::GroupCheck {
                region: region.into(),
                group: name.into(),
            },
        );
    }

    pub(crate) fn on_group_check(&mut self, region: &str, name: &str) {
        let now = self.now;
        let Some(g) = self
            .regions
            .get_mut(region)
            .and_then(|r| r.groups.get_mut(name))
        else {
            return;
        };
        // A check replaced by an earlier one (which ran, or is the one due now) is stale.
        if g.check_at != Some(now) {
            return;
        }
        g.check_at = None;
        let again = self.reconcile_group(region, name);
        if let Some(after) = again {
            self.schedule_group_check(region, name, after);
        }
    }

    /// One pass of the group's own behaviour; returns when to look again, if anything is under way.
    pub(crate) fn reconcile_group(&mut self, region: &str, name: &str) -> Option<f64> {
        let now = self.now;
        let r = self.regions.get(region)?;
        let g = r.groups.get(name).cloned()?;
        let mut g = g;
        let mut register = Vec::new();
        let mut terminate = Vec::new();
        let mut again: Option<f64> = None;
        let mut soon = |s: f64| again = Some(again.map_or(s, |a: f64| a.min(s)));

        // Settings read once: the loops below change the members.
        let launch_hook = g.hook(false).cloned();
        let abandon = launch_hook
            .as_ref()
            .is_some_and(|h| h.default_result.as_str() == "ABANDON");
        let elb_checks = g.health_check_type == "ELB";
        let grace = secs(g.grace_secs.max(0) as f64);
        let replace_unhealthy = !g.suspended("ReplaceUnhealthy");
        let target_groups = g.target_groups.clone();

        // 1. Members follow their instances.
        let mut gone = Vec::new();
        for (id, m) in g.members.iter_mut() {
            let inst = r.instances.get(id);
            let state = inst.map(|i| i.inst.state);
            match state {
                None | Some(InstanceState::Terminated) => gone.push(id.clone()),
                Some(InstanceState::ShuttingDown) => {
                    if !m.state.is_leaving() {
                        m.state = LifecycleState::Terminating;
                    }
                    soon(RECHECK_SECS);
                }
                Some(InstanceState::Running) if m.state == LifecycleState::Pending => {
                    match &launch_hook {
                        Some(h) => {
                            m.state = LifecycleState::PendingWait;
                            m.wait_until = Some(now + secs(h.heartbeat_timeout_secs.max(1) as f64));
                            soon(h.heartbeat_timeout_secs.max(1) as f64);
                        }
                        None => {
                            m.state = LifecycleState::InService;
                            register.push(id.clone());
                        }
                    }
                }
                Some(_) if m.state == LifecycleState::Pending => soon(RECHECK_SECS),
                _ => {}
            }
            if m.state == LifecycleState::PendingWait {
                match m.wait_until {
                    Some(t) if now >= t => {
                        if abandon {
                            terminate.push(id.clone());
                        } else {
                            m.state = LifecycleState::InService;
                            m.wait_until = None;
                            register.push(id.clone());
                        }
                    }
                    Some(t) => soon(((t - now).num_milliseconds() as f64 / 1000.0).max(1.0)),
                    None => {}
                }
            }
        }
        for id in &gone {
            g.members.remove(id);
        }

        // 2. Health: EC2 status checks always; ELB health past the grace period when the group uses it.
        if !g.suspended("HealthCheck") {
            for (id, m) in g.members.iter_mut() {
                if m.state != LifecycleState::InService {
                    continue;
                }
                let Some(rec) = r.instances.get(id) else {
                    continue;
                };
                let ec2_bad = rec.inst.state != InstanceState::Running
                    || matches!(rec.phase(), Phase::Impaired | Phase::HostDown);
                let in_grace = now < m.launched + grace;
                let elb_bad = elb_checks
                    && !in_grace
                    && target_groups.iter().any(|arn| {
                        r.tgs.get(arn).is_some_and(|tg| {
                            let zones = r.lb_zones(tg);
                            tg.regs
                                .iter()
                                .filter(|reg| reg.target_id == *id && reg.deregistered_at.is_none())
                                .filter_map(|reg| r.target_eval(tg, zones.as_deref(), reg, now))
                                .any(|e: TargetEval| e.state == TargetState::Unhealthy)
                        })
                    });
                if elb_checks && in_grace {
                    soon(((m.launched + grace - now).num_milliseconds() as f64 / 1000.0).max(1.0));
                }
                m.healthy = !(ec2_bad || elb_bad);
                if !m.healthy && replace_unhealthy && !terminate.contains(id) {
                    terminate.push(id.clone());
                }
            }
        }

        // 3. An instance refresh replaces members older than its version, one at a time, while the
        //    group keeps its healthy floor.
        if let Some(refresh) = g
            .refresh
            .as_mut()
            .filter(|x| matches!(x.status.as_str(), "Pending" | "InProgress"))
        {
            refresh.status = "InProgress".into();
            let old: Vec<String> = g
                .members
                .iter()
                .filter(|(_, m)| m.version < refresh.to_version && !m.state.is_leaving())
                .map(|(id, _)| id.clone())
                .collect();
            let total = g.members.len().max(1);
            refresh.percentage = (((total - old.len().min(total)) * 100) / total) as i32;
            if old.is_empty() {
                refresh.status = "Successful".into();
                refresh.percentage = 100;
            } else {
                // One at a time, and only once the group is whole again (AWS replaces at least one
                // instance at a time whatever the floor, so a small group still progresses).
                let serving = g
                    .members
                    .values()
                    .filter(|m| m.state == LifecycleState::InService && m.healthy)
                    .count();
                let launching = g.members.values().any(|m| {
                    matches!(
                        m.state,
                        LifecycleState::Pending | LifecycleState::PendingWait
                    )
                });
                if !launching
                    && serving >= g.desired.max(0) as usize
                    && let Some(id) = old.first()
                    && !terminate.contains(id)
                {
                    terminate.push(id.clone());
                }
                soon(RECHECK_SECS);
            }
        }

        // 4. Desired capacity: launch what is missing (to the AZ with the fewest members), terminate
        //    what is over (from the AZ with the most, oldest first).
        let azs = self.group_zones(region, &g);
        let active: Vec<(String, String, Timestamp)> = g
            .active()
            .filter(|(id, _)| !terminate.contains(id))
            .map(|(id, m)| (id.clone(), m.az.clone(), m.launched))
            .collect();
        let mut per_az: BTreeMap<String, usize> = azs.iter().map(|z| (z.clone(), 0)).collect();
        for (_, az, _) in &active {
            *per_az.entry(az.clone()).or_insert(0) += 1;
        }
        let desired = g.desired.max(0) as usize;
        let mut launches: Vec<String> = Vec::new();
        if active.len() < desired && !g.suspended("Launch") {
            for _ in active.len()..desired {
                let Some(az) = per_az
                    .iter()
                    .filter(|(az, _)| azs.contains(az))
                    .min_by_key(|(az, n)| (**n, (*az).clone()))
                    .map(|(az, _)| az.clone())
                else {
                    break;
                };
                *per_az.entry(az.clone()).or_insert(0) += 1;
                launches.push(az);
            }
        } else if active.len() > desired && !g.suspended("Terminate") {
            let mut by_age = active.clone();
            for _ in desired..active.len() {
                let Some(az) = per_az
                    .iter()
                    .filter(|(_, n)| **n > 0)
                    .max_by_key(|(az, n)| (**n, std::cmp::Reverse((*az).clone())))
                    .map(|(az, _)| az.clone())
                else {
                    break;
                };
                by_age.sort_by_key(|(_, _, t)| *t);
                if let Some(pos) = by_age.iter().position(|(_, a, _)| *a == az) {
                    let (id, _, _) = by_age.remove(pos);
                    *per_az.entry(az).or_insert(1) -= 1;
                    terminate.push(id);
                }
            }
        } else if !g.suspended("AZRebalance")
            && !g.suspended("Launch")
            && !g.suspended("Terminate")
            && active.len() == desired
            && !g.members.values().any(|m| {
                matches!(
                    m.state,
                    LifecycleState::Pending | LifecycleState::PendingWait
                )
            })
        {
            // 5. Rebalance across the AZs it can launch into: launch first, terminate after.
            let usable: Vec<(&String, &usize)> =
                per_az.iter().filter(|(az, _)| azs.contains(az)).collect();
            let lo = usable.iter().min_by_key(|(az, n)| (**n, (*az).clone()));
            let hi = usable.iter().max_by_key(|(_, n)| **n).map(|(_, n)| **n);
            if let (Some((lo_az, lo_n)), Some(hi_n)) = (lo, hi)
                && hi_n > **lo_n + 1
            {
                launches.push((*lo_az).clone());
            }
        }

        // Apply: the group's record first, then the instances and target groups.
        for id in &terminate {
            if let Some(m) = g.members.get_mut(id) {
                m.state = LifecycleState::Terminating;
            }
        }
        if !launches.is_empty() || !terminate.is_empty() || !register.is_empty() {
            soon(RECHECK_SECS);
        }
        if let Some(r) = self.regions.get_mut(region) {
            r.groups.insert(name.to_string(), g.clone());
        }
        for id in &register {
            self.join_target_groups(region, &g, id);
        }
        if !terminate.is_empty() {
            let _ = self.terminate_instances(region, &terminate, false);
        }
        for az in launches {
            if let Err(e) = self.launch_member(region, name, &az) {
                tracing::debug!(group = name, az, error = %e, "simulated group launch failed");
            }
        }
        again
    }

    /// A group named `name` anywhere in the fleet, and one of its in-service members.
    pub(crate) fn group_member_to_kill(&self, name: &str) -> Option<(String, String)> {
        self.regions.iter().find_map(|(region, r)| {
            let g = r.groups.get(name)?;
            g.members
                .iter()
                .find(|(_, m)| m.state == LifecycleState::InService)
                .map(|(id, _)| (region.clone(), id.clone()))
        })
    }

    pub(crate) fn start_refresh(&mut self, name: &str) -> Result<String, String> {
        let now = self.now;
        let region = self
            .regions
            .iter()
            .find(|(_, r)| r.groups.contains_key(name))
            .map(|(n, _)| n.clone())
            .ok_or_else(|| format!("no Auto Scaling group {name}"))?;
        let id = format!("ir-{}", crate::ids::hex(&mut self.rng, 8));
        let g = self
            .regions
            .get_mut(&region)
            .and_then(|r| r.groups.get_mut(name))
            .ok_or_else(|| format!("no Auto Scaling group {name}"))?;
        if g.refresh
            .as_ref()
            .is_some_and(|r| matches!(r.status.as_str(), "Pending" | "InProgress"))
        {
            return Err(format!(
                "{name} already has an instance refresh in progress"
            ));
        }
        g.version += 1;
        g.refresh = Some(super::model::RefreshRec {
            id: id.clone(),
            status: "Pending".into(),
            started: now,
            to_version: g.version,
            percentage: 0,
        });
        self.schedule_group_check(&region, name, 1.0);
        Ok(id)
    }

    /// The AZs a group launches into now: its subnets' zones, less any that are down.
    fn group_zones(&self, region: &str, g: &GroupRec) -> Vec<String> {
        let Some(r) = self.regions.get(region) else {
            return Vec::new();
        };
        let mut azs: Vec<String> = g
            .subnets
            .iter()
            .filter_map(|s| r.subnets.get(s))
            .map(|s| s.subnet.az.to_string())
            .filter(|az| !r.zone_down(az))
            .collect();
        azs.sort();
        azs.dedup();
        azs
    }

    pub(crate) fn join_target_groups(&mut self, region: &str, g: &GroupRec, id: &str) {
        for arn in &g.target_groups {
            let _ = self.register_targets(
                region,
                arn,
                &[TargetRef {
                    id: id.to_string(),
                    port: None,
                }],
            );
        }
    }

    pub(crate) fn leave_target_groups(&mut self, region: &str, g: &GroupRec, id: &str) {
        for arn in &g.target_groups {
            let _ = self.deregister_targets(
                region,
                arn,
                &[TargetRef {
                    id: id.to_string(),
                    port: None,
                }],
            );
        }
    }

    /// Launches a member into the group's subnet in `az` (pending, running after the usual time).
    pub(crate) fn launch_member(
        &mut self,
        region: &str,
        name: &str,
        az: &str,
    ) -> Result<String, String> {
        let now = self.now;
        let (spec, version) = {
            let r = self.regions.get(region).ok_or("no region")?;
            let g = r.groups.get(name).ok_or("no group")?;
            let subnet = g
                .subnets
                .iter()
                .find(|s| r.subnets.get(*s).is_some_and(|x| x.subnet.az == az))
                .ok_or("no subnet in that AZ")?;
            let mut spec = g.template.clone();
            spec.subnet_id = subnet.clone();
            spec.tags.insert(GROUP_TAG, name);
            (spec, g.version)
        };
        let id = self
            .create_instance(region, spec, InstanceState::Pending, now)
            .map_err(|e| e.to_string())?;
        let at = self.after(timing::PENDING, timing::PENDING_JITTER);
        self.queue.push(
            at,
            Tr::InstanceRunning {
                region: region.into(),
                id: id.clone(),
                ver: 0,
            },
        );
        if let Some(g) = self
            .regions
            .get_mut(region)
            .and_then(|r| r.groups.get_mut(name))
        {
            g.members.insert(
                id.clone(),
                MemberRec {
                    state: LifecycleState::Pending,
                    healthy: true,
                    az: az.to_string(),
                    launched: now,
                    wait_until: None,
                    version,
                },
            );
        }
        Ok(id)
    }
}
