//! `update` without a terminal: keys in, effects and state out.

use super::keys::{Key, KeyCode};
use super::msg::*;
use super::resources::ResourceKind;
use super::state::*;
use super::update::{startup, update};
use super::{Prefs, sample};
use opsdeck_core::domain::Timestamp;

fn t0() -> Timestamp {
    chrono::DateTime::from_timestamp(1_700_000_080, 0).unwrap()
}

fn info(regions: &[&str], read_only: bool) -> SessionInfo {
    SessionInfo {
        label: "test".into(),
        profile: None,
        regions: regions.iter().map(|s| s.to_string()).collect(),
        read_only,
        color: None,
    }
}

fn generation_of(fx: &[Effect]) -> u64 {
    match fx.first() {
        Some(Effect::Connect { generation, .. }) | Some(Effect::Fetch { generation, .. }) => {
            *generation
        }
        other => panic!("expected connect or fetch, got {other:?}"),
    }
}

/// A console connected to `regions` with `n` instances loaded.
fn loaded(n: usize, regions: &[&str], read_only: bool) -> AppState {
    let mut s = AppState::new(Prefs::default(), None, vec![], t0());
    let fx = startup(&mut s);
    let g = generation_of(&fx);
    let fx = update(
        &mut s,
        Input::Msg(Msg::Connected {
            generation: g,
            result: Ok(info(regions, read_only)),
        }),
    );
    let g = generation_of(&fx);
    update(
        &mut s,
        Input::Msg(Msg::Inventory {
            generation: g,
            inv: Box::new(sample::inventory(n, regions, t0())),
            index: None,
            model: None,
        }),
    );
    s
}

fn keys(s: &mut AppState, text: &str) -> Vec<Effect> {
    let mut fx = Vec::new();
    for c in text.chars() {
        fx.extend(update(s, Input::Key(Key::ch(c))));
    }
    fx
}

fn key(s: &mut AppState, code: KeyCode) -> Vec<Effect> {
    update(s, Input::Key(Key::plain(code)))
}

fn command(s: &mut AppState, cmd: &str) -> Vec<Effect> {
    keys(s, ":");
    keys(s, cmd);
    key(s, KeyCode::Enter)
}

fn top_view(s: &AppState) -> &TableView {
    let k = s.top_table_key().expect("a table on top");
    s.view(k).expect("view exists")
}

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
    let fx = update(&mut s, Input::Tick(due));
    assert!(matches!(fx.as_slice(), [Effect::Connect { .. }]), "{fx:?}");
}

#[test]
fn filter_narrows_highlights_and_is_sticky_per_view() {
    let mut s = loaded(40, &["us-east-1"], false);
    keys(&mut s, "/db");
    assert_eq!(s.input.mode, InputMode::Filter);
    assert_eq!(top_view(&s).len(), 10);
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.input.mode, InputMode::None);
    // Another view has its own (empty) filter; coming back finds "db" again.
    command(&mut s, "vol");
    assert_eq!(top_view(&s).filter, "");
    command(&mut s, "instances");
    assert_eq!(top_view(&s).filter, "db");
    assert_eq!(top_view(&s).len(), 10);
    // esc clears the filter before it pops anything.
    key(&mut s, KeyCode::Esc);
    assert_eq!(top_view(&s).len(), 40);
}

#[test]
fn field_filters_and_inverse() {
    let mut s = loaded(46, &["us-east-1"], false);
    keys(&mut s, "/state:stopped");
    key(&mut s, KeyCode::Enter);
    assert_eq!(top_view(&s).len(), 2, "instances 7 and 30 are stopped");
    key(&mut s, KeyCode::Esc);
    keys(&mut s, "/!running");
    assert_eq!(top_view(&s).len(), 4, "2 stopped + 2 pending");
}

#[test]
fn sort_cycles_columns_and_reverses() {
    let mut s = loaded(12, &["us-east-1"], false);
    keys(&mut s, "s");
    assert_eq!(
        top_view(&s).sort.map(|x| (x.col, x.descending)),
        Some((0, false))
    );
    keys(&mut s, "s");
    assert_eq!(top_view(&s).sort.map(|x| x.col), Some(1));
    keys(&mut s, "S");
    assert_eq!(
        top_view(&s).sort.map(|x| (x.col, x.descending)),
        Some((1, true))
    );
    let inv = s.data.inv.clone();
    let names: Vec<&str> = top_view(&s)
        .model
        .as_ref()
        .unwrap()
        .rows()
        .map(|r| inv.instances[r].display_name())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(names, sorted);
}

