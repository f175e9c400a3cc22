//! remove-spof, db-failover, snapshot/restore/prune on the simulator's paused clock, with the
//! default demo fleet (the seeds' web shop): the scenarios (`scenarios`), the other ways
//! to move the database's address (`address_moves`), rolling a failover back (`rollback`), a data
//! volume already stuck (`stuck_volume`) and kills at every journal boundary (`kills`). What they
//! share is here.

use crate::support::calls::{self, made};
use crate::support::inventory::{data_volume, data_volume_id, primary_eni};
use crate::support::runbook::{self, at_every_kill_point};
use crate::support::sim::{self, World};
use opsdeck_core::analysis::{AnalysisOptions, FindingKind, Floor, find_all};
use opsdeck_core::domain::*;
use opsdeck_runbook::backup::{self, PruneArgs};
use opsdeck_runbook::engine::{preflight, rollback_plan};
use opsdeck_runbook::failover::{self, AddressMode, FailoverArgs};
use opsdeck_runbook::journal::{RunState, RunStatus};
use opsdeck_runbook::plan::Plan;
use opsdeck_runbook::spof::{self, SpofArgs};

const R: &str = "us-east-1";
/// The demo fleet's seed here (the ids and the dice follow from it).
const SEED: u64 = 11;

/// The default demo fleet, us-east-1.
fn demo() -> World {
    World::new(sim::fleet("default", SEED), R)
}

/// Runs a plan to the end (optionally "killed" after n journal writes and resumed).
async fn run(w: &World, plan: &Plan, kill_after: Option<usize>) -> (RunStatus, bool) {
    let (state, killed) = run_state(w, plan, kill_after).await;
    (state.status, killed)
}

/// Like `run`, returning the run's final state (for a rollback plan). The run is "t" (its
/// resources are tagged `opsdeck:run=t`).
async fn run_state(w: &World, plan: &Plan, kill_after: Option<usize>) -> (RunState, bool) {
    runbook::run_to_end(&w.read, &w.write, "t", plan, kill_after).await
}

fn findings(inv: &Inventory) -> Vec<(FindingKind, Vec<String>)> {
    find_all(inv, &AnalysisOptions::new(chrono::Utc::now()))
        .into_iter()
        .map(|f| (f.kind, f.resources))
        .collect()
}

/// One of the plan's notes says all of `words`.
fn notes_say(plan: &Plan, words: &[&str]) -> bool {
    plan.notes
        .iter()
        .any(|n| words.iter().all(|w| n.contains(w)))
}

/// The instance the data volume ended up on.
fn data_holder(inv: &Inventory, data: &str) -> String {
    inv.volume(data)
        .and_then(|v| v.attached_instance().map(str::to_string))
        .expect("the data volume is attached")
}

fn failover_args(primary: &str) -> FailoverArgs {
    FailoverArgs {
        primary: primary.to_string(),
        stamp: "t".into(),
        ..FailoverArgs::default()
    }
}

/// Where an Elastic IP points, read back: (instance, private address).
fn eip_points_at(inv: &Inventory, allocation_id: &str) -> (Option<String>, Option<String>) {
    let e = inv
        .elastic_ips
        .iter()
        .find(|e| e.allocation_id == allocation_id)
        .expect("the Elastic IP");
    (
        e.instance_id.clone().map(Into::into),
        e.private_ip.clone().map(Into::into),
    )
}

mod address_moves;
mod kills;
mod rollback;
mod scenarios;
mod stuck_volume;
