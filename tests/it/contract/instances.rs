//! Instance writes: each with its dry run, its wait, and its error cases.

use super::kit::*;
use opsdeck_core::cloud::*;
use opsdeck_core::domain::*;

pub async fn lifecycle_writes_and_dry_runs(cloud: &Cloud) {
    let inv = cloud.inventory().await;
    let app = seeded(&inv, "app-1").id.clone();
    let w = &cloud.write;

    assert_dry_ok(
        w.stop_instances(&one(&app), false, true).await,
        "stop dry run",
    );
    assert_dry_ok(w.reboot_instances(&one(&app), true).await, "reboot dry run");
    assert_dry_ok(
        w.terminate_instances(&one(&app), true).await,
        "terminate dry run",
    );
    assert_eq!(
        cloud.state_of(&app).await,
        Some(InstanceState::Running),
        "dry runs change nothing"
    );

    let stop = w
        .stop_instances(&one(&app), false, false)
        .await
        .expect("stop");
    assert!(stop.request_id.is_some(), "writes carry a request id");
    cloud
        .wait_state(&app, InstanceState::Stopped, 2 * MINUTE)
        .await;

    assert_dry_ok(w.start_instances(&one(&app), true).await, "start dry run");
    assert_eq!(cloud.state_of(&app).await, Some(InstanceState::Stopped));
    w.start_instances(&one(&app), false).await.expect("start");
    cloud
        .wait_state(&app, InstanceState::Running, 2 * MINUTE)
        .await;
    cloud
        .wait("app-1 status checks ok", 5 * MINUTE, || async {
            cloud
                .instance(&app)
                .await
                .is_some_and(|i| i.status_checks.all_ok())
        })
        .await;

    let reboot = w.reboot_instances(&one(&app), false).await.expect("reboot");
    assert!(reboot.request_id.is_some());
    assert_eq!(
        cloud.state_of(&app).await,
        Some(InstanceState::Running),
        "a reboot keeps it running"
    );

    w.terminate_instances(&one(&app), false)
        .await
        .expect("terminate");
    cloud
        .wait_state(&app, InstanceState::Terminated, 2 * MINUTE)
        .await;
    let restart = w.start_instances(&one(&app), false).await;
    if cloud.moto_quirk("moto starts a terminated instance again") {
        assert!(restart.is_ok(), "{restart:?}");
    } else {
        let e = restart.unwrap_err();
        assert_eq!(
            (e.kind, e.code.as_str()),
            (ErrorKind::InvalidState, "IncorrectInstanceState")
        );
        assert_eq!(cloud.state_of(&app).await, Some(InstanceState::Terminated));
    }
}

pub async fn errors_are_typed(cloud: &Cloud) {
    let inv = cloud.inventory().await;
    let w = &cloud.write;
    let data = volume_named(&inv, "db-1-data").id.clone();

    let e = w
        .stop_instances(&one("i-0123456789abcdef0"), false, false)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    assert!(e.code.starts_with("InvalidInstanceID"), "{e}");
    let e = w.delete_volume(&data, false).await.unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::InvalidState, "VolumeInUse"),
        "{e}"
    );
    let e = w
        .delete_snapshot("snap-0123456789abcdef0", false)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    let e = cloud
        .read
        .target_health(
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/nope/0123456789abcdef",
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    assert!(e.to_string().contains("not found"), "plain words: {e}");
}

pub async fn image_then_clone_in_another_zone(cloud: &Cloud) {
    let inv = cloud.inventory().await;
    let web1 = seeded(&inv, "web-1").clone();
    let subnet_b = subnet_named(&inv, "seed-1b").id.clone();
    let images_before = inv.images.len();
    let w = &cloud.write;

    let tags = [
        Tag::new("fleet", "seed"),
        Tag::new("made-by", "opsdeck-contract"),
    ];
    assert_dry_ok(
        w.create_image(
            &web1.id,
            "contract-clone-src",
            "clone source",
            true,
            &tags,
            true,
        )
        .await,
        "image dry run",
    );
    assert_eq!(cloud.inventory().await.images.len(), images_before);
    let image = w
        .create_image(
            &web1.id,
            "contract-clone-src",
            "clone source",
            true,
            &tags,
            false,
        )
        .await
        .expect("create image")
        .value;
    cloud
        .wait("the image is available", 10 * MINUTE, || async {
            cloud
                .read
                .image(&image)
                .await
                .expect("image")
                .is_some_and(|i| i.state == ImageState::Available)
        })
        .await;
    let img = cloud
        .read
        .image(&image)
        .await
        .expect("image")
        .expect("listed");
    assert_eq!(img.tags.get("made-by"), Some("opsdeck-contract"));
    assert_eq!(img.snapshot_ids.len(), 1, "web-1 has one EBS volume");
    assert_eq!(
        cloud.state_of(&web1.id).await,
        Some(InstanceState::Running),
        "NoReboot"
    );

    let spec = LaunchSpec::clone_of(&web1, &image, &subnet_b, "contract-clone-1");
    assert_dry_ok(w.run_instances(&spec, true).await, "run dry run");
    let before = cloud.inventory().await.instances.len();
    let ids = w
        .run_instances(&spec, false)
        .await
        .expect("launch the clone")
        .value;
    assert_eq!(ids.len(), 1);
    cloud
        .wait_state(&ids[0], InstanceState::Running, 2 * MINUTE)
        .await;
    let clone = cloud.instance(&ids[0]).await.expect("clone");
    assert_eq!(clone.az, "us-east-1b");
    assert_eq!(clone.subnet_id.as_deref(), Some(subnet_b.as_str()));
    assert_eq!(clone.instance_type, web1.instance_type);
    assert_eq!(clone.image_id.as_deref(), Some(image.as_str()));
    assert_eq!(clone.key_name, web1.key_name);
    assert_eq!(clone.security_group_ids, web1.security_group_ids);
    assert_eq!(clone.tags.get("role"), web1.tags.get("role"));
    assert_eq!(clone.tags.get("Name"), web1.tags.get("Name"));

    let again = w
        .run_instances(&spec, false)
        .await
        .expect("retry with the same token");
    if cloud.moto_quirk("moto ignores ClientToken: a retried launch launches again") {
        w.terminate_instances(&again.value, false)
            .await
            .expect("clean up the duplicate");
    } else {
        assert_eq!(
            again.value, ids,
            "the same token answers with the same instances"
        );
        assert_eq!(
            cloud.inventory().await.instances.len(),
            before + 1,
            "never a second launch"
        );
    }

    assert_dry_ok(w.deregister_image(&image, true).await, "deregister dry run");
    w.deregister_image(&image, false).await.expect("deregister");
    assert!(cloud.read.image(&image).await.expect("image").is_none());
    assert!(
        cloud
            .read
            .snapshot(&img.snapshot_ids[0])
            .await
            .expect("snapshot")
            .is_some(),
        "deregistering keeps the snapshot"
    );
}
