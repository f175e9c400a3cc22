//! The model behind the one generic resource table: which inventory rows are in view, filtered and
//! sorted. Every cell is formatted once when the model is built, into one lowercase text arena that
//! filtering and sorting scan; a keystroke never formats cells again. Drawing formats only the rows
//! on screen, from the column declarations in `resources.rs`.

use super::resources::{CellCtx, ResourceKind};
use std::cmp::Ordering;

/// Separates cells inside a row's text; cannot be typed into a filter.
const SEP: char = '\u{1f}';
/// Ends a row's text, so a substring match never spans two rows.
const EOR: char = '\n';
/// How many earlier filters keep their rows for backspace.
const HISTORY: usize = 8;

/// One filter term: a lowercase needle, anywhere in the row or in one column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub col: Option<usize>,
    pub needle: String,
}

/// A parsed filter: space-separated terms that must all match (`field:value` narrows a term to a
/// column); a leading `!` keeps the rows that do not match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub inverse: bool,
    pub terms: Vec<Term>,
}

impl Filter {
    pub fn parse(text: &str, titles: &[String]) -> Filter {
        let mut text = text.trim();
        let mut inverse = false;
        if let Some(rest) = text.strip_prefix('!') {
            inverse = true;
            text = rest.trim_start();
        }
        let mut terms = Vec::new();
        for token in text.split_whitespace() {
            let token = token.to_lowercase();
            if let Some((field, value)) = token.split_once(':')
                && let Some(col) = column_named(field, titles)
            {
                if !value.is_empty() {
                    terms.push(Term {
                        col: Some(col),
                        needle: value.to_string(),
                    });
                }
                continue;
            }
            terms.push(Term {
                col: None,
                needle: token,
            });
        }
        Filter { inverse, terms }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Every row this filter keeps is also kept by `prev`: filtering can start from `prev`'s result.
    fn refines(&self, prev: &Filter) -> bool {
        !self.inverse
            && !prev.inverse
            && self.terms.len() >= prev.terms.len()
            && prev
                .terms
                .iter()
                .zip(&self.terms)
                .all(|(p, n)| p.col == n.col && n.needle.contains(&p.needle))
    }
}

fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A column by its title: exact (ignoring case, spaces and punctuation) or a unique prefix.
pub fn column_named(field: &str, titles: &[String]) -> Option<usize> {
    let f = normalize(field);
    if f.is_empty() {
        return None;
    }
    let norm: Vec<String> = titles.iter().map(|t| normalize(t)).collect();
    if let Some(i) = norm.iter().position(|t| *t == f) {
        return Some(i);
    }
    let prefixed: Vec<usize> = (0..norm.len())
        .filter(|&i| norm[i].starts_with(&f))
        .collect();
    match prefixed.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub col: usize,
    pub descending: bool,
}

pub struct TableModel {
    pub kind: ResourceKind,
    pub titles: Vec<String>,
    pub widths: Vec<u16>,
    /// Per column: the narrowest it is drawn (`Column::min`).
    pub mins: Vec<u16>,
    /// Per column: which give way first on a narrow terminal, highest first (`Column::priority`).
    pub priorities: Vec<u8>,
    /// Per column: not drawn at all (it names the scope the table is under). Filters still see it.
    pub hidden: Vec<bool>,
    /// Whether the last column is the region (several regions in view).
    pub with_region: bool,
    /// Inventory row of each base position.
    base: Vec<u32>,
    hay: String,
    /// Start of each base row in `hay`, plus the end.
    starts: Vec<u32>,
    /// Base positions in sorted order.
    order: Vec<u32>,
    /// Base positions shown: filtered, in sorted order.
    visible: Vec<u32>,
    filter: Filter,
    /// Recent filters and their rows (in the current sort order), newest last.
    history: Vec<(Filter, Vec<u32>)>,
    /// The filter as typed.
    raw: String,
    sort: Option<Sort>,
}

impl TableModel {
    /// Formats every cell of `rows` (inventory indices of `kind`) once.
    pub fn build(
        kind: ResourceKind,
        ctx: &dyn CellCtx,
        rows: Vec<u32>,
        with_region: bool,
    ) -> TableModel {
        let cols = kind.columns();
        let mut titles: Vec<String> = cols.iter().map(|c| c.title.to_string()).collect();
        let mut widths: Vec<u16> = cols.iter().map(|c| c.width).collect();
        let mut mins: Vec<u16> = cols.iter().map(|c| c.min).collect();
        let mut priorities: Vec<u8> = cols.iter().map(|c| c.priority).collect();
        if with_region {
            titles.push("REGION".into());
            widths.push(14);
            // `eu-central-1` whole; `ap-southeast-2` loses its last two characters at worst.
            mins.push(12);
            priorities.push(super::resources::DEFAULT_PRIORITY);
        }
        let hidden = vec![false; titles.len()];
        let mut hay = String::with_capacity(rows.len() * 96);
        let mut starts = Vec::with_capacity(rows.len() + 1);
        let mut cell = String::new();
        for &r in &rows {
            starts.push(hay.len() as u32);
            for (i, c) in cols.iter().enumerate() {
                if i > 0 {
                    hay.push(SEP);
                }
                cell.clear();
                cell.push_str(&(c.cell)(ctx, r as usize));
                push_lower(&mut hay, &cell);
            }
            if with_region {
                hay.push(SEP);
                push_lower(&mut hay, kind.row_region(ctx, r as usize));
            }
            hay.push(EOR);
        }
        starts.push(hay.len() as u32);
        hay.shrink_to_fit();
        let n = rows.len() as u32;
        TableModel {
            kind,
            titles,
            widths,
            mins,
            priorities,
            hidden,
            with_region,
            base: rows,
            hay,
            starts,
            order: (0..n).collect(),
            visible: (0..n).collect(),
            filter: Filter::default(),
            history: Vec::new(),
            raw: String::new(),
            sort: None,
        }
    }

