//! Volumes, snapshots and AMIs on the simulated clock: creating → available, attaching → in-use,
//! detaching → available, snapshot progress rising to completed, AMIs pending until their snapshots
//! complete; and EC2's refusals (zone mismatch, volume in use, snapshot in use, rate limits).

use crate::support::sim::{self, epoch, secs};
use opsdeck_core::cloud::*;
use opsdeck_core::domain::*;
use std::sync::Arc;
use tokio::time::sleep;

/// The seed of every scenario here (ids, addresses and fault dice follow from it).
const SEED: u64 = 3;

async fn vol(r: &Arc<dyn CloudRead>, id: &str) -> Volume {
    r.volume(id).await.expect("describe").expect("listed")
}

async fn snap(r: &Arc<dyn CloudRead>, id: &str) -> Snapshot {
    r.snapshot(id).await.expect("describe").expect("listed")
}

fn spec(az: &str, size: Option<i32>, snapshot: Option<&str>) -> VolumeSpec {
    VolumeSpec {
        az: az.into(),
        size_gib: size,
        volume_type: "gp3".into(),
        iops: None,
        snapshot_id: snapshot.map(str::to_string),
        tags: vec![Tag::new("Name", "scratch")],
    }
}

#[tokio::test(start_paused = true)]
async fn a_volume_creates_attaches_detaches_and_deletes_in_time() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let web1 = sim.instance_id("web-1").expect("web-1");
    let web2 = sim.instance_id("web-2").expect("web-2");

    let v = w
        .create_volume(&spec("us-east-1a", Some(20), None), false)
        .await
        .expect("create")
        .value;
    let x = vol(&r, &v).await;
    assert_eq!(
        (x.state, x.size_gib, x.name.as_deref()),
        (VolumeState::Creating, 20, Some("scratch"))
    );
    let e = w
        .attach_volume(&v, &web1, "/dev/sdg", false)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::InvalidState, "IncorrectState"),
        "still creating"
    );
    sleep(secs(12)).await;
    assert_eq!(vol(&r, &v).await.state, VolumeState::Available);

    w.attach_volume(&v, &web1, "/dev/sdg", false)
        .await
        .expect("attach");
    let x = vol(&r, &v).await;
    assert_eq!(x.state, VolumeState::InUse);
    assert_eq!(x.attachments[0].state, AttachmentState::Attaching);
    let dev = r.instance(&web1).await.expect("i").expect("web-1");
    assert!(
        dev.block_devices
            .iter()
            .any(|b| b.volume_id == v && b.status == "attaching")
    );
    sleep(secs(8)).await;
    assert_eq!(
        vol(&r, &v).await.attachments[0].state,
        AttachmentState::Attached
    );

    // One instance per volume; an attached volume cannot be deleted; detach names its instance.
    let e = w
        .attach_volume(&v, &web2, "/dev/sdg", false)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::InvalidState, "VolumeInUse")
    );
    let e = w.delete_volume(&v, false).await.unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::InvalidState, "VolumeInUse")
    );
    let e = w.detach_volume(&v, &web2, false, false).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "not attached to web-2: {e}");

    w.detach_volume(&v, &web1, false, false)
        .await
        .expect("detach");
    assert_eq!(
        vol(&r, &v).await.attachments[0].state,
        AttachmentState::Detaching
    );
    sleep(secs(11)).await;
    let x = vol(&r, &v).await;
    assert_eq!((x.state, x.attachments.len()), (VolumeState::Available, 0));
    let e = w.detach_volume(&v, &web1, false, false).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidState, "nothing to detach: {e}");

    w.delete_volume(&v, false).await.expect("delete");
    assert_eq!(vol(&r, &v).await.state, VolumeState::Deleting);
    sleep(secs(6)).await;
    assert!(r.volume(&v).await.expect("describe").is_none());
}

