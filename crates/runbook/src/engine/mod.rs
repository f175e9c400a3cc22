//! Runs a plan: preflight, approval, then each step as observe → act if needed → wait until done,
//! with backoff and a timeout per step. Every transition is journaled before the run goes on.
//!
//! Here is the run loop; beside it, the preflight (`preflight.rs`: dry runs and checks before
//! anything changes) and the rollback planning (`rollback.rs`: a plan from a run's journaled state).

mod preflight;
mod rollback;

pub use preflight::{Problem, preflight};
pub use rollback::rollback_plan;

use crate::actions::{self, Called, Ctx, Seen};
use crate::journal::{Entry, Journal, Outputs, RunState, RunStatus};
use crate::plan::{Plan, Step, resolve_title};
use crate::safety;
use async_trait::async_trait;
use opsdeck_core::analysis::Floor;
use opsdeck_core::cloud::{CloudError, CloudRead, CloudWrite, ErrorKind};
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
        /// With the outputs known so far in place of their `<name>`.
        title: String,
        expected_secs: u64,
        /// A resumed run's step whose call an earlier process made (or may have made).
        resumed: bool,
        /// When, on the session's clock (`CloudRead::now`: the simulator's in a demo), the clock
        /// its expected duration and every `elapsed_secs` are counted in.
        at: opsdeck_core::domain::Timestamp,
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
        /// What the call produced (an instance id, an image id...).
        outputs: Outputs,
    },
    Retrying {
        step: usize,
        error: String,
    },
    StepFinished {
        step: usize,
        elapsed_secs: u64,
        /// What the step produced (ids created, addresses moved).
        outputs: Outputs,
    },
    StepFailed {
        step: usize,
        error: String,
        /// Its resources are gone: resuming cannot help (abandon or roll back).
        gone: bool,
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

/// How a run is asked to stop (the console's cancel, a headless run's SIGTERM or SIGINT), and by
/// whom, for the journal.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Stop {
    #[default]
    Go,
    /// At the next place where nothing is left out of service (`crate::safety`): the current
    /// instance's drain → work → rejoin finishes first.
    Safe(String),
    /// At the next poll or step boundary, even with something out of service (the journal says
    /// what).
    Now(String),
}

impl Stop {
    /// The next level: a second request to stop a run already stopping safely stops it now.
    pub fn escalate(&self, by: &str) -> Stop {
        match self {
            Stop::Go => Stop::Safe(by.to_string()),
            _ => Stop::Now(by.to_string()),
        }
    }

