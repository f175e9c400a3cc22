//! Headless runbooks: `opsdeck runbook NAME ... --plan | --yes`, `resume`, `rollback`, `abandon`,
//! and `opsdeck runs`. Exit codes: 0 done (or plan shown), 2 refused (bad arguments, preflight,
//! guard, read-only), 1 failed or cancelled.

use super::{Format, GlobalArgs};
use crate::config::Config;
use crate::session::Session;
use async_trait::async_trait;
use clap::{Args, Subcommand};
use opsdeck_core::analysis::Floor;
use opsdeck_core::cloud::{FetchOptions, fetch_inventory};
use opsdeck_runbook::StateDir;
use opsdeck_runbook::control;
use opsdeck_runbook::engine::{
    self, Approval, ApprovalMode, Approver, AutoApprove, EngineOptions, RunEvent, Runner,
};
use opsdeck_runbook::journal::{self, Journal, RunState, RunStatus};
use opsdeck_runbook::plan::{Plan, Step};
use opsdeck_runbook::rolling::{self, RollingArgs};
use std::io::{IsTerminal, Write};
use std::sync::Arc;

pub const EXIT_REFUSED: i32 = 2;
pub const EXIT_FAILED: i32 = 1;

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
    /// Mark an unfinished run as abandoned (nothing is changed in the cloud)
    Abandon { run_id: String },
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
pub struct SpofCli {
    /// The instance that is a single point of failure
    #[arg(long)]
    pub instance: String,
    /// How many clones
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

/// Reads the region's inventory and plans with `planner`; a refusal exits 2 before anything changes.
async fn plan_then_start(
    session: &Session,
    dir: &StateDir,
    global: &GlobalArgs,
    exec: &ExecArgs,
    planner: impl FnOnce(&opsdeck_core::domain::Inventory) -> Result<Plan, String>,
) -> anyhow::Result<i32> {
    let region = one_region(session, &global.regions)?;
    let readers: Vec<_> = session
        .readers()
        .iter()
        .filter(|r| r.region() == region)
        .cloned()
        .collect();
    let inv = fetch_inventory(
        &readers,
        &FetchOptions {
            metrics: false,
            alarms: false,
            ..FetchOptions::default()
        },
    )
    .await;
    if let Some(e) = inv.regions.iter().find_map(|r| r.error.clone()) {
        eprintln!("opsdeck: cannot read {region}: {e}");
        return Ok(EXIT_FAILED);
    }
    match planner(&inv) {
        Ok(plan) => start(session, dir, plan, exec, Floor::default()).await,
        Err(why) => {
            eprintln!("opsdeck: refused: {why}");
            Ok(EXIT_REFUSED)
        }
    }
}

fn stamp() -> String {
    chrono::Utc::now().format("%Y%m%d%H%M%S").to_string()
}

pub async fn run(
    global: &GlobalArgs,
    config: &Config,
    dir: &StateDir,
    cmd: RunbookCommand,
) -> anyhow::Result<i32> {
    let read_only = global.read_only(config);
    // Connect only once there is something to act on: a mistyped run id is answered from the journal.
    let source = global.source(config);
    let connect = || crate::session::connect(&source, read_only, dir);
    match cmd {
        RunbookCommand::RollingMaintenance(a) => {
            let session = connect().await?;
            let region = one_region(&session, &global.regions)?;
            let inv = fetch_inventory(
                session.readers(),
                &FetchOptions {
                    metrics: false,
                    alarms: false,
                    ..FetchOptions::default()
                },
            )
            .await;
            if let Some(e) = inv.regions.iter().find_map(|r| r.error.clone()) {
                eprintln!("opsdeck: cannot read {region}: {e}");
                return Ok(EXIT_FAILED);
            }
            let args = RollingArgs {
                instances: a.instances,
                target_group: a.target_group,
                floor_per_az: a.floor_per_az,
                reschedule_to: a.reschedule_to,
            };
            let details = match session.readers().iter().find(|r| r.region() == region) {
                Some(read) => rolling::group_details(read.as_ref(), &inv, &region, &args).await,
                None => rolling::GroupDetails::new(),
            };
            match rolling::plan(&inv, &region, &args, &details) {
                Ok(plan) => {
                    let floor = Floor {
                        per_group: 1,
                        per_az: args.floor_per_az,
                    };
                    start(&session, dir, plan, &a.exec, floor).await
                }
                Err(why) => {
                    eprintln!("opsdeck: refused: {why}");
                    Ok(EXIT_REFUSED)
                }
            }
        }
        RunbookCommand::RemoveSpof(a) => {
            let session = connect().await?;
            let args = opsdeck_runbook::spof::SpofArgs {
                instance: a.instance,
                count: a.count,
                consistent: a.consistent,
                deregister_image: a.deregister_image,
                stamp: stamp(),
            };
            plan_then_start(&session, dir, global, &a.exec, |inv| {
                opsdeck_runbook::spof::plan(inv, &args)
            })
            .await
        }
        RunbookCommand::DbFailover(a) => {
            let session = connect().await?;
            let args = opsdeck_runbook::failover::FailoverArgs {
                primary: a.primary,
                volume: a.volume,
                standby: a.standby,
                target_az: a.target_az,
                from_snapshot: a.from_snapshot,
                force_detach: a.force_detach,
                address: a.address.into(),
                private_ip: a.private_ip,
                eni: a.eni,
                stamp: stamp(),
            };
            plan_then_start(&session, dir, global, &a.exec, |inv| {
                opsdeck_runbook::failover::plan(inv, &args)
            })
            .await
        }
        RunbookCommand::Snapshot(a) => {
            let session = connect().await?;
            plan_then_start(&session, dir, global, &a.exec, |inv| {
                opsdeck_runbook::backup::snapshot_plan(inv, &a.instance, a.description.as_deref())
            })
            .await
        }
        RunbookCommand::Restore(a) => {
            let session = connect().await?;
            let attach = a.attach_to.as_deref().zip(a.device.as_deref());
            plan_then_start(&session, dir, global, &a.exec, |inv| {
                opsdeck_runbook::backup::restore_plan(inv, &a.snapshot, &a.az, attach)
            })
            .await
        }
        RunbookCommand::Prune(a) => {
            let session = connect().await?;
            let args = opsdeck_runbook::backup::PruneArgs {
                volume: a.volume,
                keep: a.keep,
                younger_than_days: a.younger_than,
            };
            plan_then_start(&session, dir, global, &a.exec, |inv| {
                opsdeck_runbook::backup::prune_plan(inv, &args, chrono::Utc::now())
            })
            .await
        }
        RunbookCommand::Resume {
            run_id,
            in_doubt,
            exec,
        } => {
            let j = Journal::open(&dir.runs(), &run_id)?;
            let Some(_lock) = take(&j, &run_id) else {
                return Ok(EXIT_REFUSED);
            };
            let mut state = j.load()?;
            let session = connect().await?;
            if let Err(why) = control::check_resume(&dir.runs(), &state, session.profile.as_deref())
            {
                eprintln!("opsdeck: refused: {why}");
                return Ok(EXIT_REFUSED);
            }
            print_plan(&state.plan, exec.format, Some(&state))?;
            if exec.plan {
                return Ok(0);
            }
            if let Some(answer) = in_doubt {
                match control::resolve_in_doubt(&j, &mut state, answer == InDoubt::Done) {
                    Ok(step) => println!(
                        "step {} settled: {}",
                        step + 1,
                        if answer == InDoubt::Done {
                            "its call happened; waiting for its effect"
                        } else {
                            "its call is made again"
                        }
                    ),
                    Err(why) => {
                        eprintln!("opsdeck: refused: {why}");
                        return Ok(EXIT_REFUSED);
                    }
                }
            }
            let floor = state.plan.floor();
            let code = execute(&session, j, &mut state, &exec, floor).await?;
            // A resumed rollback closes the run it undid, as one run to the end does.
            if code == 0
                && let Err(why) = control::close_rolled_back(&dir.runs(), &state.plan)
            {
                eprintln!("opsdeck: {why}");
                return Ok(EXIT_FAILED);
            }
            Ok(code)
        }
        RunbookCommand::Rollback { run_id, exec } => {
            let j = Journal::open(&dir.runs(), &run_id)?;
            // Held while the rollback runs: nobody resumes what is being undone.
            let Some(_lock) = take(&j, &run_id) else {
                return Ok(EXIT_REFUSED);
            };
            let state = j.load()?;
            let session = connect().await?;
            let plan = match control::rollback_of(&dir.runs(), &state, session.profile.as_deref()) {
                Ok(plan) => plan,
                Err(why) => {
                    eprintln!("opsdeck: refused: {why}");
                    return Ok(EXIT_REFUSED);
                }
            };
            let code = start(&session, dir, plan.clone(), &exec, Floor::default()).await?;
            if code == 0
                && !exec.plan
                && let Err(why) = control::close_rolled_back(&dir.runs(), &plan)
            {
                eprintln!("opsdeck: {why}");
                return Ok(EXIT_FAILED);
            }
            Ok(code)
        }
        RunbookCommand::Abandon { run_id } => {
            let j = Journal::open(&dir.runs(), &run_id)?;
            if let Err(why) = control::abandon(&j, &run_id) {
                eprintln!("opsdeck: refused: {why}");
                return Ok(EXIT_REFUSED);
            }
            println!("run {run_id} abandoned; nothing was changed in the cloud");
            Ok(0)
        }
    }
}

/// Takes a run for this process, or says why not (another process drives it).
fn take(j: &Journal, run_id: &str) -> Option<journal::RunLock> {
    match j.lock() {
        Ok(l) => Some(l),
        Err(e) => {
            eprintln!("opsdeck: refused: run {run_id}: {e:#}");
            None
        }
    }
}

/// Runbooks act in one region at a time: the one `--region` names, else the session's first.
fn one_region(session: &Session, asked: &[String]) -> anyhow::Result<String> {
    let have = session.regions();
    match asked {
        [one] if have.contains(one) => Ok(one.clone()),
        [one] => anyhow::bail!(
            "region {one} is not available here (have: {})",
            have.join(", ")
        ),
        [] => {
            let first = have
                .first()
                .cloned()
                .ok_or_else(|| anyhow::anyhow!("no region to operate on"))?;
            if have.len() > 1 {
                eprintln!(
                    "opsdeck: acting in {first} (of {}); pass --region to choose",
                    have.join(", ")
                );
            }
            Ok(first)
        }
        _ => anyhow::bail!("a runbook acts in one region; pass a single --region"),
    }
}

/// Shows the plan; then (unless `--plan`) preflight, journal and run it.
async fn start(
    session: &Session,
    dir: &StateDir,
    plan: Plan,
    exec: &ExecArgs,
    floor: Floor,
) -> anyhow::Result<i32> {
    print_plan(&plan, exec.format, None)?;
    if exec.plan {
        return Ok(0);
    }
    let Some((read, write)) = session.ports_for(&plan.region) else {
        eprintln!(
            "opsdeck: refused: this session is read-only; a runbook can only show its plan (--plan)"
        );
        return Ok(EXIT_REFUSED);
    };
    if plan.steps.is_empty() {
        println!("nothing to do");
        return Ok(0);
    }
    let problems = engine::preflight(read.as_ref(), write.as_ref(), &plan, floor).await;
    if !problems.is_empty() {
        eprintln!("opsdeck: refused by preflight:");
        for p in &problems {
            eprintln!(
                "  {}{}",
                p.step
                    .map(|s| format!("step {}: ", s + 1))
                    .unwrap_or_default(),
                p.message
            );
        }
        return Ok(EXIT_REFUSED);
    }
    println!("preflight ok: every call tried with DryRun where the API allows it; guards hold");
    let run_id = journal::new_run_id(&plan.runbook);
    let j = Journal::create(&dir.runs(), &run_id, session.profile.clone(), &plan)?;
    let _lock = j.lock()?;
    let mut state = j.load()?;
    println!("run {run_id} (journal {})", j.path().display());
    execute(session, j, &mut state, exec, floor).await
}

async fn execute(
    session: &Session,
    j: Journal,
    state: &mut RunState,
    exec: &ExecArgs,
    floor: Floor,
) -> anyhow::Result<i32> {
    let region = state.plan.region.clone();
    let Some((read, write)) = session.ports_for(&region) else {
        eprintln!(
            "opsdeck: refused: this session is read-only; a runbook can only show its plan (--plan)"
        );
        return Ok(EXIT_REFUSED);
    };
    // The audit log names who acted, when STS says.
    if let Ok(id) = read.identity().await {
        session.note_identity(&id.arn);
    }
    let approver: Arc<dyn Approver> = if exec.yes {
        Arc::new(AutoApprove)
    } else if std::io::stdin().is_terminal() {
        Arc::new(TerminalApprover)
    } else {
        eprintln!(
            "opsdeck: refused: not on a terminal, so nobody can approve; pass --yes to run unattended"
        );
        return Ok(EXIT_REFUSED);
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (cancel_tx, cancel_rx) = tokio::sync::watch::channel(false);
    // ctrl-c cancels between polls; the journal records where, and the run can be resumed or rolled back.
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = cancel_tx.send(true);
        }
    });
    let steps: Vec<String> = state.plan.steps.iter().map(|s| s.title.clone()).collect();
    let printer = tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            print_event(&steps, &e);
        }
    });
    let runner = Runner {
        read,
        write,
        journal: j,
        approver,
        events: Some(tx),
        cancel: cancel_rx,
        opts: EngineOptions {
            floor,
            approval: if exec.approve_each {
                ApprovalMode::PerStep
            } else {
                ApprovalMode::Once
            },
            ..EngineOptions::default()
        },
        kill_after: None,
    };
    let status = runner
        .run(state)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    drop(runner);
    let _ = printer.await;
    let id = &state.run_id;
    Ok(match status {
        RunStatus::Done => {
            println!("run {id} done");
            print_balance(session, &state.plan).await;
            0
        }
        other => {
            println!(
                "run {id} {}{}; `opsdeck runbook resume {id}` continues it, `opsdeck runbook rollback {id}` undoes it",
                other.as_str(),
                state
                    .last_error
                    .as_deref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            );
            EXIT_FAILED
        }
    })
}

