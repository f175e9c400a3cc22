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

/// A config file's error with no position (or the embedded defaults').
pub fn config_error(origin: &str, what: &str) -> String {
    format!("config file {origin}: {what}")
}

/// A malformed config file or a value of the wrong type, where it is.
pub fn config_error_at(
    origin: &str,
    line: usize,
    column: usize,
    what: &str,
    source: &str,
) -> String {
    format!("config file {origin}, line {line}, column {column}: {what} (in `{source}`)")
}

/// A number in the config outside what it may be.
pub fn config_out_of_range(origin: &str, key: &str, value: u64, min: u64, max: u64) -> String {
    format!("config file {origin}: `{key}` = {value} is out of range (allowed: {min} to {max})")
}

/// A global flag refused before anything runs.
pub fn bad_flag(flag: &str, value: &str, why: &str) -> String {
    format!("{flag} `{}`: {why}", value.escape_debug())
}

/// What a `--region` must look like.
pub const REGION_SYNTAX: &str =
    "not an AWS region name (like us-east-1, eu-west-3 or us-gov-west-1)";

/// What an `--endpoint-url` must look like.
pub const ENDPOINT_SYNTAX: &str = "an endpoint is an http(s) URL, like http://127.0.0.1:5000";

/// `report` could not read one kind (`what`, the inventory's key) of a region, or the region
/// (`what` none): one stderr line each, with the call and AWS's answer in `error`.
pub fn report_unread(region: &str, what: Option<&str>, error: &str) -> String {
    match what {
        Some(what) => format!("report incomplete: {region}: could not read {what}: {error}"),
        None => format!("report incomplete: region {region}: {error}"),
    }
}

/// The report table's line under the inventory counts when something could not be read.
pub fn report_incomplete(unread: &[String]) -> String {
    format!(
        "INCOMPLETE: could not read {} (details on stderr); the findings below may miss what is there",
        unread.join(", ")
    )
}

/// An error that stands for `failed` calls of the same kind (one per target group), the first's.
pub fn calls_failed(first: &str, failed: usize) -> String {
    if failed > 1 {
        format!(
            "{first} (and {} more calls of this kind failed)",
            failed - 1
        )
    } else {
        first.to_string()
    }
}
