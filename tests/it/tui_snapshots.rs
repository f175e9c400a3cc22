//! Console screens drawn into ratatui's `TestBackend` at 80×24 and 160×48, on the simulator's
//! default demo fleet (fixed seed and epoch, paused clock), compared with insta snapshots in
//! `tests/snapshots/`. Dates and generated ids are redacted so the snapshots show layout and content,
//! not the simulator's dice. Accept changes with `INSTA_UPDATE=always cargo test --test tui_snapshots`.

use crate::support;

use opsdeck::tui::render;
use opsdeck::tui::theme::Theme;
use opsdeck_app::keys::{Key, KeyCode};
use opsdeck_app::{self as app, AppState, Input, Keymap, Msg, Prefs, Screen, SessionInfo};
use opsdeck_core::domain::Inventory;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::collections::BTreeMap;
use support::console::screen;
use support::inventory;
use support::sim::{self, snapshot_epoch as epoch};

/// The default demo fleet at seed 1, its clock at the snapshots' epoch.
async fn demo_inventory() -> Inventory {
    inventory::full(&sim::at("default", 1, epoch()).readers()).await
}

fn session(regions: &[String], read_only: bool, color: Option<&str>) -> SessionInfo {
    SessionInfo {
        label: "demo: simulated fleet `default`".into(),
        profile: None,
        regions: regions.to_vec(),
        read_only,
        color: color.map(str::to_string),
    }
}

fn state_with(inv: Inventory, info: SessionInfo) -> AppState {
    let prefs = Prefs {
        export_dir: std::env::temp_dir(),
        ..Prefs::default()
    };
    let mut s = AppState::new(prefs, None, vec![], epoch());
    let fx = app::startup(&mut s);
    let generation = match fx.first() {
        Some(app::Effect::Connect { generation, .. }) => *generation,
        other => panic!("{other:?}"),
    };
    let fx = app::update(
        &mut s,
        Input::Msg(Msg::Connected {
            generation,
            result: Ok(info),
        }),
    );
    let generation = match fx.first() {
        Some(app::Effect::Fetch { generation, .. }) => *generation,
        other => panic!("{other:?}"),
    };
    app::update(
        &mut s,
        Input::Msg(Msg::Inventory {
            generation,
            inv: Box::new(inv),
            index: None,
            model: None,
        }),
    );
    s
}

async fn demo(read_only: bool) -> AppState {
    let inv = demo_inventory().await;
    let regions: Vec<String> = inv.regions.iter().map(|r| r.region.clone()).collect();
    state_with(inv, session(&regions, read_only, None))
}

fn press(s: &mut AppState, keys: &str) {
    for c in keys.chars() {
        app::update(s, Input::Key(Key::ch(c)));
    }
}

fn special(s: &mut AppState, code: KeyCode) {
    app::update(s, Input::Key(Key::plain(code)));
}

fn command(s: &mut AppState, cmd: &str) {
    press(s, ":");
    press(s, cmd);
    special(s, KeyCode::Enter);
}

fn color() -> Theme {
    Theme::new(true, false)
}

