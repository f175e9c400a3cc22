//! The `:` command line's commands, once parsed (`crate::command`).

use super::actions::act;
use super::common::status;
use super::export::export;
use super::pickers;
use super::refresh::connect;
use crate::command;
use crate::keys::Action;
use crate::msg::Effect;
use crate::runbook_screen;
use crate::state::{AppState, AzMapView, Screen, StatusLevel, ViewKey};
use crate::strings;

pub(super) fn run_command(s: &mut AppState, line: &str) -> Vec<Effect> {
    match command::parse(line) {
        command::Command::Nothing => Vec::new(),
        command::Command::View(kind) => {
            s.nav.reset(Screen::Table(ViewKey::all(kind)));
            Vec::new()
        }
        command::Command::Runbooks => pickers::catalog(s),
        command::Command::Runs => pickers::runs(s),
        command::Command::AzMap => {
            s.nav.reset(Screen::AzMap(AzMapView::default()));
            Vec::new()
        }
        command::Command::Help => act(s, Action::Help),
        command::Command::Quit => act(s, Action::Quit),
        command::Command::Refresh => act(s, Action::Refresh),
        command::Command::Export(json) => export(s, json),
        command::Command::Region(None) => {
            let shown = match (&s.tables.region_filter, &s.session.info) {
                (Some(r), _) => strings::showing_only(r),
                (None, Some(i)) => strings::regions(&i.regions),
                (None, None) => strings::NOT_CONNECTED_YET.into(),
            };
            status(s, StatusLevel::Info, shown);
            Vec::new()
        }
        command::Command::Region(Some(r)) => region_command(s, &r),
        command::Command::Profile(None) => {
            let p = s
                .session
                .info
                .as_ref()
                .and_then(|i| i.profile.clone())
                .unwrap_or_else(|| "default".into());
            status(s, StatusLevel::Info, strings::profile(&p));
            Vec::new()
        }
        command::Command::Profile(Some(p)) => {
            // A demo's world lives in this process: a reconnect would build a new one and lose
            // every chaos and change made in it. There is no profile to switch to.
            if s.session.info.as_ref().is_some_and(|i| i.simulated) {
                status(s, StatusLevel::Warn, strings::no_profiles_in_a_demo(&p));
                return Vec::new();
            }
            // Another profile is another account: a run must finish where it started, and a plan
            // made for one account must never run on another.
            if s.runbook.as_ref().is_some_and(|u| u.active()) {
                status(s, StatusLevel::Warn, strings::SWITCH_PROFILE_DURING_RUN);
                return Vec::new();
            }
            if let Some(ui) = s.runbook.as_mut()
                && ui.run_id.is_none()
            {
                ui.phase =
                    runbook_screen::Phase::Refused(strings::PLAN_FOR_PREVIOUS_PROFILE.into());
            } else if s.runbook.as_ref().is_some_and(|u| u.run_id.is_some()) {
                s.runbook = None;
            }
            s.session.profile = if p == "default" {
                None
            } else {
                Some(p.clone())
            };
            s.tables.region_filter = None;
            status(s, StatusLevel::Info, strings::switching_to_profile(&p));
            connect(s)
        }
        command::Command::Chaos(text) => chaos(s, text),
        command::Command::Unknown(c) => {
            status(s, StatusLevel::Error, strings::unknown_command(&c));
            Vec::new()
        }
    }
}

/// `:chaos COMMAND`: the runner asks the session's simulator (a demo only) and answers with
/// `Msg::Chaos`; `update` never touches the simulator itself.
pub(super) fn chaos(s: &mut AppState, text: String) -> Vec<Effect> {
    if text.is_empty() {
        status(s, StatusLevel::Info, strings::CHAOS_USAGE);
        return Vec::new();
    }
    if s.session.info.is_none() {
        status(s, StatusLevel::Warn, strings::NOT_CONNECTED_YET);
        return Vec::new();
    }
    vec![Effect::Chaos { text }]
}

fn region_command(s: &mut AppState, r: &str) -> Vec<Effect> {
    if r == "all" || r == "*" {
        s.tables.region_filter = None;
        s.tables.epoch += 1;
        status(s, StatusLevel::Info, strings::SHOWING_EVERY_REGION);
        return Vec::new();
    }
    let connected = s
        .session
        .info
        .as_ref()
        .is_some_and(|i| i.regions.iter().any(|x| x == r));
    if connected {
        s.tables.region_filter = Some(r.to_string());
        s.tables.epoch += 1;
        status(s, StatusLevel::Info, strings::showing_only(r));
        Vec::new()
    } else {
        let mut regions = s
            .session
            .info
            .as_ref()
            .map(|i| i.regions.clone())
            .unwrap_or_else(|| s.session.regions.clone());
        regions.push(r.to_string());
        s.session.regions = regions;
        s.tables.region_filter = None;
        s.tables.epoch += 1;
        status(s, StatusLevel::Info, strings::adding_region(r));
        connect(s)
    }
}
