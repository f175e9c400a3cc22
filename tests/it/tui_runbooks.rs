//! Runbooks from the console, for real against the simulator on a paused clock: the same `update`
//! and `Runner` the terminal loop uses. Planned from `:runbooks`, a finding or an instance;
//! preflighted; approved (destructive steps only with the id typed); run to the end, cancelled,
//! rolled back; journaled where `:runs` and the start-up banner find them. Read-only only shows.

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

/// Plans remove-spof from `:runbooks`, approves it and lets it run until it has called CreateImage.
async fn remove_spof_until_its_image_step(h: &mut Harness) {
    h.command("runbooks").await;
    choose(h, "remove-spof", "single-az").await;
    h.press(Key::ch('y'));
    h.pump_until("the image step under way", |s| {
        s.runbook
            .as_ref()
            .is_some_and(|u| u.log.iter().any(|l| l.contains("called ec2:CreateImage")))
    })
    .await;
}

/// The id the run on the runbook screen is journaled under.
fn journaled_run(h: &Harness) -> String {
    h.state
        .runbook
        .as_ref()
        .and_then(|u| u.run_id.clone())
        .expect("journaled")
}

/// Types `:runs` and enter, without waiting for the effects (the list is read again).
fn open_runs(h: &mut Harness) {
    h.press(Key::ch(':'));
    for c in "runs".chars() {
        h.press(Key::ch(c));
    }
    h.press(Key::plain(KeyCode::Enter));
}

/// Moves the `:runs` selection down to `run_id`'s row.
fn select_run(h: &mut Harness, run_id: &str) {
    let row = h
        .state
        .runs
        .list
        .iter()
        .position(|r| r.run_id == run_id)
        .expect("listed");
    for _ in 0..row {
        h.press(Key::ch('j'));
    }
}

