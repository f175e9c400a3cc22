//! Durations in the compact form operators read at a glance. Here (not in `app`) because the
//! analysis writes them into findings too.

use super::Timestamp;

/// A compact duration: `45s`, `12m`, `3h20m`, `4d6h`.
pub fn duration_secs(secs: i64) -> String {
    let s = secs.abs();
    let body = if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m", s / 60)
    } else if s < 86_400 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else {
        format!("{}d{}h", s / 86_400, (s % 86_400) / 3600)
    };
    if secs < 0 { format!("-{body}") } else { body }
}

/// How long until `t`; past times read `overdue 5m`.
pub fn time_left(t: Option<Timestamp>, now: Timestamp) -> String {
    match t {
        Some(t) if t >= now => duration_secs((t - now).num_seconds()),
        Some(t) => format!("overdue {}", duration_secs((now - t).num_seconds())),
        None => "-".into(),
    }
}

/// A timestamp as operators read it in tables: `2026-11-21 14:05`, or `-`.
pub fn time(t: Option<Timestamp>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "-".into())
}

/// How long ago `t` was.
pub fn age(t: Option<Timestamp>, now: Timestamp) -> String {
    t.map(|t| duration_secs((now - t).num_seconds()))
        .unwrap_or_else(|| "-".into())
}