    /// Rows shown.
    pub fn len(&self) -> usize {
        self.visible.len()
    }

    pub fn is_empty(&self) -> bool {
        self.visible.is_empty()
    }

    /// Rows in scope before filtering.
    pub fn total(&self) -> usize {
        self.base.len()
    }

    pub fn ncols(&self) -> usize {
        self.titles.len()
    }

    /// Hides the columns that name the parent a scoped table is under (`Column::names_scope`),
    /// and the region (one parent is in one region).
    pub fn hide_scope_columns(&mut self) {
        for (c, col) in self.kind.columns().iter().enumerate() {
            if col.names_scope
                && let Some(h) = self.hidden.get_mut(c)
            {
                *h = true;
            }
        }
        if self.with_region
            && let Some(h) = self.hidden.last_mut()
        {
            *h = true;
        }
    }

    /// Whether column `c` is drawn at all (it may still give way on a narrow terminal).
    pub fn shown(&self, c: usize) -> bool {
        c < self.ncols() && !self.hidden[c]
    }

    /// The inventory row shown at position `i`.
    pub fn row(&self, i: usize) -> Option<usize> {
        self.visible.get(i).map(|&b| self.base[b as usize] as usize)
    }

    /// Inventory rows shown, in order.
    pub fn rows(&self) -> impl Iterator<Item = usize> + '_ {
        self.visible.iter().map(|&b| self.base[b as usize] as usize)
    }

    /// The display text of one cell (original case), formatted now: only for rows on screen.
    pub fn cell(&self, ctx: &dyn CellCtx, row: usize, col: usize) -> String {
        cell_text(self.kind, ctx, row, col)
    }

    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    pub fn sort(&self) -> Option<Sort> {
        self.sort
    }

    fn text(&self, b: u32) -> &str {
        let (s, e) = (
            self.starts[b as usize] as usize,
            self.starts[b as usize + 1] as usize,
        );
        &self.hay[s..e]
    }

    fn cell_text(&self, b: u32, col: usize) -> &str {
        self.text(b)
            .trim_end_matches(EOR)
            .split(SEP)
            .nth(col)
            .unwrap_or("")
    }

    fn term_matches(&self, b: u32, t: &Term) -> bool {
        match t.col {
            None => self.text(b).contains(t.needle.as_str()),
            Some(c) => self.cell_text(b, c).contains(t.needle.as_str()),
        }
    }

    fn row_matches(&self, b: u32, f: &Filter) -> bool {
        // No terms yet (`!` alone): everything shows while the operator types.
        f.terms.is_empty() || f.terms.iter().all(|t| self.term_matches(b, t)) != f.inverse
    }

