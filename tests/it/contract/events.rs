//! Tags and the rescheduling of a scheduled event.

use super::kit::*;
use opsdeck_core::cloud::*;

pub async fn tags_and_event_reschedule(cloud: &Cloud) {
    let inv = cloud.inventory().await;
    let web2 = seeded(&inv, "web-2").clone();
    let w = &cloud.write;

    let tags = [opsdeck_core::domain::Tag::new("owner", "ops")];
    assert_dry_ok(
        w.create_tags(&one(&web2.id), &tags, true).await,
        "tags dry run",
    );
    assert_eq!(
        cloud
            .instance(&web2.id)
            .await
            .and_then(|i| i.tags.get("owner").map(str::to_string)),
        None
    );
    w.create_tags(&one(&web2.id), &tags, false)
        .await
        .expect("tags");
    assert_eq!(
        cloud
            .instance(&web2.id)
            .await
            .and_then(|i| i.tags.get("owner").map(str::to_string))
            .as_deref(),
        Some("ops")
    );
    let reserved = w
        .create_tags(
            &one(&web2.id),
            &[opsdeck_core::domain::Tag::new("aws:owner", "x")],
            false,
        )
        .await;
    if cloud.moto_quirk("moto accepts tag keys with the reserved aws: prefix") {
        assert!(reserved.is_ok(), "{reserved:?}");
    } else {
        assert_eq!(reserved.unwrap_err().kind, ErrorKind::InvalidRequest);
    }

    let ev = web2.events[0].clone();
    let id = ev.event_id.clone().expect("event id");
    let start = ev.not_before.expect("start");
    let window = ev.not_after.expect("end") - start;
    let new_start = start + chrono::Duration::days(2);
    assert_dry_ok(
        w.reschedule_instance_event(&web2.id, &id, new_start, true)
            .await,
        "reschedule dry run",
    );
    assert_eq!(
        cloud
            .instance(&web2.id)
            .await
            .and_then(|i| i.events[0].not_before),
        Some(start)
    );
    w.reschedule_instance_event(&web2.id, &id, new_start, false)
        .await
        .expect("reschedule");
    let after = cloud.instance(&web2.id).await.expect("web-2").events[0].clone();
    assert_eq!(
        after.not_before.map(|t| t.timestamp()),
        Some(new_start.timestamp())
    );
    assert_eq!(
        after.not_after.map(|t| t.timestamp()),
        Some((new_start + window).timestamp()),
        "the window moves whole"
    );

    let late = ev.not_before_deadline.expect("deadline") + chrono::Duration::days(1);
    let e = w
        .reschedule_instance_event(&web2.id, &id, late, false)
        .await
        .unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::InvalidRequest,
        "past the deadline is refused: {e}"
    );
    let e = w
        .reschedule_instance_event(
            &web2.id,
            "instance-event-0123456789abcdef0",
            new_start,
            false,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    let soon = chrono::Utc::now() + chrono::Duration::minutes(10);
    let too_soon = w
        .reschedule_instance_event(&web2.id, &id, soon, false)
        .await;
    if cloud.moto_quirk("the moto front does not enforce AWS's 60-minute minimum lead time") {
        assert!(too_soon.is_ok(), "{too_soon:?}");
    } else {
        assert_eq!(too_soon.unwrap_err().kind, ErrorKind::InvalidRequest);
    }
}
