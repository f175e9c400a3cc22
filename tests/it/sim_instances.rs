//! Scenario tests of the simulated EC2 instance lifecycle, on tokio's paused clock: each transition
//! happens at the time AWS would show it, illegal moves fail like EC2, client tokens never launch twice.

use crate::support::ports::one;
use crate::support::sim::{self, instance, instance_id, secs};
use opsdeck_core::cloud::*;
use opsdeck_core::domain::*;
use opsdeck_sim::Sim;
use tokio::time::sleep;

/// The seed of every scenario here (ids, addresses and fault dice follow from it).
const SEED: u64 = 7;

fn clone_spec(sim: &Sim, src: &Instance, subnet: &str, token: &str) -> LaunchSpec {
    let ami = sim.image_id("shop-web-golden").expect("golden image");
    LaunchSpec::clone_of(src, &ami, &sim.subnet_id(subnet).expect("subnet"), token)
}

#[tokio::test(start_paused = true)]
async fn a_launch_is_pending_for_tens_of_seconds_then_running_with_checks_initializing() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let web1 = instance(&r, &instance_id(&sim, "web-1")).await;
    let out = w
        .run_instances(&clone_spec(&sim, &web1, "shop-public-1b", "t-1"), false)
        .await
        .expect("launch");
    assert!(out.request_id.is_some(), "writes carry a request id");
    let new = out.value[0].clone();

    let i = instance(&r, &new).await;
    assert_eq!(i.state, InstanceState::Pending);
    assert_eq!(i.az, "us-east-1b");
    assert_eq!(i.status_checks, StatusChecks::not_applicable());
    assert_eq!(i.tags.get("role"), Some("web"));
    assert!(
        i.public_ip.is_some(),
        "a public subnet gives a public address"
    );

    sleep(secs(34)).await;
    assert_eq!(
        instance(&r, &new).await.state,
        InstanceState::Pending,
        "still pending at 34 s"
    );
    sleep(secs(17)).await;
    let i = instance(&r, &new).await;
    assert_eq!(i.state, InstanceState::Running, "running by 51 s");
    assert_eq!(i.status_checks.system, CheckStatus::Initializing);
    assert_eq!(i.status_checks.instance, CheckStatus::Initializing);
    sleep(secs(91)).await;
    assert!(
        instance(&r, &new).await.status_checks.all_ok(),
        "checks ok 90 s after running"
    );
}

#[tokio::test(start_paused = true)]
async fn the_same_client_token_never_launches_twice() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let web1 = instance(&r, &instance_id(&sim, "web-1")).await;
    let spec = clone_spec(&sim, &web1, "shop-public-1b", "resume-me");
    let before = r.instances().await.expect("list").len();

    let first = w.run_instances(&spec, false).await.expect("launch").value;
    sleep(secs(5)).await;
    let again = w.run_instances(&spec, false).await.expect("retry").value;
    assert_eq!(
        first, again,
        "a retried launch answers with the original instances"
    );
    assert_eq!(r.instances().await.expect("list").len(), before + 1);

    let mut other = spec.clone();
    other.instance_type = "m5.large".into();
    let e = w.run_instances(&other, false).await.unwrap_err();
    assert_eq!(e.code, "IdempotentParameterMismatch");
    assert_eq!(e.kind, ErrorKind::InvalidRequest);
    assert_eq!(r.instances().await.expect("list").len(), before + 1);
}

#[tokio::test(start_paused = true)]
async fn stop_then_start_moves_to_new_hardware() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let web2 = instance_id(&sim, "web-2");
    let before = instance(&r, &web2).await;
    let old_ip = before
        .public_ip
        .clone()
        .expect("web-2 has a public address");
    assert_eq!(
        before.upcoming_events().count(),
        1,
        "the system-reboot event is pending"
    );

    w.stop_instances(&one(&web2), false, false)
        .await
        .expect("stop");
    assert_eq!(instance(&r, &web2).await.state, InstanceState::Stopping);
    sleep(secs(24)).await;
    assert_eq!(instance(&r, &web2).await.state, InstanceState::Stopping);
    sleep(secs(2)).await;
    let stopped = instance(&r, &web2).await;
    assert_eq!(stopped.state, InstanceState::Stopped);
    assert_eq!(
        stopped.public_ip, None,
        "a stopped instance gives its public address back"
    );
    assert_eq!(stopped.status_checks, StatusChecks::not_applicable());

    w.start_instances(&one(&web2), false).await.expect("start");
    let starting = instance(&r, &web2).await;
    assert_eq!(starting.state, InstanceState::Pending);
    assert_eq!(
        starting.upcoming_events().count(),
        0,
        "new hardware: the host event is resolved"
    );
    assert!(starting.events.iter().all(|e| e.is_done()));
    sleep(secs(51)).await;
    let running = instance(&r, &web2).await;
    assert_eq!(running.state, InstanceState::Running);
    let new_ip = running.public_ip.expect("a new public address");
    assert_ne!(new_ip, old_ip);
}

