//! End to end: the real binary with `--demo` in a private tmux server, driven by keys, checked on
//! the captured screen. tmux is required (CI installs it): without it this test fails, it never skips.

use crate::support;

use support::tmux::{ConsoleDirs, Tmux};

#[test]
fn demo_console_end_to_end() {
    let names = support::sim::demo_instance_names();
    let all = format!("Instances ({})", names.len());
    let webs = names.iter().filter(|n| n.contains("web")).count();
    let filtered_title = format!("Instances ({webs} of {}) /web", names.len());
    let (t, _) = ConsoleDirs::new(None).start("--demo", 120, 40);

    let first = t.wait_for("Instances (", "the console opens on instances");
    assert!(first.contains("opsdeck"), "header missing:\n{first}");
    t.wait_for("web-1", "the demo inventory arrives");

    t.type_text(":instances");
    t.keys(&["Enter"]);
    t.wait_for(&all, ":instances shows every demo instance");

    t.type_text("/web");
    let filtered = t.wait_for(&filtered_title, "the filter narrows the table");
    assert!(
        filtered.contains("web-1") && filtered.contains("web-2"),
        "{filtered}"
    );
    assert!(
        !filtered.contains("db-1"),
        "db-1 should be filtered out:\n{filtered}"
    );
    t.keys(&["Enter"]);

    t.keys(&["Enter"]);
    let described = t.wait_for("instance_type:", "enter describes the selected instance");
    assert!(described.contains("block_devices:"), "{described}");

    t.keys(&["Escape"]);
    t.wait_until(
        "the filtered table without the describe never showed",
        "esc returns to the filtered table",
        |s| s.contains(&filtered_title) && !s.contains("instance_type:"),
    );

    t.type_text(":az");
    t.keys(&["Enter"]);
    let az = t.wait_for("AZ map", ":az opens the AZ map");
    assert!(az.contains("If it goes"), "{az}");
    assert!(
        az.contains("us-east-1a") || az.contains("eu-west-1a"),
        "{az}"
    );

    t.type_text(":findings");
    t.keys(&["Enter"]);
    let findings = t.wait_for("single-az", ":findings lists the single-AZ web tier");
    assert!(
        findings.contains("Findings (") && findings.contains("critical"),
        "{findings}"
    );

    // Chaos in the demo: the status line answers, the refresh brings the new finding.
    t.type_text(":chaos az-outage us-east-1a");
    t.keys(&["Enter"]);
    t.wait_for(
        "chaos: us-east-1a is down",
        "the chaos answer on the status line",
    );
    t.wait_for(
        "az-impaired",
        "the outage shows up as a finding after the refresh",
    );

    t.type_text("?");
    let help = t.wait_for("Help", "? opens help");
    assert!(help.contains("ctrl-r"), "help lists the keymap:\n{help}");

    t.type_text("q");
    let exited = t.wait_for("EXITED rc=0", "q quits with status 0");
    // The alternate screen is gone: the shell line is on the normal screen, no frame left over.
    assert!(
        !exited.contains("AZ map"),
        "terminal not restored:\n{exited}"
    );
}

#[test]
fn read_only_demo_refuses_actions_survives_resizes_and_ctrl_c() {
    let (t, _) = ConsoleDirs::new(None).start("--demo --read-only", 100, 30);
    let first = t.wait_for("web-1", "the demo inventory arrives");
    assert!(first.contains("READ-ONLY"), "badge missing:\n{first}");

    t.type_text("O");
    t.wait_for(
        "read-only session: stop is not available",
        "stop is refused",
    );
    assert!(
        !t.capture().contains("Confirm"),
        "no dialog in a read-only session"
    );

    // Too small, then back: the console keeps drawing.
    t.run(&["resize-window", "-t", &t.session, "-x", "30", "-y", "6"]);
    t.wait_for("too small", "a tiny terminal gets a short message");
    t.run(&["resize-window", "-t", &t.session, "-x", "120", "-y", "40"]);
    let all = format!("Instances ({})", support::sim::demo_instance_names().len());
    t.wait_for(&all, "the table comes back after the resize");

    t.keys(&["C-c"]);
    t.wait_for("EXITED rc=0", "ctrl-c quits cleanly");
}

/// From the single-AZ finding straight to its runbook: plan, preflight, approve. Returns the
/// screens of the preflighted plan and of the run started.
fn approve_the_single_az_fix(t: &Tmux) -> (String, String) {
    t.type_text(":findings");
    t.keys(&["Enter"]);
    t.wait_for("single-az", ":findings lists the single-AZ web tier");
    // The web tier's finding (the clone plan, long enough to interrupt), not the group's.
    t.type_text("/targets of web-tg");
    t.keys(&["Enter"]);
    t.type_text("r");
    let plan = t.wait_for("preflight passed", "the fix's plan, preflighted");
    t.type_text("y");
    let running = t.wait_for("running step 1/3", "the run starts");
    (plan, running)
}

