//! The config file's warnings in the real console: an unknown key is named on the status line (the
//! alternate screen covers whatever went to stderr before it opened) and in the log. tmux is required
//! (CI installs it): without it this test fails, it never skips.

mod support;

use std::path::PathBuf;
use support::tmux::{Tmux, shell_quote};

#[test]
fn an_unknown_config_key_is_shown_in_the_console_and_logged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("state");
    let config = dir.path().join("config");
    std::fs::create_dir_all(&config).expect("config dir");
    std::fs::write(config.join("config.toml"), "[ui]\nrefresh_secs = 5\n").expect("config file");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_opsdeck"));
    let cmd = format!(
        "env OPSDECK_STATE_DIR={} OPSDECK_CONFIG_DIR={} {} --demo; echo EXITED rc=$?; sleep 60",
        shell_quote(&state),
        shell_quote(&config),
        shell_quote(&bin)
    );
    let t = Tmux::start(&cmd, 160, 40, dir);
    let screen = t.wait_for(
        "unknown key `ui.refresh_secs` ignored",
        "the config warning on the console's status line",
    );
    assert!(screen.contains("config.toml"), "names the file:\n{screen}");
    t.type_text("q");
    t.wait_for("EXITED rc=0", "q quits with status 0");
    let log = std::fs::read_to_string(state.join("opsdeck.log")).expect("the log file exists");
    assert!(
        log.lines()
            .any(|l| l.contains("WARN") && l.contains("unknown key `ui.refresh_secs` ignored")),
        "the warning is logged:\n{log}"
    );
}
