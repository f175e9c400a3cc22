//! `runbook abandon|resume|rollback RUN` with an id that is not a run: refused (exit 2) naming the
//! id, before any file is opened or created, inside the runs dir or out of it.

use super::*;
use opsdeck_runbook::journal::Journal;
use opsdeck_runbook::plan::{Action, Plan, Step};

fn plan() -> Plan {
    Plan {
        runbook: "snapshot".into(),
        region: "us-east-1".into(),
        args: serde_json::json!({}),
        steps: vec![Step {
            title: "start i-1".into(),
            action: Action::StartInstance {
                instance: "i-1".into(),
            },
            resources: vec!["i-1".into()],
            expected_secs: 10,
            timeout_secs: 60,
        }],
        notes: vec![],
    }
}

/// Every file under `dir`, with its contents.
fn snapshot(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let bytes = std::fs::read(&p).unwrap_or_default();
                out.push((p, bytes));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn ids_that_are_not_runs_are_refused_naming_them_before_any_file_is_touched() {
    let home = tempfile::tempdir().expect("tempdir");
    let state = home.path().join("state");
    // A real, open run's journal outside runs/, where `../x/evil` would lead, and one in runs/.
    Journal::create(&state.join("x"), "evil", None, &plan()).expect("journal outside");
    Journal::create(&state.join("runs"), "real-run", None, &plan()).expect("journal");
    // The log is the one file every command may write: keep it out of the comparison.
    let before = || {
        snapshot(home.path())
            .into_iter()
            .filter(|(p, _)| !p.ends_with("opsdeck.log"))
            .collect::<Vec<_>>()
    };
    let start = before();
    let evil = "../x/evil";
    let deeper = "../../x/evil";
    for id in [evil, deeper, "..", "", "a/b", "runs\\x", "no-such-run"] {
        for cmd in [
            vec!["runbook", "abandon", id],
            vec!["runbook", "resume", id, "--yes"],
            vec!["runbook", "rollback", id, "--yes"],
            vec!["runbook", "resume", id, "--plan"],
        ] {
            let out = run(demo(&home).args(&cmd));
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{cmd:?}: {err}");
            assert_eq!(err.trim().lines().count(), 1, "{cmd:?}: one line: {err}");
            assert!(
                err.contains(&format!("`{}`", id.escape_debug())) || err.contains(id),
                "{cmd:?}: names the id: {err}"
            );
            if id != "no-such-run" {
                assert!(err.contains("is not a run id"), "{cmd:?}: {err}");
            }
            assert!(out.stdout.is_empty(), "{cmd:?}: nothing shown");
            assert_eq!(
                before(),
                start,
                "{cmd:?}: no file opened for writing or made"
            );
        }
    }
    // The run outside is untouched (not abandoned, no lock beside it), the real one still opens.
    let out = run(demo(&home).args(["runbook", "resume", "real-run", "--plan"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