/// After a run that registered targets: healthy/total per AZ of those groups, read fresh.
async fn print_balance(session: &Session, plan: &Plan) {
    let groups: std::collections::BTreeSet<&str> = plan
        .steps
        .iter()
        .filter_map(|s| match &s.action {
            opsdeck_runbook::plan::Action::RegisterTarget {
                target_group_arn, ..
            } => Some(target_group_arn.as_str()),
            _ => None,
        })
        .collect();
    let Some(read) = session.readers().iter().find(|r| r.region() == plan.region) else {
        return;
    };
    if groups.is_empty() {
        return;
    }
    let Ok(instances) = read.instances().await else {
        return;
    };
    for arn in groups {
        let Ok(th) = read.target_health(arn).await else {
            continue;
        };
        let mut per_az: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
        for t in &th {
            let az = t.az.clone().or_else(|| {
                instances
                    .iter()
                    .find(|i| i.id == t.target_id)
                    .map(|i| i.az.clone())
            });
            let e = per_az
                .entry(az.unwrap_or_else(|| "?".into()).to_string())
                .or_default();
            e.1 += 1;
            if t.state == opsdeck_core::domain::TargetState::Healthy {
                e.0 += 1;
            }
        }
        let name = arn.rsplit('/').nth(1).unwrap_or(arn);
        let parts: Vec<String> = per_az
            .iter()
            .map(|(az, (h, n))| format!("{az} {h}/{n} healthy"))
            .collect();
        println!("{name}: {}", parts.join(", "));
    }
}

