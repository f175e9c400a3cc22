//! Fault injection, through the sim's API and its chaos commands: throttling per action, 5xx, latency,
//! a permission policy, an AZ outage, an instance crash. The sim never retries: a faulted call fails
//! once, straight away (the AWS SDK retries for the real adapter; runbooks handle what is left).

use crate::support::inventory;
use crate::support::sim::{self, epoch, instance, secs};
use opsdeck_core::cloud::*;
use opsdeck_core::domain::*;
use opsdeck_sim::CALL_LOG_LIMIT;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::{Instant, sleep};

/// The seed of every scenario here (ids, addresses and fault dice follow from it).
const SEED: u64 = 21;

async fn states(r: &Arc<dyn CloudRead>, tg: &str) -> Vec<TargetState> {
    let mut t = r.target_health(tg).await.expect("target health");
    t.sort_by(|a, b| a.target_id.cmp(&b.target_id));
    t.into_iter().map(|t| t.state).collect()
}

#[tokio::test(start_paused = true)]
async fn throttling_fails_the_named_action_once_without_retrying() {
    let sim = sim::at_epoch("default", SEED);
    let r = sim.reader("us-east-1");
    sim.chaos("throttle DescribeInstances 1").expect("chaos");
    sim.clear_calls();
    let e = r.instances().await.unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::Throttled, "RequestLimitExceeded")
    );
    assert!(e.request_id.is_some());
    assert_eq!(sim.calls().len(), 1, "one call, no retry inside the sim");
    r.volumes().await.expect("other actions are not throttled");

    // ELBv2 throttles with its own code; `*` throttles everything.
    sim.chaos("throttle * 1").expect("chaos");
    let e = r.load_balancers().await.unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::Throttled, "Throttling")
    );
    let e = sim
        .writer("us-east-1")
        .reboot_instances(&[sim.instance_id("web-1").expect("web-1")], false)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Throttled);
    sim.chaos("clear").expect("chaos");
    r.instances().await.expect("cleared");
    assert_eq!(
        instance(&r, &sim.instance_id("web-1").expect("web-1"))
            .await
            .status_checks
            .instance,
        CheckStatus::Ok,
        "the throttled reboot never happened"
    );
}

#[tokio::test(start_paused = true)]
async fn a_throttle_rate_is_a_rate_and_the_same_seed_throttles_the_same_calls() {
    async fn pattern(seed: u64) -> Vec<bool> {
        let sim = sim::at_epoch("default", seed);
        sim.throttle("*", 0.3);
        let r = sim.reader("us-east-1");
        let mut out = Vec::new();
        for _ in 0..1000 {
            out.push(r.subnets().await.is_err());
        }
        out
    }
    let a = pattern(1).await;
    let throttled = a.iter().filter(|t| **t).count();
    assert!(
        (240..=360).contains(&throttled),
        "about 30% of 1000: {throttled}"
    );
    assert_eq!(a, pattern(1).await, "a seed reproduces a run");
    assert_ne!(a, pattern(2).await);
}

#[tokio::test(start_paused = true)]
async fn injected_5xx_are_server_errors() {
    let sim = sim::at_epoch("default", SEED);
    let r = sim.reader("us-east-1");
    sim.chaos("errors 1.0").expect("chaos");
    let e = r.snapshots().await.unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::ServerError, "InternalError")
    );
    assert!(e.is_transient());
    let e = r.target_groups().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::ServerError);
    // The inventory keeps what it can and says, per region, what failed.
    sim.set_error_rate(0.0);
    sim.throttle("DescribeSnapshots", 1.0);
    let inv = inventory::full(&sim.readers()).await;
    let us = inv
        .regions
        .iter()
        .find(|s| s.region == "us-east-1")
        .expect("us-east-1");
    assert!(
        us.error.as_deref().is_some_and(|e| e.contains("snapshots")),
        "{:?}",
        us.error
    );
    assert!(inv.instances.len() >= 3, "the other lists were read");
}

