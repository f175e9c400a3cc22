//! `opsdeck runbook ...`: each runbook's arguments, and resume / rollback / abandon.

use super::Format;
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum RunbookCommand {
    /// Drain, restart and rejoin instances one at a time (from scheduled events by default)
    RollingMaintenance(RollingCli),
    /// Clone an instance (via an AMI) into another AZ and register the clones where it serves
    RemoveSpof(SpofCli),
    /// Move a database to a standby or replacement: volume (or newest snapshot), then its Elastic IP
    DbFailover(FailoverCli),
    /// Snapshot every volume of an instance
    Snapshot(SnapshotCli),
    /// Restore a snapshot to a new volume in an AZ (optionally attached)
    Restore(RestoreCli),
    /// Delete a volume's old snapshots by retention (never one an AMI uses)
    Prune(PruneCli),
    /// Resume an unfinished run from its journal
    Resume {
        run_id: String,
        /// Settle the step whose call is in doubt (the run stopped mid-call and the cloud cannot
        /// tell, e.g. a reboot), after checking yourself: `done` if it happened, `redo` to make it
        #[arg(long, value_enum, value_name = "done|redo")]
        in_doubt: Option<InDoubt>,
        #[command(flatten)]
        exec: ExecArgs,
    },
    /// Undo what a run did (re-register what it deregistered, start what it stopped...)
    Rollback {
        run_id: String,
        #[command(flatten)]
        exec: ExecArgs,
    },
    /// Mark an unfinished run as abandoned (nothing is undone, except Auto Scaling processes it suspended: resumed)
    Abandon { run_id: String },
}

