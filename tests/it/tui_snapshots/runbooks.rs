//! The runbook screens: the catalog, a plan, a run under way, a destructive step's approval, and
//! the unfinished-run banner with `:runs`.

use super::*;

#[tokio::test(start_paused = true)]
async fn runbooks_catalog() {
    both("runbooks_catalog", |s| command(s, "runbooks")).await;
}

#[tokio::test(start_paused = true)]
async fn runbook_plan_ready() {
    both("runbook_plan", |s| {
        plan_from_catalog(s, "remove-spof", "targets of web-tg")
    })
    .await;
}

/// Widening a single-AZ Auto Scaling group: a guard, one reshape, a wait; nothing launched by us.
#[tokio::test(start_paused = true)]
async fn runbook_plan_for_a_group() {
    both("runbook_plan_group", |s| {
        plan_from_catalog(s, "remove-spof", "Auto Scaling group")
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn runbook_running_with_health_and_log() {
    both("runbook_running", |s| {
        plan_from_catalog(s, "remove-spof", "targets of web-tg");
        start_run(s);
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn runbook_destructive_step_asks_for_the_id() {
    both("runbook_approval", |s| {
        plan_from_catalog(s, "db-failover", "");
        let generation = start_run(s);
        let step = s
            .runbook
            .as_ref()
            .and_then(|u| u.plan.as_ref())
            .and_then(|p| p.steps.iter().position(|st| st.action.is_destructive()))
            .expect("a destructive step");
        app::update(s, Input::Msg(Msg::RunAsk { generation, step }));
        press(s, "i-9");
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn unfinished_run_banner_and_runs_view() {
    use opsdeck_app::runbooks::RunSummary;
    use opsdeck_runbook::journal::RunStatus;
    let runs = || {
        vec![
            RunSummary {
                run_id: "20260101T000000-rolling-maintenance-1a2b3c".into(),
                runbook: "rolling-maintenance".into(),
                region: "us-east-1".into(),
                status: Some(RunStatus::Unfinished),
                done: 3,
                steps: 7,
                started_at: Some(epoch()),
                note: None,
            },
            RunSummary {
                run_id: "20251231T120000-snapshot-4d5e6f".into(),
                runbook: "snapshot".into(),
                region: "us-east-1".into(),
                status: Some(RunStatus::Done),
                done: 2,
                steps: 2,
                started_at: Some(epoch() - chrono::Duration::hours(12)),
                note: None,
            },
        ]
    };
    both("unfinished_run_banner", |s| {
        app::update(s, Input::Msg(Msg::Runs { runs: runs() }));
    })
    .await;
    both("runs_view", |s| {
        command(s, "runs");
        app::update(s, Input::Msg(Msg::Runs { runs: runs() }));
    })
    .await;
}
