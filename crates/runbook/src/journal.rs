//! The run journal: one append-only JSON-lines file per run under `<state>/runs/`. Every step start,
//! every API call (before and after, with its request id) and every finish is written and synced
//! before the run goes on, so a killed process or a dropped SSH session can resume exactly.

use super::durable;
use super::plan::Plan;
use super::run_id;
use anyhow::Context;
use opsdeck_core::domain::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub type Outputs = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Entry {
    Started {
        at: Timestamp,
        run_id: String,
        profile: Option<String>,
        checksum: String,
        plan: Plan,
        /// The journal's format: 2 seals every record with a checksum (`durable`); absent in the
        /// unsealed journals of format 1.
        #[serde(default = "format_v1")]
        version: u32,
    },
    StepStarted {
        at: Timestamp,
        step: usize,
    },
    /// About to make the step's mutating call: if nothing follows, resume re-observes first.
    ActStarted {
        at: Timestamp,
        step: usize,
    },
    ActDone {
        at: Timestamp,
        step: usize,
        request_id: Option<String>,
        outputs: Outputs,
    },
    /// The operator checked a step whose call was in doubt and said whether it happened.
    Resolved {
        at: Timestamp,
        step: usize,
        happened: bool,
    },
    StepFinished {
        at: Timestamp,
        step: usize,
        outputs: Outputs,
    },
    StepFailed {
        at: Timestamp,
        step: usize,
        error: String,
        /// The step's resources are gone (the cloud answered NotFound for what it needs): resuming
        /// cannot help; abandon or roll back. Absent in journals written before it (and when false).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        gone: bool,
    },
    /// The run stopped before its end: at `step`, asked `by` someone (`SIGTERM`, `SIGINT`, the
    /// console; none when an approval was declined), leaving the steps `left_open` out of service
    /// (empty: a safe stop). The last two are absent in journals written before them.
    Cancelled {
        at: Timestamp,
        step: Option<usize>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        left_open: Vec<String>,
    },
    Finished {
        at: Timestamp,
        outcome: RunStatus,
    },
}

/// The format this build writes; it reads 1 and 2.
pub const FORMAT: u32 = 2;

fn format_v1() -> u32 {
    1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunStatus {
    /// Started and not finished: resumable.
    Unfinished,
    Done,
    Failed,
    Cancelled,
    Abandoned,
    RolledBack,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Unfinished => "unfinished",
            RunStatus::Done => "done",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
            RunStatus::Abandoned => "abandoned",
            RunStatus::RolledBack => "rolled-back",
        }
    }
    pub fn is_open(self) -> bool {
        matches!(
            self,
            RunStatus::Unfinished | RunStatus::Failed | RunStatus::Cancelled
        )
    }
}

/// What replaying a journal tells: the plan, how far it got, what each step produced.
#[derive(Debug, Clone)]
pub struct RunState {
    pub run_id: String,
    pub profile: Option<String>,
    pub plan: Plan,
    pub started_at: Timestamp,
    pub finished: Vec<bool>,
    /// Steps whose mutating call was made (a `ActDone` was journaled).
    pub acted: Vec<bool>,
    /// Steps whose call started but whose answer was never journaled: re-observe, never repeat blindly.
    pub in_doubt: Vec<bool>,
    pub outputs: Outputs,
    pub status: RunStatus,
    pub last_error: Option<String>,
    /// The run failed because a step's resources are gone (`Entry::StepFailed { gone }`).
    pub resources_gone: bool,
}

impl RunState {
    pub fn next_step(&self) -> Option<usize> {
        self.finished.iter().position(|f| !f)
    }

    /// Unfinished steps whose call was made (or may have been): the run touched them.
    pub fn called_steps(&self) -> Vec<usize> {
        (0..self.finished.len())
            .filter(|&i| !self.finished[i] && (self.acted[i] || self.in_doubt[i]))
            .collect()
    }

    /// The unfinished step whose call may or may not have happened, if any.
    pub fn in_doubt_step(&self) -> Option<usize> {
        (0..self.finished.len()).find(|&i| self.in_doubt[i] && !self.acted[i] && !self.finished[i])
    }
}

#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
}

/// A run taken by this process (`Journal::lock`).
#[derive(Debug)]
pub struct RunLock {
    _file: std::fs::File,
}

