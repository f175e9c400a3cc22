//! The journal behind the console: cancel and roll back, `:runs` (abandon, a second rollback
//! refused), an unfinished run found at start, a run another process holds.

use super::*;

/// Plans remove-spof from `:runbooks`, approves it and lets it run until it has called CreateImage.
async fn remove_spof_until_its_image_step(h: &mut Harness) {
    h.command("runbooks").await;
    choose(h, "remove-spof", "targets of web-tg").await;
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
        choose(&mut h, "remove-spof", "targets of web-tg").await;
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
async fn a_run_another_process_holds_is_not_resumed_until_it_lets_go() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run_id = "20261122T000000-remove-spof-lck";
    let plan = {
        let mut h = Harness::start(sim::demo(), false).await;
        h.command("runbooks").await;
        choose(&mut h, "remove-spof", "targets of web-tg").await;
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
