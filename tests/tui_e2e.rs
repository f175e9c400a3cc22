//! End to end: the real binary with `--demo` in a private tmux server, driven by keys, checked on
//! the captured screen. tmux is required (CI installs it): without it this test fails, it never skips.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A private tmux server (`tmux -L <unique>`), killed when dropped, even when the test panics.
struct Tmux {
    socket: String,
    session: String,
    _dir: tempfile::TempDir,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn start(cmd: &str, width: u16, height: u16, dir: tempfile::TempDir) -> Tmux {
        let version = Command::new("tmux").arg("-V").output();
        match version {
            Ok(o) if o.status.success() => {}
            _ => panic!(
                "tmux is required for the console end-to-end test (install it: apt-get install tmux); \
                 this test never skips"
            ),
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let t = Tmux {
            socket: format!("opsdeck-e2e-{}-{nanos}", std::process::id()),
            session: "e2e".into(),
            _dir: dir,
        };
        let out = t.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            &t.session,
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            cmd,
        ]);
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        t
    }

    fn capture(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", &self.session]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types text literally (no key-name interpretation).
    fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", &self.session, "-l", text]);
    }

    /// Sends named keys (`Enter`, `Escape`, `C-r`).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.session];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Waits until the screen contains `needle`; fails with the last screen if it never does.
    fn wait_for(&self, needle: &str, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.capture();
            if screen.contains(needle) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("{what}: `{needle}` never appeared. Last screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn shell_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

#[test]
fn demo_console_end_to_end() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("state");
    let config = dir.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_opsdeck"));
    let cmd = format!(
        "env OPSDECK_STATE_DIR={} OPSDECK_CONFIG_DIR={} {} --demo; echo EXITED rc=$?; sleep 60",
        shell_quote(&state),
        shell_quote(&config),
        shell_quote(&bin)
    );
    let t = Tmux::start(&cmd, 120, 40, dir);

    let first = t.wait_for("Instances (", "the console opens on instances");
    assert!(first.contains("opsdeck"), "header missing:\n{first}");
    t.wait_for("web-1", "the demo inventory arrives");

    t.type_text(":instances");
    t.keys(&["Enter"]);
    t.wait_for("Instances (7)", ":instances shows every demo instance");

    t.type_text("/web");
    let filtered = t.wait_for("Instances (2 of 7) /web", "the filter narrows the table");
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
    let back = t.wait_for(
        "Instances (2 of 7) /web",
        "esc returns to the filtered table",
    );
    assert!(!back.contains("instance_type:"), "{back}");

    t.type_text(":az");
    t.keys(&["Enter"]);
    let az = t.wait_for("AZ map", ":az opens the AZ map");
    assert!(az.contains("If it goes"), "{az}");
    assert!(
        az.contains("us-east-1a") || az.contains("eu-west-1a"),
        "{az}"
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
