//! The console's effects run for real against the simulator: the same `update` and `Runner` the
//! terminal loop uses, without a terminal. A read-only session that presses every mutating key on
//! every view makes no mutating call; a read-write one makes exactly the dry run and then the call.

mod support;

use opsdeck::app;
use opsdeck::app::keys::{Key, KeyCode};
use opsdeck::app::resources::ResourceKind;
use support::console::{Harness, sim};

use support::MUTATING_KEYS as MUTATING;

fn status_of(h: &Harness) -> String {
    h.state
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_console_never_mutates() {
    let sim = sim();
    let mut h = Harness::start(sim.clone(), true).await;
    // Every table, then the AZ map, the runbook chooser and the runs: a mutating key is refused
    // the same way on each, never opening a dialog.
    let mut views: Vec<&str> = ResourceKind::VIEWS
        .iter()
        .map(|k| k.commands()[0])
        .collect();
    views.extend(["az", "runbooks", "runs"]);
    let mut refused = 0;
    for view in views {
        h.command(view).await;
        for row in 0..3 {
            for (k, label) in MUTATING {
                h.text(k).await;
                assert!(
                    h.state.dialog.is_none(),
                    ":{view} row {row}: {k} opened a dialog"
                );
                assert_eq!(
                    status_of(&h),
                    format!("read-only session: {label} is not available"),
                    ":{view} row {row}: {k}"
                );
                refused += 1;
                // Whatever a dialog would want: the id typed, enter, then esc.
                h.text("i-").await;
                h.key(Key::plain(KeyCode::Enter)).await;
                h.key(Key::plain(KeyCode::Esc)).await;
                h.command(view).await;
                for _ in 0..row {
                    h.text("j").await;
                }
            }
            h.text("j").await;
        }
    }
    assert_eq!(
        refused,
        (ResourceKind::VIEWS.len() + 3) * 3 * MUTATING.len()
    );

    // Runbooks show their plan only: `y` is refused, from a finding and from an instance.
    h.command("findings").await;
    h.text("/single-az").await;
    h.key(Key::plain(KeyCode::Enter)).await;
    h.text("r").await;
    assert_read_only_plan(&mut h, "a finding's fix").await;
    h.command("instances").await;
    h.text("r").await;
    assert!(
        matches!(h.state.nav.top(), app::Screen::Runbooks(_)),
        "r on an instance offers its runbooks"
    );
    h.key(Key::plain(KeyCode::Enter)).await;
    assert_read_only_plan(&mut h, "an instance's runbook").await;

    h.key(Key::ctrl('r')).await;
    let calls = sim.calls();
    assert!(!calls.is_empty(), "the console did read");
    let mutating: Vec<_> = calls.iter().filter(|c| c.mutating).collect();
    assert!(
        mutating.is_empty(),
        "a read-only console made mutating calls: {mutating:?}"
    );
}

/// The runbook screen shows a plan that cannot run: `y` (approve) is refused in words.
async fn assert_read_only_plan(h: &mut Harness, what: &str) {
    assert!(
        matches!(h.state.nav.top(), app::Screen::Runbook(_)),
        "{what}: the runbook screen"
    );
    let phase = h.state.runbook.as_ref().map(|u| u.phase.clone());
    assert!(
        matches!(phase, Some(app::runbook_screen::Phase::ReadOnly)),
        "{what}: {phase:?}"
    );
    h.text("y").await;
    assert_eq!(
        status_of(h),
        "read-only session: this plan cannot run here (it has no writer)",
        "{what}"
    );
    h.key(Key::plain(KeyCode::Esc)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_runs_a_dry_run_then_the_call_then_refreshes() {
    let sim = sim();
    let mut h = Harness::start(sim.clone(), false).await;
    h.text("/web-1").await;
    h.key(Key::plain(KeyCode::Enter)).await;
    let row = h
        .state
        .top_table_key()
        .and_then(|k| h.state.view(k))
        .and_then(|v| v.selected_row())
        .expect("web-1 selected");
    let id = h.state.data.inv.instances[row].id.clone();
    sim.clear_calls();

    h.text("O").await;
    let phase = h.state.dialog.as_ref().map(|d| d.phase.clone());
    assert_eq!(
        phase,
        Some(app::state::ConfirmPhase::Ready),
        "dry run answered"
    );
    let calls = sim.calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].action, "StopInstances");
    assert!(calls[0].dry_run);

    // Enter without the id does nothing; with it, the call is made.
    h.key(Key::plain(KeyCode::Enter)).await;
    assert_eq!(sim.calls().iter().filter(|c| c.mutating).count(), 1);
    h.text(&id).await;
    h.key(Key::plain(KeyCode::Enter)).await;
    let stops: Vec<_> = sim
        .calls()
        .into_iter()
        .filter(|c| c.action == "StopInstances")
        .collect();
    assert_eq!(stops.len(), 2, "{stops:?}");
    assert!(!stops[1].dry_run && stops[1].error.is_none(), "{stops:?}");
    assert!(h.state.dialog.is_none());
    let status = h
        .state
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(status.contains("stop requested"), "{status}");
    // The refresh after the write shows the instance on its way down.
    let i = h.state.data.inv.instance(&id).expect("still there");
    assert_ne!(
        i.state,
        opsdeck::domain::InstanceState::Running,
        "{:?}",
        i.state
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_dry_run_shows_the_aws_code_and_makes_no_call() {
    let sim = sim();
    sim.deny("RebootInstances");
    let mut h = Harness::start(sim.clone(), false).await;
    sim.clear_calls();
    h.text("B").await;
    match h.state.dialog.as_ref().map(|d| d.phase.clone()) {
        Some(app::state::ConfirmPhase::Refused(e)) => {
            assert!(e.contains("not permitted"), "{e}");
            assert!(
                e.contains("UnauthorizedOperation") || e.contains("AccessDenied"),
                "{e}"
            );
        }
        other => panic!("refusal expected, got {other:?}"),
    }
    h.key(Key::plain(KeyCode::Enter)).await;
    let real: Vec<_> = sim
        .calls()
        .into_iter()
        .filter(|c| c.mutating && !c.dry_run)
        .collect();
    assert!(real.is_empty(), "{real:?}");
}
