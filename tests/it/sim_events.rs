//! Scheduled events on the simulated clock: an unhandled one executes at its time (a system or instance
//! reboot really takes a web server out of its target group, an instance-stop or a retirement stops
//! it, system maintenance is a brief blip), stop/start or a reboot resolves them first, and rescheduling
//! follows AWS's rules (only with a deadline, at least 60 min ahead, not within 5 min of the start).

use crate::support::ports::cpu_query;
use crate::support::sim::{self, epoch, instance, secs};
use opsdeck_core::cloud::*;
use opsdeck_core::domain::*;
use opsdeck_sim::Sim;
use std::sync::Arc;
use tokio::time::sleep;

/// The seed of every scenario here (ids, addresses and fault dice follow from it).
const SEED: u64 = 11;

const DAY: u64 = 86_400;

async fn target(r: &Arc<dyn CloudRead>, tg: &str, id: &str) -> TargetHealth {
    r.target_health(tg)
        .await
        .expect("target health")
        .into_iter()
        .find(|t| t.target_id == id)
        .expect("registered")
}

fn tg_query(
    lb: &LoadBalancer,
    tg: &TargetGroup,
    metric: &str,
    stat: &str,
    az: &str,
) -> MetricQuery {
    MetricQuery {
        subject: MetricSubject::TargetGroup {
            target_group_arn: tg.arn.clone(),
            load_balancer_arn: lb.arn.clone(),
            az: Some(az.into()),
        },
        namespace: "AWS/ApplicationELB".into(),
        metric: metric.into(),
        stat: stat.into(),
        dimensions: vec![
            (
                "TargetGroup".into(),
                tg.arn.split(':').next_back().unwrap_or_default().into(),
            ),
            (
                "LoadBalancer".into(),
                lb.arn
                    .split("loadbalancer/")
                    .nth(1)
                    .unwrap_or_default()
                    .into(),
            ),
            ("AvailabilityZone".into(), az.into()),
        ],
    }
}

/// The value of a series at exactly `t` (the sim reports one point per minute).
async fn point(r: &Arc<dyn CloudRead>, q: MetricQuery, t: Timestamp) -> f64 {
    let series = r
        .metrics(std::slice::from_ref(&q), secs(3600))
        .await
        .expect("metrics");
    series[0]
        .points
        .iter()
        .find(|(at, _)| *at == t)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no {} point at {t}: {:?}", q.metric, series[0].points))
}

