//! One run's lifecycle, the same for the console and the headless commands: resolve what to run (a
//! new plan, a journaled run to resume, or the rollback of one) and take its locks; ask for the
//! plan's approval; journal it (only once approved: a declined plan leaves nothing behind); run it;
//! close the run a finished rollback undid.
//!
//! The callers differ only in how they ask (a terminal prompt, `--yes`, the console's dialog) and
//! where progress goes (printed lines, the console's run screen): both are passed in as [`Drive`].

use super::control;
use super::engine::{Approval, Approver, EngineOptions, RunEvent, Runner, Stop};
use super::journal::{self, Journal, RunLock, RunState, RunStatus};
use super::lease_keys::lease_keys;
use super::plan::Plan;
use opsdeck_core::cloud::{CloudRead, CloudWrite, Holder, LeaseGuard, Leases};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

/// What to run.
#[derive(Debug, Clone)]
pub enum Start {
    /// A freshly planned run.
    New(Plan),
    /// A journaled run, from its first unfinished step.
    Resume {
        run_id: String,
        /// The operator checked the step whose call is in doubt: did it happen? (`--in-doubt`)
        settle: Option<bool>,
        /// The plan the operator was shown (the console): refused if the journal changed since.
        shown: Option<Plan>,
    },
    /// Undo what a journaled run did, as a new run of its own.
    Rollback { run_id: String },
}

/// Why a run did not start or did not finish.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LaunchError {
    /// A rule or the operator's input says no (another process holds it, another profile's run,
    /// already closed, a changed journal...): nothing was changed. Exit code 2.
    #[error("refused: {0}")]
    Refused(String),
    /// Something failed (a journal that cannot be read or written): exit code 1.
    #[error("{0}")]
    Failed(String),
}

impl LaunchError {
    /// The plain reason, without the `refused:` prefix.
    pub fn reason(&self) -> &str {
        match self {
            LaunchError::Refused(r) | LaunchError::Failed(r) => r,
        }
    }
}

fn failed(e: anyhow::Error) -> LaunchError {
    LaunchError::Failed(format!("{e:#}"))
}

/// A run resolved and locked, not yet approved or journaled (for a new run or a rollback).
pub struct Ready {
    /// What will run.
    pub plan: Plan,
    /// A resumed run's journal replayed: what is done already.
    pub progress: Option<RunState>,
    /// The step the operator settled (`Start::Resume { settle }`), if any.
    pub settled: Option<usize>,
    dir: PathBuf,
    profile: Option<String>,
    journal: Option<Journal>,
    /// The resumed run's own lock, or for a rollback the lock of the run it undoes (nobody resumes
    /// what is being undone). Held until the run ends.
    locks: Vec<RunLock>,
}

/// Resolves `start` against the runs journaled in `dir` for a session of `profile`, and takes the
/// locks the run holds for its life. Nothing is written unless a step in doubt is settled.
pub fn prepare(dir: &Path, profile: Option<&str>, start: Start) -> Result<Ready, LaunchError> {
    let base = |plan: Plan| Ready {
        plan,
        progress: None,
        settled: None,
        dir: dir.to_path_buf(),
        profile: profile.map(str::to_string),
        journal: None,
        locks: Vec::new(),
    };
    match start {
        Start::New(plan) => Ok(base(plan)),
        Start::Resume {
            run_id,
            settle,
            shown,
        } => {
            let (j, lock) = open_locked(dir, &run_id)?;
            let mut state = j.load().map_err(failed)?;
            control::check_resume(dir, &state, profile).map_err(LaunchError::Refused)?;
            if shown.as_ref().is_some_and(|p| *p != state.plan) {
                return Err(LaunchError::Refused(format!(
                    "run {run_id}'s journal changed since it was shown: open it again"
                )));
            }
            let settled = match settle {
                Some(happened) => Some(
                    control::resolve_in_doubt(&j, &mut state, happened)
                        .map_err(LaunchError::Refused)?,
                ),
                None => None,
            };
            let mut ready = base(state.plan.clone());
            ready.settled = settled;
            ready.progress = Some(state);
            ready.journal = Some(j);
            ready.locks.push(lock);
            Ok(ready)
        }
        Start::Rollback { run_id } => {
            let (j, lock) = open_locked(dir, &run_id)?;
            let state = j.load().map_err(failed)?;
            let plan = control::rollback_of(dir, &state, profile).map_err(LaunchError::Refused)?;
            let mut ready = base(plan);
            ready.locks.push(lock);
            Ok(ready)
        }
    }
}

/// Opens a journaled run and takes it for this process.
fn open_locked(dir: &Path, run_id: &str) -> Result<(Journal, RunLock), LaunchError> {
    let j = Journal::open(dir, run_id).map_err(|e| LaunchError::Refused(format!("{e:#}")))?;
    let lock = j
        .lock()
        .map_err(|e| LaunchError::Refused(format!("run {run_id}: {e:#}")))?;
    Ok((j, lock))
}

