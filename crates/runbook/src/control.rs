//! What an operator may do with a journaled run — resume it, roll it back, settle a step in doubt —
//! decided here once, for the console and the headless commands alike.

use super::engine;
use super::journal::{self, Entry, Journal, RunState, RunStatus};
use super::plan::{Action, Plan};
use opsdeck_core::cloud::{CloudWrite, WriteCall};
use std::path::Path;
use std::sync::Arc;

/// The run a rollback plan undoes (`engine::rollback_plan` names it in its arguments).
pub fn rolled_back_by(plan: &Plan) -> Option<String> {
    if !plan.runbook.starts_with("rollback-of-") {
        return None;
    }
    plan.args.get("run")?.as_str().map(str::to_string)
}

/// Another profile is another account: a run is driven only where it started.
fn same_profile(state: &RunState, profile: Option<&str>, what: &str) -> Result<(), String> {
    if state.profile.as_deref() == profile {
        return Ok(());
    }
    Err(format!(
        "run {} was started with profile {}; this session uses {}: {what} it there",
        state.run_id,
        state.profile.as_deref().unwrap_or("default"),
        profile.unwrap_or("default")
    ))
}

/// Whether this session (`profile`) may resume the run: not another profile's, not a closed one,
/// and not one whose rollback (journaled in `dir`) is still open — the two would move the same
/// resources in opposite directions.
pub fn check_resume(dir: &Path, state: &RunState, profile: Option<&str>) -> Result<(), String> {
    same_profile(state, profile, "resume")?;
    if !state.status.is_open() {
        return Err(format!(
            "run {} is {}: nothing to resume",
            state.run_id,
            state.status.as_str()
        ));
    }
    if let Some(r) = open_rollback_of(dir, &state.run_id) {
        return Err(format!(
            "run {} is being rolled back by run {} ({}): resume or abandon that one first",
            state.run_id,
            r.run_id,
            r.status.as_str()
        ));
    }
    Ok(())
}

/// A journaled rollback of `run_id` that has not finished.
fn open_rollback_of(dir: &Path, run_id: &str) -> Option<RunState> {
    journal::list(dir)
        .into_iter()
        .flatten()
        .find(|r| r.status.is_open() && rolled_back_by(&r.plan).as_deref() == Some(run_id))
}

/// The plan that undoes a run, or why this session (`profile`) may not roll it back: another
/// profile's run, one already rolled back, a rollback itself (resume it instead of undoing the
/// undo), or one whose rollback is already under way (journaled in `dir`, not finished).
pub fn rollback_of(dir: &Path, state: &RunState, profile: Option<&str>) -> Result<Plan, String> {
    let id = &state.run_id;
    same_profile(state, profile, "roll it back")?;
    if state.status == RunStatus::RolledBack {
        return Err(format!("run {id} is already rolled back"));
    }
    if rolled_back_by(&state.plan).is_some() {
        return Err(format!(
            "run {id} is itself a rollback: resume it instead of undoing the undo"
        ));
    }
    if let Some(r) = open_rollback_of(dir, id) {
        return Err(format!(
            "run {} already rolls back {id} and is {}: resume it (`opsdeck runbook resume {}`)",
            r.run_id,
            r.status.as_str(),
            r.run_id
        ));
    }
    Ok(engine::rollback_plan(state))
}

/// Processes a run suspended on its groups and never resumed, (group, processes) in plan order:
/// a run closed without resuming them would leave a group that does not heal.
pub fn left_suspended(state: &RunState) -> Vec<(String, Vec<String>)> {
    let steps = &state.plan.steps;
    let touched = |j: usize| state.finished[j] || state.acted[j] || state.in_doubt[j];
    steps
        .iter()
        .enumerate()
        .filter_map(|(i, st)| match &st.action {
            Action::SuspendProcesses { group, processes } if touched(i) => {
                let resumed = steps.iter().enumerate().skip(i + 1).any(|(j, s)| {
                    matches!(&s.action, Action::ResumeProcesses { group: g, .. } if g == group)
                        && state.finished[j]
                });
                (!resumed).then(|| (group.clone(), processes.clone()))
            }
            _ => None,
        })
        .collect()
}

/// Members a run put in Standby and never brought back, (group, instance): left there on abandon
/// (the group neither replaces nor counts them), and said.
pub fn left_in_standby(state: &RunState) -> Vec<(String, String)> {
    let steps = &state.plan.steps;
    let touched = |j: usize| state.finished[j] || state.acted[j] || state.in_doubt[j];
    steps
        .iter()
        .enumerate()
        .filter_map(|(i, st)| match &st.action {
            Action::EnterStandby {
                group, instance, ..
            } if touched(i) => {
                let back = steps.iter().enumerate().skip(i + 1).any(|(j, s)| {
                    matches!(&s.action, Action::ExitStandby { instance: m, .. } if m == instance)
                        && state.finished[j]
                });
                (!back).then(|| (group.clone(), instance.clone()))
            }
            _ => None,
        })
        .collect()
}

