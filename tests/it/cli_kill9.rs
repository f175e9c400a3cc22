//! kill -9 of a real `opsdeck runbook remove-spof --yes` against moto at every step boundary, then
//! `opsdeck runbook resume RUN --yes` in a new process, counting every call moto received.
//!
//! For each step and each of its boundaries — the step started (its observation under way), its
//! call in flight (journaled as started, the request at the front, no answer yet), its call
//! answered (journaled as done, the wait under way) — a fresh seeded moto, a run killed with
//! SIGKILL there, a resume to the end; then the run reads as done in `opsdeck runs`, every
//! mutating call moto received (failed ones too, dry runs aside) was made exactly as often as in a
//! clean run — once each: a call in doubt is re-observed, never repeated once it shows
//! (docs/runbooks.md, "Journal") — and the fleet moto holds is the clean run's: one image, one
//! clone, one registration, nothing else.
//!
//! The front delays every AWS request a little (mutating calls more), so each boundary lasts long
//! enough to be hit, and the test checks the journal's last record is the one it killed at.

use crate::support;

use opsdeck_core::domain::Inventory;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};
use support::cli::{opsdeck_on_moto, stderr};
use support::moto;

/// The steps of remove-spof on one instance, by the mutating call each makes.
const STEP_CALLS: [&str; 3] = ["CreateImage", "RunInstances", "RegisterTargets"];
/// How long the front holds a mutating call before moto sees it: the "in flight" window.
const IN_FLIGHT_MS: u64 = 400;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Boundary {
    StepStarted,
    ActStarted,
    ActDone,
}

impl Boundary {
    fn event(self) -> &'static str {
        match self {
            Boundary::StepStarted => "step_started",
            Boundary::ActStarted => "act_started",
            Boundary::ActDone => "act_done",
        }
    }
}

/// A process killed (SIGKILL) and reaped when dropped, whatever the test did meanwhile.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Every AWS request a little slower, mutating ones more (the dry runs of preflight too).
fn slow_front() {
    let mut rules: Vec<Value> = STEP_CALLS
        .iter()
        .map(|a| json!({ "action": a, "delay_ms": IN_FLIGHT_MS }))
        .collect();
    rules.push(json!({ "delay_ms": 40 }));
    moto::set_faults(json!(rules));
}

/// The mutating calls moto received since the log was cleared, by action: every request that is
/// not a read (`Describe*`, `Get*`, `List*`) nor an EC2 dry run, whatever moto answered.
fn mutations() -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for r in moto::requests() {
        let read = ["Describe", "Get", "List"]
            .iter()
            .any(|p| r.action.starts_with(p));
        if !read && !r.dry_run && !r.faulted {
            *m.entry(r.action).or_insert(0) += 1;
        }
    }
    m
}

/// The fleet moto holds, with names for ids (a fresh seed has new ids) and the runs' timestamps
/// taken out of image names: what a run changed, comparable across seeds.
async fn fleet() -> Vec<String> {
    let (read, _) = moto::ports("us-east-1").await;
    let inv: Inventory = support::inventory::quick(&read).await;
    let name = |id: &str| {
        inv.instance(id)
            .and_then(|i| i.name.as_deref().map(str::to_string))
            .unwrap_or_else(|| id.to_string())
    };
    let mut lines = Vec::new();
    for i in &inv.instances {
        lines.push(format!(
            "instance {} {:?} {} {}",
            name(&i.id),
            i.state,
            i.az,
            i.instance_type
        ));
    }
    for i in &inv.images {
        let undated: String = i
            .name
            .chars()
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect();
        lines.push(format!("image {undated} {:?}", i.state));
    }
    for v in &inv.volumes {
        let on: Vec<String> = v.attachments.iter().map(|a| name(&a.instance_id)).collect();
        lines.push(format!("volume {} GiB {:?} on {on:?}", v.size_gib, v.state));
    }
    for s in &inv.snapshots {
        lines.push(format!("snapshot {} GiB {:?}", s.volume_size_gib, s.state));
    }
    for t in &inv.target_health {
        let tg = inv
            .target_group(&t.target_group_arn)
            .map(|g| g.name.to_string())
            .unwrap_or_default();
        lines.push(format!("target {tg} {} {:?}", name(&t.target_id), t.state));
    }
    lines.sort();
    lines
}