/// Told a new run's id and journal path.
pub type OnJournaled = Box<dyn FnOnce(&str, &Path) + Send>;

/// How a run is driven: its ports, who approves, where progress goes, how it is cancelled.
pub struct Drive {
    pub read: Arc<dyn CloudRead>,
    pub write: Arc<dyn CloudWrite>,
    /// Where the run's leases are taken (`None`: none, for tests of the engine alone).
    pub leases: Option<Arc<dyn Leases>>,
    pub approver: Arc<dyn Approver>,
    pub events: Option<mpsc::UnboundedSender<RunEvent>>,
    pub cancel: watch::Receiver<Stop>,
    pub opts: EngineOptions,
    /// Told the run id and journal path once the run is journaled (before its first step).
    pub on_journaled: Option<OnJournaled>,
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct Ended {
    /// `None` when the plan was declined: nothing was journaled.
    pub run_id: Option<String>,
    pub status: RunStatus,
    pub state: Option<RunState>,
    pub last_error: Option<String>,
    /// The run a finished rollback closed as rolled back.
    pub closed: Option<String>,
}

impl Ended {
    fn declined() -> Self {
        Ended {
            run_id: None,
            status: RunStatus::Cancelled,
            state: None,
            last_error: None,
            closed: None,
        }
    }

    /// Declined before anything was journaled or changed.
    pub fn was_declined(&self) -> bool {
        self.run_id.is_none()
    }
}

impl Ready {
    /// Asks for the plan's approval, journals the run once approved, runs it to its end (or to a
    /// cancel or failure, journaled), then closes what a finished rollback undid.
    pub async fn run(self, drive: Drive) -> Result<Ended, LaunchError> {
        let Ready {
            plan,
            progress,
            dir,
            profile,
            journal,
            locks,
            ..
        } = self;
        if drive.approver.approve_plan(&plan).await == Approval::Cancel {
            return Ok(Ended::declined());
        }
        let run_id = match &progress {
            Some(p) => p.run_id.clone(),
            None => journal::new_run_id(&plan.runbook),
        };
        // Before anything is journaled or changed: every resource and capacity pool the plan
        // touches, for the run's life. Another run holding one refuses this one, naming it.
        let _leases = match &drive.leases {
            Some(store) => {
                Some(take_leases(store.as_ref(), drive.read.as_ref(), &plan, &run_id).await?)
            }
            None => None,
        };
        let (journal, mut state, _locks) = match (journal, progress) {
            (Some(j), Some(state)) => (j, state, locks),
            _ => {
                let id = run_id.clone();
                let j = Journal::create(&dir, &id, profile, &plan).map_err(failed)?;
                let mut locks = locks;
                locks.push(j.lock().map_err(failed)?);
                let state = j.load().map_err(failed)?;
                (j, state, locks)
            }
        };
        if let Some(tell) = drive.on_journaled {
            tell(&state.run_id, journal.path());
        }
        let runner = Runner {
            read: drive.read,
            write: drive.write,
            journal,
            approver: drive.approver,
            events: drive.events,
            cancel: drive.cancel,
            opts: drive.opts,
            kill_after: None,
        };
        let status = runner
            .run(&mut state)
            .await
            .map_err(|e| LaunchError::Failed(e.to_string()))?;
        // Every event is sent before the end is reported.
        drop(runner);
        let closed = if status == RunStatus::Done {
            control::close_rolled_back(&dir, &state.plan).map_err(LaunchError::Failed)?
        } else {
            None
        };
        Ok(Ended {
            run_id: Some(state.run_id.clone()),
            status,
            last_error: state.last_error.clone(),
            state: Some(state),
            closed,
        })
    }
}

/// This process, for a lease's holder record.
fn holder(run_id: &str, runbook: &str) -> Holder {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    Holder {
        run_id: run_id.to_string(),
        runbook: runbook.to_string(),
        host,
        pid: std::process::id(),
        since: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }
}

async fn take_leases(
    store: &dyn Leases,
    read: &dyn CloudRead,
    plan: &Plan,
    run_id: &str,
) -> Result<Box<dyn LeaseGuard>, LaunchError> {
    let keys = lease_keys(read, plan).await.map_err(|e| {
        LaunchError::Failed(format!("cannot read what the run's leases cover: {e}"))
    })?;
    store
        .acquire(&keys, &holder(run_id, &plan.runbook))
        .await
        .map_err(|e| match e {
            opsdeck_core::cloud::LeaseError::Store { .. } => LaunchError::Failed(e.to_string()),
            held => LaunchError::Refused(format!(
                "{held}: two runs must not take capacity from the same pool at once"
            )),
        })
}
