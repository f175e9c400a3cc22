//! remove-spof, db-failover, snapshot/restore/prune on the simulator's paused clock, with the
//! default demo fleet (the seeds' web shop): the scenarios.

use opsdeck::analysis::{AnalysisOptions, FindingKind, Floor, find_all};
use opsdeck::cloud::sim::{Sim, SimOptions};
use opsdeck::cloud::{CloudRead, CloudWrite, FetchOptions, fetch_inventory};
use opsdeck::domain::*;
use opsdeck::runbook::backup::{self, PruneArgs};
use opsdeck::runbook::engine::{AutoApprove, EngineOptions, Runner, preflight};
use opsdeck::runbook::failover::{self, FailoverArgs};
use opsdeck::runbook::journal::{Journal, RunStatus};
use opsdeck::runbook::plan::Plan;
use opsdeck::runbook::spof::{self, SpofArgs};
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

const R: &str = "us-east-1";

struct W {
    sim: Sim,
    read: Arc<dyn CloudRead>,
    write: Arc<dyn CloudWrite>,
}

fn demo() -> W {
    let sim = Sim::new(SimOptions {
        seed: 11,
        ..SimOptions::fleet("default")
    })
    .expect("default fleet");
    W {
        read: sim.reader(R),
        write: sim.writer(R),
        sim,
    }
}

