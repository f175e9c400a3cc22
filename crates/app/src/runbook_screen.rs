//! The runbook screen's state: a plan, its preflight, the operator's approvals and a run's live
//! progress; the lists that lead to it (`:runbooks`, `:runs`). Data only: its handlers are in
//! `update/runbook.rs` and `update/pickers.rs`.

use crate::runbooks::{Choice, RunSummary, RunbookRequest};
use opsdeck_core::domain::Timestamp;
use opsdeck_runbook::journal::{Outputs, RunStatus};
use opsdeck_runbook::plan::{Action, Plan, resolve_title};
use std::collections::VecDeque;

/// Log lines kept on the screen.
const LOG_LINES: usize = 200;
/// A preflight older than this is run again before `y` starts the plan: guards and permissions
/// hold for the fleet as it is now, not as it was when the plan was shown.
pub const PREFLIGHT_MAX_AGE_SECONDS: i64 = 300;
/// While a run is active the inventory refreshes at least this often (health per AZ follows it).
pub const RUN_REFRESH_SECONDS: i64 = 10;

/// A plan as the runner answers it: from a planner, or from a journal (resume, rollback).
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub plan: Plan,
    /// Resuming: the journaled run and how far it got.
    pub progress: Option<RunProgress>,
}

/// How far a journaled run got.
#[derive(Debug, Clone, PartialEq)]
pub struct RunProgress {
    pub run_id: String,
    pub status: RunStatus,
    pub finished: Vec<bool>,
    /// A call was made (or may have been): resume re-observes before acting again.
    pub touched: Vec<bool>,
    pub last_error: Option<String>,
    /// What its steps produced so far (ids created, addresses moved).
    pub outputs: Outputs,
    /// It failed because a step's resources are gone: resuming cannot help.
    pub resources_gone: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StepState {
    Pending,
    /// Finished by an earlier process of a resumed run.
    Earlier,
    Running {
        since: Timestamp,
    },
    Done {
        secs: u64,
    },
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepView {
    pub state: StepState,
    /// What the step waits for now (or the error it retries).
    pub detail: Option<String>,
    /// Its call was made (this run or an earlier one).
    pub acted: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// The runner is planning (reading what the inventory lacks).
    Planning,
    /// The planner refused: nothing changes.
    Refused(String),
    /// A read-only session can only show the plan.
    ReadOnly,
    Preflight,
    /// The preflight found problems: the plan cannot run as it is.
    Blocked(Vec<String>),
    /// Waiting for the operator's `y`.
    Ready,
    Starting,
    Running,
    Finished(RunStatus),
    /// The run could not start or stopped without an outcome (journal error, task failure).
    Broken(String),
}

/// The runbook on the screen: one at a time, kept while the operator looks elsewhere.
#[derive(Debug, Clone)]
pub struct RunbookUi {
    pub request: RunbookRequest,
    /// Of the latest plan, preflight or run request: older answers are dropped.
    pub generation: u64,
    pub phase: Phase,
    pub plan: Option<Plan>,
    pub steps: Vec<StepView>,
    pub run_id: Option<String>,
    pub resuming: bool,
    /// The engine waits for the operator's approval of this step.
    pub ask: Option<usize>,
    /// What the operator typed to approve a destructive step.
    pub typed: String,
    /// `c` was pressed: `y` confirms the cancel.
    pub confirm_cancel: bool,
    /// When the preflight last passed (console clock).
    pub preflighted_at: Option<Timestamp>,
    /// `a` on a ready plan: every mutating step asks, not only the destructive ones.
    pub approve_each: bool,
    pub cancel_sent: bool,
    pub last_error: Option<String>,
    /// What the run's steps produced (ids created, addresses moved): the outputs block.
    pub outputs: Outputs,
    /// The run failed because a step's resources are gone: abandon or roll back, not resume.
    pub resources_gone: bool,
    pub log: VecDeque<String>,
}

impl RunbookUi {
    pub(crate) fn new(request: RunbookRequest, generation: u64) -> Self {
        RunbookUi {
            request,
            generation,
            phase: Phase::Planning,
            plan: None,
            steps: Vec::new(),
            run_id: None,
            resuming: false,
            ask: None,
            typed: String::new(),
            confirm_cancel: false,
            preflighted_at: None,
            approve_each: false,
            cancel_sent: false,
            last_error: None,
            outputs: Outputs::new(),
            resources_gone: false,
            log: VecDeque::new(),
        }
    }

    /// A run is under way (the engine may act at any moment).
    pub fn active(&self) -> bool {
        matches!(self.phase, Phase::Starting | Phase::Running)
    }

    /// The step the run is on (or stopped at).
    pub fn current(&self) -> Option<usize> {
        self.steps
            .iter()
            .position(|v| matches!(v.state, StepState::Running { .. } | StepState::Failed(_)))
            .or_else(|| {
                self.steps
                    .iter()
                    .position(|v| matches!(v.state, StepState::Pending))
            })
    }

    /// The target groups the plan touches: their health per AZ is what the run must keep.
    pub fn groups(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in self.plan.iter().flat_map(|p| &p.steps) {
            let arn = match &s.action {
                Action::DeregisterTarget {
                    target_group_arn, ..
                }
                | Action::RegisterTarget {
                    target_group_arn, ..
                } => target_group_arn,
                _ => continue,
            };
            if !out.contains(arn) {
                out.push(arn.clone());
            }
        }
        out
    }

    /// The id a step's approval needs typed (destructive steps), if any.
    pub fn confirm_id(&self, step: usize) -> Option<String> {
        self.plan.as_ref()?.steps.get(step)?.action.confirm_id()
    }

    pub(crate) fn log(&mut self, at: Timestamp, text: impl AsRef<str>) {
        if self.log.len() >= LOG_LINES {
            self.log.pop_front();
        }
        self.log
            .push_back(format!("{} {}", at.format("%H:%M:%S"), text.as_ref()));
    }

    /// A step's title, with the outputs known so far in place of their `<name>`.
    pub fn title(&self, step: usize) -> String {
        self.plan
            .as_ref()
            .and_then(|p| p.steps.get(step))
            .map(|s| resolve_title(&s.title, &self.outputs))
            .unwrap_or_default()
    }

    /// The outputs block: each output's name and value, in name order.
    pub fn output_rows(&self) -> Vec<(String, String)> {
        self.outputs
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// A running step past its expected time (on the session's clock `now`): says "overdue", how
    /// long it has run and what it last saw. `None` while it is on time or not running.
    pub fn overdue(&self, step: usize, now: Timestamp) -> Option<String> {
        let expected = self.plan.as_ref()?.steps.get(step)?.expected_secs;
        let view = self.steps.get(step)?;
        let StepState::Running { since } = view.state else {
            return None;
        };
        let secs = (now - since).num_seconds().max(0) as u64;
        (secs > expected).then(|| {
            crate::strings::overdue(
                &to_the_second(secs),
                &opsdeck_core::domain::time::duration_secs(expected as i64),
                view.detail.as_deref(),
            )
        })
    }
}

/// `1m29s`: an elapsed time to the second (an hour or more as `1h02m`).
fn to_the_second(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m{:02}s", secs / 60, secs % 60),
        _ => opsdeck_core::domain::time::duration_secs(secs as i64),
    }
}

/// `:runs`: the journal's runs (read by the runner) and whether they have been read yet.
#[derive(Debug, Clone, Default)]
pub struct RunsState {
    pub list: Vec<RunSummary>,
    pub loaded: bool,
}

impl RunsState {
    /// Unfinished runs other than the one on the runbook screen.
    pub fn open<'a>(&'a self, active: Option<&'a str>) -> impl Iterator<Item = &'a RunSummary> {
        self.list
            .iter()
            .filter(move |r| r.is_open() && Some(r.run_id.as_str()) != active)
    }
}

/// A list to pick from: the runbooks that apply, or the journal's runs.
#[derive(Debug, Clone, Default)]
pub struct ListView {
    pub selected: usize,
    pub offset: usize,
    pub viewport: usize,
    /// Screen row of the first item in the last frame (mouse clicks).
    pub first_y: u16,
}

impl ListView {
    pub fn move_by(&mut self, d: isize, len: usize) {
        let max = len.saturating_sub(1) as isize;
        self.selected = (self.selected as isize)
            .saturating_add(d)
            .clamp(0, max.max(0)) as usize;
        let vp = self.viewport.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + vp {
            self.offset = self.selected + 1 - vp;
        }
    }
}

/// The runbooks offered for something (an instance, a volume, or everything: `:runbooks`).
#[derive(Debug, Clone)]
pub struct Chooser {
    pub title: String,
    pub items: Vec<Choice>,
    pub list: ListView,
}

/// `:runs`, with an abandon waiting for its `y`.
#[derive(Debug, Clone, Default)]
pub struct RunsView {
    pub list: ListView,
    pub confirm_abandon: Option<String>,
}

/// The runbook screen's own scroll (the state itself is `AppState::runbook`).
#[derive(Debug, Clone, Default)]
pub struct RunbookView {
    pub scroll: usize,
    pub viewport: usize,
}
