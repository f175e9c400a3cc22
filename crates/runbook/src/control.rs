//! What an operator may do with a journaled run — resume it, roll it back, settle a step in doubt —
//! decided here once, for the console and the headless commands alike.

use super::engine;
use super::journal::{self, Entry, Journal, RunState, RunStatus};
use super::plan::Plan;
use std::path::Path;

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

/// Closes an unfinished run in its journal without touching the cloud: not one a process drives
/// now, not one already closed.
pub fn abandon(j: &Journal, run_id: &str) -> Result<(), String> {
    let _lock = j.lock().map_err(|e| format!("run {run_id}: {e:#}"))?;
    let state = j.load().map_err(|e| format!("{e:#}"))?;
    if !state.status.is_open() {
        return Err(format!(
            "run {run_id} is {}: nothing to abandon",
            state.status.as_str()
        ));
    }
    j.append(&Entry::Finished {
        at: chrono::Utc::now(),
        outcome: RunStatus::Abandoned,
    })
    .map_err(|e| format!("{e:#}"))
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
