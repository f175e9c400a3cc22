//! Two processes, one pool: the capacity guard of each sees a fleet the other is draining, so each
//! run leases what it takes capacity from. Two `rolling-maintenance --yes` started together for the
//! two web instances of one AZ, sharing a state dir: one runs, the other is refused before it
//! changes anything (exit 2), naming the holder's run, and the AZ never loses both.

use crate::support;

use serde_json::json;
use support::cli::{opsdeck_on_moto, stderr};
use support::moto;

#[tokio::test]
async fn two_runs_for_one_pool_one_runs_and_the_other_is_refused_naming_the_holder() {
    let (_g, seed) = moto::seeded_with(&["--web-deregistration-delay", "3"]).await;
    moto::control(
        "/_plus/config",
        json!({ "drain": true, "initial_seconds": 1 }),
    );
    let home = tempfile::tempdir().expect("tempdir");
    let web1 = moto::id(&seed, &["instances", "web-1"]);
    let web2 = moto::id(&seed, &["instances", "web-2"]);
    let spawn = |id: &str| {
        opsdeck_on_moto(&home)
            .args([
                "runbook",
                "rolling-maintenance",
                "--instance",
                id,
                "--floor-per-az",
                "1",
                "--yes",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn opsdeck")
    };
    moto::clear_requests();
    let (a, b) = (spawn(&web1), spawn(&web2));
    let (a, b) = (
        a.wait_with_output().expect("first"),
        b.wait_with_output().expect("second"),
    );
    let codes = [a.status.code(), b.status.code()];
    assert!(
        codes.contains(&Some(0)) && codes.contains(&Some(2)),
        "one ran, one was refused: {codes:?}\n{}\n{}",
        stderr(&a),
        stderr(&b)
    );
    let refused = if a.status.code() == Some(2) { &a } else { &b };
    let ran = if a.status.code() == Some(0) { &a } else { &b };
    let why = stderr(refused);
    assert!(why.contains("is held by run"), "{why}");
    let ran_id = String::from_utf8_lossy(&ran.stdout)
        .lines()
        .find_map(|l| {
            l.strip_prefix("run ")
                .map(|r| r.split_whitespace().next().unwrap_or("").to_string())
        })
        .expect("the run's id");
    assert!(
        why.contains(&ran_id),
        "the refusal names the holder's run {ran_id}: {why}"
    );
    // The refused one changed nothing: exactly one instance was taken out and back.
    assert_eq!(support::calls::moto_made("DeregisterTargets"), 1);
}
