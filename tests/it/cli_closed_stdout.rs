//! A listing whose reader has gone (`opsdeck runs | head -1`) ends quietly: exit 0, nothing on
//! stderr, no panic. Each listing here is far longer than a pipe holds (64 KiB on Linux), so once
//! the reader has read its line and closed its end, the binary's next writes meet the closed pipe.

use crate::support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use support::cli::opsdeck;

/// Runs `cmd` with stdout a pipe, reads one line, closes the pipe and waits: the binary must exit 0
/// with nothing on stderr.
fn ends_quietly_after_one_line(mut cmd: Command, what: &str) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn opsdeck");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout is a pipe"));
    let mut first = String::new();
    reader.read_line(&mut first).expect("read the first line");
    assert!(!first.trim().is_empty(), "{what}: printed a first line");
    drop(reader);
    let out = child.wait_with_output().expect("wait for opsdeck");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what}: exit 0 once the reader has gone; stderr: {err}"
    );
    assert_eq!(
        err, "",
        "{what}: nothing on stderr (no `Broken pipe`, no panic)"
    );
}

/// The large demo fleet's us-east-1: about 2,500 instances.
fn large_demo(home: &tempfile::TempDir, args: &[&str]) -> Command {
    let mut c = opsdeck(home);
    c.args(["--demo", "--demo-fleet", "large", "--region", "us-east-1"])
        .args(args);
    c
}

#[test]
fn inventory_table_ends_quietly_when_its_reader_goes() {
    let home = tempfile::tempdir().expect("tempdir");
    // About 1.3 MB of tables.
    ends_quietly_after_one_line(large_demo(&home, &["inventory"]), "inventory");
}

#[test]
fn inventory_json_ends_quietly_when_its_reader_goes() {
    let home = tempfile::tempdir().expect("tempdir");
    // About 8 MB of JSON.
    ends_quietly_after_one_line(
        large_demo(&home, &["inventory", "--format", "json", "--no-metrics"]),
        "inventory --format json",
    );
}

#[test]
fn report_ends_quietly_when_its_reader_goes() {
    let home = tempfile::tempdir().expect("tempdir");
    // Every region of the large fleet: about 130 kB. (The fleet has critical findings: `report`
    // would exit 3 with a reader; a reader that left takes no verdict.)
    let mut table = opsdeck(&home);
    table.args(["--demo", "--demo-fleet", "large", "report"]);
    ends_quietly_after_one_line(table, "report");
    // About 260 kB of JSON.
    ends_quietly_after_one_line(
        large_demo(&home, &["report", "--format", "json"]),
        "report --format json",
    );
}

#[test]
fn runs_ends_quietly_when_its_reader_goes() {
    let home = tempfile::tempdir().expect("tempdir");
    let demo = |args: &[&str]| {
        opsdeck(&home)
            .args(["--demo", "--demo-speed", "200", "--region", "us-east-1"])
            .args(args)
            .output()
            .expect("run opsdeck")
    };
    let inv = demo(&["inventory", "--format", "json", "--no-metrics"]);
    let v: serde_json::Value = serde_json::from_slice(&inv.stdout).expect("inventory json");
    let db = v["instances"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["name"] == "db-1"))
        .and_then(|i| i["id"].as_str())
        .expect("db-1 in the demo")
        .to_string();
    let run = demo(&["runbook", "snapshot", "--instance", &db, "--yes"]);
    assert_eq!(run.status.code(), Some(0), "{}", support::cli::stderr(&run));
    // The one real journal, 1,500 times over: about 150 kB of table, 450 kB of JSON.
    let runs = home.path().join("state/runs");
    let journal = std::fs::read_dir(&runs)
        .expect("the runs dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .expect("the run's journal");
    let stem = journal
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("a run id")
        .to_string();
    for i in 0..1500 {
        std::fs::copy(&journal, runs.join(format!("{stem}{i:04}.jsonl"))).expect("copy");
    }
    let mut table = opsdeck(&home);
    table.arg("runs");
    ends_quietly_after_one_line(table, "runs");
    let mut json = opsdeck(&home);
    json.args(["runs", "--format", "json"]);
    ends_quietly_after_one_line(json, "runs --format json");
}

/// A listing reaches stdout in buffers, not a write call per line (counted with strace on the real
/// binary, its stdout a file): the large demo fleet's inventory in at most one write per 100 lines.
#[test]
fn a_listing_is_written_in_buffers_not_lines() {
    let home = tempfile::tempdir().expect("tempdir");
    let trace = home.path().join("trace");
    let out_path = home.path().join("inventory.txt");
    let out = std::fs::File::create(&out_path).expect("output file");
    let cmd = large_demo(&home, &["inventory"]);
    let status = Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=write", "-o"])
        .arg(&trace)
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .envs(cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
        .stdout(out)
        .status()
        .expect("strace is installed (CI installs it) and runs");
    assert!(status.success(), "{status}");
    let lines = std::fs::read_to_string(&out_path)
        .expect("output")
        .lines()
        .count();
    let writes = std::fs::read_to_string(&trace)
        .expect("trace")
        .lines()
        .filter(|l| l.contains("write(1,"))
        .count();
    assert!(lines > 1_000, "a long listing: {lines} lines");
    assert!(
        writes * 100 <= lines,
        "{writes} write calls to stdout for {lines} lines"
    );
}
