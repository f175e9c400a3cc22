//! Target health on the simulated clock: initial → healthy after healthy-threshold × interval, unused
//! outside the load balancer's zones and while stopped, draining for the group's deregistration delay,
//! requests spread over healthy targets only.

use crate::support::inventory;
use crate::support::ports::cpu_query;
use crate::support::sim::{self, secs};
use opsdeck_core::cloud::*;
use opsdeck_core::domain::*;
use opsdeck_sim::Sim;
use std::sync::Arc;
use tokio::time::sleep;

/// The seed of every scenario here (ids, addresses and fault dice follow from it).
const SEED: u64 = 5;

async fn target(r: &Arc<dyn CloudRead>, tg: &str, id: &str) -> Option<TargetHealth> {
    r.target_health(tg)
        .await
        .expect("target health")
        .into_iter()
        .find(|t| t.target_id == id)
}

fn reg(id: &str) -> Vec<TargetRef> {
    vec![TargetRef {
        id: id.into(),
        port: None,
    }]
}

async fn launch(sim: &Sim, subnet: &str, token: &str) -> String {
    let r = sim.reader("us-east-1");
    let src = r
        .instance(&sim.instance_id("web-1").expect("web-1"))
        .await
        .expect("i")
        .expect("web-1");
    let spec = LaunchSpec::clone_of(
        &src,
        &sim.image_id("shop-web-golden").expect("ami"),
        &sim.subnet_id(subnet).expect("subnet"),
        token,
    );
    sim.writer("us-east-1")
        .run_instances(&spec, false)
        .await
        .expect("launch")
        .value[0]
        .clone()
}

#[tokio::test(start_paused = true)]
async fn a_new_target_is_initial_then_healthy_after_threshold_times_interval() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let tg = sim.target_group_arn("web-tg").expect("tg");
    let clone = launch(&sim, "shop-public-1b", "c-1").await;

    // Registered while pending: initial, registration in progress.
    let out = w
        .register_targets(&tg, &reg(&clone), false)
        .await
        .expect("register");
    assert!(out.request_id.is_some());
    let t = target(&r, &tg, &clone).await.expect("registered");
    assert_eq!(t.state, TargetState::Initial);
    assert_eq!(t.reason.as_deref(), Some("Elb.RegistrationInProgress"));
    assert_eq!(t.port, Some(80), "the group's port by default");

    // Running by ~50 s; then 3 passing checks 10 s apart.
    let mut running_at = None;
    for s in 1..=60u64 {
        sleep(secs(1)).await;
        let i = r.instance(&clone).await.expect("i").expect("clone");
        if i.state == InstanceState::Running {
            running_at = Some(s);
            break;
        }
    }
    let running_at = running_at.expect("running within a minute");
    assert!(
        running_at >= 35,
        "pending for tens of seconds (was {running_at} s)"
    );
    let t = target(&r, &tg, &clone).await.expect("registered");
    assert_eq!(
        (t.state, t.reason.as_deref()),
        (TargetState::Initial, Some("Elb.InitialHealthChecking"))
    );
    sleep(secs(28)).await;
    assert_eq!(
        target(&r, &tg, &clone).await.expect("t").state,
        TargetState::Initial
    );
    sleep(secs(3)).await;
    assert_eq!(
        target(&r, &tg, &clone).await.expect("t").state,
        TargetState::Healthy
    );

    // The inventory now sees web-tg in two AZs.
    let inv = inventory::full(std::slice::from_ref(&r)).await;
    let by_az = inv.targets_by_az(&tg);
    assert_eq!(
        by_az.keys().cloned().collect::<Vec<_>>(),
        vec!["us-east-1a", "us-east-1b"]
    );
}

#[tokio::test(start_paused = true)]
async fn a_target_outside_the_load_balancers_zones_is_unused() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let tg = sim.target_group_arn("web-tg").expect("tg");
    let clone = launch(&sim, "shop-public-1c", "c-2").await; // shop-alb spans 1a and 1b only
    w.register_targets(&tg, &reg(&clone), false)
        .await
        .expect("register");
    sleep(secs(300)).await;
    let t = target(&r, &tg, &clone).await.expect("registered");
    assert_eq!(
        (t.state, t.reason.as_deref()),
        (TargetState::Unused, Some("Target.NotInUse"))
    );
}

#[tokio::test(start_paused = true)]
async fn deregistration_drains_for_the_groups_delay_then_the_target_is_gone() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let tg = sim.target_group_arn("web-tg").expect("tg");
    let web1 = sim.instance_id("web-1").expect("web-1");
    let details = r.target_group_details(&tg).await.expect("details");
    assert_eq!(details.deregistration_delay_seconds, Some(60));
    assert_eq!(details.health_check.interval_seconds, 10);
    let listed = r.target_groups().await.expect("tgs");
    assert_eq!(
        listed[0].deregistration_delay_seconds, None,
        "only the per-group call has attributes"
    );

    let e = w
        .deregister_targets(&tg, &reg("i-0000000000000dead"), false)
        .await
        .unwrap_err();
    assert_eq!(e.code, "InvalidTarget");
    let e = w
        .deregister_targets(&tg, &reg(&web1), true)
        .await
        .unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::DryRunOk,
        "ELB has no DryRun: checked by reading"
    );
    assert_eq!(
        target(&r, &tg, &web1).await.expect("t").state,
        TargetState::Healthy
    );

    w.deregister_targets(&tg, &reg(&web1), false)
        .await
        .expect("deregister");
    let t = target(&r, &tg, &web1).await.expect("draining");
    assert_eq!(
        (t.state, t.reason.as_deref()),
        (
            TargetState::Draining,
            Some("Target.DeregistrationInProgress")
        )
    );
    sleep(secs(59)).await;
    assert_eq!(
        target(&r, &tg, &web1).await.expect("t").state,
        TargetState::Draining
    );
    sleep(secs(2)).await;
    assert!(
        target(&r, &tg, &web1).await.is_none(),
        "gone after the delay"
    );

    // Registered again it starts over: initial, then healthy.
    w.register_targets(&tg, &reg(&web1), false)
        .await
        .expect("register");
    assert_eq!(
        target(&r, &tg, &web1).await.expect("t").state,
        TargetState::Initial
    );
    sleep(secs(31)).await;
    assert_eq!(
        target(&r, &tg, &web1).await.expect("t").state,
        TargetState::Healthy
    );
}