fn has_finding(s: &AppState, kind: &str, about: &str) -> bool {
    s.data
        .index
        .findings
        .iter()
        .any(|f| f.kind.as_str() == kind && f.message.contains(about))
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

#[tokio::test(start_paused = true)]
async fn remove_spof_from_runbooks_turns_the_single_az_tier_into_two_azs() {
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), false).await;
    assert!(
        has_finding(&h.state, "single-az", "web-tg"),
        "demo starts single-AZ"
    );

    h.command("runbooks").await;
    choose(&mut h, "remove-spof", "single-az").await;
    assert_eq!(phase(&h.state), Some(Phase::Ready), "preflight passed");
    let plan = h.state.runbook.as_ref().and_then(|u| u.plan.clone());
    let plan = plan.expect("a plan on screen");
    assert_eq!(plan.runbook, "remove-spof");
    // The preflight dry-ran; nothing was changed for real before the approval.
    assert!(sim.calls().iter().any(|c| c.dry_run), "dry runs");
    assert_eq!(calls::real(&sim).len(), 0);

    run_to_end(&mut h).await;
    assert_eq!(phase(&h.state), Some(Phase::Finished(RunStatus::Done)));
    assert_eq!(attempted(&sim, "CreateImage"), 1);
    assert_eq!(attempted(&sim, "RunInstances"), 1);
    assert_eq!(attempted(&sim, "RegisterTargets"), 1);
    let ui = h.state.runbook.as_ref().expect("runbook");
    assert!(
        ui.log.iter().any(|l| l.contains("called ec2:RunInstances")),
        "the log tail shows the calls: {:?}",
        ui.log
    );
    let run_id = ui.run_id.clone().expect("journaled");

    // The run's end refreshes the inventory: the finding is gone.
    h.pump_until("the refresh after the run", |s| !s.data.fetching)
        .await;
    assert!(
        !has_finding(&h.state, "single-az", "web-tg"),
        "{:#?}",
        h.state.data.index.findings
    );
    let runs = journal::list(&h.runs_dir());
    let state = runs
        .iter()
        .flatten()
        .find(|r| r.run_id == run_id)
        .expect("in the journal");
    assert_eq!(state.status, RunStatus::Done);
}

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
async fn cancel_then_roll_back_and_abandon_through_runs() {
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), false).await;
    remove_spof_until_its_image_step(&mut h).await;
    // `c` asks; anything but `y` keeps the run going; `c` `y` cancels it.
    h.press(Key::ch('c'));
    h.press(Key::ch('n'));
    assert!(h.state.runbook.as_ref().is_some_and(|u| u.active()));
    h.press(Key::ch('c'));
    h.press(Key::ch('y'));
    h.pump_until("the run ends", ended).await;
    assert_eq!(phase(&h.state), Some(Phase::Finished(RunStatus::Cancelled)));
    let run_id = journaled_run(&h);

    // `u` plans the rollback of what was done: the image made is deregistered.
    h.press(Key::ch('u'));
    h.pump_until("the rollback planned", settled).await;
    let ui = h.state.runbook.as_ref().expect("runbook");
    let plan = ui.plan.clone().expect("a rollback plan");
    assert_eq!(
        opsdeck_runbook::control::rolled_back_by(&plan).as_deref(),
        Some(run_id.as_str())
    );
    assert!(
        plan.steps
            .iter()
            .any(|st| st.action_name() == "deregister_image"),
        "{:#?}",
        plan.steps
    );
    h.key(Key::plain(KeyCode::Esc)).await;

    // `:runs` lists the cancelled run; `a` then `y` abandons it in the journal.
    open_runs(&mut h);
    // The list read at start is already `loaded`: wait for the re-read that has this run.
    h.pump_until("the runs read again", |s| {
        s.runs.list.iter().any(|r| r.run_id == run_id)
    })
    .await;
    let Screen::Runs(_) = h.state.nav.top() else {
        panic!("runs on screen: {:?}", h.state.nav.top());
    };
    select_run(&mut h, &run_id);
    h.press(Key::ch('a'));
    h.press(Key::ch('y'));
    h.pump_until("abandoned", |s| {
        s.runs
            .list
            .iter()
            .any(|r| r.run_id == run_id && r.status == Some(RunStatus::Abandoned))
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn an_unfinished_run_is_found_at_start() {
    // A run left behind by an earlier process (a dropped SSH session).
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let sim = sim::demo();
        let mut h = Harness::start(sim.clone(), false).await;
        h.command("runbooks").await;
        choose(&mut h, "remove-spof", "single-az").await;
        let plan = h
            .state
            .runbook
            .as_ref()
            .and_then(|u| u.plan.clone())
            .expect("plan");
        journal::Journal::create(
            &opsdeck_runbook::StateDir::new(dir.path()).runs(),
            "20261122T000000-remove-spof-abc",
            None,
            &plan,
        )
        .expect("journal");
    }
    let h = Harness::start_in(sim::demo(), false, dir).await;
    let open: Vec<_> = h.state.runs.open(None).map(|r| r.run_id.clone()).collect();
    assert_eq!(open, vec!["20261122T000000-remove-spof-abc".to_string()]);
}

#[tokio::test(start_paused = true)]
async fn read_only_shows_the_plan_and_never_calls() {
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), true).await;
    h.command("runbooks").await;
    choose(&mut h, "remove-spof", "single-az").await;
    assert_eq!(phase(&h.state), Some(Phase::ReadOnly));
    assert!(h.state.runbook.as_ref().is_some_and(|u| u.plan.is_some()));
    h.press(Key::ch('y'));
    assert!(h.status().contains("read-only"), "{}", h.status());
    assert_eq!(phase(&h.state), Some(Phase::ReadOnly));
    let mutating = calls::mutating(&sim);
    assert!(mutating.is_empty(), "{mutating:?}");
}

#[tokio::test(start_paused = true)]
async fn the_events_view_moves_an_event_to_its_deadline() {
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), false).await;
    let event = h
        .state
        .data
        .inv
        .events
        .iter()
        .find(|e| e.not_before_deadline.is_some())
        .cloned()
        .expect("the demo has an event with a deadline");
    let deadline = event.not_before_deadline.expect("deadline");
    h.command("events").await;
    h.text(&format!("/{}", event.resource_id)).await;
    h.key(Key::plain(KeyCode::Enter)).await;
    h.key(Key::ch('r')).await;
    choose(&mut h, "reschedule", &event.raw_code).await;
    assert_eq!(phase(&h.state), Some(Phase::Ready));
    run_to_end(&mut h).await;
    assert_eq!(phase(&h.state), Some(Phase::Finished(RunStatus::Done)));
    assert_eq!(attempted(&sim, "ModifyInstanceEventStartTime"), 1);
    assert_eq!(attempted(&sim, "RebootInstances"), 0, "nothing else done");
    h.pump_until("the refresh after the run", |s| !s.data.fetching)
        .await;
    let moved = h
        .state
        .data
        .inv
        .events
        .iter()
        .find(|e| e.event_id == event.event_id)
        .expect("still scheduled");
    assert_eq!(moved.not_before, Some(deadline));
}

#[tokio::test(start_paused = true)]
async fn approve_each_asks_before_every_mutating_step() {
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), false).await;
    h.command("runbooks").await;
    choose(&mut h, "remove-spof", "single-az").await;
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
async fn r_on_the_az_map_offers_the_findings_fixes() {
    let mut h = Harness::start(sim::demo(), false).await;
    h.command("az").await;
    h.key(Key::ch('r')).await;
    let Screen::Runbooks(c) = h.state.nav.top() else {
        panic!("the runbook list, got {:?}", h.state.nav.top());
    };
    assert!(
        c.items
            .iter()
            .any(|it| it.detail.contains("fixes single-az")),
        "{:#?}",
        c.items
    );
}

