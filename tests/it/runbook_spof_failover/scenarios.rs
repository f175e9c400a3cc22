//! remove-spof, db-failover, snapshot/restore/prune: the scenarios, a kill at every
//! journal boundary, throttling, refusals at plan time; and a snapshot set taken at one point in time.

use super::*;

/// Temporary credentials (SSO, assume-role) that end before the plan would: refused up front,
/// rather than cut off halfway with an instance drained or an image half made.
#[tokio::test(start_paused = true)]
async fn preflight_refuses_credentials_that_expire_before_the_run_ends() {
    let w = demo();
    let inv = w.inventory().await;
    let plan = spof::plan(&inv, &SpofArgs::new(&w.id("web-1"))).expect("plan");
    assert!(plan.expected_secs() > 120, "{}", plan.expected_secs());
    w.sim
        .expire_credentials_at(Some(chrono::Utc::now() + chrono::Duration::seconds(60)));
    let problems = preflight(w.read.as_ref(), w.write.as_ref(), &plan, Floor::default()).await;
    assert!(
        problems
            .iter()
            .any(|p| p.step.is_none() && p.message.contains("credentials expire at")),
        "{problems:?}"
    );
    w.sim
        .expire_credentials_at(Some(chrono::Utc::now() + chrono::Duration::hours(12)));
    runbook::assert_preflight_ok(&w.read, &w.write, &plan).await;
}

#[tokio::test(start_paused = true)]
async fn remove_spof_turns_the_single_az_web_tier_into_two_azs() {
    let w = demo();
    let before = w.inventory().await;
    assert!(
        findings(&before)
            .iter()
            .any(|(k, r)| *k == FindingKind::SingleAz && r[0] == "web-tg"),
        "the demo starts single-AZ"
    );
    let plan = spof::plan(&before, &SpofArgs::new(&w.id("web-1"))).expect("plan");
    runbook::assert_preflight_ok(&w.read, &w.write, &plan).await;
    run(&w, &plan, None).await;
    let after = w.inventory().await;
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
        .find(|i| i.az != "us-east-1a" && i.tags.get("role") == Some("web"))
        .expect("clone");
    assert_eq!(
        clone.name.as_deref(),
        Some("web-1-clone-1"),
        "tags copied, with a name of its own"
    );
    let src = after.instance(&w.id("web-1")).expect("web-1");
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
    let db = w.id("db-1");
    let inv0 = w.inventory().await;
    let eip = inv0.eips_of_instance(&db)[0].clone();
    let data = data_volume(&inv0, &db).clone();
    let newest = inv0
        .newest_completed_snapshot(&data.id)
        .expect("snapshot")
        .id
        .clone();

    w.sim.az_outage("us-east-1a").expect("outage");
    let inv = w.inventory().await;
    let plan = failover::plan(
        &inv,
        &FailoverArgs {
            primary: db.clone(),
            stamp: "t".into(),
            ..FailoverArgs::default()
        },
        chrono::Utc::now(),
    )
    .expect("plan");
    assert!(
        notes_say(&plan, &["data-loss window", newest.as_str()]),
        "{:?}",
        plan.notes
    );
    assert!(notes_say(&plan, &["expected downtime"]));
    assert!(
        !plan
            .steps
            .iter()
            .any(|s| s.action_name() == "stop_instance"),
        "the primary in the dead AZ is left alone"
    );
    runbook::assert_preflight_ok(&w.read, &w.write, &plan).await;
    run(&w, &plan, None).await;

    let after = w.inventory().await;
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
    // The data volume, attached at the same device.
    let restored = data_volume(&after, &new_id);
    assert_eq!(
        restored.snapshot_id.as_deref(),
        Some(newest.as_str()),
        "from the newest completed snapshot"
    );
    assert_eq!(restored.az, "us-east-1b");
}

