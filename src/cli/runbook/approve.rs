//! Asking on the terminal, for a headless run without `--yes`.

use async_trait::async_trait;
use opsdeck_runbook::engine::{Approval, Approver};
use opsdeck_runbook::plan::{Plan, Step};
use std::io::Write;

/// Asks on the terminal: `yes` for the plan, the resource id for destructive steps.
pub(super) struct TerminalApprover;

fn ask(prompt: String) -> String {
    print!("{prompt}");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    line.trim().to_string()
}

#[async_trait]
impl Approver for TerminalApprover {
    async fn approve_plan(&self, _plan: &Plan) -> Approval {
        let answer =
            tokio::task::spawn_blocking(|| ask("Run this plan? Type `yes` to go on: ".into()))
                .await;
        if answer.ok().as_deref() == Some("yes") {
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
        let answer = tokio::task::spawn_blocking(move || ask(prompt)).await.ok();
        let expected = want.unwrap_or_else(|| "yes".into());
        if answer.as_deref() == Some(expected.as_str()) {
            Approval::Approve
        } else {
            Approval::Cancel
        }
    }
}
