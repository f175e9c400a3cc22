//! Single actions: read-only sessions, the dry run, the typed id, the right kind of row.

use super::*;
use opsdeck_core::domain::TargetState;

#[test]
fn read_only_session_refuses_mutations_without_effects() {
    let mut s = loaded(4, &["us-east-1"], true);
    for k in ["U", "O", "B", "I"] {
        let fx = keys(&mut s, k);
        assert!(fx.is_empty(), "{k}: {fx:?}");
        assert!(s.dialog.is_none());
        assert!(s.status.as_ref().unwrap().text.contains("read-only"), "{k}");
    }
}

#[test]
fn stop_needs_dry_run_and_the_typed_id() {
    let mut s = loaded(4, &["us-east-1"], false);
    let id = s.data.inv.instances[0].id.clone();
    let fx = keys(&mut s, "O");
    let Some(Effect::DryRun {
        generation,
        op,
        pools,
    }) = fx.first().cloned()
    else {
        panic!("dry run expected: {fx:?}");
    };
    assert!(op.destructive());
    assert_eq!(op.subject(), id);
    // A stop takes from the instance itself and every target group it serves.
    let region = op.region().to_string();
    assert!(pools.contains(&opsdeck_core::cloud::LeaseKey::resource(&region, &id)));
    for tg in s.data.inv.target_groups_of_instance(&id) {
        assert!(
            pools.contains(&opsdeck_core::cloud::LeaseKey::target_group(&tg.arn)),
            "{pools:?}"
        );
    }
    // Enter before the dry run answers does nothing.
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    update(
        &mut s,
        Input::Msg(Msg::DryRun {
            generation,
            result: Ok(()),
        }),
    );
    assert_eq!(s.dialog.as_ref().unwrap().phase, ConfirmPhase::Ready);
    // Not typed yet: enter does nothing. Wrong id: nothing. Right id: the real call.
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    keys(&mut s, "i-wrong");
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    update(&mut s, Input::Key(Key::ctrl('u')));
    keys(&mut s, &id);
    let fx = key(&mut s, KeyCode::Enter);
    let Some(Effect::Write {
        generation,
        op: wop,
        pools: wpools,
    }) = fx.first().cloned()
    else {
        panic!("write expected: {fx:?}");
    };
    assert_eq!(wop, op);
    assert_eq!(wpools, pools, "checked again at the call");
    let fx = update(
        &mut s,
        Input::Msg(Msg::Written {
            generation,
            result: Ok(" (request r-1)".into()),
        }),
    );
    assert!(s.dialog.is_none());
    assert!(s.status.as_ref().unwrap().text.contains("stop requested"));
    assert!(
        matches!(fx.as_slice(), [Effect::Fetch { .. }]),
        "refresh after a write"
    );
}

#[test]
fn refused_dry_run_never_runs() {
    let mut s = loaded(4, &["us-east-1"], false);
    let fx = keys(&mut s, "B");
    let Some(Effect::DryRun { generation, .. }) = fx.first().cloned() else {
        panic!();
    };
    update(
        &mut s,
        Input::Msg(Msg::DryRun {
            generation,
            result: Err("not permitted [UnauthorizedOperation]".into()),
        }),
    );
    assert!(matches!(
        s.dialog.as_ref().unwrap().phase,
        ConfirmPhase::Refused(_)
    ));
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    key(&mut s, KeyCode::Esc);
    assert!(s.dialog.is_none());
}

#[test]
fn actions_need_the_right_kind() {
    let mut s = loaded(4, &["us-east-1"], false);
    assert!(keys(&mut s, "N").is_empty(), "snapshot needs a volume");
    assert!(s.status.as_ref().unwrap().text.contains("volumes"));
    command(&mut s, "vol");
    let fx = keys(&mut s, "N");
    assert!(matches!(
        fx.as_slice(),
        [Effect::DryRun {
            op: WriteOp::CreateSnapshot { .. },
            ..
        }]
    ));
    key(&mut s, KeyCode::Esc);
    command(&mut s, "targets");
    let fx = keys(&mut s, "X");
    assert!(matches!(
        fx.as_slice(),
        [Effect::DryRun {
            op: WriteOp::Deregister { .. },
            ..
        }]
    ));
}

