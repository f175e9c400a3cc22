//! db-failover's other ways to move the client-facing address: a secondary network interface, a
//! secondary private IP. Each is verified by reading it back.

use super::*;

const DEFAULT_FLEET: &str = include_str!("../../../assets/fleets/default.toml");
const DB_EIP: &str = "[[regions.elastic_ips]]\nname = \"db-1-eip\"\ninstance = \"db-1\"\n";
/// The database's service address on an interface of its own (device 1), instead of an Elastic IP.
const DB_ENI: &str = "[[regions.network_interfaces]]\nname = \"db-1-service\"\n\
                      subnet = \"shop-private-1a\"\ndescription = \"PostgreSQL service address\"\n\
                      attach_to = \"db-1\"\ndevice_index = 1\n";
/// A secondary address on db-1's primary interface (shop-private-1a is 10.0.11.0/24).
const SERVICE_IP: &str = "10.0.11.200";

/// The demo fleet with db-1's Elastic IP replaced by `with` (an ENI, or nothing).
fn demo_without_db_eip(with: &str) -> World {
    let toml = DEFAULT_FLEET.replace(DB_EIP, with);
    assert_ne!(toml, DEFAULT_FLEET, "the fleet still has db-1's Elastic IP");
    World::new(sim::toml(&toml, SEED), R)
}

/// The fleet with db-1's service address on its own ENI.
fn eni_fleet() -> World {
    demo_without_db_eip(DB_ENI)
}

/// The fleet with db-1's service address as a secondary private IP of its primary ENI (added through
/// the port; the calls log is cleared so the runbook's own calls are counted alone).
async fn private_ip_fleet() -> World {
    let w = demo_without_db_eip("");
    let inv = w.inventory().await;
    let eni = primary_eni(&inv, &w.id("db-1"));
    w.write
        .assign_private_ips(&eni, &[SERVICE_IP.to_string()], false, false)
        .await
        .expect("a secondary address on db-1");
    w.sim.clear_calls();
    w
}

fn eni_attachment(inv: &Inventory, eni: &str) -> Option<(String, i32, String)> {
    inv.network_interfaces
        .iter()
        .find(|n| n.id == eni)
        .and_then(|n| n.attachment.clone())
        .map(|a| {
            (
                a.instance_id.unwrap_or_default().into(),
                a.device_index,
                a.status.into(),
            )
        })
}

/// Who holds a private address, read back from every interface.
fn ip_holders(inv: &Inventory, ip: &str) -> Vec<String> {
    inv.network_interfaces
        .iter()
        .filter(|n| n.private_ips.iter().any(|p| p.address == ip))
        .map(|n| n.id.clone())
        .map(Into::into)
        .collect()
}

#[tokio::test(start_paused = true)]
async fn db_failover_moves_a_secondary_eni_to_the_replacement_and_back() {
    let w = eni_fleet();
    let db = w.id("db-1");
    let eni = w.sim.eni_id("db-1-service").expect("the service ENI");
    let inv = w.inventory().await;
    let data = data_volume_id(&inv, &db);
    assert!(inv.eips_of_instance(&db).is_empty());

    // auto: no Elastic IP, so the secondary ENI (same AZ as the replacement) moves.
    let plan = failover::plan(&inv, &failover_args(&db), chrono::Utc::now()).expect("plan");
    let kinds: Vec<&str> = plan.steps.iter().map(|s| s.action_name()).collect();
    assert_eq!(
        kinds,
        [
            "stop_instance",
            "detach_volume",
            "launch_clone",
            "attach_volume",
            "detach_network_interface",
            "attach_network_interface"
        ]
    );
    assert!(notes_say(&plan, &[eni.as_str()]), "{:?}", plan.notes);
    assert!(plan.notes[0].contains("expected downtime"));
    runbook::assert_preflight_ok(&w.read, &w.write, &plan).await;
    let (state, _) = run_state(&w, &plan, None).await;

    let after = w.inventory().await;
    let new_id = data_holder(&after, &data);
    assert_ne!(new_id, db);
    assert_eq!(
        eni_attachment(&after, &eni),
        Some((new_id.clone(), 1, "attached".into())),
        "the interface reads back attached to the replacement, at the same device index"
    );
    assert!(
        after.enis_of_instance(&db).iter().all(|n| n.id != eni),
        "and no longer on the primary"
    );
    assert_eq!(made(&w.sim, "DetachNetworkInterface"), 1);
    assert_eq!(made(&w.sim, "AttachNetworkInterface"), 1);

    // Rollback moves the interface back to the primary, at its old device index.
    let back = rollback_plan(&state);
    let kinds: Vec<&str> = back.steps.iter().map(|s| s.action_name()).collect();
    assert_eq!(
        kinds[..2],
        ["detach_network_interface", "attach_network_interface"]
    );
    run(&w, &back, None).await;
    let after = w.inventory().await;
    assert_eq!(
        eni_attachment(&after, &eni),
        Some((db.clone(), 1, "attached".into()))
    );
    // The address is back on the primary, and so is its data: never one without the other.
    assert_eq!(data_holder(&after, &data), db, "the data volume is back");
    assert!(
        back.steps
            .iter()
            .any(|s| s.action_name() == "start_instance"),
        "{:?}",
        back.steps
    );
}

