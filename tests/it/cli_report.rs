//! `opsdeck report` against moto: findings, blast radius, and the exit code cron relies on.

use crate::support;

use serde_json::Value;
use support::moto;

/// `report --format json` with `args`: (exit code, the JSON, stderr).
fn report(args: &[&str]) -> (Option<i32>, Value, String) {
    let home = tempfile::tempdir().expect("tempdir");
    let out = support::cli::opsdeck_on_moto(&home)
        .args(["report", "--format", "json"])
        .args(args)
        .output()
        .expect("run opsdeck report");
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code(),
        v,
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn kinds(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["kind"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn the_seeded_fleet_has_critical_findings_and_exits_3() {
    let (_g, seed) = moto::seeded().await;
    let (code, v, err) = report(&[]);
    assert_eq!(code, Some(3), "critical findings exit 3; stderr: {err}");
    let k = kinds(&v);
    for want in ["single-az", "single-instance"] {
        assert!(k.iter().any(|x| x == want), "{want} in {k:?}");
    }
    assert!(
        !k.iter().any(|x| x == "no-recent-snapshot"),
        "snapshots were just taken: {k:?}"
    );
    for f in v["findings"].as_array().expect("findings") {
        assert!(f["kind"].is_string() && f["severity"].is_string() && f["message"].is_string());
        assert!(f["resources"].as_array().is_some_and(|r| !r.is_empty()));
        assert!(f.get("fix").is_some());
    }
    let web2 = moto::id(&seed, &["instances", "web-2"]);
    // web-2's reboot takes one of web-tg's two healthy targets in us-east-1a, its own AZ: web-1
    // carries it, so no event finding (never "no healthy target in us-east-1b", where web-tg has
    // no target at all).
    let findings = v["findings"].as_array().expect("findings");
    assert!(
        !findings
            .iter()
            .any(|f| f["kind"] == "unprotected-scheduled-event"
                && f["resources"][0] == Value::String(web2.clone())),
        "{findings:#?}"
    );
    assert!(
        !findings.iter().any(|f| f["message"]
            .as_str()
            .is_some_and(|m| m.contains("no healthy target in us-east-1b"))),
        "{findings:#?}"
    );
    let zones = v["blast_radius"].as_array().expect("blast radius");
    let a = zones
        .iter()
        .find(|z| z["az"] == "us-east-1a")
        .expect("us-east-1a");
    assert!(
        a["groups_down"]
            .as_array()
            .is_some_and(|g| g.iter().any(|n| n == "web-tg")),
        "{a}"
    );
    assert_eq!(v["summary"]["counts"]["instances"], 4);
    assert_eq!(
        v["incomplete"],
        serde_json::json!([]),
        "everything was read"
    );
}

#[tokio::test]
async fn snapshot_age_limit_is_an_argument() {
    let (_g, _seed) = moto::seeded().await;
    let (_, v, err) = report(&["--max-snapshot-age", "0"]);
    assert!(
        kinds(&v).iter().any(|k| k == "no-recent-snapshot"),
        "{:?}\n{err}",
        kinds(&v)
    );
}

#[tokio::test]
async fn an_empty_account_is_clean_and_exits_0() {
    let _g = moto::fresh().await;
    let (code, v, err) = report(&[]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(0));
}

/// A fault rule that denies `action` (of any service) as AWS does.
fn denied(action: &str) -> Value {
    serde_json::json!({
        "service": "*", "action": action, "error_code": "UnauthorizedOperation", "status": 403
    })
}

/// `incomplete`'s entries as (region, kind, call, code, http status).
fn unread(v: &Value) -> Vec<(String, String, String, String, u64)> {
    let s = |x: &Value| x.as_str().unwrap_or("<none>").to_string();
    v["incomplete"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|u| {
                    (
                        s(&u["region"]),
                        s(&u["kind"]),
                        s(&u["call"]),
                        s(&u["code"]),
                        u["http_status"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn denied_entry(kind: &str, call: &str) -> (String, String, String, String, u64) {
    (
        "us-east-1".into(),
        kind.into(),
        call.into(),
        "UnauthorizedOperation".into(),
        403,
    )
}

/// CloudWatch and DescribeVolumeStatus denied: the report is incomplete (exit 4) and names both
/// kinds with their calls and AWS's code, in the JSON and on stderr, not just the first; what it
/// could read is still there.
#[tokio::test]
async fn every_kind_it_could_not_read_is_named_and_it_exits_4() {
    let (_g, _seed) = moto::seeded().await;
    moto::set_faults(serde_json::json!([
        denied("GetMetricData"),
        denied("DescribeVolumeStatus")
    ]));
    let (code, v, err) = report(&[]);
    let home = tempfile::tempdir().expect("tempdir");
    let table = support::cli::opsdeck_on_moto(&home)
        .arg("report")
        .output()
        .expect("run opsdeck report");
    moto::clear_faults();

    assert_eq!(code, Some(4), "incomplete: exit 4; stderr: {err}");
    let mut got = unread(&v);
    got.sort();
    assert_eq!(
        got,
        [
            denied_entry("metrics", "cloudwatch:GetMetricData"),
            denied_entry("volume_events", "ec2:DescribeVolumeStatus"),
        ],
        "{}",
        v["incomplete"]
    );
    assert_eq!(
        v["summary"]["counts"]["instances"], 4,
        "what it read is kept"
    );
    for call in ["cloudwatch:GetMetricData", "ec2:DescribeVolumeStatus"] {
        assert!(
            err.lines()
                .any(|l| l.contains(call) && l.contains("UnauthorizedOperation")),
            "stderr names {call} with its code: {err}"
        );
    }

    let table_err = support::cli::stderr(&table);
    assert_eq!(
        table.status.code(),
        Some(4),
        "table too; stderr: {table_err}"
    );
    for (kind, call) in [
        ("metrics", "cloudwatch:GetMetricData"),
        ("volume_events", "ec2:DescribeVolumeStatus"),
    ] {
        assert!(
            table_err.lines().any(|l| l.contains(kind)
                && l.contains(call)
                && l.contains("HTTP 403 UnauthorizedOperation")),
            "the table's stderr names {kind} with {call} and its code: {table_err}"
        );
    }
    let stdout = String::from_utf8_lossy(&table.stdout);
    assert!(
        stdout.contains("INCOMPLETE")
            && stdout.contains("metrics")
            && stdout.contains("volume_events"),
        "the table itself says it is incomplete:\n{stdout}"
    );
}

/// A critical finding with one kind unread still exits 4: an incomplete report cannot vouch for
/// itself, whatever it found.
#[tokio::test]
async fn incomplete_wins_over_a_critical_finding() {
    let (_g, _seed) = moto::seeded().await;
    moto::set_faults(serde_json::json!([denied("DescribeAutoScalingGroups")]));
    let (code, v, err) = report(&[]);
    moto::clear_faults();
    let critical = v["findings"]
        .as_array()
        .is_some_and(|a| a.iter().any(|f| f["severity"] == "critical"));
    assert!(
        critical,
        "the seeded fleet has a critical finding: {}",
        v["findings"]
    );
    assert_eq!(code, Some(4), "4, not 3; stderr: {err}");
    assert_eq!(
        unread(&v),
        [denied_entry(
            "auto_scaling_groups",
            "autoscaling:DescribeAutoScalingGroups"
        )],
        "{}",
        v["incomplete"]
    );
}
