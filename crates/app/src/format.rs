//! How times, ages and amounts read in cells. `now` is always passed in, so output is testable.

pub use opsdeck_core::domain::time::{age, duration_secs, time, time_left};

pub fn opt(s: Option<&str>) -> String {
    s.filter(|s| !s.is_empty()).unwrap_or("-").to_string()
}

const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The last `width` values as block characters, scaled against `max` (values above clip).
pub fn sparkline(values: &[f64], width: usize, max: f64) -> String {
    let start = values.len().saturating_sub(width);
    let mut out: String = values[start..]
        .iter()
        .map(|v| {
            let frac = if max > 0.0 {
                (v / max).clamp(0.0, 1.0)
            } else {
                0.0
            };
            BLOCKS[((frac * 7.0).round() as usize).min(7)]
        })
        .collect();
    while out.chars().count() < width {
        out.insert(0, ' ');
    }
    out
}

/// A progress bar of `width` cells for 0–100 %.
pub fn bar(pct: u8, width: usize) -> String {
    let full = (usize::from(pct.min(100)) * width + 50) / 100;
    let mut s = "█".repeat(full);
    s.push_str(&"░".repeat(width - full));
    s
}

/// One character as plain ASCII: the console's drawing characters by look-alikes, anything else
/// not ASCII (a name tag in another script) by `?`.
pub fn ascii_char(c: char) -> char {
    match c {
        c if c.is_ascii() => c,
        // Eight levels stay eight (a sparkline must still rise and fall in ASCII).
        '▁' => '_',
        '▂' => '.',
        '▃' => ':',
        '▄' => '-',
        '▅' => '=',
        '▆' => '+',
        '▇' => '*',
        '█' => '#',
        '░' | '▒' | '▓' => '.',
        '…' => '~',
        '·' | '•' | '●' | '◐' | '◑' | '○' | '◌' => '*',
        '│' | '┃' | '║' => '|',
        '─' | '━' | '═' | '—' | '–' | '‒' | '−' => '-',
        '┌' | '┐' | '└' | '┘' | '├' | '┤' | '┬' | '┴' | '┼' | '╭' | '╮' | '╰' | '╯' => {
            '+'
        }
        '▲' | '↑' => '^',
        '▼' | '↓' => 'v',
        '→' | '▶' | '›' | '»' | '≥' | '⇒' => '>',
        '←' | '◀' | '‹' | '«' | '≤' => '<',
        '✓' | '✔' | '±' => '+',
        '✗' | '✖' | '×' => 'x',
        '⚠' => '!',
        '\u{a0}' => ' ',
        _ => '?',
    }
}

/// Replaces the console's drawing characters by plain ASCII (`--ascii`, poor terminals).
pub fn to_ascii(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_ascii() {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(s.chars().map(ascii_char).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sparkline's eight levels are eight distinct characters in ASCII: it still rises and falls.
    #[test]
    fn ascii_sparklines_keep_their_levels() {
        let spark = "▁▂▃▄▅▆▇█";
        let ascii = to_ascii(spark);
        let distinct: std::collections::BTreeSet<char> = ascii.chars().collect();
        assert_eq!(distinct.len(), 8, "{ascii}");
        assert!(ascii.is_ascii());
    }

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

    #[test]
    fn sparkline_and_bar_have_fixed_width() {
        assert_eq!(sparkline(&[0.0, 50.0, 100.0], 5, 100.0), "  ▁▅█");
        assert_eq!(sparkline(&[10.0; 20], 4, 100.0).chars().count(), 4);
        assert_eq!(bar(0, 5), "░░░░░");
        assert_eq!(bar(100, 5), "█████");
        assert_eq!(bar(60, 5), "███░░");
        assert_eq!(to_ascii("▁█░ ok"), "_#. ok");
        assert_eq!(to_ascii("a — b – c › d ◐ e × f"), "a - b - c > d * e x f");
    }
}
