//! Target registration and the target-group reads a runbook plans with.

use super::kit::*;
use opsdeck_core::cloud::*;
use opsdeck_core::domain::*;

fn target(id: &str, port: i32) -> Vec<TargetRef> {
    vec![TargetRef {
        id: id.to_string(),
        port: Some(port),
    }]
}

async fn state_in(cloud: &Cloud, tg: &str, id: &str) -> Option<TargetState> {
    cloud
        .read
        .target_health(tg)
        .await
        .expect("target health")
        .into_iter()
        .find(|t| t.target_id == id)
        .map(|t| t.state)
}

pub async fn register_wait_healthy_deregister(cloud: &Cloud) {
    let inv = cloud.inventory().await;
    let web_tg = inv.target_group("web-tg").expect("web-tg").arn.clone();
    let (app, web1, db1) = (
        seeded(&inv, "app-1").id.clone(),
        seeded(&inv, "web-1").id.clone(),
        seeded(&inv, "db-1").id.clone(),
    );
    let w = &cloud.write;

    // ELBv2 has no DryRun: both adapters check by reading and answer like EC2.
    assert_dry_ok(
        w.register_targets(&web_tg, &target(&app, 80), true).await,
        "register dry run",
    );
    assert_eq!(
        cloud.inventory().await.targets_of(&web_tg).count(),
        2,
        "the dry run registered nothing"
    );
    let missing =
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/nope/0123456789abcdef";
    let e = w
        .register_targets(missing, &target(&app, 80), true)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");

    let out = w
        .register_targets(&web_tg, &target(&app, 80), false)
        .await
        .expect("register");
    assert!(out.request_id.is_some());
    let (web_tg_ref, app_ref) = (web_tg.as_str(), app.as_str());
    cloud
        .wait("app-1 healthy in web-tg", 5 * MINUTE, || async move {
            state_in(cloud, web_tg_ref, app_ref).await == Some(TargetState::Healthy)
        })
        .await;
    let inv = cloud.inventory().await;
    assert_eq!(
        inv.targets_by_az(&web_tg).get("us-east-1b").map(Vec::len),
        Some(1),
        "the new target's AZ is known"
    );
    assert_eq!(inv.targets_of(&web_tg).count(), 3);

    assert_dry_ok(
        w.deregister_targets(&web_tg, &target(&web1, 80), true)
            .await,
        "deregister dry run",
    );
    assert_eq!(
        state_in(cloud, &web_tg, &web1).await,
        Some(TargetState::Healthy)
    );
    w.deregister_targets(&web_tg, &target(&web1, 80), false)
        .await
        .expect("deregister");
    let web1_ref = web1.as_str();
    cloud
        .wait("web-1 drained out of web-tg", 10 * MINUTE, || async move {
            state_in(cloud, web_tg_ref, web1_ref).await.is_none()
        })
        .await;
    let e = w
        .deregister_targets(&web_tg, &target("i-0123456789abcdef0", 80), false)
        .await
        .unwrap_err();
    assert_eq!(e.code, "InvalidTarget", "{e}");

    // A stopped instance cannot be registered.
    w.stop_instances(&one(&db1), false, false)
        .await
        .expect("stop db-1");
    cloud
        .wait_state(&db1, InstanceState::Stopped, 2 * MINUTE)
        .await;
    let e = w
        .register_targets(&web_tg, &target(&db1, 80), false)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::NotFound, "InvalidTarget"),
        "{e}"
    );
}

pub async fn target_group_details_and_listeners(cloud: &Cloud) {
    let inv = cloud.inventory().await;
    let web_tg = inv.target_group("web-tg").expect("web-tg");
    assert_eq!(
        web_tg.deregistration_delay_seconds, None,
        "attributes come only with details"
    );
    let d = cloud
        .read
        .target_group_details(&web_tg.arn)
        .await
        .expect("details");
    assert_eq!(d.name, "web-tg");
    assert_eq!(d.deregistration_delay_seconds, Some(30));
    assert_eq!(
        (d.protocol.as_deref(), d.port, d.target_type.as_str()),
        (Some("HTTP"), Some(80), "instance")
    );
    let hc = &d.health_check;
    assert_eq!(
        (
            hc.path.as_deref(),
            hc.interval_seconds,
            hc.healthy_threshold,
            hc.unhealthy_threshold
        ),
        (Some("/health"), 15, 3, 2)
    );
    assert_eq!(hc.matcher.as_deref(), Some("200"));
    let app_tg = inv.target_group("app-tg").expect("app-tg");
    let d = cloud
        .read
        .target_group_details(&app_tg.arn)
        .await
        .expect("details");
    assert_eq!(d.deregistration_delay_seconds, Some(300), "AWS's default");

    let lb = inv.load_balancer("seed-alb").expect("seed-alb");
    let listeners = cloud.read.listeners(&lb.arn).await.expect("listeners");
    assert_eq!(listeners.len(), 1);
    assert_eq!(
        (listeners[0].protocol.as_deref(), listeners[0].port),
        (Some("HTTP"), Some(80))
    );
    assert_eq!(listeners[0].target_group_arns, vec![web_tg.arn.clone()]);
    assert_eq!(listeners[0].load_balancer_arn, lb.arn);
}