#[tokio::test(start_paused = true)]
async fn db_failover_moves_a_secondary_eni_to_a_standby_after_a_clean_preflight() {
    let w = eni_fleet();
    let db = w.id("db-1");
    let web2 = w.id("web-2"); // us-east-1a, as the interface
    let eni = w.sim.eni_id("db-1-service").expect("the service ENI");
    let inv = w.inventory().await;
    let plan = failover::plan(
        &inv,
        &FailoverArgs {
            standby: Some(web2.clone()),
            address: AddressMode::Eni,
            eni: Some(eni.clone()),
            ..failover_args(&db)
        },
        chrono::Utc::now(),
    )
    .expect("plan");
    // The attach is dry-run before the interface is free: checked by reading, not refused.
    runbook::assert_preflight_ok(&w.read, &w.write, &plan).await;
    assert!(
        w.sim
            .calls()
            .iter()
            .any(|c| c.action == "DetachNetworkInterface" && c.dry_run),
        "the detach was dry-run"
    );
    run(&w, &plan, None).await;
    let after = w.inventory().await;
    assert_eq!(
        eni_attachment(&after, &eni),
        Some((web2, 1, "attached".into()))
    );
}

#[tokio::test(start_paused = true)]
async fn db_failover_reassigns_a_secondary_private_ip_and_back() {
    let w = private_ip_fleet().await;
    let db = w.id("db-1");
    let inv = w.inventory().await;
    let db_eni = primary_eni(&inv, &db);
    let data = data_volume_id(&inv, &db);
    assert_eq!(ip_holders(&inv, SERVICE_IP), std::slice::from_ref(&db_eni));

    // auto: no Elastic IP, no secondary ENI: the secondary address moves, so the replacement is
    // launched in the primary's own subnet.
    let plan = failover::plan(&inv, &failover_args(&db), chrono::Utc::now()).expect("plan");
    let kinds: Vec<&str> = plan.steps.iter().map(|s| s.action_name()).collect();
    assert_eq!(
        kinds,
        [
            "stop_instance",
            "detach_volume",
            "launch_clone",
            "attach_volume",
            "move_private_ip"
        ]
    );
    assert!(notes_say(&plan, &[SERVICE_IP]), "{:?}", plan.notes);
    runbook::assert_preflight_ok(&w.read, &w.write, &plan).await;
    let (state, _) = run_state(&w, &plan, None).await;

    let after = w.inventory().await;
    let new_id = data_holder(&after, &data);
    let new = after.instance(&new_id).expect("replacement");
    let db_subnet = after.instance(&db).and_then(|i| i.subnet_id.clone());
    assert_eq!(new.subnet_id, db_subnet, "launched in the primary's subnet");
    let new_eni = primary_eni(&after, &new_id);
    assert_eq!(
        ip_holders(&after, SERVICE_IP),
        [new_eni],
        "the address reads back on the replacement's primary interface only"
    );
    assert_eq!(made(&w.sim, "AssignPrivateIpAddresses"), 1);

    let back = rollback_plan(&state);
    assert_eq!(back.steps[0].action_name(), "move_private_ip");
    run(&w, &back, None).await;
    assert_eq!(
        ip_holders(&w.inventory().await, SERVICE_IP),
        [db_eni],
        "rolled back to the primary"
    );
}

