//! What every family of actions shares: the context a step runs in, how the journal tells whether
//! its call was made, what the cloud says about it, and the small readers and tags they all use.
//! Kept out of `mod.rs` so the families depend on it and `mod.rs` on them, never in a circle.

use crate::journal::Outputs;
use crate::plan::Val;
use opsdeck_core::analysis::Floor;
use opsdeck_core::cloud::{CloudError, CloudRead, CloudResult, CloudWrite, Written};
use opsdeck_core::domain::*;

/// Tag keys that let a step find what it created, whoever crashed in between.
pub const TAG_RUN: &str = "opsdeck:run";
pub const TAG_OUTPUT: &str = "opsdeck:output";
pub const TAG_TOKEN: &str = "opsdeck:client-token";

pub struct Ctx<'a> {
    pub read: &'a dyn CloudRead,
    pub run_id: &'a str,
    pub floor: Floor,
    pub outputs: &'a Outputs,
}

/// Whether a step's mutating call was made, as the journal tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Called {
    No,
    /// The call started and its answer was never journaled (a crash, a kill): it may have happened.
    InDoubt,
    Yes,
}

/// What the cloud says about a step.
#[derive(Debug, Clone, PartialEq)]
pub enum Seen {
    /// A call in doubt shows to have been made (this is the evidence): count it as made, and wait.
    Happened(String),
    /// Its effect holds; these are its outputs.
    Done(Outputs),
    /// On its way (draining, pending, initializing...): wait.
    Pending(String),
    /// Not done and nothing under way: the call must be made.
    Act,
}

/// A step's call being made: the step's context, where it writes, and whether it is a dry run.
#[derive(Clone, Copy)]
pub(super) struct Act<'a> {
    pub ctx: &'a Ctx<'a>,
    pub write: &'a dyn CloudWrite,
    pub dry_run: bool,
}

/// What a step's call answers: its request id and the outputs it produced.
pub(super) type Acted = (Option<String>, Outputs);

pub fn resolve(v: &Val, outputs: &Outputs) -> CloudResult<String> {
    match v {
        Val::Lit(s) => Ok(s.clone()),
        Val::Output(k) => outputs.get(k).cloned().ok_or_else(|| {
            CloudError::invalid_request(
                "MissingStepOutput",
                format!("an earlier step did not produce `{k}`"),
            )
        }),
    }
}

/// Not done yet: wait if the call was made, else make it. Most actions leave a lasting trace (a
/// state, a tag, an association), so a call in doubt is judged by the same reading as one never
/// made. A reboot leaves none (see `instances::observe_reboot`).
pub(super) fn pending_or_act(called: Called, what: &str) -> Seen {
    if called == Called::Yes {
        Seen::Pending(what.to_string())
    } else {
        Seen::Act
    }
}

/// A call that produces nothing but its request id.
pub(super) fn no_outputs(w: Written<()>) -> Acted {
    (w.request_id, Outputs::new())
}

pub(super) fn one(k: &str, v: impl Into<String>) -> Outputs {
    let mut o = Outputs::new();
    o.insert(k.to_string(), v.into());
    o
}

pub(super) fn run_tags(ctx: &Ctx, output: &str) -> Vec<Tag> {
    vec![Tag::new(TAG_RUN, ctx.run_id), Tag::new(TAG_OUTPUT, output)]
}

pub(super) fn made_by(tags: &Tags, ctx: &Ctx, output: &str) -> bool {
    tags.get(TAG_RUN) == Some(ctx.run_id) && tags.get(TAG_OUTPUT) == Some(output)
}

pub(super) async fn must_instance(read: &dyn CloudRead, id: &str) -> CloudResult<Instance> {
    read.instance(id)
        .await?
        .ok_or_else(|| CloudError::not_found("InvalidInstanceID.NotFound", id))
}

pub(super) async fn must_eni(read: &dyn CloudRead, id: &str) -> CloudResult<NetworkInterface> {
    read.network_interface(id)
        .await?
        .ok_or_else(|| CloudError::not_found("InvalidNetworkInterfaceID.NotFound", id))
}

pub(super) async fn must_eip(read: &dyn CloudRead, allocation_id: &str) -> CloudResult<ElasticIp> {
    read.elastic_ips()
        .await?
        .into_iter()
        .find(|e| e.allocation_id == allocation_id)
        .ok_or_else(|| CloudError::not_found("InvalidAllocationID.NotFound", allocation_id))
}
