//! The cloud ports (`CloudRead`, `CloudWrite`), their error type, and the adapters behind them.

pub mod aws;
mod error;
mod fetch;
mod ports;
pub mod sim;

pub use error::*;
pub use fetch::*;
pub use ports::*;
