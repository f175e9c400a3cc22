//! The fleet's scheduled events handled one instance at a time: never zero healthy targets, the
//! events cleared, throttling and server errors survived, a kill at every journal boundary, the
//! capacity guard, a cancel rolled back.

use super::*;

/// Healthy targets of web-tg, sampled every simulated second while the run goes on.
fn watch_health(
    w: &World,
) -> (
    tokio::task::JoinHandle<Vec<usize>>,
    tokio::sync::watch::Sender<bool>,
) {
    let read = w.read.clone();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let h = tokio::spawn(async move {
        let tg = read.target_groups().await.expect("tgs").remove(0).arn;
        let mut samples = Vec::new();
        while !*stop_rx.borrow() {
            let th = read.target_health(&tg).await.expect("health");
            samples.push(
                th.iter()
                    .filter(|t| t.state == TargetState::Healthy)
                    .count(),
            );
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        samples
    });
    (h, stop_tx)
}

#[tokio::test(start_paused = true)]
async fn rolling_maintenance_never_leaves_zero_healthy_and_clears_the_events() {
    let w = world(FLEET);
    let plan = plan_for(&w, &RollingArgs::default()).await.expect("plan");
    runbook::assert_preflight_ok(&w.read, &w.write, &plan).await;
    let (_dir, j, mut state) = runbook::journal("r1", &plan);
    let (health, stop) = watch_health(&w);
    let (r, mut events) = runner(&w, j, None);
    let status = r.run(&mut state).await.expect("run");
    stop.send(true).ok();
    let samples = health.await.expect("sampler");
    assert_eq!(status, RunStatus::Done, "{:?}", state.last_error);

    assert!(
        samples.len() > 100,
        "sampled the whole run ({} samples)",
        samples.len()
    );
    assert!(
        samples.iter().all(|n| *n >= 1),
        "a healthy target at every moment: min {:?}",
        samples.iter().min()
    );
    assert!(
        samples.contains(&2),
        "capacity really dropped while an instance was out"
    );

    let inv = inventory::full(std::slice::from_ref(&w.read)).await;
    for i in &inv.instances {
        assert!(
            i.upcoming_events().next().is_none(),
            "{} still has an event: {:?}",
            i.display_name(),
            i.events
        );
        assert_eq!(i.state, InstanceState::Running);
    }
    assert_eq!(
        inv.target_health
            .iter()
            .filter(|t| t.state == TargetState::Healthy)
            .count(),
        3
    );

    // Each instance drained (the 30 s delay elapsed) before it was stopped or rebooted.
    let mut acted: Vec<(usize, String)> = Vec::new();
    while let Ok(e) = events.try_recv() {
        if let RunEvent::Acted {
            step,
            request_id: Some(id),
            ..
        } = e
        {
            acted.push((step, id));
        }
    }
    let at = |rid: &str| {
        w.sim
            .calls()
            .iter()
            .find(|c| c.request_id.as_deref() == Some(rid))
            .map(|c| c.at)
            .expect("call logged")
    };
    let kind = |step: usize| plan.steps[step].action_name();
    for (n, (step, rid)) in acted.iter().enumerate() {
        if kind(*step) == "deregister_target" {
            let (next_step, next_rid) = &acted[n + 1];
            assert!(
                matches!(kind(*next_step), "stop_instance" | "reboot_instance"),
                "restart follows the drain"
            );
            let waited = at(next_rid) - at(rid);
            assert!(
                waited >= chrono::Duration::seconds(30),
                "drained for the delay first: {waited}"
            );
        }
    }
    assert_eq!(made(&w.sim, "DeregisterTargets"), 3);
    assert_eq!(made(&w.sim, "RegisterTargets"), 3);
    assert_eq!(
        made(&w.sim, "StopInstances"),
        2,
        "system events: stop/start onto new hardware"
    );
    assert_eq!(made(&w.sim, "StartInstances"), 2);
    assert_eq!(
        made(&w.sim, "RebootInstances"),
        1,
        "the instance event: a reboot"
    );
}

#[tokio::test(start_paused = true)]
async fn it_completes_under_30_percent_throttling_and_server_errors() {
    let w = world(FLEET);
    let plan = plan_for(&w, &RollingArgs::default()).await.expect("plan");
    w.sim.throttle("*", 0.3);
    w.sim.set_error_rate(0.05);
    // The preflight retries busy APIs.
    runbook::assert_preflight_ok(&w.read, &w.write, &plan).await;
    runbook::run_to_end(&w.read, &w.write, "r2", &plan, None).await;
    let throttled = calls::throttled(&w.sim);
    assert!(
        throttled > 10,
        "faults really fired ({throttled} throttled calls)"
    );
    assert_eq!(
        made(&w.sim, "DeregisterTargets"),
        3,
        "no duplicate under retries"
    );
    assert_eq!(made(&w.sim, "RegisterTargets"), 3);
    w.sim.clear_faults();
    let inv = inventory::full(std::slice::from_ref(&w.read)).await;
    assert!(
        inv.instances
            .iter()
            .all(|i| i.upcoming_events().next().is_none())
    );
}

#[tokio::test(start_paused = true)]
async fn a_kill_at_every_journal_boundary_then_resume_completes_without_duplicates() {
    at_every_kill_point("rolling maintenance", 20, async |n| {
        let w = world(FLEET);
        let plan = plan_for(&w, &RollingArgs::default()).await.expect("plan");
        // Killed, the "process" died after n journal writes: a new one resumes from the journal alone.
        let (_, killed) = runbook::run_to_end(&w.read, &w.write, "rk", &plan, Some(n)).await;
        for (action, want) in [
            ("DeregisterTargets", 3),
            ("RegisterTargets", 3),
            ("StopInstances", 2),
            ("StartInstances", 2),
            ("RebootInstances", 1),
        ] {
            assert_eq!(
                made(&w.sim, action),
                want,
                "kill after {n} writes: {action} made exactly {want} times"
            );
        }
        killed
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn the_guard_refuses_a_one_instance_target_group() {
    let one = FLEET.replace(
        r#"targets = ["web-1", "web-2", "web-3"]"#,
        r#"targets = ["web-1"]"#,
    );
    let w = world(&one);
    let web1 = w.sim.instance_id("web-1").expect("web-1");
    let err = plan_for(
        &w,
        &RollingArgs {
            instances: vec![web1],
            ..RollingArgs::default()
        },
    )
    .await
    .unwrap_err();
    assert!(
        err.contains("capacity guard refuses") && err.contains("web-tg"),
        "{err}"
    );
    assert_eq!(calls::mutating(&w.sim).len(), 0, "nothing was changed");
}

/// A stop *now* (a second SIGTERM) while the first instance drains leaves it out of its target
/// group, says so in the journal, and the rollback registers it again.
#[tokio::test(start_paused = true)]
async fn stopping_now_then_rolling_back_re_registers_what_was_deregistered() {
    let w = world(FLEET);
    let plan = plan_for(&w, &RollingArgs::default()).await.expect("plan");
    let (dir, j, mut state) = runbook::journal("rc", &plan);
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let (cancel_tx, cancel_rx) = tokio::sync::watch::channel(Stop::Go);
    let r = Runner {
        events: Some(tx),
        cancel: cancel_rx,
        ..runbook::runner(&w.read, &w.write, j)
    };
    // Cancel while the first instance drains.
    let mut rx = rx;
    let canceller = tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            if let RunEvent::Waiting { detail, .. } = &e
                && detail.contains("draining")
            {
                cancel_tx.send(Stop::Now("SIGTERM".into())).ok();
                break;
            }
        }
        cancel_tx
    });
    let status = r.run(&mut state).await.expect("run");
    let _keep = canceller.await;
    assert_eq!(status, RunStatus::Cancelled);
    let open = opsdeck_runbook::safety::open_steps(&state);
    assert_eq!(open.len(), 1, "the drained instance is out: {open:?}");
    let replayed = Journal::open(dir.path(), "rc")
        .expect("open")
        .load()
        .expect("replay");
    let said = replayed.last_error.unwrap_or_default();
    assert!(
        said.contains("SIGTERM") && said.contains(&open[0]),
        "the journal names who stopped it and what is out: {said}"
    );
    let back = opsdeck_runbook::engine::rollback_plan(&state);
    assert_eq!(back.steps.len(), 1, "{:?}", back.steps);
    assert_eq!(back.steps[0].action_name(), "register_target");
    let j2 = Journal::create(dir.path(), "rc-back", None, &back).expect("journal");
    let mut s2 = j2.load().expect("load");
    let (r2, _e) = runner(&w, j2, None);
    assert_eq!(r2.run(&mut s2).await.expect("rollback"), RunStatus::Done);
    let tg = w.read.target_groups().await.expect("tgs").remove(0).arn;
    let healthy = w
        .read
        .target_health(&tg)
        .await
        .expect("health")
        .iter()
        .filter(|t| t.state == TargetState::Healthy)
        .count();
    assert_eq!(healthy, 3, "everything serves again");
}

/// A safe stop (the first SIGTERM, the console's cancel) while the first instance drains: the
/// instance is rebooted and registered again first, then the run stops before the next one, with
/// nothing left out of service, and the next instance untouched.
#[tokio::test(start_paused = true)]
async fn a_safe_stop_while_draining_finishes_the_instance_first() {
    let w = world(FLEET);
    let plan = plan_for(&w, &RollingArgs::default()).await.expect("plan");
    let instances: Vec<String> = plan
        .steps
        .iter()
        .filter_map(|s| match &s.action {
            opsdeck_runbook::plan::Action::DeregisterTarget { target, .. } => {
                Some(target.id.clone())
            }
            _ => None,
        })
        .collect();
    assert!(
        instances.len() >= 2,
        "two instances to maintain: {instances:?}"
    );
    let (_dir, j, mut state) = runbook::journal("safe", &plan);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(Stop::Go);
    let r = Runner {
        events: Some(tx),
        cancel: stop_rx,
        ..runbook::runner(&w.read, &w.write, j)
    };
    let asker = tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            if let RunEvent::Waiting { detail, .. } = &e
                && detail.contains("draining")
            {
                stop_tx.send(Stop::Safe("SIGTERM".into())).ok();
                break;
            }
        }
        stop_tx
    });
    let status = r.run(&mut state).await.expect("run");
    let _keep = asker.await;
    assert_eq!(status, RunStatus::Cancelled);
    assert!(
        opsdeck_runbook::safety::open_steps(&state).is_empty(),
        "nothing left out of service"
    );
    // The journal: the first instance's registration finished, the second's deregistration never
    // started.
    let step_of = |name: &str, id: &str| {
        plan.steps
            .iter()
            .position(|s| s.action_name() == name && s.resources.iter().any(|r| r == id))
            .unwrap_or_else(|| panic!("a {name} step for {id}"))
    };
    assert!(
        state.finished[step_of("register_target", &instances[0])],
        "the first rejoined"
    );
    let next = step_of("deregister_target", &instances[1]);
    assert!(
        !state.acted[next] && !state.in_doubt[next] && !state.finished[next],
        "the next one untouched"
    );
    let tg = w.read.target_groups().await.expect("tgs").remove(0).arn;
    let healthy = w
        .read
        .target_health(&tg)
        .await
        .expect("health")
        .iter()
        .filter(|t| t.state == TargetState::Healthy)
        .count();
    assert_eq!(healthy, 3, "every target serves");
}

