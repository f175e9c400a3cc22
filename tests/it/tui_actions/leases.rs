//! A hand action never takes from a pool a run is taking from: while a run (another process's, or
//! this console's) holds a target group's lease, stopping one of its instances is refused at the
//! dry run, naming the run, and nothing is called; once the run lets go, the same stop goes ahead.

use super::*;
use opsdeck_core::cloud::{Holder, LeaseKey, Leases};
use opsdeck_runbook::StateDir;
use opsdeck_runbook::leases::LocalLeases;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_is_refused_while_a_run_holds_its_target_group() {
    let sim = sim::demo();
    let dir = tempfile::tempdir().expect("tempdir");
    let leases = LocalLeases::new(StateDir::new(dir.path()).leases());
    let mut h = Harness::start_in(sim.clone(), false, dir).await;
    let id = select(&mut h, &sim, Subject::Instance("web-1")).await;
    let tgs: Vec<String> = h
        .state
        .data
        .inv
        .target_groups_of_instance(&id)
        .iter()
        .map(|tg| tg.arn.to_string())
        .collect();
    let tg = tgs.first().expect("web-1 serves a target group").clone();
    let holder = Holder {
        run_id: "20261207T000000-rolling-maintenance-abc123".into(),
        runbook: "rolling-maintenance".into(),
        host: "bastion".into(),
        pid: 4242,
        since: "2026-12-07T00:00:00Z".into(),
    };
    let held = leases
        .acquire(&[LeaseKey::target_group(&tg)], &holder)
        .await
        .expect("the run's lease");
    sim.clear_calls();

    h.text(key_of("stop")).await;
    h.pump_until("the dry run answers", |s| {
        s.dialog
            .as_ref()
            .is_none_or(|d| d.phase != app::state::ConfirmPhase::Checking)
    })
    .await;
    let said = format!(
        "{:?} {}",
        h.state.dialog.as_ref().map(|d| d.phase.clone()),
        h.status()
    );
    assert!(
        said.contains(&holder.run_id),
        "refused naming the run: {said}"
    );
    assert!(calls::mutating(&sim).is_empty(), "not even a dry run");
    h.key(Key::plain(KeyCode::Esc)).await;

    drop(held);
    h.text(key_of("stop")).await;
    h.pump_until("the dry run answers", |s| {
        s.dialog
            .as_ref()
            .is_some_and(|d| d.phase != app::state::ConfirmPhase::Checking)
    })
    .await;
    assert_eq!(
        h.state.dialog.as_ref().map(|d| d.phase.clone()),
        Some(app::state::ConfirmPhase::Ready),
        "with the lease let go, the dry run goes ahead"
    );
}