#[tokio::test(start_paused = true)]
async fn an_elastic_ip_survives_stop_and_start() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let db1 = instance_id(&sim, "db-1");
    let eip = r
        .elastic_ips()
        .await
        .expect("eips")
        .into_iter()
        .find(|a| a.instance_id.as_deref() == Some(db1.as_str()))
        .expect("db-1 has its EIP");
    assert_eq!(
        instance(&r, &db1).await.public_ip.as_deref(),
        Some(eip.public_ip.as_str())
    );
    w.stop_instances(&one(&db1), false, false)
        .await
        .expect("stop");
    sleep(secs(30)).await;
    assert_eq!(
        instance(&r, &db1).await.public_ip.as_deref(),
        Some(eip.public_ip.as_str())
    );
    w.start_instances(&one(&db1), false).await.expect("start");
    sleep(secs(60)).await;
    let i = instance(&r, &db1).await;
    assert_eq!(i.state, InstanceState::Running);
    assert_eq!(i.public_ip.as_deref(), Some(eip.public_ip.as_str()));
}

#[tokio::test(start_paused = true)]
async fn illegal_moves_fail_with_incorrect_instance_state() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let web1 = instance_id(&sim, "web-1");
    let bad = |e: CloudError| {
        assert_eq!(e.code, "IncorrectInstanceState", "{e}");
        assert_eq!(e.kind, ErrorKind::InvalidState);
        assert!(e.request_id.is_some(), "errors carry a request id too");
    };

    // A pending instance cannot be stopped or rebooted.
    let spec = clone_spec(&sim, &instance(&r, &web1).await, "shop-public-1b", "t-x");
    let new = w.run_instances(&spec, false).await.expect("launch").value[0].clone();
    bad(w
        .stop_instances(&one(&new), false, false)
        .await
        .unwrap_err());
    bad(w.reboot_instances(&one(&new), false).await.unwrap_err());

    // A terminated one cannot come back (moto accepts this; AWS does not).
    w.terminate_instances(&one(&web1), false)
        .await
        .expect("terminate");
    bad(w.start_instances(&one(&web1), false).await.unwrap_err());
    sleep(secs(30)).await;
    assert_eq!(instance(&r, &web1).await.state, InstanceState::Terminated);
    bad(w.start_instances(&one(&web1), false).await.unwrap_err());
    bad(w.reboot_instances(&one(&web1), false).await.unwrap_err());
    bad(w
        .stop_instances(&one(&web1), false, false)
        .await
        .unwrap_err());
    w.terminate_instances(&one(&web1), false)
        .await
        .expect("terminating a terminated instance is a no-op");

    // A stopped instance cannot reboot; stopping it again is a no-op.
    let eu = sim.writer("eu-west-1");
    let batch = instance_id(&sim, "batch-1");
    bad(eu.reboot_instances(&one(&batch), false).await.unwrap_err());
    eu.stop_instances(&one(&batch), false, false)
        .await
        .expect("already stopped");

    // Unknown ids are NotFound, and nothing in the call happens.
    let e = w
        .stop_instances(
            &[instance_id(&sim, "web-2"), "i-0000000000000dead".into()],
            false,
            false,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, "InvalidInstanceID.NotFound");
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(
        instance(&r, &instance_id(&sim, "web-2")).await.state,
        InstanceState::Running
    );
}

#[tokio::test(start_paused = true)]
async fn a_terminated_instance_stays_listed_for_an_hour_and_takes_its_root_volume() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let web1 = instance_id(&sim, "web-1");
    let root = instance(&r, &web1).await.block_devices[0].volume_id.clone();
    let tg = sim.target_group_arn("web-tg").expect("web-tg");

    w.terminate_instances(&one(&web1), false)
        .await
        .expect("terminate");
    let i = instance(&r, &web1).await;
    assert_eq!(i.state, InstanceState::ShuttingDown);
    let t = r.target_health(&tg).await.expect("targets");
    let mine = t
        .iter()
        .find(|t| t.target_id == web1)
        .expect("still registered");
    assert_eq!(
        mine.state,
        TargetState::Draining,
        "ELB deregisters it by itself"
    );

    sleep(secs(21)).await;
    assert_eq!(instance(&r, &web1).await.state, InstanceState::Terminated);
    assert!(
        r.volume(&root).await.expect("volume").is_none(),
        "delete-on-termination root is gone"
    );
    sleep(secs(60)).await;
    assert!(
        r.target_health(&tg)
            .await
            .expect("targets")
            .iter()
            .all(|t| t.target_id != web1),
        "gone from the group after the 60 s deregistration delay"
    );
    sleep(secs(3400)).await;
    assert!(
        r.instance(&web1).await.expect("describe").is_some(),
        "listed within the hour"
    );
    sleep(secs(200)).await;
    assert!(
        r.instance(&web1).await.expect("describe").is_none(),
        "gone after about an hour"
    );
}

