//! The config file's warnings in the real console: an unknown key is named on the status line (the
//! alternate screen covers whatever went to stderr before it opened) and in the log. tmux is required
//! (CI installs it): without it this test fails, it never skips.

use crate::support;

use support::tmux::ConsoleDirs;

#[test]
fn an_unknown_config_key_is_shown_in_the_console_and_logged() {
    let (t, state) = ConsoleDirs::new(Some("[ui]\nrefresh_secs = 5\n")).start("--demo", 160, 40);
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

/// A profile marked `read_only = true` in the config gets a read-only session even without
/// `--read-only`: the badge, mutating keys refused without a dialog, and the frame in the
/// profile's colour.
#[test]
fn a_read_only_profile_in_the_config_makes_a_read_only_console_in_its_colour() {
    let config = "[profiles.prod]\nread_only = true\ncolor = \"red\"\n";
    let (t, _) = ConsoleDirs::new(Some(config)).start("--demo --profile prod", 120, 30);
    let first = t.wait_for("web-1", "the demo inventory arrives");
    assert!(first.contains("READ-ONLY"), "badge missing:\n{first}");
    for (key, label) in support::MUTATING_KEYS {
        t.type_text(key);
        t.wait_for(
            &format!("read-only session: {label} is not available"),
            "a mutating key is refused",
        );
        assert!(
            !t.capture().contains("Confirm"),
            "{key}: no dialog in a read-only session"
        );
    }
    // The frame's top-left corner (the line under the header) and the colour it is drawn in:
    // the last foreground set before it, red being palette colour 1 (`ESC[38;5;1m` from tmux).
    let styled = t.run(&["capture-pane", "-p", "-e", "-t", &t.session]);
    let styled = String::from_utf8_lossy(&styled.stdout);
    let top = styled.lines().nth(1).unwrap_or_default();
    let before_corner = top.split('┌').next().unwrap_or_default();
    let fg = before_corner.rsplit("38;5;").next().unwrap_or_default();
    assert!(
        top.contains('┌') && fg.starts_with("1m"),
        "the frame is drawn in red:\n{top:?}"
    );
    t.type_text("q");
    t.wait_for("EXITED rc=0", "q quits with status 0");
}
