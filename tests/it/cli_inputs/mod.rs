//! Bad inputs and state-dir faults on the real binary: each gets one line naming what failed and
//! the exit code of `docs/contracts.md` (`state_dir`: unwritable and full; `run_ids`: ids that
//! could leave the runs dir; `config`: ranges and types; `flags`: endpoint, region, profile;
//! `pipes`: a reader that stops early; `sdk_errors`: what an AWS failure says).

use crate::support;

use serde_json::Value;
use std::process::Output;
use support::cli::{opsdeck, stderr};

mod config;
mod flags;
mod run_ids;
mod sdk_errors;
mod state_dir;

/// The binary on the demo fleet in us-east-1, at a speed that finishes runs in a second or two.
fn demo(home: &tempfile::TempDir) -> std::process::Command {
    let mut c = opsdeck(home);
    c.args(["--demo", "--demo-speed", "200", "--region", "us-east-1"]);
    c
}

fn run(c: &mut std::process::Command) -> Output {
    c.output().expect("run opsdeck")
}

/// The id of the demo instance named `name` (the demo fleet's ids are the same on every run).
fn demo_instance(home: &tempfile::TempDir, name: &str) -> String {
    let out = run(demo(home).args(["inventory", "--format", "json", "--no-metrics"]));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    v["instances"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["name"] == name))
        .and_then(|i| i["id"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no {name} in the demo: {}", stderr(&out)))
}

/// stderr's lines other than the warning that there is no log file.
fn stderr_without_log_warning(o: &Output) -> Vec<String> {
    stderr(o)
        .lines()
        .filter(|l| !l.contains("cannot open the log file"))
        .map(str::to_string)
        .collect()
}
