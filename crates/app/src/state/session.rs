//! The settings and the connection: what the console was started with and who it talks to.

use crate::keys::Keymap;
use crate::msg::SessionInfo;
use std::path::PathBuf;

/// Settings that do not change while the console runs.
#[derive(Debug, Clone)]
pub struct Prefs {
    pub keymap: Keymap,
    pub refresh_seconds: u64,
    pub ascii: bool,
    pub color: bool,
    pub export_dir: PathBuf,
    /// Profiles named in the config (for `:profile` completion).
    pub profiles: Vec<String>,
    /// Findings: a data volume whose newest snapshot is older than this (`analysis` in the config).
    pub max_snapshot_age_hours: u64,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs {
            keymap: Keymap::default(),
            refresh_seconds: 30,
            ascii: false,
            color: true,
            export_dir: std::env::temp_dir(),
            profiles: Vec::new(),
            max_snapshot_age_hours: 24,
        }
    }
}

/// The connection: who we talk to, or why we cannot.
#[derive(Debug, Clone, Default)]
pub struct SessionState {
    pub info: Option<SessionInfo>,
    pub connecting: bool,
    pub error: Option<String>,
    pub connect_gen: u64,
    /// What the operator asked for (flags, `:profile`, `:region`): the next connect uses it.
    pub profile: Option<String>,
    pub regions: Vec<String>,
}

impl SessionState {
    pub fn read_only(&self) -> bool {
        self.info.as_ref().is_some_and(|i| i.read_only)
    }
}