#[tokio::test(start_paused = true)]
async fn a_stopped_instance_is_unused_and_cannot_be_registered() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let tg = sim.target_group_arn("web-tg").expect("tg");
    let web2 = sim.instance_id("web-2").expect("web-2");
    w.stop_instances(std::slice::from_ref(&web2), false, false)
        .await
        .expect("stop");
    let t = target(&r, &tg, &web2).await.expect("t");
    assert_eq!(
        (t.state, t.reason.as_deref()),
        (TargetState::Unused, Some("Target.InvalidState"))
    );
    sleep(secs(30)).await;
    w.start_instances(std::slice::from_ref(&web2), false)
        .await
        .expect("start");
    assert_eq!(
        target(&r, &tg, &web2).await.expect("t").state,
        TargetState::Initial
    );
    sleep(secs(50 + 31)).await;
    assert_eq!(
        target(&r, &tg, &web2).await.expect("t").state,
        TargetState::Healthy
    );

    let eu = sim.writer("eu-west-1");
    let api_tg = sim.target_group_arn("api-tg").expect("api-tg");
    let batch = sim.instance_id("batch-1").expect("batch-1 (stopped)");
    let e = eu
        .register_targets(&api_tg, &reg(&batch), false)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::NotFound, "InvalidTarget")
    );
    let e = w
        .register_targets(
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/nope/0",
            &reg(&web2),
            true,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
}

#[tokio::test(start_paused = true)]
async fn requests_go_to_healthy_targets_only() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let tg = r
        .target_group_details(&sim.target_group_arn("web-tg").expect("tg"))
        .await
        .expect("tg");
    let lb = sim.load_balancer_arn("shop-alb").expect("alb");
    let web1 = sim.instance_id("web-1").expect("web-1");
    let web2 = sim.instance_id("web-2").expect("web-2");
    let dims = |extra: Option<&str>| {
        let mut d = vec![
            (
                "TargetGroup".to_string(),
                tg.arn
                    .split(':')
                    .next_back()
                    .unwrap_or_default()
                    .to_string(),
            ),
            (
                "LoadBalancer".to_string(),
                lb.split("loadbalancer/")
                    .nth(1)
                    .unwrap_or_default()
                    .to_string(),
            ),
        ];
        if let Some(az) = extra {
            d.push(("AvailabilityZone".to_string(), az.to_string()));
        }
        d
    };
    let q = |metric: &str, stat: &str, az: Option<&str>| MetricQuery {
        subject: MetricSubject::TargetGroup {
            target_group_arn: tg.arn.clone(),
            load_balancer_arn: lb.clone().into(),
            az: az.map(Into::into),
        },
        namespace: "AWS/ApplicationELB".into(),
        metric: metric.into(),
        stat: stat.into(),
        dimensions: dims(az),
    };
    let latest = |s: &MetricSeries| s.points.last().map(|p| p.1).expect("a point");

    let m = r
        .metrics(
            &[
                q("RequestCountPerTarget", "Sum", None),
                q("RequestCount", "Sum", None),
                cpu_query(&web2),
            ],
            secs(600),
        )
        .await
        .expect("m");
    let (per_target, total, cpu_shared) = (latest(&m[0]), latest(&m[1]), latest(&m[2]));
    assert!(
        (total / 2.0 - per_target).abs() <= 1.0,
        "two healthy targets share {total}: {per_target}"
    );

    w.stop_instances(std::slice::from_ref(&web1), false, false)
        .await
        .expect("stop web-1");
    sleep(secs(120)).await;
    let m = r
        .metrics(
            &[
                q("RequestCountPerTarget", "Sum", None),
                q("RequestCount", "Sum", None),
                cpu_query(&web2),
                cpu_query(&web1),
                q("HealthyHostCount", "Minimum", Some("us-east-1a")),
            ],
            secs(600),
        )
        .await
        .expect("m");
    let (per_target, total) = (latest(&m[0]), latest(&m[1]));
    assert!(
        (total - per_target).abs() <= 1.0,
        "one healthy target takes all {total}: {per_target}"
    );
    assert!(
        latest(&m[2]) > cpu_shared + 10.0,
        "web-2 works harder: {cpu_shared} → {}",
        latest(&m[2])
    );
    let web1_last = m[3].points.last().map(|p| p.0).expect("web-1 had points");
    assert!(
        web1_last < sim.now() - chrono::Duration::minutes(1),
        "a stopped instance reports no CPU"
    );
    assert_eq!(latest(&m[4]), 1.0);
}