#[tokio::test(start_paused = true)]
async fn ebs_refuses_a_volume_from_another_zone_a_busy_device_and_a_root_detach() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let db1 = sim.instance_id("db-1").expect("db-1");
    let other_az = w
        .create_volume(&spec("us-east-1b", Some(10), None), false)
        .await
        .expect("create")
        .value;
    let same_az = w
        .create_volume(&spec("us-east-1a", Some(10), None), false)
        .await
        .expect("create")
        .value;
    sleep(secs(12)).await;
    // moto accepts a cross-AZ attach; EC2 refuses it.
    let e = w
        .attach_volume(&other_az, &db1, "/dev/sdh", false)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::InvalidRequest, "InvalidVolume.ZoneMismatch")
    );
    let e = w
        .attach_volume(&same_az, &db1, "/dev/sdf", false)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::InvalidRequest, "InvalidParameterValue")
    );
    let root = r
        .instance(&db1)
        .await
        .expect("i")
        .expect("db-1")
        .block_devices
        .iter()
        .find(|b| b.device_name == "/dev/xvda")
        .map(|b| b.volume_id.clone())
        .expect("root");
    let e = w
        .detach_volume(&root, &db1, false, false)
        .await
        .unwrap_err();
    assert_eq!(e.code, "OperationNotPermitted");
    let e = w
        .create_volume(&spec("us-east-1z", Some(10), None), false)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    let e = w
        .create_volume(&spec("us-east-1a", None, None), false)
        .await
        .unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::InvalidRequest,
        "size or snapshot needed: {e}"
    );
    // Dry runs validate and change nothing.
    let before = r.volumes().await.expect("volumes").len();
    let e = w
        .create_volume(&spec("us-east-1a", Some(10), None), true)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::DryRunOk);
    assert_eq!(r.volumes().await.expect("volumes").len(), before);
}

#[tokio::test(start_paused = true)]
async fn a_stuck_detach_hangs_the_next_detach_until_forced_and_no_later_one() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let db1 = sim.instance_id("db-1").expect("db-1");
    let data = sim.volume_id("db-1-data").expect("data volume");
    sim.chaos("stuck-detach db-1-data").expect("chaos");
    w.detach_volume(&data, &db1, false, false)
        .await
        .expect("detach accepted");
    sleep(secs(3600)).await;
    let x = vol(&r, &data).await;
    assert_eq!(x.state, VolumeState::InUse);
    assert_eq!(
        x.attachments[0].state,
        AttachmentState::Detaching,
        "still detaching after an hour"
    );
    w.detach_volume(&data, &db1, true, false)
        .await
        .expect("force");
    assert!(
        sim.chaos("status")
            .expect("status")
            .contains("stuck-detach"),
        "stuck until the forced detach completes"
    );
    sleep(secs(7)).await;
    assert_eq!(vol(&r, &data).await.state, VolumeState::Available);

    // The fault hung that detach only: attached again, the volume detaches normally.
    assert_eq!(sim.chaos("status").expect("status"), "no faults");
    w.attach_volume(&data, &db1, "/dev/sdf", false)
        .await
        .expect("attach again");
    sleep(secs(10)).await;
    assert_eq!(vol(&r, &data).await.state, VolumeState::InUse);
    w.detach_volume(&data, &db1, false, false)
        .await
        .expect("plain detach");
    sleep(secs(11)).await;
    let x = vol(&r, &data).await;
    assert_eq!(x.state, VolumeState::Available, "{:?}", x.attachments);
    assert!(x.attachments.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_snapshot_is_pending_with_rising_progress_then_completed() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let data = sim.volume_id("db-1-data").expect("data volume"); // 200 GiB: 60 s + 3 s/GiB
    let tags = [Tag::new("Name", "pre-failover")];
    let id = w
        .create_snapshot(&data, "before the failover", &tags, false)
        .await
        .expect("snapshot")
        .value;
    let s = snap(&r, &id).await;
    assert_eq!((s.state, s.progress), (SnapshotState::Pending, 0));
    assert_eq!(
        (s.volume_id.as_deref(), s.volume_size_gib),
        (Some(data.as_str()), 200)
    );
    assert_eq!(s.name.as_deref(), Some("pre-failover"));

    // A pending snapshot cannot be restored yet.
    let e = w
        .create_volume(&spec("us-east-1b", None, Some(&id)), false)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::InvalidState, "IncorrectState")
    );

    sleep(secs(330)).await;
    let s = snap(&r, &id).await;
    assert_eq!(s.state, SnapshotState::Pending);
    assert!(
        (45..=55).contains(&s.progress),
        "about half way: {}",
        s.progress
    );
    let mid = s.progress;
    sleep(secs(160)).await;
    assert!(snap(&r, &id).await.progress > mid, "progress rises");
    sleep(secs(175)).await;
    let s = snap(&r, &id).await;
    assert_eq!((s.state, s.progress), (SnapshotState::Completed, 100));

    // Restore it into another AZ: the volume inherits its size and records its origin.
    let restored = w
        .create_volume(&spec("us-east-1b", None, Some(&id)), false)
        .await
        .expect("restore")
        .value;
    let x = vol(&r, &restored).await;
    assert_eq!(
        (x.az.as_str(), x.size_gib, x.snapshot_id.as_deref()),
        ("us-east-1b", 200, Some(id.as_str()))
    );
    assert_eq!(x.state, VolumeState::Creating);
    sleep(secs(25)).await;
    assert_eq!(vol(&r, &restored).await.state, VolumeState::Available);
    let e = w
        .create_volume(&spec("us-east-1b", Some(100), Some(&id)), false)
        .await
        .unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::InvalidRequest,
        "smaller than its snapshot: {e}"
    );
}