    /// Base rows whose text contains `needle` anywhere: one pass over the arena.
    fn scan(&self, needle: &str) -> Vec<bool> {
        let mut hit = vec![false; self.base.len()];
        let hay = self.hay.as_str();
        let mut pos = 0usize;
        let mut row = 0usize;
        // Find the next occurrence, mark its row, then resume at the next row's start: one search
        // per matching row, however often the needle repeats inside it.
        // One character: `find(char)` uses the standard library's word-at-a-time memchr.
        let single = {
            let mut cs = needle.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => Some(c),
                _ => None,
            }
        };
        while pos < hay.len() {
            let found = match single {
                Some(c) => hay[pos..].find(c),
                None => hay[pos..].find(needle),
            };
            let Some(off) = found else {
                break;
            };
            let at = (pos + off) as u32;
            while self.starts[row + 1] <= at {
                row += 1;
            }
            hit[row] = true;
            pos = self.starts[row + 1] as usize;
        }
        hit
    }

    /// Applies a filter typed as text. Extending the current filter only narrows the rows shown.
    pub fn set_filter(&mut self, text: &str) {
        self.raw = text.to_string();
        let f = Filter::parse(text, &self.titles);
        if f == self.filter {
            return;
        }
        // Backspace returns to a filter seen a moment ago: take its rows from the history.
        if let Some(i) = self.history.iter().position(|(h, _)| *h == f) {
            let (hf, rows) = self.history.remove(i);
            let prev = std::mem::replace(&mut self.visible, rows);
            self.remember(prev);
            self.filter = hf;
            return;
        }
        let prev = self.visible.clone();
        self.remember(prev);
        if f.refines(&self.filter) {
            let visible = std::mem::take(&mut self.visible);
            self.visible = visible
                .into_iter()
                .filter(|&b| self.row_matches(b, &f))
                .collect();
        } else if f.is_empty() {
            self.visible = self.order.clone();
        } else {
            let first = &f.terms[0];
            let prescan = (first.col.is_none() && !first.needle.contains([SEP, EOR]))
                .then(|| self.scan(&first.needle));
            let rest = Filter {
                inverse: false,
                terms: f.terms[if prescan.is_some() { 1 } else { 0 }..].to_vec(),
            };
            self.visible = self
                .order
                .iter()
                .copied()
                .filter(|&b| {
                    let m = prescan.as_ref().is_none_or(|h| h[b as usize])
                        && rest.terms.iter().all(|t| self.term_matches(b, t));
                    m != f.inverse
                })
                .collect();
        }
        self.filter = f;
    }

    /// Keeps the rows of the current filter for a later backspace (a few filters back).
    fn remember(&mut self, rows: Vec<u32>) {
        let f = self.filter.clone();
        self.history.retain(|(h, _)| *h != f);
        self.history.push((f, rows));
        if self.history.len() > HISTORY {
            self.history.remove(0);
        }
    }

    /// Sorts by a column (numbers, sizes, percentages, durations and IPv4 addresses by value;
    /// the rest as text); `None` restores inventory order. The filter is kept.
    pub fn set_sort(&mut self, sort: Option<Sort>) {
        if sort == self.sort {
            return;
        }
        self.sort = sort;
        let n = self.base.len() as u32;
        let mut order: Vec<u32> = (0..n).collect();
        if let Some(s) = sort
            && s.col < self.ncols()
        {
            let keys: Vec<Key<'_>> = (0..n).map(|b| Key::of(self.cell_text(b, s.col))).collect();
            order.sort_by(|&a, &b| {
                let o = keys[a as usize].cmp(&keys[b as usize]);
                if s.descending { o.reverse() } else { o }
            });
        }
        self.order = order;
        self.filter = Filter::default();
        self.history.clear();
        self.visible = self.order.clone();
        let raw = std::mem::take(&mut self.raw);
        self.set_filter(&raw);
    }

    /// Where inventory row `row` is shown, if it is.
    pub fn position_of(&self, row: usize) -> Option<usize> {
        self.visible
            .iter()
            .position(|&b| self.base[b as usize] as usize == row)
    }

    /// Bytes held by the model (for the benchmarks' memory accounting).
    pub fn heap_bytes(&self) -> usize {
        self.hay.capacity()
            + 4 * (self.base.capacity()
                + self.starts.capacity()
                + self.order.capacity()
                + self.visible.capacity()
                + self
                    .history
                    .iter()
                    .map(|(_, r)| r.capacity())
                    .sum::<usize>())
    }
}

impl std::fmt::Debug for TableModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableModel")
            .field("kind", &self.kind)
            .field("rows", &self.base.len())
            .field("shown", &self.visible.len())
            .field("filter", &self.raw)
            .field("sort", &self.sort)
            .finish()
    }
}

fn push_lower(out: &mut String, s: &str) {
    if s.is_ascii() {
        out.extend(
            s.bytes()
                .map(|b| char::from(b.to_ascii_lowercase()))
                .map(|c| if c == SEP || c == EOR { ' ' } else { c }),
        );
    } else {
        // Sparklines and bars are pictures, not text to search: leave them out.
        for c in s
            .chars()
            .filter(|c| !matches!(c, '\u{2581}'..='\u{2588}' | '░'))
            .flat_map(char::to_lowercase)
        {
            out.push(if c == SEP || c == EOR { ' ' } else { c });
        }
    }
}

