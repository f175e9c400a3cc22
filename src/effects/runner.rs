//! The effect runner: each `Effect` becomes a task against the session's ports, and its result a
//! `Msg` on the loop's one channel. Nothing here blocks the loop.

pub use super::channel::{Connector, LoopMsg};
use super::runs::{self, RunHandle};
use crate::session::Session;
use opsdeck_app::findings;
use opsdeck_app::msg::{Effect, Msg, WriteOp};
use opsdeck_app::resources::InvIndex;
use opsdeck_core::cloud::{
    CloudRead, CloudWrite, FetchOptions, LeaseKey, dry_run_verdict, fetch_inventory,
};
use opsdeck_core::domain::Tag;
use opsdeck_runbook::leases::LocalLeases;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

/// Who stopped a run, as its journal records it.
const CANCELLED_IN_CONSOLE: &str = "the console (cancel)";
const STOPPED_UNATTENDED: &str = "the console (unattended too long)";

pub struct Runner {
    connector: Connector,
    tx: UnboundedSender<LoopMsg>,
    fetch: FetchOptions,
    session: Option<Arc<Session>>,
    latest_connect: u64,
    /// For the findings computed with each refresh (`Prefs::max_snapshot_age_hours`).
    max_snapshot_age_hours: u64,
    /// Where runs are journaled (the state dir's `runs`, as headless runs).
    runs_dir: PathBuf,
    /// Where runs take their leases (the state dir's `leases`).
    leases_dir: PathBuf,
    /// Runs in progress, by the generation of their start request.
    active: HashMap<u64, RunHandle>,
}

impl Runner {
    /// `state`: where runs are journaled and take their leases (a test passes its own).
    pub fn new(
        connector: Connector,
        tx: UnboundedSender<LoopMsg>,
        fetch: FetchOptions,
        state: &opsdeck_runbook::StateDir,
    ) -> Self {
        Runner {
            connector,
            tx,
            fetch,
            session: None,
            latest_connect: 0,
            max_snapshot_age_hours: 24,
            runs_dir: state.runs(),
            leases_dir: state.leases(),
            active: HashMap::new(),
        }
    }

    /// Findings flag data volumes whose newest snapshot is older than this.
    pub fn with_max_snapshot_age(mut self, hours: u64) -> Self {
        self.max_snapshot_age_hours = hours;
        self
    }

    /// Installs a connected session if it answers the latest connect request.
    pub fn install(&mut self, generation: u64, session: Arc<Session>) {
        if generation == self.latest_connect {
            self.session = Some(session);
        }
    }

    /// The session's clock (`Session::now`); the wall clock until a session is connected. The loop's
    /// ticks carry it, so the console's clock is the simulator's in a demo.
    pub fn now(&self) -> opsdeck_core::domain::Timestamp {
        self.session
            .as_ref()
            .map_or_else(chrono::Utc::now, |s| s.now())
    }

    /// Whether every run this console started has ended.
    pub fn runs_finished(&self) -> bool {
        self.active.values().all(RunHandle::finished)
    }

    /// Asks every run in progress to stop (`by` names who, for the journal): the first time where
    /// nothing is left out of service, the second time at its next poll.
    pub fn stop_runs(&self, by: &str) {
        for h in self.active.values() {
            h.cancel(by);
        }
    }

    /// Stops every run in progress safely (`stop_runs`) and waits for them at most `within`; a run
    /// still going then is left unfinished in its journal (resume or roll it back later).
    pub async fn shutdown(&mut self, by: &str, within: std::time::Duration) {
        if self.runs_finished() {
            return;
        }
        self.stop_runs(by);
        let deadline = tokio::time::Instant::now() + within;
        while !self.runs_finished() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        if !self.runs_finished() {
            tracing::warn!("a run did not stop in time; its journal shows it unfinished");
        }
    }

    /// The terminal hung up (a dropped SSH session): the runs in progress go on with what was
    /// approved, decline any new question (stopping there, journaled), and the process waits for
    /// them at most `within` — a failover half done must not be left half done by a lost link.
    pub async fn finish_unattended(&mut self, within: std::time::Duration) {
        if self.active.values().all(RunHandle::finished) {
            return;
        }
        tracing::warn!("terminal hung up with a run in progress: finishing it unattended");
        for h in self.active.values() {
            h.go_unattended();
        }
        let deadline = tokio::time::Instant::now() + within;
        while self.active.values().any(|h| !h.finished()) && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        // Past the limit, stop where nothing is left out of service, as a quit would.
        self.shutdown(STOPPED_UNATTENDED, std::time::Duration::from_secs(30 * 60))
            .await;
    }

