//! The config's shape: what `assets/default-config.toml` and a user's file deserialize into.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    pub ui: UiConfig,
    pub aws: AwsConfig,
    pub analysis: AnalysisConfig,
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileConfig>,
    /// Console key bindings: action name → keys (see `assets/keymap.toml`).
    #[serde(default)]
    pub keys: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UiConfig {
    pub refresh_seconds: u64,
    pub ascii: bool,
    pub max_fps: u32,
    /// Colours on (false = as with NO_COLOR).
    #[serde(default = "yes")]
    pub color: bool,
    /// Mouse scroll and click (off leaves the terminal's own text selection alone).
    #[serde(default = "yes")]
    pub mouse: bool,
    /// Where exports go (default: the state dir's `exports/`).
    #[serde(default)]
    pub export_dir: Option<PathBuf>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
pub struct AwsConfig {
    pub max_attempts: u32,
    pub connect_timeout_seconds: u64,
    pub operation_timeout_seconds: u64,
    pub metrics: bool,
    pub metrics_window_minutes: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AnalysisConfig {
    pub max_snapshot_age_hours: u64,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct ProfileConfig {
    #[serde(default)]
    pub read_only: bool,
    /// A colour name (`red`, `yellow`...) for the frame when this profile is in use.
    #[serde(default)]
    pub color: Option<String>,
}

impl Config {
    pub fn profile(&self, name: Option<&str>) -> ProfileConfig {
        self.profiles
            .get(name.unwrap_or("default"))
            .cloned()
            .unwrap_or_default()
    }
}
