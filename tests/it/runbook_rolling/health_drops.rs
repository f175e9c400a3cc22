//! Health dropping while a run goes on: the engine re-checks capacity before each instance leaves
//! (its `capacity_guard` step), on what the cloud says then, not on the plan. Two per AZ behind one
//! load balancer, `--floor-per-az 1`, maintaining web-a1 then web-b1; web-b2 crashes while web-a1
//! drains, which leaves web-b1 the last healthy target of us-east-1b.

use super::*;
use crate::support::calls::attempted;
use opsdeck_runbook::plan::Action;

const TWO_PER_AZ: &str = r#"
name = "two-per-az"
[[regions]]
name = "us-east-1"
zones = ["us-east-1a", "us-east-1b"]
vpc_cidr = "10.31.0.0/16"
base_images = ["ami-0123456789abcdef0"]
security_groups = ["web"]

[[regions.subnets]]
name = "a"
az = "us-east-1a"
cidr = "10.31.1.0/24"

[[regions.subnets]]
name = "b"
az = "us-east-1b"
cidr = "10.31.2.0/24"

[[regions.instances]]
name = "web-a1"
type = "t3.micro"
subnet = "a"
launched = "-2d"

[[regions.instances]]
name = "web-a2"
type = "t3.micro"
subnet = "a"
launched = "-2d"

[[regions.instances]]
name = "web-b1"
type = "t3.micro"
subnet = "b"
launched = "-2d"

[[regions.instances]]
name = "web-b2"
type = "t3.micro"
subnet = "b"
launched = "-2d"

[[regions.target_groups]]
name = "web-tg"
port = 80
deregistration_delay = 30
targets = ["web-a1", "web-a2", "web-b1", "web-b2"]
health_check = { path = "/", interval = 10, healthy_threshold = 3, unhealthy_threshold = 2, matcher = "200" }

[[regions.load_balancers]]
name = "web-alb"
subnets = ["a", "b"]
listeners = [{ port = 80, target_group = "web-tg" }]
"#;

