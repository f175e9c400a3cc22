//! restore, prune and remove-spof --count 2: a kill at every journal boundary, then resume, makes
//! every call exactly once.

use super::*;

/// For each kill point: a fresh demo, `plan` over its inventory, a run killed after n journal
/// writes and resumed, then `check` (with n). Ends when a run finishes without being killed.
async fn at_every_kill(
    label: &str,
    plan: impl Fn(&World, &Inventory) -> Plan,
    check: impl Fn(&World, &Inventory, &Plan, usize),
) {
    at_every_kill_point(label, 3, async |n| {
        let w = demo();
        let inv = w.inventory().await;
        let p = plan(&w, &inv);
        let (_, killed) = run(&w, &p, Some(n)).await;
        check(&w, &w.inventory().await, &p, n);
        killed
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn restore_and_prune_survive_a_kill_at_every_boundary_without_a_duplicate_call() {
    at_every_kill(
        "restore",
        |w, inv| {
            let data = data_volume_id(inv, &w.id("db-1"));
            let snap = inv
                .newest_completed_snapshot(&data)
                .expect("snapshot")
                .id
                .clone();
            backup::restore_plan(inv, &snap, "us-east-1a", Some((&w.id("web-2"), "/dev/sdg")))
                .expect("plan")
        },
        |w, after, p, n| {
            assert_eq!(made(&w.sim, "CreateVolume"), 1, "restore, kill after {n}");
            assert_eq!(made(&w.sim, "AttachVolume"), 1, "restore, kill after {n}");
            let snap = &p.steps[0].resources[0];
            let restored: Vec<&Volume> = after
                .volumes
                .iter()
                .filter(|v| v.snapshot_id.as_deref() == Some(snap.as_str()))
                .filter(|v| v.tags.get("opsdeck:run") == Some("t"))
                .collect();
            assert_eq!(restored.len(), 1, "restore, kill after {n}: one volume");
            assert_eq!(
                restored[0].attached_instance(),
                Some(w.id("web-2").as_str()),
                "restore, kill after {n}"
            );
        },
    )
    .await;

    at_every_kill(
        "prune",
        |w, inv| {
            let data = data_volume_id(inv, &w.id("db-1"));
            let p = backup::prune_plan(
                inv,
                &PruneArgs {
                    volume: data,
                    keep: Some(1),
                    younger_than_days: None,
                },
                chrono::Utc::now(),
            )
            .expect("plan");
            assert!(p.steps.len() >= 2, "something to prune: {:?}", p.steps);
            p
        },
        |w, after, p, n| {
            assert_eq!(
                made(&w.sim, "DeleteSnapshot"),
                p.steps.len(),
                "prune, kill after {n}: each deleted once"
            );
            let kept = after.snapshots_of_volume(&data_volume_id(after, &w.id("db-1")));
            for s in &p.steps {
                assert!(
                    !kept.iter().any(|k| s.resources.iter().any(|r| *r == k.id)),
                    "prune, kill after {n}: {} gone",
                    s.resources[0]
                );
            }
            assert!(!kept.is_empty(), "prune, kill after {n}: the newest kept");
        },
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn remove_spof_with_two_clones_launches_each_once_even_across_kills() {
    at_every_kill(
        "remove-spof --count 2",
        |w, inv| {
            spof::plan(
                inv,
                &SpofArgs {
                    count: 2,
                    stamp: "k".into(),
                    ..SpofArgs::new(&w.id("web-1"))
                },
            )
            .expect("plan")
        },
        |w, after, p, n| {
            assert_eq!(
                p.steps
                    .iter()
                    .filter(|s| s.action_name() == "launch_clone")
                    .count(),
                2
            );
            assert_eq!(made(&w.sim, "CreateImage"), 1, "kill after {n}: one image");
            assert_eq!(
                made(&w.sim, "RunInstances"),
                2,
                "kill after {n}: two launches"
            );
            let clones: Vec<&Instance> = after
                .instances
                .iter()
                .filter(|i| i.is_live() && i.tags.contains_key("opsdeck:client-token"))
                .collect();
            assert_eq!(clones.len(), 2, "kill after {n}: two clones");
            assert_ne!(
                clones[0].name, clones[1].name,
                "each with a name of its own"
            );
            let tg = after.target_group("web-tg").expect("web-tg");
            let by_az = after.targets_by_az(&tg.arn);
            for c in &clones {
                assert_ne!(
                    c.az, "us-east-1a",
                    "kill after {n}: clones leave web-1's AZ"
                );
                assert!(
                    by_az
                        .values()
                        .flatten()
                        .any(|t| t.target_id == c.id && t.state == TargetState::Healthy),
                    "kill after {n}: {} serves web-tg: {:?} {:?}",
                    c.id,
                    c.az,
                    by_az
                );
            }
        },
    )
    .await;
}
