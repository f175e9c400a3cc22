//! A private tmux server for end-to-end tests of the real binary in a real terminal.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// `p` quoted for the shell command a tmux pane runs.
pub fn shell_quote(p: &std::path::Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

/// A private tmux server (`tmux -L <unique>`), killed when dropped, even when the test panics.
pub struct Tmux {
    socket: String,
    pub session: String,
    _dir: tempfile::TempDir,
}

impl Tmux {
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    pub fn start(cmd: &str, width: u16, height: u16, dir: tempfile::TempDir) -> Tmux {
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

    pub fn capture(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", &self.session]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types text literally (no key-name interpretation).
    pub fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", &self.session, "-l", text]);
    }

    /// Sends named keys (`Enter`, `Escape`, `C-r`).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.session];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Waits until the screen contains `needle`; fails with the last screen if it never does.
    pub fn wait_for(&self, needle: &str, what: &str) -> String {
        self.wait_until(&format!("`{needle}` never appeared"), what, |s| {
            s.contains(needle)
        })
    }

    /// Waits until the screen satisfies `done` (a frame is written over several reads, so one
    /// capture can hold its first lines and the previous frame's last ones).
    pub fn wait_until(&self, why: &str, what: &str, done: impl Fn(&str) -> bool) -> String {
        self.wait_within(Duration::from_secs(30), why, what, done)
    }

    /// `wait_until` with its own deadline, for what takes longer than a redraw (retries).
    pub fn wait_within(
        &self,
        limit: Duration,
        why: &str,
        what: &str,
        done: impl Fn(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let screen = self.capture();
            if done(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("{what}: {why}. Last screen:\n{screen}");
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

/// The real console's own state and config dirs (never the operator's), for a tmux pane.
pub struct ConsoleDirs {
    dir: tempfile::TempDir,
    pub state: std::path::PathBuf,
    pub config: std::path::PathBuf,
}

impl ConsoleDirs {
    /// Fresh dirs; `config.toml` holds `config_toml` when given.
    pub fn new(config_toml: Option<&str>) -> ConsoleDirs {
        let dir = tempfile::tempdir().expect("temp dir");
        let state = dir.path().join("state");
        let config = dir.path().join("config");
        std::fs::create_dir_all(&config).expect("config dir");
        if let Some(text) = config_toml {
            std::fs::write(config.join("config.toml"), text).expect("config file");
        }
        ConsoleDirs { dir, state, config }
    }

    /// The folder holding both (a test's HOME, when it needs one of its own).
    pub fn root(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// `opsdeck <args>` with these dirs, as a shell command.
    pub fn command(&self, args: &str) -> String {
        format!(
            "env OPSDECK_STATE_DIR={} OPSDECK_CONFIG_DIR={} {} {args}",
            shell_quote(&self.state),
            shell_quote(&self.config),
            shell_quote(std::path::Path::new(env!("CARGO_BIN_EXE_opsdeck")))
        )
    }

    /// `opsdeck <args>` in a private tmux server, followed by `echo EXITED rc=$?` so a test sees
    /// how it ended. Returns the server and the state dir (log, runs).
    pub fn start(self, args: &str, width: u16, height: u16) -> (Tmux, std::path::PathBuf) {
        let cmd = format!("{}; echo EXITED rc=$?; sleep 60", self.command(args));
        self.start_shell(&cmd, width, height)
    }

    /// A shell command of the caller's (built with `command`) in a private tmux server.
    pub fn start_shell(self, cmd: &str, width: u16, height: u16) -> (Tmux, std::path::PathBuf) {
        let state = self.state.clone();
        (Tmux::start(cmd, width, height, self.dir), state)
    }
}
