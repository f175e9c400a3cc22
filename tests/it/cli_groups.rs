//! Auto Scaling groups as an operator meets them, the real binary against moto (through the front,
//! which models AWS where moto cuts corners: see `support/moto_front_asg.py`): the inventory lists
//! each group with its members, `report` names a single-AZ group with a fix on the group, and the
//! runbooks work with the group: remove-spof widens it (no RunInstances of opsdeck's own) and
//! rolling maintenance takes a member out through Standby and back.

use crate::support;

use serde_json::{Value, json};
use support::cli::{opsdeck_with_keys, stderr};
use support::moto;

fn run(home: &tempfile::TempDir, args: &[&str]) -> std::process::Output {
    opsdeck_with_keys(home)
        .args(["--region", "us-east-1", "--endpoint-url", &moto::url()])
        .args(args)
        .output()
        .expect("run opsdeck")
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// Two groups: `api` (two members, one subnet: single-AZ) and `wide` (four over two AZs).
async fn seeded() -> (moto::Guard, Value) {
    moto::seeded_with(&["--group", "api:a:2", "--group", "wide:ab:4"]).await
}

#[tokio::test]
async fn the_json_inventory_lists_each_group_with_its_members() {
    let (_g, seed) = seeded().await;
    let home = tempfile::tempdir().expect("tempdir");
    let out = run(&home, &["inventory", "--format", "json", "--no-metrics"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let groups = v["auto_scaling_groups"]
        .as_array()
        .expect("a list of groups");
    assert_eq!(groups.len(), 2);
    for name in ["api", "wide"] {
        let g = groups
            .iter()
            .find(|g| g["name"] == name)
            .unwrap_or_else(|| panic!("{name} listed"));
        let mut members: Vec<&str> = g["members"]
            .as_array()
            .expect("members")
            .iter()
            .filter_map(|m| m["instance_id"].as_str())
            .collect();
        members.sort();
        let seeded: Vec<String> = seed["groups"][name]["members"]
            .as_array()
            .expect("seeded members")
            .iter()
            .filter_map(|m| m.as_str().map(String::from))
            .collect();
        assert_eq!(members, seeded, "{name}");
        assert_eq!(g["desired_capacity"], json!(members.len()));
        assert_eq!(
            g["members"][0]["lifecycle_state"], "InService",
            "AWS's spelling"
        );
    }
    // The front balanced `wide` over its two AZs, as AWS does (moto alone puts all four in one).
    let wide = groups.iter().find(|g| g["name"] == "wide").expect("wide");
    let azs: Vec<&str> = wide["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(|m| m["az"].as_str())
        .collect();
    assert_eq!(
        azs.iter().filter(|a| **a == "us-east-1a").count(),
        2,
        "{azs:?}"
    );
}

#[tokio::test]
async fn report_names_the_single_az_group_and_fixes_the_group() {
    let (_g, seed) = seeded().await;
    let home = tempfile::tempdir().expect("tempdir");
    let out = run(&home, &["report", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let findings = v["findings"].as_array().expect("findings");
    let api: Vec<&Value> = findings
        .iter()
        .filter(|f| f["kind"] == "single-az" && f["resources"][0] == "api")
        .collect();
    assert_eq!(api.len(), 1, "{findings:#?}");
    assert!(
        api[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("us-east-1a")
    );
    assert_eq!(api[0]["fix"], "opsdeck runbook remove-spof --group api");
    assert!(
        !findings.iter().any(|f| f["resources"][0] == "wide"
            && matches!(f["kind"].as_str(), Some("single-az" | "single-instance"))),
        "a group over two AZs is no SPOF: {findings:#?}"
    );
    // No finding proposes cloning a member of a group.
    for f in findings {
        let fix = f["fix"].as_str().unwrap_or_default();
        if let Some(id) = fix.strip_prefix("opsdeck runbook remove-spof --instance ") {
            assert!(
                !seeded_member(&seed, id),
                "a clone of group member {id} proposed: {f}"
            );
        }
    }
    // The blast radius says what the zone takes from each group and where it can relaunch.
    let zone = v["blast_radius"]
        .as_array()
        .expect("blast radius")
        .iter()
        .find(|z| z["az"] == "us-east-1a")
        .expect("us-east-1a");
    let api_loss = zone["auto_scaling"]
        .as_array()
        .expect("auto_scaling")
        .iter()
        .find(|g| g["group"] == "api")
        .expect("api loses members");
    assert_eq!(api_loss["in_service_after"], 0, "{api_loss}");
    assert_eq!(api_loss["relaunch_in"], serde_json::json!([]), "{api_loss}");
    let text = stdout(&run(&home, &["report"]));
    assert!(
        text.lines().any(|l| l.starts_with("us-east-1a")
            && l.contains("group api ")
            && l.contains("->0 in service, nowhere to relaunch")),
        "{text}"
    );
}

fn seeded_member(seed: &Value, id: &str) -> bool {
    ["api", "wide"].iter().any(|g| {
        seed["groups"][g]["members"]
            .as_array()
            .is_some_and(|m| m.iter().any(|x| x == id))
    })
}

#[tokio::test]
async fn remove_spof_on_a_member_widens_its_group_without_launching_anything_itself() {
    let (_g, seed) = seeded().await;
    let member = seed["groups"]["api"]["members"][0]
        .as_str()
        .expect("a member")
        .to_string();
    let home = tempfile::tempdir().expect("tempdir");
    moto::clear_requests();
    let out = run(
        &home,
        &["runbook", "remove-spof", "--instance", &member, "--yes"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("widened instead of cloning"),
        "{}",
        stdout(&out)
    );
    let calls = moto::requests();
    assert!(
        !calls
            .iter()
            .any(|c| c.action == "RunInstances" || c.action == "CreateImage"),
        "opsdeck launched something itself: {calls:?}"
    );
    assert!(calls.iter().any(|c| c.action == "UpdateAutoScalingGroup"));
    let inv = run(&home, &["inventory", "--format", "json", "--no-metrics"]);
    let v: Value = serde_json::from_slice(&inv.stdout).expect("json");
    let api = v["auto_scaling_groups"]
        .as_array()
        .and_then(|a| a.iter().find(|g| g["name"] == "api"))
        .expect("api")
        .clone();
    let mut azs: Vec<&str> = api["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter(|m| m["lifecycle_state"] == "InService")
        .filter_map(|m| m["az"].as_str())
        .collect();
    azs.sort();
    azs.dedup();
    assert_eq!(azs, vec!["us-east-1a", "us-east-1b"], "{api:#}");
    assert_eq!(api["subnet_ids"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn rolling_maintenance_of_a_member_goes_through_standby() {
    let (_g, seed) = seeded().await;
    let member = seed["groups"]["wide"]["members"][0]
        .as_str()
        .expect("a member")
        .to_string();
    let home = tempfile::tempdir().expect("tempdir");
    moto::clear_requests();
    let out = run(
        &home,
        &[
            "runbook",
            "rolling-maintenance",
            "--instance",
            &member,
            "--yes",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let calls: Vec<String> = moto::requests()
        .into_iter()
        .filter(|c| !c.faulted)
        .map(|c| c.action)
        .collect();
    let pos = |a: &str| {
        calls
            .iter()
            .rposition(|c| c == a)
            .unwrap_or_else(|| panic!("{a} was called: {calls:?}"))
    };
    assert!(pos("EnterStandby") < pos("RebootInstances"), "{calls:?}");
    assert!(pos("RebootInstances") < pos("ExitStandby"), "{calls:?}");
    assert!(
        !calls
            .iter()
            .any(|c| c == "DeregisterTargets" || c == "StopInstances"),
        "Standby does the draining; nothing is stopped outside it: {calls:?}"
    );
}
