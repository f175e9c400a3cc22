//! Runbooks: plans of idempotent, health-gated steps; a journal that makes them resumable; an
//! audit log of every mutating call.

pub mod actions;
pub mod audit;
pub mod engine;
pub mod journal;
pub mod plan;
pub mod rolling;
