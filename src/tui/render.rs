//! One frame: header, banners, the screen on top, the status or input line, the key footer, and a
//! dialog over it all. Reads the state; records only layout facts (viewport sizes) back into it.

use super::strings;
use super::theme::{Theme, parse_color};
use super::views;
use opsdeck_app::command;
use opsdeck_app::format as f;
use opsdeck_app::keys::Action;
use opsdeck_app::resources::ResourceKind;
use opsdeck_app::state::*;
use opsdeck_core::domain::AlarmState;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

/// Below this the console shows a short message instead of its screens.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 8;

pub fn draw(frame: &mut Frame, s: &mut AppState, base: &Theme) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = strings::too_small(area.width, area.height, MIN_WIDTH, MIN_HEIGHT);
        frame.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    let mut theme = base.clone();
    theme.frame = s
        .session
        .info
        .as_ref()
        .and_then(|i| i.color.as_deref())
        .and_then(parse_color);

    let room = usize::from(area.height).saturating_sub(6);
    let banners = fit_banners(banners(s), MAX_BANNERS.min(room));
    let nb = banners.len() as u16;
    let [header, banner_area, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(nb),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);

    draw_header(frame, header, s, &theme);
    for (i, (text, bad)) in banners.iter().take(usize::from(nb)).enumerate() {
        let r = Rect::new(
            banner_area.x,
            banner_area.y + i as u16,
            banner_area.width,
            1,
        );
        let t = theme.text(text);
        frame.render_widget(Paragraph::new(format!(" {t}")).style(theme.banner(*bad)), r);
    }
    views::draw(frame, body, s, &theme);
    draw_status(frame, status, s, &theme);
    draw_footer(frame, footer, s, &theme);
    if s.dialog.is_some() {
        draw_dialog(frame, area, s, &theme);
    }
    if theme.ascii {
        asciify(frame.buffer_mut());
    }
}

/// `--ascii`: every cell as plain ASCII, whichever widget drew it (a border, a glyph in a view, a
/// name tag in another script). Views draw ASCII themselves where they can; this is the guarantee.
pub fn asciify(buf: &mut ratatui::buffer::Buffer) {
    for cell in &mut buf.content {
        let sym = cell.symbol();
        if !sym.is_ascii() {
            // One cell, one character: a combining mark goes with its letter; a wide character's
            // second cell is already blank.
            let c = sym.chars().next().map_or(' ', f::ascii_char);
            cell.set_char(c);
        }
    }
}

/// Minutes between two times, both floored to the minute: changes only when the clock's minute
/// turns, so an idle screen has nothing new to draw between minutes.
fn minutes_between(
    from: opsdeck_core::domain::Timestamp,
    to: opsdeck_core::domain::Timestamp,
) -> i64 {
    to.timestamp().div_euclid(60) - from.timestamp().div_euclid(60)
}

fn age_text(mins: i64) -> String {
    if mins <= 0 {
        strings::UNDER_A_MINUTE.into()
    } else {
        f::duration_secs(mins * 60)
    }
}

/// One banner line: its text, whether it is bad news, and a few words naming it for the
/// "+N more" line when there is no room for it.
struct Banner {
    text: String,
    bad: bool,
    short: String,
}

/// At most this many banner lines; more are summed up on the last one.
const MAX_BANNERS: usize = 3;

/// The banner lines that fit in `slots`: the first ones as they are, and when some do not fit, a
/// last line that says how many more there are and names them (never dropped silently).
fn fit_banners(mut all: Vec<Banner>, slots: usize) -> Vec<(String, bool)> {
    if all.len() <= slots {
        return all.into_iter().map(|b| (b.text, b.bad)).collect();
    }
    if slots == 0 {
        return Vec::new();
    }
    let hidden = all.split_off(slots - 1);
    let names: Vec<&str> = hidden.iter().map(|b| b.short.as_str()).collect();
    let more = (
        strings::more_banners(hidden.len(), &names),
        hidden.iter().any(|b| b.bad),
    );
    all.into_iter()
        .map(|b| (b.text, b.bad))
        .chain(std::iter::once(more))
        .collect()
}