/// A kill tears the journal's last line mid-write. The run resumes to its end from what is whole
/// (the torn line is never read, nor appended to), `runs` reads the journal, and a rollback of it
/// runs and closes it.
#[tokio::test(start_paused = true)]
async fn a_torn_journal_resumes_then_rolls_back() {
    let w = world(FLEET);
    let plan = plan_for(&w, &RollingArgs::default()).await.expect("plan");
    let (dir, j, mut state) = runbook::journal("torn", &plan);
    // Dies after the first deregistration is journaled as called.
    let dying = Runner {
        kill_after: runbook::kill_after(Some(5)),
        ..runbook::runner(&w.read, &w.write, j)
    };
    assert!(dying.run(&mut state).await.is_err(), "killed");
    let path = dir.path().join("torn.jsonl");
    let bytes = std::fs::read(&path).expect("journal");
    let whole_lines = bytes.iter().filter(|b| **b == b'\n').count();
    // Half of one more line, as a kill mid-write leaves it.
    let extra = br#"{"event":"step_finished","at":"2026-01-01T00:00:00Z","step":1,"outp"#;
    std::fs::write(&path, [bytes.as_slice(), extra].concat()).expect("tear");

    let j = Journal::open(dir.path(), "torn").expect("open");
    let mut resumed = j.load().expect("a torn tail still reads");
    let (r, _events) = runner(&w, j, None);
    assert_eq!(r.run(&mut resumed).await.expect("resume"), RunStatus::Done);
    let text = std::fs::read_to_string(&path).expect("journal");
    assert!(
        text.lines().count() > whole_lines + 1,
        "the resume appended whole lines"
    );
    assert!(
        text.lines().any(|l| l.as_bytes() == extra),
        "the fragment stays on its own line, never glued to a new record"
    );
    let listed = opsdeck_runbook::journal::list(dir.path());
    let read_back = match listed.as_slice() {
        [Ok(s)] => s.clone(),
        other => panic!("runs reads the journal: {other:?}"),
    };
    assert_eq!(read_back.status, RunStatus::Done);

    let back = opsdeck_runbook::control::rollback_of(dir.path(), &read_back, None)
        .expect("a rollback plan");
    let jb = Journal::create(dir.path(), "torn-back", None, &back).expect("journal");
    let mut sb = jb.load().expect("load");
    let (rb, _e) = runner(&w, jb, None);
    assert_eq!(rb.run(&mut sb).await.expect("rollback"), RunStatus::Done);
    opsdeck_runbook::control::close_rolled_back(dir.path(), &back).expect("closed");
    let closed = Journal::open(dir.path(), "torn")
        .expect("open")
        .load()
        .expect("load");
    assert_eq!(closed.status, RunStatus::RolledBack);
}
