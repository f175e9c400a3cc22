//! The cloud ports (`CloudRead`, `CloudWrite`), their error type and the inventory fetch. The adapters
//! (`opsdeck-aws`, `opsdeck-sim`) implement the ports in crates of their own.

mod calls;
mod error;
mod fetch;
mod leases;
mod ports;
mod values;

pub use calls::*;
pub use error::*;
pub use fetch::*;
pub use leases::*;
pub use ports::*;
pub use values::*;
