//! Every write of the AWS adapter against moto, in its dry-run and real forms, read back through the
//! adapter; plus error mapping and the SDK's retry of throttled calls.

use crate::support;

use opsdeck_core::cloud::*;
use opsdeck_core::domain::*;
use serde_json::json;
use std::sync::Arc;
use support::calls;
use support::inventory;
use support::moto;
use support::ports::{assert_dry_ok, one};

/// The instance's state, read back through the adapter.
async fn state_of(read: &Arc<dyn CloudRead>, id: &str) -> Option<InstanceState> {
    inventory::quick(read).await.instance(id).map(|i| i.state)
}

#[tokio::test]
async fn instance_lifecycle_writes() {
    let (_g, seed) = moto::seeded().await;
    let (read, write) = moto::ports("us-east-1").await;
    let app = moto::id(&seed, &["instances", "app-1"]);

    assert_dry_ok(
        write.stop_instances(&one(&app), false, true).await,
        "stop dry run",
    );
    assert_eq!(state_of(&read, &app).await, Some(InstanceState::Running));
    let w = write
        .stop_instances(&one(&app), false, false)
        .await
        .expect("stop");
    assert!(w.request_id.is_some(), "writes carry a request id");
    assert_eq!(state_of(&read, &app).await, Some(InstanceState::Stopped));

    assert_dry_ok(
        write.start_instances(&one(&app), true).await,
        "start dry run",
    );
    assert_eq!(state_of(&read, &app).await, Some(InstanceState::Stopped));
    write
        .start_instances(&one(&app), false)
        .await
        .expect("start");
    assert_eq!(state_of(&read, &app).await, Some(InstanceState::Running));

    assert_dry_ok(
        write.reboot_instances(&one(&app), true).await,
        "reboot dry run",
    );
    write
        .reboot_instances(&one(&app), false)
        .await
        .expect("reboot");

    assert_dry_ok(
        write.terminate_instances(&one(&app), true).await,
        "terminate dry run",
    );
    assert_eq!(state_of(&read, &app).await, Some(InstanceState::Running));
    write
        .terminate_instances(&one(&app), false)
        .await
        .expect("terminate");
    assert_eq!(state_of(&read, &app).await, Some(InstanceState::Terminated));
}

#[tokio::test]
async fn image_and_clone_launch_writes() {
    let (_g, seed) = moto::seeded().await;
    let (read, write) = moto::ports("us-east-1").await;
    let inv = inventory::quick(&read).await;
    let web1 = inv
        .instance(&moto::id(&seed, &["instances", "web-1"]))
        .expect("web-1")
        .clone();
    let images_before = inv.images.len();

    let tags = [
        Tag::new("fleet", "seed"),
        Tag::new("made-by", "opsdeck-test"),
    ];
    assert_dry_ok(
        write
            .create_image(&web1.id, "clone-src", "test", true, &tags, true)
            .await,
        "image dry run",
    );
    assert_eq!(inventory::quick(&read).await.images.len(), images_before);
    let image = write
        .create_image(&web1.id, "clone-src", "test", true, &tags, false)
        .await
        .expect("create image")
        .value;
    let inv = inventory::quick(&read).await;
    let img = inv.image(&image).expect("new image listed");
    assert_eq!(img.tags.get("made-by"), Some("opsdeck-test"));

    // Clone web-1 into the other AZ's subnet, copying what matters.
    let subnet_b = moto::id(&seed, &["subnets", "us-east-1b"]);
    let spec = LaunchSpec::clone_of(&web1, &image, &subnet_b, "clone-token-1");
    assert_dry_ok(write.run_instances(&spec, true).await, "run dry run");
    let n_before = inventory::quick(&read).await.instances.len();
    let ids = write
        .run_instances(&spec, false)
        .await
        .expect("launch clone")
        .value;
    assert_eq!(ids.len(), 1);
    let inv = inventory::quick(&read).await;
    assert_eq!(inv.instances.len(), n_before + 1);
    let clone = inv.instance(&ids[0]).expect("clone listed");
    assert_eq!(clone.az, "us-east-1b");
    assert_eq!(clone.instance_type, web1.instance_type);
    assert_eq!(clone.image_id.as_deref(), Some(image.as_str()));
    assert_eq!(clone.key_name, web1.key_name);
    assert_eq!(clone.security_group_ids, web1.security_group_ids);
    assert_eq!(clone.tags.get("role"), web1.tags.get("role"));

    assert_dry_ok(
        write.deregister_image(&image, true).await,
        "deregister dry run",
    );
    write
        .deregister_image(&image, false)
        .await
        .expect("deregister image");
    assert!(inventory::quick(&read).await.image(&image).is_none());
}

