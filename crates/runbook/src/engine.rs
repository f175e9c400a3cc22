//! Runs a plan: preflight, approval, then each step as observe → act if needed → wait until done,
//! with backoff and a timeout per step. Every transition is journaled before the run goes on.

use super::actions::{self, Called, Ctx, Seen};
use super::journal::{Entry, Journal, Outputs, RunState, RunStatus};
use super::plan::{Action, AddressMove, AddressWas, Plan, Step, Val};
use async_trait::async_trait;
use opsdeck_core::analysis::Floor;
use opsdeck_core::cloud::{CloudRead, CloudWrite, ErrorKind, TargetRef};
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

/// Progress, streamed to the console or printed headless.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RunEvent {
    StepStarted {
        step: usize,
        title: String,
        expected_secs: u64,
    },
    Waiting {
        step: usize,
        detail: String,
        elapsed_secs: u64,
        expected_secs: u64,
    },
    Acted {
        step: usize,
        call: String,
        request_id: Option<String>,
    },
    Retrying {
        step: usize,
        error: String,
    },
    StepFinished {
        step: usize,
        elapsed_secs: u64,
    },
    StepFailed {
        step: usize,
        error: String,
    },
    Finished {
        status: RunStatus,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    Approve,
    Cancel,
}

/// Who says yes. The console asks the operator; `--yes` approves everything.
#[async_trait]
pub trait Approver: Send + Sync {
    async fn approve_plan(&self, plan: &Plan) -> Approval;
    async fn approve_step(&self, index: usize, step: &Step) -> Approval;
}

pub struct AutoApprove;

#[async_trait]
impl Approver for AutoApprove {
    async fn approve_plan(&self, _: &Plan) -> Approval {
        Approval::Approve
    }
    async fn approve_step(&self, _: usize, _: &Step) -> Approval {
        Approval::Approve
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalMode {
    /// Each mutating step waits for approval.
    PerStep,
    /// One approval for the plan; destructive steps still ask on their own.
    Once,
}

#[derive(Debug, Clone)]
pub struct EngineOptions {
    pub poll_initial: Duration,
    pub poll_max: Duration,
    pub floor: Floor,
    pub approval: ApprovalMode,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            poll_initial: Duration::from_secs(2),
            poll_max: Duration::from_secs(15),
            floor: Floor::default(),
            approval: ApprovalMode::Once,
        }
    }
}

/// Why a run stopped before its end, other than by its own outcome.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Test hook: the process "died" (no more journal writes happen).
    #[error("killed (test hook)")]
    Killed,
    #[error("journal: {0:#}")]
    Journal(anyhow::Error),
}

pub struct Runner {
    pub read: Arc<dyn CloudRead>,
    pub write: Arc<dyn CloudWrite>,
    pub journal: Journal,
    pub approver: Arc<dyn Approver>,
    pub events: Option<mpsc::UnboundedSender<RunEvent>>,
    pub cancel: watch::Receiver<bool>,
    pub opts: EngineOptions,
    /// Test hook: allow this many more journal writes, then act as if the process were killed.
    pub kill_after: Option<Arc<AtomicUsize>>,
}

/// A problem found before anything changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub step: Option<usize>,
    pub message: String,
}

/// Retries a call while AWS answers with a transient error (throttling, 5xx), with backoff: the
/// preflight must not refuse a plan because of a busy API.
async fn with_retries<T, F, Fut>(mut f: F) -> opsdeck_core::cloud::CloudResult<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = opsdeck_core::cloud::CloudResult<T>>,
{
    let mut delay = Duration::from_millis(500);
    for _ in 0..8 {
        match f().await {
            Err(e) if e.is_transient() => {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(10));
            }
            other => return other,
        }
    }
    f().await
}

