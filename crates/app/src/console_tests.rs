//! `update` without a terminal for chaos, findings and runbooks, on the simulator's demo fleet.

use super::keys::{Key, KeyCode};
use super::msg::*;
use super::resources::ResourceKind;
use super::state::{AppState, Screen};
use super::update::{startup, update};
use super::{Prefs, azmap};
use opsdeck_core::analysis::FindingKind;
use opsdeck_core::cloud::{FetchOptions, fetch_inventory};
use opsdeck_core::domain::{Inventory, Timestamp};
use opsdeck_sim::{Sim, SimOptions};

pub(super) fn t0() -> Timestamp {
    chrono::DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default()
}

pub(super) fn demo_sim() -> Sim {
    Sim::new(SimOptions {
        epoch: Some(t0()),
        ..SimOptions::fleet("default")
    })
    .expect("default fleet")
}

pub(super) async fn inventory_of(sim: &Sim) -> Inventory {
    fetch_inventory(&sim.readers(), &FetchOptions::default()).await
}

fn fetch_generation(fx: &[Effect]) -> u64 {
    fx.iter()
        .find_map(|e| match e {
            Effect::Connect { generation, .. } | Effect::Fetch { generation, .. } => {
                Some(*generation)
            }
            _ => None,
        })
        .expect("a connect or fetch effect")
}

/// A console connected to the demo fleet's regions with `inv` loaded.
pub(super) fn console(inv: Inventory, read_only: bool) -> AppState {
    let mut s = AppState::new(Prefs::default(), None, vec![], t0());
    let g = fetch_generation(&startup(&mut s));
    let regions = inv.regions.iter().map(|r| r.region.clone()).collect();
    let fx = update(
        &mut s,
        Input::Msg(Msg::Connected {
            generation: g,
            result: Ok(SessionInfo {
                label: "demo".into(),
                regions,
                read_only,
                ..SessionInfo::default()
            }),
        }),
    );
    deliver(&mut s, fetch_generation(&fx), inv);
    s
}

/// Answers fetch request `generation` with `inv` (no index: `update` derives it, findings too).
pub(super) fn deliver(s: &mut AppState, generation: u64, inv: Inventory) -> Vec<Effect> {
    update(
        s,
        Input::Msg(Msg::Inventory {
            generation,
            inv: Box::new(inv),
            index: None,
            model: None,
        }),
    )
}

pub(super) fn keys(s: &mut AppState, text: &str) -> Vec<Effect> {
    let mut fx = Vec::new();
    for c in text.chars() {
        fx.extend(update(s, Input::Key(Key::ch(c))));
    }
    fx
}

pub(super) fn key(s: &mut AppState, code: KeyCode) -> Vec<Effect> {
    update(s, Input::Key(Key::plain(code)))
}

pub(super) fn command(s: &mut AppState, cmd: &str) -> Vec<Effect> {
    keys(s, ":");
    keys(s, cmd);
    key(s, KeyCode::Enter)
}

