//! The runbook work behind the console, as tasks: plan (reading what the inventory lacks, or a
//! journal), preflight, and runs of the engine — journaled and audited exactly as headless — with an
//! approver that asks the operator through the loop and waits for the answer without blocking it.

use super::channel::LoopMsg;
use crate::session::Session;
use async_trait::async_trait;
use opsdeck_app::msg::Msg;
use opsdeck_app::runbook_screen::{Planned, RunProgress};
use opsdeck_app::runbooks::{self, RunSummary, RunbookRequest};
use opsdeck_core::domain::Inventory;
use opsdeck_runbook::control;
use opsdeck_runbook::engine::{self, Approval, ApprovalMode, Approver, EngineOptions, Stop};
use opsdeck_runbook::journal::{self, Journal, RunState, RunStatus};
use opsdeck_runbook::launch::{self, Drive, Start};
use opsdeck_runbook::leases::LocalLeases;
use opsdeck_runbook::plan::{Plan, Step};
use opsdeck_runbook::rolling;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::{oneshot, watch};

/// Approvals the engine waits for, by step.
type Asks = Arc<Mutex<HashMap<usize, oneshot::Sender<Approval>>>>;

/// The approver's side of `RunHandle`: the questions waiting, and whether anyone can answer.
struct Waits {
    asks: Asks,
    unattended: Arc<AtomicBool>,
}

/// What the runner keeps of a run in progress: how to cancel it and answer its questions.
pub struct RunHandle {
    cancel: watch::Sender<Stop>,
    asks: Asks,
    /// Nobody is at the console any more (its terminal hung up): questions are declined.
    unattended: Arc<AtomicBool>,
}

impl RunHandle {
    /// The engine is gone (the run ended): nothing to cancel or answer any more.
    pub fn finished(&self) -> bool {
        self.cancel.is_closed()
    }

    pub fn answer(&self, step: usize, approve: bool) {
        let waiting = self
            .asks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&step);
        if let Some(tx) = waiting {
            let _ = tx.send(if approve {
                Approval::Approve
            } else {
                Approval::Cancel
            });
        }
    }

    /// The terminal is gone (a dropped SSH session): the run goes on with what the operator
    /// approved, and stops (declined, journaled) at the first step that would need a new approval.
    pub fn go_unattended(&self) {
        self.unattended.store(true, Ordering::SeqCst);
        let waiting: Vec<_> = self
            .asks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain()
            .collect();
        for (_, tx) in waiting {
            let _ = tx.send(Approval::Cancel);
        }
    }

    /// Stops the run where nothing is left out of service (the current instance rejoins first);
    /// asked again, at its next poll whatever it leaves open. A question it waits on is answered
    /// "no". `by` is who asked, for the journal.
    pub fn cancel(&self, by: &str) {
        self.cancel.send_modify(|s| *s = s.escalate(by));
        let waiting: Vec<_> = self
            .asks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain()
            .collect();
        for (_, tx) in waiting {
            let _ = tx.send(Approval::Cancel);
        }
    }
}

/// Asks the operator through the loop. The plan itself was approved on the screen (`y`) before
/// the run was started, so only steps ask.
struct UiApprover {
    generation: u64,
    tx: UnboundedSender<LoopMsg>,
    asks: Asks,
    /// The run's cancel signal: a question asked after a cancel is answered "no" at once.
    cancel: watch::Receiver<Stop>,
    unattended: Arc<AtomicBool>,
}

#[async_trait]
impl Approver for UiApprover {
    async fn approve_plan(&self, _: &Plan) -> Approval {
        Approval::Approve
    }

    async fn approve_step(&self, index: usize, _: &Step) -> Approval {
        if self.cancel.borrow().requested() || self.unattended.load(Ordering::SeqCst) {
            return Approval::Cancel;
        }
        let (tx, rx) = oneshot::channel();
        self.asks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(index, tx);
        let _ = self.tx.send(LoopMsg::App(Msg::RunAsk {
            generation: self.generation,
            step: index,
        }));
        // A console that goes away without answering never approves anything, and a cancel
        // that raced the question (after `cancel()` drained the others) answers it.
        let mut cancel = self.cancel.clone();
        tokio::select! {
            answer = rx => answer.unwrap_or(Approval::Cancel),
            _ = cancel.wait_for(Stop::requested) => Approval::Cancel,
        }
    }
}

