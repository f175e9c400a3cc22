//! `update` without a terminal: keys in, effects and state out. The helpers are here, the tests
//! by topic in the files below.

use super::keys::{Key, KeyCode};
use super::msg::*;
use super::resources::ResourceKind;
use super::state::*;
use super::update::{startup, update};
use super::{Prefs, sample};
use opsdeck_core::domain::Timestamp;

mod clock;
mod commands;
mod navigation;
mod refresh;
mod runs;
mod tables;
mod writes;

pub(super) fn t0() -> Timestamp {
    chrono::DateTime::from_timestamp(1_700_000_080, 0).unwrap()
}

pub(super) fn info(regions: &[&str], read_only: bool) -> SessionInfo {
    SessionInfo {
        label: "test".into(),
        profile: None,
        regions: regions.iter().map(|s| s.to_string()).collect(),
        read_only,
        color: None,
        simulated: false,
    }
}

pub(super) fn generation_of(fx: &[Effect]) -> u64 {
    match fx.first() {
        Some(Effect::Connect { generation, .. }) | Some(Effect::Fetch { generation, .. }) => {
            *generation
        }
        other => panic!("expected connect or fetch, got {other:?}"),
    }
}

/// A console connected to `regions` with `n` instances loaded.
pub(super) fn loaded(n: usize, regions: &[&str], read_only: bool) -> AppState {
    let mut s = AppState::new(Prefs::default(), None, vec![], t0());
    let fx = startup(&mut s);
    let g = generation_of(&fx);
    let fx = update(
        &mut s,
        Input::Msg(Msg::Connected {
            generation: g,
            result: Ok(info(regions, read_only)),
        }),
    );
    let g = generation_of(&fx);
    update(
        &mut s,
        Input::Msg(Msg::Inventory {
            generation: g,
            inv: Box::new(sample::inventory(n, regions, t0())),
            index: None,
            model: None,
        }),
    );
    s
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

pub(super) fn top_view(s: &AppState) -> &TableView {
    let k = s.top_table_key().expect("a table on top");
    s.view(k).expect("view exists")
}

/// An inventory of `regions` in which `failed` answered with an error (and no rows).
pub(super) fn with_failed(
    n: usize,
    regions: &[&str],
    failed: &str,
    at: Timestamp,
) -> opsdeck_core::domain::Inventory {
    let ok: Vec<&str> = regions.iter().copied().filter(|r| *r != failed).collect();
    let mut inv = sample::inventory(n, &ok, at);
    inv.regions.push(opsdeck_core::domain::RegionStatus {
        region: failed.into(),
        fetched_at: Some(at),
        error: Some("instances: AWS is throttling requests [Throttling]: Rate exceeded".into()),
        unread: Vec::new(),
    });
    inv
}

pub(super) fn status_text(s: &AppState) -> String {
    s.status
        .as_ref()
        .map(|st| st.text.clone())
        .unwrap_or_default()
}