#[test]
fn enter_describes_and_esc_goes_back() {
    let mut s = loaded(5, &["us-east-1"], false);
    keys(&mut s, "j");
    key(&mut s, KeyCode::Enter);
    let Screen::Describe(d) = s.nav.top() else {
        panic!("describe expected");
    };
    assert_eq!(d.id, s.data.inv.instances[1].id);
    assert!(d.lines.iter().any(|l| l.starts_with("instance_type: ")));
    assert!(d.lines.iter().any(|l| l.contains("block_devices:")));
    key(&mut s, KeyCode::Esc);
    assert!(matches!(s.nav.top(), Screen::Table(_)));
    assert_eq!(top_view(&s).selected, 1, "selection kept");
}

#[test]
fn xray_follows_relations_and_back() {
    let mut s = loaded(8, &["us-east-1"], false);
    keys(&mut s, "x");
    let Screen::Xray(x) = s.nav.top() else {
        panic!("xray expected");
    };
    let text: Vec<&str> = x.items.iter().map(|i| i.text.as_str()).collect();
    assert!(
        text.iter().any(|t| t.starts_with("Target groups (1)")),
        "{text:?}"
    );
    assert!(text.iter().any(|t| t.starts_with("Volumes (1)")));
    assert!(text.iter().any(|t| t.starts_with("CPUUtilization")));
    // Down to the target group line, enter shows its targets, esc comes back to the xray.
    keys(&mut s, "jj");
    key(&mut s, KeyCode::Enter);
    let key_now = s.top_table_key().cloned().expect("targets table");
    assert_eq!(key_now.kind, ResourceKind::Targets);
    assert!(matches!(key_now.scope, Scope::TargetGroup(_)));
    key(&mut s, KeyCode::Esc);
    assert!(matches!(s.nav.top(), Screen::Xray(_)));
    key(&mut s, KeyCode::Esc);
    assert!(matches!(s.nav.top(), Screen::Table(_)));
}

#[test]
fn load_balancers_drill_down_to_targets() {
    let mut s = loaded(12, &["us-east-1"], false);
    command(&mut s, "lb");
    key(&mut s, KeyCode::Enter);
    assert_eq!(top_view(&s).len(), 2, "web and api groups");
    key(&mut s, KeyCode::Enter);
    let k = s.top_table_key().cloned().unwrap();
    assert_eq!(k.kind, ResourceKind::Targets);
    assert_eq!(top_view(&s).len(), 3);
    assert_eq!(s.nav.stack.len(), 3);
}

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
    let Some(Effect::DryRun { generation, op }) = fx.first().cloned() else {
        panic!("dry run expected: {fx:?}");
    };
    assert!(op.destructive());
    assert_eq!(op.subject(), id);
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
    }) = fx.first().cloned()
    else {
        panic!("write expected: {fx:?}");
    };
    assert_eq!(wop, op);
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

