//! Moving around: the selection and scrolling of every screen, opening describe and xray, drilling
//! down with enter, sorting and filtering a table.

use super::common::status;
use super::pickers;
use super::select::row_key;
use crate::describe;
use crate::msg::Effect;
use crate::resources::ResourceKind;
use crate::state::{AppState, AzMapView, Describe, Scope, Screen, StatusLevel, ViewKey, Xray};
use crate::strings;
use crate::table::Sort;
use std::sync::Arc;

pub(super) fn apply_filter(s: &mut AppState) {
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

pub(super) fn page(s: &AppState) -> isize {
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

pub(super) fn move_sel(s: &mut AppState, d: isize) -> Vec<Effect> {
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

pub(super) fn open_describe(s: &mut AppState, kind: ResourceKind, id: &str) {
    let ctx = s.data.ctx(s.clock);
    let Some(row) = kind.find_row(&ctx, id) else {
        status(s, StatusLevel::Warn, strings::not_in_inventory(id));
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

pub(super) fn open_xray(s: &mut AppState, id: &str) {
    open_xray_of(s, ResourceKind::Instances, id);
}

/// Xray of an instance or an Auto Scaling group.
pub(super) fn open_xray_of(s: &mut AppState, kind: ResourceKind, id: &str) {
    s.nav.push(Screen::Xray(Xray {
        kind,
        subject: id.to_string(),
        items: Vec::new(),
        selected: 0,
        offset: 0,
        viewport: 10,
        first_y: 0,
        built_for: u64::MAX,
    }));
}

pub(super) fn enter(s: &mut AppState) -> Vec<Effect> {
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
                    ResourceKind::Instances | ResourceKind::AutoScalingGroups
                        if (kind, id.as_str()) != (x.kind, x.subject.as_str()) =>
                    {
                        open_xray_of(s, kind, &id)
                    }
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

pub(super) fn sort(s: &mut AppState, reverse: bool) {
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
        Some((t, desc)) => strings::sorted_by(&t, desc),
        None => strings::INVENTORY_ORDER.into(),
    };
    status(s, StatusLevel::Info, text);
}