async fn inventory(w: &W) -> Inventory {
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

fn id(w: &W, name: &str) -> String {
    w.sim
        .instance_id(name)
        .unwrap_or_else(|| panic!("no instance {name}"))
}

/// Runs a plan to the end (optionally "killed" after n journal writes and resumed).
async fn run(w: &W, plan: &Plan, kill_after: Option<usize>) -> (RunStatus, bool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let j = Journal::create(dir.path(), "t", None, plan).expect("journal");
    let mut state = j.load().expect("load");
    let mk = |j: Journal, kill: Option<usize>| {
        let (_c, cancel) = tokio::sync::watch::channel(false);
        std::mem::forget(_c);
        Runner {
            read: w.read.clone(),
            write: w.write.clone(),
            journal: j,
            approver: Arc::new(AutoApprove),
            events: None,
            cancel,
            opts: EngineOptions {
                floor: Floor::default(),
                ..EngineOptions::default()
            },
            kill_after: kill.map(|n| Arc::new(AtomicUsize::new(n))),
        }
    };
    match mk(j, kill_after).run(&mut state).await {
        Ok(s) => {
            assert_eq!(s, RunStatus::Done, "{:?}", state.last_error);
            (s, false)
        }
        Err(_) => {
            let j = Journal::open(dir.path(), "t").expect("journal");
            let mut resumed = j.load().expect("replay");
            let s = mk(j, None).run(&mut resumed).await.expect("resume");
            assert_eq!(
                s,
                RunStatus::Done,
                "after a kill at {kill_after:?}: {:?}",
                resumed.last_error
            );
            (s, true)
        }
    }
}

fn made(sim: &Sim, action: &str) -> usize {
    sim.calls()
        .iter()
        .filter(|c| c.action == action && c.mutating && !c.dry_run && c.error.is_none())
        .count()
}

fn findings(inv: &Inventory) -> Vec<(FindingKind, Vec<String>)> {
    find_all(inv, &AnalysisOptions::new(chrono::Utc::now()))
        .into_iter()
        .map(|f| (f.kind, f.resources))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn remove_spof_turns_the_single_az_web_tier_into_two_azs() {
    let w = demo();
    let before = inventory(&w).await;
    assert!(
        findings(&before)
            .iter()
            .any(|(k, r)| *k == FindingKind::SingleAz && r[0] == "web-tg"),
        "the demo starts single-AZ"
    );
    let plan = spof::plan(&before, &SpofArgs::new(&id(&w, "web-1"))).expect("plan");
    assert!(
        preflight(w.read.as_ref(), w.write.as_ref(), &plan, Floor::default())
            .await
            .is_empty()
    );
    run(&w, &plan, None).await;
    let after = inventory(&w).await;
    let tg = after.target_group("web-tg").expect("web-tg");
    let by_az = after.targets_by_az(&tg.arn);
    assert_eq!(by_az.len(), 2, "targets in two AZs: {:?}", by_az.keys());
    assert!(
        by_az
            .values()
            .flatten()
            .all(|t| t.state == TargetState::Healthy)
    );
    assert!(
        !findings(&after)
            .iter()
            .any(|(k, r)| *k == FindingKind::SingleAz && r[0] == "web-tg"),
        "the finding is gone"
    );
    let clone = after
        .instances
        .iter()
        .find(|i| i.az != "us-east-1a" && i.tags.get("role").map(String::as_str) == Some("web"))
        .expect("clone");
    assert_eq!(
        clone.name.as_deref(),
        Some("web-1-clone-1"),
        "tags copied, with a name of its own"
    );
    let src = after.instance(&id(&w, "web-1")).expect("web-1");
    assert_eq!(
        (
            &clone.instance_type,
            &clone.security_group_ids,
            &clone.key_name
        ),
        (&src.instance_type, &src.security_group_ids, &src.key_name)
    );
    assert_eq!(made(&w.sim, "RunInstances"), 1);
    assert_eq!(made(&w.sim, "CreateImage"), 1);
}

#[tokio::test(start_paused = true)]
async fn db_failover_after_an_az_outage_restores_the_newest_snapshot_and_moves_the_eip() {
    let w = demo();
    let db = id(&w, "db-1");
    let inv0 = inventory(&w).await;
    let eip = inv0.eips_of_instance(&db)[0].clone();
    let data = inv0
        .volumes_of_instance(&db)
        .into_iter()
        .find(|v| v.attachments.iter().any(|a| a.device == "/dev/sdf"))
        .expect("data volume")
        .clone();
    let newest = inv0
        .newest_completed_snapshot(&data.id)
        .expect("snapshot")
        .id
        .clone();

    w.sim.az_outage("us-east-1a").expect("outage");
    let inv = inventory(&w).await;
    let plan = failover::plan(
        &inv,
        &FailoverArgs {
            primary: db.clone(),
            stamp: "t".into(),
            ..FailoverArgs::default()
        },
    )
    .expect("plan");
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("data-loss window") && n.contains(&newest)),
        "{:?}",
        plan.notes
    );
    assert!(plan.notes.iter().any(|n| n.contains("expected downtime")));
    assert!(
        !plan
            .steps
            .iter()
            .any(|s| s.action_name() == "stop_instance"),
        "the primary in the dead AZ is left alone"
    );
    let problems = preflight(w.read.as_ref(), w.write.as_ref(), &plan, Floor::default()).await;
    assert!(problems.is_empty(), "{problems:?}");
    run(&w, &plan, None).await;

    let after = inventory(&w).await;
    let e = after
        .elastic_ips
        .iter()
        .find(|x| x.allocation_id == eip.allocation_id)
        .expect("eip");
    let new_id = e.instance_id.clone().expect("the EIP points somewhere");
    assert_ne!(new_id, db);
    let new = after.instance(&new_id).expect("replacement");
    assert_eq!(new.az, "us-east-1b");
    assert_eq!(new.state, InstanceState::Running);
    let vols = after.volumes_of_instance(&new_id);
    let restored = vols
        .iter()
        .find(|v| v.attachments.iter().any(|a| a.device == "/dev/sdf"))
        .expect("data volume attached at the same device");
    assert_eq!(
        restored.snapshot_id.as_deref(),
        Some(newest.as_str()),
        "from the newest completed snapshot"
    );
    assert_eq!(restored.az, "us-east-1b");
}