/// A sort key: a value when the cell reads as one, else the text; values sort first.
#[derive(Debug, PartialEq)]
enum Key<'a> {
    Num(f64),
    Text(&'a str),
}

impl<'a> Key<'a> {
    fn of(text: &'a str) -> Key<'a> {
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
fn value_of(t: &str) -> Option<f64> {
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

/// One cell's display text: the kind's column `col`, or past them the REGION column.
pub fn cell_text(kind: ResourceKind, ctx: &dyn CellCtx, row: usize, col: usize) -> String {
    match kind.columns().get(col) {
        Some(c) => (c.cell)(ctx, row),
        None => kind.row_region(ctx, row).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles() -> Vec<String> {
        ["ID", "NAME", "STATE", "PRIVATE IP"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn filters_parse_fields_and_inverse() {
        let f = Filter::parse("!state:Running web", &titles());
        assert!(f.inverse);
        assert_eq!(
            f.terms,
            vec![
                Term {
                    col: Some(2),
                    needle: "running".into()
                },
                Term {
                    col: None,
                    needle: "web".into()
                }
            ]
        );
        let f = Filter::parse("privateip:10.0 st:run", &titles());
        assert_eq!(f.terms[0].col, Some(3));
        assert_eq!(f.terms[1].col, Some(2), "unique prefix");
        let f = Filter::parse("10.0.0.1:80", &titles());
        assert_eq!(f.terms[0].col, None, "not a column: plain text");
    }

    #[test]
    fn refinement_is_detected() {
        let t = titles();
        let a = Filter::parse("we", &t);
        assert!(Filter::parse("web", &t).refines(&a));
        assert!(!Filter::parse("w", &t).refines(&a));
        assert!(!Filter::parse("!web", &t).refines(&a));
    }

    fn sample_model() -> TableModel {
        let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let inv = crate::sample::inventory(300, &["us-east-1", "eu-west-1"], now);
        let index = crate::resources::InvIndex::build(&inv);
        let ctx = crate::resources::IndexedCtx {
            inv: &inv,
            index: &index,
            now,
        };
        let rows = (0..inv.instances.len() as u32).collect();
        TableModel::build(ResourceKind::Instances, &ctx, rows, true)
    }

    /// What the rows must be: every row of the sort order that matches, checked one by one.
    fn naive(m: &TableModel) -> Vec<u32> {
        m.order
            .iter()
            .copied()
            .filter(|&b| m.row_matches(b, &m.filter))
            .collect()
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn typing_and_backspacing_match_a_row_by_row_filter(
            edits in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(vec!['w', 'e', 'b', '-', '1', '!', ' ', 's', ':', 'a', 'r', 'u', 'n']).prop_map(Some),
                    proptest::strategy::Just(None),
                ],
                1..24,
            ),
            sort_col in proptest::option::of(0usize..11),
        ) {
            let mut m = sample_model();
            m.set_sort(sort_col.map(|col| Sort { col, descending: col % 2 == 1 }));
            let mut text = String::new();
            for e in edits {
                match e {
                    Some(c) => text.push(c),
                    None => {
                        text.pop();
                    }
                }
                m.set_filter(&text);
                proptest::prop_assert_eq!(&m.visible, &naive(&m), "filter {:?}", text);
            }
        }
    }

    #[test]
    fn scan_finds_rows_with_repeated_and_absent_needles() {
        let mut m = sample_model();
        m.set_filter("web");
        let n = m.len();
        assert_eq!(n, 75, "a quarter of 300 instances are web");
        m.set_filter("zzzz");
        assert!(m.is_empty());
        m.set_filter("web");
        assert_eq!(m.len(), n, "from history");
        m.set_filter("");
        assert_eq!(m.len(), 300);
    }

    #[test]
    fn values_sort_by_meaning() {
        assert_eq!(value_of("42"), Some(42.0));
        assert_eq!(value_of("63%"), Some(63.0));
        assert_eq!(value_of("100g"), Some(100.0));
        assert_eq!(value_of("3h20m"), Some(12_000.0));
        assert_eq!(value_of("overdue 5m"), Some(-300.0));
        assert!(value_of("10.0.0.9") < value_of("10.0.0.12"));
        assert_eq!(value_of("web-1"), None);
        assert!(Key::of("▁▂▃ 9%") < Key::of("▁▂▃ 10%"));
        assert!(Key::of("-") > Key::of("zzz"), "empty cells sort last");
    }
}