    /// Spawns a task and reports a panic in it as `Msg::TaskFailed` rather than leaving the
    /// console waiting for an answer that will never come.
    fn spawn<F>(&self, generation: u64, what: &'static str, fut: F)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let handle = tokio::spawn(fut);
        let tx = self.tx.clone();
        tokio::spawn(async move {
            if let Err(e) = handle.await
                && e.is_panic()
            {
                let _ = tx.send(LoopMsg::App(Msg::TaskFailed {
                    generation,
                    what: what.to_string(),
                }));
            }
        });
    }

    /// Runs every effect except the ones the loop handles itself (quit, copy).
    pub fn run(&mut self, effect: Effect) {
        let tx = self.tx.clone();
        match effect {
            Effect::Connect {
                generation,
                profile,
                regions,
            } => {
                self.latest_connect = generation;
                let connector = Arc::clone(&self.connector);
                self.spawn(generation, "connect", async move {
                    let result = connector(profile, regions).await;
                    let msg = match result {
                        Ok((session, info)) => {
                            let _ = tx.send(LoopMsg::Session(generation, Arc::new(session)));
                            Msg::Connected {
                                generation,
                                result: Ok(info),
                            }
                        }
                        Err(e) => Msg::Connected {
                            generation,
                            result: Err(format!("{e:#}")),
                        },
                    };
                    let _ = tx.send(LoopMsg::App(msg));
                });
            }
            Effect::Fetch { generation, model } => {
                let Some(session) = self.session.clone() else {
                    let _ = tx.send(LoopMsg::App(Msg::TaskFailed {
                        generation,
                        what: "refresh (no session)".into(),
                    }));
                    return;
                };
                let opts = self.fetch.clone();
                let max_age = self.max_snapshot_age_hours;
                let readers: Vec<Arc<dyn CloudRead>> = session.readers().to_vec();
                let session_now = Arc::clone(&session);
                self.spawn(generation, "refresh", async move {
                    let started = std::time::Instant::now();
                    // `fetch_inventory`'s future is not provably `Send` (a higher-ranked closure
                    // inside it), so it runs on a blocking-pool thread that drives it to completion.
                    let handle = tokio::runtime::Handle::current();
                    let fetched = tokio::task::spawn_blocking(move || {
                        let inv = handle.block_on(fetch_inventory(&readers, &opts));
                        // The answers are freed by now: their pages go back before the builds
                        // below would scatter their scratch through them.
                        crate::allocator::release_freed();
                        // Indexing 100,000 resources takes a while: here, not on the loop.
                        // So does the analysis: findings change only with the inventory.
                        // Measured on the session's clock, as of the read (the console's clock
                        // moves there when the answer arrives): in a demo, the simulator's.
                        let now = inv.fetched_at().unwrap_or_else(|| session_now.now());
                        let found = findings::compute(&inv, max_age, now);
                        let index = InvIndex::build(&inv).with_findings(found);
                        // So is the table on screen: the loop only swaps it in.
                        let built = model.map(|req| {
                            let req = opsdeck_app::msg::ModelRequest {
                                now: req.now.max(now),
                                ..req
                            };
                            Box::new(opsdeck_app::build_model(req, &inv, &index))
                        });
                        crate::allocator::release_freed();
                        (inv, index, built)
                    })
                    .await;
                    let (inv, index, built) = match fetched {
                        Ok(x) => {
                            // The audit log names who acted in the console, as STS says.
                            if let Some(id) = &x.0.identity {
                                session.note_identity(&id.arn);
                            }
                            x
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "refresh task failed");
                            let _ = tx.send(LoopMsg::App(Msg::TaskFailed {
                                generation,
                                what: "refresh".into(),
                            }));
                            return;
                        }
                    };
                    tracing::info!(
                        resources = inv.resource_count(),
                        ms = started.elapsed().as_millis() as u64,
                        "inventory refreshed"
                    );
                    let _ = tx.send(LoopMsg::App(Msg::Inventory {
                        generation,
                        inv: Box::new(inv),
                        index: Some(Box::new(index)),
                        model: built,
                    }));
                });
            }
            Effect::DryRun {
                generation,
                op,
                pools,
            } => {
                let writer = self.writer(&op);
                let leases = LocalLeases::new(&self.leases_dir);
                self.spawn(generation, "dry run", async move {
                    let result = match (writer, held_elsewhere(&leases, &pools).await) {
                        (_, Some(why)) | (Err(why), None) => Err(why),
                        (Ok(w), None) => dry_run_verdict(execute(&op, w.as_ref(), true).await)
                            .map_err(|e| e.to_string()),
                    };
                    let _ = tx.send(LoopMsg::App(Msg::DryRun { generation, result }));
                });
            }
            Effect::Write {
                generation,
                op,
                pools,
            } => {
                let writer = self.writer(&op);
                let leases = LocalLeases::new(&self.leases_dir);
                let profile = self.session.as_ref().and_then(|s| s.profile.clone());
                self.spawn(generation, "action", async move {
                    // Checked again: a run may have started since the dry run.
                    let result = match (writer, held_elsewhere(&leases, &pools).await) {
                        (_, Some(why)) | (Err(why), None) => Err(why),
                        (Ok(w), None) => execute(&op, w.as_ref(), false)
                            .await
                            .map_err(|e| e.to_string()),
                    };
                    tracing::info!(
                        target: "audit",
                        profile = profile.as_deref().unwrap_or("default"),
                        region = op.region(),
                        call = op.call(),
                        resource = op.subject(),
                        outcome = match &result { Ok(d) => format!("ok{d}"), Err(e) => format!("error: {e}") },
                        "console action"
                    );
                    let _ = tx.send(LoopMsg::App(Msg::Written { generation, result }));
                });
            }
            Effect::Export {
                path,
                data,
                request,
            } => {
                self.spawn(u64::MAX, "export", async move {
                    let p = path.clone();
                    let rows = request.rows.len();
                    // Formatting 100,000 rows is work for the blocking pool, not the loop.
                    let result = tokio::task::spawn_blocking(move || {
                        let contents = request.contents(&data)?;
                        if let Some(dir) = p.parent() {
                            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
                        }
                        std::fs::write(&p, contents).map_err(|e| e.to_string())
                    })
                    .await;
                    let result = match result {
                        Ok(Ok(())) => Ok((path, rows)),
                        Ok(Err(e)) => Err(format!("{}: {e}", path.display())),
                        Err(e) => Err(e.to_string()),
                    };
                    let _ = tx.send(LoopMsg::App(Msg::Exported { result }));
                });
            }
            Effect::Chaos { text } => {
                // Synchronous and quick (the simulator's lock, no network): answered right here.
                let result = match &self.session {
                    Some(session) => session.chaos(&text),
                    None => Some(Err("not connected yet".into())),
                };
                if let Some(Ok(said)) = &result {
                    tracing::info!(command = %text, answer = %said, "chaos");
                }
                let _ = tx.send(LoopMsg::App(Msg::Chaos { result }));
            }
            Effect::BuildModel {
                generation,
                data,
                request,
            } => {
                self.spawn(generation, "table", async move {
                    let built = tokio::task::spawn_blocking(move || {
                        opsdeck_app::build_model(request, &data.inv, &data.index)
                    })
                    .await;
                    match built {
                        Ok(built) => {
                            let _ = tx.send(LoopMsg::App(Msg::ModelBuilt {
                                generation,
                                built: Box::new(built),
                            }));
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "table build failed");
                            let _ = tx.send(LoopMsg::App(Msg::TaskFailed {
                                generation,
                                what: "table build".into(),
                            }));
                        }
                    }
                });
            }
            Effect::PlanRunbook {
                generation,
                request,
                inv,
            } => {
                let Some(session) = self.session.clone() else {
                    let _ = tx.send(LoopMsg::App(Msg::Planned {
                        generation,
                        result: Err("not connected".into()),
                    }));
                    return;
                };
                let dir = self.runs_dir.clone();
                self.spawn(generation, "planning", async move {
                    let result = runs::plan(session, dir, request, inv).await.map(Box::new);
                    let _ = tx.send(LoopMsg::App(Msg::Planned { generation, result }));
                });
            }
            Effect::Preflight { generation, plan } => {
                let Some(session) = self.session.clone() else {
                    let _ = tx.send(LoopMsg::App(Msg::Preflighted {
                        generation,
                        problems: vec!["not connected".into()],
                    }));
                    return;
                };
                self.spawn(generation, "preflight", async move {
                    let problems = runs::preflight(session, plan).await;
                    let _ = tx.send(LoopMsg::App(Msg::Preflighted {
                        generation,
                        problems,
                    }));
                });
            }
            Effect::StartRun {
                generation,
                plan,
                resume,
                approve_each,
            } => {
                let Some(session) = self.session.clone() else {
                    let _ = tx.send(LoopMsg::App(Msg::RunEnded {
                        generation,
                        result: Err("not connected".into()),
                        last_error: None,
                    }));
                    return;
                };
                self.active.retain(|_, h| !h.finished());
                let spec = runs::RunSpec {
                    generation,
                    plan,
                    resume,
                    approve_each,
                };
                let dirs = runs::Dirs {
                    runs: self.runs_dir.clone(),
                    leases: self.leases_dir.clone(),
                };
                let (handle, task) = runs::start(session, dirs, tx, spec);
                self.active.insert(generation, handle);
                self.spawn(generation, "runbook run", task);
            }
            Effect::AnswerStep {
                generation,
                step,
                approve,
            } => {
                if let Some(h) = self.active.get(&generation) {
                    h.answer(step, approve);
                }
            }
            Effect::CancelRun { generation } => {
                if let Some(h) = self.active.get(&generation) {
                    h.cancel(CANCELLED_IN_CONSOLE);
                }
            }
            Effect::ListRuns => {
                let dir = self.runs_dir.clone();
                self.spawn(u64::MAX, "journal list", async move {
                    let runs = tokio::task::spawn_blocking(move || runs::list(&dir))
                        .await
                        .unwrap_or_default();
                    let _ = tx.send(LoopMsg::App(Msg::Runs { runs }));
                });
            }
            Effect::AbandonRun { run_id } => {
                let dir = self.runs_dir.clone();
                let session = self.session.clone();
                self.spawn(u64::MAX, "abandon", async move {
                    let result = runs::abandon(&dir, &run_id, session).await;
                    let _ = tx.send(LoopMsg::App(Msg::Abandoned { run_id, result }));
                });
            }
            Effect::Quit | Effect::Copy { .. } => {}
        }
    }

    fn writer(&self, op: &WriteOp) -> Result<Arc<dyn CloudWrite>, String> {
        let Some(session) = &self.session else {
            return Err("not connected".into());
        };
        if session.is_read_only() {
            return Err("read-only session: there is no writer".into());
        }
        session
            .writer_for(op.region())
            .ok_or_else(|| format!("no writer for region {}", op.region()))
    }
}