/// A runbook started from a finding, left behind when the console quits mid-run (as a dropped SSH
/// session would), found again by the next console: banner, `:runs`, abandon.
#[test]
fn a_run_left_behind_is_offered_by_the_next_console() {
    let dirs = ConsoleDirs::new(None);
    let run = dirs.command("--demo");
    let cmd = format!("{run}; echo FIRST rc=$?; {run}; echo SECOND rc=$?; sleep 60");
    let (t, _) = dirs.start_shell(&cmd, 160, 40);
    t.wait_for("web-1", "the demo inventory arrives");

    let (plan, running) = approve_the_single_az_fix(&t);
    assert!(plan.contains("Runbook remove-spof"), "{plan}");
    assert!(
        plan.contains("ec2:CreateImage"),
        "the plan names its calls:\n{plan}"
    );
    assert!(running.contains("(journaled)"), "{running}");

    // Elsewhere, the banner keeps the run in sight; quitting asks twice.
    t.keys(&["Escape"]);
    t.wait_for("remove-spof is running", "the running-run banner");
    t.type_text("q");
    t.wait_for("quit again", "quitting mid-run asks again");
    t.type_text("q");

    // The next console (started by the shell as soon as the first one quit) offers the run: the
    // quit cancelled it at its next poll, journaled, so it can be resumed or rolled back.
    let banner = t.wait_for("unfinished run", "the unfinished-run banner at start");
    assert!(banner.contains("remove-spof, cancelled"), "{banner}");
    t.type_text(":runs");
    t.keys(&["Enter"]);
    t.wait_for("Runs (1)", ":runs lists the run");
    t.type_text("a");
    t.type_text("y");
    t.wait_for("abandoned", "abandon closes it in the journal");
    t.type_text("q");
    t.wait_for("SECOND rc=0", "the second console quits");
}