/// Redacts dates (`2026-01-01 00:00` → `[date]`) and generated ids (`i-0abc…` → `i-[id]`), keeping
/// the width so the layout in the snapshot is the real one.
fn redact(text: &str) -> String {
    const PREFIXES: [&str; 10] = [
        "i-",
        "vol-",
        "snap-",
        "ami-",
        "eni-",
        "eipalloc-",
        "eipassoc-",
        "subnet-",
        "vpc-",
        "sg-",
    ];
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let is_hex = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
    'outer: while i < chars.len() {
        let boundary = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        if boundary {
            // yyyy-mm-dd hh:mm
            let pat = "dddd-dd-dd dd:dd";
            if i + pat.len() <= chars.len()
                && pat.chars().zip(&chars[i..]).all(|(p, c)| {
                    if p == 'd' {
                        c.is_ascii_digit()
                    } else {
                        p == *c
                    }
                })
            {
                out.push_str("[date]          ");
                i += pat.len();
                continue;
            }
            for p in PREFIXES {
                let pc: Vec<char> = p.chars().collect();
                if chars[i..].starts_with(&pc) {
                    let start = i + pc.len();
                    let mut end = start;
                    while end < chars.len() && is_hex(chars[end]) {
                        end += 1;
                    }
                    let after_ok = end == chars.len() || !chars[end].is_ascii_alphanumeric();
                    if end - start >= 8 && after_ok {
                        out.push_str(p);
                        let n = end - start;
                        out.push_str(&"#".repeat(n));
                        i = end;
                        continue 'outer;
                    }
                }
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

macro_rules! snap {
    ($name:expr, $text:expr) => {
        insta::with_settings!({
            snapshot_path => "snapshots",
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!($name, redact(&$text));
        });
    };
}

/// One screen at both sizes.
async fn both(name: &str, setup: impl Fn(&mut AppState)) {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut s = demo(false).await;
        setup(&mut s);
        snap!(format!("{name}_{w}x{h}"), screen(&mut s, w, h, &color()));
    }
}

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
async fn views() {
    for view in [
        "volumes",
        "snapshots",
        "amis",
        "lb",
        "tg",
        "targets",
        "eip",
        "eni",
        "events",
        "alarms",
    ] {
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

/// The demo, five minutes after its first refresh, with eu-west-1 failing in the second (two
/// lists refused for expired credentials, each with AWS's message and request id).
async fn demo_with_failed_region() -> AppState {
    let mut s = demo(false).await;
    let before = s.data.inv.instances.len();
    let later = epoch() + chrono::Duration::minutes(5);
    // The auto-refresh is due: the tick starts it.
    let fx = app::update(&mut s, Input::Tick(later));
    let generation = match fx.first() {
        Some(app::Effect::Fetch { generation, .. }) => *generation,
        other => panic!("{other:?}"),
    };
    let mut inv = demo_inventory().await;
    inv.instances.retain(|i| i.region != "eu-west-1");
    inv.volumes.retain(|i| i.region != "eu-west-1");
    for r in &mut inv.regions {
        if r.region == "eu-west-1" {
            r.error = Some(
                "instances: credentials missing, invalid or expired [ExpiredToken]: The security token included in the request is expired (request 5f1c2d3e-aaaa-bbbb-cccc-0123456789ab); \
                 volumes: credentials missing, invalid or expired [ExpiredToken]: The security token included in the request is expired (request 6a7b8c9d-aaaa-bbbb-cccc-0123456789ab)".into(),
            );
        }
    }
    app::update(
        &mut s,
        Input::Msg(Msg::Inventory {
            generation,
            inv: Box::new(inv),
            index: None,
            model: None,
        }),
    );
    assert_eq!(s.data.inv.instances.len(), before, "last data kept");
    s
}

#[tokio::test(start_paused = true)]
async fn failing_region_banner_keeps_data() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut s = demo_with_failed_region().await;
        let text = screen(&mut s, w, h, &color());
        let lines: Vec<&str> = text.lines().collect();
        // The header's age is the failed region's (its rows are 5 minutes old), not the refresh's.
        assert!(lines[0].contains("data 5m old"), "{w}x{h}: {}", lines[0]);
        // Region, AWS code, data age and next retry come first: they fit even at 80 columns.
        let banner = lines[1];
        assert!(
            banner.contains(
                "eu-west-1 [ExpiredToken] · showing data from 5m ago · next retry 00:05:05"
            ),
            "{w}x{h}: {banner}"
        );
        if w >= 160 {
            assert!(
                banner.contains(
                    "instances: credentials missing, invalid or expired (+1 more failed)"
                ),
                "{banner}"
            );
        }
        assert!(
            !banner.contains("request"),
            "request ids stay in the log: {banner}"
        );
        snap!(format!("region_failed_{w}x{h}"), text);
    }
}

/// Auto-refresh on, nothing changing: a background refresh, from its start to its answer, leaves
/// every cell as it was (so the terminal gets no bytes); one the operator asks for shows.
#[tokio::test(start_paused = true)]
async fn a_background_refresh_changes_nothing_on_screen() {
    let mut s = demo(false).await;
    let mut t = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let mut draw = |s: &mut AppState| {
        t.draw(|f| render::draw(f, s, &color())).unwrap();
        t.backend().buffer().clone()
    };
    let due = s.data.next_refresh.expect("auto-refresh is on by default");
    app::update(&mut s, Input::Tick(due - chrono::Duration::seconds(1)));
    let before = draw(&mut s);
    s.dirty = false; // as the loop does after a frame
    let fx = app::update(&mut s, Input::Tick(due));
    let generation = match fx.first() {
        Some(app::Effect::Fetch { generation, .. }) => *generation,
        other => panic!("the auto-refresh starts: {other:?}"),
    };
    assert!(!s.dirty, "nothing to redraw when it starts");
    assert_eq!(draw(&mut s), before, "a refresh in flight changes no cell");
    app::update(
        &mut s,
        Input::Msg(Msg::Inventory {
            generation,
            inv: Box::new(demo_inventory().await),
            index: None,
            model: None,
        }),
    );
    assert_eq!(
        draw(&mut s),
        before,
        "the same data answered: no cell changed"
    );
    // ctrl-r is the operator's: the header says it runs.
    app::update(&mut s, Input::Key(Key::ctrl('r')));
    let after = draw(&mut s);
    let header: String = (0..160)
        .map(|x| after[(x, 0)].symbol().to_string())
        .collect();
    assert!(header.contains("· refreshing…"), "{header}");
}

#[tokio::test(start_paused = true)]
async fn more_banners_than_room_are_counted_not_dropped() {
    use opsdeck_app::runbooks::RunSummary;
    use opsdeck_runbook::journal::RunStatus;
    let regions = ["us-east-1", "eu-west-1", "ap-south-1", "eu-central-1"];
    let mut inv = opsdeck_app::sample::inventory(8, &regions[..1], epoch());
    for r in &regions[1..] {
        inv.regions.push(opsdeck_core::domain::RegionStatus {
            region: r.to_string(),
            fetched_at: Some(epoch()),
            error: Some(
                "AWS is throttling requests [Throttling]: Rate exceeded (12 calls failed)".into(),
            ),
        });
    }
    let names: Vec<String> = regions.iter().map(|r| r.to_string()).collect();
    let mut s = state_with(inv, session(&names, false, None));
    app::update(
        &mut s,
        Input::Msg(Msg::Runs {
            runs: vec![RunSummary {
                run_id: "20260101T000000-snapshot-1a2b3c".into(),
                runbook: "snapshot".into(),
                region: "us-east-1".into(),
                status: Some(RunStatus::Unfinished),
                done: 1,
                steps: 2,
                started_at: Some(epoch()),
                note: None,
            }],
        }),
    );
    let text = screen(&mut s, 80, 24, &color());
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[1].contains("unfinished run"), "{text}");
    assert!(
        lines[2].contains("eu-west-1 [Throttling] · no data yet · next retry"),
        "{text}"
    );
    assert!(
        lines[3].contains("+2 more: ap-south-1 [Throttling] · eu-central-1 [Throttling]"),
        "{text}"
    );
    let text = screen(&mut s, 160, 48, &color());
    assert!(text.contains("(12 calls)"), "{text}");
}

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

// ---- runbooks ---------------------------------------------------------------------------------

/// Plans the `:runbooks` item whose label and detail match, answering the effects the way the
/// runner would (the planner over the same inventory; a clean preflight).
fn plan_from_catalog(s: &mut AppState, label: &str, detail: &str) {
    use opsdeck_app::runbook_screen::Planned;
    command(s, "runbooks");
    let app::Screen::Runbooks(c) = s.nav.top() else {
        panic!("runbooks on screen");
    };
    let i = c
        .items
        .iter()
        .position(|it| it.label.starts_with(label) && it.detail.contains(detail))
        .expect("the item");
    press(s, &"j".repeat(i));
    let fx = app::update(s, Input::Key(Key::plain(KeyCode::Enter)));
    let Some(app::Effect::PlanRunbook {
        generation,
        request,
        inv,
    }) = fx.into_iter().next()
    else {
        panic!("a plan request");
    };
    let details = opsdeck_runbook::rolling::GroupDetails::new();
    let plan = app::runbooks::plan(&request, &inv, &details, epoch()).expect("a plan");
    let fx = app::update(
        s,
        Input::Msg(Msg::Planned {
            generation,
            result: Ok(Box::new(Planned {
                plan,
                progress: None,
            })),
        }),
    );
    let Some(app::Effect::Preflight { generation, .. }) = fx.into_iter().next() else {
        panic!("a preflight request");
    };
    app::update(
        s,
        Input::Msg(Msg::Preflighted {
            generation,
            problems: vec![],
        }),
    );
}

/// Approves the plan on screen and feeds the run's first events.
fn start_run(s: &mut AppState) -> u64 {
    use opsdeck_runbook::engine::RunEvent;
    let fx = app::update(s, Input::Key(Key::ch('y')));
    let Some(app::Effect::StartRun { generation, .. }) = fx.into_iter().next() else {
        panic!("a run request");
    };
    let run_id = "20260101T000000-demo-run".to_string();
    app::update(s, Input::Msg(Msg::RunStarted { generation, run_id }));
    let (title, call) = s
        .runbook
        .as_ref()
        .and_then(|u| u.plan.as_ref())
        .map(|p| {
            (
                p.steps[0].title.clone(),
                p.steps[0].action.calls().to_string(),
            )
        })
        .unwrap_or_default();
    for event in [
        RunEvent::StepStarted {
            step: 0,
            title,
            expected_secs: 300,
        },
        RunEvent::Acted {
            step: 0,
            call,
            request_id: Some("req-1".into()),
        },
        RunEvent::Waiting {
            step: 0,
            detail: "in progress".into(),
            elapsed_secs: 8,
            expected_secs: 300,
        },
    ] {
        app::update(s, Input::Msg(Msg::Run { generation, event }));
    }
    generation
}

#[tokio::test(start_paused = true)]
async fn runbooks_catalog() {
    both("runbooks_catalog", |s| command(s, "runbooks")).await;
}

#[tokio::test(start_paused = true)]
async fn runbook_plan_ready() {
    both("runbook_plan", |s| {
        plan_from_catalog(s, "remove-spof", "single-az")
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn runbook_running_with_health_and_log() {
    both("runbook_running", |s| {
        plan_from_catalog(s, "remove-spof", "single-az");
        start_run(s);
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn runbook_destructive_step_asks_for_the_id() {
    both("runbook_approval", |s| {
        plan_from_catalog(s, "db-failover", "");
        let generation = start_run(s);
        let step = s
            .runbook
            .as_ref()
            .and_then(|u| u.plan.as_ref())
            .and_then(|p| p.steps.iter().position(|st| st.action.is_destructive()))
            .expect("a destructive step");
        app::update(s, Input::Msg(Msg::RunAsk { generation, step }));
        press(s, "i-9");
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn unfinished_run_banner_and_runs_view() {
    use opsdeck_app::runbooks::RunSummary;
    use opsdeck_runbook::journal::RunStatus;
    let runs = || {
        vec![
            RunSummary {
                run_id: "20260101T000000-rolling-maintenance-1a2b3c".into(),
                runbook: "rolling-maintenance".into(),
                region: "us-east-1".into(),
                status: Some(RunStatus::Unfinished),
                done: 3,
                steps: 7,
                started_at: Some(epoch()),
                note: None,
            },
            RunSummary {
                run_id: "20251231T120000-snapshot-4d5e6f".into(),
                runbook: "snapshot".into(),
                region: "us-east-1".into(),
                status: Some(RunStatus::Done),
                done: 2,
                steps: 2,
                started_at: Some(epoch() - chrono::Duration::hours(12)),
                note: None,
            },
        ]
    };
    both("unfinished_run_banner", |s| {
        app::update(s, Input::Msg(Msg::Runs { runs: runs() }));
    })
    .await;
    both("runs_view", |s| {
        command(s, "runs");
        app::update(s, Input::Msg(Msg::Runs { runs: runs() }));
    })
    .await;
}

/// `--ascii` on every screen: every cell is ASCII, and no glyph the console draws falls back to
/// `?` (where the Unicode screen has no `?`, the ASCII one has none either).
#[tokio::test(start_paused = true)]
async fn ascii_mode_draws_every_screen_in_ascii() {
    use opsdeck_app::runbooks::RunSummary;
    use opsdeck_runbook::journal::RunStatus;
    type Setup = Box<dyn Fn(&mut AppState)>;
    let views = [
        "instances",
        "volumes",
        "snapshots",
        "amis",
        "lb",
        "tg",
        "targets",
        "eip",
        "eni",
        "events",
        "alarms",
        "zones",
        "subnets",
        "findings",
    ];
    let mut screens: Vec<(String, Setup)> = views
        .iter()
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
        (
            "banners",
            Box::new(|s| {
                app::update(
                    s,
                    Input::Msg(Msg::Runs {
                        runs: vec![RunSummary {
                            run_id: "20260101T000000-snapshot-1a2b3c".into(),
                            runbook: "snapshot".into(),
                            region: "us-east-1".into(),
                            status: Some(RunStatus::Unfinished),
                            done: 1,
                            steps: 2,
                            started_at: Some(epoch()),
                            note: None,
                        }],
                    }),
                );
            }),
        ),
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
