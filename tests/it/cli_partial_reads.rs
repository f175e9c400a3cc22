//! A runbook plans when what it needs was read, whatever else could not be (issue 17): against
//! moto with calls denied through the test front, the real binary plans a snapshot with volume
//! status denied (a note says what was not checked), and refuses rolling maintenance with target
//! health denied, naming the call, while a snapshot still plans.

use crate::support;

use serde_json::Value;
use support::moto;

fn denied(action: &str) -> Value {
    serde_json::json!({
        "service": "*", "action": action, "error_code": "UnauthorizedOperation", "status": 403
    })
}

/// `opsdeck runbook <args> --plan --format json` against moto: (exit code, plan JSON, stderr).
fn plan(args: &[&str]) -> (Option<i32>, Value, String) {
    let home = tempfile::tempdir().expect("tempdir");
    let out = support::cli::opsdeck_on_moto(&home)
        .arg("runbook")
        .args(args)
        .args(["--plan", "--format", "json"])
        .output()
        .expect("run opsdeck");
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[tokio::test]
async fn a_runbook_plans_when_what_it_needs_was_read() {
    let (_g, seed) = moto::seeded().await;
    let web1 = moto::id(&seed, &["instances", "web-1"]);

    // Volume status is no snapshot's business: the plan is made, and says what was not checked.
    moto::set_faults(serde_json::json!([denied("DescribeVolumeStatus")]));
    let (code, p, err) = plan(&["snapshot", "--instance", &web1]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(p["runbook"], "snapshot", "{p}");
    let notes = p["notes"].to_string();
    assert!(
        notes.contains("not checked") && notes.contains("ec2:DescribeVolumeStatus"),
        "{notes}"
    );

    // Target health is what rolling maintenance's guard stands on: refused, naming the call.
    moto::set_faults(serde_json::json!([denied("DescribeTargetHealth")]));
    let (code, _, err) = plan(&["rolling-maintenance", "--target-group", "web-tg"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("target_health") && err.contains("DescribeTargetHealth"),
        "{err}"
    );
    // ...while a snapshot, which needs no target, still plans.
    let (code, _, err) = plan(&["snapshot", "--instance", &web1]);
    assert_eq!(code, Some(0), "{err}");
    moto::clear_faults();
}
