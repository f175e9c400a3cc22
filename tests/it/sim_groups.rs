//! Auto Scaling groups on the simulated clock, with AWS's behaviour: desired capacity kept, a dead or
//! stopped member replaced (in a balanced AZ), Standby keeping a member out of service without a
//! replacement, suspended processes stopping the healing, lifecycle hooks holding launches in
//! Pending:Wait, and an instance refresh replacing members one at a time.

use opsdeck_core::cloud::*;
use opsdeck_core::domain::*;
use opsdeck_sim::{FleetSource, Sim, SimOptions};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::sleep;

fn epoch() -> Timestamp {
    "2030-03-04T12:00:00Z".parse().expect("epoch")
}

/// A group of `desired` over subnets in `azs` (a, b, c of us-east-1), behind an ALB in all three.
fn fleet(azs: &[&str], desired: i32, extra: &str) -> String {
    let subnets: Vec<String> = azs.iter().map(|a| format!("\"app-{a}\"")).collect();
    format!(
        r#"
name = "groups"
[[regions]]
name = "us-east-1"
zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
base_images = ["ami-0c7217cdde317cfec"]
security_groups = ["app"]
[[regions.subnets]]
name = "app-a"
az = "us-east-1a"
cidr = "10.0.1.0/24"
[[regions.subnets]]
name = "app-b"
az = "us-east-1b"
cidr = "10.0.2.0/24"
[[regions.subnets]]
name = "app-c"
az = "us-east-1c"
cidr = "10.0.3.0/24"
[[regions.target_groups]]
name = "app-tg"
port = 80
deregistration_delay = 30
health_check = {{ interval = 10, healthy_threshold = 3, unhealthy_threshold = 2 }}
[[regions.load_balancers]]
name = "app-alb"
subnets = ["app-a", "app-b", "app-c"]
listeners = [{{ port = 80, target_group = "app-tg" }}]
[[regions.auto_scaling_groups]]
name = "app"
subnets = [{}]
min = 1
max = 6
desired = {desired}
target_groups = ["app-tg"]
health_check = "ELB"
grace = 60
launched = "-1d"
{extra}
"#,
        subnets.join(", ")
    )
}

fn sim(toml: String) -> Sim {
    Sim::new(SimOptions {
        fleet: FleetSource::Toml(toml),
        seed: 3,
        speed: 1.0,
        epoch: Some(epoch()),
    })
    .expect("fleet loads")
}

async fn group(r: &Arc<dyn CloudRead>) -> AutoScalingGroup {
    r.auto_scaling_group("app")
        .await
        .expect("describe")
        .expect("the group")
}

/// Members in service and healthy in the target group.
async fn serving(r: &Arc<dyn CloudRead>, g: &AutoScalingGroup) -> Vec<String> {
    let tg = &g.target_group_arns[0];
    let healthy: Vec<String> = r
        .target_health(tg)
        .await
        .expect("health")
        .into_iter()
        .filter(|t| t.state == TargetState::Healthy)
        .map(|t| t.target_id.to_string())
        .collect();
    g.in_service()
        .map(|m| m.instance_id.to_string())
        .filter(|id| healthy.contains(id))
        .collect()
}

fn per_az(g: &AutoScalingGroup) -> Vec<(String, usize)> {
    let mut m = std::collections::BTreeMap::new();
    for x in g.in_service() {
        *m.entry(x.az.to_string()).or_insert(0usize) += 1;
    }
    m.into_iter().collect()
}

