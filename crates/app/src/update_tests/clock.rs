//! The console's clock is the session's (the simulator's in a demo): ticks carry it, an inventory
//! answer carries it (`fetched_at`), and every age and time left is measured against it.

use super::*;
use crate::resources::ResourceKind;
use chrono::Duration;

/// The cell under `title` of `kind`'s `row`, as it would be drawn now.
fn cell(s: &AppState, kind: ResourceKind, row: usize, title: &str) -> String {
    let col = kind
        .columns()
        .iter()
        .position(|c| c.title == title)
        .unwrap_or_else(|| panic!("{kind:?} has no column {title}"));
    crate::table::cell_text(kind, &s.data.ctx(s.clock), row, col)
}

/// The inventory a refresh would answer at `at`: the same fleet as `loaded`, read `at`.
fn read_at(s: &AppState, at: Timestamp) -> Box<opsdeck_core::domain::Inventory> {
    let mut inv = (*s.data.inv).clone();
    for r in &mut inv.regions {
        r.fetched_at = Some(at);
    }
    Box::new(inv)
}

fn answer(s: &mut AppState, inv: Box<opsdeck_core::domain::Inventory>) {
    // A refresh in flight (a tick may have started one) or one asked for.
    let g = if s.data.fetching {
        s.data.fetch_gen
    } else {
        generation_of(&command(s, "refresh"))
    };
    update(
        s,
        Input::Msg(Msg::Inventory {
            generation: g,
            inv,
            index: None,
            model: None,
        }),
    );
}

#[test]
fn ages_and_time_left_are_measured_on_the_clock_ticks_carry() {
    let mut s = loaded(30, &["eu-west-1"], false);
    let snap = s.data.inv.snapshots[0].start_time.expect("a start time");
    let event = s.data.inv.events[0].not_before.expect("a not-before");
    assert_eq!(
        cell(&s, ResourceKind::Snapshots, 0, "AGE"),
        crate::format::age(Some(snap), t0())
    );
    // The session's clock moved a day (a demo at --demo-speed, or `:chaos skip 1d`).
    let later = t0() + Duration::days(1);
    update(&mut s, Input::tick(later));
    assert_eq!(s.clock, later);
    assert_eq!(
        cell(&s, ResourceKind::Snapshots, 0, "AGE"),
        crate::format::duration_secs((later - snap).num_seconds())
    );
    assert_eq!(
        cell(&s, ResourceKind::Events, 0, "TIME LEFT"),
        crate::format::time_left(Some(event), later)
    );
}

#[test]
fn an_inventory_read_later_moves_the_clock_and_a_new_snapshot_is_not_in_the_future() {
    let mut s = loaded(30, &["eu-west-1"], false);
    // The simulator's clock ran ahead of the console's last tick: a snapshot taken at its now.
    let sim_now = t0() + Duration::days(7) + Duration::minutes(3);
    let mut inv = read_at(&s, sim_now);
    inv.snapshots[0].start_time = Some(sim_now - Duration::seconds(30));
    answer(&mut s, inv);
    assert_eq!(s.clock, sim_now, "the answer's clock is the console's");
    assert_eq!(cell(&s, ResourceKind::Snapshots, 0, "AGE"), "30s");
    let event = s.data.inv.events[0].not_before.expect("a not-before");
    assert_eq!(
        cell(&s, ResourceKind::Events, 0, "TIME LEFT"),
        crate::format::time_left(Some(event), sim_now)
    );
    // A slower answer read before the last tick never moves the clock back.
    let tick = sim_now + Duration::minutes(5);
    update(&mut s, Input::tick(tick));
    let slow = read_at(&s, sim_now + Duration::minutes(1));
    answer(&mut s, slow);
    assert_eq!(s.clock, tick);
}

#[test]
fn a_completed_event_shows_no_time_left_and_is_not_movable() {
    let mut s = loaded(30, &["eu-west-1"], false);
    let mut inv = read_at(&s, t0());
    let e = &mut inv.events[0];
    assert!(
        e.not_before_deadline.is_some(),
        "a movable event to start with"
    );
    e.description = format!("[Completed] {}", e.description).into();
    inv.events[1].description = format!("[Canceled] {}", inv.events[1].description).into();
    answer(&mut s, inv);
    assert_eq!(cell(&s, ResourceKind::Events, 0, "TIME LEFT"), "completed");
    let plan = cell(&s, ResourceKind::Events, 0, "PLAN");
    assert!(!plan.contains("movable"), "{plan}");
    assert_eq!(plan, "completed");
    assert_eq!(cell(&s, ResourceKind::Events, 1, "TIME LEFT"), "canceled");
    // One still ahead keeps its time left and says it can move.
    let ahead = s.data.inv.events[2].not_before;
    assert_eq!(
        cell(&s, ResourceKind::Events, 2, "TIME LEFT"),
        crate::format::time_left(ahead, t0())
    );
    assert!(cell(&s, ResourceKind::Events, 2, "PLAN").contains("movable"));
}

#[test]
fn a_sped_up_session_clock_does_not_speed_up_what_the_operator_waits_through() {
    let mut s = loaded(30, &["eu-west-1"], false);
    let due = s.data.next_refresh.expect("auto-refresh scheduled");
    command(&mut s, "sort");
    assert!(s.status.is_some(), "a status line to watch");
    // The demo at speed 30: five real seconds are two and a half simulated minutes.
    let wall = t0() + Duration::seconds(5);
    let session = t0() + Duration::seconds(150);
    let fx = update(&mut s, Input::Tick { wall, session });
    assert_eq!(s.clock, session, "ages and time left move with the session");
    assert_eq!(s.wall, wall);
    assert!(
        fx.is_empty(),
        "no refresh before its wall-clock time: {fx:?}"
    );
    assert!(s.status.is_some(), "the status line stays its real seconds");
    assert_eq!(s.data.next_refresh, Some(due));
    let snap = s.data.inv.snapshots[0].start_time;
    assert_eq!(
        cell(&s, ResourceKind::Snapshots, 0, "AGE"),
        crate::format::age(snap, session)
    );
    // At the refresh's wall-clock time, it starts.
    let fx = update(
        &mut s,
        Input::Tick {
            wall: due,
            session: session + Duration::minutes(30),
        },
    );
    assert!(matches!(fx.first(), Some(Effect::Fetch { .. })), "{fx:?}");
}
