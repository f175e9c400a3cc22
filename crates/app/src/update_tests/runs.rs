//! A run tells its story on the runbook screen: what it produced (the outputs block, and the titles
//! that name an output), a step past its expected time, a resumed run, resources that are gone.

use super::*;
use crate::runbook_screen::{Planned, RunProgress};
use crate::runbooks::RunSummary;
use chrono::Duration;
use opsdeck_runbook::engine::RunEvent;
use opsdeck_runbook::journal::{Outputs, RunStatus};
use opsdeck_runbook::plan::{Action, AddressMove, Plan, Step, Val};

const RUN: &str = "20260101T000000-db-failover-1a2b3c";

fn step(title: &str, action: Action, expected_secs: u64) -> Step {
    Step {
        title: title.into(),
        action,
        resources: vec![],
        expected_secs,
        timeout_secs: 3600,
    }
}

/// A failover's tail: launch the replacement, then move the address to it.
fn plan() -> Plan {
    Plan {
        runbook: "db-failover".into(),
        region: "us-east-1".into(),
        args: serde_json::json!({}),
        steps: vec![
            step(
                "stop i-1",
                Action::StopInstance {
                    instance: "i-1".into(),
                },
                60,
            ),
            step(
                "launch the replacement",
                Action::LaunchClone {
                    source: "i-1".into(),
                    image: Val::lit("ami-1"),
                    subnet_id: "subnet-1".into(),
                    client_token: "t".into(),
                    output: "replacement".into(),
                },
                120,
            ),
            step(
                "move eipalloc-1 to <replacement>",
                Action::AssociateAddress {
                    allocation_id: "eipalloc-1".into(),
                    target: AddressMove::Instance(Val::Output("replacement".into())),
                    output: "association".into(),
                    was: None,
                    only_from: None,
                },
                60,
            ),
        ],
        notes: vec![],
    }
}

fn one(k: &str, v: &str) -> Outputs {
    let mut o = Outputs::new();
    o.insert(k.into(), v.into());
    o
}

/// The run `RUN` opened from `:runs` (a resume, as the journal answers it) and started with `y`:
/// its generation.
fn resumed(s: &mut AppState, progress: RunProgress) -> u64 {
    update(
        s,
        Input::Msg(Msg::Runs {
            runs: vec![RunSummary {
                run_id: RUN.into(),
                runbook: "db-failover".into(),
                region: "us-east-1".into(),
                status: Some(RunStatus::Cancelled),
                done: 1,
                steps: 3,
                started_at: Some(t0()),
                note: None,
                called: vec![2],
                outputs: vec![],
                resources_gone: false,
            }],
        }),
    );
    command(s, "runs");
    let fx = key(s, KeyCode::Enter);
    let Some(Effect::PlanRunbook { generation, .. }) = fx.into_iter().next() else {
        panic!("a plan request");
    };
    update(
        s,
        Input::Msg(Msg::Planned {
            generation,
            result: Ok(Box::new(Planned {
                plan: plan(),
                progress: Some(progress),
            })),
        }),
    );
    let fx = keys(s, "y");
    let Some(Effect::StartRun { generation, .. }) = fx.first().cloned() else {
        panic!("a run request, got {fx:?}");
    };
    update(
        s,
        Input::Msg(Msg::RunStarted {
            generation,
            run_id: RUN.into(),
        }),
    );
    generation
}

fn progress() -> RunProgress {
    RunProgress {
        run_id: RUN.into(),
        status: RunStatus::Cancelled,
        finished: vec![true, false, false],
        touched: vec![true, true, false],
        last_error: None,
        outputs: Outputs::new(),
        resources_gone: false,
    }
}

fn event(s: &mut AppState, generation: u64, event: RunEvent) {
    update(s, Input::Msg(Msg::Run { generation, event }));
}

fn ui(s: &AppState) -> &crate::runbook_screen::RunbookUi {
    s.runbook.as_ref().expect("a runbook on screen")
}

#[test]
fn a_resumed_run_says_resumed_not_started() {
    let mut s = loaded(2, &["us-east-1"], false);
    let g = resumed(&mut s, progress());
    event(
        &mut s,
        g,
        RunEvent::StepStarted {
            step: 1,
            title: "launch the replacement".into(),
            expected_secs: 120,
            resumed: true,
            at: t0(),
        },
    );
    let log: Vec<&String> = ui(&s).log.iter().collect();
    assert!(
        log.iter()
            .any(|l| l.contains(&format!("run {RUN} resumed"))),
        "{log:?}"
    );
    assert!(!log.iter().any(|l| l.contains("started")), "{log:?}");
    assert!(
        log.iter()
            .any(|l| l.contains("2/3 launch the replacement (resumed")),
        "{log:?}"
    );
}

