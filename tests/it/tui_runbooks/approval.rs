//! Approving: destructive steps only with their id typed, approve-each asking before every mutating
//! step, a `y` meant for cancel or a paste never approving, quit asked twice, a stale preflight run
//! again.

use super::*;

#[tokio::test(start_paused = true)]
async fn a_destructive_step_runs_only_with_its_id_typed_and_a_refusal_stops_the_run() {
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), false).await;
    // From the instance: `r` on db-1 offers db-failover.
    h.command("instances").await;
    h.text("/db-1").await;
    h.key(Key::plain(KeyCode::Enter)).await;
    let primary = h
        .state
        .data
        .inv
        .instances
        .iter()
        .find(|i| i.display_name() == "db-1")
        .map(|i| i.id.clone())
        .expect("db-1");
    let eip_before = h
        .state
        .data
        .inv
        .elastic_ips
        .iter()
        .find(|e| e.instance_id.as_deref() == Some(primary.as_str()))
        .cloned()
        .expect("db-1 has an Elastic IP");
    h.key(Key::ch('r')).await;
    choose(&mut h, "db-failover", "").await;
    assert_eq!(phase(&h.state), Some(Phase::Ready));

    h.press(Key::ch('y'));
    h.pump_until("the first question", |s| {
        ended(s) || s.runbook.as_ref().is_some_and(|u| u.ask.is_some())
    })
    .await;
    let ui = h.state.runbook.as_ref().expect("runbook");
    let step = ui.ask.expect("a destructive step asks");
    let id = ui.confirm_id(step).expect("destructive: an id to type");
    let before = sim.calls().len();

    // Enter alone, `y`, or a wrong id approve nothing.
    h.press(Key::plain(KeyCode::Enter));
    h.press(Key::ch('y'));
    h.press(Key::plain(KeyCode::Enter));
    assert!(h.status().contains(&id), "{}", h.status());
    assert_eq!(
        h.state.runbook.as_ref().and_then(|u| u.ask),
        Some(step),
        "still asking"
    );
    // Esc declines: the run stops before the step, journaled as cancelled.
    h.press(Key::plain(KeyCode::Esc));
    h.pump_until("the run ends", ended).await;
    assert_eq!(phase(&h.state), Some(Phase::Finished(RunStatus::Cancelled)));
    let after: Vec<_> = sim.calls()[before..]
        .iter()
        .filter(|c| c.mutating)
        .cloned()
        .collect();
    assert!(
        after.is_empty(),
        "nothing done after the refusal: {after:?}"
    );

    // `r` resumes it from the journal; this time the operator types the ids.
    h.press(Key::ch('r'));
    h.pump_until("the journal read again", settled).await;
    assert_eq!(phase(&h.state), Some(Phase::Ready));
    assert!(h.state.runbook.as_ref().is_some_and(|u| u.resuming));
    run_to_end(&mut h).await;
    assert_eq!(phase(&h.state), Some(Phase::Finished(RunStatus::Done)));
    assert_eq!(attempted(&sim, "StopInstances"), 1);
    h.pump_until("the refresh after the run", |s| !s.data.fetching)
        .await;
    // The database's Elastic IP now points at the new instance (re-read, not assumed).
    let eip = h
        .state
        .data
        .inv
        .elastic_ips
        .iter()
        .find(|e| e.allocation_id == eip_before.allocation_id)
        .expect("the EIP");
    assert!(
        eip.instance_id.is_some() && eip.instance_id.as_deref() != Some(primary.as_str()),
        "{eip:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn approve_each_asks_before_every_mutating_step() {
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), false).await;
    h.command("runbooks").await;
    choose(&mut h, "remove-spof", "targets of web-tg").await;
    h.press(Key::ch('a'));
    assert!(h.state.runbook.as_ref().is_some_and(|u| u.approve_each));
    let mutating = h
        .state
        .runbook
        .as_ref()
        .and_then(|u| u.plan.as_ref())
        .map(|p| p.steps.iter().filter(|s| s.action.is_mutating()).count())
        .expect("plan");
    h.press(Key::ch('y'));
    let mut asked = 0;
    loop {
        h.pump_until("a question or the end", |s| {
            ended(s) || s.runbook.as_ref().is_some_and(|u| u.ask.is_some())
        })
        .await;
        if ended(&h.state) {
            break;
        }
        asked += 1;
        // Nothing of the step happens before its approval.
        let step = h.state.runbook.as_ref().and_then(|u| u.ask).expect("asked");
        let acted = h.state.runbook.as_ref().map(|u| u.steps[step].acted);
        assert_eq!(acted, Some(false), "step {step} acted before its approval");
        // `y` (a double tap of the one that started the run) does not approve a step: enter does.
        h.press(Key::ch('y'));
        assert_eq!(h.state.runbook.as_ref().and_then(|u| u.ask), Some(step));
        h.press(Key::plain(KeyCode::Enter));
    }
    assert_eq!(asked, mutating, "one question per mutating step");
    assert_eq!(phase(&h.state), Some(Phase::Finished(RunStatus::Done)));
}

