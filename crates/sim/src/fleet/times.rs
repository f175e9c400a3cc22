//! Times in a fleet file: relative to the sim's epoch (`-40d`, `7d`, `+2h`), so a demo always looks
//! current, or an RFC 3339 timestamp.

use crate::chaos::parse_duration;
use crate::error::SimError;
use opsdeck_core::domain::Timestamp;

/// `-40d`, `7d`, `+2h`, `0`, or an RFC 3339 timestamp, against `now`.
pub(super) fn at(now: Timestamp, s: &str) -> Result<Timestamp, SimError> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    let (neg, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let d = parse_duration(rest).map_err(|e| SimError(format!("bad time `{s}`: {e}")))?;
    let d = chrono::Duration::from_std(d).map_err(|e| SimError(format!("bad time `{s}`: {e}")))?;
    Ok(if neg { now - d } else { now + d })
}

pub(super) fn span(s: &str) -> Result<chrono::Duration, SimError> {
    let d = parse_duration(s).map_err(|e| SimError(format!("bad duration `{s}`: {e}")))?;
    chrono::Duration::from_std(d).map_err(|e| SimError(format!("bad duration `{s}`: {e}")))
}