impl RunbookCommand {
    /// Whether the command writes the state dir (a run's journal, the audit log, leases) in a
    /// read-write session: anything but a plan shown. Abandon writes its journal even read-only.
    pub fn writes_state(&self) -> bool {
        let exec = match self {
            RunbookCommand::RollingMaintenance(a) => &a.exec,
            RunbookCommand::RemoveSpof(a) => &a.exec,
            RunbookCommand::DbFailover(a) => &a.exec,
            RunbookCommand::Snapshot(a) => &a.exec,
            RunbookCommand::Restore(a) => &a.exec,
            RunbookCommand::Prune(a) => &a.exec,
            RunbookCommand::Resume { exec, .. } | RunbookCommand::Rollback { exec, .. } => exec,
            RunbookCommand::Abandon { .. } => return true,
        };
        !exec.plan
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InDoubt {
    /// The call happened: wait for its effect
    Done,
    /// It did not: make it
    Redo,
}

#[derive(Debug, Args, Clone)]
pub struct ExecArgs {
    /// Print the plan and exit: nothing is changed
    #[arg(long)]
    pub plan: bool,
    /// Run without prompts (approves every step)
    #[arg(long)]
    pub yes: bool,
    /// Ask before every mutating step, not once for the plan
    #[arg(long)]
    pub approve_each: bool,
    /// Output format of the plan
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct RollingCli {
    /// Instance to maintain (repeatable); default: every instance with an upcoming event
    #[arg(long = "instance")]
    pub instances: Vec<String>,
    /// Maintain every instance registered in this target group (name or ARN)
    #[arg(long)]
    pub target_group: Option<String>,
    /// Maintain every in-service member of this Auto Scaling group, one at a time
    #[arg(long)]
    pub group: Option<String>,
    /// Replace group members through their group (terminate; it launches a new one) instead of
    /// restarting them
    #[arg(long)]
    pub replace: bool,
    /// Keep group members in service with HealthCheck, ReplaceUnhealthy and AZRebalance suspended for
    /// the run (resumed at its end) instead of taking them out through Standby
    #[arg(long)]
    pub suspend_processes: bool,
    /// Keep at least N healthy targets per AZ (default: only never the last of a group)
    #[arg(long, value_name = "N")]
    pub floor_per_az: Option<usize>,
    /// Reschedule the events to this time (RFC 3339) instead of maintaining now
    #[arg(long, value_name = "TIME")]
    pub reschedule_to: Option<chrono::DateTime<chrono::Utc>>,
    #[command(flatten)]
    pub exec: ExecArgs,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("subject").required(true).args(["instance", "group"]))]
pub struct SpofCli {
    /// The instance that is a single point of failure (a group member: its group is widened)
    #[arg(long)]
    pub instance: Option<String>,
    /// Widen this Auto Scaling group into another AZ (a subnet there, capacity for it); the group
    /// launches, opsdeck does not
    #[arg(long)]
    pub group: Option<String>,
    /// The AZ to widen a group into (default: the best one its load balancers serve)
    #[arg(long, value_name = "AZ", requires = "group")]
    pub az: Option<String>,
    /// How many clones (for a group: how many instances to add in the new AZ)
    #[arg(long, default_value_t = 1)]
    pub count: usize,
    /// Stop the instance while imaging it (consistent image; an outage, stated in the plan)
    #[arg(long)]
    pub consistent: bool,
    /// Deregister the AMI once the clones serve
    #[arg(long)]
    pub deregister_image: bool,
    #[command(flatten)]
    pub exec: ExecArgs,
}

#[derive(Debug, Args)]
pub struct FailoverCli {
    /// The failed or to-be-retired primary
    #[arg(long)]
    pub primary: String,
    /// Its data volume (default: its only non-root volume)
    #[arg(long)]
    pub volume: Option<String>,
    /// An existing standby (default: launch a replacement from the primary's AMI)
    #[arg(long)]
    pub standby: Option<String>,
    /// The AZ to fail over into
    #[arg(long)]
    pub target_az: Option<String>,
    /// Restore the newest snapshot even when the volume could be moved
    #[arg(long)]
    pub from_snapshot: bool,
    /// Force the detach (unflushed writes may be lost)
    #[arg(long)]
    pub force_detach: bool,
    /// How the client-facing address follows: auto (the Elastic IP, else a secondary ENI in the
    /// target AZ, else a secondary private IP in the same subnet, else none), eip, eni, private-ip, none
    #[arg(long, value_enum, default_value_t = AddressCli::Auto)]
    pub address: AddressCli,
    /// The secondary private IP to move (default: the only one on the primary's primary ENI)
    #[arg(long, value_name = "IP")]
    pub private_ip: Option<String>,
    /// The secondary network interface to move (default: the primary's only one)
    #[arg(long, value_name = "ENI_ID")]
    pub eni: Option<String>,
    #[command(flatten)]
    pub exec: ExecArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AddressCli {
    Auto,
    Eip,
    Eni,
    PrivateIp,
    None,
}

impl From<AddressCli> for opsdeck_runbook::failover::AddressMode {
    fn from(a: AddressCli) -> Self {
        use opsdeck_runbook::failover::AddressMode as M;
        match a {
            AddressCli::Auto => M::Auto,
            AddressCli::Eip => M::Eip,
            AddressCli::Eni => M::Eni,
            AddressCli::PrivateIp => M::PrivateIp,
            AddressCli::None => M::None,
        }
    }
}

#[derive(Debug, Args)]
pub struct SnapshotCli {
    #[arg(long)]
    pub instance: String,
    #[arg(long)]
    pub description: Option<String>,
    #[command(flatten)]
    pub exec: ExecArgs,
}

#[derive(Debug, Args)]
pub struct RestoreCli {
    #[arg(long)]
    pub snapshot: String,
    #[arg(long)]
    pub az: String,
    /// Attach the new volume to this instance (same AZ)
    #[arg(long, requires = "device")]
    pub attach_to: Option<String>,
    #[arg(long)]
    pub device: Option<String>,
    #[command(flatten)]
    pub exec: ExecArgs,
}

#[derive(Debug, Args)]
pub struct PruneCli {
    #[arg(long)]
    pub volume: String,
    /// Keep the N newest snapshots
    #[arg(long, value_name = "N")]
    pub keep: Option<usize>,
    /// Keep snapshots younger than this many days
    #[arg(long, value_name = "DAYS")]
    pub younger_than: Option<i64>,
    #[command(flatten)]
    pub exec: ExecArgs,
}
