//! Configuration: embedded defaults (`assets/default-config.toml`) overlaid with the user's file.
//! The user file overrides only what it names; unknown keys are reported as warnings, a malformed
//! file as an error with line and column.

use anyhow::Context;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const DEFAULT_CONFIG: &str = include_str!("../../assets/default-config.toml");

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

/// A loaded configuration and what was odd about the user's file.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    pub warnings: Vec<String>,
    pub path: Option<PathBuf>,
}

impl Config {
    pub fn profile(&self, name: Option<&str>) -> ProfileConfig {
        self.profiles
            .get(name.unwrap_or("default"))
            .cloned()
            .unwrap_or_default()
    }
}

/// Where the user's file lives by default (`~/.config/opsdeck/config.toml` on Linux).
pub fn default_path() -> Option<PathBuf> {
    crate::paths::config_dir().map(|d| d.join("config.toml"))
}

/// Loads the defaults, then `explicit` (must exist) or the default path (may be absent).
pub fn load(explicit: Option<&Path>) -> anyhow::Result<Loaded> {
    let (path, user_text) = match explicit {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read config file {}", p.display()))?;
            (Some(p.to_path_buf()), Some(text))
        }
        None => match default_path() {
            Some(p) if p.exists() => {
                let text = std::fs::read_to_string(&p)
                    .with_context(|| format!("cannot read config file {}", p.display()))?;
                (Some(p), Some(text))
            }
            _ => (None, None),
        },
    };
    let shown = path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let (config, warnings) = from_str(user_text.as_deref().unwrap_or(""), &shown)?;
    Ok(Loaded {
        config,
        warnings,
        path,
    })
}

/// Parses a user file over the embedded defaults. `origin` names the file in messages.
pub fn from_str(user: &str, origin: &str) -> anyhow::Result<(Config, Vec<String>)> {
    let mut merged: toml::Table =
        toml::from_str(DEFAULT_CONFIG).context("embedded default config is invalid")?;
    let user_table: toml::Table = toml::from_str(user)
        .map_err(|e| anyhow::anyhow!("config file {origin} is malformed: {e}"))?;
    overlay(&mut merged, user_table);
    let mut warnings = Vec::new();
    let config: Config = serde_ignored::deserialize(toml::Value::Table(merged), |path| {
        warnings.push(format!(
            "config file {origin}: unknown key `{path}` ignored"
        ));
    })
    .map_err(|e| anyhow::anyhow!("config file {origin}: {e}"))?;
    Ok((config, warnings))
}

/// Recursively overlays `user` onto `base`: tables merge, everything else replaces.
fn overlay(base: &mut toml::Table, user: toml::Table) {
    for (k, v) in user {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(u)) => overlay(b, u),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_without_warnings() {
        let (c, w) = from_str("", "test").unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(c.ui.refresh_seconds, 30);
        assert_eq!(c.aws.max_attempts, 5);
        assert!(c.profiles.is_empty());
    }

    #[test]
    fn user_file_overrides_only_what_it_names() {
        let (c, w) = from_str(
            "[ui]\nrefresh_seconds = 5\n[profiles.prod]\nread_only = true\ncolor = \"red\"\n",
            "t",
        )
        .unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(c.ui.refresh_seconds, 5);
        assert!(!c.ui.ascii, "untouched keys keep their defaults");
        assert_eq!(c.aws.max_attempts, 5);
        let prod = c.profile(Some("prod"));
        assert!(prod.read_only);
        assert_eq!(prod.color.as_deref(), Some("red"));
        assert!(!c.profile(Some("dev")).read_only);
    }

    #[test]
    fn unknown_keys_warn_and_loading_goes_on() {
        let (c, w) = from_str("[ui]\nrefresh_secs = 5\n[bogus]\nx = 1\n", "my.toml").unwrap();
        assert_eq!(c.ui.refresh_seconds, 30);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(
            w.iter()
                .any(|m| m.contains("ui.refresh_secs") && m.contains("my.toml"))
        );
        assert!(w.iter().any(|m| m.contains("bogus")));
    }

    #[test]
    fn malformed_file_reports_line_and_column() {
        let err = from_str("[ui]\nrefresh_seconds = = 5\n", "bad.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("bad.toml"), "{err}");
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("column"), "{err}");
    }

    #[test]
    fn wrong_type_is_an_error_naming_the_key() {
        let err = from_str("[ui]\nrefresh_seconds = \"often\"\n", "t.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("refresh_seconds"), "{err}");
    }
}