#[tokio::test(start_paused = true)]
async fn an_unhandled_scheduled_reboot_takes_web_2_out_of_its_target_group() {
    let sim = sim::at_epoch("default", SEED);
    let r = sim.reader("us-east-1");
    let web1 = sim.instance_id("web-1").expect("web-1");
    let web2 = sim.instance_id("web-2").expect("web-2");
    let tg = r
        .target_group_details(&sim.target_group_arn("web-tg").expect("tg"))
        .await
        .expect("details");
    let lb = r
        .load_balancers()
        .await
        .expect("lbs")
        .into_iter()
        .find(|l| l.name == "shop-alb")
        .expect("alb");

    let ev = instance(&r, &web2).await.events[0].clone();
    assert_eq!(ev.code, EventCode::SystemReboot);
    let start = ev.not_before.expect("start");
    assert_eq!(start, epoch() + chrono::Duration::days(7), "next week");
    assert_eq!(
        ev.not_before_deadline,
        Some(epoch() + chrono::Duration::days(14))
    );

    // The day before nothing has happened.
    sleep(secs(7 * DAY - 60)).await;
    assert_eq!(target(&r, &tg.arn, &web2).await.state, TargetState::Healthy);
    assert!(!instance(&r, &web2).await.events[0].is_done());
    let before = start - chrono::Duration::minutes(1);

    // At its time AWS reboots it: the guest is down, the checks fail, ELB notices after 2 × 10 s.
    sleep(secs(61)).await;
    let i = instance(&r, &web2).await;
    assert_eq!(i.status_checks.instance, CheckStatus::Initializing);
    assert!(i.events[0].is_done(), "the event is marked completed");
    sleep(secs(24)).await; // start + 25 s
    let t = target(&r, &tg.arn, &web2).await;
    assert_eq!(t.state, TargetState::Unhealthy);
    assert_eq!(t.reason.as_deref(), Some("Target.FailedHealthChecks"));
    assert_eq!(target(&r, &tg.arn, &web1).await.state, TargetState::Healthy);

    // CloudWatch sees it too: one healthy host in us-east-1a, one unhealthy, and web-1 takes the load.
    sleep(secs(40)).await; // start + 65 s
    let during = start + chrono::Duration::minutes(1);
    let hosts = |metric, stat, az, at| point(&r, tg_query(&lb, &tg, metric, stat, az), at);
    let healthy = |az, at| hosts("HealthyHostCount", "Minimum", az, at);
    assert_eq!(healthy("us-east-1a", before).await, 2.0);
    assert_eq!(healthy("us-east-1a", during).await, 1.0);
    assert_eq!(
        hosts("UnHealthyHostCount", "Maximum", "us-east-1a", during).await,
        1.0
    );
    assert_eq!(healthy("us-east-1b", during).await, 0.0);
    let cpu_before = point(&r, cpu_query(&web1), before).await;
    let cpu_during = point(&r, cpu_query(&web1), during).await;
    assert!(
        cpu_during > cpu_before + 10.0,
        "web-1 serves everything: {cpu_before} → {cpu_during}"
    );
    let alarms = r.alarms().await.expect("alarms");
    let unhealthy = alarms
        .iter()
        .find(|a| a.name == "web-tg-unhealthy-hosts")
        .expect("alarm");
    assert_eq!(unhealthy.state, AlarmState::Alarm, "{:?}", unhealthy.reason);

    // Back after the reboot (60 s) and three passing checks (30 s).
    sleep(secs(20)).await; // start + 85 s
    assert_eq!(
        target(&r, &tg.arn, &web2).await.state,
        TargetState::Unhealthy
    );
    sleep(secs(10)).await; // start + 95 s
    assert_eq!(target(&r, &tg.arn, &web2).await.state, TargetState::Healthy);
    sleep(secs(120)).await;
    let alarms = r.alarms().await.expect("alarms");
    let unhealthy = alarms
        .iter()
        .find(|a| a.name == "web-tg-unhealthy-hosts")
        .expect("alarm");
    assert_eq!(unhealthy.state, AlarmState::Ok);
    assert!(instance(&r, &web2).await.status_checks.all_ok());
}

#[tokio::test(start_paused = true)]
async fn stopping_and_starting_before_the_event_resolves_it() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let web2 = sim.instance_id("web-2").expect("web-2");
    let tg = sim.target_group_arn("web-tg").expect("tg");
    sleep(secs(DAY)).await;
    w.stop_instances(std::slice::from_ref(&web2), false, false)
        .await
        .expect("stop");
    sleep(secs(30)).await;
    w.start_instances(std::slice::from_ref(&web2), false)
        .await
        .expect("start");
    sleep(secs(120)).await;
    assert_eq!(target(&r, &tg, &web2).await.state, TargetState::Healthy);
    assert_eq!(instance(&r, &web2).await.upcoming_events().count(), 0);

    // Through the old window nothing happens to web-2.
    sleep(secs(6 * DAY - 200)).await;
    for _ in 0..20 {
        sleep(secs(10)).await;
        assert_eq!(target(&r, &tg, &web2).await.state, TargetState::Healthy);
        assert!(instance(&r, &web2).await.status_checks.all_ok());
    }
}