/// When the next refresh (or reconnect) goes out, as a clock time: it stays true on an idle
/// screen, where a countdown would go stale (nothing is redrawn between minutes).
fn next_retry(s: &AppState) -> String {
    if s.data.fetching || s.session.connecting {
        return strings::RETRYING_NOW.into();
    }
    match s.data.next_refresh {
        Some(t) => strings::next_retry(&t.format("%H:%M:%S").to_string()),
        None => strings::CTRL_R_RETRIES.into(),
    }
}

/// A region's error as the fetch words it (`what: plain words [Code]: AWS message (request id)`,
/// `; ` between failed lists, or `plain words [Code]: … (N calls failed)` when all failed alike),
/// cut down for a banner: the AWS code, the first failure in plain words, and how many more.
fn region_reason(err: &str) -> (Option<&str>, String) {
    let code = err
        .find('[')
        .and_then(|i| err[i + 1..].find(']').map(|j| &err[i + 1..i + 1 + j]));
    let first = err.split("; ").next().unwrap_or(err);
    let mut reason = first.split(" [").next().unwrap_or(first).trim().to_string();
    let lists = err.split("; ").count();
    if lists > 1 {
        reason.push_str(&strings::more_failed(lists - 1));
    } else if let Some(i) = err.rfind(" calls failed)")
        && let Some(open) = err[..i].rfind('(')
    {
        reason.push_str(&strings::calls(&err[open + 1..i]));
    }
    (code, reason)
}

/// The first failure of a region's error in plain words (`instances: not permitted`).
fn first_words(err: &str) -> &str {
    let first = err.split("; ").next().unwrap_or(err);
    first.split(" [").next().unwrap_or(first).trim()
}

fn banners(s: &AppState) -> Vec<Banner> {
    let mut out = Vec::new();
    let on_runbook = matches!(s.nav.top(), Screen::Runbook(_));
    if let Some(ui) = s.runbook.as_ref().filter(|u| !on_runbook && u.active()) {
        let what = ui
            .plan
            .as_ref()
            .map_or(opsdeck_app::strings::A_RUNBOOK, |p| p.runbook.as_str());
        let (text, short) = match ui.ask {
            Some(step) => (
                strings::run_waits(what, step + 1),
                strings::run_waits_short(what),
            ),
            None => (strings::run_running(what), strings::run_running_short(what)),
        };
        out.push(Banner {
            text,
            bad: ui.ask.is_some(),
            short,
        });
    }
    let active = s.runbook.as_ref().and_then(|u| u.run_id.as_deref());
    let open: Vec<_> = s.runs.open(active).collect();
    if let Some(first) = open.first()
        && !matches!(s.nav.top(), Screen::Runs(_))
    {
        let more = if open.len() > 1 {
            strings::and_more(open.len() - 1)
        } else {
            String::new()
        };
        out.push(Banner {
            text: strings::unfinished_run(
                &first.run_id,
                &first.runbook,
                first.status_text(),
                (first.done, first.steps),
                &first.called_text(),
                &more,
            ),
            bad: true,
            short: strings::UNFINISHED_RUN_SHORT.into(),
        });
    }
    if let Some(e) = &s.session.error {
        out.push(Banner {
            text: strings::cannot_connect_banner(&next_retry(s), e),
            bad: true,
            short: strings::CANNOT_CONNECT.into(),
        });
    }
    for r in &s.data.inv.regions {
        if let Some(e) = &r.error {
            let inv = &s.data.inv;
            let age = match s.data.good_at.get(&r.region) {
                Some(t) => strings::showing_data_from(&age_text(minutes_between(*t, s.clock))),
                None if inv.instances.iter().any(|i| i.region == r.region)
                    || inv.volumes.iter().any(|v| v.region == r.region) =>
                {
                    strings::SHOWING_WHAT_COULD_BE_READ.into()
                }
                None => strings::NO_DATA_YET.into(),
            };
            // What an operator needs first: which region, AWS's code, how old its rows are and
            // when it is tried again; the reason in plain words last (the log has every detail).
            // Every kind it could not read, each with its call and AWS's code (not only the
            // first): what the screen is missing. All of them failing alike (expired credentials,
            // an endpoint down) is said once, as the fetch words it.
            let (code, plain) = region_reason(e);
            let alike = r
                .unread
                .iter()
                .all(|u| r.unread.first().is_some_and(|f| f.code == u.code));
            let reason = if r.unread.is_empty() || (alike && r.unread.len() > 3) {
                plain
            } else {
                let kinds: Vec<String> = r
                    .unread
                    .iter()
                    .map(|u| strings::unread_kind(&u.kind, u.call.as_deref(), &u.code))
                    .collect();
                strings::could_not_read(first_words(e), &kinds)
            };
            let name = match code {
                Some(c) => strings::region_with_code(&r.region, c),
                None => r.region.clone(),
            };
            out.push(Banner {
                text: strings::region_banner(&name, &age, &next_retry(s), &reason),
                bad: true,
                short: name,
            });
        }
    }
    out
}

