//! Connecting, refreshing, backing off, failed regions, and tables rebuilt for new data.

use super::*;

#[test]
fn startup_connects_then_fetches_and_drops_stale_answers() {
    let mut s = AppState::new(
        Prefs::default(),
        Some("prod".into()),
        vec!["eu-west-1".into()],
        t0(),
    );
    let fx = startup(&mut s);
    assert_eq!(
        fx,
        vec![Effect::Connect {
            generation: 1,
            profile: Some("prod".into()),
            regions: vec!["eu-west-1".into()]
        }]
    );
    // An answer to an older connect request is ignored.
    let fx = update(
        &mut s,
        Input::Msg(Msg::Connected {
            generation: 0,
            result: Ok(info(&["x"], false)),
        }),
    );
    assert!(fx.is_empty());
    assert!(s.session.info.is_none());
    let fx = update(
        &mut s,
        Input::Msg(Msg::Connected {
            generation: 1,
            result: Ok(info(&["eu-west-1"], false)),
        }),
    );
    let g = generation_of(&fx);
    assert!(s.data.fetching);
    // A stale inventory is dropped, the current one taken.
    update(
        &mut s,
        Input::Msg(Msg::Inventory {
            generation: g - 1,
            inv: Box::new(sample::inventory(3, &["eu-west-1"], t0())),
            index: None,
            model: None,
        }),
    );
    assert!(!s.data.loaded());
    update(
        &mut s,
        Input::Msg(Msg::Inventory {
            generation: g,
            inv: Box::new(sample::inventory(8, &["eu-west-1"], t0())),
            index: None,
            model: None,
        }),
    );
    assert!(s.data.loaded());
    assert!(!s.data.fetching);
    assert_eq!(top_view(&s).len(), 8);
}

#[test]
fn connect_failure_shows_and_retries_with_backoff() {
    let mut s = AppState::new(Prefs::default(), None, vec![], t0());
    let g = generation_of(&startup(&mut s));
    update(
        &mut s,
        Input::Msg(Msg::Connected {
            generation: g,
            result: Err("no AWS region configured".into()),
        }),
    );
    assert_eq!(s.session.error.as_deref(), Some("no AWS region configured"));
    let due = s.data.next_refresh.expect("a retry is scheduled");
    assert_eq!((due - t0()).num_seconds(), 5);
    let fx = update(&mut s, Input::tick(due));
    assert!(matches!(fx.as_slice(), [Effect::Connect { .. }]), "{fx:?}");
}

#[test]
fn failed_region_keeps_its_last_data_and_backs_off() {
    let mut s = loaded(10, &["us-east-1", "eu-west-1"], false);
    assert_eq!(s.data.inv.instances.len(), 10);
    assert!(s.multi_region());
    let later = t0() + chrono::Duration::seconds(30);
    let fx = update(&mut s, Input::tick(later));
    let g = generation_of(&fx);
    // eu-west-1 fails completely this time.
    let mut inv = sample::inventory(10, &["us-east-1"], later);
    inv.regions.push(opsdeck_core::domain::RegionStatus {
        region: "eu-west-1".into(),
        fetched_at: Some(later),
        error: Some("credentials missing, invalid or expired [ExpiredToken]".into()),
        unread: Vec::new(),
    });
    update(
        &mut s,
        Input::Msg(Msg::Inventory {
            generation: g,
            inv: Box::new(inv),
            index: None,
            model: None,
        }),
    );
    let eu = s
        .data
        .inv
        .instances
        .iter()
        .filter(|i| i.region == "eu-west-1")
        .count();
    assert_eq!(eu, 5, "the failed region's instances are kept");
    assert_eq!(s.data.failures, 1);
    assert_eq!(s.data.good_at.get("eu-west-1"), Some(&t0()));
    let next = s.data.next_refresh.unwrap();
    assert_eq!((next - later).num_seconds(), 5, "retry soon, then back off");
}

