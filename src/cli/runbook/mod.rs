//! Headless runbooks: `opsdeck runbook NAME ... --plan | --yes`, `resume`, `rollback`, `abandon`,
//! and `opsdeck runs`. Every run goes through the runbook crate's one lifecycle (`launch`), as the
//! console's do; this module only plans, prints and asks on the terminal. Exit codes: `super::exit`.

mod approve;
mod out;
mod print;
mod signals;

pub use print::{list_runs, print_plan};

use super::args::{ExecArgs, GlobalArgs, InDoubt, RunbookCommand};
use super::exit;
use crate::config::Config;
use crate::session::Session;
use opsdeck_core::cloud::{FetchOptions, fetch_inventory};
use opsdeck_core::domain::Inventory;
use opsdeck_runbook::StateDir;
use opsdeck_runbook::control;
use opsdeck_runbook::engine::{ApprovalMode, Approver, AutoApprove, EngineOptions};
use opsdeck_runbook::journal::{Journal, RunStatus};
use opsdeck_runbook::launch::{self, Drive, LaunchError, Start};
use opsdeck_runbook::leases::LocalLeases;
use opsdeck_runbook::plan::Plan;
use opsdeck_runbook::rolling::{self, RollingArgs};
use out::{say, say_err};
use std::io::IsTerminal;
use std::sync::Arc;

/// Names and client tokens unique to a plan, on the session's clock (the simulator's in a demo).
fn stamp(session: &Session) -> String {
    session.now().format("%Y%m%d%H%M%S").to_string()
}

fn refused(why: &str) -> i32 {
    say_err!("opsdeck: refused: {why}");
    exit::REFUSED
}

