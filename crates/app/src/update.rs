//! `update`: the one place state changes. Pure: it never awaits and never does I/O; work for the
//! outside world leaves as `Effect`s and comes back as `Msg`s.

use super::command;
use super::describe;
use super::keys::{Action, Key, KeyCode};
use super::msg::{
    BuiltModel, DataRef, Effect, ExportRequest, Input, ModelRequest, Mouse, MouseKind, Msg, WriteOp,
};
use super::resources::{CellCtx, IndexedCtx, InvIndex, ResourceKind};
use super::state::*;
use super::table::{Sort, TableModel};
use super::{azmap, findings, pickers, runbook_screen, xray};
use chrono::Duration;
use opsdeck_core::cloud::TargetRef;
use opsdeck_core::domain::{Inventory, Timestamp};
use std::sync::Arc;

const STATUS_SECONDS: i64 = 6;
/// A refresh in flight this long is presumed stuck: ctrl-r then starts another (the older one's
/// answer is dropped by its generation). Before that, ctrl-r joins the one in flight.
const STUCK_REFRESH_SECONDS: i64 = 120;
const MAX_BACKOFF_SECONDS: i64 = 300;

/// What the console does first: connect (the first frame is drawn before any answer).
pub fn startup(s: &mut AppState) -> Vec<Effect> {
    let mut fx = connect(s);
    if !s.warnings.is_empty() {
        let text = s.warnings.join("; ");
        status(s, StatusLevel::Warn, text);
    }
    fx.extend(ensure_models(s));
    fx.retain(|e| !matches!(e, Effect::Quit));
    fx
}

pub fn update(s: &mut AppState, input: Input) -> Vec<Effect> {
    let fx = match input {
        Input::Key(k) => {
            s.dirty = true;
            // "Quit again" means the very next key: any other key disarms it.
            if s.prefs.keymap.action(&k) != Some(Action::Quit) {
                s.quit_armed = false;
            }
            on_key(s, k)
        }
        Input::Mouse(m) => {
            s.dirty = true;
            on_mouse(s, m)
        }
        Input::Paste(text) => {
            s.dirty = true;
            // Pasted text is text: it goes only where text is typed (the command line, a filter, a
            // typed id), never to single-key commands, where a `y` in it could approve something.
            let mut fx = Vec::new();
            if accepts_text(s) {
                for c in text.chars().filter(|c| !c.is_control()) {
                    fx.extend(on_key(s, Key::ch(c)));
                }
            }
            fx
        }
        Input::Resize => {
            s.dirty = true;
            Vec::new()
        }
        Input::Tick(now) => on_tick(s, now),
        Input::Msg(m) => on_msg(s, m),
    };
    let mut fx = fx;
    fx.extend(ensure_models(s));
    remember_selection(s);
    fx
}

pub(super) fn status(s: &mut AppState, level: StatusLevel, text: impl Into<String>) {
    s.status = Some(Status {
        text: text.into(),
        level,
        until: s.clock + Duration::seconds(STATUS_SECONDS),
    });
    s.dirty = true;
}

// ---------------------------------------------------------------------------------------------
// Time, connection and refresh

