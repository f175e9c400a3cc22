//! What flows into `update` (`Input`, `Msg`) and out of it (`Effect`).

use super::keys::Key;
use super::resources::InvIndex;
use super::runbook_screen::Planned;
use super::runbooks::{RunSummary, RunbookRequest};
use super::state::ViewKey;
use super::table::{Sort, TableModel};
use opsdeck_core::cloud::{LeaseKey, TargetRef};
use opsdeck_core::domain::{Inventory, Timestamp};
use opsdeck_runbook::engine::RunEvent;
use opsdeck_runbook::journal::RunStatus;
use opsdeck_runbook::plan::Plan;
use std::path::PathBuf;
use std::sync::Arc;

/// Everything `update` reacts to.
#[derive(Debug)]
pub enum Input {
    Key(Key),
    Mouse(Mouse),
    Paste(String),
    Resize,
    /// The clocks moved (the loop's timer): `wall` is this terminal's, `session` the session's
    /// (`AppState::wall`, `AppState::clock`; in a demo the second is the simulator's).
    Tick {
        wall: Timestamp,
        session: Timestamp,
    },
    Msg(Msg),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mouse {
    pub kind: MouseKind,
    pub column: u16,
    pub row: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MouseKind {
    ScrollUp,
    ScrollDown,
    Click,
}

/// Who the console talks to, as far as it needs to show and decide.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionInfo {
    pub label: String,
    pub profile: Option<String>,
    pub regions: Vec<String>,
    pub read_only: bool,
    /// Frame colour for this profile (config `profiles.<name>.color`).
    pub color: Option<String>,
    /// A `--demo` session: its world is simulated, and has no profiles to switch to.
    pub simulated: bool,
}

impl Input {
    /// A tick where the session's clock is the wall clock (AWS).
    pub fn tick(now: Timestamp) -> Input {
        Input::Tick {
            wall: now,
            session: now,
        }
    }
}

/// Results of tasks. Each carries the generation id of its request; `update` drops stale ones.
#[derive(Debug)]
pub enum Msg {
    Connected {
        generation: u64,
        result: Result<SessionInfo, String>,
    },
    Inventory {
        generation: u64,
        inv: Box<Inventory>,
        /// Its indexes, built by the task (off the loop); `None` lets `update` build them.
        index: Option<Box<InvIndex>>,
        /// The requested table model, built by the task too.
        model: Option<Box<BuiltModel>>,
    },
    DryRun {
        generation: u64,
        result: Result<(), String>,
    },
    Written {
        generation: u64,
        result: Result<String, String>,
    },
    Exported {
        result: Result<(PathBuf, usize), String>,
    },
    /// A table model built by a task (a large table opened, or its data replaced).
    ModelBuilt {
        generation: u64,
        built: Box<BuiltModel>,
    },
    /// A chaos command's answer; `None` when the session is not a demo (nothing to inject into).
    Chaos {
        result: Option<Result<String, String>>,
    },
    /// A runbook's plan (or the planner's refusal in plain words).
    Planned {
        generation: u64,
        result: Result<Box<Planned>, String>,
    },
    /// What the preflight found (nothing: the plan may run).
    Preflighted {
        generation: u64,
        problems: Vec<String>,
    },
    /// The run is journaled and the engine started.
    RunStarted { generation: u64, run_id: String },
    /// The engine's progress.
    Run { generation: u64, event: RunEvent },
    /// The engine waits for the operator's approval of a step (answered with `Effect::AnswerStep`).
    RunAsk { generation: u64, step: usize },
    /// The engine stopped: its outcome, or why it could not run on.
    RunEnded {
        generation: u64,
        result: Result<RunStatus, String>,
        last_error: Option<String>,
    },
    /// The journal's runs, newest first.
    Runs { runs: Vec<RunSummary> },
    /// A run closed: what the operator should know (processes resumed, members left in
    /// Standby), or why it stays open.
    Abandoned {
        run_id: String,
        result: Result<Vec<String>, String>,
    },
    /// A task died without answering (a bug): say so instead of waiting forever.
    TaskFailed { generation: u64, what: String },
}

/// A table to rebuild for new data, as it is on screen when the refresh starts.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRequest {
    pub key: ViewKey,
    pub region: Option<String>,
    /// Regions of the session (a REGION column appears with more than one).
    pub session_regions: usize,
    pub sort: Option<Sort>,
    pub filter: String,
    /// The selected row's `row_uid`, to find it again in the new data.
    pub selected_id: Option<String>,
    pub now: Timestamp,
}

/// A table model built for new data, and where the selected row went.
#[derive(Debug)]
pub struct BuiltModel {
    pub request: ModelRequest,
    pub model: TableModel,
    pub selected: Option<usize>,
}