    pub fn requested(&self) -> bool {
        *self != Stop::Go
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
    pub cancel: watch::Receiver<Stop>,
    pub opts: EngineOptions,
    /// Test hook: allow this many more journal writes, then act as if the process were killed.
    pub kill_after: Option<Arc<AtomicUsize>>,
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

    /// Whether the run stops here: who asked, and what it leaves out of service (empty when the
    /// stop is safe). A safe stop waits while anything is open.
    fn stop_here(&self, state: &RunState) -> Option<Stopped> {
        let stop = self.cancel.borrow().clone();
        match stop {
            Stop::Go => None,
            Stop::Safe(by) => safety::open_steps(state).is_empty().then(|| Stopped {
                by,
                open: Vec::new(),
            }),
            Stop::Now(by) => Some(Stopped {
                by,
                open: safety::open_steps(state),
            }),
        }
    }

    /// Sleeps unless asked to stop first (in a way that applies here); returns whether it was.
    async fn pause(&self, d: Duration, state: &RunState) -> bool {
        let safe_here = safety::open_steps(state).is_empty();
        let mut c = self.cancel.clone();
        tokio::select! {
            _ = tokio::time::sleep(d) => false,
            _ = c.wait_for(|v| matches!(v, Stop::Now(_)) || (safe_here && matches!(v, Stop::Safe(_)))) => true,
        }
    }

    /// Runs (or resumes) the plan from the first unfinished step. The plan itself was approved
    /// before it was journaled (`launch`); steps that need their own approval ask here.
    pub async fn run(&self, state: &mut RunState) -> Result<RunStatus, EngineError> {
        while let Some(i) = state.next_step() {
            let step = state.plan.steps[i].clone();
            if let Some(stopped) = self.stop_here(state) {
                return self.finish_cancelled(state, Some(i), Some(stopped));
            }
            self.record(Entry::StepStarted {
                at: chrono::Utc::now(),
                step: i,
            })?;
            self.emit(RunEvent::StepStarted {
                step: i,
                title: resolve_title(&step.title, &state.outputs),
                expected_secs: step.expected_secs,
                resumed: state.acted[i] || state.in_doubt[i],
                at: self.read.now(),
            });
            let needs_approval = step.action.is_mutating()
                && (self.opts.approval == ApprovalMode::PerStep || step.action.is_destructive());
            if needs_approval
                && !state.acted[i]
                && self.approver.approve_step(i, &step).await == Approval::Cancel
            {
                return self.finish_cancelled(state, Some(i), None);
            }
            match self.run_step(state, i, &step).await? {
                StepEnd::Done => {}
                StepEnd::Cancelled(stopped) => {
                    return self.finish_cancelled(state, Some(i), Some(stopped));
                }
                StepEnd::Failed(error, gone) => {
                    self.record(Entry::StepFailed {
                        at: chrono::Utc::now(),
                        step: i,
                        error: error.clone(),
                        gone,
                    })?;
                    self.emit(RunEvent::StepFailed {
                        step: i,
                        error: error.clone(),
                        gone,
                    });
                    state.status = RunStatus::Failed;
                    state.last_error = Some(error);
                    state.resources_gone = gone;
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

    /// Journals the stop: where, who asked (none: an approval declined), and what it leaves out of
    /// service.
    fn finish_cancelled(
        &self,
        state: &mut RunState,
        step: Option<usize>,
        stopped: Option<Stopped>,
    ) -> Result<RunStatus, EngineError> {
        let (by, left_open) = match stopped {
            Some(s) => (Some(s.by), s.open),
            None => (None, safety::open_steps(state)),
        };
        self.record(Entry::Cancelled {
            at: chrono::Utc::now(),
            step,
            by,
            left_open,
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
        // The timeout is the engine's own (monotonic, tokio's); the elapsed time it reports is on
        // the session's clock, as the expected duration is (simulated in a demo).
        let started = Instant::now();
        let began = self.read.now();
        let elapsed = || (self.read.now() - began).num_seconds().max(0) as u64;
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
            if let Some(stopped) = self.stop_here(state) {
                return Ok(StepEnd::Cancelled(stopped));
            }
            if started.elapsed() > timeout {
                return Ok(StepEnd::Failed(
                    format!(
                        "{}: timed out after {}s; last seen: {last}",
                        step.title,
                        started.elapsed().as_secs()
                    ),
                    false,
                ));
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
                        elapsed_secs: elapsed(),
                        expected_secs: step.expected_secs,
                    });
                    last = evidence;
                    continue;
                }
                Ok(Seen::Done(out)) => {
                    state.outputs.extend(out.clone());
                    let out_seen = out.clone();
                    self.record(Entry::StepFinished {
                        at: chrono::Utc::now(),
                        step: i,
                        outputs: out,
                    })?;
                    state.finished[i] = true;
                    self.emit(RunEvent::StepFinished {
                        step: i,
                        elapsed_secs: elapsed(),
                        outputs: out_seen,
                    });
                    return Ok(StepEnd::Done);
                }
                Ok(Seen::Pending(detail)) => {
                    self.emit(RunEvent::Waiting {
                        step: i,
                        detail: detail.clone(),
                        elapsed_secs: elapsed(),
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
                            let out_acted = out.clone();
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
                                outputs: out_acted,
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
                        Err(e) => return Ok(failed(step, &e)),
                    }
                }
                Err(e) if e.is_transient() => {
                    self.emit(RunEvent::Retrying {
                        step: i,
                        error: e.to_string(),
                    });
                    last = e.to_string();
                }
                Err(e) => return Ok(failed(step, &e)),
            }
            if self.pause(delay, state).await
                && let Some(stopped) = self.stop_here(state)
            {
                return Ok(StepEnd::Cancelled(stopped));
            }
            delay = (delay.mul_f64(1.5)).min(self.opts.poll_max);
        }
    }
}

enum StepEnd {
    Done,
    Cancelled(Stopped),
    /// Why, and whether the step's resources are gone.
    Failed(String, bool),
}

/// Words a step's resources that are gone start with (`is_gone`), and what a gone step's failure says.
pub const RESOURCES_GONE: &str = "its resources are gone";

/// Whether the cloud answered that something the step needs does not exist (any `…NotFound`: a
/// snapshot, an instance, a target group deleted since the plan, or a resume in another world).
pub fn is_gone(e: &CloudError) -> bool {
    e.kind == ErrorKind::NotFound
}

/// A step that cannot go on: a resource it needs gone is said plainly, so nobody resumes in vain.
fn failed(step: &Step, e: &CloudError) -> StepEnd {
    if is_gone(e) {
        StepEnd::Failed(format!("{}: {RESOURCES_GONE}: {e}", step.title), true)
    } else {
        StepEnd::Failed(format!("{}: {e}", step.title), false)
    }
}

/// A stop the engine honoured: who asked, and the steps it leaves open.
struct Stopped {
    by: String,
    open: Vec<String>,
}
