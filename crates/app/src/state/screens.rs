//! The screens on the navigation stack, and the stack itself.

use super::tables::ViewKey;
use crate::azmap::AzColumn;
use crate::resources::ResourceKind;
use crate::runbook_screen::{Chooser, RunbookView, RunsView};
use crate::xray::XrayItem;

#[derive(Debug, Clone)]
pub struct Describe {
    pub kind: ResourceKind,
    pub id: String,
    pub lines: Vec<String>,
    pub scroll: usize,
    pub viewport: usize,
}

#[derive(Debug, Clone)]
pub struct Xray {
    /// What it is about: an instance, or an Auto Scaling group.
    pub kind: ResourceKind,
    /// Its id (a group's name).
    pub subject: String,
    pub items: Vec<XrayItem>,
    pub selected: usize,
    pub offset: usize,
    pub viewport: usize,
    /// Screen row of the first line in the last frame (mouse clicks).
    pub first_y: u16,
    pub built_for: u64,
}

#[derive(Debug, Clone, Default)]
pub struct AzMapView {
    pub columns: Vec<AzColumn>,
    pub selected: usize,
    pub scroll: usize,
    pub viewport: usize,
    pub built_for: u64,
}

#[derive(Debug, Clone, Default)]
pub struct HelpView {
    pub scroll: usize,
    pub viewport: usize,
}

/// A screen on the navigation stack; `esc` pops back to the one below.
#[derive(Debug, Clone)]
pub enum Screen {
    Table(ViewKey),
    Describe(Describe),
    Xray(Xray),
    AzMap(AzMapView),
    Help(HelpView),
    /// The runbook in `AppState::runbook`: plan, approvals, progress.
    Runbook(RunbookView),
    /// Runbooks to choose from.
    Runbooks(Chooser),
    /// The journal's runs.
    Runs(RunsView),
}

#[derive(Debug, Clone)]
pub struct Nav {
    pub stack: Vec<Screen>,
}

impl Default for Nav {
    fn default() -> Self {
        Nav {
            stack: vec![Screen::Table(ViewKey::all(ResourceKind::Instances))],
        }
    }
}

impl Nav {
    pub fn top(&self) -> &Screen {
        // The stack is never empty: `pop` keeps the last screen.
        &self.stack[self.stack.len() - 1]
    }
    pub fn top_mut(&mut self) -> &mut Screen {
        let n = self.stack.len();
        &mut self.stack[n - 1]
    }
    pub fn push(&mut self, s: Screen) {
        self.stack.push(s);
    }
    pub fn pop(&mut self) -> bool {
        if self.stack.len() > 1 {
            self.stack.pop();
            true
        } else {
            false
        }
    }
    pub fn reset(&mut self, s: Screen) {
        self.stack.clear();
        self.stack.push(s);
    }
}
