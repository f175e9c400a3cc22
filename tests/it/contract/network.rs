//! Elastic IP, network interface and private address moves (the db-failover re-point).

use super::kit::*;
use opsdeck_core::cloud::*;
use opsdeck_core::domain::*;

pub async fn elastic_ip_moves(cloud: &Cloud) {
    let inv = cloud.inventory().await;
    let eip = eip_named(&inv, "db-1-eip").clone();
    let (db1, app) = (
        seeded(&inv, "db-1").id.clone(),
        seeded(&inv, "app-1").id.clone(),
    );
    let w = &cloud.write;
    let to_app = AddressTarget::Instance(app.to_string());

    assert_dry_ok(
        w.associate_address(&eip.allocation_id, &to_app, true, true)
            .await,
        "associate dry run",
    );
    assert_eq!(cloud.inventory().await.eips_of_instance(&db1).len(), 1);
    let refused = w
        .associate_address(&eip.allocation_id, &to_app, false, false)
        .await
        .unwrap_err();
    assert_eq!(
        (refused.kind, refused.code.as_str()),
        (ErrorKind::InvalidState, "Resource.AlreadyAssociated")
    );
    let assoc = w
        .associate_address(&eip.allocation_id, &to_app, true, false)
        .await
        .expect("reassociate")
        .value;
    assert_ne!(Some(assoc.as_str()), eip.association_id.as_deref());
    let inv = cloud.inventory().await;
    assert_eq!(inv.eips_of_instance(&app).len(), 1);
    assert!(inv.eips_of_instance(&db1).is_empty());
    assert_eq!(
        inv.instance(&app).and_then(|i| i.public_ip.clone()),
        Some(eip.public_ip.clone())
    );

    assert_dry_ok(
        w.disassociate_address(&assoc, true).await,
        "disassociate dry run",
    );
    w.disassociate_address(&assoc, false)
        .await
        .expect("disassociate");
    let inv = cloud.inventory().await;
    assert!(inv.eips_of_instance(&app).is_empty());
    let free = eip_named(&inv, "db-1-eip");
    assert_eq!(
        (free.association_id.as_deref(), free.instance_id.as_deref()),
        (None, None)
    );
}

pub async fn interface_attach_detach(cloud: &Cloud) {
    let inv = cloud.inventory().await;
    let spare = eni_named(&inv, "seed-spare-eni").id.clone(); // us-east-1b
    let (app, web1) = (
        seeded(&inv, "app-1").id.clone(),
        seeded(&inv, "web-1").id.clone(),
    );
    let w = &cloud.write;
    let attachment = |eni: String| async move {
        cloud
            .read
            .network_interfaces()
            .await
            .expect("enis")
            .into_iter()
            .find(|n| n.id == eni)
            .and_then(|n| n.attachment)
    };

    assert_dry_ok(
        w.attach_network_interface(&spare, &app, 1, true).await,
        "attach dry run",
    );
    assert!(attachment(spare.to_string()).await.is_none());
    let att = w
        .attach_network_interface(&spare, &app, 1, false)
        .await
        .expect("attach")
        .value;
    cloud
        .wait("the spare ENI is attached to app-1", MINUTE, || {
            let a = attachment(spare.to_string());
            let (att, app) = (att.clone(), app.clone());
            async move {
                a.await.is_some_and(|a| {
                    a.attachment_id == att
                        && a.instance_id.as_deref() == Some(app.as_str())
                        && a.status == "attached"
                })
            }
        })
        .await;
    assert!(
        cloud
            .inventory()
            .await
            .enis_of_instance(&app)
            .iter()
            .any(|n| n.id == spare)
    );

    assert_dry_ok(
        w.detach_network_interface(&att, false, true).await,
        "detach dry run",
    );
    w.detach_network_interface(&att, false, false)
        .await
        .expect("detach");
    cloud
        .wait("the spare ENI is free again", MINUTE, || {
            let a = attachment(spare.to_string());
            async move { a.await.is_none() }
        })
        .await;

    let cross = w.attach_network_interface(&spare, &web1, 1, false).await;
    if cloud.moto_quirk("moto attaches an ENI to an instance in another AZ") {
        let att = cross.expect("moto accepts it").value;
        w.detach_network_interface(&att, false, false)
            .await
            .expect("undo");
    } else {
        assert_eq!(cross.unwrap_err().kind, ErrorKind::InvalidRequest);
    }
}

pub async fn private_ip_assignment(cloud: &Cloud) {
    let inv = cloud.inventory().await;
    let spare = eni_named(&inv, "seed-spare-eni").clone();
    let app = seeded(&inv, "app-1").clone();
    let app_eni = inv.enis_of_instance(&app.id)[0].id.clone();
    let w = &cloud.write;
    let has = |inv: &Inventory, eni: &str, ip: &str| {
        inv.network_interfaces
            .iter()
            .any(|n| n.id == eni && n.secondary_private_ips().any(|a| a == ip))
    };

    // These calls have no DryRun: the adapters check by reading.
    let ip = "10.20.2.77".to_string();
    assert_dry_ok(
        w.assign_private_ips(&spare.id, std::slice::from_ref(&ip), false, true)
            .await,
        "assign dry run",
    );
    assert!(!has(&cloud.inventory().await, &spare.id, &ip));
    w.assign_private_ips(&spare.id, std::slice::from_ref(&ip), false, false)
        .await
        .expect("assign");
    assert!(has(&cloud.inventory().await, &spare.id, &ip));
    assert_dry_ok(
        w.unassign_private_ips(&spare.id, std::slice::from_ref(&ip), true)
            .await,
        "unassign dry run",
    );
    w.unassign_private_ips(&spare.id, std::slice::from_ref(&ip), false)
        .await
        .expect("unassign");
    assert!(!has(&cloud.inventory().await, &spare.id, &ip));

    // Moving the spare's secondary address to app-1 needs AllowReassignment.
    let floating = spare
        .secondary_private_ips()
        .next()
        .expect("a secondary address")
        .to_string();
    let taken = w
        .assign_private_ips(&app_eni, std::slice::from_ref(&floating), false, false)
        .await;
    if cloud.moto_quirk("moto ignores AllowReassignment=false and takes an address in use") {
        assert!(taken.is_ok(), "{taken:?}");
    } else {
        let e = taken.unwrap_err();
        assert_eq!(
            (e.kind, e.code.as_str()),
            (ErrorKind::InvalidState, "InvalidIPAddress.InUse")
        );
        w.assign_private_ips(&app_eni, std::slice::from_ref(&floating), true, false)
            .await
            .expect("reassign");
        let inv = cloud.inventory().await;
        assert!(has(&inv, &app_eni, &floating));
        assert!(
            !has(&inv, &spare.id, &floating),
            "the address left the spare ENI"
        );
    }
}
