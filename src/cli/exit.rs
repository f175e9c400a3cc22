//! The exit codes of every command, in one place (`docs/contracts.md` has the table).

/// Done (or only a plan was shown).
pub const DONE: i32 = 0;
/// Failed, or a run stopped before its end (failed, cancelled, declined).
pub const FAILED: i32 = 1;
/// Bad input, or refused before anything changed (preflight, a guard, a lock, read-only).
pub const REFUSED: i32 = 2;
/// `report` found a critical finding.
pub const CRITICAL: i32 = 3;
/// `report` could not read everything (a region, or a kind in one: metrics, volume status, Auto
/// Scaling groups...). Wins over `CRITICAL`: an incomplete report cannot vouch for itself. What it
/// could read is still printed, and every kind it could not read is named.
pub const REPORT_INCOMPLETE: i32 = 4;
/// A run stopped by a second SIGTERM or SIGINT with something still out of service (the journal
/// and the output name what).
pub const STOPPED_UNSAFE: i32 = 5;
/// A run stopped by SIGINT at a safe point (nothing left out of service), or its plan's approval
/// interrupted: the shell's code for SIGINT.
pub const STOPPED_BY_SIGINT: i32 = 130;
/// The same for SIGTERM.
pub const STOPPED_BY_SIGTERM: i32 = 143;

/// The exit code of a run stopped safely by the signal named `by`.
pub fn stopped_by(by: &str) -> i32 {
    if by == "SIGINT" {
        STOPPED_BY_SIGINT
    } else {
        STOPPED_BY_SIGTERM
    }
}
