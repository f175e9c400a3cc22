//! A table: filters, sorting, paging, the mouse.

use super::*;

#[test]
fn filter_narrows_highlights_and_is_sticky_per_view() {
    let mut s = loaded(40, &["us-east-1"], false);
    keys(&mut s, "/db");
    assert_eq!(s.input.mode, InputMode::Filter);
    assert_eq!(top_view(&s).len(), 10);
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.input.mode, InputMode::None);
    // Another view has its own (empty) filter; coming back finds "db" again.
    command(&mut s, "vol");
    assert_eq!(top_view(&s).filter, "");
    command(&mut s, "instances");
    assert_eq!(top_view(&s).filter, "db");
    assert_eq!(top_view(&s).len(), 10);
    // esc clears the filter before it pops anything.
    key(&mut s, KeyCode::Esc);
    assert_eq!(top_view(&s).len(), 40);
}

#[test]
fn field_filters_and_inverse() {
    let mut s = loaded(46, &["us-east-1"], false);
    keys(&mut s, "/state:stopped");
    key(&mut s, KeyCode::Enter);
    assert_eq!(top_view(&s).len(), 2, "instances 7 and 30 are stopped");
    key(&mut s, KeyCode::Esc);
    keys(&mut s, "/!running");
    assert_eq!(top_view(&s).len(), 4, "2 stopped + 2 pending");
}

#[test]
fn sort_cycles_columns_and_reverses() {
    let mut s = loaded(12, &["us-east-1"], false);
    keys(&mut s, "s");
    assert_eq!(
        top_view(&s).sort.map(|x| (x.col, x.descending)),
        Some((0, false))
    );
    keys(&mut s, "s");
    assert_eq!(top_view(&s).sort.map(|x| x.col), Some(1));
    keys(&mut s, "S");
    assert_eq!(
        top_view(&s).sort.map(|x| (x.col, x.descending)),
        Some((1, true))
    );
    let inv = s.data.inv.clone();
    let names: Vec<&str> = top_view(&s)
        .model
        .as_ref()
        .unwrap()
        .rows()
        .map(|r| inv.instances[r].display_name())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(names, sorted);
}

#[test]
fn mouse_scrolls_and_clicks() {
    let mut s = loaded(30, &["us-east-1"], false);
    if let Some(v) = s.tables.views.values_mut().next() {
        v.viewport = 10;
        v.first_row_y = 4;
    }
    update(
        &mut s,
        Input::Mouse(Mouse {
            kind: MouseKind::ScrollDown,
            column: 5,
            row: 5,
        }),
    );
    assert_eq!(top_view(&s).selected, 3);
    update(
        &mut s,
        Input::Mouse(Mouse {
            kind: MouseKind::Click,
            column: 5,
            row: 6,
        }),
    );
    assert_eq!(top_view(&s).selected, 2);
}

#[test]
fn paging_and_ends() {
    let mut s = loaded(100, &["us-east-1"], false);
    if let Some(v) = s.tables.views.values_mut().next() {
        v.viewport = 20;
    }
    key(&mut s, KeyCode::PageDown);
    assert_eq!(top_view(&s).selected, 19);
    keys(&mut s, "G");
    assert_eq!(top_view(&s).selected, 99);
    keys(&mut s, "g");
    assert_eq!(top_view(&s).selected, 0);
    keys(&mut s, "k");
    assert_eq!(top_view(&s).selected, 0, "clamped at the top");
}

#[test]
fn page_up_and_arrow_keys_in_a_table() {
    let mut s = loaded(100, &["us-east-1"], false);
    if let Some(v) = s.tables.views.values_mut().next() {
        v.viewport = 20;
    }
    key(&mut s, KeyCode::Up);
    assert_eq!(top_view(&s).selected, 0, "clamped at the top");
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Down);
    assert_eq!(top_view(&s).selected, 2);
    key(&mut s, KeyCode::Up);
    assert_eq!(top_view(&s).selected, 1);
    key(&mut s, KeyCode::PageUp);
    assert_eq!(
        top_view(&s).selected,
        0,
        "a page up from row 1 stops at the top"
    );
    keys(&mut s, "G");
    key(&mut s, KeyCode::Down);
    assert_eq!(top_view(&s).selected, 99, "clamped at the bottom");
    key(&mut s, KeyCode::PageUp);
    assert_eq!(top_view(&s).selected, 80);
    assert_eq!(top_view(&s).offset, 80, "the selection stays on screen");
    key(&mut s, KeyCode::PageUp);
    assert_eq!(top_view(&s).selected, 61);
    assert_eq!(top_view(&s).offset, 61);
    key(&mut s, KeyCode::Up);
    assert_eq!(top_view(&s).selected, 60);
    assert_eq!(top_view(&s).offset, 60);
}
