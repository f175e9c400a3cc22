//! The console without a terminal: the same `update` and `Runner` the terminal loop uses, driven
//! against the simulator. Inputs in, effects run, messages fed back.

use opsdeck::effects::runner::{Connector, LoopMsg, Runner};
use opsdeck::session::Session;
use opsdeck::tui::render;
use opsdeck::tui::theme::Theme;
use opsdeck_app::keys::{Key, KeyCode};
use opsdeck_app::{self as app, AppState, Effect, Input, Prefs, SessionInfo};
use opsdeck_core::cloud::FetchOptions;
use opsdeck_runbook::StateDir;
use opsdeck_sim::Sim;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

/// Sessions on `sim`; a read-write one audits into `state` (the test's own dir).
pub fn connector(sim: Sim, read_only: bool, state: StateDir) -> Connector {
    Arc::new(move |_profile, _regions| {
        let sim = sim.clone();
        let state = state.clone();
        Box::pin(async move {
            let label = "demo".to_string();
            let session = if read_only {
                Session::read_only(label.clone(), None, sim.readers())
            } else {
                Session::read_write(label.clone(), None, sim.readers(), sim.writers(), &state)
            };
            // As `--demo` does: `:chaos` reaches this world.
            let session = session.with_sim(sim);
            let info = SessionInfo {
                label,
                profile: None,
                regions: session.regions(),
                read_only: session.is_read_only(),
                color: None,
                simulated: true,
            };
            Ok((session, info))
        })
    })
}

/// The loop without a terminal: inputs in, effects run, messages fed back until quiet.
pub struct Harness {
    pub state: AppState,
    pub runner: Runner,
    rx: UnboundedReceiver<LoopMsg>,
    /// The session's state dir (runs journaled under `runs/`, the audit log): never the operator's.
    pub state_dir: tempfile::TempDir,
}

impl Harness {
    pub async fn start(sim: Sim, read_only: bool) -> Harness {
        Harness::start_in(sim, read_only, tempfile::tempdir().expect("tempdir")).await
    }

    /// Starts with `state_dir` as the session's state dir (runs already in it are found at start).
    pub async fn start_in(sim: Sim, read_only: bool, state_dir: tempfile::TempDir) -> Harness {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let state = StateDir::new(state_dir.path());
        let runner = Runner::new(
            connector(sim, read_only, state.clone()),
            tx,
            FetchOptions::default(),
            &state,
        );
        // Exports go where the binary puts them by default: under the (test's own) state dir.
        let prefs = Prefs {
            export_dir: state.exports(),
            ..Prefs::default()
        };
        let mut h = Harness {
            state: AppState::new(prefs, None, vec![], chrono::Utc::now()),
            runner,
            rx,
            state_dir,
        };
        let fx = app::startup(&mut h.state);
        h.run(fx).await;
        assert!(h.state.data.loaded(), "inventory loaded");
        h
    }

    /// Runs the effects and feeds their answers back until none is outstanding (every effect but
    /// quit and copy answers with exactly one message).
    pub async fn run(&mut self, fx: Vec<Effect>) {
        let mut pending = 0usize;
        let start = |runner: &mut Runner, fx: Vec<Effect>| -> usize {
            let mut n = 0;
            for e in fx {
                if !matches!(e, Effect::Quit | Effect::Copy { .. }) {
                    n += 1;
                }
                runner.run(e);
            }
            n
        };
        pending += start(&mut self.runner, fx);
        while pending > 0 {
            let m = tokio::time::timeout(Duration::from_secs(20), self.rx.recv())
                .await
                .expect("an answer within 20 s")
                .expect("channel open");
            match m {
                LoopMsg::Session(g, s) => self.runner.install(g, s),
                LoopMsg::App(msg) => {
                    pending -= 1;
                    let fx = app::update(&mut self.state, Input::Msg(msg));
                    pending += start(&mut self.runner, fx);
                }
            }
        }
    }

    pub async fn key(&mut self, k: Key) {
        let fx = app::update(&mut self.state, Input::Key(k));
        self.run(fx).await;
    }

    /// The loop's timer: a tick carrying the session's clock (the simulator's), its effects run.
    pub async fn tick(&mut self) {
        let tick = Input::Tick {
            wall: chrono::Utc::now(),
            session: self.runner.now(),
        };
        let fx = app::update(&mut self.state, tick);
        self.run(fx).await;
    }

    pub async fn text(&mut self, t: &str) {
        for c in t.chars() {
            self.key(Key::ch(c)).await;
        }
    }

    /// Feeds messages back (running the effects they ask for) until `done` holds. For effects
    /// that answer with many messages (a run's progress). Time is the tokio clock's, so a paused
    /// clock runs a long runbook in no real time.
    pub async fn pump_until(&mut self, what: &str, done: impl Fn(&AppState) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(6 * 3600);
        while !done(&self.state) {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let m = tokio::time::timeout(left, self.rx.recv())
                .await
                .unwrap_or_else(|_| panic!("{what}: not within 6 h (tokio time)"))
                .expect("channel open");
            match m {
                LoopMsg::Session(g, s) => self.runner.install(g, s),
                LoopMsg::App(msg) => {
                    for e in app::update(&mut self.state, Input::Msg(msg)) {
                        self.runner.run(e);
                    }
                }
            }
        }
    }

    /// Runs one input's effects without waiting for their answers (`pump_until` takes them).
    pub fn press(&mut self, k: Key) {
        for e in app::update(&mut self.state, Input::Key(k)) {
            self.runner.run(e);
        }
    }

    /// The status line's text (empty when there is none).
    pub fn status(&self) -> String {
        self.state
            .status
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default()
    }

    pub fn runs_dir(&self) -> PathBuf {
        StateDir::new(self.state_dir.path()).runs()
    }

    pub async fn command(&mut self, c: &str) {
        self.text(":").await;
        self.text(c).await;
        self.key(Key::plain(KeyCode::Enter)).await;
    }

    /// The frame the terminal would show, drawn into ratatui's `TestBackend` (plain theme), as text.
    pub fn screen(&mut self, width: u16, height: u16) -> String {
        screen(&mut self.state, width, height, &Theme::new(false, false))
    }
}

/// The frame a `width`×`height` terminal would show of `state`, drawn into ratatui's
/// `TestBackend`, as text.
pub fn screen(state: &mut AppState, width: u16, height: u16, theme: &Theme) -> String {
    let mut t = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    // Twice: the first frame records the viewport sizes the second one uses.
    for _ in 0..2 {
        t.draw(|f| render::draw(f, state, theme)).expect("draw");
    }
    t.backend().to_string()
}
