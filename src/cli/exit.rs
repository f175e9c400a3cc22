//! The exit codes of every command, in one place (`docs/contracts.md` has the table).

/// Done (or only a plan was shown).
pub const DONE: i32 = 0;
/// Failed, or a run stopped before its end (failed, cancelled, declined).
pub const FAILED: i32 = 1;
/// Bad input, or refused before anything changed (preflight, a guard, a lock, read-only).
pub const REFUSED: i32 = 2;
/// `report` found a critical finding.
pub const CRITICAL: i32 = 3;
