//! Rolling maintenance on the simulator with tokio's paused clock: the issue's scenarios, timed the
//! way AWS times them (draining for the deregistration delay, reboots, health checks).

use crate::support::calls::{self, made};
use crate::support::inventory;
use crate::support::runbook::{self, at_every_kill_point};
use crate::support::sim::{self, World};
use opsdeck_core::analysis::Floor;
use opsdeck_core::cloud::CloudWrite;
use opsdeck_core::domain::*;
use opsdeck_runbook::engine::{RunEvent, Runner, preflight};
use opsdeck_runbook::journal::{Journal, RunStatus};
use opsdeck_runbook::plan::Plan;
use opsdeck_runbook::rolling::{self, GroupDetails, RollingArgs};
use std::sync::Arc;
use std::time::Duration;

const REGION: &str = "us-east-1";

/// Three web servers in two AZs behind one ALB; each has a scheduled event (two kinds).
const FLEET: &str = r#"
name = "rolling"
[[regions]]
name = "us-east-1"
zones = ["us-east-1a", "us-east-1b"]
vpc_cidr = "10.30.0.0/16"
base_images = ["ami-0123456789abcdef0"]
security_groups = ["web"]

[[regions.subnets]]
name = "a"
az = "us-east-1a"
cidr = "10.30.1.0/24"

[[regions.subnets]]
name = "b"
az = "us-east-1b"
cidr = "10.30.2.0/24"

[[regions.instances]]
name = "web-1"
type = "t3.micro"
subnet = "a"
role = "web"
launched = "-2d"
security_groups = ["web"]
[[regions.instances.events]]
code = "system-reboot"
starts = "3d"
window = "2h"
deadline = "10d"

[[regions.instances]]
name = "web-2"
type = "t3.micro"
subnet = "a"
role = "web"
launched = "-2d"
security_groups = ["web"]
[[regions.instances.events]]
code = "instance-reboot"
starts = "4d"
window = "2h"
deadline = "10d"

[[regions.instances]]
name = "web-3"
type = "t3.micro"
subnet = "b"
role = "web"
launched = "-2d"
security_groups = ["web"]
[[regions.instances.events]]
code = "system-maintenance"
starts = "5d"
window = "2h"

[[regions.target_groups]]
name = "web-tg"
port = 80
deregistration_delay = 30
targets = ["web-1", "web-2", "web-3"]
health_check = { path = "/", interval = 10, healthy_threshold = 3, unhealthy_threshold = 2, matcher = "200" }

[[regions.load_balancers]]
name = "web-alb"
subnets = ["a", "b"]
listeners = [{ port = 80, target_group = "web-tg" }]
"#;

fn world(fleet: &str) -> World {
    World::new(sim::toml(fleet, 7), REGION)
}

async fn plan_for(w: &World, args: &RollingArgs) -> Result<Plan, String> {
    let inv = w.inventory().await;
    let mut details = GroupDetails::new();
    for tg in &inv.target_groups {
        details.insert(
            tg.arn.to_string(),
            w.read
                .target_group_details(&tg.arn)
                .await
                .expect("tg details"),
        );
    }
    rolling::plan(&inv, REGION, args, &details)
}

/// `support::runbook::runner`, its events sent to the receiver returned.
fn runner(
    w: &World,
    journal: Journal,
    kill_after: Option<usize>,
) -> (Runner, tokio::sync::mpsc::UnboundedReceiver<RunEvent>) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let r = Runner {
        events: Some(tx),
        kill_after: runbook::kill_after(kill_after),
        ..runbook::runner(&w.read, &w.write, journal)
    };
    (r, rx)
}

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
    assert!(
        preflight(w.read.as_ref(), w.write.as_ref(), &plan, Floor::default())
            .await
            .is_empty()
    );
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
    assert!(
        preflight(w.read.as_ref(), w.write.as_ref(), &plan, Floor::default())
            .await
            .is_empty(),
        "preflight retries busy APIs"
    );
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

#[tokio::test(start_paused = true)]
async fn cancelling_then_rolling_back_re_registers_what_was_deregistered() {
    let w = world(FLEET);
    let plan = plan_for(&w, &RollingArgs::default()).await.expect("plan");
    let (dir, j, mut state) = runbook::journal("rc", &plan);
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let (cancel_tx, cancel_rx) = tokio::sync::watch::channel(false);
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
                cancel_tx.send(true).ok();
                break;
            }
        }
        cancel_tx
    });
    let status = r.run(&mut state).await.expect("run");
    let _keep = canceller.await;
    assert_eq!(status, RunStatus::Cancelled);
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

// ---------------------------------------------------------------------------------------------------
// Instances without a scheduled event (`--instance`): nothing in the cloud closes when they reboot,
// so a resumed reboot step must decide from what shows, never reboot a second time blindly.

/// The fleet without any scheduled event.
fn eventless_fleet() -> String {
    let mut out = Vec::new();
    let mut skipping = false;
    for line in FLEET.lines() {
        if line.starts_with("[[regions.instances.events]]") {
            skipping = true;
            continue;
        }
        if skipping && line.starts_with('[') {
            skipping = false;
        }
        if !skipping {
            out.push(line);
        }
    }
    out.join("\n")
}

