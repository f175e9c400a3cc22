//! `opsdeck inventory` as a user runs it: the real binary, against moto, with its exit codes.

use crate::support;

use serde_json::{Value, json};
use support::cli::{
    assert_one_line_failure, assert_success, opsdeck, opsdeck_on_moto, opsdeck_with_keys, stderr,
};
use support::moto;

/// A config file with a single attempt per call, so failing cases fail fast.
fn one_attempt(home: &tempfile::TempDir) -> String {
    let p = home.path().join("fast.toml");
    std::fs::write(&p, "[aws]\nmax_attempts = 1\nconnect_timeout_seconds = 2\n")
        .expect("write config");
    p.display().to_string()
}

/// `opsdeck inventory` in us-east-1 at `endpoint`, one attempt per call (`one_attempt`), with `more`
/// arguments; `keys`: with moto's static keys, else with no credentials at all.
fn inventory_once(keys: bool, endpoint: &str, more: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().expect("tempdir");
    let cfg = one_attempt(&home);
    let mut cmd = if keys {
        opsdeck_with_keys(&home)
    } else {
        opsdeck(&home)
    };
    cmd.args(["inventory", "--config", &cfg])
        .args(more)
        .args(["--region", "us-east-1", "--endpoint-url", endpoint])
        .output()
        .expect("run opsdeck")
}

#[tokio::test]
async fn json_inventory_has_a_list_per_kind_with_snake_case_fields() {
    let (_g, seed) = moto::seeded().await;
    let home = tempfile::tempdir().expect("tempdir");
    let out = opsdeck_on_moto(&home)
        .args(["inventory", "--format", "json"])
        .output()
        .expect("run opsdeck");
    assert_success(&out);
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    for key in [
        "instances",
        "volumes",
        "snapshots",
        "images",
        "load_balancers",
        "target_groups",
        "target_health",
        "elastic_ips",
        "network_interfaces",
        "events",
        "metrics",
        "alarms",
        "availability_zones",
        "subnets",
    ] {
        assert!(v[key].is_array(), "key {key} is a list");
    }
    assert_eq!(v["instances"].as_array().map(Vec::len), Some(4));
    let web2 = moto::id(&seed, &["instances", "web-2"]);
    let events = v["events"].as_array().expect("events");
    assert!(
        events
            .iter()
            .any(|e| e["resource_id"] == json!(web2) && e["code"] == json!("system-reboot"))
    );
    let th = v["target_health"].as_array().expect("target_health");
    assert!(
        th.iter()
            .all(|t| t["az"].is_string() && t["state"].is_string()),
        "every target has its AZ and state"
    );
    assert!(
        v["metrics"]
            .as_array()
            .is_some_and(|m| m.iter().any(|s| s["metric"] == json!("CPUUtilization")))
    );
    assert_eq!(v["regions"][0]["error"], Value::Null);
}

#[tokio::test]
async fn table_inventory_shows_every_section() {
    let (_g, _seed) = moto::seeded().await;
    let home = tempfile::tempdir().expect("tempdir");
    let out = opsdeck_on_moto(&home)
        .args(["inventory"])
        .output()
        .expect("run opsdeck");
    assert_success(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    for section in [
        "== Instances (4)",
        "== Volumes",
        "== Target groups (2)",
        "== Scheduled events (1)",
        "== Alarms (1)",
    ] {
        assert!(text.contains(section), "missing {section} in:\n{text}");
    }
    assert!(
        text.contains("web-tg") && text.contains("us-east-1a:2/2"),
        "per-AZ health summary:\n{text}"
    );
}

#[test]
fn unreachable_endpoint_exits_non_zero_with_one_line() {
    // Port 9 on loopback: nothing listens there.
    let out = inventory_once(true, "http://127.0.0.1:9", &[]);
    assert_one_line_failure(&out, 1, &["endpoint unreachable"]);
}

#[test]
fn missing_credentials_exit_non_zero_with_one_line() {
    let out = inventory_once(false, "http://127.0.0.1:9", &[]);
    assert_one_line_failure(&out, 1, &["credentials"]);
}

#[test]
fn unknown_profile_is_a_usage_error_naming_it() {
    let out = inventory_once(
        false,
        "http://127.0.0.1:9",
        &["--profile", "no-such-profile"],
    );
    assert_one_line_failure(&out, 2, &["no-such-profile"]);
}

#[test]
fn no_region_anywhere_is_a_clear_error() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = opsdeck_with_keys(&home)
        .args(["inventory"])
        .output()
        .expect("run opsdeck");
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("no AWS region configured"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn access_denied_exits_non_zero_with_plain_words() {
    let (_g, _seed) = moto::seeded().await;
    moto::set_faults(
        json!([{ "service": "*", "action": "*", "error_code": "UnauthorizedOperation", "status": 403 }]),
    );
    let out = inventory_once(true, &moto::url(), &[]);
    moto::clear_faults();
    assert_one_line_failure(&out, 1, &["not permitted", "UnauthorizedOperation"]);
}

#[test]
fn malformed_config_is_reported_with_its_position() {
    let home = tempfile::tempdir().expect("tempdir");
    let p = home.path().join("bad.toml");
    std::fs::write(&p, "[ui]\nrefresh_seconds = = 3\n").expect("write");
    let out = opsdeck_with_keys(&home)
        .args([
            "inventory",
            "--config",
            &p.display().to_string(),
            "--region",
            "us-east-1",
        ])
        .output()
        .expect("run opsdeck");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bad.toml") && err.contains("line 2"), "{err}");
}

#[tokio::test]
async fn credentials_never_reach_the_log_even_at_trace() {
    let (_g, _seed) = moto::seeded().await;
    let home = tempfile::tempdir().expect("tempdir");
    // moto accepts any keys; these markers would be easy to spot in the log.
    let (key, secret, token) = (
        "AKIAMARKERKEYNOTINLOG",
        "marker-secret-never-in-a-log",
        "marker-session-token-never-in-a-log",
    );
    let out = opsdeck(&home)
        .env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_SESSION_TOKEN", token)
        .env("OPSDECK_LOG", "trace")
        .args([
            "inventory",
            "--format",
            "json",
            "--region",
            "us-east-1",
            "--endpoint-url",
            &moto::url(),
        ])
        .output()
        .expect("run opsdeck");
    assert_success(&out);
    let log_path = home.path().join("state/opsdeck.log");
    let log = std::fs::read_to_string(&log_path)
        .unwrap_or_else(|e| panic!("the log file {} exists: {e}", log_path.display()));
    // Logging was on (opsdeck's own lines are there); the SDK's, which would name the key at
    // trace, are held at warn.
    assert!(
        log.contains("inventory fetched"),
        "trace logging wrote the run's details:\n{log}"
    );
    let leaks: Vec<String> = [key, secret, token]
        .iter()
        .filter_map(|marker| {
            let hits: Vec<&str> = log.lines().filter(|l| l.contains(marker)).collect();
            hits.first()
                .map(|first| format!("{marker} in {} lines, e.g.: {first}", hits.len()))
        })
        .collect();
    assert!(
        leaks.is_empty(),
        "credentials in the log:\n{}",
        leaks.join("\n")
    );
}
