//! Runbooks on Auto Scaling groups, on the simulator with tokio's paused clock: rolling maintenance
//! through Standby never lets the group replace a member and never goes under the floor (with and
//! without room to shrink); remove-spof widens a single-AZ group (the group launches, opsdeck does
//! not) and its finding goes; a busy group is refused.

use crate::support;
use opsdeck_core::analysis::{AnalysisOptions, FindingKind, Floor, find_all};
use opsdeck_core::cloud::{CloudRead, CloudWrite, FetchOptions, fetch_inventory};
use opsdeck_core::domain::*;
use opsdeck_runbook::engine::{AutoApprove, EngineOptions, Runner, Stop, preflight};
use opsdeck_runbook::journal::{Journal, RunStatus};
use opsdeck_runbook::plan::{Action, Plan};
use opsdeck_runbook::rolling::{self, GroupDetails, RollingArgs};
use opsdeck_runbook::spof::{self, SpofArgs};
use opsdeck_sim::{FleetSource, Sim, SimOptions};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

const REGION: &str = "us-east-1";

/// `members` spread over the subnets of `azs`, behind an ALB in a and b.
fn fleet(azs: &[&str], min: i32, desired: i32, max: i32) -> String {
    let subnets: Vec<String> = azs.iter().map(|a| format!("\"app-{a}\"")).collect();
    format!(
        r#"
name = "group-runbooks"
[[regions]]
name = "us-east-1"
zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
base_images = ["ami-0c7217cdde317cfec"]
security_groups = ["app"]
[[regions.subnets]]
name = "app-a"
az = "us-east-1a"
cidr = "10.0.1.0/24"
[[regions.subnets]]
name = "app-b"
az = "us-east-1b"
cidr = "10.0.2.0/24"
[[regions.target_groups]]
name = "app-tg"
port = 80
deregistration_delay = 30
health_check = {{ interval = 10, healthy_threshold = 3, unhealthy_threshold = 2 }}
[[regions.load_balancers]]
name = "app-alb"
subnets = ["app-a", "app-b"]
listeners = [{{ port = 80, target_group = "app-tg" }}]
[[regions.auto_scaling_groups]]
name = "app"
subnets = [{}]
min = {min}
max = {max}
desired = {desired}
target_groups = ["app-tg"]
health_check = "ELB"
grace = 60
launched = "-1d"
"#,
        subnets.join(", ")
    )
}

struct World {
    sim: Sim,
    read: Arc<dyn CloudRead>,
    write: Arc<dyn CloudWrite>,
}

fn world(toml: String) -> World {
    let sim = Sim::new(SimOptions {
        fleet: FleetSource::Toml(toml),
        seed: 11,
        speed: 1.0,
        epoch: None,
    })
    .expect("fleet loads");
    World {
        read: sim.reader(REGION),
        write: sim.writer(REGION),
        sim,
    }
}

async fn inventory(w: &World) -> Inventory {
    fetch_inventory(
        std::slice::from_ref(&w.read),
        &FetchOptions {
            metrics: false,
            alarms: false,
            ..FetchOptions::default()
        },
    )
    .await
}

async fn group(w: &World) -> AutoScalingGroup {
    w.read
        .auto_scaling_group("app")
        .await
        .expect("describe")
        .expect("the group")
}

async fn serving(w: &World) -> usize {
    let g = group(w).await;
    let healthy: Vec<String> = w
        .read
        .target_health(&g.target_group_arns[0])
        .await
        .expect("health")
        .into_iter()
        .filter(|t| t.state == TargetState::Healthy)
        .map(|t| t.target_id.to_string())
        .collect();
    g.in_service()
        .filter(|m| healthy.iter().any(|h| h == m.instance_id.as_str()))
        .count()
}