fn progress(s: &RunState) -> RunProgress {
    RunProgress {
        run_id: s.run_id.clone(),
        status: s.status,
        finished: s.finished.clone(),
        touched: (0..s.finished.len())
            .map(|i| s.acted[i] || s.in_doubt[i])
            .collect(),
        last_error: s.last_error.clone(),
        outputs: s.outputs.clone(),
        resources_gone: s.resources_gone,
    }
}

/// Plans a request: from the journal (resume, rollback: resolved as the run would be, locks
/// included, then let go) or with its planner over `inv`, after reading the target groups'
/// deregistration delays and health checks (rolling maintenance).
pub async fn plan(
    session: Arc<Session>,
    dir: PathBuf,
    request: RunbookRequest,
    inv: Arc<Inventory>,
) -> Result<Planned, String> {
    let profile = session.profile.as_deref();
    match &request {
        RunbookRequest::Resume { run_id } => {
            let start = Start::Resume {
                run_id: run_id.clone(),
                settle: None,
                shown: None,
            };
            let ready =
                launch::prepare(&dir, profile, start).map_err(|e| e.reason().to_string())?;
            Ok(Planned {
                progress: ready.progress.as_ref().map(progress),
                plan: ready.plan,
            })
        }
        RunbookRequest::Rollback { run_id } => {
            let start = Start::Rollback {
                run_id: run_id.clone(),
            };
            let ready =
                launch::prepare(&dir, profile, start).map_err(|e| e.reason().to_string())?;
            Ok(Planned {
                plan: ready.plan,
                progress: None,
            })
        }
        other => {
            let region = other.region().unwrap_or_default();
            // Refused only for what this runbook needs; what it could not check is noted.
            let unchecked = opsdeck_runbook::reads::check(&inv, region, other.runbook())?;
            let details = match (
                other,
                session.readers().iter().find(|r| r.region() == region),
            ) {
                (RunbookRequest::Rolling { instances, .. }, Some(read)) => {
                    let args = runbooks::rolling_args(instances);
                    rolling::group_details(read.as_ref(), &inv, region, &args).await
                }
                _ => rolling::GroupDetails::new(),
            };
            let mut plan = runbooks::plan(other, &inv, &details, session.now())?;
            plan.notes.extend(unchecked);
            Ok(Planned {
                plan,
                progress: None,
            })
        }
    }
}

/// DryRun every mutating step and evaluate the guards, in plain words ("step 3: …").
pub async fn preflight(session: Arc<Session>, plan: Plan) -> Vec<String> {
    let Some((read, write)) = session.ports_for(&plan.region) else {
        return vec![format!(
            "this session cannot write in {}: a runbook can only show its plan",
            plan.region
        )];
    };
    engine::preflight(read.as_ref(), write.as_ref(), &plan, plan.floor())
        .await
        .into_iter()
        .map(|p| {
            let at = p
                .step
                .map(|s| format!("step {}: ", s + 1))
                .unwrap_or_default();
            format!("{at}{}", p.message)
        })
        .collect()
}

/// Everything a run needs to start.
pub struct RunSpec {
    pub generation: u64,
    pub plan: Plan,
    pub resume: Option<String>,
    /// Every mutating step asks (`ApprovalMode::PerStep`), not only the destructive ones.
    pub approve_each: bool,
}

/// Where a run is journaled and takes its leases.
pub struct Dirs {
    pub runs: PathBuf,
    pub leases: PathBuf,
}

/// A run about to start: its handle for the runner, and the task that runs it.
pub fn start(
    session: Arc<Session>,
    dirs: Dirs,
    tx: UnboundedSender<LoopMsg>,
    spec: RunSpec,
) -> (
    RunHandle,
    impl std::future::Future<Output = ()> + Send + 'static,
) {
    let (cancel, cancel_rx) = watch::channel(Stop::Go);
    let asks: Asks = Arc::default();
    let unattended = Arc::new(AtomicBool::new(false));
    let handle = RunHandle {
        cancel,
        asks: Arc::clone(&asks),
        unattended: Arc::clone(&unattended),
    };
    let waits = Waits { asks, unattended };
    let task = async move {
        let generation = spec.generation;
        let (result, last_error) =
            match run(session, &dirs, tx.clone(), spec, cancel_rx, waits).await {
                Ok((status, last_error)) => (Ok(status), last_error),
                Err(e) => (Err(e), None),
            };
        let _ = tx.send(LoopMsg::App(Msg::RunEnded {
            generation,
            result,
            last_error,
        }));
    };
    (handle, task)
}