/// The world's writer behind an audit log, whose entries name each call's resources.
fn audited(w: &World, dir: &std::path::Path) -> (Arc<dyn CloudWrite>, std::path::PathBuf) {
    let path = dir.join("audit.jsonl");
    let a = opsdeck_runbook::audit::Audited::new(w.write.clone(), path.clone(), None, None);
    (Arc::new(a), path)
}

/// How many times each instance was really rebooted, from the audit log.
fn reboots_per_instance(audit: &std::path::Path) -> std::collections::BTreeMap<String, usize> {
    let mut per = std::collections::BTreeMap::new();
    for line in std::fs::read_to_string(audit).unwrap_or_default().lines() {
        let e: serde_json::Value = serde_json::from_str(line).expect("audit line");
        if e["call"] == "RebootInstances" && e["dry_run"] == false && e["outcome"] == "ok" {
            for r in e["resources"].as_array().expect("resources") {
                *per.entry(r.as_str().expect("id").to_string()).or_insert(0) += 1;
            }
        }
    }
    per
}

fn eventless_args(w: &World) -> RollingArgs {
    RollingArgs {
        instances: ["web-1", "web-2", "web-3"]
            .iter()
            .map(|n| w.sim.instance_id(n).expect("instance"))
            .collect(),
        ..Default::default()
    }
}

#[tokio::test(start_paused = true)]
async fn eventless_reboots_survive_a_kill_at_every_boundary_with_one_reboot_each() {
    at_every_kill_point("eventless reboots", 20, async |n| {
        let w = world(&eventless_fleet());
        let plan = plan_for(&w, &eventless_args(&w)).await.expect("plan");
        let reboots = plan
            .steps
            .iter()
            .filter(|s| s.action_name() == "reboot_instance")
            .count();
        assert_eq!(reboots, 3, "no event: each instance is rebooted");
        let dir = tempfile::tempdir().expect("tempdir");
        let (write, audit) = audited(&w, dir.path());
        let (_, killed) = runbook::run_to_end(&w.read, &write, "rk", &plan, Some(n)).await;
        let per = reboots_per_instance(&audit);
        assert_eq!(per.len(), 3, "kill after {n} writes: {per:?}");
        assert!(
            per.values().all(|c| *c == 1),
            "kill after {n} writes: exactly one RebootInstances per instance: {per:?}"
        );
        assert_eq!(made(&w.sim, "RebootInstances"), 3);
        killed
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_reboot_in_doubt_with_no_trace_left_stops_and_asks_then_does_what_the_operator_says() {
    use opsdeck_runbook::control::resolve_in_doubt;
    for answer in ["done", "redo"] {
        // Find the kill that leaves the first reboot's call made but not journaled.
        let mut n = 1;
        let (w, dir, write, audit, step) = loop {
            let w = world(&eventless_fleet());
            let plan = plan_for(&w, &eventless_args(&w)).await.expect("plan");
            let (dir, j, mut state) = runbook::journal("rk", &plan);
            let (write, audit) = audited(&w, dir.path());
            let (mut r, _e) = runner(&w, j, Some(n));
            r.write = write.clone();
            assert!(r.run(&mut state).await.is_err(), "killed before the end");
            let replay = Journal::open(dir.path(), "rk")
                .and_then(|j| j.load())
                .expect("replay");
            if let Some(i) = replay.in_doubt_step()
                && replay.plan.steps[i].action_name() == "reboot_instance"
                && made(&w.sim, "RebootInstances") == 1
            {
                break (w, dir, write, audit, i);
            }
            n += 1;
            assert!(n < 40, "no kill leaves a reboot in doubt");
        };
        // The operator comes back later: the instance has long finished rebooting.
        tokio::time::sleep(Duration::from_secs(15 * 60)).await;
        let j = Journal::open(dir.path(), "rk").expect("journal");
        let mut resumed = j.load().expect("replay");
        let (mut r, _e) = runner(&w, j, None);
        r.write = write.clone();
        let status = r.run(&mut resumed).await.expect("resume");
        assert_eq!(
            status,
            RunStatus::Failed,
            "it stops rather than reboot again"
        );
        let why = resumed.last_error.clone().unwrap_or_default();
        assert!(
            why.contains("cannot tell whether it rebooted")
                && why.contains("opsdeck runbook resume rk --in-doubt done"),
            "{why}"
        );
        assert_eq!(made(&w.sim, "RebootInstances"), 1, "not rebooted blindly");

        // The operator checked the uptime and says what happened.
        let j = Journal::open(dir.path(), "rk").expect("journal");
        let mut settled = j.load().expect("replay");
        assert_eq!(
            resolve_in_doubt(&j, &mut settled, answer == "done"),
            Ok(step)
        );
        assert!(
            resolve_in_doubt(&j, &mut settled, true).is_err(),
            "settled once"
        );
        let (mut r, _e) = runner(&w, j, None);
        r.write = write.clone();
        let status = r.run(&mut settled).await.expect("resume");
        assert_eq!(status, RunStatus::Done, "{:?}", settled.last_error);
        let per = reboots_per_instance(&audit);
        let first = match &settled.plan.steps[step].action {
            opsdeck_runbook::plan::Action::RebootInstance { instance, .. } => instance.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            per.get(&first).copied(),
            Some(if answer == "done" { 1 } else { 2 }),
            "{answer}: {per:?}"
        );
        assert_eq!(per.len(), 3);
    }
}
