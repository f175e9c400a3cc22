//! The console's effects run for real against the simulator: the same `update` and `Runner` the
//! terminal loop uses, without a terminal. A read-only session that presses every mutating key on
//! every view makes no mutating call; a read-write one makes exactly the dry run and then the call.

mod support;

use opsdeck::app;
use opsdeck::app::keys::{Key, KeyCode};
use support::console::{Harness, sim};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_console_never_mutates() {
    let sim = sim();
    let mut h = Harness::start(sim.clone(), true).await;
    for view in [
        "instances",
        "volumes",
        "targets",
        "snapshots",
        "lb",
        "eni",
        "eip",
    ] {
        h.command(view).await;
        for row in 0..3 {
            for k in ["U", "O", "B", "I", "N", "D", "R", "X"] {
                h.text(k).await;
                // Whatever a dialog would want: the id typed, enter, then esc.
                h.text("i-").await;
                h.key(Key::plain(KeyCode::Enter)).await;
                h.key(Key::plain(KeyCode::Esc)).await;
            }
            let _ = row;
            h.text("j").await;
        }
    }
    h.key(Key::ctrl('r')).await;
    let calls = sim.calls();
    assert!(!calls.is_empty(), "the console did read");
    let mutating: Vec<_> = calls.iter().filter(|c| c.mutating).collect();
    assert!(
        mutating.is_empty(),
        "a read-only console made mutating calls: {mutating:?}"
    );
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