#[tokio::test(start_paused = true)]
async fn rescheduling_follows_aws_rules() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let web2 = sim.instance_id("web-2").expect("web-2");
    let tg = sim.target_group_arn("web-tg").expect("tg");
    let ev = instance(&r, &web2).await.events[0].clone();
    let eid = ev.event_id.clone().expect("event id");
    let start = ev.not_before.expect("start");
    let window = ev.not_after.expect("end") - start;
    let deadline = ev.not_before_deadline.expect("deadline");

    // Dry run: would succeed, changes nothing.
    let e = w
        .reschedule_instance_event(&web2, &eid, start + chrono::Duration::days(2), true)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::DryRunOk);
    // Not sooner than an hour from now, not after the deadline.
    let e = w
        .reschedule_instance_event(&web2, &eid, epoch() + chrono::Duration::minutes(30), false)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::InvalidRequest, "InvalidParameterValue")
    );
    let e = w
        .reschedule_instance_event(&web2, &eid, deadline + chrono::Duration::hours(1), false)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidRequest, "past the deadline: {e}");
    let e = w
        .reschedule_instance_event(&web2, "instance-event-0000000000000dead", start, false)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    // An event without a deadline cannot be rescheduled at all (worker-1's retirement).
    let eu = sim.reader("eu-west-1");
    let worker = sim.instance_id("worker-1").expect("worker-1");
    let wev = instance(&eu, &worker).await.events[0].clone();
    assert_eq!(wev.not_before_deadline, None);
    let e = sim
        .writer("eu-west-1")
        .reschedule_instance_event(
            &worker,
            wev.event_id.as_deref().unwrap_or_default(),
            wev.not_before.expect("start") + chrono::Duration::days(1),
            false,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidRequest);

    // Two days later, within the deadline: the whole window moves.
    let new_start = start + chrono::Duration::days(2);
    let ok = w
        .reschedule_instance_event(&web2, &eid, new_start, false)
        .await
        .expect("reschedule");
    assert!(ok.request_id.is_some());
    let moved = instance(&r, &web2).await.events[0].clone();
    assert_eq!(moved.not_before, Some(new_start));
    assert_eq!(moved.not_after, Some(new_start + window));

    // The old time passes quietly; the new one reboots web-2.
    sleep(secs(7 * DAY + 120)).await;
    assert_eq!(target(&r, &tg, &web2).await.state, TargetState::Healthy);
    assert!(!instance(&r, &web2).await.events[0].is_done());
    // Within 5 minutes of its start it can no longer move.
    sleep(secs(2 * DAY - 120 - 240)).await;
    let e = w
        .reschedule_instance_event(&web2, &eid, new_start + chrono::Duration::days(1), false)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::InvalidState, "IncorrectState")
    );
    sleep(secs(240 + 30)).await;
    assert_eq!(target(&r, &tg, &web2).await.state, TargetState::Unhealthy);
    assert!(instance(&r, &web2).await.events[0].is_done());
}

#[tokio::test(start_paused = true)]
async fn a_retirement_stops_the_instance_at_its_time() {
    let sim = sim::at_epoch("default", SEED);
    let eu = sim.reader("eu-west-1");
    let worker = sim.instance_id("worker-1").expect("worker-1");
    let start = instance(&eu, &worker).await.events[0]
        .not_before
        .expect("start");
    assert_eq!(start, epoch() + chrono::Duration::days(10));
    sleep(secs(10 * DAY - 1)).await;
    assert_eq!(instance(&eu, &worker).await.state, InstanceState::Running);
    sleep(secs(2)).await;
    assert_eq!(instance(&eu, &worker).await.state, InstanceState::Stopping);
    sleep(secs(10)).await;
    assert_eq!(instance(&eu, &worker).await.state, InstanceState::Stopped);
}

#[tokio::test(start_paused = true)]
async fn a_user_reboot_completes_an_instance_reboot_event() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let web1 = sim.instance_id("web-1").expect("web-1");
    let tg = sim.target_group_arn("web-tg").expect("tg");
    let said = sim
        .chaos("event web-1 instance-reboot 2h 3d")
        .expect("chaos");
    assert!(said.contains("instance-reboot"), "{said}");
    let ev = instance(&r, &web1).await.events[0].clone();
    assert_eq!(ev.code, EventCode::InstanceReboot);
    assert_eq!(ev.not_before, Some(epoch() + chrono::Duration::hours(2)));
    assert_eq!(
        ev.not_before_deadline,
        Some(epoch() + chrono::Duration::days(3))
    );

    w.reboot_instances(std::slice::from_ref(&web1), false)
        .await
        .expect("reboot");
    assert!(instance(&r, &web1).await.events[0].is_done());
    sleep(secs(2 * 3600 - 100)).await;
    for _ in 0..30 {
        sleep(secs(10)).await;
        assert_eq!(target(&r, &tg, &web1).await.state, TargetState::Healthy);
    }
}

