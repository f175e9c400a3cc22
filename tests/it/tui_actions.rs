//! The console's effects run for real against the simulator: the same `update` and `Runner` the
//! terminal loop uses, without a terminal. A read-only session that presses every mutating key on
//! every view makes no mutating call; a read-write one makes exactly the dry run and then the call.

use crate::support;

use opsdeck_app::keys::{Key, KeyCode};
use opsdeck_app::resources::ResourceKind;
use opsdeck_app::{self as app, Effect, Input};
use opsdeck_core::cloud::TargetRef;
use opsdeck_core::domain::{AttachmentState, CheckStatus, InstanceState, Inventory, TargetState};
use opsdeck_sim::Sim;
use std::sync::Arc;
use support::calls;
use support::console::Harness;
use support::sim;

use support::MUTATING_KEYS as MUTATING;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_console_never_mutates() {
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), true).await;
    // Every table, then the AZ map, the runbook chooser and the runs: a mutating key is refused
    // the same way on each, never opening a dialog.
    let mut views: Vec<&str> = ResourceKind::VIEWS
        .iter()
        .map(|k| k.commands()[0])
        .collect();
    views.extend(["az", "runbooks", "runs"]);
    let mut refused = 0;
    for view in views {
        h.command(view).await;
        for row in 0..3 {
            for (k, label) in MUTATING {
                h.text(k).await;
                assert!(
                    h.state.dialog.is_none(),
                    ":{view} row {row}: {k} opened a dialog"
                );
                assert_eq!(
                    h.status(),
                    format!("read-only session: {label} is not available"),
                    ":{view} row {row}: {k}"
                );
                refused += 1;
                // Whatever a dialog would want: the id typed, enter, then esc.
                h.text("i-").await;
                h.key(Key::plain(KeyCode::Enter)).await;
                h.key(Key::plain(KeyCode::Esc)).await;
                h.command(view).await;
                for _ in 0..row {
                    h.text("j").await;
                }
            }
            h.text("j").await;
        }
    }
    assert_eq!(
        refused,
        (ResourceKind::VIEWS.len() + 3) * 3 * MUTATING.len()
    );

    // Runbooks show their plan only: `y` is refused, from a finding and from an instance.
    h.command("findings").await;
    h.text("/single-az").await;
    h.key(Key::plain(KeyCode::Enter)).await;
    h.text("r").await;
    assert_read_only_plan(&mut h, "a finding's fix").await;
    h.command("instances").await;
    h.text("r").await;
    assert!(
        matches!(h.state.nav.top(), app::Screen::Runbooks(_)),
        "r on an instance offers its runbooks"
    );
    h.key(Key::plain(KeyCode::Enter)).await;
    assert_read_only_plan(&mut h, "an instance's runbook").await;

    h.key(Key::ctrl('r')).await;
    let calls = sim.calls();
    assert!(!calls.is_empty(), "the console did read");
    let mutating = calls::mutating(&sim);
    assert!(
        mutating.is_empty(),
        "a read-only console made mutating calls: {mutating:?}"
    );
}

