//! Application state and logic, with no terminal: fully testable without one.

pub mod format;
pub mod resources;
