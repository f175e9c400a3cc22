//! The inventory the console shows, its indexes, and how fresh it is.

use crate::resources::{IndexedCtx, InvIndex};
use opsdeck_core::domain::{Inventory, Timestamp};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A background refresh shows in the header once it has run this long.
pub const SLOW_REFRESH_SECONDS: i64 = 5;

/// The inventory and how fresh it is.
#[derive(Debug, Clone, Default)]
pub struct DataState {
    pub inv: Arc<Inventory>,
    pub index: Arc<InvIndex>,
    /// Bumped on every new inventory: table models built for an older version are rebuilt.
    pub version: u64,
    /// When the last refresh answered (with or without errors): whether anything was loaded.
    /// Not the data's age: a failed region keeps older rows (`good_at` says how old).
    pub fetched_at: Option<Timestamp>,
    /// Per region: when it last answered without error (its data's real age).
    pub good_at: BTreeMap<String, Timestamp>,
    pub fetching: bool,
    /// When the refresh in flight started.
    pub fetch_started: Option<Timestamp>,
    /// The operator asked for the refresh in flight (ctrl-r, `:refresh`): the header says so. A
    /// background refresh changes nothing on screen unless it is slow (`SLOW_REFRESH_SECONDS`).
    pub fetch_asked: bool,
    pub fetch_gen: u64,
    pub failures: u32,
    pub next_refresh: Option<Timestamp>,
}

impl DataState {
    pub fn ctx(&self, now: Timestamp) -> IndexedCtx<'_> {
        IndexedCtx {
            inv: &self.inv,
            index: &self.index,
            now,
        }
    }

    pub fn loaded(&self) -> bool {
        self.fetched_at.is_some()
    }

    /// Whether the header shows the refresh in flight: one the operator asked for at once, a
    /// background one only once it is slow (an idle screen with auto-refresh on writes nothing).
    pub fn refresh_shown(&self, now: Timestamp) -> bool {
        self.fetching
            && (self.fetch_asked
                || self
                    .fetch_started
                    .is_some_and(|t| (now - t).num_seconds() >= SLOW_REFRESH_SECONDS))
    }
}