/// Work for the effect runner. `update` never does I/O itself.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Connect {
        generation: u64,
        profile: Option<String>,
        regions: Vec<String>,
    },
    Fetch {
        generation: u64,
        /// The table on screen, to be rebuilt for the new data by the task (off the loop).
        model: Option<ModelRequest>,
    },
    /// `pools`: the capacity pools and resources the action takes from (`pools_of`): refused, naming
    /// the run, while another run holds one of them.
    DryRun {
        generation: u64,
        op: WriteOp,
        pools: Vec<LeaseKey>,
    },
    Write {
        generation: u64,
        op: WriteOp,
        pools: Vec<LeaseKey>,
    },
    /// Put text on the clipboard (OSC 52: works over SSH and tmux).
    Copy {
        text: String,
    },
    /// Format the rows (`ExportRequest::contents`, off the loop: 100,000 rows take a while) and
    /// write them to `path`.
    Export {
        path: PathBuf,
        data: DataRef,
        request: ExportRequest,
    },
    /// A chaos command against the demo's simulator (`Session::chaos`).
    Chaos {
        text: String,
    },
    /// Build a large table's model in a task, off the loop.
    BuildModel {
        generation: u64,
        data: DataRef,
        request: ModelRequest,
    },
    /// Plan a runbook against this inventory (reading what it lacks), or load a journaled run.
    PlanRunbook {
        generation: u64,
        request: RunbookRequest,
        inv: Arc<Inventory>,
    },
    /// DryRun every mutating step, evaluate the guards (never calls without `DryRun`).
    Preflight {
        generation: u64,
        plan: Plan,
    },
    /// Journal the plan (or reopen `resume`'s journal) and run the engine in the background.
    StartRun {
        generation: u64,
        plan: Plan,
        resume: Option<String>,
        /// Every mutating step asks (not only the destructive ones).
        approve_each: bool,
    },
    /// The operator's answer to `Msg::RunAsk`.
    AnswerStep {
        generation: u64,
        step: usize,
        approve: bool,
    },
    /// Sets the run's cancel signal: it stops at its next poll, journaled.
    CancelRun {
        generation: u64,
    },
    /// Read the journal's runs (answers `Msg::Runs`).
    ListRuns,
    /// Close an unfinished run (`Entry::Finished{Abandoned}`), resuming the Auto Scaling processes it
    /// left suspended.
    AbandonRun {
        run_id: String,
    },
    Quit,
}

/// What an export writes: these inventory rows of this kind, as the table shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRequest {
    pub kind: crate::resources::ResourceKind,
    pub titles: Vec<String>,
    /// The table's columns (its own, then REGION when several regions are in view).
    pub ncols: usize,
    /// Inventory rows, filtered and sorted as on screen.
    pub rows: Vec<usize>,
    pub json: bool,
    /// For ages and time-left cells.
    pub now: opsdeck_core::domain::Timestamp,
}

impl ExportRequest {
    /// The file's text: CSV with the table's titles, or a JSON list of rows.
    pub fn contents(&self, data: &DataRef) -> Result<String, String> {
        let ctx = crate::resources::IndexedCtx {
            inv: &data.inv,
            index: &data.index,
            now: self.now,
        };
        if self.json {
            let items: Vec<serde_json::Value> = self
                .rows
                .iter()
                .map(|&r| self.kind.row_json(&ctx, r))
                .collect();
            return serde_json::to_string_pretty(&items).map_err(|e| e.to_string());
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.titles).map_err(|e| e.to_string())?;
        for &r in &self.rows {
            let rec: Vec<String> = (0..self.ncols)
                .map(|c| crate::table::cell_text(self.kind, &ctx, r, c))
                .collect();
            w.write_record(&rec).map_err(|e| e.to_string())?;
        }
        let bytes = w.into_inner().map_err(|e| e.to_string())?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// The inventory and its indexes, shared with a task (compared by identity).
#[derive(Clone)]
pub struct DataRef {
    pub inv: std::sync::Arc<opsdeck_core::domain::Inventory>,
    pub index: std::sync::Arc<InvIndex>,
}

impl PartialEq for DataRef {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.inv, &other.inv)
            && std::sync::Arc::ptr_eq(&self.index, &other.index)
    }
}

impl std::fmt::Debug for DataRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataRef({} resources)", self.inv.resource_count())
    }
}

