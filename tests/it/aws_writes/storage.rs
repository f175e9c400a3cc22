//! Volume writes (create, attach, detach, delete) and snapshot writes (create, copy, restore into
//! another AZ, delete).

use super::*;

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
