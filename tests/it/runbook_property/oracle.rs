//! A writer in front of the simulator's that checks, at the moment the engine makes a call, that it
//! does not break the floor: a serving (healthy) target is deregistered only when its group (and
//! AZ, with a per-AZ floor) keeps enough healthy targets, and an instance is stopped, rebooted or
//! terminated only once it serves no group (drained first). What it finds is kept for the test.
//!
//! One finding is told apart, `second_group`: the engine re-checks capacity once per instance,
//! before its first deregistration; an instance in two groups leaves the second one a drain later
//! without a new check, so health dropping meanwhile lets it take that group's last healthy target
//! (or its AZ's). A product bug (see `cases::bug_the_second_groups_deregistration_is_not_rechecked`).

use super::{Census, breaks_floor, census};
use async_trait::async_trait;
use opsdeck_core::analysis::Floor;
use opsdeck_core::cloud::{CloudRead, CloudResult, CloudWrite, Produced, WriteCall, Written};
use opsdeck_core::domain::TargetState;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// What the oracle found wrong.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    /// Removals that broke the floor, and restarts of serving instances.
    pub broken: Vec<String>,
    /// Removals that broke the floor when the instance had already left another group (the gap
    /// described above).
    pub second_group: Vec<String>,
}

pub struct Oracle {
    read: Arc<dyn CloudRead>,
    inner: Arc<dyn CloudWrite>,
    az_of: BTreeMap<String, String>,
    /// Target group names by ARN.
    names: BTreeMap<String, String>,
    floor: Floor,
    /// The groups as they were when the run was planned.
    at_plan: Census,
    found: Arc<Mutex<Findings>>,
}

impl Oracle {
    /// The writer, and the list of what it found broken.
    pub fn new(
        read: &Arc<dyn CloudRead>,
        write: &Arc<dyn CloudWrite>,
        az_of: BTreeMap<String, String>,
        names: BTreeMap<String, String>,
        floor: Floor,
        at_plan: Census,
    ) -> (Oracle, Arc<Mutex<Findings>>) {
        let found = Arc::new(Mutex::new(Findings::default()));
        let o = Oracle {
            read: read.clone(),
            inner: write.clone(),
            az_of,
            names,
            floor,
            at_plan,
            found: found.clone(),
        };
        (o, found)
    }

    fn note(&self, what: String) {
        if let Ok(mut f) = self.found.lock() {
            f.broken.push(what);
        }
    }

    /// `id` served another group than `g` healthy when the run was planned and no longer does:
    /// it has already started leaving service.
    fn left_another_group(&self, now: &Census, g: &str, id: &str) -> bool {
        let healthy_in = |c: &Census, other: &String| {
            c.get(other).is_some_and(|ts| {
                ts.iter()
                    .any(|(t, s)| t == id && *s == TargetState::Healthy)
            })
        };
        self.at_plan
            .keys()
            .filter(|other| other.as_str() != g)
            .any(|other| healthy_in(&self.at_plan, other) && !healthy_in(now, other))
    }

    async fn check(&self, call: &WriteCall) {
        let now = match census(&self.read).await {
            Ok(c) => c,
            Err(e) => return self.note(format!("the oracle could not read: {e}")),
        };
        let name_of = |arn: &str| self.names.get(arn).cloned().unwrap_or_else(|| arn.into());
        match call {
            WriteCall::DeregisterTargets {
                target_group_arn,
                targets,
            } => {
                let g = name_of(target_group_arn);
                for t in targets {
                    // Only this group counts: the census restricted to it.
                    let mine: Census = now
                        .iter()
                        .filter(|(k, _)| **k == g)
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    let Some(why) = breaks_floor(&mine, &self.az_of, &t.id, self.floor.per_az)
                    else {
                        continue;
                    };
                    let what = format!("DeregisterTargets {} from {g}: {why}", t.id);
                    if self.left_another_group(&now, &g, &t.id) {
                        if let Ok(mut f) = self.found.lock() {
                            f.second_group.push(what);
                        }
                    } else {
                        self.note(what);
                    }
                }
            }
            WriteCall::StopInstances { ids, .. }
            | WriteCall::RebootInstances { ids }
            | WriteCall::TerminateInstances { ids } => {
                for id in ids {
                    for (g, targets) in &now {
                        if let Some((_, s)) = targets.iter().find(|(t, _)| t == id)
                            && matches!(s, TargetState::Healthy | TargetState::Draining)
                        {
                            self.note(format!(
                                "{} {id} while it is {} in {g}",
                                call.name(),
                                s.as_str()
                            ));
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

#[async_trait]
impl CloudWrite for Oracle {
    fn region(&self) -> &str {
        self.inner.region()
    }

    async fn call(&self, call: &WriteCall, dry_run: bool) -> CloudResult<Written<Produced>> {
        if !dry_run {
            self.check(call).await;
        }
        self.inner.call(call, dry_run).await
    }
}
