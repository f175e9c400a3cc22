//! What is under the cursor: the resource, its id, the instance it belongs to.

use crate::resources::{CellCtx, ResourceKind};
use crate::state::{AppState, Screen};

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
pub(super) fn row_key(kind: ResourceKind, ctx: &dyn CellCtx, row: usize) -> String {
    kind.row_uid(ctx, row)
}

/// The plain id of the resource under the cursor (what copy copies).
pub(super) fn selected_id(s: &AppState) -> Option<String> {
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
