//! Runbooks from the console, for real against the simulator on a paused clock: the same `update`
//! and `Runner` the terminal loop uses. Planned from `:runbooks`, a finding or an instance;
//! preflighted; approved (destructive steps only with the id typed); run to the end, cancelled,
//! rolled back; journaled where `:runs` and the start-up banner find them. Read-only only shows.
//!
//! `planning`, `approval` and `runs` hold the tests; what they share is here.

use crate::support;

use opsdeck_app::Screen;
use opsdeck_app::keys::{Key, KeyCode};
use opsdeck_app::runbook_screen::Phase;
use opsdeck_app::state::AppState;
use opsdeck_runbook::journal::{self, RunStatus};
use opsdeck_sim::Sim;
use support::calls::{self, attempted};
use support::console::Harness;
use support::sim;

fn phase(s: &AppState) -> Option<Phase> {
    s.runbook.as_ref().map(|u| u.phase.clone())
}

fn settled(s: &AppState) -> bool {
    matches!(
        phase(s),
        Some(
            Phase::Ready
                | Phase::Blocked(_)
                | Phase::Refused(_)
                | Phase::ReadOnly
                | Phase::Finished(_)
                | Phase::Broken(_)
        )
    )
}

fn ended(s: &AppState) -> bool {
    matches!(phase(s), Some(Phase::Finished(_) | Phase::Broken(_)))
}

/// Picks the item of the runbook list on screen whose label and detail match, and plans it.
async fn choose(h: &mut Harness, label: &str, detail: &str) {
    let Screen::Runbooks(c) = h.state.nav.top() else {
        panic!("a runbook list on screen, got {:?}", h.state.nav.top());
    };
    let i = c
        .items
        .iter()
        .position(|it| it.label.starts_with(label) && it.detail.contains(detail))
        .unwrap_or_else(|| panic!("no `{label}` … `{detail}` in {:#?}", c.items));
    for _ in 0..i {
        h.key(Key::ch('j')).await;
    }
    h.press(Key::plain(KeyCode::Enter));
    h.pump_until("planned and preflighted", settled).await;
}

/// Runs the approved plan to its end, approving every step the engine asks about the way an
/// operator must: a destructive one with its id typed.
async fn run_to_end(h: &mut Harness) {
    h.press(Key::ch('y'));
    loop {
        h.pump_until("a question or the end", |s| {
            ended(s) || s.runbook.as_ref().is_some_and(|u| u.ask.is_some())
        })
        .await;
        if ended(&h.state) {
            return;
        }
        let ui = h.state.runbook.as_ref().expect("runbook");
        let step = ui.ask.expect("asked");
        if let Some(id) = ui.confirm_id(step) {
            for c in id.chars() {
                h.press(Key::ch(c));
            }
        }
        h.press(Key::plain(KeyCode::Enter));
    }
}

mod approval;
mod clock;
mod planning;
mod runs;