/// Tries every mutating step with DryRun (where its inputs are already known), evaluates the
/// capacity guards, and checks the credentials outlive the run.
pub async fn preflight(
    read: &dyn CloudRead,
    write: &dyn CloudWrite,
    plan: &Plan,
    floor: Floor,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let outputs = Outputs::new();
    let ctx = Ctx {
        read,
        run_id: "preflight",
        floor,
        outputs: &outputs,
    };
    for (i, step) in plan.steps.iter().enumerate() {
        if let Action::CapacityGuard { .. } = step.action {
            // Only the first guard can be judged now: later ones run after earlier instances return.
            if !plan.steps[..i]
                .iter()
                .any(|s| matches!(s.action, Action::CapacityGuard { .. }))
            {
                match with_retries(|| actions::observe(&ctx, &step.action, Called::No)).await {
                    Ok(Seen::Pending(why)) => problems.push(Problem {
                        step: Some(i),
                        message: format!("guard: {why}"),
                    }),
                    Err(e) => problems.push(Problem {
                        step: Some(i),
                        message: e.to_string(),
                    }),
                    _ => {}
                }
            }
            continue;
        }
        if !step.action.is_mutating() || !actions::dry_runnable(&step.action) {
            continue;
        }
        match with_retries(|| actions::act(&ctx, write, &step.action, true)).await {
            Err(e) if e.kind == ErrorKind::DryRunOk => {}
            Ok(_) => {}
            Err(e) => problems.push(Problem {
                step: Some(i),
                message: format!("{}: {e}", step.title),
            }),
        }
    }
    if let Ok(id) = read.identity().await
        && let Some(exp) = id.expires_at
    {
        let end = chrono::Utc::now() + chrono::Duration::seconds(plan.expected_secs() as i64);
        if exp < end {
            problems.push(Problem {
                step: None,
                message: format!(
                    "credentials expire at {} but the run needs until about {}: refresh them first",
                    exp.format("%H:%M UTC"),
                    end.format("%H:%M UTC")
                ),
            });
        }
    }
    problems
}

impl Runner {
    fn emit(&self, e: RunEvent) {
        if let Some(tx) = &self.events {
            let _ = tx.send(e);
        }
    }

    fn record(&self, e: Entry) -> Result<(), EngineError> {
        if let Some(budget) = &self.kill_after
            && budget
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_err()
        {
            return Err(EngineError::Killed);
        }
        self.journal.append(&e).map_err(EngineError::Journal)
    }

    fn cancelled(&self) -> bool {
        *self.cancel.borrow()
    }

    /// Sleeps unless cancelled first; returns whether the run was cancelled.
    async fn pause(&self, d: Duration) -> bool {
        let mut c = self.cancel.clone();
        tokio::select! {
            _ = tokio::time::sleep(d) => false,
            _ = c.wait_for(|v| *v) => true,
        }
    }

    /// Runs (or resumes) the plan from the first unfinished step. The plan itself was approved
    /// before it was journaled (`launch`); steps that need their own approval ask here.
    pub async fn run(&self, state: &mut RunState) -> Result<RunStatus, EngineError> {
        while let Some(i) = state.next_step() {
            let step = state.plan.steps[i].clone();
            self.record(Entry::StepStarted {
                at: chrono::Utc::now(),
                step: i,
            })?;
            self.emit(RunEvent::StepStarted {
                step: i,
                title: step.title.clone(),
                expected_secs: step.expected_secs,
            });
            let needs_approval = step.action.is_mutating()
                && (self.opts.approval == ApprovalMode::PerStep || step.action.is_destructive());
            if needs_approval
                && !state.acted[i]
                && self.approver.approve_step(i, &step).await == Approval::Cancel
            {
                return self.finish_cancelled(state, Some(i));
            }
            match self.run_step(state, i, &step).await? {
                StepEnd::Done => {}
                StepEnd::Cancelled => return self.finish_cancelled(state, Some(i)),
                StepEnd::Failed(error) => {
                    self.record(Entry::StepFailed {
                        at: chrono::Utc::now(),
                        step: i,
                        error: error.clone(),
                    })?;
                    self.emit(RunEvent::StepFailed {
                        step: i,
                        error: error.clone(),
                    });
                    state.status = RunStatus::Failed;
                    state.last_error = Some(error);
                    self.emit(RunEvent::Finished {
                        status: RunStatus::Failed,
                    });
                    return Ok(RunStatus::Failed);
                }
            }
        }
        self.record(Entry::Finished {
            at: chrono::Utc::now(),
            outcome: RunStatus::Done,
        })?;
        state.status = RunStatus::Done;
        self.emit(RunEvent::Finished {
            status: RunStatus::Done,
        });
        Ok(RunStatus::Done)
    }

