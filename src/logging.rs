//! Logs go to a file in the state dir, never to the terminal the UI draws on.

use std::path::PathBuf;
use tracing_subscriber::EnvFilter;

/// Keeps the background log writer alive; drop it last to flush.
pub struct LogGuard(#[allow(dead_code)] tracing_appender::non_blocking::WorkerGuard);

/// Starts file logging. `OPSDECK_LOG` sets the filter (default `info`). The SDK's own chatter is kept
/// at `warn`: at debug level it would log request details, and credentials must never reach a log.
pub fn init() -> anyhow::Result<(LogGuard, PathBuf)> {
    let dir = crate::paths::state_dir();
    std::fs::create_dir_all(&dir)?;
    let appender = tracing_appender::rolling::never(&dir, "opsdeck.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("OPSDECK_LOG").unwrap_or_else(|_| {
        EnvFilter::new(
            "info,aws_config=warn,aws_smithy_runtime=warn,aws_smithy_runtime_api=warn,hyper=warn",
        )
    });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok();
    Ok((LogGuard(guard), dir.join("opsdeck.log")))
}
