//! Single actions: read-only sessions, the dry run, the typed id, the right kind of row.

use super::*;

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
