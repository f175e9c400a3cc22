//! The table model's filters, sort keys and incremental filtering.

use super::sort_key::{Key, value_of};
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

/// Zones name their region themselves: several regions on screen add no second REGION column.
#[test]
fn zones_have_one_region_column() {
    let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let inv = crate::sample::inventory(30, &["us-east-1", "eu-west-1"], now);
    let index = crate::resources::InvIndex::build(&inv);
    let ctx = crate::resources::IndexedCtx {
        inv: &inv,
        index: &index,
        now,
    };
    let rows = (0..inv.availability_zones.len() as u32).collect();
    let m = TableModel::build(ResourceKind::Zones, &ctx, rows, true);
    assert_eq!(
        m.titles.iter().filter(|t| *t == "REGION").count(),
        1,
        "{:?}",
        m.titles
    );
    let rows = (0..inv.instances.len() as u32).collect();
    let m = TableModel::build(ResourceKind::Instances, &ctx, rows, true);
    assert_eq!(m.titles.last().map(String::as_str), Some("REGION"));
}