fn draw_header(frame: &mut Frame, area: Rect, s: &AppState, theme: &Theme) {
    let hs = theme.header();
    let sep = Span::styled(theme.sep(), hs);
    let mut left: Vec<Span> = vec![Span::styled(
        strings::APP_NAME,
        hs.add_modifier(ratatui::style::Modifier::BOLD),
    )];
    match &s.session.info {
        Some(info) => {
            // The badge first: it must survive the narrowest terminal.
            left.push(Span::styled(" ", hs));
            if info.read_only {
                left.push(Span::styled(
                    strings::READ_ONLY_BADGE,
                    theme.badge(Color::Yellow),
                ));
            } else if let Some(c) = info.color.as_deref().and_then(parse_color) {
                left.push(Span::styled(
                    strings::profile_badge(
                        info.profile.as_deref().unwrap_or(strings::DEFAULT_PROFILE),
                    ),
                    theme.badge(c),
                ));
            }
            left.push(sep.clone());
            left.push(Span::styled(info.label.clone(), hs));
            left.push(sep.clone());
            let regions = match &s.tables.region_filter {
                Some(r) => strings::one_region_of(r, info.regions.len()),
                None => info.regions.join(","),
            };
            left.push(Span::styled(regions, hs));
            if let Some(id) = &s.data.inv.identity {
                left.push(sep.clone());
                left.push(Span::styled(strings::account(&id.account), hs));
            }
        }
        None => {
            left.push(sep.clone());
            left.push(Span::styled(
                if s.session.connecting {
                    strings::CONNECTING
                } else {
                    strings::NOT_CONNECTED
                },
                hs,
            ));
        }
    }
    // What is on fire, on every screen: alarms in ALARM and zones AWS reports impaired.
    let inv = &s.data.inv;
    let firing = inv
        .alarms
        .iter()
        .filter(|a| a.state == AlarmState::Alarm)
        .count();
    if firing > 0 {
        left.push(sep.clone());
        left.push(Span::styled(
            strings::alarms_firing(firing),
            theme.badge(Color::Red),
        ));
    }
    let impaired: Vec<&str> = inv
        .availability_zones
        .iter()
        .filter(|z| !z.state.is_healthy())
        .map(|z| z.name.as_str())
        .collect();
    if !impaired.is_empty() {
        left.push(sep.clone());
        left.push(Span::styled(
            strings::zones_impaired(&impaired),
            theme.badge(Color::Red),
        ));
    }
    // The age of the oldest good data on screen: a failing region's kept rows, not the last
    // refresh that answered.
    let mut right = match (s.data.loaded(), s.data_as_of()) {
        (true, Some(t)) => strings::data_age(&age_text(minutes_between(t, s.clock))),
        // Some lists of some region failed on every refresh so far: the rows shown are what could
        // be read (the banner names what could not), as old as the last answer.
        (true, None) => match s.data.fetched_at {
            Some(t) if s.data.inv.resource_count() > 0 => {
                strings::partial_data(&age_text(minutes_between(t, s.clock)))
            }
            _ => strings::NO_GOOD_DATA_YET.into(),
        },
        (false, _) if s.session.info.is_some() => strings::LOADING_INVENTORY.into(),
        (false, _) => String::new(),
    };
    if s.data.loaded() && s.data.refresh_shown(s.wall) {
        right.push_str(strings::REFRESHING);
    }
    right.push(' ');
    frame.buffer_mut().set_style(area, hs);
    let left_line = Line::from(left);
    let right_w = right.chars().count() as u16;
    let left_w = area.width.saturating_sub(right_w + 1);
    let buf = frame.buffer_mut();
    buf.set_line(area.x, area.y, &theme_line(left_line, theme), left_w);
    if right_w < area.width {
        let t = theme.text(&right);
        buf.set_stringn(
            area.x + area.width - right_w,
            area.y,
            t.as_ref(),
            usize::from(right_w),
            hs,
        );
    }
}

