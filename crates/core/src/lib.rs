//! opsdeck's lowest layer: plain data (`domain`), the cloud ports and their vocabulary (`cloud`),
//! the inventory fetch, and the pure analysis (findings, capacity guard, AZ blast radius).
//!
//! Nothing here knows about the AWS SDK, the simulator, runbooks or the terminal: those crates
//! depend on this one, never the other way, and Cargo enforces it:
//!
//! ```compile_fail
//! // The core cannot reach a layer above it.
//! use opsdeck_runbook::engine;
//! ```
//!
//! ```compile_fail
//! // Nor the AWS SDK: only `opsdeck-aws` depends on it.
//! use aws_sdk_ec2::Client;
//! ```

pub mod analysis;
pub mod cloud;
pub mod domain;