#[tokio::test(start_paused = true)]
async fn latency_delays_every_call_on_the_tokio_clock() {
    let sim = sim::at_epoch("default", SEED);
    let r = sim.reader("us-east-1");
    sim.chaos("latency 500ms").expect("chaos");
    let t0 = Instant::now();
    r.volumes().await.expect("volumes");
    assert_eq!(t0.elapsed(), Duration::from_millis(500));
    assert_eq!(
        sim.now() - epoch(),
        chrono::Duration::milliseconds(500),
        "the world moved with it"
    );
    sim.chaos("latency 0").expect("chaos");
    let t0 = Instant::now();
    r.volumes().await.expect("volumes");
    assert_eq!(t0.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn a_deny_policy_is_unauthorized_and_shows_in_the_inventory() {
    let sim = sim::at_epoch("default", SEED);
    let r = sim.reader("us-east-1");
    sim.chaos("deny DescribeTargetHealth").expect("chaos");
    let tg = sim.target_group_arn("web-tg").expect("tg");
    let e = r.target_health(&tg).await.unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::Unauthorized, "AccessDenied")
    );
    let inv = inventory::full(std::slice::from_ref(&r)).await;
    assert!(
        inv.regions[0]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("not permitted")),
        "{:?}",
        inv.regions[0].error
    );
    assert!(sim.describe_faults().contains("deny DescribeTargetHealth"));
    sim.chaos("allow DescribeTargetHealth").expect("chaos");
    r.target_health(&tg).await.expect("allowed again");
}

#[tokio::test(start_paused = true)]
async fn an_az_outage_impairs_instances_fails_targets_and_launches_there() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let tg = sim.target_group_arn("web-tg").expect("tg");
    let web1 = sim.instance_id("web-1").expect("web-1");
    let db1 = sim.instance_id("db-1").expect("db-1");
    let data = sim.volume_id("db-1-data").expect("data");
    let said = sim.chaos("az-outage us-east-1a").expect("chaos");
    assert!(said.contains("us-east-1a"), "{said}");

    let zones = r.availability_zones().await.expect("zones");
    let a = zones.iter().find(|z| z.name == "us-east-1a").expect("1a");
    assert_eq!(a.state, ZoneState::Impaired);
    assert!(!a.messages.is_empty());
    assert!(
        zones
            .iter()
            .filter(|z| z.name != "us-east-1a")
            .all(|z| z.state == ZoneState::Available)
    );
    let i = instance(&r, &web1).await;
    assert_eq!(
        (i.status_checks.system, i.status_checks.instance),
        (CheckStatus::Impaired, CheckStatus::Impaired)
    );
    assert!(i.status_checks.impaired_since.is_some());
    sleep(secs(25)).await;
    assert_eq!(
        states(&r, &tg).await,
        vec![TargetState::Unhealthy, TargetState::Unhealthy]
    );

    // No capacity in the zone: launches (and starts) there fail; other zones are fine.
    let src = instance(&r, &web1).await;
    let ami = sim.image_id("shop-web-golden").expect("ami");
    let in_a = LaunchSpec::clone_of(
        &src,
        &ami,
        &sim.subnet_id("shop-public-1a").expect("1a"),
        "o-1",
    );
    let e = w.run_instances(&in_a, false).await.unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::Capacity, "InsufficientInstanceCapacity")
    );
    let in_b = LaunchSpec::clone_of(
        &src,
        &ami,
        &sim.subnet_id("shop-public-1b").expect("1b"),
        "o-2",
    );
    w.run_instances(&in_b, false)
        .await
        .expect("1b has capacity");
    w.stop_instances(std::slice::from_ref(&db1), true, false)
        .await
        .expect("stop db-1");
    sleep(secs(10)).await;
    let e = w
        .start_instances(std::slice::from_ref(&db1), false)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Capacity);
    // Its volume is stuck too: a plain detach hangs, a forced one gets it out.
    w.detach_volume(&data, &db1, false, false)
        .await
        .expect("detach accepted");
    sleep(secs(120)).await;
    assert_eq!(
        r.volume(&data).await.expect("v").expect("data").state,
        VolumeState::InUse
    );
    w.detach_volume(&data, &db1, true, false)
        .await
        .expect("force");
    sleep(secs(10)).await;
    assert_eq!(
        r.volume(&data).await.expect("v").expect("data").state,
        VolumeState::Available
    );

    sim.chaos("az-restore us-east-1a").expect("chaos");
    assert!(instance(&r, &web1).await.status_checks.all_ok());
    sleep(secs(31)).await;
    assert_eq!(
        states(&r, &tg).await,
        vec![TargetState::Healthy, TargetState::Healthy]
    );
    w.start_instances(std::slice::from_ref(&db1), false)
        .await
        .expect("capacity is back");
}