fn theme_line<'a>(line: Line<'a>, theme: &Theme) -> Line<'a> {
    if !theme.ascii {
        return line;
    }
    Line::from(
        line.spans
            .into_iter()
            .map(|sp| Span::styled(theme.text(&sp.content).into_owned(), sp.style))
            .collect::<Vec<_>>(),
    )
}

fn draw_status(frame: &mut Frame, area: Rect, s: &AppState, theme: &Theme) {
    let line = match s.input.mode {
        InputMode::Command => {
            let mut spans = vec![
                Span::styled(strings::COMMAND_PROMPT, theme.key()),
                Span::raw(s.input.text.clone()),
            ];
            let prefix = s
                .input
                .completion
                .as_ref()
                .map(|(p, _)| p.clone())
                .unwrap_or_else(|| s.input.text.clone());
            let options = command::complete(&prefix, &s.session, &s.prefs);
            if !options.is_empty() && !s.input.text.is_empty() {
                let shown: Vec<String> = options.into_iter().take(8).collect();
                spans.push(Span::styled(strings::completions(&shown), theme.dim()));
            }
            frame.set_cursor_position((area.x + 1 + s.input.text.chars().count() as u16, area.y));
            Line::from(spans)
        }
        InputMode::Filter => {
            let count = s
                .top_table_key()
                .and_then(|k| s.view(k))
                .map(|v| (v.len(), v.model.as_ref().map_or(0, |m| m.total())))
                .unwrap_or((0, 0));
            frame.set_cursor_position((area.x + 1 + s.input.text.chars().count() as u16, area.y));
            Line::from(vec![
                Span::styled(strings::FILTER_PROMPT, theme.key()),
                Span::raw(s.input.text.clone()),
                Span::styled(strings::filter_count(count.0, count.1), theme.dim()),
            ])
        }
        InputMode::None => match &s.status {
            Some(st) => Line::from(Span::styled(
                theme.text(&st.text).into_owned(),
                theme.status(st.level),
            )),
            None => Line::default(),
        },
    };
    frame
        .buffer_mut()
        .set_line(area.x, area.y, &line, area.width);
}

/// The keys that apply to the screen on top, most important first (a narrow footer keeps the
/// way back, help, refresh and quit), mutating ones greyed in a read-only session.
pub fn footer_keys(s: &AppState) -> Vec<(Action, bool)> {
    let ro = s.session.read_only() || s.session.info.is_none();
    let mut keys: Vec<Action> = Vec::new();
    let table = matches!(s.nav.top(), Screen::Table(_));
    if !table || s.nav.stack.len() > 1 {
        keys.push(Action::Back);
    }
    if table {
        keys.extend([Action::Command, Action::Filter]);
    }
    keys.extend([Action::Help, Action::Refresh, Action::Quit]);
    match s.nav.top() {
        Screen::Table(key) => {
            keys.push(match key.kind {
                ResourceKind::LoadBalancers | ResourceKind::TargetGroups | ResourceKind::Zones => {
                    Action::Enter
                }
                _ => Action::Describe,
            });
            if matches!(
                key.kind,
                ResourceKind::Instances
                    | ResourceKind::Targets
                    | ResourceKind::Volumes
                    | ResourceKind::NetworkInterfaces
                    | ResourceKind::ElasticIps
                    | ResourceKind::Events
            ) {
                keys.push(Action::Xray);
            }
            if matches!(
                key.kind,
                ResourceKind::Instances
                    | ResourceKind::Targets
                    | ResourceKind::Volumes
                    | ResourceKind::Events
                    | ResourceKind::Findings
            ) {
                keys.push(Action::Runbook);
            }
            keys.extend([Action::SortNext, Action::CopyId]);
            keys.extend(match key.kind {
                ResourceKind::Instances => vec![
                    Action::Start,
                    Action::Stop,
                    Action::Reboot,
                    Action::CreateImage,
                ],
                ResourceKind::Volumes => vec![Action::CreateSnapshot, Action::Detach],
                ResourceKind::Targets => vec![Action::Register, Action::Deregister],
                _ => vec![],
            });
            keys.extend([Action::ExportCsv, Action::AzMap]);
        }
        Screen::Describe(_) | Screen::Help(_) => keys.extend([Action::Down, Action::Up]),
        Screen::Xray(_) => keys.extend([Action::Enter, Action::Describe, Action::CopyId]),
        Screen::AzMap(_) => keys.extend([Action::Left, Action::Right, Action::Down]),
        // The runbook screen's own keys (y, c, u…) are on the screen itself, where they apply.
        Screen::Runbook(_) => keys.extend([Action::Down, Action::Up]),
        Screen::Runbooks(_) | Screen::Runs(_) => {
            keys.extend([Action::Enter, Action::Down, Action::Up])
        }
    }
    keys.into_iter()
        .map(|a| (a, !(a.mutates() && ro)))
        .collect()
}