impl Journal {
    /// Starts a new run's journal with its plan. The file is new (never one that exists, not even
    /// a link) and private (0600); if its first record cannot be written (a full disk), it is
    /// removed again, so no empty or torn journal is left behind, and the error names it.
    pub fn create(
        dir: &Path,
        run_id: &str,
        profile: Option<String>,
        plan: &Plan,
    ) -> anyhow::Result<Journal> {
        run_id::check(run_id).map_err(anyhow::Error::msg)?;
        durable::private_dir(dir)?;
        let path = dir.join(format!("{run_id}.jsonl"));
        match durable::create_private(&path) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                anyhow::bail!("run {run_id} already has a journal at {}", path.display())
            }
            Err(e) => {
                return Err(e).with_context(|| format!("cannot create journal {}", path.display()));
            }
        }
        let j = Journal { path };
        let first = j.append(&Entry::Started {
            at: chrono::Utc::now(),
            run_id: run_id.to_string(),
            profile,
            checksum: plan.checksum(),
            plan: plan.clone(),
            version: FORMAT,
        });
        if let Err(e) = first {
            let left = match std::fs::remove_file(&j.path) {
                Ok(()) => "removed".to_string(),
                Err(r) => format!("and it could not be removed: {r}"),
            };
            anyhow::bail!(
                "cannot start run {run_id}: its journal {} could not be written: {} ({left})",
                j.path.display(),
                e.root_cause()
            );
        }
        Ok(j)
    }

    /// Opens a journaled run. The id is checked first ([`run_id::check`]): nothing outside the
    /// runs dir is ever opened or created, whatever the id says.
    pub fn open(dir: &Path, run_id: &str) -> anyhow::Result<Journal> {
        run_id::check(run_id).map_err(anyhow::Error::msg)?;
        let path = dir.join(format!("{run_id}.jsonl"));
        if !path.is_file() {
            anyhow::bail!("no run {run_id} (looked for {})", path.display());
        }
        Ok(Journal { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock_path(&self) -> PathBuf {
        self.path.with_extension("lock")
    }

    /// Takes the run for this process: one process at a time drives a run (a console kept alive in
    /// tmux after a dropped SSH link, and a second console, must not both act). Held until dropped;
    /// the OS releases it if the process dies.
    pub fn lock(&self) -> anyhow::Result<RunLock> {
        let path = self.lock_path();
        let f = durable::open_private(&path, true)
            .with_context(|| format!("cannot open {}", path.display()))?;
        match f.try_lock() {
            Ok(()) => Ok(RunLock { _file: f }),
            Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
                "another opsdeck process is driving this run right now; let it finish or stop it there"
            ),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("cannot lock {}", path.display()))
            }
        }
    }

    /// Whether another process drives the run at this moment.
    pub fn is_locked(&self) -> bool {
        self.lock().is_err() && self.lock_path().exists()
    }

    /// Appends one entry, sealed with its checksum, and syncs it to disk before returning. After a
    /// torn tail the entry starts on a fresh line.
    pub fn append(&self, e: &Entry) -> anyhow::Result<()> {
        let json = serde_json::to_vec(e)?;
        let line = durable::seal(&json)?;
        durable::append(&self.path, &line)
            .with_context(|| format!("journal {}", self.path.display()))
    }

    /// Replays the journal. Refuses one whose plan does not match its recorded checksum. A record
    /// torn by a kill (its checksum missing or wrong) never happened: it is skipped, wherever it
    /// is (an append after it starts on a fresh line). An unsealed journal (format 1) reads as it
    /// always did: only its last line may be torn.
    pub fn load(&self) -> anyhow::Result<RunState> {
        let text = std::fs::read(&self.path)
            .with_context(|| format!("cannot read {}", self.path.display()))?;
        let text = String::from_utf8_lossy(&text);
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        let sealed = lines
            .first()
            .is_some_and(|l| matches!(durable::open(l), durable::Line::Sealed(_)));
        // A torn line followed by sealed records is the torn tail an append started afresh after.
        let sealed_after = |n: usize| {
            lines[n + 1..]
                .iter()
                .any(|l| matches!(durable::open(l), durable::Line::Sealed(_)))
        };
        let mut state: Option<RunState> = None;
        for (n, line) in lines.iter().enumerate() {
            let parses = |b: &str| serde_json::from_str::<Entry>(b).is_ok();
            let body = match durable::open(line) {
                durable::Line::Sealed(b) => b,
                durable::Line::Legacy(b) if !sealed && (parses(b) || !sealed_after(n)) => {
                    b.to_string()
                }
                _ if sealed || n + 1 == lines.len() || sealed_after(n) => continue,
                _ => anyhow::bail!(
                    "journal {} line {} is unreadable (cut short in the middle of the file)",
                    self.path.display(),
                    n + 1
                ),
            };
            let entry: Entry = match serde_json::from_str(&body) {
                Ok(e) => e,
                // A torn last line of an unsealed journal (killed mid-write) is ignored.
                Err(_) if !sealed && n + 1 == lines.len() => break,
                Err(e) => anyhow::bail!(
                    "journal {} line {} is unreadable: {e}",
                    self.path.display(),
                    n + 1
                ),
            };
            if let Entry::Started { version, .. } = &entry
                && *version > FORMAT
            {
                anyhow::bail!(
                    "journal {} is format {version}, written by a newer opsdeck (this one reads up to {FORMAT})",
                    self.path.display()
                );
            }
            apply(&mut state, entry)?;
        }
        state.ok_or_else(|| anyhow::anyhow!("journal {} has no start entry", self.path.display()))
    }
}