#[tokio::test(start_paused = true)]
async fn a_crashed_instance_fails_its_check_until_rebooted() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let tg = sim.target_group_arn("web-tg").expect("tg");
    let web1 = sim.instance_id("web-1").expect("web-1");
    sim.chaos("crash web-1").expect("crash by name");
    let i = instance(&r, &web1).await;
    assert_eq!(
        (i.status_checks.system, i.status_checks.instance),
        (CheckStatus::Ok, CheckStatus::Impaired)
    );
    sleep(secs(600)).await;
    let t = r.target_health(&tg).await.expect("th");
    assert!(
        t.iter()
            .any(|t| t.target_id == web1 && t.state == TargetState::Unhealthy)
    );
    assert!(
        instance(&r, &web1).await.status_checks.impaired(),
        "it does not heal by itself"
    );
    assert!(sim.describe_faults().contains(&web1));

    w.reboot_instances(std::slice::from_ref(&web1), false)
        .await
        .expect("reboot");
    sleep(secs(60 + 31)).await;
    let t = r.target_health(&tg).await.expect("th");
    assert!(
        t.iter()
            .any(|t| t.target_id == web1 && t.state == TargetState::Healthy)
    );
    sleep(secs(60)).await;
    assert!(instance(&r, &web1).await.status_checks.all_ok());
}

#[tokio::test(start_paused = true)]
async fn chaos_commands_say_what_is_wrong() {
    let sim = sim::at_epoch("default", SEED);
    assert!(sim.chaos("explode everything").is_err());
    assert!(
        sim.chaos("crash i-0000000000000dead")
            .unwrap_err()
            .to_string()
            .contains("no instance")
    );
    assert!(sim.chaos("az-outage mars-north-1a").is_err());
    assert!(sim.chaos("stuck-detach nothing").is_err());
    assert!(sim.chaos("help").expect("help").contains("az-outage"));
    assert_eq!(sim.chaos("status").expect("status"), "no faults");
    sim.chaos("throttle DescribeVolumes 0.5").expect("chaos");
    sim.chaos("az-outage us-east-1b").expect("chaos");
    let s = sim.chaos("status").expect("status");
    assert!(
        s.contains("throttle DescribeVolumes 0.5") && s.contains("az-outage us-east-1b"),
        "{s}"
    );
    sim.chaos("clear").expect("clear");
    assert_eq!(sim.chaos("status").expect("status"), "no faults");
    let before = sim.now();
    sim.chaos("skip 2h").expect("skip");
    assert!(sim.now() - before >= chrono::Duration::hours(2));
}

fn check_query(id: &str, metric: &str) -> MetricQuery {
    MetricQuery {
        subject: MetricSubject::Instance {
            instance_id: id.into(),
        },
        namespace: "AWS/EC2".into(),
        metric: metric.into(),
        stat: "Maximum".into(),
        dimensions: vec![("InstanceId".into(), id.into())],
    }
}

/// StatusCheckFailed, _System and _Instance for `id` at minute `t` (the sim has a point a minute).
async fn checks_failed(r: &Arc<dyn CloudRead>, id: &str, t: Timestamp) -> [f64; 3] {
    let queries: Vec<MetricQuery> = [
        "StatusCheckFailed",
        "StatusCheckFailed_System",
        "StatusCheckFailed_Instance",
    ]
    .iter()
    .map(|m| check_query(id, m))
    .collect();
    let series = r.metrics(&queries, secs(3600)).await.expect("metrics");
    let at = |s: &MetricSeries| {
        s.points
            .iter()
            .find(|(p, _)| *p == t)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("no {} point at {t}: {:?}", s.metric, s.points))
    };
    [at(&series[0]), at(&series[1]), at(&series[2])]
}

fn minute(n: i64) -> Timestamp {
    epoch() + chrono::Duration::minutes(n)
}

