//! The runbook screen: the plan (steps, calls, expected times, notes), the preflight's verdict, the
//! approvals, and while it runs each step's progress, the health per AZ of the groups it touches
//! and the log's tail.

use super::frame::frame_block;
use crate::tui::strings;
use crate::tui::theme::Theme;
use crate::tui::widgets::health;
use opsdeck_app::resources::CellCtx;
use opsdeck_app::runbook_screen::{Phase, RunbookUi, StepState};
use opsdeck_app::state::{AppState, Screen};
use opsdeck_core::domain::Timestamp;
use opsdeck_core::domain::time::duration_secs;
use opsdeck_runbook::journal::RunStatus;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// `m:ss` (or `h:mm:ss`): elapsed time to the second, next to the expected duration.
fn clock(secs: u64) -> String {
    if secs >= 3600 {
        format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
    } else {
        format!("{}:{:02}", secs / 60, secs % 60)
    }
}

fn title(ui: &RunbookUi) -> String {
    let t = plain_title(ui);
    if ui.resuming && ui.run_id.is_some() {
        strings::resumed_title(&t)
    } else {
        t
    }
}

fn plain_title(ui: &RunbookUi) -> String {
    match &ui.plan {
        Some(p) => strings::runbook_title(
            &p.runbook,
            &p.region,
            p.steps.len(),
            &duration_secs(p.expected_secs() as i64),
        ),
        None => strings::runbook_title_unplanned(ui.request.runbook()),
    }
}

/// Where the run stands, in one line.
fn headline(ui: &RunbookUi, theme: &Theme) -> (String, Style) {
    let n = ui.steps.len();
    let at = ui.current().map(|i| i + 1).unwrap_or(n);
    let run = ui
        .run_id
        .as_deref()
        .map(strings::on_run)
        .unwrap_or_default();
    match &ui.phase {
        Phase::Planning => (strings::planning(&ui.request.command()), theme.dim()),
        Phase::Refused(why) => (strings::refused(why), theme.bad()),
        Phase::ReadOnly => (strings::READ_ONLY_PLAN.into(), theme.warn()),
        Phase::Preflight => (strings::PREFLIGHT.into(), theme.warn()),
        Phase::Blocked(_) => (strings::PREFLIGHT_REFUSES.into(), theme.bad()),
        Phase::Ready if ui.resuming && ui.resources_gone => {
            (strings::resuming_gone(&run), theme.bad())
        }
        Phase::Ready if ui.resuming => (strings::resuming(&run), theme.warn()),
        Phase::Ready => (strings::PREFLIGHT_PASSED.into(), theme.good()),
        Phase::Starting => (strings::STARTING.into(), theme.warn()),
        Phase::Running => (strings::running_step(at, n, &run), theme.warn()),
        // A plan of no steps never ran: it is "nothing to do", and its notes say why.
        Phase::Finished(RunStatus::Done) if ui.run_id.is_none() && n == 0 => {
            (strings::NOTHING_TO_DO_HEADLINE.into(), theme.dim())
        }
        Phase::Finished(RunStatus::Done) => (strings::done(&run), theme.good()),
        Phase::Finished(RunStatus::Failed) => (
            strings::failed_at(at, n, &run, ui.last_error.as_deref().unwrap_or("")),
            theme.bad(),
        ),
        Phase::Finished(st) => (strings::stopped_at(st.as_str(), at, n, &run), theme.warn()),
        Phase::Broken(e) => (strings::broken(e), theme.bad()),
    }
}