#[test]
fn data_age_is_the_oldest_good_data_on_screen() {
    let regions = ["us-east-1", "eu-west-1"];
    let mut s = loaded(10, &regions, false);
    assert_eq!(s.data_as_of(), Some(t0()));
    // Five minutes on, eu-west-1 fails: its rows stay, and they are five minutes old.
    let later = t0() + chrono::Duration::minutes(5);
    let g = generation_of(&update(&mut s, Input::tick(later)));
    update(
        &mut s,
        Input::Msg(Msg::Inventory {
            generation: g,
            inv: Box::new(with_failed(5, &regions, "eu-west-1", later)),
            index: None,
            model: None,
        }),
    );
    assert_eq!(s.data.fetched_at, Some(later), "the refresh did answer");
    assert_eq!(
        s.data_as_of(),
        Some(t0()),
        "the header must not call eu-west-1's kept rows fresh"
    );
    // Showing only the healthy region: its data is fresh.
    command(&mut s, "region us-east-1");
    assert_eq!(s.data_as_of(), Some(later));
    command(&mut s, "region eu-west-1");
    assert_eq!(s.data_as_of(), Some(t0()));
}

#[test]
fn ticks_redraw_only_when_the_minute_turns() {
    let mut s = loaded(3, &["us-east-1"], false);
    s.dirty = false;
    s.status = None;
    update(&mut s, Input::tick(t0() + chrono::Duration::seconds(5)));
    assert!(!s.dirty, "same minute: nothing to draw");
    update(&mut s, Input::tick(t0() + chrono::Duration::seconds(20)));
    assert!(s.dirty, "the minute turned");
}

#[test]
fn auto_refresh_follows_the_config() {
    let mut s = loaded(3, &["us-east-1"], false);
    let due = s.data.next_refresh.expect("30 s by default");
    assert_eq!((due - t0()).num_seconds(), 30);
    assert!(update(&mut s, Input::tick(due - chrono::Duration::seconds(1))).is_empty());
    let fx = update(&mut s, Input::tick(due));
    assert!(matches!(fx.as_slice(), [Effect::Fetch { .. }]));
    // ctrl-r while the background refresh runs joins it rather than starting another.
    let fx = update(&mut s, Input::Key(Key::ctrl('r')));
    assert!(fx.is_empty(), "{fx:?}");
}

#[test]
fn refresh_keys_join_the_refresh_in_flight() {
    let mut s = loaded(4, &["us-east-1"], false);
    let fx = update(&mut s, Input::Key(Key::ctrl('r')));
    let g = generation_of(&fx);
    assert_eq!(status_text(&s), "refreshing…");
    // Pressing again (or :refresh) while it runs sends nothing more to AWS.
    for _ in 0..5 {
        let fx = update(&mut s, Input::Key(Key::ctrl('r')));
        assert!(fx.is_empty(), "{fx:?}");
        assert_eq!(status_text(&s), "refresh already running");
    }
    assert!(command(&mut s, "refresh").is_empty());
    assert_eq!(
        s.data.fetch_gen, g,
        "the first refresh is still the one awaited"
    );
    // Its answer is taken; the next press refreshes again.
    update(
        &mut s,
        Input::Msg(Msg::Inventory {
            generation: g,
            inv: Box::new(sample::inventory(4, &["us-east-1"], t0())),
            index: None,
            model: None,
        }),
    );
    assert!(!s.data.fetching);
    let g2 = generation_of(&update(&mut s, Input::Key(Key::ctrl('r'))));
    assert!(g2 > g);
    // A refresh that never answers does not block ctrl-r for ever.
    let stuck = t0() + chrono::Duration::seconds(121);
    assert!(update(&mut s, Input::tick(stuck)).is_empty());
    let g3 = generation_of(&update(&mut s, Input::Key(Key::ctrl('r'))));
    assert!(g3 > g2, "a stuck refresh is replaced");
}

#[test]
fn only_asked_or_slow_refreshes_show_in_the_header() {
    let mut s = loaded(4, &["us-east-1"], false);
    let due = s.data.next_refresh.expect("auto-refresh on");
    // Up to the second before (the minute turns on the way: that redraw is not the refresh's).
    assert!(update(&mut s, Input::tick(due - chrono::Duration::seconds(1))).is_empty());
    s.dirty = false;
    let fx = update(&mut s, Input::tick(due));
    assert!(matches!(fx.as_slice(), [Effect::Fetch { .. }]));
    assert!(
        !s.dirty,
        "a background refresh starting changes nothing on screen"
    );
    assert!(!s.data.refresh_shown(s.clock));
    // Once it is slow, it shows (one redraw when it turns slow).
    update(&mut s, Input::tick(due + chrono::Duration::seconds(4)));
    assert!(!s.dirty);
    update(&mut s, Input::tick(due + chrono::Duration::seconds(5)));
    assert!(s.dirty, "the slow refresh is drawn");
    assert!(s.data.refresh_shown(s.clock));
    // The operator's ctrl-r joins it and shows at once.
    let mut s = loaded(4, &["us-east-1"], false);
    update(&mut s, Input::Key(Key::ctrl('r')));
    assert!(s.data.refresh_shown(s.clock));
}