#[tokio::test(start_paused = true)]
async fn status_check_failed_goes_to_1_on_a_crash_and_an_az_outage() {
    let sim = sim::at_epoch("default", SEED);
    let r = sim.reader("us-east-1");
    let web1 = sim.instance_id("web-1").expect("web-1");
    let db1 = sim.instance_id("db-1").expect("db-1");

    // Minute 5½: web-1's guest crashes (the instance check fails, the host is fine).
    sleep(secs(5 * 60 + 30)).await;
    sim.chaos("crash web-1").expect("crash");
    // Minute 8½: us-east-1a goes down under db-1 (both checks fail).
    sleep(secs(3 * 60)).await;
    sim.chaos("az-outage us-east-1a").expect("outage");
    sleep(secs(3 * 60)).await; // minute 11½

    assert_eq!(checks_failed(&r, &web1, minute(5)).await, [0.0, 0.0, 0.0]);
    assert_eq!(
        checks_failed(&r, &web1, minute(6)).await,
        [1.0, 0.0, 1.0],
        "a crash fails the instance check only"
    );
    assert_eq!(checks_failed(&r, &db1, minute(8)).await, [0.0, 0.0, 0.0]);
    assert_eq!(
        checks_failed(&r, &db1, minute(9)).await,
        [1.0, 1.0, 1.0],
        "an AZ outage fails the system check and, unreachable, the instance check"
    );
    assert_eq!(checks_failed(&r, &db1, minute(11)).await, [1.0, 1.0, 1.0]);

    // Back to 0 once the zone is restored; the minutes of the outage keep their values.
    sim.chaos("az-restore us-east-1a").expect("restore");
    sleep(secs(2 * 60)).await; // minute 13½
    assert_eq!(checks_failed(&r, &db1, minute(13)).await, [0.0, 0.0, 0.0]);
    assert_eq!(
        checks_failed(&r, &db1, minute(9)).await,
        [1.0, 1.0, 1.0],
        "history is not rewritten by the restore"
    );
    // web-1 was crashed *and* in the zone: both checks failed during the outage, then only its
    // own check again, as before it.
    assert_eq!(checks_failed(&r, &web1, minute(10)).await, [1.0, 1.0, 1.0]);
    assert_eq!(checks_failed(&r, &web1, minute(13)).await, [1.0, 0.0, 1.0]);
}

#[tokio::test(start_paused = true)]
async fn losing_a_web_server_sets_off_the_healthy_hosts_low_alarm() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let web1 = sim.instance_id("web-1").expect("web-1");
    let alarm = |alarms: Vec<Alarm>| {
        alarms
            .into_iter()
            .find(|a| a.name == "web-tg-healthy-hosts-low")
            .expect("the alarm")
    };
    let a = alarm(r.alarms().await.expect("alarms"));
    assert_eq!(
        (a.metric.as_deref(), a.comparison.as_deref(), a.threshold),
        (
            Some("HealthyHostCount"),
            Some("LessThanThreshold"),
            Some(2.0)
        )
    );
    sleep(secs(5 * 60)).await;
    let a = alarm(r.alarms().await.expect("alarms"));
    assert_eq!(a.state, AlarmState::Ok, "two healthy hosts: {:?}", a.reason);

    // web-1 crashes: unhealthy after 2 × 10 s; the next full minute has 1 healthy host (< 2).
    sim.chaos("crash web-1").expect("crash");
    sleep(secs(2 * 60)).await;
    let a = alarm(r.alarms().await.expect("alarms"));
    assert_eq!(a.state, AlarmState::Alarm, "{:?}", a.reason);
    let reason = a.reason.unwrap_or_default();
    assert!(
        reason.contains("1.00") && reason.contains("less than the threshold (2.0)"),
        "{reason}"
    );

    // Rebooted and healthy again: the alarm clears.
    w.reboot_instances(std::slice::from_ref(&web1), false)
        .await
        .expect("reboot");
    sleep(secs(4 * 60)).await;
    let a = alarm(r.alarms().await.expect("alarms"));
    assert_eq!(a.state, AlarmState::Ok, "{:?}", a.reason);
}

#[tokio::test(start_paused = true)]
async fn the_call_log_keeps_the_newest_calls_only() {
    let sim = sim::at_epoch("default", SEED);
    let r = sim.reader("us-east-1");
    sim.clear_calls();
    r.availability_zones().await.expect("zones");
    for _ in 0..CALL_LOG_LIMIT - 1 {
        r.subnets().await.expect("subnets");
    }
    let calls = sim.calls();
    assert_eq!(calls.len(), CALL_LOG_LIMIT, "full, nothing dropped yet");
    assert_eq!(calls[0].action, "DescribeAvailabilityZones");

    // One more: the oldest goes, exactly one, and the newest is last.
    r.volumes().await.expect("volumes");
    let calls = sim.calls();
    assert_eq!(calls.len(), CALL_LOG_LIMIT);
    assert!(
        calls
            .iter()
            .all(|c| c.action != "DescribeAvailabilityZones")
    );
    assert_eq!(calls[0].action, "DescribeSubnets");
    assert_eq!(calls[CALL_LOG_LIMIT - 1].action, "DescribeVolumes");
    for _ in 0..1000 {
        r.subnets().await.expect("subnets");
    }
    assert_eq!(sim.calls().len(), CALL_LOG_LIMIT, "it stays at the cap");
}
