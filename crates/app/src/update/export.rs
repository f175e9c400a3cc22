//! Export: the table on screen, filtered and sorted, written to a file by a task.

use super::common::status;
use crate::msg::{DataRef, Effect, ExportRequest};
use crate::state::{AppState, StatusLevel};
use crate::strings;
use std::sync::Arc;

pub(super) fn export(s: &mut AppState, json: bool) -> Vec<Effect> {
    let Some(key) = s.top_table_key().cloned() else {
        status(s, StatusLevel::Info, strings::EXPORT_NEEDS_TABLE);
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
    status(s, StatusLevel::Info, strings::exporting_to(&path));
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
