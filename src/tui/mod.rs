//! The console: terminal setup and restore, the event loop, views and widgets. The effects the
//! loop hands on run in `crate::effects`.
//!
//! The loop `select!`s over terminal events, the one channel of task results and a one-second
//! timer. It never awaits the network: refreshes and actions run as tasks (`runner`). It draws only
//! when the state is dirty, at most `ui.max_fps` times a second, so an idle screen writes nothing.

pub mod backend;
mod banners;
pub mod input;
pub mod render;
pub mod strings;
#[cfg(debug_assertions)]
mod test_hooks;
pub mod theme;
pub mod views;
pub mod widgets;

use crate::effects::runner::{Connector, LoopMsg, Runner};
use futures::StreamExt;
use opsdeck_app::{self as app, AppState, Effect, Input, Prefs};
use opsdeck_core::cloud::FetchOptions;
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use std::io::{Stdout, Write};
use std::time::{Duration, Instant};
use theme::Theme;

pub use crate::effects::runner::Connector as SessionConnector;

/// Everything the console needs to start.
pub struct Launch {
    pub prefs: Prefs,
    pub profile: Option<String>,
    pub regions: Vec<String>,
    pub max_fps: u32,
    /// Capture the mouse (scroll, click).
    pub mouse: bool,
    pub fetch: FetchOptions,
    pub connector: Connector,
    /// Where runs are journaled and writes audited.
    pub state: opsdeck_runbook::StateDir,
    /// Warnings to show once (keymap, config).
    pub warnings: Vec<String>,
}

type Term = Terminal<backend::QuietBackend<CrosstermBackend<Stdout>>>;

/// Takes the terminal: raw mode, alternate screen, mouse and paste. The panic hook (installed by
/// `main`) and `terminal::restore` give it back.
fn setup(mouse: bool) -> anyhow::Result<Term> {
    crossterm::terminal::enable_raw_mode()?;
    crate::terminal::set_active(true);
    crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::EnterAlternateScreen,
        crossterm::event::EnableBracketedPaste
    )?;
    if mouse {
        crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture)?;
    }
    let mut t = Terminal::new(backend::QuietBackend::new(CrosstermBackend::new(
        std::io::stdout(),
    )))?;
    t.clear()?;
    Ok(t)
}

/// OSC 52: the terminal (or tmux, or the SSH client's terminal) puts `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    osc52_for(
        text,
        std::env::var_os("TMUX").is_some_and(|v| !v.is_empty()),
    )
}

/// The OSC 52 bytes for `text`; inside tmux (`in_tmux`), the same sequence once more wrapped in
/// tmux's passthrough (`ESC P tmux; … ESC \`, every ESC inside doubled). tmux's default
/// `set-clipboard external` ignores the plain sequence from applications; the wrapped one goes
/// straight to the outer terminal (by default before tmux 3.3, with `allow-passthrough on`
/// since). With `set-clipboard on` the plain one works. Sending both covers either setting; a
/// terminal given both sets the same clipboard twice.
pub fn osc52_for(text: &str, in_tmux: bool) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let plain = format!("\x1b]52;c;{b64}\x07");
    if !in_tmux {
        return plain;
    }
    let wrapped = format!("\x1bPtmux;{}\x1b\\", plain.replace('\x1b', "\x1b\x1b"));
    plain + &wrapped
}

fn draw(term: &mut Term, s: &mut AppState, theme: &Theme) -> anyhow::Result<()> {
    term.draw(|f| render::draw(f, s, theme))?;
    s.dirty = false;
    Ok(())
}

/// How long this process has existed (Linux `/proc`, 10 ms resolution): the first-frame figure
/// measured from exec, not from the start of the loop.
fn process_age_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // Field 22 of stat (starttime, in clock ticks since boot); fields after `comm` start at 3.
    let start_ticks: f64 = fields.get(19)?.parse().ok()?;
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(((uptime - start_ticks / 100.0) * 1000.0).max(0.0))
}

/// Runs the console until the operator quits (or SIGTERM/SIGHUP). Returns the exit code.
pub async fn run(launch: Launch) -> anyhow::Result<i32> {
    let theme = Theme::new(launch.prefs.color, launch.prefs.ascii);
    let mut state = AppState::new(
        launch.prefs,
        launch.profile,
        launch.regions,
        chrono::Utc::now(),
    );
    state.warnings = launch.warnings;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<LoopMsg>();
    let max_age = state.prefs.max_snapshot_age_hours;
    let mut runner = Runner::new(launch.connector, tx, launch.fetch, &launch.state)
        .with_max_snapshot_age(max_age);

    let mut term = setup(launch.mouse)?;
    let result = event_loop(
        &mut term,
        &mut state,
        &mut runner,
        &mut rx,
        &theme,
        (launch.max_fps, launch.mouse),
    )
    .await;
    crate::terminal::restore();
    match result {
        // Nobody is there any more: what was approved goes on; see `finish_unattended`.
        Ok(Ended::HungUp) => runner.finish_unattended(UNATTENDED_LIMIT).await,
        // Runs in progress stop where nothing is left out of service before the process ends.
        Ok(Ended::Quit(by)) => stop_runs_safely(&mut runner, by).await?,
        Err(_) => {
            runner
                .shutdown(strings::STOPPED_BY_ERROR, UNATTENDED_LIMIT)
                .await
        }
    }
    result.map(|_| 0)
}

