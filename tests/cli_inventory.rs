//! `opsdeck inventory` as a user runs it: the real binary, against moto, with its exit codes.

mod support;

use serde_json::{Value, json};
use std::process::{Command, Output};
use support::moto;

/// The binary in a clean environment: no AWS variables from the caller, an empty HOME (no
/// ~/.aws), state and config in a temp dir, IMDS off (no 1 s probes of a metadata endpoint).
fn opsdeck(home: &tempfile::TempDir) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_opsdeck"));
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_") {
            c.env_remove(k);
        }
    }
    c.env("HOME", home.path())
        .env("OPSDECK_STATE_DIR", home.path().join("state"))
        .env("OPSDECK_CONFIG_DIR", home.path().join("config"))
        .env("AWS_EC2_METADATA_DISABLED", "true");
    c
}

/// A config file with a single attempt per call, so failing cases fail fast.
fn one_attempt(home: &tempfile::TempDir) -> String {
    let p = home.path().join("fast.toml");
    std::fs::write(&p, "[aws]\nmax_attempts = 1\nconnect_timeout_seconds = 2\n")
        .expect("write config");
    p.display().to_string()
}

fn with_keys(c: &mut Command) -> &mut Command {
    c.env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[tokio::test]
async fn json_inventory_has_a_list_per_kind_with_snake_case_fields() {
    let (_g, seed) = moto::seeded().await;
    let home = tempfile::tempdir().expect("tempdir");
    let out = with_keys(&mut opsdeck(&home))
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
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        stderr(&out)
    );
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
    let out = with_keys(&mut opsdeck(&home))
        .args([
            "inventory",
            "--region",
            "us-east-1",
            "--endpoint-url",
            &moto::url(),
        ])
        .output()
        .expect("run opsdeck");
    assert!(out.status.success(), "{}", stderr(&out));
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
    let home = tempfile::tempdir().expect("tempdir");
    let cfg = one_attempt(&home);
    // Port 9 on loopback: nothing listens there.
    let out = with_keys(&mut opsdeck(&home))
        .args([
            "inventory",
            "--config",
            &cfg,
            "--region",
            "us-east-1",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ])
        .output()
        .expect("run opsdeck");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.contains("endpoint unreachable"), "{err}");
}

#[test]
fn missing_credentials_exit_non_zero_with_one_line() {
    let home = tempfile::tempdir().expect("tempdir");
    let cfg = one_attempt(&home);
    let out = opsdeck(&home)
        .args([
            "inventory",
            "--config",
            &cfg,
            "--region",
            "us-east-1",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ])
        .output()
        .expect("run opsdeck");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.contains("credentials"), "{err}");
}

#[test]
fn unknown_profile_exits_non_zero_naming_it() {
    let home = tempfile::tempdir().expect("tempdir");
    let cfg = one_attempt(&home);
    let out = opsdeck(&home)
        .args([
            "inventory",
            "--config",
            &cfg,
            "--profile",
            "no-such-profile",
            "--region",
            "us-east-1",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ])
        .output()
        .expect("run opsdeck");
    assert_ne!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.contains("no-such-profile"), "{err}");
}

#[test]
fn no_region_anywhere_is_a_clear_error() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = with_keys(&mut opsdeck(&home))
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
    let home = tempfile::tempdir().expect("tempdir");
    let cfg = one_attempt(&home);
    let out = with_keys(&mut opsdeck(&home))
        .args([
            "inventory",
            "--config",
            &cfg,
            "--region",
            "us-east-1",
            "--endpoint-url",
            &moto::url(),
        ])
        .output()
        .expect("run opsdeck");
    moto::clear_faults();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(
        err.contains("not permitted") && err.contains("UnauthorizedOperation"),
        "{err}"
    );
}

#[test]
fn malformed_config_is_reported_with_its_position() {
    let home = tempfile::tempdir().expect("tempdir");
    let p = home.path().join("bad.toml");
    std::fs::write(&p, "[ui]\nrefresh_seconds = = 3\n").expect("write");
    let out = with_keys(&mut opsdeck(&home))
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