#[tokio::test(start_paused = true)]
async fn db_failover_to_a_standby_in_the_same_az_moves_the_volume_itself() {
    let w = demo();
    let db = id(&w, "db-1");
    let web2 = id(&w, "web-2"); // any instance in us-east-1a serves as the standby here
    let inv = inventory(&w).await;
    let data = inv
        .volumes_of_instance(&db)
        .into_iter()
        .find(|v| v.attachments.iter().any(|a| a.device == "/dev/sdf"))
        .expect("data")
        .id
        .clone();
    let plan = failover::plan(
        &inv,
        &FailoverArgs {
            primary: db.clone(),
            standby: Some(web2.clone()),
            stamp: "t".into(),
            ..FailoverArgs::default()
        },
    )
    .expect("plan");
    let kinds: Vec<&str> = plan.steps.iter().map(|s| s.action_name()).collect();
    assert_eq!(
        kinds,
        [
            "stop_instance",
            "detach_volume",
            "attach_volume",
            "associate_address"
        ]
    );
    run(&w, &plan, None).await;
    let after = inventory(&w).await;
    assert_eq!(
        after
            .volume(&data)
            .and_then(|v| v.attached_instance().map(str::to_string)),
        Some(web2.clone())
    );
    assert_eq!(
        after.instance(&db).map(|i| i.state),
        Some(InstanceState::Stopped)
    );
    assert_eq!(
        after.eips_of_instance(&web2).len(),
        1,
        "the address follows the database"
    );
    assert_eq!(made(&w.sim, "CreateVolume"), 0, "no restore needed");
}

#[tokio::test(start_paused = true)]
async fn kills_at_every_boundary_leave_no_duplicate_instance_image_volume_or_snapshot() {
    for runbook in ["remove-spof", "db-failover", "snapshot"] {
        let mut n = 1;
        loop {
            let w = demo();
            let inv = inventory(&w).await;
            let db = id(&w, "db-1");
            if runbook == "db-failover" {
                w.sim.az_outage("us-east-1a").expect("outage");
            }
            let plan = match runbook {
                "remove-spof" => spof::plan(
                    &inv,
                    &SpofArgs {
                        stamp: "k".into(),
                        ..SpofArgs::new(&id(&w, "web-1"))
                    },
                ),
                "db-failover" => failover::plan(
                    &inventory(&w).await,
                    &FailoverArgs {
                        primary: db.clone(),
                        stamp: "k".into(),
                        ..FailoverArgs::default()
                    },
                ),
                _ => backup::snapshot_plan(&inv, &db, None),
            }
            .expect("plan");
            let (_, killed) = run(&w, &plan, Some(n)).await;
            let (images, instances, volumes, snapshots) = match runbook {
                "remove-spof" => (1, 1, 0, 0),
                "db-failover" => (0, 1, 1, 0),
                _ => (0, 0, 0, inv.volumes_of_instance(&db).len()),
            };
            assert_eq!(
                made(&w.sim, "CreateImage"),
                images,
                "{runbook}, kill after {n}: images"
            );
            assert_eq!(
                made(&w.sim, "RunInstances"),
                instances,
                "{runbook}, kill after {n}: instances"
            );
            assert_eq!(
                made(&w.sim, "CreateVolume"),
                volumes,
                "{runbook}, kill after {n}: volumes"
            );
            assert_eq!(
                made(&w.sim, "CreateSnapshot"),
                snapshots,
                "{runbook}, kill after {n}: snapshots"
            );
            if !killed {
                assert!(n > 5, "{runbook}: kill points covered the run ({n})");
                break;
            }
            n += 1;
        }
    }
}

#[tokio::test(start_paused = true)]
async fn runbooks_survive_30_percent_throttling() {
    let w = demo();
    let inv = inventory(&w).await;
    let spof_plan = spof::plan(&inv, &SpofArgs::new(&id(&w, "web-1"))).expect("plan");
    let snap_plan = backup::snapshot_plan(&inv, &id(&w, "db-1"), None).expect("plan");
    w.sim.throttle("*", 0.3);
    run(&w, &spof_plan, None).await;
    run(&w, &snap_plan, None).await;
    assert!(
        w.sim
            .calls()
            .iter()
            .filter(|c| c.error.as_deref() == Some("RequestLimitExceeded"))
            .count()
            > 5
    );
    assert_eq!(made(&w.sim, "RunInstances"), 1);
    assert_eq!(made(&w.sim, "CreateImage"), 1);
}

