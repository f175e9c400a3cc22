//! Elastic IPs, network interfaces and secondary private addresses in the sim: EC2's association and
//! reassignment rules (where moto is lenient), and the short attach/detach transitions.

use crate::support::sim::{self, instance};
use opsdeck_core::cloud::*;
use opsdeck_core::domain::*;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::sleep;

/// The seed of every scenario here (ids, addresses and fault dice follow from it).
const SEED: u64 = 9;

async fn eni(r: &Arc<dyn CloudRead>, id: &str) -> NetworkInterface {
    r.network_interfaces()
        .await
        .expect("enis")
        .into_iter()
        .find(|n| n.id == id)
        .expect("listed")
}

async fn eip(r: &Arc<dyn CloudRead>, alloc: &str) -> ElasticIp {
    r.elastic_ips()
        .await
        .expect("eips")
        .into_iter()
        .find(|a| a.allocation_id == alloc)
        .expect("listed")
}

#[tokio::test(start_paused = true)]
async fn an_elastic_ip_moves_only_with_reassociation() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let db1 = sim.instance_id("db-1").expect("db-1");
    let web1 = sim.instance_id("web-1").expect("web-1");
    let alloc = sim.allocation_id("db-1-eip").expect("eip");
    let before = eip(&r, &alloc).await;
    assert_eq!(before.instance_id.as_deref(), Some(db1.as_str()));
    let to_web1 = AddressTarget::Instance(web1.clone());

    let e = w
        .associate_address(&alloc, &to_web1, false, false)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::InvalidState, "Resource.AlreadyAssociated")
    );
    let e = w
        .associate_address(&alloc, &to_web1, true, true)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::DryRunOk);
    assert_eq!(eip(&r, &alloc).await, before, "dry run changed nothing");

    let assoc = w
        .associate_address(&alloc, &to_web1, true, false)
        .await
        .expect("move")
        .value;
    assert_ne!(Some(assoc.as_str()), before.association_id.as_deref());
    let after = eip(&r, &alloc).await;
    assert_eq!(after.instance_id.as_deref(), Some(web1.as_str()));
    assert_eq!(
        instance(&r, &web1).await.public_ip.as_deref(),
        Some(before.public_ip.as_str())
    );
    assert_eq!(
        instance(&r, &db1).await.public_ip,
        None,
        "db-1 is in a private subnet: no address left"
    );

    // Associating again with the same target is idempotent.
    let again = w
        .associate_address(&alloc, &to_web1, false, false)
        .await
        .expect("same target")
        .value;
    assert_eq!(again, assoc);

    w.disassociate_address(&assoc, false)
        .await
        .expect("disassociate");
    let free = eip(&r, &alloc).await;
    assert_eq!((free.association_id, free.instance_id), (None, None));
    assert_ne!(
        instance(&r, &web1).await.public_ip.as_deref(),
        Some(before.public_ip.as_str())
    );
    let e = w.disassociate_address(&assoc, false).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
}

#[tokio::test(start_paused = true)]
async fn a_second_address_on_the_same_target_replaces_the_first() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let db1 = sim.instance_id("db-1").expect("db-1");
    let spare = sim.allocation_id("shop-spare-eip").expect("spare");
    let main = sim.allocation_id("db-1-eip").expect("eip");
    w.associate_address(&spare, &AddressTarget::Instance(db1.clone()), false, false)
        .await
        .expect("associate the spare");
    assert_eq!(
        eip(&r, &spare).await.instance_id.as_deref(),
        Some(db1.as_str())
    );
    assert_eq!(
        eip(&r, &main).await.association_id,
        None,
        "the old one stays allocated, unassociated"
    );
}

#[tokio::test(start_paused = true)]
async fn an_interface_attaches_in_its_own_zone_and_detaches_after_a_moment() {
    let sim = sim::at_epoch("seed", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let spare = sim
        .eni_id("seed-spare-eni")
        .expect("spare ENI (us-east-1b)");
    let app1 = sim.instance_id("app-1").expect("app-1 (us-east-1b)");
    let web1 = sim.instance_id("web-1").expect("web-1 (us-east-1a)");

    // moto attaches across zones; EC2 refuses.
    let e = w
        .attach_network_interface(&spare, &web1, 1, false)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidRequest, "{e}");
    let e = w
        .attach_network_interface(&spare, &app1, 0, false)
        .await
        .unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::InvalidRequest,
        "device index 0 is taken: {e}"
    );

    let att = w
        .attach_network_interface(&spare, &app1, 1, false)
        .await
        .expect("attach")
        .value;
    let n = eni(&r, &spare).await;
    assert_eq!(n.status, "in-use");
    assert_eq!(
        n.attachment.as_ref().map(|a| a.status.as_str()),
        Some("attaching")
    );
    sleep(Duration::from_secs(4)).await;
    assert_eq!(
        eni(&r, &spare).await.attachment.map(|a| a.status),
        Some("attached".into())
    );
    assert_eq!(instance(&r, &app1).await.network_interface_ids.len(), 2);
    let e = w
        .attach_network_interface(&spare, &app1, 2, false)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidRequest, "already in use: {e}");

    // With two interfaces an instance-level EIP association is ambiguous.
    let alloc = sim.allocation_id("db-1-eip").expect("eip");
    let e = w
        .associate_address(&alloc, &AddressTarget::Instance(app1.clone()), true, false)
        .await
        .unwrap_err();
    assert_eq!(e.code, "InvalidInstanceID");

    // The primary interface never detaches; the spare does, after a few seconds.
    let primary = instance(&r, &app1).await.network_interface_ids[0].clone();
    let primary_att = eni(&r, &primary)
        .await
        .attachment
        .expect("attached")
        .attachment_id;
    let e = w
        .detach_network_interface(&primary_att, false, false)
        .await
        .unwrap_err();
    assert_eq!(e.code, "OperationNotPermitted");
    w.detach_network_interface(&att, false, false)
        .await
        .expect("detach");
    assert_eq!(
        eni(&r, &spare).await.attachment.map(|a| a.status),
        Some("detaching".into())
    );
    sleep(Duration::from_secs(6)).await;
    let n = eni(&r, &spare).await;
    assert_eq!((n.status.as_str(), n.attachment), ("available", None));
}