/// The journal's complete records (a line cut by the kill is not one).
fn records(journal: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(journal).unwrap_or_default();
    let complete = text.rfind('\n').map_or("", |end| &text[..end]);
    complete
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn is(record: &Value, event: &str, step: usize) -> bool {
    record["event"] == event && record["step"].as_u64() == Some(step as u64)
}

/// The run's journal, once it exists.
fn journal_of(home: &tempfile::TempDir) -> Option<PathBuf> {
    std::fs::read_dir(home.path().join("state/runs"))
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
}

fn remove_spof(home: &tempfile::TempDir, instance: &str, log: &Path) -> std::process::Command {
    let mut c = opsdeck_on_moto(home);
    c.args(["runbook", "remove-spof", "--instance", instance, "--yes"])
        .stdout(Stdio::from(File::create(log.join("run.out")).expect("out")))
        .stderr(Stdio::from(File::create(log.join("run.err")).expect("err")));
    c
}

fn output_of(log: &Path) -> String {
    let read = |f: &str| std::fs::read_to_string(log.join(f)).unwrap_or_default();
    format!("stdout:\n{}\nstderr:\n{}", read("run.out"), read("run.err"))
}

/// Starts the run, kills it with SIGKILL as `boundary` of step `step` is reached, and returns the
/// run's journal.
fn kill_at(home: &tempfile::TempDir, web1: &str, step: usize, boundary: Boundary) -> PathBuf {
    let log = tempfile::tempdir().expect("tempdir");
    let mut run = Running(
        remove_spof(home, web1, log.path())
            .spawn()
            .expect("spawn opsdeck"),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    let journal = loop {
        let reached = journal_of(home).filter(|j| {
            records(j).iter().any(|r| is(r, boundary.event(), step))
                && (boundary != Boundary::ActStarted
                    || moto::requests()
                        .iter()
                        .any(|r| r.action == STEP_CALLS[step] && !r.dry_run))
        });
        if let Some(j) = reached {
            run.0.kill().expect("SIGKILL");
            break j;
        }
        if let Some(status) = run.0.try_wait().expect("try_wait") {
            panic!(
                "step {step} {boundary:?}: the run ended ({status}) before it got there\n{}",
                output_of(log.path())
            );
        }
        assert!(
            Instant::now() < deadline,
            "step {step} {boundary:?}: never reached\n{}",
            output_of(log.path())
        );
        std::thread::sleep(Duration::from_millis(2));
    };
    let status = run.0.wait().expect("wait");
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9),
        "killed by SIGKILL, not ended by itself"
    );
    let last = records(&journal).pop().expect("records");
    assert!(
        is(&last, boundary.event(), step),
        "killed right at step {step} {boundary:?}: the journal ends with {last}"
    );
    journal
}

#[tokio::test]
async fn remove_spof_killed_at_every_step_boundary_resumes_without_a_duplicate_call() {
    // The clean run: what it calls and what it leaves.
    let (clean_calls, clean_fleet) = {
        let (_g, seed) = moto::seeded().await;
        let web1 = moto::id(&seed, &["instances", "web-1"]);
        slow_front();
        moto::clear_requests();
        let home = tempfile::tempdir().expect("tempdir");
        let log = tempfile::tempdir().expect("tempdir");
        let status = remove_spof(&home, &web1, log.path()).status().expect("run");
        assert!(status.success(), "clean run: {}", output_of(log.path()));
        (mutations(), fleet().await)
    };
    let once: BTreeMap<String, usize> = STEP_CALLS.iter().map(|a| (a.to_string(), 1)).collect();
    assert_eq!(clean_calls, once, "a clean run makes each call once");
    for (what, prefix) in [
        ("one clone", "instance web-1-clone-1 Running"),
        ("one image", "image opsdeck-clone-web-"),
        (
            "one registration, healthy",
            "target web-tg web-1-clone-1 Healthy",
        ),
    ] {
        assert_eq!(
            clean_fleet.iter().filter(|l| l.starts_with(prefix)).count(),
            1,
            "{what}: {clean_fleet:#?}"
        );
    }

    for step in 0..STEP_CALLS.len() {
        for boundary in [
            Boundary::StepStarted,
            Boundary::ActStarted,
            Boundary::ActDone,
        ] {
            let at = format!("killed at step {} {boundary:?}", step + 1);
            let (_g, seed) = moto::seeded().await;
            let web1 = moto::id(&seed, &["instances", "web-1"]);
            slow_front();
            moto::clear_requests();
            let home = tempfile::tempdir().expect("tempdir");
            let journal = kill_at(&home, &web1, step, boundary);
            // A call in flight reaches moto after the kill, as AWS would finish it.
            std::thread::sleep(Duration::from_millis(IN_FLIGHT_MS + 300));
            let run_id = journal
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("run id")
                .to_string();

            let resumed = opsdeck_on_moto(&home)
                .args(["runbook", "resume", &run_id, "--yes"])
                .output()
                .expect("resume");
            assert_eq!(
                resumed.status.code(),
                Some(0),
                "{at}: resumed to the end\n{}\n{}",
                String::from_utf8_lossy(&resumed.stdout),
                stderr(&resumed)
            );
            let runs = opsdeck_on_moto(&home)
                .args(["runs", "--format", "json"])
                .output()
                .expect("runs");
            assert_eq!(runs.status.code(), Some(0), "{at}: {}", stderr(&runs));
            let runs: Value = serde_json::from_slice(&runs.stdout).expect("runs json");
            let run = runs
                .as_array()
                .and_then(|a| a.iter().find(|r| r["run_id"] == run_id.as_str()))
                .unwrap_or_else(|| panic!("{at}: `runs` lists {run_id}: {runs}"));
            assert_eq!(run["status"], "done", "{at}: {run}");

            assert_eq!(
                mutations(),
                clean_calls,
                "{at}: every mutating call moto received, failed ones too, as a clean run makes it"
            );
            assert_eq!(fleet().await, clean_fleet, "{at}: the clean run's fleet");
        }
    }
}
