//! The simulated clock: `epoch + offset + elapsed tokio time × speed`.
//!
//! Built on `tokio::time::Instant`, so a test with a paused runtime (`start_paused = true`) moves the
//! world exactly as far as its `sleep`s, and the demo runs at `--demo-speed`.

use opsdeck_core::domain::Timestamp;
use std::time::Duration;
use tokio::time::Instant;

#[derive(Debug, Clone)]
pub(crate) struct SimClock {
    /// Simulated time at `start` (the fleet's "now": its relative times are measured from here).
    epoch: Timestamp,
    start: Instant,
    speed: f64,
    /// Simulated time skipped forward by hand (`Sim::skip`, chaos `skip 2h`).
    offset: chrono::Duration,
}

impl SimClock {
    /// `speed` is positive and finite (`Sim::new` refuses anything else).
    pub(crate) fn new(epoch: Timestamp, speed: f64) -> Self {
        SimClock {
            epoch,
            start: Instant::now(),
            speed,
            offset: chrono::Duration::zero(),
        }
    }

    pub(crate) fn epoch(&self) -> Timestamp {
        self.epoch
    }

    pub(crate) fn speed(&self) -> f64 {
        self.speed
    }

    pub(crate) fn now(&self) -> Timestamp {
        let real = self.start.elapsed();
        let sim_ms = (real.as_secs_f64() * self.speed * 1000.0).round();
        let sim = chrono::Duration::milliseconds(sim_ms.min(i64::MAX as f64 / 2.0) as i64);
        self.epoch + self.offset + sim
    }

    pub(crate) fn skip(&mut self, by: Duration) {
        self.offset += chrono::Duration::from_std(by).unwrap_or(chrono::Duration::zero());
    }
}

/// `d` as a chrono duration (saturating at a century, which no simulated wait reaches).
pub(crate) fn secs(d: f64) -> chrono::Duration {
    chrono::Duration::milliseconds((d.clamp(0.0, 3.2e9) * 1000.0) as i64)
}