fn print_event(steps: &[String], e: &RunEvent) {
    let title = |i: usize| steps.get(i).cloned().unwrap_or_default();
    match e {
        RunEvent::StepStarted {
            step,
            title: t,
            expected_secs,
        } => {
            println!(
                "[{}/{}] {t} (expected {})",
                step + 1,
                steps.len(),
                opsdeck_core::domain::time::duration_secs(*expected_secs as i64)
            )
        }
        RunEvent::Acted {
            step,
            call,
            request_id,
        } => {
            println!(
                "      called {call} for step {} (request {})",
                step + 1,
                request_id.as_deref().unwrap_or("-")
            )
        }
        RunEvent::Waiting {
            step,
            detail,
            elapsed_secs,
            ..
        } => {
            println!(
                "      step {} waiting {}s: {detail}",
                step + 1,
                elapsed_secs
            )
        }
        RunEvent::Retrying { step, error } => println!("      step {} retrying: {error}", step + 1),
        RunEvent::StepFinished { step, elapsed_secs } => {
            println!("      done: {} ({}s)", title(*step), elapsed_secs)
        }
        RunEvent::StepFailed { step, error } => println!("      FAILED step {}: {error}", step + 1),
        RunEvent::Finished { .. } => {}
    }
}

pub fn print_plan(plan: &Plan, format: Format, progress: Option<&RunState>) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if format == Format::Json {
        let v = serde_json::json!({
            "runbook": plan.runbook,
            "region": plan.region,
            "args": plan.args,
            "expected_secs": plan.expected_secs(),
            "notes": plan.notes,
            "steps": plan.steps.iter().enumerate().map(|(i, s)| serde_json::json!({
                "step": i + 1,
                "title": s.title,
                "action": s.action,
                "calls": s.action.calls(),
                "resources": s.resources,
                "expected_secs": s.expected_secs,
                "timeout_secs": s.timeout_secs,
                "mutating": s.action.is_mutating(),
                "destructive": s.action.is_destructive(),
                "done": progress.map(|p| p.finished[i]),
            })).collect::<Vec<_>>(),
        });
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "Plan: {} in {} — {} steps, about {}",
        plan.runbook,
        plan.region,
        plan.steps.len(),
        opsdeck_core::domain::time::duration_secs(plan.expected_secs() as i64)
    )?;
    for n in &plan.notes {
        writeln!(out, "  note: {n}")?;
    }
    for (i, s) in plan.steps.iter().enumerate() {
        let mark = match progress {
            Some(p) if p.finished[i] => "done ",
            Some(p) if p.in_doubt[i] || p.acted[i] => "part ",
            Some(_) => "     ",
            None => "",
        };
        let flag = if s.action.is_destructive() {
            " [destructive]"
        } else {
            ""
        };
        writeln!(out, "{mark}{:>3}. {}{flag}", i + 1, s.title)?;
        writeln!(
            out,
            "       calls: {}; expected {}",
            s.action.calls(),
            opsdeck_core::domain::time::duration_secs(s.expected_secs as i64)
        )?;
    }
    Ok(())
}

