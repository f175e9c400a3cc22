//! `opsdeck report` against moto: findings, blast radius, and the exit code cron relies on.

use crate::support;

use serde_json::Value;
use support::moto;

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