/// One mutating call the console can make, with what it needs to name it.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOp {
    Start {
        region: String,
        instance_id: String,
    },
    Stop {
        region: String,
        instance_id: String,
    },
    Reboot {
        region: String,
        instance_id: String,
    },
    CreateSnapshot {
        region: String,
        volume_id: String,
        description: String,
    },
    CreateImage {
        region: String,
        instance_id: String,
        name: String,
    },
    Register {
        region: String,
        target_group_arn: String,
        target_group: String,
        target: TargetRef,
    },
    Deregister {
        region: String,
        target_group_arn: String,
        target_group: String,
        target: TargetRef,
    },
    Detach {
        region: String,
        volume_id: String,
        instance_id: String,
    },
}

impl WriteOp {
    pub fn region(&self) -> &str {
        match self {
            WriteOp::Start { region, .. }
            | WriteOp::Stop { region, .. }
            | WriteOp::Reboot { region, .. }
            | WriteOp::CreateSnapshot { region, .. }
            | WriteOp::CreateImage { region, .. }
            | WriteOp::Register { region, .. }
            | WriteOp::Deregister { region, .. }
            | WriteOp::Detach { region, .. } => region,
        }
    }

    /// The resource acted on: what a destructive action asks to be typed.
    pub fn subject(&self) -> &str {
        match self {
            WriteOp::Start { instance_id, .. }
            | WriteOp::Stop { instance_id, .. }
            | WriteOp::Reboot { instance_id, .. }
            | WriteOp::CreateImage { instance_id, .. } => instance_id,
            WriteOp::CreateSnapshot { volume_id, .. } | WriteOp::Detach { volume_id, .. } => {
                volume_id
            }
            WriteOp::Register { target, .. } | WriteOp::Deregister { target, .. } => &target.id,
        }
    }

    /// Stop, deregister and detach take something out of service: the id must be typed.
    pub fn destructive(&self) -> bool {
        matches!(
            self,
            WriteOp::Stop { .. } | WriteOp::Deregister { .. } | WriteOp::Detach { .. }
        )
    }

    /// The API call, as the audit log and the dialog name it.
    pub fn call(&self) -> &'static str {
        match self {
            WriteOp::Start { .. } => "ec2:StartInstances",
            WriteOp::Stop { .. } => "ec2:StopInstances",
            WriteOp::Reboot { .. } => "ec2:RebootInstances",
            WriteOp::CreateSnapshot { .. } => "ec2:CreateSnapshot",
            WriteOp::CreateImage { .. } => "ec2:CreateImage",
            WriteOp::Register { .. } => "elasticloadbalancing:RegisterTargets",
            WriteOp::Deregister { .. } => "elasticloadbalancing:DeregisterTargets",
            WriteOp::Detach { .. } => "ec2:DetachVolume",
        }
    }

    /// One sentence saying what will happen.
    pub fn describe(&self) -> String {
        match self {
            WriteOp::Start { instance_id, .. } => format!("Start instance {instance_id}"),
            WriteOp::Stop { instance_id, .. } => format!("Stop instance {instance_id}"),
            WriteOp::Reboot { instance_id, .. } => format!("Reboot instance {instance_id}"),
            WriteOp::CreateSnapshot { volume_id, .. } => {
                format!("Create a snapshot of volume {volume_id}")
            }
            WriteOp::CreateImage {
                instance_id, name, ..
            } => {
                format!("Create image \"{name}\" of instance {instance_id} (no reboot)")
            }
            WriteOp::Register {
                target,
                target_group,
                ..
            } => format!(
                "Register {}{} in target group {target_group}",
                target.id,
                port_suffix(target.port)
            ),
            WriteOp::Deregister {
                target,
                target_group,
                ..
            } => format!(
                "Deregister {}{} from target group {target_group} (it drains first)",
                target.id,
                port_suffix(target.port)
            ),
            WriteOp::Detach {
                volume_id,
                instance_id,
                ..
            } => format!("Detach volume {volume_id} from {instance_id}"),
        }
    }

    /// Past tense for the status line.
    pub fn done(&self) -> String {
        match self {
            WriteOp::Start { instance_id, .. } => format!("start requested for {instance_id}"),
            WriteOp::Stop { instance_id, .. } => format!("stop requested for {instance_id}"),
            WriteOp::Reboot { instance_id, .. } => format!("reboot requested for {instance_id}"),
            WriteOp::CreateSnapshot { volume_id, .. } => format!("snapshot of {volume_id} started"),
            WriteOp::CreateImage { instance_id, .. } => {
                format!("image of {instance_id} started")
            }
            WriteOp::Register {
                target,
                target_group,
                ..
            } => format!("{} registered in {target_group}", target.id),
            WriteOp::Deregister {
                target,
                target_group,
                ..
            } => format!("{} deregistered from {target_group}", target.id),
            WriteOp::Detach { volume_id, .. } => format!("detach of {volume_id} requested"),
        }
    }
}

fn port_suffix(port: Option<i32>) -> String {
    port.map(|p| format!(":{p}")).unwrap_or_default()
}