/// Runs a plan to its end on the paused clock, sampling (serving, member ids) every second.
async fn run(w: &World, plan: Plan) -> (RunStatus, Vec<(usize, BTreeSet<String>)>) {
    let problems = preflight(w.read.as_ref(), w.write.as_ref(), &plan, plan.floor()).await;
    assert!(problems.is_empty(), "{problems:?}");
    let dir = tempfile::tempdir().expect("tempdir");
    let journal = Journal::create(dir.path(), "run-1", None, &plan).expect("journal");
    let mut state = journal.load().expect("load");
    let (_cancel_tx, cancel) = tokio::sync::watch::channel(Stop::Go);
    let runner = Runner {
        read: w.read.clone(),
        write: w.write.clone(),
        journal,
        approver: Arc::new(AutoApprove),
        events: None,
        cancel,
        opts: EngineOptions {
            floor: Floor::default(),
            ..EngineOptions::default()
        },
        kill_after: None,
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let w2 = World {
        sim: w.sim.clone(),
        read: w.read.clone(),
        write: w.write.clone(),
    };
    let sampler = tokio::spawn(async move {
        let mut samples = Vec::new();
        while !*stop_rx.borrow() {
            let g = group(&w2).await;
            let ids = g
                .members
                .iter()
                .map(|m| m.instance_id.to_string())
                .collect();
            samples.push((serving(&w2).await, ids));
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        samples
    });
    let status = runner.run(&mut state).await.expect("runs");
    let _ = stop_tx.send(true);
    let samples = sampler.await.expect("the sampler ran");
    assert!(
        samples.len() > 60,
        "sampled the whole run: {}",
        samples.len()
    );
    (status, samples)
}

async fn details(w: &World, inv: &Inventory) -> GroupDetails {
    let mut d = GroupDetails::new();
    for tg in &inv.target_groups {
        d.insert(
            tg.arn.to_string(),
            w.read.target_group_details(&tg.arn).await.expect("details"),
        );
    }
    d
}

/// Three members over two AZs, room to shrink (min 1): each goes to Standby decrementing desired,
/// reboots, comes back. The group never replaces one, and never has fewer than two serving.
#[tokio::test(start_paused = true)]
async fn rolling_maintenance_of_a_group_goes_through_standby_and_keeps_every_member() {
    let w = world(fleet(&["a", "b"], 1, 3, 4));
    let before: BTreeSet<String> = group(&w)
        .await
        .members
        .iter()
        .map(|m| m.instance_id.to_string())
        .collect();
    tokio::time::sleep(Duration::from_secs(60)).await;
    let inv = inventory(&w).await;
    let args = RollingArgs {
        group: Some("app".into()),
        ..RollingArgs::default()
    };
    let plan = rolling::plan(
        &inv,
        REGION,
        &args,
        &details(&w, &inv).await,
        chrono::Utc::now(),
    )
    .expect("plan");
    let kinds: Vec<&str> = plan.steps.iter().map(|s| s.action_name()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "enter_standby").count(), 3);
    assert!(
        !kinds.contains(&"deregister_target"),
        "Standby drains: {kinds:?}"
    );
    assert!(
        plan.steps.iter().all(|s| !matches!(
            s.action,
            Action::EnterStandby {
                decrement: false,
                ..
            }
        )),
        "min 1 leaves room to shrink"
    );
    let (status, samples) = run(&w, plan).await;
    assert_eq!(status, RunStatus::Done);
    assert!(!samples.is_empty());
    for (n, (serving, ids)) in samples.iter().enumerate() {
        assert!(*serving >= 2, "sample {n}: {serving} serving");
        assert!(
            ids.is_subset(&before),
            "sample {n}: the group launched {ids:?}"
        );
    }
    let g = group(&w).await;
    assert_eq!(g.desired_capacity, 3);
    assert_eq!(serving(&w).await, 3);
    // Every member went into Standby before its reboot and came back after it.
    // Every call that reached the group, failed ones too (a refused EnterStandby still happened).
    let calls: Vec<String> = crate::support::calls::made_in_order(&w.sim)
        .into_iter()
        .map(str::to_string)
        .collect();
    let pattern: Vec<&str> = calls
        .iter()
        .map(|c| c.as_str())
        .filter(|c| matches!(*c, "EnterStandby" | "RebootInstances" | "ExitStandby"))
        .collect();
    assert_eq!(
        pattern,
        ["EnterStandby", "RebootInstances", "ExitStandby"].repeat(3),
        "{calls:?}"
    );
    assert!(
        !calls
            .iter()
            .any(|c| c == "DeregisterTargets" || c == "StopInstances")
    );
}

/// min = desired = 3: the group may not shrink, so a stand-in is launched (and serving) before each
/// member leaves; three serve at every moment; desired is set back at the end.
#[tokio::test(start_paused = true)]
async fn a_group_that_may_not_shrink_gets_a_stand_in_first_and_never_dips() {
    let w = world(fleet(&["a", "b"], 3, 3, 4));
    tokio::time::sleep(Duration::from_secs(60)).await;
    let inv = inventory(&w).await;
    let args = RollingArgs {
        group: Some("app".into()),
        ..RollingArgs::default()
    };
    let plan = rolling::plan(
        &inv,
        REGION,
        &args,
        &details(&w, &inv).await,
        chrono::Utc::now(),
    )
    .expect("plan");
    let kinds: Vec<&str> = plan.steps.iter().map(|s| s.action_name()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "shape_group").count(),
        1,
        "one stand-in"
    );
    assert_eq!(
        &kinds[kinds.len() - 2..],
        ["restore_desired", "resume_processes"],
        "desired set back, then AZRebalance resumed: {kinds:?}"
    );
    assert_eq!(
        kinds[0], "suspend_processes",
        "AZRebalance off first: {kinds:?}"
    );
    let (status, samples) = run(&w, plan).await;
    assert_eq!(status, RunStatus::Done);
    for (n, (serving, _)) in samples.iter().enumerate() {
        assert!(*serving >= 3, "sample {n}: {serving} serving");
    }
    let g = group(&w).await;
    assert_eq!(g.desired_capacity, 3, "desired set back");
    tokio::time::sleep(Duration::from_secs(5 * 60)).await;
    assert_eq!(group(&w).await.in_service().count(), 3);
}