/// Asks on the terminal: `yes` for the plan, the resource id for destructive steps.
struct TerminalApprover;

fn ask(prompt: String) -> String {
    print!("{prompt}");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    line.trim().to_string()
}

#[async_trait]
impl Approver for TerminalApprover {
    async fn approve_plan(&self, _plan: &Plan) -> Approval {
        let answer =
            tokio::task::spawn_blocking(|| ask("Run this plan? Type `yes` to go on: ".into()))
                .await;
        if answer.ok().as_deref() == Some("yes") {
            Approval::Approve
        } else {
            Approval::Cancel
        }
    }
    async fn approve_step(&self, index: usize, step: &Step) -> Approval {
        let title = step.title.clone();
        let want = step.action.confirm_id();
        let prompt = match &want {
            Some(id) => format!(
                "Step {}: {title}\n  destructive: type {id} to approve: ",
                index + 1
            ),
            None => format!("Step {}: {title}\n  type `yes` to approve: ", index + 1),
        };
        let answer = tokio::task::spawn_blocking(move || ask(prompt)).await.ok();
        let expected = want.unwrap_or_else(|| "yes".into());
        if answer.as_deref() == Some(expected.as_str()) {
            Approval::Approve
        } else {
            Approval::Cancel
        }
    }
}

/// `opsdeck runs`: every journaled run, newest first.
pub fn list_runs(dir: &StateDir, format: Format) -> anyhow::Result<i32> {
    let runs = journal::list(&dir.runs());
    let mut out = std::io::stdout().lock();
    if format == Format::Json {
        let v: Vec<serde_json::Value> = runs
            .iter()
            .map(|r| match r {
                Ok(s) => serde_json::json!({
                    "run_id": s.run_id, "runbook": s.plan.runbook, "region": s.plan.region,
                    "status": s.status.as_str(), "steps_done": s.finished.iter().filter(|f| **f).count(),
                    "steps": s.plan.steps.len(), "started_at": s.started_at, "last_error": s.last_error,
                }),
                Err((id, e)) => serde_json::json!({ "run_id": id, "error": e }),
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
        return Ok(0);
    }
    if runs.is_empty() {
        writeln!(
            out,
            "no runs yet (journals live in {})",
            dir.runs().display()
        )?;
        return Ok(0);
    }
    writeln!(
        out,
        "{:<44} {:<22} {:<11} {:>5}  STARTED",
        "RUN", "RUNBOOK", "STATUS", "STEPS"
    )?;
    for r in &runs {
        match r {
            Ok(s) => writeln!(
                out,
                "{:<44} {:<22} {:<11} {:>2}/{:<2}  {}{}",
                s.run_id,
                s.plan.runbook,
                s.status.as_str(),
                s.finished.iter().filter(|f| **f).count(),
                s.plan.steps.len(),
                s.started_at.format("%Y-%m-%d %H:%M"),
                s.last_error
                    .as_deref()
                    .map(|e| format!("  ({e})"))
                    .unwrap_or_default()
            )?,
            Err((id, e)) => writeln!(out, "{id:<44} unreadable: {e}")?,
        }
    }
    let open: Vec<&RunState> = runs
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .filter(|s| s.status.is_open())
        .collect();
    for s in open {
        writeln!(
            out,
            "unfinished: {} — `opsdeck runbook resume {0}`, `opsdeck runbook rollback {0}` or `opsdeck runbook abandon {0}`",
            s.run_id
        )?;
    }
    Ok(0)
}
