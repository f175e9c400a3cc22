//! Planning from the console: from `:runbooks`, a finding, an instance, an event or the AZ map, run
//! to its end and seen in the refreshed inventory; a read-only session only shows the plan.

use super::*;

fn has_finding(s: &AppState, kind: &str, about: &str) -> bool {
    s.data
        .index
        .findings
        .iter()
        .any(|f| f.kind.as_str() == kind && f.message.contains(about))
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
    choose(&mut h, "remove-spof", "targets of web-tg").await;
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
async fn read_only_shows_the_plan_and_never_calls() {
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), true).await;
    h.command("runbooks").await;
    choose(&mut h, "remove-spof", "targets of web-tg").await;
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
async fn r_on_the_az_map_offers_the_findings_fixes() {
    let mut h = Harness::start(sim::demo(), false).await;
    h.command("az").await;
    // The web tier's zone: r offers the fixes of that zone's findings.
    for _ in 0..12 {
        if let Screen::AzMap(m) = h.state.nav.top()
            && m.columns
                .get(m.selected)
                .is_some_and(|c| c.az == "us-east-1a")
        {
            break;
        }
        h.key(Key::ch('l')).await;
    }
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

/// The demo's single-AZ Auto Scaling group, widened from `:asg`: the group gets a subnet in another
/// AZ and launches there itself (opsdeck launches nothing), and the finding goes away.
#[tokio::test(start_paused = true)]
async fn remove_spof_from_the_groups_view_widens_the_group() {
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), false).await;
    let inv = &h.state.data.inv;
    let group = inv
        .auto_scaling_groups
        .iter()
        .find(|g| inv.group_azs(g).len() == 1)
        .expect("the demo has a single-AZ group")
        .name
        .to_string();
    assert!(
        has_finding(&h.state, "single-az", &group),
        "it is a finding"
    );

    h.command("asg").await;
    h.text(&format!("/{group}")).await;
    h.key(Key::plain(KeyCode::Enter)).await;
    h.key(Key::ch('r')).await;
    choose(&mut h, "remove-spof", &group).await;
    assert_eq!(phase(&h.state), Some(Phase::Ready), "preflight passed");
    run_to_end(&mut h).await;
    assert_eq!(phase(&h.state), Some(Phase::Finished(RunStatus::Done)));
    assert_eq!(attempted(&sim, "UpdateAutoScalingGroup"), 1);
    assert_eq!(
        attempted(&sim, "RunInstances"),
        0,
        "the group launches, not opsdeck"
    );

    h.pump_until("the refresh after the run", |s| !s.data.fetching)
        .await;
    let inv = &h.state.data.inv;
    let g = inv.auto_scaling_group(&group).expect("still there");
    let serving: std::collections::BTreeSet<&str> = g.in_service().map(|m| m.az.as_str()).collect();
    assert!(serving.len() >= 2, "in service in two AZs: {serving:?}");
    assert!(
        !has_finding(&h.state, "single-az", &group),
        "{:#?}",
        h.state.data.index.findings
    );
}

/// Rolling maintenance over a group from `:asg`: each member goes to Standby and back in turn, and
/// the group never launches a replacement for one of them.
#[tokio::test(start_paused = true)]
async fn rolling_maintenance_of_a_group_goes_through_standby() {
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), false).await;
    let (group, members) = {
        let g = h
            .state
            .data
            .inv
            .auto_scaling_groups
            .first()
            .expect("the demo has a group");
        (g.name.to_string(), g.in_service().count())
    };
    h.command("asg").await;
    h.text(&format!("/{group}")).await;
    h.key(Key::plain(KeyCode::Enter)).await;
    h.key(Key::ch('r')).await;
    choose(&mut h, "rolling-maintenance", &group).await;
    assert_eq!(phase(&h.state), Some(Phase::Ready), "preflight passed");
    run_to_end(&mut h).await;
    assert_eq!(phase(&h.state), Some(Phase::Finished(RunStatus::Done)));
    assert_eq!(attempted(&sim, "EnterStandby"), members);
    assert_eq!(attempted(&sim, "ExitStandby"), members);
    assert_eq!(attempted(&sim, "RunInstances"), 0);
    assert_eq!(attempted(&sim, "TerminateInstances"), 0, "nobody replaced");
    h.pump_until("the refresh after the run", |s| !s.data.fetching)
        .await;
    let g = h
        .state
        .data
        .inv
        .auto_scaling_group(&group)
        .expect("still there");
    assert_eq!(g.in_service().count(), members, "all back in service");
}

/// A plan with no step (a volume with fewer snapshots than prune keeps) never ran: its headline
/// says "nothing to do" and its notes say why, never "✓ done".
#[tokio::test(start_paused = true)]
async fn a_plan_with_no_step_says_nothing_to_do() {
    let mut h = Harness::start(sim::demo(), false).await;
    h.command("vol").await;
    h.key(Key::ch('r')).await;
    choose(&mut h, "prune", "").await;
    assert_eq!(phase(&h.state), Some(Phase::Finished(RunStatus::Done)));
    let screen = h.screen(160, 30);
    assert!(screen.contains("nothing to do"), "{screen}");
    assert!(
        screen.contains("0 to delete"),
        "the note says why: {screen}"
    );
    assert!(!screen.contains("✓ done"), "{screen}");
}
