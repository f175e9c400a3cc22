//! The console's effects run for real against the simulator: the same `update` and `Runner` the
//! terminal loop uses, without a terminal. A read-only session that presses every mutating key on
//! every view makes no mutating call; a read-write one makes exactly the dry run and then the call.

use opsdeck::app::keys::{Key, KeyCode};
use opsdeck::app::{self, AppState, Effect, Input, Prefs, SessionInfo};
use opsdeck::cloud::FetchOptions;
use opsdeck::cloud::sim::{FleetSource, Sim, SimOptions};
use opsdeck::session::Session;
use opsdeck::tui::runner::{Connector, LoopMsg, Runner};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

fn sim() -> Sim {
    Sim::new(SimOptions {
        fleet: FleetSource::NameOrPath("default".into()),
        seed: 1,
        speed: 1.0,
        epoch: None,
    })
    .expect("default fleet")
}

fn connector(sim: Sim, read_only: bool) -> Connector {
    Arc::new(move |_profile, _regions| {
        let sim = sim.clone();
        Box::pin(async move {
            let label = "demo".to_string();
            let session = if read_only {
                Session::read_only(label.clone(), None, sim.readers())
            } else {
                Session::read_write(label.clone(), None, sim.readers(), sim.writers())
            };
            let info = SessionInfo {
                label,
                profile: None,
                regions: session.regions(),
                read_only: session.is_read_only(),
                color: None,
            };
            Ok((session, info))
        })
    })
}

/// The loop without a terminal: inputs in, effects run, messages fed back until quiet.
struct Harness {
    state: AppState,
    runner: Runner,
    rx: UnboundedReceiver<LoopMsg>,
}

impl Harness {
    async fn start(sim: Sim, read_only: bool) -> Harness {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let runner = Runner::new(connector(sim, read_only), tx, FetchOptions::default());
        let prefs = Prefs {
            export_dir: std::env::temp_dir(),
            ..Prefs::default()
        };
        let mut h = Harness {
            state: AppState::new(prefs, None, vec![], chrono::Utc::now()),
            runner,
            rx,
        };
        let fx = app::startup(&mut h.state);
        h.run(fx).await;
        assert!(h.state.data.loaded(), "inventory loaded");
        h
    }

    /// Runs the effects and feeds their answers back until none is outstanding (every effect but
    /// quit and copy answers with exactly one message).
    async fn run(&mut self, fx: Vec<Effect>) {
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

    async fn key(&mut self, k: Key) {
        let fx = app::update(&mut self.state, Input::Key(k));
        self.run(fx).await;
    }

    async fn text(&mut self, t: &str) {
        for c in t.chars() {
            self.key(Key::ch(c)).await;
        }
    }

    async fn command(&mut self, c: &str) {
        self.text(":").await;
        self.text(c).await;
        self.key(Key::plain(KeyCode::Enter)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_console_never_mutates() {
    let sim = sim();
    let mut h = Harness::start(sim.clone(), true).await;
    for view in [
        "instances",
        "volumes",
        "targets",
        "snapshots",
        "lb",
        "eni",
        "eip",
    ] {
        h.command(view).await;
        for row in 0..3 {
            for k in ["U", "O", "B", "I", "N", "D", "R", "X"] {
                h.text(k).await;
                // Whatever a dialog would want: the id typed, enter, then esc.
                h.text("i-").await;
                h.key(Key::plain(KeyCode::Enter)).await;
                h.key(Key::plain(KeyCode::Esc)).await;
            }
            let _ = row;
            h.text("j").await;
        }
    }
    h.key(Key::ctrl('r')).await;
    let calls = sim.calls();
    assert!(!calls.is_empty(), "the console did read");
    let mutating: Vec<_> = calls.iter().filter(|c| c.mutating).collect();
    assert!(
        mutating.is_empty(),
        "a read-only console made mutating calls: {mutating:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_runs_a_dry_run_then_the_call_then_refreshes() {
    let sim = sim();
    let mut h = Harness::start(sim.clone(), false).await;
    h.text("/web-1").await;
    h.key(Key::plain(KeyCode::Enter)).await;
    let row = h
        .state
        .top_table_key()
        .and_then(|k| h.state.view(k))
        .and_then(|v| v.selected_row())
        .expect("web-1 selected");
    let id = h.state.data.inv.instances[row].id.clone();
    sim.clear_calls();

    h.text("O").await;
    let phase = h.state.dialog.as_ref().map(|d| d.phase.clone());
    assert_eq!(
        phase,
        Some(app::state::ConfirmPhase::Ready),
        "dry run answered"
    );
    let calls = sim.calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].action, "StopInstances");
    assert!(calls[0].dry_run);

    // Enter without the id does nothing; with it, the call is made.
    h.key(Key::plain(KeyCode::Enter)).await;
    assert_eq!(sim.calls().iter().filter(|c| c.mutating).count(), 1);
    h.text(&id).await;
    h.key(Key::plain(KeyCode::Enter)).await;
    let stops: Vec<_> = sim
        .calls()
        .into_iter()
        .filter(|c| c.action == "StopInstances")
        .collect();
    assert_eq!(stops.len(), 2, "{stops:?}");
    assert!(!stops[1].dry_run && stops[1].error.is_none(), "{stops:?}");
    assert!(h.state.dialog.is_none());
    let status = h
        .state
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(status.contains("stop requested"), "{status}");
    // The refresh after the write shows the instance on its way down.
    let i = h.state.data.inv.instance(&id).expect("still there");
    assert_ne!(
        i.state,
        opsdeck::domain::InstanceState::Running,
        "{:?}",
        i.state
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_dry_run_shows_the_aws_code_and_makes_no_call() {
    let sim = sim();
    sim.deny("RebootInstances");
    let mut h = Harness::start(sim.clone(), false).await;
    sim.clear_calls();
    h.text("B").await;
    match h.state.dialog.as_ref().map(|d| d.phase.clone()) {
        Some(app::state::ConfirmPhase::Refused(e)) => {
            assert!(e.contains("not permitted"), "{e}");
            assert!(
                e.contains("UnauthorizedOperation") || e.contains("AccessDenied"),
                "{e}"
            );
        }
        other => panic!("refusal expected, got {other:?}"),
    }
    h.key(Key::plain(KeyCode::Enter)).await;
    let real: Vec<_> = sim
        .calls()
        .into_iter()
        .filter(|c| c.mutating && !c.dry_run)
        .collect();
    assert!(real.is_empty(), "{real:?}");
}
