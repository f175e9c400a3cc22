//! Auto Scaling groups through the ports, the same on both adapters: a group of two in zone a (the
//! sim: the `seed` fleet plus the group and its load balancer; moto: `seed_fleet.py --group api:a:2`). Moto launches every
//! group instance into the group's first subnet and keeps a Standby instance registered; the moto
//! front models AWS for both (launches balanced over the group's AZs, Standby deregistered), so the
//! assertions below are AWS's, on both.

use super::kit::*;
use opsdeck_core::cloud::*;
use opsdeck_core::domain::*;
use std::time::Duration;

/// The group as the seed fleet's extra group is written for the simulator.
pub const SIM_GROUP: &str = r#"
[[regions.target_groups]]
name = "api-tg"
port = 8081
deregistration_delay = 2
health_check = { path = "/health", interval = 15, healthy_threshold = 3, unhealthy_threshold = 2 }

[[regions.load_balancers]]
name = "api-alb"
subnets = ["seed-1a", "seed-1b"]
listeners = [{ port = 80, target_group = "api-tg" }]

[[regions.auto_scaling_groups]]
name = "api"
subnets = ["seed-1a"]
min = 2
max = 4
desired = 2
target_groups = ["api-tg"]
health_check = "ELB"
grace = 60
launched = "-1d"
tags = { fleet = "seed", role = "api" }
"#;

async fn group(c: &Cloud) -> AutoScalingGroup {
    c.read
        .auto_scaling_group("api")
        .await
        .expect("DescribeAutoScalingGroups")
        .expect("the group")
}

async fn registered(c: &Cloud, g: &AutoScalingGroup, id: &str) -> Option<TargetState> {
    c.read
        .target_health(&g.target_group_arns[0])
        .await
        .expect("health")
        .into_iter()
        .find(|t| t.target_id == id)
        .map(|t| t.state)
}

pub async fn groups_are_listed_with_their_members(c: &Cloud) {
    let inv = c.inventory().await;
    assert!(
        inv.regions.iter().all(|r| r.error.is_none()),
        "{:?}",
        inv.regions
    );
    let g = inv.auto_scaling_group("api").expect("the group is listed");
    assert_eq!((g.min_size, g.desired_capacity), (2, 2));
    assert_eq!(g.subnet_ids.len(), 1);
    assert_eq!(inv.group_azs(g), vec!["us-east-1a"]);
    assert_eq!(g.members.len(), 2);
    assert_eq!(g.target_group_arns.len(), 1);
    assert_eq!(g.health_check_type, "ELB");
    assert!(g.instance_refresh.is_none(), "no refresh was ever started");
    for m in &g.members {
        let i = inv
            .instance(&m.instance_id)
            .expect("member listed as an instance");
        assert_eq!(i.az, "us-east-1a");
        assert_eq!(i.tags.get(GROUP_TAG), Some("api"));
        assert_eq!(
            inv.group_of_instance(&m.instance_id)
                .map(|g| g.name.as_str()),
            Some("api")
        );
    }
}

pub async fn standby_leaves_and_rejoins_the_target_group(c: &Cloud) {
    let g = group(c).await;
    let m = g.members[0].instance_id.to_string();
    c.wait("member healthy", Duration::from_secs(300), || async {
        registered(c, &g, &m).await == Some(TargetState::Healthy)
    })
    .await;
    // A dry run reads; Auto Scaling has no DryRun.
    let enter = WriteCall::EnterStandby {
        group: "api".into(),
        instance_ids: vec![m.clone()],
        decrement_desired: false,
    };
    let dry = c.write.call(&enter, true).await;
    assert_eq!(dry.err().map(|e| e.kind), Some(ErrorKind::DryRunOk));
    // min 2 = desired 2: decrementing is refused, as AWS refuses it.
    let refused = c
        .write
        .call(
            &WriteCall::EnterStandby {
                group: "api".into(),
                instance_ids: vec![m.clone()],
                decrement_desired: true,
            },
            false,
        )
        .await
        .expect_err("below min");
    assert_eq!(refused.code, "ValidationError", "{refused}");
    let done = c.write.call(&enter, false).await.expect("EnterStandby");
    assert!(done.request_id.is_some());
    let g = group(c).await;
    assert_eq!(
        g.member(&m).map(|x| x.lifecycle_state),
        Some(LifecycleState::Standby)
    );
    c.wait("deregistered", Duration::from_secs(60), || async {
        !matches!(
            registered(c, &g, &m).await,
            Some(TargetState::Healthy | TargetState::Initial)
        )
    })
    .await;
    // Without decrementing, the group launches a stand-in: back to two in service.
    c.wait(
        "a stand-in in service",
        Duration::from_secs(600),
        || async { group(c).await.in_service().count() == 2 },
    )
    .await;
    c.write
        .call(
            &WriteCall::ExitStandby {
                group: "api".into(),
                instance_ids: vec![m.clone()],
            },
            false,
        )
        .await
        .expect("ExitStandby");
    c.wait(
        "back in service and healthy",
        Duration::from_secs(600),
        || async {
            let g = group(c).await;
            g.member(&m).map(|x| x.lifecycle_state) == Some(LifecycleState::InService)
                && registered(c, &g, &m).await == Some(TargetState::Healthy)
        },
    )
    .await;
    assert_eq!(group(c).await.desired_capacity, 3, "ExitStandby adds one");
    let again = c
        .write
        .call(
            &WriteCall::ExitStandby {
                group: "api".into(),
                instance_ids: vec![m.clone()],
            },
            false,
        )
        .await
        .expect_err("not in Standby");
    assert_eq!(again.code, "ValidationError");
}

pub async fn widening_launches_in_the_new_zone(c: &Cloud) {
    let inv = c.inventory().await;
    let b = inv
        .subnets
        .iter()
        .find(|s| s.az == "us-east-1b" && s.tags.get("fleet") == Some("seed"))
        .expect("subnet in b")
        .id
        .to_string();
    let g = group(c).await;
    let subnets: Vec<String> = g
        .subnet_ids
        .iter()
        .map(|s| s.to_string())
        .chain(std::iter::once(b))
        .collect();
    c.write
        .call(
            &WriteCall::UpdateAutoScalingGroup {
                group: "api".into(),
                min_size: Some(2),
                max_size: Some(4),
                desired_capacity: Some(3),
                subnet_ids: Some(subnets),
            },
            false,
        )
        .await
        .expect("UpdateAutoScalingGroup");
    c.wait(
        "a member in us-east-1b",
        Duration::from_secs(600),
        || async { group(c).await.in_service().any(|m| m.az == "us-east-1b") },
    )
    .await;
    let g = group(c).await;
    assert_eq!(g.desired_capacity, 3);
    assert_eq!(g.subnet_ids.len(), 2);
    let unknown = c
        .write
        .call(
            &WriteCall::UpdateAutoScalingGroup {
                group: "nope".into(),
                min_size: None,
                max_size: None,
                desired_capacity: Some(1),
                subnet_ids: None,
            },
            true,
        )
        .await
        .expect_err("no such group");
    assert_ne!(unknown.kind, ErrorKind::DryRunOk, "{unknown}");
}
