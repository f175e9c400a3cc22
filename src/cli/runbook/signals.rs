//! A headless run's signals, the console's policy: SIGHUP (the terminal or SSH link is gone) lets
//! the run go on to the end of what was approved, its output dropped; SIGTERM or SIGINT stops it at
//! its next safe point (what it took out of service is put back first); a second one stops it at
//! once, and the journal names what it leaves out of service.

use super::out::say_err;
use opsdeck_runbook::engine::Stop;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

pub(super) const SIGINT: &str = "SIGINT";
pub(super) const SIGTERM: &str = "SIGTERM";

/// The signals received so far, for the exit code.
#[derive(Clone, Default)]
pub(super) struct Received(Arc<Mutex<Option<&'static str>>>);

impl Received {
    /// The first SIGINT or SIGTERM, if any came.
    pub(super) fn first(&self) -> Option<&'static str> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn note(&self, by: &'static str) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert(by);
    }
}

/// Installs the handlers (from here on the default actions no longer end the process) and returns
/// the run's stop signal and what was received.
pub(super) fn watch() -> anyhow::Result<(watch::Receiver<Stop>, Received)> {
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    let mut hup = signal(SignalKind::hangup())?;
    let (tx, rx) = watch::channel(Stop::Go);
    let received = Received::default();
    let noted = received.clone();
    tokio::spawn(async move {
        loop {
            let by = tokio::select! {
                Some(()) = int.recv() => SIGINT,
                Some(()) = term.recv() => SIGTERM,
                Some(()) = hup.recv() => {
                    tracing::warn!("SIGHUP: the terminal is gone; the run goes on to its end");
                    continue;
                }
                else => break,
            };
            noted.note(by);
            tx.send_modify(|s| *s = s.escalate(by));
            let now = matches!(*tx.borrow(), Stop::Now(_));
            tracing::warn!(signal = by, now, "asked to stop");
            if now {
                say_err!(
                    "opsdeck: {by} again: stopping now; the journal names what is left out of service"
                );
            } else {
                say_err!(
                    "opsdeck: {by}: stopping at the next safe point (what the run took out of \
                     service is put back first); {by} again stops it now"
                );
            }
        }
    });
    Ok((rx, received))
}