#[tokio::test]
async fn volume_and_snapshot_writes() {
    let (_g, seed) = moto::seeded().await;
    let (read, write) = moto::ports("us-east-1").await;
    let app = moto::id(&seed, &["instances", "app-1"]);
    let data = moto::id(&seed, &["data_volume_id"]);

    let spec = VolumeSpec {
        az: "us-east-1b".into(),
        size_gib: Some(20),
        volume_type: "gp3".into(),
        iops: None,
        snapshot_id: None,
        tags: vec![Tag::new("Name", "scratch")],
    };
    assert_dry_ok(
        write.create_volume(&spec, true).await,
        "create volume dry run",
    );
    let vol = write
        .create_volume(&spec, false)
        .await
        .expect("create volume")
        .value;
    let inv = inventory::quick(&read).await;
    let v = inv.volume(&vol).expect("volume listed");
    assert_eq!(
        (v.az.as_str(), v.size_gib, v.name.as_deref()),
        ("us-east-1b", 20, Some("scratch"))
    );

    assert_dry_ok(
        write.attach_volume(&vol, &app, "/dev/sdg", true).await,
        "attach dry run",
    );
    assert_eq!(
        inventory::quick(&read)
            .await
            .volume(&vol)
            .and_then(|v| v.attached_instance().map(str::to_string)),
        None
    );
    write
        .attach_volume(&vol, &app, "/dev/sdg", false)
        .await
        .expect("attach");
    assert_eq!(
        inventory::quick(&read)
            .await
            .volume(&vol)
            .and_then(|v| v.attached_instance().map(str::to_string)),
        Some(app.clone())
    );

    assert_dry_ok(
        write.detach_volume(&vol, &app, false, true).await,
        "detach dry run",
    );
    write
        .detach_volume(&vol, &app, false, false)
        .await
        .expect("detach");
    assert_eq!(
        inventory::quick(&read).await.volume(&vol).map(|v| v.state),
        Some(VolumeState::Available)
    );

    assert_dry_ok(write.delete_volume(&vol, true).await, "delete dry run");
    write
        .delete_volume(&vol, false)
        .await
        .expect("delete volume");
    assert!(inventory::quick(&read).await.volume(&vol).is_none());

    // Snapshots: create, copy (same region), restore into another AZ, delete.
    let tags = [Tag::new("fleet", "seed")];
    assert_dry_ok(
        write.create_snapshot(&data, "test snap", &tags, true).await,
        "snapshot dry run",
    );
    let snap = write
        .create_snapshot(&data, "test snap", &tags, false)
        .await
        .expect("snapshot")
        .value;
    let inv = inventory::quick(&read).await;
    assert_eq!(
        inv.snapshot(&snap).and_then(|s| s.volume_id.clone()),
        Some(Into::into(data.clone()))
    );
    assert_eq!(inv.snapshots_of_volume(&data).len(), 3);

    assert_dry_ok(
        write.copy_snapshot("us-east-1", &snap, "copy", true).await,
        "copy dry run",
    );
    let copy = write
        .copy_snapshot("us-east-1", &snap, "copy", false)
        .await
        .expect("copy snapshot")
        .value;
    assert!(inventory::quick(&read).await.snapshot(&copy).is_some());

    let restored = write
        .create_volume(
            &VolumeSpec {
                az: "us-east-1b".into(),
                size_gib: None,
                volume_type: "gp3".into(),
                iops: None,
                snapshot_id: Some(snap.clone()),
                tags: vec![],
            },
            false,
        )
        .await
        .expect("restore");
    let inv = inventory::quick(&read).await;
    let r = inv.volume(&restored.value).expect("restored volume");
    assert_eq!(
        (r.az.as_str(), r.snapshot_id.as_deref(), r.size_gib),
        ("us-east-1b", Some(snap.as_str()), 100)
    );

    assert_dry_ok(
        write.delete_snapshot(&copy, true).await,
        "delete snapshot dry run",
    );
    write
        .delete_snapshot(&copy, false)
        .await
        .expect("delete snapshot");
    assert!(inventory::quick(&read).await.snapshot(&copy).is_none());
}

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

