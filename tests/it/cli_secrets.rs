//! Credentials never reach the state dir nor the terminal: real headless runbooks against moto,
//! signed with marker credentials (from the environment, then from a profile in a shared
//! credentials file), every log level raised as far as `OPSDECK_LOG` can raise it; then every file
//! opsdeck left under its HOME (journals, audit log, leases, locks, the log) and everything each
//! process printed are searched for the secret access key, the session token and the key id.
//!
//! moto's request log proves the markers were in use: every request of each process was signed
//! with the marker key id and carried the marker session token.

use crate::support;

use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output};
use support::cli::{opsdeck, stderr};
use support::moto;

/// What one set of credentials is made of. Shaped like real ones (a 20-character key id, a
/// 40-character secret with `/` and `+`), each with a distinctive part that survives quoting.
struct Marker {
    key_id: &'static str,
    secret: &'static str,
    token: &'static str,
    /// Fragments that must not appear either (a secret shown cut, or escaped).
    fragments: [&'static str; 2],
}

const FROM_ENV: Marker = Marker {
    key_id: "AKIAOPSDECKENVMARK3R",
    secret: "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",
    token: "envTOKENmarker//IQoJb3JpZ2luX2VjEBAaCXVzLWVhc3QtMSJHMEUCIQD+opsdeck==",
    fragments: ["envSECRETmarker", "envTOKENmarker"],
};

const FROM_PROFILE: Marker = Marker {
    key_id: "AKIAOPSDECKPROFMARK3",
    secret: "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",
    token: "profTOKENmarker//FwoGZXIvYXdzEBYaDH+opsdeck==",
    fragments: ["profSECRETmarker", "profTOKENmarker"],
};

/// Every target the SDK, the HTTP stack or opsdeck log under, at trace: the docs promise only
/// opsdeck's own targets follow `OPSDECK_LOG` and none of them logs credentials.
const LOUDEST: &str = "trace,aws_config=trace,aws_sigv4=trace,aws_runtime=trace,\
aws_smithy_runtime=trace,aws_smithy_runtime_api=trace,aws_smithy_http=trace,\
aws_credential_types=trace,hyper=trace,hyper_util=trace,rustls=trace";

/// The binary at moto's endpoint with its log as loud as it goes and no credentials yet.
fn loud(home: &tempfile::TempDir) -> Command {
    let mut c = opsdeck(home);
    c.env("OPSDECK_LOG", LOUDEST)
        .args(["--region", "us-east-1", "--endpoint-url", &moto::url()]);
    c
}

fn with_env_markers(home: &tempfile::TempDir) -> Command {
    let mut c = loud(home);
    c.env("AWS_ACCESS_KEY_ID", FROM_ENV.key_id)
        .env("AWS_SECRET_ACCESS_KEY", FROM_ENV.secret)
        .env("AWS_SESSION_TOKEN", FROM_ENV.token);
    c
}

/// Runs `c`, expects exit `code`, and checks from moto's request log that every request it made
/// was signed with `m`'s key id and carried its session token, and that it made `call` for real.
fn run_signed_by(c: &mut Command, m: &Marker, code: i32, call: &str, outputs: &mut Vec<Output>) {
    moto::clear_requests();
    let out = c.output().expect("run opsdeck");
    assert_eq!(
        out.status.code(),
        Some(code),
        "{:?}\n{}\n{}",
        c.get_args().collect::<Vec<_>>(),
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
    let requests = moto::requests();
    assert!(!requests.is_empty(), "it reached moto");
    for r in &requests {
        assert_eq!(
            (r.access_key.as_deref(), r.session_token.as_deref()),
            (Some(m.key_id), Some(m.token)),
            "{} was signed with the marker credentials",
            r.action
        );
    }
    assert!(
        requests.iter().any(|r| r.action == call && !r.dry_run),
        "{call} was made with them: {:?}",
        requests.iter().map(|r| &r.action).collect::<Vec<_>>()
    );
    outputs.push(out);
}

/// Every file under `dir`, recursively, with its bytes.
fn files_under(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let bytes = std::fs::read(&p).expect("read");
                found.push((p, bytes));
            }
        }
    }
    found
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// None of `m`'s parts in any file under `home` nor in any output.
fn assert_nowhere(m: &Marker, home: &Path, outputs: &[Output]) {
    let files = files_under(home);
    let mut needles = vec![m.secret, m.token, m.key_id];
    needles.extend(m.fragments);
    for needle in &needles {
        for (path, bytes) in &files {
            assert!(
                !contains(bytes, needle),
                "{needle:?} is in {}:\n{}",
                path.display(),
                String::from_utf8_lossy(bytes)
            );
        }
        for o in outputs {
            assert!(
                !contains(&o.stdout, needle) && !contains(&o.stderr, needle),
                "{needle:?} was printed"
            );
        }
    }
}

