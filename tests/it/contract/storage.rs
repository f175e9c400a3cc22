//! Volume and snapshot writes, with their waits and EC2's refusals.

use super::kit::*;
use opsdeck_core::cloud::*;
use opsdeck_core::domain::*;

fn scratch(az: &str) -> VolumeSpec {
    VolumeSpec {
        az: az.into(),
        size_gib: Some(20),
        volume_type: "gp3".into(),
        iops: None,
        snapshot_id: None,
        tags: vec![Tag::new("fleet", "seed"), Tag::new("Name", "scratch")],
    }
}

async fn volume_state(cloud: &Cloud, id: &str) -> Option<VolumeState> {
    cloud
        .read
        .volume(id)
        .await
        .expect("describe volume")
        .map(|v| v.state)
}

async fn attachment(cloud: &Cloud, id: &str) -> Option<(String, AttachmentState)> {
    cloud
        .read
        .volume(id)
        .await
        .expect("describe volume")
        .and_then(|v| {
            v.attachments
                .first()
                .map(|a| (a.instance_id.to_string(), a.state))
        })
}

pub async fn volume_attach_detach_delete(cloud: &Cloud) {
    let inv = cloud.inventory().await;
    let app = seeded(&inv, "app-1").id.clone(); // us-east-1b
    let w = &cloud.write;

    assert_dry_ok(
        w.create_volume(&scratch("us-east-1b"), true).await,
        "create dry run",
    );
    let vol = w
        .create_volume(&scratch("us-east-1b"), false)
        .await
        .expect("create")
        .value;
    let v = cloud.read.volume(&vol).await.expect("v").expect("listed");
    assert_eq!(
        (v.az.as_str(), v.size_gib, v.name.as_deref()),
        ("us-east-1b", 20, Some("scratch"))
    );
    cloud
        .wait("the volume is available", MINUTE, || async {
            volume_state(cloud, &vol).await == Some(VolumeState::Available)
        })
        .await;

    assert_dry_ok(
        w.attach_volume(&vol, &app, "/dev/sdg", true).await,
        "attach dry run",
    );
    assert_eq!(attachment(cloud, &vol).await, None);
    w.attach_volume(&vol, &app, "/dev/sdg", false)
        .await
        .expect("attach");
    cloud
        .wait("attached to app-1", MINUTE, || async {
            attachment(cloud, &vol).await == Some((app.to_string(), AttachmentState::Attached))
        })
        .await;
    assert_eq!(volume_state(cloud, &vol).await, Some(VolumeState::InUse));
    let e = w.delete_volume(&vol, false).await.unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::InvalidState, "VolumeInUse")
    );

    assert_dry_ok(
        w.detach_volume(&vol, &app, false, true).await,
        "detach dry run",
    );
    w.detach_volume(&vol, &app, false, false)
        .await
        .expect("detach");
    cloud
        .wait("available again", MINUTE, || async {
            volume_state(cloud, &vol).await == Some(VolumeState::Available)
        })
        .await;
    assert_dry_ok(w.delete_volume(&vol, true).await, "delete dry run");
    w.delete_volume(&vol, false).await.expect("delete");
    cloud
        .wait("the volume is gone", MINUTE, || async {
            volume_state(cloud, &vol).await.is_none()
        })
        .await;

    // A volume attaches only in its own zone.
    let other = w
        .create_volume(&scratch("us-east-1a"), false)
        .await
        .expect("create in 1a")
        .value;
    cloud
        .wait("available", MINUTE, || async {
            volume_state(cloud, &other).await == Some(VolumeState::Available)
        })
        .await;
    let cross = w.attach_volume(&other, &app, "/dev/sdh", false).await;
    if cloud.moto_quirk("moto attaches a volume to an instance in another AZ") {
        assert!(cross.is_ok(), "{cross:?}");
        w.detach_volume(&other, &app, false, false)
            .await
            .expect("undo");
    } else {
        let e = cross.unwrap_err();
        assert_eq!(
            (e.kind, e.code.as_str()),
            (ErrorKind::InvalidRequest, "InvalidVolume.ZoneMismatch")
        );
        assert_eq!(
            volume_state(cloud, &other).await,
            Some(VolumeState::Available)
        );
    }
}

