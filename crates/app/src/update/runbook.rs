//! The runbook screen's handlers: opening a runbook, the runner's answers, the screen's own keys.
//!
//! `update` only keeps state and asks for work: the runner plans (reading what the inventory lacks),
//! preflights, journals and runs the engine in the background, and answers with `Msg`s. The engine
//! asks for a destructive step's approval through the runner; the answer leaves as an `Effect`.

use super::common::{edit, status};
use super::refresh::start_fetch;
use crate::keys::{Key, KeyCode};
use crate::msg::{Effect, Msg};
use crate::runbook_screen::{
    PREFLIGHT_MAX_AGE_SECONDS, Phase, Planned, RUN_REFRESH_SECONDS, RunbookUi, RunbookView,
    StepState, StepView,
};
use crate::runbooks::RunbookRequest;
use crate::state::{AppState, Screen, StatusLevel};
use crate::strings::{self, log};
use opsdeck_core::domain::Timestamp;
use opsdeck_runbook::engine::RunEvent;
use opsdeck_runbook::journal::{Outputs, RunStatus};
use std::sync::Arc;

/// Opens a runbook: the runner plans it (or reads its journal) and answers with `Msg::Planned`.
pub(super) fn open(s: &mut AppState, request: RunbookRequest) -> Vec<Effect> {
    if let Some(ui) = &s.runbook
        && ui.active()
    {
        let what = ui
            .plan
            .as_ref()
            .map_or(strings::A_RUNBOOK, |p| p.runbook.as_str());
        status(s, StatusLevel::Warn, strings::one_run_at_a_time(what));
        return Vec::new();
    }
    if s.session.info.is_none() {
        status(s, StatusLevel::Warn, strings::NOT_CONNECTED_YET);
        return Vec::new();
    }
    if s.session.connecting {
        status(s, StatusLevel::Warn, strings::SWITCHING);
        return Vec::new();
    }
    let generation = s.next_gen_id();
    s.runbook = Some(RunbookUi::new(request.clone(), generation));
    show(s);
    vec![Effect::PlanRunbook {
        generation,
        request,
        inv: Arc::clone(&s.data.inv),
    }]
}

/// Puts the runbook screen on top (once).
pub(super) fn show(s: &mut AppState) {
    match s.nav.top() {
        Screen::Runbook(_) => {}
        Screen::Runbooks(_) | Screen::Runs(_) => {
            // The list led here: esc goes back to what was under it.
            s.nav.pop();
            s.nav.push(Screen::Runbook(RunbookView::default()));
        }
        _ => s.nav.push(Screen::Runbook(RunbookView::default())),
    }
    s.dirty = true;
}

// ---------------------------------------------------------------------------------------------
// Answers from the runner

