//! The journal's tests: every prefix of a journal (a kill at any byte) reads as its whole records;
//! format 1 still reads; a new journal is private and never reuses a path; ids are checked.

use super::*;
use crate::plan::{Action, Step};

fn plan() -> Plan {
    let step = |n: usize| Step {
        title: format!("step {n}"),
        action: Action::StartInstance {
            instance: format!("i-{n}"),
        },
        resources: vec![format!("i-{n}")],
        expected_secs: 10,
        timeout_secs: 60,
    };
    Plan {
        runbook: "test".into(),
        region: "r".into(),
        args: serde_json::json!({}),
        steps: (0..3).map(step).collect(),
        notes: vec![],
    }
}

fn entries() -> Vec<Entry> {
    let at = chrono::DateTime::from_timestamp(1_900_000_000, 0).unwrap_or_default();
    let mut out = Vec::new();
    for step in 0..3 {
        out.push(Entry::StepStarted { at, step });
        out.push(Entry::ActStarted { at, step });
        let mut o = Outputs::new();
        o.insert(format!("out-{step}"), format!("value-{step}"));
        out.push(Entry::ActDone {
            at,
            step,
            request_id: Some(format!("req-{step}")),
            outputs: o.clone(),
        });
        out.push(Entry::StepFinished {
            at,
            step,
            outputs: o,
        });
    }
    out.push(Entry::Finished {
        at,
        outcome: RunStatus::Done,
    });
    out
}

/// What a reader must see: the state after the entries whose records are whole.
fn replay(plan: &Plan, whole: &[Entry], started: &Entry) -> RunState {
    let mut s = None;
    apply(&mut s, started.clone()).unwrap();
    for e in whole {
        apply(&mut s, e.clone()).unwrap();
    }
    let mut s = s.unwrap();
    s.plan = plan.clone();
    s
}

fn same(a: &RunState, b: &RunState) -> bool {
    a.finished == b.finished
        && a.acted == b.acted
        && a.in_doubt == b.in_doubt
        && a.outputs == b.outputs
        && a.status == b.status
}

/// Any prefix of a journal (a kill at any byte) reads as the records it holds whole, and the
/// next append after it is read too.
#[test]
fn every_prefix_reads_as_its_whole_records_and_takes_an_append() {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan();
    let full = Journal::create(dir.path(), "full", None, &plan).unwrap();
    let entries = entries();
    for e in &entries {
        full.append(e).unwrap();
    }
    let bytes = std::fs::read(full.path()).unwrap();
    let started = std::fs::read_to_string(full.path()).unwrap();
    let first = started.lines().next().unwrap().len() + 1;
    let ends: Vec<usize> = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
        .collect();
    let start_entry = Entry::Started {
        at: chrono::Utc::now(),
        run_id: "full".into(),
        profile: None,
        checksum: plan.checksum(),
        plan: plan.clone(),
        version: FORMAT,
    };
    let extra = Entry::Cancelled {
        at: chrono::Utc::now(),
        step: None,
        by: None,
        left_open: Vec::new(),
    };
    for cut in 0..=bytes.len() {
        let j = Journal {
            path: dir.path().join(format!("cut-{cut}.jsonl")),
        };
        std::fs::write(&j.path, &bytes[..cut]).unwrap();
        // A record counts once all of its bytes are there (its newline may be missing).
        let whole = ends.iter().filter(|e| **e - 1 <= cut).count();
        if cut < first - 1 {
            assert!(j.load().is_err(), "cut {cut}: no start entry yet");
            continue;
        }
        let state = j.load().unwrap_or_else(|e| panic!("cut {cut}: {e:#}"));
        let expect = replay(&plan, &entries[..whole - 1], &start_entry);
        assert!(same(&state, &expect), "cut {cut}: {state:?}");
        j.append(&extra).unwrap();
        let after = j
            .load()
            .unwrap_or_else(|e| panic!("cut {cut} + append: {e:#}"));
        assert_eq!(
            after.status,
            RunStatus::Cancelled,
            "cut {cut}: the append is read"
        );
        assert_eq!(after.finished, expect.finished, "cut {cut}");
    }
}

#[test]
fn create_makes_a_new_private_file_and_never_reuses_a_path() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let j = Journal::create(dir.path(), "r1", None, &plan()).unwrap();
    let mode = std::fs::metadata(j.path()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let again = Journal::create(dir.path(), "r1", None, &plan()).unwrap_err();
    assert!(
        format!("{again:#}").contains("already has a journal"),
        "{again:#}"
    );
    // A link in its place (even a dangling one) is not followed.
    let target = dir.path().join("elsewhere");
    std::os::unix::fs::symlink(&target, dir.path().join("r2.jsonl")).unwrap();
    assert!(Journal::create(dir.path(), "r2", None, &plan()).is_err());
    assert!(!target.exists(), "nothing written through the link");
}

#[test]
fn ids_that_could_leave_the_runs_dir_are_refused_before_any_file() {
    let root = tempfile::tempdir().unwrap();
    let runs = root.path().join("runs");
    std::fs::create_dir(&runs).unwrap();
    // A journal outside runs/ that a crafted id would reach.
    let outside = root.path().join("x");
    std::fs::create_dir(&outside).unwrap();
    Journal::create(&outside, "evil", None, &plan()).unwrap();
    for id in ["../x/evil", "", "..", "a/b"] {
        let e = format!("{:#}", Journal::open(&runs, id).err().unwrap());
        assert!(e.contains("is not a run id"), "{id:?}: {e}");
        assert!(Journal::create(&runs, id, None, &plan()).is_err(), "{id:?}");
    }
    let e = format!("{:#}", Journal::open(&runs, "nope").err().unwrap());
    assert!(e.contains("no run nope"), "{e}");
    assert_eq!(
        std::fs::read_dir(&runs).unwrap().count(),
        0,
        "nothing made in runs/"
    );
    let left: Vec<_> = std::fs::read_dir(&outside).unwrap().collect();
    assert_eq!(
        left.len(),
        1,
        "no lock or journal made outside runs/: {left:?}"
    );
}

#[test]
fn an_unsealed_journal_of_format_1_still_reads() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("old.jsonl");
    let plan = plan();
    let start = serde_json::json!({
        "event": "started", "at": "2030-01-01T00:00:00Z", "run_id": "old", "profile": null,
        "checksum": plan.checksum(), "plan": plan,
    });
    let step = r#"{"event":"step_started","at":"2030-01-01T00:00:01Z","step":0}"#;
    std::fs::write(&p, format!("{start}\n{step}\n{{\"event\":\"act_st")).unwrap();
    let j = Journal { path: p };
    let s = j.load().unwrap();
    assert_eq!(s.run_id, "old");
    assert!(!s.in_doubt[0], "the torn last line is ignored");
    j.append(&Entry::Cancelled {
        at: chrono::Utc::now(),
        step: Some(0),
        by: None,
        left_open: Vec::new(),
    })
    .unwrap();
    assert_eq!(j.load().unwrap().status, RunStatus::Cancelled);
}