/// Makes one call. The `Ok` text is a detail for the status line (new id, request id).
pub async fn execute(
    op: &WriteOp,
    w: &dyn CloudWrite,
    dry_run: bool,
) -> opsdeck_core::cloud::CloudResult<String> {
    let tags = [Tag::new("CreatedBy", "opsdeck")];
    let rid = |r: Option<String>| r.map(|r| format!(" (request {r})")).unwrap_or_default();
    Ok(match op {
        WriteOp::Start { instance_id, .. } => {
            let r = w
                .start_instances(std::slice::from_ref(instance_id), dry_run)
                .await?;
            rid(r.request_id)
        }
        WriteOp::Stop { instance_id, .. } => {
            let r = w
                .stop_instances(std::slice::from_ref(instance_id), false, dry_run)
                .await?;
            rid(r.request_id)
        }
        WriteOp::Reboot { instance_id, .. } => {
            let r = w
                .reboot_instances(std::slice::from_ref(instance_id), dry_run)
                .await?;
            rid(r.request_id)
        }
        WriteOp::CreateSnapshot {
            volume_id,
            description,
            ..
        } => {
            let r = w
                .create_snapshot(volume_id, description, &tags, dry_run)
                .await?;
            format!(": {}{}", r.value, rid(r.request_id))
        }
        WriteOp::CreateImage {
            instance_id, name, ..
        } => {
            let r = w
                .create_image(
                    instance_id,
                    name,
                    "created by opsdeck",
                    true,
                    &tags,
                    dry_run,
                )
                .await?;
            format!(": {}{}", r.value, rid(r.request_id))
        }
        WriteOp::Register {
            target_group_arn,
            target,
            ..
        } => {
            let r = w
                .register_targets(target_group_arn, std::slice::from_ref(target), dry_run)
                .await?;
            rid(r.request_id)
        }
        WriteOp::Deregister {
            target_group_arn,
            target,
            ..
        } => {
            let r = w
                .deregister_targets(target_group_arn, std::slice::from_ref(target), dry_run)
                .await?;
            rid(r.request_id)
        }
        WriteOp::Detach {
            volume_id,
            instance_id,
            ..
        } => {
            let r = w
                .detach_volume(volume_id, instance_id, false, dry_run)
                .await?;
            rid(r.request_id)
        }
    })
}

/// Why an action may not take from these pools now: a run (this console's or another process's)
/// holds one of them and is taking capacity from it.
async fn held_elsewhere(leases: &LocalLeases, pools: &[LeaseKey]) -> Option<String> {
    use opsdeck_core::cloud::Leases;
    let held = leases.holders(pools).await;
    let (key, holder) = held.first()?;
    Some(format!(
        "{key} is held by {holder}: it is taking capacity from the same pool; wait for it to end \
         (or cancel it) before acting by hand"
    ))
}
