use super::*;
use opsdeck_core::domain::fixture::FleetBuilder;

fn now() -> Timestamp {
    chrono::Utc::now()
}

fn three_in_two_azs() -> (Inventory, Vec<String>) {
    let mut f = FleetBuilder::new("r", now());
    let (a, b) = (f.az("a"), f.az("b"));
    let tg = f.target_group("web", None);
    let ids: Vec<String> = [("w1", &a), ("w2", &a), ("w3", &b)]
        .iter()
        .map(|(n, az)| f.instance(n, az, Some("web")))
        .collect();
    for i in &ids {
        f.register(&tg, i, TargetState::Healthy);
    }
    f.event(&ids[0], EventCode::SystemReboot, 48);
    f.event(&ids[2], EventCode::InstanceReboot, 72);
    (f.build(), ids)
}

/// As AWSEC2-PatchLoadBalancerInstance does: a target that is not healthy now is refused,
/// named with its group and state, rather than taken out and waited for in vain.
#[test]
fn only_a_healthy_target_is_maintained() {
    let (mut inv, ids) = three_in_two_azs();
    for t in inv
        .target_health
        .iter_mut()
        .filter(|t| t.target_id == ids[2])
    {
        t.state = TargetState::Unhealthy;
        t.reason = Some("Target.FailedHealthChecks".into());
    }
    let e = plan(
        &inv,
        "r",
        &RollingArgs::default(),
        &GroupDetails::new(),
        now(),
    )
    .unwrap_err();
    assert!(
        e.contains(&format!(
            "{} is not healthy in web (unhealthy: Target.FailedHealthChecks)",
            ids[2]
        )),
        "{e}"
    );
    let only_w1 = RollingArgs {
        instances: vec![ids[0].clone()],
        ..RollingArgs::default()
    };
    assert!(plan(&inv, "r", &only_w1, &GroupDetails::new(), now()).is_ok());
}

#[test]
fn events_choose_the_instances_and_the_kind_of_restart() {
    let (inv, ids) = three_in_two_azs();
    let p = plan(
        &inv,
        "r",
        &RollingArgs::default(),
        &GroupDetails::new(),
        now(),
    )
    .unwrap();
    let kinds: Vec<&str> = p.steps.iter().map(|s| s.action_name()).collect();
    assert_eq!(
        kinds,
        vec![
            "capacity_guard",
            "deregister_target",
            "stop_instance",
            "start_instance",
            "register_target",
            "capacity_guard",
            "deregister_target",
            "reboot_instance",
            "register_target"
        ]
    );
    assert_eq!(p.steps[0].resources, vec![ids[0].clone()]);
    assert_eq!(p.steps[5].resources, vec![ids[2].clone()]);
    assert_eq!(
        p.steps[1].expected_secs, 300,
        "the group's deregistration delay"
    );
}

#[test]
fn the_guard_refuses_a_one_instance_group() {
    let mut f = FleetBuilder::new("r", now());
    let a = f.az("a");
    let tg = f.target_group("solo", None);
    let i = f.instance("only", &a, None);
    f.register(&tg, &i, TargetState::Healthy);
    let err = plan(
        &f.build(),
        "r",
        &RollingArgs {
            instances: vec![i],
            ..Default::default()
        },
        &GroupDetails::new(),
        now(),
    )
    .unwrap_err();
    assert!(
        err.contains("capacity guard refuses") && err.contains("solo"),
        "{err}"
    );
}

#[test]
fn bad_arguments_are_refused_with_a_reason() {
    let (inv, _) = three_in_two_azs();
    let e = plan(
        &inv,
        "r",
        &RollingArgs {
            instances: vec!["i-nope".into()],
            ..Default::default()
        },
        &GroupDetails::new(),
        now(),
    )
    .unwrap_err();
    assert_eq!(e, "unknown instance i-nope");
    let e = plan(
        &inv,
        "r",
        &RollingArgs {
            target_group: Some("nope".into()),
            ..Default::default()
        },
        &GroupDetails::new(),
        now(),
    )
    .unwrap_err();
    assert_eq!(e, "unknown target group nope");
}

#[test]
fn rescheduling_respects_deadlines_and_the_hour_ahead_rule() {
    let (inv, ids) = three_in_two_azs();
    let one = RollingArgs {
        instances: vec![ids[0].clone()],
        ..Default::default()
    };
    let ok = plan(
        &inv,
        "r",
        &RollingArgs {
            reschedule_to: Some(now() + chrono::Duration::days(3)),
            ..one.clone()
        },
        &GroupDetails::new(),
        now(),
    )
    .unwrap();
    assert_eq!(ok.steps.len(), 1);
    let late = plan(
        &inv,
        "r",
        &RollingArgs {
            reschedule_to: Some(now() + chrono::Duration::days(30)),
            ..one.clone()
        },
        &GroupDetails::new(),
        now(),
    );
    assert!(late.unwrap_err().contains("deadline"));
    let soon = plan(
        &inv,
        "r",
        &RollingArgs {
            reschedule_to: Some(now() + chrono::Duration::minutes(10)),
            ..one
        },
        &GroupDetails::new(),
        now(),
    );
    assert!(soon.unwrap_err().contains("60 minutes"));
}