pub(super) fn on_msg(s: &mut AppState, m: Msg) -> Vec<Effect> {
    let now = s.clock;
    match m {
        Msg::Planned { generation, result } => planned(s, generation, result),
        Msg::Preflighted {
            generation,
            problems,
        } => {
            let Some(ui) = current(s, generation) else {
                return Vec::new();
            };
            if ui.phase != Phase::Preflight {
                return Vec::new();
            }
            ui.phase = if problems.is_empty() {
                ui.preflighted_at = Some(now);
                Phase::Ready
            } else {
                Phase::Blocked(problems)
            };
            Vec::new()
        }
        Msg::RunStarted { generation, run_id } => {
            let Some(ui) = current(s, generation) else {
                return Vec::new();
            };
            ui.phase = Phase::Running;
            ui.resources_gone = false;
            if ui.resuming {
                ui.log(now, log::run_resumed(&run_id));
            } else {
                ui.log(now, log::run_started(&run_id));
            }
            ui.run_id = Some(run_id);
            // Health per AZ follows the refreshes: make them frequent while the run lasts.
            let soon = s.wall + chrono::Duration::seconds(RUN_REFRESH_SECONDS);
            if s.data.next_refresh.is_none_or(|t| t > soon) {
                s.data.next_refresh = Some(soon);
            }
            vec![Effect::ListRuns]
        }
        Msg::Run { generation, event } => {
            if let Some(ui) = current(s, generation) {
                on_event(ui, now, event);
            }
            Vec::new()
        }
        Msg::RunAsk { generation, step } => {
            let on_screen = matches!(s.nav.top(), Screen::Runbook(_));
            let Some(ui) = current(s, generation) else {
                return Vec::new();
            };
            if ui.cancel_sent {
                // The operator already cancelled: the run stops before this step.
                return vec![Effect::AnswerStep {
                    generation,
                    step,
                    approve: false,
                }];
            }
            ui.ask = Some(step);
            ui.typed.clear();
            let title = ui.title(step);
            ui.log(now, log::step_waits(step + 1, &title));
            if !on_screen {
                status(
                    s,
                    StatusLevel::Warn,
                    strings::run_waits_for_approval(step + 1),
                );
            }
            Vec::new()
        }
        Msg::RunEnded {
            generation,
            result,
            last_error,
        } => {
            let Some(ui) = current(s, generation) else {
                return Vec::new();
            };
            ui.ask = None;
            ui.confirm_cancel = false;
            let (level, text) = match &result {
                Ok(st) => {
                    ui.phase = Phase::Finished(*st);
                    ui.last_error = last_error.clone();
                    let why = last_error.map(|e| format!(": {e}")).unwrap_or_default();
                    ui.log(now, log::run_ended(st.as_str(), &why));
                    match st {
                        RunStatus::Done => (StatusLevel::Ok, strings::RUN_DONE.to_string()),
                        RunStatus::Failed if ui.resources_gone => {
                            (StatusLevel::Warn, strings::run_ended_gone(&why))
                        }
                        _ => (
                            StatusLevel::Warn,
                            strings::run_ended_open(st.as_str(), &why),
                        ),
                    }
                }
                Err(e) => {
                    ui.phase = Phase::Broken(e.clone());
                    ui.log(now, strings::run_stopped(e));
                    (StatusLevel::Error, strings::run_stopped(e))
                }
            };
            status(s, level, text);
            let mut fx = start_fetch(s);
            fx.push(Effect::ListRuns);
            fx
        }
        Msg::Runs { runs } => {
            s.runs.list = runs;
            s.runs.loaded = true;
            s.dirty = true;
            if let Screen::Runs(v) = s.nav.top_mut() {
                let n = s.runs.list.len();
                v.list.move_by(0, n);
            }
            Vec::new()
        }
        Msg::Abandoned { run_id, result } => {
            match result {
                Ok(said) => status(s, StatusLevel::Ok, strings::run_abandoned(&run_id, &said)),
                Err(e) => status(s, StatusLevel::Error, strings::abandon_failed(&run_id, &e)),
            }
            vec![Effect::ListRuns]
        }
        _ => Vec::new(),
    }
}

/// The runbook state, if `generation` is still its latest request.
fn current(s: &mut AppState, generation: u64) -> Option<&mut RunbookUi> {
    s.dirty = true;
    s.runbook.as_mut().filter(|u| u.generation == generation)
}

fn planned(s: &mut AppState, generation: u64, result: Result<Box<Planned>, String>) -> Vec<Effect> {
    let read_only = s.session.read_only();
    let Some(ui) = current(s, generation) else {
        return Vec::new();
    };
    let p = match result {
        Ok(p) => *p,
        Err(why) => {
            ui.phase = Phase::Refused(why);
            return Vec::new();
        }
    };
    ui.steps = p
        .plan
        .steps
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let done = p.progress.as_ref().is_some_and(|r| r.finished[i]);
            StepView {
                state: if done {
                    StepState::Earlier
                } else {
                    StepState::Pending
                },
                detail: None,
                acted: p.progress.as_ref().is_some_and(|r| r.touched[i]),
            }
        })
        .collect();
    let empty = p.plan.steps.is_empty();
    let plan = p.plan.clone();
    ui.plan = Some(p.plan);
    if let Some(r) = p.progress {
        ui.run_id = Some(r.run_id);
        ui.last_error = r.last_error;
        ui.outputs = r.outputs;
        ui.resources_gone = r.resources_gone;
        ui.resuming = true;
        ui.phase = if read_only {
            Phase::ReadOnly
        } else if r.status.is_open() {
            // A partly done plan is not preflighted again: its done steps would dry-run twice.
            Phase::Ready
        } else {
            Phase::Finished(r.status)
        };
        return Vec::new();
    }
    if read_only {
        ui.phase = Phase::ReadOnly;
        return Vec::new();
    }
    if empty {
        ui.phase = Phase::Finished(RunStatus::Done);
        ui.last_error = Some(strings::NOTHING_TO_DO.into());
        return Vec::new();
    }
    ui.phase = Phase::Preflight;
    vec![Effect::Preflight { generation, plan }]
}

