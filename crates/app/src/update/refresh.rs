//! Time, the connection and the inventory refresh: ticks, connecting, fetching, backing off, and
//! taking a new inventory in (a failed region keeps its old rows).

use crate::findings;
use crate::msg::{Effect, ModelRequest};
use crate::resources::InvIndex;
use crate::runbook_screen;
use crate::state::{AppState, SLOW_REFRESH_SECONDS, Screen};
use chrono::Duration;
use opsdeck_core::domain::{Inventory, Timestamp};
use std::sync::Arc;

/// A refresh in flight this long is presumed stuck: ctrl-r then starts another (the older one's
/// answer is dropped by its generation). Before that, ctrl-r joins the one in flight.
pub(super) const STUCK_REFRESH_SECONDS: i64 = 120;
const MAX_BACKOFF_SECONDS: i64 = 300;

/// `session`: the session's clock (ages, time left, elapsed; the simulator's in a demo). `now`:
/// the wall clock, for what the operator waits through (status lines, refreshes, retries).
pub(super) fn on_tick(s: &mut AppState, now: Timestamp, session: Timestamp) -> Vec<Effect> {
    let before = s.clock;
    s.clock = session;
    // Ages and time-left cells are shown to the minute: redraw when the minute turns, not more.
    if before.timestamp() / 60 != session.timestamp() / 60 {
        s.dirty = true;
    }
    // A run's elapsed times count in seconds, on its screen only.
    if s.runbook.as_ref().is_some_and(|u| u.active())
        && matches!(s.nav.top(), Screen::Runbook(_))
        && before.timestamp() != session.timestamp()
    {
        s.dirty = true;
    }
    let before = s.wall;
    s.wall = now;
    // A background refresh appears in the header only once it is slow.
    if s.data.fetching
        && !s.data.fetch_asked
        && let Some(t) = s.data.fetch_started
    {
        let slow = Duration::seconds(SLOW_REFRESH_SECONDS);
        if before - t < slow && now - t >= slow {
            s.dirty = true;
        }
    }
    if let Some(st) = &s.status
        && st.until <= now
    {
        s.status = None;
        s.dirty = true;
    }
    let due = s.data.next_refresh.is_some_and(|t| t <= now);
    if due && !s.data.fetching && !s.session.connecting {
        s.data.next_refresh = None;
        return if s.session.info.is_some() {
            start_fetch(s)
        } else {
            connect(s)
        };
    }
    Vec::new()
}

pub(super) fn connect(s: &mut AppState) -> Vec<Effect> {
    let generation = s.next_gen_id();
    s.session.connect_gen = generation;
    s.session.connecting = true;
    s.dirty = true;
    vec![Effect::Connect {
        generation,
        profile: s.session.profile.clone(),
        regions: s.session.regions.clone(),
    }]
}

pub(super) fn start_fetch(s: &mut AppState) -> Vec<Effect> {
    if s.session.info.is_none() {
        return if s.session.connecting {
            Vec::new()
        } else {
            connect(s)
        };
    }
    let generation = s.next_gen_id();
    s.data.fetch_gen = generation;
    s.data.fetching = true;
    s.data.fetch_started = Some(s.wall);
    // Nothing to redraw: a refresh the operator did not ask for changes nothing on screen until
    // it answers (callers that show something mark the state dirty themselves).
    s.data.fetch_asked = false;
    let model = model_request(s);
    vec![Effect::Fetch { generation, model }]
}

fn backoff(failures: u32) -> Duration {
    let secs = 5i64.saturating_mul(1 << failures.saturating_sub(1).min(10));
    Duration::seconds(secs.min(MAX_BACKOFF_SECONDS))
}