/// The keys that apply now (the screen's own, fixed like a dialog's).
fn hint(ui: &RunbookUi, read_only: bool) -> String {
    if ui.confirm_cancel {
        return if ui.cancel_sent {
            strings::CONFIRM_STOP_NOW.into()
        } else {
            strings::CONFIRM_CANCEL.into()
        };
    }
    let undo = if read_only { "" } else { strings::ROLLS_BACK };
    match &ui.phase {
        Phase::Planning | Phase::Preflight => strings::ESC_BACK_NOTHING_CHANGES.into(),
        Phase::Refused(_) | Phase::Blocked(_) => strings::NOTHING_CHANGED_PLAN_AGAIN.into(),
        Phase::ReadOnly => strings::ESC_BACK.into(),
        Phase::Ready if ui.approve_each => strings::READY_ASK_EACH.into(),
        Phase::Ready => strings::READY.into(),
        Phase::Starting | Phase::Running if ui.cancel_sent => strings::CANCELLING.into(),
        Phase::Starting | Phase::Running => strings::RUNNING_KEYS.into(),
        Phase::Finished(RunStatus::Failed) if ui.resources_gone && !read_only => {
            strings::GONE_KEYS.into()
        }
        Phase::Finished(st) if st.is_open() => strings::resumes(undo),
        Phase::Finished(RunStatus::Done) if ui.run_id.is_some() => strings::back(undo),
        Phase::Finished(_) => strings::ESC_BACK.into(),
        Phase::Broken(_) if ui.run_id.is_some() => strings::back(undo),
        Phase::Broken(_) => strings::PLAN_AGAIN.into(),
    }
}

/// The approval the engine waits for: two lines at the bottom.
fn ask_lines(ui: &RunbookUi, step: usize, theme: &Theme) -> Vec<Line<'static>> {
    let title = ui.title(step);
    match ui.confirm_id(step) {
        Some(id) => vec![
            Line::from(Span::styled(
                strings::step_is_destructive(step + 1, &title),
                theme.bad(),
            )),
            Line::from(vec![
                Span::raw(strings::type_id_and_enter(&id)),
                Span::styled(
                    strings::typed(&ui.typed),
                    if ui.typed == id {
                        theme.good()
                    } else {
                        theme.key()
                    },
                ),
            ]),
        ],
        None => vec![
            Line::from(Span::styled(
                strings::approve_step(step + 1, &title),
                theme.warn(),
            )),
            Line::from(strings::ENTER_APPROVES),
        ],
    }
}

/// One line per step (two where room allows: its calls and resources), plus what the running or
/// failed step waits on.
fn step_lines(
    ui: &RunbookUi,
    now: Timestamp,
    wide: bool,
    width: u16,
    theme: &Theme,
) -> Vec<(Line<'static>, bool)> {
    let Some(plan) = &ui.plan else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, (step, view)) in plan.steps.iter().zip(&ui.steps).enumerate() {
        let (mark, style) = match &view.state {
            StepState::Pending if view.acted => ("◐", theme.warn()),
            StepState::Pending => ("·", theme.dim()),
            StepState::Earlier => ("✓", theme.dim()),
            StepState::Running { .. } => ("▶", theme.warn()),
            StepState::Done { .. } => ("✓", theme.good()),
            StepState::Failed(_) => ("✗", theme.bad()),
        };
        let expected = duration_secs(step.expected_secs as i64);
        let overdue = ui.overdue(i, now);
        let time = match &view.state {
            StepState::Running { since } if overdue.is_some() => strings::overdue_time(
                &clock((now - *since).num_seconds().max(0) as u64),
                &expected,
            ),
            StepState::Running { since } => strings::elapsed_of(
                &clock((now - *since).num_seconds().max(0) as u64),
                &expected,
            ),
            StepState::Done { secs } => strings::elapsed_of(&clock(*secs), &expected),
            StepState::Earlier => strings::DONE_BEFORE.into(),
            _ => strings::about(&expected),
        };
        let flag = if step.action.is_destructive() {
            strings::DESTRUCTIVE
        } else {
            ""
        };
        let left = format!("{mark} {:>2}. {}{flag}", i + 1, ui.title(i));
        let room = usize::from(width).saturating_sub(time.chars().count() + 2);
        let left: String = if left.chars().count() > room {
            let mut t: String = left.chars().take(room.saturating_sub(1)).collect();
            t.push('…');
            t
        } else {
            format!("{left:<room$}")
        };
        let current = matches!(view.state, StepState::Running { .. } | StepState::Failed(_));
        out.push((
            Line::from(vec![
                Span::styled(left, style),
                Span::raw("  "),
                Span::styled(
                    time,
                    match (&overdue, current) {
                        (Some(_), _) => theme.bad(),
                        (None, true) => style,
                        (None, false) => theme.dim(),
                    },
                ),
            ]),
            current,
        ));
        if wide {
            out.push((
                Line::from(Span::styled(
                    format!(
                        "       {} · {}",
                        step.action.calls(),
                        step.resources.join(", ")
                    ),
                    theme.dim(),
                )),
                false,
            ));
        }
        let detail = match &view.state {
            StepState::Failed(e) => Some((strings::step_failed(e), theme.bad())),
            StepState::Running { .. } if overdue.is_some() => overdue
                .as_deref()
                .map(|o| (strings::step_overdue(o), theme.bad())),
            StepState::Running { .. } => view
                .detail
                .as_ref()
                .map(|d| (strings::step_waiting(d), theme.warn())),
            _ => None,
        };
        if let Some((text, st)) = detail {
            out.push((Line::from(Span::styled(text, st)), current));
        }
    }
    out
}