#[tokio::test(start_paused = true)]
async fn a_group_spreads_its_members_and_lists_them_with_its_settings() {
    let sim = sim(fleet(&["a", "b"], 4, "min_healthy_percent = 75"));
    let r = sim.reader("us-east-1");
    let g = group(&r).await;
    assert_eq!((g.min_size, g.desired_capacity, g.max_size), (1, 4, 6));
    assert_eq!(g.health_check_type, "ELB");
    assert_eq!(g.min_healthy_percent, Some(75));
    assert_eq!(g.members.len(), 4);
    assert_eq!(
        per_az(&g),
        vec![("us-east-1a".into(), 2), ("us-east-1b".into(), 2)]
    );
    // Every member carries the group's tag, as AWS tags what a group launches.
    let instances = r.instances().await.expect("instances");
    for m in &g.members {
        let i = instances
            .iter()
            .find(|i| i.id == m.instance_id)
            .expect("member instance listed");
        assert_eq!(i.tags.get(GROUP_TAG), Some("app"));
    }
    assert_eq!(serving(&r, &g).await.len(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_killed_member_is_replaced_in_the_emptier_az() {
    let sim = sim(fleet(&["a", "b"], 2, ""));
    let r = sim.reader("us-east-1");
    let before = group(&r).await;
    let victim = before
        .members
        .iter()
        .find(|m| m.az == "us-east-1a")
        .expect("a member in 1a")
        .instance_id
        .to_string();
    let said = sim.chaos(&format!("kill {victim}")).expect("kill");
    assert!(said.contains(&victim), "{said}");
    // Within a few minutes: detected, replaced, in service and healthy.
    sleep(Duration::from_secs(5 * 60)).await;
    let after = group(&r).await;
    assert!(after.member(&victim).is_none(), "the dead member left");
    assert_eq!(after.desired_capacity, 2, "desired unchanged");
    let live = serving(&r, &after).await;
    assert_eq!(live.len(), 2, "{after:#?}");
    assert!(!live.contains(&victim));
    assert_eq!(
        per_az(&after),
        vec![("us-east-1a".into(), 1), ("us-east-1b".into(), 1)],
        "the replacement went where the group was short"
    );
}

/// AWS treats an instance "in any state other than running" as unhealthy: stopping a member outside
/// Standby gets it terminated and replaced.
#[tokio::test(start_paused = true)]
async fn a_member_stopped_outside_standby_is_replaced() {
    let sim = sim(fleet(&["a", "b"], 2, ""));
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let g = group(&r).await;
    let m = g.members[0].instance_id.to_string();
    w.stop_instances(std::slice::from_ref(&m), false, false)
        .await
        .expect("stop");
    sleep(Duration::from_secs(5 * 60)).await;
    let after = group(&r).await;
    assert!(after.member(&m).is_none(), "{after:#?}");
    let inst = r.instance(&m).await.expect("read");
    assert!(
        inst.is_some_and(|i| matches!(
            i.state,
            InstanceState::Terminated | InstanceState::ShuttingDown
        )),
        "the group terminated the stopped member"
    );
    assert_eq!(serving(&r, &after).await.len(), 2);
}

/// Standby: out of the target group (draining), not health-checked, not replaced; the work can stop
/// it; ExitStandby puts it back, registered and healthy, desired restored.
#[tokio::test(start_paused = true)]
async fn standby_keeps_a_stopped_member_and_exit_brings_it_back() {
    let sim = sim(fleet(&["a", "b"], 3, ""));
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let g = group(&r).await;
    let m = g.members[0].instance_id.to_string();
    w.call(
        &WriteCall::EnterStandby {
            group: "app".into(),
            instance_ids: vec![m.clone()],
            decrement_desired: true,
        },
        false,
    )
    .await
    .expect("enter standby");
    let g = group(&r).await;
    assert_eq!(g.desired_capacity, 2);
    assert_eq!(
        g.member(&m).map(|x| x.lifecycle_state),
        Some(LifecycleState::Standby)
    );
    let th = r
        .target_health(&g.target_group_arns[0])
        .await
        .expect("health");
    assert_eq!(
        th.iter().find(|t| t.target_id == m).map(|t| t.state),
        Some(TargetState::Draining),
        "Standby deregisters (AWS drains it)"
    );
    w.stop_instances(std::slice::from_ref(&m), false, false)
        .await
        .expect("stop");
    sleep(Duration::from_secs(10 * 60)).await;
    let g = group(&r).await;
    assert_eq!(
        g.member(&m).map(|x| x.lifecycle_state),
        Some(LifecycleState::Standby),
        "a stopped Standby member is left alone"
    );
    assert_eq!(g.members.len(), 3, "no replacement launched");
    w.start_instances(std::slice::from_ref(&m), false)
        .await
        .expect("start");
    sleep(Duration::from_secs(2 * 60)).await;
    w.call(
        &WriteCall::ExitStandby {
            group: "app".into(),
            instance_ids: vec![m.clone()],
        },
        false,
    )
    .await
    .expect("exit standby");
    sleep(Duration::from_secs(2 * 60)).await;
    let g = group(&r).await;
    assert_eq!(g.desired_capacity, 3);
    assert_eq!(
        g.member(&m).map(|x| x.lifecycle_state),
        Some(LifecycleState::InService)
    );
    assert!(
        serving(&r, &g).await.contains(&m),
        "registered and healthy again"
    );
}

#[tokio::test(start_paused = true)]
async fn standby_without_decrement_launches_a_stand_in() {
    let sim = sim(fleet(&["a", "b"], 2, ""));
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let g = group(&r).await;
    let m = g.members[0].instance_id.to_string();
    w.call(
        &WriteCall::EnterStandby {
            group: "app".into(),
            instance_ids: vec![m.clone()],
            decrement_desired: false,
        },
        false,
    )
    .await
    .expect("enter standby");
    sleep(Duration::from_secs(5 * 60)).await;
    let g = group(&r).await;
    assert_eq!(g.desired_capacity, 2);
    let live = serving(&r, &g).await;
    assert_eq!(live.len(), 2, "a stand-in serves beside the other member");
    assert!(!live.contains(&m));
}

#[tokio::test(start_paused = true)]
async fn suspended_replace_unhealthy_leaves_a_crashed_member_until_resumed() {
    let sim = sim(fleet(&["a", "b"], 2, "suspended = [\"ReplaceUnhealthy\"]"));
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let g = group(&r).await;
    let m = g.members[0].instance_id.to_string();
    sim.chaos(&format!("crash {m}")).expect("crash");
    sleep(Duration::from_secs(5 * 60)).await;
    let g = group(&r).await;
    let member = g.member(&m).expect("still a member");
    assert!(!member.healthy, "judged unhealthy");
    assert_eq!(
        member.lifecycle_state,
        LifecycleState::InService,
        "not replaced"
    );
    w.call(
        &WriteCall::ResumeProcesses {
            group: "app".into(),
            processes: vec!["ReplaceUnhealthy".into()],
        },
        false,
    )
    .await
    .expect("resume");
    sleep(Duration::from_secs(5 * 60)).await;
    let g = group(&r).await;
    assert!(g.member(&m).is_none(), "replaced once resumed");
    assert_eq!(serving(&r, &g).await.len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_launch_hook_holds_new_members_in_pending_wait() {
    let hook = r#"
[[regions.auto_scaling_groups.hooks]]
name = "warm-cache"
transition = "launching"
heartbeat = 300
"#;
    let sim = sim(fleet(&["a", "b"], 2, hook));
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    w.call(
        &WriteCall::UpdateAutoScalingGroup {
            group: "app".into(),
            min_size: None,
            max_size: None,
            desired_capacity: Some(3),
            subnet_ids: None,
        },
        false,
    )
    .await
    .expect("scale out");
    sleep(Duration::from_secs(2 * 60)).await;
    let g = group(&r).await;
    assert_eq!(g.lifecycle_hooks.len(), 1);
    let waiting: Vec<_> = g
        .members
        .iter()
        .filter(|m| m.lifecycle_state == LifecycleState::PendingWait)
        .collect();
    assert_eq!(waiting.len(), 1, "{g:#?}");
    assert!(g.busy().is_some_and(|b| b.contains("lifecycle hook")));
    sleep(Duration::from_secs(6 * 60)).await;
    let g = group(&r).await;
    assert_eq!(g.in_service().count(), 3, "the heartbeat ran out: CONTINUE");
    assert!(g.busy().is_none());
}

#[tokio::test(start_paused = true)]
async fn an_instance_refresh_replaces_every_member_and_ends() {
    let sim = sim(fleet(&["a", "b"], 2, ""));
    let r = sim.reader("us-east-1");
    let before: Vec<String> = group(&r)
        .await
        .members
        .iter()
        .map(|m| m.instance_id.to_string())
        .collect();
    sim.chaos("refresh app").expect("refresh");
    sleep(Duration::from_secs(30)).await;
    let g = group(&r).await;
    assert!(
        g.busy().is_some_and(|b| b.contains("instance refresh")),
        "{g:#?}"
    );
    sleep(Duration::from_secs(40 * 60)).await;
    let g = group(&r).await;
    assert_eq!(
        g.instance_refresh.as_ref().map(|x| x.status.as_str()),
        Some("Successful")
    );
    assert!(
        g.members
            .iter()
            .all(|m| !before.contains(&m.instance_id.to_string())),
        "{g:#?}"
    );
    assert_eq!(serving(&r, &g).await.len(), 2);
}

/// A group whose subnets are widened to a second AZ launches there and rebalances.
#[tokio::test(start_paused = true)]
async fn widening_the_subnets_balances_the_group() {
    let sim = sim(fleet(&["a"], 2, ""));
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let g = group(&r).await;
    assert_eq!(per_az(&g), vec![("us-east-1a".into(), 2)]);
    let b = sim.subnet_id("app-b").expect("subnet app-b");
    w.call(
        &WriteCall::UpdateAutoScalingGroup {
            group: "app".into(),
            min_size: Some(2),
            max_size: None,
            desired_capacity: Some(3),
            subnet_ids: Some(
                g.subnet_ids
                    .iter()
                    .map(|s| s.to_string())
                    .chain(std::iter::once(b))
                    .collect(),
            ),
        },
        false,
    )
    .await
    .expect("widen");
    sleep(Duration::from_secs(10 * 60)).await;
    let g = group(&r).await;
    assert_eq!(
        per_az(&g),
        vec![("us-east-1a".into(), 2), ("us-east-1b".into(), 1)]
    );
    assert_eq!(serving(&r, &g).await.len(), 3);
}

#[tokio::test(start_paused = true)]
async fn group_calls_are_checked_as_aws_checks_them() {
    let sim = sim(fleet(&["a", "b"], 2, ""));
    let (r, w) = (sim.reader("us-east-1"), sim.writer("us-east-1"));
    let g = group(&r).await;
    let m = g.members[0].instance_id.to_string();
    // min 1: decrementing 2 → 1 is allowed; a dry run only reads.
    let dry = w
        .call(
            &WriteCall::EnterStandby {
                group: "app".into(),
                instance_ids: vec![m.clone()],
                decrement_desired: true,
            },
            true,
        )
        .await;
    assert_eq!(dry.err().map(|e| e.kind), Some(ErrorKind::DryRunOk));
    assert_eq!(
        group(&r).await.desired_capacity,
        2,
        "the dry run changed nothing"
    );
    let unknown = w
        .call(
            &WriteCall::ExitStandby {
                group: "nope".into(),
                instance_ids: vec![m.clone()],
            },
            false,
        )
        .await
        .expect_err("no such group");
    assert_eq!(unknown.code, "ValidationError");
    let not_standby = w
        .call(
            &WriteCall::ExitStandby {
                group: "app".into(),
                instance_ids: vec![m.clone()],
            },
            false,
        )
        .await
        .expect_err("not in standby");
    assert_eq!(not_standby.code, "ValidationError");
    let bad = w
        .call(
            &WriteCall::UpdateAutoScalingGroup {
                group: "app".into(),
                min_size: None,
                max_size: None,
                desired_capacity: Some(9),
                subnet_ids: None,
            },
            false,
        )
        .await
        .expect_err("desired over max");
    assert!(bad.message.contains("max size"), "{bad}");
}
