//! Sort keys: a cell that reads as a value (a number, size, percentage, duration or IPv4 address)
//! sorts by it, the rest as text.

use std::cmp::Ordering;

/// A sort key: a value when the cell reads as one, else the text; values sort first.
#[derive(Debug, PartialEq)]
pub(super) enum Key<'a> {
    Num(f64),
    Text(&'a str),
}

impl<'a> Key<'a> {
    pub(super) fn of(text: &'a str) -> Key<'a> {
        let t = text.trim();
        if t.is_empty() || t == "-" {
            return Key::Text("\u{10ffff}");
        }
        if let Some(v) = value_of(t) {
            return Key::Num(v);
        }
        // A sparkline or bar followed by a value: sort by the value.
        if let Some(last) = t.rsplit(' ').next()
            && !t.starts_with(|c: char| c.is_ascii_alphanumeric())
            && let Some(v) = value_of(last)
        {
            return Key::Num(v);
        }
        Key::Text(t)
    }
}

impl Eq for Key<'_> {}

impl PartialOrd for Key<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Key::Num(a), Key::Num(b)) => a.total_cmp(b),
            (Key::Num(_), Key::Text(_)) => Ordering::Less,
            (Key::Text(_), Key::Num(_)) => Ordering::Greater,
            (Key::Text(a), Key::Text(b)) => a.cmp(b),
        }
    }
}

/// `42`, `4.5`, `12%`, `100g`, `3h20m`, `overdue 5m` (negative), `10.0.0.7` (as a number).
pub(super) fn value_of(t: &str) -> Option<f64> {
    if let Some(rest) = t.strip_prefix("overdue ") {
        return duration(rest).map(|d| -d);
    }
    let plain = t.trim_end_matches(['%', 'g']);
    if let Ok(v) = plain.parse::<f64>() {
        return Some(v);
    }
    if let Some(v) = ipv4(t) {
        return Some(v);
    }
    duration(t)
}

fn ipv4(t: &str) -> Option<f64> {
    let mut v: u64 = 0;
    let mut n = 0;
    for part in t.split('.') {
        v = v * 256 + u64::from(part.parse::<u8>().ok()?);
        n += 1;
    }
    (n == 4).then_some(v as f64)
}

/// `45s`, `12m`, `3h20m`, `4d6h`, `-1m`.
fn duration(t: &str) -> Option<f64> {
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t),
    };
    if t.is_empty() {
        return None;
    }
    let mut total = 0f64;
    let mut num = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit = match c {
            's' => 1.0,
            'm' => 60.0,
            'h' => 3600.0,
            'd' => 86_400.0,
            _ => return None,
        };
        total += num.parse::<f64>().ok()? * unit;
        num.clear();
    }
    if !num.is_empty() {
        return None;
    }
    Some(if neg { -total } else { total })
}
