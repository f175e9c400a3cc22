//! What a keymap action does (the mutating ones open a confirmation: `writes`).

use super::common::status;
use super::export::export;
use super::navigation::{
    apply_filter, enter, move_sel, open_describe, open_xray, open_xray_of, page, sort,
};
use super::pickers;
use super::refresh::{STUCK_REFRESH_SECONDS, connect, start_fetch};
use super::select::{selected_id, selected_instance, selected_target};
use super::writes::mutate;
use crate::keys::Action;
use crate::msg::Effect;
use crate::resources::ResourceKind;
use crate::state::{AppState, AzMapView, HelpView, InputLine, InputMode, Screen, StatusLevel};
use crate::strings;

pub(super) fn act(s: &mut AppState, a: Action) -> Vec<Effect> {
    if a.mutates() {
        return mutate(s, a);
    }
    match a {
        Action::Quit => {
            if s.runbook.as_ref().is_some_and(|u| u.active()) && !s.quit_armed {
                s.quit_armed = true;
                status(s, StatusLevel::Warn, strings::QUIT_DURING_RUN);
                return Vec::new();
            }
            s.quit = true;
            vec![Effect::Quit]
        }
        Action::Back => {
            if let Some(key) = s.top_table_key().cloned()
                && s.view(&key).is_some_and(|v| !v.filter.is_empty())
            {
                s.input.text.clear();
                apply_filter(s);
            } else {
                s.nav.pop();
            }
            Vec::new()
        }
        Action::Command => {
            s.input = InputLine {
                mode: InputMode::Command,
                ..InputLine::default()
            };
            Vec::new()
        }
        Action::Filter => {
            match s.top_table_key().cloned() {
                Some(key) => {
                    let current = s.view(&key).map(|v| v.filter.clone()).unwrap_or_default();
                    s.input = InputLine {
                        mode: InputMode::Filter,
                        text: current,
                        completion: None,
                    };
                }
                None => status(s, StatusLevel::Info, strings::FILTER_NEEDS_TABLE),
            }
            Vec::new()
        }
        Action::Help => {
            if !matches!(s.nav.top(), Screen::Help(_)) {
                s.nav.push(Screen::Help(HelpView::default()));
            }
            Vec::new()
        }
        Action::Refresh => {
            if s.session.info.is_none() {
                if s.session.connecting {
                    status(s, StatusLevel::Info, strings::ALREADY_CONNECTING);
                    return Vec::new();
                }
                status(s, StatusLevel::Info, strings::REFRESHING);
                return connect(s);
            }
            // Pressing again while a refresh runs joins it: with AWS throttling, every extra full
            // refresh would add to the load that slows them all.
            let running = s.data.fetching
                && s.data
                    .fetch_started
                    .is_some_and(|t| (s.wall - t).num_seconds() < STUCK_REFRESH_SECONDS);
            if running {
                s.data.fetch_asked = true;
                status(s, StatusLevel::Info, strings::REFRESH_ALREADY_RUNNING);
                return Vec::new();
            }
            status(s, StatusLevel::Info, strings::REFRESHING);
            let fx = start_fetch(s);
            s.data.fetch_asked = true;
            fx
        }
        Action::Up => move_sel(s, -1),
        Action::Down => move_sel(s, 1),
        Action::PageUp => {
            let p = page(s);
            move_sel(s, -p)
        }
        Action::PageDown => {
            let p = page(s);
            move_sel(s, p)
        }
        Action::Top => move_sel(s, isize::MIN / 2),
        Action::Bottom => move_sel(s, isize::MAX / 2),
        Action::Left | Action::Right => {
            let d: isize = if a == Action::Left { -1 } else { 1 };
            match s.nav.top_mut() {
                Screen::AzMap(m) => {
                    let n = m.columns.len().max(1) as isize;
                    m.selected = (m.selected as isize + d).clamp(0, n - 1) as usize;
                }
                Screen::Table(key) => {
                    let key = key.clone();
                    if let Some(v) = s.tables.views.get_mut(&key) {
                        let max = v.model.as_ref().map_or(0, |m| m.ncols().saturating_sub(2));
                        v.col_offset = (v.col_offset as isize + d).clamp(0, max as isize) as usize;
                    }
                }
                _ => {}
            }
            Vec::new()
        }
        Action::Enter => enter(s),
        Action::Describe => {
            if let Some((kind, id)) = selected_target(s) {
                open_describe(s, kind, &id);
            }
            Vec::new()
        }
        Action::Xray => {
            match (selected_instance(s), selected_target(s)) {
                (Some(id), _) => open_xray(s, &id),
                (None, Some((ResourceKind::AutoScalingGroups, name))) => {
                    open_xray_of(s, ResourceKind::AutoScalingGroups, &name)
                }
                _ => status(s, StatusLevel::Info, strings::XRAY_NEEDS_INSTANCE),
            }
            Vec::new()
        }
        Action::Runbook => pickers::for_selection(s),
        Action::AzMap => {
            if !matches!(s.nav.top(), Screen::AzMap(_)) {
                s.nav.push(Screen::AzMap(AzMapView::default()));
            }
            Vec::new()
        }
        Action::SortNext | Action::SortReverse => {
            sort(s, a == Action::SortReverse);
            Vec::new()
        }
        Action::CopyId => match selected_id(s) {
            Some(id) => {
                status(s, StatusLevel::Ok, strings::copied(&id));
                vec![Effect::Copy { text: id }]
            }
            None => Vec::new(),
        },
        Action::ExportCsv => export(s, false),
        Action::ExportJson => export(s, true),
        _ => Vec::new(),
    }
}