/// With neither a standby nor --target-az, the replacement goes in the primary's own AZ (where
/// its data volume is) and the plan says why and how to choose another.
#[tokio::test(start_paused = true)]
async fn a_replacement_in_the_primarys_az_is_said_and_explained() {
    let w = demo();
    let db = w.id("db-1");
    let inv = w.inventory().await;
    let az = inv
        .instance(&db)
        .map(|i| i.az.to_string())
        .unwrap_or_default();
    let plan = failover::plan(
        &inv,
        &FailoverArgs {
            primary: db.clone(),
            stamp: "t".into(),
            ..FailoverArgs::default()
        },
        chrono::Utc::now(),
    )
    .expect("plan");
    assert!(
        notes_say(
            &plan,
            &["the replacement goes in", az.as_str(), "--target-az"]
        ),
        "{:?}",
        plan.notes
    );
}

#[tokio::test(start_paused = true)]
async fn db_failover_to_a_standby_in_the_same_az_moves_the_volume_itself() {
    let w = demo();
    let db = w.id("db-1");
    let web2 = w.id("web-2"); // any instance in us-east-1a serves as the standby here
    let inv = w.inventory().await;
    let data = data_volume_id(&inv, &db);
    let plan = failover::plan(
        &inv,
        &FailoverArgs {
            primary: db.clone(),
            standby: Some(web2.clone()),
            stamp: "t".into(),
            ..FailoverArgs::default()
        },
        chrono::Utc::now(),
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
    let after = w.inventory().await;
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
        at_every_kill_point(runbook, 5, async |n| {
            let w = demo();
            let inv = w.inventory().await;
            let db = w.id("db-1");
            if runbook == "db-failover" {
                w.sim.az_outage("us-east-1a").expect("outage");
            }
            let plan = match runbook {
                "remove-spof" => spof::plan(
                    &inv,
                    &SpofArgs {
                        stamp: "k".into(),
                        ..SpofArgs::new(&w.id("web-1"))
                    },
                ),
                "db-failover" => failover::plan(
                    &w.inventory().await,
                    &FailoverArgs {
                        primary: db.clone(),
                        stamp: "k".into(),
                        ..FailoverArgs::default()
                    },
                    chrono::Utc::now(),
                ),
                _ => backup::snapshot_plan(&inv, &db, None),
            }
            .expect("plan");
            let (_, killed) = run(&w, &plan, Some(n)).await;
            let (images, instances, volumes, snapshots) = match runbook {
                "remove-spof" => (1, 1, 0, 0),
                "db-failover" => (0, 1, 1, 0),
                // The snapshot set is one CreateSnapshots call, never repeated by a resume.
                _ => (0, 0, 0, 1),
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
                made(&w.sim, "CreateSnapshots"),
                snapshots,
                "{runbook}, kill after {n}: snapshot sets"
            );
            assert_eq!(
                made(&w.sim, "CreateSnapshot"),
                0,
                "{runbook}, kill after {n}: no snapshot made one volume at a time"
            );
            killed
        })
        .await;
    }
}

#[tokio::test(start_paused = true)]
async fn runbooks_survive_30_percent_throttling() {
    let w = demo();
    let inv = w.inventory().await;
    let spof_plan = spof::plan(&inv, &SpofArgs::new(&w.id("web-1"))).expect("plan");
    let snap_plan = backup::snapshot_plan(&inv, &w.id("db-1"), None).expect("plan");
    w.sim.throttle("*", 0.3);
    run(&w, &spof_plan, None).await;
    run(&w, &snap_plan, None).await;
    assert!(calls::throttled(&w.sim) > 5);
    assert_eq!(made(&w.sim, "RunInstances"), 1);
    assert_eq!(made(&w.sim, "CreateImage"), 1);
}

