//! The `:` command line: views, completion, `:region`, `:profile`, copy and export.

use super::*;

#[test]
fn commands_switch_views_and_quit() {
    let mut s = loaded(4, &["us-east-1"], false);
    for (cmd, kind) in [
        ("vol", ResourceKind::Volumes),
        ("snap", ResourceKind::Snapshots),
        ("amis", ResourceKind::Images),
        ("tg", ResourceKind::TargetGroups),
        ("targets", ResourceKind::Targets),
        ("eip", ResourceKind::ElasticIps),
        ("eni", ResourceKind::NetworkInterfaces),
        ("ev", ResourceKind::Events),
        ("alarms", ResourceKind::Alarms),
        ("ec2", ResourceKind::Instances),
    ] {
        command(&mut s, cmd);
        assert_eq!(s.top_table_key().map(|k| k.kind), Some(kind), "{cmd}");
        assert_eq!(s.nav.stack.len(), 1);
    }
    command(&mut s, "az");
    assert!(matches!(s.nav.top(), Screen::AzMap(m) if m.columns.len() == 3));
    command(&mut s, "bogus");
    assert!(s.status.as_ref().unwrap().text.contains("unknown command"));
    let fx = command(&mut s, "q");
    assert_eq!(fx, vec![Effect::Quit]);
    assert!(s.quit);
}

#[test]
fn tab_completes_commands() {
    let mut s = loaded(1, &["us-east-1"], false);
    keys(&mut s, ":ins");
    key(&mut s, KeyCode::Tab);
    assert_eq!(s.input.text, "instances");
    keys(&mut s, "");
    key(&mut s, KeyCode::Esc);
    keys(&mut s, ":s");
    key(&mut s, KeyCode::Tab);
    let first = s.input.text.clone();
    key(&mut s, KeyCode::Tab);
    assert_ne!(s.input.text, first, "tab again cycles");
}

#[test]
fn copy_and_export() {
    let mut s = loaded(6, &["us-east-1"], false);
    let id = s.data.inv.instances[0].id.to_string();
    assert_eq!(keys(&mut s, "c"), vec![Effect::Copy { text: id }]);
    keys(&mut s, "/web");
    key(&mut s, KeyCode::Enter);
    let fx = keys(&mut s, "E");
    let Some(Effect::Export {
        path,
        data,
        request,
    }) = fx.first()
    else {
        panic!("{fx:?}");
    };
    assert_eq!(request.rows.len(), 2);
    assert!(path.to_string_lossy().ends_with(".csv"));
    // The text is made by the export task, from the request.
    let contents = request.contents(data).expect("csv");
    let mut lines = contents.lines();
    assert!(lines.next().unwrap().starts_with("ID,NAME,STATE"));
    assert_eq!(lines.count(), 2);
    let fx = keys(&mut s, "J");
    let Some(Effect::Export { data, request, .. }) = fx.first() else {
        panic!();
    };
    let contents = request.contents(data).expect("json");
    let v: serde_json::Value = serde_json::from_str(&contents).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
}

#[test]
fn region_command_switches_or_adds() {
    let mut s = loaded(6, &["us-east-1", "eu-west-1"], false);
    let fx = command(&mut s, "region eu-west-1");
    assert!(fx.is_empty());
    assert_eq!(top_view(&s).len(), 3);
    assert!(!s.multi_region(), "one region shown: no region column");
    command(&mut s, "region all");
    assert_eq!(top_view(&s).len(), 6);
    let fx = command(&mut s, "region ap-south-1");
    match fx.as_slice() {
        [Effect::Connect { regions, .. }] => {
            assert_eq!(regions, &["us-east-1", "eu-west-1", "ap-south-1"])
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn profile_switch_reconnects_and_takes_the_new_sessions_settings() {
    let mut s = loaded(6, &["us-east-1"], false);
    assert_eq!(s.data.inv.instances.len(), 6);
    // A refresh of the old session is still in flight when the operator switches.
    let old_fetch = generation_of(&update(&mut s, Input::Key(Key::ctrl('r'))));

    let fx = command(&mut s, "profile prod");
    let connect_gen = match fx.as_slice() {
        [
            Effect::Connect {
                generation,
                profile,
                ..
            },
        ] => {
            assert_eq!(
                profile.as_deref(),
                Some("prod"),
                "the connect carries the profile"
            );
            *generation
        }
        other => panic!("a connect expected: {other:?}"),
    };
    assert_eq!(s.session.profile.as_deref(), Some("prod"));
    assert_eq!(status_text(&s), "switching to profile prod…");
    // Until it answers, no action: the old session (read-write here) is the one being left.
    let fx = update(&mut s, Input::Key(Key::ch('O')));
    assert!(fx.is_empty() && s.dialog.is_none(), "{fx:?}");
    assert_eq!(
        status_text(&s),
        "switching session: actions wait until it has connected"
    );

    // The new session answers: read-only, with a red frame.
    let fx = update(
        &mut s,
        Input::Msg(Msg::Connected {
            generation: connect_gen,
            result: Ok(SessionInfo {
                label: "prod account".into(),
                profile: Some("prod".into()),
                regions: vec!["us-east-1".into()],
                read_only: true,
                color: Some("red".into()),
                simulated: false,
            }),
        }),
    );
    let new_fetch = fx
        .iter()
        .find_map(|e| match e {
            Effect::Fetch { generation, .. } => Some(*generation),
            _ => None,
        })
        .expect("the new session fetches its own inventory");
    assert_ne!(new_fetch, old_fetch);
    // Nothing of the old account is left to show under the new one's name.
    assert!(!s.data.loaded());
    assert!(s.data.inv.instances.is_empty());
    assert_eq!(top_view(&s).len(), 0);

    // The old session's refresh answers late: dropped.
    update(
        &mut s,
        Input::Msg(Msg::Inventory {
            generation: old_fetch,
            inv: Box::new(sample::inventory(6, &["us-east-1"], t0())),
            index: None,
            model: None,
        }),
    );
    assert!(!s.data.loaded(), "the old account's inventory was taken");
    assert_eq!(top_view(&s).len(), 0);

    // The new session's own inventory is shown.
    update(
        &mut s,
        Input::Msg(Msg::Inventory {
            generation: new_fetch,
            inv: Box::new(sample::inventory(3, &["us-east-1"], t0())),
            index: None,
            model: None,
        }),
    );
    assert!(s.data.loaded());
    assert_eq!(top_view(&s).len(), 3);

    // Its settings apply: a mutating key is refused, no dialog opens, nothing is sent.
    let fx = keys(&mut s, "O");
    assert!(fx.is_empty(), "{fx:?}");
    assert!(s.dialog.is_none());
    assert_eq!(status_text(&s), "read-only session: stop is not available");
    // The frame is painted from the session info (render::draw reads `info.color`).
    let info = s.session.info.as_ref().expect("connected");
    assert!(info.read_only);
    assert_eq!(info.color.as_deref(), Some("red"));
    assert_eq!(info.label, "prod account");
}
