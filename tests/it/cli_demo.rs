//! `--demo`'s flags as a user types them, on the real binary: `--region` picks among the fleet's
//! regions for every command (and a region the fleet lacks is one line and exit 2), and a
//! `--demo-speed` that is not a positive number is refused rather than silently replaced.

use crate::support;

use serde_json::Value;
use support::cli::{assert_one_line_failure, opsdeck, stderr};

fn demo(home: &tempfile::TempDir, args: &[&str]) -> std::process::Output {
    opsdeck(home)
        .arg("--demo")
        .args(args)
        .output()
        .expect("run opsdeck")
}

fn json(out: &std::process::Output) -> Value {
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(3),
        "exit {:?}: {}",
        out.status.code(),
        stderr(out)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn regions_of(list: &Value) -> Vec<String> {
    let mut r: Vec<String> = list
        .as_array()
        .expect("a list")
        .iter()
        .map(|x| x["region"].as_str().expect("region").to_string())
        .collect();
    r.sort();
    r.dedup();
    r
}

#[test]
fn region_limits_a_demo_inventory_to_that_region() {
    let home = tempfile::tempdir().expect("tempdir");
    let all = json(&demo(
        &home,
        &["inventory", "--format", "json", "--no-metrics"],
    ));
    assert_eq!(
        regions_of(&all["instances"]),
        vec!["eu-west-1", "us-east-1"],
        "without --region: every region of the fleet"
    );
    let eu = json(&demo(
        &home,
        &[
            "--region",
            "eu-west-1",
            "inventory",
            "--format",
            "json",
            "--no-metrics",
        ],
    ));
    assert_eq!(regions_of(&eu["regions"]), vec!["eu-west-1"]);
    for kind in [
        "instances",
        "volumes",
        "load_balancers",
        "target_groups",
        "subnets",
    ] {
        assert!(
            !eu[kind].as_array().expect(kind).is_empty(),
            "{kind} listed in eu-west-1"
        );
        assert_eq!(regions_of(&eu[kind]), vec!["eu-west-1"], "{kind}");
    }
}

#[test]
fn region_limits_a_demo_report_to_that_region() {
    let home = tempfile::tempdir().expect("tempdir");
    // The single-AZ web tier is us-east-1's; eu-west-1 has its own critical finding (worker-1 is
    // the only running worker: batch-1 is stopped). The report over eu-west-1 says only its own.
    let all = demo(&home, &["report", "--format", "json"]);
    assert_eq!(all.status.code(), Some(3), "{}", stderr(&all));
    let eu = demo(
        &home,
        &["--region", "eu-west-1", "report", "--format", "json"],
    );
    assert_eq!(eu.status.code(), Some(3), "{}", stderr(&eu));
    let v = json(&eu);
    let kinds_on = |v: &Value, kind: &str| {
        v["findings"]
            .as_array()
            .map(|a| a.iter().filter(|f| f["kind"] == kind).count())
            .unwrap_or(0)
    };
    assert_eq!(kinds_on(&v, "single-az"), 0, "web-tg is us-east-1's");
    assert!(kinds_on(&json(&all), "single-az") > 0);
    assert!(
        v["findings"]
            .as_array()
            .is_some_and(|a| a.iter().any(|f| f["kind"] == "single-instance"
                && f["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("batch-1) stopped")))),
        "{}",
        v["findings"]
    );
    assert_eq!(v["summary"]["regions"], serde_json::json!(["eu-west-1"]));
    assert!(
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f["region"] == "eu-west-1"),
        "{}",
        v["findings"]
    );
}

#[test]
fn a_region_the_demo_fleet_lacks_is_one_line_and_exit_2() {
    let home = tempfile::tempdir().expect("tempdir");
    for args in [
        &["--region", "mars-north-1", "inventory"][..],
        &[
            "--region",
            "us-east-1",
            "--region",
            "mars-north-1",
            "report",
        ][..],
        // The console refuses before it takes the terminal (there is none here).
        &["--region", "mars-north-1"][..],
    ] {
        let out = demo(&home, args);
        assert_one_line_failure(
            &out,
            2,
            &[
                "mars-north-1",
                "demo fleet `default`",
                "us-east-1, eu-west-1",
            ],
        );
        assert!(out.stdout.is_empty(), "{args:?} printed nothing else");
    }
}

#[test]
fn a_demo_speed_that_is_not_a_positive_number_is_refused() {
    let home = tempfile::tempdir().expect("tempdir");
    for bad in ["0", "-5", "NaN", "inf", "fast"] {
        let out = demo(&home, &[&format!("--demo-speed={bad}"), "inventory"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "--demo-speed {bad}: {err}");
        assert!(
            err.contains("--demo-speed") && err.contains(bad),
            "names the flag and the value: {err}"
        );
        assert!(
            err.contains("positive number") || err.contains("not a number"),
            "says what is wanted: {err}"
        );
        assert!(out.stdout.is_empty(), "--demo-speed {bad}: nothing ran");
    }
    let ok = demo(
        &home,
        &[
            "--demo-speed",
            "0.5",
            "inventory",
            "--format",
            "json",
            "--no-metrics",
        ],
    );
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
}

/// The seeds' story, found: the single-AZ web tier, the lone database and its stale snapshots —
/// and a critical finding makes `report` exit 3 (for cron). web-2's reboot is covered by web-1 in
/// its AZ: no finding of its own (the single-AZ finding is the tier's risk).
#[test]
fn a_demo_report_finds_the_default_fleets_single_points_of_failure() {
    let home = tempfile::tempdir().expect("tempdir");
    let inv = json(&demo(
        &home,
        &["inventory", "--format", "json", "--no-metrics"],
    ));
    let id_of = |name: &str| -> String {
        inv["instances"]
            .as_array()
            .expect("instances")
            .iter()
            .find(|i| i["name"] == name)
            .and_then(|i| i["id"].as_str())
            .unwrap_or_else(|| panic!("{name} in the demo fleet"))
            .to_string()
    };
    let (db1, web2) = (id_of("db-1"), id_of("web-2"));
    let db_volume = inv["volumes"]
        .as_array()
        .expect("volumes")
        .iter()
        .find(|v| {
            v["attachments"][0]["instance_id"] == db1.as_str()
                && v["attachments"][0]["device"] == "/dev/sdf"
        })
        .and_then(|v| v["id"].as_str())
        .expect("db-1's data volume")
        .to_string();

    let out = demo(&home, &["report", "--format", "json"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let findings = report["findings"].as_array().expect("findings");
    let has = |kind: &str, resource: &str| {
        findings.iter().any(|f| {
            f["kind"] == kind
                && f["resources"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|x| x == resource))
        })
    };
    assert!(has("single-az", "web-tg"), "{findings:#?}");
    assert!(has("single-instance", &db1), "{findings:#?}");
    assert!(has("no-recent-snapshot", &db_volume), "{findings:#?}");
    assert!(!has("unprotected-scheduled-event", &web2), "{findings:#?}");
    assert!(
        findings
            .iter()
            .filter(|f| f["severity"] == "critical")
            .all(|f| f["fix"]
                .as_str()
                .is_some_and(|c| c.starts_with("opsdeck runbook "))),
        "every critical finding names the runbook that fixes it: {findings:#?}"
    );
}
