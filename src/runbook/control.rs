//! What an operator may do with a journaled run — resume it, roll it back, settle a step in doubt —
//! decided here once, for the console and the headless commands alike.

use super::journal::{Entry, Journal, RunState};

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
