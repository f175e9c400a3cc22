//! The runbook engine as the tests drive it, in-process: a runner that approves every step, a
//! journal in a temp dir of the test's own, and a run that may be "killed" and resumed.

use opsdeck_core::analysis::Floor;
use opsdeck_core::cloud::{CloudRead, CloudWrite};
use opsdeck_runbook::engine::{AutoApprove, EngineError, EngineOptions, Runner, Stop, preflight};
use opsdeck_runbook::journal::{Journal, RunState, RunStatus};
use opsdeck_runbook::plan::Plan;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

/// A runner for `journal` over `read` and `write`: it approves every step, sends no events, is never
/// cancelled, with the engine's default options. Change a field with `Runner { .., ..runner(..) }`.
pub fn runner(read: &Arc<dyn CloudRead>, write: &Arc<dyn CloudWrite>, journal: Journal) -> Runner {
    let (cancel_tx, cancel) = tokio::sync::watch::channel(Stop::Go);
    // The sender lives as long as the test process: the run is never cancelled.
    std::mem::forget(cancel_tx);
    Runner {
        read: read.clone(),
        write: write.clone(),
        journal,
        approver: Arc::new(AutoApprove),
        events: None,
        cancel,
        opts: EngineOptions::default(),
        kill_after: None,
    }
}

/// The engine's test hook: after `n` more journal writes the run acts as if its process died.
pub fn kill_after(n: Option<usize>) -> Option<Arc<AtomicUsize>> {
    n.map(|n| Arc::new(AtomicUsize::new(n)))
}

/// The plan's preflight (dry runs, reads, the capacity floor) finds no problem.
pub async fn assert_preflight_ok(
    read: &Arc<dyn CloudRead>,
    write: &Arc<dyn CloudWrite>,
    plan: &Plan,
) {
    let problems = preflight(read.as_ref(), write.as_ref(), plan, Floor::default()).await;
    assert!(problems.is_empty(), "preflight: {problems:?}");
}

/// A journal for `plan` as run `run_id`, in a temp dir of its own (alive as long as the `TempDir`),
/// and its state as loaded.
pub fn journal(run_id: &str, plan: &Plan) -> (tempfile::TempDir, Journal, RunState) {
    let dir = tempfile::tempdir().expect("tempdir");
    let j = Journal::create(dir.path(), run_id, None, plan).expect("journal");
    let state = j.load().expect("load");
    (dir, j, state)
}

/// Runs `plan` as run `run_id` to its end. With `kill_after`, the run "dies" after that many journal
/// writes and a new runner resumes it from the journal alone. Either way it must end `Done` (any
/// other failure than the kill fails the test).
/// Returns the final state and whether it was killed on the way.
pub async fn run_to_end(
    read: &Arc<dyn CloudRead>,
    write: &Arc<dyn CloudWrite>,
    run_id: &str,
    plan: &Plan,
    kill_after: Option<usize>,
) -> (RunState, bool) {
    let (dir, j, mut state) = journal(run_id, plan);
    let first = Runner {
        kill_after: self::kill_after(kill_after),
        ..runner(read, write, j)
    };
    match first.run(&mut state).await {
        Ok(s) => {
            assert_eq!(s, RunStatus::Done, "{:?}", state.last_error);
            (state, false)
        }
        Err(e) if !matches!(e, EngineError::Killed) => panic!("run: {e}"),
        Err(_) => {
            let j = Journal::open(dir.path(), run_id).expect("journal");
            let mut resumed = j.load().expect("replay");
            let s = runner(read, write, j)
                .run(&mut resumed)
                .await
                .expect("resume");
            assert_eq!(
                s,
                RunStatus::Done,
                "after a kill at {kill_after:?}: {:?}",
                resumed.last_error
            );
            (resumed, true)
        }
    }
}

/// Kill points 1, 2, 3…: `attempt(n)` runs and checks one fresh run killed after `n` journal writes
/// (and resumed), answering whether it was killed. Ends with the first run that finished without a
/// kill, which must come after more than `covering` kill points (so that they covered the run).
pub async fn at_every_kill_point(
    what: &str,
    covering: usize,
    mut attempt: impl AsyncFnMut(usize) -> bool,
) {
    let mut n = 1;
    while attempt(n).await {
        n += 1;
    }
    assert!(
        n > covering,
        "{what}: the kill points covered the run ({n})"
    );
}