/// After the terminal is given back: asks the runs in progress to stop at their next safe point
/// and waits for them, saying so on stderr; SIGINT (ctrl-c) or SIGTERM meanwhile stops them now.
async fn stop_runs_safely(runner: &mut Runner, by: &str) -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    if runner.runs_finished() {
        return Ok(());
    }
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut sigterm = signal(SignalKind::terminate())?;
    runner.stop_runs(by);
    eprintln!("{}", strings::STOPPING_SAFELY);
    let deadline = tokio::time::Instant::now() + UNATTENDED_LIMIT;
    while !runner.runs_finished() && tokio::time::Instant::now() < deadline {
        let again = tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(50)) => None,
            _ = sigint.recv() => Some(strings::BY_SIGINT),
            _ = sigterm.recv() => Some(strings::BY_SIGTERM),
        };
        if let Some(by) = again {
            runner.stop_runs(by);
            eprintln!("{}", strings::STOPPING_NOW);
        }
    }
    Ok(())
}

/// How the event loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    /// The operator quit, or SIGTERM or SIGINT (named): runs in progress stop at their next safe
    /// point.
    Quit(&'static str),
    /// The terminal went away (SIGHUP, input closed): runs finish what was approved.
    HungUp,
}

/// How long a hung-up console keeps finishing a run before it cancels it.
const UNATTENDED_LIMIT: Duration = Duration::from_secs(2 * 3600);

async fn event_loop(
    term: &mut Term,
    state: &mut AppState,
    runner: &mut Runner,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<LoopMsg>,
    theme: &Theme,
    (max_fps, mouse): (u32, bool),
) -> anyhow::Result<Ended> {
    use tokio::signal::unix::{SignalKind, signal};
    let started = Instant::now();
    // The first frame goes out before any network answer.
    app::ensure_models(state);
    draw(term, state, theme)?;
    tracing::info!(
        ms = started.elapsed().as_secs_f64() * 1000.0,
        since_exec_ms = process_age_ms().unwrap_or(-1.0),
        "first frame"
    );
    let fx = app::startup(state);
    apply(term, runner, fx)?;

    let mut events = crossterm::event::EventStream::new();
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let frame_gap = Duration::from_millis(1000 / u64::from(max_fps.clamp(1, 120)));
    let mut last_draw = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);

    loop {
        if state.quit {
            return Ok(Ended::Quit(strings::BY_QUIT));
        }
        if !crate::terminal::is_active() {
            // A task panicked and the panic hook gave the terminal back: take it again.
            *term = setup(mouse)?;
            state.dirty = true;
        }
        if state.dirty && last_draw.elapsed() >= frame_gap {
            draw(term, state, theme)?;
            last_draw = Instant::now();
        }
        let wait = if state.dirty {
            frame_gap.saturating_sub(last_draw.elapsed())
        } else {
            Duration::from_secs(3600)
        };
        let input: Option<Input> = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(e)) => input::convert(e),
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "terminal event error");
                    None
                }
                None => return Ok(Ended::HungUp),
            },
            m = rx.recv() => match m {
                Some(LoopMsg::App(msg)) => Some(Input::Msg(msg)),
                Some(LoopMsg::Session(generation, session)) => {
                    runner.install(generation, session);
                    None
                }
                None => None,
            },
            // Both clocks: the wall's for what the operator waits through, the session's (the
            // simulator's in a demo) for ages, time left and elapsed times.
            _ = tick.tick() => Some(Input::Tick {
                wall: chrono::Utc::now(),
                session: runner.now(),
            }),
            _ = tokio::time::sleep(wait), if state.dirty => None,
            _ = sigterm.recv() => return Ok(Ended::Quit(strings::BY_SIGTERM)),
            // In raw mode ctrl-c is a key; a SIGINT comes from outside (`kill -INT`).
            _ = sigint.recv() => return Ok(Ended::Quit(strings::BY_SIGINT)),
            _ = sighup.recv() => return Ok(Ended::HungUp),
        };
        if let Some(input) = input {
            #[cfg(debug_assertions)]
            test_hooks::maybe_panic(&input);
            // An inventory answer replaces the one held: the old one is let go of off the loop.
            let held = matches!(input, Input::Msg(app::Msg::Inventory { .. }))
                .then(|| std::sync::Arc::clone(&state.data.inv));
            let fx = app::update(state, input);
            if let Some(old) = held
                && !std::sync::Arc::ptr_eq(&old, &state.data.inv)
            {
                tokio::task::spawn_blocking(move || crate::allocator::free_now(old));
            }
            apply(term, runner, fx)?;
        }
    }
}

fn apply<B: Backend + Write>(
    term: &mut Terminal<B>,
    runner: &mut Runner,
    effects: Vec<Effect>,
) -> anyhow::Result<()> {
    for e in effects {
        match e {
            Effect::Copy { text } => {
                let seq = osc52(&text);
                let b = term.backend_mut();
                b.write_all(seq.as_bytes())?;
                Write::flush(b)?;
            }
            other => runner.run(other),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::osc52_for;

    #[test]
    fn osc52_outside_tmux_is_the_plain_sequence() {
        // "i-0abc" in base64 is "aS0wYWJj".
        assert_eq!(osc52_for("i-0abc", false), "\x1b]52;c;aS0wYWJj\x07");
    }

    #[test]
    fn osc52_inside_tmux_adds_the_passthrough_with_escapes_doubled() {
        let bytes = osc52_for("i-0abc", true);
        assert_eq!(
            bytes,
            "\x1b]52;c;aS0wYWJj\x07\x1bPtmux;\x1b\x1b]52;c;aS0wYWJj\x07\x1b\\"
        );
        // The passthrough ends at the first lone ESC \\: the only one is the last.
        let wrapped = &bytes["\x1b]52;c;aS0wYWJj\x07".len()..];
        assert!(wrapped.starts_with("\x1bPtmux;"));
        assert_eq!(wrapped.matches("\x1b\\").count(), 1);
        assert!(wrapped.ends_with("\x1b\\"));
    }
}
