//! The model behind the one generic resource table: which inventory rows are in view, filtered and
//! sorted. Every cell is formatted once when the model is built, into one lowercase text arena that
//! filtering and sorting scan; a keystroke never formats cells again. Drawing formats only the rows
//! on screen, from the column declarations in `resources/columns.rs`.

mod filter;
mod sort_key;
#[cfg(test)]
mod tests;

pub use filter::{Filter, Term, column_named};

use crate::resources::{CellCtx, ResourceKind};
use sort_key::Key;

/// Separates cells inside a row's text; cannot be typed into a filter.
const SEP: char = '\u{1f}';
/// Ends a row's text, so a substring match never spans two rows.
const EOR: char = '\n';
/// How many earlier filters keep their rows for backspace.
const HISTORY: usize = 8;

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
        // A kind that shows its region itself (zones) gets no second REGION column.
        let with_region = with_region && !cols.iter().any(|c| c.title == "REGION");
        let mut titles: Vec<String> = cols.iter().map(|c| c.title.to_string()).collect();
        let mut widths: Vec<u16> = cols.iter().map(|c| c.width).collect();
        let mut mins: Vec<u16> = cols.iter().map(|c| c.min).collect();
        let mut priorities: Vec<u8> = cols.iter().map(|c| c.priority).collect();
        if with_region {
            titles.push("REGION".into());
            widths.push(14);
            // `eu-central-1` whole; `ap-southeast-2` loses its last two characters at worst.
            mins.push(12);
            priorities.push(crate::resources::DEFAULT_PRIORITY);
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

/// One cell's display text: the kind's column `col`, or past them the REGION column.
pub fn cell_text(kind: ResourceKind, ctx: &dyn CellCtx, row: usize, col: usize) -> String {
    match kind.columns().get(col) {
        Some(c) => (c.cell)(ctx, row),
        None => kind.row_region(ctx, row).to_string(),
    }
}
