//! Where a session keeps its runs and its audit log. The binary decides the directory (the platform
//! state dir, or `OPSDECK_STATE_DIR`) and passes it down; nothing in this crate looks it up, so a
//! test that builds a read-write session writes to its own temporary dir, never the developer's.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateDir {
    root: PathBuf,
}

impl StateDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        StateDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// One journal (and lock) per run.
    pub fn runs(&self) -> PathBuf {
        self.root.join("runs")
    }

    /// Every mutating call, as JSON lines.
    pub fn audit_log(&self) -> PathBuf {
        self.root.join("audit.jsonl")
    }

    /// One lock file per leased resource or capacity pool (`leases::LocalLeases`).
    pub fn leases(&self) -> PathBuf {
        self.root.join("leases")
    }

    /// Where the console's exports go unless the config names a dir.
    pub fn exports(&self) -> PathBuf {
        self.root.join("exports")
    }
}
