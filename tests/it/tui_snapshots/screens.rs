//! The tables, describe, x-ray, help, the command line, the AZ map, the findings and the
//! confirmation dialog, at both sizes; the read-only badge and a profile's colour.

use super::*;

#[tokio::test(start_paused = true)]
async fn instances() {
    both("instances", |_| {}).await;
}

#[tokio::test(start_paused = true)]
async fn instances_filtered() {
    both("instances_filtered", |s| {
        press(s, "/web");
        special(s, KeyCode::Enter);
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn instances_sorted_by_name() {
    both("instances_sorted", |s| press(s, "ss")).await;
}

#[tokio::test(start_paused = true)]
async fn describe_instance() {
    both("describe_instance", |s| special(s, KeyCode::Enter)).await;
}

#[tokio::test(start_paused = true)]
async fn xray_instance() {
    both("xray_instance", |s| press(s, "x")).await;
}

#[tokio::test(start_paused = true)]
async fn xray_group() {
    both("xray_group", |s| {
        command(s, "asg");
        press(s, "x");
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn views() {
    for view in VIEWS {
        both(&format!("view_{view}"), |s| command(s, view)).await;
    }
}

#[tokio::test(start_paused = true)]
async fn load_balancer_to_targets() {
    both("lb_targets", |s| {
        command(s, "lb");
        special(s, KeyCode::Enter);
        special(s, KeyCode::Enter);
    })
    .await;
    // Under one group, its name is the title: no TARGET GROUP column; state and reason whole.
    let mut s = demo(false).await;
    command(&mut s, "lb");
    special(&mut s, KeyCode::Enter);
    special(&mut s, KeyCode::Enter);
    let text = screen(&mut s, 80, 24, &color());
    assert!(!text.contains("TARGET GROUP"), "{text}");
    assert!(
        text.contains("REASON") && text.contains(" healthy "),
        "{text}"
    );
}

/// At 80 columns the footer keeps, whole, the way back, refresh and quit on every screen.
#[tokio::test(start_paused = true)]
async fn narrow_footer_keeps_back_refresh_and_quit() {
    let mut s = demo(false).await;
    type Step = (&'static str, fn(&mut AppState), bool);
    let steps: [Step; 6] = [
        ("instances", |_| {}, false),
        ("describe", |s| special(s, KeyCode::Enter), true),
        ("xray", |s| press(s, "x"), true),
        ("help", |s| press(s, "?"), true),
        ("az map", |s| command(s, "az"), true),
        (
            "targets of a group",
            |s| {
                command(s, "tg");
                special(s, KeyCode::Enter);
            },
            true,
        ),
    ];
    for (what, go, back) in steps {
        command(&mut s, "instances");
        go(&mut s);
        let text = screen(&mut s, 80, 24, &color());
        let footer = text.lines().last().unwrap_or_default().trim_matches('"');
        assert!(footer.contains("<ctrl-r>refresh"), "{what}: {footer}");
        assert!(footer.contains("<q>quit"), "{what}: {footer}");
        assert!(footer.contains("<?>help"), "{what}: {footer}");
        assert_eq!(footer.contains("<esc>back"), back, "{what}: {footer}");
        // No key cut in the middle: the footer ends with a whole label.
        let last = footer.trim_end().rsplit('>').next().unwrap_or_default();
        assert!(
            last.chars().all(|c| c.is_ascii_lowercase() || c == ' '),
            "{what}: {footer}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn az_map() {
    both("az_map", |s| command(s, "az")).await;
}

#[tokio::test(start_paused = true)]
async fn help() {
    both("help", |s| press(s, "?")).await;
}

/// The keys help shows for the line whose description contains `what` (the right-aligned column
/// before it).
fn help_keys(screen: &str, what: &str) -> String {
    let line = screen
        .lines()
        .find(|l| l.contains(what))
        .unwrap_or_else(|| panic!("no help line for {what:?}:\n{screen}"));
    let before = &line[..line.find(what).unwrap()];
    before.trim_start_matches(['"', '│']).trim().to_string()
}

#[tokio::test(start_paused = true)]
async fn help_shows_the_keymap_in_use() {
    let mut overrides = BTreeMap::new();
    overrides.insert("help".to_string(), vec!["f1".to_string()]);
    overrides.insert("quit".to_string(), vec!["ctrl-q".to_string()]);
    // `j` moves from `down` to `describe`.
    overrides.insert(
        "describe".to_string(),
        vec!["d".to_string(), "j".to_string()],
    );
    let (keymap, warnings) = Keymap::load(&overrides);
    assert!(warnings.is_empty(), "{warnings:?}");
    let mut s = demo(false).await;
    s.prefs.keymap = keymap;
    press(&mut s, "?");
    assert!(
        !matches!(s.nav.top(), Screen::Help(_)),
        "? is not help any more"
    );
    special(&mut s, KeyCode::F(1));
    assert!(matches!(s.nav.top(), Screen::Help(_)), "f1 is");
    let text = screen(&mut s, 160, 48, &color());
    assert_eq!(help_keys(&text, "this help"), "f1");
    assert_eq!(help_keys(&text, "quit opsdeck"), "ctrl-q");
    assert_eq!(help_keys(&text, "describe: every field"), "d/j");
    assert_eq!(
        help_keys(&text, "move down"),
        "down",
        "j was taken by describe"
    );
    assert_eq!(
        help_keys(&text, "move up"),
        "k/up",
        "untouched actions keep theirs"
    );
    let footer = text.lines().last().unwrap_or_default();
    assert!(
        footer.contains("<f1>help") && footer.contains("<ctrl-q>quit"),
        "{footer}"
    );
    assert!(
        !footer.contains("<?>") && !footer.contains("<q>"),
        "{footer}"
    );
}

#[tokio::test(start_paused = true)]
async fn command_line_completion() {
    both("command_line", |s| press(s, ":vo")).await;
}

#[tokio::test(start_paused = true)]
async fn stop_confirmation() {
    both("confirm_stop", |s| {
        let fx = app::update(s, Input::Key(Key::ch('O')));
        let generation = match fx.first() {
            Some(app::Effect::DryRun { generation, .. }) => *generation,
            other => panic!("{other:?}"),
        };
        app::update(
            s,
            Input::Msg(Msg::DryRun {
                generation,
                result: Ok(()),
            }),
        );
        press(s, "i-");
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn read_only_badge_and_refusal() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut s = demo(true).await;
        press(&mut s, "O");
        assert!(s.dialog.is_none(), "no confirmation in a read-only session");
        let text = screen(&mut s, w, h, &color());
        assert!(text.contains("READ-ONLY"), "{text}");
        assert!(
            text.contains("read-only session: stop is not available"),
            "{text}"
        );
        snap!(format!("read_only_{w}x{h}"), text);
    }
}

#[tokio::test(start_paused = true)]
async fn production_profile_frame_is_red() {
    let inv = demo_inventory().await;
    let regions: Vec<String> = inv.regions.iter().map(|r| r.region.clone()).collect();
    let mut info = session(&regions, false, Some("red"));
    info.profile = Some("prod".into());
    let mut s = state_with(inv, info);
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| render::draw(f, &mut s, &color())).unwrap();
    let buf = t.backend().buffer();
    // The frame's top-left corner (row 1, below the header) is drawn in red.
    assert_eq!(buf[(0, 1)].symbol(), "┌");
    assert_eq!(buf[(0, 1)].fg, ratatui::style::Color::Red);
    assert!(t.backend().to_string().contains(" prod "));
}

#[tokio::test(start_paused = true)]
async fn matched_text_is_highlighted() {
    let mut s = demo(false).await;
    press(&mut s, "/web");
    let mut t = Terminal::new(TestBackend::new(160, 48)).unwrap();
    t.draw(|f| render::draw(f, &mut s, &color())).unwrap();
    let buf = t.backend().buffer();
    // Find "web" in a NAME cell and check it is highlighted (yellow background).
    let mut found = false;
    for y in 3..10 {
        let row: String = (0..160).map(|x| buf[(x, y)].symbol().to_string()).collect();
        if let Some(x) = row.find("web-") {
            let x = row[..x].chars().count() as u16;
            assert_eq!(
                buf[(x, y)].bg,
                ratatui::style::Color::Yellow,
                "row {y}: {row}"
            );
            found = true;
        }
    }
    assert!(found);
}

#[tokio::test(start_paused = true)]
async fn findings() {
    both("findings", |s| command(s, "findings")).await;
}
