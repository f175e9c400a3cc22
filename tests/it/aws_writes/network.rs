//! Target registration and a target group's details; Elastic IP, network interface and secondary
//! private IP writes.

use super::*;

#[tokio::test]
async fn target_registration_writes() {
    let (_g, seed) = moto::seeded().await;
    let (read, write) = moto::ports("us-east-1").await;
    let web_tg = moto::id(&seed, &["target_groups", "web-tg"]);
    let app = moto::id(&seed, &["instances", "app-1"]);
    let web1 = moto::id(&seed, &["instances", "web-1"]);
    let target = |id: &str| {
        vec![TargetRef {
            id: id.to_string(),
            port: Some(80),
        }]
    };

    // ELBv2 has no DryRun: the adapter checks by reading and answers like EC2.
    assert_dry_ok(
        write.register_targets(&web_tg, &target(&app), true).await,
        "register dry run",
    );
    assert_eq!(inventory::quick(&read).await.targets_of(&web_tg).count(), 2);
    let e = write
        .register_targets(
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/nope/0",
            &target(&app),
            true,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");

    write
        .register_targets(&web_tg, &target(&app), false)
        .await
        .expect("register");
    let inv = inventory::quick(&read).await;
    assert_eq!(inv.targets_of(&web_tg).count(), 3);
    assert_eq!(
        inv.targets_by_az(&web_tg).get("us-east-1b").map(Vec::len),
        Some(1),
        "new target's AZ known"
    );

    assert_dry_ok(
        write
            .deregister_targets(&web_tg, &target(&web1), true)
            .await,
        "deregister dry run",
    );
    write
        .deregister_targets(&web_tg, &target(&web1), false)
        .await
        .expect("deregister");
    let inv = inventory::quick(&read).await;
    assert!(inv.targets_of(&web_tg).all(|t| t.target_id != web1));
}

#[tokio::test]
async fn target_group_details_read_the_deregistration_delay() {
    let (_g, seed) = moto::seeded().await;
    let (read, _) = moto::ports("us-east-1").await;
    let tg = read
        .target_group_details(&moto::id(&seed, &["target_groups", "web-tg"]))
        .await
        .expect("details");
    assert_eq!(tg.name, "web-tg");
    assert_eq!(tg.deregistration_delay_seconds, Some(30));
}

#[tokio::test]
async fn address_interface_and_private_ip_writes() {
    let (_g, seed) = moto::seeded().await;
    let (read, write) = moto::ports("us-east-1").await;
    let alloc = moto::id(&seed, &["eip", "allocation_id"]);
    let assoc = moto::id(&seed, &["eip", "association_id"]);
    let db1 = moto::id(&seed, &["instances", "db-1"]);
    let app = moto::id(&seed, &["instances", "app-1"]);
    let eni = moto::id(&seed, &["eni_id"]);

    // Move the EIP from db-1 to app-1 (reassociation), verified by reading it back.
    let to_app = AddressTarget::Instance(app.clone());
    assert_dry_ok(
        write.associate_address(&alloc, &to_app, true, true).await,
        "associate dry run",
    );
    assert_eq!(
        inventory::quick(&read).await.eips_of_instance(&db1).len(),
        1
    );
    let refused = write
        .associate_address(&alloc, &to_app, false, false)
        .await
        .unwrap_err();
    assert_eq!(
        (refused.kind, refused.code.as_str()),
        (ErrorKind::InvalidState, "Resource.AlreadyAssociated")
    );
    let new_assoc = write
        .associate_address(&alloc, &to_app, true, false)
        .await
        .expect("reassociate")
        .value;
    let inv = inventory::quick(&read).await;
    assert_eq!(inv.eips_of_instance(&app).len(), 1);
    assert!(inv.eips_of_instance(&db1).is_empty());
    assert_ne!(new_assoc, assoc);

    assert_dry_ok(
        write.disassociate_address(&new_assoc, true).await,
        "disassociate dry run",
    );
    write
        .disassociate_address(&new_assoc, false)
        .await
        .expect("disassociate");
    assert!(
        inventory::quick(&read)
            .await
            .eips_of_instance(&app)
            .is_empty()
    );

    // Attach the spare ENI (same AZ as app-1) and detach it again.
    assert_dry_ok(
        write.attach_network_interface(&eni, &app, 1, true).await,
        "attach ENI dry run",
    );
    let att = write
        .attach_network_interface(&eni, &app, 1, false)
        .await
        .expect("attach ENI")
        .value;
    assert!(
        inventory::quick(&read)
            .await
            .enis_of_instance(&app)
            .iter()
            .any(|n| n.id == eni)
    );
    assert_dry_ok(
        write.detach_network_interface(&att, false, true).await,
        "detach ENI dry run",
    );
    write
        .detach_network_interface(&att, false, false)
        .await
        .expect("detach ENI");
    assert!(
        !inventory::quick(&read)
            .await
            .enis_of_instance(&app)
            .iter()
            .any(|n| n.id == eni)
    );

    // Secondary private IPs: assign and unassign (these calls have no DryRun: checked by reading).
    let ip = "10.20.2.77".to_string();
    assert_dry_ok(
        write
            .assign_private_ips(&eni, std::slice::from_ref(&ip), true, true)
            .await,
        "assign dry run",
    );
    write
        .assign_private_ips(&eni, std::slice::from_ref(&ip), true, false)
        .await
        .expect("assign");
    let has_ip = |inv: &Inventory| {
        inv.network_interfaces
            .iter()
            .any(|n| n.id == eni && n.secondary_private_ips().any(|a| a == ip))
    };
    assert!(has_ip(&inventory::quick(&read).await));
    assert_dry_ok(
        write
            .unassign_private_ips(&eni, std::slice::from_ref(&ip), true)
            .await,
        "unassign dry run",
    );
    write
        .unassign_private_ips(&eni, std::slice::from_ref(&ip), false)
        .await
        .expect("unassign");
    assert!(!has_ip(&inventory::quick(&read).await));
}