#[tokio::test(start_paused = true)]
async fn at_most_five_pending_snapshots_per_volume() {
    let sim = sim::at_epoch("default", SEED);
    let w = sim.writer("us-east-1");
    let data = sim.volume_id("db-1-data").expect("data volume");
    for n in 0..5 {
        w.create_snapshot(&data, &format!("s{n}"), &[], false)
            .await
            .expect("snapshot");
    }
    let e = w
        .create_snapshot(&data, "one too many", &[], false)
        .await
        .unwrap_err();
    assert_eq!(e.code, "SnapshotCreationPerVolumeRateExceeded");
    sleep(secs(700)).await;
    w.create_snapshot(&data, "after they completed", &[], false)
        .await
        .expect("snapshot");
}

/// `CreateSnapshots` is one call that starts every attached volume's snapshot at the same simulated
/// instant; it copies the volumes' own tags when asked (the call's tags win), and is refused whole,
/// making nothing, when one of the volumes could not be snapshotted.
#[tokio::test(start_paused = true)]
async fn one_create_snapshots_call_takes_the_whole_set_at_one_instant() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let db = sim.instance_id("db-1").expect("db-1");
    let data = sim.volume_id("db-1-data").expect("data volume");
    let attached = r
        .volumes()
        .await
        .expect("volumes")
        .into_iter()
        .filter(|v| v.attached_instance() == Some(db.as_str()))
        .count();
    assert!(attached >= 2, "root and data");
    let made = w
        .create_snapshots(&db, "set", &[Tag::new("Name", "the-set")], true, false)
        .await
        .expect("create snapshots")
        .value;
    assert_eq!(made.len(), attached);
    assert_eq!(crate::support::calls::made(&sim, "CreateSnapshots"), 1);
    assert_eq!(crate::support::calls::made(&sim, "CreateSnapshot"), 0);
    let mut starts = Vec::new();
    for m in &made {
        let s = snap(&r, &m.snapshot_id).await;
        assert_eq!(s.state, SnapshotState::Pending);
        assert_eq!(s.name.as_deref(), Some("the-set"), "the call's tags win");
        let v = vol(&r, &m.volume_id).await;
        for (k, val) in v.tags.iter().filter(|(k, _)| *k != "Name") {
            assert_eq!(s.tags.get(k), Some(val), "copied from its volume");
        }
        starts.push(s.start_time.expect("start"));
    }
    starts.dedup();
    assert_eq!(starts.len(), 1, "one instant: {starts:?}");

    // Four more pending snapshots of the data volume leave it at EC2's limit: the next set is
    // refused whole, and none of its snapshots is made.
    for n in 0..4 {
        w.create_snapshot(&data, &format!("s{n}"), &[], false)
            .await
            .expect("snapshot");
    }
    let before = r.snapshots().await.expect("snapshots").len();
    let e = w
        .create_snapshots(&db, "refused", &[], false, false)
        .await
        .unwrap_err();
    assert_eq!(e.code, "SnapshotCreationPerVolumeRateExceeded");
    assert_eq!(r.snapshots().await.expect("snapshots").len(), before);
}