pub(super) fn schedule_next(s: &mut AppState) {
    let next = next_refresh(s);
    // A run's health per AZ comes from the refreshes: keep them frequent while it lasts, even with
    // auto-refresh off, but never faster than the backoff of failing refreshes (the engine needs
    // the API more than the screen does).
    let running = s.runbook.as_ref().is_some_and(|u| u.active());
    s.data.next_refresh = if running && s.data.failures == 0 {
        let soon = s.wall + Duration::seconds(runbook_screen::RUN_REFRESH_SECONDS);
        Some(next.map_or(soon, |t| t.min(soon)))
    } else {
        next
    };
}

fn next_refresh(s: &AppState) -> Option<Timestamp> {
    if s.data.failures > 0 {
        let mut wait = backoff(s.data.failures);
        if s.prefs.refresh_seconds > 0 {
            wait = wait
                .min(Duration::seconds(s.prefs.refresh_seconds as i64).max(Duration::seconds(5)));
        }
        Some(s.wall + wait)
    } else if s.prefs.refresh_seconds > 0 {
        Some(s.wall + Duration::seconds(s.prefs.refresh_seconds as i64))
    } else {
        None
    }
}

/// Takes a new inventory. A region that failed keeps its previous resources (with their age) so an
/// outage or expired credentials never blank the screen.
/// Returns whether a failed region's old data was carried over (the task's model is then stale).
pub(super) fn accept_inventory(
    s: &mut AppState,
    mut inv: Inventory,
    index: Option<InvIndex>,
) -> bool {
    // The answer carries the session's clock as of its read (the simulator's in a demo, moved by
    // `:chaos skip` too): the console's clock catches up with it, never goes back.
    if let Some(t) = inv.fetched_at()
        && t > s.clock
    {
        s.clock = t;
    }
    let now = s.clock;
    let old = Arc::clone(&s.data.inv);
    let changed = carry_over(&old, &mut inv);
    let index = match index {
        Some(ix) if !changed => ix,
        // Carried-over rows (or a caller without an index): derive it here, findings included.
        _ => InvIndex::build(&inv).with_findings(findings::compute(
            &inv,
            s.prefs.max_snapshot_age_hours,
            now,
        )),
    };
    let mut failures = false;
    for r in &inv.regions {
        if r.error.is_none() {
            s.data.good_at.insert(r.region.clone(), now);
        } else {
            failures = true;
        }
    }
    s.data.failures = if failures { s.data.failures + 1 } else { 0 };
    s.data.index = Arc::new(index);
    s.data.inv = Arc::new(inv);
    s.data.version += 1;
    s.data.fetched_at = Some(now);
    s.dirty = true;
    schedule_next(s);
    changed
}

/// What the refresh task should build: the table on top, as it is now.
fn model_request(s: &AppState) -> Option<ModelRequest> {
    let key = s.top_table_key()?.clone();
    let view = s.view(&key)?;
    Some(ModelRequest {
        region: s.tables.region_filter.clone(),
        session_regions: s.session.info.as_ref().map_or(0, |i| i.regions.len()),
        sort: view.sort,
        filter: view.filter.clone(),
        selected_id: view.selected_id.clone(),
        now: s.clock,
        key,
    })
}

/// For each failed region: every list that came back empty for it gets the old rows of that region.
/// Returns whether anything was carried over.
pub fn carry_over(old: &Inventory, new: &mut Inventory) -> bool {
    let failed: Vec<String> = new
        .regions
        .iter()
        .filter(|r| r.error.is_some())
        .map(|r| r.region.clone())
        .collect();
    if failed.is_empty() {
        return false;
    }
    macro_rules! keep {
        ($($field:ident),*) => {$(
            for region in &failed {
                if !new.$field.iter().any(|x| &x.region == region) {
                    new.$field.extend(old.$field.iter().filter(|x| &x.region == region).cloned());
                }
            }
        )*};
    }
    keep!(
        availability_zones,
        subnets,
        instances,
        volumes,
        snapshots,
        images,
        load_balancers,
        target_groups,
        target_health,
        listeners,
        elastic_ips,
        network_interfaces,
        volume_events,
        metrics,
        alarms
    );
    if new.identity.is_none() {
        new.identity = old.identity.clone();
    }
    new.fill_derived();
    true
}