#[tokio::test(start_paused = true)]
async fn a_run_another_process_holds_is_not_resumed_until_it_lets_go() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run_id = "20261122T000000-remove-spof-lck";
    let plan = {
        let mut h = Harness::start(sim::demo(), false).await;
        h.command("runbooks").await;
        choose(&mut h, "remove-spof", "single-az").await;
        h.state
            .runbook
            .as_ref()
            .and_then(|u| u.plan.clone())
            .expect("plan")
    };
    let j = journal::Journal::create(
        &opsdeck_runbook::StateDir::new(dir.path()).runs(),
        run_id,
        None,
        &plan,
    )
    .expect("journal");
    // Another process (a console left running in tmux) drives it.
    let held = j.lock().expect("lock");
    assert!(j.is_locked());
    let sim = sim::demo();
    let mut h = Harness::start_in(sim.clone(), false, dir).await;
    let listed = h.state.runs.list.iter().find(|r| r.run_id == run_id);
    assert!(
        listed.is_some_and(|r| r.note.as_deref().is_some_and(|n| n.contains("running now"))),
        "{listed:?}"
    );
    open_runs(&mut h);
    h.pump_until("the runs read", |s| s.runs.loaded).await;
    h.press(Key::plain(KeyCode::Enter));
    h.pump_until("the resume refused", settled).await;
    match phase(&h.state) {
        Some(Phase::Refused(why)) => assert!(why.contains("another opsdeck process"), "{why}"),
        other => panic!("refused expected, got {other:?}"),
    }
    // Once the other process lets go, the same run opens for resuming.
    drop(held);
    assert!(!j.is_locked());
    h.press(Key::ch('r'));
    h.pump_until("the journal read again", settled).await;
    assert_eq!(phase(&h.state), Some(Phase::Ready));
    assert!(sim.calls().iter().all(|c| !c.mutating), "nothing was done");
}

#[tokio::test(start_paused = true)]
async fn a_y_meant_for_cancel_never_approves_a_step_and_pastes_press_no_keys() {
    use opsdeck_app::{self as app, Input};
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), false).await;
    h.command("runbooks").await;
    choose(&mut h, "remove-spof", "single-az").await;
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
    choose(&mut h, "remove-spof", "single-az").await;
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
    choose(&mut h, "remove-spof", "single-az").await;
    let dry_runs = |sim: &Sim| sim.calls().iter().filter(|c| c.dry_run).count();
    let first = dry_runs(&sim);
    assert!(first > 0);
    // The operator comes back to the plan six minutes later.
    let later = h.state.clock + chrono::Duration::minutes(6);
    app::update(&mut h.state, Input::Tick(later));
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

#[tokio::test(start_paused = true)]
async fn a_rollback_from_the_console_undoes_and_closes_the_run() {
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), false).await;
    remove_spof_until_its_image_step(&mut h).await;
    h.press(Key::ch('c'));
    h.press(Key::ch('y'));
    h.pump_until("the run ends", ended).await;
    let run_id = journaled_run(&h);
    h.press(Key::ch('u'));
    h.pump_until("the rollback planned and preflighted", settled)
        .await;
    assert_eq!(phase(&h.state), Some(Phase::Ready));
    run_to_end(&mut h).await;
    assert_eq!(phase(&h.state), Some(Phase::Finished(RunStatus::Done)));
    assert_eq!(
        attempted(&sim, "DeregisterImage"),
        1,
        "the image made is gone"
    );
    let runs = journal::list(&h.runs_dir());
    let original = runs
        .iter()
        .flatten()
        .find(|r| r.run_id == run_id)
        .expect("the original run");
    assert_eq!(original.status, RunStatus::RolledBack);
    // A rolled-back run is not rolled back twice.
    h.pump_until("the runs read", |s| s.runs.loaded).await;
    open_runs(&mut h);
    h.pump_until("the runs read again", |s| {
        s.runs
            .list
            .iter()
            .any(|r| r.run_id == run_id && r.status == Some(RunStatus::RolledBack))
    })
    .await;
    select_run(&mut h, &run_id);
    h.press(Key::ch('u'));
    h.pump_until("the second rollback refused", settled).await;
    match phase(&h.state) {
        Some(Phase::Refused(why)) => assert!(why.contains("already rolled back"), "{why}"),
        other => panic!("refused expected, got {other:?}"),
    }
}
