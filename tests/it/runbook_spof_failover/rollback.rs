//! Rolling back a db-failover moves the Elastic IP back: the address and the data return together.

use super::*;

/// An operator points the Elastic IP at `instance` by hand (reassociating it from wherever it is).
async fn repoint_by_hand(w: &World, allocation_id: &str, instance: &str) {
    w.write
        .associate_address(
            allocation_id,
            &opsdeck_core::cloud::AddressTarget::Instance(instance.to_string()),
            true,
            false,
        )
        .await
        .expect("re-point");
}

#[tokio::test(start_paused = true)]
async fn rolling_back_a_db_failover_moves_the_elastic_ip_back_to_the_primary() {
    let w = demo();
    let db = w.id("db-1");
    let inv = w.inventory().await;
    let eip = inv.eips_of_instance(&db)[0].allocation_id.clone();
    let public_ip = inv.eips_of_instance(&db)[0].public_ip.clone();
    let before = eip_points_at(&inv, &eip);
    assert_eq!(before.0.as_deref(), Some(db.as_str()));
    let data = data_volume_id(&inv, &db);

    let plan = failover::plan(&inv, &failover_args(&db), chrono::Utc::now()).expect("plan");
    let (state, _) = run_state(&w, &plan, None).await;
    let moved = w.inventory().await;
    let new_id = data_holder(&moved, &data);
    assert_ne!(new_id, db);
    assert_eq!(eip_points_at(&moved, &eip).0, Some(new_id.clone()));

    let back = rollback_plan(&state);
    assert_eq!(
        back.steps[0].action_name(),
        "associate_address",
        "{:?}",
        back.steps
    );
    assert!(
        !back
            .notes
            .iter()
            .any(|n| n.contains("not undone") && n.contains(public_ip.as_str())),
        "the address move has an undo: {:?}",
        back.notes
    );
    runbook::assert_preflight_ok(&w.read, &w.write, &back).await;
    run(&w, &back, None).await;
    let after = w.inventory().await;
    assert_eq!(
        eip_points_at(&after, &eip),
        before,
        "the address reads back on the primary, at the same private address"
    );
    assert_eq!(data_holder(&after, &data), db, "and so does its data");
    assert_eq!(made(&w.sim, "AssociateAddress"), 2);
}

#[tokio::test(start_paused = true)]
async fn rolling_back_a_db_failover_leaves_an_elastic_ip_someone_moved_since() {
    let w = demo();
    let (db, web1) = (w.id("db-1"), w.id("web-1"));
    let inv = w.inventory().await;
    let eip = inv.eips_of_instance(&db)[0].allocation_id.clone();
    let plan = failover::plan(&inv, &failover_args(&db), chrono::Utc::now()).expect("plan");
    let (state, _) = run_state(&w, &plan, None).await;
    // After the failover an operator points the address at web-1 by hand.
    repoint_by_hand(&w, &eip, &web1).await;
    let back = rollback_plan(&state);
    assert_eq!(back.steps[0].action_name(), "associate_address");
    runbook::assert_preflight_ok(&w.read, &w.write, &back).await;
    run(&w, &back, None).await;
    assert_eq!(
        eip_points_at(&w.inventory().await, &eip).0,
        Some(web1),
        "the rollback never takes the address from where someone put it since"
    );
    assert_eq!(
        made(&w.sim, "AssociateAddress"),
        2,
        "the failover's and the hand-made one: none by the rollback"
    );
}

#[tokio::test(start_paused = true)]
async fn rolling_back_the_association_of_a_free_elastic_ip_lets_it_go_unless_it_moved() {
    use opsdeck_runbook::plan::{Action, AddressMove, AddressWas, Step, Val};
    for repointed in [false, true] {
        let w = demo();
        let (db, web1, web2) = (w.id("db-1"), w.id("web-1"), w.id("web-2"));
        let inv = w.inventory().await;
        let e = inv.eips_of_instance(&db)[0].clone();
        w.write
            .disassociate_address(e.association_id.as_deref().expect("associated"), false)
            .await
            .expect("free the address");
        let plan = Plan {
            runbook: "test".into(),
            region: R.into(),
            args: serde_json::json!({}),
            steps: vec![Step {
                title: "point the free address at web-2".into(),
                action: Action::AssociateAddress {
                    allocation_id: e.allocation_id.to_string(),
                    target: AddressMove::Instance(Val::lit(&web2)),
                    output: "association".into(),
                    was: Some(AddressWas::Unassociated),
                    only_from: None,
                },
                resources: vec![e.allocation_id.to_string()],
                expected_secs: 5,
                timeout_secs: 300,
            }],
            notes: vec![],
        };
        let (state, _) = run_state(&w, &plan, None).await;
        assert_eq!(
            eip_points_at(&w.inventory().await, &e.allocation_id).0,
            Some(web2.clone())
        );
        if repointed {
            // Someone moves it on by hand before the rollback.
            repoint_by_hand(&w, &e.allocation_id, &web1).await;
        }
        let back = rollback_plan(&state);
        assert_eq!(back.steps[0].action_name(), "disassociate_address");
        assert_eq!(
            back.steps[0].action.confirm_id(),
            Some(Into::into(e.allocation_id.clone()))
        );
        run(&w, &back, None).await;
        let now = eip_points_at(&w.inventory().await, &e.allocation_id).0;
        if repointed {
            assert_eq!(now, Some(web1), "an address moved meanwhile is left alone");
            assert_eq!(made(&w.sim, "DisassociateAddress"), 1, "only the setup's");
        } else {
            assert_eq!(
                now, None,
                "associated with nothing again, as before the run"
            );
            assert_eq!(made(&w.sim, "DisassociateAddress"), 2);
        }
    }
}
