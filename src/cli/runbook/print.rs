//! What a headless run prints: the plan, progress lines, the balance after, and `opsdeck runs`.

use super::super::args::Format;
use super::out::say;
use crate::session::Session;
use opsdeck_runbook::StateDir;
use opsdeck_runbook::engine::RunEvent;
use opsdeck_runbook::journal::{self, RunState};
use opsdeck_runbook::plan::Plan;
use std::io::Write;

/// After a run that registered targets: healthy/total per AZ of those target groups; after one that
/// reshaped an Auto Scaling group: its members in service per AZ. Read fresh.
pub(super) async fn print_balance(session: &Session, plan: &Plan) {
    print_target_balance(session, plan).await;
    print_group_balance(session, plan).await;
}

async fn print_group_balance(session: &Session, plan: &Plan) {
    use opsdeck_runbook::plan::Action;
    let groups: std::collections::BTreeSet<&str> = plan
        .steps
        .iter()
        .filter_map(|s| match &s.action {
            Action::ShapeGroup { group, .. } | Action::WaitGroupInAz { group, .. } => {
                Some(group.as_str())
            }
            _ => None,
        })
        .collect();
    let Some(read) = session.readers().iter().find(|r| r.region() == plan.region) else {
        return;
    };
    for name in groups {
        let Ok(Some(g)) = read.auto_scaling_group(name).await else {
            continue;
        };
        let mut per_az: std::collections::BTreeMap<&str, usize> = Default::default();
        for m in g.in_service() {
            *per_az.entry(m.az.as_str()).or_default() += 1;
        }
        let parts: Vec<String> = per_az
            .iter()
            .map(|(az, n)| format!("{az} {n} in service"))
            .collect();
        say!(
            "{name}: {} (desired {}, min {}, max {})",
            parts.join(", "),
            g.desired_capacity,
            g.min_size,
            g.max_size
        );
    }
}

async fn print_target_balance(session: &Session, plan: &Plan) {
    let groups: std::collections::BTreeSet<&str> = plan
        .steps
        .iter()
        .filter_map(|s| match &s.action {
            opsdeck_runbook::plan::Action::RegisterTarget {
                target_group_arn, ..
            } => Some(target_group_arn.as_str()),
            _ => None,
        })
        .collect();
    let Some(read) = session.readers().iter().find(|r| r.region() == plan.region) else {
        return;
    };
    if groups.is_empty() {
        return;
    }
    let Ok(instances) = read.instances().await else {
        return;
    };
    for arn in groups {
        let Ok(th) = read.target_health(arn).await else {
            continue;
        };
        let mut per_az: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
        for t in &th {
            let az = t.az.clone().or_else(|| {
                instances
                    .iter()
                    .find(|i| i.id == t.target_id)
                    .map(|i| i.az.clone())
            });
            let e = per_az
                .entry(az.unwrap_or_else(|| "?".into()).to_string())
                .or_default();
            e.1 += 1;
            if t.state == opsdeck_core::domain::TargetState::Healthy {
                e.0 += 1;
            }
        }
        let name = arn.rsplit('/').nth(1).unwrap_or(arn);
        let parts: Vec<String> = per_az
            .iter()
            .map(|(az, (h, n))| format!("{az} {h}/{n} healthy"))
            .collect();
        say!("{name}: {}", parts.join(", "));
    }
}

pub(super) fn print_event(steps: &[String], e: &RunEvent) {
    let title = |i: usize| steps.get(i).cloned().unwrap_or_default();
    match e {
        RunEvent::StepStarted {
            step,
            title: t,
            expected_secs,
            resumed,
            ..
        } => {
            say!(
                "[{}/{}] {t} (expected {}){}",
                step + 1,
                steps.len(),
                opsdeck_core::domain::time::duration_secs(*expected_secs as i64),
                if *resumed {
                    " — resumed: its call was made before; re-observing"
                } else {
                    ""
                }
            )
        }
        RunEvent::Acted {
            step,
            call,
            request_id,
            outputs,
        } => {
            say!(
                "      called {call} for step {} (request {})",
                step + 1,
                request_id.as_deref().unwrap_or("-")
            );
            print_outputs(*step, outputs);
        }
        RunEvent::Waiting {
            step,
            detail,
            elapsed_secs,
            expected_secs,
        } if elapsed_secs > expected_secs => {
            say!(
                "      step {} overdue: {}s, expected {}; last seen: {detail}",
                step + 1,
                elapsed_secs,
                opsdeck_core::domain::time::duration_secs(*expected_secs as i64)
            )
        }
        RunEvent::Waiting {
            step,
            detail,
            elapsed_secs,
            ..
        } => {
            say!(
                "      step {} waiting {}s: {detail}",
                step + 1,
                elapsed_secs
            )
        }
        RunEvent::Retrying { step, error } => say!("      step {} retrying: {error}", step + 1),
        RunEvent::StepFinished {
            step,
            elapsed_secs,
            outputs,
        } => {
            say!("      done: {} ({}s)", title(*step), elapsed_secs);
            print_outputs(*step, outputs);
        }
        RunEvent::StepFailed { step, error, .. } => {
            say!("      FAILED step {}: {error}", step + 1)
        }
        RunEvent::Finished { .. } => {}
    }
}

fn print_outputs(step: usize, outputs: &opsdeck_runbook::journal::Outputs) {
    for (k, v) in outputs {
        say!("      step {} output: {k} = {v}", step + 1);
    }
}