#[test]
fn failed_region_keeps_its_last_data_and_backs_off() {
    let mut s = loaded(10, &["us-east-1", "eu-west-1"], false);
    assert_eq!(s.data.inv.instances.len(), 10);
    assert!(s.multi_region());
    let later = t0() + chrono::Duration::seconds(30);
    let fx = update(&mut s, Input::Tick(later));
    let g = generation_of(&fx);
    // eu-west-1 fails completely this time.
    let mut inv = sample::inventory(10, &["us-east-1"], later);
    inv.regions.push(opsdeck_core::domain::RegionStatus {
        region: "eu-west-1".into(),
        fetched_at: Some(later),
        error: Some("credentials missing, invalid or expired [ExpiredToken]".into()),
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

/// An inventory of `regions` in which `failed` answered with an error (and no rows).
fn with_failed(
    n: usize,
    regions: &[&str],
    failed: &str,
    at: Timestamp,
) -> opsdeck_core::domain::Inventory {
    let ok: Vec<&str> = regions.iter().copied().filter(|r| *r != failed).collect();
    let mut inv = sample::inventory(n, &ok, at);
    inv.regions.push(opsdeck_core::domain::RegionStatus {
        region: failed.into(),
        fetched_at: Some(at),
        error: Some("instances: AWS is throttling requests [Throttling]: Rate exceeded".into()),
    });
    inv
}

#[test]
fn data_age_is_the_oldest_good_data_on_screen() {
    let regions = ["us-east-1", "eu-west-1"];
    let mut s = loaded(10, &regions, false);
    assert_eq!(s.data_as_of(), Some(t0()));
    // Five minutes on, eu-west-1 fails: its rows stay, and they are five minutes old.
    let later = t0() + chrono::Duration::minutes(5);
    let g = generation_of(&update(&mut s, Input::Tick(later)));
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
    update(&mut s, Input::Tick(t0() + chrono::Duration::seconds(5)));
    assert!(!s.dirty, "same minute: nothing to draw");
    update(&mut s, Input::Tick(t0() + chrono::Duration::seconds(20)));
    assert!(s.dirty, "the minute turned");
}

#[test]
fn auto_refresh_follows_the_config() {
    let mut s = loaded(3, &["us-east-1"], false);
    let due = s.data.next_refresh.expect("30 s by default");
    assert_eq!((due - t0()).num_seconds(), 30);
    assert!(update(&mut s, Input::Tick(due - chrono::Duration::seconds(1))).is_empty());
    let fx = update(&mut s, Input::Tick(due));
    assert!(matches!(fx.as_slice(), [Effect::Fetch { .. }]));
    // ctrl-r while the background refresh runs joins it rather than starting another.
    let fx = update(&mut s, Input::Key(Key::ctrl('r')));
    assert!(fx.is_empty(), "{fx:?}");
}

fn status_text(s: &AppState) -> String {
    s.status
        .as_ref()
        .map(|st| st.text.clone())
        .unwrap_or_default()
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
    assert!(update(&mut s, Input::Tick(stuck)).is_empty());
    let g3 = generation_of(&update(&mut s, Input::Key(Key::ctrl('r'))));
    assert!(g3 > g2, "a stuck refresh is replaced");
}

#[test]
fn only_asked_or_slow_refreshes_show_in_the_header() {
    let mut s = loaded(4, &["us-east-1"], false);
    let due = s.data.next_refresh.expect("auto-refresh on");
    // Up to the second before (the minute turns on the way: that redraw is not the refresh's).
    assert!(update(&mut s, Input::Tick(due - chrono::Duration::seconds(1))).is_empty());
    s.dirty = false;
    let fx = update(&mut s, Input::Tick(due));
    assert!(matches!(fx.as_slice(), [Effect::Fetch { .. }]));
    assert!(
        !s.dirty,
        "a background refresh starting changes nothing on screen"
    );
    assert!(!s.data.refresh_shown(s.clock));
    // Once it is slow, it shows (one redraw when it turns slow).
    update(&mut s, Input::Tick(due + chrono::Duration::seconds(4)));
    assert!(!s.dirty);
    update(&mut s, Input::Tick(due + chrono::Duration::seconds(5)));
    assert!(s.dirty, "the slow refresh is drawn");
    assert!(s.data.refresh_shown(s.clock));
    // The operator's ctrl-r joins it and shows at once.
    let mut s = loaded(4, &["us-east-1"], false);
    update(&mut s, Input::Key(Key::ctrl('r')));
    assert!(s.data.refresh_shown(s.clock));
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
fn mouse_scrolls_and_clicks() {
    let mut s = loaded(30, &["us-east-1"], false);
    if let Some(v) = s.tables.views.values_mut().next() {
        v.viewport = 10;
        v.first_row_y = 4;
    }
    update(
        &mut s,
        Input::Mouse(Mouse {
            kind: MouseKind::ScrollDown,
            column: 5,
            row: 5,
        }),
    );
    assert_eq!(top_view(&s).selected, 3);
    update(
        &mut s,
        Input::Mouse(Mouse {
            kind: MouseKind::Click,
            column: 5,
            row: 6,
        }),
    );
    assert_eq!(top_view(&s).selected, 2);
}

#[test]
fn paging_and_ends() {
    let mut s = loaded(100, &["us-east-1"], false);
    if let Some(v) = s.tables.views.values_mut().next() {
        v.viewport = 20;
    }
    key(&mut s, KeyCode::PageDown);
    assert_eq!(top_view(&s).selected, 19);
    keys(&mut s, "G");
    assert_eq!(top_view(&s).selected, 99);
    keys(&mut s, "g");
    assert_eq!(top_view(&s).selected, 0);
    keys(&mut s, "k");
    assert_eq!(top_view(&s).selected, 0, "clamped at the top");
}

#[test]
fn help_is_a_screen_and_quit_works_everywhere() {
    let mut s = loaded(2, &["us-east-1"], false);
    keys(&mut s, "?");
    assert!(matches!(s.nav.top(), Screen::Help(_)));
    key(&mut s, KeyCode::Esc);
    assert!(matches!(s.nav.top(), Screen::Table(_)));
    let fx = update(&mut s, Input::Key(Key::ctrl('c')));
    assert_eq!(fx, vec![Effect::Quit]);
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
    let index = super::resources::InvIndex::build(&inv);
    let built = super::build_model(req, &inv, &index);
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
    let again = update(&mut s, Input::Tick(t0() + chrono::Duration::seconds(1)));
    assert!(!again.iter().any(|e| matches!(e, Effect::BuildModel { .. })));
    let built = super::build_model(request, &data.inv, &data.index);
    // An answer to another request is ignored; the right one is installed.
    update(
        &mut s,
        Input::Msg(Msg::ModelBuilt {
            generation: generation + 100,
            built: Box::new(super::build_model(
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

#[test]
fn xray_event_lines_open_their_own_event() {
    let mut s = loaded(8, &["us-east-1"], false);
    // Instance 3 gets a second event: two lines in its xray.
    let mut inv = sample::inventory(8, &["us-east-1"], t0());
    let mut second = inv.instances[3].events[0].clone();
    second.raw_code = "instance-retirement".into();
    second.event_id = Some("instance-event-second".into());
    second.not_before = second.not_before.map(|t| t + chrono::Duration::days(3));
    inv.instances[3].events.push(second);
    inv.fill_derived();
    let id = inv.instances[3].id.clone();
    let g = generation_of(&update(&mut s, Input::Key(Key::ctrl('r'))));
    update(
        &mut s,
        Input::Msg(Msg::Inventory {
            generation: g,
            inv: Box::new(inv),
            index: None,
            model: None,
        }),
    );
    keys(&mut s, "jjjx");
    let Screen::Xray(x) = s.nav.top() else {
        panic!("xray expected");
    };
    assert_eq!(x.instance_id, id);
    let lines: Vec<usize> = x
        .items
        .iter()
        .enumerate()
        .filter(|(_, i)| matches!(&i.target, Some((ResourceKind::Events, _))))
        .map(|(n, _)| n)
        .collect();
    assert_eq!(lines.len(), 2, "{:?}", x.items);
    let mut opened = Vec::new();
    for line in lines {
        if let Screen::Xray(x) = s.nav.top_mut() {
            x.selected = line;
        }
        key(&mut s, KeyCode::Enter);
        let Screen::Describe(d) = s.nav.top() else {
            panic!("describe expected");
        };
        let code = d
            .lines
            .iter()
            .find(|l| l.starts_with("raw_code: "))
            .cloned()
            .unwrap_or_default();
        opened.push(code);
        key(&mut s, KeyCode::Esc);
    }
    assert_eq!(
        opened,
        ["raw_code: system-reboot", "raw_code: instance-retirement"],
        "each line opens its own event"
    );
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

#[test]
fn clicking_an_xray_line_selects_it_and_enter_opens_it() {
    let mut s = loaded(8, &["us-east-1"], false);
    keys(&mut s, "x");
    // What the last frame recorded: 3 lines shown from screen row 4.
    let tg_line = match s.nav.top_mut() {
        Screen::Xray(x) => {
            x.first_y = 4;
            x.viewport = 3;
            x.items
                .iter()
                .position(|i| matches!(i.target, Some((ResourceKind::TargetGroups, _))))
                .expect("a target group line")
        }
        _ => panic!("xray expected"),
    };
    assert!(tg_line > 0, "the instance line comes first");
    let click = |s: &mut AppState, row: u16| {
        update(
            s,
            Input::Mouse(Mouse {
                kind: MouseKind::Click,
                column: 5,
                row,
            }),
        )
    };
    let xray = |s: &AppState| match s.nav.top() {
        Screen::Xray(x) => (x.selected, x.offset),
        other => panic!("still the xray expected, got {other:?}"),
    };
    // Scroll down so the list starts further on: the click counts from the first line shown.
    keys(&mut s, "jjjj");
    let (_, offset) = xray(&s);
    assert_eq!(offset, 2);
    assert!(click(&mut s, 4).is_empty());
    assert_eq!(xray(&s), (2, 2), "the first line shown is line `offset`");
    // Above the list, or below its last shown line: nothing changes.
    click(&mut s, 3);
    assert_eq!(xray(&s).0, 2);
    click(&mut s, 4 + 3);
    assert_eq!(xray(&s).0, 2);
    // Back to the top, then a click on the target group line selects it (the README: "a click
    // selects a row or an xray line"); enter opens it as it does after j/k.
    keys(&mut s, "g");
    assert_eq!(xray(&s), (0, 0));
    click(&mut s, 4 + tg_line as u16);
    assert_eq!(xray(&s).0, tg_line);
    key(&mut s, KeyCode::Enter);
    let k = s.top_table_key().cloned().expect("the targets table");
    assert_eq!(k.kind, ResourceKind::Targets);
    let Scope::TargetGroup(arn) = &k.scope else {
        panic!("targets of one group: {k:?}");
    };
    let Screen::Xray(x) = &s.nav.stack[s.nav.stack.len() - 2] else {
        panic!("the xray below");
    };
    assert_eq!(
        x.items[tg_line].target,
        Some((ResourceKind::TargetGroups, arn.clone())),
        "the clicked line's group"
    );
}

#[test]
fn describe_scrolls_by_line_and_page_and_stops_at_its_ends() {
    let mut s = loaded(5, &["us-east-1"], false);
    key(&mut s, KeyCode::Enter);
    let (n, vp) = match s.nav.top_mut() {
        Screen::Describe(d) => {
            d.viewport = 6;
            (d.lines.len(), d.viewport)
        }
        _ => panic!("describe expected"),
    };
    assert!(n > 3 * vp, "a long describe: {n} lines");
    let last = n - vp;
    let scroll = |s: &AppState| match s.nav.top() {
        Screen::Describe(d) => d.scroll,
        other => panic!("describe expected, got {other:?}"),
    };
    keys(&mut s, "k");
    assert_eq!(scroll(&s), 0, "clamped at the top");
    keys(&mut s, "jjj");
    assert_eq!(scroll(&s), 3);
    keys(&mut s, "k");
    assert_eq!(scroll(&s), 2);
    key(&mut s, KeyCode::PageDown);
    assert_eq!(
        scroll(&s),
        2 + (vp - 1),
        "a page is the viewport less one line"
    );
    for _ in 0..n {
        key(&mut s, KeyCode::PageDown);
    }
    assert_eq!(scroll(&s), last, "the last page ends on the last line");
    keys(&mut s, "j");
    assert_eq!(scroll(&s), last, "clamped at the bottom");
    key(&mut s, KeyCode::PageUp);
    assert_eq!(scroll(&s), last - (vp - 1));
    for _ in 0..n {
        key(&mut s, KeyCode::PageUp);
    }
    assert_eq!(scroll(&s), 0);
}

#[test]
fn page_up_and_arrow_keys_in_a_table() {
    let mut s = loaded(100, &["us-east-1"], false);
    if let Some(v) = s.tables.views.values_mut().next() {
        v.viewport = 20;
    }
    key(&mut s, KeyCode::Up);
    assert_eq!(top_view(&s).selected, 0, "clamped at the top");
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Down);
    assert_eq!(top_view(&s).selected, 2);
    key(&mut s, KeyCode::Up);
    assert_eq!(top_view(&s).selected, 1);
    key(&mut s, KeyCode::PageUp);
    assert_eq!(
        top_view(&s).selected,
        0,
        "a page up from row 1 stops at the top"
    );
    keys(&mut s, "G");
    key(&mut s, KeyCode::Down);
    assert_eq!(top_view(&s).selected, 99, "clamped at the bottom");
    key(&mut s, KeyCode::PageUp);
    assert_eq!(top_view(&s).selected, 80);
    assert_eq!(top_view(&s).offset, 80, "the selection stays on screen");
    key(&mut s, KeyCode::PageUp);
    assert_eq!(top_view(&s).selected, 61);
    assert_eq!(top_view(&s).offset, 61);
    key(&mut s, KeyCode::Up);
    assert_eq!(top_view(&s).selected, 60);
    assert_eq!(top_view(&s).offset, 60);
}
