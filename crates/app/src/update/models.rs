//! The models of the screen on top: a table's (on the loop, or by a task when it is large), the
//! xray's and the AZ map's, rebuilt when the data changes.

use crate::msg::{BuiltModel, DataRef, Effect, ModelRequest};
use crate::resources::{CellCtx, IndexedCtx, InvIndex, ResourceKind};
use crate::state::{AppState, Scope, Screen, TableView, ViewKey};
use crate::strings;
use crate::table::{Sort, TableModel};
use crate::{azmap, xray};
use opsdeck_core::domain::Inventory;
use std::sync::Arc;

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
pub(super) fn install_model(s: &mut AppState, built: BuiltModel) {
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
            let items = match x.kind {
                ResourceKind::AutoScalingGroups => xray::group(&s.data.inv, &x.subject),
                _ => xray::instance(&s.data.inv, &x.subject, now),
            };
            if let Screen::Xray(xm) = s.nav.top_mut() {
                match items {
                    Some(items) => xm.items = items,
                    None => {
                        xm.items = vec![xray::XrayItem {
                            depth: 0,
                            text: strings::gone_from_inventory(&x.subject),
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
pub(super) fn remember_selection(s: &mut AppState) {
    let Some(key) = s.top_table_key().cloned() else {
        return;
    };
    let ctx = s.data.ctx(s.clock);
    if let Some(view) = s.tables.views.get_mut(&key) {
        view.selected_id = view.selected_row().map(|r| key.kind.row_uid(&ctx, r));
    }
}