#[test]
fn what_a_step_made_shows_in_the_outputs_block_and_in_the_titles_naming_it() {
    let mut s = loaded(2, &["us-east-1"], false);
    let g = resumed(&mut s, progress());
    assert_eq!(ui(&s).title(2), "move eipalloc-1 to <replacement>");
    event(
        &mut s,
        g,
        RunEvent::StepFinished {
            step: 1,
            elapsed_secs: 80,
            outputs: one("replacement", "i-0new"),
        },
    );
    assert_eq!(
        ui(&s).output_rows(),
        vec![("replacement".to_string(), "i-0new".to_string())]
    );
    assert_eq!(ui(&s).title(2), "move eipalloc-1 to i-0new");
    assert!(
        ui(&s)
            .log
            .iter()
            .any(|l| l.contains("2: replacement = i-0new")),
        "{:?}",
        ui(&s).log
    );
}

#[test]
fn a_resumed_run_shows_the_outputs_its_journal_kept() {
    let mut s = loaded(2, &["us-east-1"], false);
    let mut p = progress();
    p.outputs = one("replacement", "i-0old");
    resumed(&mut s, p);
    assert_eq!(ui(&s).title(2), "move eipalloc-1 to i-0old");
    assert_eq!(ui(&s).output_rows().len(), 1);
}

#[test]
fn a_step_past_its_expected_time_is_overdue_and_says_what_it_last_saw() {
    let mut s = loaded(2, &["us-east-1"], false);
    let g = resumed(&mut s, progress());
    let now = s.clock;
    event(
        &mut s,
        g,
        RunEvent::StepStarted {
            step: 1,
            title: "launch the replacement".into(),
            expected_secs: 120,
            resumed: true,
            at: now,
        },
    );
    event(
        &mut s,
        g,
        RunEvent::Waiting {
            step: 1,
            detail: "waiting for the instance to show".into(),
            elapsed_secs: 5,
            expected_secs: 120,
        },
    );
    assert_eq!(ui(&s).overdue(1, now + Duration::seconds(120)), None);
    let late = ui(&s)
        .overdue(1, now + Duration::seconds(209))
        .expect("overdue past its expected time");
    assert_eq!(
        late,
        "overdue: 3m29s, expected 2m; last seen: waiting for the instance to show"
    );
    // A step that is not running is never overdue.
    assert_eq!(ui(&s).overdue(2, now + Duration::hours(2)), None);
}

#[test]
fn a_step_whose_resources_are_gone_offers_rollback_and_abandon_not_resume() {
    let mut s = loaded(2, &["us-east-1"], false);
    let g = resumed(&mut s, progress());
    event(
        &mut s,
        g,
        RunEvent::StepFailed {
            step: 1,
            error:
                "launch the replacement: its resources are gone: not found [InvalidAMIID.NotFound]"
                    .into(),
            gone: true,
        },
    );
    update(
        &mut s,
        Input::Msg(Msg::RunEnded {
            generation: g,
            result: Ok(RunStatus::Failed),
            last_error: Some("its resources are gone".into()),
        }),
    );
    assert!(ui(&s).resources_gone);
    let said = s
        .status
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(said.contains("resuming cannot help"), "{said}");
    assert!(!said.contains("r resumes"), "{said}");
    // `r` does not resume it: it says why, and asks for nothing.
    let fx = keys(&mut s, "r");
    assert!(fx.is_empty(), "{fx:?}");
    let said = s
        .status
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(said.contains("its resources are gone"), "{said}");
}

#[test]
fn runs_count_a_step_whose_call_was_made() {
    let sum = RunSummary {
        run_id: RUN.into(),
        runbook: "db-failover".into(),
        region: "us-east-1".into(),
        status: Some(RunStatus::Cancelled),
        done: 1,
        steps: 5,
        started_at: Some(t0()),
        note: None,
        called: vec![2],
        outputs: vec![("image".into(), "ami-1".into())],
        resources_gone: false,
    };
    assert_eq!(sum.steps_text(), "1/5 (step 2 called)");
    assert_eq!(sum.outputs_text(), "image ami-1");
}
