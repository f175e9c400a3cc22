//! Any resource table (instances, volumes, … alarms): a title with counts, filter and scope, an
//! AZ summary for the targets of one group, then the generic table widget.

use super::frame::{frame_block, waiting};
use crate::tui::strings;
use crate::tui::theme::Theme;
use crate::tui::widgets::health;
use crate::tui::widgets::table as widget;
use opsdeck_app::resources::{CellCtx, ResourceKind};
use opsdeck_app::state::{AppState, Scope, ViewKey};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn title(s: &AppState, key: &ViewKey) -> String {
    let inv = &s.data.inv;
    let ctx = s.data.ctx(s.clock);
    let mut t = match &key.scope {
        Scope::All => key.kind.title().to_string(),
        Scope::LoadBalancer(arn) => strings::target_groups_of(
            ctx.load_balancer(arn)
                .map(|l| l.name.as_str())
                .unwrap_or(arn),
        ),
        Scope::TargetGroup(arn) => strings::targets_of(
            ctx.target_group(arn)
                .map(|g| g.name.as_str())
                .unwrap_or(arn),
        ),
    };
    let _ = inv;
    if let Some(v) = s.view(key)
        && let Some(m) = &v.model
        && s.data.loaded()
    {
        if m.len() == m.total() {
            t.push_str(&strings::rows(m.total()));
        } else {
            t.push_str(&strings::rows_of(m.len(), m.total()));
        }
        if !v.filter.is_empty() {
            t.push_str(&strings::filtered(&v.filter));
        }
    }
    if let Some(r) = &s.tables.region_filter {
        t.push_str(&strings::only_region(r));
    }
    strings::title(&t)
}

pub fn draw(frame: &mut Frame, area: Rect, s: &mut AppState, key: &ViewKey, theme: &Theme) {
    let block = frame_block(title(s, key), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(msg) = waiting(s) {
        frame.buffer_mut().set_stringn(
            inner.x + 1,
            inner.y,
            msg,
            usize::from(inner.width.saturating_sub(1)),
            theme.dim(),
        );
        return;
    }
    let mut table_area = inner;
    if key.kind == ResourceKind::Targets
        && let Scope::TargetGroup(arn) = &key.scope
        && inner.height > 3
    {
        let ctx = s.data.ctx(s.clock);
        let mut spans = vec![Span::styled(strings::HEALTHY_PER_AZ, theme.dim())];
        spans.extend(health::spans(ctx.tg_health_by_az(arn), "", theme));
        frame
            .buffer_mut()
            .set_line(inner.x, inner.y, &Line::from(spans), inner.width);
        table_area = Rect::new(inner.x, inner.y + 1, inner.width, inner.height - 1);
    }
    let data = s.data.clone();
    let ctx = data.ctx(s.clock);
    if let Some(view) = s.tables.views.get_mut(key) {
        if view.model.is_none() && view.building.is_some() {
            let msg = strings::building_table(key.kind.row_count(&ctx));
            let msg = theme.text(&msg);
            frame.buffer_mut().set_stringn(
                table_area.x + 1,
                table_area.y,
                msg.as_ref(),
                usize::from(table_area.width.saturating_sub(1)),
                theme.dim(),
            );
            return;
        }
        widget::render(frame.buffer_mut(), table_area, view, &ctx, theme);
    }
}