#[tokio::test(start_paused = true)]
async fn a_reboot_takes_checks_through_initializing_and_the_target_out_and_back() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let web1 = instance_id(&sim, "web-1");
    let tg = sim.target_group_arn("web-tg").expect("web-tg");
    let state = |t: Vec<TargetHealth>| {
        t.into_iter()
            .find(|t| t.target_id == web1)
            .map(|t| t.state)
            .expect("registered")
    };

    w.reboot_instances(&one(&web1), false)
        .await
        .expect("reboot");
    let i = instance(&r, &web1).await;
    assert_eq!(
        i.state,
        InstanceState::Running,
        "a reboot keeps the instance running"
    );
    assert_eq!(i.status_checks.instance, CheckStatus::Initializing);
    // web-tg checks every 10 s, unhealthy after 2 failures, healthy after 3 passes.
    sleep(secs(15)).await;
    assert_eq!(
        state(r.target_health(&tg).await.expect("th")),
        TargetState::Healthy
    );
    sleep(secs(10)).await;
    assert_eq!(
        state(r.target_health(&tg).await.expect("th")),
        TargetState::Unhealthy
    );
    sleep(secs(60)).await; // up again at 60 s, needs 30 s of passing checks
    assert_eq!(
        state(r.target_health(&tg).await.expect("th")),
        TargetState::Unhealthy
    );
    assert_eq!(
        instance(&r, &web1).await.status_checks.instance,
        CheckStatus::Initializing
    );
    sleep(secs(10)).await;
    assert_eq!(
        state(r.target_health(&tg).await.expect("th")),
        TargetState::Healthy
    );
    sleep(secs(40)).await;
    assert!(instance(&r, &web1).await.status_checks.all_ok());
}

#[tokio::test(start_paused = true)]
async fn dry_runs_change_nothing_and_a_deny_policy_answers_unauthorized() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let web1 = instance_id(&sim, "web-1");
    let e = w
        .stop_instances(&one(&web1), false, true)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::DryRunOk);
    assert_eq!(e.code, "DryRunOperation");
    let e = w.terminate_instances(&one(&web1), true).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::DryRunOk);
    sleep(secs(60)).await;
    assert_eq!(instance(&r, &web1).await.state, InstanceState::Running);

    // A dry run still validates: an illegal move is reported, not "would succeed".
    let e = w
        .start_instances(&one("i-0000000000000dead"), true)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);

    sim.deny("RebootInstances");
    let e = w.reboot_instances(&one(&web1), true).await.unwrap_err();
    assert_eq!(
        (e.kind, e.code.as_str()),
        (ErrorKind::Unauthorized, "UnauthorizedOperation")
    );
    let e = w.reboot_instances(&one(&web1), false).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized);
    sim.allow("RebootInstances");
    let e = w.reboot_instances(&one(&web1), true).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::DryRunOk);

    let calls = sim.calls();
    assert!(
        calls
            .iter()
            .any(|c| c.action == "StopInstances" && c.dry_run && c.mutating)
    );
    let ids: std::collections::BTreeSet<_> =
        calls.iter().filter_map(|c| c.request_id.clone()).collect();
    assert_eq!(ids.len(), calls.len(), "every call has its own request id");
}

#[tokio::test(start_paused = true)]
async fn user_data_and_clone_fields_are_kept() {
    let sim = sim::at_epoch("default", SEED);
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let web1 = instance(&r, &instance_id(&sim, "web-1")).await;
    let ud = r
        .instance_user_data(&web1.id)
        .await
        .expect("user data")
        .expect("web-1 has some");
    let mut spec = clone_spec(&sim, &web1, "shop-public-1b", "t-ud");
    spec.user_data = Some(ud.clone());
    let new = w.run_instances(&spec, false).await.expect("launch").value[0].clone();
    let c = instance(&r, &new).await;
    assert_eq!(c.instance_type, web1.instance_type);
    assert_eq!(c.security_group_ids, web1.security_group_ids);
    assert_eq!(c.key_name, web1.key_name);
    assert_eq!(c.iam_instance_profile_arn, web1.iam_instance_profile_arn);
    assert_eq!(c.tags.get("Name"), web1.tags.get("Name"));
    assert_eq!(r.instance_user_data(&new).await.expect("ud"), Some(ud));
    let e = r
        .instance_user_data("i-0000000000000dead")
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
}