/// What the console asked to start, as the lifecycle sees it: a resume of the run shown, the
/// rollback a plan undoes (its original held locked while it runs), or a new run.
fn start_of(plan: &Plan, resume: Option<String>) -> Start {
    match (resume, control::rolled_back_by(plan)) {
        (Some(run_id), _) => Start::Resume {
            run_id,
            settle: None,
            shown: Some(plan.clone()),
        },
        (None, Some(run_id)) => Start::Rollback { run_id },
        (None, None) => Start::New(plan.clone()),
    }
}

async fn run(
    session: Arc<Session>,
    dirs: &Dirs,
    tx: UnboundedSender<LoopMsg>,
    spec: RunSpec,
    cancel: watch::Receiver<Stop>,
    waits: Waits,
) -> Result<(RunStatus, Option<String>), String> {
    let Waits { asks, unattended } = waits;
    let RunSpec {
        generation,
        plan,
        resume,
        approve_each,
    } = spec;
    let Some((read, write)) = session.ports_for(&plan.region) else {
        return Err(format!(
            "this session cannot write in {}: a runbook can only show its plan",
            plan.region
        ));
    };
    let ready = launch::prepare(
        &dirs.runs,
        session.profile.as_deref(),
        start_of(&plan, resume),
    )
    .map_err(|e| e.reason().to_string())?;
    if ready.plan != plan {
        return Err("the run's journal changed since its plan was shown: open it again".into());
    }
    // The audit log names who acted, as STS says (the refresh may not have answered yet).
    if let Ok(id) = read.identity().await {
        session.note_identity(&id.arn);
    }
    let (events, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let forward_tx = tx.clone();
    let forward = tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            let _ = forward_tx.send(LoopMsg::App(Msg::Run { generation, event }));
        }
    });
    let started_tx = tx.clone();
    let drive = Drive {
        read,
        write,
        leases: Some(Arc::new(LocalLeases::new(&dirs.leases))),
        approver: Arc::new(UiApprover {
            generation,
            tx,
            asks,
            cancel: cancel.clone(),
            unattended,
        }),
        events: Some(events),
        cancel,
        opts: EngineOptions {
            floor: plan.floor(),
            approval: if approve_each {
                ApprovalMode::PerStep
            } else {
                ApprovalMode::Once
            },
            ..EngineOptions::default()
        },
        on_journaled: Some(Box::new(move |run_id: &str, _: &Path| {
            let _ = started_tx.send(LoopMsg::App(Msg::RunStarted {
                generation,
                run_id: run_id.to_string(),
            }));
        })),
    };
    let outcome = ready.run(drive).await;
    // Every event reaches the loop before the end does.
    let _ = forward.await;
    let ended = outcome.map_err(|e| e.reason().to_string())?;
    Ok((ended.status, ended.last_error))
}

/// The journal's runs, newest first (unreadable ones listed with why).
pub fn list(dir: &Path) -> Vec<RunSummary> {
    journal::list(dir)
        .iter()
        .map(|r| {
            let mut sum = RunSummary::of(r);
            let live = sum.status.is_some_and(RunStatus::is_open)
                && Journal::open(dir, &sum.run_id).is_ok_and(|j| j.is_locked());
            if live {
                sum.note = Some("running now (a process holds it)".into());
            }
            sum
        })
        .collect()
}

/// Closes an unfinished run, as `opsdeck runbook abandon` does: nothing is undone, except the Auto
/// Scaling processes it left suspended, resumed with this session's writer (`control::abandon`).
pub async fn abandon(
    dir: &Path,
    run_id: &str,
    session: Option<Arc<Session>>,
) -> Result<Vec<String>, String> {
    let j = Journal::open(dir, run_id).map_err(|e| format!("{e:#}"))?;
    let profile = session.as_ref().and_then(|s| s.profile.clone());
    let writer = |region: &str| session.as_ref().and_then(|s| s.writer_for(region));
    control::abandon(&j, run_id, profile.as_deref(), &writer)
        .await
        .map_err(|e| e.to_string())
}