#[tokio::test]
async fn tags_and_event_reschedule_writes() {
    let (_g, seed) = moto::seeded().await;
    let (read, write) = moto::ports("us-east-1").await;
    let web2 = moto::id(&seed, &["instances", "web-2"]);
    let event_id = moto::id(&seed, &["web_2_event_id"]);

    let tags = [Tag::new("owner", "ops")];
    assert_dry_ok(
        write.create_tags(&one(&web2), &tags, true).await,
        "tags dry run",
    );
    assert_eq!(
        inventory::quick(&read)
            .await
            .instance(&web2)
            .and_then(|i| i.tags.get("owner").map(str::to_string)),
        None
    );
    write
        .create_tags(&one(&web2), &tags, false)
        .await
        .expect("tags");
    assert_eq!(
        inventory::quick(&read)
            .await
            .instance(&web2)
            .and_then(|i| i.tags.get("owner").map(str::to_string))
            .as_deref(),
        Some("ops")
    );

    let inv = inventory::quick(&read).await;
    let ev = inv.instance(&web2).expect("web-2").events[0].clone();
    let new_start = ev.not_before.expect("not before") + chrono::Duration::days(2);
    assert_dry_ok(
        write
            .reschedule_instance_event(&web2, &event_id, new_start, true)
            .await,
        "reschedule dry run",
    );
    write
        .reschedule_instance_event(&web2, &event_id, new_start, false)
        .await
        .expect("reschedule");
    let after = inventory::quick(&read)
        .await
        .instance(&web2)
        .expect("web-2")
        .events[0]
        .clone();
    assert_eq!(
        after.not_before.map(|t| t.timestamp()),
        Some(new_start.timestamp())
    );

    let late = ev.not_before_deadline.expect("deadline") + chrono::Duration::days(1);
    let e = write
        .reschedule_instance_event(&web2, &event_id, late, false)
        .await
        .unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::InvalidRequest,
        "past the deadline is refused: {e}"
    );
}

#[tokio::test]
async fn errors_are_typed() {
    let (_g, seed) = moto::seeded().await;
    let (_, write) = moto::ports("us-east-1").await;
    let data = moto::id(&seed, &["data_volume_id"]);

    let e = write
        .stop_instances(&one("i-0123456789abcdef0"), false, false)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    assert!(e.code.starts_with("InvalidInstanceID"), "{e}");

    let e = write.delete_volume(&data, false).await.unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::InvalidState, "VolumeInUse"),
        "{e}"
    );

    moto::set_faults(
        json!([{ "service": "ec2", "action": "RebootInstances", "error_code": "UnauthorizedOperation", "status": 403 }]),
    );
    let e = write
        .reboot_instances(&one(&moto::id(&seed, &["instances", "web-1"])), true)
        .await
        .unwrap_err();
    moto::clear_faults();
    assert_eq!(e.kind, ErrorKind::Unauthorized, "{e}");
    assert!(e.to_string().contains("not permitted"), "plain words: {e}");
}

#[tokio::test]
async fn throttling_is_retried_by_the_sdk_and_reported_when_it_persists() {
    let (_g, _seed) = moto::seeded().await;
    let (read, _) = moto::ports("us-east-1").await;

    moto::set_faults(
        json!([{ "service": "ec2", "action": "DescribeAddresses", "error_code": "RequestLimitExceeded", "status": 503, "times": 2 }]),
    );
    moto::clear_requests();
    let eips = read.elastic_ips().await.expect("retried to success");
    assert_eq!(eips.len(), 1);
    assert_eq!(
        calls::moto("DescribeAddresses"),
        3,
        "two throttled attempts, then success"
    );

    moto::set_faults(
        json!([{ "service": "ec2", "action": "DescribeAddresses", "error_code": "RequestLimitExceeded", "status": 503 }]),
    );
    let e = read.elastic_ips().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Throttled, "{e}");

    moto::set_faults(
        json!([{ "service": "ec2", "action": "DescribeAddresses", "error_code": "InternalError", "status": 500 }]),
    );
    let e = read.elastic_ips().await.unwrap_err();
    moto::clear_faults();
    assert_eq!(e.kind, ErrorKind::ServerError, "{e}");
}
