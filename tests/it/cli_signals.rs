//! A headless run and the signals an operator's machine sends it, for real: the binary against moto
//! (the front drains deregistered targets for the group's delay), signalled while a web server of
//! `web-tg` drains.
//!
//! - SIGTERM or SIGINT: the run puts the instance back first (reboot, register, healthy), then
//!   stops, journaled as cancelled by that signal; exit 143 or 130; nothing left out.
//! - The same signal twice: it stops at once, says which step is left open, exits 5, and `runs`
//!   says so too; a rollback registers the target again.
//! - SIGHUP with the terminal gone (tmux killed under it): the run goes on to its end.

use crate::support;

use opsdeck_core::domain::TargetState;
use opsdeck_runbook::journal::{self, RunStatus};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::cli::{opsdeck_on_moto, stderr};
use support::moto;
use support::tmux::{ConsoleDirs, Tmux, shell_quote};

/// A moto fleet whose web-tg drains for a few seconds and makes new targets healthy after one.
async fn draining_fleet() -> (moto::Guard, Value) {
    let seeded = moto::seeded_with(&["--web-deregistration-delay", "4"]).await;
    moto::control(
        "/_plus/config",
        json!({ "drain": true, "initial_seconds": 1 }),
    );
    seeded
}

/// Rolling maintenance of `instances`, one at a time, unattended.
fn rolling(home: &tempfile::TempDir, instances: &[&str]) -> Child {
    let mut c = opsdeck_on_moto(home);
    c.args(["runbook", "rolling-maintenance", "--yes"]);
    for i in instances {
        c.args(["--instance", i]);
    }
    c.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn opsdeck")
}

/// Waits until moto has answered a DeregisterTargets: the instance is draining.
fn until_draining() {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !moto::requests()
        .iter()
        .any(|r| r.action == "DeregisterTargets" && !r.faulted)
    {
        assert!(Instant::now() < deadline, "the run never deregistered");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(ok.success(), "kill -{sig} {pid}");
}

/// The state of web-tg's `instance` as moto says now.
async fn web_target(seed: &Value, instance: &str) -> Option<TargetState> {
    let (read, _) = moto::ports("us-east-1").await;
    let tg = moto::id(seed, &["target_groups", "web-tg"]);
    read.target_health(&tg)
        .await
        .expect("DescribeTargetHealth")
        .into_iter()
        .find(|t| t.target_id == instance)
        .map(|t| t.state)
}

/// The one run journaled under `home`'s state dir.
fn the_run(home: &tempfile::TempDir) -> journal::RunState {
    let runs = journal::list(&home.path().join("state").join("runs"));
    assert_eq!(runs.len(), 1, "one run journaled");
    match runs.into_iter().next() {
        Some(Ok(state)) => state,
        other => panic!("the journal reads: {other:?}"),
    }
}

#[tokio::test]
async fn sigterm_or_sigint_mid_drain_stops_once_the_instance_is_back() {
    for (sig, code) in [("TERM", 143), ("INT", 130)] {
        let (_g, seed) = draining_fleet().await;
        let web1 = moto::id(&seed, &["instances", "web-1"]);
        let web2 = moto::id(&seed, &["instances", "web-2"]);
        let home = tempfile::tempdir().expect("tempdir");
        moto::clear_requests();
        // Two instances: the safe point is between them.
        let child = rolling(&home, &[&web1, &web2]);
        until_draining();
        signal(child.id(), sig);
        let out = child.wait_with_output().expect("the run ends");
        let said = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(code),
            "SIG{sig}: stopped safely\n{said}\n{}",
            stderr(&out)
        );
        assert!(said.contains("at a safe point"), "{said}");
        let state = the_run(&home);
        assert_eq!(state.status, RunStatus::Cancelled);
        assert!(
            opsdeck_runbook::safety::open_steps(&state).is_empty(),
            "nothing left open"
        );
        assert_eq!(
            web_target(&seed, &web1).await,
            Some(TargetState::Healthy),
            "SIG{sig}: web-1 is back in web-tg"
        );
        let count = |action: &str| {
            moto::requests()
                .iter()
                .filter(|r| r.action == action && !r.faulted)
                .count()
        };
        assert_eq!(count("RegisterTargets"), 1, "web-1 registered once");
        assert_eq!(count("DeregisterTargets"), 1, "web-2 never taken out");
        assert_eq!(web_target(&seed, &web2).await, Some(TargetState::Healthy));
    }
}