/// Why a run was not abandoned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AbandonError {
    /// No such run, another process drives it, already closed, another profile's, or processes to
    /// resume without a writer: nothing was changed. Exit code 2.
    #[error("refused: {0}")]
    Refused(String),
    /// A call or the journal failed: the run stays open. Exit code 1.
    #[error("{0}")]
    Failed(String),
}

/// Closes an unfinished run: not one a process drives now, not one already closed. Nothing in the
/// cloud is undone, with one exception: Auto Scaling processes the run suspended are resumed first
/// (through the session's writer for the run's region, audited like any call, and only by the
/// run's own profile), because a group left with them suspended does not heal. Without a writer
/// (read-only), or if a resume fails, the run stays open and the reason is returned. Returns what
/// the operator should know, one line each: what was resumed, and the members left in Standby.
pub async fn abandon(
    j: &Journal,
    run_id: &str,
    profile: Option<&str>,
    writer: &(dyn Fn(&str) -> Option<Arc<dyn CloudWrite>> + Sync),
) -> Result<Vec<String>, AbandonError> {
    let refused = AbandonError::Refused;
    let _lock = j
        .lock()
        .map_err(|e| refused(format!("run {run_id}: {e:#}")))?;
    let state = j.load().map_err(|e| refused(format!("{e:#}")))?;
    if !state.status.is_open() {
        return Err(refused(format!(
            "run {run_id} is {}: nothing to abandon",
            state.status.as_str()
        )));
    }
    let mut said = Vec::new();
    let suspended = left_suspended(&state);
    if !suspended.is_empty() {
        same_profile(&state, profile, "abandon").map_err(refused)?;
    }
    for (group, processes) in suspended {
        let list = processes.join(", ");
        let Some(w) = writer(&state.plan.region) else {
            return Err(refused(format!(
                "run {run_id} left {list} suspended on {group}: closing it here would leave the \
                 group unable to heal; abandon it from a read-write session (which resumes them) \
                 or roll it back"
            )));
        };
        let call = WriteCall::ResumeProcesses {
            group: group.clone(),
            processes,
        };
        w.call(&call, false).await.map_err(|e| {
            AbandonError::Failed(format!(
                "autoscaling:ResumeProcesses on {group} failed ({e}); run {run_id} stays open"
            ))
        })?;
        said.push(format!("resumed {list} on {group}"));
    }
    for (group, instance) in left_in_standby(&state) {
        said.push(format!(
            "{instance} is left in Standby in {group}: bring it back (ExitStandby) when it is ready"
        ));
    }
    j.append(&Entry::Finished {
        at: chrono::Utc::now(),
        outcome: RunStatus::Abandoned,
    })
    .map_err(|e| AbandonError::Failed(format!("{e:#}")))?;
    Ok(said)
}

/// After a run of `plan` is done: if it was a rollback (started as one or resumed), closes the run it
/// undid as rolled back. Returns that run's id.
pub fn close_rolled_back(dir: &Path, plan: &Plan) -> Result<Option<String>, String> {
    let Some(undone) = rolled_back_by(plan) else {
        return Ok(None);
    };
    let j = Journal::open(dir, &undone).map_err(|e| format!("{e:#}"))?;
    j.append(&Entry::Finished {
        at: chrono::Utc::now(),
        outcome: RunStatus::RolledBack,
    })
    .map_err(|e| format!("{e:#}"))?;
    Ok(Some(undone))
}

/// Settles the step whose call is in doubt with what the operator found by checking the cloud:
/// `happened` counts the call as made (the run waits for its effect), otherwise the next resume
/// makes it. Journaled, so it holds for every later resume. Returns the step.
pub fn resolve_in_doubt(
    journal: &Journal,
    state: &mut RunState,
    happened: bool,
) -> Result<usize, String> {
    let Some(step) = state.in_doubt_step() else {
        return Err(format!(
            "no step of run {} is in doubt: nothing to settle",
            state.run_id
        ));
    };
    // Every other call is re-observed on resume (tags, client tokens, read-back state): only a
    // reboot leaves nothing to find, so only it is the operator's to settle.
    if !state.plan.steps[step].action.is_reboot() {
        return Err(format!(
            "step {} of run {} ({}) is checked again by itself on resume: --in-doubt is only for \
             a reboot that left no trace",
            step + 1,
            state.run_id,
            state.plan.steps[step].title
        ));
    }
    journal
        .append(&Entry::Resolved {
            at: chrono::Utc::now(),
            step,
            happened,
        })
        .map_err(|e| format!("{e:#}"))?;
    state.in_doubt[step] = false;
    state.acted[step] = happened;
    Ok(step)
}