/// The runbooks' capacity guard, asked by single actions: a stop or a reboot that would take a
/// target group's last healthy target (or an AZ's) says so in red and needs the typed id even for
/// a reboot; a deregistration is judged on its own group; a harmless reboot needs neither.
#[test]
fn single_actions_ask_the_capacity_guard() {
    // 16: two web servers in us-east-1a (the sample spreads by index over three AZs).
    let mut s = loaded(16, &["us-east-1"], false);
    // An instance whose groups each have another healthy target in its AZ, selected.
    let inv = &s.data.inv;
    let want = (0..inv.instances.len())
        .find(|&n| {
            let i = &inv.instances[n];
            let op = WriteOp::Reboot {
                region: i.region.to_string(),
                instance_id: i.id.to_string(),
            };
            let mut regs = inv.registrations_of_instance(&i.id).peekable();
            regs.peek().is_some()
                && regs.all(|t| t.state == TargetState::Healthy)
                && crate::update::writes::capacity_guard(inv, &op).is_empty()
        })
        .expect("the sample has a covered instance");
    let id = inv.instances[want].id.clone();
    for _ in 0..inv.instances.len() {
        if top_view(&s).selected_row() == Some(want) {
            break;
        }
        keys(&mut s, "j");
    }
    assert_eq!(top_view(&s).selected_row(), Some(want));
    let groups: Vec<String> = s
        .data
        .inv
        .target_groups_of_instance(&id)
        .iter()
        .map(|g| g.arn.to_string())
        .collect();
    assert!(
        !groups.is_empty(),
        "the sample's first instance serves a group"
    );
    // A harmless reboot first: y is enough, no guard line.
    keys(&mut s, "B");
    let d = s.dialog.as_ref().unwrap();
    let harmless = d.guard.is_empty();
    assert!(harmless && !d.needs_typed(), "{:?}", d.guard);
    key(&mut s, KeyCode::Esc);
    // Every other target of its groups falls unhealthy (as after `:chaos crash`).
    let inv = std::sync::Arc::make_mut(&mut s.data.inv);
    for t in inv.target_health.iter_mut() {
        if t.target_id != id && groups.iter().any(|g| g == t.target_group_arn.as_str()) {
            t.state = TargetState::Unhealthy;
        }
    }
    for k in ["B", "O"] {
        let fx = keys(&mut s, k);
        let Some(Effect::DryRun { generation: g, .. }) = fx.first().cloned() else {
            panic!("{k}: dry run expected: {fx:?}");
        };
        let d = s.dialog.as_ref().unwrap();
        assert!(
            d.guard.iter().any(|l| l.contains("no healthy target")),
            "{k}: {:?}",
            d.guard
        );
        assert!(d.needs_typed(), "{k}: the guard asks for the typed id");
        update(
            &mut s,
            Input::Msg(Msg::DryRun {
                generation: g,
                result: Ok(()),
            }),
        );
        assert!(keys(&mut s, "y").is_empty(), "{k}: y is typed, not a yes");
        assert!(key(&mut s, KeyCode::Enter).is_empty(), "{k}: not typed yet");
        update(&mut s, Input::Key(Key::ctrl('u')));
        keys(&mut s, &id);
        let fx = key(&mut s, KeyCode::Enter);
        assert!(
            matches!(fx.as_slice(), [Effect::Write { .. }]),
            "{k}: typed, it runs: {fx:?}"
        );
        s.dialog = None;
    }
}

/// A deregistration from one group is judged on that group only.
#[test]
fn a_deregistration_is_guarded_on_its_own_group() {
    let mut s = loaded(4, &["us-east-1"], false);
    command(&mut s, "targets");
    let row = top_view(&s).selected_row().unwrap();
    let t = s.data.inv.target_health[row].clone();
    let inv = std::sync::Arc::make_mut(&mut s.data.inv);
    for o in inv.target_health.iter_mut() {
        if o.target_group_arn == t.target_group_arn && o.target_id != t.target_id {
            o.state = TargetState::Unhealthy;
        }
    }
    let t_healthy = t.state == TargetState::Healthy;
    keys(&mut s, "X");
    let d = s.dialog.as_ref().unwrap();
    assert_eq!(
        !d.guard.is_empty(),
        t_healthy,
        "the group's last healthy target: {:?}",
        d.guard
    );
}
