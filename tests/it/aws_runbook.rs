//! Runbooks through the AWS adapter against moto, with the front's timed draining, `initial`
//! targets and scheduled events: the same engine that runs on the simulator.

use crate::support;

use opsdeck_core::domain::Snapshot;
use opsdeck_core::domain::*;
use opsdeck_runbook::engine::{EngineOptions, Runner};
use opsdeck_runbook::journal::RunStatus;
use opsdeck_runbook::rolling::{self, GroupDetails, RollingArgs};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::inventory::{self, data_volume, primary_eni};
use support::moto;
use support::runbook;

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

    let inv = inventory::quick(&read).await;
    let mut details = GroupDetails::new();
    details.insert(
        web_tg.clone(),
        read.target_group_details(&web_tg).await.expect("details"),
    );
    // From the scheduled events: only web-2 has one (a system-reboot: stop/start).
    let plan = rolling::plan(
        &inv,
        "us-east-1",
        &RollingArgs::default(),
        &details,
        chrono::Utc::now(),
    )
    .expect("plan");
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

    runbook::assert_preflight_ok(&read, &write, &plan).await;
    moto::clear_requests();
    let (_dir, j, mut state) = runbook::journal("moto-rolling", &plan);
    let runner = Runner {
        opts: EngineOptions {
            poll_initial: Duration::from_millis(250),
            poll_max: Duration::from_secs(1),
            ..EngineOptions::default()
        },
        ..runbook::runner(&read, &write, j)
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

    let after = inventory::quick(&read).await;
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

/// Preflight, then run to the end with quick polling (moto's states are final at once).
async fn run_plan(
    read: &Arc<dyn opsdeck_core::cloud::CloudRead>,
    write: &Arc<dyn opsdeck_core::cloud::CloudWrite>,
    plan: &opsdeck_runbook::plan::Plan,
) {
    runbook::assert_preflight_ok(read, write, plan).await;
    let (_dir, j, mut state) = runbook::journal("moto", plan);
    let runner = Runner {
        opts: EngineOptions {
            poll_initial: Duration::from_millis(200),
            poll_max: Duration::from_secs(1),
            ..EngineOptions::default()
        },
        ..runbook::runner(read, write, j)
    };
    let status = tokio::time::timeout(Duration::from_secs(90), runner.run(&mut state))
        .await
        .expect("finishes")
        .expect("run");
    assert_eq!(
        status,
        RunStatus::Done,
        "{}: {:?}",
        plan.runbook,
        state.last_error
    );
}

#[tokio::test]
async fn remove_spof_against_moto() {
    let (_g, seed) = moto::seeded().await;
    let (read, write) = moto::ports("us-east-1").await;
    let web1 = moto::id(&seed, &["instances", "web-1"]);
    let inv = inventory::quick(&read).await;
    let plan = opsdeck_runbook::spof::plan(&inv, &opsdeck_runbook::spof::SpofArgs::new(&web1))
        .expect("plan");
    run_plan(&read, &write, &plan).await;

    let after = inventory::quick(&read).await;
    let clone = after
        .instances
        .iter()
        .find(|i| i.name.as_deref() == Some("web-1-clone-1"))
        .expect("clone read back");
    assert_eq!(clone.az, "us-east-1b");
    assert_eq!(
        clone.subnet_id.as_deref(),
        Some(moto::id(&seed, &["subnets", "us-east-1b"]).as_str())
    );
    let src = after.instance(&web1).expect("web-1");
    assert_eq!(clone.instance_type, src.instance_type);
    assert_eq!(clone.tags.get("role"), src.tags.get("role"));
    let image = after
        .images
        .iter()
        .find(|i| i.name.starts_with("opsdeck-clone-web-1"))
        .expect("AMI read back");
    assert_eq!(clone.image_id.as_deref(), Some(image.id.as_str()));
    let tg = after.target_group("web-tg").expect("web-tg");
    let by_az = after.targets_by_az(&tg.arn);
    assert_eq!(
        by_az
            .get("us-east-1b")
            .map(|v| v.iter().filter(|t| t.state == TargetState::Healthy).count()),
        Some(1)
    );
}

#[tokio::test]
async fn db_failover_against_moto() {
    let (_g, seed) = moto::seeded().await;
    let (read, write) = moto::ports("us-east-1").await;
    let db = moto::id(&seed, &["instances", "db-1"]);
    let alloc = moto::id(&seed, &["eip", "allocation_id"]);
    let inv = inventory::quick(&read).await;
    let data = moto::id(&seed, &["data_volume_id"]);
    let newest = inv
        .newest_completed_snapshot(&data)
        .expect("snapshot")
        .id
        .clone();
    let args = opsdeck_runbook::failover::FailoverArgs {
        primary: db.clone(),
        target_az: Some("us-east-1b".into()),
        stamp: "moto".into(),
        ..Default::default()
    };
    let plan = opsdeck_runbook::failover::plan(&inv, &args, chrono::Utc::now()).expect("plan");
    run_plan(&read, &write, &plan).await;

    let after = inventory::quick(&read).await;
    assert_eq!(
        after.instance(&db).map(|i| i.state),
        Some(InstanceState::Stopped),
        "the primary was stopped"
    );
    let eip = after
        .elastic_ips
        .iter()
        .find(|e| e.allocation_id == alloc)
        .expect("EIP read back");
    let new_id = eip.instance_id.clone().expect("associated");
    let new = after.instance(&new_id).expect("replacement read back");
    assert_eq!(
        (new.az.as_str(), new.state),
        ("us-east-1b", InstanceState::Running)
    );
    let vol = data_volume(&after, &new_id);
    assert_eq!(vol.snapshot_id.as_deref(), Some(newest.as_str()));
    assert_eq!(vol.az, "us-east-1b");
}

#[tokio::test]
async fn snapshot_restore_prune_against_moto() {
    let (_g, seed) = moto::seeded().await;
    let (read, write) = moto::ports("us-east-1").await;
    let db = moto::id(&seed, &["instances", "db-1"]);
    let app = moto::id(&seed, &["instances", "app-1"]);
    let data = moto::id(&seed, &["data_volume_id"]);
    let inv = inventory::quick(&read).await;
    let n_vols = inv.volumes_of_instance(&db).len();
    let plan =
        opsdeck_runbook::backup::snapshot_plan(&inv, &db, Some("moto nightly")).expect("plan");
    run_plan(&read, &write, &plan).await;
    let inv = inventory::quick(&read).await;
    let mine: Vec<&Snapshot> = inv
        .snapshots
        .iter()
        .filter(|s| s.description.starts_with("moto nightly"))
        .collect();
    assert_eq!(mine.len(), n_vols, "one per volume, read back");
    let fresh = mine
        .iter()
        .find(|s| s.volume_id.as_deref() == Some(data.as_str()))
        .expect("data volume's snapshot")
        .id
        .clone();

    let plan =
        opsdeck_runbook::backup::restore_plan(&inv, &fresh, "us-east-1b", Some((&app, "/dev/sdg")))
            .expect("plan");
    run_plan(&read, &write, &plan).await;
    let inv = inventory::quick(&read).await;
    let restored = inv
        .volumes
        .iter()
        .find(|v| v.snapshot_id.as_deref() == Some(fresh.as_str()))
        .expect("restored volume read back");
    assert_eq!(restored.attached_instance(), Some(app.as_str()));

    let before = inv.snapshots_of_volume(&data).len();
    let args = opsdeck_runbook::backup::PruneArgs {
        volume: data.clone(),
        keep: Some(1),
        younger_than_days: None,
    };
    let plan = opsdeck_runbook::backup::prune_plan(&inv, &args, chrono::Utc::now()).expect("plan");
    assert_eq!(plan.steps.len(), before - 1);
    run_plan(&read, &write, &plan).await;
    let left = inventory::quick(&read)
        .await
        .snapshots_of_volume(&data)
        .into_iter()
        .map(|s| s.id.clone())
        .collect::<Vec<_>>();
    assert_eq!(left.len(), 1, "{left:?}");
}

#[tokio::test]
async fn db_failover_moves_a_secondary_eni_against_moto() {
    let (_g, seed) = moto::seeded().await;
    let (read, write) = moto::ports("us-east-1").await;
    let db = moto::id(&seed, &["instances", "db-1"]);
    let data = moto::id(&seed, &["data_volume_id"]);
    // The database's service address on an interface of its own, at device index 1.
    // The ports cannot create interfaces: boto3 builds what the seed fleet lacks.
    let eni = moto::boto3(&format!(
        "result = ec2.create_network_interface(SubnetId='{}', Description='db-1 service address')\
         ['NetworkInterface']['NetworkInterfaceId']",
        moto::id(&seed, &["subnets", "us-east-1a"])
    ));
    let eni = eni.as_str().expect("an ENI id").to_string();
    write
        .attach_network_interface(&eni, &db, 1, false)
        .await
        .expect("attach to db-1");

    let inv = inventory::quick(&read).await;
    let args = opsdeck_runbook::failover::FailoverArgs {
        primary: db.clone(),
        // db-1 has an Elastic IP too, which auto would take.
        address: opsdeck_runbook::failover::AddressMode::Eni,
        stamp: "moto-eni".into(),
        ..Default::default()
    };
    let plan = opsdeck_runbook::failover::plan(&inv, &args, chrono::Utc::now()).expect("plan");
    let kinds: Vec<&str> = plan.steps.iter().map(|s| s.action_name()).collect();
    assert_eq!(
        kinds[kinds.len() - 2..],
        ["detach_network_interface", "attach_network_interface"]
    );
    run_plan(&read, &write, &plan).await;

    let after = inventory::quick(&read).await;
    let new_id = after
        .volume(&data)
        .and_then(|v| v.attached_instance().map(str::to_string))
        .expect("the data volume is attached");
    assert_ne!(new_id, db);
    let n = after
        .network_interfaces
        .iter()
        .find(|n| n.id == eni)
        .expect("ENI read back");
    let a = n.attachment.as_ref().expect("attached");
    assert_eq!(
        (a.instance_id.as_deref(), a.device_index, a.status.as_str()),
        (Some(new_id.as_str()), 1, "attached"),
        "the interface reads back on the replacement"
    );
    assert!(after.enis_of_instance(&db).iter().all(|x| x.id != eni));
    assert_eq!(
        after.instance(&new_id).map(|i| i.az.as_str()),
        Some("us-east-1a")
    );
}

#[tokio::test]
async fn db_failover_reassigns_a_secondary_private_ip_against_moto() {
    let (_g, seed) = moto::seeded().await;
    let (read, write) = moto::ports("us-east-1").await;
    let db = moto::id(&seed, &["instances", "db-1"]);
    let web2 = moto::id(&seed, &["instances", "web-2"]); // same subnet as db-1
    let ip = "10.20.1.200".to_string();
    let inv = inventory::quick(&read).await;
    let db_eni = primary_eni(&inv, &db);
    write
        .assign_private_ips(&db_eni, std::slice::from_ref(&ip), false, false)
        .await
        .expect("a secondary address on db-1");

    let inv = inventory::quick(&read).await;
    let args = opsdeck_runbook::failover::FailoverArgs {
        primary: db.clone(),
        standby: Some(web2.clone()),
        private_ip: Some(ip.clone()),
        stamp: "moto-ip".into(),
        ..Default::default()
    };
    let plan = opsdeck_runbook::failover::plan(&inv, &args, chrono::Utc::now()).expect("plan");
    assert_eq!(
        plan.steps.last().map(|s| s.action_name()),
        Some("move_private_ip")
    );
    run_plan(&read, &write, &plan).await;

    let after = inventory::quick(&read).await;
    let web2_eni = primary_eni(&after, &web2);
    let holders: Vec<&str> = after
        .network_interfaces
        .iter()
        .filter(|n| n.private_ips.iter().any(|p| p.address == ip))
        .map(|n| n.id.as_str())
        .collect();
    assert_eq!(
        holders,
        [web2_eni.as_str()],
        "the address reads back on the standby only"
    );
    assert_eq!(
        after
            .volume(&moto::id(&seed, &["data_volume_id"]))
            .and_then(|v| v.attached_instance().map(str::to_string)),
        Some(web2)
    );
}
