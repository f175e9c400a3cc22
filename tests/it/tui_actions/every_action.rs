//! Every single action of the default keymap, end to end on its own row: the dialog, the dry run,
//! exactly its call, the refreshed inventory showing the effect.

use super::*;

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
