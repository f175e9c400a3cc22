//! What the runner's tasks answer (`Msg`); an answer to an older request than the latest is dropped.

use super::common::status;
use super::models::install_model;
use super::refresh::{accept_inventory, schedule_next, start_fetch};
use super::{runbook, writes};
use crate::msg::{Effect, Msg};
use crate::state::{AppState, ConfirmPhase, DataState, StatusLevel};
use crate::strings;

pub(super) fn on_msg(s: &mut AppState, m: Msg) -> Vec<Effect> {
    match m {
        Msg::Connected { generation, result } => {
            if generation != s.session.connect_gen {
                return Vec::new();
            }
            s.session.connecting = false;
            s.dirty = true;
            match result {
                Ok(info) => {
                    let same_account =
                        s.session.info.as_ref().map(|i| &i.profile) == Some(&info.profile);
                    if !same_account && s.session.info.is_some() {
                        // Another profile is another account: never show its data under the new name.
                        s.data = DataState::default();
                        s.tables.epoch += 1;
                    }
                    s.session.error = None;
                    s.session.info = Some(info);
                    s.data.failures = 0;
                    let mut fx = start_fetch(s);
                    // Unfinished runs of an earlier session (a crash, a dropped SSH link) get a banner.
                    fx.push(Effect::ListRuns);
                    fx
                }
                Err(e) => {
                    s.session.error = Some(e);
                    s.data.failures += 1;
                    schedule_next(s);
                    Vec::new()
                }
            }
        }
        Msg::Inventory {
            generation,
            inv,
            index,
            model,
        } => {
            if generation != s.data.fetch_gen {
                return Vec::new();
            }
            s.data.fetching = false;
            s.data.fetch_asked = false;
            let carried = accept_inventory(s, *inv, index.map(|i| *i));
            if let Some(built) = model
                && !carried
            {
                install_model(s, *built);
            }
            Vec::new()
        }
        Msg::ModelBuilt { generation, built } => {
            let current = (s.data.version, s.tables.epoch);
            let wanted = s
                .tables
                .views
                .get(&built.request.key)
                .and_then(|v| v.building)
                .is_some_and(|(g, target)| g == generation && target == current);
            if wanted {
                install_model(s, *built);
                s.dirty = true;
            }
            Vec::new()
        }
        Msg::DryRun { generation, result } => {
            writes::on_dry_run(s, generation, result);
            Vec::new()
        }
        Msg::Written { generation, result } => writes::on_written(s, generation, result),
        Msg::Exported { result } => {
            match result {
                Ok((path, rows)) => status(s, StatusLevel::Ok, strings::exported(rows, &path)),
                Err(e) => status(s, StatusLevel::Error, strings::export_failed(&e)),
            }
            Vec::new()
        }
        Msg::Chaos { result } => match result {
            Some(Ok(said)) => {
                // Several lines (`status`, `help`) read as one on the status line.
                let said: Vec<&str> = said.lines().map(str::trim).collect();
                status(s, StatusLevel::Ok, strings::chaos_said(&said));
                // Show what the fault did at once rather than at the next scheduled refresh.
                start_fetch(s)
            }
            Some(Err(e)) => {
                status(s, StatusLevel::Error, strings::chaos_failed(&e));
                Vec::new()
            }
            None => {
                status(s, StatusLevel::Warn, strings::CHAOS_DEMO_ONLY);
                Vec::new()
            }
        },
        m @ (Msg::Planned { .. }
        | Msg::Preflighted { .. }
        | Msg::RunStarted { .. }
        | Msg::Run { .. }
        | Msg::RunAsk { .. }
        | Msg::RunEnded { .. }
        | Msg::Runs { .. }
        | Msg::Abandoned { .. }) => runbook::on_msg(s, m),
        Msg::TaskFailed { generation, what } => {
            status(
                s,
                StatusLevel::Error,
                strings::internal_error_retrying(&what),
            );
            for v in s.tables.views.values_mut() {
                if v.building.is_some_and(|(g, _)| g == generation) {
                    v.building = None;
                }
            }
            if generation == s.data.fetch_gen {
                s.data.fetching = false;
                s.data.fetch_asked = false;
                s.data.failures += 1;
                schedule_next(s);
            }
            if generation == s.session.connect_gen {
                s.session.connecting = false;
                s.data.failures += 1;
                schedule_next(s);
            }
            if let Some(d) = s.dialog.as_mut()
                && d.generation == generation
            {
                d.phase = ConfirmPhase::Refused(strings::internal_error(&what));
            }
            if s.runbook
                .as_ref()
                .is_some_and(|u| u.generation == generation)
            {
                return runbook::on_msg(
                    s,
                    Msg::RunEnded {
                        generation,
                        result: Err(strings::internal_error(&what)),
                        last_error: None,
                    },
                );
            }
            Vec::new()
        }
    }
}
