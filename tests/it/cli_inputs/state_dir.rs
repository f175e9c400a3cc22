//! A state dir that cannot be written, or a disk that fills up: a read-only command still works
//! (one warning: no log file), a run is refused up front naming the dir, and a journal whose first
//! record cannot be written is removed rather than left empty or torn.

use super::*;
use std::path::PathBuf;

/// A state dir nobody can write, and how it was made. Where permissions bind, an existing dir
/// `chmod 0500`; as root (tests may run as root, and root writes through 0500 as if it were 0700)
/// a path whose parent is a regular file, which stops root too (ENOTDIR).
fn unwritable_state_dir(home: &tempfile::TempDir) -> (PathBuf, &'static str) {
    use std::os::unix::fs::PermissionsExt;
    let dir = home.path().join("ro-state");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o500)).expect("chmod");
    let probe = dir.join("probe");
    if std::fs::write(&probe, "").is_err() {
        return (dir, "Permission denied");
    }
    // Permissions do not bind (root): use a path no one can create instead.
    std::fs::remove_file(&probe).expect("remove probe");
    let blocker = home.path().join("not-a-dir");
    std::fs::write(&blocker, "a regular file").expect("write");
    (blocker.join("state"), "Not a directory")
}

#[test]
fn an_unwritable_state_dir_leaves_reads_working_with_one_warning() {
    let home = tempfile::tempdir().expect("tempdir");
    let (state, os_error) = unwritable_state_dir(&home);
    let out = run(demo(&home).env("OPSDECK_STATE_DIR", &state).args([
        "inventory",
        "--format",
        "json",
        "--no-metrics",
    ]));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("the inventory, whole");
    assert!(!v["instances"].as_array().expect("instances").is_empty());
    assert_eq!(err.trim().lines().count(), 1, "one warning line: {err}");
    let log = state.join("opsdeck.log").display().to_string();
    assert!(err.contains(&log), "names the log file: {err}");
    assert!(err.contains(os_error), "says the OS error: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_run_or_an_abandon_is_refused_up_front_naming_the_state_dir() {
    let home = tempfile::tempdir().expect("tempdir");
    let db = demo_instance(&home, "db-1");
    let (state, os_error) = unwritable_state_dir(&home);
    for args in [
        &["runbook", "snapshot", "--instance", db.as_str(), "--yes"][..],
        &["runbook", "abandon", "20261207T194056-snapshot-f073be"][..],
    ] {
        let out = run(demo(&home).env("OPSDECK_STATE_DIR", &state).args(args));
        let err = stderr_without_log_warning(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err:?}");
        assert_eq!(err.len(), 1, "{args:?}: one line: {err:?}");
        assert!(
            err[0].contains("refused")
                && err[0].contains(&state.display().to_string())
                && err[0].contains(os_error),
            "{args:?}: {err:?}"
        );
        assert!(out.stdout.is_empty(), "{args:?}: nothing planned or run");
    }
    // Only showing a plan writes nothing: it still works.
    let plan = run(demo(&home).env("OPSDECK_STATE_DIR", &state).args([
        "runbook",
        "snapshot",
        "--instance",
        &db,
        "--plan",
    ]));
    assert_eq!(plan.status.code(), Some(0), "{}", stderr(&plan));
}

/// A disk that fills up, without root: every file the binary writes is capped at 1 KiB
/// (RLIMIT_FSIZE, `ulimit -f 2` in 512-byte blocks, with SIGXFSZ ignored so a write past it fails
/// with EFBIG as a full disk fails with ENOSPC). The preflight's two audit records fit; the
/// journal's first record (the plan, about 1.5 KiB) does not: the run fails (exit 1) naming the
/// journal, and no journal is left behind for `runs` to list or `resume` to trip on.
#[test]
fn a_journal_whose_first_record_cannot_be_written_is_removed() {
    let home = tempfile::tempdir().expect("tempdir");
    let db = demo_instance(&home, "db-1");
    let c = demo(&home);
    let bin = c.get_program().to_owned();
    let args: Vec<_> = c.get_args().map(ToOwned::to_owned).collect();
    let mut sh = std::process::Command::new("sh");
    sh.arg("-c")
        .arg(r#"ulimit -f 2 && trap '' XFSZ && exec "$@""#)
        .arg("sh")
        .arg(bin)
        .args(args)
        .args(["runbook", "snapshot", "--instance", &db, "--yes"]);
    for (k, v) in c.get_envs() {
        match v {
            Some(v) => sh.env(k, v),
            None => sh.env_remove(k),
        };
    }
    let out = run(&mut sh);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let runs = home.path().join("state/runs");
    let left: Vec<String> = std::fs::read_dir(&runs)
        .expect("runs/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    assert!(
        !left.iter().any(|f| f.ends_with(".jsonl")),
        "no journal left behind: {left:?}"
    );
    let line = err
        .lines()
        .find(|l| l.contains("journal"))
        .unwrap_or_else(|| panic!("a line about the journal: {err}"));
    assert!(
        line.contains(&runs.display().to_string())
            && line.contains("File too large")
            && line.contains("removed"),
        "names the journal, the OS error and that it is gone: {line}"
    );
    let listed = run(opsdeck(&home).args(["runs", "--format", "json"]));
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout).trim(),
        "[]",
        "{}",
        stderr(&listed)
    );
    // Nothing was changed in the cloud: the first real call comes after the journal.
    let audit = std::fs::read_to_string(home.path().join("state/audit.jsonl")).expect("audit");
    assert!(
        audit.lines().all(|l| l.contains("\"dry_run\":true")),
        "only the preflight's dry runs: {audit}"
    );
}