/// Healthy targets per AZ, each simulated second until `stop`; a failed read fails the test.
fn healthy_per_az(
    w: &World,
    stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<Vec<(usize, usize)>> {
    let read = w.read.clone();
    let azs: std::collections::BTreeMap<String, &str> = [
        ("web-a1", "a"),
        ("web-a2", "a"),
        ("web-b1", "b"),
        ("web-b2", "b"),
    ]
    .iter()
    .map(|(n, az)| (w.id(n), *az))
    .collect();
    tokio::spawn(async move {
        let tg = read.target_groups().await.expect("DescribeTargetGroups")[0]
            .arn
            .clone();
        let mut samples = Vec::new();
        while !*stop.borrow() {
            let th = read.target_health(&tg).await.expect("DescribeTargetHealth");
            let healthy = |az: &str| {
                th.iter()
                    .filter(|t| t.state == TargetState::Healthy)
                    .filter(|t| azs.get(t.target_id.as_str()) == Some(&az))
                    .count()
            };
            samples.push((healthy("a"), healthy("b")));
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        samples
    })
}

/// The plan (floor 1 per AZ, web-a1 then web-b1) and the world, with web-a1's guard passing.
async fn planned() -> (World, Plan) {
    let w = world(TWO_PER_AZ);
    let args = RollingArgs {
        instances: vec![w.id("web-a1"), w.id("web-b1")],
        floor_per_az: Some(1),
        ..Default::default()
    };
    let plan = plan_for(&w, &args).await.expect("plan");
    assert_eq!(
        plan.floor().per_az,
        Some(1),
        "the plan carries the AZ floor"
    );
    runbook::assert_preflight_ok(&w.read, &w.write, &plan).await;
    (w, plan)
}

/// The step index of the guard before `instance` leaves.
fn guard_of(plan: &Plan, instance: &str) -> usize {
    plan.steps
        .iter()
        .position(|s| matches!(&s.action, Action::CapacityGuard { instance: i } if i == instance))
        .unwrap_or_else(|| panic!("a guard for {instance}"))
}

#[tokio::test(start_paused = true)]
async fn health_dropping_mid_run_stops_the_run_before_the_next_target_leaves() {
    let (w, plan) = planned().await;
    let (b1, b2) = (w.id("web-b1"), w.id("web-b2"));
    let b1_guard = guard_of(&plan, &b1);
    let (dir, j, mut state) = runbook::journal("hd", &plan);
    let (mut r, mut events) = runner(&w, j, None);
    r.opts.floor = plan.floor();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let sampler = healthy_per_az(&w, stop_rx);
    let sim = w.sim.clone();
    let chaos = async {
        // web-a1's deregistration is made: web-b2 crashes while web-a1 drains.
        while let Some(e) = events.recv().await {
            if matches!(&e, RunEvent::Acted { call, .. } if call.contains("DeregisterTargets")) {
                sim.crash(&b2).expect("crash web-b2");
                break;
            }
        }
        // Drain the rest so the sender never blocks.
        while events.recv().await.is_some() {}
    };
    let run = async {
        let s = r.run(&mut state).await.expect("run");
        drop(r);
        s
    };
    let (status, ()) = tokio::join!(run, chaos);
    stop_tx.send(true).ok();
    let samples = sampler.await.expect("sampler");

    assert_eq!(status, RunStatus::Failed, "{:?}", state.last_error);
    let why = state.last_error.clone().unwrap_or_default();
    assert!(
        why.contains("timed out")
            && why.contains("target group web-tg would keep 0 healthy target(s) in us-east-1b")
            && why.contains("floor 1"),
        "the run says why it stopped: {why}"
    );
    assert_eq!(
        state.next_step(),
        Some(b1_guard),
        "stopped at web-b1's guard"
    );
    // The journal on disk says so too: its last record is the guard's failure, with the reason.
    let text = std::fs::read_to_string(dir.path().join("hd.jsonl")).expect("journal");
    let last: serde_json::Value =
        serde_json::from_str(text.lines().last().expect("a record")).expect("json");
    assert_eq!(last["event"], "step_failed", "{last}");
    assert_eq!(last["step"], b1_guard, "{last}");
    assert!(
        last["error"]
            .as_str()
            .is_some_and(|e| e.contains("would keep 0 healthy target(s) in us-east-1b")),
        "{last}"
    );
    let replayed = Journal::open(dir.path(), "hd")
        .and_then(|j| j.load())
        .expect("replay");
    assert_eq!(replayed.status, RunStatus::Failed);
    assert_eq!(replayed.last_error.as_deref(), Some(why.as_str()));

    // web-b1 never left: one deregistration (web-a1's), one reboot, and web-b1 still serves.
    assert_eq!(attempted(&w.sim, "DeregisterTargets"), 1);
    assert_eq!(attempted(&w.sim, "RebootInstances"), 1);
    let inv = w.inventory().await;
    let b1_target = inv
        .registrations_of_instance(&b1)
        .next()
        .expect("web-b1 registered");
    assert_eq!(b1_target.state, TargetState::Healthy);
    // No AZ was ever without a healthy target, and us-east-1b really fell to its last one.
    assert!(samples.len() > 1000, "sampled the run: {}", samples.len());
    assert!(
        samples.iter().all(|(a, b)| *a >= 1 && *b >= 1),
        "an AZ at 0 healthy: {:?}",
        samples.iter().find(|(a, b)| *a == 0 || *b == 0)
    );
    assert!(samples.contains(&(2, 1)), "web-b2's crash showed");
}

#[tokio::test(start_paused = true)]
async fn the_guard_waits_while_health_is_down_and_goes_on_once_it_is_back() {
    let (w, plan) = planned().await;
    let (b1, b2) = (w.id("web-b1"), w.id("web-b2"));
    let b1_guard = guard_of(&plan, &b1);
    let (_dir, j, mut state) = runbook::journal("hw", &plan);
    let (mut r, mut events) = runner(&w, j, None);
    r.opts.floor = plan.floor();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let sampler = healthy_per_az(&w, stop_rx);
    let (sim, write) = (w.sim.clone(), w.write.clone());
    let operator = async {
        let mut crashed = false;
        let mut held = None;
        while let Some(e) = events.recv().await {
            match &e {
                RunEvent::Acted { call, .. } if !crashed && call.contains("DeregisterTargets") => {
                    sim.crash(&b2).expect("crash web-b2");
                    crashed = true;
                }
                // The guard holds web-b1 back: five minutes later the operator reboots web-b2.
                RunEvent::Waiting { step, detail, .. }
                    if *step == b1_guard && held.is_none() && detail.contains("would keep 0") =>
                {
                    held = Some(tokio::time::Instant::now());
                    tokio::time::sleep(Duration::from_secs(300)).await;
                    write
                        .reboot_instances(std::slice::from_ref(&b2), false)
                        .await
                        .expect("reboot web-b2");
                }
                _ => {}
            }
        }
        held
    };
    let run = async {
        let s = r.run(&mut state).await.expect("run");
        drop(r);
        s
    };
    let (status, held) = tokio::join!(run, operator);
    stop_tx.send(true).ok();
    let samples = sampler.await.expect("sampler");

    assert!(
        held.is_some(),
        "the guard held web-b1 back while web-b2 was down"
    );
    assert_eq!(status, RunStatus::Done, "{:?}", state.last_error);
    assert_eq!(
        attempted(&w.sim, "DeregisterTargets"),
        2,
        "both went, in turn"
    );
    assert!(
        samples.iter().all(|(a, b)| *a >= 1 && *b >= 1),
        "an AZ at 0 healthy: {:?}",
        samples.iter().find(|(a, b)| *a == 0 || *b == 0)
    );
    // us-east-1b went down to one healthy target twice: web-b2 crashed, then web-b1 out.
    let ones = samples
        .windows(2)
        .filter(|p| p[0].1 != 1 && p[1].1 == 1)
        .count();
    assert!(ones >= 2, "{ones} dips to one in us-east-1b");
}
