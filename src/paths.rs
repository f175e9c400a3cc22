//! Where opsdeck keeps its files (directories crate), with environment overrides for tests and
//! for operators who keep state on a shared disk.

use std::path::PathBuf;

fn project() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "opsdeck")
}

pub fn config_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("OPSDECK_CONFIG_DIR") {
        return Some(PathBuf::from(d));
    }
    project().map(|p| p.config_dir().to_path_buf())
}

/// Logs, the runbook journal and the audit log. `OPSDECK_STATE_DIR` overrides.
pub fn state_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("OPSDECK_STATE_DIR") {
        return PathBuf::from(d);
    }
    project()
        .map(|p| {
            p.state_dir()
                .unwrap_or_else(|| p.data_local_dir())
                .to_path_buf()
        })
        .unwrap_or_else(|| std::env::temp_dir().join("opsdeck"))
}
