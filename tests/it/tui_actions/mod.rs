//! The console's effects run for real against the simulator: the same `update` and `Runner` the
//! terminal loop uses, without a terminal. A read-only session that presses every mutating key on
//! every view makes no mutating call; a read-write one makes exactly the dry run and then the call.
//!
//! `read_only`, `dry_runs` and `every_action` hold the tests; selecting a subject's row is here.

use crate::support;

use opsdeck_app::keys::{Key, KeyCode};
use opsdeck_app::resources::ResourceKind;
use opsdeck_app::{self as app, Effect, Input};
use opsdeck_core::cloud::TargetRef;
use opsdeck_core::domain::{AttachmentState, CheckStatus, InstanceState, Inventory, TargetState};
use opsdeck_sim::Sim;
use std::sync::Arc;
use support::calls;
use support::console::Harness;
use support::sim;

use support::MUTATING_KEYS as MUTATING;

/// What an action acts on, by the fleet's names (ids come from the seed).
#[derive(Debug, Clone, Copy)]
enum Subject {
    Instance(&'static str),
    Volume(&'static str),
    /// An instance's row in a target group's targets.
    Target {
        group: &'static str,
        instance: &'static str,
    },
}

fn key_of(label: &str) -> &'static str {
    MUTATING
        .iter()
        .find(|(_, l)| *l == label)
        .map(|(k, _)| *k)
        .unwrap_or_else(|| panic!("no key for {label}"))
}

/// Opens the subject's table and selects its row (by filtering on its id). Returns the id.
async fn select(h: &mut Harness, sim: &Sim, subject: Subject) -> String {
    let (view, id, group) = match subject {
        Subject::Instance(n) => ("instances", sim.instance_id(n), None),
        Subject::Volume(n) => ("volumes", sim.volume_id(n), None),
        Subject::Target { group, instance } => (
            "targets",
            sim.instance_id(instance),
            sim.target_group_arn(group),
        ),
    };
    let id = id.unwrap_or_else(|| panic!("{subject:?} in the fleet"));
    h.command(view).await;
    h.text(&format!("/{id}")).await;
    h.key(Key::plain(KeyCode::Enter)).await;
    let key = h.state.top_table_key().expect("a table").clone();
    let row = h
        .state
        .view(&key)
        .and_then(|v| v.selected_row())
        .unwrap_or_else(|| panic!("{subject:?}: a row selected"));
    let inv = &h.state.data.inv;
    let selected = match key.kind {
        ResourceKind::Instances => inv.instances[row].id.to_string(),
        ResourceKind::Volumes => inv.volumes[row].id.to_string(),
        ResourceKind::Targets => {
            let t = &inv.target_health[row];
            assert_eq!(Some(t.target_group_arn.to_string()), group, "{subject:?}");
            t.target_id.to_string()
        }
        other => panic!("{subject:?}: {other:?} on top"),
    };
    assert_eq!(selected, id, "{subject:?}: the selected row");
    id
}

mod demo_profile;
mod dry_runs;
mod every_action;
mod group_members;
mod leases;
mod read_only;
