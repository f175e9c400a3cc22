//! A member of an Auto Scaling group is never stopped, rebooted or deregistered behind its group's
//! back: the group would judge it unhealthy and replace it. Reboot plans rolling maintenance of the
//! member (through Standby); stop and deregister are refused with the reason; nothing is called.

use super::*;
use opsdeck_app::Screen;

/// The first in-service member of the demo's first group, and that group's first target group.
fn a_member(inv: &Inventory) -> (String, String, String) {
    let g = inv
        .auto_scaling_groups
        .first()
        .expect("the demo has an Auto Scaling group");
    let m = g.in_service().next().expect("a member in service");
    let tg = g
        .target_group_arns
        .first()
        .expect("the group serves a target group");
    (
        g.name.to_string(),
        m.instance_id.to_string(),
        tg.to_string(),
    )
}

async fn select_row(h: &mut Harness, view: &str, id: &str) {
    h.command(view).await;
    h.text(&format!("/{id}")).await;
    h.key(Key::plain(KeyCode::Enter)).await;
    let shown = h
        .state
        .top_table_key()
        .and_then(|k| h.state.view(k))
        .map(|v| v.len())
        .unwrap_or_default();
    assert!(shown >= 1, "{id} is listed in :{view}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reboot_of_a_member_plans_it_through_standby() {
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), false).await;
    let (group, member, _) = a_member(&h.state.data.inv);
    select_row(&mut h, "instances", &member).await;
    sim.clear_calls();

    h.text(key_of("reboot")).await;
    assert!(h.state.dialog.is_none(), "no plain reboot dialog");
    assert!(
        matches!(h.state.nav.top(), Screen::Runbook(_)),
        "the runbook screen: {:?}",
        h.state.nav.top()
    );
    assert!(h.status().contains(&group), "{}", h.status());
    h.pump_until("planned", |s| {
        s.runbook.as_ref().is_some_and(|u| u.plan.is_some())
    })
    .await;
    let plan = h
        .state
        .runbook
        .as_ref()
        .and_then(|u| u.plan.clone())
        .expect("a plan");
    assert_eq!(plan.runbook, "rolling-maintenance");
    let calls: Vec<&str> = plan.steps.iter().map(|s| s.action.calls()).collect();
    let enter = calls.iter().position(|c| c.contains("EnterStandby"));
    let reboot = calls.iter().position(|c| c.contains("RebootInstances"));
    let exit = calls.iter().position(|c| c.contains("ExitStandby"));
    assert!(
        matches!((enter, reboot, exit), (Some(a), Some(b), Some(c)) if a < b && b < c),
        "EnterStandby, then the reboot, then ExitStandby: {calls:?}"
    );
    assert!(
        calls::real(&sim).is_empty(),
        "nothing changes before the approval"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_and_deregister_of_a_member_are_refused_with_the_reason() {
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), false).await;
    let (group, member, tg) = a_member(&h.state.data.inv);
    select_row(&mut h, "instances", &member).await;
    sim.clear_calls();
    h.text(key_of("stop")).await;
    assert!(h.state.dialog.is_none(), "no stop dialog");
    let status = h.status();
    assert!(
        status.contains(&group) && status.contains("Standby"),
        "{status}"
    );

    // Its row among the targets of its group's target group.
    h.command("targets").await;
    h.text(&format!("/{member}")).await;
    h.key(Key::plain(KeyCode::Enter)).await;
    let inv = &h.state.data.inv;
    let row = h
        .state
        .top_table_key()
        .and_then(|k| h.state.view(k))
        .and_then(|v| v.selected_row())
        .expect("a target row");
    assert_eq!(inv.target_health[row].target_id, member.as_str());
    assert_eq!(inv.target_health[row].target_group_arn, tg.as_str());
    h.text(key_of("deregister")).await;
    assert!(h.state.dialog.is_none(), "no deregister dialog");
    assert!(h.status().contains(&group), "{}", h.status());
    let mutating = calls::mutating(&sim);
    assert!(mutating.is_empty(), "not even a dry run: {mutating:?}");
}