pub async fn run(
    global: &GlobalArgs,
    config: &Config,
    dir: &StateDir,
    cmd: RunbookCommand,
) -> anyhow::Result<i32> {
    let read_only = global.read_only(config);
    let source = global.source(config);
    let connect = || crate::session::connect(&source, read_only, dir);
    // Under --demo a session has no profile; against AWS it is the one asked for.
    let profile = (!global.demo).then(|| global.profile_name()).flatten();
    match cmd {
        RunbookCommand::RollingMaintenance(a) => {
            let session = connect().await?;
            let region = one_region(&session, &global.regions)?;
            let Some((inv, unchecked)) =
                region_inventory(&session, &region, "rolling-maintenance").await
            else {
                return Ok(exit::FAILED);
            };
            let args = RollingArgs {
                instances: a.instances,
                target_group: a.target_group,
                group: a.group,
                replace: a.replace,
                suspend_processes: a.suspend_processes,
                floor_per_az: a.floor_per_az,
                reschedule_to: a.reschedule_to,
            };
            let details = match session.readers().iter().find(|r| r.region() == region) {
                Some(read) => rolling::group_details(read.as_ref(), &inv, &region, &args).await,
                None => rolling::GroupDetails::new(),
            };
            match rolling::plan(&inv, &region, &args, &details, session.now()) {
                Ok(mut plan) => {
                    plan.notes.extend(unchecked);
                    launch_run(&session, dir, Start::New(plan), &a.exec).await
                }
                Err(why) => Ok(refused(&why)),
            }
        }
        RunbookCommand::RemoveSpof(a) => {
            let session = connect().await?;
            if let Some(group) = a.group {
                let args = opsdeck_runbook::groups::WidenArgs {
                    group,
                    count: a.count,
                    az: a.az,
                };
                return plan_then_launch(&session, dir, global, ("remove-spof", &a.exec), |inv| {
                    opsdeck_runbook::groups::widen_plan(inv, &args)
                })
                .await;
            }
            let args = opsdeck_runbook::spof::SpofArgs {
                instance: a.instance.unwrap_or_default(),
                count: a.count,
                consistent: a.consistent,
                deregister_image: a.deregister_image,
                stamp: stamp(&session),
            };
            plan_then_launch(&session, dir, global, ("remove-spof", &a.exec), |inv| {
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
                stamp: stamp(&session),
            };
            plan_then_launch(&session, dir, global, ("db-failover", &a.exec), |inv| {
                opsdeck_runbook::failover::plan(inv, &args, session.now())
            })
            .await
        }
        RunbookCommand::Snapshot(a) => {
            let session = connect().await?;
            plan_then_launch(&session, dir, global, ("snapshot", &a.exec), |inv| {
                opsdeck_runbook::backup::snapshot_plan(inv, &a.instance, a.description.as_deref())
            })
            .await
        }
        RunbookCommand::Restore(a) => {
            let session = connect().await?;
            let attach = a.attach_to.as_deref().zip(a.device.as_deref());
            plan_then_launch(&session, dir, global, ("restore", &a.exec), |inv| {
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
            plan_then_launch(&session, dir, global, ("prune", &a.exec), |inv| {
                opsdeck_runbook::backup::prune_plan(inv, &args, session.now())
            })
            .await
        }
        RunbookCommand::Resume {
            run_id,
            in_doubt,
            exec,
        } => {
            // Settled only when the run goes on: `--plan` changes nothing.
            let start = Start::Resume {
                run_id,
                settle: in_doubt.filter(|_| !exec.plan).map(|a| a == InDoubt::Done),
                shown: None,
            };
            // Resolved (and locked) before connecting: a mistyped run id is answered from the journal.
            let ready = match launch::prepare(&dir.runs(), profile.as_deref(), start) {
                Ok(r) => r,
                Err(e) => return Ok(refusal(&e)),
            };
            let session = connect().await?;
            run_ready(&session, dir, ready, &exec).await
        }
        RunbookCommand::Rollback { run_id, exec } => {
            let ready = match launch::prepare(
                &dir.runs(),
                profile.as_deref(),
                Start::Rollback { run_id },
            ) {
                Ok(r) => r,
                Err(e) => return Ok(refusal(&e)),
            };
            let session = connect().await?;
            run_ready(&session, dir, ready, &exec).await
        }
        RunbookCommand::Abandon { run_id } => {
            let j = match Journal::open(&dir.runs(), &run_id) {
                Ok(j) => j,
                Err(e) => return Ok(refused(&format!("{e:#}"))),
            };
            // A session (and its writer) only when there are Auto Scaling processes to resume.
            let session = match j.load() {
                Ok(state) if !control::left_suspended(&state).is_empty() && !read_only => {
                    Some(connect().await?)
                }
                _ => None,
            };
            let writer = |region: &str| session.as_ref().and_then(|s| s.writer_for(region));
            match control::abandon(&j, &run_id, profile.as_deref(), &writer).await {
                Ok(said) if said.is_empty() => {
                    say!("run {run_id} abandoned; nothing was changed in the cloud");
                }
                Ok(said) => {
                    say!("run {run_id} abandoned");
                    for line in said {
                        say!("  {line}");
                    }
                }
                Err(control::AbandonError::Failed(why)) => {
                    say_err!("opsdeck: {why}");
                    return Ok(exit::FAILED);
                }
                Err(control::AbandonError::Refused(why)) => return Ok(refused(&why)),
            }
            Ok(exit::DONE)
        }
    }
}

fn refusal(e: &LaunchError) -> i32 {
    match e {
        LaunchError::Refused(why) => refused(why),
        LaunchError::Failed(why) => {
            say_err!("opsdeck: {why}");
            exit::FAILED
        }
    }
}

/// The region's inventory as `runbook`'s plan needs it (no metrics, no alarms); `None` (said on
/// stderr) when something it needs could not be read: a plan is never built on missing data. What
/// it could not read but does not need comes back as notes for the plan.
async fn region_inventory(
    session: &Session,
    region: &str,
    runbook: &str,
) -> Option<(Inventory, Vec<String>)> {
    let readers: Vec<_> = session
        .readers()
        .iter()
        .filter(|r| r.region() == region)
        .cloned()
        .collect();
    let opts = FetchOptions {
        metrics: false,
        alarms: false,
        ..FetchOptions::default()
    };
    let inv = fetch_inventory(&readers, &opts).await;
    match opsdeck_runbook::reads::check(&inv, region, runbook) {
        Ok(notes) => Some((inv, notes)),
        Err(why) => {
            say_err!("opsdeck: {why}");
            None
        }
    }
}

/// Reads the region's inventory and plans with `planner`; a refusal exits 2 before anything changes.
async fn plan_then_launch(
    session: &Session,
    dir: &StateDir,
    global: &GlobalArgs,
    (runbook, exec): (&str, &ExecArgs),
    planner: impl FnOnce(&Inventory) -> Result<Plan, String>,
) -> anyhow::Result<i32> {
    let region = one_region(session, &global.regions)?;
    let Some((inv, unchecked)) = region_inventory(session, &region, runbook).await else {
        return Ok(exit::FAILED);
    };
    match planner(&inv) {
        Ok(mut plan) => {
            plan.notes.extend(unchecked);
            launch_run(session, dir, Start::New(plan), exec).await
        }
        Err(why) => Ok(refused(&why)),
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
                say_err!(
                    "opsdeck: acting in {first} (of {}); pass --region to choose",
                    have.join(", ")
                );
            }
            Ok(first)
        }
        _ => anyhow::bail!("a runbook acts in one region; pass a single --region"),
    }
}

async fn launch_run(
    session: &Session,
    dir: &StateDir,
    start: Start,
    exec: &ExecArgs,
) -> anyhow::Result<i32> {
    match launch::prepare(&dir.runs(), session.profile.as_deref(), start) {
        Ok(ready) => run_ready(session, dir, ready, exec).await,
        Err(e) => Ok(refusal(&e)),
    }
}

/// Shows the plan; then (unless `--plan`) preflight for a new run, approval, journal and run.
async fn run_ready(
    session: &Session,
    dir: &StateDir,
    ready: launch::Ready,
    exec: &ExecArgs,
) -> anyhow::Result<i32> {
    print_plan(&ready.plan, exec.format, ready.progress.as_ref())?;
    if let Some(step) = ready.settled {
        say!(
            "step {} settled: {}",
            step + 1,
            settled_words(ready.progress.as_ref(), step)
        );
    }
    if exec.plan {
        return Ok(exit::DONE);
    }
    let plan = ready.plan.clone();
    let Some((read, write)) = session.ports_for(&plan.region) else {
        return Ok(refused(
            "this session is read-only; a runbook can only show its plan (--plan)",
        ));
    };
    if plan.steps.is_empty() {
        say!("nothing to do");
        return Ok(exit::DONE);
    }
    // A resumed run was checked when it started; a new one (or a rollback) is checked now.
    if ready.progress.is_none() {
        let problems =
            opsdeck_runbook::engine::preflight(read.as_ref(), write.as_ref(), &plan, plan.floor())
                .await;
        if !problems.is_empty() {
            say_err!("opsdeck: refused by preflight:");
            for p in &problems {
                let at = p
                    .step
                    .map(|s| format!("step {}: ", s + 1))
                    .unwrap_or_default();
                say_err!("  {at}{}", p.message);
            }
            return Ok(exit::REFUSED);
        }
        say!("preflight ok: every call tried with DryRun where the API allows it; guards hold");
    }
    // From here a signal no longer ends the process: SIGHUP lets the run go on, SIGTERM and SIGINT
    // stop it at its next safe point (again: at once), journaled.
    let (stop, received) = signals::watch()?;
    // Who approves is settled before anything is journaled: a run nobody can approve leaves no trace.
    let approver: Arc<dyn Approver> = if exec.yes {
        Arc::new(AutoApprove)
    } else if std::io::stdin().is_terminal() {
        Arc::new(approve::TerminalApprover { stop: stop.clone() })
    } else {
        return Ok(refused(
            "not on a terminal, so nobody can approve; pass --yes to run unattended",
        ));
    };
    // The audit log names who acted, when STS says.
    if let Ok(id) = read.identity().await {
        session.note_identity(&id.arn);
    }
    let resumed = ready.progress.is_some();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let steps: Vec<String> = plan.steps.iter().map(|s| s.title.clone()).collect();
    let printer = tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            print::print_event(&steps, &e);
        }
    });
    let drive = Drive {
        read,
        write,
        leases: Some(Arc::new(LocalLeases::new(dir.leases()))),
        approver,
        events: Some(tx),
        cancel: stop,
        opts: EngineOptions {
            floor: plan.floor(),
            approval: if exec.approve_each {
                ApprovalMode::PerStep
            } else {
                ApprovalMode::Once
            },
            ..EngineOptions::default()
        },
        on_journaled: Some(Box::new(move |id: &str, path: &std::path::Path| {
            if resumed {
                say!(
                    "run {id} resumed (journal {}): finished steps are skipped, a step in doubt is re-observed",
                    path.display()
                );
            } else {
                say!("run {id} (journal {})", path.display());
            }
        })),
    };
    let outcome = ready.run(drive).await;
    let _ = printer.await;
    let ended = match outcome {
        Ok(e) => e,
        Err(e) => return Ok(refusal(&e)),
    };
    if ended.was_declined() {
        say!("declined: nothing was changed and nothing was journaled");
        return Ok(received.first().map_or(exit::FAILED, exit::stopped_by));
    }
    let id = ended.run_id.unwrap_or_default();
    Ok(match ended.status {
        RunStatus::Done => {
            say!("run {id} done");
            print::print_run_outputs(ended.state.as_ref());
            if let Some(undone) = &ended.closed {
                say!("run {undone} is rolled back");
            }
            print::print_balance(session, &plan).await;
            exit::DONE
        }
        RunStatus::Cancelled if received.first().is_some() => {
            let by = received.first().unwrap_or(signals::SIGTERM);
            let open = ended
                .state
                .as_ref()
                .map(opsdeck_runbook::safety::open_steps)
                .unwrap_or_default();
            if open.is_empty() {
                say!(
                    "run {id} stopped by {by} at a safe point: nothing it took out is left out; \
                     `opsdeck runbook resume {id}` continues it, `opsdeck runbook rollback {id}` undoes it"
                );
                exit::stopped_by(by)
            } else {
                say!(
                    "run {id} stopped by {by} with these steps not put back: {}; \
                     `opsdeck runbook resume {id}` finishes them, `opsdeck runbook rollback {id}` undoes them",
                    open.join("; ")
                );
                exit::STOPPED_UNSAFE
            }
        }
        RunStatus::Failed if ended.state.as_ref().is_some_and(|s| s.resources_gone) => {
            say!(
                "run {id} failed: {}; resuming cannot help: `opsdeck runbook rollback {id}` undoes what it did, `opsdeck runbook abandon {id}` closes it",
                ended
                    .last_error
                    .as_deref()
                    .unwrap_or("its resources are gone")
            );
            print::print_run_outputs(ended.state.as_ref());
            exit::FAILED
        }
        other => {
            print::print_run_outputs(ended.state.as_ref());
            say!(
                "run {id} {}{}; `opsdeck runbook resume {id}` continues it, `opsdeck runbook rollback {id}` undoes it",
                other.as_str(),
                ended
                    .last_error
                    .as_deref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            );
            exit::FAILED
        }
    })
}

fn settled_words(
    progress: Option<&opsdeck_runbook::journal::RunState>,
    step: usize,
) -> &'static str {
    if progress.is_some_and(|p| p.acted.get(step).copied().unwrap_or(false)) {
        "its call happened; waiting for its effect"
    } else {
        "its call is made again"
    }
}
