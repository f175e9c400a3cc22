//! The AWS adapter's reads against moto (through the front), via the real SDK clients.

use crate::support;

use opsdeck_core::domain::*;
use serde_json::json;
use support::calls;
use support::inventory;
use support::moto;
use support::ports::cpu_query;

fn tagged<'a>(inv: &'a Inventory, name: &str) -> &'a Instance {
    inv.instances
        .iter()
        .find(|i| i.tags.get("Name") == Some(name) && i.tags.get("fleet") == Some("seed"))
        .unwrap_or_else(|| panic!("no instance tagged Name={name}, fleet=seed"))
}

#[tokio::test]
async fn full_inventory_lists_every_resource_with_joins() {
    let (_g, seed) = moto::seeded().await;
    let inv = moto::inventory(&["us-east-1"]).await;

    assert_eq!(inv.regions.len(), 1);
    assert_eq!(inv.regions[0].error, None, "no list failed");
    assert_eq!(
        inv.identity.as_ref().map(|i| i.account.as_str()),
        Some("123456789012")
    );

    // Instances, with the status and events merged in from DescribeInstanceStatus.
    let seeded: Vec<&Instance> = inv
        .instances
        .iter()
        .filter(|i| i.tags.get("fleet") == Some("seed"))
        .collect();
    assert_eq!(seeded.len(), 4);
    let web1 = tagged(&inv, "web-1");
    let web2 = tagged(&inv, "web-2");
    let db1 = tagged(&inv, "db-1");
    assert_eq!(web1.az, "us-east-1a");
    assert_eq!(web1.state, InstanceState::Running);
    assert!(web1.status_checks.all_ok(), "{:?}", web1.status_checks);
    assert_eq!(
        web1.subnet_id.as_deref(),
        Some(moto::id(&seed, &["subnets", "us-east-1a"]).as_str())
    );
    assert!(!web1.security_group_ids.is_empty());
    assert_eq!(web2.events.len(), 1);
    let ev = &web2.events[0];
    assert_eq!(ev.code, EventCode::SystemReboot);
    assert!(ev.not_before.is_some() && ev.not_before_deadline.is_some());
    assert_eq!(
        ev.event_id.as_deref(),
        Some(moto::id(&seed, &["web_2_event_id"]).as_str())
    );
    assert_eq!(inv.events.len(), 1, "inventory-wide event list is derived");

    // Volumes and snapshots, joined.
    let data = inv
        .volume(&moto::id(&seed, &["data_volume_id"]))
        .expect("data volume listed");
    assert_eq!(data.attached_instance(), Some(db1.id.as_str()));
    assert_eq!(data.attachments[0].device, "/dev/sdf");
    assert!(
        inv.volumes_of_instance(&db1.id)
            .iter()
            .any(|v| v.id == data.id)
    );
    assert_eq!(inv.snapshots_of_volume(&data.id).len(), 2);
    assert!(inv.newest_completed_snapshot(&data.id).is_some());

    // Images know the snapshots behind them.
    let image = inv
        .image(&moto::id(&seed, &["image_id"]))
        .expect("image listed");
    assert_eq!(image.state, ImageState::Available);
    assert_eq!(image.snapshot_ids.len(), 1);
    assert_eq!(inv.images_using_snapshot(&image.snapshot_ids[0]).len(), 1);

    // Load balancer, target groups, targets per AZ.
    let lb = inv
        .load_balancer(&moto::id(&seed, &["load_balancer_arn"]))
        .expect("ALB listed");
    assert_eq!(lb.zones.len(), 2);
    let web_tg = inv.target_group("web-tg").expect("web-tg listed");
    let by_az = inv.targets_by_az(&web_tg.arn);
    assert_eq!(
        by_az.keys().collect::<Vec<_>>(),
        vec!["us-east-1a"],
        "both web targets in one AZ"
    );
    assert_eq!(by_az["us-east-1a"].len(), 2);
    assert!(
        by_az["us-east-1a"]
            .iter()
            .all(|t| t.state == TargetState::Healthy)
    );
    let tgs: Vec<&str> = inv
        .target_groups_of_instance(&web1.id)
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(tgs, vec!["web-tg"]);

    // EIP and ENIs.
    let eips = inv.eips_of_instance(&db1.id);
    assert_eq!(eips.len(), 1);
    assert_eq!(
        eips[0].allocation_id,
        moto::id(&seed, &["eip", "allocation_id"])
    );
    assert!(!inv.enis_of_instance(&db1.id).is_empty());
    let eni = inv
        .network_interfaces
        .iter()
        .find(|n| n.id == moto::id(&seed, &["eni_id"]))
        .expect("ENI listed");
    assert_eq!(eni.secondary_private_ips().count(), 1);

    // Metrics (GetMetricData through the CBOR front) and alarms.
    let cpu = inv
        .instance_metric(&db1.id, "CPUUtilization")
        .expect("CPU series for db-1");
    assert!(!cpu.points.is_empty(), "seeded datapoints come back");
    assert!(
        cpu.points
            .iter()
            .collect::<Vec<_>>()
            .windows(2)
            .all(|w| w[0].0 <= w[1].0),
        "points oldest first"
    );
    let alarm = inv
        .alarms
        .iter()
        .find(|a| a.name == moto::id(&seed, &["alarm_name"]))
        .expect("alarm listed");
    assert_eq!(alarm.state, AlarmState::Alarm);
    assert_eq!(inv.alarms_of_instance(&db1.id).len(), 1);
}

