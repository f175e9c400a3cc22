//! One module per screen. Each draws the body area for its `Screen`.

pub mod azmap;
pub mod describe;
pub mod help;
pub mod runbook;
pub mod runbooks;
pub mod table;
pub mod xray;

use super::theme::Theme;
use opsdeck_app::state::{AppState, Screen};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

pub fn draw(frame: &mut Frame, area: Rect, s: &mut AppState, theme: &Theme) {
    match s.nav.top().clone() {
        Screen::Table(key) => table::draw(frame, area, s, &key, theme),
        Screen::Describe(_) => describe::draw(frame, area, s, theme),
        Screen::Xray(_) => xray::draw(frame, area, s, theme),
        Screen::AzMap(_) => azmap::draw(frame, area, s, theme),
        Screen::Help(_) => help::draw(frame, area, s, theme),
        Screen::Runbook(_) => runbook::draw(frame, area, s, theme),
        Screen::Runbooks(_) => runbooks::draw_chooser(frame, area, s, theme),
        Screen::Runs(_) => runbooks::draw_runs(frame, area, s, theme),
    }
}

/// The bordered block every screen sits in, in the profile's colour.
pub fn frame_block<'a>(title: String, theme: &Theme) -> Block<'a> {
    let title = theme.text(&title).into_owned();
    Block::bordered()
        .border_set(theme.border_set())
        .border_style(theme.frame())
        .title(Line::from(Span::styled(title, theme.title())))
}

/// What a screen shows before the first inventory arrives.
pub fn waiting(s: &AppState) -> Option<String> {
    if s.data.loaded() {
        return None;
    }
    Some(
        match (&s.session.info, &s.session.error, s.session.connecting) {
            (_, Some(e), _) => format!("cannot connect: {e}"),
            (None, None, true) => "connecting…".into(),
            (None, None, false) => "not connected (ctrl-r retries)".into(),
            (Some(info), None, _) => {
                format!("loading the inventory of {}…", info.regions.join(", "))
            }
        },
    )
}