#[tokio::test(start_paused = true)]
async fn an_ami_is_pending_until_its_snapshots_complete() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let web1 = sim.instance_id("web-1").expect("web-1");
    let tg = sim.target_group_arn("web-tg").expect("tg");
    let tags = [Tag::new("made-by", "opsdeck")];
    let image = w
        .create_image(
            &web1,
            "web-1-before-clone",
            "clone source",
            true,
            &tags,
            false,
        )
        .await
        .expect("create image")
        .value;
    let img = r.image(&image).await.expect("i").expect("listed");
    assert_eq!(img.state, ImageState::Pending);
    assert_eq!(img.tags.get("made-by"), Some("opsdeck"));
    assert_eq!(
        img.snapshot_ids.len(),
        1,
        "one snapshot per EBS volume (the 8 GiB root)"
    );

    // Launching from a pending image fails; the snapshot behind it is protected.
    let src = r.instance(&web1).await.expect("i").expect("web-1");
    let spec = LaunchSpec::clone_of(
        &src,
        &image,
        &sim.subnet_id("shop-public-1b").expect("subnet"),
        "t",
    );
    let e = w.run_instances(&spec, false).await.unwrap_err();
    assert_eq!(e.code, "InvalidAMIID.Unavailable");
    let e = w
        .delete_snapshot(&img.snapshot_ids[0], false)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::InvalidState, "InvalidSnapshot.InUse")
    );
    let e = w
        .create_image(&web1, "web-1-before-clone", "again", true, &[], false)
        .await
        .unwrap_err();
    assert_eq!(e.code, "InvalidAMIName.Duplicate");

    // NoReboot: web-1 kept serving the whole time.
    let healthy = |t: Vec<TargetHealth>| {
        t.iter()
            .any(|t| t.target_id == web1 && t.state == TargetState::Healthy)
    };
    sleep(secs(120)).await; // snapshot: 60 + 8 × 3 = 84 s; image 45 s after
    assert_eq!(
        r.image(&image).await.expect("i").expect("img").state,
        ImageState::Pending
    );
    assert!(healthy(r.target_health(&tg).await.expect("th")));
    sleep(secs(15)).await;
    assert_eq!(
        r.image(&image).await.expect("i").expect("img").state,
        ImageState::Available
    );
    let ids = w
        .run_instances(&spec, false)
        .await
        .expect("launch from the new image")
        .value;
    assert_eq!(
        r.instance(&ids[0])
            .await
            .expect("i")
            .expect("clone")
            .image_id
            .as_deref(),
        Some(image.as_str())
    );

    // Deregistering keeps the snapshot (as EC2 does).
    w.deregister_image(&image, false).await.expect("deregister");
    assert!(r.image(&image).await.expect("i").is_none());
    assert!(r.snapshot(&img.snapshot_ids[0]).await.expect("s").is_some());
    w.delete_snapshot(&img.snapshot_ids[0], false)
        .await
        .expect("now it can go");
}

#[tokio::test(start_paused = true)]
async fn an_image_with_reboot_takes_the_instance_out_for_a_while() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let web1 = sim.instance_id("web-1").expect("web-1");
    let tg = sim.target_group_arn("web-tg").expect("tg");
    w.create_image(&web1, "web-1-consistent", "", false, &[], false)
        .await
        .expect("image");
    assert_eq!(
        r.instance(&web1)
            .await
            .expect("i")
            .expect("web-1")
            .status_checks
            .instance,
        CheckStatus::Initializing
    );
    sleep(secs(30)).await;
    let t = r.target_health(&tg).await.expect("th");
    assert!(
        t.iter()
            .any(|t| t.target_id == web1 && t.state == TargetState::Unhealthy)
    );
}

#[tokio::test(start_paused = true)]
async fn a_snapshot_copies_to_another_region() {
    let sim = sim::at_epoch("default", SEED);
    let eu = sim.reader("eu-west-1");
    let us = sim.reader("us-east-1");
    let data = sim.volume_id("db-1-data").expect("data volume");
    let newest = us
        .snapshots()
        .await
        .expect("snapshots")
        .into_iter()
        .filter(|s| s.volume_id.as_deref() == Some(data.as_str()))
        .max_by_key(|s| s.start_time)
        .expect("db-1 has snapshots");
    assert!(
        newest.start_time.expect("time") <= epoch() - chrono::Duration::days(2),
        "the newest backup is days old"
    );
    let w = sim.writer("eu-west-1");
    let copy = w
        .copy_snapshot("us-east-1", &newest.id, "DR copy", false)
        .await
        .expect("copy")
        .value;
    let c = snap(&eu, &copy).await;
    assert_eq!(
        (c.state, c.volume_size_gib, c.description.as_str()),
        (SnapshotState::Pending, 200, "DR copy")
    );
    let e = w
        .copy_snapshot("us-east-1", "snap-0000000000000dead", "", false)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    sleep(secs(60 + 600 + 120 + 1)).await;
    assert_eq!(snap(&eu, &copy).await.state, SnapshotState::Completed);
    let restored = w
        .create_volume(&spec("eu-west-1b", None, Some(&copy)), false)
        .await
        .expect("restore in eu");
    assert!(restored.request_id.is_some());
}
