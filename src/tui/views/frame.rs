//! What every screen shares: the bordered block it sits in, and what it shows before the first
//! inventory arrives.

use crate::tui::strings;
use crate::tui::theme::Theme;
use opsdeck_app::state::AppState;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

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
            (_, Some(e), _) => strings::cannot_connect(e),
            (None, None, true) => strings::CONNECTING.into(),
            (None, None, false) => strings::NOT_CONNECTED_RETRIES.into(),
            (Some(info), None, _) => strings::loading_inventory_of(&info.regions),
        },
    )
}