/// The SSH link drops mid-run: the terminal hangs up, and what the operator approved still finishes
/// (unattended, journaled) instead of leaving a half-done change behind.
#[test]
fn a_dropped_terminal_finishes_what_was_approved() {
    let (t, state) = ConsoleDirs::new(None).start("--demo --demo-speed 100", 160, 40);
    t.wait_for("web-1", "the demo inventory arrives");
    approve_the_single_az_fix(&t);

    // The link drops: tmux goes away with the terminal (SIGHUP to the console).
    t.run(&["kill-server"]);
    let runs = state.join("runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(180);
    loop {
        let states: Vec<_> = opsdeck_runbook::journal::list(&runs)
            .into_iter()
            .flatten()
            .map(|r| r.status)
            .collect();
        match states.as_slice() {
            [opsdeck_runbook::journal::RunStatus::Done] => break,
            [s] if !s.is_open() => panic!("the run ended {s:?}, not done"),
            _ if std::time::Instant::now() > deadline => {
                panic!("the unattended run did not finish within 180 s: {states:?}")
            }
            _ => std::thread::sleep(std::time::Duration::from_millis(500)),
        }
    }
}

/// SIGTERM (a `kill`, a supervisor, a closing container) or SIGINT from outside (`kill -INT`; in
/// the console's raw mode ctrl-c is a key) ends the console cleanly: the terminal is given back
/// (normal screen, cursor shown, no mouse tracking, no frame left over) and the exit status is 0,
/// as with `q`.
#[test]
fn sigterm_and_sigint_restore_the_terminal() {
    for sig in ["TERM", "INT"] {
        let (t, _) = ConsoleDirs::new(None).start("--demo", 120, 30);
        t.wait_for("web-1", "the demo inventory arrives");
        let flags = |t: &Tmux| {
            let f = t.run(&[
                "display-message",
                "-p",
                "-t",
                &t.session,
                "#{alternate_on} #{cursor_flag} #{mouse_any_flag}",
            ]);
            String::from_utf8_lossy(&f.stdout).trim().to_string()
        };
        assert_eq!(flags(&t), "1 0 1", "the console holds the terminal first");
        // The pane runs `sh -c "<cmd>"`: the console is the shell's child.
        let pane = t.run(&["display-message", "-p", "-t", &t.session, "#{pane_pid}"]);
        let shell = String::from_utf8_lossy(&pane.stdout).trim().to_string();
        let children = std::process::Command::new("pgrep")
            .args(["-P", &shell, "-x", "opsdeck"])
            .output()
            .expect("pgrep runs");
        let pid = String::from_utf8_lossy(&children.stdout).trim().to_string();
        assert!(
            !pid.is_empty() && !pid.contains('\n'),
            "one opsdeck under the pane's shell {shell}: {pid:?}"
        );
        let killed = std::process::Command::new("kill")
            .args([&format!("-{sig}"), &pid])
            .status()
            .expect("kill runs");
        assert!(killed.success(), "kill -{sig} {pid}");
        let exited = t.wait_for("EXITED rc=", "the signal ends the console");
        assert!(
            exited.contains("EXITED rc=0"),
            "SIG{sig}: exit 0:\n{exited}"
        );
        assert!(
            !exited.contains("Instances (") && !exited.contains("web-1"),
            "SIG{sig}: terminal not restored:\n{exited}"
        );
        assert_eq!(
            flags(&t),
            "0 1 0",
            "SIG{sig}: normal screen, cursor shown, no mouse tracking"
        );
    }
}

/// `:asg` lists the demo's group; `:chaos kill GROUP` kills one member; the group replaces it and
/// the refreshed `:asg` and xray show it whole again without the dead instance.
#[test]
fn a_group_member_killed_by_chaos_is_replaced() {
    let (group, desired) = support::sim::demo_groups()
        .into_iter()
        .next()
        .expect("the demo fleet has an Auto Scaling group");
    let whole = format!("{desired}/{desired}");
    let (t, _) = ConsoleDirs::new(None).start("--demo --demo-speed 30", 160, 40);
    t.wait_for("web-1", "the demo inventory arrives");
    t.type_text(":asg");
    t.keys(&["Enter"]);
    t.wait_until(
        "the group is not listed whole",
        ":asg lists the group",
        |s| s.lines().any(|l| l.contains(&group) && l.contains(&whole)),
    );

    t.type_text(&format!(":chaos kill {group}"));
    t.keys(&["Enter"]);
    let said = t.wait_for("died (terminated)", "chaos names the member it killed");
    let killed = said
        .split_whitespace()
        .find(|w| w.starts_with("i-") && said.contains(&format!("{w} died")))
        .expect("the killed instance's id")
        .to_string();

    // Refresh until the group is whole again with the dead member gone (the group's health check
    // finds it, launches a replacement, which passes its grace period and target group checks).
    t.type_text("x");
    let healed = t.wait_within(
        std::time::Duration::from_secs(120),
        "the group never healed",
        "the group replaces the killed member",
        |s| {
            t.keys(&["C-r"]);
            let in_service = s.lines().filter(|l| l.contains("InService")).count();
            s.contains(&format!("{whole} in service"))
                && s.contains(&format!("{whole} healthy"))
                && !s.contains(&killed)
                && in_service == desired as usize
        },
    );
    assert!(healed.contains(&format!("Xray {group}")), "{healed}");
}

/// A panic in the console's own loop (debug builds panic on the key `OPSDECK_TEST_PANIC_KEY`
/// names) gives the real terminal back before the process ends: the main screen, the cursor, no
/// mouse tracking and the line discipline out of raw mode (canonical input, echo), with the panic's
/// message left on screen for the operator.
#[test]
fn a_panic_restores_the_real_terminal() {
    let dirs = ConsoleDirs::new(None);
    let cmd = format!(
        "RUST_BACKTRACE=0 OPSDECK_TEST_PANIC_KEY=% {}; echo EXITED rc=$?; \
         echo MODES $(stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo)' | tr '\\n' ' '); \
         sleep 60",
        dirs.command("--demo")
    );
    let (t, _) = dirs.start_shell(&cmd, 120, 30);
    t.wait_for("web-1", "the demo inventory arrives");
    t.keys(&["%"]);
    let screen = t.wait_for("MODES", "the panic ends the console");
    assert!(
        screen.contains("EXITED rc=101"),
        "a panic exits 101:\n{screen}"
    );
    assert!(
        screen.contains("the test asked for a panic"),
        "the panic's message is left on the main screen:\n{screen}"
    );
    assert!(
        !screen.contains("Instances ("),
        "the console's screen is gone:\n{screen}"
    );
    assert!(
        screen.contains("MODES icanon echo"),
        "raw mode is off (canonical input and echo back on):\n{screen}"
    );
    let f = t.run(&[
        "display-message",
        "-p",
        "-t",
        &t.session,
        "#{alternate_on} #{cursor_flag} #{mouse_any_flag}",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&f.stdout).trim(),
        "0 1 0",
        "normal screen, cursor shown, no mouse tracking"
    );
}