pub(super) fn status_text(s: &AppState) -> String {
    s.status
        .as_ref()
        .map(|x| x.text.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn chaos_is_an_effect_then_a_status_and_a_refresh() {
    let mut s = console(inventory_of(&demo_sim()).await, false);
    let fx = command(&mut s, "chaos az-outage us-east-1a");
    assert_eq!(
        fx,
        vec![Effect::Chaos {
            text: "az-outage us-east-1a".into()
        }]
    );
    let fx = update(
        &mut s,
        Input::Msg(Msg::Chaos {
            result: Some(Ok("us-east-1a is down".into())),
        }),
    );
    assert!(status_text(&s).contains("us-east-1a is down"));
    assert!(
        matches!(fx.as_slice(), [Effect::Fetch { .. }]),
        "a refresh shows the fault: {fx:?}"
    );

    update(
        &mut s,
        Input::Msg(Msg::Chaos {
            result: Some(Err("unknown zone us-east-1z".into())),
        }),
    );
    assert!(
        status_text(&s).contains("unknown zone"),
        "{}",
        status_text(&s)
    );

    let fx = update(&mut s, Input::Msg(Msg::Chaos { result: None }));
    assert!(fx.is_empty());
    assert!(
        status_text(&s).contains("only in a demo"),
        "{}",
        status_text(&s)
    );

    // Without a command: the list of commands, nothing sent.
    assert!(command(&mut s, "chaos").is_empty());
    assert!(status_text(&s).contains("az-outage"), "{}", status_text(&s));
}

#[tokio::test]
async fn findings_view_lists_worst_first_and_describes() {
    let mut s = console(inventory_of(&demo_sim()).await, false);
    command(&mut s, "f");
    let vk = s.top_table_key().cloned().expect("a table");
    assert_eq!(vk.kind, ResourceKind::Findings);
    let view = s.view(&vk).expect("view");
    assert_eq!(view.len(), s.data.index.findings.len());
    let kinds: Vec<FindingKind> = s.data.index.findings.iter().map(|f| f.kind).collect();
    for k in [
        FindingKind::SingleAz,
        FindingKind::SingleInstance,
        FindingKind::NoRecentSnapshot,
        FindingKind::UnprotectedScheduledEvent,
    ] {
        assert!(kinds.contains(&k), "{k:?} missing from {kinds:?}");
    }
    let severities: Vec<_> = s.data.index.findings.iter().map(|f| f.severity).collect();
    assert!(
        severities.windows(2).all(|w| w[0] >= w[1]),
        "worst first: {severities:?}"
    );
    // The second row (enter): its own finding, not another one about the same resource.
    keys(&mut s, "j");
    key(&mut s, KeyCode::Enter);
    let Screen::Describe(d) = s.nav.top() else {
        panic!("enter describes a finding");
    };
    let second = &s.data.index.findings[1];
    assert!(d.id.starts_with(second.kind.as_str()), "{}", d.id);
    assert!(
        d.lines.iter().any(|l| l.contains(&second.message)),
        "{:?}",
        d.lines
    );
}

#[tokio::test]
async fn findings_follow_the_inventory_and_mark_the_az_map() {
    let sim = demo_sim();
    let mut s = console(inventory_of(&sim).await, false);
    let cols = azmap::build(&s.data.inv, &s.data.index.findings);
    let a = cols
        .iter()
        .find(|c| c.az == "us-east-1a")
        .expect("us-east-1a");
    let b = cols
        .iter()
        .find(|c| c.az == "us-east-1b")
        .expect("us-east-1b");
    assert!(a.findings >= 2, "the web tier and the database: {a:?}");
    assert!(a.lines.iter().any(|l| l.text.contains("single-az")));
    assert_eq!(b.findings, 0);

    // An outage is a new finding once the next inventory arrives (not before: no per-frame work).
    sim.az_outage("us-east-1a").expect("outage");
    let before = s.data.index.findings.len();
    let tick = update(&mut s, Input::tick(t0() + chrono::Duration::seconds(61)));
    assert_eq!(s.data.index.findings.len(), before);
    // The tick started the auto-refresh; ctrl-r joins it rather than starting another.
    assert!(update(&mut s, Input::Key(Key::ctrl('r'))).is_empty());
    let g = fetch_generation(&tick);
    deliver(&mut s, g, inventory_of(&sim).await);
    assert!(
        s.data
            .index
            .findings
            .iter()
            .any(|f| f.kind == FindingKind::AzImpaired),
        "{:?}",
        s.data.index.findings
    );
}

/// `r` on the AZ map offers the runbooks of that zone's findings (its "Findings" section), not
/// the whole catalog; a zone with none offers nothing.
#[tokio::test]
async fn the_az_maps_r_offers_the_zones_own_runbooks() {
    let sim = demo_sim();
    let mut s = console(inventory_of(&sim).await, false);
    command(&mut s, "map");
    let Screen::AzMap(_) = s.nav.top() else {
        panic!("the map is open");
    };
    // The columns are built when drawn (models); build them as a frame would.
    crate::update::ensure_models(&mut s);
    let select = |s: &mut AppState, az: &str| {
        for _ in 0..20 {
            key(s, KeyCode::Left);
        }
        for _ in 0..20 {
            let Screen::AzMap(m) = s.nav.top() else {
                panic!("map");
            };
            if m.columns.get(m.selected).is_some_and(|c| c.az == az) {
                return;
            }
            key(s, KeyCode::Right);
        }
        panic!("{az} not on the map");
    };
    select(&mut s, "us-east-1a");
    keys(&mut s, "r");
    let Screen::Runbooks(c) = s.nav.top().clone() else {
        panic!("a chooser: {}", status_text(&s));
    };
    assert!(c.title.contains("us-east-1a"), "{}", c.title);
    let inv = &s.data.inv;
    let expected: Vec<String> = crate::runbooks::fixes(
        s.data
            .index
            .findings
            .iter()
            .filter(|f| crate::findings::zones_of(inv, f).contains("us-east-1a")),
    )
    .into_iter()
    .map(|c| c.detail)
    .collect();
    let offered: Vec<String> = c.items.iter().map(|i| i.detail.clone()).collect();
    assert_eq!(offered, expected);
    assert!(
        offered.iter().any(|d| d.contains("db-1")),
        "the database's failover is 1a's: {offered:?}"
    );
    assert!(
        !offered.iter().any(|d| d.contains("worker-1")),
        "eu-west-1's worker is not: {offered:?}"
    );
    key(&mut s, KeyCode::Esc);
    select(&mut s, "us-east-1b");
    keys(&mut s, "r");
    assert!(matches!(s.nav.top(), Screen::AzMap(_)), "nothing to offer");
}