/// The outputs block: what the run's steps produced (ids created, addresses moved), at most `max`
/// lines with its heading.
fn output_lines(ui: &RunbookUi, max: usize, theme: &Theme) -> Vec<Line<'static>> {
    let rows = ui.output_rows();
    if rows.is_empty() || max < 2 {
        return Vec::new();
    }
    let mut out = vec![Line::from(Span::styled(strings::OUTPUTS, theme.title()))];
    let room = max - 1;
    let shown = if rows.len() > room {
        room.saturating_sub(1)
    } else {
        rows.len()
    };
    for (k, v) in rows.iter().take(shown) {
        out.push(Line::from(Span::styled(
            strings::output_row(k, v),
            theme.good(),
        )));
    }
    if shown < rows.len() {
        out.push(Line::from(Span::styled(
            strings::more_outputs(rows.len() - shown),
            theme.dim(),
        )));
    }
    out
}

/// Healthy/total targets per AZ of each group the plan touches, from the latest inventory.
fn health_lines(s: &AppState, ui: &RunbookUi, theme: &Theme) -> Vec<Line<'static>> {
    let ctx = s.data.ctx(s.clock);
    ui.groups()
        .iter()
        .map(|arn| {
            let name = ctx
                .target_group(arn)
                .map_or_else(|| arn.clone(), |g| g.name.to_string());
            let mut spans = vec![Span::styled(strings::group_health(&name), theme.dim())];
            spans.extend(health::spans(
                ctx.tg_health_by_az(arn),
                strings::HEALTHY,
                theme,
            ));
            Line::from(spans)
        })
        .collect()
}