#[tokio::test(start_paused = true)]
async fn a_private_address_moves_only_with_reassignment_and_its_eip_follows() {
    let sim = sim::at_epoch("seed", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let spare = sim.eni_id("seed-spare-eni").expect("spare ENI");
    let app1 = sim.instance_id("app-1").expect("app-1");
    let app1_eni = instance(&r, &app1).await.network_interface_ids[0].clone();
    let ip = eni(&r, &spare)
        .await
        .secondary_private_ips()
        .next()
        .expect("a secondary IP")
        .to_string();
    let alloc = sim.allocation_id("db-1-eip").expect("eip");

    // Point the EIP at the spare's secondary address (a floating service address).
    w.associate_address(
        &alloc,
        &AddressTarget::NetworkInterface {
            eni_id: spare.clone(),
            private_ip: Some(ip.clone()),
        },
        true,
        false,
    )
    .await
    .expect("EIP on the secondary address");

    // moto ignores AllowReassignment=false; EC2 refuses to take an address in use.
    let e = w
        .assign_private_ips(&app1_eni, std::slice::from_ref(&ip), false, false)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::InvalidState, "InvalidIPAddress.InUse")
    );
    let e = w
        .assign_private_ips(&app1_eni, std::slice::from_ref(&ip), true, true)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::DryRunOk);
    assert!(
        eni(&r, &spare)
            .await
            .secondary_private_ips()
            .any(|a| a == ip),
        "dry run moved nothing"
    );

    w.assign_private_ips(&app1_eni, std::slice::from_ref(&ip), true, false)
        .await
        .expect("reassign");
    assert!(
        !eni(&r, &spare)
            .await
            .secondary_private_ips()
            .any(|a| a == ip),
        "gone from the old interface"
    );
    let moved = eni(&r, &app1_eni).await;
    let p = moved
        .private_ips
        .iter()
        .find(|p| p.address == ip)
        .expect("on the new interface");
    assert!(!p.primary);
    assert_eq!(
        p.public_ip.as_deref(),
        Some(eip(&r, &alloc).await.public_ip.as_str()),
        "the EIP follows"
    );
    assert_eq!(
        eip(&r, &alloc).await.instance_id.as_deref(),
        Some(app1.as_str())
    );

    // A primary address never moves; addresses outside the subnet are refused.
    let primary = eni(&r, &spare)
        .await
        .primary_private_ip()
        .expect("primary")
        .to_string();
    let e = w
        .assign_private_ips(&app1_eni, std::slice::from_ref(&primary), true, false)
        .await
        .unwrap_err();
    assert_eq!(e.code, "InvalidIPAddress.InUse");
    let e = w
        .assign_private_ips(&app1_eni, &["10.99.0.10".to_string()], false, false)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidRequest);

    // Unassigning drops the address and its EIP association.
    w.unassign_private_ips(&app1_eni, std::slice::from_ref(&ip), false)
        .await
        .expect("unassign");
    assert_eq!(eip(&r, &alloc).await.association_id, None);
    let e = w
        .unassign_private_ips(&app1_eni, std::slice::from_ref(&ip), false)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidRequest);
}

#[tokio::test(start_paused = true)]
async fn an_elastic_ip_replaces_the_auto_assigned_address_and_leaving_brings_a_new_one() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let web1 = sim.instance_id("web-1").expect("web-1");
    let web2 = sim.instance_id("web-2").expect("web-2");
    let spare = sim.allocation_id("shop-spare-eip").expect("spare");
    let spare_ip = eip(&r, &spare).await.public_ip;
    let web1_auto = instance(&r, &web1)
        .await
        .public_ip
        .expect("web-1 has a public IP");
    let web2_auto = instance(&r, &web2)
        .await
        .public_ip
        .expect("web-2 has a public IP");

    // AWS: associating an Elastic IP with the primary address releases the auto-assigned one ...
    let assoc = w
        .associate_address(&spare, &AddressTarget::Instance(web1.clone()), false, false)
        .await
        .expect("associate")
        .value;
    assert_eq!(instance(&r, &web1).await.public_ip, Some(spare_ip.clone()));

    // ... so moving the EIP on gives web-1 a new address, not its old one back.
    w.associate_address(&spare, &AddressTarget::Instance(web2.clone()), true, false)
        .await
        .expect("move to web-2");
    assert_eq!(instance(&r, &web2).await.public_ip, Some(spare_ip.clone()));
    let web1_new = instance(&r, &web1)
        .await
        .public_ip
        .expect("a new public IP");
    assert!(
        web1_new != web1_auto && web1_new != spare_ip,
        "{web1_auto} → {spare_ip} → {web1_new}"
    );

    // Disassociating does the same for web-2.
    let on_web2 = eip(&r, &spare).await.association_id.expect("associated");
    assert_ne!(on_web2, assoc);
    w.disassociate_address(&on_web2, false)
        .await
        .expect("disassociate");
    let web2_new = instance(&r, &web2)
        .await
        .public_ip
        .expect("a new public IP");
    assert!(
        web2_new != web2_auto && web2_new != spare_ip,
        "{web2_auto} → {spare_ip} → {web2_new}"
    );
    assert_eq!(
        instance(&r, &web1).await.public_ip,
        Some(web1_new),
        "web-1 is untouched"
    );
}