#[tokio::test]
async fn marker_credentials_never_reach_the_state_dir_nor_the_output() {
    let (_g, seed) = moto::seeded_with(&["--web-deregistration-delay", "1"]).await;
    moto::control(
        "/_plus/config",
        json!({ "drain": true, "initial_seconds": 1 }),
    );
    let db1 = moto::id(&seed, &["instances", "db-1"]);
    let web1 = moto::id(&seed, &["instances", "web-1"]);
    let home = tempfile::tempdir().expect("tempdir");
    let mut outputs = Vec::new();

    // Credentials from the environment: a snapshot, rolling maintenance of web-tg, and a
    // remove-spof that fails at its launch (after its image), then the listings.
    run_signed_by(
        with_env_markers(&home).args(["runbook", "snapshot", "--instance", &db1, "--yes"]),
        &FROM_ENV,
        0,
        "CreateSnapshots",
        &mut outputs,
    );
    run_signed_by(
        with_env_markers(&home).args([
            "runbook",
            "rolling-maintenance",
            "--target-group",
            "web-tg",
            "--yes",
        ]),
        &FROM_ENV,
        0,
        "RegisterTargets",
        &mut outputs,
    );
    moto::set_faults(json!([{
        "action": "RunInstances",
        "error_code": "UnauthorizedOperation",
        "message": "You are not authorized to perform this operation."
    }]));
    run_signed_by(
        with_env_markers(&home).args(["runbook", "remove-spof", "--instance", &web1, "--yes"]),
        &FROM_ENV,
        1,
        "CreateImage",
        &mut outputs,
    );
    moto::clear_faults();
    assert!(
        moto::requests().iter().any(|r| r.action == "RunInstances"),
        "the failing call was tried"
    );
    let failed = outputs.last().expect("output");
    assert!(
        stderr(failed).contains("UnauthorizedOperation")
            || String::from_utf8_lossy(&failed.stdout).contains("UnauthorizedOperation"),
        "it failed where it was made to: {}",
        stderr(failed)
    );
    run_signed_by(
        with_env_markers(&home).args(["inventory", "--format", "json", "--no-metrics"]),
        &FROM_ENV,
        0,
        "DescribeInstances",
        &mut outputs,
    );
    let runs = with_env_markers(&home)
        .args(["runs", "--format", "json"])
        .output()
        .expect("runs");
    let listed: Value = serde_json::from_slice(&runs.stdout).expect("runs json");
    let statuses: Vec<&str> = listed
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|r| r["status"].as_str())
        .collect();
    assert_eq!(statuses.len(), 3, "three runs journaled: {listed}");
    assert!(statuses.contains(&"failed"), "{listed}");
    outputs.push(runs);

    // The state dir holds what the runs wrote: the markers cannot be absent for want of files.
    let state = home.path().join("state");
    for f in ["audit.jsonl", "opsdeck.log"] {
        let len = std::fs::metadata(state.join(f))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(len > 0, "{f} was written");
    }
    assert_eq!(
        std::fs::read_dir(state.join("runs"))
            .expect("runs dir")
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "jsonl"))
            .count(),
        3,
        "three journals"
    );
    assert_nowhere(&FROM_ENV, home.path(), &outputs);

    // Credentials from a profile in a shared credentials file (and its config file), chosen with
    // --profile, written to the same state dir.
    let aws = tempfile::tempdir().expect("tempdir");
    let credentials = aws.path().join("credentials");
    std::fs::write(
        &credentials,
        format!(
            "[marker]\naws_access_key_id = {}\naws_secret_access_key = {}\naws_session_token = {}\n",
            FROM_PROFILE.key_id, FROM_PROFILE.secret, FROM_PROFILE.token
        ),
    )
    .expect("credentials file");
    let config = aws.path().join("config");
    std::fs::write(&config, "[profile marker]\nregion = us-east-1\n").expect("config file");
    let from_profile = || {
        let mut c = loud(&home);
        c.env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
            .env("AWS_CONFIG_FILE", &config)
            .args(["--profile", "marker"]);
        c
    };
    let mut profile_outputs = Vec::new();
    run_signed_by(
        from_profile().args(["runbook", "snapshot", "--instance", &db1, "--yes"]),
        &FROM_PROFILE,
        0,
        "CreateSnapshots",
        &mut profile_outputs,
    );
    let audit = std::fs::read_to_string(state.join("audit.jsonl")).expect("audit");
    assert!(
        audit.lines().any(|l| l.contains("\"profile\":\"marker\"")),
        "the profile's run is audited under its name"
    );
    assert_nowhere(&FROM_PROFILE, home.path(), &profile_outputs);
    assert_nowhere(&FROM_ENV, home.path(), &profile_outputs);
}
