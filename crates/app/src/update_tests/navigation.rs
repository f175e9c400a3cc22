//! Moving between screens: describe, xray, drill-down, help.

use super::*;

#[test]
fn enter_describes_and_esc_goes_back() {
    let mut s = loaded(5, &["us-east-1"], false);
    keys(&mut s, "j");
    key(&mut s, KeyCode::Enter);
    let Screen::Describe(d) = s.nav.top() else {
        panic!("describe expected");
    };
    assert_eq!(d.id, s.data.inv.instances[1].id);
    assert!(d.lines.iter().any(|l| l.starts_with("instance_type: ")));
    assert!(d.lines.iter().any(|l| l.contains("block_devices:")));
    key(&mut s, KeyCode::Esc);
    assert!(matches!(s.nav.top(), Screen::Table(_)));
    assert_eq!(top_view(&s).selected, 1, "selection kept");
}

#[test]
fn xray_follows_relations_and_back() {
    let mut s = loaded(8, &["us-east-1"], false);
    keys(&mut s, "x");
    let Screen::Xray(x) = s.nav.top() else {
        panic!("xray expected");
    };
    let text: Vec<&str> = x.items.iter().map(|i| i.text.as_str()).collect();
    assert!(
        text.iter().any(|t| t.starts_with("Target groups (1)")),
        "{text:?}"
    );
    assert!(text.iter().any(|t| t.starts_with("Volumes (1)")));
    assert!(text.iter().any(|t| t.starts_with("CPUUtilization")));
    // Down to the target group line, enter shows its targets, esc comes back to the xray.
    keys(&mut s, "jj");
    key(&mut s, KeyCode::Enter);
    let key_now = s.top_table_key().cloned().expect("targets table");
    assert_eq!(key_now.kind, ResourceKind::Targets);
    assert!(matches!(key_now.scope, Scope::TargetGroup(_)));
    key(&mut s, KeyCode::Esc);
    assert!(matches!(s.nav.top(), Screen::Xray(_)));
    key(&mut s, KeyCode::Esc);
    assert!(matches!(s.nav.top(), Screen::Table(_)));
}

#[test]
fn load_balancers_drill_down_to_targets() {
    let mut s = loaded(12, &["us-east-1"], false);
    command(&mut s, "lb");
    key(&mut s, KeyCode::Enter);
    assert_eq!(top_view(&s).len(), 2, "web and api groups");
    key(&mut s, KeyCode::Enter);
    let k = s.top_table_key().cloned().unwrap();
    assert_eq!(k.kind, ResourceKind::Targets);
    assert_eq!(top_view(&s).len(), 3);
    assert_eq!(s.nav.stack.len(), 3);
}

#[test]
fn help_is_a_screen_and_quit_works_everywhere() {
    let mut s = loaded(2, &["us-east-1"], false);
    keys(&mut s, "?");
    assert!(matches!(s.nav.top(), Screen::Help(_)));
    key(&mut s, KeyCode::Esc);
    assert!(matches!(s.nav.top(), Screen::Table(_)));
    let fx = update(&mut s, Input::Key(Key::ctrl('c')));
    assert_eq!(fx, vec![Effect::Quit]);
}

#[test]
fn xray_event_lines_open_their_own_event() {
    let mut s = loaded(8, &["us-east-1"], false);
    // Instance 3 gets a second event: two lines in its xray.
    let mut inv = sample::inventory(8, &["us-east-1"], t0());
    let mut second = inv.instances[3].events[0].clone();
    second.raw_code = "instance-retirement".into();
    second.event_id = Some("instance-event-second".into());
    second.not_before = second.not_before.map(|t| t + chrono::Duration::days(3));
    inv.instances[3].events.push(second);
    inv.fill_derived();
    let id = inv.instances[3].id.clone();
    let g = generation_of(&update(&mut s, Input::Key(Key::ctrl('r'))));
    update(
        &mut s,
        Input::Msg(Msg::Inventory {
            generation: g,
            inv: Box::new(inv),
            index: None,
            model: None,
        }),
    );
    keys(&mut s, "jjjx");
    let Screen::Xray(x) = s.nav.top() else {
        panic!("xray expected");
    };
    assert_eq!(x.subject, id);
    let lines: Vec<usize> = x
        .items
        .iter()
        .enumerate()
        .filter(|(_, i)| matches!(&i.target, Some((ResourceKind::Events, _))))
        .map(|(n, _)| n)
        .collect();
    assert_eq!(lines.len(), 2, "{:?}", x.items);
    let mut opened = Vec::new();
    for line in lines {
        if let Screen::Xray(x) = s.nav.top_mut() {
            x.selected = line;
        }
        key(&mut s, KeyCode::Enter);
        let Screen::Describe(d) = s.nav.top() else {
            panic!("describe expected");
        };
        let code = d
            .lines
            .iter()
            .find(|l| l.starts_with("raw_code: "))
            .cloned()
            .unwrap_or_default();
        opened.push(code);
        key(&mut s, KeyCode::Esc);
    }
    assert_eq!(
        opened,
        ["raw_code: system-reboot", "raw_code: instance-retirement"],
        "each line opens its own event"
    );
}

