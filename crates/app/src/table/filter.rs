//! The `/` filter as typed: terms, `field:value` and a leading `!`.

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
    pub(super) fn refines(&self, prev: &Filter) -> bool {
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
