//! Instances without a scheduled event (`--instance`): nothing in the cloud closes when they reboot,
//! so a resumed reboot step must decide from what shows, never reboot a second time blindly.

use super::*;

/// The fleet without any scheduled event.
fn eventless_fleet() -> String {
    let mut out = Vec::new();
    let mut skipping = false;
    for line in FLEET.lines() {
        if line.starts_with("[[regions.instances.events]]") {
            skipping = true;
            continue;
        }
        if skipping && line.starts_with('[') {
            skipping = false;
        }
        if !skipping {
            out.push(line);
        }
    }
    out.join("\n")
}

/// The world's writer behind an audit log, whose entries name each call's resources.
fn audited(w: &World, dir: &std::path::Path) -> (Arc<dyn CloudWrite>, std::path::PathBuf) {
    let path = dir.join("audit.jsonl");
    let a = opsdeck_runbook::audit::Audited::new(w.write.clone(), path.clone(), None, None);
    (Arc::new(a), path)
}

/// How many times each instance was really rebooted, from the audit log: every reboot call's
/// outcome, a failed one too (it reached AWS), not the intent records made before each call.
fn reboots_per_instance(audit: &std::path::Path) -> std::collections::BTreeMap<String, usize> {
    let mut per = std::collections::BTreeMap::new();
    let text = std::fs::read_to_string(audit).expect("the audit log");
    for line in text.lines() {
        let e: serde_json::Value = serde_json::from_str(line).expect("audit line");
        if e["call"] == "RebootInstances" && e["dry_run"] == false && e["outcome"] != "calling" {
            for r in e["resources"].as_array().expect("resources") {
                *per.entry(r.as_str().expect("id").to_string()).or_insert(0) += 1;
            }
        }
    }
    per
}

fn eventless_args(w: &World) -> RollingArgs {
    RollingArgs {
        instances: ["web-1", "web-2", "web-3"]
            .iter()
            .map(|n| w.sim.instance_id(n).expect("instance"))
            .collect(),
        ..Default::default()
    }
}

#[tokio::test(start_paused = true)]
async fn eventless_reboots_survive_a_kill_at_every_boundary_with_one_reboot_each() {
    at_every_kill_point("eventless reboots", 20, async |n| {
        let w = world(&eventless_fleet());
        let plan = plan_for(&w, &eventless_args(&w)).await.expect("plan");
        let reboots = plan
            .steps
            .iter()
            .filter(|s| s.action_name() == "reboot_instance")
            .count();
        assert_eq!(reboots, 3, "no event: each instance is rebooted");
        let dir = tempfile::tempdir().expect("tempdir");
        let (write, audit) = audited(&w, dir.path());
        let (_, killed) = runbook::run_to_end(&w.read, &write, "rk", &plan, Some(n)).await;
        let per = reboots_per_instance(&audit);
        assert_eq!(per.len(), 3, "kill after {n} writes: {per:?}");
        assert!(
            per.values().all(|c| *c == 1),
            "kill after {n} writes: exactly one RebootInstances per instance: {per:?}"
        );
        assert_eq!(made(&w.sim, "RebootInstances"), 3);
        killed
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_reboot_in_doubt_with_no_trace_left_stops_and_asks_then_does_what_the_operator_says() {
    use opsdeck_runbook::control::resolve_in_doubt;
    for answer in ["done", "redo"] {
        // Find the kill that leaves the first reboot's call made but not journaled.
        let mut n = 1;
        let (w, dir, write, audit, step) = loop {
            let w = world(&eventless_fleet());
            let plan = plan_for(&w, &eventless_args(&w)).await.expect("plan");
            let (dir, j, mut state) = runbook::journal("rk", &plan);
            let (write, audit) = audited(&w, dir.path());
            let (mut r, _e) = runner(&w, j, Some(n));
            r.write = write.clone();
            assert!(r.run(&mut state).await.is_err(), "killed before the end");
            let replay = Journal::open(dir.path(), "rk")
                .and_then(|j| j.load())
                .expect("replay");
            if let Some(i) = replay.in_doubt_step()
                && replay.plan.steps[i].action_name() == "reboot_instance"
                && made(&w.sim, "RebootInstances") == 1
            {
                break (w, dir, write, audit, i);
            }
            n += 1;
            assert!(n < 40, "no kill leaves a reboot in doubt");
        };
        // The operator comes back later: the instance has long finished rebooting.
        tokio::time::sleep(Duration::from_secs(15 * 60)).await;
        let j = Journal::open(dir.path(), "rk").expect("journal");
        let mut resumed = j.load().expect("replay");
        let (mut r, _e) = runner(&w, j, None);
        r.write = write.clone();
        let status = r.run(&mut resumed).await.expect("resume");
        assert_eq!(
            status,
            RunStatus::Failed,
            "it stops rather than reboot again"
        );
        let why = resumed.last_error.clone().unwrap_or_default();
        assert!(
            why.contains("cannot tell whether it rebooted")
                && why.contains("opsdeck runbook resume rk --in-doubt done"),
            "{why}"
        );
        assert_eq!(made(&w.sim, "RebootInstances"), 1, "not rebooted blindly");

        // The operator checked the uptime and says what happened.
        let j = Journal::open(dir.path(), "rk").expect("journal");
        let mut settled = j.load().expect("replay");
        assert_eq!(
            resolve_in_doubt(&j, &mut settled, answer == "done"),
            Ok(step)
        );
        assert!(
            resolve_in_doubt(&j, &mut settled, true).is_err(),
            "settled once"
        );
        let (mut r, _e) = runner(&w, j, None);
        r.write = write.clone();
        let status = r.run(&mut settled).await.expect("resume");
        assert_eq!(status, RunStatus::Done, "{:?}", settled.last_error);
        let per = reboots_per_instance(&audit);
        let first = match &settled.plan.steps[step].action {
            opsdeck_runbook::plan::Action::RebootInstance { instance, .. } => instance.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            per.get(&first).copied(),
            Some(if answer == "done" { 1 } else { 2 }),
            "{answer}: {per:?}"
        );
        assert_eq!(per.len(), 3);
    }
}