/// A finished run's outputs, one line (`outputs: image ami-1 · replacement i-2`).
pub(super) fn print_run_outputs(state: Option<&RunState>) {
    let Some(s) = state.filter(|s| !s.outputs.is_empty()) else {
        return;
    };
    let rows: Vec<(String, String)> = s
        .outputs
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    say!("outputs: {}", opsdeck_app::strings::outputs_line(&rows));
}

pub fn print_plan(plan: &Plan, format: Format, progress: Option<&RunState>) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if format == Format::Json {
        let v = serde_json::json!({
            "runbook": plan.runbook,
            "region": plan.region,
            "args": plan.args,
            "expected_secs": plan.expected_secs(),
            "notes": plan.notes,
            "steps": plan.steps.iter().enumerate().map(|(i, s)| serde_json::json!({
                "step": i + 1,
                "title": s.title,
                "action": s.action,
                "calls": s.action.calls(),
                "resources": s.resources,
                "expected_secs": s.expected_secs,
                "timeout_secs": s.timeout_secs,
                "mutating": s.action.is_mutating(),
                "destructive": s.action.is_destructive(),
                "done": progress.map(|p| p.finished[i]),
            })).collect::<Vec<_>>(),
        });
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "Plan: {} in {} — {} steps, about {}",
        plan.runbook,
        plan.region,
        plan.steps.len(),
        opsdeck_core::domain::time::duration_secs(plan.expected_secs() as i64)
    )?;
    for n in &plan.notes {
        writeln!(out, "  note: {n}")?;
    }
    for (i, s) in plan.steps.iter().enumerate() {
        let mark = match progress {
            Some(p) if p.finished[i] => "done ",
            Some(p) if p.in_doubt[i] || p.acted[i] => "part ",
            Some(_) => "     ",
            None => "",
        };
        let flag = if s.action.is_destructive() {
            " [destructive]"
        } else {
            ""
        };
        writeln!(out, "{mark}{:>3}. {}{flag}", i + 1, s.title)?;
        writeln!(
            out,
            "       calls: {}; expected {}",
            s.action.calls(),
            opsdeck_core::domain::time::duration_secs(s.expected_secs as i64)
        )?;
    }
    Ok(())
}

/// `opsdeck runs`: every journaled run, newest first. A reader that has gone (`| head -1`) ends
/// the listing quietly.
pub fn list_runs(dir: &StateDir, format: Format) -> anyhow::Result<i32> {
    let runs = journal::list(&dir.runs());
    // Done either way: all of it written, or the reader gone.
    let _ = crate::cli::stdout::write(|out| write_runs(out, dir, &runs, format))?;
    Ok(crate::cli::exit::DONE)
}

fn write_runs(
    out: &mut dyn Write,
    dir: &StateDir,
    runs: &[Result<RunState, (String, String)>],
    format: Format,
) -> std::io::Result<()> {
    if format == Format::Json {
        let v: Vec<serde_json::Value> = runs
            .iter()
            .map(|r| match r {
                Ok(s) => serde_json::json!({
                    "run_id": s.run_id, "runbook": s.plan.runbook, "region": s.plan.region,
                    "status": s.status.as_str(), "steps_done": s.finished.iter().filter(|f| **f).count(),
                    "steps": s.plan.steps.len(), "started_at": s.started_at, "last_error": s.last_error,
                    "steps_called": s.called_steps().iter().map(|i| i + 1).collect::<Vec<_>>(),
                    "outputs": s.outputs, "resources_gone": s.resources_gone,
                }),
                Err((id, e)) => serde_json::json!({ "run_id": id, "error": e }),
            })
            .collect();
        return crate::cli::stdout::json(out, &v);
    }
    if runs.is_empty() {
        return writeln!(
            out,
            "no runs yet (journals live in {})",
            dir.runs().display()
        );
    }
    writeln!(
        out,
        "{:<44} {:<22} {:<11} {:>5}  STARTED",
        "RUN", "RUNBOOK", "STATUS", "STEPS"
    )?;
    for r in runs {
        match r {
            Ok(s) => {
                let sum = opsdeck_app::runbooks::RunSummary::of(r);
                writeln!(
                    out,
                    "{:<44} {:<22} {:<11} {:>5}  {}{}",
                    s.run_id,
                    s.plan.runbook,
                    s.status.as_str(),
                    sum.steps_text(),
                    s.started_at.format("%Y-%m-%d %H:%M"),
                    s.last_error
                        .as_deref()
                        .map(|e| format!("  ({e})"))
                        .unwrap_or_default()
                )?;
                if !sum.outputs.is_empty() {
                    writeln!(out, "{:<44} outputs: {}", "", sum.outputs_text())?;
                }
            }
            Err((id, e)) => writeln!(out, "{id:<44} unreadable: {e}")?,
        }
    }
    let open: Vec<&RunState> = runs
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .filter(|s| s.status.is_open())
        .collect();
    for s in open {
        if s.resources_gone {
            writeln!(
                out,
                "unfinished: {} — its resources are gone, so resuming cannot help: `opsdeck runbook rollback {0}` or `opsdeck runbook abandon {0}`",
                s.run_id
            )?;
        } else {
            writeln!(
                out,
                "unfinished: {} — `opsdeck runbook resume {0}`, `opsdeck runbook rollback {0}` or `opsdeck runbook abandon {0}`",
                s.run_id
            )?;
        }
    }
    Ok(())
}