    fn finish_cancelled(
        &self,
        state: &mut RunState,
        step: Option<usize>,
    ) -> Result<RunStatus, EngineError> {
        self.record(Entry::Cancelled {
            at: chrono::Utc::now(),
            step,
        })?;
        state.status = RunStatus::Cancelled;
        self.emit(RunEvent::Finished {
            status: RunStatus::Cancelled,
        });
        Ok(RunStatus::Cancelled)
    }

    async fn run_step(
        &self,
        state: &mut RunState,
        i: usize,
        step: &Step,
    ) -> Result<StepEnd, EngineError> {
        let started = Instant::now();
        let timeout = Duration::from_secs(step.timeout_secs.max(1));
        let mut delay = self.opts.poll_initial;
        // A call journaled as made counts as made; one in doubt is re-observed first.
        let mut called = if state.acted[i] {
            Called::Yes
        } else if state.in_doubt[i] {
            Called::InDoubt
        } else {
            Called::No
        };
        let mut last = String::from("nothing yet");
        loop {
            if self.cancelled() {
                return Ok(StepEnd::Cancelled);
            }
            if started.elapsed() > timeout {
                return Ok(StepEnd::Failed(format!(
                    "{}: timed out after {}s; last seen: {last}",
                    step.title,
                    started.elapsed().as_secs()
                )));
            }
            let ctx = Ctx {
                read: self.read.as_ref(),
                run_id: &state.run_id,
                floor: self.opts.floor,
                outputs: &state.outputs,
            };
            let seen = actions::observe(&ctx, &step.action, called).await;
            match seen {
                Ok(Seen::Happened(evidence)) => {
                    // Journaled, so a later resume does not have to find the evidence again.
                    self.record(Entry::ActDone {
                        at: chrono::Utc::now(),
                        step: i,
                        request_id: None,
                        outputs: Default::default(),
                    })?;
                    state.acted[i] = true;
                    state.in_doubt[i] = false;
                    called = Called::Yes;
                    self.emit(RunEvent::Waiting {
                        step: i,
                        detail: evidence.clone(),
                        elapsed_secs: started.elapsed().as_secs(),
                        expected_secs: step.expected_secs,
                    });
                    last = evidence;
                    continue;
                }
                Ok(Seen::Done(out)) => {
                    state.outputs.extend(out.clone());
                    self.record(Entry::StepFinished {
                        at: chrono::Utc::now(),
                        step: i,
                        outputs: out,
                    })?;
                    state.finished[i] = true;
                    self.emit(RunEvent::StepFinished {
                        step: i,
                        elapsed_secs: started.elapsed().as_secs(),
                    });
                    return Ok(StepEnd::Done);
                }
                Ok(Seen::Pending(detail)) => {
                    self.emit(RunEvent::Waiting {
                        step: i,
                        detail: detail.clone(),
                        elapsed_secs: started.elapsed().as_secs(),
                        expected_secs: step.expected_secs,
                    });
                    last = detail;
                }
                Ok(Seen::Act) => {
                    self.record(Entry::ActStarted {
                        at: chrono::Utc::now(),
                        step: i,
                    })?;
                    let ctx = Ctx {
                        read: self.read.as_ref(),
                        run_id: &state.run_id,
                        floor: self.opts.floor,
                        outputs: &state.outputs,
                    };
                    match actions::act(&ctx, self.write.as_ref(), &step.action, false).await {
                        Ok((request_id, out)) => {
                            state.outputs.extend(out.clone());
                            self.record(Entry::ActDone {
                                at: chrono::Utc::now(),
                                step: i,
                                request_id: request_id.clone(),
                                outputs: out,
                            })?;
                            state.acted[i] = true;
                            called = Called::Yes;
                            self.emit(RunEvent::Acted {
                                step: i,
                                call: step.action.calls().to_string(),
                                request_id,
                            });
                            // Describe calls lag writes briefly: look again soon.
                            delay = self.opts.poll_initial;
                        }
                        Err(e) if e.is_transient() => {
                            self.emit(RunEvent::Retrying {
                                step: i,
                                error: e.to_string(),
                            });
                            last = e.to_string();
                        }
                        Err(e) => return Ok(StepEnd::Failed(format!("{}: {e}", step.title))),
                    }
                }
                Err(e) if e.is_transient() => {
                    self.emit(RunEvent::Retrying {
                        step: i,
                        error: e.to_string(),
                    });
                    last = e.to_string();
                }
                Err(e) => return Ok(StepEnd::Failed(format!("{}: {e}", step.title))),
            }
            if self.pause(delay).await {
                return Ok(StepEnd::Cancelled);
            }
            delay = (delay.mul_f64(1.5)).min(self.opts.poll_max);
        }
    }
}