#[tokio::test(start_paused = true)]
async fn snapshot_restore_and_prune_round_trip() {
    let w = demo();
    let db = w.id("db-1");
    let inv = w.inventory().await;
    let data = data_volume_id(&inv, &db);
    let plan = backup::snapshot_plan(&inv, &db, Some("nightly")).expect("plan");
    assert!(notes_say(&plan, &["quiesce"]));
    run(&w, &plan, None).await;
    let inv = w.inventory().await;
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
    let inv = w.inventory().await;
    assert!(
        inv.volumes
            .iter()
            .any(|v| v.snapshot_id.as_deref() == Some(newest.id.as_str()) && v.az == "us-east-1b")
    );

    let before = inv.snapshots_of_volume(&data).len();
    let plan = backup::prune_plan(
        &inv,
        &PruneArgs {
            volume: data.to_string(),
            keep: Some(1),
            younger_than_days: None,
        },
        chrono::Utc::now(),
    )
    .expect("plan");
    run(&w, &plan, None).await;
    let inv = w.inventory().await;
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
    let inv = w.inventory().await;
    let db = w.id("db-1");
    assert_eq!(
        spof::plan(&inv, &SpofArgs::new("i-0000000000000dead")).unwrap_err(),
        "unknown instance i-0000000000000dead"
    );
    let web_root = inv.volumes_of_instance(&w.id("web-1"))[0].id.clone();
    let e = failover::plan(
        &inv,
        &FailoverArgs {
            primary: db.clone(),
            volume: Some(web_root.to_string()),
            stamp: "t".into(),
            ..FailoverArgs::default()
        },
        chrono::Utc::now(),
    )
    .unwrap_err();
    assert!(e.contains("in use by"), "{e}");
    // Without other subnets in the VPC there is nowhere to put a clone.
    let mut lonely = inv.clone();
    lonely.subnets.retain(|s| s.az == "us-east-1a");
    let e = spof::plan(&lonely, &SpofArgs::new(&w.id("web-1"))).unwrap_err();
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
        chrono::Utc::now(),
    )
    .unwrap_err();
    assert!(e.contains("no completed snapshot"), "{e}");
    assert_eq!(calls::mutating(&w.sim).len(), 0, "nothing changed");
}

// ---------------------------------------------------------------------------------------------------
// A snapshot set is one point in time: one CreateSnapshots call for the whole set (crash-consistent
// across the instance's volumes, root included), never a CreateSnapshot per volume, whatever the
// API's throttling.

/// The snapshots run "t" made, with their start times.
fn snapshots_of_run(inv: &Inventory) -> Vec<(String, Timestamp)> {
    inv.snapshots
        .iter()
        .filter(|s| s.tags.get("opsdeck:run") == Some("t"))
        .map(|s| (s.id.to_string(), s.start_time.expect("a start time")))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_snapshot_set_is_taken_at_one_point_in_time() {
    for throttled in [false, true] {
        let w = demo();
        let db = w.id("db-1");
        let inv = w.inventory().await;
        let vols = inv.volumes_of_instance(&db);
        assert!(vols.len() >= 2, "db-1 has a root and a data volume");
        let plan = backup::snapshot_plan(&inv, &db, None).expect("plan");
        assert!(
            plan.steps[0].title.contains("one CreateSnapshots call")
                && plan.steps[0]
                    .action
                    .calls()
                    .starts_with("ec2:CreateSnapshots"),
            "the plan names the one call: {:?}",
            plan.steps[0]
        );
        if throttled {
            w.sim.throttle("*", 0.3);
        }
        run(&w, &plan, None).await;
        let after = w.inventory().await;
        let taken = snapshots_of_run(&after);
        assert_eq!(
            taken.len(),
            vols.len(),
            "one snapshot per volume: {taken:?}"
        );
        let first = taken.iter().map(|t| t.1).min().expect("some");
        let last = taken.iter().map(|t| t.1).max().expect("some");
        assert_eq!(first, last, "every volume at the same instant: {taken:?}");
        let of_volumes: std::collections::BTreeSet<_> = after
            .snapshots
            .iter()
            .filter(|s| s.tags.get("opsdeck:run") == Some("t"))
            .filter_map(|s| s.volume_id.as_deref())
            .collect();
        let attached: std::collections::BTreeSet<_> = vols.iter().map(|v| v.id.as_str()).collect();
        assert_eq!(
            of_volumes, attached,
            "root and data volumes, nothing excluded"
        );
        assert_eq!(made(&w.sim, "CreateSnapshots"), 1, "one call for the set");
        assert_eq!(made(&w.sim, "CreateSnapshot"), 0, "no call per volume");
    }
}
