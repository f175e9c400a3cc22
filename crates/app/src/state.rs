//! The console's state: one struct per screen or concern, composed in `AppState`.

use super::azmap::AzColumn;
use super::keys::Keymap;
use super::msg::{SessionInfo, WriteOp};
use super::resources::{IndexedCtx, InvIndex, ResourceKind};
use super::runbook_screen::{Chooser, RunbookUi, RunbookView, RunsState, RunsView};
use super::table::{Sort, TableModel};
use super::xray::XrayItem;
use opsdeck_core::domain::{Inventory, Timestamp};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

/// Settings that do not change while the console runs.
#[derive(Debug, Clone)]
pub struct Prefs {
    pub keymap: Keymap,
    pub refresh_seconds: u64,
    pub ascii: bool,
    pub color: bool,
    pub export_dir: PathBuf,
    /// Profiles named in the config (for `:profile` completion).
    pub profiles: Vec<String>,
    /// Findings: a data volume whose newest snapshot is older than this (`analysis` in the config).
    pub max_snapshot_age_hours: u64,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs {
            keymap: Keymap::default(),
            refresh_seconds: 30,
            ascii: false,
            color: true,
            export_dir: std::env::temp_dir(),
            profiles: Vec::new(),
            max_snapshot_age_hours: 24,
        }
    }
}

/// The connection: who we talk to, or why we cannot.
#[derive(Debug, Clone, Default)]
pub struct SessionState {
    pub info: Option<SessionInfo>,
    pub connecting: bool,
    pub error: Option<String>,
    pub connect_gen: u64,
    /// What the operator asked for (flags, `:profile`, `:region`): the next connect uses it.
    pub profile: Option<String>,
    pub regions: Vec<String>,
}

impl SessionState {
    pub fn read_only(&self) -> bool {
        self.info.as_ref().is_some_and(|i| i.read_only)
    }
}

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

#[derive(Debug, Clone)]
pub struct Describe {
    pub kind: ResourceKind,
    pub id: String,
    pub lines: Vec<String>,
    pub scroll: usize,
    pub viewport: usize,
}

#[derive(Debug, Clone)]
pub struct Xray {
    pub instance_id: String,
    pub items: Vec<XrayItem>,
    pub selected: usize,
    pub offset: usize,
    pub viewport: usize,
    /// Screen row of the first line in the last frame (mouse clicks).
    pub first_y: u16,
    pub built_for: u64,
}

#[derive(Debug, Clone, Default)]
pub struct AzMapView {
    pub columns: Vec<AzColumn>,
    pub selected: usize,
    pub scroll: usize,
    pub viewport: usize,
    pub built_for: u64,
}

#[derive(Debug, Clone, Default)]
pub struct HelpView {
    pub scroll: usize,
    pub viewport: usize,
}

/// A screen on the navigation stack; `esc` pops back to the one below.
#[derive(Debug, Clone)]
pub enum Screen {
    Table(ViewKey),
    Describe(Describe),
    Xray(Xray),
    AzMap(AzMapView),
    Help(HelpView),
    /// The runbook in `AppState::runbook`: plan, approvals, progress.
    Runbook(RunbookView),
    /// Runbooks to choose from.
    Runbooks(Chooser),
    /// The journal's runs.
    Runs(RunsView),
}

#[derive(Debug, Clone)]
pub struct Nav {
    pub stack: Vec<Screen>,
}

impl Default for Nav {
    fn default() -> Self {
        Nav {
            stack: vec![Screen::Table(ViewKey::all(ResourceKind::Instances))],
        }
    }
}

impl Nav {
    pub fn top(&self) -> &Screen {
        // The stack is never empty: `pop` keeps the last screen.
        &self.stack[self.stack.len() - 1]
    }
    pub fn top_mut(&mut self) -> &mut Screen {
        let n = self.stack.len();
        &mut self.stack[n - 1]
    }
    pub fn push(&mut self, s: Screen) {
        self.stack.push(s);
    }
    pub fn pop(&mut self) -> bool {
        if self.stack.len() > 1 {
            self.stack.pop();
            true
        } else {
            false
        }
    }
    pub fn reset(&mut self, s: Screen) {
        self.stack.clear();
        self.stack.push(s);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputMode {
    #[default]
    None,
    Command,
    Filter,
}

/// The `:` command line or the `/` filter being typed.
#[derive(Debug, Clone, Default)]
pub struct InputLine {
    pub mode: InputMode,
    pub text: String,
    /// Tab cycling: the prefix typed and which completion is shown.
    pub completion: Option<(String, usize)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmPhase {
    /// The dry run is on its way.
    Checking,
    /// The dry run says the call would succeed.
    Ready,
    /// The dry run refused; the reason in plain words.
    Refused(String),
    /// The real call is on its way.
    Running,
}

/// The confirmation dialog of a single action.
#[derive(Debug, Clone)]
pub struct Confirm {
    pub op: WriteOp,
    /// A line about the resource (name, state) so the operator sees what they act on.
    pub context: String,
    pub phase: ConfirmPhase,
    pub typed: String,
    pub generation: u64,
}

impl Confirm {
    pub fn confirmed(&self) -> bool {
        !self.op.destructive() || self.typed == self.op.subject()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusLevel {
    Info,
    Ok,
    Warn,
    Error,
}

#[derive(Debug, Clone)]
pub struct Status {
    pub text: String,
    pub level: StatusLevel,
    pub until: Timestamp,
}

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
    pub clock: Timestamp,
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
