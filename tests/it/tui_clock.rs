//! The console's clock is the session's: in a demo, the simulator's. At `--demo-speed 30` (on a
//! paused tokio clock: an hour of it is 30 simulated hours) and after `:chaos skip 7d`, the events
//! view's TIME LEFT and a snapshot's AGE move with the simulated time, and a snapshot just taken is
//! not in the future.

use crate::support;

use opsdeck_app::resources::ResourceKind;
use opsdeck_app::state::AppState;
use opsdeck_core::domain::Timestamp;
use opsdeck_sim::{FleetSource, Sim};
use support::console::Harness;
use support::sim;

/// The cell under `title` of the row of `kind` whose first column is `id`, as drawn now.
fn cell(s: &AppState, kind: ResourceKind, id: &str, title: &str) -> String {
    let ctx = s.data.ctx(s.clock);
    let col = kind
        .columns()
        .iter()
        .position(|c| c.title == title)
        .unwrap_or_else(|| panic!("{kind:?} has no column {title}"));
    let row = (0..kind.row_count(&ctx))
        .find(|r| opsdeck_app::table::cell_text(kind, &ctx, *r, 0) == id)
        .unwrap_or_else(|| panic!("no {kind:?} row {id}"));
    opsdeck_app::table::cell_text(kind, &ctx, row, col)
}

/// Simulated time has moved: the console ticks and refreshes, as its loop would.
async fn catch_up(h: &mut Harness) {
    h.tick().await;
    h.command("refresh").await;
}

fn demo_at_speed_30() -> Sim {
    sim::build(opsdeck_sim::SimOptions {
        speed: 30.0,
        ..sim::options(FleetSource::NameOrPath("default".into()), 1, None)
    })
}

fn secs_of(cell: &str) -> i64 {
    // `4d6h`, `3h20m`, `12m`, `45s` (a leading `-` for a time in the future).
    let (neg, body) = cell
        .strip_prefix('-')
        .map_or((false, cell), |rest| (true, rest));
    let mut total = 0i64;
    let mut n = 0i64;
    for c in body.chars() {
        match c {
            '0'..='9' => n = n * 10 + i64::from(c as u8 - b'0'),
            'd' => (total, n) = (total + n * 86_400, 0),
            'h' => (total, n) = (total + n * 3600, 0),
            'm' => (total, n) = (total + n * 60, 0),
            's' => (total, n) = (total + n, 0),
            _ => panic!("not a duration: {cell}"),
        }
    }
    if neg { -total } else { total }
}

#[tokio::test(start_paused = true)]
async fn time_left_and_ages_follow_the_demos_clock_at_speed_and_after_a_skip() {
    let sim = demo_at_speed_30();
    let mut h = Harness::start(sim.clone(), false).await;
    let web2 = sim::instance_id(&sim, "web-2");
    let snap = h
        .state
        .data
        .inv
        .snapshots
        .iter()
        .max_by_key(|s| s.start_time)
        .map(|s| s.id.to_string())
        .expect("the demo has snapshots");
    let left0 = secs_of(&cell(&h.state, ResourceKind::Events, &web2, "TIME LEFT"));
    let age0 = secs_of(&cell(&h.state, ResourceKind::Snapshots, &snap, "AGE"));
    assert!(
        left0 > 6 * 86_400,
        "the demo's event is a week out: {left0}s"
    );
    let drift = (h.state.clock - h.runner.now()).num_milliseconds().abs();
    assert!(
        drift < 1000,
        "the console's clock is the sim's ({drift} ms apart)"
    );

    // An hour of real time at speed 30: 30 simulated hours.
    tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    catch_up(&mut h).await;
    let left = secs_of(&cell(&h.state, ResourceKind::Events, &web2, "TIME LEFT"));
    let age = secs_of(&cell(&h.state, ResourceKind::Snapshots, &snap, "AGE"));
    let hours30 = 30 * 3600;
    assert!(
        (left0 - left - hours30).abs() <= 3600,
        "time left {left0}s → {left}s after 30 simulated hours"
    );
    assert!(
        (age - age0 - hours30).abs() <= 3600,
        "age {age0}s → {age}s after 30 simulated hours"
    );

    // A snapshot taken now (the simulator's now) is seconds old, not hours in the future.
    let region = sim.regions()[0].clone();
    let vol = sim.volume_id("db-1-data").expect("db-1's data volume");
    let taken = sim
        .writer(&region)
        .create_snapshot(&vol, "just now", &[], false)
        .await
        .expect("snapshot")
        .value;
    catch_up(&mut h).await;
    let fresh = cell(&h.state, ResourceKind::Snapshots, &taken, "AGE");
    assert!(
        (0..600).contains(&secs_of(&fresh)),
        "a snapshot just taken is {fresh} old"
    );

    // `:chaos skip 7d`: the event is past (it happened: completed, nothing to move), ages a week on.
    h.command("chaos skip 7d").await;
    assert!(h.status().contains("chaos"), "{}", h.status());
    catch_up(&mut h).await;
    let skipped: Timestamp = h.state.clock;
    assert!(skipped >= sim.now() - chrono::Duration::minutes(5) && skipped <= sim.now());
    let done = cell(&h.state, ResourceKind::Events, &web2, "TIME LEFT");
    assert_eq!(done, "completed");
    let plan = cell(&h.state, ResourceKind::Events, &web2, "PLAN");
    assert!(!plan.contains("movable"), "{plan}");
    let aged = secs_of(&cell(&h.state, ResourceKind::Snapshots, &snap, "AGE"));
    assert!(
        aged - age >= 7 * 86_400,
        "age {age}s → {aged}s after a week skipped"
    );
}