pub fn draw(frame: &mut Frame, area: Rect, s: &mut AppState, theme: &Theme) {
    let Some(ui) = s.runbook.as_ref() else {
        let block = frame_block(strings::RUNBOOK_TITLE.into(), theme);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        frame.buffer_mut().set_stringn(
            inner.x + 1,
            inner.y,
            strings::NO_RUNBOOK,
            usize::from(inner.width.saturating_sub(1)),
            theme.dim(),
        );
        return;
    };
    let block = frame_block(title(ui), theme);
    let inner = block.inner(area);
    let width = inner.width.saturating_sub(1);
    let height = usize::from(inner.height);

    // Top: where it stands, what to know (notes), what the preflight refuses.
    let mut top: Vec<Line> = Vec::new();
    let (head, head_style) = headline(ui, theme);
    top.push(Line::from(Span::styled(head, head_style)));
    if let Phase::Blocked(problems) = &ui.phase {
        for p in problems.iter().take((height / 4).max(1)) {
            top.push(Line::from(Span::styled(strings::problem(p), theme.bad())));
        }
    }
    let notes = ui.plan.as_ref().map(|p| p.notes.as_slice()).unwrap_or(&[]);
    for n in notes.iter().take((height / 6).max(1)) {
        top.push(Line::from(Span::styled(strings::note(n), theme.warn())));
    }
    // Bottom: the prompt or the keys that apply.
    let bottom: Vec<Line> = match ui.ask {
        Some(step) => ask_lines(ui, step, theme),
        None => vec![Line::from(Span::styled(
            hint(ui, s.session.read_only()),
            if ui.confirm_cancel {
                theme.warn()
            } else {
                theme.key()
            },
        ))],
    };
    let started = ui.run_id.is_some() || !ui.log.is_empty();
    let health = if started {
        health_lines(s, ui, theme)
    } else {
        Vec::new()
    };
    let outputs = output_lines(ui, (height / 4).max(2), theme);
    let fixed = top.len() + bottom.len() + health.len() + outputs.len();
    let room = height.saturating_sub(fixed);
    let compact = step_lines(ui, s.clock, false, width, theme);
    let log_h = if ui.log.is_empty() {
        0
    } else {
        // The steps first; the log takes what is left, at least a few lines.
        (room.saturating_sub(compact.len()))
            .max(3.min(room / 2))
            .min(ui.log.len() + 1)
    };
    let steps_h = room.saturating_sub(log_h);
    let wide = steps_h >= compact.len() + ui.steps.len();
    let steps = if wide {
        step_lines(ui, s.clock, true, width, theme)
    } else {
        compact
    };
    let log: Vec<Line> = ui
        .log
        .iter()
        .skip(ui.log.len().saturating_sub(log_h.saturating_sub(1)))
        .map(|l| Line::from(Span::styled(l.clone(), theme.dim())))
        .collect();
    let active = ui.active();
    let focus = steps.iter().position(|(_, current)| *current);

    let Screen::Runbook(view) = s.nav.top_mut() else {
        return;
    };
    view.viewport = steps_h.max(1);
    // During a run the list follows the current step; otherwise j/k scroll it.
    let max_off = steps.len().saturating_sub(steps_h);
    let offset = match focus {
        Some(f) if active => f.saturating_sub(steps_h / 3).min(max_off),
        _ => view.scroll.min(max_off),
    };
    view.scroll = offset;

    frame.render_widget(block, area);
    let buf = frame.buffer_mut();
    let mut y = inner.y;
    let mut put = |line: &Line, y: &mut u16| {
        if *y < inner.y + inner.height {
            buf.set_line(inner.x + 1, *y, &theme_line(line, theme), width);
            *y += 1;
        }
    };
    for l in &top {
        put(l, &mut y);
    }
    for (l, _) in steps.iter().skip(offset).take(steps_h) {
        put(l, &mut y);
    }
    y = y.max(inner.y + (top.len() + steps_h.min(steps.len())) as u16);
    for l in &outputs {
        put(l, &mut y);
    }
    for l in &health {
        put(l, &mut y);
    }
    if log_h > 0 {
        put(
            &Line::from(Span::styled(strings::LOG, theme.title())),
            &mut y,
        );
        for l in &log {
            put(l, &mut y);
        }
    }
    let mut y = (inner.y + inner.height).saturating_sub(bottom.len() as u16);
    for l in &bottom {
        put(l, &mut y);
    }
}

fn theme_line<'a>(line: &Line<'a>, theme: &Theme) -> Line<'a> {
    if !theme.ascii {
        return line.clone();
    }
    Line::from(
        line.spans
            .iter()
            .map(|sp| Span::styled(theme.text(&sp.content).into_owned(), sp.style))
            .collect::<Vec<_>>(),
    )
}
