//! Asking on the terminal, for a headless run without `--yes`.

use async_trait::async_trait;
use opsdeck_runbook::engine::{Approval, Approver, Stop};
use opsdeck_runbook::plan::{Plan, Step};
use std::io::Write;
use tokio::sync::watch;

/// Asks on the terminal: `yes` for the plan, the resource id for destructive steps. A stop asked
/// meanwhile (SIGINT, SIGTERM) answers "no" at once.
pub(super) struct TerminalApprover {
    pub stop: watch::Receiver<Stop>,
}

fn ask(prompt: String) -> String {
    let mut out = std::io::stdout();
    // The terminal may be gone (SIGHUP): an unwritable prompt is an empty answer, not a panic.
    let _ = write!(out, "{prompt}");
    let _ = out.flush();
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    line.trim().to_string()
}

impl TerminalApprover {
    /// The answer typed, or `None` when a stop was asked first. (The blocking read is left behind:
    /// it ends with the process.)
    async fn answer(&self, prompt: String) -> Option<String> {
        let mut stop = self.stop.clone();
        if stop.borrow().requested() {
            return None;
        }
        tokio::select! {
            typed = tokio::task::spawn_blocking(move || ask(prompt)) => typed.ok(),
            _ = stop.wait_for(Stop::requested) => None,
        }
    }
}

#[async_trait]
impl Approver for TerminalApprover {
    async fn approve_plan(&self, _plan: &Plan) -> Approval {
        let answer = self
            .answer("Run this plan? Type `yes` to go on: ".into())
            .await;
        if answer.as_deref() == Some("yes") {
            Approval::Approve
        } else {
            Approval::Cancel
        }
    }
    async fn approve_step(&self, index: usize, step: &Step) -> Approval {
        let title = step.title.clone();
        let want = step.action.confirm_id();
        let prompt = match &want {
            Some(id) => format!(
                "Step {}: {title}\n  destructive: type {id} to approve: ",
                index + 1
            ),
            None => format!("Step {}: {title}\n  type `yes` to approve: ", index + 1),
        };
        let answer = self.answer(prompt).await;
        let expected = want.unwrap_or_else(|| "yes".into());
        if answer.as_deref() == Some(expected.as_str()) {
            Approval::Approve
        } else {
            Approval::Cancel
        }
    }
}
