//! The console's state: one struct per screen or concern, composed in `AppState`.

mod data;
mod prompt;
mod screens;
mod session;
mod tables;

pub use data::{DataState, SLOW_REFRESH_SECONDS};
pub use prompt::{Confirm, ConfirmPhase, InputLine, InputMode, Status, StatusLevel};
pub use screens::{AzMapView, Describe, HelpView, Nav, Screen, Xray};
pub use session::{Prefs, SessionState};
pub use tables::{Scope, TableView, Tables, ViewKey};

use crate::msg::WriteOp;
use crate::runbook_screen::{RunbookUi, RunsState};
use opsdeck_core::domain::Timestamp;

/// The whole console state.
#[derive(Default)]
pub struct AppState {
    pub prefs: Prefs,
    pub session: SessionState,
    pub data: DataState,
    pub nav: Nav,
    pub tables: Tables,
    pub input: InputLine,
    pub dialog: Option<Confirm>,
    pub status: Option<Status>,
    /// Warnings from startup (keymap, config) shown once.
    pub warnings: Vec<String>,
    /// The latest write's generation: its answer is shown even after the dialog closed.
    pub write_gen: u64,
    /// The latest write, to name it in the status line when it answers.
    pub write_op: Option<WriteOp>,
    /// The runbook on the runbook screen (kept while the operator looks elsewhere).
    pub runbook: Option<RunbookUi>,
    /// The journal's runs (`:runs`, the unfinished-run banner).
    pub runs: RunsState,
    /// `q` during a run asks for a second `q`.
    pub quit_armed: bool,
    /// The session's clock (the simulator's in a demo): every age, time left, elapsed time and
    /// "at" on screen is measured with it. Ticks carry it; an inventory answer moves it forward.
    pub clock: Timestamp,
    /// This terminal's wall clock: what the operator waits through (status lines, the refresh
    /// schedule and its retries, a slow or stuck refresh), never sped up by a demo.
    pub wall: Timestamp,
    /// Something changed since the last frame.
    pub dirty: bool,
    pub quit: bool,
    next_gen: u64,
}

impl AppState {
    pub fn new(
        prefs: Prefs,
        profile: Option<String>,
        regions: Vec<String>,
        now: Timestamp,
    ) -> Self {
        AppState {
            prefs,
            session: SessionState {
                profile,
                regions,
                ..SessionState::default()
            },
            clock: now,
            wall: now,
            dirty: true,
            ..AppState::default()
        }
    }

    /// A fresh generation id for a request.
    pub fn next_gen_id(&mut self) -> u64 {
        self.next_gen += 1;
        self.next_gen
    }

    /// The table view on top of the stack, if the top is a table.
    pub fn top_table_key(&self) -> Option<&ViewKey> {
        match self.nav.top() {
            Screen::Table(k) => Some(k),
            _ => None,
        }
    }

    pub fn view(&self, key: &ViewKey) -> Option<&TableView> {
        self.tables.views.get(key)
    }

    /// The regions whose rows are on screen: the `:region` one, else every region of the session
    /// and of the inventory.
    pub fn regions_on_screen(&self) -> Vec<&str> {
        if let Some(r) = &self.tables.region_filter {
            return vec![r.as_str()];
        }
        let mut out: Vec<&str> = Vec::new();
        let session = self.session.info.iter().flat_map(|i| i.regions.iter());
        for r in session.chain(self.data.inv.regions.iter().map(|r| &r.region)) {
            if !out.contains(&r.as_str()) {
                out.push(r.as_str());
            }
        }
        out
    }

    /// When the oldest good data on screen was read: over the regions on screen, the earliest of
    /// the times each last answered without error. A failing region's rows are as old as that, even
    /// when the other regions refreshed a moment ago. `None` while no region on screen ever
    /// answered cleanly.
    pub fn data_as_of(&self) -> Option<Timestamp> {
        self.regions_on_screen()
            .into_iter()
            .filter_map(|r| self.data.good_at.get(r).copied())
            .min()
    }

    pub fn multi_region(&self) -> bool {
        self.tables.region_filter.is_none()
            && (self.data.inv.regions.len() > 1
                || self
                    .session
                    .info
                    .as_ref()
                    .is_some_and(|i| i.regions.len() > 1))
    }
}