/// remove-spof on a member of a single-AZ group widens the group: a subnet in another AZ the load
/// balancer serves, one more instance; the group launches it (no RunInstances from opsdeck) and
/// the group's single-az finding goes.
#[tokio::test(start_paused = true)]
async fn remove_spof_widens_a_single_az_group_and_its_finding_goes() {
    let w = world(fleet(&["a"], 2, 2, 2));
    tokio::time::sleep(Duration::from_secs(60)).await;
    let inv = inventory(&w).await;
    let opts = AnalysisOptions::new(chrono::Utc::now());
    let single_az = |inv: &Inventory| {
        find_all(inv, &opts)
            .into_iter()
            .filter(|f| f.kind == FindingKind::SingleAz && f.resources[0] == "app")
            .count()
    };
    assert_eq!(single_az(&inv), 1);
    let member = inv.auto_scaling_groups[0].members[0]
        .instance_id
        .to_string();
    let plan = spof::plan(&inv, &SpofArgs::new(&member)).expect("plan");
    assert!(
        plan.notes[0].contains("widened instead of cloning"),
        "{:?}",
        plan.notes
    );
    w.sim.clear_calls();
    let (status, _) = run(&w, plan).await;
    assert_eq!(status, RunStatus::Done);
    let calls = w.sim.calls();
    assert!(
        !calls
            .iter()
            .any(|c| c.action == "RunInstances" || c.action == "CreateImage"),
        "the group launches, not opsdeck"
    );
    assert!(
        calls
            .iter()
            .any(|c| c.action == "UpdateAutoScalingGroup" && !c.dry_run)
    );
    let after = inventory(&w).await;
    let g = after.auto_scaling_group("app").expect("group");
    assert_eq!(after.group_azs(g), vec!["us-east-1a", "us-east-1b"]);
    assert_eq!((g.min_size, g.desired_capacity, g.max_size), (2, 3, 3));
    assert_eq!(single_az(&after), 0, "the finding is gone");
}

#[tokio::test(start_paused = true)]
async fn maintenance_is_refused_while_the_group_refreshes() {
    let w = world(fleet(&["a", "b"], 1, 2, 4));
    w.sim.chaos("refresh app").expect("refresh");
    tokio::time::sleep(Duration::from_secs(5)).await;
    let inv = inventory(&w).await;
    let args = RollingArgs {
        group: Some("app".into()),
        ..RollingArgs::default()
    };
    let err = rolling::plan(
        &inv,
        REGION,
        &args,
        &GroupDetails::new(),
        chrono::Utc::now(),
    )
    .expect_err("refused");
    assert!(err.contains("instance refresh"), "{err}");
}

