//! How times, ages and amounts read in cells. `now` is always passed in, so output is testable.

use crate::domain::Timestamp;

pub fn time(t: Option<Timestamp>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "-".into())
}

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

/// How long ago `t` was.
pub fn age(t: Option<Timestamp>, now: Timestamp) -> String {
    t.map(|t| duration_secs((now - t).num_seconds()))
        .unwrap_or_else(|| "-".into())
}

/// How long until `t`; past times read `overdue 5m`.
pub fn time_left(t: Option<Timestamp>, now: Timestamp) -> String {
    match t {
        Some(t) if t >= now => duration_secs((t - now).num_seconds()),
        Some(t) => format!("overdue {}", duration_secs((now - t).num_seconds())),
        None => "-".into(),
    }
}

pub fn opt(s: Option<&str>) -> String {
    s.filter(|s| !s.is_empty()).unwrap_or("-").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_compact() {
        assert_eq!(duration_secs(45), "45s");
        assert_eq!(duration_secs(720), "12m");
        assert_eq!(duration_secs(3 * 3600 + 20 * 60), "3h20m");
        assert_eq!(duration_secs(4 * 86_400 + 6 * 3600), "4d6h");
        assert_eq!(duration_secs(-90), "-1m");
    }

    #[test]
    fn time_left_says_overdue() {
        let now = chrono::DateTime::from_timestamp(1_000_000, 0).unwrap();
        assert_eq!(
            time_left(Some(now + chrono::Duration::hours(2)), now),
            "2h00m"
        );
        assert_eq!(
            time_left(Some(now - chrono::Duration::minutes(5)), now),
            "overdue 5m"
        );
        assert_eq!(time_left(None, now), "-");
    }
}
