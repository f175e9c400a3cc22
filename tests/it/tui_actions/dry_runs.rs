//! The dry run before every action: stop runs it, then the call, then refreshes; a dry run AWS
//! refuses (a permission, the instance's state) shows its code and nothing runs.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_runs_a_dry_run_then_the_call_then_refreshes() {
    let sim = sim::demo();
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
    assert_eq!(calls::mutating(&sim).len(), 1);
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
    let status = h.status();
    assert!(status.contains("stop requested"), "{status}");
    // The refresh after the write shows the instance on its way down.
    let i = h.state.data.inv.instance(&id).expect("still there");
    assert_ne!(
        i.state,
        opsdeck_core::domain::InstanceState::Running,
        "{:?}",
        i.state
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_dry_run_shows_the_aws_code_and_makes_no_call() {
    let sim = sim::demo();
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
    let real = calls::real(&sim);
    assert!(real.is_empty(), "{real:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_refused_for_the_state_says_so_and_nothing_runs() {
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), false).await;
    // batch-1 is stopped: it cannot be rebooted.
    let id = select(&mut h, &sim, Subject::Instance("batch-1")).await;
    sim.clear_calls();
    h.text(key_of("reboot")).await;
    let e = match h.state.dialog.as_ref().map(|d| d.phase.clone()) {
        Some(app::state::ConfirmPhase::Refused(e)) => e,
        other => panic!("refusal expected, got {other:?}"),
    };
    assert!(e.starts_with("not in a state that allows this"), "{e}");
    assert!(e.contains("[IncorrectInstanceState]"), "{e}");
    let screen = h.screen(160, 48);
    assert!(
        screen
            .contains("dry run refused: not in a state that allows this [IncorrectInstanceState]"),
        "{screen}"
    );
    let calls = sim.calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(
        (calls[0].action, calls[0].dry_run, calls[0].error.as_deref()),
        ("RebootInstances", true, Some("IncorrectInstanceState"))
    );

    // Neither enter nor y runs it; esc says nothing was changed.
    h.key(Key::plain(KeyCode::Enter)).await;
    h.text("y").await;
    assert!(h.state.dialog.is_some());
    h.key(Key::plain(KeyCode::Esc)).await;
    assert!(h.state.dialog.is_none());
    assert_eq!(h.status(), "cancelled: nothing was changed");
    assert!(calls::real(&sim).is_empty(), "{:?}", sim.calls());
    let i = h.state.data.inv.instance(&id).expect("batch-1");
    assert_eq!(i.state, InstanceState::Stopped);
}