/// The runbook screen shows a plan that cannot run: `y` (approve) is refused in words.
async fn assert_read_only_plan(h: &mut Harness, what: &str) {
    assert!(
        matches!(h.state.nav.top(), app::Screen::Runbook(_)),
        "{what}: the runbook screen"
    );
    let phase = h.state.runbook.as_ref().map(|u| u.phase.clone());
    assert!(
        matches!(phase, Some(app::runbook_screen::Phase::ReadOnly)),
        "{what}: {phase:?}"
    );
    h.text("y").await;
    assert_eq!(
        h.status(),
        "read-only session: this plan cannot run here (it has no writer)",
        "{what}"
    );
    h.key(Key::plain(KeyCode::Esc)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_runs_a_dry_run_then_the_call_then_refreshes() {
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), false).await;
    h.text("/web-1").await;
    h.key(Key::plain(KeyCode::Enter)).await;
    let row = h
        .state
        .top_table_key()
        .and_then(|k| h.state.view(k))
        .and_then(|v| v.selected_row())
        .expect("web-1 selected");
    let id = h.state.data.inv.instances[row].id.clone();
    sim.clear_calls();

    h.text("O").await;
    let phase = h.state.dialog.as_ref().map(|d| d.phase.clone());
    assert_eq!(
        phase,
        Some(app::state::ConfirmPhase::Ready),
        "dry run answered"
    );
    let calls = sim.calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].action, "StopInstances");
    assert!(calls[0].dry_run);

    // Enter without the id does nothing; with it, the call is made.
    h.key(Key::plain(KeyCode::Enter)).await;
    assert_eq!(calls::mutating(&sim).len(), 1);
    h.text(&id).await;
    h.key(Key::plain(KeyCode::Enter)).await;
    let stops: Vec<_> = sim
        .calls()
        .into_iter()
        .filter(|c| c.action == "StopInstances")
        .collect();
    assert_eq!(stops.len(), 2, "{stops:?}");
    assert!(!stops[1].dry_run && stops[1].error.is_none(), "{stops:?}");
    assert!(h.state.dialog.is_none());
    let status = h.status();
    assert!(status.contains("stop requested"), "{status}");
    // The refresh after the write shows the instance on its way down.
    let i = h.state.data.inv.instance(&id).expect("still there");
    assert_ne!(
        i.state,
        opsdeck_core::domain::InstanceState::Running,
        "{:?}",
        i.state
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_dry_run_shows_the_aws_code_and_makes_no_call() {
    let sim = sim::demo();
    sim.deny("RebootInstances");
    let mut h = Harness::start(sim.clone(), false).await;
    sim.clear_calls();
    h.text("B").await;
    match h.state.dialog.as_ref().map(|d| d.phase.clone()) {
        Some(app::state::ConfirmPhase::Refused(e)) => {
            assert!(e.contains("not permitted"), "{e}");
            assert!(
                e.contains("UnauthorizedOperation") || e.contains("AccessDenied"),
                "{e}"
            );
        }
        other => panic!("refusal expected, got {other:?}"),
    }
    h.key(Key::plain(KeyCode::Enter)).await;
    let real = calls::real(&sim);
    assert!(real.is_empty(), "{real:?}");
}

/// What an action acts on, by the fleet's names (ids come from the seed).
#[derive(Debug, Clone, Copy)]
enum Subject {
    Instance(&'static str),
    Volume(&'static str),
    /// An instance's row in a target group's targets.
    Target {
        group: &'static str,
        instance: &'static str,
    },
}

/// One single action, end to end: the key on the row, the dialog, the dry run, the call, the
/// refreshed inventory.
struct Case {
    /// The footer label (`support::MUTATING_KEYS` gives its key).
    label: &'static str,
    subject: Subject,
    /// What the sim records for the dry run: the call itself with DryRun for EC2; ELBv2 has no
    /// DryRun, so it checks by reading the target group.
    dry_call: &'static str,
    call: &'static str,
    destructive: bool,
    /// Deregister the target before the console starts (registering again needs a draining one).
    drain_first: bool,
    /// The refreshed inventory shows the effect: (before, after, subject's id).
    effect: fn(&Inventory, &Inventory, &str) -> Result<(), String>,
}

const CASES: [Case; 8] = [
    Case {
        label: "start",
        subject: Subject::Instance("batch-1"),
        dry_call: "StartInstances",
        call: "StartInstances",
        destructive: false,
        drain_first: false,
        effect: |before, after, id| {
            let (b, a) = (instance(before, id)?.state, instance(after, id)?.state);
            check(
                b == InstanceState::Stopped
                    && matches!(a, InstanceState::Pending | InstanceState::Running),
                format!("{b:?} -> {a:?}"),
            )
        },
    },
    Case {
        label: "stop",
        subject: Subject::Instance("web-1"),
        dry_call: "StopInstances",
        call: "StopInstances",
        destructive: true,
        drain_first: false,
        effect: |before, after, id| {
            let (b, a) = (instance(before, id)?.state, instance(after, id)?.state);
            check(
                b == InstanceState::Running
                    && matches!(a, InstanceState::Stopping | InstanceState::Stopped),
                format!("{b:?} -> {a:?}"),
            )
        },
    },
    Case {
        label: "reboot",
        subject: Subject::Instance("web-2"),
        dry_call: "RebootInstances",
        call: "RebootInstances",
        destructive: false,
        drain_first: false,
        // Still running, but its guest is down: the instance check starts over.
        effect: |before, after, id| {
            let (b, a) = (instance(before, id)?, instance(after, id)?);
            check(
                a.state == InstanceState::Running
                    && b.status_checks.instance == CheckStatus::Ok
                    && a.status_checks.instance == CheckStatus::Initializing,
                format!(
                    "{:?} {:?} -> {:?} {:?}",
                    b.state, b.status_checks.instance, a.state, a.status_checks.instance
                ),
            )
        },
    },
    Case {
        label: "snapshot",
        subject: Subject::Volume("db-1-data"),
        dry_call: "CreateSnapshot",
        call: "CreateSnapshot",
        destructive: false,
        drain_first: false,
        effect: |before, after, id| {
            let new: Vec<_> = after
                .snapshots
                .iter()
                .filter(|s| !before.snapshots.iter().any(|o| o.id == s.id))
                .collect();
            check(
                new.len() == 1 && new[0].volume_id.as_deref() == Some(id),
                format!("new snapshots: {new:?}"),
            )
        },
    },
    Case {
        label: "image",
        subject: Subject::Instance("web-1"),
        dry_call: "CreateImage",
        call: "CreateImage",
        destructive: false,
        drain_first: false,
        effect: |before, after, _| {
            let new: Vec<_> = after
                .images
                .iter()
                .filter(|i| !before.images.iter().any(|o| o.id == i.id))
                .collect();
            check(
                new.len() == 1 && new[0].name.starts_with("web-1-"),
                format!("new images: {new:?}"),
            )
        },
    },
    Case {
        label: "deregister",
        subject: Subject::Target {
            group: "web-tg",
            instance: "web-1",
        },
        dry_call: "DescribeTargetGroups",
        call: "DeregisterTargets",
        destructive: true,
        drain_first: false,
        effect: |before, after, id| {
            let (b, a) = (target(before, id)?, target(after, id)?);
            check(
                b == TargetState::Healthy && a == TargetState::Draining,
                format!("{b:?} -> {a:?}"),
            )
        },
    },
    Case {
        label: "register",
        subject: Subject::Target {
            group: "web-tg",
            instance: "web-2",
        },
        dry_call: "DescribeTargetGroups",
        call: "RegisterTargets",
        destructive: false,
        drain_first: true,
        // Registered again, it starts over with its health checks.
        effect: |before, after, id| {
            let (b, a) = (target(before, id)?, target(after, id)?);
            check(
                b == TargetState::Draining
                    && matches!(a, TargetState::Initial | TargetState::Healthy),
                format!("{b:?} -> {a:?}"),
            )
        },
    },
    Case {
        label: "detach",
        subject: Subject::Volume("db-1-data"),
        dry_call: "DetachVolume",
        call: "DetachVolume",
        destructive: true,
        drain_first: false,
        effect: |before, after, id| {
            let state = |inv: &Inventory| -> Result<Option<AttachmentState>, String> {
                Ok(inv
                    .volume(id)
                    .ok_or_else(|| format!("no volume {id}"))?
                    .attachments
                    .first()
                    .map(|a| a.state))
            };
            let (b, a) = (state(before)?, state(after)?);
            check(
                b == Some(AttachmentState::Attached)
                    && matches!(a, Some(AttachmentState::Detaching) | None),
                format!("{b:?} -> {a:?}"),
            )
        },
    },
];

fn check(ok: bool, what: String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(what) }
}

fn instance<'a>(
    inv: &'a Inventory,
    id: &str,
) -> Result<&'a opsdeck_core::domain::Instance, String> {
    inv.instance(id).ok_or_else(|| format!("no instance {id}"))
}

