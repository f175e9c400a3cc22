//! The console against a cloud that fails after a good first load: the same `update` and `Runner`
//! the terminal loop uses, driven by the Harness against the simulator with its faults injected.
//! A failing refresh names the problem in plain words on a banner, keeps the rows it had (with
//! their age), never quits, and backs off; once the fault is gone a refresh clears the banner and
//! shows fresh data.
//!
//! The sim injects throttling, 5xx and a permission policy. It has no unreachable endpoint and no
//! expiring credentials: `Sim::expire_credentials_at` only sets the expiry STS reports (what a
//! runbook's preflight checks), calls keep succeeding after it. Those two are not faked here.

use crate::support;

use opsdeck_app::keys::{Key, KeyCode};
use opsdeck_app::{self as app, Effect, Input};
use opsdeck_core::domain::{InstanceState, Timestamp};
use opsdeck_sim::Sim;
use support::console::Harness;
use support::sim;

/// A fault the sim can inject, and how the console must word it.
#[derive(Debug, Clone, Copy)]
enum Fault {
    /// Every call throttled.
    Throttling,
    /// Every call answered with a 5xx.
    ServerErrors,
    /// The identity may no longer list instances (other lists still answer).
    DeniedInstances,
}

impl Fault {
    fn inject(self, sim: &Sim) {
        match self {
            Fault::Throttling => sim.throttle("*", 1.0),
            Fault::ServerErrors => sim.set_error_rate(1.0),
            Fault::DeniedInstances => sim.deny("DescribeInstances"),
        }
    }

    fn clear(self, sim: &Sim) {
        match self {
            Fault::Throttling => sim.throttle("*", 0.0),
            Fault::ServerErrors => sim.set_error_rate(0.0),
            Fault::DeniedInstances => sim.allow("DescribeInstances"),
        }
    }

    /// The AWS code and the plain words the banner names it by.
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Fault::Throttling => ("RequestLimitExceeded", "AWS is throttling requests"),
            Fault::ServerErrors => ("InternalError", "AWS service error"),
            Fault::DeniedInstances => ("UnauthorizedOperation", "not permitted"),
        }
    }
}

const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

/// Runs one input and its effects; the console never asks to quit on its own.
async fn input(h: &mut Harness, i: Input) {
    let fx = app::update(&mut h.state, i);
    assert!(!fx.contains(&Effect::Quit), "{fx:?}");
    h.run(fx).await;
    assert!(!h.state.quit);
}

/// The lines of the frame that mention `needle`.
fn lines_with(screen: &str, needle: &str) -> Vec<String> {
    screen
        .lines()
        .filter(|l| l.contains(needle))
        .map(str::to_string)
        .collect()
}

/// Whole minutes from `t` on: the first time after `t` on a minute boundary, plus `n` minutes.
fn minutes_after(t: Timestamp, n: i64) -> Timestamp {
    let m = t.timestamp().div_euclid(60) + n;
    chrono::DateTime::from_timestamp(m * 60, 0).expect("a time")
}

