//! Table views: which rows a table shows (`ViewKey`) and each view's own filter, sort and place.

use crate::resources::ResourceKind;
use crate::table::{Sort, TableModel};
use std::collections::HashMap;

/// Which rows of a kind a table shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    All,
    /// Target groups behind one load balancer (by ARN).
    LoadBalancer(String),
    /// Targets of one target group (by ARN).
    TargetGroup(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ViewKey {
    pub kind: ResourceKind,
    pub scope: Scope,
}

impl ViewKey {
    pub fn all(kind: ResourceKind) -> ViewKey {
        ViewKey {
            kind,
            scope: Scope::All,
        }
    }
}

/// One table view's own state: its filter and sort stay when the operator leaves and comes back.
#[derive(Default)]
pub struct TableView {
    pub filter: String,
    pub sort: Option<Sort>,
    pub selected: usize,
    pub offset: usize,
    /// Columns scrolled off to the left (the first column always stays).
    pub col_offset: usize,
    /// Rows the last frame had room for (page up/down use it).
    pub viewport: usize,
    /// Screen row of the first table row in the last frame (mouse clicks use it).
    pub first_row_y: u16,
    pub model: Option<TableModel>,
    /// The id of the selected row (kept across refreshes).
    pub selected_id: Option<String>,
    /// (data version, table epoch) the model was built for.
    pub built_for: (u64, u64),
    /// A task building the model: its generation and the (version, epoch) it builds for.
    pub building: Option<(u64, (u64, u64))>,
}

impl TableView {
    pub fn len(&self) -> usize {
        self.model.as_ref().map_or(0, TableModel::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn selected_row(&self) -> Option<usize> {
        self.model.as_ref()?.row(self.selected)
    }

    /// Moves the selection by `delta` rows (clamped), scrolling to keep it on screen.
    pub fn move_by(&mut self, delta: isize) {
        let n = self.len();
        if n == 0 {
            self.selected = 0;
            self.offset = 0;
            return;
        }
        let sel = (self.selected as isize + delta).clamp(0, n as isize - 1);
        self.select(sel as usize);
    }

    pub fn select(&mut self, i: usize) {
        let n = self.len();
        self.selected = if n == 0 { 0 } else { i.min(n - 1) };
        self.scroll_into_view();
    }

    pub fn scroll_into_view(&mut self) {
        let vp = self.viewport.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + vp {
            self.offset = self.selected + 1 - vp;
        }
        let n = self.len();
        if self.offset + vp > n {
            self.offset = n.saturating_sub(vp);
        }
    }

    pub fn page(&self) -> isize {
        self.viewport.max(2) as isize - 1
    }
}

/// All table views, and what narrows every one of them.
#[derive(Default)]
pub struct Tables {
    pub views: HashMap<ViewKey, TableView>,
    /// `:region R` when R is already connected: show only R.
    pub region_filter: Option<String>,
    /// Bumped when something every model depends on changes (the region filter).
    pub epoch: u64,
}
