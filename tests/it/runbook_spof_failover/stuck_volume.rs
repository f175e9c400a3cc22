//! db-failover with the data volume already stuck: a detach hanging since an earlier attempt (the
//! simulator's `stuck-detach` chaos), or a volume in `error`.

use super::*;

/// The demo with db-1's data volume stuck in `detaching` (an earlier detach that never finished).
async fn stuck_data_volume() -> (World, String, String) {
    let w = demo();
    let db = w.id("db-1");
    let data = data_volume_id(&w.inventory().await, &db);
    w.sim
        .chaos(&format!("stuck-detach {data}"))
        .expect("stuck-detach");
    w.write
        .detach_volume(&data, &db, false, false)
        .await
        .expect("an earlier detach, which hangs");
    tokio::time::sleep(std::time::Duration::from_secs(600)).await;
    let v = w.inventory().await.volume(&data).cloned().expect("volume");
    assert_eq!(
        v.attachments.first().map(|a| a.state),
        Some(AttachmentState::Detaching),
        "still hanging ten minutes later"
    );
    w.sim.clear_calls();
    (w, db, data)
}

#[tokio::test(start_paused = true)]
async fn db_failover_restores_the_newest_snapshot_when_the_volume_is_stuck() {
    let (w, db, data) = stuck_data_volume().await;
    let inv = w.inventory().await;
    let newest = inv
        .newest_completed_snapshot(&data)
        .expect("a snapshot")
        .id
        .clone();
    let eip = inv.eips_of_instance(&db)[0].allocation_id.clone();
    let plan = failover::plan(&inv, &failover_args(&db), chrono::Utc::now()).expect("plan");
    let kinds: Vec<&str> = plan.steps.iter().map(|s| s.action_name()).collect();
    assert!(kinds.contains(&"restore_volume"), "{kinds:?}");
    assert!(
        !kinds.contains(&"detach_volume"),
        "the stuck volume is left alone: {kinds:?}"
    );
    assert!(
        notes_say(&plan, &[data.as_str(), "stuck", "detaching"]),
        "the plan says why: {:?}",
        plan.notes
    );
    assert!(
        notes_say(&plan, &["data-loss window", newest.as_str()]),
        "{:?}",
        plan.notes
    );
    runbook::assert_preflight_ok(&w.read, &w.write, &plan).await;
    run(&w, &plan, None).await;

    let after = w.inventory().await;
    let new_id = eip_points_at(&after, &eip)
        .0
        .expect("the EIP points somewhere");
    assert_ne!(new_id, db);
    // A data volume at the same device.
    let restored = data_volume(&after, &new_id);
    assert_eq!(restored.snapshot_id.as_deref(), Some(newest.as_str()));
    assert_eq!(made(&w.sim, "CreateVolume"), 1);
    assert_eq!(
        made(&w.sim, "DetachVolume"),
        0,
        "no second try at the stuck one"
    );
}

#[tokio::test(start_paused = true)]
async fn db_failover_with_force_detach_frees_a_stuck_volume_and_keeps_it() {
    let (w, db, data) = stuck_data_volume().await;
    let inv = w.inventory().await;
    let plan = failover::plan(
        &inv,
        &FailoverArgs {
            force_detach: true,
            ..failover_args(&db)
        },
        chrono::Utc::now(),
    )
    .expect("plan");
    let kinds: Vec<&str> = plan.steps.iter().map(|s| s.action_name()).collect();
    assert!(!kinds.contains(&"restore_volume"), "{kinds:?}");
    let detach = plan
        .steps
        .iter()
        .find(|s| s.action_name() == "detach_volume")
        .expect("a detach step");
    assert!(
        matches!(
            detach.action,
            opsdeck_runbook::plan::Action::DetachVolume { force: true, .. }
        ),
        "{detach:?}"
    );
    assert!(notes_say(&plan, &["stuck", "forced"]), "{:?}", plan.notes);
    runbook::assert_preflight_ok(&w.read, &w.write, &plan).await;
    run(&w, &plan, None).await;
    let after = w.inventory().await;
    let holder = data_holder(&after, &data);
    assert_ne!(
        holder, db,
        "the very volume moved, with every write it holds"
    );
    assert_eq!(made(&w.sim, "CreateVolume"), 0, "nothing restored");
    assert_eq!(made(&w.sim, "DetachVolume"), 1, "one forced detach");

    // A volume in `error` cannot be forced free: restored from its snapshot even with --force-detach.
    let mut broken = demo().inventory().await;
    let dbb = broken
        .instances
        .iter()
        .find(|i| i.name.as_deref() == Some("db-1"))
        .expect("db-1")
        .id
        .clone();
    let vid = data_volume_id(&broken, &dbb);
    for v in broken.volumes.iter_mut().filter(|v| v.id == vid) {
        v.state = VolumeState::Error;
    }
    let plan = failover::plan(
        &broken,
        &FailoverArgs {
            force_detach: true,
            ..failover_args(&dbb)
        },
        chrono::Utc::now(),
    )
    .expect("plan");
    let kinds: Vec<&str> = plan.steps.iter().map(|s| s.action_name()).collect();
    assert!(
        kinds.contains(&"restore_volume") && !kinds.contains(&"detach_volume"),
        "{kinds:?}"
    );
    assert!(notes_say(&plan, &["in state error"]), "{:?}", plan.notes);
}