fn apply(state: &mut Option<RunState>, e: Entry) -> anyhow::Result<()> {
    if let Entry::Started {
        at,
        run_id,
        profile,
        checksum,
        plan,
        ..
    } = e
    {
        if plan.checksum() != checksum {
            anyhow::bail!(
                "run {run_id}: the journaled plan does not match its checksum; refusing to resume it"
            );
        }
        let n = plan.steps.len();
        *state = Some(RunState {
            run_id,
            profile,
            plan,
            started_at: at,
            finished: vec![false; n],
            acted: vec![false; n],
            in_doubt: vec![false; n],
            outputs: Outputs::new(),
            status: RunStatus::Unfinished,
            last_error: None,
            resources_gone: false,
        });
        return Ok(());
    }
    let Some(s) = state.as_mut() else {
        anyhow::bail!("journal does not begin with its start entry")
    };
    let valid = |i: usize| -> anyhow::Result<usize> {
        if i < s.finished.len() {
            Ok(i)
        } else {
            anyhow::bail!("journal names step {i} of a {}-step plan", s.finished.len())
        }
    };
    match e {
        Entry::Started { .. } => {}
        Entry::StepStarted { step, .. } => {
            valid(step)?;
            s.status = RunStatus::Unfinished;
            s.resources_gone = false;
        }
        Entry::ActStarted { step, .. } => s.in_doubt[valid(step)?] = true,
        Entry::ActDone { step, outputs, .. } => {
            let i = valid(step)?;
            s.in_doubt[i] = false;
            s.acted[i] = true;
            s.outputs.extend(outputs);
        }
        Entry::Resolved { step, happened, .. } => {
            let i = valid(step)?;
            s.in_doubt[i] = false;
            s.acted[i] = happened;
        }
        Entry::StepFinished { step, outputs, .. } => {
            let i = valid(step)?;
            s.finished[i] = true;
            s.in_doubt[i] = false;
            s.outputs.extend(outputs);
        }
        Entry::StepFailed { error, gone, .. } => {
            s.status = RunStatus::Failed;
            s.last_error = Some(error);
            s.resources_gone = gone;
        }
        Entry::Cancelled { by, left_open, .. } => {
            s.status = RunStatus::Cancelled;
            // A stop that left something out of service says so wherever the run is listed.
            if !left_open.is_empty() {
                s.last_error = Some(format!(
                    "stopped{} with these steps not put back: {}",
                    by.map(|b| format!(" by {b}")).unwrap_or_default(),
                    left_open.join("; ")
                ));
            }
        }
        Entry::Finished { outcome, .. } => s.status = outcome,
    }
    Ok(())
}

/// Every run in the journal dir, newest first. Unreadable journals are listed with their error.
pub fn list(dir: &Path) -> Vec<Result<RunState, (String, String)>> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut runs: Vec<Result<RunState, (String, String)>> = rd
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "jsonl"))
        .map(|e| {
            let id = e
                .path()
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            Journal { path: e.path() }
                .load()
                .map_err(|err| (id, format!("{err:#}")))
        })
        .collect();
    runs.sort_by(|a, b| match (a, b) {
        (Ok(a), Ok(b)) => b.started_at.cmp(&a.started_at),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(a), Err(b)) => a.0.cmp(&b.0),
    });
    runs
}

/// A new run id: sortable by time, unique.
pub fn new_run_id(runbook: &str) -> String {
    let short = uuid::Uuid::new_v4().simple().to_string();
    format!(
        "{}-{runbook}-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S"),
        &short[..6]
    )
}

#[cfg(test)]
#[path = "journal_tests.rs"]
mod tests;