/// Schedules `code` for web-1 two hours from the epoch (with a deadline, so AWS could reschedule it)
/// and returns web-1's id, web-2's id, web-tg's ARN and the event's start.
async fn web1_event(
    sim: &Sim,
    r: &Arc<dyn CloudRead>,
    code: &str,
) -> (String, String, String, Timestamp) {
    let web1 = sim.instance_id("web-1").expect("web-1");
    let web2 = sim.instance_id("web-2").expect("web-2");
    let tg = sim.target_group_arn("web-tg").expect("tg");
    let said = sim
        .chaos(&format!("event web-1 {code} 2h 3d"))
        .expect("chaos");
    assert!(said.contains(code), "{said}");
    let ev = instance(r, &web1).await.events[0].clone();
    assert_eq!(ev.raw_code, code);
    let start = ev.not_before.expect("start");
    assert_eq!(start, epoch() + chrono::Duration::hours(2));
    (web1, web2, tg, start)
}

#[tokio::test(start_paused = true)]
async fn an_unhandled_instance_stop_stops_the_instance_at_its_time() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let (web1, web2, tg, _start) = web1_event(&sim, &r, "instance-stop").await;
    assert_eq!(
        instance(&r, &web1).await.events[0].code,
        EventCode::InstanceStop
    );
    let public_ip = instance(&r, &web1)
        .await
        .public_ip
        .expect("an auto-assigned public IP");

    // A second before: nothing yet.
    sleep(secs(2 * 3600 - 1)).await;
    let i = instance(&r, &web1).await;
    assert_eq!(i.state, InstanceState::Running);
    assert!(!i.events[0].is_done());
    assert_eq!(target(&r, &tg, &web1).await.state, TargetState::Healthy);

    // At its time EC2 stops it (AWS: "the instance is stopped"), and the event is completed.
    sleep(secs(2)).await;
    let i = instance(&r, &web1).await;
    assert_eq!(i.state, InstanceState::Stopping);
    assert!(
        i.events[0].is_done() && i.events[0].description.starts_with("[Completed]"),
        "{:?}",
        i.events[0]
    );
    assert_eq!(i.upcoming_events().count(), 0);
    sleep(secs(10)).await;
    let i = instance(&r, &web1).await;
    assert_eq!(i.state, InstanceState::Stopped);
    assert_eq!(
        i.public_ip, None,
        "a stopped instance releases its public IP"
    );
    let t = target(&r, &tg, &web1).await;
    assert_eq!(
        (t.state, t.reason.as_deref()),
        (TargetState::Unused, Some("Target.InvalidState"))
    );
    assert_eq!(target(&r, &tg, &web2).await.state, TargetState::Healthy);

    // It stays stopped: EC2 does not start it again; the operator does, on new hardware.
    sleep(secs(3600)).await;
    assert_eq!(instance(&r, &web1).await.state, InstanceState::Stopped);
    w.start_instances(std::slice::from_ref(&web1), false)
        .await
        .expect("start");
    sleep(secs(120)).await;
    let i = instance(&r, &web1).await;
    assert_eq!(i.state, InstanceState::Running);
    assert!(
        i.public_ip.as_ref().is_some_and(|ip| *ip != public_ip),
        "a new public IP"
    );
    assert_eq!(
        i.upcoming_events().count(),
        0,
        "the event does not come back"
    );
}

