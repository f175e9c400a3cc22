//! What the operator types (the `:` line, a `/` filter, a typed id) and what the console tells
//! them (the confirmation dialog, the status line).

use crate::msg::WriteOp;
use opsdeck_core::domain::Timestamp;

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
    /// What the action takes capacity from, for the lease check (`update::writes::pools_of`).
    pub pools: Vec<opsdeck_core::cloud::LeaseKey>,
    /// A line about the resource (name, state) so the operator sees what they act on.
    pub context: String,
    pub phase: ConfirmPhase,
    pub typed: String,
    pub generation: u64,
    /// What the capacity guard says this action would leave without a healthy target (a target
    /// group, or a group in an AZ), one line each; empty when it takes no group's last one.
    pub guard: Vec<String>,
}

impl Confirm {
    /// A destructive action, or one the capacity guard objects to, needs the subject's id typed.
    pub fn needs_typed(&self) -> bool {
        self.op.destructive() || !self.guard.is_empty()
    }

    pub fn confirmed(&self) -> bool {
        !self.needs_typed() || self.typed == self.op.subject()
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