#[tokio::test(start_paused = true)]
async fn address_moves_survive_a_kill_at_every_boundary_without_a_duplicate_call() {
    for mode in ["eni", "private-ip"] {
        at_every_kill_point(mode, 5, async |n| {
            let w = match mode {
                "eni" => eni_fleet(),
                _ => private_ip_fleet().await,
            };
            let db = w.id("db-1");
            let inv = w.inventory().await;
            let data = data_volume_id(&inv, &db);
            let plan = failover::plan(
                &inv,
                &FailoverArgs {
                    stamp: "k".into(),
                    ..failover_args(&db)
                },
                chrono::Utc::now(),
            )
            .expect("plan");
            let (_, killed) = run(&w, &plan, Some(n)).await;
            let after = w.inventory().await;
            let new_id = data_holder(&after, &data);
            let calls = [
                ("RunInstances", 1),
                ("DetachNetworkInterface", usize::from(mode == "eni")),
                ("AttachNetworkInterface", usize::from(mode == "eni")),
                ("AssignPrivateIpAddresses", usize::from(mode != "eni")),
            ];
            for (action, times) in calls {
                assert_eq!(
                    made(&w.sim, action),
                    times,
                    "{mode}, kill after {n}: {action}"
                );
            }
            if mode == "eni" {
                let eni = w.sim.eni_id("db-1-service").expect("eni");
                assert_eq!(
                    eni_attachment(&after, &eni).map(|a| a.0),
                    Some(new_id),
                    "{mode}, kill after {n}"
                );
            } else {
                assert_eq!(
                    ip_holders(&after, SERVICE_IP),
                    [primary_eni(&after, &new_id)],
                    "{mode}, kill after {n}"
                );
            }
            killed
        })
        .await;
    }
}

#[tokio::test(start_paused = true)]
async fn bad_address_arguments_are_refused_at_plan_time() {
    let refused = |inv: &Inventory, args: FailoverArgs| {
        failover::plan(inv, &args, chrono::Utc::now()).expect_err("refused at plan time")
    };

    // An ENI cannot leave its AZ.
    let w = eni_fleet();
    let db = w.id("db-1");
    let eni = w.sim.eni_id("db-1-service").expect("eni");
    let inv = w.inventory().await;
    let to_1b = FailoverArgs {
        target_az: Some("us-east-1b".into()),
        ..failover_args(&db)
    };
    let e = refused(
        &inv,
        FailoverArgs {
            address: AddressMode::Eni,
            ..to_1b.clone()
        },
    );
    assert!(
        e.contains(&eni) && e.contains("us-east-1a") && e.contains("cannot leave its AZ"),
        "{e}"
    );
    // auto says so in the plan, and moves nothing.
    let plan = failover::plan(&inv, &to_1b, chrono::Utc::now()).expect("auto plans around it");
    assert!(
        !plan
            .steps
            .iter()
            .any(|s| s.action_name().ends_with("network_interface")),
        "{plan:?}"
    );
    assert!(
        notes_say(&plan, &[eni.as_str(), "cannot leave its AZ"]),
        "{:?}",
        plan.notes
    );
    assert!(
        notes_say(&plan, &["re-pointed another way"]),
        "{:?}",
        plan.notes
    );
    // An ENI the primary does not have, and its own primary interface.
    let web1_eni = primary_eni(&inv, &w.id("web-1"));
    let e = refused(
        &inv,
        FailoverArgs {
            eni: Some(web1_eni.clone()),
            ..failover_args(&db)
        },
    );
    assert!(e.contains("not attached to the primary"), "{e}");
    let e = refused(
        &inv,
        FailoverArgs {
            eni: Some(primary_eni(&inv, &db)),
            ..failover_args(&db)
        },
    );
    assert!(e.contains("device index 0"), "{e}");

    // A private IP the primary does not carry as a secondary address.
    let w = private_ip_fleet().await;
    let db = w.id("db-1");
    let inv = w.inventory().await;
    let e = refused(
        &inv,
        FailoverArgs {
            private_ip: Some("10.0.11.250".into()),
            ..failover_args(&db)
        },
    );
    assert!(
        e.contains("10.0.11.250") && e.contains("not a secondary private IP of the primary"),
        "{e}"
    );
    assert!(e.contains(SERVICE_IP), "it lists what the primary has: {e}");
    let own = inv
        .instance(&db)
        .and_then(|i| i.private_ip.clone())
        .expect("db-1's address");
    let e = refused(
        &inv,
        FailoverArgs {
            private_ip: Some(own.to_string()),
            ..failover_args(&db)
        },
    );
    assert!(e.contains("primary private address"), "{e}");
    // A private IP cannot leave its subnet: web-2 is in shop-public-1a, db-1 in shop-private-1a.
    let e = refused(
        &inv,
        FailoverArgs {
            standby: Some(w.id("web-2")),
            address: AddressMode::PrivateIp,
            ..failover_args(&db)
        },
    );
    assert!(e.contains("cannot leave its subnet"), "{e}");
    // Flags that contradict each other.
    let e = refused(
        &inv,
        FailoverArgs {
            eni: Some(eni.clone()),
            private_ip: Some(SERVICE_IP.into()),
            ..failover_args(&db)
        },
    );
    assert!(e.contains("give one"), "{e}");
    let e = refused(
        &inv,
        FailoverArgs {
            address: AddressMode::Eip,
            ..failover_args(&db)
        },
    );
    assert!(e.contains("no Elastic IP"), "{e}");
    assert_eq!(calls::mutating(&w.sim).len(), 0, "nothing changed");
}
