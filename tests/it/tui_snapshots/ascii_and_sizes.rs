//! `--ascii` and no colour on every screen, and every terminal size drawn without a panic.

use super::*;

#[tokio::test(start_paused = true)]
async fn ascii_and_no_color() {
    let mut s = demo(false).await;
    let theme = Theme::new(false, true);
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let text = screen(&mut s, w, h, &theme);
        assert!(text.is_ascii(), "{text}");
        snap!(format!("ascii_{w}x{h}"), text);
    }
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| render::draw(f, &mut s, &theme)).unwrap();
    let buf = t.backend().buffer();
    for y in 0..24 {
        for x in 0..80 {
            let c = &buf[(x, y)];
            assert_eq!(c.fg, ratatui::style::Color::Reset, "no colour at {x},{y}");
            assert_eq!(c.bg, ratatui::style::Color::Reset, "no colour at {x},{y}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn every_size_draws_without_panicking() {
    let mut s = demo(false).await;
    for (w, h) in [
        (1, 1),
        (2, 1),
        (1, 5),
        (10, 3),
        (39, 7),
        (40, 8),
        (41, 9),
        (60, 12),
        (300, 100),
    ] {
        for screen_cmd in ["instances", "az", "help", "targets"] {
            command(&mut s, screen_cmd);
            let text = screen(&mut s, w, h, &color());
            if (w >= 20 && h >= 3) && (w < render::MIN_WIDTH || h < render::MIN_HEIGHT) {
                assert!(text.contains("too small"), "{w}x{h}: {text}");
            }
        }
        press(&mut s, "x");
        screen(&mut s, w, h, &color());
        special(&mut s, KeyCode::Esc);
    }
    let mut s = demo(false).await;
    snap!("too_small_30x6", screen(&mut s, 30, 6, &color()));
}

/// `--ascii` on every screen: every cell is ASCII, and no glyph the console draws falls back to
/// `?` (where the Unicode screen has no `?`, the ASCII one has none either).
#[tokio::test(start_paused = true)]
async fn ascii_mode_draws_every_screen_in_ascii() {
    type Setup = Box<dyn Fn(&mut AppState)>;
    let views = ["instances"]
        .iter()
        .chain(&VIEWS)
        .chain(&["zones", "subnets", "findings"]);
    let mut screens: Vec<(String, Setup)> = views
        .map(|v| {
            let v = v.to_string();
            (
                v.clone(),
                Box::new(move |s: &mut AppState| command(s, &v)) as Setup,
            )
        })
        .collect();
    let more: Vec<(&str, Setup)> = vec![
        ("sorted", Box::new(|s| press(s, "sS"))),
        ("filter typed", Box::new(|s| press(s, "/web"))),
        ("command line", Box::new(|s| press(s, ":vo"))),
        ("describe", Box::new(|s| special(s, KeyCode::Enter))),
        ("xray", Box::new(|s| press(s, "x"))),
        ("az map", Box::new(|s| command(s, "az"))),
        ("help", Box::new(|s| press(s, "?"))),
        (
            "targets of a group",
            Box::new(|s| {
                command(s, "lb");
                special(s, KeyCode::Enter);
                special(s, KeyCode::Enter);
            }),
        ),
        (
            "confirm stop",
            Box::new(|s| {
                let fx = app::update(s, Input::Key(Key::ch('O')));
                if let Some(app::Effect::DryRun { generation, .. }) = fx.first() {
                    let generation = *generation;
                    app::update(
                        s,
                        Input::Msg(Msg::DryRun {
                            generation,
                            result: Err("not permitted [UnauthorizedOperation] — denied".into()),
                        }),
                    );
                }
            }),
        ),
        ("banners", Box::new(one_unfinished_run)),
        ("runs", Box::new(|s| command(s, "runs"))),
        ("runbooks", Box::new(|s| command(s, "runbooks"))),
        (
            "runbook plan",
            Box::new(|s| plan_from_catalog(s, "remove-spof", "single-az")),
        ),
        (
            "runbook running",
            Box::new(|s| {
                plan_from_catalog(s, "remove-spof", "single-az");
                start_run(s);
            }),
        ),
        (
            "runbook running, seen from a table",
            Box::new(|s| {
                plan_from_catalog(s, "remove-spof", "single-az");
                start_run(s);
                command(s, "instances");
            }),
        ),
    ];
    screens.extend(more.into_iter().map(|(n, f)| (n.to_string(), f)));
    let plain = Theme::new(false, false);
    let ascii = Theme::new(false, true);
    let mut checked = 0;
    for (name, setup) in &screens {
        for (w, h) in [(80u16, 24u16), (160, 48)] {
            // A failing region too, so its banner is drawn on every screen.
            let mut s = demo_with_failed_region().await;
            setup(&mut s);
            let unicode = screen(&mut s, w, h, &plain);
            let text = screen(&mut s, w, h, &ascii);
            assert!(text.is_ascii(), "{name} {w}x{h}: not ASCII:\n{text}");
            for (lu, la) in unicode.lines().zip(text.lines()) {
                for (cu, ca) in lu.chars().zip(la.chars()) {
                    assert!(
                        ca != '?' || cu == '?',
                        "{name} {w}x{h}: `{cu}` has no ASCII look-alike:\n{lu}\n{la}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 2 * screens.len());
}
