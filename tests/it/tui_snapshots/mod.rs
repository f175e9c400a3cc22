//! Console screens drawn into ratatui's `TestBackend` at 80×24 and 160×48, on the simulator's
//! default demo fleet (fixed seed and epoch, paused clock), compared with insta snapshots in
//! `tests/it/snapshots/`. Dates and generated ids are redacted so the snapshots show layout and
//! content, not the simulator's dice. Accept changes with
//! `INSTA_UPDATE=always cargo test -p opsdeck --test it tui_snapshots`.
//!
//! The screens are in `screens`, `banners`, `runbooks` and `ascii_and_sizes`; the demo state, the
//! redaction and `snap!` (whose `snapshot_path` is relative to this folder) are here.

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

/// The tables besides instances that have a snapshot at both sizes (`view_<name>_<w>x<h>`).
const VIEWS: [&str; 11] = [
    "asg",
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
];

fn session(regions: &[String], read_only: bool, color: Option<&str>) -> SessionInfo {
    SessionInfo {
        label: "demo: simulated fleet `default`".into(),
        profile: None,
        regions: regions.to_vec(),
        read_only,
        color: color.map(str::to_string),
        simulated: false,
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
    answer_fetch(&mut s, generation, inv);
    s
}

/// Answers the fetch of `generation` with `inv`, as the runner would.
fn answer_fetch(s: &mut AppState, generation: u64, inv: Inventory) {
    app::update(
        s,
        Input::Msg(Msg::Inventory {
            generation,
            inv: Box::new(inv),
            index: None,
            model: None,
        }),
    );
}

/// The journal's answer at start: one unfinished snapshot run (its banner).
fn one_unfinished_run(s: &mut AppState) {
    use opsdeck_app::runbooks::RunSummary;
    use opsdeck_runbook::journal::RunStatus;
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
                called: vec![],
                outputs: vec![],
                resources_gone: false,
            }],
        }),
    );
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
            snapshot_path => "../snapshots",
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

/// The demo, five minutes after its first refresh, with eu-west-1 failing in the second (two
/// lists refused for expired credentials, each with AWS's message and request id).
async fn demo_with_failed_region() -> AppState {
    let mut s = demo(false).await;
    let before = s.data.inv.instances.len();
    let later = epoch() + chrono::Duration::minutes(5);
    // The auto-refresh is due: the tick starts it.
    let fx = app::update(&mut s, Input::tick(later));
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
    answer_fetch(&mut s, generation, inv);
    assert_eq!(s.data.inv.instances.len(), before, "last data kept");
    s
}

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
            resumed: false,
            at: s.clock,
        },
        RunEvent::Acted {
            step: 0,
            call,
            request_id: Some("req-1".into()),
            outputs: Default::default(),
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

mod ascii_and_sizes;
mod banners;
mod runbooks;
mod screens;
