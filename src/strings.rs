//! The binary's own wording outside the console (the console's is in `tui::strings` and
//! `opsdeck_app::strings`): what it says on stderr about the log, the state dir, the config file
//! and the flags. Each is one line naming what failed.

use std::path::Path;

/// The log file could not be opened: opsdeck goes on without one.
pub fn no_log_file(path: &Path, e: &std::io::Error) -> String {
    format!(
        "cannot open the log file {}: {e}; running without a log file",
        path.display()
    )
}