/// The footer: whole `<key>label` entries in order of importance, as many as fit.
fn draw_footer(frame: &mut Frame, area: Rect, s: &AppState, theme: &Theme) {
    let mut spans = Vec::new();
    let mut used = 0usize;
    for (a, enabled) in footer_keys(s) {
        let k = strings::key(&s.prefs.keymap.first(a));
        let label = strings::footer_label(a.label());
        let w = k.chars().count() + label.chars().count();
        // The trailing space may fall off the edge; the entry itself may not.
        if used + w - 1 > usize::from(area.width) {
            break;
        }
        used += w;
        let (ks, ls) = if enabled {
            (theme.key(), Style::new())
        } else {
            (theme.dim(), theme.dim())
        };
        spans.push(Span::styled(k, ks));
        spans.push(Span::styled(label, ls));
    }
    frame
        .buffer_mut()
        .set_line(area.x, area.y, &Line::from(spans), area.width);
}

fn draw_dialog(frame: &mut Frame, area: Rect, s: &AppState, theme: &Theme) {
    let Some(d) = &s.dialog else {
        return;
    };
    let w = area.width.saturating_sub(4).min(84);
    let h = (10 + d.guard.len() as u16).min(area.height);
    let r = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    frame.render_widget(Clear, r);
    let destructive = d.needs_typed();
    let border = if destructive {
        theme.bad()
    } else {
        theme.frame()
    };
    let block = Block::bordered()
        .border_set(theme.border_set())
        .border_style(border)
        .title(Span::styled(
            strings::confirm_title(d.op.call()),
            theme.title(),
        ));
    let mut lines = vec![
        Line::from(Span::styled(d.op.describe(), theme.title())),
        Line::from(d.context.clone()),
        Line::from(Span::styled(strings::region(d.op.region()), theme.dim())),
    ];
    lines.push(match &d.phase {
        ConfirmPhase::Checking => Line::from(Span::styled(strings::DRY_RUN_CHECKING, theme.warn())),
        ConfirmPhase::Ready => Line::from(Span::styled(strings::DRY_RUN_OK, theme.good())),
        ConfirmPhase::Refused(e) => {
            Line::from(Span::styled(strings::dry_run_refused(e), theme.bad()))
        }
        ConfirmPhase::Running => Line::from(Span::styled(strings::RUNNING, theme.warn())),
    });
    for g in &d.guard {
        lines.push(Line::from(Span::styled(
            strings::guard_line(g),
            theme.bad(),
        )));
    }
    if destructive {
        let ok = d.confirmed();
        lines.push(Line::from(vec![
            Span::raw(strings::type_to_confirm(d.op.subject())),
            Span::styled(
                strings::typed(&d.typed),
                if ok { theme.good() } else { theme.key() },
            ),
        ]));
    }
    let ready = d.phase == ConfirmPhase::Ready && d.confirmed();
    lines.push(Line::from(vec![
        Span::styled(
            strings::ENTER,
            if ready { theme.key() } else { theme.dim() },
        ),
        Span::styled(strings::RUN, if ready { Style::new() } else { theme.dim() }),
        Span::styled(strings::ESC, theme.key()),
        Span::raw(strings::CANCEL),
    ]));
    let lines: Vec<Line> = lines.into_iter().map(|l| theme_line(l, theme)).collect();
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        r,
    );
}
