//! The simulated cloud: a second adapter behind `CloudRead`/`CloudWrite`, with a clock.
//!
//! One [`Sim`] holds the whole world (every region) behind a std mutex that is never held across an
//! `.await`. Its clock is tokio's (`epoch + elapsed × speed`): tests run it on a paused runtime and see
//! each transition at the time AWS would show it; the demo runs it at `--demo-speed`. Nothing runs in
//! the background: every port call first applies the transitions that are due, in time order.
//!
//! Faults come through the same handle ([`Sim::throttle`], [`Sim::az_outage`], ... or the text form
//! [`Sim::chaos`]). The sim never retries: a throttled call fails straight away (the AWS SDK retries
//! for the real adapter; runbooks handle what is left).
//!
//! Fleets are TOML files (`assets/fleets/`, embedded): `default` (the seeds' web shop), `large`
//! (generated, ≥ 10,000 instances over 4 regions), `seed` (the contract-test fleet, the same as
//! `tests/it/support/seed_fleet.py`). A path to a fleet file works too.

mod call_record;
mod chaos;
mod clock;
mod elb;
mod error;
mod fault_rules;
mod faults;
mod fleet;
mod handle;
mod ids;
mod instances;
mod metrics;
mod model;
mod network;
mod options;
mod read;
mod region_choice;
mod storage;
mod world;
mod write;

pub use chaos::{ChaosCommand, HELP as CHAOS_HELP, parse as parse_chaos, parse_duration};
pub use error::SimError;
pub use faults::{CALL_LOG_LIMIT, CallRecord, Faults, Service, service_of};
pub use fleet::{BUILTIN_FLEETS, FleetSpec, builtin_fleet};
pub use handle::Sim;
pub use options::{DemoOptions, FleetSource, SimOptions};
pub use read::SimRead;
pub use region_choice::check_demo_regions;
pub use write::SimWrite;
