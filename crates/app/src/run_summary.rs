//! One journaled run as `:runs` and the banners show it: status, steps done and touched, outputs.

use crate::strings;
use opsdeck_core::domain::Timestamp;
use opsdeck_runbook::journal::{RunState, RunStatus};

/// One journaled run, as `:runs` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub run_id: String,
    pub runbook: String,
    pub region: String,
    /// `None`: the journal could not be read (`note` says why).
    pub status: Option<RunStatus>,
    pub done: usize,
    pub steps: usize,
    pub started_at: Option<Timestamp>,
    /// The last error, or why the journal is unreadable.
    pub note: Option<String>,
    /// Unfinished steps whose call was made (or may have been), numbered from 1: touched.
    pub called: Vec<usize>,
    /// What its steps produced (ids created, addresses moved), in name order.
    pub outputs: Vec<(String, String)>,
    /// It failed because a step's resources are gone: abandon or roll back, not resume.
    pub resources_gone: bool,
}

impl RunSummary {
    pub fn of(r: &Result<RunState, (String, String)>) -> RunSummary {
        match r {
            Ok(s) => RunSummary {
                run_id: s.run_id.clone(),
                runbook: s.plan.runbook.clone(),
                region: s.plan.region.clone(),
                status: Some(s.status),
                done: s.finished.iter().filter(|f| **f).count(),
                steps: s.plan.steps.len(),
                started_at: Some(s.started_at),
                note: s.last_error.clone(),
                called: s.called_steps().into_iter().map(|i| i + 1).collect(),
                outputs: s
                    .outputs
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                resources_gone: s.resources_gone,
            },
            Err((id, e)) => RunSummary {
                run_id: id.clone(),
                runbook: String::new(),
                region: String::new(),
                status: None,
                done: 0,
                steps: 0,
                started_at: None,
                note: Some(strings::unreadable(e)),
                called: Vec::new(),
                outputs: Vec::new(),
                resources_gone: false,
            },
        }
    }

    /// Unfinished, failed or cancelled: it can be resumed, rolled back or abandoned.
    pub fn is_open(&self) -> bool {
        self.status.is_some_and(RunStatus::is_open)
    }

    pub fn status_text(&self) -> &'static str {
        self.status.map_or(strings::UNREADABLE, RunStatus::as_str)
    }

    /// `1/5`, or `1/5 (step 2 called)` when an unfinished step's call was made: what it touched.
    pub fn steps_text(&self) -> String {
        strings::steps_done(self.done, self.steps, &self.called)
    }

    /// `step 2 called` (the unfinished steps it touched), empty when none.
    pub fn called_text(&self) -> String {
        strings::steps_called(&self.called)
    }

    /// Its outputs in one line (`image ami-1 · replacement i-2`), empty when none.
    pub fn outputs_text(&self) -> String {
        strings::outputs_line(&self.outputs)
    }
}
