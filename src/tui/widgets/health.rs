//! Healthy/total targets per AZ as coloured spans: all healthy green, none red, some yellow.

use crate::tui::strings;
use crate::tui::theme::Theme;
use opsdeck_app::resources::AzHealth;
use ratatui::text::Span;

/// `us-east-1a 2/2{unit}   us-east-1b 0/1{unit}`, or "no targets" in red.
pub fn spans(zones: Vec<AzHealth>, unit: &str, theme: &Theme) -> Vec<Span<'static>> {
    if zones.is_empty() {
        return vec![Span::styled(strings::NO_TARGETS, theme.bad())];
    }
    let mut out = Vec::with_capacity(zones.len() * 2);
    for z in zones {
        let style = if z.healthy == z.total {
            theme.good()
        } else if z.healthy == 0 {
            theme.bad()
        } else {
            theme.warn()
        };
        out.push(Span::styled(
            strings::zone_health(&z.az, z.healthy, z.total, unit),
            style,
        ));
        out.push(Span::raw("   "));
    }
    out
}
