//! Runbooks through the AWS adapter against moto, with the front's timed draining, `initial`
//! targets and scheduled events: the same engine that runs on the simulator.

mod support;

use opsdeck::analysis::Floor;
use opsdeck::cloud::{FetchOptions, fetch_inventory};
use opsdeck::domain::*;
use opsdeck::runbook::engine::{AutoApprove, EngineOptions, Runner, preflight};
use opsdeck::runbook::journal::{Journal, RunStatus};
use opsdeck::runbook::rolling::{self, GroupDetails, RollingArgs};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::moto;

#[tokio::test]
async fn rolling_maintenance_drains_restarts_and_rejoins_against_moto() {
    let (_g, seed) = moto::seeded_with(&["--web-deregistration-delay", "2"]).await;
    moto::control(
        "/_plus/config",
        json!({ "drain": true, "initial_seconds": 1 }),
    );
    let (read, write) = moto::ports("us-east-1").await;
    let web2 = moto::id(&seed, &["instances", "web-2"]);
    let web_tg = moto::id(&seed, &["target_groups", "web-tg"]);

    let inv = fetch_inventory(
        std::slice::from_ref(&read),
        &FetchOptions {
            metrics: false,
            ..FetchOptions::default()
        },
    )
    .await;
    let mut details = GroupDetails::new();
    details.insert(
        web_tg.clone(),
        read.target_group_details(&web_tg).await.expect("details"),
    );
    // From the scheduled events: only web-2 has one (a system-reboot: stop/start).
    let plan = rolling::plan(&inv, "us-east-1", &RollingArgs::default(), &details).expect("plan");
    let kinds: Vec<&str> = plan.steps.iter().map(|s| s.action_name()).collect();
    assert_eq!(
        kinds,
        [
            "capacity_guard",
            "deregister_target",
            "stop_instance",
            "start_instance",
            "register_target"
        ]
    );
    assert_eq!(
        plan.steps[1].expected_secs, 2,
        "the group's deregistration delay, read from AWS"
    );

    assert!(
        preflight(read.as_ref(), write.as_ref(), &plan, Floor::default())
            .await
            .is_empty()
    );
    moto::clear_requests();
    let dir = tempfile::tempdir().expect("tempdir");
    let j = Journal::create(dir.path(), "moto-rolling", None, &plan).expect("journal");
    let mut state = j.load().expect("load");
    let (_c, cancel) = tokio::sync::watch::channel(false);
    let runner = Runner {
        read: read.clone(),
        write,
        journal: j,
        approver: Arc::new(AutoApprove),
        events: None,
        cancel,
        opts: EngineOptions {
            poll_initial: Duration::from_millis(250),
            poll_max: Duration::from_secs(1),
            ..EngineOptions::default()
        },
        kill_after: None,
    };
    let status = tokio::time::timeout(Duration::from_secs(60), runner.run(&mut state))
        .await
        .expect("finishes")
        .expect("run");
    assert_eq!(status, RunStatus::Done, "{:?}", state.last_error);

    // The calls, in the order the runbook promises, each once.
    let log = moto::requests();
    let pos = |a: &str| {
        log.iter()
            .position(|r| r.action == a)
            .unwrap_or_else(|| panic!("{a} was called: {log:?}"))
    };
    assert!(pos("DeregisterTargets") < pos("StopInstances"));
    assert!(pos("StopInstances") < pos("StartInstances"));
    assert!(pos("StartInstances") < pos("RegisterTargets"));
    for a in [
        "DeregisterTargets",
        "StopInstances",
        "StartInstances",
        "RegisterTargets",
    ] {
        assert_eq!(log.iter().filter(|r| r.action == a).count(), 1, "{a} once");
    }
    // It waited out the drain: health was polled between deregistering and stopping.
    let polls = log[pos("DeregisterTargets")..pos("StopInstances")]
        .iter()
        .filter(|r| r.action == "DescribeTargetHealth")
        .count();
    assert!(polls >= 2, "polled the draining target ({polls} times)");

    let after = fetch_inventory(
        std::slice::from_ref(&read),
        &FetchOptions {
            metrics: false,
            ..FetchOptions::default()
        },
    )
    .await;
    let t = after
        .target_health
        .iter()
        .find(|t| t.target_id == web2)
        .expect("web-2 registered again");
    assert_eq!(t.state, TargetState::Healthy);
    assert_eq!(
        after.instance(&web2).map(|i| i.state),
        Some(InstanceState::Running)
    );
}