/// The state of the instance's (only) registration in a target group.
fn target(inv: &Inventory, id: &str) -> Result<TargetState, String> {
    let rows: Vec<_> = inv
        .target_health
        .iter()
        .filter(|t| t.target_id == id)
        .collect();
    match rows.as_slice() {
        [one] => Ok(one.state),
        other => Err(format!("{id}: {} target rows", other.len())),
    }
}

fn key_of(label: &str) -> &'static str {
    MUTATING
        .iter()
        .find(|(_, l)| *l == label)
        .map(|(k, _)| *k)
        .unwrap_or_else(|| panic!("no key for {label}"))
}

/// Opens the subject's table and selects its row (by filtering on its id). Returns the id.
async fn select(h: &mut Harness, sim: &Sim, subject: Subject) -> String {
    let (view, id, group) = match subject {
        Subject::Instance(n) => ("instances", sim.instance_id(n), None),
        Subject::Volume(n) => ("volumes", sim.volume_id(n), None),
        Subject::Target { group, instance } => (
            "targets",
            sim.instance_id(instance),
            sim.target_group_arn(group),
        ),
    };
    let id = id.unwrap_or_else(|| panic!("{subject:?} in the fleet"));
    h.command(view).await;
    h.text(&format!("/{id}")).await;
    h.key(Key::plain(KeyCode::Enter)).await;
    let key = h.state.top_table_key().expect("a table").clone();
    let row = h
        .state
        .view(&key)
        .and_then(|v| v.selected_row())
        .unwrap_or_else(|| panic!("{subject:?}: a row selected"));
    let inv = &h.state.data.inv;
    let selected = match key.kind {
        ResourceKind::Instances => inv.instances[row].id.to_string(),
        ResourceKind::Volumes => inv.volumes[row].id.to_string(),
        ResourceKind::Targets => {
            let t = &inv.target_health[row];
            assert_eq!(Some(t.target_group_arn.to_string()), group, "{subject:?}");
            t.target_id.to_string()
        }
        other => panic!("{subject:?}: {other:?} on top"),
    };
    assert_eq!(selected, id, "{subject:?}: the selected row");
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_single_action_runs_a_dry_run_then_exactly_its_call_then_refreshes() {
    for case in &CASES {
        let what = case.label;
        let sim = sim::demo();
        if case.drain_first {
            let Subject::Target { group, instance } = case.subject else {
                panic!("{what}: only a target drains");
            };
            let arn = sim.target_group_arn(group).expect("group");
            let target = TargetRef {
                id: sim.instance_id(instance).expect("instance"),
                port: None,
            };
            sim.writer("us-east-1")
                .deregister_targets(&arn, &[target], false)
                .await
                .expect("deregistered");
        }
        let mut h = Harness::start(sim.clone(), false).await;
        let id = select(&mut h, &sim, case.subject).await;
        let before = Arc::clone(&h.state.data.inv);
        sim.clear_calls();

        // The key opens the confirmation, and its dry run answers before anything can run.
        h.text(key_of(case.label)).await;
        let d = h
            .state
            .dialog
            .as_ref()
            .unwrap_or_else(|| panic!("{what}: dialog"));
        assert_eq!(d.op.subject(), id, "{what}");
        assert_eq!(d.op.destructive(), case.destructive, "{what}");
        assert_eq!(
            d.phase,
            app::state::ConfirmPhase::Ready,
            "{what}: dry run ok"
        );
        let calls = sim.calls();
        assert_eq!(calls.len(), 1, "{what}: only the dry run so far: {calls:?}");
        assert_eq!(
            (calls[0].action, calls[0].dry_run),
            (case.dry_call, true),
            "{what}: {calls:?}"
        );

        if case.destructive {
            // Enter is refused until the id is typed exactly: not without it, not a prefix of it,
            // not a near miss.
            let near: String = format!("{}0", &id[..id.len() - 1]);
            let near = if near == id {
                format!("{}1", &id[..id.len() - 1])
            } else {
                near
            };
            for typed in ["", &id[..id.len() - 1], near.as_str()] {
                h.key(Key::ctrl('u')).await;
                h.text(typed).await;
                h.key(Key::plain(KeyCode::Enter)).await;
                let d = h.state.dialog.as_ref().unwrap_or_else(|| {
                    panic!("{what}: enter with {typed:?} typed closed the dialog")
                });
                assert_eq!(d.typed, typed, "{what}");
                assert_eq!(d.phase, app::state::ConfirmPhase::Ready, "{what}");
                assert!(
                    calls::real(&sim).is_empty(),
                    "{what}: {typed:?} typed ran it"
                );
            }
            h.key(Key::ctrl('u')).await;
            h.text(&id).await;
        }

        // Enter runs exactly this op on this resource, once.
        let fx = app::update(&mut h.state, Input::Key(Key::plain(KeyCode::Enter)));
        let op = match fx.as_slice() {
            [Effect::Write { op, .. }] => op.clone(),
            other => panic!("{what}: {other:?}"),
        };
        assert_eq!(op.subject(), id, "{what}");
        assert!(op.call().ends_with(case.call), "{what}: {}", op.call());
        h.run(fx).await;
        let real = calls::real(&sim);
        assert_eq!(real.len(), 1, "{what}: {real:?}");
        assert_eq!(real[0].action, case.call, "{what}");
        assert_eq!(real[0].error, None, "{what}: {real:?}");
        let calls = sim.calls();
        let first_real = calls
            .iter()
            .position(|c| c.mutating && !c.dry_run)
            .expect("the call");
        assert!(
            calls[..first_real].iter().any(|c| c.dry_run),
            "{what}: the dry run came first: {calls:?}"
        );

        // The dialog is gone, the status says it was done, and the refresh shows the effect.
        assert!(h.state.dialog.is_none(), "{what}");
        let status = h.status();
        assert!(status.starts_with(&op.done()), "{what}: {status}");
        assert!(
            calls[first_real + 1..]
                .iter()
                .any(|c| c.action == "DescribeInstances"),
            "{what}: refreshed after the call: {calls:?}"
        );
        if let Err(e) = (case.effect)(&before, &h.state.data.inv, &id) {
            panic!("{what}: the refreshed inventory does not show it: {e}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_refused_for_the_state_says_so_and_nothing_runs() {
    let sim = sim::demo();
    let mut h = Harness::start(sim.clone(), false).await;
    // batch-1 is stopped: it cannot be rebooted.
    let id = select(&mut h, &sim, Subject::Instance("batch-1")).await;
    sim.clear_calls();
    h.text(key_of("reboot")).await;
    let e = match h.state.dialog.as_ref().map(|d| d.phase.clone()) {
        Some(app::state::ConfirmPhase::Refused(e)) => e,
        other => panic!("refusal expected, got {other:?}"),
    };
    assert!(e.starts_with("not in a state that allows this"), "{e}");
    assert!(e.contains("[IncorrectInstanceState]"), "{e}");
    let screen = h.screen(160, 48);
    assert!(
        screen
            .contains("dry run refused: not in a state that allows this [IncorrectInstanceState]"),
        "{screen}"
    );
    let calls = sim.calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(
        (calls[0].action, calls[0].dry_run, calls[0].error.as_deref()),
        ("RebootInstances", true, Some("IncorrectInstanceState"))
    );

    // Neither enter nor y runs it; esc says nothing was changed.
    h.key(Key::plain(KeyCode::Enter)).await;
    h.text("y").await;
    assert!(h.state.dialog.is_some());
    h.key(Key::plain(KeyCode::Esc)).await;
    assert!(h.state.dialog.is_none());
    assert_eq!(h.status(), "cancelled: nothing was changed");
    assert!(calls::real(&sim).is_empty(), "{:?}", sim.calls());
    let i = h.state.data.inv.instance(&id).expect("batch-1");
    assert_eq!(i.state, InstanceState::Stopped);
}

/// Export writes the view as shown (filtered) to a file in the export dir, through the runner's
/// export task: CSV with its header row, JSON as an array of objects; the status line names it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_writes_the_filtered_view_to_a_file() {
    let mut h = Harness::start(sim::demo(), true).await;
    let out = tempfile::tempdir().expect("export dir");
    h.state.prefs.export_dir = out.path().to_path_buf();
    h.command("instances").await;
    h.text("/web").await;
    h.key(Key::plain(KeyCode::Enter)).await;
    for (k, ext) in [("E", "csv"), ("J", "json")] {
        h.text(k).await;
        h.pump_until("the export task answers", |s| {
            s.status
                .as_ref()
                .is_some_and(|m| m.text.starts_with("exported") || m.text.contains("failed"))
        })
        .await;
        let said = h.status();
        assert!(said.starts_with("exported 2 rows to "), "{said}");
        let path = std::path::PathBuf::from(said.trim_start_matches("exported 2 rows to "));
        assert_eq!(path.parent(), Some(out.path()), "{said}");
        assert_eq!(path.extension().and_then(|e| e.to_str()), Some(ext));
        let text = std::fs::read_to_string(&path).expect("the export file exists");
        assert!(
            text.contains("web-1") && text.contains("web-2") && !text.contains("db-1"),
            "only the filtered rows:\n{text}"
        );
        if ext == "csv" {
            assert!(text.starts_with("ID,NAME,STATE"), "{text}");
            assert_eq!(text.lines().count(), 3, "header and two rows:\n{text}");
        } else {
            let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
            assert_eq!(v.as_array().map(Vec::len), Some(2), "{text}");
        }
        // The next export's status must not be mistaken for this one's.
        h.state.status = None;
    }
}