#[tokio::test(start_paused = true)]
async fn snapshot_restore_and_prune_round_trip() {
    let w = demo();
    let db = id(&w, "db-1");
    let inv = inventory(&w).await;
    let data = inv
        .volumes_of_instance(&db)
        .into_iter()
        .find(|v| v.attachments.iter().any(|a| a.device == "/dev/sdf"))
        .expect("data")
        .id
        .clone();
    let plan = backup::snapshot_plan(&inv, &db, Some("nightly")).expect("plan");
    assert!(plan.notes.iter().any(|n| n.contains("quiesce")));
    run(&w, &plan, None).await;
    let inv = inventory(&w).await;
    let newest = inv
        .newest_completed_snapshot(&data)
        .expect("new snapshot")
        .clone();
    assert!(newest.description.contains("nightly"));
    assert!(
        chrono::Utc::now() - newest.start_time.expect("time") < chrono::Duration::hours(1),
        "the fresh one is newest"
    );

    let plan = backup::restore_plan(&inv, &newest.id, "us-east-1b", None).expect("plan");
    run(&w, &plan, None).await;
    let inv = inventory(&w).await;
    assert!(
        inv.volumes
            .iter()
            .any(|v| v.snapshot_id.as_deref() == Some(newest.id.as_str()) && v.az == "us-east-1b")
    );

    let before = inv.snapshots_of_volume(&data).len();
    let plan = backup::prune_plan(
        &inv,
        &PruneArgs {
            volume: data.clone(),
            keep: Some(1),
            younger_than_days: None,
        },
        chrono::Utc::now(),
    )
    .expect("plan");
    run(&w, &plan, None).await;
    let inv = inventory(&w).await;
    let left = inv.snapshots_of_volume(&data);
    assert_eq!(left.len(), before - plan.steps.len());
    assert_eq!(left[0].id, newest.id, "the newest is kept");
    for s in &left[1..] {
        assert!(
            !inv.images_using_snapshot(&s.id).is_empty(),
            "only AMI-backed ones survive beyond the newest"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn bad_arguments_are_refused_at_plan_time() {
    let w = demo();
    let inv = inventory(&w).await;
    let db = id(&w, "db-1");
    assert_eq!(
        spof::plan(&inv, &SpofArgs::new("i-0000000000000dead")).unwrap_err(),
        "unknown instance i-0000000000000dead"
    );
    let web_root = inv.volumes_of_instance(&id(&w, "web-1"))[0].id.clone();
    let e = failover::plan(
        &inv,
        &FailoverArgs {
            primary: db.clone(),
            volume: Some(web_root),
            stamp: "t".into(),
            ..FailoverArgs::default()
        },
    )
    .unwrap_err();
    assert!(e.contains("in use by"), "{e}");
    // Without other subnets in the VPC there is nowhere to put a clone.
    let mut lonely = inv.clone();
    lonely.subnets.retain(|s| s.az == "us-east-1a");
    let e = spof::plan(&lonely, &SpofArgs::new(&id(&w, "web-1"))).unwrap_err();
    assert!(e.contains("no subnet") && e.contains("another AZ"), "{e}");
    let mut no_snaps = inv.clone();
    no_snaps.snapshots.clear();
    let e = failover::plan(
        &no_snaps,
        &FailoverArgs {
            primary: db,
            target_az: Some("us-east-1b".into()),
            stamp: "t".into(),
            ..FailoverArgs::default()
        },
    )
    .unwrap_err();
    assert!(e.contains("no completed snapshot"), "{e}");
    assert_eq!(
        w.sim.calls().iter().filter(|c| c.mutating).count(),
        0,
        "nothing changed"
    );
}