#[test]
fn clicking_an_xray_line_selects_it_and_enter_opens_it() {
    let mut s = loaded(8, &["us-east-1"], false);
    keys(&mut s, "x");
    // What the last frame recorded: 3 lines shown from screen row 4.
    let tg_line = match s.nav.top_mut() {
        Screen::Xray(x) => {
            x.first_y = 4;
            x.viewport = 3;
            x.items
                .iter()
                .position(|i| matches!(i.target, Some((ResourceKind::TargetGroups, _))))
                .expect("a target group line")
        }
        _ => panic!("xray expected"),
    };
    assert!(tg_line > 0, "the instance line comes first");
    let click = |s: &mut AppState, row: u16| {
        update(
            s,
            Input::Mouse(Mouse {
                kind: MouseKind::Click,
                column: 5,
                row,
            }),
        )
    };
    let xray = |s: &AppState| match s.nav.top() {
        Screen::Xray(x) => (x.selected, x.offset),
        other => panic!("still the xray expected, got {other:?}"),
    };
    // Scroll down so the list starts further on: the click counts from the first line shown.
    keys(&mut s, "jjjj");
    let (_, offset) = xray(&s);
    assert_eq!(offset, 2);
    assert!(click(&mut s, 4).is_empty());
    assert_eq!(xray(&s), (2, 2), "the first line shown is line `offset`");
    // Above the list, or below its last shown line: nothing changes.
    click(&mut s, 3);
    assert_eq!(xray(&s).0, 2);
    click(&mut s, 4 + 3);
    assert_eq!(xray(&s).0, 2);
    // Back to the top, then a click on the target group line selects it (the README: "a click
    // selects a row or an xray line"); enter opens it as it does after j/k.
    keys(&mut s, "g");
    assert_eq!(xray(&s), (0, 0));
    click(&mut s, 4 + tg_line as u16);
    assert_eq!(xray(&s).0, tg_line);
    key(&mut s, KeyCode::Enter);
    let k = s.top_table_key().cloned().expect("the targets table");
    assert_eq!(k.kind, ResourceKind::Targets);
    let Scope::TargetGroup(arn) = &k.scope else {
        panic!("targets of one group: {k:?}");
    };
    let Screen::Xray(x) = &s.nav.stack[s.nav.stack.len() - 2] else {
        panic!("the xray below");
    };
    assert_eq!(
        x.items[tg_line].target,
        Some((ResourceKind::TargetGroups, arn.clone())),
        "the clicked line's group"
    );
}

#[test]
fn describe_scrolls_by_line_and_page_and_stops_at_its_ends() {
    let mut s = loaded(5, &["us-east-1"], false);
    key(&mut s, KeyCode::Enter);
    let (n, vp) = match s.nav.top_mut() {
        Screen::Describe(d) => {
            d.viewport = 6;
            (d.lines.len(), d.viewport)
        }
        _ => panic!("describe expected"),
    };
    assert!(n > 3 * vp, "a long describe: {n} lines");
    let last = n - vp;
    let scroll = |s: &AppState| match s.nav.top() {
        Screen::Describe(d) => d.scroll,
        other => panic!("describe expected, got {other:?}"),
    };
    keys(&mut s, "k");
    assert_eq!(scroll(&s), 0, "clamped at the top");
    keys(&mut s, "jjj");
    assert_eq!(scroll(&s), 3);
    keys(&mut s, "k");
    assert_eq!(scroll(&s), 2);
    key(&mut s, KeyCode::PageDown);
    assert_eq!(
        scroll(&s),
        2 + (vp - 1),
        "a page is the viewport less one line"
    );
    for _ in 0..n {
        key(&mut s, KeyCode::PageDown);
    }
    assert_eq!(scroll(&s), last, "the last page ends on the last line");
    keys(&mut s, "j");
    assert_eq!(scroll(&s), last, "clamped at the bottom");
    key(&mut s, KeyCode::PageUp);
    assert_eq!(scroll(&s), last - (vp - 1));
    for _ in 0..n {
        key(&mut s, KeyCode::PageUp);
    }
    assert_eq!(scroll(&s), 0);
}