async fn fails_keeps_the_rows_backs_off_and_recovers(fault: Fault) {
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), true).await;
    let t0 = h.state.clock;
    let web1 = sim.instance_id("web-1").expect("web-1");
    let rows = h.state.data.inv.instances.len();
    assert!(rows >= 3, "{rows}");
    assert_eq!(
        h.state.data.inv.instance(&web1).map(|i| i.state),
        Some(InstanceState::Running)
    );
    assert_eq!(h.state.data_as_of(), Some(t0));
    let before = h.screen(160, 48);
    assert!(before.contains(web1.as_str()), "{before}");
    for r in REGIONS {
        assert!(
            lines_with(&before, &format!("{r} [")).is_empty(),
            "no banner yet: {before}"
        );
    }

    // The world moves on (web-1 is stopped behind the console's back), then the fault comes.
    sim.writer("us-east-1")
        .stop_instances(std::slice::from_ref(&web1), false, false)
        .await
        .expect("stop web-1");
    fault.inject(&sim);
    let (code, words) = fault.words();

    // ctrl-r: the refresh answers with errors.
    input(&mut h, Input::Key(Key::ctrl('r'))).await;
    assert!(!h.state.data.fetching);
    assert_eq!(h.state.data.failures, 1, "{fault:?}");
    let next = h.state.data.next_refresh.expect("a retry is scheduled");
    assert_eq!(
        (next - h.state.clock).num_seconds(),
        5,
        "{fault:?}: first retry"
    );
    let screen = h.screen(160, 48);
    for r in REGIONS {
        let banner = lines_with(&screen, &format!("{r} [{code}]"));
        assert_eq!(banner.len(), 1, "{fault:?}: a banner for {r}: {screen}");
        let b = &banner[0];
        assert!(b.contains(words), "{fault:?}: {b}");
        assert!(b.contains("showing data from <1m ago"), "{fault:?}: {b}");
        assert!(
            b.contains(&format!("next retry {}", next.format("%H:%M:%S"))),
            "{fault:?}: {b}"
        );
    }
    // The rows are still there, as they were: web-1 still shows running.
    assert_eq!(h.state.data.inv.instances.len(), rows, "{fault:?}");
    assert_eq!(
        h.state.data.inv.instance(&web1).map(|i| i.state),
        Some(InstanceState::Running),
        "{fault:?}: the kept row"
    );
    assert!(screen.contains(web1.as_str()), "{fault:?}: {screen}");
    assert_eq!(h.state.data_as_of(), Some(t0), "{fault:?}: the rows' age");

    // The retry comes when it was scheduled, fails again and backs off further.
    input(&mut h, Input::tick(next - chrono::Duration::seconds(1))).await;
    assert_eq!(h.state.data.failures, 1, "{fault:?}: not before it is due");
    input(&mut h, Input::tick(next)).await;
    assert_eq!(h.state.data.failures, 2, "{fault:?}");
    let next = h.state.data.next_refresh.expect("a retry");
    assert_eq!(
        (next - h.state.clock).num_seconds(),
        10,
        "{fault:?}: backoff"
    );
    // A few minutes on, it is still failing: the banner and the header say how old the rows are.
    let later = minutes_after(t0, 3);
    input(&mut h, Input::tick(later)).await;
    assert_eq!(h.state.data.failures, 3, "{fault:?}");
    let next = h.state.data.next_refresh.expect("a retry");
    assert_eq!((next - later).num_seconds(), 20, "{fault:?}: backoff");
    let screen = h.screen(160, 48);
    assert_eq!(
        lines_with(&screen, "data 3m old").len(),
        1,
        "{fault:?}: {screen}"
    );
    for r in REGIONS {
        let b = lines_with(&screen, &format!("{r} [{code}]")).join("\n");
        assert!(b.contains("showing data from 3m ago"), "{fault:?}: {b}");
    }
    assert_eq!(h.state.data.inv.instances.len(), rows, "{fault:?}");

    // The fault goes: the next refresh clears the banner and shows what happened meanwhile.
    fault.clear(&sim);
    input(&mut h, Input::Key(Key::ctrl('r'))).await;
    assert_eq!(h.state.data.failures, 0, "{fault:?}");
    assert!(
        h.state.data.inv.regions.iter().all(|r| r.error.is_none()),
        "{fault:?}: {:?}",
        h.state.data.inv.regions
    );
    let next = h.state.data.next_refresh.expect("auto-refresh");
    assert_eq!(
        (next - later).num_seconds(),
        30,
        "{fault:?}: back to normal"
    );
    assert_eq!(h.state.data_as_of(), Some(later), "{fault:?}: fresh");
    let state = h.state.data.inv.instance(&web1).map(|i| i.state);
    assert!(
        matches!(
            state,
            Some(InstanceState::Stopping | InstanceState::Stopped)
        ),
        "{fault:?}: fresh data shows web-1 stopped: {state:?}"
    );
    let screen = h.screen(160, 48);
    for r in REGIONS {
        assert!(
            lines_with(&screen, &format!("{r} [")).is_empty(),
            "{fault:?}: the banner is gone: {screen}"
        );
    }
    assert_eq!(
        lines_with(&screen, "data <1m old").len(),
        1,
        "{fault:?}: {screen}"
    );
}

#[tokio::test(start_paused = true)]
async fn throttling_keeps_the_rows_backs_off_and_recovers() {
    fails_keeps_the_rows_backs_off_and_recovers(Fault::Throttling).await;
}

#[tokio::test(start_paused = true)]
async fn server_errors_keep_the_rows_back_off_and_recover() {
    fails_keeps_the_rows_backs_off_and_recovers(Fault::ServerErrors).await;
}

#[tokio::test(start_paused = true)]
async fn a_denied_list_keeps_its_rows_backs_off_and_recovers() {
    fails_keeps_the_rows_backs_off_and_recovers(Fault::DeniedInstances).await;
}

#[tokio::test(start_paused = true)]
async fn the_tables_still_work_while_refreshes_fail() {
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), true).await;
    Fault::Throttling.inject(&sim);
    input(&mut h, Input::Key(Key::ctrl('r'))).await;
    assert_eq!(h.state.data.failures, 1);
    // The tables still open, filter and move on the kept rows.
    h.command("volumes").await;
    h.text("/db-1").await;
    h.key(Key::plain(KeyCode::Enter)).await;
    let key = h.state.top_table_key().expect("a table").clone();
    assert!(h.state.view(&key).is_some_and(|v| !v.is_empty()));
    // ctrl-r again right away is another refresh (nothing in flight), failing again.
    input(&mut h, Input::Key(Key::ctrl('r'))).await;
    assert_eq!(h.state.data.failures, 2);
    assert!(!h.state.quit);
}