#[tokio::test]
async fn a_second_sigterm_stops_at_once_and_says_what_is_left_out() {
    let (_g, seed) = draining_fleet().await;
    let web1 = moto::id(&seed, &["instances", "web-1"]);
    let home = tempfile::tempdir().expect("tempdir");
    moto::clear_requests();
    let child = rolling(&home, &[&web1]);
    until_draining();
    signal(child.id(), "TERM");
    std::thread::sleep(Duration::from_millis(300));
    signal(child.id(), "TERM");
    let out = child.wait_with_output().expect("the run ends");
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(5), "{said}\n{}", stderr(&out));
    let state = the_run(&home);
    let open = opsdeck_runbook::safety::open_steps(&state);
    assert_eq!(open.len(), 1, "the deregistration is open: {open:?}");
    assert!(said.contains(&open[0]), "the output names it: {said}");
    let listed = opsdeck_on_moto(&home)
        .args(["runs", "--format", "json"])
        .output()
        .expect("runs");
    let runs: Value = serde_json::from_slice(&listed.stdout).expect("runs json");
    let last_error = runs[0]["last_error"].as_str().unwrap_or_default();
    assert!(
        last_error.contains("SIGTERM") && last_error.contains(&open[0]),
        "`runs` says what is left out: {runs}"
    );
    assert_ne!(
        web_target(&seed, &web1).await,
        Some(TargetState::Healthy),
        "web-1 is out, as said"
    );
    let back = opsdeck_on_moto(&home)
        .args(["runbook", "rollback", &state.run_id, "--yes"])
        .output()
        .expect("rollback");
    assert_eq!(back.status.code(), Some(0), "{}", stderr(&back));
    assert_eq!(
        web_target(&seed, &web1).await,
        Some(TargetState::Healthy),
        "the rollback registered it again"
    );
}

#[tokio::test]
async fn a_hang_up_mid_drain_lets_the_run_finish() {
    let (_g, seed) = draining_fleet().await;
    let web1 = moto::id(&seed, &["instances", "web-1"]);
    let dirs = ConsoleDirs::new(None);
    let home = dirs.root().to_path_buf();
    let none = shell_quote(&home.join("none"));
    let cmd = format!(
        "env AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
         AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE={none} \
         AWS_SHARED_CREDENTIALS_FILE={none} HOME={home_q} \
         {run} --region us-east-1 --endpoint-url {url} runbook rolling-maintenance \
         --instance {web1} --yes; sleep 60",
        home_q = shell_quote(&home),
        run = dirs.command(""),
        url = moto::url(),
    );
    let runs_dir = dirs.state.join("runs");
    moto::clear_requests();
    let (t, _): (Tmux, _) = dirs.start_shell(&cmd, 120, 30);
    until_draining();
    // The link drops: tmux goes away with the terminal (SIGHUP to the run, its tty gone).
    t.run(&["kill-server"]);
    let deadline = Instant::now() + Duration::from_secs(120);
    let state = loop {
        let runs: Vec<_> = journal::list(&runs_dir).into_iter().flatten().collect();
        match runs.as_slice() {
            [s] if s.status == RunStatus::Done => break s.clone(),
            [s] if !s.status.is_open() => panic!("the run ended {:?}", s.status),
            _ if Instant::now() > deadline => panic!("the run did not finish: {runs:?}"),
            _ => std::thread::sleep(Duration::from_millis(200)),
        }
    };
    assert!(opsdeck_runbook::safety::open_steps(&state).is_empty());
    assert_eq!(
        web_target(&seed, &web1).await,
        Some(TargetState::Healthy),
        "web-1 is back in web-tg"
    );
}
