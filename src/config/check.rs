//! What a config file's values must be, checked once it is read: the type of every key the user's
//! file names (a wrong one is reported at its line and column) and the range of every number (an
//! out-of-range one is reported with its key, its value and the range allowed). Both are errors
//! (exit 2): a config that would make the console hang or spin is never quietly used.

use super::types::{Config, ProfileConfig};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Every number in the config, its allowed range (inclusive) and what the range is for.
pub struct Range {
    pub key: &'static str,
    pub min: u64,
    pub max: u64,
    value: fn(&Config) -> u64,
}

pub const RANGES: &[Range] = &[
    Range {
        key: "ui.refresh_seconds",
        min: 0, // off
        max: 86_400,
        value: |c| c.ui.refresh_seconds,
    },
    Range {
        key: "ui.max_fps",
        min: 1,
        max: 120,
        value: |c| u64::from(c.ui.max_fps),
    },
    Range {
        key: "aws.max_attempts",
        min: 1,
        max: 20,
        value: |c| u64::from(c.aws.max_attempts),
    },
    Range {
        key: "aws.connect_timeout_seconds",
        min: 1,
        max: 300,
        value: |c| c.aws.connect_timeout_seconds,
    },
    Range {
        key: "aws.operation_timeout_seconds",
        min: 1,
        max: 3_600,
        value: |c| c.aws.operation_timeout_seconds,
    },
    Range {
        key: "aws.metrics_window_minutes",
        min: 1,
        max: 1_440,
        value: |c| c.aws.metrics_window_minutes,
    },
    Range {
        key: "analysis.max_snapshot_age_hours",
        min: 0,
        max: 87_600,
        value: |c| c.analysis.max_snapshot_age_hours,
    },
];

/// The first number out of its range, as one line naming the file, the key, the value and the range.
pub fn ranges(config: &Config, origin: &str) -> Result<(), String> {
    for r in RANGES {
        let v = (r.value)(config);
        if v < r.min || v > r.max {
            return Err(crate::strings::config_out_of_range(
                origin, r.key, v, r.min, r.max,
            ));
        }
    }
    Ok(())
}

/// The user's file alone, every key optional, with the types `Config` has: deserialized straight
/// from the file's text, so a wrong type is reported where it is (the merged config has no
/// positions). Unknown keys are left to the merge, which warns about them.
#[derive(Deserialize)]
#[allow(dead_code)] // read by serde only: the values are taken from the merge
struct UserFile {
    ui: Option<UiTypes>,
    aws: Option<AwsTypes>,
    analysis: Option<AnalysisTypes>,
    profiles: Option<BTreeMap<String, ProfileConfig>>,
    keys: Option<BTreeMap<String, Vec<String>>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct UiTypes {
    refresh_seconds: Option<u64>,
    ascii: Option<bool>,
    max_fps: Option<u32>,
    color: Option<bool>,
    mouse: Option<bool>,
    export_dir: Option<PathBuf>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct AwsTypes {
    max_attempts: Option<u32>,
    connect_timeout_seconds: Option<u64>,
    operation_timeout_seconds: Option<u64>,
    metrics: Option<bool>,
    metrics_window_minutes: Option<u64>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct AnalysisTypes {
    max_snapshot_age_hours: Option<u64>,
}

/// The types of what the user's file names; a wrong one is one line with the file, line and column.
pub fn types(user: &str, origin: &str) -> Result<(), String> {
    match toml::from_str::<UserFile>(user) {
        Ok(_) => Ok(()),
        Err(e) => Err(position_error(user, origin, &e)),
    }
}

/// A TOML error as one line: `config file F, line L, column C: what` (toml's own rendering spans
/// several lines, with the source line drawn under it). The line's text is quoted, so the key shows.
pub fn position_error(text: &str, origin: &str, e: &toml::de::Error) -> String {
    let what = e.message().trim().replace('\n', " ");
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let source = text.lines().nth(line - 1).unwrap_or_default().trim();
            crate::strings::config_error_at(origin, line, column, &what, source)
        }
        None => crate::strings::config_error(origin, &what),
    }
}
