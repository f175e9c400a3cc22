//! The two lists that lead to the runbook screen: the runbooks that apply (to an instance, a volume,
//! or `:runbooks` for everything) and the journal's runs (`:runs`: resume, roll back, abandon).

use super::common::status;
use super::runbook as screen;
use super::select::{selected_instance, selected_target};
use crate::keys::{Key, KeyCode};
use crate::msg::Effect;
use crate::resources::{CellCtx, ResourceKind};
use crate::runbook_screen::{Chooser, ListView, RunsView};
use crate::runbooks::{self, Choice, RunbookRequest};
use crate::state::{AppState, Screen, StatusLevel};
use crate::strings;

/// `r` (the runbook key): the runbooks for what is selected; a finding goes straight to its fix.
pub(super) fn for_selection(s: &mut AppState) -> Vec<Effect> {
    if let Screen::AzMap(m) = s.nav.top() {
        return for_zone(s, m.columns.get(m.selected).map(|c| c.az.clone()));
    }
    let Some((kind, key)) = selected_target(s) else {
        return catalog(s);
    };
    let ctx = s.data.ctx(s.clock);
    match kind {
        ResourceKind::Findings => {
            let Some(f) = kind.find_row(&ctx, &key).map(|r| &ctx.findings()[r]) else {
                return Vec::new();
            };
            let request = f
                .fix
                .as_deref()
                .and_then(|fix| RunbookRequest::from_fix(fix, &f.region));
            match request {
                Some(r) => screen::open(s, r),
                None => {
                    let kind = f.kind.as_str();
                    status(s, StatusLevel::Info, strings::no_runbook_fixes(kind));
                    Vec::new()
                }
            }
        }
        ResourceKind::AutoScalingGroups => {
            let items = runbooks::for_group(&s.data.inv, &key);
            choose(s, strings::runbooks_for_group(&key), items)
        }
        ResourceKind::Volumes => {
            let id = kind
                .find_row(&ctx, &key)
                .map(|r| kind.row_id(&ctx, r))
                .unwrap_or(key);
            let items = runbooks::for_volume(&s.data.inv, &id);
            choose(s, strings::runbooks_for_volume(&id), items)
        }
        _ => match selected_instance(s) {
            Some(id) => {
                let items = runbooks::for_instance(&s.data.inv, &id, s.clock);
                choose(s, strings::runbooks_for_instance(&id), items)
            }
            None => catalog(s),
        },
    }
}

/// `r` on the AZ map: the runbooks that fix the selected zone's findings (its "Findings" section).
fn for_zone(s: &mut AppState, az: Option<String>) -> Vec<Effect> {
    let Some(az) = az else {
        return catalog(s);
    };
    let inv = &s.data.inv;
    let here = s
        .data
        .index
        .findings
        .iter()
        .filter(|f| crate::findings::zones_of(inv, f).contains(&az));
    let items = runbooks::fixes(here);
    choose(s, strings::runbooks_for_zone(&az), items)
}

/// `:runbooks`: the runbook on the screen (if any), what can run now, and where the rest start.
pub(super) fn catalog(s: &mut AppState) -> Vec<Effect> {
    let mut items = Vec::new();
    if let Some(ui) = &s.runbook {
        let what = ui
            .plan
            .as_ref()
            .map_or(ui.request.runbook(), |p| p.runbook.as_str());
        items.push(Choice {
            label: strings::back_to(what),
            detail: strings::BACK_TO_RUNBOOK.into(),
            request: None,
        });
    }
    let found = &s.data.index.findings;
    items.extend(runbooks::catalog(&s.data.inv, found));
    choose(s, strings::RUNBOOKS.into(), items)
}

fn choose(s: &mut AppState, title: String, items: Vec<Choice>) -> Vec<Effect> {
    if items.is_empty() {
        status(s, StatusLevel::Info, strings::NOTHING_TO_OFFER);
        return Vec::new();
    }
    s.nav.push(Screen::Runbooks(Chooser {
        title,
        items,
        list: ListView::default(),
    }));
    Vec::new()
}

/// `enter` on a list: plan the chosen runbook, or open the chosen run.
pub(super) fn enter(s: &mut AppState) -> Vec<Effect> {
    match s.nav.top().clone() {
        Screen::Runbooks(c) => {
            let Some(item) = c.items.get(c.list.selected) else {
                return Vec::new();
            };
            match &item.request {
                Some(r) => screen::open(s, r.clone()),
                None if item.label.starts_with(strings::BACK_MARK) => {
                    screen::show(s);
                    Vec::new()
                }
                None if item.label == strings::RUNS_LABEL => runs(s),
                None => {
                    status(s, StatusLevel::Info, item.detail.clone());
                    Vec::new()
                }
            }
        }
        Screen::Runs(v) => match s.runs.list.get(v.list.selected) {
            Some(r) if r.status.is_some() => {
                let run_id = r.run_id.clone();
                screen::open(s, RunbookRequest::Resume { run_id })
            }
            Some(r) => {
                let note = r.note.clone().unwrap_or_default();
                status(s, StatusLevel::Error, note);
                Vec::new()
            }
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// `:runs`: reads the journal again (another process may have run something meanwhile).
pub(super) fn runs(s: &mut AppState) -> Vec<Effect> {
    if !matches!(s.nav.top(), Screen::Runs(_)) {
        s.nav.push(Screen::Runs(RunsView::default()));
    }
    vec![Effect::ListRuns]
}

/// `:runs`' own keys: `u` rolls back, `a` abandons (after `y`). `None` lets the keymap have it.
pub(super) fn runs_key(s: &mut AppState, key: Key) -> Option<Vec<Effect>> {
    let Screen::Runs(v) = s.nav.top() else {
        return None;
    };
    let selected = s.runs.list.get(v.list.selected).cloned();
    if let Some(id) = v.confirm_abandon.clone() {
        if let Screen::Runs(v) = s.nav.top_mut() {
            v.confirm_abandon = None;
        }
        if key.code == KeyCode::Char('y') {
            status(s, StatusLevel::Info, strings::abandoning(&id));
            return Some(vec![Effect::AbandonRun { run_id: id }]);
        }
        status(s, StatusLevel::Info, strings::KEPT);
        return Some(Vec::new());
    }
    let (KeyCode::Char(c), false, false) = (key.code, key.ctrl, key.alt) else {
        return None;
    };
    let r = selected?;
    match c {
        'u' if r.status.is_some() => Some(screen::open(
            s,
            RunbookRequest::Rollback {
                run_id: r.run_id.clone(),
            },
        )),
        'a' if r.is_open() => {
            if s.runbook
                .as_ref()
                .is_some_and(|u| u.active() && u.run_id.as_deref() == Some(&r.run_id))
            {
                status(s, StatusLevel::Warn, strings::RUN_IN_PROGRESS_HERE);
                return Some(Vec::new());
            }
            if let Screen::Runs(v) = s.nav.top_mut() {
                v.confirm_abandon = Some(r.run_id.clone());
            }
            Some(Vec::new())
        }
        'a' => {
            let st = r.status_text();
            status(
                s,
                StatusLevel::Info,
                strings::nothing_to_abandon(&r.run_id, st),
            );
            Some(Vec::new())
        }
        _ => None,
    }
}
