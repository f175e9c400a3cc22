//! Headless runbooks as an operator runs them: the real binary on `--demo`, its exit codes, the
//! journal `opsdeck runs` reads, and the audit log.

use crate::support;

use serde_json::Value;
use support::cli::{opsdeck, stderr};

fn demo(home: &tempfile::TempDir, args: &[&str]) -> std::process::Output {
    opsdeck(home)
        .env("AWS_SECRET_ACCESS_KEY", "never-in-a-log")
        .args(["--demo", "--demo-speed", "200", "--region", "us-east-1"])
        .args(args)
        .output()
        .expect("run opsdeck")
}

fn demo_instance(home: &tempfile::TempDir, name: &str) -> String {
    let out = demo(home, &["inventory", "--format", "json", "--no-metrics"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    v["instances"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["name"] == name))
        .and_then(|i| i["id"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no {name} in the demo"))
}

#[test]
fn plan_run_runs_and_audit() {
    let home = tempfile::tempdir().expect("tempdir");
    let db = demo_instance(&home, "db-1");

    let plan = demo(
        &home,
        &[
            "runbook",
            "snapshot",
            "--instance",
            &db,
            "--plan",
            "--format",
            "json",
        ],
    );
    assert_eq!(plan.status.code(), Some(0), "{}", stderr(&plan));
    let p: Value = serde_json::from_slice(&plan.stdout).expect("plan json");
    assert_eq!(p["runbook"], "snapshot");
    let steps = p["steps"].as_array().expect("steps").len();
    // One step starts the whole set (root and data volume), one waits for it.
    let volumes = p["steps"][0]["resources"]
        .as_array()
        .expect("the set's volumes")
        .len();
    assert!(volumes >= 2, "root and data volume");
    assert!(
        !home.path().join("state/runs").exists(),
        "--plan journals nothing"
    );

    let ro = demo(
        &home,
        &[
            "--read-only",
            "runbook",
            "snapshot",
            "--instance",
            &db,
            "--yes",
        ],
    );
    assert_eq!(ro.status.code(), Some(2), "read-only refuses to run");
    assert!(stderr(&ro).contains("read-only"), "{}", stderr(&ro));

    let run = demo(&home, &["runbook", "snapshot", "--instance", &db, "--yes"]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        stderr(&run)
    );
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(
        out.contains("preflight ok") && out.contains("done"),
        "{out}"
    );

    let runs = opsdeck(&home)
        .args(["runs", "--format", "json"])
        .output()
        .expect("runs");
    let r: Value = serde_json::from_slice(&runs.stdout).expect("runs json");
    let first = &r.as_array().expect("list")[0];
    assert_eq!(
        (first["runbook"].as_str(), first["status"].as_str()),
        (Some("snapshot"), Some("done"))
    );
    assert_eq!(first["steps_done"].as_u64(), Some(steps as u64));

    let audit = std::fs::read_to_string(home.path().join("state/audit.jsonl")).expect("audit log");
    let entries: Vec<Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let real: Vec<&Value> = entries
        .iter()
        .filter(|e| {
            e["call"] == "CreateSnapshots" && e["dry_run"] == false && e["outcome"] != "calling"
        })
        .collect();
    assert_eq!(
        real.len(),
        1,
        "the set is one CreateSnapshots call, its outcome audited once"
    );
    let intents = entries
        .iter()
        .filter(|e| e["call"] == "CreateSnapshots" && e["outcome"] == "calling")
        .count();
    assert_eq!(intents, 1, "its intent recorded before it was made");
    assert!(
        !entries.iter().any(|e| e["call"] == "CreateSnapshot"),
        "no snapshot made one volume at a time"
    );
    let named = real[0]["resources"].as_array().expect("resources");
    assert!(
        named[0] == db.as_str()
            && named.len() == 1 + volumes
            && named[1..]
                .iter()
                .all(|r| r.as_str().is_some_and(|r| r.starts_with("snap-"))),
        "the call names the instance, then the snapshot of each volume: {}",
        real[0]
    );
    assert!(
        entries.iter().any(|e| e["call"] == "CreateSnapshots"
            && e["dry_run"] == true
            && e["outcome"] == "dry-run-ok"),
        "preflight dry runs audited too"
    );
    for e in &real {
        assert!(e["request_id"].is_string() && e["at"].is_string() && e["region"] == "us-east-1");
        assert!(
            e["identity"]
                .as_str()
                .is_some_and(|i| i.starts_with("arn:")),
            "identity recorded: {e}"
        );
        assert_eq!(e["outcome"], "ok");
    }
    assert!(
        !audit.contains("never-in-a-log"),
        "no credentials in the audit log"
    );
    let log = std::fs::read_to_string(home.path().join("state/opsdeck.log")).unwrap_or_default();
    assert!(!log.contains("never-in-a-log"), "no credentials in the log");
}

#[test]
fn refusals_exit_2_before_anything_changes() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = demo(
        &home,
        &[
            "runbook",
            "remove-spof",
            "--instance",
            "i-0000000000000dead",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown instance i-0000000000000dead"),
        "{}",
        stderr(&out)
    );
    assert!(
        !home.path().join("state/audit.jsonl").exists(),
        "nothing was even dry-run"
    );
    let resume = opsdeck(&home)
        .args(["runbook", "resume", "no-such-run"])
        .output()
        .expect("resume");
    assert_ne!(resume.status.code(), Some(0));
    assert!(
        stderr(&resume).contains("no run no-such-run"),
        "{}",
        stderr(&resume)
    );
}

/// Refused before anything changed: exit 2, saying `why` on stderr.
fn assert_refused(out: &std::process::Output, why: &str) {
    assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
    assert!(stderr(out).contains(why), "{}", stderr(out));
}

/// A journal written as a run of the one-step `plan` would leave it, in the binary's state dir,
/// with the first `progress` of its entries: step started, act started, act done, step finished,
/// finished (done).
fn journal(
    home: &tempfile::TempDir,
    run_id: &str,
    profile: Option<&str>,
    plan: &opsdeck_runbook::plan::Plan,
    progress: usize,
) -> opsdeck_runbook::journal::Journal {
    use opsdeck_runbook::journal::{Entry, Journal, RunStatus};
    let runs = opsdeck_runbook::StateDir::new(home.path().join("state")).runs();
    let j = Journal::create(&runs, run_id, profile.map(str::to_string), plan).expect("journal");
    let at = chrono::Utc::now();
    let entries = [
        Entry::StepStarted { at, step: 0 },
        Entry::ActStarted { at, step: 0 },
        Entry::ActDone {
            at,
            step: 0,
            request_id: None,
            outputs: Default::default(),
        },
        Entry::StepFinished {
            at,
            step: 0,
            outputs: Default::default(),
        },
        Entry::Finished {
            at,
            outcome: RunStatus::Done,
        },
    ];
    for e in &entries[..progress] {
        j.append(e).expect("append");
    }
    j
}

fn run_status(home: &tempfile::TempDir, run_id: &str) -> String {
    let runs = opsdeck(home)
        .args(["runs", "--format", "json"])
        .output()
        .expect("runs");
    let r: Value = serde_json::from_slice(&runs.stdout).expect("runs json");
    r.as_array()
        .and_then(|a| a.iter().find(|x| x["run_id"] == run_id))
        .and_then(|x| x["status"].as_str())
        .unwrap_or_else(|| panic!("no run {run_id}"))
        .to_string()
}

#[test]
fn headless_resume_and_rollback_keep_the_consoles_safety_checks() {
    use opsdeck_runbook::plan::{Action, Plan, Step};
    let home = tempfile::tempdir().expect("tempdir");
    let web2 = demo_instance(&home, "web-2");
    let inv: Value = serde_json::from_slice(
        &demo(&home, &["inventory", "--format", "json", "--no-metrics"]).stdout,
    )
    .expect("json");
    let tg = inv["target_groups"]
        .as_array()
        .and_then(|a| a.iter().find(|t| t["name"] == "web-tg"))
        .and_then(|t| t["arn"].as_str())
        .expect("web-tg")
        .to_string();
    // A done run that took web-2 out of web-tg (the demo's web-2 is back in it: its undo has
    // nothing left to call).
    let plan = Plan {
        runbook: "rolling-maintenance".into(),
        region: "us-east-1".into(),
        args: serde_json::json!({}),
        steps: vec![Step {
            title: format!("deregister {web2} from web-tg"),
            action: Action::DeregisterTarget {
                target_group_arn: tg,
                target: opsdeck_core::cloud::TargetRef {
                    id: web2.clone(),
                    port: None,
                },
            },
            resources: vec![web2.clone()],
            expected_secs: 30,
            timeout_secs: 600,
        }],
        notes: vec![],
    };
    let orig = journal(&home, "orig", None, &plan, 5);
    // Its rollback, started and cut short (a crash before its first step).
    let undo = opsdeck_runbook::engine::rollback_plan(&orig.load().expect("load"));
    assert_eq!(undo.steps.len(), 1);
    journal(&home, "undo", None, &undo, 0);

    // A second rollback of the same run, while the first is unfinished: resume that one instead.
    let out = demo(&home, &["runbook", "rollback", "orig", "--yes"]);
    assert_refused(&out, "undo already rolls back orig");
    // No undoing the undo.
    let out = demo(&home, &["runbook", "rollback", "undo", "--yes"]);
    assert_refused(&out, "itself a rollback");
    // Nothing is in doubt to settle.
    let out = demo(
        &home,
        &["runbook", "resume", "undo", "--in-doubt", "done", "--yes"],
    );
    assert_refused(&out, "no step of run undo is in doubt");

    // A run with an unfinished rollback is not resumed: the two would pull the same target in
    // opposite directions.
    let open = journal(&home, "open", None, &plan, 3);
    let open_undo = opsdeck_runbook::engine::rollback_plan(&open.load().expect("load"));
    journal(&home, "open-undo", None, &open_undo, 0);
    let out = demo(&home, &["runbook", "resume", "open", "--yes"]);
    assert_refused(&out, "run open is being rolled back by run open-undo");
    // A deregistration cut off mid-call is checked again on resume by reading the group: the
    // operator settles only a reboot that left no trace.
    journal(&home, "doubt", None, &plan, 2);
    let out = demo(
        &home,
        &["runbook", "resume", "doubt", "--in-doubt", "done", "--yes"],
    );
    assert_refused(&out, "--in-doubt is only for a reboot");
    assert_eq!(run_status(&home, "doubt"), "unfinished");

    // Resuming the rollback to its end closes the run it undid.
    let out = demo(&home, &["runbook", "resume", "undo", "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
    assert_eq!(run_status(&home, "undo"), "done");
    assert_eq!(run_status(&home, "orig"), "rolled-back");
    let out = demo(&home, &["runbook", "rollback", "orig", "--yes"]);
    assert_refused(&out, "already rolled back");

    // Another profile's run (another account) is neither resumed nor rolled back from here.
    journal(&home, "prod-run", Some("prod"), &plan, 0);
    for cmd in ["resume", "rollback"] {
        let out = demo(&home, &["runbook", cmd, "prod-run", "--yes"]);
        assert_eq!(out.status.code(), Some(2), "{cmd}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("started with profile prod"),
            "{cmd}: {}",
            stderr(&out)
        );
    }
    assert_eq!(run_status(&home, "prod-run"), "unfinished");
    let audit = std::fs::read_to_string(home.path().join("state/audit.jsonl")).unwrap_or_default();
    assert!(
        !audit.lines().any(|l| l.contains("\"dry_run\":false")),
        "nothing was changed in the cloud: {audit}"
    );
}

/// A profile marked read-only in the config stays read-only when it is chosen by `AWS_PROFILE`
/// rather than `--profile` (as the AWS CLI picks it): no writer, the run refused, nothing journaled.
#[test]
fn a_read_only_profile_chosen_by_aws_profile_cannot_write() {
    let home = tempfile::tempdir().expect("tempdir");
    let db = demo_instance(&home, "db-1");
    let config = home.path().join("config");
    std::fs::create_dir_all(&config).expect("config dir");
    std::fs::write(
        config.join("config.toml"),
        "[profiles.prod]\nread_only = true\n",
    )
    .expect("config");
    let run = opsdeck(&home)
        .env("AWS_PROFILE", "prod")
        .args(["--demo", "--demo-speed", "200", "--region", "us-east-1"])
        .args(["runbook", "snapshot", "--instance", &db, "--yes"])
        .output()
        .expect("run opsdeck");
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(stderr(&run).contains("read-only"), "{}", stderr(&run));
    assert!(
        !home.path().join("state/runs").exists(),
        "a refused run journals nothing"
    );
}

/// A run nobody can approve (no terminal, no `--yes`) is refused before it is journaled, so it never
/// shows as an unfinished run.
#[test]
fn a_run_nobody_can_approve_leaves_no_journal() {
    let home = tempfile::tempdir().expect("tempdir");
    let db = demo_instance(&home, "db-1");
    let run = opsdeck(&home)
        .args(["--demo", "--demo-speed", "200", "--region", "us-east-1"])
        .args(["runbook", "snapshot", "--instance", &db])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run opsdeck");
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("nobody can approve"),
        "{}",
        stderr(&run)
    );
    let runs = demo(&home, &["runs", "--format", "json"]);
    let v: Value = serde_json::from_slice(&runs.stdout).expect("runs json");
    assert_eq!(v.as_array().map(Vec::len), Some(0), "{v}");
}

/// Against moto, the real binary's `runbook snapshot` makes one `CreateSnapshots` call for the
/// instance's volumes, root included, and no `CreateSnapshot`; the snapshots are there with the
/// run's tags and one start time.
#[tokio::test]
async fn a_snapshot_is_one_create_snapshots_call_against_moto() {
    use support::moto;
    let (_g, seed) = moto::seeded().await;
    let db = moto::id(&seed, &["instances", "db-1"]);
    let (read, _) = moto::ports("us-east-1").await;
    let inv = support::inventory::quick(&read).await;
    let mut attached: Vec<String> = inv
        .volumes_of_instance(&db)
        .iter()
        .map(|v| v.id.to_string())
        .collect();
    attached.sort();
    assert!(attached.len() >= 2, "root and data volume");
    moto::clear_requests();

    let home = tempfile::tempdir().expect("tempdir");
    let run = support::cli::opsdeck_on_moto(&home)
        .args(["runbook", "snapshot", "--instance", &db, "--yes"])
        .output()
        .expect("run opsdeck");
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&run.stdout),
        stderr(&run)
    );
    assert_eq!(
        support::calls::moto_made("CreateSnapshots"),
        1,
        "one call for the set"
    );
    assert_eq!(
        support::calls::moto("CreateSnapshot"),
        0,
        "none per volume, dry runs included"
    );

    let inv = support::inventory::quick(&read).await;
    let mine: Vec<_> = inv
        .snapshots
        .iter()
        .filter(|s| s.tags.get("opsdeck:run").is_some())
        .collect();
    let mut volumes: Vec<String> = mine
        .iter()
        .filter_map(|s| s.volume_id.as_deref().map(str::to_string))
        .collect();
    volumes.sort();
    assert_eq!(volumes, attached, "one snapshot per attached volume");
    let set_tag = format!("snapshot-set-{db}");
    for s in &mine {
        assert_eq!(
            s.tags.get("opsdeck:output"),
            Some(set_tag.as_str()),
            "tagged as the run's set: {:?}",
            s.tags
        );
    }
    let mut starts: Vec<_> = mine.iter().map(|s| s.start_time).collect();
    starts.dedup();
    assert_eq!(starts.len(), 1, "one start time: {starts:?}");
}

/// The run `run_id` of `opsdeck runs --format json`.
fn run_json(home: &tempfile::TempDir, run_id: &str) -> Value {
    let runs = opsdeck(home)
        .args(["runs", "--format", "json"])
        .output()
        .expect("runs");
    let r: Value = serde_json::from_slice(&runs.stdout).expect("runs json");
    r.as_array()
        .and_then(|a| a.iter().find(|x| x["run_id"] == run_id))
        .cloned()
        .unwrap_or_else(|| panic!("no run {run_id}"))
}

/// The id `opsdeck runbook ...` printed for its run (`run <id> (journal …)`).
fn printed_run_id(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| {
            l.strip_prefix("run ")
                .and_then(|r| r.split_whitespace().next())
                .filter(|_| l.contains("(journal "))
                .map(str::to_string)
        })
        .unwrap_or_else(|| panic!("no run id in {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn what_a_run_made_is_in_runs_and_on_its_last_lines() {
    let home = tempfile::tempdir().expect("tempdir");
    let inv: Value = serde_json::from_slice(
        &demo(&home, &["inventory", "--format", "json", "--no-metrics"]).stdout,
    )
    .expect("json");
    let snap = inv["snapshots"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["state"] == "completed"))
        .and_then(|s| s["id"].as_str())
        .expect("a completed snapshot")
        .to_string();
    let run = demo(
        &home,
        &[
            "runbook",
            "restore",
            "--snapshot",
            &snap,
            "--az",
            "us-east-1a",
            "--yes",
        ],
    );
    let said = String::from_utf8_lossy(&run.stdout).to_string();
    assert_eq!(run.status.code(), Some(0), "{said}\n{}", stderr(&run));
    let id = printed_run_id(&run);
    let r = run_json(&home, &id);
    let volume = r["outputs"]
        .as_object()
        .and_then(|o| {
            o.values()
                .find_map(|v| v.as_str().filter(|v| v.starts_with("vol-")))
        })
        .unwrap_or_else(|| panic!("the restored volume in {r}"))
        .to_string();
    assert!(
        said.contains("outputs: ") && said.contains(&volume),
        "{said}"
    );
    let table =
        String::from_utf8_lossy(&opsdeck(&home).args(["runs"]).output().expect("runs").stdout)
            .to_string();
    assert!(table.contains(&volume), "{table}");

    let web1 = demo_instance(&home, "web-1");
    let run = demo(
        &home,
        &["runbook", "remove-spof", "--instance", &web1, "--yes"],
    );
    let said = String::from_utf8_lossy(&run.stdout).to_string();
    assert_eq!(run.status.code(), Some(0), "{said}\n{}", stderr(&run));
    let r = run_json(&home, &printed_run_id(&run));
    let outputs = r["outputs"].as_object().expect("outputs");
    let values: Vec<&str> = outputs.values().filter_map(|v| v.as_str()).collect();
    assert!(
        values.iter().any(|v| v.starts_with("ami-")),
        "the image in {r}"
    );
    assert!(
        values.iter().any(|v| v.starts_with("i-")),
        "the clone in {r}"
    );
    assert_eq!(r["steps_called"], serde_json::json!([]), "{r}");
}

#[test]
fn a_resumed_run_whose_resources_are_gone_names_rollback_and_abandon() {
    use opsdeck_runbook::journal::{Entry, Journal, Outputs};
    use opsdeck_runbook::plan::{Action, Plan, Step};
    let home = tempfile::tempdir().expect("tempdir");
    // A snapshot run journaled against another demo world: its snapshot was made there.
    let plan = Plan {
        runbook: "snapshot".into(),
        region: "us-east-1".into(),
        args: serde_json::json!({}),
        steps: vec![
            Step {
                title: "snapshot vol-0elsewhere".into(),
                action: Action::CreateSnapshot {
                    volume: "vol-0elsewhere".into(),
                    description: "d".into(),
                    output: "snapshot".into(),
                },
                resources: vec!["vol-0elsewhere".into()],
                expected_secs: 5,
                timeout_secs: 600,
            },
            Step {
                title: "wait for <snapshot>".into(),
                action: Action::WaitSnapshots {
                    outputs: vec!["snapshot".into()],
                },
                resources: vec![],
                expected_secs: 60,
                timeout_secs: 600,
            },
        ],
        notes: vec![],
    };
    let runs = opsdeck_runbook::StateDir::new(home.path().join("state")).runs();
    let j = Journal::create(&runs, "gone", None, &plan).expect("journal");
    let at = chrono::Utc::now();
    let mut made = Outputs::new();
    made.insert("snapshot".into(), "snap-0e15ewhere000000".into());
    for e in [
        Entry::StepStarted { at, step: 0 },
        Entry::ActStarted { at, step: 0 },
        Entry::ActDone {
            at,
            step: 0,
            request_id: None,
            outputs: made.clone(),
        },
        Entry::StepFinished {
            at,
            step: 0,
            outputs: made,
        },
        Entry::StepStarted { at, step: 1 },
    ] {
        j.append(&e).expect("append");
    }

    let out = demo(&home, &["runbook", "resume", "gone", "--yes"]);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{said}\n{}", stderr(&out));
    assert!(said.contains("run gone resumed"), "{said}");
    assert!(
        said.contains("wait for snap-0e15ewhere000000"),
        "the title names the output: {said}"
    );
    assert!(said.contains("its resources are gone"), "{said}");
    assert!(said.contains("InvalidSnapshot.NotFound"), "{said}");
    assert!(said.contains("opsdeck runbook rollback gone"), "{said}");
    assert!(said.contains("opsdeck runbook abandon gone"), "{said}");
    assert!(
        !said.contains("opsdeck runbook resume gone"),
        "resuming again cannot help: {said}"
    );
    let r = run_json(&home, "gone");
    assert_eq!(r["status"], "failed");
    assert_eq!(r["resources_gone"], true);
    assert_eq!(r["outputs"]["snapshot"], "snap-0e15ewhere000000");
    let table =
        String::from_utf8_lossy(&opsdeck(&home).args(["runs"]).output().expect("runs").stdout)
            .to_string();
    assert!(
        table.contains("its resources are gone") && !table.contains("runbook resume gone"),
        "{table}"
    );
}
