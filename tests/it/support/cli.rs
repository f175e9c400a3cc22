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
    in_home(&mut c, home).env("AWS_EC2_METADATA_DISABLED", "true");
    c
}

/// `opsdeck_with_keys` in us-east-1 at the moto front's endpoint.
pub fn opsdeck_on_moto(home: &tempfile::TempDir) -> Command {
    let mut c = opsdeck_with_keys(home);
    c.args([
        "--region",
        "us-east-1",
        "--endpoint-url",
        &super::moto::url(),
    ]);
    c
}

/// The binary with none of the caller's environment but `PATH`; HOME, state and config in the temp
/// dir.
pub fn opsdeck_in_empty_env(home: &tempfile::TempDir) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_opsdeck"));
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    in_home(&mut c, home);
    c
}

/// HOME is `home`; the state and config dirs (`OPSDECK_STATE_DIR`, `OPSDECK_CONFIG_DIR`) are its
/// `state` and `config`: never the developer's.
fn in_home<'c>(c: &'c mut Command, home: &tempfile::TempDir) -> &'c mut Command {
    c.env("HOME", home.path())
        .env("OPSDECK_STATE_DIR", home.path().join("state"))
        .env("OPSDECK_CONFIG_DIR", home.path().join("config"))
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

/// The binary exited 0.
pub fn assert_success(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status.code(),
        stderr(o)
    );
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
