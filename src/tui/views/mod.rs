//! One module per screen. Each draws the body area for its `Screen`; what they share (the frame
//! around a screen, the wait before the first inventory) is in `frame.rs`.

pub mod azmap;
pub mod describe;
pub mod frame;
pub mod help;
pub mod runbook;
pub mod runbooks;
pub mod table;
pub mod xray;

use super::theme::Theme;
use opsdeck_app::state::{AppState, Screen};
use ratatui::Frame;
use ratatui::layout::Rect;

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