fn on_tick(s: &mut AppState, now: Timestamp) -> Vec<Effect> {
    let before = s.clock;
    s.clock = now;
    // Ages and time-left cells are shown to the minute: redraw when the minute turns, not more.
    if before.timestamp() / 60 != now.timestamp() / 60 {
        s.dirty = true;
    }
    // A run's elapsed times count in seconds, on its screen only.
    if s.runbook.as_ref().is_some_and(|u| u.active())
        && matches!(s.nav.top(), Screen::Runbook(_))
        && before.timestamp() != now.timestamp()
    {
        s.dirty = true;
    }
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

/// Refusal of an action while the session is being replaced.
pub(super) const SWITCHING: &str = "switching session: actions wait until it has connected";

fn connect(s: &mut AppState) -> Vec<Effect> {
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
    s.data.fetch_started = Some(s.clock);
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

fn schedule_next(s: &mut AppState) {
    let next = next_refresh(s);
    // A run's health per AZ comes from the refreshes: keep them frequent while it lasts, even with
    // auto-refresh off, but never faster than the backoff of failing refreshes (the engine needs
    // the API more than the screen does).
    let running = s.runbook.as_ref().is_some_and(|u| u.active());
    s.data.next_refresh = if running && s.data.failures == 0 {
        let soon = s.clock + Duration::seconds(runbook_screen::RUN_REFRESH_SECONDS);
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
        Some(s.clock + wait)
    } else if s.prefs.refresh_seconds > 0 {
        Some(s.clock + Duration::seconds(s.prefs.refresh_seconds as i64))
    } else {
        None
    }
}

fn on_msg(s: &mut AppState, m: Msg) -> Vec<Effect> {
    match m {
        Msg::Connected { generation, result } => {
            if generation != s.session.connect_gen {
                return Vec::new();
            }
            s.session.connecting = false;
            s.dirty = true;
            match result {
                Ok(info) => {
                    let same_account =
                        s.session.info.as_ref().map(|i| &i.profile) == Some(&info.profile);
                    if !same_account && s.session.info.is_some() {
                        // Another profile is another account: never show its data under the new name.
                        s.data = DataState::default();
                        s.tables.epoch += 1;
                    }
                    s.session.error = None;
                    s.session.info = Some(info);
                    s.data.failures = 0;
                    let mut fx = start_fetch(s);
                    // Unfinished runs of an earlier session (a crash, a dropped SSH link) get a banner.
                    fx.push(Effect::ListRuns);
                    fx
                }
                Err(e) => {
                    s.session.error = Some(e);
                    s.data.failures += 1;
                    schedule_next(s);
                    Vec::new()
                }
            }
        }
        Msg::Inventory {
            generation,
            inv,
            index,
            model,
        } => {
            if generation != s.data.fetch_gen {
                return Vec::new();
            }
            s.data.fetching = false;
            s.data.fetch_asked = false;
            let carried = accept_inventory(s, *inv, index.map(|i| *i));
            if let Some(built) = model
                && !carried
            {
                install_model(s, *built);
            }
            Vec::new()
        }
        Msg::ModelBuilt { generation, built } => {
            let current = (s.data.version, s.tables.epoch);
            let wanted = s
                .tables
                .views
                .get(&built.request.key)
                .and_then(|v| v.building)
                .is_some_and(|(g, target)| g == generation && target == current);
            if wanted {
                install_model(s, *built);
                s.dirty = true;
            }
            Vec::new()
        }
        Msg::DryRun { generation, result } => {
            if let Some(d) = s.dialog.as_mut()
                && d.generation == generation
                && d.phase == ConfirmPhase::Checking
            {
                d.phase = match result {
                    Ok(()) => ConfirmPhase::Ready,
                    Err(e) => ConfirmPhase::Refused(e),
                };
                s.dirty = true;
            }
            Vec::new()
        }
        Msg::Written { generation, result } => {
            if generation != s.write_gen {
                return Vec::new();
            }
            if s.dialog
                .as_ref()
                .is_some_and(|d| d.generation == generation)
            {
                s.dialog = None;
            }
            let op = s.write_op.take();
            match result {
                Ok(detail) => {
                    let what = op.map(|o| o.done()).unwrap_or_else(|| "done".into());
                    status(s, StatusLevel::Ok, format!("{what}{detail}"));
                    start_fetch(s)
                }
                Err(e) => {
                    status(s, StatusLevel::Error, format!("failed: {e}"));
                    Vec::new()
                }
            }
        }
        Msg::Exported { result } => {
            match result {
                Ok((path, rows)) => status(
                    s,
                    StatusLevel::Ok,
                    format!("exported {rows} rows to {}", path.display()),
                ),
                Err(e) => status(s, StatusLevel::Error, format!("export failed: {e}")),
            }
            Vec::new()
        }
        Msg::Chaos { result } => match result {
            Some(Ok(said)) => {
                // Several lines (`status`, `help`) read as one on the status line.
                let said: Vec<&str> = said.lines().map(str::trim).collect();
                status(s, StatusLevel::Ok, format!("chaos: {}", said.join("; ")));
                // Show what the fault did at once rather than at the next scheduled refresh.
                start_fetch(s)
            }
            Some(Err(e)) => {
                status(s, StatusLevel::Error, format!("chaos: {e}"));
                Vec::new()
            }
            None => {
                status(
                    s,
                    StatusLevel::Warn,
                    "chaos works only in a demo (opsdeck --demo): there is nothing to inject into a real account",
                );
                Vec::new()
            }
        },
        m @ (Msg::Planned { .. }
        | Msg::Preflighted { .. }
        | Msg::RunStarted { .. }
        | Msg::Run { .. }
        | Msg::RunAsk { .. }
        | Msg::RunEnded { .. }
        | Msg::Runs { .. }
        | Msg::Abandoned { .. }) => runbook_screen::on_msg(s, m),
        Msg::TaskFailed { generation, what } => {
            status(
                s,
                StatusLevel::Error,
                format!("internal error in {what}; retrying"),
            );
            for v in s.tables.views.values_mut() {
                if v.building.is_some_and(|(g, _)| g == generation) {
                    v.building = None;
                }
            }
            if generation == s.data.fetch_gen {
                s.data.fetching = false;
                s.data.fetch_asked = false;
                s.data.failures += 1;
                schedule_next(s);
            }
            if generation == s.session.connect_gen {
                s.session.connecting = false;
                s.data.failures += 1;
                schedule_next(s);
            }
            if let Some(d) = s.dialog.as_mut()
                && d.generation == generation
            {
                d.phase = ConfirmPhase::Refused(format!("internal error in {what}"));
            }
            if s.runbook
                .as_ref()
                .is_some_and(|u| u.generation == generation)
            {
                return runbook_screen::on_msg(
                    s,
                    Msg::RunEnded {
                        generation,
                        result: Err(format!("internal error in {what}")),
                        last_error: None,
                    },
                );
            }
            Vec::new()
        }
    }
}

/// Takes a new inventory. A region that failed keeps its previous resources (with their age) so an
/// outage or expired credentials never blank the screen.
/// Returns whether a failed region's old data was carried over (the task's model is then stale).
fn accept_inventory(s: &mut AppState, mut inv: Inventory, index: Option<InvIndex>) -> bool {
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

/// Builds a requested table model for new data (the refresh task calls this, off the loop).
pub fn build_model(req: ModelRequest, inv: &Inventory, index: &InvIndex) -> BuiltModel {
    let multi = req.region.is_none() && (inv.regions.len() > 1 || req.session_regions > 1);
    let ctx = IndexedCtx {
        inv,
        index,
        now: req.now,
    };
    let rows = scope_rows(req.key.kind, &req.key.scope, &ctx, req.region.as_deref());
    let mut model = TableModel::build(req.key.kind, &ctx, rows, multi);
    if req.key.scope != Scope::All {
        model.hide_scope_columns();
    }
    model.set_sort(req.sort);
    model.set_filter(&req.filter);
    let selected = req.selected_id.as_deref().and_then(|id| {
        req.key
            .kind
            .find_row(&ctx, id)
            .and_then(|r| model.position_of(r))
    });
    BuiltModel {
        request: req,
        model,
        selected,
    }
}

/// Installs a model the refresh task built, unless the view changed shape meanwhile.
fn install_model(s: &mut AppState, built: BuiltModel) {
    let BuiltModel {
        request,
        mut model,
        selected,
    } = built;
    if request.region != s.tables.region_filter || model.with_region != s.multi_region() {
        return;
    }
    let epoch = s.tables.epoch;
    let version = s.data.version;
    let Some(view) = s.tables.views.get_mut(&request.key) else {
        return;
    };
    model.set_sort(view.sort);
    model.set_filter(&view.filter);
    // The selection moved on while the task ran: find that row instead.
    let selected = if view.selected_id == request.selected_id {
        selected
    } else {
        None
    };
    view.model = Some(model);
    view.built_for = (version, epoch);
    view.building = None;
    view.select(selected.unwrap_or(view.selected));
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

// ---------------------------------------------------------------------------------------------
// Models of the screen on top

fn scope_rows(
    kind: ResourceKind,
    scope: &Scope,
    ctx: &dyn CellCtx,
    region: Option<&str>,
) -> Vec<u32> {
    let inv = ctx.inv();
    let n = kind.row_count(ctx);
    (0..n)
        .filter(|&r| region.is_none_or(|reg| kind.row_region(ctx, r) == reg))
        .filter(|&r| match scope {
            Scope::All => true,
            Scope::LoadBalancer(arn) => inv.target_groups[r]
                .load_balancer_arns
                .iter()
                .any(|a| a == arn),
            Scope::TargetGroup(arn) => inv.target_health[r].target_group_arn == arn,
        })
        .map(|r| r as u32)
        .collect()
}

/// Builds (or rebuilds, after new data) the model of the screen on top.
/// Returns the effect that builds a large table's model in a task, if one is needed.
pub fn ensure_models(s: &mut AppState) -> Vec<Effect> {
    let version = s.data.version;
    let now = s.clock;
    match s.nav.top().clone() {
        Screen::Table(key) => return ensure_table(s, &key).into_iter().collect(),
        Screen::Xray(x) if x.built_for != version => {
            let items = xray::instance(&s.data.inv, &x.instance_id, now);
            if let Screen::Xray(xm) = s.nav.top_mut() {
                match items {
                    Some(items) => xm.items = items,
                    None => {
                        xm.items = vec![xray::XrayItem {
                            depth: 0,
                            text: format!("{} is gone from the inventory", x.instance_id),
                            level: xray::Level::Warn,
                            target: None,
                        }]
                    }
                }
                xm.selected = xm.selected.min(xm.items.len().saturating_sub(1));
                xm.built_for = version;
            }
        }
        Screen::AzMap(m) if m.built_for != version || m.columns.is_empty() => {
            let cols = azmap::build(&s.data.inv, &s.data.index.findings);
            if let Screen::AzMap(mm) = s.nav.top_mut() {
                mm.selected = mm.selected.min(cols.len().saturating_sub(1));
                mm.columns = cols;
                mm.built_for = version;
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Tables with at least this many rows of their kind are built by a task, off the loop (a build
/// costs ~3 ms per 1,000 rows: 5,000 keeps a build on the loop within half a 30 fps frame).
const TASK_BUILD_ROWS: usize = 5_000;

fn ensure_table(s: &mut AppState, key: &ViewKey) -> Option<Effect> {
    let want = (s.data.version, s.tables.epoch);
    let multi = s.multi_region();
    let region = s.tables.region_filter.clone();
    s.tables
        .views
        .entry(key.clone())
        .or_insert_with(|| TableView {
            // Targets read best grouped per AZ.
            sort: (key.kind == ResourceKind::Targets).then(|| Sort {
                col: targets_az_column(),
                descending: false,
            }),
            ..TableView::default()
        });
    let (fresh, building) = match s.tables.views.get(key) {
        Some(v) => (
            v.model.is_some() && v.built_for == want,
            v.building.is_some_and(|(_, target)| target == want),
        ),
        None => return None,
    };
    if fresh {
        return None;
    }
    if key.kind.row_count(&s.data.ctx(s.clock)) >= TASK_BUILD_ROWS {
        // A model of older data must not be drawn over the new data: the view says "building".
        if let Some(v) = s.tables.views.get_mut(key) {
            v.model = None;
        }
        if building {
            return None;
        }
        let generation = s.next_gen_id();
        let data = DataRef {
            inv: Arc::clone(&s.data.inv),
            index: Arc::clone(&s.data.index),
        };
        let session_regions = s.session.info.as_ref().map_or(0, |i| i.regions.len());
        let now = s.clock;
        let v = s.tables.views.get_mut(key)?;
        v.building = Some((generation, want));
        let request = ModelRequest {
            key: key.clone(),
            region,
            session_regions,
            sort: v.sort,
            filter: v.filter.clone(),
            selected_id: v.selected_id.clone(),
            now,
        };
        return Some(Effect::BuildModel {
            generation,
            data,
            request,
        });
    }
    let ctx = s.data.ctx(s.clock);
    let view = s.tables.views.get_mut(key)?;
    let rows = scope_rows(key.kind, &key.scope, &ctx, region.as_deref());
    let mut model = TableModel::build(key.kind, &ctx, rows, multi);
    if key.scope != Scope::All {
        model.hide_scope_columns();
    }
    model.set_sort(view.sort);
    model.set_filter(&view.filter);
    let pos = view.selected_id.as_deref().and_then(|id| {
        key.kind
            .find_row(&ctx, id)
            .and_then(|r| model.position_of(r))
    });
    view.model = Some(model);
    view.built_for = want;
    view.building = None;
    view.select(pos.unwrap_or(view.selected));
    None
}

fn targets_az_column() -> usize {
    ResourceKind::Targets
        .columns()
        .iter()
        .position(|c| c.title == "AZ")
        .unwrap_or(0)
}

/// Remembers the selected row's id, so a refresh (rows move) keeps the operator's place.
fn remember_selection(s: &mut AppState) {
    let Some(key) = s.top_table_key().cloned() else {
        return;
    };
    let ctx = s.data.ctx(s.clock);
    if let Some(view) = s.tables.views.get_mut(&key) {
        view.selected_id = view.selected_row().map(|r| key.kind.row_uid(&ctx, r));
    }
}

// ---------------------------------------------------------------------------------------------
// Keys

/// Whether a text field has the focus: the command line, a filter, or a typed-id confirmation.
fn accepts_text(s: &AppState) -> bool {
    if let Some(d) = &s.dialog {
        return d.op.destructive() && d.phase != ConfirmPhase::Running;
    }
    if s.input.mode != InputMode::None {
        return true;
    }
    matches!(s.nav.top(), Screen::Runbook(_))
        && s.runbook
            .as_ref()
            .is_some_and(|u| u.ask.is_some_and(|step| u.confirm_id(step).is_some()))
}

fn on_key(s: &mut AppState, key: Key) -> Vec<Effect> {
    if s.dialog.is_some() {
        return dialog_key(s, key);
    }
    match s.input.mode {
        InputMode::Command => command_key(s, key),
        InputMode::Filter => filter_key(s, key),
        InputMode::None => {
            // The runbook screen and `:runs` have fixed keys of their own (approve, cancel…).
            let own = match s.nav.top() {
                Screen::Runbook(_) => runbook_screen::key(s, key),
                Screen::Runs(_) => pickers::runs_key(s, key),
                _ => None,
            };
            if let Some(fx) = own {
                return fx;
            }
            match s.prefs.keymap.action(&key) {
                Some(a) => act(s, a),
                None => Vec::new(),
            }
        }
    }
}

/// Edits a line of text; returns true when the key was an edit.
pub(super) fn edit(text: &mut String, key: Key) -> bool {
    match (key.code, key.ctrl) {
        (KeyCode::Char('u'), true) => text.clear(),
        (KeyCode::Char('w'), true) => {
            let trimmed = text.trim_end().len();
            text.truncate(trimmed);
            let cut = text.rfind(' ').map(|i| i + 1).unwrap_or(0);
            text.truncate(cut);
        }
        (KeyCode::Backspace, _) => {
            text.pop();
        }
        (KeyCode::Char(c), false) if !key.alt => text.push(c),
        _ => return false,
    }
    true
}

fn filter_key(s: &mut AppState, key: Key) -> Vec<Effect> {
    match key.code {
        KeyCode::Enter => s.input.mode = InputMode::None,
        KeyCode::Esc => {
            s.input.mode = InputMode::None;
            s.input.text.clear();
            apply_filter(s);
        }
        KeyCode::Up | KeyCode::Down | KeyCode::PageUp | KeyCode::PageDown => {
            s.input.mode = InputMode::None;
            let a = match key.code {
                KeyCode::Up => Action::Up,
                KeyCode::Down => Action::Down,
                KeyCode::PageUp => Action::PageUp,
                _ => Action::PageDown,
            };
            return act(s, a);
        }
        _ => {
            if edit(&mut s.input.text, key) {
                apply_filter(s);
            } else if key.ctrl && key.code == KeyCode::Char('c') {
                return act(s, Action::Quit);
            }
        }
    }
    Vec::new()
}

fn apply_filter(s: &mut AppState) {
    let Some(key) = s.top_table_key().cloned() else {
        return;
    };
    let text = s.input.text.clone();
    if let Some(view) = s.tables.views.get_mut(&key) {
        view.filter = text.clone();
        if let Some(m) = view.model.as_mut() {
            m.set_filter(&text);
        }
        view.select(0);
    }
}

fn command_key(s: &mut AppState, key: Key) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc => {
            s.input.mode = InputMode::None;
            s.input.text.clear();
            s.input.completion = None;
        }
        KeyCode::Enter => {
            s.input.mode = InputMode::None;
            s.input.completion = None;
            let line = std::mem::take(&mut s.input.text);
            return run_command(s, &line);
        }
        KeyCode::Tab | KeyCode::BackTab => {
            let (prefix, idx) = match &s.input.completion {
                Some((p, i)) => {
                    let n = command::complete(p, &s.session, &s.prefs).len().max(1);
                    let step = if key.code == KeyCode::Tab { 1 } else { n - 1 };
                    (p.clone(), (i + step) % n)
                }
                None => (s.input.text.clone(), 0),
            };
            let options = command::complete(&prefix, &s.session, &s.prefs);
            if let Some(choice) = options.get(idx) {
                s.input.text = choice.clone();
                s.input.completion = Some((prefix, idx));
            }
        }
        _ => {
            if edit(&mut s.input.text, key) {
                s.input.completion = None;
            } else if key.ctrl && key.code == KeyCode::Char('c') {
                return act(s, Action::Quit);
            }
        }
    }
    Vec::new()
}

fn run_command(s: &mut AppState, line: &str) -> Vec<Effect> {
    match command::parse(line) {
        command::Command::Nothing => Vec::new(),
        command::Command::View(kind) => {
            s.nav.reset(Screen::Table(ViewKey::all(kind)));
            Vec::new()
        }
        command::Command::Runbooks => pickers::catalog(s),
        command::Command::Runs => pickers::runs(s),
        command::Command::AzMap => {
            s.nav.reset(Screen::AzMap(AzMapView::default()));
            Vec::new()
        }
        command::Command::Help => act(s, Action::Help),
        command::Command::Quit => act(s, Action::Quit),
        command::Command::Refresh => act(s, Action::Refresh),
        command::Command::Export(json) => export(s, json),
        command::Command::Region(None) => {
            let shown = match (&s.tables.region_filter, &s.session.info) {
                (Some(r), _) => format!("showing {r} only (:region all shows every region)"),
                (None, Some(i)) => format!("regions: {}", i.regions.join(", ")),
                (None, None) => "not connected yet".into(),
            };
            status(s, StatusLevel::Info, shown);
            Vec::new()
        }
        command::Command::Region(Some(r)) => region_command(s, &r),
        command::Command::Profile(None) => {
            let p = s
                .session
                .info
                .as_ref()
                .and_then(|i| i.profile.clone())
                .unwrap_or_else(|| "default".into());
            status(s, StatusLevel::Info, format!("profile: {p}"));
            Vec::new()
        }
        command::Command::Profile(Some(p)) => {
            // Another profile is another account: a run must finish where it started, and a plan
            // made for one account must never run on another.
            if s.runbook.as_ref().is_some_and(|u| u.active()) {
                status(
                    s,
                    StatusLevel::Warn,
                    "a run is in progress: switch profiles once it has ended (or cancel it)",
                );
                return Vec::new();
            }
            if let Some(ui) = s.runbook.as_mut()
                && ui.run_id.is_none()
            {
                ui.phase = runbook_screen::Phase::Refused(
                    "the profile changed: this plan was made for the previous one (r plans again)"
                        .into(),
                );
            } else if s.runbook.as_ref().is_some_and(|u| u.run_id.is_some()) {
                s.runbook = None;
            }
            s.session.profile = if p == "default" {
                None
            } else {
                Some(p.clone())
            };
            s.tables.region_filter = None;
            status(s, StatusLevel::Info, format!("switching to profile {p}…"));
            connect(s)
        }
        command::Command::Chaos(text) => chaos(s, text),
        command::Command::Unknown(c) => {
            status(
                s,
                StatusLevel::Error,
                format!("unknown command :{c} (tab completes, ? lists keys)"),
            );
            Vec::new()
        }
    }
}

/// `:chaos COMMAND`: the runner asks the session's simulator (a demo only) and answers with
/// `Msg::Chaos`; `update` never touches the simulator itself.
fn chaos(s: &mut AppState, text: String) -> Vec<Effect> {
    if text.is_empty() {
        status(
            s,
            StatusLevel::Info,
            "chaos (demo only): az-outage AZ, az-restore AZ, throttle ACTION RATE, latency 500ms, \
             errors RATE, crash I, stuck-detach V, deny/allow ACTION, event I CODE IN, skip 2h, status, clear",
        );
        return Vec::new();
    }
    if s.session.info.is_none() {
        status(s, StatusLevel::Warn, "not connected yet");
        return Vec::new();
    }
    vec![Effect::Chaos { text }]
}

fn region_command(s: &mut AppState, r: &str) -> Vec<Effect> {
    if r == "all" || r == "*" {
        s.tables.region_filter = None;
        s.tables.epoch += 1;
        status(s, StatusLevel::Info, "showing every region");
        return Vec::new();
    }
    let connected = s
        .session
        .info
        .as_ref()
        .is_some_and(|i| i.regions.iter().any(|x| x == r));
    if connected {
        s.tables.region_filter = Some(r.to_string());
        s.tables.epoch += 1;
        status(
            s,
            StatusLevel::Info,
            format!("showing {r} only (:region all shows every region)"),
        );
        Vec::new()
    } else {
        let mut regions = s
            .session
            .info
            .as_ref()
            .map(|i| i.regions.clone())
            .unwrap_or_else(|| s.session.regions.clone());
        regions.push(r.to_string());
        s.session.regions = regions;
        s.tables.region_filter = None;
        s.tables.epoch += 1;
        status(s, StatusLevel::Info, format!("adding region {r}…"));
        connect(s)
    }
}

fn dialog_key(s: &mut AppState, key: Key) -> Vec<Effect> {
    let Some(d) = s.dialog.as_mut() else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc => {
            if d.phase == ConfirmPhase::Running {
                // The call is on its way; its answer will still show in the status line.
                s.dialog = None;
            } else {
                s.dialog = None;
                status(s, StatusLevel::Info, "cancelled: nothing was changed");
            }
        }
        KeyCode::Enter => {
            if d.phase == ConfirmPhase::Ready && d.confirmed() {
                d.phase = ConfirmPhase::Running;
                let op = d.op.clone();
                let generation = s.next_gen_id();
                if let Some(d) = s.dialog.as_mut() {
                    d.generation = generation;
                }
                s.write_gen = generation;
                s.write_op = Some(op.clone());
                return vec![Effect::Write { generation, op }];
            }
        }
        _ => {
            if d.op.destructive() && d.phase != ConfirmPhase::Running {
                edit(&mut d.typed, key);
            } else if key.code == KeyCode::Char('y') && d.phase == ConfirmPhase::Ready {
                return dialog_key(s, Key::plain(KeyCode::Enter));
            } else if key.code == KeyCode::Char('n') {
                return dialog_key(s, Key::plain(KeyCode::Esc));
            }
        }
    }
    Vec::new()
}

// ---------------------------------------------------------------------------------------------
// Actions

fn act(s: &mut AppState, a: Action) -> Vec<Effect> {
    if a.mutates() {
        return mutate(s, a);
    }
    match a {
        Action::Quit => {
            if s.runbook.as_ref().is_some_and(|u| u.active()) && !s.quit_armed {
                s.quit_armed = true;
                status(
                    s,
                    StatusLevel::Warn,
                    "a run is in progress: quit again to stop it (it is journaled; :runs resumes it next time)",
                );
                return Vec::new();
            }
            s.quit = true;
            vec![Effect::Quit]
        }
        Action::Back => {
            if let Some(key) = s.top_table_key().cloned()
                && s.view(&key).is_some_and(|v| !v.filter.is_empty())
            {
                s.input.text.clear();
                apply_filter(s);
            } else {
                s.nav.pop();
            }
            Vec::new()
        }
        Action::Command => {
            s.input = InputLine {
                mode: InputMode::Command,
                ..InputLine::default()
            };
            Vec::new()
        }
        Action::Filter => {
            match s.top_table_key().cloned() {
                Some(key) => {
                    let current = s.view(&key).map(|v| v.filter.clone()).unwrap_or_default();
                    s.input = InputLine {
                        mode: InputMode::Filter,
                        text: current,
                        completion: None,
                    };
                }
                None => status(
                    s,
                    StatusLevel::Info,
                    "/ filters tables; esc goes back to one",
                ),
            }
            Vec::new()
        }
        Action::Help => {
            if !matches!(s.nav.top(), Screen::Help(_)) {
                s.nav.push(Screen::Help(HelpView::default()));
            }
            Vec::new()
        }
        Action::Refresh => {
            if s.session.info.is_none() {
                if s.session.connecting {
                    status(s, StatusLevel::Info, "already connecting…");
                    return Vec::new();
                }
                status(s, StatusLevel::Info, "refreshing…");
                return connect(s);
            }
            // Pressing again while a refresh runs joins it: with AWS throttling, every extra full
            // refresh would add to the load that slows them all.
            let running = s.data.fetching
                && s.data
                    .fetch_started
                    .is_some_and(|t| (s.clock - t).num_seconds() < STUCK_REFRESH_SECONDS);
            if running {
                s.data.fetch_asked = true;
                status(s, StatusLevel::Info, "refresh already running");
                return Vec::new();
            }
            status(s, StatusLevel::Info, "refreshing…");
            let fx = start_fetch(s);
            s.data.fetch_asked = true;
            fx
        }
        Action::Up => move_sel(s, -1),
        Action::Down => move_sel(s, 1),
        Action::PageUp => {
            let p = page(s);
            move_sel(s, -p)
        }
        Action::PageDown => {
            let p = page(s);
            move_sel(s, p)
        }
        Action::Top => move_sel(s, isize::MIN / 2),
        Action::Bottom => move_sel(s, isize::MAX / 2),
        Action::Left | Action::Right => {
            let d: isize = if a == Action::Left { -1 } else { 1 };
            match s.nav.top_mut() {
                Screen::AzMap(m) => {
                    let n = m.columns.len().max(1) as isize;
                    m.selected = (m.selected as isize + d).clamp(0, n - 1) as usize;
                }
                Screen::Table(key) => {
                    let key = key.clone();
                    if let Some(v) = s.tables.views.get_mut(&key) {
                        let max = v.model.as_ref().map_or(0, |m| m.ncols().saturating_sub(2));
                        v.col_offset = (v.col_offset as isize + d).clamp(0, max as isize) as usize;
                    }
                }
                _ => {}
            }
            Vec::new()
        }
        Action::Enter => enter(s),
        Action::Describe => {
            if let Some((kind, id)) = selected_target(s) {
                open_describe(s, kind, &id);
            }
            Vec::new()
        }
        Action::Xray => {
            match selected_instance(s) {
                Some(id) => open_xray(s, &id),
                None => status(
                    s,
                    StatusLevel::Info,
                    "xray: select an instance (or a target, volume, ENI of one)",
                ),
            }
            Vec::new()
        }
        Action::Runbook => pickers::for_selection(s),
        Action::AzMap => {
            if !matches!(s.nav.top(), Screen::AzMap(_)) {
                s.nav.push(Screen::AzMap(AzMapView::default()));
            }
            Vec::new()
        }
        Action::SortNext | Action::SortReverse => {
            sort(s, a == Action::SortReverse);
            Vec::new()
        }
        Action::CopyId => match selected_id(s) {
            Some(id) => {
                status(s, StatusLevel::Ok, format!("copied {id}"));
                vec![Effect::Copy { text: id }]
            }
            None => Vec::new(),
        },
        Action::ExportCsv => export(s, false),
        Action::ExportJson => export(s, true),
        _ => Vec::new(),
    }
}

fn page(s: &AppState) -> isize {
    let vp = match s.nav.top() {
        Screen::Table(k) => s.view(k).map_or(10, |v| v.viewport),
        Screen::Describe(d) => d.viewport,
        Screen::Xray(x) => x.viewport,
        Screen::AzMap(m) => m.viewport,
        Screen::Help(h) => h.viewport,
        Screen::Runbook(r) => r.viewport,
        Screen::Runbooks(c) => c.list.viewport,
        Screen::Runs(r) => r.list.viewport,
    };
    vp.max(2) as isize - 1
}

fn clamp_add(v: usize, d: isize, max: usize) -> usize {
    (v as isize).saturating_add(d).clamp(0, max as isize) as usize
}

fn move_sel(s: &mut AppState, d: isize) -> Vec<Effect> {
    match s.nav.top_mut() {
        Screen::Table(key) => {
            let key = key.clone();
            if let Some(v) = s.tables.views.get_mut(&key) {
                v.move_by(d);
            }
        }
        Screen::Describe(x) => {
            let max = x.lines.len().saturating_sub(x.viewport.max(1));
            x.scroll = clamp_add(x.scroll, d, max);
        }
        Screen::Xray(x) => {
            x.selected = clamp_add(x.selected, d, x.items.len().saturating_sub(1));
            let vp = x.viewport.max(1);
            if x.selected < x.offset {
                x.offset = x.selected;
            } else if x.selected >= x.offset + vp {
                x.offset = x.selected + 1 - vp;
            }
        }
        Screen::AzMap(m) => {
            let longest = m.columns.iter().map(|c| c.lines.len()).max().unwrap_or(0);
            m.scroll = clamp_add(m.scroll, d, longest.saturating_sub(m.viewport.max(1)));
        }
        Screen::Help(h) => {
            h.scroll = clamp_add(h.scroll, d, usize::MAX / 4);
        }
        Screen::Runbook(r) => {
            r.scroll = clamp_add(r.scroll, d, usize::MAX / 4);
        }
        Screen::Runbooks(c) => {
            let n = c.items.len();
            c.list.move_by(d, n);
        }
        Screen::Runs(r) => r.list.move_by(d, s.runs.list.len()),
    }
    Vec::new()
}

/// The resource under the cursor: a table row or an xray line.
pub(super) fn selected_target(s: &AppState) -> Option<(ResourceKind, String)> {
    match s.nav.top() {
        Screen::Table(key) => {
            let row = s.view(key)?.selected_row()?;
            Some((key.kind, row_key(key.kind, &s.data.ctx(s.clock), row)))
        }
        Screen::Xray(x) => x.items.get(x.selected)?.target.clone(),
        Screen::Describe(d) => Some((d.kind, d.id.clone())),
        _ => None,
    }
}

/// The key that names a row for describe and xray (unique within the kind).
fn row_key(kind: ResourceKind, ctx: &dyn CellCtx, row: usize) -> String {
    kind.row_uid(ctx, row)
}

/// The plain id of the resource under the cursor (what copy copies).
fn selected_id(s: &AppState) -> Option<String> {
    let (kind, key) = selected_target(s)?;
    let ctx = s.data.ctx(s.clock);
    let row = kind.find_row(&ctx, &key)?;
    Some(kind.row_id(&ctx, row))
}

pub(super) fn selected_instance(s: &AppState) -> Option<String> {
    let inv = &s.data.inv;
    let kind = selected_target(s)?.0;
    let id = selected_id(s)?;
    match kind {
        ResourceKind::Instances => Some(id),
        ResourceKind::Targets => (inv.instance(&id).map(|i| i.id.clone())).map(Into::into),
        ResourceKind::Volumes => inv
            .volume(&id)
            .and_then(|v| v.attached_instance())
            .map(str::to_string),
        ResourceKind::NetworkInterfaces => inv
            .network_interfaces
            .iter()
            .find(|n| n.id == id)
            .and_then(|n| n.attachment.as_ref())
            .and_then(|a| a.instance_id.clone())
            .map(Into::into),
        ResourceKind::ElasticIps => inv
            .elastic_ips
            .iter()
            .find(|e| e.allocation_id == id)
            .and_then(|e| e.instance_id.clone())
            .map(Into::into),
        ResourceKind::Events => (inv.instance(&id).map(|i| i.id.clone())).map(Into::into),
        _ => None,
    }
}

fn open_describe(s: &mut AppState, kind: ResourceKind, id: &str) {
    let ctx = s.data.ctx(s.clock);
    let Some(row) = kind.find_row(&ctx, id) else {
        status(
            s,
            StatusLevel::Warn,
            format!("{id} is not in the inventory"),
        );
        return;
    };
    let lines = describe::lines(&kind.row_json(&ctx, row));
    s.nav.push(Screen::Describe(Describe {
        kind,
        id: id.to_string(),
        lines,
        scroll: 0,
        viewport: 10,
    }));
}

fn open_xray(s: &mut AppState, id: &str) {
    s.nav.push(Screen::Xray(Xray {
        instance_id: id.to_string(),
        items: Vec::new(),
        selected: 0,
        offset: 0,
        viewport: 10,
        first_y: 0,
        built_for: u64::MAX,
    }));
}

fn enter(s: &mut AppState) -> Vec<Effect> {
    if matches!(s.nav.top(), Screen::Runbooks(_) | Screen::Runs(_)) {
        return pickers::enter(s);
    }
    match s.nav.top().clone() {
        Screen::Table(key) => {
            let Some(row) = s.view(&key).and_then(|v| v.selected_row()) else {
                return Vec::new();
            };
            let inv = Arc::clone(&s.data.inv);
            match key.kind {
                ResourceKind::LoadBalancers => s.nav.push(Screen::Table(ViewKey {
                    kind: ResourceKind::TargetGroups,
                    scope: Scope::LoadBalancer(inv.load_balancers[row].arn.to_string()),
                })),
                ResourceKind::TargetGroups => s.nav.push(Screen::Table(ViewKey {
                    kind: ResourceKind::Targets,
                    scope: Scope::TargetGroup(inv.target_groups[row].arn.to_string()),
                })),
                ResourceKind::Zones => s.nav.push(Screen::AzMap(AzMapView {
                    selected: inv
                        .az_names()
                        .iter()
                        .position(|a| *a == inv.availability_zones[row].name)
                        .unwrap_or(0),
                    ..AzMapView::default()
                })),
                kind => {
                    // The row's unique key: an instance in two groups, or two findings about the
                    // same group, each describe their own row.
                    let id = row_key(kind, &s.data.ctx(s.clock), row);
                    open_describe(s, kind, &id);
                }
            }
        }
        Screen::Xray(x) => {
            if let Some((kind, id)) = x.items.get(x.selected).and_then(|i| i.target.clone()) {
                match kind {
                    ResourceKind::Instances if id != x.instance_id => open_xray(s, &id),
                    ResourceKind::TargetGroups => s.nav.push(Screen::Table(ViewKey {
                        kind: ResourceKind::Targets,
                        scope: Scope::TargetGroup(id),
                    })),
                    _ => open_describe(s, kind, &id),
                }
            }
        }
        _ => {}
    }
    Vec::new()
}

fn sort(s: &mut AppState, reverse: bool) {
    let Some(key) = s.top_table_key().cloned() else {
        return;
    };
    let Some(view) = s.tables.views.get_mut(&key) else {
        return;
    };
    // The columns drawn (not those hidden under a scope), in order.
    let cols: Vec<usize> = view.model.as_ref().map_or(Vec::new(), |m| {
        (0..m.ncols()).filter(|&c| m.shown(c)).collect()
    });
    let Some(&first) = cols.first() else {
        return;
    };
    view.sort = if reverse {
        Some(match view.sort {
            Some(so) => Sort {
                col: so.col,
                descending: !so.descending,
            },
            None => Sort {
                col: first,
                descending: true,
            },
        })
    } else {
        match view.sort {
            None => Some(Sort {
                col: first,
                descending: false,
            }),
            Some(so) => cols.iter().find(|&&c| c > so.col).map(|&col| Sort {
                col,
                descending: so.descending,
            }),
        }
    };
    let title = view.sort.and_then(|so| {
        view.model
            .as_ref()
            .map(|m| (m.titles[so.col].clone(), so.descending))
    });
    if let Some(m) = view.model.as_mut() {
        m.set_sort(view.sort);
    }
    view.select(0);
    let text = match title {
        Some((t, desc)) => format!("sorted by {t} {}", if desc { "↓" } else { "↑" }),
        None => "inventory order".into(),
    };
    status(s, StatusLevel::Info, text);
}

// ---------------------------------------------------------------------------------------------
// Export

fn export(s: &mut AppState, json: bool) -> Vec<Effect> {
    let Some(key) = s.top_table_key().cloned() else {
        status(s, StatusLevel::Info, "export works on tables");
        return Vec::new();
    };
    let Some(model) = s.view(&key).and_then(|v| v.model.as_ref()) else {
        return Vec::new();
    };
    let request = ExportRequest {
        kind: key.kind,
        titles: model.titles.clone(),
        ncols: model.ncols(),
        rows: model.rows().collect(),
        json,
        now: s.clock,
    };
    let name = format!(
        "opsdeck-{}-{}.{}",
        key.kind.commands()[0],
        s.clock.format("%Y%m%d-%H%M%S"),
        if json { "json" } else { "csv" }
    );
    let path = s.prefs.export_dir.join(name);
    status(
        s,
        StatusLevel::Info,
        format!("exporting to {}…", path.display()),
    );
    let data = DataRef {
        inv: Arc::clone(&s.data.inv),
        index: Arc::clone(&s.data.index),
    };
    vec![Effect::Export {
        path,
        data,
        request,
    }]
}

// ---------------------------------------------------------------------------------------------
// Single actions

fn mutate(s: &mut AppState, a: Action) -> Vec<Effect> {
    if s.session.info.is_none() {
        status(s, StatusLevel::Warn, "not connected yet");
        return Vec::new();
    }
    // A `:profile` or `:region` switch in flight: the session that would act is the one being
    // left, and the operator already means the next one.
    if s.session.connecting {
        status(s, StatusLevel::Warn, SWITCHING);
        return Vec::new();
    }
    if s.session.read_only() {
        status(
            s,
            StatusLevel::Warn,
            format!("read-only session: {} is not available", a.label()),
        );
        return Vec::new();
    }
    let op = match build_op(s, a) {
        Ok(op) => op,
        Err(why) => {
            status(s, StatusLevel::Info, why);
            return Vec::new();
        }
    };
    let generation = s.next_gen_id();
    let context = op_context(&s.data.inv, &op);
    s.dialog = Some(Confirm {
        op: op.clone(),
        context,
        phase: ConfirmPhase::Checking,
        typed: String::new(),
        generation,
    });
    vec![Effect::DryRun { generation, op }]
}

fn op_context(inv: &Inventory, op: &WriteOp) -> String {
    let subject = op.subject();
    if let Some(i) = inv.instance(subject) {
        let tgs = inv.target_groups_of_instance(subject).len();
        return format!(
            "{} {} · {} · {} · {} · in {tgs} target group(s)",
            i.id,
            i.display_name(),
            i.state.as_str(),
            i.instance_type,
            i.az
        );
    }
    if let Some(v) = inv.volume(subject) {
        return format!(
            "{} · {}G {} · {} · attached to {}",
            v.id,
            v.size_gib,
            v.volume_type,
            v.az,
            v.attached_instance().unwrap_or("nothing")
        );
    }
    subject.to_string()
}

fn build_op(s: &AppState, a: Action) -> Result<WriteOp, String> {
    let inv = &s.data.inv;
    let key = s
        .top_table_key()
        .ok_or_else(|| format!("{}: select a resource in a table first", a.label()))?;
    let row = s
        .view(key)
        .and_then(|v| v.selected_row())
        .ok_or_else(|| format!("{}: nothing selected", a.label()))?;
    let want = |k: ResourceKind, cmd: &str| -> Result<(), String> {
        if key.kind == k {
            Ok(())
        } else {
            Err(format!(
                "{}: select {} (:{cmd})",
                a.label(),
                k.title().to_lowercase(),
            ))
        }
    };
    match a {
        Action::Start | Action::Stop | Action::Reboot | Action::CreateImage => {
            want(ResourceKind::Instances, "instances")?;
            let i = &inv.instances[row];
            let (region, instance_id) = (i.region.clone(), i.id.clone());
            Ok(match a {
                Action::Start => WriteOp::Start {
                    region: region.to_string(),
                    instance_id: instance_id.to_string(),
                },
                Action::Stop => WriteOp::Stop {
                    region: region.to_string(),
                    instance_id: instance_id.to_string(),
                },
                Action::Reboot => WriteOp::Reboot {
                    region: region.to_string(),
                    instance_id: instance_id.to_string(),
                },
                _ => WriteOp::CreateImage {
                    name: format!(
                        "{}-{}",
                        if i.display_name().is_empty() {
                            &i.id
                        } else {
                            i.display_name()
                        },
                        s.clock.format("%Y%m%d-%H%M%S")
                    ),
                    region: region.to_string(),
                    instance_id: instance_id.to_string(),
                },
            })
        }
        Action::CreateSnapshot | Action::Detach => {
            want(ResourceKind::Volumes, "volumes")?;
            let v = &inv.volumes[row];
            if a == Action::Detach {
                let Some(instance) = v.attached_instance() else {
                    return Err(format!("{} is not attached", v.id));
                };
                return Ok(WriteOp::Detach {
                    region: v.region.to_string(),
                    volume_id: v.id.to_string(),
                    instance_id: instance.to_string(),
                });
            }
            Ok(WriteOp::CreateSnapshot {
                region: v.region.to_string(),
                volume_id: v.id.to_string(),
                description: format!(
                    "opsdeck snapshot of {}{} at {}",
                    v.id,
                    v.attached_instance()
                        .map(|i| format!(" ({i})"))
                        .unwrap_or_default(),
                    s.clock.format("%Y-%m-%d %H:%M UTC")
                ),
            })
        }
        Action::Register | Action::Deregister => {
            want(ResourceKind::Targets, "targets")?;
            let t = &inv.target_health[row];
            let tg = inv
                .target_group(&t.target_group_arn)
                .map(|g| g.name.clone())
                .unwrap_or_else(|| t.target_group_arn.clone());
            let target = TargetRef {
                id: t.target_id.to_string(),
                port: t.port,
            };
            let (region, target_group_arn) = (t.region.clone(), t.target_group_arn.clone());
            Ok(if a == Action::Register {
                WriteOp::Register {
                    region: region.to_string(),
                    target_group_arn: target_group_arn.to_string(),
                    target_group: tg.to_string(),
                    target,
                }
            } else {
                WriteOp::Deregister {
                    region: region.to_string(),
                    target_group_arn: target_group_arn.to_string(),
                    target_group: tg.to_string(),
                    target,
                }
            })
        }
        _ => Err("not an action".into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Mouse

fn on_mouse(s: &mut AppState, m: Mouse) -> Vec<Effect> {
    if s.dialog.is_some() {
        return Vec::new();
    }
    match m.kind {
        MouseKind::ScrollUp => move_sel(s, -3),
        MouseKind::ScrollDown => move_sel(s, 3),
        MouseKind::Click => {
            match s.nav.top().clone() {
                Screen::Table(key) => {
                    if let Some(v) = s.tables.views.get_mut(&key)
                        && m.row >= v.first_row_y
                    {
                        let i = v.offset + usize::from(m.row - v.first_row_y);
                        if i < v.offset + v.viewport.max(1) && i < v.len() {
                            v.select(i);
                        }
                    }
                }
                Screen::Xray(_) => {
                    if let Screen::Xray(x) = s.nav.top_mut()
                        && m.row >= x.first_y
                    {
                        let i = x.offset + usize::from(m.row - x.first_y);
                        if i < x.items.len() && i < x.offset + x.viewport.max(1) {
                            x.selected = i;
                        }
                    }
                }
                _ => {}
            }
            Vec::new()
        }
    }
}