fn on_event(ui: &mut RunbookUi, now: Timestamp, e: RunEvent) {
    let n = ui.steps.len();
    match e {
        // Timed from the engine's start of the step, on the session's clock (as the console's is).
        RunEvent::StepStarted {
            step,
            title,
            at,
            resumed,
            ..
        } if step < n => {
            ui.steps[step].state = StepState::Running { since: at };
            ui.steps[step].detail = None;
            if resumed {
                ui.log(now, log::step_resumed(step + 1, n, &title));
            } else {
                ui.log(now, log::step_started(step + 1, n, &title));
            }
        }
        RunEvent::Waiting { step, detail, .. } if step < n => {
            if ui.steps[step].detail.as_deref() != Some(detail.as_str()) {
                ui.log(now, log::step_waiting(step + 1, &detail));
            }
            ui.steps[step].detail = Some(detail);
        }
        RunEvent::Acted {
            step,
            call,
            request_id,
            outputs,
        } if step < n => {
            ui.steps[step].acted = true;
            ui.log(
                now,
                log::step_called(step + 1, &call, request_id.as_deref()),
            );
            add_outputs(ui, now, step, outputs);
        }
        RunEvent::Retrying { step, error } if step < n => {
            ui.log(now, log::step_retrying(step + 1, &error));
            ui.steps[step].detail = Some(strings::retrying(&error));
        }
        RunEvent::StepFinished {
            step,
            elapsed_secs,
            outputs,
        } if step < n => {
            ui.steps[step].state = StepState::Done { secs: elapsed_secs };
            ui.steps[step].detail = None;
            ui.log(now, log::step_done(step + 1, n, elapsed_secs));
            add_outputs(ui, now, step, outputs);
        }
        RunEvent::StepFailed { step, error, gone } if step < n => {
            ui.steps[step].state = StepState::Failed(error.clone());
            ui.resources_gone = gone;
            ui.log(now, log::step_failed(step + 1, n, &error));
        }
        // `Msg::RunEnded` follows with the same outcome and finishes the phase (and refreshes):
        // one place decides that a run is over.
        _ => {}
    }
}

