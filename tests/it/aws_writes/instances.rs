//! Instance writes (stop, start, reboot, terminate), an image and a clone launched from it, tags
//! and an event's new start.

use super::*;

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