enum StepEnd {
    Done,
    Cancelled,
    Failed(String),
}

/// The plan that undoes what a run did, newest first (re-register what was deregistered, start what
/// was stopped...). Steps with no safe inverse are listed in the notes instead.
pub fn rollback_plan(state: &RunState) -> Plan {
    let mut steps = Vec::new();
    let mut notes = vec![format!("rolls back run {}", state.run_id)];
    let touched = |j: usize| state.finished[j] || state.acted[j] || state.in_doubt[j];
    // Clones launched from an image keep needing it (to launch more, to rebuild one).
    let clones_launched = (0..state.plan.steps.len())
        .any(|j| matches!(state.plan.steps[j].action, Action::LaunchClone { .. }) && touched(j));
    // A volume detached for a failover goes back at the device the plan used for it.
    let attach_device = state.plan.steps.iter().find_map(|st| match &st.action {
        Action::AttachVolume { device, .. } => Some(device.clone()),
        _ => None,
    });
    for i in (0..state.plan.steps.len()).rev() {
        if !touched(i) || !state.plan.steps[i].action.is_mutating() {
            continue;
        }
        let s = &state.plan.steps[i];
        let resolve = |v: &Val| actions::resolve(v, &state.outputs).ok();
        let inverse = match &s.action {
            Action::DeregisterTarget {
                target_group_arn,
                target,
            } => Some(Action::RegisterTarget {
                target_group_arn: target_group_arn.clone(),
                target: Val::Lit(target.id.clone()),
                port: target.port,
            }),
            Action::RegisterTarget {
                target_group_arn,
                target,
                port,
            } => resolve(target).map(|id| Action::DeregisterTarget {
                target_group_arn: target_group_arn.clone(),
                target: TargetRef { id, port: *port },
            }),
            // An image made for clones nobody launched is only clutter (and snapshot cost).
            Action::CreateImage { output, .. } if !clones_launched => {
                resolve(&Val::Output(output.clone())).map(|id| Action::DeregisterImage {
                    image: Val::Lit(id),
                })
            }
            Action::DetachVolume {
                volume, instance, ..
            } => attach_device.clone().map(|device| Action::AttachVolume {
                volume: Val::Lit(volume.clone()),
                instance: Val::Lit(instance.clone()),
                device,
            }),
            Action::StopInstance { instance } => Some(Action::StartInstance {
                instance: instance.clone(),
            }),
            Action::AttachVolume {
                volume, instance, ..
            } => match (resolve(volume), resolve(instance)) {
                (Some(v), Some(i)) => Some(Action::DetachVolume {
                    volume: v,
                    instance: i,
                    force: false,
                }),
                _ => None,
            },
            // The Elastic IP goes back where the plan found it (or is let go if it pointed nowhere),
            // taken only from where this run put it.
            Action::AssociateAddress {
                allocation_id,
                target,
                output,
                was: Some(was),
                ..
            } => {
                let now = match target {
                    AddressMove::Instance(v) => {
                        resolve(v).map(|i| AddressMove::Instance(Val::Lit(i)))
                    }
                    other => Some(other.clone()),
                };
                match (was, now) {
                    (AddressWas::At(before), Some(now)) => Some(Action::AssociateAddress {
                        allocation_id: allocation_id.clone(),
                        target: before.clone(),
                        output: output.clone(),
                        was: Some(AddressWas::At(now.clone())),
                        only_from: Some(now),
                    }),
                    (AddressWas::Unassociated, Some(now)) => Some(Action::DisassociateAddress {
                        allocation_id: allocation_id.clone(),
                        from: now,
                    }),
                    (_, None) => None,
                }
            }
            // The client-facing address goes back where it was.
            Action::AttachNetworkInterface {
                eni_id,
                instance,
                device_index,
            } => resolve(instance).map(|i| Action::DetachNetworkInterface {
                eni_id: eni_id.clone(),
                instance: i,
                device_index: *device_index,
            }),
            Action::DetachNetworkInterface {
                eni_id,
                instance,
                device_index,
            } => Some(Action::AttachNetworkInterface {
                eni_id: eni_id.clone(),
                instance: Val::Lit(instance.clone()),
                device_index: *device_index,
            }),
            Action::MovePrivateIp { ip, from, to } => {
                resolve(to).map(|now| Action::MovePrivateIp {
                    ip: ip.clone(),
                    from: now,
                    to: Val::Lit(from.clone()),
                })
            }
            // A member left in Standby goes back into service.
            Action::EnterStandby {
                group, instance, ..
            } => Some(Action::ExitStandby {
                group: group.clone(),
                instance: instance.clone(),
            }),
            // A group reshaped goes back to its subnets and sizes.
            Action::ShapeGroup { group, to, was } => Some(Action::ShapeGroup {
                group: group.clone(),
                to: was.clone(),
                was: to.clone(),
            }),
            // Processes suspended for the run are resumed.
            Action::SuspendProcesses { group, processes } => Some(Action::ResumeProcesses {
                group: group.clone(),
                processes: processes.clone(),
            }),
            _ => None,
        };
        match inverse {
            Some(action) => steps.push(Step {
                title: format!("undo: {}", s.title),
                resources: s.resources.clone(),
                expected_secs: s.expected_secs,
                timeout_secs: s.timeout_secs,
                action,
            }),
            // Restorations (back in service, processes resumed, desired set back) need no undo.
            None if matches!(
                s.action,
                Action::RebootInstance { .. }
                    | Action::RescheduleEvent { .. }
                    | Action::ExitStandby { .. }
                    | Action::ResumeProcesses { .. }
                    | Action::RestoreDesired { .. }
            ) => {}
            None => notes.push(format!("not undone automatically: {}", s.title)),
        }
    }
    // A group given a stand-in for the run gets its desired capacity back at the end of the undo,
    // as the run itself would have.
    for (j, st) in state.plan.steps.iter().enumerate() {
        if let Action::RestoreDesired { group, .. } = &st.action
            && !state.finished[j]
            && (0..j).any(&touched)
        {
            steps.push(Step {
                title: format!("set {group}'s desired capacity back"),
                action: st.action.clone(),
                resources: st.resources.clone(),
                expected_secs: st.expected_secs,
                timeout_secs: st.timeout_secs,
            });
        }
    }
    Plan {
        runbook: format!("rollback-of-{}", state.plan.runbook),
        region: state.plan.region.clone(),
        args: serde_json::json!({ "run": state.run_id }),
        steps,
        notes,
    }
}