#[tokio::test(start_paused = true)]
async fn system_maintenance_is_a_brief_outage_of_a_running_instance() {
    let sim = sim::at_epoch("default", SEED);
    let r = sim.reader("us-east-1");
    let (web1, _web2, tg, _start) = web1_event(&sim, &r, "system-maintenance").await;
    assert_eq!(
        instance(&r, &web1).await.events[0].code,
        EventCode::SystemMaintenance
    );
    let before = instance(&r, &web1).await;

    sleep(secs(2 * 3600 - 1)).await;
    assert!(instance(&r, &web1).await.status_checks.all_ok());

    // AWS: power maintenance makes the instance unavailable briefly and then reboots it; network
    // maintenance drops its connectivity briefly. Either way it stays running on its host, keeping its
    // configuration and addresses, and the event is completed.
    sleep(secs(2)).await;
    let i = instance(&r, &web1).await;
    assert_eq!(i.state, InstanceState::Running);
    assert_eq!(i.status_checks.instance, CheckStatus::Initializing);
    assert!(i.events[0].is_done(), "{:?}", i.events[0]);
    assert_eq!(i.public_ip, before.public_ip);
    assert_eq!(i.private_ip, before.private_ip);

    // Brief: shorter than ELB's unhealthy threshold (2 × 10 s), so web-1 never leaves web-tg, and its
    // status checks pass again within two minutes.
    for _ in 0..12 {
        sleep(secs(5)).await;
        assert_eq!(instance(&r, &web1).await.state, InstanceState::Running);
        assert_eq!(target(&r, &tg, &web1).await.state, TargetState::Healthy);
    }
    sleep(secs(60)).await;
    let i = instance(&r, &web1).await;
    assert!(i.status_checks.all_ok(), "{:?}", i.status_checks);
    assert_eq!(i.upcoming_events().count(), 0);
}

#[tokio::test(start_paused = true)]
async fn an_unhandled_instance_reboot_reboots_it_and_drops_it_from_its_group_briefly() {
    let sim = sim::at_epoch("default", SEED);
    let r = sim.reader("us-east-1");
    let (web1, web2, tg, _start) = web1_event(&sim, &r, "instance-reboot").await;
    assert_eq!(
        instance(&r, &web1).await.events[0].code,
        EventCode::InstanceReboot
    );
    let public_ip = instance(&r, &web1).await.public_ip;

    sleep(secs(2 * 3600 - 1)).await;
    assert_eq!(target(&r, &tg, &web1).await.state, TargetState::Healthy);

    // At its time EC2 reboots the instance: still running, the guest down, the event completed.
    sleep(secs(2)).await; // start + 1 s
    let i = instance(&r, &web1).await;
    assert_eq!(i.state, InstanceState::Running);
    assert_eq!(i.status_checks.instance, CheckStatus::Initializing);
    assert!(i.events[0].is_done(), "{:?}", i.events[0]);
    assert_eq!(i.public_ip, public_ip, "a reboot keeps the public IP");

    // ELB marks it unhealthy after 2 failed checks × 10 s; web-2 carries on.
    sleep(secs(24)).await; // start + 25 s
    let t = target(&r, &tg, &web1).await;
    assert_eq!(
        (t.state, t.reason.as_deref()),
        (TargetState::Unhealthy, Some("Target.FailedHealthChecks"))
    );
    assert_eq!(target(&r, &tg, &web2).await.state, TargetState::Healthy);

    // Back after the reboot (60 s) and 3 passing checks × 10 s: out of the group for about a minute.
    sleep(secs(60)).await; // start + 85 s
    assert_eq!(target(&r, &tg, &web1).await.state, TargetState::Unhealthy);
    sleep(secs(10)).await; // start + 95 s
    assert_eq!(target(&r, &tg, &web1).await.state, TargetState::Healthy);
    sleep(secs(60)).await;
    let i = instance(&r, &web1).await;
    assert_eq!(i.state, InstanceState::Running);
    assert!(i.status_checks.all_ok(), "{:?}", i.status_checks);
    assert_eq!(i.upcoming_events().count(), 0);
}
