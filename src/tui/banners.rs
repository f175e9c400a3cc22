//! The banner lines under the header: a run waiting or running elsewhere, unfinished runs, a
//! connection that failed, and each region that could not be read (with what it could not read).

use super::strings;
use opsdeck_app::state::*;

/// One banner line: its text, whether it is bad news, and a few words naming it for the
/// "+N more" line when there is no room for it.
pub(super) struct Banner {
    text: String,
    bad: bool,
    short: String,
}

/// At most this many banner lines; more are summed up on the last one.
pub(super) const MAX_BANNERS: usize = 3;

/// The banner lines that fit in `slots`: the first ones as they are, and when some do not fit, a
/// last line that says how many more there are and names them (never dropped silently).
pub(super) fn fit_banners(mut all: Vec<Banner>, slots: usize) -> Vec<(String, bool)> {
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

pub(super) fn banners(s: &AppState) -> Vec<Banner> {
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

/// Minutes between two times, both floored to the minute: changes only when the clock's minute
/// turns, so an idle screen has nothing new to draw between minutes.
pub(super) fn minutes_between(
    from: opsdeck_core::domain::Timestamp,
    to: opsdeck_core::domain::Timestamp,
) -> i64 {
    to.timestamp().div_euclid(60) - from.timestamp().div_euclid(60)
}

pub(super) fn age_text(mins: i64) -> String {
    if mins <= 0 {
        strings::UNDER_A_MINUTE.into()
    } else {
        opsdeck_app::format::duration_secs(mins * 60)
    }
}