#[tokio::test]
async fn a_refresh_makes_no_per_resource_calls_but_one_target_health_per_group() {
    let (_g, _seed) = moto::seeded().await;
    let readers = moto::readers(moto::options(&["us-east-1"])).await;
    moto::clear_requests();
    let inv = inventory::full(&readers).await;
    let log = moto::requests();
    let count = |action: &str| log.iter().filter(|r| r.action == action).count();

    // A failed refresh makes few calls too: the counts below mean something only for a complete one.
    assert_eq!(inv.regions[0].error, None, "the refresh succeeded");
    assert_eq!(
        inv.target_groups.len(),
        2,
        "seed_fleet.py's web-tg and app-tg are listed"
    );
    assert_eq!(count("DescribeTargetHealth"), inv.target_groups.len());
    let once = [
        "DescribeAvailabilityZones",
        "DescribeSubnets",
        "DescribeInstances",
        "DescribeInstanceStatus",
        "DescribeVolumes",
        "DescribeVolumeStatus",
        "DescribeSnapshots",
        "DescribeImages",
        "DescribeAddresses",
        "DescribeNetworkInterfaces",
        "DescribeLoadBalancers",
        "DescribeTargetGroups",
        "GetMetricData",
        "DescribeAlarms",
        "DescribeAutoScalingGroups",
        "GetCallerIdentity",
    ];
    for a in once {
        assert_eq!(
            count(a),
            1,
            "{a} once per refresh (small fleet = one page); log: {log:?}"
        );
    }
    // Hooks and the newest instance refresh are per Auto Scaling group (no bulk call lists them).
    let per_group = ["DescribeLifecycleHooks", "DescribeInstanceRefreshes"];
    for a in per_group {
        assert_eq!(
            count(a),
            inv.auto_scaling_groups.len(),
            "{a} once per group"
        );
    }
    let unexpected: Vec<&str> = log
        .iter()
        .map(|r| r.action.as_str())
        .filter(|a| !once.contains(a) && !per_group.contains(a) && *a != "DescribeTargetHealth")
        .collect();
    assert!(unexpected.is_empty(), "no other call: {unexpected:?}");
}

#[tokio::test]
async fn a_failing_region_is_reported_and_the_others_still_load() {
    let (_g, _seed) = moto::seeded().await;
    moto::set_faults(
        json!([{ "service": "*", "action": "*", "region": "eu-west-1", "error_code": "AuthFailure", "status": 401 }]),
    );
    let inv = moto::inventory(&["us-east-1", "eu-west-1"]).await;
    moto::clear_faults();
    let us = inv
        .regions
        .iter()
        .find(|r| r.region == "us-east-1")
        .expect("us-east-1 status");
    let eu = inv
        .regions
        .iter()
        .find(|r| r.region == "eu-west-1")
        .expect("eu-west-1 status");
    assert_eq!(us.error, None);
    let err = eu.error.as_deref().expect("eu-west-1 failed");
    assert!(
        err.contains("AuthFailure") && err.contains("credentials"),
        "{err}"
    );
    assert!(
        inv.instances
            .iter()
            .filter(|i| i.region == "us-east-1")
            .count()
            >= 4
    );
    assert!(inv.instances.iter().all(|i| i.region == "us-east-1"));
}

#[tokio::test]
async fn injected_status_target_health_and_az_state_come_through() {
    let (_g, seed) = moto::seeded().await;
    let web1 = moto::id(&seed, &["instances", "web-1"]);
    moto::control(
        "/_plus/instance-status",
        json!({ "instance_id": web1, "system_status": "impaired" }),
    );
    moto::control(
        "/_plus/target-health",
        json!({ "target_id": web1, "state": "unhealthy", "reason": "Target.FailedHealthChecks" }),
    );
    moto::control(
        "/_plus/az",
        json!({ "zone": "us-east-1a", "state": "impaired" }),
    );
    let inv = moto::inventory(&["us-east-1"]).await;
    let i = inv.instance(&web1).expect("web-1");
    assert_eq!(i.status_checks.system, CheckStatus::Impaired);
    assert!(i.status_checks.impaired());
    let t = inv
        .target_health
        .iter()
        .find(|t| t.target_id == web1)
        .expect("web-1 target");
    assert_eq!(t.state, TargetState::Unhealthy);
    assert_eq!(t.reason.as_deref(), Some("Target.FailedHealthChecks"));
    assert_eq!(inv.zone_state("us-east-1a"), ZoneState::Impaired);
    assert_eq!(inv.zone_state("us-east-1b"), ZoneState::Available);
}

/// CloudWatch takes at most 500 queries per GetMetricData: 1,001 series are three calls, and every
/// series comes back (the seeded CPU points included) in the order asked.
#[tokio::test]
async fn metric_queries_are_batched_by_500() {
    let (_g, _seed) = moto::seeded().await;
    let inv = moto::inventory(&["us-east-1"]).await;
    let db1 = tagged(&inv, "db-1").id.to_string();
    let queries: Vec<opsdeck_core::cloud::MetricQuery> = (0..1001)
        .map(|n| {
            // The first is db-1's real CPU series; the others name instances that do not exist.
            if n == 0 {
                cpu_query(&db1)
            } else {
                cpu_query(&format!("i-{n:017x}"))
            }
        })
        .collect();
    let read = &moto::readers(moto::options(&["us-east-1"])).await[0];
    moto::clear_requests();
    let series = read
        .metrics(&queries, std::time::Duration::from_secs(3600))
        .await
        .expect("metrics");
    assert_eq!(
        calls::moto("GetMetricData"),
        3,
        "1,001 queries at 500 a call"
    );
    assert_eq!(series.len(), 1001, "one series per query");
    assert!(
        matches!(&series[0].subject, MetricSubject::Instance { instance_id } if *instance_id == db1),
        "{:?}",
        series[0].subject
    );
    assert!(!series[0].points.is_empty(), "db-1's seeded points");
    assert!(series[1..].iter().all(|s| s.points.is_empty()));
}
