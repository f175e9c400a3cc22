//! Running the real `opsdeck` binary the way a user would, in a clean environment.

use std::process::{Command, Output};

/// The binary with no AWS variables from the caller, an empty HOME (no ~/.aws), state and config in
/// the temp dir, and IMDS off (no probes of a metadata endpoint).
pub fn opsdeck(home: &tempfile::TempDir) -> Command {
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

/// The same, with moto's static keys.
pub fn opsdeck_with_keys(home: &tempfile::TempDir) -> Command {
    let mut c = opsdeck(home);
    c.env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing");
    c
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// A failure an operator can read: this exit code and one line on stderr saying `needle`.
pub fn assert_one_line_failure(o: &Output, code: i32, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "exit code; stderr: {err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    for n in needles {
        assert!(err.contains(n), "stderr names {n:?}: {err}");
    }
}
