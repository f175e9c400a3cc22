//! Logs go to a file in the state dir, never to the terminal the UI draws on.

use std::path::Path;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{FilterExt, LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Keeps the background log writer alive; drop it last to flush.
pub struct LogGuard(#[allow(dead_code)] tracing_appender::non_blocking::WorkerGuard);

/// Only opsdeck's own targets (its modules and the `audit` target) log below `warn`, whatever
/// `OPSDECK_LOG` says: at `trace` the AWS SDK logs the resolved identity (the access key id) and
/// wire details, and credentials must never reach a log. An allow-list, so a dependency added later
/// is capped too.
const OWN_TARGETS: &[&str] = &["opsdeck", "audit"];

/// The file layer: `OPSDECK_LOG` (an `EnvFilter` spec; default `info`) and, on top, the cap on
/// every other crate. Both must let an event through, so no directive in the spec (not even one
/// naming a module deep inside the SDK) lifts another crate above `warn`.
fn file_layer<S, W>(spec: Option<&str>, writer: W) -> impl Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + 'static,
{
    let env = spec
        .and_then(|s| EnvFilter::try_new(s).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let caps = OWN_TARGETS
        .iter()
        .fold(Targets::new().with_default(LevelFilter::WARN), |t, k| {
            t.with_target(*k, LevelFilter::TRACE)
        });
    tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(false)
        .with_filter(env.and(caps))
}

/// Starts file logging to `opsdeck.log` in the state dir (created private: 0700, the file 0600).
/// `OPSDECK_LOG` sets the filter (default `info`); the SDK stays at `warn`. When the file cannot be
/// opened (a read-only or missing disk, a path that is not a directory), says why in one line
/// naming the path and the OS error, and installs no logger: the caller carries on without one.
pub fn init() -> Result<LogGuard, String> {
    let dir = crate::paths::state_dir();
    let path = dir.join(LOG_FILE);
    let file = open_log(&dir, &path).map_err(|e| crate::strings::no_log_file(&path, &e))?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let spec = std::env::var("OPSDECK_LOG").ok();
    tracing_subscriber::registry()
        .with(file_layer(spec.as_deref(), writer))
        .try_init()
        .ok();
    Ok(LogGuard(guard))
}

/// The log's file name in the state dir.
pub const LOG_FILE: &str = "opsdeck.log";

/// Opens (creating it and its dir) the log for appending. Our own `open`, not an appender's: a
/// failure here is an error to report, never a panic.
fn open_log(dir: &Path, path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn logged(spec: Option<&str>) -> String {
        let buf = Buf::default();
        let out = buf.clone();
        let subscriber = tracing_subscriber::registry().with(file_layer(spec, move || out.clone()));
        tracing::subscriber::with_default(subscriber, || {
            tracing::trace!(target: "aws_smithy_runtime::client::orchestrator::auth", "sdk-trace-marker");
            tracing::debug!(target: "aws_sigv4::http_request::sign", "sdk-debug-marker");
            tracing::warn!(target: "aws_smithy_runtime::client::retries", "sdk-warn-marker");
            tracing::debug!(target: "hyper_util::client", "other-debug-marker");
            tracing::trace!(target: "opsdeck::cloud", "own-trace-marker");
            tracing::info!(target: "opsdeck::cloud", "own-info-marker");
            tracing::info!(target: "audit", "audit-info-marker");
        });
        String::from_utf8(buf.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn a_log_that_cannot_be_opened_is_an_error_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        // A regular file where the state dir's parent should be: no root privilege gets past it.
        let blocker = dir.path().join("blocker");
        std::fs::write(&blocker, "").unwrap();
        let state = blocker.join("state");
        let path = state.join(LOG_FILE);
        let e = open_log(&state, &path).unwrap_err();
        let said = crate::strings::no_log_file(&path, &e);
        assert!(said.contains(&path.display().to_string()), "{said}");
        assert!(said.contains("os error 20"), "the OS error: {said}");
        assert_eq!(said.lines().count(), 1, "{said}");

        let ok = dir.path().join("ok");
        let f = open_log(&ok, &ok.join(LOG_FILE)).unwrap();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(f.metadata().unwrap().permissions().mode() & 0o777, 0o600);
        let d = std::fs::metadata(&ok).unwrap().permissions().mode() & 0o777;
        assert_eq!(d, 0o700, "the state dir is private");
    }

    #[test]
    fn other_crates_stay_at_warn_whatever_the_spec_says() {
        for spec in [
            None,
            Some("trace"),
            Some("debug,aws_smithy_runtime=trace"),
            Some("trace,aws_smithy_runtime::client::orchestrator::auth=trace,aws_sigv4=trace"),
        ] {
            let log = logged(spec);
            assert!(!log.contains("sdk-trace-marker"), "{spec:?}: {log}");
            assert!(!log.contains("sdk-debug-marker"), "{spec:?}: {log}");
            assert!(!log.contains("other-debug-marker"), "{spec:?}: {log}");
            assert!(log.contains("audit-info-marker"), "{spec:?}: {log}");
            assert!(log.contains("sdk-warn-marker"), "{spec:?}: {log}");
            assert!(log.contains("own-info-marker"), "{spec:?}: {log}");
        }
        assert!(logged(Some("trace")).contains("own-trace-marker"));
        assert!(!logged(None).contains("own-trace-marker"), "default: info");
    }
}