#[tokio::test(start_paused = true)]
async fn a_y_meant_for_cancel_never_approves_a_step_and_pastes_press_no_keys() {
    use opsdeck_app::{self as app, Input};
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), false).await;
    h.command("runbooks").await;
    choose(&mut h, "remove-spof", "targets of web-tg").await;
    h.press(Key::ch('a'));
    h.press(Key::ch('y'));
    let asked = |s: &AppState| s.runbook.as_ref().is_some_and(|u| u.ask.is_some());
    h.pump_until("the first question", asked).await;
    h.press(Key::plain(KeyCode::Enter));
    // Pasted text during a run is not keys: "policy" holds a `c` and a `y`.
    let fx = app::update(&mut h.state, Input::Paste("policy".into()));
    assert!(fx.is_empty(), "{fx:?}");
    let ui = h.state.runbook.as_ref().expect("runbook");
    assert!(!ui.confirm_cancel && !ui.cancel_sent);
    // `c`, then the next step's question arrives, then the operator's `y` for the cancel.
    h.press(Key::ch('c'));
    h.pump_until("the second question", asked).await;
    let step = h.state.runbook.as_ref().and_then(|u| u.ask).expect("asked");
    h.press(Key::ch('y'));
    h.pump_until("the run ends", ended).await;
    assert_eq!(phase(&h.state), Some(Phase::Finished(RunStatus::Cancelled)));
    let ui = h.state.runbook.as_ref().expect("runbook");
    assert!(!ui.steps[step].acted, "the step asked about was not done");
}

#[tokio::test(start_paused = true)]
async fn quit_again_means_the_very_next_key() {
    let mut h = Harness::start(sim::demo(), false).await;
    h.command("runbooks").await;
    choose(&mut h, "remove-spof", "targets of web-tg").await;
    h.press(Key::ch('y'));
    h.pump_until("running", |s| {
        s.runbook.as_ref().is_some_and(|u| u.run_id.is_some())
    })
    .await;
    h.press(Key::ch('q'));
    assert!(!h.state.quit, "the first q only warns");
    h.press(Key::ch('j'));
    h.press(Key::ch('q'));
    assert!(!h.state.quit, "another key in between disarms it");
    h.press(Key::ch('q'));
    assert!(h.state.quit);
}

#[tokio::test(start_paused = true)]
async fn a_stale_preflight_is_run_again_before_the_plan_starts() {
    use opsdeck_app::{self as app, Input};
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), false).await;
    h.command("runbooks").await;
    choose(&mut h, "remove-spof", "targets of web-tg").await;
    let dry_runs = |sim: &Sim| sim.calls().iter().filter(|c| c.dry_run).count();
    let first = dry_runs(&sim);
    assert!(first > 0);
    // The operator comes back to the plan six minutes later.
    let later = h.state.clock + chrono::Duration::minutes(6);
    app::update(&mut h.state, Input::tick(later));
    h.press(Key::ch('y'));
    assert_eq!(
        phase(&h.state),
        Some(Phase::Preflight),
        "checked again, not run"
    );
    h.pump_until("preflighted again", settled).await;
    assert_eq!(phase(&h.state), Some(Phase::Ready));
    assert_eq!(dry_runs(&sim), 2 * first);
    assert_eq!(calls::real(&sim).len(), 0);
    h.press(Key::ch('y'));
    h.pump_until("running", |s| {
        s.runbook.as_ref().is_some_and(|u| u.run_id.is_some())
    })
    .await;
}
