//! Config values on the real binary: a number out of its range is refused with the key, the value
//! and the range (exit 2) before anything runs — `aws.max_attempts = 10000000` would otherwise
//! retry a failing call all but forever — and a wrong type is reported at its line and column.

use super::*;

fn with_config(home: &tempfile::TempDir, text: &str) -> std::path::PathBuf {
    let p = home.path().join("my-config.toml");
    std::fs::write(&p, text).expect("write config");
    p
}

#[test]
fn out_of_range_numbers_are_refused_with_key_value_and_range() {
    let home = tempfile::tempdir().expect("tempdir");
    for (text, needles) in [
        (
            "[aws]\nmax_attempts = 10000000\n",
            &["aws.max_attempts", "10000000", "1 to 20"][..],
        ),
        (
            "[aws]\nconnect_timeout_seconds = 0\n",
            &["aws.connect_timeout_seconds", "= 0", "1 to 300"][..],
        ),
        (
            "[ui]\nmax_fps = 0\n",
            &["ui.max_fps", "= 0", "1 to 120"][..],
        ),
        (
            "[ui]\nrefresh_seconds = 99999999\n",
            &["ui.refresh_seconds", "99999999", "0 to 86400"][..],
        ),
        (
            "[aws]\nmetrics_window_minutes = 100000\n",
            &["aws.metrics_window_minutes", "100000", "1 to 1440"][..],
        ),
    ] {
        let p = with_config(&home, text);
        // The console too: refused before it takes the terminal (there is none here).
        for cmd in [&["inventory"][..], &[][..]] {
            let out = run(demo(&home).arg("--config").arg(&p).args(cmd));
            support::cli::assert_one_line_failure(&out, 2, needles);
            assert!(stderr(&out).contains("my-config.toml"), "{}", stderr(&out));
            assert!(out.stdout.is_empty(), "nothing ran");
        }
    }
}

#[test]
fn a_wrong_type_is_reported_at_its_line_and_column() {
    let home = tempfile::tempdir().expect("tempdir");
    let p = with_config(
        &home,
        "# mine\n[aws]\nmetrics = true\nmax_attempts = \"many\"\n",
    );
    let out = run(demo(&home).arg("--config").arg(&p).arg("inventory"));
    support::cli::assert_one_line_failure(
        &out,
        2,
        &[
            &p.display().to_string(),
            "line 4, column 16",
            "max_attempts",
        ],
    );
}