pub async fn snapshot_copy_restore_delete(cloud: &Cloud) {
    let inv = cloud.inventory().await;
    let data = volume_named(&inv, "db-1-data").id.clone();
    let image_snapshot = image_named(&inv, "seed-web-image").snapshot_ids[0].clone();
    let w = &cloud.write;
    let completed = |id: String| async move {
        cloud
            .read
            .snapshot(&id)
            .await
            .expect("snapshot")
            .is_some_and(|s| s.state == SnapshotState::Completed && s.progress == 100)
    };

    let tags = [Tag::new("fleet", "seed"), Tag::new("Name", "contract-snap")];
    assert_dry_ok(
        w.create_snapshot(&data, "contract snapshot", &tags, true)
            .await,
        "snapshot dry run",
    );
    let snap = w
        .create_snapshot(&data, "contract snapshot", &tags, false)
        .await
        .expect("snapshot")
        .value;
    let s = cloud
        .read
        .snapshot(&snap)
        .await
        .expect("s")
        .expect("listed");
    assert_eq!(
        (s.volume_id.as_deref(), s.volume_size_gib),
        (Some(data.as_str()), 100)
    );
    assert_eq!(s.name.as_deref(), Some("contract-snap"));
    cloud
        .wait("the snapshot completes", 15 * MINUTE, || {
            completed(snap.clone())
        })
        .await;
    assert_eq!(cloud.inventory().await.snapshots_of_volume(&data).len(), 3);

    assert_dry_ok(
        w.copy_snapshot("us-east-1", &snap, "copy", true).await,
        "copy dry run",
    );
    let copy = w
        .copy_snapshot("us-east-1", &snap, "copy", false)
        .await
        .expect("copy")
        .value;
    cloud
        .wait("the copy completes", 15 * MINUTE, || {
            completed(copy.clone())
        })
        .await;

    let restore = VolumeSpec {
        az: "us-east-1b".into(),
        size_gib: None,
        volume_type: "gp3".into(),
        iops: None,
        snapshot_id: Some(snap.clone()),
        tags: vec![],
    };
    let vol = w
        .create_volume(&restore, false)
        .await
        .expect("restore")
        .value;
    let v = cloud.read.volume(&vol).await.expect("v").expect("restored");
    assert_eq!(
        (v.az.as_str(), v.snapshot_id.as_deref(), v.size_gib),
        ("us-east-1b", Some(snap.as_str()), 100)
    );
    cloud
        .wait("the restored volume is available", 2 * MINUTE, || async {
            cloud
                .read
                .volume(&vol)
                .await
                .expect("v")
                .is_some_and(|v| v.state == VolumeState::Available)
        })
        .await;

    assert_dry_ok(w.delete_snapshot(&copy, true).await, "delete dry run");
    w.delete_snapshot(&copy, false)
        .await
        .expect("delete the copy");
    assert!(cloud.read.snapshot(&copy).await.expect("s").is_none());
    let e = w.delete_snapshot(&image_snapshot, false).await.unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::InvalidState, "InvalidSnapshot.InUse"),
        "{e}"
    );
}

/// `CreateSnapshots`: one call snapshots every volume attached to the instance, root included, at
/// one start time, each carrying the call's tags; a dry run makes nothing; an unknown instance is
/// refused as EC2 refuses it.
pub async fn snapshot_set_of_an_instance(cloud: &Cloud) {
    let inv = cloud.inventory().await;
    let db = seeded(&inv, "db-1").id.to_string();
    let mut attached: Vec<String> = inv
        .volumes_of_instance(&db)
        .iter()
        .map(|v| v.id.to_string())
        .collect();
    attached.sort();
    assert!(attached.len() >= 2, "db-1 has a root and a data volume");
    let before = inv.snapshots.len();
    let w = &cloud.write;
    let tags = [Tag::new("fleet", "seed"), Tag::new("set", "contract")];

    assert_dry_ok(
        w.create_snapshots(&db, "contract set", &tags, false, true)
            .await,
        "set dry run",
    );
    assert_eq!(
        cloud.inventory().await.snapshots.len(),
        before,
        "a dry run makes nothing"
    );

    let made = w
        .create_snapshots(&db, "contract set", &tags, false, false)
        .await
        .expect("create snapshots")
        .value;
    let mut volumes: Vec<String> = made.iter().map(|m| m.volume_id.clone()).collect();
    volumes.sort();
    assert_eq!(volumes, attached, "one snapshot per attached volume");

    let after = cloud.inventory().await;
    let mut starts = Vec::new();
    for m in &made {
        let s = after
            .snapshot(&m.snapshot_id)
            .unwrap_or_else(|| panic!("{} listed", m.snapshot_id));
        assert_eq!(s.volume_id.as_deref(), Some(m.volume_id.as_str()));
        assert_eq!(s.description, "contract set");
        assert_eq!(
            (s.tags.get("set"), s.tags.get("fleet")),
            (Some("contract"), Some("seed")),
            "the call's tags on every snapshot: {:?}",
            s.tags
        );
        starts.push(s.start_time.expect("a start time"));
    }
    starts.dedup();
    assert_eq!(starts.len(), 1, "one point in time: {starts:?}");

    let e = w
        .create_snapshots("i-0123456789abcdef0", "none", &[], false, false)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::NotFound, "InvalidInstanceID.NotFound")
    );
}
