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

/// What the run made shows in its outputs block and in the titles that name it; a step past its
/// expected time says "overdue" and what it last saw.
#[tokio::test(start_paused = true)]
async fn runbook_outputs_and_an_overdue_step() {
    both("runbook_outputs", |s| {
        use opsdeck_runbook::engine::RunEvent;
        plan_from_catalog(s, "remove-spof", "targets of web-tg");
        let generation = start_run(s);
        let out = |k: &str, v: &str| {
            let mut o = opsdeck_runbook::journal::Outputs::new();
            o.insert(k.into(), v.into());
            o
        };
        let title =
            |s: &AppState, i: usize| s.runbook.as_ref().map(|u| u.title(i)).unwrap_or_default();
        let clock = s.clock;
        let mut events = vec![RunEvent::StepFinished {
            step: 0,
            elapsed_secs: 42,
            outputs: out("image", "ami-0feedbeef0000001"),
        }];
        events.push(RunEvent::StepStarted {
            step: 1,
            title: title(s, 1),
            expected_secs: 120,
            resumed: false,
            at: clock,
        });
        events.push(RunEvent::StepFinished {
            step: 1,
            elapsed_secs: 95,
            outputs: out("replacement", "i-0c10e000000000001"),
        });
        for event in events {
            app::update(s, Input::Msg(Msg::Run { generation, event }));
        }
        let expected = s
            .runbook
            .as_ref()
            .and_then(|u| u.plan.as_ref())
            .map_or(60, |p| p.steps[2].expected_secs);
        for event in [
            RunEvent::StepStarted {
                step: 2,
                title: title(s, 2),
                expected_secs: expected,
                resumed: false,
                at: clock - chrono::Duration::seconds(expected as i64 + 89),
            },
            RunEvent::Waiting {
                step: 2,
                detail: "waiting for i-0c10e000000000001 to pass its status checks".into(),
                elapsed_secs: expected + 89,
                expected_secs: expected,
            },
        ] {
            app::update(s, Input::Msg(Msg::Run { generation, event }));
        }
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
                called: vec![4],
                outputs: vec![],
                resources_gone: false,
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
                called: vec![],
                outputs: vec![("snap-vol-0a1".into(), "snap-0123456789abcdef0".into())],
                resources_gone: false,
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
