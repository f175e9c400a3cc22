//! Before anything changes: every mutating step tried with DryRun where its inputs are known, the
//! first capacity guard judged, and the credentials checked to outlive the run.

use crate::actions::{self, Called, Ctx, Seen};
use crate::journal::Outputs;
use crate::plan::{Action, Plan};
use opsdeck_core::analysis::Floor;
use opsdeck_core::cloud::{CloudRead, CloudWrite, ErrorKind};
use serde::Serialize;
use std::time::Duration;

/// A problem found before anything changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub step: Option<usize>,
    pub message: String,
}

/// Retries a call while AWS answers with a transient error (throttling, 5xx), with backoff: the
/// preflight must not refuse a plan because of a busy API.
async fn with_retries<T, F, Fut>(mut f: F) -> opsdeck_core::cloud::CloudResult<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = opsdeck_core::cloud::CloudResult<T>>,
{
    let mut delay = Duration::from_millis(500);
    for _ in 0..8 {
        match f().await {
            Err(e) if e.is_transient() => {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(10));
            }
            other => return other,
        }
    }
    f().await
}

/// Tries every mutating step with DryRun (where its inputs are already known), evaluates the
/// capacity guards, and checks the credentials outlive the run.
pub async fn preflight(
    read: &dyn CloudRead,
    write: &dyn CloudWrite,
    plan: &Plan,
    floor: Floor,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let outputs = Outputs::new();
    let ctx = Ctx {
        read,
        run_id: "preflight",
        floor,
        outputs: &outputs,
    };
    for (i, step) in plan.steps.iter().enumerate() {
        if let Action::CapacityGuard { .. } = step.action {
            // Only the first guard can be judged now: later ones run after earlier instances return.
            if !plan.steps[..i]
                .iter()
                .any(|s| matches!(s.action, Action::CapacityGuard { .. }))
            {
                match with_retries(|| actions::observe(&ctx, &step.action, Called::No)).await {
                    Ok(Seen::Pending(why)) => problems.push(Problem {
                        step: Some(i),
                        message: format!("guard: {why}"),
                    }),
                    Err(e) => problems.push(Problem {
                        step: Some(i),
                        message: e.to_string(),
                    }),
                    _ => {}
                }
            }
            continue;
        }
        if !step.action.is_mutating() || !actions::dry_runnable(&step.action) {
            continue;
        }
        match with_retries(|| actions::act(&ctx, write, &step.action, true)).await {
            Err(e) if e.kind == ErrorKind::DryRunOk => {}
            Ok(_) => {}
            Err(e) => problems.push(Problem {
                step: Some(i),
                message: format!("{}: {e}", step.title),
            }),
        }
    }
    if let Ok(id) = read.identity().await
        && let Some(exp) = id.expires_at
    {
        // On the session's clock: the simulator's credentials expire in simulated time.
        let end = read.now() + chrono::Duration::seconds(plan.expected_secs() as i64);
        if exp < end {
            problems.push(Problem {
                step: None,
                message: format!(
                    "credentials expire at {} but the run needs until about {}: refresh them first",
                    exp.format("%H:%M UTC"),
                    end.format("%H:%M UTC")
                ),
            });
        }
    }
    problems
}
