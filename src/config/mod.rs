//! Configuration: embedded defaults (`assets/default-config.toml`) overlaid with the user's file.
//! The user file overrides only what it names; unknown keys are reported as warnings, a malformed
//! file or a wrong type as an error with line and column, a number out of its range as an error
//! naming the key, the value and the range (`check`).

mod check;
mod types;

pub use check::{RANGES, Range};
pub use types::{AnalysisConfig, AwsConfig, Config, ProfileConfig, UiConfig};

use anyhow::Context;
use std::path::{Path, PathBuf};

pub const DEFAULT_CONFIG: &str = include_str!("../../assets/default-config.toml");

/// A loaded configuration and what was odd about the user's file.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    pub warnings: Vec<String>,
    pub path: Option<PathBuf>,
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

/// Parses a user file over the embedded defaults. `origin` names the file in messages. Every error
/// is one line naming the file: a malformed file or a wrong type with its line and column, a number
/// out of range with its key, value and range.
pub fn from_str(user: &str, origin: &str) -> anyhow::Result<(Config, Vec<String>)> {
    let mut merged: toml::Table =
        toml::from_str(DEFAULT_CONFIG).context("embedded default config is invalid")?;
    let user_table: toml::Table = toml::from_str(user)
        .map_err(|e| anyhow::anyhow!(check::position_error(user, origin, &e)))?;
    check::types(user, origin).map_err(anyhow::Error::msg)?;
    overlay(&mut merged, user_table);
    let mut warnings = Vec::new();
    let config: Config = serde_ignored::deserialize(toml::Value::Table(merged), |path| {
        warnings.push(format!(
            "config file {origin}: unknown key `{path}` ignored"
        ));
    })
    .map_err(|e| anyhow::anyhow!(crate::strings::config_error(origin, &e.to_string())))?;
    check::ranges(&config, origin).map_err(anyhow::Error::msg)?;
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
        assert!(err.contains("line 2, column"), "{err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
    }

    #[test]
    fn wrong_type_is_an_error_at_its_line_and_column_naming_the_key() {
        let err = from_str("# mine\n[ui]\nrefresh_seconds = \"often\"\n", "t.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("t.toml"), "{err}");
        assert!(err.contains("line 3, column 19"), "{err}");
        assert!(err.contains("refresh_seconds"), "{err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
    }

    /// Every key of the embedded defaults, given a value of another type, is reported where it is:
    /// the type check knows every key the config has.
    #[test]
    fn every_default_key_of_a_wrong_type_is_reported_at_its_position() {
        let defaults: toml::Table = toml::from_str(DEFAULT_CONFIG).unwrap();
        let mut keys = 0;
        for (table, v) in &defaults {
            let Some(t) = v.as_table() else { continue };
            for (key, value) in t {
                let wrong = if value.is_str() { "1" } else { "\"x\"" };
                let text = format!("\n[{table}]\n{key} = {wrong}\n");
                let err = from_str(&text, "w.toml").unwrap_err().to_string();
                assert!(err.contains("line 3, column"), "{table}.{key}: {err}");
                assert!(err.contains(key.as_str()), "{table}.{key}: {err}");
                keys += 1;
            }
        }
        assert!(keys >= 11, "{keys} keys checked");
        for text in [
            "[ui]\nexport_dir = 3\n",
            "[profiles.prod]\nread_only = \"yes\"\n",
            "[keys]\nquit = \"q\"\n",
        ] {
            let err = from_str(text, "w.toml").unwrap_err().to_string();
            assert!(err.contains("line 2, column"), "{text}: {err}");
        }
    }

    #[test]
    fn numbers_out_of_range_are_refused_with_key_value_and_range() {
        let err = from_str("[aws]\nmax_attempts = 10000000\n", "c.toml")
            .unwrap_err()
            .to_string();
        for needle in ["c.toml", "aws.max_attempts", "10000000", "1 to 20"] {
            assert!(err.contains(needle), "{needle}: {err}");
        }
        assert_eq!(err.lines().count(), 1, "{err}");
        // Beyond the type's own range: a type error at its position.
        let err = from_str("[aws]\nmax_attempts = 99999999999\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2, column 16"), "{err}");
        let err = from_str("[aws]\nconnect_timeout_seconds = -1\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
        for r in RANGES {
            let (table, key) = r.key.split_once('.').unwrap();
            for ok in [r.min, r.max] {
                let text = format!("[{table}]\n{key} = {ok}\n");
                assert!(from_str(&text, "c.toml").is_ok(), "{} = {ok}", r.key);
            }
            for bad in [r.min.checked_sub(1), Some(r.max + 1)]
                .into_iter()
                .flatten()
            {
                let text = format!("[{table}]\n{key} = {bad}\n");
                let err = from_str(&text, "c.toml").unwrap_err().to_string();
                assert!(
                    err.contains(r.key) && err.contains(&bad.to_string()),
                    "{err}"
                );
            }
        }
    }
}