/// What a step produced joins the outputs block (and the log, once per new value).
fn add_outputs(ui: &mut RunbookUi, now: Timestamp, step: usize, outputs: Outputs) {
    for (k, v) in outputs {
        if ui.outputs.get(&k) != Some(&v) {
            ui.log(now, log::step_output(step + 1, &k, &v));
            ui.outputs.insert(k, v);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Keys

/// The runbook screen's own keys (fixed, like a dialog's); `None` lets the keymap have the key.
pub(super) fn key(s: &mut AppState, key: Key) -> Option<Vec<Effect>> {
    let now = s.clock;
    let ui = s.runbook.as_ref()?;
    let (phase, run_id, request) = (ui.phase.clone(), ui.run_id.clone(), ui.request.clone());
    // A pending cancel prompt owns the next key, even when a step's question arrived meanwhile:
    // the `y` meant for "cancel" must never approve a step.
    if ui.confirm_cancel {
        let ui = s.runbook.as_mut()?;
        ui.confirm_cancel = false;
        if key.code == KeyCode::Char('y') && ui.active() {
            // Asked again, the runner stops it now rather than at its next safe point.
            let again = ui.cancel_sent;
            ui.cancel_sent = true;
            ui.log(
                now,
                if again {
                    strings::STOP_NOW_REQUESTED
                } else {
                    strings::CANCEL_REQUESTED
                },
            );
            return Some(vec![Effect::CancelRun {
                generation: ui.generation,
            }]);
        }
        status(s, StatusLevel::Info, strings::RUN_GOES_ON);
        return Some(Vec::new());
    }
    if let Some(step) = s.runbook.as_ref()?.ask {
        return Some(approval_key(s, step, key));
    }
    let KeyCode::Char(c) = key.code else {
        return None;
    };
    if key.ctrl || key.alt {
        return None;
    }
    match (phase, c) {
        (Phase::Ready, 'y') => Some(start(s)),
        (Phase::Ready, 'a') => {
            let ui = s.runbook.as_mut()?;
            ui.approve_each = !ui.approve_each;
            Some(Vec::new())
        }
        (Phase::ReadOnly, 'y') => {
            status(s, StatusLevel::Warn, strings::READ_ONLY_PLAN);
            Some(Vec::new())
        }
        (Phase::Running | Phase::Starting, 'c') => {
            let ui = s.runbook.as_mut()?;
            ui.confirm_cancel = true;
            Some(Vec::new())
        }
        (Phase::Finished(_) | Phase::Broken(_), 'u') => {
            Some(open(s, RunbookRequest::Rollback { run_id: run_id? }))
        }
        (Phase::Finished(RunStatus::Failed), 'r') if s.runbook.as_ref()?.resources_gone => {
            status(s, StatusLevel::Warn, strings::GONE_NO_RESUME);
            Some(Vec::new())
        }
        (Phase::Finished(st), 'r') if st.is_open() => {
            Some(open(s, RunbookRequest::Resume { run_id: run_id? }))
        }
        (Phase::Refused(_) | Phase::Blocked(_) | Phase::Broken(_), 'r') if run_id.is_none() => {
            Some(open(s, request))
        }
        _ => None,
    }
}

/// Approves the plan: the runner journals it and starts the engine.
fn start(s: &mut AppState) -> Vec<Effect> {
    let generation = s.next_gen_id();
    let now = s.clock;
    let Some(ui) = s.runbook.as_mut() else {
        return Vec::new();
    };
    let Some(plan) = ui.plan.clone() else {
        return Vec::new();
    };
    let stale = ui
        .preflighted_at
        .is_some_and(|t| now - t > chrono::Duration::seconds(PREFLIGHT_MAX_AGE_SECONDS));
    if stale && !ui.resuming {
        ui.generation = generation;
        ui.phase = Phase::Preflight;
        ui.log(now, strings::PREFLIGHT_STALE);
        return vec![Effect::Preflight { generation, plan }];
    }
    ui.generation = generation;
    ui.phase = Phase::Starting;
    ui.cancel_sent = false;
    ui.log(now, log::plan_approved(plan.steps.len()));
    vec![Effect::StartRun {
        generation,
        plan,
        resume: ui.run_id.clone().filter(|_| ui.resuming),
        approve_each: ui.approve_each,
    }]
}

/// The engine waits on a step: a destructive one approves only with its id typed exactly.
fn approval_key(s: &mut AppState, step: usize, key: Key) -> Vec<Effect> {
    let now = s.clock;
    let Some(ui) = s.runbook.as_mut() else {
        return Vec::new();
    };
    let want = ui.confirm_id(step);
    let answer = |ui: &mut RunbookUi, approve: bool| {
        ui.ask = None;
        ui.typed.clear();
        let title = ui.title(step);
        if approve {
            ui.log(now, log::step_approved(step + 1, &title));
        } else {
            ui.log(now, log::step_declined(step + 1));
        }
        vec![Effect::AnswerStep {
            generation: ui.generation,
            step,
            approve,
        }]
    };
    match (key.code, &want) {
        (KeyCode::Esc, _) | (KeyCode::Char('n'), None) => answer(ui, false),
        (KeyCode::Enter, Some(id)) if ui.typed == *id => answer(ui, true),
        // Enter only: the `y` that started the run, typed twice or auto-repeated, must not approve
        // the first step before the operator has read it.
        (KeyCode::Enter, None) => answer(ui, true),
        (KeyCode::Enter, Some(id)) => {
            let id = id.clone();
            status(s, StatusLevel::Warn, strings::type_id_to_approve(&id));
            Vec::new()
        }
        (_, Some(_)) => {
            edit(&mut ui.typed, key);
            Vec::new()
        }
        _ => Vec::new(),
    }
}
