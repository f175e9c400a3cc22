//! Runbooks: plans of idempotent, health-gated steps; a journal that makes them resumable; an
//! audit log of every mutating call.

pub mod actions;
pub mod audit;
pub mod backup;
pub mod control;
pub mod durable;
pub mod engine;
pub mod failover;
pub mod groups;
pub mod journal;
pub mod launch;
mod lease_keys;
pub mod leases;
pub mod plan;
pub mod reads;
pub mod rolling;
pub mod run_id;
pub mod safety;
pub mod spof;
mod state_dir;

pub use state_dir::StateDir;