#[test]
fn selection_survives_a_refresh_that_moves_rows() {
    let mut s = loaded(10, &["us-east-1"], false);
    keys(&mut s, "jjj");
    let id = s.data.inv.instances[3].id.clone();
    let fx = update(&mut s, Input::Key(Key::ctrl('r')));
    let g = generation_of(&fx);
    let mut inv = sample::inventory(10, &["us-east-1"], t0());
    inv.instances.reverse();
    update(
        &mut s,
        Input::Msg(Msg::Inventory {
            generation: g,
            inv: Box::new(inv),
            index: None,
            model: None,
        }),
    );
    let row = top_view(&s).selected_row().unwrap();
    assert_eq!(s.data.inv.instances[row].id, id);
}

#[test]
fn refresh_builds_the_table_off_the_loop() {
    let mut s = loaded(10, &["us-east-1"], false);
    keys(&mut s, "/web");
    key(&mut s, KeyCode::Enter);
    keys(&mut s, "j");
    let id = s.data.inv.instances[top_view(&s).selected_row().unwrap()]
        .id
        .clone();
    let fx = update(&mut s, Input::Key(Key::ctrl('r')));
    let Some(Effect::Fetch {
        generation,
        model: Some(req),
    }) = fx.first().cloned()
    else {
        panic!("a fetch with a model request: {fx:?}");
    };
    assert_eq!(req.filter, "web");
    assert_eq!(req.key.kind, ResourceKind::Instances);
    // What the task does, off the loop.
    let mut inv = sample::inventory(10, &["us-east-1"], t0());
    inv.instances.reverse();
    let index = crate::resources::InvIndex::build(&inv);
    let built = crate::build_model(req, &inv, &index);
    assert!(built.selected.is_some());
    update(
        &mut s,
        Input::Msg(Msg::Inventory {
            generation,
            inv: Box::new(inv),
            index: Some(Box::new(index)),
            model: Some(Box::new(built)),
        }),
    );
    let v = top_view(&s);
    assert_eq!(v.built_for.0, s.data.version, "installed, not rebuilt");
    assert_eq!(v.len(), 3);
    assert_eq!(s.data.inv.instances[v.selected_row().unwrap()].id, id);
}

#[test]
fn a_large_table_is_built_by_a_task() {
    let mut s = AppState::new(Prefs::default(), None, vec![], t0());
    let g = generation_of(&startup(&mut s));
    let fx = update(
        &mut s,
        Input::Msg(Msg::Connected {
            generation: g,
            result: Ok(info(&["us-east-1"], false)),
        }),
    );
    let g = generation_of(&fx);
    let fx = update(
        &mut s,
        Input::Msg(Msg::Inventory {
            generation: g,
            inv: Box::new(sample::inventory(20_000, &["us-east-1"], t0())),
            index: None,
            model: None,
        }),
    );
    let Some(Effect::BuildModel {
        generation,
        data,
        request,
    }) = fx
        .into_iter()
        .find(|e| matches!(e, Effect::BuildModel { .. }))
    else {
        panic!("a build effect");
    };
    assert!(
        top_view(&s).model.is_none(),
        "nothing drawn from stale rows"
    );
    // Ticks do not ask again while the task runs.
    let again = update(&mut s, Input::tick(t0() + chrono::Duration::seconds(1)));
    assert!(!again.iter().any(|e| matches!(e, Effect::BuildModel { .. })));
    let built = crate::build_model(request, &data.inv, &data.index);
    // An answer to another request is ignored; the right one is installed.
    update(
        &mut s,
        Input::Msg(Msg::ModelBuilt {
            generation: generation + 100,
            built: Box::new(crate::build_model(
                built.request.clone(),
                &data.inv,
                &data.index,
            )),
        }),
    );
    assert!(top_view(&s).model.is_none());
    update(
        &mut s,
        Input::Msg(Msg::ModelBuilt {
            generation,
            built: Box::new(built),
        }),
    );
    assert_eq!(top_view(&s).len(), 20_000);
    assert!(top_view(&s).building.is_none());
}