/// `--replace`: each member is terminated through the group (without decrementing) and the run waits
/// for its replacement, healthy, before the next.
#[tokio::test(start_paused = true)]
async fn replace_terminates_through_the_group_and_waits_for_the_replacement() {
    let w = world(fleet(&["a", "b"], 1, 2, 4));
    tokio::time::sleep(Duration::from_secs(60)).await;
    let before: BTreeSet<String> = group(&w)
        .await
        .members
        .iter()
        .map(|m| m.instance_id.to_string())
        .collect();
    let inv = inventory(&w).await;
    let args = RollingArgs {
        group: Some("app".into()),
        replace: true,
        ..RollingArgs::default()
    };
    let plan = rolling::plan(
        &inv,
        REGION,
        &args,
        &details(&w, &inv).await,
        chrono::Utc::now(),
    )
    .expect("plan");
    let (status, samples) = run(&w, plan).await;
    assert_eq!(status, RunStatus::Done);
    assert!(samples.iter().all(|(s, _)| *s >= 1));
    let after: BTreeSet<String> = group(&w)
        .await
        .members
        .iter()
        .map(|m| m.instance_id.to_string())
        .collect();
    assert!(
        after.is_disjoint(&before),
        "every member replaced: {after:?}"
    );
    assert_eq!(serving(&w).await, 2);
}

/// A run that suspended processes dies mid-way. Abandoning it without a writer (read-only) is
/// refused and leaves it open; with one it resumes what the run suspended, says which member is
/// left in Standby, and closes the run.
#[tokio::test(start_paused = true)]
async fn abandon_resumes_what_the_run_suspended_and_names_what_is_left_in_standby() {
    use opsdeck_runbook::control::{self, AbandonError};
    let w = world(fleet(&["a", "b"], 1, 3, 4));
    tokio::time::sleep(Duration::from_secs(60)).await;
    let inv = inventory(&w).await;
    let args = RollingArgs {
        group: Some("app".into()),
        ..RollingArgs::default()
    };
    let plan = rolling::plan(
        &inv,
        REGION,
        &args,
        &details(&w, &inv).await,
        chrono::Utc::now(),
    )
    .expect("plan");
    let standby = plan
        .steps
        .iter()
        .position(|s| matches!(s.action, Action::EnterStandby { .. }))
        .expect("a Standby step");
    let dir = tempfile::tempdir().expect("tempdir");
    let journal = Journal::create(dir.path(), "run-1", None, &plan).expect("journal");
    let mut state = journal.load().expect("load");
    // Dies just after the first EnterStandby's answer was journaled: a step writes started and
    // finished, a mutating one act_started and act_done between them.
    let writes_before = plan.steps[..standby]
        .iter()
        .map(|s| if s.action.is_mutating() { 4 } else { 2 })
        .sum::<usize>()
        + 3;
    let dying = Runner {
        kill_after: Some(Arc::new(std::sync::atomic::AtomicUsize::new(writes_before))),
        ..support::runbook::runner(&w.read, &w.write, journal)
    };
    let ended = dying.run(&mut state).await;
    assert!(ended.is_err(), "killed: {ended:?}");
    let g = group(&w).await;
    assert!(
        g.suspended_processes.iter().any(|p| p == "AZRebalance"),
        "the run suspended AZRebalance: {:?}",
        g.suspended_processes
    );
    let in_standby: Vec<String> = g
        .members
        .iter()
        .filter(|m| m.lifecycle_state == LifecycleState::Standby)
        .map(|m| m.instance_id.to_string())
        .collect();
    assert_eq!(in_standby.len(), 1, "{:?}", g.members);

    let j = Journal::open(dir.path(), "run-1").expect("open");
    let none = |_: &str| None;
    match control::abandon(&j, "run-1", None, &none).await {
        Err(AbandonError::Refused(why)) => {
            assert!(why.contains("AZRebalance") && why.contains("app"), "{why}")
        }
        other => panic!("refused without a writer: {other:?}"),
    }
    assert!(j.load().expect("load").status.is_open(), "still open");

    let writer = |r: &str| (r == REGION).then(|| w.write.clone());
    let said = control::abandon(&j, "run-1", None, &writer)
        .await
        .expect("abandoned");
    assert!(
        said.iter()
            .any(|l| l.contains("resumed") && l.contains("AZRebalance")),
        "{said:?}"
    );
    assert!(
        said.iter()
            .any(|l| l.contains(&in_standby[0]) && l.contains("Standby")),
        "{said:?}"
    );
    assert_eq!(j.load().expect("load").status, RunStatus::Abandoned);
    assert!(
        group(&w).await.suspended_processes.is_empty(),
        "nothing left suspended"
    );
}
